import { Queue, Worker } from 'bullmq';
import { connectRedis } from '../redis/connect.js';
import { layoutOf, type QueueConnection } from './events-queue.js';

/**
 * The release schedule: a BullMQ job scheduler on queue "release" ticks every `everyMs`, and a
 * worker with concurrency 1 runs the release for each tick. Ticks from several worker processes may
 * overlap; the release itself is idempotent and safe to run concurrently. One schedule serves every
 * events queue (its watermark reads them all); on a Redis Cluster its keys carry the deployment's
 * hash tag (core/redis/key-layout.ts).
 */
export const RELEASE_QUEUE = 'release';
const SCHEDULER_ID = 'release-tick';

export interface ReleaseSchedule {
  close(): Promise<void>;
}

export async function startReleaseSchedule(options: {
  connection: QueueConnection;
  everyMs: number;
  run(): Promise<void>;
  onError(error: unknown): void;
}): Promise<ReleaseSchedule> {
  const redis = connectRedis(options.connection.url, 'consumer', { tls: options.connection.tls });
  const prefix = layoutOf(options.connection).release;
  const queue = new Queue(RELEASE_QUEUE, { connection: redis, prefix });
  queue.on('error', () => {});
  await queue.upsertJobScheduler(
    SCHEDULER_ID,
    { every: options.everyMs },
    { name: 'tick', opts: { removeOnComplete: true, removeOnFail: { age: 86_400 }, attempts: 1 } },
  );
  const worker = new Worker(
    RELEASE_QUEUE,
    async () => {
      try {
        await options.run();
      } catch (error) {
        options.onError(error);
        throw error;
      }
    },
    { connection: redis, prefix, concurrency: 1 },
  );
  worker.on('error', () => {});
  return {
    async close() {
      await worker.close();
      await queue.close();
      redis.disconnect();
    },
  };
}
