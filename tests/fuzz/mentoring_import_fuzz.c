/*
 * mentoring_import_fuzz.c - libFuzzer target for the parser of a host's
 * uploaded platform export (mentoring_import_parse, src/mentoring/
 * mentoring.c) and the cell readers it uses.
 *
 * The input is read as a CSV file through the Douyin mapping (the
 * migration's defaults) and through the generic one. Promises checked:
 *  - the parse never hands back more sessions than one upload may hold
 *    (the caller stores nothing when there is any error);
 *  - every error has a code and a message, names a row (0 only for the
 *    whole file), the list never exceeds MENTORING_ERRORS_MAX and is
 *    "truncated" only when full;
 *  - every session returned passes mentoring_session_check, has a
 *    positive duration and distinct start times;
 *  - the cell readers never accept what they then cannot hold: a count is
 *    within MENTORING_COUNT_MAX, money within MENTORING_GMV_MAX_FEN, a
 *    percentage within 0..10000 basis points, a duration within 48 hours.
 * Any broken promise aborts.
 *
 *   make build/fuzz/mentoring_import_fuzz
 *   build/fuzz/mentoring_import_fuzz -max_total_time=60 tests/fuzz/corpus/mentoring_import
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mentoring/mentoring.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *douyin_sources[] = {"开播时间",   "直播时长",   "累计观看人数", "最高在线人数",
                                       "新增粉丝数", "成交订单数", "成交金额",     "成交转化率"};
static const char *generic_sources[] = {"date",          "duration", "viewers", "peak",
                                        "new_followers", "orders",   "gmv",     "conversion"};
static enum mentoring_field fields[] = {MF_START,     MF_DURATION, MF_VIEWERS, MF_PEAK,
                                        MF_FOLLOWERS, MF_ORDERS,   MF_GMV,     MF_CONVERSION};

static void check_import(const char *data, size_t size, const char **sources)
{
    struct mentoring_mapping m = {"fuzz", 8, sources, fields};
    struct arena a;
    arena_init(&a);
    struct mentoring_import im;
    mentoring_import_parse(&a, data, size, &m, 480, &im);
    if (im.nerrors > MENTORING_ERRORS_MAX || (im.truncated && im.nerrors != MENTORING_ERRORS_MAX))
        abort();
    for (size_t i = 0; i < im.nerrors; i++) {
        const struct mentoring_import_error *e = &im.errors[i];
        if (!e->code || !*e->code || !e->message)
            abort();
    }
    if (im.n > MENTORING_IMPORT_MAX_ROWS)
        abort();
    for (size_t i = 0; i < im.n; i++) {
        enum mentoring_field bad;
        if (mentoring_session_check(&im.sessions[i], &bad) || im.sessions[i].duration_s <= 0)
            abort();
        for (size_t j = 0; j < i; j++)
            if (im.sessions[j].starts_at == im.sessions[i].starts_at)
                abort();
    }
    arena_release(&a);
}

static void check_cells(const char *s)
{
    int64_t v;
    if (!mentoring_parse_count(s, &v) && (v < 0 || v > MENTORING_COUNT_MAX))
        abort();
    if (!mentoring_parse_money(s, &v) && (v < 0 || v > MENTORING_GMV_MAX_FEN))
        abort();
    if (!mentoring_parse_percent(s, &v) && (v < 0 || v > 10000))
        abort();
    if (!mentoring_parse_duration(s, &v) && (v <= 0 || v > MENTORING_DURATION_MAX_S))
        abort();
    if (!mentoring_parse_start(s, 480, &v) && (v < 946684800 - 86400 || v > 4133980800LL + 86400))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_import((const char *)data, size, douyin_sources);
    check_import((const char *)data, size, generic_sources);
    if (size <= 256) {
        char cell[257];
        memcpy(cell, data, size);
        cell[size] = '\0';
        check_cells(cell);
    }
    return 0;
}
