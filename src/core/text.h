/*
 * text.h - small string checks shared by every module: identifier codes,
 * URLs, phone numbers, and escaping for SQL LIKE patterns.
 */
#ifndef WH_CORE_TEXT_H
#define WH_CORE_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"

/* A code: 1..64 of [A-Za-z0-9_.-], starting with a letter or digit. */
bool text_is_code(const char *s);
/* An absolute http(s) URL without spaces or control characters. */
bool text_is_http_url(const char *s);
/* A phone number: digits, spaces, '+', '-', '(', ')' only, 3..32 bytes. */
bool text_is_phone(const char *s);
/* Well-formed UTF-8 (no overlong forms, surrogates or code points above
 * U+10FFFF), as jansson's json_string() requires; control bytes allowed. */
bool text_is_utf8(const char *s);
/* The length (1..4) of the well-formed UTF-8 sequence p starts with, 0
 * if it starts none (the same rules); p is NUL-terminated. */
size_t text_utf8_seq_len(const unsigned char *p);
/* Well-formed UTF-8 with no control characters (C0 or C1) except tab,
 * newline and carriage return (CSV fields keep CRLF line breaks). */
bool text_is_clean_utf8(const char *s, size_t len);
/* Cut an incomplete UTF-8 sequence off the end of s (left by a
 * truncating snprintf). */
void text_utf8_trim(char *s);
/* "%" + s with %, _ and \ escaped + "%", for LIKE ... ESCAPE '\'. */
char *text_like_contains(struct arena *a, const char *s);

/* strtod(s, end)'s answer (the same double, the same end), without
 * strtod for a plain decimal (sign, at most 15 digits, a point): query
 * numbers like lat=31.23045 are read on every map request. */
double text_strtod(const char *s, char **end);

/* Percent-encode s for a URL query value (RFC 3986 unreserved kept). */
char *text_url_encode(struct arena *a, const char *s);

#endif
