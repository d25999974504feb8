/*
 * childcare_test.c - unit tests for the childcare rules in
 * src/childcare/childcare.c.
 *
 * Ages on a day (the birthday itself, the day before, 29 February); the
 * states that hold places; timetable kinds and HH:MM times; consent
 * versions; and the rotating pickup code: six digits, stable within its
 * step, accepted for its step and the next and never after, different for
 * the guardian, each pickup person and each child, and tied to the key.
 */
#include <stdio.h>
#include <string.h>

#include "childcare/childcare.h"
#include "test.h"

static const unsigned char key[32] = "childcare-unit-test-key-32-bytes";
static const unsigned char other_key[32] = "childcare-unit-test-key-other-32";

static void test_ages(void)
{
    CHECK_INT(childcare_age_on(20180301, 20270705), 9);
    CHECK_INT(childcare_age_on(20180705, 20270705), 9);
    CHECK_INT(childcare_age_on(20180706, 20270705), 8);
    CHECK_INT(childcare_age_on(20160229, 20270228), 10);
    CHECK_INT(childcare_age_on(20160229, 20270301), 11);
    CHECK_INT(childcare_age_on(20270705, 20270705), 0);
}

static void test_states_and_fields(void)
{
    CHECK(childcare_state_holds_places("enrolled"));
    CHECK(childcare_state_holds_places("offered"));
    CHECK(!childcare_state_holds_places("waitlisted"));
    CHECK(!childcare_state_holds_places("cancelled"));
    CHECK(!childcare_state_holds_places(NULL));
    CHECK(childcare_activity_is_valid("heritage"));
    CHECK(childcare_activity_is_valid("homework"));
    CHECK(childcare_activity_is_valid("supervision"));
    CHECK(!childcare_activity_is_valid("Heritage"));
    CHECK(!childcare_activity_is_valid(""));
    CHECK(!childcare_activity_is_valid(NULL));
    CHECK_INT(childcare_clock_minutes("08:30"), 510);
    CHECK_INT(childcare_clock_minutes("00:00"), 0);
    CHECK_INT(childcare_clock_minutes("24:00"), 1440);
    CHECK_INT(childcare_clock_minutes("24:01"), -1);
    CHECK_INT(childcare_clock_minutes("12:60"), -1);
    CHECK_INT(childcare_clock_minutes("8:30"), -1);
    CHECK_INT(childcare_clock_minutes("08-30"), -1);
    CHECK_INT(childcare_clock_minutes(NULL), -1);
    CHECK(childcare_version_is_valid("2027.1"));
    CHECK(childcare_version_is_valid("v1_b-2"));
    CHECK(!childcare_version_is_valid(""));
    CHECK(!childcare_version_is_valid("a b"));
    CHECK(!childcare_version_is_valid("123456789012345678901234567890123"));
}

static void test_pickup_code(void)
{
    int64_t step = CHILDCARE_CODE_STEP_S, t = 1783000000 - 1783000000 % step;
    char g[8], g_same[8], g_next[8], p1[8], p1_other_child[8], p2[8], other[8];
    childcare_pickup_code(key, 42, 0, 0, t, g);
    childcare_pickup_code(key, 42, 0, 0, t + step - 1, g_same);
    childcare_pickup_code(key, 42, 0, 0, t + step, g_next);
    childcare_pickup_code(key, 42, 7, 1, t, p1);
    childcare_pickup_code(key, 42, 8, 1, t, p1_other_child);
    childcare_pickup_code(key, 42, 7, 2, t, p2);
    childcare_pickup_code(other_key, 42, 0, 0, t, other);
    CHECK_INT((int)strlen(g), 6);
    CHECK(strspn(g, "0123456789") == 6);
    CHECK_STR(g, g_same);
    /* Different codes (a collision of six digits is possible in general;
     * for these fixed inputs they differ). */
    CHECK(strcmp(g, g_next) != 0);
    CHECK(strcmp(g, p1) != 0 && strcmp(p1, p2) != 0 && strcmp(p1, p1_other_child) != 0);
    CHECK(strcmp(g, other) != 0);
    /* The guardian's code serves every child; accepted in its step and the next. */
    CHECK_INT(childcare_pickup_match(key, 42, 7, 2, g, t), 0);
    CHECK_INT(childcare_pickup_match(key, 42, 9, 0, g, t + step + 5), 0);
    CHECK_INT(childcare_pickup_match(key, 42, 7, 2, g, t + 2 * step), -1);
    CHECK_INT(childcare_pickup_match(key, 42, 7, 2, g, t - 1), -1);
    /* A pickup person's: for their child only. */
    CHECK_INT(childcare_pickup_match(key, 42, 7, 2, p1, t), 1);
    CHECK_INT(childcare_pickup_match(key, 42, 7, 2, p2, t), 2);
    CHECK_INT(childcare_pickup_match(key, 42, 7, 1, p2, t), -1);
    CHECK_INT(childcare_pickup_match(key, 42, 8, 2, p2, t), -1);
    /* Another guardian, another key, a malformed code. */
    CHECK_INT(childcare_pickup_match(key, 43, 0, 0, g, t), -1);
    CHECK_INT(childcare_pickup_match(other_key, 42, 0, 0, g, t), -1);
    CHECK_INT(childcare_pickup_match(key, 42, 0, 0, "12345", t), -1);
    CHECK_INT(childcare_pickup_match(key, 42, 0, 0, NULL, t), -1);
    CHECK_INT(childcare_code_left(t), step);
    CHECK_INT(childcare_code_left(t + step - 1), 1);
}

int main(void)
{
    RUN(test_ages);
    RUN(test_states_and_fields);
    RUN(test_pickup_code);
    return test_report("childcare");
}
