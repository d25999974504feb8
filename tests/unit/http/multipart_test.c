/*
 * multipart_test.c - the multipart/form-data decoder (http/multipart.c):
 * boundaries from a Content-Type, fields and files in order, a preamble
 * and an epilogue, an empty file input, and each refusal.
 */
#include "core/strbuf.h"
#include "http/multipart.h"
#include "test.h"

static struct arena a;

static int decode(const char *ctype, const char *body, size_t len, struct http_form *f,
                  struct http_files *files, size_t *at)
{
    const char *b;
    int rc = multipart_boundary(&a, ctype, &b);
    return rc ? rc : multipart_decode(&a, body, len, b, f, files, at);
}

#define BODY(s) s, sizeof(s) - 1

static void test_boundary(void)
{
    const char *b;
    CHECK_INT(multipart_boundary(&a, "multipart/form-data; boundary=AaB03x", &b), MULTIPART_OK);
    CHECK_STR(b, "AaB03x");
    CHECK_INT(multipart_boundary(&a, "multipart/form-data; charset=utf-8; Boundary=\"a b:c\"", &b),
              MULTIPART_OK);
    CHECK_STR(b, "a b:c");
    CHECK_INT(multipart_boundary(&a, "multipart/form-data", &b), MULTIPART_BAD_BOUNDARY);
    CHECK_INT(multipart_boundary(&a, "multipart/form-data; boundary=", &b), MULTIPART_BAD_BOUNDARY);
    CHECK_INT(multipart_boundary(&a, "multipart/form-data; boundary=\"ends \"", &b),
              MULTIPART_BAD_BOUNDARY);
    CHECK_INT(multipart_boundary(&a, "multipart/form-data; boundary=a<b", &b),
              MULTIPART_BAD_BOUNDARY);
    CHECK_INT(multipart_boundary(&a, "multipart/form-data; boundary=\"open", &b),
              MULTIPART_BAD_BOUNDARY);
    char longb[100];
    memset(longb, 'x', 71);
    longb[71] = '\0';
    CHECK_INT(
        multipart_boundary(&a, arena_printf(&a, "multipart/form-data; boundary=%s", longb), &b),
        MULTIPART_BAD_BOUNDARY);
    CHECK(multipart_is_form_data("Multipart/Form-Data; boundary=x"));
    CHECK(!multipart_is_form_data("multipart/form-datax"));
    CHECK(!multipart_is_form_data("multipart/mixed; boundary=x"));
    CHECK(!multipart_is_form_data(NULL));
}

static void test_fields_and_files(void)
{
    struct http_form f;
    struct http_files files;
    static const char body[] =
        "preamble to ignore\r\n"
        "--xyz\r\n"
        "Content-Disposition: form-data; name=\"api_key\"\r\n\r\n"
        "k1\r\n"
        "--xyz  \r\n"
        "content-disposition: form-data; name=\"description\"\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        "路面\r\n坑洼\r\n"
        "--xyz\r\n"
        "Content-Disposition: form-data; name=\"media\"; filename=\"a \\\"b\\\".jpg\"\r\n"
        "Content-Type: image/jpeg\r\n\r\n"
        "\xff\xd8\xff\x00\r\n-- not the end\r\n"
        "--xyz\r\n"
        "Content-Disposition: form-data; name=\"empty\"; filename=\"\"\r\n"
        "Content-Type: application/octet-stream\r\n\r\n"
        "\r\n"
        "--xyz--\r\nepilogue";
    CHECK_INT(decode("multipart/form-data; boundary=xyz", BODY(body), &f, &files, NULL),
              MULTIPART_OK);
    CHECK_INT(f.n, 2);
    CHECK_STR(f.fields[0].name, "api_key");
    CHECK_STR(f.fields[0].value, "k1");
    CHECK_STR(f.fields[1].value, "路面\r\n坑洼");
    CHECK_STR(form_get(&f, "description"), "路面\r\n坑洼");
    CHECK_INT(files.n, 1); /* the empty file input is no file */
    const struct http_file *m = multipart_file(&files, "media");
    CHECK(m != NULL);
    if (m) {
        CHECK_STR(m->filename, "a \"b\".jpg");
        CHECK_STR(m->content_type, "image/jpeg");
        CHECK_INT(m->len, 20);
        CHECK(memcmp(m->data, "\xff\xd8\xff\x00\r\n-- not the end", 20) == 0);
    }
    CHECK(multipart_file(&files, "empty") == NULL);
    /* an empty form */
    CHECK_INT(decode("multipart/form-data; boundary=b", BODY("--b--\r\n"), &f, &files, NULL),
              MULTIPART_OK);
    CHECK_INT(f.n + files.n, 0);
}

static void test_refusals(void)
{
    struct http_form f;
    struct http_files files;
    size_t at = 99;
    const char *ct = "multipart/form-data; boundary=b";
    CHECK_INT(decode(ct, BODY("no boundary line"), &f, &files, &at), MULTIPART_MALFORMED);
    CHECK_INT(at, 0);
    /* no closing boundary */
    CHECK_INT(decode(ct, BODY("--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv"), &f,
                     &files, &at),
              MULTIPART_MALFORMED);
    /* LF alone does not end a line */
    CHECK_INT(decode(ct, BODY("--b\nContent-Disposition: form-data; name=\"a\"\n\nv\n--b--\n"), &f,
                     &files, &at),
              MULTIPART_MALFORMED);
    CHECK_INT(decode(ct,
                     BODY("--b\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\nv\r\n--b--"),
                     &f, &files, &at),
              MULTIPART_BAD_HEADER);
    CHECK_INT(decode(ct, BODY("--b\r\nContent-Disposition: form-data\r\n\r\nv\r\n--b--"), &f,
                     &files, &at),
              MULTIPART_BAD_HEADER);
    CHECK_INT(decode(ct, BODY("--b\r\nX-Other: 1\r\n\r\nv\r\n--b--"), &f, &files, &at),
              MULTIPART_BAD_HEADER);
    CHECK_INT(decode(ct,
                     BODY("--b\r\nContent-Disposition: form-data; name=\"a\"\r\n"
                          "Content-Transfer-Encoding: quoted-printable\r\n\r\nv\r\n--b--"),
                     &f, &files, &at),
              MULTIPART_BAD_HEADER);
    CHECK_INT(decode(ct,
                     BODY("--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nok\r\n"
                          "--b\r\nContent-Disposition: form-data; name=\"c\"\r\n\r\n\x01\r\n--b--"),
                     &f, &files, &at),
              MULTIPART_BAD_TEXT);
    CHECK_INT(at, 1);
    CHECK_INT(f.n, 0);
    CHECK_INT(decode(ct,
                     BODY("--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n\xc3\x28\r\n"
                          "--b--"),
                     &f, &files, &at),
              MULTIPART_BAD_TEXT);
    /* four files */
    struct strbuf sb = STRBUF_INIT;
    for (int i = 0; i < 4; i++)
        strbuf_addf(&sb,
                    "--b\r\nContent-Disposition: form-data; name=\"f%d\"; filename=\"x\"\r\n\r\n"
                    "data\r\n",
                    i);
    strbuf_adds(&sb, "--b--\r\n");
    CHECK_INT(decode(ct, sb.buf, sb.len, &f, &files, &at), MULTIPART_TOO_MANY);
    CHECK_INT(at, 3);
    CHECK_INT(files.n, 0);
    strbuf_release(&sb);
    /* too many fields */
    for (int i = 0; i <= FORM_MAX_FIELDS; i++)
        strbuf_addf(&sb, "--b\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nv\r\n");
    strbuf_adds(&sb, "--b--\r\n");
    CHECK_INT(decode(ct, sb.buf, sb.len, &f, &files, &at), MULTIPART_TOO_MANY);
    strbuf_release(&sb);
    /* an overlong name */
    strbuf_adds(&sb, "--b\r\nContent-Disposition: form-data; name=\"");
    for (int i = 0; i <= FORM_MAX_NAME; i++)
        strbuf_addch(&sb, 'n');
    strbuf_adds(&sb, "\"\r\n\r\nv\r\n--b--\r\n");
    CHECK_INT(decode(ct, sb.buf, sb.len, &f, &files, &at), MULTIPART_NAME_TOO_LONG);
    strbuf_release(&sb);
    CHECK(strcmp(multipart_result_text(MULTIPART_BAD_HEADER), "not a multipart body") != 0);
}

int main(void)
{
    arena_init(&a);
    RUN(test_boundary);
    RUN(test_fields_and_files);
    RUN(test_refusals);
    arena_release(&a);
    return test_report("multipart");
}
