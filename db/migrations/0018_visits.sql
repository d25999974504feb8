-- 0018_visits.sql: visits to the stations, counted.
--
-- visit_counts: anonymous hourly counters, one row per site or region and
-- local hour, a column per way a visit came (the worker scanned the
-- poster, staff scanned the worker's QR code, a walk-in worker or member
-- of the public counted by staff). A visit adds to the site's row and to
-- the row of every region above the site in one upsert, so statistics
-- read counters, never visits: a district's year is at most 8,784 rows.
-- scope says what ref_id names; there is no foreign key, as it names
-- either (`warmharbor visits recount` drops the rows of sites that are
-- gone and rebuilds the regions' rows along today's tree).
--
-- visits: a person's own check-ins, personal data kept only as long as
-- WARMHARBOR_VISIT_RETENTION_DAYS (the tick deletes older ones), seen
-- and deletable only by the person.
--
-- visit_last: the person's last counted visit per site, the guard that
-- makes a repeat within half an hour count once: one upsert that changes
-- the row only when it is old enough decides it, so two scans at once
-- count once on either engine. Kept only as long as the guard lasts.
--
-- visit_posters: the version of each site's poster code; reissuing raises
-- it, which revokes the old posters. No row: version 1.

CREATE TABLE visit_counts (
    scope TEXT NOT NULL CHECK (scope IN ('site', 'region')),
    ref_id BIGINT NOT NULL,
    hour BIGINT NOT NULL,                  -- start of the local hour, Unix seconds
    poster INTEGER NOT NULL DEFAULT 0 CHECK (poster >= 0),
    staff INTEGER NOT NULL DEFAULT 0 CHECK (staff >= 0),
    walkin_worker INTEGER NOT NULL DEFAULT 0 CHECK (walkin_worker >= 0),
    walkin_public INTEGER NOT NULL DEFAULT 0 CHECK (walkin_public >= 0),
    PRIMARY KEY (scope, ref_id, hour)
);

CREATE TABLE visits (
    id @ID@,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    site_id BIGINT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    at BIGINT NOT NULL,
    via TEXT NOT NULL CHECK (via IN ('poster', 'staff'))
);
CREATE INDEX visits_user ON visits (user_id, id);
CREATE INDEX visits_at ON visits (at);
CREATE INDEX visits_site ON visits (site_id);

CREATE TABLE visit_last (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    site_id BIGINT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    at BIGINT NOT NULL,
    visit_id BIGINT REFERENCES visits (id) ON DELETE SET NULL,
    PRIMARY KEY (user_id, site_id)
);
CREATE INDEX visit_last_at ON visit_last (at);

CREATE TABLE visit_posters (
    site_id BIGINT PRIMARY KEY REFERENCES sites (id) ON DELETE CASCADE,
    version BIGINT NOT NULL CHECK (version >= 1),
    issued_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    issued_at BIGINT NOT NULL
);
