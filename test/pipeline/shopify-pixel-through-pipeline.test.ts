import { afterAll, beforeAll, expect, it } from 'vitest';
import { z } from 'zod';
import { describeInBrowser } from '../fixtures/browser.js';
import { metricValue } from '../fixtures/counts.js';
import { type PageServer, startPageServer } from '../fixtures/page-server.js';
import { afterToday, startTestPipeline, type TestPipeline } from '../fixtures/pipeline.js';
import { releasedShop, SHOPPER_PLATFORMS, visitAsShopper } from '../fixtures/shop-visits.js';
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

  // Two shoppers' chromiums, one after the other, on a machine whose 2 cores the whole suite shares.
  it('releases what the pixel sent, with the day, once two shoppers share it', {
    timeout: 180_000,
  }, async () => {
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
    for (const [visitor, platform] of SHOPPER_PLATFORMS.entries()) {
      await visitAsShopper(
        pipeline,
        platform,
        async (tab) => {
          for (const url of [product, checkout, thanks]) {
            await tab.goto(url);
            await tab.evaluate('shopifySettled()');
          }
          await tab.goto('about:blank'); // pagehide flushes what is queued
        },
        async () => (await staged()) >= 7 * (visitor + 1),
      );
    }
    await pipeline.drain();
    await pipeline.release(afterToday());

    const { products, overview } = await releasedShop(pipeline, 'shop-sp');
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
