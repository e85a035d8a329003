-- pub_releases: the release manifest, one row per (site, grain, period, report) released.
--
-- It is both the record that a period was released (so a release runs once per period) and what
-- the dashboards show next to a figure: K, rows published, how many of them are generalised rows,
-- how many small groups were folded into those, and how many were suppressed outright. It counts
-- groups, never visitors or events, and is readable by analysts.
--
-- Why ReplacingMergeTree: two workers releasing the same window at once insert the same row with
-- the same deduplication token; if a row ever did arrive twice, the engine keeps one.
-- Why this TTL: the manifest lives as long as the rows it describes (KANON_RETENTION).
CREATE TABLE IF NOT EXISTS pub_releases
(
    site LowCardinality(String),
    grain LowCardinality(String),
    period_start DateTime('UTC'),
    period_seconds UInt32,
    report LowCardinality(String),
    k UInt16,
    rows_published UInt32,
    rows_generalised UInt32,
    groups_generalised UInt32,
    groups_suppressed UInt32,
    released_at DateTime('UTC')
)
ENGINE = ReplacingMergeTree(released_at)
PARTITION BY toYYYYMM(period_start)
ORDER BY (site, grain, period_start, report)
TTL period_start + INTERVAL {{RETENTION_SECONDS}} SECOND
SETTINGS non_replicated_deduplication_window = 10000;
