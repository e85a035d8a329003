-- app_site_secrets: the per-site secrets a shop's backend authenticates POST /api/event with
-- (docs/integrations/server-side.md). Only a SHA-256 of each secret is kept: the secret is 256
-- random bits, shown once when an admin creates or rotates it (npm run site-secret), so a hash
-- without a salt or a slow function cannot be reversed by guessing.
--
-- Never published and never readable by analysts (core/warehouse/analyst-guard.ts). No shopper data.
-- Why one row per (site, version) and the highest version wins: a rotation is an insert, never an
-- update, and the previous secret stops working the moment the new row is in. Revoking inserts a
-- row with an empty hash, which no secret matches.
-- Why no TTL: a secret lives until it is rotated or its site is purged.
CREATE TABLE IF NOT EXISTS app_site_secrets
(
    site LowCardinality(String),
    version UInt64,
    secret_sha256 String,
    created_at DateTime('UTC')
)
ENGINE = MergeTree
ORDER BY (site, version);
