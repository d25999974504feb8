/*
 * points_http.c - points:
 *   GET /api/points/rules                      anyone: what each reason is
 * worth PUT /api/points/rules {rules: [...]}       system admins: replace them
 *   GET /api/me/points ?limit=&offset=         signed in: balance, soon to
 *                                              expire, history
 *   GET /api/points/leaders ?squad=&street=&limit=
 *                                              signed in: balances of a squad's
 *                                              members or a street's squads'
 *                                              (display names only)
 * The tick writes the expiry rows of awards that are due.
 */
#include <string.h>

#include "app/app.h"
#include "core/clock.h"
#include "core/log.h"
#include "http/json_in.h"
#include "points/points.h"
#include "region/region.h"
#include "store/store.h"

static json_t *time_json(struct req *r, int64_t t)
{
    char buf[40];
    return t ? json_string(clock_format_iso(t, r->app->cfg.tz_offset_min, buf, sizeof buf))
             : json_null();
}

static json_t *rule_json(const struct points_rule *p)
{
    return json_pack("{s:s, s:I, s:I, s:I}", "reason", p->reason, "coefficient_pct",
                     (json_int_t)p->coefficient_pct, "daily_cap", (json_int_t)p->daily_cap,
                     "place_cap", (json_int_t)p->place_cap);
}

static int reply_rules(struct req *r, struct store_conn *c)
{
    struct points_rule *rules;
    size_t n;
    int rc = points_rules_list(c, &r->arena, &rules, &n);
    if (rc)
        return reply_store_error(r, rc, "rules");
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, rule_json(&rules[i]));
    return reply_json(r, 200, json_pack("{s:o}", "rules", items));
}

static int get_rules(struct req *r)
{
    struct store_conn *c = req_store_or_reply(r);
    return c ? reply_rules(r, c) : r->status;
}

struct rules_write {
    const struct points_rule *rules;
    size_t n;
    int64_t by, now;
};

static int rules_tx(struct store_conn *c, void *v)
{
    struct rules_write *w = v;
    return points_rules_replace(c, w->rules, w->n, w->by, w->now);
}

static const char *const rules_fields[] = {"rules", NULL};
static const char *const rule_fields[] = {"reason", "coefficient_pct", "daily_cap", "place_cap",
                                          NULL};

static int put_rules(struct req *r)
{
    if (json_in_only_or_reply(r, r->json, NULL, rules_fields))
        return r->status;
    json_t *arr = json_object_get(r->json, "rules");
    if (!arr)
        return reply_error(r, 422, "missing_field", "rules", "rules is required");
    if (!json_is_array(arr) || json_array_size(arr) > POINTS_RULES_MAX)
        return reply_error(r, 422, "invalid_field", "rules", "rules is a list of at most %d",
                           POINTS_RULES_MAX);
    size_t n = json_array_size(arr);
    struct points_rule *rules = arena_calloc(&r->arena, n ? n : 1, sizeof(*rules));
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_array_get(arr, i);
        const char *prefix = arena_printf(&r->arena, "rules[%zu]", i);
        struct points_rule *p = &rules[i];
        p->coefficient_pct = 100;
        if (json_in_object_or_reply(r, o, prefix) ||
            json_in_only_or_reply(r, o, prefix, rule_fields) ||
            json_in_string(r, o, prefix, "reason", POINTS_REASON_MAX, true, &p->reason) < 0 ||
            json_in_int(r, o, prefix, "coefficient_pct", 0, POINTS_COEFFICIENT_MAX, false,
                        &p->coefficient_pct) < 0 ||
            json_in_int(r, o, prefix, "daily_cap", 0, 1000000, false, &p->daily_cap) < 0 ||
            json_in_int(r, o, prefix, "place_cap", 0, 1000, false, &p->place_cap) < 0)
            return r->status;
        if (!points_reason_is_valid(p->reason))
            return reply_error(r, 422, "invalid_field",
                               arena_printf(&r->arena, "%s.reason", prefix),
                               "a reason is like report, report:road_damage or "
                               "volunteer_hour");
        for (size_t j = 0; j < i; j++)
            if (strcmp(rules[j].reason, p->reason) == 0)
                return reply_error(r, 422, "duplicate_reason",
                                   arena_printf(&r->arena, "%s.reason", prefix),
                                   "%s is given twice", p->reason);
    }
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    struct rules_write w = {rules, n, req_principal(r)->user_id, clock_now()};
    int rc = req_tx(r, c, rules_tx, &w);
    if (rc)
        return reply_store_error(r, rc, "rules");
    return reply_rules(r, c);
}

static json_t *entry_json(struct req *r, const struct points_entry *e)
{
    json_t *j = json_pack("{s:I, s:s, s:s, s:s, s:I, s:I}", "id", (json_int_t)e->id, "kind",
                          e->kind, "reason", e->reason, "ref_type", e->ref_type, "ref_id",
                          (json_int_t)e->ref_id, "points", (json_int_t)e->points);
    json_object_set_new(j, "at", time_json(r, e->created_at));
    json_object_set_new(j, "expires_at", time_json(r, e->expires_at));
    return j;
}

static int get_my_points(struct req *r)
{
    int64_t limit, offset;
    if (req_query_int_or_reply(r, "limit", 1, 200, 50, &limit) ||
        req_query_int_or_reply(r, "offset", 0, 1000000, 0, &offset))
        return r->status;
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    int64_t me = req_principal(r)->user_id, now = clock_now();
    int64_t balance = 0, expiring = 0, total = 0;
    /* What expires at the next year end, if nothing else is earned. */
    int64_t next_end = points_expiry(now, r->app->cfg.tz_offset_min);
    int64_t this_end = next_end - 1;
    {
        int32_t d = points_day(now, r->app->cfg.tz_offset_min);
        this_end = clock_days_from_civil(d / 10000 + 1, 1, 1) * 86400 -
                   (int64_t)r->app->cfg.tz_offset_min * 60;
    }
    struct points_entry *es;
    size_t n;
    int rc = points_balance(c, &r->arena, me, &balance);
    if (!rc)
        rc = points_expiring(c, &r->arena, me, this_end, &expiring);
    if (!rc)
        rc = points_history(c, &r->arena, me, limit, offset, &es, &n, &total);
    if (rc)
        return reply_store_error(r, rc, "points");
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, entry_json(r, &es[i]));
    json_t *j = json_pack("{s:I, s:{s:I, s:o}, s:I, s:o}", "balance", (json_int_t)balance,
                          "expiring", "points", (json_int_t)expiring, "at", time_json(r, this_end),
                          "total", (json_int_t)total, "items", items);
    return reply_json(r, 200, j);
}

static int get_leaders(struct req *r)
{
    int64_t squad, limit;
    const char *street = req_query(r, "street");
    if (req_query_int_or_reply(r, "squad", 0, INT64_MAX, 0, &squad) ||
        req_query_int_or_reply(r, "limit", 1, 100, 20, &limit))
        return r->status;
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    int64_t street_id = 0;
    if (street) {
        struct region g;
        int rc = region_get(c, &r->arena, street, &g);
        if (rc == STORE_NOT_FOUND || (!rc && strcmp(g.level, "street") != 0))
            return reply_error(r, 400, "invalid_query", "street", "no street has code %s", street);
        if (rc)
            return reply_store_error(r, rc, "street");
        street_id = g.id;
    }
    struct points_leader *ls;
    size_t n;
    int rc = points_leaders(c, &r->arena, squad, street_id, limit, &ls, &n);
    if (rc)
        return reply_store_error(r, rc, "points");
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, json_pack("{s:I, s:s, s:I}", "rank", (json_int_t)(i + 1),
                                               "display_name", ls[i].display_name, "points",
                                               (json_int_t)ls[i].points));
    return reply_json(r, 200, json_pack("{s:o}", "items", items));
}

/* ---- module hooks ------------------------------------------------------- */

static int points_init(struct app *app, void **state)
{
    points_set_tz(app->cfg.tz_offset_min);
    *state = NULL;
    return 0;
}

static void points_tick(struct app *app, struct store_conn *c, int64_t now)
{
    int64_t n = 0;
    int rc = points_expire_due(c, now, &n);
    if (rc)
        log_warn("points: writing expiries failed: store result %d", rc);
}

static int points_export(struct app *app, struct store_conn *c, struct arena *a, int64_t user_id,
                         json_t **out)
{
    struct points_entry *es;
    size_t n;
    int64_t total;
    int rc = points_history(c, a, user_id, 100000, 0, &es, &n, &total);
    if (rc)
        return rc;
    if (!n)
        return STORE_OK;
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, json_pack("{s:s, s:s, s:s, s:I, s:I, s:I}", "kind", es[i].kind,
                                               "reason", es[i].reason, "ref_type", es[i].ref_type,
                                               "ref_id", (json_int_t)es[i].ref_id, "points",
                                               (json_int_t)es[i].points, "at",
                                               (json_int_t)es[i].created_at));
    *out = json_pack("{s:o}", "ledger", items);
    return STORE_OK;
}

static int points_erase(struct app *app, struct store_conn *c, int64_t user_id)
{
    return points_erase_user(c, user_id);
}

static const struct route points_routes[] = {
    {HTTP_GET, "/api/points/rules", get_rules, ACCESS_PUBLIC, BODY_NONE, SCOPE_ANY},
    {HTTP_PUT, "/api/points/rules", put_rules, ACCESS_SYSTEM, BODY_JSON, SCOPE_ANY},
    {HTTP_GET, "/api/me/points", get_my_points, ACCESS_SIGNED_IN, BODY_NONE, SCOPE_ANY},
    {HTTP_GET, "/api/points/leaders", get_leaders, ACCESS_SIGNED_IN, BODY_NONE, SCOPE_ANY},
};

const struct module points_module = {
    .name = "points",
    .routes = points_routes,
    .nroutes = sizeof points_routes / sizeof points_routes[0],
    .init = points_init,
    .tick = points_tick,
    .export_personal = points_export,
    .erase_personal = points_erase,
};
