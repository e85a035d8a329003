-- Noise mode (KANON_EPSILON): the manifest says, per released period and report, the ε its figures
-- spent and each figure's noise scale, so the dashboards can show a ± margin beside every noisy
-- figure and an auditor can check the budget (docs/privacy.md, "Noise mode"). 0 and an empty map
-- in plain mode.
ALTER TABLE pub_releases ADD COLUMN IF NOT EXISTS epsilon Float64 DEFAULT 0 AFTER withheld;
ALTER TABLE pub_releases ADD COLUMN IF NOT EXISTS noise Map(String, Float64) AFTER epsilon;

-- app_secrets: secrets of the deployment that never leave it, starting with the noise secret, from
-- which every noisy figure's noise is drawn (so a figure is the same number however often it is
-- read or released). Who knows it can take the noise away again: it is not a pub_ table, analysts
-- cannot read it (core/warehouse/analyst-guard.ts), and it is written once and never changed.
-- Two workers creating it at once insert under one deduplication token, so one row lands;
-- if two ever did, the oldest is the one read.
CREATE TABLE IF NOT EXISTS app_secrets
(
    name String,
    value String,
    created_at DateTime64(3, 'UTC')
)
ENGINE = MergeTree
ORDER BY (name, created_at)
SETTINGS non_replicated_deduplication_window = 1000;
