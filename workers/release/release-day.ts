import { z } from 'zod';
import { DAY_SECONDS, toClickHouseDate, toClickHouseDateTime } from '../../core/time.js';
import type { Warehouse } from '../../core/warehouse/warehouse.js';
import { EVENT_KINDS_REPORT, REPORT_LIST, type ReportName } from '../../schema/reports.js';
import { publishedTable, RELEASES_TABLE, STAGING_TABLE } from '../../schema/tables.js';
import { type CheckedInsert, insertChecked } from './checked-inserts.js';
import { type CountedSet, dayExclusions, toCellExclusions, type WindowTotals } from './day-exclusions.js';
import type { StagedCell } from './generalise.js';
import { type LinkedRelease, releaseLinkedReports } from './link-reports.js';
import { manifestRows } from './manifest.js';
import { toPublishedRow } from './published-rows.js';
import { type CellExclusions, readCellVisitors, readStagedCells, type StagedPeriod } from './staged-cells.js';

/**
 * Releases one UTC day of one site: every report, over the whole day's staged cells (its visitor
 * tokens change with the daily salt, so the day is the largest period whose distinct visitors can
 * be counted). A product viewed by two shoppers an hour all day long is a row of its own here,
 * where an hourly release would have folded every hour of it into "Other". The day leaves out
 * what its windows withheld unless that stands for K visitors (day-exclusions.ts), then releases
 * every report through the ladder, complementary suppression and the linked-reports rule
 * (generalise.ts, link-reports.ts), exactly as a window's reports would be.
 */
const WindowManifest = z.object({ start: z.number(), k: z.number() });
const WindowCell = z.object({
  start: z.number(),
  report: z.string(),
  d1: z.string(),
  count: z.number(),
  tokens: z.array(z.string()),
});

/** The released windows of the day: their K, and their visitors and each kind's makers. */
async function readWindowTotals(
  warehouse: Warehouse,
  period: StagedPeriod,
  k: number,
): Promise<WindowTotals[]> {
  const params = {
    site: period.site,
    from: toClickHouseDateTime(period.from),
    to: toClickHouseDateTime(period.to),
  };
  const manifests = await warehouse.query({
    name: 'day_window_manifests',
    sql: `SELECT toUInt32(toUnixTimestamp(period_start)) AS start, toUInt32(max(k)) AS k FROM ${RELEASES_TABLE} FINAL
          WHERE site = {site:String} AND grain = 'window' AND report = 'overview'
            AND period_start >= {from:DateTime('UTC')} AND period_start < {to:DateTime('UTC')}
          GROUP BY period_start`,
    params,
    row: WindowManifest,
  });
  const kOf = new Map(manifests.map((manifest) => [manifest.start, manifest.k]));
  const largestK = Math.max(k, ...kOf.values());
  const cells = await warehouse.query({
    name: 'day_window_totals',
    sql: `SELECT toUInt32(toUnixTimestamp(window_start)) AS start, toString(report) AS report, d1,
            length(members) AS count, if(length(members) < {k:UInt32}, arrayMap(x -> toString(x), members), []) AS tokens
          FROM (
            SELECT window_start, report, d1, groupUniqArrayMerge(visitors) AS members
            FROM ${STAGING_TABLE}
            WHERE site = {site:String} AND window_start >= {from:DateTime('UTC')} AND window_start < {to:DateTime('UTC')}
              AND report IN ('overview', {kinds:String})
            GROUP BY window_start, report, d1
          )`,
    params: { ...params, k: largestK, kinds: EVENT_KINDS_REPORT },
    row: WindowCell,
  });
  const windows = new Map<number, { visitors: CountedSet; kinds: Map<string, CountedSet> }>();
  for (const cell of cells) {
    const window = windows.get(cell.start) ?? { visitors: { count: 0, tokens: [] }, kinds: new Map() };
    windows.set(cell.start, window);
    const set = { count: cell.count, tokens: cell.tokens };
    if (cell.report === 'overview') window.visitors = set;
    else window.kinds.set(cell.d1, set);
  }
  // A staged window without a manifest published nothing: an infinite K makes it withheld whole.
  return [...windows.entries()].map(([start, window]) => ({
    start,
    k: kOf.get(start) ?? Number.POSITIVE_INFINITY,
    ...window,
  }));
}

async function releaseReports(
  warehouse: Warehouse,
  period: StagedPeriod,
  exclusions: CellExclusions,
  k: number,
  eventsPerRead?: number,
): Promise<LinkedRelease> {
  const staged = await readStagedCells(warehouse, period, k, { exclusions, eventsPerRead });
  const reports = staged as ReadonlyMap<ReportName, StagedCell[]>;
  const kinds = staged.get(EVENT_KINDS_REPORT) ?? [];
  const first = releaseLinkedReports(reports, kinds, k);
  const unread: { report: ReportName; cell: StagedCell }[] = [];
  for (const spec of REPORT_LIST) {
    const cells = reports.get(spec.name) ?? [];
    for (const index of first.releases.get(spec.name)!.unread)
      unread.push({ report: spec.name, cell: cells[index]! });
  }
  if (unread.length === 0) return first;
  await readCellVisitors(warehouse, period, exclusions, unread);
  return releaseLinkedReports(reports, kinds, k);
}

export interface DayReleaseSummary {
  rows: number;
  withheld: boolean;
  capped: number;
  insertsRestored: number;
}

export async function releaseDay(options: {
  warehouse: Warehouse;
  site: string;
  dayStart: number;
  k: number;
  releasedAt: number;
  /** Events one read statement covers at most (tests set it low to split a small day). */
  eventsPerRead?: number;
}): Promise<DayReleaseSummary> {
  const { warehouse, site, dayStart, k } = options;
  const period = { site, from: dayStart, to: dayStart + DAY_SECONDS };
  const exclusions = toCellExclusions(dayExclusions(await readWindowTotals(warehouse, period, k), k));
  const { releases, capped } = await releaseReports(warehouse, period, exclusions, k, options.eventsPerRead);
  const withheld = releases.get('overview')!.rows.length === 0;

  const day = toClickHouseDate(dayStart);
  const releasedAt = toClickHouseDateTime(Math.floor(options.releasedAt / 1000));
  const token = `release-day:${site}:${day}`;
  const inserts: CheckedInsert[] = REPORT_LIST.map((spec) => ({
    table: publishedTable(spec.name, 'day'),
    rows: releases
      .get(spec.name)!
      .rows.map((row) => toPublishedRow(spec.name, row, { site, day }, releasedAt)),
    token: `${token}:${spec.name}`,
    landed: 'site = {site:String} AND day = {day:Date}',
  }));
  // The manifest last, as for a window.
  const manifest: CheckedInsert = {
    table: RELEASES_TABLE,
    rows: manifestRows({
      site,
      grain: 'day',
      periodStart: toClickHouseDateTime(dayStart),
      periodSeconds: DAY_SECONDS,
      k,
      releasedAt,
      reports: REPORT_LIST,
      releases,
    }),
    token: `${token}:manifest`,
    landed: `site = {site:String} AND grain = 'day' AND period_start = {dayStart:DateTime('UTC')} AND period_seconds = ${DAY_SECONDS}`,
  };
  const insertsRestored = await insertChecked(warehouse, inserts, manifest, {
    site,
    day,
    dayStart: toClickHouseDateTime(dayStart),
  });
  const rows = inserts.reduce((sum, insert) => sum + insert.rows.length, 0);
  return { rows, withheld, capped, insertsRestored };
}
