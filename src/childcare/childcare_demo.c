/*
 * childcare_demo.c - the childcare module's part of `warmharbor demo`: 35
 * summer programmes for workers' children in summer 2027, at the community
 * stations and the industry hubs, in blocks of two to four weeks, each
 * with an age range, places, lunch or not, and a daily timetable of
 * supervision, homework help and a heritage activity of the region
 * (paper-cutting, Huaiyang opera, kites, clay figures, calligraphy ...).
 * Demo programmes are replaced on every run.
 */
#include <string.h>

#include "app/app.h"
#include "booking/booking.h"
#include "childcare/childcare.h"
#include "core/clock.h"
#include "site/site.h"
#include "store/store.h"

#define DEMO_PROGRAMMES 35

static const struct {
    const char *zh, *en;
} heritage[] = {
    {"剪纸", "Paper-cutting"},  {"淮扬戏曲", "Huaiyang opera"}, {"风筝扎制", "Kite making"},
    {"泥塑", "Clay figures"},   {"书法", "Calligraphy"},        {"扎染", "Tie-dye"},
    {"皮影", "Shadow puppets"},
};
#define NHERITAGE (sizeof heritage / sizeof heritage[0])

static const char consent_zh[] =
    "监护人同意书（2027版）\n"
    "一、本人为所报名儿童的法定监护人，所填信息真实。\n"
    "二、托管期间，工作人员负责看护、作业辅导和非遗活动；如遇突发疾病或受伤，工作人员将先行"
    "处置并立即联系监护人和紧急联系人。\n"
    "三、儿童的健康情况和接送人信息加密保存，只有监护人和本托管班工作人员可以查看；托管结束"
    "后按规定时间自动删除。\n"
    "四、接孩子时须出示监护人或授权接送人的动态接送码，否则不予接走。\n"
    "五、儿童照片不公开发布。";
static const char consent_en[] =
    "Guardian consent (2027 edition)\n"
    "1. I am the legal guardian of the children I enrol and what I entered is true.\n"
    "2. Staff supervise, help with homework and run heritage activities; in case of sudden "
    "illness or injury they give first care and call the guardian and the emergency contacts "
    "at once.\n"
    "3. Health notes and pickup people are stored encrypted, seen only by the guardian and "
    "this programme's staff, and erased automatically a set time after the programme ends.\n"
    "4. A child is handed over only against the current pickup code of the guardian or an "
    "authorised person.\n"
    "5. Photos of children are never published.";

static const char *timetable(struct arena *a, size_t k, bool lunch)
{
    return arena_printf(
        a,
        "[{\"start\":\"08:30\",\"end\":\"09:00\",\"kind\":\"supervision\",\"title_zh\":\"入园"
        "看护\",\"title_en\":\"Arrival and supervision\"},"
        "{\"start\":\"09:00\",\"end\":\"10:30\",\"kind\":\"homework\",\"title_zh\":\"暑假作业"
        "辅导\",\"title_en\":\"Holiday homework help\"},"
        "{\"start\":\"10:45\",\"end\":\"11:45\",\"kind\":\"heritage\",\"title_zh\":\"非遗课堂："
        "%s\",\"title_en\":\"Heritage class: %s\"},"
        "%s"
        "{\"start\":\"14:00\",\"end\":\"16:00\",\"kind\":\"supervision\",\"title_zh\":\"阅读与"
        "游戏\",\"title_en\":\"Reading and games\"},"
        "{\"start\":\"16:00\",\"end\":\"17:30\",\"kind\":\"supervision\",\"title_zh\":\"等候"
        "接送\",\"title_en\":\"Waiting to be collected\"}]",
        heritage[k % NHERITAGE].zh, heritage[k % NHERITAGE].en,
        lunch ? "{\"start\":\"12:00\",\"end\":\"13:30\",\"kind\":\"lunch\",\"title_zh\":\"午餐"
                "和午休\",\"title_en\":\"Lunch and rest\"},"
              : "{\"start\":\"12:00\",\"end\":\"14:00\",\"kind\":\"rest\",\"title_zh\":\"午休"
                "（自带午餐）\",\"title_en\":\"Rest (bring lunch)\"},");
}

int childcare_demo(struct app *app, struct store_conn *c, int *count)
{
    struct arena a;
    arena_init(&a);
    *count = 0;
    int tz = app->cfg.tz_offset_min;
    int rc = programme_delete_demo(c);
    struct site *stations = NULL, *hubs = NULL;
    size_t ns = 0, nh = 0;
    int64_t total;
    if (!rc) {
        struct site_query q = {.type_code = "community_station", .limit = 500, .no_total = true};
        rc = site_search(c, &a, &q, &stations, &ns, &total);
    }
    if (!rc) {
        struct site_query q = {.type_code = "industry_hub", .limit = 500, .no_total = true};
        rc = site_search(c, &a, &q, &hubs, &nh, &total);
    }
    if (rc || ns + nh == 0) {
        arena_release(&a);
        return rc;
    }
    /* Four blocks of summer 2027: July 5, July 19, August 2, August 16. */
    static const int32_t starts[] = {20270705, 20270719, 20270802, 20270816};
    static const int weeks[] = {2, 2, 2, 2, 4};
    static const struct {
        int lo, hi;
    } ages[] = {{6, 9}, {8, 12}, {6, 12}, {10, 14}, {5, 8}};
    int64_t now = clock_now();
    for (size_t k = 0; !rc && k < DEMO_PROGRAMMES; k++) {
        /* Two of three at stations, one of three at hubs (where they exist). */
        const struct site *s = (k % 3 == 2 && nh) || !ns ? &hubs[(k / 3) % nh] : &stations[k % ns];
        struct programme p = {0};
        p.site_id = s->id;
        p.first_day = starts[k % 4];
        int w = weeks[k % 5] == 4 && k % 4 < 3 ? 4 : 2;
        p.last_day = booking_day_add(p.first_day, w * 7 - 3); /* Monday to Friday */
        p.starts_at = booking_day_start(p.first_day, tz);
        p.ends_at = booking_day_start(booking_day_add(p.last_day, 1), tz);
        p.lunch = k % 4 != 1;
        p.age_min = ages[k % 5].lo;
        p.age_max = ages[k % 5].hi;
        p.capacity = 20 + (int64_t)(k % 4) * 5;
        p.offer_ttl_s = CHILDCARE_OFFER_TTL_DEFAULT;
        p.title_zh = arena_printf(&a, "%s暑期托管班·%s", s->name_zh, heritage[k % NHERITAGE].zh);
        p.title_en = arena_printf(&a, "%s summer childcare: %s",
                                  s->name_en && *s->name_en ? s->name_en : s->name_zh,
                                  heritage[k % NHERITAGE].en);
        p.description_zh = "“孩子安全了，我们干活才安心。”为快递员、外卖骑手等新就业群体子女提供"
                           "暑期看护、作业辅导和非遗体验，工作日08:30—17:30。";
        p.description_en = "\"With the kids safe we can work worry-free.\" Summer supervision, "
                           "homework help and heritage activities for the children of couriers, "
                           "riders and other new-employment workers, weekdays 08:30-17:30.";
        p.timetable = timetable(&a, k, p.lunch);
        p.consent_version = "2027.1";
        p.consent_zh = consent_zh;
        p.consent_en = consent_en;
        p.is_demo = true;
        p.created_at = now;
        rc = programme_insert(c, &a, &p);
        *count += !rc;
    }
    arena_release(&a);
    return rc;
}
