/*
 * csv_test.c - unit tests for src/core/csv.c.
 *
 * Two tables drive most of it. Good inputs are read to the end and the
 * records rendered as "[field][field]|[field]..." to compare with the
 * expected string. Bad inputs must fail with the expected code, line,
 * column, record number and a message containing the expected words, after
 * returning the expected number of good records first. Further cases cover
 * the limits at and just past their defaults, record numbers and start
 * lines, error stickiness, and lengths of fields holding multi-byte text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/csv.h"
#include "test.h"

/* A string literal and its length, NULs and all. */
#define S(lit) lit, sizeof(lit) - 1

static char rendered[8192];

/*
 * Read all of data with the given limits and render the records into
 * `rendered`. Returns csv_read's final result (0 or -1), *err on -1.
 */
static int render_all(const char *data, size_t len, const struct csv_limits *lim,
                      struct csv_error *err, size_t *nrecords)
{
    struct csv_reader *r = csv_new(data, len, lim);
    struct csv_record rec;
    size_t used = 0, n = 0;
    int rc;

    rendered[0] = '\0';
    while ((rc = csv_read(r, &rec, err)) == 1) {
        if (n > 0)
            used += (size_t)snprintf(rendered + used, sizeof rendered - used, "|");
        for (size_t i = 0; i < rec.count; i++) {
            CHECK(strlen(rec.fields[i]) == rec.lengths[i]);
            used +=
                (size_t)snprintf(rendered + used, sizeof rendered - used, "[%s]", rec.fields[i]);
        }
        CHECK(rec.number == n + 1);
        n++;
        if (used >= sizeof rendered)
            break;
    }
    csv_free(r);
    if (nrecords)
        *nrecords = n;
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Good inputs                                                              */
/* ------------------------------------------------------------------------ */

struct good_case {
    const char *name;
    const char *input;
    size_t len;
    const char *want;
};

/* clang-format off */
static const struct good_case good_cases[] = {
    {"simple LF", S("a,b,c\n1,2,3\n"), "[a][b][c]|[1][2][3]"},
    {"no final line end", S("a,b\n1,2"), "[a][b]|[1][2]"},
    {"CRLF", S("a,b\r\n1,2\r\n"), "[a][b]|[1][2]"},
    {"lone CR ends a line", S("a,b\rc,d"), "[a][b]|[c][d]"},
    {"mixed line ends", S("a\r\nb\nc\rd"), "[a]|[b]|[c]|[d]"},
    {"quoted comma", S("\"a,b\",c\n"), "[a,b][c]"},
    {"doubled quotes", S("\"he said \"\"hi\"\"\",x"), "[he said \"hi\"][x]"},
    {"only a doubled quote", S("\"\"\"\""), "[\"]"},
    {"quoted LF kept", S("\"line1\nline2\",x\ny,z"),
     "[line1\nline2][x]|[y][z]"},
    {"quoted CRLF kept", S("\"a\r\nb\"\r\nc\r\n"), "[a\r\nb]|[c]"},
    {"quoted line end only", S("\"\n\""), "[\n]"},
    {"BOM skipped", S("\xEF\xBB\xBFname,addr\n"), "[name][addr]"},
    {"BOM then quote", S("\xEF\xBB\xBF\"q\",r"), "[q][r]"},
    {"BOM only", S("\xEF\xBB\xBF"), ""},
    {"BOM later is data", S("a\n\xEF\xBB\xBF"), "[a]|[\xEF\xBB\xBF]"},
    {"empty input", S(""), ""},
    {"only line ends", S("\n\r\n\r\n"), ""},
    {"empty fields", S(",,\n"), "[][][]"},
    {"trailing comma", S("a,\n"), "[a][]"},
    {"trailing comma at end", S("a,"), "[a][]"},
    {"quoted empty", S("\"\"\n"), "[]"},
    {"quoted empties", S("\"\",\"\""), "[][]"},
    {"trailing blank line ignored", S("a,b\n\n"), "[a][b]"},
    {"trailing CRLF blank lines", S("a\r\n\r\n\r\n"), "[a]"},
    {"blank lines in between skipped", S("a\n\n\nb\n"), "[a]|[b]"},
    {"spaces kept", S(" a , b "), "[ a ][ b ]"},
    {"quote char not first is not special at end", S("x,\"y\"\n"),
     "[x][y]"},
    {"Chinese", S("站点,地址\n海州站,\"连云港市海州区,朝阳东路1号\"\n"),
     "[站点][地址]|[海州站][连云港市海州区,朝阳东路1号]"},
    {"four-byte UTF-8", S("\xF0\x9F\x98\x80,\xF4\x8F\xBF\xBF"),
     "[\xF0\x9F\x98\x80][\xF4\x8F\xBF\xBF]"},
    {"UTF-8 edges", S("\xC2\x80\xDF\xBF,\xE0\xA0\x80,\xED\x9F\xBF,\xEE\x80\x80"),
     "[\xC2\x80\xDF\xBF][\xE0\xA0\x80][\xED\x9F\xBF][\xEE\x80\x80]"},
    {"tab and semicolon are data", S("a\tb;c"), "[a\tb;c]"},
};
/* clang-format on */

static void test_good_inputs(void)
{
    for (size_t i = 0; i < sizeof good_cases / sizeof good_cases[0]; i++) {
        const struct good_case *c = &good_cases[i];
        struct csv_error err;
        int rc = render_all(c->input, c->len, NULL, &err, NULL);

        if (rc != 0 || strcmp(rendered, c->want) != 0)
            fprintf(stderr, "good case \"%s\": rc %d, got \"%s\"%s%s\n", c->name, rc, rendered,
                    rc < 0 ? ", error " : "", rc < 0 ? err.message : "");
        CHECK_INT(rc, 0);
        CHECK_STR(rendered, c->want);
    }
}

/* ------------------------------------------------------------------------ */
/* Bad inputs                                                               */
/* ------------------------------------------------------------------------ */

struct bad_case {
    const char *name;
    const char *input;
    size_t len;
    struct csv_limits lim;
    size_t good_before; /* records returned before the error */
    enum csv_error_code code;
    size_t line, column, record, offset;
    const char *message_part;
};

/* clang-format off */
static const struct bad_case bad_cases[] = {
    {"unterminated quote", S("a,\"bc\n"), {0, 0, 0}, 0,
     CSV_ERR_UNTERMINATED_QUOTE, 1, 2, 1, 2, "never closed"},
    {"unterminated quote spans lines", S("h1,h2\nx,\"multi\nline\nstill open"),
     {0, 0, 0}, 1, CSV_ERR_UNTERMINATED_QUOTE, 2, 2, 2, 8, "never closed"},
    {"unterminated after doubled quote", S("\"a\"\""), {0, 0, 0}, 0,
     CSV_ERR_UNTERMINATED_QUOTE, 1, 1, 1, 0, "never closed"},
    {"quote mid unquoted field", S("ab\"c\n"), {0, 0, 0}, 0,
     CSV_ERR_BAD_QUOTE, 1, 1, 1, 2, "quote inside an unquoted field"},
    {"quote mid field, line 2", S("x\ny,a\"b"), {0, 0, 0}, 1,
     CSV_ERR_BAD_QUOTE, 2, 2, 2, 5, "quote inside"},
    {"text after closing quote", S("\"abc\"d,e"), {0, 0, 0}, 0,
     CSV_ERR_BAD_QUOTE, 1, 1, 1, 5, "after a closing quote"},
    {"space after closing quote", S("a,\"b\" ,c"), {0, 0, 0}, 0,
     CSV_ERR_BAD_QUOTE, 1, 2, 1, 5, "after a closing quote"},
    {"after multi-line quote", S("\"a\nb\"x"), {0, 0, 0}, 0,
     CSV_ERR_BAD_QUOTE, 2, 1, 1, 5, "after a closing quote"},
    {"invalid byte FF", S("a,b\nc,\xff"), {0, 0, 0}, 1,
     CSV_ERR_INVALID_UTF8, 2, 2, 2, 6, "invalid UTF-8"},
    {"lone continuation byte", S("\x80"), {0, 0, 0}, 0,
     CSV_ERR_INVALID_UTF8, 1, 1, 1, 0, "UTF-8"},
    {"overlong C0", S("a\xC0\xAF"), {0, 0, 0}, 0, CSV_ERR_INVALID_UTF8, 1,
     1, 1, 1, "UTF-8"},
    {"overlong E0", S("\xE0\x80\xAF"), {0, 0, 0}, 0, CSV_ERR_INVALID_UTF8,
     1, 1, 1, 0, "UTF-8"},
    {"overlong F0", S("\xF0\x8F\xBF\xBF"), {0, 0, 0}, 0,
     CSV_ERR_INVALID_UTF8, 1, 1, 1, 0, "UTF-8"},
    {"surrogate", S("x,\xED\xA0\x80"), {0, 0, 0}, 0, CSV_ERR_INVALID_UTF8,
     1, 2, 1, 2, "UTF-8"},
    {"above U+10FFFF", S("\xF4\x90\x80\x80"), {0, 0, 0}, 0,
     CSV_ERR_INVALID_UTF8, 1, 1, 1, 0, "UTF-8"},
    {"F5 lead", S("\xF5\x80\x80\x80"), {0, 0, 0}, 0, CSV_ERR_INVALID_UTF8,
     1, 1, 1, 0, "UTF-8"},
    {"truncated at end", S("ok\n\xE4\xB8"), {0, 0, 0}, 1,
     CSV_ERR_INVALID_UTF8, 2, 1, 2, 3, "UTF-8"},
    {"bad continuation", S("\xE4\x41\x80"), {0, 0, 0}, 0,
     CSV_ERR_INVALID_UTF8, 1, 1, 1, 0, "UTF-8"},
    {"Latin-1 in quotes after newline", S("\"a\nb\xE9\""), {0, 0, 0}, 0,
     CSV_ERR_INVALID_UTF8, 2, 1, 1, 4, "UTF-8"},
    {"partial BOM is invalid", S("\xEF\xBB,x"), {0, 0, 0}, 0,
     CSV_ERR_INVALID_UTF8, 1, 1, 1, 0, "UTF-8"},
    {"NUL unquoted", S("a,b\0c"), {0, 0, 0}, 0, CSV_ERR_NUL_BYTE, 1, 2, 1,
     3, "NUL"},
    {"NUL quoted", S("h\n\"x\0\""), {0, 0, 0}, 1, CSV_ERR_NUL_BYTE, 2, 1,
     2, 4, "NUL"},
    {"field too long", S("abcd,ef"), {3, 0, 0}, 0, CSV_ERR_FIELD_TOO_LONG,
     1, 1, 1, 3, "longer than 3 bytes"},
    {"quoted field too long", S("ab,\"c\"\"d\"\"\""), {3, 0, 0}, 0,
     CSV_ERR_FIELD_TOO_LONG, 1, 2, 1, 9, "longer than 3 bytes"},
    {"multi-byte straddles limit", S("ab\xE4\xB8\xAD"), {4, 0, 0}, 0,
     CSV_ERR_FIELD_TOO_LONG, 1, 1, 1, 2, "longer than 4"},
    {"line end counts toward limit", S("\"ab\ncd\""), {4, 0, 0}, 0,
     CSV_ERR_FIELD_TOO_LONG, 2, 1, 1, 5, "longer than 4"},
    {"too many fields", S("a,b\nc,d,e\n"), {0, 2, 0}, 1,
     CSV_ERR_TOO_MANY_FIELDS, 2, 3, 2, 7, "more than 2 fields"},
    {"too many fields, last one empty", S("a,b,"), {0, 2, 0}, 0,
     CSV_ERR_TOO_MANY_FIELDS, 1, 3, 1, 3, "more than 2 fields"},
    {"too many records", S("a\nb\n\nc\n"), {0, 0, 2}, 2,
     CSV_ERR_TOO_MANY_RECORDS, 4, 0, 3, 5, "more than 2 records"},
};
/* clang-format on */

static void test_bad_inputs(void)
{
    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
        const struct bad_case *c = &bad_cases[i];
        struct csv_error err;
        size_t n = 0;
        int rc;

        memset(&err, 0, sizeof err);
        rc = render_all(c->input, c->len, &c->lim, &err, &n);
        if (rc != -1 || n != c->good_before || err.code != c->code || err.line != c->line ||
            err.column != c->column || err.record != c->record || err.offset != c->offset ||
            !strstr(err.message, c->message_part))
            fprintf(stderr,
                    "bad case \"%s\": rc %d after %zu records, %s line %zu "
                    "column %zu record %zu offset %zu \"%s\"\n",
                    c->name, rc, n, csv_error_code_name(err.code), err.line, err.column, err.record,
                    err.offset, err.message);
        CHECK_INT(rc, -1);
        CHECK_INT(n, c->good_before);
        CHECK_INT(err.code, c->code);
        CHECK_INT(err.line, c->line);
        CHECK_INT(err.column, c->column);
        CHECK_INT(err.record, c->record);
        CHECK_INT(err.offset, c->offset);
        CHECK(strstr(err.message, c->message_part) != NULL);
    }
}

/* ------------------------------------------------------------------------ */
/* Limits at their defaults                                                 */
/* ------------------------------------------------------------------------ */

static void test_default_field_limit(void)
{
    size_t n = CSV_DEFAULT_MAX_FIELD_BYTES + 1;
    char *buf = malloc(n);
    struct csv_reader *r;
    struct csv_record rec;
    struct csv_error err;

    memset(buf, 'x', n);
    r = csv_new(buf, n - 1, NULL); /* exactly at the limit: fine */
    CHECK_INT(csv_read(r, &rec, &err), 1);
    CHECK_INT(rec.lengths[0], CSV_DEFAULT_MAX_FIELD_BYTES);
    CHECK_INT(csv_read(r, &rec, &err), 0);
    csv_free(r);

    r = csv_new(buf, n, NULL); /* one byte over */
    CHECK_INT(csv_read(r, &rec, &err), -1);
    CHECK_INT(err.code, CSV_ERR_FIELD_TOO_LONG);
    CHECK_INT(err.column, 1);
    CHECK_INT(err.offset, CSV_DEFAULT_MAX_FIELD_BYTES);
    CHECK(strstr(err.message, "4096") != NULL);
    csv_free(r);
    free(buf);
}

static void test_default_fields_limit(void)
{
    char buf[256];
    size_t len = 0;
    struct csv_reader *r;
    struct csv_record rec;
    struct csv_error err;

    for (int i = 0; i < CSV_DEFAULT_MAX_FIELDS; i++)
        buf[len++] = i ? ',' : 'f';
    r = csv_new(buf, len, NULL);
    CHECK_INT(csv_read(r, &rec, &err), 1);
    CHECK_INT(rec.count, CSV_DEFAULT_MAX_FIELDS);
    csv_free(r);

    buf[len++] = ',';
    r = csv_new(buf, len, NULL);
    CHECK_INT(csv_read(r, &rec, &err), -1);
    CHECK_INT(err.code, CSV_ERR_TOO_MANY_FIELDS);
    CHECK_INT(err.column, CSV_DEFAULT_MAX_FIELDS + 1);
    CHECK_INT(err.offset, len - 1);
    CHECK(strstr(err.message, "more than 64 fields") != NULL);
    csv_free(r);
}

static void test_default_records_limit(void)
{
    size_t n = CSV_DEFAULT_MAX_RECORDS + 1;
    char *buf = malloc(2 * n);
    struct csv_reader *r;
    struct csv_record rec;
    struct csv_error err;
    size_t got = 0;
    int rc;

    for (size_t i = 0; i < n; i++) {
        buf[2 * i] = 'r';
        buf[2 * i + 1] = '\n';
    }
    r = csv_new(buf, 2 * (n - 1), NULL);
    while ((rc = csv_read(r, &rec, &err)) == 1)
        got++;
    CHECK_INT(rc, 0);
    CHECK_INT(got, CSV_DEFAULT_MAX_RECORDS);
    csv_free(r);

    r = csv_new(buf, 2 * n, NULL);
    got = 0;
    while ((rc = csv_read(r, &rec, &err)) == 1)
        got++;
    CHECK_INT(rc, -1);
    CHECK_INT(got, CSV_DEFAULT_MAX_RECORDS);
    CHECK_INT(err.code, CSV_ERR_TOO_MANY_RECORDS);
    CHECK_INT(err.line, CSV_DEFAULT_MAX_RECORDS + 1);
    CHECK_INT(err.record, CSV_DEFAULT_MAX_RECORDS + 1);
    CHECK_INT(err.column, 0);
    csv_free(r);
    free(buf);
}

/* ------------------------------------------------------------------------ */
/* Positions, lengths, lifecycle                                            */
/* ------------------------------------------------------------------------ */

/* Record numbers skip blank lines; start lines count every physical line. */
static void test_record_numbers_and_lines(void)
{
    static const char in[] = "id,name\r\n1,\"two\r\nlines\"\r\n\r\n2,x\n3,y";
    struct csv_reader *r = csv_new(in, sizeof in - 1, NULL);
    struct csv_record rec;
    struct csv_error err;
    size_t want_line[] = {1, 2, 5, 6};

    for (size_t i = 0; i < 4; i++) {
        CHECK_INT(csv_read(r, &rec, &err), 1);
        CHECK_INT(rec.number, i + 1);
        CHECK_INT(rec.line, want_line[i]);
        CHECK_INT(rec.count, 2);
    }
    CHECK_INT(csv_read(r, &rec, &err), 0);
    CHECK_INT(csv_read(r, &rec, &err), 0); /* stays at the end */
    csv_free(r);
}

static void test_lengths_are_bytes(void)
{
    static const char in[] = "连云港,\"a\"\"b\",";
    struct csv_reader *r = csv_new(in, sizeof in - 1, NULL);
    struct csv_record rec;

    CHECK_INT(csv_read(r, &rec, NULL), 1);
    CHECK_INT(rec.count, 3);
    CHECK_INT(rec.lengths[0], 9);
    CHECK_INT(rec.lengths[1], 3);
    CHECK_INT(rec.lengths[2], 0);
    CHECK_STR(rec.fields[1], "a\"b");
    CHECK_STR(rec.fields[2], "");
    csv_free(r);
}

/* Once failed, always failed with the same error; err may be NULL. */
static void test_error_is_sticky(void)
{
    static const char in[] = "a\nb\"\nc\n";
    struct csv_reader *r = csv_new(in, sizeof in - 1, NULL);
    struct csv_record rec;
    struct csv_error e1, e2;

    CHECK_INT(csv_read(r, &rec, &e1), 1);
    CHECK_INT(csv_read(r, &rec, &e1), -1);
    CHECK_INT(csv_read(r, &rec, NULL), -1);
    CHECK_INT(csv_read(r, &rec, &e2), -1);
    CHECK_INT(e2.code, e1.code);
    CHECK_INT(e2.line, 2);
    CHECK_STR(e2.message, e1.message);
    csv_free(r);
}

/* Fields of the previous record may be overwritten; the new ones are right
 * even when the store grows mid-record. */
static void test_store_growth(void)
{
    char big[3000];
    char in[3100];
    struct csv_reader *r;
    struct csv_record rec;
    int len;

    memset(big, 'z', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    len = snprintf(in, sizeof in, "s\n%s,%s,t", big, "mid");
    r = csv_new(in, (size_t)len, NULL);
    CHECK_INT(csv_read(r, &rec, NULL), 1);
    CHECK_STR(rec.fields[0], "s");
    CHECK_INT(csv_read(r, &rec, NULL), 1);
    CHECK_INT(rec.count, 3);
    CHECK_STR(rec.fields[0], big);
    CHECK_STR(rec.fields[1], "mid");
    CHECK_STR(rec.fields[2], "t");
    csv_free(r);
}

static void test_misc_api(void)
{
    struct csv_reader *r = csv_new(NULL, 0, NULL);
    struct csv_record rec;

    CHECK_INT(csv_read(r, &rec, NULL), 0);
    csv_free(r);
    csv_free(NULL);
    CHECK_STR(csv_error_code_name(CSV_OK), "ok");
    CHECK_STR(csv_error_code_name(CSV_ERR_UNTERMINATED_QUOTE), "unterminated_quote");
    CHECK_STR(csv_error_code_name(CSV_ERR_BAD_QUOTE), "bad_quote");
    CHECK_STR(csv_error_code_name(CSV_ERR_INVALID_UTF8), "invalid_utf8");
    CHECK_STR(csv_error_code_name(CSV_ERR_NUL_BYTE), "nul_byte");
    CHECK_STR(csv_error_code_name(CSV_ERR_FIELD_TOO_LONG), "field_too_long");
    CHECK_STR(csv_error_code_name(CSV_ERR_TOO_MANY_FIELDS), "too_many_fields");
    CHECK_STR(csv_error_code_name(CSV_ERR_TOO_MANY_RECORDS), "too_many_records");
    CHECK_STR(csv_error_code_name((enum csv_error_code)99), "unknown");
}

int main(void)
{
    RUN(test_good_inputs);
    RUN(test_bad_inputs);
    RUN(test_default_field_limit);
    RUN(test_default_fields_limit);
    RUN(test_default_records_limit);
    RUN(test_record_numbers_and_lines);
    RUN(test_lengths_are_bytes);
    RUN(test_error_is_sticky);
    RUN(test_store_growth);
    RUN(test_misc_api);
    return test_report("csv");
}
