/*
 * pg_store_test.c - unit tests for src/store/store.h with the PostgreSQL
 * backend (src/store/pg.c), against the server named by the URL in
 * WARMHARBOR_TEST_PG (e.g. what `tools/pg_cluster.sh start DIR` prints).
 * The user must be allowed to create databases: every test database is
 * fresh (wh_test_PID_N) and dropped at the end. Without the variable the
 * test says "skipped: WARMHARBOR_TEST_PG not set" and passes nothing.
 *
 * The behaviours of store_test.c (SQLite), where PostgreSQL agrees: open
 * and migrate, a second migrate that changes nothing; $N parameters (out
 * of order, repeated, fewer given than used); every value type through a
 * round trip; RETURNING; constraint failures as STORE_CONFLICT; rollback;
 * affected-row counts; two threads; a syntax error as STORE_ERROR with the
 * connection still usable; the statement cache when one buffer holds
 * different SQL over time. Where the engines differ, the PostgreSQL
 * behaviour is checked and the difference named (docs/postgres.md):
 * parameters whose type the server cannot infer need a cast, and an error
 * inside a transaction aborts it.
 *
 * Then what only a server brings: 4 "nodes" migrating one fresh database
 * at once (each migration applied once); reconnecting after
 * pg_terminate_backend (idle, mid-query, inside a transaction) and, when
 * WARMHARBOR_TEST_PG_DIR names the cluster's directory, after the server
 * is stopped and started again (tools/pg_cluster.sh); statement timeout
 * as STORE_BUSY; the pool limit; the SQLSTATE mapping; and the migrated
 * tables, columns and indexes against the SQLite golden schema.
 */
#include <float.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* The store and the backend themselves, to reach the pool, the
 * migration helpers and sqlstate_rc(); the library's store.o and pg.o are
 * then not linked (everything they define is defined here). */
#include "store/store.c"
#include "store/pg.c"
#include "core/strbuf.h"
#include "test.h"

#define GOLDEN_REL "tests/unit/store/schema.expected"
#define MAX_DBS 16

static const char *base_url; /* WARMHARBOR_TEST_PG */
static struct store *admin;  /* on base_url: creates and drops databases */
static struct store *db;     /* on the main fresh database */
static char *db_names[MAX_DBS];
static size_t ndbs;

/* ---- helpers -------------------------------------------------------- */

/* base_url with its database replaced by name; malloc'ed. */
static char *url_with_db(const char *name)
{
    const char *scheme = strstr(base_url, "://");
    const char *slash = scheme ? strchr(scheme + 3, '/') : NULL;
    const char *query = strchr(base_url, '?');
    struct strbuf sb = STRBUF_INIT;
    if (slash && (!query || slash < query))
        strbuf_add(&sb, base_url, (size_t)(slash - base_url));
    else if (query)
        strbuf_add(&sb, base_url, (size_t)(query - base_url));
    else
        strbuf_adds(&sb, base_url);
    strbuf_addf(&sb, "/%s%s", name, query ? query : "");
    return strbuf_detach(&sb, NULL);
}

/* A fresh, empty database; its URL (malloc'ed), or NULL. */
static char *fresh_db(void)
{
    if (ndbs == MAX_DBS)
        return NULL;
    char name[64];
    snprintf(name, sizeof name, "wh_test_%ld_%zu", (long)getpid(), ndbs);
    struct store_conn *c = store_acquire(admin);
    if (!c)
        return NULL;
    char sql[128];
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s", name);
    int rc = store_exec(c, sql, NULL, 0, NULL);
    snprintf(sql, sizeof sql, "CREATE DATABASE %s", name);
    if (rc == STORE_OK)
        rc = store_exec(c, sql, NULL, 0, NULL);
    store_release(c);
    if (rc != STORE_OK) {
        fprintf(stderr,
                "  cannot create database %s (the user needs"
                " CREATEDB)\n",
                name);
        return NULL;
    }
    db_names[ndbs++] = strdup(name);
    return url_with_db(name);
}

static void drop_dbs(void)
{
    struct store_conn *c = admin ? store_acquire(admin) : NULL;
    for (size_t i = 0; i < ndbs; i++) {
        if (c) {
            char sql[128];
            snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", db_names[i]);
            store_exec(c, sql, NULL, 0, NULL);
        }
        free(db_names[i]);
    }
    ndbs = 0;
    store_release(c);
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

static int64_t backend_pid(struct store_conn *c)
{
    return count_rows(c, "SELECT pg_backend_pid()");
}

/* End the session of backend pid from the admin connection. */
static void terminate(int64_t pid)
{
    struct store_conn *c = store_acquire(admin);
    struct store_val p[] = {SV_INT(pid)};
    struct arena a;
    arena_init(&a);
    struct store_rows rows;
    CHECK_INT(store_query(c, &a, "SELECT pg_terminate_backend($1::int)", p, 1, &rows), STORE_OK);
    arena_release(&a);
    store_release(c);
    /* pg_terminate_backend only signals: wait until the session is gone. */
    for (int i = 0; i < 100; i++) {
        c = store_acquire(admin);
        int64_t left = -1;
        if (c) {
            struct store_rows r;
            arena_init(&a);
            if (store_query(c, &a,
                            "SELECT COUNT(*) FROM pg_stat_activity"
                            " WHERE pid = $1::int",
                            p, 1, &r) == STORE_OK)
                left = store_int(&r, 0, 0);
            arena_release(&a);
            store_release(c);
        }
        if (left == 0)
            return;
        usleep(20000);
    }
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Run q on c until it succeeds or `seconds` pass; every failure must be
 * STORE_BUSY. Returns the last result. */
static int retry_ok(struct store_conn *c, const char *q, double seconds)
{
    double until = now_s() + seconds;
    int rc;
    while ((rc = store_exec(c, q, NULL, 0, NULL)) != STORE_OK) {
        CHECK_INT(rc, STORE_BUSY);
        if (now_s() > until)
            break;
        usleep(100000);
    }
    return rc;
}

/* A connection within `seconds` (new ones are not tried more than once
 * a second while the server is away). */
static struct store_conn *acquire_retry(struct store *s, double seconds)
{
    double until = now_s() + seconds;
    struct store_conn *c;
    while (!(c = store_acquire(s)) && now_s() < until)
        usleep(100000);
    return c;
}

/* ------------------------------------------------------------------------ */

static void test_sqlstate_map(void)
{
    CHECK_INT(sqlstate_rc("23505"), STORE_CONFLICT); /* unique */
    CHECK_INT(sqlstate_rc("23503"), STORE_CONFLICT); /* foreign key */
    CHECK_INT(sqlstate_rc("23514"), STORE_CONFLICT); /* check */
    CHECK_INT(sqlstate_rc("23502"), STORE_CONFLICT); /* not null */
    CHECK_INT(sqlstate_rc("40001"), STORE_BUSY);
    CHECK_INT(sqlstate_rc("40P01"), STORE_BUSY);
    CHECK_INT(sqlstate_rc("55P03"), STORE_BUSY);
    CHECK_INT(sqlstate_rc("57014"), STORE_BUSY);
    CHECK_INT(sqlstate_rc("57P01"), STORE_BUSY);
    CHECK_INT(sqlstate_rc("08006"), STORE_BUSY);
    CHECK_INT(sqlstate_rc("42601"), STORE_ERROR); /* syntax */
    CHECK_INT(sqlstate_rc("42P18"), STORE_ERROR); /* indeterminate type */
    CHECK_INT(sqlstate_rc("22P02"), STORE_ERROR); /* bad input */
    CHECK_INT(sqlstate_rc("25P02"), STORE_ERROR); /* aborted transaction */
    CHECK_INT(sqlstate_rc("40002"), STORE_ERROR); /* not in the list */
    CHECK_INT(sqlstate_rc(""), STORE_ERROR);
    CHECK_INT(sqlstate_rc(NULL), STORE_ERROR);
    CHECK_INT(sqlstate_rc("2350"), STORE_ERROR);

    char buf[32];
    CHECK_STR(one_line(buf, sizeof buf, "a\n\tb  c\n"), "a b c");
    CHECK_STR(one_line(buf, 4, "abcdef"), "abc");
    CHECK_STR(one_line(buf, sizeof buf, NULL), "");
}

static void test_open(void)
{
    char err[300] = "";
    /* Nothing listens on port 1: a clear message, no password in it. */
    CHECK(store_open("postgres://wh:sekret@127.0.0.1:1/nodb", err, sizeof err) == NULL);
    CHECK(strstr(err, "cannot connect") != NULL);
    CHECK(strstr(err, "127.0.0.1:1/nodb") != NULL);
    CHECK(strstr(err, "sekret") == NULL);
    err[0] = '\0';
    CHECK(store_open("postgresql://127.0.0.1:1/nodb", err, sizeof err) == NULL);
    CHECK(*err);
    err[0] = '\0';
    CHECK(store_open("postgres://127.0.0.1:1/x?nosuchoption=1", err, sizeof err) == NULL);
    CHECK(strstr(err, "bad PostgreSQL URL") != NULL);
}

static void test_open_and_migrate(void)
{
    char *url = fresh_db();
    CHECK(url != NULL);
    if (!url)
        return;
    char err[300] = "";
    db = store_open(url, err, sizeof err);
    CHECK(db != NULL);
    if (!db) {
        fprintf(stderr, "  store_open: %s\n", err);
        free(url);
        return;
    }
    CHECK_STR(store_dialect(db), "pg");
    CHECK_INT(store_schema_version(db), -1);
    CHECK_INT(store_migrate(db), STORE_OK);
    int version = store_schema_version(db);
    CHECK(version >= 1);

    struct store_conn *c = store_acquire(db);
    CHECK(c != NULL);
    if (!c) {
        free(url);
        return;
    }
    int64_t nmig = count_rows(c, "SELECT COUNT(*) FROM schema_migrations");
    CHECK(nmig >= 1);
    CHECK_INT(count_rows(c, "SELECT MAX(version) FROM schema_migrations"), version);
    CHECK_INT(count_rows(c, "SELECT COUNT(*) FROM schema_migrations"
                            " WHERE name = '' OR applied_at <= 0"),
              0);
    CHECK_INT(count_rows(c, "SELECT COUNT(*) FROM pg_tables WHERE schemaname"
                            " = current_schema() AND tablename = 'sites'"),
              1);
    static const char sql_objects[] = "SELECT COUNT(*) FROM pg_class WHERE relnamespace ="
                                      " current_schema()::regnamespace";
    int64_t applied_sum = count_rows(c, "SELECT SUM(applied_at) FROM schema_migrations");
    int64_t objects = count_rows(c, sql_objects);

    CHECK_INT(store_migrate(db), STORE_OK);
    CHECK_INT(store_schema_version(db), version);
    CHECK_INT(count_rows(c, "SELECT COUNT(*) FROM schema_migrations"), nmig);
    CHECK_INT(count_rows(c, "SELECT SUM(applied_at) FROM schema_migrations"), applied_sum);
    CHECK_INT(count_rows(c, sql_objects), objects);
    /* Session settings of every connection. */
    struct arena a;
    arena_init(&a);
    struct store_rows rows;
    CHECK_INT(store_query(c, &a,
                          "SELECT current_setting('TimeZone'),"
                          " current_setting('statement_timeout'),"
                          " current_setting('client_encoding')",
                          NULL, 0, &rows),
              STORE_OK);
    CHECK_STR(store_text(&rows, 0, 0), "UTC");
    CHECK_STR(store_text(&rows, 0, 1), "5s");
    CHECK_STR(store_text(&rows, 0, 2), "UTF8");
    arena_release(&a);
    CHECK_INT(store_ping(c), STORE_OK);
    store_release(c);

    /* Reopening sees the same version. */
    store_close(db);
    db = store_open(url, err, sizeof err);
    CHECK(db != NULL);
    if (db) {
        CHECK_INT(store_schema_version(db), version);
        CHECK_INT(store_migrate(db), STORE_OK);
    }
    free(url);
}

static const char sql_create_vals[] =
    "CREATE TABLE t_vals (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY"
    " KEY, i BIGINT, r DOUBLE PRECISION, s TEXT, n TEXT)";
static const char sql_create_kv[] =
    "CREATE TABLE t_kv (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY"
    " KEY, k TEXT NOT NULL UNIQUE, v INTEGER CHECK (v IS NULL OR v >= 0))";

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

    /* Ten parameters, $10 before $1. Bare "$5 * $2" is ambiguous to the
     * server (unknown * unknown), and a parameter the statement does not
     * use has no type: PostgreSQL needs the casts and every $k used. */
    struct store_val ten[10];
    for (int i = 0; i < 10; i++)
        ten[i] = SV_INT(i + 1);
    CHECK_INT(store_query(c, &a,
                          "SELECT $10::bigint, $1::bigint, $5::bigint * $2,"
                          " $10::bigint - $9, $3::int + $4 + $6 + $7 + $8",
                          ten, 10, &rows),
              STORE_OK);
    CHECK_INT(store_int(&rows, 0, 0), 10);
    CHECK_INT(store_int(&rows, 0, 1), 1);
    CHECK_INT(store_int(&rows, 0, 2), 10);
    CHECK_INT(store_int(&rows, 0, 3), 1);
    CHECK(store_cell(&rows, 0, 0)->type == STORE_INT);

    /* More values than the statement takes: the rest are not sent. */
    CHECK_INT(store_query(c, &a, "SELECT $3::int", ten, 10, &rows), STORE_ERROR);
    CHECK_INT(store_query(c, &a, "SELECT $1::int + 2", ten, 10, &rows), STORE_OK);
    CHECK_INT(store_int(&rows, 0, 0), 3);
    /* Engine difference: an unused $1 before $3 has no type on PostgreSQL
     * (SQLite accepts it). */
    CHECK_INT(store_query(c, &a, "SELECT $3", ten, 3, &rows), STORE_ERROR);

    /* Fewer values than the statement wants is an error, not NULLs. */
    CHECK_INT(store_query(c, &a, "SELECT $1, $2", p, 1, &rows), STORE_ERROR);
    CHECK_INT(store_query(c, &a, "SELECT $1, $2", p, 2, &rows), STORE_OK);
    CHECK_STR(store_text(&rows, 0, 1), "two");

    /* Values do not leak from one run of a cached statement to the next. */
    static const char sql_coalesce[] = "SELECT coalesce($1, 'none')";
    struct store_val one[] = {SV_TEXT("x")};
    CHECK_INT(store_query(c, &a, sql_coalesce, one, 1, &rows), STORE_OK);
    CHECK_STR(store_text(&rows, 0, 0), "x");
    one[0] = SV_NULL;
    CHECK_INT(store_query(c, &a, sql_coalesce, one, 1, &rows), STORE_OK);
    CHECK_STR(store_text(&rows, 0, 0), "none");

    /* The portable idiom for an optional filter: type the NULL test. */
    static const char sql_opt[] = "SELECT COUNT(*) FROM (VALUES ('a'), ('b')) v(x)"
                                  " WHERE (CAST($1 AS TEXT) IS NULL OR x = $1)";
    CHECK_INT(store_query(c, &a, sql_opt, one, 1, &rows), STORE_OK);
    CHECK_INT(store_int(&rows, 0, 0), 2);
    one[0] = SV_TEXT("b");
    CHECK_INT(store_query(c, &a, sql_opt, one, 1, &rows), STORE_OK);
    CHECK_INT(store_int(&rows, 0, 0), 1);

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

    /* Directly as parameters: a bare parameter comes back as text, so the
     * numbers are cast to get numbers back. */
    struct store_val p[] = {SV_INT(INT64_MIN), SV_INT(INT64_MAX), SV_REAL(-2.5),
                            SV_TEXT("\xe4\xb8\xad"), SV_NULL};
    struct store_rows rows;
    CHECK_INT(store_query(c, &a, "SELECT $1::bigint, $2::bigint, $3::float8, $4, $5", p, 5, &rows),
              STORE_OK);
    CHECK(store_int(&rows, 0, 0) == INT64_MIN);
    CHECK(store_int(&rows, 0, 1) == INT64_MAX);
    CHECK(store_real(&rows, 0, 2) == -2.5);
    CHECK_STR(store_text(&rows, 0, 3), "\xe4\xb8\xad");
    CHECK(store_is_null(&rows, 0, 4));

    /* Non-finite reals, booleans, small ints, numeric. */
    struct store_val nf[] = {SV_REAL(INFINITY), SV_REAL(-INFINITY), SV_REAL(NAN)};
    CHECK_INT(store_query(c, &a, "SELECT $1::float8, $2::float8, $3::float8", nf, 3, &rows),
              STORE_OK);
    CHECK(isinf(store_real(&rows, 0, 0)) && store_real(&rows, 0, 0) > 0);
    CHECK(isinf(store_real(&rows, 0, 1)) && store_real(&rows, 0, 1) < 0);
    CHECK(isnan(store_real(&rows, 0, 2)));
    CHECK_INT(store_query(c, &a,
                          "SELECT true, false, 7::smallint, 8::int, 9::oid,"
                          " 2.5::numeric, 1.5::real, now()",
                          NULL, 0, &rows),
              STORE_OK);
    for (int i = 0; i < 5; i++)
        CHECK(store_cell(&rows, 0, (size_t)i)->type == STORE_INT);
    CHECK_INT(store_int(&rows, 0, 0), 1);
    CHECK_INT(store_int(&rows, 0, 1), 0);
    CHECK_INT(store_int(&rows, 0, 4), 9);
    CHECK(store_cell(&rows, 0, 5)->type == STORE_REAL);
    CHECK(store_real(&rows, 0, 5) == 2.5);
    CHECK(store_real(&rows, 0, 6) == 1.5);
    CHECK(store_cell(&rows, 0, 7)->type == STORE_TEXT);
    CHECK(strstr(store_text(&rows, 0, 7), "+00") != NULL); /* UTC */

    /* Accessors convert between types ('42' is text, 2.75 numeric). */
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

    CHECK_INT(store_query(c, &a, "SELECT i, r FROM t_vals WHERE id < 0", NULL, 0, &rows), STORE_OK);
    CHECK_INT(rows.nrows, 0);
    CHECK_INT(rows.ncols, 2);
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
    /* a value the column cannot take is an error, not a conflict */
    struct store_val word[] = {SV_TEXT("c"), SV_TEXT("many")};
    CHECK_INT(store_exec(c, sql_kv_ins, word, 2, NULL), STORE_ERROR);

    static const char sql_site[] =
        "INSERT INTO sites (name_zh, type_id, lat, lon, created_at, updated_at)"
        " VALUES ($1, $2, 30, 120, 0, 0)";
    struct store_val site[] = {SV_TEXT("\xe6\x9a\x96"), SV_INT(999)};
    CHECK_INT(store_exec(c, sql_site, site, 2, NULL), STORE_CONFLICT);
    CHECK_INT(count_rows(c, "SELECT COUNT(*) FROM sites"), 0);

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

    /* Engine difference: the failure aborted the transaction, so later
     * statements fail and commit answers with the first failure after
     * rolling back. */
    CHECK_INT(store_begin(c), STORE_OK);
    CHECK_INT(store_exec(c, sql_kv_ins, p1, 2, NULL), STORE_OK);
    CHECK_INT(store_exec(c, sql_kv_ins, p1, 2, NULL), STORE_CONFLICT);
    struct store_val p3[] = {SV_TEXT("later"), SV_INT(3)};
    CHECK_INT(store_exec(c, sql_kv_ins, p3, 2, NULL), STORE_ERROR);
    CHECK_INT(store_commit(c), STORE_CONFLICT);
    CHECK_INT(count_rows(c, "SELECT COUNT(*) FROM t_kv WHERE k IN"
                            " ('fresh', 'later')"),
              0);

    /* Commit keeps. */
    CHECK_INT(store_begin(c), STORE_OK);
    CHECK_INT(store_exec(c, sql_kv_ins, p1, 2, NULL), STORE_OK);
    CHECK_INT(store_commit(c), STORE_OK);
    CHECK_INT(count_rows(c, "SELECT COUNT(*) FROM t_kv WHERE k = 'fresh'"), 1);

    /* Commit or rollback without a transaction is an error, not a crash
     * (PostgreSQL itself would only warn). */
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

    /* A connection given back inside a transaction is rolled back, so the
     * next user does not run inside it. */
    CHECK_INT(store_begin(c), STORE_OK);
    CHECK_INT(store_exec(c, sql_kv_ins, p2, 2, NULL), STORE_OK);
    store_release(c);
    c = store_acquire(db);
    CHECK_INT(count_rows(c, "SELECT COUNT(*) FROM t_kv WHERE k = 'hidden'"), 0);
    CHECK_INT(store_begin(c), STORE_OK);
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
    static const char sql_take[] = "UPDATE t_kv SET v = v - 1 WHERE k = $1 AND v > 0";
    struct store_val k1[] = {SV_TEXT("k1")};
    CHECK_INT(store_exec(c, sql_take, k1, 1, &n), STORE_OK);
    CHECK_INT(n, 1);
    CHECK_INT(store_exec(c, sql_take, k1, 1, &n), STORE_OK);
    CHECK_INT(n, 0);
    n = -1;
    CHECK_INT(store_exec(c, "DELETE FROM t_kv", NULL, 0, &n), STORE_OK);
    CHECK_INT(n, 4);
    /* A SELECT through store_exec runs; its rows are dropped and the
     * count is the number of rows it returned. */
    CHECK_INT(store_exec(c, "SELECT 1 UNION ALL SELECT 2", NULL, 0, &n), STORE_OK);
    CHECK_INT(n, 2);
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
    pthread_barrier_wait(w->barrier);
    struct arena a;
    arena_init(&a);
    static const char sql_kv_ins[] = "INSERT INTO t_kv (k, v) VALUES ($1, $2)";
    static const char sql_sum[] = "SELECT $1::bigint + $2::bigint";
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

/* store_bulk: nothing to do on PostgreSQL; its checks hold between the
 * two calls. */
static void test_bulk(void)
{
    struct store_conn *c = store_acquire(db);
    CHECK_INT(store_bulk(c, true), STORE_OK);
    CHECK_INT(store_begin(c), STORE_OK);
    CHECK_INT(store_exec(c, "INSERT INTO t_kv (k, v) VALUES ('b1', 1)", NULL, 0, NULL), STORE_OK);
    CHECK_INT(store_commit(c), STORE_OK);
    CHECK_INT(store_exec(c, "INSERT INTO t_kv (k, v) VALUES ('b2', -1)", NULL, 0, NULL),
              STORE_CONFLICT);
    CHECK_INT(store_bulk(c, false), STORE_OK);
    CHECK_INT(count_rows(c, "SELECT COUNT(*) FROM t_kv WHERE k LIKE 'b%'"), 1);
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
    /* Engine difference: inside a transaction an error aborts it. */
    CHECK_INT(store_begin(c), STORE_OK);
    CHECK_INT(store_query(c, &a, "SELEC 2", NULL, 0, &rows), STORE_ERROR);
    CHECK_INT(store_exec(c, "INSERT INTO t_kv (k, v) VALUES ('after', 1)", NULL, 0, NULL),
              STORE_ERROR);
    CHECK_INT(store_commit(c), STORE_ERROR);
    CHECK_INT(count_rows(c, "SELECT COUNT(*) FROM t_kv WHERE k = 'after'"), 0);
    CHECK_INT(store_ping(c), STORE_OK);
    /* A script with several statements, and one failing half way. */
    CHECK_INT(c->store->be->exec_script(c->engine_conn, "CREATE TABLE t_s (x INT);"
                                                        " INSERT INTO t_s VALUES (1), (2);"),
              STORE_OK);
    CHECK_INT(count_rows(c, "SELECT COUNT(*) FROM t_s"), 2);
    CHECK_INT(c->store->be->exec_script(c->engine_conn, "INSERT INTO t_s VALUES (3); SELEC;"),
              STORE_ERROR);
    CHECK_INT(count_rows(c, "SELECT COUNT(*) FROM t_s"), 2);
    arena_release(&a);
    store_release(c);
}

static int each_never(void *ctx, const struct store_rows *rows)
{
    (*(int *)ctx)++;
    return 0;
}

/* No batched reading on PostgreSQL: callers read in pages instead. */
static void test_no_query_each(void)
{
    struct store_conn *c = store_acquire(db);
    CHECK(!store_can_stream(c));
    int calls = 0;
    CHECK_INT(store_query_each(c, "SELECT 1", NULL, 0, each_never, &calls), STORE_ERROR);
    CHECK_INT(calls, 0);
    store_release(c);
}

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
    for (int i = 0; i < 600; i++) {
        char *s = arena_printf(&a, "SELECT %d + $1", i);
        struct store_val p[] = {SV_INT(1)};
        CHECK_INT(store_query(c, &a, s, p, 1, &rows), STORE_OK);
        CHECK_INT(store_int(&rows, 0, 0), i + 1);
    }
    /* The server holds no more prepared statements than the cache. */
    int64_t prepared = count_rows(c, "SELECT COUNT(*) FROM pg_prepared_statements");
    CHECK(prepared > 0 && prepared <= PG_CACHE_SLOTS);
    arena_release(&a);
    store_release(c);
}

/* ---- what only a server brings ---------------------------------------- */

static void test_statement_timeout(void)
{
    char *url = url_with_db(db_names[0]);
    setenv("WARMHARBOR_PG_STATEMENT_TIMEOUT_MS", "300", 1);
    char err[300];
    struct store *s = store_open(url, err, sizeof err);
    unsetenv("WARMHARBOR_PG_STATEMENT_TIMEOUT_MS");
    free(url);
    CHECK(s != NULL);
    if (!s)
        return;
    struct store_conn *c = store_acquire(s);
    double t0 = now_s();
    CHECK_INT(store_exec(c, "SELECT pg_sleep(3)", NULL, 0, NULL), STORE_BUSY);
    CHECK(now_s() - t0 < 2.0);
    /* The connection is fine afterwards, inside a transaction too. */
    CHECK_INT(store_ping(c), STORE_OK);
    CHECK_INT(store_begin(c), STORE_OK);
    CHECK_INT(store_exec(c, "SELECT pg_sleep(3)", NULL, 0, NULL), STORE_BUSY);
    CHECK_INT(store_commit(c), STORE_BUSY);
    CHECK_INT(store_ping(c), STORE_OK);
    store_release(c);
    store_close(s);
}

static void test_unique_violation(void)
{
    struct store_conn *c = store_acquire(db);
    static const char sql_ins[] = "INSERT INTO regions (code, level, path, name_zh, created_at,"
                                  " updated_at) VALUES ($1, 'city', '/', $2, 0, 0) RETURNING id";
    struct store_val p[] = {SV_TEXT("dup"), SV_TEXT("x")};
    struct arena a;
    arena_init(&a);
    struct store_rows rows;
    CHECK_INT(store_query(c, &a, sql_ins, p, 2, &rows), STORE_OK);
    CHECK_INT(rows.nrows, 1);
    CHECK_INT(store_query(c, &a, sql_ins, p, 2, &rows), STORE_CONFLICT);
    CHECK_INT(rows.nrows, 0);
    CHECK_INT(store_exec(c, "DELETE FROM regions", NULL, 0, NULL), STORE_OK);
    arena_release(&a);
    store_release(c);
}

struct migrator {
    pthread_barrier_t *barrier;
    const char *url;
    int rc;
};

static void *migrator_main(void *arg)
{
    struct migrator *m = arg;
    char err[300];
    struct store *s = store_open(m->url, err, sizeof err);
    pthread_barrier_wait(m->barrier);
    m->rc = s ? store_migrate(s) : -1;
    store_close(s);
    return NULL;
}

/* Four "nodes" start at once on fresh databases: each migration is
 * applied once and every node succeeds. */
static void test_concurrent_migrate(void)
{
    for (int round = 0; round < 3; round++) {
        char *url = fresh_db();
        CHECK(url != NULL);
        if (!url)
            return;
        pthread_barrier_t barrier;
        pthread_barrier_init(&barrier, NULL, 4);
        struct migrator m[4];
        pthread_t th[4];
        for (int i = 0; i < 4; i++) {
            m[i] = (struct migrator){&barrier, url, -2};
            CHECK_INT(pthread_create(&th[i], NULL, migrator_main, &m[i]), 0);
        }
        for (int i = 0; i < 4; i++) {
            pthread_join(th[i], NULL);
            CHECK_INT(m[i].rc, STORE_OK);
        }
        pthread_barrier_destroy(&barrier);
        char err[300];
        struct store *s = store_open(url, err, sizeof err);
        CHECK(s != NULL);
        if (s) {
            struct store_conn *c = store_acquire(s);
            size_t served = 0; /* distinct versions that serve "pg" */
            for (size_t i = 0; i < store_migration_count; i++) {
                bool seen = false;
                for (size_t j = 0; j < i; j++)
                    seen |= store_migrations[j].version == store_migrations[i].version &&
                            migration_serves(&store_migrations[j], "pg");
                served += !seen && migration_serves(&store_migrations[i], "pg");
            }
            CHECK_INT(count_rows(c, "SELECT COUNT(*) FROM schema_migrations"), (int64_t)served);
            CHECK_INT(count_rows(c, "SELECT COUNT(DISTINCT version) FROM"
                                    " schema_migrations"),
                      (int64_t)served);
            /* The lock is given back and the time limit restored. */
            CHECK_INT(count_rows(c, "SELECT COUNT(*) FROM pg_locks"
                                    " WHERE locktype = 'advisory'"),
                      0);
            store_release(c);
            store_close(s);
        }
        free(url);
    }
}

/* The pool holds at most WARMHARBOR_PG_POOL connections; one more
 * acquire waits for a release, or gives up after about 2 s. */
struct late_release {
    struct store_conn *c;
};

static void *release_later(void *arg)
{
    struct late_release *l = arg;
    usleep(300000);
    store_release(l->c);
    return NULL;
}

static void test_pool_limit(void)
{
    char *url = url_with_db(db_names[0]);
    setenv("WARMHARBOR_PG_POOL", "2", 1);
    char err[300];
    struct store *s = store_open(url, err, sizeof err);
    unsetenv("WARMHARBOR_PG_POOL");
    free(url);
    CHECK(s != NULL);
    if (!s)
        return;
    struct store_conn *a = store_acquire(s);
    struct store_conn *b = store_acquire(s);
    CHECK(a && b && a != b);
    double t0 = now_s();
    CHECK(store_acquire(s) == NULL);
    double waited = now_s() - t0;
    CHECK(waited > 1.5 && waited < 4.0);

    struct late_release l = {b};
    pthread_t th;
    pthread_create(&th, NULL, release_later, &l);
    t0 = now_s();
    struct store_conn *c = store_acquire(s);
    CHECK(c == b);
    CHECK(now_s() - t0 < 1.5);
    pthread_join(th, NULL);
    CHECK_INT(s->nall, 2);
    store_release(a);
    store_release(c);
    store_close(s);

    /* The default: 2 x worker threads, at least 16. */
    setenv("WARMHARBOR_THREADS", "20", 1);
    CHECK_INT(default_pool_limit(), 40);
    setenv("WARMHARBOR_THREADS", "2", 1);
    CHECK_INT(default_pool_limit(), 16);
    unsetenv("WARMHARBOR_THREADS");
    CHECK(default_pool_limit() >= 16);
}

struct sleeper {
    struct store_conn *c;
    int rc;
};

static void *sleeper_main(void *arg)
{
    struct sleeper *s = arg;
    s->rc = store_exec(s->c, "SELECT pg_sleep(4)", NULL, 0, NULL);
    return NULL;
}

static void test_reconnect_after_terminate(void)
{
    struct store_conn *c = store_acquire(db);
    int64_t pid = backend_pid(c);
    CHECK(pid > 0);

    /* Idle when its session ends: the next statement notices and
     * reconnects first. */
    terminate(pid);
    CHECK_INT(store_ping(c), STORE_OK);
    int64_t pid2 = backend_pid(c);
    CHECK(pid2 > 0 && pid2 != pid);
    /* Prepared statements are made again on the new session. */
    static const char sql_again[] = "SELECT $1::int * 2";
    struct store_val p[] = {SV_INT(21)};
    struct arena a;
    arena_init(&a);
    struct store_rows rows;
    CHECK_INT(store_query(c, &a, sql_again, p, 1, &rows), STORE_OK);
    terminate(pid2);
    CHECK_INT(store_query(c, &a, sql_again, p, 1, &rows), STORE_OK);
    CHECK_INT(rows.nrows ? store_int(&rows, 0, 0) : 0, 42);

    /* Mid-statement: that statement is STORE_BUSY, the next one works. */
    struct sleeper sl = {c, -1};
    pthread_t th;
    pthread_create(&th, NULL, sleeper_main, &sl);
    usleep(300000);
    int64_t pid3 = -1;
    {
        struct store_conn *ad = store_acquire(admin);
        struct store_rows r;
        struct store_val q[] = {SV_TEXT(db_names[0])};
        if (store_query(ad, &a,
                        "SELECT pid FROM pg_stat_activity WHERE query ="
                        " 'SELECT pg_sleep(4)' AND datname = $1",
                        q, 1, &r) == STORE_OK &&
            r.nrows == 1)
            pid3 = store_int(&r, 0, 0);
        store_release(ad);
    }
    CHECK(pid3 > 0);
    double t0 = now_s();
    if (pid3 > 0)
        terminate(pid3);
    pthread_join(th, NULL);
    CHECK_INT(sl.rc, STORE_BUSY);
    CHECK(now_s() - t0 < 2.0);
    CHECK_INT(retry_ok(c, "SELECT 1", 3.0), STORE_OK);

    /* Inside a transaction: the transaction is lost, which the caller
     * hears (BUSY) instead of going on in autocommit on a new session. */
    CHECK_INT(store_exec(c, "DELETE FROM t_kv", NULL, 0, NULL), STORE_OK);
    CHECK_INT(store_begin(c), STORE_OK);
    CHECK_INT(store_exec(c, "INSERT INTO t_kv (k, v) VALUES ('lost', 1)", NULL, 0, NULL), STORE_OK);
    terminate(backend_pid(c));
    CHECK_INT(store_exec(c, "INSERT INTO t_kv (k, v) VALUES ('lost2', 1)", NULL, 0, NULL),
              STORE_BUSY);
    CHECK_INT(store_exec(c, "INSERT INTO t_kv (k, v) VALUES ('lost3', 1)", NULL, 0, NULL),
              STORE_BUSY);
    CHECK_INT(store_commit(c), STORE_BUSY);
    CHECK_INT(retry_ok(c, "SELECT 1", 3.0), STORE_OK);
    CHECK_INT(count_rows(c, "SELECT COUNT(*) FROM t_kv"), 0);
    /* ... and rollback of a lost transaction is fine. */
    CHECK_INT(store_begin(c), STORE_OK);
    terminate(backend_pid(c));
    CHECK_INT(store_exec(c, "SELECT 1", NULL, 0, NULL), STORE_BUSY);
    CHECK_INT(store_rollback(c), STORE_OK);
    CHECK_INT(retry_ok(c, "SELECT 1", 3.0), STORE_OK);
    arena_release(&a);
    store_release(c);
}

/* Stop the whole server, check that the store answers busy (and never
 * crashes), start it again, check that it works again. Needs the cluster
 * directory of tools/pg_cluster.sh in WARMHARBOR_TEST_PG_DIR. */
static void test_server_restart(void)
{
    const char *dir = getenv("WARMHARBOR_TEST_PG_DIR");
    if (!dir || !*dir) {
        printf("note: WARMHARBOR_TEST_PG_DIR not set: server stop/start not"
               " tested (pg_terminate_backend is)\n");
        return;
    }
    const char *src = getenv("WARMHARBOR_SRC_DIR");
    char cmd[1024];
    struct store_conn *c = store_acquire(db);
    struct store_conn *c2 = store_acquire(db);
    CHECK_INT(store_ping(c), STORE_OK);
    CHECK_INT(store_ping(c2), STORE_OK);
    store_release(c2);

    snprintf(cmd, sizeof cmd, "%s%stools/pg_cluster.sh stop '%s'", src && *src ? src : "",
             src && *src ? "/" : "", dir);
    CHECK_INT(system(cmd), 0);
    CHECK_INT(store_ping(c), STORE_BUSY);
    CHECK_INT(store_ping(c), STORE_BUSY);
    CHECK_INT(store_begin(c), STORE_BUSY);
    CHECK_INT(store_migrate(db), STORE_BUSY);
    /* A new connection cannot be had either: NULL, the HTTP layer's 503. */
    struct store_conn *busy[3];
    int got = 0;
    for (int i = 0; i < 3; i++)
        got += (busy[i] = store_acquire(db)) != NULL;
    for (int i = 0; i < 3; i++)
        if (busy[i])
            CHECK_INT(store_ping(busy[i]), STORE_BUSY);
    for (int i = 0; i < 3; i++)
        store_release(busy[i]);
    CHECK(got <= 1); /* only the pooled c2 */

    snprintf(cmd, sizeof cmd, "%s%stools/pg_cluster.sh restart '%s'", src && *src ? src : "",
             src && *src ? "/" : "", dir);
    CHECK_INT(system(cmd), 0);
    CHECK_INT(retry_ok(c, "SELECT 1", 5.0), STORE_OK);
    CHECK_INT(count_rows(c, "SELECT COUNT(*) FROM schema_migrations") > 0, 1);
    store_release(c);
    /* Every pooled connection works again. */
    struct store_conn *all[4];
    for (int i = 0; i < 4; i++) {
        all[i] = acquire_retry(db, 5.0);
        CHECK(all[i] != NULL);
        if (all[i])
            CHECK_INT(retry_ok(all[i], "SELECT 1", 5.0), STORE_OK);
    }
    for (int i = 0; i < 4; i++)
        store_release(all[i]);
    CHECK_INT(store_migrate(db), STORE_OK);
    /* The admin store too, for the clean-up. */
    struct store_conn *ad = acquire_retry(admin, 5.0);
    CHECK(ad != NULL);
    if (ad)
        CHECK_INT(retry_ok(ad, "SELECT 1", 5.0), STORE_OK);
    store_release(ad);
}

/* ---- the schema: the SQLite golden's tables, columns and named
 * indexes exist on PostgreSQL too ------------------------------------------ */

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    struct strbuf sb = STRBUF_INIT;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        strbuf_add(&sb, buf, n);
    fclose(f);
    return strbuf_detach(&sb, NULL);
}

/* The golden file reduced to "table T", "column C" and "index I" lines,
 * SQLite's automatic indexes left out. */
static void golden_names(const char *text, struct strbuf *out)
{
    const char *p = text;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        char line[256];
        snprintf(line, sizeof line, "%.*s", (int)len, p);
        char name[128];
        if (sscanf(line, "table %127s", name) == 1)
            strbuf_addf(out, "table %s\n", name);
        else if (sscanf(line, " column %127[^|]", name) == 1)
            strbuf_addf(out, "  column %s\n", name);
        else if (sscanf(line, " index %127s", name) == 1 &&
                 strncmp(name, "sqlite_autoindex_", 17) != 0)
            strbuf_addf(out, "  index %s\n", name);
        p += len + (nl ? 1 : 0);
    }
}

static void test_schema_like_sqlite(void)
{
    char golden[1024];
    const char *dir = getenv("WARMHARBOR_SRC_DIR");
    snprintf(golden, sizeof golden, "%s%s%s", dir && *dir ? dir : "", dir && *dir ? "/" : "",
             GOLDEN_REL);
    char *text = read_file(golden);
    CHECK(text != NULL);
    if (!text) {
        fprintf(stderr, "  cannot read %s\n", golden);
        return;
    }
    struct strbuf want = STRBUF_INIT, got = STRBUF_INIT;
    golden_names(text, &want);
    free(text);

    struct store_conn *c = store_acquire(db);
    struct arena a;
    arena_init(&a);
    struct store_rows tables;
    CHECK_INT(store_query(c, &a,
                          "SELECT tablename FROM pg_tables WHERE schemaname ="
                          " current_schema() AND tablename NOT LIKE 't\\_%'"
                          " ORDER BY tablename COLLATE \"C\"",
                          NULL, 0, &tables),
              STORE_OK);
    for (size_t t = 0; t < tables.nrows; t++) {
        const char *table = store_text(&tables, t, 0);
        strbuf_addf(&got, "table %s\n", table);
        struct store_val p[] = {SV_TEXT(table)};
        struct store_rows cols, idx;
        CHECK_INT(store_query(c, &a,
                              "SELECT column_name FROM information_schema.columns"
                              " WHERE table_schema = current_schema()"
                              " AND table_name = $1 ORDER BY ordinal_position",
                              p, 1, &cols),
                  STORE_OK);
        for (size_t i = 0; i < cols.nrows; i++)
            strbuf_addf(&got, "  column %s\n", store_text(&cols, i, 0));
        /* Indexes that no constraint made (those are SQLite's autoindexes). */
        CHECK_INT(store_query(c, &a,
                              "SELECT i.relname FROM pg_index x"
                              " JOIN pg_class i ON i.oid = x.indexrelid"
                              " JOIN pg_class t ON t.oid = x.indrelid"
                              " WHERE t.relname = $1 AND t.relnamespace ="
                              " current_schema()::regnamespace"
                              " AND NOT EXISTS (SELECT 1 FROM pg_constraint k"
                              " WHERE k.conindid = x.indexrelid)"
                              " ORDER BY i.relname COLLATE \"C\"",
                              p, 1, &idx),
                  STORE_OK);
        for (size_t i = 0; i < idx.nrows; i++)
            strbuf_addf(&got, "  index %s\n", store_text(&idx, i, 0));
    }
    arena_release(&a);
    store_release(c);
    bool same = want.buf && got.buf && strcmp(want.buf, got.buf) == 0;
    CHECK(same);
    if (!same)
        fprintf(stderr, "  expected (from %s):\n%s  got:\n%s", golden, want.buf ? want.buf : "",
                got.buf ? got.buf : "");
    strbuf_release(&want);
    strbuf_release(&got);
}

int main(void)
{
    base_url = getenv("WARMHARBOR_TEST_PG");
    if (!base_url || !*base_url) {
        printf("skipped: WARMHARBOR_TEST_PG not set\n");
        return test_report("store_pg");
    }
    RUN(test_sqlstate_map);
    RUN(test_open);
    char err[300] = "";
    admin = store_open(base_url, err, sizeof err);
    if (!admin) {
        fprintf(stderr, "cannot open WARMHARBOR_TEST_PG: %s\n", err);
        test_cases_failed++;
        return test_report("store_pg");
    }
    RUN(test_open_and_migrate);
    if (db) {
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
        RUN(test_no_query_each);
        RUN(test_statement_timeout);
        RUN(test_unique_violation);
        RUN(test_pool_limit);
        RUN(test_reconnect_after_terminate);
        RUN(test_schema_like_sqlite);
        RUN(test_concurrent_migrate);
        RUN(test_server_restart);
        store_close(db);
    }
    drop_dbs();
    store_close(admin);
    return test_report("store_pg");
}
