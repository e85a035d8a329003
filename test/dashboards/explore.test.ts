import { describe, expect } from 'vitest';
import { DAY_SECONDS, toClickHouseDate } from '../../core/time.js';
import { nextRelease } from '../../dashboards/presenters/day-notes.js';
import { parseFilters } from '../../dashboards/query/filters.js';
import {
  type DashboardsHarness,
  dashboardsTest,
  GRACE_SECONDS,
  K,
  SITE,
  WINDOW_SECONDS,
} from './fixtures/dashboards-app.js';
import { seedPublishedData } from './fixtures/published-data.js';
import { referenceSums, total } from './fixtures/reference.js';

/**
 * Explore: a clicked row (a product, a source, a device, a country, a campaign) filters the whole
 * page, up to three filters at once. No published table splits one of these by another, so each
 * view applies the filter its own rows carry and says in place which it cannot split; the figures
 * on top follow the first filter set. Nothing is derived by combining or subtracting figures.
 */
interface Row extends Record<string, string | number | null> {
  level: number;
}
interface TableResponse {
  notSplitBy: string[];
  previous: { from: string; to: string } | null;
  comparison: { compared: boolean; text: string; from: string; to: string } | null;
  table: { columns: { key: string; label: string }[]; rows: Row[] };
}
interface Kpi {
  key: string;
  label: string;
  value: number | null;
  previous: number | null;
  change: number | null;
  notSplitBy?: string;
}
interface OverviewResponse {
  source: string;
  filter: string | null;
  notSplitBy: string[];
  previous: { from: string; to: string } | null;
  comparison: { compared: boolean; text: string; from: string; to: string } | null;
  kpis: Kpi[];
  trend: { points: Record<string, number | null>[]; previous: Record<string, number | null>[] };
}

const test = dashboardsTest;

const day = (dash: DashboardsHarness, offset: number) =>
  toClickHouseDate(Date.parse(`${dash.data.today}T00:00:00Z`) / 1000 + offset * DAY_SECONDS);
/** A week of released days only (two weeks ago), so every figure is a sum of day rows. */
const releasedWeek = (dash: DashboardsHarness) => ({
  site: SITE,
  from: day(dash, -13),
  to: day(dash, -7),
  yesterday: dash.data.yesterday,
});
const query = (range: { from: string; to: string }, extra = '') =>
  `site=${SITE}&from=${range.from}&to=${range.to}${extra}`;
const kpi = (overview: OverviewResponse, key: string) => overview.kpis.find((item) => item.key === key)!;

describe('a clicked row filters the page', () => {
  test('a product filter narrows the product tables to that product and the figures on top to its released rows', async ({
    dash,
    analyst,
  }) => {
    const range = releasedWeek(dash);
    const all = await analyst.json<TableResponse>(`/api/v1/products?${query(range)}`);
    const product = all.table.rows.find((row) => row.level === 0)!;
    const id = String(product.product_id);
    const filtered = await analyst.json<TableResponse>(
      `/api/v1/products?${query(range, `&product=${encodeURIComponent(id)}`)}`,
    );
    expect(filtered.notSplitBy).toEqual([]);
    expect(filtered.table.rows).toEqual([product]);

    // Sources are not split by product: the same table, and it says so.
    const sources = await analyst.json<TableResponse>(`/api/v1/referrers?${query(range)}`);
    const sourcesFiltered = await analyst.json<TableResponse>(
      `/api/v1/referrers?${query(range, `&product=${encodeURIComponent(id)}`)}`,
    );
    expect(sourcesFiltered.notSplitBy).toEqual(['product']);
    expect(sourcesFiltered.table.rows).toEqual(sources.table.rows);

    const overview = await analyst.json<OverviewResponse>(
      `/api/v1/overview?${query(range, `&product=${encodeURIComponent(id)}`)}`,
    );
    const reference = await referenceSums(dash.warehouse, 'products', range, {
      where: 'product_id = {id:String}',
      params: { id },
    });
    expect(overview.source).toBe('products');
    expect(overview.filter).toBe('product');
    expect(kpi(overview, 'visitors').value).toBe(total(reference, 'visitors'));
    expect(kpi(overview, 'pageviews')).toMatchObject({
      label: 'Product views',
      value: total(reference, 'views'),
    });
    expect(kpi(overview, 'orders')).toMatchObject({
      label: 'Units sold',
      value: total(reference, 'purchased_units'),
    });
    expect(kpi(overview, 'revenue').value).toBe(total(reference, 'item_revenue_cents'));
    expect(kpi(overview, 'conversion').value).toBeCloseTo(
      total(reference, 'purchased_units') / total(reference, 'views'),
      10,
    );
  });

  test('a source filter narrows the sources table to that source and the figures on top to its visits', async ({
    dash,
    analyst,
  }) => {
    const range = releasedWeek(dash);
    const filtered = await analyst.json<TableResponse>(
      `/api/v1/referrers?${query(range, '&source=www.google.com')}`,
    );
    expect(filtered.notSplitBy).toEqual([]);
    expect(filtered.table.rows.map((row) => row.referrer)).toEqual(['www.google.com']);

    const overview = await analyst.json<OverviewResponse>(
      `/api/v1/overview?${query(range, '&source=www.google.com')}`,
    );
    const reference = await referenceSums(dash.warehouse, 'referrers', range, {
      where: "referrer = 'www.google.com'",
    });
    expect(overview.source).toBe('referrers');
    expect(kpi(overview, 'visitors').value).toBe(total(reference, 'visitors'));
    expect(kpi(overview, 'pageviews')).toMatchObject({ label: 'Visits', value: total(reference, 'entries') });
    // Sources carry no orders or revenue: never estimated, said instead.
    expect(kpi(overview, 'orders')).toMatchObject({ value: null, notSplitBy: 'source' });
    expect(kpi(overview, 'revenue')).toMatchObject({ value: null, notSplitBy: 'source' });
  });

  test('filters combine, up to three: each table applies the one its rows carry and the figures on top follow the first set', async ({
    dash,
    analyst,
  }) => {
    const range = releasedWeek(dash);
    const countries = await analyst.json<TableResponse>(
      `/api/v1/countries?${query(range, '&device=mobile&country=DE')}`,
    );
    expect(countries.notSplitBy).toEqual(['device']);
    expect(countries.table.rows.map((row) => row.code)).toEqual(['DE']);
    const devices = await analyst.json<TableResponse>(
      `/api/v1/devices?${query(range, '&device=mobile&country=DE')}`,
    );
    expect(devices.notSplitBy).toEqual(['country']);
    expect(new Set(devices.table.rows.map((row) => row.device))).toEqual(new Set(['mobile']));

    const deviceFirst = await analyst.json<OverviewResponse>(
      `/api/v1/overview?${query(range, '&device=mobile&country=DE')}`,
    );
    expect(deviceFirst).toMatchObject({ source: 'devices', filter: 'device', notSplitBy: ['country'] });
    const countryFirst = await analyst.json<OverviewResponse>(
      `/api/v1/overview?${query(range, '&country=DE&device=mobile')}`,
    );
    expect(countryFirst).toMatchObject({ source: 'countries', filter: 'country', notSplitBy: ['device'] });
    const reference = await referenceSums(dash.warehouse, 'countries', range, { where: "country = 'DE'" });
    expect(kpi(countryFirst, 'visitors').value).toBe(total(reference, 'visitors'));

    const three = await analyst.fetch(
      `/api/v1/overview?${query(range, '&country=DE&device=mobile&source=www.google.com')}`,
    );
    expect(three.status).toBe(200);
    const four = await analyst.fetch(
      `/api/v1/overview?${query(range, '&country=DE&device=mobile&source=www.google.com&campaign=winter-sale')}`,
    );
    expect(four.status).toBe(400);
    const body = (await four.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('invalid_query');
    expect(body.error.message).toMatch(/at most 3 filters/);
    for (const value of ['DE', 'mobile', 'google', 'winter-sale'])
      expect(body.error.message).not.toContain(value);
  });
});

describe('comparison with the same period a year before', () => {
  test('a year before is the same calendar days, 29 February read as the 28th', () => {
    const now = Date.parse('2028-03-10T12:00:00Z');
    const week = parseFilters({ from: '2028-02-27', to: '2028-03-04', compare: 'year' }, ['demo'], now);
    expect(week.previous).toEqual({ from: '2027-02-27', to: '2027-03-05' });
    const leap = parseFilters({ from: '2028-02-29', to: '2028-02-29', compare: 'year' }, ['demo'], now);
    expect(leap.previous).toEqual({ from: '2027-02-28', to: '2027-02-28' });
    const before = parseFilters({ from: '2028-02-27', to: '2028-03-04' }, ['demo'], now);
    expect(before.previous).toEqual({ from: '2028-02-20', to: '2028-02-26' });
  });

  test('without released figures a year before nothing is compared, and the answer says why', async ({
    dash,
    analyst,
  }) => {
    const range = releasedWeek(dash);
    const overview = await analyst.json<OverviewResponse>(
      `/api/v1/overview?${query(range, '&compare=year')}`,
    );
    const yearBefore = (date: string) => `${Number(date.slice(0, 4)) - 1}${date.slice(4)}`;
    expect(overview.comparison).toMatchObject({ compared: false, from: yearBefore(range.from) });
    expect(overview.comparison!.text).toMatch(
      /^Not compared with .* a year before: it has no released figures\.$/,
    );
    expect(kpi(overview, 'visitors')).toMatchObject({ previous: null, change: null });
    const products = await analyst.json<TableResponse>(`/api/v1/products?${query(range, '&compare=year')}`);
    expect(products.comparison).toMatchObject({ compared: false });
    expect(products.table.rows.every((row) => row.views_change === null)).toBe(true);
  });

  test('with the days a year before released, the figures and the trend are compared with them', async ({
    dash,
    analyst,
  }) => {
    // The same fixture a year earlier: its days before "yesterday" are released.
    const yearAgo = new Date(dash.now);
    yearAgo.setUTCFullYear(yearAgo.getUTCFullYear() - 1);
    await seedPublishedData(dash.warehouse, {
      site: SITE,
      now: yearAgo.getTime(),
      k: K,
      windowSeconds: WINDOW_SECONDS,
      seed: 11,
    });
    // Another week than the test before, whose reads the dashboards may still remember (15 s).
    const range = { site: SITE, from: day(dash, -20), to: day(dash, -14), yesterday: dash.data.yesterday };
    const overview = await analyst.json<OverviewResponse>(
      `/api/v1/overview?${query(range, '&compare=year')}`,
    );
    const from = `${Number(range.from.slice(0, 4)) - 1}${range.from.slice(4)}`;
    const previous = {
      site: SITE,
      from,
      to: toClickHouseDate(Date.parse(`${from}T00:00:00Z`) / 1000 + 6 * DAY_SECONDS),
      yesterday: dash.data.yesterday,
    };
    expect(overview.previous).toEqual({ from: previous.from, to: previous.to });
    expect(overview.comparison).toMatchObject({ compared: true, from: previous.from, to: previous.to });
    expect(overview.comparison!.text).toMatch(/a year before/);
    const reference = await referenceSums(dash.warehouse, 'overview', previous);
    expect(kpi(overview, 'visitors').previous).toBe(total(reference, 'visitors'));
    const firstDay = await referenceSums(dash.warehouse, 'overview', {
      ...previous,
      to: previous.from,
    });
    expect(overview.trend.previous[0]!.visitors).toBe(total(firstDay, 'visitors'));

    const products = await analyst.json<TableResponse>(`/api/v1/products?${query(range, '&compare=year')}`);
    expect(products.comparison).toMatchObject({ compared: true, from: previous.from });
    expect(products.table.rows.some((row) => row.views_change !== null)).toBe(true);
  });
});

describe('when the next release comes', () => {
  test('a window is published at its end plus the grace period, today or tomorrow', () => {
    const at = (iso: string, window: number, grace: number) => nextRelease(Date.parse(iso), window, grace);
    expect(at('2026-12-07T13:20:00Z', 6 * 3600, 300)).toEqual({
      at: '2026-12-07T18:05:00.000Z',
      text: 'Next release at 18:05 UTC',
    });
    // Still in the grace period of the window that just closed: that one comes first.
    expect(at('2026-12-07T18:02:00Z', 6 * 3600, 300).text).toBe('Next release at 18:05 UTC');
    expect(at('2026-12-07T23:30:00Z', 3600, 300).text).toBe('Next release tomorrow at 00:05 UTC');
  });

  test('every answer says when the next release comes, from the window length and grace the release uses', async ({
    dash,
    analyst,
  }) => {
    const today = dash.data.today;
    // The harness clock is 15:20 UTC; windows of 6 h close at 18:00, released after the grace.
    const expected = new Date(Date.parse(`${today}T18:00:00Z`) + GRACE_SECONDS * 1000);
    const next = { at: expected.toISOString(), text: `Next release at 18:0${GRACE_SECONDS / 60} UTC` };
    expect(WINDOW_SECONDS).toBe(6 * 3600);
    const overview = await analyst.json<{ privacy: { nextRelease: unknown } }>(
      `/api/v1/overview?site=${SITE}&from=${today}&to=${today}`,
    );
    expect(overview.privacy.nextRelease).toEqual(next);
    const products = await analyst.json<{ privacy: { nextRelease: unknown } }>(
      `/api/v1/products?site=${SITE}&from=${today}&to=${today}`,
    );
    expect(products.privacy.nextRelease).toEqual(next);
  });
});
