/*
 * lending.h - things stations lend to workers: raincoats, umbrellas, power
 * banks, phone stands, repair tool kits, livestream lights and microphones.
 * Borrow anywhere, return anywhere: staff of site A lend an item to a
 * worker (identified by the QR code on their phone, or by their id), and
 * staff of any site B take it back; the item then belongs to B's stock.
 *
 * Stock is kept per site and item type as four counters that always add
 * up (available, reserved, lent, damaged); each change is one statement
 * whose affected-row count decides, and CHECKs keep every counter at zero
 * or above. A person has at most a global number of items out
 * (WARMHARBOR_LOAN_LIMIT, 3 by default) and at most per_person_max of a
 * type. Scarce types can be reserved for a time window: the reservation
 * holds one item off the shelf until it is collected or its window ends
 * (the tick puts it back). The tick also marks loans overdue and reminds
 * the borrower once, through the inbox.
 */
#ifndef WH_LENDING_LENDING_H
#define WH_LENDING_LENDING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"

struct store_conn;

#define LENDING_NOTE_MAX 500
#define LENDING_CODE_MAX 32
#define LENDING_NAME_MAX 100
/* Items out per person when WARMHARBOR_LOAN_LIMIT does not say. */
#define LENDING_DEFAULT_LIMIT 3
#define LENDING_MAX_LIMIT 50
/* One stock change adds or removes at most this many. */
#define LENDING_MAX_ADD 1000
/* A reservation's window: starts within a week, lasts at most a day. */
#define LENDING_RESERVE_AHEAD_S (7 * 86400)
#define LENDING_RESERVE_WINDOW_S (24 * 3600)
/* Longest loan a type may have: 90 days. */
#define LENDING_MAX_DUE_HOURS 2160

/* Store results beyond enum store_rc (store/store.h). */
#define LENDING_OUT_OF_STOCK 120  /* nothing available (or reserved) to take */
#define LENDING_LIMIT_REACHED 121 /* the person has as many out as allowed */
#define LENDING_NOT_OUT 122       /* the loan is back (or lost) already */
#define LENDING_TYPE_LIMIT 123    /* as many of this type out as allowed */

struct item_type {
    int64_t id;
    const char *code; /* raincoat, umbrella, power_bank, ... */
    const char *name_zh, *name_en;
    int64_t due_hours;
    int64_t per_person_max; /* 0: only the global limit */
    bool reservable;
    int64_t sort_order;
};

/* One item type's stock at a site. */
struct item_stock {
    int64_t site_id;
    struct item_type type;
    int64_t available, reserved, lent, damaged;
};

struct loan {
    int64_t id;
    int64_t item_type_id;
    const char *item_code, *item_name_zh, *item_name_en;
    int64_t site_id; /* where it was lent */
    int64_t user_id; /* 0 once the borrower's account is erased */
    int64_t lent_by, lent_at, due_at;
    const char *state; /* out | overdue | returned | lost | damaged */
    int64_t reminded_at;
    int64_t closed_site_id, closed_by, closed_at; /* 0 while out */
    const char *note;
    int64_t reservation_id;                  /* 0: not collected for a reservation */
    const char *borrower_name;               /* their display name; NULL once erased */
    const char *site_name_zh, *site_name_en; /* where it was lent */
};

struct loan_reservation {
    int64_t id;
    int64_t item_type_id;
    const char *item_code, *item_name_zh, *item_name_en;
    int64_t site_id, user_id;
    int64_t starts_at, ends_at;
    const char *state; /* active | collected | expired | cancelled */
    int64_t created_at, ended_at;
    const char *site_name_zh, *site_name_en;
};

/* ---- rules (lending.c) ------------------------------------------------ */

bool lending_state_is_valid(const char *state);
/* Is the loan still out (out or overdue)? */
bool lending_is_out(const char *state);
/* Out and past its due time (the tick may not have marked it yet). */
bool lending_is_overdue(const struct loan *l, int64_t now);
/* When a loan of a type lent at lent_at is due. */
int64_t lending_due_at(int64_t lent_at, int64_t due_hours);
/* How many of a type a person may have out: the type's own maximum when
 * it has one and it is below the global limit, else the global limit. */
int64_t lending_type_limit(int64_t per_person_max, int64_t global_limit);
/* "[a-z][a-z0-9_]*", at most LENDING_CODE_MAX bytes. */
bool lending_code_is_valid(const char *code);
/* The global limit from WARMHARBOR_LOAN_LIMIT's text (NULL or empty: the
 * default): 0, or -1 when it is not a whole number 1..LENDING_MAX_LIMIT. */
int lending_limit_parse(const char *text, int64_t *out);

/* What the account module's sealed QR code says, once unsealed:
 * "USER_ID:EXPIRES_AT". */
enum lending_qr { LENDING_QR_OK = 0, LENDING_QR_INVALID = -1, LENDING_QR_EXPIRED = -2 };
enum lending_qr lending_qr_user(const char *plain, int64_t now, int64_t *user_id);

/* Is [starts_at, ends_at) a window a reservation made at now may have?
 * NULL when it is, else the name of the field at fault ("starts_at",
 * "ends_at"). */
const char *lending_window_fault(int64_t now, int64_t starts_at, int64_t ends_at);

/* ---- store (lending_store.c) ------------------------------------------ */

int item_type_list(struct store_conn *c, struct arena *a, struct item_type **out, size_t *n);
int item_type_get(struct store_conn *c, struct arena *a, const char *code, struct item_type *out);
/* Insert or update the type with t->code; sets t->id. */
int item_type_put(struct store_conn *c, struct arena *a, struct item_type *t, int64_t now);

/* The site's stock, one entry per type it has ever held, in type order. */
int stock_list(struct store_conn *c, struct arena *a, int64_t site_id, struct item_stock **out,
               size_t *n);
int stock_get(struct store_conn *c, struct arena *a, int64_t site_id, int64_t type_id,
              struct item_stock *out);
/* Put delta items on the shelf (or take -delta off it) and move repaired
 * damaged ones back, in one statement: STORE_CONFLICT when that would
 * leave a counter below zero. The caller holds a transaction. */
int stock_change(struct store_conn *c, int64_t site_id, int64_t type_id, int64_t delta,
                 int64_t repaired, int64_t now);

/* Lend: l->item_type_id, site_id, user_id, lent_by, lent_at, due_at, note.
 * The caller holds a transaction (req_tx). The person's active
 * reservation of the type at the site, if any, is collected (its held
 * item is lent); otherwise one is taken off the shelf. Sets l->id,
 * l->state and l->reservation_id. LENDING_OUT_OF_STOCK, LENDING_LIMIT_REACHED
 * (global_limit items out), LENDING_TYPE_LIMIT (type_limit of the type). */
int loan_lend(struct store_conn *c, struct arena *a, struct loan *l, int64_t global_limit,
              int64_t type_limit);
/* End a loan that is out: state "returned" (the item goes on site_id's
 * shelf), "damaged" (counted damaged at site_id) or "lost" (gone). The
 * lending site's lent count and the borrower's count go down. The caller
 * holds a transaction. LENDING_NOT_OUT when it is not out (ended by
 * someone else at the same moment); STORE_NOT_FOUND: no such loan. */
int loan_close(struct store_conn *c, struct arena *a, int64_t id, const char *state,
               int64_t site_id, int64_t by, int64_t now, const char *note);
int loan_get(struct store_conn *c, struct arena *a, int64_t id, struct loan *out);
/* Loans lent at a site, newest first. filter: NULL (all), "out" (out and
 * overdue), "overdue" (out past due at now), "returned", "lost",
 * "damaged". */
int loan_list_site(struct store_conn *c, struct arena *a, int64_t site_id, const char *filter,
                   int64_t now, int64_t limit, struct loan **out, size_t *n);
/* A person's loans, the ones out first, then newest first; only those out
 * when out_only. */
int loan_list_user(struct store_conn *c, struct arena *a, int64_t user_id, bool out_only,
                   int64_t limit, struct loan **out, size_t *n);
/* Mark every loan out past its due time overdue, in one statement, and
 * return those it marked (so each is reminded once, by whichever node's
 * statement marked it). The caller holds a transaction. */
int loan_mark_overdue(struct store_conn *c, struct arena *a, int64_t now, struct loan **out,
                      size_t *n);

/* Reserve: r->item_type_id, site_id, user_id, starts_at, ends_at; one item
 * goes from available to reserved. The caller holds a transaction.
 * LENDING_OUT_OF_STOCK; STORE_CONFLICT: the person has an active
 * reservation of the type already. Sets r->id and r->state. */
int reservation_insert(struct store_conn *c, struct arena *a, struct loan_reservation *r);
int reservation_get(struct store_conn *c, struct arena *a, int64_t id,
                    struct loan_reservation *out);
/* Active reservations at a site (site_id > 0) or all of a person's
 * (user_id > 0), soonest first. */
int reservation_list(struct store_conn *c, struct arena *a, int64_t site_id, int64_t user_id,
                     bool active_only, int64_t limit, struct loan_reservation **out, size_t *n);
/* Cancel an active reservation of user_id's: the item goes back on the
 * shelf. STORE_CONFLICT when it is not active. The caller holds a
 * transaction. */
int reservation_cancel(struct store_conn *c, int64_t id, int64_t user_id, int64_t now);
/* End every active reservation whose window ended by now, putting the
 * items back; *n: how many. The caller holds a transaction. */
int reservation_expire(struct store_conn *c, struct arena *a, int64_t now, int64_t *n);

/* Everything held about a person: loans and reservations. */
int lending_export(struct store_conn *c, struct arena *a, int64_t user_id, struct loan **loans,
                   size_t *nloans, struct loan_reservation **res, size_t *nres);
/* Erase: loans kept for the stock's sake without the person (and their
 * notes), reservations cancelled (items back on the shelf) and deleted,
 * their count gone. The caller holds the erase's transaction. */
int lending_erase(struct store_conn *c, struct arena *a, int64_t user_id, int64_t now);

/* ---- module (lending_http.c) ------------------------------------------ */

struct module;
extern const struct module lending_module;

#endif
