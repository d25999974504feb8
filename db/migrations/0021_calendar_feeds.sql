-- 0021_calendar_feeds.sql: a person's private calendar feed. The feed's
-- URL carries a random token; only its keyed hash is kept. Making a new
-- one replaces the old (the old URL stops working); revoking deletes it.

CREATE TABLE calendar_feeds (
    user_id BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    last_read_at BIGINT
);
