/*
 * backend.h - what a storage engine implements for store.c. Private to
 * src/store/: modules only see store.h.
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
    int (*query)(void *conn, struct arena *a, const char *sql,
                 const struct store_val *params, size_t nparams,
                 struct store_rows *out, int64_t *changes);
    /* Several statements without parameters (migrations). */
    int (*exec_script)(void *conn, const char *sql);
    const char *begin_sql;
};

extern const struct store_backend store_backend_sqlite;

struct store_migration {
    int version;
    const char *name;
    const char *sql;
};

/* Generated at build time from db/migrations/ (see tools/embed.c). */
extern const struct store_migration store_migrations[];
extern const size_t store_migration_count;

#endif
