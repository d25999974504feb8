/*
 * account_totp.c - the second factor for staff and admins: time-based
 * one-time passwords (RFC 6238) and one-time recovery codes.
 *
 * Codes are computed by liboath (OATH Toolkit): a well-kept library made
 * for exactly this, in Debian as liboath-dev. libsodium, used for the
 * rest of the crypto here, has HMAC-SHA256/512 but no HMAC-SHA1, and
 * authenticator apps (Google Authenticator, Microsoft Authenticator,
 * WeChat/Alipay mini-programs, FreeOTP) assume SHA-1, 6 digits and 30 s
 * unless told otherwise; RFC 6238 allows SHA-1. Randomness (secrets,
 * recovery codes) still comes from libsodium.
 */
#include <liboath/oath.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account/account.h"

#define SECRET_BYTES 20 /* 160 bits, RFC 4226 section 4 */
#define TOTP_ISSUER "Warmharbor"

int account_totp_init(void)
{
    return oath_init() == OATH_OK ? 0 : -1;
}

const char *account_totp_secret_new(struct arena *a)
{
    unsigned char raw[SECRET_BYTES];
    randombytes_buf(raw, sizeof raw);
    char *b32 = NULL;
    size_t len = 0;
    int rc = oath_base32_encode((const char *)raw, sizeof raw, &b32, &len);
    sodium_memzero(raw, sizeof raw);
    if (rc != OATH_OK || !b32)
        die_oom();
    /* 20 bytes are 32 base32 characters: no padding to drop. */
    const char *out = arena_strndup(a, b32, len);
    sodium_memzero(b32, len);
    free(b32);
    return out;
}

int account_totp_code(const char *secret_b32, int64_t t, char out[ACCOUNT_TOTP_DIGITS + 1])
{
    char *key = NULL;
    size_t keylen = 0;
    if (!secret_b32 || !*secret_b32 ||
        oath_base32_decode(secret_b32, strlen(secret_b32), &key, &keylen) != OATH_OK || !key)
        return -1;
    int rc = oath_totp_generate2(key, keylen, (time_t)t, ACCOUNT_TOTP_PERIOD_S, 0,
                                 ACCOUNT_TOTP_DIGITS, 0 /* HMAC-SHA1 */, out);
    sodium_memzero(key, keylen);
    free(key);
    return rc == OATH_OK ? 0 : -1;
}

int64_t account_totp_match(const char *secret_b32, int64_t now, const char *code)
{
    if (!code || strlen(code) != ACCOUNT_TOTP_DIGITS)
        return -1;
    int64_t found = -1;
    /* Every step of the window is computed and compared, so how long this
     * takes does not say which one matched. */
    for (int d = -ACCOUNT_TOTP_SKEW; d <= ACCOUNT_TOTP_SKEW; d++) {
        int64_t t = now + (int64_t)d * ACCOUNT_TOTP_PERIOD_S;
        char want[ACCOUNT_TOTP_DIGITS + 1];
        if (account_totp_code(secret_b32, t, want))
            return -1;
        if (account_equal(want, code) && found < 0)
            found = t / ACCOUNT_TOTP_PERIOD_S;
    }
    return found;
}

/* Percent-encode for a URI's path or query (RFC 3986 unreserved kept). */
static const char *uri_escape(struct arena *a, const char *s)
{
    size_t n = strlen(s);
    char *out = arena_alloc(a, n * 3 + 1), *o = out;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '.' || *p == '_' || *p == '~') {
            *o++ = (char)*p;
        } else {
            snprintf(o, 4, "%%%02X", *p);
            o += 3;
        }
    }
    *o = '\0';
    return out;
}

const char *account_totp_uri(struct arena *a, const char *secret_b32, const char *label)
{
    return arena_printf(a,
                        "otpauth://totp/%s:%s?secret=%s&issuer=%s&algorithm=SHA1&digits=%d"
                        "&period=%d",
                        TOTP_ISSUER, uri_escape(a, label), secret_b32, TOTP_ISSUER,
                        ACCOUNT_TOTP_DIGITS, ACCOUNT_TOTP_PERIOD_S);
}

/* Lowercase letters and digits without 0/o, 1/l/i: 32 symbols. */
static const char recovery_alphabet[] = "abcdefghjkmnpqrstuvwxyz23456789";

const char *account_recovery_code_new(struct arena *a)
{
    char *out = arena_alloc(a, 15);
    size_t k = 0;
    for (int i = 0; i < 12; i++) {
        if (i && i % 4 == 0)
            out[k++] = '-';
        out[k++] = recovery_alphabet[randombytes_uniform(sizeof recovery_alphabet - 1)];
    }
    out[k] = '\0';
    return out;
}

const char *account_recovery_code_normal(struct arena *a, const char *typed)
{
    if (!typed)
        return NULL;
    char *out = arena_alloc(a, 13);
    size_t k = 0;
    for (const char *p = typed; *p; p++) {
        char ch = *p;
        if (ch == '-' || ch == ' ')
            continue;
        if (ch >= 'A' && ch <= 'Z')
            ch = (char)(ch - 'A' + 'a');
        if (k == 12 || !strchr(recovery_alphabet, ch))
            return NULL;
        out[k++] = ch;
    }
    out[k] = '\0';
    return k == 12 ? out : NULL;
}
