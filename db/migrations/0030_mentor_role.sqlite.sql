-- 0030_mentor_role.sqlite.sql: the mentor role and the 'mentoring'
-- offering kind (livestreamer mentoring, 0028) widen two CHECKs
-- (role_grants.role, offerings.kind); SQLite cannot alter a CHECK, so, as
-- in 0009, the table's text is edited in sqlite_schema.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
    SET sql = replace(sql, '''grid_manager'')', '''grid_manager'', ''mentor'')')
    WHERE type = 'table' AND name = 'role_grants';
UPDATE sqlite_schema
    SET sql = replace(sql, '''fair_booth'', ''other'')', '''fair_booth'', ''other'', ''mentoring'')')
    WHERE type = 'table' AND name = 'offerings';
PRAGMA writable_schema = RESET;
