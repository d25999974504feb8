-- 0022_reports: grid reports (网格上报). Couriers and riders who serve
-- as part-time grid managers report what they see on their rounds (road
-- damage, a missing manhole cover); each report goes to the grid whose
-- boundary holds its point and to the department of its category, which
-- must act within the category's service level (working days).
--
-- Boundaries live in this module's own table, keyed by region id (the
-- region tree of 0001 stays as it is): GeoJSON text in WGS-84 and its
-- box, which narrows a point-in-polygon search to a few rows.
--
-- Decisions taken in one statement: a status moves only from the status
-- it was read in (UPDATE ... WHERE status = $from); "me too" once per
-- person by the primary key; escalation of overdue reports by one UPDATE
-- that every node may run at once.
--
-- Grid managers hold a role of their own (grid_manager, http/roles.c), so
-- role_grants' CHECK (0003) must take its name. Widening a CHECK differs
-- by engine, hence this migration's two dialects, .sqlite.sql and .pg.sql:
-- the tables are the same text in both (keep them so); only the last part
-- differs.

CREATE TABLE report_departments (
    id @ID@,
    code TEXT NOT NULL UNIQUE,
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL DEFAULT '',
    is_demo INTEGER NOT NULL DEFAULT 0 CHECK (is_demo IN (0, 1)),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- A category is an Open311 service: its code is the service_code, its
-- questions (attributes) a JSON array checked by the module.
CREATE TABLE report_categories (
    id @ID@,
    code TEXT NOT NULL UNIQUE,
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL DEFAULT '',
    description_zh TEXT NOT NULL DEFAULT '',
    description_en TEXT NOT NULL DEFAULT '',
    department_id BIGINT NOT NULL REFERENCES report_departments (id),
    sla_days INTEGER NOT NULL CHECK (sla_days BETWEEN 0 AND 60),
    grp TEXT NOT NULL DEFAULT '',
    keywords TEXT NOT NULL DEFAULT '',
    attributes TEXT NOT NULL DEFAULT '[]',
    active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    is_demo INTEGER NOT NULL DEFAULT 0 CHECK (is_demo IN (0, 1)),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE report_boundaries (
    region_id BIGINT PRIMARY KEY REFERENCES regions (id) ON DELETE CASCADE,
    geometry TEXT NOT NULL,
    min_lon DOUBLE PRECISION NOT NULL,
    min_lat DOUBLE PRECISION NOT NULL,
    max_lon DOUBLE PRECISION NOT NULL,
    max_lat DOUBLE PRECISION NOT NULL,
    updated_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX report_boundaries_box ON report_boundaries (min_lat, max_lat, min_lon, max_lon);

-- Open311 clients' keys: only a keyed hash is kept.
CREATE TABLE report_api_keys (
    id @ID@,
    name TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    created_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT,
    last_used_at BIGINT
);

CREATE TABLE reports (
    id @ID@,
    category_id BIGINT NOT NULL REFERENCES report_categories (id),
    -- the department when it was made (a category may move later)
    department_id BIGINT NOT NULL REFERENCES report_departments (id),
    -- the grid; a region with reports cannot be deleted
    region_id BIGINT NOT NULL REFERENCES regions (id),
    lat DOUBLE PRECISION NOT NULL,
    lon DOUBLE PRECISION NOT NULL,
    datum TEXT NOT NULL DEFAULT 'wgs84' CHECK (datum IN ('wgs84', 'gcj02', 'bd09')),
    address TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    attributes TEXT NOT NULL DEFAULT '{}',
    status TEXT NOT NULL DEFAULT 'open'
        CHECK (status IN ('open', 'acknowledged', 'in_progress', 'fixed', 'closed', 'duplicate', 'not_ours')),
    verification TEXT NOT NULL DEFAULT 'unconfirmed'
        CHECK (verification IN ('unconfirmed', 'confirmed', 'rejected')),
    verified_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    verified_at BIGINT,
    reporter_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    source TEXT NOT NULL DEFAULT 'app' CHECK (source IN ('app', 'open311')),
    api_key_id BIGINT REFERENCES report_api_keys (id) ON DELETE SET NULL,
    -- an Open311 reporter (not a person of ours): handlers only
    contact_name TEXT,
    contact_email TEXT,
    contact_phone TEXT,
    media_url TEXT,
    token TEXT UNIQUE,
    duplicate_of BIGINT REFERENCES reports (id) ON DELETE SET NULL,
    me_too INTEGER NOT NULL DEFAULT 0 CHECK (me_too >= 0),
    due_at BIGINT NOT NULL,
    escalated_at BIGINT,
    escalated_region_id BIGINT REFERENCES regions (id) ON DELETE SET NULL,
    fixed_at BIGINT,
    closed_at BIGINT,
    reopen_count INTEGER NOT NULL DEFAULT 0,
    is_demo INTEGER NOT NULL DEFAULT 0 CHECK (is_demo IN (0, 1)),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX reports_position ON reports (lat, lon);
CREATE INDEX reports_region ON reports (region_id, status);
CREATE INDEX reports_department ON reports (department_id, status);
CREATE INDEX reports_reporter ON reports (reporter_id, created_at);
CREATE INDEX reports_created ON reports (created_at);
CREATE INDEX reports_due ON reports (due_at) WHERE escalated_at IS NULL;

CREATE TABLE report_me_too (
    report_id BIGINT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (report_id, user_id)
);
CREATE INDEX report_me_too_user ON report_me_too (user_id);

-- The timeline: status changes, comments (public or internal), checks.
CREATE TABLE report_updates (
    id @ID@,
    report_id BIGINT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    author_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    author_role TEXT NOT NULL,
    kind TEXT NOT NULL
        CHECK (kind IN ('created', 'status', 'comment', 'confirmed', 'rejected', 'escalated', 'reopened')),
    status_from TEXT,
    status_to TEXT,
    body TEXT NOT NULL DEFAULT '',
    internal INTEGER NOT NULL DEFAULT 0 CHECK (internal IN (0, 1)),
    created_at BIGINT NOT NULL
);
CREATE INDEX report_updates_report ON report_updates (report_id, id);
CREATE INDEX report_updates_author ON report_updates (author_id);

-- Photos as cleaned (re-encoded without metadata), base64 text so that
-- both engines hold them alike; the originals are never stored.
CREATE TABLE report_photos (
    id @ID@,
    report_id BIGINT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    update_id BIGINT REFERENCES report_updates (id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    content_type TEXT NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    bytes BIGINT NOT NULL,
    data TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX report_photos_report ON report_photos (report_id, id);
