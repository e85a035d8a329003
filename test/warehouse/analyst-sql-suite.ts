import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { toClickHouseDate, toClickHouseDateTime, windowStartOf } from '../../core/time.js';
import { type AnalystSql, openAnalystSql } from '../../core/warehouse/analyst-sql.js';
import type { Warehouse } from '../../core/warehouse/warehouse.js';
import { migrate } from '../../schema/migrate.js';
import { ORDINARY_QUERIES, PROBES, withDatabase } from '../fixtures/analyst-probes.js';
import { TEST_SCHEMA, type WarehouseAdapter } from '../fixtures/warehouse.js';

const LIMITS = { maxRows: 100, timeoutSeconds: 2 };

export function analystSqlConformance(adapter: WarehouseAdapter): void {
  describe(`analysts' SQL on the ${adapter.name} engine`, () => {
    let warehouse: Warehouse;
    let sql: AnalystSql;
    let stagedRowsBefore = 0;

    beforeAll(async () => {
      // Dated from the run: the staging row must still be inside its 48 h TTL, or the test that
      // the analyst cannot see it would pass because the engine had already expired it.
      const now = Math.floor(Date.now() / 1000);
      warehouse = await adapter.open(`kanon_analyst_${Date.now().toString(36)}`);
      await migrate(warehouse, TEST_SCHEMA);
      await warehouse.insert(
        'pub_pages_by_day',
        [
          {
            site: 'shop',
            day: toClickHouseDate(now - 86_400),
            path: '/',
            page_type: 'home',
            level: 0,
            pageviews: 40,
            entries: 9,
            visitors: 12,
            released_at: toClickHouseDateTime(now - 3600),
          },
        ],
        { dedupToken: 'analyst-test-pages' },
      );
      await warehouse.insert(
        'stg_cells',
        [
          {
            site: 'shop',
            window_start: toClickHouseDateTime(windowStartOf((now - 3600) * 1000, 3600)),
            report: 'pages',
            d1: '/secret',
            d2: 'home',
            d3: '',
            measures: { pageviews: 1 },
            visitors: '[42]',
            staged_at: toClickHouseDateTime(now - 60),
          },
        ],
        { dedupToken: 'analyst-test-staging' },
      );
      // Counted before any analyst query: over chDB's test connection, per-query settings such as
      // the analyst's table filters can stay on the shared session afterwards.
      const staged = await warehouse.query({
        name: 'staged_count',
        sql: "SELECT toUInt64(count()) AS n FROM stg_cells WHERE d1 = '/secret'",
        row: z.object({ n: z.number() }),
      });
      stagedRowsBefore = staged[0]?.n ?? 0;
      sql = await openAnalystSql(warehouse, { maxSeconds: 2, maxMemoryBytes: 512 * 1024 * 1024 });
    });
    afterAll(async () => {
      await sql?.close();
      await warehouse?.close();
    });

    it('answers a SELECT over a published table with columns, types and rows', async () => {
      const result = await sql.run(
        'SELECT path, sum(pageviews) AS views FROM pub_pages_by_day GROUP BY path',
        LIMITS,
      );
      expect(result.columns).toEqual([
        { name: 'path', type: 'String' },
        { name: 'views', type: 'UInt64' },
      ]);
      expect(result.rows).toEqual([['/', 40]]);
      expect(result.truncated).toBe(false);
    });

    it.each([
      ['a staging table', 'SELECT * FROM stg_cells'],
      [
        'a staging table through a subquery',
        'SELECT * FROM pub_pages_by_day WHERE path IN (SELECT d1 FROM stg_cells)',
      ],
      ['a staging table through a CTE', 'WITH s AS (SELECT * FROM stg_released) SELECT * FROM s'],
      [
        'a staging table through a join',
        'SELECT * FROM pub_pages_by_day AS p JOIN stg_cells AS s ON p.path = s.d1',
      ],
      ['a qualified staging table', `SELECT count() FROM ${'kanon_analyst'}.stg_cells`],
      ['a system table', 'SELECT * FROM system.tables'],
      ['the migrations table', 'SELECT * FROM kanon_migrations'],
      ['a file', "SELECT * FROM file('/etc/passwd', 'LineAsString')"],
      ['a URL', "SELECT * FROM url('http://127.0.0.1:1/', 'LineAsString')"],
    ])('refuses a query that reads %s', async (_what, text) => {
      await expect(sql.run(text, LIMITS)).rejects.toMatchObject({ status: expect.any(Number) });
      const error = (await sql.run(text, LIMITS).catch((caught: unknown) => caught)) as { code: string };
      expect(['query_not_allowed', 'query_failed']).toContain(error.code);
    });

    it.each([
      ['an INSERT', "INSERT INTO pub_pages_by_day (site) VALUES ('x')"],
      ['a DROP', 'DROP TABLE pub_pages_by_day'],
      ['two statements', 'SELECT 1; DROP TABLE pub_pages_by_day'],
      ['a setting that lifts read-only mode', 'SELECT 1 SETTINGS readonly = 0'],
      [
        'a subquery setting that lifts the time limit',
        'SELECT * FROM (SELECT count() AS n FROM numbers(10) SETTINGS max_execution_time = 0)',
      ],
      [
        'a subquery setting that clears the table filters',
        'SELECT * FROM (SELECT * FROM pub_pages_by_day SETTINGS additional_table_filters = {})',
      ],
      ['an ALTER', 'ALTER TABLE pub_pages_by_day DELETE WHERE 1'],
    ])('refuses %s and leaves the data as it was', async (_what, text) => {
      await expect(sql.run(text, LIMITS)).rejects.toMatchObject({ code: expect.stringMatching(/^query_/) });
      const rows = await sql.run('SELECT count() AS n FROM pub_pages_by_day', LIMITS);
      expect(rows.rows).toEqual([[1]]);
    });

    it.each(PROBES)(
      'refuses a query that %s with 403 query_not_allowed naming what it used',
      async (_what, text, name) => {
        const error = (await sql
          .run(withDatabase(text, warehouse.database), LIMITS)
          .catch((caught: unknown) => caught)) as { status?: number; code?: string; message?: string };
        expect(error).toMatchObject({ status: 403, code: 'query_not_allowed' });
        if (name) expect(error.message).toContain(withDatabase(name, warehouse.database));
      },
    );

    it.each(ORDINARY_QUERIES)('answers a query with %s', async (_what, text) => {
      const result = await sql.run(text, LIMITS);
      expect(result.columns.length).toBeGreaterThan(0);
    });

    it('evaluates nothing of a refused query, so its error code tells nothing', async () => {
      // Before the check ran on the syntax tree, the engine read the file and divided by zero
      // while it built the query tree: the answer was ClickHouse error 153, not a refusal.
      await expect(
        sql.run("SELECT intDiv(1, toUInt8(file('/nonexistent/kanon-probe', '') != ''))", LIMITS),
      ).rejects.toMatchObject({ code: 'query_not_allowed', message: expect.stringContaining('file()') });
    });

    it('stops a query that runs too long with query_timeout', async () => {
      await expect(
        sql.run('SELECT count() FROM numbers(100000000000)', { maxRows: 10, timeoutSeconds: 1 }),
      ).rejects.toMatchObject({
        code: 'query_timeout',
      });
    });

    it('answers the next query in full after one timed out', async () => {
      await expect(
        sql.run('SELECT count() FROM numbers(100000000000)', { maxRows: 10, timeoutSeconds: 1 }),
      ).rejects.toMatchObject({ code: 'query_timeout' });
      expect((await sql.run('SELECT 2 AS n', LIMITS)).rows).toEqual([[2]]);
    });

    it('answers SELECT 1 and a column that happens to be called Set', async () => {
      expect((await sql.run('SELECT 1 AS Set', LIMITS)).rows).toEqual([[1]]);
    });

    it('cuts a long result at the row limit and says so', async () => {
      const result = await sql.run('SELECT number FROM numbers(50)', { maxRows: 10, timeoutSeconds: 2 });
      expect(result.rows).toHaveLength(10);
      expect(result.truncated).toBe(true);
    });

    it('keeps the staging tier empty for the analyst connection even if a check were bypassed', async () => {
      // The row is there for the workers' connection, so a 0 below is the filter, not an empty table.
      expect(stagedRowsBefore).toBeGreaterThan(0);
      const engine = await warehouse.openReadOnlyEngine({ maxSeconds: 2, maxMemoryBytes: 256 * 1024 * 1024 });
      try {
        const text = await engine.readOnly('SELECT count() FROM stg_cells', 'TSVRaw', 2);
        expect(text.trim()).toBe('0');
      } finally {
        await engine.close();
      }
    });
  });
}
