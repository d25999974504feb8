/*
 * csv_fuzz.c - libFuzzer target for src/core/csv.c.
 *
 * Each input is read to the end twice: with the default limits and with
 * tiny ones (so the limit paths are hit constantly). For every record it
 * checks the promises of csv.h: 1 <= field count <= max_fields, each field
 * at most max_field_bytes long, NUL-terminated at its stated length with no
 * NUL inside, valid UTF-8, record numbers consecutive, start lines rising.
 * An error must carry a real code and a plausible position, and must be
 * sticky; the end must stay the end. Finally, when a whole input parses,
 * its records are written back out with every field quoted and read again:
 * the result must be the same records (a round-trip oracle).
 *
 * Build and run (see tests/fuzz/corpus/csv for the seeds):
 *   clang -fsanitize=fuzzer,address,undefined -Isrc tests/fuzz/csv_fuzz.c \
 *       src/core/csv.c -o /tmp/cf && /tmp/cf -max_total_time=60 CORPUS_COPY
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Everything parsed from one input: fields back to back with their
 * lengths, and the field count of each record. */
struct fuzz_parse {
    char *bytes;
    size_t nbytes, cap;
    size_t *lens;
    size_t nlens, lens_cap;
    size_t *counts;
    size_t ncounts, counts_cap;
};

static void fuzz_check(bool ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "csv_fuzz: invariant broken: %s\n", what);
        abort();
    }
}

static void *fuzz_grow(void *p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return p;
    while (*cap < need)
        *cap = *cap ? *cap * 2 : 64;
    p = realloc(p, *cap * elem);
    if (!p)
        abort();
    return p;
}

static void fuzz_parse_free(struct fuzz_parse *fp)
{
    free(fp->bytes);
    free(fp->lens);
    free(fp->counts);
    memset(fp, 0, sizeof *fp);
}

/* An independent strict UTF-8 check (decode and range-test), so the
 * reader's table-driven one is not checked against itself. */
static bool fuzz_is_utf8(const unsigned char *s, size_t n)
{
    size_t i = 0;

    while (i < n) {
        unsigned c = s[i], cp, need, k;

        if (c < 0x80) {
            i++;
            continue;
        }
        if ((c & 0xE0) == 0xC0) {
            need = 1, cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            need = 2, cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            need = 3, cp = c & 0x07;
        } else {
            return false;
        }
        if (need > n - i - 1)
            return false;
        for (k = 1; k <= need; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if ((need == 1 && cp < 0x80) || (need == 2 && cp < 0x800) || (need == 3 && cp < 0x10000) ||
            cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += need + 1;
    }
    return true;
}

/*
 * Read everything, checking invariants; returns 0 at a clean end, -1 after
 * an error. If fp is not NULL, the records are appended to it.
 */
static int fuzz_read_all(const char *data, size_t size, const struct csv_limits *lim,
                         struct fuzz_parse *fp)
{
    struct csv_reader *r = csv_new(data, size, lim);
    struct csv_record rec;
    struct csv_error err, again;
    size_t max_field =
        lim && lim->max_field_bytes ? lim->max_field_bytes : CSV_DEFAULT_MAX_FIELD_BYTES;
    size_t max_fields = lim && lim->max_fields ? lim->max_fields : CSV_DEFAULT_MAX_FIELDS;
    size_t max_records = lim && lim->max_records ? lim->max_records : CSV_DEFAULT_MAX_RECORDS;
    size_t n = 0, last_line = 0;
    int rc;

    while ((rc = csv_read(r, &rec, &err)) == 1) {
        n++;
        fuzz_check(rec.number == n, "record numbers consecutive");
        fuzz_check(n <= max_records, "record count within limit");
        fuzz_check(rec.count >= 1 && rec.count <= max_fields, "field count within limit");
        fuzz_check(rec.line > last_line && rec.line <= size + 1, "start lines rise");
        last_line = rec.line;
        for (size_t i = 0; i < rec.count; i++) {
            const char *f = rec.fields[i];
            size_t len = rec.lengths[i];

            fuzz_check(len <= max_field, "field length within limit");
            fuzz_check(f[len] == '\0', "field NUL-terminated");
            fuzz_check(memchr(f, 0, len) == NULL, "no NUL inside field");
            fuzz_check(fuzz_is_utf8((const unsigned char *)f, len), "field is UTF-8");
            if (fp && len > 0) {
                fp->bytes = fuzz_grow(fp->bytes, &fp->cap, fp->nbytes + len, 1);
                memcpy(fp->bytes + fp->nbytes, f, len);
                fp->nbytes += len;
            }
            if (fp) {
                fp->lens = fuzz_grow(fp->lens, &fp->lens_cap, fp->nlens + 1, sizeof *fp->lens);
                fp->lens[fp->nlens++] = len;
            }
        }
        if (fp) {
            fp->counts =
                fuzz_grow(fp->counts, &fp->counts_cap, fp->ncounts + 1, sizeof *fp->counts);
            fp->counts[fp->ncounts++] = rec.count;
        }
    }
    if (rc == 0) {
        fuzz_check(csv_read(r, &rec, &err) == 0, "end stays the end");
    } else {
        fuzz_check(rc == -1, "result is 1, 0 or -1");
        fuzz_check(err.code != CSV_OK, "error has a code");
        fuzz_check(strcmp(csv_error_code_name(err.code), "unknown") != 0, "error code is known");
        fuzz_check(err.line >= 1 && err.line <= size + 1, "error line");
        fuzz_check(err.line >= last_line, "error after last record");
        fuzz_check(err.column <= max_fields + 1, "error column");
        fuzz_check((err.column == 0) == (err.code == CSV_ERR_TOO_MANY_RECORDS),
                   "column 0 only for too many records");
        fuzz_check(err.record == n + 1, "error record number");
        fuzz_check(err.offset < size, "error offset inside input");
        fuzz_check(memchr(err.message, 0, sizeof err.message) != NULL && err.message[0] != '\0',
                   "error message set");
        fuzz_check(csv_read(r, &rec, &again) == -1 && again.code == err.code &&
                       again.line == err.line && again.offset == err.offset,
                   "error is sticky");
    }
    csv_free(r);
    return rc;
}

/* Write the parsed records back as CSV with every field quoted. */
static char *fuzz_serialize(const struct fuzz_parse *fp, size_t *out_len)
{
    size_t cap = 2 * fp->nbytes + 3 * fp->nlens + fp->ncounts + 1;
    char *out = malloc(cap), *o = out;
    size_t f = 0, at = 0; /* field index, offset in fp->bytes */

    if (!out)
        abort();
    for (size_t r = 0; r < fp->ncounts; r++) {
        for (size_t i = 0; i < fp->counts[r]; i++, f++) {
            if (i)
                *o++ = ',';
            *o++ = '"';
            for (size_t k = 0; k < fp->lens[f]; k++, at++) {
                if (fp->bytes[at] == '"')
                    *o++ = '"';
                *o++ = fp->bytes[at];
            }
            *o++ = '"';
        }
        *o++ = '\n';
    }
    *out_len = (size_t)(o - out);
    return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct csv_limits tiny = {8, 4, 16};
    struct fuzz_parse first = {0}, second = {0};
    const char *in = (const char *)data;

    fuzz_read_all(in, size, &tiny, NULL);
    if (fuzz_read_all(in, size, NULL, &first) == 0) {
        size_t len;
        char *again = fuzz_serialize(&first, &len);

        fuzz_check(fuzz_read_all(again, len, NULL, &second) == 0, "round trip parses");
        fuzz_check(second.ncounts == first.ncounts && second.nlens == first.nlens &&
                       second.nbytes == first.nbytes,
                   "round trip same shape");
        /* counts and lens are NULL when there were no records. */
        fuzz_check(
            first.ncounts == 0 ||
                (memcmp(second.counts, first.counts, first.ncounts * sizeof *first.counts) == 0 &&
                 memcmp(second.lens, first.lens, first.nlens * sizeof *first.lens) == 0),
            "round trip same field counts and lengths");
        fuzz_check(first.nbytes == 0 || memcmp(second.bytes, first.bytes, first.nbytes) == 0,
                   "round trip same field bytes");
        free(again);
    }
    fuzz_parse_free(&first);
    fuzz_parse_free(&second);
    return 0;
}
