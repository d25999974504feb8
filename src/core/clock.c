/*
 * clock.c - civil-date arithmetic and ISO-8601 text declared in clock.h.
 *
 * The day counting uses the era-based algorithm for the proleptic
 * Gregorian calendar (400-year eras of 146097 days).
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <stdatomic.h>
#include <time.h>

#include "core/clock.h"

/* Added to the wall clock: moved only by tests (clock_advance). */
static _Atomic int64_t skew_ms;

int64_t clock_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + atomic_load(&skew_ms);
}

void clock_advance(int64_t seconds)
{
    atomic_fetch_add(&skew_ms, seconds * 1000);
}

int64_t clock_now(void)
{
    return clock_now_ms() / 1000;
}

int64_t clock_mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t clock_days_from_civil(int y, int m, int d)
{
    int64_t yy = (int64_t)y - (m <= 2);
    int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
    int64_t yoe = yy - era * 400;
    int64_t mp = (m + 9) % 12;
    int64_t doy = (153 * mp + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void clock_civil_from_days(int64_t days, int *y, int *m, int *d)
{
    days += 719468;
    int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    int64_t doe = days - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int dd = (int)(doy - (153 * mp + 2) / 5 + 1);
    int mm = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (mm <= 2));
    *m = mm;
    *d = dd;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0)))
        q--;
    return q;
}

char *clock_format_iso(int64_t t, int offset_min, char *buf, size_t cap)
{
    int64_t local = t + (int64_t)offset_min * 60;
    int64_t days = floor_div(local, 86400);
    int64_t secs = local - days * 86400;
    int y, m, d;
    clock_civil_from_days(days, &y, &m, &d);
    int hh = (int)(secs / 3600), mi = (int)(secs / 60 % 60), ss = (int)(secs % 60);
    int off = offset_min < 0 ? -offset_min : offset_min;
    /* The common case without printf (answers carry many of these): the
     * same text snprintf writes below. */
    if (y >= 0 && y <= 9999 && off < 6000 && cap >= 26) {
        char *p = buf;
        int v[] = {y / 100, y % 100, m, d, hh, mi, ss};
        static const char sep[] = {0, 0, '-', '-', 'T', ':', ':'};
        for (int i = 0; i < 7; i++) {
            if (sep[i])
                *p++ = sep[i];
            *p++ = (char)('0' + v[i] / 10);
            *p++ = (char)('0' + v[i] % 10);
        }
        if (offset_min == 0) {
            *p++ = 'Z';
        } else {
            *p++ = offset_min < 0 ? '-' : '+';
            *p++ = (char)('0' + off / 60 / 10);
            *p++ = (char)('0' + off / 60 % 10);
            *p++ = ':';
            *p++ = (char)('0' + off % 60 / 10);
            *p++ = (char)('0' + off % 60 % 10);
        }
        *p = '\0';
        return buf;
    }
    if (offset_min == 0) {
        snprintf(buf, cap, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, d, hh, mi, ss);
    } else {
        snprintf(buf, cap, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", y, m, d, hh, mi, ss,
                 offset_min < 0 ? '-' : '+', off / 60, off % 60);
    }
    return buf;
}

/* Read exactly n digits at *p into *out; advances *p. */
static int read_digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*p)[i]))
            return -1;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *out = v;
    return 0;
}

static int days_in_month(int y, int m)
{
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return dm[m - 1];
}

static int parse_date_part(const char **p, int *y, int *m, int *d)
{
    if (read_digits(p, 4, y) || **p != '-')
        return -1;
    (*p)++;
    if (read_digits(p, 2, m) || **p != '-')
        return -1;
    (*p)++;
    if (read_digits(p, 2, d))
        return -1;
    if (*y < 1900 || *y > 9999 || *m < 1 || *m > 12 || *d < 1 || *d > days_in_month(*y, *m))
        return -1;
    return 0;
}

int clock_parse_date(const char *s, int32_t *yyyymmdd)
{
    int y, m, d;
    const char *p = s;
    if (parse_date_part(&p, &y, &m, &d) || *p)
        return -1;
    *yyyymmdd = y * 10000 + m * 100 + d;
    return 0;
}

int clock_parse_iso(const char *s, int default_offset_min, int64_t *out)
{
    int y, m, d, hh, mi, ss = 0;
    const char *p = s;
    if (parse_date_part(&p, &y, &m, &d))
        return -1;
    if (*p != 'T' && *p != 't' && *p != ' ')
        return -1;
    p++;
    if (read_digits(&p, 2, &hh) || *p != ':')
        return -1;
    p++;
    if (read_digits(&p, 2, &mi))
        return -1;
    if (*p == ':') {
        p++;
        if (read_digits(&p, 2, &ss))
            return -1;
        if (*p == '.') {
            p++;
            if (!isdigit((unsigned char)*p))
                return -1;
            while (isdigit((unsigned char)*p))
                p++;
        }
    }
    if (hh > 23 || mi > 59 || ss > 60)
        return -1;
    int offset = default_offset_min;
    if (*p == 'Z' || *p == 'z') {
        offset = 0;
        p++;
    } else if (*p == '+' || *p == '-') {
        int sign = *p == '-' ? -1 : 1, oh, om;
        p++;
        if (read_digits(&p, 2, &oh))
            return -1;
        if (*p == ':')
            p++;
        if (read_digits(&p, 2, &om) || oh > 14 || om > 59)
            return -1;
        offset = sign * (oh * 60 + om);
    }
    if (*p)
        return -1;
    if (ss == 60)
        ss = 59;
    *out = clock_days_from_civil(y, m, d) * 86400 + hh * 3600 + mi * 60 + ss - (int64_t)offset * 60;
    return 0;
}
