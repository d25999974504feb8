/*
 * fair.h - the monthly "Red Charm · Couriers" fair (红色魅力·小哥集市): a day
 * at a hub where about eighteen booths (haircut, health check, legal
 * advice, social security, phone repair ...) serve new-employment workers,
 * each with a walk-in queue.
 *
 * A worker takes a number for a booth on the phone, or staff take one at a
 * kiosk for someone without a phone. Staff of the fair's site call the
 * next number, skip one who does not come, and mark one done; the person
 * may cancel their own. Everyone sees the "now serving" board, live on
 * every node: each queue change is announced (FAIR_QUEUE, the booth's id)
 * and the module's `changed` hook pushes the booth's new line to the
 * fair's event stream.
 *
 * Numbers: one UPDATE of the booth's last_number whose RETURNING row
 * decides, then the ticket's INSERT, in one transaction: they never repeat
 * or skip, on SQLite and PostgreSQL alike.
 */
#ifndef WH_FAIR_FAIR_H
#define WH_FAIR_FAIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"

struct store_conn;

#define FAIR_TITLE_MAX 200
#define FAIR_NAME_MAX 100
#define FAIR_ORG_MAX 200
#define FAIR_KIOSK_NAME_MAX 60
#define FAIR_MAX_BOOTHS 60
/* How long a fair may last, and how many minutes a booth may say one
 * person takes. */
#define FAIR_MAX_SECONDS (24 * 3600)
#define FAIR_MAX_SERVICE_MIN 240
/* The board shows this many waiting numbers per booth ("next"). */
#define FAIR_BOARD_NEXT 5
/* Wait estimates: the mean of a booth's last FAIR_MEASURE_LAST service
 * times, once it has at least FAIR_MEASURE_MIN of them. */
#define FAIR_MEASURE_LAST 5
#define FAIR_MEASURE_MIN 3
/* How long after its end a closed fair's board stays live. */
#define FAIR_BOARD_AFTER_S (6 * 3600)

/* A store result of the take: the fair is not open, or the booth takes no
 * new numbers (the caller reads which). */
#define FAIR_NOT_TAKING 110

struct fair {
    int64_t id;
    int64_t site_id;
    const char *title_zh, *title_en;
    int64_t starts_at, ends_at; /* Unix seconds */
    const char *state;          /* scheduled | open | closed | cancelled */
    bool is_demo;
    int64_t created_by; /* 0: the demo, or an erased account */
    int64_t created_at, updated_at;
    int64_t nbooths; /* in lists */
};

struct fair_booth {
    int64_t id;
    int64_t fair_id;
    int64_t sort_order;
    const char *name_zh, *name_en;
    const char *organization;
    int64_t avg_service_min;
    bool has_offering;
    int64_t offering_id;
    bool is_open;
    int64_t last_number; /* the last number handed out; 0 before any */
};

struct fair_ticket {
    int64_t id;
    int64_t fair_id;
    int64_t booth_id;
    int64_t site_id; /* the fair's */
    int64_t number;
    int64_t user_id;                          /* 0: taken at a kiosk (or the account was erased) */
    const char *name;                         /* kiosk: what to call the person; NULL otherwise */
    const char *state;                        /* waiting | called | done | skipped | cancelled */
    int64_t taken_by;                         /* staff at the kiosk; 0 when taken on the phone */
    int64_t taken_at, called_at, finished_at; /* 0 while not yet */
    int64_t handled_by;
    int64_t ahead; /* waiting numbers before it in its booth */
    const char *booth_name_zh, *booth_name_en;
    int64_t avg_service_min; /* its booth's */
};

/* How long one person takes at a booth, and where the figure comes from. */
struct fair_estimate {
    int64_t per_person_min;
    const char *basis; /* "measured" | "booth_average" */
};

/* ---- rules (fair.c) --------------------------------------------------- */

bool fair_state_is_valid(const char *state);
/* May a fair go from one state to another? scheduled -> open | cancelled,
 * open -> closed | cancelled, closed -> open (opened again by mistake or
 * for late-comers). Cancelled is final; the same state is no change. */
bool fair_state_change_ok(const char *from, const char *to);
bool fair_ticket_state_is_valid(const char *state);
/* Is the ticket still in its queue (waiting or being served)? */
bool fair_ticket_is_active(const char *state);

/* May the fair's board still change, so that a live stream of it is worth
 * keeping? Scheduled and open fairs: yes; a closed one until
 * FAIR_BOARD_AFTER_S after its end (the numbers left at closing time are
 * still served); a cancelled one: no. */
bool fair_board_is_live(const struct fair *f, int64_t now);

/* The minutes one person takes at a booth: the mean of the recent service
 * times durations_s (seconds, newest first, n of them) when there are at
 * least FAIR_MEASURE_MIN, rounded to the nearest minute and at least one;
 * else the booth's stated average. */
struct fair_estimate fair_estimate(int64_t avg_service_min, const int64_t *durations_s, size_t n);
/* Estimated minutes until a person with `ahead` numbers before them is
 * called: ahead x minutes per person (0 when nobody is ahead). */
int64_t fair_wait_min(int64_t ahead, const struct fair_estimate *e);

/* The day of the month (22..31) of the last Sunday of year-month. */
int fair_last_sunday(int year, int month);
/* The demo fair's window: the last Sunday of the month of `now` (local
 * time at offset_min), or of the next month when that Sunday has passed,
 * from 09:00 to 16:00 local time. */
void fair_demo_window(int64_t now, int offset_min, int64_t *starts_at, int64_t *ends_at);

/* ---- store (fair_store.c) --------------------------------------------- */

/* Insert f (title, site, times, state, is_demo, created_*); sets f->id.
 * STORE_CONFLICT when the site does not exist. */
int fair_insert(struct store_conn *c, struct arena *a, struct fair *f);
int fair_get(struct store_conn *c, struct arena *a, int64_t id, struct fair *out);
/* Fairs, the latest first; site_id 0 and state NULL for all. */
int fair_list(struct store_conn *c, struct arena *a, int64_t site_id, const char *state,
              int64_t limit, int64_t offset, struct fair **out, size_t *n, int64_t *total);
/* Store f's title, times and state, in one statement that decides: the
 * state must still be from_state (STORE_CONFLICT when someone changed it
 * meanwhile). */
int fair_update(struct store_conn *c, const struct fair *f, const char *from_state, int64_t now);

/* Insert b into its fair (b->fair_id); sets b->id. */
int fair_booth_insert(struct store_conn *c, struct arena *a, struct fair_booth *b, int64_t now);
/* Booth booth_id of fair fair_id: STORE_NOT_FOUND when it is another
 * fair's booth (or none). */
int fair_booth_get(struct store_conn *c, struct arena *a, int64_t fair_id, int64_t booth_id,
                   struct fair_booth *out);
/* The fair's booths in board order. */
int fair_booth_list(struct store_conn *c, struct arena *a, int64_t fair_id, struct fair_booth **out,
                    size_t *n);
int fair_booth_update(struct store_conn *c, const struct fair_booth *b, int64_t now);
/* The fair a booth belongs to (for the change hook). */
int fair_booth_fair(struct store_conn *c, struct arena *a, int64_t booth_id, int64_t *fair_id);

/* Take the booth's next number for t (t->fair_id, booth_id, user_id, name,
 * taken_by, taken_at) and insert the ticket; sets t->id, number, state.
 * The caller holds a transaction (req_tx). FAIR_NOT_TAKING: the fair is
 * not open or the booth takes no numbers; STORE_CONFLICT: the person
 * already has a number in this booth's queue. */
int fair_ticket_take(struct store_conn *c, struct arena *a, struct fair_ticket *t);
/* A ticket with its fair's site, its booth's names and the waiting
 * numbers ahead of it. */
int fair_ticket_get(struct store_conn *c, struct arena *a, int64_t id, struct fair_ticket *out);
/* Call the booth's lowest waiting number; *id gets the ticket. The caller
 * holds a transaction: the booth's row is touched first so two callers
 * take turns. STORE_NOT_FOUND: nobody is waiting. */
int fair_ticket_call_next(struct store_conn *c, struct arena *a, int64_t booth_id, int64_t by,
                          int64_t now, int64_t *id);
enum fair_ticket_action { FAIR_SKIP, FAIR_DONE, FAIR_CANCEL };
/* Skip (waiting or called), finish (called) or cancel (waiting or called)
 * a ticket, in one statement that decides: STORE_CONFLICT when the ticket
 * is not in a state the action applies to. */
int fair_ticket_finish(struct store_conn *c, int64_t id, enum fair_ticket_action action, int64_t by,
                       int64_t now);
/* A person's numbers, newest first. */
int fair_ticket_list_user(struct store_conn *c, struct arena *a, int64_t user_id, int64_t limit,
                          struct fair_ticket **out, size_t *n);
/* A booth's tickets in number order; state NULL for those in the queue
 * (waiting or called). */
int fair_ticket_list_booth(struct store_conn *c, struct arena *a, int64_t booth_id,
                           const char *state, int64_t limit, struct fair_ticket **out, size_t *n);

/* The board's figures for a fair's booths (booth_id 0) or one booth. */
struct fair_board_row {
    int64_t booth_id;
    const char *state;
    int64_t value; /* a number (heads), a count (counts), seconds (durations) */
};
/* The called numbers and the first FAIR_BOARD_NEXT waiting ones, by
 * booth, state and number. */
int fair_board_heads(struct store_conn *c, struct arena *a, int64_t fair_id, int64_t booth_id,
                     struct fair_board_row **out, size_t *n);
/* Tickets by booth and state. */
int fair_board_counts(struct store_conn *c, struct arena *a, int64_t fair_id, int64_t booth_id,
                      struct fair_board_row **out, size_t *n);
/* The last FAIR_MEASURE_LAST service times (called to done, seconds) by
 * booth, newest first. */
int fair_board_durations(struct store_conn *c, struct arena *a, int64_t fair_id, int64_t booth_id,
                         struct fair_board_row **out, size_t *n);

/* Link a booth to the booking module's offering (0: none), whatever its
 * fields otherwise hold (the demo, after the offering's insert).
 * STORE_NOT_FOUND: no such booth. */
int fair_booth_set_offering(struct store_conn *c, int64_t booth_id, int64_t offering_id,
                            int64_t now);
/* Per booth of the fair (booth_id 0) or one booth: how many of its
 * offering's slots are open, not started at now and have a seat free
 * (value). Booths without an offering, or whose offering is inactive or
 * has no such slot, have no row. */
int fair_booth_free_slots(struct store_conn *c, struct arena *a, int64_t fair_id, int64_t booth_id,
                          int64_t now, struct fair_board_row **out, size_t *n);

/* ---- module (fair_http.c) --------------------------------------------- */

struct module;
struct route_scope;
extern const struct module fair_module;
/* Its change kinds: a booth's queue changed (id: the booth), a fair or its
 * booths changed (id: the fair). */
enum fair_change { FAIR_QUEUE, FAIR_FAIR };
/* Scope resolvers: {id} is a fair (its site), {id} is a fair ticket (its
 * fair's site). */
extern const struct route_scope fair_scope_path;
extern const struct route_scope fair_ticket_scope_path;

#endif
