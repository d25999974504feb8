/*
 * account.c - the rules of accounts and their cryptography (libsodium):
 * phone numbers, roles, the server key, tokens and their hashes, argon2id
 * passwords, CSRF tokens and one-time codes. No HTTP, no SQL.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "account/account.h"

int account_phone_normalize(const char *in, char out[12])
{
    char digits[32];
    size_t n = 0;
    for (const char *p = in; *p; p++) {
        if (isdigit((unsigned char)*p)) {
            if (n == sizeof digits - 1)
                return -1;
            digits[n++] = *p;
        } else if (*p != ' ' && *p != '-' && !(*p == '+' && p == in)) {
            return -1;
        }
    }
    digits[n] = '\0';
    const char *d = digits;
    if (n == 13 && strncmp(d, "86", 2) == 0) {
        d += 2;
        n -= 2;
    }
    if (n != 11 || d[0] != '1' || d[1] < '3')
        return -1;
    memcpy(out, d, 12);
    return 0;
}

const char *account_phone_mask(struct arena *a, const char *phone)
{
    if (!phone)
        return NULL;
    size_t n = strlen(phone);
    if (n < 7)
        return "****";
    return arena_printf(a, "%.3s****%s", phone, phone + n - 4);
}

const char *account_search_term_masked(struct arena *a, const char *q)
{
    char phone[12];
    if (account_phone_normalize(q, phone) == 0)
        return arena_printf(a, "phone %s", account_phone_mask(a, phone));
    char *out = arena_printf(a, "text %s", q);
    int digits = 0;
    for (char *p = out; *p; p++)
        if (isdigit((unsigned char)*p) && ++digits > 3)
            *p = '*';
    return out;
}

static const char *const occupations[] = {"courier",      "food_delivery",   "ride_hailing",
                                          "truck_driver", "livestream_host", "domestic_worker",
                                          "other"};

bool account_occupation_is_valid(const char *s)
{
    for (size_t i = 0; i < sizeof occupations / sizeof occupations[0]; i++)
        if (strcmp(s, occupations[i]) == 0)
            return true;
    return false;
}

int account_key_load(const char *path, unsigned char key[ACCOUNT_SECRET_BYTES], char *err,
                     size_t errlen)
{
    if (sodium_init() < 0) {
        snprintf(err, errlen, "libsodium could not start");
        return -1;
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT) {
        /* First start: make the key, readable by this user only. */
        randombytes_buf(key, ACCOUNT_SECRET_BYTES);
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0 || write(fd, key, ACCOUNT_SECRET_BYTES) != ACCOUNT_SECRET_BYTES ||
            fsync(fd) != 0) {
            snprintf(err, errlen, "cannot create the key file %s: %s", path, strerror(errno));
            if (fd >= 0)
                close(fd);
            return -1;
        }
        close(fd);
        return 0;
    }
    if (fd < 0) {
        snprintf(err, errlen, "cannot read the key file %s: %s", path, strerror(errno));
        return -1;
    }
    struct stat st;
    ssize_t got = fstat(fd, &st) == 0 ? read(fd, key, ACCOUNT_SECRET_BYTES) : -1;
    close(fd);
    if (got != ACCOUNT_SECRET_BYTES) {
        snprintf(err, errlen, "the key file %s must hold %d bytes", path, ACCOUNT_SECRET_BYTES);
        return -1;
    }
    if (st.st_mode & 077) {
        snprintf(err, errlen, "the key file %s must not be readable by others (chmod 600)", path);
        return -1;
    }
    return 0;
}

const char *account_token_new(struct arena *a)
{
    unsigned char raw[ACCOUNT_TOKEN_BYTES];
    randombytes_buf(raw, sizeof raw);
    size_t cap = sodium_base64_ENCODED_LEN(sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    char *out = arena_alloc(a, cap);
    sodium_bin2base64(out, cap, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
    return out;
}

const char *account_token_hash(struct arena *a, const unsigned char *key, const char *token)
{
    unsigned char h[32];
    crypto_generichash(h, sizeof h, (const unsigned char *)token, strlen(token), key,
                       ACCOUNT_SECRET_BYTES);
    char *hex = arena_alloc(a, sizeof h * 2 + 1);
    sodium_bin2hex(hex, sizeof h * 2 + 1, h, sizeof h);
    return hex;
}

const char *account_password_hash(struct arena *a, const char *password)
{
    char out[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return NULL;
    return arena_strdup(a, out);
}

/* An argon2id hash of a random password nobody knows, made with the same
 * cost as account_password_hash: checking against it takes as long as a
 * real check, so the time of an answer does not tell whether the phone is
 * registered or has a password. */
static const char dummy_hash[crypto_pwhash_STRBYTES] =
    "$argon2id$v=19$m=65536,t=2,p=1$9fX7Z4U6jvB1oIye1Tmx2g$"
    "U29iAxHvFSP2p/ltL9Em5lmdqMiQIcHuz4B8o4Ew+vE";

bool account_password_ok(const char *hash, const char *password)
{
    if (!hash) {
        volatile int spent = crypto_pwhash_str_verify(dummy_hash, password, strlen(password));
        (void)spent;
        return false;
    }
    return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

const char *account_csrf_token(struct arena *a, const unsigned char *key, int64_t session_id)
{
    char msg[40];
    snprintf(msg, sizeof msg, "csrf:%lld", (long long)session_id);
    return account_token_hash(a, key, msg);
}

/* A subkey per purpose, so a sealed field can never pass for a QR code. */
static void subkey(unsigned char out[crypto_secretbox_KEYBYTES], const unsigned char *key,
                   const char *purpose)
{
    crypto_generichash(out, crypto_secretbox_KEYBYTES, (const unsigned char *)purpose,
                       strlen(purpose), key, ACCOUNT_SECRET_BYTES);
}

const char *account_seal(struct arena *a, const unsigned char *key, const char *purpose,
                         const char *plaintext)
{
    unsigned char k[crypto_secretbox_KEYBYTES];
    subkey(k, key, purpose);
    size_t n = strlen(plaintext);
    size_t total = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + n;
    unsigned char *buf = arena_alloc(a, total);
    randombytes_buf(buf, crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(buf + crypto_secretbox_NONCEBYTES, (const unsigned char *)plaintext, n,
                          buf, k);
    sodium_memzero(k, sizeof k);
    size_t cap = sodium_base64_ENCODED_LEN(total, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    char *out = arena_alloc(a, cap);
    sodium_bin2base64(out, cap, buf, total, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    return out;
}

const char *account_unseal(struct arena *a, const unsigned char *key, const char *purpose,
                           const char *sealed)
{
    size_t len = strlen(sealed), n = 0;
    if (len > 4096)
        return NULL;
    unsigned char *buf = arena_alloc(a, len + 1);
    if (sodium_base642bin(buf, len + 1, sealed, len, NULL, &n, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        n < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)
        return NULL;
    size_t plain = n - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES;
    char *out = arena_alloc(a, plain + 1);
    unsigned char k[crypto_secretbox_KEYBYTES];
    subkey(k, key, purpose);
    int rc = crypto_secretbox_open_easy((unsigned char *)out, buf + crypto_secretbox_NONCEBYTES,
                                        n - crypto_secretbox_NONCEBYTES, buf, k);
    sodium_memzero(k, sizeof k);
    if (rc != 0 || memchr(out, '\0', plain))
        return NULL;
    out[plain] = '\0';
    return out;
}

const char *account_otp_new(struct arena *a)
{
    return arena_printf(a, "%06u", randombytes_uniform(1000000));
}

bool account_equal(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la != lb)
        return false;
    return sodium_memcmp(a, b, la) == 0;
}
