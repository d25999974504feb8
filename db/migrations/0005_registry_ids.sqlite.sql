-- 0005_registry_ids.sqlite.sql: site and region ids are never given out
-- again. Without AUTOINCREMENT SQLite hands the next new row max(id) + 1,
-- so deleting the newest site gave its id (and whatever still pointed at
-- it) to the next one. AUTOINCREMENT can only be declared when a table is
-- made, so regions and sites are rebuilt, ids and rows unchanged.
--
-- Migrations run in one transaction with foreign keys on, where they
-- cannot be switched off, and dropping a table deletes its rows first,
-- which would cascade into the tables that point at it. So: the old
-- tables are renamed (the references to them follow), new ones made and
-- filled, the tables that point at sites rebuilt to point at the new one,
-- and only then are the old tables, by now unreferenced, dropped.

ALTER TABLE regions RENAME TO regions_old;
ALTER TABLE sites RENAME TO sites_old;

CREATE TABLE regions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    code TEXT NOT NULL UNIQUE,
    parent_id BIGINT REFERENCES regions (id),
    level TEXT NOT NULL CHECK (level IN
        ('province', 'city', 'district', 'street', 'community', 'grid')),
    -- '/1/4/17/': ids from the root down to this region, for subtree queries
    path TEXT NOT NULL,
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL DEFAULT '',
    is_demo INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
INSERT INTO regions (id, code, parent_id, level, path, name_zh, name_en, is_demo,
                     created_at, updated_at)
    SELECT id, code, parent_id, level, path, name_zh, name_en, is_demo, created_at, updated_at
    FROM regions_old;

CREATE TABLE sites (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL DEFAULT '',
    type_id BIGINT NOT NULL REFERENCES site_types (id),
    region_id BIGINT REFERENCES regions (id),
    address_zh TEXT NOT NULL DEFAULT '',
    address_en TEXT NOT NULL DEFAULT '',
    -- WGS-84 degrees; input_datum records what the client sent
    lat DOUBLE PRECISION NOT NULL,
    lon DOUBLE PRECISION NOT NULL,
    input_datum TEXT NOT NULL DEFAULT 'wgs84',
    phone TEXT NOT NULL DEFAULT '',
    manager TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    capacity INTEGER CHECK (capacity IS NULL OR capacity >= 0),
    status TEXT NOT NULL DEFAULT 'operational' CHECK (status IN
        ('operational', 'partly_operational', 'temporarily_closed',
         'closed', 'planned', 'removed')),
    status_reason TEXT,
    status_until BIGINT,
    is_public INTEGER NOT NULL DEFAULT 0,
    opening_hours TEXT NOT NULL DEFAULT '24/7',
    is_demo INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
INSERT INTO sites (id, name_zh, name_en, type_id, region_id, address_zh, address_en, lat, lon,
                   input_datum, phone, manager, description, capacity, status, status_reason,
                   status_until, is_public, opening_hours, is_demo, created_at, updated_at)
    SELECT id, name_zh, name_en, type_id, region_id, address_zh, address_en, lat, lon,
           input_datum, phone, manager, description, capacity, status, status_reason,
           status_until, is_public, opening_hours, is_demo, created_at, updated_at
    FROM sites_old;

-- Ids deleted before now are not known any more, except where a grant
-- still names one: those are not given out either.
INSERT INTO sqlite_sequence (name, seq)
    SELECT 'sites', 0 WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'sites');
UPDATE sqlite_sequence SET seq = MAX(seq, (
    SELECT COALESCE(MAX(CAST(scope_ref AS INTEGER)), 0) FROM role_grants
    WHERE scope_kind = 'site' AND scope_ref GLOB '[1-9]*' AND scope_ref NOT GLOB '*[^0-9]*'))
    WHERE name = 'sites';

CREATE TABLE site_amenities_new (
    site_id BIGINT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    amenity_id BIGINT NOT NULL REFERENCES amenities (id),
    count INTEGER NOT NULL DEFAULT 1 CHECK (count >= 0),
    PRIMARY KEY (site_id, amenity_id)
);
INSERT INTO site_amenities_new (site_id, amenity_id, count)
    SELECT site_id, amenity_id, count FROM site_amenities;
DROP TABLE site_amenities;
ALTER TABLE site_amenities_new RENAME TO site_amenities;
CREATE INDEX site_amenities_amenity ON site_amenities (amenity_id);

CREATE TABLE site_photos_new (
    site_id BIGINT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    url TEXT NOT NULL,
    PRIMARY KEY (site_id, position)
);
INSERT INTO site_photos_new (site_id, position, url) SELECT site_id, position, url FROM site_photos;
DROP TABLE site_photos;
ALTER TABLE site_photos_new RENAME TO site_photos;

CREATE TABLE site_live_new (
    site_id BIGINT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    amenity_id BIGINT NOT NULL REFERENCES amenities (id) ON DELETE CASCADE,
    available INTEGER CHECK (available IS NULL OR available >= 0),
    working INTEGER CHECK (working IS NULL OR working IN (0, 1)),
    reported_at BIGINT NOT NULL,
    PRIMARY KEY (site_id, amenity_id)
);
INSERT INTO site_live_new (site_id, amenity_id, available, working, reported_at)
    SELECT site_id, amenity_id, available, working, reported_at FROM site_live;
DROP TABLE site_live;
ALTER TABLE site_live_new RENAME TO site_live;

DROP TABLE sites_old;
DROP TABLE regions_old;

CREATE INDEX regions_parent ON regions (parent_id);
CREATE INDEX regions_path ON regions (path);
CREATE INDEX sites_type ON sites (type_id);
CREATE INDEX sites_region ON sites (region_id);
CREATE INDEX sites_status ON sites (status);
