/*
 * gen_csv.c - writes a synthetic national network (bench/gen_sites.c) as
 * CSV files that `warmharbor import-sites` takes, in chunks the importer's
 * record limit allows.
 *
 *   gen_csv N PREFIX      writes PREFIX-1.csv, PREFIX-2.csv, ...
 *
 * Site types and amenities are mapped onto the demo catalogue's codes, so
 * a database seeded by `warmharbor demo` accepts the rows.
 */
#include <stdio.h>
#include <stdlib.h>

#include "gen_sites.h"

#define CHUNK 150000

static const char *const type_codes[GEN_TYPE_COUNT] = {
    "community_station", "warm_hut", "community_station", "canteen", "battery_swap",
    "industry_hub",
};

/* NULL: no counterpart in the demo catalogue. */
static const char *const amenity_codes[GEN_AMENITY_COUNT] = {
    "drinking_water", "toilet", "seats", "phone_charging", "microwave", "first_aid",
    "air_conditioning", "wifi", "ebike_charging", "hot_water", "rain_gear", "repair_tools",
    "reading", NULL, "locker", NULL,
};

static const char *const hours[] = {
    "24/7",
    "Mo-Su 08:00-20:00",
    "Mo-Fr 08:30-18:00; Sa,Su 09:00-17:00; PH off",
    "Mo-Su 06:00-22:00",
    "Mo-Su 10:30-13:30,17:00-19:30",
};

int main(int argc, char **argv)
{
    if (argc != 3) {
        fputs("usage: gen_csv N PREFIX\n", stderr);
        return 2;
    }
    size_t n = strtoul(argv[1], NULL, 10);
    struct geo_entry *sites = malloc((n ? n : 1) * sizeof(*sites));
    if (!sites)
        return 1;
    gen_sites(sites, n, 20261129);
    FILE *f = NULL;
    int chunk = 0;
    for (size_t i = 0; i < n; i++) {
        if (i % CHUNK == 0) {
            if (f && fclose(f))
                return 1;
            char path[4096];
            snprintf(path, sizeof path, "%s-%d.csv", argv[2], ++chunk);
            f = fopen(path, "w");
            if (!f) {
                perror(path);
                return 1;
            }
            fputs("name_zh,name_en,type,lat,lon,opening_hours,public,amenities\n", f);
        }
        const struct geo_entry *s = &sites[i];
        fprintf(f, "基准站点%zu,Bench site %zu,%s,%.6f,%.6f,\"%s\",%d,", i + 1, i + 1,
                type_codes[s->type % GEN_TYPE_COUNT], s->lat, s->lon,
                hours[(s->id * 7) % (sizeof hours / sizeof hours[0])], (int)(s->id % 3 == 0));
        int first = 1;
        for (int b = 0; b < GEN_AMENITY_COUNT; b++) {
            if (!(s->amenities & ((uint64_t)1 << b)) || !amenity_codes[b])
                continue;
            fprintf(f, "%s%s", first ? "" : ";", amenity_codes[b]);
            first = 0;
        }
        fputc('\n', f);
    }
    if (f && fclose(f))
        return 1;
    free(sites);
    printf("%d\n", chunk);
    return 0;
}
