-- 0003_accounts.sql: people, their roles (each scoped), sessions, one-time
-- codes, consent records and the audit log.

CREATE TABLE users (
    id @ID@,
    phone TEXT UNIQUE,                 -- NULL once the person is erased
    display_name TEXT NOT NULL DEFAULT '',
    password_hash TEXT,                -- argon2id (libsodium), or NULL
    occupation TEXT NOT NULL DEFAULT 'other' CHECK (occupation IN
        ('courier', 'food_delivery', 'ride_hailing', 'truck_driver',
         'livestream_host', 'domestic_worker', 'other')),
    platforms TEXT NOT NULL DEFAULT '',  -- comma list: meituan,eleme,didi,...
    verification TEXT NOT NULL DEFAULT 'unverified' CHECK (verification IN
        ('unverified', 'verified', 'revoked')),
    verified_by BIGINT REFERENCES users (id),
    verified_at BIGINT,
    id_number_enc TEXT,                -- secretbox, key outside the database
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    erased_at BIGINT
);

CREATE TABLE role_grants (
    id @ID@,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('staff', 'provider', 'merchant',
        'dispatcher', 'region_admin', 'system_admin')),
    -- what the role reaches: a site id, a region code, a department code,
    -- or nothing (system admin)
    scope_kind TEXT NOT NULL CHECK (scope_kind IN ('global', 'site', 'region', 'department')),
    scope_ref TEXT NOT NULL DEFAULT '',
    granted_by BIGINT REFERENCES users (id),
    granted_at BIGINT NOT NULL,
    revoked_by BIGINT REFERENCES users (id),
    revoked_at BIGINT
);
CREATE INDEX role_grants_user ON role_grants (user_id);

CREATE TABLE sessions (
    id @ID@,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,   -- BLAKE2b of the token; never the token
    kind TEXT NOT NULL CHECK (kind IN ('cookie', 'bearer')),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    user_agent TEXT NOT NULL DEFAULT '',
    revoked_at BIGINT
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE otp_codes (
    phone TEXT NOT NULL,
    code_hash TEXT NOT NULL,
    purpose TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (phone, purpose)
);

CREATE TABLE consents (
    id @ID@,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,               -- 'privacy_policy', ...
    text_version TEXT NOT NULL,
    agreed_at BIGINT NOT NULL
);
CREATE INDEX consents_user ON consents (user_id);

-- Append-only: the code never updates or deletes rows here.
CREATE TABLE audit_log (
    id @ID@,
    at BIGINT NOT NULL,
    actor_id BIGINT,
    action TEXT NOT NULL,
    target_type TEXT NOT NULL DEFAULT '',
    target_id TEXT NOT NULL DEFAULT '',
    address TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log (at);
