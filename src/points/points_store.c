/*
 * points_store.c - the SQL of points: rules, the cap counters, the ledger,
 * balances and leader boards.
 */
#include "points/points.h"
#include "store/store.h"

/* clang-format off */
static const char sql_rule_get[] =
    "SELECT reason, coefficient_pct, daily_cap, place_cap, updated_at FROM points_rules"
    " WHERE reason = $1";
static const char sql_rules_list[] =
    "SELECT reason, coefficient_pct, daily_cap, place_cap, updated_at FROM points_rules"
    " ORDER BY reason";
static const char sql_rules_clear[] = "DELETE FROM points_rules";
static const char sql_rule_insert[] =
    "INSERT INTO points_rules (reason, coefficient_pct, daily_cap, place_cap, updated_by,"
    " updated_at) VALUES ($1, $2, $3, $4, $5, $6)";
/* The cap in one statement: the WHERE refuses a counter at its cap, the
 * SET adds what is left of it at most (every SET expression reads the row
 * as it was), and RETURNING says what was added. */
static const char sql_counter_add[] =
    "INSERT INTO points_counters (user_id, counter, day, total, last_added)"
    " VALUES ($1, $2, $3,"
    "  CASE WHEN CAST($4 AS BIGINT) < CAST($5 AS BIGINT) THEN CAST($4 AS BIGINT) ELSE CAST($5 AS BIGINT) END,"
    "  CASE WHEN CAST($4 AS BIGINT) < CAST($5 AS BIGINT) THEN CAST($4 AS BIGINT) ELSE CAST($5 AS BIGINT) END)"
    " ON CONFLICT (user_id, counter, day) DO UPDATE SET"
    "  total = points_counters.total + CASE WHEN CAST($4 AS BIGINT) < CAST($5 AS BIGINT) - points_counters.total"
    "   THEN CAST($4 AS BIGINT) ELSE CAST($5 AS BIGINT) - points_counters.total END,"
    "  last_added = CASE WHEN CAST($4 AS BIGINT) < CAST($5 AS BIGINT) - points_counters.total"
    "   THEN CAST($4 AS BIGINT) ELSE CAST($5 AS BIGINT) - points_counters.total END"
    " WHERE points_counters.total < CAST($5 AS BIGINT)"
    " RETURNING last_added";
static const char sql_ref_awarded[] =
    "SELECT 1 FROM points_ledger WHERE kind = 'award' AND ref_type = $1 AND ref_id = $2";
static const char sql_award[] =
    "INSERT INTO points_ledger (user_id, kind, reason, ref_type, ref_id, points, created_at,"
    " expires_at) VALUES ($1, 'award', $2, $3, $4, $5, $6, $7)"
    " ON CONFLICT DO NOTHING RETURNING id";
static const char sql_expire_due[] =
    "INSERT INTO points_ledger (user_id, kind, reason, ref_type, ref_id, points, created_at)"
    " SELECT l.user_id, 'expire', l.reason, 'points', l.id, -l.points, l.expires_at"
    " FROM points_ledger l WHERE l.kind = 'award' AND l.expires_at <= $1"
    " AND NOT EXISTS (SELECT 1 FROM points_ledger e WHERE e.kind IN ('expire', 'reverse')"
    "  AND e.ref_type = 'points' AND e.ref_id = l.id)"
    " ON CONFLICT DO NOTHING";
/* The award of a reference, ended by a row of the opposite sign unless it
 * has ended already (points_ledger_ended: one end per award). */
static const char sql_reverse[] =
    "INSERT INTO points_ledger (user_id, kind, reason, ref_type, ref_id, points, created_at)"
    " SELECT l.user_id, 'reverse', $3, 'points', l.id, -l.points, $4"
    " FROM points_ledger l WHERE l.kind = 'award' AND l.ref_type = $1 AND l.ref_id = $2"
    " ON CONFLICT DO NOTHING RETURNING points";
static const char sql_balance[] =
    "SELECT COALESCE(SUM(points), 0) FROM points_ledger WHERE user_id = $1";
static const char sql_expiring[] =
    "SELECT COALESCE(SUM(l.points), 0) FROM points_ledger l WHERE l.user_id = $1"
    " AND l.kind = 'award' AND l.expires_at <= $2"
    " AND NOT EXISTS (SELECT 1 FROM points_ledger e WHERE e.kind IN ('expire', 'reverse')"
    "  AND e.ref_type = 'points' AND e.ref_id = l.id)";
static const char sql_history[] =
    "SELECT id, user_id, kind, reason, ref_type, ref_id, points, created_at, expires_at"
    " FROM points_ledger WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3";
static const char sql_history_count[] =
    "SELECT COUNT(*) FROM points_ledger WHERE user_id = $1";
static const char sql_leaders[] =
    "SELECT u.id, u.display_name, SUM(l.points) AS total FROM points_ledger l"
    " JOIN users u ON u.id = l.user_id"
    " WHERE u.erased_at IS NULL"
    " AND (CAST($1 AS BIGINT) = 0 OR l.user_id IN"
    "  (SELECT user_id FROM volunteer_members WHERE squad_id = $1))"
    " AND (CAST($2 AS BIGINT) = 0 OR l.user_id IN"
    "  (SELECT m.user_id FROM volunteer_members m JOIN volunteer_squads s ON s.id = m.squad_id"
    "   WHERE s.region_id = $2))"
    " GROUP BY u.id, u.display_name HAVING SUM(l.points) > 0"
    " ORDER BY total DESC, u.id LIMIT $3";
static const char sql_erase_ledger[] = "DELETE FROM points_ledger WHERE user_id = $1";
static const char sql_erase_counters[] = "DELETE FROM points_counters WHERE user_id = $1";
/* clang-format on */

static void row_to_rule(const struct store_rows *r, size_t i, struct points_rule *o)
{
    o->reason = store_text(r, i, 0);
    o->coefficient_pct = store_int(r, i, 1);
    o->daily_cap = store_int(r, i, 2);
    o->place_cap = store_int(r, i, 3);
    o->updated_at = store_int(r, i, 4);
}

int points_rule_get(struct store_conn *c, struct arena *a, const char *reason,
                    struct points_rule *out)
{
    struct store_val p[] = {SV_TEXT(reason)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_rule_get, p, 1, &rows);
    if (rc)
        return rc;
    if (!rows.nrows)
        return STORE_NOT_FOUND;
    row_to_rule(&rows, 0, out);
    return STORE_OK;
}

int points_rules_list(struct store_conn *c, struct arena *a, struct points_rule **out, size_t *n)
{
    struct store_rows rows;
    int rc = store_query(c, a, sql_rules_list, NULL, 0, &rows);
    if (rc)
        return rc;
    *n = rows.nrows;
    *out = arena_alloc(a, (rows.nrows ? rows.nrows : 1) * sizeof(**out));
    for (size_t i = 0; i < rows.nrows; i++)
        row_to_rule(&rows, i, &(*out)[i]);
    return STORE_OK;
}

int points_rules_replace(struct store_conn *c, const struct points_rule *rules, size_t n,
                         int64_t by, int64_t now)
{
    int rc = store_exec(c, sql_rules_clear, NULL, 0, NULL);
    for (size_t i = 0; !rc && i < n; i++) {
        struct store_val p[] = {SV_TEXT(rules[i].reason),   SV_INT(rules[i].coefficient_pct),
                                SV_INT(rules[i].daily_cap), SV_INT(rules[i].place_cap),
                                by ? SV_INT(by) : SV_NULL,  SV_INT(now)};
        rc = store_exec(c, sql_rule_insert, p, 6, NULL);
    }
    return rc;
}

int points_counter_add(struct store_conn *c, struct arena *a, int64_t user_id, const char *counter,
                       int32_t day, int64_t amount, int64_t cap, int64_t *added)
{
    struct store_val p[] = {SV_INT(user_id), SV_TEXT(counter), SV_INT(day), SV_INT(amount),
                            SV_INT(cap)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_counter_add, p, 5, &rows);
    if (rc)
        return rc;
    *added = rows.nrows ? store_int(&rows, 0, 0) : 0;
    return STORE_OK;
}

int points_ref_awarded(struct store_conn *c, struct arena *a, const char *ref_type, int64_t ref_id,
                       bool *yes)
{
    struct store_val p[] = {SV_TEXT(ref_type), SV_INT(ref_id)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_ref_awarded, p, 2, &rows);
    if (rc)
        return rc;
    *yes = rows.nrows > 0;
    return STORE_OK;
}

int points_ledger_award(struct store_conn *c, struct arena *a, const struct points_entry *e,
                        int64_t *id)
{
    struct store_val p[] = {SV_INT(e->user_id),   SV_TEXT(e->reason), SV_TEXT(e->ref_type),
                            SV_INT(e->ref_id),    SV_INT(e->points),  SV_INT(e->created_at),
                            SV_INT(e->expires_at)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_award, p, 7, &rows);
    if (rc)
        return rc;
    *id = rows.nrows ? store_int(&rows, 0, 0) : 0;
    return STORE_OK;
}

int points_ledger_reverse(struct store_conn *c, struct arena *a, const char *ref_type,
                          int64_t ref_id, const char *why, int64_t now, int64_t *points)
{
    struct store_val p[] = {SV_TEXT(ref_type), SV_INT(ref_id), SV_TEXT(why), SV_INT(now)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_reverse, p, 4, &rows);
    if (rc)
        return rc;
    *points = rows.nrows ? -store_int(&rows, 0, 0) : 0;
    return STORE_OK;
}

int points_expire_due(struct store_conn *c, int64_t now, int64_t *n)
{
    struct store_val p[] = {SV_INT(now)};
    return store_exec(c, sql_expire_due, p, 1, n);
}

static int one_int(struct store_conn *c, struct arena *a, const char *sql,
                   const struct store_val *p, size_t np, int64_t *out)
{
    struct store_rows rows;
    int rc = store_query(c, a, sql, p, np, &rows);
    if (rc)
        return rc;
    *out = rows.nrows ? store_int(&rows, 0, 0) : 0;
    return STORE_OK;
}

int points_balance(struct store_conn *c, struct arena *a, int64_t user_id, int64_t *balance)
{
    struct store_val p[] = {SV_INT(user_id)};
    return one_int(c, a, sql_balance, p, 1, balance);
}

int points_expiring(struct store_conn *c, struct arena *a, int64_t user_id, int64_t until,
                    int64_t *points)
{
    struct store_val p[] = {SV_INT(user_id), SV_INT(until)};
    return one_int(c, a, sql_expiring, p, 2, points);
}

int points_history(struct store_conn *c, struct arena *a, int64_t user_id, int64_t limit,
                   int64_t offset, struct points_entry **out, size_t *n, int64_t *total)
{
    struct store_val p[] = {SV_INT(user_id), SV_INT(limit), SV_INT(offset)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_history, p, 3, &rows);
    if (!rc)
        rc = one_int(c, a, sql_history_count, p, 1, total);
    if (rc)
        return rc;
    *n = rows.nrows;
    *out = arena_alloc(a, (rows.nrows ? rows.nrows : 1) * sizeof(**out));
    for (size_t i = 0; i < rows.nrows; i++) {
        struct points_entry *e = &(*out)[i];
        e->id = store_int(&rows, i, 0);
        e->user_id = store_int(&rows, i, 1);
        e->kind = store_text(&rows, i, 2);
        e->reason = store_text(&rows, i, 3);
        e->ref_type = store_text(&rows, i, 4);
        e->ref_id = store_int(&rows, i, 5);
        e->points = store_int(&rows, i, 6);
        e->created_at = store_int(&rows, i, 7);
        e->expires_at = store_int(&rows, i, 8);
    }
    return STORE_OK;
}

int points_leaders(struct store_conn *c, struct arena *a, int64_t squad_id, int64_t street_id,
                   int64_t limit, struct points_leader **out, size_t *n)
{
    struct store_val p[] = {SV_INT(squad_id), SV_INT(street_id), SV_INT(limit)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_leaders, p, 3, &rows);
    if (rc)
        return rc;
    *n = rows.nrows;
    *out = arena_alloc(a, (rows.nrows ? rows.nrows : 1) * sizeof(**out));
    for (size_t i = 0; i < rows.nrows; i++) {
        (*out)[i].user_id = store_int(&rows, i, 0);
        (*out)[i].display_name = store_text(&rows, i, 1);
        (*out)[i].points = store_int(&rows, i, 2);
    }
    return STORE_OK;
}

int points_erase_user(struct store_conn *c, int64_t user_id)
{
    struct store_val p[] = {SV_INT(user_id)};
    int rc = store_exec(c, sql_erase_ledger, p, 1, NULL);
    if (!rc)
        rc = store_exec(c, sql_erase_counters, p, 1, NULL);
    return rc;
}
