-- 0026_report_points.pg.sql: grid reports earn points, and the points of
-- a report found later to be a duplicate (or rejected) are taken back; an
-- overdue report says so in its public timeline; Open311's filtered lists
-- find their rows by index. (The SQLite twin explains it; only the CHECKs
-- differ by engine.)
ALTER TABLE points_ledger DROP CONSTRAINT points_ledger_kind_check;
ALTER TABLE points_ledger ADD CONSTRAINT points_ledger_kind_check
    CHECK (kind IN ('award', 'expire', 'reverse'));
ALTER TABLE report_updates DROP CONSTRAINT report_updates_kind_check;
ALTER TABLE report_updates ADD CONSTRAINT report_updates_kind_check
    CHECK (kind IN ('created', 'status', 'comment', 'confirmed', 'rejected', 'escalated',
                    'reopened', 'overdue'));

CREATE UNIQUE INDEX points_ledger_ended ON points_ledger (ref_id)
    WHERE ref_type = 'points' AND kind IN ('expire', 'reverse');

-- Open311 GET requests: a date range, newest first, optionally one
-- service (category); a date range alone walks reports_created.
CREATE INDEX reports_category_created ON reports (category_id, created_at);
