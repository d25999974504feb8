-- 0011_faults.sql: faults reported at a site ("the microwave is broken").
-- While a fault is open the amenity's live status says it is out of
-- order; fixing it says it works again. One open fault per site and
-- amenity: a second report of the same fault is a conflict, decided by
-- the partial unique index in the one INSERT.

CREATE TABLE site_faults (
    id @ID@,
    site_id BIGINT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    amenity_id BIGINT NOT NULL REFERENCES amenities (id) ON DELETE CASCADE,
    note TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'fixed')),
    reported_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    reported_at BIGINT NOT NULL,
    fixed_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    fixed_at BIGINT,
    fix_note TEXT
);
CREATE UNIQUE INDEX site_faults_one_open ON site_faults (site_id, amenity_id) WHERE state = 'open';
CREATE INDEX site_faults_site ON site_faults (site_id, reported_at);
