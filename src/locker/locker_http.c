/*
 * locker_http.c - fridge and locker slots at a site:
 *
 *   GET  /api/sites/{id}/lockers                     public: slots and free ones per kind
 *   PUT  /api/sites/{id}/lockers {fridge?, locker?}  staff of the site: how many slots
 *   GET  /api/sites/{id}/lockers/slots               staff of the site: who holds which
 *   POST /api/sites/{id}/lockers/claim {kind}        signed in: a slot for today
 *   POST /api/sites/{id}/lockers/open {kind, number, code}   staff: open it for the holder
 *   GET  /api/me/lockers ?all=1                      my slots (and, with all, past ones)
 *   POST /api/me/lockers/{id}/release                I took my things out
 *
 * A claim is made while the site is open and lasts until its closing time
 * (the site's opening hours and the holiday calendar) or, at a site open
 * around the clock, until midnight; the tick frees the slots whose time
 * is up. The pickup code is shown to the holder only.
 */
#include <stdlib.h>
#include <string.h>

#include "account/account.h"
#include "app/app.h"
#include "calendar/calendar.h"
#include "core/clock.h"
#include "core/log.h"
#include "http/json_in.h"
#include "locker/locker.h"
#include "site/site.h"
#include "store/store.h"

#define STAFF_AND_ADMINS (ROLE_STAFF | ACCESS_ADMIN)

static const char *const kinds[] = {"fridge", "locker"};
#define NKINDS (sizeof kinds / sizeof kinds[0])

/* ---- JSON ------------------------------------------------------------------ */

static json_t *time_json(int64_t t, int tz)
{
    char buf[40];
    return t ? json_string(clock_format_iso(t, tz, buf, sizeof buf)) : json_null();
}

/* A claim; its code only for its holder. */
static json_t *claim_json(const struct locker_claim *k, int tz, bool holder)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(k->id));
    json_object_set_new(o, "site_id", json_integer(k->site_id));
    json_object_set_new(
        o, "site", json_pack("{s:s, s:s}", "name_zh", k->site_name_zh, "name_en", k->site_name_en));
    json_object_set_new(o, "kind", json_string(k->kind));
    json_object_set_new(o, "number", json_integer(k->number));
    if (holder)
        json_object_set_new(o, "code", json_string(k->code));
    json_object_set_new(o, "state", json_string(k->state));
    json_object_set_new(o, "claimed_at", time_json(k->claimed_at, tz));
    json_object_set_new(o, "ends_at", time_json(k->ends_at, tz));
    json_object_set_new(o, "ended_at", time_json(k->ended_at, tz));
    return o;
}

static json_t *claims_json(const struct locker_claim *ks, size_t n, int tz)
{
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, claim_json(&ks[i], tz, true));
    return items;
}

/* ---- reading requests --------------------------------------------------- */

static int kind_or_reply(struct req *r, const char **kind)
{
    if (json_in_string(r, r->json, NULL, "kind", 16, true, kind) < 0)
        return -1;
    if (!locker_kind_is_valid(*kind))
        return reply_error(r, 422, "invalid_field", "kind", "kind is fridge or locker"), -1;
    return 0;
}

/* ---- the site's slots ------------------------------------------------------ */

static int get_lockers(struct req *r)
{
    struct site s;
    struct store_conn *c = req_site_or_reply(r, &s);
    if (!c)
        return r->status;
    struct locker_count *cs;
    size_t n;
    int rc = locker_counts(c, &r->arena, s.id, &cs, &n);
    if (rc)
        return reply_store_error(r, rc, "locker");
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items,
                              json_pack("{s:s, s:I, s:I}", "kind", cs[i].kind, "total",
                                        (json_int_t)cs[i].total, "free", (json_int_t)cs[i].free));
    return reply_json(r, 200, json_pack("{s:I, s:o}", "site_id", (json_int_t)s.id, "kinds", items));
}

struct slots_write {
    struct arena *arena;
    int64_t site_id;
    int64_t count[NKINDS]; /* -1: leave as it is */
    size_t failed;         /* the kind that could not shrink */
};

static int slots_tx(struct store_conn *c, void *v)
{
    struct slots_write *w = v;
    int rc = STORE_OK;
    for (size_t i = 0; !rc && i < NKINDS; i++) {
        if (w->count[i] < 0)
            continue;
        rc = locker_slots_set(c, w->arena, w->site_id, kinds[i], w->count[i]);
        w->failed = i;
    }
    return rc;
}

static const char *const slots_fields[] = {"fridge", "locker", NULL};

static int put_lockers(struct req *r)
{
    struct slots_write w = {0};
    if (json_in_only_or_reply(r, r->json, NULL, slots_fields))
        return r->status;
    bool any = false;
    for (size_t i = 0; i < NKINDS; i++) {
        w.count[i] = -1;
        int got = json_in_int(r, r->json, NULL, kinds[i], 0, LOCKER_MAX_SLOTS, false, &w.count[i]);
        if (got < 0)
            return r->status;
        any |= got > 0;
    }
    if (!any)
        return reply_error(r, 422, "missing_field", "fridge",
                           "say how many fridge or locker slots the site has");
    struct site s;
    struct store_conn *c = req_site_or_reply(r, &s);
    if (!c)
        return r->status;
    w.arena = &r->arena;
    w.site_id = s.id;
    int rc = req_tx(r, c, slots_tx, &w);
    if (rc == STORE_CONFLICT)
        return reply_error(r, 409, "slot_in_use", kinds[w.failed],
                           "a %s slot above %lld is held: it can go once it is free",
                           kinds[w.failed], (long long)w.count[w.failed]);
    if (rc)
        return reply_store_error(r, rc, "locker");
    return get_lockers(r);
}

static int get_slots(struct req *r)
{
    struct site s;
    struct store_conn *c = req_site_or_reply(r, &s);
    if (!c)
        return r->status;
    struct locker_slot *ss;
    size_t n;
    int rc = locker_slots_list(c, &r->arena, s.id, &ss, &n);
    if (rc)
        return reply_store_error(r, rc, "locker");
    int tz = r->app->cfg.tz_offset_min;
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_pack("{s:s, s:I, s:b}", "kind", ss[i].kind, "number",
                              (json_int_t)ss[i].number, "held", ss[i].claim_id != 0);
        json_object_set_new(o, "claim_id",
                            ss[i].claim_id ? json_integer(ss[i].claim_id) : json_null());
        json_object_set_new(o, "claimed_at", time_json(ss[i].claimed_at, tz));
        json_object_set_new(o, "ends_at", time_json(ss[i].ends_at, tz));
        json_object_set_new(o, "user_id",
                            ss[i].user_id ? json_integer(ss[i].user_id) : json_null());
        json_object_set_new(o, "holder_name",
                            ss[i].holder_name ? json_string(ss[i].holder_name) : json_null());
        json_array_append_new(items, o);
    }
    return reply_json(r, 200, json_pack("{s:I, s:o}", "site_id", (json_int_t)s.id, "items", items));
}

/* ---- claiming ----------------------------------------------------------------- */

struct claim_write {
    struct arena *arena;
    struct locker_claim *k;
};

static int claim_tx(struct store_conn *c, void *v)
{
    struct claim_write *w = v;
    return locker_claim(c, w->arena, w->k);
}

static const char *const claim_fields[] = {"kind", NULL};

static int post_claim(struct req *r)
{
    const struct principal *p = req_principal(r);
    const char *kind;
    if (json_in_only_or_reply(r, r->json, NULL, claim_fields) || kind_or_reply(r, &kind))
        return r->status;
    struct site s;
    struct store_conn *c = req_site_or_reply(r, &s);
    if (!c)
        return r->status;
    int tz = r->app->cfg.tz_offset_min;
    int64_t now = clock_now();
    struct hours_calendar cal;
    int rc = calendar_load(c, &r->arena, now, tz, &cal);
    if (rc)
        return reply_store_error(r, rc, "calendar");
    bool open;
    int64_t next;
    site_open_at(&s, &cal, now, tz, &open, &next);
    if (!open)
        return reply_error(r, 409, "site_closed", NULL,
                           "the site is closed now: slots are claimed while it is open");
    struct locker_claim k = {0};
    k.site_id = s.id;
    k.kind = kind;
    k.user_id = p->user_id;
    k.code = account_otp_new(&r->arena);
    k.claimed_at = now;
    k.ends_at = locker_claim_ends(next, now, tz);
    struct claim_write w = {&r->arena, &k};
    rc = req_tx(r, c, claim_tx, &w);
    if (rc == LOCKER_FULL) {
        struct locker_count *cs;
        size_t n;
        bool has = false;
        if (locker_counts(c, &r->arena, s.id, &cs, &n) == STORE_OK)
            for (size_t i = 0; i < n; i++)
                has |= strcmp(cs[i].kind, kind) == 0;
        if (!has)
            return reply_error(r, 422, "no_slots", "kind", "this site has no %s slots", kind);
        return reply_error(r, 409, "no_free_slot", "kind", "every %s slot here is taken", kind);
    }
    if (rc == STORE_CONFLICT)
        return reply_error(r, 409, "already_holding", "kind", "you hold a %s slot here already",
                           kind);
    if (!rc)
        rc = locker_claim_get(c, &r->arena, k.id, &k);
    if (rc)
        return reply_store_error(r, rc, "locker");
    return reply_json(r, 201, claim_json(&k, tz, true));
}

struct open_write {
    struct arena *arena;
    int64_t site_id, number, by, claim_id;
    const char *kind, *code;
};

static int open_tx(struct store_conn *c, void *v)
{
    struct open_write *w = v;
    return locker_open(c, w->arena, w->site_id, w->kind, w->number, w->code, w->by, clock_now(),
                       &w->claim_id);
}

static const char *const open_fields[] = {"kind", "number", "code", NULL};

static int post_open(struct req *r)
{
    const struct principal *p = req_principal(r);
    struct open_write w = {0};
    if (json_in_only_or_reply(r, r->json, NULL, open_fields) || kind_or_reply(r, &w.kind) ||
        json_in_int(r, r->json, NULL, "number", 1, LOCKER_MAX_SLOTS, true, &w.number) < 0 ||
        json_in_string(r, r->json, NULL, "code", 16, true, &w.code) < 0)
        return r->status;
    if (!locker_code_is_valid(w.code))
        return reply_error(r, 422, "invalid_field", "code", "the code is six digits");
    struct site s;
    struct store_conn *c = req_site_or_reply(r, &s);
    if (!c)
        return r->status;
    w.arena = &r->arena;
    w.site_id = s.id;
    w.by = p->user_id;
    int rc = req_tx(r, c, open_tx, &w);
    if (rc == STORE_NOT_FOUND)
        return reply_error(r, 422, "unknown_slot", "number", "this site has no %s slot %lld",
                           w.kind, (long long)w.number);
    if (rc == LOCKER_SLOT_FREE)
        return reply_error(r, 409, "slot_free", "number", "nobody holds %s slot %lld", w.kind,
                           (long long)w.number);
    if (rc == LOCKER_WRONG_CODE)
        return reply_error(r, 409, "wrong_code", "code", "that is not the holder's code");
    struct locker_claim k;
    if (!rc)
        rc = locker_claim_get(c, &r->arena, w.claim_id, &k);
    if (rc)
        return reply_store_error(r, rc, "locker");
    return reply_json(r, 200, claim_json(&k, r->app->cfg.tz_offset_min, false));
}

/* ---- mine ------------------------------------------------------------------------- */

static int get_my_lockers(struct req *r)
{
    const struct principal *p = req_principal(r);
    const char *all = req_query(r, "all");
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    struct locker_claim *ks;
    size_t n;
    int rc =
        locker_claims_user(c, &r->arena, p->user_id, !(all && strcmp(all, "1") == 0), 50, &ks, &n);
    if (rc)
        return reply_store_error(r, rc, "locker");
    return reply_json(r, 200,
                      json_pack("{s:o}", "items", claims_json(ks, n, r->app->cfg.tz_offset_min)));
}

struct release_write {
    int64_t id, user_id;
};

static int release_tx(struct store_conn *c, void *v)
{
    struct release_write *w = v;
    return locker_release(c, w->id, w->user_id, "released", w->user_id, clock_now());
}

static int post_my_release(struct req *r)
{
    const struct principal *p = req_principal(r);
    int64_t id;
    struct store_conn *c = req_id_store_or_reply(r, "claim", &id);
    if (!c)
        return r->status;
    struct locker_claim k;
    int rc = locker_claim_get(c, &r->arena, id, &k);
    if (rc == STORE_OK && k.user_id != p->user_id)
        rc = STORE_NOT_FOUND; /* another person's is none of mine */
    if (rc)
        return reply_store_error(r, rc, "claim");
    if (strcmp(k.state, "held") != 0)
        return reply_error(r, 409, "not_held", NULL, "this slot is %s already", k.state);
    struct release_write w = {id, p->user_id};
    rc = req_tx(r, c, release_tx, &w);
    if (rc == STORE_CONFLICT)
        return reply_error(r, 409, "not_held", NULL, "this slot has just been freed");
    if (!rc)
        rc = locker_claim_get(c, &r->arena, id, &k);
    if (rc)
        return reply_store_error(r, rc, "claim");
    return reply_json(r, 200, claim_json(&k, r->app->cfg.tz_offset_min, true));
}

/* ---- timed work ------------------------------------------------------------------------ */

struct expire_work {
    int64_t now, n;
};

static int expire_tx(struct store_conn *c, void *v)
{
    struct expire_work *w = v;
    return locker_expire(c, w->now, &w->n);
}

/* Free the slots whose day is over: one statement ends the claims (two
 * nodes ending the same claim: the second changes nothing). */
static void locker_tick(struct app *app, struct store_conn *c, int64_t now)
{
    struct expire_work w = {now, 0};
    int rc = store_tx(c, expire_tx, &w);
    if (rc)
        log_warn("lockers: freeing the day's slots failed (store result %d)", rc);
    else if (w.n)
        log_info("lockers: %lld slots freed at closing time", (long long)w.n);
}

/* ---- personal data ------------------------------------------------------------------------ */

static int locker_export_personal(struct app *app, struct store_conn *c, struct arena *a,
                                  int64_t user_id, json_t **out)
{
    struct locker_claim *ks;
    size_t n;
    int rc = locker_export(c, a, user_id, &ks, &n);
    if (!rc && n)
        *out = json_pack("{s:o}", "claims", claims_json(ks, n, app->cfg.tz_offset_min));
    return rc;
}

static int locker_erase_personal(struct app *app, struct store_conn *c, int64_t user_id)
{
    return locker_erase(c, user_id);
}

/* ---- demo data ------------------------------------------------------------------------------ */

/* Six fridge slots at every demo site with a fridge; locker slots where a
 * site lists lockers (as many as it says, at most twenty). */
static int locker_demo(struct app *app, struct store_conn *c, int *count)
{
    struct arena a;
    arena_init(&a);
    struct site_query q = {.limit = 100000, .no_total = true};
    struct site *ss;
    size_t ns;
    int64_t total;
    *count = 0;
    int rc = site_search(c, &a, &q, &ss, &ns, &total);
    for (size_t i = 0; !rc && i < ns; i++) {
        if (!ss[i].is_demo)
            continue;
        bool made = false;
        for (size_t k = 0; !rc && k < ss[i].namenities; k++) {
            const struct site_amenity *m = &ss[i].amenities[k];
            if (strcmp(m->code, "fridge") == 0) {
                rc = locker_slots_set(c, &a, ss[i].id, "fridge", 6);
                made = true;
            } else if (strcmp(m->code, "locker") == 0 && m->count > 0) {
                rc = locker_slots_set(c, &a, ss[i].id, "locker", m->count < 20 ? m->count : 20);
                made = true;
            }
        }
        *count += made && !rc;
    }
    arena_release(&a);
    return rc;
}

/* ---- the module ---------------------------------------------------------------------------- */

static const struct route locker_routes[] = {
    {HTTP_GET, "/api/sites/{id}/lockers", get_lockers, ACCESS_PUBLIC, BODY_NONE, SCOPE_ANY},
    {HTTP_PUT, "/api/sites/{id}/lockers", put_lockers, STAFF_AND_ADMINS, BODY_JSON,
     &site_scope_path},
    {HTTP_GET, "/api/sites/{id}/lockers/slots", get_slots, STAFF_AND_ADMINS, BODY_NONE,
     &site_scope_path},
    {HTTP_POST, "/api/sites/{id}/lockers/claim", post_claim, ACCESS_SIGNED_IN, BODY_JSON,
     SCOPE_ANY},
    {HTTP_POST, "/api/sites/{id}/lockers/open", post_open, STAFF_AND_ADMINS, BODY_JSON,
     &site_scope_path},
    {HTTP_GET, "/api/me/lockers", get_my_lockers, ACCESS_SIGNED_IN, BODY_NONE, SCOPE_ANY},
    {HTTP_POST, "/api/me/lockers/{id}/release", post_my_release, ACCESS_SIGNED_IN, BODY_NONE,
     SCOPE_ANY},
};

const struct module locker_module = {
    .name = "locker",
    .routes = locker_routes,
    .nroutes = sizeof locker_routes / sizeof locker_routes[0],
    .tick = locker_tick,
    .demo = locker_demo,
    .export_personal = locker_export_personal,
    .erase_personal = locker_erase_personal,
};
