/*
 * index_bench.c - timings of the spatial index (src/geo/index.c) on
 * networks spread like China's cities (gen_sites.c).
 *
 * For 180,000 and 1,000,000 sites (or the sizes given as arguments) it
 * prints: build time, bytes per site, nearest (k=5 with an amenity filter;
 * again with an accept predicate refusing about half the sites), a city
 * box, clusters for all of China at zoom 4 and for a city at zoom 12, the
 * same nearest by brute force for scale, and the cost of edits (the
 * writer's wait; folds into a new tree run on the index's own thread). Each query
 * is timed on its own with CLOCK_MONOTONIC (about 20 ns of that is the
 * clock itself); medians and 99th percentiles are over all queries.
 * Query points are drawn where couriers are (gen_courier_point).
 *
 *   cc -std=c11 -D_DEFAULT_SOURCE -O2 -Isrc -Ibench bench/index_bench.c \
 *      bench/gen_sites.c src/geo/index.c src/geo/coord.c -lm -lpthread \
 *      -o /tmp/ib && /tmp/ib
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gen_sites.h"
#include "geo/index.h"

enum { QUERIES = 200000, BRUTE_QUERIES = 300, SEED = 20261129 };

static double now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int dbl_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

/* Sort t[0..n) and report its median and 99th percentile. */
static void quantiles(double *t, size_t n, double *median, double *p99)
{
    qsort(t, n, sizeof *t, dbl_cmp);
    *median = t[n / 2];
    *p99 = t[(size_t)((double)n * 0.99)];
}

/* "Open now": a cheap stand-in refusing about half the sites. */
static size_t accept_calls;

static bool open_now(void *ctx, int64_t id)
{
    (void)ctx;
    accept_calls++;
    return ((uint64_t)id * 0x9e3779b97f4a7c15u >> 63) == 0;
}

/* "Open now" at night, when most sites are closed: accepts about one in
 * five. */
static bool open_at_night(void *ctx, int64_t id)
{
    (void)ctx;
    accept_calls++;
    return ((uint64_t)id * 0x9e3779b97f4a7c15u >> 32) % 5 == 0;
}

/* The brute-force reference: every site, the index's own distance
 * definition (integer unit vectors), top 5 by insertion. */
struct brute {
    int32_t (*v)[3];
    uint64_t *amen;
    int64_t *id;
    size_t n;
};

static size_t brute_nearest(const struct brute *b, double lat, double lon,
                            uint64_t want, struct geo_hit *out)
{
    uint64_t best_d[5];
    int64_t best_id[5];
    size_t got = 0;
    int32_t q[3];

    geo_index_unit(lat, lon, q);
    for (size_t i = 0; i < b->n; i++) {
        int64_t dx, dy, dz;
        uint64_t d2;
        size_t j;

        if ((b->amen[i] & want) != want)
            continue;
        dx = (int64_t)b->v[i][0] - q[0];
        dy = (int64_t)b->v[i][1] - q[1];
        dz = (int64_t)b->v[i][2] - q[2];
        d2 = (uint64_t)(dx * dx) + (uint64_t)(dy * dy) + (uint64_t)(dz * dz);
        if (got == 5 &&
            (d2 > best_d[4] || (d2 == best_d[4] && b->id[i] > best_id[4])))
            continue;
        j = got < 5 ? got++ : 4;
        while (j > 0 && (best_d[j - 1] > d2 ||
                         (best_d[j - 1] == d2 && best_id[j - 1] > b->id[i]))) {
            best_d[j] = best_d[j - 1];
            best_id[j] = best_id[j - 1];
            j--;
        }
        best_d[j] = d2;
        best_id[j] = b->id[i];
    }
    for (size_t j = 0; j < got; j++) {
        out[j].id = best_id[j];
        out[j].distance_m = geo_index_chord2_m(best_d[j]);
    }
    return got;
}

/* Time geo_index_nearest (k = 5, filter f) at each query point into t;
 * the median and 99th percentile into *med and *p99. Returns the hits. */
static size_t time_nearest(struct geo_index *ix, const double *qlat, const double *qlon,
                           const struct geo_filter *f, double *t, double *med, double *p99)
{
    struct geo_hit hits[5];
    size_t got_total = 0;

    for (size_t i = 0; i < QUERIES; i++) {
        double t0 = now_us();

        got_total += geo_index_nearest(ix, qlat[i], qlon[i], 5, f, hits);
        t[i] = now_us() - t0;
    }
    quantiles(t, QUERIES, med, p99);
    return got_total;
}

static void run(size_t n)
{
    struct geo_entry *sites = malloc(n * sizeof *sites);
    struct geo_index *ix = geo_index_new();
    double *qlat = malloc(QUERIES * sizeof *qlat);
    double *qlon = malloc(QUERIES * sizeof *qlon);
    double *t = malloc(QUERIES * sizeof *t);
    int64_t *ids = malloc(1000 * sizeof *ids);
    struct geo_cluster *cl = malloc(20000 * sizeof *cl);
    struct geo_hit hits[5], ref[5];
    struct geo_filter f = {0, -1, 0, NULL, NULL};
    struct gen_rng r;
    struct brute b;
    double t0, build_s, med, p99, sum;
    size_t got_total = 0, nclusters = 0, mismatches = 0;

    gen_sites(sites, n, SEED);
    gen_rng_seed(&r, SEED + 1);
    for (size_t i = 0; i < QUERIES; i++)
        gen_courier_point(&r, &qlat[i], &qlon[i]);
    printf("\n== %zu sites (%zu city centres) ==\n", n, gen_city_count);

    /* Build: the best of three (the first also warms the allocator). */
    build_s = 1e9;
    for (int rep = 0; rep < 3; rep++) {
        t0 = now_us();
        if (geo_index_build(ix, sites, n) != 0) {
            fprintf(stderr, "build failed\n");
            exit(1);
        }
        if ((now_us() - t0) / 1e6 < build_s)
            build_s = (now_us() - t0) / 1e6;
    }
    printf("build                      %8.3f s (best of 3)\n", build_s);
    printf("memory                     %8.1f bytes/site (%.1f MB)\n",
           (double)geo_index_memory(ix) / (double)n,
           (double)geo_index_memory(ix) / 1e6);

    /* Nearest, k=5, microwave and phone charging. */
    f.amenities_all = 1ull << GEN_MICROWAVE | 1ull << GEN_CHARGING;
    got_total = time_nearest(ix, qlat, qlon, &f, t, &med, &p99);
    printf("nearest k=5 amenity        median %6.2f us  p99 %6.2f us  "
           "(%zu queries, %.2f hits each)\n",
           med, p99, (size_t)QUERIES, (double)got_total / QUERIES);

    /* The same plus "open now": refusing about half, then four in five
     * as at night. */
    static const struct {
        bool (*accept)(void *, int64_t);
        const char *label;
    } preds[] = {{open_now, "amenity+accept"}, {open_at_night, "amen+accept 1/5"}};
    for (size_t p = 0; p < sizeof preds / sizeof preds[0]; p++) {
        f.accept = preds[p].accept;
        accept_calls = 0;
        time_nearest(ix, qlat, qlon, &f, t, &med, &p99);
        printf("nearest k=5 %-14s median %6.2f us  p99 %6.2f us  "
               "(%.2f accept calls per query)\n",
               preds[p].label, med, p99, (double)accept_calls / QUERIES);
    }
    f.accept = NULL;

    /* A city box of about 10 x 9 km, first 1000 ids. */
    got_total = 0;
    for (size_t i = 0; i < QUERIES / 4; i++) {
        size_t total;

        t0 = now_us();
        geo_index_bbox(ix, qlon[i] - 0.05, qlat[i] - 0.04, qlon[i] + 0.05,
                       qlat[i] + 0.04, &f, ids, 1000, &total);
        t[i] = now_us() - t0;
        got_total += total;
    }
    quantiles(t, QUERIES / 4, &med, &p99);
    printf("bbox 0.10 x 0.08 deg       median %6.2f us  p99 %6.2f us  "
           "(amenity filter, %.1f matches each)\n",
           med, p99, (double)got_total / (QUERIES / 4));

    /* All of China at zoom 4, without and with a filter. */
    for (int filtered = 0; filtered < 2; filtered++) {
        struct geo_filter *pf = filtered ? &f : NULL;
        size_t reps = 30;

        for (size_t i = 0; i < reps; i++) {
            t0 = now_us();
            nclusters = geo_index_clusters(ix, 73.0, 18.0, 135.0, 54.0, 4, pf,
                                           cl, 20000);
            t[i] = now_us() - t0;
        }
        quantiles(t, reps, &med, &p99);
        sum = 0;
        for (size_t i = 0; i < nclusters; i++)
            sum += cl[i].count;
        printf("clusters China zoom 4 %s median %8.1f us  (%zu clusters, "
               "%.0f sites)\n",
               filtered ? "amen" : "all ", med, nclusters, sum);
    }

    /* A 1280 x 800 pixel viewport at zoom 12 around a courier point. */
    for (int filtered = 0; filtered < 2; filtered++) {
        struct geo_filter *pf = filtered ? &f : NULL;
        size_t reps = 2000;
        double w = 1280.0 / (256 << 12) * 360, h;

        got_total = 0;
        for (size_t i = 0; i < reps; i++) {
            h = w * 800 / 1280 * cos(qlat[i] * 3.14159265358979 / 180);
            t0 = now_us();
            got_total += geo_index_clusters(ix, qlon[i] - w / 2,
                                            qlat[i] - h / 2, qlon[i] + w / 2,
                                            qlat[i] + h / 2, 12, pf, cl, 20000);
            t[i] = now_us() - t0;
        }
        quantiles(t, reps, &med, &p99);
        printf("clusters city zoom 12 %s median %8.1f us  p99 %8.1f us  "
               "(%.1f clusters each)\n",
               filtered ? "amen" : "all ", med, p99,
               (double)got_total / (double)reps);
    }

    /* Brute force for scale, and a check that it agrees. */
    b.n = n;
    b.v = malloc(n * sizeof *b.v);
    b.amen = malloc(n * sizeof *b.amen);
    b.id = malloc(n * sizeof *b.id);
    for (size_t i = 0; i < n; i++) {
        geo_index_unit(sites[i].lat, sites[i].lon, b.v[i]);
        b.amen[i] = sites[i].amenities;
        b.id[i] = sites[i].id;
    }
    for (size_t i = 0; i < BRUTE_QUERIES; i++) {
        size_t ng, nr;

        t0 = now_us();
        nr = brute_nearest(&b, qlat[i], qlon[i], f.amenities_all, ref);
        t[i] = now_us() - t0;
        ng = geo_index_nearest(ix, qlat[i], qlon[i], 5, &f, hits);
        if (ng != nr || memcmp(hits, ref, ng * sizeof *hits) != 0)
            mismatches++;
    }
    quantiles(t, BRUTE_QUERIES, &med, &p99);
    printf("brute force k=5 amenity    median %8.1f us  (%d queries; "
           "answers differing from the index: %zu)\n",
           med, BRUTE_QUERIES, mismatches);

    /* Edits: moves of random sites, including the rebuilds they cause. */
    {
        size_t edits = 2000;
        double worst = 0;

        t0 = now_us();
        for (size_t i = 0; i < edits; i++) {
            struct geo_entry e = sites[gen_rng_next(&r) % n];
            double t1 = now_us();

            e.lat += 0.001;
            geo_index_upsert(ix, &e);
            if (now_us() - t1 > worst)
                worst = now_us() - t1;
        }
        printf("upsert (move)              mean %8.1f us  worst %8.1f ms  "
               "(%zu edits; a fold due every %d, built off the writer's path)\n",
               (now_us() - t0) / (double)edits, worst / 1e3, edits,
               GEO_INDEX_PENDING_MAX);
        /* Nearest with a full pending list. */
        time_nearest(ix, qlat, qlon, &f, t, &med, &p99);
        printf("nearest after edits        median %6.2f us  p99 %6.2f us  "
               "(right after the edits, while folds may run)\n",
               med, p99);
    }

    free(b.v);
    free(b.amen);
    free(b.id);
    free(cl);
    free(ids);
    free(t);
    free(qlat);
    free(qlon);
    free(sites);
    geo_index_free(ix);
}

int main(int argc, char **argv)
{
    if (argc > 1) {
        for (int i = 1; i < argc; i++)
            run((size_t)strtoull(argv[i], NULL, 10));
    } else {
        run(180000);
        run(1000000);
    }
    return 0;
}
