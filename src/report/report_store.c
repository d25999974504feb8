/*
 * report_store.c - the SQL of grid reports: departments, categories,
 * boundaries, reports with their timelines, photos and "me too" marks,
 * Open311 API keys, and the personal-data hooks' queries.
 *
 * PostgreSQL infers the type of each parameter from where it first
 * stands, so a parameter compared with a literal only (a flag, "= 0") is
 * a small number, and one that may be NULL or large is CAST.
 */
#include <string.h>

#include "core/log.h"
#include "report/report.h"
#include "store/store.h"

/* ---- departments ----------------------------------------------------------
 */

static const char sql_dept_put[] =
    "INSERT INTO report_departments (code, name_zh, name_en, is_demo,"
    " created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT"
    " (code) DO UPDATE SET name_zh = excluded.name_zh, name_en ="
    " excluded.name_en, updated_at = excluded.updated_at RETURNING id";
static const char sql_dept_get[] =
    "SELECT id, code, name_zh, name_en, is_demo FROM report_departments WHERE"
    " code = $1";
static const char sql_dept_list[] =
    "SELECT id, code, name_zh, name_en, is_demo FROM report_departments ORDER"
    " BY code";

static void row_to_dept(const struct store_rows *rows, size_t i, struct report_department *d)
{
    d->id = store_int(rows, i, 0);
    d->code = store_text(rows, i, 1);
    d->name_zh = store_text(rows, i, 2);
    d->name_en = store_text(rows, i, 3);
    d->is_demo = store_int(rows, i, 4) != 0;
}

int report_department_put(struct store_conn *c, struct arena *a, struct report_department *d,
                          int64_t now)
{
    struct store_val p[] = {SV_TEXT(d->code), SV_TEXT(d->name_zh),
                            SV_TEXT(d->name_en ? d->name_en : ""), SV_INT(d->is_demo), SV_INT(now)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_dept_put, p, 5, &rows);
    if (!rc && rows.nrows)
        d->id = store_int(&rows, 0, 0);
    return rc;
}

int report_department_get(struct store_conn *c, struct arena *a, const char *code,
                          struct report_department *out)
{
    struct store_val p[] = {SV_TEXT(code)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_dept_get, p, 1, &rows);
    if (rc)
        return rc;
    if (!rows.nrows)
        return STORE_NOT_FOUND;
    row_to_dept(&rows, 0, out);
    return STORE_OK;
}

int report_department_list(struct store_conn *c, struct arena *a, struct report_department **out,
                           size_t *n)
{
    struct store_rows rows;
    int rc = store_query(c, a, sql_dept_list, NULL, 0, &rows);
    if (rc)
        return rc;
    *n = rows.nrows;
    *out = arena_calloc(a, rows.nrows ? rows.nrows : 1, sizeof(**out));
    for (size_t i = 0; i < rows.nrows; i++)
        row_to_dept(&rows, i, &(*out)[i]);
    return STORE_OK;
}

/* ---- categories -----------------------------------------------------------
 */

#define CATEGORY_COLS                                                                              \
    "c.id, c.code, c.name_zh, c.name_en, c.description_zh, c.description_en,"                      \
    " c.department_id, d.code, d.name_zh, d.name_en, c.sla_days, c.grp,"                           \
    " c.keywords, c.attributes, c.active, c.is_demo, c.updated_at"
#define CATEGORY_FROM                                                                              \
    " FROM report_categories c JOIN report_departments d ON d.id ="                                \
    " c.department_id"

static const char sql_cat_put[] =
    "INSERT INTO report_categories (code, name_zh, name_en, description_zh,"
    " description_en, department_id, sla_days, grp, keywords, attributes,"
    " active, is_demo, created_at, updated_at) VALUES ($1, $2, $3, $4, $5,"
    " $6, $7, $8, $9, $10, $11, $12, $13, $13) ON CONFLICT (code) DO UPDATE"
    " SET name_zh = excluded.name_zh, name_en = excluded.name_en,"
    " description_zh = excluded.description_zh, description_en ="
    " excluded.description_en, department_id = excluded.department_id,"
    " sla_days = excluded.sla_days, grp = excluded.grp, keywords ="
    " excluded.keywords, attributes = excluded.attributes, active ="
    " excluded.active, updated_at = excluded.updated_at RETURNING id";
static const char sql_cat_get[] = "SELECT " CATEGORY_COLS CATEGORY_FROM " WHERE c.code = $1";
static const char sql_cat_list[] =
    "SELECT " CATEGORY_COLS CATEGORY_FROM " WHERE ($1 = 0 OR c.active = 1) ORDER BY c.code";

static void row_to_category(const struct store_rows *rows, size_t i, struct report_category *c)
{
    c->id = store_int(rows, i, 0);
    c->code = store_text(rows, i, 1);
    c->name_zh = store_text(rows, i, 2);
    c->name_en = store_text(rows, i, 3);
    c->description_zh = store_text(rows, i, 4);
    c->description_en = store_text(rows, i, 5);
    c->department_id = store_int(rows, i, 6);
    c->department_code = store_text(rows, i, 7);
    c->department_name_zh = store_text(rows, i, 8);
    c->department_name_en = store_text(rows, i, 9);
    c->sla_days = (int)store_int(rows, i, 10);
    c->group = store_text(rows, i, 11);
    c->keywords = store_text(rows, i, 12);
    c->attributes = store_text(rows, i, 13);
    c->active = store_int(rows, i, 14) != 0;
    c->is_demo = store_int(rows, i, 15) != 0;
    c->updated_at = store_int(rows, i, 16);
}

int report_category_put(struct store_conn *c, struct arena *a, struct report_category *cat,
                        int64_t now)
{
    struct store_val p[] = {SV_TEXT(cat->code),
                            SV_TEXT(cat->name_zh),
                            SV_TEXT(cat->name_en ? cat->name_en : ""),
                            SV_TEXT(cat->description_zh ? cat->description_zh : ""),
                            SV_TEXT(cat->description_en ? cat->description_en : ""),
                            SV_INT(cat->department_id),
                            SV_INT(cat->sla_days),
                            SV_TEXT(cat->group ? cat->group : ""),
                            SV_TEXT(cat->keywords ? cat->keywords : ""),
                            SV_TEXT(cat->attributes ? cat->attributes : "[]"),
                            SV_INT(cat->active),
                            SV_INT(cat->is_demo),
                            SV_INT(now)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_cat_put, p, 13, &rows);
    if (!rc && rows.nrows)
        cat->id = store_int(&rows, 0, 0);
    return rc;
}

int report_category_get(struct store_conn *c, struct arena *a, const char *code,
                        struct report_category *out)
{
    struct store_val p[] = {SV_TEXT(code)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_cat_get, p, 1, &rows);
    if (rc)
        return rc;
    if (!rows.nrows)
        return STORE_NOT_FOUND;
    row_to_category(&rows, 0, out);
    return STORE_OK;
}

int report_category_list(struct store_conn *c, struct arena *a, bool active_only,
                         struct report_category **out, size_t *n)
{
    struct store_val p[] = {SV_INT(active_only)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_cat_list, p, 1, &rows);
    if (rc)
        return rc;
    *n = rows.nrows;
    *out = arena_calloc(a, rows.nrows ? rows.nrows : 1, sizeof(**out));
    for (size_t i = 0; i < rows.nrows; i++)
        row_to_category(&rows, i, &(*out)[i]);
    return STORE_OK;
}

/* ---- boundaries ------------------------------------------------------------
 */

static const char sql_boundary_put[] =
    "INSERT INTO report_boundaries (region_id, geometry, min_lon, min_lat,"
    " max_lon, max_lat, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5,"
    " $6, $7, $8) ON CONFLICT (region_id) DO UPDATE SET geometry ="
    " excluded.geometry, min_lon = excluded.min_lon, min_lat ="
    " excluded.min_lat, max_lon = excluded.max_lon, max_lat ="
    " excluded.max_lat, updated_by = excluded.updated_by, updated_at ="
    " excluded.updated_at";
static const char sql_boundary_get[] =
    "SELECT geometry, updated_at FROM report_boundaries WHERE region_id = $1";
static const char sql_boundary_delete[] = "DELETE FROM report_boundaries WHERE region_id = $1";
#define AREA_COLS "b.region_id, g.code, g.level, g.path, b.geometry"
#define AREA_FROM " FROM report_boundaries b JOIN regions g ON g.id = b.region_id"
static const char sql_areas_at[] =
    "SELECT " AREA_COLS AREA_FROM
    " WHERE b.min_lat <= $1 AND b.max_lat >= $2 AND b.min_lon <= $3 AND"
    " b.max_lon >= $4 AND ($5 = 0 OR g.level = 'grid') ORDER BY b.region_id";
static const char sql_areas_under[] =
    "SELECT " AREA_COLS AREA_FROM
    " WHERE g.level = 'grid' AND g.path LIKE CAST($1 AS TEXT) || '%' ORDER BY"
    " b.region_id";

static const char sql_areas_grids[] =
    "SELECT " AREA_COLS AREA_FROM " WHERE g.level = 'grid' ORDER BY b.region_id";

int report_boundary_put(struct store_conn *c, int64_t region_id, const char *geojson,
                        const double bbox[4], int64_t by, int64_t now)
{
    struct store_val p[] = {SV_INT(region_id),         SV_TEXT(geojson), SV_REAL(bbox[0]),
                            SV_REAL(bbox[1]),          SV_REAL(bbox[2]), SV_REAL(bbox[3]),
                            by ? SV_INT(by) : SV_NULL, SV_INT(now)};
    return store_exec(c, sql_boundary_put, p, 8, NULL);
}

int report_boundary_get(struct store_conn *c, struct arena *a, int64_t region_id,
                        const char **geojson, int64_t *updated_at)
{
    struct store_val p[] = {SV_INT(region_id)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_boundary_get, p, 1, &rows);
    if (rc)
        return rc;
    if (!rows.nrows)
        return STORE_NOT_FOUND;
    *geojson = store_text(&rows, 0, 0);
    *updated_at = store_int(&rows, 0, 1);
    return STORE_OK;
}

int report_boundary_delete(struct store_conn *c, int64_t region_id)
{
    struct store_val p[] = {SV_INT(region_id)};
    int64_t changed = 0;
    int rc = store_exec(c, sql_boundary_delete, p, 1, &changed);
    return rc ? rc : changed ? STORE_OK : STORE_NOT_FOUND;
}

/* Rows of areas, their geometries parsed; a stored geometry that no
 * longer parses (it was checked when written) is skipped and logged. */
static int rows_to_areas(struct arena *a, const struct store_rows *rows, struct report_area **out,
                         size_t *n)
{
    *out = arena_calloc(a, rows->nrows ? rows->nrows : 1, sizeof(**out));
    *n = 0;
    for (size_t i = 0; i < rows->nrows; i++) {
        struct report_area *ar = &(*out)[*n];
        ar->region_id = store_int(rows, i, 0);
        ar->code = store_text(rows, i, 1);
        ar->level = store_text(rows, i, 2);
        ar->path = store_text(rows, i, 3);
        const char *text = store_text(rows, i, 4);
        json_t *g = json_loads(text ? text : "", 0, NULL);
        const char *field, *why;
        int bad = !g || report_geom_parse(a, g, GEO_WGS84, &ar->geom, &field, &why);
        json_decref(g);
        if (!bad)
            (*n)++;
    }
    return STORE_OK;
}

int report_areas_at(struct store_conn *c, struct arena *a, double lat, double lon,
                    double margin_deg, bool grids_only, struct report_area **out, size_t *n)
{
    double mlon = margin_deg * 1.3; /* a degree of longitude is shorter here */
    struct store_val p[] = {SV_REAL(lat + margin_deg), SV_REAL(lat - margin_deg),
                            SV_REAL(lon + mlon), SV_REAL(lon - mlon), SV_INT(grids_only)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_areas_at, p, 5, &rows);
    if (rc)
        return rc;
    return rows_to_areas(a, &rows, out, n);
}

int report_areas_under(struct store_conn *c, struct arena *a, const char *path,
                       struct report_area **out, size_t *n)
{
    struct store_val p[] = {SV_TEXT(path)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_areas_under, p, 1, &rows);
    if (rc)
        return rc;
    return rows_to_areas(a, &rows, out, n);
}

int report_areas_all_grids(struct store_conn *c, struct arena *a, struct report_area **out,
                           size_t *n)
{
    struct store_rows rows;
    int rc = store_query(c, a, sql_areas_grids, NULL, 0, &rows);
    if (rc)
        return rc;
    return rows_to_areas(a, &rows, out, n);
}

/* ---- reports ----------------------------------------------------------- */

#define REPORT_COLS                                                                                \
    "r.id, r.category_id, c.code, c.name_zh, c.name_en, r.department_id,"                          \
    " d.code, d.name_zh, d.name_en, r.region_id, g.code, g.name_zh,"                               \
    " g.name_en, g.path, r.lat, r.lon, r.datum, r.address, r.description,"                         \
    " r.attributes, r.status, r.verification, r.verified_by, r.verified_at,"                       \
    " r.reporter_id, r.source, r.api_key_id, r.contact_name, r.contact_email,"                     \
    " r.contact_phone, r.media_url, r.token, r.duplicate_of, r.me_too,"                            \
    " r.due_at, r.escalated_at, r.escalated_region_id, e.code, r.fixed_at,"                        \
    " r.closed_at, r.reopen_count, r.is_demo, r.created_at, r.updated_at,"                         \
    " (SELECT MIN(p.id) FROM report_photos p WHERE p.report_id = r.id AND"                         \
    " p.update_id IS NULL)"
#define REPORT_FROM                                                                                \
    " FROM reports r JOIN report_categories c ON c.id = r.category_id JOIN"                        \
    " report_departments d ON d.id = r.department_id JOIN regions g ON g.id ="                     \
    " r.region_id LEFT JOIN regions e ON e.id = r.escalated_region_id"
#define OPEN_STATUSES "('open', 'acknowledged', 'in_progress')"

static const char sql_report_insert[] =
    "INSERT INTO reports (category_id, department_id, region_id, lat, lon,"
    " datum, address, description, attributes, status, verification,"
    " verified_by, verified_at, reporter_id, source, api_key_id,"
    " contact_name, contact_email, contact_phone, media_url, token, due_at,"
    " is_demo, created_at, updated_at, fixed_at, closed_at) VALUES ($1, $2,"
    " $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,"
    " $18, $19, $20, $21, $22, $23, $24, $24, $25, $26) RETURNING id";
static const char sql_report_get[] = "SELECT " REPORT_COLS REPORT_FROM " WHERE r.id = $1";
static const char sql_report_by_token[] = "SELECT " REPORT_COLS REPORT_FROM " WHERE r.token = $1";
/* The list's filters but the category and the dates, $1..$6, $8..$14,
 * on the reports' own columns (the grid's path and the department by id
 * through a subquery) so that the planners start from reports. */
#define LIST_WHERE                                                                                 \
    " ($1 = 0 OR (r.lon >= $2 AND r.lat >= $3 AND r.lon <= $4 AND r.lat"                           \
    " <= $5)) AND ($6 = 0 OR ($6 & CASE r.status WHEN 'open' THEN 1 WHEN"                          \
    " 'acknowledged' THEN 2 WHEN 'in_progress' THEN 4 WHEN 'fixed' THEN 8"                         \
    " WHEN 'closed' THEN 16 WHEN 'duplicate' THEN 32 ELSE 64 END) <> 0) AND"                       \
    " ($8 = 0 OR r.verification <> 'rejected') AND ($9 = 0 OR (r.status IN " OPEN_STATUSES         \
    " AND r.due_at <= CAST($10 AS BIGINT))) AND ($11 = 0 OR r.escalated_at IS"                     \
    " NOT NULL) AND (CAST($12 AS BIGINT) = 0 OR r.reporter_id = CAST($12 AS"                       \
    " BIGINT)) AND (CAST($13 AS TEXT) IS NULL OR r.region_id IN (SELECT gp.id"                     \
    " FROM regions gp WHERE gp.path LIKE CAST($13 AS TEXT) || '%')) AND"                           \
    " (CAST($14 AS TEXT) IS NULL OR r.department_id IN (SELECT dp.id FROM"                         \
    " report_departments dp WHERE dp.code = CAST($14 AS TEXT)))"
#define LIST_ORDER " ORDER BY r.created_at DESC, r.id DESC LIMIT $17"
#define LIST_SQL(cols, from)                                                                       \
    "SELECT " cols from " WHERE" LIST_WHERE " AND (CAST($7 AS TEXT) IS NULL OR r.category_id IN"   \
    " (SELECT cp.id FROM report_categories cp WHERE cp.code = CAST($7 AS TEXT))) AND"              \
    " (CAST($15 AS BIGINT) = 0 OR r.created_at >= CAST($15 AS BIGINT)) AND"                        \
    " (CAST($16 AS BIGINT) = 0 OR r.created_at <= CAST($16 AS BIGINT))" LIST_ORDER
/* With both dates (Open311 always has them), written so that SQLite's
 * planner, which does not look at parameters' values, sees a range on
 * created_at (reports_created, newest first, until the limit is full)
 * and, with a category, an equality on category_id before it
 * (reports_category_created, 0026). */
#define LIST_SQL_DATED(cols, from)                                                                 \
    "SELECT " cols from " WHERE r.created_at >= CAST($15 AS BIGINT) AND"                           \
    " r.created_at <= CAST($16 AS BIGINT) AND" LIST_WHERE                                          \
    " AND CAST($7 AS TEXT) IS NULL" LIST_ORDER
#define LIST_SQL_DATED_CATEGORY(cols, from)                                                        \
    "SELECT " cols from " WHERE r.category_id = (SELECT x.id FROM report_categories x WHERE"       \
    " x.code = CAST($7 AS TEXT)) AND r.created_at >= CAST($15 AS BIGINT) AND r.created_at <="      \
    " CAST($16 AS BIGINT) AND" LIST_WHERE LIST_ORDER
static const char *const sql_report_list[] = {
    LIST_SQL(REPORT_COLS, REPORT_FROM),
    LIST_SQL_DATED(REPORT_COLS, REPORT_FROM),
    LIST_SQL_DATED_CATEGORY(REPORT_COLS, REPORT_FROM),
};
/* Only what an Open311 list shows (15 columns, not 45): a list of 1000
 * spent most of its query time copying columns out of the rows. The
 * category's and the department's code and names are filled in from
 * their (short) lists after the query rather than joined to every row. */
#define O311_COLS                                                                                  \
    "r.id, r.category_id, r.department_id, g.path, r.lat, r.lon, r.address,"                       \
    " r.description, r.status, r.verification, r.media_url, r.due_at,"                             \
    " r.created_at, r.updated_at, (SELECT MIN(p.id) FROM report_photos p"                          \
    " WHERE p.report_id = r.id AND p.update_id IS NULL)"
#define O311_FROM " FROM reports r JOIN regions g ON g.id = r.region_id"
static const char *const sql_report_list_o311[] = {
    LIST_SQL(O311_COLS, O311_FROM),
    LIST_SQL_DATED(O311_COLS, O311_FROM),
    LIST_SQL_DATED_CATEGORY(O311_COLS, O311_FROM),
};
static const char sql_report_status[] =
    "UPDATE reports SET status = CAST($3 AS TEXT), updated_at = CAST($5 AS"
    " BIGINT), fixed_at = CASE WHEN CAST($3 AS TEXT) = 'fixed' THEN CAST($5"
    " AS BIGINT) WHEN CAST($3 AS TEXT) IN " OPEN_STATUSES
    " THEN NULL ELSE fixed_at END, closed_at = CASE WHEN CAST($3 AS TEXT) IN"
    " ('closed', 'duplicate', 'not_ours') THEN CAST($5 AS BIGINT) ELSE NULL"
    " END, duplicate_of = CASE WHEN CAST($3 AS TEXT) = 'duplicate' THEN"
    " CAST($4 AS BIGINT) ELSE NULL END WHERE id = $1 AND status = CAST($2 AS"
    " TEXT)";
static const char sql_report_reopen[] =
    "UPDATE reports SET status = 'open', fixed_at = NULL, closed_at = NULL,"
    " due_at = $3, escalated_at = NULL, escalated_region_id = NULL,"
    " reopen_count = reopen_count + 1, updated_at = $4 WHERE id = $1 AND"
    " status IN ('fixed', 'closed') AND fixed_at >= $2";
static const char sql_report_confirm[] =
    "UPDATE reports SET verification = 'confirmed', verified_by = $2,"
    " verified_at = $3, updated_at = $3 WHERE id = $1 AND verification ="
    " 'unconfirmed'";
static const char sql_report_reject[] =
    "UPDATE reports SET verification = 'rejected', verified_by = $2,"
    " verified_at = $3, status = 'closed', closed_at = $3, updated_at = $3"
    " WHERE id = $1 AND verification <> 'rejected' AND status "
    "IN " OPEN_STATUSES;
static const char sql_me_too_insert[] =
    "INSERT INTO report_me_too (report_id, user_id, created_at) VALUES ($1,"
    " $2, $3)";
static const char sql_me_too_count[] =
    "UPDATE reports SET me_too = me_too + 1, updated_at = $2 WHERE id = $1";
static const char sql_me_too_has[] =
    "SELECT 1 FROM report_me_too WHERE report_id = $1 AND user_id = $2";
static const char sql_escalate[] =
    "UPDATE reports SET escalated_at = $1, updated_at = $1,"
    " escalated_region_id = (SELECT g.parent_id FROM regions g WHERE g.id ="
    " reports.region_id) WHERE escalated_at IS NULL AND due_at <= $1 AND"
    " status IN " OPEN_STATUSES " RETURNING id";

/* Who hears of an escalated report: the managers of its grid (a grant
 * reaching it) and the region admins and dispatchers of the region it
 * went to (a grant naming that region). */
static const char sql_escalation_audience[] =
    "SELECT DISTINCT g.user_id FROM reports r JOIN regions grid ON grid.id ="
    " r.region_id JOIN role_grants g ON g.revoked_at IS NULL AND"
    " g.scope_kind = 'region' JOIN regions gr ON gr.id = g.region_id JOIN"
    " users u ON u.id = g.user_id AND u.erased_at IS NULL WHERE r.id = $1"
    " AND ((g.role = 'grid_manager' AND grid.path LIKE gr.path || '%') OR"
    " (g.role IN ('region_admin', 'dispatcher') AND g.region_id ="
    " r.escalated_region_id)) ORDER BY g.user_id";

static void row_to_report(const struct store_rows *rows, size_t i, struct report *r)
{
    size_t k = 0;
    r->id = store_int(rows, i, k++);
    r->category_id = store_int(rows, i, k++);
    r->category_code = store_text(rows, i, k++);
    r->category_name_zh = store_text(rows, i, k++);
    r->category_name_en = store_text(rows, i, k++);
    r->department_id = store_int(rows, i, k++);
    r->department_code = store_text(rows, i, k++);
    r->department_name_zh = store_text(rows, i, k++);
    r->department_name_en = store_text(rows, i, k++);
    r->region_id = store_int(rows, i, k++);
    r->region_code = store_text(rows, i, k++);
    r->region_name_zh = store_text(rows, i, k++);
    r->region_name_en = store_text(rows, i, k++);
    r->region_path = store_text(rows, i, k++);
    r->lat = store_real(rows, i, k++);
    r->lon = store_real(rows, i, k++);
    r->datum = store_text(rows, i, k++);
    r->address = store_text(rows, i, k++);
    r->description = store_text(rows, i, k++);
    r->attributes = store_text(rows, i, k++);
    r->status = store_text(rows, i, k++);
    r->verification = store_text(rows, i, k++);
    r->verified_by = store_int(rows, i, k++);
    r->verified_at = store_int(rows, i, k++);
    r->reporter_id = store_int(rows, i, k++);
    r->source = store_text(rows, i, k++);
    r->api_key_id = store_int(rows, i, k++);
    r->contact_name = store_text(rows, i, k++);
    r->contact_email = store_text(rows, i, k++);
    r->contact_phone = store_text(rows, i, k++);
    r->media_url = store_text(rows, i, k++);
    r->token = store_text(rows, i, k++);
    r->duplicate_of = store_int(rows, i, k++);
    r->me_too = store_int(rows, i, k++);
    r->due_at = store_int(rows, i, k++);
    r->escalated_at = store_int(rows, i, k++);
    r->escalated_region_id = store_int(rows, i, k++);
    r->escalated_region_code = store_text(rows, i, k++);
    r->fixed_at = store_int(rows, i, k++);
    r->closed_at = store_int(rows, i, k++);
    r->reopen_count = store_int(rows, i, k++);
    r->is_demo = store_int(rows, i, k++) != 0;
    r->created_at = store_int(rows, i, k++);
    r->updated_at = store_int(rows, i, k++);
    r->photo_id = store_int(rows, i, k++);
}

/* A row of O311_COLS: the fields it has, the others left zero. */
static void row_to_report_o311(const struct store_rows *rows, size_t i, struct report *r)
{
    size_t k = 0; /* the others are zero: list_query's array is calloc'd */
    r->id = store_int(rows, i, k++);
    r->category_id = store_int(rows, i, k++);
    r->department_id = store_int(rows, i, k++);
    r->region_path = store_text(rows, i, k++);
    r->lat = store_real(rows, i, k++);
    r->lon = store_real(rows, i, k++);
    r->address = store_text(rows, i, k++);
    r->description = store_text(rows, i, k++);
    r->status = store_text(rows, i, k++);
    r->verification = store_text(rows, i, k++);
    r->media_url = store_text(rows, i, k++);
    r->due_at = store_int(rows, i, k++);
    r->created_at = store_int(rows, i, k++);
    r->updated_at = store_int(rows, i, k++);
    r->photo_id = store_int(rows, i, k++);
}

static struct store_val int_or_null(int64_t v)
{
    return v ? SV_INT(v) : SV_NULL;
}

int report_insert(struct store_conn *c, struct arena *a, struct report *r)
{
    struct store_val p[] = {
        SV_INT(r->category_id),
        SV_INT(r->department_id),
        SV_INT(r->region_id),
        SV_REAL(r->lat),
        SV_REAL(r->lon),
        SV_TEXT(r->datum ? r->datum : "wgs84"),
        SV_TEXT(r->address ? r->address : ""),
        SV_TEXT(r->description ? r->description : ""),
        SV_TEXT(r->attributes ? r->attributes : "{}"),
        SV_TEXT(r->status),
        SV_TEXT(r->verification),
        int_or_null(r->verified_by),
        int_or_null(r->verified_at),
        int_or_null(r->reporter_id),
        SV_TEXT(r->source),
        int_or_null(r->api_key_id),
        SV_TEXT_OR_NULL(r->contact_name),
        SV_TEXT_OR_NULL(r->contact_email),
        SV_TEXT_OR_NULL(r->contact_phone),
        SV_TEXT_OR_NULL(r->media_url),
        SV_TEXT_OR_NULL(r->token),
        SV_INT(r->due_at),
        SV_INT(r->is_demo),
        SV_INT(r->created_at),
        int_or_null(r->fixed_at),
        int_or_null(r->closed_at),
    };
    struct store_rows rows;
    int rc = store_query(c, a, sql_report_insert, p, sizeof p / sizeof p[0], &rows);
    if (rc)
        return rc;
    r->id = store_int(&rows, 0, 0);
    r->updated_at = r->created_at;
    return STORE_OK;
}

static int report_one(struct store_conn *c, struct arena *a, const char *sql, struct store_val v,
                      struct report *out)
{
    struct store_rows rows;
    int rc = store_query(c, a, sql, &v, 1, &rows);
    if (rc)
        return rc;
    if (!rows.nrows)
        return STORE_NOT_FOUND;
    row_to_report(&rows, 0, out);
    return STORE_OK;
}

int report_get(struct store_conn *c, struct arena *a, int64_t id, struct report *out)
{
    return report_one(c, a, sql_report_get, SV_INT(id), out);
}

int report_get_by_token(struct store_conn *c, struct arena *a, const char *token,
                        struct report *out)
{
    return report_one(c, a, sql_report_by_token, SV_TEXT(token), out);
}

static int list_query(struct store_conn *c, struct arena *a, const struct report_filter *f,
                      const char *const sqls[3],
                      void (*row_to)(const struct store_rows *, size_t, struct report *),
                      struct report **out, size_t *n)
{
    struct store_val p[] = {
        SV_INT(f->has_bbox),
        SV_REAL(f->bbox[0]),
        SV_REAL(f->bbox[1]),
        SV_REAL(f->bbox[2]),
        SV_REAL(f->bbox[3]),
        SV_INT(f->statuses),
        SV_TEXT_OR_NULL(f->category),
        SV_INT(f->public_only),
        SV_INT(f->overdue_only),
        SV_INT(f->now),
        SV_INT(f->escalated_only),
        SV_INT(f->reporter_id),
        SV_TEXT_OR_NULL(f->region_path),
        SV_TEXT_OR_NULL(f->department),
        SV_INT(f->created_from),
        SV_INT(f->created_to),
        SV_INT(f->limit > 0 ? f->limit : REPORT_LIST_MAX),
    };
    const char *sql = !f->created_from || !f->created_to ? sqls[0]
                      : f->category                      ? sqls[2]
                                                         : sqls[1];
    struct store_rows rows;
    int rc = store_query(c, a, sql, p, sizeof p / sizeof p[0], &rows);
    if (rc)
        return rc;
    *n = rows.nrows;
    *out = arena_calloc(a, rows.nrows ? rows.nrows : 1, sizeof(**out));
    for (size_t i = 0; i < rows.nrows; i++)
        row_to(&rows, i, &(*out)[i]);
    return STORE_OK;
}

int report_list(struct store_conn *c, struct arena *a, const struct report_filter *f,
                struct report **out, size_t *n)
{
    return list_query(c, a, f, sql_report_list, row_to_report, out, n);
}

int report_list_open311(struct store_conn *c, struct arena *a, const struct report_filter *f,
                        struct report **out, size_t *n)
{
    int rc = list_query(c, a, f, sql_report_list_o311, row_to_report_o311, out, n);
    if (rc || !*n)
        return rc;
    /* Read after the reports, so every category and department they name
     * is there (neither is ever deleted: the reports refer to them). */
    struct report_category *cats;
    struct report_department *depts;
    size_t ncats, ndepts;
    rc = report_category_list(c, a, false, &cats, &ncats);
    if (!rc)
        rc = report_department_list(c, a, &depts, &ndepts);
    if (rc)
        return rc;
    for (size_t i = 0; i < *n; i++) {
        struct report *r = &(*out)[i];
        for (size_t k = 0; k < ncats; k++)
            if (cats[k].id == r->category_id) {
                r->category_code = cats[k].code;
                r->category_name_zh = cats[k].name_zh;
                r->category_name_en = cats[k].name_en;
                break;
            }
        for (size_t k = 0; k < ndepts; k++)
            if (depts[k].id == r->department_id) {
                r->department_code = depts[k].code;
                r->department_name_zh = depts[k].name_zh;
                r->department_name_en = depts[k].name_en;
                break;
            }
        if (!r->category_code || !r->department_code) {
            /* the foreign keys rule this out */
            log_error("report %lld: its category or department is missing", (long long)r->id);
            return STORE_ERROR;
        }
    }
    return STORE_OK;
}

int report_list_ids(struct store_conn *c, struct arena *a, const int64_t *ids, size_t nids,
                    struct report **out, size_t *n)
{
    *out = arena_calloc(a, nids ? nids : 1, sizeof(**out));
    *n = 0;
    for (size_t i = 0; i < nids; i++) {
        int rc = report_get(c, a, ids[i], &(*out)[*n]);
        if (rc == STORE_NOT_FOUND)
            continue;
        if (rc)
            return rc;
        (*n)++;
    }
    return STORE_OK;
}

/* One UPDATE whose affected-row count decides: 1 row, or CONFLICT. */
static int exec_one(struct store_conn *c, const char *sql, const struct store_val *p, size_t np)
{
    int64_t changed = 0;
    int rc = store_exec(c, sql, p, np, &changed);
    if (rc)
        return rc;
    return changed == 1 ? STORE_OK : STORE_CONFLICT;
}

int report_set_status(struct store_conn *c, int64_t id, const char *from, const char *to,
                      int64_t duplicate_of, int64_t now)
{
    struct store_val p[] = {SV_INT(id), SV_TEXT(from), SV_TEXT(to), int_or_null(duplicate_of),
                            SV_INT(now)};
    return exec_one(c, sql_report_status, p, 5);
}

int report_reopen(struct store_conn *c, int64_t id, int64_t fixed_after, int64_t due_at,
                  int64_t now)
{
    struct store_val p[] = {SV_INT(id), SV_INT(fixed_after), SV_INT(due_at), SV_INT(now)};
    return exec_one(c, sql_report_reopen, p, 4);
}

int report_verify(struct store_conn *c, int64_t id, bool confirm, int64_t by, int64_t now)
{
    struct store_val p[] = {SV_INT(id), SV_INT(by), SV_INT(now)};
    return exec_one(c, confirm ? sql_report_confirm : sql_report_reject, p, 3);
}

int report_me_too_add(struct store_conn *c, int64_t id, int64_t user_id, int64_t now)
{
    struct store_val p[] = {SV_INT(id), SV_INT(user_id), SV_INT(now)};
    int rc = store_exec(c, sql_me_too_insert, p, 3, NULL);
    if (rc)
        return rc;
    struct store_val q[] = {SV_INT(id), SV_INT(now)};
    return exec_one(c, sql_me_too_count, q, 2);
}

bool report_me_too_has(struct store_conn *c, struct arena *a, int64_t id, int64_t user_id)
{
    struct store_val p[] = {SV_INT(id), SV_INT(user_id)};
    struct store_rows rows;
    return store_query(c, a, sql_me_too_has, p, 2, &rows) == STORE_OK && rows.nrows > 0;
}

int report_escalate_due(struct store_conn *c, struct arena *a, int64_t now, int64_t **ids,
                        size_t *n)
{
    struct store_val p[] = {SV_INT(now)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_escalate, p, 1, &rows);
    if (rc)
        return rc;
    *n = rows.nrows;
    *ids = arena_calloc(a, rows.nrows ? rows.nrows : 1, sizeof(**ids));
    for (size_t i = 0; i < rows.nrows; i++)
        (*ids)[i] = store_int(&rows, i, 0);
    return STORE_OK;
}

int report_escalation_audience(struct store_conn *c, struct arena *a, int64_t report_id,
                               int64_t **users, size_t *n)
{
    struct store_val p[] = {SV_INT(report_id)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_escalation_audience, p, 1, &rows);
    if (rc)
        return rc;
    *n = rows.nrows;
    *users = arena_calloc(a, rows.nrows ? rows.nrows : 1, sizeof(**users));
    for (size_t i = 0; i < rows.nrows; i++)
        (*users)[i] = store_int(&rows, i, 0);
    return STORE_OK;
}

/* ---- timelines --------------------------------------------------------- */

#define UPDATE_COLS                                                                                \
    "id, report_id, author_id, author_role, kind, status_from, status_to,"                         \
    " body, internal, created_at"

static const char sql_update_add[] =
    "INSERT INTO report_updates (report_id, author_id, author_role, kind,"
    " status_from, status_to, body, internal, created_at) VALUES ($1, $2, $3,"
    " $4, $5, $6, $7, $8, $9) RETURNING id";
static const char sql_update_list[] =
    "SELECT " UPDATE_COLS " FROM report_updates WHERE report_id = $1 AND ($2 = 1 OR internal = 0)"
    " ORDER BY id";
static const char sql_updates_by[] =
    "SELECT " UPDATE_COLS " FROM report_updates WHERE author_id = $1 ORDER BY id";

static void row_to_update(const struct store_rows *rows, size_t i, struct report_update *u)
{
    u->id = store_int(rows, i, 0);
    u->report_id = store_int(rows, i, 1);
    u->author_id = store_int(rows, i, 2);
    u->author_role = store_text(rows, i, 3);
    u->kind = store_text(rows, i, 4);
    u->status_from = store_text(rows, i, 5);
    u->status_to = store_text(rows, i, 6);
    u->body = store_text(rows, i, 7);
    u->internal = store_int(rows, i, 8) != 0;
    u->created_at = store_int(rows, i, 9);
}

static int updates_query(struct store_conn *c, struct arena *a, const char *sql,
                         const struct store_val *p, size_t np, struct report_update **out,
                         size_t *n)
{
    struct store_rows rows;
    int rc = store_query(c, a, sql, p, np, &rows);
    if (rc)
        return rc;
    *n = rows.nrows;
    *out = arena_calloc(a, rows.nrows ? rows.nrows : 1, sizeof(**out));
    for (size_t i = 0; i < rows.nrows; i++)
        row_to_update(&rows, i, &(*out)[i]);
    return STORE_OK;
}

int report_update_add(struct store_conn *c, struct arena *a, struct report_update *u)
{
    struct store_val p[] = {SV_INT(u->report_id),
                            int_or_null(u->author_id),
                            SV_TEXT(u->author_role),
                            SV_TEXT(u->kind),
                            SV_TEXT_OR_NULL(u->status_from),
                            SV_TEXT_OR_NULL(u->status_to),
                            SV_TEXT(u->body ? u->body : ""),
                            SV_INT(u->internal),
                            SV_INT(u->created_at)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_update_add, p, 9, &rows);
    if (!rc)
        u->id = store_int(&rows, 0, 0);
    return rc;
}

int report_update_list(struct store_conn *c, struct arena *a, int64_t report_id, bool with_internal,
                       struct report_update **out, size_t *n)
{
    struct store_val p[] = {SV_INT(report_id), SV_INT(with_internal)};
    return updates_query(c, a, sql_update_list, p, 2, out, n);
}

int report_updates_by(struct store_conn *c, struct arena *a, int64_t user_id,
                      struct report_update **out, size_t *n)
{
    struct store_val p[] = {SV_INT(user_id)};
    return updates_query(c, a, sql_updates_by, p, 1, out, n);
}

/* ---- photos ------------------------------------------------------------ */

#define PHOTO_COLS                                                                                 \
    "p.id, p.report_id, p.update_id, p.seq, p.content_type, p.width,"                              \
    " p.height, p.bytes, COALESCE(u.internal, 0), p.created_at"
#define PHOTO_FROM " FROM report_photos p LEFT JOIN report_updates u ON u.id = p.update_id"

static const char sql_photo_add[] =
    "INSERT INTO report_photos (report_id, update_id, seq, content_type,"
    " width, height, bytes, data, created_at) VALUES ($1, $2, $3, $4, $5, $6,"
    " $7, $8, $9) RETURNING id";
static const char sql_photo_list[] =
    "SELECT " PHOTO_COLS PHOTO_FROM " WHERE p.report_id = $1 ORDER BY p.id";
static const char sql_photo_get[] = "SELECT " PHOTO_COLS ", p.data" PHOTO_FROM " WHERE p.id = $1";

static void row_to_photo(const struct store_rows *rows, size_t i, struct report_photo *p)
{
    p->id = store_int(rows, i, 0);
    p->report_id = store_int(rows, i, 1);
    p->update_id = store_int(rows, i, 2);
    p->position = (int)store_int(rows, i, 3);
    p->content_type = store_text(rows, i, 4);
    p->width = (int)store_int(rows, i, 5);
    p->height = (int)store_int(rows, i, 6);
    p->bytes = store_int(rows, i, 7);
    p->internal = store_int(rows, i, 8) != 0;
    p->created_at = store_int(rows, i, 9);
}

int report_photo_add(struct store_conn *c, struct arena *a, struct report_photo *p)
{
    struct store_val v[] = {
        SV_INT(p->report_id),     int_or_null(p->update_id), SV_INT(p->position),
        SV_TEXT(p->content_type), SV_INT(p->width),          SV_INT(p->height),
        SV_INT(p->bytes),         SV_TEXT(p->data),          SV_INT(p->created_at)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_photo_add, v, 9, &rows);
    if (!rc)
        p->id = store_int(&rows, 0, 0);
    return rc;
}

int report_photo_list(struct store_conn *c, struct arena *a, int64_t report_id,
                      struct report_photo **out, size_t *n)
{
    struct store_val p[] = {SV_INT(report_id)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_photo_list, p, 1, &rows);
    if (rc)
        return rc;
    *n = rows.nrows;
    *out = arena_calloc(a, rows.nrows ? rows.nrows : 1, sizeof(**out));
    for (size_t i = 0; i < rows.nrows; i++)
        row_to_photo(&rows, i, &(*out)[i]);
    return STORE_OK;
}

int report_photo_get(struct store_conn *c, struct arena *a, int64_t id, struct report_photo *out)
{
    struct store_val p[] = {SV_INT(id)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_photo_get, p, 1, &rows);
    if (rc)
        return rc;
    if (!rows.nrows)
        return STORE_NOT_FOUND;
    row_to_photo(&rows, 0, out);
    out->data = store_text(&rows, 0, 10);
    return STORE_OK;
}

/* ---- Open311 API keys -------------------------------------------------- */

static const char sql_key_add[] =
    "INSERT INTO report_api_keys (name, key_hash, created_by, created_at)"
    " VALUES ($1, $2, $3, $4) RETURNING id";
static const char sql_key_list[] =
    "SELECT id, name, created_by, created_at, revoked_at, last_used_at FROM"
    " report_api_keys ORDER BY id";
static const char sql_key_revoke[] =
    "UPDATE report_api_keys SET revoked_at = $2 WHERE id = $1 AND revoked_at"
    " IS NULL";
static const char sql_key_use[] =
    "UPDATE report_api_keys SET last_used_at = $2 WHERE key_hash = $1 AND"
    " revoked_at IS NULL RETURNING id";

int report_api_key_add(struct store_conn *c, struct arena *a, const char *name,
                       const char *key_hash, int64_t by, int64_t now, int64_t *id)
{
    struct store_val p[] = {SV_TEXT(name), SV_TEXT(key_hash), int_or_null(by), SV_INT(now)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_key_add, p, 4, &rows);
    if (!rc)
        *id = store_int(&rows, 0, 0);
    return rc;
}

int report_api_key_list(struct store_conn *c, struct arena *a, struct report_api_key **out,
                        size_t *n)
{
    struct store_rows rows;
    int rc = store_query(c, a, sql_key_list, NULL, 0, &rows);
    if (rc)
        return rc;
    *n = rows.nrows;
    *out = arena_calloc(a, rows.nrows ? rows.nrows : 1, sizeof(**out));
    for (size_t i = 0; i < rows.nrows; i++) {
        struct report_api_key *k = &(*out)[i];
        k->id = store_int(&rows, i, 0);
        k->name = store_text(&rows, i, 1);
        k->created_by = store_int(&rows, i, 2);
        k->created_at = store_int(&rows, i, 3);
        k->revoked_at = store_int(&rows, i, 4);
        k->last_used_at = store_int(&rows, i, 5);
    }
    return STORE_OK;
}

int report_api_key_revoke(struct store_conn *c, int64_t id, int64_t now)
{
    struct store_val p[] = {SV_INT(id), SV_INT(now)};
    int rc = exec_one(c, sql_key_revoke, p, 2);
    return rc == STORE_CONFLICT ? STORE_NOT_FOUND : rc;
}

int report_api_key_use(struct store_conn *c, struct arena *a, const char *key_hash, int64_t now,
                       int64_t *id)
{
    struct store_val p[] = {SV_TEXT(key_hash), SV_INT(now)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_key_use, p, 2, &rows);
    if (rc)
        return rc;
    if (!rows.nrows)
        return STORE_NOT_FOUND;
    *id = store_int(&rows, 0, 0);
    return STORE_OK;
}

/* ---- personal data and demo -------------------------------------------- */

static const char sql_me_too_ids[] =
    "SELECT report_id FROM report_me_too WHERE user_id = $1 ORDER BY"
    " report_id";
static const char *const sql_erase[] = {
    "UPDATE reports SET reporter_id = NULL WHERE reporter_id = $1",
    "UPDATE reports SET verified_by = NULL WHERE verified_by = $1",
    "UPDATE report_updates SET author_id = NULL WHERE author_id = $1",
    "DELETE FROM report_me_too WHERE user_id = $1",
    "UPDATE report_boundaries SET updated_by = NULL WHERE updated_by = $1",
    "UPDATE report_api_keys SET created_by = NULL WHERE created_by = $1",
};
static const char sql_delete_demo[] = "DELETE FROM reports WHERE is_demo = 1";

int report_me_too_ids(struct store_conn *c, struct arena *a, int64_t user_id, int64_t **ids,
                      size_t *n)
{
    struct store_val p[] = {SV_INT(user_id)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_me_too_ids, p, 1, &rows);
    if (rc)
        return rc;
    *n = rows.nrows;
    *ids = arena_calloc(a, rows.nrows ? rows.nrows : 1, sizeof(**ids));
    for (size_t i = 0; i < rows.nrows; i++)
        (*ids)[i] = store_int(&rows, i, 0);
    return STORE_OK;
}

int report_erase_user(struct store_conn *c, int64_t user_id)
{
    struct store_val p[] = {SV_INT(user_id)};
    for (size_t i = 0; i < sizeof sql_erase / sizeof sql_erase[0]; i++) {
        int rc = store_exec(c, sql_erase[i], p, 1, NULL);
        if (rc)
            return rc;
    }
    return STORE_OK;
}

int report_delete_demo(struct store_conn *c)
{
    return store_exec(c, sql_delete_demo, NULL, 0, NULL);
}
