/*
 * strbuf_test.c - unit tests for the number writers of src/core/strbuf.c
 * that stand in for printf: strbuf_add_6f against "%.6f" (random values
 * over many magnitudes, values next to rounding ties, signs and zeros,
 * huge and non-finite ones) and strbuf_add_int (and strbuf_put_int, in
 * place) against "%lld"; strbuf_put_fixed in place against
 * strbuf_add_fixed; the JSON writers strbuf_add_json_text and
 * strbuf_add_json_real against what jansson's json_dumps writes for the
 * same value (every control byte, quotes, UTF-8 of each length, malformed
 * UTF-8, reals of many magnitudes), since the Open311 lists rely on the
 * bytes being the same.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/strbuf.h"
#include "test.h"

static uint64_t rng_state = 88172645463325252ull;

static uint64_t next_u64(void)
{
    return test_xorshift(&rng_state);
}

/* 0 when strbuf_add_6f(v) writes what printf does; else 1 (reported). */
static int differs_6f(double v)
{
    char want[512];
    snprintf(want, sizeof want, "%.6f", v);
    struct strbuf sb = STRBUF_INIT;
    strbuf_add_6f(&sb, v);
    int bad = strcmp(sb.buf, want) != 0;
    if (bad)
        fprintf(stderr, "  %.17g: got %s, want %s\n", v, sb.buf, want);
    strbuf_release(&sb);
    return bad;
}

static void test_6f_random(void)
{
    int bad = 0;
    for (int i = 0; i < 200000; i++) {
        double unit = (double)(next_u64() >> 11) / 9007199254740992.0; /* [0, 1) */
        double scale = pow(10, (double)(i % 12) - 4);                  /* 1e-4 .. 1e7 */
        double v = (unit * 2 - 1) * 200 * scale;
        bad += differs_6f(v);
    }
    CHECK_INT(bad, 0);
}

static void test_6f_ties(void)
{
    /* k.5e-6 and its neighbours, where only exact arithmetic decides. */
    int bad = 0;
    for (int i = 0; i < 50000; i++) {
        int64_t k = (int64_t)(next_u64() % 360000000ull) - 180000000;
        double tie = ((double)k + 0.5) / 1e6;
        bad += differs_6f(tie);
        bad += differs_6f(nextafter(tie, INFINITY));
        bad += differs_6f(nextafter(tie, -INFINITY));
    }
    CHECK_INT(bad, 0);
}

static void test_6f_edges(void)
{
    static const double vs[] = {
        0.0,   -0.0,           1e-7,       -1e-7, 4.9999999e-7, -4.9999999e-7,      5e-7,
        -5e-7, 0.9999995,      0.99999949, 119.2, 34.6,         -33.8688,           180,
        -180,  999999.9999995, 1e15,       -1e15, 1e300,        123456789.123456789};
    int bad = 0;
    for (size_t i = 0; i < sizeof vs / sizeof vs[0]; i++)
        bad += differs_6f(vs[i]);
    bad += differs_6f(INFINITY) + differs_6f(-INFINITY) + differs_6f(NAN);
    CHECK_INT(bad, 0);
}

static void test_int(void)
{
    static const int64_t vs[] = {
        0, 1, -1, 9, 10, -10, 42, 99, 100, -99, -100, 1234567890123LL, INT64_MAX, INT64_MIN};
    int bad = 0;
    for (size_t i = 0; i < sizeof vs / sizeof vs[0]; i++) {
        char want[32];
        snprintf(want, sizeof want, "%lld", (long long)vs[i]);
        struct strbuf sb = STRBUF_INIT;
        strbuf_add_int(&sb, vs[i]);
        bad += strcmp(sb.buf, want) != 0;
        strbuf_release(&sb);
        /* In place: within STRBUF_INT_MAX, nothing written past the end. */
        char room[STRBUF_INT_MAX + 1];
        memset(room, '#', sizeof room);
        char *end = strbuf_put_int(room, vs[i]);
        bad += (size_t)(end - room) != strlen(want) || memcmp(room, want, strlen(want)) != 0;
        bad += room[STRBUF_INT_MAX] != '#' || (end < room + STRBUF_INT_MAX && *end != '#');
    }
    CHECK_INT(bad, 0);
}

/* strbuf_put_fixed writes in place what strbuf_add_fixed appends, within
 * STRBUF_FIXED_MAX (the longest: just below 1e9 with 9 decimals, and
 * negative), nothing past its end; strbuf_fixed_fits says when it may. */
/* strbuf_add_fixed's digits as first written, one at a time: the pairs
 * it now writes must give the same text. */
static void ref_fixed(char *out, double v, int decimals)
{
    static const double scale[] = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};
    char buf[32], *p = buf + sizeof buf;
    *--p = '\0';
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
    strcpy(out, p);
}

static void test_put_fixed(void)
{
    static const double edges[] = {5,
                                   10,
                                   99.5,
                                   100,
                                   1000,
                                   0.5,
                                   9.99999999,
                                   12345,
                                   0.0,
                                   -0.0,
                                   0.04,
                                   -0.04,
                                   999999999.9999999,
                                   -999999999.9999999,
                                   31.2,
                                   -180,
                                   180,
                                   1e-9,
                                   -5e-10,
                                   123456.78};
    int bad = 0;
    for (int i = 0; i < 20000 + (int)(sizeof edges / sizeof edges[0]); i++) {
        double v;
        if (i < (int)(sizeof edges / sizeof edges[0])) {
            v = edges[i];
        } else {
            double unit = (double)(next_u64() >> 11) / 9007199254740992.0;
            v = (unit * 2 - 1) * pow(10, (double)(i % 10) - 1); /* up to 1e8 */
        }
        for (int d = 0; d <= 9; d++) {
            bad += !strbuf_fixed_fits(v, d);
            struct strbuf sb = STRBUF_INIT;
            strbuf_add_fixed(&sb, v, d);
            char room[STRBUF_FIXED_MAX + 1];
            memset(room, '#', sizeof room);
            char *end = strbuf_put_fixed(room, v, d);
            bad += (size_t)(end - room) != sb.len || memcmp(room, sb.buf, sb.len) != 0;
            bad += room[STRBUF_FIXED_MAX] != '#';
            char want[40];
            ref_fixed(want, v, d);
            if (strcmp(sb.buf, want) != 0) {
                fprintf(stderr, "  fixed %.17g/%d: got %s, want %s\n", v, d, sb.buf, want);
                bad++;
            }
            strbuf_release(&sb);
        }
    }
    bad += strbuf_fixed_fits(1e9, 1) + strbuf_fixed_fits(-1e9, 1) + strbuf_fixed_fits(NAN, 1);
    bad += strbuf_fixed_fits(1.5, -1) + strbuf_fixed_fits(1.5, 10);
    CHECK_INT(bad, 0);
}

/* 0 when strbuf_add_json_text(s) writes what json_dumps writes for
 * json_string(s), and writes nothing where json_string refuses s. */
static int differs_json_text(const char *s)
{
    json_t *v = json_string(s);
    char *want = v ? json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
    struct strbuf sb = STRBUF_INIT;
    bool ok = strbuf_add_json_text(&sb, s);
    int bad = ok != (v != NULL) || (ok ? strcmp(sb.buf, want) != 0 : sb.len != 0);
    if (bad)
        fprintf(stderr, "  json text: got %s, want %s\n", sb.buf ? sb.buf : "(nothing)",
                want ? want : "(refused)");
    strbuf_release(&sb);
    free(want);
    json_decref(v);
    return bad;
}

static void test_json_text(void)
{
    static const char *const fixed[] = {
        "",
        "plain",
        "quote \" and \\ back/slash",
        "\x7f del",
        "路面破损 é ü 𝄞 \xe2\x80\xa8",
        "\xc0\x80",         /* overlong NUL */
        "\xe0\x80\xaf",     /* overlong '/' */
        "\xed\xa0\x80",     /* a surrogate */
        "\xf4\x90\x80\x80", /* above U+10FFFF */
        "\xf5\x80\x80\x80",
        "cut \xe8\xb7",
        "\x80 lone",
        "<a href='x'>&amp;</a>",
    };
    int bad = 0;
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        bad += differs_json_text(fixed[i]);
    char one[4] = {'a', 0, 'b', 0};
    for (int c = 1; c < 256; c++) {
        one[1] = (char)c;
        bad += differs_json_text(one);
    }
    /* random short byte strings, mostly ASCII with some high bytes */
    for (int i = 0; i < 20000; i++) {
        char s[12];
        size_t n = (size_t)(next_u64() % 11);
        for (size_t k = 0; k < n; k++) {
            uint64_t r = next_u64();
            s[k] = (char)(r % 4 ? (r >> 8) % 127 + 1 : (r >> 8) % 128 + 128);
        }
        s[n] = 0;
        bad += differs_json_text(s);
    }
    CHECK_INT(bad, 0);
}

/* 0 when strbuf_add_json_real(v, 10) writes what json_dumps writes for
 * json_real(v) with JSON_REAL_PRECISION(10). */
static int differs_json_real(double v)
{
    json_t *j = json_real(v);
    char *want = j ? json_dumps(j, JSON_ENCODE_ANY | JSON_REAL_PRECISION(10)) : NULL;
    struct strbuf sb = STRBUF_INIT;
    bool ok = strbuf_add_json_real(&sb, v, 10);
    int bad = ok != (j != NULL) || (ok && strcmp(sb.buf, want) != 0);
    if (bad)
        fprintf(stderr, "  json real %.17g: got %s, want %s\n", v, sb.buf ? sb.buf : "(nothing)",
                want ? want : "(refused)");
    strbuf_release(&sb);
    free(want);
    json_decref(j);
    return bad;
}

static void test_json_real(void)
{
    static const double vs[] = {0.0,    -0.0,  1,     -1,     119.194, 34.5721234, 1e-8,
                                1.5e-5, 1e-4,  1e10,  1e9,    1.5e7,   1e21,       1e100,
                                1e-100, -2e-7, 1e300, 5e-324, 180,     -180,       123456789012.0};
    int bad = 0;
    for (size_t i = 0; i < sizeof vs / sizeof vs[0]; i++)
        bad += differs_json_real(vs[i]);
    bad += differs_json_real(INFINITY) + differs_json_real(NAN);
    for (int i = 0; i < 100000; i++) {
        double unit = (double)(next_u64() >> 11) / 9007199254740992.0;
        double v = (unit * 2 - 1) * pow(10, (double)(i % 40) - 20);
        bad += differs_json_real(i % 2 ? round(v * 1e7) / 1e7 : v);
    }
    /* coordinates (the fast path, 1 <= |v| < 1000), their neighbours, and
     * values next to the ties of the 10th significant digit */
    for (int i = 0; i < 200000; i++) {
        double unit = (double)(next_u64() >> 11) / 9007199254740992.0;
        double v = (unit * 2 - 1) * (i % 3 == 0 ? 9.99 : i % 3 == 1 ? 99.9 : 999.9);
        bad += differs_json_real(round(v * 1e7) / 1e7);
        bad += differs_json_real(v);
        double step = i % 3 == 0 ? 1e-9 : i % 3 == 1 ? 1e-8 : 1e-7;
        double tie = (floor(v / step) + 0.5) * step;
        bad += differs_json_real(tie);
        bad += differs_json_real(nextafter(tie, INFINITY));
        bad += differs_json_real(nextafter(tie, -INFINITY));
    }
    static const double edges[] = {1,    -1,           9.9999999999, 9.99999999995, 99.999999995,
                                   10,   999.99999995, 999.9999999,  100.0000001,   1.000000001,
                                   -180, 119.194,      34.5721234,   -0.9999999999};
    for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++)
        bad += differs_json_real(edges[i]);
    CHECK_INT(bad, 0);
}

/* strbuf_add_json_string keeps its own manner (it shares the escapes
 * with strbuf_add_json_text): \n \r \t \" \\, every other control byte
 * as \u00xx in small letters, UTF-8 and DEL as they are. */
static void test_json_string(void)
{
    char want[16], in[2] = {0, 0};
    int bad = 0;
    for (int c = 1; c < 0x20; c++) {
        in[0] = (char)c;
        if (c == '\n' || c == '\r' || c == '\t')
            snprintf(want, sizeof want, "\"\\%c\"", c == '\n' ? 'n' : c == '\r' ? 'r' : 't');
        else
            snprintf(want, sizeof want, "\"\\u%04x\"", c);
        struct strbuf sb = STRBUF_INIT;
        strbuf_add_json_string(&sb, in);
        bad += strcmp(sb.buf, want) != 0;
        strbuf_release(&sb);
    }
    CHECK_INT(bad, 0);
    struct strbuf sb = STRBUF_INIT;
    strbuf_add_json_string(&sb, "a\"b\\c\x7f路");
    CHECK_STR(sb.buf, "\"a\\\"b\\\\c\x7f路\"");
    strbuf_release(&sb);
    strbuf_add_json_string(&sb, NULL);
    CHECK_STR(sb.buf, "null");
    strbuf_release(&sb);
}

int main(void)
{
    RUN(test_6f_random);
    RUN(test_6f_ties);
    RUN(test_6f_edges);
    RUN(test_int);
    RUN(test_put_fixed);
    RUN(test_json_string);
    RUN(test_json_text);
    RUN(test_json_real);
    return test_report("strbuf");
}
