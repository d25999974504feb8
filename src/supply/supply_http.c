/*
 * supply_http.c - supplies at the stations:
 *   GET  /api/supply-items                         the catalogue (public)
 *   GET  /api/sites/{id}/supplies                  staff of the site: what it
 * holds, with alerts POST /api/sites/{id}/supplies/restock {item, quantity,
 * expires_on?, note?} POST /api/sites/{id}/supplies/use {item, quantity,
 * reason?, note?} PUT  /api/sites/{id}/supplies/{item} {minimum}  the site's
 * minimum of an item GET  /api/sites/{id}/supplies/log ?limit=&before=   who
 * restocked and used what GET  /api/regions/{code}/supplies/needs        region
 * admins: what each site needs
 *
 * A use or restock is its batch's change and its log entry in one
 * transaction; a use that meets another one taking from the same batch
 * is tried again from the start (STORE_BUSY), so it never takes more than
 * is there.
 */
#include <stdio.h>
#include <string.h>

#include "app/app.h"
#include "core/clock.h"
#include "http/json_in.h"
#include "region/region.h"
#include "site/site.h"
#include "store/store.h"
#include "supply/supply.h"

#define STAFF_AND_ADMINS (ROLE_STAFF | ACCESS_ADMIN)

static int tz_of(struct req *r)
{
    return r->app->cfg.tz_offset_min;
}

static json_t *date_or_null(int32_t ymd)
{
    if (!ymd)
        return json_null();
    char buf[16];
    snprintf(buf, sizeof buf, "%04d-%02d-%02d", ymd / 10000, ymd / 100 % 100, ymd % 100);
    return json_string(buf);
}

static json_t *item_json(const struct supply_item *it)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:b}", "code", it->code, "name_zh",
                     it->name_zh, "name_en", it->name_en, "unit_zh", it->unit_zh, "unit_en",
                     it->unit_en, "kit", it->kit, "expires", it->expires);
}

/* ---- a site's levels
 * --------------------------------------------------------- */

/* One item at one site: its level and its batches. */
struct holding {
    const struct supply_item *item;
    struct supply_level level;
    const struct supply_batch *batches; /* into the caller's list */
    size_t nbatches;
    bool has_minimum;
};

/* The holdings of one site: for every catalogue item it holds a batch or a
 * minimum of, in catalogue order. bs and ms are the site's only (each
 * grouped by item). Returns how many, into out (nitems long). */
static size_t holdings_of(const struct supply_item *items, size_t nitems,
                          const struct supply_batch *bs, size_t nb, const struct supply_minimum *ms,
                          size_t nm, int32_t today, struct holding *out)
{
    size_t n = 0;
    for (size_t i = 0; i < nitems; i++) {
        struct holding h = {&items[i], {.item = items[i].code}, NULL, 0, false};
        for (size_t k = 0; k < nb; k++) {
            if (strcmp(bs[k].item, items[i].code) != 0)
                continue;
            if (!h.batches)
                h.batches = &bs[k];
            h.nbatches++;
            supply_level_add(&h.level, &bs[k], today);
        }
        int64_t minimum = 0;
        for (size_t k = 0; k < nm; k++) {
            if (strcmp(ms[k].item, items[i].code) == 0) {
                minimum = ms[k].minimum;
                h.has_minimum = true;
            }
        }
        supply_level_finish(&h.level, minimum);
        if (h.nbatches || h.has_minimum)
            out[n++] = h;
    }
    return n;
}

static json_t *alerts_json(const struct supply_level *l)
{
    json_t *a = json_array();
    if (l->low)
        json_array_append_new(a, json_string("low"));
    if (l->expiring)
        json_array_append_new(a, json_string("expiring"));
    if (l->expired)
        json_array_append_new(a, json_string("expired"));
    return a;
}

static json_t *holding_json(const struct holding *h, int32_t today)
{
    json_t *o = item_json(h->item);
    json_object_set_new(o, "item", json_string(h->item->code));
    json_object_del(o, "code");
    json_object_set_new(o, "quantity", json_integer(h->level.usable));
    json_object_set_new(o, "minimum", json_integer(h->level.minimum));
    json_object_set_new(o, "expiring", json_integer(h->level.expiring));
    json_object_set_new(o, "expired", json_integer(h->level.expired));
    json_object_set_new(o, "low", json_boolean(h->level.low));
    json_object_set_new(o, "next_expiry", date_or_null(h->level.next_expiry));
    json_object_set_new(o, "alerts", alerts_json(&h->level));
    json_t *batches = json_array();
    /* The batches of an item are consecutive in the site's list. */
    for (size_t k = 0; k < h->nbatches; k++) {
        const struct supply_batch *b = &h->batches[k];
        if (b->quantity <= 0)
            continue;
        enum supply_state s = supply_batch_state(b->expires_on, today);
        json_t *bj = json_pack("{s:I, s:s}", "quantity", (json_int_t)b->quantity, "state",
                               supply_state_name(s));
        json_object_set_new(bj, "expires_on", date_or_null(b->expires_on));
        json_object_set_new(bj, "days_left",
                            b->expires_on ? json_integer(supply_days_between(today, b->expires_on))
                                          : json_null());
        json_array_append_new(batches, bj);
    }
    json_object_set_new(o, "batches", batches);
    return o;
}

/* Read the catalogue and the site's batches and minimums. */
struct stock_view {
    struct supply_item *items;
    size_t nitems;
    struct holding *hs;
    size_t nh;
    int32_t today;
};

static int site_view_load(struct req *r, struct store_conn *c, int64_t site_id,
                          struct stock_view *v)
{
    struct supply_batch *bs;
    struct supply_minimum *ms;
    size_t nb, nm;
    int rc = supply_items_list(c, &r->arena, &v->items, &v->nitems);
    if (!rc)
        rc = supply_batches_of_site(c, &r->arena, site_id, &bs, &nb);
    if (!rc)
        rc = supply_minimums_of_site(c, &r->arena, site_id, &ms, &nm);
    if (rc)
        return rc;
    v->today = supply_date_of(clock_now(), tz_of(r));
    v->hs = arena_calloc(&r->arena, v->nitems ? v->nitems : 1, sizeof(*v->hs));
    v->nh = holdings_of(v->items, v->nitems, bs, nb, ms, nm, v->today, v->hs);
    return STORE_OK;
}

/* The holding of one item (a zero one when the site holds none). */
static json_t *one_holding_json(struct req *r, const struct stock_view *v,
                                const struct supply_item *item)
{
    for (size_t i = 0; i < v->nh; i++)
        if (strcmp(v->hs[i].item->code, item->code) == 0)
            return holding_json(&v->hs[i], v->today);
    struct holding h = {item, {.item = item->code}, NULL, 0, false};
    supply_level_finish(&h.level, 0);
    return holding_json(&h, v->today);
}

static int get_site_supplies(struct req *r)
{
    int64_t site_id;
    if (req_param_id_or_reply(r, "id", "site", &site_id))
        return r->status;
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    struct stock_view v;
    int rc = site_view_load(r, c, site_id, &v);
    if (rc)
        return reply_store_error(r, rc, "supplies");
    json_t *items = json_array();
    int64_t low = 0, expiring = 0, expired = 0;
    for (size_t i = 0; i < v.nh; i++) {
        json_array_append_new(items, holding_json(&v.hs[i], v.today));
        low += v.hs[i].level.low;
        expiring += v.hs[i].level.expiring > 0;
        expired += v.hs[i].level.expired > 0;
    }
    json_t *o =
        json_pack("{s:I, s:o, s:o, s:{s:I, s:I, s:I}}", "site_id", (json_int_t)site_id, "today",
                  date_or_null(v.today), "items", items, "alerts", "low", (json_int_t)low,
                  "expiring", (json_int_t)expiring, "expired", (json_int_t)expired);
    json_object_set_new(o, "expiring_days", json_integer(SUPPLY_EXPIRING_DAYS));
    return reply_json(r, 200, o);
}

/* ---- writes
 * --------------------------------------------------------------------- */

static int item_or_reply(struct req *r, struct store_conn *c, const char *code,
                         struct supply_item *it, bool in_path)
{
    int rc = supply_item_get(c, &r->arena, code, it);
    if (rc == STORE_NOT_FOUND)
        return in_path ? reply_error(r, 404, "not_found", NULL, "no such supply item")
                       : reply_error(r, 422, "unknown_item", "item", "no supply item is %s", code),
               -1;
    if (rc)
        return reply_store_error(r, rc, "supply item"), -1;
    return 0;
}

struct supply_write {
    struct arena *arena;
    int64_t site_id, actor, quantity, now, available;
    const struct supply_item *item;
    int32_t expires_on, today;
    const char *reason, *note;
};

static int restock_tx(struct store_conn *c, void *ctx)
{
    struct supply_write *w = ctx;
    return supply_restock(c, w->arena, w->site_id, w->item, w->expires_on, w->quantity, w->actor,
                          w->note, w->now);
}

static int use_tx(struct store_conn *c, void *ctx)
{
    struct supply_write *w = ctx;
    return supply_use(c, w->arena, w->site_id, w->item, w->quantity, w->reason, w->today, w->actor,
                      w->note, w->now, &w->available);
}

/* After a write: the item's holding at the site. */
static int reply_holding(struct req *r, struct store_conn *c, int64_t site_id,
                         const struct supply_item *item)
{
    struct stock_view v;
    int rc = site_view_load(r, c, site_id, &v);
    if (rc)
        return reply_store_error(r, rc, "supplies");
    return reply_json(r, 200, one_holding_json(r, &v, item));
}

static const char *const restock_fields[] = {"item", "quantity", "expires_on", "note", NULL};

static int post_restock(struct req *r)
{
    const struct principal *p = req_principal(r);
    struct supply_write w = {.arena = &r->arena, .actor = p->user_id, .note = ""};
    const char *code, *expires = NULL;
    if (req_param_id_or_reply(r, "id", "site", &w.site_id) ||
        json_in_only_or_reply(r, r->json, NULL, restock_fields) ||
        json_in_string(r, r->json, NULL, "item", 64, true, &code) < 0 ||
        json_in_int(r, r->json, NULL, "quantity", 1, SUPPLY_MAX_QUANTITY, true, &w.quantity) < 0 ||
        json_in_nullable_string(r, r->json, NULL, "expires_on", 10, &expires) < 0 ||
        json_in_string(r, r->json, NULL, "note", SUPPLY_NOTE_MAX, false, &w.note) < 0)
        return r->status;
    struct store_conn *c = req_store_or_reply(r);
    struct supply_item it;
    if (!c || item_or_reply(r, c, code, &it, false))
        return r->status;
    w.item = &it;
    w.now = clock_now();
    w.today = supply_date_of(w.now, tz_of(r));
    if (it.expires && !expires)
        return reply_error(r, 422, "missing_field", "expires_on",
                           "%s expires: give the batch's expiry date", it.code);
    if (!it.expires && expires)
        return reply_error(r, 422, "invalid_field", "expires_on", "%s does not expire", it.code);
    if (expires && clock_parse_date(expires, &w.expires_on))
        return reply_error(r, 422, "invalid_field", "expires_on",
                           "expires_on is a date: YYYY-MM-DD");
    if (expires && w.expires_on < w.today)
        return reply_error(r, 422, "already_expired", "expires_on",
                           "this batch has expired already");
    int rc = req_tx(r, c, restock_tx, &w);
    if (rc)
        return reply_store_error(r, rc, "supplies");
    return reply_holding(r, c, w.site_id, &it);
}

static const char *const use_fields[] = {"item", "quantity", "reason", "note", NULL};

static int post_use(struct req *r)
{
    const struct principal *p = req_principal(r);
    struct supply_write w = {.arena = &r->arena, .actor = p->user_id, .note = "", .reason = "use"};
    const char *code;
    if (req_param_id_or_reply(r, "id", "site", &w.site_id) ||
        json_in_only_or_reply(r, r->json, NULL, use_fields) ||
        json_in_string(r, r->json, NULL, "item", 64, true, &code) < 0 ||
        json_in_int(r, r->json, NULL, "quantity", 1, SUPPLY_MAX_QUANTITY, true, &w.quantity) < 0 ||
        json_in_string(r, r->json, NULL, "reason", 16, false, &w.reason) < 0 ||
        json_in_string(r, r->json, NULL, "note", SUPPLY_NOTE_MAX, false, &w.note) < 0)
        return r->status;
    if (!supply_use_reason_is_valid(w.reason))
        return reply_error(r, 422, "invalid_field", "reason", "reason is use, expired or damaged");
    struct store_conn *c = req_store_or_reply(r);
    struct supply_item it;
    if (!c || item_or_reply(r, c, code, &it, false))
        return r->status;
    w.item = &it;
    w.now = clock_now();
    w.today = supply_date_of(w.now, tz_of(r));
    int rc = req_tx(r, c, use_tx, &w);
    if (rc == SUPPLY_SHORT)
        return reply_error(r, 409, "insufficient_stock", "quantity", "the site holds %lld %s of %s",
                           (long long)w.available,
                           strcmp(w.reason, "expired") == 0 ? "expired" : "usable", it.code);
    if (rc)
        return reply_store_error(r, rc, "supplies");
    return reply_holding(r, c, w.site_id, &it);
}

static const char *const minimum_fields[] = {"minimum", NULL};

struct minimum_write {
    int64_t site_id, minimum, actor, now;
    const struct supply_item *item;
};

static int minimum_tx(struct store_conn *c, void *ctx)
{
    struct minimum_write *m = ctx;
    return supply_minimum_set(c, m->site_id, m->item, m->minimum, m->actor, m->now);
}

static int put_minimum(struct req *r)
{
    const struct principal *p = req_principal(r);
    struct minimum_write m = {.actor = p->user_id, .now = clock_now()};
    if (req_param_id_or_reply(r, "id", "site", &m.site_id) ||
        json_in_only_or_reply(r, r->json, NULL, minimum_fields) ||
        json_in_int(r, r->json, NULL, "minimum", 0, SUPPLY_MAX_MINIMUM, true, &m.minimum) < 0)
        return r->status;
    struct store_conn *c = req_store_or_reply(r);
    struct supply_item it;
    if (!c || item_or_reply(r, c, req_param(r, "item"), &it, true))
        return r->status;
    m.item = &it;
    int rc = req_tx(r, c, minimum_tx, &m);
    if (rc)
        return reply_store_error(r, rc, "supplies");
    return reply_holding(r, c, m.site_id, &it);
}

/* ---- the log
 * -------------------------------------------------------------------- */

static json_t *entry_json(struct req *r, const struct supply_entry *e)
{
    char at[40];
    json_t *o = json_pack("{s:I, s:s, s:I, s:s, s:s, s:s}", "id", (json_int_t)e->id, "item",
                          e->item, "delta", (json_int_t)e->delta, "reason", e->reason, "at",
                          clock_format_iso(e->at, tz_of(r), at, sizeof at), "note", e->note);
    json_object_set_new(o, "expires_on", date_or_null(e->expires_on));
    json_object_set_new(o, "by",
                        e->actor_id ? json_pack("{s:I, s:s}", "id", (json_int_t)e->actor_id, "name",
                                                e->actor_name ? e->actor_name : "")
                                    : json_null());
    return o;
}

static int get_log(struct req *r)
{
    int64_t site_id, limit, before;
    if (req_param_id_or_reply(r, "id", "site", &site_id) ||
        req_query_int_or_reply(r, "limit", 1, SUPPLY_LOG_MAX, 50, &limit) ||
        req_query_int_or_reply(r, "before", 1, INT64_MAX, 0, &before))
        return r->status;
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    struct supply_entry *es;
    size_t n;
    int rc = supply_log_list(c, &r->arena, site_id, before, limit, &es, &n);
    if (rc)
        return reply_store_error(r, rc, "supply log");
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, entry_json(r, &es[i]));
    json_t *o = json_pack("{s:o}", "items", items);
    json_object_set_new(o, "next_before",
                        n == (size_t)limit ? json_integer(es[n - 1].id) : json_null());
    return reply_json(r, 200, o);
}

/* ---- a region's needs
 * ------------------------------------------------------------ */

/* Per item, across the region's sites. */
struct item_total {
    int64_t sites, short_by, expiring, expired;
};

static int get_needs(struct req *r)
{
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    struct region reg;
    int rc = region_get(c, &r->arena, req_param(r, "code"), &reg);
    if (rc)
        return reply_store_error(r, rc, "region");
    struct supply_item *items;
    struct supply_site *ss;
    struct supply_batch *bs;
    struct supply_minimum *ms;
    size_t nitems, nsites, nb, nm;
    rc = supply_items_list(c, &r->arena, &items, &nitems);
    if (!rc)
        rc = supply_sites_in_region(c, &r->arena, reg.path, &ss, &nsites);
    if (!rc)
        rc = supply_batches_in_region(c, &r->arena, reg.path, &bs, &nb);
    if (!rc)
        rc = supply_minimums_in_region(c, &r->arena, reg.path, &ms, &nm);
    if (rc)
        return reply_store_error(r, rc, "supplies");
    int32_t today = supply_date_of(clock_now(), tz_of(r));
    struct holding *hs = arena_calloc(&r->arena, nitems ? nitems : 1, sizeof(*hs));
    struct item_total *tot = arena_calloc(&r->arena, nitems ? nitems : 1, sizeof(*tot));
    json_t *sites = json_array();
    size_t ib = 0, im = 0;
    for (size_t s = 0; s < nsites; s++) {
        /* Both lists are ordered by site id, as the sites are. */
        while (ib < nb && bs[ib].site_id < ss[s].id)
            ib++;
        while (im < nm && ms[im].site_id < ss[s].id)
            im++;
        size_t eb = ib, em = im;
        while (eb < nb && bs[eb].site_id == ss[s].id)
            eb++;
        while (em < nm && ms[em].site_id == ss[s].id)
            em++;
        size_t nh = holdings_of(items, nitems, bs + ib, eb - ib, ms + im, em - im, today, hs);
        ib = eb;
        im = em;
        json_t *needs = json_array();
        for (size_t i = 0; i < nh; i++) {
            const struct supply_level *l = &hs[i].level;
            if (!supply_level_needs(l))
                continue;
            int64_t short_by = l->low ? l->minimum - l->usable : 0;
            json_t *o =
                json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I}", "item", hs[i].item->code,
                          "name_zh", hs[i].item->name_zh, "name_en", hs[i].item->name_en, "unit_zh",
                          hs[i].item->unit_zh, "quantity", (json_int_t)l->usable, "minimum",
                          (json_int_t)l->minimum, "short", (json_int_t)short_by, "expiring",
                          (json_int_t)l->expiring, "expired", (json_int_t)l->expired);
            json_object_set_new(o, "next_expiry", date_or_null(l->next_expiry));
            json_object_set_new(o, "alerts", alerts_json(l));
            json_array_append_new(needs, o);
            struct item_total *t = &tot[hs[i].item - items];
            t->sites++;
            t->short_by += short_by;
            t->expiring += l->expiring;
            t->expired += l->expired;
        }
        if (!json_array_size(needs)) {
            json_decref(needs);
            continue;
        }
        json_array_append_new(sites,
                              json_pack("{s:{s:I, s:s, s:s, s:s}, s:o}", "site", "id",
                                        (json_int_t)ss[s].id, "name_zh", ss[s].name_zh, "name_en",
                                        ss[s].name_en, "region", ss[s].region, "needs", needs));
    }
    json_t *totals = json_array();
    for (size_t i = 0; i < nitems; i++) {
        if (!tot[i].sites)
            continue;
        json_array_append_new(
            totals,
            json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:I}", "item", items[i].code, "name_zh",
                      items[i].name_zh, "name_en", items[i].name_en, "sites",
                      (json_int_t)tot[i].sites, "short", (json_int_t)tot[i].short_by, "expiring",
                      (json_int_t)tot[i].expiring, "expired", (json_int_t)tot[i].expired));
    }
    json_t *o = json_pack("{s:{s:s, s:s, s:s, s:s}, s:o, s:I, s:o, s:o}", "region", "code",
                          reg.code, "level", reg.level, "name_zh", reg.name_zh, "name_en",
                          reg.name_en ? reg.name_en : "", "today", date_or_null(today),
                          "sites_checked", (json_int_t)nsites, "sites", sites, "totals", totals);
    return reply_json(r, 200, o);
}

/* ---- the catalogue
 * ---------------------------------------------------------------- */

static int get_items(struct req *r)
{
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    struct supply_item *items;
    size_t n;
    int rc = supply_items_list(c, &r->arena, &items, &n);
    if (rc)
        return reply_store_error(r, rc, "supply items");
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, item_json(&items[i]));
    return reply_json(r, 200, json_pack("{s:o}", "items", arr));
}

/* ---- personal data, demo
 * ------------------------------------------------------------ */

static int supply_export_personal(struct app *app, struct store_conn *c, struct arena *a,
                                  int64_t user_id, json_t **out)
{
    struct supply_entry *es;
    size_t n;
    int rc = supply_log_of_actor(c, a, user_id, &es, &n);
    if (rc || !n)
        return rc;
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++) {
        char at[40];
        json_t *o = json_pack("{s:I, s:I, s:s, s:I, s:s, s:s, s:s}", "id", (json_int_t)es[i].id,
                              "site_id", (json_int_t)es[i].site_id, "item", es[i].item, "delta",
                              (json_int_t)es[i].delta, "reason", es[i].reason, "at",
                              clock_format_iso(es[i].at, app->cfg.tz_offset_min, at, sizeof at),
                              "note", es[i].note);
        json_array_append_new(items, o);
    }
    *out = json_pack("{s:o}", "log_entries", items);
    return STORE_OK;
}

/* The log keeps what was done; who did it goes with the person. */
static int supply_erase_personal(struct app *app, struct store_conn *c, int64_t user_id)
{
    return supply_log_forget_actor(c, user_id);
}

static int32_t date_plus(int32_t today, int days)
{
    int y, m, d;
    clock_civil_from_days(
        clock_days_from_civil(today / 10000, today / 100 % 100, today % 100) + days, &y, &m, &d);
    return y * 10000 + m * 100 + d;
}

static int supply_demo(struct app *app, struct store_conn *c, int *count)
{
    int32_t today = supply_date_of(clock_now(), app->cfg.tz_offset_min);
    int64_t n = 0;
    int rc = supply_demo_fill(c, date_plus(today, 12), date_plus(today, 240), date_plus(today, -9),
                              clock_now(), &n);
    *count = (int)n;
    return rc;
}

/* ---- the module
 * ----------------------------------------------------------------------- */

static const struct route supply_routes[] = {
    {HTTP_GET, "/api/supply-items", get_items, ACCESS_PUBLIC, BODY_NONE, SCOPE_ANY},
    {HTTP_GET, "/api/sites/{id}/supplies", get_site_supplies, STAFF_AND_ADMINS, BODY_NONE,
     &site_scope_path},
    {HTTP_POST, "/api/sites/{id}/supplies/restock", post_restock, STAFF_AND_ADMINS, BODY_JSON,
     &site_scope_path},
    {HTTP_POST, "/api/sites/{id}/supplies/use", post_use, STAFF_AND_ADMINS, BODY_JSON,
     &site_scope_path},
    {HTTP_GET, "/api/sites/{id}/supplies/log", get_log, STAFF_AND_ADMINS, BODY_NONE,
     &site_scope_path},
    {HTTP_PUT, "/api/sites/{id}/supplies/{item}", put_minimum, STAFF_AND_ADMINS, BODY_JSON,
     &site_scope_path},
    {HTTP_GET, "/api/regions/{code}/supplies/needs", get_needs, ACCESS_ADMIN, BODY_NONE,
     &region_scope_path},
};

const struct module supply_module = {
    .name = "supply",
    .routes = supply_routes,
    .nroutes = sizeof supply_routes / sizeof supply_routes[0],
    .demo = supply_demo,
    .export_personal = supply_export_personal,
    .erase_personal = supply_erase_personal,
};
