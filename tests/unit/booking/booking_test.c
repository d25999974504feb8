/*
 * booking_test.c - the rules of src/booking/booking.c: states and the
 * transitions that exist, the cancellation cut-off, the check-in window,
 * waitlist offers, and the weekly pattern of desk appointments against
 * the 2026 Spring Festival in the demo calendar (holidays 15-23 February,
 * make-up workdays Saturday 14 and Saturday 28 February worked as
 * Fridays).
 */
#include <stdint.h>
#include <string.h>

#include "booking/booking.h"
#include "core/clock.h"
#include "test.h"

#define TZ 480

/* Unix time of a local moment (UTC+8). */
static int64_t at(int y, int m, int d, int hh, int mm)
{
    return clock_days_from_civil(y, m, d) * 86400 + (hh * 60 + mm) * 60 - TZ * 60;
}

/* ---- states ------------------------------------------------------------- */

static void test_states(void)
{
    CHECK(booking_kind_is_valid("appointment"));
    CHECK(booking_kind_is_valid("fair_booth"));
    CHECK(!booking_kind_is_valid("Appointment"));
    CHECK(!booking_kind_is_valid(NULL));
    static const char *const active[] = {"held", "confirmed", "waitlisted", "offered"};
    static const char *const final[] = {"cancelled", "checked_in", "no_show"};
    for (int i = 0; i < 4; i++) {
        CHECK(booking_state_is_valid(active[i]));
        CHECK(booking_state_is_active(active[i]));
    }
    for (int i = 0; i < 3; i++) {
        CHECK(booking_state_is_valid(final[i]));
        CHECK(!booking_state_is_active(final[i]));
        CHECK(!booking_state_has_seat(final[i]));
    }
    CHECK(booking_state_has_seat("held"));
    CHECK(booking_state_has_seat("confirmed"));
    CHECK(booking_state_has_seat("offered"));
    CHECK(!booking_state_has_seat("waitlisted"));
    CHECK(!booking_state_is_valid("pending"));
}

/* Every pair of states: exactly the documented transitions exist. */
static void test_transitions(void)
{
    static const char *const all[] = {NULL,      "held",      "confirmed",  "waitlisted",
                                      "offered", "cancelled", "checked_in", "no_show"};
    static const char *const allowed[][2] = {
        {NULL, "held"},
        {NULL, "confirmed"},
        {NULL, "waitlisted"},
        {"held", "confirmed"},
        {"held", "cancelled"},
        {"waitlisted", "offered"},
        {"waitlisted", "cancelled"},
        {"offered", "confirmed"},
        {"offered", "cancelled"},
        {"confirmed", "cancelled"},
        {"confirmed", "checked_in"},
        {"confirmed", "no_show"},
    };
    int n = 0;
    for (size_t f = 0; f < 8; f++)
        for (size_t t = 1; t < 8; t++) {
            bool want = false;
            for (size_t k = 0; k < sizeof allowed / sizeof allowed[0]; k++)
                if (((!all[f] && !allowed[k][0]) ||
                     (all[f] && allowed[k][0] && strcmp(all[f], allowed[k][0]) == 0)) &&
                    strcmp(all[t], allowed[k][1]) == 0)
                    want = true;
            if (booking_can_move(all[f], all[t]) != want) {
                fprintf(stderr, "move %s -> %s: want %d\n", all[f] ? all[f] : "(new)", all[t],
                        want);
                CHECK(0);
            }
            n += want;
        }
    CHECK_INT(n, 12);
    CHECK(!booking_can_move("confirmed", NULL));
}

static void test_cancel_rule(void)
{
    int64_t start = at(2026, 12, 9, 19, 0);
    /* Two hours' cut-off: until 17:00. */
    CHECK_INT(booking_cancel_deadline(start, 7200), at(2026, 12, 9, 17, 0));
    CHECK_INT(booking_cancel_rule("confirmed", at(2026, 12, 9, 16, 59), start, 7200),
              BOOKING_CANCEL_OK);
    CHECK_INT(booking_cancel_rule("confirmed", at(2026, 12, 9, 17, 0), start, 7200),
              BOOKING_CANCEL_CUTOFF_PASSED);
    CHECK_INT(booking_cancel_rule("confirmed", start - 1, start, 0), BOOKING_CANCEL_OK);
    CHECK_INT(booking_cancel_rule("confirmed", start, start, 0), BOOKING_CANCEL_CUTOFF_PASSED);
    /* A hold, an offer or a place in the queue has no cut-off. */
    CHECK_INT(booking_cancel_rule("waitlisted", start - 60, start, 7200), BOOKING_CANCEL_OK);
    CHECK_INT(booking_cancel_rule("offered", start - 60, start, 7200), BOOKING_CANCEL_OK);
    CHECK_INT(booking_cancel_rule("held", start - 60, start, 7200), BOOKING_CANCEL_OK);
    CHECK_INT(booking_cancel_rule("cancelled", 0, start, 0), BOOKING_CANCEL_FINAL);
    CHECK_INT(booking_cancel_rule("checked_in", 0, start, 0), BOOKING_CANCEL_FINAL);
    CHECK_INT(booking_cancel_rule("no_show", 0, start, 0), BOOKING_CANCEL_FINAL);
}

static void test_checkin_rule(void)
{
    int64_t start = at(2026, 12, 9, 19, 0), end = at(2026, 12, 9, 20, 30);
    CHECK_INT(booking_checkin_rule(at(2026, 12, 8, 23, 59), start, end, TZ),
              BOOKING_CHECKIN_TOO_EARLY);
    CHECK_INT(booking_checkin_rule(at(2026, 12, 9, 0, 0), start, end, TZ), BOOKING_CHECKIN_OK);
    CHECK_INT(booking_checkin_rule(end - 1, start, end, TZ), BOOKING_CHECKIN_OK);
    CHECK_INT(booking_checkin_rule(end, start, end, TZ), BOOKING_CHECKIN_ENDED);
    /* A collection window over several days: any day of it. */
    int64_t from = at(2027, 1, 25, 9, 0), to = at(2027, 2, 4, 18, 0);
    CHECK_INT(booking_checkin_rule(at(2027, 2, 1, 12, 0), from, to, TZ), BOOKING_CHECKIN_OK);
    /* 00:30 local is the previous day in UTC: the local day counts. */
    int64_t early = at(2026, 12, 10, 0, 30);
    CHECK_INT(booking_checkin_rule(at(2026, 12, 10, 0, 10), early, early + 900, TZ),
              BOOKING_CHECKIN_OK);
    CHECK_INT(booking_checkin_rule(at(2026, 12, 9, 23, 50), early, early + 900, TZ),
              BOOKING_CHECKIN_TOO_EARLY);
}

static void test_offer_until(void)
{
    CHECK_INT(booking_offer_until(1000, 7200, 100000), 8200);
    CHECK_INT(booking_offer_until(1000, 7200, 5000), 5000);
}

static void test_days(void)
{
    CHECK_INT(booking_weekday(20261207), 1); /* Monday */
    CHECK_INT(booking_weekday(20260214), 6); /* Saturday */
    CHECK_INT(booking_weekday(20260215), 7);
    CHECK_INT(booking_weekday(19700101), 4);
    CHECK_INT(booking_weekday(19691231), 3);
    CHECK_INT(booking_day_add(20261231, 1), 20270101);
    CHECK_INT(booking_day_add(20280228, 1), 20280229);
    CHECK_INT(booking_day_add(20270301, -1), 20270228);
    CHECK_INT(booking_local_day(at(2026, 12, 8, 0, 0), TZ), 20261208);
    CHECK_INT(booking_local_day(at(2026, 12, 8, 0, 0) - 1, TZ), 20261207);
    CHECK_INT(booking_day_start(20261208, TZ), at(2026, 12, 8, 0, 0));
}

/* ---- the weekly pattern ------------------------------------------------- */

static void test_window_parse(void)
{
    struct booking_window w;
    CHECK_INT(booking_window_parse("09:00-12:00", &w), 0);
    CHECK_INT(w.start_min, 540);
    CHECK_INT(w.end_min, 720);
    CHECK_INT(booking_window_parse("14:00-24:00", &w), 0);
    CHECK_INT(w.end_min, 1440);
    static const char *const bad[] = {
        "9:00-12:00", "12:00-09:00", "09:00-09:00", "24:00-24:00", "09:60-10:00", "09:00-12:00 ",
        "",           "09:00",       "09:00_12:00", "25:00-26:00", "0a:00-12:00", "23:00-01:00"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (booking_window_parse(bad[i], &w) != -1) {
            fprintf(stderr, "window %s accepted\n", bad[i]);
            CHECK(0);
        }
    CHECK_INT(booking_window_parse(NULL, &w), -1);
    CHECK_INT(booking_weekday_key("mo"), 0);
    CHECK_INT(booking_weekday_key("su"), 6);
    CHECK_INT(booking_weekday_key("Mo"), -1);
    CHECK_INT(booking_weekday_key("mon"), -1);
}

static void add(struct booking_pattern *p, int wd, const char *text)
{
    struct booking_window w;
    CHECK_INT(booking_window_parse(text, &w), 0);
    CHECK_INT(booking_pattern_add(p, wd, &w), 0);
}

static void test_pattern_add(void)
{
    struct booking_pattern p;
    memset(&p, 0, sizeof p);
    struct booking_window w;
    add(&p, 0, "14:00-17:30");
    add(&p, 0, "09:00-12:00");
    add(&p, 0, "12:00-13:00"); /* touching is fine */
    CHECK_INT(p.nwindows[0], 3);
    CHECK_INT(p.windows[0][0].start_min, 540);
    CHECK_INT(p.windows[0][1].start_min, 720);
    CHECK_INT(p.windows[0][2].start_min, 840);
    booking_window_parse("11:00-12:30", &w);
    CHECK_INT(booking_pattern_add(&p, 0, &w), -1);
    booking_window_parse("08:00-09:01", &w);
    CHECK_INT(booking_pattern_add(&p, 0, &w), -1);
    booking_window_parse("13:30-18:00", &w);
    CHECK_INT(booking_pattern_add(&p, 0, &w), -1);
    booking_window_parse("08:00-20:00", &w);
    CHECK_INT(booking_pattern_add(&p, 0, &w), -1); /* covers them all */
    CHECK_INT(booking_pattern_add(&p, 7, &w), -1);
    CHECK_INT(p.nwindows[0], 3);
    for (int i = 0; i < BOOKING_WINDOWS_MAX; i++) {
        struct booking_window x = {i * 60, i * 60 + 30};
        CHECK_INT(booking_pattern_add(&p, 3, &x), 0);
    }
    struct booking_window more = {20 * 60, 21 * 60};
    CHECK_INT(booking_pattern_add(&p, 3, &more), -1);
}

/* The demo calendar's days around the 2026 Spring Festival, as
 * src/demo/demo.c loads them. */
static const struct hours_day sf2026[] = {
    {20260101, HOURS_DAY_HOLIDAY, 0}, {20260102, HOURS_DAY_HOLIDAY, 0},
    {20260103, HOURS_DAY_HOLIDAY, 0}, {20260104, HOURS_DAY_WORKDAY, 1},
    {20260214, HOURS_DAY_WORKDAY, 5}, {20260215, HOURS_DAY_HOLIDAY, 0},
    {20260216, HOURS_DAY_HOLIDAY, 0}, {20260217, HOURS_DAY_HOLIDAY, 0},
    {20260218, HOURS_DAY_HOLIDAY, 0}, {20260219, HOURS_DAY_HOLIDAY, 0},
    {20260220, HOURS_DAY_HOLIDAY, 0}, {20260221, HOURS_DAY_HOLIDAY, 0},
    {20260222, HOURS_DAY_HOLIDAY, 0}, {20260223, HOURS_DAY_HOLIDAY, 0},
    {20260228, HOURS_DAY_WORKDAY, 5}, {20260404, HOURS_DAY_HOLIDAY, 0},
};
static const struct hours_calendar cal2026 = {sf2026, sizeof sf2026 / sizeof sf2026[0]};

static void test_pattern_weekday(void)
{
    CHECK_INT(booking_pattern_weekday(20260213, &cal2026), 5); /* a Friday */
    CHECK_INT(booking_pattern_weekday(20260214, &cal2026), 5); /* Saturday, worked as Friday */
    CHECK_INT(booking_pattern_weekday(20260215, &cal2026), 0); /* holiday */
    CHECK_INT(booking_pattern_weekday(20260223, &cal2026), 0); /* holiday, a Monday */
    CHECK_INT(booking_pattern_weekday(20260224, &cal2026), 2); /* Tuesday */
    CHECK_INT(booking_pattern_weekday(20260228, &cal2026), 5);
    CHECK_INT(booking_pattern_weekday(20260301, &cal2026), 7);
    CHECK_INT(booking_pattern_weekday(20260104, &cal2026), 1); /* Sunday worked as Monday */
    CHECK_INT(booking_pattern_weekday(20260214, NULL), 6);
    /* as_weekday 0 (or out of range) means Monday, as in the hours engine. */
    static const struct hours_day odd[] = {{20261205, HOURS_DAY_WORKDAY, 0},
                                           {20261206, HOURS_DAY_WORKDAY, 9}};
    struct hours_calendar c = {odd, 2};
    CHECK_INT(booking_pattern_weekday(20261205, &c), 1);
    CHECK_INT(booking_pattern_weekday(20261206, &c), 1);
    struct hours_calendar empty = {NULL, 0};
    CHECK_INT(booking_pattern_weekday(20261205, &empty), 6);
}

/* The desk pattern of the demo: weekdays 09:00-12:00 and 14:00-17:30 in
 * 15 minutes (12 + 14 = 26 a day), and a Saturday morning of its own. */
static void desk_pattern(struct booking_pattern *p, int32_t from, int32_t to)
{
    memset(p, 0, sizeof(*p));
    p->from = from;
    p->to = to;
    p->minutes = 15;
    for (int wd = 0; wd < 5; wd++) {
        add(p, wd, "09:00-12:00");
        add(p, wd, "14:00-17:30");
    }
    add(p, 5, "10:00-11:00"); /* real Saturdays only: 4 slots */
}

static size_t count_on(const struct booking_span *s, size_t n, int32_t day)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += booking_local_day(s[i].starts_at, TZ) == day;
    return k;
}

static void test_generate_spring_festival(void)
{
    struct booking_pattern p;
    desk_pattern(&p, 20260209, 20260301);
    static struct booking_span out[1000];
    size_t n = booking_generate(&p, &cal2026, TZ, 0, out, 1000);
    /* Working days: 9-13 Feb (5), Sat 14 as Friday (1), 24-27 Feb (4),
     * Sat 28 as Friday (1): 11 x 26. Sat 21 is inside the holiday; no
     * ordinary Saturday remains, so the Saturday window never applies. */
    CHECK_INT(n, 11 * 26);
    CHECK_INT(out[0].starts_at, at(2026, 2, 9, 9, 0));
    CHECK_INT(out[0].ends_at, at(2026, 2, 9, 9, 15));
    CHECK_INT(out[11].starts_at, at(2026, 2, 9, 11, 45));
    CHECK_INT(out[12].starts_at, at(2026, 2, 9, 14, 0));
    CHECK_INT(out[25].starts_at, at(2026, 2, 9, 17, 15));
    CHECK_INT(out[25].ends_at, at(2026, 2, 9, 17, 30));
    for (int32_t d = 20260215; d <= 20260223; d = booking_day_add(d, 1))
        CHECK_INT(count_on(out, n, d), 0);
    CHECK_INT(count_on(out, n, 20260214), 26); /* Friday's windows on a Saturday */
    CHECK_INT(count_on(out, n, 20260228), 26);
    CHECK_INT(count_on(out, n, 20260301), 0);  /* Sunday */
    CHECK_INT(count_on(out, n, 20260224), 26); /* the first day back */
    /* The make-up Saturday has Friday's afternoon, not Saturday's morning. */
    bool afternoon = false, ten = false;
    for (size_t i = 0; i < n; i++)
        if (booking_local_day(out[i].starts_at, TZ) == 20260214) {
            afternoon |= out[i].starts_at == at(2026, 2, 14, 14, 0);
            ten |= out[i].starts_at == at(2026, 2, 14, 10, 0);
        }
    CHECK(afternoon);
    CHECK(ten); /* 10:00 is in the Friday morning window too */
    /* In order, without overlaps. */
    for (size_t i = 1; i < n; i++)
        CHECK(out[i].starts_at >= out[i - 1].ends_at);
}

static void test_generate_saturdays(void)
{
    struct booking_pattern p;
    /* 7 Mar 2026 is an ordinary Saturday: its own window applies. */
    desk_pattern(&p, 20260307, 20260308);
    struct booking_span out[64];
    CHECK_INT(booking_generate(&p, &cal2026, TZ, 0, out, 64), 4);
    CHECK_INT(out[0].starts_at, at(2026, 3, 7, 10, 0));
    /* Without a calendar 14 Feb is a Saturday like any other. */
    desk_pattern(&p, 20260214, 20260215);
    CHECK_INT(booking_generate(&p, NULL, TZ, 0, out, 64), 4);
}

static void test_generate_edges(void)
{
    struct booking_pattern p;
    memset(&p, 0, sizeof p);
    p.from = p.to = 20261208; /* a Tuesday */
    p.minutes = 15;
    add(&p, 1, "09:00-09:50"); /* 50 minutes: three slots, the rest dropped */
    struct booking_span out[8];
    CHECK_INT(booking_generate(&p, NULL, TZ, 0, out, 8), 3);
    CHECK_INT(out[2].ends_at, at(2026, 12, 8, 9, 45));
    /* Slots starting before not_before are left out. */
    CHECK_INT(booking_generate(&p, NULL, TZ, at(2026, 12, 8, 9, 10), out, 8), 2);
    CHECK_INT(out[0].starts_at, at(2026, 12, 8, 9, 15));
    /* The count goes on past cap; only cap are written. */
    out[1].starts_at = 42;
    CHECK_INT(booking_generate(&p, NULL, TZ, 0, out, 1), 3);
    CHECK_INT(out[1].starts_at, 42);
    /* A window ending at midnight. */
    memset(&p, 0, sizeof p);
    p.from = p.to = 20261208;
    p.minutes = 60;
    add(&p, 1, "22:00-24:00");
    CHECK_INT(booking_generate(&p, NULL, TZ, 0, out, 8), 2);
    CHECK_INT(out[1].ends_at, at(2026, 12, 9, 0, 0));
    /* from after to, or no length: nothing. */
    p.from = 20261209;
    CHECK_INT(booking_generate(&p, NULL, TZ, 0, out, 8), 0);
    p.from = 20261208;
    p.minutes = 0;
    CHECK_INT(booking_generate(&p, NULL, TZ, 0, out, 8), 0);
    /* Over a year's end, every day of a week. */
    memset(&p, 0, sizeof p);
    p.from = 20261228;
    p.to = 20270103;
    p.minutes = 30;
    for (int wd = 0; wd < 7; wd++)
        add(&p, wd, "09:00-10:00");
    static const struct hours_day ny[] = {{20270101, HOURS_DAY_HOLIDAY, 0}};
    struct hours_calendar c = {ny, 1};
    struct booking_span week[16];
    CHECK_INT(booking_generate(&p, &c, TZ, 0, week, 16), 12);
    CHECK_INT(count_on(week, 12, 20270101), 0);
    CHECK_INT(week[11].starts_at, at(2027, 1, 3, 9, 30));
}

int main(void)
{
    RUN(test_states);
    RUN(test_transitions);
    RUN(test_cancel_rule);
    RUN(test_checkin_rule);
    RUN(test_offer_until);
    RUN(test_days);
    RUN(test_window_parse);
    RUN(test_pattern_add);
    RUN(test_pattern_weekday);
    RUN(test_generate_spring_festival);
    RUN(test_generate_saturdays);
    RUN(test_generate_edges);
    return test_report("booking");
}
