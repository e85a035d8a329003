import { toClickHouseDateTime, windowStartOf } from '../core/time.js';
import type { AnonymousEvent } from '../schema/event.js';
import { MAX_DIMS, REPORT_LIST } from '../schema/reports.js';

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

export function foldBatch(
  events: readonly AnonymousEvent[],
  windowSeconds: number,
  stagedAtMs: number,
): StagingRow[] {
  const cells = new Map<string, Accumulator>();
  const stagedAt = toClickHouseDateTime(Math.floor(stagedAtMs / 1000));
  for (const event of events) {
    const windowStart = toClickHouseDateTime(windowStartOf(event.ts, windowSeconds));
    for (const report of REPORT_LIST) {
      for (const cell of report.cells(event)) {
        const dims = [cell.dims[0] ?? '', cell.dims[1] ?? '', cell.dims[2] ?? ''];
        if (cell.dims.length > MAX_DIMS)
          throw new Error(`report ${report.name} has more than ${MAX_DIMS} dimensions`);
        const key = JSON.stringify([event.site, windowStart, report.name, ...dims]);
        let accumulator = cells.get(key);
        if (!accumulator) {
          accumulator = {
            row: {
              site: event.site,
              window_start: windowStart,
              report: report.name,
              d1: dims[0]!,
              d2: dims[1]!,
              d3: dims[2]!,
              measures: {},
              staged_at: stagedAt,
            },
            visitors: new Set(),
          };
          cells.set(key, accumulator);
        }
        for (const [name, value] of Object.entries(cell.measures)) {
          accumulator.row.measures[name] = (accumulator.row.measures[name] ?? 0) + value;
        }
        accumulator.visitors.add(event.visitor);
      }
    }
  }
  return [...cells.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, { row, visitors }]) => ({ ...row, visitors: `[${[...visitors].sort().join(',')}]` }));
}
