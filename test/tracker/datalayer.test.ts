import fc from 'fast-check';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { buildDataLayerAddon, buildTracker } from '../../tracker/build.js';
import { browserTest, describeInBrowser } from '../fixtures/browser.js';
import { startCaptureServer, uniquePath } from './capture-server.js';
import { collectPageErrors, flushing, withoutPageFields } from './harness.js';

/** browserTest plus `capture`: the core tag and the data layer add-on behind a capture server. */
// biome-ignore lint/correctness/noEmptyPattern: vitest reads a fixture's dependencies from this pattern.
const dataLayerTest = browserTest.extend('capture', { scope: 'file' }, async ({}, { onCleanup }) => {
  const server = await startCaptureServer((await buildTracker()).code, {
    '/datalayer.js': (await buildDataLayerAddon()).code,
  });
  onCleanup(() => server.close());
  return server;
});

/**
 * A page as docs/integrations/ga4-datalayer.md tells shops to write it: their data layer (here
 * with pushes made before any tag loaded), the core tag and the add-on, and no kanon() call.
 */
function dataLayerPage(options: { before?: string; layer?: string; addonAttributes?: string } = {}) {
  const layer = options.layer ?? 'dataLayer';
  return `<!doctype html><html><head><meta charset="utf-8"><title>shop</title>
<meta name="kanon:page-type" content="product">
<script>window.${layer}=window.${layer}||[];function gtag(){${layer}.push(arguments)}
${options.before ?? ''}</script>
<script defer src="{{COLLECTOR_URL}}/tracker.js" data-site="shop-eu"></script>
<script defer src="{{COLLECTOR_URL}}/datalayer.js" ${options.addonAttributes ?? ''}></script>
</head><body><h1>shop</h1></body></html>`;
}

/** Waits until the add-on has taken over the page's data layer (it marks the layer). */
const addonLoaded = (page: Page, layer = 'dataLayer') =>
  page.waitForFunction(
    (name) => (globalThis as unknown as Record<string, { kanon?: 1 }>)[name]?.kanon === 1,
    layer,
  );

/** Runs `script` in the page, as the shop's own code (gtag, Tag Manager pushes) would. */
const inPage = (page: Page, script: string) => page.evaluate(script);

const ITEM = {
  item_id: 'p01',
  item_name: 'Ethiopia Yirgacheffe, 250 g',
  item_brand: 'Roastery',
  item_category: 'coffee',
  item_category2: 'single origin',
  item_variant: 'whole bean',
  price: 12.5,
  quantity: 2,
  coupon: 'ANNA-2026',
  discount: 1.5,
  affiliation: 'Online store',
};

describeInBrowser('tracker: the GA4 data layer add-on', () => {
  dataLayerTest(
    'sends the events pushed before it loaded, in gtag and Tag Manager form, after the pageview',
    async ({ context, capture }) => {
      const base = uniquePath('dl-early');
      const before = `
        gtag('event', 'view_item', { currency: 'EUR', value: 12.5, items: [${JSON.stringify(ITEM)}] });
        dataLayer.push({ ecommerce: null });
        dataLayer.push({ event: 'add_to_cart', ecommerce: { currency: 'EUR', value: 25, items: [${JSON.stringify(ITEM)}] } });
        dataLayer.push({ event: 'search', search_term: 'decaf' });`;
      const page = await context.newPage();
      await page.goto(capture.page(base, dataLayerPage({ before })));
      const events = await capture.waitForEvents(base, (found) => found.length >= 4, flushing(page));
      expect(events.map(withoutPageFields)).toEqual([
        { type: 'pageview' },
        { type: 'product_view', product: { id: 'p01', category: 'coffee', price: 12.5 } },
        { type: 'add_to_cart', product: { id: 'p01', category: 'coffee', price: 12.5 }, quantity: 2 },
        { type: 'search', query: 'decaf' },
      ]);
      expect(events.every((event) => event.page_type === 'product' && event.url.endsWith(base))).toBe(true);
    },
  );

  dataLayerTest(
    'maps each recommended e-commerce event pushed after it loaded',
    async ({ context, capture }) => {
      const base = uniquePath('dl-all');
      const page = await context.newPage();
      await page.goto(capture.page(base, dataLayerPage()));
      await addonLoaded(page);
      const tea = { item_id: 'p02', item_category: 'tea', price: '8.90', quantity: 1 };
      await inPage(
        page,
        `
      gtag('event', 'view_item_list', { item_list_id: 'related', items: [{ item_id: 'p05' }, { item_id: 'p02' }] });
      gtag('event', 'select_item', { item_list_id: 'related', items: [{ item_id: 'p02' }] });
      gtag('event', 'select_item', { items: [{ item_id: 'p09', item_list_name: 'Best sellers', index: 4 }] });
      gtag('event', 'remove_from_cart', { currency: 'EUR', items: [${JSON.stringify(tea)}] });
      gtag('event', 'begin_checkout', { currency: 'EUR', value: 33.9, coupon: 'X', items: [${JSON.stringify(ITEM)}, ${JSON.stringify(tea)}] });
      dataLayer.push({ ecommerce: null });
      dataLayer.push({ event: 'purchase', ecommerce: { transaction_id: 'T-20261207-0042', currency: 'eur', tax: 2, shipping: 4.9, items: [${JSON.stringify(ITEM)}, ${JSON.stringify(tea)}] } });
      gtag('event', 'view_promotion', { creative_slot: 'hero', items: [{ promotion_id: 'summer-sale', item_id: 'p01' }, { promotion_name: 'Free shipping', creative_slot: 'sidebar' }] });
      gtag('event', 'select_promotion', { promotion_id: 'summer-sale', creative_slot: 'hero' });
      gtag('event', 'view_cart', { items: [${JSON.stringify(ITEM)}] });
      gtag('event', 'login', { method: 'Google' });`,
      );
      const events = await capture.waitForEvents(base, (found) => found.length >= 9, flushing(page));
      expect(events.slice(1).map(withoutPageFields)).toEqual([
        { type: 'slot_click', slot: 'related', position: 2 },
        { type: 'slot_click', slot: 'Best sellers', position: 5 },
        { type: 'remove_from_cart', product: { id: 'p02', category: 'tea', price: 8.9 }, quantity: 1 },
        {
          type: 'checkout',
          value: 33.9,
          currency: 'EUR',
          items: [
            { id: 'p01', category: 'coffee', price: 12.5, quantity: 2 },
            { id: 'p02', category: 'tea', price: 8.9, quantity: 1 },
          ],
        },
        {
          // No `value` pushed: the goods' value from the items (2 × 12.50 + 8.90), never tax or shipping.
          type: 'purchase',
          value: 33.9,
          currency: 'EUR',
          items: [
            { id: 'p01', category: 'coffee', price: 12.5, quantity: 2 },
            { id: 'p02', category: 'tea', price: 8.9, quantity: 1 },
          ],
        },
        { type: 'promo_view', promo: 'summer-sale', slot: 'hero' },
        { type: 'promo_view', promo: 'Free shipping', slot: 'sidebar' },
        { type: 'promo_click', promo: 'summer-sale', slot: 'hero' },
      ]);
    },
  );

  dataLayerTest(
    'never sends a field outside Kanon’s vocabulary, whatever the data layer holds',
    async ({ context, capture }) => {
      const base = uniquePath('dl-pii');
      const page = await context.newPage();
      await page.goto(capture.page(base, dataLayerPage()));
      await addonLoaded(page);
      // Personal data in every field GA4 pushes carry besides Kanon's: user ids, enhanced
      // conversions' user data, order ids, coupons, names; each a marker to look for.
      const marker = (field: string) => `MARK_${field}_MARK`;
      const personal = fc.record({
        user_id: fc.constant(marker('user_id')),
        user_data: fc.constant({ email_address: marker('email'), phone_number: marker('phone') }),
        transaction_id: fc.constant(marker('transaction')),
        coupon: fc.constant(marker('coupon')),
        customer_type: fc.constant(marker('customer')),
        client_id: fc.constant(marker('client')),
      });
      const item = fc.record(
        {
          item_id: fc.oneof(fc.string({ maxLength: 80 }), fc.integer(), fc.constant(null)),
          item_name: fc.constant(marker('item_name')),
          item_brand: fc.constant(marker('brand')),
          item_variant: fc.constant(marker('variant')),
          affiliation: fc.constant(marker('affiliation')),
          coupon: fc.constant(marker('item_coupon')),
          item_category: fc.oneof(fc.string({ maxLength: 80 }), fc.constant(undefined)),
          price: fc.oneof(fc.double(), fc.string(), fc.constant(-1)),
          quantity: fc.oneof(fc.integer({ min: -5, max: 20_000 }), fc.constant('2')),
          index: fc.oneof(fc.integer({ min: -2, max: 2000 }), fc.constant(undefined)),
          item_list_id: fc.oneof(fc.string({ maxLength: 80 }), fc.constant(undefined)),
          promotion_id: fc.oneof(fc.string({ maxLength: 80 }), fc.constant(undefined)),
        },
        { requiredKeys: ['item_name', 'item_brand', 'affiliation'] },
      );
      const pushes = fc.sample(
        fc.record({
          name: fc.constantFrom(
            'view_item',
            'view_item_list',
            'select_item',
            'add_to_cart',
            'remove_from_cart',
            'begin_checkout',
            'purchase',
            'view_promotion',
            'select_promotion',
            'search',
          ),
          params: fc.tuple(personal, fc.array(item, { maxLength: 12 })).map(([who, items]) => ({
            ...who,
            currency: 'EUR',
            value: 10,
            search_term: 'tea',
            items,
          })),
          style: fc.constantFrom('gtag', 'gtm'),
        }),
        { numRuns: 80, seed: 29 },
      );
      await page.evaluate((list) => {
        const layer = (globalThis as unknown as { dataLayer: unknown[] }).dataLayer;
        for (const { name, params, style } of list) {
          if (style === 'gtm') layer.push({ event: name, ecommerce: params, user_id: params.user_id });
          else
            (function gtag(..._args: unknown[]) {
              // biome-ignore lint/complexity/noArguments: gtag() pushes its arguments object, as Google's snippet does.
              layer.push(arguments);
            })('event', name, params);
        }
      }, pushes);
      await flushing(page)();
      await page.goto('about:blank');
      await new Promise((resolve) => setTimeout(resolve, 300));
      // events() parses every body strictly: a field the schema would drop fails it.
      expect(capture.events(base).length).toBeGreaterThan(40);
      const bodies = capture.requestsFrom(base).map((request) => request.body);
      expect(bodies.join('\n')).not.toContain('MARK_');
    },
  );

  dataLayerTest(
    'keeps counting when Tag Manager wraps push after it, counts once when it is on the page twice, and never throws into the page',
    async ({ context, capture }) => {
      const base = uniquePath('dl-gtm');
      const page = await context.newPage();
      const errors = collectPageErrors(page);
      await page.goto(
        capture.page(base, dataLayerPage({ layer: 'shopLayer', addonAttributes: 'data-layer="shopLayer"' })),
      );
      await addonLoaded(page, 'shopLayer');
      await inPage(
        page,
        `
        // What Tag Manager's loader does to a layer it finds: wrap push, calling the one it found.
        const found = shopLayer.push;
        shopLayer.push = function () { const n = found.apply(shopLayer, arguments); return n; };
        const again = document.createElement('script');
        again.src = '${capture.collectorOrigin}/datalayer.js';
        again.setAttribute('data-layer', 'shopLayer');
        document.head.append(again);`,
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      await inPage(
        page,
        `
        shopLayer.push(null, 42, 'text', [], { event: 'view_item', ecommerce: { items: 'not a list' } });
        shopLayer.push({ event: 'view_item', ecommerce: { items: [null, { item_id: '' }, { item_id: 'p03', price: 'free' }] } });
        shopLayer.push({ event: 'purchase', ecommerce: { currency: 'EUR', items: [{ item_id: 'p03' }] } });`,
      );
      const events = await capture.waitForEvents(base, (found) => found.length >= 2, flushing(page));
      await new Promise((resolve) => setTimeout(resolve, 1200));
      expect(capture.events(base).map(withoutPageFields)).toEqual([
        { type: 'pageview' },
        // The price is not a number, so it is left out; the purchase has no value and no price to
        // make one from, so it is not sent at all (the collector would refuse its batch).
        { type: 'product_view', product: { id: 'p03' } },
      ]);
      expect(events.length).toBe(2);
      expect(errors).toEqual([]);
    },
  );

  dataLayerTest('sends nothing when Global Privacy Control is on', async ({ context, capture }) => {
    const base = uniquePath('dl-gpc');
    await context.addInitScript(() =>
      Object.defineProperty(
        (globalThis as unknown as { navigator: object }).navigator,
        'globalPrivacyControl',
        {
          get: () => true,
        },
      ),
    );
    const before = `gtag('event', 'purchase', { currency: 'EUR', value: 25, items: [${JSON.stringify(ITEM)}] });`;
    const page = await context.newPage();
    await page.goto(capture.page(base, dataLayerPage({ before })));
    await inPage(page, `gtag('event', 'view_item', { items: [${JSON.stringify(ITEM)}] });`);
    await flushing(page)();
    await page.goto('about:blank');
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect(capture.requestsFrom(base)).toEqual([]);
  });
});
