/*
 * supply.h - consumables at the stations: cold medicine, plasters,
 * disinfectant, drinking water, rain ponchos and the first-aid kit's
 * contents, held in batches with an expiry date and a quantity.
 *
 * Staff restock (a batch per item and expiry date grows by the amount)
 * and use (taken from the batches that expire first; discarding expired
 * stock takes from the expired batches), each logged with who, when and
 * how many. Quantities never go below zero: every decrement is one UPDATE
 * guarded by quantity >= n (and a CHECK), and a use that finds less than
 * it planned for, because someone else took it meanwhile, plans again.
 *
 * A site needs something when an item's usable quantity (in batches not
 * yet expired) is under the site's minimum for it, when a batch expires
 * within SUPPLY_EXPIRING_DAYS, or when expired stock is still held. Region
 * admins see what every site of their subtree needs.
 */
#ifndef WH_SUPPLY_SUPPLY_H
#define WH_SUPPLY_SUPPLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"

struct store_conn;

#define SUPPLY_EXPIRING_DAYS 30   /* a batch expiring this soon is an alert */
#define SUPPLY_MAX_QUANTITY 10000 /* per restock or use */
#define SUPPLY_MAX_MINIMUM 100000
#define SUPPLY_NOTE_MAX 300
#define SUPPLY_LOG_MAX 200    /* entries per page */
#define SUPPLY_MAX_BATCHES 64 /* batches of one item at one site we read */

/* A result of supply_use beyond enum store_rc: not enough stock. */
#define SUPPLY_SHORT 120

/* An item of the catalogue. */
struct supply_item {
    int64_t id;
    const char *code, *name_zh, *name_en, *unit_zh, *unit_en;
    bool kit;     /* part of the first-aid kit */
    bool expires; /* its batches carry an expiry date */
};

/* A batch a site holds. */
struct supply_batch {
    int64_t id, site_id;
    const char *item;   /* its code */
    int32_t expires_on; /* yyyymmdd, local; 0: does not expire */
    int64_t quantity;
};

/* A site's minimum for an item. */
struct supply_minimum {
    int64_t site_id;
    const char *item;
    int64_t minimum;
};

/* A site, as the needs of a region list it. */
struct supply_site {
    int64_t id;
    const char *name_zh, *name_en, *region;
};

/* A log entry. */
struct supply_entry {
    int64_t id, site_id;
    const char *item;
    int32_t expires_on;
    int64_t delta;      /* + in, - out */
    const char *reason; /* restock | use | expired | damaged */
    int64_t actor_id;   /* 0: nobody (an erased account) */
    const char *actor_name;
    int64_t at;
    const char *note;
};

/* ---- rules (supply.c) -----------------------------------------------------
 */

enum supply_state { SUPPLY_OK, SUPPLY_EXPIRING, SUPPLY_EXPIRED };

/* Days from today to date (both yyyymmdd); negative when date is past. */
int64_t supply_days_between(int32_t today, int32_t date);
/* A batch's state on today: expired after its date (it is usable through
 * the date itself), expiring within SUPPLY_EXPIRING_DAYS, else ok (and a
 * batch that does not expire is always ok). */
enum supply_state supply_batch_state(int32_t expires_on, int32_t today);
const char *supply_state_name(enum supply_state s);

/* What a site holds of one item, on a day. */
struct supply_level {
    const char *item;
    int64_t usable;      /* in batches not expired */
    int64_t expiring;    /* of usable, in batches expiring soon */
    int64_t expired;     /* in expired batches: to discard */
    int64_t minimum;     /* 0: none set */
    int32_t next_expiry; /* earliest expiry of a usable batch; 0: none */
    bool low;            /* usable < minimum */
};
/* Add a batch to a level (level->item set by the caller). */
void supply_level_add(struct supply_level *l, const struct supply_batch *b, int32_t today);
/* Set the minimum and decide low. */
void supply_level_finish(struct supply_level *l, int64_t minimum);
/* Does the level call for anything (low, expiring or expired stock)? */
bool supply_level_needs(const struct supply_level *l);

/* How much to take from each batch for a use of quantity: take[i] for
 * batches[i]. reason "expired" takes only from expired batches (oldest
 * first); any other reason only from usable ones, those expiring first
 * first and those that never expire last. Returns 0, or -1 when they hold
 * less than quantity (*available: how much they hold). */
int supply_plan(const struct supply_batch *batches, size_t n, int64_t quantity, const char *reason,
                int32_t today, int64_t *take, int64_t *available);

/* Is reason one a use may give (use, expired, damaged)? */
bool supply_use_reason_is_valid(const char *reason);

/* The local date (yyyymmdd) of t in a fixed offset of tz minutes. */
int32_t supply_date_of(int64_t t, int tz);

/* ---- store (supply_store.c) ------------------------------------------------
 */

int supply_items_list(struct store_conn *c, struct arena *a, struct supply_item **out, size_t *n);
int supply_item_get(struct store_conn *c, struct arena *a, const char *code,
                    struct supply_item *out);
/* A site's batches, empty ones too (an item run out is still listed), in
 * catalogue order, then by expiry (0 last). */
int supply_batches_of_site(struct store_conn *c, struct arena *a, int64_t site_id,
                           struct supply_batch **out, size_t *n);
int supply_minimums_of_site(struct store_conn *c, struct arena *a, int64_t site_id,
                            struct supply_minimum **out, size_t *n);
/* The sites whose region is in the subtree of region_path (not removed,
 * closed or planned), and their batches with stock and minimums, each
 * ordered by site id. */
int supply_sites_in_region(struct store_conn *c, struct arena *a, const char *region_path,
                           struct supply_site **out, size_t *n);
int supply_batches_in_region(struct store_conn *c, struct arena *a, const char *region_path,
                             struct supply_batch **out, size_t *n);
int supply_minimums_in_region(struct store_conn *c, struct arena *a, const char *region_path,
                              struct supply_minimum **out, size_t *n);

/* Add quantity to the site's batch of the item expiring on expires_on, and
 * log it. The caller holds a transaction. */
int supply_restock(struct store_conn *c, struct arena *a, int64_t site_id,
                   const struct supply_item *item, int32_t expires_on, int64_t quantity,
                   int64_t actor, const char *note, int64_t now);
/* Take quantity of the item from the site's batches by supply_plan, one
 * guarded UPDATE per batch, logging each. SUPPLY_SHORT with *available
 * when there is not enough; STORE_BUSY when another use took some first
 * (the transaction is tried again). The caller holds a transaction. */
int supply_use(struct store_conn *c, struct arena *a, int64_t site_id,
               const struct supply_item *item, int64_t quantity, const char *reason, int32_t today,
               int64_t actor, const char *note, int64_t now, int64_t *available);
int supply_minimum_set(struct store_conn *c, int64_t site_id, const struct supply_item *item,
                       int64_t minimum, int64_t actor, int64_t now);
/* The site's log, newest first, ids below before (0: from the newest). */
int supply_log_list(struct store_conn *c, struct arena *a, int64_t site_id, int64_t before,
                    int64_t limit, struct supply_entry **out, size_t *n);
/* Entries a person made (export), and forgetting who made them (erase). */
int supply_log_of_actor(struct store_conn *c, struct arena *a, int64_t actor,
                        struct supply_entry **out, size_t *n);
int supply_log_forget_actor(struct store_conn *c, int64_t actor);

/* The demo's supplies: minimums and batches at every demo station, hub and
 * Warm Hut, some under the minimum, some expiring soon (on soon), some
 * expired (on past), the rest later; in two statements. */
int supply_demo_fill(struct store_conn *c, int32_t soon, int32_t later, int32_t past, int64_t now,
                     int64_t *batches);

/* ---- module (supply_http.c)
 * -------------------------------------------------- */

struct module;
extern const struct module supply_module;

#endif
