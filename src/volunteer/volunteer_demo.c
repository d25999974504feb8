/*
 * volunteer_demo.c - the volunteer module's part of `warmharbor demo`: a
 * courier volunteer squad on each of two demo streets (Xinnan, Haizhou),
 * each with a leader and members (demo people with 199 numbers, made once
 * and reused), an activity at one of the street's sites with two shifts
 * in the coming days, and some points for past volunteering. Demo squads
 * are replaced on every run; their activities' offerings went with the
 * booking module's demo offerings.
 */
#include <stdio.h>
#include <string.h>

#include "account/account.h"
#include "app/app.h"
#include "booking/booking.h"
#include "core/clock.h"
#include "points/points.h"
#include "region/region.h"
#include "site/site.h"
#include "store/store.h"
#include "volunteer/volunteer.h"

int volunteer_demo(struct app *app, struct store_conn *c, int *count)
{
    static const struct {
        const char *street, *zh, *en, *activity_zh, *activity_en;
        const char *names[4];
    } squads[] = {
        {"HZ-XN",
         "新南街道快递小哥志愿服务队",
         "Xinnan Street courier volunteers",
         "社区文明交通劝导",
         "Road safety patrol",
         {"王骑手", "李快递", "赵跑腿", "陈外卖"}},
        {"HZ-HZ",
         "海州街道红色骑手志愿服务队",
         "Haizhou Street red rider volunteers",
         "关爱独居老人送餐",
         "Meals for elders living alone",
         {"刘小哥", "孙骑手", "周快递", "吴配送"}},
    };
    struct arena a;
    arena_init(&a);
    int64_t now = clock_now();
    int tz = app->cfg.tz_offset_min;
    int made = 0;
    int rc = squad_delete_demo(c);
    for (size_t i = 0; !rc && i < sizeof squads / sizeof squads[0]; i++) {
        struct region g;
        if (region_get(c, &a, squads[i].street, &g) != STORE_OK)
            continue;
        int64_t people[4];
        for (int k = 0; !rc && k < 4; k++) {
            char phone[16];
            snprintf(phone, sizeof phone, "199000001%zu%d", i, k);
            rc = user_demo_person(c, &a, arena_strdup(&a, phone), squads[i].names[k], "courier",
                                  now, &people[k]);
        }
        struct squad s = {0};
        s.region_id = g.id;
        s.name_zh = squads[i].zh;
        s.name_en = squads[i].en;
        s.leader_id = people[0];
        s.is_demo = true;
        if (!rc)
            rc = squad_insert(c, &a, &s, now);
        for (int k = 0; !rc && k < 4; k++)
            rc = member_add(c, s.id, people[k], now);
        made += !rc;
        /* An activity at a site of the street, two shifts. */
        struct site_query q = {0};
        q.region_code = squads[i].street;
        q.limit = 1;
        q.no_total = true;
        struct site *ss;
        size_t n = 0;
        int64_t total;
        if (rc || site_search(c, &a, &q, &ss, &n, &total) || !n)
            continue;
        struct offering o = {0};
        o.kind = "other";
        o.title_zh = squads[i].activity_zh;
        o.title_en = squads[i].activity_en;
        o.description_zh = o.description_en = "";
        o.site_id = ss[0].id;
        o.per_person_limit = 2;
        o.waitlist = true;
        o.offer_ttl_s = BOOKING_OFFER_TTL_DEFAULT;
        o.active = false;
        o.is_demo = true;
        o.created_at = o.updated_at = now;
        rc = offering_insert(c, &a, &o);
        int32_t today = booking_local_day(now, tz);
        for (int d = 2; !rc && d <= 3; d++) {
            struct slot sl = {0};
            sl.offering_id = o.id;
            sl.site_id = o.site_id;
            sl.starts_at = booking_day_start(booking_day_add(today, d), tz) + 9 * 3600;
            sl.ends_at = sl.starts_at + 3 * 3600;
            sl.capacity = 6;
            rc = slot_insert(c, &a, &sl, now);
        }
        struct activity v = {0};
        v.squad_id = s.id;
        v.offering_id = o.id;
        v.created_at = now;
        if (!rc)
            rc = activity_insert(c, &a, &v, people[0]);
        /* Points for past volunteering (once per person: the reference). */
        for (int k = 1; !rc && k < 4; k++) {
            int g2 = points_award(c, people[k], "volunteer_hour", "demo", people[k],
                                  volunteer_points_base(60 * (k + 1)), now);
            rc = g2 < 0 ? -g2 : STORE_OK;
        }
        made += !rc;
    }
    arena_release(&a);
    *count = made;
    return rc;
}
