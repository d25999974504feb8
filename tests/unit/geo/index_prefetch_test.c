/*
 * index_prefetch_test.c - the prefetch hook of struct geo_filter (index.h):
 * nearest hands it each round of candidates before accept sees them, in
 * hit order, and accept is then asked about exactly those ids in that
 * order (all of every round but the last, a prefix of the last); no id is
 * handed over twice; a query with the hook answers as one without it
 * (NULL), and bbox, clusters and nearest without accept never call it.
 * The first round's size follows the share of candidates accept accepted
 * in recent queries (geo_index_accept_share).
 */
#include "geo/index.h"
#include "test.h"

#include <stdint.h>
#include <stdlib.h>

enum { NSITES = 20000, NPENDING = 40, MAXLOG = 200000, MAXROUNDS = 64 };

struct trace {
    int64_t offered[MAXLOG]; /* every id handed to prefetch, in order */
    size_t noffered;
    size_t round_end[MAXROUNDS]; /* offered[] index after each round */
    size_t nrounds;
    size_t asked; /* accept calls so far: offered[0 .. asked) */
    int bad;      /* accept asked about something not next in offered[] */
    int refuse;   /* accept refuses ids with id % refuse != 0 */
    int hooks;    /* prefetch calls */
};

static uint64_t rng = 0x2545f4914f6cdd1dull;

static uint64_t rnd(void)
{
    return test_xorshift(&rng);
}

static double rnd01(void)
{
    return (double)(rnd() >> 11) / 9007199254740992.0;
}

static bool t_accept(void *ctx, int64_t id)
{
    struct trace *t = ctx;

    if (t->asked >= t->noffered || t->offered[t->asked] != id)
        t->bad++;
    t->asked++;
    return id % t->refuse == 0;
}

static void t_prefetch(void *ctx, const int64_t *ids, size_t n)
{
    struct trace *t = ctx;

    t->hooks++;
    /* A new round only once accept has seen all of the previous one. */
    if (t->asked != t->noffered)
        t->bad++;
    if (n == 0 || t->noffered + n > MAXLOG || t->nrounds == MAXROUNDS) {
        t->bad++;
        return;
    }
    for (size_t i = 0; i < n; i++)
        t->offered[t->noffered++] = ids[i];
    t->round_end[t->nrounds++] = t->noffered;
}

static bool t_accept_plain(void *ctx, int64_t id)
{
    const struct trace *t = ctx;

    return id % t->refuse == 0;
}

static void t_count(void *ctx, const int64_t *ids, size_t n)
{
    (void)ids;
    (void)n;
    ((struct trace *)ctx)->hooks++;
}

static struct geo_index *make_index(void)
{
    struct geo_index *ix = geo_index_new();
    struct geo_entry *e = calloc(NSITES, sizeof *e);

    /* Around a few centres, so queries find dense neighbourhoods. */
    for (size_t i = 0; i < NSITES; i++) {
        double clat = (double)(i % 5) * 7 + 20, clon = (double)(i % 5) * 9 + 100;

        e[i].id = (int64_t)i + 1;
        e[i].lat = clat + (rnd01() - 0.5) * 2;
        e[i].lon = clon + (rnd01() - 0.5) * 2;
        e[i].amenities = rnd() & 3;
        e[i].type = (uint16_t)(rnd() % 3);
        e[i].tier = (uint8_t)(rnd() % 4);
    }
    CHECK_INT(geo_index_build(ix, e, NSITES), 0);
    /* Some sites on the pending list too (new and moved). */
    for (size_t i = 0; i < NPENDING; i++) {
        struct geo_entry p = e[rnd() % NSITES];

        if (i % 2)
            p.id = NSITES + 1 + (int64_t)i;
        p.lat += (rnd01() - 0.5) * 0.01;
        p.lon += (rnd01() - 0.5) * 0.01;
        CHECK_INT(geo_index_upsert(ix, &p), 0);
    }
    free(e);
    return ix;
}

/* Squared chord from the query to site id, as the index orders hits. */
static uint64_t key_of(struct geo_index *ix, double lat, double lon, int64_t id)
{
    struct geo_entry g;

    if (geo_index_get(ix, id, &g) != 0)
        return UINT64_MAX;
    return geo_index_chord2(lat, lon, g.lat, g.lon);
}

static void test_rounds_match_accept(void)
{
    static struct trace t;
    static struct geo_hit got[GEO_INDEX_MAX_K], plain[GEO_INDEX_MAX_K];
    static const int refuse[] = {1, 2, 5, 40, 1000000};
    struct geo_index *ix = make_index();
    int multi = 0, partial = 0;

    for (int q = 0; q < 300; q++) {
        int c = (int)(rnd() % 5);
        double lat = (double)c * 7 + 20 + (rnd01() - 0.5) * 2;
        double lon = (double)c * 9 + 100 + (rnd01() - 0.5) * 2;
        size_t k = q % 7 == 0 ? 1 + rnd() % 300 : 1 + rnd() % 12;
        struct geo_filter f = {0, -1, 0, t_accept, &t, t_prefetch};
        struct geo_filter f0 = {0, -1, 0, t_accept_plain, &t, NULL};
        size_t n, n0, pos = 0;

        if (q % 3 == 1)
            f.amenities_all = f0.amenities_all = 1;
        if (q % 4 == 2)
            f.type = f0.type = 1;
        if (q % 5 == 3)
            f.radius_m = f0.radius_m = 5000 + rnd01() * 60000;
        memset(&t, 0, sizeof t);
        t.refuse = refuse[q % 5];
        n = geo_index_nearest(ix, lat, lon, k, &f, got);
        CHECK_INT(t.bad, 0);
        /* Every round but the last was asked about in full; the last at
         * least in part (a round is only fetched to be asked about). */
        if (t.nrounds) {
            CHECK(t.asked <= t.noffered);
            CHECK(t.asked > (t.nrounds > 1 ? t.round_end[t.nrounds - 2] : 0));
            if (t.asked < t.noffered)
                partial++;
        }
        if (t.nrounds > 1)
            multi++;
        /* Hit order over all rounds, no id twice. */
        for (size_t i = 1; i < t.noffered; i++) {
            uint64_t a = key_of(ix, lat, lon, t.offered[i - 1]);
            uint64_t b = key_of(ix, lat, lon, t.offered[i]);

            CHECK(a < b || (a == b && t.offered[i - 1] < t.offered[i]));
        }
        /* The answer is the accepted ones among those asked about, in
         * order, and the same as without the hook. */
        for (size_t i = 0; i < t.asked && pos < n; i++)
            if (t.offered[i] % t.refuse == 0)
                CHECK(got[pos++].id == t.offered[i]);
        CHECK_INT(pos, n);
        n0 = geo_index_nearest(ix, lat, lon, k, &f0, plain);
        CHECK_INT(n0, n);
        for (size_t i = 0; i < n && i < n0; i++) {
            CHECK_INT(plain[i].id, got[i].id);
            CHECK(plain[i].distance_m == got[i].distance_m);
        }
    }
    /* The cases above did occur. */
    CHECK(multi > 10);
    CHECK(partial > 10);
    geo_index_free(ix);
}

static void test_not_called_elsewhere(void)
{
    static struct geo_hit hits[50];
    static int64_t ids[5000];
    static struct geo_cluster cl[500];
    struct trace t = {0};
    struct geo_index *ix = make_index();
    struct geo_filter none = {0, -1, 0, NULL, &t, t_count};
    struct geo_filter acc = {0, -1, 0, t_accept_plain, &t, t_count};
    size_t total = 0;

    t.refuse = 2;
    /* Without accept there is nothing to prefetch for. */
    CHECK(geo_index_nearest(ix, 20, 100, 50, &none, hits) == 50);
    CHECK_INT(t.hooks, 0);
    /* bbox and clusters call accept per match, not in rounds. */
    CHECK(geo_index_bbox(ix, 99, 19, 101, 21, &acc, ids, 5000, &total) > 0);
    CHECK(total > 0);
    CHECK(geo_index_clusters(ix, 99, 19, 101, 21, 8, &acc, cl, 500) > 0);
    CHECK_INT(t.hooks, 0);
    /* And with accept, nearest does call it. */
    CHECK(geo_index_nearest(ix, 20, 100, 50, &acc, hits) == 50);
    CHECK(t.hooks > 0);
    geo_index_free(ix);
}

/* The share the index keeps of accepted candidates, and the first round
 * it sizes: about 1.2 k / share, so a query usually needs one search. */
static double share_after(struct geo_index *ix, int refuse, size_t *first_round)
{
    static struct trace t;
    static struct geo_hit got[5], plain[5];

    for (int q = 0; q < 400; q++) {
        int c = (int)(rnd() % 5);
        double lat = (double)c * 7 + 20 + (rnd01() - 0.5) * 1.5;
        double lon = (double)c * 9 + 100 + (rnd01() - 0.5) * 1.5;
        struct geo_filter f = {0, -1, 0, t_accept, &t, t_prefetch};
        struct geo_filter f0 = {0, -1, 0, t_accept_plain, &t, NULL};
        size_t n;

        memset(&t, 0, sizeof t);
        t.refuse = refuse;
        n = geo_index_nearest(ix, lat, lon, 5, &f, got);
        CHECK_INT(t.bad, 0);
        CHECK_INT(n, 5);
        *first_round = t.nrounds ? t.round_end[0] : 0;
        /* Whatever the rounds, the answer is the one without the hook. */
        CHECK_INT(geo_index_nearest(ix, lat, lon, 5, &f0, plain), 5);
        for (size_t i = 0; i < 5; i++)
            CHECK_INT(plain[i].id, got[i].id);
    }
    return geo_index_accept_share(ix);
}

static void test_first_round_follows_share(void)
{
    struct geo_index *ix = make_index();
    size_t first = 0;
    double share;

    CHECK(geo_index_accept_share(ix) == -1);
    /* One candidate in seven accepted, about as "open now" at night (the
     * ids of a centre share their remainder mod 5, not mod 7). */
    share = share_after(ix, 7, &first);
    printf("index_prefetch: share %.3f with 1 in 7 accepted, first round %zu\n", share, first);
    CHECK(share > 0.09 && share < 0.22);
    CHECK(first >= 27 && first <= 67);
    /* Then all accepted: the share rises and the first round shrinks. */
    share = share_after(ix, 1, &first);
    printf("index_prefetch: share %.3f with all accepted, first round %zu\n", share, first);
    CHECK(share > 0.9);
    CHECK(first >= 5 && first <= 7);
    geo_index_free(ix);
}

int main(void)
{
    RUN(test_rounds_match_accept);
    RUN(test_not_called_elsewhere);
    RUN(test_first_round_follows_share);
    return test_report("index_prefetch_test");
}
