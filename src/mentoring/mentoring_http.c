/*
 * mentoring_http.c - livestreamer mentoring:
 *
 *   GET    /api/mentoring/platforms              signed in: the column mappings
 *   PUT    /api/mentoring/platforms/{code} {columns: {name: field}}   system admins
 *   GET    /api/me/mentoring                     my host profile and mentor
 *   PUT    /api/me/mentoring {category}          a host sets their category
 *   POST   /api/me/mentoring/sessions {starts_at, duration_min, viewers, peak,
 *          new_followers, orders, gmv, conversion?}   a host types a session in
 *   POST   /api/me/mentoring/sessions/import?platform=douyin   (text/csv) all or nothing
 *   GET    /api/me/mentoring/dashboard ?days=90  my trends, medians, flags, reviews
 *   GET    /api/mentoring/hosts                  mentors: my hosts; admins: every host
 *   GET    /api/mentoring/hosts/{id}/dashboard   the host's mentor (system admins)
 *   POST   /api/mentoring/assignments {host, mentor}   admins (the mentor's region)
 *   DELETE /api/mentoring/assignments/{id}       admins: the host {id} has no mentor
 *   POST   /api/mentoring/sessions/{id}/reviews {summary, advice: [..]}   the host's mentor
 *   GET    /api/mentoring/one-to-ones            mentors: my times; hosts: my mentor's
 *   POST   /api/mentoring/one-to-ones {site, starts_at, minutes}   a mentor offers a time
 *   POST   /api/mentoring/one-to-ones/{id}/book  one of the mentor's hosts takes it
 *
 * A host is a person whose occupation is livestream_host. A mentor holds a
 * mentor grant (a region) and sees the hosts an admin assigned to them,
 * and only those: every route that names a host or a session checks the
 * assignment (mentor_reaches_host_or_reply) before reading anything.
 * One-to-ones are slots of the mentor's own offering (kind mentoring) in
 * the capacity engine, each with one seat taken by booking_book's single
 * statement.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account/account.h"
#include "app/app.h"
#include "booking/booking.h"
#include "core/clock.h"
#include "core/log.h"
#include "http/json_in.h"
#include "inbox/inbox.h"
#include "mentoring/mentoring.h"
#include "site/site.h"
#include "store/store.h"

#define MENTORS (ROLE_MENTOR | ACCESS_SYSTEM)
#define ADMINS ACCESS_ADMIN

static const char *const change_kinds[] = {"sessions", "review", "assigned", NULL};

static void announce(struct req *r, struct store_conn *c, enum mentoring_change k, int64_t id)
{
    app_changed(r->app, c, &mentoring_module, k, id);
}

/* ---- JSON ---------------------------------------------------------------- */

static json_t *time_json(int64_t t, int tz)
{
    char buf[40];
    return t ? json_string(clock_format_iso(t, tz, buf, sizeof buf)) : json_null();
}

static json_t *yuan(int64_t fen)
{
    return json_real((double)fen / 100.0);
}

static json_t *low_json(unsigned low)
{
    json_t *a = json_array();
    if (low & MW_VIEWERS)
        json_array_append_new(a, json_string("viewers"));
    if (low & MW_ORDERS)
        json_array_append_new(a, json_string("orders"));
    if (low & MW_GMV)
        json_array_append_new(a, json_string("gmv"));
    return a;
}

static json_t *session_json(const struct mentoring_session *s, int tz)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(s->id));
    json_object_set_new(o, "starts_at", time_json(s->starts_at, tz));
    json_object_set_new(o, "duration_min", json_real((double)s->duration_s / 60.0));
    json_object_set_new(o, "viewers", json_integer(s->viewers));
    json_object_set_new(o, "peak", json_integer(s->peak));
    json_object_set_new(o, "new_followers", json_integer(s->new_followers));
    json_object_set_new(o, "orders", json_integer(s->orders));
    json_object_set_new(o, "gmv", yuan(s->gmv_fen));
    json_object_set_new(o, "conversion", json_real((double)s->conversion_bp / 100.0));
    json_object_set_new(o, "source", json_string(s->source ? s->source : ""));
    return o;
}

static json_t *review_json(const struct mentoring_review *v, int tz)
{
    json_t *advice = json_array();
    const char *p = v->advice ? v->advice : "";
    while (*p) {
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n)
            json_array_append_new(advice, json_stringn(p, n));
        p += n + (e ? 1 : 0);
    }
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(v->id));
    json_object_set_new(o, "session_id", json_integer(v->session_id));
    json_object_set_new(o, "session_starts_at", time_json(v->session_starts_at, tz));
    json_object_set_new(o, "summary", json_string(v->summary));
    json_object_set_new(o, "advice", advice);
    json_object_set_new(o, "mentor",
                        v->mentor_id ? json_pack("{s:I, s:s?}", "id", (json_int_t)v->mentor_id,
                                                 "name", v->mentor_name)
                                     : json_null());
    json_object_set_new(o, "created_at", time_json(v->created_at, tz));
    return o;
}

static json_t *host_json(const struct mentoring_host *h, int tz)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(h->user_id));
    json_object_set_new(o, "name", json_string(h->name ? h->name : ""));
    json_object_set_new(o, "category", h->category ? json_string(h->category) : json_null());
    json_object_set_new(o, "mentor",
                        h->mentor_id ? json_pack("{s:I, s:s?}", "id", (json_int_t)h->mentor_id,
                                                 "name", h->mentor_name)
                                     : json_null());
    json_object_set_new(o, "sessions", json_integer(h->sessions));
    json_object_set_new(o, "last_session_at", time_json(h->last_starts_at, tz));
    return o;
}

static json_t *mapping_json(const struct mentoring_mapping *m)
{
    json_t *cols = json_object();
    for (size_t i = 0; i < m->n; i++)
        json_object_set_new(cols, m->sources[i], json_string(mentoring_field_name(m->fields[i])));
    return json_pack("{s:s, s:o}", "code", m->platform, "columns", cols);
}

static int tz_of(const struct req *r)
{
    return r->app->cfg.tz_offset_min;
}

/* ---- who may see a host --------------------------------------------------- */

/* Is the user a livestream host (their occupation)? 0 and *out, or -1
 * after replying: 404 when there is no such person (what names it), 403
 * not_a_host (mine: the caller) or 422 not_a_host (field). */
static int host_or_reply(struct req *r, struct store_conn *c, int64_t user_id, const char *field,
                         struct mentoring_host *out)
{
    struct user u;
    int rc = user_get(c, &r->arena, user_id, &u);
    if (rc == STORE_NOT_FOUND && field)
        return reply_error(r, 422, "unknown_user", field, "there is no such person"), -1;
    if (rc)
        return reply_store_error(r, rc, "host"), -1;
    if (!u.occupation || strcmp(u.occupation, "livestream_host") != 0) {
        if (field)
            return reply_error(r, 422, "not_a_host", field,
                               "this person is not a livestream host (occupation)"),
                   -1;
        return reply_error(r, 403, "not_a_host", NULL,
                           "set your occupation to livestream host first"),
               -1;
    }
    rc = mentoring_host_get(c, &r->arena, user_id, out);
    if (rc)
        return reply_store_error(r, rc, "host"), -1;
    return 0;
}

/* A mentor reaches the hosts assigned to them, a system admin every host;
 * anyone else is refused 403 out_of_scope, as a mentor asking about
 * another mentor's host is. The host must exist (404). */
static int mentor_reaches_host_or_reply(struct req *r, struct store_conn *c, int64_t host_id,
                                        struct mentoring_host *h)
{
    const struct principal *p = req_principal(r);
    int rc = mentoring_host_get(c, &r->arena, host_id, h);
    if (rc == STORE_NOT_FOUND)
        return reply_error(r, 404, "not_found", NULL, "no such host"), -1;
    if (rc)
        return reply_store_error(r, rc, "host"), -1;
    if (p->roles & ROLE_SYSTEM_ADMIN)
        return 0;
    if ((p->roles & ROLE_MENTOR) && h->mentor_id == p->user_id)
        return 0;
    return reply_error(r, 403, "out_of_scope", NULL, "this host is not one of yours"), -1;
}

/* ---- platforms ----------------------------------------------------------- */

static int get_platforms(struct req *r)
{
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    struct mentoring_mapping *ms;
    size_t n;
    int rc = mentoring_mapping_list(c, &r->arena, &ms, &n);
    if (rc)
        return reply_store_error(r, rc, "platform");
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, mapping_json(&ms[i]));
    json_t *fields = json_array();
    for (int f = 0; f < MF_COUNT; f++)
        json_array_append_new(fields, json_string(mentoring_field_name(f)));
    return reply_json(r, 200, json_pack("{s:o, s:o}", "items", items, "fields", fields));
}

static int mapping_put_tx(struct store_conn *c, void *v)
{
    return mentoring_mapping_put(c, v);
}

static const char *const platform_fields[] = {"columns", NULL};

static int put_platform(struct req *r)
{
    const char *code = req_param(r, "code");
    if (!mentoring_platform_is_valid(code))
        return reply_error(r, 422, "invalid_field", "code",
                           "a platform code is lower-case letters, digits and _ (at most %d)",
                           MENTORING_PLATFORM_MAX);
    if (json_in_only_or_reply(r, r->json, NULL, platform_fields))
        return r->status;
    json_t *cols = json_object_get(r->json, "columns");
    if (!json_is_object(cols) || json_object_size(cols) == 0)
        return reply_error(r, 422, "missing_field", "columns",
                           "columns maps each column name of the export to a field");
    if (json_object_size(cols) > MENTORING_COLUMNS_MAX)
        return reply_error(r, 422, "invalid_field", "columns", "at most %d columns",
                           MENTORING_COLUMNS_MAX);
    struct mentoring_mapping m = {code, 0, NULL, NULL};
    m.sources = arena_calloc(&r->arena, json_object_size(cols), sizeof *m.sources);
    m.fields = arena_calloc(&r->arena, json_object_size(cols), sizeof *m.fields);
    bool seen[MF_COUNT] = {0};
    const char *key;
    json_t *val;
    json_object_foreach(cols, key, val)
    {
        const char *field = arena_printf(&r->arena, "columns.%s", key);
        size_t kl = strlen(key);
        if (kl == 0 || kl > MENTORING_COLUMN_MAX || strchr(key, '\n') || strchr(key, '\r'))
            return reply_error(r, 422, "invalid_field", field,
                               "a column name is 1 to %d bytes on one line", MENTORING_COLUMN_MAX);
        int f = json_is_string(val) ? mentoring_field_by_name(json_string_value(val)) : -1;
        if (f < 0)
            return reply_error(r, 422, "invalid_field", field,
                               "the field is start, duration, viewers, peak, new_followers, "
                               "orders, gmv or conversion");
        m.sources[m.n] = key;
        m.fields[m.n++] = (enum mentoring_field)f;
        seen[f] = true;
    }
    for (int f = 0; f < MF_CONVERSION; f++)
        if (!seen[f])
            return reply_error(r, 422, "missing_field", "columns",
                               "no column gives %s (every field but conversion needs one)",
                               mentoring_field_name(f));
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    int rc = req_tx(r, c, mapping_put_tx, &m);
    if (rc)
        return reply_store_error(r, rc, "platform");
    return reply_json(r, 200, mapping_json(&m));
}

/* ---- my profile ------------------------------------------------------------ */

static json_t *categories_json(void)
{
    json_t *a = json_array();
    for (size_t i = 0; i < mentoring_category_count; i++)
        json_array_append_new(a, json_string(mentoring_categories[i]));
    return a;
}

static int get_me(struct req *r)
{
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    const struct principal *p = req_principal(r);
    struct user u;
    struct mentoring_host h;
    int rc = user_get(c, &r->arena, p->user_id, &u);
    if (!rc)
        rc = mentoring_host_get(c, &r->arena, p->user_id, &h);
    if (rc)
        return reply_store_error(r, rc, "host");
    bool is_host = u.occupation && strcmp(u.occupation, "livestream_host") == 0;
    json_t *o = host_json(&h, tz_of(r));
    json_object_set_new(o, "is_host", json_boolean(is_host));
    json_object_set_new(o, "is_mentor", json_boolean((p->roles & ROLE_MENTOR) != 0));
    json_object_set_new(o, "categories", categories_json());
    return reply_json(r, 200, o);
}

struct category_write {
    int64_t user_id;
    const char *category;
};

static int category_tx(struct store_conn *c, void *v)
{
    struct category_write *w = v;
    return mentoring_host_set_category(c, w->user_id, w->category, clock_now());
}

static const char *const me_fields[] = {"category", NULL};

static int put_me(struct req *r)
{
    struct category_write w = {req_principal(r)->user_id, NULL};
    if (json_in_only_or_reply(r, r->json, NULL, me_fields) ||
        json_in_string(r, r->json, NULL, "category", 32, true, &w.category) < 0)
        return r->status;
    if (!mentoring_category_is_valid(w.category))
        return reply_error(r, 422, "invalid_field", "category", "the category is %s",
                           mentoring_categories_text());
    struct store_conn *c = req_store_or_reply(r);
    struct mentoring_host h;
    if (!c || host_or_reply(r, c, w.user_id, NULL, &h))
        return r->status;
    int rc = req_tx(r, c, category_tx, &w);
    if (!rc)
        rc = mentoring_host_get(c, &r->arena, w.user_id, &h);
    if (rc)
        return reply_store_error(r, rc, "host");
    return reply_json(r, 200, host_json(&h, tz_of(r)));
}

/* ---- sessions in ----------------------------------------------------------- */

struct sessions_write {
    struct arena *arena;
    struct mentoring_session *s;
    size_t n, at;
};

static int sessions_tx(struct store_conn *c, void *v)
{
    struct sessions_write *w = v;
    return mentoring_session_insert_all(c, w->arena, w->s, w->n, clock_now(), &w->at);
}

static const char *const session_fields[] = {"starts_at", "duration_min",  "viewers",
                                             "peak",      "new_followers", "orders",
                                             "gmv",       "conversion",    NULL};

static int post_session(struct req *r)
{
    const struct principal *p = req_principal(r);
    struct mentoring_session s = {0};
    const char *start;
    int64_t minutes;
    double gmv, conversion = -1;
    if (json_in_only_or_reply(r, r->json, NULL, session_fields) ||
        json_in_string(r, r->json, NULL, "starts_at", 64, true, &start) < 0 ||
        json_in_int(r, r->json, NULL, "duration_min", 1, MENTORING_DURATION_MAX_S / 60, true,
                    &minutes) < 0 ||
        json_in_int(r, r->json, NULL, "viewers", 0, MENTORING_COUNT_MAX, true, &s.viewers) < 0 ||
        json_in_int(r, r->json, NULL, "peak", 0, MENTORING_COUNT_MAX, true, &s.peak) < 0 ||
        json_in_int(r, r->json, NULL, "new_followers", 0, MENTORING_COUNT_MAX, true,
                    &s.new_followers) < 0 ||
        json_in_int(r, r->json, NULL, "orders", 0, MENTORING_COUNT_MAX, true, &s.orders) < 0 ||
        json_in_number(r, r->json, NULL, "gmv", 0, (double)MENTORING_GMV_MAX_FEN / 100, true,
                       &gmv) < 0 ||
        json_in_number(r, r->json, NULL, "conversion", 0, 100, false, &conversion) < 0)
        return r->status;
    if (clock_parse_iso(start, tz_of(r), &s.starts_at) &&
        mentoring_parse_start(start, tz_of(r), &s.starts_at))
        return reply_error(r, 422, "invalid_field", "starts_at",
                           "starts_at is a time such as 2026-05-01T20:00:00+08:00");
    if (s.starts_at > clock_now())
        return reply_error(r, 422, "invalid_field", "starts_at",
                           "a session is recorded after it started");
    s.host_id = p->user_id;
    s.duration_s = minutes * 60;
    s.gmv_fen = (int64_t)(gmv * 100 + 0.5);
    s.conversion_bp = conversion < 0 ? mentoring_conversion_bp(s.orders, s.viewers)
                                     : (int64_t)(conversion * 100 + 0.5);
    s.source = "manual";
    enum mentoring_field bad;
    if (mentoring_session_check(&s, &bad))
        return reply_error(r, 422, "invalid_field",
                           bad == MF_DURATION ? "duration_min" : mentoring_field_name(bad),
                           bad == MF_PEAK ? "the peak cannot be above the viewers"
                                          : "the value is out of range");
    struct store_conn *c = req_store_or_reply(r);
    struct mentoring_host h;
    if (!c || host_or_reply(r, c, p->user_id, NULL, &h))
        return r->status;
    struct sessions_write w = {&r->arena, &s, 1, 0};
    int rc = req_tx(r, c, sessions_tx, &w);
    if (rc == STORE_CONFLICT)
        return reply_error(r, 409, "duplicate_session", "starts_at",
                           "you already have a session that started then");
    if (rc)
        return reply_store_error(r, rc, "session");
    announce(r, c, MENTORING_SESSIONS, p->user_id);
    return reply_json(r, 201, session_json(&s, tz_of(r)));
}

static json_t *import_error_json(const struct mentoring_import_error *e)
{
    json_t *d = json_pack("{s:I, s:s, s:s}", "row", (json_int_t)e->row, "code", e->code, "message",
                          e->message);
    json_object_set_new(d, "column", e->column ? json_string(e->column) : json_null());
    return d;
}

/* 422 invalid_rows with every problem (row, column, code, message); the
 * first one's column is the error's field. */
static int reply_import_errors(struct req *r, const struct mentoring_import_error *es, size_t n,
                               bool truncated)
{
    json_t *details = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(details, import_error_json(&es[i]));
    json_t *err =
        json_pack("{s:s, s:s, s:o, s:b}", "code", "invalid_rows", "message",
                  arena_printf(&r->arena, "row %zu, %s: %s; nothing was imported", es[0].row,
                               es[0].column ? es[0].column : "the file", es[0].message),
                  "details", details, "truncated", truncated);
    if (es[0].column)
        json_object_set_new(err, "field", json_string(es[0].column));
    return reply_json(r, 422, json_pack("{s:o}", "error", err));
}

static int import_sessions(struct req *r)
{
    const struct principal *p = req_principal(r);
    const char *platform = req_query(r, "platform");
    if (!platform || !*platform)
        platform = "generic";
    if (!mentoring_platform_is_valid(platform))
        return reply_error(r, 422, "invalid_field", "platform", "no such platform");
    struct store_conn *c = req_store_or_reply(r);
    struct mentoring_host h;
    if (!c || host_or_reply(r, c, p->user_id, NULL, &h))
        return r->status;
    struct mentoring_mapping m;
    int rc = mentoring_mapping_get(c, &r->arena, platform, &m);
    if (rc == STORE_NOT_FOUND)
        return reply_error(r, 422, "unknown_platform", "platform",
                           "no column mapping for %s (see GET /api/mentoring/platforms)", platform);
    if (rc)
        return reply_store_error(r, rc, "platform");
    struct mentoring_import im;
    mentoring_import_parse(&r->arena, r->body ? r->body : "", r->body_len, &m, tz_of(r), &im);
    if (im.nerrors)
        return reply_import_errors(r, im.errors, im.nerrors, im.truncated);
    int64_t now = clock_now();
    for (size_t i = 0; i < im.n; i++) {
        im.sessions[i].host_id = p->user_id;
        im.sessions[i].source = m.platform;
        if (im.sessions[i].starts_at > now) {
            struct mentoring_import_error e = {i + 2, NULL, "invalid_value",
                                               "this session starts in the future"};
            for (size_t k = 0; k < m.n; k++)
                if (m.fields[k] == MF_START)
                    e.column = m.sources[k];
            return reply_import_errors(r, &e, 1, false);
        }
    }
    struct sessions_write w = {&r->arena, im.sessions, im.n, 0};
    rc = req_tx(r, c, sessions_tx, &w);
    if (rc == STORE_CONFLICT) {
        /* rows are records 2.. in the order read */
        struct mentoring_import_error e = {w.at + 2, NULL, "duplicate_session",
                                           "a session that started then is stored already"};
        for (size_t k = 0; k < m.n; k++)
            if (m.fields[k] == MF_START)
                e.column = m.sources[k];
        return reply_import_errors(r, &e, 1, false);
    }
    if (rc)
        return reply_store_error(r, rc, "session");
    announce(r, c, MENTORING_SESSIONS, p->user_id);
    return reply_json(
        r, 201, json_pack("{s:I, s:s}", "imported", (json_int_t)im.n, "platform", m.platform));
}

/* ---- dashboards -------------------------------------------------------------- */

enum {
    FIG_VIEWERS,
    FIG_PEAK,
    FIG_FOLLOWERS,
    FIG_ORDERS,
    FIG_GMV,
    FIG_CONVERSION,
    FIG_DURATION,
    FIG_COUNT
};
static const char *const fig_names[FIG_COUNT] = {"viewers", "peak",       "new_followers", "orders",
                                                 "gmv",     "conversion", "duration_min"};

/* A figure as the dashboard shows it (yuan, percent, minutes). */
static double fig(const struct mentoring_session *s, int f)
{
    switch (f) {
    case FIG_VIEWERS:
        return (double)s->viewers;
    case FIG_PEAK:
        return (double)s->peak;
    case FIG_FOLLOWERS:
        return (double)s->new_followers;
    case FIG_ORDERS:
        return (double)s->orders;
    case FIG_GMV:
        return (double)s->gmv_fen / 100.0;
    case FIG_CONVERSION:
        return (double)s->conversion_bp / 100.0;
    default:
        return (double)s->duration_s / 60.0;
    }
}

/* The median of figure f over s[0..n); v holds at least n numbers. */
static double median_of(double *v, const struct mentoring_session *s, size_t n, int f)
{
    for (size_t i = 0; i < n; i++)
        v[i] = fig(&s[i], f);
    return mentoring_median(v, n);
}

/* The dashboard of a host over the last days: their sessions with the
 * baseline's flags, each figure's median beside the median of the hosts
 * of the same category (the median of each host's median), the category's
 * weekly medians for the trend lines, and the reviews. */
static int reply_dashboard(struct req *r, struct store_conn *c, const struct mentoring_host *h)
{
    int64_t days;
    if (req_query_int_or_reply(r, "days", 7, MENTORING_DAYS_MAX, 90, &days))
        return r->status;
    int tz = tz_of(r);
    int64_t now = clock_now(), from = now - days * 86400;
    /* The baseline looks back further than the range shows. */
    struct mentoring_session *all, *cat = NULL;
    size_t nall, ncat = 0;
    int rc = mentoring_session_list(c, &r->arena, h->user_id, from - 120 * 86400, now + 86400, &all,
                                    &nall);
    if (!rc && h->category)
        rc = mentoring_session_list_category(c, &r->arena, h->category, from, now + 86400, &cat,
                                             &ncat);
    struct mentoring_review *vs;
    size_t nv;
    if (!rc)
        rc = mentoring_review_list(c, &r->arena, h->user_id, &vs, &nv);
    if (rc)
        return reply_store_error(r, rc, "session");
    unsigned *low = arena_calloc(&r->arena, nall ? nall : 1, sizeof *low);
    double *bg = arena_calloc(&r->arena, nall ? nall : 1, sizeof *bg);
    double *bv = arena_calloc(&r->arena, nall ? nall : 1, sizeof *bv);
    mentoring_flag_sessions(all, nall, low, bg, bv);
    double *scratch = arena_calloc(&r->arena, (nall > ncat ? nall : ncat) + 1, sizeof *scratch);
    size_t first = 0;
    while (first < nall && all[first].starts_at < from)
        first++;
    json_t *sessions = json_array();
    size_t flagged = 0;
    for (size_t i = first; i < nall; i++) {
        json_t *o = session_json(&all[i], tz);
        json_object_set_new(o, "low", low_json(low[i]));
        json_object_set_new(o, "baseline",
                            bg[i] || bv[i]
                                ? json_pack("{s:f, s:f}", "gmv", bg[i] / 100.0, "viewers", bv[i])
                                : json_null());
        json_t *rev = json_array();
        for (size_t k = 0; k < nv; k++)
            if (vs[k].session_id == all[i].id)
                json_array_append_new(rev, json_integer(vs[k].id));
        json_object_set_new(o, "reviews", rev);
        flagged += low[i] != 0;
        json_array_append_new(sessions, o);
    }
    /* Each host's median, then the median of those. */
    size_t nhosts = 0;
    double *per_host[FIG_COUNT];
    for (int f = 0; f < FIG_COUNT; f++)
        per_host[f] = arena_calloc(&r->arena, ncat ? ncat : 1, sizeof(double));
    for (size_t i = 0; i < ncat;) {
        size_t j = i;
        while (j < ncat && cat[j].host_id == cat[i].host_id)
            j++;
        for (int f = 0; f < FIG_COUNT; f++)
            per_host[f][nhosts] = median_of(scratch, &cat[i], j - i, f);
        nhosts++;
        i = j;
    }
    json_t *figures = json_object();
    for (int f = 0; f < FIG_COUNT; f++) {
        json_t *o = json_object();
        json_object_set_new(o, "host", json_real(median_of(scratch, all + first, nall - first, f)));
        json_object_set_new(
            o, "category", nhosts ? json_real(mentoring_median(per_host[f], nhosts)) : json_null());
        json_object_set_new(figures, fig_names[f], o);
    }
    /* The category's median per week (weeks from Monday, local time). */
    json_t *weeks = json_array();
    if (ncat) {
        int64_t day0 = (from + tz * 60) / 86400;
        int64_t monday0 = day0 - ((day0 + 3) % 7); /* 1970-01-01 was a Thursday */
        size_t nweeks = (size_t)((now + tz * 60) / 86400 - monday0) / 7 + 1;
        struct mentoring_session *in = arena_calloc(&r->arena, ncat, sizeof *in);
        for (size_t w = 0; w < nweeks; w++) {
            int64_t ws = (monday0 + (int64_t)w * 7) * 86400 - tz * 60, we = ws + 7 * 86400;
            size_t k = 0;
            for (size_t i = 0; i < ncat; i++)
                if (cat[i].starts_at >= ws && cat[i].starts_at < we)
                    in[k++] = cat[i];
            if (!k)
                continue;
            json_t *o = json_object();
            json_object_set_new(o, "week", time_json(ws, tz));
            json_object_set_new(o, "sessions", json_integer((json_int_t)k));
            for (int f = 0; f < FIG_COUNT; f++)
                json_object_set_new(o, fig_names[f], json_real(median_of(scratch, in, k, f)));
            json_array_append_new(weeks, o);
        }
    }
    json_t *reviews = json_array();
    for (size_t k = 0; k < nv; k++)
        json_array_append_new(reviews, review_json(&vs[k], tz));
    json_t *body = json_object();
    json_object_set_new(body, "host", host_json(h, tz));
    json_object_set_new(body, "days", json_integer(days));
    json_object_set_new(body, "baseline",
                        json_pack("{s:i, s:i, s:f, s:s}", "sessions", MENTORING_BASELINE_SESSIONS,
                                  "min_sessions", MENTORING_BASELINE_MIN, "ratio",
                                  MENTORING_BASELINE_RATIO, "figures", "viewers, orders, gmv"));
    json_object_set_new(body, "sessions", sessions);
    json_object_set_new(body, "flagged", json_integer((json_int_t)flagged));
    json_object_set_new(body, "figures", figures);
    json_object_set_new(body, "category_hosts", json_integer((json_int_t)nhosts));
    json_object_set_new(body, "category_weeks", weeks);
    json_object_set_new(body, "reviews", reviews);
    return reply_json(r, 200, body);
}

static int get_my_dashboard(struct req *r)
{
    struct store_conn *c = req_store_or_reply(r);
    struct mentoring_host h;
    if (!c || host_or_reply(r, c, req_principal(r)->user_id, NULL, &h))
        return r->status;
    return reply_dashboard(r, c, &h);
}

static int get_host_dashboard(struct req *r)
{
    int64_t id;
    if (req_param_id_or_reply(r, "id", "host", &id))
        return r->status;
    struct store_conn *c = req_store_or_reply(r);
    struct mentoring_host h;
    if (!c || mentor_reaches_host_or_reply(r, c, id, &h))
        return r->status;
    return reply_dashboard(r, c, &h);
}

static int get_hosts(struct req *r)
{
    const struct principal *p = req_principal(r);
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    bool admin = (p->roles & ACCESS_ADMIN) != 0;
    struct mentoring_host *hs;
    size_t n;
    int rc = mentoring_host_list(c, &r->arena, admin ? 0 : p->user_id, &hs, &n);
    if (rc)
        return reply_store_error(r, rc, "host");
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, host_json(&hs[i], tz_of(r)));
    return reply_json(r, 200, json_pack("{s:o}", "items", items));
}

/* ---- assignments ----------------------------------------------------------- */

struct assign_write {
    int64_t host, mentor, by;
};

static int assign_tx(struct store_conn *c, void *v)
{
    struct assign_write *w = v;
    return mentoring_assign(c, w->host, w->mentor, w->by, clock_now());
}

static const char *const assign_fields[] = {"host", "mentor", NULL};

static int post_assignment(struct req *r)
{
    const struct principal *p = req_principal(r);
    struct assign_write w = {0, 0, p->user_id};
    if (json_in_only_or_reply(r, r->json, NULL, assign_fields) ||
        json_in_int(r, r->json, NULL, "host", 1, INT64_MAX, true, &w.host) < 0 ||
        json_in_int(r, r->json, NULL, "mentor", 1, INT64_MAX, true, &w.mentor) < 0)
        return r->status;
    struct store_conn *c = req_store_or_reply(r);
    struct mentoring_host h;
    if (!c || host_or_reply(r, c, w.host, "host", &h))
        return r->status;
    struct grant *gs;
    int64_t *ids;
    size_t n;
    int rc = grant_list(c, &r->arena, w.mentor, &gs, &ids, &n);
    if (rc)
        return reply_store_error(r, rc, "mentor");
    bool mentor = false, reached = (p->roles & ROLE_SYSTEM_ADMIN) != 0;
    for (size_t i = 0; i < n; i++) {
        if (gs[i].role != ROLE_MENTOR)
            continue;
        mentor = true;
        if (strcmp(gs[i].kind, "region") == 0 && req_reaches_region(r, ADMINS, gs[i].ref))
            reached = true;
    }
    if (!mentor)
        return reply_error(r, 422, "not_a_mentor", "mentor", "this person holds no mentor role");
    if (!reached)
        return reply_error(r, 403, "out_of_scope", "mentor",
                           "this mentor works outside the regions you administer");
    if (w.host == w.mentor)
        return reply_error(r, 422, "invalid_field", "mentor", "a host cannot mentor themselves");
    rc = req_tx(r, c, assign_tx, &w);
    if (!rc)
        rc = mentoring_host_get(c, &r->arena, w.host, &h);
    if (rc)
        return reply_store_error(r, rc, "assignment");
    announce(r, c, MENTORING_ASSIGNED, w.host);
    return reply_json(r, 200, host_json(&h, tz_of(r)));
}

static int unassign_tx(struct store_conn *c, void *v)
{
    return mentoring_unassign(c, *(int64_t *)v);
}

static int delete_assignment(struct req *r)
{
    int64_t host;
    if (req_param_id_or_reply(r, "id", "host", &host))
        return r->status;
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    const struct principal *p = req_principal(r);
    if (!(p->roles & ROLE_SYSTEM_ADMIN)) {
        /* A region admin ends only assignments to mentors of their regions. */
        int64_t mentor;
        struct grant *gs;
        int64_t *ids;
        size_t n;
        int rc = mentoring_mentor_of(c, &r->arena, host, &mentor);
        if (!rc && mentor)
            rc = grant_list(c, &r->arena, mentor, &gs, &ids, &n);
        if (rc)
            return reply_store_error(r, rc, "assignment");
        if (!mentor)
            return reply_error(r, 404, "not_found", NULL, "this host has no mentor");
        bool reached = false;
        for (size_t i = 0; i < n; i++)
            if (gs[i].role == ROLE_MENTOR && strcmp(gs[i].kind, "region") == 0 &&
                req_reaches_region(r, ADMINS, gs[i].ref))
                reached = true;
        if (!reached)
            return reply_error(r, 403, "out_of_scope", NULL,
                               "this host's mentor works outside your regions");
    }
    int rc = req_tx(r, c, unassign_tx, &host);
    if (rc == STORE_NOT_FOUND)
        return reply_error(r, 404, "not_found", NULL, "this host has no mentor");
    if (rc)
        return reply_store_error(r, rc, "assignment");
    announce(r, c, MENTORING_ASSIGNED, host);
    return reply_empty(r, 204);
}

/* ---- reviews ------------------------------------------------------------------ */

struct review_write {
    struct arena *arena;
    struct mentoring_review *v;
    const char *link;
};

static int review_tx(struct store_conn *c, void *ctx)
{
    struct review_write *w = ctx;
    int rc = mentoring_review_insert(c, w->arena, w->v, clock_now());
    if (!rc)
        rc = inbox_post(c, w->v->host_id, "mentoring_review", "导师点评了你的一场直播",
                        "Your mentor reviewed one of your sessions", w->v->summary, w->v->summary,
                        w->link, 0);
    return rc;
}

static const char *const review_fields[] = {"summary", "advice", NULL};

static int post_review(struct req *r)
{
    const struct principal *p = req_principal(r);
    int64_t id;
    if (req_param_id_or_reply(r, "id", "session", &id))
        return r->status;
    struct mentoring_review v = {0};
    if (json_in_only_or_reply(r, r->json, NULL, review_fields) ||
        json_in_string(r, r->json, NULL, "summary", MENTORING_TEXT_MAX, true, &v.summary) < 0)
        return r->status;
    if (!*v.summary)
        return reply_error(r, 422, "missing_field", "summary", "say what you saw");
    json_t *advice = json_object_get(r->json, "advice");
    if (!json_is_array(advice) || json_array_size(advice) == 0)
        return reply_error(r, 422, "missing_field", "advice",
                           "give at least one piece of concrete advice (a list of texts)");
    if (json_array_size(advice) > MENTORING_ADVICE_MAX)
        return reply_error(r, 422, "invalid_field", "advice", "at most %d pieces of advice",
                           MENTORING_ADVICE_MAX);
    struct strbuf_lite {
        char *s;
        size_t n;
    } b = {arena_calloc(&r->arena, MENTORING_ADVICE_MAX * (MENTORING_ADVICE_ITEM_MAX + 1) + 1, 1),
           0};
    size_t i;
    json_t *item;
    json_array_foreach(advice, i, item)
    {
        const char *field = arena_printf(&r->arena, "advice[%zu]", i);
        const char *t = json_string_value(item);
        size_t tl = t ? strlen(t) : 0;
        if (!t || tl == 0 || tl > MENTORING_ADVICE_ITEM_MAX || strchr(t, '\n') || strchr(t, '\r'))
            return reply_error(r, 422, "invalid_field", field,
                               "each piece of advice is a text of 1 to %d bytes on one line",
                               MENTORING_ADVICE_ITEM_MAX);
        memcpy(b.s + b.n, t, tl);
        b.n += tl;
        b.s[b.n++] = '\n';
    }
    b.s[b.n ? b.n - 1 : 0] = '\0';
    v.advice = b.s;
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    struct mentoring_session s;
    int rc = mentoring_session_get(c, &r->arena, id, &s);
    if (rc == STORE_NOT_FOUND)
        return reply_error(r, 404, "not_found", NULL, "no such session");
    if (rc)
        return reply_store_error(r, rc, "session");
    struct mentoring_host h;
    if (mentor_reaches_host_or_reply(r, c, s.host_id, &h))
        return r->status;
    v.session_id = s.id;
    v.mentor_id = p->user_id;
    v.host_id = s.host_id;
    struct review_write w = {&r->arena, &v, "/#/mentoring"};
    rc = req_tx(r, c, review_tx, &w);
    if (rc)
        return reply_store_error(r, rc, "review");
    struct user me;
    if (!user_get(c, &r->arena, p->user_id, &me))
        v.mentor_name = me.display_name;
    v.session_starts_at = s.starts_at;
    announce(r, c, MENTORING_REVIEW, v.id);
    app_changed(r->app, c, &inbox_module, INBOX_NEW, v.host_id);
    return reply_json(r, 201, review_json(&v, tz_of(r)));
}

/* ---- one-to-ones ---------------------------------------------------------------- */

static json_t *slot_json(const struct mentoring_slot *s, int tz, int64_t viewer, bool mentor)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(s->slot_id));
    json_object_set_new(o, "site_id", json_integer(s->site_id));
    json_object_set_new(
        o, "site",
        json_pack("{s:s?, s:s?}", "name_zh", s->site_name_zh, "name_en", s->site_name_en));
    json_object_set_new(o, "starts_at", time_json(s->starts_at, tz));
    json_object_set_new(o, "ends_at", time_json(s->ends_at, tz));
    json_object_set_new(o, "state", json_string(s->state));
    json_object_set_new(o, "free",
                        json_boolean(s->taken < s->capacity && strcmp(s->state, "open") == 0));
    json_object_set_new(o, "mine", json_boolean(s->host_id && s->host_id == viewer));
    if (mentor)
        json_object_set_new(o, "host",
                            s->host_id ? json_pack("{s:I, s:s?, s:I}", "id", (json_int_t)s->host_id,
                                                   "name", s->host_name, "booking",
                                                   (json_int_t)s->booking_id)
                                       : json_null());
    return o;
}

static int get_one_to_ones(struct req *r)
{
    const struct principal *p = req_principal(r);
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    bool mentor = (p->roles & ROLE_MENTOR) != 0;
    int64_t mentor_id = p->user_id;
    int rc = STORE_OK;
    if (!mentor)
        rc = mentoring_mentor_of(c, &r->arena, p->user_id, &mentor_id);
    struct mentoring_slot *ss = NULL;
    size_t n = 0;
    if (!rc && mentor_id)
        rc = mentoring_slot_list(c, &r->arena, mentor_id, clock_now(), &ss, &n);
    if (rc)
        return reply_store_error(r, rc, "one-to-one");
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, slot_json(&ss[i], tz_of(r), p->user_id, mentor));
    return reply_json(r, 200, json_pack("{s:o, s:b}", "items", items, "as_mentor", mentor));
}

struct slot_write {
    struct arena *arena;
    int64_t mentor;
    const char *mentor_name;
    struct slot s;
};

static int slot_tx(struct store_conn *c, void *v)
{
    struct slot_write *w = v;
    int64_t now = clock_now();
    int rc =
        mentoring_offering_ensure(c, w->arena, w->mentor, w->mentor_name, now, &w->s.offering_id);
    if (!rc)
        rc = slot_insert(c, w->arena, &w->s, now);
    return rc;
}

static const char *const slot_fields[] = {"site", "starts_at", "minutes", NULL};

static int post_one_to_one(struct req *r)
{
    const struct principal *p = req_principal(r);
    struct slot_write w = {&r->arena, p->user_id, NULL, {0}};
    const char *start;
    int64_t minutes = 60;
    if (json_in_only_or_reply(r, r->json, NULL, slot_fields) ||
        json_in_int(r, r->json, NULL, "site", 1, INT64_MAX, true, &w.s.site_id) < 0 ||
        json_in_string(r, r->json, NULL, "starts_at", 64, true, &start) < 0 ||
        json_in_int(r, r->json, NULL, "minutes", 15, 240, false, &minutes) < 0)
        return r->status;
    if (clock_parse_iso(start, tz_of(r), &w.s.starts_at))
        return reply_error(r, 422, "invalid_field", "starts_at",
                           "starts_at is a time such as 2026-06-28T14:00:00+08:00");
    if (w.s.starts_at <= clock_now())
        return reply_error(r, 422, "invalid_field", "starts_at", "offer a time in the future");
    w.s.ends_at = w.s.starts_at + minutes * 60;
    w.s.capacity = 1;
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    struct site site;
    int rc = site_get(c, &r->arena, w.s.site_id, &site);
    if (rc == STORE_NOT_FOUND)
        return reply_error(r, 422, "unknown_site", "site", "there is no such site");
    struct user me;
    if (!rc)
        rc = user_get(c, &r->arena, p->user_id, &me);
    if (rc)
        return reply_store_error(r, rc, "site");
    w.mentor_name = me.display_name && *me.display_name ? me.display_name : "导师";
    rc = req_tx(r, c, slot_tx, &w);
    if (rc == STORE_CONFLICT)
        return reply_error(r, 409, "slot_exists", "starts_at",
                           "you already offer a one-to-one there at that time");
    if (rc)
        return reply_store_error(r, rc, "one-to-one");
    app_changed(r->app, c, &booking_module, BOOKING_SLOT, w.s.id);
    struct mentoring_slot ms = {w.s.id, w.s.site_id, w.s.starts_at, w.s.ends_at, 1, 0, "open", 0,
                                0,      NULL,        site.name_zh,  site.name_en};
    return reply_json(r, 201, slot_json(&ms, tz_of(r), p->user_id, true));
}

struct book_write {
    struct arena *arena;
    int tz;
    struct booking *b;
    struct booking_notified nt;
};

static int book_tx(struct store_conn *c, void *v)
{
    struct book_write *w = v;
    booking_notified_reset(&w->nt);
    int rc = booking_book(c, w->arena, w->b, false, false, clock_now());
    if (!rc)
        rc = booking_get(c, w->arena, w->b->id, w->b);
    if (!rc)
        rc = booking_notify(c, w->arena, w->tz, w->b, BOOKING_NOTICE_CONFIRMED, &w->nt);
    return rc;
}

static int post_book(struct req *r)
{
    const struct principal *p = req_principal(r);
    int64_t slot_id;
    if (req_param_id_or_reply(r, "id", "one-to-one", &slot_id))
        return r->status;
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    int64_t owner, mine;
    struct slot s;
    int rc = mentoring_slot_mentor(c, &r->arena, slot_id, &owner);
    if (rc == STORE_NOT_FOUND)
        return reply_error(r, 404, "not_found", NULL, "no such one-to-one");
    if (!rc)
        rc = mentoring_mentor_of(c, &r->arena, p->user_id, &mine);
    if (!rc)
        rc = slot_get(c, &r->arena, slot_id, &s);
    if (rc)
        return reply_store_error(r, rc, "one-to-one");
    if (mine != owner)
        return reply_error(r, 403, "not_your_mentor", NULL,
                           "one-to-ones are for the mentor's own hosts");
    if (strcmp(s.state, "open") != 0 || s.starts_at <= clock_now())
        return reply_error(r, 422, "slot_past", NULL, "this time has passed or was cancelled");
    struct booking b = {0};
    b.slot_id = s.id;
    b.offering_id = s.offering_id;
    b.user_id = p->user_id;
    struct book_write w = {&r->arena, tz_of(r), &b, {0}};
    rc = req_tx(r, c, book_tx, &w);
    switch (rc) {
    case STORE_OK:
        break;
    case BOOKING_FULL:
        return reply_error(r, 409, "slot_taken", NULL, "another host took this time");
    case BOOKING_ALREADY:
        return reply_error(r, 409, "already_booked", NULL,
                           "you already have a one-to-one coming with your mentor");
    case BOOKING_SLOT_CLOSED:
        return reply_error(r, 422, "slot_past", NULL, "this time has passed or was cancelled");
    default:
        return reply_store_error(r, rc, "booking");
    }
    app_changed(r->app, c, &booking_module, BOOKING_CONFIRMED, b.id);
    booking_announce_notices(r->app, c, &w.nt);
    reply_header(r, "Location", arena_printf(&r->arena, "/api/bookings/%lld", (long long)b.id));
    return reply_json(r, 201,
                      json_pack("{s:I, s:I, s:s, s:o, s:o}", "id", (json_int_t)b.id, "slot",
                                (json_int_t)s.id, "state", b.state, "starts_at",
                                time_json(s.starts_at, tz_of(r)), "ends_at",
                                time_json(s.ends_at, tz_of(r))));
}

/* ---- personal data --------------------------------------------------------------- */

static int mentoring_export_personal(struct app *app, struct store_conn *c, struct arena *a,
                                     int64_t user_id, json_t **out)
{
    struct mentoring_session *ss;
    struct mentoring_review *vs;
    size_t n, nv;
    int rc = mentoring_session_list(c, a, user_id, 0, INT64_MAX, &ss, &n);
    if (!rc)
        rc = mentoring_review_list(c, a, user_id, &vs, &nv);
    if (rc)
        return rc;
    if (!n && !nv)
        return STORE_OK;
    int tz = app->cfg.tz_offset_min;
    json_t *sessions = json_array(), *reviews = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(sessions, session_json(&ss[i], tz));
    for (size_t i = 0; i < nv; i++)
        json_array_append_new(reviews, review_json(&vs[i], tz));
    *out = json_pack("{s:o, s:o}", "sessions", sessions, "reviews", reviews);
    return STORE_OK;
}

static int mentoring_erase_personal(struct app *app, struct store_conn *c, int64_t user_id)
{
    return mentoring_erase_user(c, user_id);
}

/* ---- the module -------------------------------------------------------------------- */

static const struct route mentoring_routes[] = {
    {HTTP_GET, "/api/mentoring/platforms", get_platforms, ACCESS_SIGNED_IN, BODY_NONE, SCOPE_ANY},
    {HTTP_PUT, "/api/mentoring/platforms/{code}", put_platform, ACCESS_SYSTEM, BODY_JSON,
     SCOPE_ANY},
    {HTTP_GET, "/api/me/mentoring", get_me, ACCESS_SIGNED_IN, BODY_NONE, SCOPE_ANY},
    {HTTP_PUT, "/api/me/mentoring", put_me, ACCESS_SIGNED_IN, BODY_JSON, SCOPE_ANY},
    {HTTP_POST, "/api/me/mentoring/sessions", post_session, ACCESS_SIGNED_IN, BODY_JSON, SCOPE_ANY},
    {HTTP_POST, "/api/me/mentoring/sessions/import", import_sessions, ACCESS_SIGNED_IN, BODY_CSV,
     SCOPE_ANY},
    {HTTP_GET, "/api/me/mentoring/dashboard", get_my_dashboard, ACCESS_SIGNED_IN, BODY_NONE,
     SCOPE_ANY},
    {HTTP_GET, "/api/mentoring/hosts", get_hosts, MENTORS | ADMINS, BODY_NONE, SCOPE_ANY},
    {HTTP_GET, "/api/mentoring/hosts/{id}/dashboard", get_host_dashboard, MENTORS, BODY_NONE,
     SCOPE_ANY},
    {HTTP_POST, "/api/mentoring/assignments", post_assignment, ADMINS, BODY_JSON, SCOPE_ANY},
    {HTTP_DELETE, "/api/mentoring/assignments/{id}", delete_assignment, ADMINS, BODY_NONE,
     SCOPE_ANY},
    {HTTP_POST, "/api/mentoring/sessions/{id}/reviews", post_review, MENTORS, BODY_JSON, SCOPE_ANY},
    {HTTP_GET, "/api/mentoring/one-to-ones", get_one_to_ones, ACCESS_SIGNED_IN, BODY_NONE,
     SCOPE_ANY},
    {HTTP_POST, "/api/mentoring/one-to-ones", post_one_to_one, ROLE_MENTOR, BODY_JSON, SCOPE_ANY},
    {HTTP_POST, "/api/mentoring/one-to-ones/{id}/book", post_book, ACCESS_SIGNED_IN, BODY_NONE,
     SCOPE_ANY},
};

const struct module mentoring_module = {
    .name = "mentoring",
    .routes = mentoring_routes,
    .nroutes = sizeof mentoring_routes / sizeof mentoring_routes[0],
    .change_kinds = change_kinds,
    .demo = mentoring_demo,
    .export_personal = mentoring_export_personal,
    .erase_personal = mentoring_erase_personal,
};
