/*
 * points_award.c - awarding points inside the caller's transaction: the
 * rule of the reason, its coefficient, the place and daily caps (each
 * decided by one statement on a counter row), and the ledger row.
 */
#include <stdatomic.h>
#include <string.h>

#include "core/log.h"
#include "points/points.h"
#include "store/store.h"

static _Atomic int points_tz = 480;

void points_set_tz(int tz_offset_min)
{
    atomic_store(&points_tz, tz_offset_min);
}

/* The rule of reason: its own, else its group's. STORE_NOT_FOUND: none. */
static int rule_of(struct store_conn *c, struct arena *a, const char *reason, const char *group,
                   struct points_rule *own, struct points_rule *grp)
{
    int rc = points_rule_get(c, a, group, grp);
    if (rc == STORE_NOT_FOUND && strcmp(reason, group) != 0)
        rc = points_rule_get(c, a, reason, grp);
    if (rc)
        return rc;
    if (strcmp(reason, group) == 0) {
        *own = *grp;
        return STORE_OK;
    }
    rc = points_rule_get(c, a, reason, own);
    if (rc == STORE_NOT_FOUND) {
        *own = *grp;
        return STORE_OK;
    }
    return rc;
}

int points_award_at(struct store_conn *c, int64_t user_id, const char *reason, const char *ref_type,
                    int64_t ref_id, const char *place, int64_t base_points, unsigned flags,
                    int64_t now)
{
    if (flags & (POINTS_REJECTED | POINTS_DUPLICATE))
        return 0;
    if (base_points <= 0 || !points_reason_is_valid(reason) || !ref_type)
        return 0;
    struct arena a;
    arena_init(&a);
    int64_t granted = 0;
    int tz = atomic_load(&points_tz);
    int32_t day = points_day(now, tz);
    const char *group = points_reason_group(&a, reason);
    struct points_rule own, grp;
    bool done = false;
    int rc = points_ref_awarded(c, &a, ref_type, ref_id, &done);
    if (!rc && !done)
        rc = rule_of(c, &a, reason, group, &own, &grp);
    if (rc == STORE_NOT_FOUND) {
        log_warn("points: no rule for reason %s; nothing awarded", reason);
        rc = STORE_OK;
        done = true;
    }
    int64_t want = 0;
    if (!rc && !done) {
        want = points_apply_coefficient(base_points, own.coefficient_pct);
        done = want <= 0;
    }
    if (!rc && !done && place && *place && grp.place_cap > 0) {
        int64_t added = 0;
        rc = points_counter_add(c, &a, user_id, arena_printf(&a, "place:%s:%s", group, place), day,
                                1, grp.place_cap, &added);
        done = !added;
    }
    if (!rc && !done) {
        rc = points_counter_add(c, &a, user_id, arena_printf(&a, "day:%s", group), day, want,
                                grp.daily_cap > 0 ? grp.daily_cap : POINTS_NO_CAP, &granted);
        done = !granted;
    }
    if (!rc && !done) {
        struct points_entry e = {0};
        e.user_id = user_id;
        e.kind = "award";
        e.reason = reason;
        e.ref_type = ref_type;
        e.ref_id = ref_id;
        e.points = granted;
        e.created_at = now;
        e.expires_at = points_expiry(now, tz);
        int64_t id = 0;
        rc = points_ledger_award(c, &a, &e, &id);
        if (!rc && !id)
            granted = 0; /* another transaction awarded it first */
    }
    arena_release(&a);
    if (rc)
        return -rc;
    return (int)granted;
}

int points_award(struct store_conn *c, int64_t user_id, const char *reason, const char *ref_type,
                 int64_t ref_id, int64_t base_points, int64_t now)
{
    return points_award_at(c, user_id, reason, ref_type, ref_id, NULL, base_points, 0, now);
}

int points_reverse(struct store_conn *c, const char *ref_type, int64_t ref_id, const char *why,
                   int64_t now)
{
    if (!ref_type || !points_reason_is_valid(why))
        return -STORE_ERROR;
    struct arena a;
    arena_init(&a);
    int64_t back = 0;
    int rc = points_ledger_reverse(c, &a, ref_type, ref_id, why, now, &back);
    arena_release(&a);
    return rc ? -rc : (int)back;
}
