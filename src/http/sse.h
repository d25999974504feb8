/*
 * sse.h - Server-Sent Events: a hub that keeps the last events in a ring
 * and fans them out to every open stream.
 *
 * A stream is a suspended connection: when it has nothing to send it is
 * parked (libmicrohttpd suspend) and costs no thread; sse_publish resumes
 * every parked stream. Each event gets a sequence number sent as its "id",
 * so a client that reconnects with Last-Event-ID gets what it missed (or an
 * "event: reset" when it fell out of the ring). A heartbeat comment goes to
 * every stream every SSE_HEARTBEAT_S seconds so proxies keep it open.
 *
 * An event may be meant for one person only (a notice in their inbox):
 * published to an audience (their user id), it goes only to the streams
 * opened for that audience, and a stream opened for an audience gets
 * nothing else. Public streams (audience 0, the map's) never see personal
 * events, nor a person's stream another person's; the ring, the sequence
 * numbers and Last-Event-ID are shared, so a stream simply skips the
 * events that are not its own.
 */
#ifndef WH_HTTP_SSE_H
#define WH_HTTP_SSE_H

#include <stddef.h>
#include <stdint.h>

#include "http/http.h"

#define SSE_RING 1024
#define SSE_HEARTBEAT_S 15

struct sse_hub;

struct sse_hub *sse_hub_new(void);
/* End every stream (they finish with end-of-stream) and refuse new ones. */
void sse_hub_close(struct sse_hub *hub);
void sse_hub_free(struct sse_hub *hub);
/* Queue an event for every stream. data is one line of JSON (no newline).
 * Returns its sequence number. Safe from any thread. */
uint64_t sse_publish(struct sse_hub *hub, const char *event, const char *data);
/* The same, for the streams opened for audience only (0: the public ones,
 * as sse_publish). */
uint64_t sse_publish_to(struct sse_hub *hub, uint64_t audience, const char *event,
                        const char *data);
/* Streams open now. */
size_t sse_stream_count(struct sse_hub *hub);

/* Answer the request with an event stream from hub (server.c sends it). */
int reply_sse(struct req *r, struct sse_hub *hub);
/* Answer with a stream that gets only the events published to audience
 * (a person's id, after checking who is calling). */
int reply_sse_to(struct req *r, struct sse_hub *hub, uint64_t audience);

/* For server.c: the library's response object for a stream request. */
void *sse_response_new(struct req *r, struct sse_hub *hub);

#endif
