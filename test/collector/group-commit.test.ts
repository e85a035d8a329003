import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GroupCommitter } from '../../collector/group-commit.js';
import { EVENTS_QUEUE, EventsQueue } from '../../core/queue/events-queue.js';
import { connectRedis, type RedisClient } from '../../core/redis/connect.js';
import type { AnonymousBatch, AnonymousEvent } from '../../schema/event.js';
import { anonymousEvent } from '../fixtures/anonymous-event.js';
import { testRedisUrl, uniquePrefix } from '../fixtures/redis.js';

/**
 * Group commit's flush policy against a real Redis queue: which requests share a job, and when a
 * job is queued. Every batch is written with the real EventsQueue; the log only records when each
 * write started and when Redis confirmed it.
 */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
const request = (name: string, events = 1): AnonymousEvent[] =>
  Array.from({ length: events }, (_, n) => anonymousEvent({ path: `/${name}/${n}` }));

describe('group commit', () => {
  let redis: RedisClient;
  let queue: EventsQueue;
  let jobs: Queue;
  let prefix: string;
  let log: string[];

  const committer = (
    options: {
      maxEvents?: number;
      maxWaitMs?: number;
      maxInFlight?: number;
      /** Keeps the first batch on its way (before Redis) until it resolves. */
      holdFirst?: Promise<void>;
    } = {},
  ) => {
    log = [];
    let first = true;
    return new GroupCommitter({
      maxEvents: options.maxEvents ?? 1000,
      maxWaitMs: options.maxWaitMs ?? 0,
      maxInFlight: options.maxInFlight ?? 16,
      enqueue: async (batch: AnonymousBatch) => {
        const paths = batch.events.map((event) => event.path.split('/')[1]).join('+');
        log.push(`queue ${paths}`);
        if (first) {
          first = false;
          await options.holdFirst;
        }
        await queue.enqueueBatch(batch);
        log.push(`in redis ${paths}`);
      },
    });
  };

  const queuedBatches = async () =>
    (await jobs.getJobs(['waiting'])).map((job) => (job.data as AnonymousBatch).events.length).sort();

  beforeAll(() => {
    redis = connectRedis(testRedisUrl(), 'consumer');
  });
  afterAll(async () => {
    await jobs?.close();
    await queue?.close();
    redis?.disconnect();
  });

  const fresh = async () => {
    await jobs?.close();
    await queue?.close();
    prefix = uniquePrefix('commit');
    queue = EventsQueue.create({ url: testRedisUrl(), prefix });
    await queue.connected();
    jobs = new Queue(EVENTS_QUEUE, { connection: redis, prefix });
  };

  it('queues the requests of one event-loop turn as one job, at the end of that turn', async () => {
    await fresh();
    const commit = committer();
    const done = Promise.all([
      commit.add(request('a', 2)),
      commit.add(request('b')),
      commit.add(request('c')),
    ]);
    expect(log).toEqual([]);
    await done;
    expect(log).toEqual(['queue a+a+b+c', 'in redis a+a+b+c']);
    expect(await queuedBatches()).toEqual([4]);
  });

  it('holds what arrives while a batch is on its way and queues it as soon as that one is in Redis', async () => {
    await fresh();
    // Held on its way: a warm connection to a local Redis can answer within one turn of the loop.
    let arrive = () => {};
    const commit = committer({ holdFirst: new Promise<void>((resolve) => (arrive = resolve)) });
    const first = commit.add(request('a'));
    await turn();
    expect(log).toEqual(['queue a']);
    const later = [commit.add(request('b')), commit.add(request('c'))];
    await turn();
    await turn();
    expect(log).toEqual(['queue a']);
    arrive();
    await Promise.all([first, ...later]);
    expect(log).toEqual(['queue a', 'in redis a', 'queue b+c', 'in redis b+c']);
    expect(await queuedBatches()).toEqual([1, 2]);
  });

  it('queues a full batch at once, even while another is on its way', async () => {
    await fresh();
    const commit = committer({ maxEvents: 2 });
    const first = commit.add(request('a'));
    await turn();
    const full = commit.add(request('b', 2));
    expect(log).toEqual(['queue a', 'queue b+b']);
    await Promise.all([first, full]);
    expect(await queuedBatches()).toEqual([1, 2]);
  });

  it('keeps one request in one batch: a request that would overflow the open batch starts the next', async () => {
    await fresh();
    const commit = committer({ maxEvents: 3 });
    await Promise.all([commit.add(request('a', 2)), commit.add(request('b', 2))]);
    expect(log.filter((line) => line.startsWith('queue'))).toEqual(['queue a+a', 'queue b+b']);
  });

  it('with a wait configured, holds the open batch for that wait', async () => {
    await fresh();
    const commit = committer({ maxWaitMs: 300 });
    const done = commit.add(request('a'));
    for (let n = 0; n < 5; n++) await turn();
    expect(log).toEqual([]);
    await done;
    expect(log).toEqual(['queue a', 'in redis a']);
  });

  it('refuses with 503 overloaded once maxInFlight batches wait for Redis, and stores none of it', async () => {
    await fresh();
    const commit = committer({ maxEvents: 1, maxInFlight: 2 });
    const accepted = [commit.add(request('a')), commit.add(request('b'))];
    await expect(commit.add(request('c'))).rejects.toMatchObject({ code: 'overloaded', status: 503 });
    await Promise.all(accepted);
    expect(log.filter((line) => line.startsWith('queue'))).toEqual(['queue a', 'queue b']);
    expect(await queuedBatches()).toEqual([1, 1]);
  });

  it('drain queues the open batch and waits until every batch is in Redis', async () => {
    await fresh();
    const commit = committer({ maxWaitMs: 1000 });
    let answered = 0;
    for (const name of ['a', 'b']) void commit.add(request(name)).then(() => answered++);
    await commit.drain();
    await turn();
    expect(answered).toBe(2);
    expect(await queuedBatches()).toEqual([2]);
  });

  it('gives every batch an id of its own, past the refill of its random pool', async () => {
    const ids: string[] = [];
    const recording = new GroupCommitter({
      maxEvents: 1,
      maxWaitMs: 0,
      maxInFlight: 2000,
      enqueue: async (batch) => {
        ids.push(batch.id);
      },
    });
    await Promise.all(Array.from({ length: 1300 }, (_, n) => recording.add(request(`r${n}`))));
    expect(ids).toHaveLength(1300);
    expect(new Set(ids).size).toBe(1300);
    // Creation time in base 36, then 72 random bits.
    for (const id of ids) expect(id).toMatch(/^[0-9a-z]+-[A-Za-z0-9_-]{12}$/);
    expect(new Set(ids.map((id) => id.split('-').slice(1).join('-'))).size).toBe(1300);
  });
});
