/*
 * service_http.c - the service catalogue's own API (JSON, zh and en side
 * by side) and the module:
 *   GET    /api/services
 * ?near=LAT,LON&datum=&category=&site=&organization=&status=&q=&limit=&offset=
 *   GET    /api/services/{id}              ?at=&datum=  with its locations,
 * open now or not GET    /api/sites/{id}/services        ?at=&category=  for
 * the map's site sheet GET    /api/organizations ?q=&limit=&offset= GET
 * /api/organizations/{code}       with its services GET /api/service-categories
 * the taxonomy tree POST   /api/organizations              system admins PATCH
 * /api/organizations/{code}       its providers, system admins POST
 * /api/services                   providers of the body's organization, system
 * admins PATCH  /api/services/{id}, DELETE      the service's providers, system
 * admins PUT    /api/services/{id}/locations/{site}, DELETE   the same
 * Providers hold a grant of kind "organization" naming the organization's
 * code; the scope resolvers below find it for a service or organization
 * in the path, so a provider of one organization is 403 out_of_scope on
 * every other organization's objects, whatever their ids. The HSDS 3.0
 * routes (/hsds/...) are in service_hsds.c, the demo data in
 * service_demo.c.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "calendar/calendar.h"
#include "core/clock.h"
#include "core/text.h"
#include "geo/coord.h"
#include "http/json_in.h"
#include "service/service.h"
#include "store/store.h"

#define PROVIDERS (ROLE_PROVIDER | ACCESS_SYSTEM)
/* Text fields are read generously; service_check applies the limits. */
#define TEXT_MAX 8192

/* ---- rendering ----------------------------------------------------------- */

static json_t *iso_or_null(int64_t t, bool set, int tz)
{
    char buf[40];
    return set ? json_string(clock_format_iso(t, tz, buf, sizeof buf)) : json_null();
}

static json_t *languages_json(const char *list)
{
    json_t *a = json_array();
    const char *p = list ? list : "";
    while (*p) {
        size_t n = strcspn(p, ",");
        json_array_append_new(a, json_stringn(p, n));
        p += n + (p[n] == ',');
    }
    return a;
}

/* A service as the lists show it; details add the required documents. */
static json_t *service_json(struct req *r, const struct service *s, bool details)
{
    int tz = r->app->cfg.tz_offset_min;
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(s->id));
    json_object_set_new(o, "hsds_id", s->uuid ? json_string(s->uuid) : json_null());
    json_object_set_new(o, "organization",
                        json_pack("{s:s, s:s, s:s}", "code", s->org.code, "name_zh", s->org.name_zh,
                                  "name_en", s->org.name_en));
    json_object_set_new(o, "category",
                        json_pack("{s:s, s:s, s:s}", "code", s->category.code, "name_zh",
                                  s->category.name_zh, "name_en", s->category.name_en));
    static const char *const texts[] = {"name_zh",        "name_en",        "description_zh",
                                        "description_en", "eligibility_zh", "eligibility_en",
                                        "fees_zh",        "fees_en"};
    const char *values[] = {s->name_zh,        s->name_en,        s->description_zh,
                            s->description_en, s->eligibility_zh, s->eligibility_en,
                            s->fees_zh,        s->fees_en};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        json_object_set_new(o, texts[i], json_string(values[i] ? values[i] : ""));
    json_object_set_new(o, "free", json_boolean(s->free));
    json_object_set_new(o, "languages", languages_json(s->languages));
    json_object_set_new(o, "phone", json_string(s->phone));
    json_object_set_new(o, "email", json_string(s->email));
    json_object_set_new(o, "url", json_string(s->url));
    json_object_set_new(o, "contact_name", json_string(s->contact_name));
    json_object_set_new(o, "requires_verified", json_boolean(s->requires_verified));
    json_object_set_new(o, "status", json_string(s->status));
    json_object_set_new(o, "created_at", iso_or_null(s->created_at, true, tz));
    json_object_set_new(o, "updated_at", iso_or_null(s->updated_at, true, tz));
    if (details) {
        json_t *docs = json_array();
        for (size_t i = 0; i < s->ndocuments; i++)
            json_array_append_new(docs, json_pack("{s:s, s:s}", "zh", s->documents[i].zh, "en",
                                                  s->documents[i].en ? s->documents[i].en : ""));
        json_object_set_new(o, "required_documents", docs);
    }
    return o;
}

static json_t *organization_json(struct req *r, const struct organization *o)
{
    int tz = r->app->cfg.tz_offset_min;
    json_t *j =
        json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "code", o->code, "hsds_id",
                  o->uuid, "name_zh", o->name_zh, "name_en", o->name_en, "description_zh",
                  o->description_zh, "description_en", o->description_en, "phone", o->phone,
                  "email", o->email, "website", o->website, "contact_name", o->contact_name);
    json_object_set_new(j, "created_at", iso_or_null(o->created_at, true, tz));
    json_object_set_new(j, "updated_at", iso_or_null(o->updated_at, true, tz));
    return j;
}

/* The moment, the calendar around it, and the datum of positions. */
struct view {
    int64_t at;
    int tz;
    enum geo_datum datum;
    struct hours_calendar cal;
};

static int view_or_reply(struct req *r, struct store_conn *c, struct view *v)
{
    v->tz = r->app->cfg.tz_offset_min;
    v->at = clock_now();
    v->datum = GEO_WGS84;
    const char *a = req_query(r, "at");
    if (a && clock_parse_iso(a, v->tz, &v->at))
        return reply_error(r, 400, "invalid_query", "at",
                           "at must be an ISO-8601 time like "
                           "2026-10-01T08:30:00+08:00"),
               -1;
    const char *d = req_query(r, "datum");
    if (d && geo_datum_parse(d, &v->datum))
        return reply_error(r, 400, "invalid_query", "datum", "datum is wgs84, gcj02 or bd09"), -1;
    if (!c)
        return 0;
    int rc = calendar_load(c, &r->arena, v->at, v->tz, &v->cal);
    if (rc)
        return reply_store_error(r, rc, "holiday calendar"), -1;
    return 0;
}

static json_t *position_json(const struct service_site *s, enum geo_datum datum)
{
    struct geo_point p = geo_convert((struct geo_point){s->lat, s->lon}, GEO_WGS84, datum);
    return json_pack("{s:f, s:f, s:s}", "lat", round(p.lat * 1e7) / 1e7, "lon",
                     round(p.lon * 1e7) / 1e7, "datum", geo_datum_name(datum));
}

static json_t *site_brief_json(const struct service_site *s, const struct view *v)
{
    json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s}", "id", (json_int_t)s->id, "name_zh",
                          s->name_zh, "name_en", s->name_en, "type", s->type_code, "address_zh",
                          s->address_zh, "address_en", s->address_en, "status", s->status);
    json_object_set_new(o, "position", position_json(s, v->datum));
    return o;
}

/* The hours, notes and open state of a service at a location, into o. */
static void location_fields(json_t *o, const struct service *s, const struct service_location *l,
                            const struct view *v)
{
    bool open;
    int64_t next;
    service_location_open_at(s, l, &v->cal, v->at, v->tz, &open, &next);
    json_object_set_new(o, "hsds_id", json_string(l->uuid));
    json_object_set_new(o, "opening_hours", json_string(l->opening_hours));
    json_object_set_new(o, "note_zh", json_string(l->note_zh));
    json_object_set_new(o, "note_en", json_string(l->note_en));
    json_object_set_new(o, "open", json_boolean(open));
    json_object_set_new(o, "next_change", iso_or_null(next, next >= 0, v->tz));
}

static json_t *location_json(const struct service *s, const struct service_location *l,
                             const struct view *v)
{
    json_t *o = json_object();
    json_object_set_new(o, "site", site_brief_json(&l->site, v));
    location_fields(o, s, l, v);
    return o;
}

/* ---- reading requests ---------------------------------------------------- */

/* ?category=: the subtree's LIKE pattern; 0, or -1 after replying 400. */
static int category_query_or_reply(struct req *r, struct store_conn *c, const char *code,
                                   const char **path)
{
    *path = NULL;
    if (!code)
        return 0;
    struct service_category cat;
    int rc = text_is_code(code) ? category_get(c, &r->arena, code, &cat) : STORE_NOT_FOUND;
    if (rc == STORE_NOT_FOUND)
        return reply_error(r, 400, "invalid_query", "category", "no category has code %.64s", code),
               -1;
    if (rc)
        return reply_store_error(r, rc, "category"), -1;
    *path = arena_printf(&r->arena, "%s%%", cat.path);
    return 0;
}

static int status_query_or_reply(struct req *r, const char **status)
{
    *status = req_query(r, "status");
    if (*status && !service_status_is_valid(*status))
        return reply_error(r, 400, "invalid_query", "status",
                           "status is active, inactive, temporarily_closed or defunct"),
               -1;
    return 0;
}

/* A string field that may be null (null clears it to ""). */
static int text_field(struct req *r, json_t *body, const char *name, const char **out)
{
    const char *v = *out;
    int rc = json_in_nullable_string(r, body, NULL, name, TEXT_MAX, &v);
    if (rc > 0)
        *out = v ? v : "";
    return rc;
}

static int documents_or_reply(struct req *r, json_t *body, struct service *s)
{
    json_t *docs = json_object_get(body, "required_documents");
    if (!docs)
        return 0;
    if (json_is_null(docs)) {
        s->ndocuments = 0;
        return 0;
    }
    if (!json_is_array(docs))
        return reply_error(r, 422, "invalid_field", "required_documents",
                           "required_documents must be a list of {zh, en}"),
               -1;
    if (json_array_size(docs) > SERVICE_MAX_DOCUMENTS)
        return reply_error(r, 422, "invalid_field", "required_documents", "at most %d documents",
                           SERVICE_MAX_DOCUMENTS),
               -1;
    static const char *const doc_fields[] = {"zh", "en", NULL};
    s->ndocuments = json_array_size(docs);
    s->documents = arena_calloc(&r->arena, s->ndocuments + 1, sizeof(*s->documents));
    for (size_t i = 0; i < s->ndocuments; i++) {
        json_t *d = json_array_get(docs, i);
        const char *prefix = arena_printf(&r->arena, "required_documents[%zu]", i);
        s->documents[i].zh = "";
        s->documents[i].en = "";
        if (json_in_object_or_reply(r, d, prefix) ||
            json_in_only_or_reply(r, d, prefix, doc_fields) ||
            json_in_string(r, d, prefix, "zh", TEXT_MAX, true, &s->documents[i].zh) < 0 ||
            json_in_string(r, d, prefix, "en", TEXT_MAX, false, &s->documents[i].en) < 0)
            return -1;
    }
    return 0;
}

static int languages_or_reply(struct req *r, json_t *body, struct service *s)
{
    json_t *langs = json_object_get(body, "languages");
    if (!langs)
        return 0;
    if (!json_is_array(langs) || json_array_size(langs) > SERVICE_MAX_LANGUAGES)
        return reply_error(r, 422, "invalid_field", "languages",
                           "languages is a list of at most %d ISO 639 codes, "
                           "like [\"zh\", "
                           "\"en\"]",
                           SERVICE_MAX_LANGUAGES),
               -1;
    char *joined = arena_alloc(&r->arena, json_array_size(langs) * 8 + 1);
    for (size_t i = 0; i < json_array_size(langs); i++) {
        json_t *v = json_array_get(langs, i);
        const char *code = json_string_value(v);
        if (!code || !service_language_is_valid(code))
            return reply_error(r, 422, "invalid_field",
                               arena_printf(&r->arena, "languages[%zu]", i),
                               "languages are ISO 639 codes of 2 or 3 "
                               "lower-case letters"),
                   -1;
        if (i)
            strcat(joined, ",");
        strcat(joined, code);
    }
    s->languages = joined;
    return 0;
}

static const char *const service_fields[] = {"organization",
                                             "category",
                                             "name_zh",
                                             "name_en",
                                             "description_zh",
                                             "description_en",
                                             "eligibility_zh",
                                             "eligibility_en",
                                             "required_documents",
                                             "fees_zh",
                                             "fees_en",
                                             "free",
                                             "languages",
                                             "phone",
                                             "email",
                                             "url",
                                             "contact_name",
                                             "requires_verified",
                                             "status",
                                             NULL};

/* Apply the body's fields onto s (a new service's defaults, or the stored
 * one for a patch); *org_changed tells whether the organization was named. */
static int service_body_or_reply(struct req *r, json_t *body, struct service *s)
{
    static const char *const texts[] = {"name_zh",
                                        "name_en",
                                        "description_zh",
                                        "description_en",
                                        "eligibility_zh",
                                        "eligibility_en",
                                        "fees_zh",
                                        "fees_en",
                                        "phone",
                                        "email",
                                        "url",
                                        "contact_name"};
    const char **slots[] = {&s->name_zh,
                            &s->name_en,
                            &s->description_zh,
                            &s->description_en,
                            &s->eligibility_zh,
                            &s->eligibility_en,
                            &s->fees_zh,
                            &s->fees_en,
                            &s->phone,
                            &s->email,
                            &s->url,
                            &s->contact_name};
    if (json_in_only_or_reply(r, body, NULL, service_fields) ||
        json_in_string(r, body, NULL, "organization", 64, false, &s->org.code) < 0 ||
        json_in_string(r, body, NULL, "category", 64, false, &s->category.code) < 0 ||
        json_in_string(r, body, NULL, "status", 32, false, &s->status) < 0 ||
        json_in_bool(r, body, NULL, "free", false, &s->free) < 0 ||
        json_in_bool(r, body, NULL, "requires_verified", false, &s->requires_verified) < 0 ||
        documents_or_reply(r, body, s) || languages_or_reply(r, body, s))
        return -1;
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        if (text_field(r, body, texts[i], slots[i]) < 0)
            return -1;
    struct service_fault f;
    if (service_check(s, &f))
        return reply_error(r, 422, f.code, f.field, "%s", f.message), -1;
    return 0;
}

static const char *const org_fields[] = {"code",           "name_zh", "name_en", "description_zh",
                                         "description_en", "phone",   "email",   "website",
                                         "contact_name",   NULL};

static int organization_body_or_reply(struct req *r, json_t *body, struct organization *o,
                                      bool create)
{
    static const char *const texts[] = {"name_zh", "name_en", "description_zh", "description_en",
                                        "phone",   "email",   "website",        "contact_name"};
    const char **slots[] = {&o->name_zh, &o->name_en, &o->description_zh, &o->description_en,
                            &o->phone,   &o->email,   &o->website,        &o->contact_name};
    const char *code = NULL;
    if (json_in_only_or_reply(r, body, NULL, org_fields) ||
        json_in_string(r, body, NULL, "code", 64, create, &code) < 0)
        return -1;
    if (create)
        o->code = code;
    else if (code && strcmp(code, o->code) != 0)
        return reply_error(r, 422, "invalid_field", "code",
                           "an organization's code cannot change (grants name it)"),
               -1;
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        if (text_field(r, body, texts[i], slots[i]) < 0)
            return -1;
    struct service_fault f;
    if (organization_check(o, &f))
        return reply_error(r, 422, f.code, f.field, "%s", f.message), -1;
    return 0;
}

/* ---- scope --------------------------------------------------------------- */

static int service_id_or_reply(struct req *r, int64_t *id)
{
    return req_param_id_or_reply(r, "id", "service", id);
}

/* {id} is a service: providers must hold a grant on its organization. */
static int resolve_service(struct req *r, struct scope_target *t)
{
    int64_t id;
    struct store_conn *c;
    if (service_id_or_reply(r, &id) || !(c = req_store_or_reply(r)))
        return -1;
    int rc = service_org_code(c, &r->arena, id, &t->org_code);
    if (rc)
        return reply_store_error(r, rc, "service"), -1;
    return 0;
}

/* {code} is an organization: providers must hold a grant on it. */
static int resolve_organization(struct req *r, struct scope_target *t)
{
    const char *code = req_param(r, "code");
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return -1;
    struct organization o;
    int rc =
        code && text_is_code(code) ? organization_get(c, &r->arena, code, &o) : STORE_NOT_FOUND;
    if (rc)
        return reply_store_error(r, rc, "organization"), -1;
    t->org_code = o.code;
    return 0;
}

const struct route_scope service_scope_path = {"service", resolve_service};
const struct route_scope organization_scope_path = {"organization", resolve_organization};

/* ---- services: reads ----------------------------------------------------- */

struct near_hit {
    const struct service *s;
    const struct service_site *site;
    double d;
};

static int near_cmp(const void *a, const void *b)
{
    const struct near_hit *x = a, *y = b;
    if (x->d != y->d)
        return x->d < y->d ? -1 : 1;
    return (x->s->id > y->s->id) - (x->s->id < y->s->id);
}

/* Nearest first: every location of the matching services, the nearest one
 * of each service, sorted by distance. */
static int list_near(struct req *r, struct store_conn *c, struct service_query *q,
                     struct geo_point here)
{
    int64_t limit = q->limit, offset = q->offset;
    q->limit = 0;
    q->offset = 0;
    struct service *svcs;
    struct service_location *locs;
    size_t n;
    int rc = location_search(c, &r->arena, q, true, &svcs, &locs, &n, NULL);
    if (rc)
        return reply_store_error(r, rc, "service");
    struct near_hit *hits = arena_calloc(&r->arena, n ? n : 1, sizeof(*hits));
    size_t nh = 0;
    for (size_t i = 0; i < n; i++) {
        double d = geo_distance_m(here, (struct geo_point){locs[i].site.lat, locs[i].site.lon});
        /* Rows come ordered by service: keep the nearest location of each. */
        if (nh && hits[nh - 1].s->id == svcs[i].id) {
            if (d < hits[nh - 1].d)
                hits[nh - 1] = (struct near_hit){&svcs[i], &locs[i].site, d};
            continue;
        }
        hits[nh++] = (struct near_hit){&svcs[i], &locs[i].site, d};
    }
    qsort(hits, nh, sizeof(*hits), near_cmp);
    json_t *items = json_array();
    for (size_t i = (size_t)offset; i < nh && i < (size_t)(offset + limit); i++) {
        json_t *o = service_json(r, hits[i].s, false);
        json_object_set_new(o, "distance_m", json_integer((json_int_t)llround(hits[i].d)));
        json_object_set_new(o, "nearest_site",
                            json_pack("{s:I, s:s, s:s}", "id", (json_int_t)hits[i].site->id,
                                      "name_zh", hits[i].site->name_zh, "name_en",
                                      hits[i].site->name_en));
        json_array_append_new(items, o);
    }
    return reply_json(r, 200, json_pack("{s:o, s:I}", "items", items, "total", (json_int_t)nh));
}

static int list_services(struct req *r)
{
    struct service_query q = {0};
    int64_t site = 0;
    const char *near = req_query(r, "near"), *org = req_query(r, "organization");
    const char *text = req_query(r, "q");
    struct view v;
    if (req_query_int_or_reply(r, "limit", 1, 100, 20, &q.limit) ||
        req_query_int_or_reply(r, "offset", 0, 1000000, 0, &q.offset) ||
        req_query_int_or_reply(r, "site", 1, INT64_MAX, 0, &site) ||
        status_query_or_reply(r, &q.status) || view_or_reply(r, NULL, &v))
        return r->status;
    double lat = 0, lon = 0;
    if (near && service_parse_near(near, &lat, &lon))
        return reply_error(r, 400, "invalid_query", "near",
                           "near is LAT,LON in decimal degrees, like 34.575,119.2");
    if (text && strlen(text) > 200)
        return reply_error(r, 400, "invalid_query", "q", "q may be at most 200 bytes");
    struct store_conn *c = req_store_or_reply(r);
    if (!c || category_query_or_reply(r, c, req_query(r, "category"), &q.category_path))
        return r->status;
    if (org) {
        struct organization o;
        int rc = text_is_code(org) ? organization_get(c, &r->arena, org, &o) : STORE_NOT_FOUND;
        if (rc == STORE_NOT_FOUND)
            return reply_error(r, 400, "invalid_query", "organization",
                               "no organization has code %.64s", org);
        if (rc)
            return reply_store_error(r, rc, "organization");
        q.organization_id = o.id;
    }
    q.site_id = site;
    q.text = text && *text ? text_like_contains(&r->arena, text) : NULL;
    if (near) {
        struct geo_point w = geo_convert((struct geo_point){lat, lon}, v.datum, GEO_WGS84);
        return list_near(r, c, &q, w);
    }
    struct service *svcs;
    size_t n;
    int64_t total;
    int rc = service_search(c, &r->arena, &q, &svcs, &n, &total);
    if (rc)
        return reply_store_error(r, rc, "service");
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, service_json(r, &svcs[i], false));
    return reply_json(r, 200, json_pack("{s:o, s:I}", "items", items, "total", (json_int_t)total));
}

/* One service with its locations, each open at the view's moment or not. */
static json_t *service_detail_json(struct req *r, struct store_conn *c, const struct service *s,
                                   const struct view *v, int *rc)
{
    struct service_location *locs;
    size_t n;
    *rc = location_list(c, &r->arena, s->id, &locs, &n);
    if (*rc)
        return NULL;
    json_t *o = service_json(r, s, true);
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, location_json(s, &locs[i], v));
    json_object_set_new(o, "locations", items);
    return o;
}

static int get_service(struct req *r)
{
    int64_t id;
    struct view v;
    if (service_id_or_reply(r, &id))
        return r->status;
    struct store_conn *c = req_store_or_reply(r);
    if (!c || view_or_reply(r, c, &v))
        return r->status;
    struct service s;
    int rc = service_get(c, &r->arena, id, &s);
    json_t *o = rc ? NULL : service_detail_json(r, c, &s, &v, &rc);
    if (rc)
        return reply_store_error(r, rc, "service");
    return reply_json(r, 200, o);
}

/* The services offered at a site, for the map's site sheet: each with its
 * hours there and whether it is open. */
static int site_services(struct req *r)
{
    int64_t site_id;
    struct view v;
    if (req_param_id_or_reply(r, "id", "site", &site_id))
        return r->status;
    struct store_conn *c = req_store_or_reply(r);
    struct service_query q = {0};
    if (!c || view_or_reply(r, c, &v) ||
        category_query_or_reply(r, c, req_query(r, "category"), &q.category_path) ||
        status_query_or_reply(r, &q.status))
        return r->status;
    struct service_site site;
    int rc = service_site_get(c, &r->arena, site_id, &site);
    if (rc)
        return reply_store_error(r, rc, "site");
    q.site_id = site_id;
    struct service *svcs;
    struct service_location *locs;
    size_t n;
    rc = location_search(c, &r->arena, &q, false, &svcs, &locs, &n, NULL);
    if (rc)
        return reply_store_error(r, rc, "service");
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++) {
        if (locs[i].site.id != site_id)
            continue; /* the service's other locations */
        json_t *o = service_json(r, &svcs[i], false);
        location_fields(o, &svcs[i], &locs[i], &v);
        json_array_append_new(items, o);
    }
    return reply_json(r, 200,
                      json_pack("{s:o, s:o}", "site", site_brief_json(&site, &v), "items", items));
}

static json_t *categories_tree(struct req *r, const struct service_category *cats, size_t n,
                               const char *parent)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        const struct service_category *c = &cats[i];
        if (parent ? !c->parent_code || strcmp(c->parent_code, parent) != 0
                   : c->parent_code != NULL)
            continue;
        json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "code", c->code, "hsds_id",
                              service_uuidf(&r->arena, "taxonomy_term:%s", c->code), "name_zh",
                              c->name_zh, "name_en", c->name_en, "description_zh",
                              c->description_zh, "description_en", c->description_en);
        json_object_set_new(o, "children", categories_tree(r, cats, n, c->code));
        json_array_append_new(a, o);
    }
    return a;
}

static int list_categories(struct req *r)
{
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    struct service_category *cats;
    size_t n;
    int rc = category_list(c, &r->arena, &cats, &n);
    if (rc)
        return reply_store_error(r, rc, "category");
    return reply_json(r, 200, json_pack("{s:o}", "items", categories_tree(r, cats, n, NULL)));
}

/* ---- services: writes ---------------------------------------------------- */

struct service_write {
    struct arena *arena;
    struct service *s;
    struct service_fault fault;
    bool create;
};

static int service_write_tx(struct store_conn *c, void *v)
{
    struct service_write *w = v;
    int64_t now = clock_now();
    return w->create ? service_insert(c, w->arena, w->s, now, &w->fault)
                     : service_update(c, w->arena, w->s, now, &w->fault);
}

/* Run the write and answer with the stored service. */
static int service_write_or_reply(struct req *r, struct store_conn *c, struct service *s,
                                  const struct view *v, bool create)
{
    struct service_write w = {&r->arena, s, {0}, create};
    int rc = req_tx(r, c, service_write_tx, &w);
    if (rc == SERVICE_INVALID)
        return reply_error(r, 422, w.fault.code, w.fault.field, "%s", w.fault.message);
    if (rc)
        return reply_store_error(r, rc, "service");
    app_changed(r->app, c, &service_module, SERVICE_CHANGED, s->id);
    struct service stored;
    rc = service_get(c, &r->arena, s->id, &stored);
    json_t *o = rc ? NULL : service_detail_json(r, c, &stored, v, &rc);
    if (rc)
        return reply_store_error(r, rc, "service");
    if (create) {
        char loc[64];
        snprintf(loc, sizeof loc, "/api/services/%lld", (long long)s->id);
        reply_header(r, "Location", loc);
    }
    return reply_json(r, create ? 201 : 200, o);
}

static int post_service(struct req *r)
{
    struct service s;
    service_defaults(&s);
    if (service_body_or_reply(r, r->json, &s))
        return r->status;
    /* The organization is in the body: the caller must reach it. */
    if (!req_reaches(r, ROLE_PROVIDER, &(struct scope_target){0, NULL, s.org.code}))
        return reply_error(r, 403, "out_of_scope", NULL, "your roles do not reach organization %s",
                           s.org.code);
    struct store_conn *c = req_store_or_reply(r);
    struct view v;
    if (!c || view_or_reply(r, c, &v))
        return r->status;
    return service_write_or_reply(r, c, &s, &v, true);
}

static int patch_service(struct req *r)
{
    int64_t id;
    if (service_id_or_reply(r, &id))
        return r->status;
    struct store_conn *c = req_store_or_reply(r);
    struct view v;
    if (!c || view_or_reply(r, c, &v))
        return r->status;
    struct service s;
    int rc = service_get(c, &r->arena, id, &s);
    if (rc)
        return reply_store_error(r, rc, "service");
    const char *was = s.org.code;
    if (service_body_or_reply(r, r->json, &s))
        return r->status;
    /* Moving a service to another organization: the caller must reach
     * that one too (the resolver checked the one it had). */
    if (strcmp(was, s.org.code) != 0 &&
        !req_reaches(r, ROLE_PROVIDER, &(struct scope_target){0, NULL, s.org.code}))
        return reply_error(r, 403, "out_of_scope", "organization",
                           "your roles do not reach organization %s", s.org.code);
    return service_write_or_reply(r, c, &s, &v, false);
}

struct delete_ctx {
    int64_t service_id, site_id;
};

static int delete_service_tx(struct store_conn *c, void *v)
{
    return service_delete(c, ((struct delete_ctx *)v)->service_id);
}

static int delete_service(struct req *r)
{
    struct delete_ctx d = {0, 0};
    if (service_id_or_reply(r, &d.service_id))
        return r->status;
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    int rc = req_tx(r, c, delete_service_tx, &d);
    if (rc == SERVICE_IN_USE)
        return reply_error(r, 409, "service_in_use", NULL,
                           "offerings still name service %lld: remove them or move them to "
                           "another service first",
                           (long long)d.service_id);
    if (rc)
        return reply_store_error(r, rc, "service");
    app_changed(r->app, c, &service_module, SERVICE_CHANGED, d.service_id);
    return reply_empty(r, 204);
}

/* ---- services at sites --------------------------------------------------- */

struct location_write {
    struct service_location *l;
    bool created;
};

static int location_write_tx(struct store_conn *c, void *v)
{
    struct location_write *w = v;
    return location_put(c, w->l, clock_now(), &w->created);
}

static const char *const location_fields_in[] = {"opening_hours", "note_zh", "note_en", NULL};

static int put_location(struct req *r)
{
    int64_t id, site_id;
    struct service_location l;
    memset(&l, 0, sizeof l);
    l.note_zh = l.note_en = "";
    if (service_id_or_reply(r, &id) || req_param_id_or_reply(r, "site", "site", &site_id) ||
        json_in_only_or_reply(r, r->json, NULL, location_fields_in) ||
        json_in_string(r, r->json, NULL, "opening_hours", HOURS_MAX_LEN, true, &l.opening_hours) <
            0 ||
        text_field(r, r->json, "note_zh", &l.note_zh) < 0 ||
        text_field(r, r->json, "note_en", &l.note_en) < 0)
        return r->status;
    struct service_fault f;
    if (service_hours_check(l.opening_hours, &f))
        return reply_error(r, 422, f.code, f.field, "%s", f.message);
    if (strlen(l.note_zh) > 500 || strlen(l.note_en) > 500)
        return reply_error(r, 422, "too_long", strlen(l.note_zh) > 500 ? "note_zh" : "note_en",
                           "a note may be at most 500 bytes");
    struct store_conn *c = req_store_or_reply(r);
    struct view v;
    if (!c || view_or_reply(r, c, &v))
        return r->status;
    struct service s;
    int rc = service_get(c, &r->arena, id, &s);
    if (rc)
        return reply_store_error(r, rc, "service");
    rc = service_site_get(c, &r->arena, site_id, &l.site);
    if (rc)
        return reply_store_error(r, rc, "site");
    l.service_id = id;
    l.uuid = service_uuidf(&r->arena, "service_at_location:%lld:%lld", (long long)id,
                           (long long)site_id);
    struct location_write w = {&l, false};
    rc = req_tx(r, c, location_write_tx, &w);
    if (rc)
        return reply_store_error(r, rc, "site");
    app_changed(r->app, c, &service_module, SERVICE_CHANGED, id);
    return reply_json(r, w.created ? 201 : 200, location_json(&s, &l, &v));
}

static int delete_location_tx(struct store_conn *c, void *v)
{
    struct delete_ctx *d = v;
    return location_delete(c, d->service_id, d->site_id);
}

static int delete_location(struct req *r)
{
    struct delete_ctx d;
    if (service_id_or_reply(r, &d.service_id) ||
        req_param_id_or_reply(r, "site", "location", &d.site_id))
        return r->status;
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    int rc = req_tx(r, c, delete_location_tx, &d);
    if (rc == STORE_NOT_FOUND)
        return reply_error(r, 404, "not_found", NULL, "the service is not offered at site %lld",
                           (long long)d.site_id);
    if (rc)
        return reply_store_error(r, rc, "location");
    app_changed(r->app, c, &service_module, SERVICE_CHANGED, d.service_id);
    return reply_empty(r, 204);
}

/* ---- organizations ------------------------------------------------------- */

static int list_organizations(struct req *r)
{
    int64_t limit, offset;
    const char *text = req_query(r, "q");
    if (req_query_int_or_reply(r, "limit", 1, 500, 100, &limit) ||
        req_query_int_or_reply(r, "offset", 0, 1000000, 0, &offset))
        return r->status;
    if (text && strlen(text) > 200)
        return reply_error(r, 400, "invalid_query", "q", "q may be at most 200 bytes");
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    struct organization *orgs;
    size_t n;
    int64_t total;
    int rc =
        organization_list(c, &r->arena, text && *text ? text_like_contains(&r->arena, text) : NULL,
                          limit, offset, &orgs, &n, &total);
    if (rc)
        return reply_store_error(r, rc, "organization");
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, organization_json(r, &orgs[i]));
    return reply_json(r, 200, json_pack("{s:o, s:I}", "items", items, "total", (json_int_t)total));
}

/* An organization with its services. */
static int reply_organization(struct req *r, struct store_conn *c, int status,
                              const struct organization *o)
{
    struct service_query q = {.organization_id = o->id, .limit = 0};
    struct service *svcs;
    size_t n;
    int64_t total;
    int rc = service_search(c, &r->arena, &q, &svcs, &n, &total);
    if (rc)
        return reply_store_error(r, rc, "organization");
    json_t *j = organization_json(r, o);
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, service_json(r, &svcs[i], false));
    json_object_set_new(j, "services", items);
    return reply_json(r, status, j);
}

static int organization_or_reply(struct req *r, struct store_conn *c, struct organization *o)
{
    const char *code = req_param(r, "code");
    int rc = code && text_is_code(code) ? organization_get(c, &r->arena, code, o) : STORE_NOT_FOUND;
    if (rc)
        return reply_store_error(r, rc, "organization"), -1;
    return 0;
}

static int get_organization(struct req *r)
{
    struct store_conn *c = req_store_or_reply(r);
    struct organization o;
    if (!c || organization_or_reply(r, c, &o))
        return r->status;
    return reply_organization(r, c, 200, &o);
}

struct org_write {
    struct arena *arena;
    struct organization *o;
    bool create;
};

static int org_write_tx(struct store_conn *c, void *v)
{
    struct org_write *w = v;
    int64_t now = clock_now();
    if (w->create)
        return organization_insert(c, w->arena, w->o, now);
    w->o->updated_at = now;
    return organization_update(c, w->o, now);
}

static int post_organization(struct req *r)
{
    struct organization o;
    organization_defaults(&o);
    if (organization_body_or_reply(r, r->json, &o, true))
        return r->status;
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    struct org_write w = {&r->arena, &o, true};
    int rc = req_tx(r, c, org_write_tx, &w);
    if (rc == STORE_CONFLICT)
        return reply_error(r, 409, "organization_exists", "code",
                           "an organization with code %s exists", o.code);
    if (rc)
        return reply_store_error(r, rc, "organization");
    app_changed(r->app, c, &service_module, SERVICE_ORGANIZATION_CHANGED, o.id);
    char loc[128];
    snprintf(loc, sizeof loc, "/api/organizations/%s", o.code);
    reply_header(r, "Location", loc);
    return reply_organization(r, c, 201, &o);
}

static int patch_organization(struct req *r)
{
    struct store_conn *c = req_store_or_reply(r);
    struct organization o;
    if (!c || organization_or_reply(r, c, &o) || organization_body_or_reply(r, r->json, &o, false))
        return r->status;
    struct org_write w = {&r->arena, &o, false};
    int rc = req_tx(r, c, org_write_tx, &w);
    if (rc)
        return reply_store_error(r, rc, "organization");
    app_changed(r->app, c, &service_module, SERVICE_ORGANIZATION_CHANGED, o.id);
    return reply_organization(r, c, 200, &o);
}

/* ---- the module ---------------------------------------------------------- */

static const struct route service_routes[] = {
    {HTTP_GET, "/api/services", list_services, ACCESS_PUBLIC, BODY_NONE, SCOPE_ANY},
    {HTTP_POST, "/api/services", post_service, PROVIDERS, BODY_JSON, SCOPE_ANY},
    {HTTP_GET, "/api/services/{id}", get_service, ACCESS_PUBLIC, BODY_NONE, SCOPE_ANY},
    {HTTP_PATCH, "/api/services/{id}", patch_service, PROVIDERS, BODY_JSON, &service_scope_path},
    {HTTP_DELETE, "/api/services/{id}", delete_service, PROVIDERS, BODY_NONE, &service_scope_path},
    {HTTP_PUT, "/api/services/{id}/locations/{site}", put_location, PROVIDERS, BODY_JSON,
     &service_scope_path},
    {HTTP_DELETE, "/api/services/{id}/locations/{site}", delete_location, PROVIDERS, BODY_NONE,
     &service_scope_path},
    {HTTP_GET, "/api/sites/{id}/services", site_services, ACCESS_PUBLIC, BODY_NONE, SCOPE_ANY},
    {HTTP_GET, "/api/service-categories", list_categories, ACCESS_PUBLIC, BODY_NONE, SCOPE_ANY},
    {HTTP_GET, "/api/organizations", list_organizations, ACCESS_PUBLIC, BODY_NONE, SCOPE_ANY},
    {HTTP_POST, "/api/organizations", post_organization, ACCESS_SYSTEM, BODY_JSON, SCOPE_ANY},
    {HTTP_GET, "/api/organizations/{code}", get_organization, ACCESS_PUBLIC, BODY_NONE, SCOPE_ANY},
    {HTTP_PATCH, "/api/organizations/{code}", patch_organization, PROVIDERS, BODY_JSON,
     &organization_scope_path},
    {HTTP_GET, "/hsds", hsds_root, ACCESS_PUBLIC, BODY_NONE, SCOPE_ANY},
    {HTTP_GET, "/hsds/services", hsds_services, ACCESS_PUBLIC, BODY_NONE, SCOPE_ANY},
    {HTTP_GET, "/hsds/services/{id}", hsds_service, ACCESS_PUBLIC, BODY_NONE, SCOPE_ANY},
    {HTTP_GET, "/hsds/organizations", hsds_organizations, ACCESS_PUBLIC, BODY_NONE, SCOPE_ANY},
    {HTTP_GET, "/hsds/organizations/{id}", hsds_organization, ACCESS_PUBLIC, BODY_NONE, SCOPE_ANY},
    {HTTP_GET, "/hsds/service_at_locations", hsds_service_at_locations, ACCESS_PUBLIC, BODY_NONE,
     SCOPE_ANY},
    {HTTP_GET, "/hsds/service_at_locations/{id}", hsds_service_at_location, ACCESS_PUBLIC,
     BODY_NONE, SCOPE_ANY},
    {HTTP_GET, "/hsds/taxonomies", hsds_taxonomies, ACCESS_PUBLIC, BODY_NONE, SCOPE_ANY},
    {HTTP_GET, "/hsds/taxonomies/{id}", hsds_taxonomy, ACCESS_PUBLIC, BODY_NONE, SCOPE_ANY},
    {HTTP_GET, "/hsds/taxonomy_terms", hsds_taxonomy_terms, ACCESS_PUBLIC, BODY_NONE, SCOPE_ANY},
    {HTTP_GET, "/hsds/taxonomy_terms/{id}", hsds_taxonomy_term, ACCESS_PUBLIC, BODY_NONE,
     SCOPE_ANY},
};

static const char *const service_change_kinds[] = {"service", "organization", NULL};

const struct module service_module = {
    .name = "service",
    .routes = service_routes,
    .nroutes = sizeof service_routes / sizeof service_routes[0],
    .change_kinds = service_change_kinds,
    .demo = service_demo,
};
