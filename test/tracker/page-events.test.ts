import { expect } from 'vitest';
import { describeInBrowser } from '../fixtures/browser.js';
import { uniquePath } from './capture-server.js';
import {
  collectPageErrors,
  flushing,
  nextFrames,
  ofType,
  type PageGlobals,
  pushPath,
  scrollToY,
  testPage,
  trackerTest,
} from './harness.js';

describeInBrowser('tracker: page views, scrolling, slots and promotions', () => {
  trackerTest(
    'sends a pageview on load with the url, referrer, viewport, page type and webdriver flag',
    async ({ context, capture }) => {
      const base = uniquePath('pageview');
      const from = capture.page(
        `${base}/from`,
        testPage({ body: `<a id="go" href="${base}/product?colour=red">go</a>` }),
      );
      const to = capture.page(`${base}/product`, testPage({ pageType: 'product' }));
      const page = await context.newPage();
      await page.goto(from);
      await page.click('#go');
      const events = await capture.waitForEvents(
        `${base}/product`,
        (found) => found.length >= 1,
        flushing(page),
      );
      expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).navigator.webdriver)).toBe(
        true,
      );
      expect(events).toEqual([
        {
          type: 'pageview',
          url: `${to}?colour=red`,
          referrer: from,
          page_type: 'product',
          viewport: 1280,
          webdriver: true,
        },
      ]);
    },
  );

  trackerTest(
    'leaves out webdriver when it is false and a page type the schema does not know',
    async ({ context, capture }) => {
      const base = uniquePath('no-webdriver');
      const url = capture.page(base, testPage({ pageType: 'landing-page' }));
      await context.addInitScript(() =>
        Object.defineProperty((globalThis as unknown as PageGlobals).navigator, 'webdriver', {
          get: () => false,
        }),
      );
      const page = await context.newPage();
      await page.goto(url);
      const events = await capture.waitForEvents(base, (found) => found.length >= 1, flushing(page));
      expect(events).toEqual([{ type: 'pageview', url, referrer: '', viewport: 1280 }]);
    },
  );

  trackerTest(
    'sends a pageview for each single-page-app path change with the previous url as referrer',
    async ({ context, capture }) => {
      const base = uniquePath('spa');
      const first = capture.page(`${base}/list`, testPage({ pageType: 'category' }));
      const page = await context.newPage();
      await page.goto(first);
      await pushPath(page, `${base}/item?from=list`);
      await page.evaluate(() => {
        const w = globalThis as unknown as PageGlobals;
        w.history.replaceState({}, '', `${w.location.pathname}?sort=price`);
      });
      await page.evaluate(() => (globalThis as unknown as PageGlobals).history.back());
      const views = await capture.waitForEvents(
        base,
        (found) => ofType(found, 'pageview').length >= 3,
        flushing(page),
      );
      const origin = new URL(first).origin;
      expect(ofType(views, 'pageview').map(({ url, referrer }) => ({ url, referrer }))).toEqual([
        { url: first, referrer: '' },
        { url: `${origin}${base}/item?from=list`, referrer: first },
        { url: first, referrer: `${origin}${base}/item?sort=price` },
      ]);
    },
  );

  trackerTest(
    'sends each scroll milestone once per page view, and again after a navigation',
    async ({ context, capture }) => {
      const base = uniquePath('scroll');
      const url = capture.page(base, testPage({ body: '<div style="height:4000px">tall</div>' }));
      const page = await context.newPage();
      await page.goto(url);
      await page.evaluate(() => {
        const w = globalThis as unknown as PageGlobals;
        w.scrollTo(0, w.document.documentElement.scrollHeight * 0.3 - w.innerHeight);
      });
      await capture.waitForEvents(base, (found) => ofType(found, 'scroll').length === 1, flushing(page));
      for (const y of [1e6, 0, 1e6]) await scrollToY(page, y);
      await pushPath(page, `${base}/next`);
      await scrollToY(page, 0);
      await scrollToY(page, 1e6);
      const events = await capture.waitForEvents(
        base,
        (found) =>
          found.some(
            (event) => event.url.endsWith('/next') && event.type === 'scroll' && event.depth === 100,
          ),
        flushing(page),
      );
      expect(
        ofType(events, 'scroll').map(
          ({ depth, url: at }) => `${new URL(at).pathname.slice(base.length) || '/'} ${depth}`,
        ),
      ).toEqual(['/ 25', '/ 50', '/ 75', '/ 100', '/next 25', '/next 50', '/next 75', '/next 100']);
    },
  );

  trackerTest(
    'sends slot clicks with the 1-based position of the clicked item',
    async ({ context, capture }) => {
      const base = uniquePath('slots');
      const body = `
      <section data-kanon-slot="hero">
        <h2 id="heading">Featured</h2>
        <article data-kanon-item><a href="#a">A</a></article>
        <article data-kanon-item><a href="#b"><span id="b-label">B</span></a></article>
        <article data-kanon-item>C</article>
      </section>
      <ul data-kanon-slot="recommendations">
        <li>one</li><li>two</li><li><button id="third" onclick="event.stopPropagation()">three</button></li>
      </ul>
      <p id="outside">not in a slot</p>`;
      const page = await context.newPage();
      const errors = collectPageErrors(page);
      await page.goto(capture.page(base, testPage({ body })));
      for (const selector of ['#b-label', '#third', '#heading', '#outside']) await page.click(selector);
      const events = await capture.waitForEvents(
        base,
        (found) => ofType(found, 'slot_click').length >= 3,
        flushing(page),
      );
      expect(ofType(events, 'slot_click').map(({ slot, position }) => ({ slot, position }))).toEqual([
        { slot: 'hero', position: 2 },
        { slot: 'recommendations', position: 3 },
        { slot: 'hero', position: undefined },
      ]);
      expect(errors).toEqual([]);
    },
  );

  trackerTest(
    'sends a promo view once per page view when half visible, and promo clicks',
    async ({ context, capture }) => {
      const base = uniquePath('promo');
      const body = `
      <div style="height:1200px">top</div>
      <div data-kanon-slot="home-banner">
        <a id="sale" data-kanon-promo="summer-sale" href="#sale" style="display:block;height:200px">Summer sale</a>
      </div>
      <div style="height:1200px">middle</div>
      <aside id="ship" data-kanon-promo="free-shipping" data-kanon-slot="sidebar" style="height:100px">Free shipping</aside>
      <div style="height:1200px">bottom</div>`;
      const page = await context.newPage();
      await page.goto(capture.page(base, testPage({ body })));
      await nextFrames(page);
      await capture.waitForEvents(base, (found) => found.length >= 1, flushing(page));
      expect(ofType(capture.events(base), 'promo_view')).toEqual([]);

      await page.locator('#sale').scrollIntoViewIfNeeded();
      await capture.waitForEvents(base, (found) => ofType(found, 'promo_view').length === 1, flushing(page));
      for (const y of [0, 1000]) await scrollToY(page, y);
      await page.click('#sale');
      await page.locator('#ship').scrollIntoViewIfNeeded();
      await page.evaluate(() => {
        const w = globalThis as unknown as PageGlobals;
        const flash = w.document.createElement('div');
        flash.setAttribute('data-kanon-promo', 'flash-deal');
        flash.style.cssText = 'position:fixed;top:0;height:50px;width:100%';
        w.document.body.append(flash);
      });
      await capture.waitForEvents(base, (found) => ofType(found, 'promo_view').length >= 3, flushing(page));
      await pushPath(page, `${base}/again`);
      const events = await capture.waitForEvents(
        base,
        (found) => ofType(found, 'promo_view').length >= 5,
        flushing(page),
      );
      const promos = events
        .filter((event) => event.type === 'promo_view' || event.type === 'promo_click')
        .map((event) => ({ ...event, url: new URL(event.url).pathname.slice(base.length) || '/' }))
        .map(({ type, promo, slot, url }) => `${url} ${type} ${promo} ${slot}`);
      expect(promos.slice(0, 4)).toEqual([
        '/ promo_view summer-sale home-banner',
        '/ promo_click summer-sale home-banner',
        '/ promo_view free-shipping sidebar',
        '/ promo_view flash-deal undefined',
      ]);
      expect(promos.slice(4).sort()).toEqual([
        '/again promo_view flash-deal undefined',
        '/again promo_view free-shipping sidebar',
      ]);
    },
  );
});
