-- Server mode only: the read-only role for data engineers (invariant 9). It may SELECT the
-- published tables and nothing else: no staging (visitor tokens), no migrations, no users table.
-- Grant it to a user of your own, with a read-only settings profile, e.g.
--   CREATE USER analyst IDENTIFIED WITH sha256_password BY '...' SETTINGS readonly = 1;
--   GRANT kanon_analyst TO analyst;
-- (docs/api.md). The embedded engine has no users; there the query API enforces the same with a
-- read-only connection (core/warehouse/analyst-sql.ts).
CREATE ROLE IF NOT EXISTS kanon_analyst;
GRANT SELECT ON {{DATABASE}}.pub_* TO kanon_analyst;
