/*
 * points_test.c - the rules of points: reasons and groups, coefficients,
 * caps, the local day and the end of the following year.
 */
#include <string.h>

#include "points/points.h"
#include "test.h"

static void test_reasons(void)
{
    CHECK(points_reason_is_valid("report"));
    CHECK(points_reason_is_valid("report:road_damage"));
    CHECK(points_reason_is_valid("volunteer_hour"));
    CHECK(!points_reason_is_valid(""));
    CHECK(!points_reason_is_valid(NULL));
    CHECK(!points_reason_is_valid("Report"));
    CHECK(!points_reason_is_valid("report:"));
    CHECK(!points_reason_is_valid(":x"));
    CHECK(!points_reason_is_valid("a:b:c"));
    CHECK(!points_reason_is_valid("a b"));
    struct arena a;
    arena_init(&a);
    CHECK_STR(points_reason_group(&a, "report:road_damage"), "report");
    CHECK_STR(points_reason_group(&a, "volunteer_hour"), "volunteer_hour");
    arena_release(&a);
}

static void test_coefficient_and_caps(void)
{
    CHECK_INT(points_apply_coefficient(10, 100), 10);
    CHECK_INT(points_apply_coefficient(10, 150), 15);
    CHECK_INT(points_apply_coefficient(7, 50), 3); /* rounded down */
    CHECK_INT(points_apply_coefficient(10, 0), 0);
    CHECK_INT(points_apply_coefficient(-5, 100), 0);
    CHECK_INT(points_capped(10, 0, 25), 10);
    CHECK_INT(points_capped(10, 20, 25), 5);
    CHECK_INT(points_capped(10, 25, 25), 0);
    CHECK_INT(points_capped(10, 30, 25), 0);
    CHECK_INT(points_capped(10, 1000, 0), 10); /* 0: no cap */
    CHECK_INT(points_capped(0, 0, 25), 0);
}

static void test_days_and_expiry(void)
{
    /* 2026-12-31 23:30 +08:00 is 15:30 UTC: still 2026 locally. */
    int64_t t = 1798731000; /* 2026-12-31T15:30:00Z */
    CHECK_INT(points_day(t, 480), 20261231);
    CHECK_INT(points_day(t + 3600, 480), 20270101);
    /* Earned on 31 December 2026 (local): expires at 2028-01-01 00:00 +08:00.
     */
    CHECK_INT(points_expiry(t, 480), 1830268800);
    /* Half an hour later it is 2027 locally: one more year. */
    CHECK_INT(points_expiry(t + 3600, 480), 1861891200);
    /* In UTC the same instant is still 2026. */
    CHECK_INT(points_expiry(t + 3600, 0), 1830297600);
}

int main(void)
{
    RUN(test_reasons);
    RUN(test_coefficient_and_caps);
    RUN(test_days_and_expiry);
    return test_report("points");
}
