/*
 * server.c - the request's life, from libmicrohttpd's first callback to
 * the access-log line.
 *
 *  1. First callback: a struct conn_ctx (holding the struct req and its
 *     arena) is created; a declared Content-Length over the limit is
 *     answered 413 at once.
 *  2. Upload callbacks: the body is copied into a buffer; going over the
 *     limit answers 413 and the rest is discarded.
 *  3. Last callback: the router picks the route (404, or 405 with Allow),
 *     the route's access rule is enforced (401/403), the body is checked
 *     against the route's body kind (415, 400 for bad JSON or too deep),
 *     and the handler runs and replies.
 *  4. Completion: the access-log line, the metrics, and the arena is
 *     released (which also runs deferred cleanups such as store release).
 *
 * This file and router.c are the only ones that include <microhttpd.h>.
 */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/strbuf.h"
#include "http/form.h"
#include "http/etag.h"
#include "http/multipart.h"
#include "http/guard.h"
#include "http/json_in.h"
#include "http/metrics.h"
#include "http/netaddr.h"
#include "http/router.h"
#include "http/server.h"
#include "http/sse.h"

struct http_server {
    struct MHD_Daemon *daemon;
    struct http_server_opts opts;
    struct conn_guard *guard; /* connections per address, header deadline */
    _Atomic long inflight;
    _Atomic bool draining;         /* stopping: answers close their connection */
    _Atomic int64_t last_start_us; /* when the newest request began */
    int port;
};

struct conn_ctx {
    struct req req; /* first member */
    struct http_server *server;
    struct strbuf body;
    int64_t start_us;
    int route_index;
    size_t body_limit; /* this request's: the server's, or its route's */
    /* A write's route, found once when its headers arrive (for its body
     * limit) and used again by dispatch. */
    bool routed;
    enum router_result route_res;
    struct route_match match;
    unsigned allowed;
    unsigned char replied;
    unsigned char too_large;
};

/* The most a request's body may have: the server's limit, or more where
 * its route says so (a report with photos). Only writes are looked up. */
static size_t body_limit_for(struct http_server *srv, struct conn_ctx *ctx)
{
    struct req *r = &ctx->req;
    size_t limit = srv->opts.body_limit;
    if (r->method != HTTP_POST && r->method != HTTP_PUT && r->method != HTTP_PATCH)
        return limit;
    ctx->route_res =
        router_match(srv->opts.router, r->method, r->path, &r->arena, &ctx->match, &ctx->allowed);
    ctx->routed = true;
    if (ctx->route_res == ROUTER_FOUND && ctx->match.route->body_limit > limit)
        limit = ctx->match.route->body_limit;
    return limit;
}

/* ---- what handlers may call (declared in http.h) ------------------- */

const char *req_query(const struct req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *req_header(const struct req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *req_cookie(const struct req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, name);
}

/* The connection's record in the guard (its socket context), or NULL. */
static struct guard_conn *guard_conn_of(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci ? ci->socket_context : NULL;
}

struct header_join {
    const char *name;
    struct strbuf sb;
    int count;
};

static enum MHD_Result join_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value)
{
    struct header_join *j = cls;
    (void)kind;
    if (key && strcasecmp(key, j->name) == 0) {
        if (j->count++)
            strbuf_addch(&j->sb, ',');
        strbuf_adds(&j->sb, value ? value : "");
    }
    return MHD_YES;
}

/* Every value of a request header, joined by commas (a list header sent
 * on several lines is one list), in the arena; NULL if there is none. */
static const char *header_list(struct req *r, const char *name)
{
    struct header_join j = {name, STRBUF_INIT, 0};
    MHD_get_connection_values(r->conn, MHD_HEADER_KIND, join_header, &j);
    const char *v = j.count ? arena_strdup(&r->arena, j.sb.buf ? j.sb.buf : "") : NULL;
    strbuf_release(&j.sb);
    return v;
}

/* The socket's peer; behind a trusted proxy (WARMHARBOR_TRUSTED_PROXIES)
 * the client it names in X-Forwarded-For or X-Real-IP (http/netaddr.h). */
const char *req_client_address(struct req *r)
{
    char buf[NET_ADDR_TEXT] = "";
    struct net_addr client;
    const struct guard_conn *gc = guard_conn_of(r->conn);
    if (gc && conn_guard_peer_trusted(gc)) {
        conn_guard_client(gc, header_list(r, "X-Forwarded-For"), req_header(r, "X-Real-IP"),
                          &client);
        net_addr_format(&client, buf, sizeof buf);
    } else if (gc) {
        net_addr_format(conn_guard_peer(gc), buf, sizeof buf);
    } else {
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        if (ci && net_addr_from_sockaddr(ci->client_addr, &client) == 0)
            net_addr_format(&client, buf, sizeof buf);
    }
    return arena_strdup(&r->arena, buf);
}

/* ---- sending ------------------------------------------------------- */

static const char *reply_header_value(const struct req *r, const char *name)
{
    for (int i = 0; i < r->nheaders; i++)
        if (strcasecmp(r->header_names[i], name) == 0)
            return r->header_values[i];
    return NULL;
}

/* A read answer carries its ETag; when the client already has those bytes
 * (If-None-Match), it gets 304 and no body. Public reads may be stored and
 * revalidated ("no-cache"); everything else stays "no-store" (below). */
static void settle_validator(struct req *r)
{
    if ((r->method != HTTP_GET && r->method != HTTP_HEAD) || r->status != 200 || r->stream_hub ||
        !r->resp_body)
        return;
    const char *etag = reply_header_value(r, "ETag");
    if (!etag) {
        char tag[ETAG_TEXT];
        etag_of(r->resp_body, r->resp_len, tag);
        reply_header(r, "ETag", tag);
        etag = reply_header_value(r, "ETag");
    }
    if (r->route && r->route->access == ACCESS_PUBLIC && !reply_header_value(r, "Cache-Control"))
        reply_header(r, "Cache-Control", "no-cache");
    if (etag_none_match(req_header(r, "If-None-Match"), etag)) {
        free(r->resp_body);
        r->resp_body = NULL;
        r->resp_len = 0;
        r->status = 304;
    }
}

static enum MHD_Result send_reply(struct conn_ctx *ctx)
{
    struct req *r = &ctx->req;
    if (ctx->replied)
        return MHD_YES;
    ctx->replied = 1;
    if (!r->status)
        reply_error(r, 500, "internal", NULL, "the handler gave no answer");
    settle_validator(r);
    struct MHD_Response *resp;
    if (r->stream_hub && r->status == 200) {
        resp = sse_response_new(r, r->stream_hub);
    } else {
        resp = MHD_create_response_from_buffer_with_free_callback(
            r->resp_len, r->resp_body ? r->resp_body : (char *)"", r->resp_body ? free : NULL);
        r->resp_body = NULL; /* the library owns it now */
        if (!resp)
            die_oom();
    }
    if (r->content_type)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r->content_type);
    bool has_cache = false, has_csp = false;
    for (int i = 0; i < r->nheaders; i++) {
        MHD_add_response_header(resp, r->header_names[i], r->header_values[i]);
        if (strcasecmp(r->header_names[i], "Cache-Control") == 0)
            has_cache = true;
        if (strcasecmp(r->header_names[i], "Content-Security-Policy") == 0)
            has_csp = true;
    }
    if (!has_cache)
        MHD_add_response_header(resp, "Cache-Control", "no-store");
    if (!has_csp)
        MHD_add_response_header(resp, "Content-Security-Policy",
                                "default-src 'none'; frame-ancestors 'none'");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    if (atomic_load(&ctx->server->draining))
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
    enum MHD_Result ret = MHD_queue_response(r->conn, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* ---- dispatch ------------------------------------------------------ */

/* ---- who is calling (declared in http.h) ---------------------------- */

const struct principal *req_principal(struct req *r)
{
    if (r->who_checked)
        return r->who;
    r->who_checked = true;
    r->who = NULL;
    if (!r->auth)
        return NULL;
    struct principal *p = arena_alloc(&r->arena, sizeof(*p));
    int got = r->auth->authenticate(r, p);
    if (got == 1)
        r->who = p;
    r->who_invalid = got == -1;
    r->who_unknown = got == -2;
    return r->who;
}

bool req_reaches(struct req *r, unsigned roles, const struct scope_target *t)
{
    const struct principal *p = req_principal(r);
    if (!p)
        return false;
    if (p->roles & ROLE_SYSTEM_ADMIN)
        return true;
    if (!t->site_id && !t->region_code && !t->org_code)
        return false;
    for (size_t i = 0; i < p->ngrants; i++)
        if ((p->grants[i].role & roles) && r->auth->reaches(r, &p->grants[i], t))
            return true;
    return false;
}

bool req_reaches_region(struct req *r, unsigned roles, const char *region_code)
{
    struct scope_target t = {0, region_code, NULL};
    return req_reaches(r, roles, &t);
}

bool req_reaches_site(struct req *r, unsigned roles, int64_t site_id)
{
    struct scope_target t = {site_id > 0 ? site_id : 0, NULL, NULL};
    return req_reaches(r, roles, &t);
}

/* The route's access rule, before the handler: 401 without (valid)
 * credentials, 503 when they could not be checked, 403 csrf_failed for a
 * cookie-authenticated write without its CSRF token, 403 forbidden
 * without a role, and 403 out_of_scope when no grant of the role reaches
 * what the route's resolver found. System admins pass every rule. */
static int check_access_or_reply(struct req *r)
{
    const struct route *rt = r->route;
    if (rt->access == ACCESS_PUBLIC)
        return 0;
    const struct principal *p = req_principal(r);
    if (!p && r->who_unknown) {
        reply_header(r, "Retry-After", "1");
        return reply_error(r, 503, "store_unavailable", NULL,
                           "who is calling cannot be checked now; retry"),
               -1;
    }
    if (!p && r->who_invalid) {
        reply_header(r, "WWW-Authenticate", "Bearer error=\"invalid_token\"");
        return reply_error(r, 401, "unauthorized", NULL,
                           "the session or token is not valid (signed out or expired)"),
               -1;
    }
    if (!p) {
        reply_header(r, "WWW-Authenticate", "Bearer");
        return reply_error(r, 401, "unauthorized", NULL,
                           "sign in first (session cookie or bearer token)"),
               -1;
    }
    bool safe = r->method == HTTP_GET || r->method == HTTP_HEAD;
    if (p->via_cookie && !safe && !r->auth->csrf_ok(r, p))
        return reply_error(r, 403, "csrf_failed", NULL,
                           "send the X-CSRF-Token header given at sign-in"),
               -1;
    if (!(p->roles & ROLE_SYSTEM_ADMIN) && !(p->roles & rt->access))
        return reply_error(r, 403, "forbidden", NULL, "your roles do not allow this"), -1;
    if (rt->scope == SCOPE_ANY)
        return 0;
    /* Resolved for admins too: an object that does not exist is 404. */
    struct scope_target t = {0, NULL, NULL};
    if (rt->scope->resolve(r, &t))
        return -1;
    if (req_reaches(r, rt->access, &t))
        return 0;
    return reply_error(r, 403, "out_of_scope", NULL, "your roles do not reach this %s",
                       rt->scope->name),
           -1;
}

static void json_free(void *p)
{
    json_decref(p);
}

/* A BODY_FORM route's body: urlencoded, or multipart/form-data (its text
 * parts into r->form, its files into r->files; http/multipart.h); 415 for
 * anything else, 400 invalid_form for a body that does not decode. An
 * empty body is an empty form; the handler says which fields it needs. */
static int form_body_or_reply(struct req *r, const char *ctype)
{
    static const char form_type[] = "application/x-www-form-urlencoded";
    struct http_form *f = arena_alloc(&r->arena, sizeof(*f));
    size_t at = 0;
    if (multipart_is_form_data(ctype)) {
        struct http_files *files = arena_alloc(&r->arena, sizeof(*files));
        const char *boundary;
        int rc = multipart_boundary(&r->arena, ctype, &boundary);
        if (!rc)
            rc = multipart_decode(&r->arena, r->body ? r->body : "", r->body_len, boundary, f,
                                  files, &at);
        if (rc)
            return reply_error(r, 400, "invalid_form", NULL, "part %zu: %s", at + 1,
                               multipart_result_text(rc)),
                   -1;
        r->form = f;
        r->files = files;
        return 0;
    }
    if (ctype && (strncasecmp(ctype, form_type, sizeof form_type - 1) != 0 ||
                  (ctype[sizeof form_type - 1] && ctype[sizeof form_type - 1] != ';' &&
                   ctype[sizeof form_type - 1] != ' ')))
        return reply_error(r, 415, "unsupported_media_type", NULL,
                           "send the fields as application/x-www-form-urlencoded or "
                           "multipart/form-data"),
               -1;
    int rc = form_decode(&r->arena, r->body ? r->body : "", r->body_len, f, &at);
    if (rc)
        return reply_error(r, 400, "invalid_form", NULL, "field %zu: %s", at + 1,
                           form_result_text(rc)),
               -1;
    r->form = f;
    return 0;
}

static int check_body_or_reply(struct req *r)
{
    const char *ctype = req_header(r, MHD_HTTP_HEADER_CONTENT_TYPE);
    switch (r->route->body) {
    case BODY_NONE:
        return 0;
    case BODY_CSV:
        if (ctype && !strstr(ctype, "csv") && !strstr(ctype, "text/plain"))
            return reply_error(r, 415, "unsupported_media_type", NULL,
                               "send the sites as text/csv"),
                   -1;
        if (!r->body || !r->body_len)
            return reply_error(r, 400, "empty_body", NULL, "the CSV body is empty"), -1;
        return 0;
    case BODY_FORM:
        return form_body_or_reply(r, ctype);
    case BODY_JSON:
        break;
    }
    if (ctype && !strstr(ctype, "json"))
        return reply_error(r, 415, "unsupported_media_type", NULL,
                           "send JSON with Content-Type: application/json"),
               -1;
    if (!r->body || !r->body_len)
        return reply_error(r, 400, "empty_body", NULL, "a JSON body is required"), -1;
    json_error_t jerr;
    int depth;
    json_t *root = json_in_load(r->body, r->body_len, JSON_REJECT_DUPLICATES, JSON_IN_MAX_DEPTH,
                                &depth, &jerr);
    if (depth > JSON_IN_MAX_DEPTH)
        return reply_error(r, 400, "too_deep", NULL, "JSON nesting deeper than %d",
                           JSON_IN_MAX_DEPTH),
               -1;
    if (!root)
        return reply_error(r, 400, "invalid_json", NULL, "line %d, column %d: %s", jerr.line,
                           jerr.column, jerr.text),
               -1;
    arena_defer(&r->arena, json_free, root);
    if (!json_is_object(root))
        return reply_error(r, 400, "invalid_json", NULL, "the body must be a JSON object"), -1;
    r->json = root;
    return 0;
}

static void dispatch(struct conn_ctx *ctx)
{
    struct req *r = &ctx->req;
    if (!ctx->routed) {
        ctx->route_res = router_match(ctx->server->opts.router, r->method, r->path, &r->arena,
                                      &ctx->match, &ctx->allowed);
        ctx->routed = true;
    }
    struct route_match m = ctx->match;
    unsigned allowed = ctx->allowed;
    enum router_result res = ctx->route_res;
    if (res == ROUTER_NOT_FOUND) {
        reply_error(r, 404, "not_found", NULL, "no such resource");
        return;
    }
    if (res == ROUTER_BAD_METHOD) {
        char allow[96];
        router_allow_header(allowed, allow, sizeof allow);
        reply_header(r, "Allow", allow);
        reply_error(r, 405, "method_not_allowed", NULL, "allowed: %s", allow);
        return;
    }
    r->route = m.route;
    ctx->route_index = m.index;
    r->nparams = m.nparams;
    for (int i = 0; i < m.nparams; i++) {
        r->param_names[i] = m.names[i];
        r->param_values[i] = m.values[i];
    }
    if (check_access_or_reply(r) || check_body_or_reply(r))
        return;
    const char *key = r->method == HTTP_POST && r->replay ? req_header(r, "Idempotency-Key") : NULL;
    if (key && r->replay->claim(r, key))
        return;
    int status = m.route->handler(r);
    if (r->replay_state)
        r->replay->settle(r);
    if (status != r->status && r->status)
        log_warn("%s %s: handler returned %d but replied %d", m.route->pattern,
                 router_method_name(m.route->method), status, r->status);
}

/* ---- libmicrohttpd callbacks --------------------------------------- */

struct framing_headers {
    int host, content_length, transfer_encoding;
};

static enum MHD_Result count_framing(void *cls, enum MHD_ValueKind kind, const char *key,
                                     const char *value)
{
    struct framing_headers *f = cls;
    (void)kind, (void)value;
    if (!key)
        return MHD_YES;
    if (strcasecmp(key, MHD_HTTP_HEADER_HOST) == 0)
        f->host++;
    else if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0)
        f->content_length++;
    else if (strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING) == 0)
        f->transfer_encoding++;
    return MHD_YES;
}

/* Requests whose Host or framing is wrong, answered here (with the
 * security headers and the one error shape) rather than by libmicrohttpd,
 * which lets them through (STRICT_FOR_CLIENT 0) or reads them its own way:
 *   400 missing_host      HTTP/1.1 without Host; 400 bad_host: several
 *   501 unsupported_transfer_encoding  any Transfer-Encoding but "chunked"
 *                         (libmicrohttpd would wait for the connection to
 *                         end, i.e. for the timeout, to find the body's end)
 *   400 ambiguous_length  Transfer-Encoding and Content-Length, or several
 *                         Content-Length headers (it would take the first)
 * Where the body ends is then unknown, so the connection closes after the
 * answer. 0, or -1 after replying. */
static int framing_error_or_reply(struct req *r, const char *version)
{
    struct framing_headers f = {0, 0, 0};
    MHD_get_connection_values(r->conn, MHD_HEADER_KIND, count_framing, &f);
    const char *te = req_header(r, MHD_HTTP_HEADER_TRANSFER_ENCODING);
    bool http10 =
        version && (strcmp(version, MHD_HTTP_VERSION_1_0) == 0 || strcmp(version, "HTTP/0.9") == 0);
    if (f.host > 1)
        reply_error(r, 400, "bad_host", NULL, "send one Host header");
    else if (!f.host && !http10)
        reply_error(r, 400, "missing_host", NULL, "HTTP/1.1 requests need a Host header");
    else if (f.transfer_encoding && (f.transfer_encoding > 1 || !te || strcasecmp(te, "chunked")))
        reply_error(r, 501, "unsupported_transfer_encoding", NULL,
                    "only Transfer-Encoding: chunked is supported");
    else if (f.transfer_encoding && f.content_length)
        reply_error(r, 400, "ambiguous_length", NULL,
                    "send Content-Length or Transfer-Encoding, not both");
    else if (f.content_length > 1)
        reply_error(r, 400, "ambiguous_length", NULL, "send one Content-Length header");
    else
        return 0;
    reply_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
    return -1;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **req_cls)
{
    struct http_server *srv = cls;
    struct conn_ctx *ctx = *req_cls;
    if (!ctx) {
        ctx = calloc(1, sizeof(*ctx));
        if (!ctx)
            die_oom();
        *req_cls = ctx;
        atomic_fetch_add(&srv->inflight, 1);
        ctx->server = srv;
        ctx->start_us = clock_mono_us();
        atomic_store(&srv->last_start_us, ctx->start_us);
        ctx->route_index = -1;
        struct req *r = &ctx->req;
        arena_init(&r->arena);
        r->app = srv->opts.app;
        r->auth = srv->opts.auth;
        r->replay = srv->opts.replay;
        r->conn = conn;
        r->method = router_method_parse(method);
        r->path = arena_strdup(&r->arena, url);
        conn_guard_request_started(guard_conn_of(conn));
        if (framing_error_or_reply(r, version))
            return send_reply(ctx);
        ctx->body_limit = body_limit_for(srv, ctx);
        const char *cl =
            MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl) {
            char *end;
            unsigned long long n = strtoull(cl, &end, 10);
            if (*end || n > ctx->body_limit) {
                ctx->too_large = 1;
                reply_error(r, 413, "body_too_large", NULL, "the body may be at most %zu bytes",
                            ctx->body_limit);
                return send_reply(ctx);
            }
        }
        return MHD_YES;
    }
    if (*upload_data_size) {
        if (!ctx->too_large) {
            if (ctx->body.len + *upload_data_size > ctx->body_limit) {
                ctx->too_large = 1;
                strbuf_release(&ctx->body);
                reply_error(&ctx->req, 413, "body_too_large", NULL,
                            "the body may be at most %zu bytes", ctx->body_limit);
            } else {
                strbuf_add(&ctx->body, upload_data, *upload_data_size);
            }
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (ctx->replied)
        return MHD_YES;
    if (!ctx->too_large) {
        if (ctx->body.len) {
            ctx->req.body = ctx->body.buf;
            ctx->req.body_len = ctx->body.len;
        }
        dispatch(ctx);
    }
    return send_reply(ctx);
}

static void write_access_log(struct conn_ctx *ctx, int64_t micros)
{
    struct req *r = &ctx->req;
    char line[1024], when[40];
    clock_format_iso(clock_now(), 0, when, sizeof when);
    const char *method = r->method ? router_method_name(r->method) : "OTHER";
    int n =
        snprintf(line, sizeof line, "{\"time\":\"%s\",\"method\":\"%s\",\"path\":\"", when, method);
    size_t len = log_json_escape(line, (size_t)n, sizeof line - 96, r->path ? r->path : "");
    n = snprintf(line + len, sizeof line - len, "\",\"status\":%d,\"bytes\":%zu,\"us\":%lld}\n",
                 r->status, r->resp_len, (long long)micros);
    if (n > 0)
        len += (size_t)n;
    ssize_t w = write(STDOUT_FILENO, line, len < sizeof line ? len : sizeof line);
    (void)w;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct http_server *srv = cls;
    (void)conn;
    struct conn_ctx *ctx = *req_cls;
    if (!ctx)
        return;
    int64_t micros = clock_mono_us() - ctx->start_us;
    if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK && !ctx->replied)
        ctx->req.status = 499; /* client went away before the answer */
    if (srv->opts.access_log)
        write_access_log(ctx, micros);
    if (srv->opts.metrics)
        metrics_observe(srv->opts.metrics, ctx->route_index, ctx->req.status, micros);
    free(ctx->req.resp_body);
    arena_release(&ctx->req.arena);
    strbuf_release(&ctx->body);
    free(ctx);
    *req_cls = NULL;
    atomic_fetch_sub(&srv->inflight, 1);
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
        msg[--n] = '\0';
    log_debug("microhttpd: %s", msg);
}

/* The guard hears of every connection (socket, peer) and every request's
 * end; see http/guard.h. */
static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
    struct http_server *srv = cls;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *fd =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        const union MHD_ConnectionInfo *peer =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        if (fd && fd->connect_fd != MHD_INVALID_SOCKET)
            *socket_context =
                conn_guard_opened(srv->guard, fd->connect_fd, peer ? peer->client_addr : NULL);
    } else {
        conn_guard_closed(*socket_context);
        *socket_context = NULL;
    }
}

static void on_completed_guarded(void *cls, struct MHD_Connection *conn, void **req_cls,
                                 enum MHD_RequestTerminationCode toe)
{
    conn_guard_request_ended(guard_conn_of(conn));
    on_completed(cls, conn, req_cls, toe);
}

/* ---- start and stop ------------------------------------------------ */

struct http_server *http_server_start(const struct http_server_opts *opts, char *err, size_t errlen)
{
    struct http_server *srv = calloc(1, sizeof(*srv));
    if (!srv)
        die_oom();
    srv->opts = *opts;
    const struct http_server_opts *o = &srv->opts;
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
    const char *addr = o->listen_addr;
    if (strchr(addr, ':')) {
        struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)o->port);
        const char *host = addr;
        char buf[64];
        if (addr[0] == '[') {
            snprintf(buf, sizeof buf, "%s", addr + 1);
            char *close = strchr(buf, ']');
            if (close)
                *close = '\0';
            host = buf;
        }
        if (inet_pton(AF_INET6, host, &a6->sin6_addr) != 1) {
            snprintf(err, errlen, "bad listen address %s", addr);
            free(srv);
            return NULL;
        }
        flags |= MHD_USE_IPv6;
    } else {
        struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
        a4->sin_family = AF_INET;
        a4->sin_port = htons((uint16_t)o->port);
        if (inet_pton(AF_INET, addr, &a4->sin_addr) != 1) {
            snprintf(err, errlen, "bad listen address %s", addr);
            free(srv);
            return NULL;
        }
    }
    unsigned threads =
        o->threads > 0 ? (unsigned)o->threads : (unsigned)sysconf(_SC_NPROCESSORS_ONLN);
    if (threads < 1)
        threads = 1;
    struct conn_guard_config gcfg = {o->trusted_proxies, o->conn_per_address, o->header_timeout_s};
    srv->guard = conn_guard_new(&gcfg, err, errlen);
    if (!srv->guard) {
        free(srv);
        return NULL;
    }
    srv->daemon = MHD_start_daemon(
        flags, (uint16_t)o->port, NULL, NULL, on_request, srv, MHD_OPTION_SOCK_ADDR,
        (struct sockaddr *)&ss, MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)o->conn_timeout_s, MHD_OPTION_CONNECTION_LIMIT, (unsigned)o->conn_limit,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(16 * 1024),
        /* 0: a request without Host reaches on_request, which answers
         * it with our headers (libmicrohttpd's own 400 has none) */
        MHD_OPTION_STRICT_FOR_CLIENT, (int)0, MHD_OPTION_NOTIFY_COMPLETED, on_completed_guarded,
        srv, MHD_OPTION_NOTIFY_CONNECTION, on_connection, srv, MHD_OPTION_EXTERNAL_LOGGER,
        on_mhd_log, NULL, MHD_OPTION_END);
    if (!srv->daemon) {
        snprintf(err, errlen, "cannot listen on %s:%d", addr, o->port);
        conn_guard_free(srv->guard);
        free(srv);
        return NULL;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
    srv->port = info ? info->port : o->port;
    log_info("listening on %s:%d with %u threads", addr, srv->port, threads);
    return srv;
}

int http_server_port(const struct http_server *s)
{
    return s->port;
}

/* How long no request may have started before the server may stop: a
 * client whose request was on the wire when the signal came (headers half
 * sent on a kept-alive connection) gets it in, and an answer. */
#define DRAIN_SETTLE_US 300000

void http_server_stop(struct http_server *srv)
{
    if (!srv)
        return;
    /* Stop accepting; already-open connections are still served, and every
     * answer from now on closes its connection. */
    atomic_store(&srv->draining, true);
    MHD_socket fd = MHD_quiesce_daemon(srv->daemon);
    /* Refuse new connections now. The socket itself may only be closed
     * after MHD_stop_daemon (worker threads may still hold it), but a
     * listening socket that is shut down stops accepting at once. */
    if (fd != MHD_INVALID_SOCKET)
        shutdown(fd, SHUT_RDWR);
    /* Event streams never end by themselves: end them so they do not hold
     * the shutdown for the whole grace period. */
    if (srv->opts.on_drain)
        srv->opts.on_drain(srv->opts.app);
    int64_t start = clock_mono_us();
    int64_t deadline = start + (int64_t)srv->opts.shutdown_grace_s * 1000000;
    for (;;) {
        int64_t now = clock_mono_us();
        long left = atomic_load(&srv->inflight);
        int64_t quiet_since = atomic_load(&srv->last_start_us);
        if (quiet_since < start)
            quiet_since = start;
        if (left == 0 && now - quiet_since >= DRAIN_SETTLE_US)
            break;
        if (now >= deadline) {
            log_warn("stopping with %ld requests still open", left);
            break;
        }
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    MHD_stop_daemon(srv->daemon);
    /* Only now: the worker threads no longer look at the socket. */
    if (fd != MHD_INVALID_SOCKET)
        close(fd);
    conn_guard_free(srv->guard); /* every connection is closed */
    free(srv);
}
