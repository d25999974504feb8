-- 0027_childcare.sql: summer childcare programmes for workers' children,
-- the children their guardians register, family enrolments (all the
-- siblings or none), guardian consents and daily attendance.
--
-- Places are counters on the programme: taken counts the places of
-- enrolled and offered families. A family takes size places in one
-- statement (UPDATE ... SET taken = taken + size WHERE taken + size <=
-- capacity) whose affected-row count decides, in the transaction that
-- inserts its enrolment; the CHECK keeps taken within capacity whatever
-- the code does. A family that does not fit waits as one group (a ticket
-- from wait_seq) and is offered places only when the whole group fits.
--
-- A child is in at most one active enrolment of a programme (the partial
-- unique index on childcare_members). Health notes and the people allowed
-- to pick a child up are stored sealed (account_seal "child"), like ID
-- numbers. A set time after a programme ends its children's data is
-- erased by the module's tick (erased_at, erased_children: the retention
-- job's record, which admins read).

CREATE TABLE childcare_programmes (
    id @ID@,
    site_id BIGINT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    title_zh TEXT NOT NULL,
    title_en TEXT NOT NULL DEFAULT '',
    description_zh TEXT NOT NULL DEFAULT '',
    description_en TEXT NOT NULL DEFAULT '',
    age_min INTEGER NOT NULL CHECK (age_min BETWEEN 0 AND 17),
    age_max INTEGER NOT NULL CHECK (age_max BETWEEN 0 AND 17),
    -- local days yyyymmdd, inclusive; ends_at: the end of the last day
    first_day INTEGER NOT NULL,
    last_day INTEGER NOT NULL,
    starts_at BIGINT NOT NULL,
    ends_at BIGINT NOT NULL,
    -- the daily timetable, a JSON array of {start, end, kind, title_zh, title_en}
    timetable TEXT NOT NULL DEFAULT '[]',
    lunch INTEGER NOT NULL DEFAULT 0 CHECK (lunch IN (0, 1)),
    capacity INTEGER NOT NULL CHECK (capacity >= 1),
    taken INTEGER NOT NULL DEFAULT 0 CHECK (taken >= 0 AND taken <= capacity),
    wait_seq BIGINT NOT NULL DEFAULT 0,
    offer_ttl_s BIGINT NOT NULL DEFAULT 86400 CHECK (offer_ttl_s > 0),
    -- the guardian consent text in force, shown in full, and its version
    consent_version TEXT NOT NULL,
    consent_zh TEXT NOT NULL,
    consent_en TEXT NOT NULL DEFAULT '',
    -- the retention job: when the children's data was erased, and how many
    erased_at BIGINT,
    erased_children INTEGER NOT NULL DEFAULT 0,
    is_demo INTEGER NOT NULL DEFAULT 0 CHECK (is_demo IN (0, 1)),
    created_at BIGINT NOT NULL,
    CHECK (age_max >= age_min),
    CHECK (last_day >= first_day),
    CHECK (ends_at > starts_at)
);
CREATE INDEX childcare_programmes_site ON childcare_programmes (site_id);
CREATE INDEX childcare_programmes_end ON childcare_programmes (ends_at);

-- The programme's staff: they read its children's data and take attendance.
CREATE TABLE childcare_staff (
    programme_id BIGINT NOT NULL REFERENCES childcare_programmes (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (programme_id, user_id)
);
CREATE INDEX childcare_staff_user ON childcare_staff (user_id);

CREATE TABLE children (
    id @ID@,
    guardian_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    birth_date INTEGER NOT NULL,
    school TEXT NOT NULL DEFAULT '',
    grade TEXT NOT NULL DEFAULT '',
    allergies TEXT NOT NULL DEFAULT '',
    -- JSON array of {name, phone, relation}
    emergency_contacts TEXT NOT NULL DEFAULT '[]',
    -- sealed: account_seal "child" of the text / of a JSON array of {name, phone, relation}
    health_sealed TEXT,
    pickup_sealed TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX children_guardian ON children (guardian_id);

CREATE TABLE childcare_enrolments (
    id @ID@,
    programme_id BIGINT NOT NULL REFERENCES childcare_programmes (id) ON DELETE CASCADE,
    guardian_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    size INTEGER NOT NULL CHECK (size >= 1),
    state TEXT NOT NULL CHECK (state IN ('enrolled', 'waitlisted', 'offered', 'cancelled')),
    queue_no BIGINT,
    offer_until BIGINT,
    consent_version TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX childcare_enrolments_programme ON childcare_enrolments (programme_id, state, queue_no);
CREATE INDEX childcare_enrolments_guardian ON childcare_enrolments (guardian_id);
CREATE INDEX childcare_enrolments_offers ON childcare_enrolments (state, offer_until);

-- The children of an enrolment; active while it is not cancelled.
CREATE TABLE childcare_members (
    enrolment_id BIGINT NOT NULL REFERENCES childcare_enrolments (id) ON DELETE CASCADE,
    programme_id BIGINT NOT NULL REFERENCES childcare_programmes (id) ON DELETE CASCADE,
    child_id BIGINT NOT NULL REFERENCES children (id) ON DELETE CASCADE,
    active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    PRIMARY KEY (enrolment_id, child_id)
);
CREATE UNIQUE INDEX childcare_members_once ON childcare_members (programme_id, child_id)
    WHERE active = 1;
CREATE INDEX childcare_members_child ON childcare_members (child_id);

-- Each consent a guardian gave: the version of the text and when.
CREATE TABLE childcare_consents (
    id @ID@,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    programme_id BIGINT NOT NULL REFERENCES childcare_programmes (id) ON DELETE CASCADE,
    version TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX childcare_consents_user ON childcare_consents (user_id);

-- One row per child and local day: in and out, by whom; picked_up_by
-- names who collected the child ("guardian" or an authorised person).
CREATE TABLE childcare_attendance (
    id @ID@,
    programme_id BIGINT NOT NULL REFERENCES childcare_programmes (id) ON DELETE CASCADE,
    child_id BIGINT NOT NULL REFERENCES children (id) ON DELETE CASCADE,
    day INTEGER NOT NULL,
    in_at BIGINT NOT NULL,
    in_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    out_at BIGINT,
    out_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    picked_up_by TEXT
);
CREATE UNIQUE INDEX childcare_attendance_day ON childcare_attendance (programme_id, child_id, day);
