-- 0020_checklists.sql: the daily opening and closing checks of a station
-- (clean, first-aid kit checked, chargers working ...).
--
-- checklist_items: the checklist of a site type and kind, in order; system
-- admins replace it whole. An item may name an amenity: when it fails,
-- staff may report that amenity's fault from the check.
-- checklist_runs: one check of a site, kind and local day (the unique key
-- makes a second one a conflict, decided by the INSERT).
-- checklist_marks: each item of a check as it was answered, with the
-- item's words copied, so editing a checklist never rewrites history.

CREATE TABLE checklist_items (
    id @ID@,
    site_type_id BIGINT NOT NULL REFERENCES site_types (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('opening', 'closing')),
    position INTEGER NOT NULL,
    code TEXT NOT NULL,
    label_zh TEXT NOT NULL,
    label_en TEXT NOT NULL DEFAULT '',
    amenity_id BIGINT REFERENCES amenities (id) ON DELETE SET NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (site_type_id, kind, code)
);

CREATE TABLE checklist_runs (
    id @ID@,
    site_id BIGINT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('opening', 'closing')),
    day INTEGER NOT NULL,                 -- yyyymmdd, local
    checked_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    checked_at BIGINT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    failed INTEGER NOT NULL DEFAULT 0,    -- items not ok
    UNIQUE (site_id, kind, day)
);
CREATE INDEX checklist_runs_day ON checklist_runs (day, site_id);
CREATE INDEX checklist_runs_by ON checklist_runs (checked_by);

CREATE TABLE checklist_marks (
    run_id BIGINT NOT NULL REFERENCES checklist_runs (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    code TEXT NOT NULL,
    label_zh TEXT NOT NULL,
    label_en TEXT NOT NULL DEFAULT '',
    ok INTEGER NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    fault_id BIGINT REFERENCES site_faults (id) ON DELETE SET NULL,
    PRIMARY KEY (run_id, code)
);
