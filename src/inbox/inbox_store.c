/*
 * inbox_store.c - the SQL of the inbox: notices, and the bookkeeping of
 * their delivery outside the app (claims, attempts, outcomes).
 *
 * "Visible" means not expired at $now: (expires_at IS NULL OR expires_at >
 * $now). The person's own routes see only visible notices; the export sees
 * everything still held.
 */
#include <stdlib.h>

#include "inbox/inbox.h"
#include "store/store.h"

/* The columns of struct notice, in row_to_notice's order. */
#define NOTICE_COLS                                                                                \
    "id, user_id, kind, title_zh, title_en, body_zh, body_en, link, created_at, expires_at,"       \
    " read_at, delivery, delivery_attempts, delivered_at, delivery_error"

static const char sql_insert[] =
    "INSERT INTO inbox_notices (user_id, kind, title_zh, title_en, body_zh, body_en, link,"
    " created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id";
static const char sql_list[] =
    "SELECT " NOTICE_COLS " FROM inbox_notices WHERE user_id = $1"
    " AND (expires_at IS NULL OR expires_at > $2) AND ($3 = 0 OR read_at IS NULL)"
    " AND (CAST($4 AS BIGINT) = 0 OR id < $4) ORDER BY id DESC LIMIT $5";
static const char sql_unread[] =
    "SELECT COUNT(*) FROM inbox_notices WHERE user_id = $1 AND read_at IS NULL"
    " AND (expires_at IS NULL OR expires_at > $2)";
static const char sql_get[] =
    "SELECT " NOTICE_COLS " FROM inbox_notices WHERE id = $1 AND user_id = $2"
    " AND (expires_at IS NULL OR expires_at > $3)";
/* COALESCE: a second read keeps the first time, and still counts the row. */
static const char sql_read[] =
    "UPDATE inbox_notices SET read_at = COALESCE(read_at, $3) WHERE id = $1 AND user_id = $2"
    " AND (expires_at IS NULL OR expires_at > $3)";
static const char sql_read_all[] =
    "UPDATE inbox_notices SET read_at = $2 WHERE user_id = $1 AND read_at IS NULL"
    " AND (expires_at IS NULL OR expires_at > $2)";
static const char sql_delete[] = "DELETE FROM inbox_notices WHERE id = $1 AND user_id = $2"
                                 " AND (expires_at IS NULL OR expires_at > $3)";
static const char sql_export[] =
    "SELECT " NOTICE_COLS " FROM inbox_notices WHERE user_id = $1 ORDER BY id";
static const char sql_erase[] = "DELETE FROM inbox_notices WHERE user_id = $1";
static const char sql_purge[] =
    "DELETE FROM inbox_notices WHERE expires_at IS NOT NULL AND expires_at <= $1";

/* ---- delivery ------------------------------------------------------------ */

/* A claim is free when there is none or it is older than the stale limit:
 * (delivery_claimed_at IS NULL OR delivery_claimed_at < $stale). */
static const char sql_settle_skip[] =
    "UPDATE inbox_notices SET delivery = 'skipped', delivery_claimed_by = NULL,"
    " delivery_claimed_at = NULL"
    " WHERE delivery = 'pending'"
    " AND (delivery_claimed_at IS NULL OR delivery_claimed_at < $3)"
    " AND (read_at IS NOT NULL OR (expires_at IS NOT NULL AND expires_at <= $1)"
    "      OR created_at < $2)";
static const char sql_settle_give_up[] =
    "UPDATE inbox_notices SET delivery = 'failed', delivery_claimed_by = NULL,"
    " delivery_claimed_at = NULL, delivery_error = COALESCE(delivery_error, 'no_answer')"
    " WHERE delivery = 'pending' AND delivery_attempts >= $1"
    " AND (delivery_claimed_at IS NULL OR delivery_claimed_at < $2)";
/* The claim. The inner SELECT picks candidates; the outer WHERE repeats
 * the test on each row as it is written, so when two nodes pick the same
 * rows the second one's UPDATE (PostgreSQL: after waiting for the first's
 * row locks, re-reading the rows) finds a fresh claim and passes them by.
 * Without the repeated test, PostgreSQL sends some notices twice
 * (tests/unit/inbox/inbox_test.c shows it). SQLite has one writer at a
 * time, so the statement is atomic there anyway. */
static const char sql_claim[] =
    "UPDATE inbox_notices SET delivery_claimed_by = $1, delivery_claimed_at = $2,"
    " delivery_attempts = delivery_attempts + 1"
    " WHERE id IN (SELECT id FROM inbox_notices WHERE delivery = 'pending'"
    "   AND delivery_next_at <= $2"
    "   AND (delivery_claimed_at IS NULL OR delivery_claimed_at < $3)"
    "   AND delivery_attempts < $4 ORDER BY delivery_next_at, id LIMIT $5)"
    " AND delivery = 'pending'"
    " AND (delivery_claimed_at IS NULL OR delivery_claimed_at < $3)"
    " AND delivery_attempts < $4"
    " RETURNING id, user_id, kind, title_zh, title_en, body_zh, body_en, link,"
    " delivery_attempts, (SELECT phone FROM users WHERE users.id = inbox_notices.user_id)";
static const char sql_sent[] =
    "UPDATE inbox_notices SET delivery = 'sent', delivered_at = $3, delivery_error = NULL,"
    " delivery_claimed_by = NULL, delivery_claimed_at = NULL"
    " WHERE id = $1 AND delivery_claimed_by = $2 AND delivery = 'pending'";
static const char sql_retry[] =
    "UPDATE inbox_notices SET delivery_next_at = $3, delivery_error = $4,"
    " delivery_claimed_by = NULL, delivery_claimed_at = NULL"
    " WHERE id = $1 AND delivery_claimed_by = $2 AND delivery = 'pending'";
static const char sql_failed[] =
    "UPDATE inbox_notices SET delivery = 'failed', delivery_error = $3,"
    " delivery_claimed_by = NULL, delivery_claimed_at = NULL"
    " WHERE id = $1 AND delivery_claimed_by = $2 AND delivery = 'pending'";

static void row_to_notice(const struct store_rows *rows, size_t i, struct notice *n)
{
    n->id = store_int(rows, i, 0);
    n->user_id = store_int(rows, i, 1);
    n->kind = store_text(rows, i, 2);
    n->title_zh = store_text(rows, i, 3);
    n->title_en = store_text(rows, i, 4);
    n->body_zh = store_text(rows, i, 5);
    n->body_en = store_text(rows, i, 6);
    n->link = store_text(rows, i, 7);
    n->created_at = store_int(rows, i, 8);
    n->expires_at = store_int(rows, i, 9);
    n->read_at = store_int(rows, i, 10);
    n->delivery = store_text(rows, i, 11);
    n->delivery_attempts = store_int(rows, i, 12);
    n->delivered_at = store_int(rows, i, 13);
    n->delivery_error = store_text(rows, i, 14);
}

static int rows_to_notices(struct arena *a, const struct store_rows *rows, struct notice **out,
                           size_t *n)
{
    *n = rows->nrows;
    *out = arena_calloc(a, rows->nrows ? rows->nrows : 1, sizeof(**out));
    for (size_t i = 0; i < rows->nrows; i++)
        row_to_notice(rows, i, &(*out)[i]);
    return STORE_OK;
}

int inbox_insert(struct store_conn *c, struct notice *n)
{
    struct store_val p[] = {SV_INT(n->user_id),
                            SV_TEXT(n->kind),
                            SV_TEXT(n->title_zh),
                            SV_TEXT(n->title_en),
                            SV_TEXT(n->body_zh),
                            SV_TEXT(n->body_en),
                            SV_TEXT_OR_NULL(n->link),
                            SV_INT(n->created_at),
                            n->expires_at ? SV_INT(n->expires_at) : SV_NULL};
    struct arena a;
    arena_init(&a);
    struct store_rows rows;
    int rc = store_query(c, &a, sql_insert, p, 9, &rows);
    if (!rc && !rows.nrows)
        rc = STORE_ERROR;
    if (!rc) {
        n->id = store_int(&rows, 0, 0);
        n->read_at = 0;
        n->delivery = "pending";
        n->delivery_attempts = 0;
        n->delivered_at = 0;
        n->delivery_error = NULL;
    }
    arena_release(&a);
    return rc;
}

int inbox_list(struct store_conn *c, struct arena *a, int64_t user_id, bool unread_only,
               int64_t before, int64_t limit, int64_t now, struct notice **out, size_t *n)
{
    struct store_val p[] = {SV_INT(user_id), SV_INT(now), SV_INT(unread_only ? 1 : 0),
                            SV_INT(before > 0 ? before : 0), SV_INT(limit)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_list, p, 5, &rows);
    return rc ? rc : rows_to_notices(a, &rows, out, n);
}

int inbox_unread_count(struct store_conn *c, struct arena *a, int64_t user_id, int64_t now,
                       int64_t *out)
{
    struct store_val p[] = {SV_INT(user_id), SV_INT(now)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_unread, p, 2, &rows);
    if (!rc)
        *out = rows.nrows ? store_int(&rows, 0, 0) : 0;
    return rc;
}

int inbox_get(struct store_conn *c, struct arena *a, int64_t user_id, int64_t id, int64_t now,
              struct notice *out)
{
    struct store_val p[] = {SV_INT(id), SV_INT(user_id), SV_INT(now)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_get, p, 3, &rows);
    if (rc)
        return rc;
    if (!rows.nrows)
        return STORE_NOT_FOUND;
    row_to_notice(&rows, 0, out);
    return STORE_OK;
}

/* Run sql; STORE_NOT_FOUND when it touched no row. */
static int exec_one(struct store_conn *c, const char *sql, const struct store_val *p, size_t np)
{
    int64_t changed = 0;
    int rc = store_exec(c, sql, p, np, &changed);
    return rc ? rc : changed ? STORE_OK : STORE_NOT_FOUND;
}

int inbox_mark_read(struct store_conn *c, int64_t user_id, int64_t id, int64_t now)
{
    struct store_val p[] = {SV_INT(id), SV_INT(user_id), SV_INT(now)};
    return exec_one(c, sql_read, p, 3);
}

int inbox_mark_all_read(struct store_conn *c, int64_t user_id, int64_t now, int64_t *changed)
{
    struct store_val p[] = {SV_INT(user_id), SV_INT(now)};
    return store_exec(c, sql_read_all, p, 2, changed);
}

int inbox_delete(struct store_conn *c, int64_t user_id, int64_t id, int64_t now)
{
    struct store_val p[] = {SV_INT(id), SV_INT(user_id), SV_INT(now)};
    return exec_one(c, sql_delete, p, 3);
}

int inbox_export(struct store_conn *c, struct arena *a, int64_t user_id, struct notice **out,
                 size_t *n)
{
    struct store_val p[] = {SV_INT(user_id)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_export, p, 1, &rows);
    return rc ? rc : rows_to_notices(a, &rows, out, n);
}

int inbox_erase_user(struct store_conn *c, int64_t user_id)
{
    struct store_val p[] = {SV_INT(user_id)};
    return store_exec(c, sql_erase, p, 1, NULL);
}

int inbox_purge_expired(struct store_conn *c, int64_t now, int64_t *changed)
{
    struct store_val p[] = {SV_INT(now)};
    return store_exec(c, sql_purge, p, 1, changed);
}

/* ---- delivery ------------------------------------------------------------ */

int inbox_settle_skip(struct store_conn *c, int64_t now, int64_t created_before,
                      int64_t stale_before, int64_t *changed)
{
    struct store_val p[] = {SV_INT(now), SV_INT(created_before), SV_INT(stale_before)};
    return store_exec(c, sql_settle_skip, p, 3, changed);
}

int inbox_settle_give_up(struct store_conn *c, int64_t tries, int64_t stale_before,
                         int64_t *changed)
{
    struct store_val p[] = {SV_INT(tries), SV_INT(stale_before)};
    return store_exec(c, sql_settle_give_up, p, 2, changed);
}

static int by_id(const void *x, const void *y)
{
    const struct notify_message *a = x, *b = y;
    return (a->notice_id > b->notice_id) - (a->notice_id < b->notice_id);
}

int inbox_claim(struct store_conn *c, struct arena *a, const char *node, int64_t now,
                int64_t stale_before, int64_t tries, int64_t limit, struct notify_message **out,
                size_t *n)
{
    struct store_val p[] = {SV_TEXT(node), SV_INT(now), SV_INT(stale_before), SV_INT(tries),
                            SV_INT(limit)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_claim, p, 5, &rows);
    if (rc)
        return rc;
    *n = rows.nrows;
    *out = arena_calloc(a, rows.nrows ? rows.nrows : 1, sizeof(**out));
    for (size_t i = 0; i < rows.nrows; i++) {
        struct notify_message *m = &(*out)[i];
        m->notice_id = store_int(&rows, i, 0);
        m->user_id = store_int(&rows, i, 1);
        m->kind = store_text(&rows, i, 2);
        m->title_zh = store_text(&rows, i, 3);
        m->title_en = store_text(&rows, i, 4);
        m->body_zh = store_text(&rows, i, 5);
        m->body_en = store_text(&rows, i, 6);
        m->link = store_text(&rows, i, 7);
        m->attempt = (int)store_int(&rows, i, 8);
        m->phone = store_text(&rows, i, 9);
    }
    /* RETURNING has no order: send the oldest first. */
    qsort(*out, rows.nrows, sizeof(**out), by_id);
    return STORE_OK;
}

int inbox_mark_sent(struct store_conn *c, int64_t id, const char *node, int64_t now)
{
    struct store_val p[] = {SV_INT(id), SV_TEXT(node), SV_INT(now)};
    return exec_one(c, sql_sent, p, 3);
}

int inbox_mark_retry(struct store_conn *c, int64_t id, const char *node, int64_t next_at,
                     const char *why)
{
    struct store_val p[] = {SV_INT(id), SV_TEXT(node), SV_INT(next_at), SV_TEXT(why)};
    return exec_one(c, sql_retry, p, 4);
}

int inbox_mark_failed(struct store_conn *c, int64_t id, const char *node, const char *why)
{
    struct store_val p[] = {SV_INT(id), SV_TEXT(node), SV_TEXT(why)};
    return exec_one(c, sql_failed, p, 3);
}
