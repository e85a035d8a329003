import type { Warehouse } from '../../core/warehouse/warehouse.js';
import type { ReportName } from '../../schema/reports.js';
import { sumReportByDay, sumReportByWindow } from '../query/daily-rows.js';
import type { Filters } from '../query/filters.js';
import type { Spreads } from '../query/noise-spread.js';
import { sumMarginCells, unsuffixed } from './margins.js';
import { orNull } from './table.js';

export interface TrendPoint {
  /** Unix seconds of the day or window start. */
  t: number;
  visitors: number | null;
  pageviews: number | null;
  orders: number | null;
  revenue: number | null;
  /** Noise mode: the ± margin (95 %) of each figure of the point, by figure; absent in plain mode. */
  margins?: Record<string, number>;
}

export interface Trend {
  grain: 'day' | 'window';
  points: TrendPoint[];
  previous: TrendPoint[];
}

const DAY = 86_400;

const dayStart = (date: string) => Date.parse(`${date}T00:00:00Z`) / 1000;

/**
 * The overview's trend: one point per day of the range, or per release window for a one-day
 * range, with the previous period aligned point by point. A day or window without a released row
 * is a gap (null), never 0. Without a previous period (comparison off, or not comparable) there is
 * no previous series at all.
 */
export async function getTrend(
  warehouse: Warehouse,
  filters: Filters,
  report: ReportName,
  {
    pageviews,
    orders,
    revenue,
  }: { pageviews: string; orders: string | undefined; revenue: string | undefined },
  scoped: { where?: string; params?: Record<string, unknown> },
  options: {
    windowSeconds: number;
    /** The previous period's last day up to the same time of day, beside today so far. */
    previousLastDay?: { measures: Record<string, number>; visitors: number } | undefined;
  },
): Promise<Trend> {
  // Noise mode: each figure's margin, for the tooltip; a measure the report lacks has none.
  const figures = {
    visitors: 'visitors',
    pageviews,
    ...(orders ? { orders } : {}),
    ...(revenue ? { revenue } : {}),
  };
  const point = (
    t: number,
    row?: { measures: Record<string, number>; visitors: number; spread?: Spreads },
  ): TrendPoint => {
    const margins = sumMarginCells(row?.spread, figures);
    return {
      t,
      visitors: row ? orNull(row.visitors) : null,
      pageviews: row ? orNull(row.measures[pageviews]) : null,
      orders: row && orders ? (row.measures[orders] ?? 0) : null,
      revenue: row && revenue ? (row.measures[revenue] ?? 0) : null,
      ...(Object.keys(margins).length > 0 ? { margins: unsuffixed(margins) } : {}),
    };
  };
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
      // The previous period's window at the same time of day (the day before, or a year before).
      if (previousFrom !== undefined) previous.push(point(t, byStart.get(t - (from - previousFrom))));
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
  if (options.previousLastDay && previous.length > 0)
    previous[previous.length - 1] = point(previous.at(-1)!.t, options.previousLastDay);
  return { grain: 'day', points, previous };
}
