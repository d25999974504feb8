/*
 * lending_http.c - borrow anywhere, return anywhere:
 *
 *   GET  /api/item-types                                public: what can be borrowed
 *   PUT  /api/item-types/{code} {name_zh, name_en?, due_hours, per_person_max?,
 *                                reservable?, sort_order?}   system admins
 *   GET  /api/sites/{id}/items                          public: a site's stock per type
 *   POST /api/sites/{id}/stock {item, add?, repaired?}  staff of the site
 *   POST /api/loans {site, item, user | qr, note?}      staff of the site: lend
 *   POST /api/loans/{id}/return {site, note?}           staff of ANY site: it is back
 *   POST /api/loans/{id}/damaged {site, note?}          staff of any site: back, broken
 *   POST /api/loans/{id}/lost {site, note?}             staff of any site: it is gone
 *   GET  /api/sites/{id}/loans ?state=out|overdue|...   staff of the site
 *   GET  /api/users/{id}/loans                          staff: a person's loans out
 *   GET  /api/me/loans                                  my loans and reservations
 *   POST /api/sites/{id}/reservations {item, starts_at?, ends_at}   signed in
 *   GET  /api/sites/{id}/reservations                   staff of the site
 *   POST /api/me/reservations/{id}/cancel               mine
 *
 * Lending, returning and reserving each run in one req_tx; the decisive
 * statements are in lending_store.c. The tick puts the items of ended
 * reservation windows back on the shelf, marks loans overdue and reminds
 * each borrower once through the inbox (the notice commits with the mark;
 * INBOX_NEW is announced after the commit).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account/account.h"
#include "app/app.h"
#include "core/clock.h"
#include "core/log.h"
#include "http/json_in.h"
#include "inbox/inbox.h"
#include "lending/lending.h"
#include "site/site.h"
#include "store/store.h"

#define STAFF_AND_ADMINS (ROLE_STAFF | ACCESS_ADMIN)

/* ---- the module's state ------------------------------------------------ */

struct lending_state {
    int64_t limit; /* items out per person (WARMHARBOR_LOAN_LIMIT) */
};

static int64_t global_limit(const struct app *app)
{
    const struct lending_state *st = app_state(app, &lending_module);
    return st ? st->limit : LENDING_DEFAULT_LIMIT;
}

static int lending_init(struct app *app, void **state)
{
    const char *env = getenv("WARMHARBOR_LOAN_LIMIT");
    int64_t limit;
    if (lending_limit_parse(env, &limit)) {
        log_error("WARMHARBOR_LOAN_LIMIT=%s: a whole number of items, 1 to %d", env,
                  LENDING_MAX_LIMIT);
        return -1;
    }
    struct lending_state *st = calloc(1, sizeof(*st));
    if (!st)
        die_oom();
    st->limit = limit;
    *state = st;
    return 0;
}

static void lending_release(struct app *app, void *state)
{
    free(state);
}

/* ---- JSON ------------------------------------------------------------------ */

static json_t *time_json(int64_t t, int tz)
{
    char buf[40];
    return t ? json_string(clock_format_iso(t, tz, buf, sizeof buf)) : json_null();
}

static json_t *id_or_null(int64_t id)
{
    return id ? json_integer(id) : json_null();
}

static json_t *type_json(const struct item_type *t)
{
    json_t *o = json_object();
    json_object_set_new(o, "code", json_string(t->code));
    json_object_set_new(o, "name_zh", json_string(t->name_zh));
    json_object_set_new(o, "name_en", json_string(t->name_en));
    json_object_set_new(o, "due_hours", json_integer(t->due_hours));
    json_object_set_new(o, "per_person_max", id_or_null(t->per_person_max));
    json_object_set_new(o, "reservable", json_boolean(t->reservable));
    json_object_set_new(o, "sort_order", json_integer(t->sort_order));
    return o;
}

static json_t *stock_json(const struct item_stock *s)
{
    json_t *o = type_json(&s->type);
    json_object_set_new(o, "available", json_integer(s->available));
    json_object_set_new(o, "reserved", json_integer(s->reserved));
    json_object_set_new(o, "lent", json_integer(s->lent));
    json_object_set_new(o, "damaged", json_integer(s->damaged));
    json_object_set_new(o, "total",
                        json_integer(s->available + s->reserved + s->lent + s->damaged));
    return o;
}

/* A loan; staff also see who borrowed it and who lent it. */
static json_t *loan_json(const struct loan *l, int64_t now, int tz, bool staff)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(l->id));
    json_object_set_new(o, "item",
                        json_pack("{s:s, s:s, s:s}", "code", l->item_code, "name_zh",
                                  l->item_name_zh, "name_en", l->item_name_en));
    json_object_set_new(o, "site_id", json_integer(l->site_id));
    json_object_set_new(
        o, "site", json_pack("{s:s, s:s}", "name_zh", l->site_name_zh, "name_en", l->site_name_en));
    json_object_set_new(o, "state", json_string(l->state));
    json_object_set_new(o, "overdue", json_boolean(lending_is_overdue(l, now)));
    json_object_set_new(o, "lent_at", time_json(l->lent_at, tz));
    json_object_set_new(o, "due_at", time_json(l->due_at, tz));
    json_object_set_new(o, "closed_at", time_json(l->closed_at, tz));
    json_object_set_new(o, "closed_site_id", id_or_null(l->closed_site_id));
    json_object_set_new(o, "reservation_id", id_or_null(l->reservation_id));
    json_object_set_new(o, "note", json_string(l->note ? l->note : ""));
    if (staff) {
        json_object_set_new(o, "user_id", id_or_null(l->user_id));
        json_object_set_new(o, "borrower_name",
                            l->borrower_name ? json_string(l->borrower_name) : json_null());
        json_object_set_new(o, "lent_by", id_or_null(l->lent_by));
        json_object_set_new(o, "closed_by", id_or_null(l->closed_by));
    }
    return o;
}

static json_t *res_json(const struct loan_reservation *v, int tz, bool staff)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(v->id));
    json_object_set_new(o, "item",
                        json_pack("{s:s, s:s, s:s}", "code", v->item_code, "name_zh",
                                  v->item_name_zh, "name_en", v->item_name_en));
    json_object_set_new(o, "site_id", json_integer(v->site_id));
    json_object_set_new(
        o, "site", json_pack("{s:s, s:s}", "name_zh", v->site_name_zh, "name_en", v->site_name_en));
    json_object_set_new(o, "state", json_string(v->state));
    json_object_set_new(o, "starts_at", time_json(v->starts_at, tz));
    json_object_set_new(o, "ends_at", time_json(v->ends_at, tz));
    json_object_set_new(o, "created_at", time_json(v->created_at, tz));
    json_object_set_new(o, "ended_at", time_json(v->ended_at, tz));
    if (staff)
        json_object_set_new(o, "user_id", json_integer(v->user_id));
    return o;
}

static json_t *loans_json(const struct loan *ls, size_t n, int64_t now, int tz, bool staff)
{
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, loan_json(&ls[i], now, tz, staff));
    return items;
}

static json_t *reservations_json(const struct loan_reservation *vs, size_t n, int tz, bool staff)
{
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, res_json(&vs[i], tz, staff));
    return items;
}

/* ---- reading requests ---------------------------------------------------- */

/* The site named in the body, where staff act: the caller must reach it
 * (403 out_of_scope), and it must exist (422 unknown_site). */
static int body_site_or_reply(struct req *r, struct store_conn *c, int64_t site_id)
{
    if (!req_reaches_site(r, STAFF_AND_ADMINS, site_id))
        return reply_error(r, 403, "out_of_scope", "site", "your roles do not reach site %lld",
                           (long long)site_id),
               -1;
    struct site s;
    int rc = site_get(c, &r->arena, site_id, &s);
    if (rc == STORE_NOT_FOUND)
        return reply_error(r, 422, "unknown_site", "site", "there is no site %lld",
                           (long long)site_id),
               -1;
    if (rc)
        return reply_store_error(r, rc, "site"), -1;
    return 0;
}

/* The item type named by code in field (422 unknown_item). */
static int item_or_reply(struct req *r, struct store_conn *c, const char *field, const char *code,
                         struct item_type *t)
{
    int rc = lending_code_is_valid(code) ? item_type_get(c, &r->arena, code, t) : STORE_NOT_FOUND;
    if (rc == STORE_NOT_FOUND)
        return reply_error(r, 422, "unknown_item", field, "nothing called %s is lent", code), -1;
    if (rc)
        return reply_store_error(r, rc, "item type"), -1;
    return 0;
}

static int time_field_or_reply(struct req *r, const char *name, bool required, int64_t *out)
{
    const char *s = NULL;
    int got = json_in_string(r, r->json, NULL, name, 64, required, &s);
    if (got <= 0)
        return got;
    if (clock_parse_iso(s, r->app->cfg.tz_offset_min, out))
        return reply_error(r, 422, "invalid_field", name,
                           "%s must be an ISO-8601 time such as 2026-06-28T14:00:00+08:00", name),
               -1;
    return 1;
}

/* ---- item types ------------------------------------------------------------- */

static int get_item_types(struct req *r)
{
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    struct item_type *ts;
    size_t n;
    int rc = item_type_list(c, &r->arena, &ts, &n);
    if (rc)
        return reply_store_error(r, rc, "item type");
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, type_json(&ts[i]));
    return reply_json(r, 200,
                      json_pack("{s:o, s:I}", "items", items, "limit_per_person",
                                (json_int_t)global_limit(r->app)));
}

struct type_write {
    struct arena *arena;
    struct item_type *t;
};

static int type_put_tx(struct store_conn *c, void *v)
{
    struct type_write *w = v;
    return item_type_put(c, w->arena, w->t, clock_now());
}

static const char *const type_fields[] = {"name_zh",    "name_en",    "due_hours", "per_person_max",
                                          "reservable", "sort_order", NULL};

static int put_item_type(struct req *r)
{
    const char *code = req_param(r, "code");
    if (!lending_code_is_valid(code))
        return reply_error(r, 422, "invalid_field", "code",
                           "a code is lower-case letters, digits and _ (at most %d)",
                           LENDING_CODE_MAX);
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    struct item_type t = {0};
    int rc = item_type_get(c, &r->arena, code, &t);
    if (rc && rc != STORE_NOT_FOUND)
        return reply_store_error(r, rc, "item type");
    bool creating = rc == STORE_NOT_FOUND;
    if (creating) {
        t.code = code;
        t.name_en = "";
    }
    json_t *ppm = json_object_get(r->json, "per_person_max");
    if (json_in_only_or_reply(r, r->json, NULL, type_fields) ||
        json_in_string(r, r->json, NULL, "name_zh", LENDING_NAME_MAX, creating, &t.name_zh) < 0 ||
        json_in_string(r, r->json, NULL, "name_en", LENDING_NAME_MAX, false, &t.name_en) < 0 ||
        json_in_int(r, r->json, NULL, "due_hours", 1, LENDING_MAX_DUE_HOURS, creating,
                    &t.due_hours) < 0 ||
        json_in_bool(r, r->json, NULL, "reservable", false, &t.reservable) < 0 ||
        json_in_int(r, r->json, NULL, "sort_order", -1000, 1000, false, &t.sort_order) < 0)
        return r->status;
    if (ppm && json_is_null(ppm))
        t.per_person_max = 0;
    else if (json_in_int(r, r->json, NULL, "per_person_max", 1, LENDING_MAX_LIMIT, false,
                         &t.per_person_max) < 0)
        return r->status;
    if (!*t.name_zh)
        return reply_error(r, 422, "missing_field", "name_zh", "name_zh must not be empty");
    struct type_write w = {&r->arena, &t};
    rc = req_tx(r, c, type_put_tx, &w);
    if (rc)
        return reply_store_error(r, rc, "item type");
    return reply_json(r, creating ? 201 : 200, type_json(&t));
}

/* ---- stock -------------------------------------------------------------------- */

static int get_site_items(struct req *r)
{
    struct site s;
    struct store_conn *c = req_site_or_reply(r, &s);
    if (!c)
        return r->status;
    struct item_stock *ss;
    size_t n;
    int rc = stock_list(c, &r->arena, s.id, &ss, &n);
    if (rc)
        return reply_store_error(r, rc, "stock");
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, stock_json(&ss[i]));
    return reply_json(r, 200, json_pack("{s:I, s:o}", "site_id", (json_int_t)s.id, "items", items));
}

struct stock_write {
    int64_t site_id, type_id, add, repaired;
};

static int stock_tx(struct store_conn *c, void *v)
{
    struct stock_write *w = v;
    return stock_change(c, w->site_id, w->type_id, w->add, w->repaired, clock_now());
}

static const char *const stock_fields[] = {"item", "add", "repaired", NULL};

static int post_stock(struct req *r)
{
    const char *code;
    struct stock_write w = {0};
    if (json_in_only_or_reply(r, r->json, NULL, stock_fields) ||
        json_in_string(r, r->json, NULL, "item", LENDING_CODE_MAX + 1, true, &code) < 0 ||
        json_in_int(r, r->json, NULL, "add", -LENDING_MAX_ADD, LENDING_MAX_ADD, false, &w.add) <
            0 ||
        json_in_int(r, r->json, NULL, "repaired", 0, LENDING_MAX_ADD, false, &w.repaired) < 0)
        return r->status;
    if (!w.add && !w.repaired)
        return reply_error(r, 422, "missing_field", "add",
                           "say how many to add (or take off, below zero) or how many repaired");
    struct site s;
    struct item_type t;
    struct store_conn *c = req_site_or_reply(r, &s);
    if (!c || item_or_reply(r, c, "item", code, &t))
        return r->status;
    w.site_id = s.id;
    w.type_id = t.id;
    int rc = req_tx(r, c, stock_tx, &w);
    if (rc == STORE_CONFLICT)
        return reply_error(r, 409, "not_enough_stock", w.repaired ? "repaired" : "add",
                           "there are not that many %s on the shelf (or damaged) here", t.code);
    struct item_stock st;
    if (!rc)
        rc = stock_get(c, &r->arena, s.id, t.id, &st);
    if (rc)
        return reply_store_error(r, rc, "stock");
    return reply_json(r, 200, stock_json(&st));
}

/* ---- lending ------------------------------------------------------------------- */

struct lend_write {
    struct arena *arena;
    struct loan *l;
    int64_t global_limit, type_limit;
};

static int lend_tx(struct store_conn *c, void *v)
{
    struct lend_write *w = v;
    return loan_lend(c, w->arena, w->l, w->global_limit, w->type_limit);
}

/* The borrower: a user id, or the QR code their phone shows (sealed by
 * the account module, as /api/qr/verify reads it). 0 or -1 after
 * replying; *field names the field they came in. */
static int borrower_or_reply(struct req *r, struct store_conn *c, int64_t user_id, const char *qr,
                             const char **field, int64_t *out)
{
    *field = qr ? "qr" : "user";
    if (qr) {
        const char *plain = account_unseal(&r->arena, account_key(r->app), "qr", qr);
        enum lending_qr q = lending_qr_user(plain, clock_now(), &user_id);
        if (q == LENDING_QR_INVALID)
            return reply_error(r, 422, "invalid_qr", "qr", "this is not a warmharbor code"), -1;
        if (q == LENDING_QR_EXPIRED)
            return reply_error(r, 410, "qr_expired", "qr",
                               "the code has expired; ask the worker to show a fresh one"),
                   -1;
    }
    struct user u;
    int rc = user_get(c, &r->arena, user_id, &u);
    if (rc == STORE_NOT_FOUND)
        return reply_error(r, 422, "unknown_user", *field, "there is no such person"), -1;
    if (rc)
        return reply_store_error(r, rc, "person"), -1;
    *out = u.id;
    return 0;
}

static const char *const lend_fields[] = {"site", "item", "user", "qr", "note", NULL};

static int post_loan(struct req *r)
{
    const struct principal *p = req_principal(r);
    int64_t site_id, user_id = 0;
    const char *code, *qr = NULL, *note = "";
    if (json_in_only_or_reply(r, r->json, NULL, lend_fields) ||
        json_in_int(r, r->json, NULL, "site", 1, INT64_MAX, true, &site_id) < 0 ||
        json_in_string(r, r->json, NULL, "item", LENDING_CODE_MAX + 1, true, &code) < 0 ||
        json_in_int(r, r->json, NULL, "user", 1, INT64_MAX, false, &user_id) < 0 ||
        json_in_string(r, r->json, NULL, "qr", 512, false, &qr) < 0 ||
        json_in_string(r, r->json, NULL, "note", LENDING_NOTE_MAX, false, &note) < 0)
        return r->status;
    if (!user_id && !qr)
        return reply_error(r, 422, "missing_field", "user",
                           "say who borrows it: user (their id) or qr (the code on their phone)");
    if (user_id && qr)
        return reply_error(r, 422, "invalid_field", "qr", "give user or qr, not both");
    struct store_conn *c = req_store_or_reply(r);
    struct item_type t;
    const char *who_field;
    int64_t borrower;
    if (!c || body_site_or_reply(r, c, site_id) || item_or_reply(r, c, "item", code, &t) ||
        borrower_or_reply(r, c, user_id, qr, &who_field, &borrower))
        return r->status;
    struct loan l = {0};
    l.item_type_id = t.id;
    l.site_id = site_id;
    l.user_id = borrower;
    l.lent_by = p->user_id;
    l.lent_at = clock_now();
    l.due_at = lending_due_at(l.lent_at, t.due_hours);
    l.note = note;
    int64_t limit = global_limit(r->app);
    struct lend_write w = {&r->arena, &l, limit, lending_type_limit(t.per_person_max, limit)};
    int rc = req_tx(r, c, lend_tx, &w);
    if (rc == LENDING_OUT_OF_STOCK)
        return reply_error(r, 409, "out_of_stock", "item", "no %s is on the shelf here", t.code);
    if (rc == LENDING_LIMIT_REACHED)
        return reply_error(r, 409, "limit_reached", who_field,
                           "this person has %lld items out already; one must come back first",
                           (long long)w.global_limit);
    if (rc == LENDING_TYPE_LIMIT)
        return reply_error(r, 409, "limit_reached", "item", "this person has %lld %s out already",
                           (long long)w.type_limit, t.code);
    if (!rc)
        rc = loan_get(c, &r->arena, l.id, &l);
    if (rc)
        return reply_store_error(r, rc, "loan");
    return reply_json(r, 201, loan_json(&l, clock_now(), r->app->cfg.tz_offset_min, true));
}

/* ---- returning, damage, loss ------------------------------------------------------- */

struct close_write {
    struct arena *arena;
    int64_t id, site_id, by;
    const char *state, *note;
};

static int close_tx(struct store_conn *c, void *v)
{
    struct close_write *w = v;
    return loan_close(c, w->arena, w->id, w->state, w->site_id, w->by, clock_now(), w->note);
}

static const char *const close_fields[] = {"site", "note", NULL};

/* End a loan as state, reported by staff of the site in the body: any
 * site, not only the one that lent it. */
static int close_loan(struct req *r, const char *state)
{
    const struct principal *p = req_principal(r);
    int64_t id, site_id;
    const char *note = NULL;
    if (req_param_id_or_reply(r, "id", "loan", &id) ||
        json_in_only_or_reply(r, r->json, NULL, close_fields) ||
        json_in_int(r, r->json, NULL, "site", 1, INT64_MAX, true, &site_id) < 0 ||
        json_in_string(r, r->json, NULL, "note", LENDING_NOTE_MAX, false, &note) < 0)
        return r->status;
    struct store_conn *c = req_store_or_reply(r);
    if (!c || body_site_or_reply(r, c, site_id))
        return r->status;
    struct loan l;
    int rc = loan_get(c, &r->arena, id, &l);
    if (rc)
        return reply_store_error(r, rc, "loan");
    if (!lending_is_out(l.state))
        return reply_error(r, 409, "not_out", NULL, "this loan is %s already", l.state);
    struct close_write w = {&r->arena, id, site_id, p->user_id, state, note};
    rc = req_tx(r, c, close_tx, &w);
    if (rc == LENDING_NOT_OUT)
        return reply_error(r, 409, "not_out", NULL, "this loan has just ended");
    if (!rc)
        rc = loan_get(c, &r->arena, id, &l);
    if (rc)
        return reply_store_error(r, rc, "loan");
    return reply_json(r, 200, loan_json(&l, clock_now(), r->app->cfg.tz_offset_min, true));
}

static int post_return(struct req *r)
{
    return close_loan(r, "returned");
}

static int post_damaged(struct req *r)
{
    return close_loan(r, "damaged");
}

static int post_lost(struct req *r)
{
    return close_loan(r, "lost");
}

/* ---- lists ------------------------------------------------------------------------- */

static int get_site_loans(struct req *r)
{
    int64_t site_id, limit;
    const char *state = req_query(r, "state");
    if (req_param_id_or_reply(r, "id", "site", &site_id) ||
        req_query_int_or_reply(r, "limit", 1, 500, 200, &limit))
        return r->status;
    if (state && !lending_state_is_valid(state))
        return reply_error(r, 400, "invalid_query", "state",
                           "state is out, overdue, returned, lost or damaged");
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    int64_t now = clock_now();
    struct loan *ls;
    size_t n;
    int rc = loan_list_site(c, &r->arena, site_id, state, now, limit, &ls, &n);
    if (rc)
        return reply_store_error(r, rc, "loan");
    return reply_json(
        r, 200,
        json_pack("{s:o}", "items", loans_json(ls, n, now, r->app->cfg.tz_offset_min, true)));
}

/* A person's loans out, for staff at any site (they may take any back).
 * Looking at a person's loans is access to their personal data: recorded
 * in the audit log, like a search for people. */
static int get_user_loans(struct req *r)
{
    const struct principal *p = req_principal(r);
    int64_t user_id;
    struct store_conn *c = req_id_store_or_reply(r, "person", &user_id);
    if (!c)
        return r->status;
    struct user u;
    int rc = user_get(c, &r->arena, user_id, &u);
    if (rc)
        return reply_store_error(r, rc, "person");
    int64_t now = clock_now();
    struct loan *ls;
    size_t n;
    rc = loan_list_user(c, &r->arena, user_id, true, 100, &ls, &n);
    if (rc)
        return reply_store_error(r, rc, "loan");
    audit_add(c, p->user_id, "view_loans", "user",
              arena_printf(&r->arena, "%lld", (long long)user_id), req_client_address(r),
              arena_printf(&r->arena, "%zu out", n), now);
    return reply_json(r, 200,
                      json_pack("{s:I, s:o}", "user_id", (json_int_t)user_id, "items",
                                loans_json(ls, n, now, r->app->cfg.tz_offset_min, true)));
}

static int get_my_loans(struct req *r)
{
    const struct principal *p = req_principal(r);
    int64_t limit;
    if (req_query_int_or_reply(r, "limit", 1, 200, 50, &limit))
        return r->status;
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    int64_t now = clock_now();
    int tz = r->app->cfg.tz_offset_min;
    struct loan *ls;
    struct loan_reservation *vs;
    size_t n, nv;
    int rc = loan_list_user(c, &r->arena, p->user_id, false, limit, &ls, &n);
    if (!rc)
        rc = reservation_list(c, &r->arena, 0, p->user_id, true, 50, &vs, &nv);
    if (rc)
        return reply_store_error(r, rc, "loan");
    int64_t out = 0;
    for (size_t i = 0; i < n; i++)
        out += lending_is_out(ls[i].state);
    return reply_json(r, 200,
                      json_pack("{s:o, s:o, s:I, s:I}", "items", loans_json(ls, n, now, tz, false),
                                "reservations", reservations_json(vs, nv, tz, false), "out",
                                (json_int_t)out, "limit", (json_int_t)global_limit(r->app)));
}

/* ---- reservations --------------------------------------------------------------------- */

struct res_write {
    struct arena *arena;
    struct loan_reservation *v;
};

static int reserve_tx(struct store_conn *c, void *v)
{
    struct res_write *w = v;
    return reservation_insert(c, w->arena, w->v);
}

static const char *const reserve_fields[] = {"item", "starts_at", "ends_at", NULL};

static int post_reservation(struct req *r)
{
    const struct principal *p = req_principal(r);
    const char *code;
    struct loan_reservation v = {0};
    v.created_at = clock_now();
    v.starts_at = v.created_at;
    if (json_in_only_or_reply(r, r->json, NULL, reserve_fields) ||
        json_in_string(r, r->json, NULL, "item", LENDING_CODE_MAX + 1, true, &code) < 0 ||
        time_field_or_reply(r, "starts_at", false, &v.starts_at) < 0 ||
        time_field_or_reply(r, "ends_at", true, &v.ends_at) < 0)
        return r->status;
    const char *bad = lending_window_fault(v.created_at, v.starts_at, v.ends_at);
    if (bad)
        return reply_error(r, 422, "invalid_window", bad,
                           "a reservation starts within %d days and lasts at most %d hours",
                           LENDING_RESERVE_AHEAD_S / 86400, LENDING_RESERVE_WINDOW_S / 3600);
    struct site s;
    struct item_type t;
    struct store_conn *c = req_site_or_reply(r, &s);
    if (!c || item_or_reply(r, c, "item", code, &t))
        return r->status;
    if (!t.reservable)
        return reply_error(r, 422, "not_reservable", "item",
                           "%s is not scarce: ask for one at the counter", t.code);
    v.item_type_id = t.id;
    v.site_id = s.id;
    v.user_id = p->user_id;
    struct res_write w = {&r->arena, &v};
    int rc = req_tx(r, c, reserve_tx, &w);
    if (rc == LENDING_OUT_OF_STOCK)
        return reply_error(r, 409, "out_of_stock", "item", "no %s is free here to hold", t.code);
    if (rc == STORE_CONFLICT)
        return reply_error(r, 409, "already_reserved", "item",
                           "you hold a reservation of %s already", t.code);
    if (!rc)
        rc = reservation_get(c, &r->arena, v.id, &v);
    if (rc)
        return reply_store_error(r, rc, "reservation");
    return reply_json(r, 201, res_json(&v, r->app->cfg.tz_offset_min, false));
}

static int get_site_reservations(struct req *r)
{
    int64_t site_id;
    struct store_conn *c = req_id_store_or_reply(r, "site", &site_id);
    if (!c)
        return r->status;
    struct loan_reservation *vs;
    size_t n;
    int rc = reservation_list(c, &r->arena, site_id, 0, true, 200, &vs, &n);
    if (rc)
        return reply_store_error(r, rc, "reservation");
    return reply_json(
        r, 200,
        json_pack("{s:o}", "items", reservations_json(vs, n, r->app->cfg.tz_offset_min, true)));
}

struct cancel_write {
    int64_t id, user_id;
};

static int cancel_tx(struct store_conn *c, void *v)
{
    struct cancel_write *w = v;
    return reservation_cancel(c, w->id, w->user_id, clock_now());
}

static int post_my_reservation_cancel(struct req *r)
{
    const struct principal *p = req_principal(r);
    int64_t id;
    struct store_conn *c = req_id_store_or_reply(r, "reservation", &id);
    if (!c)
        return r->status;
    struct loan_reservation v;
    int rc = reservation_get(c, &r->arena, id, &v);
    if (rc == STORE_OK && v.user_id != p->user_id)
        rc = STORE_NOT_FOUND; /* another person's is none of mine */
    if (rc)
        return reply_store_error(r, rc, "reservation");
    if (strcmp(v.state, "active") != 0)
        return reply_error(r, 409, "not_active", NULL, "this reservation is %s", v.state);
    struct cancel_write w = {id, p->user_id};
    rc = req_tx(r, c, cancel_tx, &w);
    if (rc == STORE_CONFLICT)
        return reply_error(r, 409, "not_active", NULL, "this reservation has just ended");
    if (!rc)
        rc = reservation_get(c, &r->arena, id, &v);
    if (rc)
        return reply_store_error(r, rc, "reservation");
    return reply_json(r, 200, res_json(&v, r->app->cfg.tz_offset_min, false));
}

/* ---- timed work ---------------------------------------------------------------------- */

struct tick_work {
    struct arena *arena;
    int64_t now;
    int tz;
    int64_t expired;
    struct loan *marked;
    size_t nmarked;
};

/* "2026-06-03 14:00" in local time. */
static const char *local_minute(struct arena *a, int64_t t, int tz)
{
    char buf[40];
    clock_format_iso(t, tz, buf, sizeof buf);
    buf[10] = ' ';
    buf[16] = '\0';
    return arena_strdup(a, buf);
}

static int tick_tx(struct store_conn *c, void *v)
{
    struct tick_work *w = v;
    int rc = reservation_expire(c, w->arena, w->now, &w->expired);
    if (!rc)
        rc = loan_mark_overdue(c, w->arena, w->now, &w->marked, &w->nmarked);
    if (rc || !w->nmarked)
        return rc;
    struct item_type *ts;
    size_t nt;
    rc = item_type_list(c, w->arena, &ts, &nt);
    for (size_t i = 0; !rc && i < w->nmarked; i++) {
        const struct loan *l = &w->marked[i];
        if (!l->user_id)
            continue;
        const char *zh = "物品", *en = "item";
        for (size_t k = 0; k < nt; k++)
            if (ts[k].id == l->item_type_id)
                zh = ts[k].name_zh, en = ts[k].name_en;
        const char *due = local_minute(w->arena, l->due_at, w->tz);
        rc = inbox_post(
            c, l->user_id, "loan_overdue", arena_printf(w->arena, "借用的%s已到期", zh),
            arena_printf(w->arena, "Your borrowed %s is due back", en),
            arena_printf(w->arena, "您借用的%s已于 %s 到期，请归还到任意一个暖新站点。", zh, due),
            arena_printf(w->arena,
                         "The %s you borrowed was due on %s. Please bring it back to any "
                         "station.",
                         en, due),
            "/#/lending", 0);
        /* A borrower who cannot be posted to (gone) is no reason to stop. */
        if (rc == STORE_CONFLICT)
            rc = STORE_OK;
    }
    return rc;
}

static void lending_tick(struct app *app, struct store_conn *c, int64_t now)
{
    struct arena a;
    arena_init(&a);
    struct tick_work w = {&a, now, app->cfg.tz_offset_min, 0, NULL, 0};
    int rc = store_tx(c, tick_tx, &w);
    if (rc) {
        log_warn("lending: timed work failed (store result %d)", rc);
    } else {
        for (size_t i = 0; i < w.nmarked; i++)
            if (w.marked[i].user_id)
                app_changed(app, c, &inbox_module, INBOX_NEW, w.marked[i].user_id);
        if (w.nmarked || w.expired)
            log_info("lending: %zu loans overdue (reminded), %lld reservations expired", w.nmarked,
                     (long long)w.expired);
    }
    arena_release(&a);
}

/* ---- personal data --------------------------------------------------------------------- */

static int lending_export_personal(struct app *app, struct store_conn *c, struct arena *a,
                                   int64_t user_id, json_t **out)
{
    struct loan *ls;
    struct loan_reservation *vs;
    size_t n, nv;
    int rc = lending_export(c, a, user_id, &ls, &n, &vs, &nv);
    if (rc)
        return rc;
    if (!n && !nv)
        return STORE_OK;
    int tz = app->cfg.tz_offset_min;
    *out = json_pack("{s:o, s:o}", "loans", loans_json(ls, n, clock_now(), tz, false),
                     "reservations", reservations_json(vs, nv, tz, false));
    return STORE_OK;
}

static int lending_erase_personal(struct app *app, struct store_conn *c, int64_t user_id)
{
    struct arena a;
    arena_init(&a);
    int rc = lending_erase(c, &a, user_id, clock_now());
    arena_release(&a);
    return rc;
}

/* ---- demo data ------------------------------------------------------------------------- */

/* Made-up demo borrowers (numbers of a range no one is given). */
static const struct {
    const char *phone, *name, *occupation;
} demo_borrowers[] = {
    {"19900000001", "王小骑（演示）", "food_delivery"},
    {"19900000002", "李快递（演示）", "courier"},
    {"19900000003", "欣然（演示主播）", "livestream_host"},
};
#define NDEMO_BORROWERS (sizeof demo_borrowers / sizeof demo_borrowers[0])

static bool has_amenity(const struct site *s, const char *code, int64_t *count)
{
    for (size_t i = 0; i < s->namenities; i++)
        if (strcmp(s->amenities[i].code, code) == 0) {
            *count = s->amenities[i].count;
            return true;
        }
    return false;
}

/* How many of a type a demo site has: what its amenities say, else a few
 * of the everyday things everywhere. */
static int64_t demo_count(const struct site *s, const char *code)
{
    int64_t n = 0, k = s->id;
    if (strcmp(code, "raincoat") == 0)
        return has_amenity(s, "rain_gear", &n) && n > 0 ? (n < 30 ? n : 30) : 3 + k % 5;
    if (strcmp(code, "umbrella") == 0)
        return has_amenity(s, "umbrella", &n) && n > 0 ? (n < 20 ? n : 20) : 2 + k % 4;
    if (strcmp(code, "power_bank") == 0)
        return 2 + k % 4;
    if (strcmp(code, "phone_stand") == 0)
        return has_amenity(s, "phone_stand", &n) && n > 0 ? (n < 10 ? n : 10) : k % 3;
    if (strcmp(code, "repair_kit") == 0)
        return has_amenity(s, "repair_tools", &n) ? 2 : 0;
    if (strcmp(code, "livestream_light") == 0 || strcmp(code, "livestream_mic") == 0)
        return has_amenity(s, "livestream_gear", &n) ? 3 : 0;
    return 0;
}

/* The first site of a type whose name has text (NULL: any), with an
 * amenity (NULL: any); 0 when none. */
static int demo_site(struct store_conn *c, struct arena *a, const char *type, const char *text,
                     const char *amenity, int64_t *id)
{
    struct site_query q = {.type_code = type, .text = text, .limit = 1, .no_total = true};
    if (amenity) {
        q.amenities[0] = amenity;
        q.namenities = 1;
    }
    struct site *ss;
    size_t n;
    int64_t total;
    int rc = site_search(c, a, &q, &ss, &n, &total);
    *id = !rc && n ? ss[0].id : 0;
    return rc;
}

/* A demo loan of code at site to person, lent ago_s seconds before now;
 * returned at return_site (0: still out) an hour after it was lent. */
static int demo_loan(struct store_conn *c, struct arena *a, const char *code, int64_t site,
                     int64_t person, int64_t ago_s, int64_t return_site, int64_t now, int64_t limit)
{
    struct item_type t;
    int rc = item_type_get(c, a, code, &t);
    if (rc)
        return rc;
    struct loan l = {0};
    l.item_type_id = t.id;
    l.site_id = site;
    l.user_id = person;
    l.lent_at = now - ago_s;
    l.due_at = lending_due_at(l.lent_at, t.due_hours);
    l.note = "";
    rc = loan_lend(c, a, &l, limit, lending_type_limit(t.per_person_max, limit));
    if (!rc && return_site)
        rc = loan_close(c, a, l.id, "returned", return_site, 0, l.lent_at + 3600, NULL);
    return rc;
}

/* Stock at every demo site; the three demo borrowers with a raincoat
 * borrowed at the riders' centre and returned at a station, an umbrella
 * and a livestream light out, and a power bank overdue. */
static int lending_demo(struct app *app, struct store_conn *c, int *count)
{
    struct arena a;
    arena_init(&a);
    int64_t now = clock_now();
    *count = 0;
    struct item_type *ts;
    size_t nt;
    struct site_query q = {.limit = 100000, .no_total = true};
    struct site *ss;
    size_t ns;
    int64_t total;
    int rc = item_type_list(c, &a, &ts, &nt);
    if (!rc)
        rc = site_search(c, &a, &q, &ss, &ns, &total);
    for (size_t i = 0; !rc && i < ns; i++) {
        if (!ss[i].is_demo)
            continue;
        for (size_t k = 0; !rc && k < nt; k++) {
            int64_t n = demo_count(&ss[i], ts[k].code);
            if (n > 0)
                rc = stock_change(c, ss[i].id, ts[k].id, n, 0, now);
        }
        *count += !rc;
    }
    int64_t people[NDEMO_BORROWERS];
    for (size_t i = 0; !rc && i < NDEMO_BORROWERS; i++)
        rc = user_demo_person(c, &a, demo_borrowers[i].phone, demo_borrowers[i].name,
                              demo_borrowers[i].occupation, now, &people[i]);
    int64_t centre = 0, station = 0, base = 0;
    if (!rc)
        rc = demo_site(c, &a, "industry_hub", "%骑手综合服务中心%", "rain_gear", &centre);
    if (!rc)
        rc = demo_site(c, &a, "community_station", NULL, "fridge", &station);
    if (!rc)
        rc = demo_site(c, &a, "industry_hub", "%直播电商基地%", NULL, &base);
    int64_t limit = global_limit(app);
    if (!rc && centre && station) {
        rc = demo_loan(c, &a, "raincoat", centre, people[0], 2 * 86400, station, now, limit);
        if (!rc)
            rc = demo_loan(c, &a, "power_bank", station, people[0], 30 * 3600, 0, now, limit);
        if (!rc)
            rc = demo_loan(c, &a, "umbrella", centre, people[1], 2 * 3600, 0, now, limit);
    }
    if (!rc && base)
        rc = demo_loan(c, &a, "livestream_light", base, people[2], 3600, 0, now, limit);
    arena_release(&a);
    return rc;
}

/* ---- the module -------------------------------------------------------------------------- */

static const struct route lending_routes[] = {
    {HTTP_GET, "/api/item-types", get_item_types, ACCESS_PUBLIC, BODY_NONE, SCOPE_ANY},
    {HTTP_PUT, "/api/item-types/{code}", put_item_type, ACCESS_SYSTEM, BODY_JSON, SCOPE_ANY},
    {HTTP_GET, "/api/sites/{id}/items", get_site_items, ACCESS_PUBLIC, BODY_NONE, SCOPE_ANY},
    {HTTP_POST, "/api/sites/{id}/stock", post_stock, STAFF_AND_ADMINS, BODY_JSON, &site_scope_path},
    {HTTP_POST, "/api/loans", post_loan, STAFF_AND_ADMINS, BODY_JSON, SCOPE_ANY},
    {HTTP_POST, "/api/loans/{id}/return", post_return, STAFF_AND_ADMINS, BODY_JSON, SCOPE_ANY},
    {HTTP_POST, "/api/loans/{id}/damaged", post_damaged, STAFF_AND_ADMINS, BODY_JSON, SCOPE_ANY},
    {HTTP_POST, "/api/loans/{id}/lost", post_lost, STAFF_AND_ADMINS, BODY_JSON, SCOPE_ANY},
    {HTTP_GET, "/api/sites/{id}/loans", get_site_loans, STAFF_AND_ADMINS, BODY_NONE,
     &site_scope_path},
    {HTTP_GET, "/api/users/{id}/loans", get_user_loans, STAFF_AND_ADMINS, BODY_NONE, SCOPE_ANY},
    {HTTP_GET, "/api/me/loans", get_my_loans, ACCESS_SIGNED_IN, BODY_NONE, SCOPE_ANY},
    {HTTP_POST, "/api/sites/{id}/reservations", post_reservation, ACCESS_SIGNED_IN, BODY_JSON,
     SCOPE_ANY},
    {HTTP_GET, "/api/sites/{id}/reservations", get_site_reservations, STAFF_AND_ADMINS, BODY_NONE,
     &site_scope_path},
    {HTTP_POST, "/api/me/reservations/{id}/cancel", post_my_reservation_cancel, ACCESS_SIGNED_IN,
     BODY_NONE, SCOPE_ANY},
};

const struct module lending_module = {
    .name = "lending",
    .routes = lending_routes,
    .nroutes = sizeof lending_routes / sizeof lending_routes[0],
    .init = lending_init,
    .release = lending_release,
    .tick = lending_tick,
    .demo = lending_demo,
    .export_personal = lending_export_personal,
    .erase_personal = lending_erase_personal,
};
