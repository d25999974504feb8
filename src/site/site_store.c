/*
 * site_store.c - SQL for sites, their amenities and photos, and the
 * mapping of rows to struct site. Codes (type, region, amenities) are
 * resolved to ids here; an unknown code is a SITE_INVALID fault.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/text.h"
#include "site/site.h"
#include "store/store.h"

#define SITE_COLS                                                                                  \
    "s.id, s.name_zh, s.name_en, t.code, t.tier, r.code, s.address_zh,"                            \
    " s.address_en, s.lat, s.lon, s.input_datum, s.phone, s.manager,"                              \
    " s.description, s.capacity, s.status, s.status_reason, s.status_until,"                       \
    " s.is_public, s.opening_hours, s.is_demo, s.created_at, s.updated_at"
#define SITE_FROM                                                                                  \
    " FROM sites s JOIN site_types t ON t.id = s.type_id"                                          \
    " LEFT JOIN regions r ON r.id = s.region_id"
#define SITE_HAS_AMENITY(n)                                                                        \
    " AND (CAST($" #n " AS TEXT) IS NULL OR EXISTS (SELECT 1 FROM site_amenities sa"               \
    " JOIN amenities a ON a.id = sa.amenity_id WHERE sa.site_id = s.id"                            \
    " AND a.code = $" #n " AND sa.count > 0))"
#define SITE_FILTER                                                                                \
    " WHERE (CAST($1 AS TEXT) IS NULL OR t.code = $1)"                                             \
    " AND (CAST($2 AS TEXT) IS NULL OR r.path LIKE $2)"                                            \
    " AND ((CAST($3 AS TEXT) IS NULL AND s.status <> 'removed') OR $3 = 'any'"                     \
    " OR s.status = $3)" SITE_HAS_AMENITY(4) SITE_HAS_AMENITY(5) SITE_HAS_AMENITY(6)               \
        SITE_HAS_AMENITY(7) " AND (CAST($8 AS TEXT) IS NULL OR s.name_zh LIKE $8 ESCAPE '\\'"      \
                            " OR lower(s.name_en) LIKE lower($8) ESCAPE '\\'"                      \
                            " OR s.address_zh LIKE $8 ESCAPE '\\'"                                 \
                            " OR lower(s.address_en) LIKE lower($8) ESCAPE '\\')"                  \
                            " AND s.id > $9"
#define SITE_PAGE " ORDER BY s.id LIMIT $10 OFFSET $11"

static const char sql_search[] = "SELECT " SITE_COLS SITE_FROM SITE_FILTER SITE_PAGE;
static const char sql_count[] = "SELECT COUNT(*)" SITE_FROM SITE_FILTER;
static const char sql_search_amenities[] =
    "SELECT sa.site_id, a.code, sa.count FROM site_amenities sa"
    " JOIN amenities a ON a.id = sa.amenity_id WHERE sa.site_id IN"
    " (SELECT s.id" SITE_FROM SITE_FILTER SITE_PAGE ") ORDER BY sa.site_id, a.id";
static const char sql_search_photos[] =
    "SELECT site_id, url FROM site_photos WHERE site_id IN"
    " (SELECT s.id" SITE_FROM SITE_FILTER SITE_PAGE ") ORDER BY site_id, position";
/* A cache's load: a page of every site by id, and the children of the
 * page's id range, each one plain range scan (no filter to run again). */
static const char sql_scan[] =
    "SELECT " SITE_COLS SITE_FROM " WHERE s.id > $1 ORDER BY s.id LIMIT $2";
/* Amenity ids, not codes: the primary key's order with no join and no
 * sort; the codes come from the (small) catalogue. */
static const char sql_scan_amenities[] =
    "SELECT site_id, amenity_id, count FROM site_amenities WHERE site_id > $1 AND site_id <= $2"
    " ORDER BY site_id, amenity_id";
static const char sql_amenity_codes[] = "SELECT id, code FROM amenities ORDER BY id";
/* The whole table in its own order: no index, so no second look-up per
 * row (SQLite's rows are not in the primary key's index). */
static const char sql_all_amenities[] = "SELECT site_id, amenity_id, count FROM site_amenities";
static const char sql_scan_photos[] =
    "SELECT site_id, url FROM site_photos"
    " WHERE site_id > $1 AND site_id <= $2 ORDER BY site_id, position";
static const char sql_get[] = "SELECT " SITE_COLS SITE_FROM " WHERE s.id = $1";
static const char sql_get_amenities[] =
    "SELECT sa.site_id, a.code, sa.count FROM site_amenities sa"
    " JOIN amenities a ON a.id = sa.amenity_id WHERE sa.site_id = $1 ORDER BY a.id";
static const char sql_get_photos[] =
    "SELECT site_id, url FROM site_photos WHERE site_id = $1 ORDER BY position";
static const char sql_region_path[] = "SELECT path FROM regions WHERE code = $1";
static const char sql_type_id[] = "SELECT id FROM site_types WHERE code = $1";
static const char sql_region_id[] = "SELECT id FROM regions WHERE code = $1";
static const char sql_insert[] =
    "INSERT INTO sites (name_zh, name_en, type_id, region_id, address_zh,"
    " address_en, lat, lon, input_datum, phone, manager, description, capacity,"
    " status, status_reason, status_until, is_public, opening_hours, is_demo,"
    " created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10,"
    " $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $20)" STORE_RETURNING_ID;
static const char sql_update[] =
    "UPDATE sites SET name_zh = $1, name_en = $2, type_id = $3, region_id = $4,"
    " address_zh = $5, address_en = $6, lat = $7, lon = $8, input_datum = $9,"
    " phone = $10, manager = $11, description = $12, capacity = $13,"
    " status = $14, status_reason = $15, status_until = $16, is_public = $17,"
    " opening_hours = $18, is_demo = $19, updated_at = $20 WHERE id = $21";
static const char sql_clear_amenities[] = "DELETE FROM site_amenities WHERE site_id = $1";
/* A site's amenities, their ids resolved before through the codes memo.
 * On SQLite one row per statement: a statement that writes several rows
 * keeps a statement journal of the pages it changes (to undo itself
 * alone), and once that journal outgrew 64 KiB it went to a temporary
 * file, 24 writes per site imported. On PostgreSQL up to AMENITY_CHUNK
 * rows per statement: each statement is a round trip. (A VALUES list
 * joined to the catalogue made SQLite build a temporary table each time.) */
#define AMENITY_CHUNK 8
#define AV(i, c) ", ($1, $" #i ", $" #c ")"
#define AMENITY_INSERT "INSERT INTO site_amenities (site_id, amenity_id, count) VALUES ($1, $2, $3)"
static const char *const sql_add_amenities[AMENITY_CHUNK] = {
    AMENITY_INSERT,
    AMENITY_INSERT AV(4, 5),
    AMENITY_INSERT AV(4, 5) AV(6, 7),
    AMENITY_INSERT AV(4, 5) AV(6, 7) AV(8, 9),
    AMENITY_INSERT AV(4, 5) AV(6, 7) AV(8, 9) AV(10, 11),
    AMENITY_INSERT AV(4, 5) AV(6, 7) AV(8, 9) AV(10, 11) AV(12, 13),
    AMENITY_INSERT AV(4, 5) AV(6, 7) AV(8, 9) AV(10, 11) AV(12, 13) AV(14, 15),
    AMENITY_INSERT AV(4, 5) AV(6, 7) AV(8, 9) AV(10, 11) AV(12, 13) AV(14, 15) AV(16, 17),
};
#undef AV
#undef AMENITY_INSERT
static const char sql_amenity_id[] = "SELECT id FROM amenities WHERE code = $1";
static const char sql_clear_photos[] = "DELETE FROM site_photos WHERE site_id = $1";
static const char sql_add_photo[] =
    "INSERT INTO site_photos (site_id, position, url) VALUES ($1, $2, $3)";
static const char sql_delete[] = "DELETE FROM sites WHERE id = $1";
static const char sql_delete_demo_amenities[] =
    "DELETE FROM site_amenities WHERE site_id IN (SELECT id FROM sites WHERE is_demo = 1)";
static const char sql_delete_demo_photos[] =
    "DELETE FROM site_photos WHERE site_id IN (SELECT id FROM sites WHERE is_demo = 1)";
static const char sql_delete_demo[] = "DELETE FROM sites WHERE is_demo = 1";

static void row_to_site(const struct store_rows *rows, size_t i, struct site *s)
{
    memset(s, 0, sizeof(*s));
    s->id = store_int(rows, i, 0);
    s->name_zh = store_text(rows, i, 1);
    s->name_en = store_text(rows, i, 2);
    s->type_code = store_text(rows, i, 3);
    s->tier = (int)store_int(rows, i, 4);
    s->region_code = store_text(rows, i, 5);
    s->address_zh = store_text(rows, i, 6);
    s->address_en = store_text(rows, i, 7);
    s->lat = store_real(rows, i, 8);
    s->lon = store_real(rows, i, 9);
    s->input_datum = store_text(rows, i, 10);
    s->phone = store_text(rows, i, 11);
    s->manager = store_text(rows, i, 12);
    s->description = store_text(rows, i, 13);
    s->has_capacity = !store_is_null(rows, i, 14);
    s->capacity = store_int(rows, i, 14);
    s->status = store_text(rows, i, 15);
    s->status_reason = store_text(rows, i, 16);
    s->has_until = !store_is_null(rows, i, 17);
    s->status_until = store_int(rows, i, 17);
    s->is_public = store_int(rows, i, 18) != 0;
    s->opening_hours = store_text(rows, i, 19);
    s->is_demo = store_int(rows, i, 20) != 0;
    s->created_at = store_int(rows, i, 21);
    s->updated_at = store_int(rows, i, 22);
}

/* The code of an amenity id in codes (rows of id, code by id). */
static const char *code_of(const struct store_rows *codes, int64_t id)
{
    size_t lo = 0, hi = codes->nrows;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (store_int(codes, mid, 0) < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < codes->nrows && store_int(codes, lo, 0) == id ? store_text(codes, lo, 1) : "";
}

/* Attach amenity rows (site_id, code, count) and photo rows (site_id, url)
 * to the sites they belong to. Sites and both row lists are ordered by
 * site id, so one pass over each list does it. With codes, the amenity
 * rows hold the amenity's id instead of its code. */
static void attach_children(struct arena *a, struct site *sites, size_t n,
                            const struct store_rows *am, const struct store_rows *codes,
                            const struct store_rows *ph)
{
    size_t ra = 0, rp = 0;
    for (size_t i = 0; i < n; i++) {
        struct site *s = &sites[i];
        while (ra < am->nrows && store_int(am, ra, 0) < s->id)
            ra++;
        size_t ea = ra;
        while (ea < am->nrows && store_int(am, ea, 0) == s->id)
            ea++;
        s->amenities = arena_calloc(a, ea - ra + 1, sizeof(*s->amenities));
        for (; ra < ea; ra++) {
            s->amenities[s->namenities].code =
                codes ? code_of(codes, store_int(am, ra, 1)) : store_text(am, ra, 1);
            s->amenities[s->namenities].count = store_int(am, ra, 2);
            s->namenities++;
        }
        while (rp < ph->nrows && store_int(ph, rp, 0) < s->id)
            rp++;
        size_t ep = rp;
        while (ep < ph->nrows && store_int(ph, ep, 0) == s->id)
            ep++;
        s->photos = arena_calloc(a, ep - rp + 1, sizeof(*s->photos));
        for (; rp < ep; rp++)
            s->photos[s->nphotos++] = store_text(ph, rp, 1);
    }
}

int site_get(struct store_conn *c, struct arena *a, int64_t id, struct site *out)
{
    struct store_val p[] = {SV_INT(id)};
    struct store_rows rows, am, ph;
    int rc = store_query(c, a, sql_get, p, 1, &rows);
    if (rc)
        return rc;
    if (!rows.nrows)
        return STORE_NOT_FOUND;
    row_to_site(&rows, 0, out);
    rc = store_query(c, a, sql_get_amenities, p, 1, &am);
    if (!rc)
        rc = store_query(c, a, sql_get_photos, p, 1, &ph);
    if (rc)
        return rc;
    attach_children(a, out, 1, &am, NULL, &ph);
    return STORE_OK;
}

int site_search(struct store_conn *c, struct arena *a, const struct site_query *q,
                struct site **out, size_t *n, int64_t *total)
{
    struct store_val p[11];
    p[0] = SV_TEXT_OR_NULL(q->type_code);
    p[1] = SV_NULL;
    if (q->region_code) {
        struct store_val rp[] = {SV_TEXT(q->region_code)};
        struct store_rows rows;
        int rc = store_query(c, a, sql_region_path, rp, 1, &rows);
        if (rc)
            return rc;
        if (!rows.nrows)
            return STORE_NOT_FOUND;
        p[1] = SV_TEXT(arena_printf(a, "%s%%", store_text(&rows, 0, 0)));
    }
    p[2] = SV_TEXT_OR_NULL(q->status);
    for (size_t i = 0; i < SITE_QUERY_MAX_AMENITIES; i++)
        p[3 + i] = i < q->namenities ? SV_TEXT(q->amenities[i]) : SV_NULL;
    p[7] = SV_TEXT_OR_NULL(q->text);
    p[8] = SV_INT(q->after_id);
    p[9] = SV_INT(q->limit);
    p[10] = SV_INT(q->offset);
    struct store_rows rows, am, ph;
    int rc = STORE_OK;
    *total = -1;
    if (!q->no_total) {
        rc = store_query(c, a, sql_count, p, 9, &rows);
        if (rc)
            return rc;
        *total = store_int(&rows, 0, 0);
    }
    rc = store_query(c, a, sql_search, p, 11, &rows);
    if (!rc)
        rc = store_query(c, a, sql_search_amenities, p, 11, &am);
    if (!rc)
        rc = store_query(c, a, sql_search_photos, p, 11, &ph);
    if (rc)
        return rc;
    *n = rows.nrows;
    *out = arena_calloc(a, rows.nrows + 1, sizeof(**out));
    for (size_t i = 0; i < rows.nrows; i++)
        row_to_site(&rows, i, &(*out)[i]);
    attach_children(a, *out, *n, &am, NULL, &ph);
    return STORE_OK;
}

int site_scan(struct store_conn *c, struct arena *a, int64_t after_id, int64_t limit,
              bool with_amenities, struct site **out, size_t *n)
{
    struct store_val p[] = {SV_INT(after_id), SV_INT(limit)};
    struct store_rows rows, am, ph;
    int rc = store_query(c, a, sql_scan, p, 2, &rows);
    if (rc)
        return rc;
    *n = rows.nrows;
    *out = arena_calloc(a, rows.nrows + 1, sizeof(**out));
    if (!rows.nrows)
        return STORE_OK;
    for (size_t i = 0; i < rows.nrows; i++)
        row_to_site(&rows, i, &(*out)[i]);
    p[1] = SV_INT((*out)[rows.nrows - 1].id);
    struct store_rows codes = {0}; /* without amenities: none to attach */
    am = codes;
    if (with_amenities) {
        rc = store_query(c, a, sql_amenity_codes, NULL, 0, &codes);
        if (!rc)
            rc = store_query(c, a, sql_scan_amenities, p, 2, &am);
    }
    if (!rc)
        rc = store_query(c, a, sql_scan_photos, p, 2, &ph);
    if (rc)
        return rc;
    attach_children(a, *out, *n, &am, &codes, &ph);
    return STORE_OK;
}

int site_amenity_rows_each(struct store_conn *c,
                           int (*fn)(void *ctx, const struct store_rows *rows), void *ctx)
{
    return store_query_each(c, sql_all_amenities, NULL, 0, fn, ctx);
}

/* ---- codes to ids --------------------------------------------------- */

/* A memo of code -> id lookups, keyed by the lookup's SQL (the kind of
 * code) and the code; id 0 records a code nothing has (ids start at 1 on
 * both stores). Chained in a fixed table: an import meets tens of types and
 * amenities and at most a few thousand regions. */
#define CODE_BUCKETS 512

struct code_entry {
    const char *sql;
    const char *code;
    int64_t id;
    struct code_entry *next;
};

struct site_codes {
    struct arena *arena;
    struct code_entry *buckets[CODE_BUCKETS];
};

struct site_codes *site_codes_new(struct arena *a)
{
    struct site_codes *m = arena_alloc(a, sizeof(*m));
    m->arena = a;
    return m;
}

/* The id of code by sql (0: none has it), asked once per memo. */
static int code_id(struct store_conn *c, struct arena *a, struct site_codes *m, const char *sql,
                   const char *code, int64_t *id)
{
    uint32_t h = 2166136261u ^ (uint32_t)((uintptr_t)sql >> 4);
    for (const unsigned char *p = (const unsigned char *)code; *p; p++)
        h = (h ^ *p) * 16777619u;
    struct code_entry **b = &m->buckets[h % CODE_BUCKETS];
    for (struct code_entry *e = *b; e; e = e->next) {
        if (e->sql == sql && strcmp(e->code, code) == 0) {
            *id = e->id;
            return STORE_OK;
        }
    }
    struct store_val p[] = {SV_TEXT(code)};
    struct store_rows rows;
    int rc = store_query(c, a, sql, p, 1, &rows);
    if (rc)
        return rc;
    struct code_entry *e = arena_alloc(m->arena, sizeof(*e));
    e->sql = sql;
    e->code = arena_strdup(m->arena, code);
    e->id = rows.nrows ? store_int(&rows, 0, 0) : 0;
    e->next = *b;
    *b = e;
    *id = e->id;
    return STORE_OK;
}

/* The id for a code, or SITE_INVALID with a fault naming field. */
static int resolve(struct store_conn *c, struct arena *a, struct site_codes *m, const char *sql,
                   const char *code, int64_t *id, struct site_fault *f, const char *fault_code,
                   const char *field, const char *what)
{
    int rc = code_id(c, a, m, sql, code, id);
    if (rc)
        return rc;
    if (!*id) {
        f->code = fault_code;
        f->field = field;
        snprintf(f->message, sizeof f->message, "no %s has code %s", what, code);
        text_utf8_trim(f->message);
        return SITE_INVALID;
    }
    return STORE_OK;
}

/* ---- writes ----------------------------------------------------------- */

/* Bind the 20 shared columns of insert and update. */
static int bind_site(struct store_conn *c, struct arena *a, struct site_codes *m,
                     const struct site *s, int64_t now, struct store_val *p, struct site_fault *f)
{
    int64_t type_id, region_id = 0;
    int rc = resolve(c, a, m, sql_type_id, s->type_code, &type_id, f, "unknown_type", "type",
                     "site type");
    if (!rc && s->region_code)
        rc = resolve(c, a, m, sql_region_id, s->region_code, &region_id, f, "unknown_region",
                     "region", "region");
    if (rc)
        return rc;
    p[0] = SV_TEXT(s->name_zh);
    p[1] = SV_TEXT(s->name_en ? s->name_en : "");
    p[2] = SV_INT(type_id);
    p[3] = s->region_code ? SV_INT(region_id) : SV_NULL;
    p[4] = SV_TEXT(s->address_zh ? s->address_zh : "");
    p[5] = SV_TEXT(s->address_en ? s->address_en : "");
    p[6] = SV_REAL(s->lat);
    p[7] = SV_REAL(s->lon);
    p[8] = SV_TEXT(s->input_datum ? s->input_datum : "wgs84");
    p[9] = SV_TEXT(s->phone ? s->phone : "");
    p[10] = SV_TEXT(s->manager ? s->manager : "");
    p[11] = SV_TEXT(s->description ? s->description : "");
    p[12] = s->has_capacity ? SV_INT(s->capacity) : SV_NULL;
    p[13] = SV_TEXT(s->status);
    p[14] = SV_TEXT_OR_NULL(s->status_reason);
    p[15] = s->has_until ? SV_INT(s->status_until) : SV_NULL;
    p[16] = SV_INT(s->is_public);
    p[17] = SV_TEXT(s->opening_hours);
    p[18] = SV_INT(s->is_demo);
    p[19] = SV_INT(now);
    return STORE_OK;
}

/* The amenities and photos of s; fresh: s was just inserted and has none
 * yet (an import writes 180,000 of these: no statement is wasted). Every
 * amenity code is resolved before anything is written, so the first
 * unknown one (in the site's order) is the fault. */
static int write_children(struct store_conn *c, struct arena *a, struct site_codes *m,
                          const struct site *s, bool fresh, struct site_fault *f)
{
    struct store_val id[] = {SV_INT(s->id)};
    int64_t *amenity_ids = arena_calloc(a, s->namenities + 1, sizeof(*amenity_ids));
    int rc = STORE_OK;
    for (size_t i = 0; !rc && i < s->namenities; i++) {
        const char *code = s->amenities[i].code;
        rc = code_id(c, a, m, sql_amenity_id, code, &amenity_ids[i]);
        if (!rc && !amenity_ids[i]) {
            f->code = "unknown_amenity";
            f->field = arena_printf(a, "amenities.%s", code);
            snprintf(f->message, sizeof f->message, "no amenity has code %s", code);
            text_utf8_trim(f->message);
            rc = SITE_INVALID;
        }
    }
    if (!rc && !fresh)
        rc = store_exec(c, sql_clear_amenities, id, 1, NULL);
    size_t chunk = strcmp(store_conn_dialect(c), "sqlite") == 0 ? 1 : AMENITY_CHUNK;
    for (size_t at = 0; !rc && at < s->namenities; at += chunk) {
        size_t n = s->namenities - at < chunk ? s->namenities - at : chunk;
        struct store_val p[1 + 2 * AMENITY_CHUNK];
        p[0] = SV_INT(s->id);
        for (size_t i = 0; i < n; i++) {
            p[1 + 2 * i] = SV_INT(amenity_ids[at + i]);
            p[2 + 2 * i] = SV_INT(s->amenities[at + i].count);
        }
        rc = store_exec(c, sql_add_amenities[n - 1], p, 1 + 2 * n, NULL);
    }
    if (!rc && !fresh)
        rc = store_exec(c, sql_clear_photos, id, 1, NULL);
    for (size_t i = 0; !rc && i < s->nphotos; i++) {
        struct store_val p[] = {SV_INT(s->id), SV_INT((int64_t)i), SV_TEXT(s->photos[i])};
        rc = store_exec(c, sql_add_photo, p, 3, NULL);
    }
    return rc;
}

int site_insert_coded(struct store_conn *c, struct arena *a, struct site_codes *m, struct site *s,
                      int64_t now, struct site_fault *f)
{
    if (!m)
        m = site_codes_new(a);
    struct store_val p[20];
    int rc = bind_site(c, a, m, s, now, p, f);
    if (rc)
        return rc;
    rc = store_insert(c, sql_insert, p, 20, &s->id);
    if (rc)
        return rc;
    s->created_at = s->updated_at = now;
    return write_children(c, a, m, s, true, f);
}

int site_update_coded(struct store_conn *c, struct arena *a, struct site_codes *m,
                      const struct site *s, int64_t now, struct site_fault *f)
{
    if (!m)
        m = site_codes_new(a);
    struct store_val p[21];
    int rc = bind_site(c, a, m, s, now, p, f);
    if (rc)
        return rc;
    p[20] = SV_INT(s->id);
    int64_t changed = 0;
    rc = store_exec(c, sql_update, p, 21, &changed);
    if (rc)
        return rc;
    if (!changed)
        return STORE_NOT_FOUND;
    return write_children(c, a, m, s, false, f);
}

int site_insert(struct store_conn *c, struct arena *a, struct site *s, int64_t now,
                struct site_fault *f)
{
    return site_insert_coded(c, a, NULL, s, now, f);
}

int site_update(struct store_conn *c, struct arena *a, const struct site *s, int64_t now,
                struct site_fault *f)
{
    return site_update_coded(c, a, NULL, s, now, f);
}

int site_delete(struct store_conn *c, int64_t id)
{
    struct store_val p[] = {SV_INT(id)};
    int64_t n = 0;
    int rc = store_exec(c, sql_delete, p, 1, &n);
    return rc ? rc : n ? STORE_OK : STORE_NOT_FOUND;
}

int site_delete_demo(struct store_conn *c)
{
    int rc = store_exec(c, sql_delete_demo_amenities, NULL, 0, NULL);
    if (!rc)
        rc = store_exec(c, sql_delete_demo_photos, NULL, 0, NULL);
    if (!rc)
        rc = store_exec(c, sql_delete_demo, NULL, 0, NULL);
    return rc;
}
