/*
 * report_index_test.c - the in-memory index of grid boundaries
 * (report_index.c) against brute force: random star-shaped polygons, some
 * with holes, some MultiPolygons, overlapping each other, areas that are
 * not grids, a boundary wide enough for the index's wide list, and random
 * points plus points on vertices and box edges. The index must name the
 * same grid as testing every boundary: the lowest region id among the
 * grids whose boundary contains the point, or none.
 */
#include <math.h>
#include <stdlib.h>

#include "report/report.h"
#include "test.h"

static struct arena a;
static uint64_t rng = 88172645463325252ULL;

static double unit(void)
{
    return (double)(test_xorshift(&rng) >> 11) / 9007199254740992.0;
}

static double between(double lo, double hi)
{
    return lo + (hi - lo) * unit();
}

/* A closed star-shaped ring of k vertices around (cx, cy), radii within
 * [rmin, rmax], counter-clockwise. */
static void star_ring(struct report_ring *ring, double cx, double cy, int k, double rmin,
                      double rmax)
{
    struct geo_point *pts = arena_calloc(&a, (size_t)k + 1, sizeof(*pts));
    for (int i = 0; i < k; i++) {
        double t = 2 * M_PI * (i + between(0.05, 0.95)) / k, r = between(rmin, rmax);
        pts[i].lon = cx + r * cos(t);
        pts[i].lat = cy + r * sin(t);
    }
    pts[k] = pts[0];
    ring->n = (size_t)k + 1;
    ring->pts = pts;
}

/* A polygon of one star, with a hole (a smaller star inside its smallest
 * radius) one time in three. */
static void star_polygon(struct report_polygon *p, double cx, double cy, double r)
{
    bool hole = unit() < 1.0 / 3;
    struct report_ring *rings = arena_calloc(&a, hole ? 2 : 1, sizeof(*rings));
    star_ring(&rings[0], cx, cy, 3 + (int)(unit() * 12), r * 0.6, r);
    if (hole)
        star_ring(&rings[1], cx, cy, 3 + (int)(unit() * 6), r * 0.1, r * 0.5);
    p->nrings = hole ? 2 : 1;
    p->rings = rings;
}

/* n random areas over [0, span]^2 degrees; one in five a MultiPolygon of
 * two or three stars, one in ten not a grid; with wide, the first is a
 * grid covering most of the span. Region ids are shuffled. */
static struct report_area *random_areas(size_t n, double span, bool wide)
{
    struct report_area *areas = arena_calloc(&a, n, sizeof(*areas));
    for (size_t i = 0; i < n; i++) {
        struct report_area *ar = &areas[i];
        ar->region_id = (int64_t)(i * 7919 % (n * 3 + 1)) + 1;
        ar->level = unit() < 0.1 ? "community" : "grid";
        ar->code = arena_printf(&a, "G%zu", i);
        ar->path = arena_printf(&a, "/1/%zu/", i);
        size_t np = unit() < 0.2 ? 2 + (size_t)(unit() * 2) : 1;
        struct report_polygon *ps = arena_calloc(&a, np, sizeof(*ps));
        double r = span / sqrt((double)n) * between(0.2, 0.7);
        for (size_t k = 0; k < np; k++)
            star_polygon(&ps[k], between(0, span), between(0, span), r);
        if (wide && i == 0) {
            ar->level = "grid";
            star_polygon(&ps[0], span / 2, span / 2, span * 0.45);
        }
        ar->geom.npolys = np;
        ar->geom.polys = ps;
        report_geom_bounds(&ar->geom);
    }
    return areas;
}

static long brute(const struct report_area *areas, size_t n, double lat, double lon)
{
    long best = -1;
    for (size_t i = 0; i < n; i++)
        if (strcmp(areas[i].level, "grid") == 0 && report_geom_contains(&areas[i].geom, lat, lon) &&
            (best < 0 || areas[i].region_id < areas[best].region_id))
            best = (long)i;
    return best;
}

static int mismatches;

static void check_point(const struct report_index *ix, const struct report_area *areas, size_t n,
                        double lat, double lon)
{
    long want = brute(areas, n, lat, lon), got = report_index_find(ix, lat, lon);
    if (want != got && mismatches++ < 5)
        fprintf(stderr, "at %.12f,%.12f: index %ld, brute force %ld\n", lat, lon, got, want);
    CHECK_INT(got, want);
    /* what routing did before the index: the same grid when one holds it */
    long pick = report_pick_grid(areas, n, lat, lon, 0);
    if (want >= 0)
        CHECK_INT(pick, want);
}

static void against_brute_force(size_t n, double span, bool wide, size_t npoints)
{
    struct report_area *areas = random_areas(n, span, wide);
    struct report_index ix;
    report_index_build(&ix, &a, areas, n);
    CHECK(wide ? ix.nwide >= 1 : true);
    size_t inside = 0;
    for (size_t i = 0; i < npoints; i++) {
        double lat = between(-0.1 * span, 1.1 * span), lon = between(-0.1 * span, 1.1 * span);
        check_point(&ix, areas, n, lat, lon);
        inside += brute(areas, n, lat, lon) >= 0;
    }
    CHECK(inside > npoints / 20); /* the points do land in grids */
    /* every vertex and every box corner and edge midpoint */
    for (size_t i = 0; i < n; i++) {
        const struct report_geom *g = &areas[i].geom;
        for (size_t p = 0; p < g->npolys; p++)
            for (size_t k = 0; k < g->polys[p].nrings; k++)
                for (size_t j = 0; j < g->polys[p].rings[k].n; j++)
                    check_point(&ix, areas, n, g->polys[p].rings[k].pts[j].lat,
                                g->polys[p].rings[k].pts[j].lon);
        check_point(&ix, areas, n, g->bbox[1], g->bbox[0]);
        check_point(&ix, areas, n, g->bbox[3], g->bbox[2]);
        check_point(&ix, areas, n, (g->bbox[1] + g->bbox[3]) / 2, g->bbox[0]);
        check_point(&ix, areas, n, g->bbox[3], (g->bbox[0] + g->bbox[2]) / 2);
    }
}

static void test_small(void)
{
    against_brute_force(1, 0.05, false, 2000);
    against_brute_force(7, 0.2, false, 5000);
}

static void test_many(void)
{
    against_brute_force(800, 6, false, 20000);
}

static void test_wide(void)
{
    against_brute_force(300, 2, true, 10000);
}

static void test_empty_and_not_grids(void)
{
    struct report_index ix;
    report_index_build(&ix, &a, NULL, 0);
    CHECK_INT(report_index_find(&ix, 1, 1), -1);
    struct report_area *areas = random_areas(20, 1, false);
    for (size_t i = 0; i < 20; i++)
        areas[i].level = "street";
    report_index_build(&ix, &a, areas, 20);
    CHECK_INT(ix.ngrids, 0);
    for (size_t i = 0; i < 20; i++)
        CHECK_INT(report_index_find(&ix, (areas[i].geom.bbox[1] + areas[i].geom.bbox[3]) / 2,
                                    (areas[i].geom.bbox[0] + areas[i].geom.bbox[2]) / 2),
                  -1);
}

/* Two grids sharing an edge: a point on it belongs to exactly one (the
 * half-open rule), and the index says the same one. */
static void test_shared_edge(void)
{
    const char *texts[] = {
        "{\"type\":\"Polygon\",\"coordinates\":[[[1,1],[2,1],[2,2],[1,2],[1,1]]]}",
        "{\"type\":\"MultiPolygon\",\"coordinates\":[[[[2,1],[3,1],[3,2],[2,2],[2,1]]],"
        "[[[5,5],[6,5],[6,6],[5,6],[5,5]],[[5.2,5.2],[5.8,5.2],[5.8,5.8],[5.2,5.8],[5.2,5.2]]]]}",
    };
    struct report_area areas[2];
    memset(areas, 0, sizeof areas);
    for (int i = 0; i < 2; i++) {
        json_t *j = json_loads(texts[i], 0, NULL);
        const char *field, *why;
        CHECK_INT(report_geom_parse(&a, j, GEO_WGS84, &areas[i].geom, &field, &why), 0);
        json_decref(j);
        areas[i].level = "grid";
        areas[i].region_id = 10 + i;
    }
    struct report_index ix;
    report_index_build(&ix, &a, areas, 2);
    long on_edge = report_index_find(&ix, 1.5, 2);
    CHECK(on_edge == 0 || on_edge == 1);
    CHECK_INT(on_edge, brute(areas, 2, 1.5, 2));
    CHECK_INT(report_index_find(&ix, 5.1, 5.1), 1);
    CHECK_INT(report_index_find(&ix, 5.5, 5.5), -1); /* the hole */
    CHECK_INT(report_index_find(&ix, 4, 4), -1);
    CHECK_INT(report_index_find(&ix, 1.5, 1.5), 0);
}

int main(void)
{
    arena_init(&a);
    RUN(test_small);
    RUN(test_many);
    RUN(test_wide);
    RUN(test_empty_and_not_grids);
    RUN(test_shared_edge);
    arena_release(&a);
    return test_report("report_index");
}
