/*
 * json_in.h - reading a JSON request body field by field, answering the
 * client with the one error shape when a field is wrong.
 *
 * Each json_in_* function returns 1 if the field was present and valid
 * (and sets *out), 0 if absent and not required (leaves *out alone), or -1
 * after replying 422 with the field's path (prefix + name). Handlers then
 * return r->status. Strings must be valid UTF-8 (jansson guarantees it) and
 * within the byte bounds given.
 */
#ifndef WH_HTTP_JSON_IN_H
#define WH_HTTP_JSON_IN_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "http/http.h"

/* Maximum nesting depth of any JSON body. */
#define JSON_IN_MAX_DEPTH 16

/* Count the nesting depth of a JSON text without parsing it fully: the
 * greatest number of open brackets outside strings. Cheap guard run before
 * the parser. */
int json_in_depth(const char *text, size_t len);

/* Parse a request body: jansson's json_loadb(text, len, flags, err) with
 * the same result and, on failure, the same error, but a long plain string
 * value (a photo in base64) does not go through jansson's lexer, which
 * costs over a hundred instructions a byte. *depth is set to
 * json_in_depth(text, len); over max_depth nothing is parsed and NULL is
 * returned (err untouched). See json_in.c for how. */
json_t *json_in_load(const char *text, size_t len, size_t flags, int max_depth, int *depth,
                     json_error_t *err);

int json_in_object_or_reply(struct req *r, json_t *v, const char *field);
int json_in_string(struct req *r, json_t *obj, const char *prefix, const char *name, size_t maxlen,
                   bool required, const char **out);
/* Like json_in_string, but null is accepted and gives *out = NULL, *set
 * true: for clearing optional fields in an update. */
int json_in_nullable_string(struct req *r, json_t *obj, const char *prefix, const char *name,
                            size_t maxlen, const char **out);
int json_in_int(struct req *r, json_t *obj, const char *prefix, const char *name, int64_t min,
                int64_t max, bool required, int64_t *out);
int json_in_number(struct req *r, json_t *obj, const char *prefix, const char *name, double min,
                   double max, bool required, double *out);
int json_in_bool(struct req *r, json_t *obj, const char *prefix, const char *name, bool required,
                 bool *out);
/* Refuse members not in allowed (NULL-terminated): 422 unknown_field. */
int json_in_only_or_reply(struct req *r, json_t *obj, const char *prefix,
                          const char *const *allowed);

#endif
