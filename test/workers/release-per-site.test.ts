import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  afterToday,
  browserHeaders,
  SHOP_ORIGIN,
  shopperAddress,
  startTestPipeline,
  type TestPipeline,
} from '../fixtures/pipeline.js';

/**
 * Issue 28: a release of one site never waits for another site's batches. 'other' has a batch
 * queued that no worker takes (the worker is paused); 'shop', on the same queue, is staged. The
 * release publishes shop's day and holds back other's only (invariant 5: nothing acknowledged is
 * left out of a released period); once other's batch is staged, its day is published in full.
 */
const OTHER_ORIGIN = 'https://other.example';
const VISITORS = 3;

const released = async (pipeline: TestPipeline, site: string) => {
  const rows = await pipeline.warehouse.query({
    name: 'released_overview',
    sql: 'SELECT toUInt64(sum(visitors)) AS visitors, toUInt64(count()) AS rows FROM pub_overview_by_day WHERE site = {site:String}',
    params: { site },
    row: z.object({ visitors: z.number(), rows: z.number() }),
  });
  return rows[0] ?? { visitors: 0, rows: 0 };
};

const visit = async (pipeline: TestPipeline, site: string, origin: string, lane: number) => {
  for (let n = 0; n < VISITORS; n += 1) {
    const response = await pipeline.send(
      { site, events: [{ type: 'pageview', url: `${origin}/home` }] },
      browserHeaders({ origin, 'x-forwarded-for': shopperAddress(n, lane) }),
    );
    expect(response.status).toBe(202);
  }
};

describe('release per site: one site pending does not hold back another', () => {
  let pipeline: TestPipeline;

  beforeAll(async () => {
    pipeline = await startTestPipeline({ KANON_TRUST_PROXY: 'true' });
  });
  afterAll(async () => {
    await pipeline?.close();
  });

  it("publishes shop's day while other's batch waits, and other's day once it is staged", async () => {
    await visit(pipeline, 'shop', SHOP_ORIGIN, 41);
    await pipeline.drain();
    await pipeline.pauseWorker();
    await visit(pipeline, 'other', OTHER_ORIGIN, 42);

    // The tick gives shop a job of its own; other has nothing it may release yet.
    expect(await pipeline.sitesDue(afterToday())).toEqual(['shop']);
    // A turn already over takes no window, and leaves the day, which comes after them, for later.
    expect(await pipeline.release(afterToday(), { site: 'shop', until: Date.now() - 1 })).toEqual({
      windows: 0,
      days: 0,
      more: true,
    });
    expect(await released(pipeline, 'shop')).toEqual({ visitors: 0, rows: 0 });
    // Shop's own job releases shop only.
    const first = await pipeline.release(afterToday(), { site: 'shop' });
    expect(first.days).toBe(1);
    expect(await released(pipeline, 'shop')).toEqual({ visitors: VISITORS, rows: 1 });
    // Other's events are acknowledged but not staged: none of its periods may close around them.
    expect(await released(pipeline, 'other')).toEqual({ visitors: 0, rows: 0 });

    expect(await pipeline.sitesDue(afterToday())).toEqual([]);
    pipeline.resumeWorker();
    await pipeline.drain();
    expect(await pipeline.sitesDue(afterToday())).toEqual(['other']);
    const second = await pipeline.release(afterToday());
    expect(second.days).toBe(1);
    expect(await released(pipeline, 'other')).toEqual({ visitors: VISITORS, rows: 1 });
    expect(await released(pipeline, 'shop')).toEqual({ visitors: VISITORS, rows: 1 });
  });
});
