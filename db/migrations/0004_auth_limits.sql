-- 0004_auth_limits.sql: failed sign-in counters, in the store so that
-- every node of a deployment sees the same lockouts. Keys are keyed
-- hashes ("phone:..." / "address:..."), never the phone number itself.

CREATE TABLE auth_limits (
    key TEXT PRIMARY KEY,
    window_start BIGINT NOT NULL,
    count INTEGER NOT NULL,
    locked_until BIGINT NOT NULL DEFAULT 0
);
