/*
 * app.c - configuration defaults and the start-up / shut-down order:
 * store -> migrations -> router -> modules, and back.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app/app.h"
#include "core/clock.h"
#include "core/log.h"
#include "http/metrics.h"
#include "http/router.h"
#include "http/server.h"
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
    cfg->tiles_url =
        env_str("WARMHARBOR_TILES_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png");
    cfg->tiles_datum = env_str("WARMHARBOR_TILES_DATUM", "wgs84");
    cfg->tiles_attribution =
        env_str("WARMHARBOR_TILES_ATTRIBUTION", "© OpenStreetMap contributors");
    cfg->status_ttl_s = env_int("WARMHARBOR_STATUS_TTL", 1800);
    cfg->tick_s = env_int("WARMHARBOR_TICK_S", 15);
    if (cfg->tick_s < 1)
        cfg->tick_s = 1;
    cfg->test_clock = env_int("WARMHARBOR_TEST_CLOCK", 0) != 0;
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
 * payload "NODE:MODULE:KIND:ID" (NODE in hex, KIND the kind's name). */
static const char change_channel[] = "warmharbor_changes";

static int module_index(const struct module *m)
{
    for (size_t i = 0; i < app_module_count; i++)
        if (app_modules[i] == m)
            return (int)i;
    return -1;
}

void *app_state(const struct app *app, const struct module *m)
{
    int i = module_index(m);
    return i < 0 ? NULL : app->state[i];
}

static void run_hooks(struct app *app, struct store_conn *c, const struct change *ch)
{
    for (size_t i = 0; i < app_module_count; i++)
        if (app_modules[i]->changed)
            app_modules[i]->changed(app, c, ch);
}

static size_t kind_count(const struct module *m)
{
    size_t n = 0;
    while (m->change_kinds && m->change_kinds[n])
        n++;
    return n;
}

/* Parse "NODE:MODULE:KIND:ID" into *node and *ch. 0, or -1 when the
 * payload is malformed or names a module or kind this node does not know
 * (a newer node's, say): the caller logs it and resynchronises. */
static int parse_change(const char *payload, unsigned long long *node, struct change *ch)
{
    char mod[64], kind[64];
    long long id;
    if (sscanf(payload, "%llx:%63[^:]:%63[^:]:%lld", node, mod, kind, &id) != 4)
        return -1;
    for (size_t i = 0; i < app_module_count; i++) {
        const struct module *m = app_modules[i];
        if (strcmp(m->name, mod) != 0)
            continue;
        for (size_t k = 0; k < kind_count(m); k++) {
            if (strcmp(m->change_kinds[k], kind) == 0) {
                *ch = (struct change){m, (int)k, (int64_t)id};
                return 0;
            }
        }
    }
    return -1;
}

/* Another node changed something (or, with NULL, we may have missed
 * messages): bring this node's memory up to date. Runs on the store's
 * listener thread. A change this node cannot read is never dropped
 * quietly: it is logged as an error and everything is resynchronised. */
static void on_remote_change(void *ctx, const char *payload)
{
    struct app *app = ctx;
    unsigned long long node = 0;
    struct change ch;
    bool known = payload && parse_change(payload, &node, &ch) == 0;
    if (payload && !known)
        log_error("a change announced by another node is not known here (%s): "
                  "resynchronising everything",
                  payload);
    if (known && node == app->node_id)
        return; /* our own, already applied */
    struct store_conn *c = store_acquire(app->store);
    if (!c) {
        log_error("a change from another node could not be applied: no store connection");
        return;
    }
    run_hooks(app, c, known ? &ch : NULL);
    store_release(c);
}

int app_open(struct app *app, const struct config *cfg, bool migrate, char *err, size_t errlen)
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
    if (app_module_count > APP_MAX_MODULES) {
        snprintf(err, errlen, "more modules than APP_MAX_MODULES");
        app_close(app);
        return -1;
    }
    for (size_t i = 0; i < app_module_count; i++) {
        const struct module *m = app_modules[i];
        if (m->init && m->init(app, &app->state[i])) {
            snprintf(err, errlen, "module %s failed to start", m->name);
            /* release the ones that started */
            for (size_t j = i; j-- > 0;)
                if (app_modules[j]->release)
                    app_modules[j]->release(app, app->state[j]);
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

/* ---- timed work --------------------------------------------------------- */

struct app_ticker {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    bool stop;
};

void app_tick(struct app *app)
{
    struct store_conn *c = store_acquire(app->store);
    if (!c) {
        log_warn("timed work skipped: no store connection");
        return;
    }
    int64_t now = clock_now();
    for (size_t i = 0; i < app_module_count; i++)
        if (app_modules[i]->tick)
            app_modules[i]->tick(app, c, now);
    store_release(c);
}

static void *ticker_main(void *v)
{
    struct app *app = v;
    struct app_ticker *t = app->ticker;
    pthread_mutex_lock(&t->lock);
    while (!t->stop) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += app->cfg.tick_s;
        pthread_cond_timedwait(&t->wake, &t->lock, &until);
        if (t->stop)
            break;
        pthread_mutex_unlock(&t->lock);
        app_tick(app);
        pthread_mutex_lock(&t->lock);
    }
    pthread_mutex_unlock(&t->lock);
    return NULL;
}

int app_start_ticker(struct app *app)
{
    struct app_ticker *t = calloc(1, sizeof(*t));
    if (!t)
        die_oom();
    pthread_mutex_init(&t->lock, NULL);
    pthread_cond_init(&t->wake, NULL);
    app->ticker = t;
    if (pthread_create(&t->thread, NULL, ticker_main, app) != 0) {
        app->ticker = NULL;
        free(t);
        return -1;
    }
    return 0;
}

static void stop_ticker(struct app *app)
{
    struct app_ticker *t = app->ticker;
    if (!t)
        return;
    pthread_mutex_lock(&t->lock);
    t->stop = true;
    pthread_cond_signal(&t->wake);
    pthread_mutex_unlock(&t->lock);
    pthread_join(t->thread, NULL);
    pthread_mutex_destroy(&t->lock);
    pthread_cond_destroy(&t->wake);
    free(t);
    app->ticker = NULL;
}

void app_close(struct app *app)
{
    stop_ticker(app);
    store_listener_stop(app->changes);
    app->changes = NULL;
    if (app->metrics) {
        for (size_t j = app_module_count; j-- > 0;)
            if (app_modules[j]->release)
                app_modules[j]->release(app, app->state[j]);
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

struct store_conn *req_id_store_or_reply(struct req *r, const char *what, int64_t *id)
{
    if (req_param_id_or_reply(r, "id", what, id))
        return NULL;
    return req_store_or_reply(r);
}

int reply_store_error(struct req *r, int rc, const char *what)
{
    switch (rc) {
    case STORE_NOT_FOUND:
        return reply_error(r, 404, "not_found", NULL, "no such %s", what);
    case STORE_CONFLICT:
        return reply_error(r, 409, "conflict", NULL, "the %s conflicts with stored data", what);
    case STORE_BUSY:
        reply_header(r, "Retry-After", "1");
        return reply_error(r, 503, "busy", NULL, "the store is busy; retry");
    default:
        return reply_error(r, 500, "store_error", NULL, "the store could not do that");
    }
}

void app_changed(struct app *app, struct store_conn *c, const struct module *m, int kind,
                 int64_t id)
{
    if (kind < 0 || (size_t)kind >= kind_count(m)) {
        log_error("module %s announced a change of kind %d it does not declare", m->name, kind);
        return;
    }
    struct change ch = {m, kind, id};
    run_hooks(app, c, &ch);
    if (store_is_shared(app->store)) {
        char payload[160];
        snprintf(payload, sizeof payload, "%llx:%s:%s:%lld", (unsigned long long)app->node_id,
                 m->name, m->change_kinds[kind], (long long)id);
        if (store_notify(c, change_channel, payload) != STORE_OK)
            log_warn("other nodes were not told of a change (%s)", payload);
    }
}

static void end_streams(struct app *app)
{
    sse_hub_close(app->events);
    for (size_t i = 0; i < app_module_count; i++)
        if (app_modules[i]->drain)
            app_modules[i]->drain(app, app->state[i]);
}

void app_server_options(struct app *app, struct http_server_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->listen_addr = app->cfg.listen_addr;
    o->port = app->cfg.port;
    o->threads = app->cfg.threads;
    o->body_limit = app->cfg.body_limit;
    o->conn_timeout_s = app->cfg.conn_timeout_s;
    o->conn_limit = app->cfg.conn_limit;
    o->shutdown_grace_s = app->cfg.shutdown_grace_s;
    o->access_log = app->cfg.access_log;
    o->trusted_proxies = app->cfg.trusted_proxies;
    o->conn_per_address = app->cfg.conn_per_address;
    o->header_timeout_s = app->cfg.header_timeout_s;
    o->router = app->router;
    o->metrics = app->metrics;
    o->auth = app->auth;
    o->replay = &app_idempotency;
    o->app = app;
    o->on_drain = end_streams;
}
