import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { expect, inject } from 'vitest';
import { adminSettings } from '../../bin/runtime/admin-settings.js';
import { loadConfig } from '../../core/config.js';
import { browserTest } from '../fixtures/browser.js';
import { type DashboardsHarness, startDashboards } from './fixtures/dashboards-app.js';

declare module 'vitest' {
  export interface ProvidedContext {
    screenshotsDir: string;
  }
}

/**
 * Run by `npm run screenshots` (screenshots.ts), not by `npm test`: every page of the dashboards
 * at a desktop and a phone width, for a person to look at. The ranges are the default week (which
 * reaches today) and today alone, whose tables wait for the day's release.
 */
const test = browserTest
  // biome-ignore lint/correctness/noEmptyPattern: vitest reads a fixture's dependencies from this pattern.
  .extend('dash', { scope: 'file' }, async ({}, { onCleanup }): Promise<DashboardsHarness> => {
    // The settings page as a deployment shows it, with the fixture's currency and window.
    const config = loadConfig({
      KANON_DATA_DIR: '/tmp/kanon-screenshots',
      KANON_CURRENCY: 'EUR',
      KANON_WINDOW: '6h',
    });
    const harness = await startDashboards({ settings: adminSettings(config) });
    onCleanup(() => harness.close());
    return harness;
  });

const WIDTHS = [
  { name: '1440', width: 1440, height: 900 },
  { name: '390', width: 390, height: 844 },
];

/** Every view the navigation offers an admin (so a new view is shot without a change here), then today's. */
async function pagesOf(page: Page, dash: DashboardsHarness) {
  await page.goto(`${dash.url}/`);
  await page.locator('a.tab').first().waitFor();
  const views = await page.$$eval('a.tab', (links) =>
    links.map((link) => new URL((link as HTMLAnchorElement).href).pathname),
  );
  const today = dash.data.today;
  return [
    ...views.map((path) => ({ name: path === '/' ? 'overview' : path.slice(1).replace(/\//g, '-'), path })),
    { name: 'overview-today', path: `/?from=${today}&to=${today}` },
    { name: 'products-today', path: `/products?from=${today}&to=${today}` },
  ];
}

/** Until nothing is loading any more (skeletons gone) and the charts have drawn. */
async function settled(page: Page) {
  await page.waitForLoadState('networkidle');
  await expect.poll(() => page.locator('.skeleton, [aria-busy=true]').count(), { timeout: 20_000 }).toBe(0);
  await page.waitForTimeout(400);
}

async function signedIn(context: BrowserContext, dash: DashboardsHarness) {
  const client = await dash.signIn('admin', 'screenshots');
  const [name, value] = client.cookie.split('=') as [string, string];
  await context.addCookies([{ name, value, url: dash.url, httpOnly: true, sameSite: 'Strict' }]);
}

for (const size of WIDTHS) {
  test(`every page at ${size.width} px`, async ({ context, dash }) => {
    const dir = inject('screenshotsDir');
    const page = await context.newPage();
    await page.setViewportSize({ width: size.width, height: size.height });
    await page.goto(`${dash.url}/login`);
    await page.locator('#username').waitFor();
    await page.screenshot({ path: join(dir, `login-${size.name}.png`), fullPage: true });
    await signedIn(context, dash);
    for (const { name, path } of await pagesOf(page, dash)) {
      await page.goto(`${dash.url}${path}`);
      await settled(page);
      await page.screenshot({ path: join(dir, `${name}-${size.name}.png`), fullPage: true });
    }
  });
}
