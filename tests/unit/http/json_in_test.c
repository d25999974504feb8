/*
 * json_in_test.c - unit tests for src/http/json_in.c.
 *
 * json_in_depth() is checked on texts where a naive bracket count goes
 * wrong: brackets inside strings, escaped quotes and backslashes, and a
 * length shorter than the text. The field readers run on a struct req
 * built by hand (no connection: reply_* only fill the reply fields), and
 * each refusal is checked in the reply itself: status 422, the JSON error
 * body parsed back with jansson, its code and its field path.
 *
 * json_in_load() must answer exactly as json_loadb does: for each body
 * (long plain strings as values, as keys, in arrays, next to escapes and
 * non-ASCII, "\u0000" in the body, broken JSON before, inside and after a
 * long string, duplicate keys) the same value (json_equal) or the same
 * error (text, line, column, position), and the same depth as
 * json_in_depth.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "http/json_in.h"
#include "test.h"

/* ---- a request without a server ------------------------------------ */

static void req_start(struct req *r)
{
    memset(r, 0, sizeof(*r));
    arena_init(&r->arena);
}

static void req_end(struct req *r)
{
    free(r->resp_body);
    r->resp_body = NULL;
    arena_release(&r->arena);
}

/* Parse the reply and check it is the one error shape with this status,
 * code and field (NULL: no field member). */
static void check_error(struct req *r, int status, const char *code, const char *field)
{
    CHECK_INT(r->status, status);
    CHECK(r->resp_body != NULL);
    if (!r->resp_body)
        return;
    CHECK_INT(strlen(r->resp_body), r->resp_len);
    CHECK(r->content_type && strstr(r->content_type, "application/json"));
    json_error_t jerr;
    json_t *root = json_loadb(r->resp_body, r->resp_len, 0, &jerr);
    CHECK(root != NULL);
    if (!root) {
        fprintf(stderr, "  reply is not JSON: %s\n", r->resp_body);
        return;
    }
    json_t *err = json_object_get(root, "error");
    CHECK(json_is_object(err));
    CHECK_INT(json_object_size(root), 1);
    CHECK_STR(json_string_value(json_object_get(err, "code")), code);
    const char *msg = json_string_value(json_object_get(err, "message"));
    CHECK(msg && *msg);
    json_t *f = json_object_get(err, "field");
    if (field)
        CHECK_STR(json_string_value(f), field);
    else
        CHECK(f == NULL);
    json_decref(root);
}

static json_t *parse(const char *text)
{
    json_error_t jerr;
    json_t *v = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
    if (!v)
        fprintf(stderr, "test JSON does not parse: %s (%s)\n", text, jerr.text);
    return v;
}

/* ------------------------------------------------------------------------ */

static int depth(const char *s)
{
    return json_in_depth(s, strlen(s));
}

static void test_depth(void)
{
    CHECK_INT(depth(""), 0);
    CHECK_INT(depth("1"), 0);
    CHECK_INT(depth("{}"), 1);
    CHECK_INT(depth("[]"), 1);
    CHECK_INT(depth("[[]]"), 2);
    CHECK_INT(depth("[[],[[]],[]]"), 3);
    CHECK_INT(depth("{\"a\":{\"b\":[1,{\"c\":[]}]}}"), 5);
    /* Brackets inside strings do not count. */
    CHECK_INT(depth("\"[[[[\""), 0);
    CHECK_INT(depth("{\"a\":\"{{{{[[[[\"}"), 1);
    CHECK_INT(depth("{\"[[[\":1}"), 1);
    /* An escaped quote does not end the string. */
    CHECK_INT(depth("{\"a\":\"\\\"[[[[\"}"), 1);
    CHECK_INT(depth("[\"\\\"\",[\"\\\"[\"]]"), 2);
    /* An escaped backslash does: the bracket after it counts. */
    CHECK_INT(depth("[\"\\\\\",[[]]]"), 3);
    CHECK_INT(depth("[\"\\\\\\\"[\"]"), 1);
    /* Unicode escapes and UTF-8 are plain string content. */
    CHECK_INT(depth("[\"\\u005b\\u005b\",\"\xe6\x9a\x96[\"]"), 1);
    /* Only len bytes are read. */
    CHECK_INT(json_in_depth("[[[[", 2), 2);
    CHECK_INT(json_in_depth("[\"]\"[[[", 4), 1);
    /* A backslash as the last byte of the text does not read past it. */
    CHECK_INT(json_in_depth("[\"\\", 3), 1);

    /* The guard's limit: 16 passes, 17 is refused by the server. */
    char deep[64];
    memset(deep, '[', 17);
    memset(deep + 17, ']', 17);
    deep[34] = '\0';
    CHECK_INT(depth(deep), 17);
    CHECK(depth(deep) > JSON_IN_MAX_DEPTH);
    CHECK_INT(depth(deep + 1), 16); /* 16 opening, 17 closing */
}

/* The guard agrees with jansson's own nesting on generated texts. */
static void test_depth_matches_parser(void)
{
    static const char *const pieces[] = {"[", "{\"k\":", "[\"]\\\"[\",", "{\"\\\\\":"};
    static const char *const closers[] = {"]", "}", "]", "}"};
    for (unsigned seed = 1; seed < 400; seed++) {
        char text[2048];
        size_t len = 0;
        int stack[64], n = 0, max = 0;
        unsigned x = seed * 2654435761u;
        int want = 1 + (int)(seed % 20);
        while (n < want) {
            x = x * 1103515245u + 12345u;
            int k = (int)((x >> 16) % 4);
            len += (size_t)snprintf(text + len, sizeof text - len, "%s", pieces[k]);
            stack[n++] = k;
            if (n > max)
                max = n;
        }
        len += (size_t)snprintf(text + len, sizeof text - len, "1");
        while (n > 0)
            len += (size_t)snprintf(text + len, sizeof text - len, "%s", closers[stack[--n]]);
        json_error_t jerr;
        json_t *v = json_loadb(text, len, 0, &jerr);
        CHECK(v != NULL);
        json_decref(v);
        CHECK_INT(json_in_depth(text, len), max);
    }
}

static void test_string(void)
{
    struct req r;
    req_start(&r);
    json_t *o = parse("{\"name\":\"\xe6\x9a\x96\xe5\xb1\x8b\",\"n\":5,"
                      "\"empty\":\"\",\"nul\":null}");
    const char *out = "unchanged";

    CHECK_INT(json_in_string(&r, o, NULL, "name", 6, true, &out), 1);
    CHECK_STR(out, "\xe6\x9a\x96\xe5\xb1\x8b");
    CHECK_INT(r.status, 0);
    CHECK(r.resp_body == NULL);

    /* Absent or null and not required: 0, *out left alone. */
    out = "unchanged";
    CHECK_INT(json_in_string(&r, o, NULL, "absent", 10, false, &out), 0);
    CHECK_STR(out, "unchanged");
    CHECK_INT(json_in_string(&r, o, NULL, "nul", 10, false, &out), 0);
    CHECK_STR(out, "unchanged");
    CHECK(r.resp_body == NULL);
    /* Empty and not required: present. */
    CHECK_INT(json_in_string(&r, o, NULL, "empty", 10, false, &out), 1);
    CHECK_STR(out, "");
    req_end(&r);

    /* Too long: the limit is bytes, not characters. */
    req_start(&r);
    CHECK_INT(json_in_string(&r, o, NULL, "name", 5, true, &out), -1);
    check_error(&r, 422, "too_long", "name");
    req_end(&r);

    req_start(&r);
    CHECK_INT(json_in_string(&r, o, "site", "absent", 10, true, &out), -1);
    check_error(&r, 422, "missing_field", "site.absent");
    req_end(&r);

    req_start(&r);
    CHECK_INT(json_in_string(&r, o, NULL, "nul", 10, true, &out), -1);
    check_error(&r, 422, "missing_field", "nul");
    req_end(&r);

    req_start(&r);
    CHECK_INT(json_in_string(&r, o, "", "empty", 10, true, &out), -1);
    check_error(&r, 422, "missing_field", "empty");
    req_end(&r);

    req_start(&r);
    CHECK_INT(json_in_string(&r, o, NULL, "n", 10, false, &out), -1);
    check_error(&r, 422, "invalid_field", "n");
    req_end(&r);
    json_decref(o);

    /* A string holding a NUL (possible with JSON_ALLOW_NUL) is refused. */
    req_start(&r);
    o = json_object();
    json_object_set_new(o, "s", json_stringn("a\0b", 3));
    CHECK_INT(json_in_string(&r, o, "x", "s", 10, false, &out), -1);
    check_error(&r, 422, "invalid_field", "x.s");
    req_end(&r);
    json_decref(o);
}

static void test_nullable_string(void)
{
    struct req r;
    req_start(&r);
    json_t *o = parse("{\"region\":null,\"reason\":\"snow\",\"bad\":[1]}");
    const char *out = "unchanged";

    CHECK_INT(json_in_nullable_string(&r, o, NULL, "absent", 10, &out), 0);
    CHECK_STR(out, "unchanged");
    CHECK_INT(json_in_nullable_string(&r, o, NULL, "region", 10, &out), 1);
    CHECK(out == NULL);
    CHECK_INT(json_in_nullable_string(&r, o, NULL, "reason", 10, &out), 1);
    CHECK_STR(out, "snow");
    CHECK(r.resp_body == NULL);
    req_end(&r);

    req_start(&r);
    CHECK_INT(json_in_nullable_string(&r, o, NULL, "reason", 3, &out), -1);
    check_error(&r, 422, "too_long", "reason");
    req_end(&r);

    req_start(&r);
    CHECK_INT(json_in_nullable_string(&r, o, "site", "bad", 3, &out), -1);
    check_error(&r, 422, "invalid_field", "site.bad");
    req_end(&r);
    json_decref(o);
}

static void test_int(void)
{
    struct req r;
    req_start(&r);
    json_t *o = parse("{\"cap\":42,\"neg\":-1,\"real\":4.0,\"str\":\"4\","
                      "\"big\":9223372036854775807,\"t\":true}");
    int64_t v = 7;

    CHECK_INT(json_in_int(&r, o, NULL, "cap", 0, 100, true, &v), 1);
    CHECK_INT(v, 42);
    CHECK_INT(json_in_int(&r, o, NULL, "cap", 42, 42, true, &v), 1);
    v = 7;
    CHECK_INT(json_in_int(&r, o, NULL, "absent", 0, 100, false, &v), 0);
    CHECK_INT(v, 7);
    CHECK_INT(json_in_int(&r, o, NULL, "big", 0, INT64_MAX, true, &v), 1);
    CHECK(v == INT64_MAX);
    CHECK(r.resp_body == NULL);
    req_end(&r);

    static const char *const bad[] = {"neg", "real", "str", "t"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        req_start(&r);
        v = 7;
        CHECK_INT(json_in_int(&r, o, "p", bad[i], 0, 100, true, &v), -1);
        char path[32];
        snprintf(path, sizeof path, "p.%s", bad[i]);
        check_error(&r, 422, "invalid_field", path);
        CHECK_INT(v, 7);
        req_end(&r);
    }

    req_start(&r);
    CHECK_INT(json_in_int(&r, o, NULL, "cap", 43, 100, true, &v), -1);
    check_error(&r, 422, "invalid_field", "cap");
    req_end(&r);

    req_start(&r);
    CHECK_INT(json_in_int(&r, o, NULL, "absent", 0, 100, true, &v), -1);
    check_error(&r, 422, "missing_field", "absent");
    req_end(&r);
    json_decref(o);
}

static void test_number(void)
{
    struct req r;
    json_t *o = parse("{\"position\":{\"lat\":30.25,\"lon\":120,\"alt\":1,"
                      "\"s\":\"30\"}}");
    json_t *pos = json_object_get(o, "position");
    double d = -1;

    req_start(&r);
    CHECK_INT(json_in_number(&r, pos, "position", "lat", -90, 90, true, &d), 1);
    CHECK_NEAR(d, 30.25, 0);
    /* An integer is a number. */
    CHECK_INT(json_in_number(&r, pos, "position", "lon", -180, 180, true, &d), 1);
    CHECK_NEAR(d, 120, 0);
    d = -1;
    CHECK_INT(json_in_number(&r, pos, "position", "z", 0, 1, false, &d), 0);
    CHECK_NEAR(d, -1, 0);
    CHECK(r.resp_body == NULL);
    req_end(&r);

    req_start(&r);
    CHECK_INT(json_in_number(&r, pos, "position", "lat", -10, 10, true, &d), -1);
    check_error(&r, 422, "invalid_field", "position.lat");
    req_end(&r);

    req_start(&r);
    CHECK_INT(json_in_number(&r, pos, "position", "s", -90, 90, true, &d), -1);
    check_error(&r, 422, "invalid_field", "position.s");
    req_end(&r);

    req_start(&r);
    CHECK_INT(json_in_number(&r, pos, "position", "lat2", -90, 90, true, &d), -1);
    check_error(&r, 422, "missing_field", "position.lat2");
    req_end(&r);
    json_decref(o);
}

static void test_bool(void)
{
    struct req r;
    json_t *o = parse("{\"t\":true,\"f\":false,\"one\":1,\"s\":\"true\"}");
    bool b = false;

    req_start(&r);
    CHECK_INT(json_in_bool(&r, o, NULL, "t", true, &b), 1);
    CHECK(b);
    CHECK_INT(json_in_bool(&r, o, NULL, "f", true, &b), 1);
    CHECK(!b);
    b = true;
    CHECK_INT(json_in_bool(&r, o, NULL, "absent", false, &b), 0);
    CHECK(b);
    CHECK(r.resp_body == NULL);
    req_end(&r);

    req_start(&r);
    CHECK_INT(json_in_bool(&r, o, NULL, "one", false, &b), -1);
    check_error(&r, 422, "invalid_field", "one");
    req_end(&r);

    req_start(&r);
    CHECK_INT(json_in_bool(&r, o, "site", "s", false, &b), -1);
    check_error(&r, 422, "invalid_field", "site.s");
    req_end(&r);

    req_start(&r);
    CHECK_INT(json_in_bool(&r, o, NULL, "public", true, &b), -1);
    check_error(&r, 422, "missing_field", "public");
    req_end(&r);
    json_decref(o);
}

static void test_object_and_only(void)
{
    struct req r;
    json_t *o = parse("{\"name_zh\":\"a\",\"position\":{\"lat\":1,\"lon\":2,"
                      "\"alt\":3},\"list\":[]}");
    static const char *const top[] = {"name_zh", "position", "list", NULL};
    static const char *const pos_fields[] = {"lat", "lon", NULL};
    static const char *const none[] = {NULL};

    req_start(&r);
    CHECK_INT(json_in_object_or_reply(&r, json_object_get(o, "position"), "position"), 0);
    CHECK_INT(json_in_only_or_reply(&r, o, NULL, top), 0);
    CHECK(r.resp_body == NULL);
    req_end(&r);

    req_start(&r);
    CHECK_INT(json_in_object_or_reply(&r, json_object_get(o, "list"), "list"), -1);
    check_error(&r, 422, "invalid_field", "list");
    req_end(&r);

    req_start(&r);
    CHECK_INT(json_in_only_or_reply(&r, json_object_get(o, "position"), "position", pos_fields),
              -1);
    check_error(&r, 422, "unknown_field", "position.alt");
    req_end(&r);

    req_start(&r);
    CHECK_INT(json_in_only_or_reply(&r, o, NULL, none), -1);
    CHECK_INT(r.status, 422);
    req_end(&r);

    /* A key that is only a prefix of an allowed name is unknown. */
    json_t *p = parse("{\"name\":1}");
    req_start(&r);
    CHECK_INT(json_in_only_or_reply(&r, p, "", top), -1);
    check_error(&r, 422, "unknown_field", "name");
    req_end(&r);
    json_decref(p);

    /* A very long unknown key still gives a well-formed reply. */
    char key[1200];
    memset(key, 'k', sizeof key - 1);
    key[sizeof key - 1] = '\0';
    json_t *longkey = json_object();
    json_object_set_new(longkey, key, json_true());
    req_start(&r);
    CHECK_INT(json_in_only_or_reply(&r, longkey, NULL, top), -1);
    check_error(&r, 422, "unknown_field", key);
    req_end(&r);
    json_decref(longkey);

    /* The message is cut to fit, possibly inside a multi-byte character;
     * the reply must stay valid JSON. */
    json_t *wide = json_object();
    char wkey[1200];
    size_t n = 0;
    while (n + 3 < sizeof wkey - 1) {
        memcpy(wkey + n, "\xe6\x9a\x96", 3);
        n += 3;
    }
    wkey[n] = '\0';
    json_object_set_new(wide, wkey, json_true());
    req_start(&r);
    CHECK_INT(json_in_only_or_reply(&r, wide, NULL, top), -1);
    check_error(&r, 422, "unknown_field", wkey);
    req_end(&r);
    json_decref(wide);
    json_decref(o);
}

/* ---- json_in_load: the same answer as json_loadb ------------------------- */

static void same_as_jansson(const char *text)
{
    size_t len = strlen(text);
    json_error_t e1, e2;
    memset(&e1, 0, sizeof e1);
    memset(&e2, 0, sizeof e2);
    int depth = -1;
    json_t *a = json_in_load(text, len, JSON_REJECT_DUPLICATES, 16, &depth, &e1);
    CHECK_INT(depth, json_in_depth(text, len));
    if (depth > 16) {
        CHECK(a == NULL);
        return;
    }
    json_t *b = json_loadb(text, len, JSON_REJECT_DUPLICATES, &e2);
    CHECK((a == NULL) == (b == NULL));
    if (a && b) {
        CHECK(json_equal(a, b));
    } else if (!a && !b) {
        CHECK_STR(e1.text, e2.text);
        CHECK_INT(e1.line, e2.line);
        CHECK_INT(e1.column, e2.column);
        CHECK_INT(e1.position, e2.position);
    }
    json_decref(a);
    json_decref(b);
}

/* fmt with every %s replaced by the long string */
static char *with_long(const char *fmt, const char *lng)
{
    size_t n = strlen(fmt) + 1;
    for (const char *p = fmt; (p = strstr(p, "%s")); p += 2)
        n += strlen(lng);
    char *out = malloc(n), *o = out;
    for (const char *p = fmt; *p;) {
        if (p[0] == '%' && p[1] == 's') {
            o = stpcpy(o, lng);
            p += 2;
        } else {
            *o++ = *p++;
        }
    }
    *o = '\0';
    return out;
}

static void test_load_like_jansson(void)
{
    size_t n = 5000;
    char *lng = malloc(n + 1);
    for (size_t i = 0; i < n; i++)
        lng[i] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/ ,:[]{}"[i % 72];
    lng[n] = '\0';
    static const char *const fmts[] = {
        "{\"photos\":[\"%s\"]}",
        "{\"photos\":[\"%s\",\"%s\",\"%s\"],\"a\":\"%s\"}",
        "{\"%s\":1}",
        "{\"%s\" \n\t: \"%s\"}",
        "{\"a\":{\"b\":[1,2,{\"c\":\"%s\"}]},\"d\":\"x\\\"y\"}",
        "[\"%s\"]",
        "\"%s\"",
        "{\"a\":\"%s\\n\"}",
        "{\"a\":\"\\n%s\"}",
        "{\"a\":\"%s\u00e9\"}",
        "{\"a\":\"%s\",\"b\":\"\\u0000\"}",
        "{\"a\":\"%s\",\"b\":\"\\u00007\"}",
        "{\"a\":\"%s\",\"a\":2}",
        "{\"a\":\"%s\",}",
        "{\"a\":\"%s\" \"b\":1}",
        "{\"a\":tru, \"b\":\"%s\"}",
        "{\"a\":\"%s\",\"b\":nul}",
        "{\"a\":1\"%s\"}",
        "{\"a\":\"%s",
        "{\"a\":\"%s\"",
        "{\"a\":\"%s\"}}",
        "{\"a\":\"%s\"} x",
        "{\"a\":\"%s\x01\"}",
        "{\"a\":\"%s\xff\"}",
        "{\"a\":[[[[[[[[[[[[[[[[[\"%s\"]]]]]]]]]]]]]]]]]}",
        "{\"a\":\"%s\",\"b\":\"[[[[[[[[[[[[[[[[[[[[\"}",
        "{\"a\":\"\\\"%s\"}",
        "{\"a\":\"\\\\\",\"b\":\"%s\"}",
    };
    for (size_t i = 0; i < sizeof fmts / sizeof fmts[0]; i++) {
        char *t = with_long(fmts[i], lng);
        same_as_jansson(t);
        free(t);
    }
    /* a long string right at the edge of being lifted */
    lng[1023] = '\0';
    char *t = with_long("{\"a\":\"%s\",\"b\":\"%sx\"}", lng);
    same_as_jansson(t);
    free(t);
    free(lng);

    /* every byte value, at every place in an 8-byte word, inside and
     * just past a string long enough to be lifted */
    char body[1200];
    for (int c = 1; c < 256; c++) {
        for (int at = 1030; at < 1046; at++) {
            memset(body, 'A', sizeof body);
            memcpy(body, "{\"a\":\"", 6);
            body[at] = (char)c;
            memcpy(body + 1100, "\"}", 3);
            same_as_jansson(body);
        }
    }

    /* the lifted string comes back whole, byte for byte */
    char *photo = malloc(300001);
    for (size_t i = 0; i < 300000; i++)
        photo[i] = "QUJD+/09"[i % 8];
    photo[300000] = '\0';
    t = with_long("{\"photos\":[\"%s\"],\"note\":\"%s\"}", photo);
    int depth;
    json_error_t err;
    json_t *root = json_in_load(t, strlen(t), JSON_REJECT_DUPLICATES, 16, &depth, &err);
    CHECK(root != NULL);
    CHECK_INT(depth, 2);
    json_t *p0 = json_array_get(json_object_get(root, "photos"), 0);
    CHECK_INT(json_string_length(p0), 300000);
    CHECK(memcmp(json_string_value(p0), photo, 300000) == 0);
    CHECK_STR(json_string_value(json_object_get(root, "note")), photo);
    json_decref(root);
    free(t);
    free(photo);
}

int main(void)
{
    RUN(test_depth);
    RUN(test_depth_matches_parser);
    RUN(test_string);
    RUN(test_nullable_string);
    RUN(test_int);
    RUN(test_number);
    RUN(test_bool);
    RUN(test_object_and_only);
    RUN(test_load_like_jansson);
    return test_report("json_in");
}
