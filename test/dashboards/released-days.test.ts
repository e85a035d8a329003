import { describe, expect } from 'vitest';
import { z } from 'zod';
import { DAY_SECONDS, toClickHouseDate, toClickHouseDateTime } from '../../core/time.js';
import { TABLE_ENDPOINTS } from '../../dashboards/routes/reports.js';
import type { ReportName } from '../../schema/reports.js';
import { RELEASES_TABLE } from '../../schema/tables.js';
import { type DashboardsHarness, dashboardsTest, SITE } from './fixtures/dashboards-app.js';
import { referenceSums, total } from './fixtures/reference.js';

/**
 * Breakdowns are released once per UTC day, over the whole day; release windows publish the site
 * totals only. These tests check that every view says which days its breakdowns cover, how much
 * of each breakdown is in named rows, and where two figures of the same thing differ and why.
 */
interface Released {
  days: string[];
  pending: string[];
  covers?: string | null;
  text: string | null;
}
interface Named {
  measure: string;
  label: string;
  share: number | null;
  text: string | null;
}
interface TableResponse {
  released: Released;
  named: Named | null;
  privacy: { text: string | null };
  table: { rows: (Record<string, string | number | null> & { level: number })[] };
  [key: string]: unknown;
}
interface Kpi {
  key: string;
  value: number | null;
  previous: number | null;
}
interface OverviewResponse {
  source: string;
  filterPending: string | null;
  filterNote: string | null;
  breakdowns: Released;
  notSplit: { dimension: string; orders: number; text: string } | null;
  comparison: { from: string; to: string } | null;
  kpis: Kpi[];
}

const test = dashboardsTest;

const day = (dash: DashboardsHarness, offset: number) =>
  toClickHouseDate(Date.parse(`${dash.data.today}T00:00:00Z`) / 1000 + offset * DAY_SECONDS);
const days = (dash: DashboardsHarness, from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, index) => day(dash, from + index));
const query = (from: string, to: string, extra = '') => `site=${SITE}&from=${from}&to=${to}${extra}`;
const kpi = (overview: OverviewResponse, key: string) => overview.kpis.find((item) => item.key === key)!;
const range = (dash: DashboardsHarness, from: string, to: string) => ({
  site: SITE,
  from,
  to,
  yesterday: dash.data.yesterday,
});

const DATE = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' });
const label = (date: string) => DATE.format(new Date(`${date}T00:00:00Z`));
/** "1–5 Dec", or "28 Nov – 2 Dec" across months: how the notes write a run of days. */
function span(from: string, to: string): string {
  if (from === to) return label(from);
  if (from.slice(0, 7) === to.slice(0, 7)) return `${Number(from.slice(8))}–${label(to)}`;
  return `${label(from)} – ${label(to)}`;
}
const GRACE = 'from 00:01 UTC, midnight plus the grace period';

describe('breakdowns cover the released days, and every view says which', () => {
  test("every breakdown of today has no rows and says when today's are published, never blaming K", async ({
    dash,
    analyst,
  }) => {
    const today = dash.data.today;
    for (const endpoint of TABLE_ENDPOINTS) {
      const body = await analyst.json<TableResponse>(`${endpoint.path}?${query(today, today)}`);
      expect(body.table.rows, endpoint.path).toEqual([]);
      expect(body.released.days, endpoint.path).toEqual([]);
      expect(body.released.pending, endpoint.path).toEqual([today]);
      expect(body.released.text, endpoint.path).toMatch(
        new RegExp(`^Today's [a-z ]+ are published as a whole day once it ends \\(${GRACE}\\)\\.$`),
      );
      expect(body.privacy.text ?? '', endpoint.path).not.toMatch(/fewer than/);
    }
    const products = await analyst.json<TableResponse>(`/api/v1/products?${query(today, today)}`);
    expect(products.released.text).toBe(
      `Today's products are published as a whole day once it ends (${GRACE}).`,
    );
  });

  test('over the last 7 days a breakdown covers the days up to the last released one, and names them', async ({
    dash,
    analyst,
  }) => {
    const body = await analyst.json<TableResponse>(
      `/api/v1/searches?${query(day(dash, -6), dash.data.today)}`,
    );
    expect(body.released.days).toEqual(days(dash, -6, -2));
    expect(body.released.pending).toEqual([dash.data.yesterday, dash.data.today]);
    expect(body.released.covers).toBe(span(day(dash, -6), day(dash, -2)));
    expect(body.released.text).toBe(
      `These figures cover ${span(day(dash, -6), day(dash, -2))}, the days released so far, compared with ${span(day(dash, -13), day(dash, -9))}. Yesterday and today come once each day has ended and been released (${GRACE}).`,
    );
    // The rows are those of the released days: the reference sums day rows before yesterday.
    const reference = await referenceSums(
      dash.warehouse,
      'searches',
      range(dash, day(dash, -6), dash.data.today),
    );
    expect(total(body.table.rows, 'searches')).toBe(total(reference, 'searches'));
  });

  test('a breakdown over a range that reaches today compares its released days with the same days before', async ({
    dash,
    analyst,
  }) => {
    const from = day(dash, -6);
    const body = await analyst.json<TableResponse & { previous: { from: string; to: string } | null }>(
      `/api/v1/products?${query(from, dash.data.today)}`,
    );
    // Five released days against the first five of the previous seven, not against all seven.
    expect(body.previous).toEqual({ from: day(dash, -13), to: day(dash, -9) });
    const before = await referenceSums(
      dash.warehouse,
      'products',
      range(dash, day(dash, -13), day(dash, -9)),
    );
    const now = await referenceSums(dash.warehouse, 'products', range(dash, from, dash.data.today));
    const views = (rows: typeof now, id: string) => Number(rows.find((row) => row.product_id === id)!.views);
    const row = body.table.rows.find((r) => r.product_id === 'huila-250g')!;
    expect(row.views_change).toBeCloseTo(
      (views(now, 'huila-250g') - views(before, 'huila-250g')) / views(before, 'huila-250g'),
      10,
    );
    const movers = await analyst.json<TableResponse>(
      `/api/v1/products/movers?${query(from, dash.data.today)}`,
    );
    const dripper = movers.table.rows.find((r) => r.product_id === 'v60-dripper')!;
    expect([dripper.views, dripper.previous_views]).toEqual([
      views(now, 'v60-dripper'),
      views(before, 'v60-dripper'),
    ]);

    // Nothing released yet: nothing to compare, and no product "falls" to nothing.
    const today = await analyst.json<TableResponse & { previous: unknown }>(
      `/api/v1/products/movers?${query(dash.data.today, dash.data.today)}`,
    );
    expect(today.previous).toBeNull();
    expect(today.table.rows).toEqual([]);
  });

  test('a range of released days needs no note, and a range before any data has nothing pending', async ({
    dash,
    analyst,
  }) => {
    const released = await analyst.json<TableResponse>(
      `/api/v1/pages?${query(day(dash, -9), day(dash, -3))}`,
    );
    expect(released.released).toEqual({
      days: days(dash, -9, -3),
      pending: [],
      covers: span(day(dash, -9), day(dash, -3)),
      text: null,
    });
    const before = await analyst.json<TableResponse>(
      `/api/v1/pages?${query(day(dash, -60), day(dash, -50))}`,
    );
    expect(before.released).toEqual({ days: [], pending: [], covers: null, text: null });
  });

  test('yesterday, released late, is a past day waiting for its release', async ({ dash, analyst }) => {
    const body = await analyst.json<TableResponse>(
      `/api/v1/campaigns?${query(dash.data.yesterday, dash.data.yesterday)}`,
    );
    expect(body.released).toEqual({
      days: [],
      pending: [dash.data.yesterday],
      covers: null,
      text: `The campaigns of yesterday are published as a whole day once it has ended and been released (${GRACE}).`,
    });
  });

  test('the privacy note of a breakdown counts the groups its released days generalised', async ({
    dash,
    analyst,
  }) => {
    const from = day(dash, -6);
    const body = await analyst.json<TableResponse>(`/api/v1/products?${query(from, dash.data.today)}`);
    const [manifest] = await dash.warehouse.query({
      name: 'manifest_days',
      sql: `SELECT toUInt64(sum(groups_generalised)) AS g FROM ${RELEASES_TABLE} FINAL
            WHERE site = {site:String} AND grain = 'day' AND report = 'products'
              AND toDate(period_start) BETWEEN {from:Date} AND {to:Date}`,
      params: { site: SITE, from, to: dash.data.today },
      row: z.object({ g: z.number() }),
    });
    expect(manifest!.g).toBeGreaterThan(0);
    expect(body.privacy).toMatchObject({
      grain: 'day',
      released: 5,
      withheld: 0,
      groupsGeneralised: manifest!.g,
    });
  });

  test('window rows of a breakdown written before days were released whole still count, until the day is', async ({
    dash,
    analyst,
  }) => {
    // The old release published breakdowns per window and rolled a day up later: a legacy site's
    // day −4 is rolled up (day rows win), day −3 has its window rows only.
    const legacy = 'legacy';
    const rolled = day(dash, -4);
    const open = day(dash, -3);
    const at = (date: string, hour: number) =>
      toClickHouseDateTime(Date.parse(`${date}T00:00:00Z`) / 1000 + hour * 3600);
    const product = (views: number, visitors: number) => ({
      product_id: 'legacy-mug',
      category: 'gear',
      level: 0,
      views,
      add_to_carts: 1,
      cart_units: 1,
      removes: 0,
      checkout_units: 0,
      purchased_units: 0,
      item_revenue_cents: 0,
      visitors,
      released_at: at(dash.data.today, 0),
    });
    await dash.warehouse.insert(
      'pub_products_by_window',
      [rolled, open].flatMap((date) =>
        [0, 6].map((hour) => ({
          site: legacy,
          window_start: at(date, hour),
          window_seconds: 21_600,
          ...product(10, 6),
        })),
      ),
      { dedupToken: 'legacy-windows' },
    );
    await dash.warehouse.insert('pub_products_by_day', [{ site: legacy, day: rolled, ...product(17, 9) }], {
      dedupToken: 'legacy-day',
    });
    await dash.warehouse.insert(
      RELEASES_TABLE,
      [
        ...[rolled, open].flatMap((date) =>
          [0, 6].map((hour) => ({
            site: legacy,
            grain: 'window',
            period_start: at(date, hour),
            period_seconds: 21_600,
            report: 'products',
            k: 5,
            withheld: 0,
            rows_published: 1,
            rows_generalised: 0,
            groups_generalised: 0,
            released_at: at(dash.data.today, 0),
          })),
        ),
        {
          site: legacy,
          grain: 'day',
          period_start: at(rolled, 0),
          period_seconds: DAY_SECONDS,
          report: 'products',
          k: 5,
          withheld: 0,
          rows_published: 1,
          rows_generalised: 0,
          groups_generalised: 0,
          released_at: at(dash.data.today, 0),
        },
      ],
      { dedupToken: 'legacy-manifest' },
    );
    const server = await dash.variant({
      sites: [
        { id: SITE, origins: ['http://localhost:8080'] },
        { id: legacy, origins: ['http://localhost:8081'] },
      ],
    });
    try {
      const body = (await (
        await fetch(`${server.url}/api/v1/products?site=${legacy}&from=${rolled}&to=${open}`, {
          headers: { cookie: analyst.cookie },
        })
      ).json()) as TableResponse;
      expect(body.table.rows.map((row) => [row.product_id, row.views])).toEqual([['legacy-mug', 17 + 20]]);
      expect(body.released.days).toEqual([rolled]);
      expect(body.released.pending).toEqual([open]);
    } finally {
      await server.close();
    }
  });
});

/**
 * Each breakdown's main measure (a column of its table and a measure of its report), and which of
 * the report's rows the table names: at the table's grain, a device row holds its small browsers.
 */
const MAIN_MEASURES: [path: string, report: ReportName, measure: string, named: string][] = [
  ['/api/v1/pages', 'pages', 'pageviews', 'level = 0'],
  ['/api/v1/referrers', 'referrers', 'entries', 'level = 0'],
  ['/api/v1/devices', 'devices', 'pageviews', "device != '(other)'"],
  ['/api/v1/countries', 'countries', 'visitors', 'level = 0'],
  ['/api/v1/products', 'products', 'views', 'level = 0'],
  ['/api/v1/categories', 'products', 'views', "category != '(other)'"],
  ['/api/v1/searches', 'searches', 'searches', 'level = 0'],
  ['/api/v1/slots', 'slots', 'clicks', 'level = 0'],
  ['/api/v1/scroll', 'scroll', 'reached', "page_type != '(other)'"],
  ['/api/v1/promotions', 'promotions', 'impressions', 'level = 0'],
  ['/api/v1/promotions/slots', 'promotions', 'impressions', "slot != '(other)'"],
  ['/api/v1/campaigns', 'campaigns', 'orders', 'level = 0'],
];

describe('each breakdown says how much of it is in named rows', () => {
  test('the share of the main measure in named rows equals the published rows of the range', async ({
    dash,
    analyst,
  }) => {
    const from = day(dash, -6);
    for (const [path, report, measure, where] of MAIN_MEASURES) {
      const body = await analyst.json<TableResponse>(`${path}?${query(from, dash.data.today)}`);
      const all = await referenceSums(dash.warehouse, report, range(dash, from, dash.data.today));
      const named = await referenceSums(dash.warehouse, report, range(dash, from, dash.data.today), {
        where,
      });
      const share = total(named, measure) / total(all, measure);
      expect(share, path).toBeGreaterThan(0.5);
      expect(share, path).toBeLessThan(1);
      expect(body.named?.measure, path).toBe(measure);
      expect(body.named?.share, path).toBeCloseTo(share, 10);
      const other = Math.max(1, Math.round((1 - share) * 100));
      expect(body.named?.text, path).toBe(
        `${100 - other}% of ${body.named?.label} are in named rows; ${other}% in groups too small to name.`,
      );
    }
  });

  test('the funnels report the share of orders (purchases) in named devices and categories', async ({
    dash,
    analyst,
  }) => {
    const from = day(dash, -6);
    for (const [path, report, dimension] of [
      ['/api/v1/funnel/devices', 'funnel_devices', 'device'],
      ['/api/v1/funnel/categories', 'funnel_categories', 'category'],
    ] as const) {
      const body = await analyst.json<TableResponse>(`${path}?${query(from, dash.data.today)}`);
      const purchases = await referenceSums(dash.warehouse, report, range(dash, from, dash.data.today), {
        where: "step = '4_purchase'",
      });
      const named = total(
        purchases.filter((row) => row[dimension] !== '(other)'),
        'actions',
      );
      expect(body.named).toMatchObject({ measure: 'orders', label: 'orders' });
      expect(body.named?.share, path).toBeCloseTo(named / total(purchases, 'actions'), 10);
      // The orders column holds the purchases of each group.
      expect(total(body.table.rows, 'orders'), path).toBe(total(purchases, 'actions'));
    }
  });

  test('lists drawn from a report (movers, rarely bought, found nothing) give the share of the report they are drawn from', async ({
    dash,
    analyst,
  }) => {
    const from = day(dash, -6);
    const products = await analyst.json<TableResponse>(`/api/v1/products?${query(from, dash.data.today)}`);
    for (const path of ['/api/v1/products/movers', '/api/v1/products/unbought']) {
      const body = await analyst.json<TableResponse>(`${path}?${query(from, dash.data.today)}`);
      expect(body.named, path).toEqual(products.named);
    }
    const zero = await analyst.json<TableResponse>(
      `/api/v1/searches/zero-results?${query(from, dash.data.today)}`,
    );
    const all = await referenceSums(dash.warehouse, 'searches', range(dash, from, dash.data.today));
    expect(zero.named).toMatchObject({ measure: 'zero_results', label: 'searches that found nothing' });
    expect(zero.named?.share).toBeCloseTo(
      total(
        all.filter((row) => row.level === 0),
        'zero_results',
      ) / total(all, 'zero_results'),
      10,
    );
  });

  test('an empty breakdown has no share to give', async ({ dash, analyst }) => {
    const body = await analyst.json<TableResponse>(
      `/api/v1/products?${query(dash.data.today, dash.data.today)}`,
    );
    expect(body.named).toEqual({ measure: 'views', label: 'product views', share: null, text: null });
  });
});

/** Orders of the released days of the range: the overview's, the device funnel's and the campaigns'. */
async function ordersOf(dash: DashboardsHarness, from: string, to: string) {
  const scope = range(dash, from, to);
  const overview = total(
    await referenceSums(dash.warehouse, 'overview', { ...scope, to: dash.data.lastReleased }),
    'orders',
  );
  const funnel = await referenceSums(dash.warehouse, 'funnel_devices', scope, {
    where: "step = '4_purchase'",
  });
  const campaigns = await referenceSums(dash.warehouse, 'campaigns', scope);
  return {
    overview,
    byDevice: total(funnel, 'actions'),
    buyers: total(funnel, 'visitors'),
    byCampaign: total(campaigns, 'orders'),
  };
}

describe('figures that describe the same thing agree, or the page says why not', () => {
  test('the funnel tells buyers from orders, and names the orders too small to split by device', async ({
    dash,
    analyst,
  }) => {
    const from = day(dash, -6);
    const body = await analyst.json<TableResponse & { orders: Record<string, unknown> }>(
      `/api/v1/funnel/devices?${query(from, dash.data.today)}`,
    );
    const orders = await ordersOf(dash, from, dash.data.today);
    expect(orders.overview).toBeGreaterThan(orders.byDevice);
    const n = (value: number) => value.toLocaleString('en');
    expect(body.orders).toEqual({
      days: days(dash, -6, -2),
      total: orders.overview,
      split: orders.byDevice,
      notSplit: orders.overview - orders.byDevice,
      visitors: orders.buyers,
      text:
        `Bought counts shoppers, not orders: ${n(orders.buyers)} shoppers placed the ${n(orders.overview)} orders of ${span(day(dash, -6), day(dash, -2))}. ` +
        `${n(orders.overview - orders.byDevice)} of these orders are in groups too small to split by device, so the devices add up to ${n(orders.byDevice)}. ` +
        'The overview also counts the orders of yesterday and today so far.',
    });
  });

  test('with a device filter the overview covers the released days on both sides of the comparison, and says so', async ({
    dash,
    analyst,
  }) => {
    const from = day(dash, -6);
    const overview = await analyst.json<OverviewResponse>(
      `/api/v1/overview?${query(from, dash.data.today, '&device=mobile')}`,
    );
    const scope = range(dash, from, dash.data.today);
    const devices = await referenceSums(dash.warehouse, 'devices', scope, {
      where: "device = 'mobile'",
      dims: [],
    });
    const before = await referenceSums(
      dash.warehouse,
      'devices',
      { ...scope, from: day(dash, -13), to: day(dash, -9) },
      { where: "device = 'mobile'", dims: [] },
    );
    expect(overview.source).toBe('devices');
    expect(overview.filterPending).toBeNull();
    expect(kpi(overview, 'visitors').value).toBe(total(devices, 'visitors'));
    // The same five days of the previous period, not seven against five.
    expect(kpi(overview, 'visitors').previous).toBe(total(before, 'visitors'));
    expect(overview.comparison).toMatchObject({ from: day(dash, -13), to: day(dash, -9) });
    expect(overview.filterNote).toBe(
      `By device, figures cover ${span(day(dash, -6), day(dash, -2))}, the days released so far, compared with the same days of the previous period. Yesterday and today are split by device once each day has ended and been released (${GRACE}).`,
    );
    const orders = await ordersOf(dash, from, dash.data.today);
    expect(overview.notSplit).toEqual({
      dimension: 'device',
      orders: orders.overview - orders.byDevice,
      text: `${(orders.overview - orders.byDevice).toLocaleString('en')} orders of these days are in groups too small to split by device: they count in the totals, in no device.`,
    });
  });

  test('with a device filter and nothing released in the previous period, its orders are no figure, not 0', async ({
    dash,
    analyst,
  }) => {
    // The fixture's first day is 30 days ago: the six days before it have no release at all.
    const overview = await analyst.json<OverviewResponse>(
      `/api/v1/overview?${query(day(dash, -30), day(dash, -25), '&device=mobile')}`,
    );
    expect(kpi(overview, 'visitors').value).not.toBeNull();
    expect(kpi(overview, 'visitors').previous).toBeNull();
    expect(kpi(overview, 'orders').value).toBeGreaterThan(0);
    expect(kpi(overview, 'orders').previous).toBeNull();
  });

  test("today's overview with a device filter shows today's live totals for all devices, and says the filter waits for the day", async ({
    dash,
    analyst,
  }) => {
    const today = dash.data.today;
    const whole = await analyst.json<OverviewResponse>(`/api/v1/overview?${query(today, today)}`);
    const filtered = await analyst.json<OverviewResponse>(
      `/api/v1/overview?${query(today, today, '&device=mobile')}`,
    );
    expect(filtered.source).toBe('overview');
    expect(filtered.filterPending).toBe('device');
    expect(filtered.kpis).toEqual(whole.kpis);
    expect(filtered.filterNote).toBe(
      `Today is not split by device yet: figures by device are published as a whole day once it ends (${GRACE}). The figures below are today's totals for all devices.`,
    );
  });

  test('with a campaign filter orders and revenue are the campaign’s, and orders too small to split by campaign are named', async ({
    dash,
    analyst,
  }) => {
    const from = day(dash, -6);
    const overview = await analyst.json<OverviewResponse>(
      `/api/v1/overview?${query(from, dash.data.today, '&campaign=brand')}`,
    );
    const brand = await referenceSums(dash.warehouse, 'campaigns', range(dash, from, dash.data.today), {
      where: "utm_campaign = 'brand'",
      dims: [],
    });
    expect(overview.source).toBe('campaigns');
    expect(kpi(overview, 'orders').value).toBe(total(brand, 'orders'));
    expect(kpi(overview, 'revenue').value).toBe(total(brand, 'revenue_cents'));
    const orders = await ordersOf(dash, from, dash.data.today);
    expect(orders.overview).toBeGreaterThan(orders.byCampaign);
    expect(overview.notSplit).toMatchObject({
      dimension: 'campaign',
      orders: orders.overview - orders.byCampaign,
    });
  });

  test('the overview says which days its tables cover while its totals include yesterday and today', async ({
    dash,
    analyst,
  }) => {
    const overview = await analyst.json<OverviewResponse>(
      `/api/v1/overview?${query(day(dash, -6), dash.data.today)}`,
    );
    expect(overview.breakdowns).toEqual({
      days: days(dash, -6, -2),
      pending: [dash.data.yesterday, dash.data.today],
      text: `The tables below cover ${span(day(dash, -6), day(dash, -2))}, the days released so far; the totals above also count yesterday and today as far as released. Each day's tables are published as a whole once it has ended and been released (${GRACE}).`,
    });
    expect(overview.filterPending).toBeNull();
    expect(overview.notSplit).toBeNull();
  });
});
