import { describe, expect } from 'vitest';
import { z } from 'zod';
import { DAY_SECONDS, toClickHouseDate } from '../../core/time.js';
import { TABLE_ENDPOINTS } from '../../dashboards/routes/reports.js';
import { type DashboardsHarness, dashboardsTest, SITE, WINDOW_SECONDS } from './fixtures/dashboards-app.js';
import { referenceSums, total } from './fixtures/reference.js';

/**
 * One rule for every comparison on every page: the previous period is cut to the stretch of time
 * the current figures cover (the released days of a table; today up to its last closed window for
 * the totals), and a change is shown only where the previous period has released figures for all
 * of that stretch. Otherwise no change is shown, and the answer says why in a sentence.
 */
interface Comparison {
  from: string;
  to: string;
  until: number | null;
  days: number;
  covered: number;
  compared: boolean;
  text: string;
}
interface TableResponse {
  previous: { from: string; to: string } | null;
  comparison: Comparison | null;
  released: { text: string | null };
  table: {
    columns: { key: string; kind: string }[];
    rows: Record<string, string | number | null>[];
  };
}
interface Kpi {
  key: string;
  value: number | null;
  previous: number | null;
  change: number | null;
}
interface OverviewResponse {
  kpis: Kpi[];
  comparison: Comparison | null;
  trend: { grain: string; points: { visitors: number | null }[]; previous: { visitors: number | null }[] };
}

const test = dashboardsTest;

const day = (dash: DashboardsHarness, offset: number) =>
  toClickHouseDate(Date.parse(`${dash.data.today}T00:00:00Z`) / 1000 + offset * DAY_SECONDS);
const query = (from: string, to: string) => `site=${SITE}&from=${from}&to=${to}`;
const kpi = (overview: OverviewResponse, key: string) => overview.kpis.find((item) => item.key === key)!;
const DATE = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' });
const label = (date: string) => DATE.format(new Date(`${date}T00:00:00Z`));
function span(from: string, to: string): string {
  if (from.slice(0, 7) === to.slice(0, 7)) return `${Number(from.slice(8))}–${label(to)}`;
  return `${label(from)} – ${label(to)}`;
}

/** The overview's window rows of one day, with their start (unix seconds). */
async function windowsOf(dash: DashboardsHarness, date: string) {
  return dash.warehouse.query({
    name: 'comparison_windows',
    sql: `SELECT toUInt32(toUnixTimestamp(window_start)) AS start, toUInt64(sum(visitors)) AS visitors,
            toUInt64(sum(orders)) AS orders
          FROM pub_overview_by_window WHERE site = {site:String} AND toDate(window_start) = {day:Date}
          GROUP BY window_start ORDER BY window_start`,
    params: { site: SITE, day: date },
    row: z.object({ start: z.number(), visitors: z.number(), orders: z.number() }),
  });
}

describe('every comparison is like for like', () => {
  test("a week that reaches today compares today so far with the previous week's last day up to the same time", async ({
    dash,
    analyst,
  }) => {
    const overview = await analyst.json<OverviewResponse>(
      `/api/v1/overview?${query(day(dash, -6), dash.data.today)}`,
    );
    const nowSeconds = Math.floor(dash.now / 1000);
    // The six whole days before, and the seventh (7 days before today) up to the same time of day.
    const whole = await referenceSums(dash.warehouse, 'overview', {
      site: SITE,
      from: day(dash, -13),
      to: day(dash, -8),
      yesterday: dash.data.yesterday,
    });
    const lastDay = (await windowsOf(dash, day(dash, -7))).filter(
      (row) => row.start + 7 * DAY_SECONDS + WINDOW_SECONDS <= nowSeconds,
    );
    const todayWindows = (await windowsOf(dash, dash.data.today)).filter(
      (row) => row.start + WINDOW_SECONDS <= nowSeconds,
    );
    expect(lastDay.length).toBe(todayWindows.length);
    const sum = (rows: { visitors: number }[]) => rows.reduce((s, row) => s + row.visitors, 0);
    expect(kpi(overview, 'visitors').previous).toBe(total(whole, 'visitors') + sum(lastDay));
    expect(kpi(overview, 'orders').previous).toBe(
      total(whole, 'orders') + lastDay.reduce((s, row) => s + row.orders, 0),
    );
    // The chart's previous point beside "today so far" is the same part of that day.
    expect(overview.trend.previous.at(-1)?.visitors).toBe(sum(lastDay));
    expect(overview.trend.points.at(-1)?.visitors).toBe(sum(todayWindows));
    const until = nowSeconds - (nowSeconds % WINDOW_SECONDS) - 7 * DAY_SECONDS;
    expect(overview.comparison).toEqual({
      from: day(dash, -13),
      to: day(dash, -7),
      until,
      days: 7,
      covered: 7,
      compared: true,
      text: `Compared with ${span(day(dash, -13), day(dash, -7))}, its last day until ${new Date(until * 1000).toISOString().slice(11, 16)} UTC: the same part of the day as today.`,
    });
  });

  test("today is compared with yesterday up to the same time, in the overview's words", async ({
    dash,
    analyst,
  }) => {
    const overview = await analyst.json<OverviewResponse>(
      `/api/v1/overview?${query(dash.data.today, dash.data.today)}`,
    );
    const nowSeconds = Math.floor(dash.now / 1000);
    const until = nowSeconds - (nowSeconds % WINDOW_SECONDS) - DAY_SECONDS;
    expect(overview.comparison).toMatchObject({
      from: dash.data.yesterday,
      to: dash.data.yesterday,
      until,
      compared: true,
      text: `Compared with yesterday until ${new Date(until * 1000).toISOString().slice(11, 16)} UTC: the same part of the day as today.`,
    });
  });

  test('where the previous period has released figures for only some of its days, no table and no total shows a change, and each says why', async ({
    dash,
    analyst,
  }) => {
    // The fixture's first day is 30 days ago: the week before 27–21 days ago has 3 released days of 7.
    const from = day(dash, -27);
    const to = day(dash, -21);
    const text = `Not compared with ${span(day(dash, -34), day(dash, -28))}: it has released figures for only 3 of its 7 days.`;
    const overview = await analyst.json<OverviewResponse>(`/api/v1/overview?${query(from, to)}`);
    for (const item of overview.kpis) {
      expect(item.value, item.key).not.toBeNull();
      expect([item.previous, item.change], item.key).toEqual([null, null]);
    }
    expect(overview.comparison).toEqual({
      from: day(dash, -34),
      to: day(dash, -28),
      until: null,
      days: 7,
      covered: 3,
      compared: false,
      text,
    });
    // No lone previous point is left on the chart to be read as a figure of this period.
    expect(overview.trend.previous).toEqual([]);

    for (const endpoint of TABLE_ENDPOINTS) {
      const body = await analyst.json<TableResponse>(`${endpoint.path}?${query(from, to)}`);
      expect(body.previous, endpoint.path).toBeNull();
      expect(body.comparison, endpoint.path).toMatchObject({ compared: false, covered: 3, days: 7, text });
      const changes = body.table.columns.filter((column) => column.kind === 'change');
      for (const row of body.table.rows)
        for (const column of changes) expect(row[column.key], endpoint.path).toBeNull();
      expect(body.released.text ?? '', endpoint.path).not.toContain('compared with');
    }
  });

  test('a previous period released in full is compared, and the tables and the totals say with what', async ({
    dash,
    analyst,
  }) => {
    const from = day(dash, -20);
    const to = day(dash, -14);
    const overview = await analyst.json<OverviewResponse>(`/api/v1/overview?${query(from, to)}`);
    expect(overview.comparison).toMatchObject({
      compared: true,
      covered: 7,
      days: 7,
      text: `Compared with ${span(day(dash, -27), day(dash, -21))}.`,
    });
    expect(kpi(overview, 'visitors').change).not.toBeNull();
    const products = await analyst.json<TableResponse>(`/api/v1/products?${query(from, to)}`);
    expect(products.comparison).toMatchObject({ compared: true, covered: 7, days: 7 });
    expect(products.table.rows.some((row) => row.views_change !== null)).toBe(true);
  });

  test('a table reaching today compares its released days only where the days before them are released too', async ({
    dash,
    analyst,
  }) => {
    // 25 released days (26 to 2 days ago) against the 25 before them, of which 2 are released.
    const body = await analyst.json<TableResponse>(
      `/api/v1/products/movers?${query(day(dash, -26), dash.data.today)}`,
    );
    expect(body.table.rows).toEqual([]);
    expect(body.comparison).toMatchObject({
      from: day(dash, -53),
      to: day(dash, -29),
      days: 25,
      covered: 2,
      compared: false,
    });
    // Today alone: nothing released, nothing to compare, and nothing to say about a comparison.
    const today = await analyst.json<TableResponse>(
      `/api/v1/products?${query(dash.data.today, dash.data.today)}`,
    );
    expect([today.previous, today.comparison]).toEqual([null, null]);
  });
});
