-- app_audit_log: who did what with the data and the deployment, for the shop's auditor (issue 30).
-- Every sign-in and failed sign-in, every analyst query (its text, row count, duration, refusal),
-- CSV download and export, user or role change, setting change, catalogue import, purge, backup
-- and restore is one row: who (a dashboard user and their role, or `cli`/`control` for the local
-- command-line tools, `system` for Kanon itself), when, the action, its target, the outcome.
--
-- What it never holds: a shopper's data (no result rows, no address, no user agent) and no
-- password, token or secret. A failed sign-in names the attempted user only when that user exists,
-- so a password typed into the user-name field is not kept (dashboards/audit/audit-log.ts).
--
-- Like app_users it is not a pub_ table: analysts' SQL cannot read it (core/warehouse/
-- analyst-guard.ts, filtered to nothing on their connection as well).
-- Why MergeTree and append-only: the application inserts rows and never changes or deletes one;
-- nothing in Kanon runs ALTER ... UPDATE/DELETE on it (npm run purge leaves it alone), so a row,
-- once written, stays until its retention ends.
-- Why ORDER BY (at, id) and PARTITION BY month: an admin reads it newest first over a time range;
-- whole months expire together.
-- Why the TTL: KANON_AUDIT_RETENTION (default 400 days), its own retention apart from the
-- published tables'; schema/apply-retention.ts brings it in line when the setting changes.
-- Why a deduplication window: each row is inserted under the token `audit:<id>`, so an insert
-- retried after a lost answer is stored once.
CREATE TABLE IF NOT EXISTS app_audit_log
(
    at DateTime64(3, 'UTC'),
    id String,
    actor String,
    role LowCardinality(String),
    action LowCardinality(String),
    target String,
    outcome LowCardinality(String),
    code LowCardinality(String),
    query String,
    row_count UInt64,
    duration_ms UInt32,
    detail String
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(at)
ORDER BY (at, id)
TTL toDateTime(at) + toIntervalSecond({{AUDIT_RETENTION_SECONDS}})
SETTINGS non_replicated_deduplication_window = 1000;
