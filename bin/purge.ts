import { resolve } from 'node:path';
import { ConfigError, loadConfig } from '../core/config.js';
import { connectRedis, primariesOf } from '../core/redis/connect.js';
import { keyLayout } from '../core/redis/key-layout.js';
import { isRedisCluster } from '../core/redis/redis-address.js';
import { embeddedStoreHolder } from '../core/warehouse/embedded-lock.js';
import { openWarehouse } from '../core/warehouse/open-warehouse.js';
import { cliAudit } from '../dashboards/audit/cli-audit.js';
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
  const audit = cliAudit(warehouse);
  const { tables } = await purgeSite(warehouse, values.site).catch(async (error: unknown) => {
    await audit({ action: 'purge', target: values.site!, outcome: 'failed', code: 'purge_failed' });
    throw error;
  });
  // The audit log itself is not purged: it names the site and who removed it, never its data.
  await audit({ action: 'purge', target: values.site, detail: `${tables} tables` });
  await warehouse.close();
  console.log(`purged site ${values.site} from ${tables} tables`);
  if (config.redis.url) {
    const redis = connectRedis(config.redis.url, 'consumer', { tls: config.redis.tls });
    const pattern = keyLayout({
      prefix: config.redis.prefix,
      queues: config.redis.queues,
      cluster: isRedisCluster(config.redis.url),
    }).visitPattern(values.site);
    let removed = 0;
    // A Redis Cluster's keys are scanned primary by primary; a site's records share one slot.
    for (const server of primariesOf(redis)) {
      let cursor = '0';
      do {
        const [next, keys] = await server.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
        cursor = next;
        if (keys.length > 0) removed += await server.del(...keys);
      } while (cursor !== '0');
    }
    redis.disconnect();
    console.log(`removed ${removed} attribution keys from Redis`);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : `purge failed: ${(error as Error).message}`);
  process.exit(1);
});
