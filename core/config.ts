import { z } from 'zod';
import { formatDuration, parseDurationSeconds } from './duration.js';
import { parseTrustProxy, type TrustProxy, trustProxyProblem } from './http/trust-proxy.js';
import { DEFAULT_PATH_TEMPLATES, type PathTemplate, parsePathTemplates } from './path-templates.js';
import { parseRedisAddress } from './redis/redis-address.js';
import { parseSites, type Site, toOrigin } from './sites.js';
import { type PemKind, readPemFile, type TlsFiles, tlsGroupProblems } from './tls-files.js';

/**
 * The one place that reads the environment. `loadConfig` runs once in `bin/`; every stage receives
 * the slice it needs. Bounds that protect an invariant live here, so a bad deployment cannot boot.
 */

const DAY = 86_400;

const duration = (what: string, min: number, max: number, fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((text, ctx) => {
      const seconds = parseDurationSeconds(text);
      if (seconds === undefined) {
        ctx.addIssue({ code: 'custom', message: `must be a duration like 90s, 5m, 1h or 2d (${what})` });
        return z.NEVER;
      }
      if (seconds < min || seconds > max) {
        ctx.addIssue({
          code: 'custom',
          message: `must be between ${formatDuration(min)} and ${formatDuration(max)} (${what})`,
        });
        return z.NEVER;
      }
      return seconds;
    });

const port = z.coerce.number().int().min(0).max(65_535);
const identifier = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, 'must be a plain identifier');
/** One Redis server, a Redis Cluster or a Sentinel-managed primary (core/redis/redis-address.ts). */
const redisUrl = z.string().superRefine((text, ctx) => {
  const parsed = parseRedisAddress(text);
  if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.problem });
});
const isTlsRedis = (url: string | undefined) =>
  url !== undefined && /^rediss(-cluster|-sentinel)?:\/\//.test(url);
/** A PEM file's path, read and checked at start-up; a problem names the variable, never the contents. */
const pemFile = (kind: PemKind) =>
  z
    .string()
    .optional()
    .transform((path, ctx) => {
      if (path === undefined) return undefined;
      const read = readPemFile(path, kind);
      if ('pem' in read) return read.pem;
      ctx.addIssue({ code: 'custom', message: read.problem });
      return z.NEVER;
    });

export const EnvSchema = z
  .object({
    KANON_HOST: z
      .string()
      .min(1)
      .default('127.0.0.1')
      .describe('Address the collector and dashboards bind to'),
    KANON_COLLECTOR_PORT: port
      .default(8080)
      .describe('Port of the collector (beacons, tracker.js; the demo shop is on KANON_DEMO_PORT)'),
    KANON_DASHBOARDS_PORT: port.default(8081).describe('Port of the dashboards and the query API'),
    KANON_DEMO_PORT: port
      .default(8082)
      .describe('Port of the demo shop that npm start serves (0 = off); the default KANON_SITES follows it'),
    KANON_DEMO_SEED: z
      .enum(['auto', 'always', 'never'])
      .default('auto')
      .describe(
        'npm start: seed demo traffic when the store is empty (auto asks on a terminal), always or never',
      ),
    KANON_METRICS_PORT: port
      .default(9464)
      .describe('Port of the Prometheus /metrics endpoint of workers-only processes (0 = off)'),
    KANON_METRICS_TOKEN: z
      .string()
      .min(24, 'must be at least 24 characters')
      .regex(/^\S+$/, 'must not contain spaces')
      .optional()
      .describe('Bearer token every /metrics endpoint then requires (unset: /metrics is open)'),
    REDIS_URL: redisUrl
      .optional()
      .describe(
        'Redis for the queue: redis://host:port, redis-cluster://host:port,… or redis-sentinel://host:port,…#primary. Unset: a private redis-server from PATH is started',
      ),
    KANON_SALT_REDIS_URL: redisUrl
      .optional()
      .describe('Redis for the daily salts, without persistence. Unset: a private one, or REDIS_URL'),
    KANON_REDIS_TLS_CA: pemFile('certificates').describe(
      'rediss:// only: CA certificates (PEM file) the Redis servers are checked against (unset: the system CAs)',
    ),
    KANON_REDIS_TLS_CERT: pemFile('certificates').describe(
      'rediss:// only: client certificate (PEM file) for a Redis that asks for one; with KANON_REDIS_TLS_KEY',
    ),
    KANON_REDIS_TLS_KEY: pemFile('key').describe(
      'rediss:// only: private key (PEM file) of KANON_REDIS_TLS_CERT',
    ),
    KANON_QUEUE_PREFIX: identifier.default('kanon').describe('Prefix of every Redis key Kanon writes'),
    KANON_REDIS_QUEUES: z.coerce
      .number()
      .int()
      .min(1)
      .max(64)
      .default(1)
      .describe(
        'Events queues batches are spread over by site, so a Redis Cluster shares the load among its primaries; every worker consumes all (docs/scaling.md)',
      ),
    CLICKHOUSE_URL: z
      .url({ protocol: /^https?$/ })
      .optional()
      .describe('ClickHouse server. Unset: embedded chDB'),
    CLICKHOUSE_USER: z.string().default('default').describe('ClickHouse user (server mode)'),
    CLICKHOUSE_PASSWORD: z.string().default('').describe('ClickHouse password (server mode)'),
    CLICKHOUSE_DATABASE: identifier.default('kanon').describe('Database holding Kanon tables'),
    KANON_CLICKHOUSE_TLS_CA: pemFile('certificates').describe(
      'https:// CLICKHOUSE_URL only: CA certificates (PEM file) the server is checked against (unset: the system CAs)',
    ),
    KANON_CLICKHOUSE_TLS_CERT: pemFile('certificates').describe(
      'https:// CLICKHOUSE_URL only: client certificate (PEM file), with KANON_CLICKHOUSE_TLS_KEY',
    ),
    KANON_CLICKHOUSE_TLS_KEY: pemFile('key').describe(
      'https:// CLICKHOUSE_URL only: private key (PEM file) of KANON_CLICKHOUSE_TLS_CERT',
    ),
    KANON_CLICKHOUSE_CLUSTER: identifier
      .optional()
      .describe(
        'With CLICKHOUSE_URL: the ClickHouse cluster (remote_servers) to run on: replicated tables sharded by site (docs/scaling.md)',
      ),
    KANON_DATA_DIR: z
      .string()
      .min(1)
      .default('./data')
      .describe(
        'Directory of the embedded engine and the private Redis; npm run user and sql find the running Kanon by it',
      ),
    KANON_SITES: z
      .string()
      .default('demo=http://localhost:8082,http://127.0.0.1:8082')
      .describe(
        "Sites and their allowed origins: id=origin[,origin][;id=origin] (unset: the demo shop, on KANON_DEMO_PORT); the origin null admits a sandboxed sender such as Shopify's Custom Pixel (docs/integrations/shopify.md)",
      ),
    KANON_K: z.coerce
      .number()
      .int()
      .min(2, 'must be at least 2 (invariant 3)')
      .max(1000)
      .default(5)
      .describe('Minimum distinct visitors behind every released figure'),
    KANON_MIN_NETWORKS: z.coerce
      .number()
      .int()
      .min(1)
      .max(1000)
      .default(2)
      .describe(
        'Minimum distinct networks (/24 or /48) behind every released figure, besides K visitors; 2 keeps one address from reaching K alone',
      ),
    KANON_EPSILON: z.coerce
      .number()
      .positive()
      .max(100)
      .optional()
      .describe(
        'Noise mode: the ε (differential privacy) each visitor spends per day; unset: exact figures (docs/privacy.md)',
      ),
    KANON_NOISE_ROWS: z.coerce
      .number()
      .int()
      .min(1)
      .max(100)
      .default(5)
      .describe('Noise mode: rows of one report a visitor counts in at most, per day'),
    KANON_NOISE_CLAMP: z.coerce
      .number()
      .int()
      .min(1)
      .max(1000)
      .default(3)
      .describe('Noise mode: most a visitor adds to one row of one count (views, units, ...)'),
    KANON_NOISE_MONEY: z.coerce
      .number()
      .positive()
      .max(1_000_000)
      .default(200)
      .describe('Noise mode: most a visitor adds to one row of revenue (major units)'),
    KANON_WINDOW: duration('the release window', 60, DAY, '1h').describe(
      'Release window: events are counted per window and released when it closes',
    ),
    KANON_GRACE: duration('wait after a window closes before it is released', 0, 6 * 3600, '1m').describe(
      'Wait after a window closes before it is released (late events)',
    ),
    KANON_STAGING_TTL: duration('how long staged cells live', 3600, 2 * DAY, '48h').describe(
      'Lifetime of staging cells (at most 48h, invariant 8)',
    ),
    KANON_RETENTION: duration('how long published rows are kept', DAY, 3650 * DAY, '400d').describe(
      'Lifetime of published rows',
    ),
    // At least a month: a log that forgets sooner cannot answer a monthly access review.
    KANON_AUDIT_RETENTION: duration(
      'how long the audit log keeps a row',
      30 * DAY,
      3650 * DAY,
      '400d',
    ).describe(
      'Lifetime of access audit log rows: sign-ins, queries, exports, user and setting changes (docs/operations.md)',
    ),
    KANON_BATCH_MAX_EVENTS: z.coerce
      .number()
      .int()
      .min(1)
      .max(50_000)
      .default(500)
      .describe('Group commit: events per queued micro-batch'),
    KANON_BATCH_MAX_WAIT_MS: z.coerce
      .number()
      .int()
      .min(0)
      .max(1000)
      .default(0)
      .describe(
        'Group commit: how long a micro-batch waits for more events; 0 queues it at the end of the turn, or once the previous one is in Redis',
      ),
    KANON_MAX_BODY_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .max(1_048_576)
      .default(65_536)
      .describe('Largest accepted beacon body'),
    KANON_MAX_EVENTS_PER_REQUEST: z.coerce
      .number()
      .int()
      .min(1)
      .max(500)
      .default(50)
      .describe('Most events in one beacon'),
    KANON_TRUST_PROXY: z
      .string()
      .default('false')
      .superRefine((value, ctx) => {
        const problem = trustProxyProblem(value);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .describe(
        'Proxies whose X-Forwarded-For is believed: false (none), a hop count (true = 1), or proxy addresses/CIDRs. The client is the rightmost address no trusted proxy added',
      ),
    KANON_HONOR_DNT: z.stringbool().default(true).describe('Treat DNT: 1 like Sec-GPC: 1 (not recorded)'),
    KANON_SEARCH_PARAMS: z
      .string()
      .default('q,query,search')
      .refine((value) => value.split(',').every((key) => /^[A-Za-z0-9_.-]{1,32}$/.test(key.trim())), {
        message: 'must be a comma-separated list of query keys',
      })
      .describe('Query keys of the shop search page; their value becomes the search term'),
    KANON_PATH_TEMPLATES: z
      .string()
      .default(DEFAULT_PATH_TEMPLATES)
      .transform((text, ctx) => {
        const parsed = parsePathTemplates(text);
        if (parsed.ok) return parsed.templates;
        ctx.addIssue({ code: 'custom', message: parsed.problem });
        return z.NEVER;
      })
      .describe(
        'Path keywords whose next segment may name a person or an order: it becomes :name or :id (keyword/:name[,keyword/:id]; none = off)',
      ),
    KANON_MAX_ORDER_VALUE: z.coerce
      .number()
      .positive()
      .max(10_000_000)
      .default(10_000)
      .describe('Largest order or item value counted (major units); larger ones are clamped'),
    KANON_BACKFILL_TOKEN: z
      .string()
      .min(24, 'must be at least 24 characters')
      .optional()
      .describe('Secret that lets the simulator send past timestamps (unset: never accepted)'),
    KANON_RATE_LIMIT: z.coerce
      .number()
      .int()
      .min(0)
      .default(1200)
      .describe('Beacons per minute from one address before 429 (0 = no limit)'),
    KANON_COLLECTOR_HEAP_GROWTH: z.coerce
      .number()
      .int()
      .min(0)
      .max(400)
      .default(100)
      .describe(
        'Dedicated collector process: how far (%) its heap may grow past the live size before a full GC; 0 leaves it to V8',
      ),
    KANON_SECURE_COOKIES: z
      .stringbool()
      .default(false)
      .describe('Dashboards behind HTTPS: Secure __Host- session cookie and HSTS'),
    KANON_DASHBOARDS_ORIGINS: z
      .string()
      .optional()
      .refine(
        (value) =>
          value === undefined || value.split(',').every((origin) => toOrigin(origin.trim()) !== undefined),
        {
          message: 'must be a comma-separated list of origins like https://stats.shop.example',
        },
      )
      .describe('Origins people open the dashboards at, behind a proxy (unset: Origin must match Host)'),
    KANON_CURRENCY: z
      .string()
      .regex(/^[A-Z]{3}$/, 'must be a three-letter ISO 4217 code like EUR')
      .optional()
      .describe('Currency of order values, for display in the dashboards'),
    KANON_SMTP_URL: z
      .string()
      .optional()
      .refine((value) => value === undefined || /^smtps?:\/\/[^\s]+$/i.test(value), {
        message: 'must be an smtp:// or smtps:// URL like smtp://user:password@mail.shop.example:587',
      })
      .describe('Mail server for the scheduled report e-mails (unset: none are sent)'),
    KANON_MAIL_FROM: z
      .string()
      .optional()
      .refine((value) => value === undefined || /^[^\r\n<>]*<?[^\s@<>]+@[^\s@<>]+>?$/.test(value), {
        message: 'must be an address like kanon@shop.example or Kanon <kanon@shop.example>',
      })
      .describe('Sender of the scheduled report e-mails (needed with KANON_SMTP_URL)'),
    KANON_SESSION_IDLE: duration('dashboard session idle timeout', 300, 30 * DAY, '12h').describe(
      'Dashboard sessions end after this long without a request',
    ),
    KANON_SESSION_MAX_AGE: duration('dashboard session lifetime', 3600, 90 * DAY, '7d').describe(
      'Dashboard sessions end after this long however active',
    ),
    KANON_QUERY_TIMEOUT: duration('analyst query time limit', 1, 600, '30s').describe(
      'Longest an analyst SQL query may run',
    ),
    KANON_QUERY_MAX_ROWS: z.coerce
      .number()
      .int()
      .min(1)
      .max(1_000_000)
      .default(10_000)
      .describe('Most rows an analyst SQL query returns'),
    KANON_WORKER_CONCURRENCY: z.coerce
      .number()
      .int()
      .min(1)
      .max(256)
      .default(32)
      .describe(
        'Batches a worker takes at once; it stages them in groups of up to half as many, one insert each',
      ),
    KANON_LOG_LEVEL: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info')
      .describe('Log level'),
  })
  .superRefine((env, ctx) => {
    if (DAY % env.KANON_WINDOW !== 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['KANON_WINDOW'],
        message: 'must divide a day evenly (e.g. 1m, 5m, 15m, 1h, 6h, 1d)',
      });
    }
    if (env.KANON_MIN_NETWORKS > env.KANON_K) {
      ctx.addIssue({
        code: 'custom',
        path: ['KANON_MIN_NETWORKS'],
        message: 'must be at most KANON_K (a network holds at least one visitor)',
      });
    }
    // A day is released over the staged cells of all its windows, so staging must outlive one.
    if (env.KANON_STAGING_TTL < DAY + env.KANON_WINDOW + env.KANON_GRACE) {
      ctx.addIssue({
        code: 'custom',
        path: ['KANON_STAGING_TTL'],
        message: 'must be at least 1d plus KANON_WINDOW plus KANON_GRACE, so a day can be released',
      });
    }
    const sites = parseSites(env.KANON_SITES);
    if (!sites.ok) ctx.addIssue({ code: 'custom', path: ['KANON_SITES'], message: sites.problem });
    const tlsProblems = [
      ...tlsGroupProblems(
        'KANON_REDIS_TLS',
        { ca: env.KANON_REDIS_TLS_CA, cert: env.KANON_REDIS_TLS_CERT, key: env.KANON_REDIS_TLS_KEY },
        [env.REDIS_URL, env.KANON_SALT_REDIS_URL].some(isTlsRedis),
        'neither REDIS_URL nor KANON_SALT_REDIS_URL is a rediss:// URL',
      ),
      ...tlsGroupProblems(
        'KANON_CLICKHOUSE_TLS',
        {
          ca: env.KANON_CLICKHOUSE_TLS_CA,
          cert: env.KANON_CLICKHOUSE_TLS_CERT,
          key: env.KANON_CLICKHOUSE_TLS_KEY,
        },
        /^https:/i.test(env.CLICKHOUSE_URL ?? ''),
        'CLICKHOUSE_URL is not an https:// URL',
      ),
    ];
    if (env.KANON_SMTP_URL && !env.KANON_MAIL_FROM) {
      ctx.addIssue({
        code: 'custom',
        path: ['KANON_MAIL_FROM'],
        message: 'is needed with KANON_SMTP_URL: the address the report e-mails come from',
      });
    }
    if (env.KANON_CLICKHOUSE_CLUSTER && !env.CLICKHOUSE_URL) {
      ctx.addIssue({
        code: 'custom',
        path: ['KANON_CLICKHOUSE_CLUSTER'],
        message: 'needs CLICKHOUSE_URL: the embedded engine is one process, not a cluster',
      });
    }
    for (const { variable, message } of tlsProblems)
      ctx.addIssue({ code: 'custom', path: [variable], message });
  });

export type WarehouseConfig =
  | {
      kind: 'server';
      url: string;
      user: string;
      password: string;
      database: string;
      tls?: TlsFiles;
      /** KANON_CLICKHOUSE_CLUSTER: run ON CLUSTER, replicated and sharded (schema/cluster-ddl.ts). */
      cluster?: string;
    }
  | { kind: 'embedded'; dataDir: string; database: string };

export interface Config {
  server: {
    host: string;
    collectorPort: number;
    dashboardsPort: number;
    metricsPort: number;
    metricsToken: string | undefined;
    demoPort: number;
  };
  demo: { seed: 'auto' | 'always' | 'never'; trustProxyExplicit: boolean };
  /** `tls` applies to the rediss:// URLs among them only (core/redis/connect.ts). */
  redis: {
    url: string | undefined;
    saltUrl: string | undefined;
    prefix: string;
    /** KANON_REDIS_QUEUES (core/redis/key-layout.ts). */
    queues: number;
    tls: TlsFiles | undefined;
  };
  warehouse: WarehouseConfig;
  dataDir: string;
  collector: {
    sites: Site[];
    maxBodyBytes: number;
    maxEventsPerRequest: number;
    batch: { maxEvents: number; maxWaitMs: number };
    trustProxy: TrustProxy;
    honourDnt: boolean;
    searchParams: string[];
    pathTemplates: PathTemplate[];
    maxOrderCents: number;
    backfillToken: string | undefined;
    rateLimitPerMinute: number;
    heapGrowthPercent: number;
  };
  workers: { concurrency: number };
  dashboards: {
    secureCookies: boolean;
    publicOrigins: string[] | undefined;
    currency: string | undefined;
    /** Scheduled report e-mails (dashboards/mail/); unset without KANON_SMTP_URL. */
    mail: { smtpUrl: string; from: string } | undefined;
    sessionIdleSeconds: number;
    sessionMaxAgeSeconds: number;
    queryTimeoutSeconds: number;
    queryMaxRows: number;
  };
  release: {
    k: number;
    /** KANON_MIN_NETWORKS: distinct networks every released figure needs besides K visitors. */
    minNetworks: number;
    /** Noise mode's settings when KANON_EPSILON is set (workers/release/noise/noisy-release.ts). */
    noise?: { epsilon: number; rows: number; clamp: number; moneyCents: number };
    windowSeconds: number;
    graceSeconds: number;
    stagingTtlSeconds: number;
    retentionSeconds: number;
  };
  /** The access audit log (dashboards/audit/). */
  audit: { retentionSeconds: number };
  log: { level: string };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `Kanon cannot start: the configuration is invalid (README, section "Configuration").\n${problems
        .map((problem) => `  ${problem}`)
        .join('\n')}`,
    );
    this.name = 'ConfigError';
  }
}

const tlsFiles = (ca?: Buffer, cert?: Buffer, key?: Buffer): TlsFiles | undefined =>
  ca || cert || key ? { ca, cert, key } : undefined;

/** Reads and checks every setting; throws a ConfigError listing each bad variable and its rule. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // An empty variable means "unset", as in most twelve-factor apps.
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  // Unset, the sites are npm start's demo shop, wherever KANON_DEMO_PORT puts it.
  const demoPort = present.KANON_DEMO_PORT;
  if (present.KANON_SITES === undefined && demoPort !== undefined && /^[1-9]\d*$/.test(demoPort))
    present.KANON_SITES = `demo=http://localhost:${demoPort},http://127.0.0.1:${demoPort}`;
  const parsed = EnvSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${issue.path.join('.') || '(environment)'}: ${issue.message}`),
    );
  }
  const e = parsed.data;
  const sites = parseSites(e.KANON_SITES);
  return {
    server: {
      host: e.KANON_HOST,
      collectorPort: e.KANON_COLLECTOR_PORT,
      dashboardsPort: e.KANON_DASHBOARDS_PORT,
      metricsPort: e.KANON_METRICS_PORT,
      metricsToken: e.KANON_METRICS_TOKEN,
      demoPort: e.KANON_DEMO_PORT,
    },
    demo: { seed: e.KANON_DEMO_SEED, trustProxyExplicit: present.KANON_TRUST_PROXY !== undefined },
    redis: {
      url: e.REDIS_URL,
      saltUrl: e.KANON_SALT_REDIS_URL,
      prefix: e.KANON_QUEUE_PREFIX,
      queues: e.KANON_REDIS_QUEUES,
      tls: tlsFiles(e.KANON_REDIS_TLS_CA, e.KANON_REDIS_TLS_CERT, e.KANON_REDIS_TLS_KEY),
    },
    warehouse: e.CLICKHOUSE_URL
      ? {
          kind: 'server',
          url: e.CLICKHOUSE_URL,
          user: e.CLICKHOUSE_USER,
          password: e.CLICKHOUSE_PASSWORD,
          database: e.CLICKHOUSE_DATABASE,
          tls: tlsFiles(e.KANON_CLICKHOUSE_TLS_CA, e.KANON_CLICKHOUSE_TLS_CERT, e.KANON_CLICKHOUSE_TLS_KEY),
          ...(e.KANON_CLICKHOUSE_CLUSTER ? { cluster: e.KANON_CLICKHOUSE_CLUSTER } : {}),
        }
      : { kind: 'embedded', dataDir: e.KANON_DATA_DIR, database: e.CLICKHOUSE_DATABASE },
    dataDir: e.KANON_DATA_DIR,
    collector: {
      sites: sites.ok ? sites.sites : [],
      maxBodyBytes: e.KANON_MAX_BODY_BYTES,
      maxEventsPerRequest: e.KANON_MAX_EVENTS_PER_REQUEST,
      batch: { maxEvents: e.KANON_BATCH_MAX_EVENTS, maxWaitMs: e.KANON_BATCH_MAX_WAIT_MS },
      trustProxy: parseTrustProxy(e.KANON_TRUST_PROXY),
      honourDnt: e.KANON_HONOR_DNT,
      searchParams: e.KANON_SEARCH_PARAMS.split(',').map((key) => key.trim()),
      pathTemplates: e.KANON_PATH_TEMPLATES,
      maxOrderCents: Math.round(e.KANON_MAX_ORDER_VALUE * 100),
      backfillToken: e.KANON_BACKFILL_TOKEN,
      rateLimitPerMinute: e.KANON_RATE_LIMIT,
      heapGrowthPercent: e.KANON_COLLECTOR_HEAP_GROWTH,
    },
    workers: { concurrency: e.KANON_WORKER_CONCURRENCY },
    dashboards: {
      secureCookies: e.KANON_SECURE_COOKIES,
      publicOrigins: e.KANON_DASHBOARDS_ORIGINS?.split(',').map(
        (origin) => toOrigin(origin.trim()) as string,
      ),
      currency: e.KANON_CURRENCY,
      mail:
        e.KANON_SMTP_URL && e.KANON_MAIL_FROM
          ? { smtpUrl: e.KANON_SMTP_URL, from: e.KANON_MAIL_FROM }
          : undefined,
      sessionIdleSeconds: e.KANON_SESSION_IDLE,
      sessionMaxAgeSeconds: e.KANON_SESSION_MAX_AGE,
      queryTimeoutSeconds: e.KANON_QUERY_TIMEOUT,
      queryMaxRows: e.KANON_QUERY_MAX_ROWS,
    },
    release: {
      k: e.KANON_K,
      minNetworks: e.KANON_MIN_NETWORKS,
      ...(e.KANON_EPSILON === undefined
        ? {}
        : {
            noise: {
              epsilon: e.KANON_EPSILON,
              rows: e.KANON_NOISE_ROWS,
              clamp: e.KANON_NOISE_CLAMP,
              moneyCents: Math.round(e.KANON_NOISE_MONEY * 100),
            },
          }),
      windowSeconds: e.KANON_WINDOW,
      graceSeconds: e.KANON_GRACE,
      stagingTtlSeconds: e.KANON_STAGING_TTL,
      retentionSeconds: e.KANON_RETENTION,
    },
    audit: { retentionSeconds: e.KANON_AUDIT_RETENTION },
    log: { level: e.KANON_LOG_LEVEL },
  };
}
