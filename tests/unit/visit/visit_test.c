/*
 * visit_test.c - unit tests for the rules of visits in src/visit/visit.c.
 *
 * Poster codes: a code reads back as the site and version it was made
 * for, is the same text every time, and any change to it (each character
 * of its mac, the site's number, the version, a second spelling of a
 * number, another server key) makes it unreadable. Local hours and days
 * in China's time and in offsets that are not whole hours, before 1970
 * too. Statistics windows: the defaults, the longest windows allowed and
 * one day more, dates across a year's end and a leap February, and which
 * bucket an hour's counter falls in at the window's edges.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "account/account.h"
#include "core/clock.h"
#include "test.h"
#include "visit/visit.h"

static unsigned char key_a[ACCOUNT_SECRET_BYTES], key_b[ACCOUNT_SECRET_BYTES];

static int64_t iso(const char *s)
{
    int64_t t = 0;
    if (clock_parse_iso(s, CLOCK_CHINA_OFFSET_MIN, &t))
        fprintf(stderr, "test time does not parse: %s\n", s);
    return t;
}

/* ---- poster codes ------------------------------------------------------- */

static void test_poster_round_trip(void)
{
    struct arena a;
    arena_init(&a);
    const char *code = visit_poster_code(&a, key_a, 123, 4);
    CHECK(strncmp(code, "WH1.123.4.", 10) == 0);
    CHECK_INT(strlen(code), 10 + 22);
    CHECK_STR(visit_poster_code(&a, key_a, 123, 4), code);
    int64_t site = 0, ver = 0;
    CHECK_INT(visit_poster_parse(key_a, code, &site, &ver), 0);
    CHECK_INT(site, 123);
    CHECK_INT(ver, 4);
    /* Another version or site is another code. */
    CHECK(strcmp(visit_poster_code(&a, key_a, 123, 5), code) != 0);
    CHECK(strcmp(visit_poster_code(&a, key_a, 124, 4), code) != 0);
    /* Another server key: another code, and ours does not read there. */
    CHECK(strcmp(visit_poster_code(&a, key_b, 123, 4), code) != 0);
    CHECK_INT(visit_poster_parse(key_b, code, &site, &ver), -1);
    arena_release(&a);
}

static void test_poster_any_change_is_refused(void)
{
    struct arena a;
    arena_init(&a);
    const char *code = visit_poster_code(&a, key_a, 77, 2);
    int64_t site, ver;
    size_t len = strlen(code);
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.";
    int accepted = 0;
    for (size_t i = 0; i < len; i++) {
        for (const char *c = alphabet; *c; c++) {
            if (*c == code[i])
                continue;
            char *t = arena_strdup(&a, code);
            t[i] = *c;
            accepted += visit_poster_parse(key_a, t, &site, &ver) == 0;
        }
    }
    CHECK_INT(accepted, 0);
    /* Cut short or lengthened. */
    CHECK_INT(visit_poster_parse(key_a, arena_strndup(&a, code, len - 1), &site, &ver), -1);
    CHECK_INT(visit_poster_parse(key_a, arena_printf(&a, "%sA", code), &site, &ver), -1);
    arena_release(&a);
}

static void test_poster_forms_refused(void)
{
    struct arena a;
    arena_init(&a);
    const char *code = visit_poster_code(&a, key_a, 5, 1);
    const char *mac = code + strlen("WH1.5.1.");
    int64_t site, ver;
    const char *bad[] = {
        arena_printf(&a, "WH1.05.1.%s", mac), /* a leading zero */
        arena_printf(&a, "WH1.6.1.%s", mac),  /* the mac of site 5 */
        arena_printf(&a, "WH1.5.2.%s", mac),  /* the mac of version 1 */
        arena_printf(&a, "WH1.5.0.%s", mac),  /* no version 0 */
        arena_printf(&a, "WH1.-5.1.%s", mac),
        arena_printf(&a, "WH1.5.1%s", mac), /* a dot missing */
        arena_printf(&a, "wh1.5.1.%s", mac),
        arena_printf(&a, "WH1.5.1.%s=", mac),
        arena_printf(&a, "WH1.1234567890123456.1.%s", mac),
        "",
        "WH1.",
        "WH1.5.1.",
        "WH1.5.1.!!!!!!!!!!!!!!!!!!!!!!",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK_INT(visit_poster_parse(key_a, bad[i], &site, &ver), -1);
    CHECK_INT(visit_poster_parse(key_a, NULL, &site, &ver), -1);
    /* A second spelling of the same mac: the unused low bits of the last
     * character set. */
    char *t = arena_strdup(&a, code);
    char *last = t + strlen(t) - 1;
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const char *at = strchr(b64, *last);
    CHECK(at != NULL);
    if (at) {
        *last = b64[(at - b64) | 1];
        if (*last != code[strlen(code) - 1])
            CHECK_INT(visit_poster_parse(key_a, t, &site, &ver), -1);
    }
    arena_release(&a);
}

/* ---- hours and days -------------------------------------------------------
 */

static void test_hours_and_days(void)
{
    int64_t t = iso("2026-03-01T13:45:12+08:00");
    CHECK_INT(visit_hour_start(t, 480), iso("2026-03-01T13:00:00+08:00"));
    CHECK_INT(visit_day_start(t, 480), iso("2026-03-01T00:00:00+08:00"));
    /* Local midnight is 16:00 UTC the day before. */
    int64_t early = iso("2026-03-01T00:30:00+08:00");
    CHECK_INT(visit_day_start(early, 480), iso("2026-02-28T16:00:00Z"));
    CHECK_INT(visit_day_start(iso("2026-03-01T00:00:00+08:00"), 480),
              iso("2026-03-01T00:00:00+08:00"));
    CHECK_INT(visit_day_start(iso("2026-02-28T23:59:59+08:00"), 480),
              iso("2026-02-28T00:00:00+08:00"));
    /* An offset of five and a half hours: local hours start at :30 UTC. */
    int64_t india = iso("2026-03-01T10:10:00Z");
    CHECK_INT(visit_hour_start(india, 330), iso("2026-03-01T09:30:00Z"));
    /* Before 1970 the floor is still the floor. */
    CHECK_INT(visit_hour_start(-1, 0), -3600);
    CHECK_INT(visit_day_start(-1, 480), -8 * 3600);
}

/* ---- windows
 * ----------------------------------------------------------------- */

static void test_window_defaults(void)
{
    int64_t now = iso("2026-03-04T09:20:00+08:00");
    struct visit_window w;
    const char *field = NULL, *why = NULL;
    CHECK_INT(visit_window_parse(NULL, NULL, NULL, now, 480, &w, &field, &why), 0);
    CHECK_INT(w.step, 86400);
    CHECK_INT(w.nbuckets, 7);
    CHECK_INT(w.from, 20260226);
    CHECK_INT(w.to, 20260304);
    CHECK_INT(w.start, iso("2026-02-26T00:00:00+08:00"));
    CHECK_INT(w.end, iso("2026-03-05T00:00:00+08:00"));
    CHECK_INT(visit_window_parse(NULL, NULL, "hour", now, 480, &w, &field, &why), 0);
    CHECK_INT(w.step, 3600);
    CHECK_INT(w.nbuckets, 24);
    CHECK_INT(w.from, 20260304);
    CHECK_INT(w.to, 20260304);
    /* Only from: up to today. */
    CHECK_INT(visit_window_parse("2026-03-01", NULL, "day", now, 480, &w, &field, &why), 0);
    CHECK_INT(w.nbuckets, 4);
    /* Only to: the seven days ending then. */
    CHECK_INT(visit_window_parse(NULL, "2026-01-03", NULL, now, 480, &w, &field, &why), 0);
    CHECK_INT(w.from, 20251228);
    CHECK_INT(w.to, 20260103);
}

static void test_window_limits(void)
{
    int64_t now = iso("2026-03-04T09:20:00+08:00");
    struct visit_window w;
    const char *field = NULL, *why = NULL;
    CHECK_INT(visit_window_parse("2026-01-01", "2026-01-31", "hour", now, 480, &w, &field, &why),
              0);
    CHECK_INT(w.nbuckets, 31 * 24);
    CHECK_INT(visit_window_parse("2026-01-01", "2026-02-01", "hour", now, 480, &w, &field, &why),
              -1);
    CHECK_STR(field, "from");
    /* 2024 is a leap year: 366 days fit, 367 do not. */
    CHECK_INT(visit_window_parse("2024-01-01", "2024-12-31", "day", now, 480, &w, &field, &why), 0);
    CHECK_INT(w.nbuckets, 366);
    CHECK_INT(visit_window_parse("2023-12-31", "2024-12-31", "day", now, 480, &w, &field, &why),
              -1);
    CHECK_STR(field, "from");
    /* One day. */
    CHECK_INT(visit_window_parse("2024-02-29", "2024-02-29", "day", now, 480, &w, &field, &why), 0);
    CHECK_INT(w.nbuckets, 1);
    CHECK_INT(w.end - w.start, 86400);
    /* Mistakes name their argument. */
    struct {
        const char *from, *to, *by, *field;
    } bad[] = {
        {NULL, NULL, "week", "by"},
        {NULL, NULL, "", "by"},
        {"2026-02-29", NULL, NULL, "from"},
        {"2026-3-1", NULL, NULL, "from"},
        {NULL, "2026-13-01", NULL, "to"},
        {NULL, "today", NULL, "to"},
        {"2026-03-02", "2026-03-01", NULL, "from"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        field = NULL;
        CHECK_INT(visit_window_parse(bad[i].from, bad[i].to, bad[i].by, now, 480, &w, &field, &why),
                  -1);
        CHECK_STR(field, bad[i].field);
    }
}

static void test_window_buckets(void)
{
    int64_t now = iso("2026-01-02T09:00:00+08:00");
    struct visit_window w;
    const char *field, *why;
    CHECK_INT(visit_window_parse("2025-12-31", "2026-01-01", "day", now, 480, &w, &field, &why), 0);
    CHECK_INT(w.nbuckets, 2);
    CHECK_INT(visit_window_bucket(&w, iso("2025-12-30T23:00:00+08:00")), -1);
    CHECK_INT(visit_window_bucket(&w, iso("2025-12-31T00:00:00+08:00")), 0);
    CHECK_INT(visit_window_bucket(&w, iso("2025-12-31T23:00:00+08:00")), 0);
    CHECK_INT(visit_window_bucket(&w, iso("2026-01-01T00:00:00+08:00")), 1);
    CHECK_INT(visit_window_bucket(&w, iso("2026-01-01T23:00:00+08:00")), 1);
    CHECK_INT(visit_window_bucket(&w, iso("2026-01-02T00:00:00+08:00")), -1);
    CHECK_INT(visit_window_parse("2026-01-01", "2026-01-01", "hour", now, 480, &w, &field, &why),
              0);
    CHECK_INT(visit_window_bucket(&w, iso("2026-01-01T00:00:00+08:00")), 0);
    CHECK_INT(visit_window_bucket(&w, iso("2026-01-01T13:00:00+08:00")), 13);
    CHECK_INT(visit_window_bucket(&w, iso("2026-01-01T23:00:00+08:00")), 23);
    /* The hour a visit at 13:59:59 is counted in falls in bucket 13. */
    CHECK_INT(visit_window_bucket(&w, visit_hour_start(iso("2026-01-01T13:59:59+08:00"), 480)), 13);
}

/* ---- the rest
 * -------------------------------------------------------------------- */

static void test_path_ids(void)
{
    int64_t ids[8];
    CHECK_INT(visit_path_ids("/1/4/17/", ids, 8), 3);
    CHECK_INT(ids[0], 1);
    CHECK_INT(ids[1], 4);
    CHECK_INT(ids[2], 17);
    CHECK_INT(visit_path_ids("/1/4/17/", ids, 2), 2);
    CHECK_INT(visit_path_ids("", ids, 8), 0);
    CHECK_INT(visit_path_ids(NULL, ids, 8), 0);
    CHECK_INT(visit_path_ids("/12/x/", ids, 8), 1);
    CHECK_INT(visit_path_ids("/12", ids, 8), 0);
    CHECK_STR(visit_via_name(VISIT_VIA_POSTER), "poster");
    CHECK_STR(visit_via_name(VISIT_WALKIN_PUBLIC), "public");
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    randombytes_buf(key_a, sizeof key_a);
    randombytes_buf(key_b, sizeof key_b);
    RUN(test_poster_round_trip);
    RUN(test_poster_any_change_is_refused);
    RUN(test_poster_forms_refused);
    RUN(test_hours_and_days);
    RUN(test_window_defaults);
    RUN(test_window_limits);
    RUN(test_window_buckets);
    RUN(test_path_ids);
    return test_report("visit");
}
