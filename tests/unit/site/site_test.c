/*
 * site_test.c - unit tests for the domain rules in src/site/site.c.
 *
 * site_check: a complete valid site passes, then each fault is provoked
 * one at a time on an otherwise valid site and must come back with its
 * code and field (limits are probed at the bound and one past it).
 * site_merge: only the named fields move, and a status other than
 * temporarily_closed clears the closure's reason and end unless the same
 * patch sets them. site_open_at: in-service statuses follow the hours, a
 * temporary closure is closed until status_until (or for good without
 * one), and closed, planned and removed sites are never open.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "site/site.h"
#include "test.h"

static int64_t iso(const char *s)
{
    int64_t t = 0;
    if (clock_parse_iso(s, CLOCK_CHINA_OFFSET_MIN, &t))
        fprintf(stderr, "test time does not parse: %s\n", s);
    return t;
}

static struct site_amenity two_amenities[] = {{"microwave", 1}, {"phone_charging", 4}};
static const char *two_photos[] = {"https://example.com/a.jpg", "http://example.com/b.png"};

/* A valid site with every field set. */
static void valid_site(struct site *s)
{
    site_defaults(s);
    s->name_zh = "\xe6\x96\x87\xe4\xb8\x89\xe8\xb7\xaf\xe6\x9a\x96\xe5\xb1\x8b";
    s->name_en = "Wensan Road Warm Hut";
    s->type_code = "warm_hut";
    s->region_code = "HZ-XH";
    s->address_zh = "\xe6\x96\x87\xe4\xb8\x89\xe8\xb7\xaf 90 \xe5\x8f\xb7";
    s->address_en = "90 Wensan Road";
    s->lat = 30.2741;
    s->lon = 120.1551;
    s->phone = "+86 571 8888-8888";
    s->manager = "Li Lei";
    s->description = "Hot water, a microwave\nand phone charging.";
    s->has_capacity = true;
    s->capacity = 12;
    s->opening_hours = "Mo-Fr 08:00-18:00; Sa 09:00-12:00";
    s->namenities = 2;
    s->amenities = two_amenities;
    s->nphotos = 2;
    s->photos = two_photos;
}

/* Run site_check and compare its fault with code and field. */
static int check_fault(const struct site *s, const char *code, const char *field, int line)
{
    struct site_fault f;
    memset(&f, 0, sizeof f);
    int rc = site_check(s, &f);
    int bad = 0;
    if (rc != -1 || !f.code || !f.field || strcmp(f.code, code) != 0 ||
        strcmp(f.field, field) != 0 || !f.message[0]) {
        fprintf(stderr, "%s:%d: site_check: rc %d, code %s, field %s; want %s %s\n", __FILE__, line,
                rc, f.code ? f.code : "(null)", f.field ? f.field : "(null)", code, field);
        bad = 1;
    }
    return bad;
}
#define CHECK_FAULT(s, code, field)                                                                \
    do {                                                                                           \
        if (check_fault((s), (code), (field), __LINE__))                                           \
            test_checks_failed_in_case++;                                                          \
    } while (0)

static int check_ok(const struct site *s, int line)
{
    struct site_fault f;
    memset(&f, 0, sizeof f);
    if (site_check(s, &f) == 0)
        return 0;
    fprintf(stderr, "%s:%d: site_check refused: %s %s (%s)\n", __FILE__, line, f.code, f.field,
            f.message);
    return 1;
}
#define CHECK_OK(s)                                                                                \
    do {                                                                                           \
        if (check_ok((s), __LINE__))                                                               \
            test_checks_failed_in_case++;                                                          \
    } while (0)

/* A string of n copies of unit (a UTF-8 character or byte). */
static const char *repeat(char *buf, size_t cap, const char *unit, size_t n)
{
    size_t u = strlen(unit), len = 0;
    for (size_t i = 0; i < n && len + u < cap; i++, len += u)
        memcpy(buf + len, unit, u);
    buf[len] = '\0';
    return buf;
}

/* ------------------------------------------------------------------------ */

static void test_defaults(void)
{
    struct site s;
    memset(&s, 0x5a, sizeof s);
    site_defaults(&s);
    CHECK_STR(s.status, "operational");
    CHECK_STR(s.opening_hours, "24/7");
    CHECK_STR(s.input_datum, "wgs84");
    CHECK_STR(s.name_zh, "");
    CHECK_STR(s.description, "");
    CHECK(s.status_reason == NULL);
    CHECK(s.region_code == NULL && s.type_code == NULL);
    CHECK(!s.has_capacity && !s.has_until && !s.is_public);
    CHECK(s.namenities == 0 && s.nphotos == 0);
    /* Defaults alone are not a site: the name is missing. */
    struct site_fault f;
    CHECK_INT(site_check(&s, &f), -1);
    CHECK_STR(f.code, "missing_field");
    CHECK_STR(f.field, "name_zh");
}

static void test_status_names(void)
{
    static const char *const good[] = {
        "operational", "partly_operational", "temporarily_closed", "closed", "planned", "removed"};
    for (size_t i = 0; i < 6; i++)
        CHECK(site_status_is_valid(good[i]));
    CHECK(!site_status_is_valid(""));
    CHECK(!site_status_is_valid("open"));
    CHECK(!site_status_is_valid("Operational"));
    CHECK(!site_status_is_valid("closed "));
}

static void test_check_happy(void)
{
    struct site s;
    valid_site(&s);
    CHECK_OK(&s);

    /* The minimum: name, type, position; the rest defaults. */
    site_defaults(&s);
    s.name_zh = "\xe6\x9a\x96";
    s.type_code = "warm_hut";
    CHECK_OK(&s);

    /* Bounds that are still fine. */
    valid_site(&s);
    char name[800], desc[4100], mgr[200];
    s.name_zh = repeat(name, sizeof name, "\xe6\x9a\x96", 66); /* 198 bytes */
    s.manager = repeat(mgr, sizeof mgr, "m", 100);
    s.description = repeat(desc, sizeof desc, "d", 4000);
    s.lat = 90, s.lon = -180;
    s.capacity = 100000;
    s.status = "temporarily_closed";
    s.status_reason = "snow";
    s.has_until = true;
    s.status_until = iso("2026-12-01T00:00:00");
    s.phone = "";
    s.region_code = NULL;
    CHECK_OK(&s);
    s.capacity = 0;
    s.has_capacity = false;
    s.photos = NULL;
    s.nphotos = 0;
    s.amenities = NULL;
    s.namenities = 0;
    CHECK_OK(&s);

    static const char *const statuses[] = {"operational", "partly_operational", "closed", "planned",
                                           "removed"};
    valid_site(&s);
    for (size_t i = 0; i < 5; i++) {
        s.status = statuses[i];
        CHECK_OK(&s);
    }
}

static void test_check_text_faults(void)
{
    struct site s;
    char buf[5000];

    valid_site(&s);
    s.name_zh = "";
    CHECK_FAULT(&s, "missing_field", "name_zh");
    s.name_zh = NULL;
    CHECK_FAULT(&s, "missing_field", "name_zh");
    s.name_zh = repeat(buf, sizeof buf, "n", 200);
    CHECK_OK(&s);
    s.name_zh = repeat(buf, sizeof buf, "n", 201);
    CHECK_FAULT(&s, "too_long", "name_zh");
    s.name_zh = repeat(buf, sizeof buf, "\xe6\x9a\x96", 67); /* 201 bytes */
    CHECK_FAULT(&s, "too_long", "name_zh");
    s.name_zh = "bad\x01name";
    CHECK_FAULT(&s, "invalid_field", "name_zh");
    s.name_zh = "bad\xc0\x80name";
    CHECK_FAULT(&s, "invalid_field", "name_zh");
    s.name_zh = "\xe6\x9a";
    CHECK_FAULT(&s, "invalid_field", "name_zh");

    valid_site(&s);
    s.name_en = repeat(buf, sizeof buf, "e", 201);
    CHECK_FAULT(&s, "too_long", "name_en");
    s.name_en = NULL; /* optional */
    CHECK_OK(&s);

    valid_site(&s);
    s.address_zh = repeat(buf, sizeof buf, "a", 500);
    CHECK_OK(&s);
    s.address_zh = repeat(buf, sizeof buf, "a", 501);
    CHECK_FAULT(&s, "too_long", "address_zh");

    valid_site(&s);
    s.address_en = "x\x1b[2J";
    CHECK_FAULT(&s, "invalid_field", "address_en");

    valid_site(&s);
    s.manager = repeat(buf, sizeof buf, "m", 101);
    CHECK_FAULT(&s, "too_long", "manager");

    valid_site(&s);
    s.description = repeat(buf, sizeof buf, "d", 4001);
    CHECK_FAULT(&s, "too_long", "description");
    s.description = "tab\tnewline\nok";
    CHECK_OK(&s);
    s.description = "del\x7f";
    CHECK_FAULT(&s, "invalid_field", "description");

    valid_site(&s);
    s.status = "temporarily_closed";
    s.status_reason = repeat(buf, sizeof buf, "r", 501);
    CHECK_FAULT(&s, "too_long", "status_reason");
}

static void test_check_code_faults(void)
{
    struct site s;
    valid_site(&s);
    s.type_code = NULL;
    CHECK_FAULT(&s, "missing_field", "type");
    s.type_code = "";
    CHECK_FAULT(&s, "missing_field", "type");
    s.type_code = "warm hut";
    CHECK_FAULT(&s, "unknown_type", "type");
    s.type_code = "_hut";
    CHECK_FAULT(&s, "unknown_type", "type");

    valid_site(&s);
    s.region_code = "HZ/XH";
    CHECK_FAULT(&s, "unknown_region", "region");
    s.region_code = "";
    CHECK_FAULT(&s, "unknown_region", "region");
}

static void test_check_value_faults(void)
{
    struct site s;
    valid_site(&s);
    s.lat = 90.0001;
    CHECK_FAULT(&s, "invalid_field", "position");
    s.lat = -91;
    CHECK_FAULT(&s, "invalid_field", "position");
    s.lat = NAN;
    CHECK_FAULT(&s, "invalid_field", "position");
    s.lat = 30;
    s.lon = 180.5;
    CHECK_FAULT(&s, "invalid_field", "position");
    s.lon = -INFINITY;
    CHECK_FAULT(&s, "invalid_field", "position");

    valid_site(&s);
    s.phone = "call me";
    CHECK_FAULT(&s, "invalid_field", "phone");
    s.phone = "12";
    CHECK_FAULT(&s, "invalid_field", "phone");
    s.phone = NULL; /* no phone */
    CHECK_OK(&s);

    valid_site(&s);
    s.capacity = -1;
    CHECK_FAULT(&s, "invalid_field", "capacity");
    s.capacity = 100001;
    CHECK_FAULT(&s, "invalid_field", "capacity");
    s.has_capacity = false; /* the value is ignored without has_capacity */
    CHECK_OK(&s);

    valid_site(&s);
    s.status = "open";
    CHECK_FAULT(&s, "invalid_field", "status");
    s.status = "";
    CHECK_FAULT(&s, "invalid_field", "status");

    valid_site(&s);
    s.status = "temporarily_closed";
    s.status_reason = NULL;
    CHECK_FAULT(&s, "missing_field", "status_reason");
    s.status_reason = "";
    CHECK_FAULT(&s, "missing_field", "status_reason");

    valid_site(&s);
    s.opening_hours = "";
    CHECK_FAULT(&s, "missing_field", "opening_hours");
    s.opening_hours = NULL;
    CHECK_FAULT(&s, "missing_field", "opening_hours");
    s.opening_hours = "Mo-Fr 25:00-26:00x";
    CHECK_FAULT(&s, "invalid_opening_hours", "opening_hours");
    s.opening_hours = "always";
    CHECK_FAULT(&s, "invalid_opening_hours", "opening_hours");
}

static void test_check_list_faults(void)
{
    struct site s;
    struct site_amenity many[SITE_MAX_AMENITIES + 1];
    char codes[SITE_MAX_AMENITIES + 1][8];
    for (size_t i = 0; i <= SITE_MAX_AMENITIES; i++) {
        snprintf(codes[i], sizeof codes[i], "a%zu", i);
        many[i].code = codes[i];
        many[i].count = 1;
    }
    valid_site(&s);
    s.amenities = many;
    s.namenities = SITE_MAX_AMENITIES;
    CHECK_OK(&s);
    s.namenities = SITE_MAX_AMENITIES + 1;
    CHECK_FAULT(&s, "invalid_field", "amenities");

    struct site_amenity am[2] = {{"microwave", 1}, {"microwave", 2}};
    s.amenities = am;
    s.namenities = 2;
    CHECK_FAULT(&s, "invalid_field", "amenities"); /* listed twice */
    am[1].code = "bad code";
    CHECK_FAULT(&s, "unknown_amenity", "amenities");
    am[1].code = "heater";
    am[1].count = -1;
    CHECK_FAULT(&s, "invalid_field", "amenities");
    am[1].count = 10001;
    CHECK_FAULT(&s, "invalid_field", "amenities");
    am[1].count = 10000;
    CHECK_OK(&s);
    am[1].count = 0;
    CHECK_OK(&s);

    const char *photos[SITE_MAX_PHOTOS + 1];
    for (size_t i = 0; i <= SITE_MAX_PHOTOS; i++)
        photos[i] = "https://example.com/p.jpg";
    valid_site(&s);
    s.photos = photos;
    s.nphotos = SITE_MAX_PHOTOS;
    CHECK_OK(&s);
    s.nphotos = SITE_MAX_PHOTOS + 1;
    CHECK_FAULT(&s, "invalid_field", "photos");
    s.nphotos = 2;
    photos[1] = "ftp://example.com/p.jpg";
    CHECK_FAULT(&s, "invalid_field", "photos");
    photos[1] = "https://example.com/a b.jpg";
    CHECK_FAULT(&s, "invalid_field", "photos");
    char url[1100] = "https://example.com/";
    size_t n = strlen(url);
    memset(url + n, 'p', 1000 - n);
    url[1000] = '\0';
    photos[1] = url;
    CHECK_OK(&s);
    url[1000] = 'p';
    url[1001] = '\0';
    CHECK_FAULT(&s, "invalid_field", "photos");
}

/* The first fault found is reported: names before type before position. */
static void test_check_order(void)
{
    struct site s;
    valid_site(&s);
    s.name_zh = "";
    s.type_code = "";
    s.lat = 100;
    CHECK_FAULT(&s, "missing_field", "name_zh");
    s.name_zh = "x";
    CHECK_FAULT(&s, "missing_field", "type");
    s.type_code = "t";
    CHECK_FAULT(&s, "invalid_field", "position");
}

/* ---- merge ---------------------------------------------------------- */

static void closed_site(struct site *s)
{
    valid_site(s);
    s->status = "temporarily_closed";
    s->status_reason = "burst pipe";
    s->has_until = true;
    s->status_until = iso("2026-12-01T08:00:00");
}

static void test_merge_named_fields(void)
{
    struct site dst, src, before;
    valid_site(&dst);
    memcpy(&before, &dst, sizeof before);
    memset(&src, 0, sizeof src);
    src.name_zh = "new name";
    src.name_en = "should not move";
    src.lat = 31;
    src.lon = 121;
    src.input_datum = "gcj02";
    src.phone = "110";

    site_merge(&dst, &src, 0);
    CHECK(memcmp(&dst, &before, sizeof dst) == 0);

    site_merge(&dst, &src, SF_NAME_ZH | SF_PHONE);
    CHECK_STR(dst.name_zh, "new name");
    CHECK_STR(dst.phone, "110");
    CHECK_STR(dst.name_en, before.name_en);
    CHECK(dst.lat == before.lat && dst.lon == before.lon);
    CHECK_STR(dst.status, "operational");

    site_merge(&dst, &src, SF_POSITION);
    CHECK(dst.lat == 31 && dst.lon == 121);
    CHECK_STR(dst.input_datum, "gcj02");

    /* Capacity: clearing it. */
    src.has_capacity = false;
    src.capacity = 99;
    site_merge(&dst, &src, SF_CAPACITY);
    CHECK(!dst.has_capacity);

    /* Lists are replaced whole, also by an empty list. */
    site_merge(&dst, &src, SF_AMENITIES | SF_PHOTOS);
    CHECK_INT(dst.namenities, 0);
    CHECK_INT(dst.nphotos, 0);

    /* Region: NULL clears it. */
    site_merge(&dst, &src, SF_REGION);
    CHECK(dst.region_code == NULL);

    /* The merged site is still valid. */
    CHECK_OK(&dst);

    /* SF_ALL copies everything there is. */
    struct site full;
    valid_site(&full);
    struct site empty;
    site_defaults(&empty);
    site_merge(&empty, &full, SF_ALL);
    CHECK(memcmp(&empty, &full, sizeof full) == 0);
}

static void test_merge_reopen_clears_closure(void)
{
    struct site dst, src;
    memset(&src, 0, sizeof src);

    /* Back to operational: reason and until go. */
    closed_site(&dst);
    src.status = "operational";
    site_merge(&dst, &src, SF_STATUS);
    CHECK_STR(dst.status, "operational");
    CHECK(dst.status_reason == NULL);
    CHECK(!dst.has_until);
    CHECK_OK(&dst);

    /* partly_operational too. */
    closed_site(&dst);
    src.status = "partly_operational";
    site_merge(&dst, &src, SF_STATUS);
    CHECK(dst.status_reason == NULL && !dst.has_until);

    /* Still temporarily closed: the old reason and end stay. */
    closed_site(&dst);
    src.status = "temporarily_closed";
    site_merge(&dst, &src, SF_STATUS);
    CHECK_STR(dst.status_reason, "burst pipe");
    CHECK(dst.has_until);

    /* A new closure with its own reason and end. */
    valid_site(&dst);
    src.status = "temporarily_closed";
    src.status_reason = "snow";
    src.has_until = true;
    src.status_until = 1234;
    site_merge(&dst, &src, SF_STATUS | SF_STATUS_REASON | SF_STATUS_UNTIL);
    CHECK_STR(dst.status_reason, "snow");
    CHECK(dst.has_until && dst.status_until == 1234);
    CHECK_OK(&dst);

    /* Reopening while the same patch sets a reason keeps the patch's. */
    closed_site(&dst);
    src.status = "operational";
    src.status_reason = "reopened after repair";
    site_merge(&dst, &src, SF_STATUS | SF_STATUS_REASON);
    CHECK_STR(dst.status_reason, "reopened after repair");
    CHECK(!dst.has_until);

    /* A patch without status leaves a closure alone. */
    closed_site(&dst);
    src.name_zh = "renamed";
    site_merge(&dst, &src, SF_NAME_ZH);
    CHECK_STR(dst.status, "temporarily_closed");
    CHECK_STR(dst.status_reason, "burst pipe");
    CHECK(dst.has_until);

    /* Changing only the end of a closure. */
    closed_site(&dst);
    src.has_until = false;
    site_merge(&dst, &src, SF_STATUS_UNTIL);
    CHECK(!dst.has_until);
    CHECK_STR(dst.status_reason, "burst pipe");
}

/* ---- open at -------------------------------------------------------- */

struct open_case {
    const char *status;
    const char *hours;
    const char *until; /* NULL: none */
    const char *at;
    bool open;
    const char *next; /* NULL: -1 */
};

/* 2026-01-05 is a Monday; all times are UTC+8. */
static const struct open_case open_cases[] = {
    {"operational", "24/7", NULL, "2026-01-05T10:00", true, NULL},
    {"operational", "Mo-Fr 08:00-18:00", NULL, "2026-01-05T10:00", true, "2026-01-05T18:00"},
    {"operational", "Mo-Fr 08:00-18:00", NULL, "2026-01-05T07:00", false, "2026-01-05T08:00"},
    {"operational", "Mo-Fr 08:00-18:00", NULL, "2026-01-10T10:00", false, "2026-01-12T08:00"},
    {"partly_operational", "Mo-Fr 08:00-18:00", NULL, "2026-01-05T10:00", true, "2026-01-05T18:00"},
    {"operational", "off", NULL, "2026-01-05T10:00", false, NULL},
    /* A closure without an end: closed, nothing known to change. */
    {"temporarily_closed", "24/7", NULL, "2026-01-05T10:00", false, NULL},
    {"temporarily_closed", "Mo-Fr 08:00-18:00", NULL, "2026-01-05T10:00", false, NULL},
    /* Before the end: closed; opens at the end if the hours say open then. */
    {"temporarily_closed", "24/7", "2026-01-07T12:00", "2026-01-05T10:00", false,
     "2026-01-07T12:00"},
    {"temporarily_closed", "Mo-Fr 08:00-18:00", "2026-01-07T12:00", "2026-01-05T10:00", false,
     "2026-01-07T12:00"},
    /* ... or at the first opening after the end. */
    {"temporarily_closed", "Mo-Fr 08:00-18:00", "2026-01-07T20:00", "2026-01-05T10:00", false,
     "2026-01-08T08:00"},
    {"temporarily_closed", "Mo-Fr 08:00-18:00", "2026-01-09T19:00", "2026-01-05T10:00", false,
     "2026-01-12T08:00"},
    /* At or after the end: the hours decide. */
    {"temporarily_closed", "Mo-Fr 08:00-18:00", "2026-01-05T09:00", "2026-01-05T10:00", true,
     "2026-01-05T18:00"},
    {"temporarily_closed", "Mo-Fr 08:00-18:00", "2026-01-05T10:00", "2026-01-05T10:00", true,
     "2026-01-05T18:00"},
    {"temporarily_closed", "24/7", "2026-01-01T00:00", "2026-01-05T10:00", true, NULL},
    {"temporarily_closed", "Mo-Fr 08:00-18:00", "2026-01-01T00:00", "2026-01-10T10:00", false,
     "2026-01-12T08:00"},
    /* Never open, whatever the hours. */
    {"closed", "24/7", NULL, "2026-01-05T10:00", false, NULL},
    {"closed", "24/7", "2026-01-01T00:00", "2026-01-05T10:00", false, NULL},
    {"planned", "24/7", NULL, "2026-01-05T10:00", false, NULL},
    {"planned", "Mo-Fr 08:00-18:00", "2026-01-01T00:00", "2026-01-05T10:00", false, NULL},
    {"removed", "24/7", NULL, "2026-01-05T10:00", false, NULL},
    {"removed", "Mo-Fr 08:00-18:00", NULL, "2026-01-05T10:00", false, NULL},
    /* Hours that do not parse (stored before a rule change): closed. */
    {"operational", "not hours", NULL, "2026-01-05T10:00", false, NULL},
};

static void test_open_at(void)
{
    for (size_t i = 0; i < sizeof open_cases / sizeof open_cases[0]; i++) {
        const struct open_case *c = &open_cases[i];
        struct site s;
        valid_site(&s);
        s.status = c->status;
        s.status_reason = "x";
        s.opening_hours = c->hours;
        s.has_until = c->until != NULL;
        s.status_until = c->until ? iso(c->until) : 0;
        bool open = !c->open;
        int64_t next = -2;
        site_open_at(&s, NULL, iso(c->at), CLOCK_CHINA_OFFSET_MIN, &open, &next);
        int64_t want_next = c->next ? iso(c->next) : -1;
        if (open != c->open || next != want_next) {
            char got[40] = "-1";
            if (next >= 0)
                clock_format_iso(next, CLOCK_CHINA_OFFSET_MIN, got, sizeof got);
            fprintf(stderr,
                    "  case %zu (%s, \"%s\", until %s, at %s): open %d next %s;"
                    " want %d %s\n",
                    i, c->status, c->hours, c->until ? c->until : "-", c->at, open, got, c->open,
                    c->next ? c->next : "-1");
        }
        CHECK(open == c->open);
        CHECK_INT(next, want_next);
    }
}

/* Holidays from the calendar apply through the hours. */
static void test_open_at_holiday(void)
{
    static const struct hours_day days[] = {{20260105, HOURS_DAY_HOLIDAY, 0}};
    struct hours_calendar cal = {days, 1};
    struct site s;
    valid_site(&s);
    s.opening_hours = "Mo-Fr 08:00-18:00; PH off";
    bool open;
    int64_t next;
    site_open_at(&s, &cal, iso("2026-01-05T10:00"), CLOCK_CHINA_OFFSET_MIN, &open, &next);
    CHECK(!open);
    CHECK_INT(next, iso("2026-01-06T08:00"));
    site_open_at(&s, NULL, iso("2026-01-05T10:00"), CLOCK_CHINA_OFFSET_MIN, &open, &next);
    CHECK(open);
}

int main(void)
{
    RUN(test_defaults);
    RUN(test_status_names);
    RUN(test_check_happy);
    RUN(test_check_text_faults);
    RUN(test_check_code_faults);
    RUN(test_check_value_faults);
    RUN(test_check_list_faults);
    RUN(test_check_order);
    RUN(test_merge_named_fields);
    RUN(test_merge_reopen_clears_closure);
    RUN(test_open_at);
    RUN(test_open_at_holiday);
    return test_report("site");
}
