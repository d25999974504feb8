/*
 * inbox.c - the inbox's rules: what a notice may hold, posting one, the
 * notification providers, and the delivery round the tick runs.
 *
 * Delivery, decided by single statements so that any number of nodes may
 * run it at the same moment:
 *   1. settle: pending notices that were read in the app, expired, or are
 *      older than INBOX_SEND_MAX_AGE_S become 'skipped'; those claimed
 *      INBOX_SEND_TRIES times whose last claim went stale (the node died
 *      while sending) become 'failed'.
 *   2. claim: one UPDATE takes a batch of due, unclaimed (or stale)
 *      notices for this node, re-checking each row's claim as it writes,
 *      and counts an attempt on each; what it returns is ours alone.
 *   3. send each through the provider, outside any transaction, then
 *      record 'sent', a retry after inbox_retry_delay, or 'failed', each
 *      only while the claim is still this node's.
 * No HTTP and no SQL here.
 */
#include <stdio.h>
#include <string.h>

#include "account/account.h"
#include "core/clock.h"
#include "core/log.h"
#include "inbox/inbox.h"
#include "store/store.h"

/* ---- what a notice may hold ------------------------------------------ */

bool inbox_kind_is_valid(const char *kind)
{
    if (!kind || !(*kind >= 'a' && *kind <= 'z') || strlen(kind) > INBOX_KIND_MAX)
        return false;
    for (const char *p = kind; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
            return false;
    return true;
}

bool inbox_link_is_valid(const char *link)
{
    /* One leading "/" only: "//host" would leave the app, "\" too in some
     * browsers; no scheme can start with "/". */
    if (!link || link[0] != '/' || link[1] == '/' || link[1] == '\\' ||
        strlen(link) > INBOX_LINK_MAX)
        return false;
    for (const unsigned char *p = (const unsigned char *)link; *p; p++)
        if (*p <= ' ' || *p == 0x7f || *p == '\\')
            return false;
    return true;
}

static bool text_ok(const char *s, size_t max, bool required)
{
    if (!s)
        return !required;
    size_t n = strlen(s);
    return n <= max && (n > 0 || !required);
}

int inbox_add(struct store_conn *c, struct notice *n)
{
    const char *bad = n->user_id <= 0                                 ? "user_id"
                      : !inbox_kind_is_valid(n->kind)                 ? "kind"
                      : !text_ok(n->title_zh, INBOX_TITLE_MAX, true)  ? "title_zh"
                      : !text_ok(n->title_en, INBOX_TITLE_MAX, false) ? "title_en"
                      : !text_ok(n->body_zh, INBOX_BODY_MAX, false)   ? "body_zh"
                      : !text_ok(n->body_en, INBOX_BODY_MAX, false)   ? "body_en"
                      : n->link && !inbox_link_is_valid(n->link)      ? "link"
                      : n->expires_at < 0                             ? "expires_at"
                                                                      : NULL;
    if (bad) {
        log_error("inbox: a notice of kind %.64s to person %lld was refused: its %s is not valid",
                  n->kind ? n->kind : "(none)", (long long)n->user_id, bad);
        return STORE_ERROR;
    }
    if (!n->title_en)
        n->title_en = "";
    if (!n->body_zh)
        n->body_zh = "";
    if (!n->body_en)
        n->body_en = "";
    n->created_at = clock_now();
    return inbox_insert(c, n);
}

int inbox_post(struct store_conn *c, int64_t user_id, const char *kind, const char *title_zh,
               const char *title_en, const char *body_zh, const char *body_en, const char *link,
               int64_t expires_at)
{
    struct notice n = {.user_id = user_id,
                       .kind = kind,
                       .title_zh = title_zh,
                       .title_en = title_en,
                       .body_zh = body_zh,
                       .body_en = body_en,
                       .link = link,
                       .expires_at = expires_at};
    return inbox_add(c, &n);
}

/* ---- providers ---------------------------------------------------------- */

const struct notify_provider notify_none = {"none", NULL, NULL};

/* Development and the demo: one line in the log instead of a message, the
 * phone masked, the title and link only (no body). */
static int log_send(const struct notify_message *m, struct arena *a, char *why, size_t whylen)
{
    if (!m->phone) {
        snprintf(why, whylen, "no_phone");
        return NOTIFY_FAILED;
    }
    log_info("notify log: notice %lld to %s (%s, attempt %d): %s%s%s", (long long)m->notice_id,
             account_phone_mask(a, m->phone), m->kind, m->attempt, m->title_zh,
             m->link ? " -> " : "", m->link ? m->link : "");
    return NOTIFY_SENT;
}

const struct notify_provider notify_log = {"log", NULL, log_send};

/* Every provider WARMHARBOR_NOTIFY may name. */
static const struct notify_provider *const providers[] = {
    &notify_none,
    &notify_log,
};

const struct notify_provider *notify_provider_by_name(const char *name)
{
    for (size_t i = 0; i < sizeof providers / sizeof providers[0]; i++)
        if (name && strcmp(providers[i]->name, name) == 0)
            return providers[i];
    return NULL;
}

const char *notify_provider_names(void)
{
    return "none, log";
}

/* ---- delivery ----------------------------------------------------------- */

int64_t inbox_retry_delay(int64_t attempts)
{
    if (attempts < 1)
        attempts = 1;
    if (attempts > 7)
        return 3600;
    int64_t d = (int64_t)60 << (attempts - 1);
    return d > 3600 ? 3600 : d;
}

/* Send one claimed message and record what came of it. */
static int send_one(struct store_conn *c, const struct notify_provider *p, const char *node,
                    int64_t now, struct notify_message *m, struct arena *a,
                    struct inbox_delivery *d)
{
    char why[200] = "";
    int res = p->send(m, a, why, sizeof why);
    if (res != NOTIFY_SENT && !*why)
        snprintf(why, sizeof why, "%s", res == NOTIFY_RETRY ? "unavailable" : "refused");
    int rc;
    if (res == NOTIFY_SENT) {
        rc = inbox_mark_sent(c, m->notice_id, node, now);
        d->sent++;
    } else if (res == NOTIFY_RETRY && m->attempt < INBOX_SEND_TRIES) {
        rc = inbox_mark_retry(c, m->notice_id, node, now + inbox_retry_delay(m->attempt), why);
        d->retried++;
    } else {
        rc = inbox_mark_failed(c, m->notice_id, node, why);
        d->failed++;
        log_warn("notify %s: notice %lld not delivered after %d attempts: %s", p->name,
                 (long long)m->notice_id, m->attempt, why);
    }
    if (rc == STORE_NOT_FOUND) {
        /* Taken over after our claim went stale: the other node decides. */
        log_warn("notify %s: the claim on notice %lld went stale while sending", p->name,
                 (long long)m->notice_id);
        rc = STORE_OK;
    }
    return rc;
}

int inbox_deliver(struct store_conn *c, const struct notify_provider *p, const char *node,
                  int64_t now, struct inbox_delivery *out)
{
    struct inbox_delivery d = {0};
    int64_t stale = now - INBOX_CLAIM_STALE_S;
    int rc = inbox_settle_skip(c, now, now - INBOX_SEND_MAX_AGE_S, stale, &d.skipped);
    if (!rc)
        rc = inbox_settle_give_up(c, INBOX_SEND_TRIES, stale, &d.gave_up);
    for (int round = 0; !rc && p->send && round < INBOX_SEND_ROUNDS; round++) {
        struct arena a;
        arena_init(&a);
        struct notify_message *ms;
        size_t n = 0;
        rc = inbox_claim(c, &a, node, now, stale, INBOX_SEND_TRIES, INBOX_SEND_BATCH, &ms, &n);
        d.claimed += (int64_t)n;
        for (size_t i = 0; !rc && i < n; i++)
            rc = send_one(c, p, node, now, &ms[i], &a, &d);
        arena_release(&a);
        if (n < INBOX_SEND_BATCH)
            break;
    }
    if (out)
        *out = d;
    return rc;
}
