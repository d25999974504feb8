/*
 * paced_load.c - an HTTP/1.1 load generator that sends at a fixed rate
 * and measures each request's latency from the moment it was meant to be
 * sent, for bench/paced_bench.sh.
 *
 * wrk sends a connection's next request only when the previous answer is
 * in, so a slow answer delays the requests behind it and they are never
 * timed as late ("coordinated omission"). Here request i is due at
 * t0 + i / RATE whatever happens; it goes out on the first free
 * connection at or after that time, and its latency runs from the due
 * time to the last byte of the answer. A server that falls behind shows
 * it in the latency, and the achieved rate says how far behind.
 *
 *   paced_load -p PORT -r RATE -d SECONDS -c CONNECTIONS -f REQUESTS
 *
 * REQUESTS holds one request per line, used in order (and again from the
 * top when they run out): METHOD TAB PATH TAB BEARER-TOKEN TAB BODY, the
 * token and the body possibly empty; a body is sent as JSON. The server
 * is 127.0.0.1:PORT and must answer with a Content-Length (every JSON
 * answer of warmharbor does). Connections are kept alive.
 *
 * Output, one "key: value" per line: due (requests due in the run), sent,
 * answered, failed (connection errors, unanswered at the end), seconds
 * (from the first due moment to the last answer), rate (answers per
 * second over those seconds), the latency p50, p90, p99, p99.9
 * and max in milliseconds, the largest send lag (how late the most late
 * request left: the connections were all busy), and the answers by
 * status and error code ("201: 19876, 409 already_booked: 124").
 *
 * Plain sockets and epoll (epoll_pwait2: Linux 5.11); one thread, which a 2-core machine leaves
 * the other core to the server. Not part of the product.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CODES 32
#define DRAIN_S 10.0 /* how long answers are awaited after the last is due */

struct request {
    char *text; /* the whole request, ready to write */
    size_t len;
};

struct conn {
    int fd;
    bool busy;
    double due; /* of the request in flight */
    const struct request *req;
    size_t sent;
    char *in;
    size_t in_len, in_cap;
};

struct code_count {
    char key[64];
    long n;
};

static struct request *reqs;
static size_t nreqs;
static double *lat_ms;
static size_t nlat;
static struct code_count codes[MAX_CODES];
static size_t ncodes;
static long failed;
static double last_answer; /* when the last answer came */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
    perror(what);
    exit(2);
}

static void count(const char *key)
{
    for (size_t i = 0; i < ncodes; i++)
        if (strcmp(codes[i].key, key) == 0) {
            codes[i].n++;
            return;
        }
    if (ncodes < MAX_CODES) {
        snprintf(codes[ncodes].key, sizeof codes[ncodes].key, "%s", key);
        codes[ncodes++].n = 1;
    }
}

/* Read REQUESTS into reqs (see the top of the file). */
static void load_requests(const char *path, int port)
{
    FILE *f = fopen(path, "r");
    if (!f)
        die(path);
    char *line = NULL;
    size_t cap = 0, rcap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, f)) > 0) {
        if (line[n - 1] == '\n')
            line[--n] = '\0';
        if (!n)
            continue;
        char *method = strtok(line, "\t");
        char *path_ = strtok(NULL, "\t");
        char *token = strtok(NULL, "\t");
        char *body = strtok(NULL, "");
        if (!method || !path_) {
            fprintf(stderr, "paced_load: a line needs METHOD TAB PATH\n");
            exit(2);
        }
        if (token && !*token)
            token = NULL;
        char *text = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&text, &len);
        fprintf(m, "%s %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n", method, path_, port);
        if (token)
            fprintf(m, "Authorization: Bearer %s\r\n", token);
        if (body && *body)
            fprintf(m, "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
                    strlen(body), body);
        else
            fprintf(m, "Content-Length: 0\r\n\r\n");
        fclose(m);
        if (nreqs == rcap) {
            rcap = rcap ? rcap * 2 : 1024;
            reqs = realloc(reqs, rcap * sizeof(*reqs));
            if (!reqs)
                die("realloc");
        }
        reqs[nreqs++] = (struct request){text, len};
    }
    free(line);
    fclose(f);
    if (!nreqs) {
        fprintf(stderr, "paced_load: %s holds no request\n", path);
        exit(2);
    }
}

static int connect_to(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        die("socket");
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof a))
        die("connect");
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    return fd;
}

static void conn_open(struct conn *c, int ep, int port)
{
    c->fd = connect_to(port);
    c->busy = false;
    c->in_len = 0;
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLET, .data.ptr = c};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev))
        die("epoll_ctl");
}

/* The connection broke: the request in flight failed; open a new one. */
static void conn_reset(struct conn *c, int ep, int port)
{
    if (c->busy)
        failed++;
    epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    conn_open(c, ep, port);
}

static void try_write(struct conn *c, int ep, int port)
{
    while (c->busy && c->sent < c->req->len) {
        ssize_t w = write(c->fd, c->req->text + c->sent, c->req->len - c->sent);
        if (w > 0) {
            c->sent += (size_t)w;
        } else if (w < 0 && (errno == EAGAIN || errno == EINTR)) {
            return;
        } else {
            conn_reset(c, ep, port);
            return;
        }
    }
}

/* A complete answer at the front of c->in: its total length, or 0. */
static size_t answer_length(const struct conn *c, int *status, const char **body, size_t *blen)
{
    const char *end = memmem(c->in, c->in_len, "\r\n\r\n", 4);
    if (!end)
        return 0;
    size_t head = (size_t)(end - c->in) + 4;
    long clen = -1;
    for (const char *p = c->in; p < end;) {
        const char *nl = memmem(p, (size_t)(end - p) + 2, "\r\n", 2);
        if (!nl)
            break;
        if ((size_t)(nl - p) > 15 && strncasecmp(p, "Content-Length:", 15) == 0)
            clen = strtol(p + 15, NULL, 10);
        p = nl + 2;
    }
    if (clen < 0) {
        fprintf(stderr, "paced_load: an answer without Content-Length\n");
        exit(2);
    }
    if (c->in_len < head + (size_t)clen)
        return 0;
    *status = atoi(c->in + 9);
    *body = c->in + head;
    *blen = (size_t)clen;
    return head + (size_t)clen;
}

static void record(int status, const char *body, size_t blen)
{
    char key[64];
    const char *code = status >= 300 ? memmem(body, blen, "\"code\":\"", 8) : NULL;
    if (code) {
        code += 8;
        const char *q = memchr(code, '"', blen - (size_t)(code - body));
        int n = q ? (int)(q - code) : 0;
        snprintf(key, sizeof key, "%d %.*s", status, n > 40 ? 40 : n, code);
    } else {
        snprintf(key, sizeof key, "%d", status);
    }
    count(key);
}

static void try_read(struct conn *c, int ep, int port)
{
    for (;;) {
        if (c->in_cap - c->in_len < 4096) {
            c->in_cap = c->in_cap ? c->in_cap * 2 : 16384;
            c->in = realloc(c->in, c->in_cap);
            if (!c->in)
                die("realloc");
        }
        ssize_t r = read(c->fd, c->in + c->in_len, c->in_cap - c->in_len);
        if (r > 0) {
            c->in_len += (size_t)r;
        } else if (r < 0 && (errno == EAGAIN || errno == EINTR)) {
            break;
        } else {
            conn_reset(c, ep, port);
            return;
        }
    }
    int status;
    const char *body;
    size_t blen;
    size_t n = c->busy ? answer_length(c, &status, &body, &blen) : 0;
    if (!n)
        return;
    last_answer = now_s();
    lat_ms[nlat++] = (last_answer - c->due) * 1000;
    record(status, body, blen);
    memmove(c->in, c->in + n, c->in_len - n);
    c->in_len -= n;
    c->busy = false;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double pct(double p)
{
    if (!nlat)
        return 0;
    size_t i = (size_t)(p / 100 * (double)nlat);
    return lat_ms[i >= nlat ? nlat - 1 : i];
}

static void usage(void)
{
    fputs("usage: paced_load -p PORT -r RATE -d SECONDS -c CONNECTIONS -f REQUESTS\n", stderr);
    exit(2);
}

int main(int argc, char **argv)
{
    int port = 0, nconns = 64, opt;
    double rate = 0, secs = 0;
    const char *file = NULL;
    while ((opt = getopt(argc, argv, "p:r:d:c:f:")) != -1) {
        switch (opt) {
        case 'p': port = atoi(optarg); break;
        case 'r': rate = atof(optarg); break;
        case 'd': secs = atof(optarg); break;
        case 'c': nconns = atoi(optarg); break;
        case 'f': file = optarg; break;
        default: usage();
        }
    }
    if (port <= 0 || !(rate > 0) || !(secs > 0) || nconns <= 0 || !file)
        usage();
    load_requests(file, port);
    size_t due_total = (size_t)(rate * secs);
    lat_ms = calloc(due_total + 1, sizeof(*lat_ms));
    struct conn *conns = calloc((size_t)nconns, sizeof(*conns));
    if (!lat_ms || !conns)
        die("calloc");
    int ep = epoll_create1(0);
    if (ep < 0)
        die("epoll_create1");
    for (int i = 0; i < nconns; i++)
        conn_open(&conns[i], ep, port);

    struct epoll_event evs[256];
    size_t next = 0; /* the next request to send */
    double max_lag = 0;
    double t0 = now_s() + 0.05; /* every connection is open by then */
    double stop = t0 + secs + DRAIN_S;
    size_t free_hint = 0;
    for (;;) {
        double t = now_s();
        /* Send every due request there is a free connection for. */
        while (next < due_total && t0 + (double)next / rate <= t) {
            struct conn *c = NULL;
            for (int k = 0; k < nconns && !c; k++) {
                struct conn *x = &conns[(free_hint + (size_t)k) % (size_t)nconns];
                if (!x->busy)
                    c = x;
            }
            if (!c)
                break; /* all busy: it waits, and its latency counts the wait */
            free_hint = (size_t)(c - conns) + 1;
            c->busy = true;
            c->due = t0 + (double)next / rate;
            if (t - c->due > max_lag)
                max_lag = t - c->due;
            c->req = &reqs[next % nreqs];
            c->sent = 0;
            next++;
            try_write(c, ep, port);
        }
        int busy = 0;
        for (int k = 0; k < nconns; k++)
            busy += conns[k].busy;
        if ((next == due_total && !busy) || t > stop)
            break;
        /* Sleep until the next request is due (to the microsecond: a
         * millisecond timeout would spin, or send late, at 2,000/s). */
        double wait = 0.1;
        if (next < due_total) {
            wait = t0 + (double)next / rate - now_s();
            if (wait < 0)
                wait = 0;
        }
        struct timespec ts = {(time_t)wait, (long)((wait - (double)(time_t)wait) * 1e9)};
        int n = epoll_pwait2(ep, evs, 256, &ts, NULL);
        for (int i = 0; i < n; i++) {
            struct conn *c = evs[i].data.ptr;
            if (evs[i].events & (EPOLLERR | EPOLLHUP)) {
                conn_reset(c, ep, port);
                continue;
            }
            if (evs[i].events & EPOLLOUT)
                try_write(c, ep, port);
            if (evs[i].events & EPOLLIN)
                try_read(c, ep, port);
        }
    }
    double end = now_s();
    for (int k = 0; k < nconns; k++)
        failed += conns[k].busy;
    qsort(lat_ms, nlat, sizeof(*lat_ms), cmp_double);
    /* The rate achieved: answers over the time from the first due moment
     * to the last answer (a server that keeps up takes the run's length). */
    double run = (nlat ? last_answer : end) - t0;
    printf("due: %zu\nsent: %zu\nanswered: %zu\nfailed: %ld\n", due_total, next, nlat, failed);
    printf("seconds: %.3f\nrate: %.1f\n", run, run > 0 ? (double)nlat / run : 0);
    printf("p50_ms: %.2f\np90_ms: %.2f\np99_ms: %.2f\np999_ms: %.2f\nmax_ms: %.2f\n", pct(50),
           pct(90), pct(99), pct(99.9), nlat ? lat_ms[nlat - 1] : 0);
    printf("max_send_lag_ms: %.2f\nanswers: ", max_lag * 1000);
    for (size_t i = 0; i < ncodes; i++)
        printf("%s%s: %ld", i ? ", " : "", codes[i].key, codes[i].n);
    printf("\n");
    return 0;
}
