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
#include <string.h>

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

static void put_key(struct strbuf *sb, const char *key)
{
    strbuf_add(sb, ",\"", 2);
    strbuf_adds(sb, key);
    strbuf_add(sb, "\":", 2);
}

static void put_text(struct strbuf *sb, const char *key, const char *v)
{
    put_key(sb, key);
    strbuf_add_json_string(sb, v ? v : "");
}

static void put_iso(struct strbuf *sb, const char *key, bool has, int64_t t, int tz)
{
    char buf[40];
    put_key(sb, key);
    if (has) {
        strbuf_addch(sb, '"');
        strbuf_adds(sb, clock_format_iso(t, tz, buf, sizeof buf));
        strbuf_addch(sb, '"');
    } else
        strbuf_adds(sb, "null");
}

static const char *const field_names[SJ_COUNT] = {
    [SJ_ID] = "id",
    [SJ_NAME_ZH] = "name_zh",
    [SJ_NAME_EN] = "name_en",
    [SJ_TYPE] = "type",
    [SJ_TIER] = "tier",
    [SJ_REGION] = "region",
    [SJ_ADDRESS_ZH] = "address_zh",
    [SJ_ADDRESS_EN] = "address_en",
    [SJ_PHONE] = "phone",
    [SJ_MANAGER] = "manager",
    [SJ_DESCRIPTION] = "description",
    [SJ_CAPACITY] = "capacity",
    [SJ_STATUS] = "status",
    [SJ_STATUS_REASON] = "status_reason",
    [SJ_STATUS_UNTIL] = "status_until",
    [SJ_PUBLIC] = "public",
    [SJ_OPENING_HOURS] = "opening_hours",
    [SJ_AMENITIES] = "amenities",
    [SJ_PHOTOS] = "photos",
    [SJ_DEMO] = "demo",
    [SJ_CREATED_AT] = "created_at",
    [SJ_UPDATED_AT] = "updated_at",
    [SJ_POSITION] = "position",
    [SJ_OPEN] = "open",
    [SJ_NEXT_CHANGE] = "next_change",
    [SJ_DISTANCE_M] = "distance_m",
    [SJ_LIVE] = "live",
    [SJ_NAV] = "nav",
};

const char *site_json_field_name(int f)
{
    return f >= 0 && f < SJ_COUNT ? field_names[f] : NULL;
}

void site_json_amenity_head(struct strbuf *sb, const char *code)
{
    strbuf_add(sb, "{\"code\":", 8);
    strbuf_add_json_string(sb, code);
    strbuf_add(sb, ",\"count\":", 9);
}

int site_json_field_of(const char *name)
{
    for (int i = 0; i < SJ_COUNT; i++)
        if (strcmp(field_names[i], name) == 0)
            return i;
    return -1;
}

/* The one writer of the static fields: the cache keeps its output, and
 * the jansson form below is parsed from it, so the two cannot drift. The
 * id comes first and is always there, so every other field starts with a
 * comma. */
void site_json_static_parts(struct strbuf *sb, const struct site *s, int tz,
                            uint32_t off[SJ_STATIC + 1])
{
    size_t base = sb->len;
#define WANT(f) (off[f] = (uint32_t)(sb->len - base), 1)
    strbuf_adds(sb, "{\"id\":");
    strbuf_add_int(sb, s->id);
    if (WANT(SJ_NAME_ZH))
        put_text(sb, "name_zh", s->name_zh);
    if (WANT(SJ_NAME_EN))
        put_text(sb, "name_en", s->name_en);
    if (WANT(SJ_TYPE))
        put_text(sb, "type", s->type_code);
    if (WANT(SJ_TIER)) {
        put_key(sb, "tier");
        if (s->tier)
            strbuf_add_int(sb, s->tier);
        else
            strbuf_adds(sb, "null");
    }
    if (WANT(SJ_REGION)) {
        put_key(sb, "region");
        strbuf_add_json_string(sb, s->region_code);
    }
    if (WANT(SJ_ADDRESS_ZH))
        put_text(sb, "address_zh", s->address_zh);
    if (WANT(SJ_ADDRESS_EN))
        put_text(sb, "address_en", s->address_en);
    if (WANT(SJ_PHONE))
        put_text(sb, "phone", s->phone);
    if (WANT(SJ_MANAGER))
        put_text(sb, "manager", s->manager);
    if (WANT(SJ_DESCRIPTION))
        put_text(sb, "description", s->description);
    if (WANT(SJ_CAPACITY)) {
        put_key(sb, "capacity");
        if (s->has_capacity)
            strbuf_add_int(sb, s->capacity);
        else
            strbuf_adds(sb, "null");
    }
    if (WANT(SJ_STATUS))
        put_text(sb, "status", s->status);
    if (WANT(SJ_STATUS_REASON)) {
        put_key(sb, "status_reason");
        strbuf_add_json_string(sb, s->status_reason);
    }
    if (WANT(SJ_STATUS_UNTIL))
        put_iso(sb, "status_until", s->has_until, s->status_until, tz);
    if (WANT(SJ_PUBLIC))
        strbuf_adds(sb, s->is_public ? ",\"public\":true" : ",\"public\":false");
    if (WANT(SJ_OPENING_HOURS))
        put_text(sb, "opening_hours", s->opening_hours);
    if (WANT(SJ_AMENITIES)) {
        strbuf_adds(sb, ",\"amenities\":[");
        for (size_t i = 0; i < s->namenities; i++) {
            if (i)
                strbuf_addch(sb, ',');
            site_json_amenity_head(sb, s->amenities[i].code);
            strbuf_add_int(sb, s->amenities[i].count);
            strbuf_addch(sb, '}');
        }
        strbuf_addch(sb, ']');
    }
    if (WANT(SJ_PHOTOS)) {
        strbuf_adds(sb, ",\"photos\":[");
        for (size_t i = 0; i < s->nphotos; i++) {
            if (i)
                strbuf_addch(sb, ',');
            strbuf_add_json_string(sb, s->photos[i]);
        }
        strbuf_addch(sb, ']');
    }
    if (WANT(SJ_DEMO))
        strbuf_adds(sb, s->is_demo ? ",\"demo\":true" : ",\"demo\":false");
    if (WANT(SJ_CREATED_AT))
        put_iso(sb, "created_at", true, s->created_at, tz);
    if (WANT(SJ_UPDATED_AT))
        put_iso(sb, "updated_at", true, s->updated_at, tz);
    off[SJ_STATIC] = (uint32_t)(sb->len - base);
#undef WANT
}

void site_json_static_text(struct strbuf *sb, const struct site *s, int tz)
{
    uint32_t off[SJ_STATIC + 1];
    site_json_static_parts(sb, s, tz, off);
    strbuf_addch(sb, '}');
}

static json_t *parse_own(struct strbuf *sb)
{
    json_t *o = json_loadb(sb->buf, sb->len, 0, NULL);
    strbuf_release(sb);
    if (!o)
        die_oom(); /* our own output is always valid JSON */
    return o;
}

json_t *site_json_static(const struct site *s, int tz)
{
    struct strbuf sb = STRBUF_INIT;
    site_json_static_text(&sb, s, tz);
    return parse_own(&sb);
}

void site_nav_pack(struct strbuf *sb, struct arena *a, const struct site *s)
{
    struct geo_point w = {s->lat, s->lon};
    struct geo_point g = geo_convert(w, GEO_WGS84, GEO_GCJ02);
    struct geo_point b = geo_convert(w, GEO_WGS84, GEO_BD09);
    const double parts[] = {g.lon, g.lat, b.lat, b.lon};
    for (size_t i = 0; i < 4; i++) {
        strbuf_add_6f(sb, parts[i]); /* "%.6f" */
        strbuf_addch(sb, '\0');
    }
    strbuf_adds(sb, text_url_encode(a, s->name_zh ? s->name_zh : ""));
    strbuf_addch(sb, '\0');
}

/* Append the n bytes at s at w; the end. */
static char *put(char *w, const char *s, size_t n)
{
    memcpy(w, s, n);
    return w + n;
}

#define PUT_LIT(w, lit) put((w), (lit), sizeof(lit) - 1)

void site_nav_unpack(struct strbuf *sb, const char *packed)
{
    /* This runs for every site of every map answer: the parts' lengths are
     * taken once, room is made once and the text written in place. */
    static const char amap[] = "{\"amap\":\"https://uri.amap.com/navigation?to=";
    static const char baidu[] =
        "&mode=ride&coordinate=gaode&callnative=1&src=warmharbor\","
        "\"baidu\":\"https://api.map.baidu.com/direction?destination=latlng:";
    static const char tencent[] =
        "&mode=riding&coord_type=bd09ll&output=html&src=warmharbor\","
        "\"tencent\":\"https://apis.map.qq.com/uri/v1/routeplan?type=bike&to=";
    const char *p[5];
    size_t n[5];
    for (int i = 0; i < 5; i++) {
        p[i] = packed;
        n[i] = strlen(packed);
        packed += n[i] + 1;
    }
    enum { G_LON, G_LAT, B_LAT, B_LON, NAME };
    strbuf_grow(sb, sizeof amap + sizeof baidu + sizeof tencent + 64 + 2 * (n[G_LON] + n[G_LAT]) +
                        n[B_LAT] + n[B_LON] + 3 * n[NAME]);
    char *w = sb->buf + sb->len;
    w = PUT_LIT(w, amap);
    w = put(w, p[G_LON], n[G_LON]);
    *w++ = ',';
    w = put(w, p[G_LAT], n[G_LAT]);
    *w++ = ',';
    w = put(w, p[NAME], n[NAME]);
    w = PUT_LIT(w, baidu);
    w = put(w, p[B_LAT], n[B_LAT]);
    *w++ = ',';
    w = put(w, p[B_LON], n[B_LON]);
    w = PUT_LIT(w, "|name:");
    w = put(w, p[NAME], n[NAME]);
    w = PUT_LIT(w, tencent);
    w = put(w, p[NAME], n[NAME]);
    w = PUT_LIT(w, "&tocoord=");
    w = put(w, p[G_LAT], n[G_LAT]);
    *w++ = ',';
    w = put(w, p[G_LON], n[G_LON]);
    w = PUT_LIT(w, "&referer=warmharbor\"}");
    sb->len = (size_t)(w - sb->buf);
    sb->buf[sb->len] = '\0';
}

/* One tap to go: each vendor's route link, from where the phone is (no
 * origin given: the vendor's page or app starts from the current
 * position) to the site, by bike - riders and couriers ride e-bikes; a
 * driver picks the car in the vendor's app. Amap wants lon,lat in GCJ-02
 * (coordinate=gaode); Baidu lat,lng in BD-09 (coord_type=bd09ll); Tencent
 * lat,lng in GCJ-02. The encoded parts need no JSON escaping. */
void site_nav_text(struct strbuf *sb, struct arena *a, const struct site *s)
{
    struct strbuf packed = STRBUF_INIT;
    site_nav_pack(&packed, a, s);
    site_nav_unpack(sb, packed.buf);
    strbuf_release(&packed);
}

json_t *site_nav_json(struct arena *a, const struct site *s)
{
    struct strbuf sb = STRBUF_INIT;
    site_nav_text(&sb, a, s);
    return parse_own(&sb);
}

void site_json_dynamic(json_t *o, struct arena *a, const struct site *s, const struct site_view *v)
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
                     json_object_get(site, "id"), "geometry", "type", "Point", "coordinates", lon,
                     lat, "properties", props);
}

json_t *site_feature_collection(json_t *items)
{
    json_t *features = json_array();
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it) json_array_append_new(features, site_feature(it));
    return json_pack("{s:s, s:o}", "type", "FeatureCollection", "features", features);
}
