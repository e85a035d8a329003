import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { artifactPath, browserTest, describeInBrowser } from '../fixtures/browser.js';
import { type Client, type DashboardsHarness, SITE, startDashboards } from './fixtures/dashboards-app.js';

/**
 * Explore in a real Chromium: a merchandiser clicks a source, then a country, and the whole page
 * follows; the address holds both filters in the order they were clicked, so the view survives a
 * reload (a bookmark, a link sent to a colleague); a pill removes each; the comparison may be the
 * same days a year before; and a viewer downloads the CSV of what the view shows.
 */
const test = browserTest
  // biome-ignore lint/correctness/noEmptyPattern: vitest reads a fixture's dependencies from this pattern.
  .extend('dash', { scope: 'file' }, async ({}, { onCleanup }): Promise<DashboardsHarness> => {
    const harness = await startDashboards();
    onCleanup(() => harness.close());
    return harness;
  })
  .extend(
    'api',
    { scope: 'file' },
    async ({ dash }): Promise<Client> => dash.signIn('analyst', 'explore-reader'),
  );

interface Overview {
  source: string;
  filter: string | null;
  kpis: { key: string; label: string; value: number | null }[];
}

const poll = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 20_000, interval: 100 });
const dayOf = (dash: DashboardsHarness, offset: number) =>
  new Date(Date.parse(`${dash.data.today}T00:00:00Z`) + offset * 86_400_000).toISOString().slice(0, 10);
const compact = new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 1 });
const kpiText = (value: number) => (value >= 10_000 ? compact.format(value) : value.toLocaleString('en'));

function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}

// A page of several views on a busy 2-core machine: more than the default minute.
describeInBrowser('explore', { timeout: 120_000 }, () => {
  test('a viewer drills down by a source and a country, reloads the address, and removes a filter', async ({
    context,
    dash,
    api,
  }) => {
    const viewer = await dash.signIn('viewer', 'explore-viewer');
    const [name, value] = viewer.cookie.split('=') as [string, string];
    await context.addCookies([{ name, value, url: dash.url, httpOnly: true, sameSite: 'Strict' }]);
    const page = await context.newPage();
    const errors = watchErrors(page);
    // A released week, so every table has rows to click.
    const range = `site=${SITE}&from=${dayOf(dash, -13)}&to=${dayOf(dash, -7)}`;
    await page.goto(`${dash.url}/?${range}`);

    const sources = page.locator('section[aria-label="Sources"]');
    await sources.locator('button.row-filter', { hasText: 'www.google.com' }).click();
    await page.waitForURL(/source=www\.google\.com/);
    await poll(() => page.locator('.filter-pill').count()).toBe(1);
    await poll(() => page.locator('.filter-pill[data-filter=source] strong').textContent()).toBe(
      'www.google.com',
    );
    await poll(() => page.locator('[data-kpi=pageviews] .kpi-label').textContent()).toBe('Visits');
    await poll(() => page.locator('.notice.info').textContent()).toContain('Filtered by source');
    // The sources table is that source's row now; the countries table is not split by source.
    await poll(() => sources.locator('tbody tr').count()).toBe(1);
    const countries = page.locator('section[aria-label="Countries"]');
    await poll(() => countries.locator('.not-split-inline').textContent()).toContain('Not split by source');

    await countries.locator('button.row-filter', { hasText: 'Germany' }).click();
    await page.waitForURL(/country=DE/);
    const url = new URL(page.url());
    // The order clicked: the figures on top follow the first filter.
    expect([...url.searchParams.keys()].filter((key) => key === 'source' || key === 'country')).toEqual([
      'source',
      'country',
    ]);
    const expected = await api.json<Overview>(`/api/v1/overview?${url.searchParams}`);
    expect(expected).toMatchObject({ source: 'referrers', filter: 'source' });
    const visitors = expected.kpis.find((kpi) => kpi.key === 'visitors')!.value!;
    await poll(() => page.locator('[data-kpi=visitors] .kpi-value').textContent()).toBe(kpiText(visitors));
    await poll(() => page.locator('.filter-pill').count()).toBe(2);
    await poll(() => page.locator('.notice.not-split').textContent()).toContain('not split by country');
    await poll(() => countries.locator('tbody tr').count()).toBe(1);

    // The CSV link of a table carries the same filters, for a viewer too, and answers CSV.
    const csvHref = await sources.locator('a[download]').getAttribute('href');
    expect(csvHref).toMatch(/source=www\.google\.com/);
    expect(csvHref).toMatch(/country=DE/);
    const csv = await viewer.fetch(csvHref!);
    expect(csv.status).toBe(200);
    expect(await csv.text()).toContain('www.google.com');

    // The address is the bookmark: a reload shows the same two filters.
    await page.reload();
    await poll(() => page.locator('.filter-pill').count()).toBe(2);
    await poll(() => page.locator('[data-kpi=visitors] .kpi-value').textContent()).toBe(kpiText(visitors));
    await page.screenshot({ path: artifactPath('dashboards/explore-two-filters.png'), fullPage: true });

    // Removing the source leaves the country, and the figures on top follow it.
    await page.locator('.filter-pill[data-filter=source] button').click();
    await page.waitForURL((next) => !next.search.includes('source='));
    expect(new URL(page.url()).searchParams.get('country')).toBe('DE');
    const byCountry = await api.json<Overview>(`/api/v1/overview?${new URL(page.url()).searchParams}`);
    expect(byCountry).toMatchObject({ source: 'countries', filter: 'country' });
    await poll(() => page.locator('.notice.info').textContent()).toContain('Filtered by country');
    await poll(() => page.locator('.filter-pill').count()).toBe(1);
    expect(errors).toEqual([]);
  });

  test('three filters are the most: a fourth row is not offered, and the comparison can be a year before', async ({
    context,
    dash,
  }) => {
    const client = await dash.signIn('analyst', 'explore-analyst');
    const [name, value] = client.cookie.split('=') as [string, string];
    await context.addCookies([{ name, value, url: dash.url, httpOnly: true, sameSite: 'Strict' }]);
    const page = await context.newPage();
    const errors = watchErrors(page);
    const range = `site=${SITE}&from=${dayOf(dash, -13)}&to=${dayOf(dash, -7)}`;
    await page.goto(`${dash.url}/?${range}&source=www.google.com&country=DE&device=mobile`);
    await poll(() => page.locator('.filter-pill').count()).toBe(3);
    await poll(() => page.locator('.filter-max').textContent()).toMatch(/At most 3 filters/);
    await page.locator('section[aria-label="Sources"] tbody tr').first().waitFor();
    expect(await page.locator('button.row-filter').count()).toBe(0);
    expect(await page.locator('select[name=campaign]').isDisabled()).toBe(true);

    await page.selectOption('select[name=compare]', 'year');
    await page.waitForURL(/compare=year/);
    await poll(() => page.locator('.compare-caption').textContent()).toMatch(/a year before/);
    expect(errors).toEqual([]);
  });

  test('today says when the next release comes, and so does a range with nothing released; a viewer opts in to a weekly e-mail', async ({
    context,
    dash,
  }) => {
    const viewer = await dash.signIn('viewer', 'explore-mail');
    const [name, value] = viewer.cookie.split('=') as [string, string];
    await context.addCookies([{ name, value, url: dash.url, httpOnly: true, sameSite: 'Strict' }]);
    const page = await context.newPage();
    const errors = watchErrors(page);
    const today = dash.data.today;
    await page.goto(`${dash.url}/?site=${SITE}&from=${today}&to=${today}`);
    // The harness clock is 15:20 UTC: 6-hour windows, the next closes at 18:00, plus a minute's grace.
    await poll(() => page.locator('.kpis-slot .next-release').textContent()).toBe(
      'Today so far, as released. Next release at 18:01 UTC.',
    );

    // Long before the fixture's first day nothing is released: the empty state says when it comes.
    const empty = dayOf(dash, -60);
    await page.goto(`${dash.url}/?site=${SITE}&from=${empty}&to=${empty}`);
    const top = page.locator('section[aria-label="Top pages"]');
    await poll(() => top.locator('.empty-title').textContent()).toBe('No released data yet');
    expect(await top.locator('.next-release').textContent()).toBe('Next release at 18:01 UTC.');

    // The report e-mail: chosen on the overview, kept for the user.
    const form = page.locator('#report-mail form');
    await form.locator('select[name=report-frequency]').selectOption('weekly');
    await form.locator('input[name=report-email]').fill('merch@shop.example');
    await form.locator('button[type=submit]').click();
    await poll(() => page.locator('#report-mail .report-mail-status').textContent()).toBe(
      `Saved: a weekly report to merch@shop.example for ${SITE}.`,
    );
    expect(await viewer.json('/api/v1/me/report-mail')).toMatchObject({
      frequency: 'weekly',
      email: 'merch@shop.example',
      site: SITE,
    });
    expect(errors).toEqual([]);
  });
});
