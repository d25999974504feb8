/*
 * childcare_input_fuzz.c - libFuzzer target for what the childcare rules
 * read from outside (src/childcare/childcare.c): a programme's timetable
 * and a child's lists of people (JSON), a timetable's HH:MM times, a
 * consent version, and a pickup code typed in by staff.
 *
 * The whole input is read as each of them. A timetable or list of people
 * that is accepted checks again to the same text, has as many entries as
 * it had, each with exactly the members allowed; a refused one names a
 * field under its own name. A time that is accepted is
 * exactly five bytes HH:MM within 00:00..24:00 and gives its minutes; a
 * version accepted is 1..32 bytes of [A-Za-z0-9._-]; a code is matched
 * only when it is six digits and then equals the code made for whom it
 * names. Any broken promise aborts.
 *
 *   make build/fuzz/childcare_input_fuzz
 *   build/fuzz/childcare_input_fuzz -max_total_time=60 tests/fuzz/corpus/childcare_input
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "childcare/childcare.h"
#include "core/arena.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const unsigned char fuzz_key[32] = "warmharbor-fuzz-key-32-bytes-xx";
static const int64_t fuzz_now = 1783000000;

static void check_list(const char *text, bool timetable)
{
    json_t *v = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
    if (!v)
        return;
    struct arena a;
    arena_init(&a);
    const char *out = NULL, *field = NULL, *name = timetable ? "timetable" : "pickup_people";
    int rc = timetable ? childcare_timetable_check(&a, v, &out, &field)
                       : childcare_people_check(&a, v, name, &out, &field);
    if (rc) {
        if (!field || strncmp(field, name, strlen(name)) != 0)
            abort();
    } else {
        json_t *again = json_loads(out, 0, NULL);
        const char *out2 = NULL;
        if (!again || json_array_size(again) != json_array_size(v))
            abort();
        int rc2 = timetable ? childcare_timetable_check(&a, again, &out2, &field)
                            : childcare_people_check(&a, again, name, &out2, &field);
        if (rc2 || strcmp(out, out2) != 0)
            abort();
        json_t *e;
        size_t i;
        json_array_foreach(again, i, e) if (json_object_size(e) != (timetable ? 5u : 3u)) abort();
        json_decref(again);
    }
    json_decref(v);
    arena_release(&a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    size_t len = strlen(s);
    check_list(s, true);
    check_list(s, false);

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
