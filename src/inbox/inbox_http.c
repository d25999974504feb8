/*
 * inbox_http.c - a person's notices:
 *   GET    /api/me/inbox  ?unread=1&limit=&before=   mine, newest first,
 * expired ones hidden: {items, unread, next_before} POST
 * /api/me/inbox/{id}/read                   mark one read POST
 * /api/me/inbox/read-all                    mark all read: {marked, unread}
 *   DELETE /api/me/inbox/{id}                        delete one
 *   GET    /api/me/inbox/events                      Server-Sent Events, mine
 * only: "notice" and "unread" POST   /api/users/{id}/notices  {title_zh,
 * title_en, body_zh?, body_en?, link?, expires_at?}    system admins: a message
 * from the office to a person Someone else's notice is 404, as if it did not
 * exist. The module also contributes the person's notices to GET /api/me/export
 * and deletes them with DELETE /api/me, and its tick delivers pending notices
 * through the provider WARMHARBOR_NOTIFY names ("none" by default).
 *
 * Events: the change INBOX_NEW / INBOX_READ carries the person's id; every
 * node's hook (this one's directly, the others' through NOTIFY) publishes
 * to the app's hub for that person only (sse_publish_to), so a stream opened
 * on any node hears of its own person's notices and of nobody else's. A
 * client refetches the list when it (re)connects and on "reset" (it fell
 * out of the hub's ring): after a lost connection between nodes there is
 * nothing per person to resynchronise, so nothing is pushed then.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account/account.h"
#include "app/app.h"
#include "core/clock.h"
#include "core/log.h"
#include "http/json_in.h"
#include "http/sse.h"
#include "inbox/inbox.h"
#include "store/store.h"

/* The module's state: the provider chosen at start. */
struct inbox_state {
    const struct notify_provider *provider;
};

static json_t *iso_or_null(int64_t t, int tz)
{
    char buf[40];
    return t ? json_string(clock_format_iso(t, tz, buf, sizeof buf)) : json_null();
}

static json_t *notice_json(const struct notice *n, int tz)
{
    json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s}", "id", (json_int_t)n->id, "kind",
                          n->kind, "title_zh", n->title_zh, "title_en", n->title_en, "body_zh",
                          n->body_zh, "body_en", n->body_en);
    json_object_set_new(o, "link", n->link ? json_string(n->link) : json_null());
    json_object_set_new(o, "created_at", iso_or_null(n->created_at, tz));
    json_object_set_new(o, "expires_at", iso_or_null(n->expires_at, tz));
    json_object_set_new(o, "read", json_boolean(n->read_at != 0));
    json_object_set_new(o, "read_at", iso_or_null(n->read_at, tz));
    return o;
}

/* ---- reads -------------------------------------------------------------- */

static int list_inbox(struct req *r)
{
    const struct principal *p = req_principal(r);
    int64_t limit, before;
    const char *unread = req_query(r, "unread");
    if (req_query_int_or_reply(r, "limit", 1, INBOX_LIST_MAX, 20, &limit) ||
        req_query_int_or_reply(r, "before", 1, INT64_MAX, 0, &before))
        return r->status;
    if (unread && strcmp(unread, "0") != 0 && strcmp(unread, "1") != 0)
        return reply_error(r, 400, "invalid_query", "unread", "unread is 0 or 1");
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    int64_t now = clock_now(), count;
    struct notice *ns;
    size_t n;
    int rc =
        inbox_list(c, &r->arena, p->user_id, unread && *unread == '1', before, limit, now, &ns, &n);
    if (!rc)
        rc = inbox_unread_count(c, &r->arena, p->user_id, now, &count);
    if (rc)
        return reply_store_error(r, rc, "notice");
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, notice_json(&ns[i], r->app->cfg.tz_offset_min));
    json_t *next = (int64_t)n == limit ? json_integer(ns[n - 1].id) : json_null();
    return reply_json(r, 200,
                      json_pack("{s:o, s:I, s:o}", "items", items, "unread", (json_int_t)count,
                                "next_before", next));
}

static int get_events(struct req *r)
{
    const struct principal *p = req_principal(r);
    return reply_sse_to(r, r->app->events, (uint64_t)p->user_id);
}

/* ---- the person's writes ---------------------------------------------- */

enum my_op { OP_READ, OP_READ_ALL, OP_DELETE };

struct my_write {
    enum my_op op;
    int64_t user_id, id, now;
    int64_t changed;
};

static int my_write_tx(struct store_conn *c, void *v)
{
    struct my_write *w = v;
    switch (w->op) {
    case OP_READ:
        return inbox_mark_read(c, w->user_id, w->id, w->now);
    case OP_READ_ALL:
        return inbox_mark_all_read(c, w->user_id, w->now, &w->changed);
    default:
        return inbox_delete(c, w->user_id, w->id, w->now);
    }
}

/* Run the write; 0, or -1 after replying. */
static int my_write_or_reply(struct req *r, struct store_conn *c, struct my_write *w)
{
    int rc = req_tx(r, c, my_write_tx, w);
    if (rc)
        return reply_store_error(r, rc, "notice"), -1;
    app_changed(r->app, c, &inbox_module, INBOX_READ, w->user_id);
    return 0;
}

static int post_read(struct req *r)
{
    const struct principal *p = req_principal(r);
    struct my_write w = {OP_READ, p->user_id, 0, clock_now(), 0};
    if (req_param_id_or_reply(r, "id", "notice", &w.id))
        return r->status;
    struct store_conn *c = req_store_or_reply(r);
    if (!c || my_write_or_reply(r, c, &w))
        return r->status;
    struct notice n;
    int rc = inbox_get(c, &r->arena, p->user_id, w.id, w.now, &n);
    if (rc)
        return reply_store_error(r, rc, "notice");
    return reply_json(r, 200, notice_json(&n, r->app->cfg.tz_offset_min));
}

static int post_read_all(struct req *r)
{
    const struct principal *p = req_principal(r);
    struct my_write w = {OP_READ_ALL, p->user_id, 0, clock_now(), 0};
    struct store_conn *c = req_store_or_reply(r);
    if (!c || my_write_or_reply(r, c, &w))
        return r->status;
    int64_t count = 0;
    int rc = inbox_unread_count(c, &r->arena, p->user_id, w.now, &count);
    if (rc)
        return reply_store_error(r, rc, "notice");
    return reply_json(
        r, 200,
        json_pack("{s:I, s:I}", "marked", (json_int_t)w.changed, "unread", (json_int_t)count));
}

static int delete_notice(struct req *r)
{
    const struct principal *p = req_principal(r);
    struct my_write w = {OP_DELETE, p->user_id, 0, clock_now(), 0};
    if (req_param_id_or_reply(r, "id", "notice", &w.id))
        return r->status;
    struct store_conn *c = req_store_or_reply(r);
    if (!c || my_write_or_reply(r, c, &w))
        return r->status;
    return reply_empty(r, 204);
}

/* ---- a message from the office -------------------------------------- */

struct office_post {
    struct notice n;
    int64_t by;
    const char *address;
};

static int office_tx(struct store_conn *c, void *v)
{
    struct office_post *o = v;
    int rc = inbox_add(c, &o->n);
    if (!rc) {
        char target[24], detail[32];
        snprintf(target, sizeof target, "%lld", (long long)o->n.user_id);
        snprintf(detail, sizeof detail, "notice %lld", (long long)o->n.id);
        rc =
            audit_add(c, o->by, "send_notice", "user", target, o->address, detail, o->n.created_at);
    }
    return rc;
}

static const char *const office_fields[] = {"title_zh", "title_en",   "body_zh", "body_en",
                                            "link",     "expires_at", NULL};

static int post_user_notice(struct req *r)
{
    const struct principal *p = req_principal(r);
    struct office_post o = {.by = p->user_id, .address = req_client_address(r)};
    struct notice *n = &o.n;
    const char *expires = NULL;
    n->kind = "office_message";
    if (req_param_id_or_reply(r, "id", "person", &n->user_id) ||
        json_in_only_or_reply(r, r->json, NULL, office_fields) ||
        json_in_string(r, r->json, NULL, "title_zh", INBOX_TITLE_MAX, true, &n->title_zh) < 0 ||
        json_in_string(r, r->json, NULL, "title_en", INBOX_TITLE_MAX, true, &n->title_en) < 0 ||
        json_in_string(r, r->json, NULL, "body_zh", INBOX_BODY_MAX, false, &n->body_zh) < 0 ||
        json_in_string(r, r->json, NULL, "body_en", INBOX_BODY_MAX, false, &n->body_en) < 0 ||
        json_in_string(r, r->json, NULL, "link", INBOX_LINK_MAX, false, &n->link) < 0 ||
        json_in_string(r, r->json, NULL, "expires_at", 64, false, &expires) < 0)
        return r->status;
    int tz = r->app->cfg.tz_offset_min;
    if (n->link && !inbox_link_is_valid(n->link))
        return reply_error(r, 422, "invalid_field", "link",
                           "link is a path in the app, such as /#/bookings/12");
    if (expires && (clock_parse_iso(expires, tz, &n->expires_at) || n->expires_at <= clock_now()))
        return reply_error(r, 422, "invalid_field", "expires_at",
                           "expires_at is an ISO-8601 time in the future");
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    struct user u;
    int rc = user_get(c, &r->arena, n->user_id, &u);
    if (!rc && !u.phone)
        rc = STORE_NOT_FOUND; /* erased: nobody to tell */
    if (!rc)
        rc = req_tx(r, c, office_tx, &o);
    if (rc)
        return reply_store_error(r, rc, "person");
    app_changed(r->app, c, &inbox_module, INBOX_NEW, n->user_id);
    return reply_json(r, 201, notice_json(n, tz));
}

/* ---- every node's streams --------------------------------------------- */

/* Push the person's news to their own streams on this node: "notice" with
 * the newest notice and the unread count, or "unread" with the count. */
static void inbox_changed(struct app *app, struct store_conn *c, const struct change *ch)
{
    if (!ch || ch->module != &inbox_module || ch->id <= 0)
        return; /* nothing personal to resynchronise: clients refetch on
                   reconnect */
    struct arena a;
    arena_init(&a);
    int64_t now = clock_now(), unread = 0;
    struct notice *ns = NULL;
    size_t n = 0;
    int rc = inbox_unread_count(c, &a, ch->id, now, &unread);
    if (!rc && ch->kind == INBOX_NEW)
        rc = inbox_list(c, &a, ch->id, false, 0, 1, now, &ns, &n);
    if (rc) {
        log_warn("inbox: the streams of person %lld were not told of a change (store result %d)",
                 (long long)ch->id, rc);
    } else {
        json_t *o = n ? notice_json(&ns[0], app->cfg.tz_offset_min) : json_object();
        json_object_set_new(o, "unread", json_integer(unread));
        char *data = json_dumps(o, JSON_COMPACT);
        if (!data)
            die_oom();
        sse_publish_to(app->events, (uint64_t)ch->id, n ? "notice" : "unread", data);
        free(data);
        json_decref(o);
    }
    arena_release(&a);
}

/* ---- delivery ------------------------------------------------------------ */

static void inbox_tick(struct app *app, struct store_conn *c, int64_t now)
{
    struct inbox_state *st = app_state(app, &inbox_module);
    int64_t purged = 0;
    if (inbox_purge_expired(c, now, &purged))
        log_warn("inbox: expired notices were not purged");
    char node[24];
    snprintf(node, sizeof node, "%016llx", (unsigned long long)app->node_id);
    struct inbox_delivery d;
    int rc = inbox_deliver(c, st->provider, node, now, &d);
    if (rc)
        log_warn("inbox: delivery stopped early (store result %d)", rc);
    if (d.claimed || d.skipped || d.gave_up || purged)
        log_info(
            "inbox: notify %s: %lld claimed, %lld sent, %lld to retry, %lld failed, %lld skipped,"
            " %lld given up; %lld expired purged",
            st->provider->name, (long long)d.claimed, (long long)d.sent, (long long)d.retried,
            (long long)d.failed, (long long)d.skipped, (long long)d.gave_up, (long long)purged);
}

static int inbox_init(struct app *app, void **state)
{
    const char *name = getenv("WARMHARBOR_NOTIFY");
    if (!name || !*name)
        name = "none";
    const struct notify_provider *p = notify_provider_by_name(name);
    if (!p) {
        log_error("WARMHARBOR_NOTIFY=%s: no such notification provider (there are: %s)", name,
                  notify_provider_names());
        return -1;
    }
    char err[200] = "";
    if (p->start && p->start(err, sizeof err)) {
        log_error("notification provider %s cannot start: %s", p->name, err);
        return -1;
    }
    struct inbox_state *st = calloc(1, sizeof(*st));
    if (!st)
        die_oom();
    st->provider = p;
    *state = st;
    return 0;
}

static void inbox_release(struct app *app, void *state)
{
    free(state);
}

/* ---- personal data ------------------------------------------------------ */

static int inbox_export_personal(struct app *app, struct store_conn *c, struct arena *a,
                                 int64_t user_id, json_t **out)
{
    struct notice *ns;
    size_t n;
    int rc = inbox_export(c, a, user_id, &ns, &n);
    if (rc)
        return rc;
    int tz = app->cfg.tz_offset_min;
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *o = notice_json(&ns[i], tz);
        json_object_set_new(o, "delivery", json_string(ns[i].delivery));
        json_object_set_new(o, "delivery_attempts", json_integer(ns[i].delivery_attempts));
        json_object_set_new(o, "delivered_at", iso_or_null(ns[i].delivered_at, tz));
        json_object_set_new(o, "delivery_error",
                            ns[i].delivery_error ? json_string(ns[i].delivery_error) : json_null());
        json_array_append_new(items, o);
    }
    *out = json_pack("{s:o}", "notices", items);
    return STORE_OK;
}

static int inbox_erase_personal(struct app *app, struct store_conn *c, int64_t user_id)
{
    return inbox_erase_user(c, user_id);
}

static const struct route inbox_routes[] = {
    {HTTP_GET, "/api/me/inbox", list_inbox, ACCESS_SIGNED_IN, BODY_NONE, SCOPE_ANY},
    {HTTP_GET, "/api/me/inbox/events", get_events, ACCESS_SIGNED_IN, BODY_NONE, SCOPE_ANY},
    {HTTP_POST, "/api/me/inbox/read-all", post_read_all, ACCESS_SIGNED_IN, BODY_NONE, SCOPE_ANY},
    {HTTP_POST, "/api/me/inbox/{id}/read", post_read, ACCESS_SIGNED_IN, BODY_NONE, SCOPE_ANY},
    {HTTP_DELETE, "/api/me/inbox/{id}", delete_notice, ACCESS_SIGNED_IN, BODY_NONE, SCOPE_ANY},
    {HTTP_POST, "/api/users/{id}/notices", post_user_notice, ACCESS_SYSTEM, BODY_JSON, SCOPE_ANY},
};

static const char *const inbox_changes[] = {"new", "read", NULL};

const struct module inbox_module = {
    .name = "inbox",
    .routes = inbox_routes,
    .nroutes = sizeof inbox_routes / sizeof inbox_routes[0],
    .change_kinds = inbox_changes,
    .init = inbox_init,
    .release = inbox_release,
    .changed = inbox_changed,
    .tick = inbox_tick,
    .export_personal = inbox_export_personal,
    .erase_personal = inbox_erase_personal,
};
