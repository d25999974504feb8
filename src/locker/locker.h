/*
 * locker.h - numbered fridge and locker slots at a site. A worker claims
 * one for the day ("fridge slot 3, code 481926"), puts their lunch in and
 * takes it out later; the slot frees itself when they release it, when
 * staff open it for them with the code, or at the site's closing time (the
 * site's opening hours and the holiday calendar decide when that is).
 *
 * Never two people in one slot: a claim takes a free slot in one UPDATE
 * that re-checks the slot is free, and its affected-row count decides. A
 * person holds at most one slot of a kind at a site. Claims are personal
 * data: they go into a person's export and go with their erasure.
 */
#ifndef WH_LOCKER_LOCKER_H
#define WH_LOCKER_LOCKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"

struct store_conn;

/* Slots of one kind at a site, at most. */
#define LOCKER_MAX_SLOTS 50
#define LOCKER_CODE_LEN 6

/* Store results beyond enum store_rc (store/store.h). */
#define LOCKER_FULL 130       /* no free slot of the kind */
#define LOCKER_SLOT_FREE 131  /* opening a slot nobody holds */
#define LOCKER_WRONG_CODE 132 /* opening with a code that is not the holder's */

struct locker_claim {
    int64_t id;
    int64_t site_id;
    const char *kind; /* fridge | locker */
    int64_t slot_id;  /* 0 once the slot was removed */
    int64_t number;
    int64_t user_id;
    const char *code;
    int64_t claimed_at, ends_at;
    const char *state; /* held | released | opened | expired */
    int64_t ended_at, ended_by;
    const char *site_name_zh, *site_name_en;
};

struct locker_slot {
    int64_t id;
    const char *kind;
    int64_t number;
    int64_t claim_id; /* 0: free */
    int64_t claimed_at, ends_at;
    int64_t user_id;
    const char *holder_name; /* NULL when free */
};

/* Slots of a kind at a site and how many are free. */
struct locker_count {
    const char *kind;
    int64_t total, free;
};

/* ---- rules (locker.c) --------------------------------------------------- */

bool locker_kind_is_valid(const char *kind);
/* When a claim made at now, at a site open now, ends, given the site's
 * next change (its closing time; -1: none ahead): at the closing time when
 * that comes within a day, else at the next local midnight (a site open
 * around the clock: the slot is for today). */
int64_t locker_claim_ends(int64_t next_change, int64_t now, int tz_offset_min);
/* Six digits. */
bool locker_code_is_valid(const char *code);

/* ---- store (locker_store.c) ----------------------------------------------- */

/* Make the site's slots of a kind 1..count: new ones are added, free ones
 * above count removed; STORE_CONFLICT when one above count is held. The
 * caller holds a transaction. */
int locker_slots_set(struct store_conn *c, struct arena *a, int64_t site_id, const char *kind,
                     int64_t count);
int locker_counts(struct store_conn *c, struct arena *a, int64_t site_id, struct locker_count **out,
                  size_t *n);
int locker_slots_list(struct store_conn *c, struct arena *a, int64_t site_id,
                      struct locker_slot **out, size_t *n);
/* Claim the lowest free slot of k->kind at k->site_id for k->user_id
 * (k->code, claimed_at, ends_at); sets k->id, slot_id, number, state. The
 * caller holds a transaction. LOCKER_FULL; STORE_CONFLICT: the person
 * holds one of the kind there already. */
int locker_claim(struct store_conn *c, struct arena *a, struct locker_claim *k);
int locker_claim_get(struct store_conn *c, struct arena *a, int64_t id, struct locker_claim *out);
/* A person's claims, the held ones first, then newest first; only held
 * ones when held_only. */
int locker_claims_user(struct store_conn *c, struct arena *a, int64_t user_id, bool held_only,
                       int64_t limit, struct locker_claim **out, size_t *n);
/* End a held claim (user_id > 0: only theirs) as state and free its slot.
 * STORE_CONFLICT when it is not held. The caller holds a transaction. */
int locker_release(struct store_conn *c, int64_t id, int64_t user_id, const char *state, int64_t by,
                   int64_t now);
/* Staff open slot number of kind at a site with the holder's code: the
 * claim ends ("opened") and the slot is free; *claim_id gets it. The
 * caller holds a transaction. STORE_NOT_FOUND: no such slot;
 * LOCKER_SLOT_FREE; LOCKER_WRONG_CODE. */
int locker_open(struct store_conn *c, struct arena *a, int64_t site_id, const char *kind,
                int64_t number, const char *code, int64_t by, int64_t now, int64_t *claim_id);
/* End every held claim whose time is up and free their slots; *n: how
 * many. The caller holds a transaction. */
int locker_expire(struct store_conn *c, int64_t now, int64_t *n);
/* Everything about a person's claims (oldest first), and their erasure
 * (slots they hold are freed). */
int locker_export(struct store_conn *c, struct arena *a, int64_t user_id, struct locker_claim **out,
                  size_t *n);
int locker_erase(struct store_conn *c, int64_t user_id);

/* ---- module (locker_http.c) ------------------------------------------------- */

struct module;
extern const struct module locker_module;

#endif
