import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { z } from 'zod';
import { buildDemoShop } from '../../demo/shop-server.js';
import { describeInBrowser, launchShopperChromium } from '../fixtures/browser.js';
import { afterToday, startTestPipeline, type TestPipeline } from '../fixtures/pipeline.js';

/**
 * A person's visit to the demo shop, in Debian's chromium, through the real collector, queue,
 * worker and release: the events the tracker sends reach staging with the values the page had,
 * and the visit is released with its day once K visitors share it. Chromium under automation says so
 * (navigator.webdriver, a HeadlessChrome brand) and the collector drops such visits as bots, so
 * the browser here presents itself as the desktop Chrome a shopper would use.
 */
describeInBrowser('demo shop through the real pipeline', () => {
  let pipeline: TestPipeline;
  let shopUrl = '';
  let shop: ReturnType<typeof buildDemoShop>;

  beforeAll(async () => {
    let collectorUrl = '';
    shop = buildDemoShop({ site: 'demo', collectorUrl: () => collectorUrl });
    await shop.listen({ host: '127.0.0.1', port: 0 });
    shopUrl = `http://localhost:${(shop.server.address() as AddressInfo).port}`;
    // Both shoppers' browsers run on this machine (127.0.0.1): one network, so one is enough here.
    pipeline = await startTestPipeline(
      { KANON_SITES: `demo=${shopUrl}`, KANON_K: '2', KANON_MIN_NETWORKS: '1' },
      { tracker: true },
    );
    collectorUrl = pipeline.url;
    const tracker = await fetch(`${pipeline.url}/tracker.js`);
    expect(tracker.status).toBe(200);
  });
  afterAll(async () => {
    await shop?.close();
    await pipeline?.close();
  });

  const staged = async (report: string) =>
    pipeline.warehouse.query({
      name: 'staged',
      sql: `SELECT d1, d2, toUInt64(length(groupUniqArrayMerge(visitors))) AS visitors, sumMap(measures) AS measures
            FROM stg_cells WHERE report = {report:String} GROUP BY d1, d2 ORDER BY d1, d2`,
      params: { report },
      row: z.object({
        d1: z.string(),
        d2: z.string(),
        visitors: z.number(),
        measures: z.record(z.string(), z.number()),
      }),
    });

  const p02 = async () => (await staged('products')).find((row) => row.d1 === 'p02');
  /** Waits (up to 20 s) until `views` product views of p02 are staged. */
  const waitForViews = async (views: number) => {
    const deadline = Date.now() + 20_000;
    while (((await p02())?.measures.views ?? 0) < views && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      await pipeline.drain();
    }
  };

  it('stages a shopping trip and releases it with the day once two visitors share it', async () => {
    for (const visitor of [0, 1]) {
      // Two shoppers: two browsers (the visitor token is per IP and user agent; both are 127.0.0.1).
      const browser = await launchShopperChromium(
        visitor === 0 ? 'X11; Linux x86_64' : 'Windows NT 10.0; Win64; x64',
      );
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-GB' });
      // Automation sets navigator.webdriver; the tracker would report it and the visit be dropped.
      await context.addInitScript(() =>
        Object.defineProperty(Object.getPrototypeOf(navigator), 'webdriver', { get: () => false }),
      );
      const page = await context.newPage();
      await page.goto(`${shopUrl}/`);
      await page.locator('#recommendations .card').first().waitFor();
      await page.click('.hero [data-kanon-item]:first-child');
      await page.waitForURL('**/coffee');
      await page.click('#grid .card:nth-child(2) .card-link');
      await page.waitForURL('**/product?id=p02');
      await page.click('#add');
      await page.waitForURL('**/product?id=p02&cart=p02-1');
      if (visitor === 0) {
        await page.click('.cart-link');
        await page.click('#to-checkout');
        await page.click('#place-order');
        await page.waitForURL('**/thanks');
        await page.locator('#order li').first().waitFor();
      }
      await page.close(); // pagehide flushes what is queued
      // The second visitor's product events leave only with that last pagehide. A browser closed
      // right after it may kill the beacon in flight (a shopper's browser keeps running), which
      // under a loaded CI machine lost them: keep it open until they are staged.
      await waitForViews(visitor + 1);
      await context.close();
      await browser.close();
    }
    const products = await staged('products');
    expect(products.find((row) => row.d1 === 'p02')).toMatchObject({
      visitors: 2,
      measures: expect.objectContaining({ views: 2, add_to_carts: 2 }),
    });
    const overview = await staged('overview');
    expect(overview[0]?.visitors).toBe(2);
    expect(overview[0]?.measures.orders).toBe(1);

    await pipeline.release(afterToday());
    const released = await pipeline.warehouse.query({
      name: 'released',
      sql: "SELECT product_id, views, visitors FROM pub_products_by_day WHERE product_id = 'p02'",
      row: z.object({ product_id: z.string(), views: z.number(), visitors: z.number() }),
    });
    expect(released).toEqual([{ product_id: 'p02', views: 2, visitors: 2 }]);
  });
});
