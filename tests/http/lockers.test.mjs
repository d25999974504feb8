// Fridge and locker slots (the locker module): staff number a site's
// slots; a worker claims one for today and gets a slot number and a pickup
// code; staff see who holds which and open one with the holder's code; the
// holder releases it; the site's closing time (its opening hours) or
// midnight frees it through the tick. Attacks: anonymous callers, a worker
// doing staff's work, staff of another site whose own site has the same
// number, a replayed Idempotency-Key, and races: forty people claiming six
// fridge slots at once, one person claiming many at once (on whichever
// store the suite runs: SQLite, or PostgreSQL under tools/with_pg.sh).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, ADMIN_TOKEN, assertError, expectStatus } from './lib/server.mjs';

let phoneSeq = 0;
const phone = () => `1395555${String(++phoneSeq).padStart(4, '0')}`;

async function grantStaff(srv, admin, token, siteId) {
  const me = (await srv.client(token).get('/api/me')).json.id;
  const res = await admin.post(`/api/users/${me}/roles`, { role: 'staff', scope_kind: 'site', scope_ref: String(siteId) });
  assert.equal(res.status, 201, res.text);
}

let siteSeq = 0;
/** A station made through the API (open around the clock unless hours). */
async function makeSite(admin, extra = {}) {
  const res = await admin.post('/api/sites', {
    name_zh: `测试驿站${++siteSeq}`, type: 'community_station', region: 'HZ-XN-01',
    position: { lat: 34.59, lon: 119.17 }, opening_hours: '24/7', amenities: { fridge: true, locker: 4 }, ...extra,
  });
  assert.equal(res.status, 201, res.text);
  return res.json;
}

// A 24/7 station S with 3 fridge and 2 locker slots; its staff; staff of
// site 1 (another site); workers.
async function setup(env = {}) {
  const srv = await startServer({ demo: true, env });
  const admin = srv.client(ADMIN_TOKEN);
  const S = (await makeSite(admin)).id;
  const staffTok = srv.user(phone());
  const oneTok = srv.user(phone());
  await grantStaff(srv, admin, staffTok, S);
  await grantStaff(srv, admin, oneTok, 1);
  const staff = srv.client(staffTok);
  expectStatus(await staff.put(`/api/sites/${S}/lockers`, { fridge: 3, locker: 2 }), 200);
  const workers = [];
  for (let i = 0; i < 4; i++) workers.push(srv.client(srv.user(phone())));
  return { srv, admin, S, staff, staffOne: srv.client(oneTok), w: workers, anon: srv.client() };
}

const kindsOf = async (client, site) =>
  Object.fromEntries(expectStatus(await client.get(`/api/sites/${site}/lockers`), 200).json.kinds.map((k) => [k.kind, [k.total, k.free]]));

/** The next local (+08:00) midnight after t (ms). */
function nextMidnight(t) {
  const local = t + 8 * 3600_000;
  return (Math.floor(local / 86400_000) + 1) * 86400_000 - 8 * 3600_000;
}

test('slots: staff number them, anyone sees what is free; every refusal', async () => {
  const { srv, S, staff, staffOne, w, anon } = await setup();
  try {
    const got = expectStatus(await anon.get(`/api/sites/${S}/lockers`), 200).json;
    assert.deepEqual(got, { site_id: S, kinds: [{ kind: 'fridge', total: 3, free: 3 }, { kind: 'locker', total: 2, free: 2 }] });
    // PUT answers the new counts; one kind alone leaves the other.
    const more = expectStatus(await staff.put(`/api/sites/${S}/lockers`, { fridge: 6 }), 200).json;
    assert.deepEqual(more.kinds, [{ kind: 'fridge', total: 6, free: 6 }, { kind: 'locker', total: 2, free: 2 }]);
    expectStatus(await staff.put(`/api/sites/${S}/lockers`, { fridge: 3, locker: 0 }), 200);
    assert.deepEqual(await kindsOf(anon, S), { fridge: [3, 3] });
    expectStatus(await staff.put(`/api/sites/${S}/lockers`, { locker: 2 }), 200);
    const slots = expectStatus(await staff.get(`/api/sites/${S}/lockers/slots`), 200).json.items;
    assert.deepEqual(slots.map((s) => [s.kind, s.number, s.held]),
      [['fridge', 1, false], ['fridge', 2, false], ['fridge', 3, false], ['locker', 1, false], ['locker', 2, false]]);
    // Bodies and paths.
    assertError(await staff.put(`/api/sites/${S}/lockers`, {}), 422, 'missing_field', 'fridge');
    assertError(await staff.put(`/api/sites/${S}/lockers`, { fridge: 51 }), 422, 'invalid_field', 'fridge');
    assertError(await staff.put(`/api/sites/${S}/lockers`, { fridge: -1 }), 422, 'invalid_field', 'fridge');
    assertError(await staff.put(`/api/sites/${S}/lockers`, { freezer: 2 }), 422, 'unknown_field');
    assertError(await anon.get('/api/sites/999999/lockers'), 404, 'not_found');
    // Who may.
    assertError(await staffOne.put(`/api/sites/${S}/lockers`, { fridge: 1 }), 403, 'out_of_scope');
    assertError(await staffOne.get(`/api/sites/${S}/lockers/slots`), 403, 'out_of_scope');
    assertError(await w[0].put(`/api/sites/${S}/lockers`, { fridge: 1 }), 403, 'forbidden');
    assertError(await w[0].get(`/api/sites/${S}/lockers/slots`), 403, 'forbidden');
    assertError(await anon.put(`/api/sites/${S}/lockers`, { fridge: 1 }), 401, 'unauthorized');
    assertError(await anon.get(`/api/sites/${S}/lockers/slots`), 401, 'unauthorized');
    // The demo: six fridge slots at every station with a fridge; a hub's
    // twenty lockers.
    const stations = (await anon.get('/api/sites?type=community_station&amenity=fridge&limit=3')).json.items;
    for (const st of stations) assert.deepEqual((await kindsOf(anon, st.id)).fridge, [6, 6], st.name_zh);
    const port = (await anon.get(`/api/sites?q=${encodeURIComponent('公路港货车司机之家')}&limit=1`)).json.items[0];
    assert.deepEqual(await kindsOf(anon, port.id), { locker: [20, 20] });
  } finally {
    await srv.stop();
  }
});

test('claim a slot for today, see my code, staff open it with the code, release mine; every refusal', async () => {
  const { srv, S, staff, w, anon } = await setup();
  try {
    const c1 = await w[0].post(`/api/sites/${S}/lockers/claim`, { kind: 'fridge' });
    assert.equal(c1.status, 201, c1.text);
    const k1 = c1.json;
    assert.equal(k1.kind, 'fridge');
    assert.equal(k1.number, 1);
    assert.match(k1.code, /^\d{6}$/);
    assert.equal(k1.state, 'held');
    assert.equal(k1.site_id, S);
    assert.equal(Date.parse(k1.ends_at), nextMidnight(Date.parse(k1.claimed_at)), 'a 24/7 site: until midnight');
    assertError(await w[0].post(`/api/sites/${S}/lockers/claim`, { kind: 'fridge' }), 409, 'already_holding', 'kind');
    // Another kind is another slot.
    assert.equal(expectStatus(await w[0].post(`/api/sites/${S}/lockers/claim`, { kind: 'locker' }), 201).json.number, 1);
    const k2 = expectStatus(await w[1].post(`/api/sites/${S}/lockers/claim`, { kind: 'fridge' }), 201).json;
    const k3 = expectStatus(await w[2].post(`/api/sites/${S}/lockers/claim`, { kind: 'fridge' }), 201).json;
    assert.deepEqual([k2.number, k3.number], [2, 3]);
    assertError(await w[3].post(`/api/sites/${S}/lockers/claim`, { kind: 'fridge' }), 409, 'no_free_slot', 'kind');
    assert.deepEqual(await kindsOf(anon, S), { fridge: [3, 0], locker: [2, 1] });

    // Mine, with the code; nobody else's.
    const mine = expectStatus(await w[0].get('/api/me/lockers'), 200).json.items;
    assert.deepEqual(mine.map((k) => [k.kind, k.number, k.code]).sort(), [['fridge', 1, k1.code], ['locker', 1, mine.find((k) => k.kind === 'locker').code]]);
    assert.deepEqual((await w[3].get('/api/me/lockers')).json.items, []);

    // Staff see who holds which, without the codes.
    const slots = expectStatus(await staff.get(`/api/sites/${S}/lockers/slots`), 200).json.items;
    const f1 = slots.find((s) => s.kind === 'fridge' && s.number === 1);
    assert.equal(f1.held, true);
    assert.equal(f1.claim_id, k1.id);
    assert.equal(f1.user_id, (await w[0].get('/api/me')).json.id);
    assert.equal(f1.ends_at, k1.ends_at);
    assert.ok(!JSON.stringify(slots).includes(k1.code), 'no codes for staff');

    // Staff open slot 1 for its holder: the code decides.
    const wrong = k1.code === '000000' ? '000001' : '000000';
    assertError(await staff.post(`/api/sites/${S}/lockers/open`, { kind: 'fridge', number: 1, code: wrong }), 409, 'wrong_code', 'code');
    const opened = expectStatus(await staff.post(`/api/sites/${S}/lockers/open`, { kind: 'fridge', number: 1, code: k1.code }), 200).json;
    assert.equal(opened.state, 'opened');
    assert.equal(opened.id, k1.id);
    assert.equal(opened.code, undefined);
    assertError(await staff.post(`/api/sites/${S}/lockers/open`, { kind: 'fridge', number: 1, code: k1.code }), 409, 'slot_free', 'number');
    assertError(await staff.post(`/api/sites/${S}/lockers/open`, { kind: 'fridge', number: 9, code: k1.code }), 422, 'unknown_slot', 'number');
    assertError(await staff.post(`/api/sites/${S}/lockers/open`, { kind: 'fridge', number: 2, code: '12ab56' }), 422, 'invalid_field', 'code');
    assertError(await staff.post(`/api/sites/${S}/lockers/open`, { kind: 'fridge', number: 0, code: k1.code }), 422, 'invalid_field', 'number');
    assertError(await staff.post(`/api/sites/${S}/lockers/open`, { kind: 'shelf', number: 2, code: k1.code }), 422, 'invalid_field', 'kind');
    assertError(await staff.post(`/api/sites/${S}/lockers/open`, { number: 2, code: k1.code }), 422, 'missing_field', 'kind');
    assertError(await w[1].post(`/api/sites/${S}/lockers/open`, { kind: 'fridge', number: 2, code: k2.code }), 403, 'forbidden');
    assertError(await anon.post(`/api/sites/${S}/lockers/open`, { kind: 'fridge', number: 2, code: k2.code }), 401, 'unauthorized');
    // The freed slot goes to the next one asking.
    assert.equal(expectStatus(await w[3].post(`/api/sites/${S}/lockers/claim`, { kind: 'fridge' }), 201).json.number, 1);
    assert.equal(expectStatus(await w[0].get('/api/me/lockers'), 200).json.items.filter((k) => k.kind === 'fridge').length, 0);
    assert.equal(expectStatus(await w[0].get('/api/me/lockers?all=1'), 200).json.items.find((k) => k.id === k1.id).state, 'opened');

    // The holder releases theirs; nobody else may.
    assertError(await w[0].post(`/api/me/lockers/${k2.id}/release`), 404, 'not_found');
    const rel = expectStatus(await w[1].post(`/api/me/lockers/${k2.id}/release`), 200).json;
    assert.equal(rel.state, 'released');
    assert.ok(rel.ended_at);
    assertError(await w[1].post(`/api/me/lockers/${k2.id}/release`), 409, 'not_held', null);
    assertError(await w[1].post('/api/me/lockers/999999/release'), 404, 'not_found');
    assertError(await anon.post(`/api/me/lockers/${k3.id}/release`), 401, 'unauthorized');
    assert.deepEqual((await kindsOf(anon, S)).fridge, [3, 1]);

    // Claims: bodies and places.
    assertError(await w[1].post(`/api/sites/${S}/lockers/claim`, { kind: 'freezer' }), 422, 'invalid_field', 'kind');
    assertError(await w[1].post(`/api/sites/${S}/lockers/claim`, {}), 422, 'missing_field', 'kind');
    assertError(await w[1].post(`/api/sites/${S}/lockers/claim`, { kind: 'fridge', slot: 2 }), 422, 'unknown_field');
    assertError(await w[1].post('/api/sites/999999/lockers/claim', { kind: 'fridge' }), 404, 'not_found');
    assertError(await anon.post(`/api/sites/${S}/lockers/claim`, { kind: 'fridge' }), 401, 'unauthorized');
    assertError(await anon.get('/api/me/lockers'), 401, 'unauthorized');
    const bare = (await makeSite(srv.client(ADMIN_TOKEN))).id;
    assertError(await w[1].post(`/api/sites/${bare}/lockers/claim`, { kind: 'fridge' }), 422, 'no_slots', 'kind');

    // A held slot cannot be numbered away; a free one can.
    assertError(await staff.put(`/api/sites/${S}/lockers`, { fridge: 2 }), 409, 'slot_in_use', 'fridge');
    assert.deepEqual((await kindsOf(anon, S)).fridge, [3, 1], 'nothing changed');
    expectStatus(await w[2].post(`/api/me/lockers/${k3.id}/release`), 200);
    expectStatus(await staff.put(`/api/sites/${S}/lockers`, { fridge: 2 }), 200);
    assert.deepEqual((await kindsOf(anon, S)).fridge, [2, 1]);
  } finally {
    await srv.stop();
  }
});

test('a claim lasts until closing time; a closed site takes none; the tick frees the slots (test clock)', async () => {
  const { srv, admin, S, staff, w, anon } = await setup({ WARMHARBOR_TEST_CLOCK: '1' });
  try {
    // A station open 06:00-22:00: the claim ends at its closing time; at
    // night it takes none.
    const day = await makeSite(admin, { opening_hours: 'Mo-Su 06:00-22:00' });
    await grantStaff(srv, admin, staff.token, day.id);
    expectStatus(await staff.put(`/api/sites/${day.id}/lockers`, { fridge: 2 }), 200);
    const info = expectStatus(await anon.get(`/api/sites/${day.id}`), 200).json;
    const claim = await w[0].post(`/api/sites/${day.id}/lockers/claim`, { kind: 'fridge' });
    if (info.open) {
      assert.equal(claim.status, 201, claim.text);
      assert.equal(Date.parse(claim.json.ends_at), Date.parse(info.next_change), 'until closing time');
      assert.match(claim.json.ends_at, /T22:00:00\+08:00$/);
    } else {
      assertError(claim, 409, 'site_closed', null);
    }
    // Closed for now (a temporary closure): no claims.
    const shut = await makeSite(admin, { status: 'temporarily_closed', status_reason: '装修' });
    await grantStaff(srv, admin, staff.token, shut.id);
    expectStatus(await staff.put(`/api/sites/${shut.id}/lockers`, { fridge: 2 }), 200);
    assertError(await w[0].post(`/api/sites/${shut.id}/lockers/claim`, { kind: 'fridge' }), 409, 'site_closed', null);

    // Around the clock: until midnight; the tick after it frees the slot.
    const k = expectStatus(await w[1].post(`/api/sites/${S}/lockers/claim`, { kind: 'fridge' }), 201).json;
    const left = Math.ceil((Date.parse(k.ends_at) - Date.now()) / 1000);
    expectStatus(await admin.post('/api/system/clock', { advance_s: Math.max(0, left - 120) }), 200);
    assert.equal((await w[1].get('/api/me/lockers')).json.items.length, 1, 'still held before midnight');
    expectStatus(await admin.post('/api/system/clock', { advance_s: 180 }), 200);
    assert.deepEqual((await w[1].get('/api/me/lockers')).json.items, []);
    const past = (await w[1].get('/api/me/lockers?all=1')).json.items.find((x) => x.id === k.id);
    assert.equal(past.state, 'expired');
    assert.deepEqual((await kindsOf(anon, S)).fridge, [3, 3]);
    // A new day: a new claim, and it is the lowest slot again.
    assert.equal(expectStatus(await w[1].post(`/api/sites/${S}/lockers/claim`, { kind: 'fridge' }), 201).json.number, 1);
  } finally {
    await srv.stop();
  }
});

test('scope: staff of another site get out_of_scope whatever the ids', async () => {
  const { srv, S, staff, staffOne, w, anon } = await setup();
  try {
    // Claim 1 and slot 1 carry the number of site 1, which the other
    // staff member holds.
    const k = expectStatus(await w[0].post(`/api/sites/${S}/lockers/claim`, { kind: 'fridge' }), 201).json;
    assert.equal(k.id, 1);
    assertError(await staffOne.post(`/api/sites/${S}/lockers/open`, { kind: 'fridge', number: 1, code: k.code }), 403, 'out_of_scope');
    assertError(await staffOne.get(`/api/sites/${S}/lockers/slots`), 403, 'out_of_scope');
    assertError(await staffOne.put(`/api/sites/${S}/lockers`, { fridge: 0 }), 403, 'out_of_scope');
    // Their own site 1 has no slot 1 of that claim.
    assertError(await staffOne.post('/api/sites/1/lockers/open', { kind: 'fridge', number: 1, code: k.code }), 422, 'unknown_slot', 'number');
    // Another person's claim is not mine to release, staff or not.
    assertError(await staff.post(`/api/me/lockers/${k.id}/release`), 404, 'not_found');
    assertError(await w[1].post(`/api/me/lockers/${k.id}/release`), 404, 'not_found');
    assert.equal((await w[0].get('/api/me/lockers')).json.items[0].state, 'held');
    assertError(await anon.get(`/api/sites/${S}/lockers/slots`), 401, 'unauthorized');
  } finally {
    await srv.stop();
  }
});

test('replay: a claim retried with its Idempotency-Key is the same slot', async () => {
  const { srv, S, w, anon } = await setup();
  try {
    const key = { headers: { 'idempotency-key': 'fridge-lunch-1' } };
    const a = expectStatus(await w[0].post(`/api/sites/${S}/lockers/claim`, { kind: 'fridge' }, key), 201);
    const b = expectStatus(await w[0].post(`/api/sites/${S}/lockers/claim`, { kind: 'fridge' }, key), 201);
    assert.equal(b.headers.get('idempotent-replayed'), 'true');
    assert.deepEqual(b.json, a.json);
    assert.deepEqual((await kindsOf(anon, S)).fridge, [3, 2], 'one slot taken');
    const rk = { headers: { 'idempotency-key': 'release-1' } };
    expectStatus(await w[0].post(`/api/me/lockers/${a.json.id}/release`, undefined, rk), 200);
    expectStatus(await w[0].post(`/api/me/lockers/${a.json.id}/release`, undefined, rk), 200);
    assert.deepEqual((await kindsOf(anon, S)).fridge, [3, 3]);
  } finally {
    await srv.stop();
  }
});

test('race: forty people claim six fridge slots at once: one each, never shared; one person many times: one', async () => {
  const { srv, S, staff, anon } = await setup({ WARMHARBOR_CONN_PER_ADDRESS: '0' });
  try {
    expectStatus(await staff.put(`/api/sites/${S}/lockers`, { fridge: 6 }), 200);
    const people = srv.users(Array.from({ length: 40 }, () => phone())).map((t) => srv.client(t));
    for (let round = 0; round < 2; round++) {
      const answers = await Promise.all(people.map((p) => p.post(`/api/sites/${S}/lockers/claim`, { kind: 'fridge' })));
      const won = answers.filter((r) => r.status === 201);
      const lost = answers.filter((r) => r.status !== 201);
      assert.equal(won.length, 6, answers.filter((r) => r.status !== 201 && r.status !== 409).map((r) => r.text).join('\n'));
      assert.ok(lost.every((r) => r.status === 409 && r.json.error.code === 'no_free_slot'), lost.map((r) => r.text).join('\n'));
      assert.deepEqual(won.map((r) => r.json.number).sort((a, b) => a - b), [1, 2, 3, 4, 5, 6]);
      const slots = (await staff.get(`/api/sites/${S}/lockers/slots`)).json.items.filter((s) => s.kind === 'fridge');
      assert.equal(new Set(slots.map((s) => s.user_id)).size, 6, 'six different holders');
      assert.deepEqual((await kindsOf(anon, S)).fridge, [6, 0]);
      // Everyone frees theirs at once for the next round.
      const freed = await Promise.all(won.map((r, i) => people[answers.indexOf(r)].post(`/api/me/lockers/${r.json.id}/release`)));
      assert.deepEqual(freed.map((r) => r.status), won.map(() => 200));
      assert.deepEqual((await kindsOf(anon, S)).fridge, [6, 6]);
    }
    // One person asking ten times at once holds one slot.
    const lone = people[0];
    const mine = await Promise.all(Array.from({ length: 10 }, () => lone.post(`/api/sites/${S}/lockers/claim`, { kind: 'fridge' })));
    assert.equal(mine.filter((r) => r.status === 201).length, 1, mine.map((r) => r.text).join('\n'));
    assert.ok(mine.filter((r) => r.status !== 201).every((r) => r.json.error.code === 'already_holding'));
    assert.deepEqual((await kindsOf(anon, S)).fridge, [6, 5]);
  } finally {
    await srv.stop();
  }
});

test('personal data: my claims are in my export and go with my erasure, freeing the slot', async () => {
  const { srv, S, w, anon } = await setup();
  try {
    const k = expectStatus(await w[0].post(`/api/sites/${S}/lockers/claim`, { kind: 'locker' }), 201).json;
    const exp = expectStatus(await w[0].get('/api/me/export'), 200).json;
    assert.deepEqual(exp.locker.claims.map((c) => [c.id, c.number, c.code]), [[k.id, 1, k.code]]);
    assert.equal((await w[1].get('/api/me/export')).json.locker, undefined, 'nothing to say for someone without claims');
    assert.deepEqual((await kindsOf(anon, S)).locker, [2, 1]);
    expectStatus(await w[0].del('/api/me?confirm=1'), 204);
    assert.deepEqual((await kindsOf(anon, S)).locker, [2, 2]);
    assert.equal(expectStatus(await w[1].post(`/api/sites/${S}/lockers/claim`, { kind: 'locker' }), 201).json.number, 1);
  } finally {
    await srv.stop();
  }
});
