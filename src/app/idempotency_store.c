/*
 * idempotency_store.c - the SQL behind Idempotency-Key (idempotency.c):
 * claim a key, read it back, mark it carried out inside the work's own
 * transaction, keep the answer, free it.
 */
#include "app/idempotency.h"
#include "store/store.h"

static const char sql_claim[] =
    "INSERT INTO idempotency_keys (owner, key, request_hash, state, created_at)"
    " VALUES ($1, $2, $3, 0, $4) ON CONFLICT (owner, key) DO NOTHING";
static const char sql_get[] =
    "SELECT request_hash, state, status, content_type, body, created_at FROM idempotency_keys"
    " WHERE owner = $1 AND key = $2";
static const char sql_carried_out[] =
    "UPDATE idempotency_keys SET state = 1 WHERE owner = $1 AND key = $2 AND state = 0";
static const char sql_answer[] =
    "UPDATE idempotency_keys SET state = 2, status = $3, content_type = $4, body = $5"
    " WHERE owner = $1 AND key = $2";
static const char sql_free[] =
    "DELETE FROM idempotency_keys WHERE owner = $1 AND key = $2 AND state = 0";
static const char sql_expire[] =
    "DELETE FROM idempotency_keys WHERE owner = $1 AND created_at < $2";

int idem_claim(struct store_conn *c, int64_t owner, const char *key, const char *hash, int64_t now,
               bool *claimed)
{
    struct store_val p[] = {SV_INT(owner), SV_TEXT(key), SV_TEXT(hash), SV_INT(now)};
    struct store_val e[] = {SV_INT(owner), SV_INT(now - IDEM_KEEP_S)};
    int rc = store_exec(c, sql_expire, e, 2, NULL);
    int64_t n = 0;
    if (!rc)
        rc = store_exec(c, sql_claim, p, 4, &n);
    *claimed = n == 1;
    return rc;
}

int idem_get(struct store_conn *c, struct arena *a, int64_t owner, const char *key,
             struct idem_entry *out)
{
    struct store_val p[] = {SV_INT(owner), SV_TEXT(key)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_get, p, 2, &rows);
    if (rc)
        return rc;
    if (!rows.nrows)
        return STORE_NOT_FOUND;
    out->request_hash = store_text(&rows, 0, 0);
    out->state = (int)store_int(&rows, 0, 1);
    out->status = (int)store_int(&rows, 0, 2);
    out->content_type = store_text(&rows, 0, 3);
    out->body = store_text(&rows, 0, 4);
    out->created_at = store_int(&rows, 0, 5);
    return STORE_OK;
}

int idem_mark_carried_out(struct store_conn *c, int64_t owner, const char *key)
{
    struct store_val p[] = {SV_INT(owner), SV_TEXT(key)};
    return store_exec(c, sql_carried_out, p, 2, NULL);
}

int idem_keep_answer(struct store_conn *c, int64_t owner, const char *key, int status,
                     const char *content_type, const char *body)
{
    struct store_val p[] = {SV_INT(owner), SV_TEXT(key), SV_INT(status),
                            SV_TEXT_OR_NULL(content_type), SV_TEXT_OR_NULL(body)};
    return store_exec(c, sql_answer, p, 5, NULL);
}

int idem_free(struct store_conn *c, int64_t owner, const char *key)
{
    struct store_val p[] = {SV_INT(owner), SV_TEXT(key)};
    return store_exec(c, sql_free, p, 2, NULL);
}
