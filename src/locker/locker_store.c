/*
 * locker_store.c - the SQL of fridge and locker slots and their claims.
 *
 * A slot is free while its claim_id is NULL. Taking one is a single
 * UPDATE of the lowest free slot that re-checks claim_id IS NULL on the
 * row it changes: on SQLite write transactions take turns; on PostgreSQL
 * (read committed) a claimer that lost the race for a slot changes no row
 * and tries the next one with a fresh look, so every claimer gets a slot
 * of their own while any is free.
 */
#include <string.h>

#include "locker/locker.h"
#include "store/store.h"

/* ---- slots ---------------------------------------------------------------- */

static const char sql_slot_add[] =
    "INSERT INTO locker_slots (site_id, kind, number) VALUES ($1, $2, $3)"
    " ON CONFLICT (site_id, kind, number) DO NOTHING";
static const char sql_slot_trim[] =
    "DELETE FROM locker_slots WHERE site_id = $1 AND kind = $2 AND number > $3"
    " AND claim_id IS NULL";
static const char sql_slot_count_above[] =
    "SELECT count(*) FROM locker_slots WHERE site_id = $1 AND kind = $2 AND number > $3";
static const char sql_counts[] =
    "SELECT kind, count(*), sum(CASE WHEN claim_id IS NULL THEN 1 ELSE 0 END)"
    " FROM locker_slots WHERE site_id = $1 GROUP BY kind ORDER BY kind";
static const char sql_slots_list[] =
    "SELECT s.id, s.kind, s.number, s.claim_id, k.claimed_at, k.ends_at, k.user_id,"
    " u.display_name FROM locker_slots s LEFT JOIN locker_claims k ON k.id = s.claim_id"
    " LEFT JOIN users u ON u.id = k.user_id WHERE s.site_id = $1 ORDER BY s.kind, s.number";
/* The decisive statement: the lowest free slot, re-checked free as it is
 * changed. */
static const char sql_slot_take[] =
    "UPDATE locker_slots SET claim_id = $3 WHERE id = (SELECT id FROM locker_slots"
    " WHERE site_id = $1 AND kind = $2 AND claim_id IS NULL ORDER BY number LIMIT 1)"
    " AND claim_id IS NULL RETURNING id, number";
static const char sql_slot_free_count[] =
    "SELECT count(*) FROM locker_slots WHERE site_id = $1 AND kind = $2 AND claim_id IS NULL";
static const char sql_slot_clear[] = "UPDATE locker_slots SET claim_id = NULL WHERE claim_id = $1";
/* Slots whose claim is no longer held (expired, or erased). */
static const char sql_slot_clear_ended[] =
    "UPDATE locker_slots SET claim_id = NULL WHERE claim_id IS NOT NULL AND NOT EXISTS"
    " (SELECT 1 FROM locker_claims k WHERE k.id = locker_slots.claim_id AND k.state = 'held')";
static const char sql_slot_find[] =
    "SELECT s.id, s.claim_id, k.code FROM locker_slots s"
    " LEFT JOIN locker_claims k ON k.id = s.claim_id AND k.state = 'held'"
    " WHERE s.site_id = $1 AND s.kind = $2 AND s.number = $3";

/* ---- claims --------------------------------------------------------------- */

#define CLAIM_COLS                                                                                 \
    "k.id, k.site_id, k.kind, k.slot_id, k.number, k.user_id, k.code, k.claimed_at,"               \
    " k.ends_at, k.state, k.ended_at, k.ended_by, s.name_zh, s.name_en"                            \
    " FROM locker_claims k JOIN sites s ON s.id = k.site_id"

static const char sql_claim_insert[] =
    "INSERT INTO locker_claims (site_id, kind, user_id, code, claimed_at, ends_at, state)"
    " VALUES ($1, $2, $3, $4, $5, $6, 'held') RETURNING id";
static const char sql_claim_place[] =
    "UPDATE locker_claims SET slot_id = $2, number = $3 WHERE id = $1";
static const char sql_claim_get[] = "SELECT " CLAIM_COLS " WHERE k.id = $1";
static const char sql_claims_user[] =
    "SELECT " CLAIM_COLS " WHERE k.user_id = $1 AND (k.state = 'held' OR $2 = 0)"
    " ORDER BY CASE WHEN k.state = 'held' THEN 0 ELSE 1 END, k.claimed_at DESC, k.id DESC"
    " LIMIT $3";
static const char sql_claims_export[] =
    "SELECT " CLAIM_COLS " WHERE k.user_id = $1 ORDER BY k.claimed_at, k.id";
static const char sql_claim_end[] =
    "UPDATE locker_claims SET state = $3, ended_at = $4, ended_by = $5"
    " WHERE id = $1 AND (user_id = $2 OR $2 = 0) AND state = 'held'";
static const char sql_claim_open[] =
    "UPDATE locker_claims SET state = 'opened', ended_at = $3, ended_by = $4"
    " WHERE id = $1 AND state = 'held' AND code = $2";
static const char sql_claims_expire[] = "UPDATE locker_claims SET state = 'expired', ended_at = $1"
                                        " WHERE state = 'held' AND ends_at <= $1";
static const char sql_claims_erase[] = "DELETE FROM locker_claims WHERE user_id = $1";

static void row_to_claim(const struct store_rows *r, size_t i, struct locker_claim *k)
{
    k->id = store_int(r, i, 0);
    k->site_id = store_int(r, i, 1);
    k->kind = store_text(r, i, 2);
    k->slot_id = store_int(r, i, 3);
    k->number = store_int(r, i, 4);
    k->user_id = store_int(r, i, 5);
    k->code = store_text(r, i, 6);
    k->claimed_at = store_int(r, i, 7);
    k->ends_at = store_int(r, i, 8);
    k->state = store_text(r, i, 9);
    k->ended_at = store_int(r, i, 10);
    k->ended_by = store_int(r, i, 11);
    k->site_name_zh = store_text(r, i, 12);
    k->site_name_en = store_text(r, i, 13);
}

static int64_t count_of(struct store_conn *c, struct arena *a, const char *sql,
                        const struct store_val *p, size_t np, int *rc)
{
    struct store_rows rows;
    *rc = store_query(c, a, sql, p, np, &rows);
    return !*rc && rows.nrows ? store_int(&rows, 0, 0) : 0;
}

/* ---- slots ---------------------------------------------------------------- */

int locker_slots_set(struct store_conn *c, struct arena *a, int64_t site_id, const char *kind,
                     int64_t count)
{
    int rc = STORE_OK;
    for (int64_t n = 1; !rc && n <= count; n++) {
        struct store_val p[] = {SV_INT(site_id), SV_TEXT(kind), SV_INT(n)};
        rc = store_exec(c, sql_slot_add, p, 3, NULL);
    }
    struct store_val p[] = {SV_INT(site_id), SV_TEXT(kind), SV_INT(count)};
    if (!rc)
        rc = store_exec(c, sql_slot_trim, p, 3, NULL);
    if (rc)
        return rc;
    int64_t held = count_of(c, a, sql_slot_count_above, p, 3, &rc);
    return !rc && held ? STORE_CONFLICT : rc;
}

int locker_counts(struct store_conn *c, struct arena *a, int64_t site_id, struct locker_count **out,
                  size_t *n)
{
    struct store_val p[] = {SV_INT(site_id)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_counts, p, 1, &rows);
    if (rc)
        return rc;
    *n = rows.nrows;
    *out = arena_calloc(a, rows.nrows ? rows.nrows : 1, sizeof(**out));
    for (size_t i = 0; i < rows.nrows; i++) {
        (*out)[i].kind = store_text(&rows, i, 0);
        (*out)[i].total = store_int(&rows, i, 1);
        (*out)[i].free = store_int(&rows, i, 2);
    }
    return STORE_OK;
}

int locker_slots_list(struct store_conn *c, struct arena *a, int64_t site_id,
                      struct locker_slot **out, size_t *n)
{
    struct store_val p[] = {SV_INT(site_id)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_slots_list, p, 1, &rows);
    if (rc)
        return rc;
    *n = rows.nrows;
    *out = arena_calloc(a, rows.nrows ? rows.nrows : 1, sizeof(**out));
    for (size_t i = 0; i < rows.nrows; i++) {
        struct locker_slot *s = &(*out)[i];
        s->id = store_int(&rows, i, 0);
        s->kind = store_text(&rows, i, 1);
        s->number = store_int(&rows, i, 2);
        s->claim_id = store_int(&rows, i, 3);
        s->claimed_at = store_int(&rows, i, 4);
        s->ends_at = store_int(&rows, i, 5);
        s->user_id = store_int(&rows, i, 6);
        s->holder_name = store_text(&rows, i, 7);
    }
    return STORE_OK;
}

/* ---- claims --------------------------------------------------------------- */

int locker_claim(struct store_conn *c, struct arena *a, struct locker_claim *k)
{
    struct store_val pi[] = {SV_INT(k->site_id), SV_TEXT(k->kind),      SV_INT(k->user_id),
                             SV_TEXT(k->code),   SV_INT(k->claimed_at), SV_INT(k->ends_at)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_claim_insert, pi, 6, &rows);
    if (rc)
        return rc;
    if (!rows.nrows)
        return STORE_ERROR;
    k->id = store_int(&rows, 0, 0);
    struct store_val pt[] = {SV_INT(k->site_id), SV_TEXT(k->kind), SV_INT(k->id)};
    /* Each miss means another claimer took a slot in the meantime, so
     * this ends within as many tries as there are slots. */
    for (int tries = 0; tries <= LOCKER_MAX_SLOTS; tries++) {
        rc = store_query(c, a, sql_slot_take, pt, 3, &rows);
        if (rc)
            return rc;
        if (rows.nrows) {
            k->slot_id = store_int(&rows, 0, 0);
            k->number = store_int(&rows, 0, 1);
            k->state = "held";
            struct store_val pp[] = {SV_INT(k->id), SV_INT(k->slot_id), SV_INT(k->number)};
            return store_exec(c, sql_claim_place, pp, 3, NULL);
        }
        if (!count_of(c, a, sql_slot_free_count, pt, 2, &rc))
            return rc ? rc : LOCKER_FULL;
    }
    return STORE_BUSY;
}

int locker_claim_get(struct store_conn *c, struct arena *a, int64_t id, struct locker_claim *out)
{
    struct store_val p[] = {SV_INT(id)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_claim_get, p, 1, &rows);
    if (rc)
        return rc;
    if (!rows.nrows)
        return STORE_NOT_FOUND;
    row_to_claim(&rows, 0, out);
    return STORE_OK;
}

static int claims_from(struct store_conn *c, struct arena *a, const char *sql,
                       const struct store_val *p, size_t np, struct locker_claim **out, size_t *n)
{
    struct store_rows rows;
    int rc = store_query(c, a, sql, p, np, &rows);
    if (rc)
        return rc;
    *n = rows.nrows;
    *out = arena_calloc(a, rows.nrows ? rows.nrows : 1, sizeof(**out));
    for (size_t i = 0; i < rows.nrows; i++)
        row_to_claim(&rows, i, &(*out)[i]);
    return STORE_OK;
}

int locker_claims_user(struct store_conn *c, struct arena *a, int64_t user_id, bool held_only,
                       int64_t limit, struct locker_claim **out, size_t *n)
{
    struct store_val p[] = {SV_INT(user_id), SV_INT(held_only ? 1 : 0), SV_INT(limit)};
    return claims_from(c, a, sql_claims_user, p, 3, out, n);
}

int locker_release(struct store_conn *c, int64_t id, int64_t user_id, const char *state, int64_t by,
                   int64_t now)
{
    struct store_val p[] = {SV_INT(id), SV_INT(user_id), SV_TEXT(state), SV_INT(now),
                            by ? SV_INT(by) : SV_NULL};
    int64_t changed = 0;
    int rc = store_exec(c, sql_claim_end, p, 5, &changed);
    if (rc)
        return rc;
    if (changed != 1)
        return STORE_CONFLICT;
    struct store_val pc[] = {SV_INT(id)};
    return store_exec(c, sql_slot_clear, pc, 1, NULL);
}

int locker_open(struct store_conn *c, struct arena *a, int64_t site_id, const char *kind,
                int64_t number, const char *code, int64_t by, int64_t now, int64_t *claim_id)
{
    struct store_val pf[] = {SV_INT(site_id), SV_TEXT(kind), SV_INT(number)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_slot_find, pf, 3, &rows);
    if (rc)
        return rc;
    if (!rows.nrows)
        return STORE_NOT_FOUND;
    *claim_id = store_int(&rows, 0, 1);
    const char *held_code = store_text(&rows, 0, 2);
    if (!*claim_id || !held_code)
        return LOCKER_SLOT_FREE;
    if (strcmp(held_code, code) != 0)
        return LOCKER_WRONG_CODE;
    /* The statement that decides: still held (not released or opened by
     * someone else at this moment), with this code. */
    struct store_val po[] = {SV_INT(*claim_id), SV_TEXT(code), SV_INT(now),
                             by ? SV_INT(by) : SV_NULL};
    int64_t changed = 0;
    rc = store_exec(c, sql_claim_open, po, 4, &changed);
    if (rc)
        return rc;
    if (changed != 1)
        return LOCKER_SLOT_FREE;
    struct store_val pc[] = {SV_INT(*claim_id)};
    return store_exec(c, sql_slot_clear, pc, 1, NULL);
}

int locker_expire(struct store_conn *c, int64_t now, int64_t *n)
{
    struct store_val p[] = {SV_INT(now)};
    int rc = store_exec(c, sql_claims_expire, p, 1, n);
    if (!rc)
        rc = store_exec(c, sql_slot_clear_ended, NULL, 0, NULL);
    return rc;
}

int locker_export(struct store_conn *c, struct arena *a, int64_t user_id, struct locker_claim **out,
                  size_t *n)
{
    struct store_val p[] = {SV_INT(user_id)};
    return claims_from(c, a, sql_claims_export, p, 1, out, n);
}

int locker_erase(struct store_conn *c, int64_t user_id)
{
    struct store_val p[] = {SV_INT(user_id)};
    int rc = store_exec(c, sql_claims_erase, p, 1, NULL);
    if (!rc)
        rc = store_exec(c, sql_slot_clear_ended, NULL, 0, NULL);
    return rc;
}
