/*
 * strbuf.h - a growable byte buffer on the heap, always NUL-terminated.
 *
 * Used where the result outlives a request arena (response bodies handed
 * to the HTTP library, export files). Growth aborts on out of memory.
 */
#ifndef WH_CORE_STRBUF_H
#define WH_CORE_STRBUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct strbuf {
    char *buf;
    size_t len;
    size_t cap;
};

#define STRBUF_INIT                                                                                \
    {                                                                                              \
        NULL, 0, 0                                                                                 \
    }

void strbuf_grow(struct strbuf *sb, size_t extra);
void strbuf_add(struct strbuf *sb, const void *data, size_t n);
void strbuf_adds(struct strbuf *sb, const char *s);
void strbuf_addch(struct strbuf *sb, char c);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append s as a JSON string, quotes included ("null" for NULL): quotes,
 * backslashes and control bytes escaped; UTF-8 passes through. */
void strbuf_add_json_string(struct strbuf *sb, const char *s);
/* Append s as a JSON string byte for byte as jansson's json_dumps writes
 * a json_string (\b \f \n \r \t, other control bytes as \u00XX in
 * capitals, '/' and DEL as they are), for answers that must stay the
 * same when written without a jansson tree. Nothing is appended and
 * false returned when s is not well-formed UTF-8: json_string() refuses
 * such text, so an object built with it has no such member. */
bool strbuf_add_json_text(struct strbuf *sb, const char *s);
/* Append v as json_dumps writes a real with JSON_REAL_PRECISION(digits):
 * "%.*g", ".0" added when that looks like an integer, the exponent
 * without '+' or leading zeros. False, nothing appended, for NaN and
 * infinities (json_real() refuses them). */
bool strbuf_add_json_real(struct strbuf *sb, double v, int digits);
/* Append s as the text of an XML or HTML element or attribute: & < > " '
 * as entities, control bytes that XML forbids dropped (tab, LF and CR
 * kept); UTF-8 passes through. NULL appends nothing. */
void strbuf_add_markup_text(struct strbuf *sb, const char *s);
/* Append a number with a fixed count of decimals (0..9), without printf:
 * for coordinates and distances on hot paths. */
void strbuf_add_fixed(struct strbuf *sb, double v, int decimals);
/* Whether strbuf_put_fixed can write v with that many decimals: within
 * +-1e9 and 0..9 decimals (strbuf_add_fixed falls back to printf else). */
static inline bool strbuf_fixed_fits(double v, int decimals)
{
    return decimals >= 0 && decimals <= 9 && v > -1e9 && v < 1e9;
}
/* strbuf_add_fixed's text at w, which has room for STRBUF_FIXED_MAX
 * characters (no NUL added), for a v and decimals that strbuf_fixed_fits;
 * returns the end. */
#define STRBUF_FIXED_MAX 21
char *strbuf_put_fixed(char *w, double v, int decimals);
/* Exactly what printf's "%.6f" writes, faster: digits made here unless v
 * sits so near a rounding tie that only printf can decide. */
void strbuf_add_6f(struct strbuf *sb, double v);
/* v in decimal, as printf's %lld writes it. */
void strbuf_add_int(struct strbuf *sb, int64_t v);
/* The same written at w, which has room for STRBUF_INT_MAX characters
 * (no NUL added); returns the end: for writers that made room for a
 * whole answer at once. */
#define STRBUF_INT_MAX 20
char *strbuf_put_int(char *w, int64_t v);
/* Hand the buffer to the caller (free() it); sb is reset. Never NULL. */
char *strbuf_detach(struct strbuf *sb, size_t *len);
void strbuf_release(struct strbuf *sb);

#endif
