/*
 * etag.h - entity tags for read answers.
 *
 * Every GET answered 200 with a body gets an ETag, a strong validator
 * made from a hash of the bytes (XXH3, 128 bits: collisions between two
 * answers of one URL are not a concern, and it costs a fraction of a
 * microsecond for a map answer). A request whose If-None-Match names
 * that tag is answered 304 with no body: a phone polling the map pays
 * for the bytes only when they change.
 */
#ifndef WH_HTTP_ETAG_H
#define WH_HTTP_ETAG_H

#include <stdbool.h>
#include <stddef.h>

/* A quoted tag and its NUL: "\"" + 32 hex digits + "\"". */
#define ETAG_TEXT 35

/* The tag of these bytes, written to out (ETAG_TEXT bytes). */
void etag_of(const void *data, size_t len, char out[ETAG_TEXT]);

/* Whether an If-None-Match header value matches etag (a quoted tag):
 * "*", or a comma-separated list of entity tags, weak (W/"...") or
 * strong, compared weakly as RFC 9110 says for If-None-Match. A value
 * that is not such a list matches nothing. */
bool etag_none_match(const char *if_none_match, const char *etag);

#endif
