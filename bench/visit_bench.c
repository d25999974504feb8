/*
 * visit_bench.c - how long visit statistics take to read: a district's
 * year, day by day, must answer in under 50 ms (issue 10).
 *
 * It builds a district like Haizhou (14 streets of 3 communities, 250
 * stations) in a fresh store, fills a year of hourly counters for every
 * station (about 2.2 million site-hours, made in one statement like the
 * demo's week) and rebuilds the regions' counters from them, then times
 * the reads a region admin's chart makes through the module's own store
 * call (visit_stats):
 *
 *   district, a year by day          the roll-up the issue asks for
 *   street, a year by day
 *   district, 31 days by hour        the longest window by hour
 *   station, a year by day
 *   check-in                         one counted visit: the guard's upsert,
 *                                    the check-in row, the counters' upsert
 *
 * Each read is timed on its own with CLOCK_MONOTONIC; medians, 99th
 * percentiles and the worst are printed, and the exit status is 1 when a
 * district year's 99th percentile is 50 ms or more.
 *
 *   make
 *   cc -std=c11 -D_DEFAULT_SOURCE -D_GNU_SOURCE -O2 -Isrc bench/visit_bench.c \
 *      build/default/libwarmharbor.a \
 *      $(pkg-config --libs libmicrohttpd jansson sqlite3 libpq libsodium) -lm
 * -lpthread \ -o /tmp/vb && /tmp/vb [STORE-URL]
 *
 * STORE-URL defaults to a new SQLite file in /tmp; a postgres:// URL names
 * an empty database to fill (it is not cleaned up). Building the year takes
 * a while (tens of seconds on SQLite); it is not part of make test.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "account/account.h"
#include "catalog/catalog.h"
#include "core/clock.h"
#include "region/region.h"
#include "site/site.h"
#include "store/store.h"
#include "visit/visit.h"

enum {
    STREETS = 14,
    COMMUNITIES = 3,
    SITES = 250,
    RUNS = 200,
    CHECKINS = 2000
};
#define TZ 480
#define LIMIT_MS 50.0

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int dbl_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void report(const char *what, double *t, size_t n)
{
    qsort(t, n, sizeof *t, dbl_cmp);
    printf("%-34s median %8.3f ms  p99 %8.3f ms  max %8.3f ms  (%zu runs)\n",
           what, t[n / 2], t[(size_t)((double)n * 0.99)], t[n - 1], n);
}

static void die(const char *what, int rc)
{
    fprintf(stderr, "visit_bench: %s failed (store result %d)\n", what, rc);
    exit(2);
}

/* The district, its streets and communities, and the stations in them. */
static int build_network(struct store_conn *c, struct arena *a, int64_t now,
                         struct region *district, struct region *street0,
                         int64_t *site0)
{
    struct site_type t = {0, "community_station", "社区暖新驿站",
                          "Community station", 2};
    int rc = site_type_insert(c, a, &t, now);
    struct region d = {.code = "BENCH",
                       .level = "district",
                       .name_zh = "基准区",
                       .name_en = ""};
    if (!rc)
        rc = region_insert(c, a, &d, NULL, now);
    struct region comms[STREETS * COMMUNITIES];
    for (int s = 0; !rc && s < STREETS; s++) {
        struct region st = {.code = arena_printf(a, "BENCH-%02d", s),
                            .level = "street",
                            .name_zh = arena_printf(a, "街道%d", s),
                            .name_en = ""};
        rc = region_insert(c, a, &st, &d, now);
        if (s == 0)
            *street0 = st;
        for (int k = 0; !rc && k < COMMUNITIES; k++) {
            struct region *cm = &comms[s * COMMUNITIES + k];
            *cm =
                (struct region){.code = arena_printf(a, "BENCH-%02d-%d", s, k),
                                .level = "community",
                                .name_zh = arena_printf(a, "社区%d-%d", s, k),
                                .name_en = ""};
            rc = region_insert(c, a, cm, &st, now);
        }
    }
    for (int i = 0; !rc && i < SITES; i++) {
        struct site s;
        struct site_fault f;
        site_defaults(&s);
        s.name_zh = arena_printf(a, "驿站%d", i);
        s.type_code = "community_station";
        s.region_code = comms[i % (STREETS * COMMUNITIES)].code;
        s.lat = 34.5 + (i % 50) * 0.002;
        s.lon = 119.1 + (i / 50) * 0.002;
        s.is_demo = true; /* visit_demo_fill fills demo sites */
        rc = site_insert(c, a, &s, now, &f);
        if (i == 0)
            *site0 = s.id;
    }
    *district = d;
    return rc;
}

struct fill {
    int64_t first, hours, rows;
};

static int fill_tx(struct store_conn *c, void *v)
{
    struct fill *f = v;
    int rc = visit_demo_fill(c, f->first, f->hours, &f->rows);
    return rc ? rc : visit_recount(c);
}

struct net {
    struct arena *a;
    struct region district, street;
    int64_t site0;
    int64_t now;
};

static int net_tx(struct store_conn *c, void *v)
{
    struct net *n = v;
    return build_network(c, n->a, n->now, &n->district, &n->street, &n->site0);
}

/* One counted check-in, as POST /api/visits makes it. */
struct checkin {
    struct arena *a;
    int64_t user, site, at;
    const char *path;
};

static int checkin_tx(struct store_conn *c, void *v)
{
    struct checkin *k = v;
    bool counted;
    int rc = visit_claim(c, k->user, k->site, k->at, &counted);
    if (rc || !counted)
        return rc;
    struct visit vis = {
        .user_id = k->user, .site_id = k->site, .at = k->at, .via = "poster"};
    rc = visit_insert(c, k->a, &vis);
    int64_t ids[VISIT_REGION_DEPTH];
    size_t n = visit_path_ids(k->path, ids, VISIT_REGION_DEPTH);
    return rc ? rc
              : visit_count_add(c, k->site, visit_hour_start(k->at, TZ),
                                VISIT_VIA_POSTER, 1, ids, n);
}

/* Time RUNS reads of a window at a site or region. */
static void time_stats(struct store_conn *c, const char *what, bool region,
                       int64_t id, const char *from, const char *to,
                       const char *by, int64_t now, double *worst_p99)
{
    struct visit_window w;
    const char *field, *why;
    if (visit_window_parse(from, to, by, now, TZ, &w, &field, &why)) {
        fprintf(stderr, "visit_bench: window %s: %s\n", field, why);
        exit(2);
    }
    double t[RUNS];
    int64_t total = 0;
    for (int i = 0; i < RUNS; i++) {
        struct arena a;
        arena_init(&a);
        struct visit_counts *b = arena_calloc(&a, w.nbuckets, sizeof(*b)), sum;
        double t0 = now_ms();
        int rc = visit_stats(c, &a, region, id, &w, b, &sum);
        t[i] = now_ms() - t0;
        if (rc)
            die("visit_stats", rc);
        total = sum.n[0] + sum.n[1] + sum.n[2] + sum.n[3];
        arena_release(&a);
    }
    report(what, t, RUNS);
    printf("%-34s %zu buckets, %lld visits\n", "", w.nbuckets,
           (long long)total);
    if (worst_p99)
        *worst_p99 = t[(size_t)(RUNS * 0.99)];
}

int main(int argc, char **argv)
{
    char path[64], err[256];
    const char *url = argc > 1 ? argv[1] : NULL;
    if (!url) {
        snprintf(path, sizeof path, "/tmp/visit_bench_%d.db", (int)getpid());
        url = path;
    }
    struct store *st = store_open(url, err, sizeof err);
    if (!st) {
        fprintf(stderr, "visit_bench: %s\n", err);
        return 2;
    }
    int rc = store_migrate(st);
    if (rc)
        die("migrate", rc);
    struct store_conn *c = store_acquire(st);
    struct arena a;
    arena_init(&a);
    int64_t now = clock_now();
    struct net net = {&a, {0}, {0}, 0, now};
    double t0 = now_ms();
    if ((rc = store_tx(c, net_tx, &net)))
        die("building the district", rc);
    /* A year of hours up to the start of today. */
    int64_t today = visit_day_start(now, TZ);
    struct fill f = {today - 366 * 86400, 366 * 24, 0};
    if ((rc = store_tx(c, fill_tx, &f)))
        die("filling a year", rc);
    printf("store %s: %d sites, %lld site-hours and their regions' in %.1f s\n",
           store_dialect(st), SITES, (long long)f.rows, (now_ms() - t0) / 1e3);

    char from[16], to[16], from31[16];
    int y, m, d;
    clock_civil_from_days((today - 365 * 86400 + TZ * 60) / 86400, &y, &m, &d);
    snprintf(from, sizeof from, "%04d-%02d-%02d", y, m, d);
    clock_civil_from_days((today - 86400 + TZ * 60) / 86400, &y, &m, &d);
    snprintf(to, sizeof to, "%04d-%02d-%02d", y, m, d);
    clock_civil_from_days((today - 31 * 86400 + TZ * 60) / 86400, &y, &m, &d);
    snprintf(from31, sizeof from31, "%04d-%02d-%02d", y, m, d);

    double district_p99 = 0;
    time_stats(c, "district, a year by day", true, net.district.id, from, to,
               "day", now, &district_p99);
    time_stats(c, "street, a year by day", true, net.street.id, from, to, "day",
               now, NULL);
    time_stats(c, "district, 31 days by hour", true, net.district.id, from31,
               to, "hour", now, NULL);
    time_stats(c, "station, a year by day", false, net.site0, from, to, "day",
               now, NULL);

    /* Check-ins, one person each, as POST /api/visits counts them. */
    struct visit_site vs;
    if ((rc = visit_site_get(c, &a, net.site0, &vs)))
        die("visit_site_get", rc);
    double tc[CHECKINS];
    for (int i = 0; i < CHECKINS; i++) {
        struct arena ca;
        arena_init(&ca);
        struct user u = {.phone = arena_printf(&ca, "139%08d", i)};
        if ((rc = user_insert(c, &ca, &u, NULL, now)))
            die("user_insert", rc);
        struct checkin k = {&ca, u.id, net.site0, now, vs.region_path};
        double t1 = now_ms();
        if ((rc = store_tx(c, checkin_tx, &k)))
            die("check-in", rc);
        tc[i] = now_ms() - t1;
        arena_release(&ca);
    }
    report("check-in (guard, row, counters)", tc, CHECKINS);
    arena_release(&a);
    store_release(c);
    store_close(st);
    if (!argv[1])
        unlink(path);
    printf("%s: a district's year by day, p99 %.3f ms (limit %.0f ms)\n",
           district_p99 < LIMIT_MS ? "ok" : "TOO SLOW", district_p99, LIMIT_MS);
    return district_p99 < LIMIT_MS ? 0 : 1;
}
