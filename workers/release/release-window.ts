import { z } from 'zod';
import { DAY_SECONDS, toClickHouseDate, toClickHouseDateTime } from '../../core/time.js';
import type { Warehouse } from '../../core/warehouse/warehouse.js';
import { isReportName, REPORT_LIST, type ReportName } from '../../schema/reports.js';
import { publishedTable, RELEASED_STATES_TABLE, RELEASES_TABLE, STAGING_TABLE } from '../../schema/tables.js';
import { RECEIPT_REPORT } from '../insert-receipts.js';
import { type CheckedInsert, insertChecked } from './checked-inserts.js';
import { type ReportRelease, releaseReport, type StagedCell } from './generalise.js';
import { toPublishedRow } from './published-rows.js';
import { reconcileOverview } from './reconcile.js';

const StagedRow = z.object({
  report: z.string(),
  d1: z.string(),
  d2: z.string(),
  d3: z.string(),
  measures: z.record(z.string(), z.number()),
  visitors: z.array(z.string()),
});

export async function readStagedWindow(
  warehouse: Warehouse,
  site: string,
  windowStart: number,
): Promise<Map<ReportName, StagedCell[]>> {
  const rows = await warehouse.query({
    name: 'staged_window',
    sql: `SELECT report, d1, d2, d3, sumMap(measures) AS measures,
            arrayMap(x -> toString(x), groupUniqArrayMerge(visitors)) AS visitors
          FROM ${STAGING_TABLE}
          WHERE site = {site:String} AND window_start = {window:DateTime('UTC')}
          GROUP BY report, d1, d2, d3
          ORDER BY report, d1, d2, d3`,
    params: { site, window: toClickHouseDateTime(windowStart) },
    row: StagedRow,
  });
  const byReport = new Map<ReportName, StagedCell[]>();
  for (const row of rows) {
    if (!isReportName(row.report)) continue;
    const width = REPORT_LIST.find((spec) => spec.name === row.report)?.dims.length ?? 0;
    const cells = byReport.get(row.report) ?? [];
    cells.push({
      dims: [row.d1, row.d2, row.d3].slice(0, width),
      measures: row.measures,
      visitors: row.visitors,
    });
    byReport.set(row.report, cells);
  }
  return byReport;
}

export interface WindowReleaseSummary {
  site: string;
  windowStart: number;
  rows: number;
  cellsSuppressed: number;
  /** Inserts whose part the engine had lost in a crash, written again (checked-inserts.ts). */
  insertsRestored: number;
}

/**
 * Releases one closed window of one site: every report through the ladder and complementary
 * suppression, the overview reconciled with them, then the published rows, the visitor sets the
 * day roll-up needs, and last the manifest, which marks the window as released. Every insert has
 * a deterministic deduplication token, so a release that crashes half-way, is retried, or runs in
 * two workers at once publishes each row exactly once (invariant 5).
 */
export async function releaseWindow(options: {
  warehouse: Warehouse;
  site: string;
  windowStart: number;
  windowSeconds: number;
  k: number;
  releasedAt: number;
}): Promise<WindowReleaseSummary> {
  const { warehouse, site, windowStart, windowSeconds, k } = options;
  const staged = await readStagedWindow(warehouse, site, windowStart);
  const releases = new Map<ReportName, ReportRelease>();
  for (const spec of REPORT_LIST)
    releases.set(spec.name, releaseReport(spec, staged.get(spec.name) ?? [], k));
  const overview = releases.get('overview')!;
  const reconciled = reconcileOverview(overview.rows[0], releases);
  releases.set('overview', { ...overview, rows: reconciled ? [reconciled] : [] });

  const window = toClickHouseDateTime(windowStart);
  const releasedAt = toClickHouseDateTime(Math.floor(options.releasedAt / 1000));
  const token = `release:${site}:${windowStart}:${windowSeconds}`;
  let rows = 0;
  let cellsSuppressed = 0;
  const states: object[] = [];
  const day = toClickHouseDate(windowStart - (windowStart % DAY_SECONDS));
  const inserts: CheckedInsert[] = [];
  const ofThisWindow = `site = {site:String} AND window_start = {window:DateTime('UTC')} AND window_seconds = {seconds:UInt32}`;
  for (const spec of REPORT_LIST) {
    const release = releases.get(spec.name)!;
    rows += release.rows.length;
    cellsSuppressed += release.cellsSuppressed;
    const cells = staged.get(spec.name) ?? [];
    inserts.push({
      table: publishedTable(spec.name, 'window'),
      rows: release.rows.map((row) =>
        toPublishedRow(
          spec.name,
          row,
          { site, window_start: window, window_seconds: windowSeconds },
          releasedAt,
        ),
      ),
      token: `${token}:${spec.name}`,
      landed: ofThisWindow,
    });
    for (const row of release.rows) {
      const visitors = new Set<string>();
      for (const index of row.cells) for (const visitor of cells[index]!.visitors) visitors.add(visitor);
      states.push({
        site,
        day,
        report: spec.name,
        level: row.level,
        d1: row.dims[0] ?? '',
        d2: row.dims[1] ?? '',
        d3: row.dims[2] ?? '',
        visitors: `[${[...visitors].join(',')}]`,
        staged_at: releasedAt,
      });
    }
  }
  // The visitor sets of a day's windows share their rows' keys, so a receipt row tells this
  // window's apart (the day roll-up reads only the reports of the catalogue).
  if (states.length > 0)
    states.push({
      site,
      day,
      report: RECEIPT_REPORT,
      level: 0,
      d1: token,
      d2: '',
      d3: '',
      visitors: '[]',
      staged_at: releasedAt,
    });
  inserts.push({
    table: RELEASED_STATES_TABLE,
    rows: states,
    token: `${token}:states`,
    landed: `site = {site:String} AND day = {day:Date} AND report = {receipt:String} AND d1 = {token:String}`,
  });
  const params = { site, window, seconds: windowSeconds, day, receipt: RECEIPT_REPORT, token };
  // The manifest marks the window as released: written last, once the rest has landed.
  const manifest: CheckedInsert = {
    table: RELEASES_TABLE,
    rows: REPORT_LIST.map((spec) => {
      const release = releases.get(spec.name)!;
      return {
        site,
        grain: 'window',
        period_start: window,
        period_seconds: windowSeconds,
        report: spec.name,
        k,
        rows_published: release.rows.length,
        rows_generalised: release.generalised,
        groups_generalised: release.cellsHidden - release.cellsSuppressed,
        groups_suppressed: release.cellsSuppressed,
        released_at: releasedAt,
      };
    }),
    token: `${token}:manifest`,
    landed: `site = {site:String} AND grain = 'window' AND period_start = {window:DateTime('UTC')} AND period_seconds = {seconds:UInt32}`,
  };
  const insertsRestored = await insertChecked(warehouse, inserts, manifest, params);
  return { site, windowStart, rows, cellsSuppressed, insertsRestored };
}
