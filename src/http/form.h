/*
 * form.h - application/x-www-form-urlencoded bodies: what an HTML form
 * and Open311 clients (FixMyStreet among them) POST. Fields are
 * name=value pairs joined by '&'; '+' stands for a space and %XX for a
 * byte, in names and values alike.
 *
 * The server decodes the body of a BODY_FORM route before the handler
 * runs (r->form; a body it cannot decode is answered 400 invalid_form),
 * so a handler only looks fields up. The decoder is strict where a lax
 * one would hide a broken client or smuggle bytes past later checks: a
 * '%' not followed by two hex digits, a name or value that is not
 * UTF-8 or holds a control character (NUL included, so every field is a
 * C string), too many fields or an overlong name are refused.
 */
#ifndef WH_HTTP_FORM_H
#define WH_HTTP_FORM_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"

#define FORM_MAX_FIELDS 256 /* fields in one body */
#define FORM_MAX_NAME 256   /* bytes of a decoded name */

struct form_field {
    const char *name;  /* decoded, NUL-terminated */
    const char *value; /* decoded, NUL-terminated; "" for "name" or "name=" */
};

/* A decoded body: its fields in the order sent (a name may repeat). */
struct http_form {
    size_t n;
    const struct form_field *fields;
};

enum form_result {
    FORM_OK = 0,
    FORM_BAD_ESCAPE,    /* '%' without two hex digits after it */
    FORM_BAD_TEXT,      /* not UTF-8, or a control character */
    FORM_TOO_MANY,      /* more than FORM_MAX_FIELDS fields */
    FORM_NAME_TOO_LONG, /* a decoded name over FORM_MAX_NAME bytes */
};

/* Decode len bytes of body (need not be NUL-terminated) into *out, every
 * string in the arena. Empty pieces ("a=1&&b=2", a trailing '&') are
 * skipped; a piece without '=' is a name with an empty value. Returns an
 * enum form_result; on an error *out is empty and *at (may be NULL) is
 * the index of the offending field, counted from 0. */
int form_decode(struct arena *a, const char *body, size_t len, struct http_form *out, size_t *at);
/* What a form_decode result means, in English (a static string). */
const char *form_result_text(int rc);

/* A decoded name or value: UTF-8 without control characters (NUL
 * included). Tab, CR and LF may stand in values (a description's lines)
 * but not in names. (The multipart decoder's rule too.) */
bool form_text_ok(const char *s, size_t n, bool is_name);

/* The first value of the field called name, or NULL when there is none. */
const char *form_get(const struct http_form *f, const char *name);
/* How many fields are called name. */
size_t form_count(const struct http_form *f, const char *name);

#endif
