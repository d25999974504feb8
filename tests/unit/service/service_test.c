/*
 * service_test.c - unit tests for the domain rules in src/service/service.c.
 *
 * UUIDs: RFC 9562's name-based UUIDv8 example (appendix B.2) and the
 * catalogue's own ids as an independent SHA-256 computation gives them;
 * parsing. Checks: a complete valid service and organization pass, then
 * each fault is provoked one at a time and must come back with its code
 * and field (limits at the bound and one past it). Open now: an inactive
 * service, a closed or temporarily closed site, a public holiday.
 * Weekly schedules: the rows HSDS gets for typical hours, runs past
 * midnight and over the week's end, and the hours that are not weekly.
 * near= and the HSDS page arithmetic.
 */
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "service/service.h"
#include "test.h"

static int64_t iso(const char *s)
{
    int64_t t = 0;
    if (clock_parse_iso(s, CLOCK_CHINA_OFFSET_MIN, &t))
        fprintf(stderr, "test time does not parse: %s\n", s);
    return t;
}

static char long_text[5000];

static const char *text_of(size_t n)
{
    memset(long_text, 'a', n);
    long_text[n] = '\0';
    return long_text;
}

/* ---- UUIDs --------------------------------------------------------------- */

static void uuid_rfc9562_example(void)
{
    char out[SERVICE_UUID_LEN + 1];
    /* RFC 9562, B.2: SHA-256 of NameSpace_DNS and "www.example.com". */
    service_uuid_in("6ba7b810-9dad-11d1-80b4-00c04fd430c8", "www.example.com", out);
    CHECK_STR(out, "5c146b14-3c52-8afd-938a-375d0df1fbf6");
}

static void uuid_catalogue_names(void)
{
    char out[SERVICE_UUID_LEN + 1];
    /* Computed independently (Python's hashlib) for the fixed namespace. */
    service_uuid("service:1", out);
    CHECK_STR(out, "0eb9331a-1270-84bd-a3c6-67a930cd30aa");
    service_uuid("organization:hz-legal-aid", out);
    CHECK_STR(out, "4ebc3212-6e3d-82e5-9457-d4264d30bb5e");
    service_uuid(SERVICE_TAXONOMY_NAME, out);
    CHECK_STR(out, "b7d3afd8-a796-8a82-8d81-918da26f810a");
    /* Version 8, RFC 9562 variant. */
    CHECK(out[14] == '8');
    CHECK(strchr("89ab", out[19]) != NULL);
    struct arena a;
    arena_init(&a);
    CHECK_STR(service_uuidf(&a, "service:%d", 1), "0eb9331a-1270-84bd-a3c6-67a930cd30aa");
    CHECK(strcmp(service_uuidf(&a, "service:%d", 2), service_uuidf(&a, "service:%d", 1)) != 0);
    arena_release(&a);
}

static void uuid_parse(void)
{
    char canon[SERVICE_UUID_LEN + 1];
    CHECK(service_uuid_parse("0EB9331A-1270-84BD-A3C6-67A930CD30AA", canon));
    CHECK_STR(canon, "0eb9331a-1270-84bd-a3c6-67a930cd30aa");
    CHECK(service_uuid_parse("0eb9331a-1270-84bd-a3c6-67a930cd30aa", NULL));
    CHECK(!service_uuid_parse("0eb9331a-1270-84bd-a3c6-67a930cd30a", canon));
    CHECK(!service_uuid_parse("0eb9331a-1270-84bd-a3c6-67a930cd30aaa", canon));
    CHECK(!service_uuid_parse("0eb9331a-1270-84bd-a3c6x67a930cd30aa", canon));
    CHECK(!service_uuid_parse("0eb9331g-1270-84bd-a3c6-67a930cd30aa", canon));
    CHECK(!service_uuid_parse("1", canon));
    CHECK(!service_uuid_parse("", canon));
    CHECK(!service_uuid_parse(NULL, canon));
}

/* ---- small checks -------------------------------------------------------- */

static void emails_and_urls(void)
{
    CHECK(service_email_is_valid("legal-aid@haizhou.gov.cn"));
    CHECK(service_email_is_valid("a.b+c@x.y"));
    CHECK(!service_email_is_valid("no-at.example.com"));
    CHECK(!service_email_is_valid("a@localhost"));
    CHECK(!service_email_is_valid("a..b@x.cn"));
    CHECK(!service_email_is_valid(".a@x.cn"));
    CHECK(!service_email_is_valid("a@-x.cn"));
    CHECK(!service_email_is_valid("a@x.cn."));
    CHECK(!service_email_is_valid("a b@x.cn"));
    CHECK(!service_email_is_valid("张三@x.cn"));
    CHECK(service_url_is_valid("https://www.hz.gov.cn/fw?id=3#top"));
    CHECK(service_url_is_valid("http://10.0.0.1:8080/a/b%20c"));
    CHECK(!service_url_is_valid("ftp://x.cn/"));
    CHECK(!service_url_is_valid("https://"));
    CHECK(!service_url_is_valid("https:///path"));
    CHECK(!service_url_is_valid("https://x.cn/a b"));
    CHECK(!service_url_is_valid("https://x.cn/<script>"));
    CHECK(!service_url_is_valid("https://x.cn/%zz"));
    CHECK(!service_url_is_valid("https://x.cn:80a/"));
    CHECK(!service_url_is_valid("https://x.cn/#a#b"));
    CHECK(!service_url_is_valid("https://x.cn/中文"));
    CHECK(service_language_is_valid("zh"));
    CHECK(service_language_is_valid("yue"));
    CHECK(!service_language_is_valid("z"));
    CHECK(!service_language_is_valid("zh-CN"));
    CHECK(!service_language_is_valid("ZH"));
    CHECK_STR(service_language_name("en", true), "英语");
    CHECK_STR(service_language_name("zh", false), "Chinese");
    CHECK(service_language_name("xx", false) == NULL);
    CHECK(service_status_is_valid("temporarily_closed"));
    CHECK(!service_status_is_valid("closed"));
    CHECK(!service_status_is_valid(NULL));
    CHECK_STR(service_status_hsds("temporarily_closed"), "temporarily closed");
    CHECK_STR(service_status_hsds("active"), "active");
}

/* ---- service_check ------------------------------------------------------- */

static struct service_document two_docs[] = {{"身份证", "ID card"}, {"居住证", ""}};

static void valid_service(struct service *s)
{
    service_defaults(s);
    s->org.code = "hz-legal-aid";
    s->category.code = "legal_aid";
    s->name_zh = "法律援助";
    s->name_en = "Legal aid";
    s->email = "help@hz.gov.cn";
    s->url = "https://hz.gov.cn/legal";
    s->phone = "0518-85810002";
    s->languages = "zh,en";
    s->documents = two_docs;
    s->ndocuments = 2;
}

#define EXPECT_FAULT(mutate, want_code, want_field)                                                \
    do {                                                                                           \
        struct service s;                                                                          \
        struct service_fault f = {0};                                                              \
        valid_service(&s);                                                                         \
        mutate;                                                                                    \
        CHECK_INT(service_check(&s, &f), -1);                                                      \
        CHECK_STR(f.code, want_code);                                                              \
        CHECK_STR(f.field, want_field);                                                            \
    } while (0)

static void check_valid_and_defaults(void)
{
    struct service s;
    struct service_fault f;
    valid_service(&s);
    CHECK_INT(service_check(&s, &f), 0);
    service_defaults(&s);
    CHECK(s.free);
    CHECK_STR(s.status, "active");
    CHECK_STR(s.languages, "zh");
    s.name_zh = text_of(200); /* at the bound */
    s.org.code = "o";
    s.category.code = "c";
    CHECK_INT(service_check(&s, &f), 0);
}

static struct service_document many_docs[SERVICE_MAX_DOCUMENTS + 1];

static void check_faults(void)
{
    EXPECT_FAULT(s.org.code = "", "missing_field", "organization");
    EXPECT_FAULT(s.org.code = "bad code", "unknown_organization", "organization");
    EXPECT_FAULT(s.category.code = NULL, "missing_field", "category");
    EXPECT_FAULT(s.category.code = "a/b", "unknown_category", "category");
    EXPECT_FAULT(s.name_zh = "", "missing_field", "name_zh");
    EXPECT_FAULT(s.name_zh = text_of(201), "too_long", "name_zh");
    EXPECT_FAULT(s.name_en = "a\x01"
                             "b",
                 "invalid_field", "name_en");
    EXPECT_FAULT(s.description_en = text_of(4001), "too_long", "description_en");
    EXPECT_FAULT(s.eligibility_zh = text_of(2001), "too_long", "eligibility_zh");
    EXPECT_FAULT(s.fees_en = text_of(501), "too_long", "fees_en");
    EXPECT_FAULT(s.phone = "call me", "invalid_field", "phone");
    EXPECT_FAULT(s.email = "nobody", "invalid_field", "email");
    EXPECT_FAULT(s.url = "javascript:alert(1)", "invalid_field", "url");
    EXPECT_FAULT(s.contact_name = text_of(101), "too_long", "contact_name");
    EXPECT_FAULT(s.languages = "", "missing_field", "languages");
    EXPECT_FAULT(s.languages = "zh,ZH", "invalid_field", "languages");
    EXPECT_FAULT(s.languages = "zh,en,zh", "invalid_field", "languages");
    EXPECT_FAULT(s.languages = "zh,", "invalid_field", "languages");
    EXPECT_FAULT(s.languages = "aa,ab,ac,ad,ae,af,ag,ah,ai,aj,ak", "invalid_field", "languages");
    EXPECT_FAULT(s.status = "closed", "invalid_field", "status");
    for (size_t i = 0; i <= SERVICE_MAX_DOCUMENTS; i++)
        many_docs[i] = (struct service_document){"证", ""};
    EXPECT_FAULT((s.documents = many_docs, s.ndocuments = SERVICE_MAX_DOCUMENTS + 1),
                 "invalid_field", "required_documents");
    static struct service_document bad[] = {{"身份证", ""}, {"", "only English"}};
    EXPECT_FAULT((s.documents = bad, s.ndocuments = 2), "missing_field",
                 "required_documents[1].zh");
    static struct service_document long_en[] = {{"证", NULL}};
    long_en[0].en = text_of(201);
    EXPECT_FAULT((s.documents = long_en, s.ndocuments = 1), "too_long", "required_documents[0].en");
    struct service s;
    struct service_fault f;
    valid_service(&s);
    s.documents = many_docs;
    s.ndocuments = SERVICE_MAX_DOCUMENTS; /* at the bound */
    CHECK_INT(service_check(&s, &f), 0);
    s.languages = "aa,ab,ac,ad,ae,af,ag,ah,ai,aj";
    CHECK_INT(service_check(&s, &f), 0);
}

static void check_organization(void)
{
    struct organization o;
    struct service_fault f = {0};
    organization_defaults(&o);
    o.code = "hz-legal-aid";
    o.name_zh = "海州区法律援助中心";
    o.website = "https://hz.gov.cn";
    CHECK_INT(organization_check(&o, &f), 0);
    o.code = "";
    CHECK_INT(organization_check(&o, &f), -1);
    CHECK_STR(f.code, "missing_field");
    CHECK_STR(f.field, "code");
    o.code = "hz legal";
    CHECK_INT(organization_check(&o, &f), -1);
    CHECK_STR(f.code, "invalid_field");
    CHECK_STR(f.field, "code");
    o.code = text_of(65);
    CHECK_INT(organization_check(&o, &f), -1);
    CHECK_STR(f.field, "code");
    o.code = "ok";
    o.name_zh = "";
    CHECK_INT(organization_check(&o, &f), -1);
    CHECK_STR(f.code, "missing_field");
    CHECK_STR(f.field, "name_zh");
    o.name_zh = "名";
    o.website = "www.hz.gov.cn";
    CHECK_INT(organization_check(&o, &f), -1);
    CHECK_STR(f.field, "website");
    o.website = "";
    o.email = "x@";
    CHECK_INT(organization_check(&o, &f), -1);
    CHECK_STR(f.field, "email");
}

static void check_hours(void)
{
    struct service_fault f = {0};
    CHECK_INT(service_hours_check("Mo-Fr 09:00-17:00; PH off", &f), 0);
    CHECK_INT(service_hours_check("", &f), -1);
    CHECK_STR(f.code, "missing_field");
    CHECK_STR(f.field, "opening_hours");
    CHECK_INT(service_hours_check("Mo-Fr 9-5", &f), -1);
    CHECK_STR(f.code, "invalid_opening_hours");
    CHECK_STR(f.field, "opening_hours");
    CHECK(strstr(f.message, "at character") != NULL);
}

/* ---- open now ------------------------------------------------------------ */

static void location_at(struct service_location *l, const char *hours, const char *site_status)
{
    memset(l, 0, sizeof(*l));
    l->opening_hours = hours;
    l->site.status = site_status;
}

static void open_now(void)
{
    static const struct hours_day days[] = {{20260105, HOURS_DAY_HOLIDAY, 0}};
    struct hours_calendar none = {NULL, 0}, cal = {days, 1};
    struct service s;
    struct service_location l;
    bool open;
    int64_t next;
    valid_service(&s);
    location_at(&l, "Mo-Fr 09:00-17:00; PH off", "operational");
    /* Monday 2026-01-12 10:00 */
    service_location_open_at(&s, &l, &none, iso("2026-01-12T10:00:00+08:00"), 480, &open, &next);
    CHECK(open);
    CHECK_INT(next, iso("2026-01-12T17:00:00+08:00"));
    service_location_open_at(&s, &l, &none, iso("2026-01-12T08:00:00+08:00"), 480, &open, &next);
    CHECK(!open);
    CHECK_INT(next, iso("2026-01-12T09:00:00+08:00"));
    /* Monday 2026-01-05 is a holiday in this calendar: PH off. */
    service_location_open_at(&s, &l, &cal, iso("2026-01-05T10:00:00+08:00"), 480, &open, &next);
    CHECK(!open);
    CHECK_INT(next, iso("2026-01-06T09:00:00+08:00"));
    /* The site partly operational: the service still runs. */
    l.site.status = "partly_operational";
    service_location_open_at(&s, &l, &none, iso("2026-01-12T10:00:00+08:00"), 480, &open, &next);
    CHECK(open);
    /* The site closed for a while: closed until then, and the hours decide
     * after. */
    l.site.status = "temporarily_closed";
    l.site.has_until = true;
    l.site.status_until = iso("2026-01-13T12:00:00+08:00");
    service_location_open_at(&s, &l, &none, iso("2026-01-12T10:00:00+08:00"), 480, &open, &next);
    CHECK(!open);
    CHECK_INT(next, iso("2026-01-13T12:00:00+08:00"));
    l.site.has_until = false;
    service_location_open_at(&s, &l, &none, iso("2026-01-12T10:00:00+08:00"), 480, &open, &next);
    CHECK(!open);
    CHECK_INT(next, -1);
    for (size_t i = 0; i < 3; i++) {
        static const char *const gone[] = {"closed", "planned", "removed"};
        l.site.status = gone[i];
        service_location_open_at(&s, &l, &none, iso("2026-01-12T10:00:00+08:00"), 480, &open,
                                 &next);
        CHECK(!open);
        CHECK_INT(next, -1);
    }
    /* The service itself not active: never open, whatever the hours. */
    l.site.status = "operational";
    static const char *const idle[] = {"inactive", "temporarily_closed", "defunct"};
    for (size_t i = 0; i < 3; i++) {
        s.status = idle[i];
        service_location_open_at(&s, &l, &none, iso("2026-01-12T10:00:00+08:00"), 480, &open,
                                 &next);
        CHECK(!open);
        CHECK_INT(next, -1);
    }
}

static void parse_near(void)
{
    double lat = 0, lon = 0;
    CHECK_INT(service_parse_near("34.575,119.2", &lat, &lon), 0);
    CHECK_NEAR(lat, 34.575, 1e-12);
    CHECK_NEAR(lon, 119.2, 1e-12);
    CHECK_INT(service_parse_near("-90,180", &lat, &lon), 0);
    CHECK_INT(service_parse_near("91,0", &lat, &lon), -1);
    CHECK_INT(service_parse_near("0,181", &lat, &lon), -1);
    CHECK_INT(service_parse_near("34.5", &lat, &lon), -1);
    CHECK_INT(service_parse_near("34.5,", &lat, &lon), -1);
    CHECK_INT(service_parse_near(",119", &lat, &lon), -1);
    CHECK_INT(service_parse_near("34.5,119,1", &lat, &lon), -1);
    CHECK_INT(service_parse_near("nan,119", &lat, &lon), -1);
    CHECK_INT(service_parse_near("34.5;119", &lat, &lon), -1);
    CHECK_INT(service_parse_near("", &lat, &lon), -1);
}

/* ---- weekly schedules ---------------------------------------------------- */

static const int64_t some_day = 1767225600; /* 2026-01-01T08:00:00+08:00, a Thursday */

static int weekly(const char *hours, struct service_schedule_row *rows, bool *ph)
{
    return service_weekly_schedule(hours, some_day, 480, rows, SERVICE_SCHEDULE_MAX, ph);
}

#define ROW(i, days, o, c)                                                                         \
    do {                                                                                           \
        CHECK_STR(rows[i].byday, days);                                                            \
        CHECK_INT(rows[i].opens_min, o);                                                           \
        CHECK_INT(rows[i].closes_min, c);                                                          \
    } while (0)

static void schedule_weekdays(void)
{
    struct service_schedule_row rows[SERVICE_SCHEDULE_MAX];
    bool ph;
    CHECK_INT(weekly("Mo-Fr 08:30-12:00,14:00-17:30; PH off", rows, &ph), 2);
    ROW(0, "MO,TU,WE,TH,FR", 510, 720);
    ROW(1, "MO,TU,WE,TH,FR", 840, 1050);
    CHECK(ph);
    CHECK_INT(weekly("Mo-Fr 09:00-17:00; Sa 09:00-12:00", rows, &ph), 2);
    ROW(0, "MO,TU,WE,TH,FR", 540, 1020);
    ROW(1, "SA", 540, 720);
    CHECK(!ph);
    CHECK_INT(weekly("Sa-Mo 10:00-12:00", rows, &ph), 1);
    ROW(0, "MO,SA,SU", 600, 720);
    /* A later rule replaces a day. */
    CHECK_INT(weekly("Mo-Fr 08:00-20:00; We off", rows, &ph), 1);
    ROW(0, "MO,TU,TH,FR", 480, 1200);
    CHECK_INT(weekly("Mo-Su 08:00-20:00; Su 09:00-12:00", rows, &ph), 2);
    ROW(0, "MO,TU,WE,TH,FR,SA", 480, 1200);
    ROW(1, "SU", 540, 720);
    /* "PH" inside a comment is not a holiday rule. */
    CHECK_INT(weekly("Tu 14:00-17:30 \"not on PH eves\"", rows, &ph), 1);
    CHECK(!ph);
}

static void schedule_midnight_and_whole_days(void)
{
    struct service_schedule_row rows[SERVICE_SCHEDULE_MAX];
    bool ph;
    CHECK_INT(weekly("24/7", rows, &ph), 1);
    ROW(0, "MO,TU,WE,TH,FR,SA,SU", 0, 1440);
    CHECK_INT(weekly("Mo-Su 18:00-02:00", rows, &ph), 1);
    ROW(0, "MO,TU,WE,TH,FR,SA,SU", 1080, 120);
    /* Over the week's end: Sunday night into Monday. */
    CHECK_INT(weekly("Su 22:00-02:00", rows, &ph), 1);
    ROW(0, "SU", 1320, 120);
    CHECK_INT(weekly("Mo-Fr 08:00-24:00", rows, &ph), 1);
    ROW(0, "MO,TU,WE,TH,FR", 480, 1440);
    /* Longer than a day: cut at midnights. */
    CHECK_INT(weekly("Mo,Tu 00:00-24:00; We 00:00-06:00", rows, &ph), 2);
    ROW(0, "MO,TU", 0, 1440);
    ROW(1, "WE", 0, 360);
    CHECK_INT(weekly("Fr 20:00-24:00; Sa 00:00-24:00; Su 00:00-03:00", rows, &ph), 3);
    ROW(0, "FR", 1200, 1440);
    ROW(1, "SA", 0, 1440);
    ROW(2, "SU", 0, 180);
}

static void schedule_not_weekly(void)
{
    struct service_schedule_row rows[SERVICE_SCHEDULE_MAX];
    bool ph;
    CHECK_INT(weekly("off", rows, &ph), 0);
    CHECK_INT(weekly("Jul-Aug Mo-Fr 08:00-17:30; PH off", rows, &ph), -1);
    CHECK(ph);
    CHECK_INT(weekly("Fr[1] 09:00-16:00", rows, &ph), -1);
    CHECK_INT(weekly("2026 Jan 05 10:00-12:00", rows, &ph), -1);
    CHECK_INT(weekly("Mo-Fr 9-5", rows, &ph), -1);
    /* Too many rows for the caller's room. */
    CHECK_INT(service_weekly_schedule("Mo 08:00-09:00,10:00-11:00; Tu 12:00-13:00", some_day, 480,
                                      rows, 2, &ph),
              -1);
}

static void paging(void)
{
    struct service_page p = {.page = 1, .per_page = 10};
    service_page_fill(&p, 25, 10);
    CHECK_INT(p.total_pages, 3);
    CHECK(p.first_page && !p.last_page && !p.empty);
    p.page = 3;
    service_page_fill(&p, 25, 5);
    CHECK(!p.first_page && p.last_page && !p.empty);
    p.page = 4;
    service_page_fill(&p, 25, 0);
    CHECK(p.last_page && p.empty);
    p.page = 1;
    service_page_fill(&p, 0, 0);
    CHECK_INT(p.total_pages, 0);
    CHECK(p.first_page && p.last_page && p.empty);
    p.per_page = 25;
    service_page_fill(&p, 25, 25);
    CHECK_INT(p.total_pages, 1);
    CHECK(p.last_page);
}

int main(void)
{
    RUN(uuid_rfc9562_example);
    RUN(uuid_catalogue_names);
    RUN(uuid_parse);
    RUN(emails_and_urls);
    RUN(check_valid_and_defaults);
    RUN(check_faults);
    RUN(check_organization);
    RUN(check_hours);
    RUN(open_now);
    RUN(parse_near);
    RUN(schedule_weekdays);
    RUN(schedule_midnight_and_whole_days);
    RUN(schedule_not_weekly);
    RUN(paging);
    return test_report("service");
}
