/*
 * booking.c - the rules of bookings, without HTTP or SQL: which states and
 * transitions exist, when a person may cancel and staff may check in,
 * how long a waitlist offer stands, and the weekly pattern that makes desk
 * appointment slots around public holidays and make-up workdays.
 */
#include <stdio.h>
#include <string.h>

#include "booking/booking.h"
#include "core/clock.h"

static const char *const kinds[] = {"appointment", "workshop", "package", "fair_booth", "other"};
static const char *const states[] = {"held",      "confirmed",  "waitlisted", "offered",
                                     "cancelled", "checked_in", "no_show"};

static bool in_list(const char *s, const char *const *list, size_t n)
{
    for (size_t i = 0; s && i < n; i++)
        if (strcmp(s, list[i]) == 0)
            return true;
    return false;
}

bool booking_kind_is_valid(const char *kind)
{
    return in_list(kind, kinds, sizeof kinds / sizeof kinds[0]);
}

bool booking_state_is_valid(const char *state)
{
    return in_list(state, states, sizeof states / sizeof states[0]);
}

bool booking_state_is_active(const char *state)
{
    return in_list(state, states, 4);
}

bool booking_state_has_seat(const char *state)
{
    static const char *const seated[] = {"held", "confirmed", "offered"};
    return in_list(state, seated, 3);
}

/* The transitions, as in booking.h. */
static const struct {
    const char *from, *to;
} moves[] = {
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

bool booking_can_move(const char *from, const char *to)
{
    if (!to)
        return false;
    for (size_t i = 0; i < sizeof moves / sizeof moves[0]; i++) {
        bool same_from = from ? moves[i].from && strcmp(from, moves[i].from) == 0 : !moves[i].from;
        if (same_from && strcmp(to, moves[i].to) == 0)
            return true;
    }
    return false;
}

int64_t booking_cancel_deadline(int64_t starts_at, int64_t cutoff_s)
{
    return starts_at - (cutoff_s > 0 ? cutoff_s : 0);
}

enum booking_cancel_rule booking_cancel_rule(const char *state, int64_t now, int64_t starts_at,
                                             int64_t cutoff_s)
{
    if (!booking_state_is_active(state))
        return BOOKING_CANCEL_FINAL;
    /* Only a firm seat has a cut-off: a hold, an offer or a place in the
     * queue may be given up until the tick ends it. */
    if (strcmp(state, "confirmed") == 0 && now >= booking_cancel_deadline(starts_at, cutoff_s))
        return BOOKING_CANCEL_CUTOFF_PASSED;
    return BOOKING_CANCEL_OK;
}

enum booking_checkin_rule booking_checkin_rule(int64_t now, int64_t starts_at, int64_t ends_at,
                                               int tz_offset_min)
{
    if (now >= ends_at)
        return BOOKING_CHECKIN_ENDED;
    if (now < booking_day_start(booking_local_day(starts_at, tz_offset_min), tz_offset_min))
        return BOOKING_CHECKIN_TOO_EARLY;
    return BOOKING_CHECKIN_OK;
}

int64_t booking_offer_until(int64_t now, int64_t ttl_s, int64_t starts_at)
{
    int64_t until = now + ttl_s;
    return until < starts_at ? until : starts_at;
}

/* ---- local days -------------------------------------------------------- */

static int64_t floor_div(int64_t a, int64_t b)
{
    return a >= 0 ? a / b : -((-a + b - 1) / b);
}

static int64_t days_of(int32_t yyyymmdd)
{
    return clock_days_from_civil(yyyymmdd / 10000, yyyymmdd / 100 % 100, yyyymmdd % 100);
}

static int32_t day_of(int64_t days)
{
    int y, m, d;
    clock_civil_from_days(days, &y, &m, &d);
    return y * 10000 + m * 100 + d;
}

int32_t booking_local_day(int64_t t, int tz_offset_min)
{
    return day_of(floor_div(t + (int64_t)tz_offset_min * 60, 86400));
}

int64_t booking_day_start(int32_t yyyymmdd, int tz_offset_min)
{
    return days_of(yyyymmdd) * 86400 - (int64_t)tz_offset_min * 60;
}

int32_t booking_day_add(int32_t yyyymmdd, int days)
{
    return day_of(days_of(yyyymmdd) + days);
}

int booking_weekday(int32_t yyyymmdd)
{
    /* 1970-01-01 was a Thursday (4). */
    int64_t w = floor_div(days_of(yyyymmdd) + 3, 7);
    return (int)(days_of(yyyymmdd) + 3 - w * 7) + 1;
}

/* ---- the weekly pattern ---------------------------------------------- */

static int two_digits(const char *s)
{
    if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
        return -1;
    return (s[0] - '0') * 10 + (s[1] - '0');
}

/* "HH:MM" at s (exactly five bytes) into minutes; -1 if not. */
static int hhmm(const char *s)
{
    int h = two_digits(s), m = two_digits(s + 3);
    if (h < 0 || m < 0 || s[2] != ':' || m > 59 || h > 24 || (h == 24 && m != 0))
        return -1;
    return h * 60 + m;
}

int booking_window_parse(const char *s, struct booking_window *w)
{
    if (!s || strlen(s) != 11 || s[5] != '-')
        return -1;
    int a = hhmm(s), b = hhmm(s + 6);
    if (a < 0 || b < 0 || a >= 24 * 60 || b <= a)
        return -1;
    w->start_min = a;
    w->end_min = b;
    return 0;
}

int booking_weekday_key(const char *s)
{
    static const char *const keys[] = {"mo", "tu", "we", "th", "fr", "sa", "su"};
    for (int i = 0; s && i < 7; i++)
        if (strcmp(s, keys[i]) == 0)
            return i;
    return -1;
}

int booking_pattern_add(struct booking_pattern *p, int weekday, const struct booking_window *w)
{
    if (weekday < 0 || weekday > 6 || p->nwindows[weekday] >= BOOKING_WINDOWS_MAX)
        return -1;
    struct booking_window *ws = p->windows[weekday];
    size_t n = p->nwindows[weekday], at = 0;
    while (at < n && ws[at].start_min < w->start_min)
        at++;
    if ((at > 0 && ws[at - 1].end_min > w->start_min) || (at < n && ws[at].start_min < w->end_min))
        return -1;
    memmove(&ws[at + 1], &ws[at], (n - at) * sizeof(*ws));
    ws[at] = *w;
    p->nwindows[weekday] = n + 1;
    return 0;
}

int booking_pattern_weekday(int32_t day, const struct hours_calendar *cal)
{
    if (cal) {
        /* Sorted by date: binary search. */
        size_t lo = 0, hi = cal->n;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (cal->days[mid].date < day)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo < cal->n && cal->days[lo].date == day) {
            if (cal->days[lo].kind == HOURS_DAY_HOLIDAY)
                return 0;
            if (cal->days[lo].kind == HOURS_DAY_WORKDAY) {
                int as = cal->days[lo].as_weekday;
                return as >= 1 && as <= 7 ? as : 1;
            }
        }
    }
    return booking_weekday(day);
}

size_t booking_generate(const struct booking_pattern *p, const struct hours_calendar *cal,
                        int tz_offset_min, int64_t not_before, struct booking_span *out, size_t cap)
{
    size_t made = 0;
    if (p->minutes <= 0 || p->from > p->to)
        return 0;
    for (int32_t day = p->from; day <= p->to; day = booking_day_add(day, 1)) {
        int wd = booking_pattern_weekday(day, cal);
        if (wd == 0)
            continue;
        int64_t midnight = booking_day_start(day, tz_offset_min);
        const struct booking_window *ws = p->windows[wd - 1];
        for (size_t i = 0; i < p->nwindows[wd - 1]; i++) {
            for (int m = ws[i].start_min; m + p->minutes <= ws[i].end_min; m += p->minutes) {
                int64_t start = midnight + (int64_t)m * 60;
                if (start < not_before)
                    continue;
                if (made < cap) {
                    out[made].starts_at = start;
                    out[made].ends_at = start + (int64_t)p->minutes * 60;
                }
                made++;
            }
        }
    }
    return made;
}
