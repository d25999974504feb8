/*
 * guard.c - connections per address and the request-header deadline.
 * See guard.h.
 *
 * Every open connection is on one list (under the guard's lock) with its
 * deadline; counts per address live in a small hash table under the same
 * lock. The watchdog thread walks the list and shuts down the sockets of
 * connections past their deadline. The socket stays valid while its record
 * is on the list: libmicrohttpd reports a connection closed before it
 * closes the socket, and the record leaves the list then.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "core/arena.h"
#include "core/clock.h"
#include "core/log.h"
#include "http/guard.h"

#define GUARD_BUCKETS 1024
#define GUARD_TICK_US 250000           /* how often the deadlines are checked */
#define GUARD_REPORT_US (60 * 1000000) /* at most one log line a minute about them */

struct addr_count {
    struct net_addr key; /* IPv4 address, or IPv6 /64 */
    int open;
    bool reported; /* a warning went out since it was last under the limit */
    struct addr_count *next;
};

struct guard_conn {
    struct conn_guard *g;
    struct guard_conn *prev, *next;
    struct addr_count *count; /* NULL: not counted (trusted, or no limit) */
    struct net_addr peer;
    int fd;
    bool trusted;
    bool cut;                    /* shut down by the guard */
    _Atomic int64_t deadline_us; /* 0: none (a request is being served) */
};

struct conn_guard {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    struct guard_conn *conns;
    struct addr_count *buckets[GUARD_BUCKETS];
    struct net_set trusted;
    int per_address;
    int64_t header_timeout_us;
    bool stopping;
    bool has_thread;
    pthread_t thread;
    long expired_unreported;
    int64_t last_report_us;
};

/* ---- counts per address ------------------------------------------- */

static struct net_addr count_key(const struct net_addr *a)
{
    struct net_addr k = *a;
    if (k.family == 6)
        memset(k.b + 8, 0, 8); /* one /64 */
    return k;
}

static size_t bucket_of(const struct net_addr *k)
{
    uint32_t h = 2166136261u ^ (uint32_t)k->family;
    for (int i = 0; i < 16; i++)
        h = (h ^ k->b[i]) * 16777619u;
    return h % GUARD_BUCKETS;
}

/* Count one more connection from a; returns its counter (lock held). */
static struct addr_count *count_up(struct conn_guard *g, const struct net_addr *a)
{
    struct net_addr k = count_key(a);
    struct addr_count **head = &g->buckets[bucket_of(&k)];
    struct addr_count *e = *head;
    while (e && (e->key.family != k.family || memcmp(e->key.b, k.b, 16) != 0))
        e = e->next;
    if (!e) {
        e = calloc(1, sizeof(*e));
        if (!e)
            die_oom();
        e->key = k;
        e->next = *head;
        *head = e;
    }
    e->open++;
    return e;
}

static void count_down(struct conn_guard *g, struct addr_count *e)
{
    if (--e->open > 0) {
        if (e->open < g->per_address)
            e->reported = false;
        return;
    }
    struct addr_count **p = &g->buckets[bucket_of(&e->key)];
    while (*p != e)
        p = &(*p)->next;
    *p = e->next;
    free(e);
}

/* ---- the deadline watchdog ----------------------------------------- */

static void *watch(void *arg)
{
    struct conn_guard *g = arg;
    pthread_mutex_lock(&g->lock);
    while (!g->stopping) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        ts.tv_nsec += GUARD_TICK_US * 1000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&g->wake, &g->lock, &ts);
        if (g->stopping)
            break;
        int64_t now = clock_mono_us();
        for (struct guard_conn *c = g->conns; c; c = c->next) {
            int64_t due = atomic_load(&c->deadline_us);
            if (due && now >= due && !c->cut) {
                shutdown(c->fd, SHUT_RDWR);
                c->cut = true;
                g->expired_unreported++;
            }
        }
        if (g->expired_unreported && now - g->last_report_us >= GUARD_REPORT_US) {
            log_info("closed %ld connections whose request headers were not complete within "
                     "%lld s",
                     g->expired_unreported, (long long)(g->header_timeout_us / 1000000));
            g->expired_unreported = 0;
            g->last_report_us = now;
        }
    }
    pthread_mutex_unlock(&g->lock);
    return NULL;
}

/* ---- the guard ------------------------------------------------------- */

struct conn_guard *conn_guard_new(const struct conn_guard_config *cfg, char *err, size_t errlen)
{
    struct conn_guard *g = calloc(1, sizeof(*g));
    if (!g)
        die_oom();
    char why[160];
    if (net_set_parse(cfg->trusted_proxies, &g->trusted, why, sizeof why)) {
        snprintf(err, errlen, "WARMHARBOR_TRUSTED_PROXIES: %s", why);
        free(g);
        return NULL;
    }
    g->per_address = cfg->per_address > 0 ? cfg->per_address : 0;
    g->header_timeout_us = cfg->header_timeout_s > 0 ? (int64_t)cfg->header_timeout_s * 1000000 : 0;
    pthread_mutex_init(&g->lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&g->wake, &ca);
    pthread_condattr_destroy(&ca);
    if (g->header_timeout_us) {
        if (pthread_create(&g->thread, NULL, watch, g) != 0) {
            snprintf(err, errlen, "cannot start the connection watchdog thread");
            conn_guard_free(g);
            return NULL;
        }
        g->has_thread = true;
    }
    return g;
}

void conn_guard_free(struct conn_guard *g)
{
    if (!g)
        return;
    if (g->has_thread) {
        pthread_mutex_lock(&g->lock);
        g->stopping = true;
        pthread_cond_signal(&g->wake);
        pthread_mutex_unlock(&g->lock);
        pthread_join(g->thread, NULL);
    }
    /* The daemon has closed every connection; whatever is left was never
     * reported closed. */
    while (g->conns)
        conn_guard_closed(g->conns);
    pthread_cond_destroy(&g->wake);
    pthread_mutex_destroy(&g->lock);
    net_set_free(&g->trusted);
    free(g);
}

struct guard_conn *conn_guard_opened(struct conn_guard *g, int fd, const struct sockaddr *peer)
{
    struct guard_conn *c = calloc(1, sizeof(*c));
    if (!c)
        die_oom();
    c->g = g;
    c->fd = fd;
    if (net_addr_from_sockaddr(peer, &c->peer) == 0)
        c->trusted = net_set_contains(&g->trusted, &c->peer);
    if (g->header_timeout_us)
        atomic_store(&c->deadline_us, clock_mono_us() + g->header_timeout_us);
    pthread_mutex_lock(&g->lock);
    c->next = g->conns;
    if (g->conns)
        g->conns->prev = c;
    g->conns = c;
    if (g->per_address && !c->trusted && c->peer.family) {
        c->count = count_up(g, &c->peer);
        if (c->count->open > g->per_address) {
            shutdown(fd, SHUT_RDWR);
            c->cut = true;
            if (!c->count->reported) {
                char text[NET_ADDR_TEXT];
                net_addr_format(&c->peer, text, sizeof text);
                log_warn("%s%s has %d connections open; more are refused", text,
                         c->peer.family == 6 ? " (its /64)" : "", g->per_address);
                c->count->reported = true;
            }
        }
    }
    pthread_mutex_unlock(&g->lock);
    return c;
}

void conn_guard_closed(struct guard_conn *c)
{
    if (!c)
        return;
    struct conn_guard *g = c->g;
    pthread_mutex_lock(&g->lock);
    if (c->prev)
        c->prev->next = c->next;
    else
        g->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    if (c->count)
        count_down(g, c->count);
    pthread_mutex_unlock(&g->lock);
    free(c);
}

void conn_guard_request_started(struct guard_conn *c)
{
    if (c)
        atomic_store(&c->deadline_us, 0);
}

void conn_guard_request_ended(struct guard_conn *c)
{
    if (c && c->g->header_timeout_us)
        atomic_store(&c->deadline_us, clock_mono_us() + c->g->header_timeout_us);
}

const struct net_addr *conn_guard_peer(const struct guard_conn *c)
{
    return &c->peer;
}

bool conn_guard_peer_trusted(const struct guard_conn *c)
{
    return c && c->trusted;
}

void conn_guard_client(const struct guard_conn *c, const char *forwarded_for, const char *real_ip,
                       struct net_addr *client)
{
    net_client_address(&c->g->trusted, &c->peer, forwarded_for, real_ip, client);
}
