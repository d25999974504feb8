/*
 * second_factor_fuzz.c - libFuzzer target for what a person types at the
 * second sign-in step and on "me" (src/account/account_totp.c) and for a
 * person's list of platforms (src/platform/platform.c):
 *   - account_recovery_code_normal: NULL, or 12 symbols of the recovery
 *     alphabet; normalising again gives the same; a fresh code normalises;
 *   - account_totp_match: -1, or a step within the window whose code is
 *     exactly what was typed;
 *   - platform_list_split: on success every code is non-empty, has no
 *     comma, appears once, and joined by commas they give the input back.
 * Any broken promise aborts.
 *
 *   make build/fuzz/second_factor_fuzz
 *   cp -r tests/fuzz/corpus/second_factor /tmp/sf_corpus
 *   build/fuzz/second_factor_fuzz -max_total_time=60 /tmp/sf_corpus
 */
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account/account.h"
#include "platform/platform.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_fail(const char *what)
{
    fprintf(stderr, "second factor invariant broken: %s\n", what);
    abort();
}

static const char secret[] = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int started;
    if (!started) {
        if (sodium_init() < 0 || account_totp_init())
            abort();
        started = 1;
    }
    if (size > 1024)
        return 0;
    char *text = malloc(size + 1);
    if (!text)
        abort();
    memcpy(text, data, size);
    text[size] = '\0';
    struct arena a;
    arena_init(&a);

    const char *n = account_recovery_code_normal(&a, text);
    if (n) {
        if (strlen(n) != 12)
            fuzz_fail("a recovery code is not 12 symbols");
        const char *again = account_recovery_code_normal(&a, n);
        if (!again || strcmp(again, n) != 0)
            fuzz_fail("normalising twice changes a recovery code");
    }
    if (!account_recovery_code_normal(&a, account_recovery_code_new(&a)))
        fuzz_fail("a fresh recovery code is refused");

    int64_t now = 1700000000 + (int64_t)(size * 7919 % 100000);
    int64_t step = account_totp_match(secret, now, text);
    if (step >= 0) {
        if (step < now / 30 - ACCOUNT_TOTP_SKEW || step > now / 30 + ACCOUNT_TOTP_SKEW)
            fuzz_fail("a step outside the window");
        char code[ACCOUNT_TOTP_DIGITS + 1];
        if (account_totp_code(secret, step * 30, code) || strcmp(code, text) != 0)
            fuzz_fail("a match is not the step's code");
    }

    const char **codes;
    size_t nc;
    if (platform_list_split(&a, text, &codes, &nc) == 0) {
        size_t len = 0;
        for (size_t i = 0; i < nc; i++) {
            if (!*codes[i] || strchr(codes[i], ','))
                fuzz_fail("an empty code or one with a comma");
            for (size_t j = 0; j < i; j++)
                if (strcmp(codes[i], codes[j]) == 0)
                    fuzz_fail("a code twice");
            len += strlen(codes[i]) + (i ? 1 : 0);
        }
        char *joined = arena_alloc(&a, len + 1);
        for (size_t i = 0; i < nc; i++) {
            if (i)
                strcat(joined, ",");
            strcat(joined, codes[i]);
        }
        if (strcmp(joined, text) != 0)
            fuzz_fail("the codes do not give the list back");
    }
    arena_release(&a);
    free(text);
    return 0;
}
