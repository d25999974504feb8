/*
 * reply.c - the reply_* functions of http.h: how every answer, and the
 * one error shape, is put together. No libmicrohttpd here; server.c sends.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "http/http.h"

const char *req_param(const struct req *r, const char *name)
{
    for (int i = 0; i < r->nparams; i++)
        if (strcmp(r->param_names[i], name) == 0)
            return r->param_values[i];
    return NULL;
}

int reply_take(struct req *r, int status, const char *content_type, char *data, size_t len)
{
    free(r->resp_body);
    r->status = status;
    r->content_type = content_type;
    r->resp_body = data;
    r->resp_len = len;
    return status;
}

int reply_bytes(struct req *r, int status, const char *content_type, const void *data, size_t len)
{
    char *copy = malloc(len ? len : 1);
    if (!copy)
        die_oom();
    if (len)
        memcpy(copy, data, len);
    return reply_take(r, status, content_type, copy, len);
}

int reply_empty(struct req *r, int status)
{
    return reply_take(r, status, NULL, NULL, 0);
}

int reply_json(struct req *r, int status, json_t *body)
{
    char *text = json_dumps(body, JSON_COMPACT | JSON_REAL_PRECISION(10));
    json_decref(body);
    if (!text)
        die_oom();
    return reply_take(r, status, "application/json; charset=utf-8", text, strlen(text));
}

int reply_error(struct req *r, int status, const char *code, const char *field, const char *fmt,
                ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    json_t *err = json_pack("{s:s, s:s}", "code", code, "message", msg);
    if (!err) /* msg was not valid UTF-8: keep the code, drop the text */
        err = json_pack("{s:s, s:s}", "code", code, "message", "(unprintable)");
    if (field)
        json_object_set_new(err, "field", json_string(field));
    return reply_json(r, status, json_pack("{s:o}", "error", err));
}

void reply_header(struct req *r, const char *name, const char *value)
{
    for (int i = 0; i < r->nheaders; i++) {
        if (strcmp(r->header_names[i], name) == 0) {
            r->header_values[i] = arena_strdup(&r->arena, value);
            return;
        }
    }
    if (r->nheaders == REQ_MAX_HEADERS)
        return;
    r->header_names[r->nheaders] = arena_strdup(&r->arena, name);
    r->header_values[r->nheaders] = arena_strdup(&r->arena, value);
    r->nheaders++;
}

int req_param_id_or_reply(struct req *r, const char *name, const char *what, int64_t *out)
{
    const char *s = req_param(r, name);
    char *end;
    long long v = s ? strtoll(s, &end, 10) : 0;
    if (!s || !*s || *end || v <= 0 || s[0] == '0')
        return reply_error(r, 404, "not_found", NULL, "no such %s", what), -1;
    *out = v;
    return 0;
}

int req_query_int_or_reply(struct req *r, const char *name, int64_t min, int64_t max, int64_t dflt,
                           int64_t *out)
{
    const char *v = req_query(r, name);
    if (!v) {
        *out = dflt;
        return 0;
    }
    char *end;
    long long n = strtoll(v, &end, 10);
    if (!*v || *end || n < min || n > max) {
        reply_error(r, 400, "invalid_query", name, "%s must be a whole number from %lld to %lld",
                    name, (long long)min, (long long)max);
        return -1;
    }
    *out = n;
    return 0;
}
