-- 0009_grant_checks.pg.sql: role grants may name an organization (service
-- providers, 0012) and the grid_manager role (grid reports, 0022). 0003's
-- CHECKs listed the kinds and roles of their day.

ALTER TABLE role_grants DROP CONSTRAINT role_grants_scope_kind_check;
ALTER TABLE role_grants ADD CONSTRAINT role_grants_scope_kind_check
    CHECK (scope_kind IN ('global', 'site', 'region', 'department', 'organization'));
ALTER TABLE role_grants DROP CONSTRAINT role_grants_role_check;
ALTER TABLE role_grants ADD CONSTRAINT role_grants_role_check
    CHECK (role IN ('staff', 'provider', 'merchant', 'dispatcher', 'region_admin',
                    'system_admin', 'grid_manager'));
