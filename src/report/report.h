/*
 * report.h - grid reports (网格上报): what couriers, riders and drivers who
 * serve as part-time grid managers see on their rounds, "the road is
 * broken here", sent with a category, a point, a description, answers to
 * the category's questions and up to three photos.
 *
 * A report is routed when it is made: to the grid whose boundary contains
 * its point (the nearest grid when none does, inside the area the service
 * covers), and to the department its category belongs to (城管, 交通,
 * 住建 ...). The grid's managers and the department's dispatchers then
 * take it through open > acknowledged > in progress > fixed > closed (or
 * duplicate, or not ours), leaving a timeline of public and internal
 * comments. Each category promises a service level in working days
 * (public holidays and make-up workdays count as the calendar says); an
 * overdue report escalates to its grid's parent region. The reporter may
 * re-open a fixed report for REPORT_REOPEN_DAYS days.
 *
 * The same reports are published as Open311 GeoReport v2 at /open311/v2/
 * (report_open311.c), where clients holding an API key may also create
 * them. Photos are decoded, shrunk and re-encoded without any metadata by
 * report_photo.c; the originals are never kept.
 *
 * Files: report.c (rules: statuses, working-day service levels, category
 * questions, boundaries and point in polygon), report_store.c (SQL),
 * report_photo.c (libvips), report_http.c (/api routes, the module),
 * report_open311.c (/open311/v2), report_demo.c (demo data).
 */
#ifndef WH_REPORT_REPORT_H
#define WH_REPORT_REPORT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "geo/coord.h"
#include "hours/hours.h"

struct app;
struct store_conn;
struct req;

#define REPORT_DESCRIPTION_MAX                                                                     \
    4000 /* bytes; Open311 allows 4000 characters                                                  \
          */
#define REPORT_ADDRESS_MAX 500
#define REPORT_COMMENT_MAX 2000
#define REPORT_CONTACT_MAX 200      /* an Open311 reporter's name, email, phone */
#define REPORT_MAX_PHOTOS 3         /* with a report, or with one update */
#define REPORT_REOPEN_DAYS 14       /* the reporter may re-open a fixed report */
#define REPORT_NEARBY_DEFAULT_M 150 /* "me too" candidates around a new report */
#define REPORT_NEARBY_MAX_M 2000
#define REPORT_EDGE_SLACK_M 200 /* a point this close to a grid outside every boundary */
#define REPORT_NEAR_GRID_M                                                                         \
    3000                       /* where the nearest grid is looked for first                       \
                                */
#define REPORT_SLA_MAX_DAYS 60 /* working days */
#define REPORT_LIST_MAX 2000   /* features in one map answer */
#define REPORT_POINTS_BASE 10  /* a confirmed report, before the rules' coefficient */

/* ---- statuses (report.c) ---------------------------------------------- */

enum report_status {
    REPORT_OPEN,
    REPORT_ACKNOWLEDGED,
    REPORT_IN_PROGRESS,
    REPORT_FIXED,
    REPORT_CLOSED,
    REPORT_DUPLICATE,
    REPORT_NOT_OURS,
    REPORT_NSTATUS
};

/* "open", "acknowledged", "in_progress", "fixed", "closed", "duplicate",
 * "not_ours"; NULL for a value outside the enum. */
const char *report_status_name(int status);
/* The status of that name, or -1. */
int report_status_parse(const char *name);
/* Still to be done: open, acknowledged or in progress. */
bool report_status_is_open(int status);
/* May a grid manager or a dispatcher move a report from one status to
 * the other? (The reporter's re-open is report_may_reopen.) */
bool report_transition_ok(int from, int to);

/* Why the reporter may not re-open (report_may_reopen). */
enum report_reopen {
    REPORT_REOPEN_OK = 0,
    REPORT_REOPEN_NOT_FIXED, /* it was never marked fixed, or is open */
    REPORT_REOPEN_TOO_LATE,  /* more than REPORT_REOPEN_DAYS after fixed */
};
/* The reporter's re-open of a report in status with fixed_at (0: never
 * fixed) at now: fixed or closed after a fix, within the window. */
int report_may_reopen(int status, int64_t fixed_at, int64_t now);

/* ---- service levels in working days (report.c) ------------------------- */

/* Is the local date yyyymmdd a working day? A public holiday is not; a
 * make-up workday (调休) is; otherwise Monday to Friday are. */
bool report_is_working_day(const struct hours_calendar *cal, int32_t yyyymmdd);
/* When a report made at t (Unix seconds) with a service level of days
 * working days falls due: the end (local midnight after) of the days-th
 * working day after the day it was made. days 0 means the end of the
 * day it was made. tz_offset_min: local time. */
int64_t report_due_at(const struct hours_calendar *cal, int64_t t, int days, int tz_offset_min);

/* ---- category questions (report.c) ------------------------------------- */

/* Check a category's questions, as an admin sends them: an array of at
 * most 30 objects {code, datatype, required, variable?, order?,
 * description, description_en?, datatype_description?, values?} with
 * datatypes string, number, datetime, text, singlevaluelist,
 * multivaluelist (the two lists need values [{key, name}]). On success
 * returns 0 and *out is a new, normalised array (order filled in, sorted
 * by it); else -1 with *field (a path such as "attributes[2].values", in
 * the arena) and *why (static). */
int report_attributes_check(struct arena *a, json_t *defs, json_t **out, const char **field,
                            const char **why);

/* Check answers against a category's questions (as report_attributes_check
 * made them): answers is an object code -> value, or NULL. Strings given
 * for numbers are parsed (Open311 forms send text), a single key stands
 * for a one-key multivaluelist, datetimes are written again in the local
 * zone. Every required question with variable true must be answered;
 * questions that are not asked (variable false) and unknown codes are
 * refused. On success returns 0 and *out is a new object of the answers;
 * else -1 with *field ("attributes.size") in the arena and *why static. */
int report_answers_check(struct arena *a, json_t *defs, json_t *answers, int tz_offset_min,
                         json_t **out, const char **field, const char **why);

/* ---- boundaries (report.c) ----------------------------------------------- */

struct report_ring {
    size_t n; /* positions, the first repeated at the end */
    const struct geo_point *pts;
};
struct report_polygon {
    size_t nrings; /* the outer ring, then holes */
    const struct report_ring *rings;
};
/* A Polygon or MultiPolygon in WGS-84. */
struct report_geom {
    size_t npolys;
    const struct report_polygon *polys;
    double bbox[4]; /* minlon, minlat, maxlon, maxlat */
    size_t nvertices;
};

#define REPORT_GEOM_MAX_VERTICES 20000
#define REPORT_GEOM_MAX_RINGS 1000

/* Read a GeoJSON geometry (a Polygon or MultiPolygon; a Feature holding
 * one is taken too) given in datum, converted to WGS-84, into *out in the
 * arena. Rings must have at least four positions, the last equal to the
 * first, [lon, lat] (a third number, a height, is ignored) within range.
 * 0, or -1 with *field and *why (static strings). */
int report_geom_parse(struct arena *a, json_t *geojson, enum geo_datum datum,
                      struct report_geom *out, const char **field, const char **why);
/* Set g->bbox from its positions (report_geom_parse does). */
void report_geom_bounds(struct report_geom *g);
/* The geometry as GeoJSON ({"type":..., "coordinates":...}), new. */
json_t *report_geom_json(const struct report_geom *g);
/* Is the point inside (even-odd per polygon, holes excluded)? Half-open
 * edges: a point on an edge two polygons share is inside exactly one of
 * them, so a boundary belongs to one grid. */
bool report_geom_contains(const struct report_geom *g, double lat, double lon);
/* Metres from the point to the nearest edge (0 when inside). */
double report_geom_distance_m(const struct report_geom *g, double lat, double lon);

/* A region with a boundary, as routing sees it. */
struct report_area {
    int64_t region_id;
    const char *code;
    const char *level; /* "grid", "community", ... */
    const char *path;  /* materialised path "/1/4/17/" */
    struct report_geom geom;
};

/* Of the areas, the grid a point belongs to: one whose boundary contains
 * it (the lowest region id if boundaries overlap), else the nearest grid
 * no farther than max_m (any distance when max_m < 0). Returns the index,
 * or -1 when there is none. Areas that are not grids are skipped. */
long report_pick_grid(const struct report_area *areas, size_t n, double lat, double lon,
                      double max_m);

/* ---- which grid holds a point, fast (report_index.c) ------------------- */

/* A uniform grid of cells over the boxes of the grids among some areas;
 * each cell lists the grids whose box touches it. Built once over every
 * boundary, kept in memory by the module and rebuilt when a boundary or
 * the region tree changes. All of it lives in the arena given to build,
 * which must also outlive the areas it points at. */
struct report_index {
    const struct report_area *areas;
    size_t n, ngrids;
    double x0, y0, x1, y1; /* the grids' extent */
    double cw, ch;         /* a cell's size in degrees */
    int nx, ny;
    size_t *start; /* nx * ny + 1 offsets into items, cell by cell (row-major) */
    size_t *items; /* indexes into areas */
    size_t *wide;  /* grids whose box spans too many cells: checked always */
    size_t nwide;
};
void report_index_build(struct report_index *ix, struct arena *a, const struct report_area *areas,
                        size_t n);
/* The grid whose boundary contains the point (the lowest region id if
 * boundaries overlap), as an index into the areas, or -1: the same as
 * report_pick_grid(areas, n, lat, lon, 0) when that finds a containing
 * grid. */
long report_index_find(const struct report_index *ix, double lat, double lon);

/* ---- what is stored --------------------------------------------------- */

struct report_department {
    int64_t id;
    const char *code; /* a dispatcher's grant of kind "department" names it */
    const char *name_zh, *name_en;
    bool is_demo;
};

struct report_category {
    int64_t id;
    const char *code; /* Open311 service_code */
    const char *name_zh, *name_en;
    const char *description_zh, *description_en;
    int64_t department_id;
    const char *department_code, *department_name_zh, *department_name_en;
    int sla_days;
    const char *group, *keywords; /* Open311 group and keywords */
    const char *attributes;       /* JSON text: the questions */
    bool active, is_demo;
    int64_t updated_at;
};

struct report {
    int64_t id;
    int64_t category_id;
    const char *category_code, *category_name_zh, *category_name_en;
    int64_t department_id;
    const char *department_code, *department_name_zh, *department_name_en;
    int64_t region_id; /* the grid */
    const char *region_code, *region_name_zh, *region_name_en, *region_path;
    double lat, lon;   /* WGS-84 */
    const char *datum; /* as it was given */
    const char *address, *description;
    const char *attributes; /* JSON text: the answers */
    const char *status;
    const char *verification; /* "unconfirmed" | "confirmed" | "rejected" */
    int64_t verified_by, verified_at;
    int64_t reporter_id; /* 0: none (Open311, demo, or erased) */
    const char *source;  /* "app" | "open311" */
    int64_t api_key_id;
    const char *contact_name, *contact_email, *contact_phone; /* Open311; may be NULL */
    const char *media_url;                                    /* Open311; may be NULL */
    const char *token;                                        /* Open311 tokens/{token} */
    int64_t duplicate_of;
    int64_t me_too;
    int64_t due_at;
    int64_t escalated_at; /* 0: not escalated */
    int64_t escalated_region_id;
    const char *escalated_region_code;
    int64_t fixed_at, closed_at;
    int64_t reopen_count;
    bool is_demo;
    int64_t created_at, updated_at;
    int64_t photo_id; /* its first own photo, 0: none */
};

/* One entry of a report's timeline. */
struct report_update {
    int64_t id, report_id;
    int64_t author_id;                   /* 0: the system, or an erased person */
    const char *author_role;             /* "reporter", "grid_manager", "dispatcher",
                                            "admin", "system", "open311" */
    const char *kind;                    /* "created", "status", "comment", "confirmed",
                                            "rejected", "escalated", "reopened",
                                            "overdue" (public, with "escalated") */
    const char *status_from, *status_to; /* NULL unless the status moved */
    const char *body;
    bool internal; /* only the report's handlers see it */
    int64_t created_at;
};

struct report_photo {
    int64_t id, report_id;
    int64_t update_id; /* 0: the report's own */
    int position;
    const char *content_type;
    int width, height;
    int64_t bytes;
    const char *data; /* base64; NULL where not read */
    bool internal;    /* belongs to an internal update */
    int64_t created_at;
};

struct report_api_key {
    int64_t id;
    const char *name;
    int64_t created_by, created_at, revoked_at, last_used_at;
};

/* ---- store (report_store.c) ------------------------------------------- */

int report_department_put(struct store_conn *c, struct arena *a, struct report_department *d,
                          int64_t now);
int report_department_get(struct store_conn *c, struct arena *a, const char *code,
                          struct report_department *out);
int report_department_list(struct store_conn *c, struct arena *a, struct report_department **out,
                           size_t *n);

/* Insert or replace by code; sets c->id. */
int report_category_put(struct store_conn *c, struct arena *a, struct report_category *cat,
                        int64_t now);
int report_category_get(struct store_conn *c, struct arena *a, const char *code,
                        struct report_category *out);
/* Every category (active only when active_only), by code. */
int report_category_list(struct store_conn *c, struct arena *a, bool active_only,
                         struct report_category **out, size_t *n);

/* A region's boundary: GeoJSON text and its box. */
int report_boundary_put(struct store_conn *c, int64_t region_id, const char *geojson,
                        const double bbox[4], int64_t by, int64_t now);
int report_boundary_get(struct store_conn *c, struct arena *a, int64_t region_id,
                        const char **geojson, int64_t *updated_at);
int report_boundary_delete(struct store_conn *c, int64_t region_id);
/* Boundaries whose box, grown by margin_deg, holds the point; grids only
 * when grids_only; or, with under_path, the grids in that subtree. The
 * geometries come parsed. */
int report_areas_at(struct store_conn *c, struct arena *a, double lat, double lon,
                    double margin_deg, bool grids_only, struct report_area **out, size_t *n);
int report_areas_under(struct store_conn *c, struct arena *a, const char *path,
                       struct report_area **out, size_t *n);
/* Every boundary of a grid (for the in-memory index). */
int report_areas_all_grids(struct store_conn *c, struct arena *a, struct report_area **out,
                           size_t *n);

/* Insert r (its category, department, region, point, texts, status,
 * verification, reporter or Open311 source, due_at, created_at); sets
 * r->id. */
int report_insert(struct store_conn *c, struct arena *a, struct report *r);
int report_get(struct store_conn *c, struct arena *a, int64_t id, struct report *out);
int report_get_by_token(struct store_conn *c, struct arena *a, const char *token,
                        struct report *out);

/* What a list of reports is filtered by. Unset members do not filter. */
struct report_filter {
    bool has_bbox;
    double bbox[4];       /* minlon, minlat, maxlon, maxlat, WGS-84 */
    unsigned statuses;    /* bits 1 << enum report_status; 0: all */
    const char *category; /* code */
    bool public_only;     /* not rejected */
    bool overdue_only;    /* open and due before now */
    bool escalated_only;
    int64_t now;
    int64_t reporter_id;
    const char *region_path;          /* the grid's path starts with it */
    const char *department;           /* code */
    int64_t created_from, created_to; /* [from, to]; 0: unbounded */
    int64_t limit;
};
int report_list(struct store_conn *c, struct arena *a, const struct report_filter *f,
                struct report **out, size_t *n);
/* As report_list, with only what an Open311 list shows filled in: id,
 * category id, code and names, department id, code and names,
 * region_path, lat, lon,
 * address, description, status, verification, media_url, due_at,
 * created_at, updated_at, photo_id; every other field is zero/NULL. */
int report_list_open311(struct store_conn *c, struct arena *a, const struct report_filter *f,
                        struct report **out, size_t *n);
/* Reports by id, in the order of ids (missing ones left out). */
int report_list_ids(struct store_conn *c, struct arena *a, const int64_t *ids, size_t nids,
                    struct report **out, size_t *n);

/* Move a report from status `from` to `to` in one statement (fixed_at,
 * closed_at follow; duplicate_of for duplicates); STORE_CONFLICT when it
 * is no longer in `from`. */
int report_set_status(struct store_conn *c, int64_t id, const char *from, const char *to,
                      int64_t duplicate_of, int64_t now);
/* The reporter's re-open: from fixed or closed, fixed no earlier than
 * fixed_after; new due_at; STORE_CONFLICT otherwise. */
int report_reopen(struct store_conn *c, int64_t id, int64_t fixed_after, int64_t due_at,
                  int64_t now);
/* Confirm an unconfirmed report, or reject one not rejected yet that is
 * still open (rejecting closes it too); STORE_CONFLICT otherwise. */
int report_verify(struct store_conn *c, int64_t id, bool confirm, int64_t by, int64_t now);
/* "Me too" once per person: STORE_CONFLICT the second time. */
int report_me_too_add(struct store_conn *c, int64_t id, int64_t user_id, int64_t now);
bool report_me_too_has(struct store_conn *c, struct arena *a, int64_t id, int64_t user_id);

int report_update_add(struct store_conn *c, struct arena *a, struct report_update *u);
/* The timeline, oldest first; internal entries only when with_internal. */
int report_update_list(struct store_conn *c, struct arena *a, int64_t report_id, bool with_internal,
                       struct report_update **out, size_t *n);

/* Store a cleaned photo (data: base64); sets p->id. */
int report_photo_add(struct store_conn *c, struct arena *a, struct report_photo *p);
/* A report's photos without their data, by update then position. */
int report_photo_list(struct store_conn *c, struct arena *a, int64_t report_id,
                      struct report_photo **out, size_t *n);
/* One photo with its data and whether it is internal. */
int report_photo_get(struct store_conn *c, struct arena *a, int64_t id, struct report_photo *out);

/* Escalate, in one statement, every open report due at or before now and
 * not yet escalated, to its grid's parent region; the ids escalated come
 * back so that their timelines can say so. */
int report_escalate_due(struct store_conn *c, struct arena *a, int64_t now, int64_t **ids,
                        size_t *n);

/* Who is told of an escalated report: the managers of its grid (grants
 * reaching it) and the region admins and dispatchers of the region it
 * escalated to (grants naming it); people, once each, by id. */
int report_escalation_audience(struct store_conn *c, struct arena *a, int64_t report_id,
                               int64_t **users, size_t *n);

int report_api_key_add(struct store_conn *c, struct arena *a, const char *name,
                       const char *key_hash, int64_t by, int64_t now, int64_t *id);
int report_api_key_list(struct store_conn *c, struct arena *a, struct report_api_key **out,
                        size_t *n);
int report_api_key_revoke(struct store_conn *c, int64_t id, int64_t now);
/* The live key with this hash (its last use brought up to now), or
 * STORE_NOT_FOUND. */
int report_api_key_use(struct store_conn *c, struct arena *a, const char *key_hash, int64_t now,
                       int64_t *id);

/* Personal data: what the person reported, said "me too" to, wrote. */
int report_me_too_ids(struct store_conn *c, struct arena *a, int64_t user_id, int64_t **ids,
                      size_t *n);
int report_updates_by(struct store_conn *c, struct arena *a, int64_t user_id,
                      struct report_update **out, size_t *n);
/* The erase: the person's name comes off their reports, comments and
 * confirmations; their "me too" marks are deleted (the counts stay). */
int report_erase_user(struct store_conn *c, int64_t user_id);

/* Demo data: delete the demo reports (and their timelines and photos). */
int report_delete_demo(struct store_conn *c);

/* ---- photos (report_photo.c) ------------------------------------------ */

#define REPORT_PHOTO_MAX_BYTES (8 * 1024 * 1024) /* one upload, decoded */
#define REPORT_PHOTO_MAX_PIXELS 50000000         /* width x height */
#define REPORT_PHOTO_MAX_SIDE 20000
#define REPORT_PHOTO_SIDE 1600 /* the longest side of what is kept */
/* The body of a write that may carry photos (base64 in JSON, or a
 * multipart file): three phone photos of about 4 MB, or one of the
 * largest; every other write keeps the server's 1 MiB. */
#define REPORT_UPLOAD_BODY_LIMIT ((size_t)16 * 1024 * 1024)
#define REPORT_PHOTO_QUALITY 82

enum report_photo_result {
    REPORT_PHOTO_OK = 0,
    REPORT_PHOTO_NOT_IMAGE,  /* not JPEG, PNG or WebP: 415 */
    REPORT_PHOTO_UNREADABLE, /* says it is one but does not decode: 415 */
    REPORT_PHOTO_TOO_LARGE,  /* over the bytes or pixels allowed: 413 */
    REPORT_PHOTO_FAILED,     /* the library failed (out of memory ...): 500 */
};

/* Start libvips once per process (no operation cache, one thread per
 * operation). 0, or -1 with a message in err. */
int report_photo_start(char *err, size_t errlen);
/* "image/jpeg", "image/png" or "image/webp" by the first bytes, or NULL. */
const char *report_photo_sniff(const void *data, size_t len);
/* Decode a JPEG, PNG or WebP, turn it upright (EXIF orientation), shrink
 * it to at most REPORT_PHOTO_SIDE on its longest side, flatten any alpha
 * onto white, convert to sRGB and encode it again as a baseline JPEG with
 * no metadata at all: no EXIF (GPS included), XMP, IPTC or ICC profile.
 * The result (malloc'ed copy in the arena's care: *out points into the
 * arena) is what is stored; the input is not kept. Returns an enum
 * report_photo_result. */
int report_photo_clean(struct arena *a, const void *data, size_t len, const void **out,
                       size_t *out_len, int *width, int *height);

/* ---- module (report_http.c) ------------------------------------------- */

struct module;
struct route_scope;
extern const struct module report_module;
/* Its change kinds. */
enum report_change {
    REPORT_CHANGED,  /* a report was made or moved on (id) */
    REPORT_BOUNDARY, /* a region's boundary was set or removed (region id) */
};
/* The scope resolver for routes whose {id} is a report: its grid. */
extern const struct route_scope report_scope_path;

/* Shared by report_http.c and report_open311.c. */

/* What making a report needs; the caller has checked the texts. */
struct report_new {
    const struct report_category *cat;
    double lat, lon; /* WGS-84 */
    const char *datum;
    const char *address, *description;
    json_t *answers; /* checked (report_answers_check) */
    const void *photos[REPORT_MAX_PHOTOS];
    size_t photo_len[REPORT_MAX_PHOTOS];
    int photo_w[REPORT_MAX_PHOTOS], photo_h[REPORT_MAX_PHOTOS];
    size_t nphotos; /* cleaned already */
    int64_t reporter_id;
    bool reporter_is_manager; /* a grid manager of the grid: confirmed at once */
    const char *source;       /* "app" | "open311" */
    int64_t api_key_id;
    const char *contact_name, *contact_email, *contact_phone, *media_url;
    const char *jurisdiction_path; /* Open311: the grid must be inside it */
};

/* Where a point goes: the grid and why not. */
enum report_route_result {
    REPORT_ROUTED = 0,
    REPORT_OUTSIDE,      /* outside every boundary the service has */
    REPORT_NO_GRID,      /* inside a region none of whose grids has a boundary */
    REPORT_ROUTE_FAILED, /* the store */
};
/* Find the grid for (lat, lon): *grid gets its id, code and path (in a;
 * its geometry is not filled in). The module's in-memory index answers
 * when a grid's boundary holds the point; the store, when none does. */
int report_route_point(struct app *app, struct store_conn *c, struct arena *a, double lat,
                       double lon, struct report_area *grid, int *store_rc);

/* Route, then insert the report, its photos and its first timeline entry
 * in one transaction (req_tx). 0 with *out filled, or -1 after replying
 * (open311: in Open311's error shape). */
int report_create_or_reply(struct req *r, struct store_conn *c, struct report_new *nr, bool open311,
                           struct report *out);
/* Decode a base64 photo (or a data: URL) and clean it: 0, or -1 after
 * replying 413/415/422 naming field. */
int report_photo_decode_or_reply(struct req *r, const char *text, const char *field,
                                 const void **out, size_t *len, int *w, int *h);
/* The absolute URL of a path on this server, from the request's Host. */
const char *report_absolute_url(struct req *r, const char *path);

/* The Open311 handlers (report_open311.c). */
/* An error as Open311 has it, [{code, description}] (XML <errors>), in
 * the format the request's path ends in. Returns status. */
int open311_error_reply(struct req *r, int status, const char *description);
int open311_discovery(struct req *r);
int open311_services(struct req *r);
int open311_service(struct req *r);
int open311_requests(struct req *r);
int open311_post_request(struct req *r);
int open311_request(struct req *r);
int open311_token(struct req *r);

/* The demo hook (report_demo.c). */
int report_demo(struct app *app, struct store_conn *c, int *count);

#endif
