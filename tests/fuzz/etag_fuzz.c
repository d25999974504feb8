/*
 * etag_fuzz.c - libFuzzer target for If-None-Match matching
 * (src/http/etag.c), which reads a header every client may send on every
 * read. Promises checked:
 *  - it never reads past the value's NUL (ASan) and always answers;
 *  - a value matches a tag only if it is "*" or holds the tag's quoted
 *    text: nothing else can turn an answer into a 304;
 *  - a value that matches still matches with another tag put before it
 *    ("\"other\", " + value), and the tag alone always matches.
 *
 *   make fuzz-smoke FUZZ_SECONDS=60    (seeds in tests/fuzz/corpus/etag)
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/etag.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fz_check(bool ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "etag_fuzz: invariant broken: %s\n", what);
        abort();
    }
}

static bool only_star(const char *v)
{
    while (*v == ' ' || *v == '\t')
        v++;
    if (*v++ != '*')
        return false;
    while (*v == ' ' || *v == '\t')
        v++;
    return *v == '\0';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* The header as the server sees it: a C string. The tag: the first
     * bytes' hash (so some inputs carry it), or a short fixed one. */
    char *v = malloc(size + 1);
    if (!v)
        abort();
    memcpy(v, data, size);
    v[size] = '\0';
    char tag[ETAG_TEXT];
    etag_of(data, size < 4 ? size : 4, tag);
    const char *tags[] = {tag, "\"a\"", "W/\"a\""};
    for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++) {
        const char *t = tags[i];
        const char *quoted = t[0] == 'W' ? t + 2 : t;
        bool m = etag_none_match(v, t);
        fz_check(!m || only_star(v) || strstr(v, quoted), "a match without the tag");
        if (m) {
            char *w = malloc(size + 16);
            if (!w)
                abort();
            snprintf(w, size + 16, "\"other\", %s", v);
            fz_check(only_star(v) || etag_none_match(w, t), "a list lost its match");
            free(w);
        }
        fz_check(etag_none_match(quoted, t), "the tag alone does not match");
    }
    free(v);
    return 0;
}
