import type { Warehouse } from '../../core/warehouse/warehouse.js';
import { sumReport } from '../query/daily-rows.js';
import type { Filters } from '../query/filters.js';
import { countryLabel, isOther } from './labels.js';
import { marginCells, shareMargin, sumMarginCells, totalSpread } from './margins.js';
import { rate, sortBy, type Table, visitorsColumn } from './table.js';

/** Page views by country (looked up offline at ingest; the IP is never kept). */
export async function getCountries(warehouse: Warehouse, filters: Filters): Promise<Table> {
  const scoped = filters.country
    ? { where: 'country = {country:String}', params: { country: filters.country } }
    : {};
  const rows = (await sumReport(warehouse, 'countries', filters, scoped)).filter(
    (row) => row.period === 'current',
  );
  const total = rows.reduce((sum, row) => sum + (row.measures.pageviews ?? 0), 0);
  const spreadOfTotal = totalSpread(rows, 'pageviews');
  return {
    columns: [
      { key: 'country', label: 'Country', kind: 'text' },
      { key: 'pageviews', label: 'Pageviews', kind: 'count' },
      { key: 'share', label: 'Share', kind: 'rate' },
      visitorsColumn(),
    ],
    rows: sortBy(rows, (row) => row.measures.pageviews ?? 0).map((row) => ({
      level: row.level,
      country: countryLabel(row.dims.country ?? ''),
      code: isOther(row.dims.country) ? null : (row.dims.country ?? null),
      pageviews: row.measures.pageviews ?? 0,
      share: rate(row.measures.pageviews, total),
      visitors: row.visitors,
      ...sumMarginCells(row.spread, { pageviews: 'pageviews', visitors: 'visitors' }),
      ...marginCells({
        share: shareMargin(row.measures.pageviews, row.spread?.pageviews, total, spreadOfTotal),
      }),
    })),
  };
}
