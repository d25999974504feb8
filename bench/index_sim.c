/*
 * index_sim.c - a small driver for valgrind's cache simulation of the
 * spatial index's nearest query (src/geo/index.c), where wall-clock
 * timings on a shared machine decide nothing.
 *
 * It builds the index over N sites of gen_sites.c, then runs Q nearest
 * queries (k = 5, microwave + phone charging, courier points as in
 * index_bench.c) in query_plain() and the same Q with the "open now"
 * predicate of index_bench.c in query_accept(). With "cold" as the third
 * argument it reads a 1 MB buffer between queries, which empties the
 * simulated first-level cache: the D1 misses of a query are then the
 * cache lines it touches, as after the network stack ran between two HTTP
 * requests. Instructions and misses per query come from
 *
 *   cc -std=c11 -D_DEFAULT_SOURCE -O2 -g -Isrc -Ibench bench/index_sim.c \
 *      bench/gen_sites.c src/geo/index.c src/geo/coord.c -lm -lpthread \
 *      -o /tmp/isim
 *   valgrind --tool=callgrind --cache-sim=yes --D1=49152,12,64 \
 *      --LL=33554432,16,64 --collect-atstart=no \
 *      --toggle-collect=query_plain --toggle-collect=query_accept \
 *      --callgrind-out-file=/tmp/cg.out /tmp/isim 1000000 2000 [cold]
 *   callgrind_annotate --inclusive=yes /tmp/cg.out | grep query_
 *
 * divided by Q. Deterministic: the same build gives the same counts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen_sites.h"
#include "geo/index.h"

enum { SEED = 20261129, EVICT_BYTES = 1 << 20 };

static volatile unsigned char *evict_buf;
static size_t accept_calls;

/* Read every line of the eviction buffer (kept out of the counts). */
static void __attribute__((noinline)) evict(void)
{
    unsigned sum = 0;

    for (size_t i = 0; i < EVICT_BYTES; i += 64)
        sum += evict_buf[i];
    evict_buf[0] = (unsigned char)sum;
}

/* About half the ids, as index_bench.c's open_now. */
static bool open_now(void *ctx, int64_t id)
{
    (void)ctx;
    accept_calls++;
    return ((uint64_t)id * 0x9e3779b97f4a7c15u >> 63) == 0;
}

static size_t __attribute__((noinline))
query_plain(struct geo_index *ix, double lat, double lon, const struct geo_filter *f,
            struct geo_hit *hits)
{
    return geo_index_nearest(ix, lat, lon, 5, f, hits);
}

/* Not the same body as query_plain, so the compiler cannot merge them. */
static size_t __attribute__((noinline))
query_accept(struct geo_index *ix, double lat, double lon, const struct geo_filter *f,
             struct geo_hit *hits)
{
    struct geo_filter g = *f;

    g.accept = open_now;
    return geo_index_nearest(ix, lat, lon, 5, &g, hits);
}

/* Run fn on the q points (emptying D1 before each if cold); returns the
 * hits, and folds their ids into *check. */
static size_t run_queries(size_t (*fn)(struct geo_index *, double, double,
                                       const struct geo_filter *, struct geo_hit *),
                          struct geo_index *ix, const double *qlat, const double *qlon, size_t q,
                          const struct geo_filter *f, int cold, uint64_t *check)
{
    struct geo_hit hits[5];
    size_t got = 0;

    for (size_t i = 0; i < q; i++) {
        size_t g;

        if (cold)
            evict();
        g = fn(ix, qlat[i], qlon[i], f, hits);
        got += g;
        for (size_t j = 0; j < g; j++)
            *check = *check * 31 + (uint64_t)hits[j].id;
    }
    return got;
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? (size_t)strtoull(argv[1], NULL, 10) : 180000;
    size_t q = argc > 2 ? (size_t)strtoull(argv[2], NULL, 10) : 2000;
    int cold = argc > 3 && strcmp(argv[3], "cold") == 0;
    struct geo_entry *sites = malloc(n * sizeof *sites);
    double *qlat = malloc(q * sizeof *qlat), *qlon = malloc(q * sizeof *qlon);
    struct geo_index *ix = geo_index_new();
    struct geo_filter f = {1ull << GEN_MICROWAVE | 1ull << GEN_CHARGING, -1, 0, NULL, NULL};
    struct gen_rng r;
    size_t got, got_acc;
    uint64_t check = 0;

    evict_buf = calloc(EVICT_BYTES, 1);
    gen_sites(sites, n, SEED);
    gen_rng_seed(&r, SEED + 1);
    for (size_t i = 0; i < q; i++)
        gen_courier_point(&r, &qlat[i], &qlon[i]);
    if (geo_index_build(ix, sites, n) != 0)
        return 1;
    got = run_queries(query_plain, ix, qlat, qlon, q, &f, cold, &check);
    got_acc = run_queries(query_accept, ix, qlat, qlon, q, &f, cold, &check);
    printf("%zu sites, %zu queries%s: %.2f hits, %.2f with accept (%.2f accept calls); "
           "answers checksum %016llx\n",
           n, q, cold ? " (cold)" : "", (double)got / (double)q, (double)got_acc / (double)q,
           (double)accept_calls / (double)q, (unsigned long long)check);
    geo_index_free(ix);
    free(sites);
    free(qlat);
    free(qlon);
    free((void *)evict_buf);
    return 0;
}
