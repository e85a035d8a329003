import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { connectRedis } from '../../core/redis/connect.js';
import { PUBLISHED_TABLES } from '../../schema/tables.js';
import { stagedEvents } from '../fixtures/counts.js';
import { dumpWarehouse } from '../fixtures/inspect-stores.js';
import { killWorkersUnderLoad } from '../fixtures/kill-workers.js';
import {
  browserHeaders,
  SHOP_ORIGIN,
  shopperAddress,
  startTestPipeline,
  type TestPipeline,
  waitForRoomInWindow,
} from '../fixtures/pipeline.js';

/**
 * Invariant 5: an acknowledged event is counted exactly once, whatever happens between the insert
 * and the acknowledgement, and however often or concurrently a release runs.
 */
const pageview = (n: number) => ({ site: 'shop', type: 'pageview', url: `${SHOP_ORIGIN}/p${n % 7}` });
const visitor = (n: number) =>
  browserHeaders({ 'x-forwarded-for': shopperAddress(n % 256, Math.floor(n / 256)) });

describe('invariant 5: a batch retried after a crash between insert and acknowledgement', () => {
  let pipeline: TestPipeline;
  const crashed = new Set<string>();

  beforeAll(async () => {
    pipeline = await startTestPipeline(
      { KANON_TRUST_PROXY: 'true' },
      {
        wrapHandler: (stage) => async (group) => {
          await stage(group);
          // The insert is done; the worker "dies" before acknowledging, once per group.
          if (!crashed.has(group.id)) {
            crashed.add(group.id);
            throw new Error('simulated crash after the insert');
          }
        },
      },
    );
  });
  afterAll(async () => {
    await pipeline?.close();
  });

  it('is counted once although every job ran its insert twice', async () => {
    for (let n = 0; n < 60; n += 1) expect((await pipeline.send(pageview(n), visitor(n))).status).toBe(202);
    await pipeline.drain();
    expect(crashed.size).toBeGreaterThan(0);
    expect(await stagedEvents(pipeline.warehouse)).toBe(60);
  });

  it('leaves no group record behind once every job has completed', async () => {
    const redis = connectRedis(pipeline.redisUrl, 'consumer');
    try {
      // Records are deleted right after completion, which follows the staging drain() waits for.
      let keys: string[] = [];
      for (let tries = 0; tries < 50; tries += 1) {
        keys = await redis.keys(`${pipeline.prefix}:batch-group:*`);
        if (keys.length === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(keys).toEqual([]);
      // And every batch's job is gone (completed and removed), so none can come back.
      const jobs = (await redis.keys(`${pipeline.prefix}:events:*`)).filter((key) =>
        /:events:[0-9a-z]+-[\w-]{12}$/.test(key),
      );
      expect(jobs).toEqual([]);
    } finally {
      redis.disconnect();
    }
  });
});

describe('invariant 5: releases run twice and concurrently', () => {
  let pipeline: TestPipeline;
  beforeAll(async () => {
    pipeline = await startTestPipeline({ KANON_TRUST_PROXY: 'true' });
    await waitForRoomInWindow(10_000); // one window, one published row
    for (let n = 0; n < 40; n += 1) await pipeline.send(pageview(n), visitor(n));
    await pipeline.drain();
  });
  afterAll(async () => {
    await pipeline?.close();
  });

  const published = async () => {
    const dump = await dumpWarehouse(pipeline.warehouse);
    return (
      dump
        .split(/\n(?=[a-z_]+\n)/)
        .filter((section) => section.startsWith('pub_'))
        // Rows in a stable order: a merge between two reads may reorder them.
        .map((section) =>
          section
            .replace(/"released_at":"[^"]+"/g, '')
            .split('\n')
            .sort()
            .join('\n'),
        )
        .join('\n')
    );
  };

  it('publishes the same tables whether release runs once, twice or twice at the same time', async () => {
    // Early tomorrow (UTC): today's windows and today as a whole are closed and due.
    const tomorrow = Math.ceil(Date.now() / 86_400_000) * 86_400_000 + 120_000;
    const [a, b] = await Promise.all([pipeline.release(tomorrow), pipeline.release(tomorrow)]);
    expect(a.windows + b.windows).toBeGreaterThanOrEqual(1);
    const first = await published();
    await pipeline.release(tomorrow);
    await pipeline.release(tomorrow);
    expect(await published()).toBe(first);
    const counts = await pipeline.warehouse.query({
      name: 'overview',
      sql: 'SELECT toUInt64(sum(pageviews)) AS n, toUInt64(count()) AS rows FROM pub_overview_by_window',
      row: z.object({ n: z.number(), rows: z.number() }),
    });
    expect(counts).toEqual([{ n: 40, rows: 1 }]);
    const days = await pipeline.warehouse.query({
      name: 'days',
      sql: 'SELECT toUInt64(sum(pageviews)) AS n, toUInt64(count()) AS rows FROM pub_overview_by_day',
      row: z.object({ n: z.number(), rows: z.number() }),
    });
    expect(days).toEqual([{ n: 40, rows: 1 }]);
    expect(PUBLISHED_TABLES.length).toBeGreaterThan(20);
  });
});

describe('invariant 5: a worker process killed with SIGKILL mid-batch, again and again', () => {
  let pipeline: TestPipeline;
  beforeAll(async () => {
    pipeline = await startTestPipeline(
      { KANON_TRUST_PROXY: 'true', KANON_BATCH_MAX_EVENTS: '20' },
      { worker: false },
    );
  });
  afterAll(async () => {
    await pipeline?.close();
  });

  it('stages exactly the acknowledged events', async () => {
    const { acknowledged, staged } = await killWorkersUnderLoad(pipeline, { rounds: 3, lanes: 1 });
    expect(acknowledged).toBeGreaterThan(100);
    expect(staged).toBe(acknowledged);
  }, 120_000);
});
