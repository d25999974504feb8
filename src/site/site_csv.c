/*
 * site_csv.c - sites to and from CSV (RFC 4180, UTF-8, header row).
 *
 * Columns, in export order (import takes them in any order; only name_zh,
 * type, lat and lon are required):
 *   id, name_zh, name_en, type, region, address_zh, address_en, lat, lon,
 *   datum, phone, manager, description, capacity, status, status_reason,
 *   status_until, public, opening_hours, amenities, photos
 * amenities is "code=count;code" (a bare code counts 1), photos is URLs
 * separated by spaces, public is 1/0 (or true/false, yes/no). A row with an
 * id updates that site; a row without one adds a site.
 *
 * The export is public and meant for spreadsheets, which run a cell that
 * starts with = + - @ (or tab, CR) as a formula. So a text cell that starts
 * with one of those, after any number of single quotes, goes out with one
 * more quote in front (OWASP's advice), and the import takes exactly one
 * quote off such a cell: "+86 138..." -> "'+86 138..." -> "+86 138...", and
 * "'=x" -> "''=x" -> "'=x". Other cells are written and read as they are;
 * numeric columns (id, lat, lon, capacity, public, status_until) are never
 * quoted, so a negative lat stays a number.
 *
 * Import checks every row, inserting inside one transaction as it goes,
 * and commits only if no row had an error: all rows or none.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "app/app.h"
#include "core/clock.h"
#include "core/csv.h"
#include "core/strbuf.h"
#include "geo/coord.h"
#include "site/site.h"
#include "store/store.h"

enum col {
    COL_ID,
    COL_NAME_ZH,
    COL_NAME_EN,
    COL_TYPE,
    COL_REGION,
    COL_ADDRESS_ZH,
    COL_ADDRESS_EN,
    COL_LAT,
    COL_LON,
    COL_DATUM,
    COL_PHONE,
    COL_MANAGER,
    COL_DESCRIPTION,
    COL_CAPACITY,
    COL_STATUS,
    COL_STATUS_REASON,
    COL_STATUS_UNTIL,
    COL_PUBLIC,
    COL_HOURS,
    COL_AMENITIES,
    COL_PHOTOS,
    NCOLS
};

static const char *const col_names[NCOLS] = {
    "id",           "name_zh",    "name_en",       "type",
    "region",       "address_zh", "address_en",    "lat",
    "lon",          "datum",      "phone",         "manager",
    "description",  "capacity",   "status",        "status_reason",
    "status_until", "public",     "opening_hours", "amenities",
    "photos",
};

/* ---- import -------------------------------------------------------- */

struct importer {
    struct arena *arena;   /* the caller's: the errors */
    struct arena *scratch; /* one row's work, emptied before the next */
    struct site_import_result *res;
    size_t row;
};

static void add_error(struct importer *im, const char *column, const char *code,
                      const char *message)
{
    struct site_import_result *res = im->res;
    if (res->nerrors == SITE_IMPORT_MAX_ERRORS) {
        res->truncated = true;
        return;
    }
    struct site_import_error *e = &res->errors[res->nerrors++];
    e->row = im->row;
    /* Domain faults name JSON paths ("amenities.zzz"); a CSV user wants
     * the column. */
    if (column) {
        size_t n = strcspn(column, ".[");
        column = arena_strndup(im->arena, column, n); /* may be a row's */
        if (strcmp(column, "position") == 0)
            column = "lat"; /* lat and lon (after datum conversion) */
    }
    e->column = column;
    e->code = code;
    e->message = arena_strdup(im->arena, message);
}

/* Map the header to column indexes; -1 for absent. 0 or -1 (errors added). */
static int read_header(struct importer *im, const struct csv_record *rec, int *map)
{
    for (int c = 0; c < NCOLS; c++)
        map[c] = -1;
    int bad = 0;
    for (size_t i = 0; i < rec->count; i++) {
        const char *name = rec->fields[i];
        int found = -1;
        for (int c = 0; c < NCOLS; c++)
            if (strcmp(name, col_names[c]) == 0)
                found = c;
        if (found < 0) {
            add_error(im, arena_strdup(im->arena, name), "unknown_column",
                      arena_printf(im->arena, "unknown column \"%s\"", name));
            bad = 1;
        } else if (map[found] >= 0) {
            add_error(im, col_names[found], "duplicate_column", "the column appears twice");
            bad = 1;
        } else {
            map[found] = (int)i;
        }
    }
    static const enum col required[] = {COL_NAME_ZH, COL_TYPE, COL_LAT, COL_LON};
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++) {
        if (map[required[i]] < 0) {
            add_error(im, col_names[required[i]], "missing_column", "this column is required");
            bad = 1;
        }
    }
    return bad ? -1 : 0;
}

static const char *cell(const struct csv_record *rec, const int *map, enum col c)
{
    if (map[c] < 0 || (size_t)map[c] >= rec->count)
        return "";
    return rec->fields[map[c]];
}

/* Starts with quotes and then a character spreadsheets take as the start
 * of a formula? (Returns false for text without the quotes.) */
static bool quoted_formula(const char *v, size_t quotes_needed)
{
    size_t q = 0;
    while (v[q] == '\'')
        q++;
    return q >= quotes_needed && v[q] && strchr("=+-@\t\r", v[q]) != NULL;
}

/* A text column's cell, with the quote the export puts before a formula
 * character taken off again. */
static const char *text_cell(const struct csv_record *rec, const int *map, enum col c)
{
    const char *v = cell(rec, map, c);
    return quoted_formula(v, 1) ? v + 1 : v;
}

static int parse_number(const char *s, double *out)
{
    char *end;
    if (!*s)
        return -1;
    *out = strtod(s, &end);
    return *end || !isfinite(*out) ? -1 : 0;
}

static int parse_int(const char *s, int64_t *out)
{
    char *end;
    if (!*s)
        return -1;
    long long v = strtoll(s, &end, 10);
    if (*end)
        return -1;
    *out = v;
    return 0;
}

static int parse_bool(const char *s, bool *out)
{
    if (!*s || !strcmp(s, "0") || !strcasecmp(s, "false") || !strcasecmp(s, "no"))
        return *out = false, 0;
    if (!strcmp(s, "1") || !strcasecmp(s, "true") || !strcasecmp(s, "yes"))
        return *out = true, 0;
    return -1;
}

/* "code=count;code" into s->amenities. 0 or -1. */
static int parse_amenities(struct arena *a, const char *text, struct site *s)
{
    size_t max = 1;
    for (const char *p = text; *p; p++)
        max += *p == ';';
    s->amenities = arena_calloc(a, max, sizeof(*s->amenities));
    char *copy = arena_strdup(a, text), *save = NULL;
    for (char *tok = strtok_r(copy, ";", &save); tok; tok = strtok_r(NULL, ";", &save)) {
        while (*tok == ' ')
            tok++;
        if (!*tok)
            continue;
        char *eq = strchr(tok, '=');
        int64_t count = 1;
        if (eq) {
            *eq = '\0';
            if (parse_int(eq + 1, &count))
                return -1;
        }
        s->amenities[s->namenities].code = tok;
        s->amenities[s->namenities].count = count;
        s->namenities++;
    }
    return 0;
}

static void parse_photos(struct arena *a, const char *text, struct site *s)
{
    size_t max = 1;
    for (const char *p = text; *p; p++)
        max += *p == ' ';
    s->photos = arena_calloc(a, max, sizeof(*s->photos));
    char *copy = arena_strdup(a, text), *save = NULL;
    for (char *tok = strtok_r(copy, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
        s->photos[s->nphotos++] = tok;
}

/* One data row into *s (defaults first); errors added per column.
 * Returns 0 if every column parsed. */
static int parse_row(struct importer *im, const struct csv_record *rec, const int *map, int tz,
                     struct site *s, int64_t *id)
{
    struct arena *a = im->scratch;
    size_t before = im->res->nerrors;
    site_defaults(s);
    *id = 0;
    const char *v;
    if (*(v = cell(rec, map, COL_ID)) && (parse_int(v, id) || *id <= 0))
        add_error(im, "id", "invalid_field", "id must be a positive whole number");
    s->name_zh = text_cell(rec, map, COL_NAME_ZH);
    s->name_en = text_cell(rec, map, COL_NAME_EN);
    s->type_code = text_cell(rec, map, COL_TYPE);
    v = text_cell(rec, map, COL_REGION);
    s->region_code = *v ? v : NULL;
    s->address_zh = text_cell(rec, map, COL_ADDRESS_ZH);
    s->address_en = text_cell(rec, map, COL_ADDRESS_EN);
    double lat = 0, lon = 0;
    if (parse_number(cell(rec, map, COL_LAT), &lat) || lat < -90 || lat > 90)
        add_error(im, "lat", "invalid_field", "lat must be a number from -90 to 90");
    if (parse_number(cell(rec, map, COL_LON), &lon) || lon < -180 || lon > 180)
        add_error(im, "lon", "invalid_field", "lon must be a number from -180 to 180");
    enum geo_datum d = GEO_WGS84;
    if (*(v = cell(rec, map, COL_DATUM)) && geo_datum_parse(v, &d))
        add_error(im, "datum", "invalid_field", "datum is wgs84, gcj02 or bd09");
    struct geo_point w = geo_convert((struct geo_point){lat, lon}, d, GEO_WGS84);
    s->lat = w.lat;
    s->lon = w.lon;
    s->input_datum = geo_datum_name(d);
    s->phone = text_cell(rec, map, COL_PHONE);
    s->manager = text_cell(rec, map, COL_MANAGER);
    s->description = text_cell(rec, map, COL_DESCRIPTION);
    if (*(v = cell(rec, map, COL_CAPACITY))) {
        s->has_capacity = true;
        if (parse_int(v, &s->capacity))
            add_error(im, "capacity", "invalid_field", "capacity must be a whole number");
    }
    if (*(v = text_cell(rec, map, COL_STATUS)))
        s->status = v;
    v = text_cell(rec, map, COL_STATUS_REASON);
    s->status_reason = *v ? v : NULL;
    if (*(v = cell(rec, map, COL_STATUS_UNTIL))) {
        s->has_until = true;
        if (clock_parse_iso(v, tz, &s->status_until))
            add_error(im, "status_until", "invalid_field", "status_until must be an ISO-8601 time");
    }
    if (parse_bool(cell(rec, map, COL_PUBLIC), &s->is_public))
        add_error(im, "public", "invalid_field", "public is 1 or 0");
    if (*(v = text_cell(rec, map, COL_HOURS)))
        s->opening_hours = v;
    if (parse_amenities(a, text_cell(rec, map, COL_AMENITIES), s))
        add_error(im, "amenities", "invalid_field",
                  "amenities look like microwave;phone_charging=4");
    parse_photos(a, text_cell(rec, map, COL_PHOTOS), s);
    return im->res->nerrors == before ? 0 : -1;
}

void site_import_csv(struct store_conn *c, struct arena *a, const char *data, size_t len,
                     struct site_import_result *res)
{
    memset(res, 0, sizeof(*res));
    res->errors = arena_calloc(a, SITE_IMPORT_MAX_ERRORS, sizeof(*res->errors));
    struct arena scratch;
    arena_init(&scratch);
    struct importer im = {a, &scratch, res, 0};
    /* Fields may be longer than the reader's default: ten photo URLs of up
     * to 1000 bytes share one column, and a description may be 4000. */
    struct csv_limits limits = {.max_field_bytes = 16384};
    struct csv_reader *rd = csv_new(data, len, &limits);
    struct csv_record rec;
    struct csv_error cerr;
    int map[NCOLS];
    int got = csv_read(rd, &rec, &cerr);
    if (got <= 0) {
        im.row = 1;
        add_error(&im, NULL, got < 0 ? csv_error_code_name(cerr.code) : "empty_csv",
                  got < 0 ? cerr.message : "the CSV has no header row");
        csv_free(rd);
        return;
    }
    im.row = rec.number;
    if (read_header(&im, &rec, map)) {
        csv_free(rd);
        return;
    }
    /* Every row is checked before it is written (site_check: the CHECK
     * constraints' rules, status, capacity and counts), and its type,
     * region and amenity ids are read in this transaction, which holds the
     * write lock: the store need not check them again. */
    store_bulk(c, true);
    int st = store_begin(c);
    if (st) {
        store_bulk(c, false);
        res->store_rc = st;
        csv_free(rd);
        return;
    }
    int64_t now = clock_now();
    struct site_codes *codes = site_codes_new(a);
    /* A row's strings point into the reader's record, valid until the next
     * csv_read; everything else a row needs lives in the scratch arena:
     * the memory of an import is its errors, not its 150,000 rows. */
    while (!res->store_rc && (got = csv_read(rd, &rec, &cerr)) == 1) {
        arena_release(&scratch);
        im.row = rec.number;
        if (rec.count == 1 && rec.lengths[0] == 0)
            continue; /* blank line */
        struct site s;
        int64_t id;
        if (parse_row(&im, &rec, map, CLOCK_CHINA_OFFSET_MIN, &s, &id))
            continue;
        struct site_fault f;
        if (site_check(&s, &f)) {
            add_error(&im, f.field, f.code, f.message);
            continue;
        }
        if (id) {
            struct site old;
            st = site_get(c, &scratch, id, &old);
            if (st == STORE_NOT_FOUND) {
                add_error(&im, "id", "unknown_site", "no site has this id");
                continue;
            }
            s.id = id;
            s.is_demo = old.is_demo;
            if (!st)
                st = site_update_coded(c, &scratch, codes, &s, now, &f);
        } else {
            st = site_insert_coded(c, &scratch, codes, &s, now, &f);
        }
        if (st == SITE_INVALID)
            add_error(&im, f.field, f.code, f.message);
        else if (st)
            res->store_rc = st;
        else
            res->imported++;
    }
    if (got < 0) {
        im.row = cerr.record;
        add_error(&im, NULL, csv_error_code_name(cerr.code),
                  arena_printf(a, "line %zu, field %zu: %s", cerr.line, cerr.column, cerr.message));
    }
    csv_free(rd);
    arena_release(&scratch);
    if (res->nerrors || res->store_rc) {
        store_rollback(c);
        store_bulk(c, false);
        res->imported = 0;
        return;
    }
    res->store_rc = store_commit(c);
    store_bulk(c, false);
}

/* ---- export -------------------------------------------------------- */

static void put_field(struct strbuf *sb, const char *v, bool first)
{
    if (!first)
        strbuf_addch(sb, ',');
    if (!v)
        return;
    bool quote = strpbrk(v, ",\"\r\n") != NULL || (v[0] == ' ') || (*v && v[strlen(v) - 1] == ' ');
    if (!quote) {
        strbuf_adds(sb, v);
        return;
    }
    strbuf_addch(sb, '"');
    for (const char *p = v; *p; p++) {
        if (*p == '"')
            strbuf_addch(sb, '"');
        strbuf_addch(sb, *p);
    }
    strbuf_addch(sb, '"');
}

/* A text column's cell: one quote more before a formula character. */
static void put_text(struct strbuf *sb, const char *v)
{
    if (v && quoted_formula(v, 0)) {
        struct strbuf q = STRBUF_INIT;
        strbuf_addch(&q, '\'');
        strbuf_adds(&q, v);
        put_field(sb, q.buf, false);
        strbuf_release(&q);
        return;
    }
    put_field(sb, v, false);
}

static void put_site(struct strbuf *sb, struct arena *a, const struct site *s)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%lld", (long long)s->id);
    put_field(sb, buf, true);
    put_text(sb, s->name_zh);
    put_text(sb, s->name_en);
    put_text(sb, s->type_code);
    put_text(sb, s->region_code);
    put_text(sb, s->address_zh);
    put_text(sb, s->address_en);
    snprintf(buf, sizeof buf, "%.7f", s->lat);
    put_field(sb, buf, false);
    snprintf(buf, sizeof buf, "%.7f", s->lon);
    put_field(sb, buf, false);
    put_field(sb, "wgs84", false);
    put_text(sb, s->phone);
    put_text(sb, s->manager);
    put_text(sb, s->description);
    snprintf(buf, sizeof buf, "%lld", (long long)s->capacity);
    put_field(sb, s->has_capacity ? buf : "", false);
    put_text(sb, s->status);
    put_text(sb, s->status_reason);
    put_field(sb,
              s->has_until
                  ? clock_format_iso(s->status_until, CLOCK_CHINA_OFFSET_MIN, buf, sizeof buf)
                  : "",
              false);
    put_field(sb, s->is_public ? "1" : "0", false);
    put_text(sb, s->opening_hours);
    struct strbuf am = STRBUF_INIT;
    for (size_t i = 0; i < s->namenities; i++)
        strbuf_addf(&am, "%s%s=%lld", i ? ";" : "", s->amenities[i].code,
                    (long long)s->amenities[i].count);
    put_text(sb, am.buf ? am.buf : "");
    strbuf_release(&am);
    struct strbuf ph = STRBUF_INIT;
    for (size_t i = 0; i < s->nphotos; i++)
        strbuf_addf(&ph, "%s%s", i ? " " : "", s->photos[i]);
    put_text(sb, ph.buf ? ph.buf : "");
    strbuf_release(&ph);
    strbuf_adds(sb, "\r\n");
    (void)a;
}

int site_export_csv(struct store_conn *c, FILE *out)
{
    struct strbuf sb = STRBUF_INIT;
    for (int i = 0; i < NCOLS; i++)
        put_field(&sb, col_names[i], i == 0);
    strbuf_adds(&sb, "\r\n");
    fwrite(sb.buf, 1, sb.len, out);
    struct site_query q = {.status = "any", .limit = 500};
    for (;;) {
        struct arena a;
        arena_init(&a);
        struct site *sites;
        size_t n;
        int64_t total;
        int st = site_search(c, &a, &q, &sites, &n, &total);
        if (st) {
            arena_release(&a);
            strbuf_release(&sb);
            return st;
        }
        for (size_t i = 0; i < n; i++) {
            sb.len = 0;
            put_site(&sb, &a, &sites[i]);
            fwrite(sb.buf, 1, sb.len, out);
        }
        arena_release(&a);
        if ((int64_t)n < q.limit)
            break;
        q.offset += q.limit;
    }
    strbuf_release(&sb);
    return STORE_OK;
}

/* ---- command line -------------------------------------------------- */

int site_import_cli(struct app *app, const char *data, size_t len, FILE *out, FILE *err)
{
    struct store_conn *c = store_acquire(app->store);
    if (!c) {
        fputs("warmharbor: the store does not answer\n", err);
        return -1;
    }
    struct arena a;
    arena_init(&a);
    struct site_import_result res;
    site_import_csv(c, &a, data, len, &res);
    int rc = 0;
    if (res.store_rc) {
        fputs("warmharbor: the store failed; nothing was imported\n", err);
        rc = -1;
    } else if (res.nerrors) {
        for (size_t i = 0; i < res.nerrors; i++) {
            const struct site_import_error *e = &res.errors[i];
            fprintf(err, "row %zu%s%s: %s (%s)\n", e->row, e->column ? ", column " : "",
                    e->column ? e->column : "", e->message, e->code);
        }
        if (res.truncated)
            fputs("... more errors not shown\n", err);
        fprintf(err, "%zu errors; nothing was imported\n", res.nerrors);
        rc = -1;
    } else {
        fprintf(out, "imported %zu sites\n", res.imported);
    }
    arena_release(&a);
    store_release(c);
    return rc;
}

int site_export_cli(struct app *app, FILE *out)
{
    struct store_conn *c = store_acquire(app->store);
    if (!c)
        return -1;
    int rc = site_export_csv(c, out);
    store_release(c);
    return rc ? -1 : 0;
}
