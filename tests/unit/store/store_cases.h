/*
 * store_cases.h - test cases both store suites run, each on its own
 * store: included by store_test.c (SQLite) and pg_store_test.c
 * (PostgreSQL) after their `db` and count_rows(), so one text says what
 * store_insert promises on either engine.
 */
#ifndef WH_TEST_STORE_CASES_H
#define WH_TEST_STORE_CASES_H

/* store_insert: the new id of a one-row INSERT ... RETURNING id (SQLite
 * reads the last rowid instead of running the clause); no row inserted is
 * STORE_NOT_FOUND, a constraint STORE_CONFLICT; the same text through
 * store_query still returns its row. */
static void test_insert_id(void)
{
    struct store_conn *c = store_acquire(db);
    CHECK_INT(store_exec(c, "DELETE FROM t_kv", NULL, 0, NULL), STORE_OK);
    static const char sql_ins[] = "INSERT INTO t_kv (k, v) VALUES ($1, $2)" STORE_RETURNING_ID;
    static const char sql_ins_ignore[] =
        "INSERT INTO t_kv (k, v) VALUES ($1, $2) ON CONFLICT (k) DO NOTHING" STORE_RETURNING_ID;
    struct store_val a[] = {SV_TEXT("ia"), SV_INT(1)};
    struct store_val b[] = {SV_TEXT("ib"), SV_INT(2)};
    int64_t ida = -1, idb = -1, none = -1;
    CHECK_INT(store_insert(c, sql_ins, a, 2, &ida), STORE_OK);
    CHECK_INT(store_insert(c, sql_ins, b, 2, &idb), STORE_OK);
    CHECK(ida > 0 && idb > ida);
    CHECK_INT(count_rows(c, "SELECT v FROM t_kv WHERE k = 'ib'"), 2);
    struct store_val p[] = {SV_INT(idb)};
    struct arena ar;
    arena_init(&ar);
    struct store_rows rows;
    CHECK_INT(store_query(c, &ar, "SELECT k FROM t_kv WHERE id = $1", p, 1, &rows), STORE_OK);
    CHECK(rows.nrows == 1 && strcmp(store_text(&rows, 0, 0), "ib") == 0);
    /* unique k: a conflict, and with DO NOTHING no row and no id */
    CHECK_INT(store_insert(c, sql_ins, a, 2, &none), STORE_CONFLICT);
    CHECK_INT(store_insert(c, sql_ins_ignore, a, 2, &none), STORE_NOT_FOUND);
    /* the check constraint still holds */
    struct store_val neg[] = {SV_TEXT("ic"), SV_INT(-1)};
    CHECK_INT(store_insert(c, sql_ins, neg, 2, &none), STORE_CONFLICT);
    /* the same SQL through store_query returns the row */
    struct store_val d[] = {SV_TEXT("id"), SV_INT(4)};
    CHECK_INT(store_query(c, &ar, sql_ins, d, 2, &rows), STORE_OK);
    CHECK(rows.nrows == 1 && store_int(&rows, 0, 0) > idb);
    int64_t ide = -1;
    struct store_val e[] = {SV_TEXT("ie"), SV_INT(5)};
    CHECK_INT(store_insert(c, sql_ins, e, 2, &ide), STORE_OK);
    CHECK(ide > store_int(&rows, 0, 0));
    CHECK_INT(count_rows(c, "SELECT COUNT(*) FROM t_kv"), 4);
    arena_release(&ar);
    CHECK_INT(store_exec(c, "DELETE FROM t_kv", NULL, 0, NULL), STORE_OK);
    store_release(c);
}

#endif
