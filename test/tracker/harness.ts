import type { Page } from 'playwright-core';
import type { BeaconEvent } from '../../schema/event.js';
import { buildTracker } from '../../tracker/build.js';
import { browserTest } from '../fixtures/browser.js';
import { startCaptureServer } from './capture-server.js';

/** The queueing snippet shop developers paste before the tag (docs/tracker.md). */
export const SNIPPET = 'window.kanon=window.kanon||function(){(kanon.q=kanon.q||[]).push(arguments)}';

/** browserTest plus `capture`: the built tracker behind a capture server, one per test file. */
// biome-ignore lint/correctness/noEmptyPattern: vitest reads a fixture's dependencies from this pattern.
export const trackerTest = browserTest.extend('capture', { scope: 'file' }, async ({}, { onCleanup }) => {
  const { code } = await buildTracker();
  const server = await startCaptureServer(code);
  onCleanup(() => server.close());
  return server;
});

export interface TestPageOptions {
  pageType?: string;
  /** Markup placed after the snippet and before the tracker tag. */
  head?: string;
  body?: string;
  site?: string;
}

/** A storefront page with the snippet and the one tag, as docs/tracker.md tells shops to write it. */
export function testPage({ pageType, head = '', body = '', site = 'shop-eu' }: TestPageOptions = {}): string {
  const meta = pageType ? `<meta name="kanon:page-type" content="${pageType}">` : '';
  return `<!doctype html><html><head><meta charset="utf-8"><title>test</title>${meta}
<script>${SNIPPET}</script>${head}
<script defer src="{{COLLECTOR_URL}}/tracker.js" data-site="${site}"></script>
</head><body style="margin:0">${body}</body></html>`;
}

/** Collects errors the page throws, so a test can show the tracker never throws into it. */
export function collectPageErrors(page: Page): Error[] {
  const errors: Error[] = [];
  page.on('pageerror', (error) => errors.push(error));
  return errors;
}

const PAGE_FIELDS = new Set(['url', 'referrer', 'page_type', 'viewport', 'webdriver']);

/** An event without the fields every event carries, to compare what is specific to its type. */
export function withoutPageFields(event: BeaconEvent): Record<string, unknown> {
  return Object.fromEntries(Object.entries(event).filter(([key]) => !PAGE_FIELDS.has(key)));
}

export const ofType = <T extends BeaconEvent['type']>(events: BeaconEvent[], type: T) =>
  events.filter((event): event is Extract<BeaconEvent, { type: T }> => event.type === type);

/**
 * The browser globals that page.evaluate callbacks in these tests touch. The root tsconfig has no
 * DOM lib, on purpose: server code must not type-check against browser globals (and the DOM's
 * timer types clash with Node's). So callbacks reach them as `globalThis as unknown as PageGlobals`.
 */
export interface PageGlobals {
  document: {
    documentElement: { scrollHeight: number };
    body: { append(node: unknown): void };
    createElement(tag: string): {
      setAttribute(name: string, value: string): void;
      style: { cssText: string };
    };
    dispatchEvent(event: unknown): boolean;
  };
  navigator: { webdriver: boolean; sendBeacon(url: string, body: string): boolean };
  history: {
    pushState(state: unknown, unused: string, url: string): void;
    replaceState(state: unknown, unused: string, url: string): void;
    back(): void;
  };
  location: { pathname: string; href: string };
  localStorage: { length: number };
  sessionStorage: { length: number };
  indexedDB: { databases(): Promise<unknown[]> };
  innerHeight: number;
  scrollTo(x: number, y: number): void;
  requestAnimationFrame(callback: () => void): number;
  dispatchEvent(event: unknown): boolean;
  Event: new (type: string) => unknown;
  kanon(name?: unknown, data?: unknown): void;
}

/** Waits two frames, so a scroll or layout change has been seen by scroll and intersection observers. */
export const nextFrames = (page: Page) =>
  page.evaluate(() => {
    const w = globalThis as unknown as PageGlobals;
    return new Promise<void>((resolve) => w.requestAnimationFrame(() => w.requestAnimationFrame(resolve)));
  });

/**
 * A `poke` for waitForEvents that flushes the page's queue now, as a pagehide would, so tests
 * need not wait for the one-second timer (delivery.test.ts covers the timer itself).
 */
export const flushing = (page: Page) => () =>
  page
    .evaluate(() => {
      const w = globalThis as unknown as PageGlobals;
      w.dispatchEvent(new w.Event('pagehide'));
    })
    .catch(() => {
      // The page is navigating; its own pagehide flushes.
    });

/** Scrolls the page to `y` pixels and waits until observers have seen it. */
export async function scrollToY(page: Page, y: number): Promise<void> {
  await page.evaluate((top) => (globalThis as unknown as PageGlobals).scrollTo(0, top), y);
  await nextFrames(page);
}

/** A single-page-app navigation: history.pushState to `path`. */
export const pushPath = (page: Page, path: string) =>
  page.evaluate((to) => (globalThis as unknown as PageGlobals).history.pushState({}, '', to), path);

/** Calls window.kanon in the page with each argument list, in order. */
export const callKanon = (page: Page, calls: unknown[][]) =>
  page.evaluate((list) => {
    const w = globalThis as unknown as PageGlobals;
    for (const args of list) w.kanon(...args);
  }, calls);
