/*
 * metrics_test.c - unit tests for src/http/metrics.c: counts by route and
 * status, the histogram's cumulative buckets, the sum and count, unmatched
 * paths and other statuses, and counts from more threads than there are
 * shards (threads that share a shard, and the adding up at rendering).
 */
#include <pthread.h>
#include <string.h>

#include "core/strbuf.h"
#include "http/metrics.h"
#include "http/router.h"
#include "test.h"

static int h_any(struct req *r)
{
    (void)r;
    return 200;
}

static const struct route routes[] = {
    {HTTP_GET, "/api/a", h_any, ACCESS_PUBLIC, BODY_NONE, SCOPE_ANY},
    {HTTP_POST, "/api/b/{id}", h_any, ACCESS_PUBLIC, BODY_NONE, SCOPE_ANY},
};

#define NTHREADS 12 /* more than the shards */
#define PER_THREAD 1000

static void *count_some(void *p)
{
    struct metrics *m = p;
    for (int i = 0; i < PER_THREAD; i++) {
        metrics_observe(m, 0, 200, 50); /* 0.00005 s: the first bucket */
        if (i % 2)
            metrics_observe(m, 1, 404, 2000); /* 0.002 s: le 0.0025 */
        if (i % 10 == 0)
            metrics_observe(m, -1, 418, 0); /* unmatched, an "other" status */
    }
    return NULL;
}

static bool has_line(const char *text, const char *line)
{
    size_t n = strlen(line);
    for (const char *p = strstr(text, line); p; p = strstr(p + 1, line))
        if ((p == text || p[-1] == '\n') && p[n] == '\n')
            return true;
    return false;
}

static void test_counts_from_many_threads(void)
{
    struct router *rt = router_new();
    CHECK_INT(router_add(rt, routes, 2), 0);
    struct metrics *m = metrics_new(rt);
    pthread_t t[NTHREADS];
    for (int i = 0; i < NTHREADS; i++)
        CHECK_INT(pthread_create(&t[i], NULL, count_some, m), 0);
    for (int i = 0; i < NTHREADS; i++)
        pthread_join(t[i], NULL);
    struct strbuf out = STRBUF_INIT;
    metrics_render(m, &out);
    const char *s = out.buf;
    CHECK(has_line(
        s, "warmharbor_http_requests_total{route=\"/api/a\",method=\"GET\",status=\"200\"} 12000"));
    CHECK(has_line(s, "warmharbor_http_requests_total{route=\"/api/b/"
                      "{id}\",method=\"POST\",status=\"404\"} 6000"));
    CHECK(has_line(s, "warmharbor_http_requests_total{route=\"unmatched\",method=\"any\",status="
                      "\"other\"} 1200"));
    CHECK(!strstr(s, "status=\"500\""));
    CHECK(has_line(s, "warmharbor_http_request_duration_seconds_bucket{route=\"/api/"
                      "a\",method=\"GET\",le=\"0.0001\"} 12000"));
    CHECK(has_line(s, "warmharbor_http_request_duration_seconds_bucket{route=\"/api/b/"
                      "{id}\",method=\"POST\",le=\"0.001\"} 0"));
    CHECK(has_line(s, "warmharbor_http_request_duration_seconds_bucket{route=\"/api/b/"
                      "{id}\",method=\"POST\",le=\"0.0025\"} 6000"));
    CHECK(has_line(s, "warmharbor_http_request_duration_seconds_bucket{route=\"/api/b/"
                      "{id}\",method=\"POST\",le=\"+Inf\"} 6000"));
    CHECK(has_line(s, "warmharbor_http_request_duration_seconds_sum{route=\"/api/b/"
                      "{id}\",method=\"POST\"} 12.000000"));
    CHECK(has_line(
        s,
        "warmharbor_http_request_duration_seconds_count{route=\"/api/a\",method=\"GET\"} 12000"));
    CHECK(has_line(
        s,
        "warmharbor_http_request_duration_seconds_sum{route=\"/api/a\",method=\"GET\"} 0.600000"));
    strbuf_release(&out);
    metrics_free(m);
    router_free(rt);
}

/* Nothing counted: the headers only, no series. */
static void test_empty(void)
{
    struct router *rt = router_new();
    CHECK_INT(router_add(rt, routes, 2), 0);
    struct metrics *m = metrics_new(rt);
    struct strbuf out = STRBUF_INIT;
    metrics_render(m, &out);
    CHECK(strstr(out.buf, "# TYPE warmharbor_http_requests_total counter\n") != NULL);
    CHECK(strstr(out.buf, "route=") == NULL);
    strbuf_release(&out);
    metrics_free(m);
    router_free(rt);
}

int main(void)
{
    RUN(test_counts_from_many_threads);
    RUN(test_empty);
    return test_report("metrics");
}
