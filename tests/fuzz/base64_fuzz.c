/*
 * base64_fuzz.c - libFuzzer target for the base64 coder (src/core/base64.c),
 * which reads every photo a report sends in JSON: outside input. Promises
 * checked:
 *  - decoding never reads past the text or writes past cap (ASan), with
 *    room to spare, exactly enough room, and one byte too little;
 *  - a refusal leaves *outlen at 0; an accepted text decodes to as many
 *    bytes with any cap that holds them, and to none with less;
 *  - an accepted text is canonical once its blanks are dropped and its
 *    padding completed: encoding what it decodes to gives exactly that;
 *  - any bytes encode to text of BASE64_ENCODED_SIZE - 1 characters that
 *    decodes back to them.
 *
 *   make fuzz-smoke FUZZ_SECONDS=60    (seeds in tests/fuzz/corpus/base64)
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base64.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fz_check(bool ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "base64_fuzz: invariant broken: %s\n", what);
        abort();
    }
}

static void *fz_malloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        abort();
    return p;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* the text in a block of its own size, so ASan sees any read past it */
    char *text = fz_malloc(size);
    memcpy(text, data, size);
    size_t room = size / 4 * 3 + 3, got = 99;
    unsigned char *out = fz_malloc(room);
    bool ok = base64_decode(text, size, out, room, &got);
    fz_check(ok || got == 0, "a refusal with bytes out");
    if (ok) {
        fz_check(got <= room, "more bytes than room");
        /* exactly enough room, then one byte too little */
        unsigned char *exact = fz_malloc(got);
        size_t again = 99;
        fz_check(base64_decode(text, size, exact, got, &again) && again == got &&
                     memcmp(exact, out, got) == 0,
                 "exact room decodes otherwise");
        if (got > 0) {
            again = 99;
            fz_check(!base64_decode(text, size, exact, got - 1, &again) && again == 0,
                     "too little room accepted");
        }
        free(exact);
        /* canonical: blanks dropped, padding completed, it is the encoding */
        char *canon = fz_malloc(size + 4);
        size_t n = 0;
        for (size_t i = 0; i < size; i++)
            if (!strchr(" \t\r\n", text[i]) || text[i] == '\0')
                canon[n++] = text[i];
        while (n % 4)
            canon[n++] = '=';
        char *enc = fz_malloc(BASE64_ENCODED_SIZE(got));
        size_t elen = base64_encode(out, got, enc);
        fz_check(elen == n && memcmp(enc, canon, n) == 0, "an accepted text is not canonical");
        free(enc);
        free(canon);
    }
    free(out);
    /* any bytes: encode, decode back */
    char *enc = fz_malloc(BASE64_ENCODED_SIZE(size));
    size_t elen = base64_encode(data, size, enc);
    fz_check(elen == BASE64_ENCODED_SIZE(size) - 1 && enc[elen] == '\0', "encoded length");
    unsigned char *back = fz_malloc(size);
    size_t blen = 99;
    fz_check(base64_decode(enc, elen, back, size, &blen) && blen == size &&
                 memcmp(back, data, size) == 0,
             "the encoding does not decode back");
    free(back);
    free(enc);
    free(text);
    return 0;
}
