/*
 * childcare_http.c - summer childcare for workers' children:
 *
 *   GET  /api/childcare/programmes ?site=              public: each with capacity, taken, waiting
 *   GET  /api/childcare/programmes/{id}                public: timetable, consent text in full
 *   POST /api/childcare/programmes {site, title_zh, age_min, age_max, first_day, last_day,
 *        timetable, lunch, capacity, consent_version, consent_zh, staff, ...}   admins of the site
 *   GET  /api/childcare/programmes/{id}/roster ?date=  staff of the programme: children, attendance
 *   POST /api/childcare/programmes/{id}/attendance {child, action: in|out, code?}
 *                                                      staff of the programme; out needs a code
 *   GET  /api/childcare/retention                      admins: the erasure job, per programme
 *   POST /api/me/children {name, birth_date, school?, grade?, allergies?, health_notes?,
 *        emergency_contacts?, pickup_people?}          a verified worker: their child
 *   GET  /api/me/children                              my children
 *   GET  /api/childcare/children/{id}                  the guardian, or staff of the child's
 * programme POST /api/childcare/enrolments {programme, children, consent}   guardian: all or
 * nothing POST /api/childcare/enrolments/{id}/accept         guardian: take the places offered POST
 * /api/childcare/enrolments/{id}/cancel         guardian GET  /api/me/childcare my enrolments and
 * my children's attendance GET  /api/me/childcare/pickup-codes                my rotating pickup
 * codes GET  /api/me/childcare/staffed                     programmes I am staff of
 *
 * Health notes and pickup people are sealed with the server key (purpose
 * "child"). Children's data is answered only to the guardian and to the
 * programme's listed staff whose staff grant reaches its site; anyone else
 * gets 403 (the authorization matrix proves it). Notices (an offer, a
 * child in or out) go through the inbox, whose stream shows them live.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account/account.h"
#include "app/app.h"
#include "booking/booking.h"
#include "childcare/childcare.h"
#include "core/clock.h"
#include "core/log.h"
#include "http/json_in.h"
#include "inbox/inbox.h"
#include "site/site.h"
#include "store/store.h"

#define ADMINS ACCESS_ADMIN

/* ---- the module's state ---------------------------------------------------------- */

struct childcare_state {
    int64_t retain_s; /* WARMHARBOR_CHILDCARE_RETAIN_DAYS after the end */
};

static int childcare_init(struct app *app, void **state)
{
    const char *env = getenv("WARMHARBOR_CHILDCARE_RETAIN_DAYS");
    long days = CHILDCARE_RETAIN_DAYS_DEFAULT;
    if (env && *env) {
        char *end;
        days = strtol(env, &end, 10);
        if (*end || days < 0 || days > 3650) {
            log_error("WARMHARBOR_CHILDCARE_RETAIN_DAYS=%s: whole days, 0 to 3650", env);
            return -1;
        }
    }
    struct childcare_state *st = calloc(1, sizeof *st);
    if (!st)
        die_oom();
    st->retain_s = (int64_t)days * 86400;
    *state = st;
    return 0;
}

static void childcare_release(struct app *app, void *state)
{
    free(state);
}

static int64_t retain_s(const struct app *app)
{
    const struct childcare_state *st = app_state(app, &childcare_module);
    return st ? st->retain_s : (int64_t)CHILDCARE_RETAIN_DAYS_DEFAULT * 86400;
}

static const unsigned char *server_key(struct app *app)
{
    return account_key(app);
}

/* ---- JSON ---------------------------------------------------------------------- */

static json_t *time_json(int64_t t, int tz)
{
    char buf[40];
    return t ? json_string(clock_format_iso(t, tz, buf, sizeof buf)) : json_null();
}

static json_t *day_json(int32_t d)
{
    char buf[16];
    snprintf(buf, sizeof buf, "%04d-%02d-%02d", d / 10000, d / 100 % 100, d % 100);
    return json_string(buf);
}

static json_t *text_json(const char *s)
{
    return json_string(s ? s : "");
}

/* A programme; full: with its timetable and consent text. */
static json_t *programme_json(const struct programme *p, int tz, bool full)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(p->id));
    json_object_set_new(o, "site", json_integer(p->site_id));
    json_object_set_new(o, "site_name_zh", text_json(p->site_name_zh));
    json_object_set_new(o, "site_name_en", text_json(p->site_name_en));
    json_object_set_new(o, "title_zh", text_json(p->title_zh));
    json_object_set_new(o, "title_en", text_json(p->title_en));
    json_object_set_new(o, "age_min", json_integer(p->age_min));
    json_object_set_new(o, "age_max", json_integer(p->age_max));
    json_object_set_new(o, "first_day", day_json(p->first_day));
    json_object_set_new(o, "last_day", day_json(p->last_day));
    json_object_set_new(o, "lunch", json_boolean(p->lunch));
    json_object_set_new(o, "capacity", json_integer(p->capacity));
    json_object_set_new(o, "taken", json_integer(p->taken));
    json_object_set_new(o, "waiting", json_integer(p->waiting));
    json_object_set_new(o, "staff", json_integer(p->staff_count));
    json_object_set_new(o, "consent_version", text_json(p->consent_version));
    json_t *tt = json_loads(p->timetable ? p->timetable : "[]", 0, NULL);
    json_object_set_new(o, "timetable", tt ? tt : json_array());
    if (full) {
        json_object_set_new(o, "description_zh", text_json(p->description_zh));
        json_object_set_new(o, "description_en", text_json(p->description_en));
        json_object_set_new(o, "consent_zh", text_json(p->consent_zh));
        json_object_set_new(o, "consent_en", text_json(p->consent_en));
        json_object_set_new(o, "offer_ttl_s", json_integer(p->offer_ttl_s));
        json_object_set_new(o, "starts_at", time_json(p->starts_at, tz));
        json_object_set_new(o, "ends_at", time_json(p->ends_at, tz));
    }
    return o;
}

/* A child's record as the guardian and the programme's staff see it: the
 * sealed fields opened. */
static json_t *child_json(struct app *app, struct arena *a, const struct child *ch)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(ch->id));
    json_object_set_new(o, "name", text_json(ch->name));
    json_object_set_new(o, "birth_date", day_json(ch->birth_date));
    json_object_set_new(o, "school", text_json(ch->school));
    json_object_set_new(o, "grade", text_json(ch->grade));
    json_object_set_new(o, "allergies", text_json(ch->allergies));
    json_t *ec = json_loads(ch->emergency_contacts ? ch->emergency_contacts : "[]", 0, NULL);
    json_object_set_new(o, "emergency_contacts", ec ? ec : json_array());
    const char *health =
        ch->health_sealed ? account_unseal(a, server_key(app), "child", ch->health_sealed) : NULL;
    json_object_set_new(o, "health_notes", text_json(health));
    const char *pickup =
        ch->pickup_sealed ? account_unseal(a, server_key(app), "child", ch->pickup_sealed) : NULL;
    json_t *pp = pickup ? json_loads(pickup, 0, NULL) : NULL;
    json_object_set_new(o, "pickup_people", pp ? pp : json_array());
    return o;
}

/* The child's authorised pickup people (opened), a JSON array (new ref). */
static json_t *pickup_people(struct app *app, struct arena *a, const struct child *ch)
{
    const char *pickup =
        ch->pickup_sealed ? account_unseal(a, server_key(app), "child", ch->pickup_sealed) : NULL;
    json_t *pp = pickup ? json_loads(pickup, 0, NULL) : NULL;
    return json_is_array(pp) ? pp : (json_decref(pp), json_array());
}

static json_t *attendance_json(const struct attendance *t, int tz)
{
    json_t *o = json_object();
    json_object_set_new(o, "child", json_integer(t->child_id));
    json_object_set_new(o, "child_name", text_json(t->child_name));
    json_object_set_new(o, "programme", json_integer(t->programme_id));
    json_object_set_new(o, "day", day_json(t->day));
    json_object_set_new(o, "in_at", time_json(t->in_at, tz));
    json_object_set_new(o, "out_at", time_json(t->out_at, tz));
    json_object_set_new(o, "picked_up_by",
                        t->picked_up_by ? json_string(t->picked_up_by) : json_null());
    return o;
}

static json_t *enrolment_json(const struct enrolment *e, const struct programme *p, int tz)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(e->id));
    json_object_set_new(o, "state", json_string(e->state));
    json_object_set_new(o, "programme",
                        p ? programme_json(p, tz, false) : json_integer(e->programme_id));
    json_t *kids = json_array();
    for (int64_t i = 0; i < e->size; i++)
        json_array_append_new(kids, json_integer(e->children[i]));
    json_object_set_new(o, "children", kids);
    json_object_set_new(o, "place", e->place ? json_integer(e->place) : json_null());
    json_object_set_new(o, "offer_until",
                        strcmp(e->state, "offered") == 0 ? time_json(e->offer_until, tz)
                                                         : json_null());
    json_object_set_new(o, "consent_version", text_json(e->consent_version));
    json_object_set_new(o, "created_at", time_json(e->created_at, tz));
    return o;
}

/* ---- scope and access ---------------------------------------------------------------- */

static int programme_or_reply(struct req *r, struct store_conn *c, struct programme *p)
{
    int64_t id;
    if (req_param_id_or_reply(r, "id", "programme", &id))
        return -1;
    int rc = programme_get(c, &r->arena, id, p);
    if (rc)
        return reply_store_error(r, rc, "programme"), -1;
    return 0;
}

/* {id} is a programme: staff must reach its site. */
static int resolve_programme(struct req *r, struct scope_target *t)
{
    struct store_conn *c = req_store_or_reply(r);
    struct programme p;
    if (!c || programme_or_reply(r, c, &p))
        return -1;
    t->site_id = p.site_id;
    return 0;
}

const struct route_scope programme_scope_path = {"programme", resolve_programme};

/* Children's data: only the programme's listed staff (whose staff grant
 * reaches its site, which the route's resolver checked) may act. */
static int programme_staff_or_reply(struct req *r, struct store_conn *c, const struct programme *p)
{
    const struct principal *who = req_principal(r);
    if (!programme_is_staff(c, &r->arena, p->id, who->user_id))
        return reply_error(r, 403, "forbidden", NULL,
                           "only the programme's staff see its children"),
               -1;
    return 0;
}

/* ---- programmes -------------------------------------------------------------------- */

static int get_programmes(struct req *r)
{
    int64_t site = 0;
    const char *q = req_query(r, "site");
    if (q && (site = strtoll(q, NULL, 10)) <= 0)
        return reply_error(r, 422, "invalid_field", "site", "site is a site id");
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    struct programme *ps;
    size_t n;
    int64_t total;
    int rc = programme_list(c, &r->arena, site, 500, 0, &ps, &n, &total);
    if (rc)
        return reply_store_error(r, rc, "programme");
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, programme_json(&ps[i], r->app->cfg.tz_offset_min, false));
    return reply_json(r, 200, json_pack("{s:o, s:I}", "items", items, "total", (json_int_t)total));
}

static int get_programme(struct req *r)
{
    struct store_conn *c = req_store_or_reply(r);
    struct programme p;
    if (!c || programme_or_reply(r, c, &p))
        return r->status;
    return reply_json(r, 200, programme_json(&p, r->app->cfg.tz_offset_min, true));
}

static int day_field_or_reply(struct req *r, json_t *j, const char *name, int32_t *out)
{
    const char *s;
    int got = json_in_string(r, j, NULL, name, 16, true, &s);
    if (got < 0)
        return -1;
    if (clock_parse_date(s, out))
        return reply_error(r, 422, "invalid_field", name, "%s is a date such as 2027-07-12", name),
               -1;
    return 0;
}

/* The timetable of the body (childcare_timetable_check), or 422. */
static int timetable_or_reply(struct req *r, json_t *v, const char **out)
{
    const char *field = NULL;
    if (childcare_timetable_check(&r->arena, v, out, &field))
        return reply_error(r, 422, "invalid_field", field,
                           "the timetable is 1 to %d activities {start, end, kind, title_zh, "
                           "title_en?}: HH:MM to a later HH:MM, after the one before, of a kind: "
                           "supervision, homework, heritage, lunch, rest, sport, other",
                           CHILDCARE_TIMETABLE_MAX),
               -1;
    return 0;
}

struct programme_write {
    struct programme *p;
    int64_t *staff;
    size_t nstaff;
};

static int programme_tx(struct store_conn *c, void *v)
{
    struct programme_write *w = v;
    struct arena a;
    arena_init(&a);
    int rc = programme_insert(c, &a, w->p);
    for (size_t i = 0; !rc && i < w->nstaff; i++)
        rc = programme_staff_add(c, w->p->id, w->staff[i]);
    arena_release(&a);
    return rc;
}

static const char *const programme_fields[] = {
    "site",        "title_zh",        "title_en",   "description_zh", "description_en", "age_min",
    "age_max",     "first_day",       "last_day",   "timetable",      "lunch",          "capacity",
    "offer_ttl_s", "consent_version", "consent_zh", "consent_en",     "staff",          NULL};

static int post_programme(struct req *r)
{
    json_t *j = r->json;
    struct programme p = {0};
    int64_t site;
    if (json_in_object_or_reply(r, j, NULL) ||
        json_in_only_or_reply(r, j, NULL, programme_fields) ||
        json_in_int(r, j, NULL, "site", 1, INT64_MAX, true, &site) < 0)
        return r->status;
    if (!req_reaches_site(r, ADMINS, site))
        return reply_error(r, 403, "out_of_scope", "site", "your roles do not reach site %lld",
                           (long long)site);
    p.site_id = site;
    p.lunch = false;
    p.offer_ttl_s = CHILDCARE_OFFER_TTL_DEFAULT;
    if (json_in_string(r, j, NULL, "title_zh", CHILDCARE_SHORT_MAX, true, &p.title_zh) < 0 ||
        json_in_string(r, j, NULL, "title_en", CHILDCARE_SHORT_MAX, false, &p.title_en) < 0 ||
        json_in_string(r, j, NULL, "description_zh", CHILDCARE_TEXT_MAX, false, &p.description_zh) <
            0 ||
        json_in_string(r, j, NULL, "description_en", CHILDCARE_TEXT_MAX, false, &p.description_en) <
            0 ||
        json_in_int(r, j, NULL, "age_min", 0, 17, true, &p.age_min) < 0 ||
        json_in_int(r, j, NULL, "age_max", 0, 17, true, &p.age_max) < 0 ||
        day_field_or_reply(r, j, "first_day", &p.first_day) ||
        day_field_or_reply(r, j, "last_day", &p.last_day) ||
        json_in_bool(r, j, NULL, "lunch", false, &p.lunch) < 0 ||
        json_in_int(r, j, NULL, "capacity", 1, CHILDCARE_CAPACITY_MAX, true, &p.capacity) < 0 ||
        json_in_int(r, j, NULL, "offer_ttl_s", 60, 7 * 86400, false, &p.offer_ttl_s) < 0 ||
        json_in_string(r, j, NULL, "consent_version", 32, true, &p.consent_version) < 0 ||
        json_in_string(r, j, NULL, "consent_zh", CHILDCARE_TEXT_MAX, true, &p.consent_zh) < 0 ||
        json_in_string(r, j, NULL, "consent_en", CHILDCARE_TEXT_MAX, false, &p.consent_en) < 0)
        return r->status;
    if (p.age_max < p.age_min)
        return reply_error(r, 422, "invalid_field", "age_max", "age_max is at least age_min");
    if (p.last_day < p.first_day)
        return reply_error(r, 422, "invalid_field", "last_day", "last_day is not before first_day");
    if (booking_day_add(p.first_day, 92) < p.last_day)
        return reply_error(r, 422, "invalid_field", "last_day",
                           "a programme lasts 93 days at most");
    if (!childcare_version_is_valid(p.consent_version))
        return reply_error(r, 422, "invalid_field", "consent_version",
                           "a version is 1 to 32 letters, digits, '.', '_' or '-'");
    if (!*p.title_zh || !*p.consent_zh)
        return reply_error(r, 422, "invalid_field", *p.title_zh ? "consent_zh" : "title_zh",
                           "must not be empty");
    if (timetable_or_reply(r, json_object_get(j, "timetable"), &p.timetable))
        return r->status;
    json_t *staff = json_object_get(j, "staff");
    struct programme_write w = {&p, NULL, 0};
    if (staff) {
        if (!json_is_array(staff) || json_array_size(staff) > 20)
            return reply_error(r, 422, "invalid_field", "staff",
                               "staff is a list of at most 20 person ids");
        w.staff = arena_calloc(&r->arena, json_array_size(staff) + 1, sizeof(int64_t));
        for (size_t i = 0; i < json_array_size(staff); i++) {
            json_t *x = json_array_get(staff, i);
            if (!json_is_integer(x) || json_integer_value(x) < 1)
                return reply_error(r, 422, "invalid_field",
                                   arena_printf(&r->arena, "staff[%zu]", i), "a person's id");
            w.staff[w.nstaff++] = json_integer_value(x);
        }
    }
    int tz = r->app->cfg.tz_offset_min;
    p.starts_at = booking_day_start(p.first_day, tz);
    p.ends_at = booking_day_start(booking_day_add(p.last_day, 1), tz);
    p.created_at = clock_now();
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    struct site s;
    int rc = site_get(c, &r->arena, site, &s);
    if (rc == STORE_NOT_FOUND)
        return reply_error(r, 422, "unknown_site", "site", "there is no site %lld",
                           (long long)site);
    if (rc)
        return reply_store_error(r, rc, "site");
    rc = req_tx(r, c, programme_tx, &w);
    if (rc == STORE_CONFLICT)
        return reply_error(r, 422, "unknown_person", "staff", "a staff id names no person");
    if (rc)
        return reply_store_error(r, rc, "programme");
    app_changed(r->app, c, &childcare_module, CHILDCARE_PROGRAMME, p.id);
    struct programme made;
    rc = programme_get(c, &r->arena, p.id, &made);
    if (rc)
        return reply_store_error(r, rc, "programme");
    return reply_json(r, 201, programme_json(&made, tz, true));
}

/* ---- children ------------------------------------------------------------------------ */

/* A list of people in the body's field (childcare_people_check), or 422. */
static int people_or_reply(struct req *r, const char *name, const char **out)
{
    const char *field = NULL;
    if (childcare_people_check(&r->arena, json_object_get(r->json, name), name, out, &field))
        return reply_error(r, 422, "invalid_field", field,
                           "%s is at most %d people {name, phone, relation?}, each with a name "
                           "and a mainland mobile number",
                           name, CHILDCARE_PEOPLE_MAX),
               -1;
    return 0;
}

struct child_write {
    struct child *ch;
};

static int child_tx(struct store_conn *c, void *v)
{
    struct child_write *w = v;
    struct arena a;
    arena_init(&a);
    int rc = child_insert(c, &a, w->ch);
    arena_release(&a);
    return rc;
}

static const char *const child_fields[] = {
    "name",         "birth_date",         "school",        "grade", "allergies",
    "health_notes", "emergency_contacts", "pickup_people", NULL};

static int post_my_child(struct req *r)
{
    json_t *j = r->json;
    struct child ch = {0};
    const char *health = NULL, *pickup = NULL;
    const struct principal *who = req_principal(r);
    if (json_in_object_or_reply(r, j, NULL) || json_in_only_or_reply(r, j, NULL, child_fields) ||
        json_in_string(r, j, NULL, "name", CHILDCARE_NAME_MAX, true, &ch.name) < 0 ||
        day_field_or_reply(r, j, "birth_date", &ch.birth_date) ||
        json_in_string(r, j, NULL, "school", CHILDCARE_SHORT_MAX, false, &ch.school) < 0 ||
        json_in_string(r, j, NULL, "grade", 50, false, &ch.grade) < 0 ||
        json_in_string(r, j, NULL, "allergies", CHILDCARE_SHORT_MAX * 5, false, &ch.allergies) <
            0 ||
        json_in_string(r, j, NULL, "health_notes", CHILDCARE_TEXT_MAX, false, &health) < 0 ||
        people_or_reply(r, "emergency_contacts", &ch.emergency_contacts) ||
        people_or_reply(r, "pickup_people", &pickup))
        return r->status;
    if (!*ch.name)
        return reply_error(r, 422, "invalid_field", "name", "a child has a name");
    int tz = r->app->cfg.tz_offset_min;
    int64_t now = clock_now();
    int32_t today = booking_local_day(now, tz);
    int age = childcare_age_on(ch.birth_date, today);
    if (ch.birth_date > today || age > 17)
        return reply_error(r, 422, "invalid_field", "birth_date",
                           "a child is born by today and under 18");
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    struct user u;
    int rc = user_get(c, &r->arena, who->user_id, &u);
    if (rc)
        return reply_store_error(r, rc, "person");
    if (!u.verification || strcmp(u.verification, "verified") != 0)
        return reply_error(r, 403, "verification_required", NULL,
                           "childcare is for verified workers: show your ID at a station once");
    if (child_count_guardian(c, &r->arena, who->user_id) >= CHILDCARE_CHILDREN_MAX)
        return reply_error(r, 422, "too_many_children", NULL, "at most %d children",
                           CHILDCARE_CHILDREN_MAX);
    ch.guardian_id = who->user_id;
    ch.created_at = now;
    if (health && *health)
        ch.health_sealed = account_seal(&r->arena, server_key(r->app), "child", health);
    if (pickup && strcmp(pickup, "[]") != 0)
        ch.pickup_sealed = account_seal(&r->arena, server_key(r->app), "child", pickup);
    struct child_write w = {&ch};
    rc = req_tx(r, c, child_tx, &w);
    if (rc)
        return reply_store_error(r, rc, "child");
    return reply_json(r, 201, child_json(r->app, &r->arena, &ch));
}

static int get_my_children(struct req *r)
{
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    struct child *cs;
    size_t n;
    int rc = child_list_guardian(c, &r->arena, req_principal(r)->user_id, &cs, &n);
    if (rc)
        return reply_store_error(r, rc, "child");
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, child_json(r->app, &r->arena, &cs[i]));
    return reply_json(r, 200, json_pack("{s:o}", "items", items));
}

/* The guardian, or staff listed on a programme the child is in whose
 * staff grant reaches that programme's site; anyone else 403. */
static int get_child(struct req *r)
{
    int64_t id;
    if (req_param_id_or_reply(r, "id", "child", &id))
        return r->status;
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    const struct principal *who = req_principal(r);
    struct child ch;
    int rc = child_get(c, &r->arena, id, &ch);
    if (rc && rc != STORE_NOT_FOUND)
        return reply_store_error(r, rc, "child");
    bool ok = !rc && ch.guardian_id == who->user_id;
    if (!rc && !ok) {
        int64_t *sites;
        size_t n;
        if ((rc = child_staffed_sites(c, &r->arena, id, who->user_id, &sites, &n)))
            return reply_store_error(r, rc, "child");
        for (size_t i = 0; i < n && !ok; i++)
            ok = req_reaches_site(r, ROLE_STAFF, sites[i]);
    }
    /* No child and someone else's child answer alike. */
    if (!ok)
        return reply_error(r, 403, "forbidden", NULL,
                           "a child's record is for the guardian and the programme's staff");
    return reply_json(r, 200, child_json(r->app, &r->arena, &ch));
}

/* ---- notices --------------------------------------------------------------------------- */

struct notified {
    int64_t users[64];
    size_t n;
};

static void notified_add(struct notified *nt, int64_t user)
{
    for (size_t i = 0; i < nt->n; i++)
        if (nt->users[i] == user)
            return;
    if (nt->n < sizeof nt->users / sizeof nt->users[0])
        nt->users[nt->n++] = user;
}

static void notified_announce(struct app *app, struct store_conn *c, const struct notified *nt)
{
    for (size_t i = 0; i < nt->n; i++)
        app_changed(app, c, &inbox_module, INBOX_NEW, nt->users[i]);
}

/* Tell each family offered places (inside the transaction that offered). */
static int notify_offers(struct store_conn *c, struct arena *a, int tz, const int64_t *ids,
                         size_t n, struct notified *nt)
{
    for (size_t i = 0; i < n; i++) {
        struct enrolment e;
        struct programme p;
        int rc = enrolment_get(c, a, ids[i], &e);
        if (!rc)
            rc = programme_get(c, a, e.programme_id, &p);
        if (rc)
            return rc;
        char until[40];
        clock_format_iso(e.offer_until, tz, until, sizeof until);
        rc = inbox_post(
            c, e.guardian_id, "childcare_offer", "托管有名额了：请确认", "Childcare places for you",
            arena_printf(a, "“%s”为您的%lld个孩子保留了名额，请在%.16s前确认。", p.title_zh,
                         (long long)e.size, until),
            arena_printf(a, "%s has places for your %lld children: accept before %.16s.",
                         *p.title_en ? p.title_en : p.title_zh, (long long)e.size, until),
            arena_printf(a, "/#/childcare/enrolments/%lld", (long long)e.id), e.offer_until);
        if (rc)
            return rc;
        notified_add(nt, e.guardian_id);
    }
    return STORE_OK;
}

/* ---- enrolments -------------------------------------------------------------------------- */

/* Answer with the enrolment as it is stored now. */
static int reply_enrolment(struct req *r, struct store_conn *c, int64_t id, int status)
{
    struct enrolment e;
    int rc = enrolment_get(c, &r->arena, id, &e);
    if (rc)
        return reply_store_error(r, rc, "enrolment");
    return reply_json(r, status, enrolment_json(&e, NULL, r->app->cfg.tz_offset_min));
}

struct enrol_write {
    struct arena *arena;
    struct enrolment *e;
    int64_t now;
};

static int enrol_tx(struct store_conn *c, void *v)
{
    struct enrol_write *w = v;
    int rc =
        consent_record(c, w->e->guardian_id, w->e->programme_id, w->e->consent_version, w->now);
    return rc ? rc : enrolment_create(c, w->arena, w->e, w->now);
}

static const char *const enrol_fields[] = {"programme", "children", "consent", NULL};

static int post_enrolment(struct req *r)
{
    json_t *j = r->json;
    int64_t pid;
    const char *consent;
    if (json_in_object_or_reply(r, j, NULL) || json_in_only_or_reply(r, j, NULL, enrol_fields) ||
        json_in_int(r, j, NULL, "programme", 1, INT64_MAX, true, &pid) < 0)
        return r->status;
    json_t *kids = json_object_get(j, "children");
    if (!json_is_array(kids) || json_array_size(kids) < 1)
        return reply_error(r, 422, "invalid_field", "children",
                           "children is a list of your children's ids");
    if (json_in_string(r, j, NULL, "consent", 32, true, &consent) < 0)
        return r->status;
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    struct programme p;
    int rc = programme_get(c, &r->arena, pid, &p);
    if (rc == STORE_NOT_FOUND)
        return reply_error(r, 422, "unknown_programme", "programme", "there is no programme %lld",
                           (long long)pid);
    if (rc)
        return reply_store_error(r, rc, "programme");
    int64_t now = clock_now();
    if (p.erased_at || p.ends_at <= now)
        return reply_error(r, 409, "programme_closed", "programme", "this programme has ended");
    size_t n = json_array_size(kids);
    if ((int64_t)n > p.capacity || n > CHILDCARE_GROUP_MAX)
        return reply_error(r, 422, "group_too_large", "children",
                           "the programme has %lld places in all: a family of %zu cannot enrol",
                           (long long)p.capacity, n);
    const struct principal *who = req_principal(r);
    struct enrolment e = {0};
    e.children = arena_calloc(&r->arena, n, sizeof(int64_t));
    for (size_t i = 0; i < n; i++) {
        json_t *x = json_array_get(kids, i);
        const char *field = arena_printf(&r->arena, "children[%zu]", i);
        if (!json_is_integer(x) || json_integer_value(x) < 1)
            return reply_error(r, 422, "invalid_field", field, "a child's id");
        int64_t id = json_integer_value(x);
        for (size_t k = 0; k < i; k++)
            if (e.children[k] == id)
                return reply_error(r, 422, "invalid_field", field, "child %lld is named twice",
                                   (long long)id);
        struct child ch;
        rc = child_get(c, &r->arena, id, &ch);
        if (rc && rc != STORE_NOT_FOUND)
            return reply_store_error(r, rc, "child");
        if (rc || ch.guardian_id != who->user_id)
            return reply_error(r, 422, "unknown_child", field, "you have no child %lld",
                               (long long)id);
        int age = childcare_age_on(ch.birth_date, p.first_day);
        if (age < p.age_min || age > p.age_max)
            return reply_error(r, 422, "age_out_of_range", field,
                               "%s is %d when the programme starts; it takes ages %lld to %lld",
                               ch.name, age, (long long)p.age_min, (long long)p.age_max);
        e.children[i] = id;
    }
    if (strcmp(consent, p.consent_version) != 0)
        return reply_error(r, 422, "consent_required", "consent",
                           "read and accept the consent text in force (version %s)",
                           p.consent_version);
    e.programme_id = p.id;
    e.guardian_id = who->user_id;
    e.size = (int64_t)n;
    e.consent_version = p.consent_version;
    struct enrol_write w = {&r->arena, &e, now};
    rc = req_tx(r, c, enrol_tx, &w);
    if (rc == CHILDCARE_ALREADY)
        return reply_error(r, 409, "already_enrolled", "children",
                           "a child of this family is enrolled or waiting already");
    if (rc)
        return reply_store_error(r, rc, "enrolment");
    app_changed(r->app, c, &childcare_module, CHILDCARE_PROGRAMME, p.id);
    return reply_enrolment(r, c, e.id, 201);
}

/* The guardian's enrolment of the path; someone else's is 404. */
static int my_enrolment_or_reply(struct req *r, struct store_conn *c, struct enrolment *e)
{
    int64_t id;
    if (req_param_id_or_reply(r, "id", "enrolment", &id))
        return -1;
    int rc = enrolment_get(c, &r->arena, id, e);
    if (!rc && e->guardian_id != req_principal(r)->user_id)
        rc = STORE_NOT_FOUND;
    if (rc)
        return reply_store_error(r, rc, "enrolment"), -1;
    return 0;
}

static int accept_tx(struct store_conn *c, void *v)
{
    struct enrol_write *w = v;
    return enrolment_accept(c, w->e->id, w->now);
}

static int post_accept(struct req *r)
{
    struct store_conn *c = req_store_or_reply(r);
    struct enrolment e;
    if (!c || my_enrolment_or_reply(r, c, &e))
        return r->status;
    if (strcmp(e.state, "offered") != 0)
        return reply_error(r, 409, "not_offered", NULL, "this enrolment has no offer to accept");
    struct enrol_write w = {&r->arena, &e, clock_now()};
    int rc = req_tx(r, c, accept_tx, &w);
    if (rc == STORE_CONFLICT)
        return reply_error(r, 409, "offer_expired", NULL, "the offer has expired");
    if (rc)
        return reply_store_error(r, rc, "enrolment");
    app_changed(r->app, c, &childcare_module, CHILDCARE_ENROLMENT, e.id);
    return reply_enrolment(r, c, e.id, 200);
}

struct cancel_write {
    struct arena *arena;
    const struct enrolment *e;
    const char *from; /* NULL: its state */
    int64_t now;
    int tz;
    int64_t *offered;
    size_t noffered;
    struct notified nt;
};

static int cancel_tx(struct store_conn *c, void *v)
{
    struct cancel_write *w = v;
    w->offered = NULL;
    w->noffered = 0;
    w->nt.n = 0;
    int rc = enrolment_cancel(c, w->arena, w->e, w->from, w->now, &w->offered, &w->noffered);
    return rc ? rc : notify_offers(c, w->arena, w->tz, w->offered, w->noffered, &w->nt);
}

static int post_cancel(struct req *r)
{
    struct store_conn *c = req_store_or_reply(r);
    struct enrolment e;
    if (!c || my_enrolment_or_reply(r, c, &e))
        return r->status;
    if (strcmp(e.state, "cancelled") == 0)
        return reply_error(r, 409, "already_cancelled", NULL, "this enrolment is cancelled");
    struct cancel_write w = {&r->arena, &e, NULL,    clock_now(), r->app->cfg.tz_offset_min,
                             NULL,      0,  {{0}, 0}};
    int rc = req_tx(r, c, cancel_tx, &w);
    if (rc == STORE_CONFLICT)
        return reply_error(r, 409, "state_changed", NULL, "the enrolment changed meanwhile");
    if (rc)
        return reply_store_error(r, rc, "enrolment");
    notified_announce(r->app, c, &w.nt);
    app_changed(r->app, c, &childcare_module, CHILDCARE_PROGRAMME, e.programme_id);
    return reply_enrolment(r, c, e.id, 200);
}

static int get_my_childcare(struct req *r)
{
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    int tz = r->app->cfg.tz_offset_min;
    int64_t me = req_principal(r)->user_id;
    struct enrolment *es;
    struct attendance *ts;
    size_t n, nt;
    int rc = enrolment_list_guardian(c, &r->arena, me, &es, &n);
    if (!rc)
        rc = attendance_list_guardian(c, &r->arena, me, 100, &ts, &nt);
    if (rc)
        return reply_store_error(r, rc, "enrolment");
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++) {
        struct programme p;
        rc = programme_get(c, &r->arena, es[i].programme_id, &p);
        if (rc)
            return json_decref(items), reply_store_error(r, rc, "programme");
        json_array_append_new(items, enrolment_json(&es[i], &p, tz));
    }
    json_t *att = json_array();
    for (size_t i = 0; i < nt; i++)
        json_array_append_new(att, attendance_json(&ts[i], tz));
    return reply_json(r, 200, json_pack("{s:o, s:o}", "enrolments", items, "attendance", att));
}

static int get_my_codes(struct req *r)
{
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    int64_t me = req_principal(r)->user_id, now = clock_now();
    struct child *cs;
    size_t n;
    int rc = child_list_guardian(c, &r->arena, me, &cs, &n);
    if (rc)
        return reply_store_error(r, rc, "child");
    const unsigned char *key = server_key(r->app);
    char code[CHILDCARE_CODE_DIGITS + 1];
    childcare_pickup_code(key, me, 0, 0, now, code);
    json_t *kids = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *pp = pickup_people(r->app, &r->arena, &cs[i]);
        json_t *people = json_array();
        for (size_t k = 0; k < json_array_size(pp); k++) {
            json_t *person = json_array_get(pp, k);
            char pc[CHILDCARE_CODE_DIGITS + 1];
            childcare_pickup_code(key, me, cs[i].id, (int)k + 1, now, pc);
            json_array_append_new(
                people, json_pack("{s:O, s:O, s:s}", "name", json_object_get(person, "name"),
                                  "relation", json_object_get(person, "relation"), "code", pc));
        }
        json_decref(pp);
        json_array_append_new(kids, json_pack("{s:I, s:s, s:o}", "id", (json_int_t)cs[i].id, "name",
                                              cs[i].name, "pickup_people", people));
    }
    return reply_json(r, 200,
                      json_pack("{s:s, s:I, s:I, s:o}", "code", code, "expires_in",
                                (json_int_t)childcare_code_left(now), "step_s",
                                (json_int_t)CHILDCARE_CODE_STEP_S, "children", kids));
}

/* ---- staff: roster and attendance ----------------------------------------------------------- */

static int get_staffed(struct req *r)
{
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    struct programme *ps;
    size_t n;
    int rc = programme_list_staffed(c, &r->arena, req_principal(r)->user_id, &ps, &n);
    if (rc)
        return reply_store_error(r, rc, "programme");
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        if (req_reaches_site(r, ROLE_STAFF, ps[i].site_id))
            json_array_append_new(items, programme_json(&ps[i], r->app->cfg.tz_offset_min, false));
    return reply_json(r, 200, json_pack("{s:o}", "items", items));
}

static int get_roster(struct req *r)
{
    struct store_conn *c = req_store_or_reply(r);
    struct programme p;
    if (!c || programme_or_reply(r, c, &p) || programme_staff_or_reply(r, c, &p))
        return r->status;
    int tz = r->app->cfg.tz_offset_min;
    int32_t day = booking_local_day(clock_now(), tz);
    const char *q = req_query(r, "date");
    if (q && clock_parse_date(q, &day))
        return reply_error(r, 422, "invalid_field", "date", "date is a day such as 2027-07-12");
    struct enrolment *es;
    struct attendance *ts;
    size_t n, nt;
    int rc = enrolment_list_programme(c, &r->arena, p.id, &es, &n);
    if (!rc)
        rc = attendance_list_day(c, &r->arena, p.id, day, &ts, &nt);
    if (rc)
        return reply_store_error(r, rc, "programme");
    json_t *kids = json_array();
    for (size_t i = 0; i < n; i++) {
        if (strcmp(es[i].state, "enrolled") != 0)
            continue;
        for (int64_t k = 0; k < es[i].size; k++) {
            struct child ch;
            rc = child_get(c, &r->arena, es[i].children[k], &ch);
            if (rc)
                return json_decref(kids), reply_store_error(r, rc, "child");
            json_t *o = child_json(r->app, &r->arena, &ch);
            json_object_set_new(o, "enrolment", json_integer(es[i].id));
            json_t *att = json_null();
            for (size_t t = 0; t < nt; t++)
                if (ts[t].child_id == ch.id)
                    att = attendance_json(&ts[t], tz);
            json_object_set_new(o, "attendance", att);
            json_array_append_new(kids, o);
        }
    }
    return reply_json(r, 200,
                      json_pack("{s:o, s:o, s:o}", "programme", programme_json(&p, tz, false),
                                "day", day_json(day), "children", kids));
}

struct attend_write {
    int64_t programme_id, child_id, by, now;
    int32_t day;
    bool out;
    const char *who; /* out: who collected the child */
    int64_t guardian;
    const char *title_zh, *title_en, *body_zh, *body_en;
};

static int attend_tx(struct store_conn *c, void *v)
{
    struct attend_write *w = v;
    int rc = w->out ? attendance_check_out(c, w->programme_id, w->child_id, w->day, w->by, w->who,
                                           w->now)
                    : attendance_check_in(c, w->programme_id, w->child_id, w->day, w->by, w->now);
    if (rc)
        return rc;
    return inbox_post(c, w->guardian, w->out ? "childcare_checked_out" : "childcare_checked_in",
                      w->title_zh, w->title_en, w->body_zh, w->body_en, "/#/childcare", 0);
}

struct refusal {
    int64_t actor;
    const char *target, *address, *detail;
    int64_t now;
};

static int refusal_tx(struct store_conn *c, void *v)
{
    struct refusal *f = v;
    return audit_add(c, f->actor, "childcare_pickup_refused", "child", f->target, f->address,
                     f->detail, f->now);
}

static const char *const attend_fields[] = {"child", "action", "code", NULL};

static int post_attendance(struct req *r)
{
    json_t *j = r->json;
    int64_t child_id;
    const char *action, *code = NULL;
    if (json_in_object_or_reply(r, j, NULL) || json_in_only_or_reply(r, j, NULL, attend_fields) ||
        json_in_int(r, j, NULL, "child", 1, INT64_MAX, true, &child_id) < 0 ||
        json_in_string(r, j, NULL, "action", 8, true, &action) < 0 ||
        json_in_string(r, j, NULL, "code", 16, false, &code) < 0)
        return r->status;
    bool out = strcmp(action, "out") == 0;
    if (!out && strcmp(action, "in") != 0)
        return reply_error(r, 422, "invalid_field", "action", "action is in or out");
    if (out && !code)
        return reply_error(r, 422, "code_required", "code",
                           "a child leaves only with the guardian's or an authorised person's "
                           "pickup code");
    struct store_conn *c = req_store_or_reply(r);
    struct programme p;
    if (!c || programme_or_reply(r, c, &p) || programme_staff_or_reply(r, c, &p))
        return r->status;
    int tz = r->app->cfg.tz_offset_min;
    int64_t now = clock_now();
    int32_t day = booking_local_day(now, tz);
    if (day < p.first_day || day > p.last_day || p.erased_at)
        return reply_error(r, 409, "not_in_session", NULL, "the programme does not run today");
    struct child ch;
    int rc = child_get(c, &r->arena, child_id, &ch);
    if (rc && rc != STORE_NOT_FOUND)
        return reply_store_error(r, rc, "child");
    if (rc || !child_enrolled_in(c, &r->arena, p.id, child_id))
        return reply_error(r, 422, "unknown_child", "child", "no child %lld is enrolled here",
                           (long long)child_id);
    const struct principal *me = req_principal(r);
    struct attend_write w = {p.id, child_id,       me->user_id, now,  day,  out,
                             NULL, ch.guardian_id, NULL,        NULL, NULL, NULL};
    char hhmm[40];
    clock_format_iso(now, tz, hhmm, sizeof hhmm);
    if (out) {
        int64_t retry = 0;
        rc = limit_take(c, &r->arena,
                        arena_printf(&r->arena, "childcare_out:%lld", (long long)child_id),
                        CHILDCARE_CHECKOUT_TRIES, 600, now, &retry);
        if (rc == STORE_CONFLICT) {
            reply_header(r, "Retry-After", arena_printf(&r->arena, "%lld", (long long)retry));
            return reply_error(r, 429, "rate_limited", "code",
                               "too many check-outs were tried for this child; wait %lld s",
                               (long long)retry);
        }
        if (rc)
            return reply_store_error(r, rc, "child");
        json_t *pp = pickup_people(r->app, &r->arena, &ch);
        int match = childcare_pickup_match(server_key(r->app), ch.guardian_id, ch.id,
                                           (int)json_array_size(pp), code, now);
        if (match > 0)
            w.who = arena_strdup(&r->arena, json_string_value(json_object_get(
                                                json_array_get(pp, (size_t)match - 1), "name")));
        json_decref(pp);
        if (match < 0) {
            struct refusal f = {
                me->user_id, arena_printf(&r->arena, "%lld", (long long)child_id),
                req_client_address(r),
                arena_printf(&r->arena, "programme %lld: wrong or expired code", (long long)p.id),
                now};
            rc = req_tx(r, c, refusal_tx, &f);
            if (rc)
                return reply_store_error(r, rc, "audit");
            return reply_error(r, 403, "pickup_code_invalid", "code",
                               "the pickup code is wrong or has expired: ask for the current one");
        }
        if (match == 0)
            w.who = "guardian";
        w.title_zh = "孩子已接走";
        w.title_en = "Your child was collected";
        w.body_zh = arena_printf(&r->arena, "%s 于 %.5s 由%s接走（%s）。", ch.name, hhmm + 11,
                                 match == 0 ? "您本人" : w.who, p.title_zh);
        w.body_en =
            arena_printf(&r->arena, "%s left at %.5s, collected by %s (%s).", ch.name, hhmm + 11,
                         match == 0 ? "you" : w.who, *p.title_en ? p.title_en : p.title_zh);
    } else {
        w.title_zh = "孩子已签到";
        w.title_en = "Your child has arrived";
        w.body_zh = arena_printf(&r->arena, "%s 于 %.5s 到达%s。", ch.name, hhmm + 11, p.title_zh);
        w.body_en = arena_printf(&r->arena, "%s arrived at %.5s at %s.", ch.name, hhmm + 11,
                                 *p.title_en ? p.title_en : p.title_zh);
    }
    rc = req_tx(r, c, attend_tx, &w);
    if (rc == STORE_CONFLICT)
        return out ? reply_error(r, 409, "not_checked_in", "child",
                                 "the child is not here today (not in, or gone already)")
                   : reply_error(r, 409, "already_checked_in", "child",
                                 "the child was checked in today already");
    if (rc)
        return reply_store_error(r, rc, "attendance");
    app_changed(r->app, c, &inbox_module, INBOX_NEW, ch.guardian_id);
    app_changed(r->app, c, &childcare_module, CHILDCARE_ATTENDANCE, p.id);
    struct attendance *ts;
    size_t nt;
    rc = attendance_list_day(c, &r->arena, p.id, day, &ts, &nt);
    if (rc)
        return reply_store_error(r, rc, "attendance");
    for (size_t i = 0; i < nt; i++)
        if (ts[i].child_id == child_id)
            return reply_json(r, out ? 200 : 201, attendance_json(&ts[i], tz));
    return reply_store_error(r, STORE_NOT_FOUND, "attendance");
}

/* ---- the retention job -------------------------------------------------------------------- */

static int get_retention(struct req *r)
{
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    struct programme *ps;
    size_t n;
    int64_t total;
    int rc = programme_list(c, &r->arena, 0, 1000, 0, &ps, &n, &total);
    if (rc)
        return reply_store_error(r, rc, "programme");
    int tz = r->app->cfg.tz_offset_min;
    int64_t keep = retain_s(r->app);
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++) {
        if (!req_reaches_site(r, ADMINS, ps[i].site_id))
            continue;
        json_t *o = json_object();
        json_object_set_new(o, "programme", json_integer(ps[i].id));
        json_object_set_new(o, "title_zh", text_json(ps[i].title_zh));
        json_object_set_new(o, "title_en", text_json(ps[i].title_en));
        json_object_set_new(o, "ends_at", time_json(ps[i].ends_at, tz));
        json_object_set_new(o, "erase_at", time_json(ps[i].ends_at + keep, tz));
        json_object_set_new(o, "erased_at", time_json(ps[i].erased_at, tz));
        json_object_set_new(o, "erased_children", json_integer(ps[i].erased_children));
        json_array_append_new(items, o);
    }
    return reply_json(r, 200,
                      json_pack("{s:s, s:I, s:o}", "job", "childcare_erase_children", "retain_days",
                                (json_int_t)(keep / 86400), "items", items));
}

/* ---- timed work ------------------------------------------------------------------------------ */

struct erase_work {
    int64_t id, now, erased;
};

static int erase_tx(struct store_conn *c, void *v)
{
    struct erase_work *w = v;
    return programme_erase(c, w->id, w->now, &w->erased);
}

/* Offers that expired give their places on; programmes past their
 * retention lose their children's data. Each change is decided by one
 * statement, so every node may run this at once. */
static void childcare_tick(struct app *app, struct store_conn *c, int64_t now)
{
    struct arena a;
    arena_init(&a);
    int tz = app->cfg.tz_offset_min;
    struct enrolment *es;
    size_t n;
    int rc = enrolment_list_expired(c, &a, now, 100, &es, &n);
    for (size_t i = 0; !rc && i < n; i++) {
        struct cancel_write w = {&a, &es[i], "offered", now, tz, NULL, 0, {{0}, 0}};
        int trc = store_tx(c, cancel_tx, &w);
        if (trc == STORE_OK) {
            notified_announce(app, c, &w.nt);
            app_changed(app, c, &childcare_module, CHILDCARE_PROGRAMME, es[i].programme_id);
        } else if (trc != STORE_CONFLICT) {
            log_warn("childcare: expiring offer %lld failed (store result %d)", (long long)es[i].id,
                     trc);
        }
    }
    int64_t *ids;
    if (!rc)
        rc = programme_list_due_erase(c, &a, now - retain_s(app), 50, &ids, &n);
    for (size_t i = 0; !rc && i < n; i++) {
        struct erase_work w = {ids[i], now, 0};
        int trc = store_tx(c, erase_tx, &w);
        if (trc == STORE_OK) {
            log_info("childcare: programme %lld ended: %lld children's data erased",
                     (long long)ids[i], (long long)w.erased);
            app_changed(app, c, &childcare_module, CHILDCARE_PROGRAMME, ids[i]);
        } else if (trc != STORE_CONFLICT) {
            log_warn("childcare: erasing programme %lld failed (store result %d)",
                     (long long)ids[i], trc);
        }
    }
    if (rc)
        log_warn("childcare: timed work failed (store result %d)", rc);
    arena_release(&a);
}

/* ---- personal data -----------------------------------------------------------------------------
 */

static int childcare_export_personal(struct app *app, struct store_conn *c, struct arena *a,
                                     int64_t user_id, json_t **out)
{
    struct child *cs;
    struct enrolment *es;
    size_t n, ne;
    int rc = childcare_export_rows(c, a, user_id, &cs, &n, &es, &ne);
    if (rc || (!n && !ne))
        return rc;
    struct attendance *ts;
    size_t nt;
    if ((rc = attendance_list_guardian(c, a, user_id, 10000, &ts, &nt)))
        return rc;
    int tz = app->cfg.tz_offset_min;
    json_t *kids = json_array(), *enrols = json_array(), *att = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(kids, child_json(app, a, &cs[i]));
    for (size_t i = 0; i < ne; i++)
        json_array_append_new(enrols, enrolment_json(&es[i], NULL, tz));
    for (size_t i = 0; i < nt; i++)
        json_array_append_new(att, attendance_json(&ts[i], tz));
    *out = json_pack("{s:o, s:o, s:o}", "children", kids, "enrolments", enrols, "attendance", att);
    return STORE_OK;
}

static int childcare_erase_personal(struct app *app, struct store_conn *c, int64_t user_id)
{
    struct arena a;
    arena_init(&a);
    int64_t *offered = NULL;
    size_t n = 0;
    struct notified nt = {{0}, 0};
    int rc = childcare_erase_user(c, &a, user_id, clock_now(), &offered, &n);
    if (!rc)
        rc = notify_offers(c, &a, app->cfg.tz_offset_min, offered, n, &nt);
    arena_release(&a);
    return rc;
}

/* ---- the module ------------------------------------------------------------------------------ */

static const char *const childcare_change_kinds[] = {"programme", "enrolment", "attendance", NULL};

static const struct route childcare_routes[] = {
    {HTTP_GET, "/api/childcare/programmes", get_programmes, ACCESS_PUBLIC, BODY_NONE, SCOPE_ANY},
    {HTTP_POST, "/api/childcare/programmes", post_programme, ADMINS, BODY_JSON, SCOPE_ANY},
    {HTTP_GET, "/api/childcare/programmes/{id}", get_programme, ACCESS_PUBLIC, BODY_NONE,
     SCOPE_ANY},
    {HTTP_GET, "/api/childcare/programmes/{id}/roster", get_roster, ROLE_STAFF, BODY_NONE,
     &programme_scope_path},
    {HTTP_POST, "/api/childcare/programmes/{id}/attendance", post_attendance, ROLE_STAFF, BODY_JSON,
     &programme_scope_path},
    {HTTP_GET, "/api/childcare/retention", get_retention, ADMINS, BODY_NONE, SCOPE_ANY},
    {HTTP_GET, "/api/childcare/children/{id}", get_child, ACCESS_SIGNED_IN, BODY_NONE, SCOPE_ANY},
    {HTTP_POST, "/api/childcare/enrolments", post_enrolment, ACCESS_SIGNED_IN, BODY_JSON,
     SCOPE_ANY},
    {HTTP_POST, "/api/childcare/enrolments/{id}/accept", post_accept, ACCESS_SIGNED_IN, BODY_NONE,
     SCOPE_ANY},
    {HTTP_POST, "/api/childcare/enrolments/{id}/cancel", post_cancel, ACCESS_SIGNED_IN, BODY_NONE,
     SCOPE_ANY},
    {HTTP_POST, "/api/me/children", post_my_child, ACCESS_SIGNED_IN, BODY_JSON, SCOPE_ANY},
    {HTTP_GET, "/api/me/children", get_my_children, ACCESS_SIGNED_IN, BODY_NONE, SCOPE_ANY},
    {HTTP_GET, "/api/me/childcare", get_my_childcare, ACCESS_SIGNED_IN, BODY_NONE, SCOPE_ANY},
    {HTTP_GET, "/api/me/childcare/pickup-codes", get_my_codes, ACCESS_SIGNED_IN, BODY_NONE,
     SCOPE_ANY},
    {HTTP_GET, "/api/me/childcare/staffed", get_staffed, ROLE_STAFF, BODY_NONE, SCOPE_ANY},
};

const struct module childcare_module = {
    .name = "childcare",
    .routes = childcare_routes,
    .nroutes = sizeof childcare_routes / sizeof childcare_routes[0],
    .change_kinds = childcare_change_kinds,
    .init = childcare_init,
    .release = childcare_release,
    .tick = childcare_tick,
    .demo = childcare_demo,
    .export_personal = childcare_export_personal,
    .erase_personal = childcare_erase_personal,
};
