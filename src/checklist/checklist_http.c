/*
 * checklist_http.c - the daily checks:
 *   GET  /api/checklists/{type}                  staff and admins: a site
 * type's checklists PUT  /api/checklists/{type}/{kind} {items}   system admins:
 * replace one GET  /api/sites/{id}/checklists ?date=       staff of the site:
 * the day's checks POST /api/sites/{id}/checklists {kind, items, note?}   staff
 * of the site: record today's GET  /api/regions/{code}/checklists/missing
 * ?date=&kind=   region admins: who skipped
 *
 * A check and the faults its failed items report are one transaction: the
 * check's unique key decides a second one (409 already_checked); a failed
 * item whose amenity has an open fault already names that fault instead of
 * reporting it again; a new fault turns the amenity's live status out of
 * order, announced after the commit like the fault module's own reports.
 */
#include <stdio.h>
#include <string.h>

#include "app/app.h"
#include "calendar/calendar.h"
#include "catalog/catalog.h"
#include "checklist/checklist.h"
#include "core/clock.h"
#include "fault/fault.h"
#include "http/json_in.h"
#include "live/live.h"
#include "region/region.h"
#include "site/site.h"
#include "store/store.h"

#define STAFF_AND_ADMINS (ROLE_STAFF | ACCESS_ADMIN)
#define MAX_SITES 100000

static const char *const kinds[] = {"opening", "closing"};

static int tz_of(struct req *r)
{
    return r->app->cfg.tz_offset_min;
}

static int64_t day_start_of(int32_t ymd, int tz)
{
    return clock_days_from_civil(ymd / 10000, ymd / 100 % 100, ymd % 100) * 86400 -
           (int64_t)tz * 60;
}

static int32_t today_of(int tz)
{
    int64_t local = clock_now() + (int64_t)tz * 60;
    int y, m, d;
    clock_civil_from_days(local / 86400 - (local % 86400 < 0), &y, &m, &d);
    return y * 10000 + m * 100 + d;
}

static json_t *date_json(int32_t ymd)
{
    char buf[16];
    snprintf(buf, sizeof buf, "%04d-%02d-%02d", ymd / 10000, ymd / 100 % 100, ymd % 100);
    return json_string(buf);
}

/* ?date=YYYY-MM-DD, today by default, never in the future. */
static int date_or_reply(struct req *r, int32_t *day)
{
    const char *q = req_query(r, "date");
    int32_t today = today_of(tz_of(r));
    *day = today;
    if (q && clock_parse_date(q, day))
        return reply_error(r, 400, "invalid_query", "date", "date is YYYY-MM-DD"), -1;
    if (*day > today)
        return reply_error(r, 400, "invalid_query", "date", "date is today or before"), -1;
    return 0;
}

static json_t *item_json(const struct checklist_item *it)
{
    json_t *o = json_pack("{s:s, s:s, s:s}", "code", it->code, "label_zh", it->label_zh, "label_en",
                          it->label_en);
    json_object_set_new(o, "amenity", it->amenity ? json_string(it->amenity) : json_null());
    return o;
}

/* {"site_type", "opening": [...], "closing": [...]} */
static json_t *checklists_json(const char *type, const struct checklist_item *items, size_t n)
{
    json_t *o = json_pack("{s:s, s:[], s:[]}", "site_type", type, "opening", "closing");
    for (size_t i = 0; i < n; i++)
        json_array_append_new(json_object_get(o, items[i].kind), item_json(&items[i]));
    return o;
}

static json_t *run_json(struct req *r, const struct checklist_run *run)
{
    char at[40];
    json_t *items = json_array();
    for (size_t i = 0; i < run->nmarks; i++) {
        const struct checklist_mark *m = &run->marks[i];
        json_t *o = json_pack("{s:s, s:s, s:s, s:b, s:s}", "code", m->code, "label_zh", m->label_zh,
                              "label_en", m->label_en, "ok", m->ok, "note", m->note);
        json_object_set_new(o, "fault_id", m->fault_id ? json_integer(m->fault_id) : json_null());
        json_array_append_new(items, o);
    }
    json_t *o =
        json_pack("{s:I, s:I, s:s, s:o, s:s, s:s, s:I, s:o}", "id", (json_int_t)run->id, "site_id",
                  (json_int_t)run->site_id, "kind", run->kind, "date", date_json(run->day),
                  "checked_at", clock_format_iso(run->checked_at, tz_of(r), at, sizeof at), "note",
                  run->note, "failed", (json_int_t)run->failed, "items", items);
    json_object_set_new(o, "checked_by",
                        run->checked_by
                            ? json_pack("{s:I, s:s}", "id", (json_int_t)run->checked_by, "name",
                                        run->checked_by_name ? run->checked_by_name : "")
                            : json_null());
    return o;
}

/* ---- checklists of a site type
 * ------------------------------------------------- */

static int type_or_reply(struct req *r, struct store_conn *c, struct site_type *t)
{
    int rc = site_type_get(c, &r->arena, req_param(r, "type"), t);
    if (rc == STORE_NOT_FOUND)
        return reply_error(r, 404, "not_found", NULL, "no such site type"), -1;
    if (rc)
        return reply_store_error(r, rc, "site type"), -1;
    return 0;
}

static int reply_checklists(struct req *r, struct store_conn *c, int status, const char *type)
{
    struct checklist_item *items;
    size_t n;
    int rc = checklist_items_of(c, &r->arena, type, NULL, &items, &n);
    if (rc)
        return reply_store_error(r, rc, "checklist");
    return reply_json(r, status, checklists_json(type, items, n));
}

static int get_checklists(struct req *r)
{
    struct store_conn *c = req_store_or_reply(r);
    struct site_type t;
    if (!c || type_or_reply(r, c, &t))
        return r->status;
    return reply_checklists(r, c, 200, t.code);
}

struct replace {
    struct arena *arena;
    int64_t type_id;
    const char *kind;
    struct checklist_item *items;
    size_t n, bad;
};

static int replace_tx(struct store_conn *c, void *ctx)
{
    struct replace *x = ctx;
    return checklist_replace(c, x->arena, x->type_id, x->kind, x->items, x->n, clock_now(),
                             &x->bad);
}

static const char *const list_fields[] = {"items", NULL};
static const char *const item_fields[] = {"code", "label_zh", "label_en", "amenity", NULL};

static int put_checklist(struct req *r)
{
    const char *kind = req_param(r, "kind");
    if (!checklist_kind_is_valid(kind))
        return reply_error(r, 404, "not_found", NULL, "a checklist is opening or closing");
    if (json_in_only_or_reply(r, r->json, NULL, list_fields))
        return r->status;
    json_t *arr = json_object_get(r->json, "items");
    if (!arr)
        return reply_error(r, 422, "missing_field", "items", "items is required");
    if (!json_is_array(arr))
        return reply_error(r, 422, "invalid_field", "items", "items is a list");
    size_t n = json_array_size(arr);
    if (n > CHECKLIST_MAX_ITEMS)
        return reply_error(r, 422, "too_many_items", "items", "a checklist has at most %d items",
                           CHECKLIST_MAX_ITEMS);
    struct checklist_item *items = arena_calloc(&r->arena, n ? n : 1, sizeof(*items));
    for (size_t i = 0; i < n; i++) {
        json_t *el = json_array_get(arr, i);
        const char *prefix = arena_printf(&r->arena, "items[%zu]", i);
        struct checklist_item *it = &items[i];
        it->label_en = "";
        if (json_in_object_or_reply(r, el, prefix) ||
            json_in_only_or_reply(r, el, prefix, item_fields) ||
            json_in_string(r, el, prefix, "code", CHECKLIST_CODE_MAX, true, &it->code) < 0 ||
            json_in_string(r, el, prefix, "label_zh", CHECKLIST_LABEL_MAX, true, &it->label_zh) <
                0 ||
            json_in_string(r, el, prefix, "label_en", CHECKLIST_LABEL_MAX, false, &it->label_en) <
                0 ||
            json_in_nullable_string(r, el, prefix, "amenity", 64, &it->amenity) < 0)
            return r->status;
        const char *field = arena_printf(&r->arena, "%s.code", prefix);
        if (!checklist_code_is_valid(it->code))
            return reply_error(r, 422, "invalid_field", field,
                               "a code is lower-case letters, digits and _");
        for (size_t k = 0; k < i; k++)
            if (strcmp(items[k].code, it->code) == 0)
                return reply_error(r, 422, "duplicate_item", field, "%s is listed twice", it->code);
    }
    struct store_conn *c = req_store_or_reply(r);
    struct site_type t;
    if (!c || type_or_reply(r, c, &t))
        return r->status;
    struct replace x = {&r->arena, t.id, kind, items, n, 0};
    int rc = req_tx(r, c, replace_tx, &x);
    if (rc == STORE_NOT_FOUND)
        return reply_error(r, 422, "unknown_amenity",
                           arena_printf(&r->arena, "items[%zu].amenity", x.bad), "no amenity is %s",
                           items[x.bad].amenity);
    if (rc)
        return reply_store_error(r, rc, "checklist");
    return reply_checklists(r, c, 200, t.code);
}

/* ---- a site's day
 * ------------------------------------------------------------------ */

/* When the site's checks of the day are due (false, false when it was
 * not open that day). */
static int due_of(struct req *r, struct store_conn *c, const struct site *s, int32_t day,
                  bool *opening, bool *closing)
{
    struct hours_calendar cal;
    int64_t start = day_start_of(day, tz_of(r)), first, last;
    int rc = calendar_load(c, &r->arena, start, tz_of(r), &cal);
    if (rc)
        return rc;
    checklist_day_hours(s, &cal, start, tz_of(r), &first, &last);
    checklist_due(first, last, clock_now(), opening, closing);
    return STORE_OK;
}

static int get_site_checklists(struct req *r)
{
    int64_t site_id;
    int32_t day;
    if (req_param_id_or_reply(r, "id", "site", &site_id) || date_or_reply(r, &day))
        return r->status;
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    struct site s;
    struct checklist_item *items;
    struct checklist_run *runs;
    size_t ni, nr;
    bool due[2];
    int rc = site_get(c, &r->arena, site_id, &s);
    if (!rc)
        rc = checklist_items_of(c, &r->arena, s.type_code, NULL, &items, &ni);
    if (!rc)
        rc = checklist_runs_of(c, &r->arena, site_id, day, &runs, &nr);
    if (!rc)
        rc = due_of(r, c, &s, day, &due[0], &due[1]);
    if (rc)
        return reply_store_error(r, rc, "checklist");
    json_t *o = json_pack("{s:I, s:o, s:s}", "site_id", (json_int_t)site_id, "date", date_json(day),
                          "site_type", s.type_code);
    for (int k = 0; k < 2; k++) {
        const struct checklist_run *run = NULL;
        for (size_t i = 0; i < nr; i++)
            if (strcmp(runs[i].kind, kinds[k]) == 0)
                run = &runs[i];
        json_t *list = json_array();
        for (size_t i = 0; i < ni; i++) {
            if (strcmp(items[i].kind, kinds[k]) != 0)
                continue;
            json_t *it = item_json(&items[i]);
            json_object_set_new(it, "ok", json_null());
            json_array_append_new(list, it);
        }
        json_t *part =
            json_pack("{s:b, s:b, s:o}", "done", run != NULL, "due", due[k], "items", list);
        json_object_set_new(part, "check", run ? run_json(r, run) : json_null());
        json_object_set_new(o, kinds[k], part);
    }
    return reply_json(r, 200, o);
}

/* A check being recorded: the answers in the checklist's order, and which
 * failed ones report a fault. */
struct record {
    struct arena *arena;
    struct checklist_run run;
    const struct checklist_item *items; /* the checklist, aligned with run.marks */
    bool *report;                       /* per mark */
    int64_t by, now;
    int64_t faults_made;
};

/* Report the fault of each failed item that asks for it, or name the
 * amenity's open one; then the check. */
static int record_tx(struct store_conn *c, void *ctx)
{
    struct record *x = ctx;
    x->faults_made = 0;
    struct fault *open = NULL;
    size_t nopen = 0;
    for (size_t i = 0; i < x->run.nmarks; i++) {
        struct checklist_mark *m = &x->run.marks[i];
        m->fault_id = 0;
        if (!x->report[i])
            continue;
        if (!open) {
            int rc = fault_list(c, x->arena, x->run.site_id, "open", 500, &open, &nopen);
            if (rc)
                return rc;
        }
        for (size_t k = 0; k < nopen && !m->fault_id; k++)
            if (strcmp(open[k].amenity, x->items[i].amenity) == 0)
                m->fault_id = open[k].id;
        if (m->fault_id)
            continue;
        struct fault f = {0};
        f.site_id = x->run.site_id;
        f.amenity = x->items[i].amenity;
        f.note = arena_printf(x->arena, "%s未通过：%s%s%s",
                              strcmp(x->run.kind, "opening") == 0 ? "开门检查" : "关门检查",
                              m->label_zh, *m->note ? "：" : "", m->note);
        f.reported_by = x->by;
        f.reported_at = x->now;
        int rc = fault_insert(c, x->arena, &f);
        if (rc == STORE_CONFLICT)
            return STORE_BUSY; /* reported by someone else just now: start again
                                */
        if (rc)
            return rc;
        struct live_item item = {.code = f.amenity, .working = 0, .reported_at = x->now};
        const char *bad = NULL;
        rc = live_put(c, x->arena, x->run.site_id, &item, 1, x->now, &bad);
        if (rc)
            return rc;
        m->fault_id = f.id;
        x->faults_made++;
    }
    return checklist_run_insert(c, x->arena, &x->run);
}

static const char *const record_fields[] = {"kind", "items", "note", NULL};
static const char *const mark_fields[] = {"code", "ok", "note", "report_fault", NULL};

static bool site_has_amenity(const struct site *s, const char *code)
{
    for (size_t i = 0; i < s->namenities; i++)
        if (strcmp(s->amenities[i].code, code) == 0)
            return true;
    return false;
}

static int post_site_checklist(struct req *r)
{
    const struct principal *p = req_principal(r);
    int64_t site_id;
    const char *kind, *note = "";
    if (req_param_id_or_reply(r, "id", "site", &site_id) ||
        json_in_only_or_reply(r, r->json, NULL, record_fields) ||
        json_in_string(r, r->json, NULL, "kind", 16, true, &kind) < 0 ||
        json_in_string(r, r->json, NULL, "note", CHECKLIST_NOTE_MAX, false, &note) < 0)
        return r->status;
    if (!checklist_kind_is_valid(kind))
        return reply_error(r, 422, "invalid_field", "kind", "kind is opening or closing");
    json_t *arr = json_object_get(r->json, "items");
    if (!arr)
        return reply_error(r, 422, "missing_field", "items", "items is required");
    if (!json_is_array(arr) || json_array_size(arr) > CHECKLIST_MAX_ITEMS)
        return reply_error(r, 422, "invalid_field", "items", "items is a list of answers");
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    struct site s;
    struct checklist_item *items;
    size_t ni;
    int rc = site_get(c, &r->arena, site_id, &s);
    if (!rc)
        rc = checklist_items_of(c, &r->arena, s.type_code, kind, &items, &ni);
    if (rc)
        return reply_store_error(r, rc, "site");
    if (!ni)
        return reply_error(r, 422, "no_checklist", "kind", "a %s has no %s checklist", s.type_code,
                           kind);
    struct record x = {.arena = &r->arena, .items = items, .by = p->user_id, .now = clock_now()};
    x.run = (struct checklist_run){.site_id = site_id,
                                   .kind = kind,
                                   .day = today_of(tz_of(r)),
                                   .checked_by = p->user_id,
                                   .checked_at = x.now,
                                   .note = note};
    x.run.marks = arena_calloc(&r->arena, ni, sizeof(*x.run.marks));
    x.run.nmarks = ni;
    x.report = arena_calloc(&r->arena, ni, sizeof(*x.report));
    bool *seen = arena_calloc(&r->arena, ni, sizeof(*seen));
    size_t n = json_array_size(arr);
    for (size_t i = 0; i < n; i++) {
        json_t *el = json_array_get(arr, i);
        const char *prefix = arena_printf(&r->arena, "items[%zu]", i);
        const char *code, *mnote = "";
        bool ok, report = false;
        if (json_in_object_or_reply(r, el, prefix) ||
            json_in_only_or_reply(r, el, prefix, mark_fields) ||
            json_in_string(r, el, prefix, "code", CHECKLIST_CODE_MAX, true, &code) < 0 ||
            json_in_bool(r, el, prefix, "ok", true, &ok) < 0 ||
            json_in_string(r, el, prefix, "note", CHECKLIST_NOTE_MAX, false, &mnote) < 0 ||
            json_in_bool(r, el, prefix, "report_fault", false, &report) < 0)
            return r->status;
        size_t k = 0;
        while (k < ni && strcmp(items[k].code, code) != 0)
            k++;
        const char *field = arena_printf(&r->arena, "%s.code", prefix);
        if (k == ni)
            return reply_error(r, 422, "unknown_item", field, "the %s checklist has no %s", kind,
                               code);
        if (seen[k])
            return reply_error(r, 422, "duplicate_item", field, "%s is answered twice", code);
        seen[k] = true;
        if (report) {
            const char *rf = arena_printf(&r->arena, "%s.report_fault", prefix);
            if (ok)
                return reply_error(r, 422, "invalid_field", rf,
                                   "only a failed item reports a fault");
            if (!items[k].amenity || !site_has_amenity(&s, items[k].amenity))
                return reply_error(r, 422, "amenity_not_at_site", rf,
                                   "%s names no amenity this site has", code);
        }
        x.run.marks[k] = (struct checklist_mark){
            (int)k + 1, items[k].code, items[k].label_zh, items[k].label_en, ok, mnote, 0};
        x.report[k] = report;
        x.run.failed += !ok;
    }
    for (size_t k = 0; k < ni; k++)
        if (!seen[k])
            return reply_error(r, 422, "missing_item", "items", "%s is not answered",
                               items[k].code);
    rc = req_tx(r, c, record_tx, &x);
    if (rc == STORE_CONFLICT)
        return reply_error(r, 409, "already_checked", "kind",
                           "today's %s check of this site is recorded already", kind);
    if (rc)
        return reply_store_error(r, rc, "checklist");
    if (x.faults_made)
        app_changed(r->app, c, &live_module, LIVE_STATUS, site_id);
    x.run.checked_by_name = "";
    struct checklist_run *runs;
    size_t nr;
    if (!checklist_runs_of(c, &r->arena, site_id, x.run.day, &runs, &nr))
        for (size_t i = 0; i < nr; i++)
            if (runs[i].id == x.run.id)
                x.run = runs[i];
    char loc[80];
    snprintf(loc, sizeof loc, "/api/sites/%lld/checklists?date=%04d-%02d-%02d", (long long)site_id,
             x.run.day / 10000, x.run.day / 100 % 100, x.run.day % 100);
    reply_header(r, "Location", loc);
    return reply_json(r, 201, run_json(r, &x.run));
}

/* ---- a region's missing checks
 * ----------------------------------------------------- */

static int64_t template_size(const struct checklist_count *cs, size_t n, const char *type,
                             const char *kind)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(cs[i].site_type, type) == 0 && strcmp(cs[i].kind, kind) == 0)
            return cs[i].n;
    return 0;
}

static int get_missing(struct req *r)
{
    int32_t day;
    const char *only = req_query(r, "kind");
    if (date_or_reply(r, &day))
        return r->status;
    if (only && !checklist_kind_is_valid(only))
        return reply_error(r, 400, "invalid_query", "kind", "kind is opening or closing");
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    struct region reg;
    int rc = region_get(c, &r->arena, req_param(r, "code"), &reg);
    if (rc)
        return reply_store_error(r, rc, "region");
    struct site_query q = {.region_code = reg.code, .limit = MAX_SITES, .no_total = true};
    struct site *ss;
    struct checklist_count *cs;
    struct checklist_done *done;
    size_t ns, ncs, nd;
    int64_t total;
    struct hours_calendar cal;
    int tz = tz_of(r);
    int64_t start = day_start_of(day, tz), now = clock_now();
    rc = site_search(c, &r->arena, &q, &ss, &ns, &total);
    if (!rc)
        rc = checklist_counts(c, &r->arena, &cs, &ncs);
    if (!rc)
        rc = checklist_done_in_region(c, &r->arena, reg.path, day, &done, &nd);
    if (!rc)
        rc = calendar_load(c, &r->arena, start, tz, &cal);
    if (rc)
        return reply_store_error(r, rc, "checklist");
    json_t *missing = json_array();
    int64_t expected = 0, nmissing[2] = {0, 0}, ndone[2] = {0, 0};
    for (size_t i = 0; i < ns; i++) {
        if (ss[i].created_at >= start + 86400)
            continue; /* it did not exist yet */
        int64_t first, last;
        bool due[2];
        checklist_day_hours(&ss[i], &cal, start, tz, &first, &last);
        checklist_due(first, last, now, &due[0], &due[1]);
        const char *state[2] = {NULL, NULL};
        bool any_due = false, any_missing = false;
        for (int k = 0; k < 2; k++) {
            if ((only && strcmp(only, kinds[k]) != 0) ||
                !template_size(cs, ncs, ss[i].type_code, kinds[k]))
                continue;
            bool is_done = false;
            for (size_t d = 0; d < nd && !is_done; d++)
                is_done = done[d].site_id == ss[i].id && strcmp(done[d].kind, kinds[k]) == 0;
            state[k] = is_done ? "done" : due[k] ? "missing" : "not_due";
            any_due |= is_done || due[k];
            any_missing |= !is_done && due[k];
            nmissing[k] += !is_done && due[k];
            ndone[k] += is_done;
        }
        expected += any_due;
        if (!any_missing)
            continue;
        json_t *o = json_pack("{s:{s:I, s:s, s:s, s:s?, s:s}}", "site", "id", (json_int_t)ss[i].id,
                              "name_zh", ss[i].name_zh, "name_en", ss[i].name_en, "region",
                              ss[i].region_code, "type", ss[i].type_code);
        for (int k = 0; k < 2; k++)
            json_object_set_new(o, kinds[k], state[k] ? json_string(state[k]) : json_null());
        json_array_append_new(missing, o);
    }
    json_t *o =
        json_pack("{s:{s:s, s:s, s:s, s:s}, s:o, s:I, s:{s:I, s:I}, s:{s:I, s:I}, s:o}", "region",
                  "code", reg.code, "level", reg.level, "name_zh", reg.name_zh, "name_en",
                  reg.name_en ? reg.name_en : "", "date", date_json(day), "sites_expected",
                  (json_int_t)expected, "missing", "opening", (json_int_t)nmissing[0], "closing",
                  (json_int_t)nmissing[1], "done", "opening", (json_int_t)ndone[0], "closing",
                  (json_int_t)ndone[1], "sites", missing);
    return reply_json(r, 200, o);
}

/* ---- personal data, demo
 * ------------------------------------------------------------ */

static int checklist_export_personal(struct app *app, struct store_conn *c, struct arena *a,
                                     int64_t user_id, json_t **out)
{
    struct checklist_run *runs;
    size_t n;
    int rc = checklist_runs_by(c, a, user_id, &runs, &n);
    if (rc || !n)
        return rc;
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++) {
        char at[40];
        json_array_append_new(
            items,
            json_pack("{s:I, s:I, s:s, s:o, s:s, s:s, s:I}", "id", (json_int_t)runs[i].id,
                      "site_id", (json_int_t)runs[i].site_id, "kind", runs[i].kind, "date",
                      date_json(runs[i].day), "checked_at",
                      clock_format_iso(runs[i].checked_at, app->cfg.tz_offset_min, at, sizeof at),
                      "note", runs[i].note, "failed", (json_int_t)runs[i].failed));
    }
    *out = json_pack("{s:o}", "checks", items);
    return STORE_OK;
}

/* The checks stay (the site's record); who made them goes with the person. */
static int checklist_erase_personal(struct app *app, struct store_conn *c, int64_t user_id)
{
    return checklist_forget_person(c, user_id);
}

/* The demo's checklists, per site type: code, words, the amenity a failed
 * item reports. */
struct demo_item {
    const char *type, *kind, *code, *zh, *en, *amenity;
};

static const struct demo_item demo_items[] = {
    {"community_station", "opening", "clean", "站内清洁整理", "Clean and tidy", NULL},
    {"community_station", "opening", "first_aid", "急救药箱已检查", "First-aid kit checked",
     "first_aid"},
    {"community_station", "opening", "chargers", "充电设备正常", "Chargers working",
     "phone_charging"},
    {"community_station", "opening", "water", "饮水设备正常", "Drinking water working",
     "drinking_water"},
    {"community_station", "opening", "microwave", "微波炉正常", "Microwave working", "microwave"},
    {"community_station", "opening", "notice", "公示信息齐全", "Notices up to date", NULL},
    {"community_station", "closing", "clean", "站内清洁", "Cleaned", NULL},
    {"community_station", "closing", "power", "电器断电", "Appliances switched off", NULL},
    {"community_station", "closing", "supplies", "物资清点", "Supplies counted", NULL},
    {"community_station", "closing", "locked", "门窗已锁", "Doors and windows locked", NULL},
    {"industry_hub", "opening", "clean", "场地清洁整理", "Clean and tidy", NULL},
    {"industry_hub", "opening", "first_aid", "急救药箱已检查", "First-aid kit checked",
     "first_aid"},
    {"industry_hub", "opening", "chargers", "充电设备正常", "Chargers working", "phone_charging"},
    {"industry_hub", "opening", "ev_chargers", "汽车充电桩正常", "EV chargers working",
     "ev_charger"},
    {"industry_hub", "opening", "toilet", "卫生间清洁可用", "Toilet clean and open", "toilet"},
    {"industry_hub", "closing", "clean", "场地清洁", "Cleaned", NULL},
    {"industry_hub", "closing", "power", "电器断电", "Appliances switched off", NULL},
    {"industry_hub", "closing", "locked", "门窗已锁", "Doors and windows locked", NULL},
    {"warm_hut", "opening", "clean", "小屋清洁", "Clean and tidy", NULL},
    {"warm_hut", "opening", "first_aid", "急救药箱已检查", "First-aid kit checked", "first_aid"},
    {"warm_hut", "opening", "chargers", "充电设备正常", "Chargers working", "phone_charging"},
    {"warm_hut", "opening", "microwave", "微波炉正常", "Microwave working", "microwave"},
    {"warm_hut", "closing", "clean", "小屋清洁", "Cleaned", NULL},
    {"warm_hut", "closing", "power", "电器断电", "Appliances switched off", NULL},
    {"canteen", "opening", "hygiene", "食品卫生检查", "Food hygiene checked", NULL},
    {"canteen", "opening", "microwave", "微波炉正常", "Microwave working", "microwave"},
    {"canteen", "closing", "clean", "餐厅清洁", "Cleaned", NULL},
    {"canteen", "closing", "gas", "燃气已关闭", "Gas turned off", NULL},
    {"battery_swap", "opening", "cabinet", "换电柜运行正常", "Swap cabinet working",
     "battery_swap"},
    {"battery_swap", "opening", "fire", "消防器材完好", "Fire extinguishers in place", NULL},
};
#define NDEMO_ITEMS (sizeof demo_items / sizeof demo_items[0])

static int checklist_demo(struct app *app, struct store_conn *c, int *count)
{
    struct arena a;
    arena_init(&a);
    int rc = STORE_OK;
    int64_t now = clock_now();
    *count = 0;
    for (size_t i = 0; !rc && i < NDEMO_ITEMS;) {
        /* One site type's checklist of one kind: demo_items[i..e). */
        size_t e = i;
        while (e < NDEMO_ITEMS && strcmp(demo_items[e].type, demo_items[i].type) == 0 &&
               strcmp(demo_items[e].kind, demo_items[i].kind) == 0)
            e++;
        struct site_type t;
        struct checklist_item *have;
        size_t nhave = 0;
        rc = site_type_get(c, &a, demo_items[i].type, &t);
        if (!rc)
            rc = checklist_items_of(c, &a, t.code, demo_items[i].kind, &have, &nhave);
        if (rc == STORE_NOT_FOUND) {
            rc = STORE_OK; /* the type is gone: nothing to check there */
        } else if (!rc && !nhave) {
            /* A checklist an admin made is kept. */
            struct checklist_item *items = arena_calloc(&a, e - i, sizeof(*items));
            for (size_t k = i; k < e; k++)
                items[k - i] = (struct checklist_item){0,
                                                       t.code,
                                                       demo_items[k].kind,
                                                       (int)(k - i + 1),
                                                       demo_items[k].code,
                                                       demo_items[k].zh,
                                                       demo_items[k].en,
                                                       demo_items[k].amenity};
            size_t bad;
            rc = checklist_replace(c, &a, t.id, demo_items[i].kind, items, e - i, now, &bad);
            *count += !rc;
        }
        i = e;
    }
    int64_t runs = 0;
    if (!rc)
        rc = checklist_demo_runs(c, today_of(app->cfg.tz_offset_min), now, &runs);
    arena_release(&a);
    return rc;
}

/* ---- the module
 * ------------------------------------------------------------------------- */

static const struct route checklist_routes[] = {
    {HTTP_GET, "/api/checklists/{type}", get_checklists, STAFF_AND_ADMINS, BODY_NONE, SCOPE_ANY},
    {HTTP_PUT, "/api/checklists/{type}/{kind}", put_checklist, ACCESS_SYSTEM, BODY_JSON, SCOPE_ANY},
    {HTTP_GET, "/api/sites/{id}/checklists", get_site_checklists, STAFF_AND_ADMINS, BODY_NONE,
     &site_scope_path},
    {HTTP_POST, "/api/sites/{id}/checklists", post_site_checklist, STAFF_AND_ADMINS, BODY_JSON,
     &site_scope_path},
    {HTTP_GET, "/api/regions/{code}/checklists/missing", get_missing, ACCESS_ADMIN, BODY_NONE,
     &region_scope_path},
};

const struct module checklist_module = {
    .name = "checklist",
    .routes = checklist_routes,
    .nroutes = sizeof checklist_routes / sizeof checklist_routes[0],
    .demo = checklist_demo,
    .export_personal = checklist_export_personal,
    .erase_personal = checklist_erase_personal,
};
