/*
 * calendar.h - the admin-maintained holiday calendar: China's public
 * holidays and make-up working days (调休), announced yearly, so kept as
 * data. A make-up working day follows the rules of the weekday it stands
 * for (as_weekday, 1=Mo..7=Su; 0 means Monday).
 */
#ifndef WH_CALENDAR_CALENDAR_H
#define WH_CALENDAR_CALENDAR_H

#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "hours/hours.h"

struct store_conn;

struct holiday {
    int32_t day;      /* yyyymmdd */
    const char *kind; /* "holiday" | "workday" */
    int as_weekday;
    const char *name_zh;
    const char *name_en;
};

/* Days between from and to (yyyymmdd, inclusive) in date order. */
int holiday_list(struct store_conn *c, struct arena *a, int32_t from, int32_t to,
                 struct holiday **out, size_t *n);
/* Insert or replace one day, inside the caller's transaction. */
int holiday_put(struct store_conn *c, const struct holiday *h, int64_t now);
int holiday_delete(struct store_conn *c, int32_t day);

/* The calendar as the opening-hours engine wants it, for the days around
 * Unix time t (from a week before to 400 days after), in the arena. */
int calendar_load(struct store_conn *c, struct arena *a, int64_t t, int tz_offset_min,
                  struct hours_calendar *out);

/* ---- module (calendar_http.c) ---------------------------------------- */

struct module;
extern const struct module calendar_module;
/* Its change kinds: a holiday or make-up workday was set or removed. */
enum calendar_change { CALENDAR_CHANGED };

#endif
