/*
 * hours_oracle.c - prints random opening_hours cases with this module's
 * answers, for compare.cjs to check against the npm package opening_hours.
 *
 * Each output line is one JSON object: the expression, then for several
 * moments (Unix seconds, evaluated at UTC+8) whether it is open and the
 * next change within 8 days (-1 for none), and tags naming the features in
 * it where the two implementations differ on purpose (see compare.cjs), so
 * that the report can keep those apart. The expressions avoid PH (npm needs
 * a place for it) and "18:00+" (npm calls it unknown).
 *
 *   cc -std=c11 -Isrc tests/unit/hours/oracle/hours_oracle.c \
 *      src/hours/hours.c -o /tmp/hours_oracle
 *   /tmp/hours_oracle 3000 7 > /tmp/hours_cases.jsonl   (count, seed)
 *   NODE_PATH=/tmp/oh/node_modules node tests/unit/hours/oracle/compare.cjs \
 *      < /tmp/hours_cases.jsonl
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hours/hours.h"

static uint64_t oracle_rng = 88172645463325252ull;

static int oracle_below(int n)
{
    oracle_rng ^= oracle_rng << 13;
    oracle_rng ^= oracle_rng >> 7;
    oracle_rng ^= oracle_rng << 17;
    return (int)(oracle_rng % (uint64_t)n);
}

static void oracle_append(char *buf, size_t cap, const char *s)
{
    size_t n = strlen(buf);
    snprintf(buf + n, cap - n, "%s", s);
}

static int oracle_minute(void)
{
    return oracle_below(2) ? oracle_below(96) * 15 : oracle_below(1440);
}

/* Features where npm opening_hours and this module differ on purpose. */
enum {
    TAG_COMMENT = 1,   /* a rule has a comment */
    TAG_SPILL = 2,     /* times past midnight */
    TAG_TIMESONLY = 4, /* "; " rule without days after a rule with days */
    TAG_UNKNOWN = 8    /* unknown with times and without days */
};

static void oracle_time_range(char *buf, size_t cap, int *tags)
{
    char one[32];
    int start = oracle_minute();
    int dur = oracle_below(3) ? 15 * (1 + oracle_below(60)) : 1 + oracle_below(1439);
    int end = start + dur;
    if (end > 1440)
        *tags |= TAG_SPILL;
    if (end > 1440 && oracle_below(2))
        end -= 1440; /* written wrapped: 22:00-02:00 */
    snprintf(one, sizeof one, "%02d:%02d-%02d:%02d", start / 60, start % 60, end / 60, end % 60);
    oracle_append(buf, cap, one);
}

static const char *const oracle_dates[] = {
    "Jan-Mar",   "Nov-Feb",        "Dec 24-26",     "Jan 01-Feb 15", "Dec 24-Jan 02",
    "Oct",       "Feb 28-Mar 01",  "2026 Mar-Dec",  "2027",          "Apr-Oct",
    "Dec 25,26", "2026 Oct 01-07", "Sep 25-Oct 10", "Jun-Aug,Dec",   "Jan 10-20",
};
static const char *const oracle_weekdays[] = {
    "Mo-Fr", "Sa,Su",  "Sa",      "Su", "Fr-Mo", "Mo,We,Fr", "Tu-Th",
    "Sa[1]", "Su[-1]", "Mo[2,4]", "Fr", "We-Mo", "Mo-Su",    "Th",
};
static const char *const oracle_modifiers[] = {"off", "closed", "open", "unknown"};

/* Returns true when the rule ends with times, 24/7, a modifier or a
 * comment, so that an additional rule may follow it; *has_days tells
 * whether it has a date or weekday selector. */
static int oracle_rule(char *buf, size_t cap, int *tags, int *has_days)
{
    int any = 0, can_add = 0, has_times = 0;
    if (oracle_below(4) == 0) {
        oracle_append(buf, cap,
                      oracle_dates[oracle_below(sizeof oracle_dates / sizeof oracle_dates[0])]);
        oracle_append(buf, cap, " ");
        any = 1;
    }
    if (oracle_below(5) < 3) {
        oracle_append(
            buf, cap,
            oracle_weekdays[oracle_below(sizeof oracle_weekdays / sizeof oracle_weekdays[0])]);
        oracle_append(buf, cap, " ");
        any = 1;
    }
    int t = oracle_below(10);
    if (t == 0 && !any) {
        oracle_append(buf, cap, "24/7 "); /* "24/7, ..." is refused */
    } else if (t >= 3 || !any) {
        int n = 1 + oracle_below(2);
        for (int i = 0; i < n; i++) {
            if (i)
                oracle_append(buf, cap, ",");
            oracle_time_range(buf, cap, tags);
        }
        oracle_append(buf, cap, " ");
        can_add = has_times = 1;
    }
    if (oracle_below(5) == 0) {
        int m = oracle_below(4);
        oracle_append(buf, cap, oracle_modifiers[m]);
        oracle_append(buf, cap, " ");
        can_add = 1;
        if (m == 3 && has_times && !any)
            *tags |= TAG_UNKNOWN;
    }
    if (oracle_below(12) == 0) {
        oracle_append(buf, cap, "\"note\" ");
        can_add = 1;
        *tags |= TAG_COMMENT;
    }
    *has_days = any;
    return can_add;
}

int main(int argc, char **argv)
{
    int count = argc > 1 ? atoi(argv[1]) : 1000;
    if (argc > 2)
        oracle_rng ^= (uint64_t)strtoull(argv[2], NULL, 10) * 2654435761ull;
    const int64_t base = 1767196800; /* 2026-01-01 00:00 at UTC+8 */
    const int64_t horizon = 8 * 86400;
    char expr[512];

    for (int i = 0; i < count; i++) {
        expr[0] = '\0';
        int n = 1 + oracle_below(3), tags = 0, prev_days = 0, sep = 0;
        for (int k = 0; k < n; k++) {
            int has_days;
            int can_add = oracle_rule(expr, sizeof expr, &tags, &has_days);
            if (k > 0 && sep == 2 && prev_days && !has_days)
                tags |= TAG_TIMESONLY;
            prev_days = has_days;
            if (k + 1 < n) {
                int s = oracle_below(6);
                sep = s == 0 ? 0 : (s == 1 && can_add) ? 1 : 2;
                oracle_append(expr, sizeof expr, sep == 0 ? "|| " : sep == 1 ? ", " : "; ");
            }
        }
        size_t len = strlen(expr);
        while (len && expr[len - 1] == ' ')
            expr[--len] = '\0';
        struct hours *h;
        struct hours_error err;
        if (hours_parse(expr, &h, &err) != 0) {
            fprintf(stderr, "generator made \"%s\": %zu %s\n", expr, err.pos, err.message);
            return 1;
        }
        printf("{\"expr\":\"");
        for (const char *p = expr; *p; p++)
            printf(*p == '"' ? "\\\"" : "%c", *p);
        printf("\",\"tags\":%d,\"cases\":[", tags);
        for (int k = 0; k < 6; k++) {
            int64_t t = base + (int64_t)oracle_below(700 * 1440) * 60;
            printf("%s[%lld,%d,%lld]", k ? "," : "", (long long)t,
                   hours_is_open(h, NULL, t, 480) ? 1 : 0,
                   (long long)hours_next_change(h, NULL, t, 480, horizon));
        }
        printf("]}\n");
        hours_free(h);
    }
    return 0;
}
