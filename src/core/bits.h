/*
 * bits.h - bit tricks more than one module needs, as inline functions
 * (header only, libc-free: core, geo and hours may all use it).
 */
#ifndef WH_CORE_BITS_H
#define WH_CORE_BITS_H

#include <stdint.h>

/* The number of trailing zero bits of x, which must not be 0: one
 * instruction with GCC or clang, a loop elsewhere. */
static inline unsigned bits_ctz64(uint64_t x)
{
#if defined(__GNUC__) || defined(__clang__)
    return (unsigned)__builtin_ctzll(x);
#else
    unsigned n = 0;

    while (!(x & 1)) {
        x >>= 1;
        n++;
    }
    return n;
#endif
}

#endif
