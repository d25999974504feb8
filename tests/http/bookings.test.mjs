// Bookings (the booking module): offerings and their slots, booking a
// place, the waitlist and its offers, holds, cancellations and their
// cut-off, check-in by staff (the worker's QR, the booking's ticket, the
// booking's id), the timed work (offers and holds that expire, queues of
// slots that started, no-shows), the weekly pattern of desk appointments
// around holidays and make-up workdays, and an attacker's tries: anonymous,
// another person's booking id, staff of another site with the same id,
// replays.
//
// Every transition of the table in src/booking/booking.h is made here at
// least once; the test names say which.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, ADMIN_TOKEN, assertError, expectStatus } from './lib/server.mjs';

let phoneSeq = 0;
const nextPhone = () => `1370000${String(++phoneSeq).padStart(4, '0')}`;

/** A server (with the test clock), two community stations A and B, staff
 * of each, and workers on demand. */
async function world() {
  const srv = await startServer({ demo: true, env: { WARMHARBOR_TEST_CLOCK: '1' } });
  const admin = srv.client(ADMIN_TOKEN);
  const sites = (await admin.get('/api/sites?limit=1000&type=community_station')).json.items;
  const a = sites[3];
  const b = sites[4];
  const idOf = async (tok) => (await srv.client(tok).get('/api/me')).json.id;
  async function staffOf(siteId) {
    const tok = srv.user(nextPhone());
    const res = await admin.post(`/api/users/${await idOf(tok)}/roles`, { role: 'staff', scope_kind: 'site', scope_ref: String(siteId) });
    assert.equal(res.status, 201, res.text);
    return srv.client(tok);
  }
  async function worker() {
    const tok = srv.user(nextPhone());
    const c = srv.client(tok);
    c.id = await idOf(tok);
    return c;
  }
  const w = {
    srv, admin, a, b, staffOf, worker,
    staffA: await staffOf(a.id),
    staffB: await staffOf(b.id),
    /** The server's clock (ms): moves with POST /api/system/clock. */
    async now() {
      return Date.parse(expectStatus(await admin.post('/api/system/clock', { advance_s: 0 }), 200).json.now);
    },
    async advance(s) {
      expectStatus(await admin.post('/api/system/clock', { advance_s: s }), 200);
    },
    async offering(body, by = admin) {
      const res = await by.post('/api/offerings', { kind: 'workshop', title_zh: '测试活动', ...body });
      assert.equal(res.status, 201, res.text);
      return res.json;
    },
    /** A slot starting inS seconds from the server's now. */
    async slot(offering, { inS = 86400, durS = 3600, capacity = 1, site, by = admin } = {}) {
      const t = await w.now();
      const body = { start: new Date(t + inS * 1000).toISOString(), end: new Date(t + (inS + durS) * 1000).toISOString(), capacity };
      if (site) body.site = site;
      const res = await by.post(`/api/offerings/${offering.id}/slots`, body);
      assert.equal(res.status, 201, res.text);
      return res.json.items[0];
    },
    async book(who, slot, extra = {}) {
      return who.post('/api/bookings', { slot: slot.id, ...extra });
    },
  };
  return w;
}

async function booking(c, id) {
  return expectStatus(await c.get(`/api/bookings/${id}`), 200).json;
}

async function slotOf(c, id) {
  return expectStatus(await c.get(`/api/slots/${id}`), 200).json;
}

// ---- offerings ------------------------------------------------------------

test('offerings: create, read, list, change; who may; every error with its field', async () => {
  const w = await world();
  try {
    const anon = w.srv.client();
    const worker = await w.worker();
    const body = { kind: 'appointment', title_zh: '社保咨询', title_en: 'Social insurance', site: w.a.id, cancel_cutoff_s: 3600 };
    assertError(await anon.post('/api/offerings', body), 401, 'unauthorized');
    assertError(await worker.post('/api/offerings', body), 403, 'forbidden');
    assertError(await w.staffB.post('/api/offerings', body), 403, 'out_of_scope', 'site');
    assertError(await w.staffA.post('/api/offerings', { ...body, site: undefined }), 403, 'out_of_scope', 'org');
    assertError(await w.staffA.post('/api/offerings', { ...body, kind: undefined }), 422, 'missing_field', 'kind');
    assertError(await w.staffA.post('/api/offerings', { ...body, kind: 'party' }), 422, 'invalid_field', 'kind');
    assertError(await w.staffA.post('/api/offerings', { ...body, title_zh: '' }), 422, 'missing_field', 'title_zh');
    assertError(await w.staffA.post('/api/offerings', { ...body, site: 999999 }), 422, 'unknown_site', 'site');
    assertError(await w.staffA.post('/api/offerings', { ...body, colour: 'red' }), 422, 'unknown_field', 'colour');
    assertError(await w.staffA.post('/api/offerings', { ...body, per_person_limit: 0 }), 422, 'invalid_field', 'per_person_limit');
    assertError(await w.staffA.post('/api/offerings', { ...body, offer_ttl_s: 5 }), 422, 'invalid_field', 'offer_ttl_s');
    assertError(await w.staffA.post('/api/offerings', { ...body, cancel_cutoff_s: -1 }), 422, 'invalid_field', 'cancel_cutoff_s');
    assertError(await w.staffA.post('/api/offerings', { ...body, waitlist: 'yes' }), 422, 'invalid_field', 'waitlist');

    const res = await w.staffA.post('/api/offerings', body);
    assert.equal(res.status, 201, res.text);
    const o = res.json;
    assert.equal(res.headers.get('location'), `/api/offerings/${o.id}`);
    assert.deepEqual({ ...o, id: 0, updated_at: '' }, {
      id: 0, kind: 'appointment', title_zh: '社保咨询', title_en: 'Social insurance', description_zh: '', description_en: '',
      site: w.a.id, service: null, org: null, verification_required: false, per_person_limit: 1, cancel_cutoff_s: 3600,
      waitlist: false, offer_ttl_s: 7200, active: true, updated_at: '',
    });
    assert.match(o.updated_at, /\+08:00$/);
    // An organization's offering without a site, for a service of the
    // catalogue: the service's organization becomes the offering's.
    const svc = (await anon.get('/api/services?limit=1&q=' + encodeURIComponent('法律'))).json.items[0];
    const org = await w.offering({ kind: 'appointment', service: svc.id });
    assert.equal(org.site, null);
    assert.equal(org.org, svc.organization.code);
    assert.equal(org.service, svc.id);
    assertError(await w.admin.post('/api/offerings', { kind: 'other', title_zh: 'x', org: 'no-such-org' }), 422, 'unknown_org', 'org');
    assertError(await w.admin.post('/api/offerings', { kind: 'other', title_zh: 'x', service: 999999 }), 422, 'unknown_service', 'service');
    assertError(await w.admin.post('/api/offerings', { kind: 'other', title_zh: 'x', service: svc.id, org: 'hz-trade-union' }), 422, 'invalid_field', 'service');

    assert.deepEqual((await anon.get(`/api/offerings/${o.id}`)).json, o);
    assertError(await anon.get('/api/offerings/999999'), 404, 'not_found');
    const list = (await anon.get(`/api/offerings?site=${w.a.id}&kind=appointment`)).json;
    assert.deepEqual(list.items.map((x) => x.id), [o.id]);
    assert.equal(list.total, 1);
    const bySvc = (await anon.get(`/api/offerings?service=${svc.id}`)).json.items;
    assert.ok(bySvc.some((x) => x.id === org.id) && bySvc.every((x) => x.service === svc.id));
    assertError(await anon.get('/api/offerings?kind=party'), 400, 'invalid_query', 'kind');

    const p = await w.staffA.patch(`/api/offerings/${o.id}`, { title_en: 'Social insurance desk', waitlist: true, per_person_limit: 2 });
    assert.equal(p.status, 200, p.text);
    assert.equal(p.json.title_en, 'Social insurance desk');
    assert.equal(p.json.waitlist, true);
    assert.equal(p.json.per_person_limit, 2);
    assertError(await w.staffA.patch(`/api/offerings/${o.id}`, { site: w.b.id }), 422, 'immutable_field', 'site');
    assertError(await w.staffA.patch(`/api/offerings/${o.id}`, { title_zh: '' }), 422, 'missing_field', 'title_zh');
    assertError(await w.staffB.patch(`/api/offerings/${o.id}`, { title_en: 'x' }), 403, 'out_of_scope');
    assertError(await worker.patch(`/api/offerings/${o.id}`, { title_en: 'x' }), 403, 'forbidden');
    assertError(await w.staffA.patch(`/api/offerings/${org.id}`, { title_en: 'x' }), 403, 'out_of_scope');
    // Closed: not listed, still readable.
    assert.equal((await w.staffA.patch(`/api/offerings/${o.id}`, { active: false })).json.active, false);
    assert.deepEqual((await anon.get(`/api/offerings?site=${w.a.id}`)).json.items, []);
    assert.equal((await anon.get(`/api/offerings/${o.id}`)).json.active, false);
  } finally {
    await w.srv.stop();
  }
});

// ---- slots ----------------------------------------------------------------

test('slots: one or a list, at the offering\'s site or one the caller reaches; the list with capacity and taken', async () => {
  const w = await world();
  try {
    const anon = w.srv.client();
    const atA = await w.offering({ site: w.a.id }, w.staffA);
    const roaming = await w.offering({ kind: 'fair_booth', org: 'hz-hr-market' });
    const t = await w.now();
    const at = (h) => new Date(t + h * 3600e3).toISOString();
    const one = { start: at(24), end: at(25), capacity: 3 };

    const res = await w.staffA.post(`/api/offerings/${atA.id}/slots`, one);
    assert.equal(res.status, 201, res.text);
    const s = res.json.items[0];
    assert.equal(s.site, w.a.id);
    assert.equal(s.capacity, 3);
    assert.equal(s.taken, 0);
    assert.match(s.start, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/);
    assert.equal(Date.parse(s.start), t + 24 * 3600e3);
    assertError(await w.staffA.post(`/api/offerings/${atA.id}/slots`, one), 409, 'slot_exists', 'start');
    const many = await w.staffA.post(`/api/offerings/${atA.id}/slots`, { slots: [{ start: at(26), end: at(27), capacity: 2 }, { start: at(28), end: at(29), capacity: 2, site: w.a.id }] });
    assert.equal(many.status, 201, many.text);
    assert.equal(many.json.items.length, 2);
    assertError(await w.staffA.post(`/api/offerings/${atA.id}/slots`, { slots: [{ start: at(30), end: at(31), capacity: 2 }, one] }), 409, 'slot_exists', 'slots[1].start');
    assert.equal((await anon.get(`/api/slots?offering=${atA.id}`)).json.total, 3, 'a list is stored whole or not at all');

    assertError(await w.staffA.post(`/api/offerings/${atA.id}/slots`, { ...one, start: at(-1) }), 422, 'slot_past', 'start');
    assertError(await w.staffA.post(`/api/offerings/${atA.id}/slots`, { ...one, end: at(23) }), 422, 'invalid_field', 'end');
    assertError(await w.staffA.post(`/api/offerings/${atA.id}/slots`, { ...one, start: 'tomorrow' }), 422, 'invalid_field', 'start');
    assertError(await w.staffA.post(`/api/offerings/${atA.id}/slots`, { ...one, capacity: -1 }), 422, 'invalid_field', 'capacity');
    assertError(await w.staffA.post(`/api/offerings/${atA.id}/slots`, { ...one, site: w.b.id }), 422, 'invalid_field', 'site');
    assertError(await w.staffA.post(`/api/offerings/${atA.id}/slots`, { slots: [] }), 422, 'invalid_field', 'slots');
    assertError(await w.staffA.post(`/api/offerings/${atA.id}/slots`, { slots: [{ ...one, start: at(40), end: at(41) }, { ...one, capacity: 'x' }] }), 422, 'invalid_field', 'slots[1].capacity');
    assertError(await w.staffB.post(`/api/offerings/${atA.id}/slots`, one), 403, 'out_of_scope');
    // An offering without a site: each slot names one, which the caller
    // must reach.
    assertError(await w.admin.post(`/api/offerings/${roaming.id}/slots`, one), 422, 'missing_field', 'site');
    assertError(await w.admin.post(`/api/offerings/${roaming.id}/slots`, { ...one, site: 999999 }), 422, 'unknown_site', 'site');
    const fair = await w.admin.post(`/api/offerings/${roaming.id}/slots`, { slots: [{ ...one, site: w.a.id }, { ...one, site: w.b.id }] });
    assert.equal(fair.status, 201, fair.text);
    assert.deepEqual(fair.json.items.map((x) => x.site), [w.a.id, w.b.id]);

    // The list: filters, ISO times, capacity and taken, available=1.
    const bySite = (await anon.get(`/api/slots?site=${w.b.id}`)).json;
    assert.ok(bySite.items.length >= 1);
    assert.ok(bySite.items.every((x) => x.site === w.b.id));
    const mine = (await anon.get(`/api/slots?offering=${atA.id}`)).json.items;
    assert.deepEqual(mine.map((x) => [x.capacity, x.taken]), [[3, 0], [2, 0], [2, 0]]);
    const worker = await w.worker();
    const other = await w.worker();
    expectStatus(await worker.post('/api/bookings', { slot: mine[1].id }), 201);
    expectStatus(await other.post('/api/bookings', { slot: mine[1].id }), 201);
    const avail = (await anon.get(`/api/slots?offering=${atA.id}&available=1`)).json.items;
    assert.deepEqual(avail.map((x) => x.id), [mine[0].id, mine[2].id]);
    assert.equal((await slotOf(anon, mine[1].id)).taken, 2);
    const day = mine[0].start.slice(0, 10);
    const onDay = (await anon.get(`/api/slots?offering=${atA.id}&from=${day}&to=${day}`)).json.items;
    assert.ok(onDay.every((x) => x.start.startsWith(day)));
    const window = (await anon.get(`/api/slots?offering=${atA.id}&from=${encodeURIComponent(mine[1].start)}&to=${encodeURIComponent(mine[2].start)}`)).json.items;
    assert.deepEqual(window.map((x) => x.id), [mine[1].id]);
    assert.deepEqual((await anon.get('/api/slots?service=999999')).json.items, []);
    assertError(await anon.get('/api/slots?from=soon'), 400, 'invalid_query', 'from');
    assertError(await anon.get('/api/slots?site=abc'), 400, 'invalid_query', 'site');
    assertError(await anon.get('/api/slots/999999'), 404, 'not_found');
  } finally {
    await w.srv.stop();
  }
});

// ---- booking --------------------------------------------------------------

test('booking: new -> confirmed, the ticket, one per person, full, 404 for another person\'s booking', async () => {
  const w = await world();
  try {
    const anon = w.srv.client();
    const [w1, w2] = [await w.worker(), await w.worker()];
    const o = await w.offering({ site: w.a.id });
    const s = await w.slot(o, { capacity: 1 });

    assertError(await anon.post('/api/bookings', { slot: s.id }), 401, 'unauthorized');
    assertError(await w1.post('/api/bookings', {}), 422, 'missing_field', 'slot');
    assertError(await w1.post('/api/bookings', { slot: 'one' }), 422, 'invalid_field', 'slot');
    assertError(await w1.post('/api/bookings', { slot: 999999 }), 404, 'not_found', 'slot');
    assertError(await w1.post('/api/bookings', { slot: s.id, seat: 3 }), 422, 'unknown_field', 'seat');

    const res = await w.book(w1, s);
    assert.equal(res.status, 201, res.text);
    const b = res.json;
    assert.equal(b.state, 'confirmed');
    assert.equal(res.headers.get('location'), `/api/bookings/${b.id}`);
    assert.equal(b.slot.id, s.id);
    assert.equal(b.slot.taken, 1);
    assert.equal(b.place, null);
    assert.equal(typeof b.ticket, 'string');
    assert.ok(b.ticket.length > 40, 'the ticket is sealed');
    assert.equal(b.cancel_until, s.start, 'no cut-off: cancellable until the start');

    assertError(await w.book(w1, s), 409, 'already_booked', 'slot');
    assertError(await w.book(w2, s), 409, 'full', 'slot');
    const mine = (await w1.get('/api/me/bookings')).json.items;
    assert.deepEqual(mine.map((x) => [x.id, x.state]), [[b.id, 'confirmed']]);
    assert.deepEqual((await w2.get('/api/me/bookings')).json.items, []);
    assertError(await anon.get('/api/me/bookings'), 401, 'unauthorized');

    // Another person's booking is not there for them, whatever they try.
    for (const r of [await w2.get(`/api/bookings/${b.id}`), await w2.post(`/api/bookings/${b.id}/cancel`),
      await w2.post(`/api/bookings/${b.id}/accept`), await w2.post(`/api/bookings/${b.id}/confirm`)])
      assertError(r, 404, 'not_found');
    assertError(await w1.get('/api/bookings/999999'), 404, 'not_found');
    assertError(await w1.get('/api/bookings/abc'), 404, 'not_found');
    assertError(await anon.get(`/api/bookings/${b.id}`), 401, 'unauthorized');
    assert.equal((await booking(w1, b.id)).state, 'confirmed');

    // confirmed -> cancelled by the person: the seat is free again.
    const c = await w1.post(`/api/bookings/${b.id}/cancel`);
    assert.equal(c.status, 200, c.text);
    assert.equal(c.json.state, 'cancelled');
    assert.equal(c.json.cancel_reason, 'by_person');
    assert.equal(c.json.ticket, null);
    assert.equal(c.json.slot.taken, 0);
    assertError(await w1.post(`/api/bookings/${b.id}/cancel`), 409, 'not_cancellable', 'state');
    // The per-person place is free again too.
    expectStatus(await w.book(w2, s), 201);
    assertError(await w.book(w1, s), 409, 'full', 'slot');
    assert.equal((await w1.get('/api/me/bookings?active=1')).json.items.length, 0);
    assert.equal((await w1.get('/api/me/bookings')).json.items.length, 1);
  } finally {
    await w.srv.stop();
  }
});

test('booking: a per-person limit of two, verification, a closed offering, a past slot, the cut-off', async () => {
  const w = await world();
  try {
    const w1 = await w.worker();
    const two = await w.offering({ site: w.a.id, per_person_limit: 2 });
    const [s1, s2, s3] = [await w.slot(two, { inS: 3600 * 30, capacity: 5 }), await w.slot(two, { inS: 3600 * 40, capacity: 5 }), await w.slot(two, { inS: 3600 * 50, capacity: 5 })];
    const b1 = expectStatus(await w.book(w1, s1), 201).json;
    expectStatus(await w.book(w1, s2), 201);
    assertError(await w.book(w1, s3), 409, 'already_booked', 'slot');
    expectStatus(await w1.post(`/api/bookings/${b1.id}/cancel`), 200);
    expectStatus(await w.book(w1, s3), 201);

    // Verified workers only.
    const pkg = await w.offering({ kind: 'package', site: w.a.id, verification_required: true });
    const ps = await w.slot(pkg, { capacity: 10 });
    assertError(await w.book(w1, ps), 403, 'verification_required', null);
    expectStatus(await w.staffA.post(`/api/users/${w1.id}/verification`, { state: 'verified', site: w.a.id }), 200);
    assert.equal(expectStatus(await w.book(w1, ps), 201).json.state, 'confirmed');

    // Closed offering.
    const closed = await w.offering({ site: w.a.id });
    const cs = await w.slot(closed);
    expectStatus(await w.staffA.patch(`/api/offerings/${closed.id}`, { active: false }), 200);
    assertError(await w.book(w1, cs), 409, 'offering_closed', 'slot');

    // A slot that has started.
    const soon = await w.offering({ site: w.a.id });
    const ss = await w.slot(soon, { inS: 60 });
    await w.advance(120);
    assertError(await w.book(w1, ss), 422, 'slot_past', 'slot');

    // The cut-off: cancellable until an hour before the start.
    const cut = await w.offering({ site: w.a.id, cancel_cutoff_s: 3600 });
    const early = await w.slot(cut, { inS: 7200 });
    const late = await w.slot(cut, { inS: 1800 });
    const be = expectStatus(await w.book(w1, early), 201).json;
    assert.equal(Date.parse(be.cancel_until), Date.parse(early.start) - 3600e3);
    const bl = expectStatus(await w.book(w1, late), 409).json; // one per person on this offering
    assert.equal(bl.error.code, 'already_booked');
    expectStatus(await w1.post(`/api/bookings/${be.id}/cancel`), 200);
    const bl2 = expectStatus(await w.book(w1, late), 201).json;
    assertError(await w1.post(`/api/bookings/${bl2.id}/cancel`), 409, 'cancel_cutoff_passed', 'cancel_cutoff_s');
    assert.equal((await booking(w1, bl2.id)).state, 'confirmed');
  } finally {
    await w.srv.stop();
  }
});

// ---- the waitlist -----------------------------------------------------------

test('waitlist: new -> waitlisted with a place; a freed seat is offered (waitlisted -> offered), taken for them; accept (offered -> confirmed); decline and expiry (offered -> cancelled) pass it on', async () => {
  const w = await world();
  try {
    const [w1, w2, w3, w4, w5] = [await w.worker(), await w.worker(), await w.worker(), await w.worker(), await w.worker()];
    const o = await w.offering({ site: w.a.id, waitlist: true, offer_ttl_s: 600 });
    const s = await w.slot(o, { capacity: 1, inS: 2 * 86400 });

    const b1 = expectStatus(await w.book(w1, s), 201).json;
    const b2 = expectStatus(await w.book(w2, s), 201).json;
    const b3 = expectStatus(await w.book(w3, s), 201).json;
    assert.equal(b1.state, 'confirmed');
    assert.deepEqual([b2.state, b2.place, b2.ticket], ['waitlisted', 1, null]);
    assert.deepEqual([b3.state, b3.place], ['waitlisted', 2]);
    assert.equal((await slotOf(w1, s.id)).waiting, 2);
    assertError(await w.book(w2, s), 409, 'already_booked', 'slot');

    // confirmed -> cancelled frees the seat; the first in line is offered
    // it at once, and it stays taken for them.
    const c1 = expectStatus(await w1.post(`/api/bookings/${b1.id}/cancel`), 200).json;
    assert.equal(c1.state, 'cancelled');
    const o2 = await booking(w2, b2.id);
    assert.equal(o2.state, 'offered');
    assert.equal(o2.place, null);
    const t = await w.now();
    assert.ok(Math.abs(Date.parse(o2.offer_until) - (t + 600e3)) < 5000, `offer_until ${o2.offer_until}`);
    assert.equal((await slotOf(w1, s.id)).taken, 1, 'the seat is held for the person offered it');
    assert.equal((await booking(w3, b3.id)).place, 1);
    // A newcomer does not get the offered seat: they queue behind.
    const b4 = expectStatus(await w.book(w4, s), 201).json;
    assert.deepEqual([b4.state, b4.place], ['waitlisted', 2]);
    assertError(await w3.post(`/api/bookings/${b3.id}/accept`), 409, 'not_offered', 'state');

    // offered -> confirmed.
    const a2 = expectStatus(await w2.post(`/api/bookings/${b2.id}/accept`), 200).json;
    assert.equal(a2.state, 'confirmed');
    assert.equal(typeof a2.ticket, 'string');
    assertError(await w2.post(`/api/bookings/${b2.id}/accept`), 409, 'not_offered', 'state');

    // confirmed -> cancelled again: w3 is offered; declining
    // (offered -> cancelled by the person) passes it to w4.
    expectStatus(await w2.post(`/api/bookings/${b2.id}/cancel`), 200);
    assert.equal((await booking(w3, b3.id)).state, 'offered');
    const d3 = expectStatus(await w3.post(`/api/bookings/${b3.id}/cancel`), 200).json;
    assert.deepEqual([d3.state, d3.cancel_reason], ['cancelled', 'by_person']);
    assert.equal((await booking(w4, b4.id)).state, 'offered');

    // The offer expires (the tick): offered -> cancelled (offer_expired),
    // and the seat goes to the next, w5.
    const b5 = expectStatus(await w.book(w5, s), 201).json;
    assert.equal(b5.place, 1);
    await w.advance(601);
    const e4 = await booking(w4, b4.id);
    assert.deepEqual([e4.state, e4.cancel_reason], ['cancelled', 'offer_expired']);
    assertError(await w4.post(`/api/bookings/${b4.id}/accept`), 409, 'not_offered', 'state');
    assert.equal((await booking(w5, b5.id)).state, 'offered');
    await w.advance(601);
    assert.equal((await booking(w5, b5.id)).state, 'cancelled');
    const free = await slotOf(w1, s.id);
    assert.deepEqual([free.taken, free.waiting], [0, 0], 'nobody waits: the seat is free');
    // Without a queue, the next booking takes the free seat at once.
    const b6 = expectStatus(await w.book(await w.worker(), s), 201).json;
    assert.equal(b6.state, 'confirmed');
  } finally {
    await w.srv.stop();
  }
});

test('waitlist: leaving the queue (waitlisted -> cancelled), raising the capacity offers seats, the queue closes when the slot starts', async () => {
  const w = await world();
  try {
    const ws = [];
    for (let i = 0; i < 5; i++) ws.push(await w.worker());
    const o = await w.offering({ site: w.a.id, waitlist: true });
    const s = await w.slot(o, { capacity: 1, inS: 3600 });
    const bs = [];
    for (const x of ws) bs.push(expectStatus(await w.book(x, s), 201).json);
    assert.deepEqual(bs.map((b) => b.place), [null, 1, 2, 3, 4]);
    // The second in line leaves: the others move up; no seat changes.
    const left = expectStatus(await ws[2].post(`/api/bookings/${bs[2].id}/cancel`), 200).json;
    assert.deepEqual([left.state, left.cancel_reason], ['cancelled', 'by_person']);
    assert.deepEqual([(await booking(ws[1], bs[1].id)).place, (await booking(ws[3], bs[3].id)).place, (await booking(ws[4], bs[4].id)).place], [1, 2, 3]);
    assert.equal((await slotOf(ws[0], s.id)).taken, 1);

    // Two more seats: the first two in line are offered them.
    assertError(await w.staffB.patch(`/api/slots/${s.id}`, { capacity: 3 }), 403, 'out_of_scope');
    const p = expectStatus(await w.staffA.patch(`/api/slots/${s.id}`, { capacity: 3 }), 200).json;
    assert.deepEqual([p.capacity, p.taken, p.waiting], [3, 3, 1]);
    assert.equal((await booking(ws[1], bs[1].id)).state, 'offered');
    assert.equal((await booking(ws[3], bs[3].id)).state, 'offered');
    assert.equal((await booking(ws[4], bs[4].id)).place, 1);
    assertError(await w.staffA.patch(`/api/slots/${s.id}`, { capacity: 2 }), 409, 'capacity_below_taken', 'capacity');
    assertError(await w.staffA.patch(`/api/slots/${s.id}`, { capacity: 3, start: 'x' }), 422, 'unknown_field', 'start');

    // The slot starts: the queue closes (waitlisted -> cancelled,
    // slot_started) and offers nobody accepted lapse.
    await w.advance(3601);
    const closed = await booking(ws[4], bs[4].id);
    assert.deepEqual([closed.state, closed.cancel_reason], ['cancelled', 'slot_started']);
    const lapsed = await booking(ws[1], bs[1].id);
    assert.deepEqual([lapsed.state, lapsed.cancel_reason], ['cancelled', 'offer_expired']);
    assert.equal((await slotOf(ws[0], s.id)).waiting, 0);
  } finally {
    await w.srv.stop();
  }
});

// ---- holds -----------------------------------------------------------------

test('holds: new -> held, held -> confirmed in time, held -> cancelled by the person and when it expires (the seat goes to the queue)', async () => {
  const w = await world();
  try {
    const [w1, w2, w3] = [await w.worker(), await w.worker(), await w.worker()];
    const o = await w.offering({ site: w.a.id, waitlist: true });
    const s = await w.slot(o, { capacity: 1 });
    const h = expectStatus(await w.book(w1, s, { hold: true }), 201).json;
    assert.equal(h.state, 'held');
    assert.equal(h.ticket, null);
    const t = await w.now();
    assert.ok(Math.abs(Date.parse(h.hold_until) - (t + 600e3)) < 5000);
    assert.equal(h.slot.taken, 1, 'a hold keeps the seat');
    assertError(await w.book(w2, s, { hold: 'please' }), 422, 'invalid_field', 'hold');
    const q = expectStatus(await w.book(w2, s), 201).json;
    assert.equal(q.state, 'waitlisted');
    assertError(await w2.post(`/api/bookings/${q.id}/confirm`), 409, 'not_held', 'state');
    const c = expectStatus(await w1.post(`/api/bookings/${h.id}/confirm`), 200).json;
    assert.equal(c.state, 'confirmed');
    assertError(await w1.post(`/api/bookings/${h.id}/confirm`), 409, 'not_held', 'state');

    // A second hold, given up: held -> cancelled by the person.
    const o2 = await w.offering({ site: w.a.id });
    const s2 = await w.slot(o2, { capacity: 1 });
    const h2 = expectStatus(await w.book(w3, s2, { hold: true }), 201).json;
    const g = expectStatus(await w3.post(`/api/bookings/${h2.id}/cancel`), 200).json;
    assert.deepEqual([g.state, g.cancel_reason, g.slot.taken], ['cancelled', 'by_person', 0]);

    // A hold that runs out: held -> cancelled (hold_expired); the seat is
    // offered to the first in line.
    const o3 = await w.offering({ site: w.a.id, waitlist: true });
    const s3 = await w.slot(o3, { capacity: 1 });
    const h3 = expectStatus(await w.book(w3, s3, { hold: true }), 201).json;
    const q3 = expectStatus(await w.book(w2, s3), 201).json;
    await w.advance(601);
    const e = await booking(w3, h3.id);
    assert.deepEqual([e.state, e.cancel_reason], ['cancelled', 'hold_expired']);
    assertError(await w3.post(`/api/bookings/${h3.id}/confirm`), 409, 'not_held', 'state');
    assert.equal((await booking(w2, q3.id)).state, 'offered');
    assert.equal((await slotOf(w2, s3.id)).taken, 1);
  } finally {
    await w.srv.stop();
  }
});

// ---- check-in ----------------------------------------------------------------

test('check-in: by booking id (confirmed -> checked_in), staff of another site get 403 with any id, too early, twice', async () => {
  const w = await world();
  try {
    const [w1, w2, w3] = [await w.worker(), await w.worker(), await w.worker()];
    const o = await w.offering({ site: w.a.id, waitlist: true });
    const s = await w.slot(o, { capacity: 1, inS: 2 * 86400 });
    const b1 = expectStatus(await w.book(w1, s), 201).json;
    const q2 = expectStatus(await w.book(w2, s), 201).json;
    // Staff of the site whose number is the booking's number: not theirs.
    assert.notEqual(w.a.id, b1.id);
    const staffSame = await w.staffOf(b1.id);
    for (const id of [b1.id, q2.id]) {
      assertError(await staffSame.post(`/api/bookings/${id}/check-in`), 403, 'out_of_scope');
      assertError(await w.staffB.post(`/api/bookings/${id}/check-in`), 403, 'out_of_scope');
    }
    assertError(await w.staffB.post('/api/bookings/999999/check-in'), 404, 'not_found');
    assertError(await w1.post(`/api/bookings/${b1.id}/check-in`), 403, 'forbidden');
    assertError(await w.srv.client().post(`/api/bookings/${b1.id}/check-in`), 401, 'unauthorized');
    assertError(await w.staffA.post(`/api/bookings/${b1.id}/check-in`), 409, 'too_early', 'slot');
    assertError(await w.staffA.post(`/api/bookings/${q2.id}/check-in`), 409, 'not_confirmed', 'state');

    await w.advance(2 * 86400 + 60); // the slot has begun
    const res = await w.staffA.post(`/api/bookings/${b1.id}/check-in`);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.state, 'checked_in');
    assert.ok(res.json.checked_in_at);
    assert.equal(res.json.person.id, w1.id);
    assert.match(res.json.person.phone, /^\d{3}\*{4}\d{4}$/);
    assert.equal(res.json.ticket, null, 'staff never see the ticket');
    assertError(await w.staffA.post(`/api/bookings/${b1.id}/check-in`), 409, 'already_checked_in', 'state');
    assertError(await w1.post(`/api/bookings/${b1.id}/cancel`), 409, 'not_cancellable', 'state');
    // A system admin may too.
    const b3 = expectStatus(await w.book(w3, await w.slot(o, { capacity: 1, inS: 120 })), 201).json;
    await w.advance(180);
    expectStatus(await w.admin.post(`/api/bookings/${b3.id}/check-in`), 200);
  } finally {
    await w.srv.stop();
  }
});

test('check-in: the worker\'s QR finds today\'s booking at a site the staff reach; the booking\'s ticket; invalid, expired and replayed codes', async () => {
  const w = await world();
  try {
    const [w1, w2] = [await w.worker(), await w.worker()];
    const o = await w.offering({ site: w.a.id });
    const s = await w.slot(o, { capacity: 5, inS: 60, durS: 7200 });
    const b1 = expectStatus(await w.book(w1, s), 201).json;
    const b2 = expectStatus(await w.book(w2, s), 201).json;
    await w.advance(90);

    const qr = expectStatus(await w1.get('/api/me/qr'), 200).json.token;
    assertError(await w.staffB.post('/api/checkins', { qr }), 404, 'no_booking_today', 'qr');
    assertError(await w.staffA.post('/api/checkins', { qr, site: w.b.id }), 404, 'no_booking_today', 'qr');
    const res = await w.staffA.post('/api/checkins', { qr });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.id, b1.id);
    assert.equal(res.json.state, 'checked_in');
    assertError(await w.staffA.post('/api/checkins', { qr }), 404, 'no_booking_today', 'qr');

    // The ticket in the booking's answer: staff of another site cannot use it.
    assertError(await w.staffB.post('/api/checkins', { qr: b2.ticket }), 403, 'out_of_scope');
    assertError(await w1.post('/api/checkins', { qr: b2.ticket }), 403, 'forbidden');
    const t = await w.staffA.post('/api/checkins', { qr: b2.ticket });
    assert.equal(t.status, 200, t.text);
    assert.equal(t.json.id, b2.id);
    assertError(await w.staffA.post('/api/checkins', { qr: b2.ticket }), 409, 'already_checked_in', 'state');

    assertError(await w.staffA.post('/api/checkins', { qr: 'not-a-code' }), 422, 'invalid_qr', 'qr');
    assertError(await w.staffA.post('/api/checkins', { qr: b2.ticket.slice(0, -2) + 'AA' }), 422, 'invalid_qr', 'qr');
    assertError(await w.staffA.post('/api/checkins', {}), 422, 'missing_field', 'qr');
    const old = expectStatus(await w2.get('/api/me/qr'), 200).json.token;
    await w.advance(3600);
    assertError(await w.staffA.post('/api/checkins', { qr: old }), 410, 'qr_expired', 'qr');
  } finally {
    await w.srv.stop();
  }
});

// ---- the timed work and the provider ---------------------------------------

test('no-shows: confirmed -> no_show when the slot ends without a check-in', async () => {
  const w = await world();
  try {
    const [w1, w2] = [await w.worker(), await w.worker()];
    const o = await w.offering({ site: w.a.id });
    const s = await w.slot(o, { capacity: 2, inS: 60, durS: 900 });
    const b1 = expectStatus(await w.book(w1, s), 201).json;
    const b2 = expectStatus(await w.book(w2, s), 201).json;
    await w.advance(120);
    expectStatus(await w.staffA.post(`/api/bookings/${b1.id}/check-in`), 200);
    await w.advance(900);
    assert.equal((await booking(w1, b1.id)).state, 'checked_in');
    assert.equal((await booking(w2, b2.id)).state, 'no_show');
    assertError(await w.staffA.post(`/api/bookings/${b2.id}/check-in`), 409, 'not_confirmed', 'state');
  } finally {
    await w.srv.stop();
  }
});

test('the provider cancels a slot: every active booking -> cancelled (by_provider); the slot takes no more', async () => {
  const w = await world();
  try {
    const [w1, w2] = [await w.worker(), await w.worker()];
    const o = await w.offering({ site: w.a.id, waitlist: true });
    const s = await w.slot(o, { capacity: 1 });
    const b1 = expectStatus(await w.book(w1, s), 201).json;
    const b2 = expectStatus(await w.book(w2, s), 201).json;
    assertError(await w.staffB.post(`/api/slots/${s.id}/cancel`), 403, 'out_of_scope');
    assertError(await w1.post(`/api/slots/${s.id}/cancel`), 403, 'forbidden');
    const res = expectStatus(await w.staffA.post(`/api/slots/${s.id}/cancel`), 200).json;
    assert.deepEqual([res.state, res.taken, res.bookings_cancelled], ['cancelled', 0, 2]);
    for (const [c, b] of [[w1, b1], [w2, b2]]) {
      const x = await booking(c, b.id);
      assert.deepEqual([x.state, x.cancel_reason], ['cancelled', 'by_provider']);
    }
    assertError(await w.staffA.post(`/api/slots/${s.id}/cancel`), 409, 'slot_cancelled');
    assertError(await w.book(await w.worker(), s), 409, 'slot_cancelled', 'slot');
    assertError(await w.staffA.patch(`/api/slots/${s.id}`, { capacity: 4 }), 409, 'slot_cancelled');
    assert.deepEqual((await w.srv.client().get(`/api/slots?offering=${o.id}`)).json.items, [], 'cancelled slots are not listed');
  } finally {
    await w.srv.stop();
  }
});

test('a site\'s bookings of the day, for its staff', async () => {
  const w = await world();
  try {
    const [w1, w2] = [await w.worker(), await w.worker()];
    const o = await w.offering({ site: w.a.id, waitlist: true });
    const s = await w.slot(o, { capacity: 1, inS: 86400 });
    const b1 = expectStatus(await w.book(w1, s), 201).json;
    const b2 = expectStatus(await w.book(w2, s), 201).json;
    const day = s.start.slice(0, 10);
    const list = expectStatus(await w.staffA.get(`/api/sites/${w.a.id}/bookings?date=${day}`), 200).json;
    assert.equal(list.date, day);
    const mine = list.items.filter((x) => x.slot.id === s.id);
    assert.deepEqual(mine.map((x) => [x.id, x.state, x.person.id]), [[b1.id, 'confirmed', w1.id], [b2.id, 'waitlisted', w2.id]]);
    assert.ok(mine.every((x) => x.ticket === null && /\*{4}/.test(x.person.phone)));
    assertError(await w.staffB.get(`/api/sites/${w.a.id}/bookings?date=${day}`), 403, 'out_of_scope');
    assertError(await w1.get(`/api/sites/${w.a.id}/bookings`), 403, 'forbidden');
    assertError(await w.staffA.get(`/api/sites/${w.a.id}/bookings?date=tomorrow`), 400, 'invalid_query', 'date');
    // Today's list (the default) does not hold tomorrow's slot unless it is today.
    const today = expectStatus(await w.staffA.get(`/api/sites/${w.a.id}/bookings`), 200).json;
    assert.ok(today.items.every((x) => x.slot.start.slice(0, 10) === today.date || x.slot.end.slice(0, 10) >= today.date));
  } finally {
    await w.srv.stop();
  }
});

// ---- replays ---------------------------------------------------------------

test('replay: the same Idempotency-Key never books twice; a cancel replayed gives the first answer', async () => {
  const w = await world();
  try {
    const w1 = await w.worker();
    const o = await w.offering({ site: w.a.id, per_person_limit: 5 });
    const s = await w.slot(o, { capacity: 10 });
    const key = { headers: { 'idempotency-key': 'book-once-1' } };
    const first = await w1.post('/api/bookings', { slot: s.id }, key);
    assert.equal(first.status, 201, first.text);
    const again = await w1.post('/api/bookings', { slot: s.id }, key);
    assert.equal(again.status, 201);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.equal(again.json.id, first.json.id);
    assert.equal((await slotOf(w1, s.id)).taken, 1);
    assertError(await w1.post('/api/bookings', { slot: s.id, hold: true }, key), 422, 'idempotency_key_reused', 'Idempotency-Key');
    const ck = { headers: { 'idempotency-key': 'cancel-1' } };
    const c1 = expectStatus(await w1.post(`/api/bookings/${first.json.id}/cancel`, undefined, ck), 200);
    const c2 = expectStatus(await w1.post(`/api/bookings/${first.json.id}/cancel`, undefined, ck), 200);
    assert.deepEqual(c2.json, c1.json);
    // Without the key the same request is a new one (and books again:
    // the limit here is five).
    expectStatus(await w1.post('/api/bookings', { slot: s.id }), 201);
    assert.equal((await slotOf(w1, s.id)).taken, 1);
  } finally {
    await w.srv.stop();
  }
});

// ---- desk appointments from a weekly pattern ----------------------------------

const pad = (n) => String(n).padStart(2, '0');
const ymd = (d) => `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;

test('generate: a weekly pattern skips public holidays and follows make-up workdays (a calendar shaped like Spring Festival 2026)', async () => {
  const w = await world();
  try {
    // A Monday at least two weeks on, local (UTC+8) dates as UTC dates.
    const local = new Date((await w.now()) + 8 * 3600e3 + 14 * 86400e3);
    while (local.getUTCDay() !== 1) local.setUTCDate(local.getUTCDate() + 1);
    const day = (k) => ymd(new Date(local.getTime() + k * 86400e3));
    // As in 2026: Saturday (+5) worked as a Friday, nine days off
    // (Sunday +6 to Monday +14), Saturday +19 worked as a Friday.
    expectStatus(await w.admin.put(`/api/holidays/${day(5)}`, { kind: 'workday', as_weekday: 5, name_zh: '春节调休' }), 200);
    for (let k = 6; k <= 14; k++) expectStatus(await w.admin.put(`/api/holidays/${day(k)}`, { kind: 'holiday', name_zh: '春节' }), 200);
    expectStatus(await w.admin.put(`/api/holidays/${day(19)}`, { kind: 'workday', as_weekday: 5, name_zh: '春节调休' }), 200);

    const o = await w.offering({ kind: 'appointment', title_zh: '社保咨询', site: w.a.id }, w.staffA);
    const weekdays = ['09:00-12:00', '14:00-17:30'];
    const body = { from: day(0), to: day(20), days: { mo: weekdays, tu: weekdays, we: weekdays, th: weekdays, fr: weekdays, sa: ['10:00-11:00'] }, minutes: 15, capacity: 1 };
    assertError(await w.staffB.post(`/api/offerings/${o.id}/slots/generate`, body), 403, 'out_of_scope');
    const res = await w.staffA.post(`/api/offerings/${o.id}/slots/generate`, body);
    assert.equal(res.status, 201, res.text);
    assert.equal(res.json.created, 11 * 26);
    assert.equal(res.json.existing, 0);
    assert.equal(res.json.first, `${day(0)}T09:00:00+08:00`);
    assert.equal(res.json.last, `${day(19)}T17:15:00+08:00`);
    assert.deepEqual(res.json.holidays_skipped, [6, 7, 8, 9, 10, 11, 12, 13, 14].map(day));
    assert.deepEqual(res.json.workdays_followed, [{ date: day(5), as: 'fr' }, { date: day(19), as: 'fr' }]);
    const on = async (k) => (await w.srv.client().get(`/api/slots?offering=${o.id}&from=${day(k)}&to=${day(k)}&limit=500`)).json.items;
    const sat = await on(5);
    assert.equal(sat.length, 26, 'the make-up Saturday has Friday\'s windows');
    assert.equal(sat[12].start, `${day(5)}T14:00:00+08:00`);
    assert.equal(sat[0].end, `${day(5)}T09:15:00+08:00`);
    for (const k of [6, 9, 14, 20]) assert.deepEqual(await on(k), [], `no slots on day +${k}`);
    assert.equal((await on(15)).length, 26);
    assert.ok(sat.every((x) => x.capacity === 1 && x.taken === 0 && x.site === w.a.id));
    // Again: nothing new.
    const again = expectStatus(await w.staffA.post(`/api/offerings/${o.id}/slots/generate`, body), 201).json;
    assert.deepEqual([again.created, again.existing], [0, 286]);

    const gen = (x) => w.staffA.post(`/api/offerings/${o.id}/slots/generate`, { ...body, ...x });
    assertError(await gen({ days: { mo: ['9-12'] } }), 422, 'invalid_field', 'days.mo[0]');
    assertError(await gen({ days: { mo: ['09:00-12:00', '11:00-13:00'] } }), 422, 'invalid_field', 'days.mo[1]');
    assertError(await gen({ days: { monday: weekdays } }), 422, 'unknown_field', 'days.monday');
    assertError(await gen({ days: ['mo'] }), 422, 'invalid_field', 'days');
    assertError(await gen({ days: undefined }), 422, 'missing_field', 'days');
    assertError(await gen({ from: '2020-01-06' }), 422, 'slot_past', 'from');
    assertError(await gen({ from: 'monday' }), 422, 'invalid_field', 'from');
    assertError(await gen({ to: day(100) }), 422, 'invalid_field', 'to');
    assertError(await gen({ to: day(-1) }), 422, 'invalid_field', 'to');
    assertError(await gen({ minutes: 3 }), 422, 'invalid_field', 'minutes');
    assertError(await gen({ capacity: 0 }), 422, 'invalid_field', 'capacity');
    assertError(await gen({ site: w.b.id }), 422, 'invalid_field', 'site');
    const all = ['00:00-24:00'];
    assertError(await gen({ to: day(60), minutes: 5, days: { mo: all, tu: all, we: all, th: all, fr: all, sa: all, su: all } }), 422, 'too_many_slots', 'days');
    // An offering without a site: the pattern names one the caller reaches.
    const roaming = await w.offering({ kind: 'appointment', org: 'hz-legal-aid' });
    assertError(await w.admin.post(`/api/offerings/${roaming.id}/slots/generate`, body), 422, 'missing_field', 'site');
    const r2 = expectStatus(await w.admin.post(`/api/offerings/${roaming.id}/slots/generate`, { ...body, site: w.b.id, days: { fr: ['09:00-10:00'] } }), 201).json;
    // Fridays +4 and +18 (+11 is a holiday) and the two Saturdays worked
    // as Fridays: four days of four slots.
    assert.equal(r2.created, 4 * 4);
  } finally {
    await w.srv.stop();
  }
});

test('providers reach offerings through their organization; the roster of a slot for whoever runs it', async () => {
  const w = await world();
  try {
    const idOf = async (c) => (await c.get('/api/me')).json.id;
    const provider = await w.worker();
    const other = await w.worker();
    for (const [c, org] of [[provider, 'hz-skills-centre'], [other, 'hz-legal-aid']])
      expectStatus(await w.admin.post(`/api/users/${await idOf(c)}/roles`, { role: 'provider', scope_kind: 'organization', scope_ref: org }), 201);
    const res = await provider.post('/api/offerings', { kind: 'workshop', title_zh: '电动车维修', org: 'hz-skills-centre', waitlist: true });
    assert.equal(res.status, 201, res.text);
    const o = res.json;
    assertError(await provider.post('/api/offerings', { kind: 'workshop', title_zh: 'x', site: w.a.id }), 403, 'out_of_scope', 'site');
    assertError(await other.post('/api/offerings', { kind: 'workshop', title_zh: 'x', org: 'hz-skills-centre' }), 403, 'out_of_scope', 'org');
    // Its slots at the stations it runs them at; staff of a station do not
    // reach another organization's offering.
    const s = await w.slot(o, { site: w.b.id, capacity: 2, inS: 3600, by: provider });
    assert.equal(s.site, w.b.id);
    assert.equal(s.site_name_zh, w.b.name_zh);
    const t = await w.now();
    const one = { start: new Date(t + 7200e3).toISOString(), end: new Date(t + 9000e3).toISOString(), capacity: 2, site: w.a.id };
    assertError(await w.staffA.post(`/api/offerings/${o.id}/slots`, one), 403, 'out_of_scope');
    assertError(await other.patch(`/api/offerings/${o.id}`, { title_en: 'x' }), 403, 'out_of_scope');
    expectStatus(await provider.patch(`/api/offerings/${o.id}`, { title_en: 'E-bike repair' }), 200);

    const w1 = await w.worker();
    const b1 = expectStatus(await w.book(w1, s), 201).json;
    const roster = expectStatus(await provider.get(`/api/slots/${s.id}/bookings`), 200).json;
    assert.equal(roster.slot.id, s.id);
    assert.deepEqual(roster.items.map((x) => [x.id, x.person.id, x.ticket]), [[b1.id, w1.id, null]]);
    expectStatus(await w.staffB.get(`/api/slots/${s.id}/bookings`), 200);
    assertError(await w.staffA.get(`/api/slots/${s.id}/bookings`), 403, 'out_of_scope');
    assertError(await other.get(`/api/slots/${s.id}/bookings`), 403, 'out_of_scope');
    assertError(await w1.get(`/api/slots/${s.id}/bookings`), 403, 'forbidden');
    // A provider reaches the site's list of the day only as staff would.
    assertError(await provider.get(`/api/sites/${w.b.id}/bookings`), 403, 'forbidden');
    // The provider checks people in at their own session.
    await w.advance(3660);
    expectStatus(await provider.post(`/api/bookings/${b1.id}/check-in`), 200);
  } finally {
    await w.srv.stop();
  }
});

/** The local (UTC+8) calendar day of ms, shifted by days, at hh:mm, in ms. */
function localAt(ms, days, hh, mm) {
  const d = new Date(ms + 8 * 3600e3);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + days, hh - 8, mm);
}

test('notices in the inbox: confirmed, a waitlist offer until it ends, the reminder the day before (once), cancelled by the provider', async () => {
  const w = await world();
  try {
    const [w1, w2] = [await w.worker(), await w.worker()];
    const inbox = async (c) => expectStatus(await c.get('/api/me/inbox?limit=50'), 200).json.items;
    const o = await w.offering({ site: w.a.id, waitlist: true, title_zh: '直播复盘', title_en: 'Livestream review', offer_ttl_s: 3600 });
    const t = await w.now();
    const start = localAt(t, 3, 10, 0);
    const s = await w.slot(o, { capacity: 1, inS: Math.round((start - t) / 1000), durS: 5400 });

    const b1 = expectStatus(await w.book(w1, s), 201).json;
    const n1 = await inbox(w1);
    assert.deepEqual(n1.map((n) => n.kind), ['booking_confirmed']);
    assert.equal(n1[0].link, `/#/bookings/${b1.id}`);
    assert.match(n1[0].title_zh, /直播复盘/);
    assert.match(n1[0].title_en, /Livestream review/);
    assert.ok(n1[0].body_zh.includes(w.a.name_zh), n1[0].body_zh);
    assert.match(n1[0].body_zh, /10:00-11:30/);

    const b2 = expectStatus(await w.book(w2, s), 201).json;
    assert.deepEqual(await inbox(w2), [], 'a place in the queue is no news');
    expectStatus(await w1.post(`/api/bookings/${b1.id}/cancel`), 200);
    const offered = await booking(w2, b2.id);
    const n2 = await inbox(w2);
    assert.deepEqual(n2.map((n) => n.kind), ['waitlist_offer']);
    assert.equal(Date.parse(n2[0].expires_at), Date.parse(offered.offer_until));
    expectStatus(await w2.post(`/api/bookings/${b2.id}/accept`), 200);
    assert.deepEqual((await inbox(w2)).map((n) => n.kind), ['booking_confirmed', 'waitlist_offer']);

    // The day before at 09:00 (local) the reminder comes, once.
    const before = localAt(t, 2, 9, 0);
    await w.advance(Math.round((before - t) / 1000) - 120);
    assert.equal((await inbox(w2)).filter((n) => n.kind === 'booking_reminder').length, 0, 'not before 09:00');
    await w.advance(180);
    await w.advance(60);
    const reminders = (await inbox(w2)).filter((n) => n.kind === 'booking_reminder');
    assert.equal(reminders.length, 1);
    assert.match(reminders[0].title_en, /^Tomorrow: Livestream review/);
    assert.equal((await inbox(w1)).filter((n) => n.kind === 'booking_reminder').length, 0, 'cancelled: no reminder');

    // The provider cancels the session.
    expectStatus(await w.staffA.post(`/api/slots/${s.id}/cancel`), 200);
    const last = (await inbox(w2))[0];
    assert.equal(last.kind, 'booking_cancelled_by_provider');
    assert.match(last.title_zh, /^预约已取消：直播复盘/);

    // An offer's notice is hidden when the offer ends.
    const [w3, w4] = [await w.worker(), await w.worker()];
    const s2 = await w.slot(o, { capacity: 1, inS: 86400 });
    const b3 = expectStatus(await w.book(w3, s2), 201).json;
    expectStatus(await w.book(w4, s2), 201);
    expectStatus(await w3.post(`/api/bookings/${b3.id}/cancel`), 200);
    assert.deepEqual((await inbox(w4)).map((n) => n.kind), ['waitlist_offer']);
    await w.advance(3601);
    assert.deepEqual(await inbox(w4), []);
  } finally {
    await w.srv.stop();
  }
});

test('personal data: my bookings are in my export; erasing me frees my seat for the next in line', async () => {
  const w = await world();
  try {
    const [w1, w2] = [await w.worker(), await w.worker()];
    const o = await w.offering({ site: w.a.id, waitlist: true });
    const s = await w.slot(o, { capacity: 1 });
    const b1 = expectStatus(await w.book(w1, s), 201).json;
    const b2 = expectStatus(await w.book(w2, s), 201).json;
    const exp = expectStatus(await w1.get('/api/me/export'), 200).json;
    assert.deepEqual(exp.booking.bookings.map((x) => [x.id, x.state, x.site]), [[b1.id, 'confirmed', w.a.id]]);
    assert.equal(exp.booking.bookings[0].start, s.start);
    expectStatus(await w1.del('/api/me?confirm=1'), 204);
    const after = await booking(w2, b2.id);
    assert.equal(after.state, 'offered', 'the seat went to the next in line');
    assert.equal(after.slot.taken, 1);
    assert.deepEqual((await w2.get('/api/me/inbox')).json.items.map((n) => n.kind), ['waitlist_offer']);
    const roster = expectStatus(await w.staffA.get(`/api/slots/${s.id}/bookings`), 200).json.items;
    assert.deepEqual(roster.map((x) => x.id), [b2.id], 'nothing of the erased person is left');
  } finally {
    await w.srv.stop();
  }
});

test('demo: desk appointments at Xinnan stations, workshops with waitlists at hubs, the Spring Festival 2027 care packages', async () => {
  const srv = await startServer({ demo: true });
  try {
    const anon = srv.client();
    const offerings = (await anon.get('/api/offerings?limit=500')).json.items;
    const desks = offerings.filter((o) => o.kind === 'appointment');
    assert.ok(desks.length >= 3);
    const xinnan = (await anon.get('/api/sites?limit=1000&type=community_station&region=HZ-XN')).json.items.map((s) => s.id);
    assert.ok(desks.every((o) => xinnan.includes(o.site)));
    const desk = (await anon.get(`/api/slots?offering=${desks[0].id}&limit=500`)).json;
    assert.ok(desk.total > 50);
    assert.ok(desk.items.every((s) => s.capacity === 1 && Date.parse(s.end) - Date.parse(s.start) === 15 * 60e3));
    assert.ok(Date.parse(desk.items.at(-1).start) - Date.now() <= 15 * 86400e3, 'two weeks ahead');
    const shops = offerings.filter((o) => o.kind === 'workshop');
    assert.ok(shops.length >= 4 && shops.every((o) => o.waitlist));
    const pkg = offerings.find((o) => o.kind === 'package');
    assert.equal(pkg.verification_required, true);
    assert.equal(pkg.site, null);
    const slots = (await anon.get(`/api/slots?offering=${pkg.id}&limit=500`)).json;
    assert.ok(slots.total > 100, 'one slot per station');
    assert.equal(new Set(slots.items.map((s) => s.site)).size, slots.items.length);
    assert.ok(slots.items.every((s) => s.start === '2027-01-25T09:00:00+08:00' && s.end === '2027-02-04T18:00:00+08:00' && s.capacity >= 20));
  } finally {
    await srv.stop();
  }
});
