/*
 * site_json.c - a site as the API shows it. Split in two so the in-memory
 * cache can keep the part that only changes when the site is edited and
 * add, per request, what depends on the moment and the datum asked for:
 *   static:  id, names, type, tier, region, addresses, phone, manager,
 *            description, capacity, status, status_reason, status_until,
 *            public, opening_hours, amenities, photos, demo, created_at,
 *            updated_at
 *   dynamic: position (in the datum asked for), open, next_change, nav
 */
#include <stdio.h>

#include "core/clock.h"
#include "core/strbuf.h"
#include "core/text.h"
#include "geo/coord.h"
#include "site/site.h"

static json_t *iso_or_null(bool has, int64_t t, int tz)
{
    if (!has)
        return json_null();
    char buf[40];
    return json_string(clock_format_iso(t, tz, buf, sizeof buf));
}

static json_t *text_or_empty(const char *s)
{
    return json_string(s ? s : "");
}

json_t *site_json_static(const struct site *s, int tz)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(s->id));
    json_object_set_new(o, "name_zh", text_or_empty(s->name_zh));
    json_object_set_new(o, "name_en", text_or_empty(s->name_en));
    json_object_set_new(o, "type", text_or_empty(s->type_code));
    json_object_set_new(o, "tier", s->tier ? json_integer(s->tier) : json_null());
    json_object_set_new(o, "region",
                        s->region_code ? json_string(s->region_code) : json_null());
    json_object_set_new(o, "address_zh", text_or_empty(s->address_zh));
    json_object_set_new(o, "address_en", text_or_empty(s->address_en));
    json_object_set_new(o, "phone", text_or_empty(s->phone));
    json_object_set_new(o, "manager", text_or_empty(s->manager));
    json_object_set_new(o, "description", text_or_empty(s->description));
    json_object_set_new(o, "capacity",
                        s->has_capacity ? json_integer(s->capacity) : json_null());
    json_object_set_new(o, "status", text_or_empty(s->status));
    json_object_set_new(o, "status_reason",
                        s->status_reason ? json_string(s->status_reason) : json_null());
    json_object_set_new(o, "status_until", iso_or_null(s->has_until, s->status_until, tz));
    json_object_set_new(o, "public", json_boolean(s->is_public));
    json_object_set_new(o, "opening_hours", text_or_empty(s->opening_hours));
    json_t *am = json_array();
    for (size_t i = 0; i < s->namenities; i++)
        json_array_append_new(am, json_pack("{s:s, s:I}", "code", s->amenities[i].code,
                                            "count", (json_int_t)s->amenities[i].count));
    json_object_set_new(o, "amenities", am);
    json_t *ph = json_array();
    for (size_t i = 0; i < s->nphotos; i++)
        json_array_append_new(ph, json_string(s->photos[i]));
    json_object_set_new(o, "photos", ph);
    json_object_set_new(o, "demo", json_boolean(s->is_demo));
    json_object_set_new(o, "created_at", iso_or_null(true, s->created_at, tz));
    json_object_set_new(o, "updated_at", iso_or_null(true, s->updated_at, tz));
    return o;
}

json_t *site_nav_json(struct arena *a, const struct site *s)
{
    struct geo_point w = {s->lat, s->lon};
    struct geo_point g = geo_convert(w, GEO_WGS84, GEO_GCJ02);
    struct geo_point b = geo_convert(w, GEO_WGS84, GEO_BD09);
    const char *name = text_url_encode(a, s->name_zh ? s->name_zh : "");
    const char *addr = text_url_encode(a, s->address_zh ? s->address_zh : "");
    /* Amap wants lon,lat in GCJ-02; Baidu lat,lng in BD-09; Tencent
     * lat,lng in GCJ-02. */
    return json_pack(
        "{s:s, s:s, s:s}", "amap",
        arena_printf(a,
                     "https://uri.amap.com/marker?position=%.6f,%.6f&name=%s"
                     "&coordinate=gaode&callnative=1&src=warmharbor",
                     g.lon, g.lat, name),
        "baidu",
        arena_printf(a,
                     "https://api.map.baidu.com/marker?location=%.6f,%.6f&title=%s"
                     "&content=%s&coord_type=bd09ll&output=html&src=warmharbor",
                     b.lat, b.lon, name, addr),
        "tencent",
        arena_printf(a,
                     "https://apis.map.qq.com/uri/v1/marker?marker=coord:%.6f,%.6f;"
                     "title:%s;addr:%s&referer=warmharbor",
                     g.lat, g.lon, name, addr));
}

void site_json_dynamic(json_t *o, struct arena *a, const struct site *s,
                       const struct site_view *v)
{
    struct geo_point p = geo_convert((struct geo_point){s->lat, s->lon}, GEO_WGS84, v->datum);
    json_object_set_new(o, "position",
                        json_pack("{s:f, s:f, s:s}", "lat", p.lat, "lon", p.lon, "datum",
                                  geo_datum_name(v->datum)));
    bool open;
    int64_t next;
    site_open_at(s, v->cal, v->at, v->tz, &open, &next);
    json_object_set_new(o, "open", json_boolean(open));
    json_object_set_new(o, "next_change", iso_or_null(next >= 0, next, v->tz));
    json_object_set_new(o, "nav", site_nav_json(a, s));
}

json_t *site_json(struct arena *a, const struct site *s, const struct site_view *v)
{
    json_t *o = site_json_static(s, v->tz);
    site_json_dynamic(o, a, s, v);
    return o;
}

/* Properties GIS tools read as typed columns: scalars only; amenity codes
 * flattened to a comma list (the full list stays in "amenities"). */
json_t *site_feature(json_t *site)
{
    json_t *props = json_deep_copy(site);
    json_t *pos = json_object_get(site, "position");
    double lat = json_number_value(json_object_get(pos, "lat"));
    double lon = json_number_value(json_object_get(pos, "lon"));
    json_object_del(props, "position");
    json_t *am = json_object_get(props, "amenities");
    struct strbuf sb = STRBUF_INIT;
    size_t i;
    json_t *it;
    json_array_foreach(am, i, it)
    {
        if (i)
            strbuf_addch(&sb, ',');
        strbuf_adds(&sb, json_string_value(json_object_get(it, "code")));
    }
    json_object_set_new(props, "amenity_codes", json_string(sb.buf ? sb.buf : ""));
    strbuf_release(&sb);
    return json_pack("{s:s, s:O, s:{s:s, s:[f, f]}, s:o}", "type", "Feature", "id",
                     json_object_get(site, "id"), "geometry", "type", "Point", "coordinates",
                     lon, lat, "properties", props);
}

json_t *site_feature_collection(json_t *items)
{
    json_t *features = json_array();
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it)
        json_array_append_new(features, site_feature(it));
    return json_pack("{s:s, s:o}", "type", "FeatureCollection", "features", features);
}
