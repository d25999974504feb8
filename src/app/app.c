/*
 * app.c - configuration defaults and the start-up / shut-down order:
 * store -> migrations -> router -> modules, and back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/app.h"
#include "core/clock.h"
#include "core/log.h"
#include "http/metrics.h"
#include "http/router.h"
#include "http/sse.h"
#include "store/store.h"

static int env_int(const char *name, int dflt)
{
    const char *v = getenv(name);
    if (!v || !*v)
        return dflt;
    char *end;
    long n = strtol(v, &end, 10);
    if (*end || n < 0 || n > 1000000000) {
        log_warn("ignoring %s: not a whole number", name);
        return dflt;
    }
    return (int)n;
}

static const char *env_str(const char *name, const char *dflt)
{
    const char *v = getenv(name);
    return v && *v ? v : dflt;
}

void config_defaults(struct config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->db = env_str("WARMHARBOR_DB", "warmharbor.db");
    strcpy(cfg->listen_addr, "127.0.0.1");
    cfg->port = 8080;
    const char *listen = getenv("WARMHARBOR_LISTEN");
    if (listen && *listen)
        config_parse_listen(cfg, listen);
    cfg->threads = env_int("WARMHARBOR_THREADS", 0);
    cfg->body_limit = (size_t)env_int("WARMHARBOR_BODY_LIMIT", 1 << 20);
    cfg->conn_timeout_s = env_int("WARMHARBOR_CONN_TIMEOUT", 30);
    cfg->conn_limit = env_int("WARMHARBOR_CONN_LIMIT", 4096);
    cfg->secret_file = env_str("WARMHARBOR_SECRET_FILE", "warmharbor.key");
    cfg->dev_mode = env_int("WARMHARBOR_DEV", 0) != 0;
    cfg->access_log = env_int("WARMHARBOR_ACCESS_LOG", 1) != 0;
    cfg->tz_offset_min = CLOCK_CHINA_OFFSET_MIN;
    cfg->shutdown_grace_s = env_int("WARMHARBOR_SHUTDOWN_GRACE", 10);
    cfg->tiles_url = env_str("WARMHARBOR_TILES_URL",
                             "https://tile.openstreetmap.org/{z}/{x}/{y}.png");
    cfg->tiles_datum = env_str("WARMHARBOR_TILES_DATUM", "wgs84");
    cfg->tiles_attribution =
        env_str("WARMHARBOR_TILES_ATTRIBUTION", "© OpenStreetMap contributors");
    cfg->status_ttl_s = env_int("WARMHARBOR_STATUS_TTL", 1800);
    cfg->trusted_proxies = env_str("WARMHARBOR_TRUSTED_PROXIES", "");
    cfg->conn_per_address = env_int("WARMHARBOR_CONN_PER_ADDRESS", 64);
    cfg->header_timeout_s = env_int("WARMHARBOR_HEADER_TIMEOUT", 10);
}

int config_parse_listen(struct config *cfg, const char *s)
{
    const char *colon = strrchr(s, ':');
    if (!colon || colon == s)
        return -1;
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (*end || port < 0 || port > 65535)
        return -1;
    size_t n = (size_t)(colon - s);
    if (n >= sizeof cfg->listen_addr)
        return -1;
    memcpy(cfg->listen_addr, s, n);
    cfg->listen_addr[n] = '\0';
    cfg->port = (int)port;
    return 0;
}

/* The channel on which nodes sharing a store announce their changes:
 * payload "NODE:WHAT:ID". */
static const char change_channel[] = "warmharbor_changes";

static void run_hooks(struct app *app, struct store_conn *c, enum app_change what, int64_t id)
{
    for (size_t i = 0; i < app_module_count; i++)
        if (app_modules[i]->changed)
            app_modules[i]->changed(app, c, what, id);
}

/* Another node changed something (or, with NULL, we may have missed
 * messages): bring this node's memory up to date. Runs on the store's
 * listener thread. */
static void on_remote_change(void *ctx, const char *payload)
{
    struct app *app = ctx;
    unsigned long long node = 0;
    int what = 0;
    long long id = 0;
    if (payload && (sscanf(payload, "%llx:%d:%lld", &node, &what, &id) != 3 ||
                    what < CHANGE_SITE_CREATED || what > CHANGE_CALENDAR))
        return;
    if (payload && node == app->node_id)
        return; /* our own, already applied */
    struct store_conn *c = store_acquire(app->store);
    if (!c) {
        log_warn("a change from another node could not be applied: no store connection");
        return;
    }
    if (!payload) {
        run_hooks(app, c, CHANGE_SITES_BULK, 0);
        run_hooks(app, c, CHANGE_CALENDAR, 0);
    } else {
        run_hooks(app, c, (enum app_change)what, id);
    }
    store_release(c);
}

int app_open(struct app *app, const struct config *cfg, bool migrate,
             char *err, size_t errlen)
{
    memset(app, 0, sizeof(*app));
    app->cfg = *cfg;
    app->store = store_open(cfg->db, err, errlen);
    if (!app->store)
        return -1;
    if (migrate && store_migrate(app->store) != STORE_OK) {
        snprintf(err, errlen, "migrations failed on %s", cfg->db);
        store_close(app->store);
        app->store = NULL;
        return -1;
    }
    app->router = router_new();
    for (size_t i = 0; i < app_module_count; i++) {
        const struct module *m = app_modules[i];
        if (router_add(app->router, m->routes, m->nroutes)) {
            snprintf(err, errlen, "module %s: a route is defined twice", m->name);
            app_close(app);
            return -1;
        }
    }
    app->metrics = metrics_new(app->router);
    app->events = sse_hub_new();
    for (size_t i = 0; i < app_module_count; i++) {
        const struct module *m = app_modules[i];
        if (m->init && m->init(app)) {
            snprintf(err, errlen, "module %s failed to start", m->name);
            /* release the ones that started */
            for (size_t j = i; j-- > 0;)
                if (app_modules[j]->release)
                    app_modules[j]->release(app);
            metrics_free(app->metrics);
            sse_hub_free(app->events);
            router_free(app->router);
            store_close(app->store);
            memset(app, 0, sizeof(*app));
            return -1;
        }
    }
    if (store_is_shared(app->store)) {
        FILE *r = fopen("/dev/urandom", "rb");
        if (!r || fread(&app->node_id, sizeof app->node_id, 1, r) != 1)
            app->node_id = (uint64_t)clock_now_ms() ^ ((uint64_t)getpid() << 32);
        if (r)
            fclose(r);
        app->changes = store_listen(app->store, change_channel, on_remote_change, app);
    }
    return 0;
}

void app_close(struct app *app)
{
    store_listener_stop(app->changes);
    app->changes = NULL;
    if (app->metrics) {
        for (size_t j = app_module_count; j-- > 0;)
            if (app_modules[j]->release)
                app_modules[j]->release(app);
    }
    metrics_free(app->metrics);
    sse_hub_free(app->events);
    router_free(app->router);
    store_close(app->store);
    memset(app, 0, sizeof(*app));
}

static void release_conn(void *c)
{
    store_release(c);
}

struct store_conn *req_store(struct req *r)
{
    if (r->store_conn)
        return r->store_conn;
    r->store_conn = store_acquire(r->app->store);
    if (r->store_conn)
        arena_defer(&r->arena, release_conn, r->store_conn);
    return r->store_conn;
}

struct store_conn *req_store_or_reply(struct req *r)
{
    struct store_conn *c = req_store(r);
    if (!c) {
        reply_header(r, "Retry-After", "1");
        reply_error(r, 503, "store_unavailable", NULL, "the store does not answer");
    }
    return c;
}

int reply_store_error(struct req *r, int rc, const char *what)
{
    switch (rc) {
    case STORE_NOT_FOUND:
        return reply_error(r, 404, "not_found", NULL, "no such %s", what);
    case STORE_CONFLICT:
        return reply_error(r, 409, "conflict", NULL,
                           "the %s conflicts with stored data", what);
    case STORE_BUSY:
        reply_header(r, "Retry-After", "1");
        return reply_error(r, 503, "busy", NULL, "the store is busy; retry");
    default:
        return reply_error(r, 500, "store_error", NULL,
                           "the store could not do that");
    }
}

void app_changed(struct app *app, struct store_conn *c, enum app_change what, int64_t id)
{
    run_hooks(app, c, what, id);
    if (store_is_shared(app->store)) {
        char payload[64];
        snprintf(payload, sizeof payload, "%llx:%d:%lld", (unsigned long long)app->node_id,
                 (int)what, (long long)id);
        if (store_notify(c, change_channel, payload) != STORE_OK)
            log_warn("other nodes were not told of a change (%s)", payload);
    }
}

const struct principal *req_principal(struct req *r)
{
    if (r->who_checked)
        return r->who;
    r->who_checked = true;
    r->who = NULL;
    if (!r->app->auth)
        return NULL;
    struct principal *p = arena_alloc(&r->arena, sizeof(*p));
    int got = r->app->auth->authenticate(r, p);
    if (got == 1)
        r->who = p;
    r->who_invalid = got < 0;
    return r->who;
}

bool req_reaches_region(struct req *r, unsigned roles, const char *region_code)
{
    const struct principal *p = req_principal(r);
    if (!p)
        return false;
    if (p->roles & ROLE_SYSTEM_ADMIN)
        return true;
    if (!region_code)
        return false;
    for (size_t i = 0; i < p->ngrants; i++)
        if ((p->grants[i].role & roles) &&
            r->app->auth->reaches(r, &p->grants[i], SCOPE_REGION, region_code))
            return true;
    return false;
}
