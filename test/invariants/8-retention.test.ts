import { randomInt } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { resolveRedis } from '../../bin/runtime/redis.js';
import { loadConfig } from '../../core/config.js';
import { createLogger } from '../../core/log.js';
import { EVENTS_QUEUE, JOB_OPTIONS, startEventsWorker } from '../../core/queue/events-queue.js';
import { requestAofRewrite } from '../../core/redis/aof-rewrites.js';
import { connectRedis } from '../../core/redis/connect.js';
import type { Warehouse } from '../../core/warehouse/warehouse.js';
import { applyRetention, expectedTtls } from '../../schema/apply-retention.js';
import { migrate } from '../../schema/migrate.js';
import { PUBLISHED_TABLES } from '../../schema/tables.js';
import { purgeSite } from '../../workers/purge-site.js';
import { dumpWarehouse, filesContaining } from '../fixtures/inspect-stores.js';
import {
  browserHeaders,
  SHOP_ORIGIN,
  shopperAddress,
  startTestPipeline,
  type TestPipeline,
} from '../fixtures/pipeline.js';
import { aofRewrites, testRedisUrl, uniquePrefix } from '../fixtures/redis.js';
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
    const shorter = {
      STAGING_TTL_SECONDS: 30 * 3600,
      RETENTION_SECONDS: 90 * 86_400,
      AUDIT_RETENTION_SECONDS: 30 * 86_400,
    };
    const changed = await applyRetention(warehouse, shorter);
    expect(changed).toContain('stg_cells');
    expect(await ddl('stg_cells')).toContain('TTL staged_at + toIntervalSecond(108000)');
    expect(await ddl('pub_products_by_day')).toContain('TTL day + toIntervalSecond(7776000)');
    expect(await ddl('app_audit_log')).toContain('TTL toDateTime(at) + toIntervalSecond(2592000)');
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
          browserHeaders({ origin, 'x-forwarded-for': shopperAddress(n) }),
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

/** A path segment no scrubber touches (letters only, no hex run) and no other test sends. */
const diskMarker = () =>
  `ondisk-${Array.from({ length: 14 }, () => 'ghijklmnopqrstuvwxyz'[randomInt(20)]).join('')}`;

async function sendMarked(pipeline: TestPipeline, marker: string): Promise<void> {
  for (let n = 1; n <= 3; n += 1) {
    const response = await pipeline.send(
      {
        site: 'shop',
        events: [
          { type: 'pageview', url: `${SHOP_ORIGIN}/products/${marker}` },
          { type: 'search', url: `${SHOP_ORIGIN}/search?q=${marker}`, query: marker },
        ],
      },
      browserHeaders({ 'x-forwarded-for': shopperAddress(n) }),
    );
    expect(response.status).toBe(202);
  }
}

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
}

/** Runs `ask` once no rewrite is running, then waits until a rewrite that started after it has ended. */
async function waitForRewrite(redis: Redis, ask: () => Promise<void>): Promise<void> {
  await waitUntilAsync(async () => !(await aofRewrites(redis)).running, 10_000);
  const before = (await aofRewrites(redis)).count;
  await ask();
  await waitUntilAsync(async () => {
    const now = await aofRewrites(redis);
    return now.count > before && !now.running;
  }, 10_000);
}

async function waitUntilAsync(condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('invariant 8: the queue on disk', () => {
  // KANON_DATA_DIR as npm start lays it out: its private queue Redis keeps an append-only file there.
  const dataDir = mkdtempSync(join(tmpdir(), 'kanon-queue-on-disk-'));
  let redis: Awaited<ReturnType<typeof resolveRedis>>;
  beforeAll(async () => {
    redis = await resolveRedis(loadConfig({ KANON_DATA_DIR: dataDir }), createLogger('silent'), {
      salts: true,
    });
  });
  afterAll(async () => {
    await redis?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps no file under KANON_DATA_DIR holding a staged batch, though traffic never lets the queue drain', async () => {
    // Without the rewrites the append-only file keeps a staged batch: what this test must catch.
    const unrewritten = await startTestPipeline({ REDIS_URL: redis.queueUrl }, { aofRewriteEveryMs: 0 });
    const early = diskMarker();
    try {
      await sendMarked(unrewritten, early);
      await unrewritten.drain();
    } finally {
      await unrewritten.close();
    }
    await new Promise((resolve) => setTimeout(resolve, 1100)); // appendfsync everysec
    expect(filesContaining(dataDir, early), 'the search finds a staged batch').not.toEqual([]);

    const pipeline = await startTestPipeline({ REDIS_URL: redis.queueUrl }, { aofRewriteEveryMs: 1000 });
    const admin = new Redis(redis.queueUrl);
    const queued = diskMarker();
    const late = diskMarker();
    let sending = false;
    let traffic: Promise<void> = Promise.resolve();
    try {
      // A batch still queued stays on disk through a rewrite (invariant 5): in the new base file,
      // which the search reads as well as the incremental one.
      await pipeline.pauseWorker();
      await sendMarked(pipeline, queued);
      await waitForRewrite(admin, () => requestAofRewrite(admin, pipeline.prefix));
      expect(filesContaining(dataDir, queued).some((file) => file.endsWith('.base.rdb'))).toBe(true);
      pipeline.resumeWorker();
      await sendMarked(pipeline, late);
      await pipeline.drain();

      // From here on batches keep arriving, so the queue is never empty when a rewrite starts.
      sending = true;
      traffic = (async () => {
        for (let n = 0; sending; n += 1) {
          await pipeline.send(
            { site: 'shop', type: 'pageview', url: `${SHOP_ORIGIN}/products/background-${n % 7}` },
            browserHeaders({ 'x-forwarded-for': `198.18.0.${(n % 250) + 1}` }),
          );
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      })();
      const holding = () => ({
        early: filesContaining(dataDir, early),
        queued: filesContaining(dataDir, queued),
        late: filesContaining(dataDir, late),
      });
      await waitUntil(() => Object.values(holding()).every((files) => files.length === 0), 15_000);
      expect(holding(), 'files holding a staged batch').toEqual({ early: [], queued: [], late: [] });
    } finally {
      sending = false;
      await traffic;
      await pipeline.close();
      admin.disconnect();
    }
  });
});

describe('invariant 8: batches that failed for good', () => {
  it('removes one 48 hours after it failed though no job fails after it, and keeps a younger one', async () => {
    const prefix = uniquePrefix('failed');
    const redis = connectRedis(testRedisUrl(), 'producer');
    const queue = new Queue(EVENTS_QUEUE, { connection: redis, prefix });
    const worker = startEventsWorker({
      connection: { url: testRedisUrl(), prefix },
      concurrency: 1,
      stage: async () => {},
      failedSweepEveryMs: 100,
    });
    try {
      // Not a batch, so refused for good at once; the same expiry holds for one that ran out of tries.
      for (const jobId of ['failed-long-ago', 'failed-just-now'])
        await queue.add('batch', { not: 'a batch' }, { ...JOB_OPTIONS, jobId });
      await waitUntilAsync(async () => (await queue.getFailedCount()) === 2, 10_000);
      // As if it had failed 48 hours and a minute ago: BullMQ keeps the time in both places.
      const longAgo = Date.now() - JOB_OPTIONS.removeOnFail.age * 1000 - 60_000;
      await redis.zadd(`${prefix}:${EVENTS_QUEUE}:failed`, 'XX', longAgo, 'failed-long-ago');
      await redis.hset(`${prefix}:${EVENTS_QUEUE}:failed-long-ago`, 'finishedOn', longAgo);
      // The sweep runs every 100 ms; a busy CI host may hold the worker's timer for seconds.
      await waitUntilAsync(async () => (await queue.getJob('failed-long-ago')) === undefined, 20_000).catch(
        () => {},
      );
      expect((await queue.getJob('failed-long-ago'))?.id).toBeUndefined();
      expect(await queue.getJobState('failed-just-now')).toBe('failed');
    } finally {
      await worker.close();
      await queue.obliterate({ force: true });
      await queue.close();
      redis.disconnect();
    }
  });
});
