/*
 * site_cache.c - the in-memory copy of the site registry declared in
 * site_cache.h.
 *
 * Locking: one rwlock. Queries hold it shared while they search and
 * render; a refresh builds the new entry outside the lock and swaps it in
 * under the exclusive lock. The open-state memo is one atomic 64-bit word
 * per entry (valid-from minute, valid-until minute, open bit), so readers
 * may update it while sharing the lock.
 */
#include <math.h>
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
#include "site/site.h"
#include "site/site_cache.h"
#include "store/store.h"

#define MEMO_EPOCH 1577836800 /* 2020-01-01T00:00:00Z: memo minutes count from here */

struct cache_entry {
    struct arena arena; /* owns every string below */
    struct site s;
    struct live live;
    struct hours *hours;
    char *static_json; /* the static object without its closing brace */
    size_t static_len;
    char *nav_json; /* the "nav" object: depends only on the position */
    uint64_t amen_mask;
    _Atomic uint64_t memo;
};

struct site_cache {
    pthread_rwlock_t lock;
    int tz;
    struct geo_index *index;
    struct cache_entry **entries; /* sorted by id */
    size_t n, cap;
    char *amenity_bits[64]; /* bit -> amenity code */
    size_t nbits;
    char **types; /* type index -> code */
    size_t ntypes;
    struct hours_day *days;
    size_t ndays;
};

/* ---- entries ------------------------------------------------------- */

static const char *dup_or_null(struct arena *a, const char *s)
{
    return s ? arena_strdup(a, s) : NULL;
}

static void entry_free(struct cache_entry *e)
{
    if (!e)
        return;
    hours_free(e->hours);
    free(e->static_json);
    free(e->nav_json);
    arena_release(&e->arena);
    free(e);
}

static int amenity_bit(const struct site_cache *sc, const char *code)
{
    for (size_t i = 0; i < sc->nbits; i++)
        if (strcmp(sc->amenity_bits[i], code) == 0)
            return (int)i;
    return -1;
}

static int type_index(const struct site_cache *sc, const char *code)
{
    for (size_t i = 0; i < sc->ntypes; i++)
        if (strcmp(sc->types[i], code) == 0)
            return (int)i;
    return -1;
}

/* A deep copy of s and l with everything derived from them. */
static struct cache_entry *entry_new(const struct site_cache *sc, const struct site *s,
                                     const struct live *l)
{
    struct cache_entry *e = calloc(1, sizeof(*e));
    if (!e)
        die_oom();
    arena_init_sized(&e->arena, 1024);
    struct arena *a = &e->arena;
    e->s = *s;
    const char **texts[] = {&e->s.name_zh,      &e->s.name_en,    &e->s.type_code,
                            &e->s.region_code,  &e->s.address_zh, &e->s.address_en,
                            &e->s.input_datum,  &e->s.phone,      &e->s.manager,
                            &e->s.description,  &e->s.status,     &e->s.status_reason,
                            &e->s.opening_hours};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        *texts[i] = dup_or_null(a, *texts[i]);
    e->s.amenities = arena_calloc(a, s->namenities + 1, sizeof(*e->s.amenities));
    for (size_t i = 0; i < s->namenities; i++) {
        e->s.amenities[i].code = arena_strdup(a, s->amenities[i].code);
        e->s.amenities[i].count = s->amenities[i].count;
        int bit = amenity_bit(sc, s->amenities[i].code);
        if (bit >= 0 && s->amenities[i].count > 0)
            e->amen_mask |= (uint64_t)1 << bit;
    }
    e->s.photos = arena_calloc(a, s->nphotos + 1, sizeof(*e->s.photos));
    for (size_t i = 0; i < s->nphotos; i++)
        e->s.photos[i] = arena_strdup(a, s->photos[i]);
    e->live = *l;
    e->live.items = arena_calloc(a, l->n + 1, sizeof(*e->live.items));
    for (size_t i = 0; i < l->n; i++) {
        e->live.items[i] = l->items[i];
        e->live.items[i].code = arena_strdup(a, l->items[i].code);
    }
    struct hours_error herr;
    if (hours_parse(e->s.opening_hours ? e->s.opening_hours : "", &e->hours, &herr))
        e->hours = NULL;
    struct strbuf sb = STRBUF_INIT;
    site_json_static_text(&sb, &e->s, sc->tz);
    e->static_json = strbuf_detach(&sb, &e->static_len);
    e->static_len--; /* drop the closing brace */
    e->static_json[e->static_len] = '\0';
    site_nav_text(&sb, a, &e->s);
    e->nav_json = strbuf_detach(&sb, NULL);
    return e;
}

static size_t find_slot(const struct site_cache *sc, int64_t id, bool *found)
{
    size_t lo = 0, hi = sc->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (sc->entries[mid]->s.id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = lo < sc->n && sc->entries[lo]->s.id == id;
    return lo;
}

static struct cache_entry *find_entry(const struct site_cache *sc, int64_t id)
{
    bool found;
    size_t i = find_slot(sc, id, &found);
    return found ? sc->entries[i] : NULL;
}

static struct geo_entry geo_entry_of(const struct site_cache *sc, const struct cache_entry *e)
{
    struct geo_entry g = {0};
    g.id = e->s.id;
    g.lat = e->s.lat;
    g.lon = e->s.lon;
    g.amenities = e->amen_mask;
    int t = type_index(sc, e->s.type_code);
    g.type = (uint16_t)(t < 0 ? 0xffff : t);
    g.tier = (uint8_t)e->s.tier;
    return g;
}

/* Put e in place of the entry with its id (or add it); frees the old one.
 * The index is updated too unless a bulk load rebuilds it afterwards.
 * Exclusive lock held. */
static void put_locked(struct site_cache *sc, struct cache_entry *e, bool index)
{
    bool found;
    size_t i = find_slot(sc, e->s.id, &found);
    if (found) {
        entry_free(sc->entries[i]);
        sc->entries[i] = e;
    } else {
        if (sc->n == sc->cap) {
            sc->cap = sc->cap ? sc->cap * 2 : 1024;
            sc->entries = realloc(sc->entries, sc->cap * sizeof(*sc->entries));
            if (!sc->entries)
                die_oom();
        }
        memmove(&sc->entries[i + 1], &sc->entries[i], (sc->n - i) * sizeof(*sc->entries));
        sc->entries[i] = e;
        sc->n++;
    }
    if (!index)
        return;
    struct geo_entry g = geo_entry_of(sc, e);
    if (geo_index_upsert(sc->index, &g))
        log_warn("site %lld has a position the index refuses", (long long)e->s.id);
}

static void drop_locked(struct site_cache *sc, int64_t id)
{
    bool found;
    size_t i = find_slot(sc, id, &found);
    if (!found)
        return;
    entry_free(sc->entries[i]);
    memmove(&sc->entries[i], &sc->entries[i + 1], (sc->n - i - 1) * sizeof(*sc->entries));
    sc->n--;
    geo_index_remove(sc->index, id);
}

/* ---- loading ------------------------------------------------------- */

struct site_cache *site_cache_new(int tz_offset_min)
{
    struct site_cache *sc = calloc(1, sizeof(*sc));
    if (!sc)
        die_oom();
    pthread_rwlock_init(&sc->lock, NULL);
    sc->tz = tz_offset_min;
    sc->index = geo_index_new();
    return sc;
}

static void clear_catalog(struct site_cache *sc)
{
    for (size_t i = 0; i < sc->nbits; i++)
        free(sc->amenity_bits[i]);
    sc->nbits = 0;
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
        entry_free(sc->entries[i]);
    free(sc->entries);
    clear_catalog(sc);
    free(sc->days);
    geo_index_free(sc->index);
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
static int load_catalog_locked(struct site_cache *sc, struct store_conn *c, struct arena *a)
{
    struct amenity *ms;
    struct site_type *ts;
    size_t nm, nt;
    int rc = amenity_list(c, a, &ms, &nm);
    if (!rc)
        rc = site_type_list(c, a, &ts, &nt);
    if (rc)
        return rc;
    clear_catalog(sc);
    for (size_t i = 0; i < nm && i < 64; i++)
        sc->amenity_bits[sc->nbits++] = xstrdup(ms[i].code);
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
    for (size_t i = 0; i < sc->n; i++)
        atomic_store(&sc->entries[i]->memo, 0);
    pthread_rwlock_unlock(&sc->lock);
    return 0;
}

int site_cache_load(struct site_cache *sc, struct store_conn *c)
{
    struct arena a;
    arena_init(&a);
    int64_t *live_ids = NULL;
    struct live *lives = NULL;
    size_t nlive = 0;
    static const struct live no_live;
    pthread_rwlock_wrlock(&sc->lock);
    int rc = load_catalog_locked(sc, c, &a);
    if (!rc)
        rc = live_get_all(c, &a, &live_ids, &lives, &nlive);
    for (size_t i = 0; i < sc->n; i++)
        entry_free(sc->entries[i]);
    sc->n = 0;
    geo_index_build(sc->index, NULL, 0);
    struct site_query q = {.status = "any", .limit = 1000, .no_total = true};
    size_t li = 0;
    while (!rc) {
        struct arena page;
        arena_init(&page);
        struct site *sites;
        size_t n;
        int64_t total;
        rc = site_search(c, &page, &q, &sites, &n, &total);
        for (size_t i = 0; !rc && i < n; i++) {
            /* Both lists ascend by id. */
            while (li < nlive && live_ids[li] < sites[i].id)
                li++;
            const struct live *l =
                li < nlive && live_ids[li] == sites[i].id ? &lives[li] : &no_live;
            put_locked(sc, entry_new(sc, &sites[i], l), false);
            q.after_id = sites[i].id;
        }
        arena_release(&page);
        if (n < (size_t)q.limit)
            break;
    }
    /* One build of the index over everything: far cheaper than inserts. */
    struct geo_entry *ge = malloc((sc->n + 1) * sizeof(*ge));
    if (!ge)
        die_oom();
    for (size_t i = 0; i < sc->n; i++)
        ge[i] = geo_entry_of(sc, sc->entries[i]);
    if (!rc && geo_index_build(sc->index, ge, sc->n))
        log_error("the spatial index refused the sites");
    free(ge);
    pthread_rwlock_unlock(&sc->lock);
    arena_release(&a);
    if (!rc)
        rc = site_cache_reload_calendar(sc, c);
    if (rc)
        log_error("the site cache could not be loaded");
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
    struct cache_entry *e = rc ? NULL : entry_new(sc, &s, &l);
    pthread_rwlock_wrlock(&sc->lock);
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

/* Open at t, and (when next_change is not NULL) the next change, with a
 * memo valid until that change. The memo is one word: valid-from minute
 * (31 bits), a "no change within the horizon" flag, valid-until minute
 * (31 bits) and the open bit, all minutes counted from MEMO_EPOCH. Shared
 * lock held. */
#define MEMO_HORIZON_MIN (400 * 1440)
static bool entry_open_at(const struct site_cache *sc, struct cache_entry *e, int64_t t,
                          int64_t *next_change)
{
    int64_t tm = t >= MEMO_EPOCH ? (t - MEMO_EPOCH) / 60 : -1;
    uint64_t memo = atomic_load_explicit(&e->memo, memory_order_relaxed);
    if (memo && tm >= 0) {
        int64_t from = (int64_t)(memo >> 33), until = (int64_t)((memo >> 1) & 0x7fffffff);
        bool never = (memo >> 32) & 1;
        if (tm >= from && tm < until) {
            if (next_change)
                *next_change = never ? -1 : MEMO_EPOCH + until * 60;
            return memo & 1;
        }
    }
    struct hours_calendar cal = {sc->days, sc->ndays};
    bool open;
    int64_t next;
    site_open_at(&e->s, &cal, t, sc->tz, &open, &next);
    if (next_change)
        *next_change = next;
    /* Only whole-minute changes can be memoised exactly. */
    bool never = next < 0;
    int64_t until = never ? tm + MEMO_HORIZON_MIN : (next - MEMO_EPOCH) / 60;
    if (tm >= 0 && until > tm && until < 0x7fffffff && (never || (next - MEMO_EPOCH) % 60 == 0))
        atomic_store_explicit(&e->memo,
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
};

static bool has_amenity(const struct cache_entry *e, const char *code)
{
    for (size_t i = 0; i < e->s.namenities; i++)
        if (e->s.amenities[i].count > 0 && strcmp(e->s.amenities[i].code, code) == 0)
            return true;
    return false;
}

static bool accept_site(void *ctx, int64_t id)
{
    struct filter_ctx *fc = ctx;
    struct cache_entry *e = find_entry(fc->sc, id);
    if (!e || strcmp(e->s.status, "removed") == 0)
        return false;
    for (size_t i = 0; i < fc->nextra; i++)
        if (!has_amenity(e, fc->extra[i]))
            return false;
    if (fc->f->nany) {
        bool any = (e->amen_mask & fc->any_mask) != 0;
        for (size_t i = 0; !any && i < fc->nany_extra; i++)
            any = has_amenity(e, fc->any_extra[i]);
        if (!any)
            return false;
    }
    if (fc->f->open_only && !entry_open_at(fc->sc, e, fc->f->at, NULL))
        return false;
    return true;
}

/* A code beyond the 64 bits is known when some site has it. */
static bool amenity_known(const struct site_cache *sc, const char *code)
{
    for (size_t k = 0; k < sc->n; k++)
        if (has_amenity(sc->entries[k], code))
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
    gf->radius_m = f->radius_m;
    gf->accept = accept_site;
    gf->ctx = fc;
    return 0;
}

/* ---- rendering ------------------------------------------------------ */

/* Live status as live_json() renders it, written directly: this runs for
 * every hit of every map query. Codes are validated identifiers and need
 * no escaping. */
static void render_live(const struct live *l, const struct site_render *rd, struct strbuf *out)
{
    char buf[40];
    strbuf_addf(out, "{\"ttl\":%d,\"amenities\":[", rd->ttl_s);
    for (size_t i = 0; i < l->n; i++) {
        const struct live_item *it = &l->items[i];
        strbuf_addf(out, "%s{\"code\":\"%s\",\"last_reported\":\"%s\",\"stale\":%s,", i ? "," : "",
                    it->code, clock_format_iso(it->reported_at, rd->tz, buf, sizeof buf),
                    rd->now - it->reported_at > rd->ttl_s ? "true" : "false");
        if (it->has_available)
            strbuf_addf(out, "\"available\":%lld,", (long long)it->available);
        else
            strbuf_adds(out, "\"available\":null,");
        strbuf_adds(out, it->working < 0 ? "\"working\":null}"
                         : it->working   ? "\"working\":true}"
                                         : "\"working\":false}");
    }
    strbuf_adds(out, "],\"last_updated\":");
    if (l->last_updated)
        strbuf_addf(out, "\"%s\"}", clock_format_iso(l->last_updated, rd->tz, buf, sizeof buf));
    else
        strbuf_adds(out, "null}");
}

/* One site: the static part, then what depends on the request. */
static void render_entry(struct site_cache *sc, struct cache_entry *e, const struct site_render *rd,
                         int64_t at, double distance_m, struct strbuf *out)
{
    struct geo_point p = geo_convert((struct geo_point){e->s.lat, e->s.lon}, GEO_WGS84, rd->datum);
    int64_t next;
    bool open = entry_open_at(sc, e, at, &next);
    char buf[40];
    strbuf_add(out, e->static_json, e->static_len);
    strbuf_adds(out, ",\"position\":{\"lat\":");
    strbuf_add_fixed(out, p.lat, 7);
    strbuf_adds(out, ",\"lon\":");
    strbuf_add_fixed(out, p.lon, 7);
    strbuf_addf(out, ",\"datum\":\"%s\"}", geo_datum_name(rd->datum));
    strbuf_addf(out, ",\"open\":%s,\"next_change\":", open ? "true" : "false");
    if (next >= 0)
        strbuf_addf(out, "\"%s\"", clock_format_iso(next, rd->tz, buf, sizeof buf));
    else
        strbuf_adds(out, "null");
    if (distance_m >= 0) {
        strbuf_adds(out, ",\"distance_m\":");
        strbuf_add_fixed(out, distance_m, 1);
    }
    strbuf_adds(out, ",\"live\":");
    render_live(&e->live, rd, out);
    strbuf_adds(out, ",\"nav\":");
    strbuf_adds(out, e->nav_json);
    strbuf_addch(out, '}');
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
    size_t n = geo_index_nearest(sc->index, lat, lon, k, &gf, hits);
    strbuf_adds(out, "{\"items\":[");
    for (size_t i = 0; i < n; i++) {
        if (i)
            strbuf_addch(out, ',');
        render_entry(sc, find_entry(sc, hits[i].id), rd, f->at, hits[i].distance_m, out);
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
    strbuf_adds(out, "{\"items\":[");
    for (size_t i = offset; i < n; i++) {
        if (i > offset)
            strbuf_addch(out, ',');
        render_entry(sc, find_entry(sc, ids[i]), rd, f->at, -1, out);
    }
    strbuf_addf(out, "],\"total\":%zu}", total);
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
    json_object_set_new(o, "status", json_string(e->s.status));
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
