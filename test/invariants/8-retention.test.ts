import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadConfig } from '../../core/config.js';
import { JOB_OPTIONS } from '../../core/queue/events-queue.js';
import type { Warehouse } from '../../core/warehouse/warehouse.js';
import { applyRetention, expectedTtls } from '../../schema/apply-retention.js';
import { migrate } from '../../schema/migrate.js';
import { PUBLISHED_TABLES } from '../../schema/tables.js';
import { purgeSite } from '../../workers/purge-site.js';
import { dumpWarehouse } from '../fixtures/inspect-stores.js';
import { browserHeaders, SHOP_ORIGIN, startTestPipeline, type TestPipeline } from '../fixtures/pipeline.js';
import { openEmbeddedWarehouse, TEST_SCHEMA } from '../fixtures/warehouse.js';

/** Invariant 8: data is kept only as long as needed. */
describe('invariant 8: retention', () => {
  let warehouse: Warehouse;
  const ddl = async (table: string) =>
    (
      await warehouse.query({
        name: 'ddl',
        sql: 'SELECT create_table_query AS ddl FROM system.tables WHERE database = currentDatabase() AND name = {t:String}',
        params: { t: table },
        row: z.object({ ddl: z.string() }),
      })
    )[0]?.ddl ?? '';

  beforeAll(async () => {
    warehouse = await openEmbeddedWarehouse('kanon_retention');
    await migrate(warehouse, TEST_SCHEMA);
  });
  afterAll(async () => {
    await warehouse?.close();
  });

  it('gives staging a TTL from KANON_STAGING_TTL and every published table one from KANON_RETENTION', async () => {
    for (const [table, ttl] of expectedTtls(TEST_SCHEMA))
      expect(await ddl(table), table).toContain(`TTL ${ttl}`);
    expect(PUBLISHED_TABLES.length).toBe(26);
  });

  it('brings the TTLs in line when the configuration changes', async () => {
    const shorter = { STAGING_TTL_SECONDS: 30 * 3600, RETENTION_SECONDS: 90 * 86_400 };
    const changed = await applyRetention(warehouse, shorter);
    expect(changed).toContain('stg_cells');
    expect(await ddl('stg_cells')).toContain('TTL staged_at + toIntervalSecond(108000)');
    expect(await ddl('pub_products_by_day')).toContain('TTL day + toIntervalSecond(7776000)');
    expect(await applyRetention(warehouse, shorter)).toEqual([]);
  });

  it('refuses a staging TTL over 48 hours at start-up', () => {
    expect(() => loadConfig({ KANON_STAGING_TTL: '3d' })).toThrow(/KANON_STAGING_TTL: must be between/);
  });

  it('removes completed jobs from Redis and lets failed ones expire', () => {
    expect(JOB_OPTIONS.removeOnComplete).toBe(true);
    expect(JOB_OPTIONS.removeOnFail.age).toBeLessThanOrEqual(2 * 86_400);
  });
});

describe('invariant 8: purge', () => {
  let pipeline: TestPipeline;
  beforeAll(async () => {
    pipeline = await startTestPipeline({ KANON_TRUST_PROXY: 'true' });
    for (const site of ['shop', 'other']) {
      const origin = site === 'shop' ? SHOP_ORIGIN : 'https://other.example';
      for (let n = 1; n <= 4; n += 1) {
        await pipeline.send(
          { site, type: 'pageview', url: `${origin}/purge-me-${site}` },
          browserHeaders({ origin, 'x-forwarded-for': `192.0.2.${n}` }),
        );
      }
    }
    await pipeline.drain();
    await pipeline.release(Math.ceil(Date.now() / 86_400_000) * 86_400_000 + 120_000);
  });
  afterAll(async () => {
    await pipeline?.close();
  });

  it('leaves nothing of the purged site and everything of the others', async () => {
    const before = await dumpWarehouse(pipeline.warehouse);
    expect(before).toContain('purge-me-shop');
    // Any row of the table's section, whatever order the engine returns its rows in.
    expect(before).toMatch(/pub_pages_by_day\n(?:\{[^\n]*\n)*\{[^\n]*purge-me-shop/);
    await purgeSite(pipeline.warehouse, 'shop');
    const after = await dumpWarehouse(pipeline.warehouse);
    expect(after).not.toContain('"site":"shop"');
    expect(after).not.toContain('purge-me-shop');
    expect(after).toContain('purge-me-other');
  });
});
