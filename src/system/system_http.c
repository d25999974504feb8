/*
 * system_http.c - the service's own routes: GET /healthz (the store
 * answers) and GET /metrics (Prometheus text format).
 */
#include "app/app.h"
#include "core/clock.h"
#include "core/strbuf.h"
#include "http/json_in.h"
#include "http/metrics.h"
#include "store/store.h"

static int healthz(struct req *r)
{
    struct store_conn *c = req_store(r);
    if (!c || store_ping(c) != STORE_OK)
        return reply_error(r, 503, "store_unavailable", NULL, "the store does not answer");
    /* Health is now or never: no cache may answer for it. */
    reply_header(r, "Cache-Control", "no-store");
    return reply_json(
        r, 200, json_pack("{s:s, s:s}", "status", "ok", "store", store_dialect(r->app->store)));
}

static int metrics(struct req *r)
{
    struct strbuf sb = STRBUF_INIT;
    metrics_render(r->app->metrics, &sb);
    size_t len;
    char *text = strbuf_detach(&sb, &len);
    reply_header(r, "Cache-Control", "no-store");
    return reply_take(r, 200, "text/plain; version=0.0.4; charset=utf-8", text, len);
}

/* ---- for tests of what happens later (WARMHARBOR_TEST_CLOCK=1) ------ */

static int test_clock_or_reply(struct req *r)
{
    if (r->app->cfg.test_clock)
        return 0;
    return reply_error(r, 404, "not_found", NULL, "no such resource"), -1;
}

static const char *const clock_fields[] = {"advance_s", NULL};

/* POST /api/system/clock {"advance_s": N}: move this node's clock on,
 * then run the timed work as the ticker would. */
static int post_clock(struct req *r)
{
    json_int_t s;
    json_t *v = json_object_get(r->json, "advance_s");
    if (test_clock_or_reply(r) || json_in_only_or_reply(r, r->json, NULL, clock_fields))
        return r->status;
    if (!json_is_integer(v) || (s = json_integer_value(v)) < 0 || s > 400 * 86400)
        return reply_error(r, 422, "invalid_field", "advance_s",
                           "advance_s is a whole number of seconds, 0 to 400 days");
    clock_advance((int64_t)s);
    app_tick(r->app);
    char when[40];
    return reply_json(
        r, 200,
        json_pack("{s:s}", "now",
                  clock_format_iso(clock_now(), r->app->cfg.tz_offset_min, when, sizeof when)));
}

static const struct route system_routes[] = {
    {HTTP_POST, "/api/system/clock", post_clock, ACCESS_SYSTEM, BODY_JSON, SCOPE_ANY},
    {HTTP_GET, "/healthz", healthz, ACCESS_PUBLIC, BODY_NONE, SCOPE_ANY},
    {HTTP_GET, "/metrics", metrics, ACCESS_PUBLIC, BODY_NONE, SCOPE_ANY},
};

const struct module system_module = {
    .name = "system",
    .routes = system_routes,
    .nroutes = sizeof system_routes / sizeof system_routes[0],
};
