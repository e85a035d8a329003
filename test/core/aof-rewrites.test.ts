import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventsQueue, startEventsWorker } from '../../core/queue/events-queue.js';
import { startAofRewrites } from '../../core/redis/aof-rewrites.js';
import { type PrivateRedis, startPrivateRedis } from '../../core/redis/private-redis.js';
import { anonymousEvent } from '../fixtures/anonymous-event.js';
import { aofRewrites, uniquePrefix } from '../fixtures/redis.js';

/**
 * The workers' rewrites of the queue's append-only file (core/redis/aof-rewrites.ts), on real
 * redis-servers: how many start, when, and never one on a Redis that keeps no such file.
 * test/invariants/8-retention.test.ts shows what they remove from the disk.
 */
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const rewritesSoFar = async (redis: Redis) => (await aofRewrites(redis)).count;
const rewriting = async (redis: Redis) => (await aofRewrites(redis)).running;

describe('rewrites of the queue append-only file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kanon-aof-rewrites-'));
  let queueRedis: PrivateRedis;
  let admin: Redis;
  beforeAll(async () => {
    queueRedis = await startPrivateRedis({ dir: join(dir, 'queue'), persistent: true });
    admin = new Redis(queueRedis.url);
  });
  afterAll(async () => {
    admin?.disconnect();
    await queueRedis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes nothing into the directory of a Redis that keeps no append-only file', async () => {
    const own = join(dir, 'memory-only');
    const memoryOnly = await startPrivateRedis({ dir: own, persistent: false });
    const redis = new Redis(memoryOnly.url);
    const rewrites = startAofRewrites({ redis, prefix: uniquePrefix('aof'), everyMs: 200 });
    try {
      for (let n = 0; n < 10; n += 1) {
        rewrites.removed();
        await sleep(100);
      }
      await rewrites.close();
      // BGREWRITEAOF would have written appendonlydir/ here.
      expect(readdirSync(own)).toEqual(['kanon-redis.json']);
    } finally {
      redis.disconnect();
      await memoryOnly.stop();
    }
  });

  it('starts at most one rewrite per interval however many workers remove jobs', async () => {
    const prefix = uniquePrefix('aof');
    const clients = Array.from({ length: 3 }, () => new Redis(queueRedis.url));
    const workers = clients.map((redis) => startAofRewrites({ redis, prefix, everyMs: 500 }));
    const before = await rewritesSoFar(admin);
    const started = Date.now();
    for (let n = 0; n < 40; n += 1) {
      for (const worker of workers) worker.removed();
      await sleep(50);
    }
    const rewrites = (await rewritesSoFar(admin)) - before;
    const slots = Math.ceil((Date.now() - started) / 500);
    for (const [index, worker] of workers.entries()) {
      await worker.close();
      clients[index]!.disconnect();
    }
    expect(rewrites).toBeGreaterThanOrEqual(2);
    expect(rewrites).toBeLessThanOrEqual(slots + 1);
  });

  it('runs a last rewrite when a worker that removed jobs stops, and waits for it to end', async () => {
    const redis = new Redis(queueRedis.url);
    // No tick within the test: only the closing rewrite.
    const rewrites = startAofRewrites({ redis, prefix: uniquePrefix('aof'), everyMs: 3_600_000 });
    while (await rewriting(admin)) await sleep(20);
    const before = await rewritesSoFar(admin);
    rewrites.removed();
    await rewrites.close();
    expect(await rewritesSoFar(admin)).toBe(before + 1);
    expect(await rewriting(admin)).toBe(false);
    redis.disconnect();
  });

  it('asks for no rewrite while every try of a batch fails (a warehouse outage), which removes nothing', async () => {
    const prefix = uniquePrefix('aof');
    const producer = EventsQueue.create({ url: queueRedis.url, prefix });
    const worker = startEventsWorker({
      connection: { url: queueRedis.url, prefix },
      concurrency: 1,
      aofRewriteEveryMs: 200,
      stage: async () => {
        throw new Error('the warehouse is down');
      },
    });
    try {
      await producer.connected();
      await producer.enqueueBatch({ id: 'outage-batch-1', events: [anonymousEvent()] });
      // The start-up rewrite (a worker may start after one that died) and the first try pass.
      await sleep(600);
      while (await rewriting(admin)) await sleep(20);
      const before = await rewritesSoFar(admin);
      // Tries 2 and 3 fail 1 s and 3 s after the first.
      await sleep(3000);
      expect(await rewritesSoFar(admin)).toBe(before);
    } finally {
      await worker.close();
      await producer.close();
    }
  });
});
