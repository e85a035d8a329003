import { readFileSync } from 'node:fs';
import { test as base, describe, expect } from 'vitest';
import { z } from 'zod';
import { DAY_SECONDS, toClickHouseDate } from '../../core/time.js';
import { buildOpenApi } from '../../dashboards/openapi.js';
import { TABLE_ENDPOINTS } from '../../dashboards/routes/reports.js';
import { type DashboardsHarness, dashboardsTest, K, SITE } from './fixtures/dashboards-app.js';
import { referenceSums, total, visitorFigures } from './fixtures/reference.js';

interface Row extends Record<string, string | number | null> {
  level: number;
}
interface TableResponse {
  notSplitBy: string[];
  privacy: {
    k: number;
    grain: string;
    groupsGeneralised: number;
    withheld: number;
    released: number;
    text: string | null;
  };
  table: { columns: { key: string; label: string; kind: string }[]; rows: Row[] };
  [key: string]: unknown;
}
interface Kpi {
  key: string;
  value: number | null;
  previous: number | null;
  notSplitBy?: string;
}
interface OverviewResponse {
  source: string;
  notSplitBy: string[];
  kpis: Kpi[];
  trend: {
    grain: string;
    points: Record<string, number | null>[];
    previous: Record<string, number | null>[];
  };
}

const test = dashboardsTest;

const day = (dash: DashboardsHarness, offset: number) =>
  toClickHouseDate(Date.parse(`${dash.data.today}T00:00:00Z`) / 1000 + offset * DAY_SECONDS);
const week = (dash: DashboardsHarness) => ({
  site: SITE,
  from: day(dash, -6),
  to: dash.data.today,
  yesterday: dash.data.yesterday,
});
const kpi = (overview: OverviewResponse, key: string) => overview.kpis.find((item) => item.key === key)!;
const query = (range: { from: string; to: string }, extra = '') =>
  `site=${SITE}&from=${range.from}&to=${range.to}${extra}`;

function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  for (const line of text.trimEnd().split('\r\n')) {
    const cells: string[] = [];
    let cell = '';
    let quoted = false;
    for (let i = 0; i < line.length; i++) {
      const c = line[i]!;
      if (quoted) {
        if (c === '"' && line[i + 1] === '"') {
          cell += '"';
          i++;
        } else if (c === '"') quoted = false;
        else cell += c;
      } else if (c === '"') quoted = true;
      else if (c === ',') {
        cells.push(cell);
        cell = '';
      } else cell += c;
    }
    cells.push(cell);
    rows.push(cells);
  }
  return rows;
}

describe('dashboard figures equal the published tables', () => {
  test('the overview of the last 7 days sums day rows for whole days and window rows for yesterday and today', async ({
    dash,
    analyst,
  }) => {
    const range = week(dash);
    const overview = await analyst.json<OverviewResponse>(`/api/v1/overview?${query(range)}`);
    const reference = await referenceSums(dash.warehouse, 'overview', range);
    expect(overview.source).toBe('overview');
    expect(kpi(overview, 'visitors').value).toBe(total(reference, 'visitors'));
    expect(kpi(overview, 'pageviews').value).toBe(total(reference, 'pageviews'));
    expect(kpi(overview, 'orders').value).toBe(total(reference, 'orders'));
    expect(kpi(overview, 'revenue').value).toBe(total(reference, 'revenue_cents'));
    expect(kpi(overview, 'conversion').value).toBeCloseTo(
      total(reference, 'orders') / total(reference, 'visitors'),
      10,
    );

    // The week before: six whole days, and the seventh up to the same time of day as today
    // (test/dashboards/comparison.test.ts).
    const previous = await referenceSums(dash.warehouse, 'overview', {
      ...range,
      from: day(dash, -13),
      to: day(dash, -8),
    });
    const lastDay = await dash.warehouse.query({
      name: 'last_day_same_time',
      sql: `SELECT toUInt64(sum(visitors)) AS visitors, toUInt64(sum(orders)) AS orders
            FROM pub_overview_by_window WHERE site = {site:String} AND toDate(window_start) = {day:Date}
              AND toUnixTimestamp(window_start) + {window:UInt32} + 7 * 86400 <= {now:UInt32}`,
      params: { site: SITE, day: day(dash, -7), window: 6 * 3600, now: Math.floor(dash.now / 1000) },
      row: z.object({ visitors: z.number(), orders: z.number() }),
    });
    expect(kpi(overview, 'visitors').previous).toBe(total(previous, 'visitors') + lastDay[0]!.visitors);
    expect(kpi(overview, 'orders').previous).toBe(total(previous, 'orders') + lastDay[0]!.orders);
  });

  test('the daily trend has one point per day, each the published total of that day', async ({
    dash,
    analyst,
  }) => {
    const range = week(dash);
    const overview = await analyst.json<OverviewResponse>(`/api/v1/overview?${query(range)}`);
    expect(overview.trend.grain).toBe('day');
    expect(overview.trend.points).toHaveLength(7);
    for (const [index, point] of overview.trend.points.entries()) {
      const date = day(dash, index - 6);
      const reference = await referenceSums(dash.warehouse, 'overview', { ...range, from: date, to: date });
      expect(point.visitors).toBe(total(reference, 'visitors'));
      expect(point.pageviews).toBe(total(reference, 'pageviews'));
    }
  });

  test('a rolled-up day is read from its day rows only, never added to its windows', async ({
    dash,
    analyst,
  }) => {
    const date = day(dash, -3);
    const overview = await analyst.json<OverviewResponse>(
      `/api/v1/overview?${query({ from: date, to: date })}`,
    );
    const [dayRow] = await referenceSums(dash.warehouse, 'overview', {
      site: SITE,
      from: date,
      to: date,
      yesterday: dash.data.yesterday,
    });
    // Day rows count distinct visitors over the day, fewer than the windows' sum (returning shoppers).
    const windows = await referenceSums(dash.warehouse, 'overview', {
      site: SITE,
      from: date,
      to: date,
      yesterday: date,
    });
    expect(total(windows, 'visitors')).toBeGreaterThan(Number(dayRow!.visitors));
    expect(kpi(overview, 'visitors').value).toBe(dayRow!.visitors);
  });

  test("today's overview compares released windows with yesterday's up to the same time of day", async ({
    dash,
    analyst,
  }) => {
    const today = dash.data.today;
    const overview = await analyst.json<OverviewResponse>(
      `/api/v1/overview?${query({ from: today, to: today })}`,
    );
    const nowSeconds = Math.floor(dash.now / 1000);
    const rows = await dash.warehouse.query({
      name: 'windows_today',
      sql: `SELECT toString(toDate(window_start)) AS d, toUInt32(toUnixTimestamp(window_start)) AS start,
              toUInt64(sum(visitors)) AS visitors, toUInt64(sum(orders)) AS orders
            FROM pub_overview_by_window WHERE site = {site:String} AND toDate(window_start) >= {from:Date}
            GROUP BY window_start`,
      params: { site: SITE, from: dash.data.yesterday },
      row: z.object({ d: z.string(), start: z.number(), visitors: z.number(), orders: z.number() }),
    });
    const current = rows.filter((row) => row.d === today);
    const earlier = rows.filter((row) => row.d !== today && row.start + DAY_SECONDS + 6 * 3600 <= nowSeconds);
    expect(overview.trend.grain).toBe('window');
    expect(kpi(overview, 'visitors').value).toBe(current.reduce((sum, row) => sum + row.visitors, 0));
    expect(kpi(overview, 'visitors').previous).toBe(earlier.reduce((sum, row) => sum + row.visitors, 0));
    expect(earlier.length).toBe(current.length);
  });

  test("products' views, carts, units sold, revenue and visitors equal the published rows", async ({
    dash,
    analyst,
  }) => {
    const range = week(dash);
    const response = await analyst.json<TableResponse>(`/api/v1/products?${query(range)}`);
    const reference = await referenceSums(dash.warehouse, 'products', range);
    expect(response.table.rows).toHaveLength(reference.length);
    for (const expected of reference) {
      const row = response.table.rows.find(
        (r) =>
          r.level === expected.level &&
          (expected.level === 0 ? r.product_id === expected.product_id : r.product === labelOf(expected)),
      );
      expect(row, JSON.stringify(expected)).toBeDefined();
      expect(row!.views).toBe(expected.views);
      expect(row!.add_to_carts).toBe(expected.add_to_carts);
      expect(row!.purchased).toBe(expected.purchased_units);
      expect(row!.revenue).toBe(expected.item_revenue_cents);
      expect(row!.visitors).toBe(expected.visitors);
    }
    // Ranked by views, generalised groups named plainly.
    const views = response.table.rows.map((row) => Number(row.views));
    expect(views).toEqual([...views].sort((a, b) => b - a));
    expect(response.table.rows.some((row) => row.product === 'Other products in tea')).toBe(true);
  });

  test('categories add up their products, generalised rows included', async ({ dash, analyst }) => {
    const range = week(dash);
    const response = await analyst.json<TableResponse>(`/api/v1/categories?${query(range)}`);
    const reference = await referenceSums(dash.warehouse, 'products', range, { dims: ['category'] });
    for (const category of ['coffee', 'tea', 'brewing']) {
      const row = response.table.rows.find((r) => r.category === category)!;
      expect(row.views).toBe(
        total(
          reference.filter((r) => r.category === category),
          'views',
        ),
      );
      expect(row.purchased).toBe(
        total(
          reference.filter((r) => r.category === category),
          'purchased_units',
        ),
      );
    }
  });

  test('search terms and searches that found nothing equal the published rows', async ({ dash, analyst }) => {
    const range = week(dash);
    const reference = await referenceSums(dash.warehouse, 'searches', range);
    const terms = await analyst.json<TableResponse>(`/api/v1/searches?${query(range)}`);
    for (const expected of reference.filter((r) => r.level === 0)) {
      const row = terms.table.rows.find((r) => r.term === expected.query)!;
      expect([row.searches, row.zero_results, row.visitors]).toEqual([
        expected.searches,
        expected.zero_results,
        expected.visitors,
      ]);
    }
    const zero = await analyst.json<TableResponse>(`/api/v1/searches/zero-results?${query(range)}`);
    const expectedZero = reference.filter((r) => r.level === 0 && Number(r.zero_results) > 0);
    expect(zero.table.rows.map((r) => r.term).sort()).toEqual(expectedZero.map((r) => r.query).sort());
    expect(zero.table.rows[0]!.zero_results).toBe(
      Math.max(...expectedZero.map((r) => Number(r.zero_results))),
    );
  });

  test("slot clicks per position, and each position's share of its page type, equal the published rows", async ({
    dash,
    analyst,
  }) => {
    const range = week(dash);
    const response = await analyst.json<TableResponse & { pageTypes: string[] }>(
      `/api/v1/slots?${query(range)}`,
    );
    const reference = await referenceSums(dash.warehouse, 'slots', range);
    expect(response.pageTypes).toEqual(['home', 'category', 'product']);
    const homeTotal = total(
      reference.filter((r) => r.page_type === 'home'),
      'clicks',
    );
    const hero1 = reference.find((r) => r.page_type === 'home' && r.slot === 'hero' && r.position === '1')!;
    const row = response.table.rows.find(
      (r) => r.page_type === 'home' && r.slot === 'hero' && r.position === '1',
    )!;
    expect(row.clicks).toBe(hero1.clicks);
    expect(row.share).toBeCloseTo(Number(hero1.clicks) / homeTotal, 10);
    const shares = response.table.rows
      .filter((r) => r.page_type === 'home')
      .reduce((sum, r) => sum + Number(r.share), 0);
    expect(shares).toBeCloseTo(1, 10);
  });

  test('scroll depth adds up viewports per page type and depth', async ({ dash, analyst }) => {
    const range = week(dash);
    const response = await analyst.json<TableResponse>(`/api/v1/scroll?${query(range)}`);
    const reference = await referenceSums(dash.warehouse, 'scroll', range, { dims: ['page_type', 'depth'] });
    const expected = total(
      reference.filter((r) => r.page_type === 'product' && r.depth === '50'),
      'reached',
    );
    expect(response.table.rows.find((r) => r.page_type === 'product' && r.depth === '50%')!.reached).toBe(
      expected,
    );
  });

  test('promotions, click-through by slot and campaigns equal the published rows', async ({
    dash,
    analyst,
  }) => {
    const range = week(dash);
    const promotions = await analyst.json<TableResponse>(`/api/v1/promotions?${query(range)}`);
    const reference = await referenceSums(dash.warehouse, 'promotions', range);
    const sale = reference.find((r) => r.promo === 'summer-sale')!;
    const row = promotions.table.rows.find((r) => r.promotion === 'summer-sale')!;
    expect([row.impressions, row.clicks]).toEqual([sale.impressions, sale.clicks]);
    expect(row.ctr).toBeCloseTo(Number(sale.clicks) / Number(sale.impressions), 10);

    const slots = await analyst.json<TableResponse>(`/api/v1/promotions/slots?${query(range)}`);
    const hero = reference.filter((r) => r.slot === 'hero');
    expect(slots.table.rows.find((r) => r.slot === 'hero')!.clicks).toBe(total(hero, 'clicks'));

    const campaigns = await analyst.json<TableResponse>(`/api/v1/campaigns?${query(range)}`);
    const expectedCampaigns = await referenceSums(dash.warehouse, 'campaigns', range);
    const brand = expectedCampaigns.find((r) => r.utm_campaign === 'brand')!;
    const brandRow = campaigns.table.rows.find((r) => r.utm_campaign === 'brand')!;
    // Every measure of the campaigns report is a column, whatever the catalogue holds.
    for (const [key, value] of Object.entries(brand)) {
      if (!['level', 'utm_source', 'utm_medium', 'utm_campaign'].includes(key))
        expect(brandRow[key], key).toBe(value);
    }
    expect(campaigns.table.rows.some((r) => r.campaign === 'All other campaigns')).toBe(true);
  });

  test('the funnel counts visitors per step from the device funnel, and per category', async ({
    dash,
    analyst,
  }) => {
    const range = week(dash);
    const devices = await analyst.json<TableResponse & { steps: { step: string; visitors: number }[] }>(
      `/api/v1/funnel/devices?${query(range)}`,
    );
    const reference = await referenceSums(dash.warehouse, 'funnel_devices', range);
    for (const step of devices.steps)
      expect(step.visitors).toBe(
        total(
          reference.filter((r) => r.step === step.step),
          'visitors',
        ),
      );
    const mobile = devices.table.rows.find((r) => r.group === 'mobile')!;
    expect(mobile.cart_visitors).toBe(
      reference.find((r) => r.step === '2_cart' && r.device === 'mobile')!.visitors,
    );

    const categories = await analyst.json<TableResponse>(`/api/v1/funnel/categories?${query(range)}`);
    const byCategory = await referenceSums(dash.warehouse, 'funnel_categories', range);
    expect(categories.table.rows.find((r) => r.group === 'tea')!.purchase_visitors).toBe(
      byCategory.find((r) => r.step === '4_purchase' && r.category === 'tea')!.visitors,
    );
  });

  test('pages, sources, devices and countries equal the published rows', async ({ dash, analyst }) => {
    const range = week(dash);
    const pages = await analyst.json<TableResponse>(`/api/v1/pages?${query(range)}`);
    const pagesRef = await referenceSums(dash.warehouse, 'pages', range);
    expect(pages.table.rows.find((r) => r.page === '/coffee')!.pageviews).toBe(
      pagesRef.find((r) => r.path === '/coffee')!.pageviews,
    );
    const referrers = await analyst.json<TableResponse>(`/api/v1/referrers?${query(range)}`);
    const referrersRef = await referenceSums(dash.warehouse, 'referrers', range);
    expect(referrers.table.rows.find((r) => r.source === 'www.google.com')!.entries).toBe(
      referrersRef.find((r) => r.referrer === 'www.google.com')!.entries,
    );
    const devices = await analyst.json<TableResponse>(`/api/v1/devices?${query(range)}`);
    const devicesRef = await referenceSums(dash.warehouse, 'devices', range, { dims: ['device'] });
    expect(devices.table.rows.find((r) => r.device === 'mobile')!.pageviews).toBe(
      total(
        devicesRef.filter((r) => r.device === 'mobile'),
        'pageviews',
      ),
    );
    const countries = await analyst.json<TableResponse>(`/api/v1/countries?${query(range)}`);
    const countriesRef = await referenceSums(dash.warehouse, 'countries', range);
    expect(countries.table.rows.find((r) => r.code === 'DE')!.pageviews).toBe(
      countriesRef.find((r) => r.country === 'DE')!.pageviews,
    );
  });

  test("each view explains what was held back from the release manifest's counts over the range", async ({
    dash,
    analyst,
  }) => {
    // Breakdowns are released per day: their note counts the day releases' generalised groups.
    const range = week(dash);
    const response = await analyst.json<TableResponse>(`/api/v1/products?${query(range)}`);
    const [manifest] = await dash.warehouse.query({
      name: 'manifest',
      sql: `SELECT toUInt64(sum(groups_generalised)) AS g FROM pub_releases
            WHERE site = {site:String} AND grain = 'day' AND report = 'products'
              AND toDate(period_start) BETWEEN {from:Date} AND {to:Date}`,
      params: range,
      row: z.object({ g: z.number() }),
    });
    expect(manifest!.g).toBeGreaterThan(0);
    expect(response.privacy.grain).toBe('day');
    expect(response.privacy.groupsGeneralised).toBe(manifest!.g);
    expect(response.privacy.withheld).toBe(0);
    expect(response.privacy.text).toBe(
      `${manifest!.g} small groups (fewer than ${K} visitors each) combined into "Other" rows, to protect shoppers' privacy. Figures that fewer than ${K} visitors made are left out too.`,
    );
  });
});

function labelOf(row: Record<string, number | string>): string {
  if (row.level === 1) return `Other products in ${row.category}`;
  return 'All other products';
}

describe('k-anonymity of every response (invariant 3)', () => {
  test('no JSON response carries a visitors figure below K, whatever the range or filter', async ({
    dash,
    analyst,
  }) => {
    const ranges = [
      { from: dash.data.today, to: dash.data.today },
      { from: day(dash, -6), to: dash.data.today },
      { from: day(dash, -29), to: day(dash, -2) },
    ];
    // One filter set per dimension kind, so every path meets a filter it honours and one it does not.
    const filters = ['', '&device=tablet&country=DE&campaign=brand'];
    const paths = ['/api/v1/overview', ...TABLE_ENDPOINTS.map((endpoint) => endpoint.path)];
    let checked = 0;
    for (const range of ranges) {
      for (const filter of filters) {
        for (const path of paths) {
          const body = await analyst.json(`${path}?${query(range, filter)}`);
          for (const figure of visitorFigures(body)) {
            expect(figure.value, `${path} ${figure.path}`).toBeGreaterThanOrEqual(K);
            checked++;
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(500);
  });

  test('no CSV export carries a visitors figure below K', async ({ dash, analyst }) => {
    for (const endpoint of TABLE_ENDPOINTS) {
      const response = await analyst.fetch(
        `${endpoint.path}?${query({ from: day(dash, -1), to: dash.data.today }, '&format=csv')}`,
      );
      expect(response.status).toBe(200);
      const [header, ...rows] = parseCsv(await response.text());
      header!.forEach((label, column) => {
        if (!/visitors|^viewed$|^carted$|^checkout$|^bought$/i.test(label)) return;
        for (const row of rows)
          if (row[column] !== '')
            expect(Number(row[column]), `${endpoint.path} ${label}`).toBeGreaterThanOrEqual(K);
      });
    }
  });
});

describe('dimension filters apply only where the report has the dimension', () => {
  test('a device filter narrows the devices view and leaves products unsplit, saying so', async ({
    dash,
    analyst,
  }) => {
    const range = week(dash);
    const all = await analyst.json<TableResponse>(`/api/v1/products?${query(range)}`);
    const filtered = await analyst.json<TableResponse>(`/api/v1/products?${query(range, '&device=mobile')}`);
    expect(filtered.notSplitBy).toEqual(['device']);
    expect(filtered.table).toEqual(all.table);
    expect(all.notSplitBy).toEqual([]);

    const devices = await analyst.json<TableResponse>(`/api/v1/devices?${query(range, '&device=mobile')}`);
    expect(devices.notSplitBy).toEqual([]);
    const reference = await referenceSums(dash.warehouse, 'devices', range, {
      where: 'device = {device:String}',
      params: { device: 'mobile' },
    });
    expect(devices.table.rows.reduce((sum, row) => sum + Number(row.pageviews), 0)).toBe(
      total(reference, 'pageviews'),
    );
  });

  test('with a device filter the overview reads the devices report and the device funnel, and marks revenue not split', async ({
    dash,
    analyst,
  }) => {
    const range = week(dash);
    const overview = await analyst.json<OverviewResponse>(
      `/api/v1/overview?${query(range, '&device=mobile')}`,
    );
    expect(overview.source).toBe('devices');
    const devices = await referenceSums(dash.warehouse, 'devices', range, {
      where: "device = 'mobile'",
      dims: [],
    });
    const purchases = await referenceSums(dash.warehouse, 'funnel_devices', range, {
      where: "device = 'mobile' AND step = '4_purchase'",
      dims: [],
    });
    expect(kpi(overview, 'visitors').value).toBe(total(devices, 'visitors'));
    expect(kpi(overview, 'pageviews').value).toBe(total(devices, 'pageviews'));
    expect(kpi(overview, 'orders').value).toBe(total(purchases, 'actions'));
    expect(kpi(overview, 'revenue')).toMatchObject({ value: null, notSplitBy: 'device' });
  });

  test('a country filter on the funnel is reported as not split, and the figures stay whole', async ({
    dash,
    analyst,
  }) => {
    const range = week(dash);
    const response = await analyst.json<TableResponse>(
      `/api/v1/funnel/devices?${query(range, '&country=DE')}`,
    );
    expect(response.notSplitBy).toEqual(['country']);
    const whole = await analyst.json<TableResponse>(`/api/v1/funnel/devices?${query(range)}`);
    expect(response.table).toEqual(whole.table);
  });

  test('bad filters are refused with 400 invalid_query naming the parameter', async ({ analyst }) => {
    for (const [search, field] of [
      ['from=2025-13-45', 'from'],
      ['device=fridge', 'device'],
      ['country=germany', 'country'],
      ['to=2999-01-01', 'to'],
      ['from=2020-01-01', 'from'],
    ] as const) {
      const response = await analyst.fetch(`/api/v1/products?site=${SITE}&${search}`);
      expect(response.status, search).toBe(400);
      const body = (await response.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('invalid_query');
      expect(body.error.message.startsWith(`${field}:`), body.error.message).toBe(true);
    }
    const unknown = await analyst.fetch('/api/v1/products?site=nope');
    expect(unknown.status).toBe(404);
  });
});

describe('exports, SQL and the API description', () => {
  test('an analyst downloads a dashboard table as CSV with the same figures as the JSON', async ({
    dash,
    analyst,
  }) => {
    const range = week(dash);
    const json = await analyst.json<TableResponse>(`/api/v1/products?${query(range)}`);
    const response = await analyst.fetch(`/api/v1/products?${query(range, '&format=csv')}`);
    expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(response.headers.get('content-disposition')).toMatch(/attachment; filename="kanon-demo-products-/);
    const [header, ...rows] = parseCsv(await response.text());
    expect(header).toEqual([...json.table.columns.map((c) => c.label), 'Generalised level']);
    expect(rows).toHaveLength(json.table.rows.length);
    const views = header!.indexOf('Views');
    const revenue = header!.indexOf('Revenue');
    expect(rows.map((r) => Number(r[views]))).toEqual(json.table.rows.map((r) => r.views));
    expect(rows[0]![revenue]).toBe((Number(json.table.rows[0]!.revenue) / 100).toFixed(2));
  });

  test('POST /api/v1/query answers read-only SQL over published tables as JSON or CSV', async ({
    dash,
    analyst,
  }) => {
    const sql = `SELECT day, sum(pageviews) AS pageviews FROM pub_overview_by_day WHERE site = '${SITE}' GROUP BY day ORDER BY day LIMIT 3`;
    const json = await analyst.fetch('/api/v1/query', { method: 'POST', json: { sql } });
    expect(json.status).toBe(200);
    const body = (await json.json()) as {
      columns: { name: string }[];
      rows: unknown[][];
      truncated: boolean;
    };
    expect(body.columns.map((c) => c.name)).toEqual(['day', 'pageviews']);
    expect(body.rows).toHaveLength(3);
    expect(body.truncated).toBe(false);
    const csv = await analyst.fetch('/api/v1/query', { method: 'POST', json: { sql, format: 'csv' } });
    const lines = parseCsv(await csv.text());
    expect(lines[0]).toEqual(['day', 'pageviews']);
    expect(lines.slice(1).map((line) => Number(line[1]))).toEqual(body.rows.map((row) => row[1]));
    void dash;
  });

  test('the query API refuses the users table, staging, system tables and writes', async ({ analyst }) => {
    for (const sql of [
      'SELECT * FROM app_users',
      'SELECT username, password_hash FROM app_users FINAL',
      'SELECT count() FROM stg_cells',
      'SELECT * FROM system.tables',
      "INSERT INTO pub_overview_by_day (site) VALUES ('x')",
      'DROP TABLE app_users',
      'SELECT * FROM pub_overview_by_day WHERE site IN (SELECT username FROM app_users)',
    ]) {
      const response = await analyst.fetch('/api/v1/query', { method: 'POST', json: { sql } });
      expect(response.status, sql).toBeGreaterThanOrEqual(400);
      expect(response.status, sql).toBeLessThan(500);
      const body = (await response.json()) as { error: { code: string } };
      expect(['query_not_allowed', 'query_invalid', 'query_failed'], sql).toContain(body.error.code);
      expect(JSON.stringify(body)).not.toMatch(/scrypt\$/);
    }
  });

  test('a query body without SQL is refused with 400 invalid_body', async ({ analyst }) => {
    const response = await analyst.fetch('/api/v1/query', { method: 'POST', json: { format: 'xml' } });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('invalid_body');
  });

  test('the OpenAPI 3.1 description lists every JSON route', async ({ analyst }) => {
    const doc = await analyst.json<{ openapi: string; paths: Record<string, unknown> }>(
      '/api/v1/openapi.json',
    );
    expect(doc.openapi).toBe('3.1.0');
    for (const endpoint of TABLE_ENDPOINTS) expect(Object.keys(doc.paths)).toContain(endpoint.path);
    for (const path of ['/api/v1/overview', '/api/v1/query', '/api/v1/login', '/api/v1/users/{name}']) {
      expect(Object.keys(doc.paths)).toContain(path);
    }
  });
});

describe('docs', () => {
  base('docs/api.md names every route of the OpenAPI description', () => {
    const doc = readFileSync(new URL('../../docs/api.md', import.meta.url), 'utf8');
    for (const path of Object.keys((buildOpenApi() as { paths: Record<string, unknown> }).paths)) {
      expect(doc, path).toContain(`${path}\``);
    }
  });
});
