-- stg_released goes: nothing writes or reads it any more.
--
-- Why: it held, per day, the visitor sets of the rows each window had published, so that a day
-- could be rolled up from its windows. Days are now released over the whole day's staged cells
-- (workers/release/release-day.ts), which hold the same tokens, so these copies of visitor tokens
-- were only more of them at rest (invariant 4: tokens live in the staging tier, as briefly as the
-- release needs them).
DROP TABLE IF EXISTS stg_released;
