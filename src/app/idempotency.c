/*
 * idempotency.c - Idempotency-Key (see idempotency.h): the server's
 * replay hooks, and req_tx(), which carries the key's state into the
 * work's own transaction.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "app/app.h"
#include "app/idempotency.h"
#include "core/clock.h"
#include "core/log.h"
#include "store/store.h"

struct claim {
    int64_t owner;
    const char *key;
};

/* Hex BLAKE2b of what was asked: method, path and body. */
static const char *request_hash(struct req *r)
{
    unsigned char h[32];
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, sizeof h);
    char head[16];
    int n = snprintf(head, sizeof head, "%u\n", (unsigned)r->method);
    crypto_generichash_update(&st, (const unsigned char *)head, (size_t)n);
    crypto_generichash_update(&st, (const unsigned char *)r->path, strlen(r->path) + 1);
    if (r->body)
        crypto_generichash_update(&st, (const unsigned char *)r->body, r->body_len);
    crypto_generichash_final(&st, h, sizeof h);
    char *hex = arena_alloc(&r->arena, sizeof h * 2 + 1);
    sodium_bin2hex(hex, sizeof h * 2 + 1, h, sizeof h);
    return hex;
}

static bool key_is_valid(const char *k)
{
    size_t n = strlen(k);
    if (n < 1 || n > IDEM_KEY_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (k[i] < 0x21 || k[i] > 0x7e)
            return false;
    return true;
}

static int claim(struct req *r, const char *key)
{
    const struct principal *p = req_principal(r);
    if (!p)
        return 0; /* public routes: nothing to keep an answer under */
    if (!key_is_valid(key))
        return reply_error(r, 400, "invalid_header", "Idempotency-Key",
                           "Idempotency-Key is 1 to %d visible ASCII characters", IDEM_KEY_MAX),
               -1;
    struct store_conn *c = req_store_or_reply(r);
    if (!c)
        return -1;
    const char *hash = request_hash(r);
    bool claimed = false;
    int rc = idem_claim(c, p->user_id, key, hash, clock_now(), &claimed);
    if (rc)
        return reply_store_error(r, rc, "idempotency key"), -1;
    if (claimed) {
        struct claim *cl = arena_alloc(&r->arena, sizeof(*cl));
        cl->owner = p->user_id;
        cl->key = arena_strdup(&r->arena, key);
        r->replay_state = cl;
        return 0;
    }
    /* The key is taken: by this very request sent before, maybe still
     * running. Wait a little for its answer rather than refuse a retry. */
    struct idem_entry e;
    for (int waited = 0;; waited += 20) {
        rc = idem_get(c, &r->arena, p->user_id, key, &e);
        if (rc == STORE_NOT_FOUND) /* freed between the two statements */
            rc = STORE_BUSY;
        if (rc)
            return reply_store_error(r, rc, "idempotency key"), -1;
        if (strcmp(e.request_hash, hash) != 0)
            return reply_error(r, 422, "idempotency_key_reused", "Idempotency-Key",
                               "this Idempotency-Key was used for another request; use a new "
                               "key"),
                   -1;
        bool running = e.state != 2 && clock_now() - e.created_at < IDEM_RUNNING_S;
        if (!running || waited >= IDEM_WAIT_MS)
            break;
        struct timespec ts = {0, 20 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    if (e.state != 2 && clock_now() - e.created_at < IDEM_RUNNING_S) {
        reply_header(r, "Retry-After", "1");
        return reply_error(r, 409, "idempotency_in_progress", "Idempotency-Key",
                           "the first request with this key is still running"),
               -1;
    }
    if (e.state != 2 || !e.body)
        return reply_error(r, 409, "idempotency_answer_lost", "Idempotency-Key",
                           "the request with this key was carried out but its answer was "
                           "lost; look the result up instead of sending it again"),
               -1;
    reply_header(r, "Idempotent-Replayed", "true");
    return reply_bytes(r, e.status, e.content_type ? e.content_type : "application/json", e.body,
                       strlen(e.body)),
           -1;
}

static void settle(struct req *r)
{
    struct claim *cl = r->replay_state;
    r->replay_state = NULL;
    struct store_conn *c = req_store(r);
    if (!c)
        return; /* a claimed key stays claimed; it expires with the day */
    bool retryable = r->status >= 500 || r->status == 429 || r->status == 408;
    /* An answer holding a secret (a second factor's key, recovery codes)
     * is not written to the store: the key is marked answered without it. */
    bool text = !r->answer_secret && r->resp_body && r->resp_len < IDEM_BODY_MAX &&
                memchr(r->resp_body, '\0', r->resp_len) == NULL;
    int rc;
    if (retryable) {
        rc = idem_free(c, cl->owner, cl->key);
    } else {
        const char *body = text ? arena_strndup(&r->arena, r->resp_body, r->resp_len)
                                : (r->resp_len || r->answer_secret ? NULL : "");
        rc = idem_keep_answer(c, cl->owner, cl->key, r->status, r->content_type, body);
    }
    if (rc)
        log_warn("the answer for an Idempotency-Key could not be kept (store result %d)", rc);
}

const struct http_replay app_idempotency = {claim, settle};

/* ---- req_tx ----------------------------------------------------------- */

struct tx_call {
    const struct claim *cl;
    int (*fn)(struct store_conn *c, void *ctx);
    void *ctx;
};

static int tx_body(struct store_conn *c, void *v)
{
    struct tx_call *t = v;
    int rc = t->fn(c, t->ctx);
    if (rc == STORE_OK && t->cl)
        rc = idem_mark_carried_out(c, t->cl->owner, t->cl->key);
    return rc;
}

int req_tx(struct req *r, struct store_conn *c, int (*fn)(struct store_conn *c, void *ctx),
           void *ctx)
{
    struct tx_call t = {r->replay_state, fn, ctx};
    return store_tx(c, tx_body, &t);
}
