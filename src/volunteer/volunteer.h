/*
 * volunteer.h - courier volunteer squads of a street (over 1,200 couriers
 * of Haizhou District joined one): their members, their activities with
 * shifts, the hours a leader records and confirms, and an hours
 * certificate a volunteer can print.
 *
 * A squad belongs to a street (a region of level "street"). Its leader is
 * a column of the squad, not a role grant: the leader manages this squad
 * (its activities, check-in and check-out, confirming hours) and nothing
 * else. Region admins whose grant reaches the street, and system admins,
 * manage it too (volunteer_http.c: manage_or_reply, after the object's
 * squad was found from the path's id).
 *
 * Activities use the booking engine: an activity is an offering (kind
 * "other", inactive for the generic POST /api/bookings, which would skip
 * the membership and no-show checks), each shift one of its slots, so
 * places, the waitlist and no-shows (the booking tick) are the engine's.
 * Sign-up is POST /api/volunteer/shifts/{id}/signup, which checks the
 * membership and the no-show pause and then books inside its own
 * transaction.
 *
 * Hours: the leader scans the volunteer's personal QR at check-in (the
 * booking is checked in; an hours row is made) and at check-out (minutes
 * from check-in to check-out, capped by the shift's length, rounded down
 * to whole quarter hours), then confirms them, which awards points
 * (points_award, reason "volunteer_hour") in the same transaction.
 */
#ifndef WH_VOLUNTEER_VOLUNTEER_H
#define WH_VOLUNTEER_VOLUNTEER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"

struct store_conn;

#define VOLUNTEER_NAME_MAX 100
#define VOLUNTEER_SHIFTS_MAX 50
#define VOLUNTEER_POINTS_PER_HOUR 10  /* base points of an hour, before the rule */
#define VOLUNTEER_QUARTER_S (15 * 60) /* hours are counted in quarter hours */
#define VOLUNTEER_NO_SHOW_WINDOW_S (90 * 86400)
#define VOLUNTEER_NO_SHOW_LIMIT 2      /* no-shows within the window ... */
#define VOLUNTEER_PAUSE_S (30 * 86400) /* ... pause sign-ups this long */

struct squad {
    int64_t id, region_id;
    const char *region_code, *region_name_zh, *region_name_en;
    const char *name_zh, *name_en;
    int64_t leader_id; /* 0: none */
    const char *leader_name;
    int64_t members;
    bool is_demo;
    int64_t created_at;
};

struct squad_member {
    int64_t user_id;
    const char *display_name;
    int64_t joined_at;
};

struct activity {
    int64_t id, squad_id, offering_id, site_id;
    const char *title_zh, *title_en, *description_zh, *description_en;
    bool waitlist;
    int64_t created_at;
};

struct shift {
    int64_t id, site_id, starts_at, ends_at, capacity, taken, waiting;
    const char *state;
};

struct hours {
    int64_t id, booking_id, slot_id, squad_id, user_id;
    int64_t checked_in_at, checked_in_by, checked_out_at, checked_out_by;
    int64_t minutes; /* -1 until checked out */
    int64_t confirmed_at, confirmed_by, points;
    const char *display_name; /* rosters */
    const char *squad_name_zh, *squad_name_en;
    int64_t starts_at, ends_at; /* its shift */
};

struct squad_total {
    int64_t squad_id;
    const char *name_zh, *name_en;
    int64_t minutes;
};

/* ---- rules (volunteer.c): no HTTP, no SQL ----------------------------- */

/* Minutes of a shift worked from checked_in to checked_out: at most the
 * shift's length, rounded down to whole quarter hours; 0 when out is not
 * after in. */
int64_t volunteer_minutes(int64_t checked_in, int64_t checked_out, int64_t starts_at,
                          int64_t ends_at);
/* Base points of minutes: VOLUNTEER_POINTS_PER_HOUR an hour, by quarter. */
int64_t volunteer_points_base(int64_t minutes);
/* Until when sign-ups are paused, given the ends of the person's no-show
 * shifts (any order): VOLUNTEER_NO_SHOW_LIMIT of them within
 * VOLUNTEER_NO_SHOW_WINDOW_S pause sign-ups for VOLUNTEER_PAUSE_S from the
 * last one. 0 when not paused at now. */
int64_t volunteer_pause_until(const int64_t *no_shows, size_t n, int64_t now);
/* A certificate's verification code from random bytes (12 characters of
 * an alphabet without look-alikes), into out (13 bytes). */
void volunteer_code(const unsigned char random[12], char out[13]);
/* Append s to buf as HTML text (& < > " ' escaped); buf is a struct strbuf. */
struct strbuf;

/* ---- store (volunteer_store.c) ------------------------------------------ */

int squad_insert(struct store_conn *c, struct arena *a, struct squad *s, int64_t now);
int squad_get(struct store_conn *c, struct arena *a, int64_t id, struct squad *out);
/* Squads of a street (0: every street). */
int squad_list(struct store_conn *c, struct arena *a, int64_t region_id, struct squad **out,
               size_t *n);
int squad_delete_demo(struct store_conn *c);
/* STORE_CONFLICT: a member already. */
int member_add(struct store_conn *c, int64_t squad_id, int64_t user_id, int64_t now);
/* STORE_NOT_FOUND: not a member. */
int member_remove(struct store_conn *c, int64_t squad_id, int64_t user_id);
int member_is(struct store_conn *c, struct arena *a, int64_t squad_id, int64_t user_id, bool *yes);
int member_list(struct store_conn *c, struct arena *a, int64_t squad_id, struct squad_member **out,
                size_t *n);
/* The person's squads. */
int squads_of_user(struct store_conn *c, struct arena *a, int64_t user_id, struct squad **out,
                   size_t *n);

int activity_insert(struct store_conn *c, struct arena *a, struct activity *v, int64_t by);
int activity_get(struct store_conn *c, struct arena *a, int64_t id, struct activity *out);
int activity_by_offering(struct store_conn *c, struct arena *a, int64_t offering_id,
                         struct activity *out);
int activity_list(struct store_conn *c, struct arena *a, int64_t squad_id, struct activity **out,
                  size_t *n);
int shift_list(struct store_conn *c, struct arena *a, int64_t offering_id, struct shift **out,
               size_t *n);

/* Ends of the person's no-show shifts of volunteer activities after since. */
int volunteer_no_shows(struct store_conn *c, struct arena *a, int64_t user_id, int64_t since,
                       int64_t **ends, size_t *n);
/* The person's booking of a slot that is confirmed or checked in:
 * STORE_NOT_FOUND when none. */
int volunteer_booking_of(struct store_conn *c, struct arena *a, int64_t slot_id, int64_t user_id,
                         int64_t *booking_id, const char **state);

/* Insert the hours row at check-in; STORE_CONFLICT: checked in already. */
int hours_insert(struct store_conn *c, struct arena *a, struct hours *h);
int hours_get(struct store_conn *c, struct arena *a, int64_t id, struct hours *out);
int hours_by_booking(struct store_conn *c, struct arena *a, int64_t booking_id, struct hours *out);
/* One statement each, only from the state before: STORE_CONFLICT if not. */
int hours_check_out(struct store_conn *c, int64_t id, int64_t at, int64_t by, int64_t minutes);
int hours_confirm(struct store_conn *c, int64_t id, int64_t by, int64_t now, int64_t points);
int hours_of_slot(struct store_conn *c, struct arena *a, int64_t slot_id, struct hours **out,
                  size_t *n);
int hours_of_user(struct store_conn *c, struct arena *a, int64_t user_id, struct hours **out,
                  size_t *n);
/* Confirmed minutes of the person by squad. */
int hours_totals(struct store_conn *c, struct arena *a, int64_t user_id, struct squad_total **out,
                 size_t *n);

int certificate_insert(struct store_conn *c, const char *code, int64_t user_id,
                       int64_t total_minutes, const char *squads_json, int64_t now);
/* The certificate and its person's display name. */
int certificate_get(struct store_conn *c, struct arena *a, const char *code, int64_t *user_id,
                    const char **display_name, int64_t *total_minutes, const char **squads_json,
                    int64_t *issued_at);
/* The person's latest certificate's code and total (NULL: none). */
int certificate_latest(struct store_conn *c, struct arena *a, int64_t user_id, const char **code,
                       int64_t *total_minutes, int64_t *issued_at);

/* Erase a person's volunteering (PIPL): hours, memberships, certificates;
 * squads they led keep going without a leader. */
int volunteer_erase_user(struct store_conn *c, int64_t user_id);

/* ---- demo (volunteer_demo.c) --------------------------------------------- */

struct app;
int volunteer_demo(struct app *app, struct store_conn *c, int *count);

/* ---- module (volunteer_http.c) --------------------------------------------
 */

struct module;
extern const struct module volunteer_module;
enum volunteer_change {
    VOLUNTEER_SQUAD,    /* "squad": created, joined, left */
    VOLUNTEER_ACTIVITY, /* "activity": created */
    VOLUNTEER_HOURS,    /* "hours": checked in, out, confirmed */
};

#endif
