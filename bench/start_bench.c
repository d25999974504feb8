/*
 * start_bench.c - the site cache's start on its own: open a database,
 * load the cache (site + live rows, static JSON, spatial index), and print
 * the time, the resident memory (VmRSS, as bench/rss.sh reads it) and the
 * bytes per site. With --dump it then renders every site (a box over the
 * whole world, all fields, a fixed moment) and prints the answer's length
 * and FNV-1a hash: two builds loading the same database must print the
 * same line (answers byte-identical). Made for callgrind, where the rest
 * of `serve` (HTTP, other modules) would only blur the count:
 *
 *   make && cc -std=c11 -D_DEFAULT_SOURCE -O2 -g -Isrc bench/start_bench.c \
 *      build/default/libwarmharbor.a -lmicrohttpd -ljansson -lsqlite3 -lpq \
 *      -lsodium -lvips -lgobject-2.0 -lglib-2.0 -lxxhash -loath -lm -lpthread \
 *      -o /tmp/sb
 *   valgrind --tool=callgrind /tmp/sb DB.db
 *   /tmp/sb DB.db --dump
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/strbuf.h"
#include "site/site.h"
#include "site/site_cache.h"
#include "store/store.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long rss_kib(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kib = -1;
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "VmRSS:", 6) == 0)
            kib = strtol(line + 6, NULL, 10);
    if (f)
        fclose(f);
    return kib;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s DB [--dump]\n", argv[0]);
        return 2;
    }
    char err[256];
    struct store *st = store_open(argv[1], err, sizeof err);
    if (!st) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    struct store_conn *c = store_acquire(st);
    long before = rss_kib();
    double t0 = now_s();
    struct site_cache *sc = site_cache_new(480);
    if (site_cache_load(sc, c)) {
        fprintf(stderr, "load failed\n");
        return 1;
    }
    double t1 = now_s();
    long after = rss_kib();
    size_t n = site_cache_count(sc);
    printf("sites %zu, load %.3f s, RSS %ld KiB (cache %ld KiB, %.0f bytes a site)\n", n, t1 - t0,
           after, after - before, n ? (double)(after - before) * 1024 / (double)n : 0.0);
    if (argc > 2 && strcmp(argv[2], "--dump") == 0) {
        static const double world[4] = {-180, -90, 180, 90}; /* lon, lat, lon, lat */
        struct site_filter f = {0};
        f.at = 1796000000; /* a fixed moment: open/next_change repeat */
        struct site_render rd = {GEO_GCJ02, 480, 900, 1796000000, 0};
        struct strbuf out = STRBUF_INIT;
        site_cache_bbox(sc, world, &f, n + 1, 0, &rd, &out);
        uint64_t h = 1469598103934665603ull;
        for (size_t i = 0; i < out.len; i++)
            h = (h ^ (unsigned char)out.buf[i]) * 1099511628211ull;
        printf("dump %zu bytes, fnv1a %016" PRIx64 "\n", out.len, h);
        strbuf_release(&out);
    }
    site_cache_free(sc);
    store_release(c);
    store_close(st);
    return 0;
}
