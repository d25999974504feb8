/*
 * visit.c - the rules of visits: poster codes (signing and reading),
 * local hours and days, statistics windows and their buckets, a region
 * path's ids. No HTTP, no SQL.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account/account.h"
#include "core/clock.h"
#include "visit/visit.h"

#define POSTER_PREFIX "WH1."
#define POSTER_MAC_BYTES 16
/* base64url without padding of POSTER_MAC_BYTES */
#define POSTER_MAC_CHARS 22

/* ---- poster codes -------------------------------------------------------- */

/* The poster key: derived from the server key for this purpose only, so a
 * poster's mac is no other code's (CSRF tokens, sealed fields, hashes). */
static void poster_key(unsigned char out[crypto_generichash_KEYBYTES], const unsigned char *key)
{
    static const char purpose[] = "warmharbor:visit:poster-code:v1";
    crypto_generichash(out, crypto_generichash_KEYBYTES, (const unsigned char *)purpose,
                       sizeof purpose - 1, key, ACCOUNT_SECRET_BYTES);
}

static void poster_mac(unsigned char mac[POSTER_MAC_BYTES], const unsigned char *key,
                       const char *body, size_t len)
{
    unsigned char k[crypto_generichash_KEYBYTES];
    poster_key(k, key);
    crypto_generichash(mac, POSTER_MAC_BYTES, (const unsigned char *)body, len, k, sizeof k);
    sodium_memzero(k, sizeof k);
}

const char *visit_poster_code(struct arena *a, const unsigned char *key, int64_t site_id,
                              int64_t version)
{
    char body[64];
    int len = snprintf(body, sizeof body, POSTER_PREFIX "%lld.%lld", (long long)site_id,
                       (long long)version);
    unsigned char mac[POSTER_MAC_BYTES];
    poster_mac(mac, key, body, (size_t)len);
    char b64[POSTER_MAC_CHARS + 1];
    sodium_bin2base64(b64, sizeof b64, mac, sizeof mac, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    return arena_printf(a, "%s.%s", body, b64);
}

/* A positive decimal number without a leading zero, ending at '.';
 * advances *p past the dot. */
static int read_id(const char **p, int64_t *out)
{
    const char *s = *p;
    int64_t v = 0;
    size_t n = 0;
    if (*s < '1' || *s > '9')
        return -1;
    while (*s >= '0' && *s <= '9') {
        if (++n > 15)
            return -1;
        v = v * 10 + (*s++ - '0');
    }
    if (*s != '.')
        return -1;
    *p = s + 1;
    *out = v;
    return 0;
}

int visit_poster_parse(const unsigned char *key, const char *code, int64_t *site_id,
                       int64_t *version)
{
    size_t plen = sizeof POSTER_PREFIX - 1;
    if (!code || strlen(code) > VISIT_CODE_MAX || strncmp(code, POSTER_PREFIX, plen) != 0)
        return -1;
    const char *p = code + plen;
    int64_t site, ver;
    if (read_id(&p, &site) || read_id(&p, &ver))
        return -1;
    size_t body_len = (size_t)(p - 1 - code);
    if (strlen(p) != POSTER_MAC_CHARS)
        return -1;
    unsigned char sent[POSTER_MAC_BYTES + 2];
    size_t n = 0;
    const char *end = NULL;
    if (sodium_base642bin(sent, sizeof sent, p, POSTER_MAC_CHARS, NULL, &n, &end,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        n != POSTER_MAC_BYTES || end != p + POSTER_MAC_CHARS)
        return -1;
    unsigned char want[POSTER_MAC_BYTES];
    poster_mac(want, key, code, body_len);
    if (sodium_memcmp(sent, want, POSTER_MAC_BYTES) != 0)
        return -1;
    /* One text per code: a second spelling of the same mac (other unused
     * low bits in the last character) is refused. */
    char again[POSTER_MAC_CHARS + 1];
    sodium_bin2base64(again, sizeof again, want, sizeof want,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    if (strcmp(again, p) != 0)
        return -1;
    *site_id = site;
    *version = ver;
    return 0;
}

/* ---- hours, days, windows ------------------------------------------------ */

static int64_t floor_mod(int64_t a, int64_t b)
{
    int64_t m = a % b;
    return m < 0 ? m + b : m;
}

int64_t visit_hour_start(int64_t t, int tz)
{
    return t - floor_mod(t + (int64_t)tz * 60, 3600);
}

int64_t visit_day_start(int64_t t, int tz)
{
    return t - floor_mod(t + (int64_t)tz * 60, 86400);
}

/* Local midnight (Unix seconds) of a yyyymmdd date. */
static int64_t date_start(int32_t ymd, int tz)
{
    return clock_days_from_civil(ymd / 10000, ymd / 100 % 100, ymd % 100) * 86400 -
           (int64_t)tz * 60;
}

static int32_t date_of(int64_t t, int tz)
{
    int y, m, d;
    int64_t local = t + (int64_t)tz * 60;
    clock_civil_from_days((local - floor_mod(local, 86400)) / 86400, &y, &m, &d);
    return y * 10000 + m * 100 + d;
}

int visit_window_parse(const char *from, const char *to, const char *by, int64_t now, int tz,
                       struct visit_window *w, const char **field, const char **why)
{
    memset(w, 0, sizeof(*w));
    if (!by || strcmp(by, "day") == 0) {
        w->step = 86400;
    } else if (strcmp(by, "hour") == 0) {
        w->step = 3600;
    } else {
        *field = "by", *why = "by is hour or day";
        return -1;
    }
    int32_t f = 0, t = date_of(now, tz);
    if (to && clock_parse_date(to, &t)) {
        *field = "to", *why = "to is a date: YYYY-MM-DD";
        return -1;
    }
    if (from && clock_parse_date(from, &f)) {
        *field = "from", *why = "from is a date: YYYY-MM-DD";
        return -1;
    }
    int64_t end = date_start(t, tz) + 86400;
    int64_t start = from ? date_start(f, tz) : end - (w->step == 3600 ? 1 : 7) * (int64_t)86400;
    if (start >= end) {
        *field = from ? "from" : "to", *why = "from must not be after to";
        return -1;
    }
    int64_t days = (end - start) / 86400;
    int64_t max = w->step == 3600 ? VISIT_HOUR_MAX_DAYS : VISIT_DAY_MAX_DAYS;
    if (days > max) {
        *field = "from";
        *why = w->step == 3600 ? "by hour, a window is at most 31 days"
                               : "by day, a window is at most 366 days";
        return -1;
    }
    w->start = start;
    w->end = end;
    w->nbuckets = (size_t)((end - start) / w->step);
    w->from = date_of(start, tz);
    w->to = date_of(end - 1, tz);
    return 0;
}

long visit_window_bucket(const struct visit_window *w, int64_t hour)
{
    if (hour < w->start || hour >= w->end)
        return -1;
    return (long)((hour - w->start) / w->step);
}

/* ---- the rest --------------------------------------------------------------
 */

size_t visit_path_ids(const char *path, int64_t *ids, size_t max)
{
    size_t n = 0;
    if (!path)
        return 0;
    const char *p = path;
    while (*p && n < max) {
        while (*p == '/')
            p++;
        if (*p < '0' || *p > '9')
            break;
        int64_t v = 0;
        while (*p >= '0' && *p <= '9')
            v = v * 10 + (*p++ - '0');
        if (*p != '/')
            break;
        if (v > 0)
            ids[n++] = v;
    }
    return n;
}

const char *visit_via_name(enum visit_via v)
{
    static const char *const names[VISIT_NVIA] = {"poster", "staff", "worker", "public"};
    return (unsigned)v < VISIT_NVIA ? names[v] : "unknown";
}
