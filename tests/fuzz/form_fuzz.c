/*
 * form_fuzz.c - libFuzzer target for the application/x-www-form-urlencoded
 * decoder (src/http/form.c), which reads every BODY_FORM body (Open311's
 * POST requests) before any handler sees it. Promises checked:
 *  - a refusal is one of the documented results, leaves the form empty
 *    and names a field index below FORM_MAX_FIELDS + 1;
 *  - an acceptance has at most FORM_MAX_FIELDS fields, every name and
 *    value is UTF-8 without control characters (names without tab, CR or
 *    LF either), names are at most FORM_MAX_NAME bytes;
 *  - encoding the fields again and decoding that gives the same fields
 *    in the same order (nothing lost, nothing added);
 *  - form_get finds the first field of a name and form_count counts them.
 *
 *   make fuzz-smoke FUZZ_SECONDS=60    (seeds in tests/fuzz/corpus/form)
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "core/text.h"
#include "http/form.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fz_check(bool ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "form_fuzz: invariant broken: %s\n", what);
        abort();
    }
}

/* Every byte but the unreserved ones as %XX (a space as '+'). */
static void encode(struct strbuf *sb, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '.' || *p == '_' || *p == '~') {
            strbuf_addch(sb, (char)*p);
        } else if (*p == ' ') {
            strbuf_addch(sb, '+');
        } else {
            strbuf_addch(sb, '%');
            strbuf_addch(sb, hex[*p >> 4]);
            strbuf_addch(sb, hex[*p & 15]);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct arena a;
    arena_init(&a);
    struct http_form f;
    size_t at = (size_t)-1;
    int rc = form_decode(&a, (const char *)data, size, &f, &at);
    if (rc) {
        fz_check(rc == FORM_BAD_ESCAPE || rc == FORM_BAD_TEXT || rc == FORM_TOO_MANY ||
                     rc == FORM_NAME_TOO_LONG,
                 "an undocumented result");
        fz_check(f.n == 0, "a refusal left fields");
        fz_check(at <= FORM_MAX_FIELDS, "a refusal names no field");
        fz_check(strcmp(form_result_text(rc), "not a form") != 0, "a result without words");
        arena_release(&a);
        return 0;
    }
    fz_check(f.n <= FORM_MAX_FIELDS, "too many fields accepted");
    struct strbuf sb = STRBUF_INIT;
    for (size_t i = 0; i < f.n; i++) {
        const char *name = f.fields[i].name, *value = f.fields[i].value;
        size_t nl = strlen(name);
        fz_check(nl <= FORM_MAX_NAME, "an overlong name accepted");
        fz_check(text_is_clean_utf8(name, nl) && !strpbrk(name, "\t\r\n"), "a dirty name");
        fz_check(text_is_clean_utf8(value, strlen(value)), "a dirty value");
        fz_check(form_count(&f, name) >= 1, "form_count misses a field");
        size_t first = 0;
        while (strcmp(f.fields[first].name, name) != 0)
            first++;
        fz_check(form_get(&f, name) == f.fields[first].value, "form_get is not the first");
        if (i)
            strbuf_addch(&sb, '&');
        encode(&sb, name);
        strbuf_addch(&sb, '=');
        encode(&sb, value);
    }
    struct http_form g;
    rc = form_decode(&a, sb.buf ? sb.buf : "", sb.len, &g, NULL);
    fz_check(rc == FORM_OK, "the encoded fields do not decode");
    /* An empty name with an empty value encodes as "=", which decodes to
     * the same field; nothing else is lost or added. */
    fz_check(g.n == f.n, "the round trip changed the number of fields");
    for (size_t i = 0; i < f.n; i++)
        fz_check(strcmp(g.fields[i].name, f.fields[i].name) == 0 &&
                     strcmp(g.fields[i].value, f.fields[i].value) == 0,
                 "the round trip changed a field");
    strbuf_release(&sb);
    arena_release(&a);
    return 0;
}
