import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { releaseTwiceAtOnce, sendThroughFailover, siteOrigin } from '../fixtures/failover-load.js';
import { browserHeaders, startTestPipeline, type TestPipeline } from '../fixtures/pipeline.js';
import { startRedisSentinel, type TestRedisSentinel } from '../fixtures/redis-sentinel.js';

/**
 * Kanon on a Sentinel-managed Redis (a primary, its replica and a sentinel on loopback, found
 * through `redis-sentinel://…#kanon`): the collector, a worker and the release; the primary is
 * killed with SIGKILL while beacons arrive and the worker drains, the sentinel promotes the
 * replica, and nothing acknowledged is lost or counted twice (invariant 5).
 */
const SITES = ['shop', 'north'] as const;

describe('fault: a Sentinel-managed primary killed during a drain', () => {
  let sentinel: TestRedisSentinel;
  let pipeline: TestPipeline;

  beforeAll(async () => {
    sentinel = await startRedisSentinel();
    pipeline = await startTestPipeline(
      {
        REDIS_URL: sentinel.url,
        KANON_SITES: [...SITES, 'probe'].map((site) => `${site}=${siteOrigin(site)}`).join(';'),
        KANON_TRUST_PROXY: 'true',
        KANON_BATCH_MAX_EVENTS: '50',
      },
      { lockDurationMs: 3000 },
    );
  }, 120_000);
  afterAll(async () => {
    await pipeline?.close();
    await sentinel?.stop();
  });

  it('answers 504, not 202, while no replica confirms the batch: a failover then could lose it', async () => {
    const beacon = (path: string) =>
      pipeline.send(
        { site: 'probe', events: [{ type: 'pageview', url: `${siteOrigin('probe')}${path}` }] },
        browserHeaders({ origin: siteOrigin('probe'), 'x-forwarded-for': '198.18.9.1' }),
      );
    expect((await beacon('/before')).status).toBe(202);
    sentinel.freezeReplica(true);
    try {
      const response = await beacon('/frozen');
      expect(response.status).toBe(504);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
        'queue_outcome_unknown',
      );
    } finally {
      sentinel.freezeReplica(false);
    }
    expect((await beacon('/after')).status).toBe(202);
    await pipeline.drain();
  });

  it('stages every acknowledged request once and releases it once, through the failover', async () => {
    const result = await sendThroughFailover(pipeline, {
      sites: SITES,
      fault: () => sentinel.killPrimary(),
      healed: () => sentinel.waitForFailover(),
    });
    expect({ lost: result.lost, doubled: result.doubled }).toEqual({ lost: [], doubled: [] });
    expect(result.acknowledged).toBeGreaterThan(result.killedAt); // taken again on the new primary
    expect(result.unknown).toBeLessThan(result.acknowledged / 5);
    // Each window is published once, the same by two releases at once and by a third.
    const { first, again } = await releaseTwiceAtOnce(pipeline, SITES);
    expect(again).toEqual(first);
    expect(first.duplicates).toBe(0);
    expect(first.pageviews).toBeLessThanOrEqual(result.staged);
    expect(first.pageviews).toBeGreaterThan(result.staged * 0.95);
  }, 300_000);
});
