/*
 * gen_sites.h - synthetic site networks spread like China's cities.
 *
 * Benchmarks need a national network that looks like the real one: dense
 * in the big cities, thinner in the small ones, a sparse rural scatter in
 * between, many small community stations and few hubs. gen_sites() draws
 * such a network from a table of 435 city centres (approximate
 * coordinates, rough urban populations in millions) with a fixed seed, so
 * every run and every benchmark (the index bench here, an HTTP bench later)
 * sees the same sites. The first m sites of a network of n > m are the
 * sites of the network of m (same seed), so sizes nest.
 *
 * Coordinates are WGS-84 with 6 decimals, like rows from the database.
 * Ids are 1..n. No global state: the functions are thread-safe.
 */
#ifndef WH_BENCH_GEN_SITES_H
#define WH_BENCH_GEN_SITES_H

#include <stddef.h>
#include <stdint.h>

#include "geo/index.h"

struct gen_city {
    const char *name;
    double lat, lon;
    double pop_m; /* rough urban population, millions */
};

/* The city table. */
extern const struct gen_city gen_cities[];
extern const size_t gen_city_count;

/* Amenity bits of the generated sites (bit = value). */
enum gen_amenity {
    GEN_WATER = 0,
    GEN_TOILET,
    GEN_SEATS,
    GEN_CHARGING, /* phone charging */
    GEN_MICROWAVE,
    GEN_FIRST_AID,
    GEN_AIRCON,
    GEN_WIFI,
    GEN_EBIKE_CHARGING,
    GEN_SHOWER,
    GEN_RAIN_GEAR,
    GEN_REPAIR_TOOLS,
    GEN_BOOKS,
    GEN_LEGAL_AID,
    GEN_LOCKERS,
    GEN_MEALS,
    GEN_AMENITY_COUNT
};

/* Site types of the generated sites. */
enum gen_type {
    GEN_COMMUNITY_STATION = 0, /* "Warm Hut" in a community */
    GEN_PARTNER_SHOP,          /* a shop that opens its door */
    GEN_UNION_STATION,
    GEN_CANTEEN,
    GEN_BATTERY_SWAP,
    GEN_INDUSTRY_HUB, /* tier 3, all amenities */
    GEN_TYPE_COUNT
};

extern const char *const gen_amenity_names[GEN_AMENITY_COUNT];
extern const char *const gen_type_names[GEN_TYPE_COUNT];

/* A small deterministic generator (splitmix64). */
struct gen_rng {
    uint64_t s;
};

void gen_rng_seed(struct gen_rng *r, uint64_t seed);
uint64_t gen_rng_next(struct gen_rng *r);
/* Uniform in [0, 1). */
double gen_rng_unit(struct gen_rng *r);
/* Standard normal. */
double gen_rng_gauss(struct gen_rng *r);

/* Fill out[0..n) with a network of n sites (ids 1..n) for this seed. */
void gen_sites(struct geo_entry *out, size_t n, uint64_t seed);

/* A place where couriers ask for sites: near a city centre, cities
 * weighted by population, spread like the sites. */
void gen_courier_point(struct gen_rng *r, double *lat, double *lon);

#endif
