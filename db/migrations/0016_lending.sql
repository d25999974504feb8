-- 0016_lending.sql: things a station lends to workers (raincoats,
-- umbrellas, power banks, phone stands, repair kits, livestream lights and
-- microphones): borrowed at one site, returned at any site.
--
-- Stock per site and item type, as counters that always add up:
--   available  on the shelf, ready to lend
--   reserved   held for a person's reservation (scarce types only)
--   lent       out on loans made here
--   damaged    came back damaged here, withdrawn until repaired
-- A loan made at A and returned at B moves one from A's lent to B's
-- available, so A's stock shrinks and B's grows. Every change is one
-- statement whose affected-row count decides (available > 0 in the take),
-- and the CHECKs keep every counter from ever going below zero.
--
-- A person may have only so many items out (in all, and of a type): the
-- loan's INSERT counts their loans out in the same statement and writes
-- nothing at the limit. Their row in loan_holders, touched first in the
-- same transaction, makes two lends to one person take turns, so the
-- second one counts the first.

CREATE TABLE item_types (
    id @ID@,
    code TEXT NOT NULL UNIQUE,
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL DEFAULT '',
    -- how long a loan lasts before it is overdue
    due_hours INTEGER NOT NULL CHECK (due_hours BETWEEN 1 AND 2160),
    -- at most this many of the type out per person; NULL: only the global limit
    per_person_max INTEGER CHECK (per_person_max IS NULL OR per_person_max >= 1),
    -- scarce types can be reserved for a time window
    reservable INTEGER NOT NULL DEFAULT 0 CHECK (reservable IN (0, 1)),
    sort_order INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

INSERT INTO item_types (code, name_zh, name_en, due_hours, per_person_max, reservable,
                        sort_order, created_at, updated_at) VALUES
    ('raincoat', '雨衣', 'Raincoat', 72, NULL, 0, 1, 0, 0),
    ('umbrella', '雨伞', 'Umbrella', 72, NULL, 0, 2, 0, 0),
    ('power_bank', '充电宝', 'Power bank', 24, 1, 0, 3, 0, 0),
    ('phone_stand', '手机支架', 'Phone stand', 168, NULL, 0, 4, 0, 0),
    ('repair_kit', '维修工具包', 'Repair tool kit', 24, 1, 0, 5, 0, 0),
    ('livestream_light', '直播补光灯', 'Livestream light', 48, 1, 1, 6, 0, 0),
    ('livestream_mic', '直播麦克风', 'Livestream microphone', 48, 1, 1, 7, 0, 0);

CREATE TABLE item_stock (
    site_id BIGINT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    item_type_id BIGINT NOT NULL REFERENCES item_types (id) ON DELETE CASCADE,
    available INTEGER NOT NULL DEFAULT 0 CHECK (available >= 0),
    reserved INTEGER NOT NULL DEFAULT 0 CHECK (reserved >= 0),
    lent INTEGER NOT NULL DEFAULT 0 CHECK (lent >= 0),
    damaged INTEGER NOT NULL DEFAULT 0 CHECK (damaged >= 0),
    updated_at BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (site_id, item_type_id)
);

CREATE TABLE loan_holders (
    user_id BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    last_lent_at BIGINT NOT NULL
);

CREATE TABLE loans (
    id @ID@,
    item_type_id BIGINT NOT NULL REFERENCES item_types (id),
    -- where it was lent; its stock counts it as lent until it comes back
    site_id BIGINT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    -- the borrower; NULL once their account is erased
    user_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    lent_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    lent_at BIGINT NOT NULL,
    due_at BIGINT NOT NULL,
    -- out -> overdue (the tick, which reminds the borrower once) ->
    -- returned | lost | damaged (returned broken)
    state TEXT NOT NULL DEFAULT 'out'
        CHECK (state IN ('out', 'overdue', 'returned', 'lost', 'damaged')),
    reminded_at BIGINT,
    -- where and by whom it came back (or was reported lost)
    closed_site_id BIGINT REFERENCES sites (id) ON DELETE SET NULL,
    closed_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    closed_at BIGINT,
    note TEXT NOT NULL DEFAULT '',
    -- the reservation it was collected for, if any
    reservation_id BIGINT
);
CREATE INDEX loans_site ON loans (site_id, state, lent_at);
CREATE INDEX loans_user ON loans (user_id, state);
CREATE INDEX loans_due ON loans (state, due_at);

CREATE TABLE loan_reservations (
    id @ID@,
    item_type_id BIGINT NOT NULL REFERENCES item_types (id),
    site_id BIGINT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- the window in which the person comes for it; the item is held from
    -- the reservation on and goes back on the shelf at ends_at (the tick)
    starts_at BIGINT NOT NULL,
    ends_at BIGINT NOT NULL,
    state TEXT NOT NULL DEFAULT 'active'
        CHECK (state IN ('active', 'collected', 'expired', 'cancelled')),
    created_at BIGINT NOT NULL,
    ended_at BIGINT,
    CHECK (ends_at > starts_at)
);
-- One active reservation per person and item type.
CREATE UNIQUE INDEX loan_reservations_one ON loan_reservations (user_id, item_type_id)
    WHERE state = 'active';
CREATE INDEX loan_reservations_site ON loan_reservations (site_id, state);
CREATE INDEX loan_reservations_ends ON loan_reservations (state, ends_at);
