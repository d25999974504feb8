/*
 * catalog_store.c - SQL for site types and amenities.
 */
#include <string.h>

#include "catalog/catalog.h"
#include "store/store.h"

static const char sql_type_list[] = "SELECT id, code, name_zh, name_en, tier FROM site_types"
                                    " ORDER BY COALESCE(tier, 9), id";
static const char sql_type_get[] =
    "SELECT id, code, name_zh, name_en, tier FROM site_types WHERE code = $1";
static const char sql_type_insert[] =
    "INSERT INTO site_types (code, name_zh, name_en, tier, created_at, updated_at)"
    " VALUES ($1, $2, $3, $4, $5, $5) RETURNING id";
static const char sql_type_update[] =
    "UPDATE site_types SET code = $1, name_zh = $2, name_en = $3, tier = $4,"
    " updated_at = $5 WHERE id = $6";
static const char sql_type_delete[] = "DELETE FROM site_types WHERE id = $1";

static const char sql_amenity_list[] =
    "SELECT id, code, name_zh, name_en, icon, kind FROM amenities ORDER BY id";
static const char sql_amenity_get[] =
    "SELECT id, code, name_zh, name_en, icon, kind FROM amenities WHERE code = $1";
static const char sql_amenity_insert[] =
    "INSERT INTO amenities (code, name_zh, name_en, icon, kind, created_at,"
    " updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id";
static const char sql_amenity_update[] =
    "UPDATE amenities SET code = $1, name_zh = $2, name_en = $3, icon = $4,"
    " kind = $5, updated_at = $6 WHERE id = $7";
static const char sql_amenity_delete[] = "DELETE FROM amenities WHERE id = $1";

static void row_to_type(const struct store_rows *rows, size_t i, struct site_type *t)
{
    t->id = store_int(rows, i, 0);
    t->code = store_text(rows, i, 1);
    t->name_zh = store_text(rows, i, 2);
    t->name_en = store_text(rows, i, 3);
    t->tier = (int)store_int(rows, i, 4);
}

static void row_to_amenity(const struct store_rows *rows, size_t i, struct amenity *m)
{
    m->id = store_int(rows, i, 0);
    m->code = store_text(rows, i, 1);
    m->name_zh = store_text(rows, i, 2);
    m->name_en = store_text(rows, i, 3);
    m->icon = store_text(rows, i, 4);
    m->kind = store_text(rows, i, 5);
}

int site_type_list(struct store_conn *c, struct arena *a, struct site_type **out, size_t *n)
{
    struct store_rows rows;
    int rc = store_query(c, a, sql_type_list, NULL, 0, &rows);
    if (rc)
        return rc;
    *n = rows.nrows;
    *out = arena_calloc(a, rows.nrows + 1, sizeof(**out));
    for (size_t i = 0; i < rows.nrows; i++)
        row_to_type(&rows, i, &(*out)[i]);
    return STORE_OK;
}

int site_type_get(struct store_conn *c, struct arena *a, const char *code, struct site_type *out)
{
    struct store_val p[] = {SV_TEXT(code)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_type_get, p, 1, &rows);
    if (rc)
        return rc;
    if (!rows.nrows)
        return STORE_NOT_FOUND;
    row_to_type(&rows, 0, out);
    return STORE_OK;
}

int site_type_insert(struct store_conn *c, struct arena *a, struct site_type *t, int64_t now)
{
    struct store_val p[] = {SV_TEXT(t->code), SV_TEXT(t->name_zh),
                            SV_TEXT(t->name_en ? t->name_en : ""),
                            t->tier ? SV_INT(t->tier) : SV_NULL, SV_INT(now)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_type_insert, p, 5, &rows);
    if (rc == STORE_OK)
        t->id = store_int(&rows, 0, 0);
    return rc;
}

int site_type_update(struct store_conn *c, const struct site_type *t, int64_t now)
{
    struct store_val p[] = {SV_TEXT(t->code),
                            SV_TEXT(t->name_zh),
                            SV_TEXT(t->name_en ? t->name_en : ""),
                            t->tier ? SV_INT(t->tier) : SV_NULL,
                            SV_INT(now),
                            SV_INT(t->id)};
    return store_exec(c, sql_type_update, p, 6, NULL);
}

int site_type_delete(struct store_conn *c, int64_t id)
{
    struct store_val p[] = {SV_INT(id)};
    int64_t n = 0;
    int rc = store_exec(c, sql_type_delete, p, 1, &n);
    return rc ? rc : n ? STORE_OK : STORE_NOT_FOUND;
}

int amenity_list(struct store_conn *c, struct arena *a, struct amenity **out, size_t *n)
{
    struct store_rows rows;
    int rc = store_query(c, a, sql_amenity_list, NULL, 0, &rows);
    if (rc)
        return rc;
    *n = rows.nrows;
    *out = arena_calloc(a, rows.nrows + 1, sizeof(**out));
    for (size_t i = 0; i < rows.nrows; i++)
        row_to_amenity(&rows, i, &(*out)[i]);
    return STORE_OK;
}

int amenity_get(struct store_conn *c, struct arena *a, const char *code, struct amenity *out)
{
    struct store_val p[] = {SV_TEXT(code)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_amenity_get, p, 1, &rows);
    if (rc)
        return rc;
    if (!rows.nrows)
        return STORE_NOT_FOUND;
    row_to_amenity(&rows, 0, out);
    return STORE_OK;
}

int amenity_insert(struct store_conn *c, struct arena *a, struct amenity *m, int64_t now)
{
    struct store_val p[] = {SV_TEXT(m->code),
                            SV_TEXT(m->name_zh),
                            SV_TEXT(m->name_en ? m->name_en : ""),
                            SV_TEXT(m->icon ? m->icon : ""),
                            SV_TEXT(m->kind),
                            SV_INT(now)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_amenity_insert, p, 6, &rows);
    if (rc == STORE_OK)
        m->id = store_int(&rows, 0, 0);
    return rc;
}

int amenity_update(struct store_conn *c, const struct amenity *m, int64_t now)
{
    struct store_val p[] = {SV_TEXT(m->code),
                            SV_TEXT(m->name_zh),
                            SV_TEXT(m->name_en ? m->name_en : ""),
                            SV_TEXT(m->icon ? m->icon : ""),
                            SV_TEXT(m->kind),
                            SV_INT(now),
                            SV_INT(m->id)};
    return store_exec(c, sql_amenity_update, p, 7, NULL);
}

int amenity_delete(struct store_conn *c, int64_t id)
{
    struct store_val p[] = {SV_INT(id)};
    int64_t n = 0;
    int rc = store_exec(c, sql_amenity_delete, p, 1, &n);
    return rc ? rc : n ? STORE_OK : STORE_NOT_FOUND;
}

bool amenity_kind_is_valid(const char *kind)
{
    return strcmp(kind, "boolean") == 0 || strcmp(kind, "counted") == 0;
}
