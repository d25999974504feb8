/*
 * clock_test.c - unit tests for src/core/clock.c.
 *
 * The day counting is checked against a plain day-by-day walk of the
 * proleptic Gregorian calendar over more than ten thousand years each
 * side of 1970, and by round trips on a wider range. ISO-8601 parsing is
 * checked on a table of accepted texts with their Unix times (worked out
 * by hand and with `date -u -d`) and a table of refused ones; formatting
 * is checked on fixed values and by round trips through the parser.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "test.h"

static bool is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int y, int m)
{
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : dm[m - 1];
}

/* ------------------------------------------------------------------------ */

static void test_civil_fixed_points(void)
{
    CHECK_INT(clock_days_from_civil(1970, 1, 1), 0);
    CHECK_INT(clock_days_from_civil(1970, 1, 2), 1);
    CHECK_INT(clock_days_from_civil(1969, 12, 31), -1);
    CHECK_INT(clock_days_from_civil(2000, 1, 1), 10957);
    CHECK_INT(clock_days_from_civil(2000, 3, 1), 11017);
    CHECK_INT(clock_days_from_civil(2026, 11, 29), 20786);
    CHECK_INT(clock_days_from_civil(1900, 1, 1), -25567);
    CHECK_INT(clock_days_from_civil(9999, 12, 31), 2932896);
    CHECK_INT(clock_days_from_civil(1, 1, 1), -719162);
    CHECK_INT(clock_days_from_civil(0, 3, 1), -719468);

    int y, m, d;
    clock_civil_from_days(0, &y, &m, &d);
    CHECK(y == 1970 && m == 1 && d == 1);
    clock_civil_from_days(-1, &y, &m, &d);
    CHECK(y == 1969 && m == 12 && d == 31);
    clock_civil_from_days(11016, &y, &m, &d);
    CHECK(y == 2000 && m == 2 && d == 29);
    clock_civil_from_days(-719469, &y, &m, &d);
    CHECK(y == 0 && m == 2 && d == 29); /* year 0 is a leap year */
    clock_civil_from_days(-719470, &y, &m, &d);
    CHECK(y == 0 && m == 2 && d == 28);
}

/* Walk day by day from 1970-01-01 forwards and backwards. */
static void test_civil_walk(void)
{
    int y = 1970, m = 1, d = 1, bad = 0;
    for (int64_t days = 0; days <= 4000000 && bad < 5; days++) {
        if (clock_days_from_civil(y, m, d) != days) {
            fprintf(stderr, "  from_civil(%d-%d-%d) != %lld\n", y, m, d, (long long)days);
            bad++;
        }
        int yy, mm, dd;
        clock_civil_from_days(days, &yy, &mm, &dd);
        if (yy != y || mm != m || dd != d) {
            fprintf(stderr, "  civil_from(%lld) = %d-%d-%d, want %d-%d-%d\n", (long long)days, yy,
                    mm, dd, y, m, d);
            bad++;
        }
        if (++d > month_days(y, m)) {
            d = 1;
            if (++m > 12) {
                m = 1;
                y++;
            }
        }
    }
    CHECK_INT(bad, 0);

    y = 1969, m = 12, d = 31, bad = 0;
    for (int64_t days = -1; days >= -4000000 && bad < 5; days--) {
        if (clock_days_from_civil(y, m, d) != days) {
            fprintf(stderr, "  from_civil(%d-%d-%d) != %lld\n", y, m, d, (long long)days);
            bad++;
        }
        int yy, mm, dd;
        clock_civil_from_days(days, &yy, &mm, &dd);
        if (yy != y || mm != m || dd != d) {
            fprintf(stderr, "  civil_from(%lld) = %d-%d-%d, want %d-%d-%d\n", (long long)days, yy,
                    mm, dd, y, m, d);
            bad++;
        }
        if (--d < 1) {
            if (--m < 1) {
                m = 12;
                y--;
            }
            d = month_days(y, m);
        }
    }
    CHECK_INT(bad, 0);
}

/* Round trips far out, in big strides. */
static void test_civil_round_trip_wide(void)
{
    int bad = 0;
    for (int64_t days = -400000000; days <= 400000000 && bad < 5; days += 99991) {
        int y, m, d;
        clock_civil_from_days(days, &y, &m, &d);
        if (m < 1 || m > 12 || d < 1 || d > 31 || clock_days_from_civil(y, m, d) != days) {
            fprintf(stderr, "  round trip of %lld: %d-%d-%d\n", (long long)days, y, m, d);
            bad++;
        }
    }
    CHECK_INT(bad, 0);
}

/* ---- ISO-8601 ------------------------------------------------------- */

struct iso_case {
    const char *text;
    int default_offset;
    int64_t want;
};

static const struct iso_case iso_good[] = {
    {"1970-01-01T00:00:00Z", 480, 0},
    {"1970-01-01T08:00:00+08:00", 0, 0},
    {"1970-01-01T00:00:00", 0, 0},
    {"1970-01-01T08:00:00", 480, 0},
    {"1970-01-01T08:00", 480, 0},
    {"2026-11-29T08:00:00+08:00", 0, 1795910400},
    {"2026-11-29T00:00:00Z", 480, 1795910400},
    {"2026-11-29T00:00:00z", 480, 1795910400},
    {"2026-11-29t00:00:00Z", 480, 1795910400},
    {"2026-11-29 00:00:00Z", 480, 1795910400},
    {"2026-11-29T00:00Z", 480, 1795910400},
    {"2026-11-29T08:00:00", 480, 1795910400},
    {"2026-11-28T19:00:00-05:00", 480, 1795910400},
    {"2026-11-29T05:30:00+05:30", 480, 1795910400},
    {"2026-11-29T08:00:00+0800", 0, 1795910400},
    /* Fractional seconds are read and dropped. */
    {"2026-11-29T00:00:00.999Z", 480, 1795910400},
    {"2026-11-29T00:00:00.1+00:00", 480, 1795910400},
    {"2026-11-29T08:00:00.123456789+08:00", 0, 1795910400},
    /* A leap second counts as the second before. */
    {"2016-12-31T23:59:60Z", 0, 1483228799},
    {"2024-02-29T12:00:00Z", 0, 1709208000},
    {"2000-02-29T00:00:00Z", 0, 951782400},
    {"1900-01-01T00:00:00Z", 0, -2208988800LL},
    {"9999-12-31T23:59:59Z", 0, 253402300799LL},
    {"2026-01-01T00:00:00+14:00", 0, 1767175200},
    {"2026-01-01T00:00:00-12:00", 0, 1767268800},
};

static const char *const iso_bad[] = {
    "",
    "2026-11-29",
    "2026-11-29T",
    "2026-11-29T08",
    "2026-11-29T8:00",
    "2026-11-29T08:0",
    "2026-11-29T08:00:",
    "2026-11-29T08:00:0",
    "2026-11-29T08:00:00.",
    "2026-11-29T08:00:00.Z",
    "2026-11-29T24:00",
    "2026-11-29T24:00:00Z",
    "2026-11-29T23:60:00Z",
    "2026-11-29T23:59:61Z",
    "2026-02-30T00:00:00Z",
    "2026-02-29T00:00:00Z",
    "2100-02-29T00:00:00Z",
    "2026-04-31T00:00:00Z",
    "2026-13-01T00:00:00Z",
    "2026-00-10T00:00:00Z",
    "2026-01-00T00:00:00Z",
    "2026-1-01T00:00:00Z",
    "26-11-29T00:00:00Z",
    "1899-12-31T23:59:59Z",
    "+2026-11-29T00:00:00Z",
    "2026/11/29T00:00:00Z",
    "2026-11-29X00:00:00Z",
    "2026-11-29T00:00:00ZZ",
    "2026-11-29T00:00:00 Z",
    "2026-11-29T00:00:00+8",
    "2026-11-29T00:00:00+08",
    "2026-11-29T00:00:00+08:0",
    "2026-11-29T00:00:00+15:00",
    "2026-11-29T00:00:00+08:60",
    "2026-11-29T00:00:00+08:00x",
    "2026-11-29T00:00:00 ",
    " 2026-11-29T00:00:00Z",
    "2026-11-29T-1:00:00Z",
    "\xef\xbc\x92\xef\xbc\x90\xef\xbc\x92\xef\xbc\x96-11-29T00:00Z",
};

static void test_parse_iso(void)
{
    for (size_t i = 0; i < sizeof iso_good / sizeof iso_good[0]; i++) {
        int64_t t = -42;
        int rc = clock_parse_iso(iso_good[i].text, iso_good[i].default_offset, &t);
        if (rc != 0 || t != iso_good[i].want)
            fprintf(stderr, "  \"%s\": rc %d, t %lld, want %lld\n", iso_good[i].text, rc,
                    (long long)t, (long long)iso_good[i].want);
        CHECK_INT(rc, 0);
        CHECK_INT(t, iso_good[i].want);
    }
    for (size_t i = 0; i < sizeof iso_bad / sizeof iso_bad[0]; i++) {
        int64_t t = -42;
        int rc = clock_parse_iso(iso_bad[i], 480, &t);
        if (rc != -1)
            fprintf(stderr, "  \"%s\" accepted as %lld\n", iso_bad[i], (long long)t);
        CHECK_INT(rc, -1);
        CHECK_INT(t, -42); /* untouched */
    }
}

static void test_format_iso(void)
{
    char buf[40];
    CHECK_STR(clock_format_iso(0, 0, buf, sizeof buf), "1970-01-01T00:00:00Z");
    CHECK_STR(clock_format_iso(0, 480, buf, sizeof buf), "1970-01-01T08:00:00+08:00");
    CHECK_STR(clock_format_iso(-1, 0, buf, sizeof buf), "1969-12-31T23:59:59Z");
    CHECK_STR(clock_format_iso(-1, 480, buf, sizeof buf), "1970-01-01T07:59:59+08:00");
    CHECK_STR(clock_format_iso(1795910400, 480, buf, sizeof buf), "2026-11-29T08:00:00+08:00");
    CHECK_STR(clock_format_iso(1795910400, -330, buf, sizeof buf), "2026-11-28T18:30:00-05:30");
    CHECK_STR(clock_format_iso(1795910400, 45, buf, sizeof buf), "2026-11-29T00:45:00+00:45");
    CHECK_STR(clock_format_iso(951782399, 0, buf, sizeof buf), "2000-02-28T23:59:59Z");
    CHECK_STR(clock_format_iso(-2208988800LL, 0, buf, sizeof buf), "1900-01-01T00:00:00Z");
    CHECK_STR(clock_format_iso(253402300799LL, 0, buf, sizeof buf), "9999-12-31T23:59:59Z");
    /* The return value is the buffer; cap 26 is enough. */
    char exact[26];
    CHECK(clock_format_iso(1795910400, 480, exact, sizeof exact) == exact);
    CHECK_STR(exact, "2026-11-29T08:00:00+08:00");
}

/* The fast path writes what snprintf writes, over a wide sweep of
 * moments and offsets (years 0 to 9999, offsets of whole and odd
 * minutes, both signs). */
static void test_format_iso_sweep(void)
{
    static const int offsets[] = {0, 480, -480, 45, -330, 345, 840, -720, 1, -1};
    int bad = 0;
    for (int64_t t = -62167219200LL; t < 253402300799LL - 86400; t += 987654321LL / 7 + 13)
        for (size_t k = 0; k < sizeof offsets / sizeof offsets[0]; k++) {
            char got[80], want[80];
            int64_t local = t + (int64_t)offsets[k] * 60;
            int64_t days = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
            int64_t secs = local - days * 86400;
            int y, m, d;
            clock_civil_from_days(days, &y, &m, &d);
            int off = offsets[k] < 0 ? -offsets[k] : offsets[k];
            if (offsets[k] == 0)
                snprintf(want, sizeof want, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, d,
                         (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
            else
                snprintf(want, sizeof want, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", y, m, d,
                         (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60),
                         offsets[k] < 0 ? '-' : '+', off / 60, off % 60);
            clock_format_iso(t, offsets[k], got, sizeof got);
            bad += strcmp(got, want) != 0;
        }
    CHECK_INT(bad, 0);
}

static void test_format_parse_round_trip(void)
{
    static const int offsets[] = {0, 480, -300, 345, -720, 840};
    int bad = 0;
    uint64_t x = 88172645463325252ULL;
    for (int i = 0; i < 20000 && bad < 5; i++) {
        test_xorshift(&x);
        /* 1900-01-02 .. 9999-12-30 */
        int64_t t = -2208902400LL + (int64_t)(x % 255611030400ULL);
        int off = offsets[i % 6];
        char buf[40];
        clock_format_iso(t, off, buf, sizeof buf);
        int64_t back;
        /* The default offset must not matter when the zone is written. */
        if (clock_parse_iso(buf, off + 60, &back) || back != t) {
            fprintf(stderr, "  %lld -> %s -> %lld\n", (long long)t, buf, (long long)back);
            bad++;
        }
    }
    CHECK_INT(bad, 0);
}

static void test_parse_date(void)
{
    int32_t v = -1;
    CHECK_INT(clock_parse_date("2026-11-29", &v), 0);
    CHECK_INT(v, 20261129);
    CHECK_INT(clock_parse_date("2024-02-29", &v), 0);
    CHECK_INT(v, 20240229);
    CHECK_INT(clock_parse_date("1900-01-01", &v), 0);
    CHECK_INT(v, 19000101);
    CHECK_INT(clock_parse_date("9999-12-31", &v), 0);
    CHECK_INT(v, 99991231);

    static const char *const bad[] = {
        "",           "2026-02-29", "2026-02-30",       "2100-02-29",  "2026-11-31",
        "2026-13-01", "2026-11-00", "2026-11-29T00:00", "2026-11-29 ", "2026-1-29",
        "20261129",   "1899-12-31", "2026/11/29",       "2026-11-2x",  " 2026-11-29",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        v = -1;
        int rc = clock_parse_date(bad[i], &v);
        if (rc != -1)
            fprintf(stderr, "  \"%s\" accepted\n", bad[i]);
        CHECK_INT(rc, -1);
        CHECK_INT(v, -1);
    }
}

static void test_now(void)
{
    int64_t ms = clock_now_ms(), s = clock_now();
    CHECK(ms > 1700000000000LL);
    CHECK(s >= ms / 1000 && s <= ms / 1000 + 2);
    int64_t a = clock_mono_us(), b = clock_mono_us();
    CHECK(b >= a);
}

int main(void)
{
    RUN(test_civil_fixed_points);
    RUN(test_civil_walk);
    RUN(test_civil_round_trip_wide);
    RUN(test_parse_iso);
    RUN(test_format_iso);
    RUN(test_format_iso_sweep);
    RUN(test_format_parse_round_trip);
    RUN(test_parse_date);
    RUN(test_now);
    return test_report("clock");
}
