-- 0025_offering_keys.pg.sql: offerings.service_id and offerings.org_code
-- become foreign keys of services (id) and organizations (code); 0013 left
-- them plain so it would not depend on 0012.
--
-- Rows already stored may name a service deleted since: those lose the
-- link (NULL), as does an organization code nobody has. Deleting a service
-- is refused while an offering names it (NO ACTION; the service module
-- answers 409 service_in_use first).
UPDATE offerings SET service_id = NULL
    WHERE service_id IS NOT NULL AND service_id NOT IN (SELECT id FROM services);
UPDATE offerings SET org_code = NULL
    WHERE org_code IS NOT NULL AND org_code NOT IN (SELECT code FROM organizations);
ALTER TABLE offerings ADD CONSTRAINT offerings_service_id_fkey
    FOREIGN KEY (service_id) REFERENCES services (id);
ALTER TABLE offerings ADD CONSTRAINT offerings_org_code_fkey
    FOREIGN KEY (org_code) REFERENCES organizations (code);
CREATE INDEX offerings_org ON offerings (org_code);
