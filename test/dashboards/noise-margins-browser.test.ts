import type { BrowserContext, Page } from 'playwright-core';
import { expect } from 'vitest';
import type { NoiseSettings } from '../../workers/release/noise/noisy-release.js';
import { artifactPath, browserTest, describeInBrowser } from '../fixtures/browser.js';
import { type DashboardsHarness, K, startDashboards } from './fixtures/dashboards-app.js';
import { seedPublishedData } from './fixtures/published-data.js';

/**
 * Noise mode as a person sees it, in real Chromium: the ± margin (95 %) under a KPI's figure, under
 * each figure of a table, and beside the value in the trend's tooltip; the privacy note saying the
 * mode and ε; a phone's width kept. A site released without noise, in the same app, shows exact
 * figures and not one margin.
 */
const NOISE: NoiseSettings = { epsilon: 2, rows: 5, clamp: 3, moneyCents: 20_000 };
const PLAIN = 'plain';
/** A browser, a signed-in page and a dashboard of figures: slow on a shared 2-core machine. */
const SLOW = { timeout: 120_000 };

const test = browserTest
  // biome-ignore lint/correctness/noEmptyPattern: vitest reads a fixture's dependencies from this pattern.
  .extend('dash', { scope: 'file' }, async ({}, { onCleanup }) => {
    const harness = await startDashboards({}, { noise: NOISE });
    onCleanup(() => harness.close());
    await seedPublishedData(harness.warehouse, {
      site: PLAIN,
      now: harness.now,
      k: K,
      windowSeconds: 6 * 3600,
    });
    // One app serving both sites: the noisy one, and one released without noise.
    const both = await harness.variant({
      sites: [
        { id: 'demo', origins: ['http://localhost:8080'] },
        { id: PLAIN, origins: ['http://localhost:8081'] },
      ],
    });
    return { harness, url: both.url };
  });

const shot = (name: string) => artifactPath(`dashboards/${name}.png`);
const dayOf = (dash: DashboardsHarness, offset: number) =>
  new Date(Date.parse(`${dash.data.today}T00:00:00Z`) + offset * 86_400_000).toISOString().slice(0, 10);
/** A week of released days (the fixture's last released day is the day before yesterday). */
const week = (dash: DashboardsHarness) => `from=${dayOf(dash, -8)}&to=${dayOf(dash, -2)}`;

async function open(
  context: BrowserContext,
  dash: { harness: DashboardsHarness; url: string },
  path: string,
) {
  const client = await dash.harness.signIn('viewer', 'noise-viewer');
  const [name, value] = client.cookie.split('=') as [string, string];
  await context.addCookies([{ name, value, url: dash.url, httpOnly: true, sameSite: 'Strict' }]);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${dash.url}${path}`);
  return { page, errors };
}

const marginOf = (page: Page, kpi: string) => page.locator(`.kpi[data-kpi=${kpi}] .kpi-margin`);

describeInBrowser('noise mode in the dashboards', () => {
  test(
    'shows a ± margin under every KPI, in the tables and in the trend tooltip, and the mode and ε',
    SLOW,
    async ({ context, dash }) => {
      const { page, errors } = await open(context, dash, `/?site=demo&${week(dash.harness)}`);
      await marginOf(page, 'visitors').waitFor({ timeout: 20_000 });
      for (const kpi of ['visitors', 'pageviews', 'orders', 'revenue', 'conversion'])
        expect(await marginOf(page, kpi).textContent(), kpi).toMatch(/^±\S+/);
      expect(await marginOf(page, 'revenue').textContent()).toMatch(/^±\D*[\d,]+(\.\d\d)?$/);
      expect(await marginOf(page, 'conversion').textContent()).toMatch(/^±[\d.]+ pts$/);
      expect(await marginOf(page, 'visitors').getAttribute('title')).toContain('95 %');

      // The trend's tooltip: hovering a day shows its figure and its margin.
      const over = page.locator('#trend .u-over');
      await over.waitFor();
      const box = (await over.boundingBox())!;
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await expect
        .poll(async () => (await page.locator('#trend .u-legend .u-value').allTextContents()).join(' '), {
          timeout: 10_000,
        })
        .toMatch(/[\d,]+ ± [\d,]+/);

      // Tables: a margin under each figure of a row.
      const table = page.locator('table.data').first();
      await table.locator('td .margin').first().waitFor({ timeout: 20_000 });
      expect(await table.locator('tbody tr').first().locator('td .margin').count()).toBeGreaterThan(1);
      // The privacy note states the mode and ε.
      expect(await page.locator('body').textContent()).toContain('ε = 2 per visitor and day');
      await page.screenshot({ path: shot('noise-mode-overview'), fullPage: true });
      expect(errors).toEqual([]);
    },
  );

  test(
    "shows a product table's margins under its figures, in the figure's unit, and the funnel steps'",
    SLOW,
    async ({ context, dash }) => {
      const { page, errors } = await open(context, dash, `/products?site=demo&${week(dash.harness)}`);
      const row = page.locator('table.data tbody tr').first();
      await row.locator('td .margin').first().waitFor({ timeout: 20_000 });
      const margins = await row.locator('td .margin').allTextContents();
      expect(margins.length).toBeGreaterThan(3);
      for (const margin of margins) expect(margin).toMatch(/^±\S+/);
      expect(margins.some((margin) => margin.endsWith(' pts'))).toBe(true);

      // The funnel's steps: each step's visitors with their margin.
      await page.goto(`${dash.url}/funnel?site=demo&${week(dash.harness)}`);
      const step = page.locator('ol.funnel li .funnel-figures .margin');
      await step.first().waitFor({ timeout: 20_000 });
      expect(await step.count()).toBe(4);
      expect(errors).toEqual([]);
    },
  );

  test(
    "keeps a phone's layout: margins sit under their figures, and the page does not widen",
    SLOW,
    async ({ context, dash }) => {
      const { page } = await open(context, dash, `/?site=demo&${week(dash.harness)}`);
      await page.setViewportSize({ width: 390, height: 844 });
      await marginOf(page, 'revenue').waitFor({ timeout: 20_000 });
      const value = (await page.locator('.kpi[data-kpi=revenue] .kpi-value').boundingBox())!;
      const margin = (await marginOf(page, 'revenue').boundingBox())!;
      expect(margin.y).toBeGreaterThanOrEqual(value.y + value.height - 1);
      const card = (await page.locator('.kpi[data-kpi=revenue]').boundingBox())!;
      expect(margin.x + margin.width).toBeLessThanOrEqual(card.x + card.width + 0.5);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await page.screenshot({ path: shot('noise-mode-phone'), fullPage: true });
    },
  );

  test('shows a site released without noise exactly: not one margin', SLOW, async ({ context, dash }) => {
    const { page, errors } = await open(context, dash, `/?site=${PLAIN}&${week(dash.harness)}`);
    await page.locator('.kpi[data-kpi=visitors] .kpi-value').waitFor({ timeout: 20_000 });
    await page.locator('table.data').first().waitFor({ timeout: 20_000 });
    expect(await page.locator('.kpi[data-kpi=visitors] .kpi-value').textContent()).toMatch(/\d/);
    expect(await page.locator('.margin').count()).toBe(0);
    expect(await page.locator('body').textContent()).not.toContain('±');
    expect(errors).toEqual([]);
  });
});
