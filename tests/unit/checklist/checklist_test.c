/*
 * checklist_test.c - unit tests for the rules of the daily checks in
 * src/checklist/checklist.c.
 *
 * When a site was open on a day, from its opening hours, its status and
 * the holiday calendar: a plain day, a lunch break, a day it is closed,
 * hours across midnight, round the clock, a public holiday off, a closure
 * that ends during the day. Whether the opening and closing checks are
 * due at a moment of that day, and after it. Kinds and item codes.
 */
#include <stdio.h>
#include <string.h>

#include "checklist/checklist.h"
#include "core/clock.h"
#include "hours/hours.h"
#include "site/site.h"
#include "test.h"

static int64_t iso(const char *s)
{
    int64_t t = 0;
    if (clock_parse_iso(s, CLOCK_CHINA_OFFSET_MIN, &t))
        fprintf(stderr, "test time does not parse: %s\n", s);
    return t;
}

/* The hours of a site on a local day (yyyy-mm-dd). */
static void day_of(const char *hours, const char *status, const char *date,
                   const struct hours_calendar *cal, int64_t *first, int64_t *last)
{
    struct site s;
    site_defaults(&s);
    s.opening_hours = hours;
    s.status = status;
    char buf[40];
    snprintf(buf, sizeof buf, "%sT00:00:00+08:00", date);
    checklist_day_hours(&s, cal, iso(buf), 480, first, last);
}

static void test_plain_days(void)
{
    int64_t first, last;
    /* 2026-03-02 is a Monday. */
    day_of("Mo-Su 08:00-20:00", "operational", "2026-03-02", NULL, &first, &last);
    CHECK_INT(first, iso("2026-03-02T08:00:00+08:00"));
    CHECK_INT(last, iso("2026-03-02T20:00:00+08:00"));
    day_of("Mo-Fr 09:00-12:00,14:00-18:00", "operational", "2026-03-02", NULL, &first, &last);
    CHECK_INT(first, iso("2026-03-02T09:00:00+08:00"));
    CHECK_INT(last, iso("2026-03-02T18:00:00+08:00"));
    /* Sunday: closed all day. */
    day_of("Mo-Fr 09:00-12:00,14:00-18:00", "operational", "2026-03-08", NULL, &first, &last);
    CHECK_INT(first, -1);
    CHECK_INT(last, -1);
    day_of("24/7", "operational", "2026-03-02", NULL, &first, &last);
    CHECK_INT(first, iso("2026-03-02T00:00:00+08:00"));
    CHECK_INT(last, iso("2026-03-03T00:00:00+08:00"));
    /* Across midnight: open at the day's start and at its end. */
    day_of("Mo-Su 18:00-02:00", "operational", "2026-03-02", NULL, &first, &last);
    CHECK_INT(first, iso("2026-03-02T00:00:00+08:00"));
    CHECK_INT(last, iso("2026-03-03T00:00:00+08:00"));
}

static void test_status_and_holidays(void)
{
    int64_t first, last;
    day_of("24/7", "closed", "2026-03-02", NULL, &first, &last);
    CHECK_INT(first, -1);
    day_of("24/7", "planned", "2026-03-02", NULL, &first, &last);
    CHECK_INT(first, -1);
    day_of("Mo-Su 08:00-20:00", "partly_operational", "2026-03-02", NULL, &first, &last);
    CHECK_INT(first, iso("2026-03-02T08:00:00+08:00"));
    /* Labour Day is a public holiday, and the station is off on them. */
    struct hours_day days[] = {{20260501, HOURS_DAY_HOLIDAY, 0}};
    struct hours_calendar cal = {days, 1};
    day_of("Mo-Su 08:00-20:00; PH off", "operational", "2026-05-01", &cal, &first, &last);
    CHECK_INT(first, -1);
    day_of("Mo-Su 08:00-20:00; PH off", "operational", "2026-05-02", &cal, &first, &last);
    CHECK_INT(first, iso("2026-05-02T08:00:00+08:00"));
    /* Temporarily closed until noon: it opens then. */
    struct site s;
    site_defaults(&s);
    s.opening_hours = "Mo-Su 08:00-20:00";
    s.status = "temporarily_closed";
    s.has_until = true;
    s.status_until = iso("2026-03-02T12:00:00+08:00");
    checklist_day_hours(&s, NULL, iso("2026-03-02T00:00:00+08:00"), 480, &first, &last);
    CHECK_INT(first, iso("2026-03-02T12:00:00+08:00"));
    CHECK_INT(last, iso("2026-03-02T20:00:00+08:00"));
}

static void test_due(void)
{
    int64_t open = iso("2026-03-02T08:00:00+08:00"), close = iso("2026-03-02T20:00:00+08:00");
    bool o, c;
    checklist_due(open, close, iso("2026-03-02T07:59:00+08:00"), &o, &c);
    CHECK(!o && !c);
    checklist_due(open, close, open, &o, &c);
    CHECK(o && !c);
    checklist_due(open, close, iso("2026-03-02T19:59:59+08:00"), &o, &c);
    CHECK(o && !c);
    checklist_due(open, close, close, &o, &c);
    CHECK(o && c);
    checklist_due(open, close, iso("2026-03-05T10:00:00+08:00"), &o, &c);
    CHECK(o && c);
    /* Closed that day: nothing is due, ever. */
    checklist_due(-1, -1, iso("2026-03-05T10:00:00+08:00"), &o, &c);
    CHECK(!o && !c);
    /* Round the clock: the closing check is due when the day is over. */
    int64_t day = iso("2026-03-02T00:00:00+08:00");
    checklist_due(day, day + 86400, day + 86399, &o, &c);
    CHECK(o && !c);
    checklist_due(day, day + 86400, day + 86400, &o, &c);
    CHECK(o && c);
}

static void test_codes(void)
{
    CHECK(checklist_kind_is_valid("opening"));
    CHECK(checklist_kind_is_valid("closing"));
    CHECK(!checklist_kind_is_valid("Opening"));
    CHECK(!checklist_kind_is_valid(NULL));
    CHECK(checklist_code_is_valid("first_aid"));
    CHECK(checklist_code_is_valid("a1"));
    CHECK(!checklist_code_is_valid(""));
    CHECK(!checklist_code_is_valid("1a"));
    CHECK(!checklist_code_is_valid("First"));
    CHECK(!checklist_code_is_valid("a-b"));
    CHECK(!checklist_code_is_valid("abcdefghijabcdefghijabcdefghijabc")); /* 33 bytes */
    CHECK(checklist_code_is_valid("abcdefghijabcdefghijabcdefghijab"));
}

int main(void)
{
    RUN(test_plain_days);
    RUN(test_status_and_holidays);
    RUN(test_due);
    RUN(test_codes);
    return test_report("checklist");
}
