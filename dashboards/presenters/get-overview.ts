import type { Warehouse } from '../../core/warehouse/warehouse.js';
import { REPORTS, type ReportName } from '../../schema/reports.js';
import { sumReport, sumReportByWindow } from '../query/daily-rows.js';
import { type DimensionFilter, type Filters, notSplitBy } from '../query/filters.js';
import { addSpreads, type Spreads } from '../query/noise-spread.js';
import { getReleasedDays, type ReleasedDays } from '../query/released-days.js';
import { type DayContext, describeFilterDays, describeTables } from './day-notes.js';
import { type Comparison, getComparison } from './get-comparison.js';
import { describeNotSplit, getOrdersSplit } from './get-orders-split.js';
import { getTrend, type Trend } from './get-trend.js';
import { changeMargin, ratioMargin, sumMargin } from './margins.js';
import { change, orNull, rate, VISITORS_HINT } from './table.js';

export type KpiKey = 'visitors' | 'pageviews' | 'orders' | 'revenue' | 'conversion';

export interface Kpi {
  key: KpiKey;
  label: string;
  kind: 'visitors' | 'count' | 'money' | 'rate';
  value: number | null;
  previous: number | null;
  change: number | null;
  /** Noise mode: the ± margins (95 %) of the value, the previous figure and the change; absent in plain mode. */
  margin?: number;
  previousMargin?: number;
  changeMargin?: number;
  hint?: string;
  /** Set when the active filter's report does not carry this figure. */
  notSplitBy?: DimensionFilter;
}

export interface Overview {
  /** The report the figures come from: the site totals, or the one report that has the filter's dimension. */
  source: ReportName;
  filter: DimensionFilter | undefined;
  notSplitBy: DimensionFilter[];
  /**
   * A filter that cannot apply yet: reports split by device, country or campaign are released per
   * whole day, and no day of the range is released. The figures are then everyone's, live.
   */
  filterPending: DimensionFilter | null;
  /** Which days a filter's figures cover and why, or why it waits; null when it covers the range. */
  filterNote: string | null;
  /** The days the page's tables (breakdowns) cover, while the totals also count today's windows. */
  breakdowns: ReleasedDays & { text: string | null };
  /** Orders of the covered days in groups too small to split by the filter's dimension. */
  notSplit: { dimension: DimensionFilter; orders: number; text: string } | null;
  kpis: Kpi[];
  trend: Trend;
  /**
   * What the previous figures cover (the period before; its last day up to the same time of day
   * when the range reaches today), or why nothing is compared; null with comparison off.
   */
  comparison: Comparison | null;
}

type DayFigures = { measures: Record<string, number>; visitors: number };

/** Rows added up into one: the same part of a day, from its windows. */
function sumFigures(rows: readonly DayFigures[]): DayFigures {
  const measures: Record<string, number> = {};
  for (const row of rows)
    for (const [name, value] of Object.entries(row.measures)) measures[name] = (measures[name] ?? 0) + value;
  return { measures, visitors: rows.reduce((sum, row) => sum + row.visitors, 0) };
}

interface Figures {
  visitors: number;
  pageviews: number;
  orders: number | undefined;
  revenue: number | undefined;
  /** Noise mode: the noise the figures add up, by measure (the report's names, and `visitors`). */
  spread?: Spreads;
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
  source: { report: 'referrers', where: 'referrer = {source:String}', pageviews: 'entries' },
  // A product's own rows: its views, the units of it sold and their value (not orders: an order
  // holds several products, and the products report counts units).
  product: {
    report: 'products',
    where: 'product_id = {product:String}',
    pageviews: 'views',
    orders: 'purchased_units',
    revenue: 'item_revenue_cents',
  },
};
/** What the second figure counts under each filter's report (pageviews without one). */
const PAGEVIEWS_LABEL: Partial<Record<DimensionFilter, string>> = {
  campaign: 'Visits',
  source: 'Visits',
  product: 'Product views',
};
/** The breakdowns the overview page shows under its figures. */
const PAGE_TABLES: readonly ReportName[] = ['pages', 'referrers', 'devices', 'countries'];

const DAY = 86_400;
const shift = (date: string, days: number) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY * 1000).toISOString().slice(0, 10);

/**
 * The figures on top of the dashboard: visitors, pageviews, orders, revenue and conversion, with
 * the previous period and a trend (per day, or per release window for a one-day range). With a
 * device, country or campaign filter the figures come from the one report split by that dimension;
 * figures it does not carry are marked `notSplitBy`, never estimated. That report is released per
 * whole day, so a filter covers the released days of the range (compared with the same days of
 * the previous period), and waits when none is released yet (today).
 */
export async function getOverview(
  warehouse: Warehouse,
  filters: Filters,
  options: { windowSeconds: number; now: number; graceSeconds: number },
): Promise<Overview> {
  // Figures on top come from one report; no report splits one filter's dimension by another's, so
  // they follow the first filter set and say the others are not split (never estimated).
  const chosen = filters.dimensions[0];
  const context: DayContext = { today: filters.today, graceSeconds: options.graceSeconds };
  const released = await getReleasedDays(warehouse, filters, [
    ...PAGE_TABLES,
    ...(chosen ? [SOURCES[chosen].report] : []),
  ]);
  const waiting = chosen !== undefined && released.days.length === 0 && released.pending.length > 0;
  const filter = waiting ? undefined : chosen;
  const ignored = notSplitBy(filters, chosen ? [chosen] : []);
  const source = filter ? SOURCES[filter] : undefined;
  // A filter's report has no row for a pending day: compare its released days with the same days
  // of the previous period, not five days with seven.
  const partial = source !== undefined && released.pending.length > 0;
  const compared = partial
    ? [
        ...released.days,
        ...(filters.previous ? released.days.map((day) => shift(day, -filters.previousOffset)) : []),
      ]
    : [];
  const onDays = partial ? ' AND day IN {comparedDays:Array(Date)}' : '';
  const params = {
    device: filters.device,
    country: filters.country,
    campaign: filters.campaign,
    source: filters.source,
    product: filters.product,
    comparedDays: compared,
  };
  const scoped = source ? { where: `${source.where}${onDays}`, params } : {};

  const report: ReportName = source?.report ?? 'overview';
  const measureOf = (name: 'orders' | 'revenue') =>
    source ? source[name] : name === 'orders' ? 'orders' : 'revenue_cents';
  const totals = { current: emptyFigures(), previous: emptyFigures() };
  const add = (figures: Figures, row: { measures: Record<string, number>; visitors: number }) => {
    figures.visitors += row.visitors;
    figures.pageviews += row.measures[source?.pageviews ?? 'pageviews'] ?? 0;
    figures.spread = addSpreads(figures.spread, (row as { spread?: Spreads }).spread);
    for (const name of ['orders', 'revenue'] as const) {
      const measure = measureOf(name);
      if (measure) figures[name] = (figures[name] ?? 0) + (row.measures[measure] ?? 0);
    }
  };
  // Today so far is compared with the previous period's last day up to the same time of day, from
  // window rows: a half-finished day is not compared with a whole one. A filter's report has no
  // windows; its range covers released days only (above).
  const nowSeconds = Math.floor(options.now / 1000);
  const until =
    !source && filters.to === filters.today && filters.previous !== undefined && options.windowSeconds < DAY
      ? nowSeconds - (nowSeconds % options.windowSeconds) - filters.previousOffset * DAY
      : null;
  const comparison = await getComparison(warehouse, filters, [report], {
    ...(partial ? { days: compared.filter((day) => day < filters.from) } : {}),
    until,
  });
  // Without a comparison (a previous period partly without released figures) no previous figure
  // is read at all, so none can be shown as a change.
  const effective: Filters = comparison?.compared ? filters : { ...filters, previous: undefined };
  let sameTime: DayFigures | undefined;
  if (until !== null && effective.previous) {
    const last = effective.previous.to;
    const head: Filters = {
      ...effective,
      previous: filters.days > 1 ? { from: effective.previous.from, to: shift(last, -1) } : undefined,
    };
    for (const row of await sumReport(warehouse, report, head, { dims: [] })) add(totals[row.period], row);
    const windows = await sumReportByWindow(warehouse, report, {
      ...head,
      from: last,
      to: last,
      previous: undefined,
    });
    sameTime = sumFigures(windows.filter((row) => row.start + options.windowSeconds <= until));
    add(totals.previous, sameTime);
  } else {
    for (const row of await sumReport(warehouse, report, effective, { ...scoped, dims: [] }))
      add(totals[row.period], row);
  }
  if (filter === 'device') {
    // Orders by device: purchase actions of the device funnel, the one report split that way.
    totals.current.orders = 0;
    totals.previous.orders = 0;
    for (const row of await sumReport(warehouse, 'funnel_devices', effective, {
      where: `step = '4_purchase' AND device = {device:String}${onDays}`,
      params,
      dims: [],
    })) {
      totals[row.period].orders! += row.measures.actions ?? 0;
      // Noise mode: the device's orders carry the funnel's `actions` noise.
      const spread = totals[row.period].spread;
      if (row.spread?.actions) totals[row.period].spread = { ...spread, [DEVICE_ORDERS]: row.spread.actions };
    }
    // A period with no row of the device at all has no orders figure either, not 0 orders.
    for (const figures of [totals.current, totals.previous])
      if (figures.visitors === 0) figures.orders = undefined;
  }

  // Noise mode: each KPI's measure, whose spread gives its margin (the conversion's: its two parts').
  const pageviewsMeasure = source?.pageviews ?? 'pageviews';
  const ordersMeasure = filter === 'device' ? DEVICE_ORDERS : measureOf('orders');
  const revenueMeasure = measureOf('revenue');
  const kpi = (
    key: KpiKey,
    label: string,
    kind: Kpi['kind'],
    pick: (f: Figures) => number | null,
    hint?: string,
  ): Kpi => {
    const value = pick(totals.current);
    const previous = effective.previous ? pick(totals.previous) : null;
    const missing = value === null && filter !== undefined ? { notSplitBy: filter } : {};
    const margins = kpiMargins(key, totals, {
      pageviews: pageviewsMeasure,
      orders: ordersMeasure,
      revenue: revenueMeasure,
      conversionBase: filter === 'product' ? pageviewsMeasure : 'visitors',
      value,
      previous,
    });
    return {
      key,
      label,
      kind,
      value,
      previous,
      change: change(value, previous),
      ...margins,
      ...(hint ? { hint } : {}),
      ...missing,
    };
  };
  const kpis: Kpi[] = [
    kpi('visitors', 'Visitors', 'visitors', (f) => orNull(f.visitors), VISITORS_HINT),
    kpi('pageviews', (filter && PAGEVIEWS_LABEL[filter]) ?? 'Pageviews', 'count', (f) => orNull(f.pageviews)),
    kpi('orders', filter === 'product' ? 'Units sold' : 'Orders', 'count', (f) =>
      f.orders === undefined ? null : f.orders,
    ),
    kpi('revenue', 'Revenue', 'money', (f) => (f.revenue === undefined ? null : f.revenue)),
    filter === 'product'
      ? kpi(
          'conversion',
          'Conversion',
          'rate',
          (f) => (f.orders === undefined ? null : rate(f.orders, f.pageviews)),
          'Units sold ÷ product views',
        )
      : kpi(
          'conversion',
          'Conversion',
          'rate',
          (f) => (f.orders === undefined ? null : rate(f.orders, f.visitors)),
          'Orders ÷ visitor-days',
        ),
  ];

  const trend = await getTrend(
    warehouse,
    effective,
    report,
    {
      pageviews: source?.pageviews ?? 'pageviews',
      orders: measureOf('orders'),
      revenue: measureOf('revenue'),
    },
    scoped,
    { ...options, previousLastDay: sameTime },
  );
  const split =
    filter === 'device' || filter === 'campaign'
      ? await getOrdersSplit(warehouse, filters, released.days, filter)
      : undefined;
  const notSplitText = split && filter ? describeNotSplit(split, filter) : undefined;
  return {
    source: report,
    filter,
    notSplitBy: ignored,
    filterPending: waiting ? chosen : null,
    filterNote: chosen ? (describeFilterDays(released, chosen, context) ?? null) : null,
    breakdowns: { ...released, text: describeTables(released, context) ?? null },
    notSplit:
      split && filter && notSplitText
        ? { dimension: filter, orders: split.notSplit!, text: notSplitText }
        : null,
    kpis,
    trend,
    comparison,
  };
}

/** The spread key of a device's orders, which come from the device funnel's purchase actions. */
const DEVICE_ORDERS = 'device_orders';

/**
 * Noise mode: a KPI's margins (value, previous figure, change) from the spreads its totals add up;
 * nothing in plain mode. Conversion is a rate of two noisy figures, its change left without one.
 */
function kpiMargins(
  key: KpiKey,
  totals: { current: Figures; previous: Figures },
  m: {
    pageviews: string;
    orders: string | undefined;
    revenue: string | undefined;
    conversionBase: string;
    value: number | null;
    previous: number | null;
  },
): Pick<Kpi, 'margin' | 'previousMargin' | 'changeMargin'> {
  const measure = { visitors: 'visitors', pageviews: m.pageviews, orders: m.orders, revenue: m.revenue }[
    key as Exclude<KpiKey, 'conversion'>
  ];
  const margins: Pick<Kpi, 'margin' | 'previousMargin' | 'changeMargin'> = {};
  const set = (name: keyof typeof margins, margin: number | undefined) => {
    if (margin !== undefined && Number.isFinite(margin)) margins[name] = margin;
  };
  if (key === 'conversion') {
    for (const [name, figures] of [
      ['margin', totals.current],
      ['previousMargin', totals.previous],
    ] as const) {
      const base = m.conversionBase === 'visitors' ? figures.visitors : figures.pageviews;
      const spread = figures.spread;
      set(
        name,
        ratioMargin(
          figures.orders,
          m.orders ? spread?.[m.orders] : undefined,
          base,
          spread?.[m.conversionBase],
        ),
      );
    }
    return margins;
  }
  if (measure === undefined) return margins;
  const current = totals.current.spread?.[measure];
  const previous = totals.previous.spread?.[measure];
  if (m.value !== null) set('margin', sumMargin(current));
  if (m.previous !== null) set('previousMargin', sumMargin(previous));
  set('changeMargin', changeMargin(m.value, current, m.previous, previous));
  return margins;
}

function emptyFigures(): Figures {
  return { visitors: 0, pageviews: 0, orders: undefined, revenue: undefined };
}
