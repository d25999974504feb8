/*
 * site_cache.h - every site in memory, for the queries a map page makes
 * many times a second: the nearest open sites with what a worker needs, the
 * sites in a viewport, and clusters of them. The store stays the source of
 * truth; the cache is built at start and kept in step through
 * app_changed().
 *
 * Each entry keeps the site, its compiled opening hours, its live status,
 * the part of its JSON that only changes when it is edited, and where its
 * open state is memoised (valid until its next change; shared by the
 * sites in service with the same hours). The spatial index
 * (geo/index.h) answers the geometry. Beside the sites it keeps, per
 * service category, the sorted ids of the sites offering it (the map's
 * service_category filter), kept in step with the service module's
 * changes.
 */
#ifndef WH_SITE_SITE_CACHE_H
#define WH_SITE_SITE_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/strbuf.h"
#include "geo/coord.h"

struct app;
struct store_conn;
struct site_cache;

#define SITE_NEAR_MAX_K 100
#define SITE_FILTER_MAX_ANY 8

struct site_filter {
    const char *amenities[4]; /* all required */
    size_t namenities;
    /* At least one of these (a worker's "rain gear": a raincoat or an
     * umbrella); none given: no constraint. */
    const char *any[SITE_FILTER_MAX_ANY];
    size_t nany;
    const char *type; /* NULL: any */
    /* A service category's code (the taxonomy of /api/services): only
     * sites where an active service of it or of a category below it is
     * offered. NULL: any. */
    const char *service_category;
    bool open_only; /* open at `at` */
    int64_t at;
    double radius_m; /* 0: unlimited */
};

/* How answers are rendered. */
struct site_render {
    enum geo_datum datum;
    int tz;
    int ttl_s; /* live status staleness */
    int64_t now;
    /* The top-level fields to show (SJ_BIT of site.h's site_json_field;
     * the id always): a fields= projection. 0: all of them. */
    uint32_t fields;
};

/* Errors that are the client's: an amenity or type code nobody knows. */
#define SITE_CACHE_UNKNOWN_AMENITY (-2)
#define SITE_CACHE_UNKNOWN_TYPE (-3)
#define SITE_CACHE_UNKNOWN_CATEGORY (-4)

struct site_cache *site_cache_new(int tz_offset_min);
void site_cache_free(struct site_cache *sc);
/* Load everything from the store. 0 or -1. */
int site_cache_load(struct site_cache *sc, struct store_conn *c);
/* Reload one site (or drop it when it is gone). */
int site_cache_refresh(struct site_cache *sc, struct store_conn *c, int64_t id);
/* Reload the service categories and which sites offer them (all of
 * them), or only the sites of one service (a service or its locations
 * changed; a service gone has none). 0 or -1. site_cache_load does the
 * first too. */
int site_cache_reload_services(struct site_cache *sc, struct store_conn *c);
int site_cache_refresh_service(struct site_cache *sc, struct store_conn *c, int64_t service_id);
/* Reload the holiday calendar (and forget open-state memos). */
int site_cache_reload_calendar(struct site_cache *sc, struct store_conn *c);
size_t site_cache_count(struct site_cache *sc);

/* Append {"items":[...]} for the k nearest matches to (lat, lon) in WGS-84,
 * each site with distance_m, open, next_change, live and nav. Returns the
 * number of items, or a SITE_CACHE_UNKNOWN_* code. */
int site_cache_near(struct site_cache *sc, double lat, double lon, size_t k,
                    const struct site_filter *f, const struct site_render *rd, struct strbuf *out);
/* Append {"items":[...],"total":N} for the sites in a box (ordered by id,
 * limit/offset paging). */
int site_cache_bbox(struct site_cache *sc, const double bbox[4], const struct site_filter *f,
                    size_t limit, size_t offset, const struct site_render *rd, struct strbuf *out);
/* Append {"clusters":[...],"total":N}. */
int site_cache_clusters(struct site_cache *sc, const double bbox[4], int zoom,
                        const struct site_filter *f, const struct site_render *rd,
                        struct strbuf *out);
/* The status event of a site (as GET /api/sites/{id}/status), appended to
 * out; 0, or -1 if the site is not cached. */
int site_cache_status_json(struct site_cache *sc, int64_t id, const struct site_render *rd,
                           struct strbuf *out);

#endif
