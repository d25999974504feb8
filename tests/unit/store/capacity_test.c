/*
 * capacity_test.c - the capacity idiom of the house style, under
 * contention, on both engines: 8 threads, each with its own connection,
 * try 100 times each to take a place with
 *   UPDATE t SET taken = taken + 1 WHERE id = $1 AND taken < cap
 * and count a place as theirs when the affected-row count is 1. The places
 * taken must never exceed the capacity and must equal the successes.
 *
 * SQLite always (a temporary file); PostgreSQL when WARMHARBOR_TEST_PG
 * holds a server URL (a table named after the process, dropped at the
 * end), else that half is skipped with a note.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store.h"
#include "test.h"

#define THREADS 8
#define TRIES 100
#define CAPACITY 37

static struct store *st;
static char table[64];
static char sql_take[160];

struct taker {
    pthread_barrier_t *barrier;
    int taken;  /* affected-row count 1 */
    int missed; /* affected-row count 0 */
    int busy;   /* STORE_BUSY: allowed, counted */
    int other;  /* anything else: a failure */
};

static void *taker_main(void *arg)
{
    struct taker *t = arg;
    struct store_conn *c = store_acquire(st);
    pthread_barrier_wait(t->barrier);
    if (!c) {
        t->other = TRIES;
        return NULL;
    }
    struct store_val p[] = {SV_INT(1)};
    for (int i = 0; i < TRIES; i++) {
        int64_t n = -1;
        int rc = store_exec(c, sql_take, p, 1, &n);
        if (rc == STORE_OK && n == 1)
            t->taken++;
        else if (rc == STORE_OK && n == 0)
            t->missed++;
        else if (rc == STORE_BUSY)
            t->busy++;
        else
            t->other++;
    }
    store_release(c);
    return NULL;
}

static int64_t one_int(struct store_conn *c, const char *sql)
{
    struct arena a;
    arena_init(&a);
    struct store_rows rows;
    int64_t v = -1;
    if (store_query(c, &a, sql, NULL, 0, &rows) == STORE_OK && rows.nrows == 1)
        v = store_int(&rows, 0, 0);
    arena_release(&a);
    return v;
}

/* The race on the open store st. */
static void run_race(void)
{
    struct store_conn *c = store_acquire(st);
    CHECK(c != NULL);
    if (!c)
        return;
    char sql[256];
    snprintf(sql, sizeof sql,
             "CREATE TABLE %s (id INTEGER PRIMARY KEY, taken INTEGER NOT NULL,"
             " cap INTEGER NOT NULL)",
             table);
    CHECK_INT(store_exec(c, sql, NULL, 0, NULL), STORE_OK);
    snprintf(sql, sizeof sql, "INSERT INTO %s (id, taken, cap) VALUES (1, 0, %d)", table, CAPACITY);
    CHECK_INT(store_exec(c, sql, NULL, 0, NULL), STORE_OK);
    snprintf(sql_take, sizeof sql_take,
             "UPDATE %s SET taken = taken + 1 WHERE id = $1 AND taken < cap", table);
    store_release(c);

    pthread_barrier_t barrier;
    pthread_barrier_init(&barrier, NULL, THREADS);
    struct taker t[THREADS];
    pthread_t th[THREADS];
    for (int i = 0; i < THREADS; i++) {
        memset(&t[i], 0, sizeof t[i]);
        t[i].barrier = &barrier;
        CHECK_INT(pthread_create(&th[i], NULL, taker_main, &t[i]), 0);
    }
    int taken = 0, busy = 0, other = 0;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(th[i], NULL);
        taken += t[i].taken;
        busy += t[i].busy;
        other += t[i].other;
    }
    pthread_barrier_destroy(&barrier);

    c = store_acquire(st);
    snprintf(sql, sizeof sql, "SELECT taken FROM %s WHERE id = 1", table);
    int64_t final = one_int(c, sql);
    CHECK_INT(other, 0);
    CHECK_INT(final, taken);
    CHECK(final <= CAPACITY);
    /* 800 tries for 37 places: every place is taken unless many were
     * busy, which would itself be wrong here. */
    CHECK(busy < THREADS * TRIES - CAPACITY);
    CHECK_INT(final, CAPACITY);
    if (busy)
        printf("note: %d of %d tries were STORE_BUSY\n", busy, THREADS * TRIES);
    snprintf(sql, sizeof sql, "DROP TABLE %s", table);
    CHECK_INT(store_exec(c, sql, NULL, 0, NULL), STORE_OK);
    store_release(c);
}

static void test_capacity_sqlite(void)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/wh_capacity_test_XXXXXX");
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd < 0)
        return;
    close(fd);
    char err[300];
    st = store_open(path, err, sizeof err);
    CHECK(st != NULL);
    if (st) {
        snprintf(table, sizeof table, "t_cap");
        run_race();
        store_close(st);
    }
    static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        char p[96];
        snprintf(p, sizeof p, "%s%s", path, suffixes[i]);
        unlink(p);
    }
}

static void test_capacity_pg(void)
{
    const char *url = getenv("WARMHARBOR_TEST_PG");
    char err[300];
    st = store_open(url, err, sizeof err);
    CHECK(st != NULL);
    if (!st) {
        fprintf(stderr, "  store_open: %s\n", err);
        return;
    }
    snprintf(table, sizeof table, "t_cap_%ld", (long)getpid());
    run_race();
    store_close(st);
}

int main(void)
{
    RUN(test_capacity_sqlite);
    const char *url = getenv("WARMHARBOR_TEST_PG");
    if (url && *url)
        RUN(test_capacity_pg);
    else
        printf("note: WARMHARBOR_TEST_PG not set: the PostgreSQL half of"
               " this test is skipped\n");
    return test_report("store_capacity");
}
