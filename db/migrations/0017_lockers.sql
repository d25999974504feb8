-- 0017_lockers.sql: numbered fridge and locker slots at a site, claimed by
-- a worker for the day ("my lunch is in fridge slot 3, code 481926").
--
-- A slot is free while claim_id is NULL. Claiming is one UPDATE of a free
-- slot (claim_id IS NULL re-checked in the statement) whose affected-row
-- count decides, so two people never get one slot; a person holds at most
-- one slot of a kind at a site (the partial unique index on held claims).
-- A claim ends when its holder releases it, when staff open the slot for
-- them with the code, or at the site's closing time (ends_at, worked out
-- from the opening hours when it was claimed; the tick frees it then).

CREATE TABLE locker_slots (
    id @ID@,
    site_id BIGINT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('fridge', 'locker')),
    number INTEGER NOT NULL CHECK (number >= 1),
    -- the claim holding it; NULL: free
    claim_id BIGINT,
    UNIQUE (site_id, kind, number)
);
CREATE INDEX locker_slots_claim ON locker_slots (claim_id);

CREATE TABLE locker_claims (
    id @ID@,
    site_id BIGINT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('fridge', 'locker')),
    -- the slot (NULL once the slot is removed; number keeps what it was)
    slot_id BIGINT REFERENCES locker_slots (id) ON DELETE SET NULL,
    number INTEGER NOT NULL DEFAULT 0,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- six digits the holder shows staff to have the slot opened
    code TEXT NOT NULL,
    claimed_at BIGINT NOT NULL,
    ends_at BIGINT NOT NULL,
    -- held -> released (by the holder) | opened (by staff with the code) |
    -- expired (the site closed)
    state TEXT NOT NULL DEFAULT 'held'
        CHECK (state IN ('held', 'released', 'opened', 'expired')),
    ended_at BIGINT,
    ended_by BIGINT REFERENCES users (id) ON DELETE SET NULL
);
CREATE UNIQUE INDEX locker_claims_one_held ON locker_claims (user_id, site_id, kind)
    WHERE state = 'held';
CREATE INDEX locker_claims_ends ON locker_claims (state, ends_at);
CREATE INDEX locker_claims_site ON locker_claims (site_id, state);
