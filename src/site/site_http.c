/*
 * site_http.c - the site registry's routes:
 *   GET    /api/sites          ?type=&region=&amenity=a,b&status=&q=&limit=&offset=&at=&datum=
 *                                 (with bbox: amenity_any=a,b and service_category=CODE,
 *                                 as near and clusters; fields=a,b projects each site)
 *   POST   /api/sites          (admin)
 *   GET    /api/sites/{id}     ?at=ISO-8601&datum=wgs84|gcj02|bd09
 *   PATCH  /api/sites/{id}     (admin) any subset of the fields
 *   DELETE /api/sites/{id}     (admin)
 *   POST   /api/sites/import   (admin) text/csv, all rows or none
 *   GET    /api/sites/export   text/csv of every site
 * Answers carry "open" and "next_change" computed for now or for ?at=.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "calendar/calendar.h"
#include "core/clock.h"
#include "core/strbuf.h"
#include "core/text.h"
#include "geo/coord.h"
#include "http/json_in.h"
#include "http/sse.h"
#include "live/live.h"
#include "region/region.h"
#include "catalog/catalog.h"
#include "service/service.h"
#include "site/site_cache.h"
#include "site/site.h"
#include "store/store.h"

/* ---- rendering ----------------------------------------------------- */

/* ?at= (default now, the caller's clock reading) and ?datum= (default
 * WGS-84), shared by every site query. 0 or -1 after replying 400. */
static int at_datum_or_reply(struct req *r, int64_t now, int64_t *at, enum geo_datum *datum)
{
    *at = now;
    *datum = GEO_WGS84;
    const char *a = req_query(r, "at");
    if (a && clock_parse_iso(a, r->app->cfg.tz_offset_min, at))
        return reply_error(r, 400, "invalid_query", "at",
                           "at must be an ISO-8601 time like 2026-10-01T08:30:00+08:00"),
               -1;
    const char *d = req_query(r, "datum");
    if (d && geo_datum_parse(d, datum))
        return reply_error(r, 400, "invalid_query", "datum", "datum is wgs84, gcj02 or bd09"), -1;
    return 0;
}

/* Read ?at= and ?datum= and load the holiday calendar around the moment. */
static int view_or_reply(struct req *r, struct store_conn *c, struct site_view *v,
                         struct hours_calendar *cal)
{
    v->tz = r->app->cfg.tz_offset_min;
    if (at_datum_or_reply(r, clock_now(), &v->at, &v->datum))
        return -1;
    int st = calendar_load(c, &r->arena, v->at, v->tz, cal);
    if (st)
        return reply_store_error(r, st, "holiday calendar"), -1;
    v->cal = cal;
    return 0;
}

/* GeoJSON asked for, by ?format=geojson or Accept: application/geo+json.
 * GeoJSON is WGS-84 by definition (RFC 7946), so another datum is refused.
 * Returns 1, 0, or -1 after replying. */
static int geojson_or_reply(struct req *r)
{
    const char *f = req_query(r, "format");
    const char *accept = req_header(r, "Accept");
    bool geo =
        f ? strcmp(f, "geojson") == 0 : accept && strstr(accept, "application/geo+json") != NULL;
    if (f && !geo && strcmp(f, "json") != 0)
        return reply_error(r, 400, "invalid_query", "format", "format is json or geojson"), -1;
    const char *datum = req_query(r, "datum");
    if (geo && datum && strcmp(datum, "wgs84") != 0)
        return reply_error(r, 400, "invalid_query", "datum", "GeoJSON positions are always WGS-84"),
               -1;
    return geo ? 1 : 0;
}

/* Reply with an answer ({"items":[...]} or one site), as GeoJSON when
 * asked: a FeatureCollection (keeping "total") or a Feature. */
static int reply_sites(struct req *r, int status, json_t *answer)
{
    int geo = geojson_or_reply(r);
    if (geo < 0) {
        json_decref(answer);
        return r->status;
    }
    if (!geo)
        return reply_json(r, status, answer);
    json_t *items = json_object_get(answer, "items");
    json_t *out;
    if (items) {
        out = site_feature_collection(items);
        json_t *total = json_object_get(answer, "total");
        if (total)
            json_object_set(out, "total", total);
    } else {
        out = site_feature(answer);
    }
    json_decref(answer);
    char *text = json_dumps(out, JSON_COMPACT | JSON_REAL_PRECISION(10));
    json_decref(out);
    if (!text)
        die_oom();
    return reply_take(r, status, "application/geo+json", text, strlen(text));
}

/* One site with its live status, as GET /api/sites/{id} shows it. */
static int reply_site_detail(struct req *r, struct store_conn *c, int status,
                             const struct site_view *v, const struct site *s)
{
    struct live live;
    int st = live_get(c, &r->arena, s->id, &live);
    if (st)
        return reply_store_error(r, st, "site");
    json_t *o = site_json(&r->arena, s, v);
    json_object_set_new(o, "live", live_json(&live, clock_now(), r->app->cfg.status_ttl_s, v->tz));
    return reply_sites(r, status, o);
}

/* ---- reading a site from JSON -------------------------------------- */

static const char *const site_fields[] = {
    "name_zh",       "name_en",      "type",     "region",
    "address_zh",    "address_en",   "position", "phone",
    "manager",       "description",  "capacity", "status",
    "status_reason", "status_until", "public",   "opening_hours",
    "amenities",     "photos",       NULL};

/* Text fields are bounded generously here; site_check applies the real
 * limits, the same for JSON and CSV. */
#define SITE_TEXT_MAX 8192

static int read_text(struct req *r, const char *name, unsigned bit, const char **out, unsigned *set)
{
    int got = json_in_string(r, r->json, NULL, name, SITE_TEXT_MAX, false, out);
    if (got < 0)
        return -1;
    if (got)
        *set |= bit;
    else if (json_object_get(r->json, name)) /* explicit null clears */
        *out = "", *set |= bit;
    return 0;
}

static int read_position(struct req *r, struct site *s, unsigned *set)
{
    json_t *pos = json_object_get(r->json, "position");
    if (!pos)
        return 0;
    static const char *const fields[] = {"lat", "lon", "datum", NULL};
    const char *datum_name = "wgs84";
    double lat, lon;
    if (json_in_object_or_reply(r, pos, "position") ||
        json_in_only_or_reply(r, pos, "position", fields) ||
        json_in_number(r, pos, "position", "lat", -90, 90, true, &lat) < 0 ||
        json_in_number(r, pos, "position", "lon", -180, 180, true, &lon) < 0 ||
        json_in_string(r, pos, "position", "datum", 16, false, &datum_name) < 0)
        return -1;
    enum geo_datum d;
    if (geo_datum_parse(datum_name, &d))
        return reply_error(r, 422, "invalid_field", "position.datum",
                           "position.datum is wgs84, gcj02 or bd09"),
               -1;
    struct geo_point w = geo_convert((struct geo_point){lat, lon}, d, GEO_WGS84);
    s->lat = w.lat;
    s->lon = w.lon;
    s->input_datum = geo_datum_name(d);
    *set |= SF_POSITION;
    return 0;
}

static int read_amenities(struct req *r, struct site *s, unsigned *set)
{
    json_t *v = json_object_get(r->json, "amenities");
    if (!v)
        return 0;
    if (!json_is_object(v))
        return reply_error(r, 422, "invalid_field", "amenities",
                           "amenities is an object of code: count (or true)"),
               -1;
    if (json_object_size(v) > SITE_MAX_AMENITIES)
        return reply_error(r, 422, "invalid_field", "amenities", "at most %d amenities",
                           SITE_MAX_AMENITIES),
               -1;
    s->amenities = arena_calloc(&r->arena, json_object_size(v) + 1, sizeof(*s->amenities));
    const char *code;
    json_t *cnt;
    json_object_foreach(v, code, cnt)
    {
        int64_t n;
        if (json_is_true(cnt))
            n = 1;
        else if (json_is_false(cnt))
            continue;
        else if (json_is_integer(cnt))
            n = json_integer_value(cnt);
        else
            return reply_error(r, 422, "invalid_field",
                               arena_printf(&r->arena, "amenities.%s", code),
                               "the value of an amenity is a count or true/false"),
                   -1;
        s->amenities[s->namenities].code = code;
        s->amenities[s->namenities].count = n;
        s->namenities++;
    }
    *set |= SF_AMENITIES;
    return 0;
}

static int read_photos(struct req *r, struct site *s, unsigned *set)
{
    json_t *v = json_object_get(r->json, "photos");
    if (!v)
        return 0;
    if (!json_is_array(v) || json_array_size(v) > SITE_MAX_PHOTOS)
        return reply_error(r, 422, "invalid_field", "photos", "photos is a list of at most %d URLs",
                           SITE_MAX_PHOTOS),
               -1;
    s->photos = arena_calloc(&r->arena, json_array_size(v) + 1, sizeof(*s->photos));
    size_t i;
    json_t *u;
    json_array_foreach(v, i, u)
    {
        if (!json_is_string(u))
            return reply_error(r, 422, "invalid_field", "photos", "photos is a list of URLs"), -1;
        s->photos[s->nphotos++] = json_string_value(u);
    }
    *set |= SF_PHOTOS;
    return 0;
}

/* Decode the body into *s and the set of fields it names. 0 or -1. */
static int read_site_or_reply(struct req *r, struct site *s, unsigned *set)
{
    *set = 0;
    if (json_in_only_or_reply(r, r->json, NULL, site_fields) ||
        read_text(r, "name_zh", SF_NAME_ZH, &s->name_zh, set) ||
        read_text(r, "name_en", SF_NAME_EN, &s->name_en, set) ||
        read_text(r, "type", SF_TYPE, &s->type_code, set) ||
        read_text(r, "address_zh", SF_ADDRESS_ZH, &s->address_zh, set) ||
        read_text(r, "address_en", SF_ADDRESS_EN, &s->address_en, set) ||
        read_text(r, "phone", SF_PHONE, &s->phone, set) ||
        read_text(r, "manager", SF_MANAGER, &s->manager, set) ||
        read_text(r, "description", SF_DESCRIPTION, &s->description, set) ||
        read_text(r, "status", SF_STATUS, &s->status, set) ||
        read_text(r, "opening_hours", SF_HOURS, &s->opening_hours, set) ||
        read_position(r, s, set) || read_amenities(r, s, set) || read_photos(r, s, set))
        return -1;
    const char *region = NULL;
    int got = json_in_nullable_string(r, r->json, NULL, "region", 64, &region);
    if (got < 0)
        return -1;
    if (got) {
        s->region_code = region && *region ? region : NULL;
        *set |= SF_REGION;
    }
    const char *reason = NULL;
    got = json_in_nullable_string(r, r->json, NULL, "status_reason", SITE_TEXT_MAX, &reason);
    if (got < 0)
        return -1;
    if (got) {
        s->status_reason = reason && *reason ? reason : NULL;
        *set |= SF_STATUS_REASON;
    }
    const char *until = NULL;
    got = json_in_nullable_string(r, r->json, NULL, "status_until", 64, &until);
    if (got < 0)
        return -1;
    if (got) {
        s->has_until = until != NULL;
        if (until && clock_parse_iso(until, r->app->cfg.tz_offset_min, &s->status_until))
            return reply_error(r, 422, "invalid_field", "status_until",
                               "status_until must be an ISO-8601 time"),
                   -1;
        *set |= SF_STATUS_UNTIL;
    }
    json_t *cap = json_object_get(r->json, "capacity");
    if (cap) {
        *set |= SF_CAPACITY;
        s->has_capacity = !json_is_null(cap);
        if (s->has_capacity &&
            json_in_int(r, r->json, NULL, "capacity", 0, 100000, false, &s->capacity) < 0)
            return -1;
    }
    bool pub;
    got = json_in_bool(r, r->json, NULL, "public", false, &pub);
    if (got < 0)
        return -1;
    if (got) {
        s->is_public = pub;
        *set |= SF_PUBLIC;
    }
    return 0;
}

static int fault_reply(struct req *r, const struct site_fault *f)
{
    return reply_error(r, 422, f->code, f->field, "%s", f->message);
}

/* ---- handlers ------------------------------------------------------ */

static struct site_cache *cache_of(struct req *r)
{
    return app_state(r->app, &site_module);
}

static int id_or_reply(struct req *r, int64_t *id)
{
    return req_param_id_or_reply(r, "id", "site", id);
}

static int bbox_sites(struct req *r, const char *bbox_text);

static int list_sites(struct req *r)
{
    const char *bbox = req_query(r, "bbox");
    if (bbox)
        return bbox_sites(r, bbox);
    struct site_query q = {0};
    if (req_query_int_or_reply(r, "limit", 1, 1000, 100, &q.limit) ||
        req_query_int_or_reply(r, "offset", 0, INT32_MAX, 0, &q.offset))
        return r->status;
    q.type_code = req_query(r, "type");
    q.region_code = req_query(r, "region");
    q.status = req_query(r, "status");
    if (q.status && strcmp(q.status, "any") != 0 && !site_status_is_valid(q.status))
        return reply_error(r, 400, "invalid_query", "status", "status is a site status or any");
    /* "Any of" is a map query's filter (near, bbox, clusters), answered
     * from the cache; said here it would be silently ignored. */
    if (req_query(r, "amenity_any"))
        return reply_error(r, 400, "invalid_query", "amenity_any",
                           "amenity_any needs bbox (or /api/sites/near, /api/sites/clusters)");
    if (req_query(r, "service_category"))
        return reply_error(r, 400, "invalid_query", "service_category",
                           "service_category needs bbox (or /api/sites/near, /api/sites/clusters)");
    const char *amen = req_query(r, "amenity");
    if (amen && *amen) {
        char *list = arena_strdup(&r->arena, amen), *save = NULL;
        for (char *tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
            if (q.namenities == SITE_QUERY_MAX_AMENITIES)
                return reply_error(r, 400, "invalid_query", "amenity",
                                   "at most %d amenities at once", SITE_QUERY_MAX_AMENITIES);
            q.amenities[q.namenities++] = tok;
        }
    }
    const char *text = req_query(r, "q");
    if (text && *text) {
        if (strlen(text) > 100)
            return reply_error(r, 400, "invalid_query", "q", "q may be at most 100 bytes");
        q.text = text_like_contains(&r->arena, text);
    }
    struct store_conn *c = req_store_or_reply(r);
    struct site_view v;
    struct hours_calendar cal;
    if (!c || view_or_reply(r, c, &v, &cal))
        return r->status;
    struct site *sites;
    size_t n;
    int64_t total;
    int st = site_search(c, &r->arena, &q, &sites, &n, &total);
    if (st == STORE_NOT_FOUND)
        return reply_error(r, 400, "invalid_query", "region", "no region has code %s",
                           q.region_code);
    if (st)
        return reply_store_error(r, st, "site");
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, site_json(&r->arena, &sites[i], &v));
    return reply_sites(r, 200, json_pack("{s:o, s:I}", "items", items, "total", (json_int_t)total));
}

static int get_site(struct req *r)
{
    int64_t id;
    if (id_or_reply(r, &id))
        return r->status;
    struct store_conn *c = req_store_or_reply(r);
    struct site_view v;
    struct hours_calendar cal;
    if (!c || view_or_reply(r, c, &v, &cal))
        return r->status;
    struct site s;
    int st = site_get(c, &r->arena, id, &s);
    if (st)
        return reply_store_error(r, st, "site");
    return reply_site_detail(r, c, 200, &v, &s);
}

struct site_save {
    struct arena *arena;
    struct site *s;
    bool create;
    struct site_fault f;
};

static int save_tx(struct store_conn *c, void *v)
{
    struct site_save *w = v;
    return w->create ? site_insert(c, w->arena, w->s, clock_now(), &w->f)
                     : site_update(c, w->arena, w->s, clock_now(), &w->f);
}

/* Write s (insert when creating) in a transaction; replies on failure. */
static int save_or_reply(struct req *r, struct store_conn *c, struct site *s, bool create)
{
    struct site_save w = {&r->arena, s, create, {0}};
    int st = req_tx(r, c, save_tx, &w);
    struct site_fault f = w.f;
    if (st == SITE_INVALID)
        return fault_reply(r, &f), -1;
    if (st)
        return reply_store_error(r, st, "site"), -1;
    return 0;
}

static int reply_site(struct req *r, struct store_conn *c, int status, int64_t id)
{
    struct site_view v;
    struct hours_calendar cal;
    struct site s;
    if (view_or_reply(r, c, &v, &cal))
        return r->status;
    int st = site_get(c, &r->arena, id, &s);
    if (st)
        return reply_store_error(r, st, "site");
    return reply_site_detail(r, c, status, &v, &s);
}

static int create_site(struct req *r)
{
    struct site in, s;
    unsigned set;
    memset(&in, 0, sizeof in);
    if (read_site_or_reply(r, &in, &set))
        return r->status;
    if (!(set & SF_POSITION))
        return reply_error(r, 422, "missing_field", "position", "position is required");
    site_defaults(&s);
    site_merge(&s, &in, set);
    struct site_fault f;
    if (site_check(&s, &f))
        return fault_reply(r, &f);
    /* Region admins add sites within their subtree only. */
    if (!req_reaches_region(r, ROLE_REGION_ADMIN, s.region_code))
        return reply_error(r, 403, "out_of_scope", "region",
                           "you may add sites only in a region you administer");
    struct store_conn *c = req_store_or_reply(r);
    if (!c || save_or_reply(r, c, &s, true))
        return r->status;
    app_changed(r->app, c, &site_module, SITE_CREATED, s.id);
    char loc[64];
    snprintf(loc, sizeof loc, "/api/sites/%lld", (long long)s.id);
    reply_header(r, "Location", loc);
    return reply_site(r, c, 201, s.id);
}

static int update_site(struct req *r)
{
    int64_t id;
    struct site in, s;
    unsigned set;
    memset(&in, 0, sizeof in);
    if (id_or_reply(r, &id) || read_site_or_reply(r, &in, &set))
        return r->status;
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    int st = site_get(c, &r->arena, id, &s);
    if (st)
        return reply_store_error(r, st, "site");
    site_merge(&s, &in, set);
    struct site_fault f;
    if (site_check(&s, &f))
        return fault_reply(r, &f);
    if ((set & SF_REGION) && !req_reaches_region(r, ROLE_REGION_ADMIN, s.region_code))
        return reply_error(r, 403, "out_of_scope", "region",
                           "you may move sites only into a region you administer");
    if (save_or_reply(r, c, &s, false))
        return r->status;
    app_changed(r->app, c, &site_module, SITE_UPDATED, id);
    return reply_site(r, c, 200, id);
}

static int delete_site(struct req *r)
{
    int64_t id;
    if (id_or_reply(r, &id))
        return r->status;
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    int st = site_delete(c, id);
    if (st)
        return reply_store_error(r, st, "site");
    app_changed(r->app, c, &site_module, SITE_DELETED, id);
    return reply_empty(r, 204);
}

static int import_sites(struct req *r)
{
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    struct site_import_result res;
    site_import_csv(c, &r->arena, r->body, r->body_len, &res);
    if (res.store_rc)
        return reply_store_error(r, res.store_rc, "site");
    if (res.nerrors) {
        json_t *details = json_array();
        for (size_t i = 0; i < res.nerrors; i++) {
            const struct site_import_error *e = &res.errors[i];
            json_t *d = json_pack("{s:I, s:s, s:s}", "row", (json_int_t)e->row, "code", e->code,
                                  "message", e->message);
            json_object_set_new(d, "column", e->column ? json_string(e->column) : json_null());
            json_array_append_new(details, d);
        }
        json_t *err = json_pack("{s:s, s:s, s:o, s:b}", "code", "invalid_rows", "message",
                                "some rows are not valid; nothing was imported", "details", details,
                                "truncated", res.truncated);
        return reply_json(r, 422, json_pack("{s:o}", "error", err));
    }
    app_changed(r->app, c, &site_module, SITE_BULK, 0);
    return reply_json(r, 200, json_pack("{s:I}", "imported", (json_int_t)res.imported));
}

static int export_sites(struct req *r)
{
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        die_oom();
    int st = site_export_csv(c, f);
    fclose(f);
    if (st) {
        free(buf);
        return reply_store_error(r, st, "site");
    }
    reply_header(r, "Content-Disposition", "attachment; filename=\"sites.csv\"");
    return reply_take(r, 200, "text/csv; charset=utf-8", buf, len);
}

/* ---- map queries (served from the in-memory cache) ------------------ */

/* The filters shared by near, bbox and clusters. 0 or -1 after replying. */
static int filter_or_reply(struct req *r, struct site_filter *f, struct site_render *rd)
{
    memset(f, 0, sizeof(*f));
    rd->tz = r->app->cfg.tz_offset_min;
    rd->ttl_s = r->app->cfg.status_ttl_s;
    rd->now = clock_now();
    rd->fields = 0;
    if (at_datum_or_reply(r, rd->now, &f->at, &rd->datum))
        return -1;
    const char *amen = req_query(r, "amenity");
    if (amen && *amen) {
        char *list = arena_strdup(&r->arena, amen), *save = NULL;
        for (char *tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
            if (f->namenities == 4)
                return reply_error(r, 400, "invalid_query", "amenity",
                                   "at most 4 amenities at once"),
                       -1;
            f->amenities[f->namenities++] = tok;
        }
    }
    /* amenity_any=a,b: at least one of them (amenity=a,b: all of them). */
    const char *any = req_query(r, "amenity_any");
    if (any && *any) {
        char *list = arena_strdup(&r->arena, any), *save = NULL;
        for (char *tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
            if (f->nany == SITE_FILTER_MAX_ANY)
                return reply_error(r, 400, "invalid_query", "amenity_any",
                                   "at most %d amenities in amenity_any", SITE_FILTER_MAX_ANY),
                       -1;
            f->any[f->nany++] = tok;
        }
    }
    f->type = req_query(r, "type");
    /* service_category=CODE: sites offering a service of that category
     * (or of one below it), as /api/services?category= names them. */
    f->service_category = req_query(r, "service_category");
    if (f->service_category && !text_is_code(f->service_category))
        return reply_error(r, 400, "invalid_query", "service_category",
                           "service_category is a category code"),
               -1;
    const char *open = req_query(r, "open");
    if (open && strcmp(open, "1") != 0 && strcmp(open, "0") != 0)
        return reply_error(r, 400, "invalid_query", "open", "open is 1 or 0"), -1;
    f->open_only = open && strcmp(open, "1") == 0;
    const char *radius = req_query(r, "radius_m");
    if (radius) {
        char *end;
        f->radius_m = text_strtod(radius, &end);
        if (!*radius || *end || !(f->radius_m > 0) || f->radius_m > 20000000)
            return reply_error(r, 400, "invalid_query", "radius_m",
                               "radius_m is a distance in metres, above 0"),
                   -1;
    }
    return 0;
}

/* fields=a,b: only these top-level fields of each site (the id always),
 * in the answer's own order. GeoJSON needs the position (its geometry),
 * so it keeps it. distance_m only on near. 0 or -1 after replying. */
static int fields_or_reply(struct req *r, bool near, struct site_render *rd)
{
    const char *v = req_query(r, "fields");
    if (!v)
        return 0;
    uint32_t mask = SJ_BIT(SJ_ID);
    const char *p = v;
    for (;;) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        char name[32];
        int f = -1;
        if (n && n < sizeof name) {
            memcpy(name, p, n);
            name[n] = '\0';
            f = site_json_field_of(name);
        }
        if (f < 0 || (f == SJ_DISTANCE_M && !near))
            return reply_error(r, 400, "invalid_query", "fields",
                               "fields is a comma list of a site's fields, like id,name_zh,open"),
                   -1;
        mask |= SJ_BIT(f);
        if (!end)
            break;
        p = end + 1;
    }
    int geo = geojson_or_reply(r);
    if (geo < 0)
        return -1;
    if (geo)
        mask |= SJ_BIT(SJ_POSITION);
    rd->fields = mask;
    return 0;
}

static int cache_error_or_reply(struct req *r, const struct site_filter *f, int rc)
{
    if (rc == SITE_CACHE_UNKNOWN_AMENITY)
        return reply_error(r, 400, "invalid_query",
                           f->nany && !f->namenities ? "amenity_any" : "amenity",
                           "no amenity has that code");
    if (rc == SITE_CACHE_UNKNOWN_TYPE)
        return reply_error(r, 400, "invalid_query", "type", "no site type has that code");
    if (rc == SITE_CACHE_UNKNOWN_CATEGORY)
        return reply_error(r, 400, "invalid_query", "service_category",
                           "no service category has that code");
    return 0;
}

static int number_query_or_reply(struct req *r, const char *name, double min, double max,
                                 double *out)
{
    const char *v = req_query(r, name);
    char *end;
    double d = v ? text_strtod(v, &end) : 0;
    if (!v || !*v || *end || !(d >= min && d <= max))
        return reply_error(r, 400, "invalid_query", name, "%s must be a number from %g to %g", name,
                           min, max),
               -1;
    *out = d;
    return 0;
}

/* "minlon,minlat,maxlon,maxlat" in the request's datum, into WGS-84. */
static int bbox_or_reply(struct req *r, const char *text, enum geo_datum datum, double b[4])
{
    if (geo_bbox_parse(text, b))
        return reply_error(r, 400, "invalid_query", "bbox",
                           "bbox is minlon,minlat,maxlon,maxlat, min before max, within "
                           "-180..180 and -90..90"),
               -1;
    geo_bbox_convert(b, datum, GEO_WGS84, b);
    return 0;
}

static int reply_buffer(struct req *r, struct strbuf *sb)
{
    int geo = geojson_or_reply(r);
    if (geo) {
        json_t *answer = geo > 0 ? json_loadb(sb->buf, sb->len, 0, NULL) : NULL;
        strbuf_release(sb);
        if (geo < 0)
            return r->status;
        if (!answer)
            die_oom();
        return reply_sites(r, 200, answer);
    }
    size_t len;
    char *text = strbuf_detach(sb, &len);
    return reply_take(r, 200, "application/json; charset=utf-8", text, len);
}

static int near_sites(struct req *r)
{
    struct site_filter f;
    struct site_render rd;
    double lat, lon;
    int64_t k;
    if (filter_or_reply(r, &f, &rd) || number_query_or_reply(r, "lat", -90, 90, &lat) ||
        number_query_or_reply(r, "lon", -180, 180, &lon) ||
        req_query_int_or_reply(r, "k", 1, SITE_NEAR_MAX_K, 5, &k) || fields_or_reply(r, true, &rd))
        return r->status;
    struct geo_point w = geo_convert((struct geo_point){lat, lon}, rd.datum, GEO_WGS84);
    /* The answer in one allocation: a site renders to about 1.4 KB, and
     * growing from 64 bytes takes seven reallocs that copy as much again
     * as the answer (capped below malloc's mmap threshold, so a big k is
     * not a system call). */
    struct strbuf sb = STRBUF_INIT;
    strbuf_grow(&sb, (size_t)k * 2048 < 65536 ? (size_t)k * 2048 : 65536);
    int n = site_cache_near(cache_of(r), w.lat, w.lon, (size_t)k, &f, &rd, &sb);
    if (n < 0) {
        strbuf_release(&sb);
        return cache_error_or_reply(r, &f, n);
    }
    return reply_buffer(r, &sb);
}

static int bbox_sites(struct req *r, const char *bbox_text)
{
    struct site_filter f;
    struct site_render rd;
    double b[4];
    int64_t limit, offset;
    if (filter_or_reply(r, &f, &rd) || bbox_or_reply(r, bbox_text, rd.datum, b) ||
        req_query_int_or_reply(r, "limit", 1, 1000, 100, &limit) ||
        req_query_int_or_reply(r, "offset", 0, 1000000, 0, &offset) ||
        fields_or_reply(r, false, &rd))
        return r->status;
    struct strbuf sb = STRBUF_INIT;
    int n = site_cache_bbox(cache_of(r), b, &f, (size_t)limit, (size_t)offset, &rd, &sb);
    if (n < 0) {
        strbuf_release(&sb);
        return cache_error_or_reply(r, &f, n);
    }
    return reply_buffer(r, &sb);
}

static int cluster_sites(struct req *r)
{
    struct site_filter f;
    struct site_render rd;
    double b[4];
    int64_t zoom;
    const char *bbox = req_query(r, "bbox");
    if (!bbox)
        return reply_error(r, 400, "invalid_query", "bbox", "bbox is required");
    if (filter_or_reply(r, &f, &rd) || bbox_or_reply(r, bbox, rd.datum, b) ||
        req_query_int_or_reply(r, "zoom", 0, 20, -1, &zoom))
        return r->status;
    if (zoom < 0)
        return reply_error(r, 400, "invalid_query", "zoom", "zoom is required (0 to 20)");
    struct strbuf sb = STRBUF_INIT;
    int n = site_cache_clusters(cache_of(r), b, (int)zoom, &f, &rd, &sb);
    if (n < 0) {
        strbuf_release(&sb);
        return cache_error_or_reply(r, &f, n);
    }
    return reply_buffer(r, &sb);
}

/* ---- scope ---------------------------------------------------------- */

/* {id} is a site: it must exist (404), and the caller's grants must reach it. */
static int resolve_site_in_path(struct req *r, struct scope_target *t)
{
    int64_t id;
    if (id_or_reply(r, &id))
        return -1;
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return -1;
    struct site s;
    int rc = site_get(c, &r->arena, id, &s);
    if (rc)
        return reply_store_error(r, rc, "site"), -1;
    t->site_id = id;
    return 0;
}

const struct route_scope site_scope_path = {"site", resolve_site_in_path};

struct store_conn *req_site_or_reply(struct req *r, struct site *s)
{
    int64_t id;
    struct store_conn *c = req_id_store_or_reply(r, "site", &id);
    if (!c)
        return NULL;
    int rc = site_get(c, &r->arena, id, s);
    if (rc)
        return reply_store_error(r, rc, "site"), NULL;
    return c;
}

/* ---- keeping the cache and the event streams in step ---------------- */

static int site_init(struct app *app, void **state)
{
    struct site_cache *sc = site_cache_new(app->cfg.tz_offset_min);
    *state = sc;
    struct store_conn *c = store_acquire(app->store);
    int rc = c ? site_cache_load(sc, c) : -1;
    store_release(c);
    return rc;
}

static void site_release(struct app *app, void *state)
{
    site_cache_free(state);
}

static void reload_all(struct app *app, struct site_cache *sc, struct store_conn *c)
{
    site_cache_load(sc, c);
    sse_publish(app->events, "site", "{\"id\":null,\"op\":\"reload\"}");
}

/* Keep the cache and the open map pages in step with the sites, their
 * live status (live module), the catalogue, region codes and the holiday
 * calendar. */
static void site_changed_hook(struct app *app, struct store_conn *c, const struct change *ch)
{
    static const char *const ops[] = {"create", "update", "delete"};
    struct site_cache *sc = app_state(app, &site_module);
    if (!ch) {
        site_cache_reload_calendar(sc, c);
        reload_all(app, sc, c);
        return;
    }
    char data[96];
    if (ch->module == &site_module) {
        if (ch->kind == SITE_BULK) {
            reload_all(app, sc, c);
            return;
        }
        site_cache_refresh(sc, c, ch->id);
        snprintf(data, sizeof data, "{\"id\":%lld,\"op\":\"%s\"}", (long long)ch->id,
                 ops[ch->kind - SITE_CREATED]);
        sse_publish(app->events, "site", data);
    } else if (ch->module == &live_module) {
        struct site_render rd = {GEO_WGS84, app->cfg.tz_offset_min, app->cfg.status_ttl_s,
                                 clock_now(), 0};
        site_cache_refresh(sc, c, ch->id);
        struct strbuf sb = STRBUF_INIT;
        if (site_cache_status_json(sc, ch->id, &rd, &sb) == 0)
            sse_publish(app->events, "status", sb.buf);
        strbuf_release(&sb);
    } else if (ch->module == &catalog_module || ch->module == &region_module) {
        reload_all(app, sc, c);
    } else if (ch->module == &service_module && ch->kind == SERVICE_CHANGED) {
        /* A service, or where it is offered: the category filter's sets
         * (the map pages ask again when they filter; nothing to push). */
        site_cache_refresh_service(sc, c, ch->id);
    } else if (ch->module == &calendar_module) {
        site_cache_reload_calendar(sc, c);
        sse_publish(app->events, "site", "{\"id\":null,\"op\":\"reload\"}");
    }
}

static const char *const site_changes[] = {"created", "updated", "deleted", "bulk", NULL};

static const struct route site_routes[] = {
    {HTTP_GET, "/api/sites", list_sites, ACCESS_PUBLIC, BODY_NONE, SCOPE_ANY},
    {HTTP_POST, "/api/sites", create_site, ACCESS_ADMIN, BODY_JSON, SCOPE_ANY},
    {HTTP_GET, "/api/sites/export", export_sites, ACCESS_PUBLIC, BODY_NONE, SCOPE_ANY},
    {HTTP_GET, "/api/sites/near", near_sites, ACCESS_PUBLIC, BODY_NONE, SCOPE_ANY},
    {HTTP_GET, "/api/sites/clusters", cluster_sites, ACCESS_PUBLIC, BODY_NONE, SCOPE_ANY},
    {HTTP_POST, "/api/sites/import", import_sites, ACCESS_SYSTEM, BODY_CSV, SCOPE_ANY},
    {HTTP_GET, "/api/sites/{id}", get_site, ACCESS_PUBLIC, BODY_NONE, SCOPE_ANY},
    {HTTP_PATCH, "/api/sites/{id}", update_site, ACCESS_ADMIN, BODY_JSON, &site_scope_path},
    {HTTP_DELETE, "/api/sites/{id}", delete_site, ACCESS_ADMIN, BODY_NONE, &site_scope_path},
};

/* ---- command line ----------------------------------------------------- */

static int cmd_import(struct app *app, int argc, char **argv)
{
    if (argc != 1) {
        fputs("usage: warmharbor import-sites [--db PATH] FILE.csv\n", stderr);
        return 2;
    }
    FILE *f = fopen(argv[0], "rb");
    if (!f) {
        fprintf(stderr, "warmharbor: %s: %s\n", argv[0], strerror(errno));
        return 1;
    }
    struct strbuf sb = STRBUF_INIT;
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        strbuf_add(&sb, buf, n);
    fclose(f);
    int rc = site_import_cli(app, sb.buf ? sb.buf : "", sb.len, stdout, stderr);
    strbuf_release(&sb);
    return rc ? 1 : 0;
}

static int cmd_export(struct app *app, int argc, char **argv)
{
    if (argc) {
        fputs("warmharbor export-sites takes no arguments\n", stderr);
        return 2;
    }
    return site_export_cli(app, stdout) ? 1 : 0;
}

static const struct module_command site_commands[] = {
    {"import-sites", cmd_import, "warmharbor import-sites [--db PATH] FILE.csv",
     "Import sites from CSV (the columns of export-sites). Every row is\n"
     "checked first; nothing is imported unless every row is valid.\n",
     false},
    {"export-sites", cmd_export, "warmharbor export-sites [--db PATH]",
     "Write every site as CSV on standard output.\n", false},
};

const struct module site_module = {
    .commands = site_commands,
    .ncommands = sizeof site_commands / sizeof site_commands[0],
    .change_kinds = site_changes,
    .name = "site",
    .routes = site_routes,
    .nroutes = sizeof site_routes / sizeof site_routes[0],
    .init = site_init,
    .release = site_release,
    .changed = site_changed_hook,
};
