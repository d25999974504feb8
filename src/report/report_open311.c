/*
 * report_open311.c - grid reports as Open311 GeoReport v2, at /open311/v2/:
 *
 *   GET  discovery.{json,xml}
 *   GET  services.{json,xml}              the categories
 *   GET  services/{code}.{json,xml}       a category's questions (attributes)
 *   GET  requests.{json,xml}              ?service_request_id=1,2 |
 * service_code, start_date, end_date, status=open,closed POST
 * requests.{json,xml}              form-encoded, with api_key GET
 * requests/{id}.{json,xml} GET  tokens/{token}.{json,xml} (jurisdiction_id,
 * when given, is a region's code: its subtree)
 *
 * The router matches whole segments, so "services.json" and
 * "services.xml" are two literal routes each, and where the name is an id
 * or a code ("requests/12.xml") the handler splits the suffix off the
 * path parameter (param_or_reply). Every answer is built once as JSON
 * and, for .xml, written out by one converter whose table names the
 * elements of lists (services > service, service_requests > request, ...),
 * which is the shape FixMyStreet's client (XML::Simple with ForceArray)
 * reads. The exception is service requests (lists of up to 1000, the
 * hot path): they are written straight into one buffer by the list
 * writer below, byte for byte what the converter and json_dumps would
 * write for the same tree (tests/unit/core/strbuf_test.c holds the
 * writers to jansson's bytes). Errors are Open311's own list of {code,
 * description} with the HTTP status in code.
 *
 * Open311 knows two statuses: open (our open, acknowledged, in progress)
 * and closed (fixed, closed, duplicate, not ours); status_notes names
 * ours. Rejected reports are not published, and neither is who reported.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account/account.h"
#include "app/app.h"
#include "core/clock.h"
#include "core/strbuf.h"
#include "core/text.h"
#include "http/form.h"
#include "http/multipart.h"
#include "region/region.h"
#include "report/report.h"
#include "store/store.h"

#define O311_SPAN_S (90 * 86400) /* the spec's longest date range */
#define O311_LIMIT 1000          /* and its most requests per answer */
#define O311_IDS_MAX 200

/* ---- formats and answers ----------------------------------------------- */

static bool wants_xml(const struct req *r)
{
    size_t n = r->path ? strlen(r->path) : 0;
    return n >= 4 && strcmp(r->path + n - 4, ".xml") == 0;
}

/* The element of each item of a list, by the list's name. */
static const char *item_name(const char *list)
{
    static const char *const names[][2] = {
        {"services", "service"},         {"attributes", "attribute"}, {"values", "value"},
        {"service_requests", "request"}, {"errors", "error"},         {"endpoints", "endpoint"},
        {"formats", "format"},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(names[i][0], list) == 0)
            return names[i][1];
    return "item";
}

/* One value as the element name: objects and lists nest, null is an
 * empty element, booleans are true/false. */
static void xml_value(struct strbuf *sb, const char *name, json_t *v)
{
    if (json_is_null(v)) {
        strbuf_addf(sb, "<%s/>", name);
        return;
    }
    strbuf_addf(sb, "<%s>", name);
    if (json_is_object(v)) {
        const char *k;
        json_t *child;
        json_object_foreach(v, k, child) xml_value(sb, k, child);
    } else if (json_is_array(v)) {
        const char *item = item_name(name);
        for (size_t i = 0; i < json_array_size(v); i++)
            xml_value(sb, item, json_array_get(v, i));
    } else if (json_is_string(v)) {
        strbuf_add_markup_text(sb, json_string_value(v));
    } else if (json_is_boolean(v)) {
        strbuf_adds(sb, json_is_true(v) ? "true" : "false");
    } else {
        char *t = json_dumps(v, JSON_ENCODE_ANY | JSON_REAL_PRECISION(10));
        strbuf_adds(sb, t ? t : "");
        free(t);
    }
    strbuf_addf(sb, "</%s>", name);
}

/* Answer with body (taken) as JSON, or as XML under root. */
static int o311_reply(struct req *r, int status, const char *root, json_t *body)
{
    if (!wants_xml(r)) {
        char *text = json_dumps(body, JSON_COMPACT | JSON_REAL_PRECISION(10));
        json_decref(body);
        if (!text)
            die_oom();
        return reply_take(r, status, "application/json; charset=utf-8", text, strlen(text));
    }
    struct strbuf sb = STRBUF_INIT;
    strbuf_adds(&sb, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    xml_value(&sb, root, body);
    strbuf_addch(&sb, '\n');
    json_decref(body);
    size_t len;
    char *text = strbuf_detach(&sb, &len);
    return reply_take(r, status, "text/xml; charset=utf-8", text, len);
}

int open311_error_reply(struct req *r, int status, const char *description)
{
    return o311_reply(r, status, "errors",
                      json_pack("[{s:i, s:s}]", "code", status, "description", description));
}

static int store_error(struct req *r, int rc)
{
    if (rc == STORE_BUSY)
        reply_header(r, "Retry-After", "1");
    return open311_error_reply(r, store_rc_http(rc),
                               rc == STORE_BUSY ? "busy; retry" : "the store failed");
}

/* The path parameter without its .json/.xml: 404 for another suffix. */
static int param_or_reply(struct req *r, const char *name, const char **out)
{
    const char *v = req_param(r, name);
    const char *dot = v ? strrchr(v, '.') : NULL;
    if (!dot || dot == v || (strcmp(dot, ".json") != 0 && strcmp(dot, ".xml") != 0))
        return open311_error_reply(r, 404, "use .json or .xml"), -1;
    *out = arena_strndup(&r->arena, v, (size_t)(dot - v));
    return 0;
}

/* English names when asked (?lang=en or Accept-Language: en...). */
static bool wants_en(struct req *r)
{
    const char *q = req_query(r, "lang");
    if (q)
        return strncmp(q, "en", 2) == 0;
    const char *h = req_header(r, "Accept-Language");
    return h && strncmp(h, "en", 2) == 0;
}

static const char *pick(bool en, const char *zh, const char *en_text)
{
    return en && en_text && *en_text ? en_text : zh;
}

/* jurisdiction_id, if given, names a region: its path into *path. */
static int jurisdiction_or_reply(struct req *r, struct store_conn *c, const char *given,
                                 const char **path)
{
    *path = NULL;
    if (!given || !*given)
        return 0;
    struct region reg;
    int rc = region_get(c, &r->arena, given, &reg);
    if (rc == STORE_NOT_FOUND)
        return open311_error_reply(r, 404, "jurisdiction_id not found"), -1;
    if (rc)
        return store_error(r, rc), -1;
    *path = reg.path;
    return 0;
}

static json_t *iso_or_null(int64_t t, int tz)
{
    if (!t)
        return json_null();
    char buf[40];
    return json_string(clock_format_iso(t, tz, buf, sizeof buf));
}

/* ---- discovery and services -------------------------------------------- */

int open311_discovery(struct req *r)
{
    struct store_conn *c = req_store(r);
    int64_t changed = 0;
    struct report_category *cs;
    size_t n;
    if (c && report_category_list(c, &r->arena, false, &cs, &n) == STORE_OK)
        for (size_t i = 0; i < n; i++)
            if (cs[i].updated_at > changed)
                changed = cs[i].updated_at;
    int tz = r->app->cfg.tz_offset_min;
    json_t *when = changed ? iso_or_null(changed, tz) : json_string("2026-12-01T00:00:00+08:00");
    json_t *body = json_pack(
        "{s:O, s:s, s:s, s:[{s:s, s:s, s:O, s:s, s:[s, s]}]}", "changeset", when, "contact",
        "Ask the district's grid management office (网格化服务管理中心)", "key_service",
        "API keys are issued by the system administrators (POST "
        "/api/open311/keys)",
        "endpoints", "specification", "http://wiki.open311.org/GeoReport_v2", "url",
        report_absolute_url(r, "/open311/v2"), "changeset", when, "type", "production", "formats",
        "text/xml", "application/json");
    json_decref(when);
    return o311_reply(r, 200, "discovery", body);
}

static json_t *service_json(const struct report_category *c, bool en)
{
    json_t *attrs = json_loads(c->attributes ? c->attributes : "[]", 0, NULL);
    bool metadata = json_array_size(attrs) > 0;
    json_decref(attrs);
    return json_pack(
        "{s:s, s:s, s:s, s:b, s:s, s:s, s:s}", "service_code", c->code, "service_name",
        pick(en, c->name_zh, c->name_en), "description",
        pick(en, c->description_zh, c->description_en), "metadata", metadata, "type", "realtime",
        "keywords", c->keywords ? c->keywords : "", "group",
        c->group && *c->group ? c->group : pick(en, c->department_name_zh, c->department_name_en));
}

int open311_services(struct req *r)
{
    struct store_conn *c = req_store(r);
    if (!c)
        return store_error(r, STORE_BUSY);
    const char *jpath;
    if (jurisdiction_or_reply(r, c, req_query(r, "jurisdiction_id"), &jpath))
        return r->status;
    struct report_category *cs;
    size_t n;
    int rc = report_category_list(c, &r->arena, true, &cs, &n);
    if (rc)
        return store_error(r, rc);
    bool en = wants_en(r);
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, service_json(&cs[i], en));
    return o311_reply(r, 200, "services", items);
}

/* Our questions in Open311's terms (the same members, names in one
 * language). */
static json_t *definition_json(const struct report_category *c, bool en)
{
    json_t *defs = json_loads(c->attributes ? c->attributes : "[]", 0, NULL);
    json_t *attrs = json_array();
    for (size_t i = 0; i < json_array_size(defs); i++) {
        json_t *d = json_array_get(defs, i);
        json_t *a = json_pack("{s:O, s:O, s:O, s:O, s:O, s:O, s:s}", "variable",
                              json_object_get(d, "variable"), "code", json_object_get(d, "code"),
                              "datatype", json_object_get(d, "datatype"), "required",
                              json_object_get(d, "required"), "datatype_description",
                              json_object_get(d, "datatype_description"), "order",
                              json_object_get(d, "order"), "description",
                              pick(en, json_string_value(json_object_get(d, "description")),
                                   json_string_value(json_object_get(d, "description_en"))));
        json_t *values = json_object_get(d, "values");
        if (values) {
            json_t *vs = json_array();
            for (size_t k = 0; k < json_array_size(values); k++) {
                json_t *v = json_array_get(values, k);
                json_array_append_new(
                    vs, json_pack("{s:O, s:s}", "key", json_object_get(v, "key"), "name",
                                  pick(en, json_string_value(json_object_get(v, "name")),
                                       json_string_value(json_object_get(v, "name_en")))));
            }
            json_object_set_new(a, "values", vs);
        }
        json_array_append_new(attrs, a);
    }
    json_decref(defs);
    return json_pack("{s:s, s:o}", "service_code", c->code, "attributes", attrs);
}

int open311_service(struct req *r)
{
    const char *code;
    if (param_or_reply(r, "code", &code))
        return r->status;
    struct store_conn *c = req_store(r);
    if (!c)
        return store_error(r, STORE_BUSY);
    const char *jpath;
    if (jurisdiction_or_reply(r, c, req_query(r, "jurisdiction_id"), &jpath))
        return r->status;
    struct report_category cat;
    int rc = report_category_get(c, &r->arena, code, &cat);
    if (rc == STORE_NOT_FOUND || (!rc && !cat.active))
        return open311_error_reply(r, 404, "service_code not found");
    if (rc)
        return store_error(r, rc);
    return o311_reply(r, 200, "service_definition", definition_json(&cat, wants_en(r)));
}

/* ---- requests ---------------------------------------------------------- */

static const char *status_note(const char *status)
{
    static const char *const notes[][2] = {
        {"open", "open"},
        {"acknowledged", "acknowledged"},
        {"in_progress", "in progress"},
        {"fixed", "fixed"},
        {"closed", "closed"},
        {"duplicate", "duplicate"},
        {"not_ours", "not our responsibility"},
    };
    for (size_t i = 0; i < sizeof notes / sizeof notes[0]; i++)
        if (strcmp(notes[i][0], status) == 0)
            return notes[i][1];
    return status;
}

static const char *service_notice(struct arena *a, int sla_days, bool en)
{
    return en ? arena_printf(a, "to be handled within %d working days", sla_days)
              : arena_printf(a, "承诺%d个工作日内处理", sla_days);
}

/* A list of requests written straight into one buffer as JSON or XML:
 * the bytes o311_reply writes for the jansson tree of the same members
 * in the same order (a member whose text json_string() would refuse,
 * NULL or malformed UTF-8, is left out as json_object_set_new leaves it
 * out), without building and dumping that tree for up to 1000 items. */
struct o311_list {
    struct strbuf sb;
    bool xml;
    bool first_item;
    bool first_member;      /* JSON: no comma before the item's first member */
    const char *photo_base; /* ".../api/report-photos/", made once */
};

static void list_begin(struct o311_list *l, bool xml)
{
    *l = (struct o311_list){.sb = STRBUF_INIT, .xml = xml, .first_item = true};
    strbuf_adds(&l->sb,
                xml ? "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<service_requests>" : "[");
}

/* Appends without a call for each piece (thousands per list): strbuf's
 * own growth only when the room runs out. */
static inline void putn(struct strbuf *sb, const char *s, size_t n)
{
    if (sb->len + n + 1 > sb->cap)
        strbuf_grow(sb, n);
    memcpy(sb->buf + sb->len, s, n);
    sb->len += n;
    sb->buf[sb->len] = '\0';
}

static inline void put(struct strbuf *sb, const char *s)
{
    putn(sb, s, strlen(s));
}

static inline void putc_(struct strbuf *sb, char c)
{
    putn(sb, &c, 1);
}

static inline void item_begin(struct o311_list *l)
{
    if (l->xml)
        put(&l->sb, "<request>");
    else
        put(&l->sb, l->first_item ? "{" : ",{");
    l->first_item = false;
    l->first_member = true;
}

static inline void item_end(struct o311_list *l)
{
    put(&l->sb, l->xml ? "</request>" : "}");
}

/* "key": (JSON) or <key> (XML); key is a plain ASCII name. */
static inline void member_open(struct o311_list *l, const char *key)
{
    if (l->xml) {
        putc_(&l->sb, '<');
        put(&l->sb, key);
        putc_(&l->sb, '>');
        return;
    }
    put(&l->sb, l->first_member ? "\"" : ",\"");
    put(&l->sb, key);
    putn(&l->sb, "\":", 2);
}

static inline void member_close(struct o311_list *l, const char *key)
{
    l->first_member = false;
    if (l->xml) {
        putn(&l->sb, "</", 2);
        put(&l->sb, key);
        putc_(&l->sb, '>');
    }
}

static inline void member_null(struct o311_list *l, const char *key)
{
    if (l->xml) {
        putc_(&l->sb, '<');
        put(&l->sb, key);
        putn(&l->sb, "/>", 2);
    } else {
        member_open(l, key);
        putn(&l->sb, "null", 4);
    }
    l->first_member = false;
}

/* A string member as json_string(text) makes it: none for NULL or
 * malformed UTF-8. */
static inline void member_text(struct o311_list *l, const char *key, const char *text)
{
    if (!text)
        return;
    if (l->xml) {
        if (!text_is_utf8(text))
            return;
        member_open(l, key);
        strbuf_add_markup_text(&l->sb, text);
    } else {
        size_t before = l->sb.len;
        member_open(l, key);
        if (!strbuf_add_json_text(&l->sb, text)) { /* no member, as json_string() refuses it */
            l->sb.len = before;
            l->sb.buf[before] = '\0';
            return;
        }
    }
    member_close(l, key);
}

/* Text made here (ids, statuses, times): plain ASCII that neither JSON
 * nor XML escapes, so written as it is. */
static inline void member_plain(struct o311_list *l, const char *key, const char *text)
{
    member_open(l, key);
    if (l->xml)
        put(&l->sb, text);
    else {
        putc_(&l->sb, '"');
        put(&l->sb, text);
        putc_(&l->sb, '"');
    }
    member_close(l, key);
}

/* An id as a string ("%lld", quoted in JSON). */
static inline void member_id(struct o311_list *l, const char *key, int64_t id)
{
    member_open(l, key);
    if (!l->xml)
        putc_(&l->sb, '"');
    strbuf_add_int(&l->sb, id);
    if (!l->xml)
        putc_(&l->sb, '"');
    member_close(l, key);
}

static inline void member_text_or_null(struct o311_list *l, const char *key, const char *text)
{
    if (text)
        member_text(l, key, text);
    else
        member_null(l, key);
}

static inline void member_time(struct o311_list *l, const char *key, int64_t t, int tz)
{
    char buf[40];
    if (t)
        member_plain(l, key, clock_format_iso(t, tz, buf, sizeof buf));
    else
        member_null(l, key);
}

/* A real as json_real(v) dumped with JSON_REAL_PRECISION(10). */
static inline void member_real(struct o311_list *l, const char *key, double v)
{
    if (!isfinite(v))
        return;
    member_open(l, key);
    strbuf_add_json_real(&l->sb, v, 10);
    member_close(l, key);
}

static void request_write(struct o311_list *l, struct req *r, const struct report *rep, bool en)
{
    int tz = r->app->cfg.tz_offset_min;
    bool open = report_status_is_open(report_status_parse(rep->status));
    const char *media = rep->media_url;
    if (rep->photo_id) {
        if (!l->photo_base)
            l->photo_base = report_absolute_url(r, "/api/report-photos/");
        media = arena_printf(&r->arena, "%s%lld", l->photo_base, (long long)rep->photo_id);
    }
    item_begin(l);
    member_id(l, "service_request_id", rep->id);
    member_plain(l, "status", open ? "open" : "closed");
    member_text(l, "status_notes", status_note(rep->status));
    member_text(l, "service_name", pick(en, rep->category_name_zh, rep->category_name_en));
    member_text(l, "service_code", rep->category_code);
    member_text(l, "description", rep->description ? rep->description : "");
    member_text(l, "agency_responsible",
                pick(en, rep->department_name_zh, rep->department_name_en));
    member_null(l, "service_notice");
    member_time(l, "requested_datetime", rep->created_at, tz);
    member_time(l, "updated_datetime", rep->updated_at, tz);
    member_time(l, "expected_datetime", rep->due_at, tz);
    member_text_or_null(l, "address", rep->address && *rep->address ? rep->address : NULL);
    member_null(l, "address_id");
    member_null(l, "zipcode");
    member_real(l, "lat", round(rep->lat * 1e7) / 1e7);
    member_real(l, "long", round(rep->lon * 1e7) / 1e7);
    member_text_or_null(l, "media_url", media);
    item_end(l);
}

static int list_reply(struct req *r, struct o311_list *l)
{
    strbuf_adds(&l->sb, l->xml ? "</service_requests>\n" : "]");
    size_t len;
    char *text = strbuf_detach(&l->sb, &len);
    return reply_take(
        r, 200, l->xml ? "text/xml; charset=utf-8" : "application/json; charset=utf-8", text, len);
}

static bool is_public(const struct report *rep)
{
    return strcmp(rep->verification, "rejected") != 0;
}

/* "1,2,3" into ids; -1 when it is not a list of ids. */
static int ids_parse(struct arena *a, const char *text, int64_t **ids, size_t *n)
{
    size_t cap = 1;
    for (const char *p = text; *p; p++)
        cap += *p == ',';
    if (cap > O311_IDS_MAX)
        return -1;
    *ids = arena_calloc(a, cap, sizeof(**ids));
    *n = 0;
    const char *p = text;
    for (;;) {
        char *end;
        if (*p < '1' || *p > '9')
            return -1;
        long long v = strtoll(p, &end, 10);
        if (end - p > 18)
            return -1;
        (*ids)[(*n)++] = v;
        if (*end == '\0')
            return 0;
        if (*end != ',')
            return -1;
        p = end + 1;
    }
}

/* A W3C datetime query argument; 0 when absent; -1 after replying. */
static int date_or_reply(struct req *r, const char *name, int64_t *out)
{
    const char *v = req_query(r, name);
    *out = 0;
    if (!v)
        return 0;
    if (clock_parse_iso(v, r->app->cfg.tz_offset_min, out))
        return open311_error_reply(r, 400,
                                   arena_printf(&r->arena,
                                                "%s is a date and time such as "
                                                "2026-12-01T08:00:00+08:00",
                                                name)),
               -1;
    return 0;
}

int open311_requests(struct req *r)
{
    struct store_conn *c = req_store(r);
    if (!c)
        return store_error(r, STORE_BUSY);
    const char *jpath;
    if (jurisdiction_or_reply(r, c, req_query(r, "jurisdiction_id"), &jpath))
        return r->status;
    bool en = wants_en(r);
    struct report *rs;
    size_t n;
    int rc;
    const char *idtext = req_query(r, "service_request_id");
    if (idtext) {
        int64_t *ids;
        size_t nids;
        if (ids_parse(&r->arena, idtext, &ids, &nids))
            return open311_error_reply(r, 400,
                                       "service_request_id is a comma list of ids (at most 200)");
        rc = report_list_ids(c, &r->arena, ids, nids, &rs, &n);
    } else {
        struct report_filter f = {0};
        int64_t from, to;
        if (date_or_reply(r, "start_date", &from) || date_or_reply(r, "end_date", &to))
            return r->status;
        int64_t now = clock_now();
        if (!to)
            to = from ? from + O311_SPAN_S : now;
        if (!from)
            from = to - O311_SPAN_S;
        if (to < from || to - from > O311_SPAN_S)
            return open311_error_reply(r, 400, "start_date and end_date may span at most 90 days");
        const char *status = req_query(r, "status");
        if (status) {
            for (const char *p = status; *p;) {
                const char *comma = strchr(p, ',');
                size_t len = comma ? (size_t)(comma - p) : strlen(p);
                if (len == 4 && strncmp(p, "open", 4) == 0)
                    f.statuses |= (1u << REPORT_OPEN) | (1u << REPORT_ACKNOWLEDGED) |
                                  (1u << REPORT_IN_PROGRESS);
                else if (len == 6 && strncmp(p, "closed", 6) == 0)
                    f.statuses |= (1u << REPORT_FIXED) | (1u << REPORT_CLOSED) |
                                  (1u << REPORT_DUPLICATE) | (1u << REPORT_NOT_OURS);
                else
                    return open311_error_reply(r, 400, "status is open or closed");
                p = comma ? comma + 1 : p + len;
            }
        }
        const char *code = req_query(r, "service_code");
        f.category = code && *code ? code : NULL;
        f.public_only = true;
        f.created_from = from;
        f.created_to = to;
        f.region_path = jpath;
        f.now = now;
        f.limit = O311_LIMIT;
        rc = report_list_open311(c, &r->arena, &f, &rs, &n);
    }
    if (rc)
        return store_error(r, rc);
    struct o311_list l;
    list_begin(&l, wants_xml(r));
    size_t jlen = jpath ? strlen(jpath) : 0;
    for (size_t i = 0; i < n; i++)
        if (is_public(&rs[i]) && (!jpath || strncmp(rs[i].region_path, jpath, jlen) == 0))
            request_write(&l, r, &rs[i], en);
    return list_reply(r, &l);
}

int open311_request(struct req *r)
{
    const char *idtext;
    if (param_or_reply(r, "id", &idtext))
        return r->status;
    int64_t *ids;
    size_t nids;
    if (ids_parse(&r->arena, idtext, &ids, &nids) || nids != 1)
        return open311_error_reply(r, 404, "service_request_id not found");
    struct store_conn *c = req_store(r);
    if (!c)
        return store_error(r, STORE_BUSY);
    const char *jpath;
    if (jurisdiction_or_reply(r, c, req_query(r, "jurisdiction_id"), &jpath))
        return r->status;
    struct report rep;
    int rc = report_get(c, &r->arena, ids[0], &rep);
    if (rc == STORE_NOT_FOUND || (!rc && !is_public(&rep)) ||
        (!rc && jpath && strncmp(rep.region_path, jpath, strlen(jpath)) != 0))
        return open311_error_reply(r, 404, "service_request_id not found");
    if (rc)
        return store_error(r, rc);
    struct o311_list l;
    list_begin(&l, wants_xml(r));
    request_write(&l, r, &rep, wants_en(r));
    return list_reply(r, &l);
}

int open311_token(struct req *r)
{
    const char *token;
    if (param_or_reply(r, "token", &token))
        return r->status;
    struct store_conn *c = req_store(r);
    if (!c)
        return store_error(r, STORE_BUSY);
    struct report rep;
    int rc = strlen(token) > 100 ? STORE_NOT_FOUND : report_get_by_token(c, &r->arena, token, &rep);
    if (rc == STORE_NOT_FOUND || (!rc && !is_public(&rep)))
        return open311_error_reply(r, 404, "token not found");
    if (rc)
        return store_error(r, rc);
    return o311_reply(r, 200, "service_requests",
                      json_pack("[{s:s, s:s}]", "service_request_id",
                                arena_printf(&r->arena, "%lld", (long long)rep.id), "token",
                                token));
}

/* ---- POST requests ----------------------------------------------------- */

/* A form field as clean text of at most max bytes; NULL when absent or
 * empty. -1 after replying. */
static int form_text_or_reply(struct req *r, const char *name, size_t max, const char **out)
{
    const char *v = form_get(r->form, name);
    *out = NULL;
    if (!v || !*v)
        return 0;
    if (strlen(v) > max)
        return open311_error_reply(
                   r, 400, arena_printf(&r->arena, "%s is longer than %zu bytes", name, max)),
               -1;
    *out = v;
    return 0;
}

/* attribute[code]=v and attribute[code][]=v fields as an object of
 * answers: repeated or [] ones as a list. NULL with *bad set when a
 * name is malformed. */
static json_t *form_answers(struct req *r, const char **bad)
{
    json_t *o = json_object();
    *bad = NULL;
    for (size_t i = 0; i < r->form->n; i++) {
        const char *name = r->form->fields[i].name, *value = r->form->fields[i].value;
        if (strncmp(name, "attribute[", 10) != 0)
            continue;
        const char *close = strchr(name + 10, ']');
        if (!close || close == name + 10 || (close[1] && strcmp(close + 1, "[]") != 0)) {
            *bad = name;
            json_decref(o);
            return NULL;
        }
        const char *code = arena_strndup(&r->arena, name + 10, (size_t)(close - name - 10));
        bool list = close[1] != '\0';
        json_t *had = json_object_get(o, code);
        if (had && json_is_array(had)) {
            json_array_append_new(had, json_string(value));
        } else if (had) {
            json_object_set_new(o, code, json_pack("[O, s]", had, value));
        } else {
            json_object_set_new(o, code, list ? json_pack("[s]", value) : json_string(value));
        }
    }
    return o;
}

/* A multipart body's "media" file (FixMyStreet sends the photo so), as
 * the reports API cleans photos: into nr->photos[0]. Any other file part
 * is refused. 0, or -1 after replying in Open311's shape. */
static int media_file_or_reply(struct req *r, struct report_new *nr)
{
    const struct http_files *files = r->files;
    for (size_t i = 0; files && i < files->n; i++)
        if (strcmp(files->files[i].name, "media") != 0 || i > 0)
            return open311_error_reply(r, 400, "media: one photo file, as the part named media");
    const struct http_file *m = multipart_file(files, "media");
    if (!m)
        return 0;
    int rc = report_photo_clean(&r->arena, m->data, m->len, &nr->photos[0], &nr->photo_len[0],
                                &nr->photo_w[0], &nr->photo_h[0]);
    switch (rc) {
    case REPORT_PHOTO_OK:
        nr->nphotos = 1;
        return 0;
    case REPORT_PHOTO_NOT_IMAGE:
        return open311_error_reply(r, 415, "media: a photo is a JPEG, PNG or WebP image");
    case REPORT_PHOTO_UNREADABLE:
        return open311_error_reply(r, 415, "media: this photo cannot be decoded");
    case REPORT_PHOTO_TOO_LARGE:
        return open311_error_reply(r, 413, "media: the photo is too large");
    default:
        return open311_error_reply(r, 500, "media: the photo could not be processed");
    }
}

int open311_post_request(struct req *r)
{
    const struct http_form *f = r->form;
    const char *key = form_get(f, "api_key");
    if (!key || !*key)
        key = req_query(r, "api_key");
    struct store_conn *c = req_store(r);
    if (!c)
        return store_error(r, STORE_BUSY);
    int64_t key_id = 0;
    int rc = key && *key && strlen(key) < 200
                 ? report_api_key_use(c, &r->arena,
                                      account_token_hash(&r->arena, account_key(r->app), key),
                                      clock_now(), &key_id)
                 : STORE_NOT_FOUND;
    if (rc == STORE_NOT_FOUND)
        return open311_error_reply(r, 403, "api_key is missing or not valid");
    if (rc)
        return store_error(r, rc);
    const char *jpath;
    const char *jid = form_get(f, "jurisdiction_id");
    if (jurisdiction_or_reply(r, c, jid ? jid : req_query(r, "jurisdiction_id"), &jpath))
        return r->status;
    const char *code = form_get(f, "service_code");
    if (!code || !*code)
        return open311_error_reply(r, 400, "service_code is required");
    struct report_category cat;
    rc = report_category_get(c, &r->arena, code, &cat);
    if (rc == STORE_NOT_FOUND || (!rc && !cat.active))
        return open311_error_reply(r, 400, "service_code not found");
    if (rc)
        return store_error(r, rc);
    const char *lat_s = form_get(f, "lat"), *lon_s = form_get(f, "long");
    if (!lat_s || !lon_s || !*lat_s || !*lon_s)
        return open311_error_reply(r, 400,
                                   "lat and long are required: reports here are placed by "
                                   "position (WGS-84)");
    char *e1, *e2;
    double lat = strtod(lat_s, &e1), lon = strtod(lon_s, &e2);
    if (*e1 || *e2 || !geo_is_valid(lat, lon))
        return open311_error_reply(r, 400, "lat and long are WGS-84 degrees");
    const char *description, *address, *first, *last, *email, *phone;
    if (form_text_or_reply(r, "description", REPORT_DESCRIPTION_MAX, &description) ||
        form_text_or_reply(r, "address_string", REPORT_ADDRESS_MAX, &address) ||
        form_text_or_reply(r, "first_name", REPORT_CONTACT_MAX, &first) ||
        form_text_or_reply(r, "last_name", REPORT_CONTACT_MAX, &last) ||
        form_text_or_reply(r, "email", REPORT_CONTACT_MAX, &email) ||
        form_text_or_reply(r, "phone", 64, &phone))
        return r->status;
    /* media_url may come several times (FixMyStreet's multi_photos): the
     * first is kept, never fetched. */
    const char *media = form_get(f, "media_url");
    if (media && *media && (strlen(media) > 1000 || !text_is_http_url(media)))
        return open311_error_reply(r, 400, "media_url is an http(s) URL");
    /* a photo as a multipart "media" file: cleaned as the app's are */
    struct report_new nr = {0};
    if (media_file_or_reply(r, &nr))
        return r->status;
    const char *bad;
    json_t *given = form_answers(r, &bad);
    if (!given)
        return open311_error_reply(
            r, 400, arena_printf(&r->arena, "%s: attributes are attribute[code]", bad));
    json_t *defs = json_loads(cat.attributes, 0, NULL);
    json_t *answers;
    const char *field, *why;
    rc = report_answers_check(&r->arena, defs, given, r->app->cfg.tz_offset_min, &answers, &field,
                              &why);
    json_decref(defs);
    json_decref(given);
    if (rc) {
        /* "attributes.size" -> "attribute[size]", the name it was sent by */
        const char *name = strncmp(field, "attributes.", 11) == 0
                               ? arena_printf(&r->arena, "attribute[%s]", field + 11)
                               : field;
        return open311_error_reply(r, 400, arena_printf(&r->arena, "%s: %s", name, why));
    }
    nr.cat = &cat;
    nr.lat = lat;
    nr.lon = lon;
    nr.datum = "wgs84";
    nr.address = address ? address : "";
    nr.description = description ? description : "";
    nr.answers = answers;
    nr.source = "open311";
    nr.api_key_id = key_id;
    nr.contact_name = first || last ? arena_printf(&r->arena, "%s%s%s", first ? first : "",
                                                   first && last ? " " : "", last ? last : "")
                                    : NULL;
    nr.contact_email = email;
    nr.contact_phone = phone;
    nr.media_url = media && *media ? media : NULL;
    nr.jurisdiction_path = jpath;
    struct report rep;
    rc = report_create_or_reply(r, c, &nr, true, &rep);
    json_decref(answers);
    if (rc)
        return r->status;
    bool en = wants_en(r);
    return o311_reply(r, 200, "service_requests",
                      json_pack("[{s:s, s:s, s:s, s:n}]", "service_request_id",
                                arena_printf(&r->arena, "%lld", (long long)rep.id), "token",
                                rep.token, "service_notice",
                                service_notice(&r->arena, cat.sla_days, en), "account_id"));
}

const char *report_absolute_url(struct req *r, const char *path)
{
    const char *host = req_header(r, "Host");
    bool ok = host && *host && strlen(host) < 256;
    for (const char *p = host; ok && *p; p++)
        ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
             strchr(".-:[]", *p);
    const char *proto = req_header(r, "X-Forwarded-Proto");
    return arena_printf(&r->arena, "%s://%s%s",
                        proto && strcmp(proto, "https") == 0 ? "https" : "http",
                        ok ? host : "localhost", path);
}
