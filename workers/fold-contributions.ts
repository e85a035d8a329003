import { toClickHouseDateTime, windowStartOf } from '../core/time.js';
import type { AnonymousEvent } from '../schema/event.js';
import { REPORT_LIST } from '../schema/reports.js';
import { compareText, type StagingRow } from './fold.js';

/**
 * Noise mode only (KANON_EPSILON): what each visitor added to each cell, so the day release can
 * bound every visitor's contribution before it adds noise (workers/release/noise/bounded-cells.ts).
 * Staged in stg_cells beside the cells, in the same insert (one deduplication token, the same
 * receipts), as rows of report `v:<report>` whose first dimension is the visitor token and whose
 * second is the cell's dimensions joined by U+001F (which no stored label holds: ingest strips
 * control characters). They hold visitor tokens, so they are staging tier: the same TTL, never
 * published. A row per visitor and cell is what this costs: about as many rows as events.
 */
export const CONTRIBUTION_PREFIX = 'v:';
export const CELL_SEPARATOR = '\u001f';

export function foldContributions(
  events: readonly AnonymousEvent[],
  windowSeconds: number,
  stagedAtMs: number,
): StagingRow[] {
  const stagedAt = toClickHouseDateTime(Math.floor(stagedAtMs / 1000));
  const rows = new Map<string, StagingRow>();
  for (const event of events) {
    const windowStart = toClickHouseDateTime(windowStartOf(event.ts, windowSeconds));
    for (const report of REPORT_LIST) {
      for (const cell of report.cells(event)) {
        const key = [event.site, windowStart, report.name, event.visitor, ...cell.dims].join(CELL_SEPARATOR);
        let row = rows.get(key);
        if (!row) {
          row = {
            site: event.site,
            window_start: windowStart,
            report: `${CONTRIBUTION_PREFIX}${report.name}`,
            d1: event.visitor,
            d2: [cell.dims[0] ?? '', cell.dims[1] ?? '', cell.dims[2] ?? ''].join(CELL_SEPARATOR),
            d3: '',
            measures: {},
            visitors: '[]',
            staged_at: stagedAt,
          };
          rows.set(key, row);
        }
        for (const name in cell.measures)
          row.measures[name] = (row.measures[name] ?? 0) + cell.measures[name]!;
      }
    }
  }
  return [...rows.values()].sort(
    (a, b) =>
      compareText(a.site, b.site) ||
      compareText(a.window_start, b.window_start) ||
      compareText(a.report, b.report) ||
      compareText(a.d1, b.d1) ||
      compareText(a.d2, b.d2),
  );
}
