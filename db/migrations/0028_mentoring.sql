-- 0028_mentoring.sql: livestreamer mentoring. Hosts' session metrics
-- (typed in or imported from a platform's CSV export, through an editable
-- column mapping), mentors assigned to hosts, reviews of sessions, and
-- one-to-ones booked through the capacity engine. The mentor role and the
-- 'mentoring' offering kind come in 0030 (a dialect pair).

-- Hosts' profiles: the category their numbers are compared within.
CREATE TABLE mentoring_hosts (
    user_id BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    category TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX mentoring_hosts_category ON mentoring_hosts (category);

-- How a platform's export names our fields: one row per column name. The
-- admin edits these rows (PUT /api/mentoring/platforms/{code}).
CREATE TABLE mentoring_columns (
    platform TEXT NOT NULL,
    source TEXT NOT NULL,
    field TEXT NOT NULL CHECK (field IN ('start', 'duration', 'viewers', 'peak',
        'new_followers', 'orders', 'gmv', 'conversion')),
    PRIMARY KEY (platform, source)
);

INSERT INTO mentoring_columns (platform, source, field) VALUES
    ('douyin', '开播时间', 'start'), ('douyin', '直播时长', 'duration'),
    ('douyin', '累计观看人数', 'viewers'), ('douyin', '最高在线人数', 'peak'),
    ('douyin', '新增粉丝数', 'new_followers'), ('douyin', '成交订单数', 'orders'),
    ('douyin', '成交金额', 'gmv'), ('douyin', '成交转化率', 'conversion'),
    ('kuaishou', '直播开始时间', 'start'), ('kuaishou', '直播时长', 'duration'),
    ('kuaishou', '观看人数', 'viewers'), ('kuaishou', '最高同时在线', 'peak'),
    ('kuaishou', '涨粉数', 'new_followers'), ('kuaishou', '订单数', 'orders'),
    ('kuaishou', 'GMV', 'gmv'), ('kuaishou', '转化率', 'conversion'),
    ('taobao', '开播时间', 'start'), ('taobao', '直播时长', 'duration'),
    ('taobao', '观看次数', 'viewers'), ('taobao', '最高在线人数', 'peak'),
    ('taobao', '新增粉丝', 'new_followers'), ('taobao', '成交笔数', 'orders'),
    ('taobao', '成交金额', 'gmv'), ('taobao', '成交转化率', 'conversion'),
    ('generic', 'date', 'start'), ('generic', 'duration', 'duration'),
    ('generic', 'viewers', 'viewers'), ('generic', 'peak', 'peak'),
    ('generic', 'new_followers', 'new_followers'), ('generic', 'orders', 'orders'),
    ('generic', 'gmv', 'gmv'), ('generic', 'conversion', 'conversion');

-- One livestream session of a host. Money in fen (1/100 yuan), duration in
-- seconds, conversion in basis points (1/100 of a percent). A host has one
-- session per start time, so an export uploaded twice is refused, not
-- counted twice.
CREATE TABLE mentoring_sessions (
    id @ID@,
    host_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    starts_at BIGINT NOT NULL,
    duration_s INTEGER NOT NULL CHECK (duration_s > 0),
    viewers BIGINT NOT NULL CHECK (viewers >= 0),
    peak BIGINT NOT NULL CHECK (peak >= 0),
    new_followers BIGINT NOT NULL CHECK (new_followers >= 0),
    orders BIGINT NOT NULL CHECK (orders >= 0),
    gmv_fen BIGINT NOT NULL CHECK (gmv_fen >= 0),
    conversion_bp INTEGER NOT NULL CHECK (conversion_bp BETWEEN 0 AND 10000),
    source TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX mentoring_sessions_one_start ON mentoring_sessions (host_id, starts_at);

-- A host's mentor (one at a time), set by an admin.
CREATE TABLE mentoring_assignments (
    host_id BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    mentor_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    assigned_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    assigned_at BIGINT NOT NULL
);
CREATE INDEX mentoring_assignments_mentor ON mentoring_assignments (mentor_id);

-- A mentor's review of one session: what they saw, and concrete advice.
CREATE TABLE mentoring_reviews (
    id @ID@,
    session_id BIGINT NOT NULL REFERENCES mentoring_sessions (id) ON DELETE CASCADE,
    mentor_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    summary TEXT NOT NULL,
    advice TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX mentoring_reviews_session ON mentoring_reviews (session_id);

-- Each mentor's one-to-one offering in the capacity engine (kind
-- 'mentoring'); its slots are the times the mentor offers.
CREATE TABLE mentoring_offerings (
    mentor_id BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    offering_id BIGINT NOT NULL UNIQUE REFERENCES offerings (id) ON DELETE CASCADE
);
