import type { Warehouse } from '../../core/warehouse/warehouse.js';
import { REPORTS, type ReportName } from '../../schema/reports.js';
import { sumReport, sumReportByDay, sumReportByWindow } from '../query/daily-rows.js';
import { type DimensionFilter, type Filters, notSplitBy } from '../query/filters.js';
import { change, orNull, rate, VISITORS_HINT } from './table.js';

export type KpiKey = 'visitors' | 'pageviews' | 'orders' | 'revenue' | 'conversion';

export interface Kpi {
  key: KpiKey;
  label: string;
  kind: 'visitors' | 'count' | 'money' | 'rate';
  value: number | null;
  previous: number | null;
  change: number | null;
  hint?: string;
  /** Set when the active filter's report does not carry this figure. */
  notSplitBy?: DimensionFilter;
}

export interface TrendPoint {
  /** Unix seconds of the day or window start. */
  t: number;
  visitors: number | null;
  pageviews: number | null;
  orders: number | null;
  revenue: number | null;
}

export interface Overview {
  /** The report the figures come from: the site totals, or the one report that has the filter's dimension. */
  source: ReportName;
  filter: DimensionFilter | undefined;
  notSplitBy: DimensionFilter[];
  kpis: Kpi[];
  trend: { grain: 'day' | 'window'; points: TrendPoint[]; previous: TrendPoint[] };
  /** What the previous figures cover: the period before, or yesterday up to the same time. */
  comparison: { from: string; to: string; until?: number } | null;
  /** Days of each period with released figures, so a half-empty comparison can be flagged. */
  coverage: { days: number; current: number; previous: number | null };
}

interface Figures {
  visitors: number;
  pageviews: number;
  orders: number | undefined;
  revenue: number | undefined;
}

/** Where each dimension filter can be honoured, and how. */
interface Source {
  report: ReportName;
  where: string;
  pageviews: string;
  /** The report's measure for orders and revenue, if it has one. */
  orders?: string;
  revenue?: string;
}
const has = (report: ReportName, measure: string) => REPORTS[report].measures.some((m) => m.name === measure);
const SOURCES: Record<DimensionFilter, Source> = {
  device: { report: 'devices', where: 'device = {device:String}', pageviews: 'pageviews' },
  country: { report: 'countries', where: 'country = {country:String}', pageviews: 'pageviews' },
  campaign: {
    report: 'campaigns',
    where: 'utm_campaign = {campaign:String}',
    pageviews: 'entries',
    ...(has('campaigns', 'orders') ? { orders: 'orders' } : {}),
    ...(has('campaigns', 'revenue_cents') ? { revenue: 'revenue_cents' } : {}),
  },
};

const DAY = 86_400;
const dayStart = (date: string) => Date.parse(`${date}T00:00:00Z`) / 1000;

/**
 * The figures on top of the dashboard: visitors, pageviews, orders, revenue and conversion, with
 * the previous period and a trend (per day, or per release window for a one-day range). With a
 * device, country or campaign filter the figures come from the one report split by that dimension;
 * figures it does not carry are marked `notSplitBy`, never estimated.
 */
export async function getOverview(
  warehouse: Warehouse,
  filters: Filters,
  options: { windowSeconds: number; now: number },
): Promise<Overview> {
  const filter = (['device', 'country', 'campaign'] as const).find((name) => filters[name] !== undefined);
  const ignored = notSplitBy(filters, filter ? [filter] : []);
  const source = filter ? SOURCES[filter] : undefined;
  const params = { device: filters.device, country: filters.country, campaign: filters.campaign };
  const scoped = source ? { where: source.where, params } : {};

  const report: ReportName = source?.report ?? 'overview';
  const measureOf = (name: 'orders' | 'revenue') =>
    source ? source[name] : name === 'orders' ? 'orders' : 'revenue_cents';
  const totals = { current: emptyFigures(), previous: emptyFigures() };
  const add = (figures: Figures, row: { measures: Record<string, number>; visitors: number }) => {
    figures.visitors += row.visitors;
    figures.pageviews += row.measures[source?.pageviews ?? 'pageviews'] ?? 0;
    for (const name of ['orders', 'revenue'] as const) {
      const measure = measureOf(name);
      if (measure) figures[name] = (figures[name] ?? 0) + (row.measures[measure] ?? 0);
    }
  };
  const devicePurchases = {
    where: "step = '4_purchase' AND device = {device:String}",
    params,
  };
  // "Today" against yesterday up to the same time of day, from window rows on both sides: a
  // half-day is not compared with a whole one.
  const nowSeconds = Math.floor(options.now / 1000);
  const likeForLike =
    filters.days === 1 &&
    filters.to === filters.today &&
    filters.previous !== undefined &&
    options.windowSeconds < DAY;
  const periodOf = (row: { day: string; start: number }) =>
    row.day === filters.to
      ? 'current'
      : row.start + DAY + options.windowSeconds <= nowSeconds
        ? 'previous'
        : undefined;
  if (likeForLike) {
    for (const row of await sumReportByWindow(warehouse, report, filters, scoped)) {
      const period = periodOf(row);
      if (period) add(totals[period], row);
    }
  } else {
    for (const row of await sumReport(warehouse, report, filters, { ...scoped, dims: [] }))
      add(totals[row.period], row);
  }
  if (filter === 'device') {
    // Orders by device: purchase actions of the device funnel, the one report split that way.
    totals.current.orders = 0;
    totals.previous.orders = 0;
    if (likeForLike) {
      for (const row of await sumReportByWindow(warehouse, 'funnel_devices', filters, devicePurchases)) {
        const period = periodOf(row);
        if (period) totals[period].orders! += row.measures.actions ?? 0;
      }
    } else {
      for (const row of await sumReport(warehouse, 'funnel_devices', filters, {
        ...devicePurchases,
        dims: [],
      })) {
        totals[row.period].orders! += row.measures.actions ?? 0;
      }
    }
  }

  const kpi = (
    key: KpiKey,
    label: string,
    kind: Kpi['kind'],
    pick: (f: Figures) => number | null,
    hint?: string,
  ): Kpi => {
    const value = pick(totals.current);
    const previous = filters.previous ? pick(totals.previous) : null;
    const missing = value === null && filter !== undefined ? { notSplitBy: filter } : {};
    return {
      key,
      label,
      kind,
      value,
      previous,
      change: change(value, previous),
      ...(hint ? { hint } : {}),
      ...missing,
    };
  };
  const kpis: Kpi[] = [
    kpi('visitors', 'Visitors', 'visitors', (f) => orNull(f.visitors), VISITORS_HINT),
    kpi('pageviews', filter === 'campaign' ? 'Visits' : 'Pageviews', 'count', (f) => orNull(f.pageviews)),
    kpi('orders', 'Orders', 'count', (f) => (f.orders === undefined ? null : f.orders)),
    kpi('revenue', 'Revenue', 'money', (f) => (f.revenue === undefined ? null : f.revenue)),
    kpi(
      'conversion',
      'Conversion',
      'rate',
      (f) => (f.orders === undefined ? null : rate(f.orders, f.visitors)),
      'Orders ÷ visitor-days',
    ),
  ];

  const trend = await getTrend(
    warehouse,
    filters,
    report,
    {
      pageviews: source?.pageviews ?? 'pageviews',
      orders: measureOf('orders'),
      revenue: measureOf('revenue'),
    },
    scoped,
    options,
  );
  const comparison = filters.previous
    ? {
        ...filters.previous,
        ...(likeForLike ? { until: nowSeconds - (nowSeconds % options.windowSeconds) - DAY } : {}),
      }
    : null;
  const covered = (points: TrendPoint[]) => points.filter((point) => point.visitors !== null).length;
  const coverage =
    trend.grain === 'day'
      ? {
          days: filters.days,
          current: covered(trend.points),
          previous: filters.previous ? covered(trend.previous) : null,
        }
      : { days: 1, current: 1, previous: filters.previous ? 1 : null };
  return { source: report, filter, notSplitBy: ignored, kpis, trend, comparison, coverage };
}

function emptyFigures(): Figures {
  return { visitors: 0, pageviews: 0, orders: undefined, revenue: undefined };
}

async function getTrend(
  warehouse: Warehouse,
  filters: Filters,
  report: ReportName,
  {
    pageviews,
    orders,
    revenue,
  }: { pageviews: string; orders: string | undefined; revenue: string | undefined },
  scoped: { where?: string; params?: Record<string, unknown> },
  options: { windowSeconds: number; now: number },
): Promise<Overview['trend']> {
  const point = (t: number, row?: { measures: Record<string, number>; visitors: number }): TrendPoint => ({
    t,
    visitors: row ? orNull(row.visitors) : null,
    pageviews: row ? orNull(row.measures[pageviews]) : null,
    orders: row && orders ? (row.measures[orders] ?? 0) : null,
    revenue: row && revenue ? (row.measures[revenue] ?? 0) : null,
  });
  const from = dayStart(filters.from);
  const previousFrom = filters.previous ? dayStart(filters.previous.from) : undefined;

  if (filters.days === 1 && options.windowSeconds < DAY) {
    const rows = await sumReportByWindow(warehouse, report, filters, scoped);
    const byStart = new Map(rows.map((row) => [row.start, row]));
    const step = options.windowSeconds;
    // The whole day's axis: windows not released yet show as gaps next to yesterday's curve.
    const last = from + DAY;
    const points: TrendPoint[] = [];
    const previous: TrendPoint[] = [];
    for (let t = from; t < last; t += step) {
      points.push(point(t, byStart.get(t)));
      if (previousFrom !== undefined) previous.push(point(t, byStart.get(t - DAY)));
    }
    return { grain: 'window', points, previous };
  }

  const rows = await sumReportByDay(warehouse, report, filters, scoped);
  const byDay = new Map(rows.map((row) => [dayStart(row.day), row]));
  const points: TrendPoint[] = [];
  const previous: TrendPoint[] = [];
  for (let index = 0; index < filters.days; index++) {
    const t = from + index * DAY;
    points.push(point(t, byDay.get(t)));
    if (previousFrom !== undefined) previous.push(point(t, byDay.get(previousFrom + index * DAY)));
  }
  return { grain: 'day', points, previous };
}
