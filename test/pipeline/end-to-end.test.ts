import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  afterToday,
  browserHeaders,
  SHOP_ORIGIN,
  shopperAddress,
  startTestPipeline,
  type TestPipeline,
  waitForRoomInWindow,
} from '../fixtures/pipeline.js';

const visitor = (n: number) => browserHeaders({ 'x-forwarded-for': shopperAddress(n) });

describe('the pipeline end to end', () => {
  let pipeline: TestPipeline;

  beforeAll(async () => {
    pipeline = await startTestPipeline({ KANON_TRUST_PROXY: 'true', KANON_K: '3' });
  });
  afterAll(async () => {
    await pipeline?.close();
  });

  it('takes beacons over HTTP, queues them, stages them, releases them and serves them', async () => {
    await waitForRoomInWindow(10_000); // one window is released
    for (let n = 1; n <= 4; n += 1) {
      const response = await pipeline.send(
        {
          site: 'shop',
          events: [
            {
              type: 'pageview',
              url: `${SHOP_ORIGIN}/shoes?utm_source=news&secret=1`,
              referrer: 'https://www.google.com/search?q=x',
            },
            {
              type: 'product_view',
              url: `${SHOP_ORIGIN}/p/red-shoe`,
              product: { id: 'red-shoe', category: 'shoes', price: 59.9 },
            },
          ],
        },
        visitor(n),
      );
      expect(response.status).toBe(202);
      expect(await response.json()).toEqual({ accepted: 2 });
    }
    await pipeline.drain();
    const release = await pipeline.release();
    expect(release.windows).toBe(1);
    const overview = await pipeline.warehouse.query({
      name: 'overview',
      sql: 'SELECT pageviews, product_views, visitors FROM pub_overview_by_window WHERE site = {site:String}',
      params: { site: 'shop' },
      row: z.object({ pageviews: z.number(), product_views: z.number(), visitors: z.number() }),
    });
    expect(overview).toEqual([{ pageviews: 4, product_views: 4, visitors: 4 }]);

    // Breakdowns are released with the day, over all of its staged cells.
    expect(await pipeline.release(afterToday())).toEqual({ windows: 0, days: 1, more: false });
    const pages = await pipeline.warehouse.query({
      name: 'pages',
      sql: 'SELECT path, level, pageviews, entries, visitors FROM pub_pages_by_day WHERE site = {site:String}',
      params: { site: 'shop' },
      row: z.object({
        path: z.string(),
        level: z.number(),
        pageviews: z.number(),
        entries: z.number(),
        visitors: z.number(),
      }),
    });
    expect(pages).toEqual([{ path: '/shoes', level: 0, pageviews: 4, entries: 4, visitors: 4 }]);
  });

  it('releases a window and a day once: a second release changes nothing', async () => {
    expect(await pipeline.release(afterToday())).toEqual({ windows: 0, days: 0, more: false });
    const rows = await pipeline.warehouse.query({
      name: 'count',
      sql: 'SELECT toUInt64((SELECT count() FROM pub_overview_by_window) + (SELECT count() FROM pub_pages_by_day)) AS n',
      row: z.object({ n: z.number() }),
    });
    expect(rows[0]?.n).toBe(2);
  });
});
