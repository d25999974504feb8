/*
 * metrics.c - the counters declared in metrics.h.
 *
 * Series: warmharbor_http_requests_total{route,method,status} and
 * warmharbor_http_request_duration_seconds{route,method} (histogram).
 * Unmatched paths count under route="unmatched".
 *
 * Every worker thread counts the same hot route, so one set of counters
 * would have the threads take its cache lines from each other on every
 * request. The counters are kept in METRICS_SHARDS copies instead: a
 * thread takes a shard the first time it counts (in turn), and rendering
 * adds the shards up. Updates stay relaxed atomics, so threads beyond
 * the number of shards that share one are still counted right.
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "http/metrics.h"
#include "http/router.h"

static const int metric_statuses[] = {200, 201, 204, 304, 400, 401, 403, 404,
                                      405, 409, 413, 415, 422, 429, 500, 503};
#define NSTATUS (sizeof metric_statuses / sizeof metric_statuses[0])
#define NSLOT (NSTATUS + 1) /* last: other */

static const double metric_buckets[] = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                        0.01,   0.025,   0.05,   0.1,   0.5,    1.0};
#define NBUCKET (sizeof metric_buckets / sizeof metric_buckets[0])

/* One route's counters in one shard, on cache lines of their own. */
struct route_metrics {
    _Alignas(64) _Atomic uint64_t by_status[NSLOT];
    _Atomic uint64_t buckets[NBUCKET]; /* non-cumulative */
    _Atomic uint64_t count;
    _Atomic uint64_t sum_us;
};

#define METRICS_SHARDS 8

struct metrics {
    const struct router *rt;
    size_t nroutes;
    /* METRICS_SHARDS runs of nroutes + 1 (unmatched last) */
    struct route_metrics *routes;
    size_t stride; /* nroutes + 1: from one shard's run to the next */
};

/* The calling thread's shard, taken in turn at its first count. */
static size_t shard_of_thread(void)
{
    static _Atomic unsigned next;
    static _Thread_local unsigned shard_plus_one;
    if (!shard_plus_one)
        shard_plus_one =
            atomic_fetch_add_explicit(&next, 1, memory_order_relaxed) % METRICS_SHARDS + 1;
    return shard_plus_one - 1;
}

struct metrics *metrics_new(const struct router *rt)
{
    struct metrics *m = calloc(1, sizeof(*m));
    if (!m)
        die_oom();
    m->rt = rt;
    m->nroutes = router_count(rt);
    m->stride = m->nroutes + 1;
    size_t bytes = m->stride * METRICS_SHARDS * sizeof(*m->routes); /* a multiple of 64 */
    m->routes = aligned_alloc(_Alignof(struct route_metrics), bytes);
    if (!m->routes)
        die_oom();
    memset(m->routes, 0, bytes);
    return m;
}

void metrics_free(struct metrics *m)
{
    if (!m)
        return;
    free(m->routes);
    free(m);
}

void metrics_observe(struct metrics *m, int route_index, int status, int64_t micros)
{
    size_t i =
        route_index < 0 || (size_t)route_index >= m->nroutes ? m->nroutes : (size_t)route_index;
    struct route_metrics *r = &m->routes[shard_of_thread() * m->stride + i];
    size_t slot = NSTATUS;
    for (size_t s = 0; s < NSTATUS; s++)
        if (metric_statuses[s] == status)
            slot = s;
    atomic_fetch_add_explicit(&r->by_status[slot], 1, memory_order_relaxed);
    double secs = (double)micros / 1e6;
    for (size_t b = 0; b < NBUCKET; b++) {
        if (secs <= metric_buckets[b]) {
            atomic_fetch_add_explicit(&r->buckets[b], 1, memory_order_relaxed);
            break;
        }
    }
    atomic_fetch_add_explicit(&r->count, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&r->sum_us, (uint64_t)(micros < 0 ? 0 : micros),
                              memory_order_relaxed);
}

/* Route i's counters, added up over the shards. */
struct route_totals {
    uint64_t by_status[NSLOT];
    uint64_t buckets[NBUCKET];
    uint64_t count;
    uint64_t sum_us;
};

static void route_totals(const struct metrics *m, size_t i, struct route_totals *t)
{
    memset(t, 0, sizeof(*t));
    for (size_t sh = 0; sh < METRICS_SHARDS; sh++) {
        const struct route_metrics *r = &m->routes[sh * m->stride + i];
        for (size_t s = 0; s < NSLOT; s++)
            t->by_status[s] += atomic_load_explicit(&r->by_status[s], memory_order_relaxed);
        for (size_t b = 0; b < NBUCKET; b++)
            t->buckets[b] += atomic_load_explicit(&r->buckets[b], memory_order_relaxed);
        t->count += atomic_load_explicit(&r->count, memory_order_relaxed);
        t->sum_us += atomic_load_explicit(&r->sum_us, memory_order_relaxed);
    }
}

static void route_labels(const struct metrics *m, size_t i, const char **route, const char **method)
{
    if (i == m->nroutes) {
        *route = "unmatched";
        *method = "any";
        return;
    }
    const struct route *r = router_at(m->rt, i);
    *route = r->pattern;
    *method = router_method_name(r->method);
}

void metrics_render(const struct metrics *m, struct strbuf *out)
{
    strbuf_adds(out, "# HELP warmharbor_http_requests_total Requests answered, "
                     "by route and status.\n"
                     "# TYPE warmharbor_http_requests_total counter\n");
    for (size_t i = 0; i <= m->nroutes; i++) {
        const char *route, *method;
        route_labels(m, i, &route, &method);
        struct route_totals t;
        route_totals(m, i, &t);
        for (size_t s = 0; s < NSLOT; s++) {
            uint64_t v = t.by_status[s];
            if (!v)
                continue;
            if (s < NSTATUS)
                strbuf_addf(out,
                            "warmharbor_http_requests_total{route=\"%s\","
                            "method=\"%s\",status=\"%d\"} %llu\n",
                            route, method, metric_statuses[s], (unsigned long long)v);
            else
                strbuf_addf(out,
                            "warmharbor_http_requests_total{route=\"%s\","
                            "method=\"%s\",status=\"other\"} %llu\n",
                            route, method, (unsigned long long)v);
        }
    }
    strbuf_adds(out, "# HELP warmharbor_http_request_duration_seconds Time "
                     "from request to answer.\n"
                     "# TYPE warmharbor_http_request_duration_seconds "
                     "histogram\n");
    for (size_t i = 0; i <= m->nroutes; i++) {
        struct route_totals t;
        route_totals(m, i, &t);
        uint64_t count = t.count;
        if (!count)
            continue;
        const char *route, *method;
        route_labels(m, i, &route, &method);
        uint64_t cum = 0;
        for (size_t b = 0; b < NBUCKET; b++) {
            cum += t.buckets[b];
            strbuf_addf(out,
                        "warmharbor_http_request_duration_seconds_bucket{"
                        "route=\"%s\",method=\"%s\",le=\"%g\"} %llu\n",
                        route, method, metric_buckets[b], (unsigned long long)cum);
        }
        strbuf_addf(out,
                    "warmharbor_http_request_duration_seconds_bucket{route="
                    "\"%s\",method=\"%s\",le=\"+Inf\"} %llu\n"
                    "warmharbor_http_request_duration_seconds_sum{route=\"%s\","
                    "method=\"%s\"} %.6f\n"
                    "warmharbor_http_request_duration_seconds_count{route="
                    "\"%s\",method=\"%s\"} %llu\n",
                    route, method, (unsigned long long)count, route, method, (double)t.sum_us / 1e6,
                    route, method, (unsigned long long)count);
    }
}
