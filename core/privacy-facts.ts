import { AnonymousEvent } from '../schema/event.js';
import { REPORT_LIST } from '../schema/reports.js';
import type { Config } from './config.js';
import { formatDuration } from './duration.js';
import { AOF_REWRITE_EVERY_MS } from './redis/aof-rewrites.js';

/**
 * Noise mode (KANON_EPSILON), as docs/privacy.md states the budget: ε per visitor and day, spent
 * evenly over the reports (each report's share is in the manifest, pub_releases.epsilon), nothing
 * per window (windows publish nothing), δ = 0; or exact figures.
 */
function noiseFacts(config: Config) {
  const noise = config.release.noise;
  if (!noise) return { mode: 'exact' as const, epsilon_per_visitor_day: null };
  return {
    mode: 'noise' as const,
    mechanism: 'discrete Laplace, seeded from a secret and the figure, so a figure reads the same every time',
    epsilon_per_visitor_day: noise.epsilon,
    epsilon_per_window: 0,
    epsilon_per_report_day: noise.epsilon / REPORT_LIST.length,
    delta: 0,
    composition: 'pure ε-differential privacy per visitor token: a day spends ε, n days n·ε',
    bounds: {
      rows_per_report: noise.rows,
      count_per_row: noise.clamp,
      money_per_row: noise.moneyCents / 100,
    },
    released: 'whole days only',
    margins: 'the dashboards show each noisy figure with its ± margin (95 %)',
  };
}

/**
 * What this deployment collects, derives, drops and keeps, generated from its running
 * configuration and schema, and served at GET /privacy.json so an auditor can check a deployment
 * rather than a document (docs/privacy.md explains each fact).
 */
export function privacyFacts(config: Config) {
  return {
    version: 1,
    k: config.release.k,
    min_networks: config.release.minNetworks,
    noise: noiseFacts(config),
    window: formatDuration(config.release.windowSeconds),
    grace: formatDuration(config.release.graceSeconds),
    staging_ttl: formatDuration(config.release.stagingTtlSeconds),
    published_retention: formatDuration(config.release.retentionSeconds),
    salt: {
      rotation: 'daily (UTC)',
      lifetime: 'expires at the end of the day after its day; kept only in Redis without persistence',
      token:
        "HMAC-SHA256(salt, ip|user-agent|site), first 64 bits, whose top 16 bits are the code of the address's /24 or /48 under the salt; staging tier only (every released figure needs min_networks distinct codes)",
    },
    queue_on_disk: `a staged batch leaves the queue Redis's append-only file within ${formatDuration((1.5 * AOF_REWRITE_EVERY_MS) / 1000)} (workers rewrite it at most every ${formatDuration(AOF_REWRITE_EVERY_MS / 1000)}); a batch that failed for good is removed 48h after it failed`,
    opt_out: {
      sec_gpc: 'not recorded',
      dnt: config.collector.honourDnt ? 'not recorded' : 'ignored',
      kept: 'a counter of opted-out events (kanon_collector_opted_out_total), nothing else',
    },
    dropped_at_ingest: [
      'IP address (used for the visitor token, its network code and a country lookup, then dropped)',
      'User-Agent (parsed into browser family, OS family and device class, then dropped)',
      'cookies and all other request headers',
      'query-string values except utm_source, utm_medium, utm_campaign and the search keys',
      'URL fragments, user info and ports',
      'referrer paths and queries (only the host is kept)',
    ],
    search_keys: config.collector.searchParams,
    scrubbed: [
      'e-mail',
      'phone',
      'card number (Luhn)',
      'IBAN',
      'UUID',
      'JWT',
      'hex/base64 token',
      'IP address',
      'long numeric id',
      'control and invisible characters (removed)',
    ],
    path_templates: config.collector.pathTemplates.map(
      (template) => `${template.keyword}/:${template.placeholder}`,
    ),
    fields_queued: Object.keys(AnonymousEvent.shape),
    reports: REPORT_LIST.map((report) => ({
      name: report.name,
      dimensions: report.dims.map((dim) => dim.name),
      measures: report.measures.map((measure) => measure.name),
    })),
    max_order_value: config.collector.maxOrderCents / 100,
    sites: config.collector.sites.map((site) => site.id),
  };
}
