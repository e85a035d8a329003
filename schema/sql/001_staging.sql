-- stg_cells: the staging tier. One row per (site, window, report, cell key), written by workers.
--
-- Why AggregatingMergeTree: a batch folds into cells and many batches touch the same cell; the
-- engine merges them in the background (sumMap of the measures, union of the visitor sets), so
-- workers only ever append. `visitors` is a groupUniqArray state over 64-bit visitor tokens: like
-- a uniqExact state it is unchanged by a duplicate insert, and the release step can take unions
-- across cells exactly (generalising small groups needs the union, not a sum).
--
-- Why one table for every report: a batch is one insert (one deduplication token), which keeps
-- a batch atomic and the worker fast; the report catalogue (schema/reports.ts) names d1..d3.
--
-- Why this TTL: invariant 8. Staging holds visitor tokens and is only kept until its windows are
-- released and rolled up into days; KANON_STAGING_TTL (default 48h, never more). The TTL runs
-- from `staged_at` rather than from the window, so backfilled past days live long enough to be
-- released.
--
-- Deduplication: non-replicated MergeTree tables only honour insert_deduplication_token when
-- non_replicated_deduplication_window is set; each batch job inserts with token `<job id>:cells`,
-- so a batch retried after a crash is counted once (invariant 5).
CREATE TABLE IF NOT EXISTS stg_cells
(
    site LowCardinality(String),
    window_start DateTime('UTC'),
    report LowCardinality(String),
    d1 String,
    d2 String,
    d3 String,
    measures SimpleAggregateFunction(sumMap, Map(String, UInt64)),
    visitors AggregateFunction(groupUniqArray, UInt64),
    staged_at SimpleAggregateFunction(max, DateTime('UTC'))
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMMDD(window_start)
ORDER BY (site, window_start, report, d1, d2, d3)
TTL staged_at + INTERVAL {{STAGING_TTL_SECONDS}} SECOND
SETTINGS non_replicated_deduplication_window = 100000;

-- stg_released: the visitor sets of the rows a window release published, kept in the staging tier
-- so a whole day can be rolled up (pub_*_by_day) from exactly what its windows published: the
-- day's counts are sums of published window rows, and its distinct visitors the union of the same
-- visitors. Nothing that was suppressed in a window can come back in a day total.
-- Same engine, deduplication and TTL reasons as stg_cells.
CREATE TABLE IF NOT EXISTS stg_released
(
    site LowCardinality(String),
    day Date,
    report LowCardinality(String),
    level UInt8,
    d1 String,
    d2 String,
    d3 String,
    visitors AggregateFunction(uniqExact, UInt64),
    staged_at SimpleAggregateFunction(max, DateTime('UTC'))
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (site, day, report, level, d1, d2, d3)
TTL staged_at + INTERVAL {{STAGING_TTL_SECONDS}} SECOND
SETTINGS non_replicated_deduplication_window = 100000;
