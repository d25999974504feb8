/*
 * guard.h - what the server knows of each connection (its socket, its peer,
 * whether the peer is a trusted proxy, and so who a request's client is:
 * http/netaddr.h), and what one client may hold of the server: how many
 * connections one address may have open, and how long a request's headers
 * may take.
 *
 * The server tells the guard of every connection (opened, closed; the
 * record is the connection's socket context in libmicrohttpd) and of every
 * request on it (headers complete, answer done). Two rules follow:
 *
 *  - Connections per address (WARMHARBOR_CONN_PER_ADDRESS; 0: no limit).
 *    An IPv4 address, or an IPv6 /64 (one subscriber's usual share), may
 *    have that many connections open; the next is closed at once. Trusted
 *    proxies are exempt: every client behind one shares its address (limit
 *    per client in the proxy, see docs/operations.md). libmicrohttpd's own
 *    MHD_OPTION_PER_IP_CONNECTION_LIMIT cannot exempt anyone, hence this.
 *
 *  - A deadline for request headers (WARMHARBOR_HEADER_TIMEOUT seconds; 0:
 *    none). A request's headers must be complete within that time of the
 *    connection opening or, on a kept-alive connection, of the previous
 *    answer; otherwise the connection is shut down. libmicrohttpd's idle
 *    timeout restarts with every byte, so a client sending one byte now
 *    and then could hold a connection for ever; this deadline does not
 *    move. It also bounds how long a kept-alive connection waits idle.
 *    A thread checks the deadlines four times a second and shuts expired
 *    connections down (shutdown(2) on their socket); libmicrohttpd then
 *    sees the end of the stream and closes them as usual. Request bodies
 *    and answers are not under this deadline (event streams last hours).
 *
 * Thread-safe: libmicrohttpd calls in from all its worker threads.
 */
#ifndef WH_HTTP_GUARD_H
#define WH_HTTP_GUARD_H

#include <stdbool.h>
#include <stddef.h>

#include "http/netaddr.h"

struct sockaddr;
struct conn_guard;
struct guard_conn;

struct conn_guard_config {
    const char *trusted_proxies; /* net_set_parse text; NULL or "" for none */
    int per_address;             /* connections per address; 0 = no limit */
    int header_timeout_s;        /* 0 = no deadline */
};

/* NULL with a message in err when the trusted proxies do not parse or the
 * thread cannot start. */
struct conn_guard *conn_guard_new(const struct conn_guard_config *cfg, char *err, size_t errlen);
/* Only once no connection is left (after the daemon stopped). NULL is fine. */
void conn_guard_free(struct conn_guard *g);

/* A connection was accepted: its socket and peer. Returns its record (the
 * connection's socket context); if the peer is over its limit the socket
 * is already shut down, and the record must still be closed. */
struct guard_conn *conn_guard_opened(struct conn_guard *g, int fd, const struct sockaddr *peer);
/* The connection is closed (before its socket is). NULL is fine. */
void conn_guard_closed(struct guard_conn *c);
/* A request's headers are complete: no deadline while it is served. */
void conn_guard_request_started(struct guard_conn *c);
/* A request is done: the next one's headers are due within the timeout. */
void conn_guard_request_ended(struct guard_conn *c);

/* The peer of the connection (the socket's other end), and whether it is
 * a trusted proxy. */
const struct net_addr *conn_guard_peer(const struct guard_conn *c);
bool conn_guard_peer_trusted(const struct guard_conn *c);
/* The client of a request on the connection, given its X-Forwarded-For
 * (all of them joined by commas, or NULL) and X-Real-IP (or NULL): see
 * net_client_address. */
void conn_guard_client(const struct guard_conn *c, const char *forwarded_for, const char *real_ip,
                       struct net_addr *client);

#endif
