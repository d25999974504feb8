/*
 * region_http.c - the region tree's routes:
 *   GET    /api/regions                    ?parent=CODE&roots=1&level=&limit=&offset=
 *   GET    /api/regions/{code}
 *   GET    /api/regions/{code}/ancestors
 *   GET    /api/regions/{code}/descendants
 *   POST   /api/regions                    (admin)
 *   PATCH  /api/regions/{code}             (admin) names, level, code, parent (moves)
 *   DELETE /api/regions/{code}             (admin) only without children or sites
 */
#include <string.h>

#include "app/app.h"
#include "core/clock.h"
#include "core/text.h"
#include "http/json_in.h"
#include "region/region.h"
#include "store/store.h"

static json_t *region_json(const struct region *r)
{
    return json_pack("{s:I, s:s, s:s?, s:s, s:s, s:s, s:b}", "id", (json_int_t)r->id, "code",
                     r->code, "parent", r->parent_code, "level", r->level, "name_zh", r->name_zh,
                     "name_en", r->name_en ? r->name_en : "", "demo", r->is_demo);
}

static json_t *region_array(const struct region *rs, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, region_json(&rs[i]));
    return arr;
}

static int store_error(struct req *r, int rc)
{
    return reply_store_error(r, rc, "region");
}

/* Look up {code}; replies 404 and returns -1 when missing. */
static int region_or_reply(struct req *r, struct store_conn *c, struct region *out)
{
    int rc = region_get(c, &r->arena, req_param(r, "code"), out);
    if (rc)
        return store_error(r, rc), -1;
    return 0;
}

/* A region written in a transaction (req_tx). */
struct region_write {
    struct arena *arena;
    struct region *reg;
    const struct region *parent;
    const struct region *old; /* updates: the region as it was */
};

static int insert_tx(struct store_conn *c, void *v)
{
    struct region_write *w = v;
    return region_insert(c, w->arena, w->reg, w->parent, clock_now());
}

static int update_tx(struct store_conn *c, void *v)
{
    struct region_write *w = v;
    return region_update(c, w->arena, w->old, w->reg, w->parent, clock_now());
}

static int list_regions(struct req *r)
{
    int64_t limit, offset;
    if (req_query_int_or_reply(r, "limit", 1, 5000, 1000, &limit) ||
        req_query_int_or_reply(r, "offset", 0, INT32_MAX, 0, &offset))
        return r->status;
    const char *level = req_query(r, "level");
    if (level && region_level_rank(level) < 0)
        return reply_error(r, 400, "invalid_query", "level",
                           "level is one of province, city, district, street, "
                           "community, grid");
    const char *roots = req_query(r, "roots");
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    struct region *rs;
    size_t n;
    int64_t total;
    int rc = region_list(c, &r->arena, req_query(r, "parent"), roots && strcmp(roots, "1") == 0,
                         level, limit, offset, &rs, &n, &total);
    if (rc)
        return store_error(r, rc);
    return reply_json(
        r, 200, json_pack("{s:o, s:I}", "items", region_array(rs, n), "total", (json_int_t)total));
}

static int get_region(struct req *r)
{
    struct store_conn *c = req_store_or_reply(r);
    struct region reg;
    if (!c || region_or_reply(r, c, &reg))
        return r->status;
    return reply_json(r, 200, region_json(&reg));
}

static int region_relatives(struct req *r, bool up)
{
    struct store_conn *c = req_store_or_reply(r);
    struct region reg;
    if (!c || region_or_reply(r, c, &reg))
        return r->status;
    struct region *rs;
    size_t n;
    int rc = up ? region_ancestors(c, &r->arena, &reg, &rs, &n)
                : region_descendants(c, &r->arena, &reg, &rs, &n);
    if (rc)
        return store_error(r, rc);
    return reply_json(
        r, 200, json_pack("{s:o, s:I}", "items", region_array(rs, n), "total", (json_int_t)n));
}

static int get_ancestors(struct req *r)
{
    return region_relatives(r, true);
}

static int get_descendants(struct req *r)
{
    return region_relatives(r, false);
}

static const char *const region_fields[] = {"code", "parent", "level", "name_zh", "name_en", NULL};

/* Read the fields of a create (all required but parent and name_en) or a
 * patch (all optional) into *reg; parent_code gets "" for an explicit null.
 * Returns 0 or -1 after replying. */
static int read_region_or_reply(struct req *r, bool create, struct region *reg,
                                const char **parent_code)
{
    json_t *b = r->json;
    if (json_in_only_or_reply(r, b, NULL, region_fields) ||
        json_in_string(r, b, NULL, "code", 64, create, &reg->code) < 0 ||
        json_in_string(r, b, NULL, "level", 16, create, &reg->level) < 0 ||
        json_in_string(r, b, NULL, "name_zh", 200, create, &reg->name_zh) < 0 ||
        json_in_string(r, b, NULL, "name_en", 200, false, &reg->name_en) < 0)
        return -1;
    json_t *pv = json_object_get(b, "parent");
    if (pv && json_is_null(pv))
        *parent_code = "";
    else if (json_in_string(r, b, NULL, "parent", 64, false, parent_code) < 0)
        return -1;
    if (reg->code && !text_is_code(reg->code))
        return reply_error(r, 422, "invalid_field", "code",
                           "code is 1-64 letters, digits, '_', '-' or '.'"),
               -1;
    if (reg->level && region_level_rank(reg->level) < 0)
        return reply_error(r, 422, "invalid_field", "level",
                           "level is one of province, city, district, street, "
                           "community, grid"),
               -1;
    return 0;
}

static int create_region(struct req *r)
{
    struct region reg = {0};
    const char *parent_code = NULL;
    if (read_region_or_reply(r, true, &reg, &parent_code))
        return r->status;
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    struct region parent;
    bool has_parent = parent_code && *parent_code;
    if (!req_reaches_region(r, ROLE_REGION_ADMIN, has_parent ? parent_code : NULL))
        return reply_error(r, 403, "out_of_scope", "parent",
                           "you may add regions only under a region you administer");
    if (has_parent) {
        int rc = region_get(c, &r->arena, parent_code, &parent);
        if (rc == STORE_NOT_FOUND)
            return reply_error(r, 422, "unknown_region", "parent", "no region has code %s",
                               parent_code);
        if (rc)
            return store_error(r, rc);
        if (region_level_rank(reg.level) <= region_level_rank(parent.level))
            return reply_error(r, 422, "invalid_field", "level", "a %s cannot sit under a %s",
                               reg.level, parent.level);
    }
    struct region_write w = {&r->arena, &reg, has_parent ? &parent : NULL, NULL};
    int rc = req_tx(r, c, insert_tx, &w);
    if (rc == STORE_CONFLICT)
        return reply_error(r, 409, "code_taken", "code", "a region with code %s exists", reg.code);
    if (rc)
        return store_error(r, rc);
    reg.parent_code = has_parent ? parent.code : NULL;
    char loc[128];
    snprintf(loc, sizeof loc, "/api/regions/%s", reg.code);
    reply_header(r, "Location", loc);
    return reply_json(r, 201, region_json(&reg));
}

static int update_region(struct req *r)
{
    struct region patch = {0};
    const char *parent_code = NULL;
    if (read_region_or_reply(r, false, &patch, &parent_code))
        return r->status;
    struct store_conn *c = req_store_or_reply(r);
    struct region old;
    if (!c || region_or_reply(r, c, &old))
        return r->status;
    struct region next = old;
    if (patch.code)
        next.code = patch.code;
    if (patch.level)
        next.level = patch.level;
    if (patch.name_zh)
        next.name_zh = patch.name_zh;
    if (patch.name_en)
        next.name_en = patch.name_en;
    struct region parent;
    const struct region *new_parent = NULL;
    if (parent_code && !req_reaches_region(r, ROLE_REGION_ADMIN, *parent_code ? parent_code : NULL))
        return reply_error(r, 403, "out_of_scope", "parent",
                           "you may move regions only under a region you administer");
    if (parent_code && *parent_code) {
        int rc = region_get(c, &r->arena, parent_code, &parent);
        if (rc == STORE_NOT_FOUND)
            return reply_error(r, 422, "unknown_region", "parent", "no region has code %s",
                               parent_code);
        if (rc)
            return store_error(r, rc);
        if (strncmp(parent.path, old.path, strlen(old.path)) == 0)
            return reply_error(r, 422, "invalid_field", "parent",
                               "a region cannot move under itself");
        new_parent = &parent;
    } else if (!parent_code && old.parent_id) {
        int rc = region_get(c, &r->arena, old.parent_code, &parent);
        if (rc)
            return store_error(r, rc);
        new_parent = &parent;
    }
    if (new_parent && region_level_rank(next.level) <= region_level_rank(new_parent->level))
        return reply_error(r, 422, "invalid_field", "level", "a %s cannot sit under a %s",
                           next.level, new_parent->level);
    int child = region_min_child_rank(c, &r->arena, &old);
    if (child >= 0 && child <= region_level_rank(next.level))
        return reply_error(r, 422, "invalid_field", "level", "its children are not below a %s",
                           next.level);
    struct region_write w = {&r->arena, &next, new_parent, &old};
    int rc = req_tx(r, c, update_tx, &w);
    if (rc == STORE_CONFLICT)
        return reply_error(r, 409, "code_taken", "code", "a region with code %s exists", next.code);
    if (rc)
        return store_error(r, rc);
    if (strcmp(old.code, next.code) != 0)
        app_changed(r->app, c, &region_module, REGION_RENAMED, old.id); /* sites show the code */
    else if (new_parent || strcmp(old.level, next.level) != 0)
        app_changed(r->app, c, &region_module, REGION_MOVED, old.id); /* grids' paths and levels */
    rc = region_get(c, &r->arena, next.code, &next);
    if (rc)
        return store_error(r, rc);
    return reply_json(r, 200, region_json(&next));
}

static int delete_region(struct req *r)
{
    struct store_conn *c = req_store_or_reply(r);
    struct region reg;
    if (!c || region_or_reply(r, c, &reg))
        return r->status;
    int rc = region_delete(c, &reg);
    if (rc == STORE_CONFLICT)
        return reply_error(r, 409, "region_in_use", NULL,
                           "region %s still has child regions or sites", reg.code);
    if (rc)
        return store_error(r, rc);
    app_changed(r->app, c, &region_module, REGION_DELETED, reg.id); /* its boundary went too */
    return reply_empty(r, 204);
}

/* {code} is a region: it must exist (404), and the caller's grants must
 * reach its subtree. */
static int resolve_region_in_path(struct req *r, struct scope_target *t)
{
    struct store_conn *c = req_store_or_reply(r);
    struct region reg;
    if (!c || region_or_reply(r, c, &reg))
        return -1;
    t->region_code = reg.code;
    return 0;
}

const struct route_scope region_scope_path = {"region", resolve_region_in_path};

static const struct route region_routes[] = {
    {HTTP_GET, "/api/regions", list_regions, ACCESS_PUBLIC, BODY_NONE, SCOPE_ANY},
    {HTTP_POST, "/api/regions", create_region, ACCESS_ADMIN, BODY_JSON, SCOPE_ANY},
    {HTTP_GET, "/api/regions/{code}", get_region, ACCESS_PUBLIC, BODY_NONE, SCOPE_ANY},
    {HTTP_PATCH, "/api/regions/{code}", update_region, ACCESS_ADMIN, BODY_JSON, &region_scope_path},
    {HTTP_DELETE, "/api/regions/{code}", delete_region, ACCESS_ADMIN, BODY_NONE,
     &region_scope_path},
    {HTTP_GET, "/api/regions/{code}/ancestors", get_ancestors, ACCESS_PUBLIC, BODY_NONE, SCOPE_ANY},
    {HTTP_GET, "/api/regions/{code}/descendants", get_descendants, ACCESS_PUBLIC, BODY_NONE,
     SCOPE_ANY},
};

static const char *const region_changes[] = {"renamed", "moved", "deleted", NULL};

const struct module region_module = {
    .change_kinds = region_changes,
    .name = "region",
    .routes = region_routes,
    .nroutes = sizeof region_routes / sizeof region_routes[0],
};
