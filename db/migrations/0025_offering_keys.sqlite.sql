-- 0025_offering_keys.sqlite.sql: offerings.service_id and offerings.org_code
-- become foreign keys of services (id) and organizations (code); 0013 left
-- them plain so it would not depend on 0012.
--
-- Rows already stored may name a service deleted since (nothing stopped
-- it): those lose the link (NULL), as does an organization code nobody has
-- (the HTTP layer always checked it, so none is expected). Deleting a
-- service is refused while an offering names it (NO ACTION; the service
-- module answers 409 service_in_use first).
--
-- SQLite cannot add a constraint to a table; as in 0009, the table's text
-- in sqlite_schema is edited (only the two column definitions change, so
-- the later columns and the tables referring to offerings are kept).
UPDATE offerings SET service_id = NULL
    WHERE service_id IS NOT NULL AND service_id NOT IN (SELECT id FROM services);
UPDATE offerings SET org_code = NULL
    WHERE org_code IS NOT NULL AND org_code NOT IN (SELECT code FROM organizations);
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
    SET sql = replace(replace(sql,
        'service_id BIGINT,', 'service_id BIGINT REFERENCES services (id),'),
        'org_code TEXT,', 'org_code TEXT REFERENCES organizations (code),')
    WHERE type = 'table' AND name = 'offerings';
PRAGMA writable_schema = RESET;
CREATE INDEX offerings_org ON offerings (org_code);
