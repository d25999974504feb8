// Lending (the lending module): borrow anywhere, return anywhere. Item
// types and each site's stock; staff lend to a worker by id or by the QR
// code on their phone; staff of ANY site take it back (the stock moves to
// their site), or report it damaged or lost; limits per person and per
// type; reservations of scarce items that the tick expires; overdue loans
// reminded once. Attacks: anonymous callers, a worker lending, staff of
// another site whose own site has the number of the loan, a replayed
// Idempotency-Key, and races: two staff lending the last raincoat at once,
// many lends of a few items, many lends to one person at the limit, two
// returns of one loan (on whichever store the suite runs: SQLite, or
// PostgreSQL under tools/with_pg.sh).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, ADMIN_TOKEN, assertError, expectStatus } from './lib/server.mjs';

let phoneSeq = 0;
const phone = () => `1394444${String(++phoneSeq).padStart(4, '0')}`;

async function grantStaff(srv, admin, token, siteId) {
  const me = (await srv.client(token).get('/api/me')).json.id;
  const res = await admin.post(`/api/users/${me}/roles`, { role: 'staff', scope_kind: 'site', scope_ref: String(siteId) });
  assert.equal(res.status, 201, res.text);
}

// A server with the demo data. A: the riders' service centre (where the
// demo lends raincoats); B: a community station; L: the livestream base.
// Staff of A, of B, and of site 1 (none of them); two workers.
async function setup(env = {}) {
  const srv = await startServer({ demo: true, env });
  const admin = srv.client(ADMIN_TOKEN);
  const find = async (q) => expectStatus(await admin.get(`/api/sites?${q}&limit=1`), 200).json.items[0].id;
  const A = await find(`q=${encodeURIComponent('骑手综合服务中心')}`);
  const B = await find('type=community_station&amenity=fridge');
  const L = await find(`q=${encodeURIComponent('直播电商基地')}`);
  assert.ok(new Set([A, B, L, 1]).size === 4, 'four different sites');
  const tok = { a: srv.user(phone()), b: srv.user(phone()), one: srv.user(phone()), l: srv.user(phone()) };
  await grantStaff(srv, admin, tok.a, A);
  await grantStaff(srv, admin, tok.b, B);
  await grantStaff(srv, admin, tok.one, 1);
  await grantStaff(srv, admin, tok.l, L);
  const w1 = srv.client(srv.user(phone()));
  const w2 = srv.client(srv.user(phone()));
  const idOf = async (c) => (await c.get('/api/me')).json.id;
  return {
    srv, admin, A, B, L, staffA: srv.client(tok.a), staffB: srv.client(tok.b), staffOne: srv.client(tok.one),
    staffL: srv.client(tok.l), w1, w2, w1id: await idOf(w1), w2id: await idOf(w2), anon: srv.client(),
  };
}

const ZERO = { available: 0, reserved: 0, lent: 0, damaged: 0, total: 0 };

/** One type's stock at a site (zeros when it never held any). */
async function stock(client, site, code) {
  const items = expectStatus(await client.get(`/api/sites/${site}/items`), 200).json.items;
  const it = items.find((i) => i.code === code);
  if (!it) return { ...ZERO };
  const { available, reserved, lent, damaged, total } = it;
  assert.equal(total, available + reserved + lent + damaged, 'the counters add up');
  return { available, reserved, lent, damaged, total };
}

/** Make exactly n of code available at site. */
async function setAvailable(staff, site, code, n) {
  const now = await stock(staff, site, code);
  if (now.available === n) return;
  const res = await staff.post(`/api/sites/${site}/stock`, { item: code, add: n - now.available });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.available, n);
}

test('item types and stock: public lists, staff put items on and take them off; every refusal', async () => {
  const { srv, admin, A, B, staffA, staffB, w1, anon } = await setup();
  try {
    const types = expectStatus(await anon.get('/api/item-types'), 200).json;
    assert.equal(types.limit_per_person, 3);
    assert.deepEqual(types.items.map((t) => t.code), ['raincoat', 'umbrella', 'power_bank', 'phone_stand',
      'repair_kit', 'livestream_light', 'livestream_mic']);
    const byCode = Object.fromEntries(types.items.map((t) => [t.code, t]));
    assert.equal(byCode.raincoat.due_hours, 72);
    assert.equal(byCode.raincoat.name_zh, '雨衣');
    assert.equal(byCode.raincoat.per_person_max, null);
    assert.equal(byCode.power_bank.per_person_max, 1);
    assert.equal(byCode.livestream_light.reservable, true);
    assert.equal(byCode.umbrella.reservable, false);

    // The demo stocks every site; the riders' centre has its 30 raincoats
    // (one of them was lent and came back elsewhere).
    const items = expectStatus(await anon.get(`/api/sites/${A}/items`), 200).json;
    assert.equal(items.site_id, A);
    for (const code of ['raincoat', 'umbrella', 'power_bank']) assert.ok(items.items.some((i) => i.code === code), code);
    const rc = await stock(anon, A, 'raincoat');
    assert.equal(rc.total, 29, 'a raincoat lent here went back at a station');
    assertError(await anon.get('/api/sites/999999/items'), 404, 'not_found');
    assertError(await anon.get('/api/sites/abc/items'), 404, 'not_found');

    // Staff put five on the shelf and take two off.
    const before = await stock(anon, A, 'umbrella');
    const added = expectStatus(await staffA.post(`/api/sites/${A}/stock`, { item: 'umbrella', add: 5 }), 200).json;
    assert.equal(added.available, before.available + 5);
    assert.equal(added.total, before.total + 5);
    assert.equal(expectStatus(await staffA.post(`/api/sites/${A}/stock`, { item: 'umbrella', add: -2 }), 200).json.available,
      before.available + 3);
    // Never below zero.
    assertError(await staffA.post(`/api/sites/${A}/stock`, { item: 'umbrella', add: -1000 }), 409, 'not_enough_stock', 'add');
    assert.equal((await stock(anon, A, 'umbrella')).available, before.available + 3);
    assertError(await staffA.post(`/api/sites/${A}/stock`, { item: 'umbrella', repaired: 1 }), 409, 'not_enough_stock', 'repaired');
    // A type the site never held gets a row.
    expectStatus(await staffA.post(`/api/sites/${A}/stock`, { item: 'livestream_mic', add: 1 }), 200);
    assert.equal((await stock(anon, A, 'livestream_mic')).available, 1);
    // Bodies.
    assertError(await staffA.post(`/api/sites/${A}/stock`, { item: 'tent', add: 1 }), 422, 'unknown_item', 'item');
    assertError(await staffA.post(`/api/sites/${A}/stock`, { item: 'Rain Coat', add: 1 }), 422, 'unknown_item', 'item');
    assertError(await staffA.post(`/api/sites/${A}/stock`, { item: 'umbrella' }), 422, 'missing_field', 'add');
    assertError(await staffA.post(`/api/sites/${A}/stock`, { item: 'umbrella', add: 1001 }), 422, 'invalid_field', 'add');
    assertError(await staffA.post(`/api/sites/${A}/stock`, { item: 'umbrella', add: 1, colour: 'red' }), 422, 'unknown_field');
    assertError(await staffA.post(`/api/sites/${A}/stock`, { add: 1 }), 422, 'missing_field', 'item');
    assertError(await staffA.post('/api/sites/999999/stock', { item: 'umbrella', add: 1 }), 404, 'not_found');
    // Who may.
    assertError(await staffB.post(`/api/sites/${A}/stock`, { item: 'umbrella', add: 1 }), 403, 'out_of_scope');
    assertError(await w1.post(`/api/sites/${A}/stock`, { item: 'umbrella', add: 1 }), 403, 'forbidden');
    assertError(await anon.post(`/api/sites/${A}/stock`, { item: 'umbrella', add: 1 }), 401, 'unauthorized');
    expectStatus(await staffB.post(`/api/sites/${B}/stock`, { item: 'umbrella', add: 1 }), 200);

    // System admins add a type and change one.
    const tent = await admin.put('/api/item-types/rain_boots', { name_zh: '雨靴', name_en: 'Rain boots', due_hours: 48, per_person_max: 1 });
    assert.equal(tent.status, 201, tent.text);
    assert.deepEqual(tent.json, { code: 'rain_boots', name_zh: '雨靴', name_en: 'Rain boots', due_hours: 48, per_person_max: 1, reservable: false, sort_order: 0 });
    const changed = expectStatus(await admin.put('/api/item-types/rain_boots', { due_hours: 24, per_person_max: null, sort_order: 8 }), 200).json;
    assert.equal(changed.due_hours, 24);
    assert.equal(changed.per_person_max, null);
    assert.equal(changed.name_zh, '雨靴');
    assert.equal((await anon.get('/api/item-types')).json.items.at(-1).code, 'rain_boots');
    assertError(await admin.put('/api/item-types/new_thing', { name_zh: '新' }), 422, 'missing_field', 'due_hours');
    assertError(await admin.put('/api/item-types/new_thing', { name_zh: '', due_hours: 1 }), 422, 'missing_field', 'name_zh');
    assertError(await admin.put('/api/item-types/Bad-Code', { name_zh: 'x', due_hours: 1 }), 422, 'invalid_field', 'code');
    assertError(await admin.put('/api/item-types/raincoat', { due_hours: 0 }), 422, 'invalid_field', 'due_hours');
    assertError(await staffA.put('/api/item-types/raincoat', { due_hours: 1 }), 403, 'forbidden');
    assertError(await anon.put('/api/item-types/raincoat', { due_hours: 1 }), 401, 'unauthorized');
  } finally {
    await srv.stop();
  }
});

test('lend at A, return at B: the stock moves; lend by QR code; damaged and lost; lists; export', async () => {
  const { srv, admin, A, B, staffA, staffB, w1, w2, w1id, w2id, anon } = await setup({ WARMHARBOR_TEST_CLOCK: '1' });
  try {
    const a0 = await stock(anon, A, 'raincoat');
    const b0 = await stock(anon, B, 'raincoat');
    const lent = await staffA.post('/api/loans', { site: A, item: 'raincoat', user: w1id, note: '蓝色' });
    assert.equal(lent.status, 201, lent.text);
    const loan = lent.json;
    assert.equal(loan.state, 'out');
    assert.equal(loan.site_id, A);
    assert.equal(loan.user_id, w1id);
    assert.equal(loan.item.code, 'raincoat');
    assert.equal(loan.item.name_zh, '雨衣');
    assert.equal(loan.note, '蓝色');
    assert.equal(loan.overdue, false);
    assert.equal(Date.parse(loan.due_at) - Date.parse(loan.lent_at), 72 * 3600 * 1000, 'a raincoat is due in three days');
    assert.match(loan.due_at, /\+08:00$/);
    assert.deepEqual(await stock(anon, A, 'raincoat'), { ...a0, available: a0.available - 1, lent: a0.lent + 1 });

    // The worker sees it with its due date.
    const mine = expectStatus(await w1.get('/api/me/loans'), 200).json;
    assert.equal(mine.out, 1);
    assert.equal(mine.limit, 3);
    assert.deepEqual(mine.items.map((l) => [l.id, l.state, l.due_at, l.overdue]), [[loan.id, 'out', loan.due_at, false]]);
    assert.equal(mine.items[0].site.name_zh, '外卖骑手综合服务中心');
    assert.equal(mine.items[0].user_id, undefined, 'no staff fields for the worker');
    assert.deepEqual(expectStatus(await w2.get('/api/me/loans'), 200).json.items, []);

    // Staff at B see what the person has out and take it back at B.
    const theirs = expectStatus(await staffB.get(`/api/users/${w1id}/loans`), 200).json.items;
    assert.deepEqual(theirs.map((l) => l.id), [loan.id]);
    const audit = expectStatus(await admin.get('/api/audit?limit=50'), 200).json.items;
    assert.ok(audit.some((e) => e.action === 'view_loans' && e.target_id === String(w1id) && e.detail === '1 out'), 'looking is recorded');
    assertError(await staffB.get('/api/users/999999/loans'), 404, 'not_found');
    const back = await staffB.post(`/api/loans/${loan.id}/return`, { site: B });
    assert.equal(back.status, 200, back.text);
    assert.equal(back.json.state, 'returned');
    assert.equal(back.json.closed_site_id, B);
    assert.ok(back.json.closed_at);
    // A's stock shrank by the raincoat; B's grew by it.
    assert.deepEqual(await stock(anon, A, 'raincoat'), { ...a0, available: a0.available - 1, total: a0.total - 1 });
    assert.deepEqual(await stock(anon, B, 'raincoat'), { ...b0, available: b0.available + 1, total: b0.total + 1 });
    assertError(await staffB.post(`/api/loans/${loan.id}/return`, { site: B }), 409, 'not_out', null);
    assertError(await staffA.post(`/api/loans/${loan.id}/lost`, { site: A }), 409, 'not_out', null);
    assertError(await staffB.post('/api/loans/999999/return', { site: B }), 404, 'not_found');
    assertError(await staffB.post('/api/loans/x1/return', { site: B }), 404, 'not_found');
    assert.equal(expectStatus(await w1.get('/api/me/loans'), 200).json.out, 0);

    // By the QR code on the worker's phone.
    const qr = expectStatus(await w2.get('/api/me/qr'), 200).json.token;
    const byQr = await staffA.post('/api/loans', { site: A, item: 'umbrella', qr });
    assert.equal(byQr.status, 201, byQr.text);
    assert.equal(byQr.json.user_id, w2id);
    assertError(await staffA.post('/api/loans', { site: A, item: 'umbrella', qr: 'not-a-code' }), 422, 'invalid_qr', 'qr');
    assertError(await staffA.post('/api/loans', { site: A, item: 'umbrella', qr: qr.slice(0, -2) + (qr.endsWith('AA') ? 'BB' : 'AA') }), 422, 'invalid_qr', 'qr');
    expectStatus(await admin.post('/api/system/clock', { advance_s: 121 }), 200);
    assertError(await staffA.post('/api/loans', { site: A, item: 'umbrella', qr }), 410, 'qr_expired', 'qr');

    // Every refusal of a lend.
    const body = { site: A, item: 'umbrella', user: w2id };
    assertError(await staffA.post('/api/loans', { site: A, item: 'umbrella' }), 422, 'missing_field', 'user');
    assertError(await staffA.post('/api/loans', { ...body, qr }), 422, 'invalid_field', 'qr');
    assertError(await staffA.post('/api/loans', { ...body, user: 999999 }), 422, 'unknown_user', 'user');
    assertError(await staffA.post('/api/loans', { ...body, user: 'w2' }), 422, 'invalid_field', 'user');
    assertError(await staffA.post('/api/loans', { ...body, item: 'tent' }), 422, 'unknown_item', 'item');
    assertError(await staffA.post('/api/loans', { ...body, site: undefined }), 422, 'missing_field', 'site');
    assertError(await staffA.post('/api/loans', { ...body, when: 'now' }), 422, 'unknown_field');
    assertError(await staffA.post('/api/loans', { ...body, note: 'x'.repeat(501) }), 422, 'too_long', 'note');
    assertError(await admin.post('/api/loans', { ...body, site: 999999 }), 422, 'unknown_site', 'site');
    assertError(await staffA.post('/api/loans', { ...body, site: B }), 403, 'out_of_scope', 'site');
    assertError(await w1.post('/api/loans', body), 403, 'forbidden');
    assertError(await anon.post('/api/loans', body), 401, 'unauthorized');
    assertError(await staffA.request('POST', '/api/loans', { body: 'site=1', headers: { 'content-type': 'text/plain' } }), 415, 'unsupported_media_type');

    // Damaged: back at B, but not on its shelf until repaired.
    const b1 = await stock(anon, B, 'umbrella');
    const dmg = expectStatus(await staffB.post(`/api/loans/${byQr.json.id}/damaged`, { site: B, note: '伞骨断了' }), 200).json;
    assert.equal(dmg.state, 'damaged');
    assert.equal(dmg.note, '伞骨断了');
    assert.deepEqual(await stock(anon, B, 'umbrella'), { ...b1, damaged: b1.damaged + 1, total: b1.total + 1 });
    const fixed = expectStatus(await staffB.post(`/api/sites/${B}/stock`, { item: 'umbrella', repaired: 1 }), 200).json;
    assert.equal(fixed.damaged, b1.damaged);
    assert.equal(fixed.available, b1.available + 1);

    // Lost: reported at any site; the lending site's stock shrinks.
    const pb = expectStatus(await staffA.post('/api/loans', { site: A, item: 'power_bank', user: w2id }), 201).json;
    assert.equal(Date.parse(pb.due_at) - Date.parse(pb.lent_at), 24 * 3600 * 1000);
    const p0 = await stock(anon, A, 'power_bank');
    const lost = expectStatus(await staffB.post(`/api/loans/${pb.id}/lost`, { site: B }), 200).json;
    assert.equal(lost.state, 'lost');
    assert.equal(lost.closed_site_id, B);
    assert.deepEqual(await stock(anon, A, 'power_bank'), { ...p0, lent: p0.lent - 1, total: p0.total - 1 });

    // Every refusal of a return.
    const out = expectStatus(await staffA.post('/api/loans', { site: A, item: 'raincoat', user: w2id }), 201).json;
    assertError(await staffB.post(`/api/loans/${out.id}/return`, {}), 422, 'missing_field', 'site');
    assertError(await staffB.post(`/api/loans/${out.id}/return`, { site: A }), 403, 'out_of_scope', 'site');
    assertError(await staffB.post(`/api/loans/${out.id}/return`, { site: B, by: 'me' }), 422, 'unknown_field');
    assertError(await admin.post(`/api/loans/${out.id}/return`, { site: 999999 }), 422, 'unknown_site', 'site');
    assertError(await w2.post(`/api/loans/${out.id}/return`, { site: B }), 403, 'forbidden');
    assertError(await anon.post(`/api/loans/${out.id}/return`, { site: B }), 401, 'unauthorized');
    for (const p of ['damaged', 'lost']) {
      assertError(await staffB.post(`/api/loans/${out.id}/${p}`, { site: A }), 403, 'out_of_scope', 'site');
      assertError(await w2.post(`/api/loans/${out.id}/${p}`, { site: B }), 403, 'forbidden');
    }
    // Returned where it was lent: back on the same shelf.
    const r0 = await stock(anon, A, 'raincoat');
    expectStatus(await staffA.post(`/api/loans/${out.id}/return`, { site: A }), 200);
    assert.deepEqual(await stock(anon, A, 'raincoat'), { ...r0, available: r0.available + 1, lent: r0.lent - 1 });

    // Staff lists at the lending site.
    await setAvailable(staffA, A, 'phone_stand', 2);
    const open = expectStatus(await staffA.post('/api/loans', { site: A, item: 'phone_stand', user: w1id }), 201).json;
    const listOut = expectStatus(await staffA.get(`/api/sites/${A}/loans?state=out`), 200).json.items;
    assert.ok(listOut.some((l) => l.id === open.id));
    assert.ok(listOut.every((l) => l.state === 'out' || l.state === 'overdue'));
    assert.equal(listOut.find((l) => l.id === open.id).borrower_name, '');
    const listBack = expectStatus(await staffA.get(`/api/sites/${A}/loans?state=returned`), 200).json.items;
    assert.ok(listBack.some((l) => l.id === loan.id && l.closed_site_id === B));
    const all = expectStatus(await staffA.get(`/api/sites/${A}/loans`), 200).json.items;
    assert.ok(all.length >= 5);
    assert.equal(expectStatus(await staffA.get(`/api/sites/${A}/loans?limit=1`), 200).json.items.length, 1);
    assertError(await staffA.get(`/api/sites/${A}/loans?state=gone`), 400, 'invalid_query', 'state');
    assertError(await staffA.get(`/api/sites/${A}/loans?limit=0`), 400, 'invalid_query', 'limit');
    assertError(await staffB.get(`/api/sites/${A}/loans`), 403, 'out_of_scope');
    assertError(await w1.get(`/api/sites/${A}/loans`), 403, 'forbidden');
    assertError(await w1.get(`/api/users/${w1id}/loans`), 403, 'forbidden');
    assertError(await anon.get('/api/me/loans'), 401, 'unauthorized');

    // The person's export holds their loans; the erase keeps the loan (the
    // stock needs it) but not who borrowed it.
    const exp = expectStatus(await w1.get('/api/me/export'), 200).json;
    assert.deepEqual(exp.lending.loans.map((l) => l.id).sort(), [loan.id, open.id].sort());
    assert.equal(exp.lending.loans[0].note, '蓝色');
    expectStatus(await w1.del('/api/me?confirm=1'), 204);
    const after = expectStatus(await staffA.get(`/api/sites/${A}/loans?state=out`), 200).json.items.find((l) => l.id === open.id);
    assert.equal(after.user_id, null);
    assert.equal(after.borrower_name, null);
    expectStatus(await staffB.post(`/api/loans/${open.id}/return`, { site: B }), 200);
  } finally {
    await srv.stop();
  }
});

test('limits: three items out per person, one power bank; out of stock; WARMHARBOR_LOAN_LIMIT', async () => {
  const { srv, A, staffA, staffB, B, w1id, w2id, anon } = await setup();
  try {
    for (const code of ['raincoat', 'umbrella', 'phone_stand', 'power_bank']) await setAvailable(staffA, A, code, 5);
    const lend = (item, user) => staffA.post('/api/loans', { site: A, item, user });
    const ids = [];
    for (const item of ['raincoat', 'umbrella', 'phone_stand']) ids.push(expectStatus(await lend(item, w1id), 201).json.id);
    const before = await stock(anon, A, 'raincoat');
    assertError(await lend('raincoat', w1id), 409, 'limit_reached', 'user');
    assert.deepEqual(await stock(anon, A, 'raincoat'), before, 'a refused lend takes nothing');
    // One back (anywhere): one more may go out.
    expectStatus(await staffB.post(`/api/loans/${ids[0]}/return`, { site: B }), 200);
    expectStatus(await lend('power_bank', w1id), 201);
    assertError(await lend('raincoat', w1id), 409, 'limit_reached', 'user');
    // A power bank each: the type's own limit.
    expectStatus(await lend('power_bank', w2id), 201);
    assertError(await lend('power_bank', w2id), 409, 'limit_reached', 'item');
    expectStatus(await lend('raincoat', w2id), 201);
    // The last one on the shelf.
    await setAvailable(staffA, A, 'umbrella', 1);
    expectStatus(await lend('umbrella', w2id), 201);
    assertError(await lend('umbrella', w2id), 409, 'out_of_stock', 'item');
    assert.deepEqual((await stock(anon, A, 'umbrella')).available, 0);
  } finally {
    await srv.stop();
  }
  // The global limit is configurable, and a wrong setting stops the start.
  await assert.rejects(startServer({ env: { WARMHARBOR_LOAN_LIMIT: 'many' } }), /WARMHARBOR_LOAN_LIMIT/);
  const one = await startServer({ demo: true, env: { WARMHARBOR_LOAN_LIMIT: '1' } });
  try {
    const admin = one.client(ADMIN_TOKEN);
    const w = one.client(one.user(phone()));
    const id = (await w.get('/api/me')).json.id;
    assert.equal((await w.get('/api/me/loans')).json.limit, 1);
    assert.equal((await admin.get('/api/item-types')).json.limit_per_person, 1);
    const site = (await admin.get('/api/sites?limit=1')).json.items[0].id;
    expectStatus(await admin.post('/api/loans', { site, item: 'raincoat', user: id }), 201);
    assertError(await admin.post('/api/loans', { site, item: 'umbrella', user: id }), 409, 'limit_reached', 'user');
  } finally {
    await one.stop();
  }
});

test('overdue: the tick marks a loan overdue and reminds the borrower once', async () => {
  const { srv, admin, A, B, staffA, staffB, w1, w1id } = await setup({ WARMHARBOR_TEST_CLOCK: '1' });
  try {
    const pb = expectStatus(await staffA.post('/api/loans', { site: A, item: 'power_bank', user: w1id }), 201).json;
    const rc = expectStatus(await staffA.post('/api/loans', { site: A, item: 'raincoat', user: w1id }), 201).json;
    const notices = async () => (await w1.get('/api/me/inbox')).json.items.filter((n) => n.kind === 'loan_overdue');
    expectStatus(await admin.post('/api/system/clock', { advance_s: 23 * 3600 }), 200);
    assert.deepEqual(await notices(), []);
    assert.equal((await w1.get('/api/me/loans')).json.items.find((l) => l.id === pb.id).overdue, false);
    expectStatus(await admin.post('/api/system/clock', { advance_s: 3600 + 60 }), 200);
    const mine = (await w1.get('/api/me/loans')).json.items;
    assert.deepEqual(mine.map((l) => [l.id, l.state, l.overdue]).sort(), [[pb.id, 'overdue', true], [rc.id, 'out', false]].sort());
    let sent = await notices();
    assert.equal(sent.length, 1);
    assert.equal(sent[0].title_zh, '借用的充电宝已到期');
    assert.match(sent[0].body_zh, /任意/);
    assert.equal(sent[0].title_en, 'Your borrowed Power bank is due back');
    assert.equal(sent[0].link, '/#/lending');
    // Later ticks remind nobody again.
    expectStatus(await admin.post('/api/system/clock', { advance_s: 3600 }), 200);
    expectStatus(await admin.post('/api/system/clock', { advance_s: 0 }), 200);
    assert.equal((await notices()).length, 1);
    // Staff see it among the overdue ones, and it can still come back anywhere.
    const overdue = expectStatus(await staffA.get(`/api/sites/${A}/loans?state=overdue`), 200).json.items;
    assert.ok(overdue.some((l) => l.id === pb.id));
    assert.ok(!overdue.some((l) => l.id === rc.id));
    assert.ok(expectStatus(await staffA.get(`/api/sites/${A}/loans?state=out`), 200).json.items.some((l) => l.id === pb.id));
    const back = expectStatus(await staffB.post(`/api/loans/${pb.id}/return`, { site: B }), 200).json;
    assert.equal(back.state, 'returned');
    assert.equal(back.overdue, false);
    // The raincoat, three days on: its own one reminder.
    expectStatus(await admin.post('/api/system/clock', { advance_s: 2 * 86400 }), 200);
    sent = await notices();
    assert.equal(sent.length, 2);
    assert.equal(sent[0].title_zh, '借用的雨衣已到期');
    // The demo's overdue power bank reminded its borrower too.
    const demo = expectStatus(await staffB.get(`/api/sites/${B}/loans?state=overdue`), 200).json.items;
    assert.ok(demo.some((l) => l.item.code === 'power_bank' && l.borrower_name === '王小骑（演示）'));
  } finally {
    await srv.stop();
  }
});

test('reservations: a scarce item held for a window, collected by the lend, or back on the shelf when it ends', async () => {
  const { srv, admin, L, staffL, staffA, w1, w2, w1id, anon } = await setup({ WARMHARBOR_TEST_CLOCK: '1' });
  try {
    await setAvailable(staffL, L, 'livestream_light', 2);
    await setAvailable(staffL, L, 'livestream_mic', 1);
    const inHours = (h) => new Date(Date.now() + h * 3600 * 1000).toISOString();
    const s0 = await stock(anon, L, 'livestream_light');
    const res = await w1.post(`/api/sites/${L}/reservations`, { item: 'livestream_light', ends_at: inHours(3) });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.json.state, 'active');
    assert.equal(res.json.item.code, 'livestream_light');
    assert.equal(res.json.site_id, L);
    assert.deepEqual(await stock(anon, L, 'livestream_light'), { ...s0, available: s0.available - 1, reserved: 1 });
    assert.deepEqual((await w1.get('/api/me/loans')).json.reservations.map((r) => r.id), [res.json.id]);

    // Refusals.
    const again = await w1.post(`/api/sites/${L}/reservations`, { item: 'livestream_light', ends_at: inHours(2) });
    assertError(again, 409, 'already_reserved', 'item');
    assertError(await w1.post(`/api/sites/${L}/reservations`, { item: 'raincoat', ends_at: inHours(2) }), 422, 'not_reservable', 'item');
    assertError(await w1.post(`/api/sites/${L}/reservations`, { item: 'tent', ends_at: inHours(2) }), 422, 'unknown_item', 'item');
    assertError(await w1.post(`/api/sites/${L}/reservations`, { item: 'livestream_mic', ends_at: inHours(30) }), 422, 'invalid_window', 'ends_at');
    assertError(await w1.post(`/api/sites/${L}/reservations`, { item: 'livestream_mic', ends_at: inHours(-1) }), 422, 'invalid_window', 'ends_at');
    assertError(await w1.post(`/api/sites/${L}/reservations`, { item: 'livestream_mic', starts_at: inHours(24 * 8), ends_at: inHours(24 * 8 + 1) }), 422, 'invalid_window', 'starts_at');
    assertError(await w1.post(`/api/sites/${L}/reservations`, { item: 'livestream_mic', ends_at: 'tonight' }), 422, 'invalid_field', 'ends_at');
    assertError(await w1.post(`/api/sites/${L}/reservations`, { item: 'livestream_mic' }), 422, 'missing_field', 'ends_at');
    assertError(await w1.post('/api/sites/999999/reservations', { item: 'livestream_mic', ends_at: inHours(2) }), 404, 'not_found');
    assertError(await anon.post(`/api/sites/${L}/reservations`, { item: 'livestream_mic', ends_at: inHours(2) }), 401, 'unauthorized');

    // Staff of the site see them; others do not.
    const list = expectStatus(await staffL.get(`/api/sites/${L}/reservations`), 200).json.items;
    assert.deepEqual(list.map((r) => [r.id, r.user_id]), [[res.json.id, w1id]]);
    assertError(await staffA.get(`/api/sites/${L}/reservations`), 403, 'out_of_scope');
    assertError(await w1.get(`/api/sites/${L}/reservations`), 403, 'forbidden');

    // The lend collects it: the held light goes out, the shelf is untouched.
    const loan = expectStatus(await staffL.post('/api/loans', { site: L, item: 'livestream_light', user: w1id }), 201).json;
    assert.equal(loan.reservation_id, res.json.id);
    assert.deepEqual(await stock(anon, L, 'livestream_light'), { ...s0, available: s0.available - 1, lent: s0.lent + 1 });
    assert.deepEqual((await w1.get('/api/me/loans')).json.reservations, []);
    assert.equal(Date.parse(loan.due_at) - Date.parse(loan.lent_at), 48 * 3600 * 1000);

    // The last mic held for w2; nobody else gets it; the window ends and
    // the tick puts it back.
    const r2 = expectStatus(await w2.post(`/api/sites/${L}/reservations`, { item: 'livestream_mic', ends_at: inHours(1) }), 201).json;
    assertError(await w1.post(`/api/sites/${L}/reservations`, { item: 'livestream_mic', ends_at: inHours(1) }), 409, 'out_of_stock', 'item');
    assertError(await staffL.post('/api/loans', { site: L, item: 'livestream_mic', user: w1id }), 409, 'out_of_stock', 'item');
    expectStatus(await admin.post('/api/system/clock', { advance_s: 3601 }), 200);
    assert.deepEqual(await stock(anon, L, 'livestream_mic'), { available: 1, reserved: 0, lent: 0, damaged: 0, total: 1 });
    assertError(await w2.post(`/api/me/reservations/${r2.id}/cancel`), 409, 'not_active', null);

    // Cancelled by its holder: back on the shelf at once.
    const r3 = expectStatus(await w2.post(`/api/sites/${L}/reservations`, { item: 'livestream_mic', ends_at: inHours(2) }), 201).json;
    assertError(await w1.post(`/api/me/reservations/${r3.id}/cancel`), 404, 'not_found');
    const cancelled = expectStatus(await w2.post(`/api/me/reservations/${r3.id}/cancel`), 200).json;
    assert.equal(cancelled.state, 'cancelled');
    assert.equal((await stock(anon, L, 'livestream_mic')).available, 1);
    assertError(await w2.post(`/api/me/reservations/${r3.id}/cancel`), 409, 'not_active', null);
    assertError(await w2.post('/api/me/reservations/999999/cancel'), 404, 'not_found');
    assertError(await anon.post(`/api/me/reservations/${r3.id}/cancel`), 401, 'unauthorized');

    // Erasing a person with a reservation puts the item back.
    expectStatus(await w2.post(`/api/sites/${L}/reservations`, { item: 'livestream_mic', ends_at: inHours(2) }), 201);
    assert.equal((await stock(anon, L, 'livestream_mic')).reserved, 1);
    const exp = expectStatus(await w2.get('/api/me/export'), 200).json;
    assert.equal(exp.lending.reservations.length, 3);
    expectStatus(await w2.del('/api/me?confirm=1'), 204);
    assert.deepEqual(await stock(anon, L, 'livestream_mic'), { available: 1, reserved: 0, lent: 0, damaged: 0, total: 1 });
  } finally {
    await srv.stop();
  }
});

test('scope: staff of another site get out_of_scope whatever the ids; workers are forbidden', async () => {
  const { srv, A, staffA, staffOne, w1, w1id, anon } = await setup();
  try {
    // Loan 1 (the demo's) has the number of site 1, which the other
    // staff member holds; it is none of theirs to lend from or take back
    // at another site.
    const l = expectStatus(await staffA.post('/api/loans', { site: A, item: 'raincoat', user: w1id }), 201).json;
    const tries = [
      ['post', '/api/loans', { site: A, item: 'raincoat', user: w1id }],
      ['post', `/api/loans/${l.id}/return`, { site: A }],
      ['post', '/api/loans/1/return', { site: A }],
      ['post', `/api/loans/${l.id}/lost`, { site: A }],
      ['post', `/api/loans/${l.id}/damaged`, { site: A }],
      ['post', `/api/sites/${A}/stock`, { item: 'raincoat', add: 1 }],
      ['get', `/api/sites/${A}/loans`],
      ['get', `/api/sites/${A}/reservations`],
    ];
    for (const [m, p, body] of tries) {
      assertError(m === 'get' ? await staffOne.get(p) : await staffOne[m](p, body), 403, 'out_of_scope');
      assertError(m === 'get' ? await w1.get(p) : await w1[m](p, body), 403, 'forbidden');
      assertError(m === 'get' ? await anon.get(p) : await anon[m](p, body), 401, 'unauthorized');
    }
    // Nothing moved; staff of site 1 may take it back at their own site.
    assert.equal((await w1.get('/api/me/loans')).json.items[0].state, 'out');
    const back = expectStatus(await staffOne.post(`/api/loans/${l.id}/return`, { site: 1 }), 200).json;
    assert.equal(back.closed_site_id, 1);
  } finally {
    await srv.stop();
  }
});

test('replay: the same Idempotency-Key lends once and returns once', async () => {
  const { srv, A, B, staffA, staffB, w1id, anon } = await setup();
  try {
    const a0 = await stock(anon, A, 'raincoat');
    const key = { headers: { 'idempotency-key': 'lend-raincoat-1' } };
    const body = { site: A, item: 'raincoat', user: w1id };
    const first = expectStatus(await staffA.post('/api/loans', body, key), 201);
    const again = expectStatus(await staffA.post('/api/loans', body, key), 201);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.deepEqual(again.json, first.json);
    assert.equal((await stock(anon, A, 'raincoat')).available, a0.available - 1, 'one raincoat taken');
    assertError(await staffA.post('/api/loans', { ...body, item: 'umbrella' }, key), 422, 'idempotency_key_reused', 'Idempotency-Key');
    // A return retried with its key is the same answer, not not_out.
    const b0 = await stock(anon, B, 'raincoat');
    const rk = { headers: { 'idempotency-key': 'return-1' } };
    const r1 = expectStatus(await staffB.post(`/api/loans/${first.json.id}/return`, { site: B }, rk), 200);
    const r2 = expectStatus(await staffB.post(`/api/loans/${first.json.id}/return`, { site: B }, rk), 200);
    assert.deepEqual(r2.json, r1.json);
    assert.equal((await stock(anon, B, 'raincoat')).available, b0.available + 1, 'back once');
  } finally {
    await srv.stop();
  }
});

test('race: two staff lend the last raincoat at once; many lends of a few; one person at the limit; two returns', async () => {
  const { srv, admin, A, B, staffA, staffB, anon } = await setup({ WARMHARBOR_CONN_PER_ADDRESS: '0' });
  try {
    const staffA2 = srv.client(srv.user(phone()));
    await grantStaff(srv, admin, staffA2.token, A);
    const workers = [];
    for (let i = 0; i < 12; i++) {
      const c = srv.client(srv.user(phone()));
      workers.push({ c, id: (await c.get('/api/me')).json.id });
    }
    // Two staff, the last raincoat, five rounds: exactly one lend each time.
    for (let round = 0; round < 5; round++) {
      await setAvailable(staffA, A, 'raincoat', 1);
      const [x, y] = [workers[2 * round], workers[2 * round + 1]];
      const both = await Promise.all([
        staffA.post('/api/loans', { site: A, item: 'raincoat', user: x.id }),
        staffA2.post('/api/loans', { site: A, item: 'raincoat', user: y.id }),
      ]);
      assert.deepEqual(both.map((r) => r.status).sort(), [201, 409], both.map((r) => r.text).join(' / '));
      assert.equal(both.find((r) => r.status === 409).json.error.code, 'out_of_stock');
      const s = await stock(anon, A, 'raincoat');
      assert.equal(s.available, 0);
    }
    // 60 lends at once of 8 umbrellas to 12 people (some of them asked
    // for five times): exactly 8 go out, nobody beyond three.
    await setAvailable(staffA, A, 'umbrella', 8);
    const u0 = await stock(anon, A, 'umbrella');
    const asks = Array.from({ length: 60 }, (_, i) =>
      (i % 2 ? staffA : staffA2).post('/api/loans', { site: A, item: 'umbrella', user: workers[i % 12].id }));
    const answers = await Promise.all(asks);
    const ok = answers.filter((r) => r.status === 201);
    assert.equal(ok.length, 8, answers.filter((r) => r.status !== 201 && r.status !== 409).map((r) => r.text).join('\n'));
    assert.ok(answers.every((r) => r.status === 201 || (r.status === 409 && ['out_of_stock', 'limit_reached'].includes(r.json.error.code))));
    assert.deepEqual(await stock(anon, A, 'umbrella'), { ...u0, available: 0, lent: u0.lent + 8 });
    // One person, 20 lends at once of plenty: exactly three (the limit).
    await setAvailable(staffA, A, 'phone_stand', 30);
    const lone = srv.client(srv.user(phone()));
    const loneId = (await lone.get('/api/me')).json.id;
    const many = await Promise.all(Array.from({ length: 20 }, (_, i) =>
      (i % 2 ? staffA : staffA2).post('/api/loans', { site: A, item: 'phone_stand', user: loneId })));
    assert.equal(many.filter((r) => r.status === 201).length, 3, many.map((r) => r.status).join(','));
    assert.ok(many.filter((r) => r.status !== 201).every((r) => r.json.error.code === 'limit_reached'));
    assert.equal((await lone.get('/api/me/loans')).json.out, 3);
    assert.equal((await stock(anon, A, 'phone_stand')).available, 27);
    // Two returns of one loan at once, at two sites: one of them.
    const loan = ok[0].json;
    const b0 = await stock(anon, B, 'umbrella');
    const a1 = await stock(anon, A, 'umbrella');
    const two = await Promise.all([
      staffA.post(`/api/loans/${loan.id}/return`, { site: A }),
      staffB.post(`/api/loans/${loan.id}/return`, { site: B }),
    ]);
    assert.deepEqual(two.map((r) => r.status).sort(), [200, 409]);
    const wonAtB = two[1].status === 200;
    assert.deepEqual(await stock(anon, A, 'umbrella'),
      { ...a1, lent: a1.lent - 1, available: a1.available + (wonAtB ? 0 : 1), total: a1.total - (wonAtB ? 1 : 0) });
    assert.equal((await stock(anon, B, 'umbrella')).available, b0.available + (wonAtB ? 1 : 0));
    // 20 loans back at once at two sites: the stock of the type is whole.
    const outLoans = ok.slice(1).map((r) => r.json.id);
    const total0 = (await stock(anon, A, 'umbrella')).total + (await stock(anon, B, 'umbrella')).total;
    const backs = await Promise.all(outLoans.map((id, i) =>
      (i % 2 ? staffA : staffB).post(`/api/loans/${id}/return`, { site: i % 2 ? A : B })));
    assert.deepEqual(backs.map((r) => r.status).filter((s) => s !== 200), []);
    const [fa, fb] = [await stock(anon, A, 'umbrella'), await stock(anon, B, 'umbrella')];
    assert.equal(fa.total + fb.total, total0);
    assert.equal(fa.lent, u0.lent);
  } finally {
    await srv.stop();
  }
});
