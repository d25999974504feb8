/*
 * app.h - the running application: its configuration, its store, its
 * router and the explicit list of feature modules. Wiring only; no feature
 * logic lives here.
 *
 * Adding a feature means adding a folder under src/ with a
 * `const struct module x_module` and one line in app_modules (modules.c).
 */
#ifndef WH_APP_APP_H
#define WH_APP_APP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http/http.h"

struct store;
struct router;
struct metrics;
struct sse_hub;
struct site_cache;
struct account_state;

struct config {
    const char *db;          /* path, sqlite:PATH (or postgres:// later) */
    char listen_addr[64];    /* "127.0.0.1" */
    int port;                /* 8080 */
    int threads;             /* worker threads; 0 = one per core */
    size_t body_limit;       /* bytes; 1 MiB default */
    int conn_timeout_s;      /* idle connection timeout */
    int conn_limit;          /* concurrent connections */
    const char *secret_file; /* server key (CSRF, QR, encryption), 0600 */
    bool dev_mode;           /* one-time codes are written to the log */
    bool access_log;         /* JSON line per request on stdout */
    int tz_offset_min;       /* local time for opening hours: +480 */
    int shutdown_grace_s;    /* how long to wait for requests in flight */
    const char *tiles_url;   /* map tiles; "none" for no tiles */
    const char *tiles_datum; /* "wgs84" or "gcj02" */
    const char *tiles_attribution;
    int status_ttl_s; /* live status older than this is stale */
    int tick_s;       /* how often modules' timed jobs run */
    bool test_clock;  /* tests may move the clock (never in production) */
    /* Peers whose X-Forwarded-For / X-Real-IP name the client: addresses
     * and CIDR ranges, comma-separated ("" = none; see http/netaddr.h). */
    const char *trusted_proxies;
    int conn_per_address; /* open connections per address; 0 = no limit */
    int header_timeout_s; /* request headers complete within; 0 = none */
};

struct app;
struct store_conn;
struct module;

/* What changed in the stored data, for modules that keep something in
 * memory (the site index) or push changes to clients (event streams). A
 * change travels as its module, one of that module's kinds, and an id;
 * between nodes as "NODE:MODULE:KIND:ID". */
struct change {
    const struct module *module; /* whose kind it is */
    int kind;                    /* index into module->change_kinds */
    int64_t id;                  /* the object, or 0 for "many" */
};

/* A command of the command line that a module provides, e.g.
 * `warmharbor import-sites FILE`. run gets the opened app and the
 * arguments after the command's name (options already taken out); it
 * returns the process's exit status. */
struct module_command {
    const char *name;
    int (*run)(struct app *app, int argc, char **argv);
    const char *usage; /* "warmharbor import-sites [--db PATH] FILE.csv" */
    const char *help;  /* what it does, lines ending in \n */
    bool pass_options; /* it reads options of its own (--admin, --days) */
};

/* Everything a feature module is, declared in one place. Modules are
 * listed once, in app/modules.c. */
struct module {
    const char *name;
    const struct route *routes;
    size_t nroutes;
    /* The kinds of change it announces (app_changed): names, indexed by
     * kind, NULL-terminated; NULL if it announces none. */
    const char *const *change_kinds;
    /* Start: make the module's state (kept by the app in the module's
     * slot: app_state()) and anything else. May be NULL; 0 or -1. */
    int (*init)(struct app *app, void **state);
    /* Stop: free the state. May be NULL. */
    void (*release)(struct app *app, void *state);
    /* Told of every committed change, on this node and the others (may be
     * NULL). c is a connection usable to read the new state. ch NULL:
     * changes may have been missed (a lost connection between nodes, or a
     * change this node does not know): resynchronise everything. */
    void (*changed)(struct app *app, struct store_conn *c, const struct change *ch);
    /* Its commands (may be NULL). */
    const struct module_command *commands;
    size_t ncommands;
    /* Timed work (offers that expire, slots that passed), run every
     * cfg.tick_s seconds by `serve` (may be NULL). It runs on every node
     * at once, so each change it makes must be decided by one statement
     * (UPDATE ... WHERE state = 'offered' AND until < now). now is
     * clock_now(). */
    void (*tick)(struct app *app, struct store_conn *c, int64_t now);
    /* Its part of `warmharbor demo`, run in module order after the site
     * registry's demo data, inside one transaction (may be NULL). Returns
     * a store result; *count is what it made, for the summary line. */
    int (*demo)(struct app *app, struct store_conn *c, int *count);
    /* Personal data the module holds about a person (PIPL), for the
     * account module's GET /api/me/export and DELETE /api/me (may be NULL
     * each). export_personal sets *out to a new JSON value, put in the
     * export under the module's name (or leaves it NULL: nothing to say);
     * erase_personal deletes or anonymises the person's data inside the
     * erase's transaction. Both return a store result; a failure fails
     * the whole export or erase. */
    int (*export_personal)(struct app *app, struct store_conn *c, struct arena *a, int64_t user_id,
                           json_t **out);
    int (*erase_personal)(struct app *app, struct store_conn *c, int64_t user_id);
    /* The server is stopping: end the event streams it serves (they never
     * end by themselves and would hold the shutdown for its whole grace
     * period) and open no new ones. May be NULL. */
    void (*drain)(struct app *app, void *state);
};

#define APP_MAX_MODULES 32

struct app {
    struct config cfg;
    struct store *store;
    struct router *router;
    struct metrics *metrics;
    struct sse_hub *events;         /* site and status changes for open map pages */
    struct store_listener *changes; /* other nodes' changes (PostgreSQL) */
    uint64_t node_id;               /* this process, among several nodes */
    const struct http_auth *auth;   /* set by the account module; NULL: nobody */
    void *state[APP_MAX_MODULES];   /* each module's state, by its index */
    struct app_ticker *ticker;      /* runs the modules' tick hooks (serve) */
};

extern const struct module *const app_modules[];
extern const size_t app_module_count;

/* Defaults, then the WARMHARBOR_* environment variables. */
void config_defaults(struct config *cfg);
/* "ADDR:PORT" into listen_addr and port; 0 or -1. */
int config_parse_listen(struct config *cfg, const char *s);
/* Open the store, migrate, build the router and init every module.
 * Returns 0, or -1 with a message in err (everything opened is closed). */
int app_open(struct app *app, const struct config *cfg, bool migrate, char *err, size_t errlen);
void app_close(struct app *app);

/* Run every module's tick hook now, once (the ticker does it every
 * cfg.tick_s seconds; tests ask for it). */
void app_tick(struct app *app);
/* Start the ticker thread (serve only); app_close stops it. 0 or -1. */
int app_start_ticker(struct app *app);

/* A module's state, as its init made it (NULL before init). */
void *app_state(const struct app *app, const struct module *m);

/* Tell every module (here and on the other nodes) that data changed: kind
 * is one of m->change_kinds. Call it after the commit. */
void app_changed(struct app *app, struct store_conn *c, const struct module *m, int kind,
                 int64_t id);

/* Idempotency-Key: the first answer to a signed-in POST is kept for a
 * day and replayed for the same key and body (app/idempotency.c). */
extern const struct http_replay app_idempotency;

/* The server's options for this app: limits from the configuration, the
 * router, metrics, the account module's authenticator, idempotency. */
struct http_server_opts;
void app_server_options(struct app *app, struct http_server_opts *o);

/* Run fn(c, ctx) in a write transaction on the request's connection (see
 * store_tx), and mark the request's Idempotency-Key as carried out inside
 * the same transaction, so a retry after a lost answer never does it
 * twice. Returns what store_tx returns. */
int req_tx(struct req *r, struct store_conn *c, int (*fn)(struct store_conn *c, void *ctx),
           void *ctx);

/* The store connection for this request, acquired on first use and
 * released when the request ends. NULL if none can be had (503). */
struct store_conn *req_store(struct req *r);
/* The same, replying 503 store_unavailable when there is none. */
struct store_conn *req_store_or_reply(struct req *r);
/* The path's {id} (what names it in the 404 for a malformed one, see
 * req_param_id_or_reply), then the store: NULL after replying. */
struct store_conn *req_id_store_or_reply(struct req *r, const char *what, int64_t *id);
/* Reply for a failed store call: 404 not_found (naming what), 409
 * conflict, 503 busy with Retry-After, or 500. Returns the status. */
int reply_store_error(struct req *r, int rc, const char *what);

#endif
