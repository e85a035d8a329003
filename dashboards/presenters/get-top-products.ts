import type { Warehouse } from '../../core/warehouse/warehouse.js';
import { type ProductDetails, productDetails } from '../catalog/product-details.js';
import { type GroupSums, sumReport } from '../query/daily-rows.js';
import type { Filters } from '../query/filters.js';
import type { Spreads } from '../query/noise-spread.js';
import { categoryLabel, isOther } from './labels.js';
import { changeMargin, marginCells, ratioMargin, sumMarginCells } from './margins.js';
import type { NamedSpec } from './named-share.js';
import { PRODUCT_DETAIL_COLUMNS, productCells } from './product-cells.js';
import { change, orNull, rate, sortBy, type Table, type TableRow, visitorsColumn } from './table.js';

export interface ProductFigures {
  productId: string;
  category: string;
  level: number;
  views: number;
  addToCarts: number;
  purchased: number;
  revenue: number;
  visitors: number;
  previousViews: number | null;
  /** Noise mode: the noise of the figures (the report's measure names, and `visitors`), and of previousViews. */
  spread?: Spreads;
  previousSpread?: Spreads;
  /** Title, picture, link and availability from the site's product feed, when it has the product. */
  details?: ProductDetails;
}

/**
 * Product groups of the range, each with last period's views for the same group, and the groups
 * of the previous period (a product may have dropped out since); with a product filter, that
 * product's rows only. Named products carry what the
 * site's product feed says of them; the feed only names rows, it never adds, splits or hides one.
 */
export async function getProductFigures(
  warehouse: Warehouse,
  filters: Filters,
): Promise<{ current: ProductFigures[]; previous: ProductFigures[] }> {
  // A product filter keeps its own rows (level 0): a generalised row never names it.
  const scoped = filters.product
    ? { where: 'product_id = {product:String}', params: { product: filters.product } }
    : {};
  const rows = await sumReport(warehouse, 'products', filters, scoped);
  const key = (row: GroupSums) => JSON.stringify([row.level, row.dims.product_id, row.dims.category]);
  const previousRows = rows.filter((row) => row.period === 'previous');
  const previous = new Map(previousRows.map((row) => [key(row), row]));
  const named = rows.flatMap((row) => (isOther(row.dims.product_id) ? [] : [row.dims.product_id ?? '']));
  const details = await productDetails(warehouse, filters.site, named);
  const toFigures = (
    row: GroupSums,
    previousViews: number | null,
    previousSpread?: Spreads,
  ): ProductFigures => ({
    productId: row.dims.product_id ?? '',
    category: row.dims.category ?? '',
    level: row.level,
    views: row.measures.views ?? 0,
    addToCarts: row.measures.add_to_carts ?? 0,
    purchased: row.measures.purchased_units ?? 0,
    revenue: row.measures.item_revenue_cents ?? 0,
    visitors: row.visitors,
    previousViews,
    details: isOther(row.dims.product_id) ? undefined : details.get(row.dims.product_id ?? ''),
    ...(row.spread ? { spread: row.spread } : {}),
    ...(previousSpread ? { previousSpread } : {}),
  });
  return {
    current: rows
      .filter((row) => row.period === 'current')
      .map((row) =>
        filters.previous
          ? toFigures(row, orNull(previous.get(key(row))?.measures.views), previous.get(key(row))?.spread)
          : toFigures(row, null),
      ),
    previous: previousRows.map((row) => toFigures(row, null)),
  };
}

/** What the product lists' named share is of: product views. */
export const PRODUCT_VIEWS: NamedSpec = { measure: 'views', label: 'product views' };

export const PRODUCT_COLUMNS: Table['columns'] = [
  { key: 'product', label: 'Product', kind: 'text' },
  { key: 'category', label: 'Category', kind: 'text' },
  { key: 'views', label: 'Views', kind: 'count' },
  {
    key: 'views_change',
    label: 'vs previous',
    kind: 'change',
    hint: 'Change in views against the previous period',
  },
  { key: 'add_to_carts', label: 'Add to cart', kind: 'count' },
  { key: 'cart_rate', label: 'Cart rate', kind: 'rate', hint: 'Add-to-cart actions ÷ product views' },
  { key: 'purchased', label: 'Units sold', kind: 'count' },
  { key: 'conversion', label: 'Conversion', kind: 'rate', hint: 'Units sold ÷ product views' },
  { key: 'revenue', label: 'Revenue', kind: 'money' },
  visitorsColumn(),
  ...PRODUCT_DETAIL_COLUMNS,
];

export function toProductRow(product: ProductFigures): TableRow {
  return {
    level: product.level,
    ...productCells(product.productId, product.category, product.details),
    category: categoryLabel(product.category),
    views: product.views,
    views_change: change(product.views, product.previousViews),
    add_to_carts: product.addToCarts,
    cart_rate: rate(product.addToCarts, product.views),
    purchased: product.purchased,
    conversion: rate(product.purchased, product.views),
    revenue: product.revenue,
    visitors: product.visitors,
    ...productMargins(product),
  };
}

/** Noise mode: the margins of a product row's figures (none in plain mode). */
export function productMargins(
  product: Pick<
    ProductFigures,
    'views' | 'addToCarts' | 'purchased' | 'previousViews' | 'spread' | 'previousSpread'
  >,
): Record<string, number> {
  const s = product.spread;
  if (!s) return {};
  return {
    ...sumMarginCells(s, {
      views: 'views',
      add_to_carts: 'add_to_carts',
      purchased: 'purchased_units',
      revenue: 'item_revenue_cents',
      visitors: 'visitors',
    }),
    ...marginCells({
      views_change:
        product.previousViews === null
          ? undefined
          : changeMargin(product.views, s.views, product.previousViews, product.previousSpread?.views),
      cart_rate: ratioMargin(product.addToCarts, s.add_to_carts, product.views, s.views),
      conversion: ratioMargin(product.purchased, s.purchased_units, product.views, s.views),
    }),
  };
}

/** Products ranked by views; generalised groups ("Other products in tea") keep their place. */
export async function getTopProducts(warehouse: Warehouse, filters: Filters): Promise<Table> {
  const products = sortBy((await getProductFigures(warehouse, filters)).current, (product) => product.views);
  return { columns: PRODUCT_COLUMNS, rows: products.map(toProductRow) };
}
