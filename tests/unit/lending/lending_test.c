/*
 * lending_test.c - unit tests for the lending rules in src/lending/lending.c.
 *
 * Loan states and which of them are still out; overdue as the tick will
 * see it (a loan out past its due time is overdue before the tick marks
 * it; one back is never overdue); due times per type; the limit of a type
 * (its own maximum only when it is tighter than the global one); item
 * codes; WARMHARBOR_LOAN_LIMIT's text; what the account module's QR code
 * says once unsealed (a user id and an expiry, nothing else; expired at
 * the second it names); and the windows a reservation may have.
 */
#include <stdio.h>
#include <string.h>

#include "lending/lending.h"
#include "test.h"

static void test_states(void)
{
    const char *valid[] = {"out", "overdue", "returned", "lost", "damaged"};
    for (size_t i = 0; i < 5; i++)
        CHECK(lending_state_is_valid(valid[i]));
    CHECK(!lending_state_is_valid("Out"));
    CHECK(!lending_state_is_valid(""));
    CHECK(!lending_state_is_valid(NULL));
    CHECK(!lending_state_is_valid("reserved"));
    CHECK(lending_is_out("out"));
    CHECK(lending_is_out("overdue"));
    CHECK(!lending_is_out("returned"));
    CHECK(!lending_is_out("lost"));
    CHECK(!lending_is_out("damaged"));
    CHECK(!lending_is_out(NULL));
}

static void test_overdue(void)
{
    struct loan l = {0};
    l.state = "out";
    l.due_at = 1000;
    CHECK(!lending_is_overdue(&l, 999));
    CHECK(lending_is_overdue(&l, 1000)); /* due at that second */
    CHECK(lending_is_overdue(&l, 5000));
    l.state = "overdue"; /* marked: overdue whatever the clock says */
    CHECK(lending_is_overdue(&l, 10));
    l.state = "returned";
    CHECK(!lending_is_overdue(&l, 5000));
    l.state = "lost";
    CHECK(!lending_is_overdue(&l, 5000));
}

static void test_due_and_limits(void)
{
    CHECK_INT(lending_due_at(1000, 72), 1000 + 72 * 3600);
    CHECK_INT(lending_due_at(1000, 0), 1000 + 3600); /* never due at once */
    /* A type's own maximum counts only when it is tighter. */
    CHECK_INT(lending_type_limit(0, 3), 3);
    CHECK_INT(lending_type_limit(1, 3), 1);
    CHECK_INT(lending_type_limit(3, 3), 3);
    CHECK_INT(lending_type_limit(5, 3), 3);
    CHECK_INT(lending_type_limit(2, 1), 1);
}

static void test_codes(void)
{
    CHECK(lending_code_is_valid("raincoat"));
    CHECK(lending_code_is_valid("livestream_mic"));
    CHECK(lending_code_is_valid("a2"));
    CHECK(!lending_code_is_valid(""));
    CHECK(!lending_code_is_valid(NULL));
    CHECK(!lending_code_is_valid("2go"));
    CHECK(!lending_code_is_valid("_x"));
    CHECK(!lending_code_is_valid("Raincoat"));
    CHECK(!lending_code_is_valid("rain coat"));
    CHECK(!lending_code_is_valid("rain-coat"));
    CHECK(!lending_code_is_valid("雨衣"));
    char max[LENDING_CODE_MAX + 2];
    memset(max, 'a', sizeof max);
    max[LENDING_CODE_MAX] = '\0';
    CHECK(lending_code_is_valid(max));
    max[LENDING_CODE_MAX] = 'a';
    max[LENDING_CODE_MAX + 1] = '\0';
    CHECK(!lending_code_is_valid(max));
}

static void test_limit_parse(void)
{
    int64_t v = -1;
    CHECK_INT(lending_limit_parse(NULL, &v), 0);
    CHECK_INT(v, LENDING_DEFAULT_LIMIT);
    CHECK_INT(lending_limit_parse("", &v), 0);
    CHECK_INT(v, LENDING_DEFAULT_LIMIT);
    CHECK_INT(lending_limit_parse("5", &v), 0);
    CHECK_INT(v, 5);
    CHECK_INT(lending_limit_parse("1", &v), 0);
    CHECK_INT(lending_limit_parse("50", &v), 0);
    v = 7;
    CHECK_INT(lending_limit_parse("0", &v), -1);
    CHECK_INT(lending_limit_parse("-2", &v), -1);
    CHECK_INT(lending_limit_parse("51", &v), -1);
    CHECK_INT(lending_limit_parse("3 items", &v), -1);
    CHECK_INT(lending_limit_parse("three", &v), -1);
    CHECK_INT(lending_limit_parse(" 3", &v), -1);
    CHECK_INT(lending_limit_parse("99999999999999999999", &v), -1);
    CHECK_INT(v, 7); /* untouched on failure */
}

static void test_qr(void)
{
    int64_t uid = 0;
    CHECK_INT(lending_qr_user("42:2000", 1000, &uid), LENDING_QR_OK);
    CHECK_INT(uid, 42);
    uid = 0;
    CHECK_INT(lending_qr_user("42:1000", 1000, &uid), LENDING_QR_EXPIRED);
    CHECK_INT(lending_qr_user("42:999", 1000, &uid), LENDING_QR_EXPIRED);
    CHECK_INT(uid, 0);
    /* Not sealed by us (NULL), or not what the account module seals. */
    CHECK_INT(lending_qr_user(NULL, 1000, &uid), LENDING_QR_INVALID);
    CHECK_INT(lending_qr_user("", 1000, &uid), LENDING_QR_INVALID);
    CHECK_INT(lending_qr_user("42", 1000, &uid), LENDING_QR_INVALID);
    CHECK_INT(lending_qr_user(":2000", 1000, &uid), LENDING_QR_INVALID);
    CHECK_INT(lending_qr_user("42:", 1000, &uid), LENDING_QR_INVALID);
    CHECK_INT(lending_qr_user("0:2000", 1000, &uid), LENDING_QR_INVALID);
    CHECK_INT(lending_qr_user("-3:2000", 1000, &uid), LENDING_QR_INVALID);
    CHECK_INT(lending_qr_user("x:2000", 1000, &uid), LENDING_QR_INVALID);
    CHECK_INT(lending_qr_user("42:2000:1", 1000, &uid), LENDING_QR_INVALID);
    CHECK_INT(lending_qr_user("42:2000x", 1000, &uid), LENDING_QR_INVALID);
    CHECK_INT(lending_qr_user("123456789012345678901234:2000", 1000, &uid), LENDING_QR_INVALID);
    CHECK_INT(uid, 0);
}

static void test_windows(void)
{
    int64_t now = 1000000;
    CHECK(lending_window_fault(now, now, now + 3600) == NULL);
    CHECK(lending_window_fault(now, now - 60, now + 3600) == NULL);
    CHECK(lending_window_fault(now, now + 86400, now + 86400 + 4 * 3600) == NULL);
    CHECK(lending_window_fault(now, now + LENDING_RESERVE_AHEAD_S,
                               now + LENDING_RESERVE_AHEAD_S + 60) == NULL);
    CHECK(lending_window_fault(now, now, now + LENDING_RESERVE_WINDOW_S) == NULL);
    CHECK_STR(lending_window_fault(now, now - 61, now + 3600), "starts_at");
    CHECK_STR(lending_window_fault(now, now + LENDING_RESERVE_AHEAD_S + 1, now + 8 * 86400),
              "starts_at");
    CHECK_STR(lending_window_fault(now, now, now), "ends_at");
    CHECK_STR(lending_window_fault(now, now + 100, now + 50), "ends_at");
    CHECK_STR(lending_window_fault(now, now, now + LENDING_RESERVE_WINDOW_S + 1), "ends_at");
    CHECK_STR(lending_window_fault(now, now - 60, now - 10), "ends_at");
}

int main(void)
{
    RUN(test_states);
    RUN(test_overdue);
    RUN(test_due_and_limits);
    RUN(test_codes);
    RUN(test_limit_parse);
    RUN(test_qr);
    RUN(test_windows);
    return test_report("lending");
}
