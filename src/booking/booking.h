/*
 * booking.h - one capacity engine for everything a worker can book: desk
 * appointments at a community station, skill workshops and peer exchanges
 * at a hub, holiday care packages, fair booths. An offering is what can be
 * booked; a slot is one time (and site) of it with a capacity; a booking
 * is one person's place in a slot, or in its waitlist.
 *
 * States of a booking and the transitions that exist (booking_can_move):
 *
 *   (new)      -> held        POST /api/bookings {slot, hold: true}: a seat
 *                             kept for BOOKING_HOLD_S while the person
 *                             finishes (confirm)
 *   (new)      -> confirmed   POST /api/bookings {slot}: a seat
 *   (new)      -> waitlisted  the slot is full and the offering has a
 *                             waitlist: a ticket in its queue
 *   held       -> confirmed   POST /api/bookings/{id}/confirm, in time
 *   held       -> cancelled   the person cancels; the hold expires (tick)
 *   waitlisted -> offered     a seat was freed: the first in line is
 *                             offered it, the seat taken for them, until
 *                             offer_until
 *   waitlisted -> cancelled   the person leaves the queue; the slot
 *                             starts (tick); the provider cancels the slot
 *   offered    -> confirmed   POST /api/bookings/{id}/accept, in time
 *   offered    -> cancelled   the person declines; the offer expires
 *                             (tick: the seat goes to the next in line)
 *   confirmed  -> cancelled   the person, before the offering's cut-off;
 *                             the provider (slot cancelled)
 *   confirmed  -> checked_in  staff of the slot's site, on the day
 *   confirmed  -> no_show     the slot ended without a check-in (tick)
 *   cancelled, checked_in, no_show: final.
 *
 * held, confirmed, waitlisted and offered are "active": they count against
 * the offering's per-person limit. held, confirmed and offered hold a seat
 * (slots.taken counts them). Every seat that is freed passes to the first
 * in line when someone waits, in the same transaction.
 */
#ifndef WH_BOOKING_BOOKING_H
#define WH_BOOKING_BOOKING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "hours/hours.h"

struct store_conn;

#define BOOKING_TITLE_MAX 200
#define BOOKING_TEXT_MAX 4000
#define BOOKING_ORG_MAX 64
#define BOOKING_PER_PERSON_MAX 20
#define BOOKING_CAPACITY_MAX 100000
#define BOOKING_HOLD_S 600             /* a held seat waits ten minutes */
#define BOOKING_OFFER_TTL_DEFAULT 7200 /* a waitlist offer lasts two hours */
#define BOOKING_OFFER_TTL_MIN 60
#define BOOKING_OFFER_TTL_MAX (7 * 86400)
#define BOOKING_CUTOFF_MAX (30 * 86400)
#define BOOKING_SLOT_MAX_S (31 * 86400) /* a collection window may last a month */
#define BOOKING_SLOTS_PER_REQUEST 100   /* POST .../slots with a list */
#define BOOKING_GENERATE_MAX 3000       /* slots one generate call may make */
#define BOOKING_GENERATE_DAYS 92        /* from..to, inclusive */
#define BOOKING_WINDOWS_MAX 8           /* time windows of one weekday */
#define BOOKING_REMIND_HOUR 9           /* the day before, from 09:00 local */

/* ---- offerings, slots, bookings ------------------------------------ */

struct offering {
    int64_t id;
    /* appointment | workshop | package | fair_booth | other; mentoring:
     * a mentor's one-to-ones, made and booked only by the mentoring module */
    const char *kind;
    const char *title_zh, *title_en;
    const char *description_zh, *description_en;
    int64_t site_id;      /* 0: each slot names its site */
    int64_t service_id;   /* 0: none (the catalogue's services.id) */
    const char *org_code; /* NULL: none (the catalogue's organizations.code) */
    bool verification_required;
    int64_t per_person_limit;
    int64_t cancel_cutoff_s;
    bool waitlist;
    int64_t offer_ttl_s;
    bool active;
    bool is_demo;
    int64_t created_by, created_at, updated_at;
};

struct slot {
    int64_t id, offering_id, site_id;
    int64_t starts_at, ends_at; /* Unix seconds */
    int64_t capacity, taken;
    const char *state; /* open | cancelled */
    int64_t waiting;   /* waitlisted bookings (lists only; else 0) */
    /* Its offering's, joined for answers: */
    const char *kind, *title_zh, *title_en;
    bool waitlist;
    int64_t cancel_cutoff_s;
    const char *org_code; /* NULL: none */
    /* Its site's names, joined for answers and notices: */
    const char *site_name_zh, *site_name_en;
};

struct booking {
    int64_t id, slot_id, offering_id, user_id;
    const char *state;
    int64_t queue_no; /* waitlist ticket; 0 if never waitlisted */
    int64_t place;    /* 1-based place in the queue while waitlisted; else 0 */
    int64_t hold_until, offer_until;
    int64_t created_at, updated_at, confirmed_at, cancelled_at, checked_in_at;
    int64_t checked_in_by;
    int64_t reminded_at;                    /* the day-before reminder; 0: not yet */
    const char *cancel_reason;              /* NULL unless cancelled */
    struct slot slot;                       /* joined, with its offering's titles */
    const char *person_name, *person_phone; /* staff lists only */
};

/* ---- rules (booking.c): no HTTP, no SQL ----------------------------- */

bool booking_kind_is_valid(const char *kind);
bool booking_state_is_valid(const char *state);
/* held, confirmed, waitlisted, offered. */
bool booking_state_is_active(const char *state);
/* Does the state hold a seat of its slot (held, confirmed, offered)? */
bool booking_state_has_seat(const char *state);
/* Does the transition exist (see the table above)? from NULL: a new
 * booking. */
bool booking_can_move(const char *from, const char *to);

/* May the person cancel a booking in state at now? */
enum booking_cancel_rule {
    BOOKING_CANCEL_OK,
    BOOKING_CANCEL_FINAL,        /* cancelled, checked in or no-show already */
    BOOKING_CANCEL_CUTOFF_PASSED /* confirmed, and the cut-off has passed */
};
enum booking_cancel_rule booking_cancel_rule(const char *state, int64_t now, int64_t starts_at,
                                             int64_t cutoff_s);
/* The moment cancelling a confirmed booking closes. */
int64_t booking_cancel_deadline(int64_t starts_at, int64_t cutoff_s);

/* May staff check a confirmed booking in at now? From the start of the
 * slot's first local day until its end. */
enum booking_checkin_rule { BOOKING_CHECKIN_OK, BOOKING_CHECKIN_TOO_EARLY, BOOKING_CHECKIN_ENDED };
enum booking_checkin_rule booking_checkin_rule(int64_t now, int64_t starts_at, int64_t ends_at,
                                               int tz_offset_min);

/* Until when a waitlist offer made at now stands: now + ttl, but never
 * past the slot's start. */
int64_t booking_offer_until(int64_t now, int64_t ttl_s, int64_t starts_at);

/* Local calendar helpers (fixed UTC offset in minutes). */
int32_t booking_local_day(int64_t t, int tz_offset_min);        /* yyyymmdd */
int64_t booking_day_start(int32_t yyyymmdd, int tz_offset_min); /* Unix s */
int32_t booking_day_add(int32_t yyyymmdd, int days);
/* 1 = Monday .. 7 = Sunday. */
int booking_weekday(int32_t yyyymmdd);

/* ---- the weekly pattern of desk appointments ------------------------ */

/* One window of a day, in minutes after local midnight: [start, end). */
struct booking_window {
    int start_min, end_min;
};

struct booking_pattern {
    int32_t from, to; /* yyyymmdd, inclusive */
    /* By weekday, 0 = Monday .. 6 = Sunday: windows in order, apart. */
    struct booking_window windows[7][BOOKING_WINDOWS_MAX];
    size_t nwindows[7];
    int minutes; /* length of each slot */
};

/* "09:00-12:00" (24:00 may end a window) into *w; 0, or -1 when it is not
 * such a text or does not end after it starts. */
int booking_window_parse(const char *s, struct booking_window *w);
/* "mo".."su" -> 0..6; -1 otherwise. */
int booking_weekday_key(const char *s);
/* Add a window to a weekday, keeping the day's windows in order: 0, or -1
 * when it overlaps one already there or the day is full. */
int booking_pattern_add(struct booking_pattern *p, int weekday, const struct booking_window *w);

/* Which weekday's windows apply on day (yyyymmdd), given the holiday
 * calendar: 0 on a public holiday (no slots), the weekday a make-up
 * workday stands for (its as_weekday; 0 or above 7 means Monday, as the
 * opening-hours engine reads it), else the day's own weekday (1..7). cal
 * may be NULL. */
int booking_pattern_weekday(int32_t day, const struct hours_calendar *cal);

/* One generated slot time. */
struct booking_span {
    int64_t starts_at, ends_at;
};

/* Generate the pattern's slots from p->from to p->to in local time: each
 * window of the day's weekday is cut into slots of p->minutes (a rest
 * shorter than that is left out); public holidays are skipped and make-up
 * workdays follow the weekday they stand for. Slots that start before
 * not_before are left out. Writes at most cap spans into out and returns
 * how many the pattern makes in all (which may be more than cap). */
size_t booking_generate(const struct booking_pattern *p, const struct hours_calendar *cal,
                        int tz_offset_min, int64_t not_before, struct booking_span *out,
                        size_t cap);

/* ---- store (booking_store.c) --------------------------------------- */

/* Store results beyond enum store_rc, for the booking call. */
enum booking_store_rc {
    BOOKING_FULL = 101,        /* no seat, and no waitlist */
    BOOKING_ALREADY = 102,     /* the per-person limit is reached */
    BOOKING_SLOT_CLOSED = 103, /* started, or cancelled */
};

int offering_insert(struct store_conn *c, struct arena *a, struct offering *o);
int offering_update(struct store_conn *c, const struct offering *o, int64_t now);
/* Delete the demo offerings, with their slots and bookings (reseeding). */
int offering_delete_demo(struct store_conn *c);
int offering_get(struct store_conn *c, struct arena *a, int64_t id, struct offering *out);
struct offering_query {
    int64_t site_id, service_id; /* 0: any */
    const char *kind;            /* NULL: any */
    bool active_only;
    int64_t limit, offset;
};
int offering_list(struct store_conn *c, struct arena *a, const struct offering_query *q,
                  struct offering **out, size_t *n, int64_t *total);

/* Insert a slot; sets s->id. STORE_CONFLICT: the offering has a slot at
 * that site and start already. */
int slot_insert(struct store_conn *c, struct arena *a, struct slot *s, int64_t now);
/* The same, but an existing slot at that time is left as it is: *made
 * false. */
int slot_insert_unless_exists(struct store_conn *c, struct arena *a, struct slot *s, int64_t now,
                              bool *made);
int slot_get(struct store_conn *c, struct arena *a, int64_t id, struct slot *out);
struct slot_query {
    int64_t site_id, service_id, offering_id; /* 0: any */
    int64_t from, to;                         /* starts_at in [from, to) */
    bool available;                           /* a seat is free now */
    int64_t now;
    int64_t limit, offset;
};
int slot_list(struct store_conn *c, struct arena *a, const struct slot_query *q, struct slot **out,
              size_t *n, int64_t *total);
/* Change the capacity in one statement: STORE_CONFLICT when more seats
 * are taken than the new capacity, STORE_NOT_FOUND when the slot is not
 * open. Then offers the new seats to whoever waits (see booking_pass_seat);
 * the offered bookings' ids go to *offered (arena), their count to *n. */
int slot_set_capacity(struct store_conn *c, struct arena *a, int64_t slot_id, int64_t capacity,
                      int64_t now, int64_t **offered, size_t *n);
/* Cancel an open slot and every active booking of it (by the provider):
 * the cancelled bookings' ids go to *ids. STORE_CONFLICT: not open. */
int slot_cancel(struct store_conn *c, struct arena *a, int64_t slot_id, int64_t now, int64_t **ids,
                size_t *n);

/* Book a place (inside the caller's transaction): take a seat of b->slot_id
 * in one statement, or, when full and the offering has a waitlist, a
 * ticket in its queue; then insert the booking in the state that decided
 * (hold: held instead of confirmed). Sets b->id, b->state, b->queue_no,
 * b->place, b->hold_until. BOOKING_FULL, BOOKING_ALREADY,
 * BOOKING_SLOT_CLOSED, or a store result. */
int booking_book(struct store_conn *c, struct arena *a, struct booking *b, bool waitlist, bool hold,
                 int64_t now);
/* One booking with its slot and offering. */
int booking_get(struct store_conn *c, struct arena *a, int64_t id, struct booking *out);
/* A person's bookings, newest slot first; active_only: the four active
 * states. */
int booking_list_user(struct store_conn *c, struct arena *a, int64_t user_id, bool active_only,
                      int64_t limit, int64_t offset, struct booking **out, size_t *n);
/* Bookings of slots at a site starting in [from, to), with the person's
 * name and phone, in slot order. */
int booking_list_site(struct store_conn *c, struct arena *a, int64_t site_id, int64_t from,
                      int64_t to, struct booking **out, size_t *n);
/* A person's confirmed bookings whose slot ends after now and starts
 * before until, earliest first (check-in by the worker's QR). */
int booking_list_checkin(struct store_conn *c, struct arena *a, int64_t user_id, int64_t now,
                         int64_t until, struct booking **out, size_t *n);
/* A slot's bookings, every state, with the person's name and phone. */
int booking_list_slot(struct store_conn *c, struct arena *a, int64_t slot_id, struct booking **out,
                      size_t *n);
/* Confirmed bookings not yet reminded whose slot starts in [from, to). */
int booking_list_to_remind(struct store_conn *c, struct arena *a, int64_t from, int64_t to,
                           int64_t limit, struct booking **out, size_t *n);

/* Each of these is one statement that moves a booking from one state to
 * another only if it is still in the first (STORE_CONFLICT when not),
 * and, where a seat is freed, passes it on (booking_pass_seat); the
 * bookings offered that way go to *offered (arena). */
int booking_cancel(struct store_conn *c, struct arena *a, const struct booking *b,
                   const char *reason, int64_t now, int64_t **offered, size_t *noffered);
int booking_confirm_hold(struct store_conn *c, int64_t id, int64_t now);
int booking_accept_offer(struct store_conn *c, int64_t id, int64_t now);
int booking_check_in(struct store_conn *c, int64_t id, int64_t by, int64_t now);

/* A seat of the slot was given up: free it, and if someone waits (and the
 * slot has not started), take it again for the first in line, whose
 * booking becomes offered until booking_offer_until(). *offered gets that
 * booking's id, or 0. Inside the caller's transaction. */
int booking_pass_seat(struct store_conn *c, struct arena *a, int64_t slot_id, int64_t now,
                      int64_t *offered);

/* Timed work (the module's tick), in batches of at most limit: */
enum booking_due {
    BOOKING_DUE_HOLDS,    /* held past hold_until */
    BOOKING_DUE_OFFERS,   /* offered past offer_until */
    BOOKING_DUE_WAITING,  /* waitlisted on a slot that started */
    BOOKING_DUE_NO_SHOWS, /* confirmed on a slot that ended */
};
int booking_list_due(struct store_conn *c, struct arena *a, enum booking_due what, int64_t now,
                     int64_t limit, struct booking **out, size_t *n);
/* confirmed -> no_show, only if the slot has ended: STORE_CONFLICT if not
 * (checked in, cancelled, or another node was first). */
int booking_mark_no_show(struct store_conn *c, int64_t id, int64_t now);
/* Record the day-before reminder, once: STORE_CONFLICT when it was sent
 * already (another node) or the booking is no longer confirmed. */
int booking_mark_reminded(struct store_conn *c, int64_t id, int64_t now);

/* Erase a person's bookings (PIPL), inside the caller's transaction:
 * active ones are cancelled first, so their seats pass to whoever waits
 * (those offered go to *offered), then every row is deleted. */
int booking_erase_user(struct store_conn *c, struct arena *a, int64_t user_id, int64_t now,
                       int64_t **offered, size_t *noffered);

/* ---- notices (booking_notice.c) ---------------------------------------- */

/* What a person is told, through their inbox, inside the transaction of
 * the change. */
enum booking_notice {
    BOOKING_NOTICE_CONFIRMED,             /* booking_confirmed */
    BOOKING_NOTICE_OFFER,                 /* waitlist_offer, until offer_until */
    BOOKING_NOTICE_REMINDER,              /* booking_reminder, the day before */
    BOOKING_NOTICE_CANCELLED_BY_PROVIDER, /* booking_cancelled_by_provider */
};
/* The people told in a transaction, to announce after its commit. */
struct booking_notified {
    int64_t *users; /* arena */
    size_t n, cap;
};
struct app;
/* Forget the people told (at the start of each try of a transaction). */
void booking_notified_reset(struct booking_notified *nt);
/* Post the notice about b (with its slot) to its person; *nt gets them. */
int booking_notify(struct store_conn *c, struct arena *a, int tz, const struct booking *b,
                   enum booking_notice what, struct booking_notified *nt);
/* The same for bookings by id. */
int booking_notify_ids(struct store_conn *c, struct arena *a, int tz, const int64_t *ids, size_t n,
                       enum booking_notice what, struct booking_notified *nt);
/* After the commit: tell their open streams (INBOX_NEW). */
void booking_announce_notices(struct app *app, struct store_conn *c,
                              const struct booking_notified *nt);

/* ---- demo (booking_demo.c) ---------------------------------------------- */

/* The module's demo data (its `demo` hook). */
int booking_demo(struct app *app, struct store_conn *c, int *count);

/* ---- module (booking_http.c) ----------------------------------------- */

struct module;
struct route_scope;
extern const struct module booking_module;
/* Its change kinds; the id is the booking's, the offering's or the slot's
 * (0 for many). */
enum booking_change {
    BOOKING_CONFIRMED,  /* "confirmed": booked, a hold confirmed, an offer
                           accepted */
    BOOKING_HELD,       /* "held" */
    BOOKING_WAITLISTED, /* "waitlisted" */
    BOOKING_OFFERED,    /* "offered": a freed seat waits for this person until
                           offer_until */
    BOOKING_CANCELLED,  /* "cancelled": see cancel_reason */
    BOOKING_CHECKED_IN, /* "checked_in" */
    BOOKING_NO_SHOW,    /* "no_show" */
    BOOKING_OFFERING,   /* "offering": created or changed */
    BOOKING_SLOT,       /* "slot": created, changed or cancelled */
};
/* Scope resolvers: {id} is an offering (its site, its organization), a
 * slot (its site, its offering's organization), a booking (its slot's
 * site, its offering's organization). */
extern const struct route_scope offering_scope_path;
extern const struct route_scope slot_scope_path;
extern const struct route_scope booking_scope_path;

#endif
