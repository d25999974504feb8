/*
 * etag_test.c - unit tests for src/http/etag.c: the tag of some bytes and
 * If-None-Match matching (lists, weak tags, "*", and values that are not
 * entity-tag lists).
 */
#include <string.h>

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
    RUN(test_match);
    return test_report("etag");
}
