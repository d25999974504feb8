/*
 * ical.h - an iCalendar (RFC 5545) writer: a VCALENDAR of VEVENTs, for
 * the feeds that calendar apps subscribe to (a person's bookings, a
 * site's workshops).
 *
 * Text values are escaped (backslash, semicolon, comma, newlines), every
 * content line is folded at 75 octets without splitting a UTF-8 sequence,
 * lines end in CRLF, times are written in UTC ("20261207T010000Z").
 * libc only.
 */
#ifndef WH_CORE_ICAL_H
#define WH_CORE_ICAL_H

#include <stdbool.h>
#include <stdint.h>

#include "core/strbuf.h"

struct ical_event {
    const char *uid;         /* globally unique and stable: "booking-12@host" */
    int64_t start, end;      /* Unix seconds */
    int64_t stamp;           /* when this version was made (DTSTAMP) */
    const char *summary;     /* required */
    const char *description; /* may be NULL */
    const char *location;    /* may be NULL */
    const char *url;         /* may be NULL */
    bool has_geo;
    double lat, lon;  /* WGS-84 */
    bool cancelled;   /* STATUS:CANCELLED (else CONFIRMED) */
    int64_t sequence; /* bumped when the event changes */
};

/* BEGIN:VCALENDAR with the product id and a calendar name (X-WR-CALNAME,
 * which most apps show), and the time zone hint Asia/Shanghai. */
void ical_begin(struct strbuf *sb, const char *calendar_name);
void ical_add_event(struct strbuf *sb, const struct ical_event *e);
void ical_end(struct strbuf *sb);

/* One content line "NAME:value" (value already escaped when it is
 * text), folded at 75 octets, CRLF-terminated. */
void ical_line(struct strbuf *sb, const char *name, const char *value);
/* value escaped as RFC 5545 TEXT into sb (no line ending). */
void ical_escape_text(struct strbuf *sb, const char *value);

#endif
