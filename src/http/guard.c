/*
 * guard.c - connections per address. See guard.h.
 *
 * Counts per address live in a small hash table under the guard's lock.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/arena.h"
#include "core/log.h"
#include "http/guard.h"

#define GUARD_BUCKETS 1024

struct addr_count {
    struct net_addr key; /* IPv4 address, or IPv6 /64 */
    int open;
    bool reported; /* a warning went out since it was last under the limit */
    struct addr_count *next;
};

struct guard_conn {
    struct conn_guard *g;
    struct addr_count *count; /* NULL: not counted (trusted, or no limit) */
    struct net_addr peer;
    int fd;
    bool trusted;
};

struct conn_guard {
    pthread_mutex_t lock;
    struct addr_count *buckets[GUARD_BUCKETS];
    struct net_set trusted;
    int per_address;
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

/* ---- the guard ------------------------------------------------------- */

struct conn_guard *conn_guard_new(const struct conn_guard_config *cfg, char *err,
                                  size_t errlen)
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
    pthread_mutex_init(&g->lock, NULL);
    return g;
}

void conn_guard_free(struct conn_guard *g)
{
    if (!g)
        return;
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
    if (!g->per_address || c->trusted || !c->peer.family)
        return c;
    pthread_mutex_lock(&g->lock);
    c->count = count_up(g, &c->peer);
    if (c->count->open > g->per_address) {
        shutdown(fd, SHUT_RDWR); /* libmicrohttpd then closes it */
        if (!c->count->reported) {
            char text[NET_ADDR_TEXT];
            net_addr_format(&c->peer, text, sizeof text);
            log_warn("%s%s has %d connections open; more are refused", text,
                     c->peer.family == 6 ? " (its /64)" : "", g->per_address);
            c->count->reported = true;
        }
    }
    pthread_mutex_unlock(&g->lock);
    return c;
}

void conn_guard_closed(struct guard_conn *c)
{
    if (!c)
        return;
    if (c->count) {
        pthread_mutex_lock(&c->g->lock);
        count_down(c->g, c->count);
        pthread_mutex_unlock(&c->g->lock);
    }
    free(c);
}

const struct net_addr *conn_guard_peer(const struct guard_conn *c)
{
    return &c->peer;
}

bool conn_guard_peer_trusted(const struct guard_conn *c)
{
    return c && c->trusted;
}

void conn_guard_client(const struct guard_conn *c, const char *forwarded_for,
                       const char *real_ip, struct net_addr *client)
{
    net_client_address(&c->g->trusted, &c->peer, forwarded_for, real_ip, client);
}
