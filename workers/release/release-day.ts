import { z } from 'zod';
import { DAY_SECONDS, toClickHouseDate, toClickHouseDateTime } from '../../core/time.js';
import type { Warehouse } from '../../core/warehouse/warehouse.js';
import {
  EVENT_KINDS_REPORT,
  REPORT_LIST,
  REPORTS,
  type ReportName,
  type ReportSpec,
} from '../../schema/reports.js';
import { publishedTable, RELEASES_TABLE, STAGING_TABLE } from '../../schema/tables.js';
import { type CheckedInsert, insertChecked } from './checked-inserts.js';
import { dayExclusions, type TokenSet, toCellExclusions, type WindowTotals } from './day-exclusions.js';
import type { StagedCell, Threshold } from './generalise.js';
import { type LinkedRelease, releaseLinkedReports } from './link-reports.js';
import { manifestRows } from './manifest.js';
import { readBoundedCells } from './noise/bounded-cells.js';
import { noiseSecret } from './noise/noise-secret.js';
import { type NoiseSettings, noiseScales, noisyRelease } from './noise/noisy-release.js';
import { toPublishedRow } from './published-rows.js';
import {
  type CellExclusions,
  NETWORKS_OF,
  readCellVisitors,
  readStagedCells,
  type StagedPeriod,
} from './staged-cells.js';

/**
 * Releases one UTC day of one site: every report, over the whole day's staged cells (its visitor
 * tokens change with the daily salt, so the day is the largest period whose distinct visitors can
 * be counted). A product viewed by two shoppers an hour all day long is a row of its own here,
 * where an hourly release would have folded every hour of it into "Other". The day leaves out
 * what its windows withheld unless that stands for K visitors (day-exclusions.ts), then releases
 * every report through the ladder, complementary suppression and the linked-reports rule
 * (generalise.ts, link-reports.ts), exactly as a window's reports would be.
 */
const OVERVIEW_MEASURES = REPORTS.overview.measures;
const Published = z.object({ start: z.number() }).catchall(z.number());
const WindowCell = z.object({ start: z.number(), report: z.string(), d1: z.string(), count: z.number() });
const WindowTokens = WindowCell.omit({ count: true }).extend({
  visitors: z.array(z.string()),
  networks: z.array(z.string()),
});

const OF_DAY = `site = {site:String} AND window_start >= {from:DateTime('UTC')} AND window_start < {to:DateTime('UTC')}`;

/**
 * The staged windows of the day, and what each withheld, read off what it published: a window
 * without a published overview row was withheld whole; in one with it, a kind of event whose
 * figure reads 0 although some visitor made it was withheld. The tokens of exactly those sets
 * (visitors and networks, all below the threshold the window had) are read, in one statement.
 */
async function readWindowTotals(warehouse: Warehouse, period: StagedPeriod): Promise<WindowTotals[]> {
  const params = {
    site: period.site,
    from: toClickHouseDateTime(period.from),
    to: toClickHouseDateTime(period.to),
  };
  const published = new Map(
    (
      await warehouse.query({
        name: 'day_window_totals_published',
        sql: `SELECT toUInt32(toUnixTimestamp(window_start)) AS start, ${OVERVIEW_MEASURES.map((m) => m.name).join(', ')}
              FROM ${publishedTable('overview', 'window')} WHERE ${OF_DAY}`,
        params,
        row: Published,
      })
    ).map((row) => [row.start, row]),
  );
  const cells = await warehouse.query({
    name: 'day_window_cells',
    sql: `SELECT toUInt32(toUnixTimestamp(window_start)) AS start, toString(report) AS report, d1,
            toUInt32(length(groupUniqArrayMerge(visitors))) AS count
          FROM ${STAGING_TABLE} WHERE ${OF_DAY} AND report IN ('overview', {kinds:String})
          GROUP BY window_start, report, d1`,
    params: { ...params, kinds: EVENT_KINDS_REPORT },
    row: WindowCell,
  });
  // The cells whose sets the day needs: a withheld window's overview and kinds, and the kinds a
  // published window withheld (its measure of that kind reads 0 while the kind has events).
  const needed = cells.filter((cell) => {
    const totals = published.get(cell.start);
    if (!totals) return true;
    if (cell.report === 'overview' || cell.count === 0) return false;
    const measure = OVERVIEW_MEASURES.find((m) => m.counts === cell.d1);
    return measure !== undefined && (totals[measure.name] ?? 0) === 0;
  });
  const key = (start: number, report: string, d1: string) => `${start}|${report}|${d1}`;
  const sets = new Map<string, TokenSet>();
  if (needed.length > 0) {
    for (const row of await warehouse.query({
      name: 'day_window_tokens',
      sql: `SELECT start, report, d1, arrayMap(x -> toString(x), tokens) AS visitors,
              arrayMap(x -> toString(x), ${NETWORKS_OF('tokens')}) AS networks
            FROM (
              SELECT toUInt32(toUnixTimestamp(window_start)) AS start, toString(report) AS report, d1,
                groupUniqArrayMerge(visitors) AS tokens
              FROM ${STAGING_TABLE}
              WHERE ${OF_DAY} AND has({cells:Array(String)}, concat(toString(toUnixTimestamp(window_start)), '|', toString(report), '|', d1))
              GROUP BY window_start, report, d1
            )`,
      params: { ...params, cells: needed.map((cell) => key(cell.start, cell.report, cell.d1)) },
      row: WindowTokens,
    }))
      sets.set(key(row.start, row.report, row.d1), { visitors: row.visitors, networks: row.networks });
  }
  const starts = [...new Set(cells.map((cell) => cell.start))].sort((a, b) => a - b);
  const none: TokenSet = { visitors: [], networks: [] };
  return starts.map((start) => ({
    start,
    published: published.has(start),
    visitors: sets.get(key(start, 'overview', '')) ?? none,
    withheldKinds: new Map(
      needed
        .filter((cell) => cell.start === start && cell.report === EVENT_KINDS_REPORT)
        .map((cell) => [cell.d1, sets.get(key(start, cell.report, cell.d1)) ?? none]),
    ),
  }));
}

async function releaseReports(
  warehouse: Warehouse,
  period: StagedPeriod,
  exclusions: CellExclusions,
  threshold: Threshold,
  eventsPerRead?: number,
): Promise<LinkedRelease> {
  const staged = await readStagedCells(warehouse, period, threshold, { exclusions, eventsPerRead });
  const reports = staged as ReadonlyMap<ReportName, StagedCell[]>;
  const kinds = staged.get(EVENT_KINDS_REPORT) ?? [];
  const first = releaseLinkedReports(reports, kinds, threshold);
  const unread: { report: ReportName; cell: StagedCell }[] = [];
  for (const spec of REPORT_LIST) {
    const cells = reports.get(spec.name) ?? [];
    for (const index of first.releases.get(spec.name)!.unread)
      unread.push({ report: spec.name, cell: cells[index]! });
  }
  if (unread.length === 0) return first;
  await readCellVisitors(warehouse, period, exclusions, unread);
  return releaseLinkedReports(reports, kinds, threshold);
}

/**
 * Noise mode: the day's cells with every visitor's contribution bounded (bounded-cells.ts), the
 * event kinds as staged (their thresholds count real makers), the same K, networks and linked
 * rules, then noise and the post-processing that makes the reports add up again. No window
 * published anything in noise mode, so the day has no remainder to weigh (release-window.ts).
 */
async function releaseNoisy(
  warehouse: Warehouse,
  period: StagedPeriod,
  threshold: { k: number; networks: number },
  settings: NoiseSettings,
  identity: string,
): Promise<LinkedRelease> {
  const cells = await readBoundedCells(warehouse, period, settings);
  const staged = await readStagedCells(warehouse, period, threshold, { reports: [EVENT_KINDS_REPORT] });
  const linked = releaseLinkedReports(cells, staged.get(EVENT_KINDS_REPORT) ?? [], threshold);
  const releases = noisyRelease(linked.releases, {
    settings,
    secret: await noiseSecret(warehouse),
    period: identity,
    k: threshold.k,
  });
  return { ...linked, releases };
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
  /** KANON_MIN_NETWORKS (0 or 1: no networks threshold). */
  minNetworks?: number;
  /** Noise mode (KANON_EPSILON): bounded contributions and calibrated noise. */
  noise?: NoiseSettings;
  releasedAt: number;
  /** Events one read statement covers at most (tests set it low to split a small day). */
  eventsPerRead?: number;
}): Promise<DayReleaseSummary> {
  const { warehouse, site, dayStart, k } = options;
  const period = { site, from: dayStart, to: dayStart + DAY_SECONDS };
  const threshold = { k, networks: options.minNetworks ?? 0 };
  const day = toClickHouseDate(dayStart);
  const { releases, capped } = options.noise
    ? await releaseNoisy(warehouse, period, threshold, options.noise, `${site}|${day}`)
    : await releaseReports(
        warehouse,
        period,
        toCellExclusions(dayExclusions(await readWindowTotals(warehouse, period), threshold)),
        threshold,
        options.eventsPerRead,
      );
  const withheld = releases.get('overview')!.rows.length === 0;
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
      ...(options.noise
        ? {
            noise: {
              epsilon: options.noise.epsilon / REPORT_LIST.length,
              scales: (spec: ReportSpec) => noiseScales(spec, options.noise!),
            },
          }
        : {}),
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
