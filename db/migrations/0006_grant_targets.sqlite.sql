-- 0006_grant_targets.sqlite.sql: a grant points at its site or region by
-- id, with a foreign key, instead of naming it as text (a site id, a
-- region code) that outlived a deleted site or a renamed region. The API
-- still speaks scope_ref (the site id as text, the region's current
-- code); scope_ref the column keeps only department codes.

ALTER TABLE role_grants ADD COLUMN site_id BIGINT REFERENCES sites (id) ON DELETE CASCADE;
ALTER TABLE role_grants ADD COLUMN region_id BIGINT REFERENCES regions (id) ON DELETE CASCADE;
CREATE INDEX role_grants_site ON role_grants (site_id);
CREATE INDEX role_grants_region ON role_grants (region_id);

UPDATE role_grants SET site_id = (SELECT s.id FROM sites s WHERE CAST(s.id AS TEXT) = scope_ref)
    WHERE scope_kind = 'site';
UPDATE role_grants SET region_id = (SELECT r.id FROM regions r WHERE r.code = scope_ref)
    WHERE scope_kind = 'region';

-- Grants whose site or region is already gone end now, on the record.
INSERT INTO audit_log (at, actor_id, action, target_type, target_id, address, detail)
    SELECT CAST(strftime('%s', 'now') AS INTEGER), NULL, 'revoke_role', 'user',
           CAST(user_id AS TEXT), '',
           'grant ' || id || ' (' || role || '): its ' || scope_kind || ' ' || scope_ref
               || ' does not exist'
    FROM role_grants
    WHERE revoked_at IS NULL
      AND ((scope_kind = 'site' AND site_id IS NULL) OR (scope_kind = 'region' AND region_id IS NULL));
UPDATE role_grants SET revoked_at = CAST(strftime('%s', 'now') AS INTEGER)
    WHERE revoked_at IS NULL
      AND ((scope_kind = 'site' AND site_id IS NULL) OR (scope_kind = 'region' AND region_id IS NULL));
UPDATE role_grants SET scope_ref = '' WHERE site_id IS NOT NULL OR region_id IS NOT NULL;

-- When a site or region is deleted its grants go with it (ON DELETE
-- CASCADE); the audit log records each one that was still in force.
CREATE TRIGGER role_grants_target_gone AFTER DELETE ON role_grants
    FOR EACH ROW WHEN OLD.revoked_at IS NULL AND OLD.scope_kind IN ('site', 'region')
BEGIN
    INSERT INTO audit_log (at, actor_id, action, target_type, target_id, address, detail)
    VALUES (CAST(strftime('%s', 'now') AS INTEGER), NULL, 'revoke_role', 'user',
            CAST(OLD.user_id AS TEXT), '',
            'grant ' || OLD.id || ' (' || OLD.role || '): its ' || OLD.scope_kind || ' '
                || COALESCE(OLD.site_id, OLD.region_id) || ' was deleted');
END;
