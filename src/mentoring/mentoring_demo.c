/*
 * mentoring_demo.c - the mentoring module's part of `warmharbor demo`: a
 * mentor (林导师, a mentor grant on the Xinnan street) and three
 * livestream hosts (two selling farm produce, one food) assigned to her,
 * each with about four months of sessions: one steady, one growing, one
 * whose last weeks fall under her own baseline, so the dashboards have
 * flags to show; one review with advice. Demo people have 199 numbers and
 * are made once; their sessions are replaced on every run.
 */
#include <stdio.h>
#include <string.h>

#include "account/account.h"
#include "app/app.h"
#include "core/clock.h"
#include "mentoring/mentoring.h"
#include "region/region.h"
#include "store/store.h"

/* The mentor grant on the street, once. */
static int demo_grant(struct store_conn *c, struct arena *a, int64_t user_id, const char *street,
                      int64_t now)
{
    struct grant *gs;
    int64_t *ids;
    size_t n;
    int rc = grant_list(c, a, user_id, &gs, &ids, &n);
    for (size_t i = 0; !rc && i < n; i++)
        if (gs[i].role == ROLE_MENTOR)
            return STORE_OK;
    struct grant_target t = {0};
    if (!rc)
        rc = region_id_by_code(c, a, street, &t.region_id);
    int64_t gid;
    return rc ? rc : grant_add(c, a, user_id, "mentor", "region", &t, 0, now, &gid);
}

int mentoring_demo(struct app *app, struct store_conn *c, int *count)
{
    static const struct {
        const char *phone, *name, *category;
        double viewers, gmv, trend, late; /* base figures; growth per week; last weeks */
    } hosts[] = {
        {"19900000301", "小蔡主播", "agriculture", 2400, 6800, 0.00, 1.0},
        {"19900000302", "阿梅直播间", "agriculture", 1500, 3900, 0.03, 1.0},
        {"19900000303", "老周卖茶", "food", 3100, 9200, 0.00, 0.45},
    };
    struct arena a;
    arena_init(&a);
    int64_t now = clock_now(), mentor;
    int tz = app->cfg.tz_offset_min;
    int made = 0;
    int rc = user_demo_person(c, &a, "19900000300", "林导师", "other", now, &mentor);
    if (!rc)
        rc = demo_grant(c, &a, mentor, "HZ-XN", now);
    if (rc == STORE_NOT_FOUND) /* no such street in this registry: no grant */
        rc = STORE_OK;
    uint32_t seed = 7;
    for (size_t h = 0; !rc && h < sizeof hosts / sizeof hosts[0]; h++) {
        int64_t id;
        rc = user_demo_person(c, &a, hosts[h].phone, hosts[h].name, "livestream_host", now, &id);
        if (!rc)
            rc = mentoring_erase_user(c, id);
        if (!rc)
            rc = mentoring_host_set_category(c, id, hosts[h].category, now);
        if (!rc)
            rc = mentoring_assign(c, id, mentor, 0, now);
        /* Three evenings a week for 17 weeks, at 20:00 local. */
        struct mentoring_session ss[60];
        size_t n = 0;
        int64_t day0 = (now + tz * 60) / 86400 - 17 * 7;
        for (int d = 0; d < 17 * 7 && n < 60; d++) {
            if (d % 7 != 1 && d % 7 != 3 && d % 7 != 5)
                continue;
            seed = seed * 1103515245u + 12345u;
            double noise = 0.85 + (double)((seed >> 16) % 300) / 1000.0;
            double growth = 1.0 + hosts[h].trend * d / 7.0;
            double late = d >= 17 * 7 - 14 ? hosts[h].late : 1.0;
            double f = noise * growth * late;
            struct mentoring_session *s = &ss[n++];
            memset(s, 0, sizeof *s);
            s->host_id = id;
            s->starts_at = (day0 + d) * 86400 + 20 * 3600 - tz * 60;
            s->duration_s = (int64_t)((150 + (seed >> 8) % 60) * 60);
            s->viewers = (int64_t)(hosts[h].viewers * f);
            s->peak = s->viewers / 9;
            s->new_followers = s->viewers / 40;
            s->orders = (int64_t)(s->viewers * 0.031 * (late < 1 ? 0.8 : 1.0));
            s->gmv_fen = (int64_t)(hosts[h].gmv * f * (late < 1 ? 0.8 : 1.0)) * 100;
            s->conversion_bp = mentoring_conversion_bp(s->orders, s->viewers);
            s->source = h == 0 ? "douyin" : "kuaishou";
        }
        size_t at;
        if (!rc)
            rc = mentoring_session_insert_all(c, &a, ss, n, now, &at);
        if (!rc && hosts[h].late < 1) {
            struct mentoring_review v = {0};
            v.session_id = ss[n - 1].id;
            v.mentor_id = mentor;
            v.summary = "最近两周观看和成交都低于你自己的水平，开场留人不够。";
            v.advice = "开播前30分钟发预告短视频\n前10分钟上福利款留人\n讲解茶叶时加上冲泡演示";
            rc = mentoring_review_insert(c, &a, &v, now);
        }
        made += !rc;
    }
    arena_release(&a);
    *count = made;
    return rc;
}
