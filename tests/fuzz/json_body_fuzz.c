/*
 * json_body_fuzz.c - libFuzzer target for the site JSON decoder: the
 * static read_site_or_reply() of src/site/site_http.c, reached by
 * including that file, followed by the domain rules of site.c.
 *
 * Each input goes through what the server does with a JSON body (the
 * json_in_depth guard at JSON_IN_MAX_DEPTH, json_loadb with
 * JSON_REJECT_DUPLICATES, an object required) and is then decoded into a
 * struct req built by hand (no connection: reply_* only fill the reply
 * fields). Promises checked:
 *  - a refusal is -1 with status 422 and a reply that is the one error
 *    shape: valid JSON, {"error":{"code":"...","message":"..."}} with an
 *    optional string "field";
 *  - an acceptance replies nothing and names only known field bits;
 *  - the decoded fields, merged as a create (onto defaults) and as a patch
 *    (onto a stored-looking temporarily closed site), either pass
 *    site_check or fail it with a code and a field, whose reply is again
 *    the error shape; a patch that sets another status without a reason
 *    clears the old closure (site_merge's rule);
 *  - a site that passes site_check renders to JSON with every documented
 *    member present (jansson drops members whose value it cannot build,
 *    e.g. from invalid UTF-8).
 *
 * Linking: site_http.c defines site_module, the only global in it, so the
 * archive's site_http.o is never pulled in (it would clash with this
 * definition and the link would fail).
 *
 *   make fuzz-smoke FUZZ_SECONDS=60    (seeds in tests/fuzz/corpus/json_body)
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "site/site_http.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct app fz_app;

static void fz_check(bool ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "json_body_fuzz: invariant broken: %s\n", what);
        abort();
    }
}

/* The reply must be the one error shape with status 422. */
static void fz_check_error_reply(const struct req *r)
{
    fz_check(r->status == 422, "refusal without status 422");
    fz_check(r->resp_body != NULL, "refusal without a body");
    fz_check(strlen(r->resp_body) == r->resp_len, "body length");
    json_error_t jerr;
    json_t *root = json_loadb(r->resp_body, r->resp_len, JSON_REJECT_DUPLICATES, &jerr);
    fz_check(root != NULL, "error reply is not JSON");
    json_t *err = json_object_get(root, "error");
    fz_check(json_is_object(err) && json_object_size(root) == 1,
             "error reply is not {\"error\":{...}}");
    const char *code = json_string_value(json_object_get(err, "code"));
    fz_check(code && *code, "error without a code");
    for (const char *p = code; *p; p++)
        fz_check((*p >= 'a' && *p <= 'z') || *p == '_', "code not snake_case");
    fz_check(json_is_string(json_object_get(err, "message")), "error without a message");
    json_t *field = json_object_get(err, "field");
    fz_check(!field || json_is_string(field), "field is not a string");
    json_decref(root);
}

static void fz_check_fault(struct req *r, const struct site_fault *f)
{
    fz_check(f->code && *f->code, "site_check fault without a code");
    fz_check(f->field && *f->field, "site_check fault without a field");
    free(r->resp_body);
    r->resp_body = NULL;
    fault_reply(r, f);
    fz_check_error_reply(r);
}

/* A checked site renders with every member site_json.c documents. */
static void fz_check_render(struct req *r, struct site *s)
{
    static const char *const members[] = {
        "id",          "name_zh",       "name_en",      "type",       "tier",          "region",
        "address_zh",  "address_en",    "phone",        "manager",    "description",   "capacity",
        "status",      "status_reason", "status_until", "public",     "opening_hours", "amenities",
        "photos",      "demo",          "created_at",   "updated_at", "position",      "open",
        "next_change", "nav",
    };
    s->id = 1;
    s->created_at = s->updated_at = 1767196800;
    struct site_view v = {NULL, 1767196800, fz_app.cfg.tz_offset_min, GEO_GCJ02};
    json_t *o = site_json(&r->arena, s, &v);
    fz_check(json_is_object(o), "site_json gave no object");
    for (size_t i = 0; i < sizeof members / sizeof members[0]; i++)
        fz_check(json_object_get(o, members[i]) != NULL, "a rendered site lacks a member");
    fz_check(json_array_size(json_object_get(o, "amenities")) == s->namenities,
             "rendered amenities");
    fz_check(json_array_size(json_object_get(o, "photos")) == s->nphotos, "rendered photos");
    char *text = json_dumps(o, JSON_COMPACT);
    fz_check(text != NULL, "rendered site does not dump");
    free(text);
    json_decref(o);
}

/* A site as site_get would return it: temporarily closed with a reason
 * and an end. */
static void fz_stored_site(struct site *s)
{
    site_defaults(s);
    s->id = 7;
    s->name_zh = "\xe6\x9a\x96\xe5\xb1\x8b";
    s->type_code = "warm_hut";
    s->region_code = "HZ";
    s->lat = 30.27;
    s->lon = 120.15;
    s->status = "temporarily_closed";
    s->status_reason = "repairs";
    s->has_until = true;
    s->status_until = 1767196800;
    s->opening_hours = "Mo-Fr 08:00-18:00";
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_app.cfg.tz_offset_min = CLOCK_CHINA_OFFSET_MIN;
    const char *text = (const char *)data;
    if (json_in_depth(text, size) > JSON_IN_MAX_DEPTH)
        return 0;
    json_error_t jerr;
    json_t *root = json_loadb(text, size, JSON_REJECT_DUPLICATES, &jerr);
    /* The server reads bodies with json_in_load, which lifts long plain
     * strings past jansson's lexer: it must give the same value, or the
     * same error, as json_loadb itself. */
    json_error_t lerr;
    int depth;
    json_t *lifted =
        json_in_load(text, size, JSON_REJECT_DUPLICATES, JSON_IN_MAX_DEPTH, &depth, &lerr);
    if (!root != !lifted || (root && !json_equal(root, lifted)) ||
        (!root && (strcmp(jerr.text, lerr.text) != 0 || jerr.line != lerr.line ||
                   jerr.column != lerr.column || jerr.position != lerr.position)))
        abort();
    json_decref(lifted);
    if (!root)
        return 0;
    if (!json_is_object(root)) {
        json_decref(root);
        return 0;
    }

    struct req r;
    memset(&r, 0, sizeof r);
    arena_init(&r.arena);
    r.app = &fz_app;
    r.method = HTTP_POST;
    r.path = "/api/sites";
    r.body = text;
    r.body_len = size;
    r.json = root;

    struct site in;
    memset(&in, 0, sizeof in);
    unsigned set = 0xdeadbeefu;
    int rc = read_site_or_reply(&r, &in, &set);
    if (rc != 0) {
        fz_check(rc == -1, "read_site_or_reply returned neither 0 nor -1");
        fz_check_error_reply(&r);
    } else {
        fz_check(r.status == 0 && r.resp_body == NULL, "accepted body but replied");
        fz_check((set & ~(unsigned)SF_ALL) == 0, "unknown field bits");

        /* As a create. */
        struct site s;
        site_defaults(&s);
        site_merge(&s, &in, set);
        struct site_fault f;
        memset(&f, 0, sizeof f);
        if (site_check(&s, &f))
            fz_check_fault(&r, &f);
        else
            fz_check_render(&r, &s);

        /* As a patch. */
        struct site p;
        fz_stored_site(&p);
        site_merge(&p, &in, set);
        if ((set & SF_STATUS) && strcmp(p.status, "temporarily_closed") != 0) {
            if (!(set & SF_STATUS_REASON))
                fz_check(p.status_reason == NULL, "reopened with old reason");
            if (!(set & SF_STATUS_UNTIL))
                fz_check(!p.has_until, "reopened with old end");
        }
        if (!(set & SF_STATUS))
            fz_check(strcmp(p.status, "temporarily_closed") == 0,
                     "status changed without SF_STATUS");
        memset(&f, 0, sizeof f);
        if (site_check(&p, &f))
            fz_check_fault(&r, &f);
        else
            fz_check_render(&r, &p);
    }

    free(r.resp_body);
    arena_release(&r.arena);
    json_decref(root);
    return 0;
}
