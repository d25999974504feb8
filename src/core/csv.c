/*
 * csv.c - RFC 4180 CSV reader over a memory buffer (see csv.h for the
 * accepted dialect).
 *
 * The reader is a hand-written scanner with one byte of lookahead. It walks
 * the caller's buffer once, copying each field's unquoted bytes into a
 * per-record byte store (fields separated by NULs), and only after the
 * record is complete does it hand out pointers into that store, so growing
 * the store mid-record never leaves a dangling pointer. The store and the
 * field arrays are reused from record to record; their size is bounded by
 * the limits (max_fields * (max_field_bytes + 1) bytes at most).
 *
 * Line numbers count physical lines of the input: LF, CRLF and a lone CR
 * each end one, inside quoted fields as well as outside. UTF-8 is checked
 * one sequence at a time as its lead byte is met; since ',', '"', CR and LF
 * are ASCII they can never occur inside a valid multi-byte sequence.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/csv.h"

enum csv_state { CSV_READING, CSV_AT_END, CSV_FAILED };

struct csv_reader {
    const unsigned char *data;
    size_t len;
    size_t pos;  /* next byte to look at */
    size_t line; /* physical line of data[pos] */
    struct csv_limits lim;
    size_t records; /* records begun so far */
    enum csv_state state;
    struct csv_error err; /* valid when state == CSV_FAILED */

    /* The record being built: field bytes, each followed by a NUL. */
    char *bytes;
    size_t nbytes, bytes_cap;
    size_t *starts; /* offset of each field in bytes */
    size_t *lens;
    const char **ptrs;
    size_t nfields, fields_cap;
};

static void *csv_xrealloc(void *p, size_t size);
static int csv_fail(struct csv_reader *r, enum csv_error_code code, size_t line, size_t column,
                    size_t offset, const char *message);
static void csv_put(struct csv_reader *r, const unsigned char *src, size_t n);
static size_t csv_utf8_seq_len(const unsigned char *p, size_t avail);
static int csv_take_char(struct csv_reader *r, size_t column, size_t field_start);
static bool csv_take_plain(struct csv_reader *r, bool quoted, size_t field_start);
static int csv_read_quoted(struct csv_reader *r, size_t column, size_t field_start);
static int csv_read_unquoted(struct csv_reader *r, size_t column, size_t field_start);
static int csv_read_field(struct csv_reader *r, size_t column);
static int csv_read_record(struct csv_reader *r);

/* ------------------------------------------------------------------------ */
/* Small helpers                                                            */
/* ------------------------------------------------------------------------ */

/* realloc that aborts on failure (out of memory aborts: house rule). */
static void *csv_xrealloc(void *p, size_t size)
{
    void *q = realloc(p, size ? size : 1);

    if (!q) {
        fputs("csv: out of memory\n", stderr);
        abort();
    }
    return q;
}

/* Record the error, switch the reader to the failed state; returns -1. */
static int csv_fail(struct csv_reader *r, enum csv_error_code code, size_t line, size_t column,
                    size_t offset, const char *message)
{
    r->state = CSV_FAILED;
    r->err.code = code;
    r->err.line = line;
    r->err.column = column;
    r->err.record = r->records;
    r->err.offset = offset;
    snprintf(r->err.message, sizeof r->err.message, "%s", message);
    return -1;
}

/* Append n bytes to the record store, growing it geometrically. */
static void csv_put(struct csv_reader *r, const unsigned char *src, size_t n)
{
    if (r->bytes_cap - r->nbytes < n) {
        size_t cap = r->bytes_cap ? r->bytes_cap : 256;

        while (cap - r->nbytes < n)
            cap *= 2;
        r->bytes = csv_xrealloc(r->bytes, cap);
        r->bytes_cap = cap;
    }
    memcpy(r->bytes + r->nbytes, src, n);
    r->nbytes += n;
}

/*
 * Length of the well-formed UTF-8 sequence at p (lead byte >= 0x80), or 0
 * if it is not one. Follows the RFC 3629 table: lead bytes C2..F4 only, and
 * the second byte's range is narrowed after E0 (no overlongs), ED (no
 * surrogates), F0 (no overlongs) and F4 (nothing above U+10FFFF).
 */
static size_t csv_utf8_seq_len(const unsigned char *p, size_t avail)
{
    unsigned char b0 = p[0], lo = 0x80, hi = 0xBF;
    size_t n, i;

    if (b0 >= 0xC2 && b0 <= 0xDF)
        n = 2;
    else if (b0 >= 0xE0 && b0 <= 0xEF)
        n = 3;
    else if (b0 >= 0xF0 && b0 <= 0xF4)
        n = 4;
    else
        return 0;
    if (b0 == 0xE0)
        lo = 0xA0;
    else if (b0 == 0xED)
        hi = 0x9F;
    else if (b0 == 0xF0)
        lo = 0x90;
    else if (b0 == 0xF4)
        hi = 0x8F;
    if (avail < n || p[1] < lo || p[1] > hi)
        return 0;
    for (i = 2; i < n; i++)
        if (p[i] < 0x80 || p[i] > 0xBF)
            return 0;
    return n;
}

/* ------------------------------------------------------------------------ */
/* Scanner                                                                  */
/* ------------------------------------------------------------------------ */

/*
 * Copy one ordinary character (an ASCII byte or a whole UTF-8 sequence) at
 * r->pos into the current field and advance. Fails on NUL, invalid UTF-8,
 * or when the field would exceed max_field_bytes. Line breaks are the
 * caller's business.
 */
static int csv_take_char(struct csv_reader *r, size_t column, size_t field_start)
{
    const unsigned char *p = r->data + r->pos;
    size_t n = 1;

    if (*p == 0)
        return csv_fail(r, CSV_ERR_NUL_BYTE, r->line, column, r->pos, "NUL byte");
    if (*p >= 0x80) {
        n = csv_utf8_seq_len(p, r->len - r->pos);
        if (n == 0)
            return csv_fail(r, CSV_ERR_INVALID_UTF8, r->line, column, r->pos, "invalid UTF-8");
    }
    if (r->nbytes - field_start + n > r->lim.max_field_bytes) {
        csv_fail(r, CSV_ERR_FIELD_TOO_LONG, r->line, column, r->pos, "");
        snprintf(r->err.message, sizeof r->err.message, "field longer than %zu bytes",
                 r->lim.max_field_bytes);
        return -1;
    }
    csv_put(r, p, n);
    r->pos += n;
    return 0;
}

/*
 * Copy the run of plain bytes at r->pos into the current field at once and
 * advance; true if there was one. Plain: ASCII that is not NUL, a quote, CR
 * or LF, nor outside quotes a comma; such a byte needs no check but the
 * field's length, so the run stops where the field is full, and the next
 * byte, taken one at a time, fails there as it would have.
 */
static bool csv_take_plain(struct csv_reader *r, bool quoted, size_t field_start)
{
    const unsigned char *p = r->data + r->pos, *end = r->data + r->len, *q = p;
    size_t room = r->lim.max_field_bytes - (r->nbytes - field_start);

    if ((size_t)(end - p) > room)
        end = p + room;
    while (q < end) {
        unsigned char c = *q;

        if (c - 1u >= 0x7Fu || c == '"' || c == '\r' || c == '\n' || (c == ',' && !quoted))
            break;
        q++;
    }
    if (q == p)
        return false;
    csv_put(r, p, (size_t)(q - p));
    r->pos += (size_t)(q - p);
    return true;
}

/*
 * A quoted field, r->pos on the opening quote. Reads through the closing
 * quote, turning "" into ", keeping line breaks as they are. On return the
 * next byte is a delimiter, a line end or the end of input.
 */
static int csv_read_quoted(struct csv_reader *r, size_t column, size_t field_start)
{
    size_t open_line = r->line, open_pos = r->pos;

    r->pos++;
    for (;;) {
        unsigned char c;
        bool ends_line;

        if (r->pos >= r->len)
            return csv_fail(r, CSV_ERR_UNTERMINATED_QUOTE, open_line, column, open_pos,
                            "quoted field never closed");
        if (csv_take_plain(r, true, field_start))
            continue;
        c = r->data[r->pos];
        if (c == '"') {
            r->pos++;
            if (r->pos >= r->len || r->data[r->pos] != '"')
                break; /* the closing quote */
            /* a doubled quote: fall through and store the second one */
        }
        /* LF, or CR not followed by LF, ends a physical line. The line
         * count moves after storing, so an overlong-field error at the
         * line break still names the line it ends. */
        ends_line =
            c == '\n' || (c == '\r' && (r->pos + 1 >= r->len || r->data[r->pos + 1] != '\n'));
        if (csv_take_char(r, column, field_start) < 0)
            return -1;
        if (ends_line)
            r->line++;
    }
    if (r->pos < r->len) {
        unsigned char c = r->data[r->pos];

        if (c != ',' && c != '\r' && c != '\n')
            return csv_fail(r, CSV_ERR_BAD_QUOTE, r->line, column, r->pos,
                            "text after a closing quote");
    }
    return 0;
}

/* An unquoted field: everything up to a delimiter, line end or end. */
static int csv_read_unquoted(struct csv_reader *r, size_t column, size_t field_start)
{
    while (r->pos < r->len) {
        unsigned char c;

        if (csv_take_plain(r, false, field_start))
            continue;
        c = r->data[r->pos];
        if (c == ',' || c == '\r' || c == '\n')
            break;
        if (c == '"')
            return csv_fail(r, CSV_ERR_BAD_QUOTE, r->line, column, r->pos,
                            "quote inside an unquoted field");
        if (csv_take_char(r, column, field_start) < 0)
            return -1;
    }
    return 0;
}

/* Field number `column` (1-based) of the current record, r->pos on its
 * first byte. Stores its bytes plus a NUL and its start and length. */
static int csv_read_field(struct csv_reader *r, size_t column)
{
    size_t start = r->nbytes;
    int rc;

    if (column > r->lim.max_fields) {
        /* Point at the comma that opened the extra field (column > 1 here,
         * so there is one); the field itself may be empty at the end. */
        csv_fail(r, CSV_ERR_TOO_MANY_FIELDS, r->line, column, r->pos - 1, "");
        snprintf(r->err.message, sizeof r->err.message, "record has more than %zu fields",
                 r->lim.max_fields);
        return -1;
    }
    if (r->pos < r->len && r->data[r->pos] == '"')
        rc = csv_read_quoted(r, column, start);
    else
        rc = csv_read_unquoted(r, column, start);
    if (rc < 0)
        return -1;

    if (r->nfields == r->fields_cap) {
        size_t cap = r->fields_cap ? r->fields_cap * 2 : 16;

        r->starts = csv_xrealloc(r->starts, cap * sizeof *r->starts);
        r->lens = csv_xrealloc(r->lens, cap * sizeof *r->lens);
        r->ptrs = csv_xrealloc(r->ptrs, cap * sizeof *r->ptrs);
        r->fields_cap = cap;
    }
    r->starts[r->nfields] = start;
    r->lens[r->nfields] = r->nbytes - start;
    r->nfields++;
    csv_put(r, (const unsigned char *)"", 1);
    return 0;
}

/*
 * One record, r->pos on its first byte (not a line end, not the end).
 * Consumes the record's line end too.
 */
static int csv_read_record(struct csv_reader *r)
{
    size_t column = 1;

    r->nbytes = 0;
    r->nfields = 0;
    for (;;) {
        unsigned char c;

        if (csv_read_field(r, column) < 0)
            return -1;
        if (r->pos >= r->len)
            return 0;
        c = r->data[r->pos++];
        if (c == ',') {
            column++;
            continue;
        }
        /* csv_read_field stops only at ',', CR, LF or the end. */
        if (c == '\r' && r->pos < r->len && r->data[r->pos] == '\n')
            r->pos++;
        r->line++;
        return 0;
    }
}

/* ------------------------------------------------------------------------ */
/* Public API                                                               */
/* ------------------------------------------------------------------------ */

struct csv_reader *csv_new(const char *data, size_t len, const struct csv_limits *limits)
{
    struct csv_reader *r = csv_xrealloc(NULL, sizeof *r);

    memset(r, 0, sizeof *r);
    r->data = (const unsigned char *)data;
    r->len = data ? len : 0;
    r->line = 1;
    r->state = CSV_READING;
    if (limits)
        r->lim = *limits;
    if (r->lim.max_field_bytes == 0)
        r->lim.max_field_bytes = CSV_DEFAULT_MAX_FIELD_BYTES;
    if (r->lim.max_fields == 0)
        r->lim.max_fields = CSV_DEFAULT_MAX_FIELDS;
    if (r->lim.max_records == 0)
        r->lim.max_records = CSV_DEFAULT_MAX_RECORDS;
    if (r->len >= 3 && r->data[0] == 0xEF && r->data[1] == 0xBB && r->data[2] == 0xBF)
        r->pos = 3;
    return r;
}

int csv_read(struct csv_reader *r, struct csv_record *rec, struct csv_error *err)
{
    size_t i, line;

    if (r->state == CSV_AT_END)
        return 0;
    if (r->state == CSV_FAILED)
        goto failed;

    /* Skip blank lines, the trailing one included. */
    while (r->pos < r->len && (r->data[r->pos] == '\n' || r->data[r->pos] == '\r')) {
        if (r->data[r->pos] == '\r' && r->pos + 1 < r->len && r->data[r->pos + 1] == '\n')
            r->pos++;
        r->pos++;
        r->line++;
    }
    if (r->pos >= r->len) {
        r->state = CSV_AT_END;
        return 0;
    }

    r->records++;
    line = r->line;
    if (r->records > r->lim.max_records) {
        csv_fail(r, CSV_ERR_TOO_MANY_RECORDS, r->line, 0, r->pos, "");
        snprintf(r->err.message, sizeof r->err.message, "more than %zu records",
                 r->lim.max_records);
        goto failed;
    }
    if (csv_read_record(r) < 0)
        goto failed;

    for (i = 0; i < r->nfields; i++)
        r->ptrs[i] = r->bytes + r->starts[i];
    rec->count = r->nfields;
    rec->fields = r->ptrs;
    rec->lengths = r->lens;
    rec->number = r->records;
    rec->line = line;
    return 1;

failed:
    if (err)
        *err = r->err;
    return -1;
}

const char *csv_error_code_name(enum csv_error_code code)
{
    switch (code) {
    case CSV_OK:
        return "ok";
    case CSV_ERR_UNTERMINATED_QUOTE:
        return "unterminated_quote";
    case CSV_ERR_BAD_QUOTE:
        return "bad_quote";
    case CSV_ERR_INVALID_UTF8:
        return "invalid_utf8";
    case CSV_ERR_NUL_BYTE:
        return "nul_byte";
    case CSV_ERR_FIELD_TOO_LONG:
        return "field_too_long";
    case CSV_ERR_TOO_MANY_FIELDS:
        return "too_many_fields";
    case CSV_ERR_TOO_MANY_RECORDS:
        return "too_many_records";
    }
    return "unknown";
}

void csv_free(struct csv_reader *r)
{
    if (!r)
        return;
    free(r->bytes);
    free(r->starts);
    free(r->lens);
    free(r->ptrs);
    free(r);
}
