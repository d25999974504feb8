-- 0014_inbox.sql: a person's notices ("your booking is confirmed", "a
-- place came free for you"), written by other modules inside the
-- transaction of what they announce (inbox_post), read in the app, and
-- delivered once outside it by the configured notification provider
-- (WARMHARBOR_NOTIFY).
--
-- Delivery: every node's tick claims a batch of pending notices in one
-- UPDATE that re-checks, row by row, that nobody holds a fresh claim, so
-- two nodes never send one notice twice; a claim older than the stale
-- limit (a node that died while sending) may be taken over. Each claim
-- counts an attempt; after the last one the notice is 'failed' with the
-- provider's reason. Notices already read in the app, expired, or too old
-- to be news are 'skipped', never sent.

CREATE TABLE inbox_notices (
    id @ID@,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,                  -- booking_confirmed, waitlist_offer, ...
    title_zh TEXT NOT NULL,
    title_en TEXT NOT NULL,
    body_zh TEXT NOT NULL DEFAULT '',
    body_en TEXT NOT NULL DEFAULT '',
    link TEXT,                           -- an app path ("/#/bookings/12") or NULL
    created_at BIGINT NOT NULL,
    expires_at BIGINT,                   -- NULL: never; hidden from then on
    read_at BIGINT,                      -- NULL: unread
    delivery TEXT NOT NULL DEFAULT 'pending' CHECK (delivery IN
        ('pending', 'sent', 'failed', 'skipped')),
    delivery_attempts INTEGER NOT NULL DEFAULT 0,
    delivery_next_at BIGINT NOT NULL DEFAULT 0,  -- not before (after a failure)
    delivery_claimed_by TEXT,            -- the node sending it now
    delivery_claimed_at BIGINT,
    delivered_at BIGINT,
    delivery_error TEXT                  -- the provider's last reason
);
CREATE INDEX inbox_notices_user ON inbox_notices (user_id, id);
CREATE INDEX inbox_notices_pending ON inbox_notices (delivery_next_at) WHERE delivery = 'pending';
CREATE INDEX inbox_notices_expires ON inbox_notices (expires_at) WHERE expires_at IS NOT NULL;
