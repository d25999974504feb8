/*
 * supply_test.c - unit tests for the rules of supplies in
 * src/supply/supply.c.
 *
 * Expiry: a batch is usable through its date, "expiring" from thirty
 * days before it, expired the day after; a batch without a date never
 * expires. Levels: usable, expiring and expired stock, the minimum and
 * whether a site needs anything. Which batches a use takes from: those
 * expiring first, undated ones last, never expired ones (and discarding
 * takes only expired ones); too little stock is refused whole. Dates across
 * a year's end and a leap February, and local dates in China's time.
 */
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "supply/supply.h"
#include "test.h"

static void test_days_between(void)
{
    CHECK_INT(supply_days_between(20261231, 20270101), 1);
    CHECK_INT(supply_days_between(20240228, 20240301), 2);
    CHECK_INT(supply_days_between(20250228, 20250301), 1);
    CHECK_INT(supply_days_between(20260310, 20260301), -9);
    CHECK_INT(supply_days_between(20260101, 20260101), 0);
}

static void test_batch_state(void)
{
    int32_t today = 20260301;
    CHECK_INT(supply_batch_state(0, today), SUPPLY_OK);
    CHECK_INT(supply_batch_state(20260301, today), SUPPLY_EXPIRING); /* usable today */
    CHECK_INT(supply_batch_state(20260228, today), SUPPLY_EXPIRED);
    CHECK_INT(supply_batch_state(20260331, today), SUPPLY_EXPIRING); /* 30 days */
    CHECK_INT(supply_batch_state(20260401, today), SUPPLY_OK);       /* 31 days */
    CHECK_STR(supply_state_name(SUPPLY_EXPIRED), "expired");
    CHECK_STR(supply_state_name(SUPPLY_EXPIRING), "expiring");
    CHECK_STR(supply_state_name(SUPPLY_OK), "ok");
}

static void test_levels(void)
{
    int32_t today = 20261220;
    struct supply_batch bs[] = {
        {1, 9, "plasters", 20261210, 5}, /* expired */
        {2, 9, "plasters", 20270105, 4}, /* expiring, across the year's end */
        {3, 9, "plasters", 20270801, 6},
        {4, 9, "plasters", 0, 0}, /* empty: ignored */
    };
    struct supply_level l = {.item = "plasters"};
    for (size_t i = 0; i < 4; i++)
        supply_level_add(&l, &bs[i], today);
    supply_level_finish(&l, 10);
    CHECK_INT(l.usable, 10);
    CHECK_INT(l.expiring, 4);
    CHECK_INT(l.expired, 5);
    CHECK_INT(l.next_expiry, 20270105);
    CHECK(!l.low);
    CHECK(supply_level_needs(&l)); /* expiring and expired stock */
    supply_level_finish(&l, 11);
    CHECK(l.low);

    struct supply_level fine = {.item = "rain_poncho"};
    struct supply_batch p = {5, 9, "rain_poncho", 0, 12};
    supply_level_add(&fine, &p, today);
    supply_level_finish(&fine, 10);
    CHECK(!fine.low);
    CHECK_INT(fine.next_expiry, 0);
    CHECK(!supply_level_needs(&fine));
    /* No minimum set: never low. */
    struct supply_level none = {.item = "gauze"};
    supply_level_finish(&none, 0);
    CHECK(!none.low);
    CHECK(!supply_level_needs(&none));
}

static void test_plan_first_expiring_first(void)
{
    int32_t today = 20260301;
    struct supply_batch bs[] = {
        {10, 1, "cold_medicine", 0, 5}, /* never expires: last */
        {11, 1, "cold_medicine", 20260601, 3},
        {12, 1, "cold_medicine", 20260310, 2}, /* first */
        {13, 1, "cold_medicine", 20260201, 7}, /* expired: never used */
    };
    int64_t take[4], avail;
    CHECK_INT(supply_plan(bs, 4, 4, "use", today, take, &avail), 0);
    CHECK_INT(avail, 10);
    CHECK_INT(take[2], 2);
    CHECK_INT(take[1], 2);
    CHECK_INT(take[0], 0);
    CHECK_INT(take[3], 0);
    CHECK_INT(supply_plan(bs, 4, 10, "damaged", today, take, &avail), 0);
    CHECK_INT(take[0] + take[1] + take[2], 10);
    CHECK_INT(take[0], 5);
    CHECK_INT(take[3], 0);
    /* Too much: refused whole, with what there is. */
    CHECK_INT(supply_plan(bs, 4, 11, "use", today, take, &avail), -1);
    CHECK_INT(avail, 10);
    /* Discarding takes only expired stock. */
    CHECK_INT(supply_plan(bs, 4, 7, "expired", today, take, &avail), 0);
    CHECK_INT(avail, 7);
    CHECK_INT(take[3], 7);
    CHECK_INT(take[0] + take[1] + take[2], 0);
    CHECK_INT(supply_plan(bs, 4, 8, "expired", today, take, &avail), -1);
    /* Nothing at all. */
    CHECK_INT(supply_plan(NULL, 0, 1, "use", today, take, &avail), -1);
    CHECK_INT(avail, 0);
}

static void test_plan_same_date_by_id(void)
{
    struct supply_batch bs[] = {
        {21, 1, "gauze", 20260601, 1},
        {20, 1, "gauze", 20260601, 1},
    };
    int64_t take[2], avail;
    CHECK_INT(supply_plan(bs, 2, 1, "use", 20260301, take, &avail), 0);
    CHECK_INT(take[1], 1);
    CHECK_INT(take[0], 0);
}

static void test_reasons_and_dates(void)
{
    CHECK(supply_use_reason_is_valid("use"));
    CHECK(supply_use_reason_is_valid("expired"));
    CHECK(supply_use_reason_is_valid("damaged"));
    CHECK(!supply_use_reason_is_valid("restock"));
    CHECK(!supply_use_reason_is_valid(""));
    int64_t t;
    clock_parse_iso("2026-12-31T23:30:00+08:00", 480, &t);
    CHECK_INT(supply_date_of(t, 480), 20261231);
    CHECK_INT(supply_date_of(t + 1800, 480), 20270101);
    CHECK_INT(supply_date_of(t, 0), 20261231);
    CHECK_INT(supply_date_of(-1, 0), 19691231);
}

int main(void)
{
    RUN(test_days_between);
    RUN(test_batch_state);
    RUN(test_levels);
    RUN(test_plan_first_expiring_first);
    RUN(test_plan_same_date_by_id);
    RUN(test_reasons_and_dates);
    return test_report("supply");
}
