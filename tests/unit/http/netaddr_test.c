/*
 * netaddr_test.c - unit tests for src/http/netaddr.c: address parsing (with
 * ports, brackets, mapped IPv4), the trusted-proxy set (CIDR ranges, bad
 * entries) and the client behind a chain of proxies.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "http/netaddr.h"
#include "test.h"

/* The address s parses to, as text ("" if it does not parse). */
static const char *parsed(const char *s)
{
    static char buf[NET_ADDR_TEXT];
    struct net_addr a;
    if (net_addr_parse(s, strlen(s), &a))
        return "";
    net_addr_format(&a, buf, sizeof buf);
    return buf;
}

static void test_parse(void)
{
    CHECK_STR(parsed("192.0.2.1"), "192.0.2.1");
    CHECK_STR(parsed("  192.0.2.1\t"), "192.0.2.1");
    CHECK_STR(parsed("192.0.2.1:8080"), "192.0.2.1");
    CHECK_STR(parsed("2001:db8::1"), "2001:db8::1");
    CHECK_STR(parsed("2001:DB8:0:0:0:0:0:1"), "2001:db8::1");
    CHECK_STR(parsed("[2001:db8::1]"), "2001:db8::1");
    CHECK_STR(parsed("[2001:db8::1]:443"), "2001:db8::1");
    CHECK_STR(parsed("::ffff:192.0.2.1"), "192.0.2.1");
    CHECK_STR(parsed("[::ffff:192.0.2.1]:1"), "192.0.2.1");
    CHECK_STR(parsed("::1"), "::1");
    static const char *const bad[] = {"",
                                      " ",
                                      "unknown",
                                      "localhost",
                                      "192.0.2",
                                      "192.0.2.1.5",
                                      "256.0.0.1",
                                      "192.0.2.01",
                                      "192.0.2.1:",
                                      "192.0.2.1:99999",
                                      "192.0.2.1:8a",
                                      "192.0.2.1 192.0.2.2",
                                      "[192.0.2.1]",
                                      "[2001:db8::1",
                                      "2001:db8::1]",
                                      "[2001:db8::1]x",
                                      "[2001:db8::1]:",
                                      "fe80::1%eth0",
                                      "_gazonk",
                                      "1.2.3.4, 5.6.7.8",
                                      NULL};
    for (int i = 0; bad[i]; i++) {
        struct net_addr a;
        if (net_addr_parse(bad[i], strlen(bad[i]), &a) == 0) {
            fprintf(stderr, "  \"%s\" parsed\n", bad[i]);
            CHECK(0);
        }
    }
    /* only len bytes are read */
    struct net_addr a;
    CHECK_INT(net_addr_parse("10.0.0.1, 10.0.0.2", 8, &a), 0);
    char buf[NET_ADDR_TEXT];
    net_addr_format(&a, buf, sizeof buf);
    CHECK_STR(buf, "10.0.0.1");
}

static void test_sockaddr(void)
{
    struct sockaddr_in6 s6;
    memset(&s6, 0, sizeof s6);
    s6.sin6_family = AF_INET6;
    inet_pton(AF_INET6, "::ffff:203.0.113.9", &s6.sin6_addr);
    struct net_addr a;
    char buf[NET_ADDR_TEXT];
    CHECK_INT(net_addr_from_sockaddr((struct sockaddr *)&s6, &a), 0);
    CHECK_INT(a.family, 4);
    net_addr_format(&a, buf, sizeof buf);
    CHECK_STR(buf, "203.0.113.9");
    struct sockaddr_in s4;
    memset(&s4, 0, sizeof s4);
    s4.sin_family = AF_INET;
    inet_pton(AF_INET, "127.0.0.1", &s4.sin_addr);
    CHECK_INT(net_addr_from_sockaddr((struct sockaddr *)&s4, &a), 0);
    net_addr_format(&a, buf, sizeof buf);
    CHECK_STR(buf, "127.0.0.1");
    CHECK_INT(net_addr_from_sockaddr(NULL, &a), -1);
}

static bool in_set(const struct net_set *set, const char *s)
{
    struct net_addr a;
    return net_addr_parse(s, strlen(s), &a) == 0 && net_set_contains(set, &a);
}

static void test_set(void)
{
    struct net_set set;
    char err[200];
    CHECK_INT(net_set_parse("10.0.0.0/8, 192.0.2.7 2001:db8:1::/48,::1,,"
                            "172.16.5.4/12\t::ffff:100.64.0.0/106",
                            &set, err, sizeof err),
              0);
    CHECK_INT(set.count, 6);
    CHECK(in_set(&set, "10.255.1.2"));
    CHECK(!in_set(&set, "11.0.0.1"));
    CHECK(in_set(&set, "192.0.2.7"));
    CHECK(!in_set(&set, "192.0.2.8"));
    CHECK(in_set(&set, "2001:db8:1:ffff::5"));
    CHECK(!in_set(&set, "2001:db8:2::5"));
    CHECK(in_set(&set, "::1"));
    CHECK(!in_set(&set, "::2"));
    CHECK(in_set(&set, "172.31.255.255")); /* host bits of 172.16.5.4/12 ignored */
    CHECK(!in_set(&set, "172.32.0.0"));
    CHECK(in_set(&set, "100.127.0.1")); /* the mapped /106 is 100.64.0.0/10 */
    CHECK(!in_set(&set, "100.128.0.1"));
    CHECK(in_set(&set, "::ffff:10.1.1.1")); /* mapped addresses are IPv4 */
    net_set_free(&set);

    CHECK_INT(net_set_parse("", &set, err, sizeof err), 0);
    CHECK_INT(set.count, 0);
    CHECK(!in_set(&set, "127.0.0.1"));
    CHECK_INT(net_set_parse(NULL, &set, err, sizeof err), 0);
    CHECK_INT(net_set_parse("0.0.0.0/0", &set, err, sizeof err), 0);
    CHECK(in_set(&set, "8.8.8.8"));
    CHECK(!in_set(&set, "2001:db8::1"));
    net_set_free(&set);

    static const char *const bad[] = {
        "10.0.0.0/33",    "2001:db8::/129", "10.0.0.0/", "10.0.0.0/-1",  "10.0.0.0/8/8",
        "nginx.internal", "10.0.0.1:80",    "[::1]",     "10.0.0.0/0x8", NULL};
    for (int i = 0; bad[i]; i++) {
        char text[80];
        snprintf(text, sizeof text, "127.0.0.1, %s", bad[i]);
        err[0] = '\0';
        CHECK_INT(net_set_parse(text, &set, err, sizeof err), -1);
        CHECK(strstr(err, bad[i]) != NULL);
        CHECK(set.ranges == NULL && set.count == 0);
    }
}

/* The client for these headers from this peer, as text. */
static const char *client(const struct net_set *trusted, const char *peer, const char *xff,
                          const char *real_ip)
{
    static char buf[NET_ADDR_TEXT];
    struct net_addr p, c;
    net_addr_parse(peer, strlen(peer), &p);
    net_client_address(trusted, &p, xff, real_ip, &c);
    net_addr_format(&c, buf, sizeof buf);
    return buf;
}

static void test_client(void)
{
    struct net_set t;
    char err[100];
    CHECK_INT(net_set_parse("127.0.0.1, 10.0.0.0/8, ::1", &t, err, sizeof err), 0);
    /* an untrusted peer's headers are ignored */
    CHECK_STR(client(&t, "203.0.113.1", "198.51.100.1", "198.51.100.2"), "203.0.113.1");
    /* a trusted peer: the right-most address that is not a trusted proxy */
    CHECK_STR(client(&t, "127.0.0.1", "198.51.100.1", NULL), "198.51.100.1");
    CHECK_STR(client(&t, "127.0.0.1", "6.6.6.6, 198.51.100.1", NULL), "198.51.100.1");
    CHECK_STR(client(&t, "127.0.0.1", "198.51.100.1, 10.1.2.3", NULL), "198.51.100.1");
    CHECK_STR(client(&t, "::1", "198.51.100.1,10.1.2.3 ,  127.0.0.1", NULL), "198.51.100.1");
    CHECK_STR(client(&t, "127.0.0.1", "garbage, , 198.51.100.1", NULL), "198.51.100.1");
    /* all trusted: the left-most */
    CHECK_STR(client(&t, "127.0.0.1", "10.0.0.5, 10.0.0.6", NULL), "10.0.0.5");
    /* X-Real-IP without X-Forwarded-For */
    CHECK_STR(client(&t, "127.0.0.1", NULL, "198.51.100.9"), "198.51.100.9");
    CHECK_STR(client(&t, "127.0.0.1", "198.51.100.1", "198.51.100.9"), "198.51.100.1");
    CHECK_STR(client(&t, "127.0.0.1", NULL, NULL), "127.0.0.1");
    /* malformed: the peer */
    CHECK_STR(client(&t, "127.0.0.1", "", NULL), "127.0.0.1");
    CHECK_STR(client(&t, "127.0.0.1", "198.51.100.1,", NULL), "127.0.0.1");
    CHECK_STR(client(&t, "127.0.0.1", "198.51.100.1, unknown", NULL), "127.0.0.1");
    CHECK_STR(client(&t, "127.0.0.1", "198.51.100.1, bad, 10.0.0.1", NULL), "127.0.0.1");
    CHECK_STR(client(&t, "127.0.0.1", NULL, "nope"), "127.0.0.1");
    CHECK_STR(client(&t, "10.9.9.9", "[2001:db8::3]:5000", NULL), "2001:db8::3");
    net_set_free(&t);
    /* no trusted proxies: always the peer */
    struct net_set none = {0};
    CHECK_STR(client(&none, "127.0.0.1", "198.51.100.1", "198.51.100.2"), "127.0.0.1");
}

int main(void)
{
    RUN(test_parse);
    RUN(test_sockaddr);
    RUN(test_set);
    RUN(test_client);
    return test_report("netaddr");
}
