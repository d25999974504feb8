/*
 * childcare_store.c - the SQL of summer childcare: programmes and their
 * staff, children, consents, family enrolments and their places,
 * attendance, the retention job and the personal-data hooks.
 *
 * A family's places are taken in one statement whose affected-row count
 * decides (taken + size <= capacity), in the transaction that inserts the
 * enrolment; on SQLite write transactions take turns, on PostgreSQL (read
 * committed) a second UPDATE of the same programme waits for the first
 * transaction and re-checks its WHERE on the new row. Offers claim the
 * waiting enrolment first (one statement: state = 'waitlisted'), then take
 * its places (one statement); when they do not fit after all the claim is
 * undone in the same transaction.
 */
#include <string.h>

#include "childcare/childcare.h"
#include "core/log.h"
#include "store/store.h"

/* ---- programmes ---------------------------------------------------------------- */

#define PROG_COLS                                                                                  \
    "p.id, p.site_id, p.title_zh, p.title_en, p.description_zh, p.description_en, p.age_min,"      \
    " p.age_max, p.first_day, p.last_day, p.starts_at, p.ends_at, p.timetable, p.lunch,"           \
    " p.capacity, p.taken, p.offer_ttl_s, p.consent_version, p.consent_zh, p.consent_en,"          \
    " p.erased_at, p.erased_children, p.is_demo, p.created_at, s.name_zh, s.name_en,"              \
    " (SELECT count(*) FROM childcare_enrolments e WHERE e.programme_id = p.id"                    \
    " AND e.state = 'waitlisted'),"                                                                \
    " (SELECT count(*) FROM childcare_staff f WHERE f.programme_id = p.id)"                        \
    " FROM childcare_programmes p JOIN sites s ON s.id = p.site_id"

static const char sql_prog_insert[] =
    "INSERT INTO childcare_programmes (site_id, title_zh, title_en, description_zh,"
    " description_en, age_min, age_max, first_day, last_day, starts_at, ends_at, timetable,"
    " lunch, capacity, offer_ttl_s, consent_version, consent_zh, consent_en, is_demo,"
    " created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15,"
    " $16, $17, $18, $19, $20) RETURNING id";
static const char sql_prog_get[] = "SELECT " PROG_COLS " WHERE p.id = $1";
static const char sql_prog_list[] = "SELECT " PROG_COLS " WHERE ($1 = 0 OR p.site_id = $1)"
                                    " ORDER BY p.first_day, p.id LIMIT $2 OFFSET $3";
static const char sql_prog_count[] =
    "SELECT count(*) FROM childcare_programmes WHERE ($1 = 0 OR site_id = $1)";
static const char sql_prog_staffed[] =
    "SELECT " PROG_COLS " WHERE p.id IN (SELECT programme_id FROM childcare_staff"
    " WHERE user_id = $1) ORDER BY p.first_day, p.id LIMIT 200";
static const char sql_prog_delete_demo[] = "DELETE FROM childcare_programmes WHERE is_demo = 1";
static const char sql_staff_add[] =
    "INSERT INTO childcare_staff (programme_id, user_id) VALUES ($1, $2)"
    " ON CONFLICT (programme_id, user_id) DO NOTHING";
static const char sql_staff_is[] =
    "SELECT 1 FROM childcare_staff WHERE programme_id = $1 AND user_id = $2";

/* Places: taken in one statement, given back in one. */
static const char sql_places_take[] =
    "UPDATE childcare_programmes SET taken = taken + $2 WHERE id = $1"
    " AND taken + $2 <= capacity";
static const char sql_places_free[] =
    "UPDATE childcare_programmes SET taken = taken - $2 WHERE id = $1 AND taken >= $2";
static const char sql_wait_ticket[] =
    "UPDATE childcare_programmes SET wait_seq = wait_seq + 1 WHERE id = $1 RETURNING wait_seq";

/* ---- children ---------------------------------------------------------------- */

#define CHILD_COLS                                                                                 \
    "c.id, c.guardian_id, c.name, c.birth_date, c.school, c.grade, c.allergies,"                   \
    " c.emergency_contacts, c.health_sealed, c.pickup_sealed, c.created_at FROM children c"

static const char sql_child_insert[] =
    "INSERT INTO children (guardian_id, name, birth_date, school, grade, allergies,"
    " emergency_contacts, health_sealed, pickup_sealed, created_at)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id";
static const char sql_child_get[] = "SELECT " CHILD_COLS " WHERE c.id = $1";
static const char sql_child_list[] =
    "SELECT " CHILD_COLS " WHERE c.guardian_id = $1 ORDER BY c.birth_date, c.id";
static const char sql_child_count[] = "SELECT count(*) FROM children WHERE guardian_id = $1";
static const char sql_child_staffed[] =
    "SELECT p.site_id FROM childcare_programmes p JOIN childcare_members m ON m.programme_id = p.id"
    " JOIN childcare_enrolments e ON e.id = m.enrolment_id"
    " JOIN childcare_staff f ON f.programme_id = m.programme_id"
    " WHERE m.child_id = $1 AND f.user_id = $2 AND m.active = 1"
    " AND e.state IN ('enrolled', 'offered')";
static const char sql_child_enrolled_in[] =
    "SELECT 1 FROM childcare_members m JOIN childcare_enrolments e ON e.id = m.enrolment_id"
    " WHERE m.programme_id = $1 AND m.child_id = $2 AND m.active = 1 AND e.state = 'enrolled'";
static const char sql_consent_insert[] =
    "INSERT INTO childcare_consents (user_id, programme_id, version, at) VALUES ($1, $2, $3, $4)";

/* ---- enrolments ---------------------------------------------------------------- */

#define ENR_COLS                                                                                   \
    "e.id, e.programme_id, e.guardian_id, e.size, e.state, e.queue_no, e.offer_until,"             \
    " e.consent_version, e.created_at, e.updated_at,"                                              \
    " CASE WHEN e.state = 'waitlisted' THEN (SELECT count(*) FROM childcare_enrolments w"          \
    " WHERE w.programme_id = e.programme_id AND w.state = 'waitlisted'"                            \
    " AND w.queue_no <= e.queue_no) ELSE 0 END FROM childcare_enrolments e"

static const char sql_enr_insert[] =
    "INSERT INTO childcare_enrolments (programme_id, guardian_id, size, state, queue_no,"
    " consent_version, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)"
    " RETURNING id";
static const char sql_member_insert[] =
    "INSERT INTO childcare_members (enrolment_id, programme_id, child_id) VALUES ($1, $2, $3)";
static const char sql_member_list[] =
    "SELECT child_id FROM childcare_members WHERE enrolment_id = $1 ORDER BY child_id";
static const char sql_member_release[] =
    "UPDATE childcare_members SET active = 0 WHERE enrolment_id = $1";
static const char sql_enr_get[] = "SELECT " ENR_COLS " WHERE e.id = $1";
static const char sql_enr_list_guardian[] =
    "SELECT " ENR_COLS " WHERE e.guardian_id = $1 ORDER BY e.created_at DESC, e.id DESC LIMIT 100";
static const char sql_enr_list_programme[] =
    "SELECT " ENR_COLS " WHERE e.programme_id = $1 AND e.state IN ('enrolled', 'offered')"
    " ORDER BY e.id";
static const char sql_enr_accept[] =
    "UPDATE childcare_enrolments SET state = 'enrolled', offer_until = NULL, updated_at = $2"
    " WHERE id = $1 AND state = 'offered' AND offer_until > $2";
static const char sql_enr_cancel[] =
    "UPDATE childcare_enrolments SET state = 'cancelled', offer_until = NULL, updated_at = $3"
    " WHERE id = $1 AND state = $2";
/* The earliest waiting group that fits whole in the programme's free places. */
static const char sql_enr_next_fit[] =
    "SELECT e.id, e.size FROM childcare_enrolments e JOIN childcare_programmes p"
    " ON p.id = e.programme_id WHERE e.programme_id = $1 AND e.state = 'waitlisted'"
    " AND e.size <= p.capacity - p.taken AND p.erased_at IS NULL AND p.ends_at > $2"
    " ORDER BY e.queue_no LIMIT 1";
static const char sql_enr_claim_offer[] =
    "UPDATE childcare_enrolments SET state = 'offered', offer_until = $2, updated_at = $3"
    " WHERE id = $1 AND state = 'waitlisted'";
static const char sql_enr_unclaim[] =
    "UPDATE childcare_enrolments SET state = 'waitlisted', offer_until = NULL WHERE id = $1"
    " AND state = 'offered'";
static const char sql_prog_offer_ttl[] =
    "SELECT offer_ttl_s, starts_at FROM childcare_programmes WHERE id = $1";
static const char sql_enr_expired[] =
    "SELECT " ENR_COLS " WHERE e.state = 'offered' AND e.offer_until <= $1 ORDER BY e.offer_until"
    " LIMIT $2";

/* ---- attendance ---------------------------------------------------------------- */

#define ATT_COLS                                                                                   \
    "a.id, a.programme_id, a.child_id, a.day, a.in_at, a.in_by, a.out_at, a.out_by,"               \
    " a.picked_up_by, c.name FROM childcare_attendance a JOIN children c ON c.id = a.child_id"

static const char sql_att_in[] =
    "INSERT INTO childcare_attendance (programme_id, child_id, day, in_at, in_by)"
    " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (programme_id, child_id, day) DO NOTHING";
static const char sql_att_out[] =
    "UPDATE childcare_attendance SET out_at = $4, out_by = $5, picked_up_by = $6"
    " WHERE programme_id = $1 AND child_id = $2 AND day = $3 AND out_at IS NULL";
static const char sql_att_day[] =
    "SELECT " ATT_COLS " WHERE a.programme_id = $1 AND a.day = $2 ORDER BY a.in_at, a.id";
static const char sql_att_guardian[] = "SELECT " ATT_COLS " WHERE c.guardian_id = $1"
                                       " ORDER BY a.day DESC, a.in_at DESC, a.id DESC LIMIT $2";

/* ---- retention and erasure --------------------------------------------------------- */

static const char sql_due_erase[] =
    "SELECT id FROM childcare_programmes WHERE erased_at IS NULL AND ends_at <= $1"
    " ORDER BY ends_at, id LIMIT $2";
/* The claim: one node erases a programme, once. */
static const char sql_erase_claim[] =
    "UPDATE childcare_programmes SET erased_at = $2 WHERE id = $1 AND erased_at IS NULL";
static const char sql_erase_attendance[] =
    "DELETE FROM childcare_attendance WHERE programme_id = $1";
/* Its children, unless another programme whose data is kept has them. */
static const char sql_erase_children[] =
    "DELETE FROM children WHERE id IN (SELECT child_id FROM childcare_members"
    " WHERE programme_id = $1) AND NOT EXISTS (SELECT 1 FROM childcare_members m"
    " JOIN childcare_programmes q ON q.id = m.programme_id WHERE m.child_id = children.id"
    " AND q.id <> $1 AND q.erased_at IS NULL)";
static const char sql_erase_members[] = "DELETE FROM childcare_members WHERE programme_id = $1";
static const char sql_erase_count[] =
    "UPDATE childcare_programmes SET erased_children = $2 WHERE id = $1";

static const char sql_user_active[] =
    "SELECT " ENR_COLS " WHERE e.guardian_id = $1 AND e.state <> 'cancelled' ORDER BY e.id";
static const char sql_user_erase_enrolments[] =
    "DELETE FROM childcare_enrolments WHERE guardian_id = $1";
static const char sql_user_erase_children[] = "DELETE FROM children WHERE guardian_id = $1";
static const char sql_user_erase_consents[] = "DELETE FROM childcare_consents WHERE user_id = $1";

/* ---- rows ------------------------------------------------------------------------ */

static void row_to_programme(const struct store_rows *r, size_t i, struct programme *p)
{
    memset(p, 0, sizeof *p);
    p->id = store_int(r, i, 0);
    p->site_id = store_int(r, i, 1);
    p->title_zh = store_text(r, i, 2);
    p->title_en = store_text(r, i, 3);
    p->description_zh = store_text(r, i, 4);
    p->description_en = store_text(r, i, 5);
    p->age_min = store_int(r, i, 6);
    p->age_max = store_int(r, i, 7);
    p->first_day = (int32_t)store_int(r, i, 8);
    p->last_day = (int32_t)store_int(r, i, 9);
    p->starts_at = store_int(r, i, 10);
    p->ends_at = store_int(r, i, 11);
    p->timetable = store_text(r, i, 12);
    p->lunch = store_int(r, i, 13) != 0;
    p->capacity = store_int(r, i, 14);
    p->taken = store_int(r, i, 15);
    p->offer_ttl_s = store_int(r, i, 16);
    p->consent_version = store_text(r, i, 17);
    p->consent_zh = store_text(r, i, 18);
    p->consent_en = store_text(r, i, 19);
    p->erased_at = store_int(r, i, 20);
    p->erased_children = store_int(r, i, 21);
    p->is_demo = store_int(r, i, 22) != 0;
    p->created_at = store_int(r, i, 23);
    p->site_name_zh = store_text(r, i, 24);
    p->site_name_en = store_text(r, i, 25);
    p->waiting = store_int(r, i, 26);
    p->staff_count = store_int(r, i, 27);
}

static void row_to_child(const struct store_rows *r, size_t i, struct child *ch)
{
    ch->id = store_int(r, i, 0);
    ch->guardian_id = store_int(r, i, 1);
    ch->name = store_text(r, i, 2);
    ch->birth_date = (int32_t)store_int(r, i, 3);
    ch->school = store_text(r, i, 4);
    ch->grade = store_text(r, i, 5);
    ch->allergies = store_text(r, i, 6);
    ch->emergency_contacts = store_text(r, i, 7);
    ch->health_sealed = store_text(r, i, 8);
    ch->pickup_sealed = store_text(r, i, 9);
    ch->created_at = store_int(r, i, 10);
}

static void row_to_enrolment(const struct store_rows *r, size_t i, struct enrolment *e)
{
    memset(e, 0, sizeof *e);
    e->id = store_int(r, i, 0);
    e->programme_id = store_int(r, i, 1);
    e->guardian_id = store_int(r, i, 2);
    e->size = store_int(r, i, 3);
    e->state = store_text(r, i, 4);
    e->queue_no = store_int(r, i, 5);
    e->offer_until = store_int(r, i, 6);
    e->consent_version = store_text(r, i, 7);
    e->created_at = store_int(r, i, 8);
    e->updated_at = store_int(r, i, 9);
    e->place = store_int(r, i, 10);
}

static void row_to_attendance(const struct store_rows *r, size_t i, struct attendance *t)
{
    t->id = store_int(r, i, 0);
    t->programme_id = store_int(r, i, 1);
    t->child_id = store_int(r, i, 2);
    t->day = (int32_t)store_int(r, i, 3);
    t->in_at = store_int(r, i, 4);
    t->in_by = store_int(r, i, 5);
    t->out_at = store_int(r, i, 6);
    t->out_by = store_int(r, i, 7);
    t->picked_up_by = store_text(r, i, 8);
    t->child_name = store_text(r, i, 9);
}

/* ---- programmes ------------------------------------------------------------------ */

int programme_insert(struct store_conn *c, struct arena *a, struct programme *p)
{
    struct store_val v[] = {SV_INT(p->site_id),
                            SV_TEXT(p->title_zh),
                            SV_TEXT(p->title_en ? p->title_en : ""),
                            SV_TEXT(p->description_zh ? p->description_zh : ""),
                            SV_TEXT(p->description_en ? p->description_en : ""),
                            SV_INT(p->age_min),
                            SV_INT(p->age_max),
                            SV_INT(p->first_day),
                            SV_INT(p->last_day),
                            SV_INT(p->starts_at),
                            SV_INT(p->ends_at),
                            SV_TEXT(p->timetable ? p->timetable : "[]"),
                            SV_INT(p->lunch),
                            SV_INT(p->capacity),
                            SV_INT(p->offer_ttl_s),
                            SV_TEXT(p->consent_version),
                            SV_TEXT(p->consent_zh),
                            SV_TEXT(p->consent_en ? p->consent_en : ""),
                            SV_INT(p->is_demo),
                            SV_INT(p->created_at)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_prog_insert, v, 20, &rows);
    if (!rc)
        p->id = store_int(&rows, 0, 0);
    return rc;
}

int programme_get(struct store_conn *c, struct arena *a, int64_t id, struct programme *out)
{
    struct store_rows rows;
    int rc = store_query(c, a, sql_prog_get, (struct store_val[]){SV_INT(id)}, 1, &rows);
    if (rc)
        return rc;
    if (!rows.nrows)
        return STORE_NOT_FOUND;
    row_to_programme(&rows, 0, out);
    return STORE_OK;
}

static int programmes_of(struct store_rows *rows, struct arena *a, struct programme **out,
                         size_t *n)
{
    *n = rows->nrows;
    *out = arena_calloc(a, rows->nrows ? rows->nrows : 1, sizeof **out);
    for (size_t i = 0; i < rows->nrows; i++)
        row_to_programme(rows, i, &(*out)[i]);
    return STORE_OK;
}

int programme_list(struct store_conn *c, struct arena *a, int64_t site_id, int64_t limit,
                   int64_t offset, struct programme **out, size_t *n, int64_t *total)
{
    struct store_rows rows, count;
    int rc =
        store_query(c, a, sql_prog_list,
                    (struct store_val[]){SV_INT(site_id), SV_INT(limit), SV_INT(offset)}, 3, &rows);
    if (!rc)
        rc = store_query(c, a, sql_prog_count, (struct store_val[]){SV_INT(site_id)}, 1, &count);
    if (rc)
        return rc;
    *total = store_int(&count, 0, 0);
    return programmes_of(&rows, a, out, n);
}

int programme_list_staffed(struct store_conn *c, struct arena *a, int64_t user_id,
                           struct programme **out, size_t *n)
{
    struct store_rows rows;
    int rc = store_query(c, a, sql_prog_staffed, (struct store_val[]){SV_INT(user_id)}, 1, &rows);
    return rc ? rc : programmes_of(&rows, a, out, n);
}

int programme_delete_demo(struct store_conn *c)
{
    return store_exec(c, sql_prog_delete_demo, NULL, 0, NULL);
}

int programme_staff_add(struct store_conn *c, int64_t programme_id, int64_t user_id)
{
    return store_exec(c, sql_staff_add, (struct store_val[]){SV_INT(programme_id), SV_INT(user_id)},
                      2, NULL);
}

bool programme_is_staff(struct store_conn *c, struct arena *a, int64_t programme_id,
                        int64_t user_id)
{
    struct store_rows rows;
    return store_query(c, a, sql_staff_is,
                       (struct store_val[]){SV_INT(programme_id), SV_INT(user_id)}, 2,
                       &rows) == STORE_OK &&
           rows.nrows > 0;
}

/* ---- children -------------------------------------------------------------------- */

int child_insert(struct store_conn *c, struct arena *a, struct child *ch)
{
    struct store_val v[] = {SV_INT(ch->guardian_id),
                            SV_TEXT(ch->name),
                            SV_INT(ch->birth_date),
                            SV_TEXT(ch->school ? ch->school : ""),
                            SV_TEXT(ch->grade ? ch->grade : ""),
                            SV_TEXT(ch->allergies ? ch->allergies : ""),
                            SV_TEXT(ch->emergency_contacts ? ch->emergency_contacts : "[]"),
                            SV_TEXT_OR_NULL(ch->health_sealed),
                            SV_TEXT_OR_NULL(ch->pickup_sealed),
                            SV_INT(ch->created_at)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_child_insert, v, 10, &rows);
    if (!rc)
        ch->id = store_int(&rows, 0, 0);
    return rc;
}

int child_get(struct store_conn *c, struct arena *a, int64_t id, struct child *out)
{
    struct store_rows rows;
    int rc = store_query(c, a, sql_child_get, (struct store_val[]){SV_INT(id)}, 1, &rows);
    if (rc)
        return rc;
    if (!rows.nrows)
        return STORE_NOT_FOUND;
    row_to_child(&rows, 0, out);
    return STORE_OK;
}

int child_list_guardian(struct store_conn *c, struct arena *a, int64_t guardian, struct child **out,
                        size_t *n)
{
    struct store_rows rows;
    int rc = store_query(c, a, sql_child_list, (struct store_val[]){SV_INT(guardian)}, 1, &rows);
    if (rc)
        return rc;
    *n = rows.nrows;
    *out = arena_calloc(a, rows.nrows ? rows.nrows : 1, sizeof **out);
    for (size_t i = 0; i < rows.nrows; i++)
        row_to_child(&rows, i, &(*out)[i]);
    return STORE_OK;
}

int64_t child_count_guardian(struct store_conn *c, struct arena *a, int64_t guardian)
{
    struct store_rows rows;
    if (store_query(c, a, sql_child_count, (struct store_val[]){SV_INT(guardian)}, 1, &rows))
        return -1;
    return store_int(&rows, 0, 0);
}

int child_staffed_sites(struct store_conn *c, struct arena *a, int64_t child_id, int64_t user_id,
                        int64_t **sites, size_t *n)
{
    struct store_rows rows;
    int rc = store_query(c, a, sql_child_staffed,
                         (struct store_val[]){SV_INT(child_id), SV_INT(user_id)}, 2, &rows);
    if (rc)
        return rc;
    *n = rows.nrows;
    *sites = arena_calloc(a, rows.nrows ? rows.nrows : 1, sizeof(int64_t));
    for (size_t i = 0; i < rows.nrows; i++)
        (*sites)[i] = store_int(&rows, i, 0);
    return STORE_OK;
}

bool child_enrolled_in(struct store_conn *c, struct arena *a, int64_t programme_id,
                       int64_t child_id)
{
    struct store_rows rows;
    return store_query(c, a, sql_child_enrolled_in,
                       (struct store_val[]){SV_INT(programme_id), SV_INT(child_id)}, 2,
                       &rows) == STORE_OK &&
           rows.nrows > 0;
}

int consent_record(struct store_conn *c, int64_t user_id, int64_t programme_id, const char *version,
                   int64_t now)
{
    return store_exec(
        c, sql_consent_insert,
        (struct store_val[]){SV_INT(user_id), SV_INT(programme_id), SV_TEXT(version), SV_INT(now)},
        4, NULL);
}

/* ---- enrolments ------------------------------------------------------------------ */

int enrolment_create(struct store_conn *c, struct arena *a, struct enrolment *e, int64_t now)
{
    int64_t changed = 0;
    int rc =
        store_exec(c, sql_places_take,
                   (struct store_val[]){SV_INT(e->programme_id), SV_INT(e->size)}, 2, &changed);
    if (rc)
        return rc;
    e->queue_no = 0;
    if (changed == 1) {
        e->state = "enrolled";
    } else {
        struct store_rows t;
        rc = store_query(c, a, sql_wait_ticket, (struct store_val[]){SV_INT(e->programme_id)}, 1,
                         &t);
        if (rc)
            return rc;
        if (!t.nrows)
            return STORE_NOT_FOUND;
        e->state = "waitlisted";
        e->queue_no = store_int(&t, 0, 0);
    }
    struct store_rows rows;
    rc = store_query(c, a, sql_enr_insert,
                     (struct store_val[]){SV_INT(e->programme_id), SV_INT(e->guardian_id),
                                          SV_INT(e->size), SV_TEXT(e->state),
                                          e->queue_no ? SV_INT(e->queue_no) : SV_NULL,
                                          SV_TEXT(e->consent_version), SV_INT(now)},
                     7, &rows);
    if (rc)
        return rc;
    e->id = store_int(&rows, 0, 0);
    for (int64_t i = 0; i < e->size; i++) {
        rc = store_exec(
            c, sql_member_insert,
            (struct store_val[]){SV_INT(e->id), SV_INT(e->programme_id), SV_INT(e->children[i])}, 3,
            NULL);
        if (rc == STORE_CONFLICT)
            return CHILDCARE_ALREADY;
        if (rc)
            return rc;
    }
    e->created_at = e->updated_at = now;
    return STORE_OK;
}

static int members_of(struct store_conn *c, struct arena *a, struct enrolment *e)
{
    struct store_rows rows;
    int rc = store_query(c, a, sql_member_list, (struct store_val[]){SV_INT(e->id)}, 1, &rows);
    if (rc)
        return rc;
    e->children = arena_calloc(a, rows.nrows ? rows.nrows : 1, sizeof(int64_t));
    for (size_t i = 0; i < rows.nrows; i++)
        e->children[i] = store_int(&rows, i, 0);
    return STORE_OK;
}

static int enrolments_of(struct store_conn *c, struct arena *a, struct store_rows *rows,
                         struct enrolment **out, size_t *n)
{
    *n = rows->nrows;
    *out = arena_calloc(a, rows->nrows ? rows->nrows : 1, sizeof **out);
    for (size_t i = 0; i < rows->nrows; i++) {
        row_to_enrolment(rows, i, &(*out)[i]);
        int rc = members_of(c, a, &(*out)[i]);
        if (rc)
            return rc;
    }
    return STORE_OK;
}

int enrolment_get(struct store_conn *c, struct arena *a, int64_t id, struct enrolment *out)
{
    struct store_rows rows;
    int rc = store_query(c, a, sql_enr_get, (struct store_val[]){SV_INT(id)}, 1, &rows);
    if (rc)
        return rc;
    if (!rows.nrows)
        return STORE_NOT_FOUND;
    row_to_enrolment(&rows, 0, out);
    return members_of(c, a, out);
}

int enrolment_list_guardian(struct store_conn *c, struct arena *a, int64_t guardian,
                            struct enrolment **out, size_t *n)
{
    struct store_rows rows;
    int rc =
        store_query(c, a, sql_enr_list_guardian, (struct store_val[]){SV_INT(guardian)}, 1, &rows);
    return rc ? rc : enrolments_of(c, a, &rows, out, n);
}

int enrolment_list_programme(struct store_conn *c, struct arena *a, int64_t programme_id,
                             struct enrolment **out, size_t *n)
{
    struct store_rows rows;
    int rc = store_query(c, a, sql_enr_list_programme, (struct store_val[]){SV_INT(programme_id)},
                         1, &rows);
    return rc ? rc : enrolments_of(c, a, &rows, out, n);
}

int enrolment_accept(struct store_conn *c, int64_t id, int64_t now)
{
    int64_t changed = 0;
    int rc =
        store_exec(c, sql_enr_accept, (struct store_val[]){SV_INT(id), SV_INT(now)}, 2, &changed);
    return rc ? rc : changed == 1 ? STORE_OK : STORE_CONFLICT;
}

static void push_id(struct arena *a, int64_t **ids, size_t *n, int64_t id)
{
    int64_t *grown = arena_alloc(a, (*n + 1) * sizeof(int64_t));
    if (*n)
        memcpy(grown, *ids, *n * sizeof(int64_t));
    grown[(*n)++] = id;
    *ids = grown;
}

int enrolment_pass(struct store_conn *c, struct arena *a, int64_t programme_id, int64_t now,
                   int64_t **offered, size_t *noffered)
{
    struct store_rows p;
    int rc =
        store_query(c, a, sql_prog_offer_ttl, (struct store_val[]){SV_INT(programme_id)}, 1, &p);
    if (rc || !p.nrows)
        return rc;
    int64_t until = now + store_int(&p, 0, 0);
    /* A group waiting for a programme that started still gets a whole day. */
    for (int round = 0; round < CHILDCARE_CAPACITY_MAX; round++) {
        struct store_rows next;
        rc = store_query(c, a, sql_enr_next_fit,
                         (struct store_val[]){SV_INT(programme_id), SV_INT(now)}, 2, &next);
        if (rc || !next.nrows)
            return rc;
        int64_t id = store_int(&next, 0, 0), size = store_int(&next, 0, 1);
        int64_t changed = 0;
        rc = store_exec(c, sql_enr_claim_offer,
                        (struct store_val[]){SV_INT(id), SV_INT(until), SV_INT(now)}, 3, &changed);
        if (rc)
            return rc;
        if (changed != 1)
            continue; /* another transaction offered it first */
        rc = store_exec(c, sql_places_take,
                        (struct store_val[]){SV_INT(programme_id), SV_INT(size)}, 2, &changed);
        if (rc)
            return rc;
        if (changed != 1) /* taken meanwhile: it waits on */
            return store_exec(c, sql_enr_unclaim, (struct store_val[]){SV_INT(id)}, 1, NULL);
        push_id(a, offered, noffered, id);
    }
    return STORE_OK;
}

int enrolment_cancel(struct store_conn *c, struct arena *a, const struct enrolment *e,
                     const char *from, int64_t now, int64_t **offered, size_t *noffered)
{
    const char *state = from ? from : e->state;
    int64_t changed = 0;
    int rc =
        store_exec(c, sql_enr_cancel,
                   (struct store_val[]){SV_INT(e->id), SV_TEXT(state), SV_INT(now)}, 3, &changed);
    if (rc)
        return rc;
    if (changed != 1)
        return STORE_CONFLICT;
    rc = store_exec(c, sql_member_release, (struct store_val[]){SV_INT(e->id)}, 1, NULL);
    if (rc || !childcare_state_holds_places(state))
        return rc;
    rc = store_exec(c, sql_places_free,
                    (struct store_val[]){SV_INT(e->programme_id), SV_INT(e->size)}, 2, &changed);
    if (rc)
        return rc;
    if (changed != 1) {
        log_error("childcare: enrolment %lld held places its programme did not count",
                  (long long)e->id);
        return STORE_ERROR;
    }
    return enrolment_pass(c, a, e->programme_id, now, offered, noffered);
}

int enrolment_list_expired(struct store_conn *c, struct arena *a, int64_t now, int64_t limit,
                           struct enrolment **out, size_t *n)
{
    struct store_rows rows;
    int rc = store_query(c, a, sql_enr_expired, (struct store_val[]){SV_INT(now), SV_INT(limit)}, 2,
                         &rows);
    return rc ? rc : enrolments_of(c, a, &rows, out, n);
}

/* ---- attendance ------------------------------------------------------------------ */

int attendance_check_in(struct store_conn *c, int64_t programme_id, int64_t child_id, int32_t day,
                        int64_t by, int64_t now)
{
    int64_t changed = 0;
    int rc = store_exec(c, sql_att_in,
                        (struct store_val[]){SV_INT(programme_id), SV_INT(child_id), SV_INT(day),
                                             SV_INT(now), SV_INT(by)},
                        5, &changed);
    return rc ? rc : changed == 1 ? STORE_OK : STORE_CONFLICT;
}

int attendance_check_out(struct store_conn *c, int64_t programme_id, int64_t child_id, int32_t day,
                         int64_t by, const char *who, int64_t now)
{
    int64_t changed = 0;
    int rc = store_exec(c, sql_att_out,
                        (struct store_val[]){SV_INT(programme_id), SV_INT(child_id), SV_INT(day),
                                             SV_INT(now), SV_INT(by), SV_TEXT(who)},
                        6, &changed);
    return rc ? rc : changed == 1 ? STORE_OK : STORE_CONFLICT;
}

static int attendance_of(struct store_rows *rows, struct arena *a, struct attendance **out,
                         size_t *n)
{
    *n = rows->nrows;
    *out = arena_calloc(a, rows->nrows ? rows->nrows : 1, sizeof **out);
    for (size_t i = 0; i < rows->nrows; i++)
        row_to_attendance(rows, i, &(*out)[i]);
    return STORE_OK;
}

int attendance_list_day(struct store_conn *c, struct arena *a, int64_t programme_id, int32_t day,
                        struct attendance **out, size_t *n)
{
    struct store_rows rows;
    int rc = store_query(c, a, sql_att_day, (struct store_val[]){SV_INT(programme_id), SV_INT(day)},
                         2, &rows);
    return rc ? rc : attendance_of(&rows, a, out, n);
}

int attendance_list_guardian(struct store_conn *c, struct arena *a, int64_t guardian, int64_t limit,
                             struct attendance **out, size_t *n)
{
    struct store_rows rows;
    int rc = store_query(c, a, sql_att_guardian,
                         (struct store_val[]){SV_INT(guardian), SV_INT(limit)}, 2, &rows);
    return rc ? rc : attendance_of(&rows, a, out, n);
}

/* ---- retention ------------------------------------------------------------------- */

int programme_list_due_erase(struct store_conn *c, struct arena *a, int64_t ended_before,
                             int64_t limit, int64_t **ids, size_t *n)
{
    struct store_rows rows;
    int rc = store_query(c, a, sql_due_erase,
                         (struct store_val[]){SV_INT(ended_before), SV_INT(limit)}, 2, &rows);
    if (rc)
        return rc;
    *n = rows.nrows;
    *ids = arena_calloc(a, rows.nrows ? rows.nrows : 1, sizeof(int64_t));
    for (size_t i = 0; i < rows.nrows; i++)
        (*ids)[i] = store_int(&rows, i, 0);
    return STORE_OK;
}

int programme_erase(struct store_conn *c, int64_t programme_id, int64_t now, int64_t *erased)
{
    struct store_val id[] = {SV_INT(programme_id)};
    int64_t changed = 0;
    int rc = store_exec(c, sql_erase_claim, (struct store_val[]){SV_INT(programme_id), SV_INT(now)},
                        2, &changed);
    if (rc)
        return rc;
    if (changed != 1)
        return STORE_CONFLICT;
    *erased = 0;
    if ((rc = store_exec(c, sql_erase_attendance, id, 1, NULL)) ||
        (rc = store_exec(c, sql_erase_children, id, 1, erased)) ||
        (rc = store_exec(c, sql_erase_members, id, 1, NULL)))
        return rc;
    return store_exec(c, sql_erase_count,
                      (struct store_val[]){SV_INT(programme_id), SV_INT(*erased)}, 2, NULL);
}

/* ---- personal data --------------------------------------------------------------- */

int childcare_export_rows(struct store_conn *c, struct arena *a, int64_t user_id,
                          struct child **children, size_t *nchildren, struct enrolment **enrolments,
                          size_t *nenrolments)
{
    int rc = child_list_guardian(c, a, user_id, children, nchildren);
    return rc ? rc : enrolment_list_guardian(c, a, user_id, enrolments, nenrolments);
}

int childcare_erase_user(struct store_conn *c, struct arena *a, int64_t user_id, int64_t now,
                         int64_t **offered, size_t *noffered)
{
    struct store_rows rows;
    int rc = store_query(c, a, sql_user_active, (struct store_val[]){SV_INT(user_id)}, 1, &rows);
    if (rc)
        return rc;
    for (size_t i = 0; i < rows.nrows; i++) {
        struct enrolment e;
        row_to_enrolment(&rows, i, &e);
        rc = enrolment_cancel(c, a, &e, NULL, now, offered, noffered);
        if (rc)
            return rc;
    }
    struct store_val v[] = {SV_INT(user_id)};
    if ((rc = store_exec(c, sql_user_erase_enrolments, v, 1, NULL)) ||
        (rc = store_exec(c, sql_user_erase_children, v, 1, NULL)))
        return rc;
    return store_exec(c, sql_user_erase_consents, v, 1, NULL);
}
