import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { describeInBrowser } from '../fixtures/browser.js';
import { type CaptureServer, parseBody, uniquePath } from './capture-server.js';
import { type PageGlobals, testPage, trackerTest } from './harness.js';

/** Bodies received from pages under `base`, as event-type lists. */
const bodiesFrom = (capture: CaptureServer, base: string) =>
  capture.requests
    .map((request) => parseBody(request.body))
    .filter((batch) => batch.events.some((event) => new URL(event.url).pathname.startsWith(base)))
    .map((batch) => ({ site: batch.site, types: batch.events.map((event) => event.type) }));

/** A real pause, only where a test shows that nothing is sent. */
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Stops the page's clock (set before any page loads), so its timers run only when a test says. */
async function stopClock(page: Page): Promise<void> {
  await page.clock.install({ time: new Date('2026-11-25T10:00:00Z') });
  await page.clock.pauseAt(new Date('2026-11-25T10:00:01Z'));
}

async function search(page: Page, times: number): Promise<void> {
  await page.evaluate((count) => {
    const w = globalThis as unknown as PageGlobals;
    for (let i = 0; i < count; i++) w.kanon('search', { query: `q${i}`, results: i });
  }, times);
}

// page.clock stops the page's timers, so only the trigger under test can start a flush.
describeInBrowser('tracker: batching and delivery', () => {
  trackerTest(
    'holds events until its one-second timer, then sends them as one body',
    async ({ context, capture }) => {
      const base = uniquePath('timer');
      const page = await context.newPage();
      await stopClock(page);
      await page.goto(capture.page(base, testPage()));
      await search(page, 2);
      await page.clock.runFor(900);
      await pause(300);
      expect(bodiesFrom(capture, base)).toEqual([]);
      await page.clock.runFor(100);
      await capture.waitForEvents(base, (found) => found.length >= 3);
      expect(bodiesFrom(capture, base)).toEqual([
        { site: 'shop-eu', types: ['pageview', 'search', 'search'] },
      ]);
    },
  );

  trackerTest('sends at once when ten events are queued', async ({ context, capture }) => {
    const base = uniquePath('ten');
    const page = await context.newPage();
    await stopClock(page);
    await page.goto(capture.page(base, testPage()));
    await search(page, 10);
    await capture.waitForEvents(base, (found) => found.length >= 10);
    await pause(300);
    expect(bodiesFrom(capture, base)).toEqual([
      { site: 'shop-eu', types: ['pageview', ...Array<string>(9).fill('search')] },
    ]);
  });

  trackerTest('sends pending events when the page becomes hidden', async ({ context, capture }) => {
    const base = uniquePath('hidden');
    const page = await context.newPage();
    await stopClock(page);
    await page.goto(capture.page(base, testPage()));
    await search(page, 1);
    await page.evaluate(() => {
      const w = globalThis as unknown as PageGlobals;
      Object.defineProperty(w.document, 'visibilityState', { value: 'hidden', configurable: true });
      w.document.dispatchEvent(new w.Event('visibilitychange'));
    });
    await capture.waitForEvents(base, (found) => found.length >= 2);
    expect(bodiesFrom(capture, base)).toEqual([{ site: 'shop-eu', types: ['pageview', 'search'] }]);
  });

  trackerTest(
    'sends pending events on pagehide when the shopper navigates away',
    async ({ context, capture }) => {
      const base = uniquePath('pagehide');
      const page = await context.newPage();
      await stopClock(page);
      await page.goto(capture.page(`${base}/first`, testPage()));
      await search(page, 1);
      await page.goto(capture.page(`${uniquePath('elsewhere')}`, '<!doctype html><title>elsewhere</title>'));
      await capture.waitForEvents(base, (found) => found.length >= 2);
      expect(bodiesFrom(capture, base)).toEqual([{ site: 'shop-eu', types: ['pageview', 'search'] }]);
    },
  );
});
