/*
 * hours_test.c - unit tests for src/hours/hours.c.
 *
 * Four kinds of checks:
 *  - a table of tricky expressions evaluated at local moments in China
 *    (UTC+8 unless a row says otherwise), each with the expected state and
 *    the expected next change: overnight spill across weekdays, months and
 *    years, PH with and without a PH rule, make-up working days, wrapping
 *    month and date ranges, overrides, additional and fallback rules;
 *  - a table of invalid expressions, each with the exact byte the parser
 *    must blame;
 *  - canonical text: fixed cases plus the round trip on random expressions;
 *  - properties on random valid expressions: hours_next_change() agrees
 *    with a minute-by-minute scan of hours_is_open() over short horizons,
 *    and over long horizons the state is constant before the change and
 *    flips at it.
 *
 * Local times are turned into Unix times here by plain day counting,
 * independently of the module's own date arithmetic.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hours/hours.h"
#include "test.h"

/* ------------------------------------------------------------------------ */
/* Helpers                                                                  */
/* ------------------------------------------------------------------------ */

static int is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* Days since 1970-01-01 by counting whole years and months (slow, plain). */
static int64_t naive_days(int y, int m, int d)
{
    int64_t z = 0;
    if (y >= 1970)
        for (int i = 1970; i < y; i++)
            z += is_leap(i) ? 366 : 365;
    else
        for (int i = y; i < 1970; i++)
            z -= is_leap(i) ? 366 : 365;
    for (int i = 1; i < m; i++)
        z += month_days(y, i);
    return z + d - 1;
}

/* 0 = Monday. */
static int naive_weekday(int64_t z)
{
    return (int)(((z % 7) + 7 + 3) % 7);
}

/* Unix time of local "YYYY-MM-DD HH:MM" at UTC offset tz minutes. */
static int64_t local_to_unix(const char *s, int tz)
{
    int y, mo, d, h, mi;
    if (sscanf(s, "%d-%d-%d %d:%d", &y, &mo, &d, &h, &mi) != 5) {
        fprintf(stderr, "bad time literal %s\n", s);
        abort();
    }
    return (naive_days(y, mo, d) * 1440 + h * 60 + mi) * 60 - (int64_t)tz * 60;
}

/* Local "YYYY-MM-DD HH:MM" of Unix time t (or "-" for -1), for messages. */
static void unix_to_local(int64_t t, int tz, char *out, size_t cap)
{
    if (t == -1) {
        snprintf(out, cap, "-");
        return;
    }
    int64_t lm = (t + (int64_t)tz * 60) / 60; /* tests stay after 1970 */
    int64_t z = lm / 1440;
    int minute = (int)(lm % 1440);
    int y = 1970, m = 1;
    while (z >= (is_leap(y) ? 366 : 365)) {
        z -= is_leap(y) ? 366 : 365;
        y++;
    }
    while (z >= month_days(y, m)) {
        z -= month_days(y, m);
        m++;
    }
    /* Bounded values, so gcc's truncation analysis at -O2 agrees. */
    snprintf(out, cap, "%04d-%02d-%02d %02d:%02d", y % 10000, m % 100, ((int)z + 1) % 100,
             (minute / 60) % 100, minute % 60);
}

static struct hours *parse_ok(const char *src)
{
    struct hours *h = NULL;
    struct hours_error err;
    if (hours_parse(src, &h, &err) != 0) {
        fprintf(stderr, "unexpected parse error in \"%s\" at %zu: %s\n", src, err.pos, err.message);
        return NULL;
    }
    return h;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng_next(void)
{
    return test_xorshift(&rng_state);
}

static int rng_below(int n)
{
    return (int)(rng_next() % (uint64_t)n);
}

/* ------------------------------------------------------------------------ */
/* Calendar: test data shaped like China's 2026 schedule                    */
/* ------------------------------------------------------------------------ */

/* TEST DATA, not the official calendar: holiday blocks and make-up working
 * days laid out like China's published 2026 arrangement (New Year, Spring
 * Festival, Qingming, Labour Day, Dragon Boat, Mid-Autumn, National Day),
 * with as_weekday values chosen to exercise the mapping. */
/* clang-format off */
#define HOL(d) {d, HOURS_DAY_HOLIDAY, 0}
#define WORK(d, wd) {d, HOURS_DAY_WORKDAY, wd}
static const struct hours_day cn2026_days[] = {
    HOL(20260101),     HOL(20260102),     HOL(20260103),
    WORK(20260104, 0), /* Sunday, worked as a Monday (0 = Monday) */
    WORK(20260214, 1), /* Saturday before Spring Festival, as Monday */
    HOL(20260215),     HOL(20260216),     HOL(20260217),
    HOL(20260218),     HOL(20260219),     HOL(20260220),
    HOL(20260221),     HOL(20260222),     HOL(20260223),
    WORK(20260228, 2), /* Saturday after, as Tuesday */
    HOL(20260404),     HOL(20260405),     HOL(20260406),
    HOL(20260501),     HOL(20260502),     HOL(20260503),
    HOL(20260504),     HOL(20260505),
    WORK(20260509, 3), /* Saturday, as Wednesday */
    HOL(20260619),     HOL(20260620),     HOL(20260621),
    WORK(20260920, 1), /* Sunday before National Day, as Monday */
    HOL(20260925),     HOL(20260926),     HOL(20260927),
    HOL(20261001),     HOL(20261002),     HOL(20261003),
    HOL(20261004),     HOL(20261005),     HOL(20261006),
    HOL(20261007),
    WORK(20261010, 5), /* Saturday after National Day, as Friday */
};
static const struct hours_calendar cn2026 = {
    cn2026_days, sizeof cn2026_days / sizeof cn2026_days[0]};
/* clang-format on */

/* ------------------------------------------------------------------------ */
/* Table of evaluations                                                     */
/* ------------------------------------------------------------------------ */

enum { NOCAL = 0, CN = 1 };

struct eval_case {
    const char *expr;
    int cal;           /* NOCAL or CN */
    const char *at;    /* local time */
    int open;          /* expected hours_is_open */
    const char *next;  /* expected next change, local, or "-" for -1 */
    int tz;            /* minutes; 0 in the table means +480 unless tz0 */
    int64_t horizon_s; /* 0 = 400 days */
};

#define TZ_UTC 9999 /* stands for offset 0 in the tz column */

/* clang-format off */
static const struct eval_case eval_cases[] = {
    /* constant expressions */
    {"24/7", NOCAL, "2026-01-05 10:00", 1, "-", 0, 0},
    {"off", NOCAL, "2026-01-05 10:00", 0, "-", 0, 0},
    {"closed", NOCAL, "2026-01-05 10:00", 0, "-", 0, 0},
    {"unknown", NOCAL, "2026-01-05 10:00", 0, "-", 0, 0},
    {"open", NOCAL, "2026-01-05 10:00", 1, "-", 0, 0},
    {"Mo-Su 00:00-24:00", NOCAL, "2026-01-05 10:00", 1, "-", 0, 0},
    {"24/7; PH off", NOCAL, "2026-10-01 10:00", 1, "-", 0, 0},
    {"PH off", CN, "2026-10-01 10:00", 0, "-", 0, 0},
    /* a plain working week */
    {"Mo-Fr 08:00-18:00", NOCAL, "2026-01-05 07:59", 0, "2026-01-05 08:00", 0, 0},
    {"Mo-Fr 08:00-18:00", NOCAL, "2026-01-05 08:00", 1, "2026-01-05 18:00", 0, 0},
    {"Mo-Fr 08:00-18:00", NOCAL, "2026-01-05 17:59", 1, "2026-01-05 18:00", 0, 0},
    {"Mo-Fr 08:00-18:00", NOCAL, "2026-01-05 18:00", 0, "2026-01-06 08:00", 0, 0},
    {"Mo-Fr 08:00-18:00", NOCAL, "2026-01-09 18:30", 0, "2026-01-12 08:00", 0, 0},
    {"Mo-Fr 08:00-18:00", NOCAL, "2026-01-10 12:00", 0, "2026-01-12 08:00", 0, 0},
    /* horizon: Sat 10:00 to Mon 08:00 is 46 hours */
    {"Mo-Fr 08:00-18:00", NOCAL, "2026-01-10 10:00", 0, "2026-01-12 08:00", 0, 165600},
    {"Mo-Fr 08:00-18:00", NOCAL, "2026-01-10 10:00", 0, "-", 0, 165599},
    {"Mo-Fr 08:00-18:00", NOCAL, "2026-01-10 10:00", 0, "-", 0, 86400},
    /* other offsets are local time too */
    {"Mo-Fr 09:00-17:00", NOCAL, "2026-01-05 09:00", 1, "2026-01-05 17:00", TZ_UTC, 0},
    {"Mo-Fr 09:00-17:00", NOCAL, "2026-01-05 16:59", 1, "2026-01-05 17:00", -300, 0},
    {"Mo-Fr 09:00-17:00", NOCAL, "2026-01-04 23:00", 0, "2026-01-05 09:00", 345, 0},
    /* overnight spill */
    {"Fr 22:00-02:00", NOCAL, "2026-01-10 01:00", 1, "2026-01-10 02:00", 0, 0},
    {"Fr 22:00-02:00", NOCAL, "2026-01-09 23:59", 1, "2026-01-10 02:00", 0, 0},
    {"Mo-Fr 22:00-02:00", NOCAL, "2026-01-11 01:00", 0, "2026-01-12 22:00", 0, 0},
    {"Su 20:00-03:00", NOCAL, "2026-01-05 02:00", 1, "2026-01-05 03:00", 0, 0},
    {"Sa 22:00-04:00", NOCAL, "2026-02-01 03:00", 1, "2026-02-01 04:00", 0, 0},
    {"Th 21:00-03:00", NOCAL, "2027-01-01 02:30", 1, "2027-01-01 03:00", 0, 0},
    {"Th 21:00-03:00", NOCAL, "2026-12-31 20:00", 0, "2026-12-31 21:00", 0, 0},
    {"18:00-26:00", NOCAL, "2026-01-05 01:00", 1, "2026-01-05 02:00", 0, 0},
    {"18:00-26:00", NOCAL, "2026-01-05 02:00", 0, "2026-01-05 18:00", 0, 0},
    {"20:00-04:00", NOCAL, "2026-01-05 12:00", 0, "2026-01-05 20:00", 0, 0},
    {"20:00-04:00", NOCAL, "2026-01-05 23:00", 1, "2026-01-06 04:00", 0, 0},
    /* the spill belongs to the day that made it */
    {"Mo 22:00-02:00; Tu 10:00-12:00", NOCAL, "2026-01-06 01:00", 1, "2026-01-06 02:00", 0, 0},
    {"Mo 22:00-02:00; Tu 10:00-12:00", NOCAL, "2026-01-06 02:00", 0, "2026-01-06 10:00", 0, 0},
    {"Mo 22:00-02:00; Tu off", NOCAL, "2026-01-06 01:00", 1, "2026-01-06 02:00", 0, 0},
    {"Fr,Sa 20:00-02:00; Su off", NOCAL, "2026-01-11 01:00", 1, "2026-01-11 02:00", 0, 0},
    {"Mo-Su 18:00-02:00; Tu off", NOCAL, "2026-01-07 01:00", 0, "2026-01-07 18:00", 0, 0},
    {"Mo 22:00-02:00; Mo 10:00-12:00", NOCAL, "2026-01-06 01:00", 0, "2026-01-12 10:00", 0, 0},
    /* explicit off times close the night before's spill too */
    {"Mo-Fr 18:00-02:00; Tu 00:00-01:00 off", NOCAL, "2026-01-06 00:30", 0, "2026-01-06 01:00", 0, 0},
    {"Mo-Fr 18:00-02:00; Tu 00:00-01:00 off", NOCAL, "2026-01-06 01:30", 1, "2026-01-06 02:00", 0, 0},
    {"Mo 18:00-24:00; Tu 00:00-02:00", NOCAL, "2026-01-05 23:00", 1, "2026-01-06 02:00", 0, 0},
    {"Mo-Fr 00:00-24:00", NOCAL, "2026-01-09 12:00", 1, "2026-01-10 00:00", 0, 0},
    {"Mo-Fr 08:00-24:00", NOCAL, "2026-01-09 23:59", 1, "2026-01-10 00:00", 0, 0},
    {"18:00+", NOCAL, "2026-01-05 23:00", 1, "2026-01-06 00:00", 0, 0},
    {"18:00+", NOCAL, "2026-01-06 00:00", 0, "2026-01-06 18:00", 0, 0},
    /* several ranges a day */
    {"Mo-Fr 08:00-12:00,13:30-18:00", NOCAL, "2026-01-05 12:00", 0, "2026-01-05 13:30", 0, 0},
    {"Mo-Fr 08:00-12:00,13:30-18:00", NOCAL, "2026-01-05 11:00", 1, "2026-01-05 12:00", 0, 0},
    {"10:00-12:00,12:00-14:00", NOCAL, "2026-01-05 11:00", 1, "2026-01-05 14:00", 0, 0},
    {"10:00-20:00", NOCAL, "2026-01-11 09:00", 0, "2026-01-11 10:00", 0, 0},
    /* weekday forms */
    {"Fr-Mo 10:00-20:00", NOCAL, "2026-01-11 15:00", 1, "2026-01-11 20:00", 0, 0},
    {"Fr-Mo 10:00-20:00", NOCAL, "2026-01-06 15:00", 0, "2026-01-09 10:00", 0, 0},
    {"Mo,We,Fr 09:00-17:00", NOCAL, "2026-01-06 10:00", 0, "2026-01-07 09:00", 0, 0},
    {"Sa[1] 10:00-14:00", NOCAL, "2026-01-05 10:00", 0, "2026-02-07 10:00", 0, 0},
    {"Su[-1] 10:00-14:00", NOCAL, "2026-01-05 10:00", 0, "2026-01-25 10:00", 0, 0},
    {"Mo-Fr", NOCAL, "2026-01-05 11:00", 1, "2026-01-10 00:00", 0, 0},
    /* PH with and without a PH rule */
    {"Mo-Fr 09:00-17:00; PH off", CN, "2026-10-01 10:00", 0, "2026-10-08 09:00", 0, 0},
    {"Mo-Fr 09:00-17:00", CN, "2026-10-01 10:00", 1, "2026-10-01 17:00", 0, 0},
    {"Mo-Fr 09:00-17:00; PH off", NOCAL, "2026-10-01 10:00", 1, "2026-10-01 17:00", 0, 0},
    {"Sa,Su,PH 10:00-16:00", CN, "2026-10-01 09:00", 0, "2026-10-01 10:00", 0, 0},
    {"Sa,Su,PH 10:00-16:00; Mo-Fr 09:00-18:00", CN, "2026-10-01 09:30", 1, "2026-10-01 18:00", 0, 0},
    {"PH off; Mo-Fr 09:00-18:00", CN, "2026-10-01 10:00", 1, "2026-10-01 18:00", 0, 0},
    {"PH 10:00-14:00", CN, "2026-05-01 09:00", 0, "2026-05-01 10:00", 0, 0},
    {"PH 10:00-14:00", CN, "2026-05-06 09:00", 0, "2026-06-19 10:00", 0, 0},
    {"24/7; PH off", CN, "2026-09-30 12:00", 1, "2026-10-01 00:00", 0, 0},
    {"24/7; PH off", CN, "2026-10-07 23:00", 0, "2026-10-08 00:00", 0, 0},
    {"Mo-Fr 08:00-17:00; PH off", CN, "2026-02-14 17:00", 0, "2026-02-24 08:00", 0, 0},
    /* make-up working days take another weekday's rules */
    {"Mo-Fr 09:00-17:00; PH off", CN, "2026-10-10 10:00", 1, "2026-10-10 17:00", 0, 0},
    {"Mo-Fr 09:00-17:00; PH off", CN, "2026-10-09 17:00", 0, "2026-10-10 09:00", 0, 0},
    {"Mo-Fr 09:00-18:00; Sa 10:00-12:00", CN, "2026-10-10 11:00", 1, "2026-10-10 18:00", 0, 0},
    {"Mo-Fr 09:00-18:00; Sa 10:00-12:00", NOCAL, "2026-10-10 11:00", 1, "2026-10-10 12:00", 0, 0},
    {"Mo-Fr 09:00-18:00; Sa 10:00-14:00; PH off", CN, "2026-09-20 09:00", 1, "2026-09-20 18:00", 0, 0},
    {"Mo 08:00-10:00", CN, "2026-01-04 09:00", 1, "2026-01-04 10:00", 0, 0},
    {"Fr 22:00-02:00", CN, "2026-10-11 01:00", 1, "2026-10-11 02:00", 0, 0},
    {"Mo-Fr 08:00-17:00; PH off", CN, "2026-02-13 17:00", 0, "2026-02-14 08:00", 0, 0},
    {"Sa 10:00-12:00", CN, "2026-10-10 11:00", 0, "2026-10-17 10:00", 0, 0},
    /* months and dates */
    {"Apr-Oct Mo-Fr 07:00-21:00; Nov-Mar Mo-Fr 08:00-18:00", NOCAL, "2026-03-31 07:30", 0, "2026-03-31 08:00", 0, 0},
    {"Apr-Oct Mo-Fr 07:00-21:00; Nov-Mar Mo-Fr 08:00-18:00", NOCAL, "2026-04-01 07:30", 1, "2026-04-01 21:00", 0, 0},
    {"Nov-Feb 10:00-16:00", NOCAL, "2026-01-15 12:00", 1, "2026-01-15 16:00", 0, 0},
    {"Nov-Feb 10:00-16:00", NOCAL, "2026-03-01 12:00", 0, "2026-11-01 10:00", 0, 0},
    {"Nov-Feb Sa 09:00-12:00", NOCAL, "2026-02-28 10:00", 1, "2026-02-28 12:00", 0, 0},
    {"Nov-Feb Sa 09:00-12:00", NOCAL, "2026-02-28 12:00", 0, "2026-11-07 09:00", 0, 0},
    {"24/7; Dec 24-26 off", NOCAL, "2026-12-23 12:00", 1, "2026-12-24 00:00", 0, 0},
    {"24/7; Dec 24-26 off", NOCAL, "2026-12-25 12:00", 0, "2026-12-27 00:00", 0, 0},
    {"Jan 01-Feb 15 10:00-12:00", NOCAL, "2026-02-15 11:00", 1, "2026-02-15 12:00", 0, 0},
    {"Jan 01-Feb 15 10:00-12:00", NOCAL, "2026-02-15 12:00", 0, "2027-01-01 10:00", 0, 0},
    {"09:00-17:00; Dec 25 off", NOCAL, "2026-12-25 10:00", 0, "2026-12-26 09:00", 0, 0},
    {"Dec 24-Jan 02 10:00-14:00", NOCAL, "2027-01-02 11:00", 1, "2027-01-02 14:00", 0, 0},
    {"Dec 24-Jan 02 10:00-14:00", NOCAL, "2027-01-03 12:00", 0, "2027-12-24 10:00", 0, 0},
    {"2026 Jan 01-Feb 15 10:00-12:00", NOCAL, "2026-02-10 09:00", 0, "2026-02-10 10:00", 0, 0},
    {"2026 Jan 01-Feb 15 10:00-12:00", NOCAL, "2027-01-05 09:00", 0, "-", 0, 0},
    {"24/7; 2026 Dec 24-2027 Jan 02 off", NOCAL, "2027-01-02 12:00", 0, "2027-01-03 00:00", 0, 0},
    {"24/7; Dec 25,26 off", NOCAL, "2026-12-26 10:00", 0, "2026-12-27 00:00", 0, 0},
    {"Jan 20:00-02:00", NOCAL, "2026-02-01 01:00", 1, "2026-02-01 02:00", 0, 0},
    {"Dec 31 22:00-02:00", NOCAL, "2027-01-01 01:00", 1, "2027-01-01 02:00", 0, 0},
    {"2027 10:00-12:00", NOCAL, "2026-12-31 11:00", 0, "2027-01-01 10:00", 0, 0},
    {"Oct 24/7", NOCAL, "2026-09-30 23:00", 0, "2026-10-01 00:00", 0, 0},
    {"Jan-Mar 24/7; Mar 31 off", NOCAL, "2026-03-30 23:00", 1, "2026-03-31 00:00", 0, 0},
    {"Feb 29 10:00-12:00", NOCAL, "2027-03-01 09:00", 0, "2028-02-29 10:00", 0, 500 * 86400},
    /* later rules override earlier ones; additional rules add */
    {"Mo-Fr 08:00-18:00; We 10:00-12:00", NOCAL, "2026-01-07 09:00", 0, "2026-01-07 10:00", 0, 0},
    {"Mo-Fr 10:00-20:00; 12:00-14:00", NOCAL, "2026-01-05 11:00", 0, "2026-01-05 12:00", 0, 0},
    {"Mo-Fr 08:00-18:00, We 19:00-21:00", NOCAL, "2026-01-07 18:30", 0, "2026-01-07 19:00", 0, 0},
    {"Mo-Fr 08:00-18:00, We 19:00-21:00", NOCAL, "2026-01-07 09:00", 1, "2026-01-07 18:00", 0, 0},
    {"Mo-Fr 08:00-18:00, We 12:00-13:00 off", NOCAL, "2026-01-07 12:30", 0, "2026-01-07 13:00", 0, 0},
    /* off with times closes only those times, even in a normal rule */
    {"Mo-Fr 08:00-18:00; We 12:00-13:00 off", NOCAL, "2026-01-07 09:00", 1, "2026-01-07 12:00", 0, 0},
    {"Mo-Fr 08:00-18:00; We 12:00-13:00 off", NOCAL, "2026-01-07 12:00", 0, "2026-01-07 13:00", 0, 0},
    {"Mo-Su 20:00-03:00; We 22:00-02:00 off", NOCAL, "2026-01-08 01:30", 0, "2026-01-08 02:00", 0, 0},
    {"Mo-Fr 08:00-18:00; We off", NOCAL, "2026-01-07 09:00", 0, "2026-01-08 08:00", 0, 0},
    {"Mo-Fr 08:00-18:00; We 12:00-13:00 unknown", NOCAL, "2026-01-07 09:00", 0, "2026-01-08 08:00", 0, 0},
    {"Mo-Fr 08:00-18:00; We 10:00-11:00", NOCAL, "2026-01-07 09:00", 0, "2026-01-07 10:00", 0, 0},
    {"Mo-Fr 10:00-12:00 closed", NOCAL, "2026-01-05 11:00", 0, "-", 0, 0},
    /* fallback rules */
    {"Mo-Fr 08:00-18:00 || Sa 10:00-12:00", NOCAL, "2026-01-10 11:00", 1, "2026-01-10 12:00", 0, 0},
    {"Mo-Fr 08:00-18:00 || 10:00-12:00", NOCAL, "2026-01-10 11:00", 1, "2026-01-10 12:00", 0, 0},
    {"Mo-Fr 08:00-18:00 || 10:00-12:00", NOCAL, "2026-01-05 11:00", 1, "2026-01-05 18:00", 0, 0},
    {"Mo-Fr 08:00-18:00 || \"by appointment\"", NOCAL, "2026-01-10 11:00", 0, "2026-01-12 08:00", 0, 0},
    /* a fallback applies wherever the earlier rules leave it closed */
    {"Mo 10:00-12:00 || Mo 14:00-16:00", NOCAL, "2026-01-05 15:00", 1, "2026-01-05 16:00", 0, 0},
    {"Mo-Fr 10:00-12:00 || 20:00-02:00", NOCAL, "2026-01-06 01:00", 1, "2026-01-06 02:00", 0, 0},
    {"Mo-Fr 10:00-12:00 || 20:00-02:00", NOCAL, "2026-01-06 11:00", 1, "2026-01-06 12:00", 0, 0},
    {"Mo-Fr 08:00-18:00; Sa off || 10:00-12:00", NOCAL, "2026-01-10 11:00", 1, "2026-01-10 12:00", 0, 0},
    {"Sa 09:00-10:00 || Sa off", NOCAL, "2026-01-10 09:30", 1, "2026-01-10 10:00", 0, 0},
    {"Th 11:00-20:00 unknown || Mo-Su", NOCAL, "2026-01-08 04:55", 1, "2026-01-08 11:00", 0, 0},
    {"Th 11:00-20:00 unknown || Mo-Su", NOCAL, "2026-01-08 12:00", 0, "2026-01-08 20:00", 0, 0},
    {"Mo-Fr 08:00-18:00 || Mo-Su 09:00-10:00 off", NOCAL, "2026-01-05 09:30", 1, "2026-01-05 18:00", 0, 0},
    /* unknown and comments */
    {"Mo-Fr 08:00-18:00; Sa unknown", NOCAL, "2026-01-10 10:00", 0, "2026-01-12 08:00", 0, 0},
    {"Mo-Fr 10:00-18:00 \"call first\"", NOCAL, "2026-01-05 11:00", 1, "2026-01-05 18:00", 0, 0},
    {"Mo-Fr \"on request\"", NOCAL, "2026-01-05 11:00", 0, "-", 0, 0},
    {"Mo-Fr open \"staffed\"", NOCAL, "2026-01-05 11:00", 1, "2026-01-10 00:00", 0, 0},
    {"Mo-Fr 08:00-18:00; Sa off \"stocktaking\"", NOCAL, "2026-01-10 10:00", 0, "2026-01-12 08:00", 0, 0},
};
/* clang-format on */

static void test_eval_table(void)
{
    size_t n = sizeof eval_cases / sizeof eval_cases[0];
    for (size_t i = 0; i < n; i++) {
        const struct eval_case *c = &eval_cases[i];
        int tz = c->tz == 0 ? 480 : c->tz == TZ_UTC ? 0 : c->tz;
        const struct hours_calendar *cal = c->cal == CN ? &cn2026 : NULL;
        int64_t horizon = c->horizon_s ? c->horizon_s : 400 * 86400;
        struct hours *h = parse_ok(c->expr);
        CHECK(h != NULL);
        if (!h)
            continue;
        int64_t t = local_to_unix(c->at, tz);
        bool open = hours_is_open(h, cal, t, tz);
        int64_t next = hours_next_change(h, cal, t, tz, horizon);
        int64_t want = strcmp(c->next, "-") == 0 ? -1 : local_to_unix(c->next, tz);
        if (open != (c->open != 0) || next != want) {
            char got[32];
            unix_to_local(next, tz, got, sizeof got);
            fprintf(stderr, "row %zu \"%s\" at %s: open %d want %d, next %s want %s\n", i, c->expr,
                    c->at, open, c->open, got, c->next);
        }
        CHECK_INT(open, c->open != 0);
        CHECK_INT(next, want);
        hours_free(h);
    }
    printf("hours: %zu evaluation rows\n", n);
}

/* ------------------------------------------------------------------------ */
/* Table of invalid expressions                                             */
/* ------------------------------------------------------------------------ */

struct error_case {
    const char *expr;
    size_t pos;
    const char *message; /* NULL: any */
};

/* clang-format off */
static const struct error_case error_cases[] = {
    {"", 0, "empty expression"},
    {"   ", 3, "empty expression"},
    {"Mo-Fr 08:00-1200", 12, "expected time like 08:00"},
    {"Mo-Fr 25:00-26:00", 6, NULL},
    {"Mo-Fr 24:00-26:00", 6, "a time range cannot start at 24:00"},
    {"Mo-Fr 08:00-49:00", 12, NULL},
    {"Mo-Fr 08:00-48:01", 12, NULL},
    {"Mo-Fr 08:60-12:00", 9, "minutes must be 00-59"},
    {"Mo-Fr 08:000-12:00", 6, NULL},
    {"SH off", 0, "school holidays are not supported"},
    {"Mo-Fr 08:00-18:00; SH off", 19, "school holidays are not supported"},
    {"Sa,SH 10:00-12:00", 3, "school holidays are not supported"},
    {"Mo;", 3, NULL},
    {"Mo;;Tu", 3, "empty rule"},
    {"Mo-Fr 10:00-12:00 ; ; Sa", 20, "empty rule"},
    {"Mo-Fr 10:00-12:00 ||", 20, NULL},
    {"Mo-Fr 10:00-12:00,", 18, NULL},
    {"Mo-Fr 10:00-12:00 open \"x\", ", 28, NULL},
    {"mo-fr 10:00-12:00", 0, "weekdays are written Mo Tu We Th Fr Sa Su"},
    {"Mon-Fri 10:00-12:00", 0, "weekdays are written Mo Tu We Th Fr Sa Su"},
    {"JAN 10:00-12:00", 0, NULL},
    {"Mo Off", 3, "modifiers are written off, closed, open, unknown"},
    {"Mo-Fr sunrise-sunset", 6, NULL},
    {"(sunrise+01:00)-18:00", 0, NULL},
    {"Mo-Fr 10:00-12:00/01:00", 17, NULL},
    {"10:00-12:00 Mo", 12, NULL},
    {"Mo Jan", 3, "dates must come before weekdays and times"},
    {"PH Mo", 3, NULL},
    {"Mo, 10:00", 4, NULL},
    {"Jan, Mo", 5, NULL},
    {"08:00-08:00", 6, NULL},
    {"Mo-Fr 01:00-26:00", 12, "a time range cannot be longer than 24 hours"},
    {"Apr 31", 4, "day out of range for the month"},
    {"Feb 30 off", 4, NULL},
    {"Sa[6]", 3, NULL},
    {"Sa[0]", 3, NULL},
    {"Sa[1", 4, NULL},
    {"Sa[3-1]", 5, NULL},
    {"Sa[1] +1 day", 6, NULL},
    {"PH +1 day", 3, NULL},
    {"Mo-Fr[1]", 5, NULL},
    {"PH[1]", 2, NULL},
    {"week 01-10", 0, "week numbers are not supported"},
    {"easter off", 0, NULL},
    {"Mo-Fr 10:00-12:00 13:00-14:00", 18, "separate time ranges with ','"},
    {"24/7 10:00-12:00", 5, NULL},
    {"24/7, Su off", 4, NULL},
    {"Mo-Fr 24/7 , Sa 10:00-12:00", 11, NULL},
    {"Mo \"x", 3, NULL},
    {"Mo-Fr 10:00-12:00 off open", 22, NULL},
    {"Mo-Fr 10:00-12:00 \"a\" \"b\"", 22, NULL},
    {"Mo-Fr \"a\" off", 10, NULL},
    {"Mo-Fr off 10:00-12:00", 10, NULL},
    {"Mo-Fr 10:00-", 12, NULL},
    {"Mo-Fr 10:00", 11, NULL},
    {"Mo-Fr 10:00-12:00+", 17, NULL},
    {"Mo-Fr 10:00-12:00 | Sa", 18, "expected '||'"},
    {"Jan-15", 4, NULL},
    {"Jan 05-Mar", 10, NULL},
    {"Jan-Feb 15", 8, NULL},
    {"Mar 05-01", 7, "the day range goes backwards"},
    {"Mar 05-Mar 01", 7, NULL},
    {"Dec 24-2027 Jan 02", 7, NULL},
    {"2026-2025", 5, NULL},
    {"1899 Jan", 0, NULL},
    {"2027 Jan 01-2026 Jan 05", 12, NULL},
    {"2026 Nov-Feb", 9, NULL},
    {"2027 Feb 29", 9, "that year has no such day"},
    {"2027 Feb 01-29", 12, "that year has no such day"},
    {"2027 Feb 27,29", 12, "that year has no such day"},
    {"2027 Dec 30-2028 Feb 30", 21, NULL},
    {"2026 Dec 24-Jan 02", 12, NULL},
    {"2026 Jan-2027 Mar", 9, NULL},
    {"Jan Feb", 4, "separate dates with ','"},
    {"Mo - ", 5, NULL},
    {"Mo-Fr 08:00 - 12:00 xyz", 20, NULL},
    {"Mo-Fr 10:00-12:00 Sa", 18, NULL},
    {"\xe5\x91\xa8\xe4\xb8\x80 09:00-18:00", 0, NULL},
    {"Mo-Fr 09:00-18:00\n", 17, NULL},
    {"Mo 10:00-12:00; ,Tu", 16, NULL},
    {"Mo-Fr 10:00+-12:00", 12, NULL},
    {"Mo 10:00-12:00 open; \"a\" \"b\"", 25, NULL},
};
/* clang-format on */

static void test_error_table(void)
{
    size_t n = sizeof error_cases / sizeof error_cases[0];
    for (size_t i = 0; i < n; i++) {
        const struct error_case *c = &error_cases[i];
        struct hours *h = (struct hours *)&h; /* must be reset to NULL */
        struct hours_error err;
        int rc = hours_parse(c->expr, &h, &err);
        if (rc != -1 || err.pos != c->pos || (c->message && strcmp(err.message, c->message) != 0))
            fprintf(stderr, "error row %zu \"%s\": rc %d pos %zu \"%s\"\n", i, c->expr, rc, err.pos,
                    err.message);
        CHECK_INT(rc, -1);
        CHECK(h == NULL);
        CHECK_INT(err.pos, c->pos);
        CHECK(err.message[0] != '\0');
        CHECK(strlen(err.message) < sizeof err.message);
        if (c->message)
            CHECK_STR(err.message, c->message);
        if (rc == 0)
            hours_free(h);
    }
    printf("hours: %zu error rows\n", n);
}

/* Limits: length, rules, time ranges, dates; each refused at the first
 * byte past the limit. */
static void test_limits(void)
{
    char buf[2048];
    struct hours *h = NULL;
    struct hours_error err;

    /* 1024 bytes parse, 1025 do not */
    memset(buf, ' ', sizeof buf);
    memcpy(buf, "24/7", 4);
    buf[HOURS_MAX_LEN] = '\0';
    CHECK_INT(hours_parse(buf, &h, &err), 0);
    hours_free(h);
    buf[HOURS_MAX_LEN] = ' ';
    buf[HOURS_MAX_LEN + 1] = '\0';
    CHECK_INT(hours_parse(buf, &h, &err), -1);
    CHECK_INT(err.pos, HOURS_MAX_LEN);

    /* 64 rules parse, the 65th is refused where it starts */
    buf[0] = '\0';
    for (int i = 0; i < 64; i++)
        strcat(buf, i ? "; Mo" : "Mo");
    CHECK_INT(hours_parse(buf, &h, &err), 0);
    CHECK_INT(hours_rule_count(h), 64);
    hours_free(h);
    size_t at = strlen(buf) + 2;
    strcat(buf, "; Tu");
    CHECK_INT(hours_parse(buf, &h, &err), -1);
    CHECK_INT(err.pos, at);

    /* 32 time ranges parse, the 33rd is refused */
    strcpy(buf, "Mo ");
    for (int i = 0; i < 32; i++) {
        char one[16];
        snprintf(one, sizeof one, "%s%02d:%02d-%02d:%02d", i ? "," : "", i / 2, (i % 2) * 30, i / 2,
                 (i % 2) * 30 + 10);
        strcat(buf, one);
    }
    CHECK_INT(hours_parse(buf, &h, &err), 0);
    hours_free(h);
    at = strlen(buf) + 1;
    strcat(buf, ",20:00-21:00");
    CHECK_INT(hours_parse(buf, &h, &err), -1);
    CHECK_INT(err.pos, at);

    /* 16 dates parse, the 17th is refused */
    buf[0] = '\0';
    for (int i = 0; i < 16; i++)
        strcat(buf, i ? ",Jan" : "Jan");
    CHECK_INT(hours_parse(buf, &h, &err), 0);
    hours_free(h);
    at = strlen(buf) + 1;
    strcat(buf, ",Feb");
    CHECK_INT(hours_parse(buf, &h, &err), -1);
    CHECK_INT(err.pos, at);
}

/* NULLs and validation-only parsing. */
static void test_null_and_validate(void)
{
    struct hours_error err;
    struct hours *h = NULL;

    CHECK_INT(hours_parse(NULL, &h, &err), -1);
    CHECK_INT(err.pos, 0);
    CHECK_INT(hours_parse("Mo-Fr 09:00-17:00", NULL, &err), 0);
    CHECK_INT(hours_parse("Mo-Fr 09:00", NULL, NULL), -1);
    CHECK_INT(hours_parse("Mo-Fr 09:00-17:00", &h, NULL), 0);
    CHECK(!hours_is_open(NULL, NULL, 0, 480));
    CHECK_INT(hours_next_change(NULL, NULL, 0, 480, 86400), -1);
    CHECK_INT(hours_rule_count(NULL), 0);
    char buf[8];
    CHECK_INT(hours_format(NULL, buf, sizeof buf), 0);
    CHECK_STR(buf, "");
    hours_free(NULL);

    /* out-of-range offsets and moments are closed and never change */
    int64_t t = local_to_unix("2026-01-05 10:00", 480);
    CHECK(hours_is_open(h, NULL, t, 480));
    CHECK(!hours_is_open(h, NULL, t, 1441));
    CHECK(!hours_is_open(h, NULL, t, -1441));
    CHECK_INT(hours_next_change(h, NULL, t, 1441, 86400), -1);
    CHECK(!hours_is_open(h, NULL, INT64_MAX, 480));
    CHECK(!hours_is_open(h, NULL, INT64_MIN, 480));
    CHECK_INT(hours_next_change(h, NULL, INT64_MAX, 480, INT64_MAX), -1);
    CHECK_INT(hours_next_change(h, NULL, INT64_MIN, 480, INT64_MAX), -1);
    CHECK_INT(hours_next_change(h, NULL, t, 480, 0), -1);
    CHECK_INT(hours_next_change(h, NULL, t, 480, -5), -1);
    /* a huge horizon is cut, not trusted */
    CHECK_INT(hours_next_change(h, NULL, t, 480, INT64_MAX),
              local_to_unix("2026-01-05 17:00", 480));
    /* year 9999 is the end of time here */
    int64_t last = local_to_unix("9999-12-31 10:00", 480);
    CHECK(hours_is_open(h, NULL, last, 480)); /* a Friday */
    CHECK_INT(hours_next_change(h, NULL, last, 480, 86400), local_to_unix("9999-12-31 17:00", 480));
    CHECK_INT(hours_next_change(h, NULL, last + 8 * 3600, 480, 86400), -1);
    int64_t first = local_to_unix("0001-01-01 10:00", 480);
    CHECK(hours_is_open(h, NULL, first, 480)); /* a Monday */

    /* a calendar with n but no days, or an empty one, is no calendar */
    struct hours_calendar broken = {NULL, 5}, empty = {NULL, 0};
    CHECK(hours_is_open(h, &broken, t, 480));
    CHECK(hours_is_open(h, &empty, t, 480));
    hours_free(h);
}

/* Seconds inside a minute; the answer is the next minute boundary. */
static void test_unaligned_times(void)
{
    struct hours *h = parse_ok("Mo-Fr 08:00-18:00");
    CHECK(h != NULL);
    if (!h)
        return;
    int64_t t = local_to_unix("2026-01-05 07:59", 480) + 30;
    CHECK(!hours_is_open(h, NULL, t, 480));
    CHECK_INT(hours_next_change(h, NULL, t, 480, 86400), t + 30);
    CHECK_INT(hours_next_change(h, NULL, t, 480, 30), t + 30);
    CHECK_INT(hours_next_change(h, NULL, t, 480, 29), -1);
    t = local_to_unix("2026-01-05 08:00", 480);
    CHECK(hours_is_open(h, NULL, t, 480));
    CHECK(!hours_is_open(h, NULL, t - 1, 480));
    CHECK_INT(hours_next_change(h, NULL, t - 1, 480, 86400), t);
    /* before 1970 the floor division must still pick the right minute */
    int64_t old = local_to_unix("1969-12-31 07:59", 480) + 59;
    CHECK(!hours_is_open(h, NULL, old, 480)); /* a Wednesday */
    CHECK(hours_is_open(h, NULL, old + 1, 480));
    CHECK_INT(hours_next_change(h, NULL, old, 480, 86400), old + 1);
    hours_free(h);
}

/* Weekdays and leap days across centuries agree with plain counting. */
static void test_calendar_math(void)
{
    static const char *exprs[7] = {"Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"};
    struct hours *wd[7];
    struct hours *feb29 = parse_ok("Feb 29");
    struct hours *last_su = parse_ok("Su[-1]");
    int bad = 0;

    for (int i = 0; i < 7; i++)
        wd[i] = parse_ok(exprs[i]);
    for (int y = 1; y <= 9999; y += (y < 1590 || y > 2410) ? 97 : 1) {
        for (int m = 1; m <= 12; m++) {
            int dim = month_days(y, m);
            for (int d = 1; d <= dim; d += (m == 2 ? 1 : 9)) {
                int64_t z = naive_days(y, m, d);
                int64_t t = z * 86400 + 12 * 3600;
                int want = naive_weekday(z);
                for (int k = 0; k < 7; k++)
                    if (hours_is_open(wd[k], NULL, t, 0) != (k == want))
                        bad++;
                if (hours_is_open(feb29, NULL, t, 0) != (m == 2 && d == 29))
                    bad++;
                if (hours_is_open(last_su, NULL, t, 0) != (want == 6 && d + 7 > dim))
                    bad++;
            }
        }
    }
    CHECK_INT(bad, 0);
    for (int i = 0; i < 7; i++)
        hours_free(wd[i]);
    hours_free(feb29);
    hours_free(last_su);
}

/* ------------------------------------------------------------------------ */
/* Canonical text                                                           */
/* ------------------------------------------------------------------------ */

/* clang-format off */
static const struct {
    const char *in, *out;
} format_cases[] = {
    {"24/7", "24/7"},
    {"Mo-Fr 8:00-12:00 , 13:30 - 18:00;Sa 9:00-12:00 ;PH closed",
     "Mo-Fr 08:00-12:00,13:30-18:00; Sa 09:00-12:00; PH off"},
    {"Fr-Mo 10:00-20:00", "Mo,Fr-Su 10:00-20:00"},
    {"Mo,Tu,We,Th,Fr", "Mo-Fr"},
    {"Sa,Su", "Sa,Su"},
    {"PH,Sa,Su 10:00-12:00", "Sa,Su,PH 10:00-12:00"},
    {"Sa[1],Su[-1],Mo[1,2,3]", "Mo[1-3],Sa[1],Su[-1]"},
    {"Mo,Mo[2]", "Mo"},
    {"18:00-26:00", "18:00-02:00"},
    {"02:00-26:00", "02:00-26:00"},
    {"22:00-00:00", "22:00-24:00"},
    {"18:00+", "18:00+"},
    {"Dec 1-3,5", "Dec 01-03,05"},
    {"Jan 01-Jan 05", "Jan 01-05"},
    {"Jan 01-Feb 15", "Jan 01-Feb 15"},
    {"Jan-Jan", "Jan"},
    {"2028 Feb 29,2027 Feb 28", "2028 Feb 29,2027 Feb 28"},
    {"2026 Dec 24-2027 Jan 02", "2026 Dec 24-2027 Jan 02"},
    {"2026 Jan 01-2027 Jan 05", "2026 Jan 01-2027 Jan 05"},
    {"2026 Mar 05-2027 Mar 01", "2026 Mar 05-2027 Mar 01"},
    {"2026 Jan 01-2026 Feb 15", "2026 Jan 01-Feb 15"},
    {"2026 Nov-Dec,2027 Jan-Feb", "2026 Nov-Dec,2027 Jan-Feb"},
    {"2026-2026", "2026"},
    {"Mo-Fr 08:00-18:00||\"by appointment\"",
     "Mo-Fr 08:00-18:00 || \"by appointment\""},
    {"Mo-Fr 08:00-18:00,We 19:00-21:00", "Mo-Fr 08:00-18:00, We 19:00-21:00"},
    {"Mo off,10:00-12:00", "Mo off, 10:00-12:00"},
    {"Mo-Fr closed \"\"", "Mo-Fr off \"\""},
};
/* clang-format on */

static void test_format(void)
{
    char buf[HOURS_FORMAT_MAX];
    for (size_t i = 0; i < sizeof format_cases / sizeof format_cases[0]; i++) {
        struct hours *h = parse_ok(format_cases[i].in);
        CHECK(h != NULL);
        if (!h)
            continue;
        CHECK_INT(hours_format(h, buf, sizeof buf), 0);
        CHECK_STR(buf, format_cases[i].out);
        hours_free(h);
    }

    /* truncation: NUL-terminated prefix and -1 */
    struct hours *h = parse_ok("Mo-Fr 08:00-18:00");
    char small[6];
    CHECK_INT(hours_format(h, small, sizeof small), -1);
    CHECK_STR(small, "Mo-Fr");
    char exact[18];
    CHECK_INT(hours_format(h, exact, sizeof exact), 0);
    CHECK_STR(exact, "Mo-Fr 08:00-18:00");
    CHECK_INT(hours_format(h, exact, 17), -1);
    CHECK_INT(hours_format(h, NULL, 0), -1);
    hours_free(h);
}

/* ------------------------------------------------------------------------ */
/* Random valid expressions                                                 */
/* ------------------------------------------------------------------------ */

static void append(char *buf, size_t cap, const char *s)
{
    size_t n = strlen(buf);
    snprintf(buf + n, cap - n, "%s", s);
}

static void gen_clock(char *out, size_t cap, int minutes)
{
    snprintf(out, cap, "%02d:%02d", minutes / 60, minutes % 60);
}

static int gen_minute(void)
{
    switch (rng_below(3)) {
    case 0:
        return rng_below(1440);
    case 1:
        return rng_below(96) * 15;
    default:
        return rng_below(24) * 60;
    }
}

/* One time range, always valid. */
static void gen_time_range(char *buf, size_t cap)
{
    char a[8], b[8];
    int start = gen_minute();
    gen_clock(a, sizeof a, start);
    if (rng_below(12) == 0) {
        append(buf, cap, a);
        append(buf, cap, "+");
        return;
    }
    int dur = rng_below(4) == 0 ? 1 + rng_below(1440) : 15 * (1 + rng_below(48));
    int end = start + dur;
    if (end <= 1440)
        gen_clock(b, sizeof b, end);
    else if (end - 1440 < start && rng_below(2))
        gen_clock(b, sizeof b, end - 1440);
    else
        gen_clock(b, sizeof b, end);
    append(buf, cap, a);
    append(buf, cap, "-");
    append(buf, cap, b);
}

static const char *const gen_dates[] = {
    "Jan-Mar",       "Nov-Feb",     "Dec 24-26",     "Jan 01-Feb 15",
    "Dec 24-Jan 02", "Oct",         "Feb 28-Mar 01", "2026 Mar-Dec,2027 Jan-Feb",
    "2027",          "Apr-Oct",     "Dec 25,26",     "2026 Oct 01-07",
    "Sep 25-Oct 10", "Jun-Aug,Dec",
};

static const char *const gen_weekdays[] = {
    "Mo-Fr", "Sa,Su", "Sa",     "Su",      "Fr-Mo", "Mo,We,Fr", "PH",    "Sa,Su,PH",
    "Tu-Th", "Sa[1]", "Su[-1]", "Mo[2,4]", "Fr",    "We-Mo",    "Mo-Su",
};

static const char *const gen_modifiers[] = {"off", "closed", "open", "unknown"};

/* Append one random rule; returns true if it ended with times, 24/7, a
 * modifier or a comment (so an additional rule may follow). */
static bool gen_rule(char *buf, size_t cap)
{
    bool any = false, can_add = false;
    if (rng_below(4) == 0) {
        append(buf, cap, gen_dates[rng_below(sizeof gen_dates / sizeof gen_dates[0])]);
        append(buf, cap, " ");
        any = true;
    }
    if (rng_below(5) < 3) {
        append(buf, cap, gen_weekdays[rng_below(sizeof gen_weekdays / sizeof gen_weekdays[0])]);
        append(buf, cap, " ");
        any = true;
    }
    int t = rng_below(8);
    if (t == 0) {
        append(buf, cap, "24/7 ");
        any = true; /* "24/7, ..." is refused */
    } else if (t >= 3 || !any) {
        int n = 1 + rng_below(3);
        for (int i = 0; i < n; i++) {
            if (i)
                append(buf, cap, ",");
            gen_time_range(buf, cap);
        }
        append(buf, cap, " ");
        any = can_add = true;
    }
    if (rng_below(5) == 0) {
        append(buf, cap, gen_modifiers[rng_below(4)]);
        append(buf, cap, " ");
        can_add = true;
    }
    if (rng_below(10) == 0) {
        append(buf, cap, "\"note\" ");
        can_add = true;
    }
    return can_add;
}

static void gen_expr(char *buf, size_t cap)
{
    buf[0] = '\0';
    int n = 1 + rng_below(4);
    for (int i = 0; i < n; i++) {
        bool can_add = gen_rule(buf, cap);
        if (i + 1 < n) {
            int s = rng_below(6);
            append(buf, cap, s == 0 ? "|| " : (s == 1 && can_add) ? ", " : "; ");
        }
    }
}

/* A random moment in 2026..2027, local UTC+8. */
static int64_t gen_moment(void)
{
    int64_t base = local_to_unix("2026-01-01 00:00", 480);
    return base + (int64_t)rng_below(730 * 1440) * 60 + (rng_below(4) == 0 ? rng_below(60) : 0);
}

/* hours_next_change agrees with a minute-by-minute scan over 36 hours. */
static void test_property_brute_force(void)
{
    char expr[512];
    int mismatches = 0, changes = 0;
    for (int i = 0; i < 300; i++) {
        gen_expr(expr, sizeof expr);
        struct hours *h = parse_ok(expr);
        CHECK(h != NULL);
        if (!h)
            continue;
        const struct hours_calendar *cal = i % 2 ? &cn2026 : NULL;
        int64_t t = gen_moment();
        int64_t horizon = 36 * 3600;
        bool open = hours_is_open(h, cal, t, 480);
        int64_t want = -1;
        for (int64_t m = t / 60 * 60 + 60; m <= t + horizon; m += 60)
            if (hours_is_open(h, cal, m, 480) != open) {
                want = m;
                break;
            }
        int64_t got = hours_next_change(h, cal, t, 480, horizon);
        if (got != want) {
            mismatches++;
            fprintf(stderr, "brute force: \"%s\" t=%lld got %lld want %lld\n", expr, (long long)t,
                    (long long)got, (long long)want);
        }
        if (want != -1)
            changes++;
        hours_free(h);
    }
    CHECK_INT(mismatches, 0);
    CHECK(changes > 100); /* the generator is not degenerate */
}

/* Over long horizons: constant on [t, t'), flips at t'; and the canonical
 * text parses to an expression with the same answers. */
static void test_property_long(void)
{
    char expr[512], canon[HOURS_FORMAT_MAX], canon2[HOURS_FORMAT_MAX];
    int violations = 0, format_bad = 0;
    for (int i = 0; i < 2000; i++) {
        gen_expr(expr, sizeof expr);
        struct hours *h = parse_ok(expr);
        CHECK(h != NULL);
        if (!h)
            continue;
        const struct hours_calendar *cal = i % 3 ? &cn2026 : NULL;
        int64_t t = gen_moment();
        int64_t horizon = (int64_t)(1 + rng_below(400)) * 86400;
        bool open = hours_is_open(h, cal, t, 480);
        int64_t next = hours_next_change(h, cal, t, 480, horizon);
        if (next != -1) {
            if (next <= t || next % 60 != 0 || next - t > horizon)
                violations++;
            if (hours_is_open(h, cal, next, 480) == open ||
                hours_is_open(h, cal, next - 1, 480) != open)
                violations++;
            for (int k = 0; k < 6; k++) {
                int64_t s = t + (int64_t)(rng_next() % (uint64_t)(next - t));
                if (hours_is_open(h, cal, s, 480) != open)
                    violations++;
            }
        } else {
            for (int k = 0; k < 8; k++) {
                int64_t s = t + (int64_t)(rng_next() % (uint64_t)horizon);
                if (hours_is_open(h, cal, s, 480) != open)
                    violations++;
            }
        }

        /* canonical text: same answers, and a fixed point */
        CHECK_INT(hours_format(h, canon, sizeof canon), 0);
        struct hours *h2 = parse_ok(canon);
        if (!h2) {
            format_bad++;
            hours_free(h);
            continue;
        }
        CHECK_INT(hours_format(h2, canon2, sizeof canon2), 0);
        if (strcmp(canon, canon2) != 0)
            format_bad++;
        for (int k = 0; k < 4; k++) {
            int64_t s = gen_moment();
            if (hours_is_open(h, cal, s, 480) != hours_is_open(h2, cal, s, 480))
                format_bad++;
        }
        if (hours_next_change(h2, cal, t, 480, horizon) != next)
            format_bad++;
        if (format_bad)
            fprintf(stderr, "format: \"%s\" -> \"%s\" -> \"%s\"\n", expr, canon, canon2);
        hours_free(h2);
        hours_free(h);
        if (format_bad)
            break;
    }
    CHECK_INT(violations, 0);
    CHECK_INT(format_bad, 0);
}

/* A year ahead costs microseconds, not a minute-by-minute walk. */
static void test_speed(void)
{
    struct hours *sparse = parse_ok("Dec 25 10:00-11:00");
    struct hours *busy = parse_ok("Mo-Fr 08:00-12:00,13:00-18:00; Sa 10:00-14:00; Su off; PH off; "
                                  "Nov-Feb Mo-Fr 09:00-17:00; Dec 24-26 off");
    struct hours *never = parse_ok("24/7; Feb 29 off");
    CHECK(sparse && busy && never);
    if (!sparse || !busy || !never) {
        hours_free(sparse);
        hours_free(busy);
        hours_free(never);
        return;
    }
    int64_t t = local_to_unix("2026-01-01 00:00", 480);
    /* Jan 1 is a holiday, but the later Nov-Feb rule overrides PH off */
    CHECK_INT(hours_next_change(busy, &cn2026, t, 480, 400 * 86400),
              local_to_unix("2026-01-01 09:00", 480));

    int reps = 300, wrong = 0;
    int64_t want_sparse = local_to_unix("2026-12-25 10:00", 480);
    clock_t c0 = clock();
    for (int i = 0; i < reps; i++) {
        wrong += hours_next_change(sparse, &cn2026, t, 480, 400 * 86400) != want_sparse;
        wrong += hours_next_change(never, &cn2026, t, 480, 400 * 86400) != -1;
    }
    double us = (double)(clock() - c0) * 1e6 / CLOCKS_PER_SEC / (2.0 * reps);
    CHECK_INT(wrong, 0);
    printf("hours: next_change scanning 358-400 days: %.1f us per call\n", us);
    CHECK(us < 5000.0); /* generous: sanitizers slow this down a lot */
    hours_free(sparse);
    hours_free(busy);
    hours_free(never);
}

int main(void)
{
    RUN(test_eval_table);
    RUN(test_error_table);
    RUN(test_limits);
    RUN(test_null_and_validate);
    RUN(test_unaligned_times);
    RUN(test_calendar_math);
    RUN(test_format);
    RUN(test_property_brute_force);
    RUN(test_property_long);
    RUN(test_speed);
    return test_report("hours");
}
