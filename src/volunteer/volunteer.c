/*
 * volunteer.c - the rules of volunteering without HTTP or SQL: counting a
 * shift's minutes, points of an hour, the no-show pause, certificate codes
 * and HTML text.
 */
#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "volunteer/volunteer.h"

int64_t volunteer_minutes(int64_t checked_in, int64_t checked_out, int64_t starts_at,
                          int64_t ends_at)
{
    if (checked_out <= checked_in)
        return 0;
    int64_t s = checked_out - checked_in;
    int64_t len = ends_at - starts_at;
    if (len > 0 && s > len)
        s = len;
    return s / VOLUNTEER_QUARTER_S * 15;
}

int64_t volunteer_points_base(int64_t minutes)
{
    if (minutes <= 0)
        return 0;
    return minutes / 15 * VOLUNTEER_POINTS_PER_HOUR / 4;
}

static int by_time_desc(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return a < b ? 1 : a > b ? -1 : 0;
}

int64_t volunteer_pause_until(const int64_t *no_shows, size_t n, int64_t now)
{
    if (n < VOLUNTEER_NO_SHOW_LIMIT)
        return 0;
    int64_t *t = malloc(n * sizeof *t);
    if (!t)
        abort();
    memcpy(t, no_shows, n * sizeof *t);
    qsort(t, n, sizeof *t, by_time_desc);
    /* Only the latest no-show can still pause (an earlier pair ended its
     * pause before the latest's window began): it pauses when the
     * (LIMIT-1)th before it lies within the window. */
    int64_t until = 0;
    for (size_t i = 0; i < n; i++) {
        if (t[i] > now)
            continue;
        size_t k = i + VOLUNTEER_NO_SHOW_LIMIT - 1;
        if (k < n && t[i] - t[k] < VOLUNTEER_NO_SHOW_WINDOW_S)
            until = t[i] + VOLUNTEER_PAUSE_S;
        break;
    }
    free(t);
    return until > now ? until : 0;
}

void volunteer_code(const unsigned char random[12], char out[13])
{
    static const char alphabet[] = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"; /* 31, no 0 O 1 I L */
    for (int i = 0; i < 12; i++)
        out[i] = alphabet[random[i] % (sizeof alphabet - 1)];
    out[12] = '\0';
}
