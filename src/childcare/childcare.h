/*
 * childcare.h - summer childcare programmes for workers' children: a
 * programme at a station or hub (age range, days, a daily timetable of
 * supervision, homework help and heritage activities, places, staff,
 * lunch), the children a verified worker registers, family enrolments
 * (all the siblings or none), guardian consent, and attendance with a
 * rotating pickup code.
 *
 * States of an enrolment (one family, one programme, size children):
 *
 *   (new)      -> enrolled    the whole group's places were free
 *   (new)      -> waitlisted  they were not: the group waits as one
 *   waitlisted -> offered     places came free and the whole group fits:
 *                             the places are taken for it until offer_until
 *   offered    -> enrolled    the guardian accepts in time
 *   offered    -> cancelled   the guardian declines; the offer expires (tick)
 *   enrolled, waitlisted -> cancelled   the guardian cancels
 *
 * enrolled and offered hold size places (childcare_programmes.taken).
 * Places that come free go, in the same transaction, to the earliest
 * waiting group that fits whole (a larger group ahead that does not fit
 * keeps its ticket and is offered as soon as it fits).
 *
 * Why not the booking engine (src/booking/): its seats pass one at a time
 * to the first person in line; a family needs several places taken and
 * offered together, which a slot's single-seat queue cannot express.
 * Notices go through the inbox module.
 */
#ifndef WH_CHILDCARE_CHILDCARE_H
#define WH_CHILDCARE_CHILDCARE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"

struct store_conn;

#define CHILDCARE_TEXT_MAX 4000
#define CHILDCARE_NAME_MAX 100
#define CHILDCARE_SHORT_MAX 200
#define CHILDCARE_GROUP_MAX 10     /* children in one enrolment */
#define CHILDCARE_CHILDREN_MAX 10  /* children per guardian */
#define CHILDCARE_PEOPLE_MAX 5     /* emergency contacts, pickup people */
#define CHILDCARE_TIMETABLE_MAX 16 /* activities of a day */
#define CHILDCARE_CAPACITY_MAX 500
#define CHILDCARE_OFFER_TTL_DEFAULT 86400
#define CHILDCARE_RETAIN_DAYS_DEFAULT 30 /* WARMHARBOR_CHILDCARE_RETAIN_DAYS */
#define CHILDCARE_CODE_STEP_S 120        /* a pickup code changes every two minutes */
#define CHILDCARE_CODE_DIGITS 6
#define CHILDCARE_CHECKOUT_TRIES 10 /* check-outs per child per ten minutes */

/* ---- types -------------------------------------------------------------- */

struct programme {
    int64_t id, site_id;
    const char *title_zh, *title_en, *description_zh, *description_en;
    int64_t age_min, age_max;
    int32_t first_day, last_day; /* local yyyymmdd */
    int64_t starts_at, ends_at;  /* Unix seconds */
    const char *timetable;       /* JSON array text */
    bool lunch;
    int64_t capacity, taken, waiting; /* waiting: groups waitlisted (lists) */
    int64_t offer_ttl_s;
    const char *consent_version, *consent_zh, *consent_en;
    int64_t erased_at, erased_children;
    bool is_demo;
    int64_t created_at;
    const char *site_name_zh, *site_name_en; /* joined */
    int64_t staff_count;                     /* joined */
};

/* One person named on a child's record (emergency contact, pickup). */
struct child_person {
    const char *name, *phone, *relation;
};

struct child {
    int64_t id, guardian_id;
    const char *name;
    int32_t birth_date; /* yyyymmdd */
    const char *school, *grade, *allergies;
    const char *emergency_contacts; /* JSON array text */
    const char *health_sealed, *pickup_sealed;
    int64_t created_at;
};

struct enrolment {
    int64_t id, programme_id, guardian_id, size;
    const char *state;
    int64_t queue_no, place; /* place: 1-based among waiting groups; 0 */
    int64_t offer_until;
    const char *consent_version;
    int64_t created_at, updated_at;
    int64_t *children; /* ids (arena), size of them */
};

struct attendance {
    int64_t id, programme_id, child_id;
    int32_t day;
    int64_t in_at, in_by, out_at, out_by;
    const char *picked_up_by; /* NULL until out */
    const char *child_name;   /* joined */
};

/* ---- rules (childcare.c): no HTTP, no SQL -------------------------------- */

/* Whole years of age on day (both yyyymmdd). */
int childcare_age_on(int32_t birth, int32_t day);
/* Is the enrolment state one that holds places? */
bool childcare_state_holds_places(const char *state);
/* Activity kinds of a timetable entry. */
bool childcare_activity_is_valid(const char *kind);
/* "HH:MM" (00:00..24:00) into minutes; -1 when it is not one. */
int childcare_clock_minutes(const char *s);
/* A consent version: 1..32 of [A-Za-z0-9._-]. */
bool childcare_version_is_valid(const char *s);

/* The rotating pickup code of a guardian's person who (0: the guardian,
 * for all their children; 1..: the child's authorised pickup people in
 * order) for the time step of t:
 * CHILDCARE_CODE_DIGITS digits, a keyed BLAKE2b of (guardian, who, step)
 * under a key derived from the server key, so it cannot be made up and is
 * never stored. out holds CHILDCARE_CODE_DIGITS + 1 bytes. */
void childcare_pickup_code(const unsigned char *server_key, int64_t guardian, int64_t child,
                           int who, int64_t t, char *out);
/* Whose code is code at now (the current step or the one before): 0 for
 * the guardian, 1..npeople for a pickup person, -1 for no one (wrong or
 * expired). Compares in constant time. */
int childcare_pickup_match(const unsigned char *server_key, int64_t guardian, int64_t child,
                           int npeople, const char *code, int64_t now);
/* Seconds until the code of now is no longer shown (the step's end). */
int64_t childcare_code_left(int64_t now);

/* A timetable from outside: 1..CHILDCARE_TIMETABLE_MAX objects {start,
 * end, kind, title_zh, title_en?}, HH:MM times each ending after it starts
 * and starting no earlier than the one before ended, a known kind, a title.
 * 0 with the checked list's compact JSON text in *out (arena), or -1 with
 * the field at fault in *field ("timetable[2].end"). */
int childcare_timetable_check(struct arena *a, json_t *v, const char **out, const char **field);
/* A list of people from outside (name: the field, "pickup_people"): at
 * most CHILDCARE_PEOPLE_MAX objects {name, phone, relation?} with a name
 * and a mainland mobile number (normalised); v NULL: none ("[]"). 0 with
 * the JSON text in *out, or -1 with the field at fault in *field. */
int childcare_people_check(struct arena *a, json_t *v, const char *name, const char **out,
                           const char **field);

/* ---- store (childcare_store.c) -------------------------------------------- */

/* Results beyond enum store_rc. */
enum childcare_store_rc {
    CHILDCARE_ALREADY = 101, /* a child is in an active enrolment of the programme */
};

int programme_insert(struct store_conn *c, struct arena *a, struct programme *p);
int programme_get(struct store_conn *c, struct arena *a, int64_t id, struct programme *out);
/* Programmes, by start then id; site_id 0: any. */
int programme_list(struct store_conn *c, struct arena *a, int64_t site_id, int64_t limit,
                   int64_t offset, struct programme **out, size_t *n, int64_t *total);
int programme_delete_demo(struct store_conn *c);
int programme_staff_add(struct store_conn *c, int64_t programme_id, int64_t user_id);
bool programme_is_staff(struct store_conn *c, struct arena *a, int64_t programme_id,
                        int64_t user_id);
/* Programmes a person is staff of. */
int programme_list_staffed(struct store_conn *c, struct arena *a, int64_t user_id,
                           struct programme **out, size_t *n);

int child_insert(struct store_conn *c, struct arena *a, struct child *ch);
int child_get(struct store_conn *c, struct arena *a, int64_t id, struct child *out);
int child_list_guardian(struct store_conn *c, struct arena *a, int64_t guardian, struct child **out,
                        size_t *n);
int64_t child_count_guardian(struct store_conn *c, struct arena *a, int64_t guardian);
/* The sites of the programmes (active enrolments) of the child that the
 * person is staff of, into *sites (arena). */
int child_staffed_sites(struct store_conn *c, struct arena *a, int64_t child_id, int64_t user_id,
                        int64_t **sites, size_t *n);
/* Is the child in an enrolled family of the programme? */
bool child_enrolled_in(struct store_conn *c, struct arena *a, int64_t programme_id,
                       int64_t child_id);

int consent_record(struct store_conn *c, int64_t user_id, int64_t programme_id, const char *version,
                   int64_t now);

/* Enrol a family (inside the caller's transaction): take e->size places in
 * one statement, or else a ticket in the programme's queue; insert the
 * enrolment and its children. Sets e->id, e->state, e->queue_no.
 * CHILDCARE_ALREADY when a child is enrolled already. */
int enrolment_create(struct store_conn *c, struct arena *a, struct enrolment *e, int64_t now);
/* One enrolment with its children's ids and (waiting) place. */
int enrolment_get(struct store_conn *c, struct arena *a, int64_t id, struct enrolment *out);
int enrolment_list_guardian(struct store_conn *c, struct arena *a, int64_t guardian,
                            struct enrolment **out, size_t *n);
/* Active (enrolled, offered) enrolments of a programme. */
int enrolment_list_programme(struct store_conn *c, struct arena *a, int64_t programme_id,
                             struct enrolment **out, size_t *n);
/* offered -> enrolled while offer_until > now: STORE_CONFLICT if not. */
int enrolment_accept(struct store_conn *c, int64_t id, int64_t now);
/* Cancel (from state from; NULL: any active state), free the places it
 * held and offer them on (enrolment_pass). offered ids go to *offered. */
int enrolment_cancel(struct store_conn *c, struct arena *a, const struct enrolment *e,
                     const char *from, int64_t now, int64_t **offered, size_t *noffered);
/* Offer free places of the programme to the earliest waiting groups that
 * fit whole, each taken in one statement; their ids to *offered. */
int enrolment_pass(struct store_conn *c, struct arena *a, int64_t programme_id, int64_t now,
                   int64_t **offered, size_t *noffered);
/* Offers past offer_until, at most limit. */
int enrolment_list_expired(struct store_conn *c, struct arena *a, int64_t now, int64_t limit,
                           struct enrolment **out, size_t *n);

/* Check in (one row per child and day): STORE_CONFLICT when in already. */
int attendance_check_in(struct store_conn *c, int64_t programme_id, int64_t child_id, int32_t day,
                        int64_t by, int64_t now);
/* Check out: STORE_CONFLICT when not in, or out already. */
int attendance_check_out(struct store_conn *c, int64_t programme_id, int64_t child_id, int32_t day,
                         int64_t by, const char *who, int64_t now);
/* A programme's attendance of a day. */
int attendance_list_day(struct store_conn *c, struct arena *a, int64_t programme_id, int32_t day,
                        struct attendance **out, size_t *n);
/* A guardian's children's attendance, newest first, at most limit. */
int attendance_list_guardian(struct store_conn *c, struct arena *a, int64_t guardian, int64_t limit,
                             struct attendance **out, size_t *n);

/* The retention job: programmes ended before ended_before whose data is
 * not yet erased, at most limit. */
int programme_list_due_erase(struct store_conn *c, struct arena *a, int64_t ended_before,
                             int64_t limit, int64_t **ids, size_t *n);
/* Erase a programme's children's data (inside the caller's transaction):
 * claim it in one statement (STORE_CONFLICT when another node did), then
 * delete its attendance, its children not in another programme whose data
 * is kept, and its members. *erased: children deleted. */
int programme_erase(struct store_conn *c, int64_t programme_id, int64_t now, int64_t *erased);

/* PIPL: a guardian's children, enrolments and consents. */
int childcare_export_rows(struct store_conn *c, struct arena *a, int64_t user_id,
                          struct child **children, size_t *nchildren, struct enrolment **enrolments,
                          size_t *nenrolments);
/* Cancel the guardian's active enrolments (places pass on; offered ids to
 * *offered) and delete their children, enrolments and consents. */
int childcare_erase_user(struct store_conn *c, struct arena *a, int64_t user_id, int64_t now,
                         int64_t **offered, size_t *noffered);

/* ---- demo (childcare_demo.c) ------------------------------------------------ */

struct app;
int childcare_demo(struct app *app, struct store_conn *c, int *count);

/* ---- module (childcare_http.c) ----------------------------------------------- */

struct module;
struct route_scope;
extern const struct module childcare_module;
enum childcare_change {
    CHILDCARE_PROGRAMME,  /* "programme": made, or its places changed */
    CHILDCARE_ENROLMENT,  /* "enrolment" */
    CHILDCARE_ATTENDANCE, /* "attendance": a child in or out */
};
/* {id} is a programme: its site. */
extern const struct route_scope programme_scope_path;

#endif
