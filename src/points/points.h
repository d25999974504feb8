/*
 * points.h - points for what people do for the city: a confirmed grid
 * report, an hour of volunteering. Every grant is a row of an append-only
 * ledger (never updated; deleted only by the person's erasure), so a
 * balance is the sum of a person's rows and the history explains it.
 *
 * Rules (GET|PUT /api/points/rules, one row per reason) say how much a
 * reason is worth and how much of it a person may earn:
 *
 *   - coefficient_pct: granted = base * coefficient_pct / 100, rounded
 *     down; a category ("report:road_damage") may have a rule of its own,
 *     else its group's ("report") applies; a reason with neither earns
 *     nothing;
 *   - daily_cap: most points of the group per person and local day;
 *   - place_cap: most awards of the group per person, place and day (the
 *     same pothole reported again and again).
 *
 * Caps are decided by one statement each on a counter row (an upsert
 * whose WHERE refuses what is over the cap and whose RETURNING says how
 * much it added), so two awards at once cannot both pass a cap on either
 * store. The same reference (ref_type, ref_id) is awarded once: a unique
 * index on the ledger.
 *
 * Points expire at the end of the year after the one they were earned in
 * (local time); the module's tick writes an "expire" row for each award
 * that is due, once. An award found later not to be deserved (a report
 * marked a duplicate, or rejected) is taken back by a "reverse" row of the
 * opposite sign with the reason why (points_reverse); an award ends once,
 * by expiry or reversal, whichever comes first (a unique index).
 */
#ifndef WH_POINTS_POINTS_H
#define WH_POINTS_POINTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"

struct store_conn;

#define POINTS_REASON_MAX 64
#define POINTS_PLACE_MAX 128
#define POINTS_RULES_MAX 100
#define POINTS_COEFFICIENT_MAX 1000
#define POINTS_BASE_MAX 100000
#define POINTS_NO_CAP 1000000000000000LL /* a cap of 0 means none */

/* What the caller knows about the thing being awarded. */
enum points_flag {
    POINTS_REJECTED = 1 << 0,  /* the report was rejected: nothing */
    POINTS_DUPLICATE = 1 << 1, /* a duplicate of another report: nothing */
};

struct points_rule {
    const char *reason;
    int64_t coefficient_pct, daily_cap, place_cap;
    int64_t updated_at;
};

struct points_entry {
    int64_t id, user_id;
    const char *kind; /* award | expire | reverse */
    const char *reason, *ref_type;
    int64_t ref_id, points, created_at, expires_at;
};

struct points_leader {
    int64_t user_id;
    const char *display_name;
    int64_t points;
};

/* ---- rules (points.c): no HTTP, no SQL -------------------------------- */

/* "report", "volunteer_hour", "report:road_damage": lower-case letters,
 * digits and '_', one optional ':' part; at most POINTS_REASON_MAX. */
bool points_reason_is_valid(const char *reason);
/* The group of a reason: the part before ':' (arena). */
const char *points_reason_group(struct arena *a, const char *reason);
/* base * pct / 100, rounded down; 0 for base or pct <= 0. */
int64_t points_apply_coefficient(int64_t base, int64_t pct);
/* When points earned at t expire: the start of 1 January of the year
 * after next, local time (tz_offset_min). */
int64_t points_expiry(int64_t t, int tz_offset_min);
/* The local day of t as yyyymmdd (the caps' day). */
int32_t points_day(int64_t t, int tz_offset_min);
/* What a cap leaves: min(want, cap - used), never below 0; cap 0: want. */
int64_t points_capped(int64_t want, int64_t used, int64_t cap);

/* ---- awarding (points_award.c) ----------------------------------------- */

/* Award points inside the caller's transaction: find the rule of reason,
 * apply its coefficient to base_points, then the daily cap; write the
 * ledger row (nothing when 0 is granted). The same (ref_type, ref_id)
 * earns once: a second call grants 0. Returns the points granted (>= 0),
 * or -rc for a store result rc (STORE_BUSY: let the transaction retry). */
int points_award(struct store_conn *c, int64_t user_id, const char *reason, const char *ref_type,
                 int64_t ref_id, int64_t base_points, int64_t now);
/* The same with a place (NULL: none; repeats at one place are capped by
 * the rule's place_cap) and flags (enum points_flag: rejected or
 * duplicate reports earn nothing). */
int points_award_at(struct store_conn *c, int64_t user_id, const char *reason, const char *ref_type,
                    int64_t ref_id, const char *place, int64_t base_points, unsigned flags,
                    int64_t now);
/* Take back, inside the caller's transaction, the award of (ref_type,
 * ref_id) that has not ended yet (expired or reversed): one ledger row of
 * the opposite sign, kind "reverse", reason why (a valid reason such as
 * "report_duplicate"), in one statement. Returns the points taken back
 * (>= 0: 0 when there was no award, or it had ended), or -rc for a store
 * result rc. The cap counters keep what the award used. */
int points_reverse(struct store_conn *c, const char *ref_type, int64_t ref_id, const char *why,
                   int64_t now);
/* The local time zone the caps' days and expiry dates follow (set by the
 * module's init from the configuration; +480 until then). */
void points_set_tz(int tz_offset_min);

/* ---- store (points_store.c) -------------------------------------------- */

int points_rule_get(struct store_conn *c, struct arena *a, const char *reason,
                    struct points_rule *out);
int points_rules_list(struct store_conn *c, struct arena *a, struct points_rule **out, size_t *n);
/* Replace every rule (inside the caller's transaction). */
int points_rules_replace(struct store_conn *c, const struct points_rule *rules, size_t n,
                         int64_t by, int64_t now);
/* Add up to amount to a counter, never past cap, in one statement: *added
 * gets what was added (0 when the cap was reached). */
int points_counter_add(struct store_conn *c, struct arena *a, int64_t user_id, const char *counter,
                       int32_t day, int64_t amount, int64_t cap, int64_t *added);
/* Has the reference been awarded already? */
int points_ref_awarded(struct store_conn *c, struct arena *a, const char *ref_type, int64_t ref_id,
                       bool *yes);
/* Append an award; *id 0 when the reference was awarded already. */
int points_ledger_award(struct store_conn *c, struct arena *a, const struct points_entry *e,
                        int64_t *id);
/* Append the reversal of the live award of (ref_type, ref_id); *points:
 * what it took back (0: nothing to reverse). */
int points_ledger_reverse(struct store_conn *c, struct arena *a, const char *ref_type,
                          int64_t ref_id, const char *why, int64_t now, int64_t *points);
/* Write the expiry rows of every award due at now, in one statement;
 * *n: how many. */
int points_expire_due(struct store_conn *c, int64_t now, int64_t *n);
int points_balance(struct store_conn *c, struct arena *a, int64_t user_id, int64_t *balance);
/* Points of awards not yet expired that expire before until. */
int points_expiring(struct store_conn *c, struct arena *a, int64_t user_id, int64_t until,
                    int64_t *points);
int points_history(struct store_conn *c, struct arena *a, int64_t user_id, int64_t limit,
                   int64_t offset, struct points_entry **out, size_t *n, int64_t *total);
/* Balances of the members of a squad (squad_id > 0) or of any squad of a
 * street (street_id > 0), or of everybody, highest first. */
int points_leaders(struct store_conn *c, struct arena *a, int64_t squad_id, int64_t street_id,
                   int64_t limit, struct points_leader **out, size_t *n);
int points_erase_user(struct store_conn *c, int64_t user_id);

/* ---- module (points_http.c) ---------------------------------------------- */

struct module;
extern const struct module points_module;

#endif
