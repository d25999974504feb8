/*
 * volunteer_test.c - the rules of volunteer hours: minutes capped by the
 * shift and rounded down to quarter hours, points of an hour, the no-show
 * pause, certificate codes, HTML text.
 */
#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "test.h"
#include "volunteer/volunteer.h"

static void test_minutes(void)
{
    int64_t s = 1000000, e = s + 2 * 3600;
    CHECK_INT(volunteer_minutes(s, s + 3600, s, e), 60);
    CHECK_INT(volunteer_minutes(s, s + 3600 + 14 * 60 + 59, s, e), 60); /* down to a quarter */
    CHECK_INT(volunteer_minutes(s, s + 3600 + 15 * 60, s, e), 75);
    CHECK_INT(volunteer_minutes(s, s + 5 * 3600, s, e), 120);        /* capped by the shift */
    CHECK_INT(volunteer_minutes(s - 3600, s + 3 * 3600, s, e), 120); /* early arrival too */
    CHECK_INT(volunteer_minutes(s, s + 14 * 60, s, e), 0);
    CHECK_INT(volunteer_minutes(s, s, s, e), 0);
    CHECK_INT(volunteer_minutes(s + 60, s, s, e), 0); /* out before in */
}

static void test_points_base(void)
{
    CHECK_INT(volunteer_points_base(60), 10);
    CHECK_INT(volunteer_points_base(120), 20);
    CHECK_INT(volunteer_points_base(45), 7); /* 3 quarters of 2.5, rounded down */
    CHECK_INT(volunteer_points_base(15), 2);
    CHECK_INT(volunteer_points_base(14), 0);
    CHECK_INT(volunteer_points_base(0), 0);
    CHECK_INT(volunteer_points_base(-60), 0);
}

static void test_pause(void)
{
    const int64_t day = 86400, now = 1000 * day;
    int64_t one[] = {now - day};
    CHECK_INT(volunteer_pause_until(one, 1, now), 0);
    int64_t two[] = {now - 10 * day, now - day};
    CHECK_INT(volunteer_pause_until(two, 2, now), now - day + 30 * day);
    /* The pause ends 30 days after the second no-show. */
    CHECK_INT(volunteer_pause_until(two, 2, now + 29 * day - 1), now + 29 * day);
    CHECK_INT(volunteer_pause_until(two, 2, now + 29 * day), 0);
    /* Two no-shows 90 days apart or more: no pause. */
    int64_t apart[] = {now - day, now - 91 * day};
    CHECK_INT(volunteer_pause_until(apart, 2, now), 0);
    int64_t edge[] = {now - day, now - 90 * day - day + 1};
    CHECK_INT(volunteer_pause_until(edge, 2, now), now - day + 30 * day);
    /* An old pair's pause has ended; only the latest counts. */
    int64_t old[] = {now - 80 * day, now - 70 * day};
    CHECK_INT(volunteer_pause_until(old, 2, now), 0);
    /* Any order; a no-show in the future (clock skew) is left out. */
    int64_t mixed[] = {now + day, now - 2 * day, now - 5 * day};
    CHECK_INT(volunteer_pause_until(mixed, 3, now), now - 2 * day + 30 * day);
}

static void test_code(void)
{
    unsigned char r[12];
    char out[13];
    for (int i = 0; i < 12; i++)
        r[i] = (unsigned char)(i * 37 + 200);
    volunteer_code(r, out);
    CHECK_INT((int64_t)strlen(out), 12);
    for (int i = 0; i < 12; i++)
        CHECK(strchr("23456789ABCDEFGHJKMNPQRSTUVWXYZ", out[i]) != NULL);
}

static void test_html(void)
{
    struct strbuf sb = {0};
    strbuf_add_markup_text(&sb, "<b>\"王\" & 'x'</b>");
    strbuf_addch(&sb, '\0');
    CHECK_STR(sb.buf, "&lt;b&gt;&quot;王&quot; &amp; &apos;x&apos;&lt;/b&gt;");
    strbuf_release(&sb);
}

int main(void)
{
    RUN(test_minutes);
    RUN(test_points_base);
    RUN(test_pause);
    RUN(test_code);
    RUN(test_html);
    return test_report("volunteer");
}
