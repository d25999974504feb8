// Races for childcare places, on whichever store the suite runs on
// (SQLite, or PostgreSQL under tools/with_pg.sh): families of two and three
// children enrol at once for a few places: the places are never overfilled,
// no family is split (all its children or none), the rest wait as groups
// with places 1..N; two families racing for the last places: one gets
// them, the other waits; every enrolled family cancelling at once passes
// the places to waiting groups that fit whole, never more than there are.
// After each race the programme's count of taken places is compared with
// the enrolments actually stored.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, ADMIN_TOKEN, STORE, expectStatus } from './lib/server.mjs';
import { sql } from './lib/accounts.mjs';

const FAMILIES = 30;
const PLACES = 10;

let srv, admin, site, families;
let seq = 0;

before(async () => {
  srv = await startServer({ demo: true, env: { WARMHARBOR_CONN_PER_ADDRESS: '0' } });
  admin = srv.client(ADMIN_TOKEN);
  site = (await admin.get('/api/sites?limit=1&type=community_station')).json.items[0].id;
  families = [];
  for (let i = 0; i < FAMILIES; i++) {
    const c = srv.client(srv.user(`1366666${String(i).padStart(4, '0')}`));
    c.id = (await c.get('/api/me')).json.id;
    expectStatus(await admin.post(`/api/users/${c.id}/verification`, { state: 'verified', site }), 200);
    c.kids = [];
    for (let k = 0; k < 2 + (i % 2); k++)
      c.kids.push(expectStatus(await c.post('/api/me/children', { name: `孩${i}-${k}`, birth_date: '2017-06-01' }), 201).json.id);
    families.push(c);
  }
});

after(async () => {
  await srv?.stop();
});

async function programme(capacity) {
  const day = new Date(Date.now() + 30 * 86400e3).toISOString().slice(0, 10);
  const res = await admin.post('/api/childcare/programmes', {
    site, title_zh: `抢名额${++seq}`, age_min: 6, age_max: 12, first_day: day, last_day: day, capacity,
    consent_version: 'r1', consent_zh: '同意书', timetable: [{ start: '09:00', end: '17:00', kind: 'supervision', title_zh: '看护' }],
  });
  assert.equal(res.status, 201, res.text);
  return res.json;
}

const enrol = (f, p, kids = f.kids) => f.post('/api/childcare/enrolments', { programme: p.id, children: kids, consent: 'r1' });

/** The programme as stored: taken, and the places the stored enrolments hold. */
function stored(p) {
  const [taken, held, members, split] = sql(srv, `SELECT
    (SELECT taken FROM childcare_programmes WHERE id = ${p.id}),
    (SELECT COALESCE(SUM(size), 0) FROM childcare_enrolments WHERE programme_id = ${p.id} AND state IN ('enrolled', 'offered')),
    (SELECT count(*) FROM childcare_members m JOIN childcare_enrolments e ON e.id = m.enrolment_id
      WHERE m.programme_id = ${p.id} AND m.active = 1 AND e.state IN ('enrolled', 'offered')),
    (SELECT count(*) FROM childcare_enrolments e WHERE programme_id = ${p.id}
      AND size <> (SELECT count(*) FROM childcare_members m WHERE m.enrolment_id = e.id))`).split('|').map(Number);
  return { taken, held, members, split };
}

test(`${STORE}: ${FAMILIES} families of two and three at once for ${PLACES} places: never overfilled, no family split`, async () => {
  const p = await programme(PLACES);
  const answers = await Promise.all(families.map((f) => enrol(f, p)));
  for (const r of answers) assert.equal(r.status, 201, r.text);
  const enrolled = answers.map((r, i) => [r.json, families[i]]).filter(([e]) => e.state === 'enrolled');
  const waiting = answers.filter((r) => r.json.state === 'waitlisted').map((r) => r.json);
  const placesTaken = enrolled.reduce((n, [e]) => n + e.children.length, 0);
  assert.ok(placesTaken <= PLACES, `${placesTaken} places given of ${PLACES}`);
  assert.ok(placesTaken >= PLACES - 2, 'no family that fits was turned away while places were free');
  assert.equal(enrolled.length + waiting.length, FAMILIES);
  assert.deepEqual(waiting.map((e) => e.place).sort((a, b) => a - b), Array.from({ length: waiting.length }, (_, i) => i + 1));
  let s = stored(p);
  assert.deepEqual([s.taken, s.held, s.members, s.split], [placesTaken, placesTaken, placesTaken, 0]);

  // Every enrolled family cancels at once: the places pass to waiting
  // groups that fit whole, never more than there are.
  const cancels = await Promise.all(enrolled.map(([e, f]) => f.post(`/api/childcare/enrolments/${e.id}/cancel`)));
  for (const r of cancels) assert.equal(r.status, 200, r.text);
  s = stored(p);
  assert.ok(s.taken <= PLACES && s.taken >= PLACES - 2, `taken ${s.taken}`);
  assert.deepEqual([s.held, s.members, s.split], [s.taken, s.taken, 0]);
  const offered = Number(sql(srv, `SELECT count(*) FROM childcare_enrolments WHERE programme_id = ${p.id} AND state = 'offered'`));
  assert.ok(offered >= 3, `${offered} families offered`);
  srv.assertHealthy();
});

test(`${STORE}: two families racing for the last two places: one gets both, the other waits whole`, async () => {
  for (let round = 0; round < 5; round++) {
    const p = await programme(4);
    const [first, a, b] = [families[2 * round], families[2 * round + 1], families[2 * round + 11]];
    // A family of two takes two of the four places first.
    expectStatus(await enrol(first, p, first.kids.slice(0, 2)), 201);
    const [ra, rb] = await Promise.all([enrol(a, p, a.kids.slice(0, 2)), enrol(b, p, b.kids.slice(0, 2))]);
    assert.equal(ra.status, 201, ra.text);
    assert.equal(rb.status, 201, rb.text);
    assert.deepEqual([ra.json.state, rb.json.state].sort(), ['enrolled', 'waitlisted']);
    const s = stored(p);
    assert.deepEqual([s.taken, s.held, s.members, s.split], [4, 4, 4, 0]);
  }
});

test(`${STORE}: one family sending its enrolment many times at once is enrolled once`, async () => {
  const p = await programme(6);
  const f = families[29];
  const answers = await Promise.all(Array.from({ length: 8 }, () => enrol(f, p)));
  const ok = answers.filter((r) => r.status === 201);
  assert.equal(ok.length, 1, answers.map((r) => `${r.status} ${r.json?.error?.code || r.json?.state}`).join(', '));
  for (const r of answers.filter((x) => x.status !== 201)) assert.equal(r.json.error.code, 'already_enrolled');
  const s = stored(p);
  assert.deepEqual([s.taken, s.split], [f.kids.length, 0]);
});
