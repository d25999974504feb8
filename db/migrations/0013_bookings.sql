-- 0013_bookings.sql: what can be booked (offerings), when and where
-- (slots, each with a capacity), and who booked (bookings).
--
-- Capacity is taken in one statement whose affected-row count decides
-- (UPDATE slots SET taken = taken + 1 WHERE id = $1 AND taken < capacity
-- ...), in the same transaction as the booking's insert; the CHECK keeps
-- taken within capacity whatever the code does.
--
-- A person's active bookings of an offering are numbered person_seq 1..N
-- (N = the offering's per_person_limit, 1 by default); the partial unique
-- index on (offering, person, person_seq) over the active states refuses
-- the second of two simultaneous bookings in the insert itself.
--
-- service_id and org_code name the service catalogue's services (id) and
-- organizations (code), which migration 0012 brings; they carry no
-- foreign key yet, so this migration does not depend on that one.

CREATE TABLE offerings (
    id @ID@,
    kind TEXT NOT NULL CHECK (kind IN ('appointment', 'workshop', 'package', 'fair_booth', 'other')),
    title_zh TEXT NOT NULL,
    title_en TEXT NOT NULL DEFAULT '',
    description_zh TEXT NOT NULL DEFAULT '',
    description_en TEXT NOT NULL DEFAULT '',
    -- NULL: every slot names its own site
    site_id BIGINT REFERENCES sites (id) ON DELETE CASCADE,
    service_id BIGINT,
    org_code TEXT,
    verification_required INTEGER NOT NULL DEFAULT 0 CHECK (verification_required IN (0, 1)),
    per_person_limit INTEGER NOT NULL DEFAULT 1 CHECK (per_person_limit BETWEEN 1 AND 20),
    -- confirmed bookings may be cancelled until this long before the start
    cancel_cutoff_s BIGINT NOT NULL DEFAULT 0 CHECK (cancel_cutoff_s >= 0),
    waitlist INTEGER NOT NULL DEFAULT 0 CHECK (waitlist IN (0, 1)),
    -- how long a freed seat stays offered to the first in line
    offer_ttl_s BIGINT NOT NULL DEFAULT 7200 CHECK (offer_ttl_s > 0),
    active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    is_demo INTEGER NOT NULL DEFAULT 0 CHECK (is_demo IN (0, 1)),
    created_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX offerings_site ON offerings (site_id);
CREATE INDEX offerings_service ON offerings (service_id);

CREATE TABLE slots (
    id @ID@,
    offering_id BIGINT NOT NULL REFERENCES offerings (id) ON DELETE CASCADE,
    site_id BIGINT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    starts_at BIGINT NOT NULL,
    ends_at BIGINT NOT NULL,
    capacity INTEGER NOT NULL CHECK (capacity >= 0),
    taken INTEGER NOT NULL DEFAULT 0 CHECK (taken >= 0 AND taken <= capacity),
    -- waitlist tickets handed out so far (bookings.queue_no)
    wait_seq BIGINT NOT NULL DEFAULT 0,
    state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'cancelled')),
    created_at BIGINT NOT NULL,
    CHECK (ends_at > starts_at)
);
CREATE UNIQUE INDEX slots_one_per_time ON slots (offering_id, site_id, starts_at);
CREATE INDEX slots_site_time ON slots (site_id, starts_at);
CREATE INDEX slots_time ON slots (starts_at);

CREATE TABLE bookings (
    id @ID@,
    slot_id BIGINT NOT NULL REFERENCES slots (id) ON DELETE CASCADE,
    offering_id BIGINT NOT NULL REFERENCES offerings (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id),
    person_seq INTEGER NOT NULL DEFAULT 1,
    state TEXT NOT NULL CHECK (state IN ('held', 'confirmed', 'waitlisted', 'offered',
        'cancelled', 'checked_in', 'no_show')),
    -- the waitlist ticket (slots.wait_seq); NULL if never waitlisted
    queue_no BIGINT,
    hold_until BIGINT,
    offer_until BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    confirmed_at BIGINT,
    cancelled_at BIGINT,
    cancel_reason TEXT CHECK (cancel_reason IN ('by_person', 'by_provider', 'hold_expired',
        'offer_expired', 'slot_started')),
    checked_in_at BIGINT,
    checked_in_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    -- the day-before reminder was posted to the person's inbox
    reminded_at BIGINT
);
CREATE UNIQUE INDEX bookings_per_person ON bookings (offering_id, user_id, person_seq)
    WHERE state IN ('held', 'confirmed', 'waitlisted', 'offered');
CREATE UNIQUE INDEX bookings_queue ON bookings (slot_id, queue_no);
CREATE INDEX bookings_slot_state ON bookings (slot_id, state);
CREATE INDEX bookings_user ON bookings (user_id, created_at);
CREATE INDEX bookings_state_times ON bookings (state, offer_until);
