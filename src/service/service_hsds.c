/*
 * service_hsds.c - the catalogue as an Open Referral HSDS 3.0 API
 * (the paths and shapes of the HSDS openapi.json), public and read-only:
 *   GET /hsds                                  version and where the API is
 * described GET /hsds/services
 * ?search=&taxonomy_term_id=&taxonomy_id=&organization_id=&modified_after=&full=&page=&per_page=
 *   GET /hsds/services/{id}                    fully nested service
 *   GET /hsds/organizations ?search=&full=&full_service=&page=&per_page= GET
 * /hsds/organizations/{id}               ?full_service=  with its services GET
 * /hsds/service_at_locations
 * ?search=&taxonomy_term_id=&taxonomy_id=&organization_id=&modified_after=&full=&page=&per_page=
 *   GET /hsds/service_at_locations/{id}        fully nested, with its service
 *   GET /hsds/taxonomies, /hsds/taxonomies/{id}
 *   GET /hsds/taxonomy_terms
 * ?search=&taxonomy_id=&top_only=&parent_id=&page=&per_page= GET
 * /hsds/taxonomy_terms/{id} Lists come in the HSDS Page wrapper (total_items,
 * total_pages, page_number, size, first_page, last_page, empty, contents); page
 * counts from 1, per_page is 1 to 500 (default 50). format is json (ndjson is
 * not offered). Every {id} is a UUID (service.h explains how they are
 * made); another id is 404.
 *
 * HSDS has one language per field: ?lang=zh (default) gives Chinese names
 * with the English ones as alternate_name, ?lang=en the other way round;
 * a text missing in one language falls back to the other. Opening hours
 * become weekly schedule rows (freq WEEKLY, byday, opens_at/closes_at with
 * the UTC offset) when they repeat every week; the OpenStreetMap text is
 * always in the schedule's description, and rules for public holidays
 * (China's calendar) are named in its notes. A filter that names an
 * unknown UUID matches nothing.
 *
 * Two readings where openapi.json contradicts itself: it gives
 * /service_at_locations/{id} the service schema, though its summary says
 * it is the "fully nested service_at_location"; we answer the
 * service_at_location (with its service nested), which validates against
 * compiled/service_at_location.json. And its lists take full=true ("return
 * fully nested ...") while their item schema is the one-to-one *_list.json:
 * full=true (full_service=true for organizations) gives the compiled, fully
 * nested items; without it the items are the one-to-one ones. minimal,
 * postcode and proximity are not offered and are ignored.
 */
#include <stdio.h>
#include <string.h>

#include "app/app.h"
#include "core/clock.h"
#include "core/text.h"
#include "service/service.h"
#include "store/store.h"

#define HSDS_OPENAPI_URL                                                                           \
    "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/"                     \
    "openapi.json"

/* One request's context. */
struct hsds {
    struct req *r;
    struct store_conn *c;
    bool zh;
    int tz;
    int64_t now;
    struct service_category *cats; /* loaded by categories_or_reply */
    const char **cat_uuids;
    size_t ncats;
    /* Weekly rows already worked out in this request, by hours text: a
     * page of locations shares a few expressions. */
    struct schedule_memo {
        const char *hours;
        int n;
        bool ph;
        struct service_schedule_row *rows;
    } memo[16];
    size_t nmemo;
};

/* The weekly rows of an opening_hours text (service_weekly_schedule),
 * worked out once per request and text. */
static const struct schedule_memo *weekly(struct hsds *h, const char *hours)
{
    for (size_t i = 0; i < h->nmemo; i++)
        if (strcmp(h->memo[i].hours, hours) == 0)
            return &h->memo[i];
    struct schedule_memo *m = &h->memo[h->nmemo < 16 ? h->nmemo++ : 15];
    m->hours = hours;
    m->rows = arena_calloc(&h->r->arena, SERVICE_SCHEDULE_MAX, sizeof(*m->rows));
    m->n = service_weekly_schedule(hours, h->now, h->tz, m->rows, SERVICE_SCHEDULE_MAX, &m->ph);
    return m;
}

static const char *pick(const struct hsds *h, const char *zh, const char *en)
{
    const char *first = h->zh ? zh : en, *second = h->zh ? en : zh;
    return first && *first ? first : second ? second : "";
}

/* The other language's text, when it says something the first does not. */
static void set_alternate(json_t *o, const struct hsds *h, const char *zh, const char *en)
{
    const char *main = pick(h, zh, en), *alt = h->zh ? en : zh;
    if (alt && *alt && strcmp(alt, main) != 0)
        json_object_set_new(o, "alternate_name", json_string(alt));
}

static void set_text(json_t *o, const char *key, const char *v)
{
    if (v && *v)
        json_object_set_new(o, key, json_string(v));
}

static const char *iso(struct hsds *h, int64_t t)
{
    char buf[40];
    return arena_strdup(&h->r->arena, clock_format_iso(t, h->tz, buf, sizeof buf));
}

#define UUID(h, ...) service_uuidf(&(h)->r->arena, __VA_ARGS__)

/* ---- query parameters ---------------------------------------------------- */

static int bool_query_or_reply(struct req *r, const char *name, bool *out)
{
    const char *v = req_query(r, name);
    *out = false;
    if (!v)
        return 0;
    if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0)
        *out = true;
    else if (strcmp(v, "false") != 0 && strcmp(v, "0") != 0)
        return reply_error(r, 400, "invalid_query", name, "%s is true or false", name), -1;
    return 0;
}

/* lang, format and the store: 0, or -1 after replying. */
static int hsds_or_reply(struct req *r, struct hsds *h)
{
    memset(h, 0, sizeof(*h));
    h->r = r;
    h->tz = r->app->cfg.tz_offset_min;
    h->now = clock_now();
    const char *lang = req_query(r, "lang"), *format = req_query(r, "format");
    if (lang && strcmp(lang, "zh") != 0 && strcmp(lang, "en") != 0)
        return reply_error(r, 400, "invalid_query", "lang", "lang is zh or en"), -1;
    h->zh = !lang || strcmp(lang, "zh") == 0;
    if (format && strcmp(format, "json") != 0)
        return reply_error(r, 400, "invalid_query", "format",
                           "format is json (ndjson is not offered)"),
               -1;
    h->c = req_store_or_reply(r);
    return h->c ? 0 : -1;
}

static int page_or_reply(struct req *r, struct service_page *p)
{
    memset(p, 0, sizeof(*p));
    return req_query_int_or_reply(r, "page", 1, 1000000, 1, &p->page) ||
                   req_query_int_or_reply(r, "per_page", 1, 500, 50, &p->per_page)
               ? -1
               : 0;
}

static json_t *page_json(struct service_page *p, int64_t total, json_t *contents)
{
    service_page_fill(p, total, (int64_t)json_array_size(contents));
    json_t *o = json_object();
    json_object_set_new(o, "total_items", json_integer(p->total_items));
    json_object_set_new(o, "total_pages", json_integer(p->total_pages));
    json_object_set_new(o, "page_number", json_integer(p->page));
    json_object_set_new(o, "size", json_integer(p->size));
    json_object_set_new(o, "first_page", json_boolean(p->first_page));
    json_object_set_new(o, "last_page", json_boolean(p->last_page));
    json_object_set_new(o, "empty", json_boolean(p->empty));
    json_object_set_new(o, "contents", contents);
    return o;
}

static int categories_or_reply(struct hsds *h)
{
    if (h->cats)
        return 0;
    int rc = category_list(h->c, &h->r->arena, &h->cats, &h->ncats);
    if (rc)
        return reply_store_error(h->r, rc, "taxonomy"), -1;
    h->cat_uuids = arena_calloc(&h->r->arena, h->ncats + 1, sizeof(*h->cat_uuids));
    for (size_t i = 0; i < h->ncats; i++)
        h->cat_uuids[i] = UUID(h, "taxonomy_term:%s", h->cats[i].code);
    return 0;
}

static const struct service_category *category_by_uuid(const struct hsds *h, const char *uuid)
{
    for (size_t i = 0; i < h->ncats; i++)
        if (strcmp(h->cat_uuids[i], uuid) == 0)
            return &h->cats[i];
    return NULL;
}

/* The HSDS filters of /services and /service_at_locations into q.
 * *none: a filter names nothing we have, so nothing matches. */
static int filters_or_reply(struct hsds *h, struct service_query *q, bool *none)
{
    struct req *r = h->r;
    char canon[SERVICE_UUID_LEN + 1];
    *none = false;
    const char *search = req_query(r, "search");
    if (search && strlen(search) > 200)
        return reply_error(r, 400, "invalid_query", "search", "search may be at most 200 bytes"),
               -1;
    q->text = search && *search ? text_like_contains(&r->arena, search) : NULL;
    const char *term = req_query(r, "taxonomy_term_id"), *tax = req_query(r, "taxonomy_id");
    const char *org = req_query(r, "organization_id"), *after = req_query(r, "modified_after");
    if (term) {
        const struct service_category *cat;
        if (categories_or_reply(h))
            return -1;
        if (service_uuid_parse(term, canon) && (cat = category_by_uuid(h, canon)))
            q->category_path = arena_printf(&r->arena, "%s%%", cat->path);
        else
            *none = true;
    }
    if (tax && !(service_uuid_parse(tax, canon) &&
                 strcmp(canon, UUID(h, "%s", SERVICE_TAXONOMY_NAME)) == 0))
        *none = true;
    if (org) {
        struct organization o;
        int rc = service_uuid_parse(org, canon)
                     ? organization_get_by_uuid(h->c, &r->arena, canon, &o)
                     : STORE_NOT_FOUND;
        if (rc == STORE_NOT_FOUND)
            *none = true;
        else if (rc)
            return reply_store_error(r, rc, "organization"), -1;
        else
            q->organization_id = o.id;
    }
    if (after) {
        int32_t day;
        if (clock_parse_date(after, &day) == 0)
            q->modified_after =
                clock_days_from_civil(day / 10000, day / 100 % 100, day % 100) * 86400 -
                (int64_t)h->tz * 60;
        else if (clock_parse_iso(after, h->tz, &q->modified_after))
            return reply_error(r, 400, "invalid_query", "modified_after",
                               "modified_after is an ISO-8601 date or date-time"),
                   -1;
    }
    return 0;
}

/* ---- objects ------------------------------------------------------------- */

static json_t *taxonomy_json(struct hsds *h)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(UUID(h, "%s", SERVICE_TAXONOMY_NAME)));
    json_object_set_new(o, "name",
                        json_string(h->zh ? "暖新服务分类" : "Warm New service categories"));
    json_object_set_new(o, "description",
                        json_string(h->zh ? "海州区“红色引擎·暖新”服务网络的一站式服务分类"
                                          : "The categories of the one-stop services of "
                                            "Haizhou's Red Charm · Warm New network"));
    json_object_set_new(o, "version", json_string("1"));
    return o;
}

static json_t *term_json(struct hsds *h, const struct service_category *c, bool detail)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(UUID(h, "taxonomy_term:%s", c->code)));
    json_object_set_new(o, "code", json_string(c->code));
    json_object_set_new(o, "name", json_string(pick(h, c->name_zh, c->name_en)));
    json_object_set_new(o, "description",
                        json_string(pick(h, c->description_zh, c->description_en)));
    if (c->parent_code)
        json_object_set_new(o, "parent_id",
                            json_string(UUID(h, "taxonomy_term:%s", c->parent_code)));
    json_object_set_new(o, "taxonomy",
                        json_string(h->zh ? "暖新服务分类" : "Warm New service categories"));
    json_object_set_new(o, "taxonomy_id", json_string(UUID(h, "%s", SERVICE_TAXONOMY_NAME)));
    json_object_set_new(o, "language", json_string(h->zh ? "zh" : "en"));
    if (detail)
        json_object_set_new(o, "taxonomy_detail", taxonomy_json(h));
    return o;
}

/* The one-to-one fields of an organization. */
static json_t *org_basic_json(struct hsds *h, const struct organization *g)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(g->uuid));
    json_object_set_new(o, "name", json_string(pick(h, g->name_zh, g->name_en)));
    set_alternate(o, h, g->name_zh, g->name_en);
    json_object_set_new(o, "description",
                        json_string(pick(h, g->description_zh, g->description_en)));
    set_text(o, "email", g->email);
    set_text(o, "website", g->website);
    return o;
}

/* The one-to-one fields of a service, with its organization's. */
static json_t *service_basic_json(struct hsds *h, const struct service *s)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(s->uuid));
    json_object_set_new(o, "organization_id", json_string(s->org.uuid));
    json_object_set_new(o, "name", json_string(pick(h, s->name_zh, s->name_en)));
    set_alternate(o, h, s->name_zh, s->name_en);
    json_object_set_new(o, "description",
                        json_string(pick(h, s->description_zh, s->description_en)));
    set_text(o, "url", s->url);
    set_text(o, "email", s->email);
    json_object_set_new(o, "status", json_string(service_status_hsds(s->status)));
    const char *fees = pick(h, s->fees_zh, s->fees_en);
    if (*fees || s->free)
        json_object_set_new(o, "fees_description",
                            json_string(*fees   ? fees
                                        : h->zh ? "免费"
                                                : "Free of charge"));
    const char *elig = pick(h, s->eligibility_zh, s->eligibility_en);
    if (s->requires_verified)
        elig = arena_printf(&h->r->arena, "%s%s%s", elig, *elig ? (h->zh ? "；" : "; ") : "",
                            h->zh ? "需为已认证的新就业形态劳动者"
                                  : "for verified new-employment workers");
    set_text(o, "eligibility_description", elig);
    json_object_set_new(o, "last_modified", json_string(iso(h, s->updated_at)));
    struct organization g = s->org;
    g.email = g.website = NULL;
    json_object_set_new(o, "organization", org_basic_json(h, &g));
    return o;
}

static json_t *location_basic_json(struct hsds *h, const struct service_site *site)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(UUID(h, "location:%lld", (long long)site->id)));
    json_object_set_new(o, "location_type", json_string("physical"));
    json_object_set_new(o, "name", json_string(pick(h, site->name_zh, site->name_en)));
    set_alternate(o, h, site->name_zh, site->name_en);
    set_text(o, "description", pick(h, site->address_zh, site->address_en));
    json_object_set_new(o, "latitude", json_real(site->lat));
    json_object_set_new(o, "longitude", json_real(site->lon));
    json_object_set_new(o, "external_identifier",
                        json_string(arena_printf(&h->r->arena, "%lld", (long long)site->id)));
    json_object_set_new(o, "external_identifier_type", json_string("warmharbor_site_id"));
    return o;
}

static const char *hhmm(struct hsds *h, int minutes)
{
    int off = h->tz < 0 ? -h->tz : h->tz;
    return arena_printf(&h->r->arena, "%02d:%02d%c%02d:%02d", minutes / 60, minutes % 60,
                        h->tz < 0 ? '-' : '+', off / 60, off % 60);
}

/* The schedules of a service at a location. */
static json_t *schedules_json(struct hsds *h, const struct service_location *l, const char *sal_id)
{
    const struct schedule_memo *w = weekly(h, l->opening_hours);
    const struct service_schedule_row *rows = w->rows;
    bool ph = w->ph;
    int n = w->n;
    const char *notes = ph ? (h->zh ? "法定节假日与调休按国家公布的日历执行（见营业时间中的 PH "
                                      "规则）"
                                    : "Public holidays and make-up working days follow China's "
                                      "official "
                                      "calendar (the PH rules of the opening hours)")
                           : NULL;
    json_t *a = json_array();
    for (int i = 0; i < (n > 0 ? n : 1); i++) {
        json_t *o = json_object();
        json_object_set_new(o, "id",
                            json_string(UUID(h, "service_at_location:%lld:%lld:schedule:%d",
                                             (long long)l->service_id, (long long)l->site.id, i)));
        json_object_set_new(o, "service_at_location_id", json_string(sal_id));
        if (n > 0) {
            json_object_set_new(o, "freq", json_string("WEEKLY"));
            json_object_set_new(o, "wkst", json_string("MO"));
            json_object_set_new(o, "byday", json_string(rows[i].byday));
            json_object_set_new(o, "opens_at", json_string(hhmm(h, rows[i].opens_min)));
            json_object_set_new(o, "closes_at", json_string(hhmm(h, rows[i].closes_min)));
            json_object_set_new(o, "timezone", json_real(h->tz / 60.0));
        }
        json_object_set_new(o, "description", json_string(l->opening_hours));
        set_text(o, "notes", notes);
        json_array_append_new(a, o);
    }
    return a;
}

/* A service at a location; full: with schedules and the location's
 * phones; service: the service nested too (NULL: not). */
static json_t *sal_json(struct hsds *h, const struct service *s, const struct service_location *l,
                        bool full, bool with_service)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(l->uuid));
    json_object_set_new(o, "service_id", json_string(s->uuid));
    json_object_set_new(o, "location_id",
                        json_string(UUID(h, "location:%lld", (long long)l->site.id)));
    set_text(o, "description", pick(h, l->note_zh, l->note_en));
    json_t *loc = location_basic_json(h, &l->site);
    if (full) {
        json_object_set_new(o, "schedules", schedules_json(h, l, l->uuid));
        if (l->site.phone && *l->site.phone) {
            json_t *phone = json_object();
            json_object_set_new(phone, "id",
                                json_string(UUID(h, "location:%lld:phone", (long long)l->site.id)));
            json_object_set(phone, "location_id", json_object_get(loc, "id"));
            json_object_set_new(phone, "number", json_string(l->site.phone));
            json_t *phones = json_array();
            json_array_append_new(phones, phone);
            json_object_set_new(loc, "phones", phones);
        }
    }
    json_object_set_new(o, "location", loc);
    if (with_service)
        json_object_set_new(o, "service", service_basic_json(h, s));
    return o;
}

/* A fully nested service: documents must be loaded; locs are its
 * locations (with_sal: nest them). */
static json_t *service_full_json(struct hsds *h, const struct service *s,
                                 const struct service_location *locs, size_t nlocs, bool with_sal)
{
    json_t *o = service_basic_json(h, s);
    if (*s->phone) {
        json_t *phones = json_array();
        json_array_append_new(phones, json_pack("{s:s, s:s, s:s}", "id",
                                                UUID(h, "service:%lld:phone", (long long)s->id),
                                                "service_id", s->uuid, "number", s->phone));
        json_object_set_new(o, "phones", phones);
    }
    json_t *langs = json_array();
    const char *p = s->languages;
    while (p && *p) {
        size_t n = strcspn(p, ",");
        const char *code = arena_strndup(&h->r->arena, p, n);
        json_t *l = json_pack("{s:s, s:s, s:s}", "id",
                              UUID(h, "service:%lld:language:%s", (long long)s->id, code),
                              "service_id", s->uuid, "code", code);
        const char *name = service_language_name(code, h->zh);
        if (name)
            json_object_set_new(l, "name", json_string(name));
        json_array_append_new(langs, l);
        p += n + (p[n] == ',');
    }
    json_object_set_new(o, "languages", langs);
    json_t *docs = json_array();
    for (size_t i = 0; i < s->ndocuments; i++)
        json_array_append_new(
            docs, json_pack("{s:s, s:s, s:s}", "id",
                            UUID(h, "service:%lld:document:%zu", (long long)s->id, i), "service_id",
                            s->uuid, "document", pick(h, s->documents[i].zh, s->documents[i].en)));
    json_object_set_new(o, "required_documents", docs);
    if (s->free) {
        json_t *costs = json_array();
        json_array_append_new(
            costs, json_pack("{s:s, s:s, s:s, s:s, s:f}", "id",
                             UUID(h, "service:%lld:cost", (long long)s->id), "service_id", s->uuid,
                             "option", h->zh ? "免费" : "Free", "currency", "CNY", "amount", 0.0));
        json_object_set_new(o, "cost_options", costs);
    }
    if (*s->contact_name || *s->email) {
        json_t *c = json_object();
        json_object_set_new(c, "id",
                            json_string(UUID(h, "service:%lld:contact", (long long)s->id)));
        json_object_set_new(c, "service_id", json_string(s->uuid));
        set_text(c, "name", s->contact_name);
        set_text(c, "email", s->email);
        json_t *contacts = json_array();
        json_array_append_new(contacts, c);
        json_object_set_new(o, "contacts", contacts);
    }
    /* The category, as the taxonomy term the service is linked to. */
    struct service_category cat = s->category;
    for (size_t i = 0; i < h->ncats; i++)
        if (h->cats[i].id == cat.id)
            cat.parent_code = h->cats[i].parent_code;
    json_t *attr = json_object();
    json_object_set_new(attr, "id",
                        json_string(UUID(h, "service:%lld:attribute:category", (long long)s->id)));
    json_object_set_new(attr, "link_id", json_string(s->uuid));
    json_object_set_new(attr, "link_type", json_string("category"));
    json_object_set_new(attr, "link_entity", json_string("service"));
    json_object_set_new(attr, "taxonomy_term_id",
                        json_string(UUID(h, "taxonomy_term:%s", cat.code)));
    json_object_set_new(attr, "taxonomy_term", term_json(h, &cat, false));
    json_t *attrs = json_array();
    json_array_append_new(attrs, attr);
    json_object_set_new(o, "attributes", attrs);
    if (with_sal) {
        json_t *sals = json_array();
        for (size_t i = 0; i < nlocs; i++)
            json_array_append_new(sals, sal_json(h, s, &locs[i], true, false));
        json_object_set_new(o, "service_at_locations", sals);
    }
    return o;
}

/* Load what a fully nested service needs and render it. NULL after
 * replying. */
static json_t *service_full_or_reply(struct hsds *h, struct service *s, bool with_sal)
{
    struct service_location *locs = NULL;
    size_t n = 0;
    int rc = categories_or_reply(h) ? -1 : 0;
    if (rc)
        return NULL;
    if (!s->documents)
        rc = service_get(h->c, &h->r->arena, s->id, s);
    if (!rc && with_sal)
        rc = location_list(h->c, &h->r->arena, s->id, &locs, &n);
    if (rc) {
        reply_store_error(h->r, rc, "service");
        return NULL;
    }
    return service_full_json(h, s, locs, n, with_sal);
}

static json_t *org_full_or_reply(struct hsds *h, const struct organization *g, bool full_service)
{
    json_t *o = org_basic_json(h, g);
    if (*g->phone) {
        json_t *phones = json_array();
        json_array_append_new(phones, json_pack("{s:s, s:s, s:s}", "id",
                                                UUID(h, "organization:%s:phone", g->code),
                                                "organization_id", g->uuid, "number", g->phone));
        json_object_set_new(o, "phones", phones);
    }
    if (*g->contact_name) {
        json_t *contacts = json_array();
        json_array_append_new(contacts,
                              json_pack("{s:s, s:s, s:s}", "id",
                                        UUID(h, "organization:%s:contact", g->code),
                                        "organization_id", g->uuid, "name", g->contact_name));
        json_object_set_new(o, "contacts", contacts);
    }
    struct service_query q = {.organization_id = g->id};
    struct service *svcs;
    size_t n;
    int64_t total;
    int rc = service_search(h->c, &h->r->arena, &q, &svcs, &n, &total);
    if (rc) {
        json_decref(o);
        reply_store_error(h->r, rc, "organization");
        return NULL;
    }
    json_t *services = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *s = full_service ? service_full_or_reply(h, &svcs[i], true)
                                 : service_basic_json(h, &svcs[i]);
        if (!s) {
            json_decref(services);
            json_decref(o);
            return NULL;
        }
        if (!full_service) /* the list's simple form: no nested organization */
            json_object_del(s, "organization");
        json_array_append_new(services, s);
    }
    json_object_set_new(o, "services", services);
    return o;
}

/* ---- handlers ------------------------------------------------------------ */

int hsds_root(struct req *r)
{
    return reply_json(r, 200,
                      json_pack("{s:s, s:s}", "version", "3.0", "openapi_url", HSDS_OPENAPI_URL));
}

/* The {id} of the path as a UUID; 0, or -1 after replying 404. */
static int uuid_or_reply(struct req *r, const char *what, char canon[SERVICE_UUID_LEN + 1])
{
    if (!service_uuid_parse(req_param(r, "id"), canon))
        return reply_error(r, 404, "not_found", NULL, "no such %s", what), -1;
    return 0;
}

int hsds_services(struct req *r)
{
    struct hsds h;
    struct service_page pg;
    struct service_query q = {0};
    bool full, none;
    if (page_or_reply(r, &pg) || bool_query_or_reply(r, "full", &full) || hsds_or_reply(r, &h) ||
        filters_or_reply(&h, &q, &none))
        return r->status;
    q.limit = pg.per_page;
    q.offset = (pg.page - 1) * pg.per_page;
    struct service *svcs = NULL;
    size_t n = 0;
    int64_t total = 0;
    int rc = none ? STORE_OK : service_search(h.c, &r->arena, &q, &svcs, &n, &total);
    if (rc)
        return reply_store_error(r, rc, "service");
    json_t *contents = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *o =
            full ? service_full_or_reply(&h, &svcs[i], true) : service_basic_json(&h, &svcs[i]);
        if (!o) {
            json_decref(contents);
            return r->status;
        }
        json_array_append_new(contents, o);
    }
    return reply_json(r, 200, page_json(&pg, total, contents));
}

int hsds_service(struct req *r)
{
    struct hsds h;
    char id[SERVICE_UUID_LEN + 1];
    if (uuid_or_reply(r, "service", id) || hsds_or_reply(r, &h))
        return r->status;
    struct service s;
    int rc = service_get_by_uuid(h.c, &r->arena, id, &s);
    if (rc)
        return reply_store_error(r, rc, "service");
    json_t *o = service_full_or_reply(&h, &s, true);
    return o ? reply_json(r, 200, o) : r->status;
}

int hsds_organizations(struct req *r)
{
    struct hsds h;
    struct service_page pg;
    bool full, full_service;
    if (page_or_reply(r, &pg) || bool_query_or_reply(r, "full", &full) ||
        bool_query_or_reply(r, "full_service", &full_service) || hsds_or_reply(r, &h))
        return r->status;
    const char *search = req_query(r, "search");
    if (search && strlen(search) > 200)
        return reply_error(r, 400, "invalid_query", "search", "search may be at most 200 bytes");
    struct organization *orgs;
    size_t n;
    int64_t total;
    int rc = organization_list(h.c, &r->arena,
                               search && *search ? text_like_contains(&r->arena, search) : NULL,
                               pg.per_page, (pg.page - 1) * pg.per_page, &orgs, &n, &total);
    if (rc)
        return reply_store_error(r, rc, "organization");
    json_t *contents = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *o = full || full_service ? org_full_or_reply(&h, &orgs[i], full_service)
                                         : org_basic_json(&h, &orgs[i]);
        if (!o) {
            json_decref(contents);
            return r->status;
        }
        json_array_append_new(contents, o);
    }
    return reply_json(r, 200, page_json(&pg, total, contents));
}

int hsds_organization(struct req *r)
{
    struct hsds h;
    char id[SERVICE_UUID_LEN + 1];
    bool full_service;
    if (uuid_or_reply(r, "organization", id) ||
        bool_query_or_reply(r, "full_service", &full_service) || hsds_or_reply(r, &h))
        return r->status;
    struct organization g;
    int rc = organization_get_by_uuid(h.c, &r->arena, id, &g);
    if (rc)
        return reply_store_error(r, rc, "organization");
    json_t *o = org_full_or_reply(&h, &g, full_service);
    return o ? reply_json(r, 200, o) : r->status;
}

int hsds_service_at_locations(struct req *r)
{
    struct hsds h;
    struct service_page pg;
    struct service_query q = {0};
    bool full, none;
    if (page_or_reply(r, &pg) || bool_query_or_reply(r, "full", &full) || hsds_or_reply(r, &h) ||
        filters_or_reply(&h, &q, &none))
        return r->status;
    q.limit = pg.per_page;
    q.offset = (pg.page - 1) * pg.per_page;
    struct service *svcs = NULL;
    struct service_location *locs = NULL;
    size_t n = 0;
    int64_t total = 0;
    int rc = none ? STORE_OK : location_search(h.c, &r->arena, &q, false, &svcs, &locs, &n, &total);
    if (rc)
        return reply_store_error(r, rc, "service_at_location");
    json_t *contents = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(contents, sal_json(&h, &svcs[i], &locs[i], full, true));
    return reply_json(r, 200, page_json(&pg, total, contents));
}

int hsds_service_at_location(struct req *r)
{
    struct hsds h;
    char id[SERVICE_UUID_LEN + 1];
    if (uuid_or_reply(r, "service_at_location", id) || hsds_or_reply(r, &h))
        return r->status;
    struct service_location l;
    struct service s;
    int rc = location_get_by_uuid(h.c, &r->arena, id, &l);
    if (!rc)
        rc = service_get(h.c, &r->arena, l.service_id, &s);
    if (rc)
        return reply_store_error(r, rc, "service_at_location");
    return reply_json(r, 200, sal_json(&h, &s, &l, true, true));
}

/* Does the search text (if any) appear in one of the texts? */
static bool search_matches(const char *search, const char *a, const char *b, const char *c)
{
    return !search || !*search || strstr(a, search) || strstr(b, search) || strstr(c, search);
}

int hsds_taxonomies(struct req *r)
{
    struct hsds h;
    struct service_page pg;
    if (page_or_reply(r, &pg) || hsds_or_reply(r, &h))
        return r->status;
    const char *search = req_query(r, "search");
    json_t *t = taxonomy_json(&h);
    json_t *contents = json_array();
    bool match = search_matches(search, "暖新服务分类", "Warm New service categories",
                                json_string_value(json_object_get(t, "description")));
    if (match && pg.page == 1)
        json_array_append(contents, t);
    json_decref(t);
    return reply_json(r, 200, page_json(&pg, match ? 1 : 0, contents));
}

int hsds_taxonomy(struct req *r)
{
    struct hsds h;
    char id[SERVICE_UUID_LEN + 1];
    if (uuid_or_reply(r, "taxonomy", id) || hsds_or_reply(r, &h))
        return r->status;
    if (strcmp(id, UUID(&h, "%s", SERVICE_TAXONOMY_NAME)) != 0)
        return reply_error(r, 404, "not_found", NULL, "no such taxonomy");
    return reply_json(r, 200, taxonomy_json(&h));
}

int hsds_taxonomy_terms(struct req *r)
{
    struct hsds h;
    struct service_page pg;
    bool top_only;
    if (page_or_reply(r, &pg) || bool_query_or_reply(r, "top_only", &top_only) ||
        hsds_or_reply(r, &h) || categories_or_reply(&h))
        return r->status;
    const char *search = req_query(r, "search"), *tax = req_query(r, "taxonomy_id");
    const char *parent = req_query(r, "parent_id");
    char canon[SERVICE_UUID_LEN + 1], parent_canon[SERVICE_UUID_LEN + 1] = "";
    bool none = tax && !(service_uuid_parse(tax, canon) &&
                         strcmp(canon, UUID(&h, "%s", SERVICE_TAXONOMY_NAME)) == 0);
    if (parent && !service_uuid_parse(parent, parent_canon))
        none = true;
    json_t *contents = json_array();
    int64_t total = 0, first = (pg.page - 1) * pg.per_page;
    for (size_t i = 0; !none && i < h.ncats; i++) {
        const struct service_category *c = &h.cats[i];
        if (top_only && c->parent_code)
            continue;
        if (parent && !(c->parent_code &&
                        strcmp(UUID(&h, "taxonomy_term:%s", c->parent_code), parent_canon) == 0))
            continue;
        if (!search_matches(search, c->code, pick(&h, c->name_zh, c->name_en),
                            pick(&h, c->description_zh, c->description_en)))
            continue;
        if (total >= first && total < first + pg.per_page)
            json_array_append_new(contents, term_json(&h, c, false));
        total++;
    }
    return reply_json(r, 200, page_json(&pg, total, contents));
}

int hsds_taxonomy_term(struct req *r)
{
    struct hsds h;
    char id[SERVICE_UUID_LEN + 1];
    if (uuid_or_reply(r, "taxonomy term", id) || hsds_or_reply(r, &h) || categories_or_reply(&h))
        return r->status;
    const struct service_category *c = category_by_uuid(&h, id);
    if (!c)
        return reply_error(r, 404, "not_found", NULL, "no such taxonomy term");
    return reply_json(r, 200, term_json(&h, c, true));
}
