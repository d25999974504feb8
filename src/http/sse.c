/*
 * sse.c - the event hub declared in sse.h and the content reader that
 * feeds each stream.
 *
 * Locking: one mutex per hub guards the ring, the list of parked streams
 * and the closed flag. A reader that finds nothing to send parks its
 * connection while holding that mutex, and sse_publish appends and resumes
 * under it too, so no wake-up is lost between "nothing to send" and
 * "parked".
 */
#include <microhttpd.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/strbuf.h"
#include "http/sse.h"

struct sse_event {
    uint64_t seq;
    uint64_t audience; /* 0: every public stream; else one person's streams */
    char *text;        /* "id: N\nevent: X\ndata: {...}\n\n" */
};

struct sse_stream {
    struct sse_hub *hub;
    struct MHD_Connection *conn;
    uint64_t last_seq;
    uint64_t audience; /* receives only the events published to it */
    uint64_t last_ping;
    bool parked;
    bool started;
    struct strbuf pending; /* formatted but not yet written */
    size_t pending_off;
    struct sse_stream *next, *prev; /* all streams of the hub */
};

struct sse_hub {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    struct sse_event ring[SSE_RING];
    uint64_t next_seq; /* seq of the next event; first is 1 */
    uint64_t ping_gen;
    bool closed;
    struct sse_stream *streams;
    size_t nstreams;
    pthread_t heartbeat;
    bool heartbeat_running;
};

static void resume_all_locked(struct sse_hub *hub)
{
    for (struct sse_stream *s = hub->streams; s; s = s->next) {
        if (s->parked) {
            s->parked = false;
            MHD_resume_connection(s->conn);
        }
    }
}

static void *heartbeat_main(void *arg)
{
    struct sse_hub *hub = arg;
    pthread_mutex_lock(&hub->lock);
    while (!hub->closed) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += SSE_HEARTBEAT_S;
        pthread_cond_timedwait(&hub->cond, &hub->lock, &until);
        if (hub->closed)
            break;
        hub->ping_gen++;
        resume_all_locked(hub);
    }
    pthread_mutex_unlock(&hub->lock);
    return NULL;
}

struct sse_hub *sse_hub_new(void)
{
    struct sse_hub *hub = calloc(1, sizeof(*hub));
    if (!hub)
        die_oom();
    pthread_mutex_init(&hub->lock, NULL);
    pthread_cond_init(&hub->cond, NULL);
    hub->next_seq = 1;
    if (pthread_create(&hub->heartbeat, NULL, heartbeat_main, hub) == 0)
        hub->heartbeat_running = true;
    return hub;
}

void sse_hub_close(struct sse_hub *hub)
{
    if (!hub)
        return;
    pthread_mutex_lock(&hub->lock);
    hub->closed = true;
    resume_all_locked(hub);
    pthread_cond_broadcast(&hub->cond);
    pthread_mutex_unlock(&hub->lock);
    if (hub->heartbeat_running) {
        pthread_join(hub->heartbeat, NULL);
        hub->heartbeat_running = false;
    }
}

void sse_hub_free(struct sse_hub *hub)
{
    if (!hub)
        return;
    sse_hub_close(hub);
    for (size_t i = 0; i < SSE_RING; i++)
        free(hub->ring[i].text);
    pthread_cond_destroy(&hub->cond);
    pthread_mutex_destroy(&hub->lock);
    free(hub);
}

uint64_t sse_publish(struct sse_hub *hub, const char *event, const char *data)
{
    return sse_publish_to(hub, 0, event, data);
}

uint64_t sse_publish_to(struct sse_hub *hub, uint64_t audience, const char *event, const char *data)
{
    struct strbuf sb = STRBUF_INIT;
    pthread_mutex_lock(&hub->lock);
    uint64_t seq = hub->next_seq++;
    strbuf_addf(&sb, "id: %llu\nevent: %s\ndata: %s\n\n", (unsigned long long)seq, event, data);
    struct sse_event *slot = &hub->ring[seq % SSE_RING];
    free(slot->text);
    slot->seq = seq;
    slot->audience = audience;
    slot->text = strbuf_detach(&sb, NULL);
    resume_all_locked(hub);
    pthread_mutex_unlock(&hub->lock);
    return seq;
}

size_t sse_stream_count(struct sse_hub *hub)
{
    pthread_mutex_lock(&hub->lock);
    size_t n = hub->nstreams;
    pthread_mutex_unlock(&hub->lock);
    return n;
}

/* Format what the stream should get next into s->pending (locked). */
static void fill_pending_locked(struct sse_stream *s)
{
    struct sse_hub *hub = s->hub;
    if (!s->started) {
        s->started = true;
        strbuf_adds(&s->pending, "retry: 3000\n\n");
    }
    uint64_t oldest = hub->next_seq > SSE_RING ? hub->next_seq - SSE_RING : 1;
    if (s->last_seq + 1 < oldest) {
        /* Fell out of the ring: tell the client to refetch everything. */
        strbuf_addf(&s->pending, "id: %llu\nevent: reset\ndata: {}\n\n",
                    (unsigned long long)(hub->next_seq - 1));
        s->last_seq = hub->next_seq - 1;
    }
    while (s->last_seq + 1 < hub->next_seq && s->pending.len < 16384) {
        const struct sse_event *e = &hub->ring[(s->last_seq + 1) % SSE_RING];
        if (e->audience == s->audience)
            strbuf_adds(&s->pending, e->text);
        s->last_seq++;
    }
    if (s->last_ping != hub->ping_gen) {
        s->last_ping = hub->ping_gen;
        strbuf_adds(&s->pending, ": ping\n\n");
    }
}

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct sse_stream *s = cls;
    struct sse_hub *hub = s->hub;
    (void)pos;
    pthread_mutex_lock(&hub->lock);
    if (s->pending_off == s->pending.len) {
        s->pending.len = 0;
        s->pending_off = 0;
        if (hub->closed) {
            pthread_mutex_unlock(&hub->lock);
            return MHD_CONTENT_READER_END_OF_STREAM;
        }
        fill_pending_locked(s);
        if (s->pending.len == 0) {
            s->parked = true;
            MHD_suspend_connection(s->conn);
            pthread_mutex_unlock(&hub->lock);
            return 0;
        }
    }
    size_t n = s->pending.len - s->pending_off;
    if (n > max)
        n = max;
    memcpy(buf, s->pending.buf + s->pending_off, n);
    s->pending_off += n;
    pthread_mutex_unlock(&hub->lock);
    return (ssize_t)n;
}

static void stream_free(void *cls)
{
    struct sse_stream *s = cls;
    struct sse_hub *hub = s->hub;
    pthread_mutex_lock(&hub->lock);
    if (s->prev)
        s->prev->next = s->next;
    else
        hub->streams = s->next;
    if (s->next)
        s->next->prev = s->prev;
    hub->nstreams--;
    pthread_mutex_unlock(&hub->lock);
    strbuf_release(&s->pending);
    free(s);
}

void *sse_response_new(struct req *r, struct sse_hub *hub)
{
    struct sse_stream *s = calloc(1, sizeof(*s));
    if (!s)
        die_oom();
    s->hub = hub;
    s->conn = r->conn;
    s->audience = r->stream_audience;
    const char *last = req_header(r, "Last-Event-ID");
    pthread_mutex_lock(&hub->lock);
    s->last_seq = hub->next_seq - 1;
    if (last && *last) {
        char *end;
        unsigned long long v = strtoull(last, &end, 10);
        if (!*end && v < hub->next_seq)
            s->last_seq = v;
    }
    s->last_ping = hub->ping_gen;
    s->next = hub->streams;
    if (hub->streams)
        hub->streams->prev = s;
    hub->streams = s;
    hub->nstreams++;
    pthread_mutex_unlock(&hub->lock);
    struct MHD_Response *resp =
        MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, stream_read, s, stream_free);
    if (!resp)
        die_oom();
    return resp;
}

int reply_sse(struct req *r, struct sse_hub *hub)
{
    return reply_sse_to(r, hub, 0);
}

int reply_sse_to(struct req *r, struct sse_hub *hub, uint64_t audience)
{
    r->stream_hub = hub;
    r->stream_audience = audience;
    r->status = 200;
    r->content_type = "text/event-stream; charset=utf-8";
    reply_header(r, "Cache-Control", "no-cache");
    reply_header(r, "X-Accel-Buffering", "no");
    return 200;
}
