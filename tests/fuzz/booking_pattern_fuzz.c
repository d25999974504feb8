/*
 * booking_pattern_fuzz.c - libFuzzer target for the weekly pattern of
 * desk appointments (src/booking/booking.c), the parser of the windows a
 * client sends to POST /api/offerings/{id}/slots/generate.
 *
 * The input is split at newlines: the first line is "FROM TO MINUTES" (a
 * day offset and a span in days from 2026-02-01, a slot length), every
 * other line "WEEKDAY WINDOW" ("mo 09:00-12:00"). Each window is parsed
 * and, when accepted, must be a real window (start before end, inside the
 * day) and added unless it overlaps; then the pattern is generated over a
 * calendar with the 2026 Spring Festival. The promises checked: slots
 * come in order without overlapping, each is exactly MINUTES long, none
 * falls on a public holiday, each lies inside a window of the weekday its
 * day follows, and the count agrees with a count made without a buffer
 * cap. Any broken promise aborts.
 *
 *   clang -fsanitize=fuzzer,address,undefined -Isrc tests/fuzz/booking_pattern_fuzz.c \
 *         src/booking/booking.c src/core/clock.c -o /tmp/bpf
 *   cp -r tests/fuzz/corpus/booking_pattern /tmp/bp_corpus
 *   /tmp/bpf -max_total_time=60 /tmp/bp_corpus
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "booking/booking.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct hours_day fuzz_days[] = {
    {20260214, HOURS_DAY_WORKDAY, 5}, {20260215, HOURS_DAY_HOLIDAY, 0},
    {20260216, HOURS_DAY_HOLIDAY, 0}, {20260217, HOURS_DAY_HOLIDAY, 0},
    {20260218, HOURS_DAY_HOLIDAY, 0}, {20260219, HOURS_DAY_HOLIDAY, 0},
    {20260220, HOURS_DAY_HOLIDAY, 0}, {20260221, HOURS_DAY_HOLIDAY, 0},
    {20260222, HOURS_DAY_HOLIDAY, 0}, {20260223, HOURS_DAY_HOLIDAY, 0},
    {20260228, HOURS_DAY_WORKDAY, 5}, {20260301, HOURS_DAY_WORKDAY, 0},
    {20260307, HOURS_DAY_WORKDAY, 9},
};
static const struct hours_calendar fuzz_cal = {fuzz_days, sizeof fuzz_days / sizeof fuzz_days[0]};

#define TZ 480
#define CAP 4096

static struct booking_span spans[CAP];

static void fuzz_fail(const char *what)
{
    fprintf(stderr, "booking pattern invariant broken: %s\n", what);
    abort();
}

static bool is_holiday(int32_t day)
{
    for (size_t i = 0; i < fuzz_cal.n; i++)
        if (fuzz_days[i].date == day && fuzz_days[i].kind == HOURS_DAY_HOLIDAY)
            return true;
    return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    char *text = malloc(size + 1);
    if (!text)
        abort();
    memcpy(text, data, size);
    text[size] = '\0';

    struct booking_pattern p;
    memset(&p, 0, sizeof p);
    char *save = NULL;
    char *line = strtok_r(text, "\n", &save);
    int from = 0, span = 0, minutes = 15;
    if (line)
        sscanf(line, "%d %d %d", &from, &span, &minutes);
    from = abs(from % 60);
    span = abs(span % 40);
    minutes = 5 + abs(minutes % 240);
    p.from = booking_day_add(20260201, from);
    p.to = booking_day_add(p.from, span);
    p.minutes = minutes;

    while ((line = strtok_r(NULL, "\n", &save)) != NULL) {
        char key[8] = {0};
        const char *space = strchr(line, ' ');
        if (!space || space - line >= (long)sizeof key)
            continue;
        memcpy(key, line, (size_t)(space - line));
        int wd = booking_weekday_key(key);
        struct booking_window w;
        if (booking_window_parse(space + 1, &w) != 0)
            continue;
        if (w.start_min < 0 || w.end_min > 24 * 60 || w.start_min >= w.end_min)
            fuzz_fail("an accepted window is not a window of a day");
        if (wd < 0)
            continue;
        size_t before = p.nwindows[wd];
        if (booking_pattern_add(&p, wd, &w) == 0 && p.nwindows[wd] != before + 1)
            fuzz_fail("an added window was not counted");
    }
    for (int d = 0; d < 7; d++)
        for (size_t i = 1; i < p.nwindows[d]; i++)
            if (p.windows[d][i].start_min < p.windows[d][i - 1].end_min)
                fuzz_fail("a day's windows overlap or are out of order");

    size_t n = booking_generate(&p, &fuzz_cal, TZ, 0, spans, CAP);
    struct booking_span one[1];
    if (booking_generate(&p, &fuzz_cal, TZ, 0, one, 1) != n)
        fuzz_fail("the count depends on the buffer");
    size_t written = n < CAP ? n : CAP;
    for (size_t i = 0; i < written; i++) {
        const struct booking_span *s = &spans[i];
        if (s->ends_at - s->starts_at != (int64_t)minutes * 60)
            fuzz_fail("a slot is not MINUTES long");
        if (i && s->starts_at < spans[i - 1].ends_at)
            fuzz_fail("slots overlap or are out of order");
        int32_t day = booking_local_day(s->starts_at, TZ);
        if (day < p.from || day > p.to)
            fuzz_fail("a slot outside from..to");
        if (is_holiday(day))
            fuzz_fail("a slot on a public holiday");
        int wd = booking_pattern_weekday(day, &fuzz_cal);
        if (wd < 1 || wd > 7)
            fuzz_fail("a working day without a weekday");
        int64_t m = (s->starts_at - booking_day_start(day, TZ)) / 60;
        bool inside = false;
        for (size_t k = 0; k < p.nwindows[wd - 1]; k++) {
            const struct booking_window *w = &p.windows[wd - 1][k];
            if (m >= w->start_min && m + minutes <= w->end_min)
                inside = true;
        }
        if (!inside)
            fuzz_fail("a slot outside every window of its weekday");
    }
    free(text);
    return 0;
}
