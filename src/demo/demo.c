/*
 * demo.c - generates the Haizhou District (Lianyungang, Jiangsu) demo
 * network described in the seed story: 7 industry hubs, 146 community
 * stations, 41 Warm Huts in parks and malls, 21 canteens and a set of
 * battery-swap points, spread over the district's streets.
 *
 * Positions are WGS-84 scattered around approximate street centres; names
 * are made up from street and community names. Nothing here is an
 * authoritative address: it is demo data and is marked as such.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "app/app.h"
#include "calendar/calendar.h"
#include "catalog/catalog.h"
#include "core/clock.h"
#include "core/log.h"
#include "demo/demo.h"
#include "region/region.h"
#include "site/site.h"
#include "store/store.h"

/* ---- a small deterministic generator (splitmix64) ------------------ */

struct demo_rng {
    uint64_t state;
};

static uint64_t rng_next(struct demo_rng *r)
{
    uint64_t z = (r->state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static double rng_unit(struct demo_rng *r)
{
    return (double)(rng_next(r) >> 11) / 9007199254740992.0;
}

static int rng_below(struct demo_rng *r, int n)
{
    return (int)(rng_next(r) % (uint64_t)n);
}

/* ---- the catalogue -------------------------------------------------- */

static const struct site_type demo_types[] = {
    {0, "industry_hub", "产业阵地", "Industry hub", 1},
    {0, "community_station", "社区暖新驿站", "Community station", 2},
    {0, "warm_hut", "暖新小屋", "Warm Hut", 3},
    {0, "canteen", "暖新食堂", "Discount canteen", 0},
    {0, "battery_swap", "电动车换电点", "E-bike battery swap", 0},
};

static const struct amenity demo_amenities[] = {
    {0, "phone_charging", "手机充电", "Phone charging", "plug", "counted"},
    {0, "ev_charger", "汽车充电桩", "EV charger", "ev-station", "counted"},
    {0, "ebike_charging", "电动车充电", "E-bike charging", "bolt", "counted"},
    {0, "battery_swap", "电池换电", "Battery swap", "battery", "counted"},
    {0, "microwave", "微波炉", "Microwave", "microwave", "boolean"},
    {0, "fridge", "冰箱", "Fridge", "fridge", "boolean"},
    {0, "hot_water", "热水", "Hot water", "kettle", "boolean"},
    {0, "drinking_water", "饮用水", "Drinking water", "water", "boolean"},
    {0, "toilet", "卫生间", "Toilet", "toilet", "boolean"},
    {0, "seats", "休息座椅", "Seats", "chair", "counted"},
    {0, "air_conditioning", "空调", "Air conditioning", "snowflake", "boolean"},
    {0, "first_aid", "急救药箱", "First-aid kit", "first-aid", "boolean"},
    {0, "cold_medicine", "感冒药", "Cold medicine", "pill", "boolean"},
    {0, "rain_gear", "雨衣借用", "Raincoat lending", "raincoat", "counted"},
    {0, "umbrella", "雨伞借用", "Umbrella lending", "umbrella", "counted"},
    {0, "repair_tools", "维修工具", "Repair tools", "wrench", "boolean"},
    {0, "phone_stand", "手机支架", "Phone stands", "phone", "counted"},
    {0, "livestream_gear", "直播设备", "Livestream gear", "camera", "boolean"},
    {0, "wifi", "无线网络", "Wi-Fi", "wifi", "boolean"},
    {0, "locker", "储物柜", "Lockers", "locker", "counted"},
    {0, "reading", "图书角", "Reading corner", "book", "boolean"},
    {0, "blood_pressure", "血压计", "Blood-pressure monitor", "heart", "boolean"},
};

#define NTYPES (sizeof demo_types / sizeof demo_types[0])
#define NAMENITIES (sizeof demo_amenities / sizeof demo_amenities[0])

/* ---- the district ---------------------------------------------------- */

struct demo_street {
    const char *code, *zh, *en;
    double lat, lon; /* approximate centre, WGS-84 */
    const char *communities[3][2];
};

static const struct demo_street demo_streets[] = {
    {"HZ-XH",
     "新海街道",
     "Xinhai Street",
     34.6000,
     119.2050,
     {{"朝阳", "Chaoyang"}, {"海昌", "Haichang"}, {"通灌", "Tongguan"}}},
    {"HZ-XD",
     "新东街道",
     "Xindong Street",
     34.5980,
     119.2300,
     {{"东盐河", "Dongyanhe"}, {"龙尾河", "Longweihe"}, {"新东", "Xindong"}}},
    {"HZ-XN",
     "新南街道",
     "Xinnan Street",
     34.5750,
     119.2000,
     {{"新南", "Xinnan"}, {"陇海", "Longhai"}, {"南极", "Nanji"}}},
    {"HZ-XP",
     "新浦街道",
     "Xinpu Street",
     34.6070,
     119.1750,
     {{"民主路", "Minzhulu"}, {"解放路", "Jiefanglu"}, {"海连", "Hailian"}}},
    {"HZ-HZ",
     "海州街道",
     "Haizhou Street",
     34.5780,
     119.1300,
     {{"鼓楼", "Gulou"}, {"白虎山", "Baihushan"}, {"双龙", "Shuanglong"}}},
    {"HZ-XF",
     "幸福路街道",
     "Xingfulu Street",
     34.5900,
     119.1600,
     {{"幸福", "Xingfu"}, {"苍梧", "Cangwu"}, {"郁林", "Yulin"}}},
    {"HZ-QY",
     "朐阳街道",
     "Quyang Street",
     34.5600,
     119.1500,
     {{"朐阳", "Quyang"}, {"锦屏", "Jinping"}, {"孔望山", "Kongwangshan"}}},
    {"HZ-HM",
     "洪门街道",
     "Hongmen Street",
     34.5850,
     119.1100,
     {{"洪门", "Hongmen"}, {"西门", "Ximen"}, {"甲子河", "Jiazihe"}}},
    {"HZ-NH",
     "宁海街道",
     "Ninghai Street",
     34.6150,
     119.1400,
     {{"宁海", "Ninghai"}, {"太平", "Taiping"}, {"大村", "Dacun"}}},
    {"HZ-PX",
     "浦西街道",
     "Puxi Street",
     34.6200,
     119.1900,
     {{"浦西", "Puxi"}, {"后小井", "Houxiaojing"}, {"东林", "Donglin"}}},
    {"HZ-LN",
     "路南街道",
     "Lunan Street",
     34.5600,
     119.1850,
     {{"路南", "Lunan"}, {"凌州", "Lingzhou"}, {"龙河", "Longhe"}}},
    {"HZ-HGS",
     "花果山街道",
     "Huaguoshan Street",
     34.6400,
     119.2700,
     {{"花果山", "Huaguoshan"}, {"大圣湖", "Dashenghu"}, {"新县", "Xinxian"}}},
    {"HZ-YT",
     "云台街道",
     "Yuntai Street",
     34.6000,
     119.3000,
     {{"云台", "Yuntai"}, {"南城", "Nancheng"}, {"朝阳镇", "Chaoyangzhen"}}},
    {"HZ-NC",
     "南城街道",
     "Nancheng Street",
     34.5450,
     119.1200,
     {{"南城", "Nancheng"}, {"凤凰", "Fenghuang"}, {"新坝", "Xinba"}}},
};
#define NSTREETS (sizeof demo_streets / sizeof demo_streets[0])

struct demo_hub {
    const char *zh, *en, *address_zh;
    double lat, lon;
    const char *amenities; /* "code=count;..." */
};

static const struct demo_hub demo_hubs[] = {
    {"连云港站网约车候客区司机之家", "Lianyungang Station ride-hailing pickup zone",
     "连云港站东广场网约车候客区", 34.5642, 119.2468,
     "ev_charger=12;phone_charging=10;toilet;hot_water;drinking_water;seats=30;microwave;first_aid;"
     "wifi"},
    {"海州经济开发区快递物流园驿站", "Haizhou EDZ express logistics park",
     "海州经济开发区物流园区综合楼一层", 34.5370, 119.1680,
     "ebike_charging=20;phone_charging=12;rain_gear=30;repair_tools;microwave;fridge;seats=40;"
     "toilet;first_aid"},
    {"新东冷链物流园暖新港湾", "Xindong cold-chain logistics park", "新东街道冷链物流园服务中心",
     34.5920, 119.2480,
     "phone_charging=8;ebike_charging=10;microwave;fridge;hot_water;seats=24;toilet;first_aid;"
     "repair_tools"},
    {"海州直播电商基地", "Haizhou livestream e-commerce base", "海州区直播电商产业园三楼", 34.5960,
     119.1720,
     "livestream_gear;phone_stand=20;wifi;phone_charging=16;seats=50;air_conditioning;drinking_"
     "water;toilet"},
    {"公路港货车司机之家", "Highway port truck drivers' home", "连云港公路港货运中心", 34.5480,
     119.2050, "ev_charger=6;hot_water;microwave;toilet;seats=40;first_aid;wifi;locker=20"},
    {"外卖骑手综合服务中心", "Delivery riders' service centre", "海连中路骑手服务中心", 34.6035,
     119.1880,
     "battery_swap=24;ebike_charging=30;phone_charging=20;rain_gear=40;umbrella=20;microwave;"
     "fridge;repair_tools;seats=36"},
    {"连云港东站网约车服务区", "Lianyungang East ride-hailing service area", "连云港东站北侧停车场",
     34.6210, 119.2850, "ev_charger=8;phone_charging=6;toilet;drinking_water;seats=20;first_aid"},
};
#define NHUBS (sizeof demo_hubs / sizeof demo_hubs[0])

static const char *const demo_places[][2] = {
    {"苍梧绿园", "Cangwu Park"},         {"朐阳公园", "Quyang Park"},
    {"月牙岛公园", "Yueya Island Park"}, {"苏宁广场", "Suning Plaza"},
    {"万达广场", "Wanda Plaza"},         {"嘉瑞宝广场", "Jiaruibao Plaza"},
    {"海州公园", "Haizhou Park"},        {"孔望山景区", "Kongwangshan Scenic Area"},
    {"龙河公园", "Longhe Park"},         {"东盐河公园", "Dongyanhe Park"},
    {"吾悦广场", "Wuyue Plaza"},         {"巨龙北路口袋公园", "Julong N. Rd pocket park"},
};
#define NPLACES (sizeof demo_places / sizeof demo_places[0])

static const char *const station_hours[] = {
    "Mo-Su 08:00-20:00",
    "Mo-Fr 08:30-18:00; Sa,Su 09:00-17:00; PH off",
    "Mo-Su 07:00-22:00",
    "Mo-Sa 08:00-21:00; Su,PH 09:00-18:00",
    "Mo-Fr 09:00-12:00,14:00-18:00; Sa 09:00-12:00",
};
static const char *const hut_hours[] = {
    "24/7",
    "Mo-Su 06:00-22:00",
    "Mo-Su 10:00-22:00",
    "Mo-Su 18:00-02:00",
};

/* China's 2026 holidays and make-up working days as announced by the State
 * Council; verify against the notice before relying on them. */
static const struct holiday demo_holidays[] = {
    {20260101, "holiday", 0, "元旦", "New Year's Day"},
    {20260102, "holiday", 0, "元旦", "New Year's Day"},
    {20260103, "holiday", 0, "元旦", "New Year's Day"},
    {20260104, "workday", 1, "元旦调休", "New Year make-up workday"},
    {20260214, "workday", 5, "春节调休", "Spring Festival make-up workday"},
    {20260215, "holiday", 0, "春节", "Spring Festival"},
    {20260216, "holiday", 0, "春节", "Spring Festival"},
    {20260217, "holiday", 0, "春节", "Spring Festival"},
    {20260218, "holiday", 0, "春节", "Spring Festival"},
    {20260219, "holiday", 0, "春节", "Spring Festival"},
    {20260220, "holiday", 0, "春节", "Spring Festival"},
    {20260221, "holiday", 0, "春节", "Spring Festival"},
    {20260222, "holiday", 0, "春节", "Spring Festival"},
    {20260223, "holiday", 0, "春节", "Spring Festival"},
    {20260228, "workday", 5, "春节调休", "Spring Festival make-up workday"},
    {20260404, "holiday", 0, "清明节", "Qingming Festival"},
    {20260405, "holiday", 0, "清明节", "Qingming Festival"},
    {20260406, "holiday", 0, "清明节", "Qingming Festival"},
    {20260501, "holiday", 0, "劳动节", "Labour Day"},
    {20260502, "holiday", 0, "劳动节", "Labour Day"},
    {20260503, "holiday", 0, "劳动节", "Labour Day"},
    {20260504, "holiday", 0, "劳动节", "Labour Day"},
    {20260505, "holiday", 0, "劳动节", "Labour Day"},
    {20260509, "workday", 5, "劳动节调休", "Labour Day make-up workday"},
    {20260619, "holiday", 0, "端午节", "Dragon Boat Festival"},
    {20260620, "holiday", 0, "端午节", "Dragon Boat Festival"},
    {20260621, "holiday", 0, "端午节", "Dragon Boat Festival"},
    {20260920, "workday", 1, "国庆节调休", "National Day make-up workday"},
    {20260925, "holiday", 0, "中秋节", "Mid-Autumn Festival"},
    {20260926, "holiday", 0, "中秋节", "Mid-Autumn Festival"},
    {20260927, "holiday", 0, "中秋节", "Mid-Autumn Festival"},
    {20261001, "holiday", 0, "国庆节", "National Day"},
    {20261002, "holiday", 0, "国庆节", "National Day"},
    {20261003, "holiday", 0, "国庆节", "National Day"},
    {20261004, "holiday", 0, "国庆节", "National Day"},
    {20261005, "holiday", 0, "国庆节", "National Day"},
    {20261006, "holiday", 0, "国庆节", "National Day"},
    {20261007, "holiday", 0, "国庆节", "National Day"},
    {20261010, "workday", 5, "国庆节调休", "National Day make-up workday"},
};
#define NHOLIDAYS (sizeof demo_holidays / sizeof demo_holidays[0])

/* ---- building -------------------------------------------------------- */

struct seeder {
    struct store_conn *c;
    struct arena *a;
    struct demo_rng rng;
    int64_t now;
    struct demo_counts *counts;
};

/* Insert a region unless its code exists; *out gets it either way. */
static int ensure_region(struct seeder *sd, const char *code, const char *level, const char *zh,
                         const char *en, const struct region *parent, struct region *out)
{
    int rc = region_get(sd->c, sd->a, code, out);
    if (rc != STORE_NOT_FOUND)
        return rc;
    memset(out, 0, sizeof(*out));
    out->code = code;
    out->level = level;
    out->name_zh = zh;
    out->name_en = en;
    out->is_demo = true;
    rc = region_insert(sd->c, sd->a, out, parent, sd->now);
    if (!rc)
        sd->counts->regions++;
    return rc;
}

/* Parse "a=3;b" into s->amenities (codes point into the arena). */
static void set_amenities(struct seeder *sd, struct site *s, const char *spec)
{
    char *copy = arena_strdup(sd->a, spec), *save = NULL;
    s->amenities = arena_calloc(sd->a, SITE_MAX_AMENITIES, sizeof(*s->amenities));
    s->namenities = 0;
    for (char *tok = strtok_r(copy, ";", &save); tok; tok = strtok_r(NULL, ";", &save)) {
        char *eq = strchr(tok, '=');
        int64_t n = 1;
        if (eq) {
            *eq = '\0';
            n = strtoll(eq + 1, NULL, 10);
        }
        s->amenities[s->namenities].code = tok;
        s->amenities[s->namenities].count = n;
        s->namenities++;
    }
}

/* Pick each listed amenity with probability p, with a count for counted
 * ones. */
static void pick_amenities(struct seeder *sd, struct site *s, const char *const *codes, size_t n,
                           double p)
{
    s->amenities = arena_calloc(sd->a, n + 1, sizeof(*s->amenities));
    s->namenities = 0;
    for (size_t i = 0; i < n; i++) {
        if (rng_unit(&sd->rng) > p)
            continue;
        int64_t count = 1;
        for (size_t k = 0; k < NAMENITIES; k++)
            if (strcmp(demo_amenities[k].code, codes[i]) == 0 &&
                strcmp(demo_amenities[k].kind, "counted") == 0)
                count = 1 + rng_below(&sd->rng, 8);
        s->amenities[s->namenities].code = codes[i];
        s->amenities[s->namenities].count = count;
        s->namenities++;
    }
}

static int add_site(struct seeder *sd, struct site *s)
{
    s->is_demo = true;
    struct site_fault f;
    if (site_check(s, &f)) {
        log_error("demo site %s: %s %s", s->name_zh, f.field, f.message);
        return STORE_ERROR;
    }
    int rc = site_insert(sd->c, sd->a, s, sd->now, &f);
    if (rc == SITE_INVALID)
        log_error("demo site %s: %s %s", s->name_zh, f.field, f.message);
    if (!rc)
        sd->counts->sites++;
    return rc;
}

/* A point scattered around a centre: about +-1.5 km. */
static void scatter(struct seeder *sd, double lat, double lon, double spread, struct site *s)
{
    double u = rng_unit(&sd->rng), v = rng_unit(&sd->rng);
    double r = spread * sqrt(u), th = 2 * M_PI * v;
    s->lat = lat + r * cos(th);
    s->lon = lon + r * sin(th) / cos(lat * M_PI / 180);
}

/* The street whose centre is nearest (a flat approximation is enough at
 * district scale). */
static size_t nearest_street(double lat, double lon)
{
    size_t best = 0;
    double best_d = 1e9;
    for (size_t i = 0; i < NSTREETS; i++) {
        double dl = demo_streets[i].lat - lat;
        double dn = (demo_streets[i].lon - lon) * cos(lat * M_PI / 180);
        double d = dl * dl + dn * dn;
        if (d < best_d) {
            best_d = d;
            best = i;
        }
    }
    return best;
}

static const char *phone(struct seeder *sd)
{
    return arena_printf(sd->a, "0518-85%06d", rng_below(&sd->rng, 1000000));
}

static int seed_sites(struct seeder *sd, const struct region *communities)
{
    int rc = STORE_OK;
    /* Industry hubs at fixed places. */
    for (size_t i = 0; !rc && i < NHUBS; i++) {
        struct site s;
        site_defaults(&s);
        s.name_zh = demo_hubs[i].zh;
        s.name_en = demo_hubs[i].en;
        s.type_code = "industry_hub";
        s.address_zh = demo_hubs[i].address_zh;
        s.lat = demo_hubs[i].lat;
        s.lon = demo_hubs[i].lon;
        s.phone = phone(sd);
        s.has_capacity = true;
        s.capacity = 30 + rng_below(&sd->rng, 40);
        s.opening_hours = i == 3 ? "Mo-Su 09:00-23:00" : "24/7";
        s.description = "产业阵地：政策指引、技能培训、党建服务";
        s.region_code = communities[nearest_street(s.lat, s.lon) * 3].code;
        set_amenities(sd, &s, demo_hubs[i].amenities);
        rc = add_site(sd, &s);
    }
    /* 146 community stations spread over the communities. */
    static const char *const station_amenities[] = {
        "phone_charging", "ebike_charging", "microwave", "fridge",           "hot_water",
        "drinking_water", "toilet",         "seats",     "air_conditioning", "first_aid",
        "cold_medicine",  "rain_gear",      "umbrella",  "repair_tools",     "phone_stand",
        "wifi",           "locker",         "reading",   "blood_pressure"};
    for (int i = 0; !rc && i < 146; i++) {
        const struct region *comm = &communities[(size_t)i % (NSTREETS * 3)];
        const struct demo_street *st = &demo_streets[(size_t)i % (NSTREETS * 3) / 3];
        struct site s;
        site_defaults(&s);
        int n = i / (int)(NSTREETS * 3) + 1;
        s.name_zh = arena_printf(sd->a, "%s暖新驿站%s", comm->name_zh,
                                 n > 1 ? arena_printf(sd->a, "（%d号点）", n) : "");
        s.name_en = arena_printf(sd->a, "%s Warm New Station%s", comm->name_en,
                                 n > 1 ? arena_printf(sd->a, " #%d", n) : "");
        s.type_code = "community_station";
        s.region_code = comm->code;
        s.address_zh = arena_printf(sd->a, "%s%s党群服务中心%d号", st->zh, comm->name_zh,
                                    1 + rng_below(&sd->rng, 200));
        s.address_en = arena_printf(sd->a, "%s Centre, %s", comm->name_en, st->en);
        scatter(sd, st->lat, st->lon, 0.012, &s);
        s.phone = phone(sd);
        s.manager = "驿站值班员";
        s.has_capacity = true;
        s.capacity = 6 + rng_below(&sd->rng, 20);
        s.opening_hours = station_hours[rng_below(&sd->rng, 5)];
        pick_amenities(sd, &s, station_amenities,
                       sizeof station_amenities / sizeof station_amenities[0], 0.6);
        if (i % 37 == 5)
            s.status = "partly_operational";
        if (i % 61 == 7) {
            s.status = "temporarily_closed";
            s.status_reason = "设备检修 / maintenance";
            s.has_until = true;
            s.status_until = clock_days_from_civil(2026, 12, 15) * 86400 - 8 * 3600;
        }
        if (i == 140 || i == 143)
            s.status = "planned";
        rc = add_site(sd, &s);
    }
    /* 41 Warm Huts in parks and malls, open to everyone. */
    static const char *const hut_amenities[] = {"phone_charging",   "microwave", "first_aid",
                                                "drinking_water",   "seats",     "umbrella",
                                                "air_conditioning", "hot_water", "wifi"};
    for (int i = 0; !rc && i < 41; i++) {
        const char *const *place = demo_places[(size_t)i % NPLACES];
        const struct demo_street *st = &demo_streets[(size_t)(i * 5) % NSTREETS];
        struct site s;
        site_defaults(&s);
        int n = i / (int)NPLACES + 1;
        s.name_zh = arena_printf(sd->a, "暖新小屋·%s%s", place[0],
                                 n > 1 ? arena_printf(sd->a, "%d号", n) : "");
        s.name_en = arena_printf(sd->a, "Warm Hut, %s%s", place[1],
                                 n > 1 ? arena_printf(sd->a, " #%d", n) : "");
        s.type_code = "warm_hut";
        s.region_code = communities[(size_t)(i * 5) % NSTREETS * 3].code;
        s.address_zh = arena_printf(sd->a, "%s%s内", st->zh, place[0]);
        scatter(sd, st->lat, st->lon, 0.015, &s);
        s.is_public = true;
        s.has_capacity = true;
        s.capacity = 4 + rng_below(&sd->rng, 8);
        s.opening_hours = hut_hours[rng_below(&sd->rng, 4)];
        pick_amenities(sd, &s, hut_amenities, sizeof hut_amenities / sizeof hut_amenities[0], 0.7);
        rc = add_site(sd, &s);
    }
    /* 21 discount canteens. */
    for (int i = 0; !rc && i < 21; i++) {
        const struct demo_street *st = &demo_streets[(size_t)i % NSTREETS];
        struct site s;
        site_defaults(&s);
        s.name_zh = arena_printf(sd->a, "暖新食堂·%s%s", st->zh, i >= (int)NSTREETS ? "二店" : "");
        s.name_en =
            arena_printf(sd->a, "Warm New Canteen, %s%s", st->en, i >= (int)NSTREETS ? " (2)" : "");
        s.type_code = "canteen";
        s.region_code = communities[(size_t)i % NSTREETS * 3 + 1].code;
        s.address_zh = arena_printf(sd->a, "%s社区食堂", st->zh);
        scatter(sd, st->lat, st->lon, 0.01, &s);
        s.phone = phone(sd);
        s.is_public = true;
        s.has_capacity = true;
        s.capacity = 30 + rng_below(&sd->rng, 60);
        s.opening_hours = "Mo-Su 10:30-13:30,17:00-19:30";
        s.description = "新就业群体凭码享用优惠餐";
        set_amenities(sd, &s,
                      "seats=40;microwave;hot_water;drinking_water;toilet;phone_charging=4");
        rc = add_site(sd, &s);
    }
    /* Battery-swap points near stations, as riders asked. */
    for (int i = 0; !rc && i < 28; i++) {
        const struct demo_street *st = &demo_streets[(size_t)i % NSTREETS];
        struct site s;
        site_defaults(&s);
        s.name_zh = arena_printf(sd->a, "%s换电点%d", st->zh, i / (int)NSTREETS + 1);
        s.name_en = arena_printf(sd->a, "%s battery swap %d", st->en, i / (int)NSTREETS + 1);
        s.type_code = "battery_swap";
        s.region_code = communities[(size_t)i % NSTREETS * 3 + 2].code;
        scatter(sd, st->lat, st->lon, 0.012, &s);
        s.is_public = true;
        s.opening_hours = "24/7";
        s.amenities = arena_calloc(sd->a, 2, sizeof(*s.amenities));
        s.amenities[0].code = "battery_swap";
        s.amenities[0].count = 8 + rng_below(&sd->rng, 16);
        s.namenities = 1;
        rc = add_site(sd, &s);
    }
    return rc;
}

static int seed_all(struct seeder *sd)
{
    for (size_t i = 0; i < NTYPES; i++) {
        struct site_type t;
        int rc = site_type_get(sd->c, sd->a, demo_types[i].code, &t);
        if (rc == STORE_NOT_FOUND) {
            t = demo_types[i];
            rc = site_type_insert(sd->c, sd->a, &t, sd->now);
            sd->counts->site_types += !rc;
        }
        if (rc)
            return rc;
    }
    for (size_t i = 0; i < NAMENITIES; i++) {
        struct amenity m;
        int rc = amenity_get(sd->c, sd->a, demo_amenities[i].code, &m);
        if (rc == STORE_NOT_FOUND) {
            m = demo_amenities[i];
            rc = amenity_insert(sd->c, sd->a, &m, sd->now);
            sd->counts->amenities += !rc;
        }
        if (rc)
            return rc;
    }
    struct region district;
    int rc = ensure_region(sd, "HZ", "district", "海州区", "Haizhou District", NULL, &district);
    struct region *communities = arena_calloc(sd->a, NSTREETS * 3, sizeof(*communities));
    for (size_t i = 0; !rc && i < NSTREETS; i++) {
        const struct demo_street *st = &demo_streets[i];
        struct region street;
        rc = ensure_region(sd, st->code, "street", st->zh, st->en, &district, &street);
        for (size_t k = 0; !rc && k < 3; k++) {
            struct region *comm = &communities[i * 3 + k];
            const char *code = arena_printf(sd->a, "%s-%02zu", st->code, k + 1);
            rc = ensure_region(
                sd, code, "community", arena_printf(sd->a, "%s社区", st->communities[k][0]),
                arena_printf(sd->a, "%s Community", st->communities[k][1]), &street, comm);
            for (int g = 1; !rc && g <= 2; g++) {
                struct region grid;
                rc =
                    ensure_region(sd, arena_printf(sd->a, "%s-G%d", code, g), "grid",
                                  arena_printf(sd->a, "%s第%d网格", comm->name_zh, g),
                                  arena_printf(sd->a, "%s grid %d", comm->name_en, g), comm, &grid);
            }
        }
    }
    for (size_t i = 0; !rc && i < NHOLIDAYS; i++) {
        rc = holiday_put(sd->c, &demo_holidays[i], sd->now);
        sd->counts->holidays += !rc;
    }
    if (!rc)
        rc = site_delete_demo(sd->c);
    if (!rc)
        rc = seed_sites(sd, communities);
    return rc;
}

int demo_seed(struct app *app, struct demo_counts *out)
{
    memset(out, 0, sizeof(*out));
    struct store_conn *c = store_acquire(app->store);
    if (!c)
        return -1;
    struct arena a;
    arena_init(&a);
    struct seeder sd = {c, &a, {20261129}, clock_now(), out};
    int rc = store_begin(c);
    if (!rc)
        rc = seed_all(&sd);
    if (!rc)
        rc = store_commit(c);
    else
        store_rollback(c);
    arena_release(&a);
    store_release(c);
    return rc ? -1 : 0;
}
