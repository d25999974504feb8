/*
 * ical_test.c - the iCalendar writer, read back by libical (the C
 * reference parser): escaping of text, folding of long lines without
 * splitting a character, UTC times, one VEVENT per event.
 */
#include <libical/ical.h>
#include <stdlib.h>
#include <string.h>

#include "core/ical.h"
#include "test.h"

static const char long_zh[] = "海州区新南街道暖新驿站，技能培训：电动车安全检查与维修；带上身份证、"
                              "工作证和你的车\n第二行\\反斜杠";

static char *render(const struct ical_event *ev, size_t n)
{
    struct strbuf sb = STRBUF_INIT;
    ical_begin(&sb, "我的预约 · warmharbor");
    for (size_t i = 0; i < n; i++)
        ical_add_event(&sb, &ev[i]);
    ical_end(&sb);
    return strbuf_detach(&sb, NULL);
}

static void test_lines_are_folded_whole_characters(void)
{
    struct ical_event ev = {.uid = "booking-1@warmharbor",
                            .start = 1796000000,
                            .end = 1796003600,
                            .stamp = 1795000000,
                            .summary = long_zh,
                            .description = long_zh,
                            .location = long_zh};
    char *text = render(&ev, 1);
    for (char *line = text; *line;) {
        char *eol = strstr(line, "\r\n");
        CHECK(eol != NULL);
        if (!eol)
            break;
        CHECK((size_t)(eol - line) <= 75);
        /* a physical line never starts with a UTF-8 continuation byte */
        const char *first = line[0] == ' ' ? line + 1 : line;
        CHECK(((unsigned char)*first & 0xc0) != 0x80);
        line = eol + 2;
    }
    free(text);
}

static void test_libical_reads_back_text_and_times(void)
{
    struct ical_event ev[2] = {
        {.uid = "booking-1@warmharbor",
         .start = 1796000000,
         .end = 1796003600,
         .stamp = 1795000000,
         .summary = long_zh,
         .description = "a, b; c\\d",
         .location = "新南街道",
         .url = "https://example.org/#/bookings/1",
         .has_geo = true,
         .lat = 34.59,
         .lon = 119.21},
        {.uid = "booking-2@warmharbor",
         .start = 1796100000,
         .end = 1796101800,
         .stamp = 1795000000,
         .summary = "法律咨询",
         .cancelled = true,
         .sequence = 2},
    };
    char *text = render(ev, 2);
    icalcomponent *cal = icalparser_parse_string(text);
    CHECK(cal != NULL);
    if (!cal) {
        free(text);
        return;
    }
    CHECK_INT(icalcomponent_isa(cal), ICAL_VCALENDAR_COMPONENT);
    CHECK_INT(icalcomponent_count_errors(cal), 0);
    CHECK_INT(icalcomponent_count_components(cal, ICAL_VEVENT_COMPONENT), 2);
    icalcomponent *e = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT);
    CHECK_STR(icalcomponent_get_summary(e), long_zh);
    CHECK_STR(icalcomponent_get_description(e), "a, b; c\\d");
    CHECK_STR(icalcomponent_get_uid(e), "booking-1@warmharbor");
    CHECK_INT(icaltime_as_timet(icalcomponent_get_dtstart(e)), 1796000000);
    CHECK_INT(icaltime_as_timet(icalcomponent_get_dtend(e)), 1796003600);
    CHECK(icaltime_is_utc(icalcomponent_get_dtstart(e)));
    struct icalgeotype geo =
        icalproperty_get_geo(icalcomponent_get_first_property(e, ICAL_GEO_PROPERTY));
    CHECK(fabs(geo.lat - 34.59) < 1e-6);
    e = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT);
    CHECK_INT(icalcomponent_get_status(e), ICAL_STATUS_CANCELLED);
    CHECK_INT(
        icalproperty_get_sequence(icalcomponent_get_first_property(e, ICAL_SEQUENCE_PROPERTY)), 2);
    icalcomponent_free(cal);
    free(text);
}

static void test_control_characters_are_dropped(void)
{
    struct strbuf sb = STRBUF_INIT;
    ical_escape_text(&sb, "a\tb\x01"
                          "c\r\nd");
    CHECK_STR(sb.buf, "abc\\nd");
    strbuf_release(&sb);
}

int main(void)
{
    RUN(test_lines_are_folded_whole_characters);
    RUN(test_libical_reads_back_text_and_times);
    RUN(test_control_characters_are_dropped);
    return test_report("ical");
}
