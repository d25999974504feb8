/*
 * hours.h - OpenStreetMap opening_hours expressions with China's holiday
 * calendar.
 *
 * A site's opening hours are stored as the text OpenStreetMap uses, for
 * example "Mo-Fr 08:30-17:30; Sa 09:00-12:00; PH off". hours_parse() checks
 * such a text strictly and compiles it; hours_is_open() and
 * hours_next_change() answer "is it open now, and until when" for a moment
 * in local time. Public holidays (PH) and China's make-up working days
 * (调休: a weekend day that is worked with the rules of a weekday) come from
 * a calendar that administrators maintain, passed in on every call.
 *
 * Accepted (spaces and tabs may surround separators and '-'):
 *   24/7 | rules joined by "; ", ", " or " || "
 *   rule: [dates] [weekdays] [times | 24/7] [off|closed|open|unknown]
 *         ["comment"], at least one part
 *   dates: comma list of 2026 | 2026-2027 | Dec | Jan-Mar | Nov-Feb |
 *         Dec 25 | Dec 24-26 | Jan 01-Feb 15 | Dec 24-Jan 02, each month
 *         or date optionally after a year; "Dec 25,26" repeats the month
 *   weekdays: comma list of Mo | Mo-Fr | Fr-Mo | Sa[1] | Su[-1] | Mo[1,3] |
 *         Mo[1-2] | PH
 *   times: comma list of 08:00-12:00 | 22:00-06:00 | 18:00-26:00 |
 *         08:00-24:00 | 18:00+ (hours may have one digit)
 * Refused with the byte offset and a message: SH, sunrise/sunset/dawn/
 * dusk, easter, week numbers, day offsets ("PH +1 day"), repeating times
 * ("10:00-16:00/01:00"), open end after a range ("18:00-02:00+"), equal
 * start and end, ranges over 24 hours, days a month cannot have, parts out
 * of order, misspelt or lowercase names, "PH Mo" without a comma, a ','
 * between rules right after dates, weekdays or 24/7, empty rules (also a
 * trailing ';'), and anything else.
 *
 * Semantics follow the OSM wiki and, where the wiki is silent, the npm
 * package opening_hours (the reference most OSM tools use); the few
 * deliberate differences from that package are marked (*):
 *  - Rules are joined by "; " (normal), ", " (additional) or " || "
 *    (fallback). A normal rule that selects a day replaces everything the
 *    earlier rules said about that day, except an off/closed rule with
 *    times ("We 12:00-13:00 off"), which only closes those times. An
 *    additional rule adds its times (or with off/unknown removes them). A
 *    fallback rule applies where the earlier rules leave it closed (not
 *    where they say unknown), so an open one adds its times.
 *  - A rule with no times covers the whole day; a rule with no day or date
 *    selector covers every day, and as a normal rule it replaces every
 *    day (*: npm turns it into an additional rule when the rule before it
 *    has day selectors).
 *  - Times past midnight ("22:00-02:00", "18:00-26:00") spill into the next
 *    morning. The spill belongs to the day whose rule produced it: a later
 *    rule that replaces that day removes it, later rules about the next
 *    day do not ("Fr,Sa 20:00-02:00; Su off" is open Sunday 01:00) (*: npm
 *    lets the next day's rules cut it). Explicit off times do close it
 *    ("Mo-Fr 18:00-02:00; Tu 00:00-01:00 off" is closed Tuesday 00:30).
 *  - "18:00+" (open end) counts as open until 24:00 (*: npm says unknown).
 *  - unknown counts as closed. A comment does not change a rule's state
 *    (*: npm makes a comment without a modifier unknown), except in a rule
 *    with no times and no modifier ("Mo-Fr 08:00-18:00 || \"by
 *    appointment\""), which is unknown as in npm.
 *  - PH selects the calendar's HOURS_DAY_HOLIDAY days. A HOURS_DAY_WORKDAY
 *    date takes the weekday in as_weekday (0 means Monday) for every weekday
 *    selector, nth ones included; months and dates use the real date, and
 *    "Sa[2]" counts occurrences by the real day of the month.
 *  - A year before a month or date limits it to that year: "2026 Jan-Mar",
 *    "2026 Jan 01-Feb 15"; a range into the next year names the end year
 *    and has days ("2026 Dec 24-2027 Jan 02"). "2026 Nov-Feb" is refused as
 *    ambiguous.
 *
 * Everything here is libc only: no I/O, no global state, no locale, no time
 * zone database (the caller passes a fixed UTC offset), so every function is
 * thread-safe. Moments outside the years 0001..9999 in local time, and
 * offsets beyond +-1440 minutes, are never open and never change.
 */
#ifndef WH_HOURS_HOURS_H
#define WH_HOURS_HOURS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Limits of an expression; the parser refuses more, at the fault's byte. */
#define HOURS_MAX_LEN 1024 /* bytes of source text */
#define HOURS_MAX_RULES 64 /* rules, whatever joins them */
#define HOURS_MAX_TIMES 32 /* time ranges in one rule */
#define HOURS_MAX_DATES 16 /* year, month and date ranges in one rule */

/* A buffer this large always holds hours_format()'s text and its NUL. */
#define HOURS_FORMAT_MAX 4096

/* hours_next_change() looks at most this far ahead, whatever it is asked. */
#define HOURS_MAX_HORIZON_S ((int64_t)3660 * 86400)

/* One day in the admin-maintained holiday calendar. */
enum hours_day_kind { HOURS_DAY_HOLIDAY = 1, HOURS_DAY_WORKDAY = 2 };
struct hours_day {
    int32_t date;       /* yyyymmdd, local date */
    uint8_t kind;       /* enum hours_day_kind; other values: an ordinary day */
    uint8_t as_weekday; /* for HOURS_DAY_WORKDAY: 1=Mo..7=Su whose rules
                           apply; 0 (or anything above 7) = Monday */
};
/* Sorted by date ascending, no duplicates; may be empty (n=0, days=NULL).
 * An unsorted calendar gives wrong answers but never a crash. */
struct hours_calendar {
    const struct hours_day *days;
    size_t n;
};

struct hours; /* a compiled expression; opaque */

struct hours_error {
    size_t pos;        /* byte offset into the source where the fault is */
    char message[128]; /* English, e.g. "expected time like 08:00" */
};

/* Parse src (NUL-terminated, at most HOURS_MAX_LEN bytes, else an error at
 * pos HOURS_MAX_LEN). Returns 0 and sets *out, which the caller frees with
 * hours_free(); or returns -1, leaves *out NULL and fills *err (when err is
 * not NULL) with the byte offset of the fault and a message. A NULL src is
 * an error at pos 0. Out of memory aborts. */
int hours_parse(const char *src, struct hours **out, struct hours_error *err);

/* Free a compiled expression; NULL is fine. */
void hours_free(struct hours *h);

/* Is it open at Unix time t, evaluated in local time with a fixed UTC
 * offset in minutes (China: +480)? "unknown" rules count as closed. cal may
 * be NULL. A NULL h is never open. */
bool hours_is_open(const struct hours *h, const struct hours_calendar *cal, int64_t t,
                   int tz_offset_min);

/* The first instant > t (Unix seconds, minute-aligned) at which
 * hours_is_open changes value, searching at most horizon_s seconds ahead
 * (the instant returned is <= t + horizon_s; horizons beyond
 * HOURS_MAX_HORIZON_S are cut to it); returns -1 if it never changes in that
 * window (e.g. "24/7" or "off"). Steps a day at a time: a year costs a few
 * microseconds for a typical expression. */
int64_t hours_next_change(const struct hours *h, const struct hours_calendar *cal, int64_t t,
                          int tz_offset_min, int64_t horizon_s);

/* Canonical text of a compiled expression: rules joined by "; ", ", " or
 * " || ", weekdays as ranges ("Mo-Fr,PH"), times as HH:MM, "closed" written
 * "off". Parsing the text gives an expression with the same answers.
 * Writes at most cap bytes, always NUL-terminated when cap > 0. Returns 0,
 * or -1 when the text did not fit (buf then holds a truncated prefix);
 * a buffer of HOURS_FORMAT_MAX bytes always fits. */
int hours_format(const struct hours *h, char *buf, size_t cap);

/* Number of rules in a compiled expression (0 for NULL). */
size_t hours_rule_count(const struct hours *h);

#endif
