/*
 * main.c - the warmharbor command line: argv and environment -> config ->
 * store -> migrations -> modules -> serve (or a one-shot command).
 *
 *   warmharbor serve        [--db PATH] [--listen ADDR:PORT] [--threads N]
 *   warmharbor migrate      [--db PATH]
 *   warmharbor demo         [--db PATH]
 *   warmharbor import-sites [--db PATH] FILE.csv
 *   warmharbor export-sites [--db PATH]
 *   warmharbor backup       [--db PATH] FILE
 *   warmharbor user add     [--admin] [--password PW] PHONE
 *   warmharbor token create [--days N] PHONE
 *
 * Signals: SIGTERM and SIGINT are blocked in every thread and taken with
 * sigwait() here, then the server stops gracefully.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "account/account.h"
#include "app/app.h"
#include "core/log.h"
#include "core/strbuf.h"
#include "demo/demo.h"
#include "http/router.h"
#include "http/server.h"
#include "site/site.h"
#include "store/store.h"

struct command {
    const char *name;
    int (*run)(struct config *cfg, int argc, char **argv);
    const char *usage;
    const char *help;
};

static const char *const common_options =
    "  --db PATH             database file, sqlite:PATH or postgres://... (env\n"
    "                        WARMHARBOR_DB; default warmharbor.db)\n";

static int cmd_serve(struct config *cfg, int argc, char **argv);
static int cmd_migrate(struct config *cfg, int argc, char **argv);
static int cmd_demo(struct config *cfg, int argc, char **argv);
static int cmd_import(struct config *cfg, int argc, char **argv);
static int cmd_export(struct config *cfg, int argc, char **argv);
static int cmd_backup(struct config *cfg, int argc, char **argv);
static int cmd_user(struct config *cfg, int argc, char **argv);
static int cmd_routes(struct config *cfg, int argc, char **argv);
static int cmd_token(struct config *cfg, int argc, char **argv);

static const struct command commands[] = {
    {"serve", cmd_serve, "warmharbor serve [--db PATH] [--listen ADDR:PORT] [--threads N]",
     "Serve the HTTP API, applying pending migrations first.\n"
     "  --listen ADDR:PORT    where to listen (env WARMHARBOR_LISTEN; default\n"
     "                        127.0.0.1:8080)\n"
     "  --threads N           worker threads (env WARMHARBOR_THREADS; default\n"
     "                        one per core)\n"
     "Environment: WARMHARBOR_SECRET_FILE (server key, made if missing; default\n"
     "warmharbor.key), WARMHARBOR_DEV=1 (one-time codes go to the log: for\n"
     "development and the demo only), WARMHARBOR_BODY_LIMIT (bytes, default 1048576),\n"
     "WARMHARBOR_CONN_TIMEOUT (seconds, default 30), WARMHARBOR_CONN_LIMIT\n"
     "(default 4096), WARMHARBOR_ACCESS_LOG (0 turns the access log off),\n"
     "WARMHARBOR_SHUTDOWN_GRACE (seconds to finish requests, default 10),\n"
     "WARMHARBOR_TRUSTED_PROXIES (proxies whose X-Forwarded-For names the client:\n"
     "addresses and CIDR ranges, default none), WARMHARBOR_CONN_PER_ADDRESS\n"
     "(default 64), WARMHARBOR_HEADER_TIMEOUT (seconds, default 10).\n"},
    {"migrate", cmd_migrate, "warmharbor migrate [--db PATH]",
     "Apply the embedded schema migrations that are not yet applied.\n"},
    {"demo", cmd_demo, "warmharbor demo [--db PATH]",
     "Migrate and load the Haizhou District demo data (regions, site types,\n"
     "amenities, sites, the holiday calendar). Demo rows are marked as demo;\n"
     "running it again replaces them and leaves other rows alone.\n"},
    {"import-sites", cmd_import, "warmharbor import-sites [--db PATH] FILE.csv",
     "Import sites from CSV (the columns of export-sites). Every row is\n"
     "checked first; nothing is imported unless every row is valid.\n"},
    {"export-sites", cmd_export, "warmharbor export-sites [--db PATH]",
     "Write every site as CSV on standard output.\n"},
    {"user", cmd_user, "warmharbor user add [--db PATH] [--admin] [--password PW] PHONE",
     "Add a person (or give an existing one a password). --admin makes them a\n"
     "system admin: the first admin is made this way. An admin without\n"
     "--password gets a generated one, printed once.\n"},
    {"token", cmd_token, "warmharbor token create [--db PATH] [--days N] PHONE",
     "Make a bearer token for an API client acting as PHONE (default 30 days).\n"
     "It is printed once; only its hash is stored.\n"},
    {"routes", cmd_routes, "warmharbor routes",
     "Print every route with who may call it, as JSON lines: the source of\n"
     "the authorization matrix test.\n"},
    {"backup", cmd_backup, "warmharbor backup [--db PATH] FILE",
     "Copy the SQLite database into FILE (which must not exist) while the\n"
     "service keeps running (SQLite's online backup). For PostgreSQL use\n"
     "pg_dump; see docs/operations.md.\n"},
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void usage_all(FILE *out)
{
    fputs("usage: warmharbor COMMAND [OPTIONS]\n\ncommands:\n", out);
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(out, "  %s\n", commands[i].usage);
    fputs("\n'warmharbor COMMAND --help' tells more.\n", out);
}

/* Parse the options shared by every command and the serve ones; leaves
 * positional arguments in argv[0..*argc). Returns 0, 1 for --help, -1. */
static int parse_options(struct config *cfg, int *argc, char **argv,
                         bool serve_options, bool pass_unknown)
{
    int out = 0;
    for (int i = 0; i < *argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)
            return 1;
        if (strcmp(a, "--db") == 0 && i + 1 < *argc) {
            cfg->db = argv[++i];
        } else if (serve_options && strcmp(a, "--listen") == 0 && i + 1 < *argc) {
            if (config_parse_listen(cfg, argv[++i])) {
                fprintf(stderr, "warmharbor: --listen wants ADDR:PORT, got %s\n", argv[i]);
                return -1;
            }
        } else if (serve_options && strcmp(a, "--threads") == 0 && i + 1 < *argc) {
            char *end;
            long n = strtol(argv[++i], &end, 10);
            if (*end || n < 1 || n > 256) {
                fprintf(stderr, "warmharbor: --threads wants 1..256\n");
                return -1;
            }
            cfg->threads = (int)n;
        } else if (a[0] == '-' && a[1] && !pass_unknown) {
            fprintf(stderr, "warmharbor: unknown option %s\n", a);
            return -1;
        } else {
            argv[out++] = argv[i];
        }
    }
    *argc = out;
    return 0;
}

static int open_app(struct app *app, struct config *cfg)
{
    char err[256];
    if (app_open(app, cfg, true, err, sizeof err)) {
        fprintf(stderr, "warmharbor: %s\n", err);
        return -1;
    }
    return 0;
}

static int cmd_serve(struct config *cfg, int argc, char **argv)
{
    (void)argv;
    if (argc) {
        fputs("warmharbor serve takes no arguments\n", stderr);
        return 2;
    }
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    struct app app;
    if (open_app(&app, cfg))
        return 1;
    char err[256];
    struct http_server *srv = http_server_start(&app, err, sizeof err);
    if (!srv) {
        fprintf(stderr, "warmharbor: %s\n", err);
        app_close(&app);
        return 1;
    }
    if (cfg->dev_mode)
        log_warn("WARMHARBOR_DEV is on: one-time codes are written to the log");
    int sig = 0;
    while (sigwait(&set, &sig) != 0 && errno == EINTR)
        ;
    log_info("signal %d: stopping", sig);
    http_server_stop(srv);
    app_close(&app);
    log_info("stopped");
    return 0;
}

static int cmd_migrate(struct config *cfg, int argc, char **argv)
{
    (void)argv;
    if (argc) {
        fputs("warmharbor migrate takes no arguments\n", stderr);
        return 2;
    }
    struct app app;
    if (open_app(&app, cfg))
        return 1;
    printf("schema version %d\n", store_schema_version(app.store));
    app_close(&app);
    return 0;
}

static int cmd_demo(struct config *cfg, int argc, char **argv)
{
    (void)argv;
    if (argc) {
        fputs("warmharbor demo takes no arguments\n", stderr);
        return 2;
    }
    struct app app;
    if (open_app(&app, cfg))
        return 1;
    struct demo_counts counts;
    int rc = demo_seed(&app, &counts);
    if (rc == 0)
        printf("demo data loaded into %s: %d regions, %d site types, %d amenities, "
               "%d sites, %d calendar days\n",
               cfg->db, counts.regions, counts.site_types, counts.amenities,
               counts.sites, counts.holidays);
    else
        fprintf(stderr, "warmharbor: loading the demo data failed\n");
    app_close(&app);
    return rc ? 1 : 0;
}

static int cmd_import(struct config *cfg, int argc, char **argv)
{
    if (argc != 1) {
        fputs("usage: warmharbor import-sites [--db PATH] FILE.csv\n", stderr);
        return 2;
    }
    FILE *f = fopen(argv[0], "rb");
    if (!f) {
        fprintf(stderr, "warmharbor: %s: %s\n", argv[0], strerror(errno));
        return 1;
    }
    struct strbuf sb = STRBUF_INIT;
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        strbuf_add(&sb, buf, n);
    fclose(f);
    struct app app;
    if (open_app(&app, cfg)) {
        strbuf_release(&sb);
        return 1;
    }
    int rc = site_import_cli(&app, sb.buf ? sb.buf : "", sb.len, stdout, stderr);
    strbuf_release(&sb);
    app_close(&app);
    return rc ? 1 : 0;
}

static int cmd_export(struct config *cfg, int argc, char **argv)
{
    (void)argv;
    if (argc) {
        fputs("warmharbor export-sites takes no arguments\n", stderr);
        return 2;
    }
    struct app app;
    if (open_app(&app, cfg))
        return 1;
    int rc = site_export_cli(&app, stdout);
    app_close(&app);
    return rc ? 1 : 0;
}

static int cmd_user(struct config *cfg, int argc, char **argv)
{
    if (argc < 1 || strcmp(argv[0], "add") != 0) {
        fputs("usage: warmharbor user add [--admin] [--password PW] PHONE\n", stderr);
        return 2;
    }
    struct app app;
    if (open_app(&app, cfg))
        return 1;
    int rc = account_cli_user_add(&app, argc - 1, argv + 1);
    app_close(&app);
    return rc;
}

static int cmd_token(struct config *cfg, int argc, char **argv)
{
    if (argc < 1 || strcmp(argv[0], "create") != 0) {
        fputs("usage: warmharbor token create [--days N] PHONE\n", stderr);
        return 2;
    }
    struct app app;
    if (open_app(&app, cfg))
        return 1;
    int rc = account_cli_token_create(&app, argc - 1, argv + 1);
    app_close(&app);
    return rc;
}

static int cmd_routes(struct config *cfg, int argc, char **argv)
{
    (void)cfg;
    (void)argv;
    if (argc) {
        fputs("warmharbor routes takes no arguments\n", stderr);
        return 2;
    }
    static const char *const scopes[] = {"any", "site", "region"};
    for (size_t i = 0; i < app_module_count; i++) {
        const struct module *m = app_modules[i];
        for (size_t k = 0; k < m->nroutes; k++) {
            const struct route *r = &m->routes[k];
            printf("{\"module\":\"%s\",\"method\":\"%s\",\"pattern\":\"%s\",\"roles\":[",
                   m->name, router_method_name(r->method), r->pattern);
            bool first = true;
            for (size_t b = 0; b < http_role_count; b++) {
                if (r->access & http_roles[b].bit) {
                    printf("%s\"%s\"", first ? "" : ",", http_roles[b].name);
                    first = false;
                }
            }
            printf("],\"public\":%s,\"scope\":\"%s\"}\n",
                   r->access == ACCESS_PUBLIC ? "true" : "false", scopes[r->scope]);
        }
    }
    return 0;
}

static int cmd_backup(struct config *cfg, int argc, char **argv)
{
    if (argc != 1) {
        fputs("usage: warmharbor backup [--db PATH] FILE\n", stderr);
        return 2;
    }
    if (access(argv[0], F_OK) == 0) {
        fprintf(stderr, "warmharbor: %s exists; a backup goes to a new file\n", argv[0]);
        return 1;
    }
    char err[256];
    struct store *s = store_open(cfg->db, err, sizeof err);
    if (!s) {
        fprintf(stderr, "warmharbor: %s\n", err);
        return 1;
    }
    int rc = store_backup(s, argv[0], err, sizeof err);
    store_close(s);
    if (rc) {
        fprintf(stderr, "warmharbor: %s\n", err);
        unlink(argv[0]);
        return 1;
    }
    printf("backed up to %s\n", argv[0]);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage_all(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const char *lvl = getenv("WARMHARBOR_LOG_LEVEL");
    if (lvl && strcmp(lvl, "debug") == 0)
        log_set_level(LOG_DEBUG);
    else if (lvl && strcmp(lvl, "warn") == 0)
        log_set_level(LOG_WARN);
    for (size_t i = 0; i < NCOMMANDS; i++) {
        if (strcmp(argv[1], commands[i].name) != 0)
            continue;
        struct config cfg;
        config_defaults(&cfg);
        int rest = argc - 2;
        int p = parse_options(&cfg, &rest, argv + 2, commands[i].run == cmd_serve,
                              commands[i].run == cmd_user || commands[i].run == cmd_token);
        if (p == 1) {
            printf("usage: %s\n\n%s%s", commands[i].usage, commands[i].help,
                   common_options);
            return 0;
        }
        if (p < 0)
            return 2;
        return commands[i].run(&cfg, rest, argv + 2);
    }
    fprintf(stderr, "warmharbor: unknown command %s\n", argv[1]);
    usage_all(stderr);
    return 2;
}
