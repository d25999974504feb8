-- 0002_live_status.sql: live status per site and amenity, as GBFS's
-- station_status: a value and when it was reported. "available" counts
-- what is free or in stock now (seats, chargers, raincoats); "working" says
-- whether a thing works or is stocked (microwave, first-aid kit).

CREATE TABLE site_live (
    site_id BIGINT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    amenity_id BIGINT NOT NULL REFERENCES amenities (id) ON DELETE CASCADE,
    available INTEGER CHECK (available IS NULL OR available >= 0),
    working INTEGER CHECK (working IS NULL OR working IN (0, 1)),
    reported_at BIGINT NOT NULL,
    PRIMARY KEY (site_id, amenity_id)
);
