/*
 * booking_http.c - offerings, slots and bookings over HTTP, and the
 * module's hooks: timed work, personal data, the module itself.
 *
 *   GET   /api/offerings ?site=&service=&kind=&limit=&offset=    anyone (active ones)
 *   POST  /api/offerings                                        providers, staff, admins
 *   GET   /api/offerings/{id}                                   anyone
 *   PATCH /api/offerings/{id}                                   whoever reaches it
 *   POST  /api/offerings/{id}/slots  {site?, start, end, capacity} | {slots: [...]}
 *   POST  /api/offerings/{id}/slots/generate  {from, to, days, minutes, capacity, site?}
 *   GET   /api/slots ?site=&service=&offering=&from=&to=&available=1   anyone
 *   GET   /api/slots/{id}                                       anyone
 *   PATCH /api/slots/{id}  {capacity}                           whoever reaches it
 *   POST  /api/slots/{id}/cancel                                whoever reaches it
 *   GET   /api/slots/{id}/bookings                              whoever reaches it
 *   POST  /api/bookings  {slot, hold?}                          signed in
 *   GET   /api/me/bookings ?active=1                            signed in
 *   GET   /api/bookings/{id}                                    its person (else 404)
 *   POST  /api/bookings/{id}/cancel | /accept | /confirm        its person (else 404)
 *   POST  /api/bookings/{id}/check-in                           whoever reaches its slot
 *   POST  /api/checkins  {qr, site?}                            staff: a worker's QR or a ticket
 *   GET   /api/sites/{id}/bookings ?date=                       staff of the site
 *
 * Who reaches what: an offering through its site or its organization; a
 * slot through its site or its offering's organization; a booking through
 * its slot. A slot is placed only where the caller reaches the site or
 * the offering's organization.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account/account.h"
#include "app/app.h"
#include "booking/booking.h"
#include "calendar/calendar.h"
#include "core/clock.h"
#include "core/log.h"
#include "http/json_in.h"
#include "service/service.h"
#include "site/site.h"
#include "store/store.h"

#define MANAGERS (ROLE_STAFF | ROLE_PROVIDER | ACCESS_ADMIN)
#define SITE_STAFF (ROLE_STAFF | ACCESS_ADMIN)
#define TICK_BATCH 200

/* ---- answers ------------------------------------------------------------ */

static int tz_of(const struct req *r)
{
    return r->app->cfg.tz_offset_min;
}

static json_t *iso_json(int64_t t, int tz)
{
    char buf[40];
    return t ? json_string(clock_format_iso(t, tz, buf, sizeof buf)) : json_null();
}

static json_t *time_json(struct req *r, int64_t t)
{
    return iso_json(t, tz_of(r));
}

static json_t *str_json(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *id_json(int64_t id)
{
    return id > 0 ? json_integer((json_int_t)id) : json_null();
}

static json_t *offering_json(struct req *r, const struct offering *o)
{
    json_t *j = json_object();
    json_object_set_new(j, "id", json_integer((json_int_t)o->id));
    json_object_set_new(j, "kind", json_string(o->kind));
    json_object_set_new(j, "title_zh", json_string(o->title_zh));
    json_object_set_new(j, "title_en", json_string(o->title_en));
    json_object_set_new(j, "description_zh", json_string(o->description_zh));
    json_object_set_new(j, "description_en", json_string(o->description_en));
    json_object_set_new(j, "site", id_json(o->site_id));
    json_object_set_new(j, "service", id_json(o->service_id));
    json_object_set_new(j, "org", str_json(o->org_code));
    json_object_set_new(j, "verification_required", json_boolean(o->verification_required));
    json_object_set_new(j, "per_person_limit", json_integer((json_int_t)o->per_person_limit));
    json_object_set_new(j, "cancel_cutoff_s", json_integer((json_int_t)o->cancel_cutoff_s));
    json_object_set_new(j, "waitlist", json_boolean(o->waitlist));
    json_object_set_new(j, "offer_ttl_s", json_integer((json_int_t)o->offer_ttl_s));
    json_object_set_new(j, "active", json_boolean(o->active));
    json_object_set_new(j, "updated_at", time_json(r, o->updated_at));
    return j;
}

static json_t *slot_json(struct req *r, const struct slot *s)
{
    json_t *j = json_object();
    json_object_set_new(j, "id", json_integer((json_int_t)s->id));
    json_object_set_new(j, "offering", json_integer((json_int_t)s->offering_id));
    json_object_set_new(j, "kind", str_json(s->kind));
    json_object_set_new(j, "title_zh", str_json(s->title_zh));
    json_object_set_new(j, "title_en", str_json(s->title_en));
    json_object_set_new(j, "site", json_integer((json_int_t)s->site_id));
    json_object_set_new(j, "site_name_zh", str_json(s->site_name_zh));
    json_object_set_new(j, "site_name_en", str_json(s->site_name_en));
    json_object_set_new(j, "start", time_json(r, s->starts_at));
    json_object_set_new(j, "end", time_json(r, s->ends_at));
    json_object_set_new(j, "capacity", json_integer((json_int_t)s->capacity));
    json_object_set_new(j, "taken", json_integer((json_int_t)s->taken));
    json_object_set_new(j, "waiting", json_integer((json_int_t)s->waiting));
    json_object_set_new(j, "waitlist", json_boolean(s->waitlist));
    json_object_set_new(j, "state", str_json(s->state));
    return j;
}

static const unsigned char *server_key(struct req *r)
{
    const struct account_state *st = app_state(r->app, &account_module);
    return st->key;
}

/* The booking's own QR code: sealed with the server key, so it says
 * nothing to whoever reads it and cannot be made up. */
static const char *ticket_of(struct req *r, const struct booking *b)
{
    return account_seal(
        &r->arena, server_key(r), "ticket",
        arena_printf(&r->arena, "%lld:%lld", (long long)b->id, (long long)b->user_id));
}

/* A booking as its person sees it (with the ticket while confirmed), or
 * as staff see it (with the person, never the ticket). */
static json_t *booking_json(struct req *r, const struct booking *b, bool for_person)
{
    json_t *j = json_object();
    json_object_set_new(j, "id", json_integer((json_int_t)b->id));
    json_object_set_new(j, "state", json_string(b->state));
    json_object_set_new(j, "slot", slot_json(r, &b->slot));
    json_object_set_new(j, "place", b->place ? json_integer((json_int_t)b->place) : json_null());
    json_object_set_new(j, "hold_until",
                        strcmp(b->state, "held") == 0 ? time_json(r, b->hold_until) : json_null());
    json_object_set_new(j, "offer_until",
                        strcmp(b->state, "offered") == 0 ? time_json(r, b->offer_until)
                                                         : json_null());
    json_object_set_new(
        j, "cancel_until",
        strcmp(b->state, "confirmed") == 0
            ? time_json(r, booking_cancel_deadline(b->slot.starts_at, b->slot.cancel_cutoff_s))
            : json_null());
    json_object_set_new(j, "created_at", time_json(r, b->created_at));
    json_object_set_new(j, "confirmed_at", time_json(r, b->confirmed_at));
    json_object_set_new(j, "cancelled_at", time_json(r, b->cancelled_at));
    json_object_set_new(j, "cancel_reason", str_json(b->cancel_reason));
    json_object_set_new(j, "checked_in_at", time_json(r, b->checked_in_at));
    bool ticket = for_person && strcmp(b->state, "confirmed") == 0;
    json_object_set_new(j, "ticket", ticket ? json_string(ticket_of(r, b)) : json_null());
    if (!for_person) {
        json_t *who = json_object();
        json_object_set_new(who, "id", json_integer((json_int_t)b->user_id));
        json_object_set_new(who, "display_name", str_json(b->person_name));
        json_object_set_new(who, "phone", str_json(account_phone_mask(&r->arena, b->person_phone)));
        json_object_set_new(j, "person", who);
    }
    return j;
}

/* ---- scope resolvers ----------------------------------------------------- */

static int offering_or_reply(struct req *r, struct store_conn *c, struct offering *o)
{
    int64_t id;
    if (req_param_id_or_reply(r, "id", "offering", &id))
        return -1;
    int rc = offering_get(c, &r->arena, id, o);
    return rc ? (reply_store_error(r, rc, "offering"), -1) : 0;
}

static int slot_or_reply(struct req *r, struct store_conn *c, struct slot *s)
{
    int64_t id;
    if (req_param_id_or_reply(r, "id", "slot", &id))
        return -1;
    int rc = slot_get(c, &r->arena, id, s);
    return rc ? (reply_store_error(r, rc, "slot"), -1) : 0;
}

static int booking_or_reply(struct req *r, struct store_conn *c, struct booking *b)
{
    int64_t id;
    if (req_param_id_or_reply(r, "id", "booking", &id))
        return -1;
    int rc = booking_get(c, &r->arena, id, b);
    return rc ? (reply_store_error(r, rc, "booking"), -1) : 0;
}

static int resolve_offering(struct req *r, struct scope_target *t)
{
    struct store_conn *c = req_store_or_reply(r);
    struct offering o;
    if (!c || offering_or_reply(r, c, &o))
        return -1;
    t->site_id = o.site_id;
    t->org_code = o.org_code;
    return 0;
}

static int resolve_slot(struct req *r, struct scope_target *t)
{
    struct store_conn *c = req_store_or_reply(r);
    struct slot s;
    if (!c || slot_or_reply(r, c, &s))
        return -1;
    t->site_id = s.site_id;
    t->org_code = s.org_code;
    return 0;
}

static int resolve_booking(struct req *r, struct scope_target *t)
{
    struct store_conn *c = req_store_or_reply(r);
    struct booking b;
    if (!c || booking_or_reply(r, c, &b))
        return -1;
    t->site_id = b.slot.site_id;
    t->org_code = b.slot.org_code;
    return 0;
}

const struct route_scope offering_scope_path = {"offering", resolve_offering};
const struct route_scope slot_scope_path = {"slot", resolve_slot};
const struct route_scope booking_scope_path = {"booking", resolve_booking};

/* Does the caller reach a slot at site_id of an offering of org_code? */
static bool reaches_slot(struct req *r, int64_t site_id, const char *org_code)
{
    struct scope_target t = {site_id, NULL, org_code};
    return req_reaches(r, MANAGERS, &t);
}

/* A booking of the caller's own: another person's (or none) is 404, the
 * same answer, so an id reveals nothing. */
static int own_booking_or_reply(struct req *r, struct store_conn *c, struct booking *b)
{
    if (booking_or_reply(r, c, b))
        return -1;
    if (b->user_id != req_principal(r)->user_id)
        return reply_error(r, 404, "not_found", NULL, "no such booking"), -1;
    return 0;
}

/* ---- announcing ------------------------------------------------------------ */

static void announce(struct app *app, struct store_conn *c, int kind, int64_t id)
{
    app_changed(app, c, &booking_module, kind, id);
}

static void announce_many(struct app *app, struct store_conn *c, int kind, const int64_t *ids,
                          size_t n)
{
    for (size_t i = 0; i < n; i++)
        announce(app, c, kind, ids[i]);
}

static int state_kind(const char *state)
{
    if (strcmp(state, "held") == 0)
        return BOOKING_HELD;
    if (strcmp(state, "waitlisted") == 0)
        return BOOKING_WAITLISTED;
    return BOOKING_CONFIRMED;
}

/* ---- offerings ------------------------------------------------------------- */

static const char *const offering_fields[] = {"kind",
                                              "title_zh",
                                              "title_en",
                                              "description_zh",
                                              "description_en",
                                              "site",
                                              "service",
                                              "org",
                                              "verification_required",
                                              "per_person_limit",
                                              "cancel_cutoff_s",
                                              "waitlist",
                                              "offer_ttl_s",
                                              "active",
                                              NULL};

/* Read the fields an offering may have into o (those present). create:
 * kind and title_zh are required, and site and org may be given. */
static int offering_fields_or_reply(struct req *r, struct offering *o, bool create)
{
    json_t *j = r->json;
    int64_t v;
    bool b;
    int got;
    if (json_in_only_or_reply(r, j, NULL, offering_fields))
        return -1;
    if (!create && (json_object_get(j, "site") || json_object_get(j, "org")))
        return reply_error(r, 422, "immutable_field", json_object_get(j, "site") ? "site" : "org",
                           "an offering's site and organization are set when it is made"),
               -1;
    if (json_in_string(r, j, NULL, "kind", 32, create, &o->kind) < 0 ||
        json_in_string(r, j, NULL, "title_zh", BOOKING_TITLE_MAX, create, &o->title_zh) < 0 ||
        json_in_string(r, j, NULL, "title_en", BOOKING_TITLE_MAX, false, &o->title_en) < 0 ||
        json_in_string(r, j, NULL, "description_zh", BOOKING_TEXT_MAX, false, &o->description_zh) <
            0 ||
        json_in_string(r, j, NULL, "description_en", BOOKING_TEXT_MAX, false, &o->description_en) <
            0)
        return -1;
    if (!*o->title_zh)
        return reply_error(r, 422, "missing_field", "title_zh", "title_zh must not be empty"), -1;
    if (!booking_kind_is_valid(o->kind))
        return reply_error(r, 422, "invalid_field", "kind",
                           "kind is appointment, workshop, package, fair_booth or other"),
               -1;
    if ((got = json_in_int(r, j, NULL, "site", 1, INT64_MAX, false, &v)) < 0)
        return -1;
    if (got)
        o->site_id = v;
    if (json_is_null(json_object_get(j, "service")))
        o->service_id = 0;
    else if ((got = json_in_int(r, j, NULL, "service", 1, INT64_MAX, false, &v)) < 0)
        return -1;
    else if (got)
        o->service_id = v;
    if (json_in_string(r, j, NULL, "org", BOOKING_ORG_MAX, false, &o->org_code) < 0)
        return -1;
    if ((got = json_in_bool(r, j, NULL, "verification_required", false, &b)) < 0)
        return -1;
    if (got)
        o->verification_required = b;
    if ((got = json_in_int(r, j, NULL, "per_person_limit", 1, BOOKING_PER_PERSON_MAX, false, &v)) <
        0)
        return -1;
    if (got)
        o->per_person_limit = v;
    if ((got = json_in_int(r, j, NULL, "cancel_cutoff_s", 0, BOOKING_CUTOFF_MAX, false, &v)) < 0)
        return -1;
    if (got)
        o->cancel_cutoff_s = v;
    if ((got = json_in_bool(r, j, NULL, "waitlist", false, &b)) < 0)
        return -1;
    if (got)
        o->waitlist = b;
    if ((got = json_in_int(r, j, NULL, "offer_ttl_s", BOOKING_OFFER_TTL_MIN, BOOKING_OFFER_TTL_MAX,
                           false, &v)) < 0)
        return -1;
    if (got)
        o->offer_ttl_s = v;
    if ((got = json_in_bool(r, j, NULL, "active", false, &b)) < 0)
        return -1;
    if (got)
        o->active = b;
    return 0;
}

/* The service and organization an offering names must exist (the
 * catalogue's services.id and organizations.code); a service's
 * organization becomes the offering's when it names none, and may not
 * differ from it. */
static int offering_links_or_reply(struct req *r, struct store_conn *c, struct offering *o,
                                   bool create)
{
    if (o->org_code && create) {
        struct organization org;
        int rc = organization_get(c, &r->arena, o->org_code, &org);
        if (rc == STORE_NOT_FOUND)
            return reply_error(r, 422, "unknown_org", "org", "no organization has code %s",
                               o->org_code),
                   -1;
        if (rc)
            return reply_store_error(r, rc, "organization"), -1;
    }
    if (o->service_id && json_object_get(r->json, "service")) {
        const char *code = NULL;
        int rc = service_org_code(c, &r->arena, o->service_id, &code);
        if (rc == STORE_NOT_FOUND)
            return reply_error(r, 422, "unknown_service", "service", "no service has id %lld",
                               (long long)o->service_id),
                   -1;
        if (rc)
            return reply_store_error(r, rc, "service"), -1;
        if (create && !o->org_code)
            o->org_code = code;
        else if (o->org_code && code && strcmp(code, o->org_code) != 0)
            return reply_error(r, 422, "invalid_field", "service",
                               "that service belongs to %s, not to %s", code, o->org_code),
                   -1;
    }
    return 0;
}

/* A site named in a body: 422 unknown_site when there is none. */
static int site_exists_or_reply(struct req *r, struct store_conn *c, int64_t id, const char *field)
{
    struct site s;
    int rc = site_get(c, &r->arena, id, &s);
    if (rc == STORE_NOT_FOUND)
        return reply_error(r, 422, "unknown_site", field, "no site has id %lld", (long long)id), -1;
    return rc ? (reply_store_error(r, rc, "site"), -1) : 0;
}

struct offering_write {
    struct arena *arena;
    struct offering *o;
    bool create;
    int64_t now;
};

static int offering_tx(struct store_conn *c, void *v)
{
    struct offering_write *w = v;
    return w->create ? offering_insert(c, w->arena, w->o) : offering_update(c, w->o, w->now);
}

static int post_offering(struct req *r)
{
    struct offering o = {0};
    o.title_en = o.description_zh = o.description_en = "";
    o.per_person_limit = 1;
    o.offer_ttl_s = BOOKING_OFFER_TTL_DEFAULT;
    o.active = true;
    if (offering_fields_or_reply(r, &o, true))
        return r->status;
    struct store_conn *c = req_store_or_reply(r);
    if (!c || (o.site_id && site_exists_or_reply(r, c, o.site_id, "site")) ||
        offering_links_or_reply(r, c, &o, true))
        return r->status;
    /* An offering belongs to its site's people and its organization's:
     * the caller must reach one of them. */
    struct scope_target t = {o.site_id, NULL, o.org_code};
    if (!req_reaches(r, MANAGERS, &t))
        return reply_error(r, 403, "out_of_scope", o.site_id ? "site" : "org",
                           o.site_id ? "your roles reach neither this site nor the organization"
                                     : "name a site or an organization your roles reach");
    o.created_by = req_principal(r)->user_id;
    o.created_at = clock_now();
    struct offering_write w = {&r->arena, &o, true, o.created_at};
    int rc = req_tx(r, c, offering_tx, &w);
    if (rc)
        return reply_store_error(r, rc, "offering");
    announce(r->app, c, BOOKING_OFFERING, o.id);
    reply_header(r, "Location", arena_printf(&r->arena, "/api/offerings/%lld", (long long)o.id));
    return reply_json(r, 201, offering_json(r, &o));
}

static int patch_offering(struct req *r)
{
    struct store_conn *c = req_store_or_reply(r);
    struct offering o;
    if (!c || offering_or_reply(r, c, &o) || offering_fields_or_reply(r, &o, false) ||
        offering_links_or_reply(r, c, &o, false))
        return r->status;
    struct offering_write w = {&r->arena, &o, false, clock_now()};
    int rc = req_tx(r, c, offering_tx, &w);
    if (!rc)
        rc = offering_get(c, &r->arena, o.id, &o);
    if (rc)
        return reply_store_error(r, rc, "offering");
    announce(r->app, c, BOOKING_OFFERING, o.id);
    return reply_json(r, 200, offering_json(r, &o));
}

static int get_offering(struct req *r)
{
    struct store_conn *c = req_store_or_reply(r);
    struct offering o;
    if (!c || offering_or_reply(r, c, &o))
        return r->status;
    return reply_json(r, 200, offering_json(r, &o));
}

/* An optional positive id in the query; 0 when absent. */
static int query_id_or_reply(struct req *r, const char *name, int64_t *out)
{
    return req_query_int_or_reply(r, name, 1, INT64_MAX, 0, out);
}

static int list_offerings(struct req *r)
{
    struct offering_query q = {0};
    q.active_only = true;
    q.kind = req_query(r, "kind");
    if (query_id_or_reply(r, "site", &q.site_id) ||
        query_id_or_reply(r, "service", &q.service_id) ||
        req_query_int_or_reply(r, "limit", 1, 500, 100, &q.limit) ||
        req_query_int_or_reply(r, "offset", 0, 1000000, 0, &q.offset))
        return r->status;
    if (q.kind && !booking_kind_is_valid(q.kind))
        return reply_error(r, 400, "invalid_query", "kind",
                           "kind is appointment, workshop, package, fair_booth or other");
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    struct offering *os;
    size_t n;
    int64_t total;
    int rc = offering_list(c, &r->arena, &q, &os, &n, &total);
    if (rc)
        return reply_store_error(r, rc, "offering");
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, offering_json(r, &os[i]));
    return reply_json(r, 200, json_pack("{s:o, s:I}", "items", items, "total", (json_int_t)total));
}

/* ---- slots ----------------------------------------------------------------- */

/* The site a new slot of offering o goes to: the offering's, or the one
 * the body names (required then); the caller must reach the site or the
 * offering's organization. */
static int slot_site_or_reply(struct req *r, struct store_conn *c, const struct offering *o,
                              json_t *obj, const char *prefix, int64_t *site)
{
    int64_t v = 0;
    const char *field = prefix ? arena_printf(&r->arena, "%s.site", prefix) : "site";
    int got = json_in_int(r, obj, prefix, "site", 1, INT64_MAX, !o->site_id, &v);
    if (got < 0)
        return -1;
    if (o->site_id && got && v != o->site_id)
        return reply_error(r, 422, "invalid_field", field,
                           "this offering's slots are at its site, %lld", (long long)o->site_id),
               -1;
    *site = o->site_id ? o->site_id : v;
    if (!o->site_id && site_exists_or_reply(r, c, *site, field))
        return -1;
    if (!reaches_slot(r, *site, o->org_code))
        return reply_error(r, 403, "out_of_scope", field,
                           "your roles reach neither site %lld nor the offering's organization",
                           (long long)*site),
               -1;
    return 0;
}

static const char *const slot_fields[] = {"site", "start", "end", "capacity", NULL};

static int time_field_or_reply(struct req *r, json_t *obj, const char *prefix, const char *name,
                               int64_t *out)
{
    const char *s;
    if (json_in_string(r, obj, prefix, name, 40, true, &s) < 0)
        return -1;
    if (clock_parse_iso(s, tz_of(r), out) == 0)
        return 0;
    const char *field = prefix ? arena_printf(&r->arena, "%s.%s", prefix, name) : name;
    return reply_error(r, 422, "invalid_field", field,
                       "%s is a time like 2026-12-08T09:00:00+08:00", field),
           -1;
}

/* One slot of the body (obj; prefix "slots[3]" or NULL) into s. */
static int slot_input_or_reply(struct req *r, struct store_conn *c, const struct offering *o,
                               json_t *obj, const char *prefix, int64_t now, struct slot *s)
{
    const char *pre = prefix ? arena_printf(&r->arena, "%s.", prefix) : "";
    if (json_in_object_or_reply(r, obj, prefix ? prefix : "body") ||
        json_in_only_or_reply(r, obj, prefix, slot_fields) ||
        time_field_or_reply(r, obj, prefix, "start", &s->starts_at) ||
        time_field_or_reply(r, obj, prefix, "end", &s->ends_at) ||
        json_in_int(r, obj, prefix, "capacity", 0, BOOKING_CAPACITY_MAX, true, &s->capacity) < 0)
        return -1;
    if (s->starts_at <= now)
        return reply_error(r, 422, "slot_past", arena_printf(&r->arena, "%sstart", pre),
                           "a slot cannot start in the past"),
               -1;
    if (s->ends_at <= s->starts_at || s->ends_at - s->starts_at > BOOKING_SLOT_MAX_S)
        return reply_error(r, 422, "invalid_field", arena_printf(&r->arena, "%send", pre),
                           "a slot ends after it starts, within %d days",
                           BOOKING_SLOT_MAX_S / 86400),
               -1;
    s->offering_id = o->id;
    return slot_site_or_reply(r, c, o, obj, prefix, &s->site_id);
}

struct slots_write {
    struct arena *arena;
    struct slot *slots;
    size_t n;
    int64_t now;
    bool keep_existing; /* generate: an existing slot at a time is kept */
    size_t made;
    size_t conflict_at; /* the slot that exists already */
};

static int slots_tx(struct store_conn *c, void *v)
{
    struct slots_write *w = v;
    w->made = 0;
    for (size_t i = 0; i < w->n; i++) {
        bool made = true;
        int rc = w->keep_existing
                     ? slot_insert_unless_exists(c, w->arena, &w->slots[i], w->now, &made)
                     : slot_insert(c, w->arena, &w->slots[i], w->now);
        if (rc == STORE_CONFLICT)
            w->conflict_at = i;
        if (rc)
            return rc;
        w->made += made;
        if (!made)
            w->slots[i].id = 0;
    }
    return STORE_OK;
}

static int post_slots(struct req *r)
{
    struct store_conn *c = req_store_or_reply(r);
    struct offering o;
    if (!c || offering_or_reply(r, c, &o))
        return r->status;
    int64_t now = clock_now();
    json_t *list = json_object_get(r->json, "slots");
    size_t n = list ? json_array_size(list) : 1;
    if (list && (!json_is_array(list) || n == 0 || n > BOOKING_SLOTS_PER_REQUEST ||
                 json_object_size(r->json) != 1))
        return reply_error(r, 422, "invalid_field", "slots",
                           "slots is a list of 1 to %d slots, alone in the body",
                           BOOKING_SLOTS_PER_REQUEST);
    struct slot *slots = arena_calloc(&r->arena, n, sizeof(*slots));
    for (size_t i = 0; i < n; i++) {
        json_t *obj = list ? json_array_get(list, i) : r->json;
        const char *prefix = list ? arena_printf(&r->arena, "slots[%zu]", i) : NULL;
        if (slot_input_or_reply(r, c, &o, obj, prefix, now, &slots[i]))
            return r->status;
    }
    struct slots_write w = {&r->arena, slots, n, now, false, 0, 0};
    int rc = req_tx(r, c, slots_tx, &w);
    if (rc == STORE_CONFLICT)
        return reply_error(r, 409, "slot_exists",
                           list ? arena_printf(&r->arena, "slots[%zu].start", w.conflict_at)
                                : "start",
                           "this offering has a slot at that site and time already");
    if (rc)
        return reply_store_error(r, rc, "slot");
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++) {
        struct slot s;
        rc = slot_get(c, &r->arena, slots[i].id, &s);
        if (rc)
            return json_decref(items), reply_store_error(r, rc, "slot");
        json_array_append_new(items, slot_json(r, &s));
        announce(r->app, c, BOOKING_SLOT, s.id);
    }
    return reply_json(r, 201, json_pack("{s:o}", "items", items));
}

static const char *const generate_fields[] = {"from",     "to",   "days", "minutes",
                                              "capacity", "site", NULL};
static const char *const day_keys[] = {"mo", "tu", "we", "th", "fr", "sa", "su"};

static int date_field_or_reply(struct req *r, const char *name, int32_t *out)
{
    const char *s;
    if (json_in_string(r, r->json, NULL, name, 10, true, &s) < 0)
        return -1;
    if (clock_parse_date(s, out) == 0)
        return 0;
    return reply_error(r, 422, "invalid_field", name, "%s is a date like 2026-12-07", name), -1;
}

static int pattern_or_reply(struct req *r, struct booking_pattern *p)
{
    json_t *days = json_object_get(r->json, "days");
    if (!days)
        return reply_error(r, 422, "missing_field", "days", "days is required"), -1;
    if (!json_is_object(days))
        return reply_error(r, 422, "invalid_field", "days",
                           "days maps mo..su to lists like [\"09:00-12:00\"]"),
               -1;
    const char *key;
    json_t *list;
    json_object_foreach(days, key, list)
    {
        int wd = booking_weekday_key(key);
        const char *field = arena_printf(&r->arena, "days.%s", key);
        if (wd < 0)
            return reply_error(r, 422, "unknown_field", field,
                               "days are mo, tu, we, th, fr, sa, su"),
                   -1;
        if (!json_is_array(list) || json_array_size(list) > BOOKING_WINDOWS_MAX)
            return reply_error(r, 422, "invalid_field", field,
                               "%s is a list of at most %d windows like \"09:00-12:00\"", field,
                               BOOKING_WINDOWS_MAX),
                   -1;
        for (size_t i = 0; i < json_array_size(list); i++) {
            struct booking_window w;
            const char *wfield = arena_printf(&r->arena, "%s[%zu]", field, i);
            json_t *item = json_array_get(list, i);
            if (!json_is_string(item) || booking_window_parse(json_string_value(item), &w))
                return reply_error(r, 422, "invalid_field", wfield,
                                   "%s is a window like \"09:00-12:00\"", wfield),
                       -1;
            if (booking_pattern_add(p, wd, &w))
                return reply_error(r, 422, "invalid_field", wfield,
                                   "%s overlaps another window of the day", wfield),
                       -1;
        }
    }
    return 0;
}

static const char *day_text(struct arena *a, int32_t day)
{
    return arena_printf(a, "%04d-%02d-%02d", day / 10000, day / 100 % 100, day % 100);
}

static int post_generate(struct req *r)
{
    struct store_conn *c = req_store_or_reply(r);
    struct offering o;
    if (!c || offering_or_reply(r, c, &o))
        return r->status;
    struct booking_pattern p;
    memset(&p, 0, sizeof p);
    int64_t minutes, capacity, site;
    if (json_in_only_or_reply(r, r->json, NULL, generate_fields) ||
        date_field_or_reply(r, "from", &p.from) || date_field_or_reply(r, "to", &p.to) ||
        json_in_int(r, r->json, NULL, "minutes", 5, 24 * 60, true, &minutes) < 0 ||
        json_in_int(r, r->json, NULL, "capacity", 1, BOOKING_CAPACITY_MAX, true, &capacity) < 0 ||
        pattern_or_reply(r, &p) || slot_site_or_reply(r, c, &o, r->json, NULL, &site))
        return r->status;
    int64_t now = clock_now();
    int tz = tz_of(r);
    if (p.from < booking_local_day(now, tz))
        return reply_error(r, 422, "slot_past", "from", "from is today or later");
    if (p.to < p.from || p.to > booking_day_add(p.from, BOOKING_GENERATE_DAYS - 1))
        return reply_error(r, 422, "invalid_field", "to", "to is from or later, at most %d days on",
                           BOOKING_GENERATE_DAYS - 1);
    p.minutes = (int)minutes;
    struct hours_calendar cal;
    int rc = calendar_load(c, &r->arena, booking_day_start(p.from, tz), tz, &cal);
    if (rc)
        return reply_store_error(r, rc, "calendar");
    struct booking_span *spans = arena_calloc(&r->arena, BOOKING_GENERATE_MAX, sizeof(*spans));
    size_t n = booking_generate(&p, &cal, tz, now + 1, spans, BOOKING_GENERATE_MAX);
    if (n > BOOKING_GENERATE_MAX)
        return reply_error(r, 422, "too_many_slots", "days",
                           "the pattern makes %zu slots; at most %d at once", n,
                           BOOKING_GENERATE_MAX);
    struct slot *slots = arena_calloc(&r->arena, n + 1, sizeof(*slots));
    for (size_t i = 0; i < n; i++) {
        slots[i].offering_id = o.id;
        slots[i].site_id = site;
        slots[i].starts_at = spans[i].starts_at;
        slots[i].ends_at = spans[i].ends_at;
        slots[i].capacity = capacity;
    }
    struct slots_write w = {&r->arena, slots, n, now, true, 0, 0};
    rc = req_tx(r, c, slots_tx, &w);
    if (rc)
        return reply_store_error(r, rc, "slot");
    /* Which days the calendar changed. */
    json_t *holidays = json_array(), *workdays = json_array();
    for (size_t i = 0; i < cal.n; i++) {
        const struct hours_day *d = &cal.days[i];
        if (d->date < p.from || d->date > p.to)
            continue;
        if (d->kind == HOURS_DAY_HOLIDAY)
            json_array_append_new(holidays, json_string(day_text(&r->arena, d->date)));
        else if (d->kind == HOURS_DAY_WORKDAY)
            json_array_append_new(
                workdays, json_pack("{s:s, s:s}", "date", day_text(&r->arena, d->date), "as",
                                    day_keys[booking_pattern_weekday(d->date, &cal) - 1]));
    }
    announce(r->app, c, BOOKING_SLOT, 0);
    return reply_json(r, 201,
                      json_pack("{s:I, s:I, s:o, s:o, s:o, s:o}", "created", (json_int_t)w.made,
                                "existing", (json_int_t)(n - w.made), "first",
                                n ? time_json(r, spans[0].starts_at) : json_null(), "last",
                                n ? time_json(r, spans[n - 1].starts_at) : json_null(),
                                "holidays_skipped", holidays, "workdays_followed", workdays));
}

/* ?from= and ?to=: a date (its local midnight) or a moment. */
static int moment_query_or_reply(struct req *r, const char *name, int64_t dflt, int64_t *out)
{
    const char *v = req_query(r, name);
    int32_t day;
    *out = dflt;
    if (!v)
        return 0;
    if (clock_parse_date(v, &day) == 0) {
        *out = booking_day_start(day, tz_of(r));
        return 0;
    }
    if (clock_parse_iso(v, tz_of(r), out) == 0)
        return 0;
    return reply_error(r, 400, "invalid_query", name,
                       "%s is a date like 2026-12-07 or a time like 2026-12-07T09:00+08:00", name),
           -1;
}

static int list_slots(struct req *r)
{
    struct slot_query q = {0};
    int64_t available;
    q.now = clock_now();
    if (query_id_or_reply(r, "site", &q.site_id) ||
        query_id_or_reply(r, "service", &q.service_id) ||
        query_id_or_reply(r, "offering", &q.offering_id) ||
        moment_query_or_reply(r, "from", q.now, &q.from) ||
        moment_query_or_reply(r, "to", INT64_MAX / 2, &q.to) ||
        req_query_int_or_reply(r, "available", 0, 1, 0, &available) ||
        req_query_int_or_reply(r, "limit", 1, 500, 100, &q.limit) ||
        req_query_int_or_reply(r, "offset", 0, 1000000, 0, &q.offset))
        return r->status;
    /* A bare date in ?to= means the whole of that day. */
    int32_t day;
    const char *to = req_query(r, "to");
    if (to && clock_parse_date(to, &day) == 0)
        q.to = booking_day_start(booking_day_add(day, 1), tz_of(r));
    q.available = available == 1;
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    struct slot *ss;
    size_t n;
    int64_t total;
    int rc = slot_list(c, &r->arena, &q, &ss, &n, &total);
    if (rc)
        return reply_store_error(r, rc, "slot");
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, slot_json(r, &ss[i]));
    return reply_json(r, 200, json_pack("{s:o, s:I}", "items", items, "total", (json_int_t)total));
}

static int get_slot(struct req *r)
{
    struct store_conn *c = req_store_or_reply(r);
    struct slot s;
    if (!c || slot_or_reply(r, c, &s))
        return r->status;
    return reply_json(r, 200, slot_json(r, &s));
}

/* The roster of a slot, for whoever runs it (staff of the site, the
 * offering's provider): every booking with its person. */
static int list_slot_bookings(struct req *r)
{
    struct store_conn *c = req_store_or_reply(r);
    struct slot s;
    if (!c || slot_or_reply(r, c, &s))
        return r->status;
    struct booking *bs;
    size_t n;
    int rc = booking_list_slot(c, &r->arena, s.id, &bs, &n);
    if (rc)
        return reply_store_error(r, rc, "booking");
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, booking_json(r, &bs[i], false));
    return reply_json(r, 200, json_pack("{s:o, s:o}", "slot", slot_json(r, &s), "items", items));
}

struct slot_change {
    struct arena *arena;
    int tz;
    int64_t slot_id, capacity, now;
    bool cancel;
    int64_t *ids;
    size_t n;
    struct booking_notified nt;
};

static int slot_change_tx(struct store_conn *c, void *v)
{
    struct slot_change *w = v;
    booking_notified_reset(&w->nt);
    if (w->cancel) {
        int rc = slot_cancel(c, w->arena, w->slot_id, w->now, &w->ids, &w->n);
        return rc ? rc
                  : booking_notify_ids(c, w->arena, w->tz, w->ids, w->n,
                                       BOOKING_NOTICE_CANCELLED_BY_PROVIDER, &w->nt);
    }
    int rc = slot_set_capacity(c, w->arena, w->slot_id, w->capacity, w->now, &w->ids, &w->n);
    return rc ? rc
              : booking_notify_ids(c, w->arena, w->tz, w->ids, w->n, BOOKING_NOTICE_OFFER, &w->nt);
}

static const char *const slot_patch_fields[] = {"capacity", NULL};

static int patch_slot(struct req *r)
{
    struct store_conn *c = req_store_or_reply(r);
    struct slot s;
    struct slot_change w = {0};
    if (!c || slot_or_reply(r, c, &s) ||
        json_in_only_or_reply(r, r->json, NULL, slot_patch_fields) ||
        json_in_int(r, r->json, NULL, "capacity", 0, BOOKING_CAPACITY_MAX, true, &w.capacity) < 0)
        return r->status;
    w.arena = &r->arena;
    w.tz = tz_of(r);
    w.slot_id = s.id;
    w.now = clock_now();
    int rc = req_tx(r, c, slot_change_tx, &w);
    if (rc == STORE_CONFLICT)
        return reply_error(r, 409, "capacity_below_taken", "capacity",
                           "more places are taken than that; cancel bookings first");
    if (rc == STORE_NOT_FOUND)
        return reply_error(r, 409, "slot_cancelled", NULL, "this slot is cancelled");
    if (!rc)
        rc = slot_get(c, &r->arena, s.id, &s);
    if (rc)
        return reply_store_error(r, rc, "slot");
    announce(r->app, c, BOOKING_SLOT, s.id);
    announce_many(r->app, c, BOOKING_OFFERED, w.ids, w.n);
    booking_announce_notices(r->app, c, &w.nt);
    return reply_json(r, 200, slot_json(r, &s));
}

static int post_slot_cancel(struct req *r)
{
    struct store_conn *c = req_store_or_reply(r);
    struct slot s;
    if (!c || slot_or_reply(r, c, &s))
        return r->status;
    struct slot_change w = {&r->arena, tz_of(r), s.id, 0, clock_now(), true, NULL, 0, {0}};
    int rc = req_tx(r, c, slot_change_tx, &w);
    if (rc == STORE_CONFLICT)
        return reply_error(r, 409, "slot_cancelled", NULL, "this slot is cancelled already");
    if (!rc)
        rc = slot_get(c, &r->arena, s.id, &s);
    if (rc)
        return reply_store_error(r, rc, "slot");
    announce(r->app, c, BOOKING_SLOT, s.id);
    announce_many(r->app, c, BOOKING_CANCELLED, w.ids, w.n);
    booking_announce_notices(r->app, c, &w.nt);
    json_t *o = slot_json(r, &s);
    json_object_set_new(o, "bookings_cancelled", json_integer((json_int_t)w.n));
    return reply_json(r, 200, o);
}

/* ---- booking ------------------------------------------------------------- */

struct book_write {
    struct arena *arena;
    int tz;
    struct booking *b;
    const struct slot *slot;
    bool waitlist, hold;
    int64_t now;
    struct booking_notified nt;
};

static int book_tx(struct store_conn *c, void *v)
{
    struct book_write *w = v;
    booking_notified_reset(&w->nt);
    int rc = booking_book(c, w->arena, w->b, w->waitlist, w->hold, w->now);
    if (rc || strcmp(w->b->state, "confirmed") != 0)
        return rc;
    struct booking told = *w->b;
    told.slot = *w->slot;
    return booking_notify(c, w->arena, w->tz, &told, BOOKING_NOTICE_CONFIRMED, &w->nt);
}

static const char *const book_fields[] = {"slot", "hold", NULL};

static int post_booking(struct req *r)
{
    const struct principal *p = req_principal(r);
    int64_t slot_id;
    bool hold = false;
    if (json_in_only_or_reply(r, r->json, NULL, book_fields) ||
        json_in_int(r, r->json, NULL, "slot", 1, INT64_MAX, true, &slot_id) < 0 ||
        json_in_bool(r, r->json, NULL, "hold", false, &hold) < 0)
        return r->status;
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    struct slot s;
    struct offering o;
    int rc = slot_get(c, &r->arena, slot_id, &s);
    if (rc == STORE_NOT_FOUND)
        return reply_error(r, 404, "not_found", "slot", "no such slot");
    if (!rc)
        rc = offering_get(c, &r->arena, s.offering_id, &o);
    if (rc)
        return reply_store_error(r, rc, "slot");
    int64_t now = clock_now();
    if (!o.active)
        return reply_error(r, 409, "offering_closed", "slot",
                           "this offering takes no bookings now");
    if (strcmp(s.state, "open") != 0)
        return reply_error(r, 409, "slot_cancelled", "slot", "this slot was cancelled");
    if (s.starts_at <= now)
        return reply_error(r, 422, "slot_past", "slot", "this slot has started or is over");
    /* A mentor's one-to-ones are for the mentor's own hosts (mentoring). */
    if (strcmp(o.kind, "mentoring") == 0)
        return reply_error(r, 403, "out_of_scope", "slot",
                           "book a one-to-one through /api/mentoring/one-to-ones/{id}/book");
    if (o.verification_required) {
        struct user u;
        rc = user_get(c, &r->arena, p->user_id, &u);
        if (rc)
            return reply_store_error(r, rc, "person");
        if (!u.verification || strcmp(u.verification, "verified") != 0)
            return reply_error(r, 403, "verification_required", NULL,
                               "this offering is for verified workers: show your ID at a "
                               "station once");
    }
    struct booking b = {0};
    b.slot_id = s.id;
    b.offering_id = o.id;
    b.user_id = p->user_id;
    struct book_write w = {&r->arena, tz_of(r), &b, &s, o.waitlist, hold, now, {0}};
    rc = req_tx(r, c, book_tx, &w);
    switch (rc) {
    case STORE_OK:
        break;
    case BOOKING_FULL:
        return reply_error(r, 409, "full", "slot", "every place of this slot is taken");
    case BOOKING_ALREADY:
        return reply_error(r, 409, "already_booked", "slot",
                           "you have as many bookings of this offering as it allows (%lld)",
                           (long long)o.per_person_limit);
    case BOOKING_SLOT_CLOSED:
        return reply_error(r, 422, "slot_past", "slot", "this slot has started or was cancelled");
    default:
        return reply_store_error(r, rc, "booking");
    }
    announce(r->app, c, state_kind(b.state), b.id);
    booking_announce_notices(r->app, c, &w.nt);
    /* The answer from what was stored, with its slot as it is now. */
    int64_t place = b.place;
    rc = booking_get(c, &r->arena, b.id, &b);
    if (rc)
        return reply_store_error(r, rc, "booking");
    if (strcmp(b.state, "waitlisted") == 0)
        b.place = place; /* the place it was given, whatever happened since */
    reply_header(r, "Location", arena_printf(&r->arena, "/api/bookings/%lld", (long long)b.id));
    return reply_json(r, 201, booking_json(r, &b, true));
}

static int list_my_bookings(struct req *r)
{
    int64_t active, limit, offset;
    if (req_query_int_or_reply(r, "active", 0, 1, 0, &active) ||
        req_query_int_or_reply(r, "limit", 1, 500, 100, &limit) ||
        req_query_int_or_reply(r, "offset", 0, 1000000, 0, &offset))
        return r->status;
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    struct booking *bs;
    size_t n;
    int rc = booking_list_user(c, &r->arena, req_principal(r)->user_id, active == 1, limit, offset,
                               &bs, &n);
    if (rc)
        return reply_store_error(r, rc, "booking");
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, booking_json(r, &bs[i], true));
    return reply_json(r, 200, json_pack("{s:o}", "items", items));
}

static int get_booking(struct req *r)
{
    struct store_conn *c = req_store_or_reply(r);
    struct booking b;
    if (!c || own_booking_or_reply(r, c, &b))
        return r->status;
    return reply_json(r, 200, booking_json(r, &b, true));
}

/* ---- moving a booking on ----------------------------------------------------- */

enum move { MOVE_CANCEL, MOVE_ACCEPT, MOVE_CONFIRM, MOVE_CHECK_IN };

struct move_write {
    struct arena *arena;
    int tz;
    const struct booking *b;
    enum move what;
    int64_t by, now;
    int64_t *offered;
    size_t noffered;
    struct booking_notified nt;
};

static int move_tx(struct store_conn *c, void *v)
{
    struct move_write *w = v;
    int rc = STORE_ERROR;
    w->noffered = 0;
    booking_notified_reset(&w->nt);
    switch (w->what) {
    case MOVE_CANCEL:
        rc = booking_cancel(c, w->arena, w->b, "by_person", w->now, &w->offered, &w->noffered);
        if (!rc)
            rc = booking_notify_ids(c, w->arena, w->tz, w->offered, w->noffered,
                                    BOOKING_NOTICE_OFFER, &w->nt);
        return rc;
    case MOVE_ACCEPT:
    case MOVE_CONFIRM:
        rc = w->what == MOVE_ACCEPT ? booking_accept_offer(c, w->b->id, w->now)
                                    : booking_confirm_hold(c, w->b->id, w->now);
        if (!rc)
            rc = booking_notify(c, w->arena, w->tz, w->b, BOOKING_NOTICE_CONFIRMED, &w->nt);
        return rc;
    case MOVE_CHECK_IN:
        return booking_check_in(c, w->b->id, w->by, w->now);
    }
    return rc;
}

/* Run the move and answer with the booking as it is now; 409
 * state_changed when someone (or the tick) moved it first. */
static int move_and_reply(struct req *r, struct store_conn *c, struct booking *b, enum move what,
                          int kind)
{
    struct move_write w = {&r->arena,   tz_of(r), b, what, req_principal(r)->user_id,
                           clock_now(), NULL,     0, {0}};
    int rc = req_tx(r, c, move_tx, &w);
    if (rc == STORE_CONFLICT)
        return reply_error(r, 409, "state_changed", "state",
                           "the booking changed at this moment; look at it again");
    if (!rc)
        rc = booking_get(c, &r->arena, b->id, b);
    if (rc)
        return reply_store_error(r, rc, "booking");
    announce(r->app, c, kind, b->id);
    announce_many(r->app, c, BOOKING_OFFERED, w.offered, w.noffered);
    booking_announce_notices(r->app, c, &w.nt);
    if (what == MOVE_CHECK_IN) {
        /* Staff see whom they let in. */
        struct user u;
        if (user_get(c, &r->arena, b->user_id, &u) == STORE_OK) {
            b->person_name = u.display_name;
            b->person_phone = u.phone;
        }
    }
    return reply_json(r, 200, booking_json(r, b, what != MOVE_CHECK_IN));
}

static int post_cancel(struct req *r)
{
    struct store_conn *c = req_store_or_reply(r);
    struct booking b;
    if (!c || own_booking_or_reply(r, c, &b))
        return r->status;
    int64_t now = clock_now();
    switch (booking_cancel_rule(b.state, now, b.slot.starts_at, b.slot.cancel_cutoff_s)) {
    case BOOKING_CANCEL_OK:
        break;
    case BOOKING_CANCEL_FINAL:
        return reply_error(r, 409, "not_cancellable", "state", "this booking is %s", b.state);
    case BOOKING_CANCEL_CUTOFF_PASSED: {
        char when[40];
        clock_format_iso(booking_cancel_deadline(b.slot.starts_at, b.slot.cancel_cutoff_s),
                         tz_of(r), when, sizeof when);
        return reply_error(r, 409, "cancel_cutoff_passed", "cancel_cutoff_s",
                           "cancellations of this booking closed at %s", when);
    }
    }
    return move_and_reply(r, c, &b, MOVE_CANCEL, BOOKING_CANCELLED);
}

static int post_accept(struct req *r)
{
    struct store_conn *c = req_store_or_reply(r);
    struct booking b;
    if (!c || own_booking_or_reply(r, c, &b))
        return r->status;
    if (strcmp(b.state, "offered") != 0)
        return reply_error(r, 409, "not_offered", "state", "this booking is %s, not offered a seat",
                           b.state);
    if (b.offer_until <= clock_now())
        return reply_error(r, 409, "offer_expired", "offer_until",
                           "the offer has expired; the seat goes to the next in line");
    return move_and_reply(r, c, &b, MOVE_ACCEPT, BOOKING_CONFIRMED);
}

static int post_confirm(struct req *r)
{
    struct store_conn *c = req_store_or_reply(r);
    struct booking b;
    if (!c || own_booking_or_reply(r, c, &b))
        return r->status;
    if (strcmp(b.state, "held") != 0)
        return reply_error(r, 409, "not_held", "state", "this booking is %s, not held", b.state);
    if (b.hold_until <= clock_now())
        return reply_error(r, 409, "hold_expired", "hold_until",
                           "the seat was held for %d minutes; book again", BOOKING_HOLD_S / 60);
    return move_and_reply(r, c, &b, MOVE_CONFIRM, BOOKING_CONFIRMED);
}

/* Check a confirmed booking in (the caller reaches its slot). */
static int check_in_and_reply(struct req *r, struct store_conn *c, struct booking *b)
{
    if (strcmp(b->state, "checked_in") == 0)
        return reply_error(r, 409, "already_checked_in", "state", "checked in already");
    if (strcmp(b->state, "confirmed") != 0)
        return reply_error(r, 409, "not_confirmed", "state", "this booking is %s", b->state);
    switch (booking_checkin_rule(clock_now(), b->slot.starts_at, b->slot.ends_at, tz_of(r))) {
    case BOOKING_CHECKIN_OK:
        break;
    case BOOKING_CHECKIN_TOO_EARLY:
        return reply_error(r, 409, "too_early", "slot", "check-in opens on the slot's day");
    case BOOKING_CHECKIN_ENDED:
        return reply_error(r, 409, "slot_ended", "slot", "this slot is over");
    }
    return move_and_reply(r, c, b, MOVE_CHECK_IN, BOOKING_CHECKED_IN);
}

static int post_check_in(struct req *r)
{
    struct store_conn *c = req_store_or_reply(r);
    struct booking b;
    if (!c || booking_or_reply(r, c, &b))
        return r->status;
    return check_in_and_reply(r, c, &b);
}

static const char *const checkin_fields[] = {"qr", "site", NULL};

/* A worker's personal QR (GET /api/me/qr) or a booking's ticket. */
static int post_checkin_qr(struct req *r)
{
    const char *token;
    int64_t site = 0;
    if (json_in_only_or_reply(r, r->json, NULL, checkin_fields) ||
        json_in_string(r, r->json, NULL, "qr", 512, true, &token) < 0 ||
        json_in_int(r, r->json, NULL, "site", 1, INT64_MAX, false, &site) < 0)
        return r->status;
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    int64_t now = clock_now();
    long long a = 0, b2 = 0;
    const char *ticket = account_unseal(&r->arena, server_key(r), "ticket", token);
    struct booking b;
    if (ticket && sscanf(ticket, "%lld:%lld", &a, &b2) == 2) {
        int rc = booking_get(c, &r->arena, a, &b);
        if (rc == STORE_NOT_FOUND || (!rc && b.user_id != b2))
            return reply_error(r, 404, "not_found", "qr", "this ticket's booking is gone");
        if (rc)
            return reply_store_error(r, rc, "booking");
        if (!reaches_slot(r, b.slot.site_id, b.slot.org_code) || (site && site != b.slot.site_id))
            return reply_error(r, 403, "out_of_scope", NULL,
                               "this ticket is for a slot at another site");
        return check_in_and_reply(r, c, &b);
    }
    const char *plain = account_unseal(&r->arena, server_key(r), "qr", token);
    if (!plain || sscanf(plain, "%lld:%lld", &a, &b2) != 2)
        return reply_error(r, 422, "invalid_qr", "qr", "this is not a warmharbor code");
    if (b2 <= now)
        return reply_error(r, 410, "qr_expired", "qr",
                           "the code has expired; ask the worker to show a fresh one");
    /* The person's confirmed bookings today (until local midnight) at a
     * slot the caller reaches: the earliest. */
    int tz = tz_of(r);
    int64_t midnight = booking_day_start(booking_day_add(booking_local_day(now, tz), 1), tz);
    struct booking *bs;
    size_t n;
    int rc = booking_list_checkin(c, &r->arena, a, now, midnight, &bs, &n);
    if (rc)
        return reply_store_error(r, rc, "booking");
    for (size_t i = 0; i < n; i++) {
        if (site && bs[i].slot.site_id != site)
            continue;
        if (reaches_slot(r, bs[i].slot.site_id, bs[i].slot.org_code))
            return check_in_and_reply(r, c, &bs[i]);
    }
    return reply_error(r, 404, "no_booking_today", "qr",
                       "this person has no confirmed booking here today");
}

static int list_site_bookings(struct req *r)
{
    int64_t site_id;
    int32_t day;
    int tz = tz_of(r);
    const char *date = req_query(r, "date");
    if (req_param_id_or_reply(r, "id", "site", &site_id))
        return r->status;
    if (!date)
        day = booking_local_day(clock_now(), tz);
    else if (clock_parse_date(date, &day))
        return reply_error(r, 400, "invalid_query", "date", "date is like 2026-12-07");
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    struct booking *bs;
    size_t n;
    int rc = booking_list_site(c, &r->arena, site_id, booking_day_start(day, tz),
                               booking_day_start(booking_day_add(day, 1), tz), &bs, &n);
    if (rc)
        return reply_store_error(r, rc, "booking");
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, booking_json(r, &bs[i], false));
    return reply_json(r, 200,
                      json_pack("{s:s, s:o}", "date", day_text(&r->arena, day), "items", items));
}

/* ---- timed work ------------------------------------------------------------- */

struct tick_write {
    struct arena *arena;
    int tz;
    const struct booking *b;
    const char *reason; /* ending it; NULL: the reminder */
    int64_t now;
    int64_t *offered;
    size_t noffered;
    struct booking_notified nt;
};

static int tick_tx(struct store_conn *c, void *v)
{
    struct tick_write *w = v;
    booking_notified_reset(&w->nt);
    w->noffered = 0;
    if (!w->reason) {
        int rc = booking_mark_reminded(c, w->b->id, w->now);
        return rc ? rc : booking_notify(c, w->arena, w->tz, w->b, BOOKING_NOTICE_REMINDER, &w->nt);
    }
    int rc = booking_cancel(c, w->arena, w->b, w->reason, w->now, &w->offered, &w->noffered);
    return rc ? rc
              : booking_notify_ids(c, w->arena, w->tz, w->offered, w->noffered,
                                   BOOKING_NOTICE_OFFER, &w->nt);
}

/* Each booking in its own transaction, decided by its guarded UPDATE
 * (another node doing the same at once finds nothing to do). */
static void tick_each(struct app *app, struct store_conn *c, struct arena *a, int64_t now,
                      const struct booking *bs, size_t n, const char *reason)
{
    for (size_t i = 0; i < n; i++) {
        struct tick_write w = {a, app->cfg.tz_offset_min, &bs[i], reason, now, NULL, 0, {0}};
        int rc = store_tx(c, tick_tx, &w);
        if (rc == STORE_CONFLICT)
            continue;
        if (rc) {
            log_warn("booking %lld: the timed work (%s) failed: store result %d",
                     (long long)bs[i].id, reason ? reason : "reminder", rc);
            continue;
        }
        if (reason)
            announce(app, c, BOOKING_CANCELLED, bs[i].id);
        announce_many(app, c, BOOKING_OFFERED, w.offered, w.noffered);
        booking_announce_notices(app, c, &w.nt);
    }
}

static void expire_due(struct app *app, struct store_conn *c, struct arena *a, int64_t now,
                       enum booking_due what, const char *reason)
{
    struct booking *bs;
    size_t n;
    if (!booking_list_due(c, a, what, now, TICK_BATCH, &bs, &n))
        tick_each(app, c, a, now, bs, n, reason);
}

/* The day before a slot, from BOOKING_REMIND_HOUR local time on: one
 * reminder per confirmed booking. */
static void remind_due(struct app *app, struct store_conn *c, struct arena *a, int64_t now)
{
    int tz = app->cfg.tz_offset_min;
    int32_t today = booking_local_day(now, tz);
    if (now < booking_day_start(today, tz) + BOOKING_REMIND_HOUR * 3600)
        return;
    struct booking *bs;
    size_t n;
    if (!booking_list_to_remind(c, a, booking_day_start(booking_day_add(today, 1), tz),
                                booking_day_start(booking_day_add(today, 2), tz), TICK_BATCH, &bs,
                                &n))
        tick_each(app, c, a, now, bs, n, NULL);
}

static void booking_tick(struct app *app, struct store_conn *c, int64_t now)
{
    struct arena a;
    arena_init(&a);
    expire_due(app, c, &a, now, BOOKING_DUE_HOLDS, "hold_expired");
    expire_due(app, c, &a, now, BOOKING_DUE_OFFERS, "offer_expired");
    expire_due(app, c, &a, now, BOOKING_DUE_WAITING, "slot_started");
    struct booking *bs;
    size_t n;
    if (!booking_list_due(c, &a, BOOKING_DUE_NO_SHOWS, now, TICK_BATCH, &bs, &n))
        for (size_t i = 0; i < n; i++)
            if (booking_mark_no_show(c, bs[i].id, now) == STORE_OK)
                announce(app, c, BOOKING_NO_SHOW, bs[i].id);
    remind_due(app, c, &a, now);
    arena_release(&a);
}

/* ---- personal data --------------------------------------------------------- */

static int booking_export_personal(struct app *app, struct store_conn *c, struct arena *a,
                                   int64_t user_id, json_t **out)
{
    struct booking *bs;
    size_t n;
    int rc = booking_list_user(c, a, user_id, false, 100000, 0, &bs, &n);
    if (rc)
        return rc;
    int tz = app->cfg.tz_offset_min;
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++) {
        const struct booking *b = &bs[i];
        json_t *o = json_object();
        json_object_set_new(o, "id", json_integer((json_int_t)b->id));
        json_object_set_new(o, "state", json_string(b->state));
        json_object_set_new(o, "offering", json_integer((json_int_t)b->offering_id));
        json_object_set_new(o, "title_zh", str_json(b->slot.title_zh));
        json_object_set_new(o, "title_en", str_json(b->slot.title_en));
        json_object_set_new(o, "site", json_integer((json_int_t)b->slot.site_id));
        json_object_set_new(o, "site_name_zh", str_json(b->slot.site_name_zh));
        json_object_set_new(o, "start", iso_json(b->slot.starts_at, tz));
        json_object_set_new(o, "end", iso_json(b->slot.ends_at, tz));
        json_object_set_new(o, "created_at", iso_json(b->created_at, tz));
        json_object_set_new(o, "confirmed_at", iso_json(b->confirmed_at, tz));
        json_object_set_new(o, "cancelled_at", iso_json(b->cancelled_at, tz));
        json_object_set_new(o, "cancel_reason", str_json(b->cancel_reason));
        json_object_set_new(o, "checked_in_at", iso_json(b->checked_in_at, tz));
        json_object_set_new(o, "reminded_at", iso_json(b->reminded_at, tz));
        json_array_append_new(items, o);
    }
    *out = json_pack("{s:o}", "bookings", items);
    return STORE_OK;
}

/* Inside the erase's transaction: the person's seats pass to whoever
 * waits (they find the offer in their inbox; the erase has no hook after
 * its commit, so their open streams hear of it on their next fetch). */
static int booking_erase_personal(struct app *app, struct store_conn *c, int64_t user_id)
{
    struct arena a;
    arena_init(&a);
    int64_t *offered;
    size_t n;
    struct booking_notified nt = {0};
    int rc = booking_erase_user(c, &a, user_id, clock_now(), &offered, &n);
    if (!rc)
        rc = booking_notify_ids(c, &a, app->cfg.tz_offset_min, offered, n, BOOKING_NOTICE_OFFER,
                                &nt);
    arena_release(&a);
    return rc;
}

/* ---- the module ------------------------------------------------------------ */

static const char *const booking_changes[] = {"confirmed", "held",       "waitlisted", "offered",
                                              "cancelled", "checked_in", "no_show",    "offering",
                                              "slot",      NULL};

static const struct route booking_routes[] = {
    {HTTP_GET, "/api/offerings", list_offerings, ACCESS_PUBLIC, BODY_NONE, SCOPE_ANY},
    {HTTP_POST, "/api/offerings", post_offering, MANAGERS, BODY_JSON, SCOPE_ANY},
    {HTTP_GET, "/api/offerings/{id}", get_offering, ACCESS_PUBLIC, BODY_NONE, SCOPE_ANY},
    {HTTP_PATCH, "/api/offerings/{id}", patch_offering, MANAGERS, BODY_JSON, &offering_scope_path},
    {HTTP_POST, "/api/offerings/{id}/slots", post_slots, MANAGERS, BODY_JSON, &offering_scope_path},
    {HTTP_POST, "/api/offerings/{id}/slots/generate", post_generate, MANAGERS, BODY_JSON,
     &offering_scope_path},
    {HTTP_GET, "/api/slots", list_slots, ACCESS_PUBLIC, BODY_NONE, SCOPE_ANY},
    {HTTP_GET, "/api/slots/{id}", get_slot, ACCESS_PUBLIC, BODY_NONE, SCOPE_ANY},
    {HTTP_PATCH, "/api/slots/{id}", patch_slot, MANAGERS, BODY_JSON, &slot_scope_path},
    {HTTP_POST, "/api/slots/{id}/cancel", post_slot_cancel, MANAGERS, BODY_NONE, &slot_scope_path},
    {HTTP_GET, "/api/slots/{id}/bookings", list_slot_bookings, MANAGERS, BODY_NONE,
     &slot_scope_path},
    {HTTP_POST, "/api/bookings", post_booking, ACCESS_SIGNED_IN, BODY_JSON, SCOPE_ANY},
    {HTTP_GET, "/api/me/bookings", list_my_bookings, ACCESS_SIGNED_IN, BODY_NONE, SCOPE_ANY},
    {HTTP_GET, "/api/bookings/{id}", get_booking, ACCESS_SIGNED_IN, BODY_NONE, SCOPE_ANY},
    {HTTP_POST, "/api/bookings/{id}/cancel", post_cancel, ACCESS_SIGNED_IN, BODY_NONE, SCOPE_ANY},
    {HTTP_POST, "/api/bookings/{id}/accept", post_accept, ACCESS_SIGNED_IN, BODY_NONE, SCOPE_ANY},
    {HTTP_POST, "/api/bookings/{id}/confirm", post_confirm, ACCESS_SIGNED_IN, BODY_NONE, SCOPE_ANY},
    {HTTP_POST, "/api/bookings/{id}/check-in", post_check_in, MANAGERS, BODY_NONE,
     &booking_scope_path},
    {HTTP_POST, "/api/checkins", post_checkin_qr, MANAGERS, BODY_JSON, SCOPE_ANY},
    {HTTP_GET, "/api/sites/{id}/bookings", list_site_bookings, SITE_STAFF, BODY_NONE,
     &site_scope_path},
};

const struct module booking_module = {
    .name = "booking",
    .routes = booking_routes,
    .nroutes = sizeof booking_routes / sizeof booking_routes[0],
    .change_kinds = booking_changes,
    .tick = booking_tick,
    .demo = booking_demo,
    .export_personal = booking_export_personal,
    .erase_personal = booking_erase_personal,
};
