import type { AddressInfo } from 'node:net';
import { expect } from 'vitest';
import { buildDemoShop } from '../../demo/shop-server.js';
import type { BeaconEvent } from '../../schema/event.js';
import { artifactPath, describeInBrowser } from '../fixtures/browser.js';
import { flushing, ofType, type PageGlobals, scrollToY, trackerTest } from './harness.js';

const shopTest = trackerTest.extend('shop', { scope: 'file' }, async ({ capture }, { onCleanup }) => {
  const app = buildDemoShop({ collectorUrl: capture.collectorOrigin, site: 'demo' });
  await app.listen({ host: '127.0.0.1', port: 0 });
  onCleanup(() => app.close());
  // localhost, so that the shop and the collector (127.0.0.1) are different origins, as in production.
  return `http://localhost:${(app.server.address() as AddressInfo).port}`;
});

const summary = (event: BeaconEvent) => {
  const path = new URL(event.url).pathname;
  switch (event.type) {
    case 'pageview':
      return `pageview ${path} ${event.page_type}`;
    case 'product_view':
      return `product_view ${event.product.id}`;
    case 'add_to_cart':
    case 'remove_from_cart':
      return `${event.type} ${event.product.id} x${event.quantity}`;
    case 'search':
      return `search "${event.query}" ${event.results}`;
    case 'slot_click':
      return `slot_click ${event.slot} ${event.position}`;
    case 'promo_view':
    case 'promo_click':
      return `${event.type} ${event.promo} ${event.slot}`;
    case 'checkout':
    case 'purchase':
      return `${event.type} ${event.value} ${event.currency} ${event.items?.map((i) => `${i.id}x${i.quantity}`).join(',')}`;
    case 'scroll':
      return `scroll ${path} ${event.depth}`;
  }
};

describeInBrowser('demo shop', () => {
  shopTest(
    'reports a whole shopping trip, from the home page to a purchase, without cookies or storage',
    async ({ context, capture, shop }) => {
      const page = await context.newPage();
      // Console errors would include Content-Security-Policy violations (the shop sends a strict CSP).
      const consoleErrors: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') consoleErrors.push(message.text());
      });
      page.on('pageerror', (error) => consoleErrors.push(error.message));
      await page.goto(`${shop}/`);
      await page.locator('#recommendations .card').first().waitFor();
      await page.screenshot({ path: artifactPath('demo-shop-home.png'), fullPage: true });

      // Home: read down to the promotion, back up, then open a hero tile (the coffee category).
      await page.locator('[data-kanon-promo="summer-sale"]').scrollIntoViewIfNeeded();
      await scrollToY(page, 1e6);
      await scrollToY(page, 0);
      await page.click('.hero [data-kanon-item]:first-child');
      await page.waitForURL('**/coffee');

      // Category → the second product; add two to the cart.
      await page.click('#grid .card:nth-child(2) .card-link');
      await page.waitForURL('**/product?id=p02');
      await page.locator('.product-art svg').waitFor();
      await page.screenshot({ path: artifactPath('demo-shop-product.png'), fullPage: true });
      await page.fill('#quantity', '2');
      await page.click('#add');
      await page.waitForURL('**/product?id=p02&cart=p02-2');

      // Search with a hit (and add it), then a search that finds nothing.
      await page.fill('.search-box input[type="search"]', 'kettle');
      await page.press('.search-box input[type="search"]', 'Enter');
      await page.waitForURL('**/search?q=kettle&cart=p02-2');
      await page.click('#grid [data-add="p10"]');
      await page.fill('.search-box input[type="search"]', 'unicorn');
      await page.press('.search-box input[type="search"]', 'Enter');
      await page.waitForURL('**/search?q=unicorn&cart=p02-2.p10-1');
      await page.locator('.empty-state').waitFor();

      // Cart: one more kettle, one kettle fewer, one coffee fewer; then check out and buy.
      await page.click('.cart-link');
      await page.waitForURL('**/cart?cart=p02-2.p10-1');
      await page.click('[data-step="1"][data-id="p10"]');
      await page.click('[data-step="-1"][data-id="p10"]');
      await page.click('[data-step="-1"][data-id="p02"]');
      await page.screenshot({ path: artifactPath('demo-shop-cart.png'), fullPage: true });
      await page.click('#to-checkout');
      await page.waitForURL('**/checkout?cart=p02-1.p10-1');
      await page.click('input[value="express"]');
      await page.screenshot({ path: artifactPath('demo-shop-checkout.png'), fullPage: true });
      await page.click('#place-order');
      await page.waitForURL('**/thanks');
      await page.locator('#order li').first().waitFor();
      await page.screenshot({ path: artifactPath('demo-shop-thanks.png'), fullPage: true });

      const events = await capture.waitForEvents(
        '/',
        (found) => found.some((e) => e.type === 'purchase'),
        flushing(page),
      );
      const trip = events.filter((event) => new URL(event.url).origin === shop);
      const seen = trip.map(summary);
      expect(seen.filter((line) => line.startsWith('pageview'))).toEqual([
        'pageview / home',
        'pageview /coffee category',
        'pageview /product product',
        'pageview /search search',
        'pageview /search search',
        'pageview /cart cart',
        'pageview /checkout checkout',
        'pageview /thanks checkout',
      ]);
      expect(seen.filter((line) => !line.startsWith('pageview') && !line.startsWith('scroll'))).toEqual([
        'promo_view summer-sale home-banner',
        'slot_click hero 1',
        'slot_click category-grid 2',
        'product_view p02',
        'add_to_cart p02 x2',
        'search "kettle" 1',
        'slot_click search-results 1',
        'add_to_cart p10 x1',
        'search "unicorn" 0',
        'add_to_cart p10 x1',
        'remove_from_cart p10 x1',
        'remove_from_cart p02 x1',
        'checkout 71.9 EUR p02x1,p10x1',
        'purchase 71.9 EUR p02x1,p10x1',
      ]);
      expect(ofType(trip, 'scroll').map((event) => event.depth)).toEqual([25, 50, 75, 100]);
      expect(trip.every((event) => event.viewport === 1280)).toBe(true);

      expect(await context.cookies()).toEqual([]);
      const stored = await page.evaluate(() => {
        const w = globalThis as unknown as PageGlobals;
        return w.localStorage.length + w.sessionStorage.length;
      });
      expect(stored).toBe(0);
      expect(consoleErrors).toEqual([]);
    },
  );
});
