// Supplies with expiry (the supply module): the catalogue, restock and
// use by batch (those expiring first are used first), minimums and the
// alerts they raise, the log of who did what, a region's needs, and the
// rules no one may bend: quantities never below zero, even with many uses
// at once; staff reach only their own site, whatever its number; a
// replayed use takes once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, ADMIN_TOKEN, expectStatus, assertError } from './lib/server.mjs';

const ENV = { WARMHARBOR_TEST_CLOCK: '1', WARMHARBOR_TICK_S: '3600' };

/** yyyy-mm-dd, days after (or before) the date d (yyyy-mm-dd). */
function plus(d, days) {
  const t = new Date(`${d}T00:00:00Z`);
  t.setUTCDate(t.getUTCDate() + days);
  return t.toISOString().slice(0, 10);
}

async function setup(env = {}) {
  const srv = await startServer({ demo: true, env: { ...ENV, ...env } });
  const admin = srv.client(ADMIN_TOKEN);
  // A new Warm Hut of our own in HZ-XN-01: it holds nothing yet.
  const made = await admin.post('/api/sites', {
    name_zh: '测试暖新小屋', type: 'warm_hut', region: 'HZ-XN-01', position: { lat: 34.575, lon: 119.2 },
  });
  assert.equal(made.status, 201, made.text);
  const site = made.json.id;
  const idOf = async (tok) => (await srv.client(tok).get('/api/me')).json.id;
  const grant = async (tok, role, kind, ref) => {
    const res = await admin.post(`/api/users/${await idOf(tok)}/roles`, { role, scope_kind: kind, scope_ref: String(ref) });
    assert.equal(res.status, 201, res.text);
  };
  const t = {
    staff: srv.user('13955550001'), staffOne: srv.user('13955550002'), worker: srv.user('13955550003'),
    regionIn: srv.user('13955550004'), regionOut: srv.user('13955550005'), staff2: srv.user('13955550006'),
  };
  await grant(t.staff, 'staff', 'site', site);
  await grant(t.staff2, 'staff', 'site', site);
  await grant(t.staffOne, 'staff', 'site', 1);
  await grant(t.regionIn, 'region_admin', 'region', 'HZ-XN');
  await grant(t.regionOut, 'region_admin', 'region', 'HZ-HZ');
  const c = Object.fromEntries(Object.entries(t).map(([k, v]) => [k, srv.client(v)]));
  const today = (await c.staff.get(`/api/sites/${site}/supplies`)).json.today;
  return { srv, admin, site, today, staffId: await idOf(t.staff), ...c };
}

const holding = (view, item) => view.items.find((x) => x.item === item);

test('supplies: the catalogue is public', async () => {
  const srv = await startServer({ demo: false });
  try {
    const res = expectStatus(await srv.client().get('/api/supply-items'), 200);
    const codes = res.json.items.map((x) => x.code);
    for (const c of ['cold_medicine', 'plasters', 'disinfectant', 'drinking_water', 'rain_poncho', 'gauze'])
      assert.ok(codes.includes(c), c);
    const poncho = res.json.items.find((x) => x.code === 'rain_poncho');
    assert.equal(poncho.expires, false);
    assert.equal(poncho.name_zh, '一次性雨衣');
    assert.equal(res.json.items.find((x) => x.code === 'plasters').kit, true);
  } finally {
    await srv.stop();
  }
});

test('supplies: restock, use the batch expiring first, minimums and alerts, the log', async () => {
  const { srv, site, today, staff, staff2, staffId } = await setup();
  try {
    const empty = expectStatus(await staff.get(`/api/sites/${site}/supplies`), 200).json;
    assert.deepEqual(empty.items, []);
    assert.deepEqual(empty.alerts, { low: 0, expiring: 0, expired: 0 });
    assert.equal(empty.expiring_days, 30);

    let h = expectStatus(await staff.put(`/api/sites/${site}/supplies/cold_medicine`, { minimum: 5 }), 200).json;
    assert.equal(h.item, 'cold_medicine');
    assert.equal(h.minimum, 5);
    assert.equal(h.quantity, 0);
    assert.equal(h.low, true);
    assert.deepEqual(h.alerts, ['low']);

    const soon = plus(today, 10);
    const later = plus(today, 200);
    h = expectStatus(await staff.post(`/api/sites/${site}/supplies/restock`, { item: 'cold_medicine', quantity: 4, expires_on: soon }), 200).json;
    assert.equal(h.quantity, 4);
    h = expectStatus(await staff2.post(`/api/sites/${site}/supplies/restock`, { item: 'cold_medicine', quantity: 3, expires_on: later, note: '街道配发' }), 200).json;
    assert.equal(h.quantity, 7);
    assert.equal(h.expiring, 4);
    assert.equal(h.low, false);
    assert.equal(h.next_expiry, soon);
    assert.deepEqual(h.alerts, ['expiring']);
    assert.deepEqual(h.batches.map((b) => [b.expires_on, b.quantity, b.state, b.days_left]),
      [[soon, 4, 'expiring', 10], [later, 3, 'ok', 200]]);
    // The same date again grows that batch.
    h = expectStatus(await staff.post(`/api/sites/${site}/supplies/restock`, { item: 'cold_medicine', quantity: 1, expires_on: soon }), 200).json;
    assert.deepEqual(h.batches.map((b) => b.quantity), [5, 3]);

    // A use takes from the batch that expires first, then the next.
    h = expectStatus(await staff.post(`/api/sites/${site}/supplies/use`, { item: 'cold_medicine', quantity: 6 }), 200).json;
    assert.deepEqual(h.batches.map((b) => [b.expires_on, b.quantity]), [[later, 2]]);
    assert.equal(h.quantity, 2);
    assert.equal(h.low, true);
    assertError(await staff.post(`/api/sites/${site}/supplies/use`, { item: 'cold_medicine', quantity: 3 }), 409, 'insufficient_stock', 'quantity');
    assertError(await staff.post(`/api/sites/${site}/supplies/use`, { item: 'cold_medicine', quantity: 1, reason: 'expired' }), 409, 'insufficient_stock', 'quantity');
    assert.equal(holding((await staff.get(`/api/sites/${site}/supplies`)).json, 'cold_medicine').quantity, 2, 'a refused use took nothing');

    // Ponchos do not expire.
    h = expectStatus(await staff.post(`/api/sites/${site}/supplies/restock`, { item: 'rain_poncho', quantity: 20 }), 200).json;
    assert.deepEqual(h.batches, [{ quantity: 20, state: 'ok', expires_on: null, days_left: null }]);
    h = expectStatus(await staff.post(`/api/sites/${site}/supplies/use`, { item: 'rain_poncho', quantity: 2, reason: 'damaged' }), 200).json;
    assert.equal(h.quantity, 18);

    const view = (await staff.get(`/api/sites/${site}/supplies`)).json;
    assert.deepEqual(view.items.map((x) => x.item), ['cold_medicine', 'rain_poncho'], 'in catalogue order');
    assert.deepEqual(view.alerts, { low: 1, expiring: 0, expired: 0 });

    const log = expectStatus(await staff.get(`/api/sites/${site}/supplies/log`), 200).json;
    assert.deepEqual(log.items.map((e) => [e.item, e.delta, e.reason]), [
      ['rain_poncho', -2, 'damaged'], ['rain_poncho', 20, 'restock'],
      ['cold_medicine', -1, 'use'], ['cold_medicine', -5, 'use'],
      ['cold_medicine', 1, 'restock'], ['cold_medicine', 3, 'restock'], ['cold_medicine', 4, 'restock'],
    ]);
    assert.equal(log.items[0].by.id, staffId);
    assert.equal(log.items[5].note, '街道配发');
    assert.notEqual(log.items[5].by.id, staffId);
    assert.equal(log.items[2].expires_on, later);
    const page = (await staff.get(`/api/sites/${site}/supplies/log?limit=2`)).json;
    assert.equal(page.items.length, 2);
    const next = (await staff.get(`/api/sites/${site}/supplies/log?limit=2&before=${page.next_before}`)).json;
    assert.equal(next.items[0].id, log.items[2].id);
  } finally {
    await srv.stop();
  }
});

test('supplies: expired stock stops counting, is an alert, and is discarded as expired', async () => {
  const { srv, admin, site, today, staff } = await setup();
  try {
    await staff.put(`/api/sites/${site}/supplies/plasters`, { minimum: 10 });
    expectStatus(await staff.post(`/api/sites/${site}/supplies/restock`, { item: 'plasters', quantity: 12, expires_on: today }), 200);
    expectStatus(await staff.post(`/api/sites/${site}/supplies/restock`, { item: 'plasters', quantity: 8, expires_on: plus(today, 90) }), 200);
    let h = holding((await staff.get(`/api/sites/${site}/supplies`)).json, 'plasters');
    assert.equal(h.quantity, 20, 'usable through its date');
    expectStatus(await admin.post('/api/system/clock', { advance_s: 2 * 86400 }), 200);
    const view = (await staff.get(`/api/sites/${site}/supplies`)).json;
    h = holding(view, 'plasters');
    assert.equal(h.quantity, 8);
    assert.equal(h.expired, 12);
    assert.equal(h.low, true);
    assert.deepEqual(h.alerts, ['low', 'expired']);
    assert.equal(h.batches[0].state, 'expired');
    assert.equal(h.batches[0].days_left, -2);
    // A use never hands out expired stock.
    assertError(await staff.post(`/api/sites/${site}/supplies/use`, { item: 'plasters', quantity: 9 }), 409, 'insufficient_stock', 'quantity');
    h = expectStatus(await staff.post(`/api/sites/${site}/supplies/use`, { item: 'plasters', quantity: 12, reason: 'expired' }), 200).json;
    assert.equal(h.expired, 0);
    assert.equal(h.quantity, 8);
    assert.deepEqual(h.alerts, ['low']);
    // A batch past its date cannot be stocked.
    assertError(await staff.post(`/api/sites/${site}/supplies/restock`, { item: 'plasters', quantity: 1, expires_on: today }), 422, 'already_expired', 'expires_on');
  } finally {
    await srv.stop();
  }
});

test('supplies: every wrong field is named', async () => {
  const { srv, site, today, staff } = await setup();
  try {
    const restock = (b) => staff.post(`/api/sites/${site}/supplies/restock`, b);
    const use = (b) => staff.post(`/api/sites/${site}/supplies/use`, b);
    const soon = plus(today, 5);
    assertError(await restock({ item: 'unicorn', quantity: 1, expires_on: soon }), 422, 'unknown_item', 'item');
    assertError(await restock({ quantity: 1 }), 422, 'missing_field', 'item');
    assertError(await restock({ item: 'gauze', quantity: 0, expires_on: soon }), 422, 'invalid_field', 'quantity');
    assertError(await restock({ item: 'gauze', quantity: 10001, expires_on: soon }), 422, 'invalid_field', 'quantity');
    assertError(await restock({ item: 'gauze', quantity: -3, expires_on: soon }), 422, 'invalid_field', 'quantity');
    assertError(await restock({ item: 'gauze', expires_on: soon }), 422, 'missing_field', 'quantity');
    assertError(await restock({ item: 'gauze', quantity: 1 }), 422, 'missing_field', 'expires_on');
    assertError(await restock({ item: 'gauze', quantity: 1, expires_on: null }), 422, 'missing_field', 'expires_on');
    assertError(await restock({ item: 'gauze', quantity: 1, expires_on: '2026-02-30' }), 422, 'invalid_field', 'expires_on');
    assertError(await restock({ item: 'gauze', quantity: 1, expires_on: plus(today, -1) }), 422, 'already_expired', 'expires_on');
    assertError(await restock({ item: 'rain_poncho', quantity: 1, expires_on: soon }), 422, 'invalid_field', 'expires_on');
    assertError(await restock({ item: 'gauze', quantity: 1, expires_on: soon, note: 'x'.repeat(301) }), 422, 'too_long', 'note');
    assertError(await restock({ item: 'gauze', quantity: 1, expires_on: soon, batch: 2 }), 422, 'unknown_field', 'batch');
    assertError(await use({ item: 'gauze', quantity: 1, reason: 'lost' }), 422, 'invalid_field', 'reason');
    assertError(await use({ item: 'gauze' }), 422, 'missing_field', 'quantity');
    assertError(await use({ item: 'nope', quantity: 1 }), 422, 'unknown_item', 'item');
    assertError(await staff.put(`/api/sites/${site}/supplies/nope`, { minimum: 1 }), 404, 'not_found');
    assertError(await staff.put(`/api/sites/${site}/supplies/gauze`, { minimum: -1 }), 422, 'invalid_field', 'minimum');
    assertError(await staff.put(`/api/sites/${site}/supplies/gauze`, {}), 422, 'missing_field', 'minimum');
    assertError(await staff.get(`/api/sites/${site}/supplies/log?limit=500`), 400, 'invalid_query', 'limit');
    assertError(await staff.get('/api/sites/999999/supplies'), 404, 'not_found');
  } finally {
    await srv.stop();
  }
});

test('supplies: staff of another site, workers and anonymous callers are refused; needs are for region admins', async () => {
  const { srv, site, today, staff, staffOne, worker, regionIn, regionOut } = await setup();
  try {
    const anon = srv.client();
    const calls = [
      (c) => c.get(`/api/sites/${site}/supplies`),
      (c) => c.post(`/api/sites/${site}/supplies/restock`, { item: 'gauze', quantity: 1, expires_on: plus(today, 9) }),
      (c) => c.post(`/api/sites/${site}/supplies/use`, { item: 'gauze', quantity: 1 }),
      (c) => c.put(`/api/sites/${site}/supplies/gauze`, { minimum: 1 }),
      (c) => c.get(`/api/sites/${site}/supplies/log`),
    ];
    for (const call of calls) {
      assert.equal((await call(anon)).status, 401);
      assertError(await call(worker), 403, 'forbidden');
      assertError(await call(staffOne), 403, 'out_of_scope');
      assertError(await call(regionOut), 403, 'out_of_scope');
      assert.ok([200].includes((await call(regionIn)).status));
    }
    assertError(await staffOne.get('/api/sites/1/supplies/use'), 405, 'method_not_allowed');

    // Our site is short of cold medicine and holds gauze expiring soon.
    await staff.put(`/api/sites/${site}/supplies/cold_medicine`, { minimum: 4 });
    await staff.post(`/api/sites/${site}/supplies/restock`, { item: 'cold_medicine', quantity: 1, expires_on: plus(today, 100) });
    await staff.post(`/api/sites/${site}/supplies/restock`, { item: 'gauze', quantity: 1, expires_on: plus(today, 9) });
    const needs = expectStatus(await regionIn.get('/api/regions/HZ-XN/supplies/needs'), 200).json;
    assert.equal(needs.region.code, 'HZ-XN');
    assert.equal(needs.today, today);
    const ours = needs.sites.find((s) => s.site.id === site);
    assert.ok(ours, 'our site needs something');
    assert.equal(ours.site.region, 'HZ-XN-01');
    const cm = ours.needs.find((n) => n.item === 'cold_medicine');
    assert.deepEqual([cm.quantity, cm.minimum, cm.short, cm.alerts], [1, 4, 3, ['low']]);
    assert.ok(ours.needs.find((n) => n.item === 'gauze' && n.expiring === 1));
    assert.ok(needs.sites.every((s) => s.site.region.startsWith('HZ-XN-')), 'only the subtree');
    assert.ok(needs.sites.every((s) => s.needs.length > 0), 'only sites that need something');
    assert.ok(needs.sites.length > 1, 'the demo stations need things too');
    const total = needs.totals.find((x) => x.item === 'cold_medicine');
    assert.ok(total.short >= 3 && total.sites >= 1);
    const comm = (await regionIn.get('/api/regions/HZ-XN-01/supplies/needs')).json;
    assert.ok(comm.sites.length <= needs.sites.length);

    assertError(await regionOut.get('/api/regions/HZ-XN/supplies/needs'), 403, 'out_of_scope');
    assertError(await regionIn.get('/api/regions/HZ/supplies/needs'), 403, 'out_of_scope');
    assertError(await staff.get('/api/regions/HZ-XN-01/supplies/needs'), 403, 'forbidden');
    assertError(await worker.get('/api/regions/HZ-XN-01/supplies/needs'), 403, 'forbidden');
    assert.equal((await anon.get('/api/regions/HZ-XN-01/supplies/needs')).status, 401);
    assertError(await srv.client(ADMIN_TOKEN).get('/api/regions/NOPE/supplies/needs'), 404, 'not_found');
  } finally {
    await srv.stop();
  }
});

test('supplies: a replayed use takes once; many uses at once never take more than there is', async () => {
  const { srv, site, today, staff, staff2 } = await setup({ WARMHARBOR_CONN_PER_ADDRESS: '0' });
  try {
    const exp = plus(today, 60);
    expectStatus(await staff.post(`/api/sites/${site}/supplies/restock`, { item: 'drinking_water', quantity: 6, expires_on: exp }), 200);
    expectStatus(await staff.post(`/api/sites/${site}/supplies/restock`, { item: 'drinking_water', quantity: 6, expires_on: plus(today, 61) }), 200);
    const key = { headers: { 'idempotency-key': 'use-water-1' } };
    const first = expectStatus(await staff.post(`/api/sites/${site}/supplies/use`, { item: 'drinking_water', quantity: 2 }, key), 200);
    const again = expectStatus(await staff.post(`/api/sites/${site}/supplies/use`, { item: 'drinking_water', quantity: 2 }, key), 200);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.deepEqual(again.json, first.json);
    assert.equal(holding((await staff.get(`/api/sites/${site}/supplies`)).json, 'drinking_water').quantity, 10);

    // Ten bottles left in two batches; thirty people take one each at once.
    const all = await Promise.all(Array.from({ length: 30 }, (_, i) =>
      (i % 2 ? staff : staff2).post(`/api/sites/${site}/supplies/use`, { item: 'drinking_water', quantity: 1 })));
    const ok = all.filter((r) => r.status === 200).length;
    const short = all.filter((r) => r.status === 409);
    assert.equal(ok, 10, all.map((r) => r.status).join());
    assert.equal(short.length, 20);
    assert.ok(short.every((r) => r.json.error.code === 'insufficient_stock'));
    const h = holding((await staff.get(`/api/sites/${site}/supplies`)).json, 'drinking_water');
    assert.equal(h.quantity, 0, 'an item run out is still listed');
    assert.deepEqual(h.batches, []);
    const log = (await staff.get(`/api/sites/${site}/supplies/log?limit=200`)).json.items;
    assert.equal(log.filter((e) => e.reason === 'use').reduce((s, e) => s - e.delta, 0), 12);
  } finally {
    await srv.stop();
  }
});

test('supplies: my log entries are in my export; erasing me keeps the entries, not my name', async () => {
  const { srv, site, today, staff, staff2, staffId } = await setup();
  try {
    expectStatus(await staff.post(`/api/sites/${site}/supplies/restock`, { item: 'gauze', quantity: 3, expires_on: plus(today, 30) }), 200);
    const exp = expectStatus(await staff.get('/api/me/export'), 200).json;
    assert.deepEqual(exp.supply.log_entries.map((e) => [e.site_id, e.item, e.delta]), [[site, 'gauze', 3]]);
    expectStatus(await staff.del('/api/me?confirm=1'), 204);
    const log = (await staff2.get(`/api/sites/${site}/supplies/log`)).json.items;
    assert.equal(log.length, 1);
    assert.equal(log[0].by, null);
    assert.equal(log[0].delta, 3);
    assert.ok(staffId);
  } finally {
    await srv.stop();
  }
});
