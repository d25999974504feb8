/*
 * index_test.c - unit tests for src/geo/index.c.
 *
 * Mostly differential: a brute-force model holds the same sites in a plain
 * array and answers every query by scanning all of them, with the distance
 * definition index.h publishes (geo_index_unit + 64-bit integer chord, hit
 * order (chord2, id)). Nearest, box and cluster answers must equal the
 * model's exactly, over several site sets (uniform on the sphere, clustered
 * like cities around the poles and the antimeridian, many exact duplicate
 * positions, tiny sets), random filters and random query points, before
 * and during a random sequence of inserts, moves, restyles and removes.
 * The accept predicate must be called on exactly the candidates the model
 * walks, in the same order. Site coordinates are drawn on the 1e-7 degree
 * grid the index holds, so the model can compare the caller's doubles.
 * Then: readers against a writer in threads, and the edge cases.
 */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "geo/coord.h"
#include "geo/index.h"
#include "test.h"

/* ------------------------------------------------------------------------ */
/* Random numbers and site sets                                             */
/* ------------------------------------------------------------------------ */

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15u);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/* Uniform in [0, 1). */
static double rnd01(void)
{
    return (double)(rnd() >> 11) / 9007199254740992.0;
}

static size_t rndn(size_t n)
{
    return (size_t)(rnd() % n);
}

static double gauss(void)
{
    double u = rnd01() + 1e-12, v = rnd01();

    return sqrt(-2 * log(u)) * cos(2 * 3.14159265358979323846 * v);
}

/* The held value of a coordinate, as a double (what the index answers
 * for). */
static double grid(double deg)
{
    return (double)llround(deg * 1e7) / 1e7;
}

static double wrap_lon(double lon)
{
    while (lon > 180)
        lon -= 360;
    while (lon < -180)
        lon += 360;
    return lon;
}

static double clamp_lat(double lat)
{
    return lat > 90 ? 90 : lat < -90 ? -90 : lat;
}

/* The model: sites by index; id = idx * id_mul + 1. */
struct model {
    struct geo_entry *e;
    bool *live;
    int32_t (*v)[3];
    size_t n, cap;
    int64_t id_mul;
};

static void model_init(struct model *m, size_t cap, int64_t id_mul)
{
    m->e = calloc(cap, sizeof *m->e);
    m->live = calloc(cap, sizeof *m->live);
    m->v = calloc(cap, sizeof *m->v);
    m->n = 0;
    m->cap = cap;
    m->id_mul = id_mul;
}

static void model_free(struct model *m)
{
    free(m->e);
    free(m->live);
    free(m->v);
}

static int64_t model_id(const struct model *m, size_t idx)
{
    return (int64_t)idx * m->id_mul + 1;
}

static void random_attrs(struct geo_entry *e)
{
    static const uint16_t types[] = {0, 1, 2, 3, 4, 17, 33, 65535};

    e->amenities = rnd() & 0xff;
    if (rndn(10) == 0)
        e->amenities |= 1ull << (8 + rndn(56));
    e->type = types[rndn(rndn(3) ? 5 : 8)];
    e->tier = (uint8_t)rndn(4);
}

static void model_set(struct model *m, size_t idx, double lat, double lon)
{
    struct geo_entry *e = &m->e[idx];

    e->id = model_id(m, idx);
    e->lat = grid(clamp_lat(lat));
    e->lon = grid(wrap_lon(lon));
    random_attrs(e);
    geo_index_unit(e->lat, e->lon, m->v[idx]);
    m->live[idx] = true;
}

/* A point drawn like the sites of a set of `kind`. */
static void random_place(int kind, double *lat, double *lon)
{
    /* City centres, some at the poles and on the antimeridian. */
    static const double centres[][3] = {
        {31.23, 121.47, 0.3}, {39.90, 116.40, 0.3}, {22.54, 114.06, 0.2}, {30.57, 104.07, 0.3},
        {34.60, 119.22, 0.1}, {89.95, 0, 0.05},     {-89.99, 45, 0.02},   {65.0, 179.99, 0.05},
        {-17.7, -179.9, 0.1}, {0.0, 0.0, 0.5},      {51.5, -0.12, 0.2},   {-33.9, 151.2, 0.2},
        {40.7, -74.0, 0.2},   {64.8, -147.7, 0.5},  {-54.8, -68.3, 0.1},
    };
    static double pool[40][2];
    static bool pool_ready;

    if (!pool_ready) {
        for (int i = 0; i < 40; i++) {
            pool[i][0] = grid(30 + 8 * rnd01());
            pool[i][1] = grid(110 + 10 * rnd01());
        }
        pool[0][0] = 90;
        pool[1][0] = -90;
        pool[2][1] = 180;
        pool[3][1] = -180;
        pool_ready = true;
    }
    switch (kind) {
    case 0: /* uniform on the sphere */
        *lat = asin(2 * rnd01() - 1) * 180 / 3.14159265358979323846;
        *lon = 360 * rnd01() - 180;
        break;
    case 1: { /* cities */
        const double *c = centres[rndn(sizeof centres / sizeof centres[0])];
        double s = c[2] * (rndn(10) ? 1 : 20);

        *lat = c[0] + s * gauss();
        *lon = c[1] + s * gauss() / fmax(0.05, cos(c[0] * 0.0174533));
        if (*lat > 90)
            *lat = 180 - *lat;
        if (*lat < -90)
            *lat = -180 - *lat;
        break;
    }
    default: { /* exact duplicates */
        const double *p = pool[rndn(rndn(4) ? 8 : 40)];

        *lat = p[0];
        *lon = p[1];
        break;
    }
    }
}

static void model_fill(struct model *m, int kind, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        double lat, lon;

        random_place(kind, &lat, &lon);
        model_set(m, i, lat, lon);
    }
    m->n = n;
}

/* Build the index from the live model sites (random order). */
static int model_build(const struct model *m, struct geo_index *ix)
{
    struct geo_entry *tmp = malloc((m->n + 1) * sizeof *tmp);
    size_t k = 0;
    int rc;

    for (size_t i = 0; i < m->n; i++) {
        if (m->live[i])
            tmp[k++] = m->e[i];
    }
    for (size_t i = k; i > 1; i--) {
        size_t j = rndn(i);
        struct geo_entry t = tmp[i - 1];

        tmp[i - 1] = tmp[j];
        tmp[j] = t;
    }
    rc = geo_index_build(ix, tmp, k);
    free(tmp);
    return rc;
}

static size_t model_live(const struct model *m)
{
    size_t c = 0;

    for (size_t i = 0; i < m->n; i++)
        c += m->live[i];
    return c;
}

/* ------------------------------------------------------------------------ */
/* Filters and the accept predicate                                         */
/* ------------------------------------------------------------------------ */

enum { ACC_NONE, ACC_MOD3, ACC_HALF, ACC_NONE_PASS };

struct acc {
    int mode;
    const struct model *m;
    const struct geo_filter *f;
    int64_t *seen;
    size_t n, cap;
    int bad; /* calls on sites failing the cheap filters */
};

static bool acc_verdict(int mode, int64_t id)
{
    uint64_t h = (uint64_t)id * 0x9e3779b97f4a7c15u;

    switch (mode) {
    case ACC_MOD3:
        return id % 3 != 0;
    case ACC_HALF:
        return (h >> 40) & 1;
    case ACC_NONE_PASS:
        return false;
    }
    return true;
}

static bool cheap_ok(const struct geo_entry *e, const struct geo_filter *f)
{
    if (!f)
        return true;
    if ((e->amenities & f->amenities_all) != f->amenities_all)
        return false;
    return f->type < 0 ? f->type == -1 : e->type == f->type;
}

static bool acc_fn(void *ctx, int64_t id)
{
    struct acc *a = ctx;
    size_t idx = (size_t)((id - 1) / a->m->id_mul);

    if (idx >= a->m->n || !a->m->live[idx] || !cheap_ok(&a->m->e[idx], a->f))
        a->bad++;
    if (a->n < a->cap)
        a->seen[a->n] = id;
    a->n++;
    return acc_verdict(a->mode, id);
}

static void random_filter(const struct model *m, double qlat, double qlon, struct geo_filter *f,
                          struct acc *a)
{
    int r = (int)rndn(20);

    memset(f, 0, sizeof *f);
    f->type = -1;
    if (r < 6)
        f->amenities_all = 1ull << rndn(8);
    else if (r < 10)
        f->amenities_all = (1ull << rndn(8)) | (1ull << rndn(8));
    else if (r < 11)
        f->amenities_all = 7;
    else if (r < 12)
        f->amenities_all = 1ull << 60;
    if (rndn(3) == 0) {
        static const int32_t types[] = {0, 1, 4, 17, 33, 65535, 9};

        f->type = types[rndn(7)];
    }
    r = (int)rndn(10);
    if (r < 3) {
        f->radius_m = exp(log(1.0) + rnd01() * log(2.1e7));
    } else if (r < 5 && m->n) {
        /* Exactly the distance of some site: the bound is inclusive. */
        size_t i = rndn(m->n);

        f->radius_m = geo_index_chord2_m(geo_index_chord2(qlat, qlon, m->e[i].lat, m->e[i].lon));
        if (f->radius_m == 0)
            f->radius_m = 1e-3;
    }
    a->mode = ACC_NONE;
    r = (int)rndn(10);
    if (r < 3)
        a->mode = ACC_MOD3;
    else if (r < 5)
        a->mode = ACC_HALF;
    else if (r < 6)
        a->mode = ACC_NONE_PASS;
    if (a->mode != ACC_NONE) {
        f->accept = acc_fn;
        f->ctx = a;
    }
    a->m = m;
    a->f = f;
    a->n = 0;
    a->bad = 0;
}

/* ------------------------------------------------------------------------ */
/* Brute force                                                              */
/* ------------------------------------------------------------------------ */

struct cand {
    uint64_t d2;
    int64_t id;
};

static int cand_cmp(const void *a, const void *b)
{
    const struct cand *x = a, *y = b;

    if (x->d2 != y->d2)
        return x->d2 < y->d2 ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

static uint64_t chord2_of(const int32_t a[3], const int32_t b[3])
{
    uint64_t s = 0;

    for (int i = 0; i < 3; i++) {
        int64_t d = (int64_t)a[i] - b[i];

        s += (uint64_t)(d * d);
    }
    return s;
}

static struct cand *cands;
static int64_t *seen_buf;

/* Nearest by scanning: returns the hit count; *walked = how many
 * candidates accept must see. */
static size_t brute_nearest(const struct model *m, double lat, double lon, size_t k,
                            const struct geo_filter *f, int mode, struct geo_hit *out,
                            size_t *walked)
{
    int32_t q[3];
    size_t nc = 0, got = 0, i;

    *walked = 0;
    if (k > GEO_INDEX_MAX_K)
        k = GEO_INDEX_MAX_K;
    geo_index_unit(lat, lon, q);
    for (i = 0; i < m->n; i++) {
        uint64_t d2;

        if (!m->live[i] || !cheap_ok(&m->e[i], f))
            continue;
        d2 = chord2_of(q, m->v[i]);
        if (f && f->radius_m > 0 && !(geo_index_chord2_m(d2) <= f->radius_m))
            continue;
        cands[nc].d2 = d2;
        cands[nc].id = m->e[i].id;
        nc++;
    }
    qsort(cands, nc, sizeof *cands, cand_cmp);
    for (i = 0; i < nc && got < k; i++) {
        if (mode == ACC_NONE || acc_verdict(mode, cands[i].id)) {
            out[got].id = cands[i].id;
            out[got].distance_m = geo_index_chord2_m(cands[i].d2);
            got++;
        }
    }
    *walked = mode == ACC_NONE ? 0 : i;
    return got;
}

static bool in_box(const struct geo_entry *e, const double b[4])
{
    /* b = minlon, minlat, maxlon, maxlat */
    if (e->lat < b[1] || e->lat > b[3])
        return false;
    if (b[0] > b[2])
        return e->lon >= b[0] || e->lon <= b[2];
    return e->lon >= b[0] && e->lon <= b[2];
}

static int id_cmp(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

    return x < y ? -1 : x > y;
}

/* Matching ids, sorted; returns the count (ids has room for m->n). */
static size_t brute_box(const struct model *m, const double b[4], const struct geo_filter *f,
                        int mode, int64_t *ids)
{
    size_t n = 0;

    for (size_t i = 0; i < m->n; i++) {
        if (m->live[i] && cheap_ok(&m->e[i], f) && in_box(&m->e[i], b) &&
            (mode == ACC_NONE || acc_verdict(mode, m->e[i].id)))
            ids[n++] = m->e[i].id;
    }
    qsort(ids, n, sizeof *ids, id_cmp);
    return n;
}

/* Sites that pass the cheap filters and lie in the box (accept calls). */
static size_t brute_box_cheap(const struct model *m, const double b[4], const struct geo_filter *f)
{
    size_t n = 0;

    for (size_t i = 0; i < m->n; i++)
        n += m->live[i] && cheap_ok(&m->e[i], f) && in_box(&m->e[i], b);
    return n;
}

struct ref_cell {
    uint32_t row, col;
    uint32_t count;
    uint8_t tiers;
    int64_t id;
    double sum_lat, sum_lon;
};

static int ref_cell_cmp(const void *a, const void *b)
{
    const struct ref_cell *x = a, *y = b;

    if (x->row != y->row)
        return x->row < y->row ? -1 : 1;
    return x->col < y->col ? -1 : x->col > y->col;
}

/* Clusters by scanning: sort the members by cell, then merge runs. */
static size_t brute_clusters(const struct model *m, const double b[4], int zoom,
                             const struct geo_filter *f, int mode, struct ref_cell *cells)
{
    size_t n = 0, c = 0;

    for (size_t i = 0; i < m->n; i++) {
        const struct geo_entry *e = &m->e[i];

        if (!m->live[i] || !cheap_ok(e, f) || !in_box(e, b) ||
            (mode != ACC_NONE && !acc_verdict(mode, e->id)))
            continue;
        geo_index_cell(e->lat, e->lon, zoom, &cells[n].col, &cells[n].row);
        cells[n].count = 1;
        cells[n].tiers = (uint8_t)(1u << e->tier);
        cells[n].id = e->id;
        cells[n].sum_lat = e->lat;
        cells[n].sum_lon = e->lon;
        n++;
    }
    qsort(cells, n, sizeof *cells, ref_cell_cmp);
    for (size_t i = 0; i < n; i++) {
        if (c && cells[c - 1].row == cells[i].row && cells[c - 1].col == cells[i].col) {
            cells[c - 1].count++;
            cells[c - 1].tiers |= cells[i].tiers;
            cells[c - 1].sum_lat += cells[i].sum_lat;
            cells[c - 1].sum_lon += cells[i].sum_lon;
            cells[c - 1].id = 0;
        } else {
            cells[c++] = cells[i];
        }
    }
    return c;
}

/* ------------------------------------------------------------------------ */
/* Differential checks                                                      */
/* ------------------------------------------------------------------------ */

static size_t checked_nearest, checked_boxes, checked_clusters;
static size_t accept_calls_checked;

static void random_query_point(const struct model *m, double *lat, double *lon)
{
    int r = (int)rndn(12);

    if (r < 3 && m->n) {
        size_t i = rndn(m->n);

        *lat = m->e[i].lat;
        *lon = m->e[i].lon;
        if (r == 1) {
            *lat = clamp_lat(*lat + 1e-4 * gauss());
            *lon = wrap_lon(*lon + 1e-4 * gauss());
        }
    } else if (r < 5) {
        *lat = (rndn(2) ? 1 : -1) * (90 - rnd01() * rnd01() * 0.5);
        *lon = 360 * rnd01() - 180;
    } else if (r < 7) {
        *lat = 180 * rnd01() - 90;
        *lon = (rndn(2) ? 1 : -1) * (180 - rnd01() * rnd01() * 0.5);
    } else if (r < 8) {
        static const double fixed[][2] = {{90, 0},   {90, 77},   {-90, -12}, {0, 180},
                                          {0, -180}, {-90, 180}, {-45, -30}, {10, 180}};
        size_t i = rndn(8);

        *lat = fixed[i][0];
        *lon = fixed[i][1];
    } else {
        random_place((int)rndn(3), lat, lon);
        *lat = clamp_lat(*lat);
        *lon = wrap_lon(*lon);
    }
}

static void check_one_nearest(struct geo_index *ix, const struct model *m)
{
    static struct geo_hit got[GEO_INDEX_MAX_K], want[GEO_INDEX_MAX_K];
    struct geo_filter f;
    struct acc a = {0};
    double lat, lon;
    size_t k = rndn(8) ? 1 + rndn(50) : (rndn(2) ? 1000 : 1500);
    size_t ng, nw, walked;
    bool same = true;

    random_query_point(m, &lat, &lon);
    a.seen = seen_buf;
    a.cap = 200000;
    random_filter(m, lat, lon, &f, &a);
    if (!f.accept && rndn(20) == 0) {
        /* The same kind of query without a filter pointer. */
        ng = geo_index_nearest(ix, lat, lon, k, NULL, got);
        nw = brute_nearest(m, lat, lon, k, NULL, ACC_NONE, want, &walked);
    } else {
        ng = geo_index_nearest(ix, lat, lon, k, &f, got);
        nw = brute_nearest(m, lat, lon, k, &f, a.mode, want, &walked);
    }
    checked_nearest++;
    if (ng != nw)
        same = false;
    for (size_t i = 0; same && i < ng; i++) {
        if (got[i].id != want[i].id || got[i].distance_m != want[i].distance_m)
            same = false;
    }
    if (!same) {
        fprintf(stderr,
                "nearest (%.7f, %.7f) k=%zu amen=%llx type=%d r=%.3f "
                "acc=%d: got %zu want %zu\n",
                lat, lon, k, (unsigned long long)f.amenities_all, f.type, f.radius_m, a.mode, ng,
                nw);
        for (size_t i = 0; i < ng || i < nw; i++) {
            if (i >= 8)
                break;
            fprintf(stderr, "  %zu: got %lld %.4f want %lld %.4f\n", i,
                    i < ng ? (long long)got[i].id : -1LL, i < ng ? got[i].distance_m : -1.0,
                    i < nw ? (long long)want[i].id : -1LL, i < nw ? want[i].distance_m : -1.0);
        }
    }
    CHECK(same);
    if (f.accept) {
        bool order = a.n == walked && a.bad == 0;

        /* accept saw exactly the model's walk, in order. */
        if (order) {
            size_t nc = 0;
            int32_t q[3];

            geo_index_unit(lat, lon, q);
            for (size_t i = 0; i < m->n; i++) {
                if (m->live[i] && cheap_ok(&m->e[i], &f)) {
                    uint64_t d2 = chord2_of(q, m->v[i]);

                    if (f.radius_m > 0 && !(geo_index_chord2_m(d2) <= f.radius_m))
                        continue;
                    cands[nc].d2 = d2;
                    cands[nc++].id = m->e[i].id;
                }
            }
            qsort(cands, nc, sizeof *cands, cand_cmp);
            for (size_t i = 0; i < a.n && i < a.cap; i++) {
                if (seen_buf[i] != cands[i].id)
                    order = false;
            }
        }
        if (!order)
            fprintf(stderr, "accept calls %zu, model walks %zu, bad %d\n", a.n, walked, a.bad);
        CHECK(order);
        accept_calls_checked += a.n;
    }
}

static void random_box(const struct model *m, double b[4])
{
    int r = (int)rndn(12);
    double clat, clon, h, w;

    if (r == 0) {
        b[0] = -180, b[1] = -90, b[2] = 180, b[3] = 90;
        return;
    }
    if (r == 1 && m->n) {
        /* Edges exactly on sites. */
        const struct geo_entry *x = &m->e[rndn(m->n)], *y = &m->e[rndn(m->n)];

        b[0] = fmin(x->lon, y->lon), b[2] = fmax(x->lon, y->lon);
        b[1] = fmin(x->lat, y->lat), b[3] = fmax(x->lat, y->lat);
        if (rndn(3) == 0) {
            b[0] = b[2] = x->lon;
            b[1] = b[3] = x->lat;
        }
        return;
    }
    if (r == 2) {
        /* Across the antimeridian. */
        b[0] = 180 - 30 * rnd01();
        b[2] = -180 + 30 * rnd01();
        b[1] = -90 + 100 * rnd01();
        b[3] = fmin(90, b[1] + 80 * rnd01());
        return;
    }
    random_query_point(m, &clat, &clon);
    h = exp(log(1e-4) + rnd01() * log(1e6)); /* 1e-4 .. 100 degrees */
    w = h * (0.5 + 2 * rnd01());
    b[1] = clamp_lat(clat - h / 2);
    b[3] = clamp_lat(clat + h / 2);
    b[0] = fmax(-180, clon - w / 2);
    b[2] = fmin(180, clon + w / 2);
}

static void check_one_box(struct geo_index *ix, const struct model *m)
{
    static int64_t got[5000];
    int64_t *want = malloc((m->n + 1) * sizeof *want);
    struct geo_filter f;
    struct acc a = {0};
    double b[4];
    size_t cap, total = 12345, ng, nw, cheap;
    bool same;

    random_box(m, b);
    a.seen = seen_buf;
    a.cap = 200000;
    random_filter(m, b[1], b[0], &f, &a);
    f.radius_m = rndn(2) ? 0 : 1000; /* ignored by boxes */
    cap = rndn(4) == 0 ? rndn(5) : rndn(5000);
    ng = geo_index_bbox(ix, b[0], b[1], b[2], b[3], &f, cap ? got : NULL, cap, &total);
    nw = brute_box(m, b, &f, a.mode, want);
    cheap = brute_box_cheap(m, b, &f);
    checked_boxes++;
    same = total == nw && ng == (nw < cap ? nw : cap);
    for (size_t i = 0; same && i < ng; i++)
        same = got[i] == want[i];
    if (!same)
        fprintf(stderr,
                "bbox %.7f %.7f %.7f %.7f amen=%llx type=%d acc=%d cap=%zu: "
                "total %zu want %zu, wrote %zu\n",
                b[0], b[1], b[2], b[3], (unsigned long long)f.amenities_all, f.type, a.mode, cap,
                total, nw, ng);
    CHECK(same);
    if (f.accept) {
        CHECK_INT(a.n, cheap);
        CHECK_INT(a.bad, 0);
    }
    free(want);
}

static void check_one_clusters(struct geo_index *ix, const struct model *m)
{
    static struct geo_cluster got[4000];
    struct ref_cell *want = malloc((m->n + 1) * sizeof *want);
    struct geo_filter f;
    struct acc a = {0};
    double b[4];
    int zoom = (int)rndn(GEO_INDEX_MAX_ZOOM + 1);
    size_t cap = rndn(5) ? 4000 : 1 + rndn(30), ng, nw;
    size_t total = 0, sum = 0;
    bool same;

    random_box(m, b);
    a.seen = seen_buf;
    a.cap = 200000;
    random_filter(m, b[1], b[0], &f, &a);
    if (rndn(2)) {
        /* Half without filters: the subtree sums are used. */
        f.amenities_all = 0;
        f.type = -1;
        f.accept = NULL;
        a.mode = ACC_NONE;
    }
    ng = geo_index_clusters(ix, b[0], b[1], b[2], b[3], zoom, &f, got, cap);
    nw = brute_clusters(m, b, zoom, &f, a.mode, want);
    checked_clusters++;
    same = ng == (nw < cap ? nw : cap);
    for (size_t i = 0; same && i < ng; i++) {
        same = got[i].count == want[i].count && got[i].tiers == want[i].tiers &&
               got[i].id == want[i].id &&
               fabs(got[i].lat - want[i].sum_lat / want[i].count) < 1e-9 &&
               fabs(got[i].lon - want[i].sum_lon / want[i].count) < 1e-9;
        sum += got[i].count;
    }
    if (!same)
        fprintf(stderr,
                "clusters %.7f %.7f %.7f %.7f z=%d amen=%llx type=%d acc=%d: "
                "%zu clusters, want %zu\n",
                b[0], b[1], b[2], b[3], zoom, (unsigned long long)f.amenities_all, f.type, a.mode,
                ng, nw);
    CHECK(same);
    if (same && ng == nw) {
        /* The cluster counts add up to the box total. */
        a.n = 0;
        geo_index_bbox(ix, b[0], b[1], b[2], b[3], &f, NULL, 0, &total);
        CHECK_INT(sum, total);
    }
    free(want);
}

/* ------------------------------------------------------------------------ */
/* Tests                                                                    */
/* ------------------------------------------------------------------------ */

static void run_differential(int kind, size_t n, size_t queries, int64_t id_mul)
{
    struct geo_index *ix = geo_index_new();
    struct model m;

    model_init(&m, n + 1, id_mul);
    model_fill(&m, kind, n);
    CHECK_INT(model_build(&m, ix), 0);
    CHECK_INT(geo_index_count(ix), n);
    for (size_t i = 0; i < queries; i++)
        check_one_nearest(ix, &m);
    for (size_t i = 0; i < queries / 3; i++)
        check_one_box(ix, &m);
    for (size_t i = 0; i < queries / 3; i++)
        check_one_clusters(ix, &m);
    geo_index_free(ix);
    model_free(&m);
}

static void test_differential_uniform(void)
{
    run_differential(0, 3000, 3000, 1);
}

static void test_differential_cities(void)
{
    run_differential(1, 5000, 3000, 1000003);
}

static void test_differential_duplicates(void)
{
    run_differential(2, 2000, 3000, 7);
}

/* Big enough for the two-thread build and a deep tree. */
static void test_differential_large(void)
{
    run_differential(1, 70000, 450, 13);
}

static void test_differential_small_sets(void)
{
    for (size_t n = 0; n <= 40; n++)
        run_differential((int)(n % 3), n, 60, 1 + (int64_t)n);
    run_differential(1, 17, 200, 1);
    run_differential(1, 33, 200, 1);
}

/* Random inserts, moves, restyles and removes, checked against the model
 * as they go: crosses the pending-list rebuilds many times. */
static void test_differential_edits(void)
{
    struct geo_index *ix = geo_index_new();
    struct model m;
    size_t n0 = 2500, ops = 6000, maxn = n0 + ops;
    int kinds[] = {1, 2};

    for (int round = 0; round < 2; round++) {
        int kind = kinds[round];

        model_init(&m, maxn, round ? 3 : 1);
        model_fill(&m, kind, n0);
        CHECK_INT(model_build(&m, ix), 0);
        for (size_t op = 0; op < ops; op++) {
            int r = (int)rndn(100);
            size_t idx = m.n ? rndn(m.n) : 0;
            double lat, lon;

            if (r < 30 || !m.n) {
                /* Insert a new site. */
                random_place(kind, &lat, &lon);
                model_set(&m, m.n, lat, lon);
                CHECK_INT(geo_index_upsert(ix, &m.e[m.n]), 0);
                m.n++;
            } else if (r < 55) {
                /* Move (or re-insert a removed one). */
                random_place(kind, &lat, &lon);
                if (rndn(3) == 0 && m.live[idx]) {
                    lat = m.e[idx].lat + 1e-5 * gauss();
                    lon = m.e[idx].lon + 1e-5 * gauss();
                }
                model_set(&m, idx, lat, lon);
                CHECK_INT(geo_index_upsert(ix, &m.e[idx]), 0);
            } else if (r < 70) {
                /* Same place, new amenities, type and tier. */
                if (m.live[idx]) {
                    random_attrs(&m.e[idx]);
                    CHECK_INT(geo_index_upsert(ix, &m.e[idx]), 0);
                }
            } else {
                int want = m.live[idx] ? 0 : -1;

                CHECK_INT(geo_index_remove(ix, m.e[idx].id), want);
                m.live[idx] = false;
            }
            if (op % 997 == 0)
                geo_index_compact(ix); /* fold now, as after a batch */
            if (op % 8 == 0)
                check_one_nearest(ix, &m);
            if (op % 40 == 0) {
                check_one_box(ix, &m);
                check_one_clusters(ix, &m);
            }
            if (op % 500 == 0) {
                size_t live = model_live(&m);
                struct geo_entry e;

                CHECK_INT(geo_index_count(ix), live);
                for (size_t i = 0; i < m.n; i++) {
                    int rc = geo_index_get(ix, m.e[i].id, &e);

                    CHECK_INT(rc, m.live[i] ? 0 : -1);
                    if (rc == 0 && m.live[i])
                        CHECK(e.lat == m.e[i].lat && e.lon == m.e[i].lon &&
                              e.amenities == m.e[i].amenities && e.type == m.e[i].type &&
                              e.tier == m.e[i].tier);
                }
            }
        }
        CHECK_INT(geo_index_count(ix), model_live(&m));
        for (int i = 0; i < 300; i++)
            check_one_nearest(ix, &m);
        for (int i = 0; i < 100; i++) {
            check_one_box(ix, &m);
            check_one_clusters(ix, &m);
        }
        /* Remove everything. */
        for (size_t i = 0; i < m.n; i++) {
            if (m.live[i]) {
                CHECK_INT(geo_index_remove(ix, m.e[i].id), 0);
                m.live[i] = false;
            }
            if (i % 400 == 0)
                check_one_nearest(ix, &m);
        }
        CHECK_INT(geo_index_count(ix), 0);
        check_one_nearest(ix, &m);
        check_one_box(ix, &m);
        model_free(&m);
    }
    geo_index_free(ix);
}

/* ---- the two halves of a tree's site (hot and cold) -------------------- */

/* Amenity bits on both sides of the hot half's GEO_HOT_AMEN_BITS (28). */
static uint64_t split_amen(void)
{
    static const int bits[] = {0, 1, 26, 27, 28, 29, 40, 62, 63};
    uint64_t a = 0;

    for (size_t i = 0; i < sizeof bits / sizeof bits[0]; i++) {
        if (rndn(2))
            a |= 1ull << bits[i];
    }
    return a;
}

static void split_attrs(struct geo_entry *e)
{
    static const uint16_t types[] = {0, 3, 65535};

    e->amenities = split_amen();
    e->type = types[rndn(3)];
    e->tier = (uint8_t)rndn(4);
}

/* Nearest (plain and with accept) and bbox for filter f against the model. */
static void check_split_filter(struct geo_index *ix, const struct model *m, struct geo_filter *f)
{
    static struct geo_hit got[40], want[40];
    static int64_t gids[5000];
    int64_t *wids = malloc((m->n + 1) * sizeof *wids);
    double lat, lon, b[4];
    size_t k = 1 + rndn(40), ng, nw, walked, total;
    struct acc a = {0};

    random_query_point(m, &lat, &lon);
    f->accept = NULL;
    ng = geo_index_nearest(ix, lat, lon, k, f, got);
    nw = brute_nearest(m, lat, lon, k, f, ACC_NONE, want, &walked);
    CHECK_INT(ng, nw);
    for (size_t i = 0; i < ng && i < nw; i++)
        CHECK(got[i].id == want[i].id && got[i].distance_m == want[i].distance_m);

    a.seen = seen_buf;
    a.cap = 200000;
    a.mode = ACC_HALF;
    a.m = m;
    a.f = f;
    f->accept = acc_fn;
    f->ctx = &a;
    ng = geo_index_nearest(ix, lat, lon, 5, f, got);
    nw = brute_nearest(m, lat, lon, 5, f, ACC_HALF, want, &walked);
    CHECK_INT(ng, nw);
    for (size_t i = 0; i < ng && i < nw; i++)
        CHECK(got[i].id == want[i].id);
    CHECK_INT(a.n, walked);
    CHECK_INT(a.bad, 0);
    f->accept = NULL;
    checked_nearest += 2;

    b[0] = lon - 2;
    b[1] = lat - 2 < -90 ? -90 : lat - 2;
    b[2] = lon + 2 > 180 ? 180 : lon + 2;
    b[3] = lat + 2 > 90 ? 90 : lat + 2;
    if (b[0] < -180)
        b[0] = -180;
    ng = geo_index_bbox(ix, b[0], b[1], b[2], b[3], f, gids, 5000, &total);
    nw = brute_box(m, b, f, ACC_NONE, wids);
    CHECK_INT(total, nw);
    for (size_t i = 0; i < ng && i < nw; i++)
        CHECK(gids[i] == wids[i]);
    checked_boxes++;
    free(wids);
}

/*
 * A tree keeps a site's low 28 amenity bits, tier and dead mark beside its
 * position (the hot half, read by every nearest scan) and its id, higher
 * amenity bits and type apart (the cold half). Filters on bits on both
 * sides of that line and on types, with dead slots, restyles that move
 * bits across it and pending sites, must all answer as the brute force.
 */
static void test_split_halves(void)
{
    static const uint64_t wants[] = {0,
                                     1ull << 27,
                                     1ull << 28,
                                     1ull << 27 | 1ull << 28,
                                     1ull << 63,
                                     1ull | 1ull << 29,
                                     1ull << 26 | 1ull << 62,
                                     1ull << 40 | 1ull << 63 | 1ull << 1};
    static const int32_t types[] = {-1, 0, 3, 65535, 7};
    struct geo_index *ix = geo_index_new();
    struct model m;
    size_t n0 = 3000, extra = 40;

    model_init(&m, n0 + extra, 1);
    model_fill(&m, 1, n0);
    for (size_t i = 0; i < n0; i++)
        split_attrs(&m.e[i]);
    CHECK_INT(model_build(&m, ix), 0);
    for (int phase = 0; phase < 3; phase++) {
        if (phase == 1) {
            /* Dead slots (a whole city's worth of removes), restyles
             * across bit 28 and type changes, all in place. */
            for (size_t i = 0; i < n0; i++) {
                if (rndn(4) == 0) {
                    CHECK_INT(geo_index_remove(ix, m.e[i].id), 0);
                    m.live[i] = false;
                } else if (rndn(3) == 0) {
                    m.e[i].amenities ^= 1ull << 27 | 1ull << 28 | 1ull << 63;
                    m.e[i].type = m.e[i].type == 3 ? 65535 : 3;
                    m.e[i].tier = (uint8_t)((m.e[i].tier + 1) & 3);
                    CHECK_INT(geo_index_upsert(ix, &m.e[i]), 0);
                }
            }
        }
        if (phase == 2) {
            /* A few pending sites beside the tree (fewer than a fold). */
            for (size_t i = 0; i < extra; i++) {
                double lat, lon;

                random_place(1, &lat, &lon);
                model_set(&m, m.n, lat, lon);
                split_attrs(&m.e[m.n]);
                CHECK_INT(geo_index_upsert(ix, &m.e[m.n]), 0);
                m.n++;
            }
        }
        for (size_t w = 0; w < sizeof wants / sizeof wants[0]; w++) {
            for (size_t t = 0; t < sizeof types / sizeof types[0]; t++) {
                struct geo_filter f = {wants[w], types[t], 0, NULL, NULL};

                for (int r = 0; r < 4; r++)
                    check_split_filter(ix, &m, &f);
            }
        }
        for (size_t i = 0; i < m.n; i += 97) {
            struct geo_entry e;

            CHECK_INT(geo_index_get(ix, m.e[i].id, &e), m.live[i] ? 0 : -1);
            if (m.live[i])
                CHECK(e.amenities == m.e[i].amenities && e.type == m.e[i].type &&
                      e.tier == m.e[i].tier);
        }
        for (int i = 0; i < 30; i++)
            check_one_clusters(ix, &m);
    }
    geo_index_free(ix);
    model_free(&m);
}

/* One random edit of the index and the model: below insert percent a new
 * site, below move one moved anywhere, below restyle new attributes in
 * place, else a removal. */
static void random_edit(struct geo_index *ix, struct model *m, int insert, int move, int restyle)
{
    size_t idx = rndn(m->n);
    int r = (int)rndn(100);
    double lat, lon;

    if (r < insert) {
        random_place(1, &lat, &lon);
        model_set(m, m->n, lat, lon);
        CHECK_INT(geo_index_upsert(ix, &m->e[m->n]), 0);
        m->n++;
    } else if (r < move) {
        random_place(1, &lat, &lon);
        model_set(m, idx, lat, lon);
        CHECK_INT(geo_index_upsert(ix, &m->e[idx]), 0);
    } else if (r < restyle) {
        if (m->live[idx]) {
            random_attrs(&m->e[idx]);
            CHECK_INT(geo_index_upsert(ix, &m->e[idx]), 0);
        }
    } else {
        CHECK_INT(geo_index_remove(ix, m->e[idx].id), m->live[idx] ? 0 : -1);
        m->live[idx] = false;
    }
}

/* Clusters of a few fixed filters (as a map asks for again and again, so
 * the index keeps their sums per tree node) while sites are inserted,
 * moved, restyled and removed, across folds: every answer as brute force. */
static void test_cluster_filter_sums(void)
{
    static const struct {
        uint64_t want;
        int32_t type;
    } filters[] = {{1u << 3, -1}, {1u << 1 | 1u << 2, -1}, {0, 1}, {1u << 0, 0}, {1u << 5, 4}};
    static struct geo_cluster got[4000];
    struct geo_index *ix = geo_index_new();
    struct ref_cell *want;
    struct model m;
    size_t n0 = 20000, ops = 3000;

    model_init(&m, n0 + ops, 1);
    want = malloc((n0 + ops + 1) * sizeof *want);
    model_fill(&m, 1, n0);
    CHECK_INT(model_build(&m, ix), 0);
    for (size_t op = 0; op <= ops; op++) {
        random_edit(ix, &m, 15, 45, 85);
        if (op % 600 == 599)
            geo_index_compact(ix);
        if (op % 10 == 0) {
            size_t k = rndn(sizeof filters / sizeof filters[0]), ng, nw;
            struct geo_filter f = {filters[k].want, filters[k].type, 0, NULL, NULL};
            int zoom = (int)rndn(12);
            double b[4];
            bool same;

            if (rndn(2)) {
                b[0] = 73, b[1] = 18, b[2] = 135, b[3] = 54; /* the country */
            } else {
                random_box(&m, b);
            }
            ng = geo_index_clusters(ix, b[0], b[1], b[2], b[3], zoom, &f, got, 4000);
            nw = brute_clusters(&m, b, zoom, &f, ACC_NONE, want);
            checked_clusters++;
            same = ng == (nw < 4000 ? nw : 4000);
            for (size_t i = 0; same && i < ng; i++)
                same = got[i].count == want[i].count && got[i].tiers == want[i].tiers &&
                       got[i].id == want[i].id &&
                       fabs(got[i].lat - want[i].sum_lat / want[i].count) < 1e-9 &&
                       fabs(got[i].lon - want[i].sum_lon / want[i].count) < 1e-9;
            if (!same)
                fprintf(stderr, "filter sums: op %zu filter %zu zoom %d: %zu clusters, want %zu\n",
                        op, k, zoom, ng, nw);
            CHECK(same);
        }
    }
    free(want);
    model_free(&m);
    geo_index_free(ix);
}

/* Bursts of edits on a larger index, so that folds into a new tree run
 * on the folder thread while edits go on (they are logged and replayed on
 * the new tree), a full build lands during a fold (its result must be
 * dropped), and answers are checked against the model throughout. */
static void test_edits_during_folds(void)
{
    struct geo_index *ix = geo_index_new();
    struct model m;
    size_t n0 = 40000, ops = 4000;

    model_init(&m, n0 + ops, 2);
    model_fill(&m, 1, n0);
    CHECK_INT(model_build(&m, ix), 0);
    for (size_t op = 0; op < ops; op++) {
        random_edit(ix, &m, 20, 70, 85);
        if (op == ops / 3)
            CHECK_INT(model_build(&m, ix), 0); /* lands during a fold, likely */
        if (op % 50 == 0) {
            CHECK_INT(geo_index_count(ix), model_live(&m));
            check_one_nearest(ix, &m);
        }
        if (op % 200 == 0) {
            check_one_box(ix, &m);
            check_one_clusters(ix, &m);
        }
    }
    for (int i = 0; i < 100; i++)
        check_one_nearest(ix, &m);
    geo_index_compact(ix); /* waits for a running fold, then folds the rest */
    CHECK_INT(geo_index_count(ix), model_live(&m));
    for (int i = 0; i < 100; i++) {
        check_one_nearest(ix, &m);
        check_one_box(ix, &m);
        check_one_clusters(ix, &m);
    }
    model_free(&m);
    geo_index_free(ix); /* with the folder thread maybe still at work */
}

/* A few edits, then a pause: the folder folds the side list and the dead
 * slots into a new tree by itself (a query would otherwise scan them until
 * the list filled), and the answers stay the model's. */
static void test_fold_after_pause(void)
{
    struct geo_index *ix = geo_index_new();
    struct model m;
    const struct timespec tick = {0, 50 * 1000000L};
    int waited = 0;

    model_init(&m, 5000 + 20, 2);
    model_fill(&m, 1, 5000);
    CHECK_INT(model_build(&m, ix), 0);
    CHECK_INT(geo_index_unfolded(ix), 0);
    for (int i = 0; i < 12; i++)
        random_edit(ix, &m, 30, 70, 85); /* inserts, moves, restyles, removals */
    CHECK(geo_index_unfolded(ix) > 0);
    /* Folded about 2 s after the last edit: wait up to 30 s. */
    while (geo_index_unfolded(ix) > 0 && waited++ < 600)
        nanosleep(&tick, NULL);
    CHECK_INT(geo_index_unfolded(ix), 0);
    CHECK_INT(geo_index_count(ix), model_live(&m));
    for (int i = 0; i < 200; i++)
        check_one_nearest(ix, &m);
    for (int i = 0; i < 20; i++) {
        check_one_box(ix, &m);
        check_one_clusters(ix, &m);
    }
    model_free(&m);
    geo_index_free(ix);
}

static void test_known_answers(void)
{
    struct geo_index *ix = geo_index_new();
    struct geo_entry e[] = {
        {1, 10.0, 179.999, 1, 0, 0},     {2, 10.0, -179.999, 1, 0, 1},    {3, 10.0, 170.0, 1, 0, 2},
        {4, 89.999, 0.0, 2, 1, 3},       {5, 89.999, 180.0, 2, 1, 3},     {6, -90.0, 0.0, 4, 2, 0},
        {7, 31.2304, 121.4737, 0, 3, 1}, {8, 31.2304, 121.4737, 0, 3, 2}, /* same place as 7 */
    };
    struct geo_hit h[8];
    struct geo_filter f = {0, -1, 0, NULL, NULL};
    size_t n;

    CHECK_INT(geo_index_build(ix, e, 8), 0);
    /* Across the antimeridian: 1 and 2 are both 110 m away. */
    n = geo_index_nearest(ix, 10.0, 180.0, 3, NULL, h);
    CHECK_INT(n, 3);
    CHECK_INT(h[0].id, 1);
    CHECK_INT(h[1].id, 2);
    CHECK_INT(h[2].id, 3);
    CHECK_NEAR(h[0].distance_m, 109.6, 0.2);
    CHECK_NEAR(h[1].distance_m, h[0].distance_m, 0.02);
    /* At the north pole every longitude is the same point. */
    n = geo_index_nearest(ix, 90.0, -123.0, 2, NULL, h);
    CHECK_INT(n, 2);
    CHECK_INT(h[0].id, 4);
    CHECK_INT(h[1].id, 5);
    CHECK_NEAR(h[0].distance_m, 111.2, 0.2);
    n = geo_index_nearest(ix, -89.9999, 77.0, 1, NULL, h);
    CHECK_INT(n, 1);
    CHECK_INT(h[0].id, 6);
    /* Same position: the smaller id first, distance 0. */
    n = geo_index_nearest(ix, 31.2304, 121.4737, 2, NULL, h);
    CHECK_INT(n, 2);
    CHECK_INT(h[0].id, 7);
    CHECK_INT(h[1].id, 8);
    CHECK(h[0].distance_m == 0 && h[1].distance_m == 0);
    /* Filters. */
    f.amenities_all = 2;
    n = geo_index_nearest(ix, 0, 0, 8, &f, h);
    CHECK_INT(n, 2);
    f.amenities_all = 0;
    f.type = 3;
    n = geo_index_nearest(ix, 0, 0, 8, &f, h);
    CHECK_INT(n, 2);
    CHECK_INT(h[0].id, 7);
    f.type = -1;
    f.radius_m = 200;
    n = geo_index_nearest(ix, 10.0, 180.0, 8, &f, h);
    CHECK_INT(n, 2);
    f.radius_m = INFINITY;
    CHECK_INT(geo_index_nearest(ix, 10.0, 180.0, 8, &f, h), 8);
    /* An antimeridian box, and clusters at zoom 0. */
    {
        int64_t ids[8];
        size_t total;
        struct geo_cluster c[8];

        CHECK_INT(geo_index_bbox(ix, 179.0, 0, -179.0, 20, NULL, ids, 8, &total), 2);
        CHECK_INT(total, 2);
        CHECK_INT(ids[0], 1);
        CHECK_INT(ids[1], 2);
        n = geo_index_clusters(ix, -180, -90, 180, 90, 0, NULL, c, 8);
        total = 0;
        for (size_t i = 0; i < n; i++)
            total += c[i].count;
        CHECK_INT(total, 8);
        /* Rows north first: the pole sites come first. */
        CHECK(c[0].lat > 89);
        CHECK_INT(c[n - 1].id, 6);
        CHECK_INT(c[n - 1].tiers, 1);
    }
    geo_index_free(ix);
}

/* The chord distance agrees with coord.c's haversine to centimetres up to
 * 10,000 km; towards the antipode both formulas are ill-conditioned and
 * drift apart by up to a few metres (the order stays exact). */
static void test_distance_definition(void)
{
    double worst_near = 0, worst_far = 0;

    for (int i = 0; i < 40000; i++) {
        double lat1, lon1, lat2, lon2, d1, d2;

        random_place(0, &lat1, &lon1);
        if (i % 2) {
            lat2 = clamp_lat(lat1 + gauss() * 0.01);
            lon2 = wrap_lon(lon1 + gauss() * 0.01);
        } else {
            random_place(0, &lat2, &lon2);
        }
        lat1 = grid(lat1), lon1 = grid(lon1), lat2 = grid(lat2), lon2 = grid(lon2);
        d1 = geo_index_chord2_m(geo_index_chord2(lat1, lon1, lat2, lon2));
        d2 = geo_distance_m((struct geo_point){lat1, lon1}, (struct geo_point){lat2, lon2});
        if (d2 < 1e7 && fabs(d1 - d2) > worst_near)
            worst_near = fabs(d1 - d2);
        if (d2 >= 1e7 && fabs(d1 - d2) > worst_far)
            worst_far = fabs(d1 - d2);
    }
    printf("geo_index: chord vs haversine: worst %.4f m below 10,000 km, "
           "%.4f m beyond\n",
           worst_near, worst_far);
    CHECK(worst_near < 0.03);
    CHECK(worst_far < 10);
    CHECK(geo_index_chord2(12.5, 100, 12.5, 100) == 0);
    CHECK(geo_index_chord2(90, 0, 90, 135) == 0);
    CHECK(geo_index_chord2(0, 180, 0, -180) == 0);
    CHECK_NEAR(geo_index_chord2_m(geo_index_chord2(0, 0, 0, 180)), 3.14159265358979 * 6371008.8,
               1e-6);
}

static void test_positions_rounded(void)
{
    struct geo_index *ix = geo_index_new();
    struct geo_entry e = {42, 30.123456789, -0.000000049, 5, 7, 2};
    struct geo_entry g;

    CHECK_INT(geo_index_upsert(ix, &e), 0);
    CHECK_INT(geo_index_get(ix, 42, &g), 0);
    CHECK(g.lat == 30.1234568);
    CHECK(g.lon == 0.0);
    CHECK_INT(g.amenities, 5);
    CHECK_INT(g.type, 7);
    CHECK_INT(g.tier, 2);
    CHECK_INT(geo_index_get(ix, 43, &g), -1);
    geo_index_free(ix);
}

/* geo_index_unit against its definition in index.h computed here with
 * llround (the index rounds without the call), on random points, on
 * coordinates whose held value is a tie (k + 1/2 units of 1e-7 degree
 * before rounding) and next to ties. */
static void test_unit_rounding(void)
{
    const double scale = (double)GEO_INDEX_UNIT_SCALE;
    const double rad = 3.14159265358979323846 / 1.8e9;
    int bad = 0, ties = 0;

    for (int i = 0; i < 200000; i++) {
        double lat, lon, u, w;
        int64_t hl, ho;
        int32_t got[3], want[3];

        random_place(0, &lat, &lon);
        if (i % 3 == 1) {
            /* A value that is exactly k + 0.5 once scaled, if any. */
            lat = ((double)(int64_t)(lat * 1e7) + 0.5) / 1e7;
            lon = ((double)(int64_t)(lon * 1e7) - 0.5) / 1e7;
        } else if (i % 3 == 2) {
            lat = nextafter(lat, 0);
            lon = nextafter(lon, 200);
        }
        if (!geo_is_valid(lat, lon))
            continue;
        u = lat * 1e7;
        w = lon * 1e7;
        ties += u - floor(u) == 0.5 || w - floor(w) == 0.5;
        hl = llround(u);
        ho = llround(w);
        want[0] = (int32_t)llround(cos((double)hl * rad) * cos((double)ho * rad) * scale);
        want[1] = (int32_t)llround(cos((double)hl * rad) * sin((double)ho * rad) * scale);
        want[2] = (int32_t)llround(sin((double)hl * rad) * scale);
        geo_index_unit(lat, lon, got);
        bad += memcmp(got, want, sizeof got) != 0;
    }
    CHECK_INT(bad, 0);
    CHECK(ties > 1000);
}

static void test_empty_and_invalid(void)
{
    struct geo_index *ix = geo_index_new();
    struct geo_hit h[4];
    struct geo_cluster c[4];
    int64_t ids[4];
    size_t total = 99;
    struct geo_filter f = {0, -1, 0, NULL, NULL};
    struct geo_entry good = {1, 10, 20, 0, 0, 0};
    struct geo_entry bad[] = {
        {0, 10, 20, 0, 0, 0},     {-3, 10, 20, 0, 0, 0}, {2, 90.5, 20, 0, 0, 0},
        {2, 10, 180.01, 0, 0, 0}, {2, NAN, 20, 0, 0, 0}, {2, 10, INFINITY, 0, 0, 0},
        {2, 10, 20, 0, 0, 4},
    };
    struct geo_entry dup[] = {{5, 1, 1, 0, 0, 0}, {6, 2, 2, 0, 0, 0}, {5, 3, 3, 0, 0, 0}};

    /* Empty. */
    CHECK_INT(geo_index_count(ix), 0);
    CHECK(geo_index_memory(ix) > 0);
    CHECK_INT(geo_index_nearest(ix, 0, 0, 5, NULL, h), 0);
    CHECK_INT(geo_index_bbox(ix, -180, -90, 180, 90, NULL, ids, 4, &total), 0);
    CHECK_INT(total, 0);
    CHECK_INT(geo_index_clusters(ix, -180, -90, 180, 90, 3, NULL, c, 4), 0);
    CHECK_INT(geo_index_remove(ix, 1), -1);
    CHECK_INT(geo_index_build(ix, NULL, 0), 0);
    geo_index_compact(ix);
    geo_index_compact(NULL);
    CHECK_INT(geo_index_count(ix), 0);

    /* Bad entries. */
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK_INT(geo_index_upsert(ix, &bad[i]), -1);
        CHECK_INT(geo_index_build(ix, &bad[i], 1), -1);
    }
    CHECK_INT(geo_index_upsert(ix, NULL), -1);
    CHECK_INT(geo_index_build(ix, NULL, 3), -1);
    CHECK_INT(geo_index_upsert(ix, &good), 0);
    CHECK_INT(geo_index_build(ix, dup, 3), -1);
    CHECK_INT(geo_index_count(ix), 1); /* unchanged by a failed build */
    CHECK_INT(geo_index_nearest(ix, 0, 0, 5, NULL, h), 1);
    CHECK_INT(h[0].id, 1);
    CHECK_INT(geo_index_remove(ix, 0), -1);
    CHECK_INT(geo_index_remove(ix, 2), -1);

    /* Bad queries. */
    CHECK_INT(geo_index_nearest(ix, 0, 0, 0, NULL, h), 0);
    CHECK_INT(geo_index_nearest(ix, 91, 0, 1, NULL, h), 0);
    CHECK_INT(geo_index_nearest(ix, NAN, 0, 1, NULL, h), 0);
    CHECK_INT(geo_index_nearest(ix, 0, -180.5, 1, NULL, h), 0);
    CHECK_INT(geo_index_nearest(ix, 0, 0, 1, NULL, NULL), 0);
    CHECK_INT(geo_index_nearest(NULL, 0, 0, 1, NULL, h), 0);
    f.type = -2;
    CHECK_INT(geo_index_nearest(ix, 0, 0, 1, &f, h), 0);
    f.type = 70000;
    CHECK_INT(geo_index_nearest(ix, 0, 0, 1, &f, h), 0);
    f.type = -1;
    f.radius_m = -1;
    CHECK_INT(geo_index_nearest(ix, 0, 0, 1, &f, h), 0);
    f.radius_m = NAN;
    CHECK_INT(geo_index_nearest(ix, 0, 0, 1, &f, h), 0);
    f.radius_m = 1;
    CHECK_INT(geo_index_nearest(ix, 0, 0, 1, &f, h), 0);
    f.radius_m = 0;
    CHECK_INT(geo_index_nearest(ix, 0, 0, 1, &f, h), 1);
    total = 99;
    CHECK_INT(geo_index_bbox(ix, 0, 30, 50, 10, NULL, ids, 4, &total), 0);
    CHECK_INT(total, 0);
    CHECK_INT(geo_index_bbox(ix, NAN, 0, 50, 10, NULL, ids, 4, &total), 0);
    CHECK_INT(geo_index_bbox(ix, 0, 0, 50, 91, NULL, ids, 4, &total), 0);
    CHECK_INT(geo_index_bbox(ix, 0, 0, 50, 20, NULL, ids, 4, NULL), 1);
    CHECK_INT(geo_index_bbox(ix, 0, 0, 50, 20, NULL, NULL, 4, &total), 0);
    CHECK_INT(total, 1);
    CHECK_INT(geo_index_clusters(ix, 0, 0, 50, 20, -1, NULL, c, 4), 0);
    CHECK_INT(geo_index_clusters(ix, 0, 0, 50, 20, 21, NULL, c, 4), 0);
    CHECK_INT(geo_index_clusters(ix, 0, 0, 50, 20, 5, NULL, c, 0), 0);
    CHECK_INT(geo_index_clusters(ix, 0, 0, 50, 20, 5, NULL, c, 4), 1);
    CHECK_INT(c[0].id, 1);
    CHECK_INT(c[0].count, 1);
    geo_index_free(NULL);
    geo_index_free(ix);
}

/* At a million sites the index stays under 64 bytes a site; here a
 * smaller set checks the same arithmetic without the build time. */
static void test_memory(void)
{
    struct geo_index *ix = geo_index_new();
    struct model m;
    size_t n = 100000;
    double per;

    model_init(&m, n, 1);
    model_fill(&m, 1, n);
    CHECK_INT(model_build(&m, ix), 0);
    per = (double)geo_index_memory(ix) / (double)n;
    printf("geo_index: %.1f bytes per site at %zu sites\n", per, n);
    CHECK(per < 64);
    geo_index_free(ix);
    model_free(&m);
}

/* ---- readers against a writer ------------------------------------------ */

struct conc {
    struct geo_index *ix;
    atomic_int done;
    atomic_size_t queries;
    atomic_int broken;
};

static bool conc_accept(void *ctx, int64_t id)
{
    (void)ctx;
    return id % 2 == 0;
}

static void *conc_reader(void *arg)
{
    struct conc *c = arg;
    struct geo_hit h[20];
    struct geo_cluster cl[256];
    int64_t ids[64];
    uint64_t st = (uint64_t)(uintptr_t)arg * 2654435761u;
    size_t q = 0;

    while (!atomic_load(&c->done) || q < 50) {
        double lat, lon;
        struct geo_filter f = {0, -1, 0, NULL, NULL};
        size_t n, total;

        st = st * 6364136223846793005u + 1442695040888963407u;
        lat = 20 + (double)(st >> 40) / (double)(1 << 24) * 25;
        lon = 100 + (double)((st >> 16) & 0xffffff) / (double)(1 << 24) * 25;
        f.amenities_all = (st >> 8) & 1;
        if (q % 3 == 0)
            f.accept = conc_accept;
        n = geo_index_nearest(c->ix, lat, lon, 20, &f, h);
        for (size_t i = 1; i < n; i++) {
            if (h[i].distance_m < h[i - 1].distance_m)
                atomic_store(&c->broken, 1);
        }
        n = geo_index_bbox(c->ix, lon - 1, lat - 1, lon + 1, lat + 1, &f, ids, 64, &total);
        for (size_t i = 1; i < n; i++) {
            if (ids[i] <= ids[i - 1])
                atomic_store(&c->broken, 1);
        }
        if (n > total)
            atomic_store(&c->broken, 1);
        if (q % 8 == 0)
            geo_index_clusters(c->ix, 73, 18, 135, 54, 4, NULL, cl, 256);
        (void)geo_index_count(c->ix);
        (void)geo_index_memory(c->ix);
        q++;
    }
    atomic_fetch_add(&c->queries, q);
    return NULL;
}

static void test_concurrent_readers(void)
{
    struct conc c;
    struct model m;
    pthread_t th[2];
    size_t n0 = 5000, ops = 1500;

    c.ix = geo_index_new();
    atomic_init(&c.done, 0);
    atomic_init(&c.queries, 0);
    atomic_init(&c.broken, 0);
    model_init(&m, n0 + ops, 1);
    model_fill(&m, 1, n0);
    CHECK_INT(model_build(&m, c.ix), 0);
    for (int i = 0; i < 2; i++)
        CHECK_INT(pthread_create(&th[i], NULL, conc_reader, &c), 0);
    for (size_t op = 0; op < ops; op++) {
        size_t idx = rndn(m.n);
        double lat, lon;

        if (op % 3 == 0) {
            random_place(1, &lat, &lon);
            model_set(&m, m.n, lat, lon);
            CHECK_INT(geo_index_upsert(c.ix, &m.e[m.n]), 0);
            m.n++;
        } else if (op % 3 == 1) {
            random_place(1, &lat, &lon);
            model_set(&m, idx, lat, lon);
            CHECK_INT(geo_index_upsert(c.ix, &m.e[idx]), 0);
        } else {
            CHECK_INT(geo_index_remove(c.ix, m.e[idx].id), m.live[idx] ? 0 : -1);
            m.live[idx] = false;
        }
        if (op == ops / 2) {
            /* A full rebuild while the readers run. */
            CHECK_INT(model_build(&m, c.ix), 0);
        }
        if (op % 500 == 250)
            geo_index_compact(c.ix);
    }
    atomic_store(&c.done, 1);
    for (int i = 0; i < 2; i++)
        pthread_join(th[i], NULL);
    printf("geo_index: %zu reader queries during %zu edits\n", atomic_load(&c.queries), ops);
    CHECK_INT(atomic_load(&c.broken), 0);
    CHECK_INT(geo_index_count(c.ix), model_live(&m));
    for (int i = 0; i < 200; i++)
        check_one_nearest(c.ix, &m);
    for (int i = 0; i < 50; i++)
        check_one_clusters(c.ix, &m);
    geo_index_free(c.ix);
    model_free(&m);
}

int main(void)
{
    cands = malloc(1100000 * sizeof *cands);
    seen_buf = malloc(200000 * sizeof *seen_buf);

    RUN(test_known_answers);
    RUN(test_distance_definition);
    RUN(test_positions_rounded);
    RUN(test_unit_rounding);
    RUN(test_empty_and_invalid);
    RUN(test_differential_uniform);
    RUN(test_differential_cities);
    RUN(test_differential_duplicates);
    RUN(test_differential_small_sets);
    RUN(test_differential_large);
    RUN(test_differential_edits);
    RUN(test_edits_during_folds);
    RUN(test_fold_after_pause);
    RUN(test_cluster_filter_sums);
    RUN(test_split_halves);
    RUN(test_memory);
    RUN(test_concurrent_readers);
    printf("geo_index: differential checks: %zu nearest (%zu accept calls "
           "matched), %zu boxes, %zu cluster sets\n",
           checked_nearest, accept_calls_checked, checked_boxes, checked_clusters);
    free(cands);
    free(seen_buf);
    return test_report("geo_index");
}
