/*
 * idempotency.h - Idempotency-Key for every signed-in POST.
 *
 * A client that may retry (a phone on a bad network, a CLI, another
 * civic system) sends `Idempotency-Key: <1-200 visible ASCII characters>`.
 * The first request with a key claims it for the caller; the handler runs;
 * its answer is kept for IDEM_KEEP_S and the same key with the same
 * method, path and body gets that answer again (`Idempotent-Replayed:
 * true`), without running the handler. The same key with another request
 * is 422 idempotency_key_reused; while the first is still running, 409
 * idempotency_in_progress (Retry-After). Work done through req_tx() marks
 * the key "carried out" inside its own transaction, so when the commit
 * happened but the answer was lost (the store went away right after), a
 * retry gets 409 idempotency_answer_lost rather than doing it twice. A
 * copy that arrives while the first is still running (it may have
 * committed but not yet kept its answer) waits up to IDEM_WAIT_MS for the
 * first answer and gets it; past that, 409 idempotency_in_progress, and
 * answer_lost only once the first is older than IDEM_RUNNING_S.
 * Answers of 5xx and 429 are not kept: the key is freed for a retry.
 */
#ifndef WH_APP_IDEMPOTENCY_H
#define WH_APP_IDEMPOTENCY_H

#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"

struct store_conn;

#define IDEM_KEEP_S 86400
#define IDEM_KEY_MAX 200
#define IDEM_BODY_MAX (256 * 1024) /* longer answers are not kept */
/* A second request with a key whose first is still running waits this
 * long for the first answer before it is told to retry; a first request
 * older than IDEM_RUNNING_S that never answered is taken as dead. */
#define IDEM_WAIT_MS 200
#define IDEM_RUNNING_S 60

struct idem_entry {
    const char *request_hash;
    int state; /* 0 claimed, 1 carried out, 2 answered */
    int status;
    const char *content_type;
    const char *body;
    int64_t created_at;
};

/* ---- store (idempotency_store.c) ------------------------------------ */

/* Claim (owner, key) for a request with this hash; *claimed tells whether
 * this call made the claim (false: the key was there already). Expired
 * keys of the owner are dropped first. */
int idem_claim(struct store_conn *c, int64_t owner, const char *key, const char *hash, int64_t now,
               bool *claimed);
int idem_get(struct store_conn *c, struct arena *a, int64_t owner, const char *key,
             struct idem_entry *out);
int idem_mark_carried_out(struct store_conn *c, int64_t owner, const char *key);
int idem_keep_answer(struct store_conn *c, int64_t owner, const char *key, int status,
                     const char *content_type, const char *body);
/* Free a claimed key that was not carried out. */
int idem_free(struct store_conn *c, int64_t owner, const char *key);

#endif
