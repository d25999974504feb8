/*
 * visit_store.c - the SQL of visits: posters' versions, the repeat guard,
 * a person's check-ins, and the hourly counters of sites and regions.
 */
#include <string.h>

#include "store/store.h"
#include "visit/visit.h"

static const char sql_site[] =
    "SELECT s.id, s.name_zh, s.name_en, s.status, r.path, COALESCE(p.version, "
    "1),"
    " COALESCE(p.issued_at, 0) FROM sites s LEFT JOIN regions r ON r.id = "
    "s.region_id"
    " LEFT JOIN visit_posters p ON p.site_id = s.id WHERE s.id = $1";
static const char sql_reissue[] =
    "INSERT INTO visit_posters (site_id, version, issued_by, issued_at) VALUES "
    "($1, 2, $2, $3)"
    " ON CONFLICT (site_id) DO UPDATE SET version = visit_posters.version + 1,"
    " issued_by = excluded.issued_by, issued_at = excluded.issued_at RETURNING "
    "version";
/* The repeat guard: the row changes only when the last counted visit is
 * at least $4 seconds old; the affected-row count decides. */
static const char sql_claim[] =
    "INSERT INTO visit_last (user_id, site_id, at) VALUES ($1, $2, $3)"
    " ON CONFLICT (user_id, site_id) DO UPDATE SET at = excluded.at, visit_id "
    "= NULL"
    " WHERE visit_last.at <= excluded.at - $4";
static const char sql_last_get[] =
    "SELECT visit_id, at FROM visit_last WHERE user_id = $1 AND site_id = $2";
static const char sql_insert[] = "INSERT INTO visits (user_id, site_id, at, "
                                 "via) VALUES ($1, $2, $3, $4) RETURNING id";
static const char sql_last_set[] =
    "UPDATE visit_last SET visit_id = $3 WHERE user_id = $1 AND site_id = $2";
/* One statement adds to the site's counter and to its regions'; region
 * ids it does not need are 0 (no region has it). */
static const char sql_count_add[] =
    "INSERT INTO visit_counts (scope, ref_id, hour, poster, staff, "
    "walkin_worker, walkin_public)"
    " SELECT 'site', id, CAST($2 AS BIGINT), CAST($3 AS INTEGER), CAST($4 AS "
    "INTEGER),"
    " CAST($5 AS INTEGER), CAST($6 AS INTEGER) FROM sites WHERE id = $1"
    " UNION ALL"
    " SELECT 'region', id, CAST($2 AS BIGINT), CAST($3 AS INTEGER), CAST($4 AS "
    "INTEGER),"
    " CAST($5 AS INTEGER), CAST($6 AS INTEGER) FROM regions"
    " WHERE id IN ($7, $8, $9, $10, $11, $12, $13, $14)"
    " ON CONFLICT (scope, ref_id, hour) DO UPDATE SET"
    " poster = visit_counts.poster + excluded.poster,"
    " staff = visit_counts.staff + excluded.staff,"
    " walkin_worker = visit_counts.walkin_worker + excluded.walkin_worker,"
    " walkin_public = visit_counts.walkin_public + excluded.walkin_public";
static const char sql_list_mine[] =
    "SELECT v.id, v.user_id, v.site_id, s.name_zh, s.name_en, v.at, v.via"
    " FROM visits v JOIN sites s ON s.id = v.site_id"
    " WHERE v.user_id = $1 AND ($2 = 0 OR v.id < $2) ORDER BY v.id DESC LIMIT "
    "$3";
static const char sql_delete_mine[] = "DELETE FROM visits WHERE id = $1 AND user_id = $2";
static const char sql_purge[] = "DELETE FROM visits WHERE at < $1";
static const char sql_purge_last[] = "DELETE FROM visit_last WHERE at < $1";
static const char sql_erase_last[] = "DELETE FROM visit_last WHERE user_id = $1";
static const char sql_erase[] = "DELETE FROM visits WHERE user_id = $1";
static const char sql_stats[] =
    "SELECT (hour - $3) / $5, SUM(poster), SUM(staff), SUM(walkin_worker), "
    "SUM(walkin_public)"
    " FROM visit_counts WHERE scope = $1 AND ref_id = $2 AND hour >= $3 AND "
    "hour < $4"
    " GROUP BY 1";
static const char sql_drop_gone[] =
    "DELETE FROM visit_counts WHERE scope = 'site' AND ref_id NOT IN (SELECT "
    "id FROM sites)";
static const char sql_drop_regions[] = "DELETE FROM visit_counts WHERE scope = 'region'";
/* Sites' counts summed per their region and hour first, then added to
 * each region whose path is a prefix of that region's. */
static const char sql_rebuild_regions[] =
    "INSERT INTO visit_counts (scope, ref_id, hour, poster, staff, "
    "walkin_worker, walkin_public)"
    " SELECT 'region', r.id, x.hour, SUM(x.poster), SUM(x.staff), "
    "SUM(x.walkin_worker),"
    " SUM(x.walkin_public) FROM (SELECT s.region_id, c.hour, SUM(c.poster) AS "
    "poster,"
    " SUM(c.staff) AS staff, SUM(c.walkin_worker) AS walkin_worker,"
    " SUM(c.walkin_public) AS walkin_public FROM visit_counts c JOIN sites s "
    "ON s.id = c.ref_id"
    " WHERE c.scope = 'site' AND s.region_id IS NOT NULL GROUP BY s.region_id, "
    "c.hour) x"
    " JOIN regions sr ON sr.id = x.region_id"
    " JOIN regions r ON substr(sr.path, 1, length(r.path)) = r.path"
    " GROUP BY r.id, x.hour";
/* The demo's week: a pseudo-random count per site, hour and column (from
 * the site's id and the hour's number), times the hour's share of a day
 * (quiet nights, peaks at meal times) and the site's tier. */
#define DEMO_SHAPE                                                                                 \
    "(CASE h.n % 24 WHEN 7 THEN 1 WHEN 8 THEN 2 WHEN 9 THEN 2 WHEN 10 THEN 2 "                     \
    "WHEN 11 THEN 4"                                                                               \
    " WHEN 12 THEN 5 WHEN 13 THEN 3 WHEN 14 THEN 2 WHEN 15 THEN 2 WHEN 16 "                        \
    "THEN 2"                                                                                       \
    " WHEN 17 THEN 3 WHEN 18 THEN 4 WHEN 19 THEN 3 WHEN 20 THEN 2 WHEN 21 "                        \
    "THEN 1"                                                                                       \
    " WHEN 22 THEN 1 ELSE 0 END)"
#define DEMO_TIER "(CASE t.tier WHEN 1 THEN 4 WHEN 2 THEN 2 ELSE 1 END)"
#define DEMO_NOISE(a, b) "((s.id * " #a " + h.n * " #b ") % 100)"
static const char sql_demo_fill[] =
    "WITH RECURSIVE h(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM h WHERE n + "
    "1 < $2)"
    " INSERT INTO visit_counts (scope, ref_id, hour, poster, staff, "
    "walkin_worker, walkin_public)"
    " SELECT 'site', s.id, CAST($1 AS BIGINT) + h.n * 3600,"
    " " DEMO_SHAPE " * " DEMO_TIER " * " DEMO_NOISE(
        7919, 104729) " / 100,"
                      " " DEMO_SHAPE " * " DEMO_TIER " * " DEMO_NOISE(
                          6007, 3571) " / 300,"
                                      " " DEMO_SHAPE " * " DEMO_NOISE(
                                          3011, 7727) " / 150,"
                                                      " " DEMO_SHAPE
                                                      " * (1 + 2 * s.is_public) * " DEMO_NOISE(
                                                          1009,
                                                          2003) " / 200"
                                                                " FROM sites s JOIN site_types t "
                                                                "ON t.id = s.type_id CROSS JOIN h"
                                                                " WHERE s.is_demo = 1 AND "
                                                                "s.status NOT IN ('planned', "
                                                                "'removed', 'closed')"
                                                                " ON CONFLICT (scope, ref_id, "
                                                                "hour) DO NOTHING";

/* ---- sites and posters ------------------------------------------------------
 */

int visit_site_get(struct store_conn *c, struct arena *a, int64_t site_id, struct visit_site *out)
{
    struct store_val p[] = {SV_INT(site_id)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_site, p, 1, &rows);
    if (rc)
        return rc;
    if (!rows.nrows)
        return STORE_NOT_FOUND;
    out->id = store_int(&rows, 0, 0);
    out->name_zh = store_text(&rows, 0, 1);
    out->name_en = store_text(&rows, 0, 2);
    out->status = store_text(&rows, 0, 3);
    out->region_path = store_text(&rows, 0, 4);
    out->poster_version = store_int(&rows, 0, 5);
    out->poster_issued_at = store_int(&rows, 0, 6);
    return STORE_OK;
}

int visit_poster_reissue(struct store_conn *c, struct arena *a, int64_t site_id, int64_t by,
                         int64_t now, int64_t *version)
{
    struct store_val p[] = {SV_INT(site_id), by ? SV_INT(by) : SV_NULL, SV_INT(now)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_reissue, p, 3, &rows);
    if (rc)
        return rc;
    if (!rows.nrows)
        return STORE_ERROR;
    *version = store_int(&rows, 0, 0);
    return STORE_OK;
}

/* ---- the person's check-ins
 * ---------------------------------------------------- */

int visit_claim(struct store_conn *c, int64_t user_id, int64_t site_id, int64_t now, bool *counted)
{
    struct store_val p[] = {SV_INT(user_id), SV_INT(site_id), SV_INT(now), SV_INT(VISIT_REPEAT_S)};
    int64_t changed = 0;
    int rc = store_exec(c, sql_claim, p, 4, &changed);
    *counted = rc == STORE_OK && changed == 1;
    return rc;
}

int visit_last_get(struct store_conn *c, struct arena *a, int64_t user_id, int64_t site_id,
                   int64_t *visit_id, int64_t *at)
{
    struct store_val p[] = {SV_INT(user_id), SV_INT(site_id)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_last_get, p, 2, &rows);
    if (rc)
        return rc;
    if (!rows.nrows)
        return STORE_NOT_FOUND;
    *visit_id = store_int(&rows, 0, 0);
    *at = store_int(&rows, 0, 1);
    return STORE_OK;
}

int visit_insert(struct store_conn *c, struct arena *a, struct visit *v)
{
    struct store_val p[] = {SV_INT(v->user_id), SV_INT(v->site_id), SV_INT(v->at), SV_TEXT(v->via)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_insert, p, 4, &rows);
    if (rc)
        return rc;
    if (!rows.nrows)
        return STORE_ERROR;
    v->id = store_int(&rows, 0, 0);
    struct store_val q[] = {SV_INT(v->user_id), SV_INT(v->site_id), SV_INT(v->id)};
    return store_exec(c, sql_last_set, q, 3, NULL);
}

static void row_to_visit(const struct store_rows *rows, size_t i, struct visit *v)
{
    v->id = store_int(rows, i, 0);
    v->user_id = store_int(rows, i, 1);
    v->site_id = store_int(rows, i, 2);
    v->site_name_zh = store_text(rows, i, 3);
    v->site_name_en = store_text(rows, i, 4);
    v->at = store_int(rows, i, 5);
    v->via = store_text(rows, i, 6);
}

int visit_list_mine(struct store_conn *c, struct arena *a, int64_t user_id, int64_t before,
                    int64_t limit, struct visit **out, size_t *n)
{
    struct store_val p[] = {SV_INT(user_id), SV_INT(before), SV_INT(limit)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_list_mine, p, 3, &rows);
    if (rc)
        return rc;
    *n = rows.nrows;
    *out = arena_calloc(a, rows.nrows ? rows.nrows : 1, sizeof(**out));
    for (size_t i = 0; i < rows.nrows; i++)
        row_to_visit(&rows, i, &(*out)[i]);
    return STORE_OK;
}

int visit_delete_mine(struct store_conn *c, int64_t user_id, int64_t id)
{
    struct store_val p[] = {SV_INT(id), SV_INT(user_id)};
    int64_t changed = 0;
    int rc = store_exec(c, sql_delete_mine, p, 2, &changed);
    if (rc)
        return rc;
    return changed ? STORE_OK : STORE_NOT_FOUND;
}

int visit_purge(struct store_conn *c, int64_t before, int64_t guard_before, int64_t *n)
{
    struct store_val p[] = {SV_INT(before)};
    struct store_val q[] = {SV_INT(guard_before)};
    *n = 0;
    int rc = store_exec(c, sql_purge, p, 1, n);
    if (!rc)
        rc = store_exec(c, sql_purge_last, q, 1, NULL);
    return rc;
}

int visit_erase_user(struct store_conn *c, int64_t user_id)
{
    struct store_val p[] = {SV_INT(user_id)};
    int rc = store_exec(c, sql_erase_last, p, 1, NULL);
    if (!rc)
        rc = store_exec(c, sql_erase, p, 1, NULL);
    return rc;
}

/* ---- counters
 * ------------------------------------------------------------------- */

int visit_count_add(struct store_conn *c, int64_t site_id, int64_t hour, enum visit_via via,
                    int64_t n, const int64_t *region_ids, size_t nregions)
{
    struct store_val p[14];
    p[0] = SV_INT(site_id);
    p[1] = SV_INT(hour);
    for (int k = 0; k < VISIT_NVIA; k++)
        p[2 + k] = SV_INT((int)via == k ? n : 0);
    for (size_t i = 0; i < VISIT_REGION_DEPTH; i++)
        p[6 + i] = SV_INT(i < nregions ? region_ids[i] : 0);
    return store_exec(c, sql_count_add, p, 14, NULL);
}

int visit_stats(struct store_conn *c, struct arena *a, bool region, int64_t ref_id,
                const struct visit_window *w, struct visit_counts *out, struct visit_counts *total)
{
    memset(out, 0, w->nbuckets * sizeof(*out));
    memset(total, 0, sizeof(*total));
    struct store_val p[] = {SV_TEXT(region ? "region" : "site"), SV_INT(ref_id), SV_INT(w->start),
                            SV_INT(w->end), SV_INT(w->step)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_stats, p, 5, &rows);
    if (rc)
        return rc;
    for (size_t i = 0; i < rows.nrows; i++) {
        int64_t b = store_int(&rows, i, 0);
        if (b < 0 || (size_t)b >= w->nbuckets)
            continue;
        for (int k = 0; k < VISIT_NVIA; k++) {
            int64_t v = store_int(&rows, i, 1 + (size_t)k);
            out[b].n[k] += v;
            total->n[k] += v;
        }
    }
    return STORE_OK;
}

int visit_recount(struct store_conn *c)
{
    int rc = store_exec(c, sql_drop_gone, NULL, 0, NULL);
    if (!rc)
        rc = store_exec(c, sql_drop_regions, NULL, 0, NULL);
    if (!rc)
        rc = store_exec(c, sql_rebuild_regions, NULL, 0, NULL);
    return rc;
}

int visit_demo_fill(struct store_conn *c, int64_t first, int64_t hours, int64_t *rows)
{
    struct store_val p[] = {SV_INT(first), SV_INT(hours)};
    *rows = 0;
    return store_exec(c, sql_demo_fill, p, 2, rows);
}
