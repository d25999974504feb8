/*
 * router_test.c - unit tests for src/http/router.c.
 *
 * Covers the matching rules of router.h: literal and {param} segments,
 * several parameters, a trailing slash, empty segments, the segment limit,
 * literal-beats-parameter whatever the order routes were added in (a path
 * belongs to its most literal routes, whatever the method), the
 * allowed-method set for 405 (HEAD implied by GET), refusal of a duplicate
 * (method, pattern), the Allow header text, method names, and paths that
 * do not start with a slash. Malformed patterns must abort; that is checked
 * in a child process.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "http/router.h"
#include "test.h"

/* Handlers are never called by the router; distinct addresses suffice. */
static int h_list(struct req *r)
{
    (void)r;
    return 1;
}
static int h_get(struct req *r)
{
    (void)r;
    return 2;
}
static int h_export(struct req *r)
{
    (void)r;
    return 3;
}
static int h_other(struct req *r)
{
    (void)r;
    return 4;
}

#define ROUTE(m, p, h)                                                                             \
    {                                                                                              \
        (m), (p), (h), ACCESS_PUBLIC, BODY_NONE, SCOPE_ANY                                         \
    }

static const struct route site_routes[] = {
    ROUTE(HTTP_GET, "/api/sites", h_list),
    ROUTE(HTTP_POST, "/api/sites", h_other),
    ROUTE(HTTP_GET, "/api/sites/{id}", h_get),
    ROUTE(HTTP_PATCH, "/api/sites/{id}", h_other),
    ROUTE(HTTP_DELETE, "/api/sites/{id}", h_other),
    ROUTE(HTTP_GET, "/api/sites/export", h_export),
    ROUTE(HTTP_POST, "/api/sites/import", h_other),
    ROUTE(HTTP_GET, "/api/regions/{code}/children/{level}", h_other),
    ROUTE(HTTP_GET, "/", h_other),
};
#define NSITE_ROUTES (sizeof site_routes / sizeof site_routes[0])

/* Match and return the result; *m and *allowed as router_match sets them. */
static enum router_result match(const struct router *rt, unsigned method, const char *path,
                                struct arena *a, struct route_match *m, unsigned *allowed)
{
    memset(m, 0, sizeof(*m));
    *allowed = 0xdead;
    return router_match(rt, method, path, a, m, allowed);
}

static const char *param(const struct route_match *m, const char *name)
{
    for (int i = 0; i < m->nparams; i++)
        if (strcmp(m->names[i], name) == 0)
            return m->values[i];
    return NULL;
}

static struct router *site_router(void)
{
    struct router *rt = router_new();
    CHECK_INT(router_add(rt, site_routes, NSITE_ROUTES), 0);
    return rt;
}

/* ------------------------------------------------------------------------ */

static void test_literal_match(void)
{
    struct router *rt = site_router();
    struct arena a;
    arena_init(&a);
    struct route_match m;
    unsigned allowed;

    CHECK_INT(match(rt, HTTP_GET, "/api/sites", &a, &m, &allowed), ROUTER_FOUND);
    CHECK(m.route == &site_routes[0]);
    CHECK_INT(m.index, 0);
    CHECK_INT(m.nparams, 0);

    CHECK_INT(match(rt, HTTP_POST, "/api/sites", &a, &m, &allowed), ROUTER_FOUND);
    CHECK(m.route == &site_routes[1]);
    CHECK_INT(m.index, 1);

    CHECK_INT(match(rt, HTTP_GET, "/", &a, &m, &allowed), ROUTER_FOUND);
    CHECK(m.route == &site_routes[8]);

    /* Literal comparison is exact: case, prefixes and longer names differ. */
    CHECK_INT(match(rt, HTTP_GET, "/api/Sites", &a, &m, &allowed), ROUTER_NOT_FOUND);
    CHECK_INT(allowed, 0);
    CHECK_INT(match(rt, HTTP_GET, "/api/site", &a, &m, &allowed), ROUTER_NOT_FOUND);
    CHECK_INT(match(rt, HTTP_GET, "/api/sitesx", &a, &m, &allowed), ROUTER_NOT_FOUND);
    CHECK_INT(match(rt, HTTP_GET, "/api", &a, &m, &allowed), ROUTER_NOT_FOUND);
    CHECK_INT(match(rt, HTTP_GET, "/nothing/here", &a, &m, &allowed), ROUTER_NOT_FOUND);

    arena_release(&a);
    router_free(rt);
}

static void test_param_match(void)
{
    struct router *rt = site_router();
    struct arena a;
    arena_init(&a);
    struct route_match m;
    unsigned allowed;

    CHECK_INT(match(rt, HTTP_GET, "/api/sites/42", &a, &m, &allowed), ROUTER_FOUND);
    CHECK(m.route == &site_routes[2]);
    CHECK_INT(m.index, 2);
    CHECK_INT(m.nparams, 1);
    CHECK_STR(m.names[0], "id");
    CHECK_STR(m.values[0], "42");

    /* A parameter takes any non-empty segment, UTF-8 and dots included. */
    const char *path = "/api/sites/\xe6\x9a\x96.x";
    CHECK_INT(match(rt, HTTP_DELETE, path, &a, &m, &allowed), ROUTER_FOUND);
    CHECK(m.route == &site_routes[4]);
    CHECK_STR(param(&m, "id"), "\xe6\x9a\x96.x");
    /* The value is a copy in the arena, not a pointer into the path. */
    CHECK(m.values[0] < path || m.values[0] > path + strlen(path));

    /* A parameter never spans a slash. */
    CHECK_INT(match(rt, HTTP_GET, "/api/sites/4/2", &a, &m, &allowed), ROUTER_NOT_FOUND);

    arena_release(&a);
    router_free(rt);
}

static void test_several_params(void)
{
    struct router *rt = site_router();
    struct arena a;
    arena_init(&a);
    struct route_match m;
    unsigned allowed;

    CHECK_INT(match(rt, HTTP_GET, "/api/regions/HZ-01/children/street", &a, &m, &allowed),
              ROUTER_FOUND);
    CHECK(m.route == &site_routes[7]);
    CHECK_INT(m.nparams, 2);
    CHECK_STR(m.names[0], "code");
    CHECK_STR(m.values[0], "HZ-01");
    CHECK_STR(m.names[1], "level");
    CHECK_STR(m.values[1], "street");
    CHECK_STR(param(&m, "level"), "street");
    CHECK(param(&m, "id") == NULL);

    /* The literal between the two must match exactly. */
    CHECK_INT(match(rt, HTTP_GET, "/api/regions/HZ/child/street", &a, &m, &allowed),
              ROUTER_NOT_FOUND);

    /* Eight parameters, the most a request carries. */
    static const struct route eight[] = {
        ROUTE(HTTP_GET, "/e/{a}/{b}/{c}/{d}/{e}/{f}/{g}/{h}", h_other),
    };
    struct router *rt8 = router_new();
    CHECK_INT(router_add(rt8, eight, 1), 0);
    CHECK_INT(match(rt8, HTTP_GET, "/e/1/2/3/4/5/6/7/8", &a, &m, &allowed), ROUTER_FOUND);
    CHECK_INT(m.nparams, 8);
    CHECK_STR(param(&m, "a"), "1");
    CHECK_STR(param(&m, "h"), "8");
    router_free(rt8);

    arena_release(&a);
    router_free(rt);
}

static void test_trailing_slash(void)
{
    struct router *rt = site_router();
    struct arena a;
    arena_init(&a);
    struct route_match m;
    unsigned allowed;

    CHECK_INT(match(rt, HTTP_GET, "/api/sites/", &a, &m, &allowed), ROUTER_FOUND);
    CHECK(m.route == &site_routes[0]);
    CHECK_INT(match(rt, HTTP_GET, "/api/sites/7/", &a, &m, &allowed), ROUTER_FOUND);
    CHECK(m.route == &site_routes[2]);
    CHECK_STR(param(&m, "id"), "7");

    /* A pattern written with a trailing slash is the same route. */
    static const struct route slashed[] = {
        ROUTE(HTTP_GET, "/api/things/", h_other),
    };
    struct router *rt2 = router_new();
    CHECK_INT(router_add(rt2, slashed, 1), 0);
    CHECK_INT(match(rt2, HTTP_GET, "/api/things", &a, &m, &allowed), ROUTER_FOUND);
    CHECK_INT(match(rt2, HTTP_GET, "/api/things/", &a, &m, &allowed), ROUTER_FOUND);
    router_free(rt2);

    arena_release(&a);
    router_free(rt);
}

static void test_empty_segments(void)
{
    struct router *rt = site_router();
    struct arena a;
    arena_init(&a);
    struct route_match m;
    unsigned allowed;

    static const char *const paths[] = {
        "//",  "//api/sites", "/api//sites", "/api/sites//", "/api/sites//7", "/api/sites/7//",
        "///",
    };
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        enum router_result res = match(rt, HTTP_GET, paths[i], &a, &m, &allowed);
        if (res != ROUTER_NOT_FOUND)
            fprintf(stderr, "  path \"%s\"\n", paths[i]);
        CHECK_INT(res, ROUTER_NOT_FOUND);
        CHECK_INT(allowed, 0);
    }

    arena_release(&a);
    router_free(rt);
}

static void test_too_many_segments(void)
{
    /* A pattern of exactly ROUTER_MAX_SEGMENTS segments is allowed. */
    static const struct route deep[] = {
        ROUTE(HTTP_GET, "/1/2/3/4/5/6/7/8/9/10/11/12/13/14/15/{last}", h_other),
        ROUTE(HTTP_GET, "/{a}", h_other),
    };
    struct router *rt = router_new();
    CHECK_INT(router_add(rt, deep, 2), 0);
    struct arena a;
    arena_init(&a);
    struct route_match m;
    unsigned allowed;

    CHECK_INT(match(rt, HTTP_GET, "/1/2/3/4/5/6/7/8/9/10/11/12/13/14/15/16", &a, &m, &allowed),
              ROUTER_FOUND);
    CHECK(m.route == &deep[0]);
    CHECK_STR(param(&m, "last"), "16");

    /* 17 segments: refused outright, not truncated to 16. */
    CHECK_INT(match(rt, HTTP_GET, "/1/2/3/4/5/6/7/8/9/10/11/12/13/14/15/16/17", &a, &m, &allowed),
              ROUTER_NOT_FOUND);
    CHECK_INT(allowed, 0);

    /* A very long path of many segments. */
    char path[4096];
    size_t len = 0;
    for (int i = 0; i < 500; i++)
        len += (size_t)snprintf(path + len, sizeof path - len, "/x");
    CHECK_INT(match(rt, HTTP_GET, path, &a, &m, &allowed), ROUTER_NOT_FOUND);

    arena_release(&a);
    router_free(rt);
}

static void check_literal_wins(const struct route *routes, size_t n,
                               const struct route *want_export, const struct route *want_param)
{
    struct router *rt = router_new();
    CHECK_INT(router_add(rt, routes, n), 0);
    struct arena a;
    arena_init(&a);
    struct route_match m;
    unsigned allowed;

    CHECK_INT(match(rt, HTTP_GET, "/api/sites/export", &a, &m, &allowed), ROUTER_FOUND);
    CHECK(m.route == want_export);
    CHECK_INT(m.nparams, 0);
    CHECK_INT(match(rt, HTTP_HEAD, "/api/sites/export", &a, &m, &allowed), ROUTER_FOUND);
    CHECK(m.route == want_export);

    CHECK_INT(match(rt, HTTP_GET, "/api/sites/12", &a, &m, &allowed), ROUTER_FOUND);
    CHECK(m.route == want_param);
    CHECK_STR(param(&m, "id"), "12");
    /* The dense index points back at the route that matched. */
    CHECK(router_at(rt, (size_t)m.index) == want_param);

    /* The literal path belongs to the literal route whatever the method:
     * another method is 405 with the literal route's methods, it does not
     * fall through to /api/sites/{id} with id "export". */
    CHECK_INT(match(rt, HTTP_DELETE, "/api/sites/export", &a, &m, &allowed), ROUTER_BAD_METHOD);
    CHECK_INT(allowed, HTTP_GET | HTTP_HEAD);
    CHECK_INT(match(rt, HTTP_DELETE, "/api/sites/exports", &a, &m, &allowed), ROUTER_FOUND);
    CHECK(m.route && m.route->method == HTTP_DELETE);
    CHECK_STR(param(&m, "id"), "exports");

    arena_release(&a);
    router_free(rt);
}

static void test_literal_beats_param(void)
{
    static const struct route param_first[] = {
        ROUTE(HTTP_GET, "/api/sites/{id}", h_get),
        ROUTE(HTTP_DELETE, "/api/sites/{id}", h_other),
        ROUTE(HTTP_GET, "/api/sites/export", h_export),
    };
    static const struct route literal_first[] = {
        ROUTE(HTTP_GET, "/api/sites/export", h_export),
        ROUTE(HTTP_GET, "/api/sites/{id}", h_get),
        ROUTE(HTTP_DELETE, "/api/sites/{id}", h_other),
    };
    check_literal_wins(param_first, 3, &param_first[2], &param_first[0]);
    check_literal_wins(literal_first, 3, &literal_first[0], &literal_first[1]);

    /* More literal segments win over fewer, also when added later and
     * when the winner is itself partly a parameter. */
    static const struct route mixed[] = {
        ROUTE(HTTP_GET, "/{a}/{b}/{c}", h_other),
        ROUTE(HTTP_GET, "/x/{b}/{c}", h_list),
        ROUTE(HTTP_GET, "/x/y/{c}", h_get),
        ROUTE(HTTP_POST, "/{a}/{b}/{c}", h_other),
    };
    struct router *rt = router_new();
    CHECK_INT(router_add(rt, mixed, 4), 0);
    struct arena a;
    arena_init(&a);
    struct route_match m;
    unsigned allowed;
    CHECK_INT(match(rt, HTTP_GET, "/x/y/z", &a, &m, &allowed), ROUTER_FOUND);
    CHECK(m.route == &mixed[2]);
    CHECK_INT(m.index, 2);
    CHECK_INT(match(rt, HTTP_GET, "/x/q/z", &a, &m, &allowed), ROUTER_FOUND);
    CHECK(m.route == &mixed[1]);
    CHECK_INT(match(rt, HTTP_GET, "/p/q/z", &a, &m, &allowed), ROUTER_FOUND);
    CHECK(m.route == &mixed[0]);
    CHECK_INT(m.nparams, 3);
    CHECK_INT(allowed, HTTP_GET | HTTP_HEAD | HTTP_POST);
    /* A less literal route of another method does not take the path. */
    CHECK_INT(match(rt, HTTP_POST, "/x/y/z", &a, &m, &allowed), ROUTER_BAD_METHOD);
    CHECK_INT(allowed, HTTP_GET | HTTP_HEAD);
    CHECK_INT(match(rt, HTTP_POST, "/p/q/z", &a, &m, &allowed), ROUTER_FOUND);
    CHECK(m.route == &mixed[3]);
    arena_release(&a);
    router_free(rt);
}

static void test_method_not_allowed(void)
{
    struct router *rt = site_router();
    struct arena a;
    arena_init(&a);
    struct route_match m;
    unsigned allowed;

    /* /api/sites: GET and POST; HEAD comes with GET. */
    CHECK_INT(match(rt, HTTP_PUT, "/api/sites", &a, &m, &allowed), ROUTER_BAD_METHOD);
    CHECK_INT(allowed, HTTP_GET | HTTP_HEAD | HTTP_POST);

    /* HEAD is answered by the GET route. */
    CHECK_INT(match(rt, HTTP_HEAD, "/api/sites", &a, &m, &allowed), ROUTER_FOUND);
    CHECK(m.route == &site_routes[0]);
    CHECK_INT(match(rt, HTTP_HEAD, "/api/sites/9", &a, &m, &allowed), ROUTER_FOUND);
    CHECK(m.route == &site_routes[2]);
    CHECK_STR(param(&m, "id"), "9");

    /* /api/sites/import is the import route's path: GET on it is 405 with
     * POST allowed, not a GET of the site with id "import". */
    CHECK_INT(match(rt, HTTP_GET, "/api/sites/import", &a, &m, &allowed), ROUTER_BAD_METHOD);
    CHECK_INT(allowed, HTTP_POST);

    /* Only POST: HEAD is not implied, and HEAD is refused. */
    static const struct route post_only[] = {
        ROUTE(HTTP_POST, "/api/upload", h_other),
    };
    struct router *rt2 = router_new();
    CHECK_INT(router_add(rt2, post_only, 1), 0);
    CHECK_INT(match(rt2, HTTP_HEAD, "/api/upload", &a, &m, &allowed), ROUTER_BAD_METHOD);
    CHECK_INT(allowed, HTTP_POST);
    CHECK_INT(match(rt2, HTTP_GET, "/api/upload", &a, &m, &allowed), ROUTER_BAD_METHOD);
    CHECK_INT(allowed, HTTP_POST);
    router_free(rt2);

    /* /api/sites/export: only the literal route's methods. */
    CHECK_INT(match(rt, HTTP_PUT, "/api/sites/export", &a, &m, &allowed), ROUTER_BAD_METHOD);
    CHECK_INT(allowed, HTTP_GET | HTTP_HEAD);
    /* Any other id: every {id} route. */
    CHECK_INT(match(rt, HTTP_POST, "/api/sites/5", &a, &m, &allowed), ROUTER_BAD_METHOD);
    CHECK_INT(allowed, HTTP_GET | HTTP_HEAD | HTTP_PATCH | HTTP_DELETE);

    /* An unknown method bit on a known path is 405 too. */
    CHECK_INT(match(rt, HTTP_OPTIONS, "/api/sites", &a, &m, &allowed), ROUTER_BAD_METHOD);
    CHECK_INT(match(rt, 1u << 20, "/api/sites", &a, &m, &allowed), ROUTER_BAD_METHOD);

    /* An unknown path is 404 with nothing allowed. */
    CHECK_INT(match(rt, HTTP_PUT, "/api/nothing", &a, &m, &allowed), ROUTER_NOT_FOUND);
    CHECK_INT(allowed, 0);

    arena_release(&a);
    router_free(rt);
}

/* A table of hundreds of routes (the server's is near 300), of several
 * lengths, added in one order: every path finds its own route and dense
 * index, and segments that differ only late in the text, or only by
 * length, are told apart. */
#define NMANY 240
static void test_many_routes(void)
{
    static struct route many[NMANY];
    static char patterns[NMANY][48];
    for (int i = 0; i < NMANY; i++) {
        switch (i % 3) {
        case 0:
            snprintf(patterns[i], sizeof patterns[i], "/api/module%d", i);
            break;
        case 1:
            snprintf(patterns[i], sizeof patterns[i], "/api/module%d/{id}", i);
            break;
        default:
            snprintf(patterns[i], sizeof patterns[i], "/api/module%d/{id}/items/x%d", i, i);
            break;
        }
        many[i] = (struct route)ROUTE(HTTP_GET, patterns[i], h_other);
    }
    struct router *rt = router_new();
    CHECK_INT(router_add(rt, many, NMANY), 0);
    CHECK_INT(router_count(rt), NMANY);
    struct arena a;
    arena_init(&a);
    struct route_match m;
    unsigned allowed;
    char path[64];
    for (int i = 0; i < NMANY; i++) {
        if (i % 3 == 0)
            snprintf(path, sizeof path, "/api/module%d", i);
        else if (i % 3 == 1)
            snprintf(path, sizeof path, "/api/module%d/7", i);
        else
            snprintf(path, sizeof path, "/api/module%d/7/items/x%d", i, i);
        CHECK_INT(match(rt, HTTP_GET, path, &a, &m, &allowed), ROUTER_FOUND);
        CHECK(m.route == &many[i]);
        CHECK_INT(m.index, i);
    }
    /* A prefix, an extension, and the wrong tail are not routes. */
    CHECK_INT(match(rt, HTTP_GET, "/api/module", &a, &m, &allowed), ROUTER_NOT_FOUND);
    CHECK_INT(match(rt, HTTP_GET, "/api/module00", &a, &m, &allowed), ROUTER_NOT_FOUND);
    CHECK_INT(match(rt, HTTP_GET, "/api/module2/7/items/x3", &a, &m, &allowed), ROUTER_NOT_FOUND);
    CHECK_INT(match(rt, HTTP_POST, "/api/module3", &a, &m, &allowed), ROUTER_BAD_METHOD);
    CHECK_INT(allowed, HTTP_GET | HTTP_HEAD);
    arena_release(&a);
    router_free(rt);
}

/* A route with more literal segments added after the {param} routes of
 * the same shape takes the path over: only its methods are allowed. */
static void test_later_literal_takes_path(void)
{
    static const struct route routes[] = {
        ROUTE(HTTP_GET, "/api/things/{id}", h_get),
        ROUTE(HTTP_DELETE, "/api/things/{id}", h_other),
        ROUTE(HTTP_POST, "/api/things/new", h_list),
        ROUTE(HTTP_GET, "/api/{kind}/{id}", h_export),
    };
    struct router *rt = router_new();
    CHECK_INT(router_add(rt, routes, 4), 0);
    struct arena a;
    arena_init(&a);
    struct route_match m;
    unsigned allowed;
    CHECK_INT(match(rt, HTTP_GET, "/api/things/new", &a, &m, &allowed), ROUTER_BAD_METHOD);
    CHECK_INT(allowed, HTTP_POST);
    CHECK_INT(match(rt, HTTP_POST, "/api/things/new", &a, &m, &allowed), ROUTER_FOUND);
    CHECK(m.route == &routes[2]);
    CHECK_INT(m.index, 2);
    CHECK_INT(match(rt, HTTP_PUT, "/api/things/4", &a, &m, &allowed), ROUTER_BAD_METHOD);
    CHECK_INT(allowed, HTTP_GET | HTTP_HEAD | HTTP_DELETE);
    CHECK_INT(match(rt, HTTP_GET, "/api/other/4", &a, &m, &allowed), ROUTER_FOUND);
    CHECK(m.route == &routes[3]);
    CHECK_STR(param(&m, "kind"), "other");
    arena_release(&a);
    router_free(rt);
}

static void test_duplicate_refused(void)
{
    struct router *rt = site_router();
    CHECK_INT(router_count(rt), NSITE_ROUTES);

    static const struct route dup[] = {
        ROUTE(HTTP_GET, "/api/sites/{id}", h_other),
    };
    CHECK_INT(router_add(rt, dup, 1), -1);
    CHECK_INT(router_count(rt), NSITE_ROUTES);

    /* The same pattern under another method is not a duplicate. */
    static const struct route put[] = {
        ROUTE(HTTP_PUT, "/api/sites/{id}", h_other),
    };
    CHECK_INT(router_add(rt, put, 1), 0);
    CHECK_INT(router_count(rt), NSITE_ROUTES + 1);

    /* A duplicate inside one batch is caught too. */
    static const struct route twice[] = {
        ROUTE(HTTP_GET, "/api/twice", h_other),
        ROUTE(HTTP_GET, "/api/twice", h_list),
    };
    struct router *rt2 = router_new();
    CHECK_INT(router_add(rt2, twice, 2), -1);
    router_free(rt2);

    /* The first of the two stays the one that answers. */
    struct arena a;
    arena_init(&a);
    struct route_match m;
    unsigned allowed;
    CHECK_INT(match(rt, HTTP_GET, "/api/sites/3", &a, &m, &allowed), ROUTER_FOUND);
    CHECK(m.route == &site_routes[2]);
    arena_release(&a);

    CHECK(router_at(rt, 0) == &site_routes[0]);
    CHECK(router_at(rt, NSITE_ROUTES) == &put[0]);
    CHECK(router_at(rt, NSITE_ROUTES + 1) == NULL);
    router_free(rt);
    router_free(NULL);
}

/*
 * Two patterns that differ only in a parameter's name or a trailing slash
 * match exactly the same paths; the second can never be reached (ties go
 * to the route added first), so router_add must refuse it like a textual
 * duplicate. Found while writing these tests: router.c compares the raw
 * pattern text (strcmp) instead of the split segments.
 */
static void test_equivalent_pattern_is_duplicate(void)
{
    static const struct route by_name[] = {
        ROUTE(HTTP_GET, "/api/sites/{id}", h_get),
        ROUTE(HTTP_GET, "/api/sites/{site_id}", h_other),
    };
    struct router *rt = router_new();
    CHECK_INT(router_add(rt, by_name, 2), -1);
    router_free(rt);

    static const struct route by_slash[] = {
        ROUTE(HTTP_GET, "/api/sites", h_list),
        ROUTE(HTTP_GET, "/api/sites/", h_other),
    };
    rt = router_new();
    CHECK_INT(router_add(rt, by_slash, 2), -1);
    router_free(rt);
}

static void test_allow_header(void)
{
    char buf[128];
    router_allow_header(HTTP_GET | HTTP_HEAD | HTTP_POST, buf, sizeof buf);
    CHECK_STR(buf, "GET, HEAD, POST");
    /* Fixed order whatever the bits. */
    router_allow_header(HTTP_DELETE | HTTP_GET | HTTP_PATCH | HTTP_HEAD, buf, sizeof buf);
    CHECK_STR(buf, "GET, HEAD, PATCH, DELETE");
    router_allow_header(HTTP_POST, buf, sizeof buf);
    CHECK_STR(buf, "POST");
    router_allow_header(0, buf, sizeof buf);
    CHECK_STR(buf, "");
    router_allow_header(HTTP_GET | HTTP_HEAD | HTTP_POST | HTTP_PUT | HTTP_PATCH | HTTP_DELETE |
                            HTTP_OPTIONS,
                        buf, sizeof buf);
    CHECK_STR(buf, "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS");
    /* Unknown bits are ignored. */
    router_allow_header(HTTP_PUT | (1u << 20), buf, sizeof buf);
    CHECK_STR(buf, "PUT");

    /* A small buffer is never overrun and stays terminated. */
    char small[12];
    memset(small, 'Z', sizeof small);
    router_allow_header(HTTP_GET | HTTP_HEAD | HTTP_POST | HTTP_DELETE, small, 8);
    CHECK(memchr(small, '\0', 8) != NULL);
    CHECK_INT(small[8], 'Z');
    CHECK(strncmp(small, "GET", 3) == 0);
}

static void test_method_names(void)
{
    static const unsigned methods[] = {HTTP_GET,   HTTP_HEAD,   HTTP_POST,   HTTP_PUT,
                                       HTTP_PATCH, HTTP_DELETE, HTTP_OPTIONS};
    static const char *const names[] = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"};
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
        CHECK_STR(router_method_name(methods[i]), names[i]);
        CHECK_INT(router_method_parse(names[i]), methods[i]);
        CHECK_INT(router_method_parse(router_method_name(methods[i])), methods[i]);
    }
    CHECK_STR(router_method_name(0), "OTHER");
    CHECK_STR(router_method_name(HTTP_GET | HTTP_POST), "OTHER");
    CHECK_STR(router_method_name(1u << 20), "OTHER");
    CHECK_INT(router_method_parse("get"), 0);
    CHECK_INT(router_method_parse("GET "), 0);
    CHECK_INT(router_method_parse(""), 0);
    CHECK_INT(router_method_parse("TRACE"), 0);
    CHECK_INT(router_method_parse("OTHER"), 0);
}

static void test_no_leading_slash(void)
{
    struct router *rt = site_router();
    struct arena a;
    arena_init(&a);
    struct route_match m;
    unsigned allowed;

    static const char *const paths[] = {
        "api/sites", "", "api/sites/1", " /api/sites", "*", "http://h/api/sites",
    };
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        enum router_result res = match(rt, HTTP_GET, paths[i], &a, &m, &allowed);
        if (res != ROUTER_NOT_FOUND)
            fprintf(stderr, "  path \"%s\"\n", paths[i]);
        CHECK_INT(res, ROUTER_NOT_FOUND);
        CHECK_INT(allowed, 0);
    }
    arena_release(&a);
    router_free(rt);
}

/* Run router_add on one pattern in a child; did it abort? */
static int aborts_on(const char *pattern)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        /* Silence the router's message in the child. */
        if (!freopen("/dev/null", "w", stderr))
            _exit(3);
        struct route r[] = {ROUTE(HTTP_GET, pattern, h_other)};
        struct router *rt = router_new();
        router_add(rt, r, 1);
        router_free(rt);
        _exit(0);
    }
    int status = 0;
    if (waitpid(pid, &status, 0) != pid)
        return -1;
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
}

static void test_malformed_pattern_aborts(void)
{
    CHECK_INT(aborts_on("api/sites"), 1);
    CHECK_INT(aborts_on("/api//sites"), 1);
    CHECK_INT(aborts_on("/1/2/3/4/5/6/7/8/9/10/11/12/13/14/15/16/17"), 1);
    CHECK_INT(aborts_on("/{a}/{b}/{c}/{d}/{e}/{f}/{g}/{h}/{i}"), 1);
    CHECK_INT(aborts_on("/api/sites/{id}"), 0);
}

/* The literal-route table against a plain scan of every route: random
 * route sets (literal and {param} segments over a small vocabulary, so
 * shapes collide, added one by one) and random paths; the
 * result, the route, the allowed set and the parameters must agree with
 * the rule of router.h computed the slow way. */
#define DIFF_ROUTES 160

static bool seg_is_param(const char *p, size_t n)
{
    return n >= 2 && p[0] == '{' && p[n - 1] == '}';
}

/* Split "/a/b" into its segments (at most 8); -1 for a bad path. */
static int diff_split(const char *path, const char *seg[8], size_t len[8])
{
    if (path[0] != '/')
        return -1;
    int n = 0;
    const char *p = path + 1;
    while (*p) {
        const char *q = strchr(p, '/');
        size_t l = q ? (size_t)(q - p) : strlen(p);
        if (!l || n == 8)
            return -1;
        seg[n] = p;
        len[n++] = l;
        if (!q)
            break;
        p = q + 1;
    }
    return n;
}

static enum router_result diff_reference(const struct route *routes, size_t n, unsigned method,
                                         const char *path, const struct route **hit,
                                         unsigned *allowed)
{
    const char *ps[8], *rs[8];
    size_t pl[8], rl[8];
    int np = diff_split(path, ps, pl);
    unsigned want = method == HTTP_HEAD ? HTTP_GET : method;
    int best = -1;
    *hit = NULL;
    *allowed = 0;
    if (np < 0)
        return ROUTER_NOT_FOUND;
    for (size_t i = 0; i < n; i++) {
        int nr = diff_split(routes[i].pattern, rs, rl);
        if (nr != np)
            continue;
        int lit = 0;
        bool ok = true;
        for (int s = 0; ok && s < nr; s++) {
            if (seg_is_param(rs[s], rl[s]))
                continue;
            lit++;
            ok = rl[s] == pl[s] && memcmp(rs[s], ps[s], pl[s]) == 0;
        }
        if (!ok || lit < best)
            continue;
        if (lit > best) {
            best = lit;
            *allowed = 0;
            *hit = NULL;
        }
        *allowed |= routes[i].method;
        if (routes[i].method == HTTP_GET)
            *allowed |= HTTP_HEAD;
        if (!*hit && routes[i].method == want)
            *hit = &routes[i];
    }
    if (!*hit)
        return *allowed ? ROUTER_BAD_METHOD : ROUTER_NOT_FOUND;
    return ROUTER_FOUND;
}

static void test_literal_table_matches_scan(void)
{
    static const char *const words[] = {"api", "sites", "near", "x", "{id}", "{code}"};
    static const unsigned methods[] = {HTTP_GET, HTTP_POST, HTTP_PUT, HTTP_DELETE};
    static struct route routes[DIFF_ROUTES];
    static char patterns[DIFF_ROUTES][64];
    unsigned seed = 12345;
    struct router *rt = router_new();
    size_t n = 0;
    for (int tries = 0; n < DIFF_ROUTES && tries < 100000; tries++) {
        seed = seed * 1103515245u + 12345u;
        int nseg = 1 + (int)((seed >> 16) % 4);
        char *w = patterns[n];
        w[0] = '\0';
        for (int s = 0; s < nseg; s++) {
            seed = seed * 1103515245u + 12345u;
            strcat(w, "/");
            strcat(w, words[(seed >> 16) % 6]);
        }
        seed = seed * 1103515245u + 12345u;
        routes[n] = (struct route){
            methods[(seed >> 16) % 4], w, h_other, ACCESS_PUBLIC, BODY_NONE, SCOPE_ANY, 0};
        /* One at a time, so a duplicate shape is refused alone. */
        if (router_add(rt, &routes[n], 1) == 0)
            n++;
    }
    CHECK(n > 40);
    struct arena a;
    arena_init(&a);
    int checked = 0;
    for (int i = 0; i < 4000; i++) {
        char path[64] = "";
        seed = seed * 1103515245u + 12345u;
        int nseg = 1 + (int)((seed >> 16) % 4);
        for (int s = 0; s < nseg; s++) {
            seed = seed * 1103515245u + 12345u;
            strcat(path, "/");
            strcat(path, words[(seed >> 16) % 4]);
        }
        seed = seed * 1103515245u + 12345u;
        unsigned method = (seed >> 16) % 5 == 4 ? HTTP_HEAD : methods[(seed >> 16) % 4];
        const struct route *want_hit;
        unsigned want_allowed, allowed;
        enum router_result want = diff_reference(routes, n, method, path, &want_hit, &want_allowed);
        struct route_match m;
        enum router_result got = match(rt, method, path, &a, &m, &allowed);
        CHECK_INT(got, want);
        CHECK_INT(allowed, want_allowed);
        if (got == ROUTER_FOUND && want == ROUTER_FOUND) {
            CHECK(m.route == want_hit);
            CHECK(m.index == (int)(want_hit - routes));
        }
        checked++;
    }
    CHECK_INT(checked, 4000);
    arena_release(&a);
    router_free(rt);
}

int main(void)
{
    RUN(test_literal_match);
    RUN(test_param_match);
    RUN(test_several_params);
    RUN(test_trailing_slash);
    RUN(test_empty_segments);
    RUN(test_too_many_segments);
    RUN(test_literal_beats_param);
    RUN(test_method_not_allowed);
    RUN(test_many_routes);
    RUN(test_later_literal_takes_path);
    RUN(test_duplicate_refused);
    RUN(test_equivalent_pattern_is_duplicate);
    RUN(test_allow_header);
    RUN(test_method_names);
    RUN(test_no_leading_slash);
    RUN(test_malformed_pattern_aborts);
    RUN(test_literal_table_matches_scan);
    return test_report("router");
}
