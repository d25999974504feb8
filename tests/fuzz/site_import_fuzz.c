/*
 * site_import_fuzz.c - libFuzzer target for site_import_csv() and
 * site_export_csv() (src/site/site_csv.c) against a real SQLite store.
 *
 * LLVMFuzzerInitialize creates one temporary database per process
 * (removed at exit), migrates it and adds a small catalogue (site type
 * warm_hut, amenities microwave and heater, regions HZ and XH) and one
 * site with id 1, so rows with an id column can update something. Each
 * input is imported as a CSV file. Promises checked:
 *  - all or nothing: when the import reports errors (or a store failure)
 *    nothing was imported and the sites, their amenities and photos are
 *    exactly as before, byte for byte;
 *  - every error names a row (1 = header) and a code, the list never
 *    exceeds SITE_IMPORT_MAX_ERRORS, and "truncated" only when full;
 *  - on success the number of sites grew by at most the rows imported;
 *  - what was imported exports to a CSV that imports again without an
 *    error and then exports identically (the export is always a valid
 *    import, and a fixed point).
 * After a successful import the database is put back to its first state,
 * so it stays small.
 *
 *   make fuzz-smoke FUZZ_SECONDS=60    (seeds in tests/fuzz/corpus/site_import)
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "site/site.h"
#include "store/store.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char fz_path[64];
static struct store *fz_store;
static struct store_conn *fz_conn;

static void fz_fail(const char *what)
{
    fprintf(stderr, "site_import_fuzz: %s\n", what);
    abort();
}

static void fz_check(bool ok, const char *what)
{
    if (!ok)
        fz_fail(what);
}

static void fz_remove_db(void)
{
    if (fz_conn)
        store_release(fz_conn);
    store_close(fz_store);
    fz_conn = NULL;
    fz_store = NULL;
    static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        char p[96];
        snprintf(p, sizeof p, "%s%s", fz_path, suffixes[i]);
        unlink(p);
    }
}

static const char *const fz_catalogue[] = {
    "INSERT INTO site_types (id, code, name_zh, tier, created_at, updated_at)"
    " VALUES (1, 'warm_hut', '\xe6\x9a\x96\xe5\xb1\x8b', 3, 0, 0)",
    "INSERT INTO amenities (id, code, name_zh, kind, created_at, updated_at)"
    " VALUES (1, 'microwave', 'm', 'boolean', 0, 0)",
    "INSERT INTO amenities (id, code, name_zh, kind, created_at, updated_at)"
    " VALUES (2, 'heater', 'h', 'counted', 0, 0)",
    "INSERT INTO regions (id, code, level, path, name_zh, created_at,"
    " updated_at) VALUES (1, 'HZ', 'city', '/1/', 'h', 0, 0)",
    "INSERT INTO regions (id, code, parent_id, level, path, name_zh,"
    " created_at, updated_at) VALUES (2, 'XH', 1, 'district', '/1/2/', 'x',"
    " 0, 0)",
};

/* The one site every input starts from. */
static const char *const fz_baseline[] = {
    "DELETE FROM sites",
    "INSERT INTO sites (id, name_zh, type_id, region_id, lat, lon, status,"
    " status_reason, created_at, updated_at) VALUES (1, 'base', 1, 2, 30.25,"
    " 120.15, 'temporarily_closed', 'repairs', 0, 0)",
    "INSERT INTO site_amenities (site_id, amenity_id, count) VALUES (1, 2, 3)",
    "INSERT INTO site_photos (site_id, position, url) VALUES"
    " (1, 0, 'https://example.com/base.jpg')",
};

static void fz_reset(void)
{
    for (size_t i = 0; i < sizeof fz_baseline / sizeof fz_baseline[0]; i++)
        if (store_exec(fz_conn, fz_baseline[i], NULL, 0, NULL) != STORE_OK)
            fz_fail("cannot reset the database");
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    log_set_level(LOG_ERROR);
    snprintf(fz_path, sizeof fz_path, "/tmp/wh_site_import_fuzz_XXXXXX");
    int fd = mkstemp(fz_path);
    if (fd < 0)
        fz_fail("mkstemp failed");
    close(fd);
    char err[200];
    fz_store = store_open(fz_path, err, sizeof err);
    if (!fz_store)
        fz_fail(err);
    atexit(fz_remove_db);
    if (store_migrate(fz_store) != STORE_OK)
        fz_fail("migrations failed");
    fz_conn = store_acquire(fz_store);
    if (!fz_conn)
        fz_fail("no connection");
    for (size_t i = 0; i < sizeof fz_catalogue / sizeof fz_catalogue[0]; i++)
        if (store_exec(fz_conn, fz_catalogue[i], NULL, 0, NULL) != STORE_OK)
            fz_fail("cannot insert the catalogue");
    fz_reset();
    return 0;
}

/* Everything about the sites as one string (malloc'ed), and their count. */
static const char fz_sql_fingerprint[] =
    "SELECT (SELECT COUNT(*) FROM sites),"
    " (SELECT group_concat(x, '|') FROM (SELECT quote(id) || quote(name_zh) ||"
    " quote(name_en) || quote(type_id) || quote(region_id) ||"
    " quote(address_zh) || quote(address_en) || quote(lat) || quote(lon) ||"
    " quote(input_datum) || quote(phone) || quote(manager) ||"
    " quote(description) || quote(capacity) || quote(status) ||"
    " quote(status_reason) || quote(status_until) || quote(is_public) ||"
    " quote(opening_hours) || quote(is_demo) || quote(created_at) ||"
    " quote(updated_at) AS x FROM sites ORDER BY id)),"
    " (SELECT group_concat(x, '|') FROM (SELECT site_id || ':' || amenity_id"
    " || ':' || count AS x FROM site_amenities ORDER BY site_id, amenity_id)),"
    " (SELECT group_concat(x, '|') FROM (SELECT site_id || ':' || position ||"
    " ':' || url AS x FROM site_photos ORDER BY site_id, position))";

static char *fz_fingerprint(int64_t *nsites)
{
    struct arena a;
    arena_init(&a);
    struct store_rows rows;
    if (store_query(fz_conn, &a, fz_sql_fingerprint, NULL, 0, &rows) != STORE_OK || rows.nrows != 1)
        fz_fail("fingerprint query failed");
    *nsites = store_int(&rows, 0, 0);
    const char *s = store_text(&rows, 0, 1), *am = store_text(&rows, 0, 2),
               *ph = store_text(&rows, 0, 3);
    size_t n = strlen(s ? s : "") + strlen(am ? am : "") + strlen(ph ? ph : "") + 4;
    char *out = malloc(n);
    snprintf(out, n, "%s#%s#%s", s ? s : "", am ? am : "", ph ? ph : "");
    arena_release(&a);
    return out;
}

static void fz_check_result(const struct site_import_result *res)
{
    fz_check(res->nerrors <= SITE_IMPORT_MAX_ERRORS, "too many errors listed");
    fz_check(!res->truncated || res->nerrors == SITE_IMPORT_MAX_ERRORS,
             "truncated before the list is full");
    for (size_t i = 0; i < res->nerrors; i++) {
        const struct site_import_error *e = &res->errors[i];
        fz_check(e->row >= 1, "error without a row");
        fz_check(e->code && *e->code, "error without a code");
        fz_check(e->message != NULL, "error without a message");
    }
}

static char *fz_export(size_t *len)
{
    char *buf = NULL;
    *len = 0;
    FILE *f = open_memstream(&buf, len);
    if (!f)
        fz_fail("open_memstream");
    if (site_export_csv(fz_conn, f) != STORE_OK)
        fz_fail("export failed");
    fclose(f);
    return buf;
}

static void fz_dump_errors(const struct site_import_result *res)
{
    for (size_t i = 0; i < res->nerrors; i++)
        fprintf(stderr, "  row %zu column %s: %s (%s)\n", res->errors[i].row,
                res->errors[i].column ? res->errors[i].column : "-", res->errors[i].message,
                res->errors[i].code);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int64_t before_n, after_n;
    char *before = fz_fingerprint(&before_n);

    struct arena a;
    arena_init(&a);
    struct site_import_result res;
    site_import_csv(fz_conn, &a, (const char *)data, size, &res);
    fz_check_result(&res);
    char *after = fz_fingerprint(&after_n);

    if (res.nerrors || res.store_rc) {
        fz_check(res.imported == 0, "errors but rows counted as imported");
        fz_check(after_n == before_n, "errors but the site count changed");
        fz_check(strcmp(before, after) == 0, "errors but the sites changed");
    } else {
        fz_check(after_n >= before_n, "a successful import lost sites");
        fz_check((size_t)(after_n - before_n) <= res.imported,
                 "more sites added than rows imported");
        if (res.imported) {
            /* The export imports again, cleanly, and is a fixed point. */
            size_t len1, len2;
            char *first = fz_export(&len1);
            struct arena b;
            arena_init(&b);
            struct site_import_result again;
            site_import_csv(fz_conn, &b, first, len1, &again);
            if (again.nerrors || again.store_rc) {
                fprintf(stderr, "export:\n%s\n", first);
                fz_dump_errors(&again);
                fz_fail("an export does not import again");
            }
            char *second = fz_export(&len2);
            if (len1 != len2 || memcmp(first, second, len1) != 0) {
                fprintf(stderr, "first export:\n%s\nsecond export:\n%s\n", first, second);
                fz_fail("export -> import -> export differs");
            }
            free(first);
            free(second);
            arena_release(&b);
        }
        if (res.imported || strcmp(before, after) != 0)
            fz_reset();
    }
    free(before);
    free(after);
    arena_release(&a);
    return 0;
}
