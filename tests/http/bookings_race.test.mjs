// Races for seats, on whichever store the suite runs on (SQLite, or
// PostgreSQL under tools/with_pg.sh): 500 people at once for 10 seats get
// exactly 10 bookings and 490 answers "full", or, with a waitlist, 490
// places 1..490 without a gap or a repeat; one person sending the same
// booking many times at once gets one; a retried POST with the same
// Idempotency-Key never books twice. After each race the slot's count of
// taken seats is compared with the bookings actually stored (no seat
// without a booking, no booking without its seat).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { startServer, ADMIN_TOKEN, STORE, BIN } from './lib/server.mjs';

const PEOPLE = 500;
const SEATS = 10;

let srv, admin, site, people;

/** Run a command of the binary without blocking the event loop (a
 * blocked loop leaves keep-alive connections the server has closed in
 * the client's pool); its stdout. */
function command(args) {
  return new Promise((resolve, reject) => {
    const env = { ...process.env };
    for (const k of Object.keys(env)) if (k.startsWith('WARMHARBOR_')) delete env[k];
    env.WARMHARBOR_SECRET_FILE = srv.keyFile;
    const p = spawn(BIN, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`warmharbor ${args[0]}: ${err}`))));
  });
}

/** PEOPLE people with bearer tokens, made by two commands (each takes
 * every phone at once: one process, not a thousand). */
async function makePeople() {
  const phones = Array.from({ length: PEOPLE }, (_, i) => `1360000${String(i).padStart(4, '0')}`);
  await command(['user', 'add', '--db', srv.dbPath, ...phones]);
  const tokens = (await command(['token', 'create', '--db', srv.dbPath, ...phones])).split('\n');
  assert.equal(tokens.length, PEOPLE);
  return tokens.map((t) => srv.client(t));
}

before(async () => {
  // 500 connections from one address: the per-address guard (64 by
  // default, http/guard.c) is not what is tested here.
  srv = await startServer({ demo: true, env: { WARMHARBOR_CONN_PER_ADDRESS: '0' } });
  admin = srv.client(ADMIN_TOKEN);
  site = (await admin.get('/api/sites?limit=1&type=community_station')).json.items[0].id;
  people = await makePeople();
});

after(async () => {
  await srv?.stop();
});

async function offeringWithSlot(extra, capacity = SEATS) {
  const o = await admin.post('/api/offerings', { kind: 'workshop', title_zh: '抢座测试', site, ...extra });
  assert.equal(o.status, 201, o.text);
  const t = Date.now();
  const s = await admin.post(`/api/offerings/${o.json.id}/slots`, {
    start: new Date(t + 86400e3).toISOString(), end: new Date(t + 90000e3).toISOString(), capacity,
  });
  assert.equal(s.status, 201, s.text);
  return { offering: o.json, slot: s.json.items[0] };
}

/** The slot as stored, and its bookings as the site's staff list shows them. */
async function stored(slot) {
  const s = (await admin.get(`/api/slots/${slot.id}`)).json;
  const day = s.start.slice(0, 10);
  const list = (await admin.get(`/api/sites/${site}/bookings?date=${day}`)).json.items.filter((b) => b.slot.id === slot.id);
  const by = (st) => list.filter((b) => b.state === st).length;
  return { slot: s, confirmed: by('confirmed'), waitlisted: by('waitlisted'), all: list.length };
}

const tally = (answers) => {
  const t = {};
  for (const r of answers) {
    const k = r.status === 201 ? `201 ${r.json.state}` : `${r.status} ${r.json?.error?.code}`;
    t[k] = (t[k] || 0) + 1;
  }
  return t;
};

test(`${STORE}: ${PEOPLE} people at once for ${SEATS} seats: exactly ${SEATS} bookings, the rest "full"`, async () => {
  const { slot } = await offeringWithSlot({});
  const answers = await Promise.all(people.map((p) => p.post('/api/bookings', { slot: slot.id })));
  assert.deepEqual(tally(answers), { '201 confirmed': SEATS, '409 full': PEOPLE - SEATS });
  const s = await stored(slot);
  assert.equal(s.slot.taken, SEATS);
  assert.equal(s.confirmed, SEATS);
  assert.equal(s.all, SEATS, 'nothing half-done: no booking without its seat');
  srv.assertHealthy();
});

test(`${STORE}: ${PEOPLE} people at once for ${SEATS} seats with a waitlist: places 1..${PEOPLE - SEATS}, no gap, no repeat`, async () => {
  const { slot } = await offeringWithSlot({ waitlist: true });
  const answers = await Promise.all(people.map((p) => p.post('/api/bookings', { slot: slot.id })));
  assert.deepEqual(tally(answers), { '201 confirmed': SEATS, '201 waitlisted': PEOPLE - SEATS });
  const places = answers.filter((r) => r.json.state === 'waitlisted').map((r) => r.json.place).sort((a, b) => a - b);
  assert.deepEqual(places, Array.from({ length: PEOPLE - SEATS }, (_, i) => i + 1));
  const s = await stored(slot);
  assert.deepEqual([s.slot.taken, s.slot.waiting, s.confirmed, s.waitlisted], [SEATS, PEOPLE - SEATS, SEATS, PEOPLE - SEATS]);
  // The places as each person reads them later are the same.
  const later = await Promise.all(answers.slice(0, 40).map((r, i) => people[i].get(`/api/bookings/${r.json.id}`)));
  for (let i = 0; i < 40; i++) assert.equal(later[i].json.place, answers[i].json.place);

  // Ten of the confirmed cancel at once: the first ten in line are
  // offered the seats, which stay taken for them.
  const confirmed = answers.map((r, i) => [r, i]).filter(([r]) => r.json.state === 'confirmed');
  const cancels = await Promise.all(confirmed.map(([r, i]) => people[i].post(`/api/bookings/${r.json.id}/cancel`)));
  assert.ok(cancels.every((r) => r.status === 200), JSON.stringify(tally(cancels)));
  const firstTen = answers.filter((r) => r.json.place && r.json.place <= SEATS).map((r) => r.json.id).sort();
  const offered = [];
  for (const [r, i] of answers.map((x, k) => [x, k]).filter(([x]) => x.json.place && x.json.place <= SEATS + 2)) {
    const b = (await people[i].get(`/api/bookings/${r.json.id}`)).json;
    if (b.state === 'offered') offered.push(b.id);
  }
  assert.deepEqual(offered.sort(), firstTen);
  const after2 = await stored(slot);
  assert.deepEqual([after2.slot.taken, after2.slot.waiting], [SEATS, PEOPLE - 2 * SEATS]);
  srv.assertHealthy();
});

test(`${STORE}: one person sending the same booking 20 times at once gets one`, async () => {
  const { slot } = await offeringWithSlot({}, 5);
  const me = people[0];
  const answers = await Promise.all(Array.from({ length: 20 }, () => me.post('/api/bookings', { slot: slot.id })));
  assert.deepEqual(tally(answers), { '201 confirmed': 1, '409 already_booked': 19 });
  const s = await stored(slot);
  assert.deepEqual([s.slot.taken, s.all], [1, 1]);
  // Two slots of one offering at once: still one (the per-person index).
  const o = await admin.post('/api/offerings', { kind: 'workshop', title_zh: '一人一次', site });
  const t = Date.now();
  const two = await admin.post(`/api/offerings/${o.json.id}/slots`, { slots: [1, 2].map((h) => ({
    start: new Date(t + h * 86400e3).toISOString(), end: new Date(t + h * 86400e3 + 3600e3).toISOString(), capacity: 5 })) });
  const both = await Promise.all([0, 1, 0, 1, 0, 1].map((k) => me.post('/api/bookings', { slot: two.json.items[k].id })));
  assert.deepEqual(tally(both), { '201 confirmed': 1, '409 already_booked': 5 });
  const taken = await Promise.all(two.json.items.map(async (x) => (await admin.get(`/api/slots/${x.id}`)).json.taken));
  assert.equal(taken[0] + taken[1], 1);
  srv.assertHealthy();
});

test(`${STORE}: a POST retried with the same Idempotency-Key never books twice`, async () => {
  const { slot } = await offeringWithSlot({}, 50);
  const me = people[1];
  const key = { headers: { 'idempotency-key': 'race-book-1' } };
  const burst = await Promise.all(Array.from({ length: 10 }, () => me.post('/api/bookings', { slot: slot.id }, key)));
  const ok = burst.filter((r) => r.status === 201);
  assert.ok(ok.length >= 1, JSON.stringify(tally(burst)));
  // While the first runs the others hear "in progress". Between the
  // first's commit and the moment its answer is kept (app/idempotency.c)
  // a copy can also hear idempotency_answer_lost: the key is marked
  // carried out in the transaction, the answer written just after. Seen
  // on PostgreSQL; reported to the lead. Either way: nothing twice.
  const fine = ['idempotency_in_progress', 'idempotency_answer_lost'];
  assert.ok(burst.every((r) => r.status === 201 || fine.includes(r.json.error.code)), JSON.stringify(tally(burst)));
  assert.equal(new Set(ok.map((r) => r.json.id)).size, 1, 'every 201 is the same booking');
  const retry = await me.post('/api/bookings', { slot: slot.id }, key);
  assert.equal(retry.status, 201);
  assert.equal(retry.headers.get('idempotent-replayed'), 'true');
  assert.equal(retry.json.id, ok[0].json.id);
  const s = await stored(slot);
  assert.deepEqual([s.slot.taken, s.all], [1, 1]);
  srv.assertHealthy();
});

test(`${STORE}: the races left no error in the server's log`, () => {
  const errors = srv.stderr.split('\n').filter((l) => l.includes('"level":"error"'));
  assert.deepEqual(errors, []);
});
