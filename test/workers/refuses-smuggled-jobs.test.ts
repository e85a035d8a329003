import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Metrics } from '../../core/metrics.js';
import { EVENTS_QUEUE, EventsQueue, JOB_OPTIONS } from '../../core/queue/events-queue.js';
import { connectRedis, type RedisClient } from '../../core/redis/connect.js';
import type { Warehouse } from '../../core/warehouse/warehouse.js';
import { startIngest } from '../../workers/start-ingest.js';
import { anonymousEvent } from '../fixtures/anonymous-event.js';
import { stagedEvents } from '../fixtures/counts.js';
import { testRedisUrl, uniquePrefix } from '../fixtures/redis.js';
import { openMigratedWarehouse } from '../fixtures/warehouse.js';

/**
 * Invariant 1, at the workers: whatever reaches the queue, only strict anonymous batches are
 * staged. Jobs are written straight into BullMQ here, past the collector, as a compromised or
 * buggy producer would: one carrying an IP, one a user agent inside an order line, one whose id
 * does not match its job, one that is not a batch at all. A real worker on a real Redis and the
 * embedded engine must refuse each for good (no retries) and stage only the honest batch beside
 * them.
 */

describe('workers refuse smuggled jobs', () => {
  let warehouse: Warehouse;
  let redis: RedisClient;
  let queue: Queue;
  let producer: EventsQueue;
  let worker: ReturnType<typeof startIngest>;
  const refused: string[] = [];
  const prefix = uniquePrefix('smuggled');

  beforeAll(async () => {
    warehouse = await openMigratedWarehouse('kanon_smuggled');
    redis = connectRedis(testRedisUrl(), 'producer');
    queue = new Queue(EVENTS_QUEUE, { connection: redis, prefix });
    producer = EventsQueue.create({ url: testRedisUrl(), prefix });
    worker = startIngest({
      warehouse,
      connection: { url: testRedisUrl(), prefix },
      windowSeconds: 60,
      graceSeconds: 0,
      concurrency: 8,
      metrics: new Metrics(),
      onFailed: (reason, job) => refused.push(`${reason}:${job.id}`),
    });
  });
  afterAll(async () => {
    await worker?.close();
    await producer?.close();
    await queue?.close();
    redis?.disconnect();
    await warehouse?.close();
  });

  it('stages the honest batch and refuses, for good, every job that is not a strict anonymous batch', async () => {
    const leakyLine = { product_id: 'p', category: '', price_cents: 100, quantity: 1, ua: 'Mozilla/5.0' };
    const smuggled: Record<string, unknown> = {
      'with-an-ip-0001': { id: 'with-an-ip-0001', events: [anonymousEvent({ ip: '203.0.113.9' })] },
      'with-a-ua-0002': {
        id: 'with-a-ua-0002',
        events: [
          anonymousEvent({
            type: 'purchase',
            value_cents: 100,
            currency: 'EUR',
            items: [leakyLine],
          }),
        ],
      },
      'id-mismatch-03': { id: 'some-other-id-03', events: [anonymousEvent()] },
      'batch-header-4': { id: 'batch-header-4', events: [anonymousEvent()], headers: { cookie: 'sid=1' } },
      'not-a-batch-05': { ip: '203.0.113.9', ua: 'Mozilla/5.0' },
      'raw-visitor-06': { id: 'raw-visitor-06', events: [anonymousEvent({ visitor: '203.0.113.9' })] },
    };
    for (const [jobId, data] of Object.entries(smuggled)) {
      await queue.add('batch', data, { ...JOB_OPTIONS, jobId });
    }
    await producer.enqueueBatch({
      id: 'honest-batch-07',
      events: [anonymousEvent(), anonymousEvent({ path: '/q' })],
    });

    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed');
      if (counts.failed === Object.keys(smuggled).length && (await stagedEvents(warehouse)) === 2) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    expect(await stagedEvents(warehouse)).toBe(2);
    expect(refused.sort()).toEqual(
      Object.keys(smuggled)
        .map((id) => `invalid_batch:${id}`)
        .sort(),
    );
    // Refused at the first attempt: an invalid job is never retried.
    for (const id of Object.keys(smuggled)) {
      const job = await queue.getJob(id);
      expect(job?.attemptsMade ?? 0, id).toBeLessThanOrEqual(1);
      expect(await job?.getState(), id).toBe('failed');
    }
    const leaked = await warehouse.query({
      name: 'smuggled_values',
      sql: "SELECT count() AS n FROM stg_cells WHERE position(toString(tuple(*)), '203.0.113') > 0 OR position(toString(tuple(*)), 'Mozilla') > 0",
      row: z.object({ n: z.number() }),
    });
    expect(leaked[0]?.n).toBe(0);
  });
});
