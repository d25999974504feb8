/*
 * service.h - the one-stop service catalogue: organizations (providers
 * such as the social security bureau, the legal aid centre, the HR
 * market, the trade union, clinics, volunteers) offer services (legal
 * aid, social security, jobs, skills, health, childcare, haircuts ...),
 * each with one category from a taxonomy, offered at sites of the
 * registry with opening hours of their own. The shape follows Open
 * Referral HSDS 3.0, and the module serves an HSDS 3.0 API at /hsds/.
 *
 * HSDS ids are UUIDs; ours are integers and codes. Every HSDS object gets
 * a name-based UUID: version 8 with SHA-256 (RFC 9562, section 5.8 and
 * the example in its appendix B.2) over SERVICE_UUID_NAMESPACE and a name
 * such as "service:7", "organization:hz-legal-aid" or
 * "service_at_location:7:42". Name-based, so the same row always has the
 * same UUID and anyone can recompute it from the id; SHA-256 because
 * libsodium (already linked) has it and SHA-1 (version 5) would be new
 * code; one fixed namespace, so the names of this catalogue cannot meet
 * another's. The UUIDs of organizations, services and services at
 * locations are stored beside the rows, so a UUID in a path is found by
 * an index.
 */
#ifndef WH_SERVICE_SERVICE_H
#define WH_SERVICE_SERVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "hours/hours.h"

struct store_conn;

#define SERVICE_MAX_DOCUMENTS 20
#define SERVICE_MAX_LANGUAGES 10
#define SERVICE_UUID_LEN 36
/* A fixed, randomly drawn namespace for this catalogue's names. */
#define SERVICE_UUID_NAMESPACE "39e0b7e9-8d48-4d19-83a4-10966bbee350"
/* The one taxonomy the categories form, as HSDS sees it. */
#define SERVICE_TAXONOMY_NAME "taxonomy:warmharbor-service-categories"

/* A term of the taxonomy. */
struct service_category {
    int64_t id;
    const char *code;
    const char *parent_code; /* NULL at the top */
    const char *path;        /* "/daily_life/haircut/" */
    const char *name_zh, *name_en;
    const char *description_zh, *description_en;
    int position;
};

struct organization {
    int64_t id;
    const char *code;
    const char *uuid;
    const char *name_zh, *name_en;
    const char *description_zh, *description_en;
    const char *phone, *email, *website, *contact_name;
    bool is_demo;
    int64_t created_at, updated_at;
};

struct service_document {
    const char *zh, *en;
};

struct service {
    int64_t id;
    const char *uuid;
    struct organization org;          /* id, code, uuid, names and descriptions */
    struct service_category category; /* id, code, path, names, descriptions */
    const char *name_zh, *name_en;
    const char *description_zh, *description_en;
    const char *eligibility_zh, *eligibility_en;
    const char *fees_zh, *fees_en;
    bool free;
    const char *languages; /* ISO 639 codes, "zh,en" */
    const char *phone, *email, *url, *contact_name;
    bool requires_verified;
    const char *status; /* active | inactive | temporarily_closed | defunct */
    bool is_demo;
    int64_t created_at, updated_at;
    size_t ndocuments;
    struct service_document *documents;
};

/* What a location needs of its site. */
struct service_site {
    int64_t id;
    const char *name_zh, *name_en;
    const char *type_code;
    const char *address_zh, *address_en;
    double lat, lon; /* WGS-84 */
    const char *phone;
    const char *status;
    bool has_until;
    int64_t status_until;
};

/* A service offered at a site. */
struct service_location {
    int64_t service_id;
    const char *uuid;
    const char *opening_hours;
    const char *note_zh, *note_en;
    int64_t created_at, updated_at;
    struct service_site site;
};

/* What is wrong with an input, for the one error shape. */
struct service_fault {
    const char *code;  /* invalid_field, missing_field, too_long ... */
    const char *field; /* "email", "required_documents[2].zh" ... */
    char message[200];
};

/* ---- domain rules (service.c) -------------------------------------------- */

/* The name-based UUID of name (see the top of this file), lower-case,
 * into out (SERVICE_UUID_LEN + 1 bytes). */
void service_uuid(const char *name, char out[SERVICE_UUID_LEN + 1]);
/* The same in another namespace (a UUID in text form), as RFC 9562's
 * example in appendix B.2 does it. */
void service_uuid_in(const char *ns, const char *name, char out[SERVICE_UUID_LEN + 1]);
/* The same, formatted from printf arguments, in the arena. */
const char *service_uuidf(struct arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Is s a UUID in the 8-4-4-4-12 hex form? *canon (when not NULL) gets it
 * in lower case (SERVICE_UUID_LEN + 1 bytes). */
bool service_uuid_parse(const char *s, char canon[SERVICE_UUID_LEN + 1]);

bool service_status_is_valid(const char *status);
/* The HSDS word for a status: "temporarily closed" for temporarily_closed. */
const char *service_status_hsds(const char *status);
/* An e-mail address the HSDS schema's "email" format accepts. */
bool service_email_is_valid(const char *s);
/* An http(s) URL of RFC 3986 characters only (what "uri" accepts). */
bool service_url_is_valid(const char *s);
/* An ISO 639 code: 2 or 3 lower-case letters. */
bool service_language_is_valid(const char *code);
/* The English and Chinese names of a language code, or NULL. */
const char *service_language_name(const char *code, bool zh);

/* Defaults of a new service: active, free, Chinese, empty texts. */
void service_defaults(struct service *s);
/* Check a complete service (after defaults or a patch). 0, or -1 with *f.
 * The organization and category codes are checked by the store. */
int service_check(const struct service *s, struct service_fault *f);
void organization_defaults(struct organization *o);
int organization_check(const struct organization *o, struct service_fault *f);
/* Opening hours of a service at a site: required, parsed by the hours
 * engine. 0, or -1 with *f (invalid_opening_hours with the position). */
int service_hours_check(const char *hours, struct service_fault *f);

/* Is the service open at its location at t? It must be active, its site
 * in service (a temporary closure shuts it until status_until, as for the
 * site itself), and its hours open with the holiday calendar.
 * *next_change is the next moment that changes (-1: none within 400
 * days). */
void service_location_open_at(const struct service *s, const struct service_location *l,
                              const struct hours_calendar *cal, int64_t t, int tz_offset_min,
                              bool *open, int64_t *next_change);

/* Parse "LAT,LON" (decimal degrees). 0, or -1 when it is not two numbers
 * in range. */
int service_parse_near(const char *s, double *lat, double *lon);

/* ---- opening hours as HSDS schedules ------------------------------------- */

#define SERVICE_SCHEDULE_MAX 28

/* One weekly row: on the days of byday, open from opens_min to closes_min
 * (minutes after local midnight; closes_min <= opens_min means past
 * midnight, 1440 is the end of the day). */
struct service_schedule_row {
    char byday[21]; /* "MO,TU,WE,TH,FR,SA,SU" */
    int opens_min, closes_min;
};

/* The weekly rows of an opening_hours text, as in the 53 weeks from the
 * week of t (local time, without holidays: PH rules are left to the text).
 * Returns the number of rows (0: never open), or -1 when the text is not
 * the same every week (dates, nth weekdays) or does not parse: then only
 * the text describes it. *mentions_holidays tells whether it has PH
 * rules. */
int service_weekly_schedule(const char *opening_hours, int64_t t, int tz_offset_min,
                            struct service_schedule_row *rows, size_t cap, bool *mentions_holidays);

/* ---- HSDS paging --------------------------------------------------------- */

struct service_page {
    int64_t page, per_page; /* asked for; page from 1 */
    int64_t total_items, total_pages, size;
    bool first_page, last_page, empty;
};
/* Fill the page fields for total matching items and size items on this
 * page. */
void service_page_fill(struct service_page *p, int64_t total_items, int64_t size);

/* ---- store (service_store.c) --------------------------------------------- */

/* Results beyond enum store_rc: the input names an unknown organization or
 * category (fault filled in). */
#define SERVICE_INVALID 100
/* service_delete: an offering (booking module) still names the service. */
#define SERVICE_IN_USE 101

struct service_query {
    const char *category_path; /* subtree: "/daily_life/%"; NULL: any */
    int64_t site_id;           /* offered at this site; 0: any */
    int64_t organization_id;   /* 0: any */
    const char *text;          /* LIKE pattern over names and descriptions */
    const char *status;        /* NULL: any */
    int64_t modified_after;    /* updated_at at or after; 0: any */
    int64_t limit, offset;
};

int category_list(struct store_conn *c, struct arena *a, struct service_category **out, size_t *n);
int category_get(struct store_conn *c, struct arena *a, const char *code,
                 struct service_category *out);

int organization_get(struct store_conn *c, struct arena *a, const char *code,
                     struct organization *out);
int organization_get_by_uuid(struct store_conn *c, struct arena *a, const char *uuid,
                             struct organization *out);
/* Ordered by code; *total counts every organization. text: LIKE pattern
 * or NULL. */
int organization_list(struct store_conn *c, struct arena *a, const char *text, int64_t limit,
                      int64_t offset, struct organization **out, size_t *n, int64_t *total);
/* Insert (o->uuid is derived here); STORE_CONFLICT when the code is taken. */
int organization_insert(struct store_conn *c, struct arena *a, struct organization *o, int64_t now);
int organization_update(struct store_conn *c, const struct organization *o, int64_t now);

/* A service with its organization, category and documents. */
int service_get(struct store_conn *c, struct arena *a, int64_t id, struct service *out);
int service_get_by_uuid(struct store_conn *c, struct arena *a, const char *uuid,
                        struct service *out);
/* The organization code of a service (for the scope resolver). */
int service_org_code(struct store_conn *c, struct arena *a, int64_t id, const char **code);
/* Services matching q ordered by id (documents not loaded); *total counts
 * every match. */
int service_search(struct store_conn *c, struct arena *a, const struct service_query *q,
                   struct service **out, size_t *n, int64_t *total);
/* Insert or update a checked service with its documents, resolving the
 * organization and category codes (SERVICE_INVALID with *f when one is
 * unknown). The caller holds a transaction. Insert sets s->id and
 * s->uuid. */
int service_insert(struct store_conn *c, struct arena *a, struct service *s, int64_t now,
                   struct service_fault *f);
int service_update(struct store_conn *c, struct arena *a, struct service *s, int64_t now,
                   struct service_fault *f);
/* STORE_NOT_FOUND, or SERVICE_IN_USE while an offering names it. */
int service_delete(struct store_conn *c, int64_t id);
/* Remove the demo services (for reseeding). */
int service_delete_demo(struct store_conn *c);

/* The locations of a service, by site id. */
int location_list(struct store_conn *c, struct arena *a, int64_t service_id,
                  struct service_location **out, size_t *n);
int location_get(struct store_conn *c, struct arena *a, int64_t service_id, int64_t site_id,
                 struct service_location *out);
int location_get_by_uuid(struct store_conn *c, struct arena *a, const char *uuid,
                         struct service_location *out);
/* The locations of the services matching q, ordered by (service, site):
 * locs[i] is a location of services[i] (documents not loaded); *total
 * counts them (NULL: not counted). q->limit 0 means all of them.
 * in_service: only sites in service (operational, partly operational or
 * temporarily closed), for nearest-first answers. */
int location_search(struct store_conn *c, struct arena *a, const struct service_query *q,
                    bool in_service, struct service **services, struct service_location **locs,
                    size_t *n, int64_t *total);
/* Insert or replace the service at a site; *created tells which. The
 * caller holds a transaction. */
int location_put(struct store_conn *c, struct service_location *l, int64_t now, bool *created);
/* STORE_NOT_FOUND when the service is not offered there. */
int location_delete(struct store_conn *c, int64_t service_id, int64_t site_id);
/* The site's fields a location shows. */
int service_site_get(struct store_conn *c, struct arena *a, int64_t site_id,
                     struct service_site *out);

/* A service on offer at a site, for the map's category filter (the site
 * cache keeps these in memory). */
struct service_site_link {
    int64_t service_id, site_id, category_id;
};
/* The sites where active services are offered: one service's
 * (service_id > 0) or every service's (0), ordered by (service, site). */
int service_site_links(struct store_conn *c, struct arena *a, int64_t service_id,
                       struct service_site_link **out, size_t *n);

/* ---- module (service_http.c, service_hsds.c, service_demo.c) ------------- */

struct module;
struct route_scope;
struct req;
struct app;
extern const struct module service_module;
/* Its change kinds (the id is the service's, or the organization's). */
enum service_change { SERVICE_CHANGED, SERVICE_ORGANIZATION_CHANGED };
/* Scope resolvers: {id} is a service (its organization), {code} is an
 * organization. */
extern const struct route_scope service_scope_path;
extern const struct route_scope organization_scope_path;

/* The HSDS routes' handlers (service_hsds.c). */
int hsds_root(struct req *r);
int hsds_services(struct req *r);
int hsds_service(struct req *r);
int hsds_organizations(struct req *r);
int hsds_organization(struct req *r);
int hsds_service_at_locations(struct req *r);
int hsds_service_at_location(struct req *r);
int hsds_taxonomies(struct req *r);
int hsds_taxonomy(struct req *r);
int hsds_taxonomy_terms(struct req *r);
int hsds_taxonomy_term(struct req *r);

/* The demo providers and services (service_demo.c). */
int service_demo(struct app *app, struct store_conn *c, int *count);

#endif
