import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createWatermarkReader,
  EventsQueue,
  newBatchId,
  type StagingGroup,
  startEventsWorker,
} from '../../core/queue/events-queue.js';
import { queueOfSite } from '../../core/redis/key-layout.js';
import { anonymousEvent } from '../fixtures/anonymous-event.js';
import { testRedisUrl, uniquePrefix } from '../fixtures/redis.js';

/**
 * KANON_REDIS_QUEUES changed on the collectors but not (yet) on the workers, on a real Redis:
 * the collectors register how many queues they send to (core/queue/queue-registry.ts), and a
 * worker or a release on a smaller count still consumes and watches every queue a batch may wait
 * in. Without it, a batch in a queue the workers do not know is never staged, and the release
 * closes its windows around it (invariant 5).
 */
describe('queue registry: workers follow the queues collectors use', () => {
  let admin: Redis;
  const opened: { close(): Promise<unknown> }[] = [];
  beforeAll(() => {
    admin = new Redis(testRedisUrl(), { maxRetriesPerRequest: 1 });
  });
  afterAll(async () => {
    for (const item of opened.reverse()) await item.close();
    admin.disconnect();
  });

  // 'shop' goes to queue 1 of 2 (FNV-1a), which a deployment of one queue does not have.
  const batchOf = (ts: number) => ({
    id: newBatchId(Date.now(), Math.random().toString(36).slice(2)),
    events: [anonymousEvent({ site: 'shop', ts })],
  });
  const stagedIds = (staged: StagingGroup[]) =>
    staged.flatMap((group) => group.batches.map((batch) => batch.id));
  /** A worker configured with one queue, looking for registered ones every 100 ms; what it stages. */
  const startWorkerOnOneQueue = (prefix: string): StagingGroup[] => {
    const staged: StagingGroup[] = [];
    opened.push(
      startEventsWorker({
        connection: { url: testRedisUrl(), prefix, queues: 1 },
        concurrency: 2,
        aofRewriteEveryMs: 0,
        queueCheckEveryMs: 100,
        stage: async (group) => {
          staged.push(group);
        },
      }),
    );
    return staged;
  };
  const until = async (what: string, done: () => boolean | Promise<boolean>) => {
    const deadline = Date.now() + 15_000;
    while (!(await done())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  it('holds the release back for, and stages, a batch in a queue beyond the worker’s own count', async () => {
    expect(queueOfSite('shop', 2)).toBe(1);
    const prefix = uniquePrefix('registry-raise');
    const collector = EventsQueue.create({ url: testRedisUrl(), prefix, queues: 2 });
    opened.push(collector);
    await collector.connected();
    const batch = batchOf(4_000);
    await collector.enqueueBatch(batch);

    // A release process still configured with one queue sees the batch pending in queue 1.
    const reader = createWatermarkReader({ url: testRedisUrl(), prefix, queues: 1 });
    opened.push(reader);
    expect(await reader.watermark(Date.now())).toBe(4_000);
    expect(Object.fromEntries((await reader.holds(10_000, Date.now())).bySite)).toEqual({ shop: 4_000 });

    // A worker configured with one queue consumes queue 1 too.
    const staged = startWorkerOnOneQueue(prefix);
    await until('the batch staged', () => stagedIds(staged).includes(batch.id));
    await until('nothing pending', async () => (await reader.watermark(Date.now())) === undefined);
  });

  it('keeps consuming a queue the collectors no longer send to, once they are lowered', async () => {
    const prefix = uniquePrefix('registry-lower');
    const before = EventsQueue.create({ url: testRedisUrl(), prefix, queues: 2 });
    opened.push(before);
    await before.connected();
    const leftOver = batchOf(5_000);
    await before.enqueueBatch(leftOver);
    // The collectors restart with one queue: the count registered stays two.
    const after = EventsQueue.create({ url: testRedisUrl(), prefix, queues: 1 });
    opened.push(after);
    await after.connected();
    expect(await admin.get(`${prefix}:queue-count`)).toBe('2');

    const staged = startWorkerOnOneQueue(prefix);
    await until('the left-over batch staged', () => stagedIds(staged).includes(leftOver.id));
  });
});
