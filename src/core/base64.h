/*
 * base64.h - the standard base64 alphabet (RFC 4648 section 4), for
 * photos that arrive in JSON and are stored as text.
 *
 * libsodium's coder is written to run in constant time (it is meant for
 * keys); a 1 MB photo took about 100 million instructions to decode with
 * it, a tenth of a report's cost. These are plain table coders for data
 * that is no secret.
 */
#ifndef WH_CORE_BASE64_H
#define WH_CORE_BASE64_H

#include <stdbool.h>
#include <stddef.h>

/* Bytes base64_encode writes for n bytes, the closing NUL included. */
#define BASE64_ENCODED_SIZE(n) (((n) + 2) / 3 * 4 + 1)

/* Encode n bytes as padded base64 into out (BASE64_ENCODED_SIZE(n) bytes),
 * NUL-terminated. Returns the length without the NUL. */
size_t base64_encode(const void *in, size_t n, char *out);

/* Decode base64 text into out (cap bytes). Spaces, tabs, CR and LF are
 * skipped anywhere; the padding is either absent or complete ("=" or
 * "=="), and the bits it leaves over are zero. Exactly what libsodium's
 * sodium_base642bin accepts with the ignore set " \r\n\t" under its
 * ORIGINAL or ORIGINAL_NO_PADDING variant. false for anything else or when
 * cap is too small; *outlen is then 0. */
bool base64_decode(const char *in, size_t n, unsigned char *out, size_t cap, size_t *outlen);

#endif
