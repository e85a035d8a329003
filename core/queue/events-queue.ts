import { type Job, Queue, UnrecoverableError, Worker } from 'bullmq';
import { ReplyError } from 'ioredis';
import { compileBatchCheck, isAnonymousBatch } from '../../schema/compiled-check.js';
import type { AnonymousBatch } from '../../schema/event.js';
import { KanonError } from '../errors.js';
import {
  AOF_REWRITE_EVERY_MS,
  type AofRewriteOutcome,
  type AofRewrites,
  requestAofRewrite,
  startAofRewrites,
} from '../redis/aof-rewrites.js';
import { connectRedis, type RedisClient, waitUntilConnected } from '../redis/connect.js';
import { type KeyLayout, keyLayout, queueOfSite } from '../redis/key-layout.js';
import { isRedisCluster } from '../redis/redis-address.js';
import { waitForReplica } from '../redis/replicated.js';
import type { TlsFiles } from '../tls-files.js';
import { groupSizeFor, JobGroups, type StagingGroup } from './job-groups.js';
import {
  forgetPending,
  mergeHolds,
  type PendingHolds,
  pendingKey,
  readHolds,
  recordPending,
} from './pending-batches.js';
import { readQueueCount, registerQueueCount } from './queue-registry.js';

/**
 * The queue between collector and workers: BullMQ queue "events" on Redis. The only importer of
 * bullmq for events. A job is one micro-batch of already anonymised events (group commit); its id
 * is the batch id, so adding the same batch twice stores it once.
 *
 * Besides the jobs, a record of every batch that is queued but not yet staged, with its oldest
 * event time per site (pending-batches.ts): the release closes a site's window only when no pending
 * batch can still add to it (invariant 5: nothing acknowledged is left out of a released window),
 * and a batch of one site does not hold back another's.
 *
 * With KANON_REDIS_QUEUES = N there are N such queues, each under its own key prefix (and hash tag,
 * core/redis/key-layout.ts), so that on a Redis Cluster they live on different primaries. A batch
 * goes to the queue of its (first event's) site; every worker consumes every queue; the holds
 * are read from every queue, so a batch in any queue holds back the windows it can still add to.
 * "Every queue" is every queue any collector ever sent to (queue-registry.ts), so a worker or a
 * release on another KANON_REDIS_QUEUES than the collectors' still consumes and watches them all.
 */

export const EVENTS_QUEUE = 'events';

export interface QueueConnection {
  url: string;
  prefix: string;
  /** KANON_REDIS_QUEUES: events queues batches are spread over by site (default 1). */
  queues?: number;
  /** KANON_REDIS_TLS_* for a rediss:// URL (core/redis/connect.ts). */
  tls?: TlsFiles;
}

/** The keys of a connection's queues (core/redis/key-layout.ts). */
export const layoutOf = (connection: QueueConnection, queues = connection.queues ?? 1): KeyLayout =>
  keyLayout({ prefix: connection.prefix, queues, cluster: isRedisCluster(connection.url) });

/** How often a worker looks for queues a collector registered since (queue-registry.ts). */
const QUEUE_CHECK_MS = 5000;

/** Redis refused or never received the batch: nothing of it was stored, so sending it again is safe. */
export class QueueUnavailableError extends KanonError {
  constructor(options?: ErrorOptions) {
    super('queue_unavailable', 503, 'The event queue is unavailable; the tag will retry.', true, options);
  }
}

/**
 * The batch reached Redis but its answer did not come back (the connection dropped while it was on
 * its way): Redis may have queued it. 504, not 503, because the tag sends a 503 again, and a copy
 * of a batch Redis did queue would be counted twice (invariant 5).
 */
export class QueueOutcomeUnknownError extends KanonError {
  constructor(options?: ErrorOptions) {
    super(
      'queue_outcome_unknown',
      504,
      'The event queue stopped answering while these events were on their way; they may have been stored, so the tag does not send them again.',
      false,
      options,
    );
  }
}

/**
 * ioredis refuses a command it never wrote with this message (the collector's connections have no
 * offline queue). A failure other than that or an error reply may come after Redis ran the
 * command: a connection lost with the command written (MaxRetriesPerRequestError).
 */
const isUnsent = (error: unknown): boolean =>
  error instanceof Error && error.message.startsWith("Stream isn't writeable");

/** Redis answered with an error: the command ran and failed, so the job was not queued. */
const isRefusedByRedis = (error: unknown): boolean => error instanceof ReplyError;

/** How long a batch waits for a cluster replica to confirm it before the collector answers 504. */
const REPLICA_WAIT_MS = 1000;

/** Retry delays for a batch whose staging failed: 1s, 2s, 4s … capped at one minute. */
export function retryDelayMs(attemptsMade: number): number {
  return Math.min(60_000, 1000 * 2 ** Math.max(0, attemptsMade - 1));
}

export const JOB_OPTIONS = {
  removeOnComplete: true,
  // A failed batch still holds visitor tokens, so it expires like staging does (invariant 8).
  removeOnFail: { age: 2 * 86_400 },
  // With capped backoff this retries for about a week: a ClickHouse outage delays, never loses.
  attempts: 10_000,
  backoff: { type: 'capped' },
} as const;

export class EventsQueue {
  private constructor(
    private readonly queues: { queue: Queue; prefix: string }[],
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  static create(connection: QueueConnection): EventsQueue {
    const redis = connectRedis(connection.url, 'producer', { tls: connection.tls });
    const layout = layoutOf(connection);
    const queues = layout.queues.map((prefix) => {
      const queue = new Queue(EVENTS_QUEUE, { connection: redis, prefix });
      queue.on('error', () => {});
      return { queue, prefix };
    });
    return new EventsQueue(queues, redis, layout.plain);
  }

  /** How many queues batches are spread over. */
  get queueCount(): number {
    return this.queues.length;
  }

  /** The queue a site's batches go to (the collector keeps one open batch per queue). */
  queueOf(site: string): number {
    return queueOfSite(site, this.queues.length);
  }

  /** Resolves once the batch is in Redis; rejects with QueueUnavailableError otherwise. */
  async enqueueBatch(batch: AnonymousBatch): Promise<void> {
    // Not connected: nothing is written, so the tag may send the batch again (503). Once a command
    // is written, a lost connection leaves its outcome unknown (504).
    if (this.redis.status !== 'ready') {
      throw new QueueUnavailableError({ cause: new Error(`the Redis connection is ${this.redis.status}`) });
    }
    // The pending record shares the queue's hash tag, so on a cluster both commands go to one primary
    // over one connection, in this order.
    const { queue, prefix } = this.queues[this.queueOf(batch.events[0]?.site ?? '')]!;
    // Pending first: a batch in the queue but not in the set could be released around. Both
    // commands go out at once on the one connection, so Redis runs the ZADD before the job's
    // script, at the cost of one round trip instead of two: under single-event load a request
    // waits for about two batches' round trips, and the collector idled a third of the time.
    const recorded = recordPending(this.redis, prefix, batch);
    const added = queue.add('batch', batch, { ...JOB_OPTIONS, jobId: batch.id });
    const [record, job] = await Promise.allSettled([recorded, added]);
    if (job.status === 'rejected') {
      // A dangling pending entry only delays release until the release step prunes it.
      if (isUnsent(job.reason) || isRefusedByRedis(job.reason))
        throw new QueueUnavailableError({ cause: job.reason });
      throw new QueueOutcomeUnknownError({ cause: job.reason });
    }
    if (record.status === 'rejected') {
      // A job without its entry is taken back: the request is refused, and the tag's retry must not
      // count its events twice. A job a worker holds already, or one that could not be removed, is
      // still queued: the tag must not send it again.
      const removed = await queue.remove(batch.id).catch(() => 0);
      if (removed === 1) {
        // Whichever half of the record did land goes too.
        await forgetPending(this.redis, prefix, batch.id).catch(() => {});
        // Invariant 6: nothing of a refused request is kept, the append-only file included.
        await requestAofRewrite(this.redis, this.prefix).catch(() => {});
        throw new QueueUnavailableError({ cause: record.reason });
      }
      throw new QueueOutcomeUnknownError({ cause: record.reason });
    }
    // On a Redis Cluster, acknowledged means on a replica too: a primary killed now loses nothing.
    // Not replicated in time, the batch may or may not survive a failover: its outcome is unknown.
    const replicated = await waitForReplica(this.redis, pendingKey(prefix), REPLICA_WAIT_MS).catch(
      (error: unknown) => {
        throw new QueueOutcomeUnknownError({ cause: error });
      },
    );
    if (!replicated)
      throw new QueueOutcomeUnknownError({ cause: new Error('no replica confirmed the batch') });
  }

  /**
   * Waits for the first connection (start-up), so the first beacons are not refused, and registers
   * this collector's queues before it sends a batch to any (queue-registry.ts).
   */
  async connected(timeoutMs = 5000): Promise<void> {
    await waitUntilConnected(this.redis, timeoutMs);
    await registerQueueCount(this.redis, this.prefix, this.queues.length);
  }

  async isReady(timeoutMs = 1000): Promise<boolean> {
    try {
      const pong = await Promise.race([
        this.redis.ping(),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), timeoutMs)),
      ]);
      return pong === 'PONG';
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.queues.map(({ queue }) => queue.close()));
    this.redis.disconnect();
  }
}

export interface WatermarkReader {
  /** Oldest event time (ms) of any batch not yet staged, or undefined when none is pending. */
  watermark(now: number): Promise<number | undefined>;
  /** What the batches pending since before `before` (ms) hold back, site by site (pending-batches.ts). */
  holds(before: number, now: number): Promise<PendingHolds>;
  close(): Promise<void>;
}

/**
 * Reads the watermark, pruning entries whose batch no longer exists (a collector that died between
 * recording a batch and queueing it) once they are older than `orphanAfterMs`.
 */
export function createWatermarkReader(connection: QueueConnection, orphanAfterMs = 120_000): WatermarkReader {
  const redis = connectRedis(connection.url, 'consumer', { tls: connection.tls });
  const opened = new Map<string, Queue>();
  const plain = layoutOf(connection).plain;
  /** Every queue a batch may wait in: as many as any collector registered. */
  const allQueues = async () => {
    const count = await readQueueCount(redis, plain, connection.queues ?? 1);
    return layoutOf(connection, count).queues.map((prefix) => {
      let queue = opened.get(prefix);
      if (!queue) {
        queue = new Queue(EVENTS_QUEUE, { connection: redis, prefix });
        queue.on('error', () => {});
        opened.set(prefix, queue);
      }
      return { queue, prefix };
    });
  };
  // One round trip for all the suspects of a queue: a batch old enough whose job no longer exists.
  const orphansOf = (queue: Queue, now: number) => async (ids: string[]) => {
    const suspects = ids.filter((id) => {
      const createdAt = batchCreatedAt(id);
      return createdAt !== undefined && now - createdAt > orphanAfterMs;
    });
    const exists = await Promise.all(suspects.map((id) => redis.exists(queue.toKey(id))));
    const gone = new Set(suspects.filter((_, index) => exists[index] === 0));
    return ids.map((id) => gone.has(id));
  };
  const holds = async (before: number, now: number) => {
    // Every queue is read: one that cannot be read rejects, and the release waits for the next
    // tick rather than close a window around its batches.
    const queues = await allQueues();
    return mergeHolds(
      await Promise.all(
        queues.map(({ queue, prefix }) => readHolds(redis, prefix, before, orphansOf(queue, now))),
      ),
    );
  };
  return {
    holds,
    async watermark(now) {
      // The oldest of every site's holds, over every pending batch.
      const all = await holds(Number.MAX_SAFE_INTEGER, now);
      const oldest = Math.min(all.everySite ?? Number.POSITIVE_INFINITY, ...all.bySite.values());
      return Number.isFinite(oldest) ? oldest : undefined;
    },
    async close() {
      await Promise.all([...opened.values()].map((queue) => queue.close()));
      redis.disconnect();
    },
  };
}

/** Batch ids start with their creation time in base 36, so an orphan can be aged without a lookup. */
export function newBatchId(now: number, random: string): string {
  return `${now.toString(36)}-${random}`;
}

export function batchCreatedAt(id: string): number | undefined {
  const head = id.split('-')[0];
  const value = head ? Number.parseInt(head, 36) : Number.NaN;
  return Number.isFinite(value) ? value : undefined;
}

export interface EventsWorkerOptions {
  connection: QueueConnection;
  /** Jobs taken at once; the batches held together are staged as one group (job-groups.ts). */
  concurrency: number;
  /** Stages a group of batches as one insert deduplicated by `group.id`; throw to retry them. */
  stage(group: StagingGroup): Promise<void>;
  onFailed?(reason: 'invalid_batch' | 'gave_up', job: { id: string }): void;
  lockDurationMs?: number;
  /**
   * How often at most the queue's append-only file is rewritten so that staged batches leave the
   * disk (core/redis/aof-rewrites.ts); 0 turns it off (tests, benchmarks). Default 20 s.
   */
  aofRewriteEveryMs?: number;
  onAofRewrite?(outcome: AofRewriteOutcome): void;
  /** How often the batches that failed for good are checked for expiry (tests); default 10 minutes. */
  failedSweepEveryMs?: number;
  /** How often to look for queues a collector registered since (tests); default 5 s. */
  queueCheckEveryMs?: number;
}

export interface EventsWorker {
  /** Stops taking new batches (the ones running finish). */
  pause(): Promise<void>;
  resume(): void;
  close(): Promise<void>;
}

export { groupSizeFor, type StagingGroup, UnrecoverableError };

/** The job's payload when it is a strict anonymous batch carrying the job's own id. */
function batchOf(job: Job | undefined, id: string): AnonymousBatch | undefined {
  const data: unknown = job?.data;
  return isAnonymousBatch(data) && data.id === id ? data : undefined;
}

/**
 * Consumes batches. The payload is checked against the strict schema (compiled, see
 * schema/compiled-check.ts), so a job that carries any field beyond the anonymous event (an IP, a
 * user agent) is refused and never staged. The valid batches a worker holds at once are staged
 * together, in groups that keep their id across retries. With several queues, a BullMQ worker of
 * `concurrency` consumes each one, with its own groups (a group's claim is one script over keys of
 * its queue's slot).
 */
export function startEventsWorker(options: EventsWorkerOptions): EventsWorker {
  compileBatchCheck();
  const redis = connectRedis(options.connection.url, 'consumer', { tls: options.connection.tls });
  const layout = layoutOf(options.connection);
  const rewrites = startAofRewrites({
    redis,
    prefix: layout.plain,
    everyMs: options.aofRewriteEveryMs ?? AOF_REWRITE_EVERY_MS,
    onRewrite: options.onAofRewrite,
  });
  const consumers = new Map<string, ReturnType<typeof consumeQueue>>();
  let paused = false;
  let closed = false;
  const consume = (count: number) => {
    for (const prefix of layoutOf(options.connection, count).queues) {
      if (consumers.has(prefix)) continue;
      const consumer = consumeQueue(options, redis, prefix, rewrites);
      if (paused) void consumer.worker.pause(true).catch(() => {});
      consumers.set(prefix, consumer);
    }
  };
  consume(options.connection.queues ?? 1);
  // Queues a collector registered beyond this worker's own count (queue-registry.ts): consumed too.
  const lookForQueues = () => {
    if (closed) return;
    void readQueueCount(redis, layout.plain, options.connection.queues ?? 1)
      .then((count) => {
        if (!closed) consume(count);
      })
      .catch(() => {});
  };
  lookForQueues();
  const looking = setInterval(lookForQueues, options.queueCheckEveryMs ?? QUEUE_CHECK_MS);
  looking.unref();
  return {
    pause: async () => {
      paused = true;
      await Promise.all([...consumers.values()].map((consumer) => consumer.worker.pause()));
    },
    resume: () => {
      paused = false;
      for (const consumer of consumers.values()) consumer.worker.resume();
    },
    async close() {
      closed = true;
      clearInterval(looking);
      await Promise.all([...consumers.values()].map((consumer) => consumer.close()));
      await rewrites.close();
      redis.disconnect();
    },
  };
}

function consumeQueue(
  options: EventsWorkerOptions,
  redis: RedisClient,
  prefix: string,
  rewrites: AofRewrites,
) {
  const reader = new Queue(EVENTS_QUEUE, { connection: redis, prefix });
  reader.on('error', () => {});
  const groups = new JobGroups({
    redis,
    prefix,
    maxBatches: groupSizeFor(options.concurrency),
    stage: options.stage,
    readBatch: async (id) => batchOf(await reader.getJob(id), id),
    jobKey: (id) => reader.toKey(id),
  });
  const worker = new Worker(
    EVENTS_QUEUE,
    async (job: Job) => {
      const batch = batchOf(job, String(job.id));
      if (!batch) {
        await forgetPending(redis, prefix, String(job.id));
        options.onFailed?.('invalid_batch', { id: String(job.id) });
        throw new UnrecoverableError('batch does not match the anonymous event schema');
      }
      await groups.stage(batch);
      await forgetPending(redis, prefix, batch.id);
    },
    {
      connection: redis,
      prefix,
      concurrency: options.concurrency,
      autorun: true,
      // A worker killed mid-batch leaves its job locked; after the lock lapses another worker
      // takes it again. Deduplicated inserts make the second run harmless, so allow many.
      maxStalledCount: 1000,
      lockDuration: options.lockDurationMs ?? 30_000,
      stalledInterval: Math.max(1000, Math.floor((options.lockDurationMs ?? 30_000) / 2)),
      settings: { backoffStrategy: (attemptsMade: number) => retryDelayMs(attemptsMade) },
    },
  );
  worker.on('error', () => {});
  // Invariant 8: BullMQ removes failed jobs past their age (removeOnFail) only when another job
  // fails, so without a later failure a failed batch, tokens and all, would stay for good.
  const sweep = setInterval(() => {
    void reader
      .clean(JOB_OPTIONS.removeOnFail.age * 1000, 1000, 'failed')
      .then((removed) => {
        if (removed.length > 0) rewrites.removed();
      })
      .catch(() => {});
  }, options.failedSweepEveryMs ?? 600_000);
  sweep.unref();
  // The record outlives the job by a few minutes (job-groups.ts), for a copy of the job that
  // claims while this one completes; a copy that claims after the job is gone stages nothing.
  worker.on('completed', (job) => {
    // BullMQ removed the job in the script that completed it, so a rewrite from now on drops it.
    rewrites.removed();
    void groups.completed(String(job.id)).catch(() => {});
  });
  worker.on('failed', (job, error) => {
    const forGood =
      !job || error instanceof UnrecoverableError || job.attemptsMade >= (job.opts.attempts ?? 1);
    // A retry removes nothing, and during a warehouse outage every try fails: a rewrite for each
    // would write the whole backlog again. A job that fails for good removed those that failed
    // more than removeOnFail's age ago.
    if (!forGood) return;
    rewrites.removed();
    if (!job || error instanceof UnrecoverableError) return;
    void forgetPending(redis, prefix, String(job.id)).catch(() => {});
    options.onFailed?.('gave_up', { id: String(job.id) });
  });
  return {
    worker,
    async close() {
      clearInterval(sweep);
      await worker.close();
      await reader.close();
    },
  };
}
