import type { BrowserContext, Page } from 'playwright-core';
import { expect } from 'vitest';
import { describeInBrowser } from '../fixtures/browser.js';
import { type CaptureServer, parseBody, uniquePath } from './capture-server.js';
import { type PageGlobals, testPage, trackerTest } from './harness.js';

/** Bodies received from pages under `base`, as event-type lists. */
const bodiesFrom = (capture: CaptureServer, base: string) =>
  capture
    .requestsFrom(base)
    .map((request) => parseBody(request.body))
    .map((batch) => ({ site: batch.site, types: batch.events.map((event) => event.type) }));

/** A real pause, only where a test shows that nothing is sent. */
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Stops the page's clock (set before any page loads), so its timers run only when a test says.
 * The installed clock runs on until paused, so the pause lies ten minutes ahead: a busy host once
 * took more than a second between the two calls, and pausing in the past throws.
 */
async function stopClock(page: Page): Promise<void> {
  await page.clock.install({ time: new Date('2026-11-25T10:00:00Z') });
  await page.clock.pauseAt(new Date('2026-11-25T10:10:00Z'));
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

/** What the capture server answered to each body from pages under `base`, with the body. */
const answersFrom = (capture: CaptureServer, base: string) =>
  capture.requestsFrom(base).map((request) => ({ answer: request.answer, body: request.body }));

/**
 * Opens a test page with its clock stopped, the capture server set to give `answers` first, and
 * queues ten events on it, which the tag sends at once; returns the page once they arrived.
 */
async function sendTenEvents(
  context: BrowserContext,
  capture: CaptureServer,
  base: string,
  answers: Array<number | 'drop'>,
): Promise<Page> {
  const page = await context.newPage();
  await stopClock(page);
  capture.answerNext(...answers);
  await page.goto(capture.page(base, testPage()));
  await search(page, 9);
  await capture.waitForEvents(base, (found) => found.length >= 10);
  return page;
}

/** Lets any retry still due come: a minute of page time, with real time around it for requests. */
async function runOutRetries(page: Page): Promise<void> {
  await pause(200);
  await page.clock.runFor(60_000);
  await pause(300);
}

/**
 * Runs the page's stopped clock in steps of 100 ms until the capture server has received `count`
 * bodies from pages under `base`, and returns how much page time that took (at most `limitMs`).
 */
async function runUntilBodies(
  page: Page,
  capture: CaptureServer,
  base: string,
  count: number,
  limitMs: number,
) {
  // Real time for the page to read the previous answer and set its timer before the clock moves.
  await pause(200);
  let elapsed = 0;
  while (answersFrom(capture, base).length < count && elapsed < limitMs) {
    await page.clock.runFor(100);
    elapsed += 100;
    await pause(10);
  }
  return elapsed;
}

// A 503 means the collector stored nothing, so the tag sends the body again; anything else
// is final, and a network error may have been stored already (a retry could count it twice).
describeInBrowser('tracker: sending again after a 503', () => {
  trackerTest(
    'sends a refused body again after about 1 and then 2 s, until it is accepted',
    async ({ context, capture }) => {
      const base = uniquePath('retry');
      const page = await sendTenEvents(context, capture, base, [503, 503]);
      const firstWait = await runUntilBodies(page, capture, base, 2, 10_000);
      const secondWait = await runUntilBodies(page, capture, base, 3, 10_000);
      await runOutRetries(page);
      const answers = answersFrom(capture, base);
      expect(answers.map((sent) => sent.answer)).toEqual([503, 503, 202]);
      expect(new Set(answers.map((sent) => sent.body)).size).toBe(1);
      expect(firstWait).toBeGreaterThanOrEqual(1000);
      expect(firstWait).toBeLessThanOrEqual(2500);
      expect(secondWait).toBeGreaterThanOrEqual(2000);
      expect(secondWait).toBeLessThanOrEqual(4500);
    },
  );

  trackerTest('gives a body up after three more tries', async ({ context, capture }) => {
    const base = uniquePath('give-up');
    const page = await sendTenEvents(context, capture, base, [503, 503, 503, 503, 503]);
    for (const count of [2, 3, 4]) await runUntilBodies(page, capture, base, count, 10_000);
    await runOutRetries(page);
    expect(answersFrom(capture, base).map((sent) => sent.answer)).toEqual([503, 503, 503, 503]);
    capture.answerNext();
  });

  trackerTest.for<[string, number | 'drop']>([
    ['400', 400],
    ['413', 413],
    ['429', 429],
    ['504', 504],
    ['a 500', 500],
    ['a dropped connection', 'drop'],
  ])('does not send a body again after %s', async ([, answer], { context, capture }) => {
    const base = uniquePath('final');
    await runOutRetries(await sendTenEvents(context, capture, base, [answer]));
    expect(answersFrom(capture, base).map((sent) => sent.answer)).toEqual([
      answer === 'drop' ? 'dropped' : answer,
    ]);
  });
});
