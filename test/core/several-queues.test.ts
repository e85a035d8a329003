import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createWatermarkReader,
  EventsQueue,
  newBatchId,
  type StagingGroup,
  startEventsWorker,
} from '../../core/queue/events-queue.js';
import { keyLayout, queueOfSite } from '../../core/redis/key-layout.js';
import { anonymousEvent } from '../fixtures/anonymous-event.js';
import { testRedisUrl, uniquePrefix } from '../fixtures/redis.js';

/**
 * KANON_REDIS_QUEUES=2 on one Redis: a batch goes to its site's queue, under that queue's keys;
 * the watermark is the oldest pending batch of either queue; a worker consumes both, each batch
 * once.
 */
describe('several events queues', () => {
  let admin: Redis;
  const prefix = uniquePrefix('queues');
  const connection = () => ({ url: testRedisUrl(), prefix, queues: 2 });
  const layout = keyLayout({ prefix, queues: 2, cluster: false });
  const batchOf = (site: string, ts: number) => ({
    id: newBatchId(Date.now(), Math.random().toString(36).slice(2)),
    events: [anonymousEvent({ site, ts })],
  });

  beforeAll(() => {
    admin = new Redis(testRedisUrl(), { maxRetriesPerRequest: 1 });
  });
  afterAll(() => {
    admin.disconnect();
  });

  it('queues each site on its queue, holds the release back for either, and stages each batch once', async () => {
    // 'north' and 'shop' hash to queues 0 and 1 (FNV-1a).
    expect([queueOfSite('north', 2), queueOfSite('shop', 2)]).toEqual([0, 1]);
    const queue = EventsQueue.create(connection());
    const watermark = createWatermarkReader(connection());
    try {
      await queue.connected();
      expect(queue.queueCount).toBe(2);
      const north = batchOf('north', 5_000);
      const shop = batchOf('shop', 2_000);
      await queue.enqueueBatch(north);
      await queue.enqueueBatch(shop);
      // The first queue keeps the names of a deployment with one queue; the second has its own.
      expect(await admin.exists(`${prefix}:events:${north.id}`)).toBe(1);
      expect(await admin.exists(`${layout.queues[1]}:events:${shop.id}`)).toBe(1);
      expect(await admin.exists(`${prefix}:events:${shop.id}`)).toBe(0);
      expect(await admin.zscore(`${layout.queues[1]}:pending-batches`, shop.id)).toBe('2000');
      expect(await watermark.watermark(Date.now())).toBe(2_000);

      const staged: StagingGroup[] = [];
      const worker = startEventsWorker({
        connection: connection(),
        concurrency: 4,
        aofRewriteEveryMs: 0,
        stage: async (group) => {
          staged.push(group);
        },
      });
      try {
        const deadline = Date.now() + 20_000;
        while ((await watermark.watermark(Date.now())) !== undefined) {
          if (Date.now() > deadline) throw new Error('the batches were not staged within 20 s');
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      } finally {
        await worker.close();
      }
      const ids = staged.flatMap((group) => group.batches.map((batch) => batch.id)).sort();
      expect(ids).toEqual([north.id, shop.id].sort());
    } finally {
      await watermark.close();
      await queue.close();
    }
  });
});
