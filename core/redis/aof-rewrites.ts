import type { Redis } from 'ioredis';
import { type RedisClient, serversOf } from './connect.js';

/**
 * Invariant 8: no event payload stays on disk once its batch is staged. The queue's Redis keeps an
 * append-only file so that a 202 survives a restart (invariant 5), and a job removed from memory
 * stays in that file until Redis rewrites it, which Redis does on its own only once the file has
 * doubled past 64 MB: every 15 to 30 s at 10,000 events/s, at low traffic never.
 *
 * So the workers ask for the rewrite themselves (BGREWRITEAOF), through Redis commands only, so
 * that it works on docker-compose's Redis as on npm start's. Redis 7 forks, writes what it holds at
 * that moment (the batches still queued) as a new base file, and starts a new incremental file
 * at the fork; when the rewrite ends it deletes the old base and incremental files, and with them
 * every batch removed before the fork. Batches removed after it go with the next rewrite.
 *
 * Across all workers, at most one rewrite starts every `everyMs`, and only when some batch left
 * the queue since the last one: a worker that removed any marks `<prefix>:aof-rewrite:due` at its
 * next tick (every quarter of `everyMs`); whichever worker first takes the slot
 * `<prefix>:aof-rewrite:slot` (SET NX with a lifetime of `everyMs`) and finds the mark clears it
 * and asks for the rewrite. A batch staged at time t is therefore off the disk by
 * t + 1.5 × everyMs plus the rewrite's own duration (milliseconds at 10,000 events/s,
 * docs/benchmarks.md). Not deleting queued batches is what keeps the acknowledgement durable.
 */

/** Rewrites start at most this often: a staged batch is off the disk within about 30 s. */
export const AOF_REWRITE_EVERY_MS = 20_000;

export type AofRewriteOutcome = 'started' | 'busy' | 'failed';

export interface AofRewriteOptions {
  /** On a Redis Cluster every node keeps its own append-only file, so each one is rewritten. */
  redis: RedisClient;
  prefix: string;
  /** Rewrites start at most this often (0: never, for tests and benchmarks that compare). */
  everyMs: number;
  onRewrite?(outcome: AofRewriteOutcome): void;
}

export interface AofRewrites {
  /** Jobs left Redis (completed ones, failed ones past their age): their payloads must leave the disk. */
  removed(): void;
  /**
   * Stops the ticks. A worker that removed jobs since its last own rewrite starts one more and
   * waits (a few seconds at most) for it to end, so what it staged does not wait on disk for the
   * next start (npm start stops its Redis right after).
   */
  close(): Promise<void>;
}

const dueKey = (prefix: string) => `${prefix}:aof-rewrite:due`;
const slotKey = (prefix: string) => `${prefix}:aof-rewrite:slot`;

/** Asks the workers for a rewrite at their next slot (a process that removed a job without staging it). */
export async function requestAofRewrite(redis: RedisClient, prefix: string): Promise<void> {
  await redis.set(dueKey(prefix), '1');
}

const serverPersistence = async (redis: Redis) => {
  const info = await redis.info('persistence');
  const field = (name: string) => info.match(new RegExp(`^${name}:(\\d+)`, 'm'))?.[1];
  return {
    appendOnly: field('aof_enabled') === '1',
    rewriting: field('aof_rewrite_in_progress') === '1' || field('aof_rewrite_scheduled') === '1',
  };
};

/** Whether any server still rewrites (a cluster's nodes each run their own). */
const rewriting = async (redis: RedisClient) =>
  (await Promise.all(serversOf(redis).map(serverPersistence))).some((state) => state.rewriting);

/**
 * Starts a rewrite unless the server keeps no append-only file: BGREWRITEAOF would then write one,
 * putting on disk what was never meant to be there. 'busy' when one is running already (it may
 * have forked before the latest removals, so the caller asks again later).
 */
async function rewriteServer(redis: Redis): Promise<AofRewriteOutcome | 'off'> {
  if (!(await serverPersistence(redis)).appendOnly) return 'off';
  try {
    await redis.bgrewriteaof();
    return 'started';
  } catch (error) {
    if (error instanceof Error && /already in progress/i.test(error.message)) return 'busy';
    return 'failed';
  }
}

/** Every server's rewrite; the worst outcome counts, so a busy or failed node is asked again. */
async function rewrite(redis: RedisClient): Promise<AofRewriteOutcome | 'off'> {
  const outcomes = await Promise.all(
    serversOf(redis).map((server) => rewriteServer(server).catch(() => 'failed' as const)),
  );
  for (const worst of ['failed', 'busy', 'started'] as const) if (outcomes.includes(worst)) return worst;
  return 'off';
}

export function startAofRewrites(options: AofRewriteOptions): AofRewrites {
  const { redis, prefix, everyMs } = options;
  // A worker that starts marks a rewrite due: one that died before its own may have left staged
  // batches on disk.
  let removedSinceTick = true;
  let removedSinceOwnRewrite = false;
  let ticking: Promise<void> | undefined;

  const report = (outcome: AofRewriteOutcome | 'off') => {
    if (outcome !== 'off') options.onRewrite?.(outcome);
  };

  async function tick(): Promise<void> {
    if (removedSinceTick) {
      removedSinceTick = false;
      await requestAofRewrite(redis, prefix).catch((error: unknown) => {
        removedSinceTick = true;
        throw error;
      });
    }
    if ((await redis.set(slotKey(prefix), '1', 'PX', everyMs, 'NX')) !== 'OK') return;
    if ((await redis.del(dueKey(prefix))) === 0) return;
    const outcome = await rewrite(redis).catch(() => 'failed' as const);
    if (outcome === 'started' || outcome === 'off') removedSinceOwnRewrite = false;
    // Still due: the next slot, of this worker or another, tries again.
    else await requestAofRewrite(redis, prefix);
    report(outcome);
  }

  const timer =
    everyMs > 0
      ? setInterval(() => {
          if (ticking) return;
          ticking = tick()
            .catch(() => report('failed'))
            .finally(() => {
              ticking = undefined;
            });
        }, everyMs / 4)
      : undefined;
  timer?.unref();

  async function finalRewrite(deadline: number): Promise<void> {
    for (;;) {
      const outcome = await rewrite(redis);
      if (outcome !== 'busy') {
        report(outcome);
        if (outcome !== 'started') return;
        break;
      }
      if (Date.now() > deadline) return report('busy');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    while ((await rewriting(redis)) && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
  }

  return {
    removed() {
      removedSinceTick = true;
      removedSinceOwnRewrite = true;
    },
    async close() {
      if (!timer) return;
      clearInterval(timer);
      // Redis may be gone already (a fault, or a stopped deployment): give up after a few seconds
      // rather than hold the shutdown; the next worker to start asks for the rewrite then.
      const deadline = Date.now() + 5000;
      const last = async () => {
        await ticking;
        if (removedSinceOwnRewrite) await finalRewrite(deadline);
      };
      const gaveUp = new Promise<void>((resolve) => setTimeout(resolve, 5500).unref());
      await Promise.race([last().catch(() => report('failed')), gaveUp]);
    },
  };
}
