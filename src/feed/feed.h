/*
 * feed.h - iCalendar feeds that calendar apps subscribe to: a person's
 * bookings at a private URL (a random token, revocable, only its keyed
 * hash stored) and a site's public workshops and events.
 */
#ifndef WH_FEED_FEED_H
#define WH_FEED_FEED_H

#include <stdint.h>

#include "core/arena.h"

struct store_conn;

/* How far ahead and back a feed reaches. */
#define FEED_PAST_S (30 * 86400)
#define FEED_AHEAD_S (90 * 86400)
#define FEED_MAX_EVENTS 500

/* ---- store (feed_store.c) -------------------------------------------- */

/* Make (or replace) the person's feed token hash. */
int feed_put(struct store_conn *c, int64_t user_id, const char *token_hash, int64_t now);
/* The person whose feed has this token hash (and note the read), or
 * STORE_NOT_FOUND. */
int feed_owner(struct store_conn *c, struct arena *a, const char *token_hash, int64_t now,
               int64_t *user_id);
/* The person's feed: created_at (0: none), last_read_at (0: never). */
int feed_get(struct store_conn *c, struct arena *a, int64_t user_id, int64_t *created_at,
             int64_t *last_read_at);
int feed_delete(struct store_conn *c, int64_t user_id);

/* ---- module (feed_http.c) -------------------------------------------- */

struct module;
extern const struct module feed_module;

#endif
