-- 0029_platforms_totp.sql: the platforms a worker can name, as data an
-- admin keeps (it was a list in the web app's code), and a second factor
-- (TOTP, RFC 6238) for staff and admins, with one-time recovery codes.

-- users.platforms stays a comma list of these codes. A retired platform
-- is no longer offered, but stays valid on the accounts that name it.
CREATE TABLE platforms (
    id @ID@,
    code TEXT NOT NULL UNIQUE,
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL DEFAULT '',
    position INTEGER NOT NULL DEFAULT 0,
    retired_at BIGINT,
    updated_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    updated_at BIGINT NOT NULL
);
INSERT INTO platforms (code, name_zh, name_en, position, updated_at) VALUES ('meituan', '美团', 'Meituan', 10, 0);
INSERT INTO platforms (code, name_zh, name_en, position, updated_at) VALUES ('eleme', '饿了么', 'Ele.me', 20, 0);
INSERT INTO platforms (code, name_zh, name_en, position, updated_at) VALUES ('jd', '京东', 'JD', 30, 0);
INSERT INTO platforms (code, name_zh, name_en, position, updated_at) VALUES ('sf', '顺丰', 'SF Express', 40, 0);
INSERT INTO platforms (code, name_zh, name_en, position, updated_at) VALUES ('dada', '达达', 'Dada', 50, 0);
INSERT INTO platforms (code, name_zh, name_en, position, updated_at) VALUES ('shansong', '闪送', 'FlashEx', 60, 0);
INSERT INTO platforms (code, name_zh, name_en, position, updated_at) VALUES ('uupt', 'UU跑腿', 'UU Errands', 70, 0);
INSERT INTO platforms (code, name_zh, name_en, position, updated_at) VALUES ('cainiao', '菜鸟', 'Cainiao', 80, 0);
INSERT INTO platforms (code, name_zh, name_en, position, updated_at) VALUES ('zto', '中通快递', 'ZTO Express', 90, 0);
INSERT INTO platforms (code, name_zh, name_en, position, updated_at) VALUES ('yto', '圆通速递', 'YTO Express', 100, 0);
INSERT INTO platforms (code, name_zh, name_en, position, updated_at) VALUES ('sto', '申通快递', 'STO Express', 110, 0);
INSERT INTO platforms (code, name_zh, name_en, position, updated_at) VALUES ('yunda', '韵达快递', 'Yunda Express', 120, 0);
INSERT INTO platforms (code, name_zh, name_en, position, updated_at) VALUES ('jtexpress', '极兔速递', 'J&T Express', 130, 0);
INSERT INTO platforms (code, name_zh, name_en, position, updated_at) VALUES ('ems', '中国邮政', 'China Post / EMS', 140, 0);
INSERT INTO platforms (code, name_zh, name_en, position, updated_at) VALUES ('didi', '滴滴', 'DiDi', 150, 0);
INSERT INTO platforms (code, name_zh, name_en, position, updated_at) VALUES ('amap_taxi', '高德打车', 'Amap Taxi', 160, 0);
INSERT INTO platforms (code, name_zh, name_en, position, updated_at) VALUES ('t3', 'T3出行', 'T3 Mobility', 170, 0);
INSERT INTO platforms (code, name_zh, name_en, position, updated_at) VALUES ('caocao', '曹操出行', 'CaoCao Mobility', 180, 0);
INSERT INTO platforms (code, name_zh, name_en, position, updated_at) VALUES ('huolala', '货拉拉', 'Lalamove', 190, 0);
INSERT INTO platforms (code, name_zh, name_en, position, updated_at) VALUES ('kuaigou', '快狗打车', 'GOGOX', 200, 0);
INSERT INTO platforms (code, name_zh, name_en, position, updated_at) VALUES ('manbang', '满帮', 'Full Truck Alliance', 210, 0);
INSERT INTO platforms (code, name_zh, name_en, position, updated_at) VALUES ('douyin', '抖音', 'Douyin', 220, 0);
INSERT INTO platforms (code, name_zh, name_en, position, updated_at) VALUES ('kuaishou', '快手', 'Kuaishou', 230, 0);
INSERT INTO platforms (code, name_zh, name_en, position, updated_at) VALUES ('daojia58', '58到家', '58 Daojia', 240, 0);
INSERT INTO platforms (code, name_zh, name_en, position, updated_at) VALUES ('other', '其他', 'Other', 1000, 0);

-- A person's TOTP secret (sealed with a key from outside the database,
-- like the ID number). enabled_at NULL: enrolment started, not yet
-- confirmed with a first code. last_step: the newest time step a code
-- was accepted for; a code is taken only for a later step, in one
-- statement, so a code seen once (or twice at once) is never good again.
CREATE TABLE user_totp (
    user_id BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret_enc TEXT NOT NULL,
    enabled_at BIGINT,
    last_step BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);

-- Recovery codes: ten per enrolment, shown once, kept as keyed hashes;
-- used_at is set by the one statement that spends one.
CREATE TABLE user_recovery_codes (
    id @ID@,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    used_at BIGINT
);
CREATE INDEX user_recovery_codes_user ON user_recovery_codes (user_id);
