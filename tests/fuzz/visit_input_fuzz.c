/*
 * visit_input_fuzz.c - libFuzzer target for what the visit module reads
 * from outside: poster codes (POST /api/visits, from any phone) and the
 * statistics window (?from=&to=&by=), in src/visit/visit.c.
 *
 * The input is split at its first two NUL bytes. The whole input is read
 * as a poster code under a fixed key: a code that reads must be exactly
 * the code made for the site and version it names (one text per code),
 * with a positive site and version. The three parts are read as from, to
 * and by: a window that is accepted has whole local days, at most the
 * longest window, buckets that cover it exactly, and every hour inside it
 * falls in a bucket; a refused one names its argument. Any broken
 * promise aborts.
 *
 *   make build/fuzz/visit_input_fuzz
 *   build/fuzz/visit_input_fuzz -max_total_time=60
 * tests/fuzz/corpus/visit_input
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "account/account.h"
#include "visit/visit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const unsigned char fuzz_key[ACCOUNT_SECRET_BYTES] = "warmharbor-fuzz-key-32-bytes-xx";

/* 2026-03-04 09:20 at UTC+8. */
static const int64_t fuzz_now = 1772587200;

static void check_code(const char *code)
{
    int64_t site = 0, ver = 0;
    if (visit_poster_parse(fuzz_key, code, &site, &ver))
        return;
    if (site <= 0 || ver <= 0)
        abort();
    struct arena a;
    arena_init(&a);
    if (strcmp(visit_poster_code(&a, fuzz_key, site, ver), code) != 0)
        abort();
    arena_release(&a);
}

static void check_window(const char *from, const char *to, const char *by)
{
    struct visit_window w;
    const char *field = NULL, *why = NULL;
    if (visit_window_parse(from, to, by, fuzz_now, 480, &w, &field, &why)) {
        if (!field || !why || (strcmp(field, "from") && strcmp(field, "to") && strcmp(field, "by")))
            abort();
        return;
    }
    if (w.step != 3600 && w.step != 86400)
        abort();
    if (w.end <= w.start || (w.end - w.start) % 86400 || (w.start + 480 * 60) % 86400)
        abort();
    int64_t days = (w.end - w.start) / 86400;
    if (days > (w.step == 3600 ? VISIT_HOUR_MAX_DAYS : VISIT_DAY_MAX_DAYS))
        abort();
    if ((int64_t)w.nbuckets * w.step != w.end - w.start)
        abort();
    if (visit_window_bucket(&w, w.start) != 0 ||
        visit_window_bucket(&w, w.end - 3600) != (long)w.nbuckets - 1 ||
        visit_window_bucket(&w, w.end) != -1 || visit_window_bucket(&w, w.start - 3600) != -1)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    char *buf = malloc(size + 3);
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    buf[size] = buf[size + 1] = buf[size + 2] = '\0';
    check_code(buf);
    const char *from = buf;
    const char *to = from + strlen(from) + 1;
    const char *by = to + strlen(to) + 1;
    if (to > buf + size)
        to = NULL;
    if (to && by > buf + size)
        by = NULL;
    check_window(*from ? from : NULL, to && *to ? to : NULL, by && *by ? by : NULL);
    free(buf);
    return 0;
}
