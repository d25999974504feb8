/*
 * locker_test.c - unit tests for the locker rules in src/locker/locker.c,
 * with the site's opening hours through site_open_at as the claim handler
 * uses them.
 *
 * A day's claim ends at the site's closing time when it comes within a
 * day (also after midnight, for a site open late), else at the next local
 * midnight in China's time (a site open around the clock); a holiday's
 * hours come from the calendar. Slot kinds and pickup codes.
 */
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "locker/locker.h"
#include "site/site.h"
#include "test.h"

static int64_t iso(const char *s)
{
    int64_t t = 0;
    if (clock_parse_iso(s, CLOCK_CHINA_OFFSET_MIN, &t))
        fprintf(stderr, "test time does not parse: %s\n", s);
    return t;
}

/* When a claim made at `at` at a site with these hours ends; 0 when the
 * site is closed then. */
static int64_t ends_for(const char *hours, const struct hours_calendar *cal, const char *at)
{
    struct site s;
    memset(&s, 0, sizeof s);
    s.status = "operational";
    s.opening_hours = hours;
    bool open;
    int64_t next;
    int64_t t = iso(at);
    site_open_at(&s, cal, t, CLOCK_CHINA_OFFSET_MIN, &open, &next);
    return open ? locker_claim_ends(next, t, CLOCK_CHINA_OFFSET_MIN) : 0;
}

static void test_claim_ends(void)
{
    /* 2026-06-01 is a Monday. */
    CHECK_INT(ends_for("Mo-Fr 08:00-20:00", NULL, "2026-06-01T10:00"), iso("2026-06-01T20:00"));
    CHECK_INT(ends_for("Mo-Fr 08:00-20:00", NULL, "2026-06-01T19:59"), iso("2026-06-01T20:00"));
    CHECK_INT(ends_for("Mo-Fr 08:00-20:00", NULL, "2026-06-01T21:00"), 0);
    CHECK_INT(ends_for("Mo-Fr 08:00-20:00", NULL, "2026-06-06T10:00"), 0); /* Saturday */
    /* A lunch break closes the site: the slot goes at 12:00. */
    CHECK_INT(ends_for("Mo-Su 08:00-12:00,14:00-20:00", NULL, "2026-06-01T09:00"),
              iso("2026-06-01T12:00"));
    /* Open late, past midnight: the claim lasts until closing. */
    CHECK_INT(ends_for("Mo-Su 18:00-02:00", NULL, "2026-06-01T23:00"), iso("2026-06-02T02:00"));
    /* Around the clock: until local midnight (not UTC's). */
    CHECK_INT(ends_for("24/7", NULL, "2026-06-01T10:00"), iso("2026-06-02T00:00"));
    CHECK_INT(ends_for("24/7", NULL, "2026-06-01T00:00"), iso("2026-06-02T00:00"));
    CHECK_INT(ends_for("24/7", NULL, "2026-06-01T07:30"), iso("2026-06-02T00:00"));
    CHECK_INT(ends_for("24/7", NULL, "2026-06-01T23:59"), iso("2026-06-02T00:00"));
    /* A holiday in the calendar: the PH hours decide. */
    static const struct hours_day days[] = {{20260601, HOURS_DAY_HOLIDAY, 0}};
    struct hours_calendar cal = {days, 1};
    CHECK_INT(ends_for("Mo-Fr 08:00-20:00; PH 09:00-12:00", &cal, "2026-06-01T10:00"),
              iso("2026-06-01T12:00"));
    CHECK_INT(ends_for("Mo-Fr 08:00-20:00; PH off", &cal, "2026-06-01T10:00"), 0);
}

static void test_claim_ends_plain(void)
{
    int64_t t = iso("2026-06-01T10:00");
    /* A change more than a day ahead is no closing time for today. */
    CHECK_INT(locker_claim_ends(t + 86400 + 60, t, CLOCK_CHINA_OFFSET_MIN),
              iso("2026-06-02T00:00"));
    CHECK_INT(locker_claim_ends(t + 86400, t, CLOCK_CHINA_OFFSET_MIN), t + 86400);
    CHECK_INT(locker_claim_ends(-1, t, CLOCK_CHINA_OFFSET_MIN), iso("2026-06-02T00:00"));
    CHECK_INT(locker_claim_ends(t, t, CLOCK_CHINA_OFFSET_MIN), iso("2026-06-02T00:00"));
    /* In UTC, midnight is UTC's. */
    CHECK_INT(locker_claim_ends(-1, 86400 + 5, 0), 2 * 86400);
    CHECK_INT(locker_claim_ends(-1, 0, 0), 86400);
}

static void test_kinds_and_codes(void)
{
    CHECK(locker_kind_is_valid("fridge"));
    CHECK(locker_kind_is_valid("locker"));
    CHECK(!locker_kind_is_valid("Fridge"));
    CHECK(!locker_kind_is_valid("freezer"));
    CHECK(!locker_kind_is_valid(""));
    CHECK(!locker_kind_is_valid(NULL));
    CHECK(locker_code_is_valid("000000"));
    CHECK(locker_code_is_valid("481926"));
    CHECK(!locker_code_is_valid("48192"));
    CHECK(!locker_code_is_valid("4819260"));
    CHECK(!locker_code_is_valid("48192a"));
    CHECK(!locker_code_is_valid(" 81926"));
    CHECK(!locker_code_is_valid(""));
    CHECK(!locker_code_is_valid(NULL));
}

int main(void)
{
    RUN(test_claim_ends);
    RUN(test_claim_ends_plain);
    RUN(test_kinds_and_codes);
    return test_report("locker");
}
