import { test as base, describe, expect } from 'vitest';
import { margin95, variance } from '../../core/discrete-laplace.js';
import { DAY_SECONDS, toClickHouseDate } from '../../core/time.js';
import { TABLE_ENDPOINTS } from '../../dashboards/routes/reports.js';
import { REPORTS } from '../../schema/reports.js';
import { type NoiseSettings, noiseScales } from '../../workers/release/noise/noisy-release.js';
import { type Client, type DashboardsHarness, K, startDashboards } from './fixtures/dashboards-app.js';
import { seedPublishedData } from './fixtures/published-data.js';

/**
 * Noise mode on the dashboards: every figure made from noisy published rows carries its ± margin
 * (95 %), taken from the scales the manifest states (test/dashboards/fixtures/published-data.ts
 * writes them as the day release does), the privacy note states the mode and ε, and "today", which
 * noise mode never publishes in windows, says why it is empty. A site released without noise, in
 * the same store, shows exact figures and not one margin.
 */
const NOISE: NoiseSettings = { epsilon: 2, rows: 5, clamp: 3, moneyCents: 20_000 };
const PLAIN = 'plain';

interface Kpi {
  key: string;
  value: number | null;
  margin?: number;
  previous: number | null;
  previousMargin?: number;
  change: number | null;
  changeMargin?: number;
}
interface Point {
  t: number;
  visitors: number | null;
  margins?: Record<string, number>;
}
interface Overview {
  kpis: Kpi[];
  trend: { points: Point[] };
  privacy: { noise: { epsilon: number; days: number } | null; wholeDaysOnly: boolean; text: string | null };
}
type Row = Record<string, string | number | null> & { level: number };
interface TableResponse {
  privacy: Overview['privacy'];
  table: { columns: { key: string; kind: string }[]; rows: Row[] };
  steps?: { visitors: number | null; margins?: Record<string, number> }[];
}

const test = base
  // biome-ignore lint/correctness/noEmptyPattern: vitest reads a fixture's dependencies from this pattern.
  .extend('dash', { scope: 'file' }, async ({}, { onCleanup }): Promise<DashboardsHarness> => {
    const harness = await startDashboards({}, { noise: NOISE });
    onCleanup(() => harness.close());
    return harness;
  })
  .extend('analyst', { scope: 'file' }, async ({ dash }): Promise<Client> => dash.signIn('analyst'));

const dayOf = (dash: DashboardsHarness, offset: number) =>
  toClickHouseDate(Date.parse(`${dash.data.today}T00:00:00Z`) / 1000 + offset * DAY_SECONDS);
/** A week of released days (the fixture's last released day is the day before yesterday). */
const releasedWeek = (dash: DashboardsHarness) => `from=${dayOf(dash, -8)}&to=${dayOf(dash, -2)}`;
const oneDay = (dash: DashboardsHarness) => `from=${dayOf(dash, -2)}&to=${dayOf(dash, -2)}`;
const scale = (report: keyof typeof REPORTS, figure: string) => noiseScales(REPORTS[report], NOISE)[figure]!;
/** The normal approximation's margin of `n` draws of one scale, with z between `low` and `high`. */
const normal = (n: number, figureScale: number, z: number) => z * Math.sqrt(n * variance(figureScale));
const FIGURES = new Set(['count', 'visitors', 'money', 'rate', 'change']);

describe('noise mode: the ± margin beside every noisy figure', () => {
  test("gives a day's KPIs the exact 95 % margin of their one draw, from the manifest's scales", async ({
    dash,
    analyst,
  }) => {
    const overview = await analyst.json<Overview>(`/api/v1/overview?${oneDay(dash)}`);
    const kpi = (key: string) => overview.kpis.find((item) => item.key === key)!;
    expect(kpi('visitors').margin).toBe(margin95(scale('overview', 'visitors')));
    expect(kpi('pageviews').margin).toBe(margin95(scale('overview', 'pageviews')));
    expect(kpi('orders').margin).toBe(margin95(scale('overview', 'orders')));
    expect(kpi('revenue').margin).toBe(margin95(scale('overview', 'revenue_cents')));
    // Conversion (orders ÷ visitors) by the delta method over the two draws.
    const { value: orders } = kpi('orders');
    const { value: visitors } = kpi('visitors');
    const rate = orders! / visitors!;
    const delta = Math.sqrt(
      variance(scale('overview', 'orders')) + rate ** 2 * variance(scale('overview', 'visitors')),
    );
    expect(kpi('conversion').margin).toBeGreaterThanOrEqual((1.95 * delta) / visitors!);
    expect(kpi('conversion').margin).toBeLessThanOrEqual((2.2 * delta) / visitors!);
  });

  test("gives a week's KPIs, their previous figures and changes the margin of seven draws added up", async ({
    dash,
    analyst,
  }) => {
    const overview = await analyst.json<Overview>(`/api/v1/overview?${releasedWeek(dash)}`);
    const visitors = overview.kpis.find((item) => item.key === 'visitors')!;
    const s = scale('overview', 'visitors');
    expect(visitors.margin).toBeGreaterThanOrEqual(Math.ceil(normal(7, s, 1.96)));
    expect(visitors.margin).toBeLessThanOrEqual(Math.ceil(normal(7, s, 2.05)));
    expect(visitors.previous).not.toBeNull();
    expect(visitors.previousMargin).toBe(visitors.margin);
    expect(visitors.changeMargin).toBeGreaterThan(0);
    expect(visitors.changeMargin).toBeLessThan(1);
    // Each day of the trend is one draw.
    expect(overview.trend.points).toHaveLength(7);
    for (const point of overview.trend.points) {
      expect(point.margins?.visitors).toBe(margin95(s));
      expect(point.margins?.pageviews).toBe(margin95(scale('overview', 'pageviews')));
    }
  });

  test('gives every figure of every table its margin beside it, as `<column>_margin`', async ({
    dash,
    analyst,
  }) => {
    let figures = 0;
    const missing = new Set<string>();
    // The insights' cards are no breakdown of published figures: their margins are the insights' own.
    for (const endpoint of TABLE_ENDPOINTS.filter((item) => item.path !== '/api/v1/insights')) {
      const response = await analyst.json<TableResponse>(`${endpoint.path}?${releasedWeek(dash)}`);
      const columns = response.table.columns.filter((column) => FIGURES.has(column.kind));
      for (const row of response.table.rows)
        for (const column of columns) {
          if (row[column.key] === null || row[column.key] === undefined) continue;
          figures += 1;
          const margin = row[`${column.key}_margin`];
          if (!(typeof margin === 'number' && margin > 0)) missing.add(`${endpoint.path} ${column.key}`);
        }
      for (const step of response.steps ?? [])
        if (step.visitors !== null && !((step.margins?.visitors ?? 0) > 0))
          missing.add(`${endpoint.path} steps visitors`);
    }
    // Every figure has its margin: the list of those without one is empty.
    expect([...missing]).toEqual([]);
    expect(figures).toBeGreaterThan(500);
  });

  test("gives a product's figures of one day the exact margins of its draws", async ({ dash, analyst }) => {
    const response = await analyst.json<TableResponse>(`/api/v1/products?${oneDay(dash)}`);
    expect(response.table.rows.length).toBeGreaterThan(5);
    for (const row of response.table.rows) {
      expect(row.views_margin).toBe(margin95(scale('products', 'views')));
      expect(row.revenue_margin).toBe(margin95(scale('products', 'item_revenue_cents')));
      expect(row.visitors_margin).toBe(margin95(scale('products', 'visitors')));
    }
  });

  test("exports each noisy figure's margin as a column beside it in CSV", async ({ dash, analyst }) => {
    const response = await fetch(`${dash.url}/api/v1/products?${oneDay(dash)}&format=csv`, {
      headers: { cookie: analyst.cookie },
    });
    expect(response.status).toBe(200);
    const [header, first] = (await response.text()).split('\r\n').map((line) => line.split(','));
    const at = (label: string) => header!.indexOf(label);
    expect(at('Views ± (95 %)')).toBe(at('Views') + 1);
    expect(Number(first![at('Views ± (95 %)')])).toBe(margin95(scale('products', 'views')));
    // Money in major units, like its figure.
    expect(Number(first![at('Revenue ± (95 %)')])).toBe(
      margin95(scale('products', 'item_revenue_cents')) / 100,
    );
  });

  test('states noise mode and the ε per visitor-day in the privacy note', async ({ dash, analyst }) => {
    const response = await analyst.json<TableResponse>(`/api/v1/products?${releasedWeek(dash)}`);
    expect(response.privacy.noise).toEqual({ epsilon: NOISE.epsilon, days: 7 });
    expect(response.privacy.text).toContain('ε = 2 per visitor and day');
    expect(response.privacy.text).toContain('±');
  });

  test('says that noise mode publishes whole days only where today has no figures', async ({
    dash,
    analyst,
  }) => {
    const today = dash.data.today;
    const overview = await analyst.json<Overview>(`/api/v1/overview?from=${today}&to=${today}`);
    expect(overview.kpis.every((kpi) => kpi.value === null)).toBe(true);
    expect(overview.privacy.wholeDaysOnly).toBe(true);
    expect(overview.privacy.text).toContain('whole days only');
  });

  test('shows a site released without noise exactly: no margin anywhere', async ({ dash }) => {
    await seedPublishedData(dash.warehouse, {
      site: PLAIN,
      now: dash.now,
      k: K,
      windowSeconds: 6 * 3600,
    });
    const both = await dash.variant({
      sites: [
        { id: 'demo', origins: ['http://localhost:8080'] },
        { id: PLAIN, origins: ['http://localhost:8081'] },
      ],
    });
    const client = await dash.signIn('analyst', 'plain-reader');
    const read = async (path: string) => {
      const response = await fetch(`${both.url}${path}`, { headers: { cookie: client.cookie } });
      expect(response.status).toBe(200);
      return response.text();
    };
    const range = `site=${PLAIN}&${releasedWeek(dash)}`;
    for (const path of ['/api/v1/overview', ...TABLE_ENDPOINTS.map((endpoint) => endpoint.path)]) {
      const text = await read(`${path}?${range}`);
      expect(text, path).not.toMatch(/margin/i);
      expect(JSON.parse(text).privacy.noise, path).toBeNull();
    }
    expect(await read(`/api/v1/products?${range}&format=csv`)).not.toContain('±');
    // The noisy site on the same app still has its margins.
    expect(await read(`/api/v1/overview?site=demo&${releasedWeek(dash)}`)).toContain('"margin"');
  });
});
