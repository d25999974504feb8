/*
 * fair_store.c - the SQL of fairs, their booths and their queues.
 *
 * A number is taken by sql_take_number (one UPDATE whose RETURNING row
 * decides: no row means the fair is not open or the booth takes no
 * numbers) and sql_insert_ticket in the caller's transaction. SQLite
 * serialises write transactions (BEGIN IMMEDIATE); on PostgreSQL the
 * UPDATE holds the booth's row until the commit, so the next taker reads
 * the number after it. A failed INSERT (already in the queue) rolls the
 * number back with it.
 */
#include "fair/fair.h"
#include "store/store.h"

/* ---- fairs ------------------------------------------------------------ */

#define FAIR_COLS                                                                                  \
    "f.id, f.site_id, f.title_zh, f.title_en, f.starts_at, f.ends_at, f.state, f.is_demo,"         \
    " f.created_by, f.created_at, f.updated_at,"                                                   \
    " (SELECT COUNT(*) FROM fair_booths b WHERE b.fair_id = f.id)"

static const char sql_fair_insert[] =
    "INSERT INTO fairs (site_id, title_zh, title_en, starts_at, ends_at, state, is_demo,"
    " created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)"
    " RETURNING id";
static const char sql_fair_get[] = "SELECT " FAIR_COLS " FROM fairs f WHERE f.id = $1";
static const char sql_fair_list[] = "SELECT " FAIR_COLS " FROM fairs f"
                                    " WHERE (CAST($1 AS BIGINT) = 0 OR f.site_id = $1)"
                                    " AND (CAST($2 AS TEXT) IS NULL OR f.state = CAST($2 AS TEXT))"
                                    " ORDER BY f.starts_at DESC, f.id DESC LIMIT $3 OFFSET $4";
static const char sql_fair_count[] =
    "SELECT COUNT(*) FROM fairs f"
    " WHERE (CAST($1 AS BIGINT) = 0 OR f.site_id = $1)"
    " AND (CAST($2 AS TEXT) IS NULL OR f.state = CAST($2 AS TEXT))";
static const char sql_fair_update[] =
    "UPDATE fairs SET title_zh = $2, title_en = $3, starts_at = $4, ends_at = $5, state = $6,"
    " updated_at = $7 WHERE id = $1 AND state = $8";

static void row_to_fair(const struct store_rows *rows, size_t i, struct fair *f)
{
    f->id = store_int(rows, i, 0);
    f->site_id = store_int(rows, i, 1);
    f->title_zh = store_text(rows, i, 2);
    f->title_en = store_text(rows, i, 3);
    f->starts_at = store_int(rows, i, 4);
    f->ends_at = store_int(rows, i, 5);
    f->state = store_text(rows, i, 6);
    f->is_demo = store_int(rows, i, 7) != 0;
    f->created_by = store_int(rows, i, 8);
    f->created_at = store_int(rows, i, 9);
    f->updated_at = store_int(rows, i, 10);
    f->nbooths = store_int(rows, i, 11);
}

int fair_insert(struct store_conn *c, struct arena *a, struct fair *f)
{
    struct store_val p[] = {SV_INT(f->site_id),   SV_TEXT(f->title_zh),
                            SV_TEXT(f->title_en), SV_INT(f->starts_at),
                            SV_INT(f->ends_at),   SV_TEXT(f->state),
                            SV_INT(f->is_demo),   f->created_by ? SV_INT(f->created_by) : SV_NULL,
                            SV_INT(f->created_at)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_fair_insert, p, 9, &rows);
    if (rc)
        return rc;
    f->id = store_int(&rows, 0, 0);
    f->updated_at = f->created_at;
    return STORE_OK;
}

int fair_get(struct store_conn *c, struct arena *a, int64_t id, struct fair *out)
{
    struct store_val p[] = {SV_INT(id)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_fair_get, p, 1, &rows);
    if (rc)
        return rc;
    if (!rows.nrows)
        return STORE_NOT_FOUND;
    row_to_fair(&rows, 0, out);
    return STORE_OK;
}

int fair_list(struct store_conn *c, struct arena *a, int64_t site_id, const char *state,
              int64_t limit, int64_t offset, struct fair **out, size_t *n, int64_t *total)
{
    struct store_val p[] = {SV_INT(site_id), SV_TEXT_OR_NULL(state), SV_INT(limit), SV_INT(offset)};
    struct store_rows rows, count;
    int rc = store_query(c, a, sql_fair_list, p, 4, &rows);
    if (!rc)
        rc = store_query(c, a, sql_fair_count, p, 2, &count);
    if (rc)
        return rc;
    *total = store_int(&count, 0, 0);
    *n = rows.nrows;
    *out = arena_alloc(a, (rows.nrows ? rows.nrows : 1) * sizeof(**out));
    for (size_t i = 0; i < rows.nrows; i++)
        row_to_fair(&rows, i, &(*out)[i]);
    return STORE_OK;
}

int fair_update(struct store_conn *c, const struct fair *f, const char *from_state, int64_t now)
{
    struct store_val p[] = {SV_INT(f->id),        SV_TEXT(f->title_zh), SV_TEXT(f->title_en),
                            SV_INT(f->starts_at), SV_INT(f->ends_at),   SV_TEXT(f->state),
                            SV_INT(now),          SV_TEXT(from_state)};
    int64_t changed = 0;
    int rc = store_exec(c, sql_fair_update, p, 8, &changed);
    if (rc)
        return rc;
    return changed == 1 ? STORE_OK : STORE_CONFLICT;
}

/* ---- booths ------------------------------------------------------------ */

#define BOOTH_COLS                                                                                 \
    "id, fair_id, sort_order, name_zh, name_en, organization, avg_service_min,"                    \
    " offering_id, is_open, last_number"

static const char sql_booth_insert[] =
    "INSERT INTO fair_booths (fair_id, sort_order, name_zh, name_en, organization,"
    " avg_service_min, offering_id, is_open, created_at, updated_at)"
    " VALUES ($1, COALESCE((SELECT MAX(sort_order) + 1 FROM fair_booths WHERE fair_id = $1), 1),"
    " $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id, sort_order";
static const char sql_booth_get[] =
    "SELECT " BOOTH_COLS " FROM fair_booths WHERE id = $1 AND fair_id = $2";
static const char sql_booth_list[] =
    "SELECT " BOOTH_COLS " FROM fair_booths WHERE fair_id = $1 ORDER BY sort_order, id";
static const char sql_booth_update[] =
    "UPDATE fair_booths SET name_zh = $3, name_en = $4, organization = $5,"
    " avg_service_min = $6, offering_id = $7, is_open = $8, updated_at = $9"
    " WHERE id = $1 AND fair_id = $2";
static const char sql_booth_fair[] = "SELECT fair_id FROM fair_booths WHERE id = $1";

static void row_to_booth(const struct store_rows *rows, size_t i, struct fair_booth *b)
{
    b->id = store_int(rows, i, 0);
    b->fair_id = store_int(rows, i, 1);
    b->sort_order = store_int(rows, i, 2);
    b->name_zh = store_text(rows, i, 3);
    b->name_en = store_text(rows, i, 4);
    b->organization = store_text(rows, i, 5);
    b->avg_service_min = store_int(rows, i, 6);
    b->has_offering = !store_is_null(rows, i, 7);
    b->offering_id = store_int(rows, i, 7);
    b->is_open = store_int(rows, i, 8) != 0;
    b->last_number = store_int(rows, i, 9);
}

int fair_booth_insert(struct store_conn *c, struct arena *a, struct fair_booth *b, int64_t now)
{
    struct store_val p[] = {
        SV_INT(b->fair_id),         SV_TEXT(b->name_zh),
        SV_TEXT(b->name_en),        SV_TEXT(b->organization),
        SV_INT(b->avg_service_min), b->has_offering ? SV_INT(b->offering_id) : SV_NULL,
        SV_INT(b->is_open),         SV_INT(now)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_booth_insert, p, 8, &rows);
    if (rc)
        return rc;
    b->id = store_int(&rows, 0, 0);
    b->sort_order = store_int(&rows, 0, 1);
    b->last_number = 0;
    return STORE_OK;
}

int fair_booth_get(struct store_conn *c, struct arena *a, int64_t fair_id, int64_t booth_id,
                   struct fair_booth *out)
{
    struct store_val p[] = {SV_INT(booth_id), SV_INT(fair_id)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_booth_get, p, 2, &rows);
    if (rc)
        return rc;
    if (!rows.nrows)
        return STORE_NOT_FOUND;
    row_to_booth(&rows, 0, out);
    return STORE_OK;
}

int fair_booth_list(struct store_conn *c, struct arena *a, int64_t fair_id, struct fair_booth **out,
                    size_t *n)
{
    struct store_val p[] = {SV_INT(fair_id)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_booth_list, p, 1, &rows);
    if (rc)
        return rc;
    *n = rows.nrows;
    *out = arena_alloc(a, (rows.nrows ? rows.nrows : 1) * sizeof(**out));
    for (size_t i = 0; i < rows.nrows; i++)
        row_to_booth(&rows, i, &(*out)[i]);
    return STORE_OK;
}

int fair_booth_update(struct store_conn *c, const struct fair_booth *b, int64_t now)
{
    struct store_val p[] = {SV_INT(b->id),
                            SV_INT(b->fair_id),
                            SV_TEXT(b->name_zh),
                            SV_TEXT(b->name_en),
                            SV_TEXT(b->organization),
                            SV_INT(b->avg_service_min),
                            b->has_offering ? SV_INT(b->offering_id) : SV_NULL,
                            SV_INT(b->is_open),
                            SV_INT(now)};
    int64_t changed = 0;
    int rc = store_exec(c, sql_booth_update, p, 9, &changed);
    if (rc)
        return rc;
    return changed == 1 ? STORE_OK : STORE_NOT_FOUND;
}

int fair_booth_fair(struct store_conn *c, struct arena *a, int64_t booth_id, int64_t *fair_id)
{
    struct store_val p[] = {SV_INT(booth_id)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_booth_fair, p, 1, &rows);
    if (rc)
        return rc;
    if (!rows.nrows)
        return STORE_NOT_FOUND;
    *fair_id = store_int(&rows, 0, 0);
    return STORE_OK;
}

/* A booth's timed slots, from the booking module's tables: open ones of
 * an active offering that have not started and have a seat free. */
static const char sql_booth_set_offering[] =
    "UPDATE fair_booths SET offering_id = $2, updated_at = $3 WHERE id = $1";
static const char sql_booth_free_slots[] =
    "SELECT b.id, COUNT(s.id) FROM fair_booths b"
    " JOIN offerings o ON o.id = b.offering_id AND o.active = 1"
    " JOIN slots s ON s.offering_id = o.id AND s.state = 'open'"
    " AND s.starts_at > $2 AND s.taken < s.capacity"
    " WHERE b.fair_id = $1 AND (CAST($3 AS BIGINT) = 0 OR b.id = $3) GROUP BY b.id";

int fair_booth_set_offering(struct store_conn *c, int64_t booth_id, int64_t offering_id,
                            int64_t now)
{
    struct store_val p[] = {SV_INT(booth_id), offering_id ? SV_INT(offering_id) : SV_NULL,
                            SV_INT(now)};
    int64_t changed = 0;
    int rc = store_exec(c, sql_booth_set_offering, p, 3, &changed);
    if (rc)
        return rc;
    return changed == 1 ? STORE_OK : STORE_NOT_FOUND;
}

int fair_booth_free_slots(struct store_conn *c, struct arena *a, int64_t fair_id, int64_t booth_id,
                          int64_t now, struct fair_board_row **out, size_t *n)
{
    struct store_val p[] = {SV_INT(fair_id), SV_INT(now), SV_INT(booth_id)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_booth_free_slots, p, 3, &rows);
    if (rc)
        return rc;
    *n = rows.nrows;
    *out = arena_calloc(a, rows.nrows ? rows.nrows : 1, sizeof(**out));
    for (size_t i = 0; i < rows.nrows; i++) {
        (*out)[i].booth_id = store_int(&rows, i, 0);
        (*out)[i].state = "free";
        (*out)[i].value = store_int(&rows, i, 1);
    }
    return STORE_OK;
}

/* ---- tickets ----------------------------------------------------------- */

/* The number: the booth's counter moves on only while the fair is open
 * and the booth takes numbers; the row returned is the number taken. */
static const char sql_take_number[] =
    "UPDATE fair_booths SET last_number = last_number + 1"
    " WHERE id = $1 AND fair_id = $2 AND is_open = 1"
    " AND EXISTS (SELECT 1 FROM fairs WHERE id = $2 AND state = 'open')"
    " RETURNING last_number";
static const char sql_insert_ticket[] =
    "INSERT INTO fair_tickets (fair_id, booth_id, number, user_id, name, state, taken_by,"
    " taken_at) VALUES ($1, $2, $3, $4, $5, 'waiting', $6, $7) RETURNING id";

#define TICKET_COLS                                                                                \
    "t.id, t.fair_id, t.booth_id, f.site_id, t.number, t.user_id, t.name, t.state,"                \
    " t.taken_by, t.taken_at, t.called_at, t.finished_at, t.handled_by,"                           \
    " CASE WHEN t.state = 'waiting' THEN (SELECT COUNT(*) FROM fair_tickets w"                     \
    " WHERE w.booth_id = t.booth_id AND w.state = 'waiting' AND w.number < t.number)"              \
    " ELSE 0 END, b.name_zh, b.name_en, b.avg_service_min"
#define TICKET_FROM                                                                                \
    " FROM fair_tickets t JOIN fair_booths b ON b.id = t.booth_id"                                 \
    " JOIN fairs f ON f.id = t.fair_id"

static const char sql_ticket_get[] = "SELECT " TICKET_COLS TICKET_FROM " WHERE t.id = $1";
static const char sql_ticket_list_user[] = "SELECT " TICKET_COLS TICKET_FROM " WHERE t.user_id = $1"
                                           " ORDER BY t.taken_at DESC, t.id DESC LIMIT $2";
static const char sql_ticket_list_booth[] =
    "SELECT " TICKET_COLS TICKET_FROM " WHERE t.booth_id = $1"
    " AND ((CAST($2 AS TEXT) IS NULL AND t.state IN ('waiting', 'called'))"
    " OR t.state = CAST($2 AS TEXT))"
    " ORDER BY t.number LIMIT $3";

/* Two callers of the same booth take turns on its row: the second's
 * choice of "the lowest waiting number" is made after the first's commit. */
static const char sql_touch_booth[] = "UPDATE fair_booths SET last_called_at = $2 WHERE id = $1";
static const char sql_call_next[] =
    "UPDATE fair_tickets SET state = 'called', called_at = $2, handled_by = $3"
    " WHERE id = (SELECT id FROM fair_tickets WHERE booth_id = $1 AND state = 'waiting'"
    " ORDER BY number LIMIT 1) AND state = 'waiting' RETURNING id";

static const char sql_skip[] =
    "UPDATE fair_tickets SET state = 'skipped', finished_at = $2, handled_by = $3"
    " WHERE id = $1 AND state IN ('waiting', 'called')";
static const char sql_done[] =
    "UPDATE fair_tickets SET state = 'done', finished_at = $2, handled_by = $3"
    " WHERE id = $1 AND state = 'called'";
static const char sql_cancel[] =
    "UPDATE fair_tickets SET state = 'cancelled', finished_at = $2, handled_by = $3"
    " WHERE id = $1 AND state IN ('waiting', 'called')";

static void row_to_ticket(const struct store_rows *rows, size_t i, struct fair_ticket *t)
{
    t->id = store_int(rows, i, 0);
    t->fair_id = store_int(rows, i, 1);
    t->booth_id = store_int(rows, i, 2);
    t->site_id = store_int(rows, i, 3);
    t->number = store_int(rows, i, 4);
    t->user_id = store_int(rows, i, 5);
    t->name = store_text(rows, i, 6);
    t->state = store_text(rows, i, 7);
    t->taken_by = store_int(rows, i, 8);
    t->taken_at = store_int(rows, i, 9);
    t->called_at = store_int(rows, i, 10);
    t->finished_at = store_int(rows, i, 11);
    t->handled_by = store_int(rows, i, 12);
    t->ahead = store_int(rows, i, 13);
    t->booth_name_zh = store_text(rows, i, 14);
    t->booth_name_en = store_text(rows, i, 15);
    t->avg_service_min = store_int(rows, i, 16);
}

static int ticket_rows(struct arena *a, const struct store_rows *rows, struct fair_ticket **out,
                       size_t *n)
{
    *n = rows->nrows;
    *out = arena_alloc(a, (rows->nrows ? rows->nrows : 1) * sizeof(**out));
    for (size_t i = 0; i < rows->nrows; i++)
        row_to_ticket(rows, i, &(*out)[i]);
    return STORE_OK;
}

int fair_ticket_take(struct store_conn *c, struct arena *a, struct fair_ticket *t)
{
    struct store_val p[] = {SV_INT(t->booth_id), SV_INT(t->fair_id)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_take_number, p, 2, &rows);
    if (rc)
        return rc;
    if (!rows.nrows)
        return FAIR_NOT_TAKING;
    t->number = store_int(&rows, 0, 0);
    struct store_val q[] = {SV_INT(t->fair_id),       SV_INT(t->booth_id),
                            SV_INT(t->number),        t->user_id ? SV_INT(t->user_id) : SV_NULL,
                            SV_TEXT_OR_NULL(t->name), t->taken_by ? SV_INT(t->taken_by) : SV_NULL,
                            SV_INT(t->taken_at)};
    rc = store_query(c, a, sql_insert_ticket, q, 7, &rows);
    if (rc)
        return rc;
    t->id = store_int(&rows, 0, 0);
    t->state = "waiting";
    return STORE_OK;
}

int fair_ticket_get(struct store_conn *c, struct arena *a, int64_t id, struct fair_ticket *out)
{
    struct store_val p[] = {SV_INT(id)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_ticket_get, p, 1, &rows);
    if (rc)
        return rc;
    if (!rows.nrows)
        return STORE_NOT_FOUND;
    row_to_ticket(&rows, 0, out);
    return STORE_OK;
}

int fair_ticket_call_next(struct store_conn *c, struct arena *a, int64_t booth_id, int64_t by,
                          int64_t now, int64_t *id)
{
    struct store_val p[] = {SV_INT(booth_id), SV_INT(now), SV_INT(by)};
    int rc = store_exec(c, sql_touch_booth, p, 2, NULL);
    if (rc)
        return rc;
    struct store_rows rows;
    rc = store_query(c, a, sql_call_next, p, 3, &rows);
    if (rc)
        return rc;
    if (!rows.nrows)
        return STORE_NOT_FOUND;
    *id = store_int(&rows, 0, 0);
    return STORE_OK;
}

int fair_ticket_finish(struct store_conn *c, int64_t id, enum fair_ticket_action action, int64_t by,
                       int64_t now)
{
    const char *sql = action == FAIR_SKIP ? sql_skip : action == FAIR_DONE ? sql_done : sql_cancel;
    struct store_val p[] = {SV_INT(id), SV_INT(now), by ? SV_INT(by) : SV_NULL};
    int64_t changed = 0;
    int rc = store_exec(c, sql, p, 3, &changed);
    if (rc)
        return rc;
    return changed == 1 ? STORE_OK : STORE_CONFLICT;
}

int fair_ticket_list_user(struct store_conn *c, struct arena *a, int64_t user_id, int64_t limit,
                          struct fair_ticket **out, size_t *n)
{
    struct store_val p[] = {SV_INT(user_id), SV_INT(limit)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_ticket_list_user, p, 2, &rows);
    return rc ? rc : ticket_rows(a, &rows, out, n);
}

int fair_ticket_list_booth(struct store_conn *c, struct arena *a, int64_t booth_id,
                           const char *state, int64_t limit, struct fair_ticket **out, size_t *n)
{
    struct store_val p[] = {SV_INT(booth_id), SV_TEXT_OR_NULL(state), SV_INT(limit)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_ticket_list_booth, p, 3, &rows);
    return rc ? rc : ticket_rows(a, &rows, out, n);
}

/* ---- the board ---------------------------------------------------------- */

static const char sql_board_heads[] =
    "SELECT booth_id, state, number FROM (SELECT booth_id, state, number,"
    " ROW_NUMBER() OVER (PARTITION BY booth_id, state ORDER BY number) AS rn"
    " FROM fair_tickets WHERE fair_id = $1 AND (CAST($2 AS BIGINT) = 0 OR booth_id = $2)"
    " AND state IN ('waiting', 'called')) h"
    " WHERE state = 'called' OR rn <= $3 ORDER BY booth_id, state, number";
static const char sql_board_counts[] =
    "SELECT booth_id, state, COUNT(*) FROM fair_tickets"
    " WHERE fair_id = $1 AND (CAST($2 AS BIGINT) = 0 OR booth_id = $2) GROUP BY booth_id, state";
static const char sql_board_durations[] =
    "SELECT booth_id, 'done', d FROM (SELECT booth_id, finished_at - called_at AS d,"
    " ROW_NUMBER() OVER (PARTITION BY booth_id ORDER BY finished_at DESC, id DESC) AS rn"
    " FROM fair_tickets WHERE fair_id = $1 AND (CAST($2 AS BIGINT) = 0 OR booth_id = $2)"
    " AND state = 'done' AND called_at IS NOT NULL) m"
    " WHERE rn <= $3 ORDER BY booth_id, rn";

static int board_rows(struct store_conn *c, struct arena *a, const char *sql, int64_t fair_id,
                      int64_t booth_id, int64_t limit, struct fair_board_row **out, size_t *n)
{
    struct store_val p[] = {SV_INT(fair_id), SV_INT(booth_id), SV_INT(limit)};
    struct store_rows rows;
    int rc = store_query(c, a, sql, p, limit ? 3 : 2, &rows);
    if (rc)
        return rc;
    *n = rows.nrows;
    *out = arena_alloc(a, (rows.nrows ? rows.nrows : 1) * sizeof(**out));
    for (size_t i = 0; i < rows.nrows; i++) {
        (*out)[i].booth_id = store_int(&rows, i, 0);
        (*out)[i].state = store_text(&rows, i, 1);
        (*out)[i].value = store_int(&rows, i, 2);
    }
    return STORE_OK;
}

int fair_board_heads(struct store_conn *c, struct arena *a, int64_t fair_id, int64_t booth_id,
                     struct fair_board_row **out, size_t *n)
{
    return board_rows(c, a, sql_board_heads, fair_id, booth_id, FAIR_BOARD_NEXT, out, n);
}

int fair_board_counts(struct store_conn *c, struct arena *a, int64_t fair_id, int64_t booth_id,
                      struct fair_board_row **out, size_t *n)
{
    return board_rows(c, a, sql_board_counts, fair_id, booth_id, 0, out, n);
}

int fair_board_durations(struct store_conn *c, struct arena *a, int64_t fair_id, int64_t booth_id,
                         struct fair_board_row **out, size_t *n)
{
    return board_rows(c, a, sql_board_durations, fair_id, booth_id, FAIR_MEASURE_LAST, out, n);
}
