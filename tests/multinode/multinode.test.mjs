// Several warmharbor nodes on one PostgreSQL, behind nginx: what a node
// keeps in memory (the site cache and index, live status, the event
// streams) follows writes made through any other node, and a node killed
// mid-load costs clients that retry nothing.
//
// Needs WARMHARBOR_TEST_PG_DIR (tools/with_pg.sh) and nginx on the PATH.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { startServer, seedDemo, ADMIN_TOKEN } from '../http/lib/server.mjs';

const PGDIR = process.env.WARMHARBOR_TEST_PG_DIR;
assert.ok(PGDIR, 'run under tools/with_pg.sh (WARMHARBOR_TEST_PG_DIR is not set)');

let url, a, b, ngx, ngxDir, ngxPort;

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function poll(fn, what, ms = 1000) {
  const until = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) assert.fail(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

before(async () => {
  const tool = path.resolve(import.meta.dirname, '../../tools/pg_cluster.sh');
  const r = spawnSync('sh', [tool, 'createdb', PGDIR, `wh_multi_${process.pid}`], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  url = r.stdout.trim();
  seedDemo(url);
  // Both nodes start at once: migrations must run once (advisory lock).
  [a, b] = await Promise.all([startServer({ dbPath: url }), startServer({ dbPath: url })]);
  ngxPort = await freePort();
  ngxDir = mkdtempSync(path.join(tmpdir(), 'wh-nginx-'));
  writeFileSync(path.join(ngxDir, 'nginx.conf'), `
worker_processes 1;
pid ${ngxDir}/nginx.pid;
error_log ${ngxDir}/error.log;
daemon off;
events { worker_connections 512; }
http {
  access_log off;
  upstream warmharbor {
    server 127.0.0.1:${a.port} max_fails=1 fail_timeout=5s;
    server 127.0.0.1:${b.port} max_fails=1 fail_timeout=5s;
  }
  server {
    listen 127.0.0.1:${ngxPort};
    location / {
      proxy_pass http://warmharbor;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_next_upstream error timeout http_502 http_503;
      proxy_buffering off;
    }
  }
}`);
  ngx = spawn('nginx', ['-c', path.join(ngxDir, 'nginx.conf'), '-p', ngxDir], { stdio: 'ignore' });
  await poll(async () => {
    try { return (await fetch(`http://127.0.0.1:${ngxPort}/healthz`)).ok; } catch { return false; }
  }, 'nginx up', 10000);
});

after(async () => {
  ngx?.kill('SIGTERM');
  await a?.stop('SIGTERM').catch(() => {});
  await b?.stop('SIGTERM').catch(() => {});
  if (ngxDir) rmSync(ngxDir, { recursive: true, force: true });
});

test('migrations ran once with two nodes starting together', async () => {
  const h = await (await fetch(`${b.base}/healthz`)).json();
  assert.deepEqual(h, { status: 'ok', store: 'pg' });
  assert.equal((await fetch(`${a.base}/api/sites?limit=1`)).status, 200);
});

test('a site written through node A is seen by a query on node B within a second', async () => {
  const adminA = a.client(ADMIN_TOKEN);
  const res = await adminA.post('/api/sites', {
    name_zh: '跨节点测试站', type: 'warm_hut', position: { lat: 34.71, lon: 119.61 },
    amenities: { microwave: 1 },
  });
  assert.equal(res.status, 201);
  const id = res.json.id;
  await poll(async () => {
    const near = await (await fetch(`${b.base}/api/sites/near?lat=34.71&lon=119.61&k=1`)).json();
    return near.items[0]?.id === id;
  }, 'new site in node B\'s index');
  await adminA.patch(`/api/sites/${id}`, { position: { lat: 34.72, lon: 119.62 } });
  await poll(async () => {
    const near = await (await fetch(`${b.base}/api/sites/near?lat=34.72&lon=119.62&k=1`)).json();
    return near.items[0]?.id === id && near.items[0].distance_m < 1;
  }, 'moved site in node B\'s index');
  await adminA.put('/api/holidays/2026-12-16', { kind: 'holiday' });
  await adminA.patch(`/api/sites/${id}`, { opening_hours: 'Mo-Fr 08:00-18:00; PH off' });
  await poll(async () => {
    const at = encodeURIComponent('2026-12-16T10:00:00+08:00');
    const near = await (await fetch(`${b.base}/api/sites/near?lat=34.72&lon=119.62&k=1&at=${at}`)).json();
    return near.items[0]?.id === id && near.items[0].open === false;
  }, 'holiday seen by node B');
  await adminA.del(`/api/sites/${id}`);
  await poll(async () => {
    const near = await (await fetch(`${b.base}/api/sites/near?lat=34.72&lon=119.62&k=1`)).json();
    return near.items[0]?.id !== id;
  }, 'deleted site gone from node B');
});

test('a status report on node A reaches an event stream on node B', async () => {
  const sites = (await (await fetch(`${b.base}/api/sites?amenity=seats&limit=1`)).json()).items;
  const site = sites[0];
  const ctrl = new AbortController();
  const res = await fetch(`${b.base}/api/sites/events`, { signal: ctrl.signal });
  const reader = res.body.getReader();
  const dec = new TextDecoder();
  let buf = '';
  const got = (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return null;
      buf += dec.decode(value);
      const m = /event: status\ndata: (.*)\n\n/.exec(buf);
      if (m) return JSON.parse(m[1]);
    }
  })();
  const posted = await a.client(ADMIN_TOKEN).post(`/api/sites/${site.id}/status`, {
    amenities: [{ code: 'seats', available: 4 }],
  });
  assert.equal(posted.status, 200);
  const timer = setTimeout(() => ctrl.abort(), 2000);
  const ev = await got.catch(() => null);
  clearTimeout(timer);
  ctrl.abort();
  assert.ok(ev, `no status event on node B; stream so far: ${buf}`);
  assert.equal(ev.site_id, site.id);
  assert.ok(ev.amenities.some((x) => x.code === 'seats' && x.available === 4));
  const live = await (await fetch(`${b.base}/api/sites/near?lat=${site.position.lat}&lon=${site.position.lon}&k=1`)).json();
  assert.ok(live.items[0].live.amenities.some((x) => x.code === 'seats' && x.available === 4),
    'node B\'s cache has the report');
});

test('sessions and sign-in lockouts are shared: a token from A works on B, failures on A lock B', async () => {
  const login = await a.client().post('/api/auth/login', { phone: '13800000000', password: 'test-admin-password-1', bearer: true });
  assert.equal(login.status, 200, login.text);
  const me = await b.client(login.json.token).get('/api/me');
  assert.equal(me.status, 200);
  assert.equal((await a.client(login.json.token).post('/api/auth/logout')).status, 204);
  assert.equal((await b.client(login.json.token).get('/api/me')).status, 401, 'signed out on A is signed out on B');
  for (let i = 0; i < 5; i++)
    assert.equal((await a.client().post('/api/auth/login', { phone: '13912120000', password: `wrong-${i}-xxxxxx` })).status, 401);
  const locked = await b.client().post('/api/auth/login', { phone: '13912120000', password: 'whatever-xxxxx' });
  assert.equal(locked.status, 429, 'the lockout made on A holds on B');
});

test('killing node A mid-load fails no request for clients that retry', async () => {
  const base = `http://127.0.0.1:${ngxPort}`;
  let ok = 0, failed = 0, retried = 0;
  async function one(i) {
    for (let attempt = 0; attempt < 4; attempt++) {
      try {
        const r = await fetch(`${base}/api/sites/near?lat=34.6&lon=119.2&k=3&n=${i}`);
        if (r.status === 200) { await r.json(); ok++; return; }
      } catch { /* connection reset: retry */ }
      retried++;
      await new Promise((r) => setTimeout(r, 50 * (attempt + 1)));
    }
    failed++;
  }
  const load = (async () => {
    for (let round = 0; round < 40; round++) {
      await Promise.all(Array.from({ length: 8 }, (_, k) => one(round * 8 + k)));
    }
  })();
  await new Promise((r) => setTimeout(r, 150));
  a.proc.kill('SIGKILL');
  await load;
  assert.equal(failed, 0, `failed ${failed}, retried ${retried}`);
  assert.equal(ok, 320);
  // Node B alone still answers writes and reads through nginx.
  const r = await fetch(`${base}/api/sites?limit=1`);
  assert.equal(r.status, 200);
});
