/*
 * region_store.c - SQL for the region tree and the mapping of its rows.
 */
#include <stdio.h>
#include <string.h>

#include "region/region.h"
#include "store/store.h"

#define REGION_COLS                                                                                \
    "r.id, r.code, r.parent_id, p.code, r.level, r.path, r.name_zh, "                              \
    "r.name_en, r.is_demo"
#define REGION_FROM " FROM regions r LEFT JOIN regions p ON p.id = r.parent_id"

static const char sql_get[] = "SELECT " REGION_COLS REGION_FROM " WHERE r.code = $1";
static const char sql_list[] =
    "SELECT " REGION_COLS REGION_FROM " WHERE (CAST($1 AS TEXT) IS NULL OR p.code = $1)"
    " AND ($2 = 0 OR r.parent_id IS NULL)"
    " AND (CAST($3 AS TEXT) IS NULL OR r.level = $3)"
    " ORDER BY r.path LIMIT $4 OFFSET $5";
static const char sql_count[] =
    "SELECT COUNT(*)" REGION_FROM " WHERE (CAST($1 AS TEXT) IS NULL OR p.code = $1)"
    " AND ($2 = 0 OR r.parent_id IS NULL)"
    " AND (CAST($3 AS TEXT) IS NULL OR r.level = $3)";
static const char sql_descendants[] =
    "SELECT " REGION_COLS REGION_FROM " WHERE r.path LIKE $1 AND r.id <> $2 ORDER BY r.path";
static const char sql_by_id[] = "SELECT " REGION_COLS REGION_FROM " WHERE r.id = $1";
static const char sql_insert[] =
    "INSERT INTO regions (code, parent_id, level, path, name_zh, name_en,"
    " is_demo, created_at, updated_at) VALUES ($1, $2, $3, '', $4, $5, $6, $7, $7)"
    " RETURNING id";
static const char sql_set_path[] = "UPDATE regions SET path = $1 WHERE id = $2";
static const char sql_update[] =
    "UPDATE regions SET code = $1, parent_id = $2, level = $3, name_zh = $4,"
    " name_en = $5, updated_at = $6 WHERE id = $7";
static const char sql_move_subtree[] =
    "UPDATE regions SET path = $1 || substr(path, $2) WHERE path LIKE $3";
static const char sql_children[] =
    "SELECT MIN(CASE level WHEN 'province' THEN 0 WHEN 'city' THEN 1"
    " WHEN 'district' THEN 2 WHEN 'street' THEN 3 WHEN 'community' THEN 4"
    " ELSE 5 END) FROM regions WHERE parent_id = $1";
static const char sql_in_use[] = "SELECT (SELECT COUNT(*) FROM regions WHERE parent_id = $1) +"
                                 " (SELECT COUNT(*) FROM sites WHERE region_id = $1)";
static const char sql_delete[] = "DELETE FROM regions WHERE id = $1";

static const char *const region_levels[] = {"province", "city",      "district",
                                            "street",   "community", "grid"};

int region_level_rank(const char *level)
{
    for (int i = 0; i < 6; i++)
        if (strcmp(level, region_levels[i]) == 0)
            return i;
    return -1;
}

static void row_to_region(const struct store_rows *rows, size_t i, struct region *r)
{
    r->id = store_int(rows, i, 0);
    r->code = store_text(rows, i, 1);
    r->parent_id = store_int(rows, i, 2);
    r->parent_code = store_text(rows, i, 3);
    r->level = store_text(rows, i, 4);
    r->path = store_text(rows, i, 5);
    r->name_zh = store_text(rows, i, 6);
    r->name_en = store_text(rows, i, 7);
    r->is_demo = store_int(rows, i, 8) != 0;
}

static void rows_to_regions(struct arena *a, const struct store_rows *rows, struct region **out,
                            size_t *n)
{
    *n = rows->nrows;
    *out = arena_calloc(a, rows->nrows ? rows->nrows : 1, sizeof(**out));
    for (size_t i = 0; i < rows->nrows; i++)
        row_to_region(rows, i, &(*out)[i]);
}

int region_get(struct store_conn *c, struct arena *a, const char *code, struct region *out)
{
    struct store_val p[] = {SV_TEXT(code)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_get, p, 1, &rows);
    if (rc)
        return rc;
    if (!rows.nrows)
        return STORE_NOT_FOUND;
    row_to_region(&rows, 0, out);
    return STORE_OK;
}

int region_list(struct store_conn *c, struct arena *a, const char *parent_code, bool roots_only,
                const char *level, int64_t limit, int64_t offset, struct region **out, size_t *n,
                int64_t *total)
{
    struct store_val p[] = {SV_TEXT_OR_NULL(parent_code), SV_INT(roots_only),
                            SV_TEXT_OR_NULL(level), SV_INT(limit), SV_INT(offset)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_count, p, 3, &rows);
    if (rc)
        return rc;
    *total = store_int(&rows, 0, 0);
    rc = store_query(c, a, sql_list, p, 5, &rows);
    if (rc)
        return rc;
    rows_to_regions(a, &rows, out, n);
    return STORE_OK;
}

int region_ancestors(struct store_conn *c, struct arena *a, const struct region *r,
                     struct region **out, size_t *n)
{
    /* The path names every ancestor id, root first. */
    size_t cap = 0;
    for (const char *p = r->path; *p; p++)
        cap += *p == '/';
    *out = arena_calloc(a, cap ? cap : 1, sizeof(**out));
    *n = 0;
    const char *p = r->path;
    while (*p == '/' && p[1]) {
        int64_t id = 0;
        p++;
        while (*p >= '0' && *p <= '9')
            id = id * 10 + (*p++ - '0');
        if (id == r->id)
            break;
        struct store_val v[] = {SV_INT(id)};
        struct store_rows rows;
        int rc = store_query(c, a, sql_by_id, v, 1, &rows);
        if (rc)
            return rc;
        if (rows.nrows)
            row_to_region(&rows, 0, &(*out)[(*n)++]);
    }
    return STORE_OK;
}

int region_descendants(struct store_conn *c, struct arena *a, const struct region *r,
                       struct region **out, size_t *n)
{
    struct store_val p[] = {SV_TEXT(arena_printf(a, "%s%%", r->path)), SV_INT(r->id)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_descendants, p, 2, &rows);
    if (rc)
        return rc;
    rows_to_regions(a, &rows, out, n);
    return STORE_OK;
}

int region_insert(struct store_conn *c, struct arena *a, struct region *in,
                  const struct region *parent, int64_t now)
{
    struct store_val p[] = {
        SV_TEXT(in->code),    parent ? SV_INT(parent->id) : SV_NULL,   SV_TEXT(in->level),
        SV_TEXT(in->name_zh), SV_TEXT(in->name_en ? in->name_en : ""), SV_INT(in->is_demo),
        SV_INT(now)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_insert, p, 7, &rows);
    if (rc)
        return rc;
    in->id = store_int(&rows, 0, 0);
    in->path = arena_printf(a, "%s%lld/", parent ? parent->path : "/", (long long)in->id);
    struct store_val q[] = {SV_TEXT(in->path), SV_INT(in->id)};
    return store_exec(c, sql_set_path, q, 2, NULL);
}

int region_update(struct store_conn *c, struct arena *a, const struct region *old,
                  const struct region *changed, const struct region *new_parent, int64_t now)
{
    struct store_val p[] = {SV_TEXT(changed->code),
                            new_parent ? SV_INT(new_parent->id) : SV_NULL,
                            SV_TEXT(changed->level),
                            SV_TEXT(changed->name_zh),
                            SV_TEXT(changed->name_en ? changed->name_en : ""),
                            SV_INT(now),
                            SV_INT(old->id)};
    int rc = store_exec(c, sql_update, p, 7, NULL);
    if (rc || old->parent_id == (new_parent ? new_parent->id : 0))
        return rc;
    /* Moved: rewrite the path prefix of the whole subtree. */
    const char *new_path =
        arena_printf(a, "%s%lld/", new_parent ? new_parent->path : "/", (long long)old->id);
    struct store_val q[] = {SV_TEXT(new_path), SV_INT((int64_t)strlen(old->path) + 1),
                            SV_TEXT(arena_printf(a, "%s%%", old->path))};
    return store_exec(c, sql_move_subtree, q, 3, NULL);
}

int region_min_child_rank(struct store_conn *c, struct arena *a, const struct region *r)
{
    struct store_val p[] = {SV_INT(r->id)};
    struct store_rows rows;
    if (store_query(c, a, sql_children, p, 1, &rows) || !rows.nrows || store_is_null(&rows, 0, 0))
        return -1;
    return (int)store_int(&rows, 0, 0);
}

int region_delete(struct store_conn *c, const struct region *r)
{
    struct arena a;
    arena_init(&a);
    struct store_val p[] = {SV_INT(r->id)};
    struct store_rows rows;
    int rc = store_query(c, &a, sql_in_use, p, 1, &rows);
    if (rc == STORE_OK && store_int(&rows, 0, 0) > 0)
        rc = STORE_CONFLICT;
    arena_release(&a);
    if (rc)
        return rc;
    int64_t changes = 0;
    rc = store_exec(c, sql_delete, p, 1, &changes);
    if (rc == STORE_OK && changes == 0)
        rc = STORE_NOT_FOUND;
    return rc;
}
