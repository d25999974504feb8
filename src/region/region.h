/*
 * region.h - the region tree: province > city > district > street >
 * community > grid. Each region has a code, Chinese and English names and
 * a materialised path of ids ("/1/4/17/") so a subtree is one prefix
 * match.
 */
#ifndef WH_REGION_REGION_H
#define WH_REGION_REGION_H

#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"

struct store_conn;
struct store_rows;

struct region {
    int64_t id;
    const char *code;
    int64_t parent_id; /* 0 for a root */
    const char *parent_code;
    const char *level;
    const char *path;
    const char *name_zh;
    const char *name_en;
    bool is_demo;
};

/* Depth of a level name (province 0 .. grid 5), or -1 if unknown. */
int region_level_rank(const char *level);

/* Store access (region_store.c). Return enum store_rc values. */
int region_get(struct store_conn *c, struct arena *a, const char *code, struct region *out);
int region_list(struct store_conn *c, struct arena *a, const char *parent_code, bool roots_only,
                const char *level, int64_t limit, int64_t offset, struct region **out, size_t *n,
                int64_t *total);
/* Ancestors from the root down (excluding r), or descendants in path
 * order (excluding r). */
int region_ancestors(struct store_conn *c, struct arena *a, const struct region *r,
                     struct region **out, size_t *n);
int region_descendants(struct store_conn *c, struct arena *a, const struct region *r,
                       struct region **out, size_t *n);
/* Insert; parent may be NULL. Sets out->id and path. */
int region_insert(struct store_conn *c, struct arena *a, struct region *in,
                  const struct region *parent, int64_t now);
int region_update(struct store_conn *c, struct arena *a, const struct region *old,
                  const struct region *changed, const struct region *new_parent, int64_t now);
/* Delete a region without children or sites: STORE_CONFLICT otherwise. */
int region_delete(struct store_conn *c, const struct region *r);
/* Does the subtree of r hold a region of rank <= rank (for level checks)?
 * Returns the deepest-but-shallowest child rank, or -1 if no children. */
int region_min_child_rank(struct store_conn *c, struct arena *a, const struct region *r);

/* ---- module (region_http.c) ------------------------------------------ */

struct module;
struct route_scope;
extern const struct module region_module;
/* Its change kinds: a region's code changed (sites show it); its parent
 * or level changed; it was deleted (grid reports keep the grids'
 * boundaries in memory). */
enum region_change { REGION_RENAMED, REGION_MOVED, REGION_DELETED };
/* The scope resolver for routes whose {code} is a region's code. */
extern const struct route_scope region_scope_path;

#endif
