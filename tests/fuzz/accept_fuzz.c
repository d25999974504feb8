/*
 * accept_fuzz.c - libFuzzer target for Accept-Encoding (src/http/accept.c),
 * read on every request for the web app's files. Promises checked:
 *  - it never reads past the value's NUL (ASan) and always answers;
 *  - a yes for a coding means the value holds that coding's name (in any
 *    case) or a "*": no value makes us send a coding nobody asked for;
 *  - the value followed by ", coding;q=0" never says yes for coding (a
 *    refusal named last is always heard).
 *
 *   make fuzz-smoke FUZZ_SECONDS=60    (seeds in tests/fuzz/corpus/accept)
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http/accept.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fz_check(bool ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "accept_fuzz: invariant broken: %s\n", what);
        abort();
    }
}

static bool holds(const char *v, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = v; *p; p++)
        if (strncasecmp(p, name, n) == 0)
            return true;
    return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *v = malloc(size + 1);
    char *w = malloc(size + 32);
    if (!v || !w)
        abort();
    memcpy(v, data, size);
    v[size] = '\0';
    static const char *const codings[] = {"br", "gzip"};
    for (size_t i = 0; i < 2; i++) {
        bool yes = http_accepts_coding(v, codings[i]);
        fz_check(!yes || holds(v, codings[i]) || strchr(v, '*'), "a yes nobody asked for");
        snprintf(w, size + 32, "%s, %s;q=0", v, codings[i]);
        fz_check(!http_accepts_coding(w, codings[i]), "a refusal at the end was not heard");
    }
    free(v);
    free(w);
    return 0;
}
