/*
 * calendar_http.c - the holiday calendar's routes:
 *   GET    /api/holidays?year=2026        (or from=YYYY-MM-DD&to=YYYY-MM-DD)
 *   PUT    /api/holidays/{date}           (admin) {"kind","as_weekday","name_zh","name_en"}
 *   DELETE /api/holidays/{date}           (admin)
 */
#include <stdio.h>
#include <string.h>

#include "app/app.h"
#include "calendar/calendar.h"
#include "core/clock.h"
#include "http/json_in.h"
#include "store/store.h"

static const char *day_text(struct arena *a, int32_t day)
{
    return arena_printf(a, "%04d-%02d-%02d", day / 10000, day / 100 % 100, day % 100);
}

static json_t *holiday_json(struct arena *a, const struct holiday *h)
{
    return json_pack("{s:s, s:s, s:i, s:s, s:s}", "date", day_text(a, h->day), "kind", h->kind,
                     "as_weekday", h->as_weekday, "name_zh", h->name_zh ? h->name_zh : "",
                     "name_en", h->name_en ? h->name_en : "");
}

static int date_query_or_reply(struct req *r, const char *name, int32_t *out)
{
    const char *v = req_query(r, name);
    if (v && clock_parse_date(v, out))
        return reply_error(r, 400, "invalid_query", name, "%s must be a date like 2026-10-01",
                           name),
               -1;
    return 0;
}

static int list_holidays(struct req *r)
{
    int64_t year;
    int32_t from = 0, to = 0;
    if (req_query_int_or_reply(r, "year", 1900, 9999, 0, &year) ||
        date_query_or_reply(r, "from", &from) || date_query_or_reply(r, "to", &to))
        return r->status;
    if (year) {
        from = (int32_t)year * 10000 + 101;
        to = (int32_t)year * 10000 + 1231;
    }
    if (!from)
        from = 19000101;
    if (!to)
        to = 99991231;
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    struct holiday *hs;
    size_t n;
    int rc = holiday_list(c, &r->arena, from, to, &hs, &n);
    if (rc)
        return reply_store_error(r, rc, "holiday");
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, holiday_json(&r->arena, &hs[i]));
    return reply_json(r, 200, json_pack("{s:o, s:I}", "items", items, "total", (json_int_t)n));
}

static const char *const holiday_fields[] = {"kind", "as_weekday", "name_zh", "name_en", NULL};

static int put_tx(struct store_conn *c, void *h)
{
    return holiday_put(c, h, clock_now());
}

static int put_holiday(struct req *r)
{
    struct holiday h = {0};
    if (clock_parse_date(req_param(r, "date"), &h.day))
        return reply_error(r, 400, "invalid_path", "date", "the date must look like 2026-10-01");
    int64_t wd = 0;
    if (json_in_only_or_reply(r, r->json, NULL, holiday_fields) ||
        json_in_string(r, r->json, NULL, "kind", 16, true, &h.kind) < 0 ||
        json_in_int(r, r->json, NULL, "as_weekday", 0, 7, false, &wd) < 0 ||
        json_in_string(r, r->json, NULL, "name_zh", 200, false, &h.name_zh) < 0 ||
        json_in_string(r, r->json, NULL, "name_en", 200, false, &h.name_en) < 0)
        return r->status;
    if (strcmp(h.kind, "holiday") != 0 && strcmp(h.kind, "workday") != 0)
        return reply_error(r, 422, "invalid_field", "kind", "kind is holiday or workday");
    if (strcmp(h.kind, "holiday") == 0 && wd)
        return reply_error(r, 422, "invalid_field", "as_weekday",
                           "as_weekday applies to make-up workdays only");
    h.as_weekday = (int)wd;
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    int rc = req_tx(r, c, put_tx, &h);
    if (rc)
        return reply_store_error(r, rc, "holiday");
    app_changed(r->app, c, &calendar_module, CALENDAR_CHANGED, 0);
    return reply_json(r, 200, holiday_json(&r->arena, &h));
}

static int delete_holiday(struct req *r)
{
    int32_t day;
    if (clock_parse_date(req_param(r, "date"), &day))
        return reply_error(r, 400, "invalid_path", "date", "the date must look like 2026-10-01");
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    int rc = holiday_delete(c, day);
    if (rc)
        return reply_store_error(r, rc, "holiday");
    app_changed(r->app, c, &calendar_module, CALENDAR_CHANGED, 0);
    return reply_empty(r, 204);
}

static const struct route calendar_routes[] = {
    {HTTP_GET, "/api/holidays", list_holidays, ACCESS_PUBLIC, BODY_NONE, SCOPE_ANY},
    {HTTP_PUT, "/api/holidays/{date}", put_holiday, ACCESS_SYSTEM, BODY_JSON, SCOPE_ANY},
    {HTTP_DELETE, "/api/holidays/{date}", delete_holiday, ACCESS_SYSTEM, BODY_NONE, SCOPE_ANY},
};

static const char *const calendar_changes[] = {"changed", NULL};

const struct module calendar_module = {
    .change_kinds = calendar_changes,
    .name = "calendar",
    .routes = calendar_routes,
    .nroutes = sizeof calendar_routes / sizeof calendar_routes[0],
};
