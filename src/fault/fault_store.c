/*
 * fault_store.c - the SQL of site faults.
 */
#include "fault/fault.h"
#include "store/store.h"

static const char sql_insert[] =
    "INSERT INTO site_faults (site_id, amenity_id, note, state, reported_by, reported_at)"
    " SELECT $1, id, $2, 'open', $3, $4 FROM amenities WHERE code = $5"
    " RETURNING id";
static const char sql_get[] =
    "SELECT f.id, f.site_id, a.code, f.note, f.state, f.reported_by, f.reported_at,"
    " f.fixed_by, f.fixed_at, f.fix_note FROM site_faults f JOIN amenities a ON a.id = f.amenity_id"
    " WHERE f.id = $1";
static const char sql_list[] =
    "SELECT f.id, f.site_id, a.code, f.note, f.state, f.reported_by, f.reported_at,"
    " f.fixed_by, f.fixed_at, f.fix_note FROM site_faults f JOIN amenities a ON a.id = f.amenity_id"
    " WHERE f.site_id = $1 AND (CAST($2 AS TEXT) IS NULL OR f.state = CAST($2 AS TEXT))"
    " ORDER BY f.reported_at DESC, f.id DESC LIMIT $3";
static const char sql_fix[] =
    "UPDATE site_faults SET state = 'fixed', fixed_by = $2, fixed_at = $3, fix_note = $4"
    " WHERE id = $1 AND state = 'open'";

static void row_to_fault(const struct store_rows *rows, size_t i, struct fault *f)
{
    f->id = store_int(rows, i, 0);
    f->site_id = store_int(rows, i, 1);
    f->amenity = store_text(rows, i, 2);
    f->note = store_text(rows, i, 3);
    f->state = store_text(rows, i, 4);
    f->reported_by = store_int(rows, i, 5);
    f->reported_at = store_int(rows, i, 6);
    f->fixed_by = store_int(rows, i, 7);
    f->fixed_at = store_int(rows, i, 8);
    f->fix_note = store_text(rows, i, 9);
}

int fault_insert(struct store_conn *c, struct arena *a, struct fault *f)
{
    struct store_val p[] = {SV_INT(f->site_id), SV_TEXT(f->note), SV_INT(f->reported_by),
                            SV_INT(f->reported_at), SV_TEXT(f->amenity)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_insert, p, 5, &rows);
    if (rc)
        return rc;
    if (!rows.nrows)
        return STORE_NOT_FOUND;
    f->id = store_int(&rows, 0, 0);
    f->state = "open";
    return STORE_OK;
}

int fault_get(struct store_conn *c, struct arena *a, int64_t id, struct fault *out)
{
    struct store_val p[] = {SV_INT(id)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_get, p, 1, &rows);
    if (rc)
        return rc;
    if (!rows.nrows)
        return STORE_NOT_FOUND;
    row_to_fault(&rows, 0, out);
    return STORE_OK;
}

int fault_list(struct store_conn *c, struct arena *a, int64_t site_id, const char *state,
               int64_t limit, struct fault **out, size_t *n)
{
    struct store_val p[] = {SV_INT(site_id), SV_TEXT_OR_NULL(state), SV_INT(limit)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_list, p, 3, &rows);
    if (rc)
        return rc;
    *n = rows.nrows;
    *out = arena_alloc(a, (rows.nrows ? rows.nrows : 1) * sizeof(**out));
    for (size_t i = 0; i < rows.nrows; i++)
        row_to_fault(&rows, i, &(*out)[i]);
    return STORE_OK;
}

int fault_fix(struct store_conn *c, int64_t id, int64_t by, int64_t now, const char *note)
{
    struct store_val p[] = {SV_INT(id), SV_INT(by), SV_INT(now), SV_TEXT_OR_NULL(note)};
    int64_t changed = 0;
    int rc = store_exec(c, sql_fix, p, 4, &changed);
    if (rc)
        return rc;
    return changed == 1 ? STORE_OK : STORE_CONFLICT;
}
