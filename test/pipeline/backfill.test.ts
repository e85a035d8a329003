import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { browserHeaders, SHOP_ORIGIN, startTestPipeline, type TestPipeline } from '../fixtures/pipeline.js';

/**
 * Backfill (the simulator's past days): a day four days back keeps one salt for the whole run, so
 * distinct visitors are counted as visitors and not as events, and its windows and the day are
 * released although they are older than the staging TTL. (Both broke before: a past day's salt got
 * an expiry already in the past, and the release only looked 48 hours back.)
 */
const TOKEN = 'backfill-secret-for-tests-0123456789';
const DAY = 86_400_000;

describe('backfilled past days', () => {
  let pipeline: TestPipeline;
  const dayStart = Math.floor((Date.now() - 4 * DAY) / DAY) * DAY;

  beforeAll(async () => {
    pipeline = await startTestPipeline({
      KANON_TRUST_PROXY: 'true',
      KANON_BACKFILL_TOKEN: TOKEN,
      KANON_WINDOW: '1h',
    });
    for (let visitor = 1; visitor <= 3; visitor += 1) {
      for (let n = 0; n < 3; n += 1) {
        const response = await pipeline.send(
          {
            site: 'shop',
            type: 'pageview',
            url: `${SHOP_ORIGIN}/old`,
            ts: dayStart + 10 * 3_600_000 + n * 60_000,
          },
          browserHeaders({ 'x-forwarded-for': `192.0.2.${visitor}`, 'x-kanon-backfill': TOKEN }),
        );
        expect(response.status).toBe(202);
      }
    }
    await pipeline.drain();
    await pipeline.release();
  });
  afterAll(async () => {
    await pipeline?.close();
  });

  it('counts three visitors, not nine events, on a day four days back', async () => {
    const rows = await pipeline.warehouse.query({
      name: 'old_window',
      sql: 'SELECT toUnixTimestamp(window_start) AS start, pageviews, visitors FROM pub_overview_by_window',
      row: z.object({ start: z.number(), pageviews: z.number(), visitors: z.number() }),
    });
    expect(rows).toEqual([{ start: dayStart / 1000 + 10 * 3600, pageviews: 9, visitors: 3 }]);
  });

  it('rolls the old day up', async () => {
    const days = await pipeline.warehouse.query({
      name: 'old_day',
      sql: 'SELECT toString(day) AS day, pageviews, visitors FROM pub_overview_by_day',
      row: z.object({ day: z.string(), pageviews: z.number(), visitors: z.number() }),
    });
    expect(days).toEqual([{ day: new Date(dayStart).toISOString().slice(0, 10), pageviews: 9, visitors: 3 }]);
  });

  it('ignores ts without the backfill secret and stamps the time of arrival', async () => {
    const response = await pipeline.send(
      { site: 'shop', type: 'pageview', url: `${SHOP_ORIGIN}/now`, ts: dayStart },
      browserHeaders({ 'x-forwarded-for': '192.0.2.9' }),
    );
    expect(response.status).toBe(202);
    await pipeline.drain();
    const rows = await pipeline.warehouse.query({
      name: 'now_window',
      sql: "SELECT toUnixTimestamp(max(window_start)) AS latest FROM stg_cells WHERE report = 'pages' AND d1 = '/now'",
      row: z.object({ latest: z.number() }),
    });
    expect(rows[0]!.latest * 1000).toBeGreaterThan(Date.now() - 2 * 3_600_000);
  });
});
