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
struct store_conn;
struct sse_hub;

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

/* What a scoped role must reach for the route to be allowed: the site the
 * path's {id} names, or the region its {code} names. */
enum route_scope {
    SCOPE_ANY = 0,
    SCOPE_SITE = 1,
    SCOPE_REGION = 2,
};

/* One role a person holds, and where. */
struct grant {
    unsigned role;     /* one enum role_bit */
    const char *kind;  /* "global", "site", "region", "department" */
    const char *ref;   /* site id, region code, department code */
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
};

struct req;

struct route {
    unsigned method;     /* one enum http_method value */
    const char *pattern; /* "/api/sites/{id}": literal or {name} segments */
    int (*handler)(struct req *r);
    unsigned access; /* ACCESS_PUBLIC or role bits */
    enum route_body body;
    enum route_scope scope;
};

#define REQ_MAX_PARAMS 8
#define REQ_MAX_HEADERS 12

struct req {
    struct arena arena;
    struct app *app;
    enum http_method method;
    const char *path;
    const struct route *route;
    const char *body; /* NUL-terminated; NULL when there is none */
    size_t body_len;
    json_t *json; /* parsed body for BODY_JSON routes (owned by the arena) */
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

    struct sse_hub *stream_hub;    /* set by reply_sse() */
    const struct principal *who;   /* the caller; see req_principal() */
    bool who_checked;
    bool who_invalid; /* credentials were sent but are not valid */
    struct store_conn *store_conn; /* acquired by req_store() */
    void *conn; /* the library's connection; for http/ only */
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
int reply_bytes(struct req *r, int status, const char *content_type,
                const void *data, size_t len);
/* Answer with a malloc'ed buffer; ownership passes to the server. */
int reply_take(struct req *r, int status, const char *content_type,
               char *data, size_t len);
/* Answer with no body (204, or a HEAD-like answer). */
int reply_empty(struct req *r, int status);
/* The one error shape. field may be NULL. Returns status. */
int reply_error(struct req *r, int status, const char *code, const char *field,
                const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Add a response header (name and value are copied into the arena). */
void reply_header(struct req *r, const char *name, const char *value);

/* The authenticated caller (session cookie or bearer token), or NULL for
 * an anonymous request. Looked up once per request. */
const struct principal *req_principal(struct req *r);
/* Does the caller hold role (any of the bits) reaching region_code's
 * subtree (system admins reach everything)? For handlers whose scope is
 * in the body, e.g. the region of a new site. */
bool req_reaches_region(struct req *r, unsigned roles, const char *region_code);

/* The path parameter name as a positive id (digits, no leading zero).
 * Returns 0, or -1 after replying 404 not_found "no such <what>": a
 * malformed id names nothing. */
int req_param_id_or_reply(struct req *r, const char *name, const char *what, int64_t *out);

/* Read an integer query argument within [min, max]; absent gives dflt.
 * Returns 0, or -1 after replying 400 invalid_query naming the argument. */
int req_query_int_or_reply(struct req *r, const char *name, int64_t min,
                           int64_t max, int64_t dflt, int64_t *out);

#endif
