/*
 * hours_fuzz.c - libFuzzer target for the opening_hours parser and
 * evaluator in src/hours/hours.c.
 *
 * Every input is parsed. A refusal must point inside the input (or at its
 * end) and carry a message. An accepted expression is evaluated at a few
 * moments picked from a hash of the input, with a small holiday calendar,
 * and must keep its promises: hours_next_change() returns a minute-aligned
 * moment inside the horizon where hours_is_open() flips and before which it
 * holds; over a short horizon it agrees with a minute-by-minute scan; and
 * the canonical text parses back to an expression that formats the same
 * and answers the same. Any broken promise aborts.
 *
 *   clang -fsanitize=fuzzer,address,undefined -Isrc tests/fuzz/hours_fuzz.c \
 *         src/hours/hours.c -o /tmp/hf
 *   cp -r tests/fuzz/corpus/hours /tmp/hours_corpus
 *   /tmp/hf -max_total_time=60 /tmp/hours_corpus
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hours/hours.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A few holidays and make-up days around the moments tried below. */
static const struct hours_day fuzz_days[] = {
    {20260101, HOURS_DAY_HOLIDAY, 0}, {20260104, HOURS_DAY_WORKDAY, 0},
    {20260214, HOURS_DAY_WORKDAY, 5}, {20260216, HOURS_DAY_HOLIDAY, 0},
    {20260217, HOURS_DAY_HOLIDAY, 0}, {20261001, HOURS_DAY_HOLIDAY, 0},
    {20261002, HOURS_DAY_HOLIDAY, 0}, {20261010, HOURS_DAY_WORKDAY, 6},
    {20261011, HOURS_DAY_WORKDAY, 9}, {20261231, HOURS_DAY_HOLIDAY, 0},
};
static const struct hours_calendar fuzz_cal = {fuzz_days, sizeof fuzz_days / sizeof fuzz_days[0]};

/* 2026-01-01 00:00 at UTC+8. */
static const int64_t fuzz_base = 1767196800;

static void fuzz_fail(const char *what, const char *src)
{
    fprintf(stderr, "hours invariant broken: %s\ninput: \"%s\"\n", what, src);
    abort();
}

/* Check one moment: next_change promises, and agreement with h2. */
static void fuzz_check_at(const struct hours *h, const struct hours *h2,
                          const struct hours_calendar *cal, int64_t t, int tz, int64_t horizon,
                          const char *src)
{
    bool open = hours_is_open(h, cal, t, tz);
    int64_t next = hours_next_change(h, cal, t, tz, horizon);

    if (next != -1) {
        if (next <= t || next - t > horizon || next % 60 != 0)
            fuzz_fail("next change outside (t, t + horizon] or unaligned", src);
        if (hours_is_open(h, cal, next, tz) == open)
            fuzz_fail("state does not flip at the next change", src);
        if (hours_is_open(h, cal, next - 1, tz) != open)
            fuzz_fail("state flips before the next change", src);
        int64_t mid = t + (next - t) / 2;
        if (hours_is_open(h, cal, mid, tz) != open)
            fuzz_fail("state differs halfway to the next change", src);
    } else if (hours_is_open(h, cal, t + horizon, tz) != open ||
               hours_is_open(h, cal, t + horizon / 2, tz) != open) {
        fuzz_fail("state changes inside a horizon said to have none", src);
    }

    /* three hours minute by minute */
    int64_t want = -1;
    for (int64_t m = t - (t % 60 + 60) % 60 + 60; m <= t + 3 * 3600; m += 60)
        if (hours_is_open(h, cal, m, tz) != open) {
            want = m;
            break;
        }
    if (hours_next_change(h, cal, t, tz, 3 * 3600) != want)
        fuzz_fail("next change disagrees with a minute scan", src);

    if (h2) {
        if (hours_is_open(h2, cal, t, tz) != open ||
            hours_next_change(h2, cal, t, tz, horizon) != next)
            fuzz_fail("canonical text answers differently", src);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char src[HOURS_MAX_LEN + 64];
    char canon[HOURS_FORMAT_MAX], canon2[HOURS_FORMAT_MAX];
    struct hours *h = NULL, *h2 = NULL;
    struct hours_error err;

    if (size > HOURS_MAX_LEN + 32)
        size = HOURS_MAX_LEN + 32;
    memcpy(src, data, size);
    src[size] = '\0';
    size_t len = strlen(src);

    if (hours_parse(src, &h, &err) != 0) {
        if (h != NULL)
            fuzz_fail("refused but *out is set", src);
        if (err.pos > len || err.message[0] == '\0' ||
            memchr(err.message, '\0', sizeof err.message) == NULL)
            fuzz_fail("bad error report", src);
        return 0;
    }
    if (len > HOURS_MAX_LEN)
        fuzz_fail("accepted an over-long expression", src);

    if (hours_format(h, canon, sizeof canon) != 0)
        fuzz_fail("canonical text does not fit HOURS_FORMAT_MAX", src);
    if (strlen(canon) <= HOURS_MAX_LEN) {
        if (hours_parse(canon, &h2, &err) != 0) {
            fprintf(stderr, "canonical: \"%s\" (%zu: %s)\n", canon, err.pos, err.message);
            fuzz_fail("canonical text does not parse", src);
        }
        if (hours_format(h2, canon2, sizeof canon2) != 0 || strcmp(canon, canon2) != 0)
            fuzz_fail("canonical text is not a fixed point", src);
    }

    /* moments from a hash of the input, spread over 2026 */
    uint64_t hash = 1469598103934665603ull;
    for (size_t i = 0; i < size; i++)
        hash = (hash ^ data[i]) * 1099511628211ull;
    static const int offsets[] = {480, 0, -300, 345};
    for (int k = 0; k < 3; k++) {
        int64_t t =
            fuzz_base + (int64_t)(hash % (366u * 1440u)) * 60 + (int64_t)((hash >> 20) % 60);
        int tz = offsets[(hash >> 32) % 4];
        int64_t horizon = (int64_t)((hash >> 40) % (60u * 86400u)) + 1;
        const struct hours_calendar *cal = (k == 1) ? NULL : &fuzz_cal;
        fuzz_check_at(h, h2, cal, t, tz, horizon, src);
        hash = hash * 6364136223846793005ull + 1442695040888963407ull;
    }
    /* the edges of time must not misbehave */
    (void)hours_is_open(h, &fuzz_cal, INT64_MAX, 480);
    (void)hours_next_change(h, &fuzz_cal, INT64_MIN, 480, INT64_MAX);
    (void)hours_next_change(h, &fuzz_cal, 253402300799 - 3600, -1440, INT64_MAX);

    hours_free(h2);
    hours_free(h);
    return 0;
}
