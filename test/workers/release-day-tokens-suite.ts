import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DAY_SECONDS, toClickHouseDateTime } from '../../core/time.js';
import type { Warehouse } from '../../core/warehouse/warehouse.js';
import { migrate } from '../../schema/migrate.js';
import { EVENT_KINDS_REPORT, OTHER, REPORT_LIST, type ReportName } from '../../schema/reports.js';
import { publishedTable, STAGING_TABLE } from '../../schema/tables.js';
import type { StagedCell } from '../../workers/release/generalise.js';
import { releaseLinkedReports } from '../../workers/release/link-reports.js';
import { releaseDay } from '../../workers/release/release-day.js';
import { releaseWindow } from '../../workers/release/release-window.js';
import { readStagedCells } from '../../workers/release/staged-cells.js';
import { anonymousEvent } from '../fixtures/anonymous-event.js';
import { createTestStager } from '../fixtures/stager.js';
import { TEST_SCHEMA, type WarehouseAdapter } from '../fixtures/warehouse.js';

/**
 * The day release reads visitor tokens of cells below K only (staged-cells.ts): cells of K or more
 * are counted in the engine. These tests hold it to the same result as reading every token of the
 * day: the same published rows, including the case that needs a big cell's tokens (a level-0 row
 * folded into a small leftover, whose union must be exact), with search terms that quote, escape
 * and bracket, since those cells are named to the engine in bound parameters, and with the day's
 * shoppers spread over two windows, whose visitor sets the day must unite. Run on each adapter
 * (release-day-tokens*.test.ts): the server's client binds parameters its own way.
 */
const WINDOW = 60; // the test stager's window
const K = 3;
const dayStart = Math.floor(Date.now() / 1000 / DAY_SECONDS) * DAY_SECONDS - DAY_SECONDS;
const windows = [dayStart + 20 * WINDOW, dayStart + 21 * WINDOW];
const BIG = `it's a "big" \\ search, [x] (y)\ttab`;
const SMALLEST = `smallest'), ('x`;
const ONE = "only \\' one";
const TWO = 'ünïcode 😀';
const day = { from: dayStart, to: dayStart + DAY_SECONDS };

/** A reference: every token of every cell of the day read. */
async function fullCells(warehouse: Warehouse, site: string) {
  const rows = await warehouse.query({
    name: 'test_full_cells',
    sql: `SELECT report, d1, d2, d3, sumMap(measures) AS measures,
            arrayMap(x -> toString(x), groupUniqArrayMerge(visitors)) AS visitors
          FROM ${STAGING_TABLE}
          WHERE site = {site:String} AND toDate(window_start) = {day:Date}
          GROUP BY report, d1, d2, d3 ORDER BY report, d1, d2, d3`,
    params: { site, day: toClickHouseDateTime(dayStart).slice(0, 10) },
    row: z.object({
      report: z.string(),
      d1: z.string(),
      d2: z.string(),
      d3: z.string(),
      measures: z.record(z.string(), z.number()),
      visitors: z.array(z.string()),
    }),
  });
  const cells = (report: string, dims: number): StagedCell[] =>
    rows
      .filter((row) => row.report === report)
      .map((row) => ({
        dims: [row.d1, row.d2, row.d3].slice(0, dims),
        measures: row.measures,
        visitors: row.visitors,
      }));
  return {
    reports: new Map<ReportName, StagedCell[]>(
      REPORT_LIST.map((spec) => [spec.name, cells(spec.name, spec.dims.length)]),
    ),
    kinds: cells(EVENT_KINDS_REPORT, 1),
  };
}

/** Every day row of a site, without the site and the time of the release. */
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

export function releaseTokensSuite(adapter: WarehouseAdapter): void {
  describe(`day release on ${adapter.name}: visitor tokens read for cells below K only`, () => {
    let warehouse: Warehouse;
    const release = async (site: string, eventsPerRead?: number) => {
      for (const windowStart of windows)
        await releaseWindow({
          warehouse,
          site,
          windowStart,
          windowSeconds: WINDOW,
          k: K,
          releasedAt: Date.now(),
        });
      return releaseDay({ warehouse, site, dayStart, k: K, releasedAt: Date.now(), eventsPerRead });
    };

    beforeAll(async () => {
      warehouse = await adapter.open('kanon_release_tokens');
      await migrate(warehouse, TEST_SCHEMA);
      let second = 0;
      // Odd visitors in the first window, even ones in the second: every cell spans both.
      const at = (visitor: number) => (windows[visitor % 2]! + 1 + (second++ % 50)) * 1000;
      const search = (visitor: number, query: string) =>
        anonymousEvent({
          ts: at(visitor),
          visitor: String(visitor),
          type: 'search',
          query,
          results: 3,
          path: '/search',
        });
      const events = [
        // Twelve shoppers view a page: the overview's and the page's cells are far above K.
        ...Array.from({ length: 12 }, (_, n) =>
          anonymousEvent({ ts: at(100 + n), visitor: String(100 + n), path: '/p' }),
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
      // The same events at a second site, released with its reads split finely.
      const sharded = events.map((event) => ({ ...event, site: 'sharded' }));
      await stage({ id: 'tokens-2', batches: [{ id: 'tokens-2', events: sharded }], retry: false });
    });
    afterAll(async () => {
      await warehouse?.close();
    });

    it('reads the counts of cells of K or more and the tokens of the others, over the day', async () => {
      const staged = await readStagedCells(warehouse, { site: 'shop', ...day }, K);
      const byQuery = Object.fromEntries(staged.get('searches')!.map((cell) => [cell.dims[0], cell]));
      expect(byQuery[BIG]).toMatchObject({ visitors: [], visitorCount: 6, networks: [], networkCount: 1 });
      expect(byQuery[SMALLEST]).toMatchObject({ visitors: [], visitorCount: 3 });
      // Every shopper's token has network code 0 here: one network.
      expect(byQuery[ONE]).toMatchObject({
        visitors: ['106'],
        visitorCount: 1,
        networks: ['0'],
        networkCount: 1,
      });
      expect(byQuery[TWO]).toMatchObject({ visitors: ['109'], visitorCount: 1 });
      expect(staged.get('overview')).toEqual([
        {
          dims: [],
          measures: expect.any(Object),
          visitors: [],
          visitorCount: 12,
          networks: [],
          networkCount: 1,
        },
      ]);
    });

    it('publishes what reading every token publishes, with an exact union for the folded row', async () => {
      const summary = await release('shop');
      const published = await warehouse.query({
        name: 'test_searches',
        sql: `SELECT query, level, searches, visitors FROM pub_searches_by_day WHERE site = 'shop' ORDER BY level, query`,
        row: z.object({ query: z.string(), level: z.number(), searches: z.number(), visitors: z.number() }),
      });
      expect(published).toEqual([
        { query: BIG, level: 0, searches: 6, visitors: 6 },
        { query: OTHER, level: 1, searches: 5, visitors: 4 },
      ]);
      const { reports, kinds } = await fullCells(warehouse, 'shop');
      const reference = releaseLinkedReports(reports, kinds, K);
      expect(summary.rows).toBe(
        REPORT_LIST.reduce((sum, spec) => sum + reference.releases.get(spec.name)!.rows.length, 0),
      );
      for (const spec of REPORT_LIST) {
        const rows = await warehouse.query({
          name: 'test_day_visitors',
          sql: `SELECT level, visitors FROM ${publishedTable(spec.name, 'day')} WHERE site = 'shop' ORDER BY ALL`,
          row: z.object({ level: z.number(), visitors: z.number() }),
        });
        const expected = reference.releases
          .get(spec.name)!
          .rows.map((row) => ({ level: row.level, visitors: row.visitors }))
          .sort((a, b) => a.level - b.level || a.visitors - b.visitors);
        expect(rows, spec.name).toEqual(expected);
      }
    });

    it('reads and publishes the same when a day is split into statements by a hash of the cell key', async () => {
      const whole = await readStagedCells(warehouse, { site: 'sharded', ...day }, K);
      // One event per read: the day is read in as many statements as it has events, so a cell that
      // no statement reads would show.
      expect(await readStagedCells(warehouse, { site: 'sharded', ...day }, K, { eventsPerRead: 1 })).toEqual(
        whole,
      );
      await release('sharded', 1);
      const shop = await dayRows(warehouse, 'shop');
      expect(shop.searches).toHaveLength(2);
      expect(await dayRows(warehouse, 'sharded')).toEqual(shop);
    });
  });
}
