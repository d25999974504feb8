/*
 * fair.c - the fair's rules, without HTTP or SQL: which state changes a
 * fair may make, how long a person will wait at a booth, and when this
 * month's fair is (the last Sunday).
 */
#include <string.h>

#include "core/clock.h"
#include "fair/fair.h"

static const char *const fair_states[] = {"scheduled", "open", "closed", "cancelled"};
static const char *const ticket_states[] = {"waiting", "called", "done", "skipped", "cancelled"};

static bool one_of(const char *s, const char *const *set, size_t n)
{
    for (size_t i = 0; s && i < n; i++)
        if (strcmp(s, set[i]) == 0)
            return true;
    return false;
}

bool fair_state_is_valid(const char *state)
{
    return one_of(state, fair_states, sizeof fair_states / sizeof fair_states[0]);
}

bool fair_state_change_ok(const char *from, const char *to)
{
    static const char *const allowed[][2] = {
        {"scheduled", "open"}, {"scheduled", "cancelled"}, {"open", "closed"},
        {"open", "cancelled"}, {"closed", "open"},
    };
    if (!fair_state_is_valid(from) || !fair_state_is_valid(to))
        return false;
    if (strcmp(from, to) == 0)
        return true;
    for (size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++)
        if (strcmp(allowed[i][0], from) == 0 && strcmp(allowed[i][1], to) == 0)
            return true;
    return false;
}

bool fair_ticket_state_is_valid(const char *state)
{
    return one_of(state, ticket_states, sizeof ticket_states / sizeof ticket_states[0]);
}

bool fair_ticket_is_active(const char *state)
{
    return state && (strcmp(state, "waiting") == 0 || strcmp(state, "called") == 0);
}

bool fair_board_is_live(const struct fair *f, int64_t now)
{
    if (strcmp(f->state, "scheduled") == 0 || strcmp(f->state, "open") == 0)
        return true;
    return strcmp(f->state, "closed") == 0 && now < f->ends_at + FAIR_BOARD_AFTER_S;
}

struct fair_estimate fair_estimate(int64_t avg_service_min, const int64_t *durations_s, size_t n)
{
    struct fair_estimate e = {avg_service_min > 0 ? avg_service_min : 1, "booth_average"};
    if (n > FAIR_MEASURE_LAST)
        n = FAIR_MEASURE_LAST;
    if (n < FAIR_MEASURE_MIN)
        return e;
    int64_t sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += durations_s[i] > 0 ? durations_s[i] : 0;
    /* Nearest minute: (sum / n + 30) / 60, kept in integers. */
    int64_t min = (sum + 30 * (int64_t)n) / (60 * (int64_t)n);
    e.per_person_min = min < 1 ? 1 : min;
    e.basis = "measured";
    return e;
}

int64_t fair_wait_min(int64_t ahead, const struct fair_estimate *e)
{
    return ahead > 0 ? ahead * e->per_person_min : 0;
}

int fair_last_sunday(int year, int month)
{
    int ny = month == 12 ? year + 1 : year, nm = month == 12 ? 1 : month + 1;
    int64_t last = clock_days_from_civil(ny, nm, 1) - 1; /* last day of the month */
    /* 1970-01-01 was a Thursday: days % 7 == 3 is a Sunday. */
    int64_t back = ((last % 7) - 3 + 7) % 7;
    int y, m, d;
    clock_civil_from_days(last - back, &y, &m, &d);
    return d;
}

void fair_demo_window(int64_t now, int offset_min, int64_t *starts_at, int64_t *ends_at)
{
    int64_t local_days = (now + (int64_t)offset_min * 60) / 86400;
    int y, m, d;
    clock_civil_from_days(local_days, &y, &m, &d);
    int sunday = fair_last_sunday(y, m);
    if (d > sunday) {
        y = m == 12 ? y + 1 : y;
        m = m == 12 ? 1 : m + 1;
        sunday = fair_last_sunday(y, m);
    }
    int64_t midnight = clock_days_from_civil(y, m, sunday) * 86400 - (int64_t)offset_min * 60;
    *starts_at = midnight + 9 * 3600;
    *ends_at = midnight + 16 * 3600;
}
