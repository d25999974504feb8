/*
 * fault_http.c - faults at a site:
 *   POST /api/sites/{id}/faults   {amenity, note?}   staff of the site: report one
 *   GET  /api/sites/{id}/faults   ?state=open|fixed  staff of the site
 *   GET  /api/faults/{id}                            staff of the fault's site
 *   POST /api/faults/{id}/fix     {note?}            staff of the fault's site
 * A report sets the amenity's live status to "not working" in the same
 * transaction and a fix sets it back, so the map shows it at once (the
 * live module's change is announced to every node).
 */
#include <stdio.h>
#include <string.h>

#include "app/app.h"
#include "core/clock.h"
#include "fault/fault.h"
#include "http/json_in.h"
#include "live/live.h"
#include "site/site.h"
#include "store/store.h"

#define STAFF_AND_ADMINS (ROLE_STAFF | ACCESS_ADMIN)

static json_t *fault_json(struct req *r, const struct fault *f)
{
    int tz = r->app->cfg.tz_offset_min;
    char reported[40], fixed[40];
    clock_format_iso(f->reported_at, tz, reported, sizeof reported);
    json_t *o = json_pack("{s:I, s:I, s:s, s:s, s:s, s:s}", "id", (json_int_t)f->id, "site_id",
                          (json_int_t)f->site_id, "amenity", f->amenity, "note", f->note, "state",
                          f->state, "reported_at", reported);
    json_object_set_new(o, "fixed_at",
                        f->fixed_at
                            ? json_string(clock_format_iso(f->fixed_at, tz, fixed, sizeof fixed))
                            : json_null());
    json_object_set_new(o, "fix_note", f->fix_note ? json_string(f->fix_note) : json_null());
    return o;
}

/* ---- scope ------------------------------------------------------------ */

static int fault_or_reply(struct req *r, struct store_conn *c, struct fault *f)
{
    int64_t id;
    if (req_param_id_or_reply(r, "id", "fault", &id))
        return -1;
    int rc = fault_get(c, &r->arena, id, f);
    if (rc)
        return reply_store_error(r, rc, "fault"), -1;
    return 0;
}

/* {id} is a fault: staff must reach the site it was reported at. */
static int resolve_fault(struct req *r, struct scope_target *t)
{
    struct store_conn *c = req_store_or_reply(r);
    struct fault f;
    if (!c || fault_or_reply(r, c, &f))
        return -1;
    t->site_id = f.site_id;
    return 0;
}

const struct route_scope fault_scope_path = {"fault", resolve_fault};

/* ---- writes ----------------------------------------------------------- */

/* The fault and the amenity's live status, in one transaction. */
struct fault_write {
    struct arena *arena;
    struct fault *f;
    int64_t by;
    const char *fix_note; /* fixing: the note (may be NULL) */
    bool fixing;
};

static int write_tx(struct store_conn *c, void *v)
{
    struct fault_write *w = v;
    int64_t now = clock_now();
    int rc = w->fixing ? fault_fix(c, w->f->id, w->by, now, w->fix_note)
                       : fault_insert(c, w->arena, w->f);
    struct live_item item = {
        .code = w->f->amenity, .working = w->fixing ? 1 : 0, .reported_at = now};
    const char *bad = NULL;
    if (!rc)
        rc = live_put(c, w->arena, w->f->site_id, &item, 1, now, &bad);
    return rc;
}

static const char *const report_fields[] = {"amenity", "note", NULL};

static int post_fault(struct req *r)
{
    const struct principal *p = req_principal(r);
    int64_t site_id;
    struct fault f = {0};
    f.note = "";
    if (req_param_id_or_reply(r, "id", "site", &site_id) ||
        json_in_only_or_reply(r, r->json, NULL, report_fields) ||
        json_in_string(r, r->json, NULL, "amenity", 64, true, &f.amenity) < 0 ||
        json_in_string(r, r->json, NULL, "note", FAULT_NOTE_MAX, false, &f.note) < 0)
        return r->status;
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    struct site s;
    int rc = site_get(c, &r->arena, site_id, &s);
    if (rc)
        return reply_store_error(r, rc, "site");
    size_t i = 0;
    while (i < s.namenities && strcmp(s.amenities[i].code, f.amenity) != 0)
        i++;
    if (i == s.namenities)
        return reply_error(r, 422, "amenity_not_at_site", "amenity", "this site has no amenity %s",
                           f.amenity);
    f.site_id = site_id;
    f.reported_by = p->user_id;
    f.reported_at = clock_now();
    struct fault_write w = {&r->arena, &f, p->user_id, NULL, false};
    rc = req_tx(r, c, write_tx, &w);
    if (rc == STORE_CONFLICT)
        return reply_error(r, 409, "already_reported", "amenity",
                           "a fault of %s at this site is open already", f.amenity);
    if (rc)
        return reply_store_error(r, rc, "fault");
    app_changed(r->app, c, &live_module, LIVE_STATUS, site_id);
    char loc[64];
    snprintf(loc, sizeof loc, "/api/faults/%lld", (long long)f.id);
    reply_header(r, "Location", loc);
    return reply_json(r, 201, fault_json(r, &f));
}

static const char *const fix_fields[] = {"note", NULL};

static int post_fix(struct req *r)
{
    const struct principal *p = req_principal(r);
    const char *note = NULL;
    if (json_in_only_or_reply(r, r->json, NULL, fix_fields) ||
        json_in_string(r, r->json, NULL, "note", FAULT_NOTE_MAX, false, &note) < 0)
        return r->status;
    struct store_conn *c = req_store_or_reply(r);
    struct fault f;
    if (!c || fault_or_reply(r, c, &f))
        return r->status;
    struct fault_write w = {&r->arena, &f, p->user_id, note, true};
    int rc = req_tx(r, c, write_tx, &w);
    if (rc == STORE_CONFLICT)
        return reply_error(r, 409, "not_open", NULL, "this fault is fixed already");
    if (!rc)
        rc = fault_get(c, &r->arena, f.id, &f);
    if (rc)
        return reply_store_error(r, rc, "fault");
    app_changed(r->app, c, &live_module, LIVE_STATUS, f.site_id);
    return reply_json(r, 200, fault_json(r, &f));
}

/* ---- reads ------------------------------------------------------------ */

static int get_fault(struct req *r)
{
    struct store_conn *c = req_store_or_reply(r);
    struct fault f;
    if (!c || fault_or_reply(r, c, &f))
        return r->status;
    return reply_json(r, 200, fault_json(r, &f));
}

static int list_faults(struct req *r)
{
    int64_t site_id, limit;
    const char *state = req_query(r, "state");
    if (req_param_id_or_reply(r, "id", "site", &site_id) ||
        req_query_int_or_reply(r, "limit", 1, 500, 100, &limit))
        return r->status;
    if (state && strcmp(state, "open") != 0 && strcmp(state, "fixed") != 0)
        return reply_error(r, 400, "invalid_query", "state", "state is open or fixed");
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    struct fault *fs;
    size_t n;
    int rc = fault_list(c, &r->arena, site_id, state, limit, &fs, &n);
    if (rc)
        return reply_store_error(r, rc, "fault");
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, fault_json(r, &fs[i]));
    return reply_json(r, 200, json_pack("{s:o}", "items", items));
}

static const struct route fault_routes[] = {
    {HTTP_POST, "/api/sites/{id}/faults", post_fault, STAFF_AND_ADMINS, BODY_JSON,
     &site_scope_path},
    {HTTP_GET, "/api/sites/{id}/faults", list_faults, STAFF_AND_ADMINS, BODY_NONE,
     &site_scope_path},
    {HTTP_GET, "/api/faults/{id}", get_fault, STAFF_AND_ADMINS, BODY_NONE, &fault_scope_path},
    {HTTP_POST, "/api/faults/{id}/fix", post_fix, STAFF_AND_ADMINS, BODY_JSON, &fault_scope_path},
};

const struct module fault_module = {
    .name = "fault",
    .routes = fault_routes,
    .nroutes = sizeof fault_routes / sizeof fault_routes[0],
};
