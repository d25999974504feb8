/*
 * checklist_store.c - the SQL of the daily checks: checklists per site
 * type, recorded checks and their marks.
 */
#include <string.h>

#include "checklist/checklist.h"
#include "store/store.h"

#define ITEM_COLS "i.id, t.code, i.kind, i.position, i.code, i.label_zh, i.label_en, a.code"
#define ITEM_FROM                                                                                  \
    " FROM checklist_items i JOIN site_types t ON t.id = i.site_type_id"                           \
    " LEFT JOIN amenities a ON a.id = i.amenity_id"
#define RUN_COLS                                                                                   \
    "r.id, r.site_id, r.kind, r.day, r.checked_by, COALESCE(u.display_name, "                      \
    "''), r.checked_at,"                                                                           \
    " r.note, r.failed"
#define RUN_FROM " FROM checklist_runs r LEFT JOIN users u ON u.id = r.checked_by"

static const char sql_items[] =
    "SELECT " ITEM_COLS ITEM_FROM " WHERE t.code = $1 AND (CAST($2 AS TEXT) IS NULL OR i.kind = $2)"
    " ORDER BY i.kind DESC, i.position, i.id";
static const char sql_clear[] = "DELETE FROM checklist_items WHERE site_type_id = $1 AND kind = $2";
static const char sql_amenity[] = "SELECT id FROM amenities WHERE code = $1";
static const char sql_insert_item[] =
    "INSERT INTO checklist_items (site_type_id, kind, position, code, "
    "label_zh, label_en,"
    " amenity_id, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
static const char sql_counts[] =
    "SELECT t.code, i.kind, COUNT(*) FROM checklist_items i JOIN site_types t"
    " ON t.id = i.site_type_id GROUP BY t.code, i.kind";
static const char sql_insert_run[] =
    "INSERT INTO checklist_runs (site_id, kind, day, checked_by, checked_at, "
    "note, failed)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";
static const char sql_insert_mark[] =
    "INSERT INTO checklist_marks (run_id, position, code, label_zh, label_en, "
    "ok, note, fault_id)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
static const char sql_runs_of[] =
    "SELECT " RUN_COLS RUN_FROM " WHERE r.site_id = $1 AND r.day = $2 ORDER BY r.kind DESC";
static const char sql_marks_of[] =
    "SELECT m.run_id, m.position, m.code, m.label_zh, m.label_en, m.ok, "
    "m.note, m.fault_id"
    " FROM checklist_marks m JOIN checklist_runs r ON r.id = m.run_id"
    " WHERE r.site_id = $1 AND r.day = $2 ORDER BY m.run_id, m.position";
static const char sql_done_region[] =
    "SELECT r.site_id, r.kind FROM checklist_runs r JOIN sites s ON s.id = "
    "r.site_id"
    " JOIN regions g ON g.id = s.region_id WHERE g.path LIKE $1 AND r.day = $2"
    " ORDER BY r.site_id";
static const char sql_runs_by[] =
    "SELECT " RUN_COLS RUN_FROM " WHERE r.checked_by = $1 ORDER BY r.id";
static const char sql_forget[] =
    "UPDATE checklist_runs SET checked_by = NULL WHERE checked_by = $1";
static const char sql_demo_runs[] =
    "INSERT INTO checklist_runs (site_id, kind, day, checked_at, note, failed)"
    " SELECT s.id, 'opening', CAST($1 AS INTEGER), CAST($2 AS BIGINT), '', 0 "
    "FROM sites s"
    " WHERE s.is_demo = 1"
    " AND s.status IN ('operational', 'partly_operational') AND s.id % 3 <> 0"
    " AND EXISTS (SELECT 1 FROM checklist_items i WHERE i.site_type_id = "
    "s.type_id"
    " AND i.kind = 'opening')"
    " ON CONFLICT (site_id, kind, day) DO NOTHING";
static const char sql_demo_marks[] =
    "INSERT INTO checklist_marks (run_id, position, code, label_zh, label_en, "
    "ok, note)"
    " SELECT r.id, i.position, i.code, i.label_zh, i.label_en, 1, ''"
    " FROM checklist_runs r JOIN sites s ON s.id = r.site_id"
    " JOIN checklist_items i ON i.site_type_id = s.type_id AND i.kind = r.kind"
    " WHERE r.day = $1 AND s.is_demo = 1"
    " AND NOT EXISTS (SELECT 1 FROM checklist_marks m WHERE m.run_id = r.id)";

/* ---- checklists
 * --------------------------------------------------------------- */

int checklist_items_of(struct store_conn *c, struct arena *a, const char *site_type,
                       const char *kind, struct checklist_item **out, size_t *n)
{
    struct store_val p[] = {SV_TEXT(site_type), SV_TEXT_OR_NULL(kind)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_items, p, 2, &rows);
    if (rc)
        return rc;
    *n = rows.nrows;
    *out = arena_calloc(a, rows.nrows ? rows.nrows : 1, sizeof(**out));
    for (size_t i = 0; i < rows.nrows; i++) {
        struct checklist_item *it = &(*out)[i];
        it->id = store_int(&rows, i, 0);
        it->site_type = store_text(&rows, i, 1);
        it->kind = store_text(&rows, i, 2);
        it->position = (int)store_int(&rows, i, 3);
        it->code = store_text(&rows, i, 4);
        it->label_zh = store_text(&rows, i, 5);
        it->label_en = store_text(&rows, i, 6);
        it->amenity = store_text(&rows, i, 7);
    }
    return STORE_OK;
}

int checklist_replace(struct store_conn *c, struct arena *a, int64_t site_type_id, const char *kind,
                      const struct checklist_item *items, size_t n, int64_t now, size_t *bad)
{
    struct store_val p[] = {SV_INT(site_type_id), SV_TEXT(kind)};
    int rc = store_exec(c, sql_clear, p, 2, NULL);
    for (size_t i = 0; !rc && i < n; i++) {
        struct store_val amenity = SV_NULL;
        if (items[i].amenity) {
            struct store_val q[] = {SV_TEXT(items[i].amenity)};
            struct store_rows rows;
            rc = store_query(c, a, sql_amenity, q, 1, &rows);
            if (rc)
                return rc;
            if (!rows.nrows) {
                *bad = i;
                return STORE_NOT_FOUND;
            }
            amenity = SV_INT(store_int(&rows, 0, 0));
        }
        struct store_val v[] = {SV_INT(site_type_id),
                                SV_TEXT(kind),
                                SV_INT(i + 1),
                                SV_TEXT(items[i].code),
                                SV_TEXT(items[i].label_zh),
                                SV_TEXT(items[i].label_en ? items[i].label_en : ""),
                                amenity,
                                SV_INT(now)};
        rc = store_exec(c, sql_insert_item, v, 8, NULL);
    }
    return rc;
}

int checklist_counts(struct store_conn *c, struct arena *a, struct checklist_count **out, size_t *n)
{
    struct store_rows rows;
    int rc = store_query(c, a, sql_counts, NULL, 0, &rows);
    if (rc)
        return rc;
    *n = rows.nrows;
    *out = arena_calloc(a, rows.nrows ? rows.nrows : 1, sizeof(**out));
    for (size_t i = 0; i < rows.nrows; i++) {
        (*out)[i].site_type = store_text(&rows, i, 0);
        (*out)[i].kind = store_text(&rows, i, 1);
        (*out)[i].n = store_int(&rows, i, 2);
    }
    return STORE_OK;
}

/* ---- checks
 * ---------------------------------------------------------------------- */

int checklist_run_insert(struct store_conn *c, struct arena *a, struct checklist_run *run)
{
    struct store_val p[] = {
        SV_INT(run->site_id),    SV_TEXT(run->kind),
        SV_INT(run->day),        run->checked_by ? SV_INT(run->checked_by) : SV_NULL,
        SV_INT(run->checked_at), SV_TEXT(run->note ? run->note : ""),
        SV_INT(run->failed)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_insert_run, p, 7, &rows);
    if (rc)
        return rc;
    if (!rows.nrows)
        return STORE_ERROR;
    run->id = store_int(&rows, 0, 0);
    for (size_t i = 0; !rc && i < run->nmarks; i++) {
        const struct checklist_mark *m = &run->marks[i];
        struct store_val v[] = {SV_INT(run->id),
                                SV_INT(m->position),
                                SV_TEXT(m->code),
                                SV_TEXT(m->label_zh),
                                SV_TEXT(m->label_en ? m->label_en : ""),
                                SV_INT(m->ok),
                                SV_TEXT(m->note ? m->note : ""),
                                m->fault_id ? SV_INT(m->fault_id) : SV_NULL};
        rc = store_exec(c, sql_insert_mark, v, 8, NULL);
    }
    return rc;
}

static void rows_to_runs(struct arena *a, const struct store_rows *rows, struct checklist_run **out,
                         size_t *n)
{
    *n = rows->nrows;
    *out = arena_calloc(a, rows->nrows ? rows->nrows : 1, sizeof(**out));
    for (size_t i = 0; i < rows->nrows; i++) {
        struct checklist_run *r = &(*out)[i];
        r->id = store_int(rows, i, 0);
        r->site_id = store_int(rows, i, 1);
        r->kind = store_text(rows, i, 2);
        r->day = (int32_t)store_int(rows, i, 3);
        r->checked_by = store_int(rows, i, 4);
        r->checked_by_name = store_text(rows, i, 5);
        r->checked_at = store_int(rows, i, 6);
        r->note = store_text(rows, i, 7);
        r->failed = store_int(rows, i, 8);
    }
}

int checklist_runs_of(struct store_conn *c, struct arena *a, int64_t site_id, int32_t day,
                      struct checklist_run **out, size_t *n)
{
    struct store_val p[] = {SV_INT(site_id), SV_INT(day)};
    struct store_rows rows, marks;
    int rc = store_query(c, a, sql_runs_of, p, 2, &rows);
    if (!rc)
        rc = store_query(c, a, sql_marks_of, p, 2, &marks);
    if (rc)
        return rc;
    rows_to_runs(a, &rows, out, n);
    for (size_t i = 0; i < *n; i++) {
        struct checklist_run *r = &(*out)[i];
        r->marks = arena_calloc(a, marks.nrows ? marks.nrows : 1, sizeof(*r->marks));
        for (size_t k = 0; k < marks.nrows; k++) {
            if (store_int(&marks, k, 0) != r->id)
                continue;
            struct checklist_mark *m = &r->marks[r->nmarks++];
            m->position = (int)store_int(&marks, k, 1);
            m->code = store_text(&marks, k, 2);
            m->label_zh = store_text(&marks, k, 3);
            m->label_en = store_text(&marks, k, 4);
            m->ok = store_int(&marks, k, 5) != 0;
            m->note = store_text(&marks, k, 6);
            m->fault_id = store_int(&marks, k, 7);
        }
    }
    return STORE_OK;
}

int checklist_done_in_region(struct store_conn *c, struct arena *a, const char *region_path,
                             int32_t day, struct checklist_done **out, size_t *n)
{
    struct store_val p[] = {SV_TEXT(arena_printf(a, "%s%%", region_path)), SV_INT(day)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_done_region, p, 2, &rows);
    if (rc)
        return rc;
    *n = rows.nrows;
    *out = arena_calloc(a, rows.nrows ? rows.nrows : 1, sizeof(**out));
    for (size_t i = 0; i < rows.nrows; i++) {
        (*out)[i].site_id = store_int(&rows, i, 0);
        (*out)[i].kind = store_text(&rows, i, 1);
    }
    return STORE_OK;
}

int checklist_runs_by(struct store_conn *c, struct arena *a, int64_t user_id,
                      struct checklist_run **out, size_t *n)
{
    struct store_val p[] = {SV_INT(user_id)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_runs_by, p, 1, &rows);
    if (!rc)
        rows_to_runs(a, &rows, out, n);
    return rc;
}

int checklist_forget_person(struct store_conn *c, int64_t user_id)
{
    struct store_val p[] = {SV_INT(user_id)};
    return store_exec(c, sql_forget, p, 1, NULL);
}

int checklist_demo_runs(struct store_conn *c, int32_t day, int64_t now, int64_t *n)
{
    struct store_val p[] = {SV_INT(day), SV_INT(now)};
    *n = 0;
    int rc = store_exec(c, sql_demo_runs, p, 2, n);
    if (!rc) {
        struct store_val q[] = {SV_INT(day)};
        rc = store_exec(c, sql_demo_marks, q, 1, NULL);
    }
    return rc;
}
