/*
 * fair_test.c - unit tests for the fair's rules in src/fair/fair.c.
 *
 * fair_estimate: the booth's stated minutes until FAIR_MEASURE_MIN
 * service times are known, then their mean to the nearest minute (never
 * below one, only the last FAIR_MEASURE_LAST counted, negative durations
 * as zero); fair_wait_min: ahead x minutes per person. The state rules of
 * fairs and tickets, and how long a board stays live. fair_last_sunday
 * and fair_demo_window, checked against dates read off a calendar, across
 * a year's end and a leap February, in China's time (a fair day starts at
 * local midnight, not UTC's).
 */
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "fair/fair.h"
#include "test.h"

static int64_t iso(const char *s)
{
    int64_t t = 0;
    if (clock_parse_iso(s, CLOCK_CHINA_OFFSET_MIN, &t))
        fprintf(stderr, "test time does not parse: %s\n", s);
    return t;
}

static void test_estimate_from_booth_average(void)
{
    struct fair_estimate e = fair_estimate(15, NULL, 0);
    CHECK_INT(e.per_person_min, 15);
    CHECK_STR(e.basis, "booth_average");
    /* Two measured services are not enough to trust. */
    int64_t two[] = {60, 60};
    e = fair_estimate(15, two, 2);
    CHECK_INT(e.per_person_min, 15);
    CHECK_STR(e.basis, "booth_average");
    /* A booth that says nothing sensible still estimates a minute. */
    e = fair_estimate(0, NULL, 0);
    CHECK_INT(e.per_person_min, 1);
}

static void test_estimate_measured(void)
{
    int64_t three[] = {300, 360, 420}; /* 5, 6, 7 minutes: mean 6 */
    struct fair_estimate e = fair_estimate(15, three, 3);
    CHECK_INT(e.per_person_min, 6);
    CHECK_STR(e.basis, "measured");
    /* Nearest minute: 89 s is 1 minute, 90 s is 2. */
    int64_t a[] = {89, 89, 89};
    CHECK_INT(fair_estimate(10, a, 3).per_person_min, 1);
    int64_t b[] = {90, 90, 90};
    CHECK_INT(fair_estimate(10, b, 3).per_person_min, 2);
    /* Instant services (called and done at once) still count a minute. */
    int64_t zero[] = {0, 0, 0, 0};
    CHECK_INT(fair_estimate(10, zero, 4).per_person_min, 1);
    /* Clock skew cannot make a negative wait. */
    int64_t neg[] = {-600, 120, 120};
    CHECK_INT(fair_estimate(10, neg, 3).per_person_min, 1);
    /* Only the newest FAIR_MEASURE_LAST count (newest first). */
    int64_t many[] = {60, 60, 60, 60, 60, 6000, 6000};
    CHECK_INT(fair_estimate(10, many, 7).per_person_min, 1);
}

static void test_wait(void)
{
    struct fair_estimate e = {12, "booth_average"};
    CHECK_INT(fair_wait_min(0, &e), 0);
    CHECK_INT(fair_wait_min(1, &e), 12);
    CHECK_INT(fair_wait_min(7, &e), 84);
    CHECK_INT(fair_wait_min(-1, &e), 0);
}

static void test_fair_states(void)
{
    CHECK(fair_state_is_valid("scheduled"));
    CHECK(fair_state_is_valid("cancelled"));
    CHECK(!fair_state_is_valid("Open"));
    CHECK(!fair_state_is_valid(""));
    CHECK(!fair_state_is_valid(NULL));
    CHECK(fair_state_change_ok("scheduled", "open"));
    CHECK(fair_state_change_ok("scheduled", "cancelled"));
    CHECK(fair_state_change_ok("open", "closed"));
    CHECK(fair_state_change_ok("open", "cancelled"));
    CHECK(fair_state_change_ok("closed", "open"));
    CHECK(fair_state_change_ok("open", "open"));
    CHECK(!fair_state_change_ok("scheduled", "closed"));
    CHECK(!fair_state_change_ok("closed", "scheduled"));
    CHECK(!fair_state_change_ok("cancelled", "open"));
    CHECK(!fair_state_change_ok("cancelled", "scheduled"));
    CHECK(!fair_state_change_ok("open", "paused"));
}

static void test_ticket_states(void)
{
    static const char *const ok[] = {"waiting", "called", "done", "skipped", "cancelled"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        CHECK(fair_ticket_state_is_valid(ok[i]));
    CHECK(!fair_ticket_state_is_valid("served"));
    CHECK(!fair_ticket_state_is_valid(NULL));
    CHECK(fair_ticket_is_active("waiting"));
    CHECK(fair_ticket_is_active("called"));
    CHECK(!fair_ticket_is_active("done"));
    CHECK(!fair_ticket_is_active("skipped"));
    CHECK(!fair_ticket_is_active("cancelled"));
}

static void test_board_is_live(void)
{
    struct fair f = {0};
    f.starts_at = iso("2026-11-29T09:00:00+08:00");
    f.ends_at = iso("2026-11-29T16:00:00+08:00");
    int64_t after = f.ends_at + FAIR_BOARD_AFTER_S;
    f.state = "scheduled";
    CHECK(fair_board_is_live(&f, after + 86400));
    f.state = "open"; /* open is open, even when staff forget to close it */
    CHECK(fair_board_is_live(&f, after + 86400));
    f.state = "closed"; /* the numbers left at closing are still served */
    CHECK(fair_board_is_live(&f, f.ends_at + 60));
    CHECK(fair_board_is_live(&f, after - 1));
    CHECK(!fair_board_is_live(&f, after));
    f.state = "cancelled";
    CHECK(!fair_board_is_live(&f, f.starts_at - 3600));
}

static void test_last_sunday(void)
{
    CHECK_INT(fair_last_sunday(2026, 11), 29); /* Sunday 29 November 2026 */
    CHECK_INT(fair_last_sunday(2026, 12), 27);
    CHECK_INT(fair_last_sunday(2027, 1), 31); /* the month's last day */
    CHECK_INT(fair_last_sunday(2027, 2), 28);
    CHECK_INT(fair_last_sunday(2028, 2), 27); /* leap year: 29th is a Tuesday */
    CHECK_INT(fair_last_sunday(2026, 5), 31);
    CHECK_INT(fair_last_sunday(2026, 6), 28);
    /* Every answer is a Sunday within the month's last week. */
    for (int y = 2025; y <= 2030; y++) {
        for (int m = 1; m <= 12; m++) {
            int d = fair_last_sunday(y, m);
            int64_t days = clock_days_from_civil(y, m, d);
            CHECK_INT(((days % 7) + 7) % 7, 3); /* 1970-01-04 was a Sunday */
            int ny = m == 12 ? y + 1 : y, nm = m == 12 ? 1 : m + 1;
            CHECK(clock_days_from_civil(ny, nm, 1) - days <= 7);
        }
    }
}

static void test_demo_window(void)
{
    int64_t s, e;
    /* Early in the month: this month's last Sunday, 09:00 to 16:00 local. */
    fair_demo_window(iso("2026-11-03T10:00:00+08:00"), CLOCK_CHINA_OFFSET_MIN, &s, &e);
    CHECK_INT(s, iso("2026-11-29T09:00:00+08:00"));
    CHECK_INT(e, iso("2026-11-29T16:00:00+08:00"));
    /* On the day itself, even after the fair's hours: still that day. */
    fair_demo_window(iso("2026-11-29T23:30:00+08:00"), CLOCK_CHINA_OFFSET_MIN, &s, &e);
    CHECK_INT(s, iso("2026-11-29T09:00:00+08:00"));
    /* The day after: next month's. */
    fair_demo_window(iso("2026-11-30T00:10:00+08:00"), CLOCK_CHINA_OFFSET_MIN, &s, &e);
    CHECK_INT(s, iso("2026-12-27T09:00:00+08:00"));
    /* 30 November 00:10 in China is still 29 November in UTC: local wins. */
    CHECK_INT(iso("2026-11-30T00:10:00+08:00") / 86400, clock_days_from_civil(2026, 11, 29));
    /* Across the year's end. */
    fair_demo_window(iso("2026-12-28T08:00:00+08:00"), CLOCK_CHINA_OFFSET_MIN, &s, &e);
    CHECK_INT(s, iso("2027-01-31T09:00:00+08:00"));
    CHECK_INT(e - s, 7 * 3600);
}

int main(void)
{
    RUN(test_estimate_from_booth_average);
    RUN(test_estimate_measured);
    RUN(test_wait);
    RUN(test_fair_states);
    RUN(test_ticket_states);
    RUN(test_board_is_live);
    RUN(test_last_sunday);
    RUN(test_demo_window);
    return test_report("fair");
}
