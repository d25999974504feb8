/*
 * store.h - the one small interface between feature modules and the
 * database. Modules write portable SQL (numbered $1..$N parameters,
 * integer ids, integer Unix-second times, 0/1 booleans) as named constants
 * in their *_store.c and run it through these calls; which engine answers
 * (SQLite now, PostgreSQL later) is the backend's business.
 *
 * Results are copied into the caller's arena, so nobody keeps a pointer
 * into engine memory. Engine error codes are translated inside the backend
 * into the small vocabulary of enum store_rc; store_rc_http() maps that to
 * an HTTP status in one place.
 *
 * Connections: store_acquire() hands the calling thread a connection
 * (SQLite: one per worker thread, prepared statements cached on it);
 * store_release() gives it back. A connection is used by one thread at a
 * time.
 */
#ifndef WH_STORE_STORE_H
#define WH_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"

enum store_rc {
    STORE_OK = 0,
    STORE_NOT_FOUND = 1, /* no row where one was expected */
    STORE_CONFLICT = 2,  /* unique, foreign key or check constraint */
    STORE_BUSY = 3,      /* locked or overloaded: retry later */
    STORE_ERROR = 4,     /* anything else; logged by the backend */
};

enum store_type { STORE_NULL = 0, STORE_INT, STORE_REAL, STORE_TEXT };

struct store_val {
    enum store_type type;
    int64_t i;
    double d;
    const char *s;
};

#define SV_NULL ((struct store_val){.type = STORE_NULL})
#define SV_INT(x) ((struct store_val){.type = STORE_INT, .i = (int64_t)(x)})
#define SV_REAL(x) ((struct store_val){.type = STORE_REAL, .d = (double)(x)})
#define SV_TEXT(x) ((struct store_val){.type = STORE_TEXT, .s = (x)})
/* Text or NULL when x is NULL. */
#define SV_TEXT_OR_NULL(x) ((x) ? SV_TEXT(x) : SV_NULL)

struct store_rows {
    size_t nrows;
    size_t ncols;
    struct store_val *cells; /* row-major, nrows * ncols */
};

static inline const struct store_val *store_cell(const struct store_rows *r, size_t row, size_t col)
{
    return &r->cells[row * r->ncols + col];
}
/* Cell as int64 (0 for NULL), double, or text (NULL for NULL). */
int64_t store_int(const struct store_rows *r, size_t row, size_t col);
double store_real(const struct store_rows *r, size_t row, size_t col);
const char *store_text(const struct store_rows *r, size_t row, size_t col);
bool store_is_null(const struct store_rows *r, size_t row, size_t col);

struct store;
struct store_conn;

/* Open a store: a file path or "sqlite:PATH" selects SQLite. On failure
 * returns NULL with a message in err. */
struct store *store_open(const char *url, char *err, size_t errlen);
/* Close every connection and the store. No request may be running. */
void store_close(struct store *s);
const char *store_dialect(const struct store *s);           /* "sqlite" | "pg" */
const char *store_conn_dialect(const struct store_conn *c); /* its store's */

/* Apply the embedded migrations not yet recorded, in order, each in its
 * own transaction. Returns STORE_OK or an error (logged). */
int store_migrate(struct store *s);
/* The highest applied migration version, or -1. */
int store_schema_version(struct store *s);

struct store_conn *store_acquire(struct store *s);
void store_release(struct store_conn *c);

/* Run sql with params; rows (if any) copied into a. out may be NULL. */
int store_query(struct store_conn *c, struct arena *a, const char *sql,
                const struct store_val *params, size_t nparams, struct store_rows *out);
/* Run sql and hand its rows to fn in batches as they are read, so a
 * whole table can be read without holding it: each batch (and its text)
 * lives only until fn returns; fn returns 0 to go on, anything else
 * stops the reading and is returned. STORE_OK or an error otherwise.
 * Only where store_can_stream() says so (SQLite): elsewhere
 * STORE_ERROR, and the caller reads in pages with store_query. */
bool store_can_stream(const struct store_conn *c);
int store_query_each(struct store_conn *c, const char *sql, const struct store_val *params,
                     size_t nparams, int (*fn)(void *ctx, const struct store_rows *rows),
                     void *ctx);
/* Run sql that returns no rows; *changes gets the affected-row count. */
int store_exec(struct store_conn *c, const char *sql, const struct store_val *params,
               size_t nparams, int64_t *changes);
/* Run sql, a one-row "INSERT ... RETURNING id" (ending with exactly that)
 * into a table whose id is its integer primary key, and give the new id.
 * STORE_NOT_FOUND when no row was inserted. SQLite runs it without the
 * RETURNING clause and reads the last rowid: there the clause costs a
 * temporary table per statement (a fifth of an import's work). */
#define STORE_RETURNING_ID " RETURNING id"
int store_insert(struct store_conn *c, const char *sql, const struct store_val *params,
                 size_t nparams, int64_t *id);
/* Call with on = true before store_begin when the transaction writes many
 * rows the caller has checked itself (an import): every CHECK constraint
 * of the tables written, and every foreign key, its ids read inside the
 * same transaction; and with on = false after its commit or rollback.
 * SQLite skips those checks meanwhile (a CHECK with an IN list builds a
 * temporary table for each row, a foreign key opens a cursor for each
 * row: a quarter of an import's work); NOT NULL and UNIQUE still hold.
 * A connection given back to the pool checks again. PostgreSQL checks as
 * always. */
int store_bulk(struct store_conn *c, bool on);
/* Transactions. store_begin starts a write transaction. */
int store_begin(struct store_conn *c);
int store_commit(struct store_conn *c);
int store_rollback(struct store_conn *c);
/* Run fn(c, ctx) in a write transaction: begin, fn, commit. When fn
 * returns anything but STORE_OK the transaction is rolled back and that
 * is returned. When the store is busy before the commit (a lock, a
 * serialization failure, a deadlock), the whole transaction is tried
 * again, up to STORE_TX_TRIES times with a short pause; fn must therefore
 * do nothing but store calls (and arena allocations) that can be
 * repeated. A failed commit is never retried: it may have committed. */
#define STORE_TX_TRIES 4
int store_tx(struct store_conn *c, int (*fn)(struct store_conn *c, void *ctx), void *ctx);
/* Ping: a trivial query. */
int store_ping(struct store_conn *c);

/* After erasing personal data: make sure no copy of the old bytes is left
 * in the engine's files (SQLite: checkpoint and truncate the WAL; freed
 * pages are already zeroed by secure_delete). A no-op elsewhere. */
int store_scrub(struct store_conn *c);

/* Copy the database, online, into a new file dest (SQLite); -1 with a
 * message in err when the engine has its own tools or the copy fails. */
int store_backup(struct store *s, const char *dest, char *err, size_t errlen);

/* ---- several processes on one store ---------------------------------- */

/* Do other processes share this store (PostgreSQL)? */
bool store_is_shared(const struct store *s);
/* Tell the processes listening on channel; a no-op on SQLite. Send it
 * after the commit of what it announces. */
int store_notify(struct store_conn *c, const char *channel, const char *payload);
struct store_listener;
/* Call cb(ctx, payload) from a thread of the store's for every message on
 * channel, and cb(ctx, NULL) when the listening connection was lost and
 * made again (messages may have been missed: resynchronise). NULL when
 * the store has no other processes to hear from. */
struct store_listener *store_listen(struct store *s, const char *channel,
                                    void (*cb)(void *ctx, const char *payload), void *ctx);
void store_listener_stop(struct store_listener *l);

/* The HTTP status for a store result: 404, 409, 503 or 500. */
int store_rc_http(int rc);

#endif
