-- app_report_subscriptions and app_report_mails: the scheduled report e-mails (issue 26). A
-- dashboards user who asks for it gets a daily or weekly summary of one site: the overview's
-- figures, the top insights and a link (dashboards/mail/).
--
-- app_report_subscriptions holds each user's choice: the address to write to, how often (daily,
-- weekly, or off) and which site. An address is a dashboards user's, not a shopper's; like
-- app_users it is the dashboards' own table, never published, and analysts' SQL cannot read it
-- (core/warehouse/analyst-guard.ts).
-- Why ReplacingMergeTree(version) ORDER BY username: every change is one inserted row with a higher
-- version; reads take the latest row per user with argMax, correct before and after merges.
--
-- app_report_mails records each mail sent: who, which frequency and which period (its first day).
-- The scheduler looks here before sending, so a period's mail goes out once, also across restarts.
-- Why ReplacingMergeTree ORDER BY (username, frequency, period_start): one row per mail, and a row
-- written twice (a retried insert) collapses into one.
-- Why the TTL: a row matters only until its period is long past; 400 days keeps a year of history.
CREATE TABLE IF NOT EXISTS app_report_subscriptions
(
    username String,
    email String,
    frequency LowCardinality(String),
    site LowCardinality(String),
    version UInt64,
    updated_at DateTime('UTC')
)
ENGINE = ReplacingMergeTree(version)
ORDER BY username;

CREATE TABLE IF NOT EXISTS app_report_mails
(
    username String,
    frequency LowCardinality(String),
    period_start Date,
    sent_at DateTime('UTC')
)
ENGINE = ReplacingMergeTree
ORDER BY (username, frequency, period_start)
TTL sent_at + INTERVAL 400 DAY;
