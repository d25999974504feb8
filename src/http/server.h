/*
 * server.h - the HTTP server: libmicrohttpd in its epoll thread-pool mode,
 * one worker per core by default, dispatching through a router.
 *
 * The server knows nothing of the application: it is given its
 * collaborators as options (the router, the metrics, how to authenticate a
 * caller, how to replay an idempotent request, an opaque pointer handed to
 * every handler as r->app) and its limits.
 */
#ifndef WH_HTTP_SERVER_H
#define WH_HTTP_SERVER_H

#include <stdbool.h>
#include <stddef.h>

struct app;
struct router;
struct metrics;
struct http_auth;
struct http_replay;
struct http_server;

struct http_server_opts {
    const char *listen_addr; /* "127.0.0.1", "::1", "[::]" */
    int port;                /* 0: any free port */
    int threads;             /* 0: one per core */
    size_t body_limit;       /* bytes */
    int conn_timeout_s;      /* idle connection timeout */
    int conn_limit;          /* concurrent connections */
    int shutdown_grace_s;    /* how long stopping waits for requests */
    bool access_log;         /* a JSON line per request on stdout */
    /* Peers whose X-Forwarded-For / X-Real-IP name the client: addresses
     * and CIDR ranges, comma-separated ("" or NULL: none; http/netaddr.h). */
    const char *trusted_proxies;
    int conn_per_address; /* open connections per address; 0 = no limit */
    int header_timeout_s; /* request headers complete within; 0 = none */

    const struct router *router;
    struct metrics *metrics;          /* may be NULL */
    const struct http_auth *auth;     /* NULL: nobody is signed in */
    const struct http_replay *replay; /* NULL: Idempotency-Key is ignored */
    struct app *app;                  /* opaque: handed to handlers */
    /* Called when stopping begins (end event streams); may be NULL. */
    void (*on_drain)(struct app *app);
};

/* Start listening. Returns NULL with a message in err on failure. */
struct http_server *http_server_start(const struct http_server_opts *opts, char *err,
                                      size_t errlen);
/* The port actually bound (useful with port 0). */
int http_server_port(const struct http_server *s);
/* Graceful stop: stop accepting, let requests in flight finish (up to the
 * configured grace), then close every connection and free the server. */
void http_server_stop(struct http_server *s);

#endif
