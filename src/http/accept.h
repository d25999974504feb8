/*
 * accept.h - content codings a client accepts (the Accept-Encoding
 * header), for the web app's pre-compressed files.
 */
#ifndef WH_HTTP_ACCEPT_H
#define WH_HTTP_ACCEPT_H

#include <stdbool.h>

/* Whether the Accept-Encoding value names coding ("br", "gzip") with a
 * quality above zero, or names "*" with one and not coding itself with
 * q=0. Names compare without case; where a coding is named twice, the
 * last naming counts; a malformed element is skipped, never taken for a
 * yes. NULL (no header): false, the identity is sent. */
bool http_accepts_coding(const char *accept_encoding, const char *coding);

#endif
