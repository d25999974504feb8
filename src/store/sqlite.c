/*
 * sqlite.c - the SQLite backend of the store (see backend.h).
 *
 * Each connection runs in WAL mode with foreign keys on and a busy
 * timeout, and keeps its prepared statements in a small cache keyed by the
 * SQL text's address (modules pass named constants, so the address is
 * stable; the text is compared too, to be safe). Parameters are written
 * $1..$N as PostgreSQL wants; SQLite numbers such parameters by first
 * appearance, so they are bound by name through the index of "$k".
 *
 * SQLite result codes are translated to enum store_rc here and nowhere
 * else.
 */
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/log.h"
#include "store/backend.h"

#define SQLITE_CACHE_SLOTS 256
#define SQLITE_MAX_PARAMS 64
#define SQLITE_BUSY_MS 5000

struct sqlite_engine {
    char *path;
};

struct cached_stmt {
    const char *key;
    sqlite3_stmt *stmt;
    int nmap;
    int map[SQLITE_MAX_PARAMS + 1]; /* $k -> bind index, 0 if unused */
};

struct sqlite_conn {
    sqlite3 *db;
    bool bulk; /* store_bulk: CHECK constraints and foreign keys skipped */
    struct cached_stmt cache[SQLITE_CACHE_SLOTS];
};

static int translate(sqlite3 *db, int rc)
{
    switch (rc & 0xff) {
    case SQLITE_OK:
    case SQLITE_DONE:
    case SQLITE_ROW:
        return STORE_OK;
    case SQLITE_CONSTRAINT:
        return STORE_CONFLICT;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return STORE_BUSY;
    case SQLITE_NOTFOUND:
        return STORE_NOT_FOUND;
    default:
        log_error("sqlite: %s (%d)", db ? sqlite3_errmsg(db) : "?", rc);
        return STORE_ERROR;
    }
}

static void *engine_open(const char *url, char *err, size_t errlen)
{
    if (!*url) {
        snprintf(err, errlen, "empty database path");
        return NULL;
    }
    if (sqlite3_threadsafe() == 0) {
        snprintf(err, errlen, "SQLite was built without thread support");
        return NULL;
    }
    /* No memory statistics: they take a global mutex on every allocation
     * SQLite makes (a tenth of an import's time went to that lock). It
     * fails harmlessly when SQLite is already initialized. */
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    struct sqlite_engine *e = calloc(1, sizeof(*e));
    if (!e || !(e->path = strdup(url)))
        die_oom();
    return e;
}

static void engine_close(void *engine)
{
    struct sqlite_engine *e = engine;
    free(e->path);
    free(e);
}

static void *conn_open(void *engine)
{
    struct sqlite_engine *e = engine;
    struct sqlite_conn *c = calloc(1, sizeof(*c));
    if (!c)
        die_oom();
    int rc = sqlite3_open_v2(
        e->path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        log_error("sqlite: cannot open %s: %s", e->path,
                  c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
        sqlite3_close(c->db);
        free(c);
        return NULL;
    }
    sqlite3_busy_timeout(c->db, SQLITE_BUSY_MS);
    sqlite3_extended_result_codes(c->db, 1);
    char *msg = NULL;
    rc = sqlite3_exec(c->db,
                      "PRAGMA journal_mode=WAL;"
                      "PRAGMA synchronous=NORMAL;"
                      "PRAGMA foreign_keys=ON;"
                      /* deleted content is overwritten, so erased
                       * personal data does not linger in free pages */
                      "PRAGMA secure_delete=ON;",
                      NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        log_error("sqlite: cannot configure %s: %s", e->path, msg ? msg : "");
        sqlite3_free(msg);
        sqlite3_close(c->db);
        free(c);
        return NULL;
    }
    return c;
}

static void conn_close(void *conn)
{
    struct sqlite_conn *c = conn;
    for (int i = 0; i < SQLITE_CACHE_SLOTS; i++)
        sqlite3_finalize(c->cache[i].stmt);
    sqlite3_close(c->db);
    free(c);
}

/* Find or prepare the statement for the first len bytes of sql; when it
 * cannot be cached it is prepared into tmp, which the caller finalizes. */
static struct cached_stmt *prepare(struct sqlite_conn *c, const char *sql, size_t len,
                                   struct cached_stmt *tmp, int *rc_out)
{
    size_t h = ((size_t)(uintptr_t)sql >> 3) % SQLITE_CACHE_SLOTS;
    for (int probe = 0; probe < 8; probe++) {
        struct cached_stmt *cs = &c->cache[(h + (size_t)probe) % SQLITE_CACHE_SLOTS];
        if (cs->key == sql) {
            const char *text = sqlite3_sql(cs->stmt);
            if (strncmp(text, sql, len) == 0 && text[len] == '\0') {
                *rc_out = SQLITE_OK;
                return cs;
            }
        }
    }
    struct cached_stmt *slot = NULL;
    for (int probe = 0; probe < 8 && !slot; probe++) {
        struct cached_stmt *cs = &c->cache[(h + (size_t)probe) % SQLITE_CACHE_SLOTS];
        if (!cs->key)
            slot = cs;
    }
    if (!slot) {
        slot = tmp;
        memset(tmp, 0, sizeof(*tmp));
    }
    sqlite3_stmt *stmt = NULL;
    int rc = sqlite3_prepare_v3(c->db, sql, (int)len, slot == tmp ? 0 : SQLITE_PREPARE_PERSISTENT,
                                &stmt, NULL);
    *rc_out = rc;
    if (rc != SQLITE_OK)
        return NULL;
    slot->stmt = stmt;
    slot->key = slot == tmp ? NULL : sql;
    int n = sqlite3_bind_parameter_count(stmt);
    slot->nmap = 0;
    for (int k = 1; k <= SQLITE_MAX_PARAMS; k++) {
        char name[8];
        snprintf(name, sizeof name, "$%d", k);
        slot->map[k] = sqlite3_bind_parameter_index(stmt, name);
        if (slot->map[k])
            slot->nmap = k;
    }
    (void)n;
    return slot;
}

static int bind_all(struct cached_stmt *cs, const struct store_val *params, size_t nparams)
{
    sqlite3_stmt *st = cs->stmt;
    for (size_t k = 1; k <= nparams && k <= SQLITE_MAX_PARAMS; k++) {
        int idx = cs->map[k];
        if (!idx)
            continue;
        const struct store_val *v = &params[k - 1];
        int rc;
        switch (v->type) {
        case STORE_INT:
            rc = sqlite3_bind_int64(st, idx, v->i);
            break;
        case STORE_REAL:
            rc = sqlite3_bind_double(st, idx, v->d);
            break;
        case STORE_TEXT:
            rc = sqlite3_bind_text(st, idx, v->s, -1, SQLITE_STATIC);
            break;
        default:
            rc = sqlite3_bind_null(st, idx);
        }
        if (rc != SQLITE_OK)
            return rc;
    }
    return SQLITE_OK;
}

struct row_chunk {
    struct store_val *cells;
    size_t n;
    struct row_chunk *next;
};

/* The statement's current row into row[0..ncols), its text copied into a. */
static void copy_row(sqlite3_stmt *st, struct arena *a, struct store_val *row, size_t ncols)
{
    for (size_t i = 0; i < ncols; i++) {
        int t = sqlite3_column_type(st, (int)i);
        switch (t) {
        case SQLITE_INTEGER:
            row[i] = SV_INT(sqlite3_column_int64(st, (int)i));
            break;
        case SQLITE_FLOAT:
            row[i] = SV_REAL(sqlite3_column_double(st, (int)i));
            break;
        case SQLITE_NULL:
            row[i] = SV_NULL;
            break;
        default: {
            const unsigned char *txt = sqlite3_column_text(st, (int)i);
            int len = sqlite3_column_bytes(st, (int)i);
            row[i] = SV_TEXT(arena_strndup(a, txt ? (const char *)txt : "", (size_t)len));
        }
        }
    }
}

/* The statement for the first len bytes of sql (cached, or tmp), its
 * parameters bound: NULL with
 * an SQLite code in *rc, or with *rc set when binding failed (then the
 * statement is returned for end_stmt). */
static struct cached_stmt *start_stmt(struct sqlite_conn *c, const char *sql, size_t len,
                                      const struct store_val *params, size_t nparams,
                                      struct cached_stmt *tmp, int *rc)
{
    struct cached_stmt *cs = prepare(c, sql, len, tmp, rc);
    if (!cs)
        return NULL;
    if ((size_t)cs->nmap > nparams) {
        log_error("sqlite: statement wants $%d, got %zu params", cs->nmap, nparams);
        *rc = SQLITE_MISUSE;
        return cs;
    }
    *rc = bind_all(cs, params, nparams);
    return cs;
}

static void end_stmt(struct cached_stmt *cs, struct cached_stmt *tmp)
{
    sqlite3_reset(cs->stmt);
    sqlite3_clear_bindings(cs->stmt);
    if (cs == tmp)
        sqlite3_finalize(tmp->stmt);
}

/* Rows handed to query_each's fn at a time. */
#define EACH_BATCH 1024

static int conn_query_each(void *conn, const char *sql, const struct store_val *params,
                           size_t nparams, int (*fn)(void *ctx, const struct store_rows *rows),
                           void *ctx)
{
    struct sqlite_conn *c = conn;
    struct cached_stmt tmp;
    int rc;
    struct cached_stmt *cs = start_stmt(c, sql, strlen(sql), params, nparams, &tmp, &rc);
    if (!cs)
        return translate(c->db, rc);
    int stopped = 0;
    if (rc == SQLITE_OK) {
        size_t ncols = (size_t)sqlite3_column_count(cs->stmt);
        struct store_val *cells = malloc(EACH_BATCH * (ncols ? ncols : 1) * sizeof(*cells));
        if (!cells)
            die_oom();
        struct store_rows batch = {0, ncols, cells};
        struct arena a;
        arena_init(&a);
        while (!stopped && (rc = sqlite3_step(cs->stmt)) == SQLITE_ROW) {
            copy_row(cs->stmt, &a, &cells[batch.nrows * ncols], ncols);
            if (++batch.nrows == EACH_BATCH) {
                stopped = fn(ctx, &batch);
                batch.nrows = 0;
                arena_release(&a);
                arena_init(&a);
            }
        }
        if (rc == SQLITE_DONE) {
            rc = SQLITE_OK;
            if (batch.nrows)
                stopped = fn(ctx, &batch);
        }
        arena_release(&a);
        free(cells);
    }
    int result = translate(c->db, rc);
    end_stmt(cs, &tmp);
    return stopped ? stopped : result;
}

static int conn_query(void *conn, struct arena *a, const char *sql, const struct store_val *params,
                      size_t nparams, struct store_rows *out, int64_t *changes)
{
    struct sqlite_conn *c = conn;
    struct cached_stmt tmp;
    int rc;
    memset(out, 0, sizeof(*out));
    struct cached_stmt *cs = start_stmt(c, sql, strlen(sql), params, nparams, &tmp, &rc);
    if (!cs)
        return translate(c->db, rc);
    if (rc != SQLITE_OK)
        goto done;
    size_t ncols = (size_t)sqlite3_column_count(cs->stmt);
    out->ncols = ncols;
    size_t cap = 0;
    struct store_val *cells = NULL;
    while ((rc = sqlite3_step(cs->stmt)) == SQLITE_ROW) {
        /* The cells grow in one heap buffer the arena frees (realloc
         * moves big ones by remapping): no zeroing, no copy per doubling
         * (a cache's load reads pages of thousands of rows). */
        if (out->nrows == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            size_t per = ncols ? ncols : 1;
            if (ncap > SIZE_MAX / per / sizeof(*cells))
                die_oom();
            struct store_val *nc = realloc(cells, ncap * per * sizeof(*nc));
            if (!nc)
                die_oom();
            cells = nc;
            cap = ncap;
        }
        copy_row(cs->stmt, a, &cells[out->nrows * ncols], ncols);
        out->nrows++;
    }
    if (cells)
        arena_defer(a, free, cells);
    out->cells = cells;
    if (rc == SQLITE_DONE) {
        rc = SQLITE_OK;
        if (changes)
            *changes = sqlite3_changes64(c->db);
    }
done:;
    int result = translate(c->db, rc);
    end_stmt(cs, &tmp);
    return result;
}

/* store_insert: the statement without its RETURNING clause, and the
 * last rowid, which is the id (the clause would have SQLite fill and empty
 * a temporary table for the one row). */
static int conn_insert(void *conn, const char *sql, const struct store_val *params, size_t nparams,
                       int64_t *id)
{
    struct sqlite_conn *c = conn;
    size_t len = strlen(sql), tail = strlen(STORE_RETURNING_ID);
    if (len < tail || strcmp(sql + len - tail, STORE_RETURNING_ID) != 0) {
        log_error("sqlite: store_insert wants \"... RETURNING id\": %s", sql);
        return STORE_ERROR;
    }
    struct cached_stmt tmp;
    int rc;
    struct cached_stmt *cs = start_stmt(c, sql, len - tail, params, nparams, &tmp, &rc);
    if (!cs)
        return translate(c->db, rc);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(cs->stmt);
    int result;
    if (rc == SQLITE_DONE) {
        result = sqlite3_changes64(c->db) == 1 ? STORE_OK : STORE_NOT_FOUND;
        *id = sqlite3_last_insert_rowid(c->db);
    } else {
        result = translate(c->db, rc == SQLITE_ROW ? SQLITE_MISUSE : rc);
    }
    end_stmt(cs, &tmp);
    return result;
}

/* store_bulk. Both pragmas expire the prepared statements, which are
 * prepared again (with or without the checks) when next used; foreign_keys
 * cannot change inside a transaction, so turning it off there is refused. */
static int conn_bulk(void *conn, bool on)
{
    struct sqlite_conn *c = conn;
    if (on && !sqlite3_get_autocommit(c->db)) {
        log_error("sqlite: store_bulk inside a transaction");
        return STORE_ERROR;
    }
    int rc = sqlite3_exec(c->db,
                          on ? "PRAGMA foreign_keys = OFF; PRAGMA ignore_check_constraints = ON"
                             : "PRAGMA foreign_keys = ON; PRAGMA ignore_check_constraints = OFF",
                          NULL, NULL, NULL);
    if (rc == SQLITE_OK)
        c->bulk = on;
    return translate(c->db, rc);
}

/* A connection goes back to the pool checking everything (a bulk write's
 * transaction left open is rolled back first: the checks cannot come back
 * inside it). */
static void conn_released(void *conn)
{
    struct sqlite_conn *c = conn;
    if (!c->bulk)
        return;
    if (!sqlite3_get_autocommit(c->db))
        sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
    conn_bulk(c, false);
}

static int conn_exec_script(void *conn, const char *sql)
{
    struct sqlite_conn *c = conn;
    char *msg = NULL;
    int rc = sqlite3_exec(c->db, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK && msg)
        log_error("sqlite: %s", msg);
    sqlite3_free(msg);
    return translate(c->db, rc);
}

/* SQLite's online backup: copies pages while other connections keep
 * working (a few hundred pages a step, yielding the lock between steps). */
static int conn_backup(void *conn, const char *dest)
{
    struct sqlite_conn *c = conn;
    sqlite3 *out = NULL;
    int rc = sqlite3_open_v2(dest, &out, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (rc != SQLITE_OK) {
        log_error("sqlite: cannot create %s: %s", dest,
                  out ? sqlite3_errmsg(out) : sqlite3_errstr(rc));
        sqlite3_close(out);
        return STORE_ERROR;
    }
    sqlite3_backup *b = sqlite3_backup_init(out, "main", c->db, "main");
    if (!b) {
        log_error("sqlite: backup: %s", sqlite3_errmsg(out));
        sqlite3_close(out);
        return STORE_ERROR;
    }
    do {
        rc = sqlite3_backup_step(b, 256);
        if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
            sqlite3_sleep(20);
    } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
    sqlite3_backup_finish(b);
    int result = rc == SQLITE_DONE ? STORE_OK : translate(out, rc);
    sqlite3_close(out);
    return result;
}

/* Copy the WAL into the database and truncate it to nothing, so that
 * erased data does not linger there. A reader still on an older snapshot
 * (or a writer) makes the checkpoint give up with SQLITE_BUSY; it is tried
 * again, with a short busy wait and a short sleep between tries, until it
 * succeeds or SCRUB_TOTAL_MS have passed. */
#define SCRUB_TOTAL_MS 10000
#define SCRUB_ATTEMPT_MS 250
#define SCRUB_SLEEP_MS 50

static bool busy(int rc)
{
    return (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED;
}

static int conn_scrub(void *conn)
{
    struct sqlite_conn *c = conn;
    int64_t deadline = clock_mono_us() + (int64_t)SCRUB_TOTAL_MS * 1000;
    int rc;
    sqlite3_busy_timeout(c->db, SCRUB_ATTEMPT_MS);
    for (;;) {
        int log = 0, ckpt = 0;
        rc = sqlite3_wal_checkpoint_v2(c->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, &log, &ckpt);
        if (!busy(rc) || clock_mono_us() >= deadline)
            break;
        sqlite3_sleep(SCRUB_SLEEP_MS);
    }
    sqlite3_busy_timeout(c->db, SQLITE_BUSY_MS);
    if (busy(rc))
        log_warn("sqlite: the WAL could not be emptied within %d ms: another connection "
                 "kept reading",
                 SCRUB_TOTAL_MS);
    return translate(c->db, rc);
}

const struct store_backend store_backend_sqlite = {
    .dialect = "sqlite",
    .open = engine_open,
    .close = engine_close,
    .conn_open = conn_open,
    .conn_close = conn_close,
    .query = conn_query,
    .exec_script = conn_exec_script,
    .begin_sql = "BEGIN IMMEDIATE",
    .backup = conn_backup,
    .scrub = conn_scrub,
    .query_each = conn_query_each,
    .insert = conn_insert,
    .bulk = conn_bulk,
    .conn_released = conn_released,
};
