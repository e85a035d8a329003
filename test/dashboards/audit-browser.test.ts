import { readFileSync } from 'node:fs';
import type { BrowserContext, Page } from 'playwright-core';
import { expect } from 'vitest';
import { artifactPath, browserTest, describeInBrowser } from '../fixtures/browser.js';
import { type DashboardsHarness, startDashboards } from './fixtures/dashboards-app.js';

/** The admin page of the access audit log, in real Chromium: read, filter, export; admins only. */
const test = browserTest
  // biome-ignore lint/correctness/noEmptyPattern: vitest reads a fixture's dependencies from this pattern.
  .extend('dash', { scope: 'file' }, async ({}, { onCleanup }): Promise<DashboardsHarness> => {
    const harness = await startDashboards();
    onCleanup(() => harness.close());
    return harness;
  });

const poll = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 20_000, interval: 100 });

async function openAs(
  context: BrowserContext,
  dash: DashboardsHarness,
  role: 'analyst' | 'admin',
  path: string,
) {
  const client = await dash.signIn(role, `audit-page-${role}`);
  const [name, value] = client.cookie.split('=') as [string, string];
  await context.addCookies([{ name, value, url: dash.url, httpOnly: true, sameSite: 'Strict' }]);
  const page: Page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  const response = await page.goto(`${dash.url}${path}`);
  return { page, errors, client, status: response?.status() };
}

describeInBrowser('the audit log page', () => {
  test('an admin reads the log, filters it by action and who, and downloads it as CSV', async ({
    context,
    dash,
  }) => {
    const analyst = await dash.signIn('analyst', 'audit-page-analyst');
    const refused = await analyst.fetch('/api/v1/query', {
      method: 'POST',
      json: { sql: 'SELECT * FROM app_users' },
    });
    expect(refused.status).toBe(403);
    const { page, errors } = await openAs(context, dash, 'admin', '/audit');
    const rows = page.locator('#audit-table tbody tr');
    await poll(() => rows.count()).toBeGreaterThan(1);
    expect(await page.locator('nav a[href="/audit"]').getAttribute('aria-current')).toBe('page');

    await page.locator('#audit-filter select[name=action]').selectOption('sql_refused');
    await page.locator('#audit-filter button[type=submit]').click();
    await poll(() => page.url()).toContain('action=sql_refused');
    await poll(async () => (await rows.first().getAttribute('data-action')) ?? '').toBe('sql_refused');
    const actions = await rows.evaluateAll((list) => list.map((row) => (row as HTMLElement).dataset.action));
    expect(new Set(actions)).toEqual(new Set(['sql_refused']));
    const first = await rows.first().textContent();
    expect(first).toContain('audit-page-analyst');
    expect(first).toContain('SELECT * FROM app_users');
    expect(first).toContain('query_not_allowed');

    await page.locator('#audit-filter input[name=actor]').fill('nobody-at-all');
    await page.locator('#audit-filter button[type=submit]').click();
    await poll(() => page.locator('#audit-empty').count()).toBe(1);
    await page.locator('#audit-filter input[name=actor]').fill('audit-page-analyst');
    await page.locator('#audit-filter button[type=submit]').click();
    await poll(() => rows.count()).toBe(1);

    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#audit-csv').click()]);
    expect(download.suggestedFilename()).toMatch(/^kanon-audit-log-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = readFileSync((await download.path())!, 'utf8')
      .trim()
      .split('\r\n');
    expect(csv[0]).toBe('at,actor,role,action,target,outcome,code,query,rows,duration_ms,detail');
    expect(csv).toHaveLength(2);
    expect(csv[1]).toContain(',audit-page-analyst,analyst,sql_refused,');

    await page.setViewportSize({ width: 1280, height: 800 });
    await page.locator('#audit-filter select[name=action]').selectOption('');
    await page.locator('#audit-filter input[name=actor]').fill('');
    await page.locator('#audit-filter button[type=submit]').click();
    await poll(() => rows.count()).toBeGreaterThan(2);
    await page.screenshot({ path: artifactPath('dashboards/audit-log.png'), fullPage: true });
    expect(errors).toEqual([]);
  });

  test('an analyst is shown the page is not theirs, and has no Audit tab', async ({ context, dash }) => {
    const { page, status } = await openAs(context, dash, 'analyst', '/audit');
    expect(status).toBe(403);
    expect(await page.locator('h1').textContent()).toContain('not available');
    await page.goto(`${dash.url}/`);
    await page.locator('nav.tabs a').first().waitFor();
    expect(await page.locator('nav a[href="/audit"]').count()).toBe(0);
  });
});
