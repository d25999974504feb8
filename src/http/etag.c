/*
 * etag.c - entity tags for read answers; see etag.h.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <xxhash.h>

#include "http/etag.h"

void etag_of(const void *data, size_t len, char out[ETAG_TEXT])
{
    XXH128_hash_t h = XXH3_128bits(data, len);
    snprintf(out, ETAG_TEXT, "\"%016llx%016llx\"", (unsigned long long)h.high64,
             (unsigned long long)h.low64);
}

static const char *skip_space(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

bool etag_none_match(const char *v, const char *etag)
{
    if (!v || !etag)
        return false;
    if (etag[0] == 'W' && etag[1] == '/')
        etag += 2;
    size_t want = strlen(etag);
    const char *p = skip_space(v);
    if (*p == '*')
        return *skip_space(p + 1) == '\0';
    /* The whole value must be a list of entity tags: a broken value
     * matches nothing, even where a tag in it is ours. */
    bool matched = false;
    for (;;) {
        p = skip_space(p);
        if (p[0] == 'W' && p[1] == '/')
            p += 2;
        if (*p != '"')
            return false;
        /* entity-tag = DQUOTE *etagc DQUOTE; etagc excludes DQUOTE. */
        const char *end = strchr(p + 1, '"');
        if (!end)
            return false;
        size_t n = (size_t)(end - p) + 1;
        if (n == want && memcmp(p, etag, n) == 0)
            matched = true;
        p = skip_space(end + 1);
        if (*p == '\0')
            return matched;
        if (*p != ',')
            return false;
        p++;
    }
}
