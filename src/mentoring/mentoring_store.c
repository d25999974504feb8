/*
 * mentoring_store.c - the SQL of livestreamer mentoring: column mappings,
 * host profiles and their mentors, sessions, reviews and the mentors'
 * one-to-one offerings (in the capacity engine's offerings and slots).
 */
#include <string.h>

#include "booking/booking.h"
#include "mentoring/mentoring.h"
#include "store/store.h"

/* ---- SQL ------------------------------------------------------------------ */

static const char sql_mapping_all[] =
    "SELECT platform, source, field FROM mentoring_columns ORDER BY platform, field, source";
static const char sql_mapping_get[] =
    "SELECT platform, source, field FROM mentoring_columns WHERE platform = $1"
    " ORDER BY field, source";
static const char sql_mapping_clear[] = "DELETE FROM mentoring_columns WHERE platform = $1";
static const char sql_mapping_add[] =
    "INSERT INTO mentoring_columns (platform, source, field) VALUES ($1, $2, $3)";

#define HOST_COLS                                                                                  \
    "u.id, u.display_name, h.category, a.mentor_id, m.display_name,"                               \
    " (SELECT count(*) FROM mentoring_sessions s WHERE s.host_id = u.id),"                         \
    " (SELECT max(s.starts_at) FROM mentoring_sessions s WHERE s.host_id = u.id)"                  \
    " FROM users u LEFT JOIN mentoring_hosts h ON h.user_id = u.id"                                \
    " LEFT JOIN mentoring_assignments a ON a.host_id = u.id"                                       \
    " LEFT JOIN users m ON m.id = a.mentor_id"

static const char sql_host_get[] = "SELECT " HOST_COLS " WHERE u.id = $1";
static const char sql_host_list_mentor[] =
    "SELECT " HOST_COLS " WHERE a.mentor_id = $1 ORDER BY u.display_name, u.id";
static const char sql_host_list_all[] =
    "SELECT " HOST_COLS " WHERE h.user_id IS NOT NULL OR a.host_id IS NOT NULL"
    " ORDER BY u.display_name, u.id LIMIT 500";
static const char sql_host_set[] =
    "INSERT INTO mentoring_hosts (user_id, category, updated_at) VALUES ($1, $2, $3)"
    " ON CONFLICT (user_id) DO UPDATE SET category = excluded.category,"
    " updated_at = excluded.updated_at";
static const char sql_mentor_of[] =
    "SELECT mentor_id FROM mentoring_assignments WHERE host_id = $1";
static const char sql_assign[] =
    "INSERT INTO mentoring_assignments (host_id, mentor_id, assigned_by, assigned_at)"
    " VALUES ($1, $2, $3, $4) ON CONFLICT (host_id) DO UPDATE SET mentor_id = excluded.mentor_id,"
    " assigned_by = excluded.assigned_by, assigned_at = excluded.assigned_at";
static const char sql_unassign[] = "DELETE FROM mentoring_assignments WHERE host_id = $1";

#define SESSION_COLS                                                                               \
    "s.id, s.host_id, s.starts_at, s.duration_s, s.viewers, s.peak, s.new_followers, s.orders,"    \
    " s.gmv_fen, s.conversion_bp, s.source, s.created_at"

static const char sql_session_insert[] =
    "INSERT INTO mentoring_sessions (host_id, starts_at, duration_s, viewers, peak,"
    " new_followers, orders, gmv_fen, conversion_bp, source, created_at)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
    " ON CONFLICT (host_id, starts_at) DO NOTHING RETURNING id";
static const char sql_session_get[] =
    "SELECT " SESSION_COLS " FROM mentoring_sessions s WHERE s.id = $1";
static const char sql_session_list[] =
    "SELECT " SESSION_COLS " FROM mentoring_sessions s WHERE s.host_id = $1"
    " AND s.starts_at >= $2 AND s.starts_at < $3 ORDER BY s.starts_at LIMIT 5000";
static const char sql_session_list_category[] =
    "SELECT " SESSION_COLS " FROM mentoring_sessions s"
    " JOIN mentoring_hosts h ON h.user_id = s.host_id WHERE h.category = $1"
    " AND s.starts_at >= $2 AND s.starts_at < $3 ORDER BY s.host_id, s.starts_at LIMIT 100000";

#define REVIEW_COLS                                                                                \
    "v.id, v.session_id, v.mentor_id, s.host_id, v.summary, v.advice, u.display_name,"             \
    " v.created_at, s.starts_at FROM mentoring_reviews v"                                          \
    " JOIN mentoring_sessions s ON s.id = v.session_id LEFT JOIN users u ON u.id = v.mentor_id"

static const char sql_review_insert[] =
    "INSERT INTO mentoring_reviews (session_id, mentor_id, summary, advice, created_at)"
    " VALUES ($1, $2, $3, $4, $5) RETURNING id";
static const char sql_review_list[] =
    "SELECT " REVIEW_COLS " WHERE s.host_id = $1 ORDER BY v.created_at DESC, v.id DESC LIMIT 500";

static const char sql_offering_of[] =
    "SELECT offering_id FROM mentoring_offerings WHERE mentor_id = $1";
static const char sql_offering_link[] =
    "INSERT INTO mentoring_offerings (mentor_id, offering_id) VALUES ($1, $2)"
    " ON CONFLICT (mentor_id) DO NOTHING";
static const char sql_offering_drop[] = "DELETE FROM offerings WHERE id = $1";
static const char sql_slot_mentor[] =
    "SELECT m.mentor_id FROM slots sl JOIN mentoring_offerings m ON m.offering_id = sl.offering_id"
    " WHERE sl.id = $1";
static const char sql_slot_list[] =
    "SELECT sl.id, sl.site_id, sl.starts_at, sl.ends_at, sl.capacity, sl.taken, sl.state,"
    " b.id, b.user_id, u.display_name, st.name_zh, st.name_en"
    " FROM mentoring_offerings m JOIN slots sl ON sl.offering_id = m.offering_id"
    " JOIN sites st ON st.id = sl.site_id"
    " LEFT JOIN bookings b ON b.slot_id = sl.id"
    " AND b.state IN ('held', 'confirmed', 'offered', 'checked_in')"
    " LEFT JOIN users u ON u.id = b.user_id"
    " WHERE m.mentor_id = $1 AND sl.ends_at > $2 ORDER BY sl.starts_at, sl.id LIMIT 200";

static const char sql_erase_reviews_by[] =
    "UPDATE mentoring_reviews SET mentor_id = NULL WHERE mentor_id = $1";
static const char sql_erase_sessions[] = "DELETE FROM mentoring_sessions WHERE host_id = $1";
static const char sql_erase_host[] = "DELETE FROM mentoring_hosts WHERE user_id = $1";
static const char sql_erase_assignments[] =
    "DELETE FROM mentoring_assignments WHERE host_id = $1 OR mentor_id = $1";

/* ---- rows ------------------------------------------------------------------ */

static void *rows_alloc(struct arena *a, size_t n, size_t sz)
{
    return arena_calloc(a, n ? n : 1, sz);
}

static int rows_to_mapping(struct arena *a, const struct store_rows *rows, size_t from, size_t to,
                           struct mentoring_mapping *m)
{
    m->platform = store_text(rows, from, 0);
    m->n = to - from;
    m->sources = rows_alloc(a, m->n, sizeof *m->sources);
    m->fields = rows_alloc(a, m->n, sizeof *m->fields);
    for (size_t i = from; i < to; i++) {
        int f = mentoring_field_by_name(store_text(rows, i, 2));
        if (f < 0)
            return STORE_ERROR;
        m->sources[i - from] = store_text(rows, i, 1);
        m->fields[i - from] = (enum mentoring_field)f;
    }
    return STORE_OK;
}

static void row_to_host(const struct store_rows *r, size_t i, struct mentoring_host *h)
{
    h->user_id = store_int(r, i, 0);
    h->name = store_text(r, i, 1);
    h->category = store_text(r, i, 2);
    h->mentor_id = store_int(r, i, 3);
    h->mentor_name = store_text(r, i, 4);
    h->sessions = store_int(r, i, 5);
    h->last_starts_at = store_int(r, i, 6);
}

static void row_to_session(const struct store_rows *r, size_t i, struct mentoring_session *s)
{
    s->id = store_int(r, i, 0);
    s->host_id = store_int(r, i, 1);
    s->starts_at = store_int(r, i, 2);
    s->duration_s = store_int(r, i, 3);
    s->viewers = store_int(r, i, 4);
    s->peak = store_int(r, i, 5);
    s->new_followers = store_int(r, i, 6);
    s->orders = store_int(r, i, 7);
    s->gmv_fen = store_int(r, i, 8);
    s->conversion_bp = store_int(r, i, 9);
    s->source = store_text(r, i, 10);
    s->created_at = store_int(r, i, 11);
}

static void row_to_review(const struct store_rows *r, size_t i, struct mentoring_review *v)
{
    v->id = store_int(r, i, 0);
    v->session_id = store_int(r, i, 1);
    v->mentor_id = store_int(r, i, 2);
    v->host_id = store_int(r, i, 3);
    v->summary = store_text(r, i, 4);
    v->advice = store_text(r, i, 5);
    v->mentor_name = store_text(r, i, 6);
    v->created_at = store_int(r, i, 7);
    v->session_starts_at = store_int(r, i, 8);
}

/* ---- mappings --------------------------------------------------------------- */

int mentoring_mapping_list(struct store_conn *c, struct arena *a, struct mentoring_mapping **out,
                           size_t *n)
{
    struct store_rows rows;
    int rc = store_query(c, a, sql_mapping_all, NULL, 0, &rows);
    if (rc)
        return rc;
    *out = rows_alloc(a, rows.nrows, sizeof **out);
    *n = 0;
    for (size_t i = 0; i < rows.nrows;) {
        size_t j = i;
        while (j < rows.nrows && strcmp(store_text(&rows, j, 0), store_text(&rows, i, 0)) == 0)
            j++;
        rc = rows_to_mapping(a, &rows, i, j, &(*out)[(*n)++]);
        if (rc)
            return rc;
        i = j;
    }
    return STORE_OK;
}

int mentoring_mapping_get(struct store_conn *c, struct arena *a, const char *platform,
                          struct mentoring_mapping *out)
{
    struct store_val p[] = {SV_TEXT(platform)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_mapping_get, p, 1, &rows);
    if (rc)
        return rc;
    if (rows.nrows == 0)
        return STORE_NOT_FOUND;
    return rows_to_mapping(a, &rows, 0, rows.nrows, out);
}

int mentoring_mapping_put(struct store_conn *c, const struct mentoring_mapping *m)
{
    struct store_val p[] = {SV_TEXT(m->platform)};
    int rc = store_exec(c, sql_mapping_clear, p, 1, NULL);
    for (size_t i = 0; !rc && i < m->n; i++) {
        struct store_val q[] = {SV_TEXT(m->platform), SV_TEXT(m->sources[i]),
                                SV_TEXT(mentoring_field_name(m->fields[i]))};
        rc = store_exec(c, sql_mapping_add, q, 3, NULL);
    }
    return rc;
}

/* ---- hosts and mentors ------------------------------------------------------ */

int mentoring_host_get(struct store_conn *c, struct arena *a, int64_t user_id,
                       struct mentoring_host *out)
{
    struct store_val p[] = {SV_INT(user_id)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_host_get, p, 1, &rows);
    if (rc)
        return rc;
    if (rows.nrows == 0)
        return STORE_NOT_FOUND;
    row_to_host(&rows, 0, out);
    return STORE_OK;
}

int mentoring_host_set_category(struct store_conn *c, int64_t user_id, const char *category,
                                int64_t now)
{
    struct store_val p[] = {SV_INT(user_id), SV_TEXT(category), SV_INT(now)};
    return store_exec(c, sql_host_set, p, 3, NULL);
}

int mentoring_host_list(struct store_conn *c, struct arena *a, int64_t mentor_id,
                        struct mentoring_host **out, size_t *n)
{
    struct store_val p[] = {SV_INT(mentor_id)};
    struct store_rows rows;
    int rc = mentor_id ? store_query(c, a, sql_host_list_mentor, p, 1, &rows)
                       : store_query(c, a, sql_host_list_all, NULL, 0, &rows);
    if (rc)
        return rc;
    *n = rows.nrows;
    *out = rows_alloc(a, rows.nrows, sizeof **out);
    for (size_t i = 0; i < rows.nrows; i++)
        row_to_host(&rows, i, &(*out)[i]);
    return STORE_OK;
}

int mentoring_mentor_of(struct store_conn *c, struct arena *a, int64_t host_id, int64_t *mentor_id)
{
    struct store_val p[] = {SV_INT(host_id)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_mentor_of, p, 1, &rows);
    if (rc)
        return rc;
    *mentor_id = rows.nrows ? store_int(&rows, 0, 0) : 0;
    return STORE_OK;
}

int mentoring_assign(struct store_conn *c, int64_t host_id, int64_t mentor_id, int64_t by,
                     int64_t now)
{
    struct store_val p[] = {SV_INT(host_id), SV_INT(mentor_id), by ? SV_INT(by) : SV_NULL,
                            SV_INT(now)};
    return store_exec(c, sql_assign, p, 4, NULL);
}

int mentoring_unassign(struct store_conn *c, int64_t host_id)
{
    struct store_val p[] = {SV_INT(host_id)};
    int64_t changed = 0;
    int rc = store_exec(c, sql_unassign, p, 1, &changed);
    return rc ? rc : changed ? STORE_OK : STORE_NOT_FOUND;
}

/* ---- sessions ---------------------------------------------------------------- */

int mentoring_session_insert_all(struct store_conn *c, struct arena *a, struct mentoring_session *s,
                                 size_t n, int64_t now, size_t *at)
{
    for (size_t i = 0; i < n; i++) {
        struct store_val p[] = {SV_INT(s[i].host_id),
                                SV_INT(s[i].starts_at),
                                SV_INT(s[i].duration_s),
                                SV_INT(s[i].viewers),
                                SV_INT(s[i].peak),
                                SV_INT(s[i].new_followers),
                                SV_INT(s[i].orders),
                                SV_INT(s[i].gmv_fen),
                                SV_INT(s[i].conversion_bp),
                                SV_TEXT(s[i].source),
                                SV_INT(now)};
        struct store_rows rows;
        int rc = store_query(c, a, sql_session_insert, p, 11, &rows);
        if (rc)
            return rc;
        if (rows.nrows == 0) {
            *at = i;
            return STORE_CONFLICT;
        }
        s[i].id = store_int(&rows, 0, 0);
        s[i].created_at = now;
    }
    return STORE_OK;
}

int mentoring_session_get(struct store_conn *c, struct arena *a, int64_t id,
                          struct mentoring_session *out)
{
    struct store_val p[] = {SV_INT(id)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_session_get, p, 1, &rows);
    if (rc)
        return rc;
    if (rows.nrows == 0)
        return STORE_NOT_FOUND;
    row_to_session(&rows, 0, out);
    return STORE_OK;
}

static int session_rows(struct store_conn *c, struct arena *a, const char *sql,
                        const struct store_val *p, struct mentoring_session **out, size_t *n)
{
    struct store_rows rows;
    int rc = store_query(c, a, sql, p, 3, &rows);
    if (rc)
        return rc;
    *n = rows.nrows;
    *out = rows_alloc(a, rows.nrows, sizeof **out);
    for (size_t i = 0; i < rows.nrows; i++)
        row_to_session(&rows, i, &(*out)[i]);
    return STORE_OK;
}

int mentoring_session_list(struct store_conn *c, struct arena *a, int64_t host_id, int64_t from,
                           int64_t to, struct mentoring_session **out, size_t *n)
{
    struct store_val p[] = {SV_INT(host_id), SV_INT(from), SV_INT(to)};
    return session_rows(c, a, sql_session_list, p, out, n);
}

int mentoring_session_list_category(struct store_conn *c, struct arena *a, const char *category,
                                    int64_t from, int64_t to, struct mentoring_session **out,
                                    size_t *n)
{
    struct store_val p[] = {SV_TEXT(category), SV_INT(from), SV_INT(to)};
    return session_rows(c, a, sql_session_list_category, p, out, n);
}

/* ---- reviews ----------------------------------------------------------------- */

int mentoring_review_insert(struct store_conn *c, struct arena *a, struct mentoring_review *v,
                            int64_t now)
{
    struct store_val p[] = {SV_INT(v->session_id), SV_INT(v->mentor_id), SV_TEXT(v->summary),
                            SV_TEXT(v->advice), SV_INT(now)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_review_insert, p, 5, &rows);
    if (rc)
        return rc;
    if (rows.nrows != 1)
        return STORE_ERROR;
    v->id = store_int(&rows, 0, 0);
    v->created_at = now;
    return STORE_OK;
}

int mentoring_review_list(struct store_conn *c, struct arena *a, int64_t host_id,
                          struct mentoring_review **out, size_t *n)
{
    struct store_val p[] = {SV_INT(host_id)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_review_list, p, 1, &rows);
    if (rc)
        return rc;
    *n = rows.nrows;
    *out = rows_alloc(a, rows.nrows, sizeof **out);
    for (size_t i = 0; i < rows.nrows; i++)
        row_to_review(&rows, i, &(*out)[i]);
    return STORE_OK;
}

/* ---- one-to-ones --------------------------------------------------------------- */

static int offering_of(struct store_conn *c, struct arena *a, int64_t mentor_id, int64_t *id)
{
    struct store_val p[] = {SV_INT(mentor_id)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_offering_of, p, 1, &rows);
    if (rc)
        return rc;
    *id = rows.nrows ? store_int(&rows, 0, 0) : 0;
    return STORE_OK;
}

int mentoring_offering_ensure(struct store_conn *c, struct arena *a, int64_t mentor_id,
                              const char *mentor_name, int64_t now, int64_t *offering_id)
{
    int rc = offering_of(c, a, mentor_id, offering_id);
    if (rc || *offering_id)
        return rc;
    struct offering o = {0};
    o.kind = "mentoring";
    o.title_zh = arena_printf(a, "%s的一对一辅导", mentor_name);
    o.title_en = arena_printf(a, "One-to-one with %s", mentor_name);
    o.description_zh = "主播与导师一对一复盘直播数据";
    o.description_en = "A host and their mentor go through the host's numbers";
    o.per_person_limit = 1;
    o.cancel_cutoff_s = 3600;
    o.offer_ttl_s = BOOKING_OFFER_TTL_DEFAULT;
    o.active = true;
    o.created_by = mentor_id;
    o.created_at = o.updated_at = now;
    rc = offering_insert(c, a, &o);
    if (rc)
        return rc;
    struct store_val p[] = {SV_INT(mentor_id), SV_INT(o.id)};
    int64_t changed = 0;
    rc = store_exec(c, sql_offering_link, p, 2, &changed);
    if (rc)
        return rc;
    if (changed == 0) { /* another request linked one first: keep theirs */
        struct store_val d[] = {SV_INT(o.id)};
        rc = store_exec(c, sql_offering_drop, d, 1, NULL);
        return rc ? rc : offering_of(c, a, mentor_id, offering_id);
    }
    *offering_id = o.id;
    return STORE_OK;
}

int mentoring_slot_mentor(struct store_conn *c, struct arena *a, int64_t slot_id,
                          int64_t *mentor_id)
{
    struct store_val p[] = {SV_INT(slot_id)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_slot_mentor, p, 1, &rows);
    if (rc)
        return rc;
    if (rows.nrows == 0)
        return STORE_NOT_FOUND;
    *mentor_id = store_int(&rows, 0, 0);
    return STORE_OK;
}

int mentoring_slot_list(struct store_conn *c, struct arena *a, int64_t mentor_id, int64_t from,
                        struct mentoring_slot **out, size_t *n)
{
    struct store_val p[] = {SV_INT(mentor_id), SV_INT(from)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_slot_list, p, 2, &rows);
    if (rc)
        return rc;
    *n = rows.nrows;
    *out = rows_alloc(a, rows.nrows, sizeof **out);
    for (size_t i = 0; i < rows.nrows; i++) {
        struct mentoring_slot *s = &(*out)[i];
        s->slot_id = store_int(&rows, i, 0);
        s->site_id = store_int(&rows, i, 1);
        s->starts_at = store_int(&rows, i, 2);
        s->ends_at = store_int(&rows, i, 3);
        s->capacity = store_int(&rows, i, 4);
        s->taken = store_int(&rows, i, 5);
        s->state = store_text(&rows, i, 6);
        s->booking_id = store_int(&rows, i, 7);
        s->host_id = store_int(&rows, i, 8);
        s->host_name = store_text(&rows, i, 9);
        s->site_name_zh = store_text(&rows, i, 10);
        s->site_name_en = store_text(&rows, i, 11);
    }
    return STORE_OK;
}

/* ---- personal data ---------------------------------------------------------------- */

int mentoring_erase_user(struct store_conn *c, int64_t user_id)
{
    struct store_val p[] = {SV_INT(user_id)};
    int rc = store_exec(c, sql_erase_reviews_by, p, 1, NULL);
    if (!rc)
        rc = store_exec(c, sql_erase_sessions, p, 1, NULL);
    if (!rc)
        rc = store_exec(c, sql_erase_host, p, 1, NULL);
    if (!rc)
        rc = store_exec(c, sql_erase_assignments, p, 1, NULL);
    return rc;
}
