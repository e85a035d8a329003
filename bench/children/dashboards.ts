import { randomBytes } from 'node:crypto';
import { listen } from '../../bin/runtime/stages.js';
import { loadConfig } from '../../core/config.js';
import { createLogger } from '../../core/log.js';
import { Metrics } from '../../core/metrics.js';
import { openAnalystSql } from '../../core/warehouse/analyst-sql.js';
import { ChdbWarehouse } from '../../core/warehouse/chdb-embedded.js';
import { buildDashboards } from '../../dashboards/app.js';
import { RedisSessionStore } from '../../dashboards/auth/session-store.js';
import { ClickHouseUserStore } from '../../dashboards/auth/user-store.js';
import { serve } from './ipc.js';

/**
 * The dashboards as `npm run dashboards` builds them (bin/runtime/stages.ts): real users in
 * app_users, sessions in Redis, the analysts' read-only SQL engine, every report route, over the
 * released data the staging child left in KANON_DATA_DIR. Two differences, both for measuring:
 * the 15-second memory of identical report queries is off unless BENCH_DASHBOARDS_CACHE_SECONDS
 * says otherwise (so every call pays for its queries), and the sign-in rate limit is raised.
 * An admin user with a random password is created and handed to the parent.
 */
const config = loadConfig();
const log = createLogger(config.log.level);
if (config.warehouse.kind !== 'embedded') throw new Error('the dashboards bench runs on the embedded engine');
const warehouse = await ChdbWarehouse.open(config.warehouse);
const users = await ClickHouseUserStore.open(warehouse);
const password = randomBytes(18).toString('base64url');
const user = 'bench-admin';
if (!(await users.find(user))) await users.create(user, 'admin', password);
else await users.setPassword(user, password);
const sessions = RedisSessionStore.connect(config.redis.url!, {
  prefix: config.redis.prefix,
  idleSeconds: config.dashboards.sessionIdleSeconds,
  maxAgeSeconds: config.dashboards.sessionMaxAgeSeconds,
});
const sql = await openAnalystSql(warehouse, {
  maxSeconds: config.dashboards.queryTimeoutSeconds,
  maxMemoryBytes: 1024 * 1024 * 1024,
});
const app = await buildDashboards({
  warehouse,
  sites: config.collector.sites,
  log,
  metrics: new Metrics({ defaultMetrics: true }),
  users,
  sessions,
  sql,
  k: config.release.k,
  windowSeconds: config.release.windowSeconds,
  secureCookies: false,
  queryLimits: {
    maxRows: config.dashboards.queryMaxRows,
    timeoutSeconds: config.dashboards.queryTimeoutSeconds,
  },
  currency: 'EUR',
  cacheSeconds: Number(process.env.BENCH_DASHBOARDS_CACHE_SECONDS ?? 0),
  loginLimits: { perUser: 10_000, perAddress: 10_000, windowMs: 60_000 },
});
const url = await listen(app, '127.0.0.1', 0);
serve({ url, user, password }, {}, async () => {
  await app.close();
  await sessions.close();
  await sql.close();
  await warehouse.close();
});
