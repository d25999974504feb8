/*
 * form.c - the application/x-www-form-urlencoded decoder declared in
 * form.h: split on '&', then on the first '=', then turn '+' into a space
 * and %XX into its byte, and check what came out.
 */
#include <string.h>

#include "core/text.h"
#include "http/form.h"

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decode the n bytes at s into a new NUL-terminated string in the arena,
 * with its decoded length in *outlen. NULL when an escape is broken. */
static char *unescape(struct arena *a, const char *s, size_t n, size_t *outlen)
{
    char *out = arena_alloc(a, n + 1);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '+') {
            c = ' ';
        } else if (c == '%') {
            if (n - i < 3)
                return NULL;
            int h = hex_value(s[i + 1]), l = hex_value(s[i + 2]);
            if (h < 0 || l < 0)
                return NULL;
            c = (char)(h << 4 | l);
            i += 2;
        }
        out[k++] = c;
    }
    out[k] = '\0';
    *outlen = k;
    return out;
}

bool form_text_ok(const char *s, size_t n, bool is_name)
{
    if (!text_is_clean_utf8(s, n))
        return false;
    if (is_name)
        for (size_t i = 0; i < n; i++)
            if (s[i] == '\t' || s[i] == '\r' || s[i] == '\n')
                return false;
    return true;
}

int form_decode(struct arena *a, const char *body, size_t len, struct http_form *out, size_t *at)
{
    out->n = 0;
    out->fields = NULL;
    /* Count the pieces first: one array, no growth. */
    size_t pieces = 0;
    for (size_t i = 0; i < len;) {
        const char *amp = memchr(body + i, '&', len - i);
        size_t end = amp ? (size_t)(amp - body) : len;
        pieces += end > i;
        i = end + 1;
    }
    if (pieces > FORM_MAX_FIELDS) {
        if (at)
            *at = FORM_MAX_FIELDS;
        return FORM_TOO_MANY;
    }
    struct form_field *fields = arena_calloc(a, pieces ? pieces : 1, sizeof(*fields));
    size_t n = 0;
    for (size_t i = 0; i < len;) {
        const char *amp = memchr(body + i, '&', len - i);
        size_t end = amp ? (size_t)(amp - body) : len;
        if (end > i) {
            const char *piece = body + i;
            size_t plen = end - i;
            const char *eq = memchr(piece, '=', plen);
            size_t nlen = eq ? (size_t)(eq - piece) : plen;
            size_t name_len, value_len;
            char *name = unescape(a, piece, nlen, &name_len);
            char *value = eq ? unescape(a, eq + 1, plen - nlen - 1, &value_len)
                             : unescape(a, "", 0, &value_len);
            int rc = FORM_OK;
            if (!name || !value)
                rc = FORM_BAD_ESCAPE;
            else if (name_len > FORM_MAX_NAME)
                rc = FORM_NAME_TOO_LONG;
            else if (!form_text_ok(name, name_len, true) || !form_text_ok(value, value_len, false))
                rc = FORM_BAD_TEXT;
            if (rc) {
                if (at)
                    *at = n;
                return rc;
            }
            fields[n].name = name;
            fields[n].value = value;
            n++;
        }
        i = end + 1;
    }
    out->n = n;
    out->fields = fields;
    return FORM_OK;
}

const char *form_result_text(int rc)
{
    switch (rc) {
    case FORM_OK:
        return "ok";
    case FORM_BAD_ESCAPE:
        return "a '%' must be followed by two hex digits";
    case FORM_BAD_TEXT:
        return "names and values must be UTF-8 without control characters";
    case FORM_TOO_MANY:
        return "too many fields";
    case FORM_NAME_TOO_LONG:
        return "a field name is too long";
    }
    return "not a form";
}

const char *form_get(const struct http_form *f, const char *name)
{
    for (size_t i = 0; f && i < f->n; i++)
        if (strcmp(f->fields[i].name, name) == 0)
            return f->fields[i].value;
    return NULL;
}

size_t form_count(const struct http_form *f, const char *name)
{
    size_t k = 0;
    for (size_t i = 0; f && i < f->n; i++)
        k += strcmp(f->fields[i].name, name) == 0;
    return k;
}
