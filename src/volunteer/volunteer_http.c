/*
 * volunteer_http.c - courier volunteer squads:
 *   GET  /api/volunteer/squads ?street=               anyone
 *   POST /api/volunteer/squads {street, name_zh, name_en?, leader}
 *                                                     admins of the street
 *   GET  /api/volunteer/squads/{id}                   anyone: with its
 * activities POST /api/volunteer/squads/{id}/join | leave      signed in GET
 * /api/volunteer/squads/{id}/members           its leader, admins POST
 * /api/volunteer/squads/{id}/activities        its leader, admins: {title_zh,
 * title_en?, description_zh?, description_en?, site, waitlist?, shifts:
 * [{start, end, capacity}]} GET  /api/volunteer/activities/{id} anyone: with
 * its shifts POST /api/volunteer/shifts/{id}/signup            members: a
 * place, or the waitlist GET  /api/volunteer/shifts/{id}/roster            its
 * squad's leader, admins POST /api/volunteer/shifts/{id}/check-in  {qr}    its
 * squad's leader, admins POST /api/volunteer/shifts/{id}/check-out {qr}    its
 * squad's leader, admins POST /api/volunteer/hours/{id}/confirm            its
 * squad's leader (not their own), admins GET  /api/me/volunteer signed in:
 * squads, hours GET  /api/me/volunteer/certificate                signed in:
 * printable HTML GET  /api/volunteer/certificates/{code}           anyone:
 * confirms one
 *
 * Who manages a squad is decided after the object's squad is found from
 * the path (a shift -> its offering -> its activity -> its squad; hours
 * -> their squad): the squad's leader, a region admin whose grant reaches
 * the squad's street, or a system admin; anyone else gets 403
 * out_of_scope, whatever squad they lead. A leader holds no role grant,
 * so these routes are open to every signed-in person at the server and
 * manage_or_reply is the check.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "account/account.h"
#include "app/app.h"
#include "booking/booking.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/strbuf.h"
#include "http/json_in.h"
#include "points/points.h"
#include "region/region.h"
#include "site/site.h"
#include "store/store.h"
#include "volunteer/volunteer.h"

static const char *const change_kinds[] = {"squad", "activity", "hours", NULL};

static int tz_of(const struct req *r)
{
    return r->app->cfg.tz_offset_min;
}

static json_t *time_json(struct req *r, int64_t t)
{
    char buf[40];
    return t ? json_string(clock_format_iso(t, tz_of(r), buf, sizeof buf)) : json_null();
}

static json_t *squad_json(struct req *r, const struct squad *s)
{
    json_t *j = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:I}", "id", (json_int_t)s->id, "street",
                          s->region_code, "street_name_zh", s->region_name_zh, "street_name_en",
                          s->region_name_en, "name_zh", s->name_zh, "name_en", s->name_en,
                          "members", (json_int_t)s->members);
    json_object_set_new(j, "leader", s->leader_id ? json_string(s->leader_name) : json_null());
    return j;
}

static json_t *shift_json(struct req *r, const struct shift *s)
{
    json_t *j =
        json_pack("{s:I, s:I, s:I, s:I, s:I, s:s}", "id", (json_int_t)s->id, "site",
                  (json_int_t)s->site_id, "capacity", (json_int_t)s->capacity, "taken",
                  (json_int_t)s->taken, "waiting", (json_int_t)s->waiting, "state", s->state);
    json_object_set_new(j, "start", time_json(r, s->starts_at));
    json_object_set_new(j, "end", time_json(r, s->ends_at));
    return j;
}

static json_t *activity_json(struct req *r, const struct activity *v, const struct shift *ss,
                             size_t n)
{
    json_t *j =
        json_pack("{s:I, s:I, s:I, s:s, s:s, s:s, s:s, s:b}", "id", (json_int_t)v->id, "squad",
                  (json_int_t)v->squad_id, "site", (json_int_t)v->site_id, "title_zh", v->title_zh,
                  "title_en", v->title_en, "description_zh", v->description_zh, "description_en",
                  v->description_en, "waitlist", v->waitlist);
    if (ss) {
        json_t *items = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(items, shift_json(r, &ss[i]));
        json_object_set_new(j, "shifts", items);
    }
    return j;
}

static json_t *hours_json(struct req *r, const struct hours *h)
{
    json_t *j = json_pack("{s:I, s:I, s:I, s:s, s:I}", "id", (json_int_t)h->id, "shift",
                          (json_int_t)h->slot_id, "squad", (json_int_t)h->squad_id, "display_name",
                          h->display_name ? h->display_name : "", "points", (json_int_t)h->points);
    json_object_set_new(j, "checked_in_at", time_json(r, h->checked_in_at));
    json_object_set_new(j, "checked_out_at", time_json(r, h->checked_out_at));
    json_object_set_new(j, "minutes", h->minutes >= 0 ? json_integer(h->minutes) : json_null());
    json_object_set_new(j, "confirmed_at", time_json(r, h->confirmed_at));
    json_object_set_new(j, "state",
                        json_string(h->confirmed_at     ? "confirmed"
                                    : h->checked_out_at ? "checked_out"
                                                        : "checked_in"));
    return j;
}

static void announce(struct req *r, struct store_conn *c, enum volunteer_change kind, int64_t id)
{
    app_changed(r->app, c, &volunteer_module, kind, id);
}

/* ---- finding the squad an id belongs to, and who manages it -------------- */

static int squad_or_reply(struct req *r, struct store_conn *c, struct squad *s)
{
    int64_t id;
    if (req_param_id_or_reply(r, "id", "squad", &id))
        return -1;
    int rc = squad_get(c, &r->arena, id, s);
    if (rc)
        return reply_store_error(r, rc, "squad"), -1;
    return 0;
}

/* {id} is a shift (a slot of a volunteer activity's offering): the slot,
 * its activity and its squad. A slot of any other offering is 404. */
static int shift_or_reply(struct req *r, struct store_conn *c, struct slot *sl, struct activity *v,
                          struct squad *s)
{
    int64_t id;
    if (req_param_id_or_reply(r, "id", "shift", &id))
        return -1;
    int rc = slot_get(c, &r->arena, id, sl);
    if (!rc)
        rc = activity_by_offering(c, &r->arena, sl->offering_id, v);
    if (!rc)
        rc = squad_get(c, &r->arena, v->squad_id, s);
    if (rc == STORE_NOT_FOUND)
        return reply_error(r, 404, "not_found", NULL, "no such shift"), -1;
    if (rc)
        return reply_store_error(r, rc, "shift"), -1;
    return 0;
}

/* May the caller manage squad s: its leader, a region admin reaching its
 * street, a system admin? 0, or -1 after replying 403 out_of_scope. */
static int manage_or_reply(struct req *r, const struct squad *s)
{
    const struct principal *p = req_principal(r);
    if (p && s->leader_id && p->user_id == s->leader_id)
        return 0;
    if (req_reaches_region(r, ACCESS_ADMIN, s->region_code))
        return 0;
    return reply_error(r, 403, "out_of_scope", NULL,
                       "only this squad's leader or an admin of its street may "
                       "do this"),
           -1;
}

/* ---- squads
 * ------------------------------------------------------------------ */

static int list_squads(struct req *r)
{
    const char *street = req_query(r, "street");
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    int64_t region_id = 0;
    if (street) {
        struct region g;
        int rc = region_get(c, &r->arena, street, &g);
        if (rc == STORE_NOT_FOUND)
            return reply_error(r, 400, "invalid_query", "street", "no street has code %s", street);
        if (rc)
            return reply_store_error(r, rc, "street");
        region_id = g.id;
    }
    struct squad *ss;
    size_t n;
    int rc = squad_list(c, &r->arena, region_id, &ss, &n);
    if (rc)
        return reply_store_error(r, rc, "squad");
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, squad_json(r, &ss[i]));
    return reply_json(r, 200, json_pack("{s:o}", "items", items));
}

struct squad_write {
    struct arena *arena;
    struct squad *s;
    int64_t now;
};

static int squad_tx(struct store_conn *c, void *v)
{
    struct squad_write *w = v;
    int rc = squad_insert(c, w->arena, w->s, w->now);
    if (!rc && w->s->leader_id)
        rc = member_add(c, w->s->id, w->s->leader_id, w->now);
    return rc;
}

static const char *const squad_fields[] = {"street", "name_zh", "name_en", "leader", NULL};

static int post_squad(struct req *r)
{
    struct squad s = {0};
    const char *street;
    s.name_en = "";
    if (json_in_only_or_reply(r, r->json, NULL, squad_fields) ||
        json_in_string(r, r->json, NULL, "street", 64, true, &street) < 0 ||
        json_in_string(r, r->json, NULL, "name_zh", VOLUNTEER_NAME_MAX, true, &s.name_zh) < 0 ||
        json_in_string(r, r->json, NULL, "name_en", VOLUNTEER_NAME_MAX, false, &s.name_en) < 0 ||
        json_in_int(r, r->json, NULL, "leader", 1, INT64_MAX, false, &s.leader_id) < 0)
        return r->status;
    if (!req_reaches_region(r, ACCESS_ADMIN, street))
        return reply_error(r, 403, "out_of_scope", "street",
                           "your roles do not reach the street %s", street);
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    struct region g;
    int rc = region_get(c, &r->arena, street, &g);
    if (rc == STORE_NOT_FOUND || (!rc && strcmp(g.level, "street") != 0))
        return reply_error(r, 422, "not_a_street", "street", "%s is not a street", street);
    if (rc)
        return reply_store_error(r, rc, "street");
    if (s.leader_id) {
        struct user u;
        rc = user_get(c, &r->arena, s.leader_id, &u);
        if (rc == STORE_NOT_FOUND || (!rc && !u.phone))
            return reply_error(r, 422, "unknown_user", "leader", "no such person");
        if (rc)
            return reply_store_error(r, rc, "person");
    }
    s.region_id = g.id;
    struct squad_write w = {&r->arena, &s, clock_now()};
    rc = req_tx(r, c, squad_tx, &w);
    if (!rc)
        rc = squad_get(c, &r->arena, s.id, &s);
    if (rc)
        return reply_store_error(r, rc, "squad");
    announce(r, c, VOLUNTEER_SQUAD, s.id);
    reply_header(r, "Location",
                 arena_printf(&r->arena, "/api/volunteer/squads/%lld", (long long)s.id));
    return reply_json(r, 201, squad_json(r, &s));
}

static int get_squad(struct req *r)
{
    struct store_conn *c = req_store_or_reply(r);
    struct squad s;
    if (!c || squad_or_reply(r, c, &s))
        return r->status;
    struct activity *vs;
    size_t n;
    int rc = activity_list(c, &r->arena, s.id, &vs, &n);
    if (rc)
        return reply_store_error(r, rc, "activity");
    json_t *j = squad_json(r, &s);
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, activity_json(r, &vs[i], NULL, 0));
    json_object_set_new(j, "activities", items);
    const struct principal *p = req_principal(r);
    bool member = false;
    if (p && member_is(c, &r->arena, s.id, p->user_id, &member) == STORE_OK)
        json_object_set_new(j, "member", json_boolean(member));
    return reply_json(r, 200, j);
}

struct member_write {
    int64_t squad, user, now;
    bool join;
};

static int member_tx(struct store_conn *c, void *v)
{
    struct member_write *w = v;
    return w->join ? member_add(c, w->squad, w->user, w->now) : member_remove(c, w->squad, w->user);
}

static int join_or_leave(struct req *r, bool join)
{
    struct store_conn *c = req_store_or_reply(r);
    struct squad s;
    if (!c || squad_or_reply(r, c, &s))
        return r->status;
    int64_t me = req_principal(r)->user_id;
    if (!join && s.leader_id == me)
        return reply_error(r, 409, "leader_cannot_leave", NULL,
                           "a squad's leader stays in it; ask an admin to name "
                           "another leader");
    struct member_write w = {s.id, me, clock_now(), join};
    int rc = req_tx(r, c, member_tx, &w);
    if (rc == STORE_CONFLICT)
        return reply_error(r, 409, "already_member", NULL, "you are in this squad already");
    if (rc == STORE_NOT_FOUND)
        return reply_error(r, 409, "not_a_member", NULL, "you are not in this squad");
    if (!rc)
        rc = squad_get(c, &r->arena, s.id, &s);
    if (rc)
        return reply_store_error(r, rc, "squad");
    announce(r, c, VOLUNTEER_SQUAD, s.id);
    json_t *j = squad_json(r, &s);
    json_object_set_new(j, "member", json_boolean(join));
    return reply_json(r, 200, j);
}

static int post_join(struct req *r)
{
    return join_or_leave(r, true);
}

static int post_leave(struct req *r)
{
    return join_or_leave(r, false);
}

static int list_members(struct req *r)
{
    struct store_conn *c = req_store_or_reply(r);
    struct squad s;
    if (!c || squad_or_reply(r, c, &s) || manage_or_reply(r, &s))
        return r->status;
    struct squad_member *ms;
    size_t n;
    int rc = member_list(c, &r->arena, s.id, &ms, &n);
    if (rc)
        return reply_store_error(r, rc, "squad");
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *m = json_pack("{s:I, s:s, s:b}", "user", (json_int_t)ms[i].user_id, "display_name",
                              ms[i].display_name, "leader", ms[i].user_id == s.leader_id);
        json_object_set_new(m, "joined_at", time_json(r, ms[i].joined_at));
        json_array_append_new(items, m);
    }
    return reply_json(r, 200, json_pack("{s:o}", "items", items));
}

/* ---- activities and shifts -------------------------------------------------
 */

struct activity_write {
    struct arena *arena;
    struct offering *o;
    struct slot *slots;
    size_t nslots;
    struct activity *v;
    int64_t by, now;
};

static int activity_tx(struct store_conn *c, void *v)
{
    struct activity_write *w = v;
    int rc = offering_insert(c, w->arena, w->o);
    for (size_t i = 0; !rc && i < w->nslots; i++) {
        w->slots[i].offering_id = w->o->id;
        rc = slot_insert(c, w->arena, &w->slots[i], w->now);
    }
    if (!rc) {
        w->v->offering_id = w->o->id;
        rc = activity_insert(c, w->arena, w->v, w->by);
    }
    return rc;
}

static const char *const activity_fields[] = {
    "title_zh", "title_en", "description_zh", "description_en", "site", "waitlist", "shifts", NULL};
static const char *const shift_fields[] = {"start", "end", "capacity", NULL};

static int time_field_or_reply(struct req *r, json_t *o, const char *prefix, const char *name,
                               int64_t *out)
{
    const char *s;
    if (json_in_string(r, o, prefix, name, 64, true, &s) < 0)
        return -1;
    if (clock_parse_iso(s, tz_of(r), out))
        return reply_error(r, 422, "invalid_field", arena_printf(&r->arena, "%s.%s", prefix, name),
                           "a time is like 2027-03-28T09:00:00+08:00"),
               -1;
    return 0;
}

static int post_activity(struct req *r)
{
    struct store_conn *c = req_store_or_reply(r);
    struct squad s;
    if (!c || squad_or_reply(r, c, &s) || manage_or_reply(r, &s))
        return r->status;
    struct offering o = {0};
    o.title_en = o.description_zh = o.description_en = "";
    bool waitlist = true;
    if (json_in_only_or_reply(r, r->json, NULL, activity_fields) ||
        json_in_string(r, r->json, NULL, "title_zh", BOOKING_TITLE_MAX, true, &o.title_zh) < 0 ||
        json_in_string(r, r->json, NULL, "title_en", BOOKING_TITLE_MAX, false, &o.title_en) < 0 ||
        json_in_string(r, r->json, NULL, "description_zh", BOOKING_TEXT_MAX, false,
                       &o.description_zh) < 0 ||
        json_in_string(r, r->json, NULL, "description_en", BOOKING_TEXT_MAX, false,
                       &o.description_en) < 0 ||
        json_in_int(r, r->json, NULL, "site", 1, INT64_MAX, true, &o.site_id) < 0 ||
        json_in_bool(r, r->json, NULL, "waitlist", false, &waitlist) < 0)
        return r->status;
    json_t *arr = json_object_get(r->json, "shifts");
    if (!arr)
        return reply_error(r, 422, "missing_field", "shifts", "shifts is required");
    if (!json_is_array(arr) || !json_array_size(arr) || json_array_size(arr) > VOLUNTEER_SHIFTS_MAX)
        return reply_error(r, 422, "invalid_field", "shifts", "shifts is a list of 1 to %d",
                           VOLUNTEER_SHIFTS_MAX);
    int64_t now = clock_now();
    size_t n = json_array_size(arr);
    struct slot *slots = arena_calloc(&r->arena, n, sizeof(*slots));
    for (size_t i = 0; i < n; i++) {
        json_t *e = json_array_get(arr, i);
        const char *prefix = arena_printf(&r->arena, "shifts[%zu]", i);
        struct slot *sl = &slots[i];
        if (json_in_object_or_reply(r, e, prefix) ||
            json_in_only_or_reply(r, e, prefix, shift_fields) ||
            time_field_or_reply(r, e, prefix, "start", &sl->starts_at) ||
            time_field_or_reply(r, e, prefix, "end", &sl->ends_at) ||
            json_in_int(r, e, prefix, "capacity", 1, BOOKING_CAPACITY_MAX, true, &sl->capacity) < 0)
            return r->status;
        if (sl->ends_at <= sl->starts_at || sl->ends_at - sl->starts_at > 86400)
            return reply_error(r, 422, "invalid_field", arena_printf(&r->arena, "%s.end", prefix),
                               "a shift ends after it starts, within a day");
        if (sl->starts_at <= now)
            return reply_error(r, 422, "shift_past", arena_printf(&r->arena, "%s.start", prefix),
                               "a shift starts in the future");
        sl->site_id = o.site_id;
        sl->state = "open";
    }
    struct site site;
    int rc = site_get(c, &r->arena, o.site_id, &site);
    if (rc == STORE_NOT_FOUND)
        return reply_error(r, 422, "unknown_site", "site", "no such site");
    if (rc)
        return reply_store_error(r, rc, "site");
    /* Closed to POST /api/bookings: only the sign-up route below books it. */
    o.kind = "other";
    o.active = false;
    o.waitlist = waitlist;
    o.per_person_limit = n < BOOKING_PER_PERSON_MAX ? (int64_t)n : BOOKING_PER_PERSON_MAX;
    o.offer_ttl_s = BOOKING_OFFER_TTL_DEFAULT;
    o.created_by = req_principal(r)->user_id;
    o.created_at = o.updated_at = now;
    struct activity v = {0};
    v.squad_id = s.id;
    v.created_at = now;
    struct activity_write w = {&r->arena, &o, slots, n, &v, o.created_by, now};
    rc = req_tx(r, c, activity_tx, &w);
    if (rc == STORE_CONFLICT)
        return reply_error(r, 409, "shift_taken", "shifts", "two shifts start at the same time");
    struct shift *ss;
    size_t ns;
    if (!rc)
        rc = activity_get(c, &r->arena, v.id, &v);
    if (!rc)
        rc = shift_list(c, &r->arena, v.offering_id, &ss, &ns);
    if (rc)
        return reply_store_error(r, rc, "activity");
    announce(r, c, VOLUNTEER_ACTIVITY, v.id);
    reply_header(r, "Location",
                 arena_printf(&r->arena, "/api/volunteer/activities/%lld", (long long)v.id));
    return reply_json(r, 201, activity_json(r, &v, ss, ns));
}

static int get_activity(struct req *r)
{
    int64_t id;
    if (req_param_id_or_reply(r, "id", "activity", &id))
        return r->status;
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    struct activity v;
    struct shift *ss;
    size_t n;
    int rc = activity_get(c, &r->arena, id, &v);
    if (!rc)
        rc = shift_list(c, &r->arena, v.offering_id, &ss, &n);
    if (rc)
        return reply_store_error(r, rc, "activity");
    return reply_json(r, 200, activity_json(r, &v, ss, n));
}

/* ---- sign-up
 * ------------------------------------------------------------------ */

struct signup_write {
    struct arena *arena;
    struct booking *b;
    bool waitlist;
    int64_t now;
};

static int signup_tx(struct store_conn *c, void *v)
{
    struct signup_write *w = v;
    return booking_book(c, w->arena, w->b, w->waitlist, false, w->now);
}

static int post_signup(struct req *r)
{
    struct store_conn *c = req_store_or_reply(r);
    struct slot sl;
    struct activity v;
    struct squad s;
    if (!c || shift_or_reply(r, c, &sl, &v, &s))
        return r->status;
    int64_t me = req_principal(r)->user_id, now = clock_now();
    bool member = false;
    int rc = member_is(c, &r->arena, s.id, me, &member);
    if (rc)
        return reply_store_error(r, rc, "squad");
    if (!member)
        return reply_error(r, 403, "not_a_member", NULL,
                           "join the squad to sign up for its shifts");
    int64_t *ends;
    size_t n;
    rc = volunteer_no_shows(c, &r->arena, me, now - VOLUNTEER_NO_SHOW_WINDOW_S - VOLUNTEER_PAUSE_S,
                            &ends, &n);
    if (rc)
        return reply_store_error(r, rc, "booking");
    int64_t until = volunteer_pause_until(ends, n, now);
    if (until) {
        json_t *err = json_pack("{s:s, s:s}", "code", "signups_paused", "message",
                                "two missed shifts within 90 days pause sign-ups for 30 days");
        json_object_set_new(err, "until", time_json(r, until));
        return reply_json(r, 403, json_pack("{s:o}", "error", err));
    }
    if (strcmp(sl.state, "open") != 0)
        return reply_error(r, 409, "shift_cancelled", NULL, "this shift was cancelled");
    if (sl.starts_at <= now)
        return reply_error(r, 422, "shift_past", NULL, "this shift has started or is over");
    struct booking b = {0};
    b.slot_id = sl.id;
    b.offering_id = sl.offering_id;
    b.user_id = me;
    struct signup_write w = {&r->arena, &b, v.waitlist, now};
    rc = req_tx(r, c, signup_tx, &w);
    switch (rc) {
    case STORE_OK:
        break;
    case BOOKING_FULL:
        return reply_error(r, 409, "full", NULL, "every place of this shift is taken");
    case BOOKING_ALREADY:
        return reply_error(r, 409, "already_signed_up", NULL,
                           "you are signed up for this activity already");
    case BOOKING_SLOT_CLOSED:
        return reply_error(r, 422, "shift_past", NULL, "this shift has started or was cancelled");
    default:
        return reply_store_error(r, rc, "booking");
    }
    announce(r, c, VOLUNTEER_ACTIVITY, v.id);
    json_t *j = json_pack("{s:I, s:I, s:s}", "booking", (json_int_t)b.id, "shift",
                          (json_int_t)sl.id, "state", b.state);
    json_object_set_new(j, "place", b.place ? json_integer(b.place) : json_null());
    reply_header(r, "Location", arena_printf(&r->arena, "/api/bookings/%lld", (long long)b.id));
    return reply_json(r, 201, j);
}

static int get_roster(struct req *r)
{
    struct store_conn *c = req_store_or_reply(r);
    struct slot sl;
    struct activity v;
    struct squad s;
    if (!c || shift_or_reply(r, c, &sl, &v, &s) || manage_or_reply(r, &s))
        return r->status;
    struct booking *bs;
    struct hours *hs;
    size_t nb, nh;
    int rc = booking_list_slot(c, &r->arena, sl.id, &bs, &nb);
    if (!rc)
        rc = hours_of_slot(c, &r->arena, sl.id, &hs, &nh);
    if (rc)
        return reply_store_error(r, rc, "shift");
    json_t *items = json_array();
    for (size_t i = 0; i < nb; i++) {
        json_t *e = json_pack("{s:I, s:I, s:s, s:s}", "booking", (json_int_t)bs[i].id, "user",
                              (json_int_t)bs[i].user_id, "display_name",
                              bs[i].person_name ? bs[i].person_name : "", "state", bs[i].state);
        json_t *hj = json_null();
        for (size_t k = 0; k < nh; k++)
            if (hs[k].booking_id == bs[i].id)
                hj = hours_json(r, &hs[k]);
        json_object_set_new(e, "hours", hj);
        json_array_append_new(items, e);
    }
    return reply_json(r, 200, json_pack("{s:o}", "items", items));
}

/* ---- check-in, check-out, confirm
 * -------------------------------------------- */

static const unsigned char *server_key(struct req *r)
{
    return account_key(r->app);
}

/* The person of a worker's personal QR (GET /api/me/qr): 0, or -1 after
 * replying 422 invalid_qr or 410 qr_expired. */
static int qr_person_or_reply(struct req *r, int64_t now, int64_t *user_id)
{
    static const char *const fields[] = {"qr", NULL};
    const char *token;
    if (json_in_only_or_reply(r, r->json, NULL, fields) ||
        json_in_string(r, r->json, NULL, "qr", 512, true, &token) < 0)
        return -1;
    const char *plain = account_unseal(&r->arena, server_key(r), "qr", token);
    long long uid = 0, exp = 0;
    if (!plain || sscanf(plain, "%lld:%lld", &uid, &exp) != 2 || uid <= 0)
        return reply_error(r, 422, "invalid_qr", "qr", "this is not a warmharbor code"), -1;
    if (exp <= now)
        return reply_error(r, 410, "qr_expired", "qr",
                           "the code has expired; ask the volunteer to show a "
                           "fresh one"),
               -1;
    *user_id = uid;
    return 0;
}

struct scan_write {
    struct arena *arena;
    const struct slot *sl;
    const struct squad *s;
    int64_t user, by, now;
    bool out;
    struct hours h;
    int why; /* what refused it: 1 not signed up, 2 already in, 3 not in, 4
                already out */
};

static int scan_tx(struct store_conn *c, void *v)
{
    struct scan_write *w = v;
    int64_t booking_id;
    const char *state;
    w->why = 0;
    int rc = volunteer_booking_of(c, w->arena, w->sl->id, w->user, &booking_id, &state);
    if (rc == STORE_NOT_FOUND)
        return w->why = 1, STORE_CONFLICT;
    if (rc)
        return rc;
    if (!w->out) {
        if (strcmp(state, "confirmed") == 0 &&
            (rc = booking_check_in(c, booking_id, w->by, w->now)))
            return rc;
        memset(&w->h, 0, sizeof w->h);
        w->h.booking_id = booking_id;
        w->h.slot_id = w->sl->id;
        w->h.squad_id = w->s->id;
        w->h.user_id = w->user;
        w->h.checked_in_at = w->now;
        w->h.checked_in_by = w->by;
        rc = hours_insert(c, w->arena, &w->h);
        if (rc == STORE_CONFLICT)
            w->why = 2;
        return rc;
    }
    rc = hours_by_booking(c, w->arena, booking_id, &w->h);
    if (rc == STORE_NOT_FOUND)
        return w->why = 3, STORE_CONFLICT;
    if (rc)
        return rc;
    int64_t minutes =
        volunteer_minutes(w->h.checked_in_at, w->now, w->sl->starts_at, w->sl->ends_at);
    rc = hours_check_out(c, w->h.id, w->now, w->by, minutes);
    if (rc == STORE_CONFLICT)
        w->why = 4;
    return rc;
}

static int scan(struct req *r, bool out)
{
    struct store_conn *c = req_store_or_reply(r);
    struct slot sl;
    struct activity v;
    struct squad s;
    if (!c || shift_or_reply(r, c, &sl, &v, &s) || manage_or_reply(r, &s))
        return r->status;
    int64_t now = clock_now(), user;
    if (qr_person_or_reply(r, now, &user))
        return r->status;
    if (!out) {
        enum booking_checkin_rule rule =
            booking_checkin_rule(now, sl.starts_at, sl.ends_at, tz_of(r));
        if (rule == BOOKING_CHECKIN_TOO_EARLY)
            return reply_error(r, 422, "too_early", NULL, "check-in opens on the shift's day");
        if (rule == BOOKING_CHECKIN_ENDED)
            return reply_error(r, 422, "shift_ended", NULL, "this shift is over");
    }
    struct scan_write w = {&r->arena, &sl, &s, user, req_principal(r)->user_id, now, out, {0}, 0};
    int rc = req_tx(r, c, scan_tx, &w);
    static const char *const codes[] = {NULL, "not_signed_up", "already_checked_in",
                                        "not_checked_in", "already_checked_out"};
    static const char *const texts[] = {
        NULL, "this person has no place on this shift", "this person is checked in already",
        "this person was not checked in", "this person is checked out already"};
    if (rc == STORE_CONFLICT && w.why)
        return reply_error(r, w.why == 1 ? 404 : 409, codes[w.why], "qr", "%s", texts[w.why]);
    if (!rc)
        rc = hours_get(c, &r->arena, w.h.id, &w.h);
    if (rc)
        return reply_store_error(r, rc, "hours");
    announce(r, c, VOLUNTEER_HOURS, w.h.id);
    return reply_json(r, out ? 200 : 201, hours_json(r, &w.h));
}

static int post_check_in(struct req *r)
{
    return scan(r, false);
}

static int post_check_out(struct req *r)
{
    return scan(r, true);
}

struct confirm_write {
    const struct hours *h;
    int64_t by, now, granted;
};

static int confirm_tx(struct store_conn *c, void *v)
{
    struct confirm_write *w = v;
    int g = points_award(c, w->h->user_id, "volunteer_hour", "volunteer_hours", w->h->id,
                         volunteer_points_base(w->h->minutes), w->now);
    if (g < 0)
        return -g;
    w->granted = g;
    return hours_confirm(c, w->h->id, w->by, w->now, g);
}

static int post_confirm(struct req *r)
{
    int64_t id;
    if (req_param_id_or_reply(r, "id", "hours", &id))
        return r->status;
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    struct hours h;
    struct squad s;
    int rc = hours_get(c, &r->arena, id, &h);
    if (!rc)
        rc = squad_get(c, &r->arena, h.squad_id, &s);
    if (rc)
        return reply_store_error(r, rc, "hours");
    if (manage_or_reply(r, &s))
        return r->status;
    const struct principal *p = req_principal(r);
    if (h.user_id == p->user_id && !(p->roles & ROLE_SYSTEM_ADMIN))
        return reply_error(r, 403, "own_hours", NULL,
                           "your own hours are confirmed by an admin of the street");
    if (!h.checked_out_at)
        return reply_error(r, 409, "not_checked_out", NULL, "check the volunteer out first");
    if (h.confirmed_at)
        return reply_error(r, 409, "already_confirmed", NULL, "these hours are confirmed");
    struct confirm_write w = {&h, p->user_id, clock_now(), 0};
    rc = req_tx(r, c, confirm_tx, &w);
    if (rc == STORE_CONFLICT)
        return reply_error(r, 409, "already_confirmed", NULL, "these hours are confirmed");
    if (!rc)
        rc = hours_get(c, &r->arena, id, &h);
    if (rc)
        return reply_store_error(r, rc, "hours");
    announce(r, c, VOLUNTEER_HOURS, h.id);
    json_t *j = hours_json(r, &h);
    json_object_set_new(j, "points_granted", json_integer(w.granted));
    return reply_json(r, 200, j);
}

/* ---- my volunteering, certificates
 * --------------------------------------------- */

static int get_me(struct req *r)
{
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    int64_t me = req_principal(r)->user_id;
    struct squad *ss;
    struct hours *hs;
    struct squad_total *ts;
    size_t ns, nh, nt;
    int rc = squads_of_user(c, &r->arena, me, &ss, &ns);
    if (!rc)
        rc = hours_of_user(c, &r->arena, me, &hs, &nh);
    if (!rc)
        rc = hours_totals(c, &r->arena, me, &ts, &nt);
    if (rc)
        return reply_store_error(r, rc, "volunteer");
    json_t *squads = json_array(), *hours = json_array(), *totals = json_array();
    int64_t total = 0;
    for (size_t i = 0; i < ns; i++) {
        json_t *j = squad_json(r, &ss[i]);
        json_object_set_new(j, "leading", json_boolean(ss[i].leader_id == me));
        json_array_append_new(squads, j);
    }
    for (size_t i = 0; i < nh; i++)
        json_array_append_new(hours, hours_json(r, &hs[i]));
    for (size_t i = 0; i < nt; i++) {
        total += ts[i].minutes;
        json_array_append_new(totals,
                              json_pack("{s:I, s:s, s:s, s:I}", "squad", (json_int_t)ts[i].squad_id,
                                        "name_zh", ts[i].name_zh, "name_en", ts[i].name_en,
                                        "minutes", (json_int_t)ts[i].minutes));
    }
    return reply_json(r, 200,
                      json_pack("{s:o, s:o, s:o, s:I}", "squads", squads, "hours", hours, "totals",
                                totals, "total_minutes", (json_int_t)total));
}

static void add_hours_text(struct strbuf *sb, int64_t minutes)
{
    strbuf_addf(sb, "%lld:%02lld", (long long)(minutes / 60), (long long)(minutes % 60));
}

struct cert_write {
    const char *code, *squads;
    int64_t user, total, now;
};

static int cert_tx(struct store_conn *c, void *v)
{
    struct cert_write *w = v;
    return certificate_insert(c, w->code, w->user, w->total, w->squads, w->now);
}

static int get_certificate(struct req *r)
{
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    const struct principal *p = req_principal(r);
    struct user u;
    struct squad_total *ts;
    size_t nt;
    int rc = user_get(c, &r->arena, p->user_id, &u);
    if (!rc)
        rc = hours_totals(c, &r->arena, p->user_id, &ts, &nt);
    if (rc)
        return reply_store_error(r, rc, "volunteer");
    int64_t total = 0;
    json_t *squads = json_array();
    for (size_t i = 0; i < nt; i++) {
        total += ts[i].minutes;
        json_array_append_new(squads,
                              json_pack("{s:s, s:s, s:I}", "name_zh", ts[i].name_zh, "name_en",
                                        ts[i].name_en, "minutes", (json_int_t)ts[i].minutes));
    }
    char *squads_text = json_dumps(squads, JSON_COMPACT);
    json_decref(squads);
    if (!squads_text)
        return reply_error(r, 500, "internal", NULL, "the certificate could not be made");
    const char *stext = arena_strdup(&r->arena, squads_text);
    free(squads_text);
    /* The same totals keep their code: a reprint is the same certificate. */
    const char *code;
    int64_t last_total, issued;
    rc = certificate_latest(c, &r->arena, p->user_id, &code, &last_total, &issued);
    if (rc)
        return reply_store_error(r, rc, "certificate");
    if (!code || last_total != total) {
        unsigned char rnd[12];
        char buf[13];
        randombytes_buf(rnd, sizeof rnd);
        volunteer_code(rnd, buf);
        code = arena_strdup(&r->arena, buf);
        issued = clock_now();
        struct cert_write w = {code, stext, p->user_id, total, issued};
        rc = store_tx(c, cert_tx, &w);
        if (rc)
            return reply_store_error(r, rc, "certificate");
    }
    char when[40];
    clock_format_iso(issued, tz_of(r), when, sizeof when);
    struct strbuf sb = {0};
    strbuf_adds(&sb, "<!doctype html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
                     "<title>志愿服务时长证明 Volunteer hours certificate</title>"
                     "<style>body{font-family:sans-serif;max-width:40em;margin:2em auto}"
                     "table{border-collapse:collapse;width:100%}td,th{border:1px solid #888;"
                     "padding:.3em .6em;text-align:left}@media "
                     "print{a{display:none}}</style>"
                     "</head><body>\n<h1>志愿服务时长证明<br><small>Volunteer hours "
                     "certificate"
                     "</small></h1>\n<p>兹证明 / This certifies that <strong>");
    strbuf_add_markup_text(&sb, u.display_name && *u.display_name ? u.display_name : "—");
    strbuf_adds(&sb, "</strong> 参加快递小哥志愿服务队，经队长确认的服务时长如下 / served "
                     "in "
                     "courier volunteer squads for the hours their leaders confirmed:</p>\n"
                     "<table><tr><th>服务队 Squad</th><th>时长 Hours</th></tr>\n");
    for (size_t i = 0; i < nt; i++) {
        strbuf_adds(&sb, "<tr><td>");
        strbuf_add_markup_text(&sb, ts[i].name_zh);
        if (ts[i].name_en && *ts[i].name_en) {
            strbuf_adds(&sb, " / ");
            strbuf_add_markup_text(&sb, ts[i].name_en);
        }
        strbuf_adds(&sb, "</td><td>");
        add_hours_text(&sb, ts[i].minutes);
        strbuf_adds(&sb, "</td></tr>\n");
    }
    strbuf_adds(&sb, "<tr><th>合计 Total</th><th>");
    add_hours_text(&sb, total);
    strbuf_adds(&sb, "</th></tr></table>\n<p>验证码 Verification code: <code>");
    strbuf_add_markup_text(&sb, code);
    strbuf_adds(&sb, "</code><br>出具时间 Issued: ");
    strbuf_add_markup_text(&sb, when);
    strbuf_adds(&sb, "<br>核验 Verify: GET /api/volunteer/certificates/");
    strbuf_add_markup_text(&sb, code);
    strbuf_adds(&sb, "</p>\n</body></html>\n");
    size_t len;
    char *body = strbuf_detach(&sb, &len);
    reply_header(r, "X-Certificate-Code", code);
    return reply_take(r, 200, "text/html; charset=utf-8", body, len);
}

static int get_certificate_by_code(struct req *r)
{
    const char *code = req_param(r, "code");
    if (!code || strlen(code) != 12)
        return reply_error(r, 404, "not_found", NULL, "no certificate has this code");
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    int64_t user, total, issued;
    const char *name, *squads;
    int rc = certificate_get(c, &r->arena, code, &user, &name, &total, &squads, &issued);
    if (rc == STORE_NOT_FOUND)
        return reply_error(r, 404, "not_found", NULL, "no certificate has this code");
    if (rc)
        return reply_store_error(r, rc, "certificate");
    json_t *sq = json_loads(squads, 0, NULL);
    json_t *j = json_pack("{s:s, s:s, s:I, s:o}", "code", code, "display_name", name,
                          "total_minutes", (json_int_t)total, "squads", sq ? sq : json_array());
    json_object_set_new(j, "issued_at", time_json(r, issued));
    return reply_json(r, 200, j);
}

/* ---- module hooks
 * -------------------------------------------------------------- */

static int volunteer_export(struct app *app, struct store_conn *c, struct arena *a, int64_t user_id,
                            json_t **out)
{
    struct squad *ss;
    struct hours *hs;
    size_t ns, nh;
    int rc = squads_of_user(c, a, user_id, &ss, &ns);
    if (!rc)
        rc = hours_of_user(c, a, user_id, &hs, &nh);
    if (rc)
        return rc;
    if (!ns && !nh)
        return STORE_OK;
    json_t *squads = json_array(), *hours = json_array();
    for (size_t i = 0; i < ns; i++)
        json_array_append_new(squads,
                              json_pack("{s:I, s:s, s:b}", "id", (json_int_t)ss[i].id, "name_zh",
                                        ss[i].name_zh, "leader", ss[i].leader_id == user_id));
    for (size_t i = 0; i < nh; i++)
        json_array_append_new(
            hours,
            json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}", "shift", (json_int_t)hs[i].slot_id, "squad",
                      (json_int_t)hs[i].squad_id, "checked_in_at", (json_int_t)hs[i].checked_in_at,
                      "checked_out_at", (json_int_t)hs[i].checked_out_at, "minutes",
                      (json_int_t)hs[i].minutes, "confirmed_at", (json_int_t)hs[i].confirmed_at));
    *out = json_pack("{s:o, s:o}", "squads", squads, "hours", hours);
    return STORE_OK;
}

static int volunteer_erase(struct app *app, struct store_conn *c, int64_t user_id)
{
    return volunteer_erase_user(c, user_id);
}

#define SIGNED_IN ACCESS_SIGNED_IN

static const struct route volunteer_routes[] = {
    {HTTP_GET, "/api/volunteer/squads", list_squads, ACCESS_PUBLIC, BODY_NONE, SCOPE_ANY},
    {HTTP_POST, "/api/volunteer/squads", post_squad, ACCESS_ADMIN, BODY_JSON, SCOPE_ANY},
    {HTTP_GET, "/api/volunteer/squads/{id}", get_squad, ACCESS_PUBLIC, BODY_NONE, SCOPE_ANY},
    {HTTP_POST, "/api/volunteer/squads/{id}/join", post_join, SIGNED_IN, BODY_NONE, SCOPE_ANY},
    {HTTP_POST, "/api/volunteer/squads/{id}/leave", post_leave, SIGNED_IN, BODY_NONE, SCOPE_ANY},
    {HTTP_GET, "/api/volunteer/squads/{id}/members", list_members, SIGNED_IN, BODY_NONE, SCOPE_ANY},
    {HTTP_POST, "/api/volunteer/squads/{id}/activities", post_activity, SIGNED_IN, BODY_JSON,
     SCOPE_ANY},
    {HTTP_GET, "/api/volunteer/activities/{id}", get_activity, ACCESS_PUBLIC, BODY_NONE, SCOPE_ANY},
    {HTTP_POST, "/api/volunteer/shifts/{id}/signup", post_signup, SIGNED_IN, BODY_NONE, SCOPE_ANY},
    {HTTP_GET, "/api/volunteer/shifts/{id}/roster", get_roster, SIGNED_IN, BODY_NONE, SCOPE_ANY},
    {HTTP_POST, "/api/volunteer/shifts/{id}/check-in", post_check_in, SIGNED_IN, BODY_JSON,
     SCOPE_ANY},
    {HTTP_POST, "/api/volunteer/shifts/{id}/check-out", post_check_out, SIGNED_IN, BODY_JSON,
     SCOPE_ANY},
    {HTTP_POST, "/api/volunteer/hours/{id}/confirm", post_confirm, SIGNED_IN, BODY_NONE, SCOPE_ANY},
    {HTTP_GET, "/api/me/volunteer", get_me, SIGNED_IN, BODY_NONE, SCOPE_ANY},
    {HTTP_GET, "/api/me/volunteer/certificate", get_certificate, SIGNED_IN, BODY_NONE, SCOPE_ANY},
    {HTTP_GET, "/api/volunteer/certificates/{code}", get_certificate_by_code, ACCESS_PUBLIC,
     BODY_NONE, SCOPE_ANY},
};

const struct module volunteer_module = {
    .name = "volunteer",
    .routes = volunteer_routes,
    .nroutes = sizeof volunteer_routes / sizeof volunteer_routes[0],
    .change_kinds = change_kinds,
    .demo = volunteer_demo,
    .export_personal = volunteer_export,
    .erase_personal = volunteer_erase,
};
