/*
 * index.h - the in-memory spatial index of sites: nearest, box and clusters.
 *
 * One index holds every site of the network (180,000 today, tested to
 * 1,000,000) and answers three questions with the same filters: the k
 * nearest sites to a point, the sites in a longitude/latitude box, and the
 * sites of a map viewport grouped into clusters. It does its own locking:
 * any number of threads may query while one admin thread edits.
 *
 * Positions. A site's position is held rounded to 1e-7 degree (about 1 cm;
 * geo_index_get() shows what is held). Every answer is exact for the held
 * positions: a coordinate read from a database with at most 7 decimals is
 * held exactly, so box membership then agrees with the caller's doubles.
 *
 * Distance. The index holds each site as a unit vector (x, y, z) scaled by
 * 2^30 and rounded to integers (GEO_INDEX_UNIT_SCALE; 6 mm resolution).
 * The ordering key of a hit is the squared chord between the unit vectors of
 * the query point and the site, an exact 64-bit integer (geo_index_chord2),
 * then the smaller id. Chord length is monotonic in great-circle length, so
 * this is the great-circle order; distance_m is
 * 2 * 6371008.8 * asin(chord / 2) (geo_index_chord2_m). It agrees with
 * geo_distance_m() of coord.h within 1 cm up to 10,000 km (towards the
 * antipode both formulas lose precision and drift apart by up to a few
 * metres). A brute-force scan that computes the same integers finds exactly
 * the same hits. The poles and the antimeridian need no special case.
 *
 * Filters (struct geo_filter, NULL = none). amenities_all: every bit must
 * be present. type: equal, or -1 for any (another negative value or one
 * above 65535 matches nothing). radius_m: nearest only, keeps hits with
 * distance_m <= radius_m (0 = unlimited, negative or NaN matches nothing);
 * bbox and clusters ignore it. accept(ctx, id): the caller's own test
 * (e.g. "open now"). It is called only on sites that pass the other
 * filters; for nearest it is called in hit order and only until k sites
 * are accepted, so it runs exactly as often as the answer requires. bbox
 * and clusters need every match, so they call it on each one. accept runs
 * while the index is read-locked: it must not call any geo_index function
 * (a writer waiting behind it would deadlock).
 *
 * prefetch(ctx, ids, n): nearest only, and only with accept. Before accept
 * runs on a round of candidates, the index hands them all to prefetch, in
 * hit order (n >= 1); accept is then called on them in that order until k
 * are accepted: on all of them except in the last round, where it may stop
 * early. A later round (more candidates when too many were refused) gets
 * its own prefetch call, never repeating an id. So the caller can start
 * loading what accept will read for every candidate at once instead of
 * one miss after another. It may only hint (it must not change what accept
 * answers); the same locking rule as for accept applies. bbox and clusters
 * never call it.
 *
 * Clusters. The world is cut into the Web-Mercator tiles of zoom + 2, i.e.
 * cells of 64x64 pixels of the 256-pixel tiles of the given zoom.
 * geo_index_cell() gives a point's cell: column = floor((lon + 180) / 360 *
 * 2^(zoom+2)) and row = floor(y * 2^(zoom+2)) with y = 1/2 - ln(tan(pi/4 +
 * lat/2)) / (2 pi), both computed on 32-bit fixed point, rows counted from
 * the north. Latitudes beyond +-85.0511 (where Mercator ends) fall into the
 * first or last row. A cluster gathers the matching sites of one cell that
 * lie inside the box; the cell is anchored to the world, not the viewport,
 * so clusters do not jump while the map pans.
 *
 * Boxes are minlon, minlat, maxlon, maxlat in degrees, bounds included.
 * minlon > maxlon means the box crosses the antimeridian (e.g. 170 .. -170)
 * and is answered as such. A box with NaN, minlat > maxlat or a value out
 * of range matches nothing.
 *
 * Concurrency and cost. Queries take a read lock; writes serialise on a
 * mutex and hold the write lock only for short in-place edits, so an edit
 * is visible to the next query. New and moved sites go to a side list
 * scanned by every query; once it holds GEO_INDEX_PENDING_MAX sites (or an
 * eighth of the tree is dead), or once edits have paused for 2 seconds
 * with anything on it (or any slot dead), a folder thread of the index copies the
 * live sites (writers wait for the copy only: about 20 instructions a
 * site), builds a new tree from them with no lock held, replays the edits
 * made meanwhile on it and swaps it in. Neither readers nor writers wait
 * for a rebuild; the side list grows while one runs. geo_index_compact()
 * folds at once on the caller's thread; to replace everything use
 * geo_index_build(). The index holds about 58 bytes per site
 * at 1M sites, all structures included (geo_index_memory). Out of memory
 * aborts (house rule).
 */
#ifndef WH_GEO_INDEX_H
#define WH_GEO_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
    GEO_INDEX_MAX_K = 1000,        /* nearest answers at most this many */
    GEO_INDEX_MAX_ZOOM = 20,       /* clusters: zoom 0 .. 20 */
    GEO_INDEX_PENDING_MAX = 64,    /* pending sites that make a fold due */
    GEO_INDEX_UNIT_SCALE = 1 << 30 /* unit vectors are held times this */
};

struct geo_entry {
    int64_t id;         /* > 0, unique */
    double lat, lon;    /* WGS-84 degrees */
    uint64_t amenities; /* bit i = amenity i present (the caller maps codes
                           to bits) */
    uint16_t type;      /* caller's site-type index */
    uint8_t tier;       /* 0..3 */
};

struct geo_filter {
    uint64_t amenities_all;                /* 0 = no constraint */
    int32_t type;                          /* -1 = any */
    double radius_m;                       /* 0 = unlimited */
    bool (*accept)(void *ctx, int64_t id); /* NULL = accept all */
    void *ctx;
    /* nearest with accept only: the candidates about to go to accept */
    void (*prefetch)(void *ctx, const int64_t *ids, size_t n); /* NULL = none */
};

struct geo_hit {
    int64_t id;
    double distance_m;
};

/* lat, lon: mean of the members' held positions. tiers: bit t set if a
 * member has tier t. id: the member when count == 1, else 0. */
struct geo_cluster {
    double lat, lon;
    uint32_t count;
    uint8_t tiers;
    int64_t id;
};

struct geo_index;

/* A new empty index. Never NULL (out of memory aborts). */
struct geo_index *geo_index_new(void);

/* Replace the whole content (start-up build). Returns 0, or -1 if an entry
 * is bad (invalid lat/lon, id <= 0, tier > 3, duplicate id); on -1 the
 * index keeps its previous content. entries may be NULL when n == 0.
 * Readers keep answering from the old content until the swap. */
int geo_index_build(struct geo_index *ix, const struct geo_entry *entries, size_t n);

/* Insert e, or replace the site with e's id (moved or changed). Returns 0,
 * or -1 if e is bad (same rules as geo_index_build). */
int geo_index_upsert(struct geo_index *ix, const struct geo_entry *e);

/* Remove the site with this id: 0, or -1 if absent. */
int geo_index_remove(struct geo_index *ix, int64_t id);

/* Fold the pending edits and the removed sites into a new tree now (the
 * next write would otherwise do it when the pending list fills): worth
 * calling after a batch of edits. Readers are not blocked meanwhile. */
void geo_index_compact(struct geo_index *ix);

/* Edits not folded into the tree yet: sites on the side list plus removed
 * or moved sites' dead slots. Queries scan the list, so once edits pause
 * for 2 seconds the folder thread folds them in (as it does at once when
 * the list fills). */
size_t geo_index_unfolded(struct geo_index *ix);

/* Release everything; NULL is allowed. No query may be running. */
void geo_index_free(struct geo_index *ix);

/* Sites held. */
size_t geo_index_count(const struct geo_index *ix);

/* Bytes held by the index and all its structures. */
size_t geo_index_memory(const struct geo_index *ix);

/* Copy the site with this id, as held (position rounded to 1e-7 degree),
 * into *out: 0, or -1 if absent. */
int geo_index_get(struct geo_index *ix, int64_t id, struct geo_entry *out);

/* Up to k hits (k above GEO_INDEX_MAX_K counts as GEO_INDEX_MAX_K), nearest
 * first, ties by smaller id, each passing the filter f (NULL = none).
 * Returns the number written to out; 0 for k == 0, an invalid point or a
 * filter that matches nothing. */
size_t geo_index_nearest(struct geo_index *ix, double lat, double lon, size_t k,
                         const struct geo_filter *f, struct geo_hit *out);

/* Ids of the matching sites in the box, smallest first: at most cap are
 * written to ids (the cap smallest), and *total (if not NULL) gets the
 * number of all matches. Returns the number written. */
size_t geo_index_bbox(struct geo_index *ix, double minlon, double minlat, double maxlon,
                      double maxlat, const struct geo_filter *f, int64_t *ids, size_t cap,
                      size_t *total);

/* The clusters of the matching sites in the box at this zoom (see the top
 * of this file), ordered by cell: row (north first), then column. At most
 * cap are written (the first cap in that order). Returns the number
 * written; 0 for a zoom outside 0..GEO_INDEX_MAX_ZOOM. A group of sites
 * that lies in one cell is taken from precomputed subtree sums, so a
 * whole-country view does not visit every site: without filters always;
 * with amenities_all and/or type (no accept) once the index holds sums for
 * that filter. The first such query per filter adds them (one pass over
 * the sites, as a filtered query cost before; up to 8 filters, about 1.5
 * bytes a site each); edits keep them exact, and a fold into a new tree
 * carries over the filters asked for since the last fold. Answers are the
 * same either way. */
size_t geo_index_clusters(struct geo_index *ix, double minlon, double minlat, double maxlon,
                          double maxlat, int zoom, const struct geo_filter *f,
                          struct geo_cluster *out, size_t cap);

/* The recent share (0..1] of accept calls of nearest queries that
 * accepted, or -1 before any were counted. It sizes the first round of
 * candidates (see prefetch above): many refusals, as "open now" at night,
 * make it larger, so one search usually finds k. Answers never depend on
 * it. */
double geo_index_accept_share(const struct geo_index *ix);

/* ---- the exact definitions, for callers and brute-force checks ------- */

/* The unit vector held for a position: lat and lon rounded to 1e-7 degree,
 * then (cos lat cos lon, cos lat sin lon, sin lat) times 2^30, rounded.
 * The point must be valid (geo_is_valid). */
void geo_index_unit(double lat, double lon, int32_t v[3]);

/* The ordering key between two positions: the squared difference of their
 * unit vectors (geo_index_unit) summed over x, y, z in 64-bit integers. */
uint64_t geo_index_chord2(double lat1, double lon1, double lat2, double lon2);

/* Metres along the sphere (R = 6371008.8) for a key of geo_index_chord2. */
double geo_index_chord2_m(uint64_t chord2);

/* The cluster cell of a valid position at zoom 0..GEO_INDEX_MAX_ZOOM. */
void geo_index_cell(double lat, double lon, int zoom, uint32_t *col, uint32_t *row);

#endif
