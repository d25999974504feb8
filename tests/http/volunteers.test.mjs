// Volunteer squads (the volunteer module): a squad per street with its
// leader, members joining and leaving, an activity whose shifts are slots
// of the booking engine, sign-up (membership, the waitlist, the no-show
// pause with the test clock), check-in and check-out by the leader
// scanning the volunteer's QR, hours confirmed into points, the hours
// certificate and its verification code; and an attacker's tries:
// anonymous, a member acting as leader, another squad's leader with the
// same ids, the generic booking route, replays with Idempotency-Key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, ADMIN_TOKEN, assertError, expectStatus } from './lib/server.mjs';

let phoneSeq = 0;
const nextPhone = () => `1360000${String(++phoneSeq).padStart(4, '0')}`;

async function world() {
  const srv = await startServer({ demo: true, env: { WARMHARBOR_TEST_CLOCK: '1' } });
  const admin = srv.client(ADMIN_TOKEN);
  const person = async () => {
    const c = srv.client(srv.user(nextPhone()));
    c.id = expectStatus(await c.get('/api/me'), 200).json.id;
    return c;
  };
  const sites = (await admin.get('/api/sites?limit=1000')).json.items;
  const siteXN = sites.find((s) => s.region && s.region.startsWith('HZ-XN')).id;
  const w = {
    srv, admin, person, siteXN,
    async now() { return Date.parse(expectStatus(await admin.post('/api/system/clock', { advance_s: 0 }), 200).json.now); },
    async advance(s) { expectStatus(await admin.post('/api/system/clock', { advance_s: s }), 200); },
    async squad(street, leader) {
      return expectStatus(await admin.post('/api/volunteer/squads', { street, name_zh: `测试队${++phoneSeq}`, leader: leader.id }), 201).json;
    },
    async activity(by, squad, shifts, extra = {}) {
      const t = await w.now();
      const body = {
        title_zh: '交通劝导', site: siteXN,
        shifts: shifts.map(([inS, durS, capacity = 2]) => ({ start: new Date(t + inS * 1000).toISOString(), end: new Date(t + (inS + durS) * 1000).toISOString(), capacity })),
        ...extra,
      };
      return expectStatus(await by.post(`/api/volunteer/squads/${squad.id}/activities`, body), 201).json;
    },
  };
  return w;
}

test('a volunteer joins, signs up, is checked in and out by the leader, gets hours, points and a certificate', async () => {
  const w = await world();
  try {
    const leader = await w.person();
    const vol = await w.person();
    const squad = await w.squad('HZ-XN', leader);
    assert.equal(squad.street, 'HZ-XN');
    assert.equal(squad.members, 1);
    const listed = expectStatus(await w.srv.client().get('/api/volunteer/squads?street=HZ-XN'), 200).json.items;
    assert.ok(listed.some((s) => s.id === squad.id));
    assert.ok(!JSON.stringify(listed).includes('136000'), 'no phones in lists');

    const act = await w.activity(leader, squad, [[3600, 2 * 3600], [86400 * 2, 3600]]);
    assert.equal(act.shifts.length, 2);
    const shift = act.shifts[0];
    // Not a member yet.
    assertError(await vol.post(`/api/volunteer/shifts/${shift.id}/signup`), 403, 'not_a_member');
    const joined = expectStatus(await vol.post(`/api/volunteer/squads/${squad.id}/join`), 200).json;
    assert.equal(joined.members, 2);
    assertError(await vol.post(`/api/volunteer/squads/${squad.id}/join`), 409, 'already_member');
    // The generic booking route does not book volunteer shifts.
    assertError(await vol.post('/api/bookings', { slot: shift.id }), 409, 'offering_closed');
    const su = expectStatus(await vol.post(`/api/volunteer/shifts/${shift.id}/signup`), 201).json;
    assert.equal(su.state, 'confirmed');
    // The second shift of the same activity: a second place is allowed.
    expectStatus(await vol.post(`/api/volunteer/shifts/${act.shifts[1].id}/signup`), 201);
    assertError(await vol.post(`/api/volunteer/shifts/${shift.id}/signup`), 409, 'already_signed_up');

    // Check-in by the leader scanning the volunteer's QR, an hour in.
    await w.advance(3600);
    const qr = () => vol.get('/api/me/qr').then((r) => expectStatus(r, 200).json.token);
    assertError(await leader.post(`/api/volunteer/shifts/${shift.id}/check-in`, { qr: 'nonsense' }), 422, 'invalid_qr', 'qr');
    const key = { headers: { 'idempotency-key': 'vol-check-in-1' } };
    const body = { qr: await qr() };
    const cin = await leader.post(`/api/volunteer/shifts/${shift.id}/check-in`, body, key);
    expectStatus(cin, 201);
    assert.equal(cin.json.state, 'checked_in');
    // Replayed with the same key: the first answer, not a second check-in.
    const again = await leader.post(`/api/volunteer/shifts/${shift.id}/check-in`, body, key);
    assert.equal(again.status, 201);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.equal(again.json.id, cin.json.id);
    assertError(await leader.post(`/api/volunteer/shifts/${shift.id}/check-in`, { qr: await qr() }), 409, 'already_checked_in', 'qr');
    const hoursId = cin.json.id;
    assertError(await leader.post(`/api/volunteer/hours/${hoursId}/confirm`), 409, 'not_checked_out');

    // Three hours later (the shift lasts two): capped at 120 minutes.
    await w.advance(3 * 3600 + 600);
    const cout = expectStatus(await leader.post(`/api/volunteer/shifts/${shift.id}/check-out`, { qr: await qr() }), 200).json;
    assert.equal(cout.minutes, 120);
    assertError(await leader.post(`/api/volunteer/shifts/${shift.id}/check-out`, { qr: await qr() }), 409, 'already_checked_out', 'qr');
    const roster = expectStatus(await leader.get(`/api/volunteer/shifts/${shift.id}/roster`), 200).json.items;
    assert.equal(roster.length, 1);
    assert.equal(roster[0].state, 'checked_in');
    assert.equal(roster[0].hours.minutes, 120);
    assert.ok(!JSON.stringify(roster).includes('136000'), 'no phones in the roster');

    // Confirmed: 2 hours at 10 points an hour.
    const conf = expectStatus(await leader.post(`/api/volunteer/hours/${hoursId}/confirm`), 200).json;
    assert.equal(conf.state, 'confirmed');
    assert.equal(conf.points_granted, 20);
    assertError(await leader.post(`/api/volunteer/hours/${hoursId}/confirm`), 409, 'already_confirmed');
    const pts = expectStatus(await vol.get('/api/me/points'), 200).json;
    assert.equal(pts.balance, 20);
    assert.equal(pts.items[0].reason, 'volunteer_hour');

    const me = expectStatus(await vol.get('/api/me/volunteer'), 200).json;
    assert.equal(me.total_minutes, 120);
    assert.equal(me.squads.length, 1);

    // The certificate: printable HTML with a code that the public route confirms.
    const cert = await vol.get('/api/me/volunteer/certificate');
    assert.equal(cert.status, 200);
    assert.match(cert.headers.get('content-type'), /text\/html/);
    const code = cert.headers.get('x-certificate-code');
    assert.match(code, /^[2-9A-Z]{12}$/);
    assert.ok(cert.text.includes(code) && cert.text.includes('2:00'));
    const again2 = await vol.get('/api/me/volunteer/certificate');
    assert.equal(again2.headers.get('x-certificate-code'), code, 'a reprint keeps its code');
    const check = expectStatus(await w.srv.client().get(`/api/volunteer/certificates/${code}`), 200).json;
    assert.equal(check.total_minutes, 120);
    assert.equal(check.squads[0].minutes, 120);
    assertError(await w.srv.client().get('/api/volunteer/certificates/ZZZZZZZZZZZZ'), 404, 'not_found');

    // Leaving; the leader cannot leave.
    assertError(await leader.post(`/api/volunteer/squads/${squad.id}/leave`), 409, 'leader_cannot_leave');
    expectStatus(await vol.post(`/api/volunteer/squads/${squad.id}/leave`), 200);
    assertError(await vol.post(`/api/volunteer/squads/${squad.id}/leave`), 409, 'not_a_member');
  } finally {
    await w.srv.stop();
  }
});

test('attacks: anonymous, a member acting as leader, another squad\'s leader with the same ids, own hours', async () => {
  const w = await world();
  try {
    const anon = w.srv.client();
    const leaderA = await w.person();
    const leaderB = await w.person();
    const member = await w.person();
    const squadA = await w.squad('HZ-XN', leaderA);
    const squadB = await w.squad('HZ-HZ', leaderB);
    expectStatus(await member.post(`/api/volunteer/squads/${squadA.id}/join`), 200);
    const act = await w.activity(leaderA, squadA, [[600, 3600]]);
    const shift = act.shifts[0];
    expectStatus(await member.post(`/api/volunteer/shifts/${shift.id}/signup`), 201);
    const qr = (await member.get('/api/me/qr')).json.token;
    const actBody = { title_zh: 'x', site: w.siteXN, shifts: [{ start: new Date((await w.now()) + 7200e3).toISOString(), end: new Date((await w.now()) + 9000e3).toISOString(), capacity: 1 }] };

    assertError(await anon.post(`/api/volunteer/squads/${squadA.id}/join`), 401, 'unauthorized');
    assertError(await anon.post(`/api/volunteer/shifts/${shift.id}/check-in`, { qr }), 401, 'unauthorized');
    assertError(await anon.get('/api/me/volunteer/certificate'), 401, 'unauthorized');
    for (const who of [member, leaderB]) {
      assertError(await who.post(`/api/volunteer/shifts/${shift.id}/check-in`, { qr }), 403, 'out_of_scope');
      assertError(await who.post(`/api/volunteer/shifts/${shift.id}/check-out`, { qr }), 403, 'out_of_scope');
      assertError(await who.get(`/api/volunteer/shifts/${shift.id}/roster`), 403, 'out_of_scope');
      assertError(await who.get(`/api/volunteer/squads/${squadA.id}/members`), 403, 'out_of_scope');
      assertError(await who.post(`/api/volunteer/squads/${squadA.id}/activities`, actBody), 403, 'out_of_scope');
    }
    // Leader B's own squad works with B's ids, not A's.
    expectStatus(await leaderB.get(`/api/volunteer/squads/${squadB.id}/members`), 200);
    // Squads are made by admins of the street only.
    assertError(await leaderA.post('/api/volunteer/squads', { street: 'HZ-XN', name_zh: 'x' }), 403, 'forbidden');
    assertError(await w.admin.post('/api/volunteer/squads', { street: 'HZ-XN-01', name_zh: 'x' }), 422, 'not_a_street', 'street');
    // A region admin of the street manages the squad; of another street not.
    const regionIn = await w.person();
    const regionOut = await w.person();
    expectStatus(await w.admin.post(`/api/users/${regionIn.id}/roles`, { role: 'region_admin', scope_kind: 'region', scope_ref: 'HZ-XN' }), 201);
    expectStatus(await w.admin.post(`/api/users/${regionOut.id}/roles`, { role: 'region_admin', scope_kind: 'region', scope_ref: 'HZ-HZ' }), 201);
    expectStatus(await regionIn.get(`/api/volunteer/shifts/${shift.id}/roster`), 200);
    assertError(await regionOut.get(`/api/volunteer/shifts/${shift.id}/roster`), 403, 'out_of_scope');
    assertError(await regionOut.post('/api/volunteer/squads', { street: 'HZ-XN', name_zh: 'x' }), 403, 'out_of_scope', 'street');
    // A shift id that is a slot of another offering is no shift.
    assertError(await leaderA.get('/api/volunteer/shifts/999999/roster'), 404, 'not_found');

    // The leader's own hours are confirmed by an admin of the street.
    expectStatus(await leaderA.post(`/api/volunteer/shifts/${shift.id}/signup`), 201);
    await w.advance(900);
    const lqr = async () => (await leaderA.get('/api/me/qr')).json.token;
    expectStatus(await leaderA.post(`/api/volunteer/shifts/${shift.id}/check-in`, { qr: await lqr() }), 201);
    await w.advance(2800); // 46 minutes: 45 counted
    const out = expectStatus(await leaderA.post(`/api/volunteer/shifts/${shift.id}/check-out`, { qr: await lqr() }), 200).json;
    assertError(await leaderA.post(`/api/volunteer/hours/${out.id}/confirm`), 403, 'own_hours');
    assertError(await leaderB.post(`/api/volunteer/hours/${out.id}/confirm`), 403, 'out_of_scope');
    const conf = expectStatus(await regionIn.post(`/api/volunteer/hours/${out.id}/confirm`), 200).json;
    assert.equal(conf.minutes, 45);
    assert.equal(conf.points_granted, 7); // 3 quarters of 2.5 points, rounded down
  } finally {
    await w.srv.stop();
  }
});

test('no-shows: two missed shifts within 90 days pause sign-ups for 30 days', async () => {
  const w = await world();
  try {
    const leader = await w.person();
    const vol = await w.person();
    const squad = await w.squad('HZ-XN', leader);
    expectStatus(await vol.post(`/api/volunteer/squads/${squad.id}/join`), 200);
    const act = await w.activity(leader, squad, [[3600, 3600], [3 * 3600, 3600], [40 * 86400, 3600], [41 * 86400, 3600]]);
    const [s1, s2, s3, s4] = act.shifts;
    expectStatus(await vol.post(`/api/volunteer/shifts/${s1.id}/signup`), 201);
    expectStatus(await vol.post(`/api/volunteer/shifts/${s2.id}/signup`), 201);
    // The first shift ends without a check-in: one no-show does not pause.
    await w.advance(2.5 * 3600);
    expectStatus(await vol.post(`/api/volunteer/shifts/${s3.id}/signup`), 201);
    // The second one too: the booking tick marks it, sign-ups pause.
    await w.advance(2.5 * 3600);
    const paused = await vol.post(`/api/volunteer/shifts/${s4.id}/signup`);
    assertError(paused, 403, 'signups_paused');
    const until = Date.parse(paused.json.error.until);
    const now = await w.now();
    assert.ok(until > now + 29 * 86400e3 && until < now + 30 * 86400e3, paused.text);
    // Still paused 28 days on (tokens live 30 days, so the end of the pause
    // itself is checked by the unit test of volunteer_pause_until).
    await w.advance(28 * 86400);
    assertError(await vol.post(`/api/volunteer/shifts/${s4.id}/signup`), 403, 'signups_paused');
  } finally {
    await w.srv.stop();
  }
});

test('a full shift puts the next volunteer on its waitlist; without a waitlist it is full', async () => {
  const w = await world();
  try {
    const leader = await w.person();
    const squad = await w.squad('HZ-XN', leader);
    const vols = [await w.person(), await w.person(), await w.person()];
    for (const v of vols) expectStatus(await v.post(`/api/volunteer/squads/${squad.id}/join`), 200);
    const act = await w.activity(leader, squad, [[86400, 3600, 1]]);
    assert.equal(expectStatus(await vols[0].post(`/api/volunteer/shifts/${act.shifts[0].id}/signup`), 201).json.state, 'confirmed');
    const second = expectStatus(await vols[1].post(`/api/volunteer/shifts/${act.shifts[0].id}/signup`), 201).json;
    assert.equal(second.state, 'waitlisted');
    assert.equal(second.place, 1);
    const closed = await w.activity(leader, squad, [[86400 * 2, 3600, 1]], { waitlist: false });
    expectStatus(await vols[0].post(`/api/volunteer/shifts/${closed.shifts[0].id}/signup`), 201);
    assertError(await vols[2].post(`/api/volunteer/shifts/${closed.shifts[0].id}/signup`), 409, 'full');
    const a = expectStatus(await w.srv.client().get(`/api/volunteer/activities/${act.id}`), 200).json;
    assert.equal(a.shifts[0].taken, 1);
    assert.equal(a.shifts[0].waiting, 1);
  } finally {
    await w.srv.stop();
  }
});
