/*
 * platform.h - the platforms a worker can name (美团, 顺丰, 滴滴 ...): a
 * list an admin keeps as data. A person's platforms are a comma list of
 * codes; a retired platform is no longer offered but stays valid on the
 * accounts that already name it.
 */
#ifndef WH_PLATFORM_PLATFORM_H
#define WH_PLATFORM_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"

struct store_conn;
struct module;
extern const struct module platform_module;

#define PLATFORM_LIST_MAX 200 /* bytes of a person's comma list */

struct platform {
    int64_t id;
    const char *code, *name_zh, *name_en;
    int64_t position;
    int64_t retired_at; /* 0: offered */
};

/* Every platform, in picking order (position, then id). */
int platform_list(struct store_conn *c, struct arena *a, struct platform **out, size_t *n);
int platform_get(struct store_conn *c, struct arena *a, const char *code, struct platform *out);
/* STORE_CONFLICT: the code is taken. */
int platform_insert(struct store_conn *c, struct arena *a, struct platform *p, int64_t by,
                    int64_t now);
/* Names, position and retired_at of the platform with p->code. */
int platform_update(struct store_conn *c, const struct platform *p, int64_t by, int64_t now);

/* Split a person's comma list of platform codes (platform.c): 0 with the
 * codes in order (arena; none for an empty list), or -1 when an item is
 * empty or named twice. */
int platform_list_split(struct arena *a, const char *list, const char ***codes, size_t *n);

/* Is the comma list `list` made of known codes, each one either offered
 * or already in `had` (the person's list before)? No code twice, no
 * empty item. On false, *bad is the first code at fault (arena). An
 * empty list is valid. */
int platform_list_check(struct store_conn *c, struct arena *a, const char *list, const char *had,
                        bool *ok, const char **bad);

#endif
