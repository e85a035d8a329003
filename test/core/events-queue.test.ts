import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../core/free-port.js';
import {
  EVENTS_QUEUE,
  EventsQueue,
  newBatchId,
  QueueOutcomeUnknownError,
  QueueUnavailableError,
} from '../../core/queue/events-queue.js';
import { waitUntilConnected } from '../../core/redis/connect.js';
import { anonymousEvent } from '../fixtures/anonymous-event.js';
import { spawnRedisServer, testRedisUrl, uniquePrefix } from '../fixtures/redis.js';

/**
 * The producer side of the queue against a real Redis: a batch is recorded as pending before its
 * job can exist (the release watermark depends on it), and a batch is either queued with its
 * record or refused without a job left behind.
 */
describe('EventsQueue.enqueueBatch', () => {
  let admin: Redis;
  const opened: { close(): Promise<unknown> }[] = [];

  beforeAll(() => {
    admin = new Redis(testRedisUrl(), { maxRetriesPerRequest: 1 });
  });
  afterAll(async () => {
    for (const item of opened) await item.close();
    admin.disconnect();
  });

  const open = async () => {
    const prefix = uniquePrefix('enqueue');
    const queue = EventsQueue.create({ url: testRedisUrl(), prefix });
    await queue.connected();
    const jobs = new Queue(EVENTS_QUEUE, { connection: admin, prefix });
    opened.push(queue, jobs);
    return { prefix, queue, jobs };
  };
  const batchOf = (paths: string[], ts: number[]) => ({
    id: newBatchId(Date.now(), Math.random().toString(36).slice(2)),
    events: paths.map((path, n) => anonymousEvent({ path, ts: ts[n] })),
  });

  it('records the batch as pending, scored by its oldest event, before Redis runs its job script', async () => {
    const { prefix, queue, jobs } = await open();
    const monitor = await new Redis(testRedisUrl()).monitor();
    const seen: string[] = [];
    monitor.on('monitor', (_time: string, args: string[]) => {
      if (args.some((arg) => typeof arg === 'string' && arg.includes(prefix)))
        seen.push(String(args[0]).toLowerCase());
    });
    const batch = batchOf(['/a', '/b', '/c'], [3_000, 1_000, 2_000]);
    await queue.enqueueBatch(batch);
    await new Promise((resolve) => setTimeout(resolve, 100));
    monitor.disconnect();

    expect(await admin.zscore(`${prefix}:pending-batches`, batch.id)).toBe('1000');
    expect((await jobs.getJob(batch.id))?.data).toEqual(batch);
    const record = seen.indexOf('zadd');
    const script = seen.findIndex((command) => command === 'evalsha' || command === 'eval');
    expect(record).toBeGreaterThanOrEqual(0);
    expect(script).toBeGreaterThan(record);
  });

  it('refuses a batch whose pending record fails, and takes its job back', async () => {
    const { prefix, queue, jobs } = await open();
    // A key of the wrong type makes ZADD fail while the job script still succeeds.
    await admin.set(`${prefix}:pending-batches`, 'not a sorted set');
    const batch = batchOf(['/a'], [1_000]);
    await expect(queue.enqueueBatch(batch)).rejects.toBeInstanceOf(QueueUnavailableError);
    expect(await jobs.getJob(batch.id)).toBeUndefined();
    expect(await jobs.getJobCounts('waiting', 'active', 'delayed')).toEqual({
      waiting: 0,
      active: 0,
      delayed: 0,
    });
  });

  it('refuses a batch when Redis is gone, with the queue error the collector answers 503 with', async () => {
    const { queue } = await open();
    await queue.close();
    await expect(queue.enqueueBatch(batchOf(['/a'], [1_000]))).rejects.toBeInstanceOf(QueueUnavailableError);
  });

  // 503 tells the tag to send the batch again, so it must mean "not queued". A batch written to
  // Redis whose answer never came back may have been queued: that is a 504, which the tag leaves.
  it('answers 504, not 503, for a batch Redis received but never answered', async () => {
    const port = await freePort();
    const server = spawnRedisServer(port, ['--appendonly', 'no']);
    const url = `redis://127.0.0.1:${port}`;
    const control = new Redis(url, { maxRetriesPerRequest: 1, retryStrategy: (n) => (n < 50 ? 100 : null) });
    control.on('error', () => {});
    const queue = EventsQueue.create({ url, prefix: uniquePrefix('unanswered') });
    try {
      await waitUntilConnected(control);
      await queue.connected();
      await queue.enqueueBatch(batchOf(['/a'], [1_000]));
      // Redis holds write commands unanswered while paused: the next batch goes out and waits.
      await control.client('PAUSE', 60_000, 'WRITE');
      const outcome = queue.enqueueBatch(batchOf(['/b'], [1_000])).then(
        () => 'queued',
        (error: unknown) => error,
      );
      for (let tries = 0; ; tries += 1) {
        const clients = String(await control.client('LIST'));
        if (/cmd=(evalsha|eval|zadd)\b/.test(clients)) break;
        if (tries > 200) throw new Error(`the batch never reached Redis: ${clients}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      server.kill('SIGKILL');
      const error = await outcome;
      expect(error).toBeInstanceOf(QueueOutcomeUnknownError);
      expect(error).toMatchObject({ status: 504, code: 'queue_outcome_unknown' });
    } finally {
      server.kill('SIGKILL');
      control.disconnect();
      await queue.close();
    }
  });
});
