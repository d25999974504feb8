/*
 * site.c - the domain rules of a site: defaults, merging a patch, every
 * check on its fields, and whether it is open. No HTTP, no SQL.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/text.h"
#include "geo/coord.h"
#include "site/site.h"

static const char *const site_statuses[] = {
    "operational", "partly_operational", "temporarily_closed", "closed", "planned", "removed",
};

bool site_status_is_valid(const char *status)
{
    for (size_t i = 0; i < sizeof site_statuses / sizeof site_statuses[0]; i++)
        if (strcmp(status, site_statuses[i]) == 0)
            return true;
    return false;
}

void site_defaults(struct site *s)
{
    memset(s, 0, sizeof(*s));
    s->name_zh = s->name_en = s->address_zh = s->address_en = "";
    s->phone = s->manager = s->description = "";
    s->status = "operational";
    s->opening_hours = "24/7";
    s->input_datum = "wgs84";
}

void site_merge(struct site *dst, const struct site *src, unsigned set)
{
#define TAKE(bit, field)                                                                           \
    if (set & (bit))                                                                               \
    dst->field = src->field
    TAKE(SF_NAME_ZH, name_zh);
    TAKE(SF_NAME_EN, name_en);
    TAKE(SF_TYPE, type_code);
    TAKE(SF_REGION, region_code);
    TAKE(SF_ADDRESS_ZH, address_zh);
    TAKE(SF_ADDRESS_EN, address_en);
    TAKE(SF_PHONE, phone);
    TAKE(SF_MANAGER, manager);
    TAKE(SF_DESCRIPTION, description);
    TAKE(SF_STATUS, status);
    TAKE(SF_STATUS_REASON, status_reason);
    TAKE(SF_PUBLIC, is_public);
    TAKE(SF_HOURS, opening_hours);
#undef TAKE
    if (set & SF_POSITION) {
        dst->lat = src->lat;
        dst->lon = src->lon;
        dst->input_datum = src->input_datum;
    }
    if (set & SF_CAPACITY) {
        dst->has_capacity = src->has_capacity;
        dst->capacity = src->capacity;
    }
    if (set & SF_STATUS_UNTIL) {
        dst->has_until = src->has_until;
        dst->status_until = src->status_until;
    }
    if (set & SF_AMENITIES) {
        dst->namenities = src->namenities;
        dst->amenities = src->amenities;
    }
    if (set & SF_PHOTOS) {
        dst->nphotos = src->nphotos;
        dst->photos = src->photos;
    }
    /* Back in operation: a closure's reason and end no longer apply. */
    if ((set & SF_STATUS) && strcmp(dst->status, "temporarily_closed") != 0) {
        if (!(set & SF_STATUS_REASON))
            dst->status_reason = NULL;
        if (!(set & SF_STATUS_UNTIL))
            dst->has_until = false;
    }
}

static int fault(struct site_fault *f, const char *code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fault(struct site_fault *f, const char *code, const char *field, const char *fmt, ...)
{
    f->code = code;
    f->field = field;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->message, sizeof f->message, fmt, ap);
    va_end(ap);
    text_utf8_trim(f->message); /* a long code may have been cut mid-character */
    return -1;
}

/* A text field: at most max bytes of clean UTF-8; required means non-empty. */
static int check_text(const char *v, const char *field, size_t max, bool required,
                      struct site_fault *f)
{
    if (!v || !*v)
        return required ? fault(f, "missing_field", field, "%s is required", field) : 0;
    size_t n = strlen(v);
    if (n > max)
        return fault(f, "too_long", field, "%s may be at most %zu bytes", field, max);
    if (!text_is_clean_utf8(v, n))
        return fault(f, "invalid_field", field, "%s must be UTF-8 text without control characters",
                     field);
    return 0;
}

int site_check(const struct site *s, struct site_fault *f)
{
    if (check_text(s->name_zh, "name_zh", 200, true, f) ||
        check_text(s->name_en, "name_en", 200, false, f) ||
        check_text(s->address_zh, "address_zh", 500, false, f) ||
        check_text(s->address_en, "address_en", 500, false, f) ||
        check_text(s->manager, "manager", 100, false, f) ||
        check_text(s->description, "description", 4000, false, f) ||
        check_text(s->status_reason, "status_reason", 500, false, f))
        return -1;
    if (!s->type_code || !*s->type_code)
        return fault(f, "missing_field", "type", "%s is required", "type");
    if (!text_is_code(s->type_code))
        return fault(f, "unknown_type", "type", "no site type has code %s", s->type_code);
    if (s->region_code && !text_is_code(s->region_code))
        return fault(f, "unknown_region", "region", "no region has code %s", s->region_code);
    if (!geo_is_valid(s->lat, s->lon))
        return fault(f, "invalid_field", "position",
                     "%s must have lat in [-90, 90] and lon in [-180, 180]", "position");
    if (s->phone && *s->phone && !text_is_phone(s->phone))
        return fault(f, "invalid_field", "phone", "%s may hold digits, spaces and + - ( ) only",
                     "phone");
    if (s->has_capacity && (s->capacity < 0 || s->capacity > 100000))
        return fault(f, "invalid_field", "capacity", "%s must be 0 to 100000", "capacity");
    if (!site_status_is_valid(s->status))
        return fault(f, "invalid_field", "status",
                     "%s is one of operational, partly_operational, "
                     "temporarily_closed, closed, planned, removed",
                     "status");
    if (strcmp(s->status, "temporarily_closed") == 0 && (!s->status_reason || !*s->status_reason))
        return fault(f, "missing_field", "status_reason", "a temporary closure needs a %s",
                     "status_reason");
    if (!s->opening_hours || !*s->opening_hours)
        return fault(f, "missing_field", "opening_hours", "%s is required", "opening_hours");
    struct hours *h;
    struct hours_error herr;
    if (hours_parse(s->opening_hours, &h, &herr)) {
        f->code = "invalid_opening_hours";
        f->field = "opening_hours";
        snprintf(f->message, sizeof f->message, "at character %zu: %s", herr.pos + 1, herr.message);
        return -1;
    }
    hours_free(h);
    if (s->namenities > SITE_MAX_AMENITIES)
        return fault(f, "invalid_field", "amenities", "%s: at most 64", "amenities");
    for (size_t i = 0; i < s->namenities; i++) {
        const struct site_amenity *m = &s->amenities[i];
        if (!text_is_code(m->code))
            return fault(f, "unknown_amenity", "amenities", "no amenity has code %s", m->code);
        if (m->count < 0 || m->count > 10000)
            return fault(f, "invalid_field", "amenities", "the count of %s must be 0 to 10000",
                         m->code);
        for (size_t j = 0; j < i; j++)
            if (strcmp(s->amenities[j].code, m->code) == 0)
                return fault(f, "invalid_field", "amenities", "%s is listed twice", m->code);
    }
    if (s->nphotos > SITE_MAX_PHOTOS)
        return fault(f, "invalid_field", "photos", "%s: at most 10", "photos");
    for (size_t i = 0; i < s->nphotos; i++)
        if (strlen(s->photos[i]) > 1000 || !text_is_http_url(s->photos[i]))
            return fault(f, "invalid_field", "photos",
                         "%s must be http(s) URLs of at most 1000 bytes", "photos");
    return 0;
}

#define SITE_HORIZON_S ((int64_t)400 * 86400)

/* Open by the hours alone at t, and the next change of that. */
static void hours_state(const struct hours *h, const struct hours_calendar *cal, int64_t t, int tz,
                        bool *open, int64_t *next)
{
    *open = hours_is_open(h, cal, t, tz);
    *next = hours_next_change(h, cal, t, tz, SITE_HORIZON_S);
}

const char *site_status_static(const char *status)
{
    for (size_t i = 0; i < sizeof site_statuses / sizeof site_statuses[0]; i++)
        if (strcmp(status, site_statuses[i]) == 0)
            return site_statuses[i];
    return NULL;
}

enum site_open_rule site_open_rule(const char *status, bool has_until)
{
    if (strcmp(status, "operational") == 0 || strcmp(status, "partly_operational") == 0)
        return SITE_OPEN_BY_HOURS;
    if (strcmp(status, "temporarily_closed") == 0 && has_until)
        return SITE_OPEN_AFTER_UNTIL;
    return SITE_OPEN_NEVER;
}

void site_open_state(const char *status, bool has_until, int64_t status_until,
                     const struct hours *h, const struct hours_calendar *cal, int64_t t,
                     int tz_offset_min, bool *open, int64_t *next_change)
{
    *open = false;
    *next_change = -1;
    enum site_open_rule rule = site_open_rule(status, has_until);
    if (rule == SITE_OPEN_NEVER || !h)
        return;
    if (rule == SITE_OPEN_BY_HOURS || t >= status_until) {
        hours_state(h, cal, t, tz_offset_min, open, next_change);
    } else {
        /* Closed until status_until; from then on the hours decide. */
        if (hours_is_open(h, cal, status_until, tz_offset_min))
            *next_change = status_until;
        else
            *next_change = hours_next_change(h, cal, status_until, tz_offset_min, SITE_HORIZON_S);
    }
}

void site_open_at(const struct site *s, const struct hours_calendar *cal, int64_t t,
                  int tz_offset_min, bool *open, int64_t *next_change)
{
    struct hours *h;
    struct hours_error herr;
    if (hours_parse(s->opening_hours, &h, &herr))
        h = NULL;
    site_open_state(s->status, s->has_until, s->status_until, h, cal, t, tz_offset_min, open,
                    next_change);
    hours_free(h);
}
