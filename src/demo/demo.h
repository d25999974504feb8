/*
 * demo.h - the Haizhou District demo data: regions, site types, the
 * amenity catalogue, ~240 sites and the 2026 holiday calendar, generated
 * by code from a fixed seed (the same data every run) and marked as demo.
 */
#ifndef WH_DEMO_DEMO_H
#define WH_DEMO_DEMO_H

struct app;

struct demo_counts {
    int regions;
    int site_types;
    int amenities;
    int sites;
    int holidays;
};

/* Load the demo data in one transaction. Catalogue rows and regions that
 * already exist (by code) are kept; demo sites are replaced; other sites
 * are left alone. Returns 0 or -1 (logged). */
int demo_seed(struct app *app, struct demo_counts *out);

#endif
