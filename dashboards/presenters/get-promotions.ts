import type { Warehouse } from '../../core/warehouse/warehouse.js';
import { OTHER } from '../../schema/reports.js';
import { sumReport } from '../query/daily-rows.js';
import type { Filters } from '../query/filters.js';
import { addSpreads, type Spreads } from '../query/noise-spread.js';
import { isOther, named, promotionLabel } from './labels.js';
import { marginCells, ratioMargin, sumMarginCells } from './margins.js';
import { rate, sortBy, type Table, visitorsColumn } from './table.js';

/** Noise mode: the margins of a promotion row's figures; click-through is a rate of two noisy counts. */
function promotionMargins(
  figures: { impressions?: number; clicks?: number },
  spread: Spreads | undefined,
): Record<string, number> {
  return {
    ...sumMarginCells(spread, { impressions: 'impressions', clicks: 'clicks', visitors: 'visitors' }),
    ...marginCells({
      ctr: ratioMargin(figures.clicks, spread?.clicks, figures.impressions, spread?.impressions),
    }),
  };
}

const CTR_HINT = 'Clicks ÷ impressions (a promotion counts as seen when half of it was visible)';

/** Promotions by impressions, with clicks and click-through. */
export async function getPromotions(warehouse: Warehouse, filters: Filters): Promise<Table> {
  const rows = (await sumReport(warehouse, 'promotions', filters)).filter((row) => row.period === 'current');
  return {
    columns: [
      { key: 'promotion', label: 'Promotion', kind: 'text' },
      { key: 'slot', label: 'Slot', kind: 'text' },
      { key: 'impressions', label: 'Impressions', kind: 'count' },
      { key: 'clicks', label: 'Clicks', kind: 'count' },
      { key: 'ctr', label: 'Click-through', kind: 'rate', hint: CTR_HINT },
      visitorsColumn(),
    ],
    rows: sortBy(rows, (row) => row.measures.impressions ?? 0).map((row) => ({
      level: row.level,
      promotion: promotionLabel(row.dims.promo ?? '', row.dims.slot ?? ''),
      slot: isOther(row.dims.slot) ? 'Other slots' : named(row.dims.slot ?? '', 'Unnamed slot'),
      impressions: row.measures.impressions ?? 0,
      clicks: row.measures.clicks ?? 0,
      ctr: rate(row.measures.clicks, row.measures.impressions),
      visitors: row.visitors,
      ...promotionMargins(row.measures, row.spread),
    })),
  };
}

/** Promotion impressions, clicks and click-through per slot (all promotions of a slot summed). */
export async function getPromotionSlots(warehouse: Warehouse, filters: Filters): Promise<Table> {
  const bySlot = new Map<
    string,
    { impressions: number; clicks: number; visitors: number; spread?: Spreads }
  >();
  for (const row of await sumReport(warehouse, 'promotions', filters, { dims: ['slot'] })) {
    if (row.period !== 'current') continue;
    const slot = row.dims.slot ?? '';
    const sums = bySlot.get(slot) ?? { impressions: 0, clicks: 0, visitors: 0 };
    sums.impressions += row.measures.impressions ?? 0;
    sums.clicks += row.measures.clicks ?? 0;
    sums.visitors += row.visitors;
    sums.spread = addSpreads(sums.spread, row.spread);
    bySlot.set(slot, sums);
  }
  return {
    columns: [
      { key: 'slot', label: 'Slot', kind: 'text' },
      { key: 'impressions', label: 'Impressions', kind: 'count' },
      { key: 'clicks', label: 'Clicks', kind: 'count' },
      { key: 'ctr', label: 'Click-through', kind: 'rate', hint: CTR_HINT },
      { ...visitorsColumn(), hint: "Each promotion's visitor-days added up per slot." },
    ],
    rows: sortBy([...bySlot.entries()], ([, sums]) => rate(sums.clicks, sums.impressions)).map(
      ([slot, sums]) => ({
        level: slot === OTHER ? 2 : 0,
        slot: slot === OTHER ? 'Other slots' : named(slot, 'Unnamed slot'),
        impressions: sums.impressions,
        clicks: sums.clicks,
        ctr: rate(sums.clicks, sums.impressions),
        visitors: sums.visitors,
        ...promotionMargins(sums, sums.spread),
      }),
    ),
  };
}
