/*
 * schema_test.c - the schema the embedded migrations build, compared with
 * a golden file, so that a migration change the code does not expect is
 * noticed in review.
 *
 * A fresh temporary database is migrated and described, table by table in
 * name order:
 *   table NAME
 *     column NAME|TYPE|NOTNULL|PK      (PRAGMA table_info order)
 *     index NAME (COL, COL)            (by name; autoindexes included)
 * and the text is compared with tests/unit/store/schema.expected, found
 * under $WARMHARBOR_SRC_DIR if set, else relative to the working directory
 * (make runs tests from the repository root). On a mismatch the lines are
 * shown as a diff. After a deliberate migration change, regenerate the file
 * with WARMHARBOR_UPDATE_GOLDEN=1 and review the diff in the commit.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/strbuf.h"
#include "store/store.h"
#include "test.h"

#define GOLDEN_REL "tests/unit/store/schema.expected"

static char db_path[64];

static void db_remove_files(void)
{
    static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        char p[96];
        snprintf(p, sizeof p, "%s%s", db_path, suffixes[i]);
        unlink(p);
    }
}

static const char sql_tables[] = "SELECT name FROM sqlite_master WHERE type = 'table'"
                                 " AND name NOT LIKE 'sqlite_%' ORDER BY name";
static const char sql_columns[] = "SELECT name, type, \"notnull\", pk FROM "
                                  "pragma_table_info($1) ORDER BY cid";
static const char sql_indexes[] =
    "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = $1"
    " ORDER BY name";
static const char sql_index_columns[] = "SELECT name FROM pragma_index_info($1) ORDER BY seqno";

/* Describe the schema into sb. Returns 0 or -1. */
static int describe(struct store_conn *c, struct strbuf *sb)
{
    struct arena a;
    arena_init(&a);
    struct store_rows tables;
    int rc = store_query(c, &a, sql_tables, NULL, 0, &tables);
    for (size_t t = 0; !rc && t < tables.nrows; t++) {
        const char *table = store_text(&tables, t, 0);
        strbuf_addf(sb, "table %s\n", table);
        struct store_val p[] = {SV_TEXT(table)};
        struct store_rows cols, idx;
        rc = store_query(c, &a, sql_columns, p, 1, &cols);
        for (size_t i = 0; !rc && i < cols.nrows; i++)
            strbuf_addf(sb, "  column %s|%s|%lld|%lld\n", store_text(&cols, i, 0),
                        store_text(&cols, i, 1), (long long)store_int(&cols, i, 2),
                        (long long)store_int(&cols, i, 3));
        if (!rc)
            rc = store_query(c, &a, sql_indexes, p, 1, &idx);
        for (size_t i = 0; !rc && i < idx.nrows; i++) {
            const char *name = store_text(&idx, i, 0);
            struct store_val q[] = {SV_TEXT(name)};
            struct store_rows ic;
            rc = store_query(c, &a, sql_index_columns, q, 1, &ic);
            strbuf_addf(sb, "  index %s (", name);
            for (size_t k = 0; !rc && k < ic.nrows; k++)
                strbuf_addf(sb, "%s%s", k ? ", " : "", store_text(&ic, k, 0));
            strbuf_adds(sb, ")\n");
        }
    }
    arena_release(&a);
    return rc ? -1 : 0;
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    struct strbuf sb = STRBUF_INIT;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        strbuf_add(&sb, buf, n);
    fclose(f);
    return strbuf_detach(&sb, NULL);
}

/* ---- a line diff (longest common subsequence) ---------------------- */

struct lines {
    char **v;
    size_t n;
};

static void split_lines(char *text, struct lines *out)
{
    size_t cap = 16;
    out->v = malloc(cap * sizeof(*out->v));
    out->n = 0;
    char *p = text;
    while (*p) {
        char *nl = strchr(p, '\n');
        if (out->n == cap) {
            cap *= 2;
            out->v = realloc(out->v, cap * sizeof(*out->v));
        }
        out->v[out->n++] = p;
        if (!nl)
            break;
        *nl = '\0';
        p = nl + 1;
    }
}

/* Print a diff of want -> got: ' ' common, '-' only expected, '+' only
 * actual, with three lines of context around each change. */
static void print_diff(const struct lines *want, const struct lines *got)
{
    size_t n = want->n, m = got->n;
    size_t *lcs = calloc((n + 1) * (m + 1), sizeof(*lcs));
#define L(i, j) lcs[(i) * (m + 1) + (j)]
    for (size_t i = n; i-- > 0;)
        for (size_t j = m; j-- > 0;)
            L(i, j) = strcmp(want->v[i], got->v[j]) == 0 ? L(i + 1, j + 1) + 1
                      : L(i + 1, j) > L(i, j + 1)        ? L(i + 1, j)
                                                         : L(i, j + 1);
    /* The edit script, one op per line. */
    char *op = malloc(n + m + 1);
    const char **text = malloc((n + m + 1) * sizeof(*text));
    size_t nops = 0, i = 0, j = 0;
    while (i < n || j < m) {
        if (i < n && j < m && strcmp(want->v[i], got->v[j]) == 0) {
            op[nops] = ' ', text[nops++] = want->v[i];
            i++, j++;
        } else if (i < n && (j == m || L(i + 1, j) >= L(i, j + 1))) {
            op[nops] = '-', text[nops++] = want->v[i++];
        } else {
            op[nops] = '+', text[nops++] = got->v[j++];
        }
    }
#undef L
    fprintf(stderr, "--- %s (expected)\n+++ migrated schema (actual)\n", GOLDEN_REL);
    bool gap = false;
    for (size_t k = 0; k < nops; k++) {
        bool near = false;
        for (size_t d = k >= 3 ? k - 3 : 0; d <= k + 3 && d < nops; d++)
            near |= op[d] != ' ';
        if (near) {
            if (gap)
                fprintf(stderr, "@@\n");
            fprintf(stderr, "%c %s\n", op[k], text[k]);
            gap = false;
        } else {
            gap = true;
        }
    }
    free(op);
    free(text);
    free(lcs);
}

/* ------------------------------------------------------------------------ */

static void test_schema_matches_golden(void)
{
    snprintf(db_path, sizeof db_path, "/tmp/wh_schema_test_XXXXXX");
    int fd = mkstemp(db_path);
    CHECK(fd >= 0);
    if (fd < 0)
        return;
    close(fd);
    char err[200];
    struct store *s = store_open(db_path, err, sizeof err);
    CHECK(s != NULL);
    if (!s) {
        fprintf(stderr, "  store_open: %s\n", err);
        db_remove_files();
        return;
    }
    CHECK_INT(store_migrate(s), STORE_OK);
    struct store_conn *c = store_acquire(s);
    struct strbuf actual = STRBUF_INIT;
    CHECK_INT(describe(c, &actual), 0);
    store_release(c);
    store_close(s);
    db_remove_files();
    CHECK(actual.len > 0);

    char golden[1024];
    const char *dir = getenv("WARMHARBOR_SRC_DIR");
    snprintf(golden, sizeof golden, "%s%s%s", dir && *dir ? dir : "", dir && *dir ? "/" : "",
             GOLDEN_REL);

    const char *update = getenv("WARMHARBOR_UPDATE_GOLDEN");
    if (update && strcmp(update, "1") == 0) {
        FILE *f = fopen(golden, "wb");
        CHECK(f != NULL);
        if (f) {
            fwrite(actual.buf, 1, actual.len, f);
            fclose(f);
            fprintf(stderr, "schema: wrote %s\n", golden);
        }
    }

    char *expected = read_file(golden);
    if (!expected) {
        fprintf(stderr,
                "  cannot read %s (run from the repository root or set"
                " WARMHARBOR_SRC_DIR)\n",
                golden);
        CHECK(expected != NULL);
        strbuf_release(&actual);
        return;
    }
    bool same = strcmp(expected, actual.buf) == 0;
    CHECK(same);
    if (!same) {
        fprintf(stderr,
                "  the migrated schema differs from %s; if the change"
                " is intended, rerun with WARMHARBOR_UPDATE_GOLDEN=1\n",
                golden);
        struct lines want, got;
        split_lines(expected, &want);
        split_lines(actual.buf, &got);
        print_diff(&want, &got);
        free(want.v);
        free(got.v);
    }
    free(expected);
    strbuf_release(&actual);
}

int main(void)
{
    RUN(test_schema_matches_golden);
    return test_report("schema");
}
