/*
 * etag_test.c - unit tests for src/http/etag.c: the tag of some bytes and
 * If-None-Match matching (lists, weak tags, "*", and values that are not
 * entity-tag lists).
 */
#include <stdio.h>
#include <string.h>
#include <xxhash.h>

#include "http/etag.h"
#include "test.h"

static void test_tag(void)
{
    char a[ETAG_TEXT], b[ETAG_TEXT], c[ETAG_TEXT];
    etag_of("{\"items\":[]}", 12, a);
    etag_of("{\"items\":[]}", 12, b);
    etag_of("{\"items\":[1]}", 13, c);
    CHECK_INT((long long)strlen(a), ETAG_TEXT - 1);
    CHECK(a[0] == '"' && a[ETAG_TEXT - 2] == '"');
    CHECK_STR(a, b);
    CHECK(strcmp(a, c) != 0);
    etag_of("", 0, c);
    CHECK(strcmp(a, c) != 0);
}

/* The tag is the quoted 128-bit XXH3 of the bytes in lower-case hex, high
 * half first: the same text printf("%016llx%016llx") gives, so tags
 * clients hold stay valid. */
static void test_tag_text(void)
{
    static const char *const inputs[] = {"", "a", "{\"items\":[]}",
                                         "0123456789abcdef0123456789abcdef0123456789abcdef"
                                         "0123456789abcdef0123456789abcdef0123456789abcdef"
                                         "0123456789abcdef0123456789abcdef0123456789abcdef"
                                         "0123456789abcdef0123456789abcdef0123456789abcdef"};
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        char got[ETAG_TEXT], want[ETAG_TEXT];
        size_t len = strlen(inputs[i]);
        XXH128_hash_t h = XXH3_128bits(inputs[i], len);
        snprintf(want, sizeof want, "\"%016llx%016llx\"", (unsigned long long)h.high64,
                 (unsigned long long)h.low64);
        etag_of(inputs[i], len, got);
        CHECK_STR(got, want);
    }
}

/* The AVX2 build of XXH3 (etag_avx2.c, used on CPUs that have it) gives
 * the library's hash for every length XXH3 treats apart (0, 1-3, 4-8,
 * 9-16, 17-128, 129-240, longer: stripes, blocks and a partial last
 * block) and every alignment of the start: tags do not change with the
 * machine that serves them. */
static void test_tag_same_as_library(void)
{
    static unsigned char buf[20000 + 64];
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (unsigned char)(i * 2654435761u >> 13);
    static const size_t lens[] = {0,    1,    3,    4,    8,    9,    16,    17,    128,
                                  129,  240,  241,  255,  256,  1023, 1024,  1025,  4096,
                                  7000, 7331, 8191, 8192, 8193, 9999, 16384, 19999, 20000};
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        for (size_t at = 0; at < 64; at += 7) {
            char got[ETAG_TEXT], want[ETAG_TEXT];
            XXH128_hash_t h = XXH3_128bits(buf + at, lens[i]);
            snprintf(want, sizeof want, "\"%016llx%016llx\"", (unsigned long long)h.high64,
                     (unsigned long long)h.low64);
            etag_of(buf + at, lens[i], got);
            CHECK_STR(got, want);
#if ETAG_HAVE_AVX2
            if (__builtin_cpu_supports("avx2")) {
                uint64_t high, low;
                etag_hash_avx2(buf + at, lens[i], &high, &low);
                CHECK(high == h.high64 && low == h.low64);
            }
#endif
        }
    }
}

static void test_match(void)
{
    const char *t = "\"0123456789abcdef0123456789abcdef\"";
    CHECK(etag_none_match("\"0123456789abcdef0123456789abcdef\"", t));
    CHECK(etag_none_match("W/\"0123456789abcdef0123456789abcdef\"", t));
    CHECK(etag_none_match("\"x\", \"0123456789abcdef0123456789abcdef\"", t));
    CHECK(etag_none_match("\"x\",W/\"y\" ,\t\"0123456789abcdef0123456789abcdef\"  ", t));
    CHECK(etag_none_match("*", t));
    CHECK(etag_none_match(" * ", t));
    /* a weak tag of ours compares weakly too */
    CHECK(etag_none_match("\"abc\"", "W/\"abc\""));
    static const char *const no[] = {
        "",
        " ",
        "\"x\"",
        "0123456789abcdef0123456789abcdef",           /* not quoted */
        "\"0123456789abcdef0123456789abcdef",         /* not closed */
        "\"0123456789abcdef0123456789abcde\"",        /* one digit short */
        "\"x\" \"0123456789abcdef0123456789abcdef\"", /* no comma */
        "\"x\";\"0123456789abcdef0123456789abcdef\"",
        "w/\"0123456789abcdef0123456789abcdef\"",
        "* , \"x\"",
        "\"x\",",
        ",",
    };
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        CHECK(!etag_none_match(no[i], t));
    CHECK(!etag_none_match(NULL, t));
}

int main(void)
{
    RUN(test_tag);
    RUN(test_tag_text);
    RUN(test_tag_same_as_library);
    RUN(test_match);
    return test_report("etag");
}
