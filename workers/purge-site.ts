import type { Warehouse } from '../core/warehouse/warehouse.js';
import {
  CATALOG_TABLE,
  CATALOG_VERSIONS_TABLE,
  PUBLISHED_TABLES,
  RELEASES_TABLE,
  STAGING_TABLE,
} from '../schema/tables.js';

/**
 * Removes everything a site has from the warehouse: staging, every
 * published table, the release manifest and the site's product catalogue (`npm run purge -- --site ID`). Synchronous mutations,
 * so when this returns the rows are gone from every read. Table names come from the closed set.
 */
export async function purgeSite(warehouse: Warehouse, site: string): Promise<{ tables: number }> {
  const tables = [STAGING_TABLE, RELEASES_TABLE, ...PUBLISHED_TABLES, CATALOG_TABLE, CATALOG_VERSIONS_TABLE];
  for (const table of tables) {
    await warehouse.exec(
      `ALTER TABLE ${table} DELETE WHERE site = {site:String} SETTINGS mutations_sync = 2`,
      { site },
    );
  }
  return { tables: tables.length };
}
