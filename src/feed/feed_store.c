/*
 * feed_store.c - the SQL of calendar feeds.
 */
#include "feed/feed.h"
#include "store/store.h"

static const char sql_put[] =
    "INSERT INTO calendar_feeds (user_id, token_hash, created_at) VALUES ($1, $2, $3)"
    " ON CONFLICT (user_id) DO UPDATE SET token_hash = $2, created_at = $3, last_read_at = NULL";
static const char sql_owner[] =
    "UPDATE calendar_feeds SET last_read_at = $2 WHERE token_hash = $1 RETURNING user_id";
static const char sql_get[] =
    "SELECT created_at, last_read_at FROM calendar_feeds WHERE user_id = $1";
static const char sql_delete[] = "DELETE FROM calendar_feeds WHERE user_id = $1";

int feed_put(struct store_conn *c, int64_t user_id, const char *token_hash, int64_t now)
{
    struct store_val p[] = {SV_INT(user_id), SV_TEXT(token_hash), SV_INT(now)};
    return store_exec(c, sql_put, p, 3, NULL);
}

int feed_owner(struct store_conn *c, struct arena *a, const char *token_hash, int64_t now,
               int64_t *user_id)
{
    struct store_val p[] = {SV_TEXT(token_hash), SV_INT(now)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_owner, p, 2, &rows);
    if (rc)
        return rc;
    if (!rows.nrows)
        return STORE_NOT_FOUND;
    *user_id = store_int(&rows, 0, 0);
    return STORE_OK;
}

int feed_get(struct store_conn *c, struct arena *a, int64_t user_id, int64_t *created_at,
             int64_t *last_read_at)
{
    struct store_val p[] = {SV_INT(user_id)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_get, p, 1, &rows);
    *created_at = *last_read_at = 0;
    if (!rc && rows.nrows) {
        *created_at = store_int(&rows, 0, 0);
        *last_read_at = store_int(&rows, 0, 1);
    }
    return rc;
}

int feed_delete(struct store_conn *c, int64_t user_id)
{
    struct store_val p[] = {SV_INT(user_id)};
    return store_exec(c, sql_delete, p, 1, NULL);
}
