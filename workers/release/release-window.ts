import { z } from 'zod';
import { KanonError } from '../../core/errors.js';
import { DAY_SECONDS, toClickHouseDate, toClickHouseDateTime } from '../../core/time.js';
import type { Warehouse } from '../../core/warehouse/warehouse.js';
import {
  EVENT_KINDS_REPORT,
  REPORT_LIST,
  REPORT_NAMES,
  REPORTS,
  type ReportName,
  STAGED_REPORT_NAMES,
  type StagedReportName,
} from '../../schema/reports.js';
import { publishedTable, RELEASED_STATES_TABLE, RELEASES_TABLE, STAGING_TABLE } from '../../schema/tables.js';
import { compareText } from '../fold.js';
import { RECEIPT_REPORT } from '../insert-receipts.js';
import { type CheckedInsert, insertChecked } from './checked-inserts.js';
import { type StagedCell, visitorCountOf, wasRead } from './generalise.js';
import { type LinkedRelease, releaseLinkedReports } from './link-reports.js';
import { toPublishedRow } from './published-rows.js';

const StagedRow = z.object({
  report: z.string(),
  d1: z.string(),
  d2: z.string(),
  d3: z.string(),
  measures: z.record(z.string(), z.number()),
  visitor_count: z.number(),
  visitors: z.array(z.string()),
});

const CellVisitors = z.object({
  report: z.string(),
  d1: z.string(),
  d2: z.string(),
  d3: z.string(),
  visitors: z.array(z.string()),
});

/**
 * The staged cells changed between the statements of one release (a window's staging is meant to
 * be still once it is due), or the release's own bookkeeping disagrees with itself. Nothing of
 * the window is marked released; the next tick releases it again from what staging holds then.
 */
export class ReleaseInconsistentError extends KanonError {
  constructor(message: string) {
    super('release_inconsistent', 500, message, true);
    this.name = 'ReleaseInconsistentError';
  }
}

const OF_WINDOW = `site = {site:String} AND window_start = {window:DateTime('UTC')}`;
const OF_REPORTS = `report IN {reports:Array(String)}`;

/** Cells named by report and dimensions, bound as four arrays of strings (`cellKeys`). */
const IS_ONE_OF_CELLS = `has(arrayZip({reportKeys:Array(String)}, {d1s:Array(String)}, {d2s:Array(String)}, {d3s:Array(String)}), (toString(report), d1, d2, d3))`;

const cellKeys = (cells: readonly { report: ReportName; cell: StagedCell }[]) => ({
  reportKeys: cells.map(({ report }) => report),
  d1s: cells.map(({ cell }) => cell.dims[0] ?? ''),
  d2s: cells.map(({ cell }) => cell.dims[1] ?? ''),
  d3s: cells.map(({ cell }) => cell.dims[2] ?? ''),
});

/** A statement's share of a window: cells split by a hash of their key (`shards` parameters). */
const IN_SHARD = `cityHash64(report, d1, d2, d3) % {shards:UInt32} = {shard:UInt32}`;

/**
 * Events one read statement covers at most (about 0.5 s of engine time). A window's cells hold
 * about one visitor token per event in all, and merging the tokens is the read's cost.
 */
const EVENTS_PER_READ = 4_000_000;
/** Visitor tokens one statement of `stageLevelZeroStates` merges at most (about 0.3 s). */
const TOKENS_PER_STATEMENT = 2_000_000;

/** A window's events, summed over its overview rows (no visitor set merged): what sizes its reads. */
export const WINDOW_EVENTS = `sumMap(measures)['events']`;

/** The window's events, from its overview cell's rows without merging their visitor sets. */
async function windowEvents(warehouse: Warehouse, site: string, window: string): Promise<number> {
  const rows = await warehouse.query({
    name: 'window_events',
    sql: `SELECT ${WINDOW_EVENTS} AS events FROM ${STAGING_TABLE} WHERE ${OF_WINDOW} AND report = 'overview'`,
    params: { site, window },
    row: z.object({ events: z.coerce.number() }),
  });
  return rows[0]?.events ?? 0;
}

/**
 * The staged cells of one window by report: their measures, their distinct visitor counts, and
 * the visitor tokens of the cells below K only.
 *
 * Why not every cell's tokens: a cell of K or more is published on its own on its count alone
 * (generalise.ts), and its visitor set goes to the day roll-up inside the engine
 * (`stageLevelZeroStates`). Reading every token made the release's cost grow with the window's
 * visitors times the cells each visited: one hour at 1,000 events/s read 3.6 million tokens (81 MB
 * of JSON) into the worker, took 9–12 s and +650 MB, and held the embedded engine, where
 * statements run one after another, for up to 3 s; at 10,000 events/s the text outgrew what a
 * string can hold and the release failed. Now the tokens read are fewer than K per cell, and a
 * large window is read in several statements, so the workers' staging inserts get their turn
 * between them. A small window is one statement, since each statement has a fixed cost.
 */
export async function readStagedWindow(
  warehouse: Warehouse,
  site: string,
  windowStart: number,
  k: number,
  options: { eventsPerRead?: number; events?: number } = {},
): Promise<Map<StagedReportName, StagedCell[]>> {
  const window = toClickHouseDateTime(windowStart);
  const events = options.events ?? (await windowEvents(warehouse, site, window));
  const shards = Math.max(1, Math.ceil(events / (options.eventsPerRead ?? EVENTS_PER_READ)));
  const rows: z.infer<typeof StagedRow>[] = [];
  for (let shard = 0; shard < shards; shard++) {
    rows.push(
      ...(await warehouse.query({
        name: 'staged_window',
        sql: `SELECT report, d1, d2, d3, cell_measures AS measures, length(tokens) AS visitor_count,
                if(length(tokens) < {k:UInt32}, arrayMap(x -> toString(x), tokens), []) AS visitors
              FROM (
                SELECT report, d1, d2, d3, sumMap(measures) AS cell_measures, groupUniqArrayMerge(visitors) AS tokens
                FROM ${STAGING_TABLE}
                WHERE ${OF_WINDOW} AND ${OF_REPORTS} AND ${IN_SHARD}
                GROUP BY report, d1, d2, d3
              )`,
        params: { site, window, reports: STAGED_REPORT_NAMES, k, shards, shard },
        row: StagedRow,
      })),
    );
  }
  // One order whatever the shards, so a cell's index (which rows refer to) is the same each time.
  rows.sort((a, b) => compareText(a.d1, b.d1) || compareText(a.d2, b.d2) || compareText(a.d3, b.d3));
  const byReport = new Map<StagedReportName, StagedCell[]>();
  for (const name of STAGED_REPORT_NAMES) {
    const dims = name === EVENT_KINDS_REPORT ? 1 : REPORTS[name].dims.length;
    const cells = rows
      .filter((row) => row.report === name)
      .map((row) => ({
        dims: [row.d1, row.d2, row.d3].slice(0, dims),
        measures: row.measures,
        visitors: row.visitors,
        visitorCount: row.visitor_count,
      }));
    if (cells.length > 0) byReport.set(name, cells);
  }
  return byReport;
}

/** Reads the tokens of the given cells (those the releases listed as unread) into them, in one statement. */
async function readCellVisitors(
  warehouse: Warehouse,
  site: string,
  windowStart: number,
  cells: readonly { report: ReportName; cell: StagedCell }[],
): Promise<void> {
  const key = (report: string, dims: readonly string[]) =>
    JSON.stringify([report, dims[0] ?? '', dims[1] ?? '', dims[2] ?? '']);
  const rows = await warehouse.query({
    name: 'staged_cell_visitors',
    sql: `SELECT report, d1, d2, d3, arrayMap(x -> toString(x), groupUniqArrayMerge(visitors)) AS visitors
          FROM ${STAGING_TABLE}
          WHERE ${OF_WINDOW} AND ${OF_REPORTS} AND ${IS_ONE_OF_CELLS}
          GROUP BY report, d1, d2, d3`,
    params: { site, window: toClickHouseDateTime(windowStart), reports: REPORT_NAMES, ...cellKeys(cells) },
    row: CellVisitors,
  });
  const byKey = new Map(rows.map((row) => [key(row.report, [row.d1, row.d2, row.d3]), row.visitors]));
  for (const { report, cell } of cells) {
    const visitors = byKey.get(key(report, cell.dims));
    if (visitors?.length !== cell.visitorCount)
      throw new ReleaseInconsistentError(
        `release: the staged visitors of a ${report} cell changed while it was released`,
      );
    Object.assign(cell, { visitors });
  }
}

/**
 * Releases every report of a window and links them (link-reports.ts), reading the tokens of cells
 * a first pass could not count exactly.
 */
async function releaseReports(
  warehouse: Warehouse,
  site: string,
  windowStart: number,
  staged: Map<StagedReportName, StagedCell[]>,
  k: number,
): Promise<LinkedRelease> {
  const reports = staged as ReadonlyMap<ReportName, StagedCell[]>;
  const kinds = staged.get(EVENT_KINDS_REPORT) ?? [];
  const first = releaseLinkedReports(reports, kinds, k);
  const unread: { report: ReportName; cell: StagedCell }[] = [];
  for (const spec of REPORT_LIST) {
    const cells = staged.get(spec.name) ?? [];
    for (const index of first.releases.get(spec.name)!.unread)
      unread.push({ report: spec.name, cell: cells[index]! });
  }
  if (unread.length === 0) return first;
  await readCellVisitors(warehouse, site, windowStart, unread);
  return releaseLinkedReports(reports, kinds, k);
}

/**
 * The visitor sets of a window's level-0 rows (one cell of K or more each, whose tokens the release
 * did not read), written from staging into stg_released by the engine. The
 * cells are the same the release counted: a window's staging does not change once it is due
 * (the watermark and the grace), the assumption every retried release already rests on.
 * No deduplication: a retry writes the same sets again, and a union of visitor sets does not
 * change when a set is added twice, so there is no crash window to check for either. The settings
 * stand before SELECT, where they apply to the insert (after it, they would apply to the SELECT
 * only), and clear any token a connection kept from an earlier insert: with one, every shard
 * after the first was dropped as a duplicate (seen through clickhouse-js over chDB, whose
 * settings last for the session).
 * `uniqExactArrayState` is uniqExact's state over an array's elements (the -Array combinator keeps
 * the state of the function it wraps), cast to the column's type; it costs about 60 % of an
 * ARRAY JOIN into `uniqExactState` (555 against 927 ms for the pages of an hour at 10,000 events/s).
 */
async function stageLevelZeroStates(
  warehouse: Warehouse,
  options: { site: string; window: string; day: string; releasedAt: string; k: number },
  levelZero: { excluded: { report: ReportName; cell: StagedCell }[]; tokens: number },
  tokensPerStatement: number,
): Promise<void> {
  if (levelZero.tokens === 0) return;
  // Cells split by a hash of their key, so no statement merges many more than
  // tokensPerStatement tokens, however large the window.
  const shards = Math.ceil(levelZero.tokens / tokensPerStatement);
  for (let shard = 0; shard < shards; shard++) {
    await warehouse.exec(
      `INSERT INTO ${RELEASED_STATES_TABLE} (site, day, report, level, d1, d2, d3, visitors, staged_at)
       SETTINGS insert_deduplicate = 0, insert_deduplication_token = ''
       SELECT {site:String}, {day:Date}, report, 0, d1, d2, d3,
         CAST(uniqExactArrayState(tokens) AS AggregateFunction(uniqExact, UInt64)), {releasedAt:DateTime('UTC')}
       FROM (
         SELECT report, d1, d2, d3, groupUniqArrayMerge(visitors) AS tokens
         FROM ${STAGING_TABLE}
         WHERE ${OF_WINDOW} AND ${OF_REPORTS} AND ${IN_SHARD}
         GROUP BY report, d1, d2, d3
         HAVING length(tokens) >= {k:UInt32} AND NOT ${IS_ONE_OF_CELLS}
       )
       GROUP BY report, d1, d2, d3`,
      { ...options, reports: REPORT_NAMES, shards, shard, ...cellKeys(levelZero.excluded) },
    );
  }
}

export interface WindowReleaseSummary {
  site: string;
  windowStart: number;
  rows: number;
  /** Fewer than K visitors in the whole window: nothing of it was published. */
  withheld: boolean;
  /** Overview figures the linked-reports safety net lowered (link-reports.ts): 0 unless a defect. */
  capped: number;
  /** Inserts whose part the engine had lost in a crash, written again (checked-inserts.ts). */
  insertsRestored: number;
}

/**
 * Releases one closed window of one site: every report through the ladder and complementary
 * suppression, linked so that no report and no total can be told apart by difference
 * (link-reports.ts), then the published rows, the visitor sets the
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
  /** The window's events (overview), when the caller has them: they size its read statements. */
  events?: number;
  /** How much one statement reads or writes at most (tests set them low to split small windows). */
  statementSize?: { eventsPerRead: number; tokensPerStatement: number };
}): Promise<WindowReleaseSummary> {
  const { warehouse, site, windowStart, windowSeconds, k } = options;
  const staged = await readStagedWindow(warehouse, site, windowStart, k, {
    events: options.events,
    eventsPerRead: options.statementSize?.eventsPerRead,
  });
  const { releases, capped } = await releaseReports(warehouse, site, windowStart, staged, k);
  const withheld = releases.get('overview')!.rows.length === 0;

  const window = toClickHouseDateTime(windowStart);
  const releasedAt = toClickHouseDateTime(Math.floor(options.releasedAt / 1000));
  const token = `release:${site}:${windowStart}:${windowSeconds}`;
  let rows = 0;
  const states: object[] = [];
  const day = toClickHouseDate(windowStart - (windowStart % DAY_SECONDS));
  const inserts: CheckedInsert[] = [];
  const levelZero = { excluded: [] as { report: ReportName; cell: StagedCell }[], tokens: 0 };
  const ofThisWindow = `site = {site:String} AND window_start = {window:DateTime('UTC')} AND window_seconds = {seconds:UInt32}`;
  for (const spec of REPORT_LIST) {
    const release = releases.get(spec.name)!;
    rows += release.rows.length;
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
    // Rows of one unread cell (level 0): their visitor sets are written by the engine. Every other
    // cell of K or more is excluded from that, by name, so the engine writes exactly these.
    const byEngine = new Set<number>();
    for (const row of release.rows) {
      if (row.cells.length === 1 && !wasRead(cells[row.cells[0]!]!)) {
        byEngine.add(row.cells[0]!);
        continue;
      }
      const visitors = new Set<string>();
      for (const index of row.cells) {
        const cell = cells[index]!;
        if (!wasRead(cell))
          throw new ReleaseInconsistentError(
            `release: a ${spec.name} row unites a cell whose visitors were not read`,
          );
        for (const visitor of cell.visitors) visitors.add(visitor);
      }
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
    for (const index of byEngine) levelZero.tokens += visitorCountOf(cells[index]!);
    cells.forEach((cell, index) => {
      if (visitorCountOf(cell) >= k && !byEngine.has(index))
        levelZero.excluded.push({ report: spec.name, cell });
    });
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
  // The manifest marks the window as released: written last, once the rest has landed. It counts
  // only what stands for K visitors or more: the rows published, and the groups folded into them.
  // Groups withheld outright never appear in it, not even as a count (they had fewer than K
  // visitors); a window withheld whole says so and nothing more.
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
        withheld: withheld ? 1 : 0,
        rows_published: release.rows.length,
        rows_generalised: release.generalised,
        groups_generalised: release.cellsHidden - release.cellsSuppressed,
        released_at: releasedAt,
      };
    }),
    token: `${token}:manifest`,
    landed: `site = {site:String} AND grain = 'window' AND period_start = {window:DateTime('UTC')} AND period_seconds = {seconds:UInt32}`,
  };
  await stageLevelZeroStates(
    warehouse,
    { site, window, day, releasedAt, k },
    levelZero,
    options.statementSize?.tokensPerStatement ?? TOKENS_PER_STATEMENT,
  );
  const insertsRestored = await insertChecked(warehouse, inserts, manifest, params);
  return { site, windowStart, rows, withheld, capped, insertsRestored };
}
