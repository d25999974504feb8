/*
 * lending_store.c - the SQL of lending: item types, stock per site, loans,
 * the borrowers' counts and reservations.
 *
 * Every take is one statement whose affected-row count decides
 * (available > 0, out_count < limit, reserved > 0), and every counter has
 * a CHECK (>= 0) behind it: on SQLite the write transactions take turns,
 * on PostgreSQL (read committed) a second statement on the same row waits
 * for the first transaction and then re-checks its WHERE on the new row.
 */
#include <string.h>

#include "core/log.h"
#include "lending/lending.h"
#include "store/store.h"

/* ---- item types ------------------------------------------------------- */

#define TYPE_COLS "id, code, name_zh, name_en, due_hours, per_person_max, reservable, sort_order"

static const char sql_type_list[] =
    "SELECT " TYPE_COLS " FROM item_types ORDER BY sort_order, code";
static const char sql_type_get[] = "SELECT " TYPE_COLS " FROM item_types WHERE code = $1";
static const char sql_type_put[] =
    "INSERT INTO item_types (code, name_zh, name_en, due_hours, per_person_max, reservable,"
    " sort_order, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)"
    " ON CONFLICT (code) DO UPDATE SET name_zh = excluded.name_zh, name_en = excluded.name_en,"
    " due_hours = excluded.due_hours, per_person_max = excluded.per_person_max,"
    " reservable = excluded.reservable, sort_order = excluded.sort_order,"
    " updated_at = excluded.updated_at RETURNING id";

/* ---- stock -------------------------------------------------------------- */

#define STOCK_COLS                                                                                 \
    "s.site_id, t.id, t.code, t.name_zh, t.name_en, t.due_hours, t.per_person_max,"                \
    " t.reservable, t.sort_order, s.available, s.reserved, s.lent, s.damaged"                      \
    " FROM item_stock s JOIN item_types t ON t.id = s.item_type_id"

static const char sql_stock_list[] =
    "SELECT " STOCK_COLS " WHERE s.site_id = $1 ORDER BY t.sort_order, t.code";
static const char sql_stock_get[] =
    "SELECT " STOCK_COLS " WHERE s.site_id = $1 AND s.item_type_id = $2";
static const char sql_stock_ensure[] =
    "INSERT INTO item_stock (site_id, item_type_id, updated_at) VALUES ($1, $2, $3)"
    " ON CONFLICT (site_id, item_type_id) DO NOTHING";
static const char sql_stock_change[] =
    "UPDATE item_stock SET available = available + $3 + $4, damaged = damaged - $4,"
    " updated_at = $5 WHERE site_id = $1 AND item_type_id = $2"
    " AND available + $3 + $4 >= 0 AND damaged - $4 >= 0";
/* Lend one off the shelf. */
static const char sql_stock_take[] =
    "UPDATE item_stock SET available = available - 1, lent = lent + 1, updated_at = $3"
    " WHERE site_id = $1 AND item_type_id = $2 AND available > 0";
/* Lend the one held for a reservation. */
static const char sql_stock_take_held[] =
    "UPDATE item_stock SET reserved = reserved - 1, lent = lent + 1, updated_at = $3"
    " WHERE site_id = $1 AND item_type_id = $2 AND reserved > 0";
/* Hold one for a reservation, and put it back. */
static const char sql_stock_hold[] =
    "UPDATE item_stock SET available = available - 1, reserved = reserved + 1, updated_at = $3"
    " WHERE site_id = $1 AND item_type_id = $2 AND available > 0";
static const char sql_stock_unhold[] =
    "UPDATE item_stock SET available = available + 1, reserved = reserved - 1, updated_at = $3"
    " WHERE site_id = $1 AND item_type_id = $2 AND reserved > 0";
/* A loan ended: the lending site counts one less out. */
static const char sql_stock_unlend[] = "UPDATE item_stock SET lent = lent - 1, updated_at = $3"
                                       " WHERE site_id = $1 AND item_type_id = $2 AND lent > 0";
/* ... and the returning site one more on the shelf, or damaged. */
static const char sql_stock_shelve[] =
    "UPDATE item_stock SET available = available + 1, updated_at = $3"
    " WHERE site_id = $1 AND item_type_id = $2";
static const char sql_stock_damage[] =
    "UPDATE item_stock SET damaged = damaged + 1, updated_at = $3"
    " WHERE site_id = $1 AND item_type_id = $2";

/* ---- the borrowers' counts ------------------------------------------- */

/* Touched first by every lend: on PostgreSQL the row's lock makes two
 * lends to one person take turns, so the second one's count sees the
 * first one's loan. */
static const char sql_holder_touch[] =
    "INSERT INTO loan_holders (user_id, last_lent_at) VALUES ($1, $2)"
    " ON CONFLICT (user_id) DO UPDATE SET last_lent_at = excluded.last_lent_at";
static const char sql_holder_erase[] = "DELETE FROM loan_holders WHERE user_id = $1";

/* ---- loans ---------------------------------------------------------------- */

#define LOAN_COLS                                                                                  \
    "l.id, l.item_type_id, t.code, t.name_zh, t.name_en, l.site_id, l.user_id, l.lent_by,"         \
    " l.lent_at, l.due_at, l.state, l.reminded_at, l.closed_site_id, l.closed_by,"                 \
    " l.closed_at, l.note, l.reservation_id, u.display_name, s.name_zh, s.name_en"                 \
    " FROM loans l JOIN item_types t ON t.id = l.item_type_id"                                     \
    " JOIN sites s ON s.id = l.site_id LEFT JOIN users u ON u.id = l.user_id"

/* The person's limits are decided by the insert itself: it writes nothing
 * when they have $9 items out, or $10 of the type. */
static const char sql_loan_insert[] =
    "INSERT INTO loans (item_type_id, site_id, user_id, lent_by, lent_at, due_at, state, note,"
    " reservation_id) SELECT $1, $2, $3, $4, $5, $6, 'out', $7, $8"
    " WHERE (SELECT count(*) FROM loans WHERE user_id = $3"
    " AND state IN ('out', 'overdue')) < $9"
    " AND (SELECT count(*) FROM loans WHERE user_id = $3 AND item_type_id = $1"
    " AND state IN ('out', 'overdue')) < $10 RETURNING id";
static const char sql_loan_count_out[] =
    "SELECT count(*) FROM loans WHERE user_id = $1 AND state IN ('out', 'overdue')";
static const char sql_loan_close[] =
    "UPDATE loans SET state = $2, closed_site_id = $3, closed_by = $4, closed_at = $5,"
    " note = COALESCE(CAST($6 AS TEXT), note)"
    " WHERE id = $1 AND state IN ('out', 'overdue') RETURNING site_id, item_type_id, user_id";
static const char sql_loan_get[] = "SELECT " LOAN_COLS " WHERE l.id = $1";
static const char sql_loan_list_site[] =
    "SELECT " LOAN_COLS " WHERE l.site_id = $1 AND (CAST($2 AS TEXT) IS NULL"
    " OR l.state = CAST($2 AS TEXT)"
    " OR (CAST($2 AS TEXT) = 'out' AND l.state = 'overdue')"
    " OR (CAST($2 AS TEXT) = 'overdue' AND l.state = 'out' AND l.due_at <= $3))"
    " ORDER BY l.lent_at DESC, l.id DESC LIMIT $4";
static const char sql_loan_list_user[] =
    "SELECT " LOAN_COLS " WHERE l.user_id = $1 AND ($2 = 0 OR l.state IN ('out', 'overdue'))"
    " ORDER BY CASE WHEN l.state IN ('out', 'overdue') THEN 0 ELSE 1 END, l.lent_at DESC,"
    " l.id DESC LIMIT $3";
static const char sql_loan_export[] =
    "SELECT " LOAN_COLS " WHERE l.user_id = $1 ORDER BY l.lent_at, l.id";
/* Claimed in one statement: a loan is marked (and so reminded) once, by
 * whichever node's statement changed its row. */
static const char sql_loan_mark_overdue[] =
    "UPDATE loans SET state = 'overdue', reminded_at = $1 WHERE state = 'out' AND due_at <= $1"
    " RETURNING id, item_type_id, site_id, user_id, due_at, lent_at";
static const char sql_loan_erase[] =
    "UPDATE loans SET user_id = NULL, note = '' WHERE user_id = $1";

/* ---- reservations ------------------------------------------------------ */

#define RES_COLS                                                                                   \
    "r.id, r.item_type_id, t.code, t.name_zh, t.name_en, r.site_id, r.user_id, r.starts_at,"       \
    " r.ends_at, r.state, r.created_at, r.ended_at, s.name_zh, s.name_en"                          \
    " FROM loan_reservations r JOIN item_types t ON t.id = r.item_type_id"                         \
    " JOIN sites s ON s.id = r.site_id"

static const char sql_res_insert[] =
    "INSERT INTO loan_reservations (item_type_id, site_id, user_id, starts_at, ends_at, state,"
    " created_at) VALUES ($1, $2, $3, $4, $5, 'active', $6) RETURNING id";
static const char sql_res_get[] = "SELECT " RES_COLS " WHERE r.id = $1";
static const char sql_res_list[] =
    "SELECT " RES_COLS " WHERE (r.site_id = $1 OR $1 = 0) AND (r.user_id = $2 OR $2 = 0)"
    " AND ($3 = 0 OR r.state = 'active')"
    " ORDER BY CASE WHEN r.state = 'active' THEN 0 ELSE 1 END, r.starts_at, r.id LIMIT $4";
static const char sql_res_export[] =
    "SELECT " RES_COLS " WHERE r.user_id = $1 ORDER BY r.created_at, r.id";
static const char sql_res_collect[] =
    "UPDATE loan_reservations SET state = 'collected', ended_at = $4"
    " WHERE user_id = $1 AND site_id = $2 AND item_type_id = $3 AND state = 'active'"
    " RETURNING id";
static const char sql_res_cancel[] =
    "UPDATE loan_reservations SET state = 'cancelled', ended_at = $3"
    " WHERE id = $1 AND user_id = $2 AND state = 'active' RETURNING site_id, item_type_id";
static const char sql_res_expire[] =
    "UPDATE loan_reservations SET state = 'expired', ended_at = $1"
    " WHERE state = 'active' AND ends_at <= $1 RETURNING site_id, item_type_id";
static const char sql_res_cancel_user[] =
    "UPDATE loan_reservations SET state = 'cancelled', ended_at = $2"
    " WHERE user_id = $1 AND state = 'active' RETURNING site_id, item_type_id";
static const char sql_res_erase[] = "DELETE FROM loan_reservations WHERE user_id = $1";

/* ---- rows ------------------------------------------------------------------ */

static void row_to_type(const struct store_rows *r, size_t i, size_t at, struct item_type *t)
{
    t->id = store_int(r, i, at);
    t->code = store_text(r, i, at + 1);
    t->name_zh = store_text(r, i, at + 2);
    t->name_en = store_text(r, i, at + 3);
    t->due_hours = store_int(r, i, at + 4);
    t->per_person_max = store_int(r, i, at + 5);
    t->reservable = store_int(r, i, at + 6) != 0;
    t->sort_order = store_int(r, i, at + 7);
}

static void row_to_stock(const struct store_rows *r, size_t i, struct item_stock *s)
{
    s->site_id = store_int(r, i, 0);
    row_to_type(r, i, 1, &s->type);
    s->available = store_int(r, i, 9);
    s->reserved = store_int(r, i, 10);
    s->lent = store_int(r, i, 11);
    s->damaged = store_int(r, i, 12);
}

static void row_to_loan(const struct store_rows *r, size_t i, struct loan *l)
{
    l->id = store_int(r, i, 0);
    l->item_type_id = store_int(r, i, 1);
    l->item_code = store_text(r, i, 2);
    l->item_name_zh = store_text(r, i, 3);
    l->item_name_en = store_text(r, i, 4);
    l->site_id = store_int(r, i, 5);
    l->user_id = store_int(r, i, 6);
    l->lent_by = store_int(r, i, 7);
    l->lent_at = store_int(r, i, 8);
    l->due_at = store_int(r, i, 9);
    l->state = store_text(r, i, 10);
    l->reminded_at = store_int(r, i, 11);
    l->closed_site_id = store_int(r, i, 12);
    l->closed_by = store_int(r, i, 13);
    l->closed_at = store_int(r, i, 14);
    l->note = store_text(r, i, 15);
    l->reservation_id = store_int(r, i, 16);
    l->borrower_name = store_text(r, i, 17);
    l->site_name_zh = store_text(r, i, 18);
    l->site_name_en = store_text(r, i, 19);
}

static void row_to_res(const struct store_rows *r, size_t i, struct loan_reservation *v)
{
    v->id = store_int(r, i, 0);
    v->item_type_id = store_int(r, i, 1);
    v->item_code = store_text(r, i, 2);
    v->item_name_zh = store_text(r, i, 3);
    v->item_name_en = store_text(r, i, 4);
    v->site_id = store_int(r, i, 5);
    v->user_id = store_int(r, i, 6);
    v->starts_at = store_int(r, i, 7);
    v->ends_at = store_int(r, i, 8);
    v->state = store_text(r, i, 9);
    v->created_at = store_int(r, i, 10);
    v->ended_at = store_int(r, i, 11);
    v->site_name_zh = store_text(r, i, 12);
    v->site_name_en = store_text(r, i, 13);
}

/* rows.nrows items of size sz, at least one so the pointer is never NULL. */
static void *rows_alloc(struct arena *a, size_t n, size_t sz)
{
    return arena_calloc(a, n ? n : 1, sz);
}

/* One statement that must change exactly one row: STORE_OK, or miss. */
static int exec_one(struct store_conn *c, const char *sql, const struct store_val *p, size_t np,
                    int miss)
{
    int64_t changed = 0;
    int rc = store_exec(c, sql, p, np, &changed);
    if (rc)
        return rc;
    return changed == 1 ? STORE_OK : miss;
}

/* ---- item types ------------------------------------------------------------ */

int item_type_list(struct store_conn *c, struct arena *a, struct item_type **out, size_t *n)
{
    struct store_rows rows;
    int rc = store_query(c, a, sql_type_list, NULL, 0, &rows);
    if (rc)
        return rc;
    *n = rows.nrows;
    *out = rows_alloc(a, rows.nrows, sizeof(**out));
    for (size_t i = 0; i < rows.nrows; i++)
        row_to_type(&rows, i, 0, &(*out)[i]);
    return STORE_OK;
}

int item_type_get(struct store_conn *c, struct arena *a, const char *code, struct item_type *out)
{
    struct store_val p[] = {SV_TEXT(code)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_type_get, p, 1, &rows);
    if (rc)
        return rc;
    if (!rows.nrows)
        return STORE_NOT_FOUND;
    row_to_type(&rows, 0, 0, out);
    return STORE_OK;
}

int item_type_put(struct store_conn *c, struct arena *a, struct item_type *t, int64_t now)
{
    struct store_val p[] = {SV_TEXT(t->code),
                            SV_TEXT(t->name_zh),
                            SV_TEXT(t->name_en),
                            SV_INT(t->due_hours),
                            t->per_person_max > 0 ? SV_INT(t->per_person_max) : SV_NULL,
                            SV_INT(t->reservable ? 1 : 0),
                            SV_INT(t->sort_order),
                            SV_INT(now)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_type_put, p, 8, &rows);
    if (rc)
        return rc;
    if (!rows.nrows)
        return STORE_ERROR;
    t->id = store_int(&rows, 0, 0);
    return STORE_OK;
}

/* ---- stock ---------------------------------------------------------------- */

int stock_list(struct store_conn *c, struct arena *a, int64_t site_id, struct item_stock **out,
               size_t *n)
{
    struct store_val p[] = {SV_INT(site_id)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_stock_list, p, 1, &rows);
    if (rc)
        return rc;
    *n = rows.nrows;
    *out = rows_alloc(a, rows.nrows, sizeof(**out));
    for (size_t i = 0; i < rows.nrows; i++)
        row_to_stock(&rows, i, &(*out)[i]);
    return STORE_OK;
}

int stock_get(struct store_conn *c, struct arena *a, int64_t site_id, int64_t type_id,
              struct item_stock *out)
{
    struct store_val p[] = {SV_INT(site_id), SV_INT(type_id)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_stock_get, p, 2, &rows);
    if (rc)
        return rc;
    if (!rows.nrows)
        return STORE_NOT_FOUND;
    row_to_stock(&rows, 0, out);
    return STORE_OK;
}

/* The stock row of a site and type, made (all zero) when there is none. */
static int stock_ensure(struct store_conn *c, int64_t site_id, int64_t type_id, int64_t now)
{
    struct store_val p[] = {SV_INT(site_id), SV_INT(type_id), SV_INT(now)};
    return store_exec(c, sql_stock_ensure, p, 3, NULL);
}

int stock_change(struct store_conn *c, int64_t site_id, int64_t type_id, int64_t delta,
                 int64_t repaired, int64_t now)
{
    int rc = stock_ensure(c, site_id, type_id, now);
    if (rc)
        return rc;
    struct store_val p[] = {SV_INT(site_id), SV_INT(type_id), SV_INT(delta), SV_INT(repaired),
                            SV_INT(now)};
    return exec_one(c, sql_stock_change, p, 5, STORE_CONFLICT);
}

/* ---- loans ------------------------------------------------------------------ */

int loan_lend(struct store_conn *c, struct arena *a, struct loan *l, int64_t global_limit,
              int64_t type_limit)
{
    struct store_val pr[] = {SV_INT(l->user_id), SV_INT(l->site_id), SV_INT(l->item_type_id),
                             SV_INT(l->lent_at)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_res_collect, pr, 4, &rows);
    if (rc)
        return rc;
    l->reservation_id = rows.nrows ? store_int(&rows, 0, 0) : 0;

    struct store_val ph[] = {SV_INT(l->user_id), SV_INT(l->lent_at)};
    rc = store_exec(c, sql_holder_touch, ph, 2, NULL);
    if (rc)
        return rc;

    struct store_val ps[] = {SV_INT(l->site_id), SV_INT(l->item_type_id), SV_INT(l->lent_at)};
    rc = exec_one(c, l->reservation_id ? sql_stock_take_held : sql_stock_take, ps, 3,
                  LENDING_OUT_OF_STOCK);
    if (rc)
        return rc;

    struct store_val pl[] = {SV_INT(l->item_type_id),
                             SV_INT(l->site_id),
                             SV_INT(l->user_id),
                             l->lent_by ? SV_INT(l->lent_by) : SV_NULL,
                             SV_INT(l->lent_at),
                             SV_INT(l->due_at),
                             SV_TEXT(l->note ? l->note : ""),
                             l->reservation_id ? SV_INT(l->reservation_id) : SV_NULL,
                             SV_INT(global_limit),
                             SV_INT(type_limit)};
    rc = store_query(c, a, sql_loan_insert, pl, 10, &rows);
    if (rc)
        return rc;
    if (!rows.nrows) {
        /* Which limit: all their items, or this type's. */
        rc = store_query(c, a, sql_loan_count_out, ph, 1, &rows);
        if (rc)
            return rc;
        return rows.nrows && store_int(&rows, 0, 0) >= global_limit ? LENDING_LIMIT_REACHED
                                                                    : LENDING_TYPE_LIMIT;
    }
    l->id = store_int(&rows, 0, 0);
    l->state = "out";
    return STORE_OK;
}

int loan_close(struct store_conn *c, struct arena *a, int64_t id, const char *state,
               int64_t site_id, int64_t by, int64_t now, const char *note)
{
    struct store_val p[] = {SV_INT(id),      SV_TEXT(state),
                            SV_INT(site_id), by ? SV_INT(by) : SV_NULL,
                            SV_INT(now),     SV_TEXT_OR_NULL(note)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_loan_close, p, 6, &rows);
    if (rc)
        return rc;
    if (!rows.nrows)
        return LENDING_NOT_OUT;
    int64_t from = store_int(&rows, 0, 0), type_id = store_int(&rows, 0, 1);
    const char *to_sql = strcmp(state, "lost") == 0      ? NULL
                         : strcmp(state, "damaged") == 0 ? sql_stock_damage
                                                         : sql_stock_shelve;
    if (to_sql) {
        rc = stock_ensure(c, site_id, type_id, now);
        if (rc)
            return rc;
    }
    /* Two stock rows: taken in site order, so two returns crossing
     * between the same two sites never wait for each other in a ring. */
    struct store_val pa[] = {SV_INT(from), SV_INT(type_id), SV_INT(now)};
    struct store_val pb[] = {SV_INT(site_id), SV_INT(type_id), SV_INT(now)};
    for (int step = 0; step < 2 && !rc; step++) {
        bool unlend_now = (step == 0) == (from <= site_id);
        if (unlend_now) {
            rc = exec_one(c, sql_stock_unlend, pa, 3, STORE_ERROR);
            if (rc == STORE_ERROR)
                log_error("lending: loan %lld was out but site %lld counts none lent",
                          (long long)id, (long long)from);
        } else if (to_sql) {
            rc = exec_one(c, to_sql, pb, 3, STORE_ERROR);
        }
    }
    return rc;
}

int loan_get(struct store_conn *c, struct arena *a, int64_t id, struct loan *out)
{
    struct store_val p[] = {SV_INT(id)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_loan_get, p, 1, &rows);
    if (rc)
        return rc;
    if (!rows.nrows)
        return STORE_NOT_FOUND;
    row_to_loan(&rows, 0, out);
    return STORE_OK;
}

static int loans_from(struct store_conn *c, struct arena *a, const char *sql,
                      const struct store_val *p, size_t np, struct loan **out, size_t *n)
{
    struct store_rows rows;
    int rc = store_query(c, a, sql, p, np, &rows);
    if (rc)
        return rc;
    *n = rows.nrows;
    *out = rows_alloc(a, rows.nrows, sizeof(**out));
    for (size_t i = 0; i < rows.nrows; i++)
        row_to_loan(&rows, i, &(*out)[i]);
    return STORE_OK;
}

int loan_list_site(struct store_conn *c, struct arena *a, int64_t site_id, const char *filter,
                   int64_t now, int64_t limit, struct loan **out, size_t *n)
{
    struct store_val p[] = {SV_INT(site_id), SV_TEXT_OR_NULL(filter), SV_INT(now), SV_INT(limit)};
    return loans_from(c, a, sql_loan_list_site, p, 4, out, n);
}

int loan_list_user(struct store_conn *c, struct arena *a, int64_t user_id, bool out_only,
                   int64_t limit, struct loan **out, size_t *n)
{
    struct store_val p[] = {SV_INT(user_id), SV_INT(out_only ? 1 : 0), SV_INT(limit)};
    return loans_from(c, a, sql_loan_list_user, p, 3, out, n);
}

int loan_mark_overdue(struct store_conn *c, struct arena *a, int64_t now, struct loan **out,
                      size_t *n)
{
    struct store_val p[] = {SV_INT(now)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_loan_mark_overdue, p, 1, &rows);
    if (rc)
        return rc;
    *n = rows.nrows;
    *out = rows_alloc(a, rows.nrows, sizeof(**out));
    for (size_t i = 0; i < rows.nrows; i++) {
        struct loan *l = &(*out)[i];
        l->id = store_int(&rows, i, 0);
        l->item_type_id = store_int(&rows, i, 1);
        l->site_id = store_int(&rows, i, 2);
        l->user_id = store_int(&rows, i, 3);
        l->due_at = store_int(&rows, i, 4);
        l->lent_at = store_int(&rows, i, 5);
        l->state = "overdue";
        l->reminded_at = now;
    }
    return STORE_OK;
}

/* ---- reservations --------------------------------------------------------------- */

int reservation_insert(struct store_conn *c, struct arena *a, struct loan_reservation *r)
{
    struct store_val p[] = {SV_INT(r->item_type_id), SV_INT(r->site_id), SV_INT(r->user_id),
                            SV_INT(r->starts_at),    SV_INT(r->ends_at), SV_INT(r->created_at)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_res_insert, p, 6, &rows);
    if (rc)
        return rc;
    if (!rows.nrows)
        return STORE_ERROR;
    r->id = store_int(&rows, 0, 0);
    r->state = "active";
    struct store_val ps[] = {SV_INT(r->site_id), SV_INT(r->item_type_id), SV_INT(r->created_at)};
    return exec_one(c, sql_stock_hold, ps, 3, LENDING_OUT_OF_STOCK);
}

int reservation_get(struct store_conn *c, struct arena *a, int64_t id, struct loan_reservation *out)
{
    struct store_val p[] = {SV_INT(id)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_res_get, p, 1, &rows);
    if (rc)
        return rc;
    if (!rows.nrows)
        return STORE_NOT_FOUND;
    row_to_res(&rows, 0, out);
    return STORE_OK;
}

static int res_from(struct store_conn *c, struct arena *a, const char *sql,
                    const struct store_val *p, size_t np, struct loan_reservation **out, size_t *n)
{
    struct store_rows rows;
    int rc = store_query(c, a, sql, p, np, &rows);
    if (rc)
        return rc;
    *n = rows.nrows;
    *out = rows_alloc(a, rows.nrows, sizeof(**out));
    for (size_t i = 0; i < rows.nrows; i++)
        row_to_res(&rows, i, &(*out)[i]);
    return STORE_OK;
}

int reservation_list(struct store_conn *c, struct arena *a, int64_t site_id, int64_t user_id,
                     bool active_only, int64_t limit, struct loan_reservation **out, size_t *n)
{
    struct store_val p[] = {SV_INT(site_id), SV_INT(user_id), SV_INT(active_only ? 1 : 0),
                            SV_INT(limit)};
    return res_from(c, a, sql_res_list, p, 4, out, n);
}

/* Put back the held items of the reservations in rows (site, type). */
static int unhold_rows(struct store_conn *c, const struct store_rows *rows, int64_t now)
{
    for (size_t i = 0; i < rows->nrows; i++) {
        struct store_val p[] = {SV_INT(store_int(rows, i, 0)), SV_INT(store_int(rows, i, 1)),
                                SV_INT(now)};
        int rc = exec_one(c, sql_stock_unhold, p, 3, STORE_ERROR);
        if (rc) {
            if (rc == STORE_ERROR)
                log_error("lending: a reservation ended but site %lld holds none reserved",
                          (long long)store_int(rows, i, 0));
            return rc;
        }
    }
    return STORE_OK;
}

int reservation_cancel(struct store_conn *c, int64_t id, int64_t user_id, int64_t now)
{
    struct arena a;
    arena_init(&a);
    struct store_val p[] = {SV_INT(id), SV_INT(user_id), SV_INT(now)};
    struct store_rows rows;
    int rc = store_query(c, &a, sql_res_cancel, p, 3, &rows);
    if (!rc && !rows.nrows)
        rc = STORE_CONFLICT;
    if (!rc)
        rc = unhold_rows(c, &rows, now);
    arena_release(&a);
    return rc;
}

int reservation_expire(struct store_conn *c, struct arena *a, int64_t now, int64_t *n)
{
    struct store_val p[] = {SV_INT(now)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_res_expire, p, 1, &rows);
    if (rc)
        return rc;
    *n = (int64_t)rows.nrows;
    return unhold_rows(c, &rows, now);
}

/* ---- personal data --------------------------------------------------------------- */

int lending_export(struct store_conn *c, struct arena *a, int64_t user_id, struct loan **loans,
                   size_t *nloans, struct loan_reservation **res, size_t *nres)
{
    struct store_val p[] = {SV_INT(user_id)};
    int rc = loans_from(c, a, sql_loan_export, p, 1, loans, nloans);
    if (!rc)
        rc = res_from(c, a, sql_res_export, p, 1, res, nres);
    return rc;
}

int lending_erase(struct store_conn *c, struct arena *a, int64_t user_id, int64_t now)
{
    struct store_val p[] = {SV_INT(user_id), SV_INT(now)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_res_cancel_user, p, 2, &rows);
    if (!rc)
        rc = unhold_rows(c, &rows, now);
    if (!rc)
        rc = store_exec(c, sql_res_erase, p, 1, NULL);
    if (!rc)
        rc = store_exec(c, sql_loan_erase, p, 1, NULL);
    if (!rc)
        rc = store_exec(c, sql_holder_erase, p, 1, NULL);
    return rc;
}
