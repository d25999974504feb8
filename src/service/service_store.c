/*
 * service_store.c - the SQL of the service catalogue: the taxonomy,
 * organizations, services with their required documents, and services at
 * sites; rows mapped to the structs of service.h. Organization and
 * category codes are resolved to ids here; an unknown one is a
 * SERVICE_INVALID fault.
 */
#include <stdio.h>
#include <string.h>

#include "service/service.h"
#include "store/store.h"

/* ---- SQL ----------------------------------------------------------------- */

static const char sql_categories[] =
    "SELECT c.id, c.code, p.code, c.path, c.name_zh, c.name_en, "
    "c.description_zh,"
    " c.description_en, c.position FROM service_categories c"
    " LEFT JOIN service_categories p ON p.id = c.parent_id ORDER BY "
    "c.position, c.id";
static const char sql_category[] =
    "SELECT c.id, c.code, p.code, c.path, c.name_zh, c.name_en, "
    "c.description_zh,"
    " c.description_en, c.position FROM service_categories c"
    " LEFT JOIN service_categories p ON p.id = c.parent_id WHERE c.code = $1";
static const char sql_category_id[] = "SELECT id FROM service_categories WHERE code = $1";

#define ORG_COLS                                                                                   \
    "id, code, uuid, name_zh, name_en, description_zh, description_en, "                           \
    "phone, email,"                                                                                \
    " website, contact_name, is_demo, created_at, updated_at"
static const char sql_org_get[] = "SELECT " ORG_COLS " FROM organizations WHERE code = $1";
static const char sql_org_by_uuid[] = "SELECT " ORG_COLS " FROM organizations WHERE uuid = $1";
#define ORG_FILTER                                                                                 \
    " WHERE (CAST($1 AS TEXT) IS NULL OR name_zh LIKE $1 ESCAPE '\\'"                              \
    " OR lower(name_en) LIKE lower($1) ESCAPE '\\' OR description_zh LIKE $1 "                     \
    "ESCAPE '\\'"                                                                                  \
    " OR lower(description_en) LIKE lower($1) ESCAPE '\\' OR code LIKE $1 "                        \
    "ESCAPE '\\')"
static const char sql_org_list[] =
    "SELECT " ORG_COLS " FROM organizations" ORG_FILTER " ORDER BY code LIMIT $2 OFFSET $3";
static const char sql_org_count[] = "SELECT COUNT(*) FROM organizations" ORG_FILTER;
static const char sql_org_id[] = "SELECT id FROM organizations WHERE code = $1";
static const char sql_org_insert[] =
    "INSERT INTO organizations (code, uuid, name_zh, name_en, description_zh, "
    "description_en,"
    " phone, email, website, contact_name, is_demo, created_at, updated_at)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) "
    "RETURNING id";
static const char sql_org_update[] =
    "UPDATE organizations SET name_zh = $2, name_en = $3, description_zh = $4,"
    " description_en = $5, phone = $6, email = $7, website = $8, contact_name "
    "= $9,"
    " updated_at = $10 WHERE id = $1";

#define SVC_COLS                                                                                   \
    "s.id, s.uuid, o.id, o.code, o.uuid, o.name_zh, o.name_en, "                                   \
    "o.description_zh,"                                                                            \
    " o.description_en, c.id, c.code, c.path, c.name_zh, c.name_en, "                              \
    "c.description_zh,"                                                                            \
    " c.description_en, s.name_zh, s.name_en, s.description_zh, "                                  \
    "s.description_en,"                                                                            \
    " s.eligibility_zh, s.eligibility_en, s.fees_zh, s.fees_en, s.free, "                          \
    "s.languages,"                                                                                 \
    " s.phone, s.email, s.url, s.contact_name, s.requires_verified, "                              \
    "s.status, s.is_demo,"                                                                         \
    " s.created_at, s.updated_at"
#define SVC_NCOLS 35
#define SVC_FROM                                                                                   \
    " FROM services s JOIN organizations o ON o.id = s.organization_id"                            \
    " JOIN service_categories c ON c.id = s.category_id"
#define SVC_FILTER                                                                                 \
    " WHERE (CAST($1 AS TEXT) IS NULL OR c.path LIKE $1)"                                          \
    " AND (CAST($2 AS BIGINT) = 0 OR EXISTS (SELECT 1 FROM service_locations "                     \
    "x"                                                                                            \
    " WHERE x.service_id = s.id AND x.site_id = $2))"                                              \
    " AND (CAST($3 AS BIGINT) = 0 OR s.organization_id = $3)"                                      \
    " AND (CAST($4 AS TEXT) IS NULL OR s.name_zh LIKE $4 ESCAPE '\\'"                              \
    " OR lower(s.name_en) LIKE lower($4) ESCAPE '\\' OR s.description_zh "                         \
    "LIKE $4 ESCAPE '\\'"                                                                          \
    " OR lower(s.description_en) LIKE lower($4) ESCAPE '\\')"                                      \
    " AND (CAST($5 AS TEXT) IS NULL OR s.status = $5)"                                             \
    " AND s.updated_at >= $6"
static const char sql_svc_search[] =
    "SELECT " SVC_COLS SVC_FROM SVC_FILTER " ORDER BY s.id LIMIT $7 OFFSET $8";
static const char sql_svc_count[] = "SELECT COUNT(*)" SVC_FROM SVC_FILTER;
static const char sql_svc_get[] = "SELECT " SVC_COLS SVC_FROM " WHERE s.id = $1";
static const char sql_svc_by_uuid[] = "SELECT " SVC_COLS SVC_FROM " WHERE s.uuid = $1";
static const char sql_svc_org_code[] =
    "SELECT o.code FROM services s JOIN organizations o ON o.id = "
    "s.organization_id"
    " WHERE s.id = $1";
static const char sql_svc_documents[] =
    "SELECT document_zh, document_en FROM service_documents WHERE service_id = "
    "$1"
    " ORDER BY position";
static const char sql_svc_insert[] =
    "INSERT INTO services (organization_id, category_id, name_zh, name_en, "
    "description_zh,"
    " description_en, eligibility_zh, eligibility_en, fees_zh, fees_en, free, "
    "languages,"
    " phone, email, url, contact_name, requires_verified, status, is_demo, "
    "created_at,"
    " updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, "
    "$13, $14, $15,"
    " $16, $17, $18, $19, $20, $20) RETURNING id";
static const char sql_svc_set_uuid[] = "UPDATE services SET uuid = $2 WHERE id = $1";
static const char sql_svc_update[] =
    "UPDATE services SET organization_id = $1, category_id = $2, name_zh = $3, "
    "name_en = $4,"
    " description_zh = $5, description_en = $6, eligibility_zh = $7, "
    "eligibility_en = $8,"
    " fees_zh = $9, fees_en = $10, free = $11, languages = $12, phone = $13, "
    "email = $14,"
    " url = $15, contact_name = $16, requires_verified = $17, status = $18, "
    "is_demo = $19,"
    " updated_at = $20 WHERE id = $21";
static const char sql_svc_clear_documents[] = "DELETE FROM service_documents WHERE service_id = $1";
static const char sql_svc_add_document[] =
    "INSERT INTO service_documents (service_id, position, document_zh, "
    "document_en)"
    " VALUES ($1, $2, $3, $4)";
/* Refused (no row) while an offering names the service: the foreign key
 * of 0025 would refuse it too, but this way the caller can tell why. */
static const char sql_svc_delete[] =
    "DELETE FROM services WHERE id = $1"
    " AND NOT EXISTS (SELECT 1 FROM offerings o WHERE o.service_id = $1)";
static const char sql_svc_exists[] = "SELECT 1 FROM services WHERE id = $1";
/* The demo replaces its services: offerings that named one lose the link
 * first (the booking demo, which runs next, replaces its own offerings). */
static const char sql_svc_unlink_demo[] =
    "UPDATE offerings SET service_id = NULL"
    " WHERE service_id IN (SELECT id FROM services WHERE is_demo = 1)";
static const char sql_svc_delete_demo[] = "DELETE FROM services WHERE is_demo = 1";

#define SITE_COLS                                                                                  \
    "si.id, si.name_zh, si.name_en, t.code, si.address_zh, si.address_en, "                        \
    "si.lat, si.lon,"                                                                              \
    " si.phone, si.status, si.status_until"
#define LOC_COLS                                                                                   \
    "l.service_id, l.uuid, l.opening_hours, l.note_zh, l.note_en, "                                \
    "l.created_at,"                                                                                \
    " l.updated_at, " SITE_COLS
#define LOC_NCOLS 18
#define LOC_FROM                                                                                   \
    " FROM service_locations l JOIN sites si ON si.id = l.site_id"                                 \
    " JOIN site_types t ON t.id = si.type_id"
static const char sql_loc_list[] =
    "SELECT " LOC_COLS LOC_FROM " WHERE l.service_id = $1 ORDER BY l.site_id";
static const char sql_loc_get[] =
    "SELECT " LOC_COLS LOC_FROM " WHERE l.service_id = $1 AND l.site_id = $2";
static const char sql_loc_by_uuid[] = "SELECT " LOC_COLS LOC_FROM " WHERE l.uuid = $1";
#define LOC_SEARCH_FROM                                                                            \
    LOC_FROM " JOIN services s ON s.id = l.service_id"                                             \
             " JOIN organizations o ON o.id = s.organization_id"                                   \
             " JOIN service_categories c ON c.id = s.category_id" SVC_FILTER                       \
             " AND (CAST($7 AS BIGINT) = 0 OR si.status IN"                                        \
             " ('operational', 'partly_operational', 'temporarily_closed'))"
static const char sql_loc_search[] = "SELECT " SVC_COLS ", " LOC_COLS LOC_SEARCH_FROM
                                     " ORDER BY l.service_id, l.site_id LIMIT $8 OFFSET $9";
static const char sql_loc_count[] = "SELECT COUNT(*)" LOC_SEARCH_FROM;
static const char sql_loc_insert[] =
    "INSERT INTO service_locations (service_id, site_id, uuid, opening_hours, "
    "note_zh,"
    " note_en, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)"
    " ON CONFLICT (service_id, site_id) DO NOTHING";
static const char sql_loc_update[] =
    "UPDATE service_locations SET opening_hours = $3, note_zh = $4, note_en = "
    "$5,"
    " updated_at = $6 WHERE service_id = $1 AND site_id = $2";
static const char sql_loc_delete[] =
    "DELETE FROM service_locations WHERE service_id = $1 AND site_id = $2";
/* Only active services put a site on the map's category filter. */
static const char sql_site_links[] =
    "SELECT l.service_id, l.site_id, s.category_id FROM service_locations l"
    " JOIN services s ON s.id = l.service_id WHERE s.status = 'active'"
    " AND (CAST($1 AS BIGINT) = 0 OR l.service_id = $1) ORDER BY l.service_id, l.site_id";
static const char sql_site_get[] =
    "SELECT " SITE_COLS " FROM sites si JOIN site_types t ON t.id = si.type_id WHERE si.id = $1";

/* ---- rows ---------------------------------------------------------------- */

static void row_to_category(const struct store_rows *r, size_t i, struct service_category *c)
{
    c->id = store_int(r, i, 0);
    c->code = store_text(r, i, 1);
    c->parent_code = store_text(r, i, 2);
    c->path = store_text(r, i, 3);
    c->name_zh = store_text(r, i, 4);
    c->name_en = store_text(r, i, 5);
    c->description_zh = store_text(r, i, 6);
    c->description_en = store_text(r, i, 7);
    c->position = (int)store_int(r, i, 8);
}

static void row_to_org(const struct store_rows *r, size_t i, struct organization *o)
{
    o->id = store_int(r, i, 0);
    o->code = store_text(r, i, 1);
    o->uuid = store_text(r, i, 2);
    o->name_zh = store_text(r, i, 3);
    o->name_en = store_text(r, i, 4);
    o->description_zh = store_text(r, i, 5);
    o->description_en = store_text(r, i, 6);
    o->phone = store_text(r, i, 7);
    o->email = store_text(r, i, 8);
    o->website = store_text(r, i, 9);
    o->contact_name = store_text(r, i, 10);
    o->is_demo = store_int(r, i, 11) != 0;
    o->created_at = store_int(r, i, 12);
    o->updated_at = store_int(r, i, 13);
}

/* SVC_COLS from column k on. */
static void row_to_service(const struct store_rows *r, size_t i, size_t k, struct service *s)
{
    memset(s, 0, sizeof(*s));
    s->id = store_int(r, i, k + 0);
    s->uuid = store_text(r, i, k + 1);
    s->org.id = store_int(r, i, k + 2);
    s->org.code = store_text(r, i, k + 3);
    s->org.uuid = store_text(r, i, k + 4);
    s->org.name_zh = store_text(r, i, k + 5);
    s->org.name_en = store_text(r, i, k + 6);
    s->org.description_zh = store_text(r, i, k + 7);
    s->org.description_en = store_text(r, i, k + 8);
    s->category.id = store_int(r, i, k + 9);
    s->category.code = store_text(r, i, k + 10);
    s->category.path = store_text(r, i, k + 11);
    s->category.name_zh = store_text(r, i, k + 12);
    s->category.name_en = store_text(r, i, k + 13);
    s->category.description_zh = store_text(r, i, k + 14);
    s->category.description_en = store_text(r, i, k + 15);
    s->name_zh = store_text(r, i, k + 16);
    s->name_en = store_text(r, i, k + 17);
    s->description_zh = store_text(r, i, k + 18);
    s->description_en = store_text(r, i, k + 19);
    s->eligibility_zh = store_text(r, i, k + 20);
    s->eligibility_en = store_text(r, i, k + 21);
    s->fees_zh = store_text(r, i, k + 22);
    s->fees_en = store_text(r, i, k + 23);
    s->free = store_int(r, i, k + 24) != 0;
    s->languages = store_text(r, i, k + 25);
    s->phone = store_text(r, i, k + 26);
    s->email = store_text(r, i, k + 27);
    s->url = store_text(r, i, k + 28);
    s->contact_name = store_text(r, i, k + 29);
    s->requires_verified = store_int(r, i, k + 30) != 0;
    s->status = store_text(r, i, k + 31);
    s->is_demo = store_int(r, i, k + 32) != 0;
    s->created_at = store_int(r, i, k + 33);
    s->updated_at = store_int(r, i, k + 34);
}

/* SITE_COLS from column k on. */
static void row_to_site(const struct store_rows *r, size_t i, size_t k, struct service_site *s)
{
    s->id = store_int(r, i, k + 0);
    s->name_zh = store_text(r, i, k + 1);
    s->name_en = store_text(r, i, k + 2);
    s->type_code = store_text(r, i, k + 3);
    s->address_zh = store_text(r, i, k + 4);
    s->address_en = store_text(r, i, k + 5);
    s->lat = store_real(r, i, k + 6);
    s->lon = store_real(r, i, k + 7);
    s->phone = store_text(r, i, k + 8);
    s->status = store_text(r, i, k + 9);
    s->has_until = !store_is_null(r, i, k + 10);
    s->status_until = store_int(r, i, k + 10);
}

/* LOC_COLS from column k on. */
static void row_to_location(const struct store_rows *r, size_t i, size_t k,
                            struct service_location *l)
{
    l->service_id = store_int(r, i, k + 0);
    l->uuid = store_text(r, i, k + 1);
    l->opening_hours = store_text(r, i, k + 2);
    l->note_zh = store_text(r, i, k + 3);
    l->note_en = store_text(r, i, k + 4);
    l->created_at = store_int(r, i, k + 5);
    l->updated_at = store_int(r, i, k + 6);
    row_to_site(r, i, k + 7, &l->site);
}

/* Run sql and expect one row: STORE_NOT_FOUND without one. */
static int query_one(struct store_conn *c, struct arena *a, const char *sql,
                     const struct store_val *p, size_t np, struct store_rows *rows)
{
    int rc = store_query(c, a, sql, p, np, rows);
    if (!rc && !rows->nrows)
        rc = STORE_NOT_FOUND;
    return rc;
}

static int count_rows(struct store_conn *c, struct arena *a, const char *sql,
                      const struct store_val *p, size_t np, int64_t *total)
{
    struct store_rows rows;
    int rc = query_one(c, a, sql, p, np, &rows);
    if (!rc)
        *total = store_int(&rows, 0, 0);
    return rc;
}

/* ---- taxonomy ------------------------------------------------------------ */

int category_list(struct store_conn *c, struct arena *a, struct service_category **out, size_t *n)
{
    struct store_rows rows;
    int rc = store_query(c, a, sql_categories, NULL, 0, &rows);
    if (rc)
        return rc;
    *n = rows.nrows;
    *out = arena_calloc(a, rows.nrows ? rows.nrows : 1, sizeof(**out));
    for (size_t i = 0; i < rows.nrows; i++)
        row_to_category(&rows, i, &(*out)[i]);
    return STORE_OK;
}

int category_get(struct store_conn *c, struct arena *a, const char *code,
                 struct service_category *out)
{
    struct store_val p[] = {SV_TEXT(code)};
    struct store_rows rows;
    int rc = query_one(c, a, sql_category, p, 1, &rows);
    if (!rc)
        row_to_category(&rows, 0, out);
    return rc;
}

/* ---- organizations ------------------------------------------------------- */

int organization_get(struct store_conn *c, struct arena *a, const char *code,
                     struct organization *out)
{
    struct store_val p[] = {SV_TEXT(code)};
    struct store_rows rows;
    int rc = query_one(c, a, sql_org_get, p, 1, &rows);
    if (!rc)
        row_to_org(&rows, 0, out);
    return rc;
}

int organization_get_by_uuid(struct store_conn *c, struct arena *a, const char *uuid,
                             struct organization *out)
{
    struct store_val p[] = {SV_TEXT(uuid)};
    struct store_rows rows;
    int rc = query_one(c, a, sql_org_by_uuid, p, 1, &rows);
    if (!rc)
        row_to_org(&rows, 0, out);
    return rc;
}

int organization_list(struct store_conn *c, struct arena *a, const char *text, int64_t limit,
                      int64_t offset, struct organization **out, size_t *n, int64_t *total)
{
    struct store_val p[] = {SV_TEXT_OR_NULL(text), SV_INT(limit), SV_INT(offset)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_org_list, p, 3, &rows);
    if (!rc)
        rc = count_rows(c, a, sql_org_count, p, 1, total);
    if (rc)
        return rc;
    *n = rows.nrows;
    *out = arena_calloc(a, rows.nrows ? rows.nrows : 1, sizeof(**out));
    for (size_t i = 0; i < rows.nrows; i++)
        row_to_org(&rows, i, &(*out)[i]);
    return STORE_OK;
}

int organization_insert(struct store_conn *c, struct arena *a, struct organization *o, int64_t now)
{
    o->uuid = service_uuidf(a, "organization:%s", o->code);
    struct store_val p[] = {
        SV_TEXT(o->code),         SV_TEXT(o->uuid),           SV_TEXT(o->name_zh),
        SV_TEXT(o->name_en),      SV_TEXT(o->description_zh), SV_TEXT(o->description_en),
        SV_TEXT(o->phone),        SV_TEXT(o->email),          SV_TEXT(o->website),
        SV_TEXT(o->contact_name), SV_INT(o->is_demo),         SV_INT(now)};
    struct store_rows rows;
    int rc = query_one(c, a, sql_org_insert, p, 12, &rows);
    if (rc)
        return rc;
    o->id = store_int(&rows, 0, 0);
    o->created_at = o->updated_at = now;
    return STORE_OK;
}

int organization_update(struct store_conn *c, const struct organization *o, int64_t now)
{
    struct store_val p[] = {SV_INT(o->id),
                            SV_TEXT(o->name_zh),
                            SV_TEXT(o->name_en),
                            SV_TEXT(o->description_zh),
                            SV_TEXT(o->description_en),
                            SV_TEXT(o->phone),
                            SV_TEXT(o->email),
                            SV_TEXT(o->website),
                            SV_TEXT(o->contact_name),
                            SV_INT(now)};
    int64_t changed = 0;
    int rc = store_exec(c, sql_org_update, p, 10, &changed);
    if (!rc && changed != 1)
        rc = STORE_NOT_FOUND;
    return rc;
}

/* ---- services ------------------------------------------------------------ */

static int load_documents(struct store_conn *c, struct arena *a, struct service *s)
{
    struct store_val p[] = {SV_INT(s->id)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_svc_documents, p, 1, &rows);
    if (rc)
        return rc;
    s->ndocuments = rows.nrows;
    s->documents = arena_calloc(a, rows.nrows ? rows.nrows : 1, sizeof(*s->documents));
    for (size_t i = 0; i < rows.nrows; i++) {
        s->documents[i].zh = store_text(&rows, i, 0);
        s->documents[i].en = store_text(&rows, i, 1);
    }
    return STORE_OK;
}

static int get_one(struct store_conn *c, struct arena *a, const char *sql, struct store_val key,
                   struct service *out)
{
    struct store_rows rows;
    int rc = query_one(c, a, sql, &key, 1, &rows);
    if (rc)
        return rc;
    row_to_service(&rows, 0, 0, out);
    return load_documents(c, a, out);
}

int service_get(struct store_conn *c, struct arena *a, int64_t id, struct service *out)
{
    return get_one(c, a, sql_svc_get, SV_INT(id), out);
}

int service_get_by_uuid(struct store_conn *c, struct arena *a, const char *uuid,
                        struct service *out)
{
    return get_one(c, a, sql_svc_by_uuid, SV_TEXT(uuid), out);
}

int service_org_code(struct store_conn *c, struct arena *a, int64_t id, const char **code)
{
    struct store_val p[] = {SV_INT(id)};
    struct store_rows rows;
    int rc = query_one(c, a, sql_svc_org_code, p, 1, &rows);
    if (!rc)
        *code = store_text(&rows, 0, 0);
    return rc;
}

/* The filter's parameters $1..$6, then extra, limit and offset: every
 * statement numbers its parameters without gaps (PostgreSQL must see each
 * one used), and a count uses a prefix of them. */
static size_t query_params(const struct service_query *q, const struct store_val *extra,
                           struct store_val p[9])
{
    p[0] = SV_TEXT_OR_NULL(q->category_path);
    p[1] = SV_INT(q->site_id);
    p[2] = SV_INT(q->organization_id);
    p[3] = SV_TEXT_OR_NULL(q->text);
    p[4] = SV_TEXT_OR_NULL(q->status);
    p[5] = SV_INT(q->modified_after);
    size_t n = 6;
    if (extra)
        p[n++] = *extra;
    p[n++] = SV_INT(q->limit > 0 ? q->limit : ((int64_t)1 << 40));
    p[n++] = SV_INT(q->offset);
    return n;
}

int service_search(struct store_conn *c, struct arena *a, const struct service_query *q,
                   struct service **out, size_t *n, int64_t *total)
{
    struct store_val p[9];
    size_t np = query_params(q, NULL, p);
    struct store_rows rows;
    int rc = store_query(c, a, sql_svc_search, p, np, &rows);
    if (!rc)
        rc = count_rows(c, a, sql_svc_count, p, 6, total);
    if (rc)
        return rc;
    *n = rows.nrows;
    *out = arena_calloc(a, rows.nrows ? rows.nrows : 1, sizeof(**out));
    for (size_t i = 0; i < rows.nrows; i++)
        row_to_service(&rows, i, 0, &(*out)[i]);
    return STORE_OK;
}

/* Resolve the organization and category codes of s into their ids. */
static int resolve_codes(struct store_conn *c, struct arena *a, struct service *s,
                         struct service_fault *f)
{
    struct store_val p[] = {SV_TEXT(s->org.code)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_org_id, p, 1, &rows);
    if (rc)
        return rc;
    if (!rows.nrows) {
        f->code = "unknown_organization";
        f->field = "organization";
        snprintf(f->message, sizeof f->message, "no organization has code %.64s", s->org.code);
        return SERVICE_INVALID;
    }
    s->org.id = store_int(&rows, 0, 0);
    p[0] = SV_TEXT(s->category.code);
    rc = store_query(c, a, sql_category_id, p, 1, &rows);
    if (rc)
        return rc;
    if (!rows.nrows) {
        f->code = "unknown_category";
        f->field = "category";
        snprintf(f->message, sizeof f->message, "no category has code %.64s", s->category.code);
        return SERVICE_INVALID;
    }
    s->category.id = store_int(&rows, 0, 0);
    return STORE_OK;
}

/* The service's columns $1..$20 of the insert and update. */
static void service_params(const struct service *s, int64_t now, struct store_val p[20])
{
    p[0] = SV_INT(s->org.id);
    p[1] = SV_INT(s->category.id);
    p[2] = SV_TEXT(s->name_zh);
    p[3] = SV_TEXT(s->name_en);
    p[4] = SV_TEXT(s->description_zh);
    p[5] = SV_TEXT(s->description_en);
    p[6] = SV_TEXT(s->eligibility_zh);
    p[7] = SV_TEXT(s->eligibility_en);
    p[8] = SV_TEXT(s->fees_zh);
    p[9] = SV_TEXT(s->fees_en);
    p[10] = SV_INT(s->free);
    p[11] = SV_TEXT(s->languages);
    p[12] = SV_TEXT(s->phone);
    p[13] = SV_TEXT(s->email);
    p[14] = SV_TEXT(s->url);
    p[15] = SV_TEXT(s->contact_name);
    p[16] = SV_INT(s->requires_verified);
    p[17] = SV_TEXT(s->status);
    p[18] = SV_INT(s->is_demo);
    p[19] = SV_INT(now);
}

static int put_documents(struct store_conn *c, const struct service *s)
{
    struct store_val p[4] = {SV_INT(s->id)};
    int rc = store_exec(c, sql_svc_clear_documents, p, 1, NULL);
    for (size_t i = 0; !rc && i < s->ndocuments; i++) {
        p[1] = SV_INT((int64_t)i);
        p[2] = SV_TEXT(s->documents[i].zh);
        p[3] = SV_TEXT(s->documents[i].en ? s->documents[i].en : "");
        rc = store_exec(c, sql_svc_add_document, p, 4, NULL);
    }
    return rc;
}

int service_insert(struct store_conn *c, struct arena *a, struct service *s, int64_t now,
                   struct service_fault *f)
{
    int rc = resolve_codes(c, a, s, f);
    if (rc)
        return rc;
    struct store_val p[20];
    service_params(s, now, p);
    struct store_rows rows;
    rc = query_one(c, a, sql_svc_insert, p, 20, &rows);
    if (rc)
        return rc;
    s->id = store_int(&rows, 0, 0);
    s->uuid = service_uuidf(a, "service:%lld", (long long)s->id);
    s->created_at = s->updated_at = now;
    struct store_val u[] = {SV_INT(s->id), SV_TEXT(s->uuid)};
    rc = store_exec(c, sql_svc_set_uuid, u, 2, NULL);
    return rc ? rc : put_documents(c, s);
}

int service_update(struct store_conn *c, struct arena *a, struct service *s, int64_t now,
                   struct service_fault *f)
{
    int rc = resolve_codes(c, a, s, f);
    if (rc)
        return rc;
    struct store_val p[21];
    service_params(s, now, p);
    p[20] = SV_INT(s->id);
    int64_t changed = 0;
    rc = store_exec(c, sql_svc_update, p, 21, &changed);
    if (!rc && changed != 1)
        rc = STORE_NOT_FOUND;
    if (rc)
        return rc;
    s->updated_at = now;
    return put_documents(c, s);
}

int service_delete(struct store_conn *c, int64_t id)
{
    struct store_val p[] = {SV_INT(id)};
    int64_t changed = 0;
    int rc = store_exec(c, sql_svc_delete, p, 1, &changed);
    if (rc || changed == 1)
        return rc;
    struct arena a;
    arena_init(&a);
    struct store_rows rows;
    rc = store_query(c, &a, sql_svc_exists, p, 1, &rows);
    if (!rc)
        rc = rows.nrows ? SERVICE_IN_USE : STORE_NOT_FOUND;
    arena_release(&a);
    return rc;
}

int service_delete_demo(struct store_conn *c)
{
    int rc = store_exec(c, sql_svc_unlink_demo, NULL, 0, NULL);
    return rc ? rc : store_exec(c, sql_svc_delete_demo, NULL, 0, NULL);
}

/* ---- services at sites --------------------------------------------------- */

static int locations_of(struct store_conn *c, struct arena *a, const char *sql,
                        const struct store_val *p, size_t np, struct service_location **out,
                        size_t *n)
{
    struct store_rows rows;
    int rc = store_query(c, a, sql, p, np, &rows);
    if (rc)
        return rc;
    *n = rows.nrows;
    *out = arena_calloc(a, rows.nrows ? rows.nrows : 1, sizeof(**out));
    for (size_t i = 0; i < rows.nrows; i++)
        row_to_location(&rows, i, 0, &(*out)[i]);
    return STORE_OK;
}

int location_list(struct store_conn *c, struct arena *a, int64_t service_id,
                  struct service_location **out, size_t *n)
{
    struct store_val p[] = {SV_INT(service_id)};
    return locations_of(c, a, sql_loc_list, p, 1, out, n);
}

int location_get(struct store_conn *c, struct arena *a, int64_t service_id, int64_t site_id,
                 struct service_location *out)
{
    struct store_val p[] = {SV_INT(service_id), SV_INT(site_id)};
    struct service_location *l;
    size_t n;
    int rc = locations_of(c, a, sql_loc_get, p, 2, &l, &n);
    if (!rc && !n)
        rc = STORE_NOT_FOUND;
    if (!rc)
        *out = l[0];
    return rc;
}

int location_get_by_uuid(struct store_conn *c, struct arena *a, const char *uuid,
                         struct service_location *out)
{
    struct store_val p[] = {SV_TEXT(uuid)};
    struct service_location *l;
    size_t n;
    int rc = locations_of(c, a, sql_loc_by_uuid, p, 1, &l, &n);
    if (!rc && !n)
        rc = STORE_NOT_FOUND;
    if (!rc)
        *out = l[0];
    return rc;
}

int location_search(struct store_conn *c, struct arena *a, const struct service_query *q,
                    bool in_service, struct service **services, struct service_location **locs,
                    size_t *n, int64_t *total)
{
    struct store_val p[9], in = SV_INT(in_service);
    size_t np = query_params(q, &in, p);
    struct store_rows rows;
    int rc = store_query(c, a, sql_loc_search, p, np, &rows);
    if (!rc && total)
        rc = count_rows(c, a, sql_loc_count, p, 7, total);
    if (rc)
        return rc;
    *n = rows.nrows;
    *services = arena_calloc(a, rows.nrows ? rows.nrows : 1, sizeof(**services));
    *locs = arena_calloc(a, rows.nrows ? rows.nrows : 1, sizeof(**locs));
    for (size_t i = 0; i < rows.nrows; i++) {
        row_to_service(&rows, i, 0, &(*services)[i]);
        row_to_location(&rows, i, SVC_NCOLS, &(*locs)[i]);
    }
    return STORE_OK;
}

int location_put(struct store_conn *c, struct service_location *l, int64_t now, bool *created)
{
    struct store_val p[] = {
        SV_INT(l->service_id), SV_INT(l->site.id),  SV_TEXT(l->uuid), SV_TEXT(l->opening_hours),
        SV_TEXT(l->note_zh),   SV_TEXT(l->note_en), SV_INT(now)};
    int64_t changed = 0;
    int rc = store_exec(c, sql_loc_insert, p, 7, &changed);
    if (rc)
        return rc;
    *created = changed == 1;
    if (*created) {
        l->created_at = l->updated_at = now;
        return STORE_OK;
    }
    struct store_val u[] = {SV_INT(l->service_id), SV_INT(l->site.id),  SV_TEXT(l->opening_hours),
                            SV_TEXT(l->note_zh),   SV_TEXT(l->note_en), SV_INT(now)};
    rc = store_exec(c, sql_loc_update, u, 6, &changed);
    if (!rc && changed != 1)
        rc = STORE_NOT_FOUND;
    l->updated_at = now;
    return rc;
}

int location_delete(struct store_conn *c, int64_t service_id, int64_t site_id)
{
    struct store_val p[] = {SV_INT(service_id), SV_INT(site_id)};
    int64_t changed = 0;
    int rc = store_exec(c, sql_loc_delete, p, 2, &changed);
    if (!rc && changed != 1)
        rc = STORE_NOT_FOUND;
    return rc;
}

int service_site_get(struct store_conn *c, struct arena *a, int64_t site_id,
                     struct service_site *out)
{
    struct store_val p[] = {SV_INT(site_id)};
    struct store_rows rows;
    int rc = query_one(c, a, sql_site_get, p, 1, &rows);
    if (!rc)
        row_to_site(&rows, 0, 0, out);
    return rc;
}

int service_site_links(struct store_conn *c, struct arena *a, int64_t service_id,
                       struct service_site_link **out, size_t *n)
{
    struct store_val p[] = {SV_INT(service_id)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_site_links, p, 1, &rows);
    if (rc)
        return rc;
    *out = arena_calloc(a, rows.nrows + 1, sizeof(**out));
    for (size_t i = 0; i < rows.nrows; i++) {
        (*out)[i].service_id = store_int(&rows, i, 0);
        (*out)[i].site_id = store_int(&rows, i, 1);
        (*out)[i].category_id = store_int(&rows, i, 2);
    }
    *n = rows.nrows;
    return STORE_OK;
}
