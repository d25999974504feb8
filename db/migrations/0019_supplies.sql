-- 0019_supplies.sql: consumables at the stations (cold medicine,
-- plasters, disinfectant, drinking water, rain ponchos, the first-aid
-- kit's contents), in batches with an expiry date.
--
-- supply_items: the catalogue, the same everywhere (seeded here; kit: part
-- of the first-aid kit; expires: batches carry an expiry date).
-- supply_batches: what a site holds, one row per item and expiry date
-- (0: does not expire). A restock adds to its batch in one upsert; a use
-- takes from a batch in one UPDATE guarded by quantity >= n, and the
-- CHECK keeps a quantity from ever going below zero.
-- supply_minimums: how much of an item a site should hold; under it the
-- site needs a restock.
-- supply_log: every restock and use: who, when, how many (+ in, - out),
-- why (restock, use, expired, damaged).

CREATE TABLE supply_items (
    id @ID@,
    code TEXT NOT NULL UNIQUE,
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL DEFAULT '',
    unit_zh TEXT NOT NULL DEFAULT '',
    unit_en TEXT NOT NULL DEFAULT '',
    kit INTEGER NOT NULL DEFAULT 0,
    expires INTEGER NOT NULL DEFAULT 1,
    position INTEGER NOT NULL DEFAULT 0
);

INSERT INTO supply_items (code, name_zh, name_en, unit_zh, unit_en, kit, expires, position) VALUES
    ('cold_medicine', '感冒药', 'Cold medicine', '盒', 'boxes', 1, 1, 10),
    ('plasters', '创可贴', 'Plasters', '片', 'pieces', 1, 1, 20),
    ('disinfectant', '消毒液', 'Disinfectant', '瓶', 'bottles', 1, 1, 30),
    ('iodine_swabs', '碘伏棉签', 'Iodine swabs', '包', 'packs', 1, 1, 40),
    ('gauze', '医用纱布', 'Gauze', '卷', 'rolls', 1, 1, 50),
    ('bandage', '弹力绷带', 'Elastic bandages', '卷', 'rolls', 1, 1, 60),
    ('burn_cream', '烫伤膏', 'Burn cream', '支', 'tubes', 1, 1, 70),
    ('heatstroke_remedy', '藿香正气水', 'Heatstroke remedy', '盒', 'boxes', 1, 1, 80),
    ('gloves', '一次性手套', 'Disposable gloves', '副', 'pairs', 1, 1, 90),
    ('drinking_water', '饮用水', 'Drinking water', '瓶', 'bottles', 0, 1, 100),
    ('rain_poncho', '一次性雨衣', 'Rain ponchos', '件', 'pieces', 0, 0, 110);

CREATE TABLE supply_batches (
    id @ID@,
    site_id BIGINT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    item_id BIGINT NOT NULL REFERENCES supply_items (id),
    expires_on INTEGER NOT NULL DEFAULT 0,    -- yyyymmdd, local; 0: does not expire
    quantity INTEGER NOT NULL CHECK (quantity >= 0),
    received_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (site_id, item_id, expires_on)
);

CREATE TABLE supply_minimums (
    site_id BIGINT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    item_id BIGINT NOT NULL REFERENCES supply_items (id),
    minimum INTEGER NOT NULL CHECK (minimum >= 0),
    updated_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (site_id, item_id)
);

CREATE TABLE supply_log (
    id @ID@,
    site_id BIGINT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    item_id BIGINT NOT NULL REFERENCES supply_items (id),
    expires_on INTEGER NOT NULL DEFAULT 0,
    delta INTEGER NOT NULL,
    reason TEXT NOT NULL CHECK (reason IN ('restock', 'use', 'expired', 'damaged')),
    actor_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    at BIGINT NOT NULL,
    note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX supply_log_site ON supply_log (site_id, id);
CREATE INDEX supply_log_actor ON supply_log (actor_id);
