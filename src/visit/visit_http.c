/*
 * visit_http.c - visits to the stations:
 *   POST   /api/visits {code}                  signed in: check in with the
 * poster's code GET    /api/me/visits ?limit=&before=      my check-ins, newest
 * first DELETE /api/me/visits/{id}                 forget one of mine (the
 * counts keep it) POST   /api/sites/{id}/visits {qr}         staff: check a
 * worker in by their QR code POST   /api/sites/{id}/visits/walk-in {kind,
 * count?}   staff: count walk-ins by tap GET    /api/sites/{id}/visits/stats
 * ?from=&to=&by=hour|day      staff of the site GET
 * /api/regions/{code}/visits/stats ?from=&to=&by=hour|day  staff and admins of
 * the region GET    /api/sites/{id}/poster              staff: the poster's
 * code and link POST   /api/sites/{id}/poster/reissue      staff: a new poster;
 * the old ones stop working
 *
 * A check-in, by poster or by staff, is counted in one transaction: the
 * repeat guard's upsert decides whether it counts (a repeat within
 * VISIT_REPEAT_S answers 200 with counted false and the earlier visit),
 * then the person's check-in and the counters' upsert. An Idempotency-Key
 * replays the first answer and counts nothing again. Nobody but the
 * person sees their check-ins; statistics carry counts only.
 *
 * The tick deletes check-ins older than WARMHARBOR_VISIT_RETENTION_DAYS
 * (default 30) and repeat guards that have run out.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account/account.h"
#include "app/app.h"
#include "core/clock.h"
#include "core/log.h"
#include "http/json_in.h"
#include "region/region.h"
#include "site/site.h"
#include "store/store.h"
#include "visit/visit.h"

#define STAFF_AND_ADMINS (ROLE_STAFF | ACCESS_ADMIN)

/* The module's state: settings read at start. */
struct visit_state {
    int64_t retention_days;
    char *public_url; /* WARMHARBOR_PUBLIC_URL, or NULL: from the request */
};

static struct visit_state *state_of(struct req *r)
{
    return app_state(r->app, &visit_module);
}

static json_t *iso(struct req *r, int64_t t)
{
    char buf[40];
    return json_string(clock_format_iso(t, r->app->cfg.tz_offset_min, buf, sizeof buf));
}

static json_t *site_ref_json(int64_t id, const char *zh, const char *en)
{
    return json_pack("{s:I, s:s, s:s}", "id", (json_int_t)id, "name_zh", zh ? zh : "", "name_en",
                     en ? en : "");
}

static json_t *visit_json(struct req *r, const struct visit *v)
{
    json_t *o =
        json_pack("{s:I, s:o, s:s}", "id", (json_int_t)v->id, "site",
                  site_ref_json(v->site_id, v->site_name_zh, v->site_name_en), "via", v->via);
    json_object_set_new(o, "at", iso(r, v->at));
    return o;
}

static json_t *counts_json(const struct visit_counts *k)
{
    int64_t workers = k->n[VISIT_VIA_POSTER] + k->n[VISIT_VIA_STAFF] + k->n[VISIT_WALKIN_WORKER];
    int64_t public = k->n[VISIT_WALKIN_PUBLIC];
    return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "poster",
                     (json_int_t)k->n[VISIT_VIA_POSTER], "staff", (json_int_t)k->n[VISIT_VIA_STAFF],
                     "walkin_worker", (json_int_t)k->n[VISIT_WALKIN_WORKER], "walkin_public",
                     (json_int_t)k->n[VISIT_WALKIN_PUBLIC], "workers", (json_int_t)workers,
                     "public", (json_int_t) public, "total", (json_int_t)(workers + public));
}

/* ---- counting a check-in ----------------------------------------------------
 */

struct checkin {
    struct arena *arena;
    const struct visit_site *site;
    int64_t user_id;
    int64_t now, hour;
    enum visit_via via;
    bool counted;   /* out */
    struct visit v; /* out: the new visit, or the earlier one (id 0: deleted) */
};

static int checkin_tx(struct store_conn *c, void *ctx)
{
    struct checkin *k = ctx;
    int rc = visit_claim(c, k->user_id, k->site->id, k->now, &k->counted);
    if (rc)
        return rc;
    k->v = (struct visit){.user_id = k->user_id,
                          .site_id = k->site->id,
                          .site_name_zh = k->site->name_zh,
                          .site_name_en = k->site->name_en,
                          .at = k->now,
                          .via = visit_via_name(k->via)};
    if (!k->counted)
        return visit_last_get(c, k->arena, k->user_id, k->site->id, &k->v.id, &k->v.at);
    rc = visit_insert(c, k->arena, &k->v);
    if (rc)
        return rc;
    int64_t ids[VISIT_REGION_DEPTH];
    size_t n = visit_path_ids(k->site->region_path, ids, VISIT_REGION_DEPTH);
    return visit_count_add(c, k->site->id, k->hour, k->via, 1, ids, n);
}

/* Count the person's visit at the site and answer: 201 and the visit, or
 * 200 with counted false and the earlier one after a repeat. */
static int checkin_and_reply(struct req *r, struct store_conn *c, const struct visit_site *s,
                             int64_t user_id, enum visit_via via)
{
    int64_t now = clock_now();
    struct checkin k = {
        &r->arena, s,     user_id, now, visit_hour_start(now, r->app->cfg.tz_offset_min),
        via,       false, {0}};
    int rc = req_tx(r, c, checkin_tx, &k);
    if (rc)
        return reply_store_error(r, rc, "visit");
    json_t *o = visit_json(r, &k.v);
    if (!k.v.id)
        json_object_set_new(o, "id", json_null());
    json_object_set_new(o, "counted", json_boolean(k.counted));
    return reply_json(r, k.counted ? 201 : 200, o);
}

static const char *const checkin_fields[] = {"code", NULL};

static int post_visit(struct req *r)
{
    const struct principal *p = req_principal(r);
    const char *code;
    if (json_in_only_or_reply(r, r->json, NULL, checkin_fields) ||
        json_in_string(r, r->json, NULL, "code", 1024, true, &code) < 0)
        return r->status;
    int64_t site_id, version;
    if (visit_poster_parse(account_key(r->app), code, &site_id, &version))
        return reply_error(r, 403, "invalid_code", "code", "this is not a station's poster code");
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    struct visit_site s;
    int rc = visit_site_get(c, &r->arena, site_id, &s);
    if (rc == STORE_NOT_FOUND || (!rc && strcmp(s.status, "removed") == 0))
        return reply_error(r, 403, "invalid_code", "code", "this station is no longer served");
    if (rc)
        return reply_store_error(r, rc, "site");
    if (version != s.poster_version)
        return reply_error(r, 403, "invalid_code", "code",
                           "this poster was replaced: scan the station's current poster");
    return checkin_and_reply(r, c, &s, p->user_id, VISIT_VIA_POSTER);
}

static const char *const scan_fields[] = {"qr", NULL};

static int post_site_visit(struct req *r)
{
    int64_t site_id;
    const char *qr;
    if (req_param_id_or_reply(r, "id", "site", &site_id) ||
        json_in_only_or_reply(r, r->json, NULL, scan_fields) ||
        json_in_string(r, r->json, NULL, "qr", 512, true, &qr) < 0)
        return r->status;
    const char *plain = account_unseal(&r->arena, account_key(r->app), "qr", qr);
    long long uid = 0, exp = 0;
    char tail;
    if (!plain || sscanf(plain, "%lld:%lld%c", &uid, &exp, &tail) != 2 || uid <= 0)
        return reply_error(r, 422, "invalid_qr", "qr", "this is not a warmharbor code");
    if (exp <= clock_now())
        return reply_error(r, 410, "qr_expired", "qr",
                           "the code has expired; ask the worker to show a fresh one");
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    struct user u;
    int rc = user_get(c, &r->arena, uid, &u);
    if (rc)
        return reply_store_error(r, rc, "person");
    struct visit_site s;
    rc = visit_site_get(c, &r->arena, site_id, &s);
    if (rc)
        return reply_store_error(r, rc, "site");
    return checkin_and_reply(r, c, &s, u.id, VISIT_VIA_STAFF);
}

/* ---- walk-ins
 * ------------------------------------------------------------------ */

struct walkin {
    const struct visit_site *site;
    int64_t hour, count;
    enum visit_via via;
};

static int walkin_tx(struct store_conn *c, void *ctx)
{
    struct walkin *w = ctx;
    int64_t ids[VISIT_REGION_DEPTH];
    size_t n = visit_path_ids(w->site->region_path, ids, VISIT_REGION_DEPTH);
    return visit_count_add(c, w->site->id, w->hour, w->via, w->count, ids, n);
}

static const char *const walkin_fields[] = {"kind", "count", NULL};

/* Today's counts of a site, by how they came. */
static int today_counts(struct req *r, struct store_conn *c, int64_t site_id,
                        struct visit_counts *total)
{
    struct visit_window w = {0};
    w.start = visit_day_start(clock_now(), r->app->cfg.tz_offset_min);
    w.end = w.start + 86400;
    w.step = 86400;
    w.nbuckets = 1;
    struct visit_counts b;
    return visit_stats(c, &r->arena, false, site_id, &w, &b, total);
}

static int post_walkin(struct req *r)
{
    int64_t site_id, count = 1;
    const char *kind;
    if (req_param_id_or_reply(r, "id", "site", &site_id) ||
        json_in_only_or_reply(r, r->json, NULL, walkin_fields) ||
        json_in_string(r, r->json, NULL, "kind", 16, true, &kind) < 0 ||
        json_in_int(r, r->json, NULL, "count", 1, VISIT_WALKIN_MAX, false, &count) < 0)
        return r->status;
    enum visit_via via;
    if (strcmp(kind, "worker") == 0)
        via = VISIT_WALKIN_WORKER;
    else if (strcmp(kind, "public") == 0)
        via = VISIT_WALKIN_PUBLIC;
    else
        return reply_error(r, 422, "invalid_field", "kind", "kind is worker or public");
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    struct visit_site s;
    int rc = visit_site_get(c, &r->arena, site_id, &s);
    if (rc)
        return reply_store_error(r, rc, "site");
    int64_t now = clock_now();
    struct walkin w = {&s, visit_hour_start(now, r->app->cfg.tz_offset_min), count, via};
    rc = req_tx(r, c, walkin_tx, &w);
    struct visit_counts today;
    if (!rc)
        rc = today_counts(r, c, site_id, &today);
    if (rc)
        return reply_store_error(r, rc, "visit");
    json_t *o = json_pack("{s:I, s:s, s:I, s:o}", "site_id", (json_int_t)site_id, "kind", kind,
                          "count", (json_int_t)count, "today", counts_json(&today));
    json_object_set_new(o, "at", iso(r, now));
    return reply_json(r, 201, o);
}

/* ---- my check-ins
 * ------------------------------------------------------------- */

static int list_my_visits(struct req *r)
{
    const struct principal *p = req_principal(r);
    int64_t limit, before;
    if (req_query_int_or_reply(r, "limit", 1, VISIT_LIST_MAX, 50, &limit) ||
        req_query_int_or_reply(r, "before", 1, INT64_MAX, 0, &before))
        return r->status;
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    struct visit *vs;
    size_t n;
    int rc = visit_list_mine(c, &r->arena, p->user_id, before, limit, &vs, &n);
    if (rc)
        return reply_store_error(r, rc, "visit");
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, visit_json(r, &vs[i]));
    json_t *o = json_pack("{s:o, s:I}", "items", items, "retention_days",
                          (json_int_t)state_of(r)->retention_days);
    json_object_set_new(o, "next_before",
                        n == (size_t)limit ? json_integer(vs[n - 1].id) : json_null());
    return reply_json(r, 200, o);
}

static int delete_my_visit(struct req *r)
{
    const struct principal *p = req_principal(r);
    int64_t id;
    if (req_param_id_or_reply(r, "id", "visit", &id))
        return r->status;
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    int rc = visit_delete_mine(c, p->user_id, id);
    if (rc)
        return reply_store_error(r, rc, "visit");
    return reply_empty(r, 204);
}

/* ---- statistics
 * ----------------------------------------------------------------- */

static int window_or_reply(struct req *r, struct visit_window *w)
{
    const char *field, *why;
    if (visit_window_parse(req_query(r, "from"), req_query(r, "to"), req_query(r, "by"),
                           clock_now(), r->app->cfg.tz_offset_min, w, &field, &why))
        return reply_error(r, 400, "invalid_query", field, "%s", why), -1;
    return 0;
}

static json_t *date_json(int32_t ymd)
{
    char buf[16];
    snprintf(buf, sizeof buf, "%04d-%02d-%02d", ymd / 10000, ymd / 100 % 100, ymd % 100);
    return json_string(buf);
}

/* {from, to, by, buckets: [{start, workers, public, total}], totals} */
static json_t *stats_json(struct req *r, const struct visit_window *w, const struct visit_counts *b,
                          const struct visit_counts *total)
{
    json_t *buckets = json_array();
    for (size_t i = 0; i < w->nbuckets; i++) {
        json_t *o = counts_json(&b[i]);
        json_object_set_new(o, "start", iso(r, w->start + (int64_t)i * w->step));
        json_array_append_new(buckets, o);
    }
    json_t *o = json_pack("{s:o, s:o, s:s, s:o, s:o}", "from", date_json(w->from), "to",
                          date_json(w->to), "by", w->step == 3600 ? "hour" : "day", "buckets",
                          buckets, "totals", counts_json(total));
    return o;
}

static int site_stats(struct req *r)
{
    int64_t site_id;
    struct visit_window w;
    if (req_param_id_or_reply(r, "id", "site", &site_id) || window_or_reply(r, &w))
        return r->status;
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    struct visit_counts *b = arena_calloc(&r->arena, w.nbuckets, sizeof(*b)), total;
    int rc = visit_stats(c, &r->arena, false, site_id, &w, b, &total);
    if (rc)
        return reply_store_error(r, rc, "visit");
    json_t *o = stats_json(r, &w, b, &total);
    json_object_set_new(o, "site_id", json_integer(site_id));
    return reply_json(r, 200, o);
}

static int region_stats(struct req *r)
{
    struct visit_window w;
    if (window_or_reply(r, &w))
        return r->status;
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    struct region reg;
    int rc = region_get(c, &r->arena, req_param(r, "code"), &reg);
    if (rc)
        return reply_store_error(r, rc, "region");
    struct visit_counts *b = arena_calloc(&r->arena, w.nbuckets, sizeof(*b)), total;
    rc = visit_stats(c, &r->arena, true, reg.id, &w, b, &total);
    if (rc)
        return reply_store_error(r, rc, "visit");
    json_t *o = stats_json(r, &w, b, &total);
    json_object_set_new(o, "region",
                        json_pack("{s:s, s:s, s:s, s:s}", "code", reg.code, "level", reg.level,
                                  "name_zh", reg.name_zh, "name_en",
                                  reg.name_en ? reg.name_en : ""));
    return reply_json(r, 200, o);
}

/* ---- posters
 * -------------------------------------------------------------------- */

/* Where the poster's link points: WARMHARBOR_PUBLIC_URL, or this request's
 * own host. */
static const char *public_base(struct req *r)
{
    const char *base = state_of(r)->public_url;
    if (base)
        return base;
    const char *host = req_header(r, "Host");
    const char *proto = req_header(r, "X-Forwarded-Proto");
    if (!proto || (strcmp(proto, "https") != 0 && strcmp(proto, "http") != 0))
        proto = "http";
    return arena_printf(&r->arena, "%s://%s", proto, host ? host : "localhost");
}

static int reply_poster(struct req *r, int status, const struct visit_site *s)
{
    const char *code = visit_poster_code(&r->arena, account_key(r->app), s->id, s->poster_version);
    json_t *o =
        json_pack("{s:I, s:s, s:s, s:I, s:s}", "site_id", (json_int_t)s->id, "name_zh", s->name_zh,
                  "name_en", s->name_en, "version", (json_int_t)s->poster_version, "code", code);
    json_object_set_new(
        o, "url", json_string(arena_printf(&r->arena, "%s/#/visit/%s", public_base(r), code)));
    json_object_set_new(o, "issued_at",
                        s->poster_issued_at ? iso(r, s->poster_issued_at) : json_null());
    return reply_json(r, status, o);
}

static int get_poster(struct req *r)
{
    int64_t site_id;
    if (req_param_id_or_reply(r, "id", "site", &site_id))
        return r->status;
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    struct visit_site s;
    int rc = visit_site_get(c, &r->arena, site_id, &s);
    if (rc)
        return reply_store_error(r, rc, "site");
    return reply_poster(r, 200, &s);
}

struct reissue {
    struct arena *arena;
    int64_t site_id, by, now, version;
};

static int reissue_tx(struct store_conn *c, void *ctx)
{
    struct reissue *x = ctx;
    return visit_poster_reissue(c, x->arena, x->site_id, x->by, x->now, &x->version);
}

static int post_reissue(struct req *r)
{
    const struct principal *p = req_principal(r);
    int64_t site_id;
    if (req_param_id_or_reply(r, "id", "site", &site_id))
        return r->status;
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    struct reissue x = {&r->arena, site_id, p->user_id, clock_now(), 0};
    int rc = req_tx(r, c, reissue_tx, &x);
    struct visit_site s;
    if (!rc)
        rc = visit_site_get(c, &r->arena, site_id, &s);
    if (rc)
        return reply_store_error(r, rc, "site");
    audit_add(c, p->user_id, "reissue_poster", "site",
              arena_printf(&r->arena, "%lld", (long long)site_id), req_client_address(r),
              arena_printf(&r->arena, "version %lld", (long long)s.poster_version), x.now);
    return reply_poster(r, 200, &s);
}

/* ---- timed work, personal data, commands ------------------------------------
 */

static void visit_tick(struct app *app, struct store_conn *c, int64_t now)
{
    struct visit_state *st = app_state(app, &visit_module);
    int64_t n = 0;
    if (visit_purge(c, now - st->retention_days * 86400, now - VISIT_REPEAT_S, &n))
        log_warn("visit: old check-ins were not deleted");
    else if (n)
        log_info("visit: %lld check-ins older than %lld days deleted", (long long)n,
                 (long long)st->retention_days);
}

static int visit_export_personal(struct app *app, struct store_conn *c, struct arena *a,
                                 int64_t user_id, json_t **out)
{
    json_t *items = json_array();
    int64_t before = 0;
    for (;;) {
        struct visit *vs;
        size_t n;
        int rc = visit_list_mine(c, a, user_id, before, VISIT_LIST_MAX, &vs, &n);
        if (rc) {
            json_decref(items);
            return rc;
        }
        for (size_t i = 0; i < n; i++) {
            char at[40];
            json_t *o = json_pack(
                "{s:I, s:o, s:s, s:s}", "id", (json_int_t)vs[i].id, "site",
                site_ref_json(vs[i].site_id, vs[i].site_name_zh, vs[i].site_name_en), "via",
                vs[i].via, "at", clock_format_iso(vs[i].at, app->cfg.tz_offset_min, at, sizeof at));
            json_array_append_new(items, o);
        }
        if (n < VISIT_LIST_MAX)
            break;
        before = vs[n - 1].id;
    }
    *out = json_pack("{s:o}", "visits", items);
    return STORE_OK;
}

static int visit_erase_personal(struct app *app, struct store_conn *c, int64_t user_id)
{
    return visit_erase_user(c, user_id);
}

static int recount_tx(struct store_conn *c, void *ctx)
{
    return visit_recount(c);
}

static int cmd_visits(struct app *app, int argc, char **argv)
{
    if (argc != 1 || strcmp(argv[0], "recount") != 0) {
        fputs("usage: warmharbor visits recount [--db PATH]\n", stderr);
        return 2;
    }
    struct store_conn *c = store_acquire(app->store);
    int rc = c ? store_tx(c, recount_tx, NULL) : STORE_BUSY;
    store_release(c);
    if (rc) {
        fprintf(stderr, "warmharbor: recounting failed (store result %d)\n", rc);
        return 1;
    }
    puts("the regions' visit counts were rebuilt from the sites'");
    return 0;
}

static const struct module_command visit_commands[] = {
    {"visits", cmd_visits, "warmharbor visits recount [--db PATH]",
     "Rebuild every region's hourly visit counts from its sites' counts along\n"
     "today's region tree (after regions or sites moved), and drop the counts\n"
     "of sites that no longer exist.\n",
     false},
};

/* ---- demo: a week of visit counts at every demo site
 * --------------------------- */

static int visit_demo(struct app *app, struct store_conn *c, int *count)
{
    int tz = app->cfg.tz_offset_min;
    int64_t now = clock_now(), first = visit_day_start(now, tz) - 6 * 86400;
    int64_t hours = (visit_hour_start(now, tz) - first) / 3600 + 1, rows = 0;
    int rc = visit_demo_fill(c, first, hours, &rows);
    /* Earlier runs' demo sites are gone: their counts leave the regions. */
    if (!rc)
        rc = visit_recount(c);
    *count = (int)rows;
    return rc;
}

/* ---- the module
 * ------------------------------------------------------------------ */

static int visit_init(struct app *app, void **state)
{
    struct visit_state *st = calloc(1, sizeof(*st));
    if (!st)
        die_oom();
    st->retention_days = VISIT_RETENTION_DAYS;
    const char *v = getenv("WARMHARBOR_VISIT_RETENTION_DAYS");
    if (v && *v) {
        char *end;
        long long d = strtoll(v, &end, 10);
        if (*end || d < 1 || d > VISIT_RETENTION_MAX_DAYS) {
            log_error("WARMHARBOR_VISIT_RETENTION_DAYS=%s: give a number of "
                      "days from 1 to %d",
                      v, VISIT_RETENTION_MAX_DAYS);
            free(st);
            return -1;
        }
        st->retention_days = d;
    }
    const char *u = getenv("WARMHARBOR_PUBLIC_URL");
    if (u && *u) {
        size_t len = strlen(u);
        while (len && u[len - 1] == '/')
            len--;
        if ((strncmp(u, "https://", 8) != 0 && strncmp(u, "http://", 7) != 0) || len > 200 ||
            strpbrk(u, " \"<>#?")) {
            log_error("WARMHARBOR_PUBLIC_URL=%s: give the address the web app "
                      "is reached at,"
                      " e.g. https://nuanxin.example.cn",
                      u);
            free(st);
            return -1;
        }
        st->public_url = strndup(u, len);
        if (!st->public_url)
            die_oom();
    }
    *state = st;
    return 0;
}

static void visit_release(struct app *app, void *state)
{
    struct visit_state *st = state;
    if (st)
        free(st->public_url);
    free(st);
}

static const struct route visit_routes[] = {
    {HTTP_POST, "/api/visits", post_visit, ACCESS_SIGNED_IN, BODY_JSON, SCOPE_ANY},
    {HTTP_GET, "/api/me/visits", list_my_visits, ACCESS_SIGNED_IN, BODY_NONE, SCOPE_ANY},
    {HTTP_DELETE, "/api/me/visits/{id}", delete_my_visit, ACCESS_SIGNED_IN, BODY_NONE, SCOPE_ANY},
    {HTTP_POST, "/api/sites/{id}/visits", post_site_visit, STAFF_AND_ADMINS, BODY_JSON,
     &site_scope_path},
    {HTTP_POST, "/api/sites/{id}/visits/walk-in", post_walkin, STAFF_AND_ADMINS, BODY_JSON,
     &site_scope_path},
    {HTTP_GET, "/api/sites/{id}/visits/stats", site_stats, STAFF_AND_ADMINS, BODY_NONE,
     &site_scope_path},
    {HTTP_GET, "/api/regions/{code}/visits/stats", region_stats, STAFF_AND_ADMINS, BODY_NONE,
     &region_scope_path},
    {HTTP_GET, "/api/sites/{id}/poster", get_poster, STAFF_AND_ADMINS, BODY_NONE, &site_scope_path},
    {HTTP_POST, "/api/sites/{id}/poster/reissue", post_reissue, STAFF_AND_ADMINS, BODY_NONE,
     &site_scope_path},
};

const struct module visit_module = {
    .name = "visit",
    .routes = visit_routes,
    .nroutes = sizeof visit_routes / sizeof visit_routes[0],
    .init = visit_init,
    .release = visit_release,
    .commands = visit_commands,
    .ncommands = sizeof visit_commands / sizeof visit_commands[0],
    .tick = visit_tick,
    .demo = visit_demo,
    .export_personal = visit_export_personal,
    .erase_personal = visit_erase_personal,
};
