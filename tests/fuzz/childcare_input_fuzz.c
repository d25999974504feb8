/*
 * childcare_input_fuzz.c - libFuzzer target for what the childcare rules
 * read from outside (src/childcare/childcare.c): a timetable's HH:MM
 * times, a consent version, and a pickup code typed in by staff.
 *
 * The whole input is read as each of them. A time that is accepted is
 * exactly five bytes HH:MM within 00:00..24:00 and gives its minutes; a
 * version accepted is 1..32 bytes of [A-Za-z0-9._-]; a code is matched
 * only when it is six digits and then equals the code made for whom it
 * names. Any broken promise aborts.
 *
 *   make build/fuzz/childcare_input_fuzz
 *   build/fuzz/childcare_input_fuzz -max_total_time=60 tests/fuzz/corpus/childcare_input
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "childcare/childcare.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const unsigned char fuzz_key[32] = "warmharbor-fuzz-key-32-bytes-xx";
static const int64_t fuzz_now = 1783000000;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    size_t len = strlen(s);

    int m = childcare_clock_minutes(s);
    if (m >= 0) {
        char back[8];
        snprintf(back, sizeof back, "%02d:%02d", m / 60, m % 60);
        if (len != 5 || m > 1440 || strcmp(back, s) != 0)
            abort();
    }
    if (childcare_version_is_valid(s)) {
        if (len < 1 || len > 32 ||
            strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                      "0123456789._-") != len)
            abort();
    }
    int who = childcare_pickup_match(fuzz_key, 42, 7, 3, s, fuzz_now);
    if (who >= 0) {
        if (len != 6 || strspn(s, "0123456789") != 6 || who > 3)
            abort();
        char now[8], before[8];
        childcare_pickup_code(fuzz_key, 42, 7, who, fuzz_now, now);
        childcare_pickup_code(fuzz_key, 42, 7, who, fuzz_now - CHILDCARE_CODE_STEP_S, before);
        if (strcmp(now, s) != 0 && strcmp(before, s) != 0)
            abort();
    }
    free(s);
    return 0;
}
