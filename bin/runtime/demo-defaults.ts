import { randomBytes } from 'node:crypto';
import type { Config } from '../../core/config.js';
import { LOOPBACK_PROXIES } from '../../core/http/trust-proxy.js';
import type { Logger } from '../../core/log.js';
import { loadCatalogue } from '../../demo/simulator/catalogue.js';

/**
 * `npm start` is the newcomer's demo: unless configured otherwise, it believes X-Forwarded-For from
 * loopback only (the simulator sends distinct visitors that way; behind a local reverse proxy the
 * proxy is loopback too) and lets its own seeding backfill past days with a per-process secret.
 * While the demo shop is the only site, amounts are in its currency unless KANON_CURRENCY says.
 */
export async function demoDefaults(config: Config, log: Logger): Promise<Config> {
  const collector = { ...config.collector };
  if (!config.demo.trustProxyExplicit) {
    collector.trustProxy = LOOPBACK_PROXIES;
    log.info('demo: X-Forwarded-For is believed from loopback only (set KANON_TRUST_PROXY to change)');
  }
  collector.backfillToken ??= randomBytes(24).toString('base64url');
  const dashboards = { ...config.dashboards };
  if (!dashboards.currency && config.collector.sites.every((site) => site.id === 'demo')) {
    dashboards.currency = (await loadCatalogue()).currency;
    log.info(
      `demo: amounts are in ${dashboards.currency}, the demo shop's currency (set KANON_CURRENCY to change)`,
    );
  }
  return { ...config, collector, dashboards };
}
