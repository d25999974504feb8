/*
 * calendar_store.c - SQL for the holiday calendar, and its conversion to
 * the opening-hours engine's struct hours_calendar.
 */
#include <string.h>

#include "calendar/calendar.h"
#include "core/clock.h"
#include "store/store.h"

static const char sql_list[] = "SELECT day, kind, as_weekday, name_zh, name_en FROM holidays"
                               " WHERE day BETWEEN $1 AND $2 ORDER BY day";
static const char sql_delete_day[] = "DELETE FROM holidays WHERE day = $1";
static const char sql_insert_day[] =
    "INSERT INTO holidays (day, kind, as_weekday, name_zh, name_en, updated_at)"
    " VALUES ($1, $2, $3, $4, $5, $6)";
static const char sql_delete[] = "DELETE FROM holidays WHERE day = $1";

int holiday_list(struct store_conn *c, struct arena *a, int32_t from, int32_t to,
                 struct holiday **out, size_t *n)
{
    struct store_val p[] = {SV_INT(from), SV_INT(to)};
    struct store_rows rows;
    int rc = store_query(c, a, sql_list, p, 2, &rows);
    if (rc)
        return rc;
    *n = rows.nrows;
    *out = arena_calloc(a, rows.nrows + 1, sizeof(**out));
    for (size_t i = 0; i < rows.nrows; i++) {
        struct holiday *h = &(*out)[i];
        h->day = (int32_t)store_int(&rows, i, 0);
        h->kind = store_text(&rows, i, 1);
        h->as_weekday = (int)store_int(&rows, i, 2);
        h->name_zh = store_text(&rows, i, 3);
        h->name_en = store_text(&rows, i, 4);
    }
    return STORE_OK;
}

/* Replace = delete + insert: portable without engine-specific upserts.
 * The caller holds a transaction. */
int holiday_put(struct store_conn *c, const struct holiday *h, int64_t now)
{
    struct store_val d[] = {SV_INT(h->day)};
    struct store_val p[] = {SV_INT(h->day),
                            SV_TEXT(h->kind),
                            SV_INT(h->as_weekday),
                            SV_TEXT(h->name_zh ? h->name_zh : ""),
                            SV_TEXT(h->name_en ? h->name_en : ""),
                            SV_INT(now)};
    int rc = store_exec(c, sql_delete_day, d, 1, NULL);
    if (!rc)
        rc = store_exec(c, sql_insert_day, p, 6, NULL);
    return rc;
}

int holiday_delete(struct store_conn *c, int32_t day)
{
    struct store_val p[] = {SV_INT(day)};
    int64_t n = 0;
    int rc = store_exec(c, sql_delete, p, 1, &n);
    return rc ? rc : n ? STORE_OK : STORE_NOT_FOUND;
}

static int32_t yyyymmdd_at(int64_t t, int tz_offset_min, int64_t shift_days)
{
    int64_t local = t + (int64_t)tz_offset_min * 60;
    int64_t days = (local >= 0 ? local / 86400 : (local - 86399) / 86400) + shift_days;
    int y, m, d;
    clock_civil_from_days(days, &y, &m, &d);
    return y * 10000 + m * 100 + d;
}

int calendar_load(struct store_conn *c, struct arena *a, int64_t t, int tz_offset_min,
                  struct hours_calendar *out)
{
    struct holiday *hs;
    size_t n;
    int rc = holiday_list(c, a, yyyymmdd_at(t, tz_offset_min, -7),
                          yyyymmdd_at(t, tz_offset_min, 400), &hs, &n);
    if (rc)
        return rc;
    struct hours_day *days = arena_calloc(a, n + 1, sizeof(*days));
    for (size_t i = 0; i < n; i++) {
        days[i].date = hs[i].day;
        days[i].kind = strcmp(hs[i].kind, "holiday") == 0 ? HOURS_DAY_HOLIDAY : HOURS_DAY_WORKDAY;
        days[i].as_weekday = (uint8_t)hs[i].as_weekday;
    }
    out->days = days;
    out->n = n;
    return STORE_OK;
}
