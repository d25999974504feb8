/*
 * pg.c - the PostgreSQL backend of the store (see backend.h), on libpq.
 *
 * The engine keeps the conninfo URL (postgres://user@host:port/db, as
 * libpq reads it; it may hold a password, so it is never logged or
 * echoed: messages name user@host:port/db). Each connection sets
 * statement_timeout (WARMHARBOR_PG_STATEMENT_TIMEOUT_MS, default 5000) and
 * the UTC time zone when it connects, and keeps its prepared statements in
 * a small cache keyed by the SQL text's address ("s1", "s2", ... on the
 * server; the text is compared too, as in sqlite.c). Parameters go as
 * text with no declared types, so the server infers them from the
 * statement; results are converted by column type.
 *
 * Broken connections: before each statement an idle connection reads what
 * the server may have sent (a FATAL and end of file after a restart or
 * pg_terminate_backend) and a broken one is reconnected with PQreset, at
 * most once per PG_RETRY_MS. A statement that cannot run because the
 * server is gone returns STORE_BUSY (the HTTP layer answers 503 with
 * Retry-After). A connection that breaks inside a transaction, or while
 * holding the migration lock, is not silently reconnected: its statements
 * return STORE_BUSY until the caller ends the transaction.
 *
 * Unlike SQLite, an error inside a transaction aborts it: later
 * statements fail (STORE_ERROR) and store_commit returns the first
 * failure's result after rolling back.
 *
 * SQLSTATEs are translated to enum store_rc in sqlstate_rc() and nowhere
 * else.
 */
#include <libpq-fe.h>
#include <math.h>
#include <poll.h>
#include <stdatomic.h>
#include <pthread.h>
#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/log.h"
#include "store/backend.h"

#define PG_CACHE_SLOTS 256
#define PG_CACHE_PROBES 8
#define PG_RETRY_MS 1000
#define PG_DEFAULT_TIMEOUT_MS 5000
#define PG_MIN_POOL 16
/* pg_advisory_lock key for migrations: "warmharb" as a big-endian int64. */
#define PG_MIGRATE_LOCK_KEY "8602282577482576482"
/* How much of a statement an error message quotes. */
#define PG_LOG_SQL_CHARS 160

/* Type OIDs (catalog/pg_type.dat): stable across server versions. */
#define PG_OID_BOOL 16
#define PG_OID_INT8 20
#define PG_OID_INT2 21
#define PG_OID_INT4 23
#define PG_OID_OID 26
#define PG_OID_FLOAT4 700
#define PG_OID_FLOAT8 701
#define PG_OID_NUMERIC 1700

struct pg_engine {
    char *url;   /* secret: may hold a password */
    char *where; /* user@host:port/db, for messages */
    int statement_timeout_ms;
    size_t pool_limit;
    _Atomic int64_t retry_at; /* no new connection before this (ms) */
};

struct pg_stmt {
    const char *key; /* the SQL constant's address; NULL = free slot */
    char *text;      /* a copy, to notice a buffer that now holds other SQL */
    int nparams;     /* what the server says the statement takes */
    char name[16];   /* "s17"; "" for the unnamed statement */
};

struct pg_conn {
    struct pg_engine *engine;
    PGconn *pg;
    bool tx_open;     /* a transaction was open at the last look */
    int tx_rc;        /* the first failure inside that transaction */
    bool holds_lock;  /* the session holds the migration lock */
    bool ended;       /* the server said FATAL while we were idle */
    int64_t retry_at; /* no reconnect attempt before this (ms) */
    unsigned next_name;
    struct pg_stmt cache[PG_CACHE_SLOTS];
};

/* ---- small helpers ------------------------------------------------- */

/* libpq's messages span lines ("...failed: refused\n\tIs the server
 * running..."): one line of at most cap-1 bytes into dst. */
static const char *one_line(char *dst, size_t cap, const char *msg)
{
    size_t n = 0;
    bool space = false;
    for (const char *p = msg ? msg : ""; *p && n + 1 < cap; p++) {
        if (*p == '\n' || *p == '\t' || *p == '\r' || *p == ' ') {
            space = n > 0;
            continue;
        }
        if (space && n + 2 < cap)
            dst[n++] = ' ';
        space = false;
        dst[n++] = *p;
    }
    dst[n] = '\0';
    return dst;
}

/* A whole number from the environment in [lo, hi], else dflt (warned
 * about when set but wrong). */
static long env_long(const char *name, long dflt, long lo, long hi)
{
    const char *v = getenv(name);
    if (!v || !*v)
        return dflt;
    char *end;
    long n = strtol(v, &end, 10);
    if (*end || n < lo || n > hi) {
        log_warn("ignoring %s: not a whole number from %ld to %ld", name, lo, hi);
        return dflt;
    }
    return n;
}

/* Server notices (NOTICE, WARNING) into the log instead of stderr. A
 * FATAL arrives this way when the server ends an idle session (restart,
 * pg_terminate_backend): the connection is then treated as broken even
 * before its end of file is seen. arg points to the connection's
 * "ended" flag. */
static void notice_receiver(void *arg, const PGresult *res)
{
    bool *ended = arg;
    const char *sev = PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);
    const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
    char line[256];
    one_line(line, sizeof line, msg);
    if (sev && (strcmp(sev, "FATAL") == 0 || strcmp(sev, "PANIC") == 0)) {
        *ended = true;
        log_warn("pg: the server ended the session: %s", line);
    } else if (sev && strcmp(sev, "WARNING") == 0) {
        log_warn("pg: %s", line);
    } else {
        log_debug("pg: %s: %s", sev ? sev : "notice", line);
    }
}

/* ---- results and errors -------------------------------------------- */

/*
 * The one mapping from SQLSTATE to store results. Class 23 (integrity
 * constraints) is a conflict; serialization failure, deadlock, lock not
 * available, statement timeout (query canceled), the server shutting down
 * or not yet accepting connections, too many connections and class 08
 * (connection exceptions) mean "retry later"; everything else is an error.
 */
static int sqlstate_rc(const char *state)
{
    if (!state || strlen(state) != 5)
        return STORE_ERROR;
    if (strncmp(state, "23", 2) == 0)
        return STORE_CONFLICT;
    if (strncmp(state, "08", 2) == 0)
        return STORE_BUSY;
    static const char *const busy[] = {
        "40001", /* serialization_failure */
        "40P01", /* deadlock_detected */
        "55P03", /* lock_not_available */
        "57014", /* query_canceled: statement_timeout */
        "57P01", /* admin_shutdown */
        "57P02", /* crash_shutdown */
        "57P03", /* cannot_connect_now */
        "53300", /* too_many_connections */
    };
    for (size_t i = 0; i < sizeof busy / sizeof busy[0]; i++)
        if (strcmp(state, busy[i]) == 0)
            return STORE_BUSY;
    return STORE_ERROR;
}

/*
 * The store result for res (NULL: out of memory or no connection), logged
 * unless it is OK or a conflict. A broken connection is STORE_BUSY
 * whatever the code. Logs carry the SQLSTATE, the server's primary message
 * and the start of the statement, never parameter values: for data
 * exceptions (class 22), whose messages quote the offending value, the
 * message is left out.
 */
static int translate(struct pg_conn *c, const PGresult *res, const char *sql)
{
    ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_EMPTY_QUERY)
        return STORE_OK;
    char msg[512];
    if (PQstatus(c->pg) != CONNECTION_OK) {
        log_warn("pg: connection to %s lost: %s", c->engine->where,
                 one_line(msg, sizeof msg, PQerrorMessage(c->pg)));
        return STORE_BUSY;
    }
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    int rc = sqlstate_rc(state);
    if (rc == STORE_CONFLICT)
        return rc;
    if (!state)
        one_line(msg, sizeof msg, res ? PQresultErrorMessage(res) : PQerrorMessage(c->pg));
    else if (strncmp(state, "22", 2) == 0)
        snprintf(msg, sizeof msg,
                 "data exception (message withheld: it may "
                 "quote a value)");
    else
        one_line(msg, sizeof msg, PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY));
    char text[PG_LOG_SQL_CHARS + 1];
    one_line(text, sizeof text, sql);
    if (rc == STORE_BUSY)
        log_warn("pg: %s %s in \"%s\"", state, msg, text);
    else
        log_error("pg: %s %s in \"%s\"", state ? state : "-----", msg, text);
    return rc;
}

/* After a call: remember whether a transaction is open and the first
 * failure inside it. A broken connection keeps what was known before. */
static void note_state(struct pg_conn *c, int rc)
{
    if (PQstatus(c->pg) != CONNECTION_OK)
        return;
    PGTransactionStatusType ts = PQtransactionStatus(c->pg);
    bool open = ts == PQTRANS_INTRANS || ts == PQTRANS_INERROR;
    if (!open)
        c->tx_rc = STORE_OK;
    else if (rc != STORE_OK && c->tx_rc == STORE_OK)
        c->tx_rc = rc;
    c->tx_open = open;
}

/* Run sql without parameters; the store result. */
static int simple_exec(struct pg_conn *c, const char *sql)
{
    PGresult *res = PQexec(c->pg, sql);
    int rc = translate(c, res, sql);
    PQclear(res);
    note_state(c, rc);
    return rc;
}

/* ---- connections ------------------------------------------------------ */

/* A new libpq connection (check PQstatus). Defaults first, so the URL can
 * override them; the client encoding last, so it cannot. */
static PGconn *pg_connect(const struct pg_engine *e)
{
    static const char *const keys[] = {
        "connect_timeout",  "fallback_application_name",
        "keepalives_idle",  "keepalives_interval",
        "keepalives_count", "dbname",
        "client_encoding",  NULL,
    };
    const char *const vals[] = {"5", "warmharbor", "30", "10", "3", e->url, "UTF8", NULL};
    PGconn *pg = PQconnectdbParams(keys, vals, 1);
    if (!pg)
        die_oom();
    return pg;
}

/* Session settings, after every (re)connect. Returns a store_rc.
 *
 * Statements are prepared once per connection (the cache below), and
 * PostgreSQL would switch a prepared statement to a generic plan after
 * five runs; the modules' optional filters ("$1 = 0 OR ...") and ranges
 * of parameters make generic plans guess badly (a list of 100,000 grid
 * reports went from 1 ms to 200 ms that way). Custom plans (12 and later)
 * see the values each time; the parse is still saved. */
static int session_setup(struct pg_conn *c)
{
    c->ended = false;
    PQsetNoticeReceiver(c->pg, notice_receiver, &c->ended);
    char sql[160];
    snprintf(sql, sizeof sql, "SET statement_timeout = %d; SET TIME ZONE 'UTC'%s",
             c->engine->statement_timeout_ms,
             PQserverVersion(c->pg) >= 120000 ? "; SET plan_cache_mode = force_custom_plan" : "");
    return simple_exec(c, sql);
}

static void cache_clear(struct pg_conn *c)
{
    for (int i = 0; i < PG_CACHE_SLOTS; i++) {
        free(c->cache[i].text);
        c->cache[i].text = NULL;
        c->cache[i].key = NULL;
    }
}

/* Read, without blocking, what the server sent to an idle connection: a
 * session it ended shows as a FATAL (to the notice receiver) and end of
 * file, which leaves the connection CONNECTION_BAD. */
static void read_idle_input(struct pg_conn *c)
{
    for (int i = 0; i < 4 && PQstatus(c->pg) == CONNECTION_OK; i++) {
        struct pollfd pfd = {.fd = PQsocket(c->pg), .events = POLLIN};
        if (pfd.fd < 0 || poll(&pfd, 1, 0) <= 0)
            return;
        if (!PQconsumeInput(c->pg))
            return;
        PGnotify *n;
        while ((n = PQnotifies(c->pg)) != NULL) /* parses the input */
            PQfreemem(n);
    }
}

/*
 * Make c ready for a statement. An idle connection first reads what the
 * server sent since the last call, which notices a session the server has
 * ended. A broken connection is reset unless a transaction or the
 * migration lock went with it (the caller must learn that first) or the
 * last attempt failed less than PG_RETRY_MS ago. Returns STORE_OK or
 * STORE_BUSY.
 */
static int revive(struct pg_conn *c)
{
    if (PQstatus(c->pg) == CONNECTION_OK && !c->tx_open && !c->holds_lock)
        read_idle_input(c);
    if (PQstatus(c->pg) == CONNECTION_OK && !c->ended)
        return STORE_OK;
    if (c->tx_open || c->holds_lock)
        return STORE_BUSY;
    int64_t now = clock_now_ms();
    if (now < c->retry_at)
        return STORE_BUSY;
    cache_clear(c); /* prepared statements ended with the session */
    PQreset(c->pg);
    char msg[256];
    if (PQstatus(c->pg) != CONNECTION_OK) {
        c->retry_at = now + PG_RETRY_MS;
        log_warn("pg: cannot reconnect to %s: %s", c->engine->where,
                 one_line(msg, sizeof msg, PQerrorMessage(c->pg)));
        return STORE_BUSY;
    }
    if (session_setup(c) != STORE_OK) {
        c->retry_at = now + PG_RETRY_MS;
        return STORE_BUSY;
    }
    log_info("pg: reconnected to %s", c->engine->where);
    return STORE_OK;
}

static void *conn_open(void *engine)
{
    struct pg_engine *e = engine;
    /* While the server is away, one attempt per PG_RETRY_MS, so requests
     * do not each wait for a connect to time out. */
    int64_t now = clock_now_ms();
    if (now < atomic_load(&e->retry_at))
        return NULL;
    struct pg_conn *c = calloc(1, sizeof(*c));
    if (!c)
        die_oom();
    c->engine = e;
    c->pg = pg_connect(e);
    char msg[256];
    if (PQstatus(c->pg) != CONNECTION_OK) {
        atomic_store(&e->retry_at, now + PG_RETRY_MS);
        log_warn("pg: cannot connect to %s: %s", e->where,
                 one_line(msg, sizeof msg, PQerrorMessage(c->pg)));
        PQfinish(c->pg);
        free(c);
        return NULL;
    }
    if (session_setup(c) != STORE_OK) {
        PQfinish(c->pg);
        free(c);
        return NULL;
    }
    return c;
}

static void conn_close(void *conn)
{
    struct pg_conn *c = conn;
    cache_clear(c);
    PQfinish(c->pg);
    free(c);
}

/* ---- statements -------------------------------------------------------- */

/* Drop a cached statement, on the server too (errors ignored: the name is
 * never reused, so a leftover costs only memory until reconnect). */
static void stmt_forget(struct pg_conn *c, struct pg_stmt *st)
{
    if (st->name[0] && PQstatus(c->pg) == CONNECTION_OK &&
        PQtransactionStatus(c->pg) != PQTRANS_INERROR) {
        char sql[32];
        snprintf(sql, sizeof sql, "DEALLOCATE %s", st->name);
        PQclear(PQexec(c->pg, sql));
    }
    free(st->text);
    st->text = NULL;
    st->key = NULL;
}

/*
 * The prepared statement for sql: from the cache, or prepared now and
 * cached in a free slot near its hash, or (none free) prepared as the
 * unnamed statement in *tmp. The server tells how many parameters it
 * takes. NULL on failure with *rc set (logged).
 */
static struct pg_stmt *stmt_get(struct pg_conn *c, const char *sql, struct pg_stmt *tmp, int *rc)
{
    size_t h = ((size_t)(uintptr_t)sql >> 3) % PG_CACHE_SLOTS;
    struct pg_stmt *slot = NULL;
    for (int probe = 0; probe < PG_CACHE_PROBES; probe++) {
        struct pg_stmt *st = &c->cache[(h + (size_t)probe) % PG_CACHE_SLOTS];
        if (st->key == sql) {
            if (strcmp(st->text, sql) == 0) {
                *rc = STORE_OK;
                return st;
            }
            stmt_forget(c, st); /* the buffer holds other SQL now */
        }
        if (!st->key && !slot)
            slot = st;
    }
    if (slot) {
        snprintf(slot->name, sizeof slot->name, "s%u", ++c->next_name);
    } else {
        slot = tmp;
        memset(tmp, 0, sizeof(*tmp));
    }
    PGresult *res = PQprepare(c->pg, slot->name, sql, 0, NULL);
    *rc = translate(c, res, sql);
    PQclear(res);
    if (*rc != STORE_OK)
        return NULL;
    res = PQdescribePrepared(c->pg, slot->name);
    *rc = translate(c, res, sql);
    if (*rc == STORE_OK)
        slot->nparams = PQnparams(res);
    PQclear(res);
    if (*rc != STORE_OK)
        return NULL;
    if (slot != tmp) {
        slot->text = strdup(sql);
        if (!slot->text)
            die_oom();
        slot->key = sql;
    }
    return slot;
}

/* Did executing a cached statement fail because the statement itself is
 * stale (gone from the session, or its result type changed)? */
static bool is_stale_statement(const PGresult *res)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    return state && (strcmp(state, "26000") == 0 || /* no such statement */
                     strcmp(state, "0A000") == 0);  /* cached plan changed */
}

/* A parameter as the text the server reads; NULL for NULL. */
static const char *param_text(struct arena *a, const struct store_val *v)
{
    switch (v->type) {
    case STORE_INT:
        return arena_printf(a, "%lld", (long long)v->i);
    case STORE_REAL:
        if (isnan(v->d))
            return "NaN";
        if (isinf(v->d))
            return v->d < 0 ? "-Infinity" : "Infinity";
        return arena_printf(a, "%.17g", v->d);
    case STORE_TEXT:
        return v->s;
    default:
        return NULL;
    }
}

enum pg_kind { KIND_TEXT, KIND_INT, KIND_REAL, KIND_BOOL };

static enum pg_kind kind_of(Oid type)
{
    switch (type) {
    case PG_OID_INT2:
    case PG_OID_INT4:
    case PG_OID_INT8:
    case PG_OID_OID:
        return KIND_INT;
    case PG_OID_FLOAT4:
    case PG_OID_FLOAT8:
    case PG_OID_NUMERIC:
        return KIND_REAL;
    case PG_OID_BOOL:
        return KIND_BOOL;
    default:
        return KIND_TEXT;
    }
}

/* Every row of res into out, copied into a. */
static void copy_rows(struct arena *a, const PGresult *res, struct store_rows *out)
{
    size_t nrows = (size_t)PQntuples(res);
    size_t ncols = (size_t)PQnfields(res);
    out->nrows = nrows;
    out->ncols = ncols;
    if (!nrows || !ncols)
        return;
    enum pg_kind *kinds = arena_calloc(a, ncols, sizeof(*kinds));
    for (size_t j = 0; j < ncols; j++)
        kinds[j] = kind_of(PQftype(res, (int)j));
    struct store_val *cells = arena_calloc(a, nrows, ncols * sizeof(struct store_val));
    for (size_t i = 0; i < nrows; i++) {
        for (size_t j = 0; j < ncols; j++) {
            struct store_val *v = &cells[i * ncols + j];
            if (PQgetisnull(res, (int)i, (int)j)) {
                v->type = STORE_NULL;
                continue;
            }
            const char *s = PQgetvalue(res, (int)i, (int)j);
            switch (kinds[j]) {
            case KIND_INT:
                v->type = STORE_INT;
                v->i = strtoll(s, NULL, 10);
                break;
            case KIND_BOOL:
                v->type = STORE_INT;
                v->i = s[0] == 't';
                break;
            case KIND_REAL:
                v->type = STORE_REAL;
                v->d = strtod(s, NULL);
                break;
            default:
                v->type = STORE_TEXT;
                v->s = arena_strndup(a, s, (size_t)PQgetlength(res, (int)i, (int)j));
            }
        }
    }
    out->cells = cells;
}

static int conn_query(void *conn, struct arena *a, const char *sql, const struct store_val *params,
                      size_t nparams, struct store_rows *out, int64_t *changes)
{
    struct pg_conn *c = conn;
    memset(out, 0, sizeof(*out));
    int rc = revive(c);
    if (rc != STORE_OK)
        return rc;
    struct pg_stmt tmp;
    struct pg_stmt *st = stmt_get(c, sql, &tmp, &rc);
    if (!st) {
        note_state(c, rc);
        return rc;
    }
    if ((size_t)st->nparams > nparams) {
        log_error("pg: statement wants $%d, got %zu params", st->nparams, nparams);
        return STORE_ERROR;
    }
    const char **values = NULL;
    if (st->nparams) {
        values = arena_calloc(a, (size_t)st->nparams, sizeof(*values));
        for (int k = 0; k < st->nparams; k++)
            values[k] = param_text(a, &params[k]);
    }
    PGresult *res = PQexecPrepared(c->pg, st->name, st->nparams, values, NULL, NULL, 0);
    rc = translate(c, res, sql);
    if (rc == STORE_OK) {
        if (PQresultStatus(res) == PGRES_TUPLES_OK)
            copy_rows(a, res, out);
        if (changes) {
            const char *n = PQcmdTuples(res);
            *changes = *n ? strtoll(n, NULL, 10) : 0;
        }
    } else if (st != &tmp && is_stale_statement(res)) {
        stmt_forget(c, st);
    }
    PQclear(res);
    note_state(c, rc);
    return rc;
}

static int conn_exec_script(void *conn, const char *sql)
{
    struct pg_conn *c = conn;
    int rc = revive(c);
    if (rc != STORE_OK)
        return rc;
    return simple_exec(c, sql);
}

/*
 * COMMIT or ROLLBACK. Without an open transaction: STORE_ERROR, as on
 * SQLite (PostgreSQL itself would only warn). A transaction that an error
 * aborted is rolled back and its commit returns that error's result. If
 * the server ended the session, the transaction is gone: rollback is OK,
 * commit is STORE_BUSY.
 */
static int conn_finish(void *conn, bool commit)
{
    struct pg_conn *c = conn;
    const char *verb = commit ? "COMMIT" : "ROLLBACK";
    if (!c->tx_open) {
        log_error("pg: %s without a transaction", verb);
        return STORE_ERROR;
    }
    if (PQstatus(c->pg) != CONNECTION_OK || c->ended) {
        c->tx_open = false;
        c->tx_rc = STORE_OK;
        return commit ? STORE_BUSY : STORE_OK;
    }
    int failed_rc = c->tx_rc;
    bool aborted = PQtransactionStatus(c->pg) == PQTRANS_INERROR;
    int rc = simple_exec(c, commit && !aborted ? "COMMIT" : "ROLLBACK");
    if (PQstatus(c->pg) != CONNECTION_OK) { /* ended with the session */
        c->tx_open = false;
        c->tx_rc = STORE_OK;
    }
    if (commit && aborted && rc == STORE_OK)
        return failed_rc != STORE_OK ? failed_rc : STORE_ERROR;
    return rc;
}

/* Back to the pool: a transaction left open is rolled back, so the next
 * user does not run inside it. */
static void conn_released(void *conn)
{
    struct pg_conn *c = conn;
    if (!c->tx_open)
        return;
    if (PQstatus(c->pg) == CONNECTION_OK)
        log_warn("pg: a connection came back inside a transaction; "
                 "rolling it back");
    conn_finish(c, false);
}

/*
 * The migration lock: a session advisory lock on a fixed key, so app
 * nodes starting together migrate one at a time. It is taken with no
 * statement time limit (a migration may take long, and so may waiting for
 * another node's), which is restored when it is given back.
 */
static int conn_migrate_lock(void *conn, bool take)
{
    struct pg_conn *c = conn;
    if (!take)
        c->holds_lock = false; /* gone with the session, if that broke */
    int rc = revive(c);
    if (rc != STORE_OK)
        return rc;
    if (!take) {
        rc = simple_exec(c, "SELECT pg_advisory_unlock(" PG_MIGRATE_LOCK_KEY ")");
        char sql[64];
        snprintf(sql, sizeof sql, "SET statement_timeout = %d", c->engine->statement_timeout_ms);
        int rc2 = simple_exec(c, sql);
        return rc != STORE_OK ? rc : rc2;
    }
    rc = simple_exec(c, "SET statement_timeout = 0");
    if (rc != STORE_OK)
        return rc;
    static const char sql_try[] = "SELECT pg_try_advisory_lock(" PG_MIGRATE_LOCK_KEY ")";
    PGresult *res = PQexec(c->pg, sql_try);
    rc = translate(c, res, sql_try);
    bool got = rc == STORE_OK && PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "t") == 0;
    PQclear(res);
    note_state(c, rc);
    if (rc == STORE_OK && !got) {
        log_info("pg: another process is migrating %s; waiting", c->engine->where);
        rc = simple_exec(c, "SELECT pg_advisory_lock(" PG_MIGRATE_LOCK_KEY ")");
    }
    c->holds_lock = rc == STORE_OK;
    return rc;
}

/* ---- the engine ------------------------------------------------------- */

/* 2 x the worker threads (WARMHARBOR_THREADS, else one per core, as the
 * HTTP server counts them), and at least PG_MIN_POOL. */
static size_t default_pool_limit(void)
{
    long workers = env_long("WARMHARBOR_THREADS", 0, 0, 256);
    if (workers <= 0)
        workers = sysconf(_SC_NPROCESSORS_ONLN);
    if (workers < 1)
        workers = 1;
    size_t n = 2 * (size_t)workers;
    return n < PG_MIN_POOL ? PG_MIN_POOL : n;
}

/* "user@host:port/db" from the URL's parts, with libpq's defaults for
 * those it leaves out; never the password. */
static char *describe_target(PQconninfoOption *opts)
{
    const char *user = NULL, *host = NULL, *port = NULL, *db = NULL;
    for (PQconninfoOption *o = opts; o->keyword; o++) {
        const char *v = o->val && *o->val ? o->val : NULL;
        if (strcmp(o->keyword, "user") == 0)
            user = v;
        else if (strcmp(o->keyword, "host") == 0)
            host = v;
        else if (strcmp(o->keyword, "port") == 0)
            port = v;
        else if (strcmp(o->keyword, "dbname") == 0)
            db = v;
    }
    char buf[512];
    snprintf(buf, sizeof buf, "%s%s%s:%s/%s", user ? user : "", user ? "@" : "",
             host ? host : "localhost", port ? port : "5432", db ? db : (user ? user : ""));
    char *s = strdup(buf);
    if (!s)
        die_oom();
    return s;
}

static void engine_close(void *engine)
{
    struct pg_engine *e = engine;
    free(e->url);
    free(e->where);
    free(e);
}

/* Keep the URL, read the settings, and reach the server once, so a wrong
 * URL or a server that is down fails at start with libpq's reason. */
static void *engine_open(const char *url, char *err, size_t errlen)
{
    char *perr = NULL;
    char msg[256];
    PQconninfoOption *opts = PQconninfoParse(url, &perr);
    if (!opts) {
        snprintf(err, errlen, "bad PostgreSQL URL: %s",
                 perr ? one_line(msg, sizeof msg, perr) : "out of memory");
        PQfreemem(perr);
        return NULL;
    }
    struct pg_engine *e = calloc(1, sizeof(*e));
    if (!e || !(e->url = strdup(url)))
        die_oom();
    e->where = describe_target(opts);
    PQconninfoFree(opts);
    e->statement_timeout_ms = (int)env_long("WARMHARBOR_PG_STATEMENT_TIMEOUT_MS",
                                            PG_DEFAULT_TIMEOUT_MS, 0, 24L * 3600 * 1000);
    e->pool_limit = (size_t)env_long("WARMHARBOR_PG_POOL", (long)default_pool_limit(), 1, 10000);
    PGconn *pg = pg_connect(e);
    if (PQstatus(pg) != CONNECTION_OK) {
        snprintf(err, errlen, "cannot connect to PostgreSQL at %s: %s", e->where,
                 one_line(msg, sizeof msg, PQerrorMessage(pg)));
        PQfinish(pg);
        engine_close(e);
        return NULL;
    }
    PQfinish(pg);
    log_info("pg: %s, pool of up to %zu connections, statement timeout %d ms", e->where,
             e->pool_limit, e->statement_timeout_ms);
    return e;
}

/* ---- change notifications (LISTEN/NOTIFY) ---------------------------- */

static const char sql_notify[] = "SELECT pg_notify($1, $2)";

static int conn_notify(void *conn, const char *channel, const char *payload)
{
    struct arena a;
    arena_init(&a);
    struct store_val p[] = {SV_TEXT(channel), SV_TEXT(payload)};
    struct store_rows rows;
    int rc = conn_query(conn, &a, sql_notify, p, 2, &rows, NULL);
    arena_release(&a);
    return rc;
}

struct pg_listener {
    const struct pg_engine *engine;
    char *channel;
    void (*cb)(void *ctx, const char *payload);
    void *ctx;
    pthread_t thread;
    _Atomic bool stop;
};

/* One connection that only listens: (re)connect, LISTEN, then wait for
 * notifications; after a lost connection, tell the callback (NULL) so it
 * can resynchronise, since messages sent meanwhile are gone. */
static void *listener_main(void *arg)
{
    struct pg_listener *l = arg;
    bool first = true;
    while (!atomic_load(&l->stop)) {
        PGconn *pg = pg_connect(l->engine);
        char *quoted = NULL;
        if (PQstatus(pg) == CONNECTION_OK)
            quoted = PQescapeIdentifier(pg, l->channel, strlen(l->channel));
        char sql[160];
        PGresult *res = NULL;
        if (quoted) {
            snprintf(sql, sizeof sql, "LISTEN %s", quoted);
            PQfreemem(quoted);
            res = PQexec(pg, sql);
        }
        if (!res || PQresultStatus(res) != PGRES_COMMAND_OK) {
            PQclear(res);
            PQfinish(pg);
            for (int i = 0; i < 10 && !atomic_load(&l->stop); i++) {
                struct timespec ts = {0, 100 * 1000 * 1000};
                nanosleep(&ts, NULL);
            }
            continue;
        }
        PQclear(res);
        if (!first)
            l->cb(l->ctx, NULL);
        first = false;
        while (!atomic_load(&l->stop) && PQstatus(pg) == CONNECTION_OK) {
            struct pollfd pfd = {.fd = PQsocket(pg), .events = POLLIN};
            if (poll(&pfd, 1, 200) < 0 || !(pfd.revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            if (!PQconsumeInput(pg))
                break;
            PGnotify *n;
            while ((n = PQnotifies(pg)) != NULL) {
                l->cb(l->ctx, n->extra);
                PQfreemem(n);
            }
        }
        if (!atomic_load(&l->stop))
            log_warn("pg: the change listener lost its connection; reconnecting");
        PQfinish(pg);
    }
    return NULL;
}

static void *engine_listen_start(void *engine, const char *channel,
                                 void (*cb)(void *ctx, const char *payload), void *ctx)
{
    struct pg_listener *l = calloc(1, sizeof(*l));
    if (!l || !(l->channel = strdup(channel)))
        die_oom();
    l->engine = engine;
    l->cb = cb;
    l->ctx = ctx;
    if (pthread_create(&l->thread, NULL, listener_main, l) != 0) {
        free(l->channel);
        free(l);
        return NULL;
    }
    return l;
}

static void engine_listen_stop(void *listener)
{
    struct pg_listener *l = listener;
    atomic_store(&l->stop, true);
    pthread_join(l->thread, NULL);
    free(l->channel);
    free(l);
}

static size_t engine_pool_limit(void *engine)
{
    return ((struct pg_engine *)engine)->pool_limit;
}

const struct store_backend store_backend_pg = {
    .dialect = "pg",
    .open = engine_open,
    .close = engine_close,
    .conn_open = conn_open,
    .conn_close = conn_close,
    .query = conn_query,
    .exec_script = conn_exec_script,
    .begin_sql = "BEGIN",
    .pool_limit = engine_pool_limit,
    .conn_released = conn_released,
    .finish = conn_finish,
    .migrate_lock = conn_migrate_lock,
    .notify = conn_notify,
    .listen_start = engine_listen_start,
    .listen_stop = engine_listen_stop,
};
