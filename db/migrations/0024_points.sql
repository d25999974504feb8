-- 0024_points.sql: points for what people do for the city (confirmed grid
-- reports, volunteer hours), as an append-only ledger, the rules an admin
-- sets, and the counters that keep the caps.
--
-- The ledger is never updated; rows are deleted only by a person's
-- erasure. An award's points expire at the end of the following year:
-- the tick writes an 'expire' row of the opposite sign, once (the unique
-- index on the reference), so a balance is always SUM(points).

CREATE TABLE points_rules (
    -- 'report', 'report:road_damage' (a category), 'volunteer_hour'
    reason TEXT PRIMARY KEY,
    -- points granted = base * coefficient_pct / 100, rounded down
    coefficient_pct INTEGER NOT NULL DEFAULT 100 CHECK (coefficient_pct BETWEEN 0 AND 1000),
    -- most points of this reason group per person and local day; 0: none
    daily_cap INTEGER NOT NULL DEFAULT 0 CHECK (daily_cap >= 0),
    -- most awards of this reason group per person, place and day; 0: none
    place_cap INTEGER NOT NULL DEFAULT 0 CHECK (place_cap >= 0),
    updated_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    updated_at BIGINT NOT NULL
);
INSERT INTO points_rules (reason, coefficient_pct, daily_cap, place_cap, updated_at)
    VALUES ('report', 100, 50, 2, 0);
INSERT INTO points_rules (reason, coefficient_pct, daily_cap, place_cap, updated_at)
    VALUES ('volunteer_hour', 100, 80, 0, 0);

CREATE TABLE points_ledger (
    id @ID@,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('award', 'expire')),
    reason TEXT NOT NULL,
    -- what earned it ('report' 17, 'volunteer_hours' 4), or for an
    -- expiry the award it ends ('points' id)
    ref_type TEXT NOT NULL,
    ref_id BIGINT NOT NULL,
    points BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    -- awards: when they expire (end of the following year, local time)
    expires_at BIGINT
);
-- The same reference is awarded (and an award expired) once.
CREATE UNIQUE INDEX points_ledger_once ON points_ledger (kind, ref_type, ref_id);
CREATE INDEX points_ledger_user ON points_ledger (user_id, created_at);
CREATE INDEX points_ledger_expiry ON points_ledger (kind, expires_at);

-- Running totals that decide the caps in one statement each:
-- key 'day:REASON' (points) and 'place:REASON:PLACE' (awards).
CREATE TABLE points_counters (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    counter TEXT NOT NULL,
    day INTEGER NOT NULL,
    total BIGINT NOT NULL DEFAULT 0,
    -- what the last statement added (read back by RETURNING)
    last_added BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, counter, day)
);
