import { toClickHouseDateTime, windowStartOf } from '../core/time.js';
import type { AnonymousEvent } from '../schema/event.js';
import { MAX_DIMS, STAGED_REPORTS } from '../schema/reports.js';

/**
 * Folds a batch of anonymous events into staging cells: one row per (site, window, report, cell
 * key) with summed measures and the set of visitor tokens seen. Pure and deterministic, so the
 * same batch always yields the same rows.
 */
export interface StagingRow {
  site: string;
  window_start: string;
  report: string;
  d1: string;
  d2: string;
  d3: string;
  measures: Record<string, number>;
  /** The visitor tokens, as ClickHouse array text: inserted with aggregate_function_input_format='array'. */
  visitors: string;
  staged_at: string;
}

interface Accumulator {
  row: Omit<StagingRow, 'visitors'>;
  visitors: Set<string>;
}

/**
 * Cells are found through one map per key part (site, window, report, d1, d2, d3) rather than by
 * one concatenated key: building and hashing a fresh key string per cell was a seventh of the
 * fold's time, while the parts are strings whose hashes V8 has already computed. Separate levels
 * also mean no value, whatever characters it holds, can make two cells share a key.
 */
type Level<T> = Map<string, T>;
type CellsOfReport = Level<Level<Level<Accumulator>>>;

function child<T>(level: Level<T>, key: string, create: () => T): T {
  let next = level.get(key);
  if (next === undefined) {
    next = create();
    level.set(key, next);
  }
  return next;
}

/** Orders rows as the staging table's ORDER BY does, so the output does not depend on Map order. */
function compareRows(a: Accumulator, b: Accumulator): number {
  const x = a.row;
  const y = b.row;
  return (
    compareText(x.site, y.site) ||
    compareText(x.window_start, y.window_start) ||
    compareText(x.report, y.report) ||
    compareText(x.d1, y.d1) ||
    compareText(x.d2, y.d2) ||
    compareText(x.d3, y.d3)
  );
}

const isEmpty = (measures: Readonly<Record<string, number>>) => {
  for (const _ in measures) return false;
  return true;
};

/** Orders strings by UTF-16 code units, the same on every run and machine (not by locale). */
export const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function foldBatch(
  events: readonly AnonymousEvent[],
  windowSeconds: number,
  stagedAtMs: number,
): StagingRow[] {
  const cells = new Map<string, Level<Level<CellsOfReport>>>();
  const accumulators: Accumulator[] = [];
  // Visitors already under each first dimension of a report that lets the visitor decide its cell.
  const seenOf = new Map<Level<Level<Accumulator>>, Set<string>>();
  const stagedAt = toClickHouseDateTime(Math.floor(stagedAtMs / 1000));
  // A batch spans a few windows at most: format each window's start once.
  const windowTexts = new Map<number, string>();
  for (const event of events) {
    const start = windowStartOf(event.ts, windowSeconds);
    let windowStart = windowTexts.get(start);
    if (windowStart === undefined) {
      windowStart = toClickHouseDateTime(start);
      windowTexts.set(start, windowStart);
    }
    const reportsOfWindow = child(
      child(cells, event.site, () => new Map()),
      windowStart,
      () => new Map(),
    );
    for (const report of STAGED_REPORTS) {
      const ofReport = child(reportsOfWindow, report.name, () => new Map() as CellsOfReport);
      for (const cell of report.cells(event)) {
        if (cell.dims.length > MAX_DIMS)
          throw new Error(`report ${report.name} has more than ${MAX_DIMS} dimensions`);
        const d1 = cell.dims[0] ?? '';
        const ofD1 = child(ofReport, d1, () => new Map());
        if (report.visitorDecidesCell && isEmpty(cell.measures)) {
          // The visitor is in this cell already (the report says its first dimension decides the
          // cell): nothing to add.
          let seen = seenOf.get(ofD1);
          if (!seen) {
            seen = new Set();
            seenOf.set(ofD1, seen);
          }
          if (seen.has(event.visitor)) continue;
          seen.add(event.visitor);
        }
        const d2 = cell.dims[1] ?? '';
        const d3 = cell.dims[2] ?? '';
        const ofD3 = child(ofD1, d2, () => new Map());
        let accumulator = ofD3.get(d3);
        if (!accumulator) {
          accumulator = {
            row: {
              site: event.site,
              window_start: windowStart,
              report: report.name,
              d1,
              d2,
              d3,
              measures: {},
              staged_at: stagedAt,
            },
            visitors: new Set(),
          };
          ofD3.set(d3, accumulator);
          accumulators.push(accumulator);
        }
        const measures = accumulator.row.measures;
        for (const name in cell.measures) {
          measures[name] = (measures[name] ?? 0) + cell.measures[name]!;
        }
        accumulator.visitors.add(event.visitor);
      }
    }
  }
  accumulators.sort(compareRows);
  const rows: StagingRow[] = new Array(accumulators.length);
  for (let index = 0; index < accumulators.length; index++) {
    const { row, visitors } = accumulators[index]!;
    rows[index] = { ...row, visitors: `[${[...visitors].sort().join(',')}]` };
  }
  return rows;
}
