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
#include <stdint.h>

/* A quoted tag and its NUL: "\"" + 32 hex digits + "\"". */
#define ETAG_TEXT 35

/* The tag of these bytes, written to out (ETAG_TEXT bytes). */
void etag_of(const void *data, size_t len, char out[ETAG_TEXT]);

/* etag.c's XXH3-128 built for AVX2 (etag_avx2.c), used by etag_of when
 * the CPU has AVX2; x86-64 with GCC or clang only. */
#if defined(__x86_64__) && defined(__GNUC__)
#define ETAG_HAVE_AVX2 1
void etag_hash_avx2(const void *data, size_t len, uint64_t *high, uint64_t *low);
#else
#define ETAG_HAVE_AVX2 0
#endif

/* Whether an If-None-Match header value matches etag (a quoted tag):
 * "*", or a comma-separated list of entity tags, weak (W/"...") or
 * strong, compared weakly as RFC 9110 says for If-None-Match. A value
 * that is not such a list matches nothing. */
bool etag_none_match(const char *if_none_match, const char *etag);

#endif
