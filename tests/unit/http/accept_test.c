/*
 * accept_test.c - unit tests for src/http/accept.c: which content codings
 * an Accept-Encoding value takes (qualities, "*", case, malformed parts).
 */
#include "http/accept.h"
#include "test.h"

static void test_accepts(void)
{
    CHECK(http_accepts_coding("gzip, deflate, br, zstd", "br"));
    CHECK(http_accepts_coding("gzip, deflate, br, zstd", "gzip"));
    CHECK(http_accepts_coding("GZIP", "gzip"));
    CHECK(http_accepts_coding("br;q=0.001", "br"));
    CHECK(http_accepts_coding("br ; q=1.000", "br"));
    CHECK(http_accepts_coding("br;Q=0.5", "br"));
    CHECK(http_accepts_coding("*", "br"));
    CHECK(http_accepts_coding("gzip;q=0, *;q=0.5", "br"));
    CHECK(http_accepts_coding("br;level=4;q=0.8", "br"));
}

static void test_refuses(void)
{
    CHECK(!http_accepts_coding(NULL, "br"));
    CHECK(!http_accepts_coding("", "br"));
    CHECK(!http_accepts_coding("identity", "br"));
    CHECK(!http_accepts_coding("gzip", "br"));
    CHECK(!http_accepts_coding("br;q=0", "br"));
    CHECK(!http_accepts_coding("br;q=0.000", "br"));
    CHECK(!http_accepts_coding("*;q=0", "br"));
    CHECK(!http_accepts_coding("br;q=0, *", "br")); /* named beats the star */
    CHECK(!http_accepts_coding("brotli", "br"));
    CHECK(!http_accepts_coding("b", "br"));
    /* malformed qualities count for nothing */
    CHECK(!http_accepts_coding("br;q=2", "br"));
    CHECK(!http_accepts_coding("br;q=1.5", "br"));
    CHECK(!http_accepts_coding("br;q=", "br"));
    CHECK(!http_accepts_coding("br;q=x", "br"));
    CHECK(!http_accepts_coding("br q=1", "br"));
    CHECK(!http_accepts_coding(",,,", "br"));
}

int main(void)
{
    RUN(test_accepts);
    RUN(test_refuses);
    return test_report("accept");
}
