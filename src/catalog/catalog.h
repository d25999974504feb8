/*
 * catalog.h - the two catalogues sites refer to: site types (industry
 * hub, community station, Warm Hut, canteen, battery-swap point, and any
 * type an admin adds) and amenities (phone charging, microwave, ...).
 */
#ifndef WH_CATALOG_CATALOG_H
#define WH_CATALOG_CATALOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"

struct store_conn;

struct site_type {
    int64_t id;
    const char *code;
    const char *name_zh;
    const char *name_en;
    int tier; /* 1 hub, 2 station, 3 hut; 0 outside the tiers */
};

struct amenity {
    int64_t id;
    const char *code;
    const char *name_zh;
    const char *name_en;
    const char *icon;
    const char *kind; /* "boolean" | "counted" */
};

/* Store access (catalog_store.c); enum store_rc results. */
int site_type_list(struct store_conn *c, struct arena *a, struct site_type **out, size_t *n);
int site_type_get(struct store_conn *c, struct arena *a, const char *code, struct site_type *out);
int site_type_insert(struct store_conn *c, struct arena *a, struct site_type *t, int64_t now);
int site_type_update(struct store_conn *c, const struct site_type *t, int64_t now);
int site_type_delete(struct store_conn *c, int64_t id);

int amenity_list(struct store_conn *c, struct arena *a, struct amenity **out, size_t *n);
int amenity_get(struct store_conn *c, struct arena *a, const char *code, struct amenity *out);
int amenity_insert(struct store_conn *c, struct arena *a, struct amenity *m, int64_t now);
int amenity_update(struct store_conn *c, const struct amenity *m, int64_t now);
int amenity_delete(struct store_conn *c, int64_t id);

bool amenity_kind_is_valid(const char *kind);

/* ---- module (catalog_http.c) ----------------------------------------- */

struct module;
extern const struct module catalog_module;
/* Its change kinds: a site type or amenity was added, changed or removed. */
enum catalog_change { CATALOG_CHANGED };

#endif
