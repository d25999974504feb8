/*
 * server.h - the HTTP server: libmicrohttpd in its epoll thread-pool mode,
 * one worker per core by default, dispatching through the app's router.
 */
#ifndef WH_HTTP_SERVER_H
#define WH_HTTP_SERVER_H

#include <stddef.h>

struct app;
struct http_server;

/* Start listening. Returns NULL with a message in err on failure. */
struct http_server *http_server_start(struct app *app, char *err,
                                      size_t errlen);
/* The port actually bound (useful with port 0). */
int http_server_port(const struct http_server *s);
/* Graceful stop: stop accepting, let requests in flight finish (up to the
 * configured grace), then close every connection and free the server. */
void http_server_stop(struct http_server *s);

#endif
