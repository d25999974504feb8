/*
 * multipart.h - multipart/form-data bodies (RFC 7578): what a browser's
 * file upload and Open311 clients sending a photo (FixMyStreet's "media")
 * POST. The body is parts between boundary lines ("--" boundary, CRLF);
 * each part has headers (Content-Disposition: form-data; name="x", and
 * for a file filename="y" and a Content-Type), an empty line, then its
 * bytes.
 *
 * The server decodes the body of a BODY_FORM route sent this way before
 * the handler runs: the text parts become r->form as an urlencoded body's
 * fields would (the same rules: UTF-8 without control characters, names
 * without tab, CR or LF, at most FORM_MAX_NAME bytes), the file parts
 * r->files (their bytes untouched, in the arena). Strict where a lax
 * parser would hide a broken client: lines end in CRLF, every part has a
 * form-data disposition with a name, the closing boundary must come, at
 * most FORM_MAX_FIELDS parts and MULTIPART_MAX_FILES files; a
 * Content-Transfer-Encoding other than binary, 8bit or 7bit is refused.
 */
#ifndef WH_HTTP_MULTIPART_H
#define WH_HTTP_MULTIPART_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "http/form.h"

#define MULTIPART_MAX_FILES 3      /* file parts in one body */
#define MULTIPART_MAX_HEADERS 1024 /* bytes of one part's header lines */
#define MULTIPART_MAX_BOUNDARY 70  /* RFC 2046 */
#define MULTIPART_MAX_FILENAME 255 /* bytes of a file name */

struct http_file {
    const char *name;         /* the part's name, NUL-terminated */
    const char *filename;     /* as sent (clean UTF-8), "" when none was given */
    const char *content_type; /* as sent, "" when none */
    const void *data;         /* the part's bytes (arena) */
    size_t len;
};

struct http_files {
    size_t n;
    const struct http_file *files;
};

enum multipart_result {
    MULTIPART_OK = 0,
    MULTIPART_BAD_BOUNDARY,  /* no usable boundary parameter */
    MULTIPART_MALFORMED,     /* no boundary line, a part without its headers, no end */
    MULTIPART_BAD_HEADER,    /* a disposition that is not form-data with a name, an encoding */
    MULTIPART_BAD_TEXT,      /* a field's name or value not clean UTF-8 */
    MULTIPART_TOO_MANY,      /* over FORM_MAX_FIELDS parts or MULTIPART_MAX_FILES files */
    MULTIPART_NAME_TOO_LONG, /* a name over FORM_MAX_NAME bytes */
};

/* Is the Content-Type multipart/form-data (any case, parameters after)? */
bool multipart_is_form_data(const char *ctype);
/* The boundary parameter of a multipart Content-Type, unquoted, into the
 * arena: MULTIPART_OK, or MULTIPART_BAD_BOUNDARY when it is missing,
 * empty, over MULTIPART_MAX_BOUNDARY bytes or holds a byte RFC 2046 does
 * not allow. */
int multipart_boundary(struct arena *a, const char *ctype, const char **boundary);
/* Decode len bytes of body into the text fields and the files, in the
 * order sent, every string in the arena. Returns an enum
 * multipart_result; on an error both are empty and *at (may be NULL) is
 * the index of the offending part, counted from 0. */
int multipart_decode(struct arena *a, const char *body, size_t len, const char *boundary,
                     struct http_form *fields, struct http_files *files, size_t *at);
/* What a result means, in English (a static string). */
const char *multipart_result_text(int rc);
/* The first file part called name, or NULL. */
const struct http_file *multipart_file(const struct http_files *f, const char *name);

#endif
