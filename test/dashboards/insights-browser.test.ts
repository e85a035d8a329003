import type { BrowserContext, Page } from 'playwright-core';
import { expect } from 'vitest';
import { artifactPath, browserTest, describeInBrowser } from '../fixtures/browser.js';
import { type DashboardsHarness, startDashboards } from './fixtures/dashboards-app.js';

/**
 * The Insights view in real Chromium over the released test data: first in the navigation, a card
 * per action with its figures, its rule and a link that opens the report it comes from, the rules'
 * own states where one cannot compare, and a phone's width.
 */
const test = browserTest
  // biome-ignore lint/correctness/noEmptyPattern: vitest reads a fixture's dependencies from this pattern.
  .extend('dash', { scope: 'file' }, async ({}, { onCleanup }): Promise<DashboardsHarness> => {
    const harness = await startDashboards();
    onCleanup(() => harness.close());
    return harness;
  });

const poll = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 20_000, interval: 100 });
const shot = (name: string) => artifactPath(`dashboards/${name}.png`);
const dayOf = (dash: DashboardsHarness, offset: number) =>
  new Date(Date.parse(`${dash.data.today}T00:00:00Z`) + offset * 86_400_000).toISOString().slice(0, 10);

async function openAs(context: BrowserContext, dash: DashboardsHarness, path: string) {
  const client = await dash.signIn('viewer', 'insights-viewer');
  const [name, value] = client.cookie.split('=') as [string, string];
  await context.addCookies([{ name, value, url: dash.url, httpOnly: true, sameSite: 'Strict' }]);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${dash.url}${path}`);
  return { page, errors };
}

const cardOf = (page: Page, rule: string) => page.locator(`article.insight[data-rule=${rule}]`).first();

describeInBrowser('insights view', () => {
  test('Insights is first in the navigation, and its cards name an action, its figures, its rule and a link to the report', async ({
    context,
    dash,
  }) => {
    const { page, errors } = await openAs(context, dash, '/');
    await page.locator('a.tab').first().waitFor();
    expect(await page.locator('a.tab').first().textContent()).toBe('Insights');
    await page.click('a.tab[href^="/insights"]');
    await page.locator('article.insight').first().waitFor({ timeout: 20_000 });
    expect(await page.title()).toBe('Insights · Kanon');

    const kettle = cardOf(page, 'viewed_not_bought');
    expect(await kettle.locator('.insight-action').textContent()).toBe('Fix the page or the price');
    expect(await kettle.locator('.insight-subject').textContent()).toContain('gooseneck-kettle');
    expect(await kettle.locator('dt').allTextContents()).toEqual([
      'Views',
      'Units sold',
      'Conversion',
      'Shop conversion',
    ]);
    expect(await kettle.locator('dd').first().textContent()).toMatch(/^\d[\d,]*$/);
    expect(await kettle.locator('.insight-rule').textContent()).toContain("under half the shop's");
    expect(await kettle.locator('.insight-impact').textContent()).toMatch(
      /≈ \d+ more units sold .*% of the shop's units sold/,
    );
    // Money in the shop's currency on a campaign card.
    expect(await cardOf(page, 'campaign_high_value').locator('dd').allTextContents()).toEqual(
      expect.arrayContaining([expect.stringMatching(/^€[\d,]+\.\d\d$/)]),
    );
    const rules = page.locator('#insight-rules li');
    expect(await rules.count()).toBe(9);
    expect(await page.locator('#insight-rules li[data-rule=rising]').getAttribute('data-status')).toBe(
      'fired',
    );
    await page.screenshot({ path: shot('insights'), fullPage: true });

    // The link opens the report the card comes from, scrolled to it, with the same range.
    const before = new URL(page.url());
    await kettle.locator('a.insight-link').click();
    await page.waitForURL((url) => url.pathname === '/products');
    const after = new URL(page.url());
    expect(after.hash).toBe('#unbought');
    expect(after.searchParams.get('from')).toBe(before.searchParams.get('from'));
    await poll(() => page.locator('#unbought table.data').count()).toBe(1);
    await poll(() =>
      page.locator('#unbought').evaluate((card) => {
        const box = card.getBoundingClientRect();
        return box.top >= 0 && box.top < window.innerHeight;
      }),
    ).toBe(true);
    expect(await page.locator('#unbought tbody').textContent()).toContain('gooseneck-kettle');
    expect(errors).toEqual([]);
    // The first test also starts the dashboards and Chromium, slow on a busy 2-core machine.
  }, 120_000);

  test('over a previous period released for 1 of its 28 days, rising and falling say why they do not fire', async ({
    context,
    dash,
  }) => {
    const { page, errors } = await openAs(
      context,
      dash,
      `/insights?from=${dayOf(dash, -29)}&to=${dayOf(dash, -2)}`,
    );
    await page.locator('article.insight').first().waitFor({ timeout: 20_000 });
    expect(await page.locator('article.insight[data-rule=rising]').count()).toBe(0);
    const rising = page.locator('#insight-rules li[data-rule=rising]');
    expect(await rising.getAttribute('data-status')).toBe('not_compared');
    expect(await rising.locator('.rule-state').textContent()).toMatch(/only 1 of its 28 days/);
    const slot = cardOf(page, 'slot_low_click_rate').locator('a.insight-link');
    expect(await slot.getAttribute('href')).toMatch(/^\/layout\?.*page_type=category.*#slot-table$/);
    // The layout view opens on the slot's page type, not on its busiest one.
    await slot.click();
    await page.waitForURL((url) => url.pathname === '/layout');
    await poll(() => page.locator('button.segment[aria-selected=true]').getAttribute('data-page-type')).toBe(
      'category',
    );
    expect(await page.locator('#slot-table tbody').textContent()).toContain('grid #6');
    expect(errors).toEqual([]);
  }, 120_000);

  test('today alone waits for its release instead of showing cards', async ({ context, dash }) => {
    const today = dash.data.today;
    const { page, errors } = await openAs(context, dash, `/insights?from=${today}&to=${today}`);
    await page.locator('#insights .empty-state').waitFor({ timeout: 20_000 });
    expect(await page.locator('#insights .empty-title').textContent()).toBe('Published once the day is over');
    await poll(() => page.locator('#insight-rules li[data-status=waiting]').count()).toBe(9);
    expect(errors).toEqual([]);
  });

  test('on a 390 px phone the cards fit the width, one column', async ({ context, dash }) => {
    const { page, errors } = await openAs(context, dash, '/insights');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.locator('article.insight').first().waitFor({ timeout: 20_000 });
    await page.waitForLoadState('networkidle');
    expect(
      await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth),
    ).toBeLessThanOrEqual(1);
    const boxes = await page.$$eval('article.insight', (cards) =>
      cards.map((card) => {
        const box = card.getBoundingClientRect();
        return {
          left: Math.round(box.left),
          right: box.right,
          overflow: card.scrollWidth - card.clientWidth,
        };
      }),
    );
    expect(new Set(boxes.map((box) => box.left)).size).toBe(1);
    for (const box of boxes) {
      expect(box.right).toBeLessThanOrEqual(390);
      expect(box.overflow).toBeLessThanOrEqual(1);
    }
    await page.screenshot({ path: shot('insights-phone'), fullPage: true });
    expect(errors).toEqual([]);
  });
});
