import { Readable } from 'node:stream';
import type { Config } from '../../core/config.js';
import type { Logger } from '../../core/log.js';
import type { Warehouse } from '../../core/warehouse/warehouse.js';
import { CatalogStore } from '../../dashboards/catalog/catalog-store.js';
import { demoFeedXml } from '../../demo/feed.js';

/**
 * `npm start` gives the demo site the demo shop's product feed (demo/feed.ts), through the same
 * import an admin's upload takes, so the dashboards show product names and pictures out of the
 * box. Only for a site whose registered origins include the demo shop's address, and only while it
 * has no catalogue: a real shop's site never gets the demo's products, and a feed someone imported
 * stays.
 */
export async function importDemoCatalog(warehouse: Warehouse, config: Config, log: Logger): Promise<void> {
  const port = config.server.demoPort;
  if (port === 0) return;
  const shopOrigins = [`http://localhost:${port}`, `http://127.0.0.1:${port}`];
  const site = config.collector.sites.find((candidate) =>
    candidate.origins.some((origin) => shopOrigins.includes(origin)),
  );
  if (!site) return;
  const catalog = new CatalogStore(warehouse);
  if (await catalog.current(site.id)) return;
  const origin = site.origins.find((candidate) => shopOrigins.includes(candidate))!;
  const result = await catalog.importFeed(site.id, Readable.from([demoFeedXml(origin)]), {
    maxBytes: 1024 * 1024,
  });
  log.info(
    { site: site.id, items: result.items },
    `demo: the demo shop's product feed imported (${origin}/feed.xml), so products show by name`,
  );
}
