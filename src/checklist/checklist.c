/*
 * checklist.c - the rules of the daily checks: valid kinds and item codes,
 * when a site was open on a day, and whether its checks are due. No HTTP,
 * no SQL.
 */
#include <string.h>

#include "checklist/checklist.h"
#include "site/site.h"

/* A day has a few openings at most; this bounds the scan of odd hours. */
#define MAX_CHANGES_PER_DAY 48

bool checklist_kind_is_valid(const char *kind)
{
    return kind && (strcmp(kind, "opening") == 0 || strcmp(kind, "closing") == 0);
}

bool checklist_code_is_valid(const char *code)
{
    size_t n = code ? strlen(code) : 0;
    if (n == 0 || n > CHECKLIST_CODE_MAX || code[0] < 'a' || code[0] > 'z')
        return false;
    for (size_t i = 1; i < n; i++) {
        char ch = code[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_'))
            return false;
    }
    return true;
}

void checklist_day_hours(const struct site *s, const struct hours_calendar *cal, int64_t day_start,
                         int tz, int64_t *first_open, int64_t *last_close)
{
    int64_t day_end = day_start + 86400, t = day_start, next;
    bool open;
    *first_open = -1;
    *last_close = -1;
    site_open_at(s, cal, t, tz, &open, &next);
    for (int i = 0; i < MAX_CHANGES_PER_DAY; i++) {
        if (open && *first_open < 0)
            *first_open = t;
        if (next < 0 || next >= day_end) {
            if (open)
                *last_close = day_end;
            return;
        }
        if (open)
            *last_close = next;
        t = next;
        site_open_at(s, cal, t, tz, &open, &next);
    }
    if (open)
        *last_close = day_end;
}

void checklist_due(int64_t first_open, int64_t last_close, int64_t now, bool *opening,
                   bool *closing)
{
    *opening = first_open >= 0 && now >= first_open;
    *closing = first_open >= 0 && last_close >= 0 && now >= last_close;
}
