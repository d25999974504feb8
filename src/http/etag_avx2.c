/*
 * etag_avx2.c - XXH3-128 built for AVX2, for etag.c (see etag.h).
 *
 * The library's XXH3 is built for any x86-64 (SSE2); a map answer of
 * ~7 KB is hashed on every read, and AVX2 does the long-input loop in
 * about half the time. XXH3's result does not depend on how it is
 * vectorised, so the tags are the same bytes either way. This file
 * compiles xxhash.h's inline copy (static, prefixed XXH_INLINE_) with
 * AVX2 enabled for its functions only; etag.c calls it when the CPU
 * has AVX2 (not AVX-512: valgrind, which measures this server, runs
 * AVX2 code but not AVX-512).
 */
#include "http/etag.h"

#if ETAG_HAVE_AVX2
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2"))), apply_to = function)
#else
#pragma GCC target("avx2")
#endif
/* xxhash.h includes <immintrin.h> only when __AVX2__ is defined, which
 * GCC's pragma does and clang's attribute does not. */
#include <immintrin.h>
#define XXH_INLINE_ALL
#define XXH_VECTOR 2 /* XXH_AVX2 */
#include <xxhash.h>

void etag_hash_avx2(const void *data, size_t len, uint64_t *high, uint64_t *low)
{
    XXH128_hash_t h = XXH3_128bits(data, len);
    *high = h.high64;
    *low = h.low64;
}

#if defined(__clang__)
#pragma clang attribute pop
#endif
#endif
