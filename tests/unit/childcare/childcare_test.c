/*
 * childcare_test.c - unit tests for the childcare rules in
 * src/childcare/childcare.c.
 *
 * Ages on a day (the birthday itself, the day before, 29 February); the
 * states that hold places; timetable kinds and HH:MM times; consent
 * versions; and the rotating pickup code: six digits, stable within its
 * step, accepted for its step and the next and never after, different for
 * the guardian, each pickup person and each child, and tied to the key;
 * timetables and lists of people from outside, the field at fault named.
 */
#include <stdio.h>
#include <string.h>

#include "childcare/childcare.h"
#include "test.h"

static const unsigned char key[32] = "childcare-unit-test-key-32-bytes";
static const unsigned char other_key[32] = "childcare-unit-test-key-other-32";

static void test_ages(void)
{
    CHECK_INT(childcare_age_on(20180301, 20270705), 9);
    CHECK_INT(childcare_age_on(20180705, 20270705), 9);
    CHECK_INT(childcare_age_on(20180706, 20270705), 8);
    CHECK_INT(childcare_age_on(20160229, 20270228), 10);
    CHECK_INT(childcare_age_on(20160229, 20270301), 11);
    CHECK_INT(childcare_age_on(20270705, 20270705), 0);
}

static void test_states_and_fields(void)
{
    CHECK(childcare_state_holds_places("enrolled"));
    CHECK(childcare_state_holds_places("offered"));
    CHECK(!childcare_state_holds_places("waitlisted"));
    CHECK(!childcare_state_holds_places("cancelled"));
    CHECK(!childcare_state_holds_places(NULL));
    CHECK(childcare_activity_is_valid("heritage"));
    CHECK(childcare_activity_is_valid("homework"));
    CHECK(childcare_activity_is_valid("supervision"));
    CHECK(!childcare_activity_is_valid("Heritage"));
    CHECK(!childcare_activity_is_valid(""));
    CHECK(!childcare_activity_is_valid(NULL));
    CHECK_INT(childcare_clock_minutes("08:30"), 510);
    CHECK_INT(childcare_clock_minutes("00:00"), 0);
    CHECK_INT(childcare_clock_minutes("24:00"), 1440);
    CHECK_INT(childcare_clock_minutes("24:01"), -1);
    CHECK_INT(childcare_clock_minutes("12:60"), -1);
    CHECK_INT(childcare_clock_minutes("8:30"), -1);
    CHECK_INT(childcare_clock_minutes("08-30"), -1);
    CHECK_INT(childcare_clock_minutes(NULL), -1);
    CHECK(childcare_version_is_valid("2027.1"));
    CHECK(childcare_version_is_valid("v1_b-2"));
    CHECK(!childcare_version_is_valid(""));
    CHECK(!childcare_version_is_valid("a b"));
    CHECK(!childcare_version_is_valid("123456789012345678901234567890123"));
}

static void test_pickup_code(void)
{
    int64_t step = CHILDCARE_CODE_STEP_S, t = 1783000000 - 1783000000 % step;
    char g[8], g_same[8], g_next[8], p1[8], p1_other_child[8], p2[8], other[8];
    childcare_pickup_code(key, 42, 0, 0, t, g);
    childcare_pickup_code(key, 42, 0, 0, t + step - 1, g_same);
    childcare_pickup_code(key, 42, 0, 0, t + step, g_next);
    childcare_pickup_code(key, 42, 7, 1, t, p1);
    childcare_pickup_code(key, 42, 8, 1, t, p1_other_child);
    childcare_pickup_code(key, 42, 7, 2, t, p2);
    childcare_pickup_code(other_key, 42, 0, 0, t, other);
    CHECK_INT((int)strlen(g), 6);
    CHECK(strspn(g, "0123456789") == 6);
    CHECK_STR(g, g_same);
    /* Different codes (a collision of six digits is possible in general;
     * for these fixed inputs they differ). */
    CHECK(strcmp(g, g_next) != 0);
    CHECK(strcmp(g, p1) != 0 && strcmp(p1, p2) != 0 && strcmp(p1, p1_other_child) != 0);
    CHECK(strcmp(g, other) != 0);
    /* The guardian's code serves every child; accepted in its step and the next. */
    CHECK_INT(childcare_pickup_match(key, 42, 7, 2, g, t), 0);
    CHECK_INT(childcare_pickup_match(key, 42, 9, 0, g, t + step + 5), 0);
    CHECK_INT(childcare_pickup_match(key, 42, 7, 2, g, t + 2 * step), -1);
    CHECK_INT(childcare_pickup_match(key, 42, 7, 2, g, t - 1), -1);
    /* A pickup person's: for their child only. */
    CHECK_INT(childcare_pickup_match(key, 42, 7, 2, p1, t), 1);
    CHECK_INT(childcare_pickup_match(key, 42, 7, 2, p2, t), 2);
    CHECK_INT(childcare_pickup_match(key, 42, 7, 1, p2, t), -1);
    CHECK_INT(childcare_pickup_match(key, 42, 8, 2, p2, t), -1);
    /* Another guardian, another key, a malformed code. */
    CHECK_INT(childcare_pickup_match(key, 43, 0, 0, g, t), -1);
    CHECK_INT(childcare_pickup_match(other_key, 42, 0, 0, g, t), -1);
    CHECK_INT(childcare_pickup_match(key, 42, 0, 0, "12345", t), -1);
    CHECK_INT(childcare_pickup_match(key, 42, 0, 0, NULL, t), -1);
    CHECK_INT(childcare_code_left(t), step);
    CHECK_INT(childcare_code_left(t + step - 1), 1);
}

/* The answers of list_field live until the next call (or the end). */
static struct arena a;
static bool used;

static void list_done(void)
{
    if (used)
        arena_release(&a);
    used = false;
}

static const char *list_field(const char *text, bool timetable)
{
    list_done();
    arena_init(&a);
    used = true;
    json_t *v = json_loads(text, JSON_DECODE_ANY, NULL);
    const char *out = NULL, *field = NULL;
    int rc = timetable ? childcare_timetable_check(&a, v, &out, &field)
                       : childcare_people_check(&a, v, "pickup_people", &out, &field);
    json_decref(v);
    return rc ? field : out;
}

static void test_lists(void)
{
    CHECK_STR(list_field("[{\"start\":\"08:00\",\"end\":\"09:00\",\"kind\":\"homework\","
                         "\"title_zh\":\"作业\"}]",
                         true),
              "[{\"start\":\"08:00\",\"end\":\"09:00\",\"kind\":\"homework\",\"title_zh\":"
              "\"作业\",\"title_en\":\"\"}]");
    CHECK_STR(list_field("[]", true), "timetable");
    CHECK_STR(list_field("{}", true), "timetable");
    CHECK_STR(list_field("[1]", true), "timetable[0]");
    CHECK_STR(list_field("[{\"start\":\"08:00\",\"end\":\"07:00\",\"kind\":\"homework\","
                         "\"title_zh\":\"x\"}]",
                         true),
              "timetable[0].end");
    CHECK_STR(list_field("[{\"start\":\"08:00\",\"end\":\"09:00\",\"kind\":\"homework\","
                         "\"title_zh\":\"x\"},{\"start\":\"08:30\",\"end\":\"10:00\","
                         "\"kind\":\"heritage\",\"title_zh\":\"y\"}]",
                         true),
              "timetable[1].start");
    CHECK_STR(list_field("[{\"start\":\"08:00\",\"end\":\"09:00\",\"kind\":\"nap\","
                         "\"title_zh\":\"x\"}]",
                         true),
              "timetable[0].kind");
    CHECK_STR(list_field("[{\"start\":\"08:00\",\"end\":\"09:00\",\"kind\":\"homework\","
                         "\"title_zh\":\"\"}]",
                         true),
              "timetable[0].title_zh");
    CHECK_STR(list_field("[{\"start\":\"08:00\",\"end\":\"09:00\",\"kind\":\"homework\","
                         "\"title_zh\":\"x\",\"room\":1}]",
                         true),
              "timetable[0].room");
    CHECK_STR(list_field("[{\"name\":\"王奶奶\",\"phone\":\"+86 139-0000-1234\"}]", false),
              "[{\"name\":\"王奶奶\",\"phone\":\"13900001234\",\"relation\":\"\"}]");
    CHECK_STR(list_field("[{\"name\":\"王奶奶\",\"phone\":\"12\"}]", false),
              "pickup_people[0].phone");
    CHECK_STR(list_field("[{\"phone\":\"13900001234\"}]", false), "pickup_people[0].name");
    CHECK_STR(list_field("[{},{},{},{},{},{}]", false), "pickup_people");
    CHECK_STR(list_field("\"x\"", false), "pickup_people");
}

int main(void)
{
    RUN(test_ages);
    RUN(test_states_and_fields);
    RUN(test_pickup_code);
    RUN(test_lists);
    list_done();
    return test_report("childcare");
}
