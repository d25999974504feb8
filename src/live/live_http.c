/*
 * live_http.c - live status routes:
 *   GET  /api/sites/{id}/status   the site's live status and closure
 *   POST /api/sites/{id}/status   (admin; station staff later) report values
 *        {"amenities":[{"code":"seats","available":3},{"code":"microwave","working":false}],
 *         "closure": {"reason":"停电","until":"2026-12-01T18:00:00+08:00"} | null}
 *   GET  /api/sites/events        Server-Sent Events: "status" and "site"
 * A report is stored, then pushed to every open map page.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "calendar/calendar.h"
#include "core/clock.h"
#include "http/json_in.h"
#include "http/sse.h"
#include "live/live.h"
#include "site/site.h"
#include "store/store.h"

static int id_or_reply(struct req *r, int64_t *id)
{
    return req_param_id_or_reply(r, "id", "site", id);
}

/* The status answer: live values plus the site's status and open state. */
static json_t *status_json(struct req *r, struct store_conn *c, const struct site *s,
                           const struct live *l, int *rc)
{
    int tz = r->app->cfg.tz_offset_min;
    int64_t now = clock_now();
    struct hours_calendar cal;
    *rc = calendar_load(c, &r->arena, now, tz, &cal);
    if (*rc)
        return NULL;
    bool open;
    int64_t next;
    site_open_at(s, &cal, now, tz, &open, &next);
    json_t *o = live_json(l, now, r->app->cfg.status_ttl_s, tz);
    char buf[40];
    json_object_set_new(o, "site_id", json_integer(s->id));
    json_object_set_new(o, "status", json_string(s->status));
    json_object_set_new(o, "status_reason",
                        s->status_reason ? json_string(s->status_reason) : json_null());
    json_object_set_new(o, "status_until",
                        s->has_until
                            ? json_string(clock_format_iso(s->status_until, tz, buf, sizeof buf))
                            : json_null());
    json_object_set_new(o, "open", json_boolean(open));
    json_object_set_new(o, "next_change",
                        next >= 0 ? json_string(clock_format_iso(next, tz, buf, sizeof buf))
                                  : json_null());
    return o;
}

static int get_status(struct req *r)
{
    int64_t id;
    if (id_or_reply(r, &id))
        return r->status;
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    struct site s;
    struct live l;
    int rc = site_get(c, &r->arena, id, &s);
    if (!rc)
        rc = live_get(c, &r->arena, id, &l);
    json_t *o = rc ? NULL : status_json(r, c, &s, &l, &rc);
    if (rc)
        return reply_store_error(r, rc, "site");
    return reply_json(r, 200, o);
}

static const char *const status_fields[] = {"amenities", "closure", NULL};
static const char *const item_fields[] = {"code", "available", "working", NULL};
static const char *const closure_fields[] = {"reason", "until", NULL};

/* Decode the amenities list of a report. 0 or -1 after replying. */
static int read_items_or_reply(struct req *r, const struct site *s, struct live_item **out,
                               size_t *n)
{
    json_t *arr = json_object_get(r->json, "amenities");
    *n = 0;
    if (!arr)
        return 0;
    if (!json_is_array(arr) || json_array_size(arr) > SITE_MAX_AMENITIES)
        return reply_error(r, 422, "invalid_field", "amenities",
                           "amenities is a list of at most %d reports", SITE_MAX_AMENITIES),
               -1;
    *out = arena_calloc(&r->arena, json_array_size(arr) + 1, sizeof(**out));
    size_t i;
    json_t *it;
    json_array_foreach(arr, i, it)
    {
        const char *prefix = arena_printf(&r->arena, "amenities[%zu]", i);
        struct live_item *li = &(*out)[i];
        bool working;
        if (json_in_object_or_reply(r, it, prefix) ||
            json_in_only_or_reply(r, it, prefix, item_fields) ||
            json_in_string(r, it, prefix, "code", 64, true, &li->code) < 0)
            return -1;
        int got_a = json_in_int(r, it, prefix, "available", 0, 100000, false, &li->available);
        int got_w = got_a < 0 ? -1 : json_in_bool(r, it, prefix, "working", false, &working);
        if (got_a < 0 || got_w < 0)
            return -1;
        li->has_available = got_a == 1;
        li->working = got_w == 1 ? working : -1;
        if (!got_a && !got_w)
            return reply_error(r, 422, "missing_field", prefix, "%s needs available or working",
                               prefix),
                   -1;
        bool offered = false;
        for (size_t k = 0; k < s->namenities; k++)
            offered |= strcmp(s->amenities[k].code, li->code) == 0;
        if (!offered)
            return reply_error(r, 422, "amenity_not_offered",
                               arena_printf(&r->arena, "%s.code", prefix),
                               "site %lld does not offer %s", (long long)s->id, li->code),
                   -1;
        for (size_t k = 0; k < i; k++)
            if (strcmp((*out)[k].code, li->code) == 0)
                return reply_error(r, 422, "invalid_field",
                                   arena_printf(&r->arena, "%s.code", prefix),
                                   "%s is reported twice", li->code),
                       -1;
        (*n)++;
    }
    return 0;
}

/* Apply "closure" to *s: an object closes it for a while, null reopens.
 * Returns 1 if the site changed, 0 if not, -1 after replying. */
static int read_closure_or_reply(struct req *r, struct site *s)
{
    json_t *cl = json_object_get(r->json, "closure");
    if (!cl)
        return 0;
    struct site patch;
    memset(&patch, 0, sizeof patch);
    if (json_is_null(cl)) {
        if (strcmp(s->status, "temporarily_closed") != 0)
            return 0;
        patch.status = "operational";
        site_merge(s, &patch, SF_STATUS);
        return 1;
    }
    const char *until = NULL;
    if (json_in_object_or_reply(r, cl, "closure") ||
        json_in_only_or_reply(r, cl, "closure", closure_fields) ||
        json_in_string(r, cl, "closure", "reason", 500, true, &patch.status_reason) < 0 ||
        json_in_string(r, cl, "closure", "until", 64, false, &until) < 0)
        return -1;
    if (until && clock_parse_iso(until, r->app->cfg.tz_offset_min, &patch.status_until))
        return reply_error(r, 422, "invalid_field", "closure.until",
                           "closure.until must be an ISO-8601 time"),
               -1;
    patch.has_until = until != NULL;
    patch.status = "temporarily_closed";
    site_merge(s, &patch, SF_STATUS | SF_STATUS_REASON | SF_STATUS_UNTIL);
    return 1;
}

/* A status report written in one transaction: the live values and, when
 * the closure changed, the site. */
struct status_write {
    struct arena *arena;
    int64_t site_id;
    const struct live_item *items;
    size_t n;
    struct site *site; /* NULL: the closure did not change */
    const char *bad;
    struct site_fault f;
};

static int status_tx(struct store_conn *c, void *v)
{
    struct status_write *w = v;
    int64_t now = clock_now();
    int rc = live_put(c, w->arena, w->site_id, w->items, w->n, now, &w->bad);
    if (!rc && w->site)
        rc = site_update(c, w->arena, w->site, now, &w->f);
    return rc;
}

static int post_status(struct req *r)
{
    int64_t id;
    if (id_or_reply(r, &id) || json_in_only_or_reply(r, r->json, NULL, status_fields))
        return r->status;
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    struct site s;
    int rc = site_get(c, &r->arena, id, &s);
    if (rc)
        return reply_store_error(r, rc, "site");
    struct live_item *items = NULL;
    size_t n;
    int changed;
    if (read_items_or_reply(r, &s, &items, &n) || (changed = read_closure_or_reply(r, &s)) < 0)
        return r->status;
    if (!n && !changed && !json_object_get(r->json, "closure"))
        return reply_error(r, 422, "missing_field", "amenities", "report amenities or a closure");
    struct site_fault f;
    if (changed && site_check(&s, &f))
        return reply_error(r, 422, f.code, f.field, "%s", f.message);
    struct status_write w = {&r->arena, id, items, n, changed ? &s : NULL, NULL, {0}};
    rc = req_tx(r, c, status_tx, &w);
    f = w.f;
    if (rc == SITE_INVALID)
        return reply_error(r, 422, f.code, f.field, "%s", f.message);
    if (rc)
        return reply_store_error(r, rc, "site");
    struct live l;
    rc = site_get(c, &r->arena, id, &s);
    if (!rc)
        rc = live_get(c, &r->arena, id, &l);
    json_t *o = rc ? NULL : status_json(r, c, &s, &l, &rc);
    if (rc)
        return reply_store_error(r, rc, "site");
    app_changed(r->app, c, &live_module, LIVE_STATUS, id);
    return reply_json(r, 200, o);
}

static int get_events(struct req *r)
{
    return reply_sse(r, r->app->events);
}

static const struct route live_routes[] = {
    {HTTP_GET, "/api/sites/{id}/status", get_status, ACCESS_PUBLIC, BODY_NONE, SCOPE_ANY},
    {HTTP_POST, "/api/sites/{id}/status", post_status, ROLE_STAFF | ACCESS_ADMIN, BODY_JSON,
     &site_scope_path},
    {HTTP_GET, "/api/sites/events", get_events, ACCESS_PUBLIC, BODY_NONE, SCOPE_ANY},
};

static const char *const live_changes[] = {"status", NULL};

const struct module live_module = {
    .change_kinds = live_changes,
    .name = "live",
    .routes = live_routes,
    .nroutes = sizeof live_routes / sizeof live_routes[0],
};
