import { z } from 'zod';
import { toClickHouseDateTime } from '../../core/time.js';
import type { Warehouse } from '../../core/warehouse/warehouse.js';
import {
  EVENT_KINDS_REPORT,
  REPORTS,
  type ReportName,
  STAGED_REPORT_NAMES,
  type StagedReportName,
} from '../../schema/reports.js';
import { STAGING_TABLE } from '../../schema/tables.js';
import { compareText } from '../fold.js';
import { type StagedCell, type Threshold, thresholdOf } from './generalise.js';
import { ReleaseInconsistentError } from './release-errors.js';

/**
 * Reading the staged cells of a release's period (one window, or the windows of one day) from
 * stg_cells: per cell, its summed measures, its distinct visitors and networks over the period,
 * and the visitor tokens (and their network codes) of the cells below the threshold (K visitors, KANON_MIN_NETWORKS
 * networks) only.
 *
 * Why not every cell's tokens: a cell of K or more is published on its own on its count alone
 * (generalise.ts). Reading every token made a release's cost grow with the period's visitors times
 * the cells each visited: one hour at 1,000 events/s read 3.6 million tokens (81 MB of JSON) into
 * the worker, took 9–12 s and +650 MB, and held the embedded engine, where statements run one
 * after another, for up to 3 s; at 10,000 events/s the text outgrew what a string can hold. Now
 * the tokens read are fewer than K per cell, and a large period is read in several statements, so
 * the workers' staging inserts get their turn between them. A small period is one statement, since
 * each statement has a fixed cost.
 */
export interface StagedPeriod {
  site: string;
  /** Unix seconds: the first window's start, and the end of the period (exclusive). */
  from: number;
  to: number;
}

/**
 * What a day's release leaves out of its cells (day-exclusions.ts): whole windows, measures of
 * some windows (`report|window start|measure`), and cells of some windows (`report|window start|d1`).
 */
export interface CellExclusions {
  windows: readonly number[];
  zero: readonly string[];
  drop: readonly string[];
  /**
   * Reports whose staged rows stay when every measure of theirs is left out. In the others, such a
   * row goes: its visitors are in it only for the events left out.
   */
  keepEmpty: readonly string[];
}

export const NO_EXCLUSIONS: CellExclusions = { windows: [], zero: [], drop: [], keepEmpty: [] };
export const exclusionKey = (report: string, windowStart: number, part: string) =>
  `${report}|${windowStart}|${part}`;

const StagedRow = z.object({
  report: z.string(),
  d1: z.string(),
  d2: z.string(),
  d3: z.string(),
  measures: z.record(z.string(), z.number()),
  visitor_count: z.number(),
  visitors: z.array(z.string()),
  network_count: z.number(),
  networks: z.array(z.string()),
});

const CellVisitors = z.object({
  report: z.string(),
  d1: z.string(),
  d2: z.string(),
  d3: z.string(),
  visitors: z.array(z.string()),
  networks: z.array(z.string()),
});

const IN_PERIOD = `site = {site:String} AND window_start >= {from:DateTime('UTC')} AND window_start < {to:DateTime('UTC')}`;
const OF_REPORTS = `report IN {reports:Array(String)}`;
/** A row's prefix in the exclusion keys. */
const PREFIX = `concat(toString(report), '|', toString(toUnixTimestamp(window_start)), '|')`;
const KEPT_MEASURES = `mapFilter((name, value) -> NOT has({zero:Array(String)}, concat(${PREFIX}, name)), measures)`;
const NOT_EXCLUDED = `NOT has({excludedWindows:Array(DateTime('UTC'))}, window_start)
  AND NOT has({drop:Array(String)}, concat(${PREFIX}, d1))
  AND (empty(measures) OR notEmpty(${KEPT_MEASURES}) OR has({keepEmpty:Array(String)}, toString(report)))`;

/**
 * The distinct networks among visitor tokens: their top 16 bits are their network's code
 * (collector/network-token.ts), so no set of networks needs staging.
 */
export const NETWORKS_OF = (tokens: string) =>
  `arrayDistinct(arrayMap(x -> bitShiftRight(x, 48), ${tokens}))`;

/** Cells named by report and dimensions, bound as four arrays of strings (`cellKeys`). */
const IS_ONE_OF_CELLS = `has(arrayZip({reportKeys:Array(String)}, {d1s:Array(String)}, {d2s:Array(String)}, {d3s:Array(String)}), (toString(report), d1, d2, d3))`;

const cellKeys = (cells: readonly { report: ReportName; cell: StagedCell }[]) => ({
  reportKeys: cells.map(({ report }) => report),
  d1s: cells.map(({ cell }) => cell.dims[0] ?? ''),
  d2s: cells.map(({ cell }) => cell.dims[1] ?? ''),
  d3s: cells.map(({ cell }) => cell.dims[2] ?? ''),
});

/** A statement's share of a period: cells split by a hash of their key (`shards` parameters). */
const IN_SHARD = `cityHash64(report, d1, d2, d3) % {shards:UInt32} = {shard:UInt32}`;

/**
 * Events one read statement covers at most (about 0.5 s of engine time). A period's cells hold
 * about one visitor token per event in all, and merging the tokens is the read's cost.
 */
const EVENTS_PER_READ = 4_000_000;

/** A period's events, summed over its overview rows (no visitor set merged): what sizes its reads. */
export const STAGED_EVENTS = `sumMap(measures)['events']`;

function periodParams(period: StagedPeriod, exclusions: CellExclusions) {
  return {
    site: period.site,
    from: toClickHouseDateTime(period.from),
    to: toClickHouseDateTime(period.to),
    excludedWindows: exclusions.windows.map(toClickHouseDateTime),
    drop: exclusions.drop,
    zero: exclusions.zero,
    keepEmpty: exclusions.keepEmpty,
  };
}

async function stagedEvents(warehouse: Warehouse, period: StagedPeriod): Promise<number> {
  const rows = await warehouse.query({
    name: 'staged_events',
    sql: `SELECT ${STAGED_EVENTS} AS events FROM ${STAGING_TABLE} WHERE ${IN_PERIOD} AND report = 'overview'`,
    params: periodParams(period, NO_EXCLUSIONS),
    row: z.object({ events: z.coerce.number() }),
  });
  return rows[0]?.events ?? 0;
}

/** The staged cells of a period by report (and the event kinds), less what `exclusions` leaves out. */
export async function readStagedCells(
  warehouse: Warehouse,
  period: StagedPeriod,
  threshold: Threshold,
  options: {
    reports?: readonly StagedReportName[];
    exclusions?: CellExclusions;
    /** The period's events, when the caller has them: they size its read statements. */
    events?: number;
    eventsPerRead?: number;
  } = {},
): Promise<Map<StagedReportName, StagedCell[]>> {
  const { k, networks } = thresholdOf(threshold);
  const reports = options.reports ?? STAGED_REPORT_NAMES;
  const events = options.events ?? (await stagedEvents(warehouse, period));
  const shards = Math.max(1, Math.ceil(events / (options.eventsPerRead ?? EVENTS_PER_READ)));
  const rows: z.infer<typeof StagedRow>[] = [];
  for (let shard = 0; shard < shards; shard++) {
    rows.push(
      ...(await warehouse.query({
        name: 'staged_cells',
        sql: `SELECT report, d1, d2, d3, cell_measures AS measures,
                length(tokens) AS visitor_count, length(nets) AS network_count,
                length(tokens) < {k:UInt32} OR length(nets) < {networks:UInt32} AS below,
                if(below, arrayMap(x -> toString(x), tokens), []) AS visitors,
                if(below, arrayMap(x -> toString(x), nets), []) AS networks
              FROM (
                SELECT report, d1, d2, d3, sumMap(${KEPT_MEASURES}) AS cell_measures,
                  groupUniqArrayMerge(visitors) AS tokens, ${NETWORKS_OF('tokens')} AS nets
                FROM ${STAGING_TABLE}
                WHERE ${IN_PERIOD} AND ${OF_REPORTS} AND ${IN_SHARD} AND ${NOT_EXCLUDED}
                GROUP BY report, d1, d2, d3
              )`,
        params: {
          ...periodParams(period, options.exclusions ?? NO_EXCLUSIONS),
          reports,
          k,
          networks,
          shards,
          shard,
        },
        row: StagedRow,
      })),
    );
  }
  // One order whatever the shards, so a cell's index (which rows refer to) is the same each time.
  rows.sort((a, b) => compareText(a.d1, b.d1) || compareText(a.d2, b.d2) || compareText(a.d3, b.d3));
  const byReport = new Map<StagedReportName, StagedCell[]>();
  for (const name of reports) {
    const dims = name === EVENT_KINDS_REPORT ? 1 : REPORTS[name].dims.length;
    const cells = rows
      .filter((row) => row.report === name)
      .map((row) => ({
        dims: [row.d1, row.d2, row.d3].slice(0, dims),
        measures: row.measures,
        visitors: row.visitors,
        visitorCount: row.visitor_count,
        networks: row.networks,
        networkCount: row.network_count,
      }));
    if (cells.length > 0) byReport.set(name, cells);
  }
  return byReport;
}

/** Reads the tokens of the given cells (those the releases listed as unread) into them, in one statement. */
export async function readCellVisitors(
  warehouse: Warehouse,
  period: StagedPeriod,
  exclusions: CellExclusions,
  cells: readonly { report: ReportName; cell: StagedCell }[],
): Promise<void> {
  const key = (report: string, dims: readonly string[]) =>
    JSON.stringify([report, dims[0] ?? '', dims[1] ?? '', dims[2] ?? '']);
  const rows = await warehouse.query({
    name: 'staged_cell_visitors',
    sql: `SELECT report, d1, d2, d3, arrayMap(x -> toString(x), tokens) AS visitors,
            arrayMap(x -> toString(x), ${NETWORKS_OF('tokens')}) AS networks
          FROM (
            SELECT report, d1, d2, d3, groupUniqArrayMerge(visitors) AS tokens
            FROM ${STAGING_TABLE}
            WHERE ${IN_PERIOD} AND ${IS_ONE_OF_CELLS} AND ${NOT_EXCLUDED}
            GROUP BY report, d1, d2, d3
          )`,
    params: { ...periodParams(period, exclusions), ...cellKeys(cells) },
    row: CellVisitors,
  });
  const byKey = new Map(rows.map((row) => [key(row.report, [row.d1, row.d2, row.d3]), row]));
  for (const { report, cell } of cells) {
    const read = byKey.get(key(report, cell.dims));
    if (!read || read.visitors.length !== cell.visitorCount || read.networks.length !== cell.networkCount)
      throw new ReleaseInconsistentError(
        `release: the staged visitors of a ${report} cell changed while it was released`,
      );
    Object.assign(cell, { visitors: read.visitors, networks: read.networks });
  }
}
