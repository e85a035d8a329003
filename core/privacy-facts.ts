import { AnonymousEvent } from '../schema/event.js';
import { REPORT_LIST } from '../schema/reports.js';
import type { Config } from './config.js';
import { formatDuration } from './duration.js';
import { AOF_REWRITE_EVERY_MS } from './redis/aof-rewrites.js';

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
