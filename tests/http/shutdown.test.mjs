// Graceful shutdown: SIGTERM stops accepting, lets requests in flight
// finish, closes the store and exits 0; what was answered 201 is stored.
import { describe, it, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import path from 'node:path';
import {
  startServer, ADMIN_TOKEN, realToken, expectStatus, listAll, makeTempDir, removeTempDir, seedDemo, sleep,
} from './lib/server.mjs';
import { parseCsv } from './lib/csv.mjs';

const KEYS = [
  'id', 'name_zh', 'name_en', 'type', 'region', 'address_zh', 'position', 'phone', 'description',
  'capacity', 'status', 'public', 'opening_hours', 'amenities', 'photos', 'created_at',
];
const pick = (o) => Object.fromEntries(KEYS.map((k) => [k, o[k]]));

/** Wait (bounded) until text() matches re. */
async function waitFor(text, re, what) {
  for (let i = 0; i < 3000; i++) {
    if (re.test(text())) return;
    await sleep(5);
  }
  assert.fail(`timed out waiting for ${what}`);
}

/** Resolves true when a TCP connection to port is refused. */
function refused(port) {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', (e) => resolve(e.code === 'ECONNREFUSED'));
  });
}

/** One keep-alive HTTP/1.1 connection for sending requests one at a time. */
class RawConn {
  constructor(port) {
    this.port = port;
    this.buf = Buffer.alloc(0);
    this.waiter = null;
    this.closed = false;
  }

  open() {
    return new Promise((resolve, reject) => {
      this.sock = net.connect({ host: '127.0.0.1', port: this.port });
      this.sock.once('connect', resolve);
      this.sock.once('error', reject);
      this.sock.on('error', () => {});
      this.sock.on('data', (d) => {
        this.buf = Buffer.concat([this.buf, d]);
        this.check();
      });
      this.sock.on('close', () => {
        this.closed = true;
        this.check();
      });
    });
  }

  check() {
    if (!this.waiter) return;
    const end = this.buf.indexOf('\r\n\r\n');
    if (end >= 0) {
      const head = this.buf.subarray(0, end).toString('latin1');
      const len = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
      if (this.buf.length >= end + 4 + len) {
        const status = Number(head.slice(9, 12));
        const body = this.buf.subarray(end + 4, end + 4 + len).toString('utf8');
        this.buf = this.buf.subarray(end + 4 + len);
        const w = this.waiter;
        this.waiter = null;
        return w.resolve({ status, body });
      }
    }
    if (this.closed) {
      const w = this.waiter;
      this.waiter = null;
      w.resolve({ closedWithoutAnswer: true });
    }
  }

  request(text) {
    return new Promise((resolve) => {
      this.waiter = { resolve };
      this.sock.write(text);
      this.check();
    });
  }

  destroy() {
    this.sock?.destroy();
  }
}

function siteBody(i) {
  return {
    name_zh: `关停测试站点${i}号`,
    name_en: `Shutdown test ${i}`,
    type: 'community_station',
    region: 'HZ-XF-02',
    address_zh: `幸福路${i}号`,
    position: { lat: 34.5 + i / 1000, lon: 119.1 + i / 1000 },
    phone: `0518-8500${String(i).padStart(4, '0')}`,
    description: `第${i}号：${'说明'.repeat(500)}`,
    capacity: i,
    public: i % 2 === 0,
    opening_hours: 'Mo-Fr 08:00-18:00; PH off',
    amenities: { wifi: true, seats: i + 1, microwave: true },
    photos: [`https://img.example.com/${i}/a.jpg`, `https://img.example.com/${i}/b.jpg`],
  };
}

describe('shutdown', () => {
  const dirs = [];
  afterEach(() => {
    while (dirs.length) removeTempDir(dirs.pop());
  });

  function freshDb() {
    const dir = makeTempDir();
    dirs.push(dir);
    const dbPath = path.join(dir, 'shutdown.db');
    seedDemo(dbPath);
    return dbPath;
  }

  it('SIGTERM during ~50 concurrent POSTs: exit 0, and every 201 is stored intact after a restart', async (t) => {
    const dbPath = freshDb();
    const srv = await startServer({ dbPath, threads: 4 });
    const admin = srv.client(ADMIN_TOKEN);
    const baseline = expectStatus(await admin.get('/api/sites?status=any&limit=1'), 200).json.total;

    const N = 50;
    const results = new Array(N);
    const inflight = [];
    let firstAnswer;
    const first = new Promise((r) => (firstAnswer = r));
    for (let i = 0; i < N; i++) {
      inflight.push(
        fetch(`${srv.base}/api/sites`, {
          method: 'POST',
          headers: { authorization: `Bearer ${realToken(ADMIN_TOKEN)}`, 'content-type': 'application/json' },
          body: JSON.stringify(siteBody(i)),
        })
          .then(async (res) => {
            results[i] = { status: res.status, body: await res.text() };
          })
          .catch((e) => {
            results[i] = { error: e.cause?.code || e.code || e.message };
          })
          .finally(() => firstAnswer()),
      );
    }
    await first; // the first answer is in: the rest are in flight or queued
    srv.proc.kill('SIGTERM');
    const exit = await srv.exited;
    await Promise.all(inflight);

    assert.deepEqual(exit, { code: 0, signal: null }, `exit after SIGTERM; stderr:\n${srv.stderr}`);
    assert.match(srv.stderr, /"msg":"signal 15: stopping"/);
    assert.match(srv.stderr, /"msg":"stopped"/);
    assert.doesNotMatch(srv.stderr, /requests still open/);
    await srv.stop(); // bookkeeping + sanitizer check; the process is gone

    const created = [];
    for (let i = 0; i < N; i++) {
      const r = results[i];
      assert.ok(r, `request ${i} settled`);
      if (r.error) continue; // never got in: refused or cut before it started
      assert.equal(r.status, 201, `request ${i}: ${r.status} ${r.body.slice(0, 300)}`);
      created.push({ i, site: JSON.parse(r.body) });
    }
    assert.ok(created.length >= 1, 'at least one POST was answered 201');
    t.diagnostic(`answered 201: ${created.length}; not served: ${N - created.length} ` +
      `(${[...new Set(results.filter((r) => r.error).map((r) => r.error))].join(', ') || '-'})`);

    // Restart on the same database.
    const again = await startServer({ dbPath, threads: 4 });
    try {
      const c = again.client(ADMIN_TOKEN);
      const all = await listAll(c, '/api/sites?status=any');
      assert.ok(all.total >= baseline + created.length, 'every answered POST was stored');
      assert.ok(all.total <= baseline + N, 'no more sites than POSTs');
      assert.equal(all.items.length, all.total);
      const mine = all.items.filter((s) => s.name_zh.startsWith('关停测试站点'));
      assert.equal(mine.length, all.total - baseline, 'every new site is one of ours');
      // A POST stored although its client got no answer is a shutdown race
      // (see "a request begun before the drain check" below); report it.
      if (all.total > baseline + created.length)
        t.diagnostic(`stored but never answered: ${all.total - baseline - created.length}`);
      assert.equal(new Set(all.items.map((s) => s.id)).size, all.total, 'ids are unique');
      for (const s of mine) {
        // whatever was stored is whole: amenities and photos came with it
        assert.equal(s.amenities.length, 3, `site ${s.id} amenities`);
        assert.equal(s.photos.length, 2, `site ${s.id} photos`);
      }
      for (const { i, site } of created) {
        const g = expectStatus(await c.get(`/api/sites/${site.id}`), 200).json;
        assert.deepEqual(pick(g), pick(site), `site of request ${i}`);
        assert.equal(g.name_zh, `关停测试站点${i}号`);
        assert.deepEqual(g.amenities.map((m) => m.code).sort(), ['microwave', 'seats', 'wifi']);
        assert.equal(g.photos.length, 2);
      }
      // Search, export and writes still work on the reopened store.
      const q = expectStatus(await c.get(`/api/sites?status=any&limit=1000&q=${encodeURIComponent('关停测试站点')}`), 200);
      assert.deepEqual(q.json.items.map((s) => s.id), mine.map((s) => s.id));
      const csv = expectStatus(await c.get('/api/sites/export'), 200).text;
      assert.equal(parseCsv(csv).length - 1, all.total);
      const n = expectStatus(await c.post('/api/sites', siteBody(999)), 201).json;
      assert.ok(n.id > Math.max(...all.items.map((s) => s.id)) - 1);
      expectStatus(await c.get('/healthz'), 200);
      again.assertHealthy();
    } finally {
      const e = await again.stop();
      assert.deepEqual(e, { code: 0, signal: null });
    }
  });

  it('every request sent on an accepted connection before SIGTERM gets an answer', async (t) => {
    const dbPath = freshDb();
    const srv = await startServer({ dbPath, threads: 4 });
    const N = 50;
    const conns = [];
    try {
      // 50 keep-alive connections, each proven accepted by a first answer.
      for (let i = 0; i < N; i++) {
        const c = new RawConn(srv.port);
        await c.open();
        const r = await c.request('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
        assert.equal(r.status, 200);
        conns.push(c);
      }
      // Now a POST on every connection at once; SIGTERM at the first answer.
      let firstAnswer;
      const first = new Promise((r) => (firstAnswer = r));
      const answers = conns.map((c, i) => {
        const body = JSON.stringify(siteBody(100 + i));
        return c.request(
          `POST /api/sites HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${realToken(ADMIN_TOKEN)}\r\n` +
            `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
        ).then((r) => {
          firstAnswer();
          return r;
        });
      });
      await first;
      srv.proc.kill('SIGTERM');
      const results = await Promise.all(answers);
      const exit = await srv.exited;
      assert.deepEqual(exit, { code: 0, signal: null });
      const dropped = results.filter((r) => r.closedWithoutAnswer).length;
      const statuses = results.filter((r) => !r.closedWithoutAnswer).map((r) => r.status);
      t.diagnostic(`answered: ${statuses.length} (${[...new Set(statuses)].join(', ')}); closed without an answer: ${dropped}`);
      assert.equal(dropped, 0,
        `${dropped} of ${N} POSTs, sent on connections the server had accepted before SIGTERM, ` +
        'had their connection closed without any answer');
      assert.ok(statuses.every((st) => st === 201), `statuses: ${statuses}`);
      for (const c of conns) c.destroy();
      await srv.stop();
      const again = await startServer({ dbPath });
      try {
        const c = again.client();
        for (const r of results) {
          const sent = JSON.parse(r.body);
          const g = expectStatus(await c.get(`/api/sites/${sent.id}`), 200).json;
          assert.deepEqual(pick(g), pick(sent));
        }
      } finally {
        await again.stop();
      }
    } finally {
      for (const c of conns) c.destroy();
      await srv.stop().catch(() => {});
    }
  });

  it('a request whose headers are still arriving at SIGTERM is finished, not dropped', async () => {
    const dbPath = freshDb();
    const srv = await startServer({ dbPath, threads: 2 });
    const c = new RawConn(srv.port);
    try {
      await c.open();
      // The connection is accepted and served once (keep-alive) ...
      assert.equal((await c.request('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n')).status, 200);
      // ... then the next request starts: its first header lines are sent.
      const body = JSON.stringify(siteBody(42));
      const head =
        `POST /api/sites HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${realToken(ADMIN_TOKEN)}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n`;
      const answer = c.request(head);
      srv.proc.kill('SIGTERM');
      await waitFor(() => srv.stderr, /"msg":"signal 15: stopping"/, 'the stopping line');
      // The rest of the request follows at once; the grace period is 10 s.
      c.sock.write(`Connection: close\r\n\r\n${body}`);
      const r = await answer;
      const exit = await srv.exited;
      assert.deepEqual(exit, { code: 0, signal: null });
      assert.ok(!r.closedWithoutAnswer,
        'the server closed the connection of a request it had begun to receive, without an answer');
      assert.equal(r.status, 201, r.body);
    } finally {
      c.destroy();
      await srv.stop().catch(() => {});
    }
  });

  it('after SIGTERM new connections are refused while a request in flight still finishes', async () => {
    const dbPath = freshDb();
    const srv = await startServer({ dbPath });
    const body = Buffer.from(JSON.stringify(siteBody(7)));
    const half = Math.floor(body.length / 2);
    // A request whose body is half sent: the server has begun it.
    const sock = net.connect({ host: '127.0.0.1', port: srv.port });
    await new Promise((r) => sock.once('connect', r));
    const answer = [];
    const closed = new Promise((r) => sock.once('close', r));
    sock.on('data', (d) => answer.push(d));
    // With "Expect: 100-continue" the server answers "100 Continue" once it
    // has begun the request, so we know it is in flight.
    sock.write(
      `POST /api/sites HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${realToken(ADMIN_TOKEN)}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n` +
        'Expect: 100-continue\r\nConnection: close\r\n\r\n',
    );
    await waitFor(() => Buffer.concat(answer).toString(), /^HTTP\/1\.1 100 /, '100 Continue');
    answer.length = 0;
    sock.write(body.subarray(0, half));

    srv.proc.kill('SIGTERM');
    await waitFor(() => srv.stderr, /"msg":"signal 15: stopping"/, 'the stopping line');
    let isRefused = false;
    for (let i = 0; i < 400 && !isRefused; i++) {
      isRefused = await refused(srv.port);
      if (!isRefused) await sleep(5);
    }
    assert.ok(isRefused, 'new connections are refused after SIGTERM');
    assert.equal(srv.exitInfo, null, 'still running while a request is in flight');

    sock.end(body.subarray(half));
    await closed;
    const text = Buffer.concat(answer).toString('utf8');
    assert.match(text, /^HTTP\/1\.1 201 /, text.slice(0, 300));
    const site = JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4));
    const exit = await srv.exited;
    assert.deepEqual(exit, { code: 0, signal: null });
    assert.doesNotMatch(srv.stderr, /requests still open/);
    await srv.stop();

    const again = await startServer({ dbPath });
    try {
      const g = expectStatus(await again.client().get(`/api/sites/${site.id}`), 200).json;
      assert.equal(g.name_zh, '关停测试站点7号');
    } finally {
      await again.stop();
    }
  });

  it('a request that outlives WARMHARBOR_SHUTDOWN_GRACE is cut off and the server still exits 0', async () => {
    const dbPath = freshDb();
    const srv = await startServer({ dbPath, env: { WARMHARBOR_SHUTDOWN_GRACE: '1' } });
    const sock = net.connect({ host: '127.0.0.1', port: srv.port });
    await new Promise((r) => sock.once('connect', r));
    sock.on('error', () => {});
    const got = [];
    sock.on('data', (d) => got.push(d));
    const closed = new Promise((r) => sock.once('close', r));
    sock.write(
      `POST /api/sites HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${realToken(ADMIN_TOKEN)}\r\n` +
        'Content-Type: application/json\r\nContent-Length: 1000\r\nExpect: 100-continue\r\n\r\n',
    );
    await waitFor(() => Buffer.concat(got).toString(), /^HTTP\/1\.1 100 /, '100 Continue');
    sock.write('{"name_zh":'); // and never the rest
    srv.proc.kill('SIGTERM');
    const exit = await srv.exited;
    assert.deepEqual(exit, { code: 0, signal: null }, srv.stderr);
    assert.match(srv.stderr, /stopping with 1 requests still open/);
    await closed;
    await srv.stop();
    // The store was closed properly: it opens and answers.
    const again = await startServer({ dbPath });
    try {
      expectStatus(await again.client().get('/healthz'), 200);
      expectStatus(await again.client().get('/api/sites?limit=1'), 200);
    } finally {
      await again.stop();
    }
  });

  it('SIGINT stops gracefully too; an idle server exits 0 at once', async () => {
    for (const sig of ['SIGINT', 'SIGTERM']) {
      const srv = await startServer({});
      expectStatus(await srv.client().get('/healthz'), 200);
      const e = await srv.stop(sig);
      assert.deepEqual(e, { code: 0, signal: null }, `${sig}: ${srv.stderr}`);
      assert.match(srv.stderr, new RegExp(`"msg":"signal ${sig === 'SIGINT' ? 2 : 15}: stopping"`));
      assert.match(srv.stderr, /"msg":"stopped"/);
    }
  });
});
