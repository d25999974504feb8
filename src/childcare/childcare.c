/*
 * childcare.c - the rules of summer childcare that need neither HTTP nor
 * SQL: ages, timetable entries, consent versions and the rotating pickup
 * code.
 *
 * The pickup code is TOTP-like: for each time step of
 * CHILDCARE_CODE_STEP_S seconds, a keyed BLAKE2b (libsodium's
 * crypto_generichash) of the guardian, the person (the guardian's own
 * code serves all their children; a pickup person's is for one child) and
 * the step, under a
 * key derived from the server key for this purpose alone, reduced to six
 * digits. Nothing is stored; a code is accepted for its own step and the
 * one after, so it lives two to four minutes.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "childcare/childcare.h"

int childcare_age_on(int32_t birth, int32_t day)
{
    int years = day / 10000 - birth / 10000;
    if (day % 10000 < birth % 10000)
        years--;
    return years;
}

bool childcare_state_holds_places(const char *state)
{
    return state && (strcmp(state, "enrolled") == 0 || strcmp(state, "offered") == 0);
}

bool childcare_activity_is_valid(const char *kind)
{
    static const char *const kinds[] = {"supervision", "homework", "heritage", "lunch",
                                        "rest",        "sport",    "other",    NULL};
    for (size_t i = 0; kind && kinds[i]; i++)
        if (strcmp(kind, kinds[i]) == 0)
            return true;
    return false;
}

int childcare_clock_minutes(const char *s)
{
    if (!s || strlen(s) != 5 || s[2] != ':')
        return -1;
    for (int i = 0; i < 5; i++)
        if (i != 2 && (s[i] < '0' || s[i] > '9'))
            return -1;
    int h = (s[0] - '0') * 10 + (s[1] - '0');
    int m = (s[3] - '0') * 10 + (s[4] - '0');
    if (m > 59 || h > 24 || (h == 24 && m))
        return -1;
    return h * 60 + m;
}

bool childcare_version_is_valid(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n < 1 || n > 32)
        return false;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '.' || ch == '_' || ch == '-'))
            return false;
    }
    return true;
}

/* ---- the pickup code ------------------------------------------------------- */

static void code_for_step(const unsigned char *server_key, int64_t guardian, int64_t child, int who,
                          int64_t step, char *out)
{
    unsigned char key[crypto_generichash_KEYBYTES];
    static const char purpose[] = "warmharbor childcare pickup code";
    crypto_generichash(key, sizeof key, (const unsigned char *)purpose, sizeof purpose - 1,
                       server_key, 32);
    char msg[64];
    int len = snprintf(msg, sizeof msg, "%lld:%lld:%d:%lld", (long long)guardian, (long long)child,
                       who, (long long)step);
    unsigned char h[16];
    crypto_generichash(h, sizeof h, (const unsigned char *)msg, (unsigned long long)len, key,
                       sizeof key);
    sodium_memzero(key, sizeof key);
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | h[i];
    snprintf(out, CHILDCARE_CODE_DIGITS + 1, "%06u", (unsigned)(v % 1000000u));
}

void childcare_pickup_code(const unsigned char *server_key, int64_t guardian, int64_t child,
                           int who, int64_t t, char *out)
{
    code_for_step(server_key, guardian, who ? child : 0, who, t / CHILDCARE_CODE_STEP_S, out);
}

int childcare_pickup_match(const unsigned char *server_key, int64_t guardian, int64_t child,
                           int npeople, const char *code, int64_t now)
{
    if (!code || strlen(code) != CHILDCARE_CODE_DIGITS)
        return -1;
    int found = -1;
    int64_t step = now / CHILDCARE_CODE_STEP_S;
    /* Every candidate is compared, so the time taken says nothing. */
    for (int who = 0; who <= npeople; who++)
        for (int64_t s = step - 1; s <= step; s++) {
            char want[CHILDCARE_CODE_DIGITS + 1];
            code_for_step(server_key, guardian, who ? child : 0, who, s, want);
            if (sodium_memcmp(want, code, CHILDCARE_CODE_DIGITS) == 0 && found < 0)
                found = who;
        }
    return found;
}

int64_t childcare_code_left(int64_t now)
{
    return CHILDCARE_CODE_STEP_S - now % CHILDCARE_CODE_STEP_S;
}
