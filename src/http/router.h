/*
 * router.h - maps (method, path) to a route: literal segments and {name}
 * parameters, per-method routes, and the list of methods a path allows
 * (for 405 with Allow). HEAD is answered by every GET route.
 *
 * Routes are added at start-up, before any request; matching is then
 * read-only and safe from many threads. Each route gets a dense index
 * (0..router_count-1) that the metrics use.
 */
#ifndef WH_HTTP_ROUTER_H
#define WH_HTTP_ROUTER_H

#include <stddef.h>

#include "core/arena.h"
#include "http/http.h"

#define ROUTER_MAX_SEGMENTS 16

struct router;

struct route_match {
    const struct route *route;
    int index; /* dense route index */
    int nparams;
    const char *names[REQ_MAX_PARAMS];
    const char *values[REQ_MAX_PARAMS]; /* copies in the arena */
};

enum router_result {
    ROUTER_FOUND = 0,
    ROUTER_NOT_FOUND = 1,
    ROUTER_BAD_METHOD = 2,
};

struct router *router_new(void);
void router_free(struct router *rt);
/* Add routes; aborts on a malformed pattern (a programming error).
 * Returns -1 if a (method, pattern) pair is already taken. */
int router_add(struct router *rt, const struct route *routes, size_t n);
size_t router_count(const struct router *rt);
const struct route *router_at(const struct router *rt, size_t i);

/* Match a decoded path. On ROUTER_FOUND fills *m (parameter values copied
 * into a). On ROUTER_BAD_METHOD, *allowed holds the methods the path
 * accepts (HEAD included where GET is). */
enum router_result router_match(const struct router *rt, unsigned method, const char *path,
                                struct arena *a, struct route_match *m, unsigned *allowed);

/* "GET, HEAD, POST" for a method set, into buf. */
void router_allow_header(unsigned methods, char *buf, size_t cap);
const char *router_method_name(unsigned method);
/* Method bit for a method name, or 0. */
unsigned router_method_parse(const char *name);

#endif
