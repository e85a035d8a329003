import type { Config } from '../../core/config.js';
import { formatDuration } from '../../core/duration.js';
import { describeTrustProxy } from '../../core/http/trust-proxy.js';
import type { Setting } from '../../dashboards/routes/admin.js';
import { REPORT_LIST } from '../../schema/reports.js';

/** What admins see on the settings page: the running configuration, no secrets. */
export function adminSettings(config: Config): Setting[] {
  return [
    {
      name: 'KANON_K',
      value: config.release.k,
      doc: 'Minimum distinct visitors behind every released figure',
    },
    {
      name: 'KANON_EPSILON',
      value: config.release.noise
        ? `noise mode: ε = ${config.release.noise.epsilon} per visitor and day (ε/${REPORT_LIST.length} per report, none per window, δ = 0)`
        : 'not set: exact figures (no noise)',
      doc: 'Release mode: with ε, every figure carries calibrated noise and a ± margin (docs/privacy.md, "Noise mode")',
    },
    { name: 'KANON_WINDOW', value: formatDuration(config.release.windowSeconds), doc: 'Release window' },
    {
      name: 'KANON_GRACE',
      value: formatDuration(config.release.graceSeconds),
      doc: 'Wait before a closed window is released',
    },
    {
      name: 'KANON_STAGING_TTL',
      value: formatDuration(config.release.stagingTtlSeconds),
      doc: 'Lifetime of staging cells',
    },
    {
      name: 'KANON_RETENTION',
      value: formatDuration(config.release.retentionSeconds),
      doc: 'Lifetime of published rows',
    },
    {
      name: 'KANON_CURRENCY',
      value: config.dashboards.currency ?? 'not set: amounts are shown without a currency',
      doc: "The shop's currency: revenue is shown in it, and the tag sends order values in it",
    },
    { name: 'KANON_HONOR_DNT', value: config.collector.honourDnt, doc: 'DNT: 1 is treated like Sec-GPC: 1' },
    {
      name: 'KANON_TRUST_PROXY',
      value: describeTrustProxy(config.collector.trustProxy),
      doc: 'Which X-Forwarded-For is believed',
    },
    { name: 'Warehouse', value: config.warehouse.kind, doc: 'embedded chDB or a ClickHouse server' },
    {
      name: 'KANON_METRICS_TOKEN',
      // Whether it is set, never the token: this page is for checking a deployment, not a vault.
      value: config.server.metricsToken ? 'set' : 'not set: /metrics is open',
      doc: 'Bearer token every /metrics endpoint requires',
    },
  ];
}
