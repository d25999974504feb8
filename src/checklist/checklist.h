/*
 * checklist.h - the daily opening and closing checks of a station: a
 * checklist per site type and kind (clean, first-aid kit checked,
 * chargers working ...), kept by system admins; staff record today's
 * check at their site, each item ticked or not, with notes. A failed item
 * that names an amenity may report that amenity's fault (the fault
 * module's store API, in the same transaction): the map shows it out of
 * order at once.
 *
 * One check per site, kind and day, decided by a unique key in the
 * INSERT. Region admins see which sites of their subtree skipped a day's
 * checks: a check is due only on a day the site was open (its status and
 * opening hours, with the holiday calendar), the opening check once it
 * has opened, the closing check once it has closed for the day.
 */
#ifndef WH_CHECKLIST_CHECKLIST_H
#define WH_CHECKLIST_CHECKLIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"

struct store_conn;
struct site;
struct hours_calendar;

#define CHECKLIST_MAX_ITEMS 30
#define CHECKLIST_CODE_MAX 32
#define CHECKLIST_LABEL_MAX 120
#define CHECKLIST_NOTE_MAX 500

/* An item of a checklist (or, in a recorded check, as it was then). */
struct checklist_item {
    int64_t id;
    const char *site_type; /* its code */
    const char *kind;      /* opening | closing */
    int position;
    const char *code, *label_zh, *label_en;
    const char *amenity; /* its code, or NULL */
};

/* An item as a check answered it. */
struct checklist_mark {
    int position;
    const char *code, *label_zh, *label_en;
    bool ok;
    const char *note;
    int64_t fault_id; /* 0: none reported */
};

/* A recorded check. */
struct checklist_run {
    int64_t id, site_id;
    const char *kind;
    int32_t day; /* yyyymmdd */
    int64_t checked_by;
    const char *checked_by_name;
    int64_t checked_at;
    const char *note;
    int64_t failed;
    struct checklist_mark *marks;
    size_t nmarks;
};

/* ---- rules (checklist.c) ------------------------------------------------- */

bool checklist_kind_is_valid(const char *kind);
/* [a-z][a-z0-9_]*, at most CHECKLIST_CODE_MAX bytes. */
bool checklist_code_is_valid(const char *code);

/* When the site was open on the local day starting at day_start (86400
 * seconds): *first_open, the first moment it was open (-1: not at all
 * that day), and *last_close, when it closed for the last time that day
 * (day_start + 86400 when it was still open at the day's end). */
void checklist_day_hours(const struct site *s, const struct hours_calendar *cal, int64_t day_start,
                         int tz, int64_t *first_open, int64_t *last_close);
/* Are the day's checks due at now: the opening check once the site has
 * opened, the closing check once it has closed for the day (after the
 * day, both, if it opened at all)? */
void checklist_due(int64_t first_open, int64_t last_close, int64_t now, bool *opening,
                   bool *closing);

/* ---- store (checklist_store.c) --------------------------------------------
 */

/* A site type's items of a kind (kind NULL: both), in order. */
int checklist_items_of(struct store_conn *c, struct arena *a, const char *site_type,
                       const char *kind, struct checklist_item **out, size_t *n);
/* Replace a site type's checklist of a kind; the caller holds a
 * transaction. SITE type and amenity codes are resolved here:
 * STORE_NOT_FOUND for an amenity code nobody knows (*bad: its index). */
int checklist_replace(struct store_conn *c, struct arena *a, int64_t site_type_id, const char *kind,
                      const struct checklist_item *items, size_t n, int64_t now, size_t *bad);
/* How many items each site type's checklists have: rows (type code,
 * kind, count). */
struct checklist_count {
    const char *site_type, *kind;
    int64_t n;
};
int checklist_counts(struct store_conn *c, struct arena *a, struct checklist_count **out,
                     size_t *n);

/* Record a check (run->site_id, kind, day, checked_by, checked_at, note,
 * failed and its marks); sets run->id. STORE_CONFLICT: the site's check of
 * that kind and day is recorded already. The caller holds a transaction. */
int checklist_run_insert(struct store_conn *c, struct arena *a, struct checklist_run *run);
/* A site's checks of a day, with their marks (at most one per kind). */
int checklist_runs_of(struct store_conn *c, struct arena *a, int64_t site_id, int32_t day,
                      struct checklist_run **out, size_t *n);
/* (site id, kind) of every check recorded on day at sites in the subtree
 * of region_path. */
struct checklist_done {
    int64_t site_id;
    const char *kind;
};
int checklist_done_in_region(struct store_conn *c, struct arena *a, const char *region_path,
                             int32_t day, struct checklist_done **out, size_t *n);
/* The checks a person recorded (export), and forgetting who (erase). */
int checklist_runs_by(struct store_conn *c, struct arena *a, int64_t user_id,
                      struct checklist_run **out, size_t *n);
int checklist_forget_person(struct store_conn *c, int64_t user_id);

/* The demo: today's (day) opening checks, all ticked, at about two in
 * three demo sites whose type has an opening checklist; *n: how many. */
int checklist_demo_runs(struct store_conn *c, int32_t day, int64_t now, int64_t *n);

/* ---- module (checklist_http.c) --------------------------------------------
 */

struct module;
extern const struct module checklist_module;

#endif
