// Points (the points module): the rules an admin sets, awards for
// confirmed volunteer hours through the rules, the daily cap held when
// several awards run at once, the same reference awarded once, expiry at
// the end of the following year (test clock), and the leader boards per
// squad and per street (display names only).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, ADMIN_TOKEN, ADMIN_PHONE, ADMIN_PASSWORD, assertError, expectStatus } from './lib/server.mjs';
import { bearer } from './lib/accounts.mjs';

let phoneSeq = 0;
const nextPhone = () => `1350000${String(++phoneSeq).padStart(4, '0')}`;

async function world() {
  const srv = await startServer({ demo: true, env: { WARMHARBOR_TEST_CLOCK: '1', WARMHARBOR_CONN_PER_ADDRESS: '0' } });
  const admin = srv.client(ADMIN_TOKEN);
  const sites = (await admin.get('/api/sites?limit=1000')).json.items;
  const siteXN = sites.find((s) => s.region && s.region.startsWith('HZ-XN')).id;
  const person = async () => {
    const phone = nextPhone();
    const c = srv.client(srv.user(phone));
    c.phone = phone;
    c.id = expectStatus(await c.get('/api/me'), 200).json.id;
    return c;
  };
  const now = async () => Date.parse(expectStatus(await admin.post('/api/system/clock', { advance_s: 0 }), 200).json.now);
  const advance = async (s) => expectStatus(await admin.post('/api/system/clock', { advance_s: s }), 200);
  /** A volunteer with n confirmed-ready hours rows of 60 minutes each. */
  async function hoursReady(n) {
    const leader = await person();
    const vol = await person();
    const squad = expectStatus(await admin.post('/api/volunteer/squads', { street: 'HZ-XN', name_zh: `积分队${++phoneSeq}`, leader: leader.id }), 201).json;
    expectStatus(await vol.post(`/api/volunteer/squads/${squad.id}/join`), 200);
    const t = await now();
    const shifts = Array.from({ length: n }, (_, i) => ({
      start: new Date(t + 600e3 + i * 60e3).toISOString(), end: new Date(t + 600e3 + i * 60e3 + 3600e3).toISOString(), capacity: 1,
    }));
    const act = expectStatus(await leader.post(`/api/volunteer/squads/${squad.id}/activities`, { title_zh: '积分', site: siteXN, shifts }), 201).json;
    for (const s of act.shifts) expectStatus(await vol.post(`/api/volunteer/shifts/${s.id}/signup`), 201);
    await advance(900);
    const ids = [];
    for (const s of act.shifts) {
      const qr = (await vol.get('/api/me/qr')).json.token;
      ids.push(expectStatus(await leader.post(`/api/volunteer/shifts/${s.id}/check-in`, { qr }), 201).json.id);
    }
    await advance(2 * 3600);
    for (const s of act.shifts) {
      const qr = (await vol.get('/api/me/qr')).json.token;
      assert.equal(expectStatus(await leader.post(`/api/volunteer/shifts/${s.id}/check-out`, { qr }), 200).json.minutes, 60);
    }
    return { leader, vol, squad, ids };
  }
  return { srv, admin, person, now, advance, hoursReady };
}

test('rules: anyone reads them, system admins replace them, every error with its field', async () => {
  const w = await world();
  try {
    const rules = expectStatus(await w.srv.client().get('/api/points/rules'), 200).json.rules;
    assert.deepEqual(rules.map((r) => r.reason), ['report', 'volunteer_hour']);
    const worker = await w.person();
    const body = { rules: [{ reason: 'report', coefficient_pct: 100, daily_cap: 50, place_cap: 2 }, { reason: 'report:road_damage', coefficient_pct: 150 }, { reason: 'volunteer_hour', daily_cap: 30 }] };
    assertError(await w.srv.client().put('/api/points/rules', body), 401, 'unauthorized');
    assertError(await worker.put('/api/points/rules', body), 403, 'forbidden');
    assertError(await w.admin.put('/api/points/rules', {}), 422, 'missing_field', 'rules');
    assertError(await w.admin.put('/api/points/rules', { rules: [{ reason: 'Bad Reason' }] }), 422, 'invalid_field', 'rules[0].reason');
    assertError(await w.admin.put('/api/points/rules', { rules: [{ reason: 'report', coefficient_pct: -1 }] }), 422, 'invalid_field', 'rules[0].coefficient_pct');
    assertError(await w.admin.put('/api/points/rules', { rules: [{ reason: 'report' }, { reason: 'report' }] }), 422, 'duplicate_reason', 'rules[1].reason');
    assertError(await w.admin.put('/api/points/rules', { rules: [{ reason: 'report', colour: 1 }] }), 422, 'unknown_field', 'rules[0].colour');
    const put = expectStatus(await w.admin.put('/api/points/rules', body), 200).json.rules;
    assert.deepEqual(put.find((r) => r.reason === 'report:road_damage'), { reason: 'report:road_damage', coefficient_pct: 150, daily_cap: 0, place_cap: 0 });
    assert.equal((await w.srv.client().get('/api/points/rules')).json.rules.length, 3);
  } finally {
    await w.srv.stop();
  }
});

test('the daily cap holds when four confirmations run at once; a reference is awarded once', async () => {
  const w = await world();
  try {
    expectStatus(await w.admin.put('/api/points/rules', { rules: [{ reason: 'volunteer_hour', coefficient_pct: 100, daily_cap: 25 }] }), 200);
    const { leader, vol, ids } = await w.hoursReady(4);
    const answers = await Promise.all(ids.map((id) => leader.post(`/api/volunteer/hours/${id}/confirm`)));
    for (const a of answers) expectStatus(a, 200);
    const granted = answers.map((a) => a.json.points_granted);
    assert.equal(granted.reduce((x, y) => x + y, 0), 25, `granted ${granted}`);
    assert.ok(granted.every((g) => g >= 0 && g <= 10));
    const me = expectStatus(await vol.get('/api/me/points'), 200).json;
    assert.equal(me.balance, 25);
    assert.equal(me.items.length, granted.filter((g) => g > 0).length, 'no ledger row for 0');
    // Confirming again awards nothing more.
    for (const id of ids) assertError(await leader.post(`/api/volunteer/hours/${id}/confirm`), 409, 'already_confirmed');
    assert.equal((await vol.get('/api/me/points')).json.balance, 25);
  } finally {
    await w.srv.stop();
  }
});

test('expiry: points earned this year expire at the end of the next one', async () => {
  const w = await world();
  try {
    const { leader, vol, ids, squad } = await w.hoursReady(1);
    expectStatus(await leader.post(`/api/volunteer/hours/${ids[0]}/confirm`), 200);
    expectStatus(await vol.patch('/api/me', { display_name: '到期测试' }), 200);
    const board = async (c) => expectStatus(await c.get(`/api/points/leaders?squad=${squad.id}`), 200).json.items;
    assert.deepEqual(await board(vol), [{ rank: 1, display_name: '到期测试', points: 10 }]);
    const me = expectStatus(await vol.get('/api/me/points'), 200).json;
    assert.equal(me.balance, 10);
    const year = Number(new Date((await w.now()) + 8 * 3600e3).toISOString().slice(0, 4));
    assert.equal(me.items[0].expires_at, `${year + 2}-01-01T00:00:00+08:00`);
    // Move past the end of next year; the tick writes the expiry once.
    // (Every token has expired by then: sign in again.)
    const t = await w.now();
    await w.advance(Math.ceil((Date.parse(`${year + 2}-01-01T00:00:00+08:00`) - t) / 1000) + 60);
    const admin = w.srv.client(await bearer(w.srv, ADMIN_PHONE, { password: ADMIN_PASSWORD }));
    expectStatus(await admin.post('/api/system/clock', { advance_s: 60 }), 200);
    // The volunteer's balance is 0 now: off the squad's board.
    assert.deepEqual(await board(admin), []);
  } finally {
    await w.srv.stop();
  }
});

test('leader boards per squad and per street: display names only', async () => {
  const w = await world();
  try {
    const worker = await w.person();
    assertError(await w.srv.client().get('/api/points/leaders?street=HZ-XN'), 401, 'unauthorized');
    const street = expectStatus(await worker.get('/api/points/leaders?street=HZ-XN'), 200).json.items;
    assert.ok(street.length >= 3, JSON.stringify(street));
    assert.deepEqual(Object.keys(street[0]).sort(), ['display_name', 'points', 'rank']);
    assert.ok(!JSON.stringify(street).match(/1\d{10}/), 'no phone numbers');
    for (let i = 1; i < street.length; i++) assert.ok(street[i - 1].points >= street[i].points);
    const squads = expectStatus(await worker.get('/api/volunteer/squads?street=HZ-HZ'), 200).json.items;
    const squad = expectStatus(await worker.get(`/api/points/leaders?squad=${squads[0].id}`), 200).json.items;
    assert.ok(squad.length >= 1);
    assert.ok(!squad.some((e) => street.some((x) => x.display_name === e.display_name)), 'another street\'s squad');
    assertError(await worker.get('/api/points/leaders?street=NOPE'), 400, 'invalid_query', 'street');
    assertError(await worker.get('/api/points/leaders?squad=x'), 400, 'invalid_query', 'squad');
  } finally {
    await w.srv.stop();
  }
});
