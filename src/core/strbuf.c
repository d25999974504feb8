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
#include "core/text.h"

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

/* The JSON escape of c (a control byte, '"' or '\\') into esc: \n \r
 * \t and \" \\ always; \b \f and capital hex digits in jansson's
 * manner; the length. */
static size_t json_escape(unsigned char c, bool jansson, char esc[6])
{
    static const char lower[] = "0123456789abcdef", upper[] = "0123456789ABCDEF";
    const char *hex = jansson ? upper : lower;
    esc[0] = '\\';
    switch (c) {
    case '"':
    case '\\':
        esc[1] = (char)c;
        return 2;
    case '\n':
        esc[1] = 'n';
        return 2;
    case '\r':
        esc[1] = 'r';
        return 2;
    case '\t':
        esc[1] = 't';
        return 2;
    case '\b':
    case '\f':
        if (jansson) {
            esc[1] = c == '\b' ? 'b' : 'f';
            return 2;
        }
        break;
    }
    esc[1] = 'u';
    esc[2] = '0';
    esc[3] = '0';
    esc[4] = hex[c >> 4];
    esc[5] = hex[c & 15];
    return 6;
}

void strbuf_add_json_string(struct strbuf *sb, const char *s)
{
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
        char esc[6];
        size_t n = json_escape(c, false, esc);
        strbuf_add(sb, esc, n);
        run = p + 1;
    }
    strbuf_addch(sb, '"');
}

char *strbuf_put_fixed(char *w, double v, int decimals)
{
    static const double scale[] = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};
    /* Two digits at a time from the end (a coordinate has 7 decimals). */
    static const char pairs[] = "00010203040506070809101112131415161718192021222324"
                                "25262728293031323334353637383940414243444546474849"
                                "50515253545556575859606162636465666768697071727374"
                                "75767778798081828384858687888990919293949596979899";
    char buf[32], *p = buf + sizeof buf;
    bool neg = v < 0;
    double m = (neg ? -v : v) * scale[decimals] + 0.5;
    unsigned long long n = (unsigned long long)m;
    int i = decimals;
    for (; i >= 2; i -= 2) {
        p -= 2;
        memcpy(p, pairs + 2 * (n % 100), 2);
        n /= 100;
    }
    if (i) {
        *--p = (char)('0' + n % 10);
        n /= 10;
    }
    if (decimals)
        *--p = '.';
    while (n >= 10) {
        p -= 2;
        memcpy(p, pairs + 2 * (n % 100), 2);
        n /= 100;
    }
    if (n || p == buf + sizeof buf || p[0] == '.')
        *--p = (char)('0' + n);
    if (neg && (m >= 1.0))
        *--p = '-';
    memcpy(w, p, (size_t)(buf + sizeof buf - p));
    return w + (buf + sizeof buf - p);
}

void strbuf_add_fixed(struct strbuf *sb, double v, int decimals)
{
    if (!strbuf_fixed_fits(v, decimals)) {
        strbuf_addf(sb, "%.*f", decimals < 0 ? 0 : decimals > 9 ? 9 : decimals, v);
        return;
    }
    strbuf_grow(sb, STRBUF_FIXED_MAX);
    sb->len = (size_t)(strbuf_put_fixed(sb->buf + sb->len, v, decimals) - sb->buf);
    sb->buf[sb->len] = '\0';
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
    /* Counts in answers are mostly small: one or two digits directly,
     * no buffer and no memcpy call. */
    if (v >= 0 && v < 100) {
        if (v >= 10)
            *w++ = (char)('0' + v / 10);
        *w++ = (char)('0' + v % 10);
        return w;
    }
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

bool strbuf_add_json_text(struct strbuf *sb, const char *s)
{
    size_t start = sb->len;
    strbuf_addch(sb, '"');
    const unsigned char *p = (const unsigned char *)s, *run = p;
    for (;;) {
        unsigned char c = *p;
        if (c >= 0x80) { /* checked as it is passed: one pass over the text */
            size_t n = text_utf8_seq_len(p);
            if (!n) { /* json_string() refuses it: take back what was written */
                sb->len = start;
                sb->buf[start] = '\0';
                return false;
            }
            p += n;
            continue;
        }
        if (c >= 0x20 && c != '"' && c != '\\') {
            p++;
            continue;
        }
        strbuf_add(sb, run, (size_t)(p - run));
        if (!c)
            break;
        char esc[6];
        size_t n = json_escape(c, true, esc);
        strbuf_add(sb, esc, n);
        run = ++p;
    }
    strbuf_addch(sb, '"');
    return true;
}

/* "%.10g" of v with 1 <= |v| < 1000 (coordinates), then jansson's ".0"
 * when no decimals are left, without printf: the 10 significant digits
 * are round(|v| * 10^(9 - e)) for v's decimal exponent e, an exact
 * scaling (powers of ten up to 1e9 are exact doubles) whose product
 * carries at most half an ulp (below 1e-6 under 1e10) of error, so it
 * rounds as the exact value does unless it sits within 1e-5 of a tie;
 * false then, and printf decides. */
static bool json_real_10_fast(struct strbuf *sb, double v)
{
    double a = fabs(v);
    int e = a >= 100 ? 2 : a >= 10 ? 1 : 0;
    static const double scale[] = {1e9, 1e8, 1e7};
    double m = a * scale[e];
    if (fabs(m - floor(m) - 0.5) < 1e-5)
        return false;
    uint64_t n = (uint64_t)floor(m + 0.5);
    if (n >= 10000000000ull) /* rounded up to the next power of ten */
        return false;
    int decimals = 9 - e;
    char buf[32], *end = buf + sizeof buf, *p = end;
    bool any = false; /* a decimal digit other than a trailing zero */
    for (int i = 0; i < decimals; i++) {
        char d = (char)('0' + n % 10);
        n /= 10;
        if (any || d != '0') {
            *--p = d;
            any = true;
        }
    }
    if (!any)
        *--p = '0';
    *--p = '.';
    do {
        *--p = (char)('0' + n % 10);
        n /= 10;
    } while (n);
    if (v < 0)
        *--p = '-';
    strbuf_add(sb, p, (size_t)(end - p));
    return true;
}

bool strbuf_add_json_real(struct strbuf *sb, double v, int digits)
{
    if (!isfinite(v))
        return false;
    if (digits == 10 && fabs(v) >= 1 && fabs(v) < 1000 && json_real_10_fast(sb, v))
        return true;
    char buf[64];
    int n = snprintf(buf, sizeof buf - 2, "%.*g", digits, v);
    if (n < 0 || (size_t)n >= sizeof buf - 2)
        return false;
    size_t len = (size_t)n;
    char *e = strchr(buf, 'e');
    if (!e && !strchr(buf, '.')) {
        buf[len++] = '.';
        buf[len++] = '0';
        buf[len] = '\0';
    }
    if (e) {
        /* 1.5e+07 -> 1.5e7, 1e-08 -> 1e-8 */
        char *from = e + 1, *to = e + 1;
        if (*from == '+')
            from++;
        else if (*from == '-')
            from++, to++;
        while (*from == '0' && from[1])
            from++;
        memmove(to, from, (size_t)(buf + len - from) + 1);
        len -= (size_t)(from - to);
    }
    strbuf_add(sb, buf, len);
    return true;
}
