/*
 * booking_notice.c - what a person is told about their bookings, through
 * their inbox: posted with inbox_post inside the transaction that made the
 * change (so a notice exists if and only if its change committed), and
 * announced to their open streams after the commit.
 *
 *   booking_confirmed              a booking, a confirmed hold, an accepted offer
 *   waitlist_offer                 a freed seat waits for them; hidden when
 *                                  the offer ends
 *   booking_reminder               the day before (the module's tick)
 *   booking_cancelled_by_provider  the provider cancelled the slot
 */
#include <stdio.h>
#include <string.h>

#include "app/app.h"
#include "booking/booking.h"
#include "core/clock.h"
#include "inbox/inbox.h"
#include "store/store.h"

static const char *const month_en[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/* Local calendar fields of t. */
static void local_parts(int64_t t, int tz, int *y, int *mo, int *d, int *h, int *mi)
{
    int32_t day = booking_local_day(t, tz);
    int64_t minutes = (t - booking_day_start(day, tz)) / 60;
    *y = day / 10000;
    *mo = day / 100 % 100;
    *d = day % 100;
    *h = (int)(minutes / 60);
    *mi = (int)(minutes % 60);
}

/* "12月9日 19:00" / "9 Dec 19:00". */
static const char *moment_text(struct arena *a, int64_t t, int tz, bool zh)
{
    int y, mo, d, h, mi;
    local_parts(t, tz, &y, &mo, &d, &h, &mi);
    return zh ? arena_printf(a, "%d月%d日 %02d:%02d", mo, d, h, mi)
              : arena_printf(a, "%d %s %02d:%02d", d, month_en[mo - 1], h, mi);
}

/* A slot's time: "12月9日 19:00-20:30", or over days "1月25日 09:00 至
 * 2月4日 18:00" ("25 Jan 09:00 to 4 Feb 18:00"). */
static const char *span_text(struct arena *a, const struct slot *s, int tz, bool zh)
{
    const char *from = moment_text(a, s->starts_at, tz, zh);
    if (booking_local_day(s->starts_at, tz) == booking_local_day(s->ends_at - 1, tz)) {
        int y, mo, d, h, mi;
        local_parts(s->ends_at, tz, &y, &mo, &d, &h, &mi);
        if (h == 0 && mi == 0)
            h = 24;
        return arena_printf(a, "%s-%02d:%02d", from, h, mi);
    }
    return arena_printf(a, "%s %s %s", from, zh ? "至" : "to", moment_text(a, s->ends_at, tz, zh));
}

/* s cut to at most max bytes at a character boundary (UTF-8). */
static const char *clip(struct arena *a, const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n <= max)
        return s;
    while (n > max || (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80))
        n--;
    return arena_strndup(a, s, n);
}

static const char *or_zh(const char *en, const char *zh)
{
    return en && *en ? en : zh ? zh : "";
}

void booking_notified_reset(struct booking_notified *nt)
{
    nt->n = 0;
}

static void notified_add(struct arena *a, struct booking_notified *nt, int64_t user_id)
{
    for (size_t i = 0; i < nt->n; i++)
        if (nt->users[i] == user_id)
            return;
    if (nt->n == nt->cap) {
        size_t cap = nt->cap ? nt->cap * 2 : 8;
        int64_t *users = arena_calloc(a, cap, sizeof(*users));
        if (nt->n)
            memcpy(users, nt->users, nt->n * sizeof(*users));
        nt->users = users;
        nt->cap = cap;
    }
    nt->users[nt->n++] = user_id;
}

int booking_notify(struct store_conn *c, struct arena *a, int tz, const struct booking *b,
                   enum booking_notice what, struct booking_notified *nt)
{
    const struct slot *s = &b->slot;
    const char *title_zh = s->title_zh ? s->title_zh : "";
    const char *title_en = or_zh(s->title_en, title_zh);
    const char *site_zh = s->site_name_zh ? s->site_name_zh : "";
    const char *site_en = or_zh(s->site_name_en, site_zh);
    const char *when_zh = span_text(a, s, tz, true);
    const char *when_en = span_text(a, s, tz, false);
    const char *kind, *tz_title, *te_title, *bz, *be;
    int64_t expires = 0;
    switch (what) {
    case BOOKING_NOTICE_CONFIRMED:
        kind = "booking_confirmed";
        tz_title = arena_printf(a, "预约成功：%s", title_zh);
        te_title = arena_printf(a, "Booked: %s", title_en);
        bz = arena_printf(a, "%s，%s。到场后请出示预约二维码签到。", when_zh, site_zh);
        be = arena_printf(a,
                          "%s, %s. Show the booking's QR code when you "
                          "arrive.",
                          when_en, site_en);
        break;
    case BOOKING_NOTICE_OFFER:
        kind = "waitlist_offer";
        tz_title = arena_printf(a, "候补名额已为您保留：%s", title_zh);
        te_title = arena_printf(a, "A place came free for you: %s", title_en);
        bz = arena_printf(a, "%s，%s。请在%s前确认，逾期名额将顺延给下一位。", when_zh, site_zh,
                          moment_text(a, b->offer_until, tz, true));
        be = arena_printf(a,
                          "%s, %s. Accept by %s, or the place goes to the "
                          "next in line.",
                          when_en, site_en, moment_text(a, b->offer_until, tz, false));
        expires = b->offer_until;
        break;
    case BOOKING_NOTICE_REMINDER:
        kind = "booking_reminder";
        tz_title = arena_printf(a, "明天的预约：%s", title_zh);
        te_title = arena_printf(a, "Tomorrow: %s", title_en);
        bz = arena_printf(a, "%s，%s。如不能前往，请提前取消，把名额留给他人。", when_zh, site_zh);
        be = arena_printf(a,
                          "%s, %s. If you cannot come, please cancel so "
                          "someone else can have the place.",
                          when_en, site_en);
        expires = s->ends_at;
        break;
    case BOOKING_NOTICE_CANCELLED_BY_PROVIDER:
    default:
        kind = "booking_cancelled_by_provider";
        tz_title = arena_printf(a, "预约已取消：%s", title_zh);
        te_title = arena_printf(a, "Cancelled by the provider: %s", title_en);
        bz = arena_printf(a, "很抱歉，%s在%s的安排已由主办方取消。", when_zh, site_zh);
        be = arena_printf(a,
                          "Sorry: the session of %s at %s was cancelled by "
                          "the provider.",
                          when_en, site_en);
        break;
    }
    int rc = inbox_post(c, b->user_id, kind, clip(a, tz_title, INBOX_TITLE_MAX),
                        clip(a, te_title, INBOX_TITLE_MAX), clip(a, bz, INBOX_BODY_MAX),
                        clip(a, be, INBOX_BODY_MAX),
                        arena_printf(a, "/#/bookings/%lld", (long long)b->id), expires);
    if (!rc)
        notified_add(a, nt, b->user_id);
    return rc;
}

int booking_notify_ids(struct store_conn *c, struct arena *a, int tz, const int64_t *ids, size_t n,
                       enum booking_notice what, struct booking_notified *nt)
{
    for (size_t i = 0; i < n; i++) {
        struct booking b;
        int rc = booking_get(c, a, ids[i], &b);
        if (!rc)
            rc = booking_notify(c, a, tz, &b, what, nt);
        if (rc)
            return rc;
    }
    return STORE_OK;
}

void booking_announce_notices(struct app *app, struct store_conn *c,
                              const struct booking_notified *nt)
{
    for (size_t i = 0; i < nt->n; i++)
        app_changed(app, c, &inbox_module, INBOX_NEW, nt->users[i]);
}
