// Bookings across two warmharbor nodes on one PostgreSQL, behind nginx:
// people racing for seats through both nodes get exactly the seats there
// are and one unbroken queue, and the two nodes' timed work, running at
// the same moment, passes every expired offer's seat on exactly once.
//
// Needs WARMHARBOR_TEST_PG_DIR (tools/with_pg.sh) and nginx on the PATH.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { startServer, seedDemo, makeClient, ADMIN_TOKEN, BIN } from '../http/lib/server.mjs';

const PGDIR = process.env.WARMHARBOR_TEST_PG_DIR;
assert.ok(PGDIR, 'run under tools/with_pg.sh (WARMHARBOR_TEST_PG_DIR is not set)');

const PEOPLE = 300;
const SEATS = 10;

let url, a, b, ngx, ngxDir, lb, admin, site, people;

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** A command of the binary, without blocking the event loop. */
function command(args) {
  return new Promise((resolve, reject) => {
    const env = { ...process.env };
    for (const k of Object.keys(env)) if (k.startsWith('WARMHARBOR_')) delete env[k];
    env.WARMHARBOR_SECRET_FILE = a.keyFile;
    const p = spawn(BIN, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`warmharbor ${args[0]}: ${err}`))));
  });
}

before(async () => {
  const tool = path.resolve(import.meta.dirname, '../../tools/pg_cluster.sh');
  const r = spawnSync('sh', [tool, 'createdb', PGDIR, `wh_book_${process.pid}`], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  url = r.stdout.trim();
  seedDemo(url);
  // nginx connects from one address; the test moves both clocks.
  const env = { WARMHARBOR_CONN_PER_ADDRESS: '0', WARMHARBOR_TEST_CLOCK: '1' };
  [a, b] = await Promise.all([startServer({ dbPath: url, env }), startServer({ dbPath: url, env })]);
  const port = await freePort();
  ngxDir = mkdtempSync(path.join(tmpdir(), 'wh-nginx-book-'));
  writeFileSync(path.join(ngxDir, 'nginx.conf'), `
worker_processes 1;
pid ${ngxDir}/nginx.pid;
error_log ${ngxDir}/error.log;
daemon off;
events { worker_connections 2048; }
http {
  access_log off;
  upstream warmharbor {
    server 127.0.0.1:${a.port};
    server 127.0.0.1:${b.port};
    keepalive 64;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://warmharbor;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}`);
  ngx = spawn('nginx', ['-c', path.join(ngxDir, 'nginx.conf'), '-p', ngxDir], { stdio: 'ignore' });
  lb = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${lb}/healthz`)).ok) break;
    } catch { /* not yet */ }
    assert.ok(i < 500, 'nginx did not come up');
    await new Promise((res) => setTimeout(res, 20));
  }
  admin = makeClient(lb, a.adminToken);
  site = (await admin.get('/api/sites?limit=1&type=community_station')).json.items[0].id;
  // Every person in two commands (each takes all the phones at once).
  const phones = Array.from({ length: PEOPLE }, (_, i) => `1350001${String(i).padStart(4, '0')}`);
  await command(['user', 'add', '--db', url, ...phones]);
  const tokens = (await command(['token', 'create', '--db', url, ...phones])).split('\n');
  assert.equal(tokens.length, PEOPLE);
  people = tokens.map((t) => makeClient(lb, t));
});

after(async () => {
  ngx?.kill('SIGTERM');
  await a?.stop('SIGTERM').catch(() => {});
  await b?.stop('SIGTERM').catch(() => {});
  if (ngxDir) rmSync(ngxDir, { recursive: true, force: true });
});

async function slotWithWaitlist(capacity, extra = {}) {
  const o = await admin.post('/api/offerings', { kind: 'workshop', title_zh: '两节点', site, waitlist: true, ...extra });
  assert.equal(o.status, 201, o.text);
  const t = Date.now();
  const s = await admin.post(`/api/offerings/${o.json.id}/slots`, {
    start: new Date(t + 2 * 86400e3).toISOString(), end: new Date(t + 2 * 86400e3 + 3600e3).toISOString(), capacity,
  });
  assert.equal(s.status, 201, s.text);
  return s.json.items[0];
}

test(`${PEOPLE} people through nginx and two nodes for ${SEATS} seats: ${SEATS} bookings and places 1..${PEOPLE - SEATS}`, async () => {
  const slot = await slotWithWaitlist(SEATS);
  const answers = await Promise.all(people.map((p) => p.post('/api/bookings', { slot: slot.id })));
  const states = {};
  for (const r of answers) states[`${r.status} ${r.json?.state || r.json?.error?.code}`] = (states[`${r.status} ${r.json?.state || r.json?.error?.code}`] || 0) + 1;
  assert.deepEqual(states, { '201 confirmed': SEATS, '201 waitlisted': PEOPLE - SEATS });
  const places = answers.filter((r) => r.json.state === 'waitlisted').map((r) => r.json.place).sort((x, y) => x - y);
  assert.deepEqual(places, Array.from({ length: PEOPLE - SEATS }, (_, i) => i + 1));
  // Both nodes read the same slot.
  for (const node of [a, b]) {
    const s = (await node.client().get(`/api/slots/${slot.id}`)).json;
    assert.deepEqual([s.taken, s.waiting], [SEATS, PEOPLE - SEATS]);
  }
});

test('both nodes\' timed work at once passes every expired offer\'s seat on exactly once', async () => {
  const slot = await slotWithWaitlist(SEATS, { offer_ttl_s: 600 });
  const who = people.slice(0, 3 * SEATS);
  const booked = [];
  for (const p of who) booked.push(expectCreated(await p.post('/api/bookings', { slot: slot.id })));
  // The ten confirmed cancel, half through each node: the first ten in
  // line are offered the seats.
  await Promise.all(booked.slice(0, SEATS).map((bk, i) =>
    makeClient(i % 2 ? a.base : b.base, who[i].token).post(`/api/bookings/${bk.id}/cancel`)));
  const stateOf = async (i) => (await who[i].get(`/api/bookings/${booked[i].id}`)).json.state;
  for (let i = SEATS; i < 2 * SEATS; i++) assert.equal(await stateOf(i), 'offered');
  // Both clocks past the offers' end, both ticks at once.
  const moved = await Promise.all([a, b].map((n) => n.client(ADMIN_TOKEN).post('/api/system/clock', { advance_s: 601 })));
  assert.deepEqual(moved.map((r) => r.status), [200, 200]);
  for (let i = SEATS; i < 2 * SEATS; i++) assert.equal(await stateOf(i), 'cancelled');
  for (let i = 2 * SEATS; i < 3 * SEATS; i++) assert.equal(await stateOf(i), 'offered', `person ${i}`);
  const s = (await admin.get(`/api/slots/${slot.id}`)).json;
  assert.deepEqual([s.taken, s.waiting], [SEATS, 0]);
  // One notice per offer made, whichever node made it.
  for (let i = 2 * SEATS; i < 3 * SEATS; i++) {
    const offers = (await who[i].get('/api/me/inbox')).json.items.filter((n) => n.kind === 'waitlist_offer');
    assert.equal(offers.length, 1, `person ${i}: ${offers.length} offers`);
  }
  for (const node of [a, b]) assert.deepEqual(node.stderr.split('\n').filter((l) => l.includes('"level":"error"')), []);
});

function expectCreated(r) {
  assert.equal(r.status, 201, r.text);
  return r.json;
}
