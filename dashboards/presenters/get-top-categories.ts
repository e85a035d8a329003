import type { Warehouse } from '../../core/warehouse/warehouse.js';
import { OTHER } from '../../schema/reports.js';
import type { Filters } from '../query/filters.js';
import { addSpreads, type Spreads } from '../query/noise-spread.js';
import { getProductFigures, productMargins } from './get-top-products.js';
import { categoryLabel } from './labels.js';
import { change, rate, sortBy, type Table, visitorsColumn } from './table.js';

interface CategorySums {
  views: number;
  addToCarts: number;
  purchased: number;
  revenue: number;
  visitors: number;
  /** Noise mode: the noise its products' figures add up. */
  spread?: Spreads;
}
const emptySums = (): CategorySums => ({ views: 0, addToCarts: 0, purchased: 0, revenue: 0, visitors: 0 });

/**
 * Categories ranked by views. A category's figures are the sum of its published product rows,
 * exact ones and its "Other products in <category>" row, so they include its small products.
 */
export async function getTopCategories(warehouse: Warehouse, filters: Filters): Promise<Table> {
  const { current, previous } = await getProductFigures(warehouse, filters);
  const byCategory = new Map<string, CategorySums>();
  for (const product of current) {
    const sums = byCategory.get(product.category) ?? emptySums();
    sums.views += product.views;
    sums.addToCarts += product.addToCarts;
    sums.purchased += product.purchased;
    sums.revenue += product.revenue;
    sums.visitors += product.visitors;
    sums.spread = addSpreads(sums.spread, product.spread);
    byCategory.set(product.category, sums);
  }
  const previousViews = new Map<string, number>();
  const previousSpreads = new Map<string, Spreads | undefined>();
  for (const product of previous) {
    previousViews.set(product.category, (previousViews.get(product.category) ?? 0) + product.views);
    previousSpreads.set(product.category, addSpreads(previousSpreads.get(product.category), product.spread));
  }
  const rows = sortBy([...byCategory.entries()], ([, sums]) => sums.views).map(([category, sums]) => ({
    level: category === OTHER ? 1 : 0,
    category: categoryLabel(category),
    views: sums.views,
    views_change: filters.previous ? change(sums.views, previousViews.get(category)) : null,
    add_to_carts: sums.addToCarts,
    cart_rate: rate(sums.addToCarts, sums.views),
    purchased: sums.purchased,
    conversion: rate(sums.purchased, sums.views),
    revenue: sums.revenue,
    visitors: sums.visitors,
    ...productMargins({
      views: sums.views,
      addToCarts: sums.addToCarts,
      purchased: sums.purchased,
      previousViews: filters.previous ? (previousViews.get(category) ?? null) : null,
      spread: sums.spread,
      previousSpread: previousSpreads.get(category),
    }),
  }));
  return {
    columns: [
      { key: 'category', label: 'Category', kind: 'text' },
      { key: 'views', label: 'Views', kind: 'count' },
      { key: 'views_change', label: 'vs previous', kind: 'change' },
      { key: 'add_to_carts', label: 'Add to cart', kind: 'count' },
      { key: 'cart_rate', label: 'Cart rate', kind: 'rate', hint: 'Add-to-cart actions ÷ product views' },
      { key: 'purchased', label: 'Units sold', kind: 'count' },
      { key: 'conversion', label: 'Conversion', kind: 'rate', hint: 'Units sold ÷ product views' },
      { key: 'revenue', label: 'Revenue', kind: 'money' },
      {
        ...visitorsColumn('Product visitors'),
        hint: "Each product's visitor-days added up: a shopper who viewed two products of a category counts twice.",
      },
    ],
    rows,
  };
}
