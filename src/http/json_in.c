/*
 * json_in.c - field readers for JSON request bodies (see json_in.h).
 */
#include <math.h>
#include <stdio.h>
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
