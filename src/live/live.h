/*
 * live.h - live status of a site's amenities (GBFS's station_status is the
 * model): per amenity, how many are free or in stock now ("available") or
 * whether it works / is stocked ("working"), with the time it was reported.
 * A value older than the configured TTL is "stale": shown, but marked.
 */
#ifndef WH_LIVE_LIVE_H
#define WH_LIVE_LIVE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"

struct store_conn;

struct live_item {
    const char *code;
    bool has_available;
    int64_t available;
    int working; /* -1 unknown, 0 no, 1 yes */
    int64_t reported_at;
};

struct live {
    size_t n;
    struct live_item *items;
    int64_t last_updated; /* newest reported_at; 0 if none */
};

/* The live status of one site (empty when nothing was reported). */
int live_get(struct store_conn *c, struct arena *a, int64_t site_id, struct live *out);
/* Every site's live status, as one array per site id: *ids (ascending)
 * and *lives of *n entries, in the arena. For loading a cache. */
int live_get_all(struct store_conn *c, struct arena *a, int64_t **ids, struct live **lives,
                 size_t *n);
/* Record reports for one site (replacing earlier values of the same
 * amenities). Codes must be known amenities: STORE_NOT_FOUND names the
 * first unknown one in *bad. The caller holds a transaction. */
int live_put(struct store_conn *c, struct arena *a, int64_t site_id, const struct live_item *items,
             size_t n, int64_t now, const char **bad);

/* {"last_updated","ttl","amenities":[{"code","available","working",
 * "last_reported","stale"}]} for the moment now. */
json_t *live_json(const struct live *l, int64_t now, int ttl_s, int tz_offset_min);

/* ---- module (live_http.c) -------------------------------------------- */

struct module;
extern const struct module live_module;
/* Its change kinds: a site's live status or closure (id: the site). */
enum live_change { LIVE_STATUS };

#endif
