/*
 * report_fuzz.c - libFuzzer target for the JSON that grid reports read
 * from outside (src/report/report.c): region boundaries (GeoJSON, from
 * admins and `warmharbor import-boundaries`), a category's questions
 * (Open311 attributes, from admins) and the answers to them (from anyone
 * who reports, the app's JSON or an Open311 form). Promises checked:
 *  - a refusal names a field and says why, and makes nothing;
 *  - an accepted boundary has at most REPORT_GEOM_MAX_VERTICES positions,
 *    all of them inside its box and on earth; written back as GeoJSON and
 *    read again it is the same (same rings, same box), and the point
 *    queries (contains, distance, which grid) answer without a crash,
 *    a vertex at distance 0 or inside;
 *  - accepted questions are sorted by order with unique codes, and check
 *    again unchanged; answers checked against them are an object whose
 *    members are all questions one may answer.
 *
 *   make fuzz-smoke FUZZ_SECONDS=60    (seeds in tests/fuzz/corpus/report)
 */
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fz_check(bool ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "report_fuzz: invariant broken: %s\n", what);
        abort();
    }
}

/* The questions the answers are checked against. */
static const char questions[] =
    "[{\"code\":\"size\",\"datatype\":\"singlevaluelist\",\"required\":true,"
    "\"description\":\"d\",\"values\":[{\"key\":\"s\",\"name\":\"n\"},{\"key\":"
    "\"l\",\"name\":\"m\"}]},{\"code\":\"n\",\"datatype\":\"number\","
    "\"required\":false,\"description\":\"d\"},{\"code\":\"by\",\"datatype\":"
    "\"multivaluelist\",\"required\":false,\"description\":\"d\",\"values\":[{"
    "\"key\":\"a\",\"name\":\"b\"}]},{\"code\":\"t\",\"datatype\":\"datetime\","
    "\"required\":false,\"description\":\"d\"},{\"code\":\"x\",\"datatype\":"
    "\"text\",\"required\":false,\"description\":\"d\"},{\"code\":\"i\","
    "\"datatype\":\"string\",\"required\":false,\"variable\":false,"
    "\"description\":\"d\"}]";

static void check_geom(struct arena *a, json_t *root)
{
    for (int datum = GEO_WGS84; datum <= GEO_BD09; datum++) {
        struct report_geom g;
        const char *field = NULL, *why = NULL;
        if (report_geom_parse(a, root, (enum geo_datum)datum, &g, &field, &why)) {
            fz_check(field && *field && why && *why, "a refused boundary says why");
            continue;
        }
        fz_check(g.npolys >= 1, "an accepted boundary has a polygon");
        fz_check(g.nvertices <= REPORT_GEOM_MAX_VERTICES, "too many positions");
        size_t count = 0;
        for (size_t i = 0; i < g.npolys; i++)
            for (size_t k = 0; k < g.polys[i].nrings; k++) {
                const struct report_ring *r = &g.polys[i].rings[k];
                fz_check(r->n >= 4, "a ring of fewer than four positions");
                fz_check(r->pts[0].lat == r->pts[r->n - 1].lat &&
                             r->pts[0].lon == r->pts[r->n - 1].lon,
                         "an open ring");
                for (size_t j = 0; j < r->n; j++) {
                    const struct geo_point *p = &r->pts[j];
                    fz_check(geo_is_valid(p->lat, p->lon), "a position off the earth");
                    fz_check(p->lon >= g.bbox[0] && p->lon <= g.bbox[2] && p->lat >= g.bbox[1] &&
                                 p->lat <= g.bbox[3],
                             "a position outside the box");
                }
                count += r->n;
            }
        fz_check(count == g.nvertices, "the vertex count");
        /* Back to GeoJSON and in again: the same boundary. */
        json_t *back = report_geom_json(&g);
        struct report_geom h;
        fz_check(report_geom_parse(a, back, GEO_WGS84, &h, &field, &why) == 0,
                 "its own GeoJSON is refused");
        json_decref(back);
        fz_check(h.npolys == g.npolys && h.nvertices == g.nvertices &&
                     memcmp(h.bbox, g.bbox, sizeof h.bbox) == 0,
                 "the round trip changed the boundary");
        /* Point queries: a vertex is inside or at distance 0. */
        const struct geo_point *v = &g.polys[0].rings[0].pts[0];
        double d = report_geom_distance_m(&g, v->lat, v->lon);
        fz_check(report_geom_contains(&g, v->lat, v->lon) || d < 1e-3,
                 "a vertex far from its own boundary");
        struct report_area ar = {1, "G", "grid", "/1/", g};
        long pick = report_pick_grid(&ar, 1, v->lat, v->lon, -1);
        fz_check(pick == 0, "the only grid is not picked");
    }
}

static void check_questions(struct arena *a, json_t *root)
{
    json_t *out = NULL;
    const char *field = NULL, *why = NULL;
    if (report_attributes_check(a, root, &out, &field, &why)) {
        fz_check(out == NULL && field && why, "a refused question says why");
        return;
    }
    fz_check(json_is_array(out), "questions are an array");
    json_int_t last = 0;
    for (size_t i = 0; i < json_array_size(out); i++) {
        json_int_t order = json_integer_value(json_object_get(json_array_get(out, i), "order"));
        fz_check(order >= last, "questions out of order");
        last = order;
    }
    json_t *again = NULL;
    fz_check(report_attributes_check(a, out, &again, &field, &why) == 0,
             "checked questions are refused");
    fz_check(json_equal(out, again), "checking twice changed them");
    json_decref(again);
    json_decref(out);
}

static void check_answers(struct arena *a, json_t *defs, json_t *root)
{
    json_t *out = NULL;
    const char *field = NULL, *why = NULL;
    if (report_answers_check(a, defs, root, 480, &out, &field, &why)) {
        fz_check(out == NULL && field && why, "a refused answer says why");
        return;
    }
    fz_check(json_is_object(out), "answers are an object");
    fz_check(json_object_get(out, "size") != NULL, "the required answer is missing");
    const char *k;
    json_t *v;
    json_object_foreach(out, k, v)
    {
        fz_check(strcmp(k, "i") != 0, "an answer to an information-only question");
        fz_check(!strcmp(k, "size") || !strcmp(k, "n") || !strcmp(k, "by") || !strcmp(k, "t") ||
                     !strcmp(k, "x"),
                 "an answer to no question");
    }
    json_decref(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_error_t jerr;
    json_t *root = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return 0;
    struct arena a;
    arena_init(&a);
    json_t *defs_in = json_loads(questions, 0, NULL), *defs = NULL;
    const char *field, *why;
    fz_check(report_attributes_check(&a, defs_in, &defs, &field, &why) == 0, "the fixed questions");
    check_geom(&a, root);
    check_questions(&a, root);
    check_answers(&a, defs, root);
    json_decref(defs);
    json_decref(defs_in);
    json_decref(root);
    arena_release(&a);
    return 0;
}
