/*
 * mentoring.c - the rules of livestreamer mentoring, without HTTP or SQL:
 * reading the cells of a platform's export (dates, durations, counts with
 * 万, money in yuan, percentages), reading a whole export through its
 * column mapping (every row checked, every error named by row and column),
 * medians, and the baseline that flags a weak session.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/csv.h"
#include "mentoring/mentoring.h"

static const char *const field_names[MF_COUNT] = {
    "start", "duration", "viewers", "peak", "new_followers", "orders", "gmv", "conversion"};

const char *const mentoring_categories[] = {"apparel", "food",    "beauty",  "agriculture",
                                            "home",    "digital", "culture", "other"};
const size_t mentoring_category_count =
    sizeof mentoring_categories / sizeof mentoring_categories[0];

int mentoring_field_by_name(const char *name)
{
    for (int i = 0; name && i < MF_COUNT; i++)
        if (strcmp(name, field_names[i]) == 0)
            return i;
    return -1;
}

const char *mentoring_field_name(enum mentoring_field f)
{
    return f >= 0 && f < MF_COUNT ? field_names[f] : NULL;
}

bool mentoring_category_is_valid(const char *s)
{
    for (size_t i = 0; s && i < mentoring_category_count; i++)
        if (strcmp(s, mentoring_categories[i]) == 0)
            return true;
    return false;
}

const char *mentoring_categories_text(void)
{
    return "apparel, food, beauty, agriculture, home, digital, culture or other";
}

bool mentoring_platform_is_valid(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > MENTORING_PLATFORM_MAX || !islower((unsigned char)s[0]))
        return false;
    for (size_t i = 0; i < n; i++)
        if (!islower((unsigned char)s[i]) && !isdigit((unsigned char)s[i]) && s[i] != '_')
            return false;
    return true;
}

/* ---- cells ------------------------------------------------------------ */

static const char *skip_space(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

/* Does s start with the literal p? Then *s moves past it. */
static bool eat(const char **s, const char *p)
{
    size_t n = strlen(p);
    if (strncmp(*s, p, n))
        return false;
    *s += n;
    return true;
}

/* A decimal number with optional ',' thousands separators, as an integer
 * in units of 10^-decimals (further digits rounded half up). 0 and *s
 * moved past it, or -1. At most 18 - decimals digits before the point, so
 * the result always fits. */
static int parse_fixed(const char **sp, int decimals, int64_t *out)
{
    const char *s = *sp;
    int64_t whole = 0;
    int digits = 0;
    while (isdigit((unsigned char)*s) ||
           (*s == ',' && digits > 0 && isdigit((unsigned char)s[1]))) {
        if (*s != ',') {
            if (++digits > 18 - decimals)
                return -1;
            whole = whole * 10 + (*s - '0');
        }
        s++;
    }
    int64_t frac = 0;
    int fd = 0;
    bool round_up = false;
    if (*s == '.' && isdigit((unsigned char)s[1])) {
        s++;
        while (isdigit((unsigned char)*s)) {
            if (fd < decimals) {
                frac = frac * 10 + (*s - '0');
                fd++;
            } else if (fd == decimals) {
                round_up = *s >= '5';
                fd++;
            }
            s++;
        }
    }
    if (digits == 0 && fd == 0)
        return -1;
    if (fd > decimals)
        fd = decimals;
    for (int i = fd; i < decimals; i++)
        frac *= 10;
    int64_t scale = 1;
    for (int i = 0; i < decimals; i++)
        scale *= 10;
    *out = whole * scale + frac + (round_up ? 1 : 0);
    *sp = s;
    return 0;
}

static bool at_end(const char *s)
{
    return *skip_space(s) == '\0';
}

int mentoring_parse_count(const char *s, int64_t *out)
{
    int64_t v;
    s = skip_space(s);
    if (parse_fixed(&s, 4, &v))
        return -1;
    s = skip_space(s);
    if (eat(&s, "万")) {
        /* v is the number times 10^4: the count itself */
    } else if (v % 10000) {
        return -1;
    } else {
        v /= 10000;
    }
    if (!at_end(s) || v > MENTORING_COUNT_MAX)
        return -1;
    *out = v;
    return 0;
}

int mentoring_parse_money(const char *s, int64_t *out)
{
    int64_t v;
    s = skip_space(s);
    (void)(eat(&s, "¥") || eat(&s, "￥"));
    s = skip_space(s);
    if (parse_fixed(&s, 6, &v))
        return -1;
    s = skip_space(s);
    if (eat(&s, "万")) {
        /* v = yuan * 10^6 = (yuan * 10^4) fen * 100: fen is v */
    } else {
        v = (v + 5000) / 10000;
    }
    (void)(eat(&s, "元"));
    if (!at_end(s) || v > MENTORING_GMV_MAX_FEN)
        return -1;
    *out = v;
    return 0;
}

int mentoring_parse_percent(const char *s, int64_t *out)
{
    int64_t v;
    s = skip_space(s);
    if (parse_fixed(&s, 2, &v))
        return -1;
    s = skip_space(s);
    (void)(eat(&s, "%") || eat(&s, "％"));
    if (!at_end(s) || v > 10000)
        return -1;
    *out = v;
    return 0;
}

/* 1 to max digits into *out; -1 when there are none or more. */
static int parse_int(const char **sp, int max, int *out)
{
    const char *s = *sp;
    int v = 0, n = 0;
    while (isdigit((unsigned char)*s) && n < max) {
        v = v * 10 + (*s++ - '0');
        n++;
    }
    if (n == 0 || isdigit((unsigned char)*s))
        return -1;
    *out = v;
    *sp = s;
    return 0;
}

int mentoring_parse_start(const char *s, int tz_offset_min, int64_t *out)
{
    int y, mo, d, h = 0, mi = 0, sec = 0;
    s = skip_space(s);
    if (parse_int(&s, 4, &y) || y < 2000 || y > 2100)
        return -1;
    char sep = *s;
    if (sep != '-' && sep != '/')
        return -1;
    s++;
    if (parse_int(&s, 2, &mo) || *s != sep)
        return -1;
    s++;
    if (parse_int(&s, 2, &d))
        return -1;
    if (*s == ' ' || *s == 'T') {
        s = skip_space(s + 1);
        if (parse_int(&s, 2, &h) || *s != ':')
            return -1;
        s++;
        if (parse_int(&s, 2, &mi))
            return -1;
        if (*s == ':') {
            s++;
            if (parse_int(&s, 2, &sec))
                return -1;
        }
    }
    if (!at_end(s) || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || sec > 59)
        return -1;
    int64_t days = clock_days_from_civil(y, mo, d);
    int cy, cm, cd;
    clock_civil_from_days(days, &cy, &cm, &cd);
    if (cy != y || cm != mo || cd != d) /* 2026-02-30 */
        return -1;
    *out = days * 86400 + h * 3600 + mi * 60 + sec - (int64_t)tz_offset_min * 60;
    return 0;
}

int mentoring_parse_duration(const char *s, int64_t *out)
{
    s = skip_space(s);
    int64_t v = 0;
    int a;
    const char *p = s;
    if (parse_int(&p, 3, &a) == 0 && *p == ':') {
        /* h:mm or h:mm:ss */
        int b, c = -1;
        p++;
        if (parse_int(&p, 2, &b) || b > 59)
            return -1;
        if (*p == ':') {
            p++;
            if (parse_int(&p, 2, &c) || c > 59)
                return -1;
        }
        v = c < 0 ? (int64_t)a * 3600 + b * 60 : (int64_t)a * 3600 + b * 60 + c;
        s = p;
    } else {
        /* "150" (minutes), or parts: 2小时30分(钟) 10秒, 2h30m10s */
        bool any = false, unit = false;
        while (*s) {
            int n;
            if (parse_int(&s, 4, &n))
                break;
            s = skip_space(s);
            any = true;
            if (eat(&s, "小时") || eat(&s, "h") || eat(&s, "时"))
                v += (int64_t)n * 3600, unit = true;
            else if (eat(&s, "分钟") || eat(&s, "分") || eat(&s, "min") || eat(&s, "m"))
                v += (int64_t)n * 60, unit = true;
            else if (eat(&s, "秒") || eat(&s, "s"))
                v += n, unit = true;
            else if (!unit && at_end(s))
                v = (int64_t)n * 60;
            else
                return -1;
            s = skip_space(s);
        }
        if (!any)
            return -1;
    }
    if (!at_end(s) || v <= 0 || v > MENTORING_DURATION_MAX_S)
        return -1;
    *out = v;
    return 0;
}

int64_t mentoring_conversion_bp(int64_t orders, int64_t viewers)
{
    if (viewers <= 0)
        return 0;
    int64_t bp = (orders * 10000 + viewers / 2) / viewers;
    return bp > 10000 ? 10000 : bp;
}

int mentoring_session_check(const struct mentoring_session *s, enum mentoring_field *field)
{
    if (s->duration_s <= 0 || s->duration_s > MENTORING_DURATION_MAX_S)
        return *field = MF_DURATION, -1;
    if (s->viewers < 0 || s->viewers > MENTORING_COUNT_MAX)
        return *field = MF_VIEWERS, -1;
    if (s->peak < 0 || s->peak > MENTORING_COUNT_MAX || s->peak > s->viewers)
        return *field = MF_PEAK, -1;
    if (s->new_followers < 0 || s->new_followers > MENTORING_COUNT_MAX)
        return *field = MF_FOLLOWERS, -1;
    if (s->orders < 0 || s->orders > MENTORING_COUNT_MAX)
        return *field = MF_ORDERS, -1;
    if (s->gmv_fen < 0 || s->gmv_fen > MENTORING_GMV_MAX_FEN)
        return *field = MF_GMV, -1;
    if (s->conversion_bp < 0 || s->conversion_bp > 10000)
        return *field = MF_CONVERSION, -1;
    return 0;
}

/* ---- a whole export ---------------------------------------------------- */

static void add_error(struct arena *a, struct mentoring_import *out, size_t row, const char *column,
                      const char *code, const char *message)
{
    if (out->nerrors == MENTORING_ERRORS_MAX) {
        out->truncated = true;
        return;
    }
    struct mentoring_import_error *e = &out->errors[out->nerrors++];
    e->row = row;
    e->column = column ? arena_strdup(a, column) : NULL;
    e->code = code;
    e->message = arena_strdup(a, message);
}

static int parse_cell(enum mentoring_field f, const char *text, int tz, struct mentoring_session *s)
{
    switch (f) {
    case MF_START:
        return mentoring_parse_start(text, tz, &s->starts_at);
    case MF_DURATION:
        return mentoring_parse_duration(text, &s->duration_s);
    case MF_VIEWERS:
        return mentoring_parse_count(text, &s->viewers);
    case MF_PEAK:
        return mentoring_parse_count(text, &s->peak);
    case MF_FOLLOWERS:
        return mentoring_parse_count(text, &s->new_followers);
    case MF_ORDERS:
        return mentoring_parse_count(text, &s->orders);
    case MF_GMV:
        return mentoring_parse_money(text, &s->gmv_fen);
    case MF_CONVERSION:
        return mentoring_parse_percent(text, &s->conversion_bp);
    default:
        return -1;
    }
}

static const char *const cell_help[MF_COUNT] = {
    "a date such as 2026-05-01 20:00",
    "a duration such as 02:30:00, 150 (minutes) or 2小时30分",
    "a whole number such as 12345 or 1.2万",
    "a whole number such as 12345 or 1.2万",
    "a whole number such as 120",
    "a whole number such as 320",
    "an amount in yuan such as 12345.60 or 1.5万",
    "a percentage such as 2.35%",
};

void mentoring_import_parse(struct arena *a, const char *data, size_t len,
                            const struct mentoring_mapping *m, int tz_offset_min,
                            struct mentoring_import *out)
{
    memset(out, 0, sizeof *out);
    out->errors = arena_calloc(a, MENTORING_ERRORS_MAX, sizeof *out->errors);
    out->sessions = arena_calloc(a, MENTORING_IMPORT_MAX_ROWS, sizeof *out->sessions);
    struct csv_limits lim = {
        .max_field_bytes = 256, .max_fields = 64, .max_records = MENTORING_IMPORT_MAX_ROWS + 1};
    struct csv_reader *rd = csv_new(data, len, &lim);
    struct csv_record rec;
    struct csv_error cerr;
    int col_of[MF_COUNT];
    for (int f = 0; f < MF_COUNT; f++)
        col_of[f] = -1;
    const char **header = NULL;
    size_t ncols = 0;
    int got = csv_read(rd, &rec, &cerr);
    if (got == 0) {
        add_error(a, out, 0, NULL, "empty_file", "the file has no header row");
        goto done;
    }
    if (got < 0)
        goto csv_failed;
    ncols = rec.count;
    header = arena_calloc(a, ncols, sizeof *header);
    for (size_t i = 0; i < ncols; i++) {
        /* Exports often pad their headers: trim ASCII spaces. */
        char *h = arena_strdup(a, skip_space(rec.fields[i]));
        size_t hl = strlen(h);
        while (hl && (h[hl - 1] == ' ' || h[hl - 1] == '\t'))
            h[--hl] = '\0';
        header[i] = h;
        for (size_t k = 0; k < m->n; k++) {
            if (strcmp(m->sources[k], h))
                continue;
            enum mentoring_field f = m->fields[k];
            if (col_of[f] >= 0)
                add_error(a, out, 1, h, "duplicate_column",
                          arena_printf(a, "columns %s and %s both give %s", header[col_of[f]], h,
                                       field_names[f]));
            else
                col_of[f] = (int)i;
        }
    }
    for (int f = 0; f < MF_COUNT; f++) {
        if (col_of[f] >= 0 || f == MF_CONVERSION)
            continue;
        /* Name the column names this platform uses for the field. */
        const char *names = NULL;
        for (size_t k = 0; k < m->n; k++)
            if ((int)m->fields[k] == f)
                names = names ? arena_printf(a, "%s or %s", names, m->sources[k]) : m->sources[k];
        add_error(a, out, 1, names, "missing_column",
                  arena_printf(a, "no column gives %s (%s expects %s)", field_names[f], m->platform,
                               names ? names : "a mapping for it"));
    }
    if (out->nerrors)
        goto done;
    while ((got = csv_read(rd, &rec, &cerr)) == 1) {
        if (out->n == MENTORING_IMPORT_MAX_ROWS) {
            add_error(
                a, out, rec.number, NULL, "too_many_rows",
                arena_printf(a, "at most %d sessions in one file", MENTORING_IMPORT_MAX_ROWS));
            goto done;
        }
        struct mentoring_session s = {0};
        bool ok = true;
        for (int f = 0; f < MF_COUNT; f++) {
            int col = col_of[f];
            if (col < 0)
                continue;
            if ((size_t)col >= rec.count) {
                add_error(a, out, rec.number, header[col], "missing_value",
                          arena_printf(a, "the row ends before column %s", header[col]));
                ok = false;
                continue;
            }
            if (parse_cell((enum mentoring_field)f, rec.fields[col], tz_offset_min, &s)) {
                add_error(a, out, rec.number, header[col], "invalid_value",
                          arena_printf(a, "%s must be %s", header[col], cell_help[f]));
                ok = false;
            }
        }
        if (!ok)
            continue;
        if (col_of[MF_CONVERSION] < 0)
            s.conversion_bp = mentoring_conversion_bp(s.orders, s.viewers);
        enum mentoring_field bad;
        if (mentoring_session_check(&s, &bad)) {
            const char *col = col_of[bad] >= 0 ? header[col_of[bad]] : field_names[bad];
            add_error(a, out, rec.number, col, "invalid_value",
                      bad == MF_PEAK ? "the peak cannot be above the viewers"
                                     : arena_printf(a, "%s is out of range", col));
            continue;
        }
        for (size_t i = 0; i < out->n; i++)
            if (out->sessions[i].starts_at == s.starts_at) {
                add_error(a, out, rec.number, header[col_of[MF_START]], "duplicate_session",
                          "two rows have the same start time");
                ok = false;
                break;
            }
        if (ok)
            out->sessions[out->n++] = s;
    }
    if (got == 0) {
        if (out->n == 0 && out->nerrors == 0)
            add_error(a, out, 0, NULL, "empty_file", "the file has a header but no sessions");
        goto done;
    }
csv_failed:
    add_error(a, out, cerr.record,
              header && cerr.column && cerr.column <= ncols ? header[cerr.column - 1] : NULL,
              "invalid_csv", arena_printf(a, "line %zu: %s", cerr.line, cerr.message));
done:
    csv_free(rd);
}

/* ---- medians and the baseline ----------------------------------------- */

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return a < b ? -1 : a > b;
}

double mentoring_median(double *v, size_t n)
{
    if (n == 0)
        return 0;
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static double figure(const struct mentoring_session *s, int which)
{
    return which == MW_VIEWERS  ? (double)s->viewers
           : which == MW_ORDERS ? (double)s->orders
                                : (double)s->gmv_fen;
}

void mentoring_flag_sessions(const struct mentoring_session *s, size_t n, unsigned *low,
                             double *base_gmv, double *base_viewers)
{
    static const int watched[] = {MW_VIEWERS, MW_ORDERS, MW_GMV};
    double v[MENTORING_BASELINE_SESSIONS];
    for (size_t i = 0; i < n; i++) {
        low[i] = 0;
        base_gmv[i] = base_viewers[i] = 0;
        size_t from = i > MENTORING_BASELINE_SESSIONS ? i - MENTORING_BASELINE_SESSIONS : 0;
        size_t k = i - from;
        if (k < MENTORING_BASELINE_MIN)
            continue;
        for (size_t w = 0; w < sizeof watched / sizeof watched[0]; w++) {
            for (size_t j = 0; j < k; j++)
                v[j] = figure(&s[from + j], watched[w]);
            double base = mentoring_median(v, k);
            if (figure(&s[i], watched[w]) < MENTORING_BASELINE_RATIO * base)
                low[i] |= (unsigned)watched[w];
            if (watched[w] == MW_GMV)
                base_gmv[i] = base;
            if (watched[w] == MW_VIEWERS)
                base_viewers[i] = base;
        }
    }
}
