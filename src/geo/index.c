/*
 * index.c - the spatial index: a static 3-D k-d tree, a short list of
 * pending edits, and a reader-writer lock around both.
 *
 * The tree is implicit. Its n sites sit in tree order in two arrays of
 * 16-byte halves: the hot one (unit vector, low amenity bits, tier, dead
 * mark) that a nearest scan reads, and the cold one (id, other amenity
 * bits, type) it reads only for sites within its bound (struct geo_hot).
 * Its nodes are in a 1-based heap (children of i are 2i and 2i+1, so two
 * siblings share one 64-byte cache line): with L = 2^D leaves, leaf j
 * (node L + j) holds the slots [j*n/L, (j+1)*n/L), at most GEO_LEAF_MAX
 * sites, and each internal node splits its range at its middle leaf on
 * the widest axis.
 * Every node keeps an integer bounding box of the unit vectors below it
 * (exact lower bounds for nearest; an inverted box marks a node with no
 * live site) and the OR of their amenities. Internal nodes also keep, in a
 * second array read by boxes and clusters, the count of live sites, their
 * tiers, a 16-bit summary of their types, a latitude/longitude box, a
 * Mercator row range and the sums of the positions. Those answer a box or
 * a cluster query without descending when a whole subtree is inside the
 * box and in one cell. For filtered clusters, a tree may also hold, per
 * filter asked for (up to GEO_FSUMS_MAX), the count, sums and tiers of the
 * matching live sites below each internal node (struct geo_fsums). And
 * for the walk down of nearest, each internal node has an 8-byte split
 * (axis, value, children's low amenity bits), seven to a cache line
 * (struct geo_split).
 *
 * Nearest is a branch and bound over the pending list and the tree with a
 * bounded max-heap (a sorted array when small) of (chord2, id), each
 * candidate naming its site by slot: it walks down the splits to the leaf
 * on the query's side, then back up, searching each ancestor's other child
 * depth-first (nearer child first) if its box could hold a hit. With an
 * accept predicate it takes the best 3k candidates, then as long as too
 * few were accepted the next m after the last one seen (m doubling), and
 * calls accept on them in order until k are accepted, so accept sees
 * exactly the candidates a brute-force scan in hit order would show it.
 *
 * Edits: a changed amenity, type or tier is written in place. A removed or
 * moved site is marked dead in the tree (counts, sums and tiers on its path
 * stay exact; boxes and summaries stay supersets) and a new or moved site
 * goes to the pending list. When that list is long, or an eighth of the
 * tree is dead, the folder thread copies the live sites while holding the
 * writers' mutex, builds a new tree from the copy with no lock held (the
 * writers go on, and log their edits), replays the log on the new tree
 * and swaps it in under the write lock. So no writer waits for a rebuild.
 * An open-addressing table maps ids to slots; only writers change it,
 * under the write lock, so geo_index_get can read it.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* pthread_rwlockattr_setkind_np, MADV_HUGEPAGE */
#endif

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "core/bits.h"
#include "geo/coord.h"
#include "geo/index.h"

static const double geo_ix_pi = 3.14159265358979323846;
static const double geo_ix_earth_m = 6371008.8;
/* Held positions are integers in units of 1e-7 degree. */
static const double geo_ix_per_deg = 1e7;
static const double geo_ix_rad_per_unit = 3.14159265358979323846 / 1.8e9;

enum {
    GEO_LEAF_MAX = 16,       /* sites per leaf at most */
    GEO_HEAP_MAX = 1024,     /* candidates per nearest round */
    GEO_SORTED_MAX = 64,     /* up to this many: a sorted array, not a heap */
    GEO_STACK_MAX = 64,      /* depth-first stack: depth + 2 suffices */
    GEO_UP_PREFETCH = 5,     /* levels whose other child a nearest query preloads */
    GEO_PAR_MIN = 1 << 16,   /* build the two halves in two threads above */
    GEO_SMALL_SORT = 16,     /* selection finishes by insertion sort */
    GEO_BIG_ALLOC = 1 << 21, /* arrays from here on ask for huge pages */
    GEO_FSUMS_MAX = 8,       /* filters with sums per tree */
    GEO_SHARE_ONE = 4096,    /* accept share: this means all accepted */
    GEO_SHARE_CALLS = 256,   /* accept calls a thread counts before it adds them in */
    GEO_FOLD_QUIET_MS = 2000 /* pending or removed sites are folded in after this without edits */
};

#define GEO_HASH_EMPTY UINT32_MAX
#define GEO_PENDING_BIT 0x80000000u

#if defined(__GNUC__)
#define GEO_PREFETCH(p) __builtin_prefetch(p)
#define GEO_HOT_INLINE __attribute__((always_inline)) inline
#define GEO_NOINLINE __attribute__((noinline))
#define GEO_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define GEO_NOINLINE
#define GEO_UNLIKELY(x) (x)
#define GEO_PREFETCH(p) ((void)(p))
#define GEO_HOT_INLINE inline
#endif

/* ------------------------------------------------------------------------ */
/* Types                                                                    */
/* ------------------------------------------------------------------------ */

/* One site's nearest-query fields in full: the pending list and the
 * build input hold it as is; a tree splits it into geo_hot and geo_cold. */
struct geo_pt {
    int32_t v[3]; /* unit vector times 2^30 */
    uint16_t type;
    uint8_t tier;
    uint8_t dead; /* slot of a removed or moved site */
    uint64_t amen;
    int64_t id;
};

/*
 * A tree's sites are two arrays in tree order. The nearest scan reads only
 * the 16-byte geo_hot of each site of a leaf (a leaf of 16 is four cache
 * lines, not eight): its unit vector, its tier, its dead mark and the low
 * GEO_HOT_AMEN_BITS amenity bits, which decide the usual filters. The
 * geo_cold half (id, the other amenity bits, the type) is read only for a
 * site within the current bound, or when the filter asks for an amenity
 * bit or type the hot half does not hold. Same 32 bytes a site as one
 * record.
 */
struct geo_hot {
    int32_t v[3];  /* unit vector times 2^30 */
    uint32_t meta; /* amenity bits 0..27, tier << 28, GEO_HOT_DEAD */
};

struct geo_cold {
    int64_t id;
    uint64_t rest; /* amenity bits 28..63, type << GEO_COLD_TYPE_SHIFT */
};

#define GEO_HOT_AMEN_BITS 28
#define GEO_HOT_AMEN ((1u << GEO_HOT_AMEN_BITS) - 1)
#define GEO_HOT_TIER_SHIFT 28
#define GEO_HOT_DEAD (1u << 30)
#define GEO_COLD_AMEN ((UINT64_C(1) << (64 - GEO_HOT_AMEN_BITS)) - 1)
#define GEO_COLD_TYPE_SHIFT 48

/* An amenity and type filter on the two halves (geo_sitef_init): a live
 * site with the wanted low amenity bits has (meta & hot_mask) == hot_want;
 * if cold_check, its rest must then also hold cold_want and, for type >= 0,
 * the type. */
struct geo_sitef {
    uint32_t hot_mask, hot_want;
    uint64_t cold_want;
    int32_t type;
    bool cold_check;
};

/* What boxes and clusters read. */
struct geo_pos {
    int32_t lat, lon; /* held units: 1e-7 degree */
    uint32_t row;     /* geo_row32(lat), the Mercator row on 32 bits */
};

/* One site in full: the pending list and the build input. */
struct geo_item {
    struct geo_pt pt;
    struct geo_pos pos;
};

struct geo_node {
    int32_t lo[3], hi[3]; /* box of the unit vectors below; lo > hi: none */
    uint64_t amen;        /* OR of the amenities below (superset) */
};

/*
 * How the walk down of a nearest query picks a child of internal node i,
 * in 8 bytes instead of the two 32-byte child nodes: the axis on which
 * the children's boxes separate (left's hi <= at <= right's lo, at being
 * right's lo; GEO_SPLIT_NONE if no axis does) and, for each child, the OR
 * of its sites' amenity bits 0..14 (a superset: enough to see that a child
 * lacks a wanted bit among those). The splits are stored in blocks of
 * three levels, one 64-byte line each (slot 0 unused, then the block's
 * 1 + 2 + 4 nodes in heap order), the top block holding the 1 to 3 levels
 * left over, so a walk down 16 levels reads 6 lines, not 16
 * (geo_split_at). Only a guess of where the nearest sites are, plus
 * exact lower bounds: kills leave it as built, restyles add amenity bits.
 */
struct geo_split {
    int32_t at;
    uint32_t meta; /* axis | left amenities << 2 | right amenities << 17 */
};

#define GEO_SPLIT_NONE 3u
#define GEO_SPLIT_AMEN 0x7fffu

/* A walk down the splits: node i at depth, the block of its split and
 * its place there (blk[local]), the levels left in the block, the first
 * block of the next level (geo_walk_start, geo_walk_down). */
struct geo_walk {
    size_t i;
    unsigned depth;
    const struct geo_split *blk;
    size_t local, base;
    unsigned left;
};

/* Internal nodes only. */
struct geo_agg {
    int32_t lat_lo, lat_hi, lon_lo, lon_hi; /* held units (superset) */
    uint32_t row_lo, row_hi;                /* Mercator rows (superset) */
    int64_t sum_lat, sum_lon;               /* of the live sites (exact) */
    uint32_t count;                         /* live sites below (exact) */
    uint16_t types;                         /* bit (type & 15) of the sites below (superset) */
    uint8_t tiers;                          /* bit t if a live site below has tier t (exact) */
};

/* The sums of one filter's matching live sites below each internal node. */
struct geo_fsum {
    int64_t sum_lat, sum_lon; /* held units */
    uint32_t count;
    uint8_t tiers; /* bit t if a matching live site below has tier t */
};

/* One filter (amenities_all, type) with its sums for every internal node
 * of a tree: what lets a filtered clusters query stop at a subtree that
 * lies in one cell instead of visiting its sites. */
struct geo_fsums {
    uint64_t want;
    int32_t type;          /* -1 = any */
    struct geo_fsum *node; /* L; [0] unused */
    atomic_bool used;      /* asked for by a query on this tree */
};

struct geo_snap {
    size_t n;    /* slots, dead ones included */
    size_t dead; /* slots marked dead */
    unsigned depth;
    size_t leaves;           /* L = 2^depth */
    struct geo_hot *hot;     /* n, tree order */
    struct geo_cold *cold;   /* n, tree order */
    struct geo_pos *pos;     /* n */
    struct geo_node *node;   /* 2L; [0] unused, internal 1..L-1, leaves L.. */
    struct geo_agg *agg;     /* L; [0] unused */
    struct geo_split *split; /* internal nodes, in blocks (geo_split_at) */
    size_t split_blocks;     /* 64-byte blocks */
    unsigned split_top;      /* levels in the top block: 1..3 (0: no split) */
    /* Filter sums, added by the first clusters query with a new filter
     * (under the read lock and ix->fsums_lock; readers see fsums[0 ..
     * fsums_n)), kept exact by the edits (under the write lock). */
    struct geo_fsums fsums[GEO_FSUMS_MAX];
    _Atomic size_t fsums_n;
};

/* id -> slot (tree slot, or GEO_PENDING_BIT | pending index). Linear
 * probing at load <= 5/8, deletion by backward shift. */
struct geo_hash {
    uint32_t *slot;
    size_t cap;
};

/* A tree, its id table and the sites pending beside it: what readers see
 * (ix->st), or a new version the folder prepares. */
struct geo_state {
    struct geo_snap *snap;
    struct geo_hash hash;
    struct geo_item *pending; /* new and moved sites since the tree */
    size_t pending_n, pending_cap;
    size_t count; /* live sites */
};

/* An edit logged while a fold runs: an upsert of it, or removed > 0. */
struct geo_op {
    struct geo_item it;
    int64_t removed;
};

struct geo_index {
    pthread_rwlock_t lock; /* readers vs. writers */
    pthread_mutex_t write; /* one writer at a time; guards the fields below */
    struct geo_state st;   /* the live state (changed under lock too) */
    _Atomic size_t count;
    _Atomic size_t memory;
    /* the folder thread */
    pthread_cond_t wake; /* a fold may be due, or closing (CLOCK_MONOTONIC) */
    pthread_cond_t idle; /* a fold ended */
    pthread_t folder;
    bool folder_started, folding, closing, logging;
    bool timed;                /* the folder waits for a pause (it sees later edits then) */
    struct timespec last_edit; /* CLOCK_MONOTONIC */
    uint64_t gen;              /* geo_index_build calls */
    struct geo_op *log;        /* edits since the running fold's copy */
    size_t log_n, log_cap;
    pthread_mutex_t fsums_lock; /* readers adding filter sums */
    /* Recent share of accept calls that accepted (GEO_SHARE_ONE = all;
     * 0 = none seen yet): it sizes a nearest query's first round. */
    _Atomic uint32_t accept_share;
};

_Static_assert(sizeof(struct geo_pt) == 32, "pending site record: 32 bytes");
_Static_assert(sizeof(struct geo_hot) == 16, "hot half of a site: 16 bytes");
_Static_assert(sizeof(struct geo_cold) == 16, "cold half of a site: 16 bytes");
_Static_assert(sizeof(struct geo_node) == 32, "tree node: 32 bytes");
_Static_assert(sizeof(struct geo_split) == 8, "split: 8 bytes, a block of 7 per line");
_Static_assert(GEO_LEAF_MAX <= 32, "a leaf's sites fit the 32-bit mask of its scan");

/* A nearest candidate; ordered by (d2, id). It names its site the way the
 * id table does (a tree slot, or GEO_PENDING_BIT | pending index): the id
 * is in the site's cold half, read only to break a tie of d2 and for the
 * hits returned, not for every candidate that enters the heap. */
struct geo_cand {
    uint64_t d2;
    uint32_t ref;
};

struct geo_knn {
    const struct geo_snap *s;       /* the tree searched */
    const struct geo_item *pending; /* and its pending sites */
    int32_t q[3];
    uint64_t want;       /* amenities_all */
    int32_t type;        /* -1 = any */
    uint16_t typebit;    /* 0 = any */
    struct geo_sitef sf; /* want and type on the sites' halves */
    uint64_t lim2;       /* no hit has d2 above */
    uint64_t sure2;      /* d2 up to here is within the radius */
    double radius_m;     /* > 0 when the radius limits */
    bool from_set;
    struct geo_cand from;  /* hits must come after this one */
    struct geo_cand *heap; /* the best m so far (see geo_knn_offer) */
    size_t n, m;
    uint64_t bound; /* a candidate beyond this d2 cannot enter */
};

/* A box in held units, bounds included. */
struct geo_box {
    int32_t lat_lo, lat_hi, lon_lo, lon_hi;
    bool wrap; /* lon >= lon_lo or lon <= lon_hi */
};

enum geo_rel { GEO_OUT, GEO_PART, GEO_IN };

struct geo_cell {
    uint64_t key; /* row << 32 | col */
    uint32_t count;
    uint8_t tiers;
    int64_t id;
    int64_t sum_lat, sum_lon;
};

struct geo_cells {
    struct geo_cell *c;
    size_t n, mask;
};

/* A box or clusters query. */
struct geo_boxq {
    struct geo_box box;
    uint64_t want;
    int32_t type;
    uint16_t typebit;
    struct geo_sitef sf; /* want and type on the sites' halves */
    bool (*accept)(void *ctx, int64_t id);
    void *ctx;
    bool plain;                /* no filter at all: subtree sums may answer */
    const struct geo_fsum *fs; /* clusters: the filter's sums, or NULL */
    /* bbox: the cap smallest ids in a max-heap, and the total */
    int64_t *ids;
    size_t cap, nids, total;
    /* clusters (cells != NULL) */
    struct geo_cells *cells;
    unsigned shift; /* cell = 32-bit column or row >> shift */
};

struct geo_key {
    int32_t v[3];
    uint32_t src;
};

struct geo_build_job {
    struct geo_snap *s;
    struct geo_key *key;
    size_t i, lo, hi;
    unsigned d;
    int32_t box[6];
};

static void *geo_alloc(size_t count, size_t size);
static void *geo_alloc_big(size_t count, size_t size);
static int64_t geo_round(double x);
static int32_t geo_held(double deg);
static void geo_unit_held(int32_t lat, int32_t lon, int32_t v[3]);
static uint32_t geo_row32(int32_t lat);
static uint32_t geo_col32(int32_t lon);
static int geo_item_from_entry(const struct geo_entry *e, struct geo_item *it);
static void geo_entry_from(const struct geo_pt *pt, struct geo_pos pos, struct geo_entry *out);
static uint64_t geo_d2(const int32_t a[3], const int32_t b[3]);
static uint64_t geo_site_amen(const struct geo_snap *s, size_t p);
static uint16_t geo_site_type(const struct geo_snap *s, size_t p);
static unsigned geo_site_tier(const struct geo_snap *s, size_t p);
static bool geo_site_dead(const struct geo_snap *s, size_t p);
static void geo_site_get(const struct geo_snap *s, size_t p, struct geo_pt *out);
static void geo_site_put(struct geo_snap *s, size_t p, const struct geo_pt *pt);
static void geo_sitef_init(struct geo_sitef *f, uint64_t want, int32_t type);
static bool geo_sitef_cold(const struct geo_sitef *f, const struct geo_snap *s, size_t p);
static bool geo_sitef_has(const struct geo_sitef *f, const struct geo_snap *s, size_t p);
static size_t geo_leaf_start(const struct geo_snap *s, size_t j);
static size_t geo_leaf_of(const struct geo_snap *s, size_t slot);
static void geo_select(struct geo_key *a, size_t n, size_t k, int dim);
static void geo_build_rec(struct geo_snap *s, struct geo_key *key, size_t i, unsigned d, size_t lo,
                          size_t hi, const int32_t box[6]);
static void *geo_build_thread(void *arg);
static void geo_snap_summarise(struct geo_snap *s);
static struct geo_split *geo_split_at(const struct geo_snap *s, size_t i);
static void geo_snap_splits(struct geo_snap *s);
static void geo_walk_start(const struct geo_snap *s, struct geo_walk *w);
static void geo_walk_down(const struct geo_snap *s, struct geo_walk *w, size_t side);
static struct geo_snap *geo_snap_build(const struct geo_item *items, size_t n,
                                       struct geo_hash *hash);
static void geo_snap_free(struct geo_snap *s);
static size_t geo_snap_bytes(const struct geo_snap *s);
static size_t geo_hash_home(const struct geo_hash *h, int64_t id);
static int64_t geo_hash_id(const struct geo_snap *s, const struct geo_item *pending, uint32_t v);
static bool geo_hash_lookup(const struct geo_hash *h, const struct geo_snap *s,
                            const struct geo_item *pending, int64_t id, size_t *pos);
static void geo_hash_delete(struct geo_hash *h, const struct geo_snap *s,
                            const struct geo_item *pending, size_t pos);
static void geo_path_tiers(struct geo_snap *s, size_t slot);
static bool geo_fsums_has(const struct geo_fsums *f, const struct geo_pt *pt);
static void geo_fsums_fill(const struct geo_snap *s, struct geo_fsums *f);
static const struct geo_fsum *geo_fsums_add(struct geo_snap *s, uint64_t want, int32_t type);
static size_t geo_fsums_keys(const struct geo_snap *from, struct geo_fsums *keys);
static void geo_fsums_add_keys(struct geo_snap *to, const struct geo_fsums *keys, size_t n);
static void geo_fsums_edit(struct geo_snap *s, size_t slot, const struct geo_pt *was);
static void geo_snap_kill(struct geo_snap *s, size_t slot);
static void geo_snap_restyle(struct geo_snap *s, size_t slot, const struct geo_pt *np);
static size_t geo_state_bytes(const struct geo_index *ix, const struct geo_state *st);
static void geo_state_publish(struct geo_index *ix);
static void geo_state_hash_room(struct geo_state *st, pthread_rwlock_t *lk);
static void geo_state_pending_room(struct geo_state *st);
static int geo_state_upsert(struct geo_state *st, const struct geo_item *it, pthread_rwlock_t *lk);
static int geo_state_remove(struct geo_state *st, int64_t id, pthread_rwlock_t *lk);
static struct geo_item *geo_state_items(const struct geo_state *st, size_t *n);
static void geo_state_free(struct geo_state *st);
static void geo_swap_in(struct geo_index *ix, struct geo_state *st, struct geo_state *old);
static void geo_state_build(struct geo_state *st, const struct geo_item *items, size_t n);
static void geo_rebuild(struct geo_index *ix);
static bool geo_fold_due(const struct geo_index *ix);
static bool geo_fold_worth(const struct geo_index *ix);
static struct timespec geo_quiet_at(const struct geo_index *ix);
static bool geo_ts_before(struct timespec a, struct timespec b);
static void geo_log_edit(struct geo_index *ix, const struct geo_item *it, int64_t removed);
static void *geo_folder(void *arg);
static void geo_fold_if_due(struct geo_index *ix);
static void geo_fold_wait(struct geo_index *ix);
static int geo_filter_prepare(const struct geo_filter *f, uint64_t *want, int32_t *type,
                              uint16_t *typebit);
static int64_t geo_knn_id(const struct geo_knn *k, struct geo_cand c);
static bool geo_cand_tie_less(const struct geo_knn *k, struct geo_cand a, struct geo_cand b);
static size_t geo_knn_tie_place(struct geo_knn *k, struct geo_cand c, size_t i);
static bool geo_cand_less(const struct geo_knn *k, struct geo_cand a, struct geo_cand b);
static void geo_knn_heap_offer(struct geo_knn *k, struct geo_cand c);
static void geo_knn_offer(struct geo_knn *k, uint64_t d2, uint32_t ref);
static void geo_knn_leaf(const struct geo_snap *s, struct geo_knn *k, size_t i);
static void geo_knn_subtree(const struct geo_snap *s, struct geo_knn *k, size_t root, uint64_t lo);
static void geo_knn_search(const struct geo_index *ix, struct geo_knn *k);
static size_t geo_knn_sorted(struct geo_knn *k);
static int64_t geo_held_ceil(double deg);
static int64_t geo_held_floor(double deg);
static int geo_box_prepare(double minlon, double minlat, double maxlon, double maxlat,
                           struct geo_box *b);
static bool geo_box_has(const struct geo_box *b, struct geo_pos p);
static enum geo_rel geo_box_rel(const struct geo_box *b, const struct geo_agg *a);
static struct geo_cell *geo_cells_at(struct geo_cells *c, uint64_t key);
static void geo_boxq_take(struct geo_boxq *q, int64_t id, unsigned tier, struct geo_pos pos);
static bool geo_agg_one_cell(const struct geo_agg *a, unsigned shift);
static void geo_cell_add(struct geo_boxq *q, const struct geo_agg *a, uint32_t count, uint8_t tiers,
                         int64_t sum_lat, int64_t sum_lon);
static void geo_box_visit(const struct geo_snap *s, struct geo_boxq *q, size_t i, bool inside);
static const struct geo_fsum *geo_fsums_get(struct geo_index *ix, uint64_t want, int32_t type);
static void geo_box_run(const struct geo_index *ix, struct geo_boxq *q);
static int geo_cell_cmp(const void *a, const void *b);

/* ------------------------------------------------------------------------ */
/* Small helpers and the exact definitions                                  */
/* ------------------------------------------------------------------------ */

/* malloc for count items; out of memory aborts (house rule). */
static void *geo_alloc(size_t count, size_t size)
{
    void *p;

    if (size && count > SIZE_MAX / size)
        abort();
    p = malloc(count && size ? count * size : 1);
    if (!p)
        abort();
    return p;
}

/*
 * The same for the large arrays of a tree: 64-byte aligned, so sibling
 * nodes share a cache line, and from 2 MB on aligned to 2 MB and offered
 * to the kernel for transparent huge pages. A query touches a few dozen
 * lines spread over tens of megabytes; with 4 KB pages each one would
 * also miss the TLB. Released with free().
 */
static void *geo_alloc_big(size_t count, size_t size)
{
    size_t bytes;
    void *p;

    if (size && count > SIZE_MAX / size)
        abort();
    bytes = count && size ? count * size : 1;
    if (posix_memalign(&p, bytes >= GEO_BIG_ALLOC ? GEO_BIG_ALLOC : 64, bytes) != 0)
        abort();
#ifdef MADV_HUGEPAGE
    if (bytes >= GEO_BIG_ALLOC)
        (void)madvise(p, bytes, MADV_HUGEPAGE); /* a hint; failure is fine */
#endif
    return p;
}

/*
 * llround(x) (halves away from zero) without the call, which was a fifth
 * of the cost of a query's unit vector. Below 2^52 in magnitude x minus
 * its truncation is exact, so the comparisons with 0.5 decide as llround
 * does; anything else (never a valid position) goes to llround.
 */
static inline int64_t geo_round(double x)
{
    int64_t r;
    double f;

    if (!(fabs(x) < 4503599627370496.0))
        return llround(x);
    r = (int64_t)x;
    f = x - (double)r;
    if (f >= 0.5)
        r++;
    else if (f <= -0.5)
        r--;
    return r;
}

/* A valid degree value in held units (rounded to 1e-7 degree). */
static int32_t geo_held(double deg)
{
    return (int32_t)geo_round(deg * geo_ix_per_deg);
}

static void geo_unit_held(int32_t lat, int32_t lon, int32_t v[3])
{
    double phi = (double)lat * geo_ix_rad_per_unit;
    double lam = (double)lon * geo_ix_rad_per_unit;
    double c = cos(phi);
    const double scale = (double)GEO_INDEX_UNIT_SCALE;

    v[0] = (int32_t)geo_round(c * cos(lam) * scale);
    v[1] = (int32_t)geo_round(c * sin(lam) * scale);
    v[2] = (int32_t)geo_round(sin(phi) * scale);
}

/*
 * The Mercator row of a held latitude on 32-bit fixed point (0 = north
 * edge): the cell row at zoom z is this shifted right by 30 - z. Each site
 * keeps its value and the nodes keep the range of their sites' values, so
 * the test "whole subtree in one row" agrees exactly with the per-site
 * answer whatever libm rounds.
 */
static uint32_t geo_row32(int32_t lat)
{
    double phi = (double)lat * geo_ix_rad_per_unit;
    double t = 0.5 - log(tan(geo_ix_pi / 4 + phi / 2)) / (2 * geo_ix_pi);
    double w;

    if (!(t > 0))
        return 0;
    w = t * 4294967296.0;
    return w >= 4294967295.0 ? UINT32_MAX : (uint32_t)w;
}

/* The Mercator column of a held longitude on 32-bit fixed point (integer
 * arithmetic, monotonic). */
static uint32_t geo_col32(int32_t lon)
{
    uint64_t u = (uint64_t)((int64_t)lon + 1800000000);
    uint64_t w = (u << 32) / 3600000000u;

    return w > UINT32_MAX ? UINT32_MAX : (uint32_t)w;
}

/* Check e and convert it: 0, or -1 if e is bad. */
static int geo_item_from_entry(const struct geo_entry *e, struct geo_item *it)
{
    if (e->id <= 0 || !geo_is_valid(e->lat, e->lon) || e->tier > 3)
        return -1;
    memset(it, 0, sizeof *it);
    it->pt.id = e->id;
    it->pos.lat = geo_held(e->lat);
    it->pos.lon = geo_held(e->lon);
    it->pos.row = geo_row32(it->pos.lat);
    geo_unit_held(it->pos.lat, it->pos.lon, it->pt.v);
    it->pt.type = e->type;
    it->pt.tier = e->tier;
    it->pt.amen = e->amenities;
    return 0;
}

static void geo_entry_from(const struct geo_pt *pt, struct geo_pos pos, struct geo_entry *out)
{
    memset(out, 0, sizeof *out);
    out->id = pt->id;
    out->lat = (double)pos.lat / geo_ix_per_deg;
    out->lon = (double)pos.lon / geo_ix_per_deg;
    out->amenities = pt->amen;
    out->type = pt->type;
    out->tier = pt->tier;
}

static uint64_t geo_d2(const int32_t a[3], const int32_t b[3])
{
    int64_t dx = (int64_t)a[0] - b[0];
    int64_t dy = (int64_t)a[1] - b[1];
    int64_t dz = (int64_t)a[2] - b[2];

    return (uint64_t)(dx * dx) + (uint64_t)(dy * dy) + (uint64_t)(dz * dz);
}

void geo_index_unit(double lat, double lon, int32_t v[3])
{
    geo_unit_held(geo_held(lat), geo_held(lon), v);
}

uint64_t geo_index_chord2(double lat1, double lon1, double lat2, double lon2)
{
    int32_t a[3], b[3];

    geo_index_unit(lat1, lon1, a);
    geo_index_unit(lat2, lon2, b);
    return geo_d2(a, b);
}

double geo_index_chord2_m(uint64_t chord2)
{
    double half = sqrt((double)chord2) / (2.0 * GEO_INDEX_UNIT_SCALE);

    if (half > 1)
        half = 1;
    return 2 * geo_ix_earth_m * asin(half);
}

void geo_index_cell(double lat, double lon, int zoom, uint32_t *col, uint32_t *row)
{
    unsigned shift;

    if (zoom < 0)
        zoom = 0;
    if (zoom > GEO_INDEX_MAX_ZOOM)
        zoom = GEO_INDEX_MAX_ZOOM;
    shift = 30u - (unsigned)zoom;
    *col = geo_col32(geo_held(lon)) >> shift;
    *row = geo_row32(geo_held(lat)) >> shift;
}

/* ------------------------------------------------------------------------ */
/* A tree's sites: the two halves (struct geo_hot, struct geo_cold)         */
/* ------------------------------------------------------------------------ */

static inline uint64_t geo_site_amen(const struct geo_snap *s, size_t p)
{
    return (s->hot[p].meta & GEO_HOT_AMEN) | (s->cold[p].rest & GEO_COLD_AMEN) << GEO_HOT_AMEN_BITS;
}

static inline uint16_t geo_site_type(const struct geo_snap *s, size_t p)
{
    return (uint16_t)(s->cold[p].rest >> GEO_COLD_TYPE_SHIFT);
}

static inline unsigned geo_site_tier(const struct geo_snap *s, size_t p)
{
    return (s->hot[p].meta >> GEO_HOT_TIER_SHIFT) & 3;
}

static inline bool geo_site_dead(const struct geo_snap *s, size_t p)
{
    return (s->hot[p].meta & GEO_HOT_DEAD) != 0;
}

/* The site in slot p as one record. */
static void geo_site_get(const struct geo_snap *s, size_t p, struct geo_pt *out)
{
    memset(out, 0, sizeof *out);
    memcpy(out->v, s->hot[p].v, sizeof out->v);
    out->type = geo_site_type(s, p);
    out->tier = (uint8_t)geo_site_tier(s, p);
    out->dead = geo_site_dead(s, p);
    out->amen = geo_site_amen(s, p);
    out->id = s->cold[p].id;
}

/* Store pt (tier 0..3) in slot p, dead mark included. */
static void geo_site_put(struct geo_snap *s, size_t p, const struct geo_pt *pt)
{
    memcpy(s->hot[p].v, pt->v, sizeof pt->v);
    s->hot[p].meta = ((uint32_t)pt->amen & GEO_HOT_AMEN) |
                     (uint32_t)(pt->tier & 3) << GEO_HOT_TIER_SHIFT | (pt->dead ? GEO_HOT_DEAD : 0);
    s->cold[p].id = pt->id;
    s->cold[p].rest = (pt->amen >> GEO_HOT_AMEN_BITS) | (uint64_t)pt->type << GEO_COLD_TYPE_SHIFT;
}

/* The filter of amenities want (all of them) and type (-1 = any). */
static void geo_sitef_init(struct geo_sitef *f, uint64_t want, int32_t type)
{
    f->hot_want = (uint32_t)want & GEO_HOT_AMEN;
    f->hot_mask = f->hot_want | GEO_HOT_DEAD;
    f->cold_want = want >> GEO_HOT_AMEN_BITS;
    f->type = type;
    f->cold_check = f->cold_want != 0 || type >= 0;
}

/* The cold half's part of f for slot p (when f->cold_check). */
static inline bool geo_sitef_cold(const struct geo_sitef *f, const struct geo_snap *s, size_t p)
{
    uint64_t rest = s->cold[p].rest;

    return (rest & f->cold_want) == f->cold_want &&
           (f->type < 0 || (int32_t)(rest >> GEO_COLD_TYPE_SHIFT) == f->type);
}

/* Is slot p live and does it pass f? */
static inline bool geo_sitef_has(const struct geo_sitef *f, const struct geo_snap *s, size_t p)
{
    return (s->hot[p].meta & f->hot_mask) == f->hot_want &&
           (!f->cold_check || geo_sitef_cold(f, s, p));
}

/* ------------------------------------------------------------------------ */
/* The tree: build                                                          */
/* ------------------------------------------------------------------------ */

static size_t geo_leaf_start(const struct geo_snap *s, size_t j)
{
    return (size_t)(((uint64_t)j * s->n) >> s->depth);
}

/* The leaf whose range holds slot (slot < n). */
static size_t geo_leaf_of(const struct geo_snap *s, size_t slot)
{
    size_t j = (size_t)(((uint64_t)slot << s->depth) / s->n);

    while (j + 1 < s->leaves && geo_leaf_start(s, j + 1) <= slot)
        j++;
    while (geo_leaf_start(s, j) > slot)
        j--;
    return j;
}

/*
 * Partial sort: afterwards a[k] has the value of rank k on axis dim, and
 * nothing before it is greater, nothing after it smaller. Hoare
 * partitioning around a median of three, so runs of equal values split
 * evenly instead of degrading.
 */
static void geo_select(struct geo_key *a, size_t n, size_t k, int dim)
{
    size_t lo = 0, hi = n;
    struct geo_key t;

    while (hi - lo > GEO_SMALL_SORT) {
        size_t mid = lo + (hi - lo) / 2, m;
        int32_t x = a[lo].v[dim], y = a[mid].v[dim], z = a[hi - 1].v[dim];
        int32_t pv;
        size_t i, j;

        if ((x <= y && y <= z) || (z <= y && y <= x))
            m = mid;
        else if ((y <= x && x <= z) || (z <= x && x <= y))
            m = lo;
        else
            m = hi - 1;
        t = a[lo], a[lo] = a[m], a[m] = t;
        pv = a[lo].v[dim];
        /* a[lo..i) <= pv and a(j..hi) >= pv throughout; with the pivot at
         * a[lo] the loop ends with lo <= j < hi - 1. */
        i = lo;
        j = hi - 1;
        for (;;) {
            while (a[i].v[dim] < pv)
                i++;
            while (a[j].v[dim] > pv)
                j--;
            if (i >= j)
                break;
            t = a[i], a[i] = a[j], a[j] = t;
            i++;
            j--;
        }
        if (k <= j)
            hi = j + 1;
        else
            lo = j + 1;
    }
    for (size_t i = lo + 1; i < hi; i++) {
        size_t j = i;

        t = a[i];
        while (j > lo && a[j - 1].v[dim] > t.v[dim]) {
            a[j] = a[j - 1];
            j--;
        }
        a[j] = t;
    }
}

/*
 * Order key[lo..hi) for node i at depth d. box bounds the keys (it is
 * inherited from the ancestors' splits, not measured): the widest axis of
 * it is split at the node's middle leaf, and the children inherit the box
 * cut at the splitting value. Exact boxes are computed bottom-up later.
 */
static void geo_build_rec(struct geo_snap *s, struct geo_key *key, size_t i, unsigned d, size_t lo,
                          size_t hi, const int32_t box[6])
{
    int32_t lbox[6], rbox[6];
    size_t first, mid;
    int dim = 0;

    if (d == s->depth)
        return;
    for (int a = 1; a < 3; a++) {
        if ((int64_t)box[3 + a] - box[a] > (int64_t)box[3 + dim] - box[dim])
            dim = a;
    }
    first = (i - ((size_t)1 << d)) << (s->depth - d);
    mid = geo_leaf_start(s, first + ((size_t)1 << (s->depth - d - 1)));
    memcpy(lbox, box, sizeof lbox);
    memcpy(rbox, box, sizeof rbox);
    if (mid > lo && mid < hi) {
        geo_select(key + lo, hi - lo, mid - lo, dim);
        lbox[3 + dim] = key[mid].v[dim];
        rbox[dim] = key[mid].v[dim];
    }
    if (d == 0 && hi - lo >= GEO_PAR_MIN) {
        /* Two cores build the two halves. */
        struct geo_build_job job = {s, key, 2 * i + 1, mid, hi, d + 1, {0}};
        pthread_t th;

        memcpy(job.box, rbox, sizeof job.box);
        if (pthread_create(&th, NULL, geo_build_thread, &job) == 0) {
            geo_build_rec(s, key, 2 * i, d + 1, lo, mid, lbox);
            pthread_join(th, NULL);
            return;
        }
    }
    geo_build_rec(s, key, 2 * i, d + 1, lo, mid, lbox);
    geo_build_rec(s, key, 2 * i + 1, d + 1, mid, hi, rbox);
}

static void *geo_build_thread(void *arg)
{
    struct geo_build_job *job = arg;

    geo_build_rec(job->s, job->key, job->i, job->d, job->lo, job->hi, job->box);
    return NULL;
}

/* Boxes, summaries and sums of every node, bottom-up (all sites live). */
static void geo_snap_summarise(struct geo_snap *s)
{
    size_t L = s->leaves;

    for (size_t j = 0; j < L; j++) {
        struct geo_node *nd = &s->node[L + j];
        size_t a = geo_leaf_start(s, j), b = geo_leaf_start(s, j + 1);

        for (int x = 0; x < 3; x++) {
            nd->lo[x] = INT32_MAX; /* inverted: empty until a site */
            nd->hi[x] = INT32_MIN;
        }
        nd->amen = 0;
        for (size_t p = a; p < b; p++) {
            const int32_t *v = s->hot[p].v;

            for (int x = 0; x < 3; x++) {
                if (v[x] < nd->lo[x])
                    nd->lo[x] = v[x];
                if (v[x] > nd->hi[x])
                    nd->hi[x] = v[x];
            }
            nd->amen |= geo_site_amen(s, p);
        }
    }
    for (size_t i = L; i-- > 1;) {
        struct geo_node *nd = &s->node[i];
        const struct geo_node *l = &s->node[2 * i], *r = l + 1;
        struct geo_agg *ag = &s->agg[i];

        for (int x = 0; x < 3; x++) {
            nd->lo[x] = l->lo[x] < r->lo[x] ? l->lo[x] : r->lo[x];
            nd->hi[x] = l->hi[x] > r->hi[x] ? l->hi[x] : r->hi[x];
        }
        nd->amen = l->amen | r->amen;
        if (2 * i >= L) {
            /* Children are leaves: from the sites themselves. */
            size_t a = geo_leaf_start(s, 2 * i - L);
            size_t b = geo_leaf_start(s, 2 * i + 2 - L);

            memset(ag, 0, sizeof *ag);
            ag->lat_lo = ag->lon_lo = INT32_MAX;
            ag->lat_hi = ag->lon_hi = INT32_MIN;
            ag->row_lo = UINT32_MAX;
            for (size_t p = a; p < b; p++) {
                struct geo_pos ps = s->pos[p];

                if (ps.lat < ag->lat_lo)
                    ag->lat_lo = ps.lat;
                if (ps.lat > ag->lat_hi)
                    ag->lat_hi = ps.lat;
                if (ps.lon < ag->lon_lo)
                    ag->lon_lo = ps.lon;
                if (ps.lon > ag->lon_hi)
                    ag->lon_hi = ps.lon;
                if (ps.row < ag->row_lo)
                    ag->row_lo = ps.row;
                if (ps.row > ag->row_hi)
                    ag->row_hi = ps.row;
                ag->sum_lat += ps.lat;
                ag->sum_lon += ps.lon;
                ag->types |= (uint16_t)(1u << (geo_site_type(s, p) & 15));
                ag->tiers |= (uint8_t)(1u << geo_site_tier(s, p));
            }
            ag->count = (uint32_t)(b - a);
        } else {
            const struct geo_agg *la = &s->agg[2 * i], *ra = la + 1;

            ag->lat_lo = la->lat_lo < ra->lat_lo ? la->lat_lo : ra->lat_lo;
            ag->lat_hi = la->lat_hi > ra->lat_hi ? la->lat_hi : ra->lat_hi;
            ag->lon_lo = la->lon_lo < ra->lon_lo ? la->lon_lo : ra->lon_lo;
            ag->lon_hi = la->lon_hi > ra->lon_hi ? la->lon_hi : ra->lon_hi;
            ag->row_lo = la->row_lo < ra->row_lo ? la->row_lo : ra->row_lo;
            ag->row_hi = la->row_hi > ra->row_hi ? la->row_hi : ra->row_hi;
            ag->sum_lat = la->sum_lat + ra->sum_lat;
            ag->sum_lon = la->sum_lon + ra->sum_lon;
            ag->count = la->count + ra->count;
            ag->types = la->types | ra->types;
            ag->tiers = la->tiers | ra->tiers;
        }
    }
}

/*
 * A new tree over items (all live) and a new id table for it in *hash.
 * Returns NULL, and sets nothing, if two items share an id. The caller owns
 * the result (geo_snap_free) and the table (free(hash->slot)).
 */
static struct geo_snap *geo_snap_build(const struct geo_item *items, size_t n,
                                       struct geo_hash *hash)
{
    struct geo_snap *s = geo_alloc(1, sizeof *s);
    struct geo_hash h;
    struct geo_key *key;
    int32_t box[6] = {INT32_MAX, INT32_MAX, INT32_MAX, INT32_MIN, INT32_MIN, INT32_MIN};

    memset(s, 0, sizeof *s);
    atomic_init(&s->fsums_n, 0);
    s->n = n;
    while (((n + ((size_t)1 << s->depth) - 1) >> s->depth) > GEO_LEAF_MAX)
        s->depth++;
    s->leaves = (size_t)1 << s->depth;

    /* The id table first (values: item positions, remapped below), so a
     * duplicate fails before the expensive part. Ids resolve through the
     * tree's site array, which holds the items in input order for now. */
    s->hot = geo_alloc_big(n, sizeof *s->hot);
    s->cold = geo_alloc_big(n, sizeof *s->cold);
    for (size_t i = 0; i < n; i++)
        s->cold[i].id = items[i].pt.id;
    h.cap = (n + n / 64 + 16 * GEO_INDEX_PENDING_MAX) / 5 * 8 + 16;
    h.slot = geo_alloc_big(h.cap, sizeof *h.slot);
    memset(h.slot, 0xff, h.cap * sizeof *h.slot);
    for (size_t i = 0; i < n; i++) {
        size_t pos;

        if (geo_hash_lookup(&h, s, NULL, items[i].pt.id, &pos)) {
            free(h.slot);
            free(s->hot);
            free(s->cold);
            free(s);
            return NULL;
        }
        h.slot[pos] = (uint32_t)i;
    }

    key = geo_alloc(n, sizeof *key);
    for (size_t i = 0; i < n; i++) {
        memcpy(key[i].v, items[i].pt.v, sizeof key[i].v);
        key[i].src = (uint32_t)i;
        for (int a = 0; a < 3; a++) {
            if (key[i].v[a] < box[a])
                box[a] = key[i].v[a];
            if (key[i].v[a] > box[3 + a])
                box[3 + a] = key[i].v[a];
        }
    }
    geo_build_rec(s, key, 1, 0, 0, n, box);

    s->pos = geo_alloc_big(n, sizeof *s->pos);
    for (size_t i = 0; i < n; i++) {
        const struct geo_item *it = &items[key[i].src];

        struct geo_pt pt = it->pt;

        pt.dead = 0;
        geo_site_put(s, i, &pt);
        s->pos[i] = it->pos;
    }
    /* key[].v[0] becomes the inverse permutation: item -> slot. */
    for (size_t i = 0; i < n; i++)
        key[key[i].src].v[0] = (int32_t)i;
    for (size_t p = 0; p < h.cap; p++) {
        if (h.slot[p] != GEO_HASH_EMPTY)
            h.slot[p] = (uint32_t)key[h.slot[p]].v[0];
    }
    free(key);

    s->node = geo_alloc_big(2 * s->leaves, sizeof *s->node);
    s->agg = geo_alloc_big(s->leaves, sizeof *s->agg);
    memset(&s->node[0], 0, sizeof s->node[0]);
    memset(&s->agg[0], 0, sizeof s->agg[0]);
    geo_snap_summarise(s);
    geo_snap_splits(s);
    *hash = h;
    return s;
}

/*
 * The split of internal node i (1 <= i < L). The blocks of level b (b = 0
 * the top one) have their roots at depth d_b (0, then split_top, +3 each
 * level after), 2^d_b of them, stored after all blocks of the levels
 * above, in the order of their roots.
 */
static struct geo_split *geo_split_at(const struct geo_snap *s, size_t i)
{
    unsigned d = 0, db = 0, rel;
    size_t base = 0;

    while (((size_t)2 << d) <= i)
        d++;
    if (d >= s->split_top) {
        base = 1;
        db = s->split_top;
        while (d >= db + 3) {
            base += (size_t)1 << db;
            db += 3;
        }
    }
    rel = d - db;
    return &s->split[8 * (base + (i >> rel) - ((size_t)1 << db)) +
                     (((size_t)1 << rel) | (i & (((size_t)1 << rel) - 1)))];
}

/* Start a walk down at the root (the tree has a split: depth >= 1). */
static inline void geo_walk_start(const struct geo_snap *s, struct geo_walk *w)
{
    w->i = 1;
    w->depth = 0;
    w->blk = s->split;
    w->local = 1;
    w->base = 1;
    w->left = s->split_top;
}

/* Step to child 2i + side; w->blk[w->local] is then its split if it is
 * internal. */
static inline void geo_walk_down(const struct geo_snap *s, struct geo_walk *w, size_t side)
{
    w->i = 2 * w->i + side;
    w->depth++;
    if (--w->left > 0) {
        w->local = 2 * w->local + side;
    } else if (w->i < s->leaves) {
        /* Into the block rooted at i. */
        w->blk = s->split + 8 * (w->base + (w->i - ((size_t)1 << w->depth)));
        w->base += (size_t)1 << w->depth;
        w->local = 1;
        w->left = 3;
    }
}

/* The splits of every internal node, from the nodes' exact boxes. */
static void geo_snap_splits(struct geo_snap *s)
{
    unsigned depth = s->depth, db;

    s->split_top = depth ? depth - 3 * ((depth - 1) / 3) : 0;
    s->split_blocks = 1;
    for (db = s->split_top; depth && db < depth; db += 3)
        s->split_blocks += (size_t)1 << db;
    s->split = geo_alloc_big(8 * s->split_blocks, sizeof *s->split);
    memset(s->split, 0, 8 * s->split_blocks * sizeof *s->split);
    for (size_t i = 1; i < s->leaves; i++) {
        const struct geo_node *l = &s->node[2 * i], *r = l + 1;
        struct geo_split *sp = geo_split_at(s, i);
        unsigned axis = GEO_SPLIT_NONE;

        for (unsigned a = 0; a < 3; a++) {
            if (l->hi[a] <= r->lo[a]) {
                axis = a;
                break;
            }
        }
        sp->at = axis == GEO_SPLIT_NONE ? 0 : r->lo[axis];
        sp->meta = axis | (uint32_t)(l->amen & GEO_SPLIT_AMEN) << 2 |
                   (uint32_t)(r->amen & GEO_SPLIT_AMEN) << 17;
    }
}

static void geo_snap_free(struct geo_snap *s)
{
    if (!s)
        return;
    free(s->split);
    free(s->hot);
    free(s->cold);
    free(s->pos);
    free(s->node);
    free(s->agg);
    for (size_t i = 0; i < atomic_load_explicit(&s->fsums_n, memory_order_acquire); i++)
        free(s->fsums[i].node);
    free(s);
}

static size_t geo_snap_bytes(const struct geo_snap *s)
{
    size_t nf = atomic_load_explicit(&s->fsums_n, memory_order_acquire);

    return sizeof *s + s->n * (sizeof *s->hot + sizeof *s->cold + sizeof *s->pos) +
           2 * s->leaves * sizeof *s->node + s->leaves * sizeof *s->agg +
           8 * s->split_blocks * sizeof *s->split + nf * s->leaves * sizeof(struct geo_fsum);
}

/* ------------------------------------------------------------------------ */
/* The id table                                                             */
/* ------------------------------------------------------------------------ */

static uint64_t geo_mix(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9u;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebu;
    x ^= x >> 31;
    return x;
}

/* The home position of id: the high 32 bits of its hash scaled to cap. */
static size_t geo_hash_home(const struct geo_hash *h, int64_t id)
{
    return (size_t)(((geo_mix((uint64_t)id) >> 32) * (uint64_t)h->cap) >> 32);
}

static int64_t geo_hash_id(const struct geo_snap *s, const struct geo_item *pending, uint32_t v)
{
    if (v & GEO_PENDING_BIT)
        return pending[v & ~GEO_PENDING_BIT].pt.id;
    return s->cold[v].id;
}

/* true if id is in the table, *pos its position; else *pos is the empty
 * position where it would go. */
static bool geo_hash_lookup(const struct geo_hash *h, const struct geo_snap *s,
                            const struct geo_item *pending, int64_t id, size_t *pos)
{
    size_t p = geo_hash_home(h, id);

    while (h->slot[p] != GEO_HASH_EMPTY) {
        if (geo_hash_id(s, pending, h->slot[p]) == id) {
            *pos = p;
            return true;
        }
        if (++p == h->cap)
            p = 0;
    }
    *pos = p;
    return false;
}

/* Empty position pos, shifting later members of its run back so that
 * every key stays reachable from its home position. */
static void geo_hash_delete(struct geo_hash *h, const struct geo_snap *s,
                            const struct geo_item *pending, size_t pos)
{
    size_t i = pos, j = pos;

    for (;;) {
        size_t home;

        if (++j == h->cap)
            j = 0;
        if (h->slot[j] == GEO_HASH_EMPTY)
            break;
        home = geo_hash_home(h, geo_hash_id(s, pending, h->slot[j]));
        /* Move j back to i unless its home lies cyclically in (i, j]. */
        if (i <= j ? (home <= i || home > j) : (home <= i && home > j)) {
            h->slot[i] = h->slot[j];
            i = j;
        }
    }
    h->slot[i] = GEO_HASH_EMPTY;
}

/* ------------------------------------------------------------------------ */
/* Edits in place (the caller holds the write lock)                         */
/* ------------------------------------------------------------------------ */

/* Recompute the exact tier sets above slot: its leaves' parent from the
 * sites, the ancestors from their children. */
static void geo_path_tiers(struct geo_snap *s, size_t slot)
{
    size_t L = s->leaves, i, a, b;
    uint8_t tiers = 0;

    if (L == 1)
        return;
    i = (L + geo_leaf_of(s, slot)) / 2;
    a = geo_leaf_start(s, 2 * i - L);
    b = geo_leaf_start(s, 2 * i + 2 - L);
    for (size_t p = a; p < b; p++) {
        if (!geo_site_dead(s, p))
            tiers |= (uint8_t)(1u << geo_site_tier(s, p));
    }
    s->agg[i].tiers = tiers;
    for (i /= 2; i >= 1; i /= 2)
        s->agg[i].tiers = s->agg[2 * i].tiers | s->agg[2 * i + 1].tiers;
}

/* ------------------------------------------------------------------------ */
/* Filter sums                                                              */
/* ------------------------------------------------------------------------ */

/* Does the live site pt pass the filter of f? */
static bool geo_fsums_has(const struct geo_fsums *f, const struct geo_pt *pt)
{
    return !pt->dead && (pt->amen & f->want) == f->want && (f->type < 0 || pt->type == f->type);
}

/* The sums of f for every internal node of s, bottom-up: the parents of
 * leaves from their sites, the others from their children. */
static void geo_fsums_fill(const struct geo_snap *s, struct geo_fsums *f)
{
    size_t L = s->leaves;
    struct geo_sitef sf;

    geo_sitef_init(&sf, f->want, f->type);
    f->node = geo_alloc_big(L, sizeof *f->node);
    memset(f->node, 0, L * sizeof *f->node);
    for (size_t i = L; i-- > 1;) {
        struct geo_fsum *g = &f->node[i];

        if (2 * i >= L) {
            size_t a = geo_leaf_start(s, 2 * i - L), b = geo_leaf_start(s, 2 * i + 2 - L);

            for (size_t p = a; p < b; p++) {
                if (!geo_sitef_has(&sf, s, p))
                    continue;
                g->count++;
                g->sum_lat += s->pos[p].lat;
                g->sum_lon += s->pos[p].lon;
                g->tiers |= (uint8_t)(1u << geo_site_tier(s, p));
            }
        } else {
            const struct geo_fsum *l = &f->node[2 * i], *r = l + 1;

            g->count = l->count + r->count;
            g->sum_lat = l->sum_lat + r->sum_lat;
            g->sum_lon = l->sum_lon + r->sum_lon;
            g->tiers = l->tiers | r->tiers;
        }
    }
}

/*
 * The sums of the filter (want, type) for s: found, or computed and added
 * if there is room (one pass over the sites), else NULL. The caller holds
 * ix->fsums_lock if s is visible to other readers, and at least the read
 * lock: writers change sums only under the write lock.
 */
static const struct geo_fsum *geo_fsums_add(struct geo_snap *s, uint64_t want, int32_t type)
{
    size_t n = atomic_load_explicit(&s->fsums_n, memory_order_acquire);

    for (size_t i = 0; i < n; i++) {
        if (s->fsums[i].want == want && s->fsums[i].type == type)
            return s->fsums[i].node;
    }
    if (n == GEO_FSUMS_MAX || s->leaves < 2)
        return NULL;
    s->fsums[n].want = want;
    s->fsums[n].type = type;
    atomic_init(&s->fsums[n].used, false);
    geo_fsums_fill(s, &s->fsums[n]);
    atomic_store_explicit(&s->fsums_n, n + 1, memory_order_release);
    return s->fsums[n].node;
}

/* The filters of from that queries asked for, into keys (room for
 * GEO_FSUMS_MAX); returns their number. What fsums_n shows is complete. */
static size_t geo_fsums_keys(const struct geo_snap *from, struct geo_fsums *keys)
{
    size_t n = atomic_load_explicit(&from->fsums_n, memory_order_acquire), k = 0;

    for (size_t i = 0; i < n; i++) {
        if (!atomic_load_explicit(&from->fsums[i].used, memory_order_relaxed))
            continue;
        keys[k].want = from->fsums[i].want;
        keys[k].type = from->fsums[i].type;
        k++;
    }
    return k;
}

/* Sums on a new tree (not visible to readers yet) for the filters in
 * keys, so that a fold keeps the map's usual filters fast; they count as
 * unused until a query asks, so a filter nobody asks for any more is
 * dropped at the fold after next. */
static void geo_fsums_add_keys(struct geo_snap *to, const struct geo_fsums *keys, size_t n)
{
    for (size_t i = 0; i < n; i++)
        (void)geo_fsums_add(to, keys[i].want, keys[i].type);
}

/* The site in slot was *was and is now as stored (dead, or restyled in
 * place): bring every filter's counts, sums and tiers on its path up to
 * date. The caller holds the write lock (or s is not visible). */
static void geo_fsums_edit(struct geo_snap *s, size_t slot, const struct geo_pt *was)
{
    size_t nf = atomic_load_explicit(&s->fsums_n, memory_order_relaxed);
    size_t L = s->leaves, parent;
    struct geo_pos ps = s->pos[slot];
    struct geo_pt now;

    if (nf == 0 || L < 2)
        return;
    geo_site_get(s, slot, &now);
    parent = (L + geo_leaf_of(s, slot)) / 2;
    for (size_t k = 0; k < nf; k++) {
        struct geo_fsums *f = &s->fsums[k];
        bool before = geo_fsums_has(f, was), after = geo_fsums_has(f, &now);
        size_t a = geo_leaf_start(s, 2 * parent - L), b = geo_leaf_start(s, 2 * parent + 2 - L);
        uint8_t tiers = 0;

        if (!before && !after)
            continue;
        for (size_t i = parent; i >= 1 && before != after; i /= 2) {
            struct geo_fsum *g = &f->node[i];

            if (after) {
                g->count++;
                g->sum_lat += ps.lat;
                g->sum_lon += ps.lon;
            } else {
                g->count--;
                g->sum_lat -= ps.lat;
                g->sum_lon -= ps.lon;
            }
        }
        struct geo_sitef sf;

        geo_sitef_init(&sf, f->want, f->type);
        for (size_t p = a; p < b; p++) {
            if (geo_sitef_has(&sf, s, p))
                tiers |= (uint8_t)(1u << geo_site_tier(s, p));
        }
        f->node[parent].tiers = tiers;
        for (size_t i = parent / 2; i >= 1; i /= 2)
            f->node[i].tiers = f->node[2 * i].tiers | f->node[2 * i + 1].tiers;
    }
}

/* Mark a live slot dead, keeping counts, sums and tiers exact, and the
 * boxes of nodes left without a live site inverted. */
static void geo_snap_kill(struct geo_snap *s, size_t slot)
{
    size_t j = geo_leaf_of(s, slot), i = s->leaves + j;
    struct geo_pos ps = s->pos[slot];
    struct geo_pt was;
    bool empty = true;

    geo_site_get(s, slot, &was);
    s->hot[slot].meta |= GEO_HOT_DEAD;
    s->dead++;
    for (size_t p = geo_leaf_start(s, j); p < geo_leaf_start(s, j + 1); p++)
        empty = empty && geo_site_dead(s, p);
    for (;;) {
        if (empty) {
            s->node[i].lo[0] = INT32_MAX;
            s->node[i].hi[0] = INT32_MIN;
        }
        i /= 2;
        if (i == 0)
            break;
        s->agg[i].count--;
        s->agg[i].sum_lat -= ps.lat;
        s->agg[i].sum_lon -= ps.lon;
        empty = s->agg[i].count == 0;
    }
    geo_path_tiers(s, slot);
    geo_fsums_edit(s, slot, &was);
}

/* New amenities, type and tier for a slot whose position is unchanged. */
static void geo_snap_restyle(struct geo_snap *s, size_t slot, const struct geo_pt *np)
{
    size_t i = s->leaves + geo_leaf_of(s, slot);
    uint16_t typebit = (uint16_t)(1u << (np->type & 15));
    struct geo_pt was, now;

    geo_site_get(s, slot, &was);
    now = was;
    now.amen = np->amen;
    now.type = np->type;
    now.tier = np->tier;
    geo_site_put(s, slot, &now);
    s->node[i].amen |= np->amen;
    for (; i > 1; i /= 2) {
        uint32_t bits = (uint32_t)(np->amen & GEO_SPLIT_AMEN) << (i & 1 ? 17 : 2);

        s->node[i / 2].amen |= np->amen;
        s->agg[i / 2].types |= typebit;
        geo_split_at(s, i / 2)->meta |= bits;
    }
    geo_path_tiers(s, slot);
    geo_fsums_edit(s, slot, &was);
}

/* ------------------------------------------------------------------------ */
/* Edits on a state (the caller holds ix->write)                            */
/* ------------------------------------------------------------------------ */

/* Bytes held by a state and the index around it. */
static size_t geo_state_bytes(const struct geo_index *ix, const struct geo_state *st)
{
    return sizeof *ix + geo_snap_bytes(st->snap) + st->hash.cap * sizeof *st->hash.slot +
           st->pending_cap * sizeof *st->pending + ix->log_cap * sizeof *ix->log;
}

/* Publish count and memory of the live state. */
static void geo_state_publish(struct geo_index *ix)
{
    atomic_store_explicit(&ix->count, ix->st.count, memory_order_relaxed);
    atomic_store_explicit(&ix->memory, geo_state_bytes(ix, &ix->st), memory_order_relaxed);
}

/*
 * Make room for one more id in the table: above a load of 5/8 a table
 * twice the size is filled outside the lock (only writers change tables)
 * and installed under lk (NULL: st is not visible to readers). Rare: a
 * tree's table has room for an eighth more sites than it was built with.
 */
static void geo_state_hash_room(struct geo_state *st, pthread_rwlock_t *lk)
{
    struct geo_hash g, old = st->hash;

    if ((st->count + 1) * 8 <= old.cap * 5)
        return;
    g.cap = old.cap * 2;
    g.slot = geo_alloc_big(g.cap, sizeof *g.slot);
    memset(g.slot, 0xff, g.cap * sizeof *g.slot);
    for (size_t p = 0; p < old.cap; p++) {
        size_t at;

        if (old.slot[p] == GEO_HASH_EMPTY)
            continue;
        geo_hash_lookup(&g, st->snap, st->pending, geo_hash_id(st->snap, st->pending, old.slot[p]),
                        &at);
        g.slot[at] = old.slot[p];
    }
    if (lk)
        pthread_rwlock_wrlock(lk);
    st->hash = g;
    if (lk)
        pthread_rwlock_unlock(lk);
    free(old.slot);
}

/* Room for one more pending site; the caller holds lk (if not NULL). */
static void geo_state_pending_room(struct geo_state *st)
{
    if (st->pending_n < st->pending_cap)
        return;
    st->pending_cap = st->pending_cap ? 2 * st->pending_cap : GEO_INDEX_PENDING_MAX;
    st->pending = realloc(st->pending, st->pending_cap * sizeof *st->pending);
    if (!st->pending)
        abort();
}

/*
 * Insert it, or replace the site with its id, in st: a changed amenity,
 * type or tier in place, a new or moved site into the pending list. lk is
 * the readers' lock when st is the live state, else NULL. Returns 0, or
 * -1 when the index is full (2^31 sites).
 */
static int geo_state_upsert(struct geo_state *st, const struct geo_item *it, pthread_rwlock_t *lk)
{
    struct geo_snap *s = st->snap;
    size_t pos;
    bool found = geo_hash_lookup(&st->hash, s, st->pending, it->pt.id, &pos);

    if (!found) {
        if (st->count + 1 >= GEO_PENDING_BIT)
            return -1;
        geo_state_hash_room(st, lk);
        geo_hash_lookup(&st->hash, s, st->pending, it->pt.id, &pos);
    }
    if (lk)
        pthread_rwlock_wrlock(lk);
    if (!found) {
        geo_state_pending_room(st);
        st->pending[st->pending_n] = *it;
        st->hash.slot[pos] = GEO_PENDING_BIT | (uint32_t)st->pending_n++;
        st->count++;
    } else if (st->hash.slot[pos] & GEO_PENDING_BIT) {
        st->pending[st->hash.slot[pos] & ~GEO_PENDING_BIT] = *it;
    } else {
        size_t slot = st->hash.slot[pos];

        if (s->pos[slot].lat == it->pos.lat && s->pos[slot].lon == it->pos.lon) {
            geo_snap_restyle(s, slot, &it->pt);
        } else {
            geo_snap_kill(s, slot);
            geo_state_pending_room(st);
            st->pending[st->pending_n] = *it;
            st->hash.slot[pos] = GEO_PENDING_BIT | (uint32_t)st->pending_n++;
        }
    }
    if (lk)
        pthread_rwlock_unlock(lk);
    return 0;
}

/* Remove the site with this id from st (lk as for geo_state_upsert):
 * 0, or -1 if absent. */
static int geo_state_remove(struct geo_state *st, int64_t id, pthread_rwlock_t *lk)
{
    struct geo_snap *s = st->snap;
    size_t pos;
    uint32_t v;

    if (!geo_hash_lookup(&st->hash, s, st->pending, id, &pos))
        return -1;
    v = st->hash.slot[pos];
    if (lk)
        pthread_rwlock_wrlock(lk);
    geo_hash_delete(&st->hash, s, st->pending, pos);
    if (v & GEO_PENDING_BIT) {
        size_t j = v & ~GEO_PENDING_BIT, last = st->pending_n - 1;

        if (j != last) {
            /* The last pending site takes the freed place. */
            geo_hash_lookup(&st->hash, s, st->pending, st->pending[last].pt.id, &pos);
            st->pending[j] = st->pending[last];
            st->hash.slot[pos] = GEO_PENDING_BIT | (uint32_t)j;
        }
        st->pending_n--;
    } else {
        geo_snap_kill(s, v);
    }
    st->count--;
    if (lk)
        pthread_rwlock_unlock(lk);
    return 0;
}

/* The live sites of st in full (tree first, then pending); *n gets their
 * number. The caller frees the result. */
static struct geo_item *geo_state_items(const struct geo_state *st, size_t *n)
{
    const struct geo_snap *s = st->snap;
    struct geo_item *items;
    size_t k = 0;

    *n = s->n - s->dead + st->pending_n;
    items = geo_alloc(*n, sizeof *items);
    for (size_t i = 0; i < s->n; i++) {
        if (geo_site_dead(s, i))
            continue;
        geo_site_get(s, i, &items[k].pt);
        items[k].pos = s->pos[i];
        k++;
    }
    if (st->pending_n) /* pending is NULL until an edit arrives */
        memcpy(items + k, st->pending, st->pending_n * sizeof *items);
    return items;
}

static void geo_state_free(struct geo_state *st)
{
    geo_snap_free(st->snap);
    free(st->hash.slot);
    free(st->pending);
    memset(st, 0, sizeof *st);
}

/* Install st as the live state (write lock inside); the old one goes to
 * *old for the caller to free (geo_state_free), after releasing ix->write
 * if it can: freeing a large tree takes milliseconds. The caller holds
 * ix->write. */
static void geo_swap_in(struct geo_index *ix, struct geo_state *st, struct geo_state *old)
{
    pthread_rwlock_wrlock(&ix->lock);
    *old = ix->st;
    ix->st = *st;
    pthread_rwlock_unlock(&ix->lock);
    geo_state_publish(ix);
}

/* A new state with a tree over items (all live, ids unique). */
static void geo_state_build(struct geo_state *st, const struct geo_item *items, size_t n)
{
    memset(st, 0, sizeof *st);
    st->snap = geo_snap_build(items, n, &st->hash);
    if (!st->snap)
        abort(); /* the ids were unique: cannot happen */
    st->count = n;
}

/* Fold the pending list and the dead slots into a new tree now, on the
 * caller's thread. The caller holds ix->write and no fold is running. */
static void geo_rebuild(struct geo_index *ix)
{
    struct geo_state st, old;
    struct geo_fsums keys[GEO_FSUMS_MAX];
    size_t n;
    struct geo_item *items = geo_state_items(&ix->st, &n);

    geo_state_build(&st, items, n);
    free(items);
    geo_fsums_add_keys(st.snap, keys, geo_fsums_keys(ix->st.snap, keys));
    geo_swap_in(ix, &st, &old);
    geo_state_free(&old);
}

/* Is it time to fold the live state into a new tree? */
static bool geo_fold_due(const struct geo_index *ix)
{
    const struct geo_snap *s = ix->st.snap;

    return ix->st.pending_n >= GEO_INDEX_PENDING_MAX ||
           (s->dead > GEO_INDEX_PENDING_MAX && s->dead > s->n / 8);
}

/* Sites on the pending list or dead slots in the tree: every query scans
 * the list, and a dead slot is read and skipped, so once edits pause for
 * GEO_FOLD_QUIET_MS the folder folds them in even when no fold is due.
 * Otherwise one moved site would cost every query a pass over the list
 * until 63 more edits came. */
static bool geo_fold_worth(const struct geo_index *ix)
{
    return ix->st.pending_n > 0 || ix->st.snap->dead > 0;
}

/* The time GEO_FOLD_QUIET_MS after the last edit. */
static struct timespec geo_quiet_at(const struct geo_index *ix)
{
    struct timespec at = ix->last_edit;

    at.tv_sec += GEO_FOLD_QUIET_MS / 1000;
    at.tv_nsec += (long)(GEO_FOLD_QUIET_MS % 1000) * 1000000L;
    if (at.tv_nsec >= 1000000000L) {
        at.tv_sec++;
        at.tv_nsec -= 1000000000L;
    }
    return at;
}

static bool geo_ts_before(struct timespec a, struct timespec b)
{
    return a.tv_sec < b.tv_sec || (a.tv_sec == b.tv_sec && a.tv_nsec < b.tv_nsec);
}

/* Note an edit for the fold under way, to be replayed on its new tree. */
static void geo_log_edit(struct geo_index *ix, const struct geo_item *it, int64_t removed)
{
    struct geo_op *op;

    if (!ix->logging)
        return;
    if (ix->log_n == ix->log_cap) {
        ix->log_cap = ix->log_cap ? 2 * ix->log_cap : GEO_INDEX_PENDING_MAX;
        ix->log = realloc(ix->log, ix->log_cap * sizeof *ix->log);
        if (!ix->log)
            abort();
    }
    op = &ix->log[ix->log_n++];
    op->removed = removed;
    if (it)
        op->it = *it;
}

/*
 * The folder thread: while a fold is due, copy the live sites (holding
 * ix->write, so writers wait for the copy only), build a new tree from
 * them with no lock held, then take ix->write again, replay on the new
 * state the edits logged since the copy and swap it in. Readers use the
 * old tree until the swap; writers go on editing the old state meanwhile.
 * A geo_index_build during the fold makes its result stale (gen).
 */
static void *geo_folder(void *arg)
{
    struct geo_index *ix = arg;

    pthread_mutex_lock(&ix->write);
    for (;;) {
        struct geo_state st, old;
        struct geo_item *items;
        struct geo_fsums keys[GEO_FSUMS_MAX];
        uint64_t gen;
        size_t n, nkeys;

        while (!ix->closing && !geo_fold_due(ix)) {
            if (geo_fold_worth(ix)) {
                struct timespec now, at = geo_quiet_at(ix);

                clock_gettime(CLOCK_MONOTONIC, &now);
                if (!geo_ts_before(now, at))
                    break; /* quiet long enough: fold what is there */
                ix->timed = true;
                pthread_cond_timedwait(&ix->wake, &ix->write, &at);
                ix->timed = false;
            } else {
                pthread_cond_wait(&ix->wake, &ix->write);
            }
        }
        if (ix->closing)
            break;
        ix->folding = true;
        items = geo_state_items(&ix->st, &n);
        nkeys = geo_fsums_keys(ix->st.snap, keys);
        gen = ix->gen;
        ix->logging = true;
        ix->log_n = 0;
        pthread_mutex_unlock(&ix->write);

        geo_state_build(&st, items, n);
        free(items);
        geo_fsums_add_keys(st.snap, keys, nkeys);

        pthread_mutex_lock(&ix->write);
        ix->logging = false;
        if (gen == ix->gen && !ix->closing) {
            for (size_t i = 0; i < ix->log_n; i++) {
                const struct geo_op *op = &ix->log[i];

                if (op->removed)
                    (void)geo_state_remove(&st, op->removed, NULL);
                else
                    (void)geo_state_upsert(&st, &op->it, NULL);
            }
            geo_swap_in(ix, &st, &old);
        } else {
            old = st;
        }
        ix->log_n = 0;
        ix->folding = false;
        pthread_cond_broadcast(&ix->idle);
        pthread_mutex_unlock(&ix->write);
        geo_state_free(&old);
        pthread_mutex_lock(&ix->write);
    }
    ix->folding = false;
    pthread_cond_broadcast(&ix->idle);
    pthread_mutex_unlock(&ix->write);
    return NULL;
}

/* After an edit (holding ix->write): wake the folder if a fold is due,
 * starting it the first time. Without a thread, fold here. */
static void geo_fold_if_due(struct geo_index *ix)
{
    clock_gettime(CLOCK_MONOTONIC, &ix->last_edit);
    if (ix->folding)
        return;
    if (!geo_fold_due(ix)) {
        /* Not due: the folder folds after a pause, if it runs. Waiting
         * for one already, it finds this edit when it wakes. */
        if (!geo_fold_worth(ix) || ix->timed)
            return;
        if (!ix->folder_started) {
            if (pthread_create(&ix->folder, NULL, geo_folder, ix) != 0)
                return; /* no thread: the list waits for a due fold */
            ix->folder_started = true;
        }
        pthread_cond_signal(&ix->wake);
        return;
    }
    if (!ix->folder_started) {
        if (pthread_create(&ix->folder, NULL, geo_folder, ix) != 0) {
            geo_rebuild(ix);
            return;
        }
        ix->folder_started = true;
    }
    pthread_cond_signal(&ix->wake);
}

/* Wait until no fold is running (the caller holds ix->write). */
static void geo_fold_wait(struct geo_index *ix)
{
    while (ix->folding)
        pthread_cond_wait(&ix->idle, &ix->write);
}

/* ------------------------------------------------------------------------ */
/* Public: life cycle and edits                                             */
/* ------------------------------------------------------------------------ */

struct geo_index *geo_index_new(void)
{
    struct geo_index *ix = geo_alloc(1, sizeof *ix);
    pthread_rwlockattr_t attr;
    pthread_condattr_t cattr;

    memset(ix, 0, sizeof *ix);
    pthread_rwlockattr_init(&attr);
#ifdef __GLIBC__
    /* glibc prefers readers by default: a steady stream of queries would
     * starve an admin's edit. */
    pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
#endif
    if (pthread_rwlock_init(&ix->lock, &attr) != 0 || pthread_mutex_init(&ix->write, NULL) != 0 ||
        pthread_condattr_init(&cattr) != 0 ||
        pthread_condattr_setclock(&cattr, CLOCK_MONOTONIC) != 0 ||
        pthread_cond_init(&ix->wake, &cattr) != 0 || pthread_cond_init(&ix->idle, NULL) != 0 ||
        pthread_mutex_init(&ix->fsums_lock, NULL) != 0)
        abort();
    pthread_rwlockattr_destroy(&attr);
    pthread_condattr_destroy(&cattr);
    geo_state_build(&ix->st, NULL, 0);
    atomic_init(&ix->count, 0);
    atomic_init(&ix->memory, geo_state_bytes(ix, &ix->st));
    atomic_init(&ix->accept_share, 0);
    return ix;
}

void geo_index_free(struct geo_index *ix)
{
    if (!ix)
        return;
    if (ix->folder_started) {
        pthread_mutex_lock(&ix->write);
        ix->closing = true;
        pthread_cond_signal(&ix->wake);
        pthread_mutex_unlock(&ix->write);
        pthread_join(ix->folder, NULL);
    }
    geo_state_free(&ix->st);
    free(ix->log);
    pthread_cond_destroy(&ix->wake);
    pthread_cond_destroy(&ix->idle);
    pthread_mutex_destroy(&ix->fsums_lock);
    pthread_rwlock_destroy(&ix->lock);
    pthread_mutex_destroy(&ix->write);
    free(ix);
}

int geo_index_build(struct geo_index *ix, const struct geo_entry *entries, size_t n)
{
    struct geo_item *items;
    struct geo_state st, old;

    if (!ix || (n && !entries) || n >= GEO_PENDING_BIT)
        return -1;
    items = geo_alloc(n, sizeof *items);
    for (size_t i = 0; i < n; i++) {
        if (geo_item_from_entry(&entries[i], &items[i]) != 0) {
            free(items);
            return -1;
        }
    }
    memset(&st, 0, sizeof st);
    st.snap = geo_snap_build(items, n, &st.hash);
    st.count = n;
    free(items);
    if (!st.snap)
        return -1;
    pthread_mutex_lock(&ix->write);
    ix->gen++; /* a fold under way started from the old content */
    ix->logging = false;
    ix->log_n = 0;
    geo_swap_in(ix, &st, &old);
    pthread_mutex_unlock(&ix->write);
    geo_state_free(&old);
    return 0;
}

int geo_index_upsert(struct geo_index *ix, const struct geo_entry *e)
{
    struct geo_item it;
    int rc;

    if (!ix || !e || geo_item_from_entry(e, &it) != 0)
        return -1;
    pthread_mutex_lock(&ix->write);
    rc = geo_state_upsert(&ix->st, &it, &ix->lock);
    if (rc == 0) {
        geo_log_edit(ix, &it, 0);
        geo_state_publish(ix);
        geo_fold_if_due(ix);
    }
    pthread_mutex_unlock(&ix->write);
    return rc;
}

int geo_index_remove(struct geo_index *ix, int64_t id)
{
    int rc;

    if (!ix || id <= 0)
        return -1;
    pthread_mutex_lock(&ix->write);
    rc = geo_state_remove(&ix->st, id, &ix->lock);
    if (rc == 0) {
        geo_log_edit(ix, NULL, id);
        geo_state_publish(ix);
        geo_fold_if_due(ix);
    }
    pthread_mutex_unlock(&ix->write);
    return rc;
}

void geo_index_compact(struct geo_index *ix)
{
    if (!ix)
        return;
    pthread_mutex_lock(&ix->write);
    geo_fold_wait(ix);
    if (ix->st.pending_n > 0 || ix->st.snap->dead > 0)
        geo_rebuild(ix);
    pthread_mutex_unlock(&ix->write);
}

size_t geo_index_unfolded(struct geo_index *ix)
{
    size_t n;

    pthread_mutex_lock(&ix->write);
    n = ix->st.pending_n + ix->st.snap->dead;
    pthread_mutex_unlock(&ix->write);
    return n;
}

size_t geo_index_count(const struct geo_index *ix)
{
    return ix ? atomic_load_explicit(&ix->count, memory_order_relaxed) : 0;
}

size_t geo_index_memory(const struct geo_index *ix)
{
    return ix ? atomic_load_explicit(&ix->memory, memory_order_relaxed) : 0;
}

int geo_index_get(struct geo_index *ix, int64_t id, struct geo_entry *out)
{
    const struct geo_state *st;
    size_t pos;
    int rc = -1;

    if (!ix || !out || id <= 0)
        return -1;
    pthread_rwlock_rdlock(&ix->lock);
    st = &ix->st;
    if (geo_hash_lookup(&st->hash, st->snap, st->pending, id, &pos)) {
        uint32_t v = st->hash.slot[pos];

        if (v & GEO_PENDING_BIT) {
            const struct geo_item *it = &st->pending[v & ~GEO_PENDING_BIT];

            geo_entry_from(&it->pt, it->pos, out);
        } else {
            struct geo_pt pt;

            geo_site_get(st->snap, v, &pt);
            geo_entry_from(&pt, st->snap->pos[v], out);
        }
        rc = 0;
    }
    pthread_rwlock_unlock(&ix->lock);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Nearest                                                                  */
/* ------------------------------------------------------------------------ */

/* The amenity and type part of a filter: 0, or -1 if nothing can match. */
static int geo_filter_prepare(const struct geo_filter *f, uint64_t *want, int32_t *type,
                              uint16_t *typebit)
{
    *want = 0;
    *type = -1;
    *typebit = 0;
    if (!f)
        return 0;
    if (f->type < -1 || f->type > UINT16_MAX)
        return -1;
    *want = f->amenities_all;
    *type = f->type;
    if (f->type >= 0)
        *typebit = (uint16_t)(1u << (f->type & 15));
    return 0;
}

static inline int64_t geo_knn_id(const struct geo_knn *k, struct geo_cand c)
{
    return geo_hash_id(k->s, k->pending, c.ref);
}

/* The id order of two candidates at the same d2 (rare): out of line, so
 * the loops that compare candidates stay small. */
static GEO_NOINLINE bool geo_cand_tie_less(const struct geo_knn *k, struct geo_cand a,
                                           struct geo_cand b)
{
    return geo_knn_id(k, a) < geo_knn_id(k, b);
}

/* geo_knn_offer's sorted case, when c goes at i or before and h[i - 1] has
 * c's d2: moves the entries of that d2 with a larger id up one place and
 * returns c's place. Rare (two sites at exactly the same distance). */
static GEO_NOINLINE size_t geo_knn_tie_place(struct geo_knn *k, struct geo_cand c, size_t i)
{
    struct geo_cand *h = k->heap;

    while (i > 0 && c.d2 == h[i - 1].d2 && geo_cand_tie_less(k, c, h[i - 1])) {
        h[i] = h[i - 1];
        i--;
    }
    return i;
}

/* (d2, id) order; ids are read only when the d2 are equal. */
static inline bool geo_cand_less(const struct geo_knn *k, struct geo_cand a, struct geo_cand b)
{
    return a.d2 < b.d2 || (a.d2 == b.d2 && geo_cand_tie_less(k, a, b));
}

/* geo_knn_offer's heap case: c joins the max-heap of the best k->m. */
static void geo_knn_heap_offer(struct geo_knn *k, struct geo_cand c)
{
    struct geo_cand *h = k->heap;
    size_t i;

    if (k->n < k->m) {
        /* Sift up. */
        i = k->n++;
        while (i > 0 && geo_cand_less(k, h[(i - 1) / 2], c)) {
            h[i] = h[(i - 1) / 2];
            i = (i - 1) / 2;
        }
        h[i] = c;
    } else {
        if (!geo_cand_less(k, c, h[0]))
            return;
        /* Replace the worst and sift down. */
        i = 0;
        for (;;) {
            size_t l = 2 * i + 1, big = i;
            struct geo_cand at = c;

            if (l < k->n && geo_cand_less(k, at, h[l])) {
                big = l;
                at = h[l];
            }
            if (l + 1 < k->n && geo_cand_less(k, at, h[l + 1]))
                big = l + 1;
            if (big == i)
                break;
            h[i] = h[big];
            i = big;
        }
        h[i] = c;
    }
    if (k->n == k->m && h[0].d2 < k->bound)
        k->bound = h[0].d2;
}

/* A site at d2 <= k->bound that passed the cheap filters. k->heap is a
 * max-heap, or for m <= GEO_SORTED_MAX (k=5 is the common case) an
 * ascending array, where an insertion moves a few entries and sorting
 * afterwards is free. That case is inline in the leaf scan; the heap's is
 * a call. The array pays up to 64: with "open now" at night a first round
 * of about 40 is usual (geo_first_round), and index_bench at 1M with one
 * candidate in seven accepted took 3.3/3.4 us with the array against
 * 5.4/4.8 us with a heap above 32. */
static GEO_HOT_INLINE void geo_knn_offer(struct geo_knn *k, uint64_t d2, uint32_t ref)
{
    struct geo_cand c = {d2, ref};
    struct geo_cand *h = k->heap;
    size_t i;

    if (k->radius_m > 0 && d2 > k->sure2 && !(geo_index_chord2_m(d2) <= k->radius_m))
        return;
    if (k->from_set && !geo_cand_less(k, k->from, c))
        return;
    if (k->m > GEO_SORTED_MAX) {
        geo_knn_heap_offer(k, c);
        return;
    }
    /* A few candidates: kept sorted, worst last. */
    if (k->n < k->m) {
        i = k->n++;
    } else {
        struct geo_cand w = h[k->n - 1];

        if (c.d2 > w.d2 || (GEO_UNLIKELY(c.d2 == w.d2) && !geo_cand_tie_less(k, c, w)))
            return;
        i = k->n - 1;
    }
    /* Past the larger d2, then past equal d2 with a larger id. */
    while (i > 0 && c.d2 < h[i - 1].d2) {
        h[i] = h[i - 1];
        i--;
    }
    if (GEO_UNLIKELY(i > 0 && c.d2 == h[i - 1].d2))
        i = geo_knn_tie_place(k, c, i);
    h[i] = c;
    if (k->n == k->m && h[k->n - 1].d2 < k->bound)
        k->bound = h[k->n - 1].d2;
}

/* Lower bound of d2 from q to any point of the node's box. */
static inline uint64_t geo_box_min2(const struct geo_node *nd, const int32_t q[3])
{
    uint64_t s = 0;

    for (int a = 0; a < 3; a++) {
        /* Branch-free: which side of the box q lies on is unpredictable. */
        int64_t below = (int64_t)nd->lo[a] - q[a];
        int64_t above = (int64_t)q[a] - nd->hi[a];
        int64_t d = below > above ? below : above;

        d = d > 0 ? d : 0;
        s += (uint64_t)(d * d);
    }
    return s;
}

/* Upper bound of d2 from q to any point of the node's box. */
static inline uint64_t geo_box_max2(const struct geo_node *nd, const int32_t q[3])
{
    uint64_t s = 0;

    for (int a = 0; a < 3; a++) {
        int64_t d1 = (int64_t)q[a] - nd->lo[a];
        int64_t d2 = (int64_t)nd->hi[a] - q[a];
        int64_t d = d1 > d2 ? d1 : d2;

        s += (uint64_t)(d * d);
    }
    return s;
}

/* Could node i hold a hit? Returns its lower bound, or UINT64_MAX. */
static inline uint64_t geo_knn_reach(const struct geo_snap *s, const struct geo_knn *k, size_t i)
{
    const struct geo_node *nd = &s->node[i];
    uint64_t lo;

    if ((nd->amen & k->want) != k->want || nd->lo[0] > nd->hi[0])
        return UINT64_MAX;
    if (k->typebit && i < s->leaves && !(s->agg[i].types & k->typebit))
        return UINT64_MAX;
    lo = geo_box_min2(nd, k->q);
    if (lo > k->bound)
        return UINT64_MAX;
    if (k->from_set && geo_box_max2(nd, k->q) < k->from.d2)
        return UINT64_MAX;
    return lo;
}

/*
 * Start loading what popping node i will read: the lines of its children
 * and grandchildren (one line per sibling pair), or all the sites of a
 * leaf. The misses then overlap instead of arriving one by one; at a
 * million sites most of a query's time is waiting for memory.
 */
static inline void geo_knn_prefetch(const struct geo_snap *s, size_t i)
{
    if (i < s->leaves) {
        GEO_PREFETCH(&s->node[2 * i]);
        if (4 * i < 2 * s->leaves) {
            GEO_PREFETCH(&s->node[4 * i]);
            GEO_PREFETCH(&s->node[4 * i + 2]);
        }
    } else {
        size_t a = geo_leaf_start(s, i - s->leaves);
        size_t b = geo_leaf_start(s, i - s->leaves + 1);

        for (size_t p = a & ~(size_t)3; p < b; p += 4)
            GEO_PREFETCH(&s->hot[p]);
    }
}

/*
 * Offer the sites of leaf i (a node number >= L) that pass the filters.
 * Only the hot halves are read (four cache lines for 16 sites) until a
 * site is within the bound: then its cold half gives the id, and the
 * amenity bits and type the hot half lacks if the filter asks for them.
 *
 * The scan has no branch that depends on a site: it computes every
 * site's d2 and one bit "passes the hot filter and is within the bound"
 * into a mask, then offers the sites of the mask in slot order, each
 * checked again against the bound the offers before it may have
 * tightened. With an amenity half the sites have, a branch per site was
 * mispredicted about every other time (as costly as the scan itself);
 * the offers, a few per leaf, are the only branches left. The sites
 * offered and their order are those of a scan that tests each site in
 * turn. The query's fields are read once into locals: the compiler
 * cannot keep them in registers across geo_knn_offer, which writes *k.
 */
static inline void geo_knn_leaf(const struct geo_snap *s, struct geo_knn *k, size_t i)
{
    size_t j = i - s->leaves;
    const size_t a = geo_leaf_start(s, j), n = geo_leaf_start(s, j + 1) - a;
    const struct geo_hot *hot = s->hot + a;
    const uint32_t hot_mask = k->sf.hot_mask, hot_want = k->sf.hot_want;
    const int64_t q0 = k->q[0], q1 = k->q[1], q2 = k->q[2];
    const uint64_t bound = k->bound;
    uint64_t d2s[GEO_LEAF_MAX];
    uint32_t pass = 0;

    for (size_t t = 0; t < n; t++) {
        const struct geo_hot *h = &hot[t];
        int64_t dx = h->v[0] - q0, dy = h->v[1] - q1, dz = h->v[2] - q2;
        uint64_t d2 = (uint64_t)(dx * dx) + (uint64_t)(dy * dy) + (uint64_t)(dz * dz);

        d2s[t] = d2;
        pass |= (uint32_t)(((h->meta & hot_mask) == hot_want) & (d2 <= bound)) << t;
    }
    while (pass) {
        unsigned t = bits_ctz64(pass);
        size_t p = a + t;

        pass &= pass - 1;
        if (d2s[t] > k->bound)
            continue;
        if (k->sf.cold_check && !geo_sitef_cold(&k->sf, s, p))
            continue;
        /* A candidate: if it stays among the hits its id is read at the
         * end, from a line of the cold halves no scan loads. Start loading
         * it now, so that the end does not wait for memory. */
        GEO_PREFETCH(&s->cold[p]);
        geo_knn_offer(k, d2s[t], (uint32_t)p);
    }
}

/* Depth-first branch and bound below node root, whose lower bound is lo
 * (geo_knn_reach), nearer child first. */
static void geo_knn_subtree(const struct geo_snap *s, struct geo_knn *k, size_t root, uint64_t lo)
{
    size_t L = s->leaves;
    struct {
        size_t node;
        uint64_t lo;
    } stack[GEO_STACK_MAX];
    size_t sp = 1;

    stack[0].node = root;
    stack[0].lo = lo;
    while (sp > 0) {
        size_t i = stack[--sp].node;

        if (stack[sp].lo > k->bound)
            continue;
        if (i >= L) {
            geo_knn_leaf(s, k, i);
        } else {
            size_t near = 2 * i, far = 2 * i + 1;
            uint64_t l1 = geo_knn_reach(s, k, near);
            uint64_t l2 = geo_knn_reach(s, k, far);

            if (l2 < l1) {
                uint64_t t = l1;

                l1 = l2;
                l2 = t;
                near = 2 * i + 1;
                far = 2 * i;
            }
            /* The farther child below, so the nearer is searched first. */
            if (l2 != UINT64_MAX) {
                geo_knn_prefetch(s, far);
                stack[sp].node = far;
                stack[sp++].lo = l2;
            }
            if (l1 != UINT64_MAX) {
                geo_knn_prefetch(s, near);
                stack[sp].node = near;
                stack[sp++].lo = l1;
            }
        }
    }
}

/*
 * Fill k->heap with the best k->m sites (after k->from, if set). The
 * search starts at the leaf on q's side (a walk down the splits, one
 * cache line per three levels, that computes no distance and reads no
 * node: struct geo_split), which usually gives a tight bound
 * at once; then, going back up, each ancestor's other child is searched
 * if its box could still hold a hit. Every site lies in that leaf or in
 * exactly one of those subtrees, so nothing is missed, and a top-down
 * search would compute the lower bound of both children at every level
 * of the way down, where this computes at most one. The walk down also
 * notes each other child's distance along its separating axis: going up,
 * a child farther than the bound that way is skipped without its box,
 * and once every child still to come is (the nearest of those distances,
 * kept per level), the search ends.
 */
static void geo_knn_search(const struct geo_index *ix, struct geo_knn *k)
{
    const struct geo_snap *s = ix->st.snap;
    size_t L = s->leaves, i, t = 0;
    uint64_t gap2[GEO_STACK_MAX], near2[GEO_STACK_MAX], m = UINT64_MAX;
    struct geo_walk w;
    const uint32_t want = (uint32_t)k->want & GEO_SPLIT_AMEN;

    for (size_t j = 0; j < ix->st.pending_n; j++) {
        const struct geo_pt *pt = &ix->st.pending[j].pt;
        uint64_t d2;

        if ((pt->amen & k->want) != k->want || (k->type >= 0 && pt->type != k->type))
            continue;
        d2 = geo_d2(pt->v, k->q);
        if (d2 <= k->bound)
            geo_knn_offer(k, d2, GEO_PENDING_BIT | (uint32_t)j);
    }

    if (geo_knn_reach(s, k, 1) == UINT64_MAX)
        return;
    geo_walk_start(s, &w);
    for (i = 1; i < L;) {
        const struct geo_split sp = w.blk[w.local];
        uint64_t g;
        size_t side;

        if (w.local == 1 && i > 1 && 8 * i < L && 64 * i >= L) {
            /* Entering the block of a deep node i (not the top one,
             * which may hold fewer than three levels): the 8 blocks
             * below it (512 contiguous bytes), one of which the walk
             * reads next, start loading while i's own line is still on
             * its way, instead of after it. At 1M sites those blocks
             * (512 KB in all) are often out of L2. */
            const struct geo_split *c = s->split + 8 * (w.base + 8 * i - ((size_t)8 << w.depth));

            for (int b = 0; b < 8; b++)
                GEO_PREFETCH(c + 8 * b);
        }
        if (8 * i >= L) {
            /* The line of i's children: going back up reads it. */
            GEO_PREFETCH(&s->node[2 * i]);
        }
        if (8 * i >= L && 4 * i < L) {
            /* The eight leaves below: the search reads the one it lands
             * in, usually its sibling and often cousins, so their sites'
             * hot halves load together instead of one leaf after the
             * other. Issued three levels above the leaves, i.e. before
             * the split line of i (the last one of the walk) has
             * arrived, so the two misses overlap. */
            size_t a = geo_leaf_start(s, 8 * i - L);
            size_t b = geo_leaf_start(s, 8 * i + 8 - L);

            for (size_t p = a & ~(size_t)3; p < b; p += 4)
                GEO_PREFETCH(&s->hot[p]);
        }
        /* The child on q's side, and a lower bound of d2 for the other
         * one: UINT64_MAX if it lacks a wanted amenity, else its distance
         * from q along the split axis, squared (q - at understates the
         * left one's by at most the gap between the children). */
        if (((sp.meta >> 2) & want) != want) {
            side = 1;
            g = UINT64_MAX;
        } else if (((sp.meta >> 17) & want) != want) {
            side = 0;
            g = UINT64_MAX;
        } else if ((sp.meta & 3) == GEO_SPLIT_NONE) {
            side = 0;
            g = 0;
        } else {
            int64_t gap = (int64_t)k->q[sp.meta & 3] - sp.at;

            side = gap >= 0;
            g = (uint64_t)(gap * gap);
        }
        geo_walk_down(s, &w, side);
        i = w.i;
        t = w.depth; /* i is on the path at depth t; g is for its sibling */
        m = g < m ? g : m;
        gap2[t] = g;
        near2[t] = m;
    }
    /* Going back up usually searches the other child at the last few
     * levels (at 1M sites, k = 5 with an amenity half the sites have:
     * 0.9, 0.7, 0.5, 0.4 and 0.3 of the queries at the five lowest). The
     * eight leaves are on their way; start loading the node lines the
     * searches of the other children one to GEO_UP_PREFETCH levels up
     * will read first, now, before the leaf scan, so that their misses
     * overlap each other and the scan instead of arriving one by one. */
    for (size_t c = i >> 1, u = 1; u <= GEO_UP_PREFETCH && u < t; u++, c >>= 1)
        geo_knn_prefetch(s, c ^ 1);
    geo_knn_leaf(s, k, i);
    for (; t > 0; t--, i >>= 1) {
        uint64_t lo;

        if (near2[t] > k->bound)
            break; /* every other child above is too far */
        if (gap2[t] > k->bound)
            continue;
        lo = geo_knn_reach(s, k, i ^ 1);
        if (lo != UINT64_MAX)
            geo_knn_subtree(s, k, i ^ 1, lo);
    }
}

/* Sort the heap ascending in place; returns its size. */
static size_t geo_knn_sorted(struct geo_knn *k)
{
    struct geo_cand *h = k->heap;
    size_t n = k->n;

    if (k->m <= GEO_SORTED_MAX)
        return n; /* already in order */

    while (n > 1) {
        struct geo_cand top = h[0], c = h[--n];
        size_t i = 0;

        for (;;) {
            size_t l = 2 * i + 1, big = i;
            struct geo_cand at = c;

            if (l < n && geo_cand_less(k, at, h[l])) {
                big = l;
                at = h[l];
            }
            if (l + 1 < n && geo_cand_less(k, at, h[l + 1]))
                big = l + 1;
            if (big == i)
                break;
            h[i] = h[big];
            i = big;
        }
        h[i] = c;
        h[n] = top;
    }
    return k->n;
}

/*
 * The size of a nearest query's first round when accept may refuse
 * candidates. Too few costs a second search from the start; too many
 * costs a wider scan and a longer candidate list. With p the recent share
 * of accept calls that accepted, 1.2 k / p candidates hold k accepted ones
 * in about half the queries and cost least in index_bench at 1M sites
 * (k = 5, an accept refusing half the sites: 12 candidates, as fast as
 * 15; refusing four in five, as "open now" does at night: 30, 2.6 us
 * against 3.9 us with 15 and 4.0 with 40). Before any accept call has
 * been counted: 3 k.
 */
static size_t geo_first_round(struct geo_index *ix, size_t k)
{
    uint32_t share = atomic_load_explicit(&ix->accept_share, memory_order_relaxed);
    uint64_t m;

    if (share == 0)
        m = 3 * (uint64_t)k;
    else
        m = ((uint64_t)k * 12 * GEO_SHARE_ONE + 10 * (uint64_t)share - 1) / (10 * (uint64_t)share);
    return m < k ? k : m > GEO_HEAP_MAX ? GEO_HEAP_MAX : (size_t)m;
}

/*
 * Count a query's accept calls and how many accepted. Each thread adds up
 * its own queries and moves the index's share a quarter of the way to
 * what it saw once every GEO_SHARE_CALLS calls, so the shared line is
 * written seldom. The share is only a guess of the first round's size:
 * answers never depend on it.
 */
static void geo_share_note(struct geo_index *ix, size_t calls, size_t accepted)
{
    static _Thread_local struct {
        const struct geo_index *ix;
        size_t calls, accepted;
    } tl;
    uint32_t old, seen;

    if (tl.ix != ix) {
        tl.ix = ix;
        tl.calls = tl.accepted = 0;
    }
    tl.calls += calls;
    tl.accepted += accepted;
    if (tl.calls < GEO_SHARE_CALLS)
        return;
    seen = (uint32_t)((uint64_t)tl.accepted * GEO_SHARE_ONE / tl.calls);
    if (seen == 0)
        seen = 1; /* the floor: 1.2 k * 4096 candidates are capped anyway */
    old = atomic_load_explicit(&ix->accept_share, memory_order_relaxed);
    atomic_store_explicit(&ix->accept_share, old == 0 ? seen : (3 * old + seen) / 4,
                          memory_order_relaxed);
    tl.calls = tl.accepted = 0;
}

double geo_index_accept_share(const struct geo_index *ix)
{
    uint32_t share = atomic_load_explicit(&ix->accept_share, memory_order_relaxed);

    return share == 0 ? -1 : (double)share / GEO_SHARE_ONE;
}

size_t geo_index_nearest(struct geo_index *ix, double lat, double lon, size_t k,
                         const struct geo_filter *f, struct geo_hit *out)
{
    struct geo_cand heap[GEO_HEAP_MAX];
    int64_t ids[GEO_HEAP_MAX]; /* a round's candidates, for f->prefetch */
    struct geo_knn q;
    size_t got = 0, calls = 0;
    bool pf = f && f->accept && f->prefetch;

    if (!ix || !out || k == 0 || !geo_is_valid(lat, lon))
        return 0;
    if (k > GEO_INDEX_MAX_K)
        k = GEO_INDEX_MAX_K;
    memset(&q, 0, sizeof q);
    if (geo_filter_prepare(f, &q.want, &q.type, &q.typebit) != 0)
        return 0;
    geo_sitef_init(&q.sf, q.want, q.type);
    geo_index_unit(lat, lon, q.q);
    q.lim2 = UINT64_MAX;
    if (f && f->radius_m != 0) {
        double r = f->radius_m;

        if (!(r > 0))
            return 0;
        if (r < geo_index_chord2_m(UINT64_MAX)) {
            /* chord = 2 sin(r / 2R). Between sure2 and lim2 rounding could
             * tip the comparison, so offers there are decided exactly. */
            double c = 2 * sin(r / (2 * geo_ix_earth_m)) * (double)GEO_INDEX_UNIT_SCALE;
            double c2 = c * c, lo2 = c2 * (1 - 1e-9) - 16;

            q.radius_m = r;
            q.lim2 = (uint64_t)(c2 * (1 + 1e-9) + 16);
            q.sure2 = lo2 > 0 ? (uint64_t)lo2 : 0;
        }
    }
    q.heap = heap;
    /* With a predicate, the first round asks for as many candidates as
     * accept usually needs to find k (geo_first_round): every further
     * round is a whole new search. */
    q.m = f && f->accept ? geo_first_round(ix, k) : k;

    pthread_rwlock_rdlock(&ix->lock);
    q.s = ix->st.snap; /* candidates name their sites in these */
    q.pending = ix->st.pending;
    for (;;) {
        size_t n, i;

        q.n = 0;
        q.bound = q.lim2;
        geo_knn_search(ix, &q);
        n = geo_knn_sorted(&q);
        if (pf && n) {
            /* All of the round at once, so their misses overlap. */
            for (i = 0; i < n; i++)
                ids[i] = geo_knn_id(&q, heap[i]);
            f->prefetch(f->ctx, ids, n);
        }
        for (i = 0; i < n && got < k; i++) {
            int64_t id = pf ? ids[i] : geo_knn_id(&q, heap[i]);

            calls++;
            if (!f || !f->accept || f->accept(f->ctx, id)) {
                out[got].id = id;
                out[got].distance_m = geo_index_chord2_m(heap[i].d2);
                got++;
            }
        }
        if (got == k || n < q.m)
            break;
        /* Some were refused: the next candidates, twice as many. */
        q.from_set = true;
        q.from = heap[n - 1];
        q.m = q.m * 2 > GEO_HEAP_MAX ? GEO_HEAP_MAX : q.m * 2;
    }
    pthread_rwlock_unlock(&ix->lock);
    if (f && f->accept)
        geo_share_note(ix, calls, got);
    return got;
}

/* ------------------------------------------------------------------------ */
/* Boxes and clusters                                                       */
/* ------------------------------------------------------------------------ */

/* Smallest held value whose degrees (value / 1e7) are >= deg. */
static int64_t geo_held_ceil(double deg)
{
    int64_t c = (int64_t)ceil(deg * geo_ix_per_deg);

    while ((double)(c - 1) / geo_ix_per_deg >= deg)
        c--;
    while ((double)c / geo_ix_per_deg < deg)
        c++;
    return c;
}

/* Largest held value whose degrees are <= deg. */
static int64_t geo_held_floor(double deg)
{
    int64_t c = (int64_t)floor(deg * geo_ix_per_deg);

    while ((double)(c + 1) / geo_ix_per_deg <= deg)
        c++;
    while ((double)c / geo_ix_per_deg > deg)
        c--;
    return c;
}

/* 0, or -1 for a box that matches nothing by definition. */
static int geo_box_prepare(double minlon, double minlat, double maxlon, double maxlat,
                           struct geo_box *b)
{
    if (!geo_is_valid(minlat, minlon) || !geo_is_valid(maxlat, maxlon) || minlat > maxlat)
        return -1;
    /* The thresholds lie within one unit of +-1.8e9: int32 holds them. */
    b->lat_lo = (int32_t)geo_held_ceil(minlat);
    b->lat_hi = (int32_t)geo_held_floor(maxlat);
    b->lon_lo = (int32_t)geo_held_ceil(minlon);
    b->lon_hi = (int32_t)geo_held_floor(maxlon);
    b->wrap = minlon > maxlon;
    return 0;
}

static bool geo_box_has(const struct geo_box *b, struct geo_pos p)
{
    if (p.lat < b->lat_lo || p.lat > b->lat_hi)
        return false;
    if (b->wrap)
        return p.lon >= b->lon_lo || p.lon <= b->lon_hi;
    return p.lon >= b->lon_lo && p.lon <= b->lon_hi;
}

static enum geo_rel geo_box_rel(const struct geo_box *b, const struct geo_agg *a)
{
    bool lat_in, lon_in;

    if (a->lat_hi < b->lat_lo || a->lat_lo > b->lat_hi)
        return GEO_OUT;
    lat_in = a->lat_lo >= b->lat_lo && a->lat_hi <= b->lat_hi;
    if (b->wrap) {
        if (a->lon_lo > b->lon_hi && a->lon_hi < b->lon_lo)
            return GEO_OUT;
        lon_in = a->lon_lo >= b->lon_lo || a->lon_hi <= b->lon_hi;
    } else {
        if (a->lon_hi < b->lon_lo || a->lon_lo > b->lon_hi)
            return GEO_OUT;
        lon_in = a->lon_lo >= b->lon_lo && a->lon_hi <= b->lon_hi;
    }
    return lat_in && lon_in ? GEO_IN : GEO_PART;
}

/* The cell of key, created empty if new. */
static struct geo_cell *geo_cells_at(struct geo_cells *c, uint64_t key)
{
    size_t p;

    if (2 * (c->n + 1) > c->mask + 1) {
        struct geo_cells g = {NULL, 0, 2 * c->mask + 1};

        g.c = geo_alloc(g.mask + 1, sizeof *g.c);
        memset(g.c, 0, (g.mask + 1) * sizeof *g.c);
        for (size_t i = 0; i <= c->mask; i++) {
            if (c->c[i].count) {
                p = (size_t)geo_mix(c->c[i].key) & g.mask;
                while (g.c[p].count)
                    p = (p + 1) & g.mask;
                g.c[p] = c->c[i];
            }
        }
        g.n = c->n;
        free(c->c);
        *c = g;
    }
    p = (size_t)geo_mix(key) & c->mask;
    while (c->c[p].count && c->c[p].key != key)
        p = (p + 1) & c->mask;
    if (!c->c[p].count) {
        c->c[p].key = key;
        c->n++;
    }
    return &c->c[p];
}

/* A site inside the box that passed the cheap filters. */
static void geo_boxq_take(struct geo_boxq *q, int64_t id, unsigned tier, struct geo_pos pos)
{
    if (q->accept && !q->accept(q->ctx, id))
        return;
    q->total++;
    if (q->cells) {
        uint64_t key = (uint64_t)(pos.row >> q->shift) << 32 | (geo_col32(pos.lon) >> q->shift);
        struct geo_cell *c = geo_cells_at(q->cells, key);

        c->count++;
        c->id = id;
        c->tiers |= (uint8_t)(1u << tier);
        c->sum_lat += pos.lat;
        c->sum_lon += pos.lon;
    } else if (q->nids < q->cap) {
        /* Max-heap of the cap smallest ids: sift up. */
        size_t i = q->nids++;

        while (i > 0 && q->ids[(i - 1) / 2] < id) {
            q->ids[i] = q->ids[(i - 1) / 2];
            i = (i - 1) / 2;
        }
        q->ids[i] = id;
    } else if (q->cap && id < q->ids[0]) {
        size_t i = 0, n = q->nids;

        for (;;) {
            size_t l = 2 * i + 1, big = i;
            int64_t at = id;

            if (l < n && q->ids[l] > at) {
                big = l;
                at = q->ids[l];
            }
            if (l + 1 < n && q->ids[l + 1] > at)
                big = l + 1;
            if (big == i)
                break;
            q->ids[i] = q->ids[big];
            i = big;
        }
        q->ids[i] = id;
    }
}

/* Do all the sites below a (a superset of their positions) lie in one
 * cell of the clusters at this shift? */
static bool geo_agg_one_cell(const struct geo_agg *a, unsigned shift)
{
    return (geo_col32(a->lon_lo) >> shift) == (geo_col32(a->lon_hi) >> shift) &&
           (a->row_lo >> shift) == (a->row_hi >> shift);
}

/* Add count sites with these tiers and sums to the one cell of the
 * subtree a (geo_agg_one_cell holds). */
static void geo_cell_add(struct geo_boxq *q, const struct geo_agg *a, uint32_t count, uint8_t tiers,
                         int64_t sum_lat, int64_t sum_lon)
{
    uint64_t key = (uint64_t)(a->row_lo >> q->shift) << 32 | (geo_col32(a->lon_lo) >> q->shift);
    struct geo_cell *c = geo_cells_at(q->cells, key);

    c->count += count;
    c->tiers |= tiers;
    c->sum_lat += sum_lat;
    c->sum_lon += sum_lon;
    q->total += count;
}

static void geo_box_visit(const struct geo_snap *s, struct geo_boxq *q, size_t i, bool inside)
{
    size_t L = s->leaves;

    if ((s->node[i].amen & q->want) != q->want)
        return;
    if (i < L) {
        const struct geo_agg *a = &s->agg[i];

        if (!a->count || (a->types & q->typebit) != q->typebit || (q->fs && !q->fs[i].count))
            return;
        if (!inside) {
            enum geo_rel rel = geo_box_rel(&q->box, a);

            if (rel == GEO_OUT)
                return;
            inside = rel == GEO_IN;
        }
        if (inside && q->plain) {
            if (!q->cells && q->cap == 0) {
                q->total += a->count;
                return;
            }
            if (q->cells && a->count >= 2 && geo_agg_one_cell(a, q->shift)) {
                /* The whole subtree is one cell's share. */
                geo_cell_add(q, a, a->count, a->tiers, a->sum_lat, a->sum_lon);
                return;
            }
        }
        if (inside && q->fs && q->fs[i].count >= 2 && geo_agg_one_cell(a, q->shift)) {
            /* The same from the filter's sums. */
            const struct geo_fsum *g = &q->fs[i];

            geo_cell_add(q, a, g->count, g->tiers, g->sum_lat, g->sum_lon);
            return;
        }
        geo_box_visit(s, q, 2 * i, inside);
        geo_box_visit(s, q, 2 * i + 1, inside);
        return;
    }
    for (size_t p = geo_leaf_start(s, i - L), b = geo_leaf_start(s, i - L + 1); p < b; p++) {
        if (!geo_sitef_has(&q->sf, s, p))
            continue;
        if (!inside && !geo_box_has(&q->box, s->pos[p]))
            continue;
        geo_boxq_take(q, s->cold[p].id, geo_site_tier(s, p), s->pos[p]);
    }
}

/* Run a prepared box query over the pending list and the tree. The caller
 * holds the read lock. */
static void geo_box_run(const struct geo_index *ix, struct geo_boxq *q)
{
    for (size_t j = 0; j < ix->st.pending_n; j++) {
        const struct geo_item *it = &ix->st.pending[j];

        if ((it->pt.amen & q->want) != q->want || (q->type >= 0 && it->pt.type != q->type) ||
            !geo_box_has(&q->box, it->pos))
            continue;
        geo_boxq_take(q, it->pt.id, it->pt.tier, it->pos);
    }
    geo_box_visit(ix->st.snap, q, 1, false);
}

size_t geo_index_bbox(struct geo_index *ix, double minlon, double minlat, double maxlon,
                      double maxlat, const struct geo_filter *f, int64_t *ids, size_t cap,
                      size_t *total)
{
    struct geo_boxq q;

    if (total)
        *total = 0;
    if (!ix)
        return 0;
    memset(&q, 0, sizeof q);
    if (geo_box_prepare(minlon, minlat, maxlon, maxlat, &q.box) != 0 ||
        geo_filter_prepare(f, &q.want, &q.type, &q.typebit) != 0)
        return 0;
    geo_sitef_init(&q.sf, q.want, q.type);
    q.accept = f ? f->accept : NULL;
    q.ctx = f ? f->ctx : NULL;
    q.plain = !q.want && q.type < 0 && !q.accept;
    q.ids = ids;
    q.cap = ids ? cap : 0;

    pthread_rwlock_rdlock(&ix->lock);
    geo_box_run(ix, &q);
    pthread_rwlock_unlock(&ix->lock);

    /* Heap sort: ascending ids. */
    for (size_t n = q.nids; n > 1;) {
        int64_t top = ids[0], c = ids[--n];
        size_t i = 0;

        for (;;) {
            size_t l = 2 * i + 1, big = i;
            int64_t at = c;

            if (l < n && ids[l] > at) {
                big = l;
                at = ids[l];
            }
            if (l + 1 < n && ids[l + 1] > at)
                big = l + 1;
            if (big == i)
                break;
            ids[i] = ids[big];
            i = big;
        }
        ids[i] = c;
        ids[n] = top;
    }
    if (total)
        *total = q.total;
    return q.nids;
}

/*
 * The sums of a filter on the live tree, added on first use (one pass over
 * the sites, about what one filtered query cost before) while there is
 * room; NULL if there is none. The caller holds the read lock.
 */
static const struct geo_fsum *geo_fsums_get(struct geo_index *ix, uint64_t want, int32_t type)
{
    struct geo_snap *s = ix->st.snap;
    size_t n = atomic_load_explicit(&s->fsums_n, memory_order_acquire);
    const struct geo_fsum *fs;

    for (size_t i = 0; i < n; i++) {
        if (s->fsums[i].want == want && s->fsums[i].type == type) {
            if (!atomic_load_explicit(&s->fsums[i].used, memory_order_relaxed))
                atomic_store_explicit(&s->fsums[i].used, true, memory_order_relaxed);
            return s->fsums[i].node;
        }
    }
    if (n == GEO_FSUMS_MAX)
        return NULL;
    pthread_mutex_lock(&ix->fsums_lock);
    n = atomic_load_explicit(&s->fsums_n, memory_order_relaxed);
    fs = geo_fsums_add(s, want, type);
    if (atomic_load_explicit(&s->fsums_n, memory_order_relaxed) > n) {
        atomic_store_explicit(&s->fsums[n].used, true, memory_order_relaxed);
        atomic_fetch_add_explicit(&ix->memory, s->leaves * sizeof *fs, memory_order_relaxed);
    }
    pthread_mutex_unlock(&ix->fsums_lock);
    return fs;
}

static int geo_cell_cmp(const void *a, const void *b)
{
    uint64_t x = ((const struct geo_cell *)a)->key;
    uint64_t y = ((const struct geo_cell *)b)->key;

    return x < y ? -1 : x > y;
}

size_t geo_index_clusters(struct geo_index *ix, double minlon, double minlat, double maxlon,
                          double maxlat, int zoom, const struct geo_filter *f,
                          struct geo_cluster *out, size_t cap)
{
    struct geo_boxq q;
    struct geo_cells cells = {NULL, 0, 255};
    size_t n = 0;

    if (!ix || !out || cap == 0 || zoom < 0 || zoom > GEO_INDEX_MAX_ZOOM)
        return 0;
    memset(&q, 0, sizeof q);
    if (geo_box_prepare(minlon, minlat, maxlon, maxlat, &q.box) != 0 ||
        geo_filter_prepare(f, &q.want, &q.type, &q.typebit) != 0)
        return 0;
    geo_sitef_init(&q.sf, q.want, q.type);
    q.accept = f ? f->accept : NULL;
    q.ctx = f ? f->ctx : NULL;
    q.plain = !q.want && q.type < 0 && !q.accept;
    q.shift = 30u - (unsigned)zoom;
    cells.c = geo_alloc(cells.mask + 1, sizeof *cells.c);
    memset(cells.c, 0, (cells.mask + 1) * sizeof *cells.c);
    q.cells = &cells;

    pthread_rwlock_rdlock(&ix->lock);
    if (!q.plain && !q.accept)
        q.fs = geo_fsums_get(ix, q.want, q.type);
    geo_box_run(ix, &q);
    pthread_rwlock_unlock(&ix->lock);

    for (size_t i = 0; i <= cells.mask; i++) {
        if (cells.c[i].count)
            cells.c[n++] = cells.c[i];
    }
    qsort(cells.c, n, sizeof *cells.c, geo_cell_cmp);
    if (n > cap)
        n = cap;
    for (size_t i = 0; i < n; i++) {
        const struct geo_cell *c = &cells.c[i];

        out[i].lat = (double)c->sum_lat / c->count / geo_ix_per_deg;
        out[i].lon = (double)c->sum_lon / c->count / geo_ix_per_deg;
        out[i].count = c->count;
        out[i].tiers = c->tiers;
        out[i].id = c->count == 1 ? c->id : 0;
    }
    free(cells.c);
    return n;
}
