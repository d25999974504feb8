-- 0026_report_points.sqlite.sql: grid reports earn points, and the points
-- of a report found later to be a duplicate (or rejected) are taken back;
-- an overdue report says so in its public timeline; Open311's filtered
-- lists find their rows by index.
--
-- The ledger stays append-only: taking points back is a 'reverse' row of
-- the opposite sign naming the award it ends (ref_type 'points'), as an
-- expiry is. An award ends once, by expiry or by reversal, whichever
-- comes first: the partial unique index below (and ON CONFLICT DO
-- NOTHING in both statements) decides it in one statement each.
--
-- SQLite cannot alter a CHECK; as 0009 does, the two lists are widened by
-- editing the tables' text in sqlite_schema (the .pg.sql twin alters the
-- constraints). The indexes are the same text in both files.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
    SET sql = replace(sql, 'CHECK (kind IN (''award'', ''expire''))',
                      'CHECK (kind IN (''award'', ''expire'', ''reverse''))')
    WHERE type = 'table' AND name = 'points_ledger';
UPDATE sqlite_schema
    SET sql = replace(sql, '''escalated'', ''reopened'')',
                      '''escalated'', ''reopened'', ''overdue'')')
    WHERE type = 'table' AND name = 'report_updates';
PRAGMA writable_schema = RESET;

CREATE UNIQUE INDEX points_ledger_ended ON points_ledger (ref_id)
    WHERE ref_type = 'points' AND kind IN ('expire', 'reverse');

-- Open311 GET requests: a date range, newest first, optionally one
-- service (category); a date range alone walks reports_created.
CREATE INDEX reports_category_created ON reports (category_id, created_at);
