/*
 * feed_http.c - calendar feeds (RFC 5545) for calendar apps:
 *   GET    /api/me/calendar-feed            whether I have one, and since when
 *   POST   /api/me/calendar-feed            make one (or a new one: the old URL stops)
 *   DELETE /api/me/calendar-feed            revoke it
 *   GET    /api/feeds/{token}/bookings.ics  my bookings (the token is the secret)
 *   GET    /api/sites/{id}/calendar.ics     a site's workshops and events (public)
 * Booking data comes from the booking module's store API; the text is
 * written by core/ical.
 */
#include <stdio.h>
#include <string.h>

#include "account/account.h"
#include "app/app.h"
#include "booking/booking.h"
#include "core/clock.h"
#include "core/ical.h"
#include "core/strbuf.h"
#include "feed/feed.h"
#include "site/site.h"
#include "store/store.h"

/* "https://host" as the client reached us (for links in the feed). */
static const char *origin(struct req *r)
{
    const char *host = req_header(r, "Host");
    const char *proto = req_header(r, "X-Forwarded-Proto");
    bool https = proto && strcmp(proto, "https") == 0;
    return arena_printf(&r->arena, "%s://%s", https ? "https" : "http",
                        host && *host ? host : "localhost");
}

static const char *feed_url(struct req *r, const char *token)
{
    return arena_printf(&r->arena, "%s/api/feeds/%s/bookings.ics", origin(r), token);
}

static int reply_calendar(struct req *r, struct strbuf *sb, const char *filename)
{
    reply_header(r, "Content-Disposition",
                 arena_printf(&r->arena, "inline; filename=\"%s\"", filename));
    reply_header(r, "Cache-Control", "private, max-age=300");
    size_t len;
    char *text = strbuf_detach(sb, &len);
    return reply_take(r, 200, "text/calendar; charset=utf-8", text, len);
}

/* A slot as an event: "title · site" in the person's language (zh first,
 * then en), at the site's position. */
static void slot_event(struct req *r, struct store_conn *c, const struct slot *s, const char *uid,
                       const char *url, bool cancelled, int64_t stamp, int64_t sequence,
                       struct strbuf *out)
{
    struct site site;
    bool has_site = site_get(c, &r->arena, s->site_id, &site) == STORE_OK;
    const char *summary = s->title_en && *s->title_en
                              ? arena_printf(&r->arena, "%s / %s", s->title_zh, s->title_en)
                              : s->title_zh;
    const char *location = NULL;
    if (has_site)
        location = site.address_zh && *site.address_zh
                       ? arena_printf(&r->arena, "%s, %s", site.name_zh, site.address_zh)
                       : site.name_zh;
    struct ical_event e = {.uid = uid,
                           .start = s->starts_at,
                           .end = s->ends_at,
                           .stamp = stamp,
                           .summary = summary,
                           .location = location,
                           .url = url,
                           .has_geo = has_site,
                           .lat = has_site ? site.lat : 0,
                           .lon = has_site ? site.lon : 0,
                           .cancelled = cancelled,
                           .sequence = sequence};
    ical_add_event(out, &e);
}

/* ---- a person's feed -------------------------------------------------- */

static int get_my_feed(struct req *r)
{
    const struct principal *p = req_principal(r);
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    int64_t created, read;
    int rc = feed_get(c, &r->arena, p->user_id, &created, &read);
    if (rc)
        return reply_store_error(r, rc, "calendar feed");
    char a[40], b[40];
    int tz = r->app->cfg.tz_offset_min;
    json_t *o = json_pack("{s:b}", "active", created != 0);
    json_object_set_new(o, "created_at",
                        created ? json_string(clock_format_iso(created, tz, a, sizeof a))
                                : json_null());
    json_object_set_new(o, "last_read_at",
                        read ? json_string(clock_format_iso(read, tz, b, sizeof b)) : json_null());
    return reply_json(r, 200, o);
}

static int post_my_feed(struct req *r)
{
    const struct principal *p = req_principal(r);
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    const char *token = account_token_new(&r->arena);
    int rc = feed_put(c, p->user_id, account_token_hash(&r->arena, account_key(r->app), token),
                      clock_now());
    if (rc)
        return reply_store_error(r, rc, "calendar feed");
    /* The URL is shown once; only its hash is kept. */
    return reply_json(
        r, 201,
        json_pack("{s:s, s:s}", "url", feed_url(r, token), "webcal",
                  arena_printf(&r->arena, "webcal://%s", strstr(feed_url(r, token), "://") + 3)));
}

static int delete_my_feed(struct req *r)
{
    const struct principal *p = req_principal(r);
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    int rc = feed_delete(c, p->user_id);
    if (rc)
        return reply_store_error(r, rc, "calendar feed");
    return reply_empty(r, 204);
}

static int get_bookings_ics(struct req *r)
{
    const char *token = req_param(r, "token");
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    int64_t user_id, now = clock_now();
    int rc =
        strlen(token) > 100
            ? STORE_NOT_FOUND
            : feed_owner(c, &r->arena, account_token_hash(&r->arena, account_key(r->app), token),
                         now, &user_id);
    if (rc == STORE_NOT_FOUND) /* unknown or revoked: the same answer */
        return reply_error(r, 404, "not_found", NULL, "no such calendar feed");
    if (rc)
        return reply_store_error(r, rc, "calendar feed");
    struct booking *bs;
    size_t n;
    rc = booking_list_user(c, &r->arena, user_id, false, FEED_MAX_EVENTS, 0, &bs, &n);
    if (rc)
        return reply_store_error(r, rc, "bookings");
    struct strbuf sb = STRBUF_INIT;
    ical_begin(&sb, "暖新预约 Warm New bookings");
    const char *base = origin(r);
    for (size_t i = 0; i < n; i++) {
        const struct booking *b = &bs[i];
        const char *st = b->state;
        /* What the person goes to, and what was called off (so calendar
         * apps remove it); not waitlist places or lapsed holds. */
        bool going = strcmp(st, "confirmed") == 0 || strcmp(st, "checked_in") == 0 ||
                     strcmp(st, "offered") == 0 || strcmp(st, "held") == 0;
        bool cancelled = strcmp(st, "cancelled") == 0 || strcmp(st, "no_show") == 0;
        if ((!going && !cancelled) || b->slot.ends_at < now - FEED_PAST_S ||
            b->slot.starts_at > now + FEED_AHEAD_S)
            continue;
        char uid[64];
        snprintf(uid, sizeof uid, "booking-%lld@warmharbor", (long long)b->id);
        slot_event(r, c, &b->slot, uid,
                   arena_printf(&r->arena, "%s/#/bookings/%lld", base, (long long)b->id), cancelled,
                   b->updated_at ? b->updated_at : b->created_at, cancelled ? 1 : 0, &sb);
    }
    ical_end(&sb);
    return reply_calendar(r, &sb, "bookings.ics");
}

/* ---- a site's public calendar ---------------------------------------- */

static int get_site_ics(struct req *r)
{
    int64_t site_id;
    if (req_param_id_or_reply(r, "id", "site", &site_id))
        return r->status;
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return r->status;
    struct site site;
    int rc = site_get(c, &r->arena, site_id, &site);
    if (rc)
        return reply_store_error(r, rc, "site");
    int64_t now = clock_now();
    struct slot_query q = {.site_id = site_id,
                           .from = now - 86400,
                           .to = now + FEED_AHEAD_S,
                           .now = now,
                           .limit = FEED_MAX_EVENTS};
    struct slot *ss;
    size_t n;
    int64_t total;
    rc = slot_list(c, &r->arena, &q, &ss, &n, &total);
    if (rc)
        return reply_store_error(r, rc, "slots");
    struct strbuf sb = STRBUF_INIT;
    ical_begin(&sb, arena_printf(&r->arena, "%s · 暖新活动", site.name_zh));
    const char *base = origin(r);
    for (size_t i = 0; i < n; i++) {
        /* Desk appointments are many small slots: the calendar shows the
         * events people come to (workshops, packages to collect, other). */
        if (strcmp(ss[i].kind, "appointment") == 0 || strcmp(ss[i].kind, "fair_booth") == 0)
            continue;
        char uid[64];
        snprintf(uid, sizeof uid, "slot-%lld@warmharbor", (long long)ss[i].id);
        slot_event(r, c, &ss[i], uid,
                   arena_printf(&r->arena, "%s/#/slots/%lld", base, (long long)ss[i].id),
                   strcmp(ss[i].state, "cancelled") == 0, now, 0, &sb);
    }
    ical_end(&sb);
    return reply_calendar(r, &sb, arena_printf(&r->arena, "site-%lld.ics", (long long)site_id));
}

/* ---- personal data ---------------------------------------------------- */

static int feed_export_personal(struct app *app, struct store_conn *c, struct arena *a,
                                int64_t user_id, json_t **out)
{
    int64_t created, read;
    int rc = feed_get(c, a, user_id, &created, &read);
    if (rc || !created)
        return rc;
    char when[40];
    *out = json_pack("{s:s, s:s}", "calendar_feed", "active", "created_at",
                     clock_format_iso(created, app->cfg.tz_offset_min, when, sizeof when));
    return STORE_OK;
}

static int feed_erase_personal(struct app *app, struct store_conn *c, int64_t user_id)
{
    return feed_delete(c, user_id);
}

static const struct route feed_routes[] = {
    {HTTP_GET, "/api/me/calendar-feed", get_my_feed, ACCESS_SIGNED_IN, BODY_NONE, SCOPE_ANY},
    {HTTP_POST, "/api/me/calendar-feed", post_my_feed, ACCESS_SIGNED_IN, BODY_NONE, SCOPE_ANY},
    {HTTP_DELETE, "/api/me/calendar-feed", delete_my_feed, ACCESS_SIGNED_IN, BODY_NONE, SCOPE_ANY},
    {HTTP_GET, "/api/feeds/{token}/bookings.ics", get_bookings_ics, ACCESS_PUBLIC, BODY_NONE,
     SCOPE_ANY},
    {HTTP_GET, "/api/sites/{id}/calendar.ics", get_site_ics, ACCESS_PUBLIC, BODY_NONE, SCOPE_ANY},
};

const struct module feed_module = {
    .name = "feed",
    .routes = feed_routes,
    .nroutes = sizeof feed_routes / sizeof feed_routes[0],
    .export_personal = feed_export_personal,
    .erase_personal = feed_erase_personal,
};
