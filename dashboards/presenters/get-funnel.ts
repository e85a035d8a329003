import type { Warehouse } from '../../core/warehouse/warehouse.js';
import { OTHER } from '../../schema/reports.js';
import { sumReport } from '../query/daily-rows.js';
import type { Filters } from '../query/filters.js';
import { addSpreads, type Spreads } from '../query/noise-spread.js';
import { categoryLabel, deviceLabel } from './labels.js';
import { marginCells, ratioMargin, sumMargin, sumMarginCells, unsuffixed } from './margins.js';
import { type Column, rate, type Table, type TableRow, VISITORS_HINT } from './table.js';

export const FUNNEL_STEPS = [
  { step: '1_view', key: 'view', label: 'Viewed a product', short: 'Viewed' },
  { step: '2_cart', key: 'cart', label: 'Added to cart', short: 'Carted' },
  { step: '3_checkout', key: 'checkout', label: 'Started checkout', short: 'Checkout' },
  { step: '4_purchase', key: 'purchase', label: 'Bought', short: 'Bought' },
] as const;

export interface FunnelStep {
  step: string;
  label: string;
  /** Visitor-days who took the step (sum of published rows), or null when none was published. */
  visitors: number | null;
  actions: number;
  /** Share of the previous step's visitors, and of the first step's. */
  fromPrevious: number | null;
  fromStart: number | null;
  /** Noise mode: the ± margins (95 %) of visitors, actions and the two shares; absent in plain mode. */
  margins?: Record<string, number>;
}

export interface Funnel {
  steps: FunnelStep[];
  table: Table;
}

/**
 * The shopping funnel (product view → add to cart → checkout → purchase) as distinct visitors per
 * step, overall and per category (report funnel_categories) or device class (funnel_devices). A
 * group missing at a step had no published row there (fewer than K visitors): shown as "—".
 */
export async function getFunnel(
  warehouse: Warehouse,
  filters: Filters,
  by: 'categories' | 'devices',
): Promise<Funnel> {
  const dimension = by === 'categories' ? 'category' : 'device';
  const byDevice = filters.device
    ? { where: 'device = {device:String}', params: { device: filters.device } }
    : {};
  const deviceRows = (await sumReport(warehouse, 'funnel_devices', filters, byDevice)).filter(
    (row) => row.period === 'current',
  );
  const rows =
    by === 'devices'
      ? deviceRows
      : (await sumReport(warehouse, 'funnel_categories', filters)).filter((row) => row.period === 'current');
  // Step totals come from the device funnel: a shopper has one device class, so its groups do not
  // overlap, while one shopper can view products of two categories.
  const totals = new Map<string, { visitors: number; actions: number; spread?: Spreads }>();
  for (const row of deviceRows) {
    const step = row.dims.step ?? '';
    const total = totals.get(step) ?? { visitors: 0, actions: 0 };
    total.visitors += row.visitors;
    total.actions += row.measures.actions ?? 0;
    total.spread = addSpreads(total.spread, row.spread);
    totals.set(step, total);
  }
  const groups = new Map<
    string,
    { level: number; byStep: Map<string, number>; orders: number; spreads: Map<string, Spreads | undefined> }
  >();
  for (const row of rows) {
    const step = row.dims.step ?? '';
    const value = row.dims[dimension] ?? '';
    const group = groups.get(value) ?? {
      level: value === OTHER ? 1 : 0,
      byStep: new Map(),
      orders: 0,
      spreads: new Map(),
    };
    group.byStep.set(step, (group.byStep.get(step) ?? 0) + row.visitors);
    group.spreads.set(step, addSpreads(group.spreads.get(step), row.spread));
    // A purchase is one action of the last step: the group's orders, next to its buyers.
    if (step === '4_purchase') group.orders += row.measures.actions ?? 0;
    groups.set(value, group);
  }
  const first = totals.get('1_view')?.visitors;
  const firstSpread = totals.get('1_view')?.spread?.visitors;
  const steps = FUNNEL_STEPS.map(({ step, label }, index): FunnelStep => {
    const visitors = totals.get(step)?.visitors ?? null;
    const before = index === 0 ? null : (totals.get(FUNNEL_STEPS[index - 1]!.step)?.visitors ?? null);
    const spread = totals.get(step)?.spread;
    const margins = {
      ...sumMarginCells(spread, { visitors: 'visitors', actions: 'actions' }),
      ...marginCells({
        fromPrevious:
          index === 0
            ? undefined
            : ratioMargin(
                visitors,
                spread?.visitors,
                before,
                totals.get(FUNNEL_STEPS[index - 1]!.step)?.spread?.visitors,
              ),
        fromStart: index === 0 ? undefined : ratioMargin(visitors, spread?.visitors, first, firstSpread),
      }),
    };
    return {
      step,
      label,
      visitors,
      actions: totals.get(step)?.actions ?? 0,
      fromPrevious: index === 0 ? (visitors === null ? null : 1) : rate(visitors, before),
      fromStart: rate(visitors, first),
      ...(Object.keys(margins).length > 0 ? { margins: unsuffixed(margins) } : {}),
    };
  });
  const label = by === 'categories' ? categoryLabel : deviceLabel;
  const columns: Column[] = [
    { key: 'group', label: by === 'categories' ? 'Category' : 'Device', kind: 'text' },
    ...FUNNEL_STEPS.map(
      ({ key, label: stepLabel, short }): Column => ({
        key: `${key}_visitors`,
        label: short,
        kind: 'visitors',
        hint: `${stepLabel}. ${VISITORS_HINT}`,
      }),
    ),
    {
      key: 'orders',
      label: 'Orders',
      kind: 'count',
      hint:
        by === 'categories'
          ? 'Orders with products of the category: an order of two categories counts in both'
          : 'Orders placed: a shopper who bought twice counts once in Bought and twice here',
    },
    {
      key: 'conversion',
      label: 'View → buy',
      kind: 'rate',
      hint: 'Visitors who bought ÷ visitors who viewed a product',
    },
  ];
  const tableRows = [...groups.entries()]
    .sort(
      (a, b) =>
        a[1].level - b[1].level || (b[1].byStep.get('1_view') ?? 0) - (a[1].byStep.get('1_view') ?? 0),
    )
    .map(([value, group]): TableRow => {
      const row: TableRow = { level: group.level, group: label(value) };
      for (const { step, key } of FUNNEL_STEPS) row[`${key}_visitors`] = group.byStep.get(step) ?? null;
      row.orders = group.byStep.has('4_purchase') ? group.orders : null;
      row.conversion = rate(group.byStep.get('4_purchase'), group.byStep.get('1_view'));
      // Noise mode: each step's visitors, the orders and the conversion carry their margins.
      const bought = group.spreads.get('4_purchase');
      Object.assign(
        row,
        marginCells({
          ...Object.fromEntries(
            FUNNEL_STEPS.map(({ step, key }) => [
              `${key}_visitors`,
              sumMargin(group.spreads.get(step)?.visitors),
            ]),
          ),
          orders: row.orders === null ? undefined : sumMargin(bought?.actions),
          conversion: ratioMargin(
            group.byStep.get('4_purchase'),
            bought?.visitors,
            group.byStep.get('1_view'),
            group.spreads.get('1_view')?.visitors,
          ),
        }),
      );
      return row;
    });
  return { steps, table: { columns, rows: tableRows } };
}
