/*
 * web_http.c - serves the web app and its configuration:
 *   GET /                 index.html
 *   GET /{file}, /{dir}/{file}   the other bundled files
 *   GET /api/config       what the map page needs to know (tile source)
 *
 * Files come from the copy embedded at build time. For front-end work,
 * WARMHARBOR_WEB_DIR names a directory to serve from disk instead.
 * API routes are matched first: literal segments beat {file}.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "app/app.h"
#include "core/strbuf.h"
#include "http/accept.h"
#include "web/web.h"

/* The page may load tiles from any https host (the tile source is
 * configuration); everything else comes from this origin. */
static const char web_csp[] = "default-src 'self'; img-src 'self' data: https: http:; "
                              "style-src 'self'; script-src 'self'; connect-src 'self'; "
                              "worker-src 'self'; manifest-src 'self'; object-src 'none'; "
                              "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

static const struct web_asset *find_asset(const char *path)
{
    for (size_t i = 0; i < web_asset_count; i++)
        if (web_assets[i].len && strcmp(web_assets[i].path, path) == 0)
            return &web_assets[i];
    return NULL;
}

static const char *type_for(const char *path)
{
    static const struct {
        const char *ext, *type;
    } types[] = {
        {".html", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".json", "application/json; charset=utf-8"},
        {".webmanifest", "application/manifest+json"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".ico", "image/x-icon"},
        {".map", "application/json; charset=utf-8"},
    };
    const char *dot = strrchr(path, '.');
    for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
        if (strcmp(dot, types[i].ext) == 0)
            return types[i].type;
    return "application/octet-stream";
}

static bool is_safe_path(const char *path)
{
    if (path[0] != '/' || strstr(path, "..") || strstr(path, "//") || strchr(path, '\\'))
        return false;
    for (const char *p = path; *p; p++)
        if ((unsigned char)*p < 0x20)
            return false;
    return true;
}

/* Named by their bytes ("app-7KQ2M4ZD.js", web/build.mjs): such a name
 * never holds other bytes, so a phone may keep it for a year. */
static bool is_content_named(const char *path)
{
    const char *dot = strrchr(path, '.');
    if (!dot || dot - path < 10 || dot[-9] != '-')
        return false;
    for (const char *p = dot - 8; p < dot; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
            return false;
    return true;
}

static void cache_headers(struct req *r, const char *path)
{
    /* The shell and the service worker must be revalidated so updates
     * reach phones; files named by their bytes never change; the rest
     * (icons, the manifest) may be kept for a day. */
    bool volatile_file = strcmp(path, "/index.html") == 0 || strcmp(path, "/sw.js") == 0;
    reply_header(r, "Cache-Control",
                 volatile_file            ? "no-cache"
                 : is_content_named(path) ? "public, max-age=31536000, immutable"
                                          : "public, max-age=86400");
    reply_header(r, "Content-Security-Policy", web_csp);
}

/* The copy of a to send: its brotli or gzip copy (made at build time)
 * when the client takes it, else a itself. */
static const struct web_asset *pick_encoding(struct req *r, const char *path,
                                             const struct web_asset *a)
{
    static const struct {
        const char *coding, *suffix;
    } codings[] = {{"br", ".br"}, {"gzip", ".gz"}};
    const char *accept = req_header(r, "Accept-Encoding");
    const struct web_asset *chosen = a;
    bool has_copies = false;
    for (size_t i = 0; i < sizeof codings / sizeof codings[0]; i++) {
        const struct web_asset *c =
            find_asset(arena_printf(&r->arena, "%s%s", path, codings[i].suffix));
        if (!c)
            continue;
        has_copies = true;
        if (chosen == a && http_accepts_coding(accept, codings[i].coding)) {
            chosen = c;
            reply_header(r, "Content-Encoding", codings[i].coding);
        }
    }
    if (has_copies)
        reply_header(r, "Vary", "Accept-Encoding");
    return chosen;
}

static int serve_from_dir(struct req *r, const char *dir, const char *path)
{
    char full[1024];
    snprintf(full, sizeof full, "%s%s", dir, path);
    FILE *f = fopen(full, "rb");
    struct stat st;
    if (!f || fstat(fileno(f), &st) || !S_ISREG(st.st_mode)) {
        if (f)
            fclose(f);
        return reply_error(r, 404, "not_found", NULL, "no such file");
    }
    struct strbuf sb = STRBUF_INIT;
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        strbuf_add(&sb, buf, n);
    fclose(f);
    cache_headers(r, path);
    reply_header(r, "Cache-Control", "no-cache");
    size_t len;
    char *data = strbuf_detach(&sb, &len);
    return reply_take(r, 200, type_for(path), data, len);
}

static int serve_path(struct req *r, const char *path)
{
    if (!is_safe_path(path))
        return reply_error(r, 404, "not_found", NULL, "no such file");
    const char *dir = getenv("WARMHARBOR_WEB_DIR");
    if (dir && *dir)
        return serve_from_dir(r, dir, path);
    const struct web_asset *a = find_asset(path);
    if (!a)
        return reply_error(r, 404, "not_found", NULL, "no such file");
    cache_headers(r, path);
    const struct web_asset *body = pick_encoding(r, path, a);
    /* each copy has its own tag; the server answers If-None-Match */
    reply_header(r, "ETag", body->etag);
    return reply_bytes(r, 200, a->content_type, body->data, body->len);
}

static int get_index(struct req *r)
{
    return serve_path(r, "/index.html");
}

static int get_file(struct req *r)
{
    return serve_path(r, arena_printf(&r->arena, "/%s", req_param(r, "file")));
}

static int get_dir_file(struct req *r)
{
    return serve_path(r,
                      arena_printf(&r->arena, "/%s/%s", req_param(r, "dir"), req_param(r, "file")));
}

static int get_config(struct req *r)
{
    const struct config *c = &r->app->cfg;
    json_t *tiles = json_null();
    if (c->tiles_url && *c->tiles_url && strcmp(c->tiles_url, "none") != 0)
        tiles = json_pack("{s:s, s:s, s:s}", "url", c->tiles_url, "datum", c->tiles_datum,
                          "attribution", c->tiles_attribution);
    /* The roles the server knows, in the one table's order, with the kinds
     * of place each may be granted on: the web app builds its role pickers
     * from this rather than keeping a list of its own. */
    json_t *roles = json_array();
    for (size_t i = 0; i < http_role_count; i++)
        json_array_append_new(roles, json_pack("{s:s, s:s}", "name", http_roles[i].name, "scopes",
                                               http_roles[i].scopes));
    return reply_json(r, 200,
                      json_pack("{s:o, s:s, s:i, s:o}", "tiles", tiles, "timezone", "Asia/Shanghai",
                                "status_ttl_s", c->status_ttl_s, "roles", roles));
}

static const struct route web_routes[] = {
    {HTTP_GET, "/", get_index, ACCESS_PUBLIC, BODY_NONE, SCOPE_ANY},
    {HTTP_GET, "/{file}", get_file, ACCESS_PUBLIC, BODY_NONE, SCOPE_ANY},
    {HTTP_GET, "/{dir}/{file}", get_dir_file, ACCESS_PUBLIC, BODY_NONE, SCOPE_ANY},
    {HTTP_GET, "/api/config", get_config, ACCESS_PUBLIC, BODY_NONE, SCOPE_ANY},
};

const struct module web_module = {
    .name = "web",
    .routes = web_routes,
    .nroutes = sizeof web_routes / sizeof web_routes[0],
};
