/*
 * ical.c - the iCalendar writer (see ical.h).
 */
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/ical.h"

void ical_escape_text(struct strbuf *sb, const char *v)
{
    for (const char *p = v; *p; p++) {
        switch (*p) {
        case '\\':
        case ';':
        case ',':
            strbuf_addch(sb, '\\');
            strbuf_addch(sb, *p);
            break;
        case '\r':
            if (p[1] == '\n')
                p++;
            /* fall through */
        case '\n':
            strbuf_adds(sb, "\\n");
            break;
        default:
            /* Other control characters are not allowed in TEXT. */
            if ((unsigned char)*p >= 0x20 && *p != 0x7f)
                strbuf_addch(sb, *p);
        }
    }
}

/* A content line, folded: no physical line is longer than 75 octets
 * (continuations start with a space, which counts), and a fold never
 * falls inside a UTF-8 sequence. */
static void add_folded(struct strbuf *sb, const char *line, size_t len)
{
    size_t room = 75;
    size_t i = 0;
    while (len - i > room) {
        size_t cut = i + room;
        while (cut > i && ((unsigned char)line[cut] & 0xc0) == 0x80)
            cut--; /* back to the start of a character */
        strbuf_add(sb, line + i, cut - i);
        strbuf_adds(sb, "\r\n ");
        i = cut;
        room = 74;
    }
    strbuf_add(sb, line + i, len - i);
    strbuf_adds(sb, "\r\n");
}

void ical_line(struct strbuf *sb, const char *name, const char *value)
{
    struct strbuf line = STRBUF_INIT;
    strbuf_adds(&line, name);
    strbuf_addch(&line, ':');
    strbuf_adds(&line, value);
    add_folded(sb, line.buf, line.len);
    strbuf_release(&line);
}

static void text_line(struct strbuf *sb, const char *name, const char *value)
{
    struct strbuf v = STRBUF_INIT;
    ical_escape_text(&v, value);
    ical_line(sb, name, v.buf ? v.buf : "");
    strbuf_release(&v);
}

static void time_line(struct strbuf *sb, const char *name, int64_t t)
{
    int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
    int64_t secs = t - days * 86400;
    int y, m, d;
    clock_civil_from_days(days, &y, &m, &d);
    char buf[24];
    snprintf(buf, sizeof buf, "%04d%02d%02dT%02d%02d%02dZ", y, m, d, (int)(secs / 3600),
             (int)(secs / 60 % 60), (int)(secs % 60));
    ical_line(sb, name, buf);
}

void ical_begin(struct strbuf *sb, const char *calendar_name)
{
    ical_line(sb, "BEGIN", "VCALENDAR");
    ical_line(sb, "VERSION", "2.0");
    ical_line(sb, "PRODID", "-//warmharbor//warmharbor//ZH");
    ical_line(sb, "CALSCALE", "GREGORIAN");
    ical_line(sb, "METHOD", "PUBLISH");
    text_line(sb, "X-WR-CALNAME", calendar_name);
    ical_line(sb, "X-WR-TIMEZONE", "Asia/Shanghai");
}

void ical_add_event(struct strbuf *sb, const struct ical_event *e)
{
    ical_line(sb, "BEGIN", "VEVENT");
    text_line(sb, "UID", e->uid);
    time_line(sb, "DTSTAMP", e->stamp);
    time_line(sb, "DTSTART", e->start);
    time_line(sb, "DTEND", e->end > e->start ? e->end : e->start);
    text_line(sb, "SUMMARY", e->summary);
    if (e->description && *e->description)
        text_line(sb, "DESCRIPTION", e->description);
    if (e->location && *e->location)
        text_line(sb, "LOCATION", e->location);
    if (e->has_geo) {
        char geo[64];
        snprintf(geo, sizeof geo, "%.6f;%.6f", e->lat, e->lon);
        ical_line(sb, "GEO", geo);
    }
    if (e->url && *e->url)
        ical_line(sb, "URL", e->url);
    char seq[24];
    snprintf(seq, sizeof seq, "%lld", (long long)(e->sequence > 0 ? e->sequence : 0));
    ical_line(sb, "SEQUENCE", seq);
    ical_line(sb, "STATUS", e->cancelled ? "CANCELLED" : "CONFIRMED");
    ical_line(sb, "END", "VEVENT");
}

void ical_end(struct strbuf *sb)
{
    ical_line(sb, "END", "VCALENDAR");
}
