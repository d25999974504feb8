/*
 * locker.c - the locker rules, without HTTP or SQL: the kinds of slot,
 * when a day's claim ends, and what a pickup code looks like.
 */
#include <string.h>

#include "locker/locker.h"

bool locker_kind_is_valid(const char *kind)
{
    return kind && (strcmp(kind, "fridge") == 0 || strcmp(kind, "locker") == 0);
}

/* floor(a / b) for b > 0. */
static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && a < 0) ? q - 1 : q;
}

int64_t locker_claim_ends(int64_t next_change, int64_t now, int tz_offset_min)
{
    if (next_change > now && next_change <= now + 86400)
        return next_change;
    int64_t off = (int64_t)tz_offset_min * 60;
    return (floor_div(now + off, 86400) + 1) * 86400 - off;
}

bool locker_code_is_valid(const char *code)
{
    if (!code || strlen(code) != LOCKER_CODE_LEN)
        return false;
    for (size_t i = 0; i < LOCKER_CODE_LEN; i++)
        if (code[i] < '0' || code[i] > '9')
            return false;
    return true;
}
