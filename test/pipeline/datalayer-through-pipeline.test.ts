import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeInBrowser } from '../fixtures/browser.js';
import { metricValue } from '../fixtures/counts.js';
import { type PageServer, startPageServer } from '../fixtures/page-server.js';
import { afterToday, startTestPipeline, type TestPipeline } from '../fixtures/pipeline.js';
import { releasedShop, SHOPPER_PLATFORMS, visitAsShopper } from '../fixtures/shop-visits.js';

/**
 * A shop that uses only a GA4 data layer (no kanon() call anywhere): its pages push GA4's
 * recommended e-commerce events, some before any tag has loaded, and carry the core tag and the
 * data layer add-on. Two shoppers' visits in Debian's chromium go through the real collector,
 * queue, worker and release, and are released with their day. As in
 * browser-through-pipeline.test.ts, the browsers present themselves as the desktop Chrome a
 * shopper uses, since the collector drops automated browsers as bots.
 */
describeInBrowser('a GA4 data layer page through the real pipeline', () => {
  let pipeline: TestPipeline;
  let shop: PageServer;

  const page = (
    pushes: string,
  ) => `<!doctype html><html><head><meta charset="utf-8"><title>Kanon Coffee</title>
<meta name="kanon:page-type" content="product">
<script>window.dataLayer = window.dataLayer || [];
function gtag(){ dataLayer.push(arguments); }
${pushes}</script>
<script defer src="{{COLLECTOR_URL}}/tracker.js" data-site="shop-dl"></script>
<script defer src="{{COLLECTOR_URL}}/datalayer.js"></script>
</head><body><h1>Ethiopia Yirgacheffe</h1></body></html>`;

  const ITEM = `{ item_id: 'p01', item_name: 'Ethiopia Yirgacheffe', item_category: 'coffee', price: 12.5, quantity: 2 }`;

  beforeAll(async () => {
    let collectorUrl = '';
    shop = await startPageServer(() => collectorUrl);
    // Both shoppers' browsers run on this machine (127.0.0.1): one network, so one is enough here.
    pipeline = await startTestPipeline(
      { KANON_SITES: `shop-dl=${shop.origin}`, KANON_K: '2', KANON_MIN_NETWORKS: '1' },
      { tracker: true },
    );
    collectorUrl = pipeline.url;
    expect((await fetch(`${pipeline.url}/datalayer.js`)).status).toBe(200);
  });
  afterAll(async () => {
    await shop?.close();
    await pipeline?.close();
  });

  /** Each visit sends 5 events: 2 pageviews, a product view, an add to cart and a purchase. */
  const staged = () => metricValue(pipeline.metrics, 'kanon_workers_events_staged_total');

  // Two shoppers' chromiums, one after the other, on a machine whose 2 cores the whole suite shares.
  it('releases what the data layer said, with the day, once two shoppers share it', {
    timeout: 180_000,
  }, async () => {
    const product = shop.page(
      '/products/yirgacheffe',
      page(`gtag('event', 'view_item', { currency: 'EUR', value: 12.5, items: [${ITEM}] });`),
    );
    const thanks = shop.page(
      '/thanks',
      page(`dataLayer.push({ ecommerce: null });
dataLayer.push({ event: 'purchase', user_id: 'anna@example.com',
  ecommerce: { transaction_id: 'T-1042', currency: 'EUR', value: 25, coupon: 'ANNA10', items: [${ITEM}] } });`),
    );
    for (const [visitor, platform] of SHOPPER_PLATFORMS.entries()) {
      await visitAsShopper(
        pipeline,
        platform,
        async (tab) => {
          await tab.goto(product);
          await tab.evaluate(
            `gtag('event', 'add_to_cart', { currency: 'EUR', value: 25, items: [${ITEM}] })`,
          );
          await tab.goto(thanks);
          await tab.close(); // pagehide flushes what is queued
        },
        async () => (await staged()) >= 5 * (visitor + 1),
      );
    }
    await pipeline.drain();
    await pipeline.release(afterToday());

    const { products, overview } = await releasedShop(pipeline, 'shop-dl');
    expect(products).toEqual([
      {
        product_id: 'p01',
        category: 'coffee',
        views: 2,
        add_to_carts: 2,
        cart_units: 4,
        purchased_units: 4,
        item_revenue_cents: 5000,
        visitors: 2,
      },
    ]);
    expect(overview).toEqual([{ pageviews: 4, orders: 2, revenue_cents: 5000, visitors: 2 }]);
  });
});
