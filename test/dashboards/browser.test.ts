import type { BrowserContext, Page } from 'playwright-core';
import { expect } from 'vitest';
import { artifactPath, browserTest, describeInBrowser } from '../fixtures/browser.js';
import { type Client, type DashboardsHarness, PASSWORD, startDashboards } from './fixtures/dashboards-app.js';

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
    async ({ dash }): Promise<Client> => dash.signIn('analyst', 'api-reader'),
  );

/**
 * Opens a page already signed in (the session cookie of an API sign-in), so only the first test
 * pays for the sign-in form.
 */
async function openAs(
  context: BrowserContext,
  dash: DashboardsHarness,
  role: 'viewer' | 'analyst' | 'admin',
  path: string,
) {
  const client = await dash.signIn(role, `browser-${role}`);
  const [name, value] = client.cookie.split('=') as [string, string];
  await context.addCookies([{ name, value, url: dash.url, httpOnly: true, sameSite: 'Strict' }]);
  const page = await context.newPage();
  const errors = watchErrors(page);
  await page.goto(`${dash.url}${path}`);
  return { page, errors };
}

const compact = new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 1 });
/** How the KPI cards write a count. */
const kpiText = (value: number) => (value >= 10_000 ? compact.format(value) : value.toLocaleString('en'));

/** Waits for what the page shows; generous, since the machine may be busy with other test files. */
/**
 * Every wait on the page goes through this: expect.poll's default second is shorter than a refused
 * sign-in (its scrypt check) takes on a loaded 2-core host, where a fresh-clone CI run failed.
 */
const poll = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 20_000, interval: 100 });

const shot = (name: string) => artifactPath(`dashboards/${name}.png`);
const VIEWPORTS = [
  { name: 'desktop', width: 1440, height: 900 },
  { name: 'phone', width: 390, height: 844 },
];
/** The fixture's day `offset` days from today. */
const dayOf = (dash: DashboardsHarness, offset: number) =>
  new Date(Date.parse(`${dash.data.today}T00:00:00Z`) + offset * 86_400_000).toISOString().slice(0, 10);
const number = (text: string | null) => Number((text ?? '').replace(/[^0-9.]/g, ''));

/** Console errors and uncaught exceptions, including Content-Security-Policy violations. */
function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    // A refused request (a wrong password, a refused query) is logged by the browser; it is expected.
    if (message.type() === 'error' && !/Failed to load resource: .* (401|403)/.test(message.text()))
      errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}

async function signIn(
  page: Page,
  dash: DashboardsHarness,
  name: string,
  role: 'viewer' | 'analyst' | 'admin',
  path = '/',
) {
  if (!(await dash.users.find(name))) await dash.users.create(name, role, PASSWORD);
  await page.goto(`${dash.url}${path}`);
  await page.waitForURL(/\/login/);
  await page.fill('#username', name);
  await page.fill('#password', PASSWORD);
  await page.click('button[type=submit]');
  await page.waitForURL((url) => url.pathname === path);
}

/** True when the canvas has at least one drawn (non-transparent) pixel. */
async function canvasDrawn(page: Page, selector: string): Promise<boolean> {
  await page.locator(`${selector} canvas`).first().waitFor();
  return page
    .locator(`${selector} canvas`)
    .first()
    .evaluate((canvas: HTMLCanvasElement) => {
      const data = canvas.getContext('2d')?.getImageData(0, 0, canvas.width, canvas.height).data;
      if (!data || canvas.width === 0) return false;
      for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) return true;
      return false;
    });
}

interface Overview {
  kpis: { key: string; value: number | null }[];
}
interface TableResponse {
  table: { rows: Record<string, string | number | null>[] };
  steps?: { visitors: number | null }[];
}

describeInBrowser('dashboards web UI', () => {
  test('signed out, a page sends you to sign in and back to where you were going', async ({
    context,
    dash,
  }) => {
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${dash.url}/funnel`);
    await page.waitForURL(`${dash.url}/login?next=%2Ffunnel`);
    await page.locator('#username').waitFor();
    await page.screenshot({ path: shot('login') });
    await page.fill('#username', 'nobody');
    await page.fill('#password', 'not a password at all');
    await page.click('button[type=submit]');
    await poll(() => page.locator('#login-error').textContent()).toContain('user name or password is wrong');
    await signIn(page, dash, 'fiona', 'viewer', '/funnel');
    await page.locator('.funnel li').first().waitFor();
    expect(errors).toEqual([]);
  });

  test('the overview shows the released figures, a trend chart and the comparison', async ({
    context,
    dash,
    api,
  }) => {
    const { page, errors } = await openAs(context, dash, 'analyst', '/');
    const expected = await api.json<Overview>('/api/v1/overview');
    const visitors = expected.kpis.find((kpi) => kpi.key === 'visitors')!.value!;
    await poll(() => page.locator('[data-kpi=visitors] .kpi-value').textContent()).toBe(kpiText(visitors));
    expect(await canvasDrawn(page, '#trend')).toBe(true);
    await poll(() => page.locator('.compare-caption').textContent()).toMatch(/^Compared with/);
    // Clicking a figure charts it.
    await page.click('[data-kpi=orders]');
    await poll(() => page.locator('#trend h2').textContent()).toBe('Orders');
    await page.click('[data-kpi=visitors]');
    await page.locator('#trend .u-legend').waitFor();
    await page.locator('.card .table-wrap table').first().waitFor();
    await page.waitForTimeout(300);
    await page.screenshot({ path: shot('overview'), fullPage: true });
    expect(errors).toEqual([]);
  });

  test('filters change the address and the figures, and say where a filter cannot apply', async ({
    context,
    dash,
    api,
  }) => {
    const { page, errors } = await openAs(context, dash, 'analyst', '/');
    await page.locator('.kpi').first().waitFor();
    await page.selectOption('select[name=range]', '28d');
    await page.waitForURL(/from=/);
    const url = new URL(page.url());
    const expected = await api.json<Overview>(`/api/v1/overview?${url.searchParams}`);
    const visitors = expected.kpis.find((kpi) => kpi.key === 'visitors')!.value!;
    await poll(() => page.locator('[data-kpi=visitors] .kpi-value').textContent()).toBe(kpiText(visitors));
    expect(
      Number(url.searchParams.get('to')!.replace(/-/g, '')) -
        Number(url.searchParams.get('from')!.replace(/-/g, '')),
    ).toBeGreaterThan(0);

    await page.selectOption('select[name=device]', 'mobile');
    await page.waitForURL(/device=mobile/);
    await poll(() => page.locator('[data-kpi=revenue] .kpi-sub').textContent()).toBe('not split by device');
    await poll(() => page.locator('.notice.info').textContent()).toContain('Filtered by device');
    await page.locator('.not-split-inline').first().waitFor();
    expect(await canvasDrawn(page, '#trend')).toBe(true);
    await page.waitForTimeout(300);
    await page.screenshot({ path: shot('overview-mobile'), fullPage: true });

    await page.click('a.tab[href^="/products"]');
    await page.waitForURL(/\/products\?.*device=mobile/);
    await poll(() => page.locator('.notice.not-split').textContent()).toContain(
      'Product selection is not split by device',
    );
    await poll(() => page.locator('label.unsupported .chip').textContent()).toBe('not split here');
    expect(errors).toEqual([]);
  });

  test('product selection ranks products, shows movers, and sorts by any column', async ({
    context,
    dash,
    api,
  }) => {
    const { page, errors } = await openAs(context, dash, 'analyst', '/products');
    const products = await api.json<TableResponse>('/api/v1/products');
    const first = products.table.rows[0]!;
    await poll(() => page.locator('#products tbody tr:first-child td:first-child .label').textContent()).toBe(
      String(first.product),
    );
    expect(number(await page.locator('#products tbody tr:first-child td:nth-child(3)').textContent())).toBe(
      first.views,
    );
    await page.locator('#rising .movers li').first().waitFor();
    await poll(() => page.locator('#zero-results tbody').textContent()).toContain('oat milk');
    // Sorting by units sold puts the best seller on top.
    await page.click('#products th >> text=Units sold');
    const best = Math.max(...products.table.rows.map((row) => Number(row.purchased)));
    await poll(async () =>
      number(await page.locator('#products tbody tr:first-child td:nth-child(7)').textContent()),
    ).toBe(best);
    await page.click('#products th >> text=Units sold');
    await page.click('#products th >> text=Views');
    await page.locator('#products tr.generalised').first().waitFor();
    await page.screenshot({ path: shot('products'), fullPage: true });
    expect(errors).toEqual([]);
  });

  test('page layout pictures slot clicks per page type and charts scroll depth', async ({
    context,
    dash,
    api,
  }) => {
    const { page, errors } = await openAs(context, dash, 'analyst', '/layout');
    const slots = await api.json<TableResponse>('/api/v1/slots');
    const home = slots.table.rows.filter((row) => row.page_type === 'home');
    await poll(() => page.locator('.page-picture .pp-tile').count()).toBe(home.length);
    expect(await canvasDrawn(page, '#scroll-depth')).toBe(true);
    await page.locator('#device-mix .strip span').first().waitFor();
    await page.screenshot({ path: shot('layout'), fullPage: true });
    await page.click('[data-page-type=category]');
    const category = slots.table.rows.filter((row) => row.page_type === 'category');
    await poll(() => page.locator('.page-picture .pp-tile').count()).toBe(category.length);
    await poll(() => page.locator('.pp-slot[data-slot=grid]').count()).toBe(1);
    expect(errors).toEqual([]);
  });

  test('promotions show click-through by slot as a chart, and campaigns by visits', async ({
    context,
    dash,
    api,
  }) => {
    const { page, errors } = await openAs(context, dash, 'analyst', '/promotions');
    expect(await canvasDrawn(page, '#promotion-slots')).toBe(true);
    const campaigns = await api.json<TableResponse>('/api/v1/campaigns');
    await poll(() => page.locator('#campaigns tbody tr:first-child .label').textContent()).toBe(
      String(campaigns.table.rows[0]!.campaign),
    );
    await page.locator('#promotions tbody tr').first().waitFor();
    await page.screenshot({ path: shot('promotions'), fullPage: true });
    expect(errors).toEqual([]);
  });

  test('the funnel narrows step by step with the released visitor counts', async ({ context, dash, api }) => {
    const { page, errors } = await openAs(context, dash, 'analyst', '/funnel');
    const funnel = await api.json<TableResponse>('/api/v1/funnel/devices');
    await poll(() => page.locator('.funnel li').count()).toBe(4);
    expect(number(await page.locator('.funnel li:first-child .funnel-figures strong').textContent())).toBe(
      funnel.steps![0]!.visitors,
    );
    await page.locator('#funnel-categories tbody tr').first().waitFor();
    await page.screenshot({ path: shot('funnel'), fullPage: true });
    expect(errors).toEqual([]);
  });

  test('an analyst runs SQL over the released tables and is refused the users table', async ({
    context,
    dash,
  }) => {
    const { page, errors } = await openAs(context, dash, 'analyst', '/sql');
    await poll(() => page.locator('#sql-result tbody tr').count()).toBeGreaterThan(5);
    await page.locator('.catalogue details').first().waitFor();
    await page.screenshot({ path: shot('sql'), fullPage: true });
    await page.fill('textarea[name=sql]', 'SELECT username, password_hash FROM app_users');
    await page.click('#run-sql');
    await poll(() => page.locator('#sql-result [role=alert]').textContent()).toContain('query_not_allowed');
    expect(errors).toEqual([]);
  });

  test('an admin adds a user and sees the generated password once', async ({ context, dash }) => {
    const { page, errors } = await openAs(context, dash, 'admin', '/admin');
    await page.fill('input[name=name]', 'new-merchandiser');
    await page.selectOption('select[name=role]', 'viewer');
    await page.click('form.inline-form button[type=submit]');
    await poll(() => page.locator('#admin-message').textContent()).toContain(
      'new-merchandiser can sign in with the password',
    );
    await page.locator('tr[data-user=new-merchandiser]').waitFor();
    expect((await dash.users.find('new-merchandiser'))?.role).toBe('viewer');
    await page.screenshot({ path: shot('admin'), fullPage: true });
    expect(errors).toEqual([]);
  });

  test('a viewer sees no SQL or admin links, and cannot open those pages, but exports what a view shows', async ({
    context,
    dash,
  }) => {
    const { page } = await openAs(context, dash, 'viewer', '/');
    await page.locator('.kpi').first().waitFor();
    const tabs = await page.locator('a.tab').allTextContents();
    expect(tabs).toEqual(['Insights', 'Overview', 'Products', 'Page layout', 'Promotions', 'Funnel']);
    await page.locator('.card table').first().waitFor();
    // A merchandiser downloads the CSV of a table they see, with the page's filters.
    const exports = page.locator('a[download]');
    await poll(() => exports.count()).toBeGreaterThan(0);
    expect(await exports.first().getAttribute('href')).toMatch(/format=csv/);
    for (const path of ['/sql', '/admin']) {
      const response = await page.goto(`${dash.url}${path}`);
      expect(response?.status()).toBe(403);
      await poll(() => page.locator('h1').textContent()).toBe('This page is not available to you');
    }
    await page.screenshot({ path: shot('viewer-forbidden') });
    await page.goto(`${dash.url}/`);
    await page.click('#sign-out');
    await page.waitForURL(/\/login/);
    const again = await page.goto(`${dash.url}/products`);
    expect(new URL(again!.url()).pathname).toBe('/login');
  });

  test("today's tables say when the day is published, not that K hid them, and a filter waits for the day", async ({
    context,
    dash,
    api,
  }) => {
    const today = dash.data.today;
    const { page, errors } = await openAs(context, dash, 'analyst', `/?from=${today}&to=${today}`);
    const pages = await api.json<TableResponse & { released: { text: string } }>(
      `/api/v1/pages?from=${today}&to=${today}`,
    );
    await poll(() =>
      page.locator('.card[aria-label="Top pages"] .empty-state.waiting').textContent(),
    ).toContain(pages.released.text);
    expect(await page.locator('.card[aria-label="Top pages"] .empty-state').textContent()).not.toContain(
      'K =',
    );
    await poll(() => page.locator('.empty-state.waiting').count()).toBe(4);
    // The totals are live: today's windows.
    const overview = await api.json<Overview>(`/api/v1/overview?from=${today}&to=${today}`);
    const visitors = overview.kpis.find((kpi) => kpi.key === 'visitors')!.value!;
    await poll(() => page.locator('[data-kpi=visitors] .kpi-value').textContent()).toBe(kpiText(visitors));
    await poll(() => page.locator('.tables-head .released-note').textContent()).toContain("Today's tables");
    await page.waitForTimeout(300);
    await page.screenshot({ path: shot('today'), fullPage: true });

    await page.selectOption('select[name=device]', 'mobile');
    await page.waitForURL(/device=mobile/);
    await poll(() => page.locator('.notice.pending').textContent()).toContain(
      'Today is not split by device yet',
    );
    await poll(() => page.locator('[data-kpi=visitors] .kpi-value').textContent()).toBe(kpiText(visitors));
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(300);
    await page.screenshot({ path: shot('today-device-phone'), fullPage: true });
    expect(
      await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth),
    ).toBeLessThanOrEqual(1);

    await page.goto(`${dash.url}/products?from=${today}&to=${today}`);
    await poll(() => page.locator('#products .empty-state.waiting').textContent()).toContain(
      "Today's products are published as a whole day once it ends",
    );
    await poll(() => page.locator('#rising .empty-state.waiting').count()).toBe(1);
    await page.screenshot({ path: shot('products-today-phone'), fullPage: true });
    expect(errors).toEqual([]);
  });

  test('a list that keeps some products only says why it is empty, without blaming K', async ({
    context,
    dash,
  }) => {
    const { page, errors } = await openAs(context, dash, 'analyst', '/login');
    // The fixture always has a kettle nobody buys: answer this list empty, the rest as served.
    await page.route('**/api/v1/products/unbought?*', async (route) => {
      const served = await route.fetch();
      const body = (await served.json()) as TableResponse;
      await route.fulfill({ response: served, json: { ...body, table: { ...body.table, rows: [] } } });
    });
    await page.goto(`${dash.url}/products`);
    await poll(() => page.locator('#unbought .empty-inline').textContent()).toBe(
      'No busy product converts at under half the shop average.',
    );
    expect(await page.locator('#unbought').textContent()).not.toContain('K =');
    expect(errors).toEqual([]);
  });

  for (const viewport of VIEWPORTS) {
    test(`an empty picture or table says its own reason: a page type without slots, a report with no rows on released days (${viewport.name})`, async ({
      context,
      dash,
      api,
    }) => {
      const { page, errors } = await openAs(context, dash, 'analyst', '/layout');
      await page.setViewportSize(viewport);
      await page.click('[data-page-type=cart]');
      // The cart is read (its scroll depth is charted) but has no slots.
      expect(await canvasDrawn(page, '#scroll-depth')).toBe(true);
      await poll(() => page.locator('#page-picture .empty-title').textContent()).toBe(
        'No slot clicks on cart pages',
      );
      expect(await page.locator('#page-picture .empty-state').textContent()).toContain(
        'No part of a cart page is tagged as a slot (data-kanon-slot)',
      );
      await poll(() => page.locator('#slot-table .empty-title').textContent()).toBe(
        'No slot clicks on cart pages',
      );
      await page.screenshot({ path: shot(`layout-cart-${viewport.name}`), fullPage: true });

      // A shop without promotions: the table says there are none on the released days, not that K hid them.
      await page.route('**/api/v1/promotions?*', async (route) => {
        const served = await route.fetch();
        const body = (await served.json()) as TableResponse;
        await route.fulfill({ response: served, json: { ...body, table: { ...body.table, rows: [] } } });
      });
      const promotions = await api.json<{ released: { covers: string } }>('/api/v1/promotions');
      await page.goto(`${dash.url}/promotions`);
      await poll(() => page.locator('#promotions .empty-title').textContent()).toBe(
        `No promotions in ${promotions.released.covers}`,
      );
      expect(await page.locator('#promotions .empty-state').textContent()).toContain('None were recorded');
      expect(errors).toEqual([]);
    });
  }

  for (const viewport of [
    { name: 'desktop', width: 1280, height: 800 },
    { name: 'phone', width: 390, height: 844 },
  ]) {
    test(`over a week every view says which days its tables cover and how much is in named rows (${viewport.name})`, async ({
      context,
      dash,
      api,
    }) => {
      const { page, errors } = await openAs(context, dash, 'analyst', '/');
      await page.setViewportSize({ width: viewport.width, height: viewport.height });
      const overview = await api.json<Overview & { breakdowns: { text: string } }>('/api/v1/overview');
      await poll(() => page.locator('.tables-head .released-note').textContent()).toBe(
        overview.breakdowns.text,
      );
      await poll(() => page.locator('.named-summary').textContent()).toMatch(
        /^In named rows: \d+% of pageviews in top pages, \d+% of visits in sources, \d+% of pageviews in devices, \d+% of visitors in countries\. The rest is in groups too small to name\.$/,
      );
      await page.waitForTimeout(300);
      await page.screenshot({ path: shot(`overview-week-${viewport.name}`), fullPage: true });

      await page.goto(`${dash.url}/products`);
      const products = await api.json<
        TableResponse & { named: { text: string }; released: { text: string; covers: string } }
      >('/api/v1/products');
      await poll(() => page.locator('.view > .released-note').textContent()).toBe(products.released.text);
      await poll(() => page.locator('#products .named-line').textContent()).toBe(products.named.text);
      await poll(() => page.locator('#products .released-tag').textContent()).toBe(
        `Released days: ${products.released.covers}`,
      );
      await poll(() => page.locator('#searches .named-line').textContent()).toMatch(
        /% of searches are in named rows/,
      );
      await page.screenshot({ path: shot(`products-week-${viewport.name}`), fullPage: true });

      await page.goto(`${dash.url}/funnel`);
      const funnel = await api.json<TableResponse & { orders: { text: string } }>('/api/v1/funnel/devices');
      await poll(() => page.locator('#funnel .notice.figures').textContent()).toBe(funnel.orders.text);
      await poll(() => page.locator('#funnel-devices .named-line').textContent()).toMatch(
        /% of orders are in named rows/,
      );
      await poll(() => page.locator('#funnel-categories .named-line').textContent()).toMatch(
        /% of orders are in named rows/,
      );
      await page.screenshot({ path: shot(`funnel-week-${viewport.name}`), fullPage: true });

      await page.goto(`${dash.url}/promotions`);
      await poll(() => page.locator('#campaigns .named-line').textContent()).toMatch(
        /% of orders are in named rows/,
      );
      await page.goto(`${dash.url}/layout`);
      await poll(() => page.locator('#slot-table .named-line').textContent()).toMatch(
        /% of slot clicks are in named rows/,
      );
      await page.screenshot({ path: shot(`layout-week-${viewport.name}`), fullPage: true });
      expect(
        await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth),
      ).toBeLessThanOrEqual(1);
      expect(errors).toEqual([]);
    });
  }

  for (const viewport of VIEWPORTS) {
    test(`a previous period without released figures for all its days shows no change anywhere, and says why (${viewport.name})`, async ({
      context,
      dash,
      api,
    }) => {
      // The fixture starts 30 days ago: the week before 27–21 days ago has 3 released days of 7.
      const range = `from=${dayOf(dash, -27)}&to=${dayOf(dash, -21)}`;
      const { page, errors } = await openAs(context, dash, 'analyst', `/?${range}`);
      await page.setViewportSize(viewport);
      const overview = await api.json<Overview & { comparison: { text: string } }>(
        `/api/v1/overview?${range}`,
      );
      await poll(() => page.locator('.compare-caption.warn').textContent()).toBe(overview.comparison.text);
      expect(overview.comparison.text).toMatch(
        /^Not compared with .*: it has released figures for only 3 of its 7 days\.$/,
      );
      await poll(() => page.locator('.kpi .not-compared').count()).toBe(5);
      expect(await page.locator('.kpi .delta').count()).toBe(0);
      await page.locator('#trend .u-legend').waitFor();
      expect(await page.locator('#trend .u-legend').textContent()).not.toContain('Previous period');
      await page.screenshot({ path: shot(`not-compared-overview-${viewport.name}`), fullPage: true });

      await page.goto(`${dash.url}/products?${range}`);
      await poll(() => page.locator('#products .not-compared-tag').textContent()).toBe(
        overview.comparison.text,
      );
      await poll(() => page.locator('#rising .not-compared').textContent()).toBe(overview.comparison.text);
      await poll(() => page.locator('#falling .not-compared').textContent()).toBe(overview.comparison.text);
      await poll(() => page.locator('.view > .released-note').textContent()).toContain(
        overview.comparison.text,
      );
      // A table that shows no change column has nothing to excuse.
      await page.locator('#zero-results tbody tr').first().waitFor();
      expect(await page.locator('#zero-results .not-compared-tag').count()).toBe(0);
      const changes = await page.locator('#products td.change').allTextContents();
      expect(changes.length).toBeGreaterThan(0);
      expect(new Set(changes)).toEqual(new Set(['—']));
      await page.screenshot({ path: shot(`not-compared-products-${viewport.name}`), fullPage: true });
      await page.goto(`${dash.url}/promotions?${range}`);
      await poll(() => page.locator('#campaigns .not-compared-tag').textContent()).toBe(
        overview.comparison.text,
      );
      expect(errors).toEqual([]);
    });
  }

  test('a week that reaches today is compared with the week before up to the same time of day, and the chart names it', async ({
    context,
    dash,
    api,
  }) => {
    const { page, errors } = await openAs(context, dash, 'analyst', '/');
    const overview = await api.json<Overview & { comparison: { from: string; text: string } }>(
      '/api/v1/overview',
    );
    await poll(() => page.locator('.compare-caption').textContent()).toBe(overview.comparison.text);
    expect(overview.comparison.text).toMatch(
      /its last day until \d\d:\d\d UTC: the same part of the day as today\.$/,
    );
    await page.locator('#trend .u-legend').waitFor();
    await poll(() => page.locator('#trend .u-legend').textContent()).toMatch(
      /Previous period \(\d+ \w+ – \d+ \w+ \d{4}, same part of the day\)/,
    );
    expect(errors).toEqual([]);
  });

  for (const viewport of VIEWPORTS) {
    test(`money is written in the shop's currency with its own decimals everywhere, and countries by name (${viewport.name})`, async ({
      context,
      dash,
      api,
    }) => {
      const euro = new Intl.NumberFormat('en', { style: 'currency', currency: 'EUR' });
      const { page, errors } = await openAs(context, dash, 'analyst', '/');
      await page.setViewportSize(viewport);
      const overview = await api.json<Overview>('/api/v1/overview');
      const revenue = overview.kpis.find((item) => item.key === 'revenue')!.value!;
      expect(revenue / 100).toBeLessThan(100_000);
      await poll(() => page.locator('[data-kpi=revenue] .kpi-value').textContent()).toBe(
        euro.format(revenue / 100),
      );
      // Every figure fits its card, the revenue's decimals too.
      const overflow = await page.$$eval('.kpi', (cards) =>
        cards.map((card) => {
          // The text's own extent: the span stays in its card while the text runs out of it.
          const text = document.createRange();
          text.selectNodeContents(card.querySelector('.kpi-value')!);
          return text.getBoundingClientRect().right - card.getBoundingClientRect().right;
        }),
      );
      for (const over of overflow) expect(over).toBeLessThanOrEqual(0);
      // Countries: the name, the ISO code on hover; "Other countries" stays as it is.
      const countries = await api.json<TableResponse>('/api/v1/countries');
      const first = countries.table.rows[0]!;
      expect(first.code).toBe('DE');
      const cell = page.locator('.card[aria-label="Countries"] tbody tr:first-child .label');
      await poll(() => cell.textContent()).toBe('Germany');
      expect(await cell.getAttribute('title')).toBe('DE');
      expect(await page.locator('.card[aria-label="Countries"] tbody').textContent()).toContain(
        'Other countries',
      );
      await page.screenshot({ path: shot(`money-overview-${viewport.name}`), fullPage: true });

      await page.goto(`${dash.url}/products`);
      await page.locator('#products tbody tr').first().waitFor();
      const amounts = await page.locator('#products tbody td:nth-child(9)').allTextContents();
      expect(amounts.length).toBeGreaterThan(5);
      for (const amount of amounts) expect(amount).toMatch(/^€\d{1,3}(,\d{3})*\.\d\d$/);
      await page.goto(`${dash.url}/promotions`);
      await page.locator('#campaigns tbody tr').first().waitFor();
      const campaignTexts = await page.locator('#campaigns tbody td:nth-child(7)').allTextContents();
      for (const amount of campaignTexts) expect(amount).toMatch(/^€\d{1,3}(,\d{3})*\.\d\d$/);

      // Another currency is another symbol and its own decimals: yen have none.
      const yen = await dash.variant({ currency: 'JPY' });
      try {
        await page.goto(`${yen.url}/`);
        await poll(() => page.locator('[data-kpi=revenue] .kpi-value').textContent()).toBe(
          new Intl.NumberFormat('en', { style: 'currency', currency: 'JPY' }).format(revenue / 100),
        );
      } finally {
        await yen.close();
      }
      expect(errors).toEqual([]);
    });
  }

  test('on a 390 px phone every table fits its card or scrolls visibly, and the overview tables fit whole', async ({
    context,
    dash,
  }) => {
    const { page, errors } = await openAs(context, dash, 'analyst', '/login');
    await page.setViewportSize({ width: 390, height: 844 });
    /** Per table: does it fit its scroller, and if not, is the sideways scroll said and shown? */
    const tables = () =>
      page.$$eval('.card table.data', (list) =>
        list.map((table) => {
          const scroller = table.closest('.scroll-x') as HTMLElement;
          const card = table.closest('.card') as HTMLElement;
          const hint = card.querySelector<HTMLElement>('.scroll-hint');
          const visible = (element: Element | null) =>
            element !== null && (element as HTMLElement).offsetParent !== null;
          const right = Math.max(
            ...Array.from(table.querySelectorAll('th'), (th) => th.getBoundingClientRect().right),
          );
          return {
            card: card.getAttribute('aria-label'),
            fits:
              table.scrollWidth <= scroller.clientWidth + 1 && right <= card.getBoundingClientRect().right,
            marked: scroller.classList.contains('overflowing'),
            hint: visible(hint) ? hint!.textContent : null,
          };
        }),
      );
    for (const path of ['/', '/products', '/layout', '/promotions', '/funnel']) {
      await page.goto(`${dash.url}${path}`);
      await page.locator('.card table.data').first().waitFor();
      await page.waitForLoadState('networkidle');
      await page.waitForTimeout(300);
      const found = await tables();
      expect(found.length, path).toBeGreaterThan(0);
      for (const table of found) {
        if (table.fits) continue;
        expect(table, `${path}: ${table.card}`).toMatchObject({
          marked: true,
          hint: 'Scroll sideways for more columns →',
        });
      }
      if (path === '/layout') {
        // A name breaks between words, never inside one ("recommendati-ons").
        const pieces = await page.$$eval('#slot-table td.first .label', (labels) =>
          labels
            .filter((label) => label.textContent?.startsWith('recommendations'))
            .map((label) => {
              const word = document.createRange();
              word.setStart(label.firstChild!, 0);
              word.setEnd(label.firstChild!, 'recommendations'.length);
              return word.getClientRects().length;
            }),
        );
        expect(pieces.length).toBeGreaterThan(0);
        expect(new Set(pieces)).toEqual(new Set([1]));
      }
      if (path === '/') {
        // Page, type, pageviews and visitors: the Visitors column is not cut off.
        expect(found.filter((table) => !table.fits).map((table) => table.card)).toEqual([]);
      }
      expect(
        await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth),
        path,
      ).toBeLessThanOrEqual(1);
      await page.screenshot({
        path: shot(`phone-tables-${path === '/' ? 'overview' : path.slice(1)}`),
        fullPage: true,
      });
    }
    // Scrolled to its end, a wide table still shows its first column (sticky), so rows stay named.
    await page.goto(`${dash.url}/products`);
    const scroller = page.locator('#products .scroll-x');
    await scroller.evaluate((element) => {
      element.scrollLeft = element.scrollWidth;
    });
    await page.waitForTimeout(100);
    const [label, box] = await Promise.all([
      page.locator('#products tbody tr:first-child td.first').boundingBox(),
      scroller.boundingBox(),
    ]);
    expect(label!.x).toBeGreaterThanOrEqual(box!.x - 1);
    expect(errors).toEqual([]);
  });

  test('a range with nothing released says why, and the layout works on a phone', async ({
    context,
    dash,
  }) => {
    const { page, errors } = await openAs(context, dash, 'analyst', '/login');
    const from = new Date(dash.now - 90 * 86_400_000).toISOString().slice(0, 10);
    const to = new Date(dash.now - 80 * 86_400_000).toISOString().slice(0, 10);
    await page.goto(`${dash.url}/?from=${from}&to=${to}`);
    await poll(() => page.locator('#trend .empty-title').textContent()).toBe('No released data yet');
    await poll(() => page.locator('#trend .empty-state').textContent()).toContain('K = 5');
    await page.screenshot({ path: shot('overview-empty'), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${dash.url}/`);
    await page.locator('#trend canvas').first().waitFor();
    await page.waitForTimeout(300);
    await page.screenshot({ path: shot('overview-phone'), fullPage: true });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(1);
    expect(errors).toEqual([]);
  });
});
