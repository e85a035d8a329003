import { createWatermarkReader, type QueueConnection } from '../../core/queue/events-queue.js';
import { type ReleaseSchedule, startReleaseSchedule } from '../../core/queue/release-queue.js';
import { type ReleaseDeps, releaseDue, sitesDue } from './release-due.js';

/** How often the release ticks: a twelfth of a window, from 1 s to 30 s. */
export const releaseEveryMs = (windowSeconds: number): number =>
  Math.min(30_000, Math.max(1000, (windowSeconds * 1000) / 12));

/**
 * The release of a worker process: the schedule's ticks and per-site jobs (core/queue/release-queue.ts)
 * over releaseDue, with the holds of the batches still queued read from every queue. One place for
 * `npm start`/`kanon workers` and the bench's worker, which run it alike.
 */
export async function scheduleReleases(options: {
  connection: QueueConnection;
  deps: Omit<ReleaseDeps, 'holds'>;
  /** Told of every site's run (the bench counts the windows). */
  onRun?(result: Awaited<ReturnType<typeof releaseDue>>): void;
}): Promise<ReleaseSchedule & { everyMs: number }> {
  const reader = createWatermarkReader(options.connection);
  const deps: ReleaseDeps = { ...options.deps, holds: (before, now) => reader.holds(before, now) };
  const everyMs = releaseEveryMs(deps.settings.windowSeconds);
  const schedule = await startReleaseSchedule({
    connection: options.connection,
    everyMs,
    sitesDue: () => sitesDue(deps),
    releaseSite: async (site, until) => {
      const result = await releaseDue(deps, { site, until });
      options.onRun?.(result);
      return result.more;
    },
    onError: (error, site) =>
      deps.log.error({ err: error, site }, 'release failed; it runs again at the next tick'),
  }).catch(async (error: unknown) => {
    await reader.close();
    throw error;
  });
  return {
    everyMs,
    async close() {
      await schedule.close();
      await reader.close();
    },
  };
}
