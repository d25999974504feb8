/*
 * lending.c - the lending rules, without HTTP or SQL: loan states, when a
 * loan is due and overdue, how many of a type a person may have out, what
 * the worker's QR code says, and which reservation windows are allowed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lending/lending.h"

static const char *const loan_states[] = {"out", "overdue", "returned", "lost", "damaged"};

bool lending_state_is_valid(const char *state)
{
    for (size_t i = 0; state && i < sizeof loan_states / sizeof loan_states[0]; i++)
        if (strcmp(state, loan_states[i]) == 0)
            return true;
    return false;
}

bool lending_is_out(const char *state)
{
    return state && (strcmp(state, "out") == 0 || strcmp(state, "overdue") == 0);
}

bool lending_is_overdue(const struct loan *l, int64_t now)
{
    if (!lending_is_out(l->state))
        return false;
    return strcmp(l->state, "overdue") == 0 || l->due_at <= now;
}

int64_t lending_due_at(int64_t lent_at, int64_t due_hours)
{
    return lent_at + (due_hours > 0 ? due_hours : 1) * 3600;
}

int64_t lending_type_limit(int64_t per_person_max, int64_t global_limit)
{
    if (per_person_max > 0 && per_person_max < global_limit)
        return per_person_max;
    return global_limit;
}

bool lending_code_is_valid(const char *code)
{
    size_t n = code ? strlen(code) : 0;
    if (n == 0 || n > LENDING_CODE_MAX || code[0] < 'a' || code[0] > 'z')
        return false;
    for (size_t i = 1; i < n; i++) {
        char ch = code[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_'))
            return false;
    }
    return true;
}

/* A whole decimal number, nothing else; 0 or -1. */
static int parse_int(const char *s, int64_t *out)
{
    if (!s || !*s || (*s != '-' && (*s < '0' || *s > '9')))
        return -1;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end)
        return -1;
    *out = v;
    return 0;
}

int lending_limit_parse(const char *text, int64_t *out)
{
    if (!text || !*text) {
        *out = LENDING_DEFAULT_LIMIT;
        return 0;
    }
    int64_t v;
    if (parse_int(text, &v) || v < 1 || v > LENDING_MAX_LIMIT)
        return -1;
    *out = v;
    return 0;
}

enum lending_qr lending_qr_user(const char *plain, int64_t now, int64_t *user_id)
{
    if (!plain)
        return LENDING_QR_INVALID;
    const char *colon = strchr(plain, ':');
    if (!colon || colon == plain || colon - plain > 20)
        return LENDING_QR_INVALID;
    char head[24];
    memcpy(head, plain, (size_t)(colon - plain));
    head[colon - plain] = '\0';
    int64_t uid, exp;
    if (parse_int(head, &uid) || parse_int(colon + 1, &exp) || uid <= 0)
        return LENDING_QR_INVALID;
    if (exp <= now)
        return LENDING_QR_EXPIRED;
    *user_id = uid;
    return LENDING_QR_OK;
}

const char *lending_window_fault(int64_t now, int64_t starts_at, int64_t ends_at)
{
    /* A window may have begun a moment ago (the form was filled in), not
     * more than a minute. */
    if (starts_at < now - 60 || starts_at > now + LENDING_RESERVE_AHEAD_S)
        return "starts_at";
    if (ends_at <= starts_at || ends_at <= now || ends_at - starts_at > LENDING_RESERVE_WINDOW_S)
        return "ends_at";
    return NULL;
}
