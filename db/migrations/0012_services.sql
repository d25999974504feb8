-- 0012_services.sql: the one-stop service catalogue, shaped like Open
-- Referral HSDS 3.0. Organizations (the providers: social security
-- bureau, legal aid centre, HR market, trade union, clinics, volunteers)
-- offer services; a service has one category from the taxonomy below and
-- is offered at sites of the registry, each with its own opening hours
-- (OpenStreetMap opening_hours, checked by the hours engine before it is
-- stored). The HSDS API's ids are UUIDs derived by the service module
-- from these rows (see src/service/service.h) and kept in the uuid
-- columns so a UUID in a path is found by an index.
--
-- Organization grants. A provider's grant names its organization
-- (scope_kind 'organization', scope_ref its code): the role table and the
-- account module accept it, but role_grants' CHECK (0003) still listed
-- only global, site, region and department, so such a grant was refused.
-- Widening a CHECK differs by engine, hence this file's two dialects
-- (the catalogue's tables below are the same in both); the last part
-- belongs to the accounts' schema and can move to one of its migrations.

-- The taxonomy: terms with a parent. path holds the codes from the root
-- down ('/daily_life/haircut/'), so a category filter takes the subtree
-- with one LIKE. Terms are part of the schema: services need them on any
-- installation, demo or not.
CREATE TABLE service_categories (
    id @ID@,
    code TEXT NOT NULL UNIQUE,
    parent_id BIGINT REFERENCES service_categories (id),
    path TEXT NOT NULL UNIQUE,
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL DEFAULT '',
    description_zh TEXT NOT NULL DEFAULT '',
    description_en TEXT NOT NULL DEFAULT '',
    position INTEGER NOT NULL DEFAULT 0
);

INSERT INTO service_categories (code, parent_id, path, name_zh, name_en, description_zh, description_en, position) VALUES
    ('social_security', NULL, '/social_security/', '社会保障', 'Social security',
     '社保参保、缴费、待遇咨询与办理', 'Enrolment, contributions and benefits of social insurance', 1),
    ('legal_aid', NULL, '/legal_aid/', '法律援助', 'Legal aid',
     '免费法律咨询、代写文书与法律援助申请', 'Free legal advice, documents and applications for legal aid', 2),
    ('labour_disputes', NULL, '/labour_disputes/', '劳动争议调解', 'Labour dispute mediation',
     '欠薪、工伤、劳动关系争议的调解与仲裁指引', 'Mediation of unpaid wages, injuries and employment disputes, and the way to arbitration', 3),
    ('jobs_hr', NULL, '/jobs_hr/', '就业与人力资源', 'Jobs and HR',
     '岗位信息、就业登记与人力资源服务', 'Vacancies, employment registration and HR services', 4),
    ('skills_training', NULL, '/skills_training/', '技能培训', 'Skills training',
     '职业技能培训与证书', 'Vocational training and certificates', 5),
    ('health', NULL, '/health/', '健康服务', 'Health',
     '体检、义诊与心理健康', 'Health checks, free clinics and mental health', 6),
    ('childcare', NULL, '/childcare/', '子女托管', 'Childcare',
     '寒暑假托管、课后看护与作业辅导', 'Holiday and after-school care, homework help', 7),
    ('livestream_mentoring', NULL, '/livestream_mentoring/', '直播指导', 'Livestream mentoring',
     '直播数据分析、带货技巧与同行交流', 'Stream analytics, selling skills and peer exchange', 8),
    ('trade_union', NULL, '/trade_union/', '工会服务', 'Trade union',
     '入会、帮扶与节日慰问', 'Joining the union, hardship support and holiday care packages', 9),
    ('daily_life', NULL, '/daily_life/', '生活服务', 'Daily life',
     '理发、维修、优惠餐等便民服务', 'Haircuts, repairs, discounted meals and other everyday help', 10),
    ('volunteering', NULL, '/volunteering/', '志愿服务', 'Volunteering',
     '志愿服务队与兼职网格员', 'Volunteer squads and part-time grid workers', 11);

INSERT INTO service_categories (code, parent_id, path, name_zh, name_en, description_zh, description_en, position)
    SELECT 'pension_medical', id, path || 'pension_medical/', '养老与医疗保险', 'Pension and medical insurance',
           '灵活就业人员参保与缴费', 'Insurance for flexible workers: enrolment and contributions', 1
    FROM service_categories WHERE code = 'social_security';
INSERT INTO service_categories (code, parent_id, path, name_zh, name_en, description_zh, description_en, position)
    SELECT 'injury_protection', id, path || 'injury_protection/', '职业伤害保障', 'Occupational injury protection',
           '新就业形态人员职业伤害保障', 'Occupational injury protection for platform workers', 2
    FROM service_categories WHERE code = 'social_security';
INSERT INTO service_categories (code, parent_id, path, name_zh, name_en, description_zh, description_en, position)
    SELECT 'legal_consultation', id, path || 'legal_consultation/', '法律咨询', 'Legal consultation',
           '律师值班与法律咨询', 'Duty lawyers and legal questions', 1
    FROM service_categories WHERE code = 'legal_aid';
INSERT INTO service_categories (code, parent_id, path, name_zh, name_en, description_zh, description_en, position)
    SELECT 'job_matching', id, path || 'job_matching/', '岗位对接', 'Job matching',
           '招聘会与岗位推荐', 'Job fairs and referrals', 1
    FROM service_categories WHERE code = 'jobs_hr';
INSERT INTO service_categories (code, parent_id, path, name_zh, name_en, description_zh, description_en, position)
    SELECT 'health_check', id, path || 'health_check/', '健康体检', 'Health checks',
           '血压、血糖与常规体检', 'Blood pressure, blood sugar and routine checks', 1
    FROM service_categories WHERE code = 'health';
INSERT INTO service_categories (code, parent_id, path, name_zh, name_en, description_zh, description_en, position)
    SELECT 'mental_health', id, path || 'mental_health/', '心理疏导', 'Counselling',
           '心理咨询与减压', 'Counselling and stress relief', 2
    FROM service_categories WHERE code = 'health';
INSERT INTO service_categories (code, parent_id, path, name_zh, name_en, description_zh, description_en, position)
    SELECT 'haircut', id, path || 'haircut/', '理发', 'Haircut',
           '义剪与优惠理发', 'Free and discounted haircuts', 1
    FROM service_categories WHERE code = 'daily_life';
INSERT INTO service_categories (code, parent_id, path, name_zh, name_en, description_zh, description_en, position)
    SELECT 'repair', id, path || 'repair/', '维修', 'Repairs',
           '电动车、手机与家电维修', 'E-bike, phone and appliance repairs', 2
    FROM service_categories WHERE code = 'daily_life';
INSERT INTO service_categories (code, parent_id, path, name_zh, name_en, description_zh, description_en, position)
    SELECT 'meals', id, path || 'meals/', '爱心餐', 'Meals',
           '优惠餐与爱心餐', 'Discounted and free meals', 3
    FROM service_categories WHERE code = 'daily_life';

-- Providers. code is what a provider's role grant names
-- (scope_kind "organization"), so it never changes.
CREATE TABLE organizations (
    id @ID@,
    code TEXT NOT NULL UNIQUE,
    uuid TEXT NOT NULL UNIQUE,
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL DEFAULT '',
    description_zh TEXT NOT NULL DEFAULT '',
    description_en TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    website TEXT NOT NULL DEFAULT '',
    contact_name TEXT NOT NULL DEFAULT '',
    is_demo INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- uuid is derived from the id, so it is set by an UPDATE in the insert's
-- transaction (NULL only inside it). Ids are never given out twice (the id
-- is an identity column on PostgreSQL and AUTOINCREMENT on SQLite), so
-- neither is a UUID.
CREATE TABLE services (
    id @ID@,
    uuid TEXT UNIQUE,
    organization_id BIGINT NOT NULL REFERENCES organizations (id),
    category_id BIGINT NOT NULL REFERENCES service_categories (id),
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL DEFAULT '',
    description_zh TEXT NOT NULL DEFAULT '',
    description_en TEXT NOT NULL DEFAULT '',
    eligibility_zh TEXT NOT NULL DEFAULT '',
    eligibility_en TEXT NOT NULL DEFAULT '',
    fees_zh TEXT NOT NULL DEFAULT '',
    fees_en TEXT NOT NULL DEFAULT '',
    free INTEGER NOT NULL DEFAULT 1,
    -- ISO 639 codes, comma-separated: 'zh,en'
    languages TEXT NOT NULL DEFAULT 'zh',
    phone TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    url TEXT NOT NULL DEFAULT '',
    contact_name TEXT NOT NULL DEFAULT '',
    -- the worker must be verified (a new-employment worker checked by staff)
    requires_verified INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN
        ('active', 'inactive', 'temporarily_closed', 'defunct')),
    is_demo INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX services_organization ON services (organization_id);
CREATE INDEX services_category ON services (category_id);

CREATE TABLE service_documents (
    service_id BIGINT NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    document_zh TEXT NOT NULL,
    document_en TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (service_id, position)
);

-- A service offered at a site, with its own opening hours there.
CREATE TABLE service_locations (
    service_id BIGINT NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    site_id BIGINT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    uuid TEXT NOT NULL UNIQUE,
    opening_hours TEXT NOT NULL,
    note_zh TEXT NOT NULL DEFAULT '',
    note_en TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (service_id, site_id)
);
CREATE INDEX service_locations_site ON service_locations (site_id);
