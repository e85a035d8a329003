import { resolve } from 'node:path';
import { ConfigError, loadConfig } from '../core/config.js';
import { connectRedis } from '../core/redis/connect.js';
import { embeddedStoreHolder } from '../core/warehouse/embedded-lock.js';
import { openWarehouse } from '../core/warehouse/open-warehouse.js';
import { purgeSite } from '../workers/purge-site.js';
import { parseCliArgs } from './runtime/cli-args.js';

/**
 * `npm run purge -- --site ID`: removes everything a site has, from every ClickHouse table and from
 * Redis (its campaign-attribution keys). With the embedded engine, stop `npm start` first: only one
 * process can hold the data directory.
 */
const USAGE = `usage: npm run purge -- --site ID
  --site ID   the site to remove, as in KANON_SITES (stop npm start first with the embedded engine)`;

async function main(): Promise<void> {
  const args = parseCliArgs(
    { options: { site: { type: 'string' }, help: { type: 'boolean', short: 'h' } } },
    USAGE,
  );
  if (!args) process.exit(2);
  const { values } = args;
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (!values.site) {
    console.error(USAGE);
    process.exit(2);
  }
  const config = loadConfig();
  if (config.warehouse.kind === 'embedded') {
    // Asked before opening: chDB refused a held store only after printing its own raw line.
    const dataDir = resolve(config.dataDir);
    const holder = embeddedStoreHolder(dataDir);
    if (holder) {
      console.error(
        `error: KANON_DATA_DIR (${dataDir}) is held by another process (pid ${holder.pid}): stop it (Ctrl-C where npm start runs) and run purge again.`,
      );
      process.exit(1);
    }
  }
  const warehouse = await openWarehouse(config.warehouse);
  const { tables } = await purgeSite(warehouse, values.site);
  await warehouse.close();
  console.log(`purged site ${values.site} from ${tables} tables`);
  if (config.redis.url) {
    const redis = connectRedis(config.redis.url, 'consumer', { tls: config.redis.tls });
    let removed = 0;
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(
        cursor,
        'MATCH',
        `${config.redis.prefix}:visit:${values.site}:*`,
        'COUNT',
        1000,
      );
      cursor = next;
      if (keys.length > 0) removed += await redis.del(...keys);
    } while (cursor !== '0');
    redis.disconnect();
    console.log(`removed ${removed} attribution keys from Redis`);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : `purge failed: ${(error as Error).message}`);
  process.exit(1);
});
