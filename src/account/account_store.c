/*
 * account_store.c - SQL for people, grants, sessions, one-time codes,
 * consents and the audit log.
 */
#include <string.h>

#include "account/account.h"
#include "store/store.h"

#define USER_COLS                                                                                  \
    "id, phone, display_name, occupation, platforms, verification,"                                \
    " verified_by, verified_at, password_hash, created_at, verified_site_id"

static const char sql_user_get[] =
    "SELECT " USER_COLS " FROM users WHERE id = $1 AND erased_at IS NULL";
static const char sql_user_by_phone[] =
    "SELECT " USER_COLS " FROM users WHERE phone = $1 AND erased_at IS NULL";
static const char sql_user_insert[] =
    "INSERT INTO users (phone, display_name, occupation, platforms, password_hash,"
    " created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id";
static const char sql_user_password[] =
    "UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3";
static const char sql_user_profile[] =
    "UPDATE users SET display_name = $1, occupation = $2, platforms = $3,"
    " updated_at = $4 WHERE id = $5 AND erased_at IS NULL";
/* Only workers are verified: nobody holding a role (checked in the same
 * statement, so a grant made meanwhile cannot slip through). */
static const char sql_user_verify[] =
    "UPDATE users SET verification = $1, verified_by = $2, verified_at = $3,"
    " verified_site_id = $5, updated_at = $3 WHERE id = $4 AND erased_at IS NULL"
    " AND NOT EXISTS (SELECT 1 FROM role_grants WHERE user_id = $4 AND revoked_at IS NULL)";
static const char sql_user_id_number_set[] =
    "UPDATE users SET id_number_enc = $1, updated_at = $2 WHERE id = $3";
static const char sql_user_id_number_get[] = "SELECT id_number_enc FROM users WHERE id = $1";
/* $1: a LIKE pattern for names (and for phones when $3 = 1); $4: a whole
 * phone number, or NULL. */
static const char sql_user_search[] =
    "SELECT " USER_COLS " FROM users WHERE erased_at IS NULL"
    " AND (display_name LIKE $1 ESCAPE '\\' OR ($3 = 1 AND phone LIKE $1 ESCAPE '\\')"
    " OR phone = $4)"
    " ORDER BY id LIMIT $2";
/* A grant names its site or region by id; the API's scope_ref is the site
 * id as text or the region's code of today (department codes are kept as
 * text). */
#define GRANT_REF                                                                                  \
    "CASE WHEN g.site_id IS NOT NULL THEN CAST(g.site_id AS TEXT)"                                 \
    " WHEN g.region_id IS NOT NULL THEN gr.code ELSE g.scope_ref END"
#define GRANT_FROM " FROM role_grants g LEFT JOIN regions gr ON gr.id = g.region_id"
static const char sql_grants[] =
    "SELECT g.id, g.role, g.scope_kind, " GRANT_REF GRANT_FROM
    " WHERE g.user_id = $1 AND g.revoked_at IS NULL"
    " AND (g.scope_kind <> 'site' OR g.site_id IS NOT NULL)"
    " AND (g.scope_kind <> 'region' OR gr.id IS NOT NULL) ORDER BY g.id";
static const char sql_grant_add[] =
    "INSERT INTO role_grants (user_id, role, scope_kind, scope_ref, site_id, region_id,"
    " granted_by, granted_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id";
static const char sql_site_exists[] = "SELECT 1 FROM sites WHERE id = $1";
static const char sql_region_id[] = "SELECT id FROM regions WHERE code = $1";
static const char sql_grant_revoke[] = "UPDATE role_grants SET revoked_by = $1, revoked_at = $2"
                                       " WHERE id = $3 AND user_id = $4 AND revoked_at IS NULL";
static const char sql_session_insert[] =
    "INSERT INTO sessions (user_id, token_hash, kind, created_at, expires_at,"
    " last_seen_at, user_agent, sign_in) VALUES ($1, $2, $3, $4, $5, $4, $6, $7)"
    " RETURNING id";
#define SESSION_COLS "id, user_id, kind, created_at, expires_at, last_seen_at, user_agent, sign_in"
static const char sql_session_by_hash[] =
    "SELECT " SESSION_COLS
    " FROM sessions WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > $2";
/* Seen again: at most one write per session every ACCOUNT_SEEN_EVERY_S,
 * and the WHERE keeps two requests at once from both writing. */
static const char sql_session_seen[] =
    "UPDATE sessions SET last_seen_at = $1 WHERE id = $2 AND last_seen_at < $3";
static const char sql_session_list[] =
    "SELECT " SESSION_COLS
    " FROM sessions WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $2"
    " ORDER BY id";
static const char sql_session_revoke[] =
    "UPDATE sessions SET revoked_at = $1 WHERE id = $2 AND user_id = $3"
    " AND revoked_at IS NULL";
static const char sql_session_revoke_all[] =
    "UPDATE sessions SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL";
static const char sql_session_revoke_others[] =
    "UPDATE sessions SET revoked_at = $1 WHERE user_id = $2 AND id <> $3"
    " AND revoked_at IS NULL";
static const char sql_session_revoke_by_code[] =
    "UPDATE sessions SET revoked_at = $1 WHERE user_id = $2 AND sign_in = 'code'"
    " AND revoked_at IS NULL";
static const char sql_otp_delete[] = "DELETE FROM otp_codes WHERE phone = $1 AND purpose = $2";
static const char sql_otp_insert[] =
    "INSERT INTO otp_codes (phone, purpose, code_hash, created_at, expires_at)"
    " VALUES ($1, $2, $3, $4, $5)";
static const char sql_otp_get[] = "SELECT code_hash, expires_at, attempts FROM otp_codes"
                                  " WHERE phone = $1 AND purpose = $2";
static const char sql_otp_attempt[] =
    "UPDATE otp_codes SET attempts = attempts + 1 WHERE phone = $1 AND purpose = $2";
static const char sql_consent[] =
    "INSERT INTO consents (user_id, kind, text_version, agreed_at) VALUES ($1, $2, $3, $4)";
static const char sql_audit[] =
    "INSERT INTO audit_log (at, actor_id, action, target_type, target_id, address, detail)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7)";
static const char sql_region_site[] = "SELECT 1 FROM sites s JOIN regions r ON r.id = s.region_id"
                                      " JOIN regions g ON g.code = $2 WHERE s.id = $1"
                                      " AND substr(r.path, 1, length(g.path)) = g.path";
static const char sql_region_below[] =
    "SELECT 1 FROM regions r JOIN regions g ON g.code = $2 WHERE r.code = $1"
    " AND r.id <> g.id AND substr(r.path, 1, length(g.path)) = g.path";
static const char sql_region_region[] =
    "SELECT 1 FROM regions r JOIN regions g ON g.code = $2 WHERE r.code = $1"
    " AND substr(r.path, 1, length(g.path)) = g.path";

static void row_to_user(const struct store_rows *rows, size_t i, struct user *u,
                        const char **password_hash)
{
    memset(u, 0, sizeof(*u));
    u->id = store_int(rows, i, 0);
    u->phone = store_text(rows, i, 1);
    u->display_name = store_text(rows, i, 2);
    u->occupation = store_text(rows, i, 3);
    u->platforms = store_text(rows, i, 4);
    u->verification = store_text(rows, i, 5);
    u->verified_by = store_int(rows, i, 6);
    u->verified_at = store_int(rows, i, 7);
    u->has_password = !store_is_null(rows, i, 8);
    if (password_hash)
        *password_hash = store_text(rows, i, 8);
    u->created_at = store_int(rows, i, 9);
    u->verified_site_id = store_int(rows, i, 10);
}

int user_get(struct store_conn *c, struct arena *a, int64_t id, struct user *out)
{
    struct store_val p[] = {SV_INT(id)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_user_get, p, 1, &rows);
    if (rc)
        return rc;
    if (!rows.nrows)
        return STORE_NOT_FOUND;
    row_to_user(&rows, 0, out, NULL);
    return STORE_OK;
}

int user_by_phone(struct store_conn *c, struct arena *a, const char *phone, struct user *out,
                  const char **password_hash)
{
    struct store_val p[] = {SV_TEXT(phone)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_user_by_phone, p, 1, &rows);
    if (rc)
        return rc;
    if (!rows.nrows)
        return STORE_NOT_FOUND;
    row_to_user(&rows, 0, out, password_hash);
    return STORE_OK;
}

int user_insert(struct store_conn *c, struct arena *a, struct user *u, const char *password_hash,
                int64_t now)
{
    struct store_val p[] = {SV_TEXT(u->phone),
                            SV_TEXT(u->display_name ? u->display_name : ""),
                            SV_TEXT(u->occupation ? u->occupation : "other"),
                            SV_TEXT(u->platforms ? u->platforms : ""),
                            SV_TEXT_OR_NULL(password_hash),
                            SV_INT(now)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_user_insert, p, 6, &rows);
    if (!rc)
        u->id = store_int(&rows, 0, 0);
    return rc;
}

int user_demo_person(struct store_conn *c, struct arena *a, const char *phone, const char *name,
                     const char *occupation, int64_t now, int64_t *id)
{
    struct user u = {0};
    const char *hash;
    int rc = user_by_phone(c, a, phone, &u, &hash);
    if (rc == STORE_NOT_FOUND) {
        memset(&u, 0, sizeof u);
        u.phone = phone;
        u.display_name = name;
        u.occupation = occupation;
        rc = user_insert(c, a, &u, NULL, now);
    }
    *id = u.id;
    return rc;
}

int user_set_password(struct store_conn *c, int64_t id, const char *password_hash, int64_t now)
{
    struct store_val p[] = {SV_TEXT_OR_NULL(password_hash), SV_INT(now), SV_INT(id)};
    return store_exec(c, sql_user_password, p, 3, NULL);
}

int user_set_id_number(struct store_conn *c, int64_t id, const char *sealed, int64_t now)
{
    struct store_val p[] = {SV_TEXT_OR_NULL(sealed), SV_INT(now), SV_INT(id)};
    return store_exec(c, sql_user_id_number_set, p, 3, NULL);
}

const char *user_id_number_sealed(struct store_conn *c, struct arena *a, int64_t id)
{
    struct store_val p[] = {SV_INT(id)};
    struct store_rows rows;
    if (store_query(c, a, sql_user_id_number_get, p, 1, &rows) || !rows.nrows)
        return NULL;
    return store_text(&rows, 0, 0);
}

int user_update_profile(struct store_conn *c, const struct user *u, int64_t now)
{
    struct store_val p[] = {SV_TEXT(u->display_name), SV_TEXT(u->occupation), SV_TEXT(u->platforms),
                            SV_INT(now), SV_INT(u->id)};
    return store_exec(c, sql_user_profile, p, 5, NULL);
}

int user_set_verification(struct store_conn *c, struct arena *a, int64_t id, const char *state,
                          int64_t by, int64_t site_id, int64_t now)
{
    struct store_val p[] = {SV_TEXT(state), SV_INT(by), SV_INT(now), SV_INT(id),
                            site_id ? SV_INT(site_id) : SV_NULL};
    int64_t n = 0;
    int rc = store_exec(c, sql_user_verify, p, 5, &n);
    if (rc || n)
        return rc;
    struct user u;
    rc = user_get(c, a, id, &u);
    return rc ? rc : STORE_CONFLICT;
}

int user_search(struct store_conn *c, struct arena *a, const char *pattern, bool phone_parts,
                const char *phone, int64_t limit, struct user **out, size_t *n)
{
    struct store_val p[] = {SV_TEXT(pattern), SV_INT(limit), SV_INT(phone_parts ? 1 : 0),
                            SV_TEXT_OR_NULL(phone)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_user_search, p, 4, &rows);
    if (rc)
        return rc;
    *n = rows.nrows;
    *out = arena_calloc(a, rows.nrows + 1, sizeof(**out));
    for (size_t i = 0; i < rows.nrows; i++)
        row_to_user(&rows, i, &(*out)[i], NULL);
    return STORE_OK;
}

int grant_list(struct store_conn *c, struct arena *a, int64_t user_id, struct grant **out,
               int64_t **ids, size_t *n)
{
    struct store_val p[] = {SV_INT(user_id)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_grants, p, 1, &rows);
    if (rc)
        return rc;
    *n = rows.nrows;
    *out = arena_calloc(a, rows.nrows + 1, sizeof(**out));
    if (ids)
        *ids = arena_calloc(a, rows.nrows + 1, sizeof(**ids));
    for (size_t i = 0; i < rows.nrows; i++) {
        if (ids)
            (*ids)[i] = store_int(&rows, i, 0);
        (*out)[i].role = role_bit(store_text(&rows, i, 1));
        (*out)[i].kind = store_text(&rows, i, 2);
        (*out)[i].ref = store_text(&rows, i, 3);
    }
    return STORE_OK;
}

int grant_add(struct store_conn *c, struct arena *a, int64_t user_id, const char *role,
              const char *kind, const struct grant_target *t, int64_t by, int64_t now, int64_t *id)
{
    struct store_val p[] = {SV_INT(user_id),
                            SV_TEXT(role),
                            SV_TEXT(kind),
                            SV_TEXT(t->department ? t->department : ""),
                            t->site_id ? SV_INT(t->site_id) : SV_NULL,
                            t->region_id ? SV_INT(t->region_id) : SV_NULL,
                            by ? SV_INT(by) : SV_NULL,
                            SV_INT(now)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_grant_add, p, 8, &rows);
    if (!rc && id)
        *id = store_int(&rows, 0, 0);
    return rc;
}

bool site_exists(struct store_conn *c, struct arena *a, int64_t site_id)
{
    struct store_val p[] = {SV_INT(site_id)};
    struct store_rows rows;
    return store_query(c, a, sql_site_exists, p, 1, &rows) == STORE_OK && rows.nrows > 0;
}

int region_id_by_code(struct store_conn *c, struct arena *a, const char *code, int64_t *id)
{
    struct store_val p[] = {SV_TEXT(code)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_region_id, p, 1, &rows);
    if (rc)
        return rc;
    if (!rows.nrows)
        return STORE_NOT_FOUND;
    *id = store_int(&rows, 0, 0);
    return STORE_OK;
}

int grant_revoke(struct store_conn *c, int64_t user_id, int64_t grant_id, int64_t by, int64_t now)
{
    struct store_val p[] = {SV_INT(by), SV_INT(now), SV_INT(grant_id), SV_INT(user_id)};
    int64_t n = 0;
    int rc = store_exec(c, sql_grant_revoke, p, 4, &n);
    return rc ? rc : n ? STORE_OK : STORE_NOT_FOUND;
}

int session_insert(struct store_conn *c, struct arena *a, int64_t user_id, const char *kind,
                   const char *sign_in, const char *token_hash, const char *user_agent, int64_t now,
                   int64_t expires_at, int64_t *id)
{
    struct store_val p[] = {SV_INT(user_id),    SV_TEXT(token_hash), SV_TEXT(kind),   SV_INT(now),
                            SV_INT(expires_at), SV_TEXT(user_agent), SV_TEXT(sign_in)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_session_insert, p, 7, &rows);
    if (!rc)
        *id = store_int(&rows, 0, 0);
    return rc;
}

static void row_to_session(const struct store_rows *rows, size_t i, struct session *s)
{
    s->id = store_int(rows, i, 0);
    s->user_id = store_int(rows, i, 1);
    s->kind = store_text(rows, i, 2);
    s->created_at = store_int(rows, i, 3);
    s->expires_at = store_int(rows, i, 4);
    s->last_seen_at = store_int(rows, i, 5);
    s->user_agent = store_text(rows, i, 6);
    s->sign_in = store_text(rows, i, 7);
}

int session_by_hash(struct store_conn *c, struct arena *a, const char *token_hash, int64_t now,
                    struct session *out)
{
    struct store_val p[] = {SV_TEXT(token_hash), SV_INT(now)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_session_by_hash, p, 2, &rows);
    if (rc)
        return rc;
    if (!rows.nrows)
        return STORE_NOT_FOUND;
    row_to_session(&rows, 0, out);
    /* Keep last_seen_at roughly true, so that a session someone else is
     * using shows in the list; most requests need no write at all. */
    if (out->last_seen_at < now - ACCOUNT_SEEN_EVERY_S) {
        struct store_val u[] = {SV_INT(now), SV_INT(out->id), SV_INT(now - ACCOUNT_SEEN_EVERY_S)};
        if (store_exec(c, sql_session_seen, u, 3, NULL) == STORE_OK)
            out->last_seen_at = now;
    }
    return STORE_OK;
}

int session_list(struct store_conn *c, struct arena *a, int64_t user_id, int64_t now,
                 struct session **out, size_t *n)
{
    struct store_val p[] = {SV_INT(user_id), SV_INT(now)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_session_list, p, 2, &rows);
    if (rc)
        return rc;
    *n = rows.nrows;
    *out = arena_calloc(a, rows.nrows + 1, sizeof(**out));
    for (size_t i = 0; i < rows.nrows; i++)
        row_to_session(&rows, i, &(*out)[i]);
    return STORE_OK;
}

int session_revoke(struct store_conn *c, int64_t user_id, int64_t session_id, int64_t now)
{
    struct store_val p[] = {SV_INT(now), SV_INT(session_id), SV_INT(user_id)};
    int64_t n = 0;
    int rc = store_exec(c, sql_session_revoke, p, 3, &n);
    return rc ? rc : n ? STORE_OK : STORE_NOT_FOUND;
}

int session_revoke_all(struct store_conn *c, int64_t user_id, int64_t now)
{
    struct store_val p[] = {SV_INT(now), SV_INT(user_id)};
    return store_exec(c, sql_session_revoke_all, p, 2, NULL);
}

int session_revoke_others(struct store_conn *c, int64_t user_id, int64_t keep_id, int64_t now,
                          int64_t *n)
{
    struct store_val p[] = {SV_INT(now), SV_INT(user_id), SV_INT(keep_id)};
    return store_exec(c, sql_session_revoke_others, p, 3, n);
}

int session_revoke_by_code(struct store_conn *c, int64_t user_id, int64_t now, int64_t *n)
{
    struct store_val p[] = {SV_INT(now), SV_INT(user_id)};
    return store_exec(c, sql_session_revoke_by_code, p, 2, n);
}

int otp_put(struct store_conn *c, const char *phone, const char *purpose, const char *code_hash,
            int64_t now)
{
    struct store_val d[] = {SV_TEXT(phone), SV_TEXT(purpose)};
    struct store_val p[] = {SV_TEXT(phone), SV_TEXT(purpose), SV_TEXT(code_hash), SV_INT(now),
                            SV_INT(now + ACCOUNT_OTP_TTL_S)};
    int rc = store_exec(c, sql_otp_delete, d, 2, NULL);
    return rc ? rc : store_exec(c, sql_otp_insert, p, 5, NULL);
}

int otp_check(struct store_conn *c, struct arena *a, const char *phone, const char *purpose,
              const char *code_hash, int64_t now)
{
    struct store_val p[] = {SV_TEXT(phone), SV_TEXT(purpose)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_otp_get, p, 2, &rows);
    if (rc)
        return rc;
    if (!rows.nrows || store_int(&rows, 0, 1) <= now ||
        store_int(&rows, 0, 2) >= ACCOUNT_OTP_MAX_ATTEMPTS)
        return STORE_NOT_FOUND;
    if (!account_equal(store_text(&rows, 0, 0), code_hash)) {
        store_exec(c, sql_otp_attempt, p, 2, NULL);
        return STORE_CONFLICT;
    }
    return store_exec(c, sql_otp_delete, p, 2, NULL);
}

int consent_add(struct store_conn *c, int64_t user_id, const char *kind, const char *version,
                int64_t now)
{
    struct store_val p[] = {SV_INT(user_id), SV_TEXT(kind), SV_TEXT(version), SV_INT(now)};
    return store_exec(c, sql_consent, p, 4, NULL);
}

int audit_add(struct store_conn *c, int64_t actor, const char *action, const char *target_type,
              const char *target_id, const char *address, const char *detail, int64_t now)
{
    struct store_val p[] = {SV_INT(now),
                            actor ? SV_INT(actor) : SV_NULL,
                            SV_TEXT(action),
                            SV_TEXT(target_type ? target_type : ""),
                            SV_TEXT(target_id ? target_id : ""),
                            SV_TEXT(address ? address : ""),
                            SV_TEXT(detail ? detail : "")};
    return store_exec(c, sql_audit, p, 7, NULL);
}

/* ---- a person's own data: export and erasure ------------------------ */

static const char sql_my_consents[] =
    "SELECT kind, text_version, agreed_at FROM consents WHERE user_id = $1 ORDER BY id";
static const char sql_my_sessions_all[] =
    "SELECT id, kind, created_at, expires_at, last_seen_at, user_agent, revoked_at, sign_in"
    " FROM sessions WHERE user_id = $1 ORDER BY id";
static const char sql_my_grants_all[] =
    "SELECT g.id, g.role, g.scope_kind, " GRANT_REF ", g.granted_at, g.revoked_at" GRANT_FROM
    " WHERE g.user_id = $1 ORDER BY g.id";
/* What I did, and what others did to me: their addresses are theirs, not
 * mine to read. */
static const char sql_my_audit[] =
    "SELECT at, action, target_type, target_id,"
    " CASE WHEN actor_id = $1 THEN address ELSE '' END, detail FROM audit_log"
    " WHERE actor_id = $1 OR (target_type = 'user' AND target_id = $2) ORDER BY id";
static const char sql_erase_user[] =
    "UPDATE users SET phone = NULL, display_name = '', platforms = '', occupation = 'other',"
    " password_hash = NULL, id_number_enc = NULL, verification = 'unverified',"
    " verified_by = NULL, verified_at = NULL, verified_site_id = NULL, erased_at = $1,"
    " updated_at = $1 WHERE id = $2";
static const char sql_erase_sessions[] = "DELETE FROM sessions WHERE user_id = $1";
static const char sql_erase_otp[] = "DELETE FROM otp_codes WHERE phone = $1";
static const char sql_erase_grants[] =
    "UPDATE role_grants SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL";
static const char sql_erase_audit_addresses[] =
    "UPDATE audit_log SET address = '' WHERE actor_id = $1";

int account_export_rows(struct store_conn *c, struct arena *a, int64_t user_id,
                        struct store_rows *consents, struct store_rows *sessions,
                        struct store_rows *grants, struct store_rows *audit)
{
    struct store_val p[] = {SV_INT(user_id)};
    struct store_val q[] = {SV_INT(user_id), SV_TEXT(arena_printf(a, "%lld", (long long)user_id))};
    int rc = store_query(c, a, sql_my_consents, p, 1, consents);
    if (!rc)
        rc = store_query(c, a, sql_my_sessions_all, p, 1, sessions);
    if (!rc)
        rc = store_query(c, a, sql_my_grants_all, p, 1, grants);
    if (!rc)
        rc = store_query(c, a, sql_my_audit, q, 2, audit);
    return rc;
}

int account_erase(struct store_conn *c, int64_t user_id, const char *phone, int64_t now)
{
    struct store_val p[] = {SV_INT(now), SV_INT(user_id)};
    struct store_val id[] = {SV_INT(user_id)};
    struct store_val ph[] = {SV_TEXT(phone ? phone : "")};
    int rc = store_exec(c, sql_erase_user, p, 2, NULL);
    if (!rc)
        rc = store_exec(c, sql_erase_sessions, id, 1, NULL);
    if (!rc)
        rc = store_exec(c, sql_erase_otp, ph, 1, NULL);
    if (!rc)
        rc = store_exec(c, sql_erase_grants, p, 2, NULL);
    if (!rc)
        rc = store_exec(c, sql_erase_audit_addresses, id, 1, NULL);
    if (!rc)
        rc = totp_remove(c, user_id);
    return rc;
}

/* ---- failed sign-in counters ----------------------------------------- */

static const char sql_limit_get[] = "SELECT locked_until FROM auth_limits WHERE key = $1";
static const char sql_limit_bump[] =
    "UPDATE auth_limits SET"
    " count = CASE WHEN window_start < $2 THEN 1 ELSE count + 1 END,"
    " window_start = CASE WHEN window_start < $2 THEN $3 ELSE window_start END"
    " WHERE key = $1";
static const char sql_limit_insert[] =
    "INSERT INTO auth_limits (key, window_start, count, locked_until) VALUES ($1, $2, 1, 0)";
static const char sql_limit_lock[] =
    "UPDATE auth_limits SET locked_until = $2 WHERE key = $1 AND count >= $3";
static const char sql_limit_clear[] = "DELETE FROM auth_limits WHERE key = $1";
/* One statement takes from a budget: a new window starts at 1, the
 * current one counts up while it is under max; no row changed means
 * none is left (or the key is new). */
static const char sql_limit_take[] =
    "UPDATE auth_limits SET"
    " count = CASE WHEN window_start <= $2 THEN 1 ELSE count + 1 END,"
    " window_start = CASE WHEN window_start <= $2 THEN $3 ELSE window_start END"
    " WHERE key = $1 AND (window_start <= $2 OR count < $4)";
static const char sql_limit_window[] = "SELECT window_start FROM auth_limits WHERE key = $1";

int64_t limit_locked_until(struct store_conn *c, struct arena *a, const char *key)
{
    struct store_val p[] = {SV_TEXT(key)};
    struct store_rows rows;
    if (store_query(c, a, sql_limit_get, p, 1, &rows) || !rows.nrows)
        return 0;
    return store_int(&rows, 0, 0);
}

int limit_count_failure(struct store_conn *c, const char *key, int max, int64_t window_s,
                        int64_t now)
{
    struct store_val b[] = {SV_TEXT(key), SV_INT(now - window_s), SV_INT(now)};
    int64_t changed = 0;
    int rc = store_exec(c, sql_limit_bump, b, 3, &changed);
    if (!rc && !changed) {
        struct store_val i[] = {SV_TEXT(key), SV_INT(now)};
        rc = store_exec(c, sql_limit_insert, i, 2, NULL);
        if (rc == STORE_CONFLICT) /* another node inserted it first */
            rc = store_exec(c, sql_limit_bump, b, 3, NULL);
    }
    if (!rc) {
        struct store_val l[] = {SV_TEXT(key), SV_INT(now + window_s), SV_INT(max)};
        rc = store_exec(c, sql_limit_lock, l, 3, NULL);
    }
    return rc;
}

int limit_take(struct store_conn *c, struct arena *a, const char *key, int max, int64_t window_s,
               int64_t now, int64_t *retry_after)
{
    struct store_val t[] = {SV_TEXT(key), SV_INT(now - window_s), SV_INT(now), SV_INT(max)};
    int64_t changed = 0;
    int rc = store_exec(c, sql_limit_take, t, 4, &changed);
    if (!rc && !changed) {
        struct store_val i[] = {SV_TEXT(key), SV_INT(now)};
        rc = store_exec(c, sql_limit_insert, i, 2, NULL);
        if (!rc)
            return STORE_OK;
        if (rc == STORE_CONFLICT) /* it exists: spent, or another node made it */
            rc = store_exec(c, sql_limit_take, t, 4, &changed);
    }
    if (rc || changed)
        return rc;
    struct store_val k[] = {SV_TEXT(key)};
    struct store_rows rows;
    rc = store_query(c, a, sql_limit_window, k, 1, &rows);
    if (rc)
        return rc;
    int64_t left = rows.nrows ? store_int(&rows, 0, 0) + window_s - now : window_s;
    *retry_after = left > 0 ? left : 1;
    return STORE_CONFLICT;
}

int limit_clear(struct store_conn *c, const char *key)
{
    struct store_val p[] = {SV_TEXT(key)};
    return store_exec(c, sql_limit_clear, p, 1, NULL);
}

bool region_reaches_site(struct store_conn *c, struct arena *a, const char *region_code,
                         int64_t site_id)
{
    struct store_val p[] = {SV_INT(site_id), SV_TEXT(region_code)};
    struct store_rows rows;
    return store_query(c, a, sql_region_site, p, 2, &rows) == STORE_OK && rows.nrows > 0;
}

bool region_reaches_region(struct store_conn *c, struct arena *a, const char *region_code,
                           const char *target_code)
{
    struct store_val p[] = {SV_TEXT(target_code), SV_TEXT(region_code)};
    struct store_rows rows;
    return store_query(c, a, sql_region_region, p, 2, &rows) == STORE_OK && rows.nrows > 0;
}

static const char sql_audit_search[] =
    "SELECT id, at, actor_id, action, target_type, target_id, address, detail"
    " FROM audit_log"
    " WHERE (CAST($2 AS TEXT) IS NULL OR action = CAST($2 AS TEXT))"
    " AND (CAST($3 AS TEXT) IS NULL OR target_type = CAST($3 AS TEXT))"
    " AND ($4 = 0 OR actor_id = $4) AND ($5 < 0 OR at >= $5) AND ($6 < 0 OR at < $6)"
    " AND ($7 = 0 OR id < $7)"
    " AND (CAST($8 AS TEXT) IS NULL OR target_id LIKE CAST($8 AS TEXT) ESCAPE '\\'"
    " OR detail LIKE CAST($8 AS TEXT) ESCAPE '\\')"
    " ORDER BY id DESC LIMIT $1";

int audit_search(struct store_conn *c, struct arena *a, const struct audit_query *q,
                 struct audit_entry **out, size_t *n)
{
    struct store_val p[] = {SV_INT(q->limit),
                            SV_TEXT_OR_NULL(q->action),
                            SV_TEXT_OR_NULL(q->target_type),
                            SV_INT(q->actor_id),
                            SV_INT(q->from),
                            SV_INT(q->to),
                            SV_INT(q->before_id),
                            SV_TEXT_OR_NULL(q->like)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_audit_search, p, 8, &rows);
    if (rc)
        return rc;
    *n = rows.nrows;
    *out = arena_alloc(a, (rows.nrows ? rows.nrows : 1) * sizeof(**out));
    for (size_t i = 0; i < rows.nrows; i++) {
        struct audit_entry *e = &(*out)[i];
        e->id = store_int(&rows, i, 0);
        e->at = store_int(&rows, i, 1);
        e->actor_id = store_int(&rows, i, 2);
        e->action = store_text(&rows, i, 3);
        e->target_type = store_text(&rows, i, 4);
        e->target_id = store_text(&rows, i, 5);
        e->address = store_text(&rows, i, 6);
        e->detail = store_text(&rows, i, 7);
    }
    return STORE_OK;
}

bool region_below_region(struct store_conn *c, struct arena *a, const char *region_code,
                         const char *target_code)
{
    struct store_val p[] = {SV_TEXT(target_code), SV_TEXT(region_code)};
    struct store_rows rows;
    return store_query(c, a, sql_region_below, p, 2, &rows) == STORE_OK && rows.nrows > 0;
}

/* ---- second factor (TOTP) and recovery codes ------------------------- */

static const char sql_totp_get[] =
    "SELECT secret_enc, enabled_at, last_step FROM user_totp WHERE user_id = $1";
/* A new secret replaces one not yet confirmed, never an enabled one. */
static const char sql_totp_begin[] =
    "INSERT INTO user_totp (user_id, secret_enc, created_at) VALUES ($1, $2, $3)"
    " ON CONFLICT (user_id) DO UPDATE SET secret_enc = excluded.secret_enc,"
    " created_at = excluded.created_at, last_step = 0 WHERE user_totp.enabled_at IS NULL";
static const char sql_totp_enable[] =
    "UPDATE user_totp SET enabled_at = $2, last_step = $3"
    " WHERE user_id = $1 AND enabled_at IS NULL AND last_step < $3";
static const char sql_totp_take_step[] =
    "UPDATE user_totp SET last_step = $2"
    " WHERE user_id = $1 AND enabled_at IS NOT NULL AND last_step < $2";
static const char sql_totp_delete[] = "DELETE FROM user_totp WHERE user_id = $1";
static const char sql_recovery_delete[] = "DELETE FROM user_recovery_codes WHERE user_id = $1";
static const char sql_recovery_insert[] =
    "INSERT INTO user_recovery_codes (user_id, code_hash) VALUES ($1, $2)";
static const char sql_recovery_use[] = "UPDATE user_recovery_codes SET used_at = $3"
                                       " WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL";
static const char sql_recovery_left[] =
    "SELECT COUNT(*) FROM user_recovery_codes WHERE user_id = $1 AND used_at IS NULL";

int totp_get(struct store_conn *c, struct arena *a, int64_t user_id, struct totp_row *out)
{
    struct store_val p[] = {SV_INT(user_id)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_totp_get, p, 1, &rows);
    if (rc)
        return rc;
    if (!rows.nrows)
        return STORE_NOT_FOUND;
    out->secret_enc = store_text(&rows, 0, 0);
    out->enabled_at = store_is_null(&rows, 0, 1) ? 0 : store_int(&rows, 0, 1);
    out->last_step = store_int(&rows, 0, 2);
    return STORE_OK;
}

int totp_begin(struct store_conn *c, int64_t user_id, const char *secret_enc, int64_t now)
{
    struct store_val p[] = {SV_INT(user_id), SV_TEXT(secret_enc), SV_INT(now)};
    int64_t changed = 0;
    int rc = store_exec(c, sql_totp_begin, p, 3, &changed);
    if (!rc && !changed)
        return STORE_CONFLICT;
    return rc;
}

int totp_enable(struct store_conn *c, int64_t user_id, int64_t step, int64_t now)
{
    struct store_val p[] = {SV_INT(user_id), SV_INT(now), SV_INT(step)};
    int64_t changed = 0;
    int rc = store_exec(c, sql_totp_enable, p, 3, &changed);
    if (!rc && !changed)
        return STORE_CONFLICT;
    return rc;
}

int totp_take_step(struct store_conn *c, int64_t user_id, int64_t step)
{
    struct store_val p[] = {SV_INT(user_id), SV_INT(step)};
    int64_t changed = 0;
    int rc = store_exec(c, sql_totp_take_step, p, 2, &changed);
    if (!rc && !changed)
        return STORE_CONFLICT;
    return rc;
}

int totp_remove(struct store_conn *c, int64_t user_id)
{
    struct store_val p[] = {SV_INT(user_id)};
    int rc = store_exec(c, sql_totp_delete, p, 1, NULL);
    if (!rc)
        rc = store_exec(c, sql_recovery_delete, p, 1, NULL);
    return rc;
}

int recovery_replace(struct store_conn *c, int64_t user_id, const char *const *hashes, size_t n)
{
    struct store_val p[] = {SV_INT(user_id)};
    int rc = store_exec(c, sql_recovery_delete, p, 1, NULL);
    for (size_t i = 0; !rc && i < n; i++) {
        struct store_val v[] = {SV_INT(user_id), SV_TEXT(hashes[i])};
        rc = store_exec(c, sql_recovery_insert, v, 2, NULL);
    }
    return rc;
}

int recovery_use(struct store_conn *c, int64_t user_id, const char *hash, int64_t now)
{
    struct store_val p[] = {SV_INT(user_id), SV_TEXT(hash), SV_INT(now)};
    int64_t changed = 0;
    int rc = store_exec(c, sql_recovery_use, p, 3, &changed);
    if (!rc && !changed)
        return STORE_NOT_FOUND;
    return rc;
}

int64_t recovery_left(struct store_conn *c, struct arena *a, int64_t user_id)
{
    struct store_val p[] = {SV_INT(user_id)};
    struct store_rows rows;
    if (store_query(c, a, sql_recovery_left, p, 1, &rows) || !rows.nrows)
        return 0;
    return store_int(&rows, 0, 0);
}
