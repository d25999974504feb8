/*
 * etag.c - entity tags for read answers; see etag.h.
 */
#include <stdint.h>
#include <string.h>
#include <xxhash.h>

#include "http/etag.h"

/* 16 lower-case hex digits of v, most significant first (what printf's
 * %016llx writes, at a tenth of its cost on the path of every read). */
static void hex64(uint64_t v, char out[16])
{
    static const char digits[] = "0123456789abcdef";
    for (int i = 15; i >= 0; i--, v >>= 4)
        out[i] = digits[v & 15];
}

void etag_of(const void *data, size_t len, char out[ETAG_TEXT])
{
    uint64_t high, low;
#if ETAG_HAVE_AVX2
    if (__builtin_cpu_supports("avx2")) {
        etag_hash_avx2(data, len, &high, &low);
    } else
#endif
    {
        XXH128_hash_t h = XXH3_128bits(data, len);
        high = h.high64;
        low = h.low64;
    }
    out[0] = '"';
    hex64(high, out + 1);
    hex64(low, out + 17);
    out[33] = '"';
    out[34] = '\0';
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
