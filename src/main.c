/*
 * main.c - the warmharbor command line: argv and environment -> config ->
 * store -> migrations -> modules -> serve (or a one-shot command).
 *
 *   warmharbor serve        [--db PATH] [--listen ADDR:PORT] [--threads N]
 *   warmharbor migrate      [--db PATH]
 *   warmharbor demo         [--db PATH]
 *   warmharbor routes
 *   warmharbor backup       [--db PATH] FILE
 * and every command a module declares (struct module_command), e.g.
 * import-sites and export-sites (site), user and token (account).
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

#include "app/app.h"
#include "core/log.h"
#include "core/strbuf.h"
#include "demo/demo.h"
#include "http/router.h"
#include "http/server.h"
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
static int cmd_backup(struct config *cfg, int argc, char **argv);
static int cmd_routes(struct config *cfg, int argc, char **argv);

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
    for (size_t i = 0; i < app_module_count; i++)
        for (size_t k = 0; k < app_modules[i]->ncommands; k++)
            fprintf(out, "  %s\n", app_modules[i]->commands[k].usage);
    fputs("\n'warmharbor COMMAND --help' tells more.\n", out);
}

/* Parse the options shared by every command and the serve ones; leaves
 * positional arguments in argv[0..*argc). Returns 0, 1 for --help, -1. */
static int parse_options(struct config *cfg, int *argc, char **argv, bool serve_options,
                         bool pass_unknown)
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
    struct http_server_opts opts;
    app_server_options(&app, &opts);
    struct http_server *srv = http_server_start(&opts, err, sizeof err);
    if (!srv) {
        fprintf(stderr, "warmharbor: %s\n", err);
        app_close(&app);
        return 1;
    }
    if (app_start_ticker(&app))
        log_warn("timed work will not run: no thread for it");
    if (cfg->dev_mode)
        log_warn("WARMHARBOR_DEV is on: one-time codes are written to the log");
    if (cfg->test_clock)
        log_warn("WARMHARBOR_TEST_CLOCK is on: system admins may move the clock");
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

struct module_demo {
    struct app *app;
    const struct module *m;
    int made;
};

static int run_module_demo(struct store_conn *c, void *v)
{
    struct module_demo *d = v;
    return d->m->demo(d->app, c, &d->made);
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
               cfg->db, counts.regions, counts.site_types, counts.amenities, counts.sites,
               counts.holidays);
    else
        fprintf(stderr, "warmharbor: loading the demo data failed\n");
    for (size_t i = 0; rc == 0 && i < app_module_count; i++) {
        const struct module *m = app_modules[i];
        if (!m->demo)
            continue;
        struct store_conn *c = store_acquire(app.store);
        struct module_demo d = {&app, m, 0};
        int src = c ? store_tx(c, run_module_demo, &d) : STORE_BUSY;
        int made = d.made;
        store_release(c);
        if (src != STORE_OK) {
            fprintf(stderr, "warmharbor: the %s demo data failed (store result %d)\n", m->name,
                    src);
            rc = -1;
        } else {
            printf("demo data for %s: %d\n", m->name, made);
        }
    }
    app_close(&app);
    return rc ? 1 : 0;
}

static int cmd_routes(struct config *cfg, int argc, char **argv)
{
    (void)cfg;
    (void)argv;
    if (argc) {
        fputs("warmharbor routes takes no arguments\n", stderr);
        return 2;
    }
    for (size_t i = 0; i < app_module_count; i++) {
        const struct module *m = app_modules[i];
        for (size_t k = 0; k < m->nroutes; k++) {
            const struct route *r = &m->routes[k];
            printf("{\"module\":\"%s\",\"method\":\"%s\",\"pattern\":\"%s\",\"roles\":[", m->name,
                   router_method_name(r->method), r->pattern);
            bool first = true;
            for (size_t b = 0; b < http_role_count; b++) {
                if (r->access & http_roles[b].bit) {
                    printf("%s\"%s\"", first ? "" : ",", http_roles[b].name);
                    first = false;
                }
            }
            printf("],\"public\":%s,\"scope\":\"%s\"}\n",
                   r->access == ACCESS_PUBLIC ? "true" : "false",
                   r->scope ? r->scope->name : "any");
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
        int p = parse_options(&cfg, &rest, argv + 2, commands[i].run == cmd_serve, false);
        if (p == 1) {
            printf("usage: %s\n\n%s%s", commands[i].usage, commands[i].help, common_options);
            return 0;
        }
        if (p < 0)
            return 2;
        return commands[i].run(&cfg, rest, argv + 2);
    }
    for (size_t i = 0; i < app_module_count; i++) {
        for (size_t k = 0; k < app_modules[i]->ncommands; k++) {
            const struct module_command *mc = &app_modules[i]->commands[k];
            if (strcmp(argv[1], mc->name) != 0)
                continue;
            struct config cfg;
            config_defaults(&cfg);
            int rest = argc - 2;
            int p = parse_options(&cfg, &rest, argv + 2, false, mc->pass_options);
            if (p == 1) {
                printf("usage: %s\n\n%s%s", mc->usage, mc->help, common_options);
                return 0;
            }
            if (p < 0)
                return 2;
            struct app app;
            if (open_app(&app, &cfg))
                return 1;
            int rc = mc->run(&app, rest, argv + 2);
            app_close(&app);
            return rc;
        }
    }
    fprintf(stderr, "warmharbor: unknown command %s\n", argv[1]);
    usage_all(stderr);
    return 2;
}
