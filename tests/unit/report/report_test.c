/*
 * report_test.c - the rules of grid reports (report.c): statuses and the
 * reporter's re-open window, service levels in working days with public
 * holidays and make-up workdays, category questions and answers, and
 * boundaries: GeoJSON polygons, point in polygon (holes, multipolygons,
 * shared edges), distance to a boundary, and which grid a point goes to.
 * Also the photo sniffing of report_photo.c.
 */
#include <stdlib.h>
#include <vips/vips.h>

#include "core/clock.h"
#include "report/report.h"
#include "test.h"

static struct arena a;

static int64_t at(int y, int m, int d, int hh, int mm)
{
    /* local time +08:00 */
    return clock_days_from_civil(y, m, d) * 86400 + hh * 3600 + mm * 60 - 8 * 3600;
}

/* ---- statuses ---------------------------------------------------------- */

static void test_status_names(void)
{
    for (int s = 0; s < REPORT_NSTATUS; s++)
        CHECK_INT(report_status_parse(report_status_name(s)), s);
    CHECK_INT(report_status_parse("rejected"), -1);
    CHECK_INT(report_status_parse(NULL), -1);
    CHECK(report_status_name(REPORT_NSTATUS) == NULL);
    CHECK(report_status_is_open(REPORT_OPEN));
    CHECK(report_status_is_open(REPORT_IN_PROGRESS));
    CHECK(!report_status_is_open(REPORT_FIXED));
    CHECK(!report_status_is_open(REPORT_NOT_OURS));
}

static void test_transitions(void)
{
    CHECK(report_transition_ok(REPORT_OPEN, REPORT_ACKNOWLEDGED));
    CHECK(report_transition_ok(REPORT_ACKNOWLEDGED, REPORT_IN_PROGRESS));
    CHECK(report_transition_ok(REPORT_IN_PROGRESS, REPORT_FIXED));
    CHECK(report_transition_ok(REPORT_FIXED, REPORT_CLOSED));
    CHECK(report_transition_ok(REPORT_FIXED, REPORT_IN_PROGRESS));
    CHECK(report_transition_ok(REPORT_OPEN, REPORT_DUPLICATE));
    CHECK(report_transition_ok(REPORT_NOT_OURS, REPORT_OPEN));
    CHECK(!report_transition_ok(REPORT_OPEN, REPORT_OPEN));
    CHECK(!report_transition_ok(REPORT_IN_PROGRESS, REPORT_ACKNOWLEDGED));
    CHECK(!report_transition_ok(REPORT_CLOSED, REPORT_FIXED));
    CHECK(!report_transition_ok(REPORT_FIXED, REPORT_OPEN)); /* the reporter re-opens */
    CHECK(!report_transition_ok(REPORT_DUPLICATE, REPORT_CLOSED));
    CHECK(!report_transition_ok(-1, REPORT_OPEN));
    CHECK(!report_transition_ok(REPORT_OPEN, REPORT_NSTATUS));
    /* nothing goes to the status it is in */
    for (int s = 0; s < REPORT_NSTATUS; s++)
        CHECK(!report_transition_ok(s, s));
}

static void test_reopen_window(void)
{
    int64_t fixed = at(2026, 12, 1, 10, 0);
    CHECK_INT(report_may_reopen(REPORT_FIXED, fixed, fixed + 60), REPORT_REOPEN_OK);
    CHECK_INT(report_may_reopen(REPORT_FIXED, fixed, fixed + 14 * 86400), REPORT_REOPEN_OK);
    CHECK_INT(report_may_reopen(REPORT_FIXED, fixed, fixed + 14 * 86400 + 1),
              REPORT_REOPEN_TOO_LATE);
    CHECK_INT(report_may_reopen(REPORT_CLOSED, fixed, fixed + 86400), REPORT_REOPEN_OK);
    CHECK_INT(report_may_reopen(REPORT_CLOSED, 0, fixed), REPORT_REOPEN_NOT_FIXED);
    CHECK_INT(report_may_reopen(REPORT_OPEN, fixed, fixed), REPORT_REOPEN_NOT_FIXED);
    CHECK_INT(report_may_reopen(REPORT_DUPLICATE, fixed, fixed), REPORT_REOPEN_NOT_FIXED);
}

/* ---- working days ------------------------------------------------------ */

/* 2026: National Day week Oct 1-7 off, Sep 27 (Sun) and Oct 10 (Sat)
 * worked as make-up days (as the State Council announces such years). */
static const struct hours_day days_2026[] = {
    {20260927, HOURS_DAY_WORKDAY, 4}, {20261001, HOURS_DAY_HOLIDAY, 0},
    {20261002, HOURS_DAY_HOLIDAY, 0}, {20261003, HOURS_DAY_HOLIDAY, 0},
    {20261004, HOURS_DAY_HOLIDAY, 0}, {20261005, HOURS_DAY_HOLIDAY, 0},
    {20261006, HOURS_DAY_HOLIDAY, 0}, {20261007, HOURS_DAY_HOLIDAY, 0},
    {20261010, HOURS_DAY_WORKDAY, 3},
};
static const struct hours_calendar cal_2026 = {days_2026, sizeof days_2026 / sizeof days_2026[0]};

static void test_working_days(void)
{
    CHECK(report_is_working_day(NULL, 20261207));  /* Monday */
    CHECK(report_is_working_day(NULL, 20261211));  /* Friday */
    CHECK(!report_is_working_day(NULL, 20261212)); /* Saturday */
    CHECK(!report_is_working_day(NULL, 20261213)); /* Sunday */
    CHECK(!report_is_working_day(&cal_2026, 20261001));
    CHECK(!report_is_working_day(&cal_2026, 20261005)); /* a Monday, but a holiday */
    CHECK(report_is_working_day(&cal_2026, 20260927));  /* a Sunday, but worked */
    CHECK(report_is_working_day(&cal_2026, 20261010));
    CHECK(!report_is_working_day(&cal_2026, 20261011));
}

static void test_due_at(void)
{
    int tz = 480;
    /* Monday 10:00, 1 working day: the end of Tuesday. */
    CHECK_INT(report_due_at(NULL, at(2026, 12, 7, 10, 0), 1, tz), at(2026, 12, 9, 0, 0));
    /* Friday evening, 1 day: Monday's end (the weekend does not count). */
    CHECK_INT(report_due_at(NULL, at(2026, 12, 11, 23, 59), 1, tz), at(2026, 12, 15, 0, 0));
    /* Saturday, 5 days: Mon..Fri of the next week. */
    CHECK_INT(report_due_at(NULL, at(2026, 12, 12, 9, 0), 5, tz), at(2026, 12, 19, 0, 0));
    /* 0 days: the end of the day it was made. */
    CHECK_INT(report_due_at(NULL, at(2026, 12, 7, 0, 0), 0, tz), at(2026, 12, 8, 0, 0));
    /* just after local midnight counts as the new day */
    CHECK_INT(report_due_at(NULL, at(2026, 12, 8, 0, 0), 1, tz), at(2026, 12, 10, 0, 0));
    /* National Day: made Wed Sep 30, 3 days: Thu-Wed Oct 1-7 are off,
     * Thu 8, Fri 9 and the make-up Saturday 10. */
    CHECK_INT(report_due_at(&cal_2026, at(2026, 9, 30, 15, 0), 3, tz), at(2026, 10, 11, 0, 0));
    /* the make-up Sunday Sep 27 counts: made Sat 26, 1 day */
    CHECK_INT(report_due_at(&cal_2026, at(2026, 9, 26, 8, 0), 1, tz), at(2026, 9, 28, 0, 0));
    /* UTC offset 0 */
    CHECK_INT(report_due_at(NULL, clock_days_from_civil(2026, 12, 7) * 86400, 1, 0),
              clock_days_from_civil(2026, 12, 9) * 86400);
}

/* ---- questions and answers --------------------------------------------- */

static json_t *parse(const char *text)
{
    json_error_t e;
    json_t *j = json_loads(text, 0, &e);
    if (!j)
        fprintf(stderr, "bad test JSON: %s\n", e.text);
    return j;
}

static const char *const good_defs =
    "[{\"code\":\"size\",\"datatype\":\"singlevaluelist\",\"required\":true,"
    "\"order\":2,"
    "\"description\":\"多大\",\"values\":[{\"key\":\"s\",\"name\":\"小\"},{"
    "\"key\":\"l\","
    "\"name\":\"大\"}]},"
    "{\"code\":\"n\",\"datatype\":\"number\",\"required\":false,\"order\":1,"
    "\"description\":\"几个\"},"
    "{\"code\":\"by\",\"datatype\":\"multivaluelist\",\"required\":false,"
    "\"description\":\"谁\","
    "\"values\":[{\"key\":\"cars\",\"name\":\"车\"},{\"key\":\"stalls\","
    "\"name\":\"摊\"}]},"
    "{\"code\":\"when\",\"datatype\":\"datetime\",\"required\":false,"
    "\"description\":\"何时\"},"
    "{\"code\":\"info\",\"datatype\":\"string\",\"required\":false,"
    "\"variable\":false,"
    "\"description\":\"紧急请拨110\"}]";

static void test_attributes_check(void)
{
    json_t *defs = parse(good_defs), *out;
    const char *field, *why;
    CHECK_INT(report_attributes_check(&a, defs, &out, &field, &why), 0);
    CHECK_INT(json_array_size(out), 5);
    /* sorted by order: n (1), size (2), then by (3), when (4), info (5) */
    CHECK_STR(json_string_value(json_object_get(json_array_get(out, 0), "code")), "n");
    CHECK_STR(json_string_value(json_object_get(json_array_get(out, 1), "code")), "size");
    CHECK(json_is_true(json_object_get(json_array_get(out, 0), "variable")));
    CHECK(json_is_false(json_object_get(json_array_get(out, 4), "variable")));
    CHECK(json_object_get(json_array_get(out, 0), "values") == NULL);
    json_decref(out);
    json_decref(defs);

    static const struct {
        const char *json, *field;
    } bad[] = {
        {"{}", "attributes"},
        {"[1]", "attributes[0]"},
        {"[{\"code\":\"a "
         "b\",\"datatype\":\"string\",\"required\":true,\"description\":\"x\"}"
         "]",
         "attributes[0].code"},
        {"[{\"code\":\"a\",\"datatype\":\"blob\",\"required\":true,"
         "\"description\":\"x\"}]",
         "attributes[0].datatype"},
        {"[{\"code\":\"a\",\"datatype\":\"string\",\"required\":1,"
         "\"description\":\"x\"}]",
         "attributes[0].required"},
        {"[{\"code\":\"a\",\"datatype\":\"string\",\"required\":true}]",
         "attributes[0].description"},
        {"[{\"code\":\"a\",\"datatype\":\"singlevaluelist\",\"required\":true,"
         "\"description\":"
         "\"x\"}]",
         "attributes[0].values"},
        {"[{\"code\":\"a\",\"datatype\":\"string\",\"required\":true,"
         "\"description\":\"x\","
         "\"values\":[{\"key\":\"k\",\"name\":\"n\"}]}]",
         "attributes[0].values"},
        {"[{\"code\":\"a\",\"datatype\":\"singlevaluelist\",\"required\":true,"
         "\"description\":"
         "\"x\",\"values\":[{\"key\":\"k\",\"name\":\"n\"},{\"key\":\"k\","
         "\"name\":\"m\"}]}]",
         "attributes[0].values"},
        {"[{\"code\":\"a\",\"datatype\":\"string\",\"required\":true,"
         "\"description\":\"x\"},"
         "{\"code\":\"a\",\"datatype\":\"text\",\"required\":true,"
         "\"description\":\"y\"}]",
         "attributes[1].code"},
        {"[{\"code\":\"a\",\"datatype\":\"string\",\"required\":true,"
         "\"description\":\"x\","
         "\"colour\":\"red\"}]",
         "attributes[0]"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_t *d = parse(bad[i].json);
        out = (json_t *)1;
        CHECK_INT(report_attributes_check(&a, d, &out, &field, &why), -1);
        CHECK(out == NULL);
        CHECK_STR(field, bad[i].field);
        CHECK(why && *why);
        json_decref(d);
    }
}

static int answer(const char *answers, json_t **out, const char **field)
{
    json_t *defs = parse(good_defs), *checked;
    const char *why;
    report_attributes_check(&a, defs, &checked, field, &why);
    json_t *ans = answers ? parse(answers) : NULL;
    int rc = report_answers_check(&a, checked, ans, 480, out, field, &why);
    json_decref(ans);
    json_decref(checked);
    json_decref(defs);
    return rc;
}

static void test_answers_check(void)
{
    json_t *out;
    const char *field;
    CHECK_INT(answer("{\"size\":\"s\",\"n\":\"3\",\"by\":\"cars\",\"when\":"
                     "\"2026-12-01T08:30:00Z\"}",
                     &out, &field),
              0);
    CHECK_STR(json_string_value(json_object_get(out, "size")), "s");
    CHECK_INT(json_integer_value(json_object_get(out, "n")), 3); /* a form's text */
    CHECK_INT(json_array_size(json_object_get(out, "by")), 1);   /* one key: a list */
    CHECK_STR(json_string_value(json_object_get(out, "when")), "2026-12-01T16:30:00+08:00");
    json_decref(out);
    CHECK_INT(answer("{\"size\":\"l\",\"n\":2.5,\"by\":[\"cars\",\"stalls\",\"cars\"],"
                     "\"when\":\"\"}",
                     &out, &field),
              0);
    CHECK(json_real_value(json_object_get(out, "n")) == 2.5);
    CHECK_INT(json_array_size(json_object_get(out, "by")), 2); /* each key once */
    CHECK(json_object_get(out, "when") == NULL);               /* "" is no answer */
    json_decref(out);

    static const struct {
        const char *json, *field;
    } bad[] = {
        {NULL, "attributes.size"},
        {"{}", "attributes.size"},
        {"{\"size\":\"\"}", "attributes.size"},
        {"{\"size\":\"m\"}", "attributes.size"},
        {"{\"size\":[\"s\"]}", "attributes.size"},
        {"{\"size\":\"s\",\"n\":\"three\"}", "attributes.n"},
        {"{\"size\":\"s\",\"n\":\"1e400\"}", "attributes.n"},
        {"{\"size\":\"s\",\"by\":[\"cars\",\"bikes\"]}", "attributes.by"},
        {"{\"size\":\"s\",\"when\":\"yesterday\"}", "attributes.when"},
        {"{\"size\":\"s\",\"info\":\"x\"}", "attributes.info"},
        {"{\"size\":\"s\",\"colour\":\"red\"}", "attributes.colour"},
        {"[1]", "attributes"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        out = (json_t *)1;
        CHECK_INT(answer(bad[i].json, &out, &field), -1);
        CHECK(out == NULL);
        CHECK_STR(field, bad[i].field);
    }
}

/* ---- boundaries
 * -----------------------------------------------------------------------------
 */

static int geom(const char *text, struct report_geom *g, const char **field)
{
    json_t *j = parse(text);
    const char *why;
    int rc = report_geom_parse(&a, j, GEO_WGS84, g, field, &why);
    json_decref(j);
    return rc;
}

static const char *const square =
    "{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[1,1],[0,1],[0,0]]]}";

static void test_geom_parse(void)
{
    struct report_geom g;
    const char *field;
    CHECK_INT(geom(square, &g, &field), 0);
    CHECK_INT(g.npolys, 1);
    CHECK_INT(g.nvertices, 5);
    CHECK_NEAR(g.bbox[0], 0, 0);
    CHECK_NEAR(g.bbox[3], 1, 0);
    /* a Feature, a height, a MultiPolygon */
    CHECK_INT(geom("{\"type\":\"Feature\",\"properties\":{},\"geometry\":{"
                   "\"type\":\"Polygon\","
                   "\"coordinates\":[[[0,0,5],[1,0,5],[1,1,5],[0,0,5]]]}}",
                   &g, &field),
              0);
    CHECK_INT(geom("{\"type\":\"MultiPolygon\",\"coordinates\":[[[[0,0],[1,0],["
                   "1,1],[0,0]]],"
                   "[[[5,5],[6,5],[6,6],[5,5]]]]}",
                   &g, &field),
              0);
    CHECK_INT(g.npolys, 2);
    CHECK_NEAR(g.bbox[2], 6, 0);
    /* the JSON back is the same shape */
    json_t *j = report_geom_json(&g);
    CHECK_STR(json_string_value(json_object_get(j, "type")), "MultiPolygon");
    CHECK_INT(json_array_size(json_object_get(j, "coordinates")), 2);
    json_decref(j);

    static const struct {
        const char *json, *field;
    } bad[] = {
        {"[]", "type"},
        {"{\"type\":\"Point\",\"coordinates\":[0,0]}", "type"},
        {"{\"type\":\"Feature\",\"geometry\":{\"type\":\"LineString\"}}", "geometry.type"},
        {"{\"type\":\"Polygon\",\"coordinates\":[]}", "coordinates"},
        {"{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[0,0]]]}", "coordinates"},
        {"{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[1,1],[0,1]]]}", "coordinates"},
        {"{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[1,91],[0,0]]]}", "coordinates"},
        {"{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,\"0\"],[1,1],[0,0]]]"
         "}",
         "coordinates"},
        {"{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1],[1,1],[0,0]]]}", "coordinates"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK_INT(geom(bad[i].json, &g, &field), -1);
        CHECK_STR(field, bad[i].field);
    }
}

static void test_geom_limits(void)
{
    /* one ring with more positions than allowed */
    size_t n = REPORT_GEOM_MAX_VERTICES + 1;
    json_t *ring = json_array();
    for (size_t i = 0; i + 1 < n; i++)
        json_array_append_new(ring, json_pack("[f, f]", (double)i / n, (double)(i % 2) / 10));
    json_array_append(ring, json_array_get(ring, 0));
    json_t *g = json_pack("{s:s, s:[o]}", "type", "Polygon", "coordinates", ring);
    struct report_geom out;
    const char *field, *why;
    CHECK_INT(report_geom_parse(&a, g, GEO_WGS84, &out, &field, &why), -1);
    CHECK(strstr(why, "too many") != NULL);
    json_decref(g);
}

static void test_contains(void)
{
    struct report_geom g;
    const char *field;
    geom(square, &g, &field);
    CHECK(report_geom_contains(&g, 0.5, 0.5));
    CHECK(!report_geom_contains(&g, 1.5, 0.5));
    CHECK(!report_geom_contains(&g, -0.0001, 0.5));
    /* half-open: west and south edges in, east and north edges out */
    CHECK(report_geom_contains(&g, 0.5, 0));  /* lat 0.5 on the west edge */
    CHECK(report_geom_contains(&g, 0, 0.5));  /* south edge */
    CHECK(!report_geom_contains(&g, 0.5, 1)); /* east edge */
    CHECK(!report_geom_contains(&g, 1, 0.5)); /* north edge */
    /* a hole */
    CHECK_INT(geom("{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[4,0],[4,4],["
                   "0,4],[0,0]],"
                   "[[1,1],[3,1],[3,3],[1,3],[1,1]]]}",
                   &g, &field),
              0);
    CHECK(report_geom_contains(&g, 0.5, 0.5));
    CHECK(!report_geom_contains(&g, 2, 2));
    CHECK(report_geom_contains(&g, 3.5, 2));
    /* a concave U */
    CHECK_INT(geom("{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[3,0],[3,3],["
                   "2,3],[2,1],"
                   "[1,1],[1,3],[0,3],[0,0]]]}",
                   &g, &field),
              0);
    CHECK(report_geom_contains(&g, 2, 0.5));  /* lat 2, lon 0.5: left arm */
    CHECK(!report_geom_contains(&g, 2, 1.5)); /* in the notch */
    CHECK(report_geom_contains(&g, 0.5, 1.5));
    /* two polygons */
    geom("{\"type\":\"MultiPolygon\",\"coordinates\":[[[[0,0],[1,0],[1,1],[0,0]"
         "]],"
         "[[[5,5],[6,5],[6,6],[5,5]]]]}",
         &g, &field);
    CHECK(report_geom_contains(&g, 0.2, 0.8));
    CHECK(report_geom_contains(&g, 5.2, 5.8));
    CHECK(!report_geom_contains(&g, 3, 3));
}

/* A tiling of rectangles sharing edges and corners: every point of the
 * union, on a shared edge or corner included, is in exactly one tile
 * (differential: against counting by hand over a lattice of points
 * snapped onto the tile lines). */
static void test_boundary_belongs_to_one_grid(void)
{
    enum { COLS = 4, ROWS = 3 };
    struct report_geom tiles[COLS * ROWS];
    for (int i = 0; i < COLS; i++)
        for (int j = 0; j < ROWS; j++) {
            char buf[256];
            double w = 119.0 + 0.005 * i, e = w + 0.005, s = 34.5 + 0.006 * j, n = s + 0.006;
            snprintf(buf, sizeof buf,
                     "{\"type\":\"Polygon\",\"coordinates\":[[[%.3f,%.3f],[%."
                     "3f,%.3f],[%.3f,%.3f],"
                     "[%.3f,%.3f],[%.3f,%.3f]]]}",
                     w, s, e, s, e, n, w, n, w, s);
            const char *field;
            CHECK_INT(geom(buf, &tiles[i * ROWS + j], &field), 0);
        }
    int wrong = 0;
    for (int x = 0; x < COLS * 10; x++)
        for (int y = 0; y < ROWS * 12; y++) {
            /* grid lines every 0.0005 / 0.0005 deg: the tile edges are on them
             */
            double lon = 119.0 + 0.0005 * x, lat = 34.5 + 0.0005 * y;
            int in = 0;
            for (int t = 0; t < COLS * ROWS; t++)
                in += report_geom_contains(&tiles[t], lat, lon);
            wrong += in != 1;
        }
    CHECK_INT(wrong, 0);
}

static void test_distance(void)
{
    struct report_geom g;
    const char *field;
    geom("{\"type\":\"Polygon\",\"coordinates\":[[[119.19,34.57],[119.20,34.57]"
         ",[119.20,34.58],"
         "[119.19,34.58],[119.19,34.57]]]}",
         &g, &field);
    CHECK_NEAR(report_geom_distance_m(&g, 34.575, 119.195), 0, 0);
    /* 0.001 deg of latitude north of the north edge: ~111 m */
    CHECK_NEAR(report_geom_distance_m(&g, 34.581, 119.195), 111.2, 0.5);
    /* east of the east edge by 0.001 deg of longitude: ~91.6 m at 34.58 */
    CHECK_NEAR(report_geom_distance_m(&g, 34.575, 119.201), 91.6, 0.5);
    /* beyond a corner: the corner is nearest */
    double d = report_geom_distance_m(&g, 34.581, 119.201);
    CHECK_NEAR(d, sqrt(111.2 * 111.2 + 91.6 * 91.6), 1);
}

static void test_pick_grid(void)
{
    struct report_area areas[4];
    const char *field;
    memset(areas, 0, sizeof areas);
    const char *boxes[] = {
        "{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[10,0],[10,10],[0,10],["
        "0,0]]]}",
        "{\"type\":\"Polygon\",\"coordinates\":[[[1,1],[2,1],[2,2],[1,2],[1,1]]"
        "]}",
        "{\"type\":\"Polygon\",\"coordinates\":[[[2,1],[3,1],[3,2],[2,2],[2,1]]"
        "]}",
        "{\"type\":\"Polygon\",\"coordinates\":[[[1,1],[2,1],[2,2],[1,2],[1,1]]"
        "]}",
    };
    const char *levels[] = {"district", "grid", "grid", "grid"};
    int64_t ids[] = {1, 30, 20, 10};
    for (int i = 0; i < 4; i++) {
        geom(boxes[i], &areas[i].geom, &field);
        areas[i].level = levels[i];
        areas[i].region_id = ids[i];
    }
    /* inside grid 30 and grid 10 (overlapping data): the lower id */
    CHECK_INT(report_pick_grid(areas, 4, 1.5, 1.5, 0), 3);
    /* on the edge grids 30 and 20 share (lon 2): the eastern one */
    CHECK_INT(report_pick_grid(areas, 3, 1.5, 2, 0), 2);
    /* in the district but no grid: nearest within any distance */
    CHECK_INT(report_pick_grid(areas, 3, 5, 3.5, -1), 2);
    CHECK_INT(report_pick_grid(areas, 3, 5, 3.5, 1000), -1);
    /* only the district: no grid */
    CHECK_INT(report_pick_grid(areas, 1, 5, 5, -1), -1);
    CHECK_INT(report_pick_grid(areas, 0, 5, 5, -1), -1);
}

/* ---- photos: what is handed to libvips --------------------------------- */

static void test_photo_sniff(void)
{
    CHECK_STR(report_photo_sniff("\xff\xd8\xff\xe0", 4), "image/jpeg");
    CHECK_STR(report_photo_sniff("\x89PNG\r\n\x1a\n....", 12), "image/png");
    CHECK_STR(report_photo_sniff("RIFF\x10\0\0\0WEBPVP8 ", 16), "image/webp");
    CHECK(report_photo_sniff("GIF89a......", 12) == NULL);
    CHECK(report_photo_sniff("<svg xmlns=\"http://www.w3.org/2000/svg\"/>", 40) == NULL);
    CHECK(report_photo_sniff("%PDF-1.4", 8) == NULL);
    CHECK(report_photo_sniff("RIFF\x10\0\0\0WAVE", 12) == NULL);
    CHECK(report_photo_sniff("\xff\xd8", 2) == NULL);
    CHECK(report_photo_sniff("", 0) == NULL);
}

static void test_photo_refusals(void)
{
    const void *out;
    size_t len;
    int w, h;
    CHECK_INT(report_photo_clean(&a, "GIF89a\1\0\1\0\0\0\0;", 14, &out, &len, &w, &h),
              REPORT_PHOTO_NOT_IMAGE);
    /* a JPEG's first bytes, then nothing that decodes */
    CHECK_INT(report_photo_clean(&a, "\xff\xd8\xff\xe0garbage-garbage", 19, &out, &len, &w, &h),
              REPORT_PHOTO_UNREADABLE);
    char *big = calloc(1, REPORT_PHOTO_MAX_BYTES + 1);
    memcpy(big, "\xff\xd8\xff", 3);
    CHECK_INT(report_photo_clean(&a, big, REPORT_PHOTO_MAX_BYTES + 1, &out, &len, &w, &h),
              REPORT_PHOTO_TOO_LARGE);
    free(big);
}

/* A WebP with alpha (libvips writes it here): taken, shrunk to 1600 on
 * its longest side, flattened and written as a JPEG. */
static void test_photo_webp(void)
{
    char err[200];
    CHECK_INT(report_photo_start(err, sizeof err), 0);
    VipsImage *black = NULL, *rgba = NULL;
    void *buf = NULL;
    size_t len = 0;
    CHECK_INT(vips_black(&black, 2000, 1000, "bands", 4, NULL), 0);
    CHECK_INT(vips_copy(black, &rgba, "interpretation", VIPS_INTERPRETATION_sRGB, NULL), 0);
    CHECK_INT(vips_webpsave_buffer(rgba, &buf, &len, "Q", 50, NULL), 0);
    g_object_unref(black);
    g_object_unref(rgba);
    CHECK_STR(report_photo_sniff(buf, len), "image/webp");
    const void *out;
    size_t out_len;
    int w = 0, h = 0;
    CHECK_INT(report_photo_clean(&a, buf, len, &out, &out_len, &w, &h), REPORT_PHOTO_OK);
    g_free(buf);
    CHECK_INT(w, 1600);
    CHECK_INT(h, 800);
    CHECK_STR(report_photo_sniff(out, out_len), "image/jpeg");
    /* a JPEG of three bands: flattened, sRGB */
    VipsImage *back = vips_image_new_from_buffer(out, out_len, "", NULL);
    CHECK(back != NULL);
    if (back) {
        CHECK_INT(vips_image_get_bands(back), 3);
        CHECK(vips_image_get_typeof(back, "exif-data") == 0);
        CHECK(vips_image_get_typeof(back, "icc-profile-data") == 0);
        g_object_unref(back);
    }
}

/* The mean absolute difference between ref and a cleaned photo (a
 * three-band JPEG of the same size), or 999 if either cannot be read. */
static double mean_difference(VipsImage *ref, const void *jpeg, size_t len)
{
    VipsImage *got = vips_image_new_from_buffer(jpeg, len, "", NULL), *d = NULL, *ad = NULL;
    double mean = 999;
    if (!got || vips_image_get_bands(got) != 3 || vips_subtract(ref, got, &d, NULL) ||
        vips_abs(d, &ad, NULL) || vips_avg(ad, &mean, NULL))
        mean = 999;
    VipsImage *all[] = {got, d, ad};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (all[i])
            g_object_unref(all[i]);
    return mean;
}

/* An RGB JPEG of w x h with EXIF orientation 6 (turned a quarter), a
 * camera make, a GPS latitude and an ICC profile; g_free the result. */
static void *phone_jpeg(int w, int h, size_t *len)
{
    VipsImage *x = NULL, *rgb = NULL, *tagged = NULL;
    void *buf = NULL;
    CHECK_INT(vips_sines(&x, w, h, "hfreq", w / 50.0, "vfreq", h / 70.0, NULL), 0);
    CHECK_INT(vips_linear1(x, &rgb, 100, 128, "uchar", TRUE, NULL), 0);
    g_object_unref(x);
    x = rgb;
    CHECK_INT(vips_bandjoin_const1(x, &rgb, 200, NULL), 0);
    g_object_unref(x);
    CHECK_INT(vips_bandjoin_const1(rgb, &x, 77, NULL), 0);
    g_object_unref(rgb);
    CHECK_INT(vips_copy(x, &tagged, "interpretation", VIPS_INTERPRETATION_sRGB, NULL), 0);
    g_object_unref(x);
    vips_image_set_int(tagged, VIPS_META_ORIENTATION, 6);
    vips_image_set_string(tagged, "exif-ifd0-Make", "PhoneCo");
    vips_image_set_string(tagged, "exif-ifd3-GPSLatitudeRef", "N");
    CHECK_INT(vips_icc_transform(tagged, &rgb, "p3", "input_profile", "srgb", NULL), 0);
    g_object_unref(tagged);
    CHECK_INT(vips_jpegsave_buffer(rgb, &buf, len, "Q", 90, NULL), 0);
    g_object_unref(rgb);
    return buf;
}

/* A big 8-bit RGB JPEG is scaled by libjpeg while it is decoded (by the
 * largest eighths that keep at most 1600 px: 3/8 here, 1500 px), turned
 * by its orientation, and nothing of its metadata left. */
static void test_photo_phone_jpeg(void)
{
    size_t len = 0;
    void *buf = phone_jpeg(4000, 3000, &len);
    VipsImage *in = vips_image_new_from_buffer(buf, len, "", NULL);
    CHECK(in != NULL);
    if (in) { /* the photo really carries what must go */
        CHECK(vips_image_get_typeof(in, "exif-data") != 0);
        CHECK(vips_image_get_typeof(in, "icc-profile-data") != 0);
        CHECK_INT(vips_image_get_orientation(in), 6);
        g_object_unref(in);
    }
    const void *out;
    size_t out_len;
    int w = 0, h = 0;
    CHECK_INT(report_photo_clean(&a, buf, len, &out, &out_len, &w, &h), REPORT_PHOTO_OK);
    CHECK_INT(w, 1125);
    CHECK_INT(h, 1500);
    /* libjpeg scaled it by 3/8 while decoding: the pixels are as libvips'
     * own resize (lanczos3) makes them from the full decode, within what
     * JPEG at Q 82 changes (2.6; the linear and cubic kernels give 2.5 and
     * 2.6, the same decode shifted by 3 input pixels 6.7) */
    VipsImage *ref = vips_image_new_from_buffer(buf, len, "", NULL), *small = NULL, *turned = NULL;
    CHECK(ref != NULL);
    if (ref && !vips_resize(ref, &small, 1500.0 / 4000, NULL) &&
        !vips_autorot(small, &turned, NULL))
        CHECK(mean_difference(turned, out, out_len) < 3.5);
    else
        CHECK(!"the reference resize failed");
    VipsImage *all[] = {ref, small, turned};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (all[i])
            g_object_unref(all[i]);

    VipsImage *back = vips_image_new_from_buffer(out, out_len, "", NULL);
    CHECK(back != NULL);
    if (back) {
        CHECK_INT(vips_image_get_width(back), 1125);
        CHECK_INT(vips_image_get_height(back), 1500);
        CHECK_INT(vips_image_get_bands(back), 3);
        CHECK(vips_image_get_typeof(back, "exif-data") == 0);
        CHECK(vips_image_get_typeof(back, "icc-profile-data") == 0);
        CHECK(vips_image_get_typeof(back, "xmp-data") == 0);
        CHECK(vips_image_get_typeof(back, VIPS_META_ORIENTATION) == 0);
        g_object_unref(back);
    }
    g_free(buf);
    /* small enough already: kept at its size, turned; cut short: refused */
    buf = phone_jpeg(1500, 1000, &len);
    CHECK_INT(report_photo_clean(&a, buf, len, &out, &out_len, &w, &h), REPORT_PHOTO_OK);
    CHECK_INT(w, 1000);
    CHECK_INT(h, 1500);
    CHECK_INT(report_photo_clean(&a, buf, len / 2, &out, &out_len, &w, &h),
              REPORT_PHOTO_UNREADABLE);
    g_free(buf);
}

/* A grey JPEG, scaled by 6/8 while decoded (1500 x 750, three bands
 * out), and one too long for 1/8 (13000 px: 1625 after the decoder's
 * scaling, then resized by libvips to 1600): pixels as libvips' resize of
 * the full decode makes them. */
static void test_photo_jpeg_scales(void)
{
    static const struct {
        int w, h, bands, out_w, out_h;
    } cases[] = {{2000, 1000, 1, 1500, 750}, {13000, 600, 3, 1600, 74}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        VipsImage *x = NULL, *u = NULL, *img = NULL, *ref = NULL, *small = NULL, *rgb = NULL;
        void *buf = NULL;
        size_t len = 0;
        CHECK_INT(vips_sines(&x, cases[i].w, cases[i].h, "hfreq", cases[i].w / 60.0, "vfreq",
                             cases[i].h / 60.0, NULL),
                  0);
        CHECK_INT(vips_linear1(x, &u, 100, 128, "uchar", TRUE, NULL), 0);
        if (cases[i].bands == 3)
            CHECK_INT(vips_colourspace(u, &img, VIPS_INTERPRETATION_sRGB, "source_space",
                                       VIPS_INTERPRETATION_B_W, NULL),
                      0);
        else
            CHECK_INT(vips_copy(u, &img, "interpretation", VIPS_INTERPRETATION_B_W, NULL), 0);
        CHECK_INT(vips_jpegsave_buffer(img, &buf, &len, "Q", 90, NULL), 0);
        const void *out;
        size_t out_len;
        int w = 0, h = 0;
        CHECK_INT(report_photo_clean(&a, buf, len, &out, &out_len, &w, &h), REPORT_PHOTO_OK);
        CHECK_INT(w, cases[i].out_w);
        CHECK_INT(h, cases[i].out_h);
        ref = vips_image_new_from_buffer(buf, len, "", NULL);
        CHECK(ref != NULL);
        if (ref && !vips_resize(ref, &small, (double)cases[i].out_w / cases[i].w, NULL) &&
            !vips_colourspace(small, &rgb, VIPS_INTERPRETATION_sRGB, NULL))
            CHECK(mean_difference(rgb, out, out_len) < 3.5);
        else
            CHECK(!"the reference resize failed");
        g_free(buf);
        VipsImage *all[] = {x, u, img, ref, small, rgb};
        for (size_t j = 0; j < sizeof all / sizeof all[0]; j++)
            if (all[j])
                g_object_unref(all[j]);
    }
}

/* A progressive JPEG whose second scan asks for coefficients past 63:
 * libjpeg stops with a fatal error after libvips read a good header (the
 * error manager's jump), and the photo is unreadable, not a crash. */
static void test_photo_jpeg_fatal(void)
{
    VipsImage *x = NULL, *u = NULL;
    void *buf = NULL;
    size_t len = 0;
    CHECK_INT(vips_sines(&x, 640, 480, NULL), 0);
    CHECK_INT(vips_linear1(x, &u, 100, 128, "uchar", TRUE, NULL), 0);
    CHECK_INT(vips_jpegsave_buffer(u, &buf, &len, "Q", 80, "interlace", TRUE, NULL), 0);
    g_object_unref(x);
    g_object_unref(u);
    const void *out;
    size_t out_len;
    int w = 0, h = 0;
    CHECK_INT(report_photo_clean(&a, buf, len, &out, &out_len, &w, &h), REPORT_PHOTO_OK);
    unsigned char *p = buf;
    int scans = 0;
    for (size_t i = 0; i + 1 < len; i++) {
        if (p[i] != 0xff || p[i + 1] != 0xda || ++scans < 2)
            continue;
        size_t ss = i + 5 + 2 * (size_t)p[i + 4]; /* marker, length, Ns, Ns x 2 */
        CHECK(ss < len);
        if (ss < len)
            p[ss] = 70;
        break;
    }
    CHECK(scans >= 2);
    VipsImage *head = vips_image_new_from_buffer(buf, len, "", NULL);
    CHECK(head != NULL); /* the header is still good */
    if (head)
        g_object_unref(head);
    CHECK_INT(report_photo_clean(&a, buf, len, &out, &out_len, &w, &h), REPORT_PHOTO_UNREADABLE);
    g_free(buf);
}

/* A grey PNG (vips_thumbnail: no scaling on load for PNG, lanczos3):
 * 1600 x 400, three bands out, the pixels as libvips' resize makes them;
 * a larger one keeps the same promises. */
static void test_photo_grey_png(void)
{
    VipsImage *x = NULL, *g = NULL, *grey = NULL;
    void *buf = NULL;
    size_t len = 0;
    /* waves 25 px apart */
    CHECK_INT(vips_sines(&x, 3000, 750, "hfreq", 120.0, "vfreq", 30.0, NULL), 0);
    CHECK_INT(vips_linear1(x, &g, 100, 128, "uchar", TRUE, NULL), 0);
    CHECK_INT(vips_copy(g, &grey, "interpretation", VIPS_INTERPRETATION_B_W, NULL), 0);
    CHECK_INT(vips_pngsave_buffer(grey, &buf, &len, NULL), 0);
    g_object_unref(x);
    g_object_unref(g);
    const void *out;
    size_t out_len;
    int w = 0, h = 0;
    CHECK_INT(report_photo_clean(&a, buf, len, &out, &out_len, &w, &h), REPORT_PHOTO_OK);
    g_free(buf);
    CHECK_INT(w, 1600);
    CHECK_INT(h, 400);
    VipsImage *ref = NULL, *rgb = NULL;
    if (!vips_resize(grey, &ref, 1600.0 / 3000, NULL) &&
        !vips_colourspace(ref, &rgb, VIPS_INTERPRETATION_sRGB, NULL))
        CHECK(mean_difference(rgb, out, out_len) < 3.5);
    else
        CHECK(!"the reference resize failed");
    /* twice the size or more (libvips boxes first): the same promises */
    VipsImage *big = NULL;
    CHECK_INT(vips_resize(grey, &big, 1.5, NULL), 0);
    CHECK_INT(vips_pngsave_buffer(big, &buf, &len, NULL), 0);
    g_object_unref(big);
    CHECK_INT(report_photo_clean(&a, buf, len, &out, &out_len, &w, &h), REPORT_PHOTO_OK);
    g_free(buf);
    CHECK_INT(w, 1600);
    CHECK_INT(h, 400);
    CHECK_STR(report_photo_sniff(out, out_len), "image/jpeg");
    VipsImage *all[] = {grey, ref, rgb};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (all[i])
            g_object_unref(all[i]);
}

int main(void)
{
    arena_init(&a);
    RUN(test_status_names);
    RUN(test_transitions);
    RUN(test_reopen_window);
    RUN(test_working_days);
    RUN(test_due_at);
    RUN(test_attributes_check);
    RUN(test_answers_check);
    RUN(test_geom_parse);
    RUN(test_geom_limits);
    RUN(test_contains);
    RUN(test_boundary_belongs_to_one_grid);
    RUN(test_distance);
    RUN(test_pick_grid);
    RUN(test_photo_sniff);
    RUN(test_photo_refusals);
    RUN(test_photo_webp);
    RUN(test_photo_phone_jpeg);
    RUN(test_photo_jpeg_scales);
    RUN(test_photo_jpeg_fatal);
    RUN(test_photo_grey_png);
    arena_release(&a);
    return test_report("report");
}
