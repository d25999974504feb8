/*
 * netaddr.c - addresses, CIDR sets and the client behind trusted proxies.
 * See netaddr.h.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/arena.h"
#include "http/netaddr.h"

static const unsigned char v4_mapped_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

/* ::ffff:a.b.c.d is a.b.c.d. */
static void unmap(struct net_addr *a)
{
    if (a->family == 6 && memcmp(a->b, v4_mapped_prefix, 12) == 0) {
        memmove(a->b, a->b + 12, 4);
        memset(a->b + 4, 0, 12);
        a->family = 4;
    }
}

/* An address alone (no brackets, no port), NUL-terminated. */
static int parse_plain(const char *s, struct net_addr *out)
{
    memset(out, 0, sizeof(*out));
    if (strchr(s, ':')) {
        if (inet_pton(AF_INET6, s, out->b) != 1)
            return -1;
        out->family = 6;
        unmap(out);
        return 0;
    }
    if (inet_pton(AF_INET, s, out->b) != 1)
        return -1;
    out->family = 4;
    return 0;
}

static int parse_port(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > 5 || strspn(s, "0123456789") != n)
        return -1;
    return atoi(s) <= 65535 ? 0 : -1;
}

int net_addr_parse(const char *s, size_t len, struct net_addr *out)
{
    while (len && (*s == ' ' || *s == '\t'))
        s++, len--;
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    char buf[64];
    if (!len || len >= sizeof buf || memchr(s, '\0', len))
        return -1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    if (buf[0] == '[') { /* [v6] or [v6]:port */
        char *close = strchr(buf, ']');
        if (!close || (close[1] && (close[1] != ':' || parse_port(close + 2))))
            return -1;
        *close = '\0';
        return strchr(buf + 1, ':') ? parse_plain(buf + 1, out) : -1;
    }
    char *colon = strchr(buf, ':');
    if (colon && !strchr(colon + 1, ':')) { /* v4:port */
        *colon = '\0';
        if (parse_port(colon + 1))
            return -1;
    }
    return parse_plain(buf, out);
}

int net_addr_from_sockaddr(const struct sockaddr *sa, struct net_addr *out)
{
    memset(out, 0, sizeof(*out));
    if (!sa)
        return -1;
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *a4 = (const struct sockaddr_in *)(const void *)sa;
        memcpy(out->b, &a4->sin_addr, 4);
        out->family = 4;
        return 0;
    }
    if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *a6 = (const struct sockaddr_in6 *)(const void *)sa;
        memcpy(out->b, &a6->sin6_addr, 16);
        out->family = 6;
        unmap(out);
        return 0;
    }
    return -1;
}

void net_addr_format(const struct net_addr *a, char *buf, size_t len)
{
    if (!len)
        return;
    buf[0] = '\0';
    if (!inet_ntop(a->family == 4 ? AF_INET : AF_INET6, a->b, buf, (socklen_t)len))
        buf[0] = '\0';
}

bool net_addr_prefix_equal(const struct net_addr *a, const struct net_addr *b, int bits)
{
    if (a->family != b->family)
        return false;
    int max = a->family == 4 ? 32 : 128;
    if (bits > max || bits < 0)
        bits = max;
    int whole = bits / 8, rest = bits % 8;
    if (memcmp(a->b, b->b, (size_t)whole) != 0)
        return false;
    if (!rest)
        return true;
    unsigned char mask = (unsigned char)(0xff << (8 - rest));
    return (a->b[whole] & mask) == (b->b[whole] & mask);
}

static void clear_host_bits(struct net_addr *a, int bits)
{
    int max = a->family == 4 ? 4 : 16;
    for (int i = 0; i < max; i++) {
        int keep = bits - i * 8;
        if (keep <= 0)
            a->b[i] = 0;
        else if (keep < 8)
            a->b[i] &= (unsigned char)(0xff << (8 - keep));
    }
}

/* One entry of the set: "addr" or "addr/bits". 0 or -1. */
static int parse_range(const char *entry, struct net_range *r)
{
    char buf[64];
    size_t n = strlen(entry);
    if (n >= sizeof buf)
        return -1;
    memcpy(buf, entry, n + 1);
    char *slash = strchr(buf, '/');
    long bits = -1;
    if (slash) {
        *slash = '\0';
        size_t digits = strspn(slash + 1, "0123456789");
        if (digits < 1 || digits > 3 || slash[1 + digits])
            return -1;
        bits = strtol(slash + 1, NULL, 10);
    }
    /* A mapped prefix (::ffff:10.0.0.0/104) becomes an IPv4 one; parse
     * it as IPv6 first to know how long it was. */
    memset(r, 0, sizeof(*r));
    bool mapped = false;
    if (strchr(buf, ':')) {
        if (inet_pton(AF_INET6, buf, r->addr.b) != 1)
            return -1;
        r->addr.family = 6;
        mapped = memcmp(r->addr.b, v4_mapped_prefix, 12) == 0;
    } else if (inet_pton(AF_INET, buf, r->addr.b) == 1) {
        r->addr.family = 4;
    } else {
        return -1;
    }
    int max = r->addr.family == 4 ? 32 : 128;
    if (bits > max)
        return -1;
    if (mapped && (bits < 0 || bits >= 96)) {
        unmap(&r->addr);
        bits = bits < 0 ? -1 : bits - 96;
        max = 32;
    }
    r->bits = bits < 0 ? max : (int)bits;
    clear_host_bits(&r->addr, r->bits);
    return 0;
}

int net_set_parse(const char *text, struct net_set *set, char *err, size_t errlen)
{
    set->ranges = NULL;
    set->count = 0;
    size_t cap = 0;
    const char *p = text ? text : "";
    for (;;) {
        p += strspn(p, ", \t");
        if (!*p)
            return 0;
        size_t n = strcspn(p, ", \t");
        char entry[64];
        if (n >= sizeof entry) {
            snprintf(err, errlen, "\"%.40s...\" is not an address or a CIDR range", p);
            net_set_free(set);
            return -1;
        }
        memcpy(entry, p, n);
        entry[n] = '\0';
        if (set->count == cap) {
            cap = cap ? cap * 2 : 8;
            set->ranges = realloc(set->ranges, cap * sizeof(*set->ranges));
            if (!set->ranges)
                die_oom();
        }
        if (parse_range(entry, &set->ranges[set->count])) {
            snprintf(err, errlen, "\"%s\" is not an address or a CIDR range", entry);
            net_set_free(set);
            return -1;
        }
        set->count++;
        p += n;
    }
}

void net_set_free(struct net_set *set)
{
    free(set->ranges);
    set->ranges = NULL;
    set->count = 0;
}

bool net_set_contains(const struct net_set *set, const struct net_addr *a)
{
    for (size_t i = 0; set && i < set->count; i++)
        if (net_addr_prefix_equal(&set->ranges[i].addr, a, set->ranges[i].bits))
            return true;
    return false;
}

void net_client_address(const struct net_set *trusted, const struct net_addr *peer,
                        const char *forwarded_for, const char *real_ip, struct net_addr *client)
{
    *client = *peer;
    if (!net_set_contains(trusted, peer))
        return;
    struct net_addr a;
    if (forwarded_for) {
        const char *end = forwarded_for + strlen(forwarded_for);
        for (;;) {
            const char *comma = memrchr(forwarded_for, ',', (size_t)(end - forwarded_for));
            const char *start = comma ? comma + 1 : forwarded_for;
            if (net_addr_parse(start, (size_t)(end - start), &a))
                return; /* malformed: the peer */
            if (!comma || !net_set_contains(trusted, &a)) {
                *client = a;
                return;
            }
            end = comma;
        }
    }
    if (real_ip && net_addr_parse(real_ip, strlen(real_ip), &a) == 0)
        *client = a;
}
