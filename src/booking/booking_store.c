/*
 * booking_store.c - the SQL of offerings, slots and bookings, and the
 * store operations that move seats: booking a place, passing a freed seat
 * to the first in line, cancelling a slot, erasing a person's bookings.
 * Those run inside the caller's transaction and consist of store calls
 * only, so store_tx may repeat them.
 *
 * Every seat is taken by the one statement sql_take, whose affected-row
 * count decides; the CHECK (taken <= capacity) in the schema stands behind
 * it. Every state change of a booking is one UPDATE guarded by the state
 * it leaves, so two nodes (or a person and the tick) never both make it.
 *
 * The SQL blocks are kept out of clang-format, which would cut the
 * statements mid-clause.
 */
#include <string.h>

#include "booking/booking.h"
#include "store/store.h"

#define ACTIVE "('held', 'confirmed', 'waitlisted', 'offered')"

static struct store_val id_or_null(int64_t id)
{
    return id > 0 ? SV_INT(id) : SV_NULL;
}

static int exec_n(struct store_conn *c, const char *sql, const struct store_val *p, size_t np,
                  int64_t *n)
{
    *n = 0;
    return store_exec(c, sql, p, np, n);
}

static int one_row(int rc, int64_t n)
{
    return rc ? rc : n == 1 ? STORE_OK : STORE_CONFLICT;
}

/* ---- offerings ------------------------------------------------------- */

/* clang-format off */
#define OFFERING_COLS \
    "o.id, o.kind, o.title_zh, o.title_en, o.description_zh, o.description_en," \
    " o.site_id, o.service_id, o.org_code, o.verification_required," \
    " o.per_person_limit, o.cancel_cutoff_s, o.waitlist, o.offer_ttl_s," \
    " o.active, o.is_demo, o.created_by, o.created_at, o.updated_at"

static const char sql_offering_insert[] =
    "INSERT INTO offerings (kind, title_zh, title_en, description_zh,"
    " description_en, site_id, service_id, org_code, verification_required,"
    " per_person_limit, cancel_cutoff_s, waitlist, offer_ttl_s, active,"
    " is_demo, created_by, created_at, updated_at)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14,"
    " $15, $16, $17, $17)"
    " RETURNING id";
static const char sql_offering_update[] =
    "UPDATE offerings SET kind = $2, title_zh = $3, title_en = $4,"
    " description_zh = $5, description_en = $6, service_id = $7,"
    " verification_required = $8, per_person_limit = $9,"
    " cancel_cutoff_s = $10, waitlist = $11, offer_ttl_s = $12,"
    " active = $13, updated_at = $14"
    " WHERE id = $1";
static const char sql_offering_delete_demo[] =
    "DELETE FROM offerings WHERE is_demo = 1";
static const char sql_offering_get[] =
    "SELECT " OFFERING_COLS " FROM offerings o WHERE o.id = $1";
#define OFFERING_WHERE \
    " WHERE (CAST($1 AS BIGINT) = 0 OR o.site_id = $1)" \
    " AND (CAST($2 AS BIGINT) = 0 OR o.service_id = $2)" \
    " AND (CAST($3 AS TEXT) IS NULL OR o.kind = $3)" \
    " AND (CAST($4 AS INTEGER) = 0 OR o.active = 1)"
static const char sql_offering_list[] =
    "SELECT " OFFERING_COLS " FROM offerings o" OFFERING_WHERE
    " ORDER BY o.id LIMIT $5 OFFSET $6";
static const char sql_offering_count[] =
    "SELECT COUNT(*) FROM offerings o" OFFERING_WHERE;
/* clang-format on */

static void row_to_offering(const struct store_rows *r, size_t i, struct offering *o)
{
    o->id = store_int(r, i, 0);
    o->kind = store_text(r, i, 1);
    o->title_zh = store_text(r, i, 2);
    o->title_en = store_text(r, i, 3);
    o->description_zh = store_text(r, i, 4);
    o->description_en = store_text(r, i, 5);
    o->site_id = store_int(r, i, 6);
    o->service_id = store_int(r, i, 7);
    o->org_code = store_text(r, i, 8);
    o->verification_required = store_int(r, i, 9) != 0;
    o->per_person_limit = store_int(r, i, 10);
    o->cancel_cutoff_s = store_int(r, i, 11);
    o->waitlist = store_int(r, i, 12) != 0;
    o->offer_ttl_s = store_int(r, i, 13);
    o->active = store_int(r, i, 14) != 0;
    o->is_demo = store_int(r, i, 15) != 0;
    o->created_by = store_int(r, i, 16);
    o->created_at = store_int(r, i, 17);
    o->updated_at = store_int(r, i, 18);
}

int offering_insert(struct store_conn *c, struct arena *a, struct offering *o)
{
    struct store_val p[] = {SV_TEXT(o->kind),
                            SV_TEXT(o->title_zh),
                            SV_TEXT(o->title_en),
                            SV_TEXT(o->description_zh),
                            SV_TEXT(o->description_en),
                            id_or_null(o->site_id),
                            id_or_null(o->service_id),
                            SV_TEXT_OR_NULL(o->org_code),
                            SV_INT(o->verification_required),
                            SV_INT(o->per_person_limit),
                            SV_INT(o->cancel_cutoff_s),
                            SV_INT(o->waitlist),
                            SV_INT(o->offer_ttl_s),
                            SV_INT(o->active),
                            SV_INT(o->is_demo),
                            id_or_null(o->created_by),
                            SV_INT(o->created_at)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_offering_insert, p, 17, &rows);
    if (rc)
        return rc;
    if (!rows.nrows)
        return STORE_ERROR;
    o->id = store_int(&rows, 0, 0);
    o->updated_at = o->created_at;
    return STORE_OK;
}

int offering_update(struct store_conn *c, const struct offering *o, int64_t now)
{
    struct store_val p[] = {SV_INT(o->id),
                            SV_TEXT(o->kind),
                            SV_TEXT(o->title_zh),
                            SV_TEXT(o->title_en),
                            SV_TEXT(o->description_zh),
                            SV_TEXT(o->description_en),
                            id_or_null(o->service_id),
                            SV_INT(o->verification_required),
                            SV_INT(o->per_person_limit),
                            SV_INT(o->cancel_cutoff_s),
                            SV_INT(o->waitlist),
                            SV_INT(o->offer_ttl_s),
                            SV_INT(o->active),
                            SV_INT(now)};
    int64_t n = 0;
    int rc = store_exec(c, sql_offering_update, p, 14, &n);
    return rc ? rc : n ? STORE_OK : STORE_NOT_FOUND;
}

int offering_delete_demo(struct store_conn *c)
{
    return store_exec(c, sql_offering_delete_demo, NULL, 0, NULL);
}

int offering_get(struct store_conn *c, struct arena *a, int64_t id, struct offering *out)
{
    struct store_val p[] = {SV_INT(id)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_offering_get, p, 1, &rows);
    if (rc)
        return rc;
    if (!rows.nrows)
        return STORE_NOT_FOUND;
    row_to_offering(&rows, 0, out);
    return STORE_OK;
}

int offering_list(struct store_conn *c, struct arena *a, const struct offering_query *q,
                  struct offering **out, size_t *n, int64_t *total)
{
    struct store_val p[] = {SV_INT(q->site_id),     SV_INT(q->service_id), SV_TEXT_OR_NULL(q->kind),
                            SV_INT(q->active_only), SV_INT(q->limit),      SV_INT(q->offset)};
    struct store_rows rows, count;
    int rc = store_query(c, a, sql_offering_list, p, 6, &rows);
    if (!rc)
        rc = store_query(c, a, sql_offering_count, p, 4, &count);
    if (rc)
        return rc;
    *total = store_int(&count, 0, 0);
    *n = rows.nrows;
    *out = arena_calloc(a, rows.nrows + 1, sizeof(**out));
    for (size_t i = 0; i < rows.nrows; i++)
        row_to_offering(&rows, i, &(*out)[i]);
    return STORE_OK;
}

/* ---- slots ----------------------------------------------------------- */

/* clang-format off */
/* A slot with its offering's titles and its site's names. */
#define SLOT_COLS \
    "s.id, s.offering_id, s.site_id, s.starts_at, s.ends_at, s.capacity," \
    " s.taken, s.state, o.kind, o.title_zh, o.title_en, o.waitlist," \
    " o.cancel_cutoff_s, st.name_zh, st.name_en, o.org_code"
#define SLOT_NCOLS 16
#define SLOT_JOIN \
    " JOIN offerings o ON o.id = s.offering_id" \
    " JOIN sites st ON st.id = s.site_id"
#define SLOT_WAITING \
    "(SELECT COUNT(*) FROM bookings w WHERE w.slot_id = s.id" \
    " AND w.state = 'waitlisted')"

static const char sql_slot_insert[] =
    "INSERT INTO slots (offering_id, site_id, starts_at, ends_at, capacity,"
    " created_at)"
    " VALUES ($1, $2, $3, $4, $5, $6) RETURNING id";
static const char sql_slot_insert_new[] =
    "INSERT INTO slots (offering_id, site_id, starts_at, ends_at, capacity,"
    " created_at)"
    " VALUES ($1, $2, $3, $4, $5, $6)"
    " ON CONFLICT (offering_id, site_id, starts_at) DO NOTHING RETURNING id";
static const char sql_slot_get[] =
    "SELECT " SLOT_COLS ", " SLOT_WAITING " FROM slots s" SLOT_JOIN
    " WHERE s.id = $1";
#define SLOT_WHERE \
    " WHERE s.state = 'open' AND o.active = 1" \
    " AND (CAST($1 AS BIGINT) = 0 OR s.site_id = $1)" \
    " AND (CAST($2 AS BIGINT) = 0 OR o.service_id = $2)" \
    " AND (CAST($3 AS BIGINT) = 0 OR s.offering_id = $3)" \
    " AND s.starts_at >= $4 AND s.starts_at < $5" \
    " AND (CAST($6 AS INTEGER) = 0" \
    "      OR (s.taken < s.capacity AND s.starts_at > $7))"
static const char sql_slot_list[] =
    "SELECT " SLOT_COLS ", " SLOT_WAITING " FROM slots s" SLOT_JOIN SLOT_WHERE
    " ORDER BY s.starts_at, s.id LIMIT $8 OFFSET $9";
static const char sql_slot_count[] =
    "SELECT COUNT(*) FROM slots s"
    " JOIN offerings o ON o.id = s.offering_id" SLOT_WHERE;

/* The capacity statement: a seat is taken when it affects one row. */
static const char sql_take[] =
    "UPDATE slots SET taken = taken + 1"
    " WHERE id = $1 AND taken < capacity AND starts_at > $2"
    " AND state = 'open'";
/* A ticket in the queue, only while the slot is full and open. The row
 * lock it takes orders the queue: tickets are handed out one at a time. */
static const char sql_ticket[] =
    "UPDATE slots SET wait_seq = wait_seq + 1"
    " WHERE id = $1 AND taken >= capacity AND starts_at > $2"
    " AND state = 'open'"
    " RETURNING wait_seq";
static const char sql_release[] =
    "UPDATE slots SET taken = taken - 1 WHERE id = $1 AND taken > 0";
static const char sql_set_capacity[] =
    "UPDATE slots SET capacity = $2"
    " WHERE id = $1 AND state = 'open' AND taken <= $2";
static const char sql_slot_cancel[] =
    "UPDATE slots SET state = 'cancelled', taken = 0"
    " WHERE id = $1 AND state = 'open'";
static const char sql_slot_open[] =
    "SELECT 1 FROM slots WHERE id = $1 AND state = 'open' AND starts_at > $2";
/* clang-format on */

static void row_to_slot(const struct store_rows *r, size_t i, struct slot *s)
{
    s->id = store_int(r, i, 0);
    s->offering_id = store_int(r, i, 1);
    s->site_id = store_int(r, i, 2);
    s->starts_at = store_int(r, i, 3);
    s->ends_at = store_int(r, i, 4);
    s->capacity = store_int(r, i, 5);
    s->taken = store_int(r, i, 6);
    s->state = store_text(r, i, 7);
    s->kind = store_text(r, i, 8);
    s->title_zh = store_text(r, i, 9);
    s->title_en = store_text(r, i, 10);
    s->waitlist = store_int(r, i, 11) != 0;
    s->cancel_cutoff_s = store_int(r, i, 12);
    s->site_name_zh = store_text(r, i, 13);
    s->site_name_en = store_text(r, i, 14);
    s->org_code = store_text(r, i, 15);
}

static int slot_insert_sql(struct store_conn *c, struct arena *a, const char *sql, struct slot *s,
                           int64_t now, bool *made)
{
    struct store_val p[] = {SV_INT(s->offering_id), SV_INT(s->site_id),  SV_INT(s->starts_at),
                            SV_INT(s->ends_at),     SV_INT(s->capacity), SV_INT(now)};
    struct store_rows rows;
    int rc = store_query(c, a, sql, p, 6, &rows);
    if (rc)
        return rc;
    *made = rows.nrows == 1;
    if (*made) {
        s->id = store_int(&rows, 0, 0);
        s->taken = 0;
        s->state = "open";
    }
    return STORE_OK;
}

int slot_insert(struct store_conn *c, struct arena *a, struct slot *s, int64_t now)
{
    bool made;
    int rc = slot_insert_sql(c, a, sql_slot_insert, s, now, &made);
    return rc ? rc : made ? STORE_OK : STORE_ERROR;
}

int slot_insert_unless_exists(struct store_conn *c, struct arena *a, struct slot *s, int64_t now,
                              bool *made)
{
    return slot_insert_sql(c, a, sql_slot_insert_new, s, now, made);
}

int slot_get(struct store_conn *c, struct arena *a, int64_t id, struct slot *out)
{
    struct store_val p[] = {SV_INT(id)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_slot_get, p, 1, &rows);
    if (rc)
        return rc;
    if (!rows.nrows)
        return STORE_NOT_FOUND;
    row_to_slot(&rows, 0, out);
    out->waiting = store_int(&rows, 0, SLOT_NCOLS);
    return STORE_OK;
}

int slot_list(struct store_conn *c, struct arena *a, const struct slot_query *q, struct slot **out,
              size_t *n, int64_t *total)
{
    struct store_val p[] = {SV_INT(q->site_id), SV_INT(q->service_id), SV_INT(q->offering_id),
                            SV_INT(q->from),    SV_INT(q->to),         SV_INT(q->available),
                            SV_INT(q->now),     SV_INT(q->limit),      SV_INT(q->offset)};
    struct store_rows rows, count;
    int rc = store_query(c, a, sql_slot_list, p, 9, &rows);
    if (!rc)
        rc = store_query(c, a, sql_slot_count, p, 7, &count);
    if (rc)
        return rc;
    *total = store_int(&count, 0, 0);
    *n = rows.nrows;
    *out = arena_calloc(a, rows.nrows + 1, sizeof(**out));
    for (size_t i = 0; i < rows.nrows; i++) {
        row_to_slot(&rows, i, &(*out)[i]);
        (*out)[i].waiting = store_int(&rows, i, SLOT_NCOLS);
    }
    return STORE_OK;
}

/* Is the slot still bookable (open, not started)? */
static int slot_is_open(struct store_conn *c, struct arena *a, int64_t slot_id, int64_t now,
                        bool *open)
{
    struct store_val p[] = {SV_INT(slot_id), SV_INT(now)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_slot_open, p, 2, &rows);
    *open = !rc && rows.nrows > 0;
    return rc;
}

/* ---- bookings: reading ----------------------------------------------- */

/* clang-format off */
#define BOOKING_COLS \
    "b.id, b.slot_id, b.offering_id, b.user_id, b.state, b.queue_no," \
    " b.hold_until, b.offer_until, b.created_at, b.updated_at," \
    " b.confirmed_at, b.cancelled_at, b.checked_in_at, b.checked_in_by," \
    " b.cancel_reason, b.reminded_at," \
    " CASE WHEN b.state = 'waitlisted' THEN" \
    "   (SELECT COUNT(*) FROM bookings w WHERE w.slot_id = b.slot_id" \
    "    AND w.state = 'waitlisted' AND w.queue_no <= b.queue_no)" \
    " ELSE 0 END, " SLOT_COLS
#define BOOKING_OWN_COLS 17
#define BOOKING_NCOLS (BOOKING_OWN_COLS + SLOT_NCOLS)
#define BOOKING_FROM \
    " FROM bookings b JOIN slots s ON s.id = b.slot_id" SLOT_JOIN

static const char sql_booking_get[] =
    "SELECT " BOOKING_COLS BOOKING_FROM " WHERE b.id = $1";
static const char sql_booking_user[] =
    "SELECT " BOOKING_COLS BOOKING_FROM
    " WHERE b.user_id = $1"
    " AND (CAST($2 AS INTEGER) = 0 OR b.state IN " ACTIVE ")"
    " ORDER BY s.starts_at DESC, b.id DESC LIMIT $3 OFFSET $4";
static const char sql_booking_site[] =
    "SELECT " BOOKING_COLS ", u.display_name, u.phone" BOOKING_FROM
    " JOIN users u ON u.id = b.user_id"
    " WHERE s.site_id = $1 AND s.starts_at < $3 AND s.ends_at > $2"
    " ORDER BY s.starts_at, s.id, b.id LIMIT 5000";
static const char sql_booking_slot[] =
    "SELECT " BOOKING_COLS ", u.display_name, u.phone" BOOKING_FROM
    " JOIN users u ON u.id = b.user_id"
    " WHERE b.slot_id = $1"
    " ORDER BY b.id LIMIT 10000";
static const char sql_booking_checkin[] =
    "SELECT " BOOKING_COLS BOOKING_FROM
    " WHERE b.user_id = $1 AND b.state = 'confirmed'"
    " AND s.ends_at > $2 AND s.starts_at < $3"
    " ORDER BY s.starts_at, b.id LIMIT 50";
static const char sql_booking_due_holds[] =
    "SELECT " BOOKING_COLS BOOKING_FROM
    " WHERE b.state = 'held' AND b.hold_until <= $1"
    " ORDER BY b.id LIMIT $2";
static const char sql_booking_due_offers[] =
    "SELECT " BOOKING_COLS BOOKING_FROM
    " WHERE b.state = 'offered' AND b.offer_until <= $1"
    " ORDER BY b.id LIMIT $2";
static const char sql_booking_due_waiting[] =
    "SELECT " BOOKING_COLS BOOKING_FROM
    " WHERE b.state = 'waitlisted' AND s.starts_at <= $1"
    " ORDER BY b.id LIMIT $2";
static const char sql_booking_due_no_shows[] =
    "SELECT " BOOKING_COLS BOOKING_FROM
    " WHERE b.state = 'confirmed' AND s.ends_at <= $1"
    " ORDER BY b.id LIMIT $2";
static const char sql_booking_to_remind[] =
    "SELECT " BOOKING_COLS BOOKING_FROM
    " WHERE b.state = 'confirmed' AND b.reminded_at IS NULL"
    " AND s.starts_at >= $1 AND s.starts_at < $2"
    " ORDER BY b.id LIMIT $3";
/* clang-format on */

static void row_to_booking(const struct store_rows *r, size_t i, struct booking *b)
{
    memset(b, 0, sizeof(*b));
    b->id = store_int(r, i, 0);
    b->slot_id = store_int(r, i, 1);
    b->offering_id = store_int(r, i, 2);
    b->user_id = store_int(r, i, 3);
    b->state = store_text(r, i, 4);
    b->queue_no = store_int(r, i, 5);
    b->hold_until = store_int(r, i, 6);
    b->offer_until = store_int(r, i, 7);
    b->created_at = store_int(r, i, 8);
    b->updated_at = store_int(r, i, 9);
    b->confirmed_at = store_int(r, i, 10);
    b->cancelled_at = store_int(r, i, 11);
    b->checked_in_at = store_int(r, i, 12);
    b->checked_in_by = store_int(r, i, 13);
    b->cancel_reason = store_text(r, i, 14);
    b->reminded_at = store_int(r, i, 15);
    b->place = store_int(r, i, 16);
    /* The slot's columns follow, in SLOT_COLS order. */
    struct store_rows shifted = *r;
    shifted.cells = r->cells + BOOKING_OWN_COLS;
    row_to_slot(&shifted, i, &b->slot);
}

static int booking_rows(struct store_conn *c, struct arena *a, const char *sql,
                        const struct store_val *p, size_t np, bool person, struct booking **out,
                        size_t *n)
{
    struct store_rows rows;
    int rc = store_query(c, a, sql, p, np, &rows);
    if (rc)
        return rc;
    *n = rows.nrows;
    *out = arena_calloc(a, rows.nrows + 1, sizeof(**out));
    for (size_t i = 0; i < rows.nrows; i++) {
        row_to_booking(&rows, i, &(*out)[i]);
        if (person) {
            (*out)[i].person_name = store_text(&rows, i, BOOKING_NCOLS);
            (*out)[i].person_phone = store_text(&rows, i, BOOKING_NCOLS + 1);
        }
    }
    return STORE_OK;
}

int booking_get(struct store_conn *c, struct arena *a, int64_t id, struct booking *out)
{
    struct store_val p[] = {SV_INT(id)};
    struct booking *b;
    size_t n;
    int rc = booking_rows(c, a, sql_booking_get, p, 1, false, &b, &n);
    if (rc)
        return rc;
    if (!n)
        return STORE_NOT_FOUND;
    *out = b[0];
    return STORE_OK;
}

int booking_list_user(struct store_conn *c, struct arena *a, int64_t user_id, bool active_only,
                      int64_t limit, int64_t offset, struct booking **out, size_t *n)
{
    struct store_val p[] = {SV_INT(user_id), SV_INT(active_only), SV_INT(limit), SV_INT(offset)};
    return booking_rows(c, a, sql_booking_user, p, 4, false, out, n);
}

int booking_list_site(struct store_conn *c, struct arena *a, int64_t site_id, int64_t from,
                      int64_t to, struct booking **out, size_t *n)
{
    struct store_val p[] = {SV_INT(site_id), SV_INT(from), SV_INT(to)};
    return booking_rows(c, a, sql_booking_site, p, 3, true, out, n);
}

int booking_list_slot(struct store_conn *c, struct arena *a, int64_t slot_id, struct booking **out,
                      size_t *n)
{
    struct store_val p[] = {SV_INT(slot_id)};
    return booking_rows(c, a, sql_booking_slot, p, 1, true, out, n);
}

int booking_list_checkin(struct store_conn *c, struct arena *a, int64_t user_id, int64_t now,
                         int64_t until, struct booking **out, size_t *n)
{
    struct store_val p[] = {SV_INT(user_id), SV_INT(now), SV_INT(until)};
    return booking_rows(c, a, sql_booking_checkin, p, 3, false, out, n);
}

int booking_list_due(struct store_conn *c, struct arena *a, enum booking_due what, int64_t now,
                     int64_t limit, struct booking **out, size_t *n)
{
    static const char *const sql[] = {sql_booking_due_holds, sql_booking_due_offers,
                                      sql_booking_due_waiting, sql_booking_due_no_shows};
    struct store_val p[] = {SV_INT(now), SV_INT(limit)};
    return booking_rows(c, a, sql[what], p, 2, false, out, n);
}

int booking_list_to_remind(struct store_conn *c, struct arena *a, int64_t from, int64_t to,
                           int64_t limit, struct booking **out, size_t *n)
{
    struct store_val p[] = {SV_INT(from), SV_INT(to), SV_INT(limit)};
    return booking_rows(c, a, sql_booking_to_remind, p, 3, false, out, n);
}

/* ---- bookings: taking a place ------------------------------------------ */

/* clang-format off */
/* Has the person as many active bookings of the offering as it allows?
 * Asked first, so that they hear "already booked" rather than "full";
 * the unique index in the insert stays what decides. */
static const char sql_at_limit[] =
    "SELECT CASE WHEN"
    " (SELECT COUNT(*) FROM bookings WHERE offering_id = $1 AND user_id = $2"
    "  AND state IN " ACTIVE ")"
    " >= (SELECT per_person_limit FROM offerings WHERE id = $1)"
    " THEN 1 ELSE 0 END";
/* The person's lowest free number among the offering's per-person places
 * (1..per_person_limit), in the insert itself: no row when every place
 * is in use, and a unique-index conflict when a simultaneous booking of
 * the same person took the same number first. */
static const char sql_booking_insert[] =
    "INSERT INTO bookings (slot_id, offering_id, user_id, person_seq, state,"
    " queue_no, hold_until, created_at, updated_at, confirmed_at)"
    " SELECT $1, $2, $3, MIN(f.k), $4, $5, $6, $7, $7, $8"
    " FROM (SELECT 1 AS k"
    "       UNION ALL SELECT person_seq + 1 FROM bookings"
    "       WHERE offering_id = $2 AND user_id = $3"
    "       AND state IN " ACTIVE ") f"
    " WHERE f.k <= (SELECT per_person_limit FROM offerings WHERE id = $2)"
    " AND f.k NOT IN (SELECT person_seq FROM bookings"
    "       WHERE offering_id = $2 AND user_id = $3"
    "       AND state IN " ACTIVE ")"
    " HAVING MIN(f.k) IS NOT NULL"
    " RETURNING id";
static const char sql_queue_place[] =
    "SELECT COUNT(*) FROM bookings WHERE slot_id = $1"
    " AND state = 'waitlisted' AND queue_no <= $2";
/* clang-format on */

int booking_book(struct store_conn *c, struct arena *a, struct booking *b, bool waitlist, bool hold,
                 int64_t now)
{
    struct store_val sp[] = {SV_INT(b->slot_id), SV_INT(now)};
    struct store_val lp[] = {SV_INT(b->offering_id), SV_INT(b->user_id)};
    const char *state = NULL;
    int64_t queue_no = 0;
    struct store_rows rows;
    int rc = store_query(c, a, sql_at_limit, lp, 2, &rows);
    if (rc)
        return rc;
    if (rows.nrows && store_int(&rows, 0, 0) == 1)
        return BOOKING_ALREADY;
    /* On PostgreSQL a seat may be freed between the two statements; look
     * again a few times (on SQLite the write lock makes the first look
     * final). */
    for (int tries = 0; !state && tries < 5; tries++) {
        int64_t n;
        rc = exec_n(c, sql_take, sp, 2, &n);
        if (rc)
            return rc;
        if (n == 1) {
            state = hold ? "held" : "confirmed";
            break;
        }
        bool open;
        if (!waitlist) {
            rc = slot_is_open(c, a, b->slot_id, now, &open);
            return rc ? rc : open ? BOOKING_FULL : BOOKING_SLOT_CLOSED;
        }
        rc = store_query(c, a, sql_ticket, sp, 2, &rows);
        if (rc)
            return rc;
        if (rows.nrows) {
            state = "waitlisted";
            queue_no = store_int(&rows, 0, 0);
            break;
        }
        rc = slot_is_open(c, a, b->slot_id, now, &open);
        if (rc)
            return rc;
        if (!open)
            return BOOKING_SLOT_CLOSED;
    }
    if (!state)
        return STORE_BUSY;
    b->state = state;
    b->queue_no = queue_no;
    b->hold_until = strcmp(state, "held") == 0 ? now + BOOKING_HOLD_S : 0;
    bool firm = strcmp(state, "confirmed") == 0;
    struct store_val p[] = {SV_INT(b->slot_id),
                            SV_INT(b->offering_id),
                            SV_INT(b->user_id),
                            SV_TEXT(state),
                            queue_no ? SV_INT(queue_no) : SV_NULL,
                            b->hold_until ? SV_INT(b->hold_until) : SV_NULL,
                            SV_INT(now),
                            firm ? SV_INT(now) : SV_NULL};
    rc = store_query(c, a, sql_booking_insert, p, 8, &rows);
    if (rc == STORE_CONFLICT)
        return BOOKING_ALREADY;
    if (rc)
        return rc;
    if (!rows.nrows)
        return BOOKING_ALREADY;
    b->id = store_int(&rows, 0, 0);
    b->created_at = b->updated_at = now;
    b->confirmed_at = firm ? now : 0;
    b->place = 0;
    if (queue_no) {
        struct store_val q[] = {SV_INT(b->slot_id), SV_INT(queue_no)};
        rc = store_query(c, a, sql_queue_place, q, 2, &rows);
        if (rc)
            return rc;
        b->place = store_int(&rows, 0, 0);
    }
    return STORE_OK;
}

/* ---- bookings: moving on ----------------------------------------------- */

/* clang-format off */
static const char sql_first_waiting[] =
    "SELECT b.id, s.starts_at, o.offer_ttl_s FROM bookings b"
    " JOIN slots s ON s.id = b.slot_id"
    " JOIN offerings o ON o.id = b.offering_id"
    " WHERE b.slot_id = $1 AND b.state = 'waitlisted'"
    " ORDER BY b.queue_no LIMIT 1";
static const char sql_offer[] =
    "UPDATE bookings SET state = 'offered', offer_until = $2, updated_at = $3"
    " WHERE id = $1 AND state = 'waitlisted'";
static const char sql_cancel[] =
    "UPDATE bookings SET state = 'cancelled', cancel_reason = $3,"
    " cancelled_at = $4, updated_at = $4"
    " WHERE id = $1 AND state = $2";
static const char sql_expire_hold[] =
    "UPDATE bookings SET state = 'cancelled', cancel_reason = 'hold_expired',"
    " cancelled_at = $2, updated_at = $2"
    " WHERE id = $1 AND state = 'held' AND hold_until <= $2";
static const char sql_expire_offer[] =
    "UPDATE bookings SET state = 'cancelled', cancel_reason = 'offer_expired',"
    " cancelled_at = $2, updated_at = $2"
    " WHERE id = $1 AND state = 'offered' AND offer_until <= $2";
static const char sql_close_waiting[] =
    "UPDATE bookings SET state = 'cancelled', cancel_reason = 'slot_started',"
    " cancelled_at = $2, updated_at = $2"
    " WHERE id = $1 AND state = 'waitlisted'"
    " AND slot_id IN (SELECT id FROM slots WHERE starts_at <= $2)";
static const char sql_confirm_hold[] =
    "UPDATE bookings SET state = 'confirmed', confirmed_at = $2,"
    " updated_at = $2"
    " WHERE id = $1 AND state = 'held' AND hold_until > $2";
static const char sql_accept[] =
    "UPDATE bookings SET state = 'confirmed', confirmed_at = $2,"
    " updated_at = $2"
    " WHERE id = $1 AND state = 'offered' AND offer_until > $2";
static const char sql_check_in[] =
    "UPDATE bookings SET state = 'checked_in', checked_in_at = $3,"
    " checked_in_by = $2, updated_at = $3"
    " WHERE id = $1 AND state = 'confirmed'";
static const char sql_no_show[] =
    "UPDATE bookings SET state = 'no_show', updated_at = $2"
    " WHERE id = $1 AND state = 'confirmed'"
    " AND slot_id IN (SELECT id FROM slots WHERE ends_at <= $2)";
static const char sql_reminded[] =
    "UPDATE bookings SET reminded_at = $2"
    " WHERE id = $1 AND state = 'confirmed' AND reminded_at IS NULL";
static const char sql_slot_active[] =
    "SELECT id FROM bookings WHERE slot_id = $1 AND state IN " ACTIVE
    " ORDER BY id";
static const char sql_slot_cancel_bookings[] =
    "UPDATE bookings SET state = 'cancelled', cancel_reason = 'by_provider',"
    " cancelled_at = $2, updated_at = $2"
    " WHERE slot_id = $1 AND state IN " ACTIVE;
static const char sql_erase_user[] = "DELETE FROM bookings WHERE user_id = $1";
/* clang-format on */

/* Give a free seat of the slot to the first in line: take it with the
 * capacity statement, then offer it. *offered: the booking, or 0 when
 * nobody waits or no seat can be taken (the slot started, was cancelled,
 * or has no free seat). */
static int offer_next(struct store_conn *c, struct arena *a, int64_t slot_id, int64_t now,
                      int64_t *offered)
{
    *offered = 0;
    struct store_val sp[] = {SV_INT(slot_id), SV_INT(now)};
    struct store_val one[] = {SV_INT(slot_id)};
    /* Bounded: each turn either offers, stops, or finds that the first
     * in line left the queue at this moment (then the next is asked). */
    for (int turn = 0; turn < 64; turn++) {
        struct store_rows rows;
        int rc = store_query(c, a, sql_first_waiting, one, 1, &rows);
        if (rc || !rows.nrows)
            return rc;
        int64_t id = store_int(&rows, 0, 0);
        int64_t until = booking_offer_until(now, store_int(&rows, 0, 2), store_int(&rows, 0, 1));
        int64_t n;
        rc = exec_n(c, sql_take, sp, 2, &n);
        if (rc || n == 0)
            return rc;
        struct store_val op[] = {SV_INT(id), SV_INT(until), SV_INT(now)};
        rc = exec_n(c, sql_offer, op, 3, &n);
        if (rc)
            return rc;
        if (n == 1) {
            *offered = id;
            return STORE_OK;
        }
        rc = exec_n(c, sql_release, one, 1, &n);
        if (rc)
            return rc;
    }
    return STORE_OK;
}

int booking_pass_seat(struct store_conn *c, struct arena *a, int64_t slot_id, int64_t now,
                      int64_t *offered)
{
    struct store_val one[] = {SV_INT(slot_id)};
    int64_t n;
    *offered = 0;
    int rc = exec_n(c, sql_release, one, 1, &n);
    if (rc)
        return rc;
    return offer_next(c, a, slot_id, now, offered);
}

int booking_cancel(struct store_conn *c, struct arena *a, const struct booking *b,
                   const char *reason, int64_t now, int64_t **offered, size_t *noffered)
{
    int64_t n;
    int rc;
    *noffered = 0;
    *offered = arena_calloc(a, 1, sizeof(**offered));
    struct store_val p2[] = {SV_INT(b->id), SV_INT(now)};
    if (strcmp(reason, "hold_expired") == 0) {
        rc = exec_n(c, sql_expire_hold, p2, 2, &n);
    } else if (strcmp(reason, "offer_expired") == 0) {
        rc = exec_n(c, sql_expire_offer, p2, 2, &n);
    } else if (strcmp(reason, "slot_started") == 0) {
        rc = exec_n(c, sql_close_waiting, p2, 2, &n);
    } else {
        struct store_val p[] = {SV_INT(b->id), SV_TEXT(b->state), SV_TEXT(reason), SV_INT(now)};
        rc = exec_n(c, sql_cancel, p, 4, &n);
    }
    if (rc)
        return rc;
    if (n != 1)
        return STORE_CONFLICT;
    if (!booking_state_has_seat(b->state))
        return STORE_OK;
    int64_t next;
    rc = booking_pass_seat(c, a, b->slot_id, now, &next);
    if (!rc && next)
        (*offered)[(*noffered)++] = next;
    return rc;
}

int booking_confirm_hold(struct store_conn *c, int64_t id, int64_t now)
{
    struct store_val p[] = {SV_INT(id), SV_INT(now)};
    int64_t n;
    int rc = exec_n(c, sql_confirm_hold, p, 2, &n);
    return one_row(rc, n);
}

int booking_accept_offer(struct store_conn *c, int64_t id, int64_t now)
{
    struct store_val p[] = {SV_INT(id), SV_INT(now)};
    int64_t n;
    int rc = exec_n(c, sql_accept, p, 2, &n);
    return one_row(rc, n);
}

int booking_check_in(struct store_conn *c, int64_t id, int64_t by, int64_t now)
{
    struct store_val p[] = {SV_INT(id), SV_INT(by), SV_INT(now)};
    int64_t n;
    int rc = exec_n(c, sql_check_in, p, 3, &n);
    return one_row(rc, n);
}

int booking_mark_no_show(struct store_conn *c, int64_t id, int64_t now)
{
    struct store_val p[] = {SV_INT(id), SV_INT(now)};
    int64_t n;
    int rc = exec_n(c, sql_no_show, p, 2, &n);
    return one_row(rc, n);
}

int booking_mark_reminded(struct store_conn *c, int64_t id, int64_t now)
{
    struct store_val p[] = {SV_INT(id), SV_INT(now)};
    int64_t n;
    int rc = exec_n(c, sql_reminded, p, 2, &n);
    return one_row(rc, n);
}

/* ---- slots: changes that move bookings ----------------------------------- */

int slot_set_capacity(struct store_conn *c, struct arena *a, int64_t slot_id, int64_t capacity,
                      int64_t now, int64_t **offered, size_t *n)
{
    struct store_val p[] = {SV_INT(slot_id), SV_INT(capacity)};
    int64_t changed;
    *n = 0;
    *offered = NULL;
    int rc = exec_n(c, sql_set_capacity, p, 2, &changed);
    if (rc)
        return rc;
    if (changed != 1) {
        struct slot s;
        rc = slot_get(c, a, slot_id, &s);
        if (rc)
            return rc;
        return strcmp(s.state, "open") != 0 ? STORE_NOT_FOUND : STORE_CONFLICT;
    }
    /* New seats go to whoever waits, first in line first. */
    size_t cap = (size_t)(capacity > 0 ? capacity : 1);
    if (cap > 1000)
        cap = 1000;
    *offered = arena_calloc(a, cap, sizeof(**offered));
    while (*n < cap) {
        int64_t id;
        rc = offer_next(c, a, slot_id, now, &id);
        if (rc || !id)
            return rc;
        (*offered)[(*n)++] = id;
    }
    return STORE_OK;
}

int slot_cancel(struct store_conn *c, struct arena *a, int64_t slot_id, int64_t now, int64_t **ids,
                size_t *n)
{
    struct store_val one[] = {SV_INT(slot_id)};
    struct store_val p[] = {SV_INT(slot_id), SV_INT(now)};
    int64_t changed;
    *n = 0;
    *ids = NULL;
    int rc = exec_n(c, sql_slot_cancel, one, 1, &changed);
    if (rc)
        return rc;
    if (changed != 1)
        return STORE_CONFLICT;
    struct store_rows rows;
    rc = store_query(c, a, sql_slot_active, one, 1, &rows);
    if (!rc)
        rc = exec_n(c, sql_slot_cancel_bookings, p, 2, &changed);
    if (rc)
        return rc;
    *ids = arena_calloc(a, rows.nrows + 1, sizeof(**ids));
    for (size_t i = 0; i < rows.nrows; i++)
        (*ids)[(*n)++] = store_int(&rows, i, 0);
    return STORE_OK;
}

/* ---- a person's erasure ------------------------------------------------- */

int booking_erase_user(struct store_conn *c, struct arena *a, int64_t user_id, int64_t now,
                       int64_t **offered, size_t *noffered)
{
    struct booking *bs;
    size_t n;
    *noffered = 0;
    int rc = booking_list_user(c, a, user_id, true, 10000, 0, &bs, &n);
    if (rc)
        return rc;
    *offered = arena_calloc(a, n + 1, sizeof(**offered));
    /* A seat the person held goes to whoever waits, as on a cancel. */
    for (size_t i = 0; i < n; i++) {
        int64_t *one;
        size_t k;
        rc = booking_cancel(c, a, &bs[i], "by_person", now, &one, &k);
        if (rc)
            return rc;
        if (k)
            (*offered)[(*noffered)++] = one[0];
    }
    struct store_val p[] = {SV_INT(user_id)};
    return store_exec(c, sql_erase_user, p, 1, NULL);
}
