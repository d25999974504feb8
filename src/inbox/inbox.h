/*
 * inbox.h - a person's notices: "your booking is confirmed", "a place came
 * free for you", "you are called to the counter". Other modules post them
 * inside their own transactions; the person reads them in the app (a list,
 * unread counts, an event stream of their own), and a notification
 * provider (SMS, WeChat, ... chosen by WARMHARBOR_NOTIFY) delivers each
 * one once more outside the app, from the module's timed work.
 *
 * Posting a notice from another module, the whole contract:
 *
 *     static int book_tx(struct store_conn *c, void *v)
 *     {
 *         ... the booking's own statements ...
 *         return inbox_post(c, b->user_id, "booking_confirmed", "预约成功",
 *                           "Booking confirmed", body_zh, body_en,
 *                           "/#/bookings/12", 0);
 *     }
 *     ...
 *     rc = req_tx(r, c, book_tx, &b);  // the notice commits with the booking
 *     if (!rc)
 *         app_changed(r->app, c, &inbox_module, INBOX_NEW, b.user_id);
 *
 * inbox_post only writes a row, on the caller's connection and inside the
 * caller's transaction: the notice exists if and only if what it announces
 * committed, and a rolled-back or retried transaction leaves no notice or
 * exactly one. Nothing is sent from inside the transaction; delivery
 * outside the app happens later, once, from the tick. After the commit the
 * caller announces INBOX_NEW with the person's id, which pushes a "notice"
 * event to that person's open streams on every node (and to no one else).
 */
#ifndef WH_INBOX_INBOX_H
#define WH_INBOX_INBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"

struct store_conn;

#define INBOX_KIND_MAX 64   /* bytes: [a-z][a-z0-9_]* */
#define INBOX_TITLE_MAX 200 /* bytes of UTF-8 */
#define INBOX_BODY_MAX 2000 /* bytes of UTF-8 */
#define INBOX_LINK_MAX 500  /* bytes: an app path */
#define INBOX_LIST_MAX 100  /* notices per page */

/* Delivery outside the app (see inbox_deliver). */
#define INBOX_SEND_BATCH 50        /* notices claimed per statement */
#define INBOX_SEND_ROUNDS 20       /* batches per tick at most */
#define INBOX_SEND_TRIES 5         /* attempts, then 'failed' */
#define INBOX_CLAIM_STALE_S 300    /* a claim older than this is taken over */
#define INBOX_SEND_MAX_AGE_S 21600 /* older notices are no news: 'skipped' */

/* ---- the API other modules call ------------------------------------- */

/* Post a notice to a person, inside the caller's transaction (store only:
 * nothing is sent here). kind: a short code such as "booking_confirmed",
 * "waitlist_offer", "booking_reminder", "booking_cancelled_by_provider",
 * "queue_called" ([a-z][a-z0-9_]*, at most INBOX_KIND_MAX bytes). title_zh
 * must not be empty; title_en, body_zh and body_en may be NULL (empty).
 * link: an app path such as "/#/bookings/12" (starting with one "/"), or
 * NULL. expires_at: Unix seconds after which the notice is hidden and
 * never sent (a waitlist offer's notice expires with the offer), or 0 for
 * never. Returns a store result: STORE_OK; STORE_CONFLICT when there is no
 * such person; STORE_ERROR (logged) for arguments that break these rules,
 * so the caller's transaction fails loudly rather than posting garbage.
 * After the caller's commit: app_changed(app, c, &inbox_module, INBOX_NEW,
 * user_id). */
int inbox_post(struct store_conn *c, int64_t user_id, const char *kind, const char *title_zh,
               const char *title_en, const char *body_zh, const char *body_en, const char *link,
               int64_t expires_at);

/* The changes the module announces; the id is always the person's. */
enum inbox_change {
    INBOX_NEW,  /* a notice was posted to the person */
    INBOX_READ, /* their unread count changed (read, read-all, delete) */
};

struct module;
extern const struct module inbox_module;

/* ---- notices (inbox.c) ----------------------------------------------- */

struct notice {
    int64_t id;
    int64_t user_id;
    const char *kind;
    const char *title_zh, *title_en, *body_zh, *body_en;
    const char *link; /* NULL: none */
    int64_t created_at;
    int64_t expires_at; /* 0: never */
    int64_t read_at;    /* 0: unread */
    /* delivery outside the app */
    const char *delivery; /* "pending" | "sent" | "failed" | "skipped" */
    int64_t delivery_attempts;
    int64_t delivered_at;       /* 0: not sent */
    const char *delivery_error; /* the provider's last reason, or NULL */
};

bool inbox_kind_is_valid(const char *kind);
/* An app path: "/" then no "/" or "\", no spaces or control bytes, at
 * most INBOX_LINK_MAX bytes ("/#/bookings/12", "/map?site=3"). */
bool inbox_link_is_valid(const char *link);
/* Check n's kind, texts, link and expiry (NULL texts become ""), then
 * insert it (created_at = now) and set n->id. What inbox_post does, for
 * callers inside this module that need the new notice's id. */
int inbox_add(struct store_conn *c, struct notice *n);

/* ---- the notification provider --------------------------------------- */

/* What a provider is asked to deliver. */
struct notify_message {
    int64_t notice_id;
    int64_t user_id;
    const char *phone; /* the person's mobile number; NULL when they have none */
    const char *kind;
    const char *title_zh, *title_en, *body_zh, *body_en;
    const char *link; /* NULL: none */
    int attempt;      /* 1 for the first try */
};

enum notify_result {
    NOTIFY_SENT = 0,   /* handed over: never sent again */
    NOTIFY_RETRY = 1,  /* a passing failure: try again later */
    NOTIFY_FAILED = 2, /* it will never work (no phone, refused): give up now */
};

/* A way to reach people outside the app. A new one (SMS, WeChat) is one
 * more struct and one line in inbox.c's list; WARMHARBOR_NOTIFY picks it by
 * name. send delivers one message and returns an enum notify_result; on
 * anything but NOTIFY_SENT it writes a short reason (no personal data)
 * into why. It runs on the ticker's thread, outside any transaction, and
 * must return well within INBOX_CLAIM_STALE_S (time out its own calls),
 * or another node may take the notice over and send it again. a is
 * scratch memory for the call. send NULL: the provider delivers nothing
 * (notices stay in the app only). notice_id is a fit idempotency key for
 * a provider's API: a send whose outcome could not be recorded (the store
 * went away just then) is tried again once the claim goes stale. */
struct notify_provider {
    const char *name;
    /* Check the provider's own configuration (its keys, its endpoint, from
     * the environment) when the module starts: 0, or -1 with a message in
     * err, and the server refuses to start. May be NULL. */
    int (*start)(char *err, size_t errlen);
    int (*send)(const struct notify_message *m, struct arena *a, char *why, size_t whylen);
};

/* "none" (the default: the app only) and "log" (a one-line summary in the
 * log, phone masked: for development and the demo). */
extern const struct notify_provider notify_none;
extern const struct notify_provider notify_log;
/* The provider of that name, or NULL. */
const struct notify_provider *notify_provider_by_name(const char *name);
/* The names, "none, log", for messages. */
const char *notify_provider_names(void);

/* What one delivery round did. */
struct inbox_delivery {
    int64_t skipped; /* read, expired or too old before anyone sent them */
    int64_t gave_up; /* claimed INBOX_SEND_TRIES times without an answer */
    int64_t claimed, sent, retried, failed;
};

/* Seconds to wait before attempt number attempts + 1: 1, 2, 4 ... minutes,
 * at most an hour. */
int64_t inbox_retry_delay(int64_t attempts);

/* One delivery round as node (any string that names this process among
 * the nodes) at time now: settle what must not be sent, then claim batches
 * of pending notices in single statements, send each through p, and
 * record the outcome (only while the claim is still ours). Several nodes
 * may run it at once: a notice is claimed by one of them at a time. With a
 * provider that sends nothing only the settling is done. Returns a store
 * result; *out (may be NULL) counts what happened. */
int inbox_deliver(struct store_conn *c, const struct notify_provider *p, const char *node,
                  int64_t now, struct inbox_delivery *out);

/* ---- store (inbox_store.c) ------------------------------------------- */

int inbox_insert(struct store_conn *c, struct notice *n);
/* The person's visible notices (not expired at now), newest first: only
 * unread ones when unread_only; only ids below before when before > 0. */
int inbox_list(struct store_conn *c, struct arena *a, int64_t user_id, bool unread_only,
               int64_t before, int64_t limit, int64_t now, struct notice **out, size_t *n);
int inbox_unread_count(struct store_conn *c, struct arena *a, int64_t user_id, int64_t now,
                       int64_t *out);
/* One visible notice of the person's; STORE_NOT_FOUND for anyone else's. */
int inbox_get(struct store_conn *c, struct arena *a, int64_t user_id, int64_t id, int64_t now,
              struct notice *out);
/* Mark read (once: a second call keeps the first time); STORE_NOT_FOUND
 * when the person has no such visible notice. */
int inbox_mark_read(struct store_conn *c, int64_t user_id, int64_t id, int64_t now);
int inbox_mark_all_read(struct store_conn *c, int64_t user_id, int64_t now, int64_t *changed);
/* STORE_NOT_FOUND when the person has no such visible notice. */
int inbox_delete(struct store_conn *c, int64_t user_id, int64_t id, int64_t now);
/* Everything held about the person, expired notices and delivery included,
 * oldest first (the personal-data export). */
int inbox_export(struct store_conn *c, struct arena *a, int64_t user_id, struct notice **out,
                 size_t *n);
/* Delete all of the person's notices (the erase). */
int inbox_erase_user(struct store_conn *c, int64_t user_id);
/* Delete notices that expired at or before now (hidden already). */
int inbox_purge_expired(struct store_conn *c, int64_t now, int64_t *changed);

/* Delivery bookkeeping, each one statement (see inbox_deliver). */
int inbox_settle_skip(struct store_conn *c, int64_t now, int64_t created_before,
                      int64_t stale_before, int64_t *changed);
int inbox_settle_give_up(struct store_conn *c, int64_t tries, int64_t stale_before,
                         int64_t *changed);
/* Claim up to limit pending notices due at now whose claim is absent or
 * older than stale_before, for node; each claim counts an attempt. The
 * claimed notices come back as messages (with the person's phone), oldest
 * first. */
int inbox_claim(struct store_conn *c, struct arena *a, const char *node, int64_t now,
                int64_t stale_before, int64_t tries, int64_t limit, struct notify_message **out,
                size_t *n);
/* Record an outcome of node's claim; STORE_NOT_FOUND when the claim is no
 * longer node's (taken over after going stale). */
int inbox_mark_sent(struct store_conn *c, int64_t id, const char *node, int64_t now);
int inbox_mark_retry(struct store_conn *c, int64_t id, const char *node, int64_t next_at,
                     const char *why);
int inbox_mark_failed(struct store_conn *c, int64_t id, const char *node, const char *why);

#endif
