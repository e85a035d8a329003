import type { BrowserContext, Page } from 'playwright-core';
import { expect } from 'vitest';
import { describeInBrowser } from '../fixtures/browser.js';
import { type CaptureServer, parseBody, uniquePath } from './capture-server.js';
import {
  callKanon,
  collectPageErrors,
  flushing,
  type PageGlobals,
  scrollToY,
  testPage,
  trackerTest,
} from './harness.js';

/** A page that exercises every automatic event and the API. */
const BUSY_BODY = `
  <section data-kanon-slot="hero"><a data-kanon-item id="item" href="#x">item</a></section>
  <div data-kanon-slot="banner"><div data-kanon-promo="summer-sale" id="promo">sale</div></div>
  <div style="height:3000px">tall</div>`;

async function browseBusyPage(context: BrowserContext, capture: CaptureServer, base: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(capture.page(base, testPage({ pageType: 'home', body: BUSY_BODY })));
  await page.click('#item');
  await page.click('#promo');
  await callKanon(page, [['add_to_cart', { id: 'p01', price: 9, quantity: 1 }]]);
  await scrollToY(page, 1e6);
  return page;
}

describeInBrowser('tracker: privacy', () => {
  const optOuts: [string, () => void][] = [
    [
      'Global Privacy Control is on',
      () =>
        Object.defineProperty((globalThis as unknown as PageGlobals).navigator, 'globalPrivacyControl', {
          get: () => true,
        }),
    ],
    [
      'navigator.doNotTrack is "1"',
      () =>
        Object.defineProperty((globalThis as unknown as PageGlobals).navigator, 'doNotTrack', {
          get: () => '1',
        }),
    ],
    ['window.doNotTrack is "1"', () => Object.defineProperty(globalThis, 'doNotTrack', { get: () => '1' })],
  ];
  for (const [when, optOut] of optOuts) {
    trackerTest(
      `sends nothing at all when ${when}, and kanon() stays callable`,
      async ({ context, capture }) => {
        const base = uniquePath('opt-out');
        await context.addInitScript(optOut);
        const page = await browseBusyPage(context, capture, base);
        const errors = collectPageErrors(page);
        await flushing(page)();
        // Leaving the page would flush anything queued; then wait past the one-second timer too.
        await page.goto('about:blank');
        await new Promise((resolve) => setTimeout(resolve, 1200));
        expect(capture.requestsFrom(base)).toEqual([]);
        expect(errors).toEqual([]);
      },
    );
  }

  trackerTest(
    'sets no cookie and writes no local storage, session storage or IndexedDB',
    async ({ context, capture }) => {
      const base = uniquePath('no-storage');
      const page = await browseBusyPage(context, capture, base);
      await capture.waitForEvents(
        base,
        (found) => found.some((event) => event.type === 'scroll'),
        flushing(page),
      );
      expect(await context.cookies()).toEqual([]);
      const stored = await page.evaluate(async () => {
        const w = globalThis as unknown as PageGlobals;
        return {
          local: w.localStorage.length,
          session: w.sessionStorage.length,
          indexedDb: (await w.indexedDB.databases()).length,
        };
      });
      expect(stored).toEqual({ local: 0, session: 0, indexedDb: 0 });
    },
  );

  trackerTest(
    'sends no cookie even to a collector on the shop’s own site, where sendBeacon would',
    async ({ context, capture }) => {
      const base = uniquePath('credentials');
      await context.addCookies([{ name: 'shop_session', value: 'secret', url: capture.collectorOrigin }]);
      const page = await context.newPage();
      await page.goto(capture.page(base, testPage({ body: BUSY_BODY }), capture.collectorOrigin));
      await capture.waitForEvents(base, (found) => found.length >= 1, flushing(page));
      // The control: sendBeacon always sends the site's cookies, which is why the tracker avoids it.
      await page.evaluate(() => {
        const w = globalThis as unknown as PageGlobals;
        const body = JSON.stringify({ events: [{ type: 'pageview', url: `${w.location.href}/beacon` }] });
        w.navigator.sendBeacon('/e', body);
      });
      await capture.waitForEvents(`${base}/beacon`, (found) => found.length >= 1);
      const cookies = capture.requestsFrom(base).map((request) => ({
        beacon: request.body.includes('/beacon'),
        cookie: request.cookie,
      }));
      expect(cookies).toContainEqual({ beacon: true, cookie: 'shop_session=secret' });
      expect(cookies.filter((request) => !request.beacon)).not.toEqual([]);
      expect(cookies.filter((request) => !request.beacon && request.cookie !== undefined)).toEqual([]);
    },
  );

  trackerTest(
    'falls back to sendBeacon only in a browser whose fetch has no keepalive',
    async ({ context, capture }) => {
      const base = uniquePath('fallback');
      await context.addInitScript(() => {
        const w = globalThis as unknown as {
          Request: { prototype: object };
          location: { search: string };
          beacons: number;
          navigator: { sendBeacon: (url: string, body: string) => boolean };
        };
        const original = w.navigator.sendBeacon.bind(w.navigator);
        w.beacons = 0;
        w.navigator.sendBeacon = (url, body) => {
          w.beacons += 1;
          return original(url, body);
        };
        // An older browser: Request has no keepalive, so a fetch could be cut off on pagehide.
        if (w.location.search.includes('old-browser'))
          delete (w.Request.prototype as { keepalive?: unknown }).keepalive;
      });
      const beaconsOn = (page: Page) =>
        page.evaluate(() => (globalThis as unknown as { beacons: number }).beacons);

      const modern = await context.newPage();
      await modern.goto(capture.page(`${base}/modern`, testPage({ body: BUSY_BODY })));
      await capture.waitForEvents(`${base}/modern`, (found) => found.length >= 1, flushing(modern));
      expect(await beaconsOn(modern)).toBe(0);

      const old = await context.newPage();
      await old.goto(`${capture.page(`${base}/old`, testPage({ body: BUSY_BODY }))}?old-browser`);
      await capture.waitForEvents(`${base}/old`, (found) => found.length >= 1, flushing(old));
      expect(await beaconsOn(old)).toBeGreaterThan(0);
    },
  );

  trackerTest(
    'sends text/plain bodies from the page origin that parse with BeaconBatch and BeaconEvent',
    async ({ context, capture }) => {
      const base = uniquePath('wire');
      const page = await browseBusyPage(context, capture, base);
      await capture.waitForEvents(base, (found) => found.length >= 6, flushing(page));
      const requests = capture.requestsFrom(base);
      for (const request of requests) {
        expect(request.contentType).toMatch(/^text\/plain/);
        expect(request.origin).toBe(capture.pageOrigin);
        expect(parseBody(request.body).site).toBe('shop-eu');
      }
      const types = new Set(
        requests.flatMap((request) => parseBody(request.body).events.map((event) => event.type)),
      );
      expect([...types].sort()).toEqual([
        'add_to_cart',
        'pageview',
        'promo_click',
        'promo_view',
        'scroll',
        'slot_click',
      ]);
    },
  );
});
