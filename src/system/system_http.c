/*
 * system_http.c - the service's own routes: GET /healthz (the store
 * answers) and GET /metrics (Prometheus text format).
 */
#include "app/app.h"
#include "core/strbuf.h"
#include "http/metrics.h"
#include "store/store.h"

static int healthz(struct req *r)
{
    struct store_conn *c = req_store(r);
    if (!c || store_ping(c) != STORE_OK)
        return reply_error(r, 503, "store_unavailable", NULL,
                           "the store does not answer");
    return reply_json(r, 200, json_pack("{s:s, s:s}", "status", "ok", "store",
                                        store_dialect(r->app->store)));
}

static int metrics(struct req *r)
{
    struct strbuf sb = STRBUF_INIT;
    metrics_render(r->app->metrics, &sb);
    size_t len;
    char *text = strbuf_detach(&sb, &len);
    return reply_take(r, 200, "text/plain; version=0.0.4; charset=utf-8", text,
                      len);
}

static const struct route system_routes[] = {
    {HTTP_GET, "/healthz", healthz, ACCESS_PUBLIC, BODY_NONE, SCOPE_ANY},
    {HTTP_GET, "/metrics", metrics, ACCESS_PUBLIC, BODY_NONE, SCOPE_ANY},
};

const struct module system_module = {
    .name = "system",
    .routes = system_routes,
    .nroutes = sizeof system_routes / sizeof system_routes[0],
};
