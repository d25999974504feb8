/*
 * clock.h - wall-clock time and ISO-8601 text, without the C library's
 * time zone machinery (no TZ, no locale, thread-safe).
 *
 * Times are Unix seconds (int64). Local time is a fixed UTC offset in
 * minutes: China has had no daylight saving since 1991, so +480 is exact
 * for Asia/Shanghai.
 */
#ifndef WH_CORE_CLOCK_H
#define WH_CORE_CLOCK_H

#include <stddef.h>
#include <stdint.h>

#define CLOCK_CHINA_OFFSET_MIN 480

int64_t clock_now_ms(void);
int64_t clock_now(void);
/* Move the wall clock (clock_now, clock_now_ms) forward by seconds, for
 * tests of what happens later: offers that expire, slots that pass. Only
 * the system module's test route calls it (WARMHARBOR_TEST_CLOCK=1). */
void clock_advance(int64_t seconds);
/* Monotonic microseconds, for measuring durations. */
int64_t clock_mono_us(void);

/* Days since 1970-01-01 of a proleptic Gregorian date, and back. */
int64_t clock_days_from_civil(int y, int m, int d);
void clock_civil_from_days(int64_t days, int *y, int *m, int *d);

/* Format t as "2026-11-29T08:00:00+08:00" (or "...Z" for offset 0) into
 * buf; returns buf. cap must be at least 26. */
char *clock_format_iso(int64_t t, int offset_min, char *buf, size_t cap);

/* Parse an ISO-8601 date-time: "YYYY-MM-DDTHH:MM[:SS[.fff]]" followed by
 * "Z" or "+HH:MM"/"-HH:MM"; without a zone, default_offset_min applies.
 * A space may stand for the "T". Returns 0 and sets *out, or -1. */
int clock_parse_iso(const char *s, int default_offset_min, int64_t *out);

/* Parse a plain date "YYYY-MM-DD" into yyyymmdd; 0 or -1. */
int clock_parse_date(const char *s, int32_t *yyyymmdd);

#endif
