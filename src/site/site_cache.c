/*
 * site_cache.c - the in-memory copy of the site registry declared in
 * site_cache.h.
 *
 * Locking: one rwlock. Queries hold it shared while they search and
 * render; a refresh builds the new entry outside the lock and swaps it in
 * under the exclusive lock. An open-state memo is one atomic 64-bit word
 * (valid-from minute, valid-until minute, open bit), so readers may
 * update it while sharing the lock.
 *
 * Open state is memoised where it is decided: a site in service is open
 * when its hours say so, so its memo is its compiled hours' (shared by
 * every site with the same text); a site closed for good shares one
 * "never" memo; only a closure with an end has a memo of its own. The
 * filter a map query runs on each site the index offers reads a dense
 * array of slots (id, memo pointer, entry pointer) and not the entry,
 * which is elsewhere on the heap: a candidate costs one cache miss, not
 * two, and the entries of the sites it accepts are prefetched for the
 * rendering that follows the search. For nearest, the index names each
 * round of candidates before the filter runs (geo_filter.prefetch), so
 * their slots are all requested at once and the misses overlap.
 *
 * Service categories: the links (service, site, category) of the active
 * services are kept sorted by (service, site); from them each category's
 * set of sites (the sites of its own services and of the categories below
 * it) is rebuilt whenever they change. There are few links (services at
 * sites, not sites), so a rebuild is cheap.
 */
#include <math.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar/calendar.h"
#include "catalog/catalog.h"
#include "core/clock.h"
#include "core/log.h"
#include "geo/index.h"
#include "live/live.h"
#include "service/service.h"
#include "site/site.h"
#include "site/site_cache.h"
#include "store/store.h"

/* Amenity codes a cache entry names by a one-byte index (1 to 254; 255
 * says the code follows as text), and the slots of their hash table (a
 * power of two, twice as many). */
#define AMENITY_CODES 254
#define AMENITY_SLOTS 512
#define AMENITY_LITERAL 255
#define MEMO_EPOCH 1577836800 /* 2020-01-01T00:00:00Z: memo minutes count from here */

/* Compiled opening hours, shared by every entry with the same text (a
 * network has few distinct texts), counted. */
struct hours_ref {
    struct hours_ref *next; /* in its bucket */
    uint64_t hash;
    size_t refs;
    _Atomic uint64_t memo; /* the open state of a site in service with these hours */
    struct hours *h;       /* NULL: the text does not parse */
    char text[];
};

/* One site, in one allocation: the fixed part, then (in blob) the live
 * items, the amenity codes without a bit, the static fields' values and
 * the packed nav parts. Nothing is kept twice: what a query checks is
 * here in its own form, and the static JSON text is kept without what
 * every site repeats. Of each static field only its JSON value is kept
 * (the keys, a quarter of the text, are the cache's, see render_static);
 * of the amenities only catalogue indexes and counts (see
 * amenities_pack). At 180,000 sites that is about 650 bytes a site less
 * than the whole text. */
struct cache_entry {
    int64_t id;
    double lat, lon;
    int64_t status_until;
    uint64_t amen_mask;
    _Atomic uint64_t memo;       /* used when open_memo points here */
    _Atomic uint64_t *open_memo; /* the memo that decides its open state */
    struct hours_ref *hours;
    const char *status;          /* site_status_static() */
    struct live live;            /* items in blob */
    const char **extra;          /* amenity codes (count > 0) without a bit; NULL-ended */
    const char *json;            /* the static fields' values, one after the other */
    const char *nav;             /* site_nav_pack() */
    const char *wgs84;           /* lat, then lon, as WGS-84 answers write them (NULL: not kept) */
    uint32_t off[SJ_STATIC + 1]; /* value f at json + off[f]; off[SJ_STATIC]: length */
    uint16_t type;               /* type index, 0xffff: none */
    uint8_t tier;
    bool has_until;
    uint8_t wgs84_lat_len, wgs84_lon_len; /* their lengths (no separator between) */
    _Alignas(16) char blob[];
};

/* A service category and the sorted ids of the sites offering it. */
struct cat_set {
    int64_t id;
    char *code, *path; /* "/daily_life/haircut/" */
    size_t *anc;       /* indexes of itself and the categories above it */
    size_t nanc;
    int64_t *sites;
    size_t n;
};

/* A site in the cache. The map filter reads only the first two fields
 * (a slot is 24 bytes: one cache line has them, mostly), and the same
 * line brings the entry's address for the sites it accepts. */
struct cache_slot {
    int64_t id;
    _Atomic uint64_t *memo; /* entry->open_memo */
    struct cache_entry *entry;
};

struct site_cache {
    pthread_rwlock_t lock;
    struct cat_set *cats;
    size_t ncats;
    struct service_site_link *links; /* by (service, site) */
    size_t nlinks;
    int tz;
    struct geo_index *index;
    struct cache_slot *slots; /* sorted by id */
    size_t n, cap;
    /* The memo of every site that is never open (closed for good, or
     * hours that do not parse), and of removed sites, whose slots the
     * filter tells by this pointer. */
    _Atomic uint64_t never_memo, removed_memo;
    /* The catalogue's first AMENITY_CODES amenity codes, by id; the first
     * 64 are the index's amenity bits. heads[i]: the start of its item in
     * "amenities" (site_json_amenity_head). */
    char *amenity_codes[AMENITY_CODES];
    char *amenity_heads[AMENITY_CODES];
    uint8_t amenity_head_len[AMENITY_CODES];
    size_t ncodes, nbits, max_head_len;
    /* code -> index + 1 (0: empty slot), open addressing on text_hash: a
     * load looks up every amenity of every site (1.4 million at 180,000). */
    uint8_t code_slots[AMENITY_SLOTS];
    uint64_t catalog_gen; /* counts the catalogue's loads */
    /* The static fields' keys: {"id": and ,"name_zh": and so on. */
    char keys[SJ_STATIC][24];
    uint8_t key_len[SJ_STATIC];
    size_t keys_len; /* all of them */
    char **types;    /* type index -> code */
    size_t ntypes;
    struct hours_day *days;
    size_t ndays;
    pthread_mutex_t hours_lock; /* the shared compiled hours */
    struct hours_ref **hours_buckets;
    size_t nhours_buckets, nhours;
};

/* ---- entries ------------------------------------------------------- */

static uint64_t text_hash(const char *t)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (; *t; t++)
        h = (h ^ (unsigned char)*t) * 1099511628211ull;
    return h;
}

/* The shared compiled form of an hours text (counted; parsed once). */
static struct hours_ref *hours_get(struct site_cache *sc, const char *text)
{
    uint64_t hash = text_hash(text);
    pthread_mutex_lock(&sc->hours_lock);
    if (sc->nhours >= sc->nhours_buckets) {
        size_t nb = sc->nhours_buckets ? sc->nhours_buckets * 2 : 64;
        struct hours_ref **b = calloc(nb, sizeof(*b));
        if (!b)
            die_oom();
        for (size_t i = 0; i < sc->nhours_buckets; i++)
            for (struct hours_ref *r = sc->hours_buckets[i], *next; r; r = next) {
                next = r->next;
                r->next = b[r->hash & (nb - 1)];
                b[r->hash & (nb - 1)] = r;
            }
        free(sc->hours_buckets);
        sc->hours_buckets = b;
        sc->nhours_buckets = nb;
    }
    struct hours_ref **slot = &sc->hours_buckets[hash & (sc->nhours_buckets - 1)];
    struct hours_ref *r = *slot;
    while (r && (r->hash != hash || strcmp(r->text, text) != 0))
        r = r->next;
    if (!r) {
        size_t len = strlen(text);
        r = malloc(sizeof(*r) + len + 1);
        if (!r)
            die_oom();
        memcpy(r->text, text, len + 1);
        r->hash = hash;
        r->refs = 0;
        atomic_init(&r->memo, 0);
        struct hours_error herr;
        if (hours_parse(text, &r->h, &herr))
            r->h = NULL;
        r->next = *slot;
        *slot = r;
        sc->nhours++;
    }
    r->refs++;
    pthread_mutex_unlock(&sc->hours_lock);
    return r;
}

static void hours_put(struct site_cache *sc, struct hours_ref *r)
{
    pthread_mutex_lock(&sc->hours_lock);
    if (--r->refs == 0) {
        struct hours_ref **p = &sc->hours_buckets[r->hash & (sc->nhours_buckets - 1)];
        while (*p != r)
            p = &(*p)->next;
        *p = r->next;
        sc->nhours--;
        hours_free(r->h);
        free(r);
    }
    pthread_mutex_unlock(&sc->hours_lock);
}

static void entry_free(struct site_cache *sc, struct cache_entry *e)
{
    if (!e)
        return;
    hours_put(sc, e->hours);
    free(e);
}

/* The catalogue index of an amenity code, or -1 (not among the first
 * AMENITY_CODES). */
static int amenity_index(const struct site_cache *sc, const char *code)
{
    for (size_t i = text_hash(code) & (AMENITY_SLOTS - 1);; i = (i + 1) & (AMENITY_SLOTS - 1)) {
        int k = sc->code_slots[i] - 1;
        if (k < 0)
            return -1;
        if (strcmp(sc->amenity_codes[k], code) == 0)
            return k;
    }
}

static int amenity_bit(const struct site_cache *sc, const char *code)
{
    int k = amenity_index(sc, code);
    return k >= 0 && (size_t)k < sc->nbits ? k : -1;
}

/* "amenities" as the cache keeps it: per item, its catalogue index + 1 as
 * one byte (or AMENITY_LITERAL and the code, NUL-ended), then the count
 * as an unsigned LEB128 varint (of the count's 64 bits as they are). */
/* idx[i]: amenity_index() of s's amenity i. */
static void amenities_pack(const struct site *s, const int *idx, struct strbuf *out)
{
    for (size_t i = 0; i < s->namenities; i++) {
        unsigned char item[11]; /* the index and up to 10 bytes of varint */
        size_t n = 0;
        if (idx[i] >= 0) {
            item[n++] = (unsigned char)(idx[i] + 1);
        } else {
            strbuf_addch(out, (char)AMENITY_LITERAL);
            strbuf_add(out, s->amenities[i].code, strlen(s->amenities[i].code) + 1);
        }
        uint64_t v = (uint64_t)s->amenities[i].count;
        do {
            item[n++] = (unsigned char)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
            v >>= 7;
        } while (v);
        strbuf_add(out, item, n);
    }
}

/* Room for what n packed amenity bytes give, codes as text aside: an
 * item takes at least two bytes and gives at most a comma, the longest
 * head, a count and a brace; and the brackets. */
static size_t amenities_room(const struct site_cache *sc, size_t n)
{
    return 2 + n * (sc->max_head_len + STRBUF_INT_MAX + 2);
}

/* Copy the n bytes at s to w; the end. Short texts (most of a site's
 * values, keys and amenity heads) are copied with two overlapping loads
 * and stores, not a memcpy call; nothing outside s[0..n) and w[0..n) is
 * touched. */
static inline char *put_bytes(char *w, const char *s, size_t n)
{
    if (n > 16 && n <= 32) {
        char a[16], b[16];
        memcpy(a, s, 16);
        memcpy(b, s + n - 16, 16);
        memcpy(w, a, 16);
        memcpy(w + n - 16, b, 16);
    } else if (n >= 8 && n <= 16) {
        uint64_t a, b;
        memcpy(&a, s, 8);
        memcpy(&b, s + n - 8, 8);
        memcpy(w, &a, 8);
        memcpy(w + n - 8, &b, 8);
    } else if (n >= 4 && n < 8) {
        uint32_t a, b;
        memcpy(&a, s, 4);
        memcpy(&b, s + n - 4, 4);
        memcpy(w, &a, 4);
        memcpy(w + n - 4, &b, 4);
    } else if (n < 4) {
        for (size_t i = 0; i < n; i++)
            w[i] = s[i];
    } else {
        memcpy(w, s, n);
    }
    return w + n;
}

/* The JSON value of "amenities" from amenities_pack's n bytes at p, as
 * site_json_static_parts writes it. Written in place (this runs for
 * every site of every answer): room is made once, and again after a
 * code kept as text. */
static void amenities_unpack(const struct site_cache *sc, const char *p, size_t n,
                             struct strbuf *out)
{
    const char *end = p + n;
    strbuf_grow(out, amenities_room(sc, n));
    char *w = out->buf + out->len;
    *w++ = '[';
    for (bool first = true; p < end; first = false) {
        if (!first)
            *w++ = ',';
        unsigned char k = (unsigned char)*p++;
        if (k == AMENITY_LITERAL) {
            out->len = (size_t)(w - out->buf);
            site_json_amenity_head(out, p);
            p += strlen(p) + 1;
            strbuf_grow(out, STRBUF_INT_MAX + 1 + amenities_room(sc, (size_t)(end - p)));
            w = out->buf + out->len;
        } else {
            w = put_bytes(w, sc->amenity_heads[k - 1], sc->amenity_head_len[k - 1]);
        }
        uint64_t v = 0;
        for (int shift = 0;; shift += 7) {
            unsigned char b = (unsigned char)*p++;
            v |= (uint64_t)(b & 0x7f) << shift;
            if (!(b & 0x80))
                break;
        }
        w = strbuf_put_int(w, (int64_t)v);
        *w++ = '}';
    }
    *w++ = ']';
    out->len = (size_t)(w - out->buf);
    out->buf[out->len] = '\0';
}

/* Text put together while an entry is made; a load passes the same one
 * for every site (the room is kept: no regrowing it 180,000 times). */
struct entry_scratch {
    struct strbuf whole; /* site_json_static_parts() */
    struct strbuf text;  /* what the entry's blob gets */
};

static void scratch_release(struct entry_scratch *x)
{
    strbuf_release(&x->whole);
    strbuf_release(&x->text);
}

/* The memo that decides e's open state (site_open_rule): its hours'
 * while it is in service, its own while it is closed until a time, and
 * the cache's "never" one otherwise (its "removed" one for a removed
 * site, which the map filter refuses by it). */
static _Atomic uint64_t *open_memo_of(struct site_cache *sc, struct cache_entry *e)
{
    if (strcmp(e->status, "removed") == 0)
        return &sc->removed_memo;
    if (!e->hours->h)
        return &sc->never_memo;
    switch (site_open_rule(e->status, e->has_until)) {
    case SITE_OPEN_BY_HOURS:
        return &e->hours->memo;
    case SITE_OPEN_AFTER_UNTIL:
        return &e->memo;
    case SITE_OPEN_NEVER:
        break;
    }
    return &sc->never_memo;
}

static int type_index(const struct site_cache *sc, const char *code)
{
    for (size_t i = 0; i < sc->ntypes; i++)
        if (strcmp(sc->types[i], code) == 0)
            return (int)i;
    return -1;
}

/* Everything derived from s and l, in one allocation. */
static struct cache_entry *entry_new(struct site_cache *sc, const struct site *s,
                                     const struct live *l, struct entry_scratch *scratch)
{
    struct arena tmp;
    arena_init(&tmp);
    /* The static text from its one writer, cut into values: each field's
     * slice starts with its key (the id's with {"id":). */
    struct strbuf *whole = &scratch->whole;
    whole->len = 0;
    uint32_t woff[SJ_STATIC + 1], off[SJ_STATIC + 1];
    int *idx = arena_calloc(&tmp, s->namenities + 1, sizeof(int));
    for (size_t i = 0; i < s->namenities; i++)
        idx[i] = amenity_index(sc, s->amenities[i].code);
    /* The amenities are packed from s: no need to write them as text. */
    struct site bare = *s;
    bare.namenities = 0;
    site_json_static_parts(whole, &bare, sc->tz, woff);
    woff[SJ_ID] = 0;                    /* the id's slice is the text's start */
    struct strbuf text = scratch->text; /* values, NUL, nav parts, live codes, extra codes */
    text.len = 0;
    for (int f = 0; f < SJ_STATIC; f++) {
        const char *v = whole->buf + woff[f];
        size_t n = woff[f + 1] - woff[f];
        if (n < sc->key_len[f] || memcmp(v, sc->keys[f], sc->key_len[f]) != 0) {
            log_error("site %lld: field %d does not start with its key", (long long)s->id, f);
            abort(); /* site_json_static_parts and the keys disagree: a bug */
        }
        off[f] = (uint32_t)text.len;
        if (f == SJ_AMENITIES)
            amenities_pack(s, idx, &text);
        else
            strbuf_add(&text, v + sc->key_len[f], n - sc->key_len[f]);
    }
    off[SJ_STATIC] = (uint32_t)text.len;
    strbuf_addch(&text, '\0');
    /* Most answers are in WGS-84: the position's two numbers are written
     * once here, as render_entry would write them. */
    size_t wgs84_at = text.len;
    strbuf_add_fixed(&text, s->lat, 7);
    size_t wgs84_lon_at = text.len;
    strbuf_add_fixed(&text, s->lon, 7);
    size_t wgs84_end = text.len;
    size_t nav_at = text.len;
    site_nav_pack(&text, &tmp, s);
    size_t *live_at = arena_calloc(&tmp, l->n + 1, sizeof(size_t));
    for (size_t i = 0; i < l->n; i++) {
        live_at[i] = text.len;
        strbuf_add(&text, l->items[i].code, strlen(l->items[i].code) + 1);
    }
    uint64_t mask = 0;
    size_t nextra = 0;
    size_t *extra_at = arena_calloc(&tmp, s->namenities + 1, sizeof(size_t));
    for (size_t i = 0; i < s->namenities; i++) {
        if (s->amenities[i].count <= 0)
            continue;
        if (idx[i] >= 0 && (size_t)idx[i] < sc->nbits) {
            mask |= (uint64_t)1 << idx[i];
        } else {
            extra_at[nextra++] = text.len;
            strbuf_add(&text, s->amenities[i].code, strlen(s->amenities[i].code) + 1);
        }
    }
    size_t items_size = l->n * sizeof(struct live_item);
    size_t extra_size = nextra ? (nextra + 1) * sizeof(char *) : 0;
    struct cache_entry *e = malloc(sizeof(*e) + items_size + extra_size + text.len);
    if (!e)
        die_oom();
    memset(e, 0, sizeof(*e));
    char *p = e->blob;
    e->live = *l;
    e->live.items = l->n ? (struct live_item *)(void *)p : NULL;
    p += items_size;
    const char **extra = nextra ? (const char **)(void *)p : NULL;
    p += extra_size;
    memcpy(p, text.buf, text.len);
    e->json = p;
    for (size_t i = 0; i < l->n; i++) {
        e->live.items[i] = l->items[i];
        e->live.items[i].code = p + live_at[i];
    }
    for (size_t i = 0; i < nextra; i++)
        extra[i] = p + extra_at[i];
    if (extra)
        extra[nextra] = NULL;
    e->extra = extra;
    e->nav = p + nav_at;
    /* Kept only where the short form wrote them (any valid position). */
    bool short_form = strbuf_fixed_fits(s->lat, 7) && strbuf_fixed_fits(s->lon, 7);
    e->wgs84 = short_form ? p + wgs84_at : NULL;
    e->wgs84_lat_len = (uint8_t)(wgs84_lon_at - wgs84_at);
    e->wgs84_lon_len = (uint8_t)(wgs84_end - wgs84_lon_at);
    memcpy(e->off, off, sizeof off);
    e->id = s->id;
    e->lat = s->lat;
    e->lon = s->lon;
    e->has_until = s->has_until;
    e->status_until = s->status_until;
    e->amen_mask = mask;
    /* Statuses are checked on the way in; one nobody knows is never open. */
    e->status = site_status_static(s->status);
    if (!e->status)
        e->status = "removed";
    e->hours = hours_get(sc, s->opening_hours ? s->opening_hours : "");
    int t = s->type_code ? type_index(sc, s->type_code) : -1;
    e->type = (uint16_t)(t < 0 ? 0xffff : t);
    e->tier = (uint8_t)s->tier;
    atomic_init(&e->memo, 0);
    e->open_memo = open_memo_of(sc, e);
    scratch->text = text;
    arena_release(&tmp);
    return e;
}

static size_t find_slot(const struct site_cache *sc, int64_t id, bool *found)
{
    size_t lo = 0, hi = sc->n;
    /* Ids are distinct integers in order, so the one at slot i is at
     * least the first one + i: id's slot is at most id - first. Ids are
     * mostly dense (deletions leave few gaps), so that slot is tried
     * first; the search is this function's cost on every map request. */
    if (hi && id >= sc->slots[0].id) {
        uint64_t g = (uint64_t)id - (uint64_t)sc->slots[0].id;
        if (g < hi) {
            if (sc->slots[g].id == id) {
                *found = true;
                return (size_t)g;
            }
            hi = (size_t)g + 1;
        }
    }
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (sc->slots[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = lo < sc->n && sc->slots[lo].id == id;
    return lo;
}

static struct cache_entry *find_entry(const struct site_cache *sc, int64_t id)
{
    bool found;
    size_t i = find_slot(sc, id, &found);
    return found ? sc->slots[i].entry : NULL;
}

static struct geo_entry geo_entry_of(const struct site_cache *sc, const struct cache_entry *e)
{
    struct geo_entry g = {0};
    g.id = e->id;
    g.lat = e->lat;
    g.lon = e->lon;
    g.amenities = e->amen_mask;
    g.type = e->type;
    g.tier = e->tier;
    return g;
}

/* Put e in place of the entry with its id (or add it); frees the old one.
 * The index is updated too unless a bulk load rebuilds it afterwards.
 * Exclusive lock held. */
static void put_locked(struct site_cache *sc, struct cache_entry *e, bool index)
{
    bool found;
    size_t i = find_slot(sc, e->id, &found);
    if (found) {
        entry_free(sc, sc->slots[i].entry);
    } else {
        if (sc->n == sc->cap) {
            sc->cap = sc->cap ? sc->cap * 2 : 1024;
            sc->slots = realloc(sc->slots, sc->cap * sizeof(*sc->slots));
            if (!sc->slots)
                die_oom();
        }
        memmove(&sc->slots[i + 1], &sc->slots[i], (sc->n - i) * sizeof(*sc->slots));
        sc->n++;
    }
    sc->slots[i] = (struct cache_slot){e->id, e->open_memo, e};
    if (!index)
        return;
    struct geo_entry g = geo_entry_of(sc, e);
    if (geo_index_upsert(sc->index, &g))
        log_warn("site %lld has a position the index refuses", (long long)e->id);
}

static void drop_locked(struct site_cache *sc, int64_t id)
{
    bool found;
    size_t i = find_slot(sc, id, &found);
    if (!found)
        return;
    entry_free(sc, sc->slots[i].entry);
    memmove(&sc->slots[i], &sc->slots[i + 1], (sc->n - i - 1) * sizeof(*sc->slots));
    sc->n--;
    geo_index_remove(sc->index, id);
}

/* ---- service categories ------------------------------------------- */

static char *xstrdup(const char *s);

static void free_cats(struct cat_set *cats, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(cats[i].code);
        free(cats[i].path);
        free(cats[i].anc);
        free(cats[i].sites);
    }
    free(cats);
}

static int cat_by_id(const struct site_cache *sc, int64_t id)
{
    for (size_t i = 0; i < sc->ncats; i++)
        if (sc->cats[i].id == id)
            return (int)i;
    return -1;
}

static int cmp_id(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Every category's site set from the links. Exclusive lock held. */
static void rebuild_sets_locked(struct site_cache *sc)
{
    size_t *count = calloc(sc->ncats + 1, sizeof(*count));
    if (!count)
        die_oom();
    for (size_t i = 0; i < sc->nlinks; i++) {
        int c = cat_by_id(sc, sc->links[i].category_id);
        for (size_t j = 0; c >= 0 && j < sc->cats[c].nanc; j++)
            count[sc->cats[c].anc[j]]++;
    }
    for (size_t i = 0; i < sc->ncats; i++) {
        free(sc->cats[i].sites);
        sc->cats[i].sites = malloc((count[i] + 1) * sizeof(int64_t));
        if (!sc->cats[i].sites)
            die_oom();
        sc->cats[i].n = 0;
    }
    for (size_t i = 0; i < sc->nlinks; i++) {
        int c = cat_by_id(sc, sc->links[i].category_id);
        for (size_t j = 0; c >= 0 && j < sc->cats[c].nanc; j++) {
            struct cat_set *cs = &sc->cats[sc->cats[c].anc[j]];
            cs->sites[cs->n++] = sc->links[i].site_id;
        }
    }
    for (size_t i = 0; i < sc->ncats; i++) {
        struct cat_set *cs = &sc->cats[i];
        qsort(cs->sites, cs->n, sizeof(int64_t), cmp_id);
        size_t u = 0;
        for (size_t j = 0; j < cs->n; j++)
            if (!u || cs->sites[u - 1] != cs->sites[j])
                cs->sites[u++] = cs->sites[j];
        cs->n = u;
    }
    free(count);
}

static bool set_has(const struct cat_set *cs, int64_t id)
{
    return bsearch(&id, cs->sites, cs->n, sizeof(int64_t), cmp_id) != NULL;
}

static struct service_site_link *copy_links(const struct service_site_link *l, size_t n)
{
    struct service_site_link *out = malloc((n + 1) * sizeof(*out));
    if (!out)
        die_oom();
    if (n)
        memcpy(out, l, n * sizeof(*out));
    return out;
}

int site_cache_reload_services(struct site_cache *sc, struct store_conn *c)
{
    struct arena a;
    arena_init(&a);
    struct service_category *cs;
    struct service_site_link *links;
    size_t ncs, nlinks;
    int rc = category_list(c, &a, &cs, &ncs);
    if (!rc)
        rc = service_site_links(c, &a, 0, &links, &nlinks);
    if (rc) {
        arena_release(&a);
        log_error("the site cache could not load the service categories");
        return -1;
    }
    struct cat_set *cats = calloc(ncs + 1, sizeof(*cats));
    if (!cats)
        die_oom();
    for (size_t i = 0; i < ncs; i++) {
        cats[i].id = cs[i].id;
        cats[i].code = xstrdup(cs[i].code);
        cats[i].path = xstrdup(cs[i].path);
        cats[i].anc = calloc(ncs + 1, sizeof(size_t));
        if (!cats[i].anc)
            die_oom();
        for (size_t j = 0; j < ncs; j++)
            if (cs[j].path && cs[i].path &&
                strncmp(cs[i].path, cs[j].path, strlen(cs[j].path)) == 0)
                cats[i].anc[cats[i].nanc++] = j;
    }
    struct service_site_link *copy = copy_links(links, nlinks);
    arena_release(&a);
    pthread_rwlock_wrlock(&sc->lock);
    struct cat_set *old = sc->cats;
    size_t nold = sc->ncats;
    free(sc->links);
    sc->cats = cats;
    sc->ncats = ncs;
    sc->links = copy;
    sc->nlinks = nlinks;
    rebuild_sets_locked(sc);
    pthread_rwlock_unlock(&sc->lock);
    free_cats(old, nold);
    return 0;
}

int site_cache_refresh_service(struct site_cache *sc, struct store_conn *c, int64_t service_id)
{
    if (service_id <= 0)
        return site_cache_reload_services(sc, c);
    struct arena a;
    arena_init(&a);
    struct service_site_link *links;
    size_t n;
    if (service_site_links(c, &a, service_id, &links, &n)) {
        arena_release(&a);
        return -1;
    }
    pthread_rwlock_wrlock(&sc->lock);
    /* Replace the service's run of links (they are sorted by service). */
    size_t lo = 0, hi;
    while (lo < sc->nlinks && sc->links[lo].service_id < service_id)
        lo++;
    for (hi = lo; hi < sc->nlinks && sc->links[hi].service_id == service_id; hi++)
        ;
    size_t total = sc->nlinks - (hi - lo) + n;
    struct service_site_link *next = malloc((total + 1) * sizeof(*next));
    if (!next)
        die_oom();
    memcpy(next, sc->links, lo * sizeof(*next));
    if (n)
        memcpy(next + lo, links, n * sizeof(*next));
    memcpy(next + lo + n, sc->links + hi, (sc->nlinks - hi) * sizeof(*next));
    free(sc->links);
    sc->links = next;
    sc->nlinks = total;
    rebuild_sets_locked(sc);
    pthread_rwlock_unlock(&sc->lock);
    arena_release(&a);
    return 0;
}

/* ---- loading ------------------------------------------------------- */

struct site_cache *site_cache_new(int tz_offset_min)
{
    struct site_cache *sc = calloc(1, sizeof(*sc));
    if (!sc)
        die_oom();
    pthread_rwlock_init(&sc->lock, NULL);
    pthread_mutex_init(&sc->hours_lock, NULL);
    sc->tz = tz_offset_min;
    sc->index = geo_index_new();
    for (int f = 0; f < SJ_STATIC; f++) {
        int n = snprintf(sc->keys[f], sizeof sc->keys[f], "%s\"%s\":", f ? "," : "{",
                         site_json_field_name(f));
        sc->key_len[f] = (uint8_t)n;
        sc->keys_len += (size_t)n;
    }
    return sc;
}

static void clear_catalog(struct site_cache *sc)
{
    for (size_t i = 0; i < sc->ncodes; i++) {
        free(sc->amenity_codes[i]);
        free(sc->amenity_heads[i]);
    }
    sc->ncodes = sc->nbits = sc->max_head_len = 0;
    memset(sc->code_slots, 0, sizeof sc->code_slots);
    for (size_t i = 0; i < sc->ntypes; i++)
        free(sc->types[i]);
    free(sc->types);
    sc->types = NULL;
    sc->ntypes = 0;
}

void site_cache_free(struct site_cache *sc)
{
    if (!sc)
        return;
    for (size_t i = 0; i < sc->n; i++)
        entry_free(sc, sc->slots[i].entry);
    free(sc->slots);
    free_cats(sc->cats, sc->ncats);
    free(sc->links);
    clear_catalog(sc);
    free(sc->days);
    geo_index_free(sc->index);
    free(sc->hours_buckets);
    pthread_mutex_destroy(&sc->hours_lock);
    pthread_rwlock_destroy(&sc->lock);
    free(sc);
}

static char *xstrdup(const char *s)
{
    char *p = strdup(s ? s : "");
    if (!p)
        die_oom();
    return p;
}

/* Amenity bits and type indexes from the catalogue (exclusive lock). */
static int load_catalog_locked(struct site_cache *sc, struct store_conn *c, struct arena *a,
                               struct amenity **amenities, size_t *namenities)
{
    struct amenity *ms;
    struct site_type *ts;
    size_t nm, nt;
    int rc = amenity_list(c, a, &ms, &nm);
    if (!rc) {
        *amenities = ms;
        *namenities = nm;
    }
    if (!rc)
        rc = site_type_list(c, a, &ts, &nt);
    if (rc)
        return rc;
    clear_catalog(sc);
    sc->catalog_gen++;
    for (size_t i = 0; i < nm && i < AMENITY_CODES; i++) {
        size_t slot = text_hash(ms[i].code) & (AMENITY_SLOTS - 1);
        while (sc->code_slots[slot])
            slot = (slot + 1) & (AMENITY_SLOTS - 1);
        struct strbuf head = STRBUF_INIT;
        site_json_amenity_head(&head, ms[i].code);
        if (head.len > UINT8_MAX) { /* a code too long for a head: kept as text */
            strbuf_release(&head);
            break;
        }
        sc->amenity_head_len[sc->ncodes] = (uint8_t)head.len;
        if (head.len > sc->max_head_len)
            sc->max_head_len = head.len;
        sc->amenity_heads[sc->ncodes] = strbuf_detach(&head, NULL);
        sc->amenity_codes[sc->ncodes] = xstrdup(ms[i].code);
        sc->code_slots[slot] = (uint8_t)++sc->ncodes;
    }
    sc->nbits = sc->ncodes < 64 ? sc->ncodes : 64;
    sc->types = calloc(nt + 1, sizeof(*sc->types));
    if (!sc->types)
        die_oom();
    for (size_t i = 0; i < nt; i++)
        sc->types[sc->ntypes++] = xstrdup(ts[i].code);
    return STORE_OK;
}

static int load_calendar(struct site_cache *sc, struct store_conn *c, struct hours_day **days,
                         size_t *n)
{
    struct arena a;
    arena_init(&a);
    struct holiday *hs;
    size_t nh;
    int rc = holiday_list(c, &a, 19000101, 99991231, &hs, &nh);
    if (!rc) {
        *days = calloc(nh + 1, sizeof(**days));
        if (!*days)
            die_oom();
        for (size_t i = 0; i < nh; i++) {
            (*days)[i].date = hs[i].day;
            (*days)[i].kind =
                strcmp(hs[i].kind, "holiday") == 0 ? HOURS_DAY_HOLIDAY : HOURS_DAY_WORKDAY;
            (*days)[i].as_weekday = (uint8_t)hs[i].as_weekday;
        }
        *n = nh;
    }
    arena_release(&a);
    return rc;
}

/* Forget every open-state memo (the calendar changed). Exclusive lock
 * held. */
static void forget_memos_locked(struct site_cache *sc)
{
    for (size_t i = 0; i < sc->n; i++)
        atomic_store(&sc->slots[i].entry->memo, 0);
    pthread_mutex_lock(&sc->hours_lock);
    for (size_t b = 0; b < sc->nhours_buckets; b++)
        for (struct hours_ref *r = sc->hours_buckets[b]; r; r = r->next)
            atomic_store(&r->memo, 0);
    pthread_mutex_unlock(&sc->hours_lock);
    atomic_store(&sc->never_memo, 0);
    atomic_store(&sc->removed_memo, 0);
}

int site_cache_reload_calendar(struct site_cache *sc, struct store_conn *c)
{
    struct hours_day *days;
    size_t n;
    int rc = load_calendar(sc, c, &days, &n);
    if (rc)
        return -1;
    pthread_rwlock_wrlock(&sc->lock);
    free(sc->days);
    sc->days = days;
    sc->ndays = n;
    forget_memos_locked(sc);
    pthread_rwlock_unlock(&sc->lock);
    return 0;
}

/* A load reads pages of sites on the calling thread (the store's
 * connection is the caller's) while a second thread makes their entries:
 * the two halves cost about the same, so the start takes about the
 * longer one instead of both. At most LOAD_PAGES pages wait. */
#define LOAD_PAGES 2
#define LOAD_PAGE_SITES 5000

struct load_page {
    struct arena arena; /* holds sites */
    struct site *sites;
    size_t n;
};

/* Where the engine can hand a table over as it reads it (SQLite), every
 * amenity row is read in one pass first and the pages come without
 * them: reading them page by page through the primary key's index costs
 * a second look-up per row (1.4 million at 180,000 sites), about a third
 * of the whole load. */
struct amen_row {
    int64_t site_id, amenity_id, count;
};

struct amen_rows {
    struct amen_row *v; /* by (site_id, amenity_id) once read */
    size_t n, cap;
};

static int amen_rows_add(void *ctx, const struct store_rows *rows)
{
    struct amen_rows *ar = ctx;
    if (ar->n + rows->nrows > ar->cap) {
        size_t cap = ar->cap ? ar->cap : 4096;
        while (cap < ar->n + rows->nrows)
            cap *= 2;
        struct amen_row *v = realloc(ar->v, cap * sizeof(*v));
        if (!v)
            die_oom();
        ar->v = v;
        ar->cap = cap;
    }
    for (size_t i = 0; i < rows->nrows; i++)
        ar->v[ar->n++] =
            (struct amen_row){store_int(rows, i, 0), store_int(rows, i, 1), store_int(rows, i, 2)};
    return 0;
}

static int cmp_amen_row(const void *a, const void *b)
{
    const struct amen_row *x = a, *y = b;
    if (x->site_id != y->site_id)
        return x->site_id < y->site_id ? -1 : 1;
    return (x->amenity_id > y->amenity_id) - (x->amenity_id < y->amenity_id);
}

/* Every amenity row, ordered as site_scan's would be. A table filled
 * site by site has the sites in order already, each one's rows in the
 * order they were written: then only each site's few rows are put in
 * order (an insertion sort of at most SITE_MAX_AMENITIES), not the
 * whole table (a qsort of 1.4 million rows costs as much as reading
 * them). Sites out of order (edited ones are written again at the end):
 * the whole table is sorted. */
static int amen_rows_read(struct store_conn *c, struct amen_rows *ar)
{
    int rc = site_amenity_rows_each(c, amen_rows_add, ar);
    if (rc)
        return rc;
    struct amen_row *v = ar->v;
    for (size_t i = 1; i < ar->n; i++)
        if (v[i - 1].site_id > v[i].site_id) {
            qsort(v, ar->n, sizeof(*v), cmp_amen_row);
            return STORE_OK;
        }
    for (size_t i = 1; i < ar->n; i++) {
        struct amen_row r = v[i];
        size_t j = i;
        for (; j > 0 && cmp_amen_row(&v[j - 1], &r) > 0; j--)
            v[j] = v[j - 1];
        v[j] = r;
    }
    return STORE_OK;
}

struct loader {
    struct site_cache *sc;   /* exclusive lock held by the reading thread throughout */
    const int64_t *live_ids; /* ascending */
    const struct live *lives;
    size_t nlive, li;
    /* With every amenity row read first: them, and the catalogue (by id)
     * for their codes. NULL: the pages come with their amenities. */
    const struct amen_rows *am;
    size_t ai;
    const struct amenity *codes;
    size_t ncodes;
    struct entry_scratch scratch;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct load_page *pages[LOAD_PAGES];
    size_t head, count;
    bool done; /* no more pages will come */
};

/* The code of an amenity id ("" for none, as site_scan has it). */
static const char *amenity_code_of(const struct loader *ld, int64_t id)
{
    size_t lo = 0, hi = ld->ncodes;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (ld->codes[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < ld->ncodes && ld->codes[lo].id == id ? ld->codes[lo].code : "";
}

/* Give a page's sites their amenities from the rows read first (both
 * ascend by site id). */
static void load_page_amenities(struct loader *ld, struct load_page *pg)
{
    const struct amen_row *v = ld->am->v;
    for (size_t i = 0; i < pg->n; i++) {
        struct site *s = &pg->sites[i];
        while (ld->ai < ld->am->n && v[ld->ai].site_id < s->id)
            ld->ai++;
        size_t end = ld->ai;
        while (end < ld->am->n && v[end].site_id == s->id)
            end++;
        s->amenities = arena_calloc(&pg->arena, end - ld->ai + 1, sizeof(*s->amenities));
        s->namenities = 0;
        for (; ld->ai < end; ld->ai++) {
            s->amenities[s->namenities].code = amenity_code_of(ld, v[ld->ai].amenity_id);
            s->amenities[s->namenities].count = v[ld->ai].count;
            s->namenities++;
        }
    }
}

/* Make and keep the entries of a page, then free it. */
static void load_page_build(struct loader *ld, struct load_page *pg)
{
    static const struct live no_live;
    if (ld->am)
        load_page_amenities(ld, pg);
    for (size_t i = 0; i < pg->n; i++) {
        /* Both lists ascend by id. */
        while (ld->li < ld->nlive && ld->live_ids[ld->li] < pg->sites[i].id)
            ld->li++;
        const struct live *l = ld->li < ld->nlive && ld->live_ids[ld->li] == pg->sites[i].id
                                   ? &ld->lives[ld->li]
                                   : &no_live;
        put_locked(ld->sc, entry_new(ld->sc, &pg->sites[i], l, &ld->scratch), false);
    }
    arena_release(&pg->arena);
    free(pg);
}

static void *load_builder(void *arg)
{
    struct loader *ld = arg;
    for (;;) {
        pthread_mutex_lock(&ld->mu);
        while (!ld->count && !ld->done)
            pthread_cond_wait(&ld->cv, &ld->mu);
        if (!ld->count) {
            pthread_mutex_unlock(&ld->mu);
            return NULL;
        }
        struct load_page *pg = ld->pages[ld->head];
        ld->head = (ld->head + 1) % LOAD_PAGES;
        ld->count--;
        pthread_cond_broadcast(&ld->cv);
        pthread_mutex_unlock(&ld->mu);
        load_page_build(ld, pg);
    }
}

/* Hand a page to the builder, waiting while LOAD_PAGES wait already. */
static void load_hand_over(struct loader *ld, struct load_page *pg)
{
    pthread_mutex_lock(&ld->mu);
    while (ld->count == LOAD_PAGES)
        pthread_cond_wait(&ld->cv, &ld->mu);
    ld->pages[(ld->head + ld->count) % LOAD_PAGES] = pg;
    ld->count++;
    pthread_cond_broadcast(&ld->cv);
    pthread_mutex_unlock(&ld->mu);
}

/* Read every site, page by page, and have their entries made (by a
 * builder thread, or here when none can be started). Exclusive lock
 * held. STORE_OK or the store's error. */
static int load_sites_locked(struct site_cache *sc, struct store_conn *c, const int64_t *live_ids,
                             const struct live *lives, size_t nlive, const struct amenity *codes,
                             size_t ncodes)
{
    struct loader ld = {.sc = sc, .live_ids = live_ids, .lives = lives, .nlive = nlive};
    struct amen_rows am = {0};
    if (store_can_stream(c)) {
        int rc = amen_rows_read(c, &am);
        if (rc) {
            free(am.v);
            return rc;
        }
        ld.am = &am;
        ld.codes = codes;
        ld.ncodes = ncodes;
    }
    ld.scratch = (struct entry_scratch){STRBUF_INIT, STRBUF_INIT};
    pthread_mutex_init(&ld.mu, NULL);
    pthread_cond_init(&ld.cv, NULL);
    pthread_t builder;
    bool threaded = pthread_create(&builder, NULL, load_builder, &ld) == 0;
    int rc = STORE_OK;
    int64_t after_id = 0;
    for (;;) {
        struct load_page *pg = malloc(sizeof(*pg));
        if (!pg)
            die_oom();
        arena_init(&pg->arena);
        rc = site_scan(c, &pg->arena, after_id, LOAD_PAGE_SITES, !ld.am, &pg->sites, &pg->n);
        if (rc || !pg->n) {
            arena_release(&pg->arena);
            free(pg);
            break;
        }
        size_t n = pg->n;
        after_id = pg->sites[n - 1].id;
        if (threaded)
            load_hand_over(&ld, pg);
        else
            load_page_build(&ld, pg);
        if (n < LOAD_PAGE_SITES)
            break;
    }
    if (threaded) {
        pthread_mutex_lock(&ld.mu);
        ld.done = true;
        pthread_cond_broadcast(&ld.cv);
        pthread_mutex_unlock(&ld.mu);
        pthread_join(builder, NULL);
    }
    pthread_cond_destroy(&ld.cv);
    pthread_mutex_destroy(&ld.mu);
    scratch_release(&ld.scratch);
    free(am.v);
    return rc;
}

int site_cache_load(struct site_cache *sc, struct store_conn *c)
{
    struct arena a;
    arena_init(&a);
    int64_t *live_ids = NULL;
    struct live *lives = NULL;
    size_t nlive = 0;
    struct amenity *codes = NULL;
    size_t ncodes = 0;
    pthread_rwlock_wrlock(&sc->lock);
    int rc = load_catalog_locked(sc, c, &a, &codes, &ncodes);
    if (!rc)
        rc = live_get_all(c, &a, &live_ids, &lives, &nlive);
    for (size_t i = 0; i < sc->n; i++)
        entry_free(sc, sc->slots[i].entry);
    sc->n = 0;
    geo_index_build(sc->index, NULL, 0);
    if (!rc)
        rc = load_sites_locked(sc, c, live_ids, lives, nlive, codes, ncodes);
    /* One build of the index over everything: far cheaper than inserts. */
    struct geo_entry *ge = malloc((sc->n + 1) * sizeof(*ge));
    if (!ge)
        die_oom();
    for (size_t i = 0; i < sc->n; i++)
        ge[i] = geo_entry_of(sc, sc->slots[i].entry);
    if (!rc && geo_index_build(sc->index, ge, sc->n))
        log_error("the spatial index refused the sites");
    free(ge);
    pthread_rwlock_unlock(&sc->lock);
    arena_release(&a);
    if (!rc)
        rc = site_cache_reload_calendar(sc, c);
    if (!rc)
        rc = site_cache_reload_services(sc, c);
    if (rc)
        log_error("the site cache could not be loaded");
#ifdef __GLIBC__
    /* The pages' rows were freed between the entries kept: hand the free
     * pages back (resident memory, not a figure answers depend on). */
    malloc_trim(0);
#endif
    return rc ? -1 : 0;
}

int site_cache_refresh(struct site_cache *sc, struct store_conn *c, int64_t id)
{
    struct arena a;
    arena_init(&a);
    struct site s;
    struct live l;
    int rc = site_get(c, &a, id, &s);
    if (!rc)
        rc = live_get(c, &a, id, &l);
    /* The entry names amenities by the catalogue's indexes: it is made
     * under the shared lock (a load changes the catalogue under the
     * exclusive one), and made again if a load came in between. */
    struct entry_scratch scratch = {STRBUF_INIT, STRBUF_INIT};
    pthread_rwlock_rdlock(&sc->lock);
    uint64_t gen = sc->catalog_gen;
    struct cache_entry *e = rc ? NULL : entry_new(sc, &s, &l, &scratch);
    pthread_rwlock_unlock(&sc->lock);
    pthread_rwlock_wrlock(&sc->lock);
    if (e && sc->catalog_gen != gen) {
        entry_free(sc, e);
        e = entry_new(sc, &s, &l, &scratch);
    }
    scratch_release(&scratch);
    if (e)
        put_locked(sc, e, true);
    else if (rc == STORE_NOT_FOUND)
        drop_locked(sc, id);
    pthread_rwlock_unlock(&sc->lock);
    arena_release(&a);
    return rc == STORE_OK || rc == STORE_NOT_FOUND ? 0 : -1;
}

size_t site_cache_count(struct site_cache *sc)
{
    pthread_rwlock_rdlock(&sc->lock);
    size_t n = sc->n;
    pthread_rwlock_unlock(&sc->lock);
    return n;
}

/* ---- open state ---------------------------------------------------- */

/* An open-state memo is one word: valid-from minute (31 bits), a "no
 * change within the horizon" flag, valid-until minute (31 bits) and the
 * open bit, all minutes counted from MEMO_EPOCH; 0: none. */
#define MEMO_HORIZON_MIN (400 * 1440)

/* The minute of t as memos count it, or -1 (before MEMO_EPOCH: never
 * memoised). */
static inline int64_t memo_minute(int64_t t)
{
    return t >= MEMO_EPOCH ? (t - MEMO_EPOCH) / 60 : -1;
}

/* What the memo says at minute tm: 1 open, 0 closed, -1 it does not
 * hold tm. With next_change, the next change too (-1: none). */
static inline int memo_state(uint64_t memo, int64_t tm, int64_t *next_change)
{
    if (!memo || tm < 0)
        return -1;
    int64_t from = (int64_t)(memo >> 33), until = (int64_t)((memo >> 1) & 0x7fffffff);
    if (tm < from || tm >= until)
        return -1;
    if (next_change)
        *next_change = (memo >> 32) & 1 ? -1 : MEMO_EPOCH + until * 60;
    return (int)(memo & 1);
}

/* Open at t, and (when next_change is not NULL) the next change, kept in
 * e's memo (e->open_memo, maybe shared) until that change. Shared lock
 * held. */
static bool entry_open_at(const struct site_cache *sc, struct cache_entry *e, int64_t t,
                          int64_t *next_change)
{
    int64_t tm = memo_minute(t);
    int state =
        memo_state(atomic_load_explicit(e->open_memo, memory_order_relaxed), tm, next_change);
    if (state >= 0)
        return state;
    struct hours_calendar cal = {sc->days, sc->ndays};
    bool open;
    int64_t next;
    site_open_state(e->status, e->has_until, e->status_until, e->hours->h, &cal, t, sc->tz, &open,
                    &next);
    if (next_change)
        *next_change = next;
    /* Only whole-minute changes can be memoised exactly. */
    bool never = next < 0;
    int64_t until = never ? tm + MEMO_HORIZON_MIN : (next - MEMO_EPOCH) / 60;
    if (tm >= 0 && until > tm && until < 0x7fffffff && (never || (next - MEMO_EPOCH) % 60 == 0))
        atomic_store_explicit(e->open_memo,
                              ((uint64_t)tm << 33) | ((uint64_t)never << 32) |
                                  ((uint64_t)until << 1) | (uint64_t)open,
                              memory_order_relaxed);
    return open;
}

/* ---- filters -------------------------------------------------------- */

struct filter_ctx {
    struct site_cache *sc;
    const struct site_filter *f;
    const char *extra[4]; /* amenity codes without a bit */
    size_t nextra;
    uint64_t any_mask;                          /* "any of" codes with a bit */
    const char *any_extra[SITE_FILTER_MAX_ANY]; /* "any of" codes without one */
    size_t nany_extra;
    const struct cat_set *cat; /* service_category; NULL: any */
    int64_t tm;                /* memo_minute(f->at) */
    /* The last sites accepted, so that rendering the answer does not
     * search the slots again for them (a ring; older ones are found
     * with find_entry). */
    int64_t seen_id[16];
    struct cache_entry *seen[16];
    unsigned nseen;
};

/* A code without a bit (any code with a bit is in amen_mask). */
static bool has_amenity(const struct cache_entry *e, const char *code)
{
    for (const char **p = e->extra; p && *p; p++)
        if (strcmp(*p, code) == 0)
            return true;
    return false;
}

/* The index's question for each site it would answer with. It runs
 * for every candidate (several a query), so it reads the site's slot
 * and its memo, and the entry only for what they cannot tell: an
 * amenity code without a bit, or an open state not memoised. */
static bool accept_site(void *ctx, int64_t id)
{
    struct filter_ctx *fc = ctx;
    struct site_cache *sc = fc->sc;
    if (fc->cat && !set_has(fc->cat, id))
        return false;
    bool found;
    size_t i = find_slot(sc, id, &found);
    if (!found || sc->slots[i].memo == &sc->removed_memo)
        return false;
    if (fc->nextra || fc->f->nany) {
        const struct cache_entry *e = sc->slots[i].entry;
        for (size_t k = 0; k < fc->nextra; k++)
            if (!has_amenity(e, fc->extra[k]))
                return false;
        if (fc->f->nany) {
            bool any = (e->amen_mask & fc->any_mask) != 0;
            for (size_t k = 0; !any && k < fc->nany_extra; k++)
                any = has_amenity(e, fc->any_extra[k]);
            if (!any)
                return false;
        }
    }
    if (fc->f->open_only) {
        int open =
            memo_state(atomic_load_explicit(sc->slots[i].memo, memory_order_relaxed), fc->tm, NULL);
        if (open < 0)
            open = entry_open_at(sc, sc->slots[i].entry, fc->f->at, NULL);
        if (!open)
            return false;
    }
    /* It will be rendered once the search ends: start bringing it in
     * now, while the index goes on. Rendering reads all of the fixed part
     * and the text after it (~700 bytes: the values, amenities and nav
     * parts); a prefetch past a short entry's end is harmless. */
    struct cache_entry *e = sc->slots[i].entry;
    for (uintptr_t at = 0; at < sizeof(*e) + 768; at += 64)
        __builtin_prefetch((const void *)((uintptr_t)e + at));
    fc->seen_id[fc->nseen % 16] = id;
    fc->seen[fc->nseen % 16] = e;
    fc->nseen++;
    return true;
}

/* The index's notice of the candidates accept_site is about to be asked
 * about, in order (nearest only): start loading each one's slot, where
 * find_slot looks first, so that their misses overlap instead of coming
 * one per accept_site call. Only a hint: a slot elsewhere (a gap in the
 * ids) is found as before. A slot is 24 bytes, so it may straddle two
 * lines. The memo a slot points to is mostly a shared hours memo, already
 * hot; the entry is prefetched once accepted. */
static void prefetch_sites(void *ctx, const int64_t *ids, size_t n)
{
    const struct filter_ctx *fc = ctx;
    const struct site_cache *sc = fc->sc;
    if (!sc->n)
        return;
    uint64_t first = (uint64_t)sc->slots[0].id;
    for (size_t i = 0; i < n; i++) {
        /* Ids are > 0: one below first wraps to far above n. */
        uint64_t g = (uint64_t)ids[i] - first;
        if (g < sc->n) {
            const char *p = (const char *)&sc->slots[g];
            __builtin_prefetch(p);
            __builtin_prefetch(p + sizeof(sc->slots[0]) - 1);
        }
    }
}

/* The entry of an accepted site: from those accept_site kept, else found. */
static struct cache_entry *accepted_entry(const struct filter_ctx *fc, int64_t id)
{
    unsigned n = fc->nseen < 16 ? fc->nseen : 16;
    for (unsigned i = 0; i < n; i++)
        if (fc->seen_id[i] == id)
            return fc->seen[i];
    return find_entry(fc->sc, id);
}

/* A code beyond the 64 bits is known when some site has it. */
static bool amenity_known(const struct site_cache *sc, const char *code)
{
    for (size_t k = 0; k < sc->n; k++)
        if (has_amenity(sc->slots[k].entry, code))
            return true;
    return false;
}

/* Translate a site_filter into the index's filter. 0 or an error code. */
static int make_filter(struct site_cache *sc, const struct site_filter *f, struct filter_ctx *fc,
                       struct geo_filter *gf)
{
    memset(gf, 0, sizeof(*gf));
    memset(fc, 0, sizeof(*fc));
    fc->sc = sc;
    fc->f = f;
    fc->tm = memo_minute(f->at);
    gf->type = -1;
    for (size_t i = 0; i < f->namenities; i++) {
        int bit = amenity_bit(sc, f->amenities[i]);
        if (bit >= 0) {
            gf->amenities_all |= (uint64_t)1 << bit;
        } else {
            /* Beyond the 64 bits: checked per site. Unknown: an error. */
            if (!amenity_known(sc, f->amenities[i]))
                return SITE_CACHE_UNKNOWN_AMENITY;
            fc->extra[fc->nextra++] = f->amenities[i];
        }
    }
    /* "Any of" is not an index filter: accept_site checks it per site. */
    for (size_t i = 0; i < f->nany; i++) {
        int bit = amenity_bit(sc, f->any[i]);
        if (bit >= 0)
            fc->any_mask |= (uint64_t)1 << bit;
        else if (amenity_known(sc, f->any[i]))
            fc->any_extra[fc->nany_extra++] = f->any[i];
        else
            return SITE_CACHE_UNKNOWN_AMENITY;
    }
    if (f->type) {
        int t = type_index(sc, f->type);
        if (t < 0)
            return SITE_CACHE_UNKNOWN_TYPE;
        gf->type = t;
    }
    if (f->service_category) {
        for (size_t i = 0; !fc->cat && i < sc->ncats; i++)
            if (strcmp(sc->cats[i].code, f->service_category) == 0)
                fc->cat = &sc->cats[i];
        if (!fc->cat)
            return SITE_CACHE_UNKNOWN_CATEGORY;
    }
    gf->radius_m = f->radius_m;
    gf->accept = accept_site;
    gf->prefetch = prefetch_sites;
    gf->ctx = fc;
    return 0;
}

/* ---- rendering ------------------------------------------------------ */

/* A string literal added without strlen or printf. */
#define ADD_LIT(out, lit) strbuf_add((out), (lit), sizeof(lit) - 1)

/* The static fields of want (the id always) as site_json_static_parts
 * writes them, without the closing brace: each key, then its value. */
static void render_static(const struct site_cache *sc, const struct cache_entry *e, uint32_t want,
                          struct strbuf *out)
{
    /* Written in place: room for the keys and values is made once, with
     * a key's whole array to spare: each key is copied as its fixed-size
     * array (a few moves, no memcpy call) and w advances by its length. */
    size_t room = sc->keys_len + e->off[SJ_STATIC] + sizeof sc->keys[0];
    strbuf_grow(out, room);
    char *w = out->buf + out->len;
    for (int f = 0; f < SJ_STATIC; f++) {
        if (f != SJ_ID && !(want & SJ_BIT(f)))
            continue;
        memcpy(w, sc->keys[f], sizeof sc->keys[f]);
        w += sc->key_len[f];
        size_t n = e->off[f + 1] - e->off[f];
        if (f == SJ_AMENITIES) {
            out->len = (size_t)(w - out->buf);
            amenities_unpack(sc, e->json + e->off[f], n, out);
            strbuf_grow(out, room);
            w = out->buf + out->len;
        } else {
            w = put_bytes(w, e->json + e->off[f], n);
        }
    }
    out->len = (size_t)(w - out->buf);
    out->buf[out->len] = '\0';
}

/* What every site of one answer shares while it renders: the request's
 * choices, the datum's name, and the last next_change written (sites
 * with the same hours change at the same time, and formatting a time is
 * the dearest part of the dynamic fields). */
struct iso_memo {
    bool set; /* t and text hold a time */
    int64_t t;
    size_t len;
    char text[40];
};

struct render_ctx {
    const struct site_render *rd;
    const char *datum;
    size_t datum_len;
    struct iso_memo next_change; /* the last next_change */
    struct iso_memo reported;    /* the last live status time */
};

/* Write t as clock_format_iso does at w: keeps
 * the text for the next site with the same time. At most 39 bytes. */
static char *put_iso(char *w, struct iso_memo *m, int64_t t, int tz)
{
    if (!m->set || t != m->t) {
        clock_format_iso(t, tz, m->text, sizeof m->text);
        m->len = strlen(m->text);
        m->t = t;
        m->set = true;
    }
    memcpy(w, m->text, m->len);
    return w + m->len;
}

static void render_ctx_init(struct render_ctx *rc, const struct site_render *rd)
{
    rc->rd = rd;
    rc->datum = geo_datum_name(rd->datum);
    rc->datum_len = strlen(rc->datum);
    rc->next_change.set = rc->reported.set = false;
}

/* Room for what render_entry writes in place after the static part:
 * position (keys, two numbers, the datum's name aside), open,
 * next_change (a time of at most 40 bytes), distance_m, and the keys
 * of live and nav. */
#define DYNAMIC_ROOM (64 + 2 * STRBUF_FIXED_MAX + 64 + 40 + 32 + STRBUF_FIXED_MAX)

#define PUT_LIT(w, lit) (memcpy((w), (lit), sizeof(lit) - 1), (w) + sizeof(lit) - 1)

/* Live status as live_json() renders it, written in place: this runs
 * for every hit of every map query. Codes are validated identifiers and
 * need no escaping. Room for one amenity item aside from its code: */
#define LIVE_ITEM_ROOM 160

static void render_live(const struct live *l, struct render_ctx *rc, struct strbuf *out)
{
    const struct site_render *rd = rc->rd;
    strbuf_grow(out, 64 + STRBUF_INT_MAX);
    char *w = out->buf + out->len;
    w = PUT_LIT(w, "{\"ttl\":");
    w = strbuf_put_int(w, rd->ttl_s);
    w = PUT_LIT(w, ",\"amenities\":[");
    for (size_t i = 0; i < l->n; i++) {
        const struct live_item *it = &l->items[i];
        size_t code_len = strlen(it->code);
        out->len = (size_t)(w - out->buf);
        strbuf_grow(out, LIVE_ITEM_ROOM + code_len);
        w = out->buf + out->len;
        if (i)
            *w++ = ',';
        w = PUT_LIT(w, "{\"code\":\"");
        memcpy(w, it->code, code_len);
        w += code_len;
        w = PUT_LIT(w, "\",\"last_reported\":\"");
        w = put_iso(w, &rc->reported, it->reported_at, rd->tz);
        if (rd->now - it->reported_at > rd->ttl_s)
            w = PUT_LIT(w, "\",\"stale\":true,\"available\":");
        else
            w = PUT_LIT(w, "\",\"stale\":false,\"available\":");
        if (it->has_available)
            w = strbuf_put_int(w, it->available);
        else
            w = PUT_LIT(w, "null");
        if (it->working < 0)
            w = PUT_LIT(w, ",\"working\":null}");
        else if (it->working)
            w = PUT_LIT(w, ",\"working\":true}");
        else
            w = PUT_LIT(w, ",\"working\":false}");
    }
    out->len = (size_t)(w - out->buf);
    strbuf_grow(out, 64);
    w = out->buf + out->len;
    w = PUT_LIT(w, "],\"last_updated\":");
    if (l->last_updated) {
        *w++ = '"';
        w = put_iso(w, &rc->reported, l->last_updated, rd->tz);
        w = PUT_LIT(w, "\"}");
    } else {
        w = PUT_LIT(w, "null}");
    }
    out->len = (size_t)(w - out->buf);
    out->buf[out->len] = '\0';
}

/* strbuf_add_fixed's text at w in out, which has DYNAMIC_ROOM (and the
 * datum's name) from w; a number printf must write grows out itself. */
static char *put_fixed(struct strbuf *out, char *w, double v, int decimals,
                       const struct render_ctx *rc)
{
    if (strbuf_fixed_fits(v, decimals))
        return strbuf_put_fixed(w, v, decimals);
    out->len = (size_t)(w - out->buf);
    strbuf_add_fixed(out, v, decimals);
    strbuf_grow(out, DYNAMIC_ROOM + rc->datum_len);
    return out->buf + out->len;
}

/* One site: the static part, then what depends on the request; only the
 * fields rd asks for, each as the whole answer has it. The fields up to
 * distance_m are written in place, in room made once. */
static void render_entry(struct site_cache *sc, struct cache_entry *e, struct render_ctx *rc,
                         int64_t at, double distance_m, struct strbuf *out)
{
    const struct site_render *rd = rc->rd;
    uint32_t want = rd->fields ? rd->fields : SJ_ALL;
    render_static(sc, e, want, out);
    strbuf_grow(out, DYNAMIC_ROOM + rc->datum_len);
    char *w = out->buf + out->len;
    if (want & SJ_BIT(SJ_POSITION) && rd->datum == GEO_WGS84 && e->wgs84) {
        /* The numbers kept (each within STRBUF_FIXED_MAX, as
         * DYNAMIC_ROOM counts them). */
        w = PUT_LIT(w, ",\"position\":{\"lat\":");
        w = put_bytes(w, e->wgs84, e->wgs84_lat_len);
        w = PUT_LIT(w, ",\"lon\":");
        w = put_bytes(w, e->wgs84 + e->wgs84_lat_len, e->wgs84_lon_len);
        w = PUT_LIT(w, ",\"datum\":\"");
        memcpy(w, rc->datum, rc->datum_len);
        w += rc->datum_len;
        w = PUT_LIT(w, "\"}");
    } else if (want & SJ_BIT(SJ_POSITION)) {
        struct geo_point p = geo_convert((struct geo_point){e->lat, e->lon}, GEO_WGS84, rd->datum);
        w = PUT_LIT(w, ",\"position\":{\"lat\":");
        w = put_fixed(out, w, p.lat, 7, rc);
        w = PUT_LIT(w, ",\"lon\":");
        w = put_fixed(out, w, p.lon, 7, rc);
        w = PUT_LIT(w, ",\"datum\":\"");
        memcpy(w, rc->datum, rc->datum_len);
        w += rc->datum_len;
        w = PUT_LIT(w, "\"}");
    }
    if (want & (SJ_BIT(SJ_OPEN) | SJ_BIT(SJ_NEXT_CHANGE))) {
        int64_t next;
        bool open = entry_open_at(sc, e, at, &next);
        if (want & SJ_BIT(SJ_OPEN))
            w = open ? PUT_LIT(w, ",\"open\":true") : PUT_LIT(w, ",\"open\":false");
        if (want & SJ_BIT(SJ_NEXT_CHANGE)) {
            w = PUT_LIT(w, ",\"next_change\":");
            if (next >= 0) {
                *w++ = '"';
                w = put_iso(w, &rc->next_change, next, rd->tz);
                *w++ = '"';
            } else {
                w = PUT_LIT(w, "null");
            }
        }
    }
    if (distance_m >= 0 && (want & SJ_BIT(SJ_DISTANCE_M))) {
        w = PUT_LIT(w, ",\"distance_m\":");
        w = put_fixed(out, w, distance_m, 1, rc);
    }
    if (want & SJ_BIT(SJ_LIVE)) {
        w = PUT_LIT(w, ",\"live\":");
        out->len = (size_t)(w - out->buf);
        render_live(&e->live, rc, out);
        strbuf_grow(out, DYNAMIC_ROOM);
        w = out->buf + out->len;
    }
    if (want & SJ_BIT(SJ_NAV)) {
        w = PUT_LIT(w, ",\"nav\":");
        out->len = (size_t)(w - out->buf);
        site_nav_unpack(out, e->nav);
        strbuf_grow(out, DYNAMIC_ROOM);
        w = out->buf + out->len;
    }
    *w++ = '}';
    out->len = (size_t)(w - out->buf);
    out->buf[out->len] = '\0';
}

struct set_cand {
    uint64_t d2;
    int64_t id;
};

static int cmp_cand(const void *a, const void *b)
{
    const struct set_cand *x = a, *y = b;
    if (x->d2 != y->d2)
        return x->d2 < y->d2 ? -1 : 1;
    return (x->id > y->id) - (x->id < y->id);
}

/* The k nearest sites of a small category set, found by scanning the set
 * instead of the whole index (which would offer every other site to
 * accept_site first). The answer is the index's own: the same held
 * positions, keys (geo_index_chord2, then id), filters and radius rule.
 * Shared lock held. */
static size_t near_in_set(struct site_cache *sc, const struct cat_set *cs, double lat, double lon,
                          size_t k, const struct geo_filter *gf, struct geo_hit *hits)
{
    if (k == 0 || !geo_is_valid(lat, lon) || gf->radius_m < 0 || isnan(gf->radius_m))
        return 0;
    struct set_cand *cand = malloc((cs->n + 1) * sizeof(*cand));
    if (!cand)
        die_oom();
    size_t m = 0;
    for (size_t i = 0; i < cs->n; i++) {
        struct geo_entry g;
        if (geo_index_get(sc->index, cs->sites[i], &g))
            continue;
        if ((g.amenities & gf->amenities_all) != gf->amenities_all)
            continue;
        if (gf->type >= 0 && g.type != gf->type)
            continue;
        uint64_t d2 = geo_index_chord2(lat, lon, g.lat, g.lon);
        if (gf->radius_m > 0 && !(geo_index_chord2_m(d2) <= gf->radius_m))
            continue;
        cand[m++] = (struct set_cand){d2, g.id};
    }
    qsort(cand, m, sizeof(*cand), cmp_cand);
    size_t n = 0;
    for (size_t i = 0; i < m && n < k; i++)
        if (gf->accept(gf->ctx, cand[i].id))
            hits[n++] = (struct geo_hit){cand[i].id, geo_index_chord2_m(cand[i].d2)};
    free(cand);
    return n;
}

int site_cache_near(struct site_cache *sc, double lat, double lon, size_t k,
                    const struct site_filter *f, const struct site_render *rd, struct strbuf *out)
{
    struct geo_hit hits[SITE_NEAR_MAX_K];
    if (k > SITE_NEAR_MAX_K)
        k = SITE_NEAR_MAX_K;
    struct filter_ctx fc;
    struct geo_filter gf;
    pthread_rwlock_rdlock(&sc->lock);
    int rc = make_filter(sc, f, &fc, &gf);
    if (rc) {
        pthread_rwlock_unlock(&sc->lock);
        return rc;
    }
    size_t n = fc.cat && fc.cat->n * 8 <= sc->n
                   ? near_in_set(sc, fc.cat, lat, lon, k, &gf, hits)
                   : geo_index_nearest(sc->index, lat, lon, k, &gf, hits);
    struct render_ctx rctx;
    render_ctx_init(&rctx, rd);
    ADD_LIT(out, "{\"items\":[");
    for (size_t i = 0; i < n; i++) {
        if (i)
            strbuf_addch(out, ',');
        render_entry(sc, accepted_entry(&fc, hits[i].id), &rctx, f->at, hits[i].distance_m, out);
    }
    strbuf_adds(out, "]}");
    pthread_rwlock_unlock(&sc->lock);
    return (int)n;
}

int site_cache_bbox(struct site_cache *sc, const double bbox[4], const struct site_filter *f,
                    size_t limit, size_t offset, const struct site_render *rd, struct strbuf *out)
{
    struct filter_ctx fc;
    struct geo_filter gf;
    pthread_rwlock_rdlock(&sc->lock);
    int rc = make_filter(sc, f, &fc, &gf);
    if (rc) {
        pthread_rwlock_unlock(&sc->lock);
        return rc;
    }
    size_t cap = offset + limit;
    int64_t *ids = malloc((cap ? cap : 1) * sizeof(*ids));
    if (!ids)
        die_oom();
    size_t total = 0;
    size_t n = geo_index_bbox(sc->index, bbox[0], bbox[1], bbox[2], bbox[3], &gf, ids, cap, &total);
    struct render_ctx rctx;
    render_ctx_init(&rctx, rd);
    ADD_LIT(out, "{\"items\":[");
    for (size_t i = offset; i < n; i++) {
        if (i > offset)
            strbuf_addch(out, ',');
        render_entry(sc, accepted_entry(&fc, ids[i]), &rctx, f->at, -1, out);
    }
    ADD_LIT(out, "],\"total\":");
    strbuf_add_int(out, (int64_t)total);
    strbuf_addch(out, '}');
    pthread_rwlock_unlock(&sc->lock);
    free(ids);
    return (int)(n > offset ? n - offset : 0);
}

#define MAX_CLUSTERS 2000

int site_cache_clusters(struct site_cache *sc, const double bbox[4], int zoom,
                        const struct site_filter *f, const struct site_render *rd,
                        struct strbuf *out)
{
    struct filter_ctx fc;
    struct geo_filter gf;
    pthread_rwlock_rdlock(&sc->lock);
    int rc = make_filter(sc, f, &fc, &gf);
    if (rc) {
        pthread_rwlock_unlock(&sc->lock);
        return rc;
    }
    struct geo_cluster *cl = malloc(MAX_CLUSTERS * sizeof(*cl));
    if (!cl)
        die_oom();
    size_t n = geo_index_clusters(sc->index, bbox[0], bbox[1], bbox[2], bbox[3], zoom, &gf, cl,
                                  MAX_CLUSTERS);
    pthread_rwlock_unlock(&sc->lock);
    size_t total = 0;
    strbuf_adds(out, "{\"clusters\":[");
    for (size_t i = 0; i < n; i++) {
        struct geo_point p =
            geo_convert((struct geo_point){cl[i].lat, cl[i].lon}, GEO_WGS84, rd->datum);
        strbuf_addf(out, "%s{\"lat\":%.7f,\"lon\":%.7f,\"count\":%u,\"tiers\":[", i ? "," : "",
                    p.lat, p.lon, cl[i].count);
        bool first = true;
        for (int t = 0; t <= 3; t++) {
            if (cl[i].tiers & (1u << t)) {
                strbuf_addf(out, "%s%d", first ? "" : ",", t);
                first = false;
            }
        }
        if (cl[i].count == 1)
            strbuf_addf(out, "],\"id\":%lld}", (long long)cl[i].id);
        else
            strbuf_adds(out, "],\"id\":null}");
        total += cl[i].count;
    }
    strbuf_addf(out, "],\"total\":%zu}", total);
    free(cl);
    return (int)n;
}

int site_cache_status_json(struct site_cache *sc, int64_t id, const struct site_render *rd,
                           struct strbuf *out)
{
    pthread_rwlock_rdlock(&sc->lock);
    struct cache_entry *e = find_entry(sc, id);
    if (!e) {
        pthread_rwlock_unlock(&sc->lock);
        return -1;
    }
    int64_t next;
    bool open = entry_open_at(sc, e, rd->now, &next);
    json_t *o = live_json(&e->live, rd->now, rd->ttl_s, rd->tz);
    char buf[40];
    json_object_set_new(o, "site_id", json_integer(id));
    json_object_set_new(o, "status", json_string(e->status));
    json_object_set_new(o, "open", json_boolean(open));
    json_object_set_new(o, "next_change",
                        next >= 0 ? json_string(clock_format_iso(next, rd->tz, buf, sizeof buf))
                                  : json_null());
    pthread_rwlock_unlock(&sc->lock);
    char *text = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    if (!text)
        die_oom();
    strbuf_adds(out, text);
    free(text);
    return 0;
}
