import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { renderSnippet } from '../../collector/notice/render.js';
import { TEXTS } from '../../collector/notice/texts.js';
import { describeInBrowser } from '../fixtures/browser.js';
import { uniquePath } from './capture-server.js';
import {
  callKanon,
  collectPageErrors,
  flushing,
  type PageGlobals,
  scrollToY,
  testPage,
  trackerTest,
} from './harness.js';

const FACTS = {
  k: 5,
  minNetworks: 2,
  stagingTtlSeconds: 172_800,
  retentionSeconds: 34_560_000,
  dnt: true,
  noiseEpsilon: null,
};
const CONTROL = TEXTS.en.control;

/** The shop's privacy page: its policy with the snippet from /privacy/snippet pasted in, and the tag. */
const privacyPage = (language: 'en' | 'de' = 'en') =>
  testPage({
    pageType: 'other',
    body: `<h1>Privacy policy</h1>${renderSnippet(FACTS, language, 'https://collector.example/privacy')}`,
  });

/** A product page with something for every automatic event. */
const SHOP_BODY = `<section data-kanon-slot="hero"><a data-kanon-item id="item" href="#x">item</a></section>
  <div data-kanon-promo="summer-sale" id="promo">sale</div><div style="height:3000px">tall</div>`;

const stateOf = (page: Page) =>
  page.evaluate(() => {
    const d = (globalThis as unknown as { document: { getElementById(id: string): HTMLLike | null } })
      .document;
    type HTMLLike = { textContent: string | null; hidden: boolean };
    const button = d.getElementById('kanon-opt-out-button');
    return {
      state: d.getElementById('kanon-opt-out-state')?.textContent,
      button: button?.hidden ? undefined : button?.textContent,
    };
  });

const storedFlag = (page: Page) =>
  page.evaluate(() =>
    (globalThis as unknown as { localStorage: { getItem(key: string): string | null } }).localStorage.getItem(
      'kanon_opt_out',
    ),
  );

/** Browses a shop page as a shopper would: a click in a slot, a promotion, an add-to-cart, a scroll. */
async function browse(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.click('#item');
  await page.click('#promo');
  await callKanon(page, [['add_to_cart', { id: 'p01', price: 9, quantity: 1 }]]);
  await scrollToY(page, 1e6);
  await flushing(page)();
}

/** Leaves the page (which flushes anything queued) and waits past the tag's one-second timer. */
async function leave(page: Page): Promise<void> {
  await page.goto('about:blank');
  await new Promise((resolve) => setTimeout(resolve, 1200));
}

describeInBrowser('tracker: the opt-out control for browsers without GPC', () => {
  trackerTest(
    'after opting out on the privacy page no beacon is sent, there or on later pages; opting back in sends again',
    async ({ context, capture }) => {
      const base = uniquePath('opt-out-control');
      const page = await context.newPage();
      const errors = collectPageErrors(page);

      // The privacy page counts like any page, and its control offers to opt out.
      await page.goto(capture.page(`${base}/privacy`, privacyPage()));
      await capture.waitForEvents(`${base}/privacy`, (found) => found.length === 1, flushing(page));
      expect(await stateOf(page)).toEqual({ state: CONTROL.in, button: CONTROL.optOut });

      await page.click('#kanon-opt-out-button');
      expect(await stateOf(page)).toEqual({ state: CONTROL.out, button: CONTROL.optIn });
      expect(await storedFlag(page)).toBe('1');
      // Events of this page after the choice stay in the browser, like every event of later pages.
      await callKanon(page, [['search', { query: 'after opting out', results: 3 }]]);
      await flushing(page)();
      await browse(page, capture.page(`${base}/product`, testPage({ pageType: 'product', body: SHOP_BODY })));
      await leave(page);
      expect(capture.events(base).map((event) => event.type)).toEqual(['pageview']);
      expect(await context.cookies()).toEqual([]);

      // Back on the privacy page the control remembers, and takes the shopper back in.
      await page.goto(capture.page(`${base}/privacy-again`, privacyPage()));
      expect(await stateOf(page)).toEqual({ state: CONTROL.out, button: CONTROL.optIn });
      await page.click('#kanon-opt-out-button');
      expect(await stateOf(page)).toEqual({ state: CONTROL.in, button: CONTROL.optOut });
      expect(await storedFlag(page)).toBeNull();
      await browse(
        page,
        capture.page(`${base}/product-again`, testPage({ pageType: 'product', body: SHOP_BODY })),
      );
      const events = await capture.waitForEvents(
        `${base}/product-again`,
        (found) => found.some((event) => event.type === 'scroll'),
        flushing(page),
      );
      expect(new Set(events.map((event) => event.type))).toEqual(
        new Set(['pageview', 'slot_click', 'promo_view', 'promo_click', 'add_to_cart', 'scroll']),
      );
      expect(errors).toEqual([]);
    },
  );

  trackerTest(
    'a browser that refuses site storage sends nothing, and the control says so',
    async ({ context, capture }) => {
      const base = uniquePath('storage-refused');
      // As when a shopper blocks all site data: reading localStorage throws a SecurityError.
      await context.addInitScript(() =>
        Object.defineProperty(globalThis, 'localStorage', {
          get: () => {
            throw new DOMException('The operation is insecure.', 'SecurityError');
          },
        }),
      );
      const page = await context.newPage();
      const errors = collectPageErrors(page);
      await page.goto(capture.page(`${base}/privacy`, privacyPage()));
      expect(await stateOf(page)).toEqual({ state: CONTROL.blocked, button: undefined });
      await browse(page, capture.page(`${base}/product`, testPage({ pageType: 'product', body: SHOP_BODY })));
      await leave(page);
      expect(capture.requestsFrom(base)).toEqual([]);
      expect(errors).toEqual([]);
    },
  );

  trackerTest(
    'with GPC on, the control says the browser already opts out, in the page’s language',
    async ({ context, capture }) => {
      const base = uniquePath('control-gpc');
      await context.addInitScript(() =>
        Object.defineProperty((globalThis as unknown as PageGlobals).navigator, 'globalPrivacyControl', {
          get: () => true,
        }),
      );
      const page = await context.newPage();
      await page.goto(capture.page(`${base}/privacy`, privacyPage('de')));
      expect(await stateOf(page)).toEqual({ state: TEXTS.de.control.signal, button: undefined });
    },
  );
});
