/*
 * supply.c - the rules of supplies: expiry states, what a site holds of
 * an item and whether it needs anything, and which batches a use takes
 * from. No HTTP, no SQL.
 */
#include <string.h>

#include "core/clock.h"
#include "supply/supply.h"

static int64_t days_of(int32_t ymd)
{
    return clock_days_from_civil(ymd / 10000, ymd / 100 % 100, ymd % 100);
}

int64_t supply_days_between(int32_t today, int32_t date)
{
    return days_of(date) - days_of(today);
}

enum supply_state supply_batch_state(int32_t expires_on, int32_t today)
{
    if (!expires_on)
        return SUPPLY_OK;
    int64_t left = supply_days_between(today, expires_on);
    if (left < 0)
        return SUPPLY_EXPIRED;
    return left <= SUPPLY_EXPIRING_DAYS ? SUPPLY_EXPIRING : SUPPLY_OK;
}

const char *supply_state_name(enum supply_state s)
{
    return s == SUPPLY_EXPIRED ? "expired" : s == SUPPLY_EXPIRING ? "expiring" : "ok";
}

void supply_level_add(struct supply_level *l, const struct supply_batch *b, int32_t today)
{
    if (b->quantity <= 0)
        return;
    enum supply_state s = supply_batch_state(b->expires_on, today);
    if (s == SUPPLY_EXPIRED) {
        l->expired += b->quantity;
        return;
    }
    l->usable += b->quantity;
    if (s == SUPPLY_EXPIRING)
        l->expiring += b->quantity;
    if (b->expires_on && (!l->next_expiry || b->expires_on < l->next_expiry))
        l->next_expiry = b->expires_on;
}

void supply_level_finish(struct supply_level *l, int64_t minimum)
{
    l->minimum = minimum;
    l->low = l->usable < minimum;
}

bool supply_level_needs(const struct supply_level *l)
{
    return l->low || l->expiring > 0 || l->expired > 0;
}

bool supply_use_reason_is_valid(const char *reason)
{
    return strcmp(reason, "use") == 0 || strcmp(reason, "expired") == 0 ||
           strcmp(reason, "damaged") == 0;
}

/* Which of two batches goes first: the earlier expiry, a batch that never
 * expires last, then the lower id. */
static bool goes_before(const struct supply_batch *a, const struct supply_batch *b)
{
    int32_t ea = a->expires_on ? a->expires_on : INT32_MAX;
    int32_t eb = b->expires_on ? b->expires_on : INT32_MAX;
    return ea != eb ? ea < eb : a->id < b->id;
}

int supply_plan(const struct supply_batch *batches, size_t n, int64_t quantity, const char *reason,
                int32_t today, int64_t *take, int64_t *available)
{
    bool discard = strcmp(reason, "expired") == 0;
    *available = 0;
    for (size_t i = 0; i < n; i++) {
        take[i] = 0;
        bool expired = supply_batch_state(batches[i].expires_on, today) == SUPPLY_EXPIRED;
        if (expired == discard && batches[i].quantity > 0)
            *available += batches[i].quantity;
    }
    if (*available < quantity)
        return -1;
    int64_t left = quantity;
    while (left > 0) {
        /* The first eligible batch with stock left, in the order above. */
        size_t best = n;
        for (size_t i = 0; i < n; i++) {
            bool expired = supply_batch_state(batches[i].expires_on, today) == SUPPLY_EXPIRED;
            if (expired != discard || batches[i].quantity - take[i] <= 0)
                continue;
            if (best == n || goes_before(&batches[i], &batches[best]))
                best = i;
        }
        if (best == n)
            return -1;
        int64_t room = batches[best].quantity - take[best];
        int64_t t = room < left ? room : left;
        take[best] += t;
        left -= t;
    }
    return 0;
}

int32_t supply_date_of(int64_t t, int tz)
{
    int64_t local = t + (int64_t)tz * 60;
    int64_t days = local / 86400 - (local % 86400 < 0);
    int y, m, d;
    clock_civil_from_days(days, &y, &m, &d);
    return y * 10000 + m * 100 + d;
}
