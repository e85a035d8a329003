import { DelayedError, Queue, Worker } from 'bullmq';
import { connectRedis } from '../redis/connect.js';
import { layoutOf, type QueueConnection } from './events-queue.js';

/**
 * The release schedule, on BullMQ queue "release". A job scheduler adds a "tick" every `everyMs`
 * (one schedule for the deployment, however many processes upsert it); the tick asks which sites
 * have periods to release and adds one "site" job per site. Every worker process consumes the
 * queue, so the sites' releases spread over the workers and one site's release never waits for
 * another's beyond the workers' capacity (issue 28). A site's job has the site in its id, so while
 * it waits or runs no second one is added: a site is released by one worker at a time (the release
 * is also safe to run twice or concurrently, which a stalled job retaken after a crash does). A site
 * with a long backlog takes turns: its job stops taking windows after `SITE_TURN_MS` and goes to the
 * back of the queue for its next turn. One schedule serves every events queue; on a Redis Cluster
 * its keys carry the deployment's hash tag (core/redis/key-layout.ts).
 */
export const RELEASE_QUEUE = 'release';
const SCHEDULER_ID = 'release-tick';

/** How long a site's job takes windows before it leaves the rest to its next turn. */
export const SITE_TURN_MS = 20_000;

/**
 * Jobs one process runs at once: a tick and a site, or two sites, so a site with a long turn does
 * not stop the next tick's planning. Releases are query-bound, and the engine runs queries
 * concurrently, the embedded one included.
 */
const CONCURRENCY = 2;

export interface ReleaseSchedule {
  close(): Promise<void>;
}

export interface ReleaseScheduleOptions {
  connection: QueueConnection;
  everyMs: number;
  /** The sites that have a window or a day to release now (workers/release/release-due.ts). */
  sitesDue(): Promise<string[]>;
  /**
   * Releases a site's due periods, taking no new window after `until` (wall-clock ms); resolves
   * true when it left some for another turn.
   */
  releaseSite(site: string, until: number): Promise<boolean>;
  onError(error: unknown, site?: string): void;
}

/** A site's job id: BullMQ keeps one job per id, so a site waits or runs once at a time. */
const siteJobId = (site: string) => `site-${site}`;

export async function startReleaseSchedule(options: ReleaseScheduleOptions): Promise<ReleaseSchedule> {
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
    async (job, token) => {
      const site = job.name === 'site' ? String((job.data as { site?: unknown }).site ?? '') : undefined;
      let more = false;
      try {
        if (site === undefined) {
          const sites = await options.sitesDue();
          await queue.addBulk(
            sites.map((due) => ({
              name: 'site',
              data: { site: due },
              // Removed at once either way: the next tick adds the site again while it has periods due.
              opts: { jobId: siteJobId(due), removeOnComplete: true, removeOnFail: true, attempts: 1 },
            })),
          );
        } else {
          more = await options.releaseSite(site, Date.now() + SITE_TURN_MS);
        }
      } catch (error) {
        options.onError(error, site);
        throw error;
      }
      if (more && token) {
        // Its next turn, at once but behind the jobs already waiting (a delayed job due now is
        // promoted to the back of the queue), keeping its id so no second job for the site appears.
        await job.moveToDelayed(Date.now(), token);
        throw new DelayedError();
      }
    },
    { connection: redis, prefix, concurrency: CONCURRENCY },
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
