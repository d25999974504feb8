// Summer childcare (the childcare module): the demo's 35 programmes with
// places; children of verified workers with sealed health notes and pickup
// people; consent by version; family enrolment all or nothing, a family
// that waits as one group and is offered places only when the whole group
// fits; attendance with the rotating pickup code (a wrong or expired code
// is 403 and audited); children's data for the guardian and the
// programme's staff only; the retention job erasing the children's data a
// set time after the end; export and erase. On whichever store the suite
// runs (SQLite, or PostgreSQL under tools/with_pg.sh).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, ADMIN_TOKEN, STORE, assertError, expectStatus } from './lib/server.mjs';
import { sql } from './lib/accounts.mjs';

let srv, admin, site, otherSite;
let seq = 0;
const phone = () => `1375555${String(++seq).padStart(4, '0')}`;

before(async () => {
  srv = await startServer({ demo: true, env: { WARMHARBOR_TEST_CLOCK: '1', WARMHARBOR_CHILDCARE_RETAIN_DAYS: '7' } });
  admin = srv.client(ADMIN_TOKEN);
  site = (await admin.get('/api/sites?limit=1&type=community_station')).json.items[0].id;
  otherSite = (await admin.get('/api/sites?limit=1&type=industry_hub')).json.items[0].id;
});

after(async () => {
  await srv?.stop();
});

async function person() {
  const tok = srv.user(phone());
  const c = srv.client(tok);
  c.id = (await c.get('/api/me')).json.id;
  return c;
}

async function guardian() {
  const c = await person();
  expectStatus(await admin.post(`/api/users/${c.id}/verification`, { state: 'verified', site }), 200);
  return c;
}

async function staffOf(siteId) {
  const c = await person();
  expectStatus(await admin.post(`/api/users/${c.id}/roles`, { role: 'staff', scope_kind: 'site', scope_ref: String(siteId) }), 201);
  return c;
}

/** The server's local date (UTC+8) plus days. */
async function today(days = 0) {
  const now = Date.parse(expectStatus(await admin.post('/api/system/clock', { advance_s: 0 }), 200).json.now);
  return new Date(now + 8 * 3600e3 + days * 86400e3).toISOString().slice(0, 10);
}

/** Moves the server's clock into the next day (UTC+8) when less than
 * need_s seconds of today remain: attendance is per day, so a test that
 * checks children in and out must not straddle midnight. */
async function clearOfMidnight(need_s) {
  const now = Date.parse(expectStatus(await admin.post('/api/system/clock', { advance_s: 0 }), 200).json.now);
  const left = 86400 - Math.floor((now / 1000 + 8 * 3600) % 86400);
  if (left < need_s) expectStatus(await admin.post('/api/system/clock', { advance_s: left + 60 }), 200);
}

async function programme(extra = {}) {
  const res = await admin.post('/api/childcare/programmes', {
    site, title_zh: '测试托管班', title_en: 'Test programme', age_min: 6, age_max: 12,
    first_day: await today(), last_day: await today(4), capacity: 3, lunch: true,
    consent_version: 'v1', consent_zh: '监护人同意书全文', consent_en: 'The full consent text',
    timetable: [
      { start: '08:30', end: '10:00', kind: 'homework', title_zh: '作业辅导' },
      { start: '10:00', end: '11:30', kind: 'heritage', title_zh: '剪纸', title_en: 'Paper-cutting' },
    ],
    ...extra,
  });
  assert.equal(res.status, 201, res.text);
  return res.json;
}

async function child(who, extra = {}) {
  const res = await who.post('/api/me/children', { name: `孩子${++seq}`, birth_date: '2018-03-01', ...extra });
  assert.equal(res.status, 201, res.text);
  return res.json;
}

const enrol = (who, p, kids, consent = p.consent_version) =>
  who.post('/api/childcare/enrolments', { programme: p.id, children: kids.map((k) => k.id), consent });

async function stored(p) {
  return expectStatus(await admin.get(`/api/childcare/programmes/${p.id}`), 200).json;
}

test(`${STORE}: the demo has 35 programmes at stations and hubs, each with places, a timetable and consent text`, async () => {
  const list = expectStatus(await srv.client().get('/api/childcare/programmes'), 200).json.items;
  assert.equal(list.filter((p) => p.title_zh.includes('暑期托管班')).length, 35);
  for (const p of list) {
    assert.ok(Number.isInteger(p.capacity) && Number.isInteger(p.taken) && p.taken <= p.capacity);
    assert.ok(p.age_min <= p.age_max && p.first_day <= p.last_day);
  }
  const kinds = new Set(list.flatMap((p) => p.timetable.map((a) => a.kind)));
  for (const k of ['supervision', 'homework', 'heritage']) assert.ok(kinds.has(k), k);
  assert.ok(list.some((p) => p.timetable.some((a) => a.title_zh.includes('淮扬戏曲'))));
  assert.ok(list.some((p) => p.timetable.some((a) => a.title_zh.includes('剪纸'))));
  const one = expectStatus(await srv.client().get(`/api/childcare/programmes/${list[0].id}`), 200).json;
  assert.ok(one.consent_zh.length > 50 && one.consent_version === '2027.1');
  assert.equal(typeof one.lunch, 'boolean');
});

test(`${STORE}: programmes: admins only, bad fields named`, async () => {
  const w = await person();
  assertError(await w.post('/api/childcare/programmes', { site }), 403, 'forbidden');
  assertError(await admin.post('/api/childcare/programmes', { site, title_zh: 'x', age_min: 9, age_max: 6, first_day: '2027-07-01', last_day: '2027-07-05', capacity: 2, consent_version: 'v1', consent_zh: 'x', timetable: [{ start: '08:00', end: '09:00', kind: 'homework', title_zh: 'x' }] }), 422, 'invalid_field', 'age_max');
  assertError(await admin.post('/api/childcare/programmes', { site, title_zh: 'x', age_min: 6, age_max: 9, first_day: '2027-07-01', last_day: '2027-07-05', capacity: 2, consent_version: 'v1', consent_zh: 'x', timetable: [{ start: '08:00', end: '07:00', kind: 'homework', title_zh: 'x' }] }), 422, 'invalid_field', 'timetable[0].end');
  assertError(await admin.post('/api/childcare/programmes', { site, title_zh: 'x', age_min: 6, age_max: 9, first_day: '2027-07-01', last_day: '2027-07-05', capacity: 2, consent_version: 'v1', consent_zh: 'x', timetable: [{ start: '08:00', end: '09:00', kind: 'juggling', title_zh: 'x' }] }), 422, 'invalid_field', 'timetable[0].kind');
});

test(`${STORE}: a child needs a verified guardian; health notes and pickup people are sealed`, async () => {
  const w = await person();
  assertError(await w.post('/api/me/children', { name: '小明', birth_date: '2018-03-01' }), 403, 'verification_required');
  const g = await guardian();
  assertError(await g.post('/api/me/children', { name: '小明', birth_date: '2018-02-30' }), 422, 'invalid_field', 'birth_date');
  assertError(await g.post('/api/me/children', { name: '小明', birth_date: '2099-01-01' }), 422, 'invalid_field', 'birth_date');
  assertError(await g.post('/api/me/children', { name: '小明', birth_date: '2018-03-01', pickup_people: [{ name: '奶奶', phone: '12' }] }), 422, 'invalid_field', 'pickup_people[0].phone');
  assertError(await g.post('/api/me/children', { name: '小明', birth_date: '2018-03-01', nickname: 'x' }), 422, 'unknown_field', 'nickname');
  const kid = await child(g, {
    name: '小明', school: '新南小学', grade: '三年级', allergies: '花生', health_notes: '轻度哮喘，随身带喷雾',
    emergency_contacts: [{ name: '张三', phone: '13800001111', relation: '父亲' }],
    pickup_people: [{ name: '王奶奶', phone: '13800002222', relation: '奶奶' }],
  });
  assert.equal(kid.health_notes, '轻度哮喘，随身带喷雾');
  assert.deepEqual(kid.pickup_people, [{ name: '王奶奶', phone: '13800002222', relation: '奶奶' }]);
  const row = sql(srv, `SELECT health_sealed, pickup_sealed FROM children WHERE id = ${kid.id}`);
  assert.ok(!row.includes('哮喘') && !row.includes('王奶奶') && !row.includes('13800002222'), 'stored sealed');
  const mine = expectStatus(await g.get('/api/me/children'), 200).json.items;
  assert.deepEqual(mine.map((c) => c.id), [kid.id]);
  assert.equal(mine[0].health_notes, '轻度哮喘，随身带喷雾');
});

test(`${STORE}: enrolment checks: age (naming the child), group larger than the programme, consent, someone else's child, twice`, async () => {
  const p = await programme({ capacity: 2 });
  const g = await guardian();
  const a = await child(g);
  const tooYoung = await child(g, { birth_date: '2023-01-01' });
  const b = await child(g, { birth_date: '2016-05-05' });
  assertError(await enrol(g, p, [a, tooYoung]), 422, 'age_out_of_range', 'children[1]');
  assertError(await enrol(g, p, [a, b, tooYoung]), 422, 'group_too_large', 'children');
  assertError(await enrol(g, p, [a, b], 'v0'), 422, 'consent_required', 'consent');
  assertError(await enrol(g, p, [a, a]), 422, 'invalid_field', 'children[1]');
  const other = await guardian();
  assertError(await enrol(other, p, [a]), 422, 'unknown_child', 'children[0]');
  assertError(await g.post('/api/childcare/enrolments', { programme: 999999, children: [a.id], consent: 'v1' }), 422, 'unknown_programme', 'programme');
  // A replayed request answers the same and enrols once.
  const headers = { 'idempotency-key': `cc-${seq}` };
  const body = { programme: p.id, children: [a.id, b.id], consent: 'v1' };
  const first = await g.request('POST', '/api/childcare/enrolments', { json: body, headers });
  assert.equal(first.status, 201, first.text);
  assert.equal(first.json.state, 'enrolled');
  const again = await g.request('POST', '/api/childcare/enrolments', { json: body, headers });
  assert.equal(again.status, 201);
  assert.equal(again.headers.get('idempotent-replayed'), 'true');
  assert.equal(again.json.id, first.json.id);
  assertError(await enrol(g, p, [a]), 409, 'already_enrolled', 'children');
  const s = await stored(p);
  assert.equal(s.taken, 2);
  // The consent was recorded with its version and time.
  assert.equal(sql(srv, `SELECT version FROM childcare_consents WHERE user_id = ${g.id} AND programme_id = ${p.id} LIMIT 1`), 'v1');
});

test(`${STORE}: a family waits as one group and is offered places only when the whole group fits`, async () => {
  const p = await programme({ capacity: 3, offer_ttl_s: 600 });
  const [ga, gb, gc] = [await guardian(), await guardian(), await guardian()];
  const a = [await child(ga), await child(ga)];
  const b = [await child(gb), await child(gb)];
  const c = [await child(gc)];
  const ea = expectStatus(await enrol(ga, p, a), 201).json;
  assert.equal(ea.state, 'enrolled');
  const eb = expectStatus(await enrol(gb, p, b), 201).json;
  assert.deepEqual([eb.state, eb.place], ['waitlisted', 1]);
  const ec = expectStatus(await enrol(gc, p, c), 201).json;
  assert.equal(ec.state, 'enrolled', 'a family of one fits the last place');
  assert.deepEqual([(await stored(p)).taken, (await stored(p)).waiting], [3, 1]);

  // One place comes free: not enough for the family of two.
  expectStatus(await gc.post(`/api/childcare/enrolments/${ec.id}/cancel`), 200);
  let mine = expectStatus(await gb.get('/api/me/childcare'), 200).json.enrolments;
  assert.equal(mine[0].state, 'waitlisted');
  assert.equal((await stored(p)).taken, 2);

  // Two more: the whole group fits, and it gets one offer.
  expectStatus(await ga.post(`/api/childcare/enrolments/${ea.id}/cancel`), 200);
  mine = expectStatus(await gb.get('/api/me/childcare'), 200).json.enrolments;
  assert.equal(mine[0].state, 'offered');
  assert.ok(mine[0].offer_until);
  assert.equal((await stored(p)).taken, 2, 'the places are held for the offered family');
  const inbox = expectStatus(await gb.get('/api/me/inbox'), 200).json.items.filter((n) => n.kind === 'childcare_offer');
  assert.equal(inbox.length, 1, 'one offer for the family, not one per child');

  // Someone else cannot accept it; the guardian can.
  assertError(await ga.post(`/api/childcare/enrolments/${eb.id}/accept`), 404, 'not_found');
  const acc = expectStatus(await gb.post(`/api/childcare/enrolments/${eb.id}/accept`), 200).json;
  assert.equal(acc.state, 'enrolled');
  assertError(await gb.post(`/api/childcare/enrolments/${eb.id}/accept`), 409, 'not_offered');
});

test(`${STORE}: an offer not accepted in time expires and the places go on`, async () => {
  const p = await programme({ capacity: 2, offer_ttl_s: 120 });
  const [ga, gb] = [await guardian(), await guardian()];
  const ea = expectStatus(await enrol(ga, p, [await child(ga), await child(ga)]), 201).json;
  const eb = expectStatus(await enrol(gb, p, [await child(gb)]), 201).json;
  assert.equal(eb.state, 'waitlisted');
  expectStatus(await ga.post(`/api/childcare/enrolments/${ea.id}/cancel`), 200);
  assert.equal((await stored(p)).taken, 1);
  expectStatus(await admin.post('/api/system/clock', { advance_s: 180 }), 200);
  const mine = expectStatus(await gb.get('/api/me/childcare'), 200).json.enrolments;
  assert.equal(mine[0].state, 'cancelled');
  assert.equal((await stored(p)).taken, 0);
  assertError(await gb.post(`/api/childcare/enrolments/${eb.id}/accept`), 409, 'not_offered');
});

test(`${STORE}: attendance: staff check in; check-out needs the current pickup code; a wrong or expired one is 403 and audited`, async () => {
  await clearOfMidnight(900); // the test moves the clock 5 minutes on
  const staff = await staffOf(site);
  const notListed = await staffOf(site);
  const elsewhere = await staffOf(otherSite);
  const p = await programme({ capacity: 5, staff: [staff.id, elsewhere.id] });
  const g = await guardian();
  const a = await child(g, { name: '小红', pickup_people: [{ name: '李外婆', phone: '13900003333', relation: '外婆' }] });
  const b = await child(g, { name: '小刚' });
  expectStatus(await enrol(g, p, [a, b]), 201);

  // The roster: the listed staff of the programme's site, nobody else.
  const roster = expectStatus(await staff.get(`/api/childcare/programmes/${p.id}/roster`), 200).json;
  assert.deepEqual(roster.children.map((k) => k.name).sort(), ['小刚', '小红']);
  assert.equal(roster.children.find((k) => k.id === a.id).pickup_people[0].name, '李外婆');
  assertError(await notListed.get(`/api/childcare/programmes/${p.id}/roster`), 403, 'forbidden');
  assertError(await elsewhere.get(`/api/childcare/programmes/${p.id}/roster`), 403, 'out_of_scope');
  assertError(await g.get(`/api/childcare/programmes/${p.id}/roster`), 403, 'forbidden');
  assertError(await notListed.post(`/api/childcare/programmes/${p.id}/attendance`, { child: a.id, action: 'in' }), 403, 'forbidden');

  const att = (body) => staff.post(`/api/childcare/programmes/${p.id}/attendance`, body);
  const stranger = await child(await guardian());
  assertError(await att({ child: stranger.id, action: 'in' }), 422, 'unknown_child', 'child');
  const inA = expectStatus(await att({ child: a.id, action: 'in' }), 201).json;
  assert.ok(inA.in_at && inA.out_at === null);
  assertError(await att({ child: a.id, action: 'in' }), 409, 'already_checked_in', 'child');
  expectStatus(await att({ child: b.id, action: 'in' }), 201);
  assertError(await att({ child: a.id, action: 'out' }), 422, 'code_required', 'code');

  const auditBefore = expectStatus(await admin.get('/api/audit?limit=200'), 200).json.items.filter((e) => e.action === 'childcare_pickup_refused').length;
  const codes = expectStatus(await g.get('/api/me/childcare/pickup-codes'), 200).json;
  assert.match(codes.code, /^\d{6}$/);
  assert.ok(codes.expires_in > 0 && codes.expires_in <= codes.step_s);
  const wrong = codes.code === '000000' ? '111111' : '000000';
  assertError(await att({ child: a.id, action: 'out', code: wrong }), 403, 'pickup_code_invalid', 'code');
  const audit = expectStatus(await admin.get('/api/audit?limit=200'), 200).json.items.filter((e) => e.action === 'childcare_pickup_refused');
  assert.equal(audit.length, auditBefore + 1);
  assert.equal(audit[0].target_id, String(a.id));
  assert.equal(audit[0].actor_id, staff.id);

  // The authorised person's code is for that child only.
  const grandma = codes.children.find((k) => k.id === a.id).pickup_people[0];
  assert.equal(grandma.name, '李外婆');
  assertError(await att({ child: b.id, action: 'out', code: grandma.code }), 403, 'pickup_code_invalid', 'code');
  const outA = expectStatus(await att({ child: a.id, action: 'out', code: grandma.code }), 200).json;
  assert.equal(outA.picked_up_by, '李外婆');
  assertError(await att({ child: a.id, action: 'out', code: grandma.code }), 409, 'not_checked_in', 'child');

  // An expired code: the guardian's code of five minutes ago.
  const old = expectStatus(await g.get('/api/me/childcare/pickup-codes'), 200).json.code;
  expectStatus(await admin.post('/api/system/clock', { advance_s: 300 }), 200);
  assertError(await att({ child: b.id, action: 'out', code: old }), 403, 'pickup_code_invalid', 'code');
  const fresh = expectStatus(await g.get('/api/me/childcare/pickup-codes'), 200).json.code;
  const outB = expectStatus(await att({ child: b.id, action: 'out', code: fresh }), 200).json;
  assert.equal(outB.picked_up_by, 'guardian');

  // The guardian sees in and out times, and was told through the inbox.
  const mine = expectStatus(await g.get('/api/me/childcare'), 200).json.attendance;
  assert.deepEqual(mine.map((x) => x.child).sort(), [a.id, b.id].sort());
  assert.ok(mine.every((x) => x.in_at && x.out_at));
  const kinds = expectStatus(await g.get('/api/me/inbox'), 200).json.items.map((n) => n.kind);
  assert.equal(kinds.filter((k) => k === 'childcare_checked_in').length, 2);
  assert.equal(kinds.filter((k) => k === 'childcare_checked_out').length, 2);
});

test(`${STORE}: a child's record: the guardian and the programme's listed staff at its site, nobody else`, async () => {
  const staff = await staffOf(site);
  const p = await programme({ capacity: 5, staff: [staff.id] });
  const g = await guardian();
  const kid = await child(g, { health_notes: '对青霉素过敏' });
  const path = `/api/childcare/children/${kid.id}`;
  expectStatus(await g.get(path), 200);
  // Before the child is enrolled, the staff see nothing.
  assertError(await staff.get(path), 403, 'forbidden');
  expectStatus(await enrol(g, p, [kid]), 201);
  assert.equal(expectStatus(await staff.get(path), 200).json.health_notes, '对青霉素过敏');
  assertError(await (await guardian()).get(path), 403, 'forbidden');
  assertError(await (await staffOf(site)).get(path), 403, 'forbidden');
  assertError(await admin.get(path), 403, 'forbidden');
  assertError(await srv.client().get(path), 401, 'unauthorized');
  // A number that is no child answers like someone else's.
  assertError(await g.get('/api/childcare/children/999999'), 403, 'forbidden');
});

test(`${STORE}: export and erase: a guardian's children go, a waiting family behind gets the places`, async () => {
  const p = await programme({ capacity: 2 });
  const [ga, gb] = [await guardian(), await guardian()];
  expectStatus(await enrol(ga, p, [await child(ga, { health_notes: '近视' }), await child(ga)]), 201);
  const eb = expectStatus(await enrol(gb, p, [await child(gb), await child(gb)]), 201).json;
  assert.equal(eb.state, 'waitlisted');
  const exp = expectStatus(await ga.get('/api/me/export'), 200).json;
  assert.equal(exp.childcare.children.length, 2);
  assert.ok(exp.childcare.children.some((k) => k.health_notes === '近视'));
  assert.equal(exp.childcare.enrolments[0].state, 'enrolled');
  expectStatus(await ga.del('/api/me?confirm=1'), 204);
  assert.equal(sql(srv, `SELECT count(*) FROM children WHERE guardian_id = ${ga.id}`), '0');
  const mine = expectStatus(await gb.get('/api/me/childcare'), 200).json.enrolments;
  assert.equal(mine[0].state, 'offered');
  assert.equal((await stored(p)).taken, 2);
});

// Last: it moves the clock past the end of every test programme.
test(`${STORE}: the retention job erases the children's data a set time after the programme ends, and admins see it`, async () => {
  const staff = await staffOf(site);
  const p = await programme({ capacity: 4, staff: [staff.id] });
  const g = await guardian();
  const kid = await child(g);
  const keep = await child(g); // never enrolled: the guardian's to keep
  expectStatus(await enrol(g, p, [kid]), 201);
  expectStatus(await staff.post(`/api/childcare/programmes/${p.id}/attendance`, { child: kid.id, action: 'in' }), 201);
  const w = await person();
  assertError(await w.get('/api/childcare/retention'), 403, 'forbidden');
  let job = expectStatus(await admin.get('/api/childcare/retention'), 200).json;
  assert.equal(job.retain_days, 7);
  let row = job.items.find((x) => x.programme === p.id);
  assert.equal(row.erased_at, null);
  assert.equal(Date.parse(row.erase_at) - Date.parse(row.ends_at), 7 * 86400e3);
  // Ended, but not yet seven days ago: kept.
  expectStatus(await admin.post('/api/system/clock', { advance_s: 6 * 86400 }), 200);
  assert.equal((await g.get('/api/me/children')).json.items.length, 2);
  expectStatus(await admin.post('/api/system/clock', { advance_s: 7 * 86400 }), 200);
  job = expectStatus(await admin.get('/api/childcare/retention'), 200).json;
  row = job.items.find((x) => x.programme === p.id);
  assert.ok(row.erased_at);
  assert.equal(row.erased_children, 1);
  const left = (await g.get('/api/me/children')).json.items.map((k) => k.id);
  assert.deepEqual(left, [keep.id]);
  assert.equal(sql(srv, `SELECT count(*) FROM childcare_attendance WHERE programme_id = ${p.id}`), '0');
  srv.assertHealthy();
});
