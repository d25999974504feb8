/*
 * catalog_http.c - routes for the site-type and amenity catalogues:
 *   GET /api/site-types, GET /api/site-types/{code},
 *   POST /api/site-types, PATCH|DELETE /api/site-types/{code}   (admin)
 *   GET /api/amenities,  GET /api/amenities/{code},
 *   POST /api/amenities,  PATCH|DELETE /api/amenities/{code}    (admin)
 * A type or amenity still used by a site cannot be deleted (409 in_use).
 */
#include <stdio.h>

#include "app/app.h"
#include "catalog/catalog.h"
#include "core/clock.h"
#include "core/text.h"
#include "http/json_in.h"
#include "store/store.h"

/* ---- shared -------------------------------------------------------- */

/* code, name_zh, name_en: the fields every catalogue entry has. */
struct entry_names {
    const char *code, *name_zh, *name_en;
};

static int read_names_or_reply(struct req *r, bool create, struct entry_names *n)
{
    if (json_in_string(r, r->json, NULL, "code", 64, create, &n->code) < 0 ||
        json_in_string(r, r->json, NULL, "name_zh", 200, create, &n->name_zh) < 0 ||
        json_in_string(r, r->json, NULL, "name_en", 200, false, &n->name_en) < 0)
        return -1;
    if (n->code && !text_is_code(n->code))
        return reply_error(r, 422, "invalid_field", "code",
                           "code is 1-64 letters, digits, '_', '-' or '.'"),
               -1;
    return 0;
}

/* Commit a single write; maps a unique-code conflict to 409 code_taken. */
static int finish_write(struct req *r, int rc, const char *what, const char *code)
{
    if (rc == STORE_CONFLICT)
        return reply_error(r, 409, "code_taken", "code", "a %s with code %s exists", what, code);
    return reply_store_error(r, rc, what);
}

/* ---- site types ---------------------------------------------------- */

static json_t *type_json(const struct site_type *t)
{
    json_t *o = json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)t->id, "code", t->code,
                          "name_zh", t->name_zh, "name_en", t->name_en ? t->name_en : "");
    json_object_set_new(o, "tier", t->tier ? json_integer(t->tier) : json_null());
    return o;
}

static const char *const type_fields[] = {"code", "name_zh", "name_en", "tier", NULL};

static int read_tier_or_reply(struct req *r, int *tier, bool *set)
{
    json_t *v = json_object_get(r->json, "tier");
    *set = v != NULL;
    if (!v || json_is_null(v)) {
        *tier = 0;
        return 0;
    }
    int64_t t;
    if (json_in_int(r, r->json, NULL, "tier", 1, 3, false, &t) < 0)
        return -1;
    *tier = (int)t;
    return 0;
}

static int list_types(struct req *r)
{
    struct store_conn *c = req_store_or_reply(r);
    struct site_type *ts;
    size_t n;
    if (!c)
        return r->status;
    int rc = site_type_list(c, &r->arena, &ts, &n);
    if (rc)
        return reply_store_error(r, rc, "site type");
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, type_json(&ts[i]));
    return reply_json(r, 200, json_pack("{s:o, s:I}", "items", items, "total", (json_int_t)n));
}

static int get_type(struct req *r)
{
    struct store_conn *c = req_store_or_reply(r);
    struct site_type t;
    if (!c)
        return r->status;
    int rc = site_type_get(c, &r->arena, req_param(r, "code"), &t);
    if (rc)
        return reply_store_error(r, rc, "site type");
    return reply_json(r, 200, type_json(&t));
}

static int create_type(struct req *r)
{
    struct entry_names n = {0};
    struct site_type t = {0};
    bool tier_set;
    if (json_in_only_or_reply(r, r->json, NULL, type_fields) || read_names_or_reply(r, true, &n) ||
        read_tier_or_reply(r, &t.tier, &tier_set))
        return r->status;
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    t.code = n.code;
    t.name_zh = n.name_zh;
    t.name_en = n.name_en;
    int rc = site_type_insert(c, &r->arena, &t, clock_now());
    if (rc)
        return finish_write(r, rc, "site type", t.code);
    app_changed(r->app, c, &catalog_module, CATALOG_CHANGED, t.id);
    return reply_json(r, 201, type_json(&t));
}

static int update_type(struct req *r)
{
    struct entry_names n = {0};
    int tier;
    bool tier_set;
    if (json_in_only_or_reply(r, r->json, NULL, type_fields) || read_names_or_reply(r, false, &n) ||
        read_tier_or_reply(r, &tier, &tier_set))
        return r->status;
    struct store_conn *c = req_store_or_reply(r);
    struct site_type t;
    if (!c)
        return r->status;
    int rc = site_type_get(c, &r->arena, req_param(r, "code"), &t);
    if (rc)
        return reply_store_error(r, rc, "site type");
    if (n.code)
        t.code = n.code;
    if (n.name_zh)
        t.name_zh = n.name_zh;
    if (n.name_en)
        t.name_en = n.name_en;
    if (tier_set)
        t.tier = tier;
    rc = site_type_update(c, &t, clock_now());
    if (rc)
        return finish_write(r, rc, "site type", t.code);
    app_changed(r->app, c, &catalog_module, CATALOG_CHANGED, t.id);
    return reply_json(r, 200, type_json(&t));
}

static int delete_type(struct req *r)
{
    struct store_conn *c = req_store_or_reply(r);
    struct site_type t;
    if (!c)
        return r->status;
    int rc = site_type_get(c, &r->arena, req_param(r, "code"), &t);
    if (!rc)
        rc = site_type_delete(c, t.id);
    if (rc == STORE_CONFLICT)
        return reply_error(r, 409, "in_use", NULL, "sites still have type %s", t.code);
    if (rc)
        return reply_store_error(r, rc, "site type");
    app_changed(r->app, c, &catalog_module, CATALOG_CHANGED, t.id);
    return reply_empty(r, 204);
}

/* ---- amenities ----------------------------------------------------- */

static json_t *amenity_json(const struct amenity *m)
{
    return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s}", "id", (json_int_t)m->id, "code", m->code,
                     "name_zh", m->name_zh, "name_en", m->name_en ? m->name_en : "", "icon",
                     m->icon ? m->icon : "", "kind", m->kind);
}

static const char *const amenity_fields[] = {"code", "name_zh", "name_en", "icon", "kind", NULL};

static int read_amenity_or_reply(struct req *r, bool create, struct amenity *m)
{
    struct entry_names n = {0};
    if (json_in_only_or_reply(r, r->json, NULL, amenity_fields) ||
        read_names_or_reply(r, create, &n) ||
        json_in_string(r, r->json, NULL, "icon", 64, false, &m->icon) < 0 ||
        json_in_string(r, r->json, NULL, "kind", 16, create, &m->kind) < 0)
        return -1;
    if (m->kind && !amenity_kind_is_valid(m->kind))
        return reply_error(r, 422, "invalid_field", "kind", "kind is boolean or counted"), -1;
    if (m->icon && *m->icon && !text_is_code(m->icon))
        return reply_error(r, 422, "invalid_field", "icon",
                           "icon is a name of letters, digits, '_', '-' or '.'"),
               -1;
    m->code = n.code;
    m->name_zh = n.name_zh;
    m->name_en = n.name_en;
    return 0;
}

static int list_amenities(struct req *r)
{
    struct store_conn *c = req_store_or_reply(r);
    struct amenity *ms;
    size_t n;
    if (!c)
        return r->status;
    int rc = amenity_list(c, &r->arena, &ms, &n);
    if (rc)
        return reply_store_error(r, rc, "amenity");
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, amenity_json(&ms[i]));
    return reply_json(r, 200, json_pack("{s:o, s:I}", "items", items, "total", (json_int_t)n));
}

static int get_amenity(struct req *r)
{
    struct store_conn *c = req_store_or_reply(r);
    struct amenity m;
    if (!c)
        return r->status;
    int rc = amenity_get(c, &r->arena, req_param(r, "code"), &m);
    if (rc)
        return reply_store_error(r, rc, "amenity");
    return reply_json(r, 200, amenity_json(&m));
}

static int create_amenity(struct req *r)
{
    struct amenity m = {0};
    if (read_amenity_or_reply(r, true, &m))
        return r->status;
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    int rc = amenity_insert(c, &r->arena, &m, clock_now());
    if (rc)
        return finish_write(r, rc, "amenity", m.code);
    app_changed(r->app, c, &catalog_module, CATALOG_CHANGED, m.id);
    return reply_json(r, 201, amenity_json(&m));
}

static int update_amenity(struct req *r)
{
    struct amenity patch = {0};
    if (read_amenity_or_reply(r, false, &patch))
        return r->status;
    struct store_conn *c = req_store_or_reply(r);
    struct amenity m;
    if (!c)
        return r->status;
    int rc = amenity_get(c, &r->arena, req_param(r, "code"), &m);
    if (rc)
        return reply_store_error(r, rc, "amenity");
    if (patch.code)
        m.code = patch.code;
    if (patch.name_zh)
        m.name_zh = patch.name_zh;
    if (patch.name_en)
        m.name_en = patch.name_en;
    if (patch.icon)
        m.icon = patch.icon;
    if (patch.kind)
        m.kind = patch.kind;
    rc = amenity_update(c, &m, clock_now());
    if (rc)
        return finish_write(r, rc, "amenity", m.code);
    app_changed(r->app, c, &catalog_module, CATALOG_CHANGED, m.id);
    return reply_json(r, 200, amenity_json(&m));
}

static int delete_amenity(struct req *r)
{
    struct store_conn *c = req_store_or_reply(r);
    struct amenity m;
    if (!c)
        return r->status;
    int rc = amenity_get(c, &r->arena, req_param(r, "code"), &m);
    if (!rc)
        rc = amenity_delete(c, m.id);
    if (rc == STORE_CONFLICT)
        return reply_error(r, 409, "in_use", NULL, "sites still offer %s", m.code);
    if (rc)
        return reply_store_error(r, rc, "amenity");
    app_changed(r->app, c, &catalog_module, CATALOG_CHANGED, m.id);
    return reply_empty(r, 204);
}

static const struct route catalog_routes[] = {
    {HTTP_GET, "/api/site-types", list_types, ACCESS_PUBLIC, BODY_NONE, SCOPE_ANY},
    {HTTP_POST, "/api/site-types", create_type, ACCESS_SYSTEM, BODY_JSON, SCOPE_ANY},
    {HTTP_GET, "/api/site-types/{code}", get_type, ACCESS_PUBLIC, BODY_NONE, SCOPE_ANY},
    {HTTP_PATCH, "/api/site-types/{code}", update_type, ACCESS_SYSTEM, BODY_JSON, SCOPE_ANY},
    {HTTP_DELETE, "/api/site-types/{code}", delete_type, ACCESS_SYSTEM, BODY_NONE, SCOPE_ANY},
    {HTTP_GET, "/api/amenities", list_amenities, ACCESS_PUBLIC, BODY_NONE, SCOPE_ANY},
    {HTTP_POST, "/api/amenities", create_amenity, ACCESS_SYSTEM, BODY_JSON, SCOPE_ANY},
    {HTTP_GET, "/api/amenities/{code}", get_amenity, ACCESS_PUBLIC, BODY_NONE, SCOPE_ANY},
    {HTTP_PATCH, "/api/amenities/{code}", update_amenity, ACCESS_SYSTEM, BODY_JSON, SCOPE_ANY},
    {HTTP_DELETE, "/api/amenities/{code}", delete_amenity, ACCESS_SYSTEM, BODY_NONE, SCOPE_ANY},
};

static const char *const catalog_changes[] = {"changed", NULL};

const struct module catalog_module = {
    .change_kinds = catalog_changes,
    .name = "catalog",
    .routes = catalog_routes,
    .nroutes = sizeof catalog_routes / sizeof catalog_routes[0],
};
