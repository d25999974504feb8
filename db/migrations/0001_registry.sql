-- 0001_registry.sql: the site registry. Regions, site types, amenities,
-- sites with their amenities and photos, and the holiday calendar.
-- Portable SQL (SQLite and PostgreSQL): @ID@ is an auto-numbered integer
-- key, times are Unix seconds, booleans are 0/1.

CREATE TABLE regions (
    id @ID@,
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
CREATE INDEX regions_parent ON regions (parent_id);
CREATE INDEX regions_path ON regions (path);

CREATE TABLE site_types (
    id @ID@,
    code TEXT NOT NULL UNIQUE,
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL DEFAULT '',
    -- 1 industry hub, 2 community station, 3 Warm Hut; NULL for types
    -- outside the three tiers (canteens, battery-swap points, ...)
    tier INTEGER CHECK (tier IS NULL OR tier BETWEEN 1 AND 3),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE amenities (
    id @ID@,
    code TEXT NOT NULL UNIQUE,
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL DEFAULT '',
    icon TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL CHECK (kind IN ('boolean', 'counted')),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE sites (
    id @ID@,
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
CREATE INDEX sites_type ON sites (type_id);
CREATE INDEX sites_region ON sites (region_id);
CREATE INDEX sites_status ON sites (status);

CREATE TABLE site_amenities (
    site_id BIGINT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    amenity_id BIGINT NOT NULL REFERENCES amenities (id),
    count INTEGER NOT NULL DEFAULT 1 CHECK (count >= 0),
    PRIMARY KEY (site_id, amenity_id)
);
CREATE INDEX site_amenities_amenity ON site_amenities (amenity_id);

CREATE TABLE site_photos (
    site_id BIGINT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    url TEXT NOT NULL,
    PRIMARY KEY (site_id, position)
);

-- China's public holidays and make-up working days (调休), kept by admins.
CREATE TABLE holidays (
    day INTEGER PRIMARY KEY,           -- yyyymmdd, local date
    kind TEXT NOT NULL CHECK (kind IN ('holiday', 'workday')),
    as_weekday INTEGER NOT NULL DEFAULT 0 CHECK (as_weekday BETWEEN 0 AND 7),
    name_zh TEXT NOT NULL DEFAULT '',
    name_en TEXT NOT NULL DEFAULT '',
    updated_at BIGINT NOT NULL
);
