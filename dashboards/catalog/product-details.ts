import { z } from 'zod';
import type { Warehouse } from '../../core/warehouse/warehouse.js';
import { CATALOG_TABLE } from '../../schema/tables.js';
import { CURRENT_VERSION } from './catalog-store.js';

/** What the dashboards show of a product. */
export interface ProductDetails {
  title: string;
  link: string;
  image: string;
  availability: string;
}

const Details = z.object({
  product_id: z.string(),
  title: z.string(),
  link: z.string(),
  image_link: z.string(),
  availability: z.string(),
});

/**
 * Names, pictures, links and availability of the given products from the site's current
 * catalogue. Read by presenters through the dashboards' warehouse; products the feed lacks are
 * simply absent (they keep their id).
 */
export async function productDetails(
  warehouse: Warehouse,
  site: string,
  productIds: readonly string[],
): Promise<Map<string, ProductDetails>> {
  if (productIds.length === 0) return new Map();
  const rows = await warehouse.query({
    name: 'catalog_product_details',
    sql: `SELECT product_id, title, link, image_link, availability FROM ${CATALOG_TABLE}
          WHERE site = {site:String} AND version = ${CURRENT_VERSION} AND product_id IN {ids:Array(String)}`,
    params: { site, ids: [...new Set(productIds)].sort() },
    row: Details,
  });
  return new Map(
    rows.map((row) => [
      row.product_id,
      { title: row.title, link: row.link, image: row.image_link, availability: row.availability },
    ]),
  );
}
