/*
 * metrics.h - request counters by route and status and a latency
 * histogram per route, rendered in the Prometheus text format.
 * Updates are lock-free atomics, in a shard per worker thread (no cache
 * line taken from thread to thread): safe from every worker thread.
 */
#ifndef WH_HTTP_METRICS_H
#define WH_HTTP_METRICS_H

#include <stdint.h>

#include "core/strbuf.h"

struct router;
struct metrics;

struct metrics *metrics_new(const struct router *rt);
void metrics_free(struct metrics *m);
/* route_index is the router's dense index, or -1 for unmatched paths. */
void metrics_observe(struct metrics *m, int route_index, int status, int64_t micros);
void metrics_render(const struct metrics *m, struct strbuf *out);

#endif
