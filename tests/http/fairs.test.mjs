// The monthly fair (the fair module): fairs and booths, the walk-in queue
// of each booth (take a number on the phone or at a kiosk, call next,
// skip, done, cancel), places and wait estimates, the public board and its
// live event stream. Attacks: anonymous callers, a worker calling numbers,
// staff of another site using ids that are their own site's number, a
// booth of another fair in the path, a replayed Idempotency-Key, two takes
// at once, and 200 takes at once that must give exactly 1..200 (on
// whichever store the suite runs: SQLite, or PostgreSQL under with_pg.sh).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, ADMIN_TOKEN, assertError, expectStatus, sleep } from './lib/server.mjs';

let phoneSeq = 0;
const phone = () => `1393333${String(++phoneSeq).padStart(4, '0')}`;

async function grantStaff(srv, admin, token, siteId) {
  const me = (await srv.client(token).get('/api/me')).json.id;
  const res = await admin.post(`/api/users/${me}/roles`, { role: 'staff', scope_kind: 'site', scope_ref: String(siteId) });
  assert.equal(res.status, 201, res.text);
}

// A server with the demo data: the demo fair (id 1, open, 18 booths) at a
// hub; staff of that hub; staff of site 1, which is another site; workers.
// env: the race tests play hundreds of people at once from one address, so
// they lift the per-address connection limit (WARMHARBOR_CONN_PER_ADDRESS).
async function setup(env = {}) {
  const srv = await startServer({ demo: true, env });
  const admin = srv.client(ADMIN_TOKEN);
  const fair = expectStatus(await admin.get('/api/fairs/1'), 200).json;
  assert.notEqual(fair.site_id, 1, 'the demo fair is not at site 1');
  const staffTok = srv.user(phone());
  const otherTok = srv.user(phone());
  await grantStaff(srv, admin, staffTok, fair.site_id);
  await grantStaff(srv, admin, otherTok, 1);
  const w1 = srv.client(srv.user(phone()));
  const w2 = srv.client(srv.user(phone()));
  return { srv, admin, fair, staff: srv.client(staffTok), other: srv.client(otherTok), w1, w2, anon: srv.client() };
}

const iso = (d, hm) => `${d}T${hm}:00+08:00`;

/** A fair made through the API at siteId; returns its JSON. */
async function makeFair(client, siteId, extra = {}) {
  const res = await client.post('/api/fairs', {
    site_id: siteId, title_zh: '测试集市', title_en: 'Test fair',
    starts_at: iso('2027-03-28', '09:00'), ends_at: iso('2027-03-28', '16:00'),
    booths: [{ name_zh: '理发', name_en: 'Haircut', organization: '工会', avg_service_min: 12 },
      { name_zh: '法律咨询', avg_service_min: 20 }],
    ...extra,
  });
  assert.equal(res.status, 201, res.text);
  return res.json;
}

/** An SSE stream: collected events, a waiter, and close(). */
async function openStream(url) {
  const ctrl = new AbortController();
  const res = await fetch(url, { signal: ctrl.signal });
  const events = [];
  let buf = '';
  let ended = false;
  const waiters = new Set();
  const wake = () => { for (const w of waiters) w(); };
  (async () => {
    const reader = res.body.getReader();
    const dec = new TextDecoder();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += dec.decode(value, { stream: true });
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const ev = /^event: (.*)$/m.exec(block);
          const data = /^data: (.*)$/m.exec(block);
          if (ev && data) events.push({ event: ev[1], data: JSON.parse(data[1]) });
        }
        wake();
      }
    } catch { /* aborted */ }
    ended = true;
    wake();
  })();
  return {
    res,
    events,
    get ended() { return ended; },
    async waitFor(pred, what, ms = 3000) {
      const until = Date.now() + ms;
      for (;;) {
        const hit = events.find(pred);
        if (hit) return hit;
        if (ended || Date.now() > until) assert.fail(`no ${what} on the stream; got ${JSON.stringify(events)}`);
        await new Promise((r) => { waiters.add(r); setTimeout(r, 50); }).finally(() => waiters.clear());
      }
    },
    async waitEnd(ms = 3000) {
      const until = Date.now() + ms;
      while (!ended && Date.now() < until) await sleep(10);
      return ended;
    },
    close() { ctrl.abort(); },
  };
}

test('fairs: create with booths, read, list, change state; every refusal', async () => {
  const { srv, admin, fair, staff, other, w1, anon } = await setup();
  try {
    // The demo: this month's fair, open, with the 18 booths.
    assert.equal(fair.state, 'open');
    assert.equal(fair.booths.length, 18);
    assert.equal(fair.booth_count, 18);
    assert.ok(fair.booths.some((b) => b.name_zh === '理发' && b.name_en === 'Haircut'));
    assert.ok(fair.booths.every((b) => b.avg_service_min > 0 && b.open));
    assert.equal(fair.booths.filter((b) => b.offering !== null).length, 6, 'six demo booths take appointments');
    const timed = fair.booths.find((b) => b.name_en === 'Haircut');
    assert.match(fair.starts_at, /T09:00:00\+08:00$/);
    assert.equal(new Date(fair.starts_at).getUTCDay(), 0, 'on a Sunday (09:00 China is 01:00 UTC the same day)');

    const created = await staff.post('/api/fairs', {
      site_id: fair.site_id, title_zh: '三月集市', starts_at: iso('2027-03-28', '09:00'),
      ends_at: iso('2027-03-28', '16:00'), booths: [{ name_zh: '理发', avg_service_min: 15, offering_id: timed.offering }],
    });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.headers.get('location'), `/api/fairs/${created.json.id}`);
    assert.equal(created.json.state, 'scheduled');
    assert.equal(created.json.title_en, '');
    assert.equal(created.json.booths[0].offering_id, timed.offering);
    assert.equal(created.json.booths[0].offering, timed.offering);
    assert.equal(created.json.booths[0].organization, '');
    const id = created.json.id;

    // Anyone reads; filters.
    const got = expectStatus(await anon.get(`/api/fairs/${id}`), 200).json;
    assert.equal(got.booths.length, 1);
    const all = expectStatus(await anon.get('/api/fairs'), 200).json;
    assert.equal(all.total, 2);
    assert.deepEqual(all.items.map((f) => f.id), [id, 1], 'latest first');
    assert.deepEqual((await anon.get('/api/fairs?state=scheduled')).json.items.map((f) => f.id), [id]);
    assert.equal((await anon.get(`/api/fairs?site=${fair.site_id}&limit=1`)).json.items.length, 1);
    assert.equal((await anon.get('/api/fairs?site=1')).json.total, 0);
    assertError(await anon.get('/api/fairs?state=busy'), 400, 'invalid_query', 'state');
    assertError(await anon.get('/api/fairs?limit=0'), 400, 'invalid_query', 'limit');
    assertError(await anon.get('/api/fairs/999999'), 404, 'not_found');
    assertError(await anon.get('/api/fairs/abc'), 404, 'not_found');

    // Who may create one.
    const body = { site_id: fair.site_id, title_zh: 'x', starts_at: iso('2027-04-25', '09:00'), ends_at: iso('2027-04-25', '12:00') };
    assertError(await anon.post('/api/fairs', body), 401, 'unauthorized');
    assertError(await w1.post('/api/fairs', body), 403, 'forbidden');
    assertError(await other.post('/api/fairs', body), 403, 'out_of_scope', 'site_id');
    assertError(await admin.post('/api/fairs', { ...body, site_id: 999999 }), 422, 'unknown_site', 'site_id');
    // Each field.
    const bad = async (patch, status, code, field) =>
      assertError(await staff.post('/api/fairs', { ...body, ...patch }), status, code, field);
    await bad({ title_zh: undefined }, 422, 'missing_field', 'title_zh');
    await bad({ title_zh: '' }, 422, 'missing_field', 'title_zh');
    await bad({ title_zh: 'x'.repeat(201) }, 422, 'too_long', 'title_zh');
    await bad({ site_id: 'one' }, 422, 'invalid_field', 'site_id');
    await bad({ starts_at: 'tomorrow' }, 422, 'invalid_field', 'starts_at');
    await bad({ ends_at: iso('2027-04-25', '08:00') }, 422, 'invalid_field', 'ends_at');
    await bad({ ends_at: iso('2027-04-27', '08:00') }, 422, 'invalid_field', 'ends_at');
    await bad({ state: 'closed' }, 422, 'invalid_field', 'state');
    await bad({ colour: 'red' }, 422, 'unknown_field');
    await bad({ booths: {} }, 422, 'invalid_field', 'booths');
    await bad({ booths: [{ name_zh: '理发' }] }, 422, 'missing_field', 'booths[0].avg_service_min');
    await bad({ booths: [{ name_zh: '理发', avg_service_min: 0 }] }, 422, 'invalid_field', 'booths[0].avg_service_min');
    await bad({ booths: [{ avg_service_min: 5 }] }, 422, 'missing_field', 'booths[0].name_zh');
    await bad({ booths: [{ name_zh: 'a', avg_service_min: 5, offering_id: 0 }] }, 422, 'invalid_field', 'booths[0].offering_id');
    await bad({ booths: [{ name_zh: 'a', avg_service_min: 5, offering: 999999 }] }, 422, 'unknown_offering', 'booths[0].offering');
    await bad({ booths: [{ name_zh: 'a', avg_service_min: 5, offering_id: 999999 }] }, 422, 'unknown_offering', 'booths[0].offering_id');
    await bad({ booths: ['理发'] }, 422, 'invalid_field', 'booths[0]');
    assert.equal((await anon.get('/api/fairs')).json.total, 2, 'nothing refused was stored');

    // At most 60 booths a fair.
    const sixty = Array.from({ length: 60 }, (_, i) => ({ name_zh: `摊位${i + 1}`, avg_service_min: 5 }));
    await bad({ booths: [...sixty, { name_zh: 'x', avg_service_min: 5 }] }, 422, 'invalid_field', 'booths');
    const full = expectStatus(await staff.post('/api/fairs', { ...body, booths: sixty }), 201).json;
    assert.equal(full.booth_count, 60);
    assertError(await staff.post(`/api/fairs/${full.id}/booths`, { name_zh: 'x', avg_service_min: 5 }), 409, 'too_many_booths');
    assert.equal((await anon.get('/api/fairs')).json.total, 3);

    // State: scheduled -> open -> closed -> open; cancelled is final.
    assertError(await staff.patch(`/api/fairs/${id}`, { state: 'closed' }), 409, 'invalid_transition', 'state');
    assertError(await staff.patch(`/api/fairs/${id}`, { state: 'paused' }), 422, 'invalid_field', 'state');
    assertError(await staff.patch(`/api/fairs/${id}`, { title_zh: '' }), 422, 'missing_field', 'title_zh');
    assertError(await staff.patch(`/api/fairs/${id}`, { ends_at: iso('2027-03-28', '08:00') }), 422, 'invalid_field', 'ends_at');
    assertError(await other.patch(`/api/fairs/${id}`, { state: 'open' }), 403, 'out_of_scope');
    assertError(await w1.patch(`/api/fairs/${id}`, { state: 'open' }), 403, 'forbidden');
    const opened = expectStatus(await staff.patch(`/api/fairs/${id}`, { state: 'open', title_en: 'March fair' }), 200).json;
    assert.equal(opened.state, 'open');
    assert.equal(opened.title_en, 'March fair');
    assert.equal(opened.title_zh, '三月集市');
    expectStatus(await staff.patch(`/api/fairs/${id}`, { state: 'closed' }), 200);
    expectStatus(await staff.patch(`/api/fairs/${id}`, { state: 'open' }), 200);
    expectStatus(await staff.patch(`/api/fairs/${id}`, { state: 'cancelled' }), 200);
    assertError(await staff.patch(`/api/fairs/${id}`, { state: 'open' }), 409, 'invalid_transition', 'state');

    // Two changes at once (closing and cancelling an open fair): exactly
    // one wins; the other finds the state moved under it (state_changed)
    // or read it after the change (invalid_transition).
    for (let round = 0; round < 5; round++) {
      const f = await makeFair(staff, fair.site_id, { state: 'open' });
      const both = await Promise.all([
        staff.patch(`/api/fairs/${f.id}`, { state: 'closed' }),
        staff.patch(`/api/fairs/${f.id}`, { state: 'cancelled' }),
      ]);
      const won = both.filter((r) => r.status === 200);
      assert.equal(won.length, 1, both.map((r) => r.text).join(' / '));
      for (const r of both.filter((x) => x.status !== 200)) {
        assert.equal(r.status, 409, r.text);
        assert.ok(['state_changed', 'invalid_transition'].includes(r.json.error.code), r.text);
      }
      assert.equal((await anon.get(`/api/fairs/${f.id}`)).json.state, won[0].json.state);
    }

    // Booths: add and change.
    const booth = await staff.post(`/api/fairs/${id}/booths`, { name_zh: '测血压', name_en: 'Blood pressure', avg_service_min: 3 });
    assert.equal(booth.status, 201, booth.text);
    assert.equal(booth.headers.get('location'), `/api/fairs/${id}/booths/${booth.json.id}`);
    assert.equal(booth.json.sort_order, 2);
    assertError(await staff.post(`/api/fairs/${id}/booths`, { name_zh: 'x' }), 422, 'missing_field', 'avg_service_min');
    assertError(await staff.post(`/api/fairs/${id}/booths`, { name_zh: 'x', avg_service_min: 241 }), 422, 'invalid_field', 'avg_service_min');
    assertError(await other.post(`/api/fairs/${id}/booths`, { name_zh: 'x', avg_service_min: 5 }), 403, 'out_of_scope');
    assertError(await staff.post('/api/fairs/999999/booths', { name_zh: 'x', avg_service_min: 5 }), 404, 'not_found');
    const changed = expectStatus(await staff.patch(`/api/fairs/${id}/booths/${booth.json.id}`, { avg_service_min: 4, offering_id: null, open: false }), 200).json;
    assert.equal(changed.avg_service_min, 4);
    assert.equal(changed.open, false);
    assert.equal(changed.name_zh, '测血压');
    assertError(await staff.patch(`/api/fairs/${id}/booths/${booth.json.id}`, { open: 'no' }), 422, 'invalid_field', 'open');
    assertError(await staff.patch(`/api/fairs/${id}/booths/${booth.json.id}`, { name_zh: '' }), 422, 'missing_field', 'name_zh');
    // The demo fair's booth 1 is not a booth of this fair.
    assertError(await staff.patch(`/api/fairs/${id}/booths/1`, { open: false }), 404, 'not_found');
  } finally {
    await srv.stop();
  }
});

test('timed slots: demo booths have a fair_booth offering with free slots; staff link one, and only a fair_booth', async () => {
  const { srv, admin, fair, staff, other, w1, anon } = await setup();
  try {
    // Six demo booths take appointments: an offering of kind fair_booth at
    // the fair's site, a slot for one person every 15 or 20 minutes
    // through the fair, and the count of free ones on the booth.
    const timed = fair.booths.filter((b) => b.offering !== null);
    assert.deepEqual(timed.map((b) => b.name_en).sort(), ['Eye check', 'Haircut', 'Health check', 'Legal advice', 'Massage', 'Psychological counselling']);
    for (const b of timed) {
      assert.equal(b.offering_id, b.offering, 'the old name says the same');
      const o = expectStatus(await anon.get(`/api/offerings/${b.offering}`), 200).json;
      assert.equal(o.kind, 'fair_booth');
      assert.equal(o.site, fair.site_id);
      const slots = expectStatus(await anon.get(`/api/slots?offering=${b.offering}&limit=500`), 200).json;
      assert.ok(slots.total >= 21, `${b.name_en}: ${slots.total} slots`);
      for (const s of slots.items) {
        assert.equal(s.capacity, 1);
        const min = (Date.parse(s.end) - Date.parse(s.start)) / 60000;
        assert.ok(min === 15 || min === 20, `${min} minutes`);
        assert.ok(Date.parse(s.start) >= Date.parse(fair.starts_at) && Date.parse(s.end) <= Date.parse(fair.ends_at));
      }
      const free = expectStatus(await anon.get(`/api/slots?offering=${b.offering}&available=1&limit=1`), 200).json.total;
      assert.equal(b.free_slots, free, b.name_en);
    }
    assert.ok(fair.booths.filter((b) => b.offering === null).every((b) => b.free_slots === null));

    // Booking one takes it from the count.
    const haircut = timed.find((b) => b.name_en === 'Haircut');
    if (haircut.free_slots > 0) {
      const slot = expectStatus(await anon.get(`/api/slots?offering=${haircut.offering}&available=1&limit=1`), 200).json.items[0];
      expectStatus(await w1.post('/api/bookings', { slot: slot.id }), 201);
      const again = expectStatus(await anon.get(`/api/fairs/${fair.id}`), 200).json.booths.find((b) => b.id === haircut.id);
      assert.equal(again.free_slots, haircut.free_slots - 1);
    }

    // Staff link a booth without slots to an offering of kind fair_booth.
    const booth = fair.booths.find((b) => b.name_en === 'Blood pressure');
    assert.equal(booth.offering, null);
    const path = `/api/fairs/${fair.id}/booths/${booth.id}`;
    const offering = expectStatus(await admin.post('/api/offerings', { kind: 'fair_booth', title_zh: '集市·测血压', site: fair.site_id }), 201).json;
    const linked = expectStatus(await staff.patch(path, { offering: offering.id }), 200).json;
    assert.equal(linked.offering, offering.id);
    assert.equal(linked.free_slots, 0, 'no slots yet');
    const start = Date.parse(fair.starts_at) + 3600e3;
    if (Date.now() < start) {
      expectStatus(await admin.post(`/api/offerings/${offering.id}/slots`, { start: new Date(start).toISOString(), end: new Date(start + 900e3).toISOString(), capacity: 1 }), 201);
      const read = expectStatus(await anon.get(`/api/fairs/${fair.id}`), 200).json.booths.find((b) => b.id === booth.id);
      assert.equal(read.offering, offering.id);
      assert.equal(read.free_slots, 1);
    }

    // Refused: no such offering, another kind, not an id, both names, staff of another site.
    const workshop = expectStatus(await anon.get('/api/offerings?kind=workshop&limit=1'), 200).json.items[0];
    assertError(await staff.patch(path, { offering: 999999 }), 422, 'unknown_offering', 'offering');
    assertError(await staff.patch(path, { offering_id: 999999 }), 422, 'unknown_offering', 'offering_id');
    assertError(await staff.patch(path, { offering: workshop.id }), 422, 'not_fair_booth', 'offering');
    assertError(await staff.patch(path, { offering: 0 }), 422, 'invalid_field', 'offering');
    assertError(await staff.patch(path, { offering: 'one' }), 422, 'invalid_field', 'offering');
    assertError(await staff.patch(path, { offering: offering.id, offering_id: offering.id }), 422, 'invalid_field', 'offering');
    assertError(await staff.post(`/api/fairs/${fair.id}/booths`, { name_zh: 'x', avg_service_min: 5, offering: workshop.id }), 422, 'not_fair_booth', 'offering');
    assertError(await other.patch(path, { offering: offering.id }), 403, 'out_of_scope');
    assertError(await w1.patch(path, { offering: offering.id }), 403, 'forbidden');
    assert.equal(expectStatus(await anon.get(`/api/fairs/${fair.id}`), 200).json.booths.find((b) => b.id === booth.id).offering, offering.id, 'refusals changed nothing');

    // Unlinked again.
    const unlinked = expectStatus(await staff.patch(path, { offering: null }), 200).json;
    assert.equal(unlinked.offering, null);
    assert.equal(unlinked.free_slots, null);
  } finally {
    await srv.stop();
  }
});

test('queue: numbers, places, estimates, call next, skip, done, cancel', async () => {
  const { srv, fair, staff, other, w1, w2, anon } = await setup();
  try {
    const booth = fair.booths.find((b) => b.name_en === 'Haircut');
    const base = `/api/fairs/${fair.id}/booths/${booth.id}`;
    const per = booth.avg_service_min;

    assertError(await anon.post(`${base}/tickets`), 401, 'unauthorized');
    const t1 = await w1.post(`${base}/tickets`);
    assert.equal(t1.status, 201, t1.text);
    assert.equal(t1.headers.get('location'), `/api/me/fair-tickets/${t1.json.id}`);
    assert.deepEqual(
      { number: t1.json.number, state: t1.json.state, ahead: t1.json.ahead, wait_min: t1.json.wait_min, kiosk: t1.json.kiosk, basis: t1.json.estimate_basis },
      { number: 1, state: 'waiting', ahead: 0, wait_min: 0, kiosk: false, basis: 'booth_average' });
    assert.equal(t1.json.booth.name_zh, '理发');
    assert.ok(!('user_id' in t1.json) && !('name' in t1.json), 'the holder\'s view has no staff fields');
    assertError(await w1.post(`${base}/tickets`), 409, 'already_queued');
    const t2 = expectStatus(await w2.post(`${base}/tickets`), 201).json;
    assert.equal(t2.number, 2, 'the refused take did not use a number');
    assert.equal(t2.ahead, 1);
    assert.equal(t2.wait_min, per);

    // A kiosk number for someone without a phone.
    assertError(await w1.post(`${base}/kiosk-tickets`, {}), 403, 'forbidden');
    assertError(await other.post(`${base}/kiosk-tickets`, {}), 403, 'out_of_scope');
    assertError(await staff.post(`${base}/kiosk-tickets`, { name: 'x'.repeat(61) }), 422, 'too_long', 'name');
    assertError(await staff.post(`${base}/kiosk-tickets`, { phone: '1' }), 422, 'unknown_field');
    const k = expectStatus(await staff.post(`${base}/kiosk-tickets`, { name: '老王' }), 201);
    assert.equal(k.headers.get('location'), `/api/fair-tickets/${k.json.id}`);
    assert.deepEqual([k.json.number, k.json.kiosk, k.json.name, k.json.user_id, k.json.ahead, k.json.wait_min], [3, true, '老王', null, 2, 2 * per]);
    const k2 = expectStatus(await staff.post(`${base}/kiosk-tickets`, {}), 201).json;
    assert.equal(k2.number, 4);
    assert.equal(k2.name, null);

    // The holder sees the place; the staff see the queue with who holds it.
    const mine = expectStatus(await w2.get('/api/me/fair-tickets'), 200).json.items;
    assert.deepEqual(mine.map((t) => [t.number, t.ahead, t.wait_min]), [[2, 1, per]]);
    assertError(await anon.get('/api/me/fair-tickets'), 401, 'unauthorized');
    assertError(await w2.get('/api/me/fair-tickets?limit=0'), 400, 'invalid_query', 'limit');
    expectStatus(await w2.get(`/api/me/fair-tickets/${t2.id}`), 200);
    assertError(await w1.get(`/api/me/fair-tickets/${t2.id}`), 404, 'not_found');
    assertError(await w1.get(`/api/fair-tickets/${t2.id}`), 403, 'forbidden');
    const queue = expectStatus(await staff.get(`${base}/tickets`), 200).json.items;
    assert.deepEqual(queue.map((t) => t.number), [1, 2, 3, 4]);
    assert.equal(queue[0].user_id !== null, true);
    assert.equal(queue[2].name, '老王');
    assertError(await staff.get(`${base}/tickets?state=gone`), 400, 'invalid_query', 'state');
    assertError(await w1.get(`${base}/tickets`), 403, 'forbidden');

    // Call, finish, skip.
    assertError(await w1.post(`${base}/call-next`), 403, 'forbidden');
    const c1 = expectStatus(await staff.post(`${base}/call-next`), 200).json;
    assert.deepEqual([c1.number, c1.state], [1, 'called']);
    assert.ok(c1.called_at);
    const w1view = (await w1.get(`/api/me/fair-tickets/${t1.json.id}`)).json;
    assert.deepEqual([w1view.state, w1view.ahead, w1view.wait_min], ['called', null, null]);
    assert.equal((await w2.get(`/api/me/fair-tickets/${t2.id}`)).json.ahead, 0, 'number 1 is no longer ahead');
    // A person in the queue (called) cannot take a second number.
    assertError(await w1.post(`${base}/tickets`), 409, 'already_queued');
    expectStatus(await staff.post(`/api/fair-tickets/${t1.json.id}/done`), 200);
    assertError(await staff.post(`/api/fair-tickets/${t1.json.id}/done`), 409, 'not_called');
    assertError(await staff.post(`/api/fair-tickets/${t1.json.id}/skip`), 409, 'not_in_queue');
    assertError(await staff.post(`/api/fair-tickets/${t2.id}/done`), 409, 'not_called');
    const c2 = expectStatus(await staff.post(`${base}/call-next`), 200).json;
    assert.equal(c2.number, 2);
    expectStatus(await staff.post(`/api/fair-tickets/${t2.id}/skip`), 200);
    assert.equal((await w2.get(`/api/me/fair-tickets/${t2.id}`)).json.state, 'skipped');
    // After being served, the person may queue again: a new number.
    assert.equal(expectStatus(await w1.post(`${base}/tickets`), 201).json.number, 5);

    // Cancelling: the holder, their own only; staff, any of their site.
    const again = (await w1.get('/api/me/fair-tickets')).json.items[0];
    assertError(await w2.post(`/api/me/fair-tickets/${again.id}/cancel`), 404, 'not_found');
    assertError(await w2.post(`/api/me/fair-tickets/${k.json.id}/cancel`), 404, 'not_found');
    const cancelled = expectStatus(await w1.post(`/api/me/fair-tickets/${again.id}/cancel`), 200).json;
    assert.equal(cancelled.state, 'cancelled');
    assertError(await w1.post(`/api/me/fair-tickets/${again.id}/cancel`), 409, 'not_in_queue');
    expectStatus(await staff.post(`/api/fair-tickets/${k2.id}/cancel`), 200);
    assertError(await staff.post(`/api/fair-tickets/${k2.id}/cancel`), 409, 'not_in_queue');
    assertError(await staff.post('/api/fair-tickets/999999/skip'), 404, 'not_found');
    assertError(await staff.post('/api/fair-tickets/0/skip'), 404, 'not_found');

    // The board.
    const board = expectStatus(await anon.get(`/api/fairs/${fair.id}/board`), 200).json;
    assert.equal(board.fair.id, fair.id);
    assert.equal(board.booths.length, 18);
    const line = board.booths.find((b) => b.id === booth.id);
    assert.deepEqual(line.serving, []);
    assert.deepEqual(line.next, [3]);
    assert.deepEqual(line.counts, { waiting: 1, called: 0, done: 1, skipped: 1, cancelled: 2, taken: 5 });
    assert.equal(line.wait_min, per);
    assert.ok(!JSON.stringify(board).includes('老王'), 'no names on the public board');
    assertError(await anon.get('/api/fairs/999999/board'), 404, 'not_found');

    // Empty queue; measured service times take over from the booth's figure.
    expectStatus(await staff.post(`${base}/call-next`), 200);
    expectStatus(await staff.post(`/api/fair-tickets/${k.json.id}/done`), 200);
    assertError(await staff.post(`${base}/call-next`), 409, 'queue_empty');
    const people = [w1, w2, srv.client(srv.user(phone()))];
    for (const w of people) {
      expectStatus(await w.post(`${base}/tickets`), 201);
      const c = expectStatus(await staff.post(`${base}/call-next`), 200).json;
      expectStatus(await staff.post(`/api/fair-tickets/${c.id}/done`), 200);
    }
    expectStatus(await w2.post(`${base}/tickets`), 201);
    const measured = (await anon.get(`/api/fairs/${fair.id}/board`)).json.booths.find((b) => b.id === booth.id);
    assert.equal(measured.estimate_basis, 'measured');
    assert.equal(measured.per_person_min, 1, 'services done at once count a minute each');
    assert.equal((await w2.get('/api/me/fair-tickets')).json.items[0].estimate_basis, 'measured');

    // A booth that takes no numbers; a fair that is not open; a booth of
    // another fair in the path.
    const other2 = fair.booths.find((b) => b.name_en === 'Legal advice');
    expectStatus(await staff.patch(`/api/fairs/${fair.id}/booths/${other2.id}`, { open: false }), 200);
    assertError(await w1.post(`/api/fairs/${fair.id}/booths/${other2.id}/tickets`), 409, 'booth_closed');
    assertError(await staff.post(`/api/fairs/${fair.id}/booths/${other2.id}/kiosk-tickets`, {}), 409, 'booth_closed');
    const later = await makeFair(staff, fair.site_id);
    const laterBooth = later.booths[0].id;
    assertError(await w1.post(`/api/fairs/${later.id}/booths/${laterBooth}/tickets`), 409, 'fair_not_open');
    assertError(await w1.post(`/api/fairs/${later.id}/booths/${booth.id}/tickets`), 404, 'not_found');
    assertError(await staff.post(`/api/fairs/${later.id}/booths/${booth.id}/call-next`), 404, 'not_found');
    assertError(await staff.post(`/api/fairs/${later.id}/booths/${booth.id}/kiosk-tickets`, {}), 404, 'not_found');
    assertError(await w1.post(`/api/fairs/${fair.id}/booths/999999/tickets`), 404, 'not_found');
    expectStatus(await staff.patch(`/api/fairs/${fair.id}`, { state: 'closed' }), 200);
    assertError(await w1.post(`${base}/tickets`), 409, 'fair_not_open');
    // The queue left at closing time can still be served.
    expectStatus(await staff.post(`${base}/call-next`), 200);
  } finally {
    await srv.stop();
  }
});

test('scope: staff of another site get out_of_scope whatever the id, workers are forbidden', async () => {
  const { srv, admin, fair, staff, other, w1, anon } = await setup();
  try {
    // Fair 1, booth 1 and ticket 1 all carry the number of the other
    // staff member's site (site 1), and are none of its objects.
    const t = expectStatus(await w1.post(`/api/fairs/1/booths/1/tickets`), 201).json;
    assert.equal(t.id, 1);
    assert.equal(fair.id, 1);
    const tries = [
      ['post', '/api/fairs/1/booths/1/call-next'],
      ['post', '/api/fairs/1/booths/1/kiosk-tickets', {}],
      ['get', '/api/fairs/1/booths/1/tickets'],
      ['patch', '/api/fairs/1', { state: 'closed' }],
      ['patch', '/api/fairs/1/booths/1', { open: false }],
      ['post', '/api/fairs/1/booths', { name_zh: 'x', avg_service_min: 5 }],
      ['get', '/api/fair-tickets/1'],
      ['post', '/api/fair-tickets/1/skip'],
      ['post', '/api/fair-tickets/1/done'],
      ['post', '/api/fair-tickets/1/cancel'],
    ];
    for (const [m, p, body] of tries) {
      const res = m === 'get' ? await other.get(p) : await other[m](p, body);
      assertError(res, 403, 'out_of_scope');
      assertError(m === 'get' ? await w1.get(p) : await w1[m](p, body), 403, 'forbidden');
      assertError(m === 'get' ? await anon.get(p) : await anon[m](p, body), 401, 'unauthorized');
    }
    // Nothing moved.
    assert.equal((await w1.get('/api/me/fair-tickets/1')).json.state, 'waiting');
    assert.equal((await anon.get('/api/fairs/1')).json.state, 'open');
    // A fair of site 1 itself, with ticket 2: the other staff reach that
    // one, and the first staff do not.
    const at1 = await makeFair(admin, 1, { state: 'open' });
    const b1 = at1.booths[0].id;
    const k = expectStatus(await other.post(`/api/fairs/${at1.id}/booths/${b1}/kiosk-tickets`, {}), 201).json;
    assertError(await staff.post(`/api/fair-tickets/${k.id}/skip`), 403, 'out_of_scope');
    expectStatus(await other.post(`/api/fair-tickets/${k.id}/skip`), 200);
    // Their own fair with the demo fair's booth: no such booth here.
    assertError(await other.post(`/api/fairs/${at1.id}/booths/1/call-next`), 404, 'not_found');
    assertError(await other.get(`/api/fairs/${at1.id}/booths/1/tickets`), 404, 'not_found');
    // The staff of the demo fair's site do their work.
    const called = expectStatus(await staff.post('/api/fairs/1/booths/1/call-next'), 200).json;
    assert.equal(called.id, 1);
  } finally {
    await srv.stop();
  }
});

test('replay: the same Idempotency-Key gives the same number and takes no other', async () => {
  const { srv, fair, staff, w1, w2 } = await setup();
  try {
    const base = `/api/fairs/${fair.id}/booths/${fair.booths[2].id}`;
    const key = { headers: { 'idempotency-key': 'take-haircut-1' } };
    const first = expectStatus(await w1.request('POST', `${base}/tickets`, key), 201);
    const again = expectStatus(await w1.request('POST', `${base}/tickets`, key), 201);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.deepEqual(again.json, first.json);
    assertError(await w1.post(`${base}/tickets`), 409, 'already_queued');
    // The same key for another booth is another request.
    const elsewhere = await w1.request('POST', `/api/fairs/${fair.id}/booths/${fair.booths[3].id}/tickets`, key);
    assertError(elsewhere, 422, 'idempotency_key_reused', 'Idempotency-Key');
    // Keys are the caller's: another person's same key is their own take.
    assert.equal(expectStatus(await w2.request('POST', `${base}/tickets`, key), 201).json.number, 2);
    // A kiosk retry prints the same slip and uses no number.
    const kk = { headers: { 'idempotency-key': 'kiosk-slip-7' } };
    const s1 = expectStatus(await staff.post(`${base}/kiosk-tickets`, { name: '张' }, kk), 201).json;
    const s2 = expectStatus(await staff.post(`${base}/kiosk-tickets`, { name: '张' }, kk), 201).json;
    assert.deepEqual(s2, s1);
    assert.equal(s1.number, 3);
    assert.equal(expectStatus(await staff.post(`${base}/kiosk-tickets`, {}), 201).json.number, 4);
    // Call-next retried with its key calls one number, not two.
    const ck = { headers: { 'idempotency-key': 'call-1' } };
    const n1 = expectStatus(await staff.request('POST', `${base}/call-next`, ck), 200).json;
    const n2 = expectStatus(await staff.request('POST', `${base}/call-next`, ck), 200).json;
    assert.equal(n2.number, n1.number);
    const queue = (await staff.get(`${base}/tickets`)).json.items;
    assert.deepEqual(queue.map((t) => [t.number, t.state]), [[1, 'called'], [2, 'waiting'], [3, 'waiting'], [4, 'waiting']]);
  } finally {
    await srv.stop();
  }
});

test('two takes at once by one person: one number, the other already_queued', async () => {
  const { srv, fair, w1, w2, staff } = await setup();
  try {
    const base = `/api/fairs/${fair.id}/booths/${fair.booths[4].id}`;
    for (let round = 0; round < 3; round++) {
      const both = await Promise.all([w1.post(`${base}/tickets`), w1.post(`${base}/tickets`)]);
      const statuses = both.map((r) => r.status).sort();
      assert.deepEqual(statuses, [201, 409], both.map((r) => r.text).join(' / '));
      assert.equal(both.find((r) => r.status === 409).json.error.code, 'already_queued');
      const c = expectStatus(await staff.post(`${base}/call-next`), 200).json;
      expectStatus(await staff.post(`/api/fair-tickets/${c.id}/done`), 200);
    }
    // Three numbers handed out, none lost to the refused takes.
    assert.equal(expectStatus(await w2.post(`${base}/tickets`), 201).json.number, 4);
  } finally {
    await srv.stop();
  }
});

test('race: 200 takes at once give exactly the numbers 1..200', async () => {
  const { srv, fair, staff } = await setup({ WARMHARBOR_CONN_PER_ADDRESS: '0' });
  try {
    const booth = fair.booths[5];
    const base = `/api/fairs/${fair.id}/booths/${booth.id}`;
    const workers = srv.users(Array.from({ length: 20 }, () => phone())).map((t) => srv.client(t));
    const takes = [
      ...workers.map((w) => () => w.post(`${base}/tickets`)),
      ...Array.from({ length: 180 }, (_, i) => () => staff.post(`${base}/kiosk-tickets`, { name: `K${i}` })),
    ];
    const answers = await Promise.all(takes.map((f) => f()));
    const bad = answers.filter((r) => r.status !== 201);
    assert.deepEqual(bad.map((r) => `${r.status} ${r.text}`), []);
    const numbers = answers.map((r) => r.json.number).sort((a, b) => a - b);
    assert.deepEqual(numbers, Array.from({ length: 200 }, (_, i) => i + 1));
    const line = (await srv.client().get(`/api/fairs/${fair.id}/board`)).json.booths.find((b) => b.id === booth.id);
    assert.equal(line.counts.taken, 200);
    assert.equal(line.counts.waiting, 200);
    assert.deepEqual(line.next, [1, 2, 3, 4, 5]);
    // Places agree with numbers: number n has n - 1 ahead.
    for (const r of answers.slice(0, 5)) {
      const t = (await staff.get(`/api/fair-tickets/${r.json.id}`)).json;
      assert.equal(t.ahead, t.number - 1);
    }
    // Twenty callers at once call twenty different numbers.
    const calls = await Promise.all(Array.from({ length: 20 }, () => staff.post(`${base}/call-next`)));
    assert.deepEqual(calls.map((r) => r.status).filter((s) => s !== 200), []);
    assert.deepEqual(calls.map((r) => r.json.number).sort((a, b) => a - b), Array.from({ length: 20 }, (_, i) => i + 1));
  } finally {
    await srv.stop();
  }
});

test('board events: every queue change is pushed live, until the board no longer changes; shutdown ends the stream', async () => {
  const { srv, fair, staff, w1, anon } = await setup();
  let stream;
  try {
    const booth = fair.booths[0];
    stream = await openStream(`${srv.base}/api/fairs/${fair.id}/board/events`);
    assert.equal(stream.res.status, 200);
    assert.match(stream.res.headers.get('content-type'), /^text\/event-stream/);
    const t = expectStatus(await w1.post(`/api/fairs/${fair.id}/booths/${booth.id}/tickets`), 201).json;
    const ev = await stream.waitFor((e) => e.event === 'booth' && e.data.next.includes(t.number), 'booth event');
    assert.equal(ev.data.id, booth.id);
    assert.equal(ev.data.fair_id, fair.id);
    assert.equal(ev.data.counts.waiting, 1);
    expectStatus(await staff.post(`/api/fairs/${fair.id}/booths/${booth.id}/call-next`), 200);
    await stream.waitFor((e) => e.event === 'booth' && e.data.serving.includes(t.number), 'serving event');
    // Another fair's changes do not reach this stream.
    const at1 = await makeFair(srv.client(ADMIN_TOKEN), fair.site_id, { state: 'open' });
    expectStatus(await w1.post(`/api/fairs/${at1.id}/booths/${at1.booths[0].id}/tickets`), 201);
    await sleep(200);
    assert.ok(stream.events.every((e) => e.data.fair_id === fair.id || e.data.id === fair.id), JSON.stringify(stream.events));
    // Closing the fair is pushed; the numbers left are still served live.
    expectStatus(await staff.patch(`/api/fairs/${fair.id}`, { state: 'closed' }), 200);
    await stream.waitFor((e) => e.event === 'fair' && e.data.state === 'closed', 'fair event');
    expectStatus(await staff.post(`/api/fair-tickets/${t.id}/done`), 200);
    await stream.waitFor((e) => e.event === 'booth' && e.data.counts.done === 1, 'done event after closing');
    assert.equal(stream.ended, false);
    stream.close();
    // A fair whose board no longer changes has no live board.
    const past = await makeFair(staff, fair.site_id, { starts_at: iso('2025-03-30', '09:00'), ends_at: iso('2025-03-30', '16:00') });
    expectStatus(await staff.patch(`/api/fairs/${past.id}`, { state: 'open' }), 200);
    const pastStream = await openStream(`${srv.base}/api/fairs/${past.id}/board/events`);
    assert.equal(pastStream.res.status, 200, 'open is open, whatever the date');
    pastStream.close();
    expectStatus(await staff.patch(`/api/fairs/${past.id}`, { state: 'closed' }), 200);
    assertError(await anon.get(`/api/fairs/${past.id}/board/events`), 409, 'fair_ended');
    const gone = await makeFair(staff, fair.site_id);
    expectStatus(await staff.patch(`/api/fairs/${gone.id}`, { state: 'cancelled' }), 200);
    assertError(await anon.get(`/api/fairs/${gone.id}/board/events`), 409, 'fair_ended');
    assertError(await anon.get('/api/fairs/999999/board/events'), 404, 'not_found');

    // Shutdown ends an open board stream at once, not after the grace period.
    stream = await openStream(`${srv.base}/api/fairs/${at1.id}/board/events`);
    assert.equal(stream.res.status, 200);
    const t0 = Date.now();
    const res = await srv.stop();
    assert.equal(res.code, 0);
    assert.ok(await stream.waitEnd(1000), 'the board stream ended at shutdown');
    assert.ok(Date.now() - t0 < 5000, `shutdown took ${Date.now() - t0} ms with a board open`);
  } finally {
    stream?.close();
    await srv.stop();
  }
});
