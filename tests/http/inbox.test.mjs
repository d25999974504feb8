// The inbox (src/inbox/): a person's notices, as the person and the office
// see them over HTTP. Notices are made through something real: a system
// admin's message to a person (POST /api/users/{id}/notices), which goes
// through inbox_add like every module's inbox_post.
//   - list (newest first, the cursor, unread only, expired hidden), read,
//     read-all, delete; another person's notice is 404 whatever the id
//   - the event stream: my notices reach my stream and nobody else's, nor
//     the map's public stream, nor a replay with Last-Event-ID
//   - delivery with WARMHARBOR_NOTIFY=log on the tick (test clock): once,
//     phone masked; a notice read first is skipped
//   - export holds my notices; erase removes them from the store
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { startServer, ADMIN_TOKEN, STORE, expectStatus, assertError, sleep } from './lib/server.mjs';

// The ticker never fires by itself during a test: ticks run when the test
// moves the clock (POST /api/system/clock), so what they do is decided here.
const ENV = { WARMHARBOR_NOTIFY: 'log', WARMHARBOR_TEST_CLOCK: '1', WARMHARBOR_TICK_S: '3600' };

async function setup(opts = {}) {
  const srv = await startServer({ env: ENV, ...opts });
  const admin = srv.client(ADMIN_TOKEN);
  const person = async (phone) => {
    const client = srv.client(srv.user(phone));
    return { client, id: (await client.get('/api/me')).json.id, phone };
  };
  const a = await person('13955550001');
  const b = await person('13955550002');
  const send = async (to, body) => {
    const res = await admin.post(`/api/users/${to.id}/notices`, { title_en: 'A message', ...body });
    assert.equal(res.status, 201, res.text);
    return res.json;
  };
  return { srv, admin, a, b, send };
}

/** One value from the store, by the engine's own client (black box but
 * for this look inside, to show what an erase left). */
function storeValue(srv, sql) {
  const r = STORE === 'pg'
    ? spawnSync('psql', [srv.dbPath, '-At', '-c', sql], { encoding: 'utf8' })
    : spawnSync('sqlite3', ['-readonly', srv.dbPath, sql], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

/** An open event stream: events as {id, event, data} in arrival order. */
async function openStream(base, token, headers = {}) {
  const ctrl = new AbortController();
  const res = await fetch(base, {
    signal: ctrl.signal,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
  });
  const s = { status: res.status, raw: '', events: [], close: () => ctrl.abort() };
  if (res.status !== 200) {
    await res.text().catch(() => {});
    return s;
  }
  assert.match(res.headers.get('content-type'), /^text\/event-stream/);
  const reader = res.body.getReader();
  const dec = new TextDecoder();
  (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        s.raw += dec.decode(value, { stream: true });
        let end;
        while ((end = s.raw.indexOf('\n\n', s.parsed || 0)) >= 0) {
          const block = s.raw.slice(s.parsed || 0, end);
          s.parsed = end + 2;
          const ev = {};
          for (const line of block.split('\n')) {
            const m = /^(id|event|data): ?(.*)$/.exec(line);
            if (m) ev[m[1]] = m[2];
          }
          if (ev.event) s.events.push({ ...ev, data: JSON.parse(ev.data) });
        }
      }
    } catch {
      /* aborted */
    }
  })();
  s.waitFor = async (pred, what) => {
    for (let i = 0; i < 500; i++) {
      const hit = s.events.find(pred);
      if (hit) return hit;
      await sleep(10);
    }
    assert.fail(`no ${what} on the stream; got: ${s.raw.slice(-2000)}`);
  };
  return s;
}

test('inbox: the office sends, I list, read, read all and delete; others see nothing of mine', async () => {
  const { srv, admin, a, b, send } = await setup();
  try {
    // The office's route: system admins only, checked fields, a real person.
    const first = await send(a, { title_zh: '欢迎', body_zh: '正文', body_en: 'Body', link: '/#/bookings/12' });
    assert.equal(first.kind, 'office_message');
    assert.equal(first.title_zh, '欢迎');
    assert.equal(first.link, '/#/bookings/12');
    assert.equal(first.read, false);
    assert.equal(first.read_at, null);
    assert.equal(first.expires_at, null);
    assertError(await a.client.post(`/api/users/${b.id}/notices`, { title_zh: 'x', title_en: 'x' }), 403, 'forbidden');
    assertError(await admin.post(`/api/users/${a.id}/notices`, { title_en: 'x' }), 422, 'missing_field', 'title_zh');
    assertError(await admin.post(`/api/users/${a.id}/notices`, { title_zh: '', title_en: 'x' }), 422, 'missing_field', 'title_zh');
    for (const link of ['//evil.example/x', 'https://evil.example', 'javascript:alert(1)', '/a b'])
      assertError(await admin.post(`/api/users/${a.id}/notices`, { title_zh: 'x', title_en: 'x', link }), 422, 'invalid_field', 'link');
    assertError(await admin.post(`/api/users/${a.id}/notices`, { title_zh: 'x', title_en: 'x', expires_at: '2000-01-01T00:00:00+08:00' }), 422, 'invalid_field', 'expires_at');
    assertError(await admin.post(`/api/users/${a.id}/notices`, { title_zh: 'x', title_en: 'x', kind: 'queue_called' }), 422, 'unknown_field', 'kind');
    assertError(await admin.post(`/api/users/${a.id}/notices`, { title_zh: 'x'.repeat(201), title_en: 'x' }), 422, 'too_long', 'title_zh');
    assertError(await admin.post('/api/users/999999/notices', { title_zh: 'x', title_en: 'x' }), 404, 'not_found');
    assertError(await admin.post('/api/users/abc/notices', { title_zh: 'x', title_en: 'x' }), 404, 'not_found');

    const ids = [first.id];
    for (const t of ['二', '三', '四']) ids.push((await send(a, { title_zh: t })).id);
    const bs = await send(b, { title_zh: '给B' });

    let list = expectStatus(await a.client.get('/api/me/inbox'), 200).json;
    assert.deepEqual(list.items.map((n) => n.id), [...ids].reverse(), 'newest first, only mine');
    assert.equal(list.unread, 4);
    assert.equal(list.next_before, null);
    const page = (await a.client.get('/api/me/inbox?limit=2')).json;
    assert.deepEqual(page.items.map((n) => n.id), [ids[3], ids[2]]);
    assert.equal(page.next_before, ids[2]);
    const rest = (await a.client.get(`/api/me/inbox?limit=2&before=${page.next_before}`)).json;
    assert.deepEqual(rest.items.map((n) => n.id), [ids[1], ids[0]]);
    assertError(await a.client.get('/api/me/inbox?unread=2'), 400, 'invalid_query', 'unread');
    assertError(await a.client.get('/api/me/inbox?limit=0'), 400, 'invalid_query', 'limit');
    assertError(await a.client.get('/api/me/inbox?limit=101'), 400, 'invalid_query', 'limit');
    assertError(await a.client.get('/api/me/inbox?before=x'), 400, 'invalid_query', 'before');
    assertError(await srv.client().get('/api/me/inbox'), 401, 'unauthorized');

    // B's notice, by its id, from A: as if it did not exist.
    assertError(await a.client.post(`/api/me/inbox/${bs.id}/read`, {}), 404, 'not_found');
    assertError(await a.client.del(`/api/me/inbox/${bs.id}`), 404, 'not_found');
    assertError(await a.client.post('/api/me/inbox/999999/read', {}), 404, 'not_found');
    assertError(await a.client.del('/api/me/inbox/abc'), 404, 'not_found');
    const bList = (await b.client.get('/api/me/inbox')).json;
    assert.deepEqual(bList.items.map((n) => n.id), [bs.id]);
    assert.equal(bList.unread, 1, 'B\'s notice is still unread');

    const read = expectStatus(await a.client.post(`/api/me/inbox/${ids[1]}/read`, {}), 200).json;
    assert.equal(read.id, ids[1]);
    assert.equal(read.read, true);
    assert.ok(read.read_at);
    const again = expectStatus(await a.client.post(`/api/me/inbox/${ids[1]}/read`, {}), 200).json;
    assert.equal(again.read_at, read.read_at, 'read once: the first time is kept');
    const unread = (await a.client.get('/api/me/inbox?unread=1')).json;
    assert.deepEqual(unread.items.map((n) => n.id), [ids[3], ids[2], ids[0]]);
    assert.equal(unread.unread, 3);

    const all = expectStatus(await a.client.post('/api/me/inbox/read-all', {}), 200).json;
    assert.deepEqual(all, { marked: 3, unread: 0 });
    assert.deepEqual((await a.client.post('/api/me/inbox/read-all', {})).json, { marked: 0, unread: 0 });
    assert.equal((await b.client.get('/api/me/inbox')).json.unread, 1, 'read-all is mine only');

    expectStatus(await a.client.del(`/api/me/inbox/${ids[0]}`), 204);
    assertError(await a.client.del(`/api/me/inbox/${ids[0]}`), 404, 'not_found');
    list = (await a.client.get('/api/me/inbox')).json;
    assert.deepEqual(list.items.map((n) => n.id), [ids[3], ids[2], ids[1]]);

    // Expiry: shown until then, hidden after (and purged by the tick).
    const soon = new Date(Date.now() + 60_000).toISOString();
    const brief = await send(a, { title_zh: '限时', expires_at: soon });
    assert.ok(brief.expires_at);
    assert.equal((await a.client.get('/api/me/inbox')).json.items[0].id, brief.id);
    expectStatus(await admin.post('/api/system/clock', { advance_s: 120 }), 200);
    list = (await a.client.get('/api/me/inbox')).json;
    assert.ok(!list.items.some((n) => n.id === brief.id), 'an expired notice is hidden');
    assertError(await a.client.post(`/api/me/inbox/${brief.id}/read`, {}), 404, 'not_found');
    assert.equal(storeValue(srv, `SELECT COUNT(*) FROM inbox_notices WHERE id = ${brief.id}`), '0', 'purged');
  } finally {
    await srv.stop();
  }
});

test('inbox: the office\'s message is kept under Idempotency-Key and audited', async () => {
  const { srv, admin, a } = await setup();
  try {
    const key = { headers: { 'idempotency-key': 'notice-1' } };
    const body = { title_zh: '一次', title_en: 'Once' };
    const first = await admin.post(`/api/users/${a.id}/notices`, body, key);
    assert.equal(first.status, 201);
    const retry = await admin.post(`/api/users/${a.id}/notices`, body, key);
    assert.equal(retry.status, 201);
    assert.equal(retry.headers.get('idempotent-replayed'), 'true');
    assert.deepEqual(retry.json, first.json);
    assert.equal((await a.client.get('/api/me/inbox')).json.items.length, 1, 'one notice, not two');
    const audit = (await admin.get('/api/audit')).json.items;
    assert.ok(audit.some((e) => e.action === 'send_notice' && e.target_id === String(a.id)), 'audited');
  } finally {
    await srv.stop();
  }
});

test('inbox events: my stream gets my notices and nobody else\'s; the map\'s stream gets none', async () => {
  const { srv, admin, a, b, send } = await setup({ demo: true });
  const streams = [];
  try {
    const url = `${srv.base}/api/me/inbox/events`;
    assert.equal((await openStream(url, null)).status, 401);
    const sa = await openStream(url, a.client.token);
    const sb = await openStream(url, b.client.token);
    const map = await openStream(`${srv.base}/api/sites/events`, null);
    streams.push(sa, sb, map);
    assert.equal(sa.status, 200);
    await sleep(100); // the streams are registered before anything is sent

    // B's first, then A's: when A's own event arrives, B's has passed A's
    // stream in the hub's order, so its absence is not a matter of time.
    const toB = await send(b, { title_zh: '给B的私信', body_zh: 'B的秘密' });
    const toA = await send(a, { title_zh: '给A的通知', link: '/#/bookings/3' });
    const ev = await sa.waitFor((e) => e.event === 'notice', 'notice for A');
    assert.equal(ev.data.id, toA.id);
    assert.equal(ev.data.title_zh, '给A的通知');
    assert.equal(ev.data.link, '/#/bookings/3');
    assert.equal(ev.data.unread, 1);
    const evB = await sb.waitFor((e) => e.event === 'notice', 'notice for B');
    assert.equal(evB.data.id, toB.id);
    // One more for B after A's, so B's stream has passed A's too.
    await send(b, { title_zh: '再给B' });
    await sb.waitFor((e) => e.event === 'notice' && e.data.title_zh === '再给B', 'second notice for B');

    // Reading changes my unread count on my streams only.
    expectStatus(await a.client.post(`/api/me/inbox/${toA.id}/read`, {}), 200);
    const u = await sa.waitFor((e) => e.event === 'unread', 'unread count for A');
    assert.equal(u.data.unread, 0);

    // The map's stream: a public event after all of these, then nothing personal in it.
    const site = (await admin.get('/api/sites?amenity=seats&limit=1')).json.items[0];
    expectStatus(await admin.post(`/api/sites/${site.id}/status`, { amenities: [{ code: 'seats', available: 2 }] }), 200);
    await map.waitFor((e) => e.event === 'status', 'a public status event');

    assert.ok(!sa.raw.includes('给B') && !sa.raw.includes('B的秘密'), `A's stream holds B's notice:\n${sa.raw}`);
    assert.ok(!sa.events.some((e) => e.data.id === toB.id));
    assert.ok(!sb.raw.includes('给A'), `B's stream holds A's notice:\n${sb.raw}`);
    assert.ok(!sb.events.some((e) => e.event === 'unread'), 'A\'s read is not told to B');
    assert.ok(!map.events.some((e) => e.event === 'notice' || e.event === 'unread'), 'the map stream carries nothing personal');
    assert.ok(!map.raw.includes('给'), `the map stream holds a notice:\n${map.raw}`);
    assert.ok(!sa.events.some((e) => e.event === 'status' || e.event === 'site'), 'my stream is mine, not the map\'s');

    // A replay from the start of the ring (Last-Event-ID) is filtered as well.
    const replay = await openStream(url, a.client.token, { 'last-event-id': '0' });
    streams.push(replay);
    await replay.waitFor((e) => e.event === 'unread', 'A\'s replayed events');
    assert.deepEqual(replay.events.map((e) => e.event), ['notice', 'unread']);
    assert.ok(!replay.raw.includes('给B'));
  } finally {
    for (const s of streams) s.close();
    await srv.stop();
  }
});

test('inbox delivery: the log provider sends each notice once on the tick, phone masked', async () => {
  const { srv, admin, a, b, send } = await setup();
  try {
    const one = await send(a, { title_zh: '取件提醒', link: '/#/bookings/9' });
    const read = await send(b, { title_zh: '已读不发' });
    expectStatus(await b.client.post(`/api/me/inbox/${read.id}/read`, {}), 200);
    const lines = () => srv.stderr.split('\n').filter((l) => l.includes('notify log: notice'));
    assert.equal(lines().length, 0, 'nothing is sent before the tick');

    expectStatus(await admin.post('/api/system/clock', { advance_s: 0 }), 200);
    const sent = lines();
    assert.equal(sent.length, 1, sent.join('\n'));
    const msg = JSON.parse(sent[0]).msg;
    assert.match(msg, new RegExp(`notice ${one.id} to 139\\*\\*\\*\\*0001 \\(office_message, attempt 1\\): 取件提醒 -> /#/bookings/9`));
    assert.ok(!srv.stderr.includes('13955550001'), 'the whole phone number never reaches the log');

    // More ticks, on more clocks: never again.
    expectStatus(await admin.post('/api/system/clock', { advance_s: 3600 }), 200);
    expectStatus(await admin.post('/api/system/clock', { advance_s: 0 }), 200);
    assert.equal(lines().length, 1);

    const mine = (await a.client.get('/api/me/export')).json.inbox.notices;
    assert.equal(mine.length, 1);
    assert.equal(mine[0].delivery, 'sent');
    assert.equal(mine[0].delivery_attempts, 1);
    assert.ok(mine[0].delivered_at);
    assert.equal(mine[0].delivery_error, null);
    const theirs = (await b.client.get('/api/me/export')).json.inbox.notices;
    assert.equal(theirs[0].delivery, 'skipped', 'read in the app before the tick: not sent');
    assert.equal(theirs[0].delivery_attempts, 0);
  } finally {
    await srv.stop();
  }
});

test('inbox: an unknown WARMHARBOR_NOTIFY stops the server from starting', async () => {
  await assert.rejects(startServer({ env: { WARMHARBOR_NOTIFY: 'carrier-pigeon' } }), /no such notification provider/);
});

test('inbox: my notices are in my export and go with my erase', async () => {
  const { srv, a, b, send } = await setup();
  try {
    const secret = `私人通知-${process.pid}`;
    const n = await send(a, { title_zh: secret, body_zh: '只给A', link: '/#/bookings/5' });
    await send(b, { title_zh: '给B' });
    const exp = expectStatus(await a.client.get('/api/me/export'), 200).json;
    assert.deepEqual(exp.inbox.notices.map((x) => x.id), [n.id], 'mine, and only mine');
    const x = exp.inbox.notices[0];
    assert.equal(x.title_zh, secret);
    assert.equal(x.body_zh, '只给A');
    assert.equal(x.delivery, 'pending');
    assert.ok('delivered_at' in x && 'delivery_error' in x);

    expectStatus(await a.client.del('/api/me?confirm=1'), 204);
    assert.equal(storeValue(srv, `SELECT COUNT(*) FROM inbox_notices WHERE user_id = ${a.id}`), '0');
    assert.equal(storeValue(srv, `SELECT COUNT(*) FROM inbox_notices WHERE user_id = ${b.id}`), '1', 'B keeps theirs');
    if (STORE === 'sqlite') {
      for (const f of [srv.dbPath, `${srv.dbPath}-wal`]) {
        let bytes;
        try { bytes = readFileSync(f); } catch { continue; }
        assert.equal(bytes.indexOf(Buffer.from(secret)), -1, `${f} still holds the notice`);
      }
    }
    // Nobody to tell any more.
    assertError(await srv.client(ADMIN_TOKEN).post(`/api/users/${a.id}/notices`, { title_zh: 'x', title_en: 'x' }), 404, 'not_found');
  } finally {
    await srv.stop();
  }
});
