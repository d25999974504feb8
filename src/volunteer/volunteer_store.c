/*
 * volunteer_store.c - the SQL of squads, members, activities, hours and
 * certificates. It reads the booking engine's bookings and slots (a
 * person's booking of a shift, no-shows, a shift list that includes
 * offerings closed to the generic routes) but writes them only through
 * booking.h.
 */
#include "store/store.h"
#include "volunteer/volunteer.h"

/* clang-format off */
#define SQUAD_COLS \
    "s.id, s.region_id, g.code, g.name_zh, g.name_en, s.name_zh, s.name_en, s.leader_id," \
    " COALESCE(u.display_name, ''), (SELECT COUNT(*) FROM volunteer_members m" \
    " WHERE m.squad_id = s.id), s.is_demo, s.created_at"
#define SQUAD_FROM \
    " FROM volunteer_squads s JOIN regions g ON g.id = s.region_id" \
    " LEFT JOIN users u ON u.id = s.leader_id"
static const char sql_squad_insert[] =
    "INSERT INTO volunteer_squads (region_id, name_zh, name_en, leader_id, is_demo, created_at,"
    " updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id";
static const char sql_squad_get[] = "SELECT " SQUAD_COLS SQUAD_FROM " WHERE s.id = $1";
static const char sql_squad_list[] =
    "SELECT " SQUAD_COLS SQUAD_FROM
    " WHERE CAST($1 AS BIGINT) = 0 OR s.region_id = $1 ORDER BY g.code, s.id LIMIT 1000";
static const char sql_squads_of_user[] =
    "SELECT " SQUAD_COLS SQUAD_FROM
    " WHERE s.id IN (SELECT squad_id FROM volunteer_members WHERE user_id = $1) ORDER BY s.id";
static const char sql_squad_delete_demo[] = "DELETE FROM volunteer_squads WHERE is_demo = 1";
static const char sql_member_add[] =
    "INSERT INTO volunteer_members (squad_id, user_id, joined_at) VALUES ($1, $2, $3)"
    " ON CONFLICT (squad_id, user_id) DO NOTHING";
static const char sql_member_remove[] =
    "DELETE FROM volunteer_members WHERE squad_id = $1 AND user_id = $2";
static const char sql_member_is[] =
    "SELECT 1 FROM volunteer_members WHERE squad_id = $1 AND user_id = $2";
static const char sql_member_list[] =
    "SELECT m.user_id, u.display_name, m.joined_at FROM volunteer_members m"
    " JOIN users u ON u.id = m.user_id WHERE m.squad_id = $1 ORDER BY m.joined_at, m.user_id";
#define ACTIVITY_COLS \
    "v.id, v.squad_id, v.offering_id, COALESCE(o.site_id, 0), o.title_zh, o.title_en," \
    " o.description_zh, o.description_en, o.waitlist, v.created_at"
#define ACTIVITY_FROM " FROM volunteer_activities v JOIN offerings o ON o.id = v.offering_id"
static const char sql_activity_insert[] =
    "INSERT INTO volunteer_activities (squad_id, offering_id, created_by, created_at)"
    " VALUES ($1, $2, $3, $4) RETURNING id";
static const char sql_activity_get[] = "SELECT " ACTIVITY_COLS ACTIVITY_FROM " WHERE v.id = $1";
static const char sql_activity_by_offering[] =
    "SELECT " ACTIVITY_COLS ACTIVITY_FROM " WHERE v.offering_id = $1";
static const char sql_activity_list[] =
    "SELECT " ACTIVITY_COLS ACTIVITY_FROM " WHERE v.squad_id = $1 ORDER BY v.id DESC LIMIT 200";
static const char sql_shift_list[] =
    "SELECT s.id, s.site_id, s.starts_at, s.ends_at, s.capacity, s.taken,"
    " (SELECT COUNT(*) FROM bookings b WHERE b.slot_id = s.id AND b.state = 'waitlisted'),"
    " s.state FROM slots s WHERE s.offering_id = $1 ORDER BY s.starts_at, s.id";
static const char sql_no_shows[] =
    "SELECT s.ends_at FROM bookings b JOIN slots s ON s.id = b.slot_id"
    " JOIN volunteer_activities v ON v.offering_id = b.offering_id"
    " WHERE b.user_id = $1 AND b.state = 'no_show' AND s.ends_at > $2";
static const char sql_booking_of[] =
    "SELECT id, state FROM bookings WHERE slot_id = $1 AND user_id = $2"
    " AND state IN ('confirmed', 'checked_in') ORDER BY id DESC LIMIT 1";
#define HOURS_COLS \
    "h.id, h.booking_id, h.slot_id, h.squad_id, h.user_id, h.checked_in_at," \
    " COALESCE(h.checked_in_by, 0), COALESCE(h.checked_out_at, 0), COALESCE(h.checked_out_by, 0)," \
    " COALESCE(h.minutes, -1), COALESCE(h.confirmed_at, 0), COALESCE(h.confirmed_by, 0), h.points," \
    " u.display_name, q.name_zh, q.name_en, t.starts_at, t.ends_at"
#define HOURS_FROM \
    " FROM volunteer_hours h JOIN users u ON u.id = h.user_id" \
    " JOIN volunteer_squads q ON q.id = h.squad_id JOIN slots t ON t.id = h.slot_id"
static const char sql_hours_insert[] =
    "INSERT INTO volunteer_hours (booking_id, slot_id, squad_id, user_id, checked_in_at,"
    " checked_in_by) VALUES ($1, $2, $3, $4, $5, $6)"
    " ON CONFLICT (booking_id) DO NOTHING RETURNING id";
static const char sql_hours_get[] = "SELECT " HOURS_COLS HOURS_FROM " WHERE h.id = $1";
static const char sql_hours_by_booking[] =
    "SELECT " HOURS_COLS HOURS_FROM " WHERE h.booking_id = $1";
static const char sql_hours_check_out[] =
    "UPDATE volunteer_hours SET checked_out_at = $2, checked_out_by = $3, minutes = $4"
    " WHERE id = $1 AND checked_out_at IS NULL";
static const char sql_hours_confirm[] =
    "UPDATE volunteer_hours SET confirmed_at = $3, confirmed_by = $2, points = $4"
    " WHERE id = $1 AND checked_out_at IS NOT NULL AND confirmed_at IS NULL";
static const char sql_hours_of_slot[] =
    "SELECT " HOURS_COLS HOURS_FROM " WHERE h.slot_id = $1 ORDER BY h.id";
static const char sql_hours_of_user[] =
    "SELECT " HOURS_COLS HOURS_FROM " WHERE h.user_id = $1 ORDER BY t.starts_at DESC LIMIT 500";
static const char sql_hours_totals[] =
    "SELECT q.id, q.name_zh, q.name_en, SUM(h.minutes) FROM volunteer_hours h"
    " JOIN volunteer_squads q ON q.id = h.squad_id"
    " WHERE h.user_id = $1 AND h.confirmed_at IS NOT NULL"
    " GROUP BY q.id, q.name_zh, q.name_en ORDER BY q.id";
static const char sql_cert_insert[] =
    "INSERT INTO volunteer_certificates (code, user_id, total_minutes, squads_json, issued_at)"
    " VALUES ($1, $2, $3, $4, $5)";
static const char sql_cert_get[] =
    "SELECT c.user_id, u.display_name, c.total_minutes, c.squads_json, c.issued_at"
    " FROM volunteer_certificates c JOIN users u ON u.id = c.user_id WHERE c.code = $1";
static const char sql_cert_latest[] =
    "SELECT code, total_minutes, issued_at FROM volunteer_certificates WHERE user_id = $1"
    " ORDER BY issued_at DESC, id DESC LIMIT 1";
static const char sql_erase_hours[] = "DELETE FROM volunteer_hours WHERE user_id = $1";
static const char sql_erase_members[] = "DELETE FROM volunteer_members WHERE user_id = $1";
static const char sql_erase_certs[] = "DELETE FROM volunteer_certificates WHERE user_id = $1";
static const char sql_erase_leader[] =
    "UPDATE volunteer_squads SET leader_id = NULL WHERE leader_id = $1";
/* clang-format on */

static void *rows_alloc(struct arena *a, size_t n, size_t size)
{
    return arena_calloc(a, n ? n : 1, size);
}

static void row_to_squad(const struct store_rows *r, size_t i, struct squad *s)
{
    s->id = store_int(r, i, 0);
    s->region_id = store_int(r, i, 1);
    s->region_code = store_text(r, i, 2);
    s->region_name_zh = store_text(r, i, 3);
    s->region_name_en = store_text(r, i, 4);
    s->name_zh = store_text(r, i, 5);
    s->name_en = store_text(r, i, 6);
    s->leader_id = store_int(r, i, 7);
    s->leader_name = store_text(r, i, 8);
    s->members = store_int(r, i, 9);
    s->is_demo = store_int(r, i, 10) != 0;
    s->created_at = store_int(r, i, 11);
}

int squad_insert(struct store_conn *c, struct arena *a, struct squad *s, int64_t now)
{
    struct store_val p[] = {SV_INT(s->region_id), SV_TEXT(s->name_zh),
                            SV_TEXT(s->name_en),  s->leader_id ? SV_INT(s->leader_id) : SV_NULL,
                            SV_INT(s->is_demo),   SV_INT(now)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_squad_insert, p, 6, &rows);
    if (rc)
        return rc;
    s->id = store_int(&rows, 0, 0);
    s->created_at = now;
    return STORE_OK;
}

static int squads_query(struct store_conn *c, struct arena *a, const char *sql, int64_t arg,
                        struct squad **out, size_t *n)
{
    struct store_val p[] = {SV_INT(arg)};
    struct store_rows rows;
    int rc = store_query(c, a, sql, p, 1, &rows);
    if (rc)
        return rc;
    *n = rows.nrows;
    *out = rows_alloc(a, rows.nrows, sizeof(**out));
    for (size_t i = 0; i < rows.nrows; i++)
        row_to_squad(&rows, i, &(*out)[i]);
    return STORE_OK;
}

int squad_get(struct store_conn *c, struct arena *a, int64_t id, struct squad *out)
{
    struct squad *s;
    size_t n;
    int rc = squads_query(c, a, sql_squad_get, id, &s, &n);
    if (rc)
        return rc;
    if (!n)
        return STORE_NOT_FOUND;
    *out = s[0];
    return STORE_OK;
}

int squad_list(struct store_conn *c, struct arena *a, int64_t region_id, struct squad **out,
               size_t *n)
{
    return squads_query(c, a, sql_squad_list, region_id, out, n);
}

int squads_of_user(struct store_conn *c, struct arena *a, int64_t user_id, struct squad **out,
                   size_t *n)
{
    return squads_query(c, a, sql_squads_of_user, user_id, out, n);
}

int squad_delete_demo(struct store_conn *c)
{
    return store_exec(c, sql_squad_delete_demo, NULL, 0, NULL);
}

int member_add(struct store_conn *c, int64_t squad_id, int64_t user_id, int64_t now)
{
    struct store_val p[] = {SV_INT(squad_id), SV_INT(user_id), SV_INT(now)};
    int64_t changed = 0;
    int rc = store_exec(c, sql_member_add, p, 3, &changed);
    if (rc)
        return rc;
    return changed ? STORE_OK : STORE_CONFLICT;
}

int member_remove(struct store_conn *c, int64_t squad_id, int64_t user_id)
{
    struct store_val p[] = {SV_INT(squad_id), SV_INT(user_id)};
    int64_t changed = 0;
    int rc = store_exec(c, sql_member_remove, p, 2, &changed);
    if (rc)
        return rc;
    return changed ? STORE_OK : STORE_NOT_FOUND;
}

int member_is(struct store_conn *c, struct arena *a, int64_t squad_id, int64_t user_id, bool *yes)
{
    struct store_val p[] = {SV_INT(squad_id), SV_INT(user_id)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_member_is, p, 2, &rows);
    if (rc)
        return rc;
    *yes = rows.nrows > 0;
    return STORE_OK;
}

int member_list(struct store_conn *c, struct arena *a, int64_t squad_id, struct squad_member **out,
                size_t *n)
{
    struct store_val p[] = {SV_INT(squad_id)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_member_list, p, 1, &rows);
    if (rc)
        return rc;
    *n = rows.nrows;
    *out = rows_alloc(a, rows.nrows, sizeof(**out));
    for (size_t i = 0; i < rows.nrows; i++) {
        (*out)[i].user_id = store_int(&rows, i, 0);
        (*out)[i].display_name = store_text(&rows, i, 1);
        (*out)[i].joined_at = store_int(&rows, i, 2);
    }
    return STORE_OK;
}

static void row_to_activity(const struct store_rows *r, size_t i, struct activity *v)
{
    v->id = store_int(r, i, 0);
    v->squad_id = store_int(r, i, 1);
    v->offering_id = store_int(r, i, 2);
    v->site_id = store_int(r, i, 3);
    v->title_zh = store_text(r, i, 4);
    v->title_en = store_text(r, i, 5);
    v->description_zh = store_text(r, i, 6);
    v->description_en = store_text(r, i, 7);
    v->waitlist = store_int(r, i, 8) != 0;
    v->created_at = store_int(r, i, 9);
}

int activity_insert(struct store_conn *c, struct arena *a, struct activity *v, int64_t by)
{
    struct store_val p[] = {SV_INT(v->squad_id), SV_INT(v->offering_id), by ? SV_INT(by) : SV_NULL,
                            SV_INT(v->created_at)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_activity_insert, p, 4, &rows);
    if (rc)
        return rc;
    v->id = store_int(&rows, 0, 0);
    return STORE_OK;
}

static int activities_query(struct store_conn *c, struct arena *a, const char *sql, int64_t arg,
                            struct activity **out, size_t *n)
{
    struct store_val p[] = {SV_INT(arg)};
    struct store_rows rows;
    int rc = store_query(c, a, sql, p, 1, &rows);
    if (rc)
        return rc;
    *n = rows.nrows;
    *out = rows_alloc(a, rows.nrows, sizeof(**out));
    for (size_t i = 0; i < rows.nrows; i++)
        row_to_activity(&rows, i, &(*out)[i]);
    return STORE_OK;
}

static int one_activity(struct store_conn *c, struct arena *a, const char *sql, int64_t arg,
                        struct activity *out)
{
    struct activity *v;
    size_t n;
    int rc = activities_query(c, a, sql, arg, &v, &n);
    if (rc)
        return rc;
    if (!n)
        return STORE_NOT_FOUND;
    *out = v[0];
    return STORE_OK;
}

int activity_get(struct store_conn *c, struct arena *a, int64_t id, struct activity *out)
{
    return one_activity(c, a, sql_activity_get, id, out);
}

int activity_by_offering(struct store_conn *c, struct arena *a, int64_t offering_id,
                         struct activity *out)
{
    return one_activity(c, a, sql_activity_by_offering, offering_id, out);
}

int activity_list(struct store_conn *c, struct arena *a, int64_t squad_id, struct activity **out,
                  size_t *n)
{
    return activities_query(c, a, sql_activity_list, squad_id, out, n);
}

int shift_list(struct store_conn *c, struct arena *a, int64_t offering_id, struct shift **out,
               size_t *n)
{
    struct store_val p[] = {SV_INT(offering_id)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_shift_list, p, 1, &rows);
    if (rc)
        return rc;
    *n = rows.nrows;
    *out = rows_alloc(a, rows.nrows, sizeof(**out));
    for (size_t i = 0; i < rows.nrows; i++) {
        struct shift *s = &(*out)[i];
        s->id = store_int(&rows, i, 0);
        s->site_id = store_int(&rows, i, 1);
        s->starts_at = store_int(&rows, i, 2);
        s->ends_at = store_int(&rows, i, 3);
        s->capacity = store_int(&rows, i, 4);
        s->taken = store_int(&rows, i, 5);
        s->waiting = store_int(&rows, i, 6);
        s->state = store_text(&rows, i, 7);
    }
    return STORE_OK;
}

int volunteer_no_shows(struct store_conn *c, struct arena *a, int64_t user_id, int64_t since,
                       int64_t **ends, size_t *n)
{
    struct store_val p[] = {SV_INT(user_id), SV_INT(since)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_no_shows, p, 2, &rows);
    if (rc)
        return rc;
    *n = rows.nrows;
    *ends = rows_alloc(a, rows.nrows, sizeof(**ends));
    for (size_t i = 0; i < rows.nrows; i++)
        (*ends)[i] = store_int(&rows, i, 0);
    return STORE_OK;
}

int volunteer_booking_of(struct store_conn *c, struct arena *a, int64_t slot_id, int64_t user_id,
                         int64_t *booking_id, const char **state)
{
    struct store_val p[] = {SV_INT(slot_id), SV_INT(user_id)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_booking_of, p, 2, &rows);
    if (rc)
        return rc;
    if (!rows.nrows)
        return STORE_NOT_FOUND;
    *booking_id = store_int(&rows, 0, 0);
    *state = store_text(&rows, 0, 1);
    return STORE_OK;
}

static void row_to_hours(const struct store_rows *r, size_t i, struct hours *h)
{
    h->id = store_int(r, i, 0);
    h->booking_id = store_int(r, i, 1);
    h->slot_id = store_int(r, i, 2);
    h->squad_id = store_int(r, i, 3);
    h->user_id = store_int(r, i, 4);
    h->checked_in_at = store_int(r, i, 5);
    h->checked_in_by = store_int(r, i, 6);
    h->checked_out_at = store_int(r, i, 7);
    h->checked_out_by = store_int(r, i, 8);
    h->minutes = store_int(r, i, 9);
    h->confirmed_at = store_int(r, i, 10);
    h->confirmed_by = store_int(r, i, 11);
    h->points = store_int(r, i, 12);
    h->display_name = store_text(r, i, 13);
    h->squad_name_zh = store_text(r, i, 14);
    h->squad_name_en = store_text(r, i, 15);
    h->starts_at = store_int(r, i, 16);
    h->ends_at = store_int(r, i, 17);
}

int hours_insert(struct store_conn *c, struct arena *a, struct hours *h)
{
    struct store_val p[] = {SV_INT(h->booking_id),    SV_INT(h->slot_id),
                            SV_INT(h->squad_id),      SV_INT(h->user_id),
                            SV_INT(h->checked_in_at), SV_INT(h->checked_in_by)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_hours_insert, p, 6, &rows);
    if (rc)
        return rc;
    if (!rows.nrows)
        return STORE_CONFLICT;
    h->id = store_int(&rows, 0, 0);
    return STORE_OK;
}

static int hours_query(struct store_conn *c, struct arena *a, const char *sql, int64_t arg,
                       struct hours **out, size_t *n)
{
    struct store_val p[] = {SV_INT(arg)};
    struct store_rows rows;
    int rc = store_query(c, a, sql, p, 1, &rows);
    if (rc)
        return rc;
    *n = rows.nrows;
    *out = rows_alloc(a, rows.nrows, sizeof(**out));
    for (size_t i = 0; i < rows.nrows; i++)
        row_to_hours(&rows, i, &(*out)[i]);
    return STORE_OK;
}

static int one_hours(struct store_conn *c, struct arena *a, const char *sql, int64_t arg,
                     struct hours *out)
{
    struct hours *h;
    size_t n;
    int rc = hours_query(c, a, sql, arg, &h, &n);
    if (rc)
        return rc;
    if (!n)
        return STORE_NOT_FOUND;
    *out = h[0];
    return STORE_OK;
}

int hours_get(struct store_conn *c, struct arena *a, int64_t id, struct hours *out)
{
    return one_hours(c, a, sql_hours_get, id, out);
}

int hours_by_booking(struct store_conn *c, struct arena *a, int64_t booking_id, struct hours *out)
{
    return one_hours(c, a, sql_hours_by_booking, booking_id, out);
}

int hours_check_out(struct store_conn *c, int64_t id, int64_t at, int64_t by, int64_t minutes)
{
    struct store_val p[] = {SV_INT(id), SV_INT(at), SV_INT(by), SV_INT(minutes)};
    int64_t changed = 0;
    int rc = store_exec(c, sql_hours_check_out, p, 4, &changed);
    if (rc)
        return rc;
    return changed ? STORE_OK : STORE_CONFLICT;
}

int hours_confirm(struct store_conn *c, int64_t id, int64_t by, int64_t now, int64_t points)
{
    struct store_val p[] = {SV_INT(id), SV_INT(by), SV_INT(now), SV_INT(points)};
    int64_t changed = 0;
    int rc = store_exec(c, sql_hours_confirm, p, 4, &changed);
    if (rc)
        return rc;
    return changed ? STORE_OK : STORE_CONFLICT;
}

int hours_of_slot(struct store_conn *c, struct arena *a, int64_t slot_id, struct hours **out,
                  size_t *n)
{
    return hours_query(c, a, sql_hours_of_slot, slot_id, out, n);
}

int hours_of_user(struct store_conn *c, struct arena *a, int64_t user_id, struct hours **out,
                  size_t *n)
{
    return hours_query(c, a, sql_hours_of_user, user_id, out, n);
}

int hours_totals(struct store_conn *c, struct arena *a, int64_t user_id, struct squad_total **out,
                 size_t *n)
{
    struct store_val p[] = {SV_INT(user_id)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_hours_totals, p, 1, &rows);
    if (rc)
        return rc;
    *n = rows.nrows;
    *out = rows_alloc(a, rows.nrows, sizeof(**out));
    for (size_t i = 0; i < rows.nrows; i++) {
        (*out)[i].squad_id = store_int(&rows, i, 0);
        (*out)[i].name_zh = store_text(&rows, i, 1);
        (*out)[i].name_en = store_text(&rows, i, 2);
        (*out)[i].minutes = store_int(&rows, i, 3);
    }
    return STORE_OK;
}

int certificate_insert(struct store_conn *c, const char *code, int64_t user_id,
                       int64_t total_minutes, const char *squads_json, int64_t now)
{
    struct store_val p[] = {SV_TEXT(code), SV_INT(user_id), SV_INT(total_minutes),
                            SV_TEXT(squads_json), SV_INT(now)};
    return store_exec(c, sql_cert_insert, p, 5, NULL);
}

int certificate_get(struct store_conn *c, struct arena *a, const char *code, int64_t *user_id,
                    const char **display_name, int64_t *total_minutes, const char **squads_json,
                    int64_t *issued_at)
{
    struct store_val p[] = {SV_TEXT(code)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_cert_get, p, 1, &rows);
    if (rc)
        return rc;
    if (!rows.nrows)
        return STORE_NOT_FOUND;
    *user_id = store_int(&rows, 0, 0);
    *display_name = store_text(&rows, 0, 1);
    *total_minutes = store_int(&rows, 0, 2);
    *squads_json = store_text(&rows, 0, 3);
    *issued_at = store_int(&rows, 0, 4);
    return STORE_OK;
}

int certificate_latest(struct store_conn *c, struct arena *a, int64_t user_id, const char **code,
                       int64_t *total_minutes, int64_t *issued_at)
{
    struct store_val p[] = {SV_INT(user_id)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_cert_latest, p, 1, &rows);
    if (rc)
        return rc;
    *code = rows.nrows ? store_text(&rows, 0, 0) : NULL;
    *total_minutes = rows.nrows ? store_int(&rows, 0, 1) : 0;
    *issued_at = rows.nrows ? store_int(&rows, 0, 2) : 0;
    return STORE_OK;
}

int volunteer_erase_user(struct store_conn *c, int64_t user_id)
{
    struct store_val p[] = {SV_INT(user_id)};
    const char *const sqls[] = {sql_erase_hours, sql_erase_members, sql_erase_certs,
                                sql_erase_leader};
    int rc = STORE_OK;
    for (size_t i = 0; !rc && i < sizeof sqls / sizeof sqls[0]; i++)
        rc = store_exec(c, sqls[i], p, 1, NULL);
    return rc;
}
