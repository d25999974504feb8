/*
 * site_csv_test.c - unit tests for site_import_csv and site_export_csv
 * (src/site/site_csv.c) on a migrated temporary SQLite database holding a
 * minimal catalogue: site type "warm_hut", amenity "microwave", region
 * "HZ".
 *
 * Covers a valid import (Chinese text, quoted commas and quotes, CRLF, a
 * byte order mark, a line break inside a field), all-or-nothing when some
 * rows are wrong (every error reported with its row and column, and no
 * site stored), header faults, codes the catalogue does not know, updates
 * through the id column, CSV syntax errors, the error cap, and an export
 * that imports back to an identical export.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "site/site.h"
#include "store/store.h"
#include "test.h"

/* A string literal and its length. */
#define S(lit) lit, sizeof(lit) - 1

#define BOM "\xef\xbb\xbf"
#define NAME_WENSAN "\xe6\x96\x87\xe4\xb8\x89\xe8\xb7\xaf\xe6\x9a\x96\xe5\xb1\x8b"
#define NAME_WEST "\xe8\xa5\xbf\xe6\xba\xaa\xe9\xa9\xbf\xe7\xab\x99"

static char db_path[64];
static struct store *db;
static struct store_conn *conn;

static void db_remove_files(void)
{
    static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        char p[96];
        snprintf(p, sizeof p, "%s%s", db_path, suffixes[i]);
        unlink(p);
    }
}

static const char *const catalogue_sql[] = {
    "INSERT INTO site_types (code, name_zh, name_en, tier, created_at,"
    " updated_at) VALUES ('warm_hut', '\xe6\x9a\x96\xe5\xb1\x8b', 'Warm Hut',"
    " 3, 0, 0)",
    "INSERT INTO amenities (code, name_zh, name_en, kind, created_at,"
    " updated_at) VALUES ('microwave', '\xe5\xbe\xae\xe6\xb3\xa2\xe7\x82\x89',"
    " 'Microwave', 'boolean', 0, 0)",
    "INSERT INTO regions (id, code, parent_id, level, path, name_zh, name_en,"
    " created_at, updated_at) VALUES (1, 'HZ', NULL, 'city', '/1/',"
    " '\xe6\x9d\xad\xe5\xb7\x9e', 'Hangzhou', 0, 0)",
};

static int db_setup(void)
{
    snprintf(db_path, sizeof db_path, "/tmp/wh_site_csv_test_XXXXXX");
    int fd = mkstemp(db_path);
    if (fd < 0) {
        perror("mkstemp");
        return -1;
    }
    close(fd);
    char err[200];
    db = store_open(db_path, err, sizeof err);
    if (!db) {
        fprintf(stderr, "store_open: %s\n", err);
        return -1;
    }
    if (store_migrate(db) != STORE_OK)
        return -1;
    conn = store_acquire(db);
    if (!conn)
        return -1;
    for (size_t i = 0; i < sizeof catalogue_sql / sizeof catalogue_sql[0]; i++)
        if (store_exec(conn, catalogue_sql[i], NULL, 0, NULL) != STORE_OK)
            return -1;
    return 0;
}

static int64_t count_sites(void)
{
    struct arena a;
    arena_init(&a);
    struct store_rows rows;
    int64_t n = -1;
    if (store_query(conn, &a, "SELECT COUNT(*) FROM sites", NULL, 0, &rows) == STORE_OK)
        n = store_int(&rows, 0, 0);
    arena_release(&a);
    return n;
}

static void delete_all_sites(void)
{
    CHECK_INT(store_exec(conn, "DELETE FROM sites", NULL, 0, NULL), STORE_OK);
}

/* The id of the site named name_zh, or 0. */
static int64_t site_id_by_name(const char *name)
{
    struct arena a;
    arena_init(&a);
    struct store_rows rows;
    struct store_val p[] = {SV_TEXT(name)};
    int64_t id = 0;
    if (store_query(conn, &a, "SELECT id FROM sites WHERE name_zh = $1", p, 1, &rows) == STORE_OK &&
        rows.nrows == 1)
        id = store_int(&rows, 0, 0);
    arena_release(&a);
    return id;
}

static void import(struct arena *a, const char *csv, size_t len, struct site_import_result *res)
{
    site_import_csv(conn, a, csv, len, res);
}

static void dump_errors(const struct site_import_result *res)
{
    for (size_t i = 0; i < res->nerrors; i++)
        fprintf(stderr, "  row %zu column %s: %s (%s)\n", res->errors[i].row,
                res->errors[i].column ? res->errors[i].column : "-", res->errors[i].message,
                res->errors[i].code);
}

/* Is there an error with this row, column (NULL: none) and code? */
static bool has_error(const struct site_import_result *res, size_t row, const char *column,
                      const char *code)
{
    for (size_t i = 0; i < res->nerrors; i++) {
        const struct site_import_error *e = &res->errors[i];
        bool col_ok = column ? e->column && strcmp(e->column, column) == 0 : e->column == NULL;
        if (e->row == row && col_ok && strcmp(e->code, code) == 0 && e->message && *e->message)
            return true;
    }
    return false;
}

#define CHECK_ERROR(res, row, column, code)                                                        \
    do {                                                                                           \
        if (!has_error((res), (row), (column), (code))) {                                          \
            fprintf(stderr, "%s:%d: no error at row %d column %s code %s\n", __FILE__, __LINE__,   \
                    (int)(row), (column) ? (const char *)(column) : "-", (code));                  \
            dump_errors(res);                                                                      \
            test_checks_failed_in_case++;                                                          \
        }                                                                                          \
    } while (0)

/* Export every site into a malloc'ed string. */
static char *export_all(size_t *len)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    CHECK_INT(site_export_csv(conn, f), STORE_OK);
    fclose(f);
    if (len)
        *len = n;
    return buf;
}

/* ------------------------------------------------------------------------ */

static void test_import_valid(void)
{
    delete_all_sites();
    static const char csv[] =
        BOM "name_zh,type,lat,lon,region,amenities,description,name_en,"
            "public\r\n" NAME_WENSAN ",warm_hut,30.2741,120.1551,HZ,microwave,"
            "\"\xe7\x83\xad\xe6\xb0\xb4, \xe5\xbe\xae\xe6\xb3\xa2\xe7\x82\x89\","
            "\"Wensan, \"\"North\"\" Hut\",1\r\n" NAME_WEST
            ",warm_hut,30.27,120.06,,microwave=3,\"line one\r\nline two\","
            ",no\r\n";
    struct arena a;
    arena_init(&a);
    struct site_import_result res;
    import(&a, S(csv), &res);
    dump_errors(&res);
    CHECK_INT(res.nerrors, 0);
    CHECK_INT(res.store_rc, STORE_OK);
    CHECK_INT(res.imported, 2);
    CHECK(!res.truncated);
    CHECK_INT(count_sites(), 2);

    int64_t id = site_id_by_name(NAME_WENSAN);
    CHECK(id > 0);
    struct site s;
    CHECK_INT(site_get(conn, &a, id, &s), STORE_OK);
    CHECK_STR(s.type_code, "warm_hut");
    CHECK_STR(s.region_code, "HZ");
    CHECK_STR(s.description, "\xe7\x83\xad\xe6\xb0\xb4, \xe5\xbe\xae\xe6\xb3\xa2\xe7\x82\x89");
    CHECK_STR(s.name_en, "Wensan, \"North\" Hut");
    CHECK_NEAR(s.lat, 30.2741, 1e-12);
    CHECK_NEAR(s.lon, 120.1551, 1e-12);
    CHECK(s.is_public);
    CHECK_STR(s.status, "operational");
    CHECK_STR(s.opening_hours, "24/7");
    CHECK_INT(s.namenities, 1);
    if (s.namenities == 1) {
        CHECK_STR(s.amenities[0].code, "microwave");
        CHECK_INT(s.amenities[0].count, 1);
    }

    id = site_id_by_name(NAME_WEST);
    CHECK(id > 0);
    CHECK_INT(site_get(conn, &a, id, &s), STORE_OK);
    CHECK(s.region_code == NULL);
    CHECK_STR(s.description, "line one\r\nline two");
    CHECK_STR(s.name_en, "");
    CHECK(!s.is_public);
    CHECK_INT(s.namenities, 1);
    if (s.namenities == 1)
        CHECK_INT(s.amenities[0].count, 3);
    arena_release(&a);

    /* Columns in any order, LF line ends, blank lines, no BOM. */
    static const char csv2[] = "lon,lat,type,name_zh\n\n120.1,30.1,warm_hut,A\n"
                               "\n120.2,30.2,warm_hut,B\n\n";
    arena_init(&a);
    import(&a, S(csv2), &res);
    dump_errors(&res);
    CHECK_INT(res.nerrors, 0);
    CHECK_INT(res.imported, 2);
    CHECK_INT(count_sites(), 4);
    arena_release(&a);

    /* A header alone imports nothing, successfully. */
    arena_init(&a);
    import(&a, S("name_zh,type,lat,lon\r\n"), &res);
    CHECK_INT(res.nerrors, 0);
    CHECK_INT(res.store_rc, STORE_OK);
    CHECK_INT(res.imported, 0);
    CHECK_INT(count_sites(), 4);
    arena_release(&a);
}

static void test_import_errors_all_or_nothing(void)
{
    delete_all_sites();
    int64_t before = count_sites();
    /* Records: 1 header, 2 good, 3 bad lat, 4 good, 5 bad capacity,
     * 6 good. */
    static const char csv[] = "name_zh,type,lat,lon,capacity\r\n"
                              "good-2,warm_hut,30.1,120.1,10\r\n"
                              "bad-3,warm_hut,north,120.1,10\r\n"
                              "good-4,warm_hut,30.2,120.2,\r\n"
                              "bad-5,warm_hut,30.3,120.3,many\r\n"
                              "good-6,warm_hut,30.4,120.4,0\r\n";
    struct arena a;
    arena_init(&a);
    struct site_import_result res;
    import(&a, S(csv), &res);
    CHECK_INT(res.nerrors, 2);
    CHECK_ERROR(&res, 3, "lat", "invalid_field");
    CHECK_ERROR(&res, 5, "capacity", "invalid_field");
    if (res.nerrors == 2) {
        CHECK_INT(res.errors[0].row, 3);
        CHECK_INT(res.errors[1].row, 5);
    }
    CHECK_INT(res.imported, 0);
    CHECK_INT(res.store_rc, STORE_OK);
    CHECK_INT(count_sites(), before);
    CHECK_INT(site_id_by_name("good-2"), 0);
    CHECK_INT(site_id_by_name("good-6"), 0);
    arena_release(&a);

    /* Several faults in one row are each reported; faults found by the
     * domain check and by the store count too, and rows already written
     * in the transaction are rolled back. */
    static const char csv2[] = "name_zh,type,lat,lon,phone,public,status_until,datum\n"
                               "ok-2,warm_hut,30,120,,,,\n"
                               "bad-3,warm_hut,100,200,,maybe,,\n"
                               ",warm_hut,30,120,,,,\n"
                               "bad-5,warm_hut,30,120,call me,,,\n"
                               "bad-6,warm_hut,30,120,,,tomorrow,\n"
                               "bad-7,warm_hut,30,120,,,,osgb36\n"
                               "ok-8,warm_hut,30,120,,1,,gcj02\n";
    arena_init(&a);
    import(&a, S(csv2), &res);
    CHECK_ERROR(&res, 3, "lat", "invalid_field");
    CHECK_ERROR(&res, 3, "lon", "invalid_field");
    CHECK_ERROR(&res, 3, "public", "invalid_field");
    CHECK_ERROR(&res, 4, "name_zh", "missing_field");
    CHECK_ERROR(&res, 5, "phone", "invalid_field");
    CHECK_ERROR(&res, 6, "status_until", "invalid_field");
    CHECK_ERROR(&res, 7, "datum", "invalid_field");
    CHECK_INT(res.nerrors, 7);
    CHECK_INT(res.imported, 0);
    CHECK_INT(count_sites(), before);
    arena_release(&a);

    /* A CSV syntax error after good rows: nothing stored. */
    static const char csv3[] = "name_zh,type,lat,lon\n"
                               "ok,warm_hut,30,120\n"
                               "bad \"quote,warm_hut,30,120\n";
    arena_init(&a);
    import(&a, S(csv3), &res);
    CHECK_INT(res.nerrors, 1);
    CHECK_ERROR(&res, 3, NULL, "bad_quote");
    CHECK_INT(res.imported, 0);
    CHECK_INT(count_sites(), before);
    arena_release(&a);

    /* Invalid UTF-8 in a field. */
    static const char csv4[] = "name_zh,type,lat,lon\n"
                               "\xff\xfe,warm_hut,30,120\n";
    arena_init(&a);
    import(&a, S(csv4), &res);
    CHECK_INT(res.nerrors, 1);
    CHECK_ERROR(&res, 2, NULL, "invalid_utf8");
    CHECK_INT(count_sites(), before);
    arena_release(&a);
}

static void test_import_header_faults(void)
{
    int64_t before = count_sites();
    struct arena a;
    struct site_import_result res;

    arena_init(&a);
    import(&a, S("name_zh,type,lat,lon,colour\nA,warm_hut,30,120,red\n"), &res);
    CHECK_INT(res.nerrors, 1);
    CHECK_ERROR(&res, 1, "colour", "unknown_column");
    CHECK_INT(res.imported, 0);
    CHECK_INT(count_sites(), before);
    arena_release(&a);

    arena_init(&a);
    import(&a, S("name_zh,type,lat\nA,warm_hut,30\n"), &res);
    CHECK_INT(res.nerrors, 1);
    CHECK_ERROR(&res, 1, "lon", "missing_column");
    CHECK_INT(count_sites(), before);
    arena_release(&a);

    arena_init(&a);
    import(&a, S("Name_zh,type,lat,lon,lat\n"), &res);
    CHECK_ERROR(&res, 1, "Name_zh", "unknown_column");
    CHECK_ERROR(&res, 1, "lat", "duplicate_column");
    CHECK_ERROR(&res, 1, "name_zh", "missing_column");
    CHECK_INT(res.nerrors, 3);
    arena_release(&a);

    /* Header names are exact: no trimming, no case folding. */
    arena_init(&a);
    import(&a, S("name_zh, type,lat,lon\n"), &res);
    CHECK_ERROR(&res, 1, " type", "unknown_column");
    CHECK_ERROR(&res, 1, "type", "missing_column");
    arena_release(&a);

    arena_init(&a);
    import(&a, S(""), &res);
    CHECK_INT(res.nerrors, 1);
    CHECK_ERROR(&res, 1, NULL, "empty_csv");
    arena_release(&a);

    arena_init(&a);
    import(&a, S(BOM "\r\n\r\n"), &res);
    CHECK_INT(res.nerrors, 1);
    CHECK_ERROR(&res, 1, NULL, "empty_csv");
    arena_release(&a);
    CHECK_INT(count_sites(), before);
}

static void test_import_unknown_codes(void)
{
    delete_all_sites();
    static const char csv[] = "name_zh,type,lat,lon,region,amenities\n"
                              "a,warm_hut,30,120,HZ,microwave\n"
                              "b,canteen,30,120,HZ,\n"
                              "c,warm_hut,30,120,SH,\n"
                              "d,warm_hut,30,120,,microwave;sauna=2\n"
                              "e,warm_hut,30,120,,bad code\n"
                              "f,warm_hut,30,120,,microwave;microwave\n"
                              "g,warm_hut,30,120,,microwave=-1\n"
                              "h,warm_hut,30,120,,microwave=x\n";
    struct arena a;
    arena_init(&a);
    struct site_import_result res;
    import(&a, S(csv), &res);
    CHECK_ERROR(&res, 3, "type", "unknown_type");
    CHECK_ERROR(&res, 4, "region", "unknown_region");
    CHECK_ERROR(&res, 5, "amenities", "unknown_amenity");
    CHECK_ERROR(&res, 6, "amenities", "unknown_amenity");
    CHECK_ERROR(&res, 7, "amenities", "invalid_field");
    CHECK_ERROR(&res, 8, "amenities", "invalid_field");
    CHECK_ERROR(&res, 9, "amenities", "invalid_field");
    CHECK_INT(res.nerrors, 7);
    CHECK_INT(res.imported, 0);
    CHECK_INT(res.store_rc, STORE_OK);
    CHECK_INT(count_sites(), 0);
    /* The good row's amenity link was rolled back with it. */
    struct store_rows rows;
    CHECK_INT(store_query(conn, &a, "SELECT COUNT(*) FROM site_amenities", NULL, 0, &rows),
              STORE_OK);
    CHECK_INT(store_int(&rows, 0, 0), 0);
    arena_release(&a);
}

static void test_import_updates_by_id(void)
{
    delete_all_sites();
    struct arena a;
    arena_init(&a);
    struct site_import_result res;
    import(&a,
           S("name_zh,type,lat,lon,amenities\n"
             "old name,warm_hut,30,120,microwave=2\n"
             "other,warm_hut,31,121,\n"),
           &res);
    CHECK_INT(res.imported, 2);
    int64_t id = site_id_by_name("old name");
    CHECK(id > 0);

    char *csv = arena_printf(&a,
                             "id,name_zh,type,lat,lon,status,status_reason,"
                             "status_until,capacity\n"
                             "%lld,new name,warm_hut,30.5,120.5,"
                             "temporarily_closed,repairs,2026-12-01T08:00,7\n",
                             (long long)id);
    import(&a, csv, strlen(csv), &res);
    dump_errors(&res);
    CHECK_INT(res.nerrors, 0);
    CHECK_INT(res.imported, 1);
    CHECK_INT(count_sites(), 2);
    CHECK_INT(site_id_by_name("old name"), 0);
    CHECK_INT(site_id_by_name("new name"), id);
    struct site s;
    CHECK_INT(site_get(conn, &a, id, &s), STORE_OK);
    CHECK_NEAR(s.lat, 30.5, 0);
    CHECK_STR(s.status, "temporarily_closed");
    CHECK_STR(s.status_reason, "repairs");
    CHECK(s.has_until);
    CHECK_INT(s.status_until, 1796083200); /* 2026-12-01T00:00:00Z */
    CHECK(s.has_capacity && s.capacity == 7);
    /* The row had no amenities column: the site now has none (a row is
     * the whole site). */
    CHECK_INT(s.namenities, 0);

    /* Ids that are not sites, or not ids. */
    static const char bad[] = "id,name_zh,type,lat,lon\n"
                              "999999,x,warm_hut,30,120\n"
                              "abc,x,warm_hut,30,120\n"
                              "0,x,warm_hut,30,120\n"
                              "-4,x,warm_hut,30,120\n"
                              "1.5,x,warm_hut,30,120\n";
    import(&a, S(bad), &res);
    CHECK_ERROR(&res, 2, "id", "unknown_site");
    CHECK_ERROR(&res, 3, "id", "invalid_field");
    CHECK_ERROR(&res, 4, "id", "invalid_field");
    CHECK_ERROR(&res, 5, "id", "invalid_field");
    CHECK_ERROR(&res, 6, "id", "invalid_field");
    CHECK_INT(res.nerrors, 5);
    CHECK_INT(count_sites(), 2);

    /* An empty id adds a site. */
    import(&a, S("id,name_zh,type,lat,lon\n,third,warm_hut,30,120\n"), &res);
    CHECK_INT(res.nerrors, 0);
    CHECK_INT(res.imported, 1);
    CHECK_INT(count_sites(), 3);
    arena_release(&a);
}

static void test_import_error_cap(void)
{
    delete_all_sites();
    /* 250 rows with a bad lat each. */
    size_t cap = 64 + 250 * 32, len = 0;
    char *csv = malloc(cap);
    len += (size_t)snprintf(csv + len, cap - len, "name_zh,type,lat,lon\n");
    for (int i = 0; i < 250; i++)
        len += (size_t)snprintf(csv + len, cap - len, "n%d,warm_hut,x,120\n", i);
    struct arena a;
    arena_init(&a);
    struct site_import_result res;
    import(&a, csv, len, &res);
    CHECK_INT(res.nerrors, SITE_IMPORT_MAX_ERRORS);
    CHECK(res.truncated);
    CHECK_INT(res.errors[0].row, 2);
    CHECK_INT(res.errors[SITE_IMPORT_MAX_ERRORS - 1].row, SITE_IMPORT_MAX_ERRORS + 1);
    CHECK_INT(res.imported, 0);
    CHECK_INT(count_sites(), 0);
    arena_release(&a);
    free(csv);
}

static void test_export_import_round_trip(void)
{
    delete_all_sites();
    static const char csv[] =
        "name_zh,name_en,type,region,address_zh,address_en,lat,lon,datum,"
        "phone,manager,description,capacity,status,status_reason,status_until,"
        "public,opening_hours,amenities,photos\n" NAME_WENSAN
        ",\"Wensan, \"\"the\"\" hut\",warm_hut,HZ,"
        "\xe6\x96\x87\xe4\xb8\x89\xe8\xb7\xaf 90 \xe5\x8f\xb7,90 Wensan Rd,"
        "30.27412345678,120.15512345678,wgs84,+86 571 8888-8888,Li Lei,"
        "\"two\nlines, and \"\"quotes\"\"\",12,operational,,,1,"
        "\"Mo-Fr 08:00-18:00; Sa,Su 09:00-12:00\",microwave=4,"
        "https://example.com/a.jpg https://example.com/b.jpg\n" NAME_WEST
        ",,warm_hut,,,,30.25,120.05,gcj02,,,,,temporarily_closed,"
        "\xe7\xae\xa1\xe9\x81\x93\xe6\xa3\x80\xe4\xbf\xae,2026-12-01T08:30:00+"
        "08:00,"
        "0,24/7,,\n"
        "closed one,,warm_hut,HZ,,,-33.5,-70.25,bd09,,, leading space,0,closed,"
        "moved away,,yes,off,microwave=0,\n";
    struct arena a;
    arena_init(&a);
    struct site_import_result res;
    import(&a, S(csv), &res);
    dump_errors(&res);
    CHECK_INT(res.nerrors, 0);
    CHECK_INT(res.imported, 3);

    size_t len1 = 0, len2 = 0, len3 = 0;
    char *first = export_all(&len1);
    CHECK(first && len1 > 0);
    /* The header row is the import's column list, id first. */
    CHECK(strncmp(first, "id,name_zh,name_en,type,region,", 31) == 0);

    import(&a, first, len1, &res);
    dump_errors(&res);
    CHECK_INT(res.nerrors, 0);
    CHECK_INT(res.store_rc, STORE_OK);
    CHECK_INT(res.imported, 3);
    CHECK_INT(count_sites(), 3);
    char *second = export_all(&len2);
    CHECK_INT(len2, len1);
    CHECK(second && strcmp(first, second) == 0);
    if (second && strcmp(first, second) != 0)
        fprintf(stderr, "  first export:\n%s\n  second export:\n%s\n", first, second);

    /* And once more: a fixed point. */
    import(&a, second, len2, &res);
    CHECK_INT(res.nerrors, 0);
    char *third = export_all(&len3);
    CHECK(third && strcmp(second, third) == 0);

    /* The export says wgs84 for every site, whatever was imported. */
    CHECK(strstr(first, "gcj02") == NULL && strstr(first, "bd09") == NULL);

    free(first);
    free(second);
    free(third);
    arena_release(&a);
}

/*
 * Regression, found while writing these tests: a site may hold 10 photo
 * URLs of up to 1000 bytes each (site_check, and so the JSON API), but the
 * export writes them space-separated into one CSV field, and the import
 * read fields of at most CSV_DEFAULT_MAX_FIELD_BYTES (4096) bytes, so such
 * a site exported to a file its own import refused (field_too_long). The
 * same held for 64 amenities with long codes.
 */
/* The import skips the store's own checks of what it checked itself
 * (store_bulk); after it, on the same connection, a foreign key and a
 * CHECK constraint hold again, whether it committed or rolled back. */
static void test_store_checks_after_import(void)
{
    delete_all_sites();
    static const char good[] =
        "name_zh,type,lat,lon,amenities\n" NAME_WENSAN ",warm_hut,30.2741,120.1551,microwave=2\n";
    static const char bad[] =
        "name_zh,type,lat,lon,amenities\n" NAME_WEST ",warm_hut,30.27,120.06,no_such_amenity\n";
    for (int round = 0; round < 2; round++) {
        struct arena a;
        arena_init(&a);
        struct site_import_result res;
        if (round == 0)
            import(&a, S(good), &res);
        else
            import(&a, S(bad), &res);
        CHECK_INT(res.nerrors, round == 0 ? 0 : 1);
        CHECK_INT(res.store_rc, STORE_OK);
        int64_t id = site_id_by_name(NAME_WENSAN);
        CHECK(id > 0);
        struct store_val p[] = {SV_INT(id)};
        CHECK_INT(store_exec(conn,
                             "INSERT INTO site_amenities (site_id, amenity_id, count)"
                             " VALUES ($1 + 1000000, (SELECT MIN(id) FROM amenities), 1)",
                             p, 1, NULL),
                  STORE_CONFLICT);
        CHECK_INT(store_exec(conn, "UPDATE sites SET status = 'bogus' WHERE id = $1", p, 1, NULL),
                  STORE_CONFLICT);
        CHECK_INT(store_exec(conn, "UPDATE sites SET capacity = -1 WHERE id = $1", p, 1, NULL),
                  STORE_CONFLICT);
        arena_release(&a);
    }
    CHECK_INT(count_sites(), 1);
}

static void test_export_of_api_site_imports_back(void)
{
    delete_all_sites();
    struct arena a;
    arena_init(&a);
    static char urls[5][1001];
    const char *photos[5];
    for (int i = 0; i < 5; i++) {
        int n = snprintf(urls[i], sizeof urls[i], "https://example.com/%d/", i);
        memset(urls[i] + n, 'p', 1000 - (size_t)n);
        urls[i][1000] = '\0';
        photos[i] = urls[i];
    }
    struct site s;
    site_defaults(&s);
    s.name_zh = "photos";
    s.type_code = "warm_hut";
    s.lat = 30;
    s.lon = 120;
    s.nphotos = 5;
    s.photos = photos;
    struct site_fault f;
    CHECK_INT(site_check(&s, &f), 0);
    CHECK_INT(store_begin(conn), STORE_OK);
    CHECK_INT(site_insert(conn, &a, &s, 1767196800, &f), STORE_OK);
    CHECK_INT(store_commit(conn), STORE_OK);

    size_t len = 0;
    char *csv = export_all(&len);
    struct site_import_result res;
    import(&a, csv, len, &res);
    dump_errors(&res);
    CHECK_INT(res.nerrors, 0);
    CHECK_INT(res.imported, 1);
    free(csv);
    arena_release(&a);
}

/*
 * Import error messages go into the JSON answer of POST /api/sites/import
 * (site_http.c import_sites packs each with json_pack "s:s"), so they must
 * be valid UTF-8. Found while writing these tests: site_check() writes
 * "no site type has code %s" (and the same for region and amenity) with
 * the raw cell into a 200-byte buffer; a long Chinese code is cut inside a
 * character, json_pack then fails and import_sites silently drops that
 * row's entry from "details".
 */
static void test_error_messages_are_utf8(void)
{
    delete_all_sites();
    struct arena a;
    arena_init(&a);
    char type[400];
    size_t n = 0;
    for (int i = 0; i < 80; i++) {
        memcpy(type + n, "\xe7\xb1\xbb", 3); /* 3-byte character */
        n += 3;
    }
    type[n] = '\0';
    char *csv = arena_printf(&a,
                             "name_zh,type,lat,lon,region,amenities\n"
                             "a,t%s,30,120,,\n"
                             "b,warm_hut,30,120,x%s,\n"
                             "c,warm_hut,30,120,,microwave;y%s\n",
                             type, type, type);
    struct site_import_result res;
    import(&a, csv, strlen(csv), &res);
    CHECK_ERROR(&res, 2, "type", "unknown_type");
    CHECK_ERROR(&res, 3, "region", "unknown_region");
    CHECK_ERROR(&res, 4, "amenities", "unknown_amenity");
    for (size_t i = 0; i < res.nerrors; i++) {
        json_t *msg = json_string(res.errors[i].message);
        if (!msg)
            fprintf(stderr, "  row %zu: message is not valid UTF-8\n", res.errors[i].row);
        CHECK(msg != NULL);
        json_decref(msg);
    }
    arena_release(&a);
}

/*
 * struct site_import_error's column is "column name or NULL". Found while
 * writing these tests: a BD-09 point near a pole or the antimeridian is in
 * range as written but leaves it after conversion to WGS-84 (bd09
 * -90,-180 becomes -90.0055,-180.0068), and the fault site_check reports
 * names the JSON field "position", which is not a column of the CSV; the
 * user should be pointed at lat/lon (or datum).
 */
static void test_error_columns_are_csv_columns(void)
{
    delete_all_sites();
    static const char csv[] = "name_zh,type,lat,lon,datum\n"
                              "pole,warm_hut,-90,-180,bd09\n";
    struct arena a;
    arena_init(&a);
    struct site_import_result res;
    import(&a, S(csv), &res);
    CHECK_INT(res.nerrors, 1);
    CHECK_INT(count_sites(), 0);
    if (res.nerrors == 1) {
        const char *col = res.errors[0].column;
        bool is_column = col && (strcmp(col, "lat") == 0 || strcmp(col, "lon") == 0 ||
                                 strcmp(col, "datum") == 0);
        if (!is_column)
            dump_errors(&res);
        CHECK(is_column);
    }
    arena_release(&a);
}

int main(void)
{
    if (db_setup()) {
        fprintf(stderr, "site_csv: cannot set up the database\n");
        if (db_path[0])
            db_remove_files();
        return 1;
    }
    RUN(test_import_valid);
    RUN(test_import_errors_all_or_nothing);
    RUN(test_import_header_faults);
    RUN(test_import_unknown_codes);
    RUN(test_import_updates_by_id);
    RUN(test_import_error_cap);
    RUN(test_export_import_round_trip);
    RUN(test_export_of_api_site_imports_back);
    RUN(test_store_checks_after_import);
    RUN(test_error_messages_are_utf8);
    RUN(test_error_columns_are_csv_columns);
    store_release(conn);
    store_close(db);
    db_remove_files();
    return test_report("site_csv");
}
