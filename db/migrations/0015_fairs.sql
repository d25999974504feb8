-- 0015_fairs.sql: the monthly "Red Charm · Couriers" fair (红色魅力·小哥集市)
-- at a hub: its booths (haircut, health check, legal advice ...) and a
-- walk-in queue per booth.
--
-- A booth hands out numbers 1, 2, 3 ... : taking one is a single UPDATE
-- of the booth's last_number whose RETURNING row decides, followed by the
-- ticket's INSERT in the same transaction, so numbers never repeat or
-- skip. A person has at most one number in a booth's queue (waiting or
-- being served): the partial unique index decides that in the INSERT.

CREATE TABLE fairs (
    id @ID@,
    site_id BIGINT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    title_zh TEXT NOT NULL,
    title_en TEXT NOT NULL DEFAULT '',
    starts_at BIGINT NOT NULL,
    ends_at BIGINT NOT NULL,
    -- scheduled -> open (numbers are handed out) -> closed; or cancelled
    state TEXT NOT NULL DEFAULT 'scheduled'
        CHECK (state IN ('scheduled', 'open', 'closed', 'cancelled')),
    is_demo INTEGER NOT NULL DEFAULT 0,
    created_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CHECK (ends_at > starts_at)
);
CREATE INDEX fairs_site ON fairs (site_id, starts_at);
CREATE INDEX fairs_starts ON fairs (starts_at);

CREATE TABLE fair_booths (
    id @ID@,
    fair_id BIGINT NOT NULL REFERENCES fairs (id) ON DELETE CASCADE,
    sort_order INTEGER NOT NULL DEFAULT 0,
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL DEFAULT '',
    -- who runs it; free text until the service catalogue's organizations
    organization TEXT NOT NULL DEFAULT '',
    -- minutes one person takes, for wait estimates before any is measured
    avg_service_min INTEGER NOT NULL CHECK (avg_service_min BETWEEN 1 AND 240),
    -- the shared capacity engine's offering once booths get timed slots
    -- (no foreign key yet: that table does not exist)
    offering_id BIGINT,
    -- 0: the booth takes no new numbers (its day is full, or it closed)
    is_open INTEGER NOT NULL DEFAULT 1 CHECK (is_open IN (0, 1)),
    -- the last number handed out; 0 before the first
    last_number INTEGER NOT NULL DEFAULT 0,
    -- touched by "call next" so two callers take turns on the booth's row
    last_called_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX fair_booths_fair ON fair_booths (fair_id, sort_order);

CREATE TABLE fair_tickets (
    id @ID@,
    fair_id BIGINT NOT NULL REFERENCES fairs (id) ON DELETE CASCADE,
    booth_id BIGINT NOT NULL REFERENCES fair_booths (id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    -- the person who holds it; NULL for a number taken at a kiosk for
    -- someone without a phone (or once the person's account is erased)
    user_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    -- kiosk only: what the person asked to be called, if anything
    name TEXT,
    state TEXT NOT NULL DEFAULT 'waiting'
        CHECK (state IN ('waiting', 'called', 'done', 'skipped', 'cancelled')),
    -- the staff member at the kiosk; NULL when taken on the person's phone
    taken_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    taken_at BIGINT NOT NULL,
    called_at BIGINT,
    finished_at BIGINT,
    -- who called, skipped, finished or cancelled it last
    handled_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    UNIQUE (booth_id, number)
);
CREATE UNIQUE INDEX fair_tickets_one_in_queue ON fair_tickets (booth_id, user_id)
    WHERE state IN ('waiting', 'called');
CREATE INDEX fair_tickets_queue ON fair_tickets (booth_id, state, number);
CREATE INDEX fair_tickets_fair ON fair_tickets (fair_id, state);
CREATE INDEX fair_tickets_user ON fair_tickets (user_id, taken_at);
