import type { Warehouse } from '../../core/warehouse/warehouse.js';
import { sumReport } from '../query/daily-rows.js';
import type { Filters } from '../query/filters.js';
import { addSpreads, type Spreads } from '../query/noise-spread.js';
import { isOther, pageTypeLabel, slotLabel } from './labels.js';
import { marginCells, shareMargin, sumMarginCells } from './margins.js';
import { rate, type Table, visitorsColumn } from './table.js';

/**
 * Clicks on page slots by position, per page type, and each position's share of its page type's
 * clicks. Page type is kept at every level of the slots ladder, so a page type's rows (exact,
 * "other positions" and "other slots") add up to all its clicks.
 */
export async function getSlotClicks(
  warehouse: Warehouse,
  filters: Filters,
): Promise<Table & { pageTypes: string[] }> {
  const scoped = filters.pageType
    ? { where: 'page_type = {pageType:String}', params: { pageType: filters.pageType } }
    : {};
  const rows = (await sumReport(warehouse, 'slots', filters, scoped)).filter(
    (row) => row.period === 'current',
  );
  const totals = new Map<string, number>();
  const totalSpreads = new Map<string, Spreads | undefined>();
  for (const row of rows) {
    const pageType = row.dims.page_type ?? '';
    totals.set(pageType, (totals.get(pageType) ?? 0) + (row.measures.clicks ?? 0));
    totalSpreads.set(pageType, addSpreads(totalSpreads.get(pageType), row.spread));
  }
  const pageTypes = [...totals.entries()].sort((a, b) => b[1] - a[1]).map(([pageType]) => pageType);
  const order = (pageType: string) => pageTypes.indexOf(pageType);
  const position = (value: string | undefined) =>
    value === undefined || isOther(value) ? 1e9 : Number(value);
  rows.sort(
    (a, b) =>
      order(a.dims.page_type ?? '') - order(b.dims.page_type ?? '') ||
      a.level - b.level ||
      (a.dims.slot ?? '').localeCompare(b.dims.slot ?? '') ||
      position(a.dims.position) - position(b.dims.position),
  );
  return {
    pageTypes: pageTypes.map(pageTypeLabel),
    columns: [
      { key: 'page_type', label: 'Page type', kind: 'text' },
      { key: 'slot_label', label: 'Slot and position', kind: 'text' },
      { key: 'clicks', label: 'Clicks', kind: 'count' },
      { key: 'share', label: 'Share of clicks', kind: 'rate', hint: "Share of the page type's slot clicks" },
      visitorsColumn(),
    ],
    rows: rows.map((row) => ({
      level: row.level,
      page_type: pageTypeLabel(row.dims.page_type ?? ''),
      slot: isOther(row.dims.slot) ? null : (row.dims.slot ?? null),
      position: isOther(row.dims.position) ? null : (row.dims.position ?? null),
      slot_label: slotLabel(row.dims.slot ?? '', row.dims.position ?? ''),
      clicks: row.measures.clicks ?? 0,
      share: rate(row.measures.clicks, totals.get(row.dims.page_type ?? '')),
      visitors: row.visitors,
      ...sumMarginCells(row.spread, { clicks: 'clicks', visitors: 'visitors' }),
      ...marginCells({
        share: shareMargin(
          row.measures.clicks,
          row.spread?.clicks,
          totals.get(row.dims.page_type ?? ''),
          totalSpreads.get(row.dims.page_type ?? '')?.clicks,
        ),
      }),
    })),
  };
}
