/*
 * ical_check.c - read an iCalendar text on standard input with libical,
 * the C reference parser, and say whether it parsed cleanly: exit 0 and
 * "ok N events", or exit 1 with the first problem. The HTTP tests run
 * every feed through it (and through ical.js).
 */
#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
    size_t cap = 1 << 16, len = 0, n;
    char *buf = malloc(cap + 1);
    if (!buf)
        return 2;
    while ((n = fread(buf + len, 1, cap - len, stdin)) > 0) {
        len += n;
        if (len == cap) {
            cap *= 2;
            char *more = realloc(buf, cap + 1);
            if (!more)
                return 2;
            buf = more;
        }
    }
    buf[len] = '\0';
    icalcomponent *cal = icalparser_parse_string(buf);
    free(buf);
    if (!cal || icalcomponent_isa(cal) != ICAL_VCALENDAR_COMPONENT) {
        printf("not a VCALENDAR\n");
        return 1;
    }
    int errors = icalcomponent_count_errors(cal);
    if (errors) {
        /* libical records problems as X-LIC-ERROR properties */
        icalproperty *p = icalcomponent_get_first_property(cal, ICAL_XLICERROR_PROPERTY);
        printf("%d errors: %s\n", errors, p ? icalproperty_get_xlicerror(p) : "(in a component)");
        icalcomponent_free(cal);
        return 1;
    }
    printf("ok %d events\n", icalcomponent_count_components(cal, ICAL_VEVENT_COMPONENT));
    icalcomponent_free(cal);
    return 0;
}
