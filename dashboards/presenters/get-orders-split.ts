import type { Warehouse } from '../../core/warehouse/warehouse.js';
import { sumReport } from '../query/daily-rows.js';
import type { Filters } from '../query/filters.js';
import type { ReleasedDays } from '../query/released-days.js';
import { type DayContext, describeDays } from './day-notes.js';

/**
 * The orders of a range's released days, and how many of them a breakdown splits: the device
 * funnel's purchases or the campaigns' orders. The release keeps each report linked to the site
 * totals: the orders no published row holds are none, or stand for K visitors or more
 * (docs/privacy.md, "Linked reports"), so "42 orders are in groups too small to split by device"
 * can be said and is never a small group's figure.
 */
export interface OrdersSplit {
  /** The released days the figures cover (breakdowns have nothing for the others yet). */
  days: string[];
  /** The site's orders on those days (the overview's), or null when none is released. */
  total: number | null;
  /** The orders the breakdown's published rows hold on those days. */
  split: number;
  /** total − split: orders in groups too small to split this way, or null without a total. */
  notSplit: number | null;
  /** Visitor-days of the breakdown's rows (for the device funnel: shoppers who bought); null without rows. */
  visitors: number | null;
}

const BY = {
  device: { report: 'funnel_devices', orders: 'actions', where: "step = '4_purchase'" },
  campaign: { report: 'campaigns', orders: 'orders', where: '1' },
} as const;

export async function getOrdersSplit(
  warehouse: Warehouse,
  filters: Filters,
  days: readonly string[],
  by: keyof typeof BY,
  options: { device?: string } = {},
): Promise<OrdersSplit> {
  if (days.length === 0) return { days: [], total: null, split: 0, notSplit: null, visitors: null };
  const source = BY[by];
  const onDays = {
    where: 'day IN {releasedDays:Array(Date)}',
    params: { releasedDays: [...days] },
    dims: [],
  };
  const device = options.device ? ' AND device = {device:String}' : '';
  const [overview, parts] = await Promise.all([
    sumReport(warehouse, 'overview', filters, onDays),
    sumReport(warehouse, source.report, filters, {
      ...onDays,
      where: `${source.where}${device} AND ${onDays.where}`,
      params: { ...onDays.params, device: options.device },
    }),
  ]);
  const current = (rows: typeof parts) => rows.filter((row) => row.period === 'current');
  const total = current(overview).reduce((sum, row) => sum + (row.measures.orders ?? 0), 0);
  const split = current(parts).reduce((sum, row) => sum + (row.measures[source.orders] ?? 0), 0);
  const visitors = current(parts).reduce((sum, row) => sum + row.visitors, 0);
  const hasTotal = current(overview).length > 0;
  return {
    days: [...days],
    total: hasTotal ? total : null,
    split,
    notSplit: hasTotal ? Math.max(0, total - split) : null,
    // Published rows never sum to 0 visitors: 0 means no row, said as null like every figure.
    visitors: visitors > 0 ? visitors : null,
  };
}

const n = (value: number) => value.toLocaleString('en');

/** The funnel's note: "Bought" counts shoppers, the overview counts orders; and what is not split. */
export function describeFunnelOrders(
  split: OrdersSplit,
  released: ReleasedDays,
  context: DayContext & { device?: string },
): string | undefined {
  if (split.days.length === 0 || split.total === null || split.visitors === null) return undefined;
  const days = describeDays(split.days, context.today);
  if (context.device)
    return `Bought counts shoppers, not orders: ${n(split.visitors)} shoppers on ${context.device} placed ${n(split.split)} orders over ${days}.`;
  const parts = [
    `Bought counts shoppers, not orders: ${n(split.visitors)} shoppers placed the ${n(split.total)} orders of ${days}.`,
  ];
  if (split.notSplit)
    parts.push(
      `${n(split.notSplit)} of these orders are in groups too small to split by device, so the devices add up to ${n(split.split)}.`,
    );
  if (released.pending.length > 0)
    parts.push(
      `The overview also counts the orders of ${describeDays(released.pending, context.today)} so far.`,
    );
  return parts.join(' ');
}

/** The overview's note under a device or campaign filter: the orders no row of it holds. */
export function describeNotSplit(split: OrdersSplit, dimension: string): string | undefined {
  if (!split.notSplit) return undefined;
  return `${n(split.notSplit)} orders of these days are in groups too small to split by ${dimension}: they count in the totals, in no ${dimension}.`;
}
