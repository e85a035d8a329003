import type { Warehouse } from '../../core/warehouse/warehouse.js';
import { OTHER } from '../../schema/reports.js';
import { sumReport } from '../query/daily-rows.js';
import type { Filters } from '../query/filters.js';
import { addSpreads, type Spreads } from '../query/noise-spread.js';
import { pageTypeLabel } from './labels.js';
import { marginCells, ratioMargin, sumMarginCells } from './margins.js';
import { rate, type Table, visitorsColumn } from './table.js';

/**
 * How far down each page type is read: page views that reached 25, 50, 75 and 100 % of the page,
 * and their share of the page type's page views (from the pages report; shown at most 100 %,
 * since the two reports generalise separately). Viewport classes are summed per page type.
 */
export async function getScrollDepth(warehouse: Warehouse, filters: Filters): Promise<Table> {
  const scoped = filters.pageType
    ? { where: 'page_type = {pageType:String}', params: { pageType: filters.pageType } }
    : {};
  const [scroll, pages] = await Promise.all([
    sumReport(warehouse, 'scroll', filters, { ...scoped, dims: ['page_type', 'depth'] }),
    sumReport(warehouse, 'pages', filters, { ...scoped, dims: ['page_type'] }),
  ]);
  const pageviews = new Map<string, number>();
  const pageviewSpreads = new Map<string, Spreads | undefined>();
  for (const row of pages.filter((row) => row.period === 'current')) {
    const pageType = row.dims.page_type ?? '';
    pageviews.set(pageType, (pageviews.get(pageType) ?? 0) + (row.measures.pageviews ?? 0));
    pageviewSpreads.set(pageType, addSpreads(pageviewSpreads.get(pageType), row.spread));
  }
  const cells = new Map<
    string,
    { pageType: string; depth: string; reached: number; visitors: number; level: number; spread?: Spreads }
  >();
  for (const row of scroll.filter((row) => row.period === 'current')) {
    const pageType = row.dims.page_type ?? '';
    const depth = row.dims.depth ?? '';
    const key = `${pageType}|${depth}`;
    const cell = cells.get(key) ?? {
      pageType,
      depth,
      reached: 0,
      visitors: 0,
      level: pageType === OTHER ? 2 : 0,
    };
    cell.reached += row.measures.reached ?? 0;
    cell.visitors += row.visitors;
    cell.spread = addSpreads(cell.spread, row.spread);
    cells.set(key, cell);
  }
  const rows = [...cells.values()].sort(
    (a, b) =>
      (pageviews.get(b.pageType) ?? 0) - (pageviews.get(a.pageType) ?? 0) ||
      Number(a.depth) - Number(b.depth),
  );
  return {
    columns: [
      { key: 'page_type', label: 'Page type', kind: 'text' },
      { key: 'depth', label: 'Depth reached', kind: 'text' },
      { key: 'reached', label: 'Page views', kind: 'count' },
      { key: 'share', label: 'Share of page views', kind: 'rate' },
      visitorsColumn(),
    ],
    rows: rows.map((cell) => {
      const share = rate(cell.reached, pageviews.get(cell.pageType));
      return {
        level: cell.level,
        page_type: pageTypeLabel(cell.pageType),
        depth: `${cell.depth}%`,
        reached: cell.reached,
        share: share === null ? null : Math.min(1, share),
        visitors: cell.visitors,
        ...sumMarginCells(cell.spread, { reached: 'reached', visitors: 'visitors' }),
        ...marginCells({
          share: ratioMargin(
            cell.reached,
            cell.spread?.reached,
            pageviews.get(cell.pageType),
            pageviewSpreads.get(cell.pageType)?.pageviews,
          ),
        }),
      };
    }),
  };
}
