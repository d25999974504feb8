/*
 * router_fuzz.c - libFuzzer target for src/http/router.c.
 *
 * A router is built once from a fixed route table shaped like the real
 * one (literal and parameter routes competing for the same paths, two
 * parameters, the root, a 16-segment pattern). Each input's first byte
 * picks the method (one of the seven, or an unknown bit); the rest,
 * NUL-terminated, is the path. The answer must keep router.h's promises:
 * parameter values are non-empty, hold no '/', and are the path's segments
 * at the parameter's place; FOUND is a route of the method asked (HEAD
 * answered by GET); BAD_METHOD has a non-empty allowed set without the
 * method; NOT_FOUND allows nothing; and the Allow header text lists
 * exactly the allowed methods. Everything is also compared with a small
 * independent matcher written here from the rules (a path belongs to the
 * matching routes with the most literal segments, whatever the method;
 * among those the first of the method asked wins; the allowed set is
 * theirs). Any difference aborts.
 *
 *   make fuzz-smoke FUZZ_SECONDS=60    (seeds in tests/fuzz/corpus/router)
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/router.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fz_handler(struct req *r)
{
    (void)r;
    return 0;
}

#define R(m, p)                                                                                    \
    {                                                                                              \
        (m), (p), fz_handler, ACCESS_PUBLIC, BODY_NONE, SCOPE_ANY                                  \
    }

static const struct route fz_routes[] = {
    R(HTTP_GET, "/"),
    R(HTTP_GET, "/healthz"),
    R(HTTP_GET, "/metrics"),
    R(HTTP_GET, "/api/sites"),
    R(HTTP_POST, "/api/sites"),
    R(HTTP_GET, "/api/sites/{id}"),
    R(HTTP_PATCH, "/api/sites/{id}"),
    R(HTTP_DELETE, "/api/sites/{id}"),
    R(HTTP_GET, "/api/sites/export"),
    R(HTTP_POST, "/api/sites/import"),
    R(HTTP_GET, "/api/sites/{id}/live"),
    R(HTTP_PUT, "/api/sites/{id}/live/{amenity}"),
    R(HTTP_GET, "/api/regions"),
    R(HTTP_POST, "/api/regions"),
    R(HTTP_GET, "/api/regions/{code}"),
    R(HTTP_PATCH, "/api/regions/{code}"),
    R(HTTP_GET, "/api/regions/{code}/children"),
    R(HTTP_GET, "/api/regions/{code}/sites"),
    R(HTTP_GET, "/api/site-types"),
    R(HTTP_PUT, "/api/site-types/{code}"),
    R(HTTP_GET, "/api/amenities"),
    R(HTTP_PUT, "/api/amenities/{code}"),
    R(HTTP_GET, "/api/holidays/{year}"),
    R(HTTP_PUT, "/api/holidays/{day}"),
    R(HTTP_DELETE, "/api/holidays/{day}"),
    R(HTTP_OPTIONS, "/api/{any}"),
    R(HTTP_GET, "/{a}/{b}/{c}"),
    R(HTTP_GET, "/x/{b}/{c}"),
    R(HTTP_GET, "/x/y/{c}"),
    R(HTTP_GET, "/{a}/y/z"),
    R(HTTP_GET, "/1/2/3/4/5/6/7/8/9/10/11/12/13/14/15/{p16}"),
    R(HTTP_GET, "/e/{a}/{b}/{c}/{d}/{e}/{f}/{g}/{h}"),
};
#define FZ_NROUTES (sizeof fz_routes / sizeof fz_routes[0])

static const unsigned fz_methods[8] = {
    HTTP_GET, HTTP_HEAD, HTTP_POST, HTTP_PUT, HTTP_PATCH, HTTP_DELETE, HTTP_OPTIONS, 1u << 7,
};

static struct router *fz_router;

static void fz_check(bool ok, const char *what, const char *path)
{
    if (!ok) {
        fprintf(stderr, "router_fuzz: invariant broken: %s (path \"%s\")\n", what, path);
        abort();
    }
}

/* ---- the reference matcher ----------------------------------------- */

struct ref_seg {
    const char *p;
    size_t n;
};

/* Split by the rules of router.h: a leading slash, one trailing slash
 * ignored, no empty segment, at most ROUTER_MAX_SEGMENTS. -1 if not. */
static int ref_split(const char *path, struct ref_seg *seg, int *nseg)
{
    *nseg = 0;
    if (path[0] != '/')
        return -1;
    const char *s = path + 1;
    size_t len = strlen(s);
    if (len == 0)
        return 0;
    if (s[len - 1] == '/')
        len--;
    if (len == 0)
        return -1;
    size_t start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && s[i] != '/')
            continue;
        if (i == start || *nseg == ROUTER_MAX_SEGMENTS)
            return -1;
        seg[*nseg].p = s + start;
        seg[*nseg].n = i - start;
        (*nseg)++;
        start = i + 1;
    }
    return 0;
}

static bool ref_is_param(const struct ref_seg *s)
{
    return s->n >= 2 && s->p[0] == '{' && s->p[s->n - 1] == '}';
}

/* Does the route match the path's segments? *literals counts literal
 * segments of the pattern. */
static bool ref_route_matches(const struct route *r, const struct ref_seg *ps, int np,
                              int *literals)
{
    struct ref_seg rs[ROUTER_MAX_SEGMENTS];
    int nr;
    if (ref_split(r->pattern, rs, &nr) || nr != np)
        return false;
    *literals = 0;
    for (int i = 0; i < nr; i++) {
        if (ref_is_param(&rs[i]))
            continue;
        (*literals)++;
        if (rs[i].n != ps[i].n || memcmp(rs[i].p, ps[i].p, ps[i].n) != 0)
            return false;
    }
    return true;
}

/* ------------------------------------------------------------------------ */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!fz_router) {
        fz_router = router_new();
        if (router_add(fz_router, fz_routes, FZ_NROUTES) != 0) {
            fprintf(stderr, "router_fuzz: the route table has a duplicate\n");
            abort();
        }
    }
    if (size == 0)
        return 0;
    unsigned method = fz_methods[data[0] & 7];
    char *path = malloc(size);
    memcpy(path, data + 1, size - 1);
    path[size - 1] = '\0';

    struct arena a;
    arena_init(&a);
    struct route_match m;
    memset(&m, 0, sizeof m);
    unsigned allowed = 0xffffffffu;
    enum router_result res = router_match(fz_router, method, path, &a, &m, &allowed);

    /* The reference answer. */
    struct ref_seg ps[ROUTER_MAX_SEGMENTS];
    int np;
    unsigned want_method = method == HTTP_HEAD ? HTTP_GET : method;
    unsigned ref_allowed = 0;
    const struct route *ref_hit = NULL;
    int ref_best = -1;
    size_t ref_index = 0;
    if (ref_split(path, ps, &np) == 0) {
        /* The path belongs to the matching routes with the most literal
         * segments, whatever their method. */
        int lits[FZ_NROUTES];
        for (size_t i = 0; i < FZ_NROUTES; i++) {
            lits[i] = -1;
            int lit;
            if (ref_route_matches(&fz_routes[i], ps, np, &lit))
                lits[i] = lit;
            if (lits[i] > ref_best)
                ref_best = lits[i];
        }
        for (size_t i = 0; ref_best >= 0 && i < FZ_NROUTES; i++) {
            if (lits[i] != ref_best)
                continue;
            ref_allowed |= fz_routes[i].method;
            if (fz_routes[i].method == HTTP_GET)
                ref_allowed |= HTTP_HEAD;
            if (!ref_hit && fz_routes[i].method == want_method) {
                ref_hit = &fz_routes[i];
                ref_index = i;
            }
        }
    }
    enum router_result ref_res = ref_hit       ? ROUTER_FOUND
                                 : ref_allowed ? ROUTER_BAD_METHOD
                                               : ROUTER_NOT_FOUND;
    fz_check(res == ref_res, "result differs from the reference", path);
    fz_check(allowed == ref_allowed, "allowed set differs from the reference", path);

    switch (res) {
    case ROUTER_FOUND: {
        fz_check(m.route == ref_hit, "route differs from the reference", path);
        fz_check(m.index == (int)ref_index, "index is not the route's", path);
        fz_check(router_at(fz_router, (size_t)m.index) == m.route,
                 "router_at(index) is not the route", path);
        fz_check(m.route->method == want_method, "route of another method", path);
        fz_check((allowed & method) || method == HTTP_HEAD, "found but method not allowed", path);
        fz_check((allowed & want_method) != 0, "found but not allowed", path);
        /* Parameters: the pattern's names, the path's segments. */
        struct ref_seg rs[ROUTER_MAX_SEGMENTS];
        int nr;
        fz_check(ref_split(m.route->pattern, rs, &nr) == 0 && nr == np,
                 "pattern and path differ in length", path);
        int k = 0;
        for (int i = 0; i < nr; i++) {
            if (!ref_is_param(&rs[i]))
                continue;
            fz_check(k < m.nparams, "too few parameters", path);
            const char *v = m.values[k], *n = m.names[k];
            fz_check(v && *v, "empty parameter value", path);
            fz_check(!strchr(v, '/'), "parameter value holds '/'", path);
            fz_check(strstr(path, v) != NULL, "value is not in the path", path);
            fz_check(strlen(v) == ps[i].n && memcmp(v, ps[i].p, ps[i].n) == 0,
                     "value is not the path's segment", path);
            fz_check(v < path || v > path + strlen(path), "value points into the path, not a copy",
                     path);
            fz_check(strlen(n) == rs[i].n - 2 && memcmp(n, rs[i].p + 1, rs[i].n - 2) == 0,
                     "parameter name is not the pattern's", path);
            k++;
        }
        fz_check(k == m.nparams && m.nparams <= REQ_MAX_PARAMS, "parameter count", path);
        break;
    }
    case ROUTER_BAD_METHOD:
        fz_check(allowed != 0, "405 with nothing allowed", path);
        fz_check(!(allowed & method), "405 but the method is allowed", path);
        break;
    case ROUTER_NOT_FOUND:
        fz_check(allowed == 0, "404 with methods allowed", path);
        break;
    default:
        fz_check(false, "unknown result", path);
    }

    /* The Allow header lists exactly the allowed methods. */
    char allow[128];
    router_allow_header(allowed, allow, sizeof allow);
    unsigned back = 0;
    char *save = NULL;
    for (char *tok = strtok_r(allow, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
        unsigned bit = router_method_parse(tok);
        fz_check(bit != 0, "Allow lists an unknown method", path);
        fz_check(!(back & bit), "Allow lists a method twice", path);
        fz_check(strcmp(router_method_name(bit), tok) == 0, "method name round trip", path);
        back |= bit;
    }
    fz_check(back == (allowed & 0x7fu), "Allow text differs from the set", path);

    arena_release(&a);
    free(path);
    return 0;
}
