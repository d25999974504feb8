/*
 * site.h - the registry of the network's sites: industry hubs, community
 * stations, Warm Huts, canteens, battery-swap points and any other type.
 *
 * A site's position is stored in WGS-84; clients may send GCJ-02 or BD-09
 * (with "datum") and it is converted on the way in, and may ask for either
 * on the way out. Opening hours are an OpenStreetMap opening_hours
 * expression, checked before anything is stored; whether a site is open at
 * a moment combines its status (a temporary closure ends at status_until)
 * with its hours and the holiday calendar.
 */
#ifndef WH_SITE_SITE_H
#define WH_SITE_SITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/arena.h"
#include "hours/hours.h"

struct app;
struct store_conn;
struct store_rows;

#define SITE_MAX_AMENITIES 64
#define SITE_MAX_PHOTOS 10
#define SITE_QUERY_MAX_AMENITIES 4

/* Fields of a site, as bits: which ones a create or patch sets. */
enum site_field {
    SF_NAME_ZH = 1u << 0,
    SF_NAME_EN = 1u << 1,
    SF_TYPE = 1u << 2,
    SF_REGION = 1u << 3,
    SF_ADDRESS_ZH = 1u << 4,
    SF_ADDRESS_EN = 1u << 5,
    SF_POSITION = 1u << 6,
    SF_PHONE = 1u << 7,
    SF_MANAGER = 1u << 8,
    SF_DESCRIPTION = 1u << 9,
    SF_CAPACITY = 1u << 10,
    SF_STATUS = 1u << 11,
    SF_STATUS_REASON = 1u << 12,
    SF_STATUS_UNTIL = 1u << 13,
    SF_PUBLIC = 1u << 14,
    SF_HOURS = 1u << 15,
    SF_AMENITIES = 1u << 16,
    SF_PHOTOS = 1u << 17,
    SF_ALL = (1u << 18) - 1,
};

struct site_amenity {
    const char *code;
    int64_t count;
};

struct site {
    int64_t id;
    const char *name_zh;
    const char *name_en;
    const char *type_code;
    int tier;                /* of the type; 0 outside the tiers */
    const char *region_code; /* NULL when not placed in a region */
    const char *address_zh;
    const char *address_en;
    double lat, lon;         /* WGS-84 */
    const char *input_datum; /* "wgs84" | "gcj02" | "bd09" */
    const char *phone;
    const char *manager;
    const char *description;
    bool has_capacity;
    int64_t capacity;
    const char *status;
    const char *status_reason; /* NULL if none */
    bool has_until;
    int64_t status_until;
    bool is_public;
    const char *opening_hours;
    bool is_demo;
    int64_t created_at, updated_at;
    size_t namenities;
    struct site_amenity *amenities;
    size_t nphotos;
    const char **photos;
};

/* What is wrong with an input, for the one error shape. */
struct site_fault {
    const char *code;  /* invalid_field, missing_field, too_long, unknown_type ... */
    const char *field; /* "position.lat", "amenities.microwave" ... */
    char message[200];
};

/* Result of store calls beyond enum store_rc: the input refers to
 * something unknown (fault filled in). */
#define SITE_INVALID 100

/* ---- domain rules (site.c) ----------------------------------------- */

bool site_status_is_valid(const char *status);
/* Defaults for a new site: status operational, hours "24/7", empty texts. */
void site_defaults(struct site *s);
/* Copy the fields named in set from src to dst. */
void site_merge(struct site *dst, const struct site *src, unsigned set);
/* Check a complete site (after defaults or merge). 0, or -1 with *f. */
int site_check(const struct site *s, struct site_fault *f);
/* Open at t, and the next moment that changes (-1: none within 400 days). */
void site_open_at(const struct site *s, const struct hours_calendar *cal, int64_t t,
                  int tz_offset_min, bool *open, int64_t *next_change);
/* How a status decides whether a site is open: never; by its hours alone
 * (in service); or closed until status_until and by its hours from then
 * (a temporary closure with an end). site_open_state follows it, so a
 * cache may share one memo among the sites of the first two kinds. */
enum site_open_rule { SITE_OPEN_NEVER, SITE_OPEN_BY_HOURS, SITE_OPEN_AFTER_UNTIL };
enum site_open_rule site_open_rule(const char *status, bool has_until);
/* The same from what it depends on: the status, its end, and the hours
 * already compiled (NULL: hours that do not parse, never open). */
void site_open_state(const char *status, bool has_until, int64_t status_until,
                     const struct hours *h, const struct hours_calendar *cal, int64_t t,
                     int tz_offset_min, bool *open, int64_t *next_change);
/* The status as one of the program's own strings (equal to it), or NULL
 * for no known status: a cache keeps the pointer, not a copy. */
const char *site_status_static(const char *status);

/* ---- JSON (site_json.c) -------------------------------------------- */

#include <jansson.h>

#include "core/strbuf.h"
#include "geo/coord.h"

/* How to show a site: at which moment, with which calendar, in which
 * datum. */
struct site_view {
    const struct hours_calendar *cal;
    int64_t at;
    int tz;
    enum geo_datum datum;
};

/* The top-level fields of a site answer, in the order answers hold them,
 * as bit numbers (a fields= projection is a mask of them). The first
 * SJ_STATIC are the static ones. */
enum site_json_field {
    SJ_ID,
    SJ_NAME_ZH,
    SJ_NAME_EN,
    SJ_TYPE,
    SJ_TIER,
    SJ_REGION,
    SJ_ADDRESS_ZH,
    SJ_ADDRESS_EN,
    SJ_PHONE,
    SJ_MANAGER,
    SJ_DESCRIPTION,
    SJ_CAPACITY,
    SJ_STATUS,
    SJ_STATUS_REASON,
    SJ_STATUS_UNTIL,
    SJ_PUBLIC,
    SJ_OPENING_HOURS,
    SJ_AMENITIES,
    SJ_PHOTOS,
    SJ_DEMO,
    SJ_CREATED_AT,
    SJ_UPDATED_AT,
    SJ_STATIC, /* = position: the dynamic ones follow */
    SJ_POSITION = SJ_STATIC,
    SJ_OPEN,
    SJ_NEXT_CHANGE,
    SJ_DISTANCE_M,
    SJ_LIVE,
    SJ_NAV,
    SJ_COUNT
};
#define SJ_BIT(f) ((uint32_t)1 << (f))
#define SJ_ALL (SJ_BIT(SJ_COUNT) - 1)
/* The bit number of a field's name, or -1; and the name of a bit number
 * (NULL beyond SJ_COUNT). */
int site_json_field_of(const char *name);
const char *site_json_field_name(int f);
/* The start of one item of "amenities", {"code":"CODE","count": (the
 * count and the closing brace follow): the one writer of it, for the
 * static text and for the cache, which keeps amenities as catalogue
 * indexes and counts. */
void site_json_amenity_head(struct strbuf *sb, const char *code);

/* The fields that change only when the site is edited, as JSON text
 * (a whole object) and as a jansson object. */
void site_json_static_text(struct strbuf *sb, const struct site *s, int tz);
/* The same without the closing brace, with where each field starts:
 * off[f] for the static fields f (SJ_ID to SJ_UPDATED_AT, relative to
 * sb's length on entry) and off[SJ_STATIC] where the text ends. A
 * projection is the id's slice and each wanted field's. */
void site_json_static_parts(struct strbuf *sb, const struct site *s, int tz,
                            uint32_t off[SJ_STATIC + 1]);
json_t *site_json_static(const struct site *s, int tz);
/* Add position, open, next_change and nav for the view. */
void site_json_dynamic(json_t *o, struct arena *a, const struct site *s, const struct site_view *v);
/* Both. */
json_t *site_json(struct arena *a, const struct site *s, const struct site_view *v);
/* A site's JSON (with position in WGS-84) as a GeoJSON Feature (RFC
 * 7946), and a list of them as a FeatureCollection. */
json_t *site_feature(json_t *site);
json_t *site_feature_collection(json_t *items);
/* Deep links for Amap, Baidu and Tencent maps, each in its datum. */
void site_nav_text(struct strbuf *sb, struct arena *a, const struct site *s);
/* What varies in them: the GCJ-02 and BD-09 positions as the links print
 * them and the URL-encoded name, packed as five NUL-terminated texts
 * (g_lon, g_lat, b_lat, b_lon, name) appended to sb; site_nav_unpack
 * writes the links from them. */
void site_nav_pack(struct strbuf *sb, struct arena *a, const struct site *s);
void site_nav_unpack(struct strbuf *sb, const char *packed);
json_t *site_nav_json(struct arena *a, const struct site *s);

/* ---- store (site_store.c) ------------------------------------------ */

struct site_query {
    const char *type_code;
    const char *region_code; /* subtree */
    const char *status;      /* NULL: all but removed; "any": all */
    const char *amenities[SITE_QUERY_MAX_AMENITIES];
    size_t namenities;
    const char *text; /* substring of names or addresses */
    int64_t limit, offset;
    int64_t after_id; /* only ids above this (keyset paging); 0 for all */
    bool no_total;    /* skip counting every match */
};

int site_get(struct store_conn *c, struct arena *a, int64_t id, struct site *out);
/* Sites matching q, ordered by id; *total counts every match. A region
 * code that does not exist gives STORE_NOT_FOUND. */
int site_search(struct store_conn *c, struct arena *a, const struct site_query *q,
                struct site **out, size_t *n, int64_t *total);
/* Every site (removed ones too) with an id above after_id, at most limit,
 * ordered by id, with photos and (with_amenities) amenities: a cache's
 * load, page by page. */
int site_scan(struct store_conn *c, struct arena *a, int64_t after_id, int64_t limit,
              bool with_amenities, struct site **out, size_t *n);
/* Every amenity row of every site (site_id, amenity_id, count), in no
 * given order, handed to fn in batches as store_query_each does: one
 * pass over the table, where reading it by site (the primary key's
 * index) looks every row up again for its count. Only where
 * store_can_stream(). */
int site_amenity_rows_each(struct store_conn *c,
                           int (*fn)(void *ctx, const struct store_rows *rows), void *ctx);
/* Insert or update a checked site; SITE_INVALID with *f when the type,
 * region or an amenity code is unknown. The caller holds a transaction. */
int site_insert(struct store_conn *c, struct arena *a, struct site *s, int64_t now,
                struct site_fault *f);
int site_update(struct store_conn *c, struct arena *a, const struct site *s, int64_t now,
                struct site_fault *f);
/* Codes (site types, regions, amenities) resolved to ids once each, for
 * many writes in one transaction (an import). Lives in the arena; valid
 * while the transaction that made it is. */
struct site_codes;
struct site_codes *site_codes_new(struct arena *a);
/* site_insert and site_update resolving codes through m (NULL: a memo of
 * their own, for one write). */
int site_insert_coded(struct store_conn *c, struct arena *a, struct site_codes *m, struct site *s,
                      int64_t now, struct site_fault *f);
int site_update_coded(struct store_conn *c, struct arena *a, struct site_codes *m,
                      const struct site *s, int64_t now, struct site_fault *f);
int site_delete(struct store_conn *c, int64_t id);
/* Delete every demo site (for reseeding). */
int site_delete_demo(struct store_conn *c);

/* ---- CSV (site_csv.c) ----------------------------------------------- */

/* One problem found in an import. */
struct site_import_error {
    size_t row;         /* 1-based record number, header = 1 */
    const char *column; /* column name or NULL */
    const char *code;
    const char *message;
};

struct site_import_result {
    size_t imported;
    size_t nerrors;
    struct site_import_error *errors; /* at most SITE_IMPORT_MAX_ERRORS */
    bool truncated;                   /* more errors than listed */
    int store_rc;                     /* STORE_OK unless the store failed */
};

#define SITE_IMPORT_MAX_ERRORS 200

/* Check every row, then insert all or nothing. */
void site_import_csv(struct store_conn *c, struct arena *a, const char *data, size_t len,
                     struct site_import_result *res);
/* Every site (removed ones too) as CSV in the import's columns. */
int site_export_csv(struct store_conn *c, FILE *out);

int site_import_cli(struct app *app, const char *data, size_t len, FILE *out, FILE *err);
int site_export_cli(struct app *app, FILE *out);

/* ---- module (site_http.c) -------------------------------------------- */

struct module;
struct route_scope;
extern const struct module site_module;
/* Its change kinds (the id is the site's; 0 for bulk). */
enum site_change { SITE_CREATED, SITE_UPDATED, SITE_DELETED, SITE_BULK };
/* The scope resolver for routes whose {id} is a site's id (404 when there
 * is no such site). */
extern const struct route_scope site_scope_path;
/* For a route whose {id} is a site's: the store and the site in *s, or
 * NULL after replying (404 no such site, 503 no store). */
struct req;
struct store_conn *req_site_or_reply(struct req *r, struct site *s);

#endif
