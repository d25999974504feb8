/*
 * report.c - the rules of grid reports, without HTTP or SQL: the status
 * machine and the reporter's re-open window, service levels counted in
 * working days, the category questions (Open311 attributes) and the
 * answers to them, and region boundaries: GeoJSON polygons, point in
 * polygon, distance to a boundary, and which grid a point belongs to.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/text.h"
#include "report/report.h"

/* ---- statuses ------------------------------------------------------------ */

static const char *const status_names[REPORT_NSTATUS] = {
    "open", "acknowledged", "in_progress", "fixed", "closed", "duplicate", "not_ours",
};

const char *report_status_name(int status)
{
    return status >= 0 && status < REPORT_NSTATUS ? status_names[status] : NULL;
}

int report_status_parse(const char *name)
{
    for (int i = 0; name && i < REPORT_NSTATUS; i++)
        if (strcmp(name, status_names[i]) == 0)
            return i;
    return -1;
}

bool report_status_is_open(int status)
{
    return status == REPORT_OPEN || status == REPORT_ACKNOWLEDGED || status == REPORT_IN_PROGRESS;
}

/* Rows: from; bits: the statuses a handler may move it to. Work goes
 * forward; a fixed report may be found not fixed (back to in progress);
 * a closed, duplicate or not-ours report may be opened again. */
#define B(s) (1u << (s))
static const unsigned transitions[REPORT_NSTATUS] = {
    [REPORT_OPEN] = B(REPORT_ACKNOWLEDGED) | B(REPORT_IN_PROGRESS) | B(REPORT_FIXED) |
                    B(REPORT_CLOSED) | B(REPORT_DUPLICATE) | B(REPORT_NOT_OURS),
    [REPORT_ACKNOWLEDGED] = B(REPORT_IN_PROGRESS) | B(REPORT_FIXED) | B(REPORT_CLOSED) |
                            B(REPORT_DUPLICATE) | B(REPORT_NOT_OURS),
    [REPORT_IN_PROGRESS] =
        B(REPORT_FIXED) | B(REPORT_CLOSED) | B(REPORT_DUPLICATE) | B(REPORT_NOT_OURS),
    [REPORT_FIXED] = B(REPORT_CLOSED) | B(REPORT_IN_PROGRESS),
    [REPORT_CLOSED] = B(REPORT_OPEN),
    [REPORT_DUPLICATE] = B(REPORT_OPEN),
    [REPORT_NOT_OURS] = B(REPORT_OPEN),
};
#undef B

bool report_transition_ok(int from, int to)
{
    if (from < 0 || from >= REPORT_NSTATUS || to < 0 || to >= REPORT_NSTATUS)
        return false;
    return (transitions[from] >> to) & 1u;
}

int report_may_reopen(int status, int64_t fixed_at, int64_t now)
{
    if ((status != REPORT_FIXED && status != REPORT_CLOSED) || fixed_at <= 0)
        return REPORT_REOPEN_NOT_FIXED;
    if (now - fixed_at > (int64_t)REPORT_REOPEN_DAYS * 86400)
        return REPORT_REOPEN_TOO_LATE;
    return REPORT_REOPEN_OK;
}

/* ---- working days ---------------------------------------------------------
 */

static int32_t civil_of(int64_t days)
{
    int y, m, d;
    clock_civil_from_days(days, &y, &m, &d);
    return (int32_t)(y * 10000 + m * 100 + d);
}

static int64_t days_of(int32_t ymd)
{
    return clock_days_from_civil(ymd / 10000, ymd / 100 % 100, ymd % 100);
}

/* The calendar's kind of a day (0: an ordinary day). */
static int day_kind(const struct hours_calendar *cal, int32_t ymd)
{
    size_t lo = 0, hi = cal ? cal->n : 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cal->days[mid].date < ymd)
            lo = mid + 1;
        else if (cal->days[mid].date > ymd)
            hi = mid;
        else
            return cal->days[mid].kind;
    }
    return 0;
}

bool report_is_working_day(const struct hours_calendar *cal, int32_t ymd)
{
    int kind = day_kind(cal, ymd);
    if (kind == HOURS_DAY_HOLIDAY)
        return false;
    if (kind == HOURS_DAY_WORKDAY)
        return true;
    int64_t days = days_of(ymd);
    int weekday = (int)(((days % 7) + 7 + 3) % 7) + 1; /* 1970-01-01 was a Thursday */
    return weekday <= 5;
}

int64_t report_due_at(const struct hours_calendar *cal, int64_t t, int days, int tz_offset_min)
{
    int64_t off = (int64_t)tz_offset_min * 60;
    int64_t local = t + off;
    int64_t day = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
    /* At most a year of holidays in a row is believed. */
    for (int k = 0, guard = 0; k < days && guard < 366 + 2 * REPORT_SLA_MAX_DAYS; guard++) {
        day++;
        k += report_is_working_day(cal, civil_of(day));
    }
    return (day + 1) * 86400 - off;
}

/* ---- category questions ------------------------------------------------- */

#define ATTR_MAX 30
#define ATTR_VALUES_MAX 100

static const char *const datatypes[] = {"string",          "number",         "datetime", "text",
                                        "singlevaluelist", "multivaluelist", NULL};

static bool is_list(const char *datatype)
{
    return strcmp(datatype, "singlevaluelist") == 0 || strcmp(datatype, "multivaluelist") == 0;
}

static bool clean_string(json_t *v, size_t max, bool nonempty)
{
    if (!json_is_string(v))
        return false;
    size_t n = json_string_length(v);
    return n <= max && (!nonempty || n > 0) && text_is_clean_utf8(json_string_value(v), n);
}

static bool only_keys(json_t *o, const char *const *allowed)
{
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v)
    {
        size_t i = 0;
        while (allowed[i] && strcmp(allowed[i], k) != 0)
            i++;
        if (!allowed[i])
            return false;
    }
    return true;
}

static int by_order(const void *x, const void *y)
{
    json_t *a = *(json_t *const *)x, *b = *(json_t *const *)y;
    json_int_t oa = json_integer_value(json_object_get(a, "order"));
    json_int_t ob = json_integer_value(json_object_get(b, "order"));
    if (oa != ob)
        return oa < ob ? -1 : 1;
    return strcmp(json_string_value(json_object_get(a, "code")),
                  json_string_value(json_object_get(b, "code")));
}

/* One value of a list: {key, name, name_en?}. */
static json_t *value_check(json_t *v, const char **why)
{
    static const char *const keys[] = {"key", "name", "name_en", NULL};
    if (!json_is_object(v) || !only_keys(v, keys)) {
        *why = "each value is {key, name, name_en?}";
        return NULL;
    }
    json_t *key = json_object_get(v, "key"), *name = json_object_get(v, "name");
    json_t *en = json_object_get(v, "name_en");
    if (!clean_string(key, 64, true) || !clean_string(name, 200, true) ||
        (en && !json_is_null(en) && !clean_string(en, 200, false))) {
        *why = "a value needs a key (1-64 bytes) and a name (1-200 bytes)";
        return NULL;
    }
    return json_pack("{s:O, s:O, s:s}", "key", key, "name", name, "name_en",
                     en && json_is_string(en) ? json_string_value(en) : "");
}

/* One question; NULL with *why (and *sub, the member at fault). */
static json_t *attr_check(json_t *d, size_t index, const char **sub, const char **why)
{
    static const char *const keys[] = {
        "code",   "datatype",    "required",       "variable",
        "order",  "description", "description_en", "datatype_description",
        "values", NULL};
    *sub = "";
    if (!json_is_object(d) || !only_keys(d, keys)) {
        *why = "a question is an object with code, datatype, required, "
               "description and, "
               "for lists, values";
        return NULL;
    }
    json_t *code = json_object_get(d, "code"), *type = json_object_get(d, "datatype");
    json_t *req = json_object_get(d, "required"), *var = json_object_get(d, "variable");
    json_t *order = json_object_get(d, "order"), *desc = json_object_get(d, "description");
    json_t *desc_en = json_object_get(d, "description_en");
    json_t *dtd = json_object_get(d, "datatype_description");
    json_t *values = json_object_get(d, "values");
    if (!json_is_string(code) || !text_is_code(json_string_value(code)))
        return *sub = ".code", *why = "code is 1-64 letters, digits, '_', '-' or '.'", NULL;
    size_t t = 0;
    while (datatypes[t] &&
           !(json_is_string(type) && strcmp(datatypes[t], json_string_value(type)) == 0))
        t++;
    if (!datatypes[t])
        return *sub = ".datatype",
               *why = "datatype is string, number, datetime, text, "
                      "singlevaluelist or "
                      "multivaluelist",
               NULL;
    if (!json_is_boolean(req))
        return *sub = ".required", *why = "required is true or false", NULL;
    if (var && !json_is_boolean(var))
        return *sub = ".variable", *why = "variable is true or false", NULL;
    if (order && !(json_is_integer(order) && json_integer_value(order) >= 1 &&
                   json_integer_value(order) <= 1000))
        return *sub = ".order", *why = "order is a whole number from 1 to 1000", NULL;
    if (!clean_string(desc, 500, true))
        return *sub = ".description", *why = "description is 1-500 bytes of text", NULL;
    if (desc_en && !json_is_null(desc_en) && !clean_string(desc_en, 500, false))
        return *sub = ".description_en", *why = "description_en is at most 500 bytes", NULL;
    if (dtd && !json_is_null(dtd) && !clean_string(dtd, 200, false))
        return *sub = ".datatype_description", *why = "datatype_description is at most 200 bytes",
               NULL;
    bool list = is_list(datatypes[t]);
    if (list && (!json_is_array(values) || json_array_size(values) == 0 ||
                 json_array_size(values) > ATTR_VALUES_MAX))
        return *sub = ".values", *why = "a list needs 1 to 100 values", NULL;
    if (!list && values && !json_is_null(values))
        return *sub = ".values", *why = "only lists have values", NULL;
    json_t *out_values = json_array();
    for (size_t i = 0; list && i < json_array_size(values); i++) {
        json_t *v = value_check(json_array_get(values, i), why);
        for (size_t k = 0; v && k < json_array_size(out_values); k++)
            if (strcmp(json_string_value(json_object_get(json_array_get(out_values, k), "key")),
                       json_string_value(json_object_get(v, "key"))) == 0) {
                json_decref(v);
                v = NULL;
                *why = "two values have the same key";
            }
        if (!v)
            return json_decref(out_values), *sub = ".values", NULL;
        json_array_append_new(out_values, v);
    }
    json_t *o = json_pack(
        "{s:O, s:s, s:b, s:b, s:I, s:O, s:s, s:O}", "code", code, "datatype", datatypes[t],
        "required", json_is_true(req), "variable", var ? json_is_true(var) : 1, "order",
        order ? json_integer_value(order) : (json_int_t)index + 1, "description", desc,
        "description_en", desc_en && json_is_string(desc_en) ? json_string_value(desc_en) : "",
        "datatype_description", dtd && json_is_string(dtd) ? dtd : json_null());
    if (list)
        json_object_set_new(o, "values", out_values);
    else
        json_decref(out_values);
    return o;
}

int report_attributes_check(struct arena *a, json_t *defs, json_t **out, const char **field,
                            const char **why)
{
    *out = NULL;
    *field = "attributes";
    if (!json_is_array(defs) || json_array_size(defs) > ATTR_MAX) {
        *why = "attributes is an array of at most 30 questions";
        return -1;
    }
    size_t n = json_array_size(defs);
    json_t **items = arena_calloc(a, n ? n : 1, sizeof(*items));
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        const char *sub;
        items[i] = attr_check(json_array_get(defs, i), i, &sub, why);
        if (!items[i]) {
            *field = arena_printf(a, "attributes[%zu]%s", i, sub);
            rc = -1;
            break;
        }
        for (size_t k = 0; k < i && !rc; k++)
            if (strcmp(json_string_value(json_object_get(items[k], "code")),
                       json_string_value(json_object_get(items[i], "code"))) == 0) {
                *field = arena_printf(a, "attributes[%zu].code", i);
                *why = "two questions have the same code";
                rc = -1;
            }
    }
    if (!rc) {
        qsort(items, n, sizeof(*items), by_order);
        *out = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(*out, items[i]);
    } else {
        for (size_t i = 0; i < n; i++)
            json_decref(items[i]);
    }
    return rc;
}

/* ---- answers ------------------------------------------------------------- */

static json_t *find_question(json_t *defs, const char *code)
{
    for (size_t i = 0; i < json_array_size(defs); i++) {
        json_t *d = json_array_get(defs, i);
        if (strcmp(json_string_value(json_object_get(d, "code")), code) == 0)
            return d;
    }
    return NULL;
}

static bool has_key(json_t *def, const char *key)
{
    json_t *values = json_object_get(def, "values");
    for (size_t i = 0; i < json_array_size(values); i++)
        if (strcmp(json_string_value(json_object_get(json_array_get(values, i), "key")), key) == 0)
            return true;
    return false;
}

/* Is v no answer at all: null, "", []? */
static bool is_blank(json_t *v)
{
    return !v || json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0) ||
           (json_is_array(v) && json_array_size(v) == 0);
}

/* The checked answer to one question, new; NULL with *why. */
static json_t *answer_check(json_t *def, json_t *v, int tz, const char **why)
{
    const char *type = json_string_value(json_object_get(def, "datatype"));
    if (strcmp(type, "string") == 0 || strcmp(type, "text") == 0) {
        size_t max = type[0] == 's' ? 200 : 2000;
        if (!clean_string(v, max, true))
            return *why = type[0] == 's' ? "a string of at most 200 bytes"
                                         : "a text of at most 2000 bytes",
                   NULL;
        return json_incref(v);
    }
    if (strcmp(type, "number") == 0) {
        double d;
        if (json_is_number(v)) {
            d = json_number_value(v);
        } else if (json_is_string(v)) {
            const char *s = json_string_value(v);
            char *end;
            d = strtod(s, &end);
            if (end == s || *end)
                return *why = "a number", NULL;
        } else {
            return *why = "a number", NULL;
        }
        if (!isfinite(d) || fabs(d) > 1e15)
            return *why = "a finite number", NULL;
        if (d == floor(d))
            return json_integer((json_int_t)d);
        return json_real(d);
    }
    if (strcmp(type, "datetime") == 0) {
        int64_t t;
        if (!json_is_string(v) || clock_parse_iso(json_string_value(v), tz, &t))
            return *why = "a date and time such as 2026-12-01T08:30:00+08:00", NULL;
        char buf[40];
        return json_string(clock_format_iso(t, tz, buf, sizeof buf));
    }
    if (strcmp(type, "singlevaluelist") == 0) {
        if (!json_is_string(v) || !has_key(def, json_string_value(v)))
            return *why = "one of the question's keys", NULL;
        return json_incref(v);
    }
    /* multivaluelist: keys, each once */
    json_t *out = json_array();
    size_t n = json_is_array(v) ? json_array_size(v) : 1;
    for (size_t i = 0; i < n; i++) {
        json_t *k = json_is_array(v) ? json_array_get(v, i) : v;
        if (!json_is_string(k) || !has_key(def, json_string_value(k))) {
            json_decref(out);
            return *why = "keys of the question's values", NULL;
        }
        bool dup = false;
        for (size_t j = 0; j < json_array_size(out); j++)
            dup |= strcmp(json_string_value(json_array_get(out, j)), json_string_value(k)) == 0;
        if (!dup)
            json_array_append(out, k);
    }
    return out;
}

int report_answers_check(struct arena *a, json_t *defs, json_t *answers, int tz_offset_min,
                         json_t **out, const char **field, const char **why)
{
    *out = NULL;
    *field = "attributes";
    if (answers && !json_is_null(answers) && !json_is_object(answers)) {
        *why = "attributes is an object of answers by question code";
        return -1;
    }
    json_t *got = json_object();
    const char *code;
    json_t *v;
    json_object_foreach(answers && json_is_object(answers) ? answers : got, code, v)
    {
        json_t *def = find_question(defs, code);
        *field = arena_printf(a, "attributes.%s", code);
        if (!def) {
            *why = "this category asks no such question";
            return json_decref(got), -1;
        }
        if (!json_is_true(json_object_get(def, "variable"))) {
            *why = "this question is information only, not to be answered";
            return json_decref(got), -1;
        }
        if (is_blank(v))
            continue;
        json_t *ok = answer_check(def, v, tz_offset_min, why);
        if (!ok)
            return json_decref(got), -1;
        json_object_set_new(got, code, ok);
    }
    for (size_t i = 0; i < json_array_size(defs); i++) {
        json_t *d = json_array_get(defs, i);
        const char *c = json_string_value(json_object_get(d, "code"));
        if (json_is_true(json_object_get(d, "required")) &&
            json_is_true(json_object_get(d, "variable")) && !json_object_get(got, c)) {
            *field = arena_printf(a, "attributes.%s", c);
            *why = "this question must be answered";
            return json_decref(got), -1;
        }
    }
    *out = got;
    return 0;
}

/* ---- boundaries ------------------------------------------------------------
 */

#define EARTH_R 6371008.8
#define DEG (M_PI / 180.0)

/* One ring: [[lon, lat], ...], closed. */
static int ring_parse(struct arena *a, json_t *arr, enum geo_datum datum, struct report_ring *out,
                      size_t *budget, const char **why)
{
    size_t n = json_is_array(arr) ? json_array_size(arr) : 0;
    if (n < 4)
        return *why = "a ring is an array of at least four positions", -1;
    if (n > *budget)
        return *why = "the boundary has too many positions (at most 20000)", -1;
    *budget -= n;
    struct geo_point *pts = arena_calloc(a, n, sizeof(*pts));
    double first[2] = {0, 0};
    for (size_t i = 0; i < n; i++) {
        json_t *p = json_array_get(arr, i);
        size_t len = json_is_array(p) ? json_array_size(p) : 0;
        json_t *x = json_array_get(p, 0), *y = json_array_get(p, 1);
        if ((len != 2 && len != 3) || !json_is_number(x) || !json_is_number(y) ||
            (len == 3 && !json_is_number(json_array_get(p, 2))))
            return *why = "a position is [lon, lat] (a height may follow)", -1;
        double lon = json_number_value(x), lat = json_number_value(y);
        if (!geo_is_valid(lat, lon))
            return *why = "a position is outside lon -180..180, lat -90..90", -1;
        if (i == 0) {
            first[0] = lon;
            first[1] = lat;
        } else if (i == n - 1 && (lon != first[0] || lat != first[1])) {
            return *why = "a ring must end where it starts", -1;
        }
        struct geo_point g = {lat, lon};
        pts[i] = i == n - 1 ? pts[0] : geo_convert(g, datum, GEO_WGS84);
    }
    out->n = n;
    out->pts = pts;
    return 0;
}

static int polygon_parse(struct arena *a, json_t *rings, enum geo_datum datum,
                         struct report_polygon *out, size_t *budget, size_t *ring_budget,
                         const char **why)
{
    size_t n = json_is_array(rings) ? json_array_size(rings) : 0;
    if (n < 1)
        return *why = "a polygon is an array of rings, the outer one first", -1;
    if (n > *ring_budget)
        return *why = "the boundary has too many rings (at most 1000)", -1;
    *ring_budget -= n;
    struct report_ring *rs = arena_calloc(a, n, sizeof(*rs));
    for (size_t i = 0; i < n; i++)
        if (ring_parse(a, json_array_get(rings, i), datum, &rs[i], budget, why))
            return -1;
    out->nrings = n;
    out->rings = rs;
    return 0;
}

void report_geom_bounds(struct report_geom *g)
{
    g->bbox[0] = g->bbox[1] = INFINITY;
    g->bbox[2] = g->bbox[3] = -INFINITY;
    for (size_t i = 0; i < g->npolys; i++)
        for (size_t k = 0; k < g->polys[i].nrings; k++)
            for (size_t j = 0; j < g->polys[i].rings[k].n; j++) {
                const struct geo_point *p = &g->polys[i].rings[k].pts[j];
                g->bbox[0] = fmin(g->bbox[0], p->lon);
                g->bbox[1] = fmin(g->bbox[1], p->lat);
                g->bbox[2] = fmax(g->bbox[2], p->lon);
                g->bbox[3] = fmax(g->bbox[3], p->lat);
            }
}

int report_geom_parse(struct arena *a, json_t *g, enum geo_datum datum, struct report_geom *out,
                      const char **field, const char **why)
{
    memset(out, 0, sizeof(*out));
    *field = "type";
    if (!json_is_object(g))
        return *why = "a GeoJSON Polygon or MultiPolygon (or a Feature of one)", -1;
    const char *type = json_string_value(json_object_get(g, "type"));
    if (type && strcmp(type, "Feature") == 0) {
        g = json_object_get(g, "geometry");
        *field = "geometry.type";
        type = json_is_object(g) ? json_string_value(json_object_get(g, "type")) : NULL;
    }
    bool multi = type && strcmp(type, "MultiPolygon") == 0;
    if (!type || (!multi && strcmp(type, "Polygon") != 0))
        return *why = "type is Polygon or MultiPolygon", -1;
    json_t *coords = json_object_get(g, "coordinates");
    *field = *field[0] == 'g' ? "geometry.coordinates" : "coordinates";
    size_t np = multi ? (json_is_array(coords) ? json_array_size(coords) : 0) : 1;
    if (!json_is_array(coords) || np < 1)
        return *why = "coordinates is an array of rings (of polygons for a "
                      "MultiPolygon)",
               -1;
    if (np > REPORT_GEOM_MAX_RINGS)
        return *why = "the boundary has too many rings (at most 1000)", -1;
    struct report_polygon *ps = arena_calloc(a, np, sizeof(*ps));
    size_t budget = REPORT_GEOM_MAX_VERTICES, ring_budget = REPORT_GEOM_MAX_RINGS;
    for (size_t i = 0; i < np; i++)
        if (polygon_parse(a, multi ? json_array_get(coords, i) : coords, datum, &ps[i], &budget,
                          &ring_budget, why))
            return -1;
    out->npolys = np;
    out->polys = ps;
    out->nvertices = REPORT_GEOM_MAX_VERTICES - budget;
    report_geom_bounds(out);
    if (!(out->bbox[0] <= out->bbox[2] && out->bbox[1] <= out->bbox[3]) ||
        !geo_is_valid(out->bbox[1], out->bbox[0]) || !geo_is_valid(out->bbox[3], out->bbox[2]))
        return *field = "coordinates", *why = "a position left the world in conversion", -1;
    return 0;
}

static json_t *ring_json(const struct report_ring *r)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < r->n; i++)
        json_array_append_new(arr, json_pack("[f, f]", r->pts[i].lon, r->pts[i].lat));
    return arr;
}

static json_t *polygon_json(const struct report_polygon *p)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < p->nrings; i++)
        json_array_append_new(arr, ring_json(&p->rings[i]));
    return arr;
}

json_t *report_geom_json(const struct report_geom *g)
{
    if (g->npolys == 1)
        return json_pack("{s:s, s:o}", "type", "Polygon", "coordinates",
                         polygon_json(&g->polys[0]));
    json_t *arr = json_array();
    for (size_t i = 0; i < g->npolys; i++)
        json_array_append_new(arr, polygon_json(&g->polys[i]));
    return json_pack("{s:s, s:o}", "type", "MultiPolygon", "coordinates", arr);
}

/* Even-odd crossings with half-open edges: an edge counts when the
 * point's latitude is in [low end, high end) of it and the point lies
 * west of where the edge crosses that latitude. */
static bool ring_crossings_odd(const struct report_ring *r, double lat, double lon)
{
    bool odd = false;
    for (size_t i = 0, j = r->n - 1; i < r->n; j = i++) {
        double yi = r->pts[i].lat, yj = r->pts[j].lat;
        if ((yi > lat) != (yj > lat)) {
            double xi = r->pts[i].lon, xj = r->pts[j].lon;
            double x = xi + (xj - xi) * (lat - yi) / (yj - yi);
            if (lon < x)
                odd = !odd;
        }
    }
    return odd;
}

bool report_geom_contains(const struct report_geom *g, double lat, double lon)
{
    if (!(lon >= g->bbox[0] && lon <= g->bbox[2] && lat >= g->bbox[1] && lat <= g->bbox[3]))
        return false;
    for (size_t i = 0; i < g->npolys; i++) {
        bool in = false;
        for (size_t k = 0; k < g->polys[i].nrings; k++)
            in ^= ring_crossings_odd(&g->polys[i].rings[k], lat, lon);
        if (in)
            return true;
    }
    return false;
}

double report_geom_distance_m(const struct report_geom *g, double lat, double lon)
{
    if (report_geom_contains(g, lat, lon))
        return 0;
    /* A plane around the point: metres east and north. Good to a few
     * metres over the few kilometres that matter here. */
    double kx = cos(lat * DEG) * EARTH_R * DEG, ky = EARTH_R * DEG;
    double best = INFINITY;
    for (size_t i = 0; i < g->npolys; i++)
        for (size_t k = 0; k < g->polys[i].nrings; k++) {
            const struct report_ring *r = &g->polys[i].rings[k];
            for (size_t j = 1; j < r->n; j++) {
                double ax = (r->pts[j - 1].lon - lon) * kx, ay = (r->pts[j - 1].lat - lat) * ky;
                double bx = (r->pts[j].lon - lon) * kx, by = (r->pts[j].lat - lat) * ky;
                double dx = bx - ax, dy = by - ay, len2 = dx * dx + dy * dy;
                double t = len2 > 0 ? -(ax * dx + ay * dy) / len2 : 0;
                t = t < 0 ? 0 : t > 1 ? 1 : t;
                double px = ax + t * dx, py = ay + t * dy;
                best = fmin(best, sqrt(px * px + py * py));
            }
        }
    return best;
}

long report_pick_grid(const struct report_area *areas, size_t n, double lat, double lon,
                      double max_m)
{
    long inside = -1, nearest = -1;
    double best = INFINITY;
    for (size_t i = 0; i < n; i++) {
        const struct report_area *ar = &areas[i];
        if (!ar->level || strcmp(ar->level, "grid") != 0)
            continue;
        if (report_geom_contains(&ar->geom, lat, lon)) {
            if (inside < 0 || ar->region_id < areas[inside].region_id)
                inside = (long)i;
            continue;
        }
        double d = report_geom_distance_m(&ar->geom, lat, lon);
        if ((max_m < 0 || d <= max_m) &&
            (d < best || (d == best && nearest >= 0 && ar->region_id < areas[nearest].region_id))) {
            best = d;
            nearest = (long)i;
        }
    }
    return inside >= 0 ? inside : nearest;
}
