import type { Warehouse } from '../../core/warehouse/warehouse.js';
import { selectViewedNotBought } from '../insights/evaluate.js';
import type { Filters } from '../query/filters.js';
import { getProductFigures, PRODUCT_COLUMNS, PRODUCT_VIEWS, toProductRow } from './get-top-products.js';
import { namedShare } from './named-share.js';

/**
 * Products viewed often but rarely bought: named products in the busier half by views whose
 * conversion (units sold ÷ views) is under half the shop's, most viewed first. These are the
 * candidates for a better price, photo or description; the insight "Fix the page or the price"
 * fires for the same products (insights/rules.ts holds the threshold).
 */
export async function getUnboughtProducts(warehouse: Warehouse, filters: Filters, days: { k: number }) {
  const { current } = await getProductFigures(warehouse, filters);
  const { shopConversion, rows } = selectViewedNotBought(current, days.k);
  // The list keeps named products only; its share in named rows is that of all products.
  const named = namedShare(current, PRODUCT_VIEWS, (product) => product.views);
  return {
    columns: PRODUCT_COLUMNS,
    rows: rows.sort((a, b) => b.views - a.views).map(toProductRow),
    shopConversion,
    named,
  };
}
