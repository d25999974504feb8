/*
 * account_totp_http.c - the second factor (TOTP, RFC 6238) at sign-in and
 * on one's own account:
 *   POST   /api/auth/totp           {challenge, code | recovery_code, bearer?}   the second step
 *   POST   /api/auth/totp/enrol     {challenge}   a system admin without TOTP enrols at sign-in
 *   GET    /api/me/totp             {enabled, pending, recovery_codes_left, required}
 *   POST   /api/me/totp             start enrolment: {secret, uri}
 *   POST   /api/me/totp/confirm     {code}   -> {enabled, recovery_codes (10, shown once)}
 *   POST   /api/me/totp/disable     {code | recovery_code}
 *   POST   /api/me/totp/recovery-codes  {code}   ten new ones; the old ones die
 *   DELETE /api/users/{id}/totp     system admins: reset a person's second factor (audited)
 *
 * Signing in: after a right password (or code), a person with TOTP, and a
 * system admin without it (who must enrol: WARMHARBOR_ADMIN_TOTP=offered
 * lifts that), gets no session but a challenge: the person's id, how they
 * signed in, the kind of step and a nonce, sealed with the server key and
 * good for five minutes. The second step brings it back with a code.
 *
 * Codes are taken once: the newest accepted time step is kept and a code
 * is accepted only for a later one, by one UPDATE whose row count decides
 * (a code seen over a shoulder, or sent twice at once, is refused).
 * Wrong codes are counted per challenge (five, then sign in again) and per
 * person (ten in 15 minutes, then 429). Only someone who passed the first
 * factor holds a challenge, so a stranger cannot spend a real person's
 * tries; and the password lockout stays as it was.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account/account.h"
#include "app/app.h"
#include "core/clock.h"
#include "http/json_in.h"
#include "store/store.h"

#define TOTP_PER_CHALLENGE 5 /* wrong codes on one challenge, then sign in again */
#define TOTP_PER_PERSON 10   /* wrong codes per person per window, then 429 */
#define TOTP_WINDOW_S 900

static bool admin_totp_required(void)
{
    const char *v = getenv("WARMHARBOR_ADMIN_TOTP");
    return !(v && strcmp(v, "offered") == 0);
}

static bool holds_role(struct store_conn *c, struct arena *a, int64_t uid, unsigned role)
{
    struct grant *g;
    size_t n;
    if (grant_list(c, a, uid, &g, NULL, &n) != STORE_OK)
        return false;
    for (size_t i = 0; i < n; i++)
        if (g[i].role & role)
            return true;
    return false;
}

static const char *uid_text(struct req *r, int64_t uid)
{
    return arena_printf(&r->arena, "%lld", (long long)uid);
}

/* ---- the challenge ------------------------------------------------- */

struct challenge {
    long long uid, exp;
    char sign_in[16], kind[16], nonce[64];
};

/* 0, or -1 after replying (401 challenge_expired for anything that is not
 * a live challenge of ours). */
static int challenge_or_reply(struct req *r, struct challenge *ch)
{
    const char *sealed;
    if (json_in_string(r, r->json, NULL, "challenge", 512, true, &sealed) < 0)
        return -1;
    const char *plain = account_unseal(&r->arena, account_key(r->app), "login2", sealed);
    if (!plain ||
        sscanf(plain, "%lld:%lld:%15[a-z]:%15[a-z_]:%63s", &ch->uid, &ch->exp, ch->sign_in,
               ch->kind, ch->nonce) != 5 ||
        ch->exp <= clock_now())
        return reply_error(r, 401, "challenge_expired", "challenge",
                           "sign in again: this step is over or was never started"),
               -1;
    return 0;
}

int account_sign_in_or_challenge(struct req *r, struct store_conn *c, const struct user *u,
                                 const char *sign_in)
{
    struct totp_row t;
    int rc = totp_get(c, &r->arena, u->id, &t);
    if (rc && rc != STORE_NOT_FOUND)
        return reply_store_error(r, rc, "person");
    const char *kind = NULL;
    if (!rc && t.enabled_at)
        kind = "totp";
    else if (strcmp(sign_in, "password") == 0 && admin_totp_required() &&
             holds_role(c, &r->arena, u->id, ROLE_SYSTEM_ADMIN))
        kind = "totp_enrol";
    if (!kind)
        return account_reply_session(r, c, u, sign_in, NULL, NULL, 200);
    /* "bearer" is given again with the second step; checked here too, so
     * a wrong type is said at once. */
    bool bearer;
    if (json_in_bool(r, r->json, NULL, "bearer", false, &bearer) < 0)
        return r->status;
    const char *text = arena_printf(&r->arena, "%lld:%lld:%s:%s:%s", (long long)u->id,
                                    (long long)(clock_now() + ACCOUNT_TOTP_CHALLENGE_S), sign_in,
                                    kind, account_token_new(&r->arena));
    return reply_json(r, 200,
                      json_pack("{s:s, s:s, s:i}", "second_factor", kind, "challenge",
                                account_seal(&r->arena, account_key(r->app), "login2", text),
                                "expires_in", ACCOUNT_TOTP_CHALLENGE_S));
}

/* ---- checking a code or a recovery code ------------------------------ */

/* 429 if the person's wrong codes are spent. */
static int person_limited_or_reply(struct req *r, struct store_conn *c, int64_t uid)
{
    int64_t until =
        limit_locked_until(c, &r->arena, account_limit_key(r, "totp-user", uid_text(r, uid)));
    int64_t now = clock_now();
    if (until <= now)
        return 0;
    reply_header(r, "Retry-After", arena_printf(&r->arena, "%lld", (long long)(until - now)));
    return reply_error(r, 429, "rate_limited", "code",
                       "too many wrong codes; try again in %lld seconds", (long long)(until - now)),
           -1;
}

static void count_wrong(struct req *r, struct store_conn *c, int64_t uid, const char *nonce)
{
    int64_t now = clock_now();
    limit_count_failure(c, account_limit_key(r, "totp-user", uid_text(r, uid)), TOTP_PER_PERSON,
                        TOTP_WINDOW_S, now);
    if (nonce)
        limit_count_failure(c, account_limit_key(r, "totp-challenge", nonce), TOTP_PER_CHALLENGE,
                            ACCOUNT_TOTP_CHALLENGE_S, now);
}

static const char *recovery_hash(struct req *r, int64_t uid, const char *normal)
{
    return account_token_hash(&r->arena, account_key(r->app),
                              arena_printf(&r->arena, "recovery:%lld:%s", (long long)uid, normal));
}

/* Check a TOTP code (or, when allowed, a recovery code) of a person whose
 * second factor is on, and spend it. *used: "totp" or "recovery code".
 * 0, or -1 after replying; wrong ones are counted. */
static int factor_or_reply(struct req *r, struct store_conn *c, int64_t uid,
                           const struct totp_row *t, const char *nonce, const char **used)
{
    const char *code = NULL, *recovery = NULL;
    if (json_in_string(r, r->json, NULL, "code", 16, false, &code) < 0 ||
        json_in_string(r, r->json, NULL, "recovery_code", 32, false, &recovery) < 0)
        return -1;
    if (!code && !recovery)
        return reply_error(r, 422, "missing_field", "code",
                           "send the code from your authenticator app (or a recovery code)"),
               -1;
    if (person_limited_or_reply(r, c, uid))
        return -1;
    int64_t now = clock_now();
    if (code) {
        const char *secret = account_unseal(&r->arena, account_key(r->app), "totp", t->secret_enc);
        int64_t step = secret ? account_totp_match(secret, now, code) : -1;
        if (step < 0) {
            count_wrong(r, c, uid, nonce);
            return reply_error(r, 401, "invalid_code", "code",
                               "the code is wrong; use the one your app shows now"),
                   -1;
        }
        int rc = totp_take_step(c, uid, step);
        if (rc == STORE_CONFLICT) {
            count_wrong(r, c, uid, nonce);
            return reply_error(r, 401, "code_used", "code",
                               "this code was used already; wait for the next one"),
                   -1;
        }
        if (rc)
            return reply_store_error(r, rc, "code"), -1;
        *used = "totp";
    } else {
        const char *normal = account_recovery_code_normal(&r->arena, recovery);
        int rc =
            normal ? recovery_use(c, uid, recovery_hash(r, uid, normal), now) : STORE_NOT_FOUND;
        if (rc == STORE_NOT_FOUND) {
            count_wrong(r, c, uid, nonce);
            return reply_error(r, 401, "invalid_recovery_code", "recovery_code",
                               "this recovery code is wrong or was used already"),
                   -1;
        }
        if (rc)
            return reply_store_error(r, rc, "code"), -1;
        *used = "recovery code";
    }
    limit_clear(c, account_limit_key(r, "totp-user", uid_text(r, uid)));
    return 0;
}

/* Ten new recovery codes: the plain ones (to show once) into codes[],
 * their keyed hashes (to store) into hashes[]. */
static void make_recovery_codes(struct req *r, int64_t uid, const char **codes, const char **hashes)
{
    for (int i = 0; i < ACCOUNT_RECOVERY_CODES; i++) {
        codes[i] = account_recovery_code_new(&r->arena);
        hashes[i] = recovery_hash(r, uid, account_recovery_code_normal(&r->arena, codes[i]));
    }
}

static json_t *codes_json(const char *const *codes)
{
    json_t *arr = json_array();
    for (int i = 0; i < ACCOUNT_RECOVERY_CODES; i++)
        json_array_append_new(arr, json_string(codes[i]));
    return arr;
}

/* One write of the second factor, as a transaction (req_tx: retried when
 * busy, carrying the request's Idempotency-Key). */
struct factor_tx {
    struct req *r;
    int64_t uid, actor, step, now;
    bool enable, remove;
    const char *const *hashes; /* replace the recovery codes, or NULL */
    const char *action, *detail;
};

static int factor_tx_run(struct store_conn *c, void *ctx)
{
    struct factor_tx *x = ctx;
    int rc = STORE_OK;
    if (x->enable)
        rc = totp_enable(c, x->uid, x->step, x->now);
    if (!rc && x->remove)
        rc = totp_remove(c, x->uid);
    if (!rc && x->hashes)
        rc = recovery_replace(c, x->uid, x->hashes, ACCOUNT_RECOVERY_CODES);
    if (!rc)
        rc = audit_add(c, x->actor, x->action, "user", uid_text(x->r, x->uid),
                       req_client_address(x->r), x->detail, x->now);
    return rc;
}

/* Confirm a pending enrolment with a first code: the factor is on, ten
 * recovery codes made, audited, in one transaction. 0 with *codes, or -1
 * after replying. */
static int confirm_or_reply(struct req *r, struct store_conn *c, int64_t uid, const char *nonce,
                            json_t **codes)
{
    const char *code;
    if (json_in_string(r, r->json, NULL, "code", 16, true, &code) < 0)
        return -1;
    struct totp_row t;
    int rc = totp_get(c, &r->arena, uid, &t);
    if (rc == STORE_NOT_FOUND)
        return reply_error(r, 409, "totp_not_started", NULL,
                           "start enrolment first: it gives the secret for your app"),
               -1;
    if (rc)
        return reply_store_error(r, rc, "person"), -1;
    if (t.enabled_at)
        return reply_error(r, 409, "totp_enabled", NULL, "the second factor is on already"), -1;
    if (person_limited_or_reply(r, c, uid))
        return -1;
    const char *secret = account_unseal(&r->arena, account_key(r->app), "totp", t.secret_enc);
    int64_t now = clock_now(), step = secret ? account_totp_match(secret, now, code) : -1;
    if (step < 0) {
        count_wrong(r, c, uid, nonce);
        return reply_error(
                   r, 401, "invalid_code", "code",
                   "the code is wrong; check the app's clock and use the code it shows now"),
               -1;
    }
    const char *plain[ACCOUNT_RECOVERY_CODES], *hashes[ACCOUNT_RECOVERY_CODES];
    make_recovery_codes(r, uid, plain, hashes);
    struct factor_tx x = {.r = r,
                          .uid = uid,
                          .actor = uid,
                          .step = step,
                          .now = now,
                          .enable = true,
                          .hashes = hashes,
                          .action = "enable_totp",
                          .detail = ""};
    rc = req_tx(r, c, factor_tx_run, &x);
    if (rc == STORE_CONFLICT)
        return reply_error(r, 409, "totp_enabled", NULL, "the second factor is on already"), -1;
    if (rc)
        return reply_store_error(r, rc, "person"), -1;
    limit_clear(c, account_limit_key(r, "totp-user", uid_text(r, uid)));
    *codes = codes_json(plain);
    return 0;
}

/* ---- sign-in's second step ------------------------------------------ */

static const char *const totp_fields[] = {"challenge", "code", "recovery_code", "bearer", NULL};

int account_post_auth_totp(struct req *r)
{
    struct challenge ch;
    if (json_in_only_or_reply(r, r->json, NULL, totp_fields) || challenge_or_reply(r, &ch))
        return r->status;
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    /* A challenge that took its wrong codes is over. */
    if (limit_locked_until(c, &r->arena, account_limit_key(r, "totp-challenge", ch.nonce)) >
        clock_now())
        return reply_error(r, 401, "challenge_expired", "challenge",
                           "too many wrong codes: sign in again");
    struct user u;
    struct totp_row t;
    int rc = user_get(c, &r->arena, ch.uid, &u);
    if (!rc)
        rc = totp_get(c, &r->arena, ch.uid, &t);
    if (rc == STORE_NOT_FOUND && strcmp(ch.kind, "totp_enrol") == 0)
        return reply_error(r, 409, "totp_not_started", NULL,
                           "start enrolment first (POST /api/auth/totp/enrol)");
    if (rc == STORE_NOT_FOUND || (!t.enabled_at && strcmp(ch.kind, "totp") == 0))
        return reply_error(r, 401, "challenge_expired", "challenge", "sign in again");
    if (rc)
        return reply_store_error(r, rc, "person");
    if (t.enabled_at) {
        const char *used;
        if (factor_or_reply(r, c, u.id, &t, ch.nonce, &used))
            return r->status;
        json_t *extra = NULL;
        if (strcmp(used, "recovery code") == 0)
            extra = json_pack("{s:I}", "recovery_codes_left",
                              (json_int_t)recovery_left(c, &r->arena, u.id));
        return account_reply_session(r, c, &u, ch.sign_in, used, extra, 200);
    }
    /* Enrolling at sign-in: the first code confirms it. */
    json_t *codes;
    if (confirm_or_reply(r, c, u.id, ch.nonce, &codes))
        return r->status;
    return account_reply_session(r, c, &u, ch.sign_in, "totp",
                                 json_pack("{s:o}", "recovery_codes", codes), 200);
}

static const char *const enrol_fields[] = {"challenge", NULL};

static int reply_new_secret(struct req *r, struct store_conn *c, const struct user *u)
{
    const char *secret = account_totp_secret_new(&r->arena);
    int rc = totp_begin(c, u->id, account_seal(&r->arena, account_key(r->app), "totp", secret),
                        clock_now());
    if (rc == STORE_CONFLICT)
        return reply_error(r, 409, "totp_enabled", NULL,
                           "the second factor is on already; turn it off first");
    if (rc)
        return reply_store_error(r, rc, "person");
    const char *label = u->phone ? account_phone_mask(&r->arena, u->phone) : uid_text(r, u->id);
    r->answer_secret = true;
    return reply_json(r, 201,
                      json_pack("{s:s, s:s, s:i, s:i, s:s}", "secret", secret, "uri",
                                account_totp_uri(&r->arena, secret, label), "digits",
                                ACCOUNT_TOTP_DIGITS, "period", ACCOUNT_TOTP_PERIOD_S, "algorithm",
                                "SHA1"));
}

int account_post_auth_totp_enrol(struct req *r)
{
    struct challenge ch;
    if (json_in_only_or_reply(r, r->json, NULL, enrol_fields) || challenge_or_reply(r, &ch))
        return r->status;
    if (strcmp(ch.kind, "totp_enrol") != 0)
        return reply_error(r, 409, "totp_enabled", NULL,
                           "the second factor is on already; send its code");
    struct store_conn *c = req_store_or_reply(r);
    struct user u;
    if (!c)
        return r->status;
    int rc = user_get(c, &r->arena, ch.uid, &u);
    if (rc)
        return reply_store_error(r, rc, "person");
    return reply_new_secret(r, c, &u);
}

/* ---- one's own second factor ------------------------------------------ */

int account_get_my_totp(struct req *r)
{
    const struct principal *p = req_principal(r);
    struct store_conn *c = req_store_or_reply(r);
    struct totp_row t;
    if (!c)
        return r->status;
    int rc = totp_get(c, &r->arena, p->user_id, &t);
    if (rc && rc != STORE_NOT_FOUND)
        return reply_store_error(r, rc, "person");
    bool enabled = !rc && t.enabled_at;
    return reply_json(r, 200,
                      json_pack("{s:b, s:b, s:I, s:b}", "enabled", enabled, "pending",
                                !rc && !t.enabled_at, "recovery_codes_left",
                                (json_int_t)(enabled ? recovery_left(c, &r->arena, p->user_id) : 0),
                                "required",
                                admin_totp_required() && (p->roles & ROLE_SYSTEM_ADMIN)));
}

int account_post_my_totp(struct req *r)
{
    struct user u;
    struct store_conn *c = account_me_or_reply(r, &u);
    return c ? reply_new_secret(r, c, &u) : r->status;
}

static const char *const confirm_fields[] = {"code", NULL};

int account_post_my_totp_confirm(struct req *r)
{
    const struct principal *p = req_principal(r);
    if (json_in_only_or_reply(r, r->json, NULL, confirm_fields))
        return r->status;
    struct store_conn *c = req_store_or_reply(r);
    json_t *codes;
    r->answer_secret = true;
    if (!c || confirm_or_reply(r, c, p->user_id, NULL, &codes))
        return r->status;
    return reply_json(r, 200, json_pack("{s:b, s:o}", "enabled", 1, "recovery_codes", codes));
}

static const char *const factor_fields[] = {"code", "recovery_code", NULL};

/* The person's enabled factor, or -1 after replying 409 totp_not_enabled. */
static int enabled_or_reply(struct req *r, struct store_conn *c, int64_t uid, struct totp_row *t)
{
    int rc = totp_get(c, &r->arena, uid, t);
    if (rc == STORE_NOT_FOUND || (!rc && !t->enabled_at))
        return reply_error(r, 409, "totp_not_enabled", NULL, "the second factor is not on"), -1;
    if (rc)
        return reply_store_error(r, rc, "person"), -1;
    return 0;
}

int account_post_my_totp_disable(struct req *r)
{
    const struct principal *p = req_principal(r);
    struct store_conn *c = req_store_or_reply(r);
    struct totp_row t;
    const char *used;
    if (!c || json_in_only_or_reply(r, r->json, NULL, factor_fields) ||
        enabled_or_reply(r, c, p->user_id, &t) ||
        factor_or_reply(r, c, p->user_id, &t, NULL, &used))
        return r->status;
    struct factor_tx x = {.r = r,
                          .uid = p->user_id,
                          .actor = p->user_id,
                          .now = clock_now(),
                          .remove = true,
                          .action = "disable_totp",
                          .detail = arena_printf(&r->arena, "with a %s", used)};
    int rc = req_tx(r, c, factor_tx_run, &x);
    if (rc)
        return reply_store_error(r, rc, "person");
    return reply_empty(r, 204);
}

int account_post_my_recovery_codes(struct req *r)
{
    const struct principal *p = req_principal(r);
    struct store_conn *c = req_store_or_reply(r);
    struct totp_row t;
    const char *used;
    if (!c || json_in_only_or_reply(r, r->json, NULL, confirm_fields) ||
        enabled_or_reply(r, c, p->user_id, &t) ||
        factor_or_reply(r, c, p->user_id, &t, NULL, &used))
        return r->status;
    const char *plain[ACCOUNT_RECOVERY_CODES], *hashes[ACCOUNT_RECOVERY_CODES];
    make_recovery_codes(r, p->user_id, plain, hashes);
    r->answer_secret = true;
    struct factor_tx x = {.r = r,
                          .uid = p->user_id,
                          .actor = p->user_id,
                          .now = clock_now(),
                          .hashes = hashes,
                          .action = "renew_recovery_codes",
                          .detail = ""};
    int rc = req_tx(r, c, factor_tx_run, &x);
    if (rc)
        return reply_store_error(r, rc, "person");
    return reply_json(r, 200, json_pack("{s:o}", "recovery_codes", codes_json(plain)));
}

/* A system admin resets someone's second factor (a lost phone, no
 * recovery code left): they enrol again; audited. */
int account_delete_user_totp(struct req *r)
{
    const struct principal *p = req_principal(r);
    int64_t id;
    if (req_param_id_or_reply(r, "id", "person", &id))
        return r->status;
    struct store_conn *c = req_store_or_reply(r);
    struct user u;
    struct totp_row t;
    if (!c)
        return r->status;
    int rc = user_get(c, &r->arena, id, &u);
    if (rc)
        return reply_store_error(r, rc, "person");
    rc = totp_get(c, &r->arena, id, &t);
    if (rc == STORE_NOT_FOUND)
        return reply_error(r, 409, "totp_not_enabled", NULL, "this person has no second factor");
    if (rc)
        return reply_store_error(r, rc, "person");
    struct factor_tx x = {.r = r,
                          .uid = id,
                          .actor = p->user_id,
                          .now = clock_now(),
                          .remove = true,
                          .action = "reset_totp",
                          .detail = t.enabled_at ? "second factor removed"
                                                 : "unconfirmed enrolment removed"};
    rc = req_tx(r, c, factor_tx_run, &x);
    if (rc)
        return reply_store_error(r, rc, "person");
    return reply_empty(r, 204);
}
