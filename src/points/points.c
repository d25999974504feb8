/*
 * points.c - the rules of points without HTTP or SQL: reasons and their
 * groups, coefficients, caps, and the end of the following year.
 */
#include <string.h>

#include "core/clock.h"
#include "points/points.h"

bool points_reason_is_valid(const char *reason)
{
    if (!reason || !*reason || strlen(reason) > POINTS_REASON_MAX)
        return false;
    int colons = 0;
    for (const char *p = reason; *p; p++) {
        if (*p == ':') {
            if (++colons > 1 || p == reason || !p[1])
                return false;
        } else if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_')) {
            return false;
        }
    }
    return true;
}

const char *points_reason_group(struct arena *a, const char *reason)
{
    const char *colon = strchr(reason, ':');
    return colon ? arena_strndup(a, reason, (size_t)(colon - reason)) : arena_strdup(a, reason);
}

int64_t points_apply_coefficient(int64_t base, int64_t pct)
{
    if (base <= 0 || pct <= 0)
        return 0;
    return base * pct / 100;
}

int64_t points_capped(int64_t want, int64_t used, int64_t cap)
{
    if (want <= 0)
        return 0;
    if (cap <= 0)
        return want;
    int64_t left = cap - used;
    if (left <= 0)
        return 0;
    return want < left ? want : left;
}

int32_t points_day(int64_t t, int tz_offset_min)
{
    int y, m, d;
    int64_t local = t + (int64_t)tz_offset_min * 60;
    int64_t days = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
    clock_civil_from_days(days, &y, &m, &d);
    return (int32_t)(y * 10000 + m * 100 + d);
}

int64_t points_expiry(int64_t t, int tz_offset_min)
{
    int32_t day = points_day(t, tz_offset_min);
    int year = day / 10000;
    return clock_days_from_civil(year + 2, 1, 1) * 86400 - (int64_t)tz_offset_min * 60;
}
