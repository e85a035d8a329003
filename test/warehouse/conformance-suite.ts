import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { toClickHouseDateTime, windowStartOf } from '../../core/time.js';
import type { Warehouse } from '../../core/warehouse/warehouse.js';
import { WarehouseError } from '../../core/warehouse/warehouse.js';
import { migrate } from '../../schema/migrate.js';
import { STAGING_TABLE } from '../../schema/tables.js';
import { TEST_SCHEMA, type WarehouseAdapter } from '../fixtures/warehouse.js';

/** The suite every Warehouse adapter must pass, the way bullmq checks its queue backends. */
export function warehouseConformance(adapter: WarehouseAdapter): void {
  describe(`${adapter.name} warehouse`, () => {
    let warehouse: Warehouse;

    beforeAll(async () => {
      warehouse = await adapter.open(`kanon_conformance_${Date.now().toString(36)}`);
      await migrate(warehouse, TEST_SCHEMA);
    });
    afterAll(async () => {
      await warehouse?.close();
    });

    // Dated from the run, not a fixed day: staging rows expire 48 h after staged_at (TTL), so a
    // fixed date would let the engine drop them and the dedup assertions would test nothing.
    const now = Date.now();
    const cell = (overrides: Record<string, unknown> = {}) => ({
      site: 'shop',
      window_start: toClickHouseDateTime(windowStartOf(now, 3600)),
      report: 'pages',
      d1: '/a',
      d2: 'home',
      d3: '',
      measures: { pageviews: 2 },
      visitors: '[1,2]',
      staged_at: toClickHouseDateTime(Math.floor(now / 1000)),
      ...overrides,
    });

    const totals = () =>
      warehouse.query({
        name: 'totals',
        sql: `SELECT d1, toUInt64(sumMap(measures)['pageviews']) AS pageviews,
                toUInt64(length(groupUniqArrayMerge(visitors))) AS visitors
              FROM ${STAGING_TABLE} WHERE site = {site:String} GROUP BY d1 ORDER BY d1`,
        params: { site: 'shop' },
        row: z.object({ d1: z.string(), pageviews: z.number(), visitors: z.number() }),
      });

    it("writes a bound query in the engine's own export formats (Parquet, CSVWithNames, JSONEachRow)", async () => {
      const spec = {
        name: 'export probe',
        sql: "SELECT number AS n, concat('p', toString(number)) AS label FROM numbers({rows:UInt32}) ORDER BY n",
        params: { rows: 3 },
      };
      const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');
      expect(text(await warehouse.exportRows(spec, 'JSONEachRow'))).toBe(
        '{"n":0,"label":"p0"}\n{"n":1,"label":"p1"}\n{"n":2,"label":"p2"}\n',
      );
      expect(text(await warehouse.exportRows(spec, 'CSVWithNames'))).toBe(
        '"n","label"\n0,"p0"\n1,"p1"\n2,"p2"\n',
      );
      const parquet = Buffer.from(await warehouse.exportRows(spec, 'Parquet'));
      // A Parquet file starts and ends with its magic number.
      expect(parquet.subarray(0, 4).toString()).toBe('PAR1');
      expect(parquet.subarray(-4).toString()).toBe('PAR1');
    });

    it('answers a ping', async () => {
      await expect(warehouse.ping()).resolves.toBeUndefined();
    });

    it('applies migrations once and reports them up to date the second time', async () => {
      const again = await migrate(warehouse, TEST_SCHEMA);
      expect(again.applied).toEqual([]);
      expect(again.upToDate.length).toBeGreaterThanOrEqual(3);
    });

    it('drops a retried insert that carries the same deduplication token', async () => {
      await warehouse.insert(STAGING_TABLE, [cell()], { dedupToken: 'job-1:cells' });
      await warehouse.insert(STAGING_TABLE, [cell()], { dedupToken: 'job-1:cells' });
      await warehouse.insert(STAGING_TABLE, [cell({ visitors: '[2,3]' })], { dedupToken: 'job-2:cells' });
      expect(await totals()).toEqual([{ d1: '/a', pageviews: 4, visitors: 3 }]);
    });

    it('drops a retried insert even when the retry carries different rows', async () => {
      await warehouse.insert(STAGING_TABLE, [cell({ d1: '/b' })], { dedupToken: 'job-3:cells' });
      await warehouse.insert(STAGING_TABLE, [cell({ d1: '/b', measures: { pageviews: 99 } })], {
        dedupToken: 'job-3:cells',
      });
      const rows = await totals();
      expect(rows.find((row) => row.d1 === '/b')).toEqual({ d1: '/b', pageviews: 2, visitors: 2 });
    });

    it('binds parameters as values, so quotes and SQL in a value stay data', async () => {
      const hostile = "x' OR 1=1 -- ; DROP TABLE stg_cells";
      // Arrays name cells to the release (its dimension values: search terms, paths), so their
      // elements must survive quoting, escaping and the array syntax itself.
      const items = [hostile, 'b', "a\\'b\\", "x,y]', ('z", '[1, 2]', 'tab\there', 'new\nline', 'ünï 😀', ''];
      const rows = await warehouse.query({
        name: 'bound',
        sql: 'SELECT {value:String} AS value, {items:Array(String)} AS items, {none:Array(String)} AS none',
        params: { value: hostile, items, none: [] },
        row: z.object({ value: z.string(), items: z.array(z.string()), none: z.array(z.string()) }),
      });
      expect(rows).toEqual([{ value: hostile, items, none: [] }]);
      expect((await totals()).length).toBeGreaterThan(0);
    });

    it('reports an engine error with its code and keeps the raw engine text out of the message', async () => {
      const error = await warehouse
        .query({ name: 'broken', sql: 'SELECT no_such_column FROM stg_cells', row: z.object({}) })
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(WarehouseError);
      expect((error as WarehouseError).message).toMatch(/^query broken failed \(ClickHouse code \d+\)$/);
      expect(Object.keys(error as object)).not.toContain('rawDetail');
      expect(JSON.stringify(error)).not.toContain('no_such_column');
    });

    it('refuses a row that does not match its schema', async () => {
      await expect(
        warehouse.query({ name: 'typed', sql: "SELECT 'text' AS n", row: z.object({ n: z.number() }) }),
      ).rejects.toMatchObject({ code: 'warehouse_bad_row' });
    });

    const stagingDdl = async () => {
      const rows = await warehouse.query({
        name: 'ddl',
        sql: 'SELECT create_table_query AS ddl FROM system.tables WHERE database = currentDatabase() AND name = {t:String}',
        params: { t: STAGING_TABLE },
        row: z.object({ ddl: z.string() }),
      });
      return rows[0]?.ddl;
    };

    it('sets a TTL on the staging tier in the table definition', async () => {
      expect(await stagingDdl()).toMatch(/TTL staged_at \+ toIntervalSecond\(172800\)/);
    });

    it("removes the staging tier's outdated parts on one thread, so the removal does not stall inserts", async () => {
      expect(await stagingDdl()).toMatch(/concurrent_part_removal_threshold = 1000000000\b/);
    });
  });
}
