/*
 * grid_bench.c - point-to-grid lookup (src/report/report_index.c) with
 * 10,000 grid boundaries (or the count given as the first argument): a
 * city tiled by a jittered lattice of grids whose edges are shared and
 * bent (12-20 vertices each), every fiftieth a MultiPolygon of two parts,
 * every twentieth with a hole, plus the streets and communities above
 * them (not grids: skipped by the index).
 *
 * Prints the build time and bytes, then the lookup's median, 99th
 * percentile and mean over random points in the city (each timed on its
 * own with CLOCK_MONOTONIC), and the brute force over every boundary for
 * scale. Goal: under 20 µs a lookup at 10,000 grids. The second argument
 * is the number of queries (default 200,000; a smoke run: 1000 100).
 *
 *   cc -std=c11 -D_DEFAULT_SOURCE -O2 -Isrc bench/grid_bench.c src/report/report_index.c \
 *      src/report/report.c src/core/arena.c src/core/clock.c src/core/text.c src/geo/coord.c \
 *      $(pkg-config --cflags --libs jansson) -lm -o /tmp/gb && /tmp/gb
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report/report.h"

enum { SEED = 20261207 };

static unsigned long long rng = SEED;

static double unit(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (double)(rng >> 11) / 9007199254740992.0;
}

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int dbl_cmp(const void *x, const void *y)
{
    double p = *(const double *)x, q = *(const double *)y;
    return p < q ? -1 : p > q;
}

/* The city: side x side cells of about 300 m from (119.0, 34.4). */
#define LON0 119.0
#define LAT0 34.4
#define STEP 0.003
#define BENDS 4 /* points along each edge, the corners excluded */

static int side;
static double *cx, *cy; /* jittered lattice corners, (side+1)^2 */

static struct geo_point corner(int i, int j)
{
    size_t k = (size_t)j * (size_t)(side + 1) + (size_t)i;
    return (struct geo_point){cy[k], cx[k]};
}

/* A point along the edge between two corners, bent by a deterministic
 * offset so that both grids beside the edge draw the same line. */
static struct geo_point bend(struct geo_point p, struct geo_point q, int t, int salt)
{
    double f = (double)t / (BENDS + 1);
    double wobble = sin((double)salt * 12.9898 + t * 78.233) * STEP * 0.05;
    return (struct geo_point){p.lat + (q.lat - p.lat) * f + wobble,
                              p.lon + (q.lon - p.lon) * f - wobble};
}

static void edge(struct geo_point *pts, size_t *k, int i0, int j0, int i1, int j1)
{
    struct geo_point p = corner(i0, j0), q = corner(i1, j1);
    /* the same salt from either side */
    int a = j0 * (side + 1) + i0, b = j1 * (side + 1) + i1;
    int salt = a < b ? a * 7 + b : b * 7 + a;
    bool flip = a > b;
    pts[(*k)++] = p;
    for (int t = 1; t <= BENDS; t++)
        pts[(*k)++] = flip ? bend(q, p, BENDS + 1 - t, salt) : bend(p, q, t, salt);
}

static struct report_ring square_ring(struct arena *a, double lon, double lat, double half)
{
    struct geo_point *pts = arena_calloc(a, 5, sizeof(*pts));
    pts[0] = (struct geo_point){lat - half, lon - half};
    pts[1] = (struct geo_point){lat - half, lon + half};
    pts[2] = (struct geo_point){lat + half, lon + half};
    pts[3] = (struct geo_point){lat + half, lon - half};
    pts[4] = pts[0];
    return (struct report_ring){5, pts};
}

static struct report_area *make_city(struct arena *a, size_t ngrids, size_t *n)
{
    side = (int)ceil(sqrt((double)ngrids));
    size_t nc = (size_t)(side + 1) * (size_t)(side + 1);
    cx = arena_calloc(a, nc, sizeof(*cx));
    cy = arena_calloc(a, nc, sizeof(*cy));
    for (int j = 0; j <= side; j++)
        for (int i = 0; i <= side; i++) {
            bool inner = i > 0 && j > 0 && i < side && j < side;
            size_t k = (size_t)j * (size_t)(side + 1) + (size_t)i;
            cx[k] = LON0 + i * STEP + (inner ? (unit() - 0.5) * STEP * 0.4 : 0);
            cy[k] = LAT0 + j * STEP + (inner ? (unit() - 0.5) * STEP * 0.4 : 0);
        }
    size_t nstreets = (size_t)side / 10 + 1;
    *n = ngrids + nstreets * nstreets;
    struct report_area *areas = arena_calloc(a, *n, sizeof(*areas));
    for (size_t g = 0; g < ngrids; g++) {
        int i = (int)(g % (size_t)side), j = (int)(g / (size_t)side);
        struct report_area *ar = &areas[g];
        ar->region_id = (int64_t)g + 1000;
        ar->level = "grid";
        ar->code = arena_printf(a, "G%zu", g);
        ar->path = arena_printf(a, "/1/%zu/", g);
        bool multi = g % 50 == 7, hole = g % 20 == 3;
        struct report_polygon *ps = arena_calloc(a, multi ? 2 : 1, sizeof(*ps));
        struct report_ring *rings = arena_calloc(a, hole ? 2 : 1, sizeof(*rings));
        struct geo_point *pts = arena_calloc(a, 4 * (BENDS + 1) + 1, sizeof(*pts));
        size_t k = 0;
        edge(pts, &k, i, j, i + 1, j);
        edge(pts, &k, i + 1, j, i + 1, j + 1);
        edge(pts, &k, i + 1, j + 1, i, j + 1);
        edge(pts, &k, i, j + 1, i, j);
        pts[k++] = pts[0];
        rings[0] = (struct report_ring){k, pts};
        double mx = (cx[(size_t)j * (side + 1) + i] + cx[(size_t)(j + 1) * (side + 1) + i + 1]) / 2;
        double my = (cy[(size_t)j * (side + 1) + i] + cy[(size_t)(j + 1) * (side + 1) + i + 1]) / 2;
        if (hole)
            rings[1] = square_ring(a, mx, my, STEP * 0.1);
        ps[0] = (struct report_polygon){hole ? 2 : 1, rings};
        if (multi) {
            /* an island of the grid beyond the city's south edge */
            struct report_ring *island = arena_calloc(a, 1, sizeof(*island));
            *island = square_ring(a, mx, LAT0 - STEP * (1 + (double)(g % 5)), STEP * 0.2);
            ps[1] = (struct report_polygon){1, island};
        }
        ar->geom.npolys = multi ? 2 : 1;
        ar->geom.polys = ps;
        report_geom_bounds(&ar->geom);
    }
    /* streets over the grids: not grids, only in the way */
    for (size_t s = 0; s < nstreets * nstreets; s++) {
        struct report_area *ar = &areas[ngrids + s];
        ar->region_id = (int64_t)s + 1;
        ar->level = "street";
        ar->code = arena_printf(a, "S%zu", s);
        ar->path = "/1/";
        struct report_polygon *ps = arena_calloc(a, 1, sizeof(*ps));
        struct report_ring *ring = arena_calloc(a, 1, sizeof(*ring));
        double half = STEP * 5;
        *ring = square_ring(a, LON0 + (double)(s % nstreets) * 2 * half + half,
                            LAT0 + (double)(s / nstreets) * 2 * half + half, half);
        ps[0] = (struct report_polygon){1, ring};
        ar->geom.npolys = 1;
        ar->geom.polys = ps;
        report_geom_bounds(&ar->geom);
    }
    return areas;
}

int main(int argc, char **argv)
{
    size_t ngrids = argc > 1 ? strtoul(argv[1], NULL, 10) : 10000;
    size_t nq = argc > 2 ? strtoul(argv[2], NULL, 10) : 200000;
    if (ngrids < 1 || nq < 1) {
        fputs("usage: grid_bench [GRIDS [QUERIES]]\n", stderr);
        return 2;
    }
    struct arena a;
    arena_init(&a);
    size_t n;
    struct report_area *areas = make_city(&a, ngrids, &n);
    size_t before = a.bytes;
    struct report_index ix;
    double t0 = now_us();
    report_index_build(&ix, &a, areas, n);
    double built = now_us() - t0;
    printf("grids %zu (+%zu streets), cells %dx%d, wide %zu: built in %.1f ms, %.1f bytes a grid\n",
           ngrids, n - ngrids, ix.nx, ix.ny, ix.nwide, built / 1000,
           (double)(a.bytes - before) / (double)ngrids);
    double *lat = malloc(nq * sizeof(*lat)), *lon = malloc(nq * sizeof(*lon));
    double *us = malloc(nq * sizeof(*us));
    if (!lat || !lon || !us)
        return 1;
    for (size_t q = 0; q < nq; q++) {
        lat[q] = LAT0 + unit() * side * STEP;
        lon[q] = LON0 + unit() * side * STEP;
    }
    size_t found = 0;
    double sum = 0;
    for (size_t q = 0; q < nq; q++) {
        double s = now_us();
        long got = report_index_find(&ix, lat[q], lon[q]);
        us[q] = now_us() - s;
        sum += us[q];
        found += got >= 0;
    }
    qsort(us, nq, sizeof(*us), dbl_cmp);
    printf("lookup, %zu points (%zu in a grid): median %.2f us, p99 %.2f us, mean %.2f us"
           " (goal: under 20 us)\n",
           nq, found, us[nq / 2], us[nq * 99 / 100], sum / (double)nq);
    size_t nb = nq < 200 ? nq : 200;
    double bs = now_us();
    size_t agree = 0;
    for (size_t q = 0; q < nb; q++)
        agree += report_pick_grid(areas, n, lat[q], lon[q], 0) == report_index_find(&ix, lat[q], lon[q]);
    printf("brute force over every boundary, %zu points: mean %.1f us (%zu of %zu agree)\n", nb,
           (now_us() - bs) / (double)nb, agree, nb);
    free(lat);
    free(lon);
    free(us);
    arena_release(&a);
    return agree == nb ? 0 : 1;
}
