import type { Warehouse } from '../../core/warehouse/warehouse.js';
import type { Filters } from '../query/filters.js';
import { getProductFigures, PRODUCT_COLUMNS, PRODUCT_VIEWS, toProductRow } from './get-top-products.js';
import { namedShare } from './named-share.js';
import { rate } from './table.js';

/**
 * Products viewed often but rarely bought: named products in the busier half by views whose
 * conversion (units sold ÷ views) is under half the shop's, most viewed first. These are the
 * candidates for a better price, photo or description.
 */
export async function getUnboughtProducts(warehouse: Warehouse, filters: Filters) {
  const { current } = await getProductFigures(warehouse, filters);
  const totalViews = current.reduce((sum, product) => sum + product.views, 0);
  const shopConversion = rate(
    current.reduce((sum, product) => sum + product.purchased, 0),
    totalViews,
  );
  const byViews = current.filter((product) => product.level === 0).sort((a, b) => b.views - a.views);
  const busy = byViews.slice(0, Math.max(1, Math.ceil(byViews.length / 2)));
  const rows = busy
    .filter((product) => (rate(product.purchased, product.views) ?? 0) < (shopConversion ?? 0) / 2)
    .map(toProductRow);
  // The list keeps named products only; its share in named rows is that of all products.
  const named = namedShare(current, PRODUCT_VIEWS, (product) => product.views);
  return { columns: PRODUCT_COLUMNS, rows, shopConversion, named };
}
