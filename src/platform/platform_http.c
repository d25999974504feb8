/*
 * platform_http.c - the platforms a worker can name:
 *   GET   /api/platforms            everyone (the register and "me" pickers)
 *   POST  /api/platforms            {code, name_zh, name_en?, position?}   system admins
 *   PATCH /api/platforms/{code}     {name_zh?, name_en?, position?, retired?}   system admins
 * A code never changes (accounts hold it); renaming changes the names,
 * retiring stops offering it. Nothing is deleted: a retired platform
 * still names itself on the accounts that chose it. Changes are audited.
 */
#include <stdio.h>

#include "account/account.h"
#include "app/app.h"
#include "core/clock.h"
#include "core/text.h"
#include "http/json_in.h"
#include "platform/platform.h"
#include "store/store.h"

static json_t *platform_json(const struct platform *p)
{
    return json_pack("{s:s, s:s, s:s, s:I, s:b}", "code", p->code, "name_zh", p->name_zh, "name_en",
                     p->name_en ? p->name_en : "", "position", (json_int_t)p->position, "retired",
                     p->retired_at != 0);
}

static int list_platforms(struct req *r)
{
    struct store_conn *c = req_store_or_reply(r);
    struct platform *ps;
    size_t n;
    if (!c)
        return r->status;
    int rc = platform_list(c, &r->arena, &ps, &n);
    if (rc)
        return reply_store_error(r, rc, "platform");
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, platform_json(&ps[i]));
    return reply_json(r, 200, json_pack("{s:o}", "items", items));
}

static const char *const create_fields[] = {"code", "name_zh", "name_en", "position", NULL};
static const char *const update_fields[] = {"name_zh", "name_en", "position", "retired", NULL};

/* A code is kept inside a comma list: letters, digits, '_', '-' or '.'. */
static int create_platform(struct req *r)
{
    const struct principal *who = req_principal(r);
    struct platform p = {0};
    p.name_en = "";
    p.position = 500;
    if (json_in_only_or_reply(r, r->json, NULL, create_fields) ||
        json_in_string(r, r->json, NULL, "code", 32, true, &p.code) < 0 ||
        json_in_string(r, r->json, NULL, "name_zh", 60, true, &p.name_zh) < 0 ||
        json_in_string(r, r->json, NULL, "name_en", 60, false, &p.name_en) < 0 ||
        json_in_int(r, r->json, NULL, "position", 0, 100000, false, &p.position) < 0)
        return r->status;
    if (!text_is_code(p.code))
        return reply_error(r, 422, "invalid_field", "code",
                           "code is 1-32 letters, digits, '_', '-' or '.'");
    if (!*p.name_zh)
        return reply_error(r, 422, "invalid_field", "name_zh", "name_zh is empty");
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    int64_t now = clock_now();
    int rc = platform_insert(c, &r->arena, &p, who->user_id, now);
    if (rc == STORE_CONFLICT)
        return reply_error(r, 409, "code_taken", "code", "a platform with code %s exists", p.code);
    if (rc)
        return reply_store_error(r, rc, "platform");
    audit_add(c, who->user_id, "add_platform", "platform", p.code, req_client_address(r), p.name_zh,
              now);
    return reply_json(r, 201, platform_json(&p));
}

static int update_platform(struct req *r)
{
    const struct principal *who = req_principal(r);
    const char *name_zh = NULL, *name_en = NULL;
    int64_t position = -1;
    json_t *retired = json_object_get(r->json, "retired");
    if (json_in_only_or_reply(r, r->json, NULL, update_fields) ||
        json_in_string(r, r->json, NULL, "name_zh", 60, false, &name_zh) < 0 ||
        json_in_string(r, r->json, NULL, "name_en", 60, false, &name_en) < 0 ||
        json_in_int(r, r->json, NULL, "position", 0, 100000, false, &position) < 0)
        return r->status;
    if (retired && !json_is_boolean(retired))
        return reply_error(r, 422, "invalid_field", "retired", "retired is true or false");
    if (name_zh && !*name_zh)
        return reply_error(r, 422, "invalid_field", "name_zh", "name_zh is empty");
    struct store_conn *c = req_store_or_reply(r);
    struct platform p;
    if (!c)
        return r->status;
    int rc = platform_get(c, &r->arena, req_param(r, "code"), &p);
    if (rc)
        return reply_store_error(r, rc, "platform");
    int64_t now = clock_now();
    if (name_zh)
        p.name_zh = name_zh;
    if (name_en)
        p.name_en = name_en;
    if (position >= 0)
        p.position = position;
    if (retired)
        p.retired_at = json_is_true(retired) ? (p.retired_at ? p.retired_at : now) : 0;
    rc = platform_update(c, &p, who->user_id, now);
    if (rc)
        return reply_store_error(r, rc, "platform");
    audit_add(
        c, who->user_id, "change_platform", "platform", p.code, req_client_address(r),
        arena_printf(&r->arena, "%s / %s%s", p.name_zh, p.name_en, p.retired_at ? ", retired" : ""),
        now);
    return reply_json(r, 200, platform_json(&p));
}

static const struct route platform_routes[] = {
    {HTTP_GET, "/api/platforms", list_platforms, ACCESS_PUBLIC, BODY_NONE, SCOPE_ANY},
    {HTTP_POST, "/api/platforms", create_platform, ACCESS_SYSTEM, BODY_JSON, SCOPE_ANY},
    {HTTP_PATCH, "/api/platforms/{code}", update_platform, ACCESS_SYSTEM, BODY_JSON, SCOPE_ANY},
};

const struct module platform_module = {
    .name = "platform",
    .routes = platform_routes,
    .nroutes = sizeof platform_routes / sizeof platform_routes[0],
};
