import type { ProductDetails } from '../catalog/product-details.js';
import { productLabel } from './labels.js';
import type { Cell, Column } from './table.js';

/**
 * How a product row names its product: the title from the shop's feed when the site has one
 * (dashboards/catalog), else its id; generalised rows keep their "Other products in tea". The id,
 * picture, link and availability go along for the UI (id on hover) and for CSV.
 */
export function productCells(
  productId: string,
  category: string,
  details: ProductDetails | undefined,
): Record<string, Cell> {
  return {
    product: details?.title || productLabel(productId, category),
    product_id: productId,
    product_image: details?.image || null,
    product_link: details?.link || null,
    availability: details?.availability || null,
  };
}

/** Columns for CSV exports (the UI shows the id on hover and availability beside the name). */
export const PRODUCT_DETAIL_COLUMNS: Column[] = [
  { key: 'product_id', label: 'Product id', kind: 'text' },
  { key: 'availability', label: 'Availability', kind: 'text', hint: "From the shop's product feed" },
];
