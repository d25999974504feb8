/*
 * fair_http.c - the fair, its booths and their walk-in queues:
 *
 *   GET   /api/fairs ?site=&state=&limit=&offset=        public: fairs, latest first
 *   POST  /api/fairs {site_id, title_zh, title_en?, starts_at, ends_at, state?, booths?}
 *                                                       staff of the site, admins
 *   GET   /api/fairs/{id}                               public: a fair and its booths
 *   PATCH /api/fairs/{id} {title_*, starts_at, ends_at, state}   staff of the fair's site
 *   POST  /api/fairs/{id}/booths {name_zh, ..., avg_service_min} staff of the fair's site
 *   PATCH /api/fairs/{id}/booths/{booth} {..., open}             staff of the fair's site
 *   GET   /api/fairs/{id}/board                         public: "now serving", per booth
 *   GET   /api/fairs/{id}/board/events                  public: the board, live (SSE)
 *   POST  /api/fairs/{id}/booths/{booth}/tickets        signed in: take a number
 *   POST  /api/fairs/{id}/booths/{booth}/kiosk-tickets {name?}   staff: take one for
 *                                                       someone without a phone
 *   GET   /api/fairs/{id}/booths/{booth}/tickets ?state=          staff: the queue
 *   POST  /api/fairs/{id}/booths/{booth}/call-next      staff: call the next number
 *   GET   /api/fair-tickets/{id}                        staff of the ticket's fair's site
 *   POST  /api/fair-tickets/{id}/skip|done|cancel       staff of the ticket's fair's site
 *   GET   /api/me/fair-tickets                          my numbers, place and estimate
 *   GET   /api/me/fair-tickets/{id}                     one of mine (404 for others')
 *   POST  /api/me/fair-tickets/{id}/cancel              give my number up
 *
 * Every queue change is announced (FAIR_QUEUE with the booth's id) after
 * its commit; the `changed` hook, on every node, pushes the booth's new
 * board line to the fair's event stream. Each fair whose board was opened
 * has its own stream hub in the module's state (a node keeps at most
 * FAIR_MAX_HUBS), live while the fair's board may still change; the hubs
 * end their streams when the server starts stopping (the `drain` hook).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "booking/booking.h"
#include "core/clock.h"
#include "core/log.h"
#include "fair/fair.h"
#include "http/json_in.h"
#include "http/sse.h"
#include "site/site.h"
#include "store/store.h"

#define STAFF_AND_ADMINS (ROLE_STAFF | ACCESS_ADMIN)
/* Hubs a node keeps (one per fair whose board was opened since start). */
#define FAIR_MAX_HUBS 256

/* ---- the module's state: an event hub per fair ------------------------
 *
 * A hub is made when the first board stream of a fair is opened and kept
 * until the module is released: a request may hold its pointer between
 * the handler and the server's registering of the stream, so it is never
 * freed while the server runs. Only fairs whose board can still change get
 * one (fair_board_is_live), which bounds them by the fairs held while the
 * node runs. */

struct fair_hub {
    int64_t fair_id;
    struct sse_hub *hub;
    bool ended; /* closed: the server is stopping */
};

struct fair_state {
    pthread_mutex_t lock;
    bool draining;
    struct fair_hub hubs[FAIR_MAX_HUBS];
    size_t nhubs;
};

static struct fair_state *state_of(const struct app *app)
{
    return app_state(app, &fair_module);
}

/* The live hub of a fair, or NULL when nobody has opened its board. Hubs
 * are freed only at release, so the pointer stays valid. */
static struct sse_hub *hub_find(struct fair_state *st, int64_t fair_id)
{
    struct sse_hub *h = NULL;
    pthread_mutex_lock(&st->lock);
    for (size_t i = 0; i < st->nhubs && !h; i++)
        if (st->hubs[i].fair_id == fair_id && !st->hubs[i].ended)
            h = st->hubs[i].hub;
    pthread_mutex_unlock(&st->lock);
    return h;
}

/* The fair's hub for a new stream, made on first use. NULL when the
 * server is stopping or the node keeps FAIR_MAX_HUBS already. */
static struct sse_hub *hub_for_stream(struct fair_state *st, int64_t fair_id)
{
    struct sse_hub *h = NULL;
    pthread_mutex_lock(&st->lock);
    for (size_t i = 0; i < st->nhubs && !h; i++)
        if (st->hubs[i].fair_id == fair_id && !st->hubs[i].ended)
            h = st->hubs[i].hub;
    if (!h && !st->draining && st->nhubs < FAIR_MAX_HUBS) {
        h = sse_hub_new();
        st->hubs[st->nhubs++] = (struct fair_hub){fair_id, h, false};
    }
    pthread_mutex_unlock(&st->lock);
    return h;
}

/* End every stream (the server is stopping). The hubs are kept until
 * release: a request may still hold one. */
static void hubs_end(struct fair_state *st)
{
    struct sse_hub *end[FAIR_MAX_HUBS];
    size_t n = 0;
    pthread_mutex_lock(&st->lock);
    st->draining = true;
    for (size_t i = 0; i < st->nhubs; i++) {
        if (!st->hubs[i].ended) {
            st->hubs[i].ended = true;
            end[n++] = st->hubs[i].hub;
        }
    }
    pthread_mutex_unlock(&st->lock);
    for (size_t i = 0; i < n; i++)
        sse_hub_close(end[i]);
}

static int fair_init(struct app *app, void **state)
{
    struct fair_state *st = calloc(1, sizeof(*st));
    if (!st)
        die_oom();
    pthread_mutex_init(&st->lock, NULL);
    *state = st;
    return 0;
}

static void fair_release(struct app *app, void *state)
{
    struct fair_state *st = state;
    if (!st)
        return;
    for (size_t i = 0; i < st->nhubs; i++)
        sse_hub_free(st->hubs[i].hub);
    pthread_mutex_destroy(&st->lock);
    free(st);
}

/* The server is stopping: end every board stream, and open no more. */
static void fair_drain(struct app *app, void *state)
{
    hubs_end(state);
}

/* ---- JSON --------------------------------------------------------------- */

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *time_json(int64_t t, int tz)
{
    char buf[40];
    return t ? json_string(clock_format_iso(t, tz, buf, sizeof buf)) : json_null();
}

static json_t *fair_json(const struct fair *f, int tz)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(f->id));
    json_object_set_new(o, "site_id", json_integer(f->site_id));
    json_object_set_new(o, "title_zh", json_string(f->title_zh));
    json_object_set_new(o, "title_en", json_string(f->title_en));
    json_object_set_new(o, "starts_at", time_json(f->starts_at, tz));
    json_object_set_new(o, "ends_at", time_json(f->ends_at, tz));
    json_object_set_new(o, "state", json_string(f->state));
    json_object_set_new(o, "booth_count", json_integer(f->nbooths));
    json_object_set_new(o, "demo", json_boolean(f->is_demo));
    return o;
}

/* A booth; free_slots: how many of its offering's timed slots can still
 * be booked (see fair_booth_free_slots), null without an offering. */
static json_t *booth_json(const struct fair_booth *b, int64_t free_slots)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(b->id));
    json_object_set_new(o, "fair_id", json_integer(b->fair_id));
    json_object_set_new(o, "sort_order", json_integer(b->sort_order));
    json_object_set_new(o, "name_zh", json_string(b->name_zh));
    json_object_set_new(o, "name_en", json_string(b->name_en));
    json_object_set_new(o, "organization", json_string(b->organization));
    json_object_set_new(o, "avg_service_min", json_integer(b->avg_service_min));
    json_t *off = b->has_offering ? json_integer(b->offering_id) : json_null();
    json_object_set_new(o, "offering", off);
    json_object_set(o, "offering_id", off); /* its first name, kept for older clients */
    json_object_set_new(o, "free_slots", b->has_offering ? json_integer(free_slots) : json_null());
    json_object_set_new(o, "open", json_boolean(b->is_open));
    return o;
}

/* The free slots of booth_id among rows (0 when it has no row). */
static int64_t free_slots_of(const struct fair_board_row *rows, size_t n, int64_t booth_id)
{
    for (size_t i = 0; i < n; i++)
        if (rows[i].booth_id == booth_id)
            return rows[i].value;
    return 0;
}

/* One booth's JSON with its free slots counted now. */
static json_t *booth_json_now(struct store_conn *c, struct arena *a, const struct fair_booth *b)
{
    struct fair_board_row *rows = NULL;
    size_t n = 0;
    if (b->has_offering && fair_booth_free_slots(c, a, b->fair_id, b->id, clock_now(), &rows, &n))
        n = 0;
    return booth_json(b, free_slots_of(rows, n, b->id));
}

/* A ticket as its holder sees it (staff: who holds it, too). e is the
 * booth's estimate, used while the ticket is waiting. */
static json_t *ticket_json(const struct fair_ticket *t, const struct fair_estimate *e, int tz,
                           bool staff)
{
    bool waiting = strcmp(t->state, "waiting") == 0;
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(t->id));
    json_object_set_new(o, "fair_id", json_integer(t->fair_id));
    json_object_set_new(o, "booth_id", json_integer(t->booth_id));
    json_object_set_new(
        o, "booth",
        json_pack("{s:s, s:s}", "name_zh", t->booth_name_zh, "name_en", t->booth_name_en));
    json_object_set_new(o, "number", json_integer(t->number));
    json_object_set_new(o, "state", json_string(t->state));
    json_object_set_new(o, "kiosk", json_boolean(t->taken_by != 0));
    json_object_set_new(o, "ahead", waiting ? json_integer(t->ahead) : json_null());
    json_object_set_new(o, "wait_min",
                        waiting ? json_integer(fair_wait_min(t->ahead, e)) : json_null());
    json_object_set_new(o, "estimate_basis", waiting ? json_string(e->basis) : json_null());
    json_object_set_new(o, "taken_at", time_json(t->taken_at, tz));
    json_object_set_new(o, "called_at", time_json(t->called_at, tz));
    json_object_set_new(o, "finished_at", time_json(t->finished_at, tz));
    if (staff) {
        json_object_set_new(o, "user_id", t->user_id ? json_integer(t->user_id) : json_null());
        json_object_set_new(o, "name", str_or_null(t->name));
        json_object_set_new(o, "taken_by", t->taken_by ? json_integer(t->taken_by) : json_null());
    }
    return o;
}

/* The booth's estimate from its recent service times. */
static int booth_estimate(struct store_conn *c, struct arena *a, int64_t fair_id, int64_t booth_id,
                          int64_t avg_min, struct fair_estimate *e)
{
    struct fair_board_row *rows;
    size_t n;
    int rc = fair_board_durations(c, a, fair_id, booth_id, &rows, &n);
    if (rc)
        return rc;
    int64_t d[FAIR_MEASURE_LAST];
    size_t k = 0;
    for (size_t i = 0; i < n && k < FAIR_MEASURE_LAST; i++)
        if (rows[i].booth_id == booth_id)
            d[k++] = rows[i].value;
    *e = fair_estimate(avg_min, d, k);
    return STORE_OK;
}

/* ---- the board ------------------------------------------------------------ */

/* One booth's line of the board from the fair's heads, counts and
 * service times (rows of other booths are skipped). */
static json_t *board_line(const struct fair_booth *b, const struct fair_board_row *heads, size_t nh,
                          const struct fair_board_row *counts, size_t nc,
                          const struct fair_board_row *durs, size_t nd)
{
    json_t *serving = json_array(), *next = json_array();
    for (size_t i = 0; i < nh; i++) {
        if (heads[i].booth_id != b->id)
            continue;
        json_array_append_new(strcmp(heads[i].state, "called") == 0 ? serving : next,
                              json_integer(heads[i].value));
    }
    static const char *const states[] = {"waiting", "called", "done", "skipped", "cancelled"};
    json_t *cnt = json_object();
    int64_t waiting = 0;
    for (size_t s = 0; s < sizeof states / sizeof states[0]; s++) {
        int64_t v = 0;
        for (size_t i = 0; i < nc; i++)
            if (counts[i].booth_id == b->id && strcmp(counts[i].state, states[s]) == 0)
                v = counts[i].value;
        if (s == 0)
            waiting = v;
        json_object_set_new(cnt, states[s], json_integer(v));
    }
    json_object_set_new(cnt, "taken", json_integer(b->last_number));
    int64_t d[FAIR_MEASURE_LAST];
    size_t k = 0;
    for (size_t i = 0; i < nd && k < FAIR_MEASURE_LAST; i++)
        if (durs[i].booth_id == b->id)
            d[k++] = durs[i].value;
    struct fair_estimate e = fair_estimate(b->avg_service_min, d, k);
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(b->id));
    json_object_set_new(o, "fair_id", json_integer(b->fair_id));
    json_object_set_new(o, "name_zh", json_string(b->name_zh));
    json_object_set_new(o, "name_en", json_string(b->name_en));
    json_object_set_new(o, "organization", json_string(b->organization));
    json_object_set_new(o, "open", json_boolean(b->is_open));
    /* Its timed slots are booked through the booking pages. */
    json_object_set_new(o, "offering",
                        b->has_offering ? json_integer(b->offering_id) : json_null());
    json_object_set_new(o, "serving", serving);
    json_object_set_new(o, "next", next);
    json_object_set_new(o, "counts", cnt);
    json_object_set_new(o, "per_person_min", json_integer(e.per_person_min));
    json_object_set_new(o, "estimate_basis", json_string(e.basis));
    json_object_set_new(o, "wait_min", json_integer(fair_wait_min(waiting, &e)));
    return o;
}

/* The board's lines for the fair's booths (booth_id 0) or one booth, into
 * *out (a new array). A store result. */
static int board_lines(struct store_conn *c, struct arena *a, int64_t fair_id, int64_t booth_id,
                       json_t **out)
{
    struct fair_booth *bs, one;
    size_t nb = 1;
    int rc;
    if (booth_id) {
        rc = fair_booth_get(c, a, fair_id, booth_id, &one);
        bs = &one;
    } else {
        rc = fair_booth_list(c, a, fair_id, &bs, &nb);
    }
    struct fair_board_row *heads, *counts, *durs;
    size_t nh, nc, nd;
    if (!rc)
        rc = fair_board_heads(c, a, fair_id, booth_id, &heads, &nh);
    if (!rc)
        rc = fair_board_counts(c, a, fair_id, booth_id, &counts, &nc);
    if (!rc)
        rc = fair_board_durations(c, a, fair_id, booth_id, &durs, &nd);
    if (rc)
        return rc;
    *out = json_array();
    for (size_t i = 0; i < nb; i++)
        json_array_append_new(*out, board_line(&bs[i], heads, nh, counts, nc, durs, nd));
    return STORE_OK;
}

/* ---- finding things ------------------------------------------------------ */

static int fair_or_reply(struct req *r, struct store_conn *c, struct fair *f)
{
    int64_t id;
    if (req_param_id_or_reply(r, "id", "fair", &id))
        return -1;
    int rc = fair_get(c, &r->arena, id, f);
    if (rc)
        return reply_store_error(r, rc, "fair"), -1;
    return 0;
}

/* {booth} of the fair in {id}: another fair's booth is no booth here. */
static int booth_or_reply(struct req *r, struct store_conn *c, int64_t fair_id,
                          struct fair_booth *b)
{
    int64_t id;
    if (req_param_id_or_reply(r, "booth", "booth", &id))
        return -1;
    int rc = fair_booth_get(c, &r->arena, fair_id, id, b);
    if (rc)
        return reply_store_error(r, rc, "booth"), -1;
    return 0;
}

static int ticket_or_reply(struct req *r, struct store_conn *c, struct fair_ticket *t)
{
    int64_t id;
    if (req_param_id_or_reply(r, "id", "ticket", &id))
        return -1;
    int rc = fair_ticket_get(c, &r->arena, id, t);
    if (rc)
        return reply_store_error(r, rc, "ticket"), -1;
    return 0;
}

/* {id} is a fair: staff must reach its site. */
static int resolve_fair(struct req *r, struct scope_target *t)
{
    struct store_conn *c = req_store_or_reply(r);
    struct fair f;
    if (!c || fair_or_reply(r, c, &f))
        return -1;
    t->site_id = f.site_id;
    return 0;
}

/* {id} is a fair ticket: staff must reach its fair's site. */
static int resolve_ticket(struct req *r, struct scope_target *t)
{
    struct store_conn *c = req_store_or_reply(r);
    struct fair_ticket k;
    if (!c || ticket_or_reply(r, c, &k))
        return -1;
    t->site_id = k.site_id;
    return 0;
}

const struct route_scope fair_scope_path = {"fair", resolve_fair};
const struct route_scope fair_ticket_scope_path = {"fair ticket", resolve_ticket};

/* ---- reading bodies -------------------------------------------------------- */

static int time_field_or_reply(struct req *r, json_t *obj, const char *name, bool required,
                               int64_t *out)
{
    const char *s = NULL;
    int got = json_in_string(r, obj, NULL, name, 64, required, &s);
    if (got <= 0)
        return got;
    if (clock_parse_iso(s, r->app->cfg.tz_offset_min, out))
        return reply_error(r, 422, "invalid_field", name,
                           "%s must be an ISO-8601 time such as 2026-06-28T09:00:00+08:00", name),
               -1;
    return 1;
}

static int window_ok_or_reply(struct req *r, const struct fair *f)
{
    if (f->ends_at <= f->starts_at || f->ends_at - f->starts_at > FAIR_MAX_SECONDS)
        return reply_error(r, 422, "invalid_field", "ends_at",
                           "ends_at must be after starts_at, within a day"),
               -1;
    return 0;
}

static const char *const booth_fields[] = {
    "name_zh",  "name_en",     "organization", "avg_service_min",
    "offering", "offering_id", "open",         NULL};

/* Read a booth's fields from obj (prefix for error paths) into *b; for a
 * new booth name_zh and avg_service_min are required. The offering is
 * `offering` (or `offering_id`, its first name); *offering_path gets the
 * error path of the one given, NULL when neither (the caller checks the
 * offering with booth_offering_ok_or_reply). 0 or -1. */
static int booth_fields_or_reply(struct req *r, json_t *obj, const char *prefix,
                                 struct fair_booth *b, bool creating, const char **offering_path)
{
    *offering_path = NULL;
    bool open = b->is_open;
    if (json_in_object_or_reply(r, obj, prefix ? prefix : "body") ||
        json_in_only_or_reply(r, obj, prefix, booth_fields) ||
        json_in_string(r, obj, prefix, "name_zh", FAIR_NAME_MAX, creating, &b->name_zh) < 0 ||
        json_in_string(r, obj, prefix, "name_en", FAIR_NAME_MAX, false, &b->name_en) < 0 ||
        json_in_string(r, obj, prefix, "organization", FAIR_ORG_MAX, false, &b->organization) < 0 ||
        json_in_int(r, obj, prefix, "avg_service_min", 1, FAIR_MAX_SERVICE_MIN, creating,
                    &b->avg_service_min) < 0 ||
        json_in_bool(r, obj, prefix, "open", false, &open) < 0)
        return -1;
    const char *path = prefix ? arena_printf(&r->arena, "%s.name_zh", prefix) : "name_zh";
    if (!*b->name_zh)
        return reply_error(r, 422, "missing_field", path, "%s must not be empty", path), -1;
    b->is_open = open;
    const char *name = json_object_get(obj, "offering") ? "offering" : "offering_id";
    if (json_object_get(obj, "offering") && json_object_get(obj, "offering_id"))
        return reply_error(r, 422, "invalid_field", "offering",
                           "give offering or offering_id, not both"),
               -1;
    json_t *off = json_object_get(obj, name);
    if (off && json_is_null(off)) {
        b->has_offering = false;
    } else if (off) {
        int64_t v;
        if (json_in_int(r, obj, prefix, name, 1, INT64_MAX, false, &v) < 0)
            return -1;
        b->has_offering = true;
        b->offering_id = v;
        *offering_path = prefix ? arena_printf(&r->arena, "%s.%s", prefix, name) : name;
    }
    return 0;
}

/* A booth's timed slots come from an offering of kind fair_booth: 422
 * unknown_offering when there is none with that id, not_fair_booth when
 * it is another kind. path: where the id was given (NULL: not given now,
 * nothing to check). 0 or -1. */
static int booth_offering_ok_or_reply(struct req *r, struct store_conn *c,
                                      const struct fair_booth *b, const char *path)
{
    if (!path || !b->has_offering)
        return 0;
    struct offering o;
    int rc = offering_get(c, &r->arena, b->offering_id, &o);
    if (rc == STORE_NOT_FOUND)
        return reply_error(r, 422, "unknown_offering", path, "there is no offering %lld",
                           (long long)b->offering_id),
               -1;
    if (rc)
        return reply_store_error(r, rc, "offering"), -1;
    if (strcmp(o.kind, "fair_booth") != 0)
        return reply_error(r, 422, "not_fair_booth", path,
                           "offering %lld is of kind %s, not fair_booth", (long long)o.id, o.kind),
               -1;
    return 0;
}

/* ---- fairs ------------------------------------------------------------------ */

static json_t *fair_with_booths(struct store_conn *c, struct arena *a, const struct fair *f,
                                const struct fair_booth *bs, size_t n, int tz)
{
    json_t *o = fair_json(f, tz);
    json_t *arr = json_array();
    struct fair_board_row *free_rows = NULL;
    size_t nfree = 0;
    if (fair_booth_free_slots(c, a, f->id, 0, clock_now(), &free_rows, &nfree))
        nfree = 0;
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, booth_json(&bs[i], free_slots_of(free_rows, nfree, bs[i].id)));
    json_object_set_new(o, "booths", arr);
    return o;
}

static int list_fairs(struct req *r)
{
    int64_t site, limit, offset;
    const char *state = req_query(r, "state");
    if (req_query_int_or_reply(r, "site", 1, INT64_MAX, 0, &site) ||
        req_query_int_or_reply(r, "limit", 1, 200, 50, &limit) ||
        req_query_int_or_reply(r, "offset", 0, 1000000, 0, &offset))
        return r->status;
    if (state && !fair_state_is_valid(state))
        return reply_error(r, 400, "invalid_query", "state",
                           "state is scheduled, open, closed or cancelled");
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    struct fair *fs;
    size_t n;
    int64_t total;
    int rc = fair_list(c, &r->arena, site, state, limit, offset, &fs, &n, &total);
    if (rc)
        return reply_store_error(r, rc, "fair");
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, fair_json(&fs[i], r->app->cfg.tz_offset_min));
    return reply_json(r, 200, json_pack("{s:o, s:I}", "items", items, "total", (json_int_t)total));
}

static int get_fair(struct req *r)
{
    struct store_conn *c = req_store_or_reply(r);
    struct fair f;
    if (!c || fair_or_reply(r, c, &f))
        return r->status;
    struct fair_booth *bs;
    size_t n;
    int rc = fair_booth_list(c, &r->arena, f.id, &bs, &n);
    if (rc)
        return reply_store_error(r, rc, "fair");
    return reply_json(r, 200, fair_with_booths(c, &r->arena, &f, bs, n, r->app->cfg.tz_offset_min));
}

struct fair_create {
    struct arena *arena;
    struct fair *f;
    struct fair_booth *booths;
    size_t nbooths;
};

static int create_tx(struct store_conn *c, void *v)
{
    struct fair_create *w = v;
    int rc = fair_insert(c, w->arena, w->f);
    for (size_t i = 0; !rc && i < w->nbooths; i++) {
        w->booths[i].fair_id = w->f->id;
        rc = fair_booth_insert(c, w->arena, &w->booths[i], w->f->created_at);
    }
    return rc;
}

static const char *const fair_fields[] = {"site_id", "title_zh", "title_en", "starts_at",
                                          "ends_at", "state",    "booths",   NULL};

static int post_fair(struct req *r)
{
    const struct principal *p = req_principal(r);
    struct fair f = {0};
    f.title_en = "";
    f.state = "scheduled";
    if (json_in_only_or_reply(r, r->json, NULL, fair_fields) ||
        json_in_int(r, r->json, NULL, "site_id", 1, INT64_MAX, true, &f.site_id) < 0 ||
        json_in_string(r, r->json, NULL, "title_zh", FAIR_TITLE_MAX, true, &f.title_zh) < 0 ||
        json_in_string(r, r->json, NULL, "title_en", FAIR_TITLE_MAX, false, &f.title_en) < 0 ||
        time_field_or_reply(r, r->json, "starts_at", true, &f.starts_at) < 0 ||
        time_field_or_reply(r, r->json, "ends_at", true, &f.ends_at) < 0 ||
        json_in_string(r, r->json, NULL, "state", 16, false, &f.state) < 0 ||
        window_ok_or_reply(r, &f))
        return r->status;
    if (strcmp(f.state, "scheduled") != 0 && strcmp(f.state, "open") != 0)
        return reply_error(r, 422, "invalid_field", "state", "a new fair is scheduled or open");
    if (!req_reaches_site(r, STAFF_AND_ADMINS, f.site_id))
        return reply_error(r, 403, "out_of_scope", "site_id", "your roles do not reach site %lld",
                           (long long)f.site_id);
    json_t *arr = json_object_get(r->json, "booths");
    size_t nb = arr ? json_array_size(arr) : 0;
    if (arr && (!json_is_array(arr) || nb > FAIR_MAX_BOOTHS))
        return reply_error(r, 422, "invalid_field", "booths",
                           "booths is a list of at most %d booths", FAIR_MAX_BOOTHS);
    struct fair_booth *bs = arena_calloc(&r->arena, nb + 1, sizeof(*bs));
    const char **offering_paths = arena_calloc(&r->arena, nb + 1, sizeof(*offering_paths));
    for (size_t i = 0; i < nb; i++) {
        bs[i].name_en = bs[i].organization = "";
        bs[i].is_open = true;
        if (booth_fields_or_reply(r, json_array_get(arr, i),
                                  arena_printf(&r->arena, "booths[%zu]", i), &bs[i], true,
                                  &offering_paths[i]))
            return r->status;
    }
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    for (size_t i = 0; i < nb; i++)
        if (booth_offering_ok_or_reply(r, c, &bs[i], offering_paths[i]))
            return r->status;
    struct site s;
    int rc = site_get(c, &r->arena, f.site_id, &s);
    if (rc == STORE_NOT_FOUND)
        return reply_error(r, 422, "unknown_site", "site_id", "there is no site %lld",
                           (long long)f.site_id);
    if (rc)
        return reply_store_error(r, rc, "site");
    f.created_by = p->user_id;
    f.created_at = clock_now();
    struct fair_create w = {&r->arena, &f, bs, nb};
    rc = req_tx(r, c, create_tx, &w);
    if (rc)
        return reply_store_error(r, rc, "fair");
    f.nbooths = (int64_t)nb;
    app_changed(r->app, c, &fair_module, FAIR_FAIR, f.id);
    char loc[64];
    snprintf(loc, sizeof loc, "/api/fairs/%lld", (long long)f.id);
    reply_header(r, "Location", loc);
    return reply_json(r, 201,
                      fair_with_booths(c, &r->arena, &f, bs, nb, r->app->cfg.tz_offset_min));
}

static const char *const fair_patch_fields[] = {"title_zh", "title_en", "starts_at",
                                                "ends_at",  "state",    NULL};

static int patch_fair(struct req *r)
{
    struct store_conn *c = req_store_or_reply(r);
    struct fair f;
    if (!c || fair_or_reply(r, c, &f))
        return r->status;
    const char *from = f.state, *state = NULL;
    if (json_in_only_or_reply(r, r->json, NULL, fair_patch_fields) ||
        json_in_string(r, r->json, NULL, "title_zh", FAIR_TITLE_MAX, false, &f.title_zh) < 0 ||
        json_in_string(r, r->json, NULL, "title_en", FAIR_TITLE_MAX, false, &f.title_en) < 0 ||
        time_field_or_reply(r, r->json, "starts_at", false, &f.starts_at) < 0 ||
        time_field_or_reply(r, r->json, "ends_at", false, &f.ends_at) < 0 ||
        json_in_string(r, r->json, NULL, "state", 16, false, &state) < 0 ||
        window_ok_or_reply(r, &f))
        return r->status;
    if (!*f.title_zh)
        return reply_error(r, 422, "missing_field", "title_zh", "title_zh must not be empty");
    if (state && !fair_state_is_valid(state))
        return reply_error(r, 422, "invalid_field", "state",
                           "state is scheduled, open, closed or cancelled");
    if (state && !fair_state_change_ok(from, state))
        return reply_error(r, 409, "invalid_transition", "state",
                           "a fair that is %s cannot become %s", from, state);
    if (state)
        f.state = state;
    int rc = fair_update(c, &f, from, clock_now());
    if (rc == STORE_CONFLICT)
        return reply_error(r, 409, "state_changed", "state",
                           "the fair's state changed meanwhile; read it again");
    if (!rc)
        rc = fair_get(c, &r->arena, f.id, &f);
    if (rc)
        return reply_store_error(r, rc, "fair");
    app_changed(r->app, c, &fair_module, FAIR_FAIR, f.id);
    return reply_json(r, 200, fair_json(&f, r->app->cfg.tz_offset_min));
}

/* ---- booths ------------------------------------------------------------------ */

struct booth_write {
    struct arena *arena;
    struct fair_booth *b;
};

static int booth_insert_tx(struct store_conn *c, void *v)
{
    struct booth_write *w = v;
    return fair_booth_insert(c, w->arena, w->b, clock_now());
}

static int post_booth(struct req *r)
{
    struct store_conn *c = req_store_or_reply(r);
    struct fair f;
    if (!c || fair_or_reply(r, c, &f))
        return r->status;
    struct fair_booth b = {0};
    b.name_en = b.organization = "";
    b.is_open = true;
    const char *offering_path;
    if (booth_fields_or_reply(r, r->json, NULL, &b, true, &offering_path) ||
        booth_offering_ok_or_reply(r, c, &b, offering_path))
        return r->status;
    if (f.nbooths >= FAIR_MAX_BOOTHS)
        return reply_error(r, 409, "too_many_booths", NULL, "a fair has at most %d booths",
                           FAIR_MAX_BOOTHS);
    b.fair_id = f.id;
    struct booth_write w = {&r->arena, &b};
    int rc = req_tx(r, c, booth_insert_tx, &w);
    if (rc)
        return reply_store_error(r, rc, "booth");
    app_changed(r->app, c, &fair_module, FAIR_FAIR, f.id);
    char loc[96];
    snprintf(loc, sizeof loc, "/api/fairs/%lld/booths/%lld", (long long)f.id, (long long)b.id);
    reply_header(r, "Location", loc);
    return reply_json(r, 201, booth_json_now(c, &r->arena, &b));
}

static int patch_booth(struct req *r)
{
    struct store_conn *c = req_store_or_reply(r);
    struct fair f;
    struct fair_booth b;
    const char *offering_path;
    if (!c || fair_or_reply(r, c, &f) || booth_or_reply(r, c, f.id, &b) ||
        booth_fields_or_reply(r, r->json, NULL, &b, false, &offering_path) ||
        booth_offering_ok_or_reply(r, c, &b, offering_path))
        return r->status;
    int rc = fair_booth_update(c, &b, clock_now());
    if (rc)
        return reply_store_error(r, rc, "booth");
    /* Its line on the board (open, names) and the fair's booth list. */
    app_changed(r->app, c, &fair_module, FAIR_QUEUE, b.id);
    return reply_json(r, 200, booth_json_now(c, &r->arena, &b));
}

/* ---- the board ------------------------------------------------------------------ */

static int get_board(struct req *r)
{
    struct store_conn *c = req_store_or_reply(r);
    struct fair f;
    if (!c || fair_or_reply(r, c, &f))
        return r->status;
    json_t *lines;
    int rc = board_lines(c, &r->arena, f.id, 0, &lines);
    if (rc)
        return reply_store_error(r, rc, "fair");
    int tz = r->app->cfg.tz_offset_min;
    json_t *o = json_object();
    json_object_set_new(o, "fair", fair_json(&f, tz));
    json_object_set_new(o, "booths", lines);
    json_object_set_new(o, "generated_at", time_json(clock_now(), tz));
    return reply_json(r, 200, o);
}

static int get_board_events(struct req *r)
{
    struct store_conn *c = req_store_or_reply(r);
    struct fair f;
    if (!c || fair_or_reply(r, c, &f))
        return r->status;
    if (!fair_board_is_live(&f, clock_now()))
        return reply_error(r, 409, "fair_ended", NULL,
                           "the fair is %s: its board no longer changes", f.state);
    struct sse_hub *hub = hub_for_stream(state_of(r->app), f.id);
    if (!hub) {
        reply_header(r, "Retry-After", "5");
        return reply_error(r, 503, "no_stream", NULL,
                           "no live board now (the server is stopping or busy)");
    }
    return reply_sse(r, hub);
}

/* ---- taking a number ---------------------------------------------------------------- */

struct take_write {
    struct arena *arena;
    struct fair_ticket *t;
};

static int take_number_tx(struct store_conn *c, void *v)
{
    struct take_write *w = v;
    return fair_ticket_take(c, w->arena, w->t);
}

/* Answer for a fair or booth that takes no numbers. */
static int not_taking_reply(struct req *r, const struct fair *f, const struct fair_booth *b)
{
    if (strcmp(f->state, "open") != 0)
        return reply_error(r, 409, "fair_not_open", NULL,
                           "the fair is %s: numbers are handed out while it is open", f->state);
    return reply_error(r, 409, "booth_closed", NULL, "this booth takes no more numbers today");
}

/* Take a number at booth b of fair f for a person (user_id) or, at a
 * kiosk, for someone without a phone (taken_by, name). */
static int take_number(struct req *r, struct store_conn *c, struct fair *f, struct fair_booth *b,
                       int64_t user_id, int64_t taken_by, const char *name)
{
    if (strcmp(f->state, "open") != 0 || !b->is_open)
        return not_taking_reply(r, f, b);
    struct fair_ticket t = {0};
    t.fair_id = f->id;
    t.booth_id = b->id;
    t.user_id = user_id;
    t.taken_by = taken_by;
    t.name = name;
    t.taken_at = clock_now();
    struct take_write w = {&r->arena, &t};
    int rc = req_tx(r, c, take_number_tx, &w);
    if (rc == FAIR_NOT_TAKING) {
        /* Closed meanwhile: say which. */
        if (fair_get(c, &r->arena, f->id, f) || fair_booth_get(c, &r->arena, f->id, b->id, b))
            return reply_store_error(r, STORE_ERROR, "booth");
        return not_taking_reply(r, f, b);
    }
    if (rc == STORE_CONFLICT && user_id)
        return reply_error(r, 409, "already_queued", NULL,
                           "you already have a number in this booth's queue");
    if (rc)
        return reply_store_error(r, rc, "ticket");
    app_changed(r->app, c, &fair_module, FAIR_QUEUE, b->id);
    struct fair_estimate e;
    rc = fair_ticket_get(c, &r->arena, t.id, &t);
    if (!rc)
        rc = booth_estimate(c, &r->arena, f->id, b->id, b->avg_service_min, &e);
    if (rc)
        return reply_store_error(r, rc, "ticket");
    char loc[64];
    snprintf(loc, sizeof loc, taken_by ? "/api/fair-tickets/%lld" : "/api/me/fair-tickets/%lld",
             (long long)t.id);
    reply_header(r, "Location", loc);
    return reply_json(r, 201, ticket_json(&t, &e, r->app->cfg.tz_offset_min, taken_by != 0));
}

static int post_ticket(struct req *r)
{
    const struct principal *p = req_principal(r);
    struct store_conn *c = req_store_or_reply(r);
    struct fair f;
    struct fair_booth b;
    if (!c || fair_or_reply(r, c, &f) || booth_or_reply(r, c, f.id, &b))
        return r->status;
    return take_number(r, c, &f, &b, p->user_id, 0, NULL);
}

static const char *const kiosk_fields[] = {"name", NULL};

static int post_kiosk_ticket(struct req *r)
{
    const struct principal *p = req_principal(r);
    const char *name = NULL;
    if (json_in_only_or_reply(r, r->json, NULL, kiosk_fields) ||
        json_in_string(r, r->json, NULL, "name", FAIR_KIOSK_NAME_MAX, false, &name) < 0)
        return r->status;
    if (name && !*name)
        name = NULL;
    struct store_conn *c = req_store_or_reply(r);
    struct fair f;
    struct fair_booth b;
    if (!c || fair_or_reply(r, c, &f) || booth_or_reply(r, c, f.id, &b))
        return r->status;
    return take_number(r, c, &f, &b, 0, p->user_id, name);
}

/* ---- serving the queue ------------------------------------------------------------------ */

struct call_write {
    struct arena *arena;
    int64_t booth_id, by, id;
};

static int call_next_tx(struct store_conn *c, void *v)
{
    struct call_write *w = v;
    return fair_ticket_call_next(c, w->arena, w->booth_id, w->by, clock_now(), &w->id);
}

/* A ticket after a change, as staff see it. */
static int reply_staff_ticket(struct req *r, struct store_conn *c, int64_t id, int status)
{
    struct fair_ticket t;
    struct fair_estimate e;
    int rc = fair_ticket_get(c, &r->arena, id, &t);
    if (!rc)
        rc = booth_estimate(c, &r->arena, t.fair_id, t.booth_id, t.avg_service_min, &e);
    if (rc)
        return reply_store_error(r, rc, "ticket");
    return reply_json(r, status, ticket_json(&t, &e, r->app->cfg.tz_offset_min, true));
}

static int post_call_next(struct req *r)
{
    const struct principal *p = req_principal(r);
    struct store_conn *c = req_store_or_reply(r);
    struct fair f;
    struct fair_booth b;
    if (!c || fair_or_reply(r, c, &f) || booth_or_reply(r, c, f.id, &b))
        return r->status;
    struct call_write w = {&r->arena, b.id, p->user_id, 0};
    int rc = req_tx(r, c, call_next_tx, &w);
    if (rc == STORE_NOT_FOUND)
        return reply_error(r, 409, "queue_empty", NULL, "nobody is waiting at this booth");
    if (rc)
        return reply_store_error(r, rc, "ticket");
    app_changed(r->app, c, &fair_module, FAIR_QUEUE, b.id);
    return reply_staff_ticket(r, c, w.id, 200);
}

struct finish_write {
    int64_t id, by;
    enum fair_ticket_action action;
};

static int finish_tx(struct store_conn *c, void *v)
{
    struct finish_write *w = v;
    return fair_ticket_finish(c, w->id, w->action, w->by, clock_now());
}

/* Skip, finish or cancel ticket t on behalf of user `by`. */
static int finish_ticket(struct req *r, struct store_conn *c, const struct fair_ticket *t,
                         enum fair_ticket_action action, int64_t by, bool staff)
{
    struct finish_write w = {t->id, by, action};
    int rc = req_tx(r, c, finish_tx, &w);
    if (rc == STORE_CONFLICT && action == FAIR_DONE)
        return reply_error(r, 409, "not_called", NULL,
                           "number %lld is %s: only a called number can be done",
                           (long long)t->number, t->state);
    if (rc == STORE_CONFLICT)
        return reply_error(r, 409, "not_in_queue", NULL, "number %lld is %s already",
                           (long long)t->number, t->state);
    if (rc)
        return reply_store_error(r, rc, "ticket");
    app_changed(r->app, c, &fair_module, FAIR_QUEUE, t->booth_id);
    if (staff)
        return reply_staff_ticket(r, c, t->id, 200);
    struct fair_ticket after;
    rc = fair_ticket_get(c, &r->arena, t->id, &after);
    if (rc)
        return reply_store_error(r, rc, "ticket");
    struct fair_estimate e = fair_estimate(after.avg_service_min, NULL, 0);
    return reply_json(r, 200, ticket_json(&after, &e, r->app->cfg.tz_offset_min, false));
}

static int staff_finish(struct req *r, enum fair_ticket_action action)
{
    const struct principal *p = req_principal(r);
    struct store_conn *c = req_store_or_reply(r);
    struct fair_ticket t;
    if (!c || ticket_or_reply(r, c, &t))
        return r->status;
    return finish_ticket(r, c, &t, action, p->user_id, true);
}

static int post_skip(struct req *r)
{
    return staff_finish(r, FAIR_SKIP);
}

static int post_done(struct req *r)
{
    return staff_finish(r, FAIR_DONE);
}

static int post_cancel(struct req *r)
{
    return staff_finish(r, FAIR_CANCEL);
}

static int get_ticket(struct req *r)
{
    struct store_conn *c = req_store_or_reply(r);
    struct fair_ticket t;
    if (!c || ticket_or_reply(r, c, &t))
        return r->status;
    return reply_staff_ticket(r, c, t.id, 200);
}

static int list_booth_tickets(struct req *r)
{
    int64_t limit;
    const char *state = req_query(r, "state");
    if (req_query_int_or_reply(r, "limit", 1, 1000, 200, &limit))
        return r->status;
    if (state && !fair_ticket_state_is_valid(state))
        return reply_error(r, 400, "invalid_query", "state",
                           "state is waiting, called, done, skipped or cancelled");
    struct store_conn *c = req_store_or_reply(r);
    struct fair f;
    struct fair_booth b;
    if (!c || fair_or_reply(r, c, &f) || booth_or_reply(r, c, f.id, &b))
        return r->status;
    struct fair_ticket *ts;
    size_t n;
    struct fair_estimate e;
    int rc = fair_ticket_list_booth(c, &r->arena, b.id, state, limit, &ts, &n);
    if (!rc)
        rc = booth_estimate(c, &r->arena, f.id, b.id, b.avg_service_min, &e);
    if (rc)
        return reply_store_error(r, rc, "ticket");
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, ticket_json(&ts[i], &e, r->app->cfg.tz_offset_min, true));
    return reply_json(r, 200, json_pack("{s:o}", "items", items));
}

/* ---- my numbers ------------------------------------------------------------------------ */

/* {id} is one of the caller's tickets; another's is no ticket (404). */
static int my_ticket_or_reply(struct req *r, struct store_conn *c, struct fair_ticket *t)
{
    const struct principal *p = req_principal(r);
    if (ticket_or_reply(r, c, t))
        return -1;
    if (t->user_id != p->user_id)
        return reply_error(r, 404, "not_found", NULL, "no such ticket"), -1;
    return 0;
}

static json_t *my_ticket_json(struct req *r, struct store_conn *c, const struct fair_ticket *t,
                              int *rc)
{
    struct fair_estimate e = fair_estimate(t->avg_service_min, NULL, 0);
    *rc = strcmp(t->state, "waiting") == 0
              ? booth_estimate(c, &r->arena, t->fair_id, t->booth_id, t->avg_service_min, &e)
              : STORE_OK;
    return *rc ? NULL : ticket_json(t, &e, r->app->cfg.tz_offset_min, false);
}

static int list_my_tickets(struct req *r)
{
    const struct principal *p = req_principal(r);
    int64_t limit;
    if (req_query_int_or_reply(r, "limit", 1, 100, 20, &limit))
        return r->status;
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    struct fair_ticket *ts;
    size_t n;
    int rc = fair_ticket_list_user(c, &r->arena, p->user_id, limit, &ts, &n);
    json_t *items = json_array();
    for (size_t i = 0; !rc && i < n; i++) {
        json_t *o = my_ticket_json(r, c, &ts[i], &rc);
        if (o)
            json_array_append_new(items, o);
    }
    if (rc) {
        json_decref(items);
        return reply_store_error(r, rc, "ticket");
    }
    return reply_json(r, 200, json_pack("{s:o}", "items", items));
}

static int get_my_ticket(struct req *r)
{
    struct store_conn *c = req_store_or_reply(r);
    struct fair_ticket t;
    if (!c || my_ticket_or_reply(r, c, &t))
        return r->status;
    int rc;
    json_t *o = my_ticket_json(r, c, &t, &rc);
    if (rc)
        return reply_store_error(r, rc, "ticket");
    return reply_json(r, 200, o);
}

static int post_my_cancel(struct req *r)
{
    const struct principal *p = req_principal(r);
    struct store_conn *c = req_store_or_reply(r);
    struct fair_ticket t;
    if (!c || my_ticket_or_reply(r, c, &t))
        return r->status;
    return finish_ticket(r, c, &t, FAIR_CANCEL, p->user_id, false);
}

/* ---- keeping the boards live ---------------------------------------------------------- */

static void publish(struct sse_hub *hub, const char *event, json_t *data)
{
    char *text = json_dumps(data, JSON_COMPACT);
    json_decref(data);
    if (!text)
        die_oom();
    sse_publish(hub, event, text);
    free(text);
}

/* A booth's queue changed (here or on another node): push its new line to
 * the fair's board streams. A fair changed: push the fair (clients reload
 * the board), and end its streams when it is over. Missed changes: every
 * board reloads. */
static void fair_changed_hook(struct app *app, struct store_conn *c, const struct change *ch)
{
    struct fair_state *st = state_of(app);
    if (!ch) {
        struct fair_hub live[FAIR_MAX_HUBS];
        size_t n = 0;
        pthread_mutex_lock(&st->lock);
        for (size_t i = 0; i < st->nhubs; i++)
            if (!st->hubs[i].ended)
                live[n++] = st->hubs[i];
        pthread_mutex_unlock(&st->lock);
        for (size_t i = 0; i < n; i++)
            publish(live[i].hub, "reload",
                    json_pack("{s:I}", "fair_id", (json_int_t)live[i].fair_id));
        return;
    }
    if (ch->module != &fair_module)
        return;
    pthread_mutex_lock(&st->lock);
    bool any = st->nhubs > 0;
    pthread_mutex_unlock(&st->lock);
    if (!any)
        return; /* no board is open on this node: nothing to read */
    struct arena a;
    arena_init(&a);
    int64_t fair_id = ch->id;
    int rc = ch->kind == FAIR_QUEUE ? fair_booth_fair(c, &a, ch->id, &fair_id) : STORE_OK;
    struct sse_hub *hub = rc ? NULL : hub_find(st, fair_id);
    if (hub && ch->kind == FAIR_QUEUE) {
        json_t *lines;
        rc = board_lines(c, &a, fair_id, ch->id, &lines);
        if (!rc && json_array_size(lines) == 1)
            publish(hub, "booth", json_incref(json_array_get(lines, 0)));
        if (!rc)
            json_decref(lines);
    } else if (hub) {
        struct fair f;
        rc = fair_get(c, &a, fair_id, &f);
        if (!rc)
            publish(hub, "fair", fair_json(&f, app->cfg.tz_offset_min));
    }
    if (rc && rc != STORE_NOT_FOUND)
        log_warn("a fair's board could not be brought up to date (store result %d)", rc);
    arena_release(&a);
}

/* ---- demo data ------------------------------------------------------------------------- */

static const struct fair_booth demo_booths[] = {
    {.name_zh = "理发",
     .name_en = "Haircut",
     .organization = "区总工会志愿理发队",
     .avg_service_min = 15},
    {.name_zh = "健康体检",
     .name_en = "Health check",
     .organization = "区人民医院体检中心",
     .avg_service_min = 10},
    {.name_zh = "测血压",
     .name_en = "Blood pressure",
     .organization = "海州街道社区卫生服务中心",
     .avg_service_min = 3},
    {.name_zh = "法律咨询",
     .name_en = "Legal advice",
     .organization = "区法律援助中心",
     .avg_service_min = 15},
    {.name_zh = "社保咨询",
     .name_en = "Social security",
     .organization = "区社会保险服务中心",
     .avg_service_min = 10},
    {.name_zh = "手机维修",
     .name_en = "Phone repair",
     .organization = "青年志愿者维修队",
     .avg_service_min = 20},
    {.name_zh = "电动车安全检查",
     .name_en = "E-bike safety check",
     .organization = "区消防救援大队",
     .avg_service_min = 8},
    {.name_zh = "招聘",
     .name_en = "Job fair",
     .organization = "区人力资源市场",
     .avg_service_min = 10},
    {.name_zh = "工会入会",
     .name_en = "Union membership",
     .organization = "区总工会",
     .avg_service_min = 5},
    {.name_zh = "推拿按摩",
     .name_en = "Massage",
     .organization = "区中医院康复科",
     .avg_service_min = 15},
    {.name_zh = "视力检查",
     .name_en = "Eye check",
     .organization = "区人民医院眼科",
     .avg_service_min = 5},
    {.name_zh = "心理咨询",
     .name_en = "Psychological counselling",
     .organization = "区心理健康服务站",
     .avg_service_min = 20},
    {.name_zh = "保险咨询",
     .name_en = "Insurance advice",
     .organization = "职工互助保障会",
     .avg_service_min = 10},
    {.name_zh = "电池检测",
     .name_en = "E-bike battery check",
     .organization = "换电服务站",
     .avg_service_min = 6},
    {.name_zh = "爱心餐",
     .name_en = "Free meals",
     .organization = "暖新食堂",
     .avg_service_min = 2},
    {.name_zh = "技能培训报名",
     .name_en = "Skills training sign-up",
     .organization = "区职业技能培训中心",
     .avg_service_min = 5},
    {.name_zh = "交通安全宣传",
     .name_en = "Traffic safety",
     .organization = "交警海州大队",
     .avg_service_min = 5},
    {.name_zh = "个税咨询",
     .name_en = "Tax advice",
     .organization = "区税务局",
     .avg_service_min = 10},
};
#define NDEMO_BOOTHS (sizeof demo_booths / sizeof demo_booths[0])

/* The booths that also take appointments: a fair_booth offering with a
 * slot for one person every `minutes` through the fair (the walk-in
 * queue goes on beside it). */
static const struct {
    const char *name_en;
    int minutes;
} demo_timed[] = {
    {"Haircut", 20}, {"Health check", 15}, {"Legal advice", 20},
    {"Massage", 20}, {"Eye check", 15},    {"Psychological counselling", 20},
};
#define NDEMO_TIMED (sizeof demo_timed / sizeof demo_timed[0])

static int demo_minutes(const char *name_en)
{
    for (size_t i = 0; i < NDEMO_TIMED; i++)
        if (strcmp(demo_timed[i].name_en, name_en) == 0)
            return demo_timed[i].minutes;
    return 0;
}

/* Booth b of fair f takes appointments: its offering (demo data, so the
 * booking module's next demo run replaces it), its slots, and the link.
 * *made counts the rows. Inside the demo's transaction. */
static int demo_booth_slots(struct store_conn *c, struct arena *a, const struct fair *f,
                            struct fair_booth *b, int minutes, int64_t now, int *made)
{
    struct offering o = {0};
    o.kind = "fair_booth";
    o.title_zh = arena_printf(a, "小哥集市·%s", b->name_zh);
    o.title_en = arena_printf(a, "Couriers fair · %s", b->name_en);
    o.description_zh =
        arena_printf(a, "集市当天在“%s”摊位（%s）约一个%d分钟的时段，到点直接去，不用排队取号。",
                     b->name_zh, b->organization, minutes);
    o.description_en = arena_printf(a,
                                    "Book %d minutes at the %s booth on the fair day and go "
                                    "straight there at your time, without taking a number.",
                                    minutes, b->name_en);
    o.site_id = f->site_id;
    o.per_person_limit = 1;
    o.cancel_cutoff_s = 0;
    o.offer_ttl_s = BOOKING_OFFER_TTL_DEFAULT;
    o.active = true;
    o.is_demo = true;
    o.created_at = now;
    int rc = offering_insert(c, a, &o);
    *made += !rc;
    for (int64_t t = f->starts_at; !rc && t + minutes * 60 <= f->ends_at; t += minutes * 60) {
        struct slot s = {0};
        s.offering_id = o.id;
        s.site_id = f->site_id;
        s.starts_at = t;
        s.ends_at = t + minutes * 60;
        s.capacity = 1;
        rc = slot_insert(c, a, &s, now);
        *made += !rc;
    }
    if (!rc)
        rc = fair_booth_set_offering(c, b->id, o.id, now);
    if (!rc) {
        b->has_offering = true;
        b->offering_id = o.id;
    }
    return rc;
}

/* This month's fair (the last Sunday, or next month's when it has passed)
 * at the riders' service centre, with its 18 booths, six of which also
 * take appointments (demo_timed). It is open, so the queues can be tried
 * on any day. */
static int fair_demo(struct app *app, struct store_conn *c, int *count)
{
    struct arena a;
    arena_init(&a);
    struct site_query q = {
        .type_code = "industry_hub", .text = "%骑手综合服务中心%", .limit = 1, .no_total = true};
    struct site *ss;
    size_t n;
    int64_t total;
    int rc = site_search(c, &a, &q, &ss, &n, &total);
    if (!rc && !n) {
        q.text = NULL;
        rc = site_search(c, &a, &q, &ss, &n, &total);
    }
    *count = 0;
    if (rc || !n) {
        arena_release(&a);
        return rc;
    }
    int tz = app->cfg.tz_offset_min;
    int64_t now = clock_now();
    struct fair f = {0};
    f.site_id = ss[0].id;
    fair_demo_window(now, tz, &f.starts_at, &f.ends_at);
    int y, m, d;
    clock_civil_from_days((f.starts_at + tz * 60) / 86400, &y, &m, &d);
    static const char *const months[] = {"January",   "February", "March",    "April",
                                         "May",       "June",     "July",     "August",
                                         "September", "October",  "November", "December"};
    f.title_zh = arena_printf(&a, "“红色魅力·小哥”暖新服务集市（%d年%d月）", y, m);
    f.title_en = arena_printf(&a, "Red Charm · Couriers fair (%s %d)", months[m - 1], y);
    f.state = "open";
    f.is_demo = true;
    f.created_at = now;
    rc = fair_insert(c, &a, &f);
    for (size_t i = 0; !rc && i < NDEMO_BOOTHS; i++) {
        struct fair_booth b = demo_booths[i];
        b.fair_id = f.id;
        b.is_open = true;
        rc = fair_booth_insert(c, &a, &b, now);
        int minutes = demo_minutes(b.name_en);
        if (!rc && minutes)
            rc = demo_booth_slots(c, &a, &f, &b, minutes, now, count);
    }
    if (!rc)
        *count += 1;
    arena_release(&a);
    return rc;
}

/* ---- the module ------------------------------------------------------------------------- */

static const struct route fair_routes[] = {
    {HTTP_GET, "/api/fairs", list_fairs, ACCESS_PUBLIC, BODY_NONE, SCOPE_ANY},
    {HTTP_POST, "/api/fairs", post_fair, STAFF_AND_ADMINS, BODY_JSON, SCOPE_ANY},
    {HTTP_GET, "/api/fairs/{id}", get_fair, ACCESS_PUBLIC, BODY_NONE, SCOPE_ANY},
    {HTTP_PATCH, "/api/fairs/{id}", patch_fair, STAFF_AND_ADMINS, BODY_JSON, &fair_scope_path},
    {HTTP_POST, "/api/fairs/{id}/booths", post_booth, STAFF_AND_ADMINS, BODY_JSON,
     &fair_scope_path},
    {HTTP_PATCH, "/api/fairs/{id}/booths/{booth}", patch_booth, STAFF_AND_ADMINS, BODY_JSON,
     &fair_scope_path},
    {HTTP_GET, "/api/fairs/{id}/board", get_board, ACCESS_PUBLIC, BODY_NONE, SCOPE_ANY},
    {HTTP_GET, "/api/fairs/{id}/board/events", get_board_events, ACCESS_PUBLIC, BODY_NONE,
     SCOPE_ANY},
    {HTTP_POST, "/api/fairs/{id}/booths/{booth}/tickets", post_ticket, ACCESS_SIGNED_IN, BODY_NONE,
     SCOPE_ANY},
    {HTTP_GET, "/api/fairs/{id}/booths/{booth}/tickets", list_booth_tickets, STAFF_AND_ADMINS,
     BODY_NONE, &fair_scope_path},
    {HTTP_POST, "/api/fairs/{id}/booths/{booth}/kiosk-tickets", post_kiosk_ticket, STAFF_AND_ADMINS,
     BODY_JSON, &fair_scope_path},
    {HTTP_POST, "/api/fairs/{id}/booths/{booth}/call-next", post_call_next, STAFF_AND_ADMINS,
     BODY_NONE, &fair_scope_path},
    {HTTP_GET, "/api/fair-tickets/{id}", get_ticket, STAFF_AND_ADMINS, BODY_NONE,
     &fair_ticket_scope_path},
    {HTTP_POST, "/api/fair-tickets/{id}/skip", post_skip, STAFF_AND_ADMINS, BODY_NONE,
     &fair_ticket_scope_path},
    {HTTP_POST, "/api/fair-tickets/{id}/done", post_done, STAFF_AND_ADMINS, BODY_NONE,
     &fair_ticket_scope_path},
    {HTTP_POST, "/api/fair-tickets/{id}/cancel", post_cancel, STAFF_AND_ADMINS, BODY_NONE,
     &fair_ticket_scope_path},
    {HTTP_GET, "/api/me/fair-tickets", list_my_tickets, ACCESS_SIGNED_IN, BODY_NONE, SCOPE_ANY},
    {HTTP_GET, "/api/me/fair-tickets/{id}", get_my_ticket, ACCESS_SIGNED_IN, BODY_NONE, SCOPE_ANY},
    {HTTP_POST, "/api/me/fair-tickets/{id}/cancel", post_my_cancel, ACCESS_SIGNED_IN, BODY_NONE,
     SCOPE_ANY},
};

static const char *const fair_changes[] = {"queue", "fair", NULL};

const struct module fair_module = {
    .name = "fair",
    .routes = fair_routes,
    .nroutes = sizeof fair_routes / sizeof fair_routes[0],
    .change_kinds = fair_changes,
    .init = fair_init,
    .release = fair_release,
    .changed = fair_changed_hook,
    .demo = fair_demo,
    .drain = fair_drain,
};
