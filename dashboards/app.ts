import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { installErrorHandling } from '../core/http/error-handling.js';
import { registerMetricsRoute } from '../core/http/metrics-route.js';
import { refuseWhileClosing } from '../core/http/refuse-while-closing.js';
import { fastifyTrustProxy, type TrustProxy } from '../core/http/trust-proxy.js';
import { type Logger, stageLogger } from '../core/log.js';
import type { Metrics } from '../core/metrics.js';
import type { Site } from '../core/sites.js';
import { toClickHouseDate } from '../core/time.js';
import { backupEngine, backupStore } from '../core/warehouse/backup.js';
import type { Warehouse } from '../core/warehouse/warehouse.js';
import { DEVICE_CLASSES } from '../schema/event.js';
import { type AuditLog, ClickHouseAuditLog } from './audit/audit-log.js';
import { installAuditTrail } from './audit/audit-trail.js';
import { installAccessControl, sessionCookieName } from './auth/access.js';
import type { SessionStore } from './auth/session-store.js';
import type { UserStore } from './auth/user-store.js';
import { CatalogStore } from './catalog/catalog-store.js';
import { publishedCatalogue } from './catalogue.js';
import { shuttingDown } from './errors.js';
import { ReportSubscriptionStore } from './mail/subscription-store.js';
import { buildOpenApi } from './openapi.js';
import { cachedReads } from './query/cached-reads.js';
import { registerAdminRoutes, type Setting } from './routes/admin.js';
import { registerAuditRoutes } from './routes/audit.js';
import { DEFAULT_LOGIN_LIMITS, type LoginLimits, registerAuthRoutes } from './routes/auth.js';
import { registerCatalogRoutes } from './routes/catalog.js';
import { registerControlRoutes } from './routes/control.js';
import { registerExportRoutes } from './routes/export.js';
import { forbiddenHtml, registerPageRoutes } from './routes/pages.js';
import {
  type AnalystSqlPort,
  DEFAULT_QUERY_LIMITS,
  type QueryLimits,
  registerQueryRoutes,
} from './routes/query.js';
import { registerReportMailRoutes } from './routes/report-mail.js';
import { registerReportRoutes } from './routes/reports.js';
import { registerSiteSecretRoutes } from './routes/site-secrets.js';
import { loadWebBundle } from './web/assets.js';
import type { WebBundle } from './web/build.js';

export interface DashboardsDeps {
  /**
   * Read for published tables (`pub_*`) only, plus the dashboards' own tables: `app_users` via
   * `users`, and the shops' product catalogues (`app_catalog*`, shop data) to name products.
   */
  warehouse: Warehouse;
  sites: readonly Site[];
  log: Logger;
  metrics: Metrics;
  /** When set, /metrics wants it as a bearer token (KANON_METRICS_TOKEN). */
  metricsToken?: string;
  /** Dashboard users (e.g. `ClickHouseUserStore.open(warehouse)`). */
  users: UserStore;
  /** Sign-in sessions (e.g. `RedisSessionStore.connect(redisUrl, { prefix, idleSeconds, maxAgeSeconds })`). */
  sessions: SessionStore;
  /** Analysts' read-only SQL; without it POST /api/v1/query answers 503 query_unavailable. */
  sql?: AnalystSqlPort;
  /** K of the deployment, shown when no release says otherwise. */
  k: number;
  /** Release window length, for the intraday trend of a one-day range. */
  windowSeconds: number;
  /**
   * KANON_GRACE (default 0): a day's breakdowns are released this long after midnight UTC at the
   * earliest, which the views say where a day is not released yet.
   */
  graceSeconds?: number;
  /** Session cookie gets `Secure` (and the `__Host-` prefix); turn on behind HTTPS. */
  secureCookies: boolean;
  clock?: () => number;
  /** Lets the CLIs reach this process over loopback (see auth/control-token.ts); unset = no control routes. */
  controlToken?: string;
  /**
   * The origins people open the dashboards at (e.g. `https://stats.shop.example` behind a TLS
   * proxy). When set, a write's Origin must be one of them; unset, its host must match the Host.
   */
  publicOrigins?: readonly string[];
  /** Which proxies' X-Forwarded-For/-Proto/-Host to believe (sign-in throttle, origin check), as the collector's. */
  trustProxy?: TrustProxy;
  loginLimits?: LoginLimits;
  queryLimits?: QueryLimits;
  /** ISO currency of the shops' order values (e.g. EUR), for display; unset = plain numbers. */
  currency?: string;
  /** Read-only settings shown to admins. */
  settings?: readonly Setting[];
  /** How long report figures are remembered between identical requests (default 15 s; 0 = off). */
  cacheSeconds?: number;
  /** A prebuilt web bundle; default: dashboards/web/dist, built now if missing. */
  web?: WebBundle;
  /** The sites' product catalogues (default: over `warehouse`). */
  catalog?: CatalogStore;
  /** The access audit log: sign-ins, queries, downloads, user changes (default: over `warehouse`). */
  audit?: AuditLog;
  /** Users' choices of scheduled report e-mails (default: over `warehouse`). */
  reportSubscriptions?: ReportSubscriptionStore;
  /** Whether this deployment sends report e-mails (KANON_SMTP_URL set), for the choice's form. */
  mailConfigured?: boolean;
}

const formatSeconds = (seconds: number) =>
  seconds % 3600 === 0 ? `${seconds / 3600}h` : seconds % 60 === 0 ? `${seconds / 60}m` : `${seconds}s`;

/**
 * The dashboards server (factory only; bin/ listens): the merchandisers' web UI, its JSON API and
 * CSV exports, analysts' SQL, user admin, and control routes for the CLIs. Every report route
 * reads published tables only, through presenters (invariant 9), and every figure is a sum of
 * published rows of at least K visitors (invariant 3).
 */
export async function buildDashboards(deps: DashboardsDeps): Promise<FastifyInstance> {
  const clock = deps.clock ?? Date.now;
  const app = Fastify({
    loggerInstance: stageLogger(deps.log, 'dashboards'),
    trustProxy: fastifyTrustProxy(deps.trustProxy ?? false),
    bodyLimit: 64 * 1024,
    routerOptions: { maxParamLength: 200 },
    // Refused by refuseWhileClosing below instead, in Kanon's error body like every other error.
    return503OnClosing: false,
  });
  installErrorHandling(app);
  const web = deps.web ?? (await loadWebBundle(deps.log));
  const siteIds = deps.sites.map((site) => site.id);
  const catalog = deps.catalog ?? new CatalogStore(deps.warehouse, clock);
  // Wall-clock time on purpose: an entry says when it happened, whatever day the data is of.
  const audit = deps.audit ?? new ClickHouseAuditLog(deps.warehouse);
  await catalog.refreshImageOrigins();

  await app.register(helmet, {
    // The UI is one bundled script and one stylesheet from this server: nothing inline, no CDN.
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        // Product thumbnails load from the image hosts of the sites' current feeds, and from no
        // other host: nothing is proxied, and an image elsewhere is not shown (catalog-store.ts).
        imgSrc: ["'self'", 'data:', () => catalog.imageOrigins().join(' ') || "'self'"],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        ...(deps.secureCookies ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    hsts: deps.secureCookies ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    referrerPolicy: { policy: 'no-referrer' },
    crossOriginEmbedderPolicy: false,
  });
  await app.register(cookie);
  await app.register(rateLimit, { global: false, cache: 10_000 });

  // After helmet's headers, before the sign-in check: a request arriving while the server closes
  // is told so, whoever sent it.
  refuseWhileClosing(app, { error: shuttingDown });

  const access = installAccessControl(app, {
    users: deps.users,
    sessions: deps.sessions,
    cookieName: sessionCookieName(deps.secureCookies),
    controlToken: deps.controlToken,
    clock,
    forbiddenPage: (role) => forbiddenHtml(web, role),
    publicOrigins: deps.publicOrigins,
  });
  installAuditTrail(app, { audit, metrics: deps.metrics, log: deps.log });

  const sessionInfo = (request: FastifyRequest) => ({
    user: { name: request.session!.user, role: request.session!.role },
    csrfToken: request.session!.csrfToken,
    k: deps.k,
    windowSeconds: deps.windowSeconds,
    today: toClickHouseDate(Math.floor(clock() / 1000)),
    sites: siteIds,
    devices: DEVICE_CLASSES,
    ...(deps.currency ? { currency: deps.currency } : {}),
  });

  // Figures and users are business data: never kept by a browser or proxy cache.
  app.addHook('onSend', async (request, reply, payload) => {
    if (request.url.startsWith('/api/') && !reply.hasHeader('cache-control'))
      reply.header('Cache-Control', 'no-store');
    return payload;
  });

  app.get('/healthz', { config: { access: 'public' } }, async () => ({ status: 'ok' }));
  // Public to the sign-in check: a scraper has no session, and the token guards it instead.
  registerMetricsRoute(app, {
    metrics: deps.metrics,
    token: deps.metricsToken,
    routeConfig: { access: 'public' },
  });

  registerPageRoutes(app, web);
  registerAuthRoutes(app, {
    users: deps.users,
    sessions: deps.sessions,
    secureCookies: deps.secureCookies,
    limits: deps.loginLimits ?? DEFAULT_LOGIN_LIMITS,
    metrics: deps.metrics,
    sessionInfo,
    publicOrigins: deps.publicOrigins,
  });
  registerReportRoutes(app, {
    // Wall-clock time on purpose: the memory is about load, not about the data's dates.
    warehouse: cachedReads(deps.warehouse, {
      ttlMs: deps.cacheSeconds === undefined ? 15_000 : deps.cacheSeconds * 1000,
    }),
    siteIds,
    k: deps.k,
    windowSeconds: deps.windowSeconds,
    graceSeconds: deps.graceSeconds ?? 0,
    clock,
  });
  const limits = deps.queryLimits ?? DEFAULT_QUERY_LIMITS;
  // /api/query is the name for the route; /api/v1/query the versioned one. Same handler.
  registerQueryRoutes(app, {
    sql: deps.sql,
    limits,
    paths: ['/api/v1/query', '/api/query'],
    access: 'analyst',
  });
  app.get('/api/v1/catalogue', { config: { access: 'analyst' } }, async () => ({
    tables: publishedCatalogue(),
  }));
  const openApi = buildOpenApi();
  app.get('/api/v1/openapi.json', { config: { access: 'viewer' } }, async () => openApi);
  registerAdminRoutes(app, {
    users: deps.users,
    sessions: deps.sessions,
    sites: deps.sites,
    settings: deps.settings ?? [
      { name: 'KANON_K', value: deps.k, doc: 'Minimum distinct visitors behind every released figure' },
      { name: 'KANON_WINDOW', value: formatSeconds(deps.windowSeconds), doc: 'Release window' },
    ],
    forgetUser: access.forgetUser,
  });
  registerAuditRoutes(app, { audit, clock: Date.now, control: deps.controlToken !== undefined });
  registerCatalogRoutes(app, { catalog, siteIds, control: deps.controlToken !== undefined });
  registerExportRoutes(app, { warehouse: deps.warehouse, control: deps.controlToken !== undefined });
  registerReportMailRoutes(app, {
    subscriptions: deps.reportSubscriptions ?? new ReportSubscriptionStore(deps.warehouse, clock),
    siteIds,
    mailConfigured: deps.mailConfigured ?? false,
  });
  if (deps.controlToken) {
    registerSiteSecretRoutes(app, { warehouse: deps.warehouse, siteIds });
    registerControlRoutes(app, {
      users: deps.users,
      sessions: deps.sessions,
      sql: deps.sql,
      limits,
      forgetUser: access.forgetUser,
      ...(deps.warehouse.kind === 'embedded'
        ? { backup: (to: string) => backupStore(backupEngine(deps.warehouse), to) }
        : {}),
    });
  }
  return app;
}
