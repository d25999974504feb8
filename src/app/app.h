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
    int status_ttl_s;        /* live status older than this is stale */
    /* Peers whose X-Forwarded-For / X-Real-IP name the client: addresses
     * and CIDR ranges, comma-separated ("" = none; see http/netaddr.h). */
    const char *trusted_proxies;
    int conn_per_address;    /* open connections per address; 0 = no limit */
    int header_timeout_s;    /* request headers complete within; 0 = none */
};

struct app;
struct store_conn;

/* What changed in the stored data, for modules that keep something in
 * memory (the site index) or push changes to clients (event streams). */
enum app_change {
    CHANGE_SITE_CREATED,
    CHANGE_SITE_UPDATED,
    CHANGE_SITE_DELETED,
    CHANGE_SITE_STATUS, /* live status or closure */
    CHANGE_SITES_BULK,  /* many sites at once (CSV import) */
    CHANGE_CATALOG,     /* site types or amenities */
    CHANGE_CALENDAR,    /* the holiday calendar */
};

struct module {
    const char *name;
    const struct route *routes;
    size_t nroutes;
    int (*init)(struct app *app);     /* may be NULL; 0 or -1 */
    void (*release)(struct app *app); /* may be NULL */
    /* Told of every committed change (may be NULL). c is the writer's
     * connection, usable to read the new state. */
    void (*changed)(struct app *app, struct store_conn *c, enum app_change what,
                    int64_t id);
};

/* How requests are authenticated and scopes checked: set by the account
 * module at start. */
struct auth_ops {
    /* Fill *p from the request's credentials (arena memory). 1: signed
     * in; 0: no credentials; -1: credentials that are not valid. */
    int (*authenticate)(struct req *r, struct principal *p);
    /* Does grant g reach the site (SCOPE_SITE, ref = site id) or region
     * (SCOPE_REGION, ref = code)? */
    bool (*reaches)(struct req *r, const struct grant *g, enum route_scope scope,
                    const char *ref);
    /* Is the request's CSRF token right for a cookie session? */
    bool (*csrf_ok)(struct req *r, const struct principal *p);
};

struct app {
    struct config cfg;
    struct store *store;
    struct router *router;
    struct metrics *metrics;
    struct sse_hub *events; /* site and status changes for open map pages */
    struct store_listener *changes; /* other nodes' changes (PostgreSQL) */
    uint64_t node_id;               /* this process, among several nodes */
    const struct auth_ops *auth;    /* NULL: nobody can sign in */
    struct account_state *accounts; /* the account module's state */
    /* Module state, owned by the module that creates it in init. */
    struct site_cache *site_cache;
};

extern const struct module *const app_modules[];
extern const size_t app_module_count;

/* Defaults, then the WARMHARBOR_* environment variables. */
void config_defaults(struct config *cfg);
/* "ADDR:PORT" into listen_addr and port; 0 or -1. */
int config_parse_listen(struct config *cfg, const char *s);
/* Open the store, migrate, build the router and init every module.
 * Returns 0, or -1 with a message in err (everything opened is closed). */
int app_open(struct app *app, const struct config *cfg, bool migrate,
             char *err, size_t errlen);
void app_close(struct app *app);

/* Tell every module that data changed (after the commit). */
void app_changed(struct app *app, struct store_conn *c, enum app_change what, int64_t id);

/* The store connection for this request, acquired on first use and
 * released when the request ends. NULL if none can be had (503). */
struct store_conn *req_store(struct req *r);
/* The same, replying 503 store_unavailable when there is none. */
struct store_conn *req_store_or_reply(struct req *r);
/* Reply for a failed store call: 404 not_found (naming what), 409
 * conflict, 503 busy with Retry-After, or 500. Returns the status. */
int reply_store_error(struct req *r, int rc, const char *what);

#endif
