import type { Warehouse } from '../../core/warehouse/warehouse.js';
import type { ProductDetails } from '../catalog/product-details.js';
import type { Filters } from '../query/filters.js';
import type { Spread } from '../query/noise-spread.js';
import { getProductFigures, PRODUCT_VIEWS } from './get-top-products.js';
import { categoryLabel } from './labels.js';
import { changeMargin, marginCells, sumMargin } from './margins.js';
import { type NamedShare, namedShare } from './named-share.js';
import { PRODUCT_DETAIL_COLUMNS, productCells } from './product-cells.js';
import { change, type Table, type TableRow } from './table.js';

/**
 * Products whose views rose or fell most against the previous period. Only named products
 * (level 0) take part: an "Other products" row changes when products move in or out of it, which
 * says nothing about a product. A product absent from one period had no published row then
 * (fewer than K visitors, or no views), shown as "—", never as 0.
 */
export async function getProductMovers(
  warehouse: Warehouse,
  filters: Filters,
  options: { limit?: number } = {},
): Promise<Table & { named: NamedShare }> {
  const limit = options.limit ?? 5;
  const columns: Table['columns'] = [
    { key: 'direction', label: 'Trend', kind: 'text' },
    { key: 'product', label: 'Product', kind: 'text' },
    { key: 'category', label: 'Category', kind: 'text' },
    { key: 'views', label: 'Views', kind: 'count' },
    { key: 'previous_views', label: 'Previous views', kind: 'count' },
    { key: 'views_change', label: 'Change', kind: 'change' },
    ...PRODUCT_DETAIL_COLUMNS,
  ];
  const { current, previous } = await getProductFigures(warehouse, filters);
  // Movers are named products only; the share in named rows is that of all products.
  const named = namedShare(current, PRODUCT_VIEWS, (product) => product.views);
  if (!filters.previous) return { columns, rows: [], named };
  const byKey = new Map<
    string,
    {
      productId: string;
      category: string;
      views: number | null;
      previous: number | null;
      details: ProductDetails | undefined;
      /** Noise mode: the views' noise in each period. */
      spread?: Spread | undefined;
      previousSpread?: Spread | undefined;
    }
  >();
  const key = (productId: string, category: string) => JSON.stringify([productId, category]);
  for (const product of current.filter((row) => row.level === 0)) {
    byKey.set(key(product.productId, product.category), {
      productId: product.productId,
      category: product.category,
      views: product.views,
      previous: null,
      details: product.details,
      spread: product.spread?.views,
    });
  }
  for (const product of previous.filter((row) => row.level === 0)) {
    const entry = byKey.get(key(product.productId, product.category)) ?? {
      productId: product.productId,
      category: product.category,
      views: null,
      previous: null,
      details: product.details,
    };
    entry.previous = product.views;
    entry.previousSpread = product.spread?.views;
    byKey.set(key(product.productId, product.category), entry);
  }
  const delta = (entry: { views: number | null; previous: number | null }) =>
    (entry.views ?? 0) - (entry.previous ?? 0);
  const entries = [...byKey.values()];
  const toRow = (direction: string, entry: (typeof entries)[number]): TableRow => ({
    level: 0,
    direction,
    ...productCells(entry.productId, entry.category, entry.details),
    category: categoryLabel(entry.category),
    views: entry.views,
    previous_views: entry.previous,
    views_change: change(entry.views, entry.previous),
    ...marginCells({
      views: entry.views === null ? undefined : sumMargin(entry.spread),
      previous_views: entry.previous === null ? undefined : sumMargin(entry.previousSpread),
      views_change: changeMargin(entry.views, entry.spread, entry.previous, entry.previousSpread),
    }),
  });
  const rising = entries
    .filter((entry) => delta(entry) > 0)
    .sort((a, b) => delta(b) - delta(a))
    .slice(0, limit);
  const falling = entries
    .filter((entry) => delta(entry) < 0)
    .sort((a, b) => delta(a) - delta(b))
    .slice(0, limit);
  return {
    columns,
    named,
    rows: [
      ...rising.map((entry) => toRow('rising', entry)),
      ...falling.map((entry) => toRow('falling', entry)),
    ],
  };
}
