import type { Warehouse } from '../../core/warehouse/warehouse.js';
import { sumReport } from '../query/daily-rows.js';
import type { Filters } from '../query/filters.js';
import { isOther, referrerLabel } from './labels.js';
import { marginCells, shareMargin, sumMarginCells, totalSpread } from './margins.js';
import { rate, sortBy, type Table, visitorsColumn } from './table.js';

/**
 * Where visits come from: the referring host, or (direct); with a source filter, that source's row.
 * `referrer` carries the raw host, which a click on the row filters by.
 */
export async function getReferrers(warehouse: Warehouse, filters: Filters): Promise<Table> {
  const scoped = filters.source
    ? { where: 'referrer = {source:String}', params: { source: filters.source } }
    : {};
  const rows = (await sumReport(warehouse, 'referrers', filters, scoped)).filter(
    (row) => row.period === 'current',
  );
  const total = rows.reduce((sum, row) => sum + (row.measures.entries ?? 0), 0);
  const spreadOfTotal = totalSpread(rows, 'entries');
  return {
    columns: [
      { key: 'source', label: 'Source', kind: 'text' },
      { key: 'entries', label: 'Visits', kind: 'count' },
      { key: 'share', label: 'Share', kind: 'rate' },
      visitorsColumn(),
    ],
    rows: sortBy(rows, (row) => row.measures.entries ?? 0).map((row) => ({
      level: row.level,
      source: referrerLabel(row.dims.referrer ?? ''),
      referrer: isOther(row.dims.referrer) ? null : (row.dims.referrer ?? null),
      entries: row.measures.entries ?? 0,
      share: rate(row.measures.entries, total),
      visitors: row.visitors,
      ...sumMarginCells(row.spread, { entries: 'entries', visitors: 'visitors' }),
      ...marginCells({ share: shareMargin(row.measures.entries, row.spread?.entries, total, spreadOfTotal) }),
    })),
  };
}
