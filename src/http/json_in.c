/*
 * json_in.c - field readers for JSON request bodies (see json_in.h).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/json_in.h"

int json_in_depth(const char *text, size_t len)
{
    int depth = 0, max = 0;
    bool in_string = false;
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        if (in_string) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_string = false;
            continue;
        }
        if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > max)
                max = depth;
        } else if (c == ']' || c == '}') {
            depth--;
        }
    }
    return max;
}

/* ---- parsing with long strings lifted out ------------------------------ */

/* A string value at least this long, of printable ASCII with no escape,
 * is lifted: jansson parses a placeholder in its place ("\u0000" and the
 * string's number: no string of the body can hold a NUL, as the body has
 * no "\u0000" at all or nothing is lifted), and the placeholder is then
 * swapped for a string made from the original bytes in one copy. The
 * lifted text differs from the body only inside strings that are valid as
 * they are, so jansson accepts the one exactly when it accepts the other;
 * when it refuses, the body itself is parsed again for the very error. */
#define LIFT_MIN 1024

struct lifted {
    const char **at;
    size_t *len;
    size_t n, cap;
};

/* The first byte in [p, end) that ends a plain string or makes it not
 * plain: '"', '\\', a control character or a byte over 0x7e. */
static const char *plain_end(const char *p, const char *end)
{
    /* Eight bytes at a time while none of them is such a byte. In each
     * byte lane of the word, on its low seven bits x (no sum below leaves
     * its lane), the lane's top bit is set where: the byte is 0x80 or more;
     * x + 0x60 stays under 0x80 (x < 0x20); x + 1 reaches 0x80 (x is 0x7f);
     * x ^ '"' or x ^ '\\' is 0 (y + 0x7f stays under 0x80 only for y 0). */
    const uint64_t ones = 0x0101010101010101u, tops = ones * 0x80;
    while (end - p >= 8) {
        uint64_t v;
        memcpy(&v, p, 8);
        uint64_t x = v & ~tops, q = x ^ (ones * '"'), b = x ^ (ones * '\\');
        uint64_t hit =
            (v | ~(x + ones * 0x60) | (x + ones) | ~(q + ones * 0x7f) | ~(b + ones * 0x7f)) & tops;
        if (hit)
            break; /* the stop is one of these eight: found below */
        p += 8;
    }
    while (p < end) {
        unsigned char c = (unsigned char)*p;
        if (c == '"' || c == '\\' || c < 0x20 || c > 0x7e)
            return p;
        p++;
    }
    return end;
}

static bool followed_by_colon(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    return p < end && *p == ':';
}

/* Copy text into out with the long plain string values lifted; the
 * nesting depth as json_in_depth counts it. Returns the copy's length. */
static size_t lift_strings(const char *text, size_t len, char *out, struct lifted *l, int *depth)
{
    const char *p = text, *end = text + len;
    char *o = out;
    int d = 0, max = 0;
    while (p < end) {
        char c = *p;
        if (c != '"') {
            if (c == '[' || c == '{') {
                if (++d > max)
                    max = d;
            } else if (c == ']' || c == '}') {
                d--;
            }
            *o++ = c;
            p++;
            continue;
        }
        const char *s = p + 1, *q = plain_end(s, end);
        if (q < end && *q == '"' && (size_t)(q - s) >= LIFT_MIN && !followed_by_colon(q + 1, end)) {
            if (l->n == l->cap) {
                l->cap = l->cap ? l->cap * 2 : 4;
                l->at = realloc(l->at, l->cap * sizeof *l->at);
                l->len = realloc(l->len, l->cap * sizeof *l->len);
                if (!l->at || !l->len)
                    abort();
            }
            l->at[l->n] = s;
            l->len[l->n] = (size_t)(q - s);
            o += sprintf(o, "\"\\u0000%zu\"", l->n);
            l->n++;
            p = q + 1;
            continue;
        }
        /* Copied as it is, to its closing quote as json_in_depth finds it. */
        *o++ = *p++;
        while (p < end) {
            c = *p;
            *o++ = c;
            p++;
            if (c == '\\' && p < end) {
                *o++ = *p++;
            } else if (c == '"') {
                break;
            }
        }
    }
    *depth = max;
    return (size_t)(o - out);
}

/* Put the lifted strings back in place of their placeholders. */
static json_t *unlift(json_t *v, const struct lifted *l)
{
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        size_t n = json_string_length(v);
        if (n < 2 || s[0] != '\0')
            return v;
        size_t k = strtoul(s + 1, NULL, 10);
        json_t *w = json_stringn_nocheck(l->at[k], l->len[k]);
        if (!w)
            abort();
        json_decref(v);
        return w;
    }
    if (json_is_array(v)) {
        for (size_t i = 0; i < json_array_size(v); i++) {
            json_t *e = json_array_get(v, i), *w = unlift(json_incref(e), l);
            if (w != e)
                json_array_set(v, i, w);
            json_decref(w);
        }
    } else if (json_is_object(v)) {
        void *it = json_object_iter(v);
        while (it) {
            json_t *e = json_object_iter_value(it), *w = unlift(json_incref(e), l);
            if (w != e)
                json_object_iter_set(v, it, w);
            json_decref(w);
            it = json_object_iter_next(v, it);
        }
    }
    return v;
}

json_t *json_in_load(const char *text, size_t len, size_t flags, int max_depth, int *depth,
                     json_error_t *err)
{
    if (len < LIFT_MIN || memmem(text, len, "\\u0000", 6)) {
        *depth = json_in_depth(text, len);
        return *depth > max_depth ? NULL : json_loadb(text, len, flags, err);
    }
    /* Each lifted string of LIFT_MIN bytes or more leaves a placeholder of
     * far fewer: the copy is never longer than the body. */
    char *copy = malloc(len);
    if (!copy)
        abort();
    struct lifted l = {0};
    size_t n = lift_strings(text, len, copy, &l, depth);
    json_t *root = NULL;
    if (*depth <= max_depth) {
        if (!l.n) {
            root = json_loadb(text, len, flags, err);
        } else {
            root = json_loadb(copy, n, flags | JSON_ALLOW_NUL, err);
            root = root ? unlift(root, &l) : json_loadb(text, len, flags, err);
        }
    }
    free(copy);
    free(l.at);
    free(l.len);
    return root;
}

static const char *field_path(struct req *r, const char *prefix, const char *name)
{
    if (!prefix || !*prefix)
        return name;
    return arena_printf(&r->arena, "%s.%s", prefix, name);
}

static int missing(struct req *r, const char *prefix, const char *name)
{
    const char *path = field_path(r, prefix, name);
    reply_error(r, 422, "missing_field", path, "%s is required", path);
    return -1;
}

int json_in_object_or_reply(struct req *r, json_t *v, const char *field)
{
    if (json_is_object(v))
        return 0;
    reply_error(r, 422, "invalid_field", field, "%s must be an object", field);
    return -1;
}

int json_in_string(struct req *r, json_t *obj, const char *prefix, const char *name, size_t maxlen,
                   bool required, const char **out)
{
    json_t *v = json_object_get(obj, name);
    if (!v || json_is_null(v))
        return required ? missing(r, prefix, name) : 0;
    const char *path = field_path(r, prefix, name);
    if (!json_is_string(v)) {
        reply_error(r, 422, "invalid_field", path, "%s must be a string", path);
        return -1;
    }
    size_t len = json_string_length(v);
    const char *s = json_string_value(v);
    if (memchr(s, '\0', len)) {
        reply_error(r, 422, "invalid_field", path, "%s contains a NUL character", path);
        return -1;
    }
    if (len > maxlen) {
        reply_error(r, 422, "too_long", path, "%s may be at most %zu bytes", path, maxlen);
        return -1;
    }
    if (required && len == 0) {
        reply_error(r, 422, "missing_field", path, "%s must not be empty", path);
        return -1;
    }
    *out = s;
    return 1;
}

int json_in_nullable_string(struct req *r, json_t *obj, const char *prefix, const char *name,
                            size_t maxlen, const char **out)
{
    json_t *v = json_object_get(obj, name);
    if (!v)
        return 0;
    if (json_is_null(v)) {
        *out = NULL;
        return 1;
    }
    return json_in_string(r, obj, prefix, name, maxlen, false, out);
}

int json_in_int(struct req *r, json_t *obj, const char *prefix, const char *name, int64_t min,
                int64_t max, bool required, int64_t *out)
{
    json_t *v = json_object_get(obj, name);
    if (!v || json_is_null(v))
        return required ? missing(r, prefix, name) : 0;
    const char *path = field_path(r, prefix, name);
    if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max) {
        reply_error(r, 422, "invalid_field", path, "%s must be a whole number from %lld to %lld",
                    path, (long long)min, (long long)max);
        return -1;
    }
    *out = json_integer_value(v);
    return 1;
}

int json_in_number(struct req *r, json_t *obj, const char *prefix, const char *name, double min,
                   double max, bool required, double *out)
{
    json_t *v = json_object_get(obj, name);
    if (!v || json_is_null(v))
        return required ? missing(r, prefix, name) : 0;
    const char *path = field_path(r, prefix, name);
    double d = json_is_number(v) ? json_number_value(v) : NAN;
    if (!isfinite(d) || d < min || d > max) {
        reply_error(r, 422, "invalid_field", path, "%s must be a number from %g to %g", path, min,
                    max);
        return -1;
    }
    *out = d;
    return 1;
}

int json_in_bool(struct req *r, json_t *obj, const char *prefix, const char *name, bool required,
                 bool *out)
{
    json_t *v = json_object_get(obj, name);
    if (!v || json_is_null(v))
        return required ? missing(r, prefix, name) : 0;
    if (!json_is_boolean(v)) {
        const char *path = field_path(r, prefix, name);
        reply_error(r, 422, "invalid_field", path, "%s must be true or false", path);
        return -1;
    }
    *out = json_is_true(v);
    return 1;
}

int json_in_only_or_reply(struct req *r, json_t *obj, const char *prefix,
                          const char *const *allowed)
{
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v)
    {
        bool ok = false;
        for (const char *const *a = allowed; *a && !ok; a++)
            ok = strcmp(*a, key) == 0;
        if (!ok) {
            const char *path = field_path(r, prefix, key);
            reply_error(r, 422, "unknown_field", path, "%s is not a known field", path);
            return -1;
        }
    }
    return 0;
}
