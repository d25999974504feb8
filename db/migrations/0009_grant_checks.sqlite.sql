-- 0009_grant_checks.sqlite.sql: role grants may name an organization
-- (service providers, 0012) and the grid_manager role (grid reports, 0022).
-- 0003's CHECKs listed the kinds and roles of their day.
--
-- SQLite cannot alter a CHECK; its documented way to loosen one without
-- rebuilding the table is to edit the table's text in sqlite_schema. Only
-- the two lists change, so the columns later migrations added to
-- role_grants (0006) are kept. RESET reloads the schema on this
-- connection; the schema cookie changes, so other connections reload too.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
    SET sql = replace(replace(sql,
        '''region'', ''department'')', '''region'', ''department'', ''organization'')'),
        '''region_admin'', ''system_admin'')', '''region_admin'', ''system_admin'', ''grid_manager'')')
    WHERE type = 'table' AND name = 'role_grants';
PRAGMA writable_schema = RESET;
