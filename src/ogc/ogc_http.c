/*
 * ogc_http.c - OGC API - Features, Part 1: Core, over the site registry,
 * so GIS users can open the network in QGIS or GDAL
 * (`ogrinfo OAPIF:http://host/ogc/`).
 *   GET /ogc                                   landing page
 *   GET /ogc/conformance                       the classes we conform to
 *   GET /ogc/collections                       "sites" and one per site type
 *   GET /ogc/collections/{cid}                 one collection
 *   GET /ogc/collections/{cid}/items           ?bbox=&limit=&offset= GeoJSON
 *   GET /ogc/collections/{cid}/items/{fid}     one feature
 * Items are served from the in-memory site cache, in WGS-84 (CRS84).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "catalog/catalog.h"
#include "core/clock.h"
#include "core/strbuf.h"
#include "geo/coord.h"
#include "site/site.h"
#include "site/site_cache.h"
#include "store/store.h"

#define OGC_DEFAULT_LIMIT 100
#define OGC_MAX_LIMIT 1000

static const char *const conformance[] = {
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
};

/* "http://host" of this request, for absolute links. */
static const char *base_url(struct req *r)
{
    const char *host = req_header(r, "Host");
    const char *proto = req_header(r, "X-Forwarded-Proto");
    if (!proto || (strcmp(proto, "https") != 0 && strcmp(proto, "http") != 0))
        proto = "http";
    return arena_printf(&r->arena, "%s://%s", proto, host ? host : "localhost");
}

static json_t *link(const char *href, const char *rel, const char *type, const char *title)
{
    json_t *l = json_pack("{s:s, s:s, s:s}", "href", href, "rel", rel, "type", type);
    if (title)
        json_object_set_new(l, "title", json_string(title));
    return l;
}

static int reply_typed(struct req *r, json_t *body, const char *type)
{
    char *text = json_dumps(body, JSON_COMPACT | JSON_REAL_PRECISION(10));
    json_decref(body);
    if (!text)
        die_oom();
    return reply_take(r, 200, type, text, strlen(text));
}

static int landing(struct req *r)
{
    const char *b = base_url(r);
    json_t *links = json_array();
    json_array_append_new(links, link(arena_printf(&r->arena, "%s/ogc", b), "self",
                                      "application/json", "this document"));
    json_array_append_new(links, link(arena_printf(&r->arena, "%s/ogc/conformance", b),
                                      "conformance", "application/json", "conformance classes"));
    json_array_append_new(links, link(arena_printf(&r->arena, "%s/ogc/collections", b), "data",
                                      "application/json", "the collections"));
    return reply_json(r, 200,
                      json_pack("{s:s, s:s, s:o}", "title", "warmharbor 暖新服务网络",
                                "description",
                                "Service sites for new-employment workers: industry hubs, "
                                "community stations, Warm Huts, canteens, battery-swap points",
                                "links", links));
}

static int get_conformance(struct req *r)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < sizeof conformance / sizeof conformance[0]; i++)
        json_array_append_new(arr, json_string(conformance[i]));
    return reply_json(r, 200, json_pack("{s:o}", "conformsTo", arr));
}

static json_t *collection_json(struct req *r, const char *id, const char *title,
                               const char *description)
{
    const char *b = base_url(r);
    json_t *links = json_array();
    json_array_append_new(links, link(arena_printf(&r->arena, "%s/ogc/collections/%s", b, id),
                                      "self", "application/json", NULL));
    json_array_append_new(links, link(arena_printf(&r->arena, "%s/ogc/collections/%s/items", b, id),
                                      "items", "application/geo+json", NULL));
    return json_pack("{s:s, s:s, s:s, s:s, s:o, s:[s], s:{s:{s:[[f,f,f,f]], s:s}}}", "id", id,
                     "title", title, "description", description, "itemType", "feature", "links",
                     links, "crs", "http://www.opengis.net/def/crs/OGC/1.3/CRS84", "extent",
                     "spatial", "bbox", -180.0, -90.0, 180.0, 90.0, "crs",
                     "http://www.opengis.net/def/crs/OGC/1.3/CRS84");
}

/* The collection {cid}: "sites" (type NULL) or a site type's code. Returns
 * 0 with *type set, or -1 after replying 404. */
static int collection_or_reply(struct req *r, struct store_conn *c, const char **type,
                               struct site_type *t)
{
    const char *cid = req_param(r, "cid");
    if (strcmp(cid, "sites") == 0) {
        *type = NULL;
        return 0;
    }
    int rc = site_type_get(c, &r->arena, cid, t);
    if (rc == STORE_NOT_FOUND)
        return reply_error(r, 404, "not_found", NULL, "no collection %s", cid), -1;
    if (rc)
        return reply_store_error(r, rc, "collection"), -1;
    *type = t->code;
    return 0;
}

static int list_collections(struct req *r)
{
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    struct site_type *ts;
    size_t n;
    int rc = site_type_list(c, &r->arena, &ts, &n);
    if (rc)
        return reply_store_error(r, rc, "collection");
    json_t *cols = json_array();
    json_array_append_new(
        cols, collection_json(r, "sites", "所有站点 / All sites", "Every site of the network"));
    for (size_t i = 0; i < n; i++)
        json_array_append_new(
            cols, collection_json(r, ts[i].code,
                                  arena_printf(&r->arena, "%s / %s", ts[i].name_zh,
                                               ts[i].name_en ? ts[i].name_en : ""),
                                  arena_printf(&r->arena, "Sites of type %s", ts[i].code)));
    json_t *links = json_array();
    json_array_append_new(links, link(arena_printf(&r->arena, "%s/ogc/collections", base_url(r)),
                                      "self", "application/json", NULL));
    return reply_json(r, 200, json_pack("{s:o, s:o}", "links", links, "collections", cols));
}

static int get_collection(struct req *r)
{
    struct store_conn *c = req_store_or_reply(r);
    const char *type;
    struct site_type t;
    if (!c || collection_or_reply(r, c, &type, &t))
        return r->status;
    if (!type)
        return reply_json(
            r, 200,
            collection_json(r, "sites", "所有站点 / All sites", "Every site of the network"));
    return reply_json(
        r, 200,
        collection_json(r, t.code,
                        arena_printf(&r->arena, "%s / %s", t.name_zh, t.name_en ? t.name_en : ""),
                        arena_printf(&r->arena, "Sites of type %s", t.code)));
}

static int get_items(struct req *r)
{
    struct store_conn *c = req_store_or_reply(r);
    const char *type;
    struct site_type t;
    if (!c || collection_or_reply(r, c, &type, &t))
        return r->status;
    int64_t limit, offset;
    if (req_query_int_or_reply(r, "limit", 1, OGC_MAX_LIMIT, OGC_DEFAULT_LIMIT, &limit) ||
        req_query_int_or_reply(r, "offset", 0, 10000000, 0, &offset))
        return r->status;
    double b[4] = {-180, -90, 180, 90};
    const char *bbox = req_query(r, "bbox");
    if (bbox && geo_bbox_parse(bbox, b))
        return reply_error(r, 400, "invalid_query", "bbox",
                           "bbox is minlon,minlat,maxlon,maxlat in CRS84");
    struct site_filter f = {.type = type, .at = clock_now()};
    struct site_render rd = {GEO_WGS84, r->app->cfg.tz_offset_min, r->app->cfg.status_ttl_s,
                             clock_now(), 0};
    struct strbuf sb = STRBUF_INIT;
    int n = site_cache_bbox(app_state(r->app, &site_module), b, &f, (size_t)limit, (size_t)offset,
                            &rd, &sb);
    json_t *answer = n >= 0 ? json_loadb(sb.buf, sb.len, 0, NULL) : NULL;
    strbuf_release(&sb);
    if (!answer)
        return reply_error(r, 500, "internal", NULL, "the site cache failed");
    json_t *fc = site_feature_collection(json_object_get(answer, "items"));
    size_t matched = (size_t)json_integer_value(json_object_get(answer, "total"));
    size_t returned = json_array_size(json_object_get(fc, "features"));
    json_decref(answer);
    char when[40];
    json_object_set_new(fc, "numberMatched", json_integer((json_int_t)matched));
    json_object_set_new(fc, "numberReturned", json_integer((json_int_t)returned));
    json_object_set_new(fc, "timeStamp",
                        json_string(clock_format_iso(clock_now(), 0, when, sizeof when)));
    const char *b0 = base_url(r);
    const char *cid = req_param(r, "cid");
    const char *bbox_q =
        bbox ? arena_printf(&r->arena, "&bbox=%.7f,%.7f,%.7f,%.7f", b[0], b[1], b[2], b[3]) : "";
    json_t *links = json_array();
    json_array_append_new(
        links, link(arena_printf(&r->arena, "%s/ogc/collections/%s/items?limit=%lld&offset=%lld%s",
                                 b0, cid, (long long)limit, (long long)offset, bbox_q),
                    "self", "application/geo+json", NULL));
    if ((size_t)offset + returned < matched)
        json_array_append_new(
            links, link(arena_printf(
                            &r->arena, "%s/ogc/collections/%s/items?limit=%lld&offset=%lld%s", b0,
                            cid, (long long)limit, (long long)(offset + (int64_t)returned), bbox_q),
                        "next", "application/geo+json", "next page"));
    json_array_append_new(links, link(arena_printf(&r->arena, "%s/ogc/collections/%s", b0, cid),
                                      "collection", "application/json", NULL));
    json_object_set_new(fc, "links", links);
    return reply_typed(r, fc, "application/geo+json");
}

static int get_item(struct req *r)
{
    struct store_conn *c = req_store_or_reply(r);
    const char *type;
    struct site_type t;
    if (!c || collection_or_reply(r, c, &type, &t))
        return r->status;
    int64_t id;
    if (req_param_id_or_reply(r, "fid", "feature", &id))
        return r->status;
    struct site s;
    int rc = site_get(c, &r->arena, id, &s);
    if (rc)
        return reply_store_error(r, rc, "feature");
    if ((type && strcmp(s.type_code, type) != 0) || strcmp(s.status, "removed") == 0)
        return reply_error(r, 404, "not_found", NULL, "no such feature in this collection");
    struct hours_calendar cal = {NULL, 0};
    struct site_view v = {&cal, clock_now(), r->app->cfg.tz_offset_min, GEO_WGS84};
    json_t *site = site_json(&r->arena, &s, &v);
    json_t *feature = site_feature(site);
    json_decref(site);
    const char *b0 = base_url(r);
    json_t *links = json_array();
    json_array_append_new(links, link(arena_printf(&r->arena, "%s/ogc/collections/%s/items/%lld",
                                                   b0, req_param(r, "cid"), (long long)id),
                                      "self", "application/geo+json", NULL));
    json_array_append_new(
        links, link(arena_printf(&r->arena, "%s/ogc/collections/%s", b0, req_param(r, "cid")),
                    "collection", "application/json", NULL));
    json_object_set_new(feature, "links", links);
    return reply_typed(r, feature, "application/geo+json");
}

static const struct route ogc_routes[] = {
    {HTTP_GET, "/ogc", landing, ACCESS_PUBLIC, BODY_NONE, SCOPE_ANY},
    {HTTP_GET, "/ogc/conformance", get_conformance, ACCESS_PUBLIC, BODY_NONE, SCOPE_ANY},
    {HTTP_GET, "/ogc/collections", list_collections, ACCESS_PUBLIC, BODY_NONE, SCOPE_ANY},
    {HTTP_GET, "/ogc/collections/{cid}", get_collection, ACCESS_PUBLIC, BODY_NONE, SCOPE_ANY},
    {HTTP_GET, "/ogc/collections/{cid}/items", get_items, ACCESS_PUBLIC, BODY_NONE, SCOPE_ANY},
    {HTTP_GET, "/ogc/collections/{cid}/items/{fid}", get_item, ACCESS_PUBLIC, BODY_NONE, SCOPE_ANY},
};

const struct module ogc_module = {
    .name = "ogc",
    .routes = ogc_routes,
    .nroutes = sizeof ogc_routes / sizeof ogc_routes[0],
};
