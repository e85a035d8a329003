-- pub_releases says that a window was withheld, and no longer counts the groups it withheld.
--
-- Why: a window of fewer than K visitors publishes nothing, but its manifest rows counted the
-- groups those visitors made (products 3, searches 2, funnel steps 4 or 5): how many products
-- and terms two shoppers had, and that one of them bought. A count of withheld groups always
-- describes fewer than K visitors (that is why they were withheld), so the column goes, with the
-- counts already written. A window withheld whole now says so (`withheld` = 1) and nothing more;
-- `groups_generalised` keeps counting only groups folded into published rows of K or more.
ALTER TABLE pub_releases ADD COLUMN IF NOT EXISTS withheld UInt8 DEFAULT 0 AFTER k;
ALTER TABLE pub_releases DROP COLUMN IF EXISTS groups_suppressed;
