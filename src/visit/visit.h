/*
 * visit.h - who comes to a station, counted: a worker checks in by
 * scanning the station's poster (a code signed with the server key),
 * staff scan a worker's personal QR code, and staff tap a counter for
 * walk-in visitors without an account (workers or the public).
 *
 * Counting: every counted visit adds to hourly counters, in one upsert
 * statement, for the site and for each region above it (grid, community,
 * street, district ...), so statistics of a site or a whole district read
 * a few thousand counter rows a year, never the visits. The counters are
 * anonymous and kept; a region's counters hold the visits made while the
 * site was inside it (`warmharbor visits recount` rebuilds them from the
 * sites' counters along today's tree after the tree or a site moved).
 *
 * A person's own check-ins (site, time, how) are personal data: they are
 * kept only WARMHARBOR_VISIT_RETENTION_DAYS days (30 by default; the tick
 * deletes older ones), shown only to the person, deletable by them, and
 * part of their data export and erasure. A repeat at the same site within
 * VISIT_REPEAT_S counts once, decided by one upsert of the person's last
 * counted visit there, so two scans at once count once too.
 *
 * Poster codes: "WH1.<site>.<version>.<mac>", the mac a keyed BLAKE2b of
 * the rest under a key derived from the server key. A code cannot be made
 * for another site without the key, and reissuing a site's poster raises
 * its version, which revokes every earlier poster of that site.
 */
#ifndef WH_VISIT_VISIT_H
#define WH_VISIT_VISIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"

struct store_conn;

#define VISIT_REPEAT_S 1800     /* a repeat within this counts once */
#define VISIT_RETENTION_DAYS 30 /* default for the person's check-ins */
#define VISIT_RETENTION_MAX_DAYS 3650
#define VISIT_WALKIN_MAX 100   /* walk-ins per tap */
#define VISIT_HOUR_MAX_DAYS 31 /* longest window counted by hour */
#define VISIT_DAY_MAX_DAYS 366 /* longest window counted by day */
#define VISIT_CODE_MAX 100     /* bytes of a poster code we read */
#define VISIT_LIST_MAX 200     /* my visits per page */
#define VISIT_REGION_DEPTH 8   /* regions above a site we count for */

/* How a visit was counted; the counters keep one column each. */
enum visit_via {
    VISIT_VIA_POSTER = 0,    /* the worker scanned the station's poster */
    VISIT_VIA_STAFF = 1,     /* staff scanned the worker's QR code */
    VISIT_WALKIN_WORKER = 2, /* staff counted a worker without an account */
    VISIT_WALKIN_PUBLIC = 3, /* staff counted a member of the public */
    VISIT_NVIA = 4,
};

/* A person's check-in. */
struct visit {
    int64_t id;
    int64_t user_id;
    int64_t site_id;
    const char *site_name_zh, *site_name_en;
    int64_t at;
    const char *via; /* "poster" | "staff" */
};

/* A site as a visit needs it: names, status, where it is in the tree and
 * its poster's version. */
struct visit_site {
    int64_t id;
    const char *name_zh, *name_en;
    const char *status;
    const char *region_path;  /* "/1/4/17/"; NULL outside the tree */
    int64_t poster_version;   /* 1 until the first reissue */
    int64_t poster_issued_at; /* 0 before the first reissue */
};

/* Counts of one window bucket (or a whole window), by how they came. */
struct visit_counts {
    int64_t n[VISIT_NVIA];
};

/* ---- rules (visit.c) ---------------------------------------------------- */

/* The poster code of a site's poster version, in the arena. key is the
 * server key (ACCOUNT_SECRET_BYTES). */
const char *visit_poster_code(struct arena *a, const unsigned char *key, int64_t site_id,
                              int64_t version);
/* Read a poster code: 0 with the site and version it names when its mac
 * is right, -1 for anything else (malformed, altered, another key's). It
 * says nothing of revocation: the caller compares the version with the
 * site's current one. */
int visit_poster_parse(const unsigned char *key, const char *code, int64_t *site_id,
                       int64_t *version);

/* The start of the local hour / day holding t (Unix seconds), in a fixed
 * UTC offset of tz minutes. */
int64_t visit_hour_start(int64_t t, int tz);
int64_t visit_day_start(int64_t t, int tz);

/* A statistics window: whole local days from..to (inclusive), counted in
 * buckets of an hour or a day. */
struct visit_window {
    int64_t start, end; /* [start, end), Unix seconds, local midnights */
    int64_t step;       /* 3600 or 86400 */
    size_t nbuckets;
    int32_t from, to; /* yyyymmdd */
};
/* Read ?from=&to=&by= (each may be NULL: by day, the last seven days up to
 * today; by hour, today; to defaults to today, from to the same day by
 * hour and six days before to by day). 0, or -1 with the argument at
 * fault in *field and a message in *why. */
int visit_window_parse(const char *from, const char *to, const char *by, int64_t now, int tz,
                       struct visit_window *w, const char **field, const char **why);
/* The bucket an hour counter (its hour's start) falls in, or -1. */
long visit_window_bucket(const struct visit_window *w, int64_t hour);

/* The region ids of a materialised path ("/1/4/17/" -> 1, 4, 17), at most
 * max; returns how many (0 for NULL or ""). */
size_t visit_path_ids(const char *path, int64_t *ids, size_t max);

/* "poster" | "staff" | "worker" | "public" for enum visit_via. */
const char *visit_via_name(enum visit_via v);

/* ---- store (visit_store.c) -------------------------------------------- */

int visit_site_get(struct store_conn *c, struct arena *a, int64_t site_id, struct visit_site *out);
/* Raise the site's poster version (revoking the older posters); *version
 * gets the new one. */
int visit_poster_reissue(struct store_conn *c, struct arena *a, int64_t site_id, int64_t by,
                         int64_t now, int64_t *version);

/* Claim a counted visit of the person at the site at now: 1 in *counted
 * when their last counted visit there is older than VISIT_REPEAT_S (or
 * there is none), decided by one statement; 0 when this is a repeat. */
int visit_claim(struct store_conn *c, int64_t user_id, int64_t site_id, int64_t now, bool *counted);
/* The person's last counted visit at the site (after a repeat): its id (0
 * when they deleted it) and time. */
int visit_last_get(struct store_conn *c, struct arena *a, int64_t user_id, int64_t site_id,
                   int64_t *visit_id, int64_t *at);
/* Record a check-in (v->user_id, site_id, at, via) and make it the
 * person's last counted visit there; sets v->id. */
int visit_insert(struct store_conn *c, struct arena *a, struct visit *v);
/* Add n visits of one kind at the hour to the counters of the site and of
 * the regions (ids) above it, in one statement. */
int visit_count_add(struct store_conn *c, int64_t site_id, int64_t hour, enum visit_via via,
                    int64_t n, const int64_t *region_ids, size_t nregions);

/* The person's check-ins, newest first, with id below before (0: from the
 * newest). */
int visit_list_mine(struct store_conn *c, struct arena *a, int64_t user_id, int64_t before,
                    int64_t limit, struct visit **out, size_t *n);
/* Delete one of the person's check-ins: STORE_NOT_FOUND when it is not
 * theirs (or gone). The counters keep it, anonymously. */
int visit_delete_mine(struct store_conn *c, int64_t user_id, int64_t id);
/* Delete check-ins older than before, and repeat guards older than
 * guard_before; *n: check-ins deleted. */
int visit_purge(struct store_conn *c, int64_t before, int64_t guard_before, int64_t *n);
/* Every trace of the person's visits (for DELETE /api/me). */
int visit_erase_user(struct store_conn *c, int64_t user_id);

/* The counters of a site (region false) or a region, summed by bucket of
 * the window: out[nbuckets] (zeroed first) and *total. */
int visit_stats(struct store_conn *c, struct arena *a, bool region, int64_t ref_id,
                const struct visit_window *w, struct visit_counts *out, struct visit_counts *total);
/* Rebuild every region's counters from the sites' counters along today's
 * tree, dropping counters of sites that are gone. The caller holds a
 * transaction. */
int visit_recount(struct store_conn *c);

/* The demo's counters: for every demo site in service, hours hours from
 * first (a local midnight), made up from the site's id and the hour with
 * a day's shape (quiet nights, meal-time peaks), in one statement; *rows:
 * the site-hours written. Regions follow with visit_recount. */
int visit_demo_fill(struct store_conn *c, int64_t first, int64_t hours, int64_t *rows);

/* ---- module (visit_http.c) -------------------------------------------- */

struct module;
extern const struct module visit_module;

#endif
