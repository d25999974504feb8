/*
 * store_test.c - unit tests for src/store/store.h with the SQLite backend,
 * on a temporary database file (removed with its -wal and -shm at the end).
 *
 * Covers: open and migrate an empty database, the recorded schema version,
 * a second migrate that changes nothing; $N parameters bound by name (out
 * of order, repeated, fewer given than used); every value type through a
 * round trip; RETURNING; constraint failures as STORE_CONFLICT (unique,
 * foreign key, check); rollback; affected-row counts; two connections used
 * by two threads at the same time; a syntax error as STORE_ERROR with the
 * connection still usable; the statement cache when one buffer holds
 * different SQL over time; store_query_each (every row in batches, with
 * their text, parameters, a stop asked for, errors); store_rc_http; and
 * the static helpers that
 * pick and render migration files (reached by including store.c).
 */
#include <float.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The file itself, to reach the static migration helpers; the library's
 * store.o is then not linked (every symbol it defines is defined here). */
#include "store/store.c"
#include "test.h"

static char db_path[64];
static struct store *db;

static void db_remove_files(void)
{
    static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        char p[96];
        snprintf(p, sizeof p, "%s%s", db_path, suffixes[i]);
        unlink(p);
    }
}

/* A fresh, empty database file; returns 0 or -1. */
static int db_create(void)
{
    snprintf(db_path, sizeof db_path, "/tmp/wh_store_test_XXXXXX");
    int fd = mkstemp(db_path);
    if (fd < 0) {
        perror("mkstemp");
        return -1;
    }
    close(fd);
    return 0;
}

static int64_t count_rows(struct store_conn *c, const char *sql)
{
    struct arena a;
    arena_init(&a);
    struct store_rows rows;
    int64_t n = -1;
    if (store_query(c, &a, sql, NULL, 0, &rows) == STORE_OK && rows.nrows == 1)
        n = store_int(&rows, 0, 0);
    arena_release(&a);
    return n;
}

/* ------------------------------------------------------------------------ */

static void test_open_and_migrate(void)
{
    char err[200] = "";
    CHECK(store_open("sqlite:", err, sizeof err) == NULL);
    CHECK(*err);
    err[0] = '\0';
    CHECK(store_open("/nonexistent-dir/for/sure/x.db", err, sizeof err) == NULL);
    CHECK(*err);

    char url[96];
    snprintf(url, sizeof url, "sqlite:%s", db_path);
    db = store_open(url, err, sizeof err);
    CHECK(db != NULL);
    if (!db) {
        fprintf(stderr, "  store_open: %s\n", err);
        return;
    }
    CHECK_STR(store_dialect(db), "sqlite");

    /* Nothing applied yet. */
    CHECK_INT(store_schema_version(db), -1);
    CHECK_INT(store_migrate(db), STORE_OK);
    int version = store_schema_version(db);
    CHECK(version >= 1);

    struct store_conn *c = store_acquire(db);
    CHECK(c != NULL);
    if (!c)
        return;
    int64_t nmig = count_rows(c, "SELECT COUNT(*) FROM schema_migrations");
    CHECK(nmig >= 1);
    CHECK_INT(count_rows(c, "SELECT MAX(version) FROM schema_migrations"), version);
    CHECK_INT(count_rows(c, "SELECT COUNT(*) FROM schema_migrations"
                            " WHERE name = '' OR applied_at <= 0"),
              0);
    CHECK_INT(count_rows(c, "SELECT COUNT(*) FROM sqlite_master"
                            " WHERE type = 'table' AND name = 'sites'"),
              1);
    int64_t applied_sum = count_rows(c, "SELECT SUM(applied_at) FROM schema_migrations");
    int64_t objects = count_rows(c, "SELECT COUNT(*) FROM sqlite_master");

    /* A second run is a no-op: no new rows, no new objects. */
    CHECK_INT(store_migrate(db), STORE_OK);
    CHECK_INT(store_schema_version(db), version);
    CHECK_INT(count_rows(c, "SELECT COUNT(*) FROM schema_migrations"), nmig);
    CHECK_INT(count_rows(c, "SELECT SUM(applied_at) FROM schema_migrations"), applied_sum);
    CHECK_INT(count_rows(c, "SELECT COUNT(*) FROM sqlite_master"), objects);
    /* Foreign keys are on for every connection. */
    CHECK_INT(count_rows(c, "PRAGMA foreign_keys"), 1);
    CHECK_INT(store_ping(c), STORE_OK);
    store_release(c);

    /* Reopening the file sees the same version. */
    store_close(db);
    db = store_open(db_path, err, sizeof err);
    CHECK(db != NULL);
    if (db) {
        CHECK_INT(store_schema_version(db), version);
        CHECK_INT(store_migrate(db), STORE_OK);
    }
}

static const char sql_create_vals[] =
    "CREATE TABLE t_vals (id INTEGER PRIMARY KEY, i BIGINT, r DOUBLE PRECISION,"
    " s TEXT, n TEXT)";
static const char sql_create_kv[] =
    "CREATE TABLE t_kv (id INTEGER PRIMARY KEY, k TEXT NOT NULL UNIQUE,"
    " v INTEGER CHECK (v IS NULL OR v >= 0))";

static void test_params_by_name(void)
{
    struct store_conn *c = store_acquire(db);
    struct arena a;
    arena_init(&a);
    struct store_rows rows;

    struct store_val p[] = {SV_TEXT("one"), SV_TEXT("two")};
    CHECK_INT(store_query(c, &a, "SELECT $2, $1, $2", p, 2, &rows), STORE_OK);
    CHECK_INT(rows.nrows, 1);
    CHECK_INT(rows.ncols, 3);
    CHECK_STR(store_text(&rows, 0, 0), "two");
    CHECK_STR(store_text(&rows, 0, 1), "one");
    CHECK_STR(store_text(&rows, 0, 2), "two");

    /* Ten parameters, $10 before $1: "$1" must not be taken for "$10". */
    struct store_val ten[10];
    for (int i = 0; i < 10; i++)
        ten[i] = SV_INT(i + 1);
    CHECK_INT(store_query(c, &a, "SELECT $10, $1, $5 * $2, $10 - $9", ten, 10, &rows), STORE_OK);
    CHECK_INT(store_int(&rows, 0, 0), 10);
    CHECK_INT(store_int(&rows, 0, 1), 1);
    CHECK_INT(store_int(&rows, 0, 2), 10);
    CHECK_INT(store_int(&rows, 0, 3), 1);

    /* Unused parameters in between are fine. */
    CHECK_INT(store_query(c, &a, "SELECT $3", ten, 3, &rows), STORE_OK);
    CHECK_INT(store_int(&rows, 0, 0), 3);

    /* Fewer values than the statement wants is an error, not NULLs. */
    CHECK_INT(store_query(c, &a, "SELECT $1, $2", p, 1, &rows), STORE_ERROR);
    /* The same statement works again with enough values. */
    CHECK_INT(store_query(c, &a, "SELECT $1, $2", p, 2, &rows), STORE_OK);
    CHECK_STR(store_text(&rows, 0, 1), "two");

    /* Bindings do not leak from one run of a cached statement to the next. */
    static const char sql_coalesce[] = "SELECT coalesce($1, 'none')";
    struct store_val one[] = {SV_TEXT("x")};
    CHECK_INT(store_query(c, &a, sql_coalesce, one, 1, &rows), STORE_OK);
    CHECK_STR(store_text(&rows, 0, 0), "x");
    one[0] = SV_NULL;
    CHECK_INT(store_query(c, &a, sql_coalesce, one, 1, &rows), STORE_OK);
    CHECK_STR(store_text(&rows, 0, 0), "none");

    arena_release(&a);
    store_release(c);
}

static void test_value_round_trip(void)
{
    struct store_conn *c = store_acquire(db);
    struct arena a;
    arena_init(&a);
    CHECK_INT(store_exec(c, sql_create_vals, NULL, 0, NULL), STORE_OK);

    static const char *const texts[] = {
        "",
        "\xe6\x9a\x96\xe5\xb1\x8b\xe9\xa9\xbf\xe7\xab\x99",
        "it's a \"quoted\" 'text'; DROP TABLE t_vals; --",
        "back\\slash and %_ like chars",
        "line\nbreak\ttab",
    };
    static const int64_t ints[] = {0, 1, -1, INT64_MAX, INT64_MIN, 4294967296LL};
    static const double reals[] = {0.0,     -0.5,   3.141592653589793, 1e308, -1e-300,
                                   DBL_MIN, 5e-324, 1e15 + 0.5};
    static const char sql_ins[] =
        "INSERT INTO t_vals (i, r, s, n) VALUES ($1, $2, $3, $4) RETURNING id";
    static const char sql_sel[] = "SELECT i, r, s, n FROM t_vals WHERE id = $1";

    for (size_t k = 0; k < 8; k++) {
        const char *txt = texts[k % 5];
        struct store_val p[] = {SV_INT(ints[k % 6]), SV_REAL(reals[k]), SV_TEXT(txt), SV_NULL};
        struct store_rows rows;
        CHECK_INT(store_query(c, &a, sql_ins, p, 4, &rows), STORE_OK);
        CHECK_INT(rows.nrows, 1);
        CHECK_INT(rows.ncols, 1);
        CHECK(store_cell(&rows, 0, 0)->type == STORE_INT);
        int64_t id = store_int(&rows, 0, 0);
        CHECK_INT(id, (int64_t)k + 1);

        struct store_val q[] = {SV_INT(id)};
        CHECK_INT(store_query(c, &a, sql_sel, q, 1, &rows), STORE_OK);
        CHECK_INT(rows.nrows, 1);
        CHECK(store_cell(&rows, 0, 0)->type == STORE_INT);
        CHECK(store_int(&rows, 0, 0) == ints[k % 6]);
        CHECK(store_cell(&rows, 0, 1)->type == STORE_REAL);
        CHECK(store_real(&rows, 0, 1) == reals[k]);
        CHECK(store_cell(&rows, 0, 2)->type == STORE_TEXT);
        CHECK_STR(store_text(&rows, 0, 2), txt);
        CHECK(store_is_null(&rows, 0, 3));
        CHECK(store_text(&rows, 0, 3) == NULL);
        CHECK_INT(store_int(&rows, 0, 3), 0);
        CHECK(store_real(&rows, 0, 3) == 0.0);
    }

    /* Directly as parameters, without a table. */
    struct store_val p[] = {SV_INT(INT64_MIN), SV_INT(INT64_MAX), SV_REAL(-2.5),
                            SV_TEXT("\xe4\xb8\xad"), SV_NULL};
    struct store_rows rows;
    CHECK_INT(store_query(c, &a, "SELECT $1, $2, $3, $4, $5", p, 5, &rows), STORE_OK);
    CHECK(store_int(&rows, 0, 0) == INT64_MIN);
    CHECK(store_int(&rows, 0, 1) == INT64_MAX);
    CHECK(store_real(&rows, 0, 2) == -2.5);
    CHECK_STR(store_text(&rows, 0, 3), "\xe4\xb8\xad");
    CHECK(store_is_null(&rows, 0, 4));

    /* Accessors convert between types. */
    CHECK_INT(store_query(c, &a, "SELECT '42', 7, 2.75", NULL, 0, &rows), STORE_OK);
    CHECK_INT(store_int(&rows, 0, 0), 42);
    CHECK(store_real(&rows, 0, 1) == 7.0);
    CHECK_INT(store_int(&rows, 0, 2), 2);
    CHECK(store_text(&rows, 0, 1) == NULL);

    /* A long text and many rows are copied whole. */
    size_t big = 200000;
    char *long_text = malloc(big + 1);
    for (size_t i = 0; i < big; i++)
        long_text[i] = (char)('a' + i % 26);
    long_text[big] = '\0';
    struct store_val lt[] = {SV_TEXT(long_text)};
    CHECK_INT(store_query(c, &a, "SELECT $1, length($1)", lt, 1, &rows), STORE_OK);
    CHECK_INT(store_int(&rows, 0, 1), (int64_t)big);
    CHECK_STR(store_text(&rows, 0, 0), long_text);
    free(long_text);

    CHECK_INT(store_query(c, &a,
                          "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL"
                          " SELECT x + 1 FROM n WHERE x < 1000)"
                          " SELECT x, x * x FROM n",
                          NULL, 0, &rows),
              STORE_OK);
    CHECK_INT(rows.nrows, 1000);
    CHECK_INT(store_int(&rows, 999, 0), 1000);
    CHECK_INT(store_int(&rows, 500, 1), 501 * 501);
    CHECK_INT(store_int(&rows, 17, 0), 18);

    /* No rows: nrows 0, columns still counted. */
    CHECK_INT(store_query(c, &a, "SELECT i, r FROM t_vals WHERE id < 0", NULL, 0, &rows), STORE_OK);
    CHECK_INT(rows.nrows, 0);
    CHECK_INT(rows.ncols, 2);
    /* out may be NULL. */
    CHECK_INT(store_query(c, &a, "SELECT 1", NULL, 0, NULL), STORE_OK);

    arena_release(&a);
    store_release(c);
}

static void test_conflicts(void)
{
    struct store_conn *c = store_acquire(db);
    CHECK_INT(store_exec(c, sql_create_kv, NULL, 0, NULL), STORE_OK);
    static const char sql_kv_ins[] = "INSERT INTO t_kv (k, v) VALUES ($1, $2)";

    struct store_val p[] = {SV_TEXT("a"), SV_INT(1)};
    int64_t changes = -1;
    CHECK_INT(store_exec(c, sql_kv_ins, p, 2, &changes), STORE_OK);
    CHECK_INT(changes, 1);
    /* unique */
    CHECK_INT(store_exec(c, sql_kv_ins, p, 2, &changes), STORE_CONFLICT);
    /* check */
    struct store_val neg[] = {SV_TEXT("b"), SV_INT(-1)};
    CHECK_INT(store_exec(c, sql_kv_ins, neg, 2, NULL), STORE_CONFLICT);
    /* not null */
    struct store_val nul[] = {SV_NULL, SV_INT(1)};
    CHECK_INT(store_exec(c, sql_kv_ins, nul, 2, NULL), STORE_CONFLICT);
    CHECK_INT(count_rows(c, "SELECT COUNT(*) FROM t_kv"), 1);

    /* foreign key: a site of a type that does not exist */
    static const char sql_site[] =
        "INSERT INTO sites (name_zh, type_id, lat, lon, created_at, updated_at)"
        " VALUES ($1, $2, 30, 120, 0, 0)";
    struct store_val site[] = {SV_TEXT("\xe6\x9a\x96"), SV_INT(999)};
    CHECK_INT(store_exec(c, sql_site, site, 2, NULL), STORE_CONFLICT);
    CHECK_INT(count_rows(c, "SELECT COUNT(*) FROM sites"), 0);

    /* and the same with a real type succeeds; deleting the type then is
     * refused while the site refers to it */
    CHECK_INT(store_exec(c,
                         "INSERT INTO site_types (id, code, name_zh, created_at,"
                         " updated_at) VALUES (5, 'warm_hut', 'x', 0, 0)",
                         NULL, 0, NULL),
              STORE_OK);
    site[1] = SV_INT(5);
    CHECK_INT(store_exec(c, sql_site, site, 2, NULL), STORE_OK);
    CHECK_INT(store_exec(c, "DELETE FROM site_types WHERE id = 5", NULL, 0, NULL), STORE_CONFLICT);
    CHECK_INT(store_exec(c, "DELETE FROM sites", NULL, 0, NULL), STORE_OK);
    CHECK_INT(store_exec(c, "DELETE FROM site_types", NULL, 0, NULL), STORE_OK);

    /* The connection is fine after each failure. */
    CHECK_INT(store_ping(c), STORE_OK);
    store_release(c);
}

static void test_transactions(void)
{
    struct store_conn *c = store_acquire(db);
    static const char sql_kv_ins[] = "INSERT INTO t_kv (k, v) VALUES ($1, $2)";
    int64_t before = count_rows(c, "SELECT COUNT(*) FROM t_kv");

    CHECK_INT(store_begin(c), STORE_OK);
    for (int i = 0; i < 5; i++) {
        char k[16];
        snprintf(k, sizeof k, "tx%d", i);
        struct store_val p[] = {SV_TEXT(k), SV_INT(i)};
        CHECK_INT(store_exec(c, sql_kv_ins, p, 2, NULL), STORE_OK);
    }
    CHECK_INT(count_rows(c, "SELECT COUNT(*) FROM t_kv"), before + 5);
    CHECK_INT(store_rollback(c), STORE_OK);
    CHECK_INT(count_rows(c, "SELECT COUNT(*) FROM t_kv"), before);

    /* A failed statement inside a transaction, then rollback: nothing. */
    CHECK_INT(store_begin(c), STORE_OK);
    struct store_val p1[] = {SV_TEXT("fresh"), SV_INT(1)};
    CHECK_INT(store_exec(c, sql_kv_ins, p1, 2, NULL), STORE_OK);
    CHECK_INT(store_exec(c, sql_kv_ins, p1, 2, NULL), STORE_CONFLICT);
    CHECK_INT(store_rollback(c), STORE_OK);
    CHECK_INT(count_rows(c, "SELECT COUNT(*) FROM t_kv WHERE k = 'fresh'"), 0);

    /* Commit keeps. */
    CHECK_INT(store_begin(c), STORE_OK);
    CHECK_INT(store_exec(c, sql_kv_ins, p1, 2, NULL), STORE_OK);
    CHECK_INT(store_commit(c), STORE_OK);
    CHECK_INT(count_rows(c, "SELECT COUNT(*) FROM t_kv WHERE k = 'fresh'"), 1);

    /* Commit or rollback without a transaction is an error, not a crash. */
    CHECK(store_commit(c) != STORE_OK);
    CHECK(store_rollback(c) != STORE_OK);
    CHECK_INT(store_ping(c), STORE_OK);

    /* A connection from another acquire does not see uncommitted rows. */
    CHECK_INT(store_begin(c), STORE_OK);
    struct store_val p2[] = {SV_TEXT("hidden"), SV_INT(2)};
    CHECK_INT(store_exec(c, sql_kv_ins, p2, 2, NULL), STORE_OK);
    struct store_conn *other = store_acquire(db);
    CHECK(other != NULL && other != c);
    if (other) {
        CHECK_INT(count_rows(other, "SELECT COUNT(*) FROM t_kv WHERE k = 'hidden'"), 0);
        store_release(other);
    }
    CHECK_INT(store_rollback(c), STORE_OK);
    store_release(c);
}

static void test_changes(void)
{
    struct store_conn *c = store_acquire(db);
    CHECK_INT(store_exec(c, "DELETE FROM t_kv", NULL, 0, NULL), STORE_OK);
    static const char sql_kv_ins[] = "INSERT INTO t_kv (k, v) VALUES ($1, $2)";
    for (int i = 0; i < 4; i++) {
        char k[16];
        snprintf(k, sizeof k, "k%d", i);
        struct store_val p[] = {SV_TEXT(k), SV_INT(i)};
        CHECK_INT(store_exec(c, sql_kv_ins, p, 2, NULL), STORE_OK);
    }
    int64_t n = -1;
    struct store_val lim[] = {SV_INT(2)};
    CHECK_INT(store_exec(c, "UPDATE t_kv SET v = v + 10 WHERE v >= $1", lim, 1, &n), STORE_OK);
    CHECK_INT(n, 2);
    n = -1;
    CHECK_INT(store_exec(c, "UPDATE t_kv SET v = 0 WHERE k = 'nothing'", NULL, 0, &n), STORE_OK);
    CHECK_INT(n, 0);
    /* The capacity idiom: the second decrement finds no row. */
    static const char sql_take[] = "UPDATE t_kv SET v = v - 1 WHERE k = $1 AND v > 0";
    struct store_val k1[] = {SV_TEXT("k1")};
    CHECK_INT(store_exec(c, sql_take, k1, 1, &n), STORE_OK);
    CHECK_INT(n, 1);
    CHECK_INT(store_exec(c, sql_take, k1, 1, &n), STORE_OK);
    CHECK_INT(n, 0);
    n = -1;
    CHECK_INT(store_exec(c, "DELETE FROM t_kv", NULL, 0, &n), STORE_OK);
    CHECK_INT(n, 4);
    /* A SELECT through store_exec runs; its rows are dropped. (*changes is
     * then SQLite's count from the last write, so it is not checked.) */
    CHECK_INT(store_exec(c, "SELECT 1 UNION ALL SELECT 2", NULL, 0, NULL), STORE_OK);
    store_release(c);
}

/* ---- two threads ---------------------------------------------------- */

struct worker {
    pthread_barrier_t *barrier;
    struct store_conn *conn;
    int index;
    int failures;
    int64_t seen;
};

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    w->conn = store_acquire(db);
    if (!w->conn) {
        w->failures++;
        pthread_barrier_wait(w->barrier);
        pthread_barrier_wait(w->barrier);
        return NULL;
    }
    /* Both threads hold their connection here at the same time. */
    pthread_barrier_wait(w->barrier);
    struct arena a;
    arena_init(&a);
    static const char sql_kv_ins[] = "INSERT INTO t_kv (k, v) VALUES ($1, $2)";
    static const char sql_sum[] = "SELECT $1 + $2";
    for (int i = 0; i < 200; i++) {
        char k[32];
        snprintf(k, sizeof k, "thread%d-%d", w->index, i);
        struct store_val p[] = {SV_TEXT(k), SV_INT(i)};
        if (store_exec(w->conn, sql_kv_ins, p, 2, NULL) != STORE_OK)
            w->failures++;
        struct store_val q[] = {SV_INT(i), SV_INT(w->index)};
        struct store_rows rows;
        if (store_query(w->conn, &a, sql_sum, q, 2, &rows) != STORE_OK ||
            store_int(&rows, 0, 0) != i + w->index)
            w->failures++;
    }
    struct store_val like[] = {SV_TEXT(w->index ? "thread1-%" : "thread0-%")};
    struct store_rows rows;
    if (store_query(w->conn, &a, "SELECT COUNT(*) FROM t_kv WHERE k LIKE $1", like, 1, &rows) ==
        STORE_OK)
        w->seen = store_int(&rows, 0, 0);
    arena_release(&a);
    pthread_barrier_wait(w->barrier);
    store_release(w->conn);
    return NULL;
}

#include "store_cases.h" /* test_insert_id */

/* store_bulk: foreign keys and CHECK constraints skipped between its two
 * calls (NOT NULL and UNIQUE still hold), back after it and after the
 * connection went back to the pool; refused inside a transaction. */
static void test_bulk(void)
{
    struct store_conn *c = store_acquire(db);
    static const char sql_site[] =
        "INSERT INTO sites (name_zh, type_id, lat, lon, status, created_at, updated_at)"
        " VALUES ('b', $1, 30, 120, $2, 0, 0)";
    struct store_val bad_fk[] = {SV_INT(424242), SV_TEXT("operational")};
    CHECK_INT(store_exec(c, sql_site, bad_fk, 2, NULL), STORE_CONFLICT);
    CHECK_INT(store_bulk(c, true), STORE_OK);
    CHECK_INT(store_begin(c), STORE_OK);
    CHECK_INT(store_bulk(c, true), STORE_ERROR);
    CHECK_INT(store_exec(c, sql_site, bad_fk, 2, NULL), STORE_OK);
    struct store_val bad_status[] = {SV_INT(424242), SV_TEXT("bogus")};
    CHECK_INT(store_exec(c, sql_site, bad_status, 2, NULL), STORE_OK);
    CHECK_INT(store_exec(c, "INSERT INTO t_kv (k, v) VALUES ('u', NULL)", NULL, 0, NULL), STORE_OK);
    CHECK_INT(store_exec(c, "INSERT INTO t_kv (k, v) VALUES ('u', 1)", NULL, 0, NULL),
              STORE_CONFLICT);
    CHECK_INT(store_exec(c, "INSERT INTO t_kv (k, v) VALUES (NULL, 1)", NULL, 0, NULL),
              STORE_CONFLICT);
    CHECK_INT(store_rollback(c), STORE_OK);
    CHECK_INT(store_bulk(c, false), STORE_OK);
    CHECK_INT(store_exec(c, sql_site, bad_fk, 2, NULL), STORE_CONFLICT);
    CHECK_INT(store_exec(c, "INSERT INTO t_kv (k, v) VALUES ('w', -1)", NULL, 0, NULL),
              STORE_CONFLICT);
    /* left on when the connection goes back: off again when it comes out */
    CHECK_INT(store_bulk(c, true), STORE_OK);
    CHECK_INT(store_begin(c), STORE_OK);
    store_release(c);
    c = store_acquire(db);
    CHECK_INT(store_exec(c, sql_site, bad_fk, 2, NULL), STORE_CONFLICT);
    CHECK_INT(store_exec(c, "INSERT INTO t_kv (k, v) VALUES ('w', -1)", NULL, 0, NULL),
              STORE_CONFLICT);
    CHECK_INT(count_rows(c, "SELECT COUNT(*) FROM sites"), 0);
    CHECK_INT(store_exec(c, "DELETE FROM t_kv", NULL, 0, NULL), STORE_OK);
    store_release(c);
}

static void test_two_threads(void)
{
    pthread_barrier_t barrier;
    pthread_barrier_init(&barrier, NULL, 2);
    struct worker w[2] = {{&barrier, NULL, 0, 0, 0}, {&barrier, NULL, 1, 0, 0}};
    pthread_t th[2];
    for (int i = 0; i < 2; i++)
        CHECK_INT(pthread_create(&th[i], NULL, worker_main, &w[i]), 0);
    for (int i = 0; i < 2; i++)
        pthread_join(th[i], NULL);
    pthread_barrier_destroy(&barrier);
    CHECK(w[0].conn && w[1].conn && w[0].conn != w[1].conn);
    CHECK_INT(w[0].failures, 0);
    CHECK_INT(w[1].failures, 0);
    CHECK_INT(w[0].seen, 200);
    CHECK_INT(w[1].seen, 200);

    struct store_conn *c = store_acquire(db);
    CHECK_INT(count_rows(c, "SELECT COUNT(*) FROM t_kv WHERE k LIKE 'thread%'"), 400);
    store_release(c);
}

static void test_syntax_error(void)
{
    struct store_conn *c = store_acquire(db);
    struct arena a;
    arena_init(&a);
    struct store_rows rows;
    CHECK_INT(store_query(c, &a, "SELEC 1", NULL, 0, &rows), STORE_ERROR);
    CHECK_INT(store_query(c, &a, "SELECT * FROM no_such_table", NULL, 0, &rows), STORE_ERROR);
    CHECK_INT(store_exec(c, "INSERT INTO t_kv (nope) VALUES (1)", NULL, 0, NULL), STORE_ERROR);
    CHECK_INT(store_query(c, &a, "SELECT 41 + 1", NULL, 0, &rows), STORE_OK);
    CHECK_INT(store_int(&rows, 0, 0), 42);
    /* Inside a transaction, too: the transaction survives the error. */
    CHECK_INT(store_begin(c), STORE_OK);
    CHECK_INT(store_query(c, &a, "SELEC 2", NULL, 0, &rows), STORE_ERROR);
    CHECK_INT(store_exec(c, "INSERT INTO t_kv (k, v) VALUES ('after', 1)", NULL, 0, NULL),
              STORE_OK);
    CHECK_INT(store_commit(c), STORE_OK);
    CHECK_INT(count_rows(c, "SELECT COUNT(*) FROM t_kv WHERE k = 'after'"), 1);
    arena_release(&a);
    store_release(c);
}

struct each_seen {
    int64_t rows, sum, batches, stop_after;
    bool text_ok;
};

static int each_count(void *ctx, const struct store_rows *rows)
{
    struct each_seen *seen = ctx;
    seen->batches++;
    for (size_t i = 0; i < rows->nrows; i++) {
        int64_t v = store_int(rows, i, 0);
        char want[24];
        snprintf(want, sizeof want, "r%lld", (long long)v);
        if (strcmp(store_text(rows, i, 1), want) != 0)
            seen->text_ok = false;
        seen->rows++;
        seen->sum += v;
    }
    return seen->stop_after && seen->batches >= seen->stop_after ? STORE_CONFLICT : 0;
}

static void test_query_each(void)
{
    struct store_conn *c = store_acquire(db);
    CHECK(store_can_stream(c));
    /* 2,500 rows: batches of 1,024, the last one short. */
    static const char sql_rows[] =
        "WITH RECURSIVE n(v) AS (SELECT 1 UNION ALL SELECT v + 1 FROM n WHERE v < $1)"
        " SELECT v, 'r' || v FROM n WHERE v > $2";
    struct store_val p[] = {SV_INT(2500), SV_INT(0)};
    struct each_seen seen = {.text_ok = true};
    CHECK_INT(store_query_each(c, sql_rows, p, 2, each_count, &seen), STORE_OK);
    CHECK_INT(seen.rows, 2500);
    CHECK_INT(seen.sum, 2500 * 2501 / 2);
    CHECK_INT(seen.batches, 3);
    CHECK(seen.text_ok);
    /* No rows: fn is not called. */
    p[1] = SV_INT(2500);
    seen = (struct each_seen){.text_ok = true};
    CHECK_INT(store_query_each(c, sql_rows, p, 2, each_count, &seen), STORE_OK);
    CHECK_INT(seen.batches, 0);
    /* fn stops the reading: its answer is returned, and the statement is
     * ready for the next use. */
    p[1] = SV_INT(0);
    seen = (struct each_seen){.text_ok = true, .stop_after = 1};
    CHECK_INT(store_query_each(c, sql_rows, p, 2, each_count, &seen), STORE_CONFLICT);
    CHECK_INT(seen.rows, 1024);
    seen = (struct each_seen){.text_ok = true};
    CHECK_INT(store_query_each(c, sql_rows, p, 2, each_count, &seen), STORE_OK);
    CHECK_INT(seen.rows, 2500);
    /* Errors, and a parameter missing. */
    CHECK_INT(store_query_each(c, "SELEC 1", NULL, 0, each_count, &seen), STORE_ERROR);
    CHECK_INT(store_query_each(c, sql_rows, p, 1, each_count, &seen), STORE_ERROR);
    CHECK_INT(count_rows(c, "SELECT 7"), 7);
    store_release(c);
}

/* The statement cache is keyed by the SQL's address; one buffer that holds
 * different statements over time must still run the statement it holds. */
static void test_cache_same_address(void)
{
    struct store_conn *c = store_acquire(db);
    struct arena a;
    arena_init(&a);
    struct store_rows rows;
    char sql[64];
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 20; i++) {
            snprintf(sql, sizeof sql, "SELECT %d", i);
            CHECK_INT(store_query(c, &a, sql, NULL, 0, &rows), STORE_OK);
            CHECK_INT(rows.nrows, 1);
            CHECK_INT(store_int(&rows, 0, 0), i);
        }
    }
    /* Many distinct statements, more than the cache holds. */
    for (int i = 0; i < 600; i++) {
        char *s = arena_printf(&a, "SELECT %d + $1", i);
        struct store_val p[] = {SV_INT(1)};
        CHECK_INT(store_query(c, &a, s, p, 1, &rows), STORE_OK);
        CHECK_INT(store_int(&rows, 0, 0), i + 1);
    }
    arena_release(&a);
    store_release(c);
}

static void test_rc_http(void)
{
    CHECK_INT(store_rc_http(STORE_OK), 200);
    CHECK_INT(store_rc_http(STORE_NOT_FOUND), 404);
    CHECK_INT(store_rc_http(STORE_CONFLICT), 409);
    CHECK_INT(store_rc_http(STORE_BUSY), 503);
    CHECK_INT(store_rc_http(STORE_ERROR), 500);
    CHECK_INT(store_rc_http(-1), 500);
    CHECK_INT(store_rc_http(100), 500);
}

static void test_migration_files(void)
{
    struct store_migration m = {3, "0003_sites.sql", ""};
    CHECK(migration_is_generic(&m));
    CHECK(migration_serves(&m, "sqlite"));
    CHECK(migration_serves(&m, "pg"));

    m.name = "0003_sites.sqlite.sql";
    CHECK(!migration_is_generic(&m));
    CHECK(migration_serves(&m, "sqlite"));
    CHECK(!migration_serves(&m, "pg"));

    m.name = "0003_sites.pg.sql";
    CHECK(!migration_is_generic(&m));
    CHECK(!migration_serves(&m, "sqlite"));
    CHECK(migration_serves(&m, "pg"));

    /* Only .sqlite.sql and .pg.sql name a dialect; other words are part of
     * a generic name (tools/embed.c refuses names like these at build). */
    m.name = "0003_sites.sqlitex.sql";
    CHECK(migration_is_generic(&m));
    m.name = "0003_sites.mysql.sql";
    CHECK(migration_is_generic(&m));

    char *sql = migration_render("CREATE TABLE t (id @ID@, x @ID@x)", "sqlite");
    CHECK_STR(sql, "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, x INTEGER PRIMARY KEY "
                   "AUTOINCREMENTx)");
    free(sql);
    sql = migration_render("a @ID@", "pg");
    CHECK_STR(sql, "a BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY");
    free(sql);
    sql = migration_render("no token, @ID", "sqlite");
    CHECK_STR(sql, "no token, @ID");
    free(sql);

    /* Every embedded migration serves SQLite or is replaced by one that
     * does, and versions are unique per dialect. */
    for (size_t i = 0; i < store_migration_count; i++) {
        CHECK(store_migrations[i].version > 0);
        for (size_t j = 0; j < i; j++)
            if (store_migrations[j].version == store_migrations[i].version)
                CHECK(strcmp(store_migrations[j].name, store_migrations[i].name) != 0);
    }
}

/*
 * store.c's header comment: "0001_registry.sql" serves every engine and
 * only "NNNN_x.sqlite.sql" / "NNNN_x.pg.sql" are dialect files. Found while
 * writing these tests: the first version looked at the FIRST dot of the
 * name, so "0004_v2.1_columns.sql" was taken for a dialect file and
 * silently skipped by store_migrate on every engine; a later version took
 * any all-letters word before ".sql" as a dialect, which skipped
 * "0005_add.index.sql" everywhere.
 */
static void test_migration_name_with_dot(void)
{
    struct store_migration m = {4, "0004_v2.1_columns.sql", ""};
    CHECK(migration_is_generic(&m));
    CHECK(migration_serves(&m, "sqlite"));
    CHECK(migration_serves(&m, "pg"));
    m.name = "0004_v2.1_columns.sqlite.sql";
    CHECK(migration_serves(&m, "sqlite"));
    CHECK(!migration_serves(&m, "pg"));
    /* Only .sqlite.sql and .pg.sql are dialect files: a plain name with a
     * dotted word before ".sql" still serves every engine. */
    m.name = "0005_add.index.sql";
    CHECK(migration_is_generic(&m));
    CHECK(migration_serves(&m, "sqlite"));
    CHECK(migration_serves(&m, "pg"));
}

int main(void)
{
    if (db_create())
        return 1;
    RUN(test_open_and_migrate);
    if (!db) {
        db_remove_files();
        return test_report("store");
    }
    RUN(test_params_by_name);
    RUN(test_value_round_trip);
    RUN(test_conflicts);
    RUN(test_transactions);
    RUN(test_changes);
    RUN(test_insert_id);
    RUN(test_bulk);
    RUN(test_two_threads);
    RUN(test_syntax_error);
    RUN(test_cache_same_address);
    RUN(test_query_each);
    RUN(test_rc_http);
    RUN(test_migration_files);
    RUN(test_migration_name_with_dot);
    store_close(db);
    db_remove_files();
    return test_report("store");
}
