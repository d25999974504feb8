/*
 * netaddr.h - client addresses: parsing, sets of addresses and CIDR ranges
 * (the trusted proxies), and finding the client behind a chain of proxies.
 *
 * Behind a reverse proxy every request comes from the proxy's address, so
 * per-address rate limits would lock out everyone at once. A proxy that is
 * trusted (WARMHARBOR_TRUSTED_PROXIES) says who its client was in
 * X-Forwarded-For (each proxy appends the address it saw) or X-Real-IP; a
 * peer that is not trusted can write anything there, so its headers are
 * ignored.
 *
 * IPv4-mapped IPv6 addresses (::ffff:a.b.c.d, what a dual-stack socket
 * reports for an IPv4 client) are taken as the IPv4 address everywhere.
 * libc only.
 */
#ifndef WH_HTTP_NETADDR_H
#define WH_HTTP_NETADDR_H

#include <stdbool.h>
#include <stddef.h>

struct sockaddr;

struct net_addr {
    int family;          /* 4 or 6 */
    unsigned char b[16]; /* IPv4 in b[0..3], the rest zero */
};

/* Room for any address as text, with its terminator. */
#define NET_ADDR_TEXT 46

/* The address in s[0..len): "192.0.2.1", "2001:db8::1", or either with a
 * port ("192.0.2.1:443", "[2001:db8::1]:443") or brackets ("[::1]"),
 * space and tab around it ignored. 0, or -1 if it is anything else
 * (names, "unknown", zone ids, empty). */
int net_addr_parse(const char *s, size_t len, struct net_addr *out);

/* From a socket address (AF_INET or AF_INET6). 0 or -1. */
int net_addr_from_sockaddr(const struct sockaddr *sa, struct net_addr *out);

/* As text into buf (at least NET_ADDR_TEXT bytes): "192.0.2.1", "2001:db8::1". */
void net_addr_format(const struct net_addr *a, char *buf, size_t len);

/* The same address; or, with bits < the address length, the same leading
 * bits (a CIDR prefix). */
bool net_addr_prefix_equal(const struct net_addr *a, const struct net_addr *b, int bits);

/* Addresses and CIDR ranges. */
struct net_range {
    struct net_addr addr; /* host bits cleared */
    int bits;             /* prefix length: 0..32 for IPv4, 0..128 for IPv6 */
};

struct net_set {
    struct net_range *ranges; /* malloc'ed */
    size_t count;
};

/* "192.0.2.7, 10.0.0.0/8, 2001:db8::/32, ::1": addresses and ranges,
 * separated by commas and/or spaces; empty text is the empty set. Host
 * bits under a prefix are ignored (10.1.2.3/8 is 10.0.0.0/8). 0, or -1
 * with the entry at fault in err. */
int net_set_parse(const char *text, struct net_set *set, char *err, size_t errlen);
void net_set_free(struct net_set *set);
bool net_set_contains(const struct net_set *set, const struct net_addr *a);

/*
 * The request's client. If peer (the socket's other end) is not in
 * trusted, it is peer. Otherwise, from X-Forwarded-For (forwarded_for:
 * every such header's value, joined by commas, or NULL): walking from the
 * right, the first address that is not itself a trusted proxy (if all
 * are, the left-most); without X-Forwarded-For, X-Real-IP (real_ip, or
 * NULL); without either, peer. A malformed value (an entry that is not an
 * address, an empty entry) gives peer: a trusted proxy never sends one.
 */
void net_client_address(const struct net_set *trusted, const struct net_addr *peer,
                        const char *forwarded_for, const char *real_ip, struct net_addr *client);

#endif
