import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { browserTest, describeInBrowser } from '../fixtures/browser.js';
import { type CaptureServer, startCaptureServer, uniquePath } from '../tracker/capture-server.js';
import { collectPageErrors, withoutPageFields } from '../tracker/harness.js';
import {
  checkoutCompleted,
  checkoutStarted,
  collectionViewed,
  pixelCode,
  productAddedToCart,
  productVariant,
  productViewed,
  type StorefrontOptions,
  sandboxPage,
  searchSubmitted,
  storefrontPage,
} from './shopify-sandbox.js';

/** browserTest plus `capture`: a stand-in collector recording every POST /e. */
// biome-ignore lint/correctness/noEmptyPattern: vitest reads a fixture's dependencies from this pattern.
const pixelTest = browserTest.extend('capture', { scope: 'file' }, async ({}, { onCleanup }) => {
  const server = await startCaptureServer('');
  onCleanup(() => server.close());
  return server;
});

const YIRGACHEFFE = productVariant({ id: '8950526378201', type: 'Coffee', price: 12.5 });
const SENCHA = productVariant({ id: '8950526378202', type: 'Tea', price: 8.9 });

/** A storefront page at `path` whose pixel sandbox is served from the same (shop) host. */
async function visit(
  capture: CaptureServer,
  page: Page,
  path: string,
  options: Omit<StorefrontOptions, 'sandboxPath'>,
) {
  const sandboxPath = `${path.split('/').slice(0, 3).join('/')}/wpm@0/custom/web-pixel-1@1/sandbox/modern`;
  capture.page(sandboxPath, sandboxPage(pixelCode(capture.collectorOrigin, 'shop-eu')));
  const [pathname, query] = path.split('?');
  const url = capture.page(pathname ?? path, storefrontPage({ sandboxPath, ...options }));
  await page.goto(query === undefined ? url : `${url}?${query}`);
  await page.evaluate('shopifySettled()');
}

describeInBrowser('integrations: the Shopify Custom Pixel in a stand-in of Shopify’s sandbox', () => {
  pixelTest(
    'sends each standard event as Kanon’s, from an opaque origin, with the storefront page’s URL and type',
    async ({ context, capture }) => {
      const base = uniquePath('shopify');
      const page = await context.newPage();
      const errors = collectPageErrors(page);
      await visit(capture, page, `${base}/collections/coffee`, {
        events: [collectionViewed([YIRGACHEFFE])],
      });
      await visit(capture, page, `${base}/products/yirgacheffe`, {
        events: [productViewed(YIRGACHEFFE), productAddedToCart(YIRGACHEFFE, 2)],
      });
      await visit(capture, page, `${base}/search?q=sencha`, {
        events: [searchSubmitted('sencha', [SENCHA]), searchSubmitted('matcha latte', [])],
      });
      await visit(capture, page, `${base}/checkouts/cn/Z2NwLWV1cm9wZS13ZXN0MTowMUo4UkZYNkM5`, {
        events: [
          checkoutStarted([
            { variant: YIRGACHEFFE, quantity: 2 },
            { variant: SENCHA, quantity: 1 },
          ]),
        ],
      });
      await visit(capture, page, `${base}/checkouts/cn/Z2NwLWV1cm9wZS13ZXN0MTowMUo4UkZYNkM5/thank-you`, {
        events: [
          checkoutCompleted([
            { variant: YIRGACHEFFE, quantity: 2 },
            { variant: SENCHA, quantity: 1 },
          ]),
        ],
      });
      await page.goto('about:blank');
      const events = await capture.waitForEvents(base, (found) => found.length >= 11);

      const product = { id: '8950526378201', category: 'Coffee', price: 12.5 };
      const items = [
        { ...product, quantity: 2 },
        { id: '8950526378202', category: 'Tea', price: 8.9, quantity: 1 },
      ];
      expect(events.map(withoutPageFields)).toEqual([
        { type: 'pageview' },
        { type: 'pageview' },
        { type: 'product_view', product },
        { type: 'add_to_cart', product, quantity: 2 },
        { type: 'pageview' },
        { type: 'search', query: 'sencha', results: 1 },
        { type: 'search', query: 'matcha latte', results: 0 },
        { type: 'pageview' },
        // The goods' value (the subtotal), never shipping or taxes.
        { type: 'checkout', value: 33.9, currency: 'EUR', items },
        { type: 'pageview' },
        { type: 'purchase', value: 33.9, currency: 'EUR', items },
      ]);
      const shop = new URL(capture.pageOrigin).origin;
      expect(events.map((event) => [event.type, event.url.replace(shop, ''), event.page_type])).toEqual([
        ['pageview', `${base}/collections/coffee`, 'category'],
        ['pageview', `${base}/products/yirgacheffe`, 'product'],
        ['product_view', `${base}/products/yirgacheffe`, 'product'],
        ['add_to_cart', `${base}/products/yirgacheffe`, 'product'],
        ['pageview', `${base}/search?q=sencha`, 'search'],
        ['search', `${base}/search?q=sencha`, 'search'],
        ['search', `${base}/search?q=sencha`, 'search'],
        // The checkout's token is no part of a path Kanon keeps.
        ['pageview', `${base}/checkouts/cn/:token`, 'checkout'],
        ['checkout', `${base}/checkouts/cn/:token`, 'checkout'],
        ['pageview', `${base}/checkouts/cn/:token/thank-you`, 'checkout'],
        ['purchase', `${base}/checkouts/cn/:token/thank-you`, 'checkout'],
      ]);
      expect(events.every((event) => event.viewport === 1280)).toBe(true);
      // The sandbox's origin is opaque: the collector sees `Origin: null` (KANON_SITES lists null).
      expect(new Set(capture.requestsFrom(base).map((request) => request.origin))).toEqual(new Set(['null']));
      expect(capture.requestsFrom(base).every((request) => request.cookie === undefined)).toBe(true);
      expect(errors).toEqual([]);
    },
  );

  pixelTest(
    'never sends the shopper’s personal data that Shopify’s events carry',
    async ({ context, capture }) => {
      const base = uniquePath('shopify-pii');
      const page = await context.newPage();
      const lines = [{ variant: YIRGACHEFFE, quantity: 2 }];
      await visit(capture, page, `${base}/products/yirgacheffe`, {
        events: [productViewed(YIRGACHEFFE), productAddedToCart(YIRGACHEFFE, 2), collectionViewed([SENCHA])],
      });
      await visit(capture, page, `${base}/checkouts/cn/abc123DEF456/thank-you`, {
        events: [checkoutStarted(lines), checkoutCompleted(lines)],
      });
      await page.goto('about:blank');
      await capture.waitForEvents(base, (found) => found.some((event) => event.type === 'purchase'));
      // Every marker: names, e-mails, phones, addresses, customer, order, line and checkout ids,
      // the checkout token, discount titles, line properties, Shopify's client id, product titles.
      const bodies = capture.requestsFrom(base).map((request) => request.body);
      expect(bodies.length).toBeGreaterThan(0);
      expect(bodies.join('\n')).not.toContain('MARK_');
      expect(bodies.join('\n')).not.toContain('abc123DEF456');
    },
  );

  pixelTest(
    'sends nothing while the shopper has declined analytics, and starts once they allow it',
    async ({ context, capture }) => {
      const base = uniquePath('shopify-consent');
      const page = await context.newPage();
      await visit(capture, page, `${base}/products/yirgacheffe`, {
        events: [productViewed(YIRGACHEFFE)],
        customerPrivacy: { analyticsProcessingAllowed: false },
      });
      await page.waitForTimeout(1500);
      await page.evaluate(
        `shopifyPublish('product_added_to_cart', ${JSON.stringify(productAddedToCart(SENCHA, 1).data)})`,
      );
      await page.waitForTimeout(1500);
      expect(capture.requestsFrom(base)).toEqual([]);

      await page.evaluate(
        `shopifyConsent({ analyticsProcessingAllowed: true, marketingAllowed: false, preferencesProcessingAllowed: false, saleOfDataAllowed: false })`,
      );
      await page.evaluate(
        `shopifyPublish('product_added_to_cart', ${JSON.stringify(productAddedToCart(SENCHA, 1).data)})`,
      );
      const events = await capture.waitForEvents(base, (found) => found.length >= 1);
      expect(events.map(withoutPageFields)).toEqual([
        { type: 'add_to_cart', product: { id: '8950526378202', category: 'Tea', price: 8.9 }, quantity: 1 },
      ]);
    },
  );

  pixelTest(
    'sends nothing while the shop’s opt-out control has set kanon_opt_out, and again once it is removed',
    async ({ context, capture }) => {
      const base = uniquePath('shopify-optout');
      const page = await context.newPage();
      await visit(capture, page, `${base}/`, {});
      // What the opt-out button of the shop's privacy page does, in the shop's own storage.
      await page.evaluate(`localStorage.setItem('kanon_opt_out', '1')`);
      await visit(capture, page, `${base}/products/yirgacheffe`, { events: [productViewed(YIRGACHEFFE)] });
      await page.waitForTimeout(1500);
      await page.goto('about:blank');
      expect(capture.events(base).map((event) => event.url.replace(capture.pageOrigin, ''))).toEqual([
        `${base}/`,
      ]);

      // "Take part again" on the privacy page (itself not counted: the flag was still there).
      await visit(capture, page, `${base}/privacy`, {});
      await page.evaluate(`localStorage.removeItem('kanon_opt_out')`);
      await visit(capture, page, `${base}/products/yirgacheffe`, { events: [productViewed(YIRGACHEFFE)] });
      const events = await capture.waitForEvents(base, (found) => found.length >= 3);
      expect(events.slice(1).map(withoutPageFields)).toEqual([
        { type: 'pageview' },
        { type: 'product_view', product: { id: '8950526378201', category: 'Coffee', price: 12.5 } },
      ]);
    },
  );

  pixelTest('sends nothing when Global Privacy Control is on', async ({ context, capture }) => {
    const base = uniquePath('shopify-gpc');
    await context.addInitScript(() =>
      Object.defineProperty(
        Object.getPrototypeOf((globalThis as unknown as { navigator: object }).navigator),
        'globalPrivacyControl',
        { get: () => true },
      ),
    );
    const page = await context.newPage();
    await visit(capture, page, `${base}/products/yirgacheffe`, {
      events: [productViewed(YIRGACHEFFE), checkoutCompleted([{ variant: YIRGACHEFFE, quantity: 1 }])],
    });
    await page.waitForTimeout(1500);
    await page.goto('about:blank');
    await page.waitForTimeout(500);
    expect(capture.requestsFrom(base)).toEqual([]);
  });
});
