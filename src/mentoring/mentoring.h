/*
 * mentoring.h - livestreamer mentoring: a host's session metrics (typed in
 * or imported from a platform's CSV export), dashboards that set each
 * figure beside the median of hosts in the same category and flag sessions
 * that fall under the host's own recent baseline, mentors assigned to
 * hosts who review sessions, and one-to-ones booked through the capacity
 * engine (offerings of kind "mentoring", one per mentor).
 *
 * Who sees what: a host sees their own data; a mentor sees the data of the
 * hosts assigned to them and of no one else; system admins see all. An
 * admin assigns hosts to mentors (a region admin only mentors whose mentor
 * grant lies in a region they administer).
 *
 * The baseline (mentoring_flag_sessions): a session is flagged on a figure
 * (viewers, orders, GMV) when at least MENTORING_BASELINE_MIN sessions came
 * before it and its value is below MENTORING_BASELINE_RATIO times the
 * median of that figure over the previous MENTORING_BASELINE_SESSIONS
 * sessions (fewer when there are fewer).
 */
#ifndef WH_MENTORING_MENTORING_H
#define WH_MENTORING_MENTORING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"

struct store_conn;

#define MENTORING_BASELINE_SESSIONS 10
#define MENTORING_BASELINE_MIN 3
#define MENTORING_BASELINE_RATIO 0.7
#define MENTORING_IMPORT_MAX_ROWS 2000 /* sessions in one upload */
#define MENTORING_ERRORS_MAX 50        /* errors listed in one answer */
#define MENTORING_COLUMN_MAX 64        /* bytes of a platform's column name */
#define MENTORING_PLATFORM_MAX 32
#define MENTORING_COLUMNS_MAX 32 /* column names mapped for one platform */
#define MENTORING_TEXT_MAX 2000  /* a review's summary */
#define MENTORING_ADVICE_MAX 10  /* advice items in a review */
#define MENTORING_ADVICE_ITEM_MAX 300
#define MENTORING_DAYS_MAX 366 /* a dashboard's range */
#define MENTORING_COUNT_MAX 1000000000LL
#define MENTORING_GMV_MAX_FEN 100000000000LL /* a billion yuan */
#define MENTORING_DURATION_MAX_S (48 * 3600)

/* The figures of a session, as the column mapping names them. */
enum mentoring_field {
    MF_START,
    MF_DURATION,
    MF_VIEWERS,
    MF_PEAK,
    MF_FOLLOWERS,
    MF_ORDERS,
    MF_GMV,
    MF_CONVERSION,
    MF_COUNT
};

struct mentoring_session {
    int64_t id, host_id;
    int64_t starts_at;  /* Unix seconds */
    int64_t duration_s; /* > 0 */
    int64_t viewers, peak, new_followers, orders;
    int64_t gmv_fen;       /* 1/100 yuan */
    int64_t conversion_bp; /* 1/100 percent, 0..10000 */
    const char *source;    /* "manual" or the platform's code */
    int64_t created_at;
};

/* A platform's mapping: column name -> field. */
struct mentoring_mapping {
    const char *platform;
    size_t n;
    const char **sources;
    enum mentoring_field *fields;
};

struct mentoring_review {
    int64_t id, session_id, mentor_id, host_id;
    const char *summary;
    const char *advice; /* items separated by '\n' */
    const char *mentor_name;
    int64_t created_at, session_starts_at;
};

struct mentoring_host {
    int64_t user_id;
    const char *name;
    const char *category; /* NULL: not set yet */
    int64_t mentor_id;    /* 0: none */
    const char *mentor_name;
    int64_t sessions, last_starts_at;
};

/* ---- rules (mentoring.c): no HTTP, no SQL ---------------------------- */

/* "start" ... "conversion" <-> enum; -1 / NULL when unknown. */
int mentoring_field_by_name(const char *name);
const char *mentoring_field_name(enum mentoring_field f);
/* Categories hosts are compared within: "apparel", "food", ... */
bool mentoring_category_is_valid(const char *s);
const char *mentoring_categories_text(void); /* "apparel, food, ..." */
extern const char *const mentoring_categories[];
extern const size_t mentoring_category_count;
/* A platform code: [a-z][a-z0-9_]*, at most MENTORING_PLATFORM_MAX. */
bool mentoring_platform_is_valid(const char *s);

/* Readers of one cell as the platforms write it. Each returns 0 and sets
 * *out, or -1 when the text is not such a value (or is out of range).
 * start: "2026-05-01", "2026/5/1 20:00", "2026-05-01 20:00:00" local
 * (tz_offset_min) time. duration: seconds from "02:30:00", "2:30",
 * "150" (minutes), "2小时30分", "2h30m". count: "12345", "12,345",
 * "1.2万" (whole numbers only). money: fen from "1234.5", "¥1,234.50",
 * "1.5万" (yuan). percent: basis points from "2.35%" or "2.35". */
int mentoring_parse_start(const char *s, int tz_offset_min, int64_t *out);
int mentoring_parse_duration(const char *s, int64_t *out);
int mentoring_parse_count(const char *s, int64_t *out);
int mentoring_parse_money(const char *s, int64_t *out);
int mentoring_parse_percent(const char *s, int64_t *out);

/* Conversion in basis points when the export does not give it: orders per
 * viewer, at most 10000; 0 without viewers. */
int64_t mentoring_conversion_bp(int64_t orders, int64_t viewers);

/* Check a session typed in or read from a row: 0, or -1 with *field set
 * to the field at fault and *why to a stable code ("invalid_field"). */
int mentoring_session_check(const struct mentoring_session *s, enum mentoring_field *field);

/* One problem with an upload. */
struct mentoring_import_error {
    size_t row;         /* 1-based record number, the header being 1; 0: the file */
    const char *column; /* the column's name as the file has it; NULL: none */
    const char *code;   /* stable: invalid_csv, missing_column, invalid_value ... */
    const char *message;
};

struct mentoring_import {
    struct mentoring_session *sessions; /* arena */
    size_t n;
    struct mentoring_import_error *errors; /* arena, at most MENTORING_ERRORS_MAX */
    size_t nerrors;
    bool truncated; /* more errors than listed */
};

/* Read a platform's CSV export with its mapping into sessions (host_id,
 * source left to the caller). Every row is checked; out->nerrors > 0
 * means nothing may be stored. A column the mapping does not know is
 * ignored; every field but conversion must have a column (conversion is
 * computed when missing); two columns for one field are an error. Never
 * fails otherwise; everything is allocated from a. */
void mentoring_import_parse(struct arena *a, const char *data, size_t len,
                            const struct mentoring_mapping *m, int tz_offset_min,
                            struct mentoring_import *out);

/* The median of v[0..n) (sorted in place); 0 when n == 0. */
double mentoring_median(double *v, size_t n);

/* Figures the baseline watches. */
enum mentoring_watch { MW_VIEWERS = 1 << 0, MW_ORDERS = 1 << 1, MW_GMV = 1 << 2 };
/* For sessions s[0..n) in order of start, the figures under the baseline
 * (enum mentoring_watch bits) into low[i], and the baseline GMV (fen) and
 * viewers into base_gmv[i] / base_viewers[i] (0 without a baseline). */
void mentoring_flag_sessions(const struct mentoring_session *s, size_t n, unsigned *low,
                             double *base_gmv, double *base_viewers);

/* ---- store (mentoring_store.c) --------------------------------------- */

int mentoring_mapping_list(struct store_conn *c, struct arena *a, struct mentoring_mapping **out,
                           size_t *n);
/* STORE_NOT_FOUND: no such platform. */
int mentoring_mapping_get(struct store_conn *c, struct arena *a, const char *platform,
                          struct mentoring_mapping *out);
/* Replace a platform's whole mapping (inside the caller's transaction). */
int mentoring_mapping_put(struct store_conn *c, const struct mentoring_mapping *m);

/* The host's profile, mentor and counts; STORE_NOT_FOUND: no such user. */
int mentoring_host_get(struct store_conn *c, struct arena *a, int64_t user_id,
                       struct mentoring_host *out);
int mentoring_host_set_category(struct store_conn *c, int64_t user_id, const char *category,
                                int64_t now);
/* The hosts assigned to a mentor (mentor_id 0: every host with a profile
 * or a mentor), by name. */
int mentoring_host_list(struct store_conn *c, struct arena *a, int64_t mentor_id,
                        struct mentoring_host **out, size_t *n);
/* The host's mentor, 0 for none. */
int mentoring_mentor_of(struct store_conn *c, struct arena *a, int64_t host_id, int64_t *mentor_id);
int mentoring_assign(struct store_conn *c, int64_t host_id, int64_t mentor_id, int64_t by,
                     int64_t now);
/* STORE_NOT_FOUND: the host had no mentor. */
int mentoring_unassign(struct store_conn *c, int64_t host_id);

/* Insert sessions (inside the caller's transaction): STORE_CONFLICT on
 * the first that has the start of one already stored; *at gets its index. */
int mentoring_session_insert_all(struct store_conn *c, struct arena *a, struct mentoring_session *s,
                                 size_t n, int64_t now, size_t *at);
int mentoring_session_get(struct store_conn *c, struct arena *a, int64_t id,
                          struct mentoring_session *out);
/* A host's sessions starting in [from, to), earliest first. */
int mentoring_session_list(struct store_conn *c, struct arena *a, int64_t host_id, int64_t from,
                           int64_t to, struct mentoring_session **out, size_t *n);
/* Sessions in [from, to) of every host in the category, by host then
 * start (for the category's medians). */
int mentoring_session_list_category(struct store_conn *c, struct arena *a, const char *category,
                                    int64_t from, int64_t to, struct mentoring_session **out,
                                    size_t *n);

int mentoring_review_insert(struct store_conn *c, struct arena *a, struct mentoring_review *v,
                            int64_t now);
/* A host's reviews, newest first. */
int mentoring_review_list(struct store_conn *c, struct arena *a, int64_t host_id,
                          struct mentoring_review **out, size_t *n);

/* The mentor's one-to-one offering, made on first use (kind mentoring). */
int mentoring_offering_ensure(struct store_conn *c, struct arena *a, int64_t mentor_id,
                              const char *mentor_name, int64_t now, int64_t *offering_id);
/* The mentor whose offering the slot belongs to; STORE_NOT_FOUND: the
 * slot is not a one-to-one. */
int mentoring_slot_mentor(struct store_conn *c, struct arena *a, int64_t slot_id,
                          int64_t *mentor_id);
/* One-to-one slots of a mentor starting at or after from, with who holds
 * each (0: free). */
struct mentoring_slot {
    int64_t slot_id, site_id, starts_at, ends_at, capacity, taken;
    const char *state;
    int64_t booking_id, host_id;
    const char *host_name;
    const char *site_name_zh, *site_name_en;
};
int mentoring_slot_list(struct store_conn *c, struct arena *a, int64_t mentor_id, int64_t from,
                        struct mentoring_slot **out, size_t *n);

/* Personal data (PIPL): export and erase a person's sessions and reviews. */
int mentoring_erase_user(struct store_conn *c, int64_t user_id);

/* ---- demo (mentoring_demo.c) ----------------------------------------- */

struct app;
int mentoring_demo(struct app *app, struct store_conn *c, int *count);

/* ---- module (mentoring_http.c) ---------------------------------------- */

struct module;
extern const struct module mentoring_module;
enum mentoring_change {
    MENTORING_SESSIONS, /* "sessions": a host's sessions; id is the host */
    MENTORING_REVIEW,   /* "review": id is the review */
    MENTORING_ASSIGNED, /* "assigned": id is the host */
};

#endif
