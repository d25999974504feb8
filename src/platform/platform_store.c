/*
 * platform_store.c - SQL for the platforms a worker can name.
 */
#include <string.h>

#include "platform/platform.h"
#include "store/store.h"

static const char sql_platform_list[] =
    "SELECT id, code, name_zh, name_en, position, retired_at FROM platforms"
    " ORDER BY position, id";
static const char sql_platform_get[] =
    "SELECT id, code, name_zh, name_en, position, retired_at FROM platforms WHERE code = $1";
static const char sql_platform_insert[] =
    "INSERT INTO platforms (code, name_zh, name_en, position, updated_by, updated_at)"
    " VALUES ($1, $2, $3, $4, $5, $6) RETURNING id";
static const char sql_platform_update[] =
    "UPDATE platforms SET name_zh = $2, name_en = $3, position = $4, retired_at = $5,"
    " updated_by = $6, updated_at = $7 WHERE code = $1";

static void row_to_platform(const struct store_rows *rows, size_t i, struct platform *p)
{
    p->id = store_int(rows, i, 0);
    p->code = store_text(rows, i, 1);
    p->name_zh = store_text(rows, i, 2);
    p->name_en = store_text(rows, i, 3);
    p->position = store_int(rows, i, 4);
    p->retired_at = store_is_null(rows, i, 5) ? 0 : store_int(rows, i, 5);
}

int platform_list(struct store_conn *c, struct arena *a, struct platform **out, size_t *n)
{
    struct store_rows rows;
    int rc = store_query(c, a, sql_platform_list, NULL, 0, &rows);
    if (rc)
        return rc;
    *n = rows.nrows;
    *out = arena_calloc(a, rows.nrows + 1, sizeof(**out));
    for (size_t i = 0; i < rows.nrows; i++)
        row_to_platform(&rows, i, &(*out)[i]);
    return STORE_OK;
}

int platform_get(struct store_conn *c, struct arena *a, const char *code, struct platform *out)
{
    struct store_val p[] = {SV_TEXT(code)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_platform_get, p, 1, &rows);
    if (rc)
        return rc;
    if (!rows.nrows)
        return STORE_NOT_FOUND;
    row_to_platform(&rows, 0, out);
    return STORE_OK;
}

int platform_insert(struct store_conn *c, struct arena *a, struct platform *p, int64_t by,
                    int64_t now)
{
    struct store_val v[] = {SV_TEXT(p->code),    SV_TEXT(p->name_zh), SV_TEXT(p->name_en),
                            SV_INT(p->position), SV_INT(by),          SV_INT(now)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_platform_insert, v, 6, &rows);
    if (rc)
        return rc;
    p->id = rows.nrows ? store_int(&rows, 0, 0) : 0;
    return STORE_OK;
}

int platform_update(struct store_conn *c, const struct platform *p, int64_t by, int64_t now)
{
    struct store_val v[] = {SV_TEXT(p->code),
                            SV_TEXT(p->name_zh),
                            SV_TEXT(p->name_en),
                            SV_INT(p->position),
                            p->retired_at ? SV_INT(p->retired_at) : SV_NULL,
                            SV_INT(by),
                            SV_INT(now)};
    int64_t changed = 0;
    int rc = store_exec(c, sql_platform_update, v, 7, &changed);
    if (!rc && !changed)
        return STORE_NOT_FOUND;
    return rc;
}

int platform_list_check(struct store_conn *c, struct arena *a, const char *list, const char *had,
                        bool *ok, const char **bad)
{
    *ok = true;
    *bad = NULL;
    const char **codes, **before;
    size_t n, nbefore;
    if (platform_list_split(a, list, &codes, &n)) {
        *ok = false;
        *bad = list;
        return STORE_OK;
    }
    if (!n)
        return STORE_OK;
    if (platform_list_split(a, had, &before, &nbefore)) {
        before = NULL; /* a list stored before it was checked: keeps nothing */
        nbefore = 0;
    }
    struct platform *ps;
    size_t np;
    int rc = platform_list(c, a, &ps, &np);
    if (rc)
        return rc;
    for (size_t k = 0; k < n; k++) {
        bool known = false;
        for (size_t i = 0; i < np && !known; i++) {
            if (strcmp(ps[i].code, codes[k]) != 0)
                continue;
            known = !ps[i].retired_at;
            for (size_t j = 0; j < nbefore && !known; j++)
                known = strcmp(before[j], codes[k]) == 0;
        }
        if (!known) {
            *ok = false;
            *bad = codes[k];
            return STORE_OK;
        }
    }
    return STORE_OK;
}
