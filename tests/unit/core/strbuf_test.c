/*
 * strbuf_test.c - unit tests for the number writers of src/core/strbuf.c
 * that stand in for printf: strbuf_add_6f against "%.6f" (random values
 * over many magnitudes, values next to rounding ties, signs and zeros,
 * huge and non-finite ones) and strbuf_add_int (and strbuf_put_int, in
 * place) against "%lld".
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/strbuf.h"
#include "test.h"

static uint64_t rng_state = 88172645463325252ull;

static uint64_t next_u64(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
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
    static const int64_t vs[] = {0, 1, -1, 9, 10, -10, 1234567890123LL, INT64_MAX, INT64_MIN};
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

int main(void)
{
    RUN(test_6f_random);
    RUN(test_6f_ties);
    RUN(test_6f_edges);
    RUN(test_int);
    return test_report("strbuf");
}
