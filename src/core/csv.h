/*
 * csv.h - an RFC 4180 CSV reader over a memory buffer.
 *
 * Importers (sites, stations, opening hours ...) feed an uploaded file
 * through this reader one record at a time and must be able to tell the
 * user exactly where a problem is, so every error carries the physical
 * line, the field number, the record number and the byte offset, plus a
 * stable code for the JSON error body.
 *
 * Accepted: fields separated by ',', records ended by CRLF, LF or a lone
 * CR; fields in double quotes may hold commas, line breaks (kept as they
 * are) and quotes written as ""; a UTF-8 byte order mark at the very start
 * is skipped; blank lines (no bytes at all between two line ends, including
 * a trailing one) are skipped and are not records, so a record with a
 * single empty field must be written as "". Rejected: a quote inside an
 * unquoted field, text after a closing quote, a quote that never closes,
 * invalid UTF-8 (RFC 3629: no overlongs, surrogates or code points above
 * U+10FFFF), NUL bytes, and input beyond the limits. Everything is bytes:
 * no locale, no whitespace trimming, no type guessing. The reader does not
 * require records to have equal field counts; that is the importer's call.
 *
 * Errors are final: after csv_read() returns -1, every further call returns
 * -1 with the same error. Out of memory aborts (house rule); input size
 * never does, it is capped by the limits.
 */
#ifndef WH_CORE_CSV_H
#define WH_CORE_CSV_H

#include <stddef.h>

#define CSV_DEFAULT_MAX_FIELD_BYTES 4096
#define CSV_DEFAULT_MAX_FIELDS 64
#define CSV_DEFAULT_MAX_RECORDS 200000

/* Caps on the input. A member left 0 takes the default above. */
struct csv_limits {
    size_t max_field_bytes; /* bytes in one field after unquoting */
    size_t max_fields;      /* fields in one record */
    size_t max_records;     /* records in the input, header included */
};

enum csv_error_code {
    CSV_OK = 0,
    CSV_ERR_UNTERMINATED_QUOTE, /* quoted field runs to end of input */
    CSV_ERR_BAD_QUOTE,          /* quote in unquoted field, or text after
                                   a closing quote */
    CSV_ERR_INVALID_UTF8,
    CSV_ERR_NUL_BYTE,
    CSV_ERR_FIELD_TOO_LONG,
    CSV_ERR_TOO_MANY_FIELDS,
    CSV_ERR_TOO_MANY_RECORDS,
};

/* Where and why reading stopped. */
struct csv_error {
    enum csv_error_code code;
    size_t line;      /* 1-based physical line of the offending byte; for an
                         unterminated quote, the line where the quote opened */
    size_t column;    /* 1-based field number in the record; 0 when the error
                         is about the record, not a field (too many records) */
    size_t record;    /* 1-based record number, the header being record 1 */
    size_t offset;    /* 0-based byte offset of the offending byte in the
                         buffer (the BOM, if any, counts) */
    char message[96]; /* human-readable English, e.g. "invalid UTF-8" */
};

/* One record. All pointers belong to the reader and stay valid until the
 * next csv_read() or csv_free(). */
struct csv_record {
    size_t count;              /* number of fields, >= 1 */
    const char *const *fields; /* count NUL-terminated field copies */
    const size_t *lengths;     /* their lengths in bytes */
    size_t number;             /* 1-based record number, header = 1 */
    size_t line;               /* physical line where the record starts */
};

struct csv_reader;

/* A reader over data[0..len). The buffer is not copied and must outlive the
 * reader; it need not be NUL-terminated. limits may be NULL for all
 * defaults. Never returns NULL (out of memory aborts). */
struct csv_reader *csv_new(const char *data, size_t len, const struct csv_limits *limits);

/* Read the next record into *rec. Returns 1 for a record, 0 at the end of
 * the input, -1 on error with *err filled in (err may be NULL if the caller
 * does not care; *err is left alone on 1 and 0). */
int csv_read(struct csv_reader *r, struct csv_record *rec, struct csv_error *err);

/* Stable snake_case name of a code for JSON error bodies, e.g.
 * "unterminated_quote"; "unknown" for a value outside the enum. */
const char *csv_error_code_name(enum csv_error_code code);

/* Release the reader and every record it returned. NULL is a no-op. */
void csv_free(struct csv_reader *r);

#endif
