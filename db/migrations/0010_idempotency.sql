-- 0010_idempotency.sql: Idempotency-Key. The first answer to a signed-in
-- POST is kept (for a day) under the caller and the key, with a hash of
-- what was asked, so a retried request is answered again instead of being
-- carried out twice. state: 0 claimed (running), 1 carried out (committed
-- with the work, answer not yet kept), 2 answered.

CREATE TABLE idempotency_keys (
    owner BIGINT NOT NULL,
    key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    state INTEGER NOT NULL DEFAULT 0,
    status INTEGER NOT NULL DEFAULT 0,
    content_type TEXT,
    body TEXT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (owner, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
