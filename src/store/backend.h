/*
 * backend.h - what a storage engine implements for store.c. Private to
 * src/store/: modules only see store.h.
 *
 * The first block is what every engine provides. The hooks after it are
 * optional: an engine that needs none of them (SQLite) leaves them NULL
 * and store.c does the plain thing.
 */
#ifndef WH_STORE_BACKEND_H
#define WH_STORE_BACKEND_H

#include "store/store.h"

struct store_backend {
    const char *dialect;
    /* Open the engine's shared state from a URL; NULL + err on failure. */
    void *(*open)(const char *url, char *err, size_t errlen);
    void (*close)(void *engine);
    /* A new connection, or NULL (logged). */
    void *(*conn_open)(void *engine);
    void (*conn_close)(void *conn);
    int (*query)(void *conn, struct arena *a, const char *sql, const struct store_val *params,
                 size_t nparams, struct store_rows *out, int64_t *changes);
    /* Several statements without parameters (migrations). */
    int (*exec_script)(void *conn, const char *sql);
    const char *begin_sql;

    /* ---- optional hooks (NULL: not needed) ---- */

    /* The most connections the pool may hold at once; 0 = no limit. When
     * all are in use, store_acquire waits briefly, then gives up. */
    size_t (*pool_limit)(void *engine);
    /* Called by store_release before the connection goes back to the
     * pool: a transaction left open is rolled back here. */
    void (*conn_released)(void *conn);
    /* End the transaction store_begin started: commit (true) or roll
     * back. NULL: "COMMIT" / "ROLLBACK" through exec_script. Either way,
     * ending a transaction that is not open is an error. */
    int (*finish)(void *conn, bool commit);
    /* Take (true) or give back (false) the lock that lets one process at
     * a time run migrations on a database several processes share; while
     * it is held, statements have no time limit. Returns a store_rc. */
    int (*migrate_lock)(void *conn, bool take);
    /* Tell every process listening on channel (PostgreSQL NOTIFY). NULL:
     * the engine has one process only, nothing to tell. */
    int (*notify)(void *conn, const char *channel, const char *payload);
    /* Listen on channel in a thread of its own until listen_stop: cb gets
     * each payload, and NULL after the listening connection was lost and
     * made again (messages may have been missed). */
    void *(*listen_start)(void *engine, const char *channel,
                          void (*cb)(void *ctx, const char *payload), void *ctx);
    void (*listen_stop)(void *listener);
    /* A consistent copy of the database in a new file, taken online.
     * NULL: the engine has its own tools (pg_dump). Returns a store_rc. */
    int (*backup)(void *conn, const char *dest);
    /* Leave no old copies of erased data in the engine's files. */
    int (*scrub)(void *conn);
    /* Run sql and hand its rows to fn in batches as they are read (see
     * store_query_each). NULL: the engine has no such reading. */
    int (*query_each)(void *conn, const char *sql, const struct store_val *params, size_t nparams,
                      int (*fn)(void *ctx, const struct store_rows *rows), void *ctx);
    /* store_bulk: skip (true) or apply again (false) the checks the
     * caller of a bulk write made itself. NULL: the engine checks. */
    int (*bulk)(void *conn, bool on);
    /* store_insert: run a one-row INSERT ... RETURNING id its own way.
     * NULL: through query, reading the returned row. */
    int (*insert)(void *conn, const char *sql, const struct store_val *params, size_t nparams,
                  int64_t *id);
};

extern const struct store_backend store_backend_sqlite;
extern const struct store_backend store_backend_pg;

struct store_migration {
    int version;
    const char *name;
    const char *sql;
};

/* Generated at build time from db/migrations/ (see tools/embed.c). */
extern const struct store_migration store_migrations[];
extern const size_t store_migration_count;

#endif
