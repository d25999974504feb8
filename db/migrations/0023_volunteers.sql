-- 0023_volunteers.sql: courier volunteer squads of a street, their
-- members, their activities (each an offering of the booking engine, its
-- shifts the offering's slots, so places and the waitlist are bookings),
-- the hours a leader records by scanning a volunteer's QR at check-in and
-- check-out and then confirms, and the hours certificates people download.
--
-- A squad's leader is a column, not a role grant: a leader is an ordinary
-- worker who manages this one squad, nothing else.

CREATE TABLE volunteer_squads (
    id @ID@,
    -- a street (regions.level = 'street')
    region_id BIGINT NOT NULL REFERENCES regions (id),
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL DEFAULT '',
    leader_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    is_demo INTEGER NOT NULL DEFAULT 0 CHECK (is_demo IN (0, 1)),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX volunteer_squads_region ON volunteer_squads (region_id);
CREATE INDEX volunteer_squads_leader ON volunteer_squads (leader_id);

CREATE TABLE volunteer_members (
    squad_id BIGINT NOT NULL REFERENCES volunteer_squads (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    joined_at BIGINT NOT NULL,
    PRIMARY KEY (squad_id, user_id)
);
CREATE INDEX volunteer_members_user ON volunteer_members (user_id);

-- One activity is one offering (kind 'other', inactive in the generic
-- booking routes so that only the squad's sign-up route books it).
CREATE TABLE volunteer_activities (
    id @ID@,
    squad_id BIGINT NOT NULL REFERENCES volunteer_squads (id) ON DELETE CASCADE,
    offering_id BIGINT NOT NULL UNIQUE REFERENCES offerings (id) ON DELETE CASCADE,
    created_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX volunteer_activities_squad ON volunteer_activities (squad_id);

-- A volunteer's time at one shift: one row per booking, made at check-in.
-- minutes is set at check-out (capped by the shift's length, whole
-- quarter hours); confirmed_at by the leader, which awards the points.
CREATE TABLE volunteer_hours (
    id @ID@,
    booking_id BIGINT NOT NULL UNIQUE REFERENCES bookings (id) ON DELETE CASCADE,
    slot_id BIGINT NOT NULL REFERENCES slots (id) ON DELETE CASCADE,
    squad_id BIGINT NOT NULL REFERENCES volunteer_squads (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    checked_in_at BIGINT NOT NULL,
    checked_in_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    checked_out_at BIGINT,
    checked_out_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    minutes INTEGER CHECK (minutes IS NULL OR minutes >= 0),
    confirmed_at BIGINT,
    confirmed_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    points INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX volunteer_hours_user ON volunteer_hours (user_id, confirmed_at);
CREATE INDEX volunteer_hours_slot ON volunteer_hours (slot_id);

-- An hours certificate as it was issued: the totals by squad (JSON text)
-- are kept so that GET /api/volunteer/certificates/{code} confirms what
-- the printed page says.
CREATE TABLE volunteer_certificates (
    id @ID@,
    code TEXT NOT NULL UNIQUE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    total_minutes BIGINT NOT NULL,
    squads_json TEXT NOT NULL,
    issued_at BIGINT NOT NULL
);
CREATE INDEX volunteer_certificates_user ON volunteer_certificates (user_id, issued_at);
