/*
 * http.h - what a feature module sees of HTTP: routes, the request, and the
 * ways to answer it. Nothing here exposes libmicrohttpd; only src/http/
 * includes <microhttpd.h>.
 *
 * A handler receives a struct req, reads path parameters, query strings,
 * headers and the body, calls one reply_* function exactly once, and
 * returns the status it replied with. Everything it allocates comes from
 * r->arena and is freed when the request ends; handlers never call free.
 * Every error, from every module, has the one shape
 *   {"error":{"code":"invalid_field","field":"position.lat","message":"..."}}
 * with a stable snake_case code and, where one field is at fault, its path.
 */
#ifndef WH_HTTP_HTTP_H
#define WH_HTTP_HTTP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"

struct app;
struct req;
struct store_conn;
struct sse_hub;
struct http_form;
struct http_files;

enum http_method {
    HTTP_GET = 1 << 0,
    HTTP_HEAD = 1 << 1,
    HTTP_POST = 1 << 2,
    HTTP_PUT = 1 << 3,
    HTTP_PATCH = 1 << 4,
    HTTP_DELETE = 1 << 5,
    HTTP_OPTIONS = 1 << 6,
};

/* Roles, as bits. A person holds roles through grants, each scoped to a
 * site, a region subtree or a department (system admins: everything). */
enum role_bit {
    ROLE_USER = 1u << 0,         /* any signed-in person (a worker, say) */
    ROLE_STAFF = 1u << 1,        /* station staff, scoped to sites */
    ROLE_PROVIDER = 1u << 2,     /* service provider / mentor */
    ROLE_MERCHANT = 1u << 3,     /* friendly-street merchant */
    ROLE_DISPATCHER = 1u << 4,   /* a department's dispatcher */
    ROLE_REGION_ADMIN = 1u << 5, /* scoped to a region subtree */
    ROLE_SYSTEM_ADMIN = 1u << 6, /* everything */
    ROLE_GRID_MANAGER = 1u << 7, /* a grid's manager (网格员), scoped to regions */
    ROLE_MENTOR = 1u << 8,       /* a livestream hosts' mentor, scoped to regions */
};

/* The one table of roles (roles.c): bit, name, and the kinds of place a
 * grant of it may be scoped to ("site,region"; "global" for system admins;
 * "" for ROLE_USER, which every signed-in person has without a grant). */
struct role_info {
    unsigned bit;
    const char *name;
    const char *scopes;
};
extern const struct role_info http_roles[];
extern const size_t http_role_count;
/* "staff" <-> ROLE_STAFF; 0 / NULL when unknown. */
unsigned role_bit(const char *name);
const char *role_name(unsigned bit);

/* Who may call a route: ACCESS_PUBLIC (anyone), or any holder of one of
 * the role bits. The server enforces it before the handler runs, so a
 * handler never has to remember a check; system admins pass every rule. */
#define ACCESS_PUBLIC 0u
#define ACCESS_SIGNED_IN ROLE_USER
#define ACCESS_ADMIN (ROLE_REGION_ADMIN | ROLE_SYSTEM_ADMIN)
#define ACCESS_SYSTEM ROLE_SYSTEM_ADMIN

/* What a request acts on, as its route's scope resolver finds it: a
 * booking's slot's site, a region in the path, a service's organization.
 * A grant reaches the target when it reaches any part that is set. */
struct scope_target {
    int64_t site_id;         /* 0: not a site */
    const char *region_code; /* NULL: not a region */
    const char *org_code;    /* NULL: not an organization's (providers) */
};

/* How a route finds what a scoped role must reach. Every route whose
 * object belongs to a site or region names one; the server runs it before
 * the handler and checks the caller's grants against what it found. The
 * module that owns the object writes the resolver (site/site.h has the
 * one for a site id in the path, region/region.h for a region code), so a
 * path's {id} is never mistaken for another kind of object's id. */
struct route_scope {
    const char *name; /* what the object is, for `warmharbor routes` */
    /* Fill *t. 0, or -1 after replying (404 when there is no such object,
     * 503 when the store does not answer). */
    int (*resolve)(struct req *r, struct scope_target *t);
};
#define SCOPE_ANY NULL

struct req;

/* One role a person holds, and where. */
struct grant {
    unsigned role;    /* one enum role_bit */
    const char *kind; /* "global", "site", "region", "department" */
    const char *ref;  /* site id, region code, department code */
};

/* The caller, once authenticated. */
struct principal {
    int64_t user_id;
    int64_t session_id;
    unsigned roles; /* union of the grants' roles, plus ROLE_USER */
    bool via_cookie;
    size_t ngrants;
    const struct grant *grants;
};

/* What a route's body must be; checked by the server before the handler. */
enum route_body {
    BODY_NONE = 0,
    BODY_JSON = 1,
    BODY_CSV = 2,
    BODY_FORM = 3, /* urlencoded or multipart/form-data: r->form (http/form.h), r->files */
};

struct route {
    unsigned method;     /* one enum http_method value */
    const char *pattern; /* "/api/sites/{id}": literal or {name} segments */
    int (*handler)(struct req *r);
    unsigned access; /* ACCESS_PUBLIC or role bits */
    enum route_body body;
    const struct route_scope *scope; /* SCOPE_ANY, or how to find the target */
    size_t body_limit;               /* bytes a body may have, when more than the server's
                                        limit (photo uploads); 0: the server's */
};

/* How the server learns who is calling (provided by the account module;
 * the server takes it as an option and knows nothing of sessions). */
struct http_auth {
    /* Fill *p from the request's credentials (arena memory). 1: signed
     * in; 0: no credentials; -1: credentials that are not valid; -2: they
     * could not be checked (the store does not answer: 503, never 401). */
    int (*authenticate)(struct req *r, struct principal *p);
    /* Does grant g reach the target (a site, or a region's subtree)? */
    bool (*reaches)(struct req *r, const struct grant *g, const struct scope_target *t);
    /* Is the request's CSRF token right for a cookie session? */
    bool (*csrf_ok)(struct req *r, const struct principal *p);
};

/* Idempotency-Key on POSTs (provided by the app; see app/idempotency.c). */
struct http_replay {
    /* Before the handler of a POST that carries an Idempotency-Key: 0 to
     * run the handler (the key is now claimed), -1 after replying (the
     * stored answer replayed, or the key refused). */
    int (*claim)(struct req *r, const char *key);
    /* After the handler replied: keep its answer for the key, or free the
     * key when the answer says the request may be tried again. */
    void (*settle)(struct req *r);
};

#define REQ_MAX_PARAMS 8
#define REQ_MAX_HEADERS 12

struct req {
    struct arena arena;
    struct app *app; /* opaque here: the server hands on what it was given */
    enum http_method method;
    const char *path;
    const struct route *route;
    const char *body; /* NUL-terminated; NULL when there is none */
    size_t body_len;
    json_t *json;                   /* parsed body for BODY_JSON routes (owned by the arena) */
    const struct http_form *form;   /* decoded body for BODY_FORM routes (arena) */
    const struct http_files *files; /* a multipart BODY_FORM body's files, else NULL */
    int nparams;
    const char *param_names[REQ_MAX_PARAMS];
    const char *param_values[REQ_MAX_PARAMS];

    /* The reply, filled by reply_* */
    int status;
    char *resp_body; /* malloc'ed, handed to the HTTP library */
    size_t resp_len;
    const char *content_type;
    int nheaders;
    const char *header_names[REQ_MAX_HEADERS];
    const char *header_values[REQ_MAX_HEADERS];

    const struct http_auth *auth;     /* from the server's options */
    const struct http_replay *replay; /* from the server's options */
    void *replay_state;               /* the claimed key, for settle */
    bool answer_secret;               /* the answer holds a secret: not kept for replay (a
                                         replayed key is told the answer is lost) */
    struct sse_hub *stream_hub;       /* set by reply_sse() */
    uint64_t stream_audience;         /* set by reply_sse_to(); 0: public */
    const struct principal *who;      /* the caller; see req_principal() */
    bool who_checked;
    bool who_invalid;              /* credentials were sent but are not valid */
    bool who_unknown;              /* credentials could not be checked (store down) */
    struct store_conn *store_conn; /* acquired by req_store() */
    void *conn;                    /* the library's connection; for http/ only */
};

/* Path parameter by name from the route pattern, or NULL. */
const char *req_param(const struct req *r, const char *name);
/* Query string argument (decoded) or NULL. */
const char *req_query(const struct req *r, const char *name);
/* Request header (case-insensitive name) or NULL. */
const char *req_header(const struct req *r, const char *name);
/* A cookie's value or NULL. */
const char *req_cookie(const struct req *r, const char *name);
/* The client's address as text ("127.0.0.1"), in the arena. */
const char *req_client_address(struct req *r);

/* Answer with JSON. Takes ownership of body (decrefs it). Returns status. */
int reply_json(struct req *r, int status, json_t *body);
/* Answer with bytes of the given type; the bytes are copied. */
int reply_bytes(struct req *r, int status, const char *content_type, const void *data, size_t len);
/* Answer with a malloc'ed buffer; ownership passes to the server. */
int reply_take(struct req *r, int status, const char *content_type, char *data, size_t len);
/* Answer with no body (204, or a HEAD-like answer). */
int reply_empty(struct req *r, int status);
/* The one error shape. field may be NULL. Returns status. */
int reply_error(struct req *r, int status, const char *code, const char *field, const char *fmt,
                ...) __attribute__((format(printf, 5, 6)));
/* Add a response header (name and value are copied into the arena). */
void reply_header(struct req *r, const char *name, const char *value);

/* The authenticated caller (session cookie or bearer token), or NULL for
 * an anonymous request. Looked up once per request. */
const struct principal *req_principal(struct req *r);
/* Does the caller hold role (any of the bits) reaching region_code's
 * subtree / the site (system admins reach everything)? For handlers whose
 * scope is in the body, e.g. the region of a new site, the site where a
 * worker was verified. */
bool req_reaches_region(struct req *r, unsigned roles, const char *region_code);
bool req_reaches_site(struct req *r, unsigned roles, int64_t site_id);
/* The same for a target a resolver found. */
bool req_reaches(struct req *r, unsigned roles, const struct scope_target *t);

/* The path parameter name as a positive id (digits, no leading zero).
 * Returns 0, or -1 after replying 404 not_found "no such <what>": a
 * malformed id names nothing. */
int req_param_id_or_reply(struct req *r, const char *name, const char *what, int64_t *out);

/* Read an integer query argument within [min, max]; absent gives dflt.
 * Returns 0, or -1 after replying 400 invalid_query naming the argument. */
int req_query_int_or_reply(struct req *r, const char *name, int64_t min, int64_t max, int64_t dflt,
                           int64_t *out);

#endif
