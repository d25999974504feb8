/*
 * metrics.c - the counters declared in metrics.h.
 *
 * Series: warmharbor_http_requests_total{route,method,status} and
 * warmharbor_http_request_duration_seconds{route,method} (histogram).
 * Unmatched paths count under route="unmatched".
 */
#include <stdatomic.h>
#include <stdlib.h>

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

struct route_metrics {
    _Atomic uint64_t by_status[NSLOT];
    _Atomic uint64_t buckets[NBUCKET]; /* non-cumulative */
    _Atomic uint64_t count;
    _Atomic uint64_t sum_us;
};

struct metrics {
    const struct router *rt;
    size_t nroutes;
    struct route_metrics *routes; /* nroutes + 1 (unmatched last) */
};

struct metrics *metrics_new(const struct router *rt)
{
    struct metrics *m = calloc(1, sizeof(*m));
    if (!m)
        die_oom();
    m->rt = rt;
    m->nroutes = router_count(rt);
    m->routes = calloc(m->nroutes + 1, sizeof(*m->routes));
    if (!m->routes)
        die_oom();
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
    struct route_metrics *r = &m->routes[i];
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
        for (size_t s = 0; s < NSLOT; s++) {
            uint64_t v = atomic_load_explicit(&m->routes[i].by_status[s], memory_order_relaxed);
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
        const struct route_metrics *r = &m->routes[i];
        uint64_t count = atomic_load_explicit(&r->count, memory_order_relaxed);
        if (!count)
            continue;
        const char *route, *method;
        route_labels(m, i, &route, &method);
        uint64_t cum = 0;
        for (size_t b = 0; b < NBUCKET; b++) {
            cum += atomic_load_explicit(&r->buckets[b], memory_order_relaxed);
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
                    route, method, (unsigned long long)count, route, method,
                    (double)atomic_load_explicit(&r->sum_us, memory_order_relaxed) / 1e6, route,
                    method, (unsigned long long)count);
    }
}
