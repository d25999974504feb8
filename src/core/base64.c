/*
 * base64.c - plain table base64 coders (see base64.h).
 */
#include <pthread.h>
#include <stdint.h>

#include "core/base64.h"

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

enum { B64_SKIP = 64, B64_BAD = 0xff };

/* Each byte's 6-bit value, B64_SKIP for the blanks, B64_BAD otherwise. */
static uint8_t decode_table[256];

static void fill_table(void)
{
    for (int i = 0; i < 256; i++)
        decode_table[i] = B64_BAD;
    for (int i = 0; i < 64; i++)
        decode_table[(unsigned char)alphabet[i]] = (uint8_t)i;
    decode_table[' '] = decode_table['\t'] = decode_table['\r'] = decode_table['\n'] = B64_SKIP;
}

size_t base64_encode(const void *in, size_t n, char *out)
{
    const unsigned char *p = in;
    char *o = out;
    size_t i = 0;
    for (; i + 3 <= n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
        o[0] = alphabet[v >> 18];
        o[1] = alphabet[(v >> 12) & 63];
        o[2] = alphabet[(v >> 6) & 63];
        o[3] = alphabet[v & 63];
        o += 4;
    }
    if (i < n) {
        uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0);
        o[0] = alphabet[v >> 18];
        o[1] = alphabet[(v >> 12) & 63];
        o[2] = i + 1 < n ? alphabet[(v >> 6) & 63] : '=';
        o[3] = '=';
        o += 4;
    }
    *o = '\0';
    return (size_t)(o - out);
}

bool base64_decode(const char *in, size_t n, unsigned char *out, size_t cap, size_t *outlen)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, fill_table);
    const unsigned char *s = (const unsigned char *)in;
    size_t i = 0, o = 0;
    uint32_t acc = 0;
    unsigned bits = 0;
    *outlen = 0;
    while (i < n) {
        /* Four plain characters at once: the usual case. */
        if (bits == 0 && i + 4 <= n && o + 3 <= cap) {
            uint8_t a = decode_table[s[i]], b = decode_table[s[i + 1]], c = decode_table[s[i + 2]],
                    d = decode_table[s[i + 3]];
            if ((a | b | c | d) < 64) {
                uint32_t v = (uint32_t)a << 18 | (uint32_t)b << 12 | (uint32_t)c << 6 | d;
                out[o] = (unsigned char)(v >> 16);
                out[o + 1] = (unsigned char)(v >> 8);
                out[o + 2] = (unsigned char)v;
                o += 3;
                i += 4;
                continue;
            }
        }
        uint8_t v = decode_table[s[i]];
        if (v == B64_SKIP) {
            i++;
            continue;
        }
        if (v == B64_BAD)
            break;
        acc = acc << 6 | v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (o >= cap)
                return false;
            out[o++] = (unsigned char)(acc >> bits);
        }
        i++;
    }
    /* One character over a group is never whole; the spare bits are 0. */
    if (bits > 4 || (acc & ((1u << bits) - 1)) != 0)
        return false;
    /* The padding: none, or all of it (one '=' per 2 spare bits). */
    if (i < n && s[i] == '=') {
        for (unsigned need = bits / 2; need > 0; need--) {
            while (i < n && decode_table[s[i]] == B64_SKIP)
                i++;
            if (i >= n || s[i] != '=')
                return false;
            i++;
        }
    }
    while (i < n && decode_table[s[i]] == B64_SKIP)
        i++;
    if (i != n)
        return false;
    *outlen = o;
    return true;
}
