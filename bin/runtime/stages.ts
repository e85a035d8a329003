import { existsSync, readFileSync } from 'node:fs';
import Fastify, { type FastifyInstance, LogController } from 'fastify';
import { buildCollector } from '../../collector/app.js';
import { RedisSaltStore } from '../../collector/salt-store.js';
import type { SiteSecretVerifier } from '../../collector/site-secrets.js';
import type { Config } from '../../core/config.js';
import { closeIdleConnectionsWhileClosing } from '../../core/http/close-idle-connections.js';
import { registerMetricsRoute } from '../../core/http/metrics-route.js';
import { type Logger, stageLogger } from '../../core/log.js';
import type { Metrics } from '../../core/metrics.js';
import { privacyFacts } from '../../core/privacy-facts.js';
import { EventsQueue } from '../../core/queue/events-queue.js';
import type { ReleaseSchedule } from '../../core/queue/release-queue.js';
import { connectRedis, waitUntilConnected } from '../../core/redis/connect.js';
import { openAnalystSql } from '../../core/warehouse/analyst-sql.js';
import type { Warehouse } from '../../core/warehouse/warehouse.js';
import { buildDashboards } from '../../dashboards/app.js';
import { ClickHouseAuditLog } from '../../dashboards/audit/audit-log.js';
import { recordSettingChanges } from '../../dashboards/audit/record-settings.js';
import { createControlToken, serveControlToken } from '../../dashboards/auth/control-token.js';
import { RedisSessionStore } from '../../dashboards/auth/session-store.js';
import { ClickHouseUserStore } from '../../dashboards/auth/user-store.js';
import { ensureDemoAdmin } from '../../dashboards/bootstrap.js';
import { redisMailClaims } from '../../dashboards/mail/mail-claims.js';
import { createSmtpTransport, startReportScheduler } from '../../dashboards/mail/send-scheduled-reports.js';
import { ReportSubscriptionStore } from '../../dashboards/mail/subscription-store.js';
import { buildDemoShop } from '../../demo/shop-server.js';
import { applyRetention } from '../../schema/apply-retention.js';
import { migrate } from '../../schema/migrate.js';
import { releaseEveryMs, scheduleReleases } from '../../workers/release/schedule-releases.js';
import { startIngest } from '../../workers/start-ingest.js';
import { adminSettings } from './admin-settings.js';

export interface Stage {
  name: string;
  close(): Promise<void>;
}

export const TRACKER_PATH = new URL('../../tracker/dist/tracker.js', import.meta.url);
const DATALAYER_PATH = new URL('../../tracker/dist/datalayer.js', import.meta.url);

export function schemaVariables(config: Config) {
  return {
    STAGING_TTL_SECONDS: config.release.stagingTtlSeconds,
    RETENTION_SECONDS: config.release.retentionSeconds,
    AUDIT_RETENTION_SECONDS: config.audit.retentionSeconds,
  };
}

export async function migrateWarehouse(warehouse: Warehouse, config: Config, log: Logger): Promise<void> {
  const result = await migrate(warehouse, schemaVariables(config));
  const retention = await applyRetention(warehouse, schemaVariables(config));
  log.info(
    { applied: result.applied, upToDate: result.upToDate.length, ttlChanged: retention },
    'schema migrated',
  );
  // The client no longer prints the engine's refusal itself: say here what it means.
  if (result.notPermitted.length > 0)
    log.warn(
      { notPermitted: result.notPermitted },
      "Kanon's ClickHouse user may not create roles, so the analyst role was not created: create it by hand (docs/api.md); start-up goes on",
    );
}

/** Every server a stage starts listens through here, so each one closes its keep-alive connections promptly on shutdown. */
export async function listen(app: FastifyInstance, host: string, port: number): Promise<string> {
  closeIdleConnectionsWhileClosing(app);
  await app.listen({ host, port });
  const address = app.server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  return `http://${host.includes(':') ? `[${host}]` : host}:${actualPort}`;
}

export async function startCollectorStage(options: {
  config: Config;
  queueUrl: string;
  saltUrl: string;
  log: Logger;
  metrics: Metrics;
  /** The site secrets of POST /api/event; only where this process holds the warehouse. */
  siteSecrets?: SiteSecretVerifier;
}): Promise<Stage & { app: FastifyInstance; url: string }> {
  const { config, log, metrics } = options;
  const queue = EventsQueue.create({
    url: options.queueUrl,
    prefix: config.redis.prefix,
    queues: config.redis.queues,
    tls: config.redis.tls,
  });
  const saltRedis = connectRedis(options.saltUrl, 'producer', { tls: config.redis.tls });
  await Promise.all([queue.connected(), waitUntilConnected(saltRedis)]);
  const salts = Object.assign(new RedisSaltStore(saltRedis, config.redis.prefix), {
    isReady: async () => (await saltRedis.ping().catch(() => '')) === 'PONG',
  });
  const trackerScript = existsSync(TRACKER_PATH) ? readFileSync(TRACKER_PATH, 'utf8') : undefined;
  if (!trackerScript) log.warn('tracker.js is not built; run npm run build:tracker');
  const dataLayerScript = existsSync(DATALAYER_PATH) ? readFileSync(DATALAYER_PATH, 'utf8') : undefined;
  const app = await buildCollector({
    config: config.collector,
    queue,
    salts,
    log,
    metrics,
    metricsToken: config.server.metricsToken,
    trackerScript,
    dataLayerScript,
    privacyFacts: () => privacyFacts(config),
    siteSecrets: options.siteSecrets,
  });
  const url = await listen(app, config.server.host, config.server.collectorPort);
  return {
    name: 'collector',
    app,
    url,
    async close() {
      await app.close();
      await queue.close();
      saltRedis.disconnect();
    },
  };
}

export async function startWorkerStage(options: {
  config: Config;
  queueUrl: string;
  warehouse: Warehouse;
  log: Logger;
  metrics: Metrics;
  /** Hold the release schedule until `startRelease()` (npm start holds it while seeding). */
  holdRelease?: boolean;
}): Promise<Stage & { startRelease(): Promise<void> }> {
  const { config, warehouse, metrics } = options;
  const log = options.log.child({ stage: 'workers' });
  const connection = {
    url: options.queueUrl,
    prefix: config.redis.prefix,
    queues: config.redis.queues,
    tls: config.redis.tls,
  };
  const failed = metrics.counter('kanon_workers_batches_failed_total', 'Batches given up on', ['reason']);
  const worker = startIngest({
    warehouse,
    connection,
    windowSeconds: config.release.windowSeconds,
    graceSeconds: config.release.graceSeconds,
    contributions: config.release.noise !== undefined,
    concurrency: config.workers.concurrency,
    metrics,
    onFailed: (reason, job) => {
      failed.inc({ reason });
      log.error({ job: job.id, reason }, 'batch failed for good');
    },
  });
  let schedule: ReleaseSchedule | undefined;
  const startRelease = async () => {
    schedule ??= await scheduleReleases({
      connection,
      deps: { warehouse, settings: config.release, clock: Date.now, log, metrics },
    });
  };
  if (!options.holdRelease) await startRelease();
  log.info(
    { concurrency: config.workers.concurrency, releaseEveryMs: releaseEveryMs(config.release.windowSeconds) },
    'workers started',
  );
  return {
    name: 'workers',
    startRelease,
    async close() {
      await schedule?.close();
      await worker.close();
    },
  };
}

/** The demo storefront, with its tag pointed at this collector under whatever host name it was opened. */
export async function startDemoShopStage(options: {
  config: Config;
  log: Logger;
}): Promise<Stage & { url: string }> {
  const { config } = options;
  const shop = buildDemoShop({
    site: config.collector.sites[0]?.id ?? 'demo',
    collectorUrl: (host) => `http://${host.replace(/:\d+$/, '')}:${config.server.collectorPort}`,
  });
  const url = await listen(shop, config.server.host, config.server.demoPort);
  return { name: 'demo shop', url, close: () => shop.close() };
}

/** /healthz and /metrics for a process that has no HTTP server of its own (workers). */
export async function startMetricsServer(options: {
  config: Config;
  metrics: Metrics;
  log: Logger;
}): Promise<Stage & { url: string }> {
  const app = Fastify({
    loggerInstance: stageLogger(options.log, 'metrics'),
    logController: new LogController({ disableRequestLogging: true }),
  });
  app.get('/healthz', async () => ({ status: 'ok' }));
  registerMetricsRoute(app, { metrics: options.metrics, token: options.config.server.metricsToken });
  const url = await listen(app, options.config.server.host, options.config.server.metricsPort);
  return { name: 'metrics', url, close: () => app.close() };
}

export async function startDashboardsStage(options: {
  config: Config;
  warehouse: Warehouse;
  redisUrl: string;
  log: Logger;
  metrics: Metrics;
}): Promise<Stage & { url: string; firstAdmin: { name: string; password: string } | undefined }> {
  const { config, warehouse, log } = options;
  const users = await ClickHouseUserStore.open(warehouse);
  const sessions = RedisSessionStore.connect(options.redisUrl, {
    prefix: config.redis.prefix,
    idleSeconds: config.dashboards.sessionIdleSeconds,
    maxAgeSeconds: config.dashboards.sessionMaxAgeSeconds,
    tls: config.redis.tls,
  });
  const sql = await openAnalystSql(warehouse, {
    maxSeconds: config.dashboards.queryTimeoutSeconds,
    maxMemoryBytes: 1024 * 1024 * 1024,
  });
  const controlToken = config.warehouse.kind === 'embedded' ? createControlToken() : undefined;
  const audit = new ClickHouseAuditLog(warehouse);
  const reportSubscriptions = new ReportSubscriptionStore(warehouse);
  const settings = adminSettings(config);
  const changedSettings = await recordSettingChanges(audit, settings);
  if (changedSettings.length > 0)
    log.info({ settings: changedSettings }, 'settings changed since the last start');
  const app = await buildDashboards({
    warehouse,
    sites: config.collector.sites,
    log,
    metrics: options.metrics,
    metricsToken: config.server.metricsToken,
    users,
    sessions,
    sql,
    k: config.release.k,
    windowSeconds: config.release.windowSeconds,
    graceSeconds: config.release.graceSeconds,
    secureCookies: config.dashboards.secureCookies,
    controlToken,
    publicOrigins: config.dashboards.publicOrigins,
    trustProxy: config.collector.trustProxy,
    queryLimits: {
      maxRows: config.dashboards.queryMaxRows,
      timeoutSeconds: config.dashboards.queryTimeoutSeconds,
    },
    currency: config.dashboards.currency,
    reportSubscriptions,
    mailConfigured: config.dashboards.mail !== undefined,
    settings,
    audit,
  });
  const url = await listen(app, config.server.host, config.server.dashboardsPort);
  // Scheduled report e-mails, sent by this process once per user and period (dashboards/mail/).
  const mail = config.dashboards.mail;
  // Several dashboards processes may run: each mail is claimed in Redis by the one that sends it.
  const claimsRedis = mail
    ? connectRedis(options.redisUrl, 'producer', { tls: config.redis.tls })
    : undefined;
  const reportMails =
    mail && claimsRedis
      ? startReportScheduler({
          warehouse,
          sites: config.collector.sites.map((site) => site.id),
          k: config.release.k,
          windowSeconds: config.release.windowSeconds,
          graceSeconds: config.release.graceSeconds,
          currency: config.dashboards.currency,
          baseUrl: config.dashboards.publicOrigins?.[0] ?? url,
          subscriptions: reportSubscriptions,
          users,
          transport: createSmtpTransport(mail.smtpUrl),
          from: mail.from,
          log,
          metrics: options.metrics,
          clock: Date.now,
          claims: redisMailClaims(claimsRedis, config.redis.prefix),
        })
      : undefined;
  // Served once the dashboards listen, with their address: the CLIs find this process from the
  // data directory alone, and whoever finds the socket finds the dashboards answering.
  const control = controlToken
    ? await serveControlToken(config.dataDir, { token: controlToken, url }).catch(async (error: unknown) => {
        await app.close();
        throw error;
      })
    : undefined;
  if (controlToken && !control) {
    log.warn(
      { dataDir: config.dataDir },
      'KANON_DATA_DIR is too long for the control socket: npm run user and npm run sql cannot reach this process',
    );
  }
  const firstAdmin = await ensureDemoAdmin(users, log);
  return {
    name: 'dashboards',
    url,
    firstAdmin,
    async close() {
      await reportMails?.close();
      claimsRedis?.disconnect();
      await app.close();
      await sessions.close();
      await sql.close();
      await control?.close();
    },
  };
}
