import { REPORT_NAMES, type ReportName } from './reports.js';

/**
 * Every table Kanon writes, as a closed set: SQL never takes a table name from input.
 * Tiers show in the prefix: `stg_*` is staging (visitor tokens, short TTL, workers only),
 * `pub_*` is released (k-anonymous, what dashboards and analysts read).
 */
export const STAGING_TABLE = 'stg_cells';
export const RELEASES_TABLE = 'pub_releases';
export const MIGRATIONS_TABLE = 'kanon_migrations';
/** Dashboard users (password hashes): never published, never readable by analysts. */
export const USERS_TABLE = 'app_users';
/** The deployment's secrets, such as noise mode's (008_noise_mode.sql): never published, never read by analysts. */
export const SECRETS_TABLE = 'app_secrets';
/** Shops' product feeds, per site and import version: shop data, never published (007_app_catalog.sql). */
export const CATALOG_TABLE = 'app_catalog';
export const CATALOG_VERSIONS_TABLE = 'app_catalog_versions';
/** Who did what (sign-ins, queries, exports, user and setting changes): never published, never read by analysts (009_app_audit_log.sql). */
export const AUDIT_TABLE = 'app_audit_log';
/** Users' choices of scheduled report e-mails (addresses of dashboards users): never published, never read by analysts (010_app_report_subscriptions.sql). */
export const REPORT_SUBSCRIPTIONS_TABLE = 'app_report_subscriptions';
/** The scheduled report e-mails sent, one row per user and period, so none goes out twice. */
export const REPORT_MAILS_TABLE = 'app_report_mails';
/** SHA-256 hashes of the per-site secrets of server-side events: never published, never read by analysts (011_app_site_secrets.sql). */
export const SITE_SECRETS_TABLE = 'app_site_secrets';

export type Grain = 'window' | 'day';
export const GRAINS: readonly Grain[] = ['window', 'day'];

export type PublishedTable = `pub_${ReportName}_by_${Grain}`;
export type TableName =
  | typeof STAGING_TABLE
  | typeof RELEASES_TABLE
  | typeof MIGRATIONS_TABLE
  | typeof USERS_TABLE
  | typeof SECRETS_TABLE
  | typeof CATALOG_TABLE
  | typeof CATALOG_VERSIONS_TABLE
  | typeof AUDIT_TABLE
  | typeof REPORT_SUBSCRIPTIONS_TABLE
  | typeof REPORT_MAILS_TABLE
  | typeof SITE_SECRETS_TABLE
  | PublishedTable;

export function publishedTable(report: ReportName, grain: Grain): PublishedTable {
  return `pub_${report}_by_${grain}`;
}

export const PUBLISHED_TABLES: readonly PublishedTable[] = REPORT_NAMES.flatMap((report) =>
  GRAINS.map((grain) => publishedTable(report, grain)),
);

/** Tables an analyst may read: everything released, nothing staged. */
export const ANALYST_TABLES: readonly string[] = [RELEASES_TABLE, ...PUBLISHED_TABLES];
