/*
 * booking_demo.c - the booking module's part of `warmharbor demo`, after
 * the sites, the holiday calendar and the service catalogue:
 *
 *  - desk appointments of 15 minutes (social insurance, legal aid) at
 *    Xinnan Street's community stations, on working days of the next two
 *    weeks, from the weekly pattern and the calendar;
 *  - skill workshops and peer exchanges at the industry hubs, weekly for
 *    the next four weeks, with seats and waitlists;
 *  - the Spring Festival 2027 care packages of the district trade union:
 *    verified workers only, one collection slot per community station,
 *    the stock as its capacity and the collection window (25 January to
 *    4 February 2027; Chinese New Year is 6 February) as its time.
 *
 * Offerings are linked to the catalogue's demo services and organizations
 * where they exist. Demo sites are replaced on every run, and their slots
 * and bookings go with them.
 */
#include <string.h>

#include "app/app.h"
#include "booking/booking.h"
#include "calendar/calendar.h"
#include "core/clock.h"
#include "service/service.h"
#include "site/site.h"
#include "store/store.h"

struct demo_ctx {
    struct app *app;
    struct store_conn *c;
    struct arena *a;
    int64_t now;
    int tz;
    int made;
    struct hours_calendar cal;
};

/* The demo service whose name is name_zh (0 when the catalogue has none),
 * and its organization's code into *org. */
static int64_t demo_service(struct demo_ctx *d, const char *name_zh, const char **org)
{
    struct service_query q = {0};
    q.text = arena_printf(d->a, "%%%s%%", name_zh);
    q.limit = 1;
    struct service *ss;
    size_t n;
    int64_t total;
    if (service_search(d->c, d->a, &q, &ss, &n, &total) || !n)
        return 0;
    if (org)
        *org = ss[0].org.code;
    return ss[0].id;
}

static int demo_offering(struct demo_ctx *d, struct offering *o)
{
    o->is_demo = true;
    o->created_at = d->now;
    if (!o->title_en)
        o->title_en = "";
    if (!o->description_zh)
        o->description_zh = "";
    if (!o->description_en)
        o->description_en = "";
    if (!o->per_person_limit)
        o->per_person_limit = 1;
    if (!o->offer_ttl_s)
        o->offer_ttl_s = BOOKING_OFFER_TTL_DEFAULT;
    o->active = true;
    int rc = offering_insert(d->c, d->a, o);
    d->made += !rc;
    return rc;
}

static int demo_slot(struct demo_ctx *d, int64_t offering, int64_t site, int64_t start, int64_t end,
                     int64_t capacity)
{
    struct slot s = {0};
    s.offering_id = offering;
    s.site_id = site;
    s.starts_at = start;
    s.ends_at = end;
    s.capacity = capacity;
    bool made;
    int rc = slot_insert_unless_exists(d->c, d->a, &s, d->now, &made);
    d->made += !rc && made;
    return rc;
}

/* A local moment: day yyyymmdd at hh:mm. */
static int64_t demo_at(const struct demo_ctx *d, int32_t day, int hh, int mm)
{
    return booking_day_start(day, d->tz) + (int64_t)(hh * 60 + mm) * 60;
}

static int demo_sites(struct demo_ctx *d, const char *type, const char *region, struct site **out,
                      size_t *n)
{
    struct site_query q = {0};
    q.type_code = type;
    q.region_code = region;
    q.limit = 500;
    q.no_total = true;
    int64_t total;
    return site_search(d->c, d->a, &q, out, n, &total);
}

static int demo_desks(struct demo_ctx *d)
{
    static const struct {
        const char *zh, *en, *dzh, *den, *service;
    } desks[] = {
        {"社保咨询", "Social insurance consultation",
         "灵活就业参保、缴费与待遇咨询，一对一，约15分钟。",
         "Insurance for flexible workers: joining, paying, benefits. One to one, 15 minutes.",
         "社保缴费与待遇查询"},
        {"法律援助", "Legal aid", "劳动争议、工伤与交通事故的免费法律咨询。",
         "Free legal advice on labour disputes, work injuries and road accidents.",
         "律师值班法律咨询"},
    };
    struct site *ss;
    size_t n;
    int rc = demo_sites(d, "community_station", "HZ-XN", &ss, &n);
    struct booking_pattern p;
    memset(&p, 0, sizeof p);
    p.from = booking_day_add(booking_local_day(d->now, d->tz), 1);
    p.to = booking_day_add(p.from, 13);
    p.minutes = 15;
    struct booking_window am = {9 * 60, 12 * 60}, pm = {14 * 60, 17 * 60 + 30};
    for (int wd = 0; wd < 5; wd++) {
        booking_pattern_add(&p, wd, &am);
        booking_pattern_add(&p, wd, &pm);
    }
    struct booking_span *spans = arena_calloc(d->a, 400, sizeof(*spans));
    for (size_t i = 0; !rc && i < n; i++) {
        struct offering o = {0};
        size_t k = i % 2;
        o.kind = "appointment";
        o.title_zh = desks[k].zh;
        o.title_en = desks[k].en;
        o.description_zh = desks[k].dzh;
        o.description_en = desks[k].den;
        o.site_id = ss[i].id;
        o.service_id = demo_service(d, desks[k].service, &o.org_code);
        o.cancel_cutoff_s = 3600;
        rc = demo_offering(d, &o);
        size_t m = rc ? 0 : booking_generate(&p, &d->cal, d->tz, d->now, spans, 400);
        for (size_t j = 0; !rc && j < m && j < 400; j++)
            rc = demo_slot(d, o.id, ss[i].id, spans[j].starts_at, spans[j].ends_at, 1);
    }
    return rc;
}

static int demo_workshops(struct demo_ctx *d)
{
    static const struct {
        const char *zh, *en, *dzh, *service;
        int wd, hh, seats;
    } shops[] = {
        {"直播数据复盘工作坊", "Livestream data review workshop",
         "导师带你看懂流量与转化数据，现场复盘。", "直播数据分析与导师点评", 3, 19, 20},
        {"电动车安全与维修课", "E-bike safety and repair class",
         "刹车、电池与线路的日常检查，雨天骑行安全。", "电动车维修技能培训", 2, 15, 16},
        {"骑手经验交流会", "Riders' peer exchange", "跑单路线、平台规则与权益经验分享。", NULL, 4,
         20, 30},
        {"新能源车充电安全讲座", "EV charging safety talk", "网约车司机充电安全与保养。", NULL, 1,
         14, 24},
    };
    struct site *hubs;
    size_t n;
    int rc = demo_sites(d, "industry_hub", NULL, &hubs, &n);
    int32_t today = booking_local_day(d->now, d->tz);
    for (size_t i = 0; !rc && i < n; i++) {
        size_t k = i % (sizeof shops / sizeof shops[0]);
        struct offering o = {0};
        o.kind = "workshop";
        o.title_zh = shops[k].zh;
        o.title_en = shops[k].en;
        o.description_zh = shops[k].dzh;
        o.site_id = hubs[i].id;
        if (shops[k].service)
            o.service_id = demo_service(d, shops[k].service, &o.org_code);
        o.waitlist = true;
        o.offer_ttl_s = 4 * 3600;
        o.cancel_cutoff_s = 2 * 3600;
        rc = demo_offering(d, &o);
        for (int week = 0; !rc && week < 4; week++) {
            int32_t day = booking_day_add(today, 1);
            while (booking_weekday(day) != shops[k].wd)
                day = booking_day_add(day, 1);
            day = booking_day_add(day, 7 * week);
            if (booking_pattern_weekday(day, &d->cal) == 0)
                continue;
            int64_t start = demo_at(d, day, shops[k].hh, 0);
            rc = demo_slot(d, o.id, hubs[i].id, start, start + 90 * 60, shops[k].seats);
        }
    }
    return rc;
}

static int demo_packages(struct demo_ctx *d)
{
    struct offering o = {0};
    struct organization union_org;
    o.kind = "package";
    o.title_zh = "2027春节暖新关爱礼包";
    o.title_en = "Spring Festival 2027 care package";
    o.description_zh = "米、油、春联与防寒用品。凭本人二维码在所选驿站领取，每人一份。";
    o.description_en = "Rice, oil, couplets and winter gear. Collect at the station you "
                       "chose with your own QR code; one per person.";
    if (organization_get(d->c, d->a, "hz-trade-union", &union_org) == STORE_OK)
        o.org_code = union_org.code;
    o.verification_required = true;
    o.cancel_cutoff_s = 86400;
    o.waitlist = true;
    o.offer_ttl_s = 86400;
    int rc = demo_offering(d, &o);
    struct site *ss;
    size_t n;
    if (!rc)
        rc = demo_sites(d, "community_station", NULL, &ss, &n);
    int64_t start = demo_at(d, 20270125, 9, 0), end = demo_at(d, 20270204, 18, 0);
    for (size_t i = 0; !rc && i < n; i++)
        if (strcmp(ss[i].status, "planned") != 0)
            rc = demo_slot(d, o.id, ss[i].id, start, end, 20 + (int64_t)(ss[i].id * 7 % 41));
    return rc;
}

int booking_demo(struct app *app, struct store_conn *c, int *count)
{
    struct arena a;
    arena_init(&a);
    struct demo_ctx d = {app, c, &a, clock_now(), app->cfg.tz_offset_min, 0, {NULL, 0}};
    int rc = offering_delete_demo(c);
    if (!rc)
        rc = calendar_load(c, &a, d.now, d.tz, &d.cal);
    if (!rc)
        rc = demo_desks(&d);
    if (!rc)
        rc = demo_workshops(&d);
    if (!rc)
        rc = demo_packages(&d);
    *count = d.made;
    arena_release(&a);
    return rc;
}
