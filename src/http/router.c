/*
 * router.c - the route table declared in router.h.
 *
 * Patterns are split into segments once, at router_add. A request path is
 * split the same way (no allocation: segment bounds into the path) and
 * compared, in the order added, with the routes of as many segments;
 * literal segments must be equal, {name} segments match any non-empty
 * segment. Each segment carries a hash taken while splitting, so a
 * literal that differs (nearly every route of a table of hundreds) costs
 * one compare, not a memcmp; a route's count of literal segments is kept
 * from router_add. One pass over those routes finds the route, or the
 * methods the path allows.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/router.h"

struct route_entry {
    const struct route *route;
    int nseg;
    int nliteral;                         /* segments that are not {name} */
    const char *seg[ROUTER_MAX_SEGMENTS]; /* literal text or NULL for param */
    size_t seglen[ROUTER_MAX_SEGMENTS];
    uint32_t seghash[ROUTER_MAX_SEGMENTS]; /* of a literal segment */
    const char *pname[ROUTER_MAX_SEGMENTS];
    size_t pnamelen[ROUTER_MAX_SEGMENTS];
};

/* The routes of each segment count, as indexes into entries, in the
 * order added. */
struct route_bucket {
    size_t *at;
    size_t n, cap;
};

/* A route without {params}, by the hash of its segments (literal_key):
 * most requests (the map's among them) are for such a path, and one
 * matching is the answer, so they are found by a binary search of this
 * small array rather than a scan of every route of their length. */
struct literal_route {
    uint64_t key;
    size_t at; /* index into entries */
};

struct router {
    struct route_entry *entries;
    size_t n, cap;
    struct route_bucket by_nseg[ROUTER_MAX_SEGMENTS + 1];
    struct literal_route *literal; /* by (key, at) */
    size_t nliteral;
};

struct path_split {
    int nseg;
    const char *seg[ROUTER_MAX_SEGMENTS];
    size_t len[ROUTER_MAX_SEGMENTS];
    uint32_t hash[ROUTER_MAX_SEGMENTS];
};

/* Split "/a/b/c" into segments, hashing each (FNV-1a) on the way. A
 * trailing slash is ignored except for "/". Returns -1 for a path without
 * a leading slash, an empty inner segment or too many segments. */
static int split_path(const char *path, struct path_split *out)
{
    out->nseg = 0;
    if (path[0] != '/')
        return -1;
    const char *p = path + 1;
    while (*p) {
        uint32_t h = 2166136261u;
        const char *q = p;
        for (; *q && *q != '/'; q++)
            h = (h ^ (unsigned char)*q) * 16777619u;
        size_t len = (size_t)(q - p);
        if (len == 0)
            return -1;
        if (out->nseg == ROUTER_MAX_SEGMENTS)
            return -1;
        out->seg[out->nseg] = p;
        out->len[out->nseg] = len;
        out->hash[out->nseg] = h;
        out->nseg++;
        if (!*q)
            break;
        p = q + 1;
    }
    return 0;
}

static bool same_shape(const struct route_entry *a, const struct route_entry *b);

/* The key of a path of literal segments, from their hashes. */
static uint64_t literal_key(int nseg, const uint32_t *hash)
{
    uint64_t k = (uint64_t)nseg;
    for (int s = 0; s < nseg; s++)
        k = (k ^ hash[s]) * 1099511628211ull;
    return k;
}

static int cmp_literal(const void *a, const void *b)
{
    const struct literal_route *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return (x->at > y->at) - (x->at < y->at);
}

struct router *router_new(void)
{
    struct router *rt = calloc(1, sizeof(*rt));
    if (!rt)
        die_oom();
    return rt;
}

void router_free(struct router *rt)
{
    if (!rt)
        return;
    for (int i = 0; i <= ROUTER_MAX_SEGMENTS; i++)
        free(rt->by_nseg[i].at);
    free(rt->entries);
    free(rt->literal);
    free(rt);
}

int router_add(struct router *rt, const struct route *routes, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct route_entry e;
        memset(&e, 0, sizeof e);
        e.route = &routes[i];
        struct path_split ps;
        if (split_path(routes[i].pattern, &ps)) {
            fprintf(stderr, "router: bad pattern %s\n", routes[i].pattern);
            abort();
        }
        e.nseg = ps.nseg;
        int nparams = 0;
        for (int s = 0; s < ps.nseg; s++) {
            if (ps.seg[s][0] == '{' && ps.seg[s][ps.len[s] - 1] == '}') {
                e.seg[s] = NULL;
                e.pname[s] = ps.seg[s] + 1;
                e.pnamelen[s] = ps.len[s] - 2;
                if (++nparams > REQ_MAX_PARAMS)
                    abort();
            } else {
                e.seg[s] = ps.seg[s];
                e.seglen[s] = ps.len[s];
                e.seghash[s] = ps.hash[s];
                e.nliteral++;
            }
        }
        for (size_t j = 0; j < rt->n; j++)
            if (rt->entries[j].route->method == routes[i].method && same_shape(&rt->entries[j], &e))
                return -1;
        if (rt->n == rt->cap) {
            rt->cap = rt->cap ? rt->cap * 2 : 32;
            rt->entries = realloc(rt->entries, rt->cap * sizeof(*rt->entries));
            if (!rt->entries)
                die_oom();
        }
        struct route_bucket *b = &rt->by_nseg[e.nseg];
        if (b->n == b->cap) {
            b->cap = b->cap ? b->cap * 2 : 16;
            b->at = realloc(b->at, b->cap * sizeof(*b->at));
            if (!b->at)
                die_oom();
        }
        b->at[b->n++] = rt->n;
        rt->entries[rt->n++] = e;
        if (e.nliteral == e.nseg) {
            struct literal_route *l =
                realloc(rt->literal, (rt->nliteral + 1) * sizeof(*rt->literal));
            if (!l)
                die_oom();
            rt->literal = l;
            rt->literal[rt->nliteral++] =
                (struct literal_route){literal_key(e.nseg, ps.hash), rt->n - 1};
        }
    }
    /* Equal keys stay in the order the routes were added (the scan's). */
    if (rt->nliteral) /* (qsort of NULL: undefined even for none) */
        qsort(rt->literal, rt->nliteral, sizeof(*rt->literal), cmp_literal);
    return 0;
}

/* Would the two match the same paths? ({id} and {site_id} do.) */
static bool same_shape(const struct route_entry *a, const struct route_entry *b)
{
    if (a->nseg != b->nseg)
        return false;
    for (int s = 0; s < a->nseg; s++) {
        if (!a->seg[s] != !b->seg[s])
            return false;
        if (a->seg[s] &&
            (a->seglen[s] != b->seglen[s] || memcmp(a->seg[s], b->seg[s], a->seglen[s]) != 0))
            return false;
    }
    return true;
}

size_t router_count(const struct router *rt)
{
    return rt->n;
}

const struct route *router_at(const struct router *rt, size_t i)
{
    return i < rt->n ? rt->entries[i].route : NULL;
}

/* e has as many segments as ps (its bucket's). The hashes first: every
 * route shares "api", so a memcmp segment by segment would be paid for
 * that one on every route of the bucket. */
static bool entry_matches(const struct route_entry *e, const struct path_split *ps)
{
    for (int s = 0; s < e->nseg; s++)
        if (e->seg[s] && (e->seghash[s] != ps->hash[s] || e->seglen[s] != ps->len[s]))
            return false;
    for (int s = 0; s < e->nseg; s++)
        if (e->seg[s] && memcmp(e->seg[s], ps->seg[s], ps->len[s]) != 0)
            return false;
    return true;
}

/* A route among the best for the path: its methods are allowed, and it
 * is the hit if it is the first with the method wanted. */
static void note_match(const struct route_entry *e, size_t index, unsigned want, unsigned *allowed,
                       const struct route_entry **hit, size_t *hit_index)
{
    *allowed |= e->route->method;
    if (e->route->method == HTTP_GET)
        *allowed |= HTTP_HEAD;
    if (!*hit && e->route->method == want) {
        *hit = e;
        *hit_index = index;
    }
}

enum router_result router_match(const struct router *rt, unsigned method, const char *path,
                                struct arena *a, struct route_match *m, unsigned *allowed)
{
    struct path_split ps;
    *allowed = 0;
    if (split_path(path, &ps))
        return ROUTER_NOT_FOUND;
    unsigned want = method == HTTP_HEAD ? HTTP_GET : method;
    /* The path belongs to the routes with the most literal segments among
     * those whose shape matches: /api/sites/import is the import route's
     * path whatever the method, so GET on it is 405, not /api/sites/{id}.
     * A route with more literals seen later starts the set again. */
    int best = -1;
    const struct route_entry *hit = NULL;
    size_t hit_index = 0;
    /* A route of literals only that matches has the most literals there
     * can be: the set is those routes, all with this key. */
    uint64_t key = literal_key(ps.nseg, ps.hash);
    size_t lo = 0, hi = rt->nliteral;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (rt->literal[mid].key < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; lo < rt->nliteral && rt->literal[lo].key == key; lo++) {
        const struct route_entry *e = &rt->entries[rt->literal[lo].at];
        if (e->nseg != ps.nseg || !entry_matches(e, &ps))
            continue;
        best = e->nliteral;
        note_match(e, rt->literal[lo].at, want, allowed, &hit, &hit_index);
    }
    /* Else the routes of the path's length, {params} and all. */
    bool literal = best >= 0;
    const struct route_bucket *b = &rt->by_nseg[ps.nseg];
    for (size_t k = 0; !literal && k < b->n; k++) {
        const struct route_entry *e = &rt->entries[b->at[k]];
        if (e->nliteral < best || !entry_matches(e, &ps))
            continue;
        if (e->nliteral > best) {
            best = e->nliteral;
            *allowed = 0;
            hit = NULL;
        }
        note_match(e, b->at[k], want, allowed, &hit, &hit_index);
    }
    if (!hit)
        return *allowed ? ROUTER_BAD_METHOD : ROUTER_NOT_FOUND;
    m->route = hit->route;
    m->index = (int)hit_index;
    m->nparams = 0;
    for (int s = 0; s < hit->nseg; s++) {
        if (hit->seg[s])
            continue;
        m->names[m->nparams] = arena_strndup(a, hit->pname[s], hit->pnamelen[s]);
        m->values[m->nparams] = arena_strndup(a, ps.seg[s], ps.len[s]);
        m->nparams++;
    }
    return ROUTER_FOUND;
}

static const struct {
    unsigned bit;
    const char *name;
} method_names[] = {
    {HTTP_GET, "GET"},     {HTTP_HEAD, "HEAD"},     {HTTP_POST, "POST"},       {HTTP_PUT, "PUT"},
    {HTTP_PATCH, "PATCH"}, {HTTP_DELETE, "DELETE"}, {HTTP_OPTIONS, "OPTIONS"},
};

const char *router_method_name(unsigned method)
{
    for (size_t i = 0; i < sizeof method_names / sizeof method_names[0]; i++)
        if (method_names[i].bit == method)
            return method_names[i].name;
    return "OTHER";
}

unsigned router_method_parse(const char *name)
{
    for (size_t i = 0; i < sizeof method_names / sizeof method_names[0]; i++)
        if (strcmp(method_names[i].name, name) == 0)
            return method_names[i].bit;
    return 0;
}

void router_allow_header(unsigned methods, char *buf, size_t cap)
{
    size_t len = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < sizeof method_names / sizeof method_names[0]; i++) {
        if (!(methods & method_names[i].bit))
            continue;
        int n = snprintf(buf + len, cap - len, "%s%s", len ? ", " : "", method_names[i].name);
        if (n < 0 || (size_t)n >= cap - len)
            break;
        len += (size_t)n;
    }
}
