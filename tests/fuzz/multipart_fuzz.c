/*
 * multipart_fuzz.c - libFuzzer target for the multipart/form-data decoder
 * (src/http/multipart.c), which reads every BODY_FORM body sent as
 * multipart (Open311's POST requests with a "media" photo) before any
 * handler sees it. The input's first line is the boundary parameter as a
 * Content-Type would carry it (quoted or not); the rest is the body.
 * Promises checked:
 *  - a boundary is refused or is 1-70 of RFC 2046's characters;
 *  - a refusal is one of the documented results, leaves no fields and no
 *    files, and names a part index no larger than FORM_MAX_FIELDS;
 *  - an acceptance has at most FORM_MAX_FIELDS fields and
 *    MULTIPART_MAX_FILES files; names are clean UTF-8 without tab, CR or
 *    LF and at most FORM_MAX_NAME bytes, values clean UTF-8; no value or
 *    file holds the delimiter;
 *  - writing the fields and files again as multipart with the same
 *    boundary and decoding that gives the same fields and files;
 *  - multipart_file finds the first file of a name.
 *
 *   make fuzz-smoke FUZZ_SECONDS=60    (seeds in tests/fuzz/corpus/multipart)
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "core/text.h"
#include "http/multipart.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fz_check(bool ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "multipart_fuzz: invariant broken: %s\n", what);
        abort();
    }
}

/* A quoted parameter value: '"' and '\' escaped. */
static void quoted(struct strbuf *sb, const char *s)
{
    strbuf_addch(sb, '"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            strbuf_addch(sb, '\\');
        strbuf_addch(sb, *s);
    }
    strbuf_addch(sb, '"');
}

static bool holds(const void *hay, size_t n, const char *needle, size_t nl)
{
    return nl && n >= nl && memmem(hay, n, needle, nl) != NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *nl = memchr(data, '\n', size);
    size_t first = nl ? (size_t)(nl - (const char *)data) : size;
    if (first > 200)
        return 0;
    struct arena a;
    arena_init(&a);
    char *ctype = arena_printf(&a, "multipart/form-data; boundary=%.*s", (int)first, data);
    fz_check(multipart_is_form_data(ctype), "the type is not recognised");
    const char *boundary;
    int rc = multipart_boundary(&a, ctype, &boundary);
    const char *body = nl ? (const char *)data + first + 1 : "";
    size_t blen = nl ? size - first - 1 : 0;
    if (rc) {
        fz_check(rc == MULTIPART_BAD_BOUNDARY && !boundary, "a boundary refusal");
        arena_release(&a);
        return 0;
    }
    size_t bl = strlen(boundary);
    fz_check(bl >= 1 && bl <= MULTIPART_MAX_BOUNDARY && boundary[bl - 1] != ' ',
             "a bad boundary accepted");
    struct http_form f;
    struct http_files files;
    size_t at = (size_t)-1;
    rc = multipart_decode(&a, body, blen, boundary, &f, &files, &at);
    if (rc) {
        fz_check(rc == MULTIPART_MALFORMED || rc == MULTIPART_BAD_HEADER ||
                     rc == MULTIPART_BAD_TEXT || rc == MULTIPART_TOO_MANY ||
                     rc == MULTIPART_NAME_TOO_LONG,
                 "an undocumented result");
        fz_check(f.n == 0 && files.n == 0, "a refusal left parts");
        fz_check(at <= FORM_MAX_FIELDS, "a refusal names no part");
        fz_check(strcmp(multipart_result_text(rc), "not a multipart body") != 0,
                 "a result without words");
        arena_release(&a);
        return 0;
    }
    fz_check(f.n <= FORM_MAX_FIELDS && files.n <= MULTIPART_MAX_FILES, "too many parts");
    char *delim = arena_printf(&a, "\r\n--%s", boundary);
    size_t dl = strlen(delim);
    struct strbuf sb = STRBUF_INIT;
    for (size_t i = 0; i < f.n; i++) {
        const char *name = f.fields[i].name, *value = f.fields[i].value;
        size_t nlen = strlen(name);
        fz_check(nlen <= FORM_MAX_NAME, "an overlong name accepted");
        fz_check(text_is_clean_utf8(name, nlen) && !strpbrk(name, "\t\r\n"), "a dirty name");
        fz_check(text_is_clean_utf8(value, strlen(value)), "a dirty value");
        fz_check(!holds(value, strlen(value), delim, dl), "a value holds the delimiter");
        strbuf_addf(&sb, "--%s\r\nContent-Disposition: form-data; name=", boundary);
        quoted(&sb, name);
        strbuf_adds(&sb, "\r\n\r\n");
        strbuf_adds(&sb, value);
        strbuf_adds(&sb, "\r\n");
    }
    for (size_t i = 0; i < files.n; i++) {
        const struct http_file *x = &files.files[i];
        fz_check(strlen(x->name) <= FORM_MAX_NAME && !strpbrk(x->name, "\t\r\n"), "a file's name");
        fz_check(strlen(x->filename) <= MULTIPART_MAX_FILENAME &&
                     text_is_clean_utf8(x->filename, strlen(x->filename)) &&
                     !strpbrk(x->filename, "\t\r\n"),
                 "a dirty file name");
        fz_check(*x->filename || x->len, "an empty unnamed file kept");
        fz_check(!holds(x->data, x->len, delim, dl), "a file holds the delimiter");
        fz_check(x->len <= blen, "a file longer than the body");
        const struct http_file *y = multipart_file(&files, x->name);
        fz_check(y && y <= x && strcmp(y->name, x->name) == 0, "multipart_file is not the first");
        strbuf_addf(&sb, "--%s\r\nContent-Disposition: form-data; name=", boundary);
        quoted(&sb, x->name);
        strbuf_adds(&sb, "; filename=");
        quoted(&sb, x->filename);
        if (*x->content_type)
            strbuf_addf(&sb, "\r\nContent-Type: %s", x->content_type);
        strbuf_adds(&sb, "\r\n\r\n");
        strbuf_add(&sb, x->data, x->len);
        strbuf_adds(&sb, "\r\n");
    }
    strbuf_addf(&sb, "--%s--\r\n", boundary);
    struct http_form g;
    struct http_files gf;
    rc = multipart_decode(&a, sb.buf, sb.len, boundary, &g, &gf, NULL);
    fz_check(rc == MULTIPART_OK, "the parts written again do not decode");
    /* Fields were written first, then files: compare each kind in order. */
    fz_check(g.n == f.n && gf.n == files.n, "the round trip changed the number of parts");
    for (size_t i = 0; i < f.n; i++)
        fz_check(strcmp(g.fields[i].name, f.fields[i].name) == 0 &&
                     strcmp(g.fields[i].value, f.fields[i].value) == 0,
                 "the round trip changed a field");
    for (size_t i = 0; i < files.n; i++)
        fz_check(strcmp(gf.files[i].name, files.files[i].name) == 0 &&
                     strcmp(gf.files[i].filename, files.files[i].filename) == 0 &&
                     strcmp(gf.files[i].content_type, files.files[i].content_type) == 0 &&
                     gf.files[i].len == files.files[i].len &&
                     memcmp(gf.files[i].data, files.files[i].data, files.files[i].len) == 0,
                 "the round trip changed a file");
    strbuf_release(&sb);
    arena_release(&a);
    return 0;
}
