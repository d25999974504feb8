/*
 * childcare.c - the rules of summer childcare that need neither HTTP nor
 * SQL: ages, timetable entries, consent versions, the rotating pickup
 * code, and the lists read from outside (a programme's timetable, a
 * child's emergency contacts and pickup people).
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
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account/account.h"
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

/* ---- lists read from outside ------------------------------------------------- */

/* v as compact JSON text in the arena; v is released. */
static const char *text_take(struct arena *a, json_t *v)
{
    char *text = json_dumps(v, JSON_COMPACT);
    json_decref(v);
    if (!text)
        abort(); /* out of memory */
    const char *out = arena_strdup(a, text);
    free(text);
    return out;
}

/* A string member of o: its text when it is one within max bytes (and
 * not empty when required), else NULL; absent and optional gives "". */
static const char *member(json_t *o, const char *name, size_t max, bool required)
{
    json_t *v = json_object_get(o, name);
    if (!v)
        return required ? NULL : "";
    if (!json_is_string(v) || json_string_length(v) > max ||
        (required && json_string_length(v) == 0))
        return NULL;
    return json_string_value(v);
}

/* Does o have members other than those named? The first such into *bad. */
static bool has_other(json_t *o, const char *const *names, const char **bad)
{
    const char *key;
    json_t *v;
    json_object_foreach(o, key, v)
    {
        bool known = false;
        for (size_t i = 0; names[i] && !known; i++)
            known = strcmp(key, names[i]) == 0;
        if (!known) {
            *bad = key;
            return true;
        }
    }
    return false;
}

int childcare_timetable_check(struct arena *a, json_t *v, const char **out, const char **field)
{
    static const char *const names[] = {"start", "end", "kind", "title_zh", "title_en", NULL};
    if (!json_is_array(v) || json_array_size(v) < 1 ||
        json_array_size(v) > CHILDCARE_TIMETABLE_MAX) {
        *field = "timetable";
        return -1;
    }
    json_t *clean = json_array();
    int prev_end = 0;
    for (size_t i = 0; i < json_array_size(v); i++) {
        json_t *e = json_array_get(v, i);
        const char *bad = NULL;
        if (!json_is_object(e)) {
            json_decref(clean);
            *field = arena_printf(a, "timetable[%zu]", i);
            return -1;
        }
        const char *start = member(e, "start", 5, true), *end = member(e, "end", 5, true);
        const char *kind = member(e, "kind", 32, true);
        const char *tzh = member(e, "title_zh", CHILDCARE_SHORT_MAX, true);
        const char *ten = member(e, "title_en", CHILDCARE_SHORT_MAX, false);
        int from = childcare_clock_minutes(start), to = childcare_clock_minutes(end);
        if (has_other(e, names, &bad))
            ;
        else if (from < 0 || from < prev_end)
            bad = "start";
        else if (to < 0 || to <= from)
            bad = "end";
        else if (!childcare_activity_is_valid(kind))
            bad = "kind";
        else if (!tzh)
            bad = "title_zh";
        else if (!ten)
            bad = "title_en";
        if (bad) {
            json_decref(clean);
            *field = arena_printf(a, "timetable[%zu].%s", i, bad);
            return -1;
        }
        prev_end = to;
        json_array_append_new(clean,
                              json_pack("{s:s, s:s, s:s, s:s, s:s}", "start", start, "end", end,
                                        "kind", kind, "title_zh", tzh, "title_en", ten));
    }
    *out = text_take(a, clean);
    return 0;
}

int childcare_people_check(struct arena *a, json_t *v, const char *name, const char **out,
                           const char **field)
{
    static const char *const names[] = {"name", "phone", "relation", NULL};
    if (!v) {
        *out = "[]";
        return 0;
    }
    if (!json_is_array(v) || json_array_size(v) > CHILDCARE_PEOPLE_MAX) {
        *field = name;
        return -1;
    }
    json_t *clean = json_array();
    for (size_t i = 0; i < json_array_size(v); i++) {
        json_t *e = json_array_get(v, i);
        const char *bad = NULL;
        char norm[12];
        if (!json_is_object(e)) {
            json_decref(clean);
            *field = arena_printf(a, "%s[%zu]", name, i);
            return -1;
        }
        const char *who = member(e, "name", CHILDCARE_NAME_MAX, true);
        const char *phone = member(e, "phone", 32, true);
        const char *relation = member(e, "relation", 50, false);
        if (has_other(e, names, &bad))
            ;
        else if (!who)
            bad = "name";
        else if (!phone || account_phone_normalize(phone, norm))
            bad = "phone";
        else if (!relation)
            bad = "relation";
        if (bad) {
            json_decref(clean);
            *field = arena_printf(a, "%s[%zu].%s", name, i, bad);
            return -1;
        }
        json_array_append_new(
            clean, json_pack("{s:s, s:s, s:s}", "name", who, "phone", norm, "relation", relation));
    }
    *out = text_take(a, clean);
    return 0;
}
