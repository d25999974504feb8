/*
 * report_demo.c - grid reports' part of `warmharbor demo`: three
 * departments (城管, 交通, 住建), six categories with their questions and
 * service levels, boundaries for the demo district and its 84 grids, and
 * reports in every status.
 *
 * The demo regions carry no geometry, so the boundaries are made up: each
 * street of the demo gets a box around its centre (the same centres the
 * site demo scatters stations around), split into three columns (its
 * communities) and two rows (their grids). Neighbouring grids share
 * edges, which exercises the "a boundary belongs to one grid" rule; the
 * district is a box around every street, so a point between streets is
 * inside the service's area but in no grid, and goes to the nearest one.
 *
 * Departments and categories are kept by code (an admin's changes stay);
 * demo boundaries are set again and demo reports replaced on every run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "calendar/calendar.h"
#include "core/clock.h"
#include "core/log.h"
#include "region/region.h"
#include "report/report.h"
#include "store/store.h"

#define HALF_LAT 0.006  /* a street box: 2 x 0.006 deg of latitude (~1.3 km) */
#define HALF_LON 0.0075 /* and 2 x 0.0075 deg of longitude (~1.4 km) */

static const struct {
    const char *code;
    double lat, lon;
} demo_streets[] = {
    {"HZ-XH", 34.6000, 119.2050}, {"HZ-XD", 34.5980, 119.2300}, {"HZ-XN", 34.5750, 119.2000},
    {"HZ-XP", 34.6070, 119.1750}, {"HZ-HZ", 34.5780, 119.1300}, {"HZ-XF", 34.5900, 119.1600},
    {"HZ-QY", 34.5600, 119.1500}, {"HZ-HM", 34.5850, 119.1100}, {"HZ-NH", 34.6150, 119.1400},
    {"HZ-PX", 34.6200, 119.1900}, {"HZ-LN", 34.5600, 119.1850}, {"HZ-HGS", 34.6400, 119.2700},
    {"HZ-YT", 34.6000, 119.3000}, {"HZ-NC", 34.5450, 119.1200},
};
#define NSTREETS (sizeof demo_streets / sizeof demo_streets[0])

static const struct {
    const char *code, *zh, *en;
} demo_departments[] = {
    {"chengguan", "城市管理局", "City management"},
    {"traffic", "交通运输局", "Transport"},
    {"housing", "住房和城乡建设局", "Housing and construction"},
};

static const struct {
    const char *code, *zh, *en, *desc_zh, *desc_en, *dept, *group;
    int sla;
    const char *attributes;
} demo_categories[] = {
    {"road_damage", "道路破损", "Road damage", "路面坑洼、塌陷、破损",
     "Potholes, subsidence, broken surface", "housing", "roads", 5,
     "[{\"code\":\"size\",\"datatype\":\"singlevaluelist\",\"required\":true,"
     "\"description\":\"破损有多大？\",\"description_en\":\"How big is "
     "it?\",\"values\":["
     "{\"key\":\"small\",\"name\":\"一米以内\",\"name_en\":\"under 1 m\"},"
     "{\"key\":\"medium\",\"name\":\"一到三米\",\"name_en\":\"1 to 3 m\"},"
     "{\"key\":\"large\",\"name\":\"三米以上\",\"name_en\":\"over 3 m\"}]},"
     "{\"code\":\"blocks_traffic\",\"datatype\":\"singlevaluelist\","
     "\"required\":false,"
     "\"description\":\"是否影响通行？\",\"description_en\":\"Does it block "
     "traffic?\","
     "\"values\":[{\"key\":\"yes\",\"name\":\"是\",\"name_en\":\"yes\"},"
     "{\"key\":\"no\",\"name\":\"否\",\"name_en\":\"no\"}]}]"},
    {"manhole_cover", "井盖缺失", "Missing manhole cover", "井盖丢失、破损或移位",
     "A manhole cover missing, broken or out of place", "chengguan", "roads", 1,
     "[{\"code\":\"where\",\"datatype\":\"singlevaluelist\",\"required\":true,"
     "\"description\":\"在哪里？\",\"description_en\":\"Where is "
     "it?\",\"values\":["
     "{\"key\":\"roadway\",\"name\":\"机动车道\",\"name_en\":\"roadway\"},"
     "{\"key\":\"cycle_lane\",\"name\":\"非机动车道\",\"name_en\":\"cycle "
     "lane\"},"
     "{\"key\":\"sidewalk\",\"name\":\"人行道\",\"name_en\":\"sidewalk\"}]},"
     "{\"code\":\"marked\",\"datatype\":\"singlevaluelist\",\"required\":false,"
     "\"description\":\"是否已放置警示？\",\"description_en\":\"Is it "
     "marked?\",\"values\":["
     "{\"key\":\"yes\",\"name\":\"是\",\"name_en\":\"yes\"},"
     "{\"key\":\"no\",\"name\":\"否\",\"name_en\":\"no\"}]}]"},
    {"street_light", "路灯损坏", "Broken street light", "路灯不亮、闪烁或灯杆损坏",
     "A street light out, flickering or its pole damaged", "chengguan", "lighting", 3,
     "[{\"code\":\"pole_number\",\"datatype\":\"string\",\"required\":false,"
     "\"description\":\"灯杆编号（如有）\",\"description_en\":\"The pole's "
     "number, if any\"},"
     "{\"code\":\"lights_out\",\"datatype\":\"number\",\"required\":false,"
     "\"description\":\"不亮的盏数\",\"description_en\":\"How many lights are "
     "out\"}]"},
    {"cycle_lane_blocked", "非机动车道占用", "Blocked cycle lane",
     "非机动车道被车辆、摊位或施工占用", "A cycle lane taken by cars, stalls or works", "traffic",
     "traffic", 2,
     "[{\"code\":\"by\",\"datatype\":\"multivaluelist\",\"required\":true,"
     "\"description\":\"被什么占用？\",\"description_en\":\"Blocked by "
     "what?\",\"values\":["
     "{\"key\":\"cars\",\"name\":\"机动车\",\"name_en\":\"cars\"},"
     "{\"key\":\"stalls\",\"name\":\"摊位\",\"name_en\":\"stalls\"},"
     "{\"key\":\"works\",\"name\":\"施工\",\"name_en\":\"works\"},"
     "{\"key\":\"other\",\"name\":\"其他\",\"name_en\":\"other\"}]},"
     "{\"code\":\"since\",\"datatype\":\"datetime\",\"required\":false,"
     "\"description\":\"从什么时候开始？\",\"description_en\":\"Since "
     "when?\"}]"},
    {"fallen_tree", "树木倒伏", "Fallen tree", "树木倒伏、断枝", "A fallen tree or broken branch",
     "chengguan", "greenery", 1,
     "[{\"code\":\"blocking\",\"datatype\":\"singlevaluelist\",\"required\":"
     "true,"
     "\"description\":\"是否阻断道路？\",\"description_en\":\"Does it block "
     "the road?\","
     "\"values\":[{\"key\":\"yes\",\"name\":\"是\",\"name_en\":\"yes\"},"
     "{\"key\":\"no\",\"name\":\"否\",\"name_en\":\"no\"}]}]"},
    {"safety_hazard", "安全隐患", "Safety hazard", "其他公共安全隐患",
     "Any other danger in a public place", "chengguan", "safety", 1,
     "[{\"code\":\"hazard\",\"datatype\":\"text\",\"required\":true,"
     "\"description\":\"隐患是什么？\",\"description_en\":\"What is the "
     "danger?\"},"
     "{\"code\":\"emergency\",\"datatype\":\"string\",\"required\":false,"
     "\"variable\":false,"
     "\"description\":\"正在发生的危险请拨打110或119\","
     "\"description_en\":\"For danger happening now call 110 or 119\"}]"},
};
#define NCATEGORIES (sizeof demo_categories / sizeof demo_categories[0])

/* A box as a GeoJSON polygon, and its bbox. */
static const char *box_json(struct arena *a, double s, double w, double n, double e, double bbox[4])
{
    bbox[0] = w;
    bbox[1] = s;
    bbox[2] = e;
    bbox[3] = n;
    return arena_printf(a,
                        "{\"type\":\"Polygon\",\"coordinates\":[[[%.6f,%.6f],[%.6f,%.6f],"
                        "[%.6f,%.6f],[%.6f,%.6f],[%.6f,%.6f]]]}",
                        w, s, e, s, e, n, w, n, w, s);
}

/* The demo grid's box: street i, community k (0..2), grid g (1..2). */
static void grid_box(size_t i, int k, int g, double *s, double *w, double *n, double *e)
{
    double lat0 = demo_streets[i].lat, lon0 = demo_streets[i].lon;
    *w = lon0 - HALF_LON + k * (2 * HALF_LON / 3);
    *e = lon0 - HALF_LON + (k + 1) * (2 * HALF_LON / 3);
    *s = g == 1 ? lat0 - HALF_LAT : lat0;
    *n = g == 1 ? lat0 : lat0 + HALF_LAT;
}

static int seed_boundaries(struct store_conn *c, struct arena *a, int64_t now)
{
    double S = 90, W = 180, N = -90, E = -180, bbox[4];
    for (size_t i = 0; i < NSTREETS; i++) {
        S = demo_streets[i].lat - HALF_LAT < S ? demo_streets[i].lat - HALF_LAT : S;
        N = demo_streets[i].lat + HALF_LAT > N ? demo_streets[i].lat + HALF_LAT : N;
        W = demo_streets[i].lon - HALF_LON < W ? demo_streets[i].lon - HALF_LON : W;
        E = demo_streets[i].lon + HALF_LON > E ? demo_streets[i].lon + HALF_LON : E;
        for (int k = 0; k < 3; k++)
            for (int g = 1; g <= 2; g++) {
                struct region reg;
                const char *code = arena_printf(a, "%s-%02d-G%d", demo_streets[i].code, k + 1, g);
                int rc = region_get(c, a, code, &reg);
                if (rc == STORE_NOT_FOUND)
                    continue; /* removed by an admin: leave it */
                if (rc)
                    return rc;
                double s, w, n, e;
                grid_box(i, k, g, &s, &w, &n, &e);
                rc = report_boundary_put(c, reg.id, box_json(a, s, w, n, e, bbox), bbox, 0, now);
                if (rc)
                    return rc;
            }
    }
    struct region district;
    int rc = region_get(c, a, "HZ", &district);
    if (rc == STORE_NOT_FOUND)
        return STORE_OK;
    if (!rc)
        rc = report_boundary_put(c, district.id,
                                 box_json(a, S - 0.01, W - 0.01, N + 0.01, E + 0.01, bbox), bbox, 0,
                                 now);
    return rc;
}

static int seed_categories(struct store_conn *c, struct arena *a, int64_t now)
{
    for (size_t i = 0; i < sizeof demo_departments / sizeof demo_departments[0]; i++) {
        struct report_department d = {0, demo_departments[i].code, demo_departments[i].zh,
                                      demo_departments[i].en, true};
        struct report_department had;
        int rc = report_department_get(c, a, d.code, &had);
        if (rc == STORE_NOT_FOUND)
            rc = report_department_put(c, a, &d, now);
        if (rc)
            return rc;
    }
    for (size_t i = 0; i < NCATEGORIES; i++) {
        struct report_category had;
        int rc = report_category_get(c, a, demo_categories[i].code, &had);
        if (rc != STORE_NOT_FOUND) {
            if (rc)
                return rc;
            continue;
        }
        struct report_department d;
        rc = report_department_get(c, a, demo_categories[i].dept, &d);
        if (rc)
            return rc;
        json_t *defs = json_loads(demo_categories[i].attributes, 0, NULL), *checked;
        const char *field, *why;
        if (!defs || report_attributes_check(a, defs, &checked, &field, &why)) {
            log_error("demo category %s: %s %s", demo_categories[i].code, defs ? field : "",
                      defs ? why : "not JSON");
            json_decref(defs);
            return STORE_ERROR;
        }
        json_decref(defs);
        char *text = json_dumps(checked, JSON_COMPACT);
        json_decref(checked);
        struct report_category cat = {0};
        cat.code = demo_categories[i].code;
        cat.name_zh = demo_categories[i].zh;
        cat.name_en = demo_categories[i].en;
        cat.description_zh = demo_categories[i].desc_zh;
        cat.description_en = demo_categories[i].desc_en;
        cat.department_id = d.id;
        cat.sla_days = demo_categories[i].sla;
        cat.group = demo_categories[i].group;
        cat.keywords = "";
        cat.attributes = arena_strdup(a, text ? text : "[]");
        free(text);
        cat.active = true;
        cat.is_demo = true;
        rc = report_category_put(c, a, &cat, now);
        if (rc)
            return rc;
    }
    return STORE_OK;
}

/* Reports in every status, spread over the demo's grids and its past two
 * weeks. */
static const struct {
    const char *category, *status, *verification, *description, *attributes;
} demo_reports[] = {
    {"road_damage", "open", "unconfirmed", "送餐路上发现路面塌陷一处，雨天积水",
     "{\"size\":\"medium\",\"blocks_traffic\":\"no\"}"},
    {"manhole_cover", "open", "confirmed", "井盖缺失，已用锥桶临时围挡",
     "{\"where\":\"cycle_lane\",\"marked\":\"yes\"}"},
    {"street_light", "open", "unconfirmed", "小区门口两盏路灯不亮，夜间送件看不清",
     "{\"lights_out\":2}"},
    {"cycle_lane_blocked", "acknowledged", "confirmed", "非机动车道长期停放机动车",
     "{\"by\":[\"cars\"]}"},
    {"fallen_tree", "acknowledged", "confirmed", "大风后行道树倒伏", "{\"blocking\":\"no\"}"},
    {"road_damage", "in_progress", "confirmed", "人行道砖松动翘起", "{\"size\":\"small\"}"},
    {"safety_hazard", "in_progress", "confirmed", "施工围挡倾斜",
     "{\"hazard\":\"围挡倾向人行道\"}"},
    {"street_light", "in_progress", "unconfirmed", "路灯闪烁", "{}"},
    {"manhole_cover", "fixed", "confirmed", "雨水井盖破损", "{\"where\":\"roadway\"}"},
    {"cycle_lane_blocked", "fixed", "confirmed", "早市摊位占用非机动车道", "{\"by\":[\"stalls\"]}"},
    {"road_damage", "closed", "confirmed", "路面坑洼", "{\"size\":\"small\"}"},
    {"fallen_tree", "closed", "confirmed", "断枝挂在电线上", "{\"blocking\":\"no\"}"},
    {"road_damage", "duplicate", "confirmed", "同一处路面塌陷", "{\"size\":\"medium\"}"},
    {"safety_hazard", "not_ours", "confirmed", "商场内电梯异响", "{\"hazard\":\"电梯异响\"}"},
    {"street_light", "closed", "rejected", "白天路灯不亮（误报）", "{}"},
};
#define NREPORTS (sizeof demo_reports / sizeof demo_reports[0])

static int seed_reports(struct store_conn *c, struct arena *a, int64_t now, int tz, int *count)
{
    struct hours_calendar cal;
    int rc = calendar_load(c, a, now - 15 * 86400, tz, &cal);
    for (size_t i = 0; !rc && i < NREPORTS; i++) {
        size_t street = (i * 5) % NSTREETS;
        int k = (int)(i % 3), g = (int)(i % 2) + 1;
        struct region grid;
        rc = region_get(c, a, arena_printf(a, "%s-%02d-G%d", demo_streets[street].code, k + 1, g),
                        &grid);
        if (rc == STORE_NOT_FOUND) {
            rc = STORE_OK;
            continue;
        }
        struct report_category cat;
        if (!rc)
            rc = report_category_get(c, a, demo_reports[i].category, &cat);
        if (rc)
            break;
        double s, w, n, e;
        grid_box(street, k, g, &s, &w, &n, &e);
        struct report rep = {0};
        int64_t created = now - (int64_t)(NREPORTS - i) * 86400 + (int64_t)(i * 3571 % 36000);
        rep.category_id = cat.id;
        rep.department_id = cat.department_id;
        rep.region_id = grid.id;
        rep.lat = s + (n - s) * (0.3 + 0.04 * (double)(i % 10));
        rep.lon = w + (e - w) * (0.25 + 0.05 * (double)(i % 9));
        rep.datum = "wgs84";
        rep.address = "";
        rep.description = demo_reports[i].description;
        rep.attributes = demo_reports[i].attributes;
        rep.status = demo_reports[i].status;
        rep.verification = demo_reports[i].verification;
        rep.verified_at = strcmp(rep.verification, "unconfirmed") ? created + 3600 : 0;
        rep.source = "app";
        rep.due_at = report_due_at(&cal, created, cat.sla_days, tz);
        rep.is_demo = true;
        rep.created_at = created;
        bool fixed = strcmp(rep.status, "fixed") == 0 ||
                     (strcmp(rep.status, "closed") == 0 && strcmp(rep.verification, "rejected"));
        rep.fixed_at = fixed ? created + 2 * 86400 : 0;
        rep.closed_at = report_status_is_open(report_status_parse(rep.status)) ||
                                strcmp(rep.status, "fixed") == 0
                            ? 0
                            : created + 3 * 86400;
        rc = report_insert(c, a, &rep);
        if (rc)
            break;
        struct report_update u = {.report_id = rep.id,
                                  .author_role = "reporter",
                                  .kind = "created",
                                  .status_to = "open",
                                  .body = "",
                                  .created_at = created};
        rc = report_update_add(c, a, &u);
        if (!rc && strcmp(rep.status, "open") != 0) {
            struct report_update su = {
                .report_id = rep.id,
                .author_role = "grid_manager",
                .kind = strcmp(rep.verification, "rejected") == 0 ? "rejected" : "status",
                .status_from = "open",
                .status_to = rep.status,
                .body = strcmp(rep.status, "not_ours") == 0 ? "商场内设施请联系商场物业" : "",
                .created_at = created + 7200};
            rc = report_update_add(c, a, &su);
        }
        (*count)++;
    }
    return rc;
}

int report_demo(struct app *app, struct store_conn *c, int *count)
{
    struct arena a;
    arena_init(&a);
    int64_t now = clock_now();
    int rc = report_delete_demo(c);
    if (!rc)
        rc = seed_categories(c, &a, now);
    if (!rc)
        rc = seed_boundaries(c, &a, now);
    if (!rc)
        rc = seed_reports(c, &a, now, app->cfg.tz_offset_min, count);
    arena_release(&a);
    return rc;
}
