/*
 * form_test.c - the application/x-www-form-urlencoded decoder (form.c):
 * what FixMyStreet's Open311 client sends, '+' and %XX, repeated and empty
 * pieces, and each refusal.
 */
#include "http/form.h"
#include "test.h"

static struct arena a;

static int decode(const char *body, struct http_form *f, size_t *at)
{
    return form_decode(&a, body, strlen(body), f, at);
}

static void test_open311_post(void)
{
    struct http_form f;
    CHECK_INT(decode("api_key=k%2B1&service_code=road_damage&lat=34.575&long=119.2"
                     "&description=%E8%B7%AF%E9%9D%A2+broken&attribute%5Bsize%5D=large",
                     &f, NULL),
              FORM_OK);
    CHECK_INT(f.n, 6);
    CHECK_STR(form_get(&f, "api_key"), "k+1");
    CHECK_STR(form_get(&f, "description"), "\xe8\xb7\xaf\xe9\x9d\xa2 broken");
    CHECK_STR(form_get(&f, "attribute[size]"), "large");
    CHECK(form_get(&f, "email") == NULL);
}

static void test_pieces(void)
{
    struct http_form f;
    CHECK_INT(decode("a=1&&b=&c&=d&a=2&", &f, NULL), FORM_OK);
    CHECK_INT(f.n, 5);
    CHECK_STR(form_get(&f, "a"), "1");
    CHECK_INT(form_count(&f, "a"), 2);
    CHECK_STR(f.fields[4].value, "2");
    CHECK_STR(form_get(&f, "b"), "");
    CHECK_STR(form_get(&f, "c"), "");
    CHECK_STR(form_get(&f, ""), "d");
    CHECK_STR(f.fields[0].name, "a");
    /* '=' after the first belongs to the value */
    CHECK_INT(decode("k=a=b", &f, NULL), FORM_OK);
    CHECK_STR(form_get(&f, "k"), "a=b");
    CHECK_INT(decode("", &f, NULL), FORM_OK);
    CHECK_INT(f.n, 0);
    CHECK(form_get(&f, "a") == NULL);
}

static void test_value_lines(void)
{
    struct http_form f;
    CHECK_INT(decode("d=one%0D%0Atwo%09three", &f, NULL), FORM_OK);
    CHECK_STR(form_get(&f, "d"), "one\r\ntwo\tthree");
    /* a name may not hold them */
    size_t at = 99;
    CHECK_INT(decode("ok=1&a%0Ab=1", &f, &at), FORM_BAD_TEXT);
    CHECK_INT(at, 1);
    CHECK_INT(f.n, 0);
}

static void test_refusals(void)
{
    struct http_form f;
    size_t at = 99;
    CHECK_INT(decode("x=%zz", &f, &at), FORM_BAD_ESCAPE);
    CHECK_INT(at, 0);
    CHECK_INT(decode("x=1&y=%4", &f, &at), FORM_BAD_ESCAPE);
    CHECK_INT(at, 1);
    CHECK_INT(decode("x=%", &f, NULL), FORM_BAD_ESCAPE);
    CHECK_INT(decode("x=%00", &f, NULL), FORM_BAD_TEXT);
    CHECK_INT(decode("x=%C3%28", &f, NULL), FORM_BAD_TEXT);
    CHECK_INT(decode("x=%7F", &f, NULL), FORM_BAD_TEXT);
    CHECK_INT(decode("x=%C2%85", &f, NULL), FORM_BAD_TEXT); /* C1 NEL */
    char name[FORM_MAX_NAME + 8];
    memset(name, 'n', sizeof name);
    name[FORM_MAX_NAME + 1] = '\0';
    CHECK_INT(decode(name, &f, NULL), FORM_NAME_TOO_LONG);
    name[FORM_MAX_NAME] = '\0';
    CHECK_INT(decode(name, &f, NULL), FORM_OK);
}

static void test_too_many(void)
{
    char body[FORM_MAX_FIELDS * 4 + 8];
    size_t k = 0;
    for (int i = 0; i <= FORM_MAX_FIELDS; i++) {
        memcpy(body + k, "a=1&", 4);
        k += 4;
    }
    struct http_form f;
    CHECK_INT(form_decode(&a, body, k, &f, NULL), FORM_TOO_MANY);
    CHECK_INT(form_decode(&a, body, k - 4, &f, NULL), FORM_OK);
    CHECK_INT(f.n, FORM_MAX_FIELDS);
}

static void test_not_nul_terminated(void)
{
    /* The server's body buffer: the length counts, not a NUL. */
    const char body[] = "a=1&b=2XXXX";
    struct http_form f;
    CHECK_INT(form_decode(&a, body, 7, &f, NULL), FORM_OK);
    CHECK_INT(f.n, 2);
    CHECK_STR(form_get(&f, "b"), "2");
    CHECK_INT(form_decode(&a, "a=%4", 3, &f, NULL), FORM_BAD_ESCAPE);
}

int main(void)
{
    arena_init(&a);
    RUN(test_open311_post);
    RUN(test_pieces);
    RUN(test_value_lines);
    RUN(test_refusals);
    RUN(test_too_many);
    RUN(test_not_nul_terminated);
    arena_release(&a);
    return test_report("form");
}
