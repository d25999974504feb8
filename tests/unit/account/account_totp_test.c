/*
 * account_totp_test.c - the second factor's rules: RFC 6238's own test
 * vectors (Appendix B, the SHA-1 rows; a 6-digit code is the last six
 * digits of the RFC's 8-digit one), the skew window, secrets, the
 * otpauth:// URI, recovery codes.
 */
#include <sodium.h>
#include <stdlib.h>

#include "account/account.h"
#include "test.h"

/* RFC 6238's SHA-1 seed "12345678901234567890" in base32. */
static const char rfc_seed[] = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

static void test_rfc6238_vectors(void)
{
    static const struct {
        int64_t t;
        const char *code8;
    } v[] = {
        {59, "94287082"},         {1111111109, "07081804"}, {1111111111, "14050471"},
        {1234567890, "89005924"}, {2000000000, "69279037"}, {20000000000, "65353130"},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        char code[7];
        CHECK(account_totp_code(rfc_seed, v[i].t, code) == 0);
        CHECK_STR(code, v[i].code8 + 2);
        /* And the same code is accepted at that time, for that step. */
        CHECK_INT(account_totp_match(rfc_seed, v[i].t, v[i].code8 + 2),
                  v[i].t / ACCOUNT_TOTP_PERIOD_S);
    }
    /* Lowercase base32 is the same secret. */
    char code[7];
    CHECK(account_totp_code("gezdgnbvgy3tqojqgezdgnbvgy3tqojq", 59, code) == 0);
    CHECK_STR(code, "287082");
    CHECK(account_totp_code("not base32!", 59, code) == -1);
    CHECK(account_totp_code("", 59, code) == -1);
}

static void test_window(void)
{
    int64_t t = 1111111109; /* step 37037036 */
    char prev[7], next[7], far[7];
    CHECK(account_totp_code(rfc_seed, t - 30, prev) == 0);
    CHECK(account_totp_code(rfc_seed, t + 30, next) == 0);
    CHECK(account_totp_code(rfc_seed, t + 90, far) == 0);
    /* One step of drift either way is accepted, as its own step. */
    CHECK_INT(account_totp_match(rfc_seed, t, prev), t / 30 - 1);
    CHECK_INT(account_totp_match(rfc_seed, t, next), t / 30 + 1);
    CHECK_INT(account_totp_match(rfc_seed, t, far), -1);
    CHECK_INT(account_totp_match(rfc_seed, t, "000000"), -1);
    CHECK_INT(account_totp_match(rfc_seed, t, "08180"), -1);
    CHECK_INT(account_totp_match(rfc_seed, t, "0818040"), -1);
    CHECK_INT(account_totp_match(rfc_seed, t, NULL), -1);
}

static void test_secret_and_uri(void)
{
    struct arena a;
    arena_init(&a);
    const char *s1 = account_totp_secret_new(&a), *s2 = account_totp_secret_new(&a);
    CHECK_INT((long long)strlen(s1), 32);
    CHECK(strcmp(s1, s2) != 0);
    for (const char *p = s1; *p; p++)
        CHECK((*p >= 'A' && *p <= 'Z') || (*p >= '2' && *p <= '7'));
    char code[7];
    CHECK(account_totp_code(s1, 1700000000, code) == 0);
    CHECK_INT(account_totp_match(s1, 1700000000, code), 1700000000 / 30);
    const char *uri = account_totp_uri(&a, "ABCDEFGH", "138****1234 王");
    CHECK_STR(uri, "otpauth://totp/Warmharbor:138%2A%2A%2A%2A1234%20%E7%8E%8B?secret=ABCDEFGH"
                   "&issuer=Warmharbor&algorithm=SHA1&digits=6&period=30");
    arena_release(&a);
}

static void test_recovery_codes(void)
{
    struct arena a;
    arena_init(&a);
    const char *c = account_recovery_code_new(&a);
    CHECK_INT((long long)strlen(c), 14);
    CHECK(c[4] == '-' && c[9] == '-');
    const char *n = account_recovery_code_normal(&a, c);
    CHECK(n != NULL);
    CHECK_INT((long long)strlen(n), 12);
    /* Typed in capitals, with spaces instead of dashes: the same code. */
    char typed[32];
    snprintf(typed, sizeof typed, " %c%c%c%c %c%c%c%c-%c%c%c%c", c[0], c[1], c[2], c[3], c[5], c[6],
             c[7], c[8], c[10], c[11], c[12], c[13]);
    for (char *p = typed; *p; p++)
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 'a' + 'A');
    CHECK_STR(account_recovery_code_normal(&a, typed), n);
    CHECK(account_recovery_code_normal(&a, "abcd-efgh-jkm") == NULL);   /* short */
    CHECK(account_recovery_code_normal(&a, "abcd-efgh-jkmnp") == NULL); /* long */
    CHECK(account_recovery_code_normal(&a, "abcd-efgh-jk0n") == NULL);  /* 0 is no symbol */
    CHECK(account_recovery_code_normal(&a, "123456") == NULL);          /* a TOTP code */
    CHECK(account_recovery_code_normal(&a, NULL) == NULL);
    CHECK(strcmp(account_recovery_code_new(&a), account_recovery_code_new(&a)) != 0);
    arena_release(&a);
}

int main(void)
{
    if (sodium_init() < 0 || account_totp_init())
        return 1;
    RUN(test_rfc6238_vectors);
    RUN(test_window);
    RUN(test_secret_and_uri);
    RUN(test_recovery_codes);
    return test_report("account_totp");
}
