import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWatermarkReader, EventsQueue, newBatchId } from '../../core/queue/events-queue.js';
import { holdOf } from '../../core/queue/pending-batches.js';
import { anonymousEvent } from '../fixtures/anonymous-event.js';
import { testRedisUrl, uniquePrefix } from '../fixtures/redis.js';

/**
 * What queued batches hold back, site by site (core/queue/pending-batches.ts), against a real Redis:
 * each site is held by its own oldest pending event only; a batch whose sites are unknown (queued
 * by an older collector) holds every site; batches beyond the read limit hold every site from the
 * first unread; an orphan (a record whose job never came) stops holding once old enough.
 */
describe('pending holds per site', () => {
  let admin: Redis;
  const opened: { close(): Promise<unknown> }[] = [];

  beforeAll(() => {
    admin = new Redis(testRedisUrl(), { maxRetriesPerRequest: 1 });
  });
  afterAll(async () => {
    for (const item of opened) await item.close();
    admin.disconnect();
  });

  const open = async (queues = 1, orphanAfterMs = 120_000) => {
    const prefix = uniquePrefix('holds');
    const connection = { url: testRedisUrl(), prefix, queues };
    const queue = EventsQueue.create(connection);
    await queue.connected();
    const reader = createWatermarkReader(connection, orphanAfterMs);
    opened.push(queue, reader);
    return { prefix, queue, reader };
  };
  const batchOf = (events: { site: string; ts: number }[]) => ({
    id: newBatchId(Date.now(), Math.random().toString(36).slice(2)),
    events: events.map((event) => anonymousEvent(event)),
  });

  it('holds each site by its own oldest pending event, also within one batch, over every queue', async () => {
    const { queue, reader } = await open(2);
    await queue.enqueueBatch(
      batchOf([
        { site: 'shop', ts: 9_000 },
        { site: 'north', ts: 4_000 },
        { site: 'shop', ts: 7_000 },
      ]),
    );
    await queue.enqueueBatch(batchOf([{ site: 'other', ts: 5_000 }]));
    await queue.enqueueBatch(batchOf([{ site: 'shop', ts: 6_000 }]));
    const holds = await reader.holds(100_000, Date.now());
    expect(holds.everySite).toBeUndefined();
    expect(Object.fromEntries(holds.bySite)).toEqual({ shop: 6_000, north: 4_000, other: 5_000 });
    expect(holdOf(holds, 'quiet')).toBe(Number.POSITIVE_INFINITY);
    // Batches whose oldest event is not before `before` cannot hold back what the release closes.
    expect(Object.fromEntries((await reader.holds(5_000, Date.now())).bySite)).toEqual({
      shop: 7_000,
      north: 4_000,
    });
    expect(await reader.watermark(Date.now())).toBe(4_000);
  });

  it('holds every site at a pending batch whose sites are not recorded', async () => {
    const { prefix, queue, reader } = await open();
    await queue.enqueueBatch(batchOf([{ site: 'shop', ts: 8_000 }]));
    const legacy = batchOf([{ site: 'north', ts: 3_000 }]);
    await queue.enqueueBatch(legacy);
    // As a collector from before the per-site record left it: in the sorted set only.
    await admin.hdel(`${prefix}:pending-sites`, legacy.id);
    const holds = await reader.holds(100_000, Date.now());
    expect(holds.everySite).toBe(3_000);
    expect(holdOf(holds, 'shop')).toBe(3_000);
    expect(holdOf(holds, 'anyone')).toBe(3_000);
  });

  it('holds every site from the first batch beyond the read limit', async () => {
    const { prefix, reader } = await open();
    // 2,100 records written straight to Redis, as 2,100 queued batches of site s<n> would be.
    const now = Date.now();
    const pipeline = admin.pipeline();
    for (let n = 0; n < 2_100; n += 1) {
      const id = newBatchId(now, `b${n}`);
      pipeline.zadd(`${prefix}:pending-batches`, 1_000 + n, id);
      pipeline.hset(`${prefix}:pending-sites`, id, JSON.stringify({ [`s${n}`]: 1_000 + n }));
    }
    await pipeline.exec();
    const holds = await reader.holds(100_000, now);
    expect(holds.everySite).toBe(1_000 + 2_000);
    expect(holds.bySite.get('s0')).toBe(1_000);
    expect(holds.bySite.get('s1999')).toBe(2_999);
    expect(holds.bySite.has('s2000')).toBe(false);
    expect(holdOf(holds, 's2050')).toBe(3_000);
  });

  it('forgets a record whose job never came once it is old enough, and keeps a young one', async () => {
    const { prefix, reader } = await open(1, 60_000);
    const old = newBatchId(Date.now() - 5 * 60_000, 'orphan');
    const young = newBatchId(Date.now(), 'young');
    await admin.zadd(`${prefix}:pending-batches`, 1_000, old, 2_000, young);
    await admin.hset(
      `${prefix}:pending-sites`,
      old,
      JSON.stringify({ shop: 1_000 }),
      young,
      JSON.stringify({ north: 2_000 }),
    );
    const holds = await reader.holds(100_000, Date.now());
    expect(Object.fromEntries(holds.bySite)).toEqual({ north: 2_000 });
    expect(await admin.zscore(`${prefix}:pending-batches`, old)).toBeNull();
    expect(await admin.hexists(`${prefix}:pending-sites`, old)).toBe(0);
    expect(await admin.hexists(`${prefix}:pending-sites`, young)).toBe(1);
  });

  it('leaves no per-site record behind once a batch is refused', async () => {
    const { prefix, queue } = await open();
    // A key of the wrong type makes ZADD fail: the job is taken back, and its site record with it.
    await admin.set(`${prefix}:pending-batches`, 'not a sorted set');
    await expect(queue.enqueueBatch(batchOf([{ site: 'shop', ts: 1_000 }]))).rejects.toThrow();
    expect(await admin.hlen(`${prefix}:pending-sites`)).toBe(0);
  });
});
