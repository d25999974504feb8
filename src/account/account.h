/*
 * account.h - people, their roles and sessions: phone sign-in with a
 * one-time code (and a password for staff and admins), sessions as an
 * HttpOnly cookie for the web app or a bearer token for API clients
 * (stored only as hashes), role grants scoped to a site, a region subtree
 * or a department, and the server key that signs CSRF tokens.
 */
#ifndef WH_ACCOUNT_ACCOUNT_H
#define WH_ACCOUNT_ACCOUNT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "http/http.h"

struct app;
struct store_conn;

#define ACCOUNT_SESSION_DAYS 30
#define ACCOUNT_OTP_TTL_S 300
#define ACCOUNT_OTP_MAX_ATTEMPTS 5
#define ACCOUNT_TOKEN_BYTES 32
#define ACCOUNT_SECRET_BYTES 32
#define ACCOUNT_QR_TTL_S 120
/* The privacy notice in force: registering consents to this version (the
 * web app reads it from GET /api/config; the notice's text is the web
 * app's). Bump it with the notice's text. */
#define ACCOUNT_PRIVACY_VERSION "2026-11"
#define ACCOUNT_SEEN_EVERY_S 300 /* a session's last_seen_at moves at most this often */

struct module;
extern const struct module account_module;

/* The module's state (app_state(app, &account_module)): the server key. */
struct account_state {
    unsigned char key[ACCOUNT_SECRET_BYTES];
};
/* The server key, from the module's state. */
const unsigned char *account_key(struct app *app);

struct user {
    int64_t id;
    const char *phone; /* NULL once erased */
    const char *display_name;
    const char *occupation;
    const char *platforms;
    const char *verification;
    int64_t verified_by, verified_at;
    int64_t verified_site_id; /* where staff checked them; 0 if not known */
    bool has_password;
    int64_t created_at;
};

struct session {
    int64_t id, user_id;
    const char *kind;
    int64_t created_at, expires_at, last_seen_at;
    const char *user_agent;
    const char *sign_in; /* how it was started: "password", "code" or "operator" */
};

/* ---- rules and crypto (account.c) ------------------------------------ */

/* Mainland mobile numbers: 11 digits starting with 1 (a leading +86 or 86
 * and spaces or dashes are dropped). Writes the normalised form into out
 * (12 bytes); 0 or -1. */
int account_phone_normalize(const char *in, char out[12]);
/* "138****1234". */
const char *account_phone_mask(struct arena *a, const char *phone);
/* A search term as the audit log keeps it: a phone number masked, and in
 * any other text every digit after the third replaced by '*'. */
const char *account_search_term_masked(struct arena *a, const char *q);
bool account_occupation_is_valid(const char *s);

/* Load (or create, 0600) the server key. 0 or -1 with a message. */
int account_key_load(const char *path, unsigned char key[ACCOUNT_SECRET_BYTES], char *err,
                     size_t errlen);
/* A fresh random token (base64url, no padding) into the arena. */
const char *account_token_new(struct arena *a);
/* The stored form of a token or code: hex BLAKE2b-256, keyed. */
const char *account_token_hash(struct arena *a, const unsigned char *key, const char *token);
/* argon2id; NULL on failure (out of memory in libsodium). */
const char *account_password_hash(struct arena *a, const char *password);
/* Without a hash (no such person, or no password) the check is still
 * made, against a stand-in, and false. */
bool account_password_ok(const char *hash, const char *password);
/* The CSRF token of a session: keyed hash of its id. */
const char *account_csrf_token(struct arena *a, const unsigned char *key, int64_t session_id);
/* Seal plaintext for storage or a token (XSalsa20-Poly1305 secretbox under
 * a key derived from the server key for purpose, e.g. "field" or "qr"):
 * base64url of nonce and box. account_unseal returns NULL when the text
 * was not sealed by us for that purpose or was altered. */
const char *account_seal(struct arena *a, const unsigned char *key, const char *purpose,
                         const char *plaintext);
const char *account_unseal(struct arena *a, const unsigned char *key, const char *purpose,
                           const char *sealed);
/* Six random digits. */
const char *account_otp_new(struct arena *a);

/* ---- second factor: TOTP, RFC 6238 (account_totp.c) ------------------ */

#define ACCOUNT_TOTP_PERIOD_S 30
#define ACCOUNT_TOTP_DIGITS 6
#define ACCOUNT_TOTP_SKEW 1 /* steps accepted either side of now (clock drift) */
#define ACCOUNT_RECOVERY_CODES 10

/* Start liboath (once, at start-up): 0 or -1. */
int account_totp_init(void);
/* A new secret: 20 random bytes (160 bits, RFC 4226's advice) in base32
 * without padding, as authenticator apps take it. */
const char *account_totp_secret_new(struct arena *a);
/* The code for time t (Unix seconds) under the base32 secret, HMAC-SHA1,
 * 6 digits, 30 s steps (what authenticator apps use by default), into
 * out (7 bytes). 0 or -1 (a secret that is not base32). */
int account_totp_code(const char *secret_b32, int64_t t, char out[ACCOUNT_TOTP_DIGITS + 1]);
/* The time step of the code that matches within ACCOUNT_TOTP_SKEW steps
 * of now, or -1. Every candidate is compared, in constant time. */
int64_t account_totp_match(const char *secret_b32, int64_t now, const char *code);
/* otpauth://totp/ISSUER:LABEL?secret=...&issuer=...&algorithm=SHA1&digits=6&period=30 */
const char *account_totp_uri(struct arena *a, const char *secret_b32, const char *label);
/* A recovery code: three groups of four lowercase letters and digits
 * joined by dashes ("k7qm-2vfp-x9rd"), without look-alikes (60 bits). */
const char *account_recovery_code_new(struct arena *a);
/* A recovery code as typed, normalised for hashing (case, spaces and
 * dashes dropped); NULL if it cannot be one. */
const char *account_recovery_code_normal(struct arena *a, const char *typed);
/* Constant-time string comparison. */
bool account_equal(const char *a, const char *b);

/* ---- store (account_store.c) ---------------------------------------- */

int user_get(struct store_conn *c, struct arena *a, int64_t id, struct user *out);
int user_by_phone(struct store_conn *c, struct arena *a, const char *phone, struct user *out,
                  const char **password_hash);
int user_insert(struct store_conn *c, struct arena *a, struct user *u, const char *password_hash,
                int64_t now);
/* A demo person (`warmharbor demo`): the one with that phone, made with
 * the name and occupation when missing (no password). *id gets theirs. */
int user_demo_person(struct store_conn *c, struct arena *a, const char *phone, const char *name,
                     const char *occupation, int64_t now, int64_t *id);
int user_set_password(struct store_conn *c, int64_t id, const char *password_hash, int64_t now);
int user_update_profile(struct store_conn *c, const struct user *u, int64_t now);
/* The ID-card number, stored sealed (account_seal "field"); NULL clears. */
int user_set_id_number(struct store_conn *c, int64_t id, const char *sealed, int64_t now);
const char *user_id_number_sealed(struct store_conn *c, struct arena *a, int64_t id);
/* Set a worker's verification (site_id: where they were checked, or 0).
 * STORE_NOT_FOUND: no such person; STORE_CONFLICT: they hold a role, so
 * they are no worker to verify. */
int user_set_verification(struct store_conn *c, struct arena *a, int64_t id, const char *state,
                          int64_t by, int64_t site_id, int64_t now);
/* People whose name matches the LIKE pattern, or whose phone is phone
 * (a whole number, or NULL), or, with phone_parts, whose phone matches the
 * pattern too. */
int user_search(struct store_conn *c, struct arena *a, const char *pattern, bool phone_parts,
                const char *phone, int64_t limit, struct user **out, size_t *n);

int grant_list(struct store_conn *c, struct arena *a, int64_t user_id, struct grant **out,
               int64_t **ids, size_t *n);
/* What a grant reaches: a site or a region (by id, so that it follows a
 * renamed region and goes with a deleted one), a department (by code), or
 * nothing (global). */
struct grant_target {
    int64_t site_id, region_id;
    const char *department;
};
int grant_add(struct store_conn *c, struct arena *a, int64_t user_id, const char *role,
              const char *kind, const struct grant_target *t, int64_t by, int64_t now, int64_t *id);
bool site_exists(struct store_conn *c, struct arena *a, int64_t site_id);
int region_id_by_code(struct store_conn *c, struct arena *a, const char *code, int64_t *id);
int grant_revoke(struct store_conn *c, int64_t user_id, int64_t grant_id, int64_t by, int64_t now);

/* sign_in: "password", "code" or "operator" (warmharbor token create). */
int session_insert(struct store_conn *c, struct arena *a, int64_t user_id, const char *kind,
                   const char *sign_in, const char *token_hash, const char *user_agent, int64_t now,
                   int64_t expires_at, int64_t *id);
/* The live session with this token hash, or STORE_NOT_FOUND. Its
 * last_seen_at is brought up to now when older than ACCOUNT_SEEN_EVERY_S. */
int session_by_hash(struct store_conn *c, struct arena *a, const char *token_hash, int64_t now,
                    struct session *out);
int session_list(struct store_conn *c, struct arena *a, int64_t user_id, int64_t now,
                 struct session **out, size_t *n);
int session_revoke(struct store_conn *c, int64_t user_id, int64_t session_id, int64_t now);
int session_revoke_all(struct store_conn *c, int64_t user_id, int64_t now);
/* End every live session of the person but keep_id; *n: how many. */
int session_revoke_others(struct store_conn *c, int64_t user_id, int64_t keep_id, int64_t now,
                          int64_t *n);
/* End the person's live sessions that were started with a code. */
int session_revoke_by_code(struct store_conn *c, int64_t user_id, int64_t now, int64_t *n);

int otp_put(struct store_conn *c, const char *phone, const char *purpose, const char *code_hash,
            int64_t now);
/* Check a code: 0 if right (and consumed), STORE_NOT_FOUND if none is
 * pending or it expired, STORE_CONFLICT if wrong (attempts counted; the
 * code dies after ACCOUNT_OTP_MAX_ATTEMPTS). */
int otp_check(struct store_conn *c, struct arena *a, const char *phone, const char *purpose,
              const char *code_hash, int64_t now);

int consent_add(struct store_conn *c, int64_t user_id, const char *kind, const char *version,
                int64_t now);
struct audit_entry {
    int64_t id, at;
    int64_t actor_id; /* 0: nobody (the system, or an erased person's) */
    const char *action, *target_type, *target_id, *address, *detail;
};
/* What GET /api/audit asks for: NULL / 0 / -1 for "any". */
struct audit_query {
    int64_t limit;
    const char *action, *target_type;
    int64_t actor_id;  /* 0: anyone */
    int64_t from, to;  /* at >= from, at < to (Unix seconds); -1: open */
    int64_t before_id; /* id < before_id (paging); 0: from the newest */
    const char *like;  /* a LIKE pattern (text_like_contains) for target_id or detail */
};
/* The newest entries that match q (at most q->limit), newest first. */
int audit_search(struct store_conn *c, struct arena *a, const struct audit_query *q,
                 struct audit_entry **out, size_t *n);
int audit_add(struct store_conn *c, int64_t actor, const char *action, const char *target_type,
              const char *target_id, const char *address, const char *detail, int64_t now);

/* A person's second factor: the sealed secret (account_seal "totp"), when
 * it was confirmed (0: enrolment started, not confirmed), and the newest
 * time step a code was accepted for. */
struct totp_row {
    const char *secret_enc;
    int64_t enabled_at, last_step;
};
int totp_get(struct store_conn *c, struct arena *a, int64_t user_id, struct totp_row *out);
/* Start (or restart) enrolment with a new secret; STORE_CONFLICT when a
 * confirmed one exists. */
int totp_begin(struct store_conn *c, int64_t user_id, const char *secret_enc, int64_t now);
/* Confirm enrolment with the step of a first right code; STORE_CONFLICT
 * when already confirmed (or nothing pending). */
int totp_enable(struct store_conn *c, int64_t user_id, int64_t step, int64_t now);
/* Spend a time step: STORE_OK only if it is later than every step used
 * before (one statement: a code is good once, even sent twice at once),
 * else STORE_CONFLICT. */
int totp_take_step(struct store_conn *c, int64_t user_id, int64_t step);
/* Drop the second factor and the recovery codes. */
int totp_remove(struct store_conn *c, int64_t user_id);
/* Replace the recovery codes with these n hashes (caller's transaction). */
int recovery_replace(struct store_conn *c, int64_t user_id, const char *const *hashes, size_t n);
/* Spend an unused recovery code: STORE_OK, or STORE_NOT_FOUND. */
int recovery_use(struct store_conn *c, int64_t user_id, const char *hash, int64_t now);
int64_t recovery_left(struct store_conn *c, struct arena *a, int64_t user_id);

struct store_rows;

/* Everything held about a person, for GET /api/me/export. */
int account_export_rows(struct store_conn *c, struct arena *a, int64_t user_id,
                        struct store_rows *consents, struct store_rows *sessions,
                        struct store_rows *grants, struct store_rows *audit);
/* Erase a person: identity gone from the user row (kept, anonymous, for
 * the records that point at it: consents, audit entries, verifications
 * they made), sessions and codes deleted, grants revoked, addresses
 * dropped from their audit entries. The caller holds a transaction. */
int account_erase(struct store_conn *c, int64_t user_id, const char *phone, int64_t now);

/* Failed sign-ins per key and budgets of code requests, shared by every
 * node through the store. */
int64_t limit_locked_until(struct store_conn *c, struct arena *a, const char *key);
int limit_count_failure(struct store_conn *c, const char *key, int max, int64_t window_s,
                        int64_t now);
int limit_clear(struct store_conn *c, const char *key);
/* Take one from a budget of max per window_s seconds: STORE_OK, or
 * STORE_CONFLICT with *retry_after (seconds) when it is spent. */
int limit_take(struct store_conn *c, struct arena *a, const char *key, int max, int64_t window_s,
               int64_t now, int64_t *retry_after);

/* Do grants of kind "region" (ref region_code) reach the site / region? */
bool region_reaches_site(struct store_conn *c, struct arena *a, const char *region_code,
                         int64_t site_id);
bool region_reaches_region(struct store_conn *c, struct arena *a, const char *region_code,
                           const char *target_code);
/* Is the target region strictly inside region_code's subtree (not the
 * region itself)? */
bool region_below_region(struct store_conn *c, struct arena *a, const char *region_code,
                         const char *target_code);

/* ---- shared by the account's HTTP files ------------------------------ */

/* Who may have a second factor: anyone holding a role. */
#define ACCOUNT_TOTP_ROLES                                                                         \
    (ROLE_STAFF | ROLE_PROVIDER | ROLE_MERCHANT | ROLE_DISPATCHER | ROLE_REGION_ADMIN |            \
     ROLE_SYSTEM_ADMIN | ROLE_GRID_MANAGER)
#define ACCOUNT_TOTP_CHALLENGE_S 300 /* the second step must follow within 5 minutes */

/* The caller's own user row, with a store connection; NULL after
 * replying (store unavailable, or the person is gone). */
struct store_conn *account_me_or_reply(struct req *r, struct user *u);
/* A key for the failure counters: a keyed hash of kind:value. */
const char *account_limit_key(struct req *r, const char *kind, const char *value);
/* Start a session and answer with it: a cookie for the web app, and the
 * bearer token in the body when asked for ("bearer": true). sign_in: how
 * the person proved who they are ("password" or "code"); factor: the
 * second factor used, or NULL; extra: members added to the answer (taken). */
int account_reply_session(struct req *r, struct store_conn *c, const struct user *u,
                          const char *sign_in, const char *factor, json_t *extra, int status);
/* After the first factor: a session, or, when the person has a second
 * factor (or is a system admin who must enrol one), 200 with
 * {second_factor: "totp" | "totp_enrol", challenge, expires_in}. */
int account_sign_in_or_challenge(struct req *r, struct store_conn *c, const struct user *u,
                                 const char *sign_in);
int account_post_auth_totp(struct req *r);
int account_post_auth_totp_enrol(struct req *r);
int account_get_my_totp(struct req *r);
int account_post_my_totp(struct req *r);
int account_post_my_totp_confirm(struct req *r);
int account_post_my_totp_disable(struct req *r);
int account_post_my_recovery_codes(struct req *r);
int account_delete_user_totp(struct req *r);

/* ---- command line (account_cli.c) ------------------------------------ */

/* warmharbor user add [--admin] [--password PW] PHONE */
int account_cli_user_add(struct app *app, int argc, char **argv);
/* warmharbor token create [--days N] PHONE: a bearer token for an API
 * client, printed once. */
int account_cli_token_create(struct app *app, int argc, char **argv);

#endif
