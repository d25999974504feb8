/*
 * inbox_test.c - the inbox module below HTTP: inbox_post and its rules,
 * the person's list (newest first, expired hidden, unread only, the
 * "before" cursor), read / read-all / delete limited to the person's own
 * notices, export and erase, and delivery through a provider: sent once,
 * retried with a growing delay and given up after INBOX_SEND_TRIES, failed
 * at once when the provider says it never will work, a stale claim (a node
 * that died while sending) taken over, read / expired / too old notices
 * skipped, and several "nodes" (threads with their own connections and
 * names) delivering at once without sending any notice twice.
 *
 * SQLite always (a temporary file); PostgreSQL as well when
 * WARMHARBOR_TEST_PG holds a server URL (a fresh database, dropped at the
 * end), else that half is skipped with a note.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/strbuf.h"
#include "inbox/inbox.h"
#include "store/store.h"
#include "test.h"

static struct store *st;
static int64_t alice, bob, nophone; /* people: two with phones, one without */

/* ---- helpers ---------------------------------------------------------- */

static int64_t one_int(struct store_conn *c, const char *sql, int64_t arg)
{
    struct arena a;
    arena_init(&a);
    struct store_val p[] = {SV_INT(arg)};
    struct store_rows rows;
    int64_t v = -1;
    if (store_query(c, &a, sql, p, strstr(sql, "$1") ? 1 : 0, &rows) == STORE_OK && rows.nrows == 1)
        v = store_int(&rows, 0, 0);
    arena_release(&a);
    return v;
}

static int64_t add_person(struct store_conn *c, const char *phone)
{
    struct arena a;
    arena_init(&a);
    struct store_val p[] = {SV_TEXT_OR_NULL(phone), SV_INT(clock_now())};
    struct store_rows rows;
    int64_t id = -1;
    if (store_query(c, &a,
                    "INSERT INTO users (phone, created_at, updated_at) VALUES ($1, $2, $2)"
                    " RETURNING id",
                    p, 2, &rows) == STORE_OK &&
        rows.nrows == 1)
        id = store_int(&rows, 0, 0);
    arena_release(&a);
    return id;
}

static void clear_notices(void)
{
    struct store_conn *c = store_acquire(st);
    CHECK_INT(store_exec(c, "DELETE FROM inbox_notices", NULL, 0, NULL), STORE_OK);
    store_release(c);
}

static int64_t count_notices(struct store_conn *c)
{
    return one_int(c, "SELECT COUNT(*) FROM inbox_notices", 0);
}

static int post(struct store_conn *c, int64_t user, const char *title, int64_t expires_at)
{
    return inbox_post(c, user, "booking_confirmed", title, "Booking confirmed", "正文", "body",
                      "/#/bookings/12", expires_at);
}

/* The newest notice of anyone's id. */
static int64_t last_id(struct store_conn *c)
{
    return one_int(c, "SELECT MAX(id) FROM inbox_notices", 0);
}

static const char *delivery_of(struct store_conn *c, struct arena *a, int64_t id, int64_t *attempts,
                               const char **error)
{
    struct store_val p[] = {SV_INT(id)};
    struct store_rows rows;
    if (store_query(c, a,
                    "SELECT delivery, delivery_attempts, delivery_error FROM inbox_notices"
                    " WHERE id = $1",
                    p, 1, &rows) ||
        rows.nrows != 1)
        return NULL;
    if (attempts)
        *attempts = store_int(&rows, 0, 1);
    if (error)
        *error = store_text(&rows, 0, 2);
    return store_text(&rows, 0, 0);
}

/* ---- a provider for tests ------------------------------------------- */

#define MAX_SENT 1024
static atomic_int sends[MAX_SENT]; /* by notice id - sent_base */
static int64_t sent_base;
static atomic_int total_sends;
static int fake_answer = NOTIFY_SENT;
static char fake_phone[16];
static int fake_delay_us; /* a provider that takes its time, so claims overlap */

static int fake_send(const struct notify_message *m, struct arena *a, char *why, size_t whylen)
{
    int64_t i = m->notice_id - sent_base;
    if (i >= 0 && i < MAX_SENT)
        atomic_fetch_add(&sends[i], 1);
    atomic_fetch_add(&total_sends, 1);
    if (fake_delay_us)
        usleep((useconds_t)fake_delay_us);
    snprintf(fake_phone, sizeof fake_phone, "%s", m->phone ? m->phone : "");
    if (fake_answer != NOTIFY_SENT)
        snprintf(why, whylen, "gateway down");
    return fake_answer;
}

static const struct notify_provider fake = {"fake", NULL, fake_send};

static void reset_sends(int64_t base)
{
    for (int i = 0; i < MAX_SENT; i++)
        atomic_store(&sends[i], 0);
    atomic_store(&total_sends, 0);
    sent_base = base;
    fake_answer = NOTIFY_SENT;
}

/* ---- posting and reading ------------------------------------------------ */

static void test_post_and_list(void)
{
    clear_notices();
    struct store_conn *c = store_acquire(st);
    struct arena a;
    arena_init(&a);
    int64_t now = clock_now();
    CHECK_INT(post(c, alice, "一", 0), STORE_OK);
    CHECK_INT(post(c, bob, "给鲍勃", 0), STORE_OK);
    CHECK_INT(post(c, alice, "二", 0), STORE_OK);
    CHECK_INT(inbox_post(c, alice, "waitlist_offer", "三", NULL, NULL, NULL, NULL, now + 100),
              STORE_OK);

    struct notice *ns;
    size_t n;
    CHECK_INT(inbox_list(c, &a, alice, false, 0, 10, now, &ns, &n), STORE_OK);
    CHECK_INT(n, 3);
    if (n == 3) {
        CHECK_STR(ns[0].title_zh, "三"); /* newest first */
        CHECK_STR(ns[1].title_zh, "二");
        CHECK_STR(ns[2].title_zh, "一");
        CHECK(ns[0].id > ns[1].id && ns[1].id > ns[2].id);
        CHECK_STR(ns[0].title_en, ""); /* NULL texts are empty */
        CHECK(ns[0].link == NULL);
        CHECK_INT(ns[0].expires_at, now + 100);
        CHECK_STR(ns[2].link, "/#/bookings/12");
        CHECK_STR(ns[2].kind, "booking_confirmed");
        CHECK_INT(ns[2].user_id, alice);
        CHECK_INT(ns[2].read_at, 0);
        CHECK_STR(ns[2].delivery, "pending");
        /* the cursor: below the second one */
        struct notice *older;
        size_t m;
        CHECK_INT(inbox_list(c, &a, alice, false, ns[1].id, 10, now, &older, &m), STORE_OK);
        CHECK_INT(m, 1);
        if (m == 1)
            CHECK_STR(older[0].title_zh, "一");
        CHECK_INT(inbox_list(c, &a, alice, false, 0, 2, now, &older, &m), STORE_OK);
        CHECK_INT(m, 2);
    }
    int64_t unread = -1;
    CHECK_INT(inbox_unread_count(c, &a, alice, now, &unread), STORE_OK);
    CHECK_INT(unread, 3);
    CHECK_INT(inbox_unread_count(c, &a, bob, now, &unread), STORE_OK);
    CHECK_INT(unread, 1);

    /* Expired: hidden from the list and the count, not yet deleted. */
    CHECK_INT(inbox_list(c, &a, alice, false, 0, 10, now + 100, &ns, &n), STORE_OK);
    CHECK_INT(n, 2);
    CHECK_INT(inbox_unread_count(c, &a, alice, now + 100, &unread), STORE_OK);
    CHECK_INT(unread, 2);
    CHECK_INT(count_notices(c), 4);
    int64_t purged = -1;
    CHECK_INT(inbox_purge_expired(c, now + 99, &purged), STORE_OK);
    CHECK_INT(purged, 0);
    CHECK_INT(inbox_purge_expired(c, now + 100, &purged), STORE_OK);
    CHECK_INT(purged, 1);
    CHECK_INT(count_notices(c), 3);

    /* Bob's list is Bob's. */
    CHECK_INT(inbox_list(c, &a, bob, false, 0, 10, now, &ns, &n), STORE_OK);
    CHECK_INT(n, 1);
    if (n == 1)
        CHECK_STR(ns[0].title_zh, "给鲍勃");
    arena_release(&a);
    store_release(c);
}

static void test_post_rules(void)
{
    clear_notices();
    struct store_conn *c = store_acquire(st);
    log_set_level(LOG_ERROR + 1); /* the refusals are logged as errors */
    static const char *const bad_kinds[] = {"", "Booking", "a-b", "1abc", "a b", "é"};
    for (size_t i = 0; i < sizeof bad_kinds / sizeof bad_kinds[0]; i++)
        CHECK_INT(inbox_post(c, alice, bad_kinds[i], "标题", "t", NULL, NULL, NULL, 0),
                  STORE_ERROR);
    CHECK_INT(inbox_post(c, alice, NULL, "标题", "t", NULL, NULL, NULL, 0), STORE_ERROR);
    char longkind[INBOX_KIND_MAX + 2];
    memset(longkind, 'a', sizeof longkind - 1);
    longkind[sizeof longkind - 1] = '\0';
    CHECK_INT(inbox_post(c, alice, longkind, "标题", "t", NULL, NULL, NULL, 0), STORE_ERROR);
    longkind[INBOX_KIND_MAX] = '\0';
    CHECK_INT(inbox_post(c, alice, longkind, "标题", "t", NULL, NULL, NULL, 0), STORE_OK);

    static const char *const bad_links[] = {"//evil.example/x",
                                            "http://evil.example",
                                            "javascript:alert(1)",
                                            "/a b",
                                            "/\\evil",
                                            "",
                                            "bookings/1",
                                            "/a\nb"};
    for (size_t i = 0; i < sizeof bad_links / sizeof bad_links[0]; i++)
        CHECK_INT(inbox_post(c, alice, "queue_called", "标题", "t", NULL, NULL, bad_links[i], 0),
                  STORE_ERROR);
    CHECK(inbox_link_is_valid("/#/bookings/12"));
    CHECK(inbox_link_is_valid("/"));
    CHECK(inbox_link_is_valid("/map?site=3&x=%20"));

    CHECK_INT(inbox_post(c, alice, "queue_called", "", "t", NULL, NULL, NULL, 0), STORE_ERROR);
    CHECK_INT(inbox_post(c, alice, "queue_called", NULL, "t", NULL, NULL, NULL, 0), STORE_ERROR);
    char *longbody = malloc(INBOX_BODY_MAX + 2);
    memset(longbody, 'x', INBOX_BODY_MAX + 1);
    longbody[INBOX_BODY_MAX + 1] = '\0';
    CHECK_INT(inbox_post(c, alice, "queue_called", "标题", "t", longbody, NULL, NULL, 0),
              STORE_ERROR);
    free(longbody);
    CHECK_INT(inbox_post(c, alice, "queue_called", "标题", "t", NULL, NULL, NULL, -5), STORE_ERROR);
    CHECK_INT(inbox_post(c, 0, "queue_called", "标题", "t", NULL, NULL, NULL, 0), STORE_ERROR);
    log_set_level(LOG_WARN);
    /* No such person: the foreign key says so. */
    CHECK_INT(inbox_post(c, 999999, "queue_called", "标题", "t", NULL, NULL, NULL, 0),
              STORE_CONFLICT);
    CHECK_INT(count_notices(c), 1); /* only the one with the longest kind */
    store_release(c);
}

/* A notice exists if and only if the caller's transaction committed. */
struct booking_tx {
    int64_t user;
    int outcome; /* what the rest of the "booking" returns */
};

static int booking_tx(struct store_conn *c, void *v)
{
    struct booking_tx *b = v;
    int rc = inbox_post(c, b->user, "booking_confirmed", "预约成功", "Booking confirmed", NULL,
                        NULL, "/#/bookings/7", 0);
    return rc ? rc : b->outcome;
}

static void test_post_inside_transaction(void)
{
    clear_notices();
    struct store_conn *c = store_acquire(st);
    struct booking_tx fails = {alice, STORE_CONFLICT};
    CHECK_INT(store_tx(c, booking_tx, &fails), STORE_CONFLICT);
    CHECK_INT(count_notices(c), 0);
    CHECK_INT(store_begin(c), STORE_OK);
    CHECK_INT(post(c, alice, "回滚", 0), STORE_OK);
    CHECK_INT(store_rollback(c), STORE_OK);
    CHECK_INT(count_notices(c), 0);
    struct booking_tx ok = {alice, STORE_OK};
    CHECK_INT(store_tx(c, booking_tx, &ok), STORE_OK);
    CHECK_INT(count_notices(c), 1);
    store_release(c);
}

static void test_read_delete_own_only(void)
{
    clear_notices();
    struct store_conn *c = store_acquire(st);
    struct arena a;
    arena_init(&a);
    int64_t now = clock_now();
    CHECK_INT(post(c, alice, "A1", 0), STORE_OK);
    int64_t a1 = last_id(c);
    CHECK_INT(post(c, alice, "A2", 0), STORE_OK);
    int64_t a2 = last_id(c);
    CHECK_INT(post(c, bob, "B1", 0), STORE_OK);
    int64_t b1 = last_id(c);
    CHECK_INT(post(c, alice, "A3", now + 50), STORE_OK);
    int64_t a3 = last_id(c);

    CHECK_INT(inbox_mark_read(c, alice, b1, now), STORE_NOT_FOUND);
    CHECK_INT(inbox_delete(c, alice, b1, now), STORE_NOT_FOUND);
    struct notice n;
    CHECK_INT(inbox_get(c, &a, alice, b1, now, &n), STORE_NOT_FOUND);
    CHECK_INT(inbox_get(c, &a, bob, b1, now, &n), STORE_OK);
    CHECK_INT(n.read_at, 0);

    CHECK_INT(inbox_mark_read(c, alice, a1, now), STORE_OK);
    CHECK_INT(inbox_mark_read(c, alice, a1, now + 10), STORE_OK); /* again: fine */
    CHECK_INT(inbox_get(c, &a, alice, a1, now, &n), STORE_OK);
    CHECK_INT(n.read_at, now); /* the first time is kept */
    struct notice *ns;
    size_t k;
    CHECK_INT(inbox_list(c, &a, alice, true, 0, 10, now, &ns, &k), STORE_OK);
    CHECK_INT(k, 2); /* A2 and A3 */

    /* Expired: as if it did not exist. */
    CHECK_INT(inbox_mark_read(c, alice, a3, now + 50), STORE_NOT_FOUND);
    CHECK_INT(inbox_delete(c, alice, a3, now + 50), STORE_NOT_FOUND);

    int64_t changed = -1;
    CHECK_INT(inbox_mark_all_read(c, alice, now, &changed), STORE_OK);
    CHECK_INT(changed, 2);
    int64_t unread = -1;
    CHECK_INT(inbox_unread_count(c, &a, alice, now, &unread), STORE_OK);
    CHECK_INT(unread, 0);
    CHECK_INT(inbox_unread_count(c, &a, bob, now, &unread), STORE_OK);
    CHECK_INT(unread, 1); /* Bob's untouched */

    CHECK_INT(inbox_delete(c, alice, a2, now), STORE_OK);
    CHECK_INT(inbox_delete(c, alice, a2, now), STORE_NOT_FOUND);

    /* Export: everything still held, the expired one included, oldest first. */
    CHECK_INT(inbox_export(c, &a, alice, &ns, &k), STORE_OK);
    CHECK_INT(k, 2);
    if (k == 2) {
        CHECK_INT(ns[0].id, a1);
        CHECK_INT(ns[1].id, a3);
    }
    /* Erase: all of Alice's, none of Bob's. */
    CHECK_INT(inbox_erase_user(c, alice), STORE_OK);
    CHECK_INT(inbox_export(c, &a, alice, &ns, &k), STORE_OK);
    CHECK_INT(k, 0);
    CHECK_INT(inbox_export(c, &a, bob, &ns, &k), STORE_OK);
    CHECK_INT(k, 1);
    arena_release(&a);
    store_release(c);
}

/* ---- delivery ------------------------------------------------------------ */

static void test_deliver_once(void)
{
    clear_notices();
    struct store_conn *c = store_acquire(st);
    struct arena a;
    arena_init(&a);
    int64_t now = clock_now();
    CHECK_INT(post(c, alice, "一", 0), STORE_OK);
    int64_t first = last_id(c);
    CHECK_INT(post(c, alice, "二", 0), STORE_OK);
    CHECK_INT(post(c, bob, "三", 0), STORE_OK);
    reset_sends(first);
    struct inbox_delivery d;
    CHECK_INT(inbox_deliver(c, &fake, "node-a", now, &d), STORE_OK);
    CHECK_INT(d.claimed, 3);
    CHECK_INT(d.sent, 3);
    CHECK_INT(atomic_load(&total_sends), 3);
    CHECK_STR(fake_phone, "13900000002"); /* Bob's, the last one */
    CHECK_INT(inbox_deliver(c, &fake, "node-b", now + 1000, &d), STORE_OK);
    CHECK_INT(d.claimed, 0);
    CHECK_INT(atomic_load(&total_sends), 3);
    int64_t attempts = 0;
    CHECK_STR(delivery_of(c, &a, first, &attempts, NULL), "sent");
    CHECK_INT(attempts, 1);
    struct notice *ns;
    size_t k;
    CHECK_INT(inbox_export(c, &a, alice, &ns, &k), STORE_OK);
    CHECK(k == 2 && ns[0].delivered_at == now);

    /* Nobody's phone: the log provider says it never will work. */
    log_set_level(LOG_ERROR);
    CHECK_INT(post(c, nophone, "无号码", 0), STORE_OK);
    int64_t id = last_id(c);
    CHECK_INT(inbox_deliver(c, &notify_log, "node-a", now, &d), STORE_OK);
    CHECK_INT(d.failed, 1);
    const char *err = NULL;
    CHECK_STR(delivery_of(c, &a, id, &attempts, &err), "failed");
    CHECK_STR(err, "no_phone");
    log_set_level(LOG_WARN);
    arena_release(&a);
    store_release(c);
}

static void test_retry_then_give_up(void)
{
    clear_notices();
    struct store_conn *c = store_acquire(st);
    struct arena a;
    arena_init(&a);
    log_set_level(LOG_ERROR);
    int64_t t = clock_now();
    CHECK_INT(post(c, alice, "重试", 0), STORE_OK);
    int64_t id = last_id(c);
    reset_sends(id);
    fake_answer = NOTIFY_RETRY;
    struct inbox_delivery d;
    for (int attempt = 1; attempt <= INBOX_SEND_TRIES; attempt++) {
        CHECK_INT(inbox_deliver(c, &fake, "node-a", t, &d), STORE_OK);
        CHECK_INT(d.claimed, 1);
        int64_t attempts = 0;
        const char *state = delivery_of(c, &a, id, &attempts, NULL);
        CHECK_INT(attempts, attempt);
        CHECK_STR(state, attempt < INBOX_SEND_TRIES ? "pending" : "failed");
        /* not again before the delay */
        CHECK_INT(inbox_deliver(c, &fake, "node-a", t + inbox_retry_delay(attempt) - 1, &d),
                  STORE_OK);
        CHECK_INT(d.claimed, 0);
        t += inbox_retry_delay(attempt);
    }
    CHECK_INT(atomic_load(&sends[0]), INBOX_SEND_TRIES);
    const char *err = NULL;
    CHECK_STR(delivery_of(c, &a, id, NULL, &err), "failed");
    CHECK_STR(err, "gateway down");
    CHECK_INT(inbox_deliver(c, &fake, "node-a", t + 86400, &d), STORE_OK);
    CHECK_INT(atomic_load(&total_sends), INBOX_SEND_TRIES);
    CHECK_INT(inbox_retry_delay(1), 60);
    CHECK_INT(inbox_retry_delay(2), 120);
    CHECK_INT(inbox_retry_delay(7), 3600);
    CHECK_INT(inbox_retry_delay(70), 3600);

    /* A refusal gives up at once. */
    CHECK_INT(post(c, alice, "拒绝", 0), STORE_OK);
    id = last_id(c);
    fake_answer = NOTIFY_FAILED;
    CHECK_INT(inbox_deliver(c, &fake, "node-a", clock_now(), &d), STORE_OK);
    int64_t attempts = 0;
    CHECK_STR(delivery_of(c, &a, id, &attempts, NULL), "failed");
    CHECK_INT(attempts, 1);
    log_set_level(LOG_WARN);
    arena_release(&a);
    store_release(c);
}

static void test_stale_claim(void)
{
    clear_notices();
    struct store_conn *c = store_acquire(st);
    struct arena a;
    arena_init(&a);
    log_set_level(LOG_ERROR);
    int64_t now = clock_now();
    CHECK_INT(post(c, alice, "接手", 0), STORE_OK);
    int64_t id = last_id(c);
    reset_sends(id);
    /* A node claims it and dies before sending. */
    struct notify_message *ms;
    size_t n;
    CHECK_INT(
        inbox_claim(c, &a, "dead", now, now - INBOX_CLAIM_STALE_S, INBOX_SEND_TRIES, 10, &ms, &n),
        STORE_OK);
    CHECK_INT(n, 1);
    CHECK(n == 1 && ms[0].attempt == 1 && ms[0].phone && strcmp(ms[0].phone, "13900000001") == 0);
    struct inbox_delivery d;
    CHECK_INT(inbox_deliver(c, &fake, "live", now + 10, &d), STORE_OK);
    CHECK_INT(d.claimed, 0); /* the claim is fresh */
    CHECK_INT(inbox_deliver(c, &fake, "live", now + INBOX_CLAIM_STALE_S + 1, &d), STORE_OK);
    CHECK_INT(d.claimed, 1);
    CHECK_INT(d.sent, 1);
    int64_t attempts = 0;
    CHECK_STR(delivery_of(c, &a, id, &attempts, NULL), "sent");
    CHECK_INT(attempts, 2);
    /* The dead node wakes up: its claim is gone, it records nothing. */
    CHECK_INT(inbox_mark_sent(c, id, "dead", now), STORE_NOT_FOUND);
    CHECK_INT(inbox_mark_failed(c, id, "dead", "x"), STORE_NOT_FOUND);

    /* Claimed INBOX_SEND_TRIES times by nodes that all died: given up. */
    CHECK_INT(post(c, alice, "放弃", 0), STORE_OK);
    id = last_id(c);
    int64_t t = now;
    for (int i = 0; i < INBOX_SEND_TRIES; i++, t += INBOX_CLAIM_STALE_S + 1) {
        CHECK_INT(
            inbox_claim(c, &a, "dead", t, t - INBOX_CLAIM_STALE_S, INBOX_SEND_TRIES, 10, &ms, &n),
            STORE_OK);
        CHECK_INT(n, 1);
    }
    CHECK_INT(inbox_deliver(c, &fake, "live", t, &d), STORE_OK);
    CHECK_INT(d.gave_up, 1);
    CHECK_INT(d.claimed, 0);
    const char *err = NULL;
    CHECK_STR(delivery_of(c, &a, id, &attempts, &err), "failed");
    CHECK_STR(err, "no_answer");
    log_set_level(LOG_WARN);
    arena_release(&a);
    store_release(c);
}

static void test_skip(void)
{
    clear_notices();
    struct store_conn *c = store_acquire(st);
    struct arena a;
    arena_init(&a);
    int64_t now = clock_now();
    CHECK_INT(post(c, alice, "已读", 0), STORE_OK);
    int64_t read = last_id(c);
    CHECK_INT(post(c, alice, "要发", 0), STORE_OK);
    int64_t send = last_id(c);
    CHECK_INT(post(c, alice, "过期", now + 10), STORE_OK);
    int64_t expired = last_id(c);
    CHECK_INT(inbox_mark_read(c, alice, read, now), STORE_OK);
    reset_sends(read);

    /* "none" sends nothing and leaves them pending (settling only). */
    struct inbox_delivery d;
    CHECK_INT(inbox_deliver(c, &notify_none, "n", now, &d), STORE_OK);
    CHECK_INT(d.claimed, 0);
    CHECK_INT(d.skipped, 1); /* the read one */
    CHECK_STR(delivery_of(c, &a, send, NULL, NULL), "pending");

    CHECK_INT(inbox_deliver(c, &fake, "n", now + 10, &d), STORE_OK);
    CHECK_INT(d.skipped, 1); /* the expired one */
    CHECK_INT(d.sent, 1);
    CHECK_STR(delivery_of(c, &a, read, NULL, NULL), "skipped");
    CHECK_STR(delivery_of(c, &a, send, NULL, NULL), "sent");
    CHECK_STR(delivery_of(c, &a, expired, NULL, NULL), "skipped");
    CHECK_INT(atomic_load(&total_sends), 1);

    /* Too old to be news. */
    CHECK_INT(post(c, alice, "旧闻", 0), STORE_OK);
    int64_t old = last_id(c);
    CHECK_INT(inbox_deliver(c, &fake, "n", now + INBOX_SEND_MAX_AGE_S + 5, &d), STORE_OK);
    CHECK_INT(d.skipped, 1);
    CHECK_STR(delivery_of(c, &a, old, NULL, NULL), "skipped");
    CHECK_INT(atomic_load(&total_sends), 1);
    arena_release(&a);
    store_release(c);
}

/* ---- several nodes at once --------------------------------------------- */

#define NODES 4
#define RACE_NOTICES 600

struct node_run {
    pthread_barrier_t *barrier;
    char name[16];
    int64_t now;
    int64_t sent;
    int errors;
};

static void *node_main(void *v)
{
    struct node_run *nr = v;
    struct store_conn *c = store_acquire(st);
    pthread_barrier_wait(nr->barrier);
    if (!c) {
        nr->errors++;
        return NULL;
    }
    /* Like ticks on several nodes: each round claims what it can; a round
     * that found everything taken by the others ends early. */
    for (int i = 0; i < 200 && atomic_load(&total_sends) < RACE_NOTICES; i++) {
        struct inbox_delivery d;
        int rc = inbox_deliver(c, &fake, nr->name, nr->now, &d);
        if (rc == STORE_BUSY)
            continue; /* a lock wait gave up; the next tick tries again */
        if (rc)
            nr->errors++;
        nr->sent += d.sent;
    }
    store_release(c);
    return NULL;
}

static int post_many_tx(struct store_conn *c, void *v)
{
    int rc = STORE_OK;
    for (int i = 0; !rc && i < RACE_NOTICES; i++)
        rc = post(c, i % 2 ? alice : bob, "并发", 0);
    return rc;
}

static void test_nodes_at_once(void)
{
    clear_notices();
    struct store_conn *c = store_acquire(st);
    CHECK_INT(store_tx(c, post_many_tx, NULL), STORE_OK);
    int64_t first = one_int(c, "SELECT MIN(id) FROM inbox_notices", 0);
    store_release(c);
    reset_sends(first);
    fake_delay_us = 200;
    pthread_barrier_t barrier;
    pthread_barrier_init(&barrier, NULL, NODES);
    struct node_run runs[NODES];
    pthread_t th[NODES];
    int64_t now = clock_now();
    for (int i = 0; i < NODES; i++) {
        runs[i] = (struct node_run){.barrier = &barrier, .now = now};
        snprintf(runs[i].name, sizeof runs[i].name, "node-%d", i);
        pthread_create(&th[i], NULL, node_main, &runs[i]);
    }
    int64_t sent = 0;
    for (int i = 0; i < NODES; i++) {
        pthread_join(th[i], NULL);
        CHECK_INT(runs[i].errors, 0);
        sent += runs[i].sent;
    }
    pthread_barrier_destroy(&barrier);
    fake_delay_us = 0;
    CHECK_INT(sent, RACE_NOTICES);
    CHECK_INT(atomic_load(&total_sends), RACE_NOTICES);
    int twice = 0, never = 0;
    for (int i = 0; i < RACE_NOTICES; i++) {
        int k = atomic_load(&sends[i]);
        twice += k > 1;
        never += k == 0;
    }
    CHECK_INT(twice, 0);
    CHECK_INT(never, 0);
    c = store_acquire(st);
    CHECK_INT(one_int(c,
                      "SELECT COUNT(*) FROM inbox_notices WHERE delivery = 'sent'"
                      " AND delivery_attempts = 1 AND delivery_claimed_by IS NULL",
                      0),
              RACE_NOTICES);
    store_release(c);
    int busy = 0;
    for (int i = 0; i < NODES; i++)
        busy += runs[i].sent > 0;
    printf("  %s: %d nodes took part in delivering %d notices\n", store_dialect(st), busy,
           RACE_NOTICES);
}

/* ---- the two stores ---------------------------------------------------- */

static int setup_people(void)
{
    struct store_conn *c = store_acquire(st);
    if (!c)
        return -1;
    alice = add_person(c, "13900000001");
    bob = add_person(c, "13900000002");
    nophone = add_person(c, NULL);
    store_release(c);
    return alice > 0 && bob > 0 && nophone > 0 ? 0 : -1;
}

static void run_suite(void)
{
    if (store_migrate(st) != STORE_OK || setup_people()) {
        fprintf(stderr, "cannot migrate or add people on %s\n", store_dialect(st));
        test_cases_failed++;
        return;
    }
    RUN(test_post_and_list);
    RUN(test_post_rules);
    RUN(test_post_inside_transaction);
    RUN(test_read_delete_own_only);
    RUN(test_deliver_once);
    RUN(test_retry_then_give_up);
    RUN(test_stale_claim);
    RUN(test_skip);
    RUN(test_nodes_at_once);
}

static void run_sqlite(void)
{
    char path[64] = "/tmp/wh_inbox_test_XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) {
        perror("mkstemp");
        test_cases_failed++;
        return;
    }
    close(fd);
    char url[96], err[200] = "";
    snprintf(url, sizeof url, "sqlite:%s", path);
    st = store_open(url, err, sizeof err);
    if (!st) {
        fprintf(stderr, "cannot open %s: %s\n", url, err);
        test_cases_failed++;
    } else {
        run_suite();
        store_close(st);
        st = NULL;
    }
    static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        char p[96];
        snprintf(p, sizeof p, "%s%s", path, suffixes[i]);
        unlink(p);
    }
}

/* base with its database name replaced by name (malloc'ed). */
static char *pg_url_with_db(const char *base, const char *name)
{
    const char *scheme = strstr(base, "://");
    const char *slash = scheme ? strchr(scheme + 3, '/') : NULL;
    const char *query = strchr(base, '?');
    const char *cut = slash && (!query || slash < query) ? slash : query;
    struct strbuf sb = STRBUF_INIT;
    strbuf_add(&sb, base, cut ? (size_t)(cut - base) : strlen(base));
    strbuf_addf(&sb, "/%s%s", name, query ? query : "");
    return strbuf_detach(&sb, NULL);
}

static void run_pg(const char *base)
{
    char err[300] = "", name[64], sql[160];
    struct store *admin = store_open(base, err, sizeof err);
    if (!admin) {
        fprintf(stderr, "cannot open WARMHARBOR_TEST_PG: %s\n", err);
        test_cases_failed++;
        return;
    }
    snprintf(name, sizeof name, "wh_inbox_test_%ld", (long)getpid());
    struct store_conn *c = store_acquire(admin);
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s", name);
    int rc = c ? store_exec(c, sql, NULL, 0, NULL) : STORE_ERROR;
    snprintf(sql, sizeof sql, "CREATE DATABASE %s", name);
    if (!rc)
        rc = store_exec(c, sql, NULL, 0, NULL);
    store_release(c);
    if (rc) {
        fprintf(stderr, "cannot create database %s\n", name);
        test_cases_failed++;
        store_close(admin);
        return;
    }
    char *url = pg_url_with_db(base, name);
    st = store_open(url, err, sizeof err);
    free(url);
    if (!st) {
        fprintf(stderr, "cannot open the fresh database: %s\n", err);
        test_cases_failed++;
    } else {
        run_suite();
        store_close(st);
        st = NULL;
    }
    c = store_acquire(admin);
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", name);
    if (c)
        store_exec(c, sql, NULL, 0, NULL);
    store_release(c);
    store_close(admin);
}

int main(void)
{
    log_set_level(LOG_WARN);
    run_sqlite();
    const char *pg = getenv("WARMHARBOR_TEST_PG");
    if (pg && *pg)
        run_pg(pg);
    else
        printf("note: WARMHARBOR_TEST_PG not set: the PostgreSQL half is skipped\n");
    return test_report("inbox");
}
