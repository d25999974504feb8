/*
 * guard.c - a record of every open connection. See guard.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "http/guard.h"

struct guard_conn {
    struct conn_guard *g;
    struct net_addr peer;
    int fd;
    bool trusted;
};

struct conn_guard {
    struct net_set trusted;
};

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
    return g;
}

void conn_guard_free(struct conn_guard *g)
{
    if (!g)
        return;
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
    return c;
}

void conn_guard_closed(struct guard_conn *c)
{
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
