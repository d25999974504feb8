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
    RUN(test_match);
    return test_report("etag");
}
