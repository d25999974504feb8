-- 0005_registry_ids.pg.sql: site and region ids are never given out again.
-- On PostgreSQL they already are not: an identity column draws from a
-- sequence, which never goes back. (SQLite needs its tables rebuilt, see
-- 0005_registry_ids.sqlite.sql.) Nothing to change here.
SELECT 1;
