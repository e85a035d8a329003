-- app_catalog and app_catalog_versions: each site's product catalogue, from the shop's product feed
-- (Google Merchant Center format), so the dashboards name products ("Ethiopia Yirgacheffe", not
-- "p01") and show their picture, link and availability.
--
-- A feed is shop data, not shopper data: it holds nothing about a visitor, and it never joins into
-- the release (the pub_ tables and their manifest are built from staging alone). Like app_users it
-- is the dashboards' own table, not a published one, so analysts' SQL cannot read it (core/
-- warehouse/analyst-guard.ts); the shop already has its feed.
--
-- Why a version per import: an import replaces the site's catalogue atomically. Its items are
-- written under a new version, and only once all are in is the version recorded in
-- app_catalog_versions, which is the switch: readers take the site's highest recorded version, so
-- they see the old catalogue or the new one, never half of one. A failed import leaves a version
-- nobody reads, dropped by the importer (or by the next import).
-- Why PARTITION BY (site, version): dropping a replaced or failed version is one DROP PARTITION,
-- instant whatever its size, instead of a mutation that rewrites parts.
-- Why MergeTree with a deduplication window: each batch of items is inserted with a token
-- `catalog:<site>:<version>:<batch>`, so a retried insert is stored once.
-- Why no TTL: a catalogue lives until it is replaced or its site is purged (npm run purge).
CREATE TABLE IF NOT EXISTS app_catalog
(
    site LowCardinality(String),
    version UInt64,
    product_id String,
    title String,
    link String,
    image_link String,
    price_cents Nullable(UInt64),
    currency LowCardinality(String),
    product_type String,
    availability LowCardinality(String)
)
ENGINE = MergeTree
PARTITION BY (site, version)
ORDER BY (site, version, product_id)
SETTINGS non_replicated_deduplication_window = 1000;

-- One row per completed import: what the admin page shows (size, date) and which image hosts the
-- dashboards' Content-Security-Policy allows for that site's thumbnails.
-- Why ReplacingMergeTree ORDER BY (site, version): a retried insert of the same version row is kept once.
CREATE TABLE IF NOT EXISTS app_catalog_versions
(
    site LowCardinality(String),
    version UInt64,
    items UInt32,
    bad_lines UInt32,
    format LowCardinality(String),
    image_origins Array(String),
    imported_at DateTime('UTC')
)
ENGINE = ReplacingMergeTree
ORDER BY (site, version);
