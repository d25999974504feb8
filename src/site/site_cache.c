/*
 * site_cache.c - the in-memory copy of the site registry declared in
 * site_cache.h.
 *
 * Locking: one rwlock. Queries hold it shared while they search and
 * render; a refresh builds the new entry outside the lock and swaps it in
 * under the exclusive lock. The open-state memo is one atomic 64-bit word
 * per entry (valid-from minute, valid-until minute, open bit), so readers
 * may update it while sharing the lock.
 *
 * Service categories: the links (service, site, category) of the active
 * services are kept sorted by (service, site); from them each category's
 * set of sites (the sites of its own services and of the categories below
 * it) is rebuilt whenever they change. There are few links (services at
 * sites, not sites), so a rebuild is cheap.
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
#include "service/service.h"
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

/* A service category and the sorted ids of the sites offering it. */
struct cat_set {
    int64_t id;
    char *code, *path; /* "/daily_life/haircut/" */
    size_t *anc;       /* indexes of itself and the categories above it */
    size_t nanc;
    int64_t *sites;
    size_t n;
};

struct site_cache {
    pthread_rwlock_t lock;
    struct cat_set *cats;
    size_t ncats;
    struct service_site_link *links; /* by (service, site) */
    size_t nlinks;
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
    free_cats(sc->cats, sc->ncats);
    free(sc->links);
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
    if (!rc)
        rc = site_cache_reload_services(sc, c);
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
    const struct cat_set *cat; /* service_category; NULL: any */
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
    if (fc->cat && !set_has(fc->cat, id))
        return false;
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
    if (f->service_category) {
        for (size_t i = 0; !fc->cat && i < sc->ncats; i++)
            if (strcmp(sc->cats[i].code, f->service_category) == 0)
                fc->cat = &sc->cats[i];
        if (!fc->cat)
            return SITE_CACHE_UNKNOWN_CATEGORY;
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

/* One site: the static part, then what depends on the request; only the
 * fields rd asks for, each as the whole answer has it. */
static void render_entry(struct site_cache *sc, struct cache_entry *e, const struct site_render *rd,
                         int64_t at, double distance_m, struct strbuf *out)
{
    uint32_t want = rd->fields ? rd->fields : SJ_ALL;
    char buf[40];
    if ((want & (SJ_BIT(SJ_STATIC) - 1)) == SJ_BIT(SJ_STATIC) - 1)
        strbuf_add(out, e->static_json, e->static_len);
    else
        site_json_static_fields(out, &e->s, sc->tz, want);
    if (want & SJ_BIT(SJ_POSITION)) {
        struct geo_point p =
            geo_convert((struct geo_point){e->s.lat, e->s.lon}, GEO_WGS84, rd->datum);
        strbuf_adds(out, ",\"position\":{\"lat\":");
        strbuf_add_fixed(out, p.lat, 7);
        strbuf_adds(out, ",\"lon\":");
        strbuf_add_fixed(out, p.lon, 7);
        strbuf_addf(out, ",\"datum\":\"%s\"}", geo_datum_name(rd->datum));
    }
    if (want & (SJ_BIT(SJ_OPEN) | SJ_BIT(SJ_NEXT_CHANGE))) {
        int64_t next;
        bool open = entry_open_at(sc, e, at, &next);
        if (want & SJ_BIT(SJ_OPEN))
            strbuf_addf(out, ",\"open\":%s", open ? "true" : "false");
        if (want & SJ_BIT(SJ_NEXT_CHANGE)) {
            strbuf_adds(out, ",\"next_change\":");
            if (next >= 0)
                strbuf_addf(out, "\"%s\"", clock_format_iso(next, rd->tz, buf, sizeof buf));
            else
                strbuf_adds(out, "null");
        }
    }
    if (distance_m >= 0 && (want & SJ_BIT(SJ_DISTANCE_M))) {
        strbuf_adds(out, ",\"distance_m\":");
        strbuf_add_fixed(out, distance_m, 1);
    }
    if (want & SJ_BIT(SJ_LIVE)) {
        strbuf_adds(out, ",\"live\":");
        render_live(&e->live, rd, out);
    }
    if (want & SJ_BIT(SJ_NAV)) {
        strbuf_adds(out, ",\"nav\":");
        strbuf_adds(out, e->nav_json);
    }
    strbuf_addch(out, '}');
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
