import { expect } from 'vitest';
import { describeInBrowser } from '../fixtures/browser.js';
import { uniquePath } from './capture-server.js';
import {
  callKanon,
  collectPageErrors,
  flushing,
  type PageGlobals,
  testPage,
  trackerTest,
  withoutPageFields,
} from './harness.js';

describeInBrowser('tracker: the kanon() commerce API', () => {
  trackerTest(
    'keeps calls made before the script loads and sends them after the pageview',
    async ({ context, capture }) => {
      const base = uniquePath('queued');
      const head = `<script>
      kanon('product_view', { id: 'p01', category: 'coffee', price: 12.5 });
      kanon('add_to_cart', { id: 'p01', category: 'coffee', price: 12.5, quantity: 2 });
      kanon('search', { query: 'decaf', results: 0 });
    </script>`;
      const url = capture.page(base, testPage({ pageType: 'product', head }));
      const page = await context.newPage();
      await page.goto(url);
      const events = await capture.waitForEvents(base, (found) => found.length >= 4, flushing(page));
      expect(events.every((event) => event.url === url && event.page_type === 'product')).toBe(true);
      expect(events.map(withoutPageFields)).toEqual([
        { type: 'pageview' },
        { type: 'product_view', product: { id: 'p01', category: 'coffee', price: 12.5 } },
        { type: 'add_to_cart', product: { id: 'p01', category: 'coffee', price: 12.5 }, quantity: 2 },
        { type: 'search', query: 'decaf', results: 0 },
      ]);
    },
  );

  trackerTest('maps each commerce call to its beacon event', async ({ context, capture }) => {
    const base = uniquePath('commerce');
    const page = await context.newPage();
    await page.goto(capture.page(base, testPage({ pageType: 'checkout' })));
    const item = { id: 'p01', category: 'coffee', price: 12.5, quantity: 3 };
    await callKanon(page, [
      ['remove_from_cart', { id: 'p02', category: 'tea', price: '8.90', quantity: 1 }],
      ['checkout', { value: 37.5, currency: 'eur', items: [item] }],
      ['purchase', { value: 37.5, currency: 'EUR', items: [item, { id: 42, quantity: 1 }] }],
      ['search', { query: 'green tea', results: 3 }],
    ]);
    const events = await capture.waitForEvents(base, (found) => found.length >= 5, flushing(page));
    expect(events.slice(1).map(withoutPageFields)).toEqual([
      { type: 'remove_from_cart', product: { id: 'p02', category: 'tea', price: 8.9 }, quantity: 1 },
      { type: 'checkout', value: 37.5, currency: 'EUR', items: [item] },
      { type: 'purchase', value: 37.5, currency: 'EUR', items: [item, { id: '42', quantity: 1 }] },
      { type: 'search', query: 'green tea', results: 3 },
    ]);
  });

  trackerTest(
    'ignores unknown calls, cuts values to the schema limits and never throws into the page',
    async ({ context, capture }) => {
      const base = uniquePath('bad-calls');
      const page = await context.newPage();
      const errors = collectPageErrors(page);
      await page.goto(capture.page(base, testPage()));
      const thrown = await page.evaluate(() => {
        const call = (globalThis as unknown as PageGlobals).kanon;
        const calls: unknown[][] = [
          [],
          ['nonsense', { id: 'p01' }],
          ['toString'],
          ['__proto__', {}],
          ['pageview'],
          ['product_view'],
          ['product_view', null],
          ['add_to_cart', { id: '   ' }],
          ['purchase', { value: 10, currency: 'EUR', items: [] }],
          ['purchase', { value: 10, currency: 'euro', items: [{ id: 'p01' }] }],
          ['purchase', { currency: 'EUR', items: [{ id: 'p01' }] }],
          ['search', { results: 3 }],
          [
            'product_view',
            {
              get id() {
                throw new Error('a getter that throws');
              },
            },
          ],
          ['add_to_cart', { id: 'x'.repeat(100), category: '', price: -1, quantity: 0.5 }],
          ['search', { query: 'q'.repeat(300), results: -3 }],
          ['checkout', { value: 'NaN', currency: 'EURO', items: 'p01' }],
          ['product_view', { id: 'last' }],
        ];
        let failures = 0;
        for (const args of calls) {
          try {
            call(...args);
          } catch {
            failures++;
          }
        }
        return failures;
      });
      expect(thrown).toBe(0);
      const events = await capture.waitForEvents(base, (found) => found.length >= 5, flushing(page));
      expect(events.slice(1).map(withoutPageFields)).toEqual([
        { type: 'add_to_cart', product: { id: 'x'.repeat(64) } },
        { type: 'search', query: 'q'.repeat(200) },
        { type: 'checkout' },
        { type: 'product_view', product: { id: 'last' } },
      ]);
      expect(errors).toEqual([]);
    },
  );
});
