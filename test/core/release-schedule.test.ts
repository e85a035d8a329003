import { afterEach, describe, expect, it } from 'vitest';
import { type ReleaseSchedule, SITE_TURN_MS, startReleaseSchedule } from '../../core/queue/release-queue.js';
import { testRedisUrl, uniquePrefix } from '../fixtures/redis.js';

/**
 * The release schedule on a real Redis (BullMQ): each tick gives every site with periods due a job
 * of its own, consumed by every worker process, so a slow site's release never holds back another
 * site's; a site is released by one worker at a time; a failing site is retried at the next tick
 * and does not stop the others.
 */
const waitFor = async (what: string, done: () => boolean, ms = 15_000) => {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

describe('release schedule: one job per site', () => {
  const opened: ReleaseSchedule[] = [];
  const unblock: (() => void)[] = [];
  afterEach(async () => {
    // A failed assertion leaves slow's release hanging: let it end, so the schedules can close.
    for (const release of unblock.splice(0)) release();
    for (const schedule of opened.splice(0)) await schedule.close();
  });

  /** A fake warehouse-side of the release: which sites are due, and what each release does. */
  const harness = () => {
    const state = {
      due: ['slow', 'fast'],
      releases: new Map<string, number>(),
      running: new Map<string, number>(),
      mostAtOnce: new Map<string, number>(),
      turns: [] as number[],
      errors: [] as (string | undefined)[],
      order: [] as string[],
      unblockSlow: () => {},
    };
    const slowBlocked = new Promise<void>((resolve) => {
      state.unblockSlow = resolve;
    });
    unblock.push(() => state.unblockSlow());
    const releaseSite = async (site: string, until: number) => {
      state.turns.push(until - Date.now());
      const now = (state.running.get(site) ?? 0) + 1;
      state.running.set(site, now);
      state.mostAtOnce.set(site, Math.max(state.mostAtOnce.get(site) ?? 0, now));
      try {
        if (site === 'slow') await slowBlocked;
        if (site === 'bad') throw new Error('the engine refused this site');
        state.releases.set(site, (state.releases.get(site) ?? 0) + 1);
        state.order.push(site);
        // 'long' has a backlog that takes three turns more than its first.
        return site === 'long' && (state.releases.get(site) ?? 0) < 4;
      } finally {
        state.running.set(site, (state.running.get(site) ?? 1) - 1);
      }
    };
    return { state, releaseSite };
  };

  const start = async (prefix: string, h: ReturnType<typeof harness>, everyMs = 150) => {
    const schedule = await startReleaseSchedule({
      connection: { url: testRedisUrl(), prefix },
      everyMs,
      sitesDue: async () => h.state.due,
      releaseSite: h.releaseSite,
      onError: (_error, site) => h.state.errors.push(site),
    });
    opened.push(schedule);
    return schedule;
  };

  it("releases a site again and again while another site's release hangs, in one process", async () => {
    const h = harness();
    await start(uniquePrefix('release-one'), h);
    await waitFor('fast released three times', () => (h.state.releases.get('fast') ?? 0) >= 3);
    expect(h.state.releases.get('slow') ?? 0).toBe(0);
    expect(h.state.running.get('slow')).toBe(1);
    h.state.unblockSlow();
    await waitFor('slow released', () => (h.state.releases.get('slow') ?? 0) >= 1);
    // Every turn ends about SITE_TURN_MS after it started.
    for (const turn of h.state.turns) expect(turn).toBeLessThanOrEqual(SITE_TURN_MS);
    expect(Math.min(...h.state.turns)).toBeGreaterThan(SITE_TURN_MS - 5_000);
  });

  it('never runs one site in two processes at once', async () => {
    const h = harness();
    const prefix = uniquePrefix('release-two');
    await start(prefix, h);
    await start(prefix, h);
    await waitFor('fast released five times', () => (h.state.releases.get('fast') ?? 0) >= 5);
    // Many ticks came while slow's job ran; none added a second job for slow.
    expect(h.state.mostAtOnce.get('slow')).toBe(1);
    expect(h.state.mostAtOnce.get('fast')).toBe(1);
    h.state.unblockSlow();
    await waitFor('slow released', () => (h.state.releases.get('slow') ?? 0) >= 1);
    expect(h.state.mostAtOnce.get('slow')).toBe(1);
  });

  it('gives a site with a backlog its next turn at once, behind the sites already waiting', async () => {
    const h = harness();
    h.state.due = ['long', 'fast', 'other'];
    // One tick in the test's time: every later turn comes from the site's own job.
    await start(uniquePrefix('release-turns'), h, 600_000);
    await waitFor('long released four times', () => (h.state.releases.get('long') ?? 0) >= 4);
    expect(h.state.order.filter((site) => site === 'long')).toHaveLength(4);
    // Its second turn came after the sites that were waiting when its first ended.
    expect(h.state.order.indexOf('fast')).toBeLessThan(h.state.order.lastIndexOf('long'));
    expect(h.state.order.indexOf('other')).toBeLessThan(h.state.order.lastIndexOf('long'));
    expect(h.state.mostAtOnce.get('long')).toBe(1);
    expect(h.state.errors).toEqual([]);
  });

  it('reports a failing site and retries it at the next tick, while the others go on', async () => {
    const h = harness();
    h.state.due = ['bad', 'fast'];
    await start(uniquePrefix('release-bad'), h);
    await waitFor('bad tried three times', () => h.state.errors.filter((site) => site === 'bad').length >= 3);
    await waitFor('fast released three times', () => (h.state.releases.get('fast') ?? 0) >= 3);
    expect(new Set(h.state.errors)).toEqual(new Set(['bad']));
  });
});
