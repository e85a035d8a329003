import { afterAll, beforeAll, expect, it } from 'vitest';
import { z } from 'zod';
import { describeInBrowser, launchShopperChromium } from '../fixtures/browser.js';
import { metricValue } from '../fixtures/counts.js';
import { type PageServer, startPageServer } from '../fixtures/page-server.js';
import { afterToday, startTestPipeline, type TestPipeline } from '../fixtures/pipeline.js';
import {
  checkoutCompleted,
  checkoutStarted,
  pixelCode,
  productAddedToCart,
  productVariant,
  productViewed,
  sandboxPage,
  storefrontPage,
} from '../integrations/shopify-sandbox.js';

/**
 * A Shopify store whose only Kanon code is the Custom Pixel, in its sandboxed frame (a stand-in of
 * Shopify's, test/integrations/shopify-sandbox.ts): two shoppers' visits in Debian's chromium,
 * from a product page through checkout to the thank-you page, go through the real collector
 * (which takes the sandbox's `Origin: null` because KANON_SITES lists null for the site), queue,
 * worker and release, and are released with their day. As in browser-through-pipeline.test.ts,
 * the browsers present themselves as the desktop Chrome a shopper uses.
 */
describeInBrowser('the Shopify Custom Pixel through the real pipeline', () => {
  let pipeline: TestPipeline;
  let shop: PageServer;
  const SANDBOX = '/wpm@0/custom/web-pixel-1@1/sandbox/modern';
  const COFFEE = productVariant({ id: '8950526378201', type: 'Coffee', price: 12.5 });
  const lines = [{ variant: COFFEE, quantity: 2 }];

  beforeAll(async () => {
    let collectorUrl = '';
    shop = await startPageServer(() => collectorUrl);
    // Both shoppers' browsers run on this machine (127.0.0.1): one network, so one is enough here.
    pipeline = await startTestPipeline({
      KANON_SITES: `shop-sp=${shop.origin},null`,
      KANON_K: '2',
      KANON_MIN_NETWORKS: '1',
    });
    collectorUrl = pipeline.url;
    shop.page(SANDBOX, sandboxPage(pixelCode(pipeline.url, 'shop-sp')));
  });
  afterAll(async () => {
    await shop?.close();
    await pipeline?.close();
  });

  /** Each visit sends 7 events: 3 pageviews, a product view, an add to cart, a checkout, a purchase. */
  const staged = () => metricValue(pipeline.metrics, 'kanon_workers_events_staged_total');

  it('releases what the pixel sent, with the day, once two shoppers share it', async () => {
    const product = shop.page(
      '/products/ethiopia-yirgacheffe',
      storefrontPage({
        sandboxPath: SANDBOX,
        events: [productViewed(COFFEE), productAddedToCart(COFFEE, 2)],
      }),
    );
    const checkout = shop.page(
      '/checkouts/cn/Z2NwLWV1cm9wZS13ZXN0MTowMUo4',
      storefrontPage({ sandboxPath: SANDBOX, events: [checkoutStarted(lines)] }),
    );
    const thanks = shop.page(
      '/checkouts/cn/Z2NwLWV1cm9wZS13ZXN0MTowMUo4/thank-you',
      storefrontPage({ sandboxPath: SANDBOX, events: [checkoutCompleted(lines)] }),
    );
    for (const [visitor, platform] of ['X11; Linux x86_64', 'Windows NT 10.0; Win64; x64'].entries()) {
      const browser = await launchShopperChromium(platform);
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-GB' });
      // In every frame, the pixel's sandbox included: automation sets navigator.webdriver.
      await context.addInitScript(() =>
        Object.defineProperty(Object.getPrototypeOf(navigator), 'webdriver', { get: () => false }),
      );
      const tab = await context.newPage();
      for (const url of [product, checkout, thanks]) {
        await tab.goto(url);
        await tab.evaluate('shopifySettled()');
      }
      await tab.goto('about:blank'); // pagehide flushes what is queued
      // Kept open until its events are staged: a browser closed at once may kill the last beacon.
      const deadline = Date.now() + 20_000;
      while ((await staged()) < 7 * (visitor + 1) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        await pipeline.drain();
      }
      await context.close();
      await browser.close();
    }
    await pipeline.drain();
    await pipeline.release(afterToday());

    const products = await pipeline.warehouse.query({
      name: 'released products',
      sql: `SELECT product_id, category, views, add_to_carts, cart_units, purchased_units, item_revenue_cents, visitors
            FROM pub_products_by_day WHERE site = 'shop-sp' AND level = 0`,
      row: z.object({
        product_id: z.string(),
        category: z.string(),
        views: z.number(),
        add_to_carts: z.number(),
        cart_units: z.number(),
        purchased_units: z.number(),
        item_revenue_cents: z.number(),
        visitors: z.number(),
      }),
    });
    expect(products).toEqual([
      {
        product_id: '8950526378201',
        category: 'Coffee',
        views: 2,
        add_to_carts: 2,
        cart_units: 4,
        purchased_units: 4,
        item_revenue_cents: 5000,
        visitors: 2,
      },
    ]);
    const overview = await pipeline.warehouse.query({
      name: 'released overview',
      sql: `SELECT pageviews, orders, revenue_cents, visitors FROM pub_overview_by_day WHERE site = 'shop-sp'`,
      row: z.object({
        pageviews: z.number(),
        orders: z.number(),
        revenue_cents: z.number(),
        visitors: z.number(),
      }),
    });
    expect(overview).toEqual([{ pageviews: 6, orders: 2, revenue_cents: 5000, visitors: 2 }]);
    const pages = await pipeline.warehouse.query({
      name: 'released pages',
      sql: `SELECT DISTINCT path FROM pub_pages_by_day WHERE site = 'shop-sp' ORDER BY path`,
      row: z.object({ path: z.string() }),
    });
    // The checkout's token never reaches a released page path.
    expect(pages.map((row) => row.path).join(' ')).not.toContain('Z2NwLWV1cm9wZS13ZXN0MTowMUo4');
  });
});
