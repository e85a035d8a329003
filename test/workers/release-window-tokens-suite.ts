import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DAY_SECONDS, toClickHouseDateTime } from '../../core/time.js';
import type { Warehouse } from '../../core/warehouse/warehouse.js';
import { migrate } from '../../schema/migrate.js';
import { OTHER, REPORT_LIST } from '../../schema/reports.js';
import { publishedTable, RELEASED_STATES_TABLE, STAGING_TABLE } from '../../schema/tables.js';
import { releaseReport, type StagedCell } from '../../workers/release/generalise.js';
import { readStagedWindow, releaseWindow } from '../../workers/release/release-window.js';
import { rollUpDay } from '../../workers/release/roll-up-day.js';
import { anonymousEvent } from '../fixtures/anonymous-event.js';
import { createTestStager } from '../fixtures/stager.js';
import { TEST_SCHEMA, type WarehouseAdapter } from '../fixtures/warehouse.js';

/**
 * The release reads visitor tokens of cells below K only (release-window.ts): cells of K or more
 * are counted in the engine and their visitor sets are written to stg_released by the engine.
 * These tests hold that to the same result as reading every token: the same published counts and
 * the same visitor sets for the day roll-up, including the case that needs a big cell's tokens (a
 * level-0 row folded into a small leftover, whose union must be exact), with search terms that
 * quote, escape and bracket, since those cells are named to the engine in bound parameters.
 * Run on each adapter (release-window-tokens*.test.ts): the server's client binds parameters and
 * sends statements its own way.
 */
const WINDOW = 60; // the test stager's window
const K = 3;
const windowStart = Math.floor(Date.now() / 1000 / DAY_SECONDS) * DAY_SECONDS - DAY_SECONDS + 20 * WINDOW;
const dayStart = windowStart - (windowStart % DAY_SECONDS);
const BIG = `it's a "big" \\ search, [x] (y)\ttab`;
const SMALLEST = `smallest'), ('x`;
const ONE = "only \\' one";
const TWO = 'ünïcode 😀';

/** A reference release: every token of every cell read, as before the change. */
async function fullCells(warehouse: Warehouse, site: string): Promise<Map<string, StagedCell[]>> {
  const rows = await warehouse.query({
    name: 'test_full_cells',
    sql: `SELECT report, d1, d2, d3, sumMap(measures) AS measures,
            arrayMap(x -> toString(x), groupUniqArrayMerge(visitors)) AS visitors
          FROM ${STAGING_TABLE}
          WHERE site = {site:String} AND window_start = {window:DateTime('UTC')}
          GROUP BY report, d1, d2, d3 ORDER BY report, d1, d2, d3`,
    params: { site, window: toClickHouseDateTime(windowStart) },
    row: z.object({
      report: z.string(),
      d1: z.string(),
      d2: z.string(),
      d3: z.string(),
      measures: z.record(z.string(), z.number()),
      visitors: z.array(z.string()),
    }),
  });
  const byReport = new Map<string, StagedCell[]>();
  for (const spec of REPORT_LIST) {
    byReport.set(
      spec.name,
      rows
        .filter((row) => row.report === spec.name)
        .map((row) => ({
          dims: [row.d1, row.d2, row.d3].slice(0, spec.dims.length),
          measures: row.measures,
          visitors: row.visitors,
        })),
    );
  }
  return byReport;
}

/** Every day row of a site, without the site and the time of the roll-up. */
async function dayRows(warehouse: Warehouse, site: string): Promise<Record<string, unknown[]>> {
  const rows: Record<string, unknown[]> = {};
  for (const spec of REPORT_LIST) {
    rows[spec.name] = await warehouse.query({
      name: 'test_day_rows',
      sql: `SELECT * EXCEPT (site, released_at) FROM ${publishedTable(spec.name, 'day')} WHERE site = {site:String} ORDER BY ALL`,
      params: { site },
      row: z.record(z.string(), z.unknown()),
    });
  }
  return rows;
}

async function releasedSets(warehouse: Warehouse, site = 'shop'): Promise<Record<string, number>> {
  const rows = await warehouse.query({
    name: 'test_released_sets',
    sql: `SELECT report, level, d1, d2, d3, toUInt64(uniqExactMerge(visitors)) AS visitors
          FROM ${RELEASED_STATES_TABLE} WHERE site = {site:String} AND report != '_receipt'
          GROUP BY report, level, d1, d2, d3`,
    params: { site },
    row: z.object({
      report: z.string(),
      level: z.number(),
      d1: z.string(),
      d2: z.string(),
      d3: z.string(),
      visitors: z.number(),
    }),
  });
  return Object.fromEntries(
    rows.map((row) => [JSON.stringify([row.report, row.level, row.d1, row.d2, row.d3]), row.visitors]),
  );
}

export function releaseTokensSuite(adapter: WarehouseAdapter): void {
  describe(`release on ${adapter.name}: visitor tokens read for cells below K only`, () => {
    let warehouse: Warehouse;
    let reference: Map<string, StagedCell[]>;
    const release = (site: string, statementSize?: { eventsPerRead: number; tokensPerStatement: number }) =>
      releaseWindow({
        warehouse,
        site,
        windowStart,
        windowSeconds: WINDOW,
        k: K,
        releasedAt: Date.now(),
        statementSize,
      });

    beforeAll(async () => {
      warehouse = await adapter.open('kanon_release_tokens');
      await migrate(warehouse, TEST_SCHEMA);
      let second = 0;
      const at = () => (windowStart + 1 + (second++ % 50)) * 1000;
      const search = (visitor: number, query: string) =>
        anonymousEvent({
          ts: at(),
          visitor: String(visitor),
          type: 'search',
          query,
          results: 3,
          path: '/search',
        });
      const events = [
        // Twelve shoppers view a page: the overview's and the page's cells are far above K.
        ...Array.from({ length: 12 }, (_, n) =>
          anonymousEvent({ ts: at(), visitor: String(100 + n), path: '/p' }),
        ),
        // BIG: 6 searchers. SMALLEST: 3 searchers (K), the smallest published search row.
        ...[100, 101, 102, 103, 104, 105].map((visitor) => search(visitor, BIG)),
        ...[106, 107, 108].map((visitor) => search(visitor, SMALLEST)),
        // Two terms of one searcher each: below K alone and together, so their (other) row takes in
        // SMALLEST. Visitor 106 also searched SMALLEST, so the union is 4, not 3 + 2.
        search(106, ONE),
        search(109, TWO),
      ];
      const stage = createTestStager(warehouse);
      await stage({ id: 'tokens-1', batches: [{ id: 'tokens-1', events }], retry: false });
      // The same events at a second site, released with the engine's writes split finely.
      const sharded = events.map((event) => ({ ...event, site: 'sharded' }));
      await stage({ id: 'tokens-2', batches: [{ id: 'tokens-2', events: sharded }], retry: false });
      reference = await fullCells(warehouse, 'shop');
    });
    afterAll(async () => {
      await warehouse?.close();
    });

    it('reads the counts of cells of K or more and the tokens of the others', async () => {
      const staged = await readStagedWindow(warehouse, 'shop', windowStart, K);
      const searches = staged.get('searches')!;
      const byQuery = Object.fromEntries(searches.map((cell) => [cell.dims[0], cell]));
      expect(byQuery[BIG]).toMatchObject({ visitors: [], visitorCount: 6 });
      expect(byQuery[SMALLEST]).toMatchObject({ visitors: [], visitorCount: 3 });
      expect(byQuery[ONE]).toMatchObject({ visitors: ['106'], visitorCount: 1 });
      expect(byQuery[TWO]).toMatchObject({ visitors: ['109'], visitorCount: 1 });
      expect(staged.get('overview')).toEqual([
        { dims: [], measures: expect.any(Object), visitors: [], visitorCount: 12 },
      ]);
    });

    it('publishes what reading every token publishes, with an exact union for the folded row', async () => {
      const summary = await release('shop');
      const published = await warehouse.query({
        name: 'test_searches',
        sql: 'SELECT query, level, searches, visitors FROM pub_searches_by_window ORDER BY level, query',
        row: z.object({ query: z.string(), level: z.number(), searches: z.number(), visitors: z.number() }),
      });
      expect(published).toEqual([
        { query: BIG, level: 0, searches: 6, visitors: 6 },
        { query: OTHER, level: 1, searches: 5, visitors: 4 },
      ]);
      const expectedRows = REPORT_LIST.reduce(
        (sum, spec) => sum + releaseReport(spec, reference.get(spec.name) ?? [], K).rows.length,
        0,
      );
      expect(summary.rows).toBe(expectedRows);
    });

    /** Each published row's distinct visitors, from the reference release. */
    function expectedSets(): Record<string, number> {
      const expected: Record<string, number> = {};
      for (const spec of REPORT_LIST) {
        const cells = reference.get(spec.name) ?? [];
        for (const row of releaseReport(spec, cells, K).rows) {
          const union = new Set(row.cells.flatMap((index) => cells[index]!.visitors));
          expected[
            JSON.stringify([spec.name, row.level, row.dims[0] ?? '', row.dims[1] ?? '', row.dims[2] ?? ''])
          ] = union.size;
        }
      }
      return expected;
    }

    it('keeps for the day roll-up the same visitor sets as reading every token', async () => {
      const expected = expectedSets();
      expect(await releasedSets(warehouse)).toEqual(expected);
      expect(expected[JSON.stringify(['searches', 1, OTHER, '', ''])]).toBe(4);

      // A second release of the same window (a retry) writes the engine's sets again: same unions.
      await release('shop');
      expect(await releasedSets(warehouse)).toEqual(expected);

      await rollUpDay({ warehouse, site: 'shop', dayStart, k: K, releasedAt: Date.now() });
      const day = await warehouse.query({
        name: 'test_day_searches',
        sql: 'SELECT query, level, visitors FROM pub_searches_by_day ORDER BY level, query',
        row: z.object({ query: z.string(), level: z.number(), visitors: z.number() }),
      });
      expect(day).toEqual([
        { query: BIG, level: 0, visitors: 6 },
        { query: OTHER, level: 1, visitors: 4 },
      ]);
    });

    it('reads and writes the same when a window is split into statements by a hash of the cell key', async () => {
      const whole = await readStagedWindow(warehouse, 'sharded', windowStart, K);
      expect(await readStagedWindow(warehouse, 'sharded', windowStart, K, { eventsPerRead: 1 })).toEqual(
        whole,
      );
      // One event per read and one token per write: the window is read in as many statements as it
      // has events and its sets written in as many as they hold tokens, so a cell that no statement
      // reads or writes would show. (One written twice would not, and need not: a union does not
      // change.)
      await release('sharded', { eventsPerRead: 1, tokensPerStatement: 1 });
      const sets = await releasedSets(warehouse, 'sharded');
      expect(sets).toEqual(expectedSets());
      // The day roll-up merges its sets one token's worth at a time: the same day rows as the
      // first site's, rolled up in one statement per report.
      await rollUpDay({
        warehouse,
        site: 'sharded',
        dayStart,
        k: K,
        releasedAt: Date.now(),
        tokensPerStatement: 1,
      });
      const shop = await dayRows(warehouse, 'shop');
      expect(shop.searches).toHaveLength(2);
      expect(await dayRows(warehouse, 'sharded')).toEqual(shop);
    });
  });
}
