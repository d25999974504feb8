/*
 * service.c - the catalogue's domain rules: name-based UUIDs for the HSDS
 * API, what a valid organization, service and location look like, whether
 * a service is open at a site now, opening hours as HSDS weekly schedule
 * rows, and HSDS page arithmetic. No HTTP, no SQL.
 */
#include <ctype.h>
#include <math.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "service/service.h"
#include "site/site.h"

/* ---- UUIDs --------------------------------------------------------------- */

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

bool service_uuid_parse(const char *s, char canon[SERVICE_UUID_LEN + 1])
{
    if (!s || strlen(s) != SERVICE_UUID_LEN)
        return false;
    for (size_t i = 0; i < SERVICE_UUID_LEN; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : hex_value(s[i]) < 0)
            return false;
    }
    if (canon) {
        for (size_t i = 0; i < SERVICE_UUID_LEN; i++)
            canon[i] = (char)tolower((unsigned char)s[i]);
        canon[SERVICE_UUID_LEN] = '\0';
    }
    return true;
}

static void uuid_bytes(const char *text, unsigned char out[16])
{
    size_t k = 0;
    for (size_t i = 0; text[i] && k < 16; i++) {
        if (text[i] == '-')
            continue;
        out[k++] = (unsigned char)(hex_value(text[i]) << 4 | hex_value(text[i + 1]));
        i++;
    }
}

void service_uuid(const char *name, char out[SERVICE_UUID_LEN + 1])
{
    service_uuid_in(SERVICE_UUID_NAMESPACE, name, out);
}

void service_uuid_in(const char *namespace_uuid, const char *name, char out[SERVICE_UUID_LEN + 1])
{
    unsigned char ns[16], h[crypto_hash_sha256_BYTES];
    uuid_bytes(namespace_uuid, ns);
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, ns, sizeof ns);
    crypto_hash_sha256_update(&st, (const unsigned char *)name, strlen(name));
    crypto_hash_sha256_final(&st, h);
    h[6] = (unsigned char)((h[6] & 0x0f) | 0x80); /* version 8 */
    h[8] = (unsigned char)((h[8] & 0x3f) | 0x80); /* the RFC 9562 variant */
    static const char digits[] = "0123456789abcdef";
    size_t k = 0;
    for (size_t i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[k++] = '-';
        out[k++] = digits[h[i] >> 4];
        out[k++] = digits[h[i] & 15];
    }
    out[k] = '\0';
}

const char *service_uuidf(struct arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *name = arena_vprintf(a, fmt, ap);
    va_end(ap);
    char *out = arena_alloc(a, SERVICE_UUID_LEN + 1);
    service_uuid(name, out);
    return out;
}

/* ---- small checks -------------------------------------------------------- */

static const char *const statuses[] = {"active", "inactive", "temporarily_closed", "defunct"};

bool service_status_is_valid(const char *status)
{
    for (size_t i = 0; status && i < sizeof statuses / sizeof statuses[0]; i++)
        if (strcmp(status, statuses[i]) == 0)
            return true;
    return false;
}

const char *service_status_hsds(const char *status)
{
    return strcmp(status, "temporarily_closed") == 0 ? "temporarily closed" : status;
}

static bool is_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Dot-separated atoms of letters, digits and !#$%&'*+/=?^_`{|}~- */
static bool email_local_is_valid(const char *s, size_t n)
{
    if (n == 0 || s[0] == '.' || s[n - 1] == '.')
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '.') {
            if (s[i + 1] == '.')
                return false;
        } else if (!is_alnum(c) && !strchr("!#$%&'*+/=?^_`{|}~-", c)) {
            return false;
        }
    }
    return true;
}

/* At least two labels of letters, digits and inner hyphens. */
static bool email_domain_is_valid(const char *s)
{
    size_t labels = 0;
    while (*s) {
        size_t n = 0;
        while (s[n] && s[n] != '.')
            n++;
        if (n == 0 || n > 63 || !is_alnum(s[0]) || !is_alnum(s[n - 1]))
            return false;
        for (size_t i = 0; i < n; i++)
            if (!is_alnum(s[i]) && s[i] != '-')
                return false;
        labels++;
        s += n;
        if (*s == '.') {
            s++;
            if (!*s)
                return false;
        }
    }
    return labels >= 2;
}

bool service_email_is_valid(const char *s)
{
    size_t n = strlen(s);
    const char *at = strchr(s, '@');
    if (n > 254 || !at)
        return false;
    return email_local_is_valid(s, (size_t)(at - s)) && email_domain_is_valid(at + 1);
}

/* An RFC 3986 character outside the percent escapes: unreserved and
 * sub-delims, plus extra ("" for the host, ":@/?" after it). */
static bool uri_char(char c, const char *extra)
{
    return is_alnum(c) || strchr("-._~!$&'()*+,;=", c) || (*extra && strchr(extra, c));
}

bool service_url_is_valid(const char *s)
{
    size_t skip;
    if (strncmp(s, "https://", 8) == 0)
        skip = 8;
    else if (strncmp(s, "http://", 7) == 0)
        skip = 7;
    else
        return false;
    if (strlen(s) > 1000)
        return false;
    const char *p = s + skip;
    size_t host = 0;
    while (*p && *p != '/' && *p != '?' && *p != '#' && *p != ':') {
        if (*p == '%' ? !(isxdigit((unsigned char)p[1]) && isxdigit((unsigned char)p[2]))
                      : !uri_char(*p, ""))
            return false;
        p += *p == '%' ? 3 : 1;
        host++;
    }
    if (!host)
        return false;
    if (*p == ':') /* a port */
        for (p++; *p && *p != '/' && *p != '?' && *p != '#'; p++)
            if (!isdigit((unsigned char)*p))
                return false;
    bool fragment = false;
    for (; *p; p++) {
        if (*p == '#' && !fragment) {
            fragment = true;
            continue;
        }
        if (*p == '%') {
            if (!isxdigit((unsigned char)p[1]) || !isxdigit((unsigned char)p[2]))
                return false;
            p += 2;
        } else if (!uri_char(*p, ":@/?")) {
            return false;
        }
    }
    return true;
}

bool service_language_is_valid(const char *code)
{
    size_t n = strlen(code);
    if (n < 2 || n > 3)
        return false;
    for (size_t i = 0; i < n; i++)
        if (code[i] < 'a' || code[i] > 'z')
            return false;
    return true;
}

static const char *const language_names[][3] = {
    {"zh", "中文", "Chinese"},        {"en", "英语", "English"},     {"yue", "粤语", "Cantonese"},
    {"ug", "维吾尔语", "Uyghur"},     {"bo", "藏语", "Tibetan"},     {"mn", "蒙古语", "Mongolian"},
    {"ko", "朝鲜语", "Korean"},       {"ja", "日语", "Japanese"},    {"ru", "俄语", "Russian"},
    {"fr", "法语", "French"},         {"es", "西班牙语", "Spanish"}, {"ar", "阿拉伯语", "Arabic"},
    {"zgh", "手语", "Sign language"},
};

const char *service_language_name(const char *code, bool zh)
{
    for (size_t i = 0; i < sizeof language_names / sizeof language_names[0]; i++)
        if (strcmp(language_names[i][0], code) == 0)
            return language_names[i][zh ? 1 : 2];
    return NULL;
}

/* ---- checking inputs ----------------------------------------------------- */

static int fault(struct service_fault *f, const char *code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fault(struct service_fault *f, const char *code, const char *field, const char *fmt, ...)
{
    f->code = code;
    f->field = field;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->message, sizeof f->message, fmt, ap);
    va_end(ap);
    text_utf8_trim(f->message);
    return -1;
}

/* A text field: at most max bytes of clean UTF-8; required: not empty. */
static int check_text(const char *v, const char *field, size_t max, bool required,
                      struct service_fault *f)
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

static int check_contacts(const char *phone, const char *email, const char *url,
                          const char *url_field, const char *contact_name, struct service_fault *f)
{
    if (phone && *phone && !text_is_phone(phone))
        return fault(f, "invalid_field", "phone", "phone may hold digits, spaces and + - ( ) only");
    if (email && *email && !service_email_is_valid(email))
        return fault(f, "invalid_field", "email", "email must be an address like name@example.com");
    if (url && *url && !service_url_is_valid(url))
        return fault(f, "invalid_field", url_field,
                     "%s must be an http(s) URL of RFC 3986 characters, at "
                     "most 1000 bytes",
                     url_field);
    return check_text(contact_name, "contact_name", 100, false, f);
}

void service_defaults(struct service *s)
{
    memset(s, 0, sizeof(*s));
    s->name_zh = s->name_en = s->description_zh = s->description_en = "";
    s->eligibility_zh = s->eligibility_en = s->fees_zh = s->fees_en = "";
    s->phone = s->email = s->url = s->contact_name = "";
    s->free = true;
    s->languages = "zh";
    s->status = "active";
}

void organization_defaults(struct organization *o)
{
    memset(o, 0, sizeof(*o));
    o->name_zh = o->name_en = o->description_zh = o->description_en = "";
    o->phone = o->email = o->website = o->contact_name = "";
}

static int check_languages(const char *list, struct service_fault *f)
{
    if (!list || !*list)
        return fault(f, "missing_field", "languages", "name at least one language");
    char codes[SERVICE_MAX_LANGUAGES][4];
    size_t n = 0;
    const char *p = list;
    for (;;) {
        size_t len = strcspn(p, ",");
        if (n == SERVICE_MAX_LANGUAGES)
            return fault(f, "invalid_field", "languages", "at most %d languages",
                         SERVICE_MAX_LANGUAGES);
        char code[8] = "";
        if (len < sizeof code)
            memcpy(code, p, len), code[len] = '\0';
        if (len >= sizeof code || !service_language_is_valid(code))
            return fault(f, "invalid_field", "languages",
                         "languages are ISO 639 codes of 2 or 3 lower-case "
                         "letters, like zh or en");
        for (size_t i = 0; i < n; i++)
            if (strcmp(codes[i], code) == 0)
                return fault(f, "invalid_field", "languages", "%s is listed twice", code);
        memcpy(codes[n++], code, 4);
        if (!p[len])
            break;
        p += len + 1;
    }
    return 0;
}

/* The field names of the documents, for faults. */
#define DOC_FIELDS(k)                                                                              \
    {                                                                                              \
        "required_documents[" #k "].zh", "required_documents[" #k "].en"                           \
    }
static const char *const doc_fields[SERVICE_MAX_DOCUMENTS][2] = {
    DOC_FIELDS(0),  DOC_FIELDS(1),  DOC_FIELDS(2),  DOC_FIELDS(3),  DOC_FIELDS(4),
    DOC_FIELDS(5),  DOC_FIELDS(6),  DOC_FIELDS(7),  DOC_FIELDS(8),  DOC_FIELDS(9),
    DOC_FIELDS(10), DOC_FIELDS(11), DOC_FIELDS(12), DOC_FIELDS(13), DOC_FIELDS(14),
    DOC_FIELDS(15), DOC_FIELDS(16), DOC_FIELDS(17), DOC_FIELDS(18), DOC_FIELDS(19),
};

int service_check(const struct service *s, struct service_fault *f)
{
    if (!s->org.code || !*s->org.code)
        return fault(f, "missing_field", "organization", "organization is required");
    if (!text_is_code(s->org.code))
        return fault(f, "unknown_organization", "organization", "no organization has code %s",
                     s->org.code);
    if (!s->category.code || !*s->category.code)
        return fault(f, "missing_field", "category", "category is required");
    if (!text_is_code(s->category.code))
        return fault(f, "unknown_category", "category", "no category has code %s",
                     s->category.code);
    if (check_text(s->name_zh, "name_zh", 200, true, f) ||
        check_text(s->name_en, "name_en", 200, false, f) ||
        check_text(s->description_zh, "description_zh", 4000, false, f) ||
        check_text(s->description_en, "description_en", 4000, false, f) ||
        check_text(s->eligibility_zh, "eligibility_zh", 2000, false, f) ||
        check_text(s->eligibility_en, "eligibility_en", 2000, false, f) ||
        check_text(s->fees_zh, "fees_zh", 500, false, f) ||
        check_text(s->fees_en, "fees_en", 500, false, f) ||
        check_contacts(s->phone, s->email, s->url, "url", s->contact_name, f) ||
        check_languages(s->languages, f))
        return -1;
    if (!service_status_is_valid(s->status))
        return fault(f, "invalid_field", "status",
                     "status is active, inactive, temporarily_closed or defunct");
    if (s->ndocuments > SERVICE_MAX_DOCUMENTS)
        return fault(f, "invalid_field", "required_documents", "at most %d documents",
                     SERVICE_MAX_DOCUMENTS);
    for (size_t i = 0; i < s->ndocuments; i++) {
        if (check_text(s->documents[i].zh, doc_fields[i][0], 200, true, f) ||
            check_text(s->documents[i].en, doc_fields[i][1], 200, false, f))
            return -1;
    }
    return 0;
}

int organization_check(const struct organization *o, struct service_fault *f)
{
    if (!o->code || !*o->code)
        return fault(f, "missing_field", "code", "code is required");
    if (!text_is_code(o->code))
        return fault(f, "invalid_field", "code",
                     "code is 1 to 64 of letters, digits, '_', '.' and '-', "
                     "starting with a "
                     "letter or digit");
    return check_text(o->name_zh, "name_zh", 200, true, f) ||
                   check_text(o->name_en, "name_en", 200, false, f) ||
                   check_text(o->description_zh, "description_zh", 4000, false, f) ||
                   check_text(o->description_en, "description_en", 4000, false, f) ||
                   check_contacts(o->phone, o->email, o->website, "website", o->contact_name, f)
               ? -1
               : 0;
}

int service_hours_check(const char *hours, struct service_fault *f)
{
    if (!hours || !*hours)
        return fault(f, "missing_field", "opening_hours", "opening_hours is required");
    struct hours *h;
    struct hours_error herr;
    if (hours_parse(hours, &h, &herr))
        return fault(f, "invalid_opening_hours", "opening_hours", "at character %zu: %s",
                     herr.pos + 1, herr.message);
    hours_free(h);
    return 0;
}

/* ---- open now ------------------------------------------------------------ */

void service_location_open_at(const struct service *s, const struct service_location *l,
                              const struct hours_calendar *cal, int64_t t, int tz_offset_min,
                              bool *open, int64_t *next_change)
{
    *open = false;
    *next_change = -1;
    if (strcmp(s->status, "active") != 0)
        return;
    /* The site's status rules with the service's hours. */
    struct site view;
    memset(&view, 0, sizeof view);
    view.status = l->site.status;
    view.has_until = l->site.has_until;
    view.status_until = l->site.status_until;
    view.opening_hours = l->opening_hours;
    site_open_at(&view, cal, t, tz_offset_min, open, next_change);
}

int service_parse_near(const char *s, double *lat, double *lon)
{
    if (!s || !*s)
        return -1;
    char *end;
    double a = strtod(s, &end);
    if (end == s || *end != ',')
        return -1;
    const char *q = end + 1;
    double b = strtod(q, &end);
    if (end == q || *end || !isfinite(a) || !isfinite(b) || a < -90 || a > 90 || b < -180 ||
        b > 180)
        return -1;
    *lat = a;
    *lon = b;
    return 0;
}

/* ---- weekly schedules ---------------------------------------------------- */

#define WEEK_MIN (7 * 1440)
#define MAX_TRANSITIONS 512

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* The minutes of the week (from Monday 00:00) at which the state changes
 * in the week from start; -1 when there are too many. */
static int week_transitions(const struct hours *h, int64_t start, int tz, int *out)
{
    static const struct hours_calendar none = {NULL, 0};
    const int64_t week = (int64_t)WEEK_MIN * 60;
    int n = 0;
    int64_t t = start;
    for (;;) {
        int64_t next = hours_next_change(h, &none, t, tz, start + week - t);
        if (next < 0 || next >= start + week)
            return n;
        if (n == MAX_TRANSITIONS)
            return -1;
        out[n++] = (int)((next - start) / 60);
        t = next;
    }
}

/* Does "PH" appear outside comments? */
static bool mentions_ph(const char *text)
{
    bool quoted = false;
    for (const char *p = text; *p; p++) {
        if (*p == '"')
            quoted = !quoted;
        else if (!quoted && p[0] == 'P' && p[1] == 'H')
            return true;
    }
    return false;
}

struct piece {
    int day, opens, closes;
};

static void add_piece(struct piece *pieces, int *n, int day, int opens, int closes)
{
    if (*n < 7 * MAX_TRANSITIONS)
        pieces[(*n)++] = (struct piece){day % 7, opens, closes};
}

/* An open run [o, c) in week minutes (c may pass the week's end), cut
 * into pieces: one when it is shorter than a day (it may pass midnight),
 * else one per calendar day. */
static void cut_run(int o, int c, struct piece *pieces, int *n)
{
    if (c - o < 1440) {
        int day = o / 1440, opens = o % 1440, closes = c - day * 1440;
        add_piece(pieces, n, day, opens, closes > 1440 ? closes - 1440 : closes);
        return;
    }
    for (int t = o; t < c;) {
        int day = t / 1440, end = (day + 1) * 1440 < c ? (day + 1) * 1440 : c;
        add_piece(pieces, n, day, t % 1440, end - day * 1440);
        t = end;
    }
}

int service_weekly_schedule(const char *opening_hours, int64_t t, int tz_offset_min,
                            struct service_schedule_row *rows, size_t cap, bool *mentions_holidays)
{
    static const char *const days[] = {"MO", "TU", "WE", "TH", "FR", "SA", "SU"};
    static const struct hours_calendar none = {NULL, 0};
    *mentions_holidays = false;
    struct hours *h;
    if (hours_parse(opening_hours, &h, NULL))
        return -1;
    *mentions_holidays = mentions_ph(opening_hours);
    /* Monday 00:00 of t's week, local time (1970-01-01 was a Thursday). */
    int64_t local_days = floor_div(t + (int64_t)tz_offset_min * 60, 86400);
    int64_t monday = local_days - ((local_days + 3) % 7 + 7) % 7;
    int64_t w0 = monday * 86400 - (int64_t)tz_offset_min * 60;
    static _Thread_local int first[MAX_TRANSITIONS], other[MAX_TRANSITIONS];
    bool open0 = hours_is_open(h, &none, w0, tz_offset_min);
    int n0 = week_transitions(h, w0, tz_offset_min, first);
    int result = n0 < 0 ? -1 : 0;
    for (int k = 1; result == 0 && k < 53; k++) {
        int64_t start = w0 + (int64_t)k * WEEK_MIN * 60;
        int nk = week_transitions(h, start, tz_offset_min, other);
        if (nk != n0 || hours_is_open(h, &none, start, tz_offset_min) != open0 ||
            memcmp(first, other, (size_t)n0 * sizeof first[0]) != 0)
            result = -1;
    }
    hours_free(h);
    if (result < 0)
        return -1;
    /* The open runs of the week, then the run open at the week's end
     * joined to the one open at Monday 00:00: the week repeats. */
    static _Thread_local int run_start[MAX_TRANSITIONS + 1], run_end[MAX_TRANSITIONS + 1];
    int nruns = 0, pos = 0;
    bool open = open0;
    for (int i = 0; i <= n0; i++) {
        int at = i < n0 ? first[i] : WEEK_MIN;
        if (open) {
            run_start[nruns] = pos;
            run_end[nruns++] = at;
        }
        open = !open;
        pos = at;
    }
    int from = 0;
    if (nruns > 1 && run_start[0] == 0 && run_end[nruns - 1] == WEEK_MIN) {
        run_end[nruns - 1] = WEEK_MIN + run_end[0];
        from = 1;
    }
    static _Thread_local struct piece pieces[7 * MAX_TRANSITIONS];
    int np = 0;
    for (int i = from; i < nruns; i++)
        cut_run(run_start[i], run_end[i], pieces, &np);
    /* Group equal (opens, closes) pairs into rows of days. */
    size_t nrows = 0;
    for (int d = 0; d < 7; d++)
        for (int i = 0; i < np; i++) {
            if (pieces[i].day != d)
                continue;
            size_t r = 0;
            while (r < nrows && !(rows[r].opens_min == pieces[i].opens &&
                                  rows[r].closes_min == pieces[i].closes))
                r++;
            if (r == nrows) {
                if (nrows == cap)
                    return -1;
                rows[r].opens_min = pieces[i].opens;
                rows[r].closes_min = pieces[i].closes;
                rows[r].byday[0] = '\0';
                nrows++;
            }
            if (!strstr(rows[r].byday, days[d])) {
                if (rows[r].byday[0])
                    strcat(rows[r].byday, ",");
                strcat(rows[r].byday, days[d]);
            }
        }
    return (int)nrows;
}

/* ---- paging -------------------------------------------------------------- */

void service_page_fill(struct service_page *p, int64_t total_items, int64_t size)
{
    p->total_items = total_items;
    p->total_pages = p->per_page > 0 ? (total_items + p->per_page - 1) / p->per_page : 0;
    p->size = size;
    p->first_page = p->page == 1;
    p->last_page = p->page >= p->total_pages;
    p->empty = size == 0;
}
