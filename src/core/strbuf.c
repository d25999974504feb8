/*
 * strbuf.c - the growable buffer declared in strbuf.h.
 */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/strbuf.h"

void strbuf_grow(struct strbuf *sb, size_t extra)
{
    if (sb->len + extra + 1 <= sb->cap)
        return;
    size_t cap = sb->cap ? sb->cap : 64;
    while (cap < sb->len + extra + 1) {
        if (cap > ((size_t)-1) / 2)
            die_oom();
        cap *= 2;
    }
    char *p = realloc(sb->buf, cap);
    if (!p)
        die_oom();
    sb->buf = p;
    sb->cap = cap;
}

void strbuf_add(struct strbuf *sb, const void *data, size_t n)
{
    strbuf_grow(sb, n);
    memcpy(sb->buf + sb->len, data, n);
    sb->len += n;
    sb->buf[sb->len] = '\0';
}

void strbuf_adds(struct strbuf *sb, const char *s)
{
    strbuf_add(sb, s, strlen(s));
}

void strbuf_addch(struct strbuf *sb, char c)
{
    strbuf_add(sb, &c, 1);
}

void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
{
    /* Format into the spare room first; only a miss formats twice. */
    strbuf_grow(sb, 64);
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(sb->buf + sb->len, sb->cap - sb->len, fmt, ap);
    va_end(ap);
    if (n < 0) {
        sb->buf[sb->len] = '\0';
        return;
    }
    if ((size_t)n >= sb->cap - sb->len) {
        strbuf_grow(sb, (size_t)n);
        va_start(ap, fmt);
        vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    sb->len += (size_t)n;
}

void strbuf_add_json_string(struct strbuf *sb, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    if (!s) {
        strbuf_add(sb, "null", 4);
        return;
    }
    strbuf_addch(sb, '"');
    const char *run = s;
    for (const char *p = s;; p++) {
        unsigned char c = (unsigned char)*p;
        if (c && c >= 0x20 && c != '"' && c != '\\')
            continue;
        strbuf_add(sb, run, (size_t)(p - run));
        if (!c)
            break;
        char esc[7] = {'\\', (char)c, 0};
        size_t n = 2;
        switch (c) {
        case '"':
        case '\\':
            break;
        case '\n':
            esc[1] = 'n';
            break;
        case '\r':
            esc[1] = 'r';
            break;
        case '\t':
            esc[1] = 't';
            break;
        default:
            esc[1] = 'u';
            esc[2] = '0';
            esc[3] = '0';
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            n = 6;
        }
        strbuf_add(sb, esc, n);
        run = p + 1;
    }
    strbuf_addch(sb, '"');
}

void strbuf_add_fixed(struct strbuf *sb, double v, int decimals)
{
    static const double scale[] = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};
    if (decimals < 0 || decimals > 9 || !(v > -1e9 && v < 1e9)) {
        strbuf_addf(sb, "%.*f", decimals < 0 ? 0 : decimals > 9 ? 9 : decimals, v);
        return;
    }
    char buf[32], *p = buf + sizeof buf;
    bool neg = v < 0;
    double m = (neg ? -v : v) * scale[decimals] + 0.5;
    unsigned long long n = (unsigned long long)m;
    for (int i = 0; i < decimals; i++) {
        *--p = (char)('0' + n % 10);
        n /= 10;
    }
    if (decimals)
        *--p = '.';
    do {
        *--p = (char)('0' + n % 10);
        n /= 10;
    } while (n);
    if (neg && (m >= 1.0))
        *--p = '-';
    strbuf_add(sb, p, (size_t)(buf + sizeof buf - p));
}

void strbuf_add_6f(struct strbuf *sb, double v)
{
    /* m = |v| * 1e6 carries at most half an ulp of error (an ulp is below
     * 1.2e-7 for m < 1e9, i.e. |v| < 1000), and rounding to nearest only
     * jumps at .5: more than 1e-6 away from a tie, the computed m rounds
     * as the exact one does. Larger values go to printf. */
    double m = fabs(v) * 1e6;
    if (!(m < 1e9) || fabs(m - floor(m) - 0.5) < 1e-6) {
        strbuf_addf(sb, "%.6f", v);
        return;
    }
    uint64_t n = (uint64_t)floor(m + 0.5);
    char buf[32], *p = buf + sizeof buf;
    for (int i = 0; i < 6; i++) {
        *--p = (char)('0' + n % 10);
        n /= 10;
    }
    *--p = '.';
    do {
        *--p = (char)('0' + n % 10);
        n /= 10;
    } while (n);
    if (signbit(v))
        *--p = '-';
    strbuf_add(sb, p, (size_t)(buf + sizeof buf - p));
}

char *strbuf_put_int(char *w, int64_t v)
{
    char buf[24], *p = buf + sizeof buf;
    uint64_t n = v < 0 ? -(uint64_t)v : (uint64_t)v;
    do {
        *--p = (char)('0' + n % 10);
        n /= 10;
    } while (n);
    if (v < 0)
        *--p = '-';
    memcpy(w, p, (size_t)(buf + sizeof buf - p));
    return w + (buf + sizeof buf - p);
}

void strbuf_add_int(struct strbuf *sb, int64_t v)
{
    strbuf_grow(sb, STRBUF_INT_MAX);
    sb->len = (size_t)(strbuf_put_int(sb->buf + sb->len, v) - sb->buf);
    sb->buf[sb->len] = '\0';
}

char *strbuf_detach(struct strbuf *sb, size_t *len)
{
    strbuf_grow(sb, 0);
    char *p = sb->buf;
    if (len)
        *len = sb->len;
    sb->buf = NULL;
    sb->len = sb->cap = 0;
    return p;
}

void strbuf_release(struct strbuf *sb)
{
    free(sb->buf);
    sb->buf = NULL;
    sb->len = sb->cap = 0;
}

void strbuf_add_markup_text(struct strbuf *sb, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '&':
            strbuf_adds(sb, "&amp;");
            break;
        case '<':
            strbuf_adds(sb, "&lt;");
            break;
        case '>':
            strbuf_adds(sb, "&gt;");
            break;
        case '"':
            strbuf_adds(sb, "&quot;");
            break;
        case '\'':
            strbuf_adds(sb, "&apos;");
            break;
        default:
            if ((unsigned char)*s >= 0x20 || *s == '\t' || *s == '\n' || *s == '\r')
                strbuf_addch(sb, *s);
        }
    }
}
