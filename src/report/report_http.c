/*
 * report_http.c - grid reports over HTTP, and the module:
 *
 *   GET    /api/report-departments                     who fixes things
 *   PUT    /api/report-departments/{code}              system admins
 *   GET    /api/report-categories                      categories, questions,
 * SLA PUT    /api/report-categories/{code}               system admins GET
 * /api/regions/{code}/boundary                a region's boundary (GeoJSON) PUT
 * /api/regions/{code}/boundary   ?datum=      admins of the region DELETE
 * /api/regions/{code}/boundary                admins of the region GET
 * /api/reports   ?bbox=&status=&category=&overdue=1&limit=   the map (GeoJSON)
 *   POST   /api/reports                                signed in: report
 *   GET    /api/reports/nearby ?lat=&lon=&datum=&category=&radius_m=  "me too"
 * candidates GET    /api/reports/queue  ?status=&overdue=1&escalated=1&limit=
 * what I handle GET    /api/reports/{id}                           public, or
 * more for its reporter and its handlers POST   /api/reports/{id}/me-too signed
 * in, once per person POST   /api/reports/{id}/reopen                    its
 * reporter, 14 days after fixed POST   /api/reports/{id}/comments its reporter
 * or handlers POST   /api/reports/{id}/status                    its handlers
 *   POST   /api/reports/{id}/confirm, /reject          its grid's managers
 *   GET    /api/report-photos/{id}                     a cleaned photo
 *   GET    /api/me/reports                             mine
 *   POST   /api/open311/keys, GET, DELETE /{id}        system admins: Open311
 * keys /open311/v2/...                                    report_open311.c
 *
 * Who handles a report: the managers of its grid (ROLE_GRID_MANAGER with
 * a region grant reaching the grid), the dispatchers of its department
 * (ROLE_DISPATCHER with a department grant naming the department's code,
 * or a region grant reaching the grid), region admins reaching the grid,
 * and system admins. A department is not a place the server's scope
 * check knows (struct scope_target has sites, regions and organizations),
 * so the routes that dispatchers use as well declare SCOPE_ANY and run
 * handler_or_reply() first, which is the whole rule in one place; confirm
 * and reject, for grid managers only, use report_scope_path.
 */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account/account.h"
#include "app/app.h"
#include "calendar/calendar.h"
#include "core/base64.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/strbuf.h"
#include "core/text.h"
#include "http/json_in.h"
#include "inbox/inbox.h"
#include "points/points.h"
#include "region/region.h"
#include "report/report.h"
#include "store/store.h"

#define HANDLERS (ROLE_GRID_MANAGER | ROLE_DISPATCHER | ACCESS_ADMIN)
#define GRID_MANAGERS (ROLE_GRID_MANAGER | ACCESS_ADMIN)

/* ---- small JSON helpers ----------------------------------------------------
 */

static json_t *iso_json(int64_t t, int tz)
{
    if (!t)
        return json_null();
    char buf[40];
    return json_string(clock_format_iso(t, tz, buf, sizeof buf));
}

static json_t *str_json(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *position_json(double lat, double lon, enum geo_datum datum)
{
    struct geo_point p = geo_convert((struct geo_point){lat, lon}, GEO_WGS84, datum);
    return json_pack("{s:f, s:f, s:s}", "lat", p.lat, "lon", p.lon, "datum", geo_datum_name(datum));
}

static int tz_of(struct req *r)
{
    return r->app->cfg.tz_offset_min;
}

/* ---- who is calling, for a report ------------------------------------------
 */

/* Does a dispatcher grant of the caller name the report's department? */
static bool dispatches(const struct principal *p, const struct report *rep)
{
    for (size_t i = 0; p && i < p->ngrants; i++)
        if (p->grants[i].role == ROLE_DISPATCHER && strcmp(p->grants[i].kind, "department") == 0 &&
            rep->department_code && strcmp(p->grants[i].ref, rep->department_code) == 0)
            return true;
    return false;
}

/* May the caller handle this report? (See the file's comment.) */
static bool handles(struct req *r, const struct report *rep)
{
    const struct principal *p = req_principal(r);
    if (!p)
        return false;
    return req_reaches_region(r, HANDLERS, rep->region_code) || dispatches(p, rep);
}

/* What the timeline calls the caller who handles rep. */
static const char *handler_role(struct req *r, const struct report *rep)
{
    const struct principal *p = req_principal(r);
    if (p->roles & ROLE_SYSTEM_ADMIN)
        return "admin";
    if (req_reaches_region(r, ROLE_GRID_MANAGER, rep->region_code))
        return "grid_manager";
    if (dispatches(p, rep) || req_reaches_region(r, ROLE_DISPATCHER, rep->region_code))
        return "dispatcher";
    return "admin";
}

static bool is_reporter(struct req *r, const struct report *rep)
{
    const struct principal *p = req_principal(r);
    return p && rep->reporter_id && p->user_id == rep->reporter_id;
}

/* {id} as a report: 404 when there is none. */
static int report_or_reply(struct req *r, struct store_conn *c, struct report *rep)
{
    int64_t id;
    if (req_param_id_or_reply(r, "id", "report", &id))
        return -1;
    int rc = report_get(c, &r->arena, id, rep);
    if (rc)
        return reply_store_error(r, rc, "report"), -1;
    return 0;
}

/* The report, which the caller must handle: 403 out_of_scope otherwise. */
static int handler_or_reply(struct req *r, struct store_conn *c, struct report *rep)
{
    if (report_or_reply(r, c, rep))
        return -1;
    if (!handles(r, rep))
        return reply_error(r, 403, "out_of_scope", NULL,
                           "you handle neither grid %s nor department %s", rep->region_code,
                           rep->department_code),
               -1;
    return 0;
}

/* A rejected report is seen by its reporter and handlers only. */
static bool may_see(struct req *r, const struct report *rep)
{
    return strcmp(rep->verification, "rejected") != 0 || is_reporter(r, rep) || handles(r, rep);
}

/* {id} is a report: the grid it is in. */
static int resolve_report(struct req *r, struct scope_target *t)
{
    struct store_conn *c = req_store_or_reply(r);
    struct report rep;
    if (!c || report_or_reply(r, c, &rep))
        return -1;
    t->region_code = rep.region_code;
    return 0;
}

const struct route_scope report_scope_path = {"report", resolve_report};

/* ---- rendering --------------------------------------------------------- */

enum view { VIEW_PUBLIC, VIEW_REPORTER, VIEW_HANDLER };

static enum view view_of(struct req *r, const struct report *rep)
{
    if (handles(r, rep))
        return VIEW_HANDLER;
    if (is_reporter(r, rep))
        return VIEW_REPORTER;
    return VIEW_PUBLIC;
}

static bool is_overdue(const struct report *rep, int64_t now)
{
    return report_status_is_open(report_status_parse(rep->status)) && rep->due_at <= now;
}

static const char *photo_path(struct arena *a, int64_t id)
{
    return arena_printf(a, "/api/report-photos/%lld", (long long)id);
}

/* The report as JSON; never the reporter's identity but to handlers. */
static json_t *report_json(struct req *r, const struct report *rep, enum view v,
                           enum geo_datum datum)
{
    int tz = tz_of(r);
    int64_t now = clock_now();
    json_t *attrs = json_loads(rep->attributes ? rep->attributes : "{}", 0, NULL);
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer((json_int_t)rep->id));
    json_object_set_new(o, "category", json_string(rep->category_code));
    json_object_set_new(o, "category_name_zh", str_json(rep->category_name_zh));
    json_object_set_new(o, "category_name_en", str_json(rep->category_name_en));
    json_object_set_new(o, "department", json_string(rep->department_code));
    json_object_set_new(o, "department_name_zh", str_json(rep->department_name_zh));
    json_object_set_new(o, "department_name_en", str_json(rep->department_name_en));
    json_object_set_new(o, "grid",
                        json_pack("{s:s, s:s?, s:s?}", "code", rep->region_code, "name_zh",
                                  rep->region_name_zh, "name_en", rep->region_name_en));
    json_object_set_new(o, "status", json_string(rep->status));
    json_object_set_new(o, "verification", json_string(rep->verification));
    json_object_set_new(o, "overdue", json_boolean(is_overdue(rep, now)));
    json_object_set_new(o, "due_at", iso_json(rep->due_at, tz));
    json_object_set_new(o, "escalated_to",
                        str_json(rep->escalated_at ? rep->escalated_region_code : NULL));
    json_object_set_new(o, "escalated_at", iso_json(rep->escalated_at, tz));
    json_object_set_new(o, "position", position_json(rep->lat, rep->lon, datum));
    json_object_set_new(o, "address", json_string(rep->address ? rep->address : ""));
    json_object_set_new(o, "description", json_string(rep->description ? rep->description : ""));
    json_object_set_new(o, "attributes", attrs ? attrs : json_object());
    json_object_set_new(o, "me_too", json_integer((json_int_t)rep->me_too));
    json_object_set_new(o, "duplicate_of",
                        rep->duplicate_of ? json_integer((json_int_t)rep->duplicate_of)
                                          : json_null());
    json_object_set_new(o, "source", json_string(rep->source));
    json_object_set_new(o, "created_at", iso_json(rep->created_at, tz));
    json_object_set_new(o, "updated_at", iso_json(rep->updated_at, tz));
    json_object_set_new(o, "fixed_at", iso_json(rep->fixed_at, tz));
    json_object_set_new(o, "closed_at", iso_json(rep->closed_at, tz));
    if (v == VIEW_REPORTER || (v == VIEW_HANDLER && is_reporter(r, rep))) {
        json_object_set_new(o, "mine", json_true());
        bool can = report_may_reopen(report_status_parse(rep->status), rep->fixed_at, now) ==
                   REPORT_REOPEN_OK;
        json_object_set_new(o, "reopen_until",
                            can ? iso_json(rep->fixed_at + (int64_t)REPORT_REOPEN_DAYS * 86400, tz)
                                : json_null());
    }
    if (v == VIEW_HANDLER) {
        json_object_set_new(o, "reporter",
                            rep->reporter_id ? json_integer((json_int_t)rep->reporter_id)
                                             : json_null());
        json_object_set_new(o, "contact",
                            json_pack("{s:o, s:o, s:o}", "name", str_json(rep->contact_name),
                                      "email", str_json(rep->contact_email), "phone",
                                      str_json(rep->contact_phone)));
        json_object_set_new(o, "media_url", str_json(rep->media_url));
        json_object_set_new(o, "reopen_count", json_integer((json_int_t)rep->reopen_count));
    }
    return o;
}

/* Photos and the timeline (internal entries for handlers only). */
static int report_detail_json(struct req *r, struct store_conn *c, const struct report *rep,
                              enum view v, enum geo_datum datum, json_t **out)
{
    struct report_update *us;
    struct report_photo *ps;
    size_t nu, np;
    int rc = report_update_list(c, &r->arena, rep->id, v == VIEW_HANDLER, &us, &nu);
    if (!rc)
        rc = report_photo_list(c, &r->arena, rep->id, &ps, &np);
    if (rc)
        return rc;
    json_t *o = report_json(r, rep, v, datum);
    json_t *own = json_array(), *timeline = json_array();
    for (size_t i = 0; i < np; i++)
        if (!ps[i].update_id)
            json_array_append_new(own, json_string(photo_path(&r->arena, ps[i].id)));
    for (size_t i = 0; i < nu; i++) {
        const struct report_update *u = &us[i];
        json_t *photos = json_array();
        for (size_t k = 0; k < np; k++)
            if (ps[k].update_id == u->id)
                json_array_append_new(photos, json_string(photo_path(&r->arena, ps[k].id)));
        json_t *e = json_pack(
            "{s:I, s:s, s:s, s:o, s:o, s:s, s:b, s:o, s:o}", "id", (json_int_t)u->id, "kind",
            u->kind, "author_role", u->author_role, "status_from", str_json(u->status_from),
            "status_to", str_json(u->status_to), "body", u->body ? u->body : "", "internal",
            u->internal, "photos", photos, "at", iso_json(u->created_at, tz_of(r)));
        if (v == VIEW_HANDLER)
            json_object_set_new(
                e, "author", u->author_id ? json_integer((json_int_t)u->author_id) : json_null());
        json_array_append_new(timeline, e);
    }
    json_object_set_new(o, "photos", own);
    json_object_set_new(o, "timeline", timeline);
    *out = o;
    return STORE_OK;
}

/* ---- reading input ----------------------------------------------------- */

static int datum_query_or_reply(struct req *r, enum geo_datum *d)
{
    *d = GEO_WGS84;
    const char *s = req_query(r, "datum");
    if (s && geo_datum_parse(s, d))
        return reply_error(r, 400, "invalid_query", "datum", "datum is wgs84, gcj02 or bd09"), -1;
    return 0;
}

/* "open,fixed" into status bits; "all" for every one. 0 or -1. */
static int statuses_or_reply(struct req *r, const char *text, unsigned dflt, unsigned *bits)
{
    *bits = dflt;
    if (!text)
        return 0;
    if (strcmp(text, "all") == 0)
        return *bits = 0, 0;
    *bits = 0;
    const char *p = text;
    while (*p) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        char name[32];
        int s = -1;
        if (n < sizeof name) {
            memcpy(name, p, n);
            name[n] = '\0';
            s = report_status_parse(name);
        }
        if (s < 0)
            return reply_error(r, 400, "invalid_query", "status",
                               "status is a comma list of open, acknowledged, "
                               "in_progress, "
                               "fixed, closed, duplicate, not_ours (or all)"),
                   -1;
        *bits |= 1u << s;
        p = comma ? comma + 1 : p + n;
    }
    return 0;
}

#define OPEN_BITS ((1u << REPORT_OPEN) | (1u << REPORT_ACKNOWLEDGED) | (1u << REPORT_IN_PROGRESS))

static int flag_query(struct req *r, const char *name)
{
    const char *v = req_query(r, name);
    return v && (strcmp(v, "1") == 0 || strcmp(v, "true") == 0);
}

/* position {lat, lon, datum?} into WGS-84. 0 or -1 after replying. */
static int position_or_reply(struct req *r, json_t *body, double *lat, double *lon,
                             const char **datum_name)
{
    json_t *pos = json_object_get(body, "position");
    static const char *const fields[] = {"lat", "lon", "datum", NULL};
    *datum_name = "wgs84";
    if (!pos)
        return reply_error(r, 422, "missing_field", "position",
                           "position {lat, lon, datum?} is required"),
               -1;
    if (json_in_object_or_reply(r, pos, "position") ||
        json_in_only_or_reply(r, pos, "position", fields) ||
        json_in_number(r, pos, "position", "lat", -90, 90, true, lat) < 0 ||
        json_in_number(r, pos, "position", "lon", -180, 180, true, lon) < 0 ||
        json_in_string(r, pos, "position", "datum", 16, false, datum_name) < 0)
        return -1;
    enum geo_datum d;
    if (geo_datum_parse(*datum_name, &d))
        return reply_error(r, 422, "invalid_field", "position.datum",
                           "datum is wgs84, gcj02 or bd09"),
               -1;
    struct geo_point p = geo_convert((struct geo_point){*lat, *lon}, d, GEO_WGS84);
    if (!geo_is_valid(p.lat, p.lon))
        return reply_error(r, 422, "invalid_field", "position", "not a position on earth"), -1;
    *lat = p.lat;
    *lon = p.lon;
    return 0;
}

/* A string field that must be clean text (no control characters but
 * tab and line breaks). */
static int text_or_reply(struct req *r, json_t *obj, const char *name, size_t max, bool required,
                         const char **out)
{
    int got = json_in_string(r, obj, NULL, name, max, required, out);
    if (got < 0)
        return -1;
    if (got && !text_is_clean_utf8(*out, strlen(*out)))
        return reply_error(r, 422, "invalid_field", name, "%s holds control characters", name), -1;
    return 0;
}

int report_photo_decode_or_reply(struct req *r, const char *text, const char *field,
                                 const void **out, size_t *len, int *w, int *h)
{
    const char *b64 = text;
    if (strncmp(text, "data:", 5) == 0) {
        const char *comma = strchr(text, ',');
        if (!comma || !strstr(text, ";base64"))
            return reply_error(r, 422, "invalid_field", field,
                               "a photo is base64 text or a base64 data: URL"),
                   -1;
        b64 = comma + 1;
    }
    size_t n = strlen(b64);
    size_t cap = n / 4 * 3 + 3;
    if (cap > (size_t)REPORT_PHOTO_MAX_BYTES + 3)
        return reply_error(r, 413, "photo_too_large", field, "a photo may be at most %d bytes",
                           REPORT_PHOTO_MAX_BYTES),
               -1;
    unsigned char *bin = arena_alloc(&r->arena, cap ? cap : 1);
    size_t binlen = 0;
    if (!base64_decode(b64, n, bin, cap, &binlen))
        return reply_error(r, 422, "invalid_field", field, "a photo is base64 text"), -1;
    int rc = report_photo_clean(&r->arena, bin, binlen, out, len, w, h);
    switch (rc) {
    case REPORT_PHOTO_OK:
        return 0;
    case REPORT_PHOTO_NOT_IMAGE:
        return reply_error(r, 415, "unsupported_photo", field,
                           "a photo is a JPEG, PNG or WebP image"),
               -1;
    case REPORT_PHOTO_UNREADABLE:
        return reply_error(r, 415, "unreadable_photo", field,
                           "this photo cannot be decoded (cut short or damaged)"),
               -1;
    case REPORT_PHOTO_TOO_LARGE:
        return reply_error(r, 413, "photo_too_large", field,
                           "a photo may be at most %d bytes and %d pixels (%d "
                           "on a side)",
                           REPORT_PHOTO_MAX_BYTES, REPORT_PHOTO_MAX_PIXELS, REPORT_PHOTO_MAX_SIDE),
               -1;
    default:
        return reply_error(r, 500, "internal", field, "the photo could not be processed"), -1;
    }
}

/* photos: an array of at most REPORT_MAX_PHOTOS strings, each cleaned. */
static int photos_or_reply(struct req *r, json_t *body, const void **data, size_t *len, int *w,
                           int *h, size_t *n)
{
    *n = 0;
    json_t *arr = json_object_get(body, "photos");
    if (!arr || json_is_null(arr))
        return 0;
    if (!json_is_array(arr) || json_array_size(arr) > REPORT_MAX_PHOTOS)
        return reply_error(r, 422, "invalid_field", "photos", "photos is an array of at most %d",
                           REPORT_MAX_PHOTOS),
               -1;
    for (size_t i = 0; i < json_array_size(arr); i++) {
        json_t *v = json_array_get(arr, i);
        const char *field = arena_printf(&r->arena, "photos[%zu]", i);
        if (!json_is_string(v))
            return reply_error(r, 422, "invalid_field", field, "a photo is base64 text"), -1;
        if (report_photo_decode_or_reply(r, json_string_value(v), field, &data[i], &len[i], &w[i],
                                         &h[i]))
            return -1;
        (*n)++;
    }
    return 0;
}

/* ---- photos into the store --------------------------------------------- */

static const char *base64_of(struct arena *a, const void *data, size_t len)
{
    char *out = arena_alloc(a, BASE64_ENCODED_SIZE(len));
    base64_encode(data, len, out);
    return out;
}

static int add_photos(struct store_conn *c, struct arena *a, int64_t report_id, int64_t update_id,
                      const char *const *b64, const size_t *len, const int *w, const int *h,
                      size_t n, int64_t now)
{
    for (size_t i = 0; i < n; i++) {
        struct report_photo p = {.report_id = report_id,
                                 .update_id = update_id,
                                 .position = (int)i + 1,
                                 .content_type = "image/jpeg",
                                 .width = w[i],
                                 .height = h[i],
                                 .bytes = (int64_t)len[i],
                                 .data = b64[i],
                                 .created_at = now};
        int rc = report_photo_add(c, a, &p);
        if (rc)
            return rc;
    }
    return STORE_OK;
}

/* ---- routing ----------------------------------------------------------- */

/* The module's state: the grids' boundaries in memory with their index,
 * one snapshot at a time. Lookups hold the read lock while they search
 * and copy what they found out; a boundary change (on any node) or a
 * change of the region tree drops the snapshot, and the next lookup
 * builds a new one (one builder at a time; a snapshot built while a
 * change came in is thrown away rather than kept). */
struct grid_snap {
    struct arena arena; /* the areas and the index */
    struct report_index ix;
};
struct report_state {
    pthread_rwlock_t lock;
    pthread_mutex_t build;
    struct grid_snap *snap; /* NULL: to be built */
    _Atomic uint64_t gen;   /* bumped by every change that drops it */
};

static void snap_free(struct grid_snap *s)
{
    if (s) {
        arena_release(&s->arena);
        free(s);
    }
}

static void grids_drop(struct report_state *st)
{
    atomic_fetch_add(&st->gen, 1);
    pthread_rwlock_wrlock(&st->lock);
    struct grid_snap *old = st->snap;
    st->snap = NULL;
    pthread_rwlock_unlock(&st->lock);
    snap_free(old);
}

/* Build the snapshot if there is none. A store failure leaves none (the
 * caller falls back to the store). */
static void grids_ensure(struct report_state *st, struct store_conn *c)
{
    pthread_rwlock_rdlock(&st->lock);
    bool have = st->snap != NULL;
    pthread_rwlock_unlock(&st->lock);
    if (have)
        return;
    pthread_mutex_lock(&st->build);
    pthread_rwlock_rdlock(&st->lock);
    have = st->snap != NULL;
    pthread_rwlock_unlock(&st->lock);
    if (!have) {
        uint64_t gen = atomic_load(&st->gen);
        struct grid_snap *s = calloc(1, sizeof(*s));
        if (!s)
            die_oom();
        arena_init_sized(&s->arena, 1 << 20);
        struct report_area *areas;
        size_t n;
        int rc = report_areas_all_grids(c, &s->arena, &areas, &n);
        if (!rc) {
            report_index_build(&s->ix, &s->arena, areas, n);
            pthread_rwlock_wrlock(&st->lock);
            if (atomic_load(&st->gen) == gen && !st->snap) {
                st->snap = s;
                s = NULL;
            }
            pthread_rwlock_unlock(&st->lock);
        } else {
            log_warn("reports: loading the grids' boundaries failed (%d); the store routes", rc);
        }
        snap_free(s);
    }
    pthread_mutex_unlock(&st->build);
}

/* The grid holding the point, from memory: 1 with *grid (strings copied
 * into a), 0 when no grid's boundary holds it, -1 when there is no
 * snapshot. */
static int grids_find(struct report_state *st, struct store_conn *c, struct arena *a, double lat,
                      double lon, struct report_area *grid)
{
    if (!st)
        return -1;
    grids_ensure(st, c);
    int found = -1;
    pthread_rwlock_rdlock(&st->lock);
    if (st->snap) {
        long i = report_index_find(&st->snap->ix, lat, lon);
        found = i >= 0;
        if (found) {
            const struct report_area *ar = &st->snap->ix.areas[i];
            memset(grid, 0, sizeof(*grid));
            grid->region_id = ar->region_id;
            grid->code = arena_strdup(a, ar->code);
            grid->level = arena_strdup(a, ar->level);
            grid->path = arena_strdup(a, ar->path);
            memcpy(grid->geom.bbox, ar->geom.bbox, sizeof grid->geom.bbox);
        }
    }
    pthread_rwlock_unlock(&st->lock);
    return found;
}

int report_route_point(struct app *app, struct store_conn *c, struct arena *a, double lat,
                       double lon, struct report_area *grid, int *store_rc)
{
    *store_rc = STORE_OK;
    if (grids_find(app_state(app, &report_module), c, a, lat, lon, grid) == 1)
        return REPORT_ROUTED;
    struct report_area *at;
    size_t n;
    /* Boundaries whose box holds the point, of every level. */
    int rc = report_areas_at(c, a, lat, lon, 0, false, &at, &n);
    if (rc)
        return *store_rc = rc, REPORT_ROUTE_FAILED;
    long pick = report_pick_grid(at, n, lat, lon, 0);
    if (pick >= 0 && report_geom_contains(&at[pick].geom, lat, lon))
        return *grid = at[pick], REPORT_ROUTED;
    /* The deepest region (by path) whose boundary holds the point. */
    const struct report_area *cover = NULL;
    for (size_t i = 0; i < n; i++)
        if (report_geom_contains(&at[i].geom, lat, lon) &&
            (!cover || strlen(at[i].path) > strlen(cover->path)))
            cover = &at[i];
    /* Grids nearby first (a few km), then every grid under the cover. */
    struct report_area *near;
    size_t nn;
    double margin = (cover ? REPORT_NEAR_GRID_M : REPORT_EDGE_SLACK_M) / 111000.0;
    rc = report_areas_at(c, a, lat, lon, margin, true, &near, &nn);
    if (rc)
        return *store_rc = rc, REPORT_ROUTE_FAILED;
    if (cover) {
        /* only grids inside the covering region */
        size_t k = 0;
        for (size_t i = 0; i < nn; i++)
            if (strncmp(near[i].path, cover->path, strlen(cover->path)) == 0)
                near[k++] = near[i];
        nn = k;
    }
    pick = report_pick_grid(near, nn, lat, lon, cover ? -1 : REPORT_EDGE_SLACK_M);
    if (pick >= 0)
        return *grid = near[pick], REPORT_ROUTED;
    if (!cover)
        return REPORT_OUTSIDE;
    rc = report_areas_under(c, a, cover->path, &near, &nn);
    if (rc)
        return *store_rc = rc, REPORT_ROUTE_FAILED;
    pick = report_pick_grid(near, nn, lat, lon, -1);
    if (pick < 0)
        return REPORT_NO_GRID;
    *grid = near[pick];
    return REPORT_ROUTED;
}

/* ---- points for confirmed reports ----------------------------------------
 *
 * A confirmed report earns its reporter REPORT_POINTS_BASE points under
 * the admin's rules for "report:<category>" (or "report"): its
 * coefficient, the daily cap and the cap on repeats at one place (a cell
 * of about 100 m). Nothing for a report already marked a duplicate; a
 * report marked a duplicate or rejected later gives its points back (a
 * "reverse" row of the ledger). Both happen in the transaction of the
 * change that causes them. */

/* Where a report is, for the cap on repeats at one place: its point
 * rounded to 0.001 degrees (about 100 m). */
static const char *points_place(struct arena *a, const struct report *rep)
{
    return arena_printf(a, "%.3f,%.3f", rep->lat, rep->lon);
}

static int award_report(struct store_conn *c, struct arena *a, const struct report *rep,
                        const char *category_code, int64_t now)
{
    if (!rep->reporter_id)
        return STORE_OK;
    unsigned flags = strcmp(rep->status, "duplicate") == 0 ? POINTS_DUPLICATE : 0;
    if (strcmp(rep->verification, "rejected") == 0)
        flags |= POINTS_REJECTED;
    int g =
        points_award_at(c, rep->reporter_id, arena_printf(a, "report:%s", category_code), "report",
                        rep->id, points_place(a, rep), REPORT_POINTS_BASE, flags, now);
    return g < 0 ? -g : STORE_OK;
}

static int reverse_report(struct store_conn *c, const struct report *rep, const char *why,
                          int64_t now)
{
    int g = points_reverse(c, "report", rep->id, why, now);
    return g < 0 ? -g : STORE_OK;
}

/* ---- making a report --------------------------------------------------- */

struct create_tx {
    struct arena *arena;
    struct report *rep;
    const char *photo_b64[REPORT_MAX_PHOTOS];
    size_t photo_len[REPORT_MAX_PHOTOS];
    int photo_w[REPORT_MAX_PHOTOS], photo_h[REPORT_MAX_PHOTOS];
    size_t nphotos;
    const char *author_role;
    const char *category_code;
};

static int create_fn(struct store_conn *c, void *v)
{
    struct create_tx *t = v;
    int rc = report_insert(c, t->arena, t->rep);
    if (!rc)
        rc = add_photos(c, t->arena, t->rep->id, 0, t->photo_b64, t->photo_len, t->photo_w,
                        t->photo_h, t->nphotos, t->rep->created_at);
    struct report_update u = {.report_id = t->rep->id,
                              .author_id = t->rep->reporter_id,
                              .author_role = t->author_role,
                              .kind = "created",
                              .status_to = t->rep->status,
                              .body = "",
                              .created_at = t->rep->created_at};
    if (!rc)
        rc = report_update_add(c, t->arena, &u);
    if (!rc && strcmp(t->rep->verification, "confirmed") == 0) {
        struct report_update cu = u;
        cu.kind = "confirmed";
        cu.status_to = NULL;
        rc = report_update_add(c, t->arena, &cu);
        if (!rc)
            rc = award_report(c, t->arena, t->rep, t->category_code, t->rep->created_at);
    }
    return rc;
}

int report_create_or_reply(struct req *r, struct store_conn *c, struct report_new *nr, bool open311,
                           struct report *out)
{
    struct report_area grid;
    int src;
    int routed = report_route_point(r->app, c, &r->arena, nr->lat, nr->lon, &grid, &src);
    if (routed == REPORT_ROUTE_FAILED)
        return open311
                   ? open311_error_reply(r, store_rc_http(src), "the store does not answer; retry")
                   : reply_store_error(r, src, "region"),
               -1;
    if (routed == REPORT_OUTSIDE)
        return open311
                   ? open311_error_reply(r, 400, "lat/long: outside the area this service covers")
                   : reply_error(r, 422, "outside_service_area", "position",
                                 "this point is outside every region the "
                                 "service covers"),
               -1;
    if (routed == REPORT_NO_GRID)
        return open311 ? open311_error_reply(r, 400, "lat/long: no grid covers this point yet")
                       : reply_error(r, 422, "no_grid", "position",
                                     "no grid of the region around this point "
                                     "has a boundary"),
               -1;
    if (nr->jurisdiction_path &&
        strncmp(grid.path, nr->jurisdiction_path, strlen(nr->jurisdiction_path)) != 0)
        return open311_error_reply(r, 400, "lat/long: outside the jurisdiction"), -1;
    int tz = tz_of(r);
    int64_t now = clock_now();
    struct hours_calendar cal;
    int rc = calendar_load(c, &r->arena, now, tz, &cal);
    if (rc)
        return open311
                   ? open311_error_reply(r, store_rc_http(rc), "the store does not answer; retry")
                   : reply_store_error(r, rc, "holiday calendar"),
               -1;
    bool manager = nr->reporter_id && req_reaches_region(r, ROLE_GRID_MANAGER, grid.code);
    char *answers = json_dumps(nr->answers ? nr->answers : json_object(), JSON_COMPACT);
    struct report rep = {0};
    rep.category_id = nr->cat->id;
    rep.department_id = nr->cat->department_id;
    rep.region_id = grid.region_id;
    rep.lat = nr->lat;
    rep.lon = nr->lon;
    rep.datum = nr->datum;
    rep.address = nr->address;
    rep.description = nr->description;
    rep.attributes = arena_strdup(&r->arena, answers ? answers : "{}");
    free(answers);
    rep.status = "open";
    rep.verification = manager ? "confirmed" : "unconfirmed";
    rep.verified_by = manager ? nr->reporter_id : 0;
    rep.verified_at = manager ? now : 0;
    rep.reporter_id = nr->reporter_id;
    rep.source = nr->source;
    rep.api_key_id = nr->api_key_id;
    rep.contact_name = nr->contact_name;
    rep.contact_email = nr->contact_email;
    rep.contact_phone = nr->contact_phone;
    rep.media_url = nr->media_url;
    rep.token = open311 ? account_token_new(&r->arena) : NULL;
    rep.due_at = report_due_at(&cal, now, nr->cat->sla_days, tz);
    rep.created_at = now;
    const struct principal *p = req_principal(r);
    const char *role = open311                               ? "open311"
                       : !manager                            ? "reporter"
                       : p && (p->roles & ROLE_SYSTEM_ADMIN) ? "admin"
                                                             : "grid_manager";
    struct create_tx t = {&r->arena, &rep, {0}, {0}, {0}, {0}, nr->nphotos, role, nr->cat->code};
    for (size_t i = 0; i < nr->nphotos; i++) {
        t.photo_b64[i] = base64_of(&r->arena, nr->photos[i], nr->photo_len[i]);
        t.photo_len[i] = nr->photo_len[i];
        t.photo_w[i] = nr->photo_w[i];
        t.photo_h[i] = nr->photo_h[i];
    }
    rc = req_tx(r, c, create_fn, &t);
    if (!rc)
        rc = report_get(c, &r->arena, rep.id, out);
    if (rc)
        return open311 ? open311_error_reply(r, store_rc_http(rc), "the report could not be stored")
                       : reply_store_error(r, rc, "report"),
               -1;
    app_changed(r->app, c, &report_module, REPORT_CHANGED, rep.id);
    return 0;
}

static const char *const report_fields[] = {"category",   "position", "description", "address",
                                            "attributes", "photos",   NULL};

static int post_report(struct req *r)
{
    const struct principal *p = req_principal(r);
    json_t *b = r->json;
    const char *code, *description = "", *address = "", *datum;
    struct report_new nr = {0};
    if (json_in_only_or_reply(r, b, NULL, report_fields) ||
        json_in_string(r, b, NULL, "category", 64, true, &code) < 0 ||
        position_or_reply(r, b, &nr.lat, &nr.lon, &datum) ||
        text_or_reply(r, b, "description", REPORT_DESCRIPTION_MAX, false, &description) ||
        text_or_reply(r, b, "address", REPORT_ADDRESS_MAX, false, &address))
        return r->status;
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    struct report_category cat;
    int rc = report_category_get(c, &r->arena, code, &cat);
    if (rc == STORE_NOT_FOUND || (!rc && !cat.active))
        return reply_error(r, 422, "unknown_category", "category", "no category has code %s", code);
    if (rc)
        return reply_store_error(r, rc, "category");
    json_t *defs = json_loads(cat.attributes, 0, NULL);
    const char *field, *why;
    json_t *answers = NULL;
    rc = report_answers_check(&r->arena, defs, json_object_get(b, "attributes"), tz_of(r), &answers,
                              &field, &why);
    json_decref(defs);
    if (rc)
        return reply_error(r, 422, "invalid_field", field, "%s", why);
    nr.cat = &cat;
    nr.datum = datum;
    nr.description = description;
    nr.address = address;
    nr.answers = answers;
    nr.reporter_id = p->user_id;
    nr.source = "app";
    if (photos_or_reply(r, b, nr.photos, nr.photo_len, nr.photo_w, nr.photo_h, &nr.nphotos)) {
        json_decref(answers);
        return r->status;
    }
    struct report rep;
    rc = report_create_or_reply(r, c, &nr, false, &rep);
    json_decref(answers);
    if (rc)
        return r->status;
    json_t *o;
    rc = report_detail_json(r, c, &rep, view_of(r, &rep), GEO_WGS84, &o);
    if (rc)
        return reply_store_error(r, rc, "report");
    char loc[64];
    snprintf(loc, sizeof loc, "/api/reports/%lld", (long long)rep.id);
    reply_header(r, "Location", loc);
    return reply_json(r, 201, o);
}

/* ---- reads ------------------------------------------------------------- */

static int get_report(struct req *r)
{
    enum geo_datum datum;
    if (datum_query_or_reply(r, &datum))
        return r->status;
    struct store_conn *c = req_store_or_reply(r);
    struct report rep;
    if (!c || report_or_reply(r, c, &rep))
        return r->status;
    if (!may_see(r, &rep))
        return reply_error(r, 404, "not_found", NULL, "no such report");
    json_t *o;
    int rc = report_detail_json(r, c, &rep, view_of(r, &rep), datum, &o);
    if (rc)
        return reply_store_error(r, rc, "report");
    return reply_json(r, 200, o);
}

/* The public map: a GeoJSON FeatureCollection (WGS-84, RFC 7946). */
static int list_reports(struct req *r)
{
    struct report_filter f = {0};
    int64_t limit;
    enum geo_datum datum;
    if (req_query_int_or_reply(r, "limit", 1, REPORT_LIST_MAX, 500, &limit) ||
        datum_query_or_reply(r, &datum) ||
        statuses_or_reply(r, req_query(r, "status"), 0, &f.statuses))
        return r->status;
    const char *bbox = req_query(r, "bbox");
    if (bbox) {
        if (geo_bbox_parse(bbox, f.bbox))
            return reply_error(r, 400, "invalid_query", "bbox",
                               "bbox is minlon,minlat,maxlon,maxlat, min before max");
        geo_bbox_convert(f.bbox, datum, GEO_WGS84, f.bbox);
        f.has_bbox = true;
    }
    f.category = req_query(r, "category");
    f.public_only = true;
    f.overdue_only = flag_query(r, "overdue");
    f.now = clock_now();
    f.limit = limit;
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    struct report *rs;
    size_t n;
    int rc = report_list(c, &r->arena, &f, &rs, &n);
    if (rc)
        return reply_store_error(r, rc, "report");
    json_t *features = json_array();
    int tz = tz_of(r);
    for (size_t i = 0; i < n; i++) {
        const struct report *rep = &rs[i];
        json_t *props = json_pack(
            "{s:s, s:o, s:o, s:s, s:s, s:b, s:s, s:s, s:I, s:o, s:o, s:o}", "category",
            rep->category_code, "category_name_zh", str_json(rep->category_name_zh),
            "category_name_en", str_json(rep->category_name_en), "department", rep->department_code,
            "status", rep->status, "overdue", is_overdue(rep, f.now), "verification",
            rep->verification, "description", rep->description ? rep->description : "", "me_too",
            (json_int_t)rep->me_too, "created_at", iso_json(rep->created_at, tz), "updated_at",
            iso_json(rep->updated_at, tz), "due_at", iso_json(rep->due_at, tz));
        json_array_append_new(features,
                              json_pack("{s:s, s:I, s:{s:s, s:[f, f]}, s:o}", "type", "Feature",
                                        "id", (json_int_t)rep->id, "geometry", "type", "Point",
                                        "coordinates", rep->lon, rep->lat, "properties", props));
    }
    json_t *fc = json_pack("{s:s, s:o, s:I}", "type", "FeatureCollection", "features", features,
                           "numberReturned", (json_int_t)n);
    char *text = json_dumps(fc, JSON_COMPACT | JSON_REAL_PRECISION(10));
    json_decref(fc);
    if (!text)
        die_oom();
    return reply_take(r, 200, "application/geo+json", text, strlen(text));
}

/* Open reports of a category around a point, nearest first: before
 * sending, the reporter may say "me too" instead. */
static int nearby_reports(struct req *r)
{
    int64_t radius;
    enum geo_datum datum;
    const char *lat_s = req_query(r, "lat"), *lon_s = req_query(r, "lon");
    const char *category = req_query(r, "category");
    if (req_query_int_or_reply(r, "radius_m", 1, REPORT_NEARBY_MAX_M, REPORT_NEARBY_DEFAULT_M,
                               &radius) ||
        datum_query_or_reply(r, &datum))
        return r->status;
    char *end1 = NULL, *end2 = NULL;
    double lat = lat_s ? strtod(lat_s, &end1) : NAN, lon = lon_s ? strtod(lon_s, &end2) : NAN;
    if (!lat_s || *end1 || !isfinite(lat) || lat < -90 || lat > 90)
        return reply_error(r, 400, "invalid_query", "lat", "lat is a latitude");
    if (!lon_s || *end2 || !isfinite(lon) || lon < -180 || lon > 180)
        return reply_error(r, 400, "invalid_query", "lon", "lon is a longitude");
    if (!category || !*category)
        return reply_error(r, 400, "invalid_query", "category",
                           "category names the kind of report");
    struct geo_point at = geo_convert((struct geo_point){lat, lon}, datum, GEO_WGS84);
    double dlat = (double)radius / 111000.0 * 1.01;
    double dlon = dlat / fmax(cos(at.lat * M_PI / 180), 0.01);
    struct report_filter f = {.has_bbox = true,
                              .bbox = {at.lon - dlon, at.lat - dlat, at.lon + dlon, at.lat + dlat},
                              .statuses = OPEN_BITS,
                              .category = category,
                              .public_only = true,
                              .now = clock_now(),
                              .limit = 200};
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    struct report *rs;
    size_t n;
    int rc = report_list(c, &r->arena, &f, &rs, &n);
    if (rc)
        return reply_store_error(r, rc, "report");
    /* nearest first (a few at most: insertion sort), within the radius */
    double *d = arena_calloc(&r->arena, n ? n : 1, sizeof(*d));
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        double m = geo_distance_m(at, (struct geo_point){rs[i].lat, rs[i].lon});
        if (m > (double)radius)
            continue;
        size_t j = k++;
        while (j > 0 && d[j - 1] > m) {
            d[j] = d[j - 1];
            rs[j] = rs[j - 1];
            j--;
        }
        d[j] = m;
        rs[j] = rs[i];
    }
    const struct principal *p = req_principal(r);
    json_t *items = json_array();
    for (size_t i = 0; i < k && i < 20; i++) {
        json_t *o;
        rc = report_detail_json(r, c, &rs[i], VIEW_PUBLIC, datum, &o);
        if (rc) {
            json_decref(items);
            return reply_store_error(r, rc, "report");
        }
        json_object_del(o, "timeline");
        json_object_set_new(o, "distance_m", json_integer((json_int_t)lround(d[i])));
        if (p) {
            json_object_set_new(o, "mine", json_boolean(rs[i].reporter_id == p->user_id));
            json_object_set_new(
                o, "me_too_by_me",
                json_boolean(report_me_too_has(c, &r->arena, rs[i].id, p->user_id)));
        }
        json_array_append_new(items, o);
    }
    return reply_json(r, 200, json_pack("{s:o}", "items", items));
}

static int by_due(const void *x, const void *y)
{
    const struct report *a = x, *b = y;
    if (a->due_at != b->due_at)
        return a->due_at < b->due_at ? -1 : 1;
    return a->id < b->id ? -1 : a->id > b->id;
}

/* What the caller handles: their grids' and departments' reports, the
 * most urgent first. */
static int queue_reports(struct req *r)
{
    const struct principal *p = req_principal(r);
    int64_t limit;
    struct report_filter f = {0};
    if (req_query_int_or_reply(r, "limit", 1, 500, 100, &limit) ||
        statuses_or_reply(r, req_query(r, "status"), OPEN_BITS, &f.statuses))
        return r->status;
    f.overdue_only = flag_query(r, "overdue");
    f.escalated_only = flag_query(r, "escalated");
    f.now = clock_now();
    f.limit = limit;
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    struct report *all = NULL;
    size_t nall = 0;
    /* One query per grant (a person holds a few); system admins: one. */
    size_t rounds = (p->roles & ROLE_SYSTEM_ADMIN) ? 1 : p->ngrants;
    for (size_t i = 0; i < rounds; i++) {
        struct report_filter g = f;
        if (!(p->roles & ROLE_SYSTEM_ADMIN)) {
            const struct grant *gr = &p->grants[i];
            if (!(gr->role & HANDLERS))
                continue;
            if (strcmp(gr->kind, "department") == 0 && gr->role == ROLE_DISPATCHER) {
                g.department = gr->ref;
            } else if (strcmp(gr->kind, "region") == 0) {
                struct region reg;
                int rc = region_get(c, &r->arena, gr->ref, &reg);
                if (rc == STORE_NOT_FOUND)
                    continue;
                if (rc)
                    return reply_store_error(r, rc, "region");
                g.region_path = reg.path;
            } else {
                continue;
            }
        }
        struct report *rs;
        size_t n;
        int rc = report_list(c, &r->arena, &g, &rs, &n);
        if (rc)
            return reply_store_error(r, rc, "report");
        struct report *merged = arena_calloc(&r->arena, nall + n + 1, sizeof(*merged));
        if (nall)
            memcpy(merged, all, nall * sizeof(*merged));
        for (size_t k = 0; k < n; k++) {
            bool seen = false;
            for (size_t j = 0; j < nall && !seen; j++)
                seen = merged[j].id == rs[k].id;
            if (!seen)
                merged[nall++] = rs[k];
        }
        all = merged;
    }
    if (nall)
        qsort(all, nall, sizeof(*all), by_due);
    json_t *items = json_array();
    for (size_t i = 0; i < nall && i < (size_t)limit; i++)
        json_array_append_new(items, report_json(r, &all[i], VIEW_HANDLER, GEO_WGS84));
    return reply_json(r, 200, json_pack("{s:o}", "items", items));
}

static int my_reports(struct req *r)
{
    const struct principal *p = req_principal(r);
    int64_t limit;
    enum geo_datum datum;
    if (req_query_int_or_reply(r, "limit", 1, 500, 100, &limit) || datum_query_or_reply(r, &datum))
        return r->status;
    struct report_filter f = {.reporter_id = p->user_id, .now = clock_now(), .limit = limit};
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    struct report *rs;
    size_t n;
    int rc = report_list(c, &r->arena, &f, &rs, &n);
    if (rc)
        return reply_store_error(r, rc, "report");
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, report_json(r, &rs[i], VIEW_REPORTER, datum));
    return reply_json(r, 200, json_pack("{s:o}", "items", items));
}

static int get_photo(struct req *r)
{
    int64_t id;
    if (req_param_id_or_reply(r, "id", "photo", &id))
        return r->status;
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    struct report_photo ph;
    struct report rep;
    int rc = report_photo_get(c, &r->arena, id, &ph);
    if (!rc)
        rc = report_get(c, &r->arena, ph.report_id, &rep);
    if (rc)
        return reply_store_error(r, rc, "photo");
    bool handler = handles(r, &rep);
    bool public = !ph.internal && strcmp(rep.verification, "rejected") != 0;
    if (!public && !handler && !(is_reporter(r, &rep) && !ph.internal))
        return reply_error(r, 404, "not_found", NULL, "no such photo");
    size_t n = strlen(ph.data), cap = n / 4 * 3 + 3, len = 0;
    unsigned char *bin = malloc(cap);
    if (!bin)
        die_oom();
    if (!base64_decode(ph.data, n, bin, cap, &len)) {
        free(bin);
        return reply_error(r, 500, "internal", NULL, "a stored photo is damaged");
    }
    reply_header(r, "Cache-Control", public ? "public, max-age=300" : "private, no-store");
    return reply_take(r, 200, ph.content_type, (char *)bin, len);
}

/* ---- the reporter, and "me too" ---------------------------------------- */

struct me_too_tx {
    int64_t id, user_id, now;
};

static int me_too_fn(struct store_conn *c, void *v)
{
    struct me_too_tx *t = v;
    return report_me_too_add(c, t->id, t->user_id, t->now);
}

static int post_me_too(struct req *r)
{
    const struct principal *p = req_principal(r);
    struct store_conn *c = req_store_or_reply(r);
    struct report rep;
    if (!c || report_or_reply(r, c, &rep))
        return r->status;
    if (!may_see(r, &rep))
        return reply_error(r, 404, "not_found", NULL, "no such report");
    if (rep.reporter_id == p->user_id)
        return reply_error(r, 409, "own_report", NULL, "this is your own report");
    if (!report_status_is_open(report_status_parse(rep.status)))
        return reply_error(r, 409, "not_open", NULL, "this report is %s already", rep.status);
    struct me_too_tx t = {rep.id, p->user_id, clock_now()};
    int rc = req_tx(r, c, me_too_fn, &t);
    if (rc == STORE_CONFLICT)
        return reply_error(r, 409, "already_me_too", NULL,
                           "you have said \"me too\" to this report already");
    if (!rc)
        rc = report_get(c, &r->arena, rep.id, &rep);
    if (rc)
        return reply_store_error(r, rc, "report");
    app_changed(r->app, c, &report_module, REPORT_CHANGED, rep.id);
    return reply_json(
        r, 201,
        json_pack("{s:I, s:I}", "id", (json_int_t)rep.id, "me_too", (json_int_t)rep.me_too));
}

/* A notice to the reporter (inside the caller's transaction). */
static int notify_reporter(struct store_conn *c, struct arena *a, const struct report *rep,
                           int64_t actor, const char *what_zh, const char *what_en)
{
    if (!rep->reporter_id || rep->reporter_id == actor)
        return STORE_OK;
    return inbox_post(
        c, rep->reporter_id, "report_update", "你的上报有新进展", "Your report was updated",
        arena_printf(a, "#%lld %s: %s", (long long)rep->id, rep->category_name_zh, what_zh),
        arena_printf(a, "#%lld %s: %s", (long long)rep->id,
                     rep->category_name_en ? rep->category_name_en : "", what_en),
        arena_printf(a, "/#/reports/%lld", (long long)rep->id), 0);
}

/* A change of a report and its timeline, in one transaction. */
struct change_tx {
    struct arena *arena;
    const struct report *rep;
    int op; /* what to change, below */
    const char *to;
    int64_t duplicate_of, fixed_after, due_at, actor, now;
    struct report_update entries[2];
    size_t nentries;
    const char *photo_b64[REPORT_MAX_PHOTOS];
    size_t photo_len[REPORT_MAX_PHOTOS];
    int photo_w[REPORT_MAX_PHOTOS], photo_h[REPORT_MAX_PHOTOS];
    size_t nphotos;
    const char *notice_zh, *notice_en; /* NULL: no notice */
};
enum { OP_NONE, OP_STATUS, OP_REOPEN, OP_CONFIRM, OP_REJECT };

static int change_fn(struct store_conn *c, void *v)
{
    struct change_tx *t = v;
    int rc = STORE_OK;
    switch (t->op) {
    case OP_STATUS:
        rc = report_set_status(c, t->rep->id, t->rep->status, t->to, t->duplicate_of, t->now);
        if (!rc && strcmp(t->to, "duplicate") == 0)
            rc = reverse_report(c, t->rep, "report_duplicate", t->now);
        break;
    case OP_REOPEN:
        rc = report_reopen(c, t->rep->id, t->fixed_after, t->due_at, t->now);
        break;
    case OP_CONFIRM: {
        /* read again after the UPDATE (which waited for any change of
         * the row): a report marked a duplicate meanwhile earns nothing */
        struct report now_rep;
        rc = report_verify(c, t->rep->id, true, t->actor, t->now);
        if (!rc)
            rc = report_get(c, t->arena, t->rep->id, &now_rep);
        if (!rc)
            rc = award_report(c, t->arena, &now_rep, now_rep.category_code, t->now);
        break;
    }
    case OP_REJECT:
        rc = report_verify(c, t->rep->id, false, t->actor, t->now);
        if (!rc)
            rc = reverse_report(c, t->rep, "report_rejected", t->now);
        break;
    }
    for (size_t i = 0; !rc && i < t->nentries; i++) {
        t->entries[i].report_id = t->rep->id;
        t->entries[i].created_at = t->now;
        rc = report_update_add(c, t->arena, &t->entries[i]);
    }
    /* photos go with the first entry */
    if (!rc && t->nphotos)
        rc = add_photos(c, t->arena, t->rep->id, t->entries[0].id, t->photo_b64, t->photo_len,
                        t->photo_w, t->photo_h, t->nphotos, t->now);
    if (!rc && t->notice_zh)
        rc = notify_reporter(c, t->arena, t->rep, t->actor, t->notice_zh, t->notice_en);
    return rc;
}

/* Run a change, then answer with the report as the caller sees it. */
static int change_and_reply(struct req *r, struct store_conn *c, struct change_tx *t,
                            const char *conflict_code, const char *conflict_msg)
{
    int rc = req_tx(r, c, change_fn, t);
    if (rc == STORE_CONFLICT)
        return reply_error(r, 409, conflict_code, NULL, "%s", conflict_msg);
    struct report rep;
    if (!rc)
        rc = report_get(c, &r->arena, t->rep->id, &rep);
    if (rc)
        return reply_store_error(r, rc, "report");
    app_changed(r->app, c, &report_module, REPORT_CHANGED, rep.id);
    if (t->notice_zh && rep.reporter_id && rep.reporter_id != t->actor)
        app_changed(r->app, c, &inbox_module, INBOX_NEW, rep.reporter_id);
    json_t *o;
    rc = report_detail_json(r, c, &rep, view_of(r, &rep), GEO_WGS84, &o);
    if (rc)
        return reply_store_error(r, rc, "report");
    return reply_json(r, 200, o);
}

/* photos of an update into t. 0 or -1 after replying. */
static int update_photos_or_reply(struct req *r, json_t *b, struct change_tx *t)
{
    const void *data[REPORT_MAX_PHOTOS];
    if (photos_or_reply(r, b, data, t->photo_len, t->photo_w, t->photo_h, &t->nphotos))
        return -1;
    for (size_t i = 0; i < t->nphotos; i++)
        t->photo_b64[i] = base64_of(&r->arena, data[i], t->photo_len[i]);
    return 0;
}

static const char *const reopen_fields[] = {"comment", NULL};

static int post_reopen(struct req *r)
{
    const struct principal *p = req_principal(r);
    const char *comment = "";
    if (json_in_only_or_reply(r, r->json, NULL, reopen_fields) ||
        text_or_reply(r, r->json, "comment", REPORT_COMMENT_MAX, false, &comment))
        return r->status;
    struct store_conn *c = req_store_or_reply(r);
    struct report rep;
    if (!c || report_or_reply(r, c, &rep))
        return r->status;
    if (!is_reporter(r, &rep))
        return may_see(r, &rep) ? reply_error(r, 403, "not_your_report", NULL,
                                              "only the reporter may re-open a report")
                                : reply_error(r, 404, "not_found", NULL, "no such report");
    int64_t now = clock_now();
    int why = report_may_reopen(report_status_parse(rep.status), rep.fixed_at, now);
    if (why == REPORT_REOPEN_NOT_FIXED)
        return reply_error(r, 409, "not_fixed", NULL, "only a fixed report may be re-opened");
    if (why == REPORT_REOPEN_TOO_LATE)
        return reply_error(r, 409, "reopen_window_closed", NULL,
                           "a report may be re-opened within %d days of being fixed",
                           REPORT_REOPEN_DAYS);
    struct report_category cat;
    struct hours_calendar cal;
    int rc = report_category_get(c, &r->arena, rep.category_code, &cat);
    if (!rc)
        rc = calendar_load(c, &r->arena, now, tz_of(r), &cal);
    if (rc)
        return reply_store_error(r, rc, "category");
    struct change_tx t = {.arena = &r->arena,
                          .rep = &rep,
                          .op = OP_REOPEN,
                          .fixed_after = now - (int64_t)REPORT_REOPEN_DAYS * 86400,
                          .due_at = report_due_at(&cal, now, cat.sla_days, tz_of(r)),
                          .actor = p->user_id,
                          .now = now,
                          .nentries = 1};
    t.entries[0] = (struct report_update){.author_id = p->user_id,
                                          .author_role = "reporter",
                                          .kind = "reopened",
                                          .status_from = rep.status,
                                          .status_to = "open",
                                          .body = comment};
    return change_and_reply(r, c, &t, "reopen_window_closed",
                            "the report changed meanwhile or its re-open window closed");
}

static const char *const comment_fields[] = {"body", "internal", "photos", NULL};

static int post_comment(struct req *r)
{
    const struct principal *p = req_principal(r);
    const char *body;
    bool internal = false;
    if (json_in_only_or_reply(r, r->json, NULL, comment_fields) ||
        text_or_reply(r, r->json, "body", REPORT_COMMENT_MAX, true, &body) ||
        json_in_bool(r, r->json, NULL, "internal", false, &internal) < 0)
        return r->status;
    struct store_conn *c = req_store_or_reply(r);
    struct report rep;
    if (!c || report_or_reply(r, c, &rep))
        return r->status;
    bool handler = handles(r, &rep);
    if (!handler && !is_reporter(r, &rep))
        return may_see(r, &rep) ? reply_error(r, 403, "out_of_scope", NULL,
                                              "only the reporter and the report's handlers "
                                              "comment on it")
                                : reply_error(r, 404, "not_found", NULL, "no such report");
    if (internal && !handler)
        return reply_error(r, 422, "invalid_field", "internal",
                           "internal comments are for the report's handlers");
    if (!*body)
        return reply_error(r, 422, "invalid_field", "body", "say something");
    struct change_tx t = {.arena = &r->arena,
                          .rep = &rep,
                          .op = OP_NONE,
                          .actor = p->user_id,
                          .now = clock_now(),
                          .nentries = 1};
    t.entries[0] =
        (struct report_update){.author_id = p->user_id,
                               .author_role = handler ? handler_role(r, &rep) : "reporter",
                               .kind = "comment",
                               .body = body,
                               .internal = internal};
    if (update_photos_or_reply(r, r->json, &t))
        return r->status;
    if (handler && !internal) {
        t.notice_zh = "有新的回复";
        t.notice_en = "a new reply";
    }
    return change_and_reply(r, c, &t, "conflict", "the report changed meanwhile");
}

static const char *const status_fields[] = {"status",       "comment", "note",
                                            "duplicate_of", "photos",  NULL};

static const char *const status_words_zh[REPORT_NSTATUS] = {
    "已重新打开", "已受理", "处理中", "已修复", "已办结", "重复上报", "不属本部门职责"};
static const char *const status_words_en[REPORT_NSTATUS] = {
    "open again", "acknowledged", "in progress", "fixed", "closed", "a duplicate", "not ours"};

static int post_status(struct req *r)
{
    const struct principal *p = req_principal(r);
    const char *to_name, *comment = "", *note = "";
    int64_t dup = 0;
    if (json_in_only_or_reply(r, r->json, NULL, status_fields) ||
        json_in_string(r, r->json, NULL, "status", 32, true, &to_name) < 0 ||
        text_or_reply(r, r->json, "comment", REPORT_COMMENT_MAX, false, &comment) ||
        text_or_reply(r, r->json, "note", REPORT_COMMENT_MAX, false, &note) ||
        json_in_int(r, r->json, NULL, "duplicate_of", 1, INT64_MAX, false, &dup) < 0)
        return r->status;
    int to = report_status_parse(to_name);
    if (to < 0)
        return reply_error(r, 422, "invalid_field", "status",
                           "status is open, acknowledged, in_progress, fixed, closed, "
                           "duplicate or not_ours");
    struct store_conn *c = req_store_or_reply(r);
    struct report rep;
    if (!c || handler_or_reply(r, c, &rep))
        return r->status;
    if (strcmp(rep.verification, "rejected") == 0)
        return reply_error(r, 409, "report_rejected", NULL,
                           "this report was rejected as not a real issue");
    int from = report_status_parse(rep.status);
    if (!report_transition_ok(from, to))
        return reply_error(r, 409, "invalid_transition", "status",
                           "a report that is %s cannot become %s", rep.status, to_name);
    if (to == REPORT_DUPLICATE) {
        struct report other;
        if (!dup)
            return reply_error(r, 422, "missing_field", "duplicate_of",
                               "name the report this one repeats");
        int rc = dup == rep.id ? STORE_NOT_FOUND : report_get(c, &r->arena, dup, &other);
        if (rc == STORE_NOT_FOUND)
            return reply_error(r, 422, "unknown_report", "duplicate_of",
                               "no other report has id %lld", (long long)dup);
        if (rc)
            return reply_store_error(r, rc, "report");
    } else if (dup) {
        return reply_error(r, 422, "invalid_field", "duplicate_of",
                           "duplicate_of goes with status duplicate");
    }
    if (to == REPORT_NOT_OURS && !*comment)
        return reply_error(r, 422, "missing_field", "comment", "say whose it is, for the reporter");
    struct change_tx t = {.arena = &r->arena,
                          .rep = &rep,
                          .op = OP_STATUS,
                          .to = report_status_name(to),
                          .duplicate_of = dup,
                          .actor = p->user_id,
                          .now = clock_now(),
                          .nentries = 1,
                          .notice_zh = status_words_zh[to],
                          .notice_en = status_words_en[to]};
    const char *role = handler_role(r, &rep);
    t.entries[0] = (struct report_update){.author_id = p->user_id,
                                          .author_role = role,
                                          .kind = "status",
                                          .status_from = rep.status,
                                          .status_to = t.to,
                                          .body = comment};
    if (*note) {
        t.entries[1] = (struct report_update){.author_id = p->user_id,
                                              .author_role = role,
                                              .kind = "comment",
                                              .body = note,
                                              .internal = true};
        t.nentries = 2;
    }
    if (update_photos_or_reply(r, r->json, &t))
        return r->status;
    return change_and_reply(r, c, &t, "status_changed",
                            "the report's status changed meanwhile; read it again");
}

static const char *const verify_fields[] = {"comment", NULL};

static int verify(struct req *r, bool confirm)
{
    const struct principal *p = req_principal(r);
    const char *comment = "";
    if (json_in_only_or_reply(r, r->json, NULL, verify_fields) ||
        text_or_reply(r, r->json, "comment", REPORT_COMMENT_MAX, !confirm, &comment))
        return r->status;
    if (!confirm && !*comment)
        return reply_error(r, 422, "missing_field", "comment", "say why it is rejected");
    struct store_conn *c = req_store_or_reply(r);
    struct report rep;
    if (!c || report_or_reply(r, c, &rep))
        return r->status;
    if (rep.reporter_id == p->user_id)
        return reply_error(r, 409, "own_report", NULL,
                           "grid managers check other people's reports");
    /* A confirmed report still open may be rejected on a second look (its
     * points go back); a rejected one stays rejected. */
    if (confirm ? strcmp(rep.verification, "unconfirmed") != 0
                : strcmp(rep.verification, "rejected") == 0)
        return reply_error(r, 409, "already_checked", NULL, "this report is %s already",
                           rep.verification);
    if (!confirm && !report_status_is_open(report_status_parse(rep.status)))
        return reply_error(r, 409, "not_open", NULL, "this report is %s already", rep.status);
    struct change_tx t = {.arena = &r->arena,
                          .rep = &rep,
                          .op = confirm ? OP_CONFIRM : OP_REJECT,
                          .actor = p->user_id,
                          .now = clock_now(),
                          .nentries = 1,
                          .notice_zh = confirm ? NULL : "经核实不予受理",
                          .notice_en = confirm ? NULL : "not taken up after checking"};
    t.entries[0] = (struct report_update){.author_id = p->user_id,
                                          .author_role = handler_role(r, &rep),
                                          .kind = confirm ? "confirmed" : "rejected",
                                          .status_from = confirm ? NULL : rep.status,
                                          .status_to = confirm ? NULL : "closed",
                                          .body = comment};
    return change_and_reply(r, c, &t, "already_checked", "this report was checked meanwhile");
}

static int post_confirm(struct req *r)
{
    return verify(r, true);
}

static int post_reject(struct req *r)
{
    return verify(r, false);
}

/* ---- departments and categories ---------------------------------------- */

static json_t *department_json(const struct report_department *d)
{
    return json_pack("{s:s, s:s, s:s, s:b}", "code", d->code, "name_zh", d->name_zh, "name_en",
                     d->name_en ? d->name_en : "", "demo", d->is_demo);
}

static json_t *category_json(const struct report_category *c)
{
    json_t *attrs = json_loads(c->attributes ? c->attributes : "[]", 0, NULL);
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:s, s:s, s:s}, s:i, s:s, s:s, s:o, s:b, "
                     "s:b}",
                     "code", c->code, "name_zh", c->name_zh, "name_en", c->name_en,
                     "description_zh", c->description_zh, "description_en", c->description_en,
                     "department", "code", c->department_code, "name_zh", c->department_name_zh,
                     "name_en", c->department_name_en, "sla_days", c->sla_days, "group", c->group,
                     "keywords", c->keywords, "attributes", attrs ? attrs : json_array(), "active",
                     c->active, "demo", c->is_demo);
}

static int list_departments(struct req *r)
{
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    struct report_department *ds;
    size_t n;
    int rc = report_department_list(c, &r->arena, &ds, &n);
    if (rc)
        return reply_store_error(r, rc, "department");
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, department_json(&ds[i]));
    return reply_json(r, 200, json_pack("{s:o}", "items", items));
}

static const char *const department_fields[] = {"name_zh", "name_en", NULL};

struct dept_tx {
    struct arena *arena;
    struct report_department *d;
};

static int dept_fn(struct store_conn *c, void *v)
{
    struct dept_tx *t = v;
    return report_department_put(c, t->arena, t->d, clock_now());
}

static int put_department(struct req *r)
{
    struct report_department d = {0};
    d.code = req_param(r, "code");
    d.name_en = "";
    if (!text_is_code(d.code))
        return reply_error(r, 404, "not_found", NULL,
                           "a department code is 1-64 letters, digits, '_', '-' or '.'");
    if (json_in_only_or_reply(r, r->json, NULL, department_fields) ||
        text_or_reply(r, r->json, "name_zh", 200, true, &d.name_zh) ||
        text_or_reply(r, r->json, "name_en", 200, false, &d.name_en))
        return r->status;
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    struct dept_tx t = {&r->arena, &d};
    int rc = req_tx(r, c, dept_fn, &t);
    if (!rc)
        rc = report_department_get(c, &r->arena, d.code, &d);
    if (rc)
        return reply_store_error(r, rc, "department");
    return reply_json(r, 200, department_json(&d));
}

static int list_categories(struct req *r)
{
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    struct report_category *cs;
    size_t n;
    int rc = report_category_list(c, &r->arena, !flag_query(r, "all"), &cs, &n);
    if (rc)
        return reply_store_error(r, rc, "category");
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, category_json(&cs[i]));
    return reply_json(r, 200, json_pack("{s:o}", "items", items));
}

static const char *const category_fields[] = {
    "name_zh", "name_en",  "description_zh", "description_en", "department", "sla_days",
    "group",   "keywords", "attributes",     "active",         NULL};

struct cat_tx {
    struct arena *arena;
    struct report_category *cat;
};

static int cat_fn(struct store_conn *c, void *v)
{
    struct cat_tx *t = v;
    return report_category_put(c, t->arena, t->cat, clock_now());
}

static int put_category(struct req *r)
{
    struct report_category cat = {0};
    const char *dept;
    int64_t sla;
    bool active = true;
    int rc;
    cat.code = req_param(r, "code");
    cat.name_en = cat.description_zh = cat.description_en = cat.group = cat.keywords = "";
    if (!text_is_code(cat.code))
        return reply_error(r, 404, "not_found", NULL,
                           "a category code is 1-64 letters, digits, '_', '-' or '.'");
    json_t *b = r->json;
    if (json_in_only_or_reply(r, b, NULL, category_fields) ||
        text_or_reply(r, b, "name_zh", 200, true, &cat.name_zh) ||
        text_or_reply(r, b, "name_en", 200, false, &cat.name_en) ||
        text_or_reply(r, b, "description_zh", 1000, false, &cat.description_zh) ||
        text_or_reply(r, b, "description_en", 1000, false, &cat.description_en) ||
        json_in_string(r, b, NULL, "department", 64, true, &dept) < 0 ||
        json_in_int(r, b, NULL, "sla_days", 0, REPORT_SLA_MAX_DAYS, true, &sla) < 0 ||
        text_or_reply(r, b, "group", 100, false, &cat.group) ||
        text_or_reply(r, b, "keywords", 500, false, &cat.keywords) ||
        json_in_bool(r, b, NULL, "active", false, &active) < 0)
        return r->status;
    json_t *defs = json_object_get(b, "attributes"), *none = defs ? NULL : json_array();
    json_t *checked = NULL;
    const char *field, *why;
    rc = report_attributes_check(&r->arena, defs ? defs : none, &checked, &field, &why);
    json_decref(none);
    if (rc)
        return reply_error(r, 422, "invalid_field", field, "%s", why);
    char *text = json_dumps(checked, JSON_COMPACT);
    json_decref(checked);
    cat.attributes = arena_strdup(&r->arena, text ? text : "[]");
    free(text);
    cat.sla_days = (int)sla;
    cat.active = active;
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    struct report_department d;
    rc = report_department_get(c, &r->arena, dept, &d);
    if (rc == STORE_NOT_FOUND)
        return reply_error(r, 422, "unknown_department", "department", "no department has code %s",
                           dept);
    if (rc)
        return reply_store_error(r, rc, "department");
    cat.department_id = d.id;
    struct cat_tx t = {&r->arena, &cat};
    rc = req_tx(r, c, cat_fn, &t);
    if (!rc)
        rc = report_category_get(c, &r->arena, cat.code, &cat);
    if (rc)
        return reply_store_error(r, rc, "category");
    return reply_json(r, 200, category_json(&cat));
}

/* ---- boundaries -------------------------------------------------------- */

static json_t *boundary_feature(struct req *r, const struct region *reg, const char *geojson,
                                int64_t updated_at)
{
    json_t *g = json_loads(geojson, 0, NULL);
    return json_pack("{s:s, s:s, s:o, s:{s:s, s:s, s:s, s:s, s:o}}", "type", "Feature", "id",
                     reg->code, "geometry", g ? g : json_null(), "properties", "region", reg->code,
                     "level", reg->level, "name_zh", reg->name_zh, "name_en",
                     reg->name_en ? reg->name_en : "", "updated_at",
                     iso_json(updated_at, tz_of(r)));
}

static int region_or_reply(struct req *r, struct store_conn *c, struct region *reg)
{
    int rc = region_get(c, &r->arena, req_param(r, "code"), reg);
    if (rc)
        return reply_store_error(r, rc, "region"), -1;
    return 0;
}

static int get_boundary(struct req *r)
{
    struct store_conn *c = req_store_or_reply(r);
    struct region reg;
    if (!c || region_or_reply(r, c, &reg))
        return r->status;
    const char *g;
    int64_t at;
    int rc = report_boundary_get(c, &r->arena, reg.id, &g, &at);
    if (rc == STORE_NOT_FOUND)
        return reply_error(r, 404, "no_boundary", NULL, "region %s has no boundary", reg.code);
    if (rc)
        return reply_store_error(r, rc, "boundary");
    json_t *f = boundary_feature(r, &reg, g, at);
    char *text = json_dumps(f, JSON_COMPACT | JSON_REAL_PRECISION(10));
    json_decref(f);
    if (!text)
        die_oom();
    return reply_take(r, 200, "application/geo+json", text, strlen(text));
}

struct boundary_tx {
    int64_t region_id, by, now;
    const char *geojson;
    const double *bbox;
    bool remove;
};

static int boundary_fn(struct store_conn *c, void *v)
{
    struct boundary_tx *t = v;
    if (t->remove)
        return report_boundary_delete(c, t->region_id);
    return report_boundary_put(c, t->region_id, t->geojson, t->bbox, t->by, t->now);
}

static int put_boundary(struct req *r)
{
    const struct principal *p = req_principal(r);
    enum geo_datum datum;
    if (datum_query_or_reply(r, &datum))
        return r->status;
    struct report_geom g;
    const char *field, *why;
    if (report_geom_parse(&r->arena, r->json, datum, &g, &field, &why))
        return reply_error(r, 422, "invalid_geometry", field, "%s", why);
    struct store_conn *c = req_store_or_reply(r);
    struct region reg;
    if (!c || region_or_reply(r, c, &reg))
        return r->status;
    json_t *gj = report_geom_json(&g);
    char *text = json_dumps(gj, JSON_COMPACT | JSON_REAL_PRECISION(12));
    json_decref(gj);
    if (!text)
        die_oom();
    const char *geojson = arena_strdup(&r->arena, text);
    free(text);
    struct boundary_tx t = {reg.id, p->user_id, clock_now(), geojson, g.bbox, false};
    int rc = req_tx(r, c, boundary_fn, &t);
    if (rc)
        return reply_store_error(r, rc, "boundary");
    app_changed(r->app, c, &report_module, REPORT_BOUNDARY, reg.id);
    json_t *f = boundary_feature(r, &reg, geojson, t.now);
    text = json_dumps(f, JSON_COMPACT | JSON_REAL_PRECISION(10));
    json_decref(f);
    if (!text)
        die_oom();
    return reply_take(r, 200, "application/geo+json", text, strlen(text));
}

static int delete_boundary(struct req *r)
{
    struct store_conn *c = req_store_or_reply(r);
    struct region reg;
    if (!c || region_or_reply(r, c, &reg))
        return r->status;
    struct boundary_tx t = {reg.id, 0, 0, NULL, NULL, true};
    int rc = req_tx(r, c, boundary_fn, &t);
    if (rc == STORE_NOT_FOUND)
        return reply_error(r, 404, "no_boundary", NULL, "region %s has no boundary", reg.code);
    if (rc)
        return reply_store_error(r, rc, "boundary");
    app_changed(r->app, c, &report_module, REPORT_BOUNDARY, reg.id);
    return reply_empty(r, 204);
}

/* ---- Open311 API keys -------------------------------------------------- */

static json_t *key_json(struct req *r, const struct report_api_key *k)
{
    int tz = tz_of(r);
    return json_pack("{s:I, s:s, s:o, s:o, s:o}", "id", (json_int_t)k->id, "name", k->name,
                     "created_at", iso_json(k->created_at, tz), "revoked_at",
                     iso_json(k->revoked_at, tz), "last_used_at", iso_json(k->last_used_at, tz));
}

static const char *const key_fields[] = {"name", NULL};

struct key_tx {
    struct arena *arena;
    const char *name, *hash;
    int64_t by, now, id;
};

static int key_fn(struct store_conn *c, void *v)
{
    struct key_tx *t = v;
    return report_api_key_add(c, t->arena, t->name, t->hash, t->by, t->now, &t->id);
}

static int post_key(struct req *r)
{
    const struct principal *p = req_principal(r);
    const char *name;
    if (json_in_only_or_reply(r, r->json, NULL, key_fields) ||
        text_or_reply(r, r->json, "name", 200, true, &name))
        return r->status;
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    const char *key = arena_printf(&r->arena, "o311_%s", account_token_new(&r->arena));
    struct key_tx t = {
        &r->arena,  name,        account_token_hash(&r->arena, account_key(r->app), key),
        p->user_id, clock_now(), 0};
    int rc = req_tx(r, c, key_fn, &t);
    if (rc)
        return reply_store_error(r, rc, "api key");
    struct report_api_key k = {t.id, name, p->user_id, t.now, 0, 0};
    json_t *o = key_json(r, &k);
    json_object_set_new(o, "key", json_string(key));
    return reply_json(r, 201, o);
}

static int list_keys(struct req *r)
{
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    struct report_api_key *ks;
    size_t n;
    int rc = report_api_key_list(c, &r->arena, &ks, &n);
    if (rc)
        return reply_store_error(r, rc, "api key");
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, key_json(r, &ks[i]));
    return reply_json(r, 200, json_pack("{s:o}", "items", items));
}

struct revoke_tx {
    int64_t id, now;
};

static int revoke_fn(struct store_conn *c, void *v)
{
    struct revoke_tx *t = v;
    return report_api_key_revoke(c, t->id, t->now);
}

static int delete_key(struct req *r)
{
    int64_t id;
    if (req_param_id_or_reply(r, "id", "api key", &id))
        return r->status;
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    struct revoke_tx t = {id, clock_now()};
    int rc = req_tx(r, c, revoke_fn, &t);
    if (rc)
        return reply_store_error(r, rc, "api key");
    return reply_empty(r, 204);
}

/* ---- timed work: overdue reports escalate ------------------------------ */

struct escalate_tx {
    struct arena *arena;
    int64_t now;
    size_t n;
    int64_t *told; /* who was sent a notice, for INBOX_NEW after the commit */
    size_t ntold, cap;
};

/* The escalation notices of one report, inside the escalation's
 * transaction. */
static int tell_escalation(struct store_conn *c, struct escalate_tx *t, int64_t id)
{
    struct report rep;
    int64_t *users;
    size_t n;
    int rc = report_get(c, t->arena, id, &rep);
    if (!rc)
        rc = report_escalation_audience(c, t->arena, id, &users, &n);
    for (size_t i = 0; !rc && i < n; i++) {
        const char *to = rep.escalated_region_code ? rep.escalated_region_code : "";
        rc = inbox_post(
            c, users[i], "report_escalated", "上报超期，已升级", "A report is overdue",
            arena_printf(t->arena, "#%lld %s（%s）已超过办理时限，升级至 %s", (long long)rep.id,
                         rep.category_name_zh, rep.region_code, to),
            arena_printf(t->arena, "#%lld %s (%s) is past its service level; escalated to %s",
                         (long long)rep.id, rep.category_name_en ? rep.category_name_en : "",
                         rep.region_code, to),
            arena_printf(t->arena, "/#/reports/%lld", (long long)rep.id), 0);
        if (!rc) {
            if (t->ntold == t->cap) {
                size_t cap = t->cap ? t->cap * 2 : 16;
                int64_t *grown = arena_calloc(t->arena, cap, sizeof(*grown));
                if (t->ntold)
                    memcpy(grown, t->told, t->ntold * sizeof(*grown));
                t->told = grown;
                t->cap = cap;
            }
            t->told[t->ntold++] = users[i];
        }
    }
    return rc;
}

static int escalate_fn(struct store_conn *c, void *v)
{
    struct escalate_tx *t = v;
    int64_t *ids;
    t->ntold = 0; /* a retried transaction starts again */
    int rc = report_escalate_due(c, t->arena, t->now, &ids, &t->n);
    for (size_t i = 0; !rc && i < t->n; i++) {
        struct report_update u = {.report_id = ids[i],
                                  .author_role = "system",
                                  .kind = "escalated",
                                  .body = "overdue: escalated to the grid's parent region",
                                  .internal = true,
                                  .created_at = t->now};
        rc = report_update_add(c, t->arena, &u);
        /* what the reporter and the public see */
        struct report_update pub = {.report_id = ids[i],
                                    .author_role = "system",
                                    .kind = "overdue",
                                    .body = "overdue: past its service level",
                                    .created_at = t->now};
        if (!rc)
            rc = report_update_add(c, t->arena, &pub);
        if (!rc)
            rc = tell_escalation(c, t, ids[i]);
    }
    return rc;
}

static void report_tick(struct app *app, struct store_conn *c, int64_t now)
{
    struct arena a;
    arena_init(&a);
    struct escalate_tx t = {.arena = &a, .now = now};
    int rc = store_tx(c, escalate_fn, &t);
    if (rc)
        log_warn("reports: escalation failed (%d); it runs again on the next tick", rc);
    else if (t.n) {
        log_info("reports: %zu overdue reports escalated", t.n);
        app_changed(app, c, &report_module, REPORT_CHANGED, 0);
        for (size_t i = 0; i < t.ntold; i++)
            app_changed(app, c, &inbox_module, INBOX_NEW, t.told[i]);
    }
    arena_release(&a);
}

/* ---- personal data ----------------------------------------------------- */

static int report_export_personal(struct app *app, struct store_conn *c, struct arena *a,
                                  int64_t user_id, json_t **out)
{
    int tz = app->cfg.tz_offset_min;
    struct report_filter f = {.reporter_id = user_id, .limit = 100000};
    struct report *rs;
    struct report_update *us;
    int64_t *ids;
    size_t n, nu, nids;
    int rc = report_list(c, a, &f, &rs, &n);
    if (!rc)
        rc = report_updates_by(c, a, user_id, &us, &nu);
    if (!rc)
        rc = report_me_too_ids(c, a, user_id, &ids, &nids);
    if (rc)
        return rc;
    json_t *reports = json_array(), *updates = json_array(), *me_too = json_array();
    for (size_t i = 0; i < n; i++) {
        const struct report *rep = &rs[i];
        json_array_append_new(
            reports,
            json_pack("{s:I, s:s, s:s, s:s, s:f, s:f, s:s, s:s, s:s, s:o, s:o}", "id",
                      (json_int_t)rep->id, "category", rep->category_code, "status", rep->status,
                      "grid", rep->region_code, "lat", rep->lat, "lon", rep->lon, "address",
                      rep->address ? rep->address : "", "description",
                      rep->description ? rep->description : "", "attributes",
                      rep->attributes ? rep->attributes : "{}", "created_at",
                      iso_json(rep->created_at, tz), "updated_at", iso_json(rep->updated_at, tz)));
    }
    for (size_t i = 0; i < nu; i++)
        json_array_append_new(
            updates, json_pack("{s:I, s:s, s:s, s:b, s:o}", "report", (json_int_t)us[i].report_id,
                               "kind", us[i].kind, "body", us[i].body ? us[i].body : "", "internal",
                               us[i].internal, "at", iso_json(us[i].created_at, tz)));
    for (size_t i = 0; i < nids; i++)
        json_array_append_new(me_too, json_integer((json_int_t)ids[i]));
    *out = json_pack("{s:o, s:o, s:o}", "reports", reports, "timeline_entries", updates, "me_too",
                     me_too);
    return STORE_OK;
}

/* The reports stay (they are about the street, and others said "me
 * too"); the person's name comes off them. */
static int report_erase_personal(struct app *app, struct store_conn *c, int64_t user_id)
{
    return report_erase_user(c, user_id);
}

/* ---- command line: import boundaries ----------------------------------- */

struct import_tx {
    struct arena *arena;
    json_t *features;
    enum geo_datum datum;
    size_t done;
    FILE *err;
};

static int import_fn(struct store_conn *c, void *v)
{
    struct import_tx *t = v;
    int64_t now = clock_now();
    t->done = 0;
    for (size_t i = 0; i < json_array_size(t->features); i++) {
        json_t *f = json_array_get(t->features, i);
        json_t *props = json_object_get(f, "properties");
        const char *code = json_string_value(json_object_get(props, "code"));
        if (!code)
            code = json_string_value(json_object_get(props, "region"));
        struct region reg;
        int rc = code ? region_get(c, t->arena, code, &reg) : STORE_NOT_FOUND;
        if (rc) {
            fprintf(t->err, "feature %zu: %s%s\n", i + 1,
                    code ? "no region has code " : "properties.code names no region",
                    code ? code : "");
            return rc == STORE_NOT_FOUND ? STORE_CONFLICT : rc;
        }
        struct report_geom g;
        const char *field, *why;
        if (report_geom_parse(t->arena, f, t->datum, &g, &field, &why)) {
            fprintf(t->err, "feature %zu (%s): %s: %s\n", i + 1, code, field, why);
            return STORE_CONFLICT;
        }
        json_t *gj = report_geom_json(&g);
        char *text = json_dumps(gj, JSON_COMPACT | JSON_REAL_PRECISION(12));
        json_decref(gj);
        if (!text)
            die_oom();
        rc = report_boundary_put(c, reg.id, text, g.bbox, 0, now);
        free(text);
        if (rc)
            return rc;
        t->done++;
    }
    return STORE_OK;
}

static int cmd_import_boundaries(struct app *app, int argc, char **argv)
{
    const char *file = NULL, *datum_name = "wgs84";
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--datum") == 0 && i + 1 < argc)
            datum_name = argv[++i];
        else if (argv[i][0] != '-' && !file)
            file = argv[i];
        else
            file = NULL, argc = -1;
    }
    enum geo_datum datum;
    if (!file || argc < 0 || geo_datum_parse(datum_name, &datum)) {
        fputs("usage: warmharbor import-boundaries [--db PATH] [--datum "
              "wgs84|gcj02|bd09] "
              "FILE.geojson\n",
              stderr);
        return 2;
    }
    json_error_t jerr;
    json_t *doc = json_load_file(file, JSON_REJECT_DUPLICATES, &jerr);
    if (!doc) {
        fprintf(stderr, "warmharbor: %s: line %d: %s\n", file, jerr.line, jerr.text);
        return 1;
    }
    json_t *features = json_object_get(doc, "features");
    if (!json_is_array(features)) {
        fprintf(stderr, "warmharbor: %s is not a GeoJSON FeatureCollection\n", file);
        json_decref(doc);
        return 1;
    }
    struct store_conn *c = store_acquire(app->store);
    if (!c) {
        json_decref(doc);
        fputs("warmharbor: no store connection\n", stderr);
        return 1;
    }
    struct arena a;
    arena_init(&a);
    struct import_tx t = {&a, features, datum, 0, stderr};
    int rc = store_tx(c, import_fn, &t);
    if (!rc)
        printf("%zu boundaries imported\n", t.done);
    else
        fputs("warmharbor: nothing imported\n", stderr);
    arena_release(&a);
    store_release(c);
    json_decref(doc);
    return rc ? 1 : 0;
}

static const struct module_command report_commands[] = {
    {"import-boundaries", cmd_import_boundaries,
     "warmharbor import-boundaries [--db PATH] [--datum wgs84|gcj02|bd09] "
     "FILE.geojson",
     "Set region boundaries from a GeoJSON FeatureCollection: each feature a\n"
     "Polygon or MultiPolygon whose properties.code names a region. All or "
     "none\n"
     "are stored. Positions are WGS-84 unless --datum says otherwise.\n",
     true},
};

/* ---- the module -------------------------------------------------------- */

static int report_init(struct app *app, void **state)
{
    char err[200];
    if (report_photo_start(err, sizeof err)) {
        log_error("reports: %s", err);
        return -1;
    }
    struct report_state *st = calloc(1, sizeof(*st));
    if (!st)
        die_oom();
    pthread_rwlock_init(&st->lock, NULL);
    pthread_mutex_init(&st->build, NULL);
    *state = st;
    return 0;
}

static void report_release(struct app *app, void *state)
{
    struct report_state *st = state;
    if (!st)
        return;
    snap_free(st->snap);
    pthread_rwlock_destroy(&st->lock);
    pthread_mutex_destroy(&st->build);
    free(st);
}

/* A boundary set or removed, or the region tree changed (a grid's code,
 * level or path): the grids in memory are rebuilt on the next lookup. */
static void report_changed_hook(struct app *app, struct store_conn *c, const struct change *ch)
{
    struct report_state *st = app_state(app, &report_module);
    if (st && (!ch || (ch->module == &report_module && ch->kind == REPORT_BOUNDARY) ||
               ch->module == &region_module))
        grids_drop(st);
}

static const char *const report_changes[] = {"changed", "boundary", NULL};

static const struct route report_routes[] = {
    {HTTP_GET, "/api/report-departments", list_departments, ACCESS_PUBLIC, BODY_NONE, SCOPE_ANY},
    {HTTP_PUT, "/api/report-departments/{code}", put_department, ACCESS_SYSTEM, BODY_JSON,
     SCOPE_ANY},
    {HTTP_GET, "/api/report-categories", list_categories, ACCESS_PUBLIC, BODY_NONE, SCOPE_ANY},
    {HTTP_PUT, "/api/report-categories/{code}", put_category, ACCESS_SYSTEM, BODY_JSON, SCOPE_ANY},
    {HTTP_GET, "/api/regions/{code}/boundary", get_boundary, ACCESS_PUBLIC, BODY_NONE, SCOPE_ANY},
    {HTTP_PUT, "/api/regions/{code}/boundary", put_boundary, ACCESS_ADMIN, BODY_JSON,
     &region_scope_path},
    {HTTP_DELETE, "/api/regions/{code}/boundary", delete_boundary, ACCESS_ADMIN, BODY_NONE,
     &region_scope_path},
    {HTTP_GET, "/api/reports", list_reports, ACCESS_PUBLIC, BODY_NONE, SCOPE_ANY},
    {HTTP_POST, "/api/reports", post_report, ACCESS_SIGNED_IN, BODY_JSON, SCOPE_ANY,
     REPORT_UPLOAD_BODY_LIMIT},
    {HTTP_GET, "/api/reports/nearby", nearby_reports, ACCESS_PUBLIC, BODY_NONE, SCOPE_ANY},
    {HTTP_GET, "/api/reports/queue", queue_reports, HANDLERS, BODY_NONE, SCOPE_ANY},
    {HTTP_GET, "/api/reports/{id}", get_report, ACCESS_PUBLIC, BODY_NONE, SCOPE_ANY},
    {HTTP_POST, "/api/reports/{id}/me-too", post_me_too, ACCESS_SIGNED_IN, BODY_NONE, SCOPE_ANY},
    {HTTP_POST, "/api/reports/{id}/reopen", post_reopen, ACCESS_SIGNED_IN, BODY_JSON, SCOPE_ANY},
    {HTTP_POST, "/api/reports/{id}/comments", post_comment, ACCESS_SIGNED_IN, BODY_JSON, SCOPE_ANY,
     REPORT_UPLOAD_BODY_LIMIT},
    {HTTP_POST, "/api/reports/{id}/status", post_status, HANDLERS, BODY_JSON, SCOPE_ANY,
     REPORT_UPLOAD_BODY_LIMIT},
    {HTTP_POST, "/api/reports/{id}/confirm", post_confirm, GRID_MANAGERS, BODY_JSON,
     &report_scope_path},
    {HTTP_POST, "/api/reports/{id}/reject", post_reject, GRID_MANAGERS, BODY_JSON,
     &report_scope_path},
    {HTTP_GET, "/api/report-photos/{id}", get_photo, ACCESS_PUBLIC, BODY_NONE, SCOPE_ANY},
    {HTTP_GET, "/api/me/reports", my_reports, ACCESS_SIGNED_IN, BODY_NONE, SCOPE_ANY},
    {HTTP_POST, "/api/open311/keys", post_key, ACCESS_SYSTEM, BODY_JSON, SCOPE_ANY},
    {HTTP_GET, "/api/open311/keys", list_keys, ACCESS_SYSTEM, BODY_NONE, SCOPE_ANY},
    {HTTP_DELETE, "/api/open311/keys/{id}", delete_key, ACCESS_SYSTEM, BODY_NONE, SCOPE_ANY},
    /* Open311 GeoReport v2: a format suffix on a fixed name is a literal
     * segment; on an id or a code, report_open311.c splits it off. */
    {HTTP_GET, "/open311/v2/discovery.json", open311_discovery, ACCESS_PUBLIC, BODY_NONE,
     SCOPE_ANY},
    {HTTP_GET, "/open311/v2/discovery.xml", open311_discovery, ACCESS_PUBLIC, BODY_NONE, SCOPE_ANY},
    {HTTP_GET, "/open311/v2/services.json", open311_services, ACCESS_PUBLIC, BODY_NONE, SCOPE_ANY},
    {HTTP_GET, "/open311/v2/services.xml", open311_services, ACCESS_PUBLIC, BODY_NONE, SCOPE_ANY},
    {HTTP_GET, "/open311/v2/services/{code}", open311_service, ACCESS_PUBLIC, BODY_NONE, SCOPE_ANY},
    {HTTP_GET, "/open311/v2/requests.json", open311_requests, ACCESS_PUBLIC, BODY_NONE, SCOPE_ANY},
    {HTTP_GET, "/open311/v2/requests.xml", open311_requests, ACCESS_PUBLIC, BODY_NONE, SCOPE_ANY},
    {HTTP_POST, "/open311/v2/requests.json", open311_post_request, ACCESS_PUBLIC, BODY_FORM,
     SCOPE_ANY, REPORT_UPLOAD_BODY_LIMIT},
    {HTTP_POST, "/open311/v2/requests.xml", open311_post_request, ACCESS_PUBLIC, BODY_FORM,
     SCOPE_ANY, REPORT_UPLOAD_BODY_LIMIT},
    {HTTP_GET, "/open311/v2/requests/{id}", open311_request, ACCESS_PUBLIC, BODY_NONE, SCOPE_ANY},
    {HTTP_GET, "/open311/v2/tokens/{token}", open311_token, ACCESS_PUBLIC, BODY_NONE, SCOPE_ANY},
};

const struct module report_module = {
    .name = "report",
    .routes = report_routes,
    .nroutes = sizeof report_routes / sizeof report_routes[0],
    .change_kinds = report_changes,
    .init = report_init,
    .release = report_release,
    .changed = report_changed_hook,
    .commands = report_commands,
    .ncommands = sizeof report_commands / sizeof report_commands[0],
    .tick = report_tick,
    .demo = report_demo,
    .export_personal = report_export_personal,
    .erase_personal = report_erase_personal,
};
