import type { Warehouse } from '../../core/warehouse/warehouse.js';
import { sumReport } from '../query/daily-rows.js';
import type { Filters } from '../query/filters.js';
import { isOther, pageLabel, pageTypeLabel } from './labels.js';
import { sumMarginCells } from './margins.js';
import { sortBy, type Table, visitorsColumn } from './table.js';

/** Pages by page views, with visits that started on them. */
export async function getTopPages(warehouse: Warehouse, filters: Filters): Promise<Table> {
  const rows = (await sumReport(warehouse, 'pages', filters)).filter((row) => row.period === 'current');
  return {
    columns: [
      { key: 'page', label: 'Page', kind: 'text' },
      { key: 'page_type', label: 'Page type', kind: 'text' },
      { key: 'pageviews', label: 'Pageviews', kind: 'count' },
      { key: 'entries', label: 'Entrances', kind: 'count', hint: 'Visits that started on this page' },
      visitorsColumn(),
    ],
    rows: sortBy(rows, (row) => row.measures.pageviews ?? 0).map((row) => ({
      level: row.level,
      page: pageLabel(row.dims.path ?? '', row.dims.page_type ?? ''),
      page_type: isOther(row.dims.page_type) ? '' : pageTypeLabel(row.dims.page_type ?? ''),
      pageviews: row.measures.pageviews ?? 0,
      entries: row.measures.entries ?? 0,
      visitors: row.visitors,
      ...sumMarginCells(row.spread, { pageviews: 'pageviews', entries: 'entries', visitors: 'visitors' }),
    })),
  };
}
