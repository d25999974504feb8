/*
 * base64_test.c - unit tests for src/core/base64.c.
 *
 * The coders replace libsodium's on the photo path, so libsodium is the
 * reference: the encoder must write the same text for every length, and
 * the decoder must accept exactly what sodium_base642bin accepts (ignore
 * set " \r\n\t", padded or unpadded variant) and give the same bytes. A
 * table of hand-picked edge cases, then many generated strings mixing
 * alphabet characters, blanks, '=' and strangers. One difference on
 * purpose: a byte of 0x80 or above is refused, where libsodium (reading it
 * through a signed char) decodes it as if it were a letter.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base64.h"
#include "test.h"

/* What libsodium makes of text: true and the bytes, or false. */
static bool sodium_decode(const char *in, size_t n, unsigned char *out, size_t cap, size_t *len)
{
    if (sodium_base642bin(out, cap, in, n, " \r\n\t", len, NULL, sodium_base64_VARIANT_ORIGINAL) ==
        0)
        return true;
    if (sodium_base642bin(out, cap, in, n, " \r\n\t", len, NULL,
                          sodium_base64_VARIANT_ORIGINAL_NO_PADDING) == 0)
        return true;
    return false;
}

static int mismatches;

static void same_as_sodium(const char *in, size_t n)
{
    size_t cap = n / 4 * 3 + 3;
    unsigned char *a = malloc(cap), *b = malloc(cap);
    size_t alen = 0, blen = 0;
    bool ok_a = base64_decode(in, n, a, cap, &alen);
    bool ok_b = sodium_decode(in, n, b, cap, &blen);
    if (ok_a != ok_b || (ok_a && (alen != blen || memcmp(a, b, alen) != 0))) {
        if (mismatches++ < 5)
            fprintf(stderr, "  differs from libsodium (ours %d, sodium %d): \"%.*s\"\n", ok_a, ok_b,
                    (int)n, in);
    }
    CHECK(ok_a == ok_b);
    if (ok_a && ok_b) {
        CHECK_INT(alen, blen);
        CHECK(memcmp(a, b, alen) == 0);
    }
    free(a);
    free(b);
}

static void test_encode_every_length(void)
{
    unsigned char in[300];
    for (size_t i = 0; i < sizeof in; i++)
        in[i] = (unsigned char)(i * 37 + 11);
    for (size_t n = 0; n <= sizeof in; n++) {
        char ours[BASE64_ENCODED_SIZE(300)], theirs[BASE64_ENCODED_SIZE(300)];
        CHECK_INT(BASE64_ENCODED_SIZE(n),
                  sodium_base64_encoded_len(n, sodium_base64_VARIANT_ORIGINAL));
        size_t len = base64_encode(in, n, ours);
        sodium_bin2base64(theirs, sizeof theirs, in, n, sodium_base64_VARIANT_ORIGINAL);
        CHECK_STR(ours, theirs);
        CHECK_INT(len, strlen(theirs));
        /* and back */
        unsigned char back[300];
        size_t blen = 0;
        CHECK(base64_decode(ours, len, back, sizeof back, &blen));
        CHECK_INT(blen, n);
        CHECK(memcmp(back, in, n) == 0);
    }
}

static void test_decode_cases(void)
{
    static const char *const cases[] = {
        "",       "QQ==",    "QQ",         "QQ=",     "QQ===",     "QUI=",      "QUI",
        "QUI==",  "QUJD",    "QUJD=",      "Q",       "Q===",      "QR==",      "QUJ=",
        " QUJD ", "QU JD",   "Q\r\nUJD\t", "QQ= =",   "QQ =\n= ",  "QQ==QQ==",  "QUJD\n",
        "QUJD-",  "QUJD_",   "QU=JD",      "=",       "==",        "   ",       "QUJDRA==",
        "QUJDRA", "QUJDRA=", "QUJDREU=",   "QUJDREU", "QUJDREU==", "QUJD\vREU", "Q\0JD",
        "+/+/",   "////",    "QQ==\n\n",   "QQ==x",   "QUI=\t",    "Q U I =",
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        same_as_sodium(cases[i], strlen(cases[i]));
    same_as_sodium("Q\0JD", 4); /* a NUL inside */

    /* bytes over 0x7f are no base64 (libsodium takes them for letters) */
    unsigned char big[8];
    size_t blen = 7;
    CHECK(!base64_decode("Q\x80QQ", 4, big, sizeof big, &blen));
    CHECK(!base64_decode("QUJD\xc3\xa9", 6, big, sizeof big, &blen));
    CHECK_INT(blen, 0);

    /* too small an output buffer is refused, as by libsodium */
    unsigned char out[2];
    size_t len = 7;
    CHECK(!base64_decode("QUJD", 4, out, sizeof out, &len));
    CHECK_INT(len, 0);
}

/* Strings from a small alphabet that makes the edge cases common. */
static void test_decode_generated(void)
{
    static const char pool[] = "AQgw+/Zz09==== \n\r\t-.\x01";
    unsigned seed = 12345;
    char buf[64];
    for (int k = 0; k < 200000; k++) {
        seed = seed * 1103515245u + 12345u;
        size_t n = (seed >> 16) % 24;
        for (size_t i = 0; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            buf[i] = pool[(seed >> 16) % (sizeof pool - 1)];
        }
        same_as_sodium(buf, n);
    }
    /* long valid text with blanks sprinkled in, as mail wraps it */
    size_t n = 3000;
    unsigned char *bin = malloc(n);
    for (size_t i = 0; i < n; i++)
        bin[i] = (unsigned char)(i * 131 + 7);
    for (size_t cut = n - 3; cut <= n; cut++) {
        char *b64 = malloc(BASE64_ENCODED_SIZE(cut));
        size_t len = base64_encode(bin, cut, b64);
        char *wrapped = malloc(len * 2 + 1);
        size_t w = 0;
        for (size_t i = 0; i < len; i++) {
            wrapped[w++] = b64[i];
            if (i % 76 == 75)
                wrapped[w++] = '\n';
        }
        same_as_sodium(wrapped, w);
        same_as_sodium(b64, len);
        while (len && b64[len - 1] == '=')
            len--;
        same_as_sodium(b64, len);
        free(b64);
        free(wrapped);
    }
    free(bin);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    RUN(test_encode_every_length);
    RUN(test_decode_cases);
    RUN(test_decode_generated);
    return test_report("base64");
}
