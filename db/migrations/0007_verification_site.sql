-- 0007_verification_site.sql: where a worker was verified. Staff verify
-- at a site they reach; the site is kept with the verification (and
-- forgotten, not the verification, if the site is deleted).

ALTER TABLE users ADD COLUMN verified_site_id BIGINT REFERENCES sites (id) ON DELETE SET NULL;
