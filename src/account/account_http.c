/*
 * account_http.c - sign-in, sessions, the person's own data, and the
 * admin routes over people:
 *   POST   /api/auth/otp            {phone, purpose: login|register}   a code by SMS (dev: log)
 *   POST   /api/auth/register       {phone, code, display_name, occupation?, platforms?,
 *                                    consent: {kind, version}, bearer?}
 *   POST   /api/auth/login          {phone, code | password, bearer?}
 *   POST   /api/auth/logout         this session;  POST /api/auth/logout-all  every one
 *   GET    /api/me                  PATCH /api/me {display_name, occupation, platforms, password,
 *                                    current_password | code (to change a password), id_number}
 *   GET    /api/me/sessions         DELETE /api/me/sessions/{id}
 *   GET    /api/users?q=            staff and admins (phones masked but for system admins)
 *   POST   /api/users/{id}/verification {state: verified|revoked, site}   staff and admins,
 *                                    of workers only, at a site they reach
 *   POST   /api/users/{id}/roles    {role, scope_kind, scope_ref}   admins (ends the grantee's
 *                                    sessions started with a code)
 *   DELETE /api/users/{id}/roles/{gid}
 *   GET    /api/audit               system admins ?action=&target_type=&actor=&from=&to=&q=&before=
 * It also provides the server's authenticator (app->auth): sessions from
 * the wh_session cookie or a bearer token, CSRF for cookie writes, and
 * whether a grant reaches a site or region. Failed sign-ins are counted
 * per phone and per address (then locked out for a while); code requests
 * have budgets per phone, per address and overall, counted apart, so that
 * asking for codes never locks anyone's password out.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "account/account.h"
#include "app/app.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/text.h"
#include "http/json_in.h"
#include "platform/platform.h"
#include "store/store.h"

#define SESSION_COOKIE "wh_session"
#define LIMIT_WINDOW_S 900 /* failures counted over 15 minutes */
#define LIMIT_PHONE 5      /* failed sign-ins per phone, then locked */
#define LIMIT_ADDRESS 30   /* failed sign-ins per address, then locked */
/* Code requests have budgets of their own, apart from the failures:
 * asking for codes never locks a password out. */
#define OTP_WINDOW_S 3600  /* budgets of codes are per hour */
#define OTP_PER_PHONE 5    /* codes one phone may get */
#define OTP_PER_ADDRESS 60 /* codes one client address may ask for (a station's Wi-Fi) */
#define OTP_OVERALL 2000   /* codes sent to everyone together (WARMHARBOR_OTP_HOURLY) */

/* ---- rate limits ----------------------------------------------------- */

static struct account_state *state_of(struct req *r)
{
    return app_state(r->app, &account_module);
}

const unsigned char *account_key(struct app *app)
{
    return ((struct account_state *)app_state(app, &account_module))->key;
}

/* Counters live in the store (every node sees the same lockouts), keyed
 * by a keyed hash so no phone number is kept there. */
const char *account_limit_key(struct req *r, const char *kind, const char *value)
{
    return account_token_hash(&r->arena, state_of(r)->key,
                              arena_printf(&r->arena, "%s:%s", kind, value));
}

/* 429 with when to retry, if phone or address is locked out. */
static int limited_or_reply(struct req *r, const char *phone)
{
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return -1;
    int64_t now = clock_now();
    int64_t l1 = limit_locked_until(c, &r->arena, account_limit_key(r, "phone", phone));
    int64_t l2 =
        limit_locked_until(c, &r->arena, account_limit_key(r, "address", req_client_address(r)));
    int64_t until = l1 > l2 ? l1 : l2;
    if (until <= now)
        return 0;
    char after[24];
    snprintf(after, sizeof after, "%lld", (long long)(until - now));
    reply_header(r, "Retry-After", after);
    return reply_error(r, 429, "rate_limited", "phone",
                       "too many failed attempts; try again in %lld seconds",
                       (long long)(until - now)),
           -1;
}

static void count_failure(struct req *r, const char *phone)
{
    struct store_conn *c = req_store(r);
    if (!c)
        return;
    int64_t now = clock_now();
    limit_count_failure(c, account_limit_key(r, "phone", phone), LIMIT_PHONE, LIMIT_WINDOW_S, now);
    limit_count_failure(c, account_limit_key(r, "address", req_client_address(r)), LIMIT_ADDRESS,
                        LIMIT_WINDOW_S, now);
}

static int otp_overall(void)
{
    const char *v = getenv("WARMHARBOR_OTP_HOURLY");
    long n = v ? strtol(v, NULL, 10) : 0;
    return n > 0 && n <= 1000000 ? (int)n : OTP_OVERALL;
}

/* Take a code from the budgets of the address, the phone and everyone;
 * 429 with when to retry if one is spent. */
static int otp_budget_or_reply(struct req *r, struct store_conn *c, const char *phone)
{
    static const char *const what[] = {"this address", "this phone", "everyone"};
    const char *keys[] = {account_limit_key(r, "otp-address", req_client_address(r)),
                          account_limit_key(r, "otp-phone", phone),
                          account_limit_key(r, "otp-all", "")};
    const int max[] = {OTP_PER_ADDRESS, OTP_PER_PHONE, otp_overall()};
    int64_t now = clock_now();
    for (int i = 0; i < 3; i++) {
        int64_t retry = 0;
        int rc = limit_take(c, &r->arena, keys[i], max[i], OTP_WINDOW_S, now, &retry);
        if (rc == STORE_CONFLICT) {
            reply_header(r, "Retry-After", arena_printf(&r->arena, "%lld", (long long)retry));
            return reply_error(r, 429, "rate_limited", i == 1 ? "phone" : NULL,
                               "too many codes were asked for %s; try again in %lld seconds",
                               what[i], (long long)retry),
                   -1;
        }
        if (rc)
            return reply_store_error(r, rc, "code"), -1;
    }
    return 0;
}

static void clear_failures(struct req *r, const char *phone)
{
    struct store_conn *c = req_store(r);
    if (c)
        limit_clear(c, account_limit_key(r, "phone", phone));
}

/* ---- the authenticator (app->auth) ----------------------------------- */

static int authenticate(struct req *r, struct principal *p)
{
    memset(p, 0, sizeof(*p));
    const char *token = NULL;
    const char *auth = req_header(r, "Authorization");
    if (auth && strncasecmp(auth, "Bearer ", 7) == 0) {
        token = auth + 7;
    } else if ((token = req_cookie(r, SESSION_COOKIE)) != NULL) {
        p->via_cookie = true;
    }
    if (!token || !*token)
        return 0;
    /* -2 whenever the store cannot say: the caller gets 503 and retries,
     * and a web app is never told it was signed out. */
    struct store_conn *c = req_store(r);
    if (!c)
        return -2;
    struct session s;
    int64_t now = clock_now();
    const char *hash = account_token_hash(&r->arena, state_of(r)->key, token);
    int rc = session_by_hash(c, &r->arena, hash, now, &s);
    if (rc)
        return rc == STORE_NOT_FOUND ? -1 : -2;
    /* A bearer token is not accepted from a cookie, nor the reverse. */
    if (strcmp(s.kind, p->via_cookie ? "cookie" : "bearer") != 0)
        return -1;
    struct grant *grants;
    size_t n;
    if (grant_list(c, &r->arena, s.user_id, &grants, NULL, &n) != STORE_OK)
        return -2;
    p->user_id = s.user_id;
    p->session_id = s.id;
    p->grants = grants;
    p->ngrants = n;
    p->roles = ROLE_USER;
    for (size_t i = 0; i < n; i++)
        p->roles |= grants[i].role;
    return 1;
}

static bool reaches(struct req *r, const struct grant *g, const struct scope_target *t)
{
    if (strcmp(g->kind, "global") == 0)
        return true;
    if (t->org_code && strcmp(g->kind, "organization") == 0 && strcmp(g->ref, t->org_code) == 0)
        return true;
    struct store_conn *c = req_store(r);
    if (!c)
        return false;
    if (t->site_id) {
        if (strcmp(g->kind, "site") == 0)
            return strtoll(g->ref, NULL, 10) == t->site_id;
        if (strcmp(g->kind, "region") == 0)
            return region_reaches_site(c, &r->arena, g->ref, t->site_id);
        return false;
    }
    if (t->region_code && strcmp(g->kind, "region") == 0)
        return region_reaches_region(c, &r->arena, g->ref, t->region_code);
    return false;
}

static bool csrf_ok(struct req *r, const struct principal *p)
{
    const char *sent = req_header(r, "X-CSRF-Token");
    return sent &&
           account_equal(sent, account_csrf_token(&r->arena, state_of(r)->key, p->session_id));
}

static const struct http_auth account_auth = {authenticate, reaches, csrf_ok};

/* ---- helpers ---------------------------------------------------------- */

static int phone_or_reply(struct req *r, const char *field, char phone[12])
{
    const char *raw;
    if (json_in_string(r, r->json, NULL, field, 32, true, &raw) < 0)
        return -1;
    if (account_phone_normalize(raw, phone))
        return reply_error(r, 422, "invalid_field", field,
                           "%s must be a mainland mobile number (11 digits)", field),
               -1;
    return 0;
}

static json_t *roles_json(const struct grant *g, const int64_t *ids, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_pack("{s:s, s:s, s:s}", "role", role_name(g[i].role), "scope_kind",
                              g[i].kind, "scope_ref", g[i].ref);
        if (ids)
            json_object_set_new(o, "id", json_integer(ids[i]));
        json_array_append_new(arr, o);
    }
    return arr;
}

static json_t *platforms_json(const char *list)
{
    json_t *arr = json_array();
    char *copy = strdup(list ? list : ""), *save = NULL;
    if (!copy)
        die_oom();
    for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
        json_array_append_new(arr, json_string(t));
    free(copy);
    return arr;
}

/* 0 if the comma list of platforms is known codes (new ones offered,
 * retired ones only if the person had them); -1 after replying. */
static int platforms_or_reply(struct req *r, struct store_conn *c, const char *list,
                              const char *had)
{
    bool ok;
    const char *bad;
    int rc = platform_list_check(c, &r->arena, list, had, &ok, &bad);
    if (rc)
        return reply_store_error(r, rc, "platform"), -1;
    if (!ok)
        return reply_error(r, 422, "invalid_field", "platforms",
                           "platforms is a comma list of codes from GET /api/platforms; "
                           "\"%s\" is not one that can be chosen (or is named twice)",
                           bad),
               -1;
    return 0;
}

/* A person as others see them: phone masked unless show_phone. */
static json_t *user_json(struct req *r, const struct user *u, bool show_phone)
{
    char when[40];
    json_t *o = json_pack("{s:I, s:s?, s:s, s:s, s:o, s:s, s:b}", "id", (json_int_t)u->id, "phone",
                          show_phone ? u->phone : account_phone_mask(&r->arena, u->phone),
                          "display_name", u->display_name, "occupation", u->occupation, "platforms",
                          platforms_json(u->platforms), "verification", u->verification,
                          "has_password", u->has_password);
    json_object_set_new(o, "verified_site",
                        u->verified_site_id ? json_integer(u->verified_site_id) : json_null());
    json_object_set_new(o, "verified_at",
                        u->verified_at
                            ? json_string(clock_format_iso(
                                  u->verified_at, r->app->cfg.tz_offset_min, when, sizeof when))
                            : json_null());
    return o;
}

int account_reply_session(struct req *r, struct store_conn *c, const struct user *u,
                          const char *sign_in, const char *factor, json_t *extra, int status)
{
    bool bearer = false;
    if (json_in_bool(r, r->json, NULL, "bearer", false, &bearer) < 0)
        return r->status;
    int64_t now = clock_now(), expires = now + ACCOUNT_SESSION_DAYS * 86400, sid;
    const char *token = account_token_new(&r->arena);
    const char *ua = req_header(r, "User-Agent");
    char uabuf[200];
    snprintf(uabuf, sizeof uabuf, "%s", ua ? ua : "");
    text_utf8_trim(uabuf);
    int rc = session_insert(c, &r->arena, u->id, bearer ? "bearer" : "cookie", sign_in,
                            account_token_hash(&r->arena, state_of(r)->key, token), uabuf, now,
                            expires, &sid);
    if (rc)
        return reply_store_error(r, rc, "session");
    audit_add(c, u->id, "sign_in", "session", arena_printf(&r->arena, "%lld", (long long)sid),
              req_client_address(r),
              arena_printf(&r->arena, "%s, %s%s%s", bearer ? "bearer" : "cookie", sign_in,
                           factor ? " + " : "", factor ? factor : ""),
              now);
    struct grant *g;
    int64_t *gid;
    size_t ng;
    rc = grant_list(c, &r->arena, u->id, &g, &gid, &ng);
    if (rc) {
        json_decref(extra);
        return reply_store_error(r, rc, "session");
    }
    json_t *o =
        json_pack("{s:o, s:o, s:s}", "user", user_json(r, u, true), "roles", roles_json(g, gid, ng),
                  "csrf_token", account_csrf_token(&r->arena, state_of(r)->key, sid));
    if (extra) {
        json_object_update(o, extra);
        json_decref(extra);
    }
    char when[40];
    json_object_set_new(
        o, "expires_at",
        json_string(clock_format_iso(expires, r->app->cfg.tz_offset_min, when, sizeof when)));
    if (bearer) {
        json_object_set_new(o, "token", json_string(token));
    } else {
        const char *proto = req_header(r, "X-Forwarded-Proto");
        bool secure = proto && strcmp(proto, "https") == 0;
        reply_header(r, "Set-Cookie",
                     arena_printf(&r->arena,
                                  SESSION_COOKIE "=%s; Path=/; HttpOnly; SameSite=Lax; "
                                                 "Max-Age=%d%s",
                                  token, ACCOUNT_SESSION_DAYS * 86400, secure ? "; Secure" : ""));
    }
    return reply_json(r, status, o);
}

/* ---- sign-in ---------------------------------------------------------- */

static const char *const otp_fields[] = {"phone", "purpose", NULL};

static int post_otp(struct req *r)
{
    char phone[12];
    const char *purpose;
    if (json_in_only_or_reply(r, r->json, NULL, otp_fields) || phone_or_reply(r, "phone", phone) ||
        json_in_string(r, r->json, NULL, "purpose", 16, true, &purpose) < 0)
        return r->status;
    if (strcmp(purpose, "login") != 0 && strcmp(purpose, "register") != 0)
        return reply_error(r, 422, "invalid_field", "purpose", "purpose is login or register");
    if (limited_or_reply(r, phone))
        return r->status;
    if (!r->app->cfg.dev_mode)
        return reply_error(r, 503, "sms_unavailable", NULL,
                           "no SMS provider is configured; sign in with a password");
    struct store_conn *c = req_store_or_reply(r);
    if (!c || otp_budget_or_reply(r, c, phone))
        return r->status;
    const char *code = account_otp_new(&r->arena);
    int rc = otp_put(c, phone, purpose, account_token_hash(&r->arena, state_of(r)->key, code),
                     clock_now());
    if (rc)
        return reply_store_error(r, rc, "code");
    /* The development provider: the code goes to the log (never a token
     * or password; this mode is refused unless WARMHARBOR_DEV=1). */
    log_info("dev sms to %s: your warmharbor code is %s", account_phone_mask(&r->arena, phone),
             code);
    return reply_json(r, 202, json_pack("{s:b, s:i}", "sent", 1, "expires_in", ACCOUNT_OTP_TTL_S));
}

/* 0 if the code is right; -1 after replying (counted as a failure). */
static int code_or_reply(struct req *r, struct store_conn *c, const char *phone,
                         const char *purpose, const char *code)
{
    int rc = otp_check(c, &r->arena, phone, purpose,
                       account_token_hash(&r->arena, state_of(r)->key, code), clock_now());
    if (rc == STORE_OK)
        return 0;
    count_failure(r, phone);
    if (rc == STORE_NOT_FOUND || rc == STORE_CONFLICT)
        return reply_error(r, 401, "invalid_code", "code",
                           "the code is wrong or expired; ask for a new one"),
               -1;
    return reply_store_error(r, rc, "code"), -1;
}

static const char *const register_fields[] = {"phone",     "code",    "display_name", "occupation",
                                              "platforms", "consent", "bearer",       NULL};

static int post_register(struct req *r)
{
    char phone[12];
    const char *code, *kind, *version;
    struct user u = {0};
    u.occupation = "other";
    u.platforms = "";
    json_t *consent = json_object_get(r->json, "consent");
    if (json_in_only_or_reply(r, r->json, NULL, register_fields) ||
        phone_or_reply(r, "phone", phone) ||
        json_in_string(r, r->json, NULL, "code", 8, true, &code) < 0 ||
        json_in_string(r, r->json, NULL, "display_name", 60, true, &u.display_name) < 0 ||
        json_in_string(r, r->json, NULL, "occupation", 32, false, &u.occupation) < 0 ||
        json_in_string(r, r->json, NULL, "platforms", 200, false, &u.platforms) < 0)
        return r->status;
    if (!consent)
        return reply_error(r, 422, "missing_field", "consent",
                           "registering needs consent to the privacy policy");
    if (json_in_object_or_reply(r, consent, "consent") ||
        json_in_string(r, consent, "consent", "kind", 40, true, &kind) < 0 ||
        json_in_string(r, consent, "consent", "version", 40, true, &version) < 0)
        return r->status;
    if (strcmp(kind, "privacy_policy") == 0 && strcmp(version, ACCOUNT_PRIVACY_VERSION) != 0)
        return reply_error(r, 422, "consent_outdated", "consent.version",
                           "the privacy notice in force is version %s; read it and agree again",
                           ACCOUNT_PRIVACY_VERSION);
    if (!account_occupation_is_valid(u.occupation))
        return reply_error(r, 422, "invalid_field", "occupation",
                           "occupation is courier, food_delivery, ride_hailing, truck_driver, "
                           "livestream_host, domestic_worker or other");
    if (limited_or_reply(r, phone))
        return r->status;
    struct store_conn *c = req_store_or_reply(r);
    if (!c || platforms_or_reply(r, c, u.platforms, "") ||
        code_or_reply(r, c, phone, "register", code))
        return r->status;
    u.phone = phone;
    int64_t now = clock_now();
    int rc = store_begin(c);
    if (!rc)
        rc = user_insert(c, &r->arena, &u, NULL, now);
    if (!rc)
        rc = consent_add(c, u.id, kind, version, now);
    if (!rc)
        rc = store_commit(c);
    else
        store_rollback(c);
    if (rc == STORE_CONFLICT)
        return reply_error(r, 409, "phone_taken", "phone", "this phone is registered; sign in");
    if (rc)
        return reply_store_error(r, rc, "person");
    clear_failures(r, phone);
    u.verification = "unverified";
    return account_reply_session(r, c, &u, "code", NULL, NULL, 201);
}

static const char *const login_fields[] = {"phone", "code", "password", "bearer", NULL};

static int post_login(struct req *r)
{
    char phone[12];
    const char *code = NULL, *password = NULL;
    if (json_in_only_or_reply(r, r->json, NULL, login_fields) ||
        phone_or_reply(r, "phone", phone) ||
        json_in_string(r, r->json, NULL, "code", 8, false, &code) < 0 ||
        json_in_string(r, r->json, NULL, "password", 200, false, &password) < 0)
        return r->status;
    if (!code && !password)
        return reply_error(r, 422, "missing_field", "code", "send a code or a password");
    if (limited_or_reply(r, phone))
        return r->status;
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    struct user u;
    const char *hash = NULL;
    int rc = user_by_phone(c, &r->arena, phone, &u, &hash);
    if (rc && rc != STORE_NOT_FOUND)
        return reply_store_error(r, rc, "person");
    if (password) {
        /* The same answer, after the same time, whether the phone is
         * unknown, has no password or the password is wrong, so the route
         * does not tell who is registered. */
        if (!account_password_ok(rc == STORE_NOT_FOUND ? NULL : hash, password)) {
            count_failure(r, phone);
            return reply_error(r, 401, "invalid_credentials", NULL,
                               "the phone or the password is wrong");
        }
    } else {
        if (code_or_reply(r, c, phone, "login", code))
            return r->status;
        if (rc == STORE_NOT_FOUND)
            return reply_error(r, 404, "not_registered", "phone", "register first");
        /* Staff and admins must use their password. */
        struct grant *g;
        size_t ng;
        if (grant_list(c, &r->arena, u.id, &g, NULL, &ng) == STORE_OK && ng)
            return reply_error(r, 403, "password_required", "password",
                               "staff and admins sign in with their password");
    }
    clear_failures(r, phone);
    /* A second factor, when the person has one (or must have one), before
     * any session. */
    return account_sign_in_or_challenge(r, c, &u, password ? "password" : "code");
}

static int post_logout(struct req *r)
{
    const struct principal *p = req_principal(r);
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    int rc = session_revoke(c, p->user_id, p->session_id, clock_now());
    if (rc && rc != STORE_NOT_FOUND)
        return reply_store_error(r, rc, "session");
    reply_header(r, "Set-Cookie", SESSION_COOKIE "=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
    return reply_empty(r, 204);
}

static int post_logout_all(struct req *r)
{
    const struct principal *p = req_principal(r);
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    int rc = session_revoke_all(c, p->user_id, clock_now());
    if (rc)
        return reply_store_error(r, rc, "session");
    audit_add(c, p->user_id, "sign_out_everywhere", "user", "", req_client_address(r), "",
              clock_now());
    reply_header(r, "Set-Cookie", SESSION_COOKIE "=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
    return reply_empty(r, 204);
}

/* ---- me -------------------------------------------------------------- */

static int get_me(struct req *r)
{
    const struct principal *p = req_principal(r);
    struct store_conn *c = req_store_or_reply(r);
    struct user u;
    struct grant *g;
    int64_t *gid;
    size_t ng;
    if (!c)
        return r->status;
    int rc = user_get(c, &r->arena, p->user_id, &u);
    if (!rc)
        rc = grant_list(c, &r->arena, p->user_id, &g, &gid, &ng);
    if (rc)
        return reply_store_error(r, rc, "person");
    json_t *o = user_json(r, &u, true);
    const char *sealed = user_id_number_sealed(c, &r->arena, u.id);
    const char *idn = sealed ? account_unseal(&r->arena, state_of(r)->key, "field", sealed) : NULL;
    json_object_set_new(o, "id_number",
                        idn ? json_string(arena_printf(&r->arena, "**************%s", idn + 14))
                            : json_null());
    json_object_set_new(o, "roles", roles_json(g, gid, ng));
    json_object_set_new(
        o, "csrf_token",
        json_string(account_csrf_token(&r->arena, state_of(r)->key, p->session_id)));
    return reply_json(r, 200, o);
}

static const char *const me_fields[] = {"display_name",     "occupation", "platforms", "password",
                                        "current_password", "code",       "id_number", NULL};

/* Mainland resident ID: 17 digits and a digit or X. */
static bool is_id_number(const char *s)
{
    if (strlen(s) != 18)
        return false;
    for (int i = 0; i < 17; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return (s[17] >= '0' && s[17] <= '9') || s[17] == 'X';
}

/* A password is changed by whoever knows the current one, or has a fresh
 * code for the phone: a session alone (left open, or stolen) is not
 * enough. 0, or -1 after replying; failures count as failed sign-ins. */
static int reauth_or_reply(struct req *r, struct store_conn *c, const struct user *u,
                           const char *current, const char *code)
{
    if (!current && !code)
        return reply_error(r, 422, "missing_field", "current_password",
                           "to change your password, send current_password (or a fresh code "
                           "from POST /api/auth/otp as code)"),
               -1;
    if (limited_or_reply(r, u->phone))
        return -1;
    if (current) {
        struct user same;
        const char *hash = NULL;
        int rc = user_by_phone(c, &r->arena, u->phone, &same, &hash);
        if (rc && rc != STORE_NOT_FOUND)
            return reply_store_error(r, rc, "person"), -1;
        if (!account_password_ok(rc ? NULL : hash, current)) {
            count_failure(r, u->phone);
            return reply_error(r, 403, "invalid_credentials", "current_password",
                               "the current password is wrong"),
                   -1;
        }
    } else {
        int rc = otp_check(c, &r->arena, u->phone, "login",
                           account_token_hash(&r->arena, state_of(r)->key, code), clock_now());
        if (rc == STORE_NOT_FOUND || rc == STORE_CONFLICT) {
            count_failure(r, u->phone);
            return reply_error(r, 403, "invalid_code", "code",
                               "the code is wrong or expired; ask for a new one"),
                   -1;
        }
        if (rc)
            return reply_store_error(r, rc, "code"), -1;
    }
    clear_failures(r, u->phone);
    return 0;
}

struct store_conn *account_me_or_reply(struct req *r, struct user *u)
{
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return NULL;
    int rc = user_get(c, &r->arena, req_principal(r)->user_id, u);
    if (rc)
        return reply_store_error(r, rc, "person"), NULL;
    return c;
}

static int patch_me(struct req *r)
{
    const struct principal *p = req_principal(r);
    struct user u;
    struct store_conn *c = account_me_or_reply(r, &u);
    if (!c)
        return r->status;
    int rc;
    const char *password = NULL, *id_number = NULL, *current = NULL, *code = NULL;
    const char *had_platforms = u.platforms;
    if (json_in_only_or_reply(r, r->json, NULL, me_fields) ||
        json_in_string(r, r->json, NULL, "id_number", 18, false, &id_number) < 0 ||
        json_in_string(r, r->json, NULL, "display_name", 60, false, &u.display_name) < 0 ||
        json_in_string(r, r->json, NULL, "occupation", 32, false, &u.occupation) < 0 ||
        json_in_string(r, r->json, NULL, "platforms", 200, false, &u.platforms) < 0 ||
        json_in_string(r, r->json, NULL, "password", 200, false, &password) < 0 ||
        json_in_string(r, r->json, NULL, "current_password", 200, false, &current) < 0 ||
        json_in_string(r, r->json, NULL, "code", 8, false, &code) < 0)
        return r->status;
    if (!account_occupation_is_valid(u.occupation))
        return reply_error(r, 422, "invalid_field", "occupation", "not a known occupation");
    if (platforms_or_reply(r, c, u.platforms, had_platforms))
        return r->status;
    if (password && strlen(password) < 10)
        return reply_error(r, 422, "invalid_field", "password",
                           "a password needs at least 10 characters");
    if (id_number && !is_id_number(id_number))
        return reply_error(r, 422, "invalid_field", "id_number",
                           "id_number is 17 digits and a digit or X");
    if (password && u.has_password && reauth_or_reply(r, c, &u, current, code))
        return r->status;
    const char *hash = NULL;
    if (password && !(hash = account_password_hash(&r->arena, password)))
        return reply_store_error(r, STORE_ERROR, "person");
    int64_t now = clock_now(), ended = 0;
    rc = store_begin(c);
    if (!rc)
        rc = user_update_profile(c, &u, now);
    /* Sensitive: kept only sealed with a key from outside the database. */
    if (!rc && id_number)
        rc = user_set_id_number(c, u.id,
                                account_seal(&r->arena, state_of(r)->key, "field", id_number), now);
    /* A new password ends every other session: whoever held one (a phone
     * left signed in, a stolen token) has to sign in again. */
    if (!rc && password)
        rc = user_set_password(c, u.id, hash, now);
    if (!rc && password)
        rc = session_revoke_others(c, u.id, p->session_id, now, &ended);
    if (!rc && password)
        rc = audit_add(c, u.id, u.has_password ? "change_password" : "set_password", "user",
                       arena_printf(&r->arena, "%lld", (long long)u.id), req_client_address(r),
                       arena_printf(&r->arena, "%lld other sessions ended", (long long)ended), now);
    if (!rc)
        rc = store_commit(c);
    else
        store_rollback(c);
    if (rc)
        return reply_store_error(r, rc, "person");
    if (password)
        u.has_password = true;
    return reply_json(r, 200, user_json(r, &u, true));
}

static int get_my_sessions(struct req *r)
{
    const struct principal *p = req_principal(r);
    struct store_conn *c = req_store_or_reply(r);
    struct session *ss;
    size_t n;
    if (!c)
        return r->status;
    int rc = session_list(c, &r->arena, p->user_id, clock_now(), &ss, &n);
    if (rc)
        return reply_store_error(r, rc, "session");
    json_t *items = json_array();
    int tz = r->app->cfg.tz_offset_min;
    for (size_t i = 0; i < n; i++) {
        char a[40], b[40], e[40];
        json_array_append_new(
            items, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:b}", "id", (json_int_t)ss[i].id,
                             "kind", ss[i].kind, "sign_in", ss[i].sign_in, "created_at",
                             clock_format_iso(ss[i].created_at, tz, a, sizeof a), "last_seen_at",
                             clock_format_iso(ss[i].last_seen_at, tz, b, sizeof b), "expires_at",
                             clock_format_iso(ss[i].expires_at, tz, e, sizeof e), "user_agent",
                             ss[i].user_agent, "current", ss[i].id == p->session_id));
    }
    return reply_json(r, 200, json_pack("{s:o}", "items", items));
}

static int delete_my_session(struct req *r)
{
    const struct principal *p = req_principal(r);
    int64_t id;
    if (req_param_id_or_reply(r, "id", "session", &id))
        return r->status;
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    int rc = session_revoke(c, p->user_id, id, clock_now());
    if (rc)
        return reply_store_error(r, rc, "session");
    return reply_empty(r, 204);
}

/* Everything held about me, as one JSON document (PIPL: a person may
 * read what is held about them). */
static int get_my_export(struct req *r)
{
    const struct principal *p = req_principal(r);
    struct store_conn *c = req_store_or_reply(r);
    struct user u;
    struct store_rows consents, sessions, grants, audit;
    if (!c)
        return r->status;
    int rc = user_get(c, &r->arena, p->user_id, &u);
    if (!rc)
        rc = account_export_rows(c, &r->arena, p->user_id, &consents, &sessions, &grants, &audit);
    if (rc)
        return reply_store_error(r, rc, "person");
    int tz = r->app->cfg.tz_offset_min;
    char when[40];
#define ISO(t) json_string(clock_format_iso((t), tz, when, sizeof when))
    json_t *jc = json_array(), *js = json_array(), *jg = json_array(), *ja = json_array();
    for (size_t i = 0; i < consents.nrows; i++)
        json_array_append_new(jc, json_pack("{s:s, s:s, s:o}", "kind", store_text(&consents, i, 0),
                                            "version", store_text(&consents, i, 1), "agreed_at",
                                            ISO(store_int(&consents, i, 2))));
    for (size_t i = 0; i < sessions.nrows; i++) {
        json_t *o = json_pack(
            "{s:I, s:s, s:o, s:o, s:o, s:s}", "id", (json_int_t)store_int(&sessions, i, 0), "kind",
            store_text(&sessions, i, 1), "created_at", ISO(store_int(&sessions, i, 2)),
            "expires_at", ISO(store_int(&sessions, i, 3)), "last_seen_at",
            ISO(store_int(&sessions, i, 4)), "user_agent", store_text(&sessions, i, 5));
        json_object_set_new(o, "revoked_at",
                            store_is_null(&sessions, i, 6) ? json_null()
                                                           : ISO(store_int(&sessions, i, 6)));
        json_object_set_new(o, "sign_in", json_string(store_text(&sessions, i, 7)));
        json_array_append_new(js, o);
    }
    for (size_t i = 0; i < grants.nrows; i++) {
        json_t *o = json_pack(
            "{s:I, s:s, s:s, s:s, s:o}", "id", (json_int_t)store_int(&grants, i, 0), "role",
            store_text(&grants, i, 1), "scope_kind", store_text(&grants, i, 2), "scope_ref",
            store_text(&grants, i, 3), "granted_at", ISO(store_int(&grants, i, 4)));
        json_object_set_new(o, "revoked_at",
                            store_is_null(&grants, i, 5) ? json_null()
                                                         : ISO(store_int(&grants, i, 5)));
        json_array_append_new(jg, o);
    }
    for (size_t i = 0; i < audit.nrows; i++)
        json_array_append_new(
            ja, json_pack("{s:o, s:s, s:s, s:s, s:s, s:s}", "at", ISO(store_int(&audit, i, 0)),
                          "action", store_text(&audit, i, 1), "target_type",
                          store_text(&audit, i, 2), "target_id", store_text(&audit, i, 3),
                          "address", store_text(&audit, i, 4), "detail", store_text(&audit, i, 5)));
    json_t *person = user_json(r, &u, true);
    json_object_set_new(person, "created_at", ISO(u.created_at));
    const char *sealed = user_id_number_sealed(c, &r->arena, u.id);
    const char *idn = sealed ? account_unseal(&r->arena, state_of(r)->key, "field", sealed) : NULL;
    json_object_set_new(person, "id_number", idn ? json_string(idn) : json_null());
    /* The second factor: that it is held and since when, not its secret
     * (an export that leaked would otherwise carry it). */
    struct totp_row t;
    json_object_set_new(person, "second_factor",
                        totp_get(c, &r->arena, u.id, &t) == STORE_OK && t.enabled_at
                            ? json_pack("{s:s, s:o, s:I}", "kind", "totp", "enabled_at",
                                        ISO(t.enabled_at), "recovery_codes_left",
                                        (json_int_t)recovery_left(c, &r->arena, u.id))
                            : json_null());
#undef ISO
    json_t *doc = json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:s}", "format",
                            "warmharbor-personal-data/1", "person", person, "consents", jc,
                            "sessions", js, "roles", jg, "activity", ja, "note",
                            "Positions you search from are used for that query only and "
                            "never stored, so none are listed here.");
    /* What other modules hold about me (the inbox, ...), under their names. */
    for (size_t i = 0; i < app_module_count; i++) {
        const struct module *m = app_modules[i];
        json_t *part = NULL;
        rc = m->export_personal ? m->export_personal(r->app, c, &r->arena, p->user_id, &part) : 0;
        if (rc)
            return json_decref(doc), reply_store_error(r, rc, "person");
        if (part)
            json_object_set_new(doc, m->name, part);
    }
    audit_add(c, p->user_id, "export_own_data", "user",
              arena_printf(&r->arena, "%lld", (long long)p->user_id), req_client_address(r), "",
              clock_now());
    reply_header(r, "Content-Disposition", "attachment; filename=\"warmharbor-my-data.json\"");
    return reply_json(r, 200, doc);
}

/* Erase me (PIPL): identity removed, sessions ended. ?confirm=1 guards
 * against a stray request. */
static int delete_me(struct req *r)
{
    const struct principal *p = req_principal(r);
    const char *confirm = req_query(r, "confirm");
    if (!confirm || strcmp(confirm, "1") != 0)
        return reply_error(r, 400, "confirm_required", "confirm",
                           "erasing your data cannot be undone: send ?confirm=1");
    struct store_conn *c = req_store_or_reply(r);
    struct user u;
    if (!c)
        return r->status;
    int rc = user_get(c, &r->arena, p->user_id, &u);
    int64_t now = clock_now();
    if (!rc)
        rc = store_begin(c);
    if (!rc) {
        rc = account_erase(c, p->user_id, u.phone, now);
        for (size_t i = 0; !rc && i < app_module_count; i++)
            if (app_modules[i]->erase_personal)
                rc = app_modules[i]->erase_personal(r->app, c, p->user_id);
        if (!rc)
            rc = audit_add(c, p->user_id, "erase_own_data", "user",
                           arena_printf(&r->arena, "%lld", (long long)p->user_id), "", "", now);
        if (!rc)
            rc = store_commit(c);
        else
            store_rollback(c);
    }
    if (rc)
        return reply_store_error(r, rc, "person");
    store_scrub(c);
    reply_header(r, "Set-Cookie", SESSION_COOKIE "=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
    return reply_empty(r, 204);
}

/* ---- the worker's personal QR code ---------------------------------- */

static int64_t qr_ttl(void)
{
    const char *v = getenv("WARMHARBOR_QR_TTL");
    long n = v ? strtol(v, NULL, 10) : 0;
    return n > 0 && n <= 3600 ? n : ACCOUNT_QR_TTL_S;
}

/* A short-lived code the phone shows and staff scan: sealed with the
 * server key, so reading it reveals nothing and it cannot be forged. */
static int get_my_qr(struct req *r)
{
    const struct principal *p = req_principal(r);
    int64_t exp = clock_now() + qr_ttl();
    const char *token =
        account_seal(&r->arena, state_of(r)->key, "qr",
                     arena_printf(&r->arena, "%lld:%lld", (long long)p->user_id, (long long)exp));
    char when[40];
    return reply_json(r, 200,
                      json_pack("{s:s, s:s, s:I}", "token", token, "expires_at",
                                clock_format_iso(exp, r->app->cfg.tz_offset_min, when, sizeof when),
                                "ttl", (json_int_t)qr_ttl()));
}

static int post_qr_verify(struct req *r)
{
    const struct principal *p = req_principal(r);
    const char *token;
    if (json_in_string(r, r->json, NULL, "token", 512, true, &token) < 0)
        return r->status;
    const char *plain = account_unseal(&r->arena, state_of(r)->key, "qr", token);
    long long uid = 0, exp = 0;
    if (!plain || sscanf(plain, "%lld:%lld", &uid, &exp) != 2)
        return reply_error(r, 422, "invalid_qr", "token", "this is not a warmharbor code");
    if (exp <= clock_now())
        return reply_error(r, 410, "qr_expired", "token",
                           "the code has expired; ask the worker to show a fresh one");
    struct store_conn *c = req_store_or_reply(r);
    struct user u;
    if (!c)
        return r->status;
    int rc = user_get(c, &r->arena, uid, &u);
    if (rc)
        return reply_store_error(r, rc, "person");
    audit_add(c, p->user_id, "scan_worker_qr", "user", arena_printf(&r->arena, "%lld", uid),
              req_client_address(r), "", clock_now());
    return reply_json(r, 200, user_json(r, &u, false));
}

/* ---- people, for staff and admins ------------------------------------ */

static int user_id_or_reply(struct req *r, int64_t *id)
{
    return req_param_id_or_reply(r, "id", "person", id);
}

static int get_users(struct req *r)
{
    const struct principal *p = req_principal(r);
    const char *q = req_query(r, "q");
    if (!q || strlen(q) < 2 || strlen(q) > 60)
        return reply_error(r, 400, "invalid_query", "q",
                           "q is 2 to 60 characters of a name or phone");
    struct store_conn *c = req_store_or_reply(r);
    struct user *us;
    size_t n;
    if (!c)
        return r->status;
    /* Others see phones masked: for them a phone matches only as a whole
     * number, or a few searches would rebuild the hidden digits. */
    bool full = p->roles & ROLE_SYSTEM_ADMIN;
    char phone[12];
    bool is_phone = account_phone_normalize(q, phone) == 0;
    int rc = user_search(c, &r->arena, text_like_contains(&r->arena, q), full,
                         is_phone ? phone : NULL, 50, &us, &n);
    if (rc)
        return reply_store_error(r, rc, "person");
    bool admin = p->roles & ACCESS_ADMIN;
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *o = user_json(r, &us[i], full);
        /* Admins see the grants, with ids, so they can revoke them. */
        struct grant *g;
        int64_t *gid;
        size_t ng;
        if (admin && grant_list(c, &r->arena, us[i].id, &g, &gid, &ng) == STORE_OK)
            json_object_set_new(o, "roles", roles_json(g, gid, ng));
        json_array_append_new(items, o);
    }
    /* Looking people up is access to their personal data: recorded, with
     * what was asked for, but no more of a phone than its mask. */
    audit_add(
        c, p->user_id, "search_people", "query", "", req_client_address(r),
        arena_printf(&r->arena, "%s: %zu results", account_search_term_masked(&r->arena, q), n),
        clock_now());
    return reply_json(r, 200, json_pack("{s:o}", "items", items));
}

static const char *const verification_fields[] = {"state", "site", NULL};

/* Staff check a worker at their site: only workers (nobody holding a
 * role), only at a site the caller reaches, and the site is recorded.
 * System admins may leave the site out. */
static int post_verification(struct req *r)
{
    const struct principal *p = req_principal(r);
    int64_t id, site = 0;
    const char *state;
    if (user_id_or_reply(r, &id) || json_in_only_or_reply(r, r->json, NULL, verification_fields) ||
        json_in_string(r, r->json, NULL, "state", 16, true, &state) < 0 ||
        json_in_int(r, r->json, NULL, "site", 1, INT64_MAX, false, &site) < 0)
        return r->status;
    if (strcmp(state, "verified") != 0 && strcmp(state, "revoked") != 0)
        return reply_error(r, 422, "invalid_field", "state", "state is verified or revoked");
    bool system = p->roles & ROLE_SYSTEM_ADMIN;
    if (!site && !system)
        return reply_error(r, 422, "missing_field", "site",
                           "name the site (its id) where you checked the worker");
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    if (site && !site_exists(c, &r->arena, site))
        return reply_error(r, 422, "unknown_site", "site", "no site has id %lld", (long long)site);
    if (site && !system && !req_reaches_site(r, ROLE_STAFF | ACCESS_ADMIN, site))
        return reply_error(r, 403, "out_of_scope", "site", "you do not work at this site");
    int64_t now = clock_now();
    int rc = user_set_verification(c, &r->arena, id, state, p->user_id, site, now);
    if (rc == STORE_CONFLICT)
        return reply_error(r, 409, "not_a_worker", NULL,
                           "this person holds a role; only workers are verified");
    if (rc)
        return reply_store_error(r, rc, "person");
    audit_add(c, p->user_id, "verify_worker", "user",
              arena_printf(&r->arena, "%lld", (long long)id), req_client_address(r),
              site ? arena_printf(&r->arena, "%s at site %lld", state, (long long)site) : state,
              now);
    struct user u;
    rc = user_get(c, &r->arena, id, &u);
    if (rc)
        return reply_store_error(r, rc, "person");
    return reply_json(r, 200, user_json(r, &u, p->roles & ROLE_SYSTEM_ADMIN));
}

/* A positive id as text, as the API writes it: digits, no leading zero. */
static bool is_id_text(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 18 || s[0] == '0')
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

/* May the caller grant or revoke this role? System admins: any. Region
 * admins: staff on sites within their own subtree, and region admin of
 * regions strictly below their own (not of their region itself, nor
 * theirs or a peer's grant there). */
static bool may_manage_role(struct req *r, unsigned role, const char *kind, const char *ref)
{
    const struct principal *p = req_principal(r);
    if (p->roles & ROLE_SYSTEM_ADMIN)
        return true;
    if (role == ROLE_STAFF && strcmp(kind, "site") == 0) {
        for (size_t i = 0; i < p->ngrants; i++)
            if (p->grants[i].role == ROLE_REGION_ADMIN &&
                reaches(r, &p->grants[i],
                        &(struct scope_target){strtoll(ref, NULL, 10), NULL, NULL}))
                return true;
        return false;
    }
    if (role == ROLE_REGION_ADMIN && strcmp(kind, "region") == 0) {
        struct store_conn *c = req_store(r);
        for (size_t i = 0; c && i < p->ngrants; i++)
            if (p->grants[i].role == ROLE_REGION_ADMIN &&
                strcmp(p->grants[i].kind, "region") == 0 &&
                region_below_region(c, &r->arena, p->grants[i].ref, ref))
                return true;
        return false;
    }
    return false;
}

static const char *const role_fields[] = {"role", "scope_kind", "scope_ref", NULL};

static int post_role(struct req *r)
{
    const struct principal *p = req_principal(r);
    int64_t id;
    const char *role, *kind, *ref = "";
    if (user_id_or_reply(r, &id) || json_in_only_or_reply(r, r->json, NULL, role_fields) ||
        json_in_string(r, r->json, NULL, "role", 32, true, &role) < 0 ||
        json_in_string(r, r->json, NULL, "scope_kind", 16, true, &kind) < 0 ||
        json_in_string(r, r->json, NULL, "scope_ref", 64, false, &ref) < 0)
        return r->status;
    unsigned bit = role_bit(role);
    if (!bit)
        return reply_error(r, 422, "invalid_field", "role",
                           "role is staff, provider, merchant, dispatcher, region_admin, "
                           "grid_manager, mentor or system_admin");
    bool global = strcmp(kind, "global") == 0;
    if ((bit == ROLE_SYSTEM_ADMIN) != global ||
        (!global && strcmp(kind, "site") && strcmp(kind, "region") && strcmp(kind, "department") &&
         strcmp(kind, "organization")))
        return reply_error(r, 422, "invalid_field", "scope_kind",
                           "system_admin is global; other roles are scoped to a site, region, "
                           "department or organization");
    if (!global && !*ref)
        return reply_error(r, 422, "missing_field", "scope_ref",
                           "name the site, region or department");
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    /* Sites and regions are held by id: they must exist now. */
    struct grant_target t = {0};
    if (strcmp(kind, "site") == 0) {
        if (!is_id_text(ref))
            return reply_error(r, 422, "invalid_field", "scope_ref",
                               "a site is named by its id (digits, e.g. \"12\")");
        t.site_id = strtoll(ref, NULL, 10);
        if (!site_exists(c, &r->arena, t.site_id))
            return reply_error(r, 422, "unknown_site", "scope_ref", "no site has id %s", ref);
    } else if (strcmp(kind, "region") == 0) {
        int rc = region_id_by_code(c, &r->arena, ref, &t.region_id);
        if (rc == STORE_NOT_FOUND)
            return reply_error(r, 422, "unknown_region", "scope_ref", "no region has code %s", ref);
        if (rc)
            return reply_store_error(r, rc, "region");
    } else if (!global) {
        t.department = ref;
    }
    if (!may_manage_role(r, bit, kind, ref))
        return reply_error(r, 403, "out_of_scope", NULL, "you cannot grant this role there");
    struct user u;
    int rc = user_get(c, &r->arena, id, &u);
    int64_t gid = 0, ended = 0, now = clock_now();
    const char *who = arena_printf(&r->arena, "%lld", (long long)id);
    if (!rc)
        rc = store_begin(c);
    if (!rc) {
        rc = grant_add(c, &r->arena, id, role, kind, &t, p->user_id, now, &gid);
        /* Roles are used from password sign-ins only (signing in with a
         * code is refused to anyone holding one): sessions the grantee
         * started with a code end now rather than gain the role. */
        if (!rc)
            rc = session_revoke_by_code(c, id, now, &ended);
        if (!rc)
            rc = audit_add(c, p->user_id, "grant_role", "user", who, req_client_address(r),
                           arena_printf(&r->arena, "%s %s:%s; %lld sessions by code ended", role,
                                        kind, ref, (long long)ended),
                           now);
        if (!rc)
            rc = store_commit(c);
        else
            store_rollback(c);
    }
    if (rc)
        return reply_store_error(r, rc, "person");
    return reply_json(r, 201,
                      json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)gid, "role", role,
                                "scope_kind", kind, "scope_ref", ref));
}

static int delete_role(struct req *r)
{
    const struct principal *p = req_principal(r);
    int64_t id;
    if (user_id_or_reply(r, &id))
        return r->status;
    int64_t gid;
    if (req_param_id_or_reply(r, "gid", "grant", &gid))
        return r->status;
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    struct grant *g;
    int64_t *ids;
    size_t n;
    int rc = grant_list(c, &r->arena, id, &g, &ids, &n);
    if (rc)
        return reply_store_error(r, rc, "grant");
    size_t i = 0;
    while (i < n && ids[i] != gid)
        i++;
    if (i == n)
        return reply_error(r, 404, "not_found", NULL, "no such grant");
    if (!may_manage_role(r, g[i].role, g[i].kind, g[i].ref))
        return reply_error(r, 403, "out_of_scope", NULL, "you cannot revoke this role");
    int64_t now = clock_now();
    rc = grant_revoke(c, id, gid, p->user_id, now);
    if (rc)
        return reply_store_error(r, rc, "grant");
    audit_add(c, p->user_id, "revoke_role", "user", arena_printf(&r->arena, "%lld", (long long)id),
              req_client_address(r), arena_printf(&r->arena, "grant %lld", (long long)gid), now);
    return reply_empty(r, 204);
}

/* ?from= / ?to= (a local date, YYYY-MM-DD) as the Unix time the day
 * starts, or the next day when next_day; -1 when not asked. 0 or -1 after
 * replying. */
static int audit_day_or_reply(struct req *r, const char *name, bool next_day, int64_t *out)
{
    *out = -1;
    const char *v = req_query(r, name);
    int32_t d;
    if (!v || !*v)
        return 0;
    if (clock_parse_date(v, &d))
        return reply_error(r, 400, "invalid_query", name, "%s must be a date like 2026-12-01",
                           name),
               -1;
    int64_t days = clock_days_from_civil(d / 10000, d / 100 % 100, d % 100) + (next_day ? 1 : 0);
    *out = days * 86400 - (int64_t)r->app->cfg.tz_offset_min * 60;
    return 0;
}

/* A short text filter of the query (NULL when absent or empty); 0 or -1. */
static int audit_text_or_reply(struct req *r, const char *name, const char **out)
{
    const char *v = req_query(r, name);
    *out = v && *v ? v : NULL;
    if (*out && strlen(*out) > 100)
        return reply_error(r, 400, "invalid_query", name, "%s may be at most 100 bytes", name), -1;
    return 0;
}

/* GET /api/audit ?limit=&action=&target_type=&actor=&from=&to=&q=&before=
 * Newest first; next_before pages on when the page was full. */
static int get_audit(struct req *r)
{
    struct audit_query q = {0};
    const char *text = NULL;
    if (req_query_int_or_reply(r, "limit", 1, 1000, 100, &q.limit) ||
        req_query_int_or_reply(r, "actor", 0, INT64_MAX, 0, &q.actor_id) ||
        req_query_int_or_reply(r, "before", 0, INT64_MAX, 0, &q.before_id) ||
        audit_text_or_reply(r, "action", &q.action) ||
        audit_text_or_reply(r, "target_type", &q.target_type) ||
        audit_text_or_reply(r, "q", &text) || audit_day_or_reply(r, "from", false, &q.from) ||
        audit_day_or_reply(r, "to", true, &q.to))
        return r->status;
    if (text)
        q.like = text_like_contains(&r->arena, text);
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    struct audit_entry *es;
    size_t n;
    int rc = audit_search(c, &r->arena, &q, &es, &n);
    if (rc)
        return reply_store_error(r, rc, "audit log");
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++) {
        char when[40];
        json_t *o =
            json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s}", "id", (json_int_t)es[i].id, "at",
                      clock_format_iso(es[i].at, r->app->cfg.tz_offset_min, when, sizeof when),
                      "action", es[i].action, "target_type", es[i].target_type, "target_id",
                      es[i].target_id, "address", es[i].address, "detail", es[i].detail);
        json_object_set_new(o, "actor_id",
                            es[i].actor_id ? json_integer(es[i].actor_id) : json_null());
        json_array_append_new(items, o);
    }
    json_t *out = json_pack("{s:o}", "items", items);
    if (n && (int64_t)n == q.limit)
        json_object_set_new(out, "next_before", json_integer(es[n - 1].id));
    return reply_json(r, 200, out);
}

/* ---- module ------------------------------------------------------------ */

static int account_init(struct app *app, void **state)
{
    struct account_state *st = calloc(1, sizeof(*st));
    if (!st)
        die_oom();
    char err[256];
    if (account_key_load(app->cfg.secret_file, st->key, err, sizeof err)) {
        log_error("%s", err);
        free(st);
        return -1;
    }
    if (account_totp_init()) {
        log_error("liboath could not start");
        free(st);
        return -1;
    }
    *state = st;
    app->auth = &account_auth;
    return 0;
}

static void account_release(struct app *app, void *state)
{
    struct account_state *st = state;
    if (!st)
        return;
    sodium_memzero(st->key, sizeof st->key);
    free(st);
    app->auth = NULL;
}

#define STAFF_AND_ADMINS (ROLE_STAFF | ACCESS_ADMIN)

static const struct route account_routes[] = {
    {HTTP_POST, "/api/auth/otp", post_otp, ACCESS_PUBLIC, BODY_JSON, SCOPE_ANY},
    {HTTP_POST, "/api/auth/register", post_register, ACCESS_PUBLIC, BODY_JSON, SCOPE_ANY},
    {HTTP_POST, "/api/auth/login", post_login, ACCESS_PUBLIC, BODY_JSON, SCOPE_ANY},
    {HTTP_POST, "/api/auth/logout", post_logout, ACCESS_SIGNED_IN, BODY_NONE, SCOPE_ANY},
    {HTTP_POST, "/api/auth/logout-all", post_logout_all, ACCESS_SIGNED_IN, BODY_NONE, SCOPE_ANY},
    {HTTP_GET, "/api/me", get_me, ACCESS_SIGNED_IN, BODY_NONE, SCOPE_ANY},
    {HTTP_PATCH, "/api/me", patch_me, ACCESS_SIGNED_IN, BODY_JSON, SCOPE_ANY},
    {HTTP_DELETE, "/api/me", delete_me, ACCESS_SIGNED_IN, BODY_NONE, SCOPE_ANY},
    {HTTP_GET, "/api/me/export", get_my_export, ACCESS_SIGNED_IN, BODY_NONE, SCOPE_ANY},
    {HTTP_GET, "/api/me/qr", get_my_qr, ACCESS_SIGNED_IN, BODY_NONE, SCOPE_ANY},
    {HTTP_POST, "/api/qr/verify", post_qr_verify, STAFF_AND_ADMINS, BODY_JSON, SCOPE_ANY},
    {HTTP_GET, "/api/me/sessions", get_my_sessions, ACCESS_SIGNED_IN, BODY_NONE, SCOPE_ANY},
    {HTTP_DELETE, "/api/me/sessions/{id}", delete_my_session, ACCESS_SIGNED_IN, BODY_NONE,
     SCOPE_ANY},
    {HTTP_GET, "/api/users", get_users, STAFF_AND_ADMINS, BODY_NONE, SCOPE_ANY},
    {HTTP_POST, "/api/users/{id}/verification", post_verification, STAFF_AND_ADMINS, BODY_JSON,
     SCOPE_ANY},
    {HTTP_POST, "/api/users/{id}/roles", post_role, ACCESS_ADMIN, BODY_JSON, SCOPE_ANY},
    {HTTP_DELETE, "/api/users/{id}/roles/{gid}", delete_role, ACCESS_ADMIN, BODY_NONE, SCOPE_ANY},
    {HTTP_GET, "/api/audit", get_audit, ACCESS_SYSTEM, BODY_NONE, SCOPE_ANY},
    {HTTP_POST, "/api/auth/totp", account_post_auth_totp, ACCESS_PUBLIC, BODY_JSON, SCOPE_ANY},
    {HTTP_POST, "/api/auth/totp/enrol", account_post_auth_totp_enrol, ACCESS_PUBLIC, BODY_JSON,
     SCOPE_ANY},
    {HTTP_GET, "/api/me/totp", account_get_my_totp, ACCOUNT_TOTP_ROLES, BODY_NONE, SCOPE_ANY},
    {HTTP_POST, "/api/me/totp", account_post_my_totp, ACCOUNT_TOTP_ROLES, BODY_NONE, SCOPE_ANY},
    {HTTP_POST, "/api/me/totp/confirm", account_post_my_totp_confirm, ACCOUNT_TOTP_ROLES, BODY_JSON,
     SCOPE_ANY},
    {HTTP_POST, "/api/me/totp/disable", account_post_my_totp_disable, ACCOUNT_TOTP_ROLES, BODY_JSON,
     SCOPE_ANY},
    {HTTP_POST, "/api/me/totp/recovery-codes", account_post_my_recovery_codes, ACCOUNT_TOTP_ROLES,
     BODY_JSON, SCOPE_ANY},
    {HTTP_DELETE, "/api/users/{id}/totp", account_delete_user_totp, ACCESS_SYSTEM, BODY_NONE,
     SCOPE_ANY},
};

/* Run one of the account commands once per PHONE given (tests and
 * scripts make hundreds of people in one process): the options before
 * and between the phones go to every call. */
static int for_each_phone(struct app *app, int argc, char **argv,
                          int (*one)(struct app *, int, char **))
{
    char **args = calloc((size_t)argc + 1, sizeof *args);
    if (!args)
        die_oom();
    int nopt = 0, phones = 0;
    for (int i = 0; i < argc; i++) {
        if (argv[i][0] == '-') {
            args[nopt++] = argv[i];
            if (strcmp(argv[i], "--admin") != 0 && i + 1 < argc)
                args[nopt++] = argv[++i];
        } else {
            phones++;
        }
    }
    int rc = 0;
    for (int i = 0; i < argc && !rc; i++) {
        if (argv[i][0] == '-') {
            if (strcmp(argv[i], "--admin") != 0)
                i++;
            continue;
        }
        args[nopt] = argv[i];
        rc = one(app, nopt + 1, args);
    }
    if (!phones)
        rc = one(app, nopt, args); /* says what is missing */
    free(args);
    return rc;
}

static int cmd_user(struct app *app, int argc, char **argv)
{
    if (argc < 1 || strcmp(argv[0], "add") != 0) {
        fputs("usage: warmharbor user add [--admin] [--password PW] PHONE...\n", stderr);
        return 2;
    }
    return for_each_phone(app, argc - 1, argv + 1, account_cli_user_add);
}

static int cmd_token(struct app *app, int argc, char **argv)
{
    if (argc < 1 || strcmp(argv[0], "create") != 0) {
        fputs("usage: warmharbor token create [--days N] PHONE...\n", stderr);
        return 2;
    }
    return for_each_phone(app, argc - 1, argv + 1, account_cli_token_create);
}

static const struct module_command account_commands[] = {
    {"user", cmd_user, "warmharbor user add [--db PATH] [--admin] [--password PW] PHONE...",
     "Add a person for each PHONE given (or give an existing one a password).\n"
     "--admin makes them a system admin: the first admin is made this way. An\n"
     "admin without --password gets a generated one, printed once.\n",
     true},
    {"token", cmd_token, "warmharbor token create [--db PATH] [--days N] PHONE...",
     "Make a bearer token for an API client acting as PHONE (default 30 days),\n"
     "a line for each PHONE given, in their order. It is printed once; only its\n"
     "hash is stored.\n",
     true},
};

const struct module account_module = {
    .commands = account_commands,
    .ncommands = sizeof account_commands / sizeof account_commands[0],
    .name = "account",
    .routes = account_routes,
    .nroutes = sizeof account_routes / sizeof account_routes[0],
    .init = account_init,
    .release = account_release,
};
