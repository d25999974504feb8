// Faults at a site (the fault module): report, list, fix; the live status
// follows; staff reach only their own sites' faults, whatever the number
// in the path; Idempotency-Key makes a retried report harmless.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, ADMIN_TOKEN, assertErrorShape } from './lib/server.mjs';

async function setup(env = {}) {
  const srv = await startServer({ demo: true, env });
  const admin = srv.client(ADMIN_TOKEN);
  const sites = (await admin.get('/api/sites?limit=1000&amenity=microwave')).json.items;
  // Site A: has a microwave and is not site 1, so the first fault (id 1)
  // and site 1 are different objects with the same number.
  const a = sites.find((s) => s.id !== 1);
  const staffA = srv.user('13922220001');
  const staffOne = srv.user('13922220002');
  const worker = srv.user('13922220003');
  const idOf = async (tok) => (await srv.client(tok).get('/api/me')).json.id;
  for (const [tok, site] of [[staffA, a.id], [staffOne, 1]]) {
    const res = await admin.post(`/api/users/${await idOf(tok)}/roles`, { role: 'staff', scope_kind: 'site', scope_ref: String(site) });
    assert.equal(res.status, 201, res.text);
  }
  return { srv, admin, a, staffA: srv.client(staffA), staffOne: srv.client(staffOne), worker: srv.client(worker) };
}

const microwave = (status) => status.amenities.find((x) => x.code === 'microwave');

test('faults: report, the map shows it out of order, fix brings it back', async () => {
  const { srv, a, staffA, worker } = await setup();
  try {
    const anon = srv.client();
    assert.equal((await anon.post(`/api/sites/${a.id}/faults`, { amenity: 'microwave' })).status, 401);
    const w = await worker.post(`/api/sites/${a.id}/faults`, { amenity: 'microwave' });
    assert.equal(w.status, 403);
    assert.equal(w.json.error.code, 'forbidden');

    const res = await staffA.post(`/api/sites/${a.id}/faults`, { amenity: 'microwave', note: '不加热' });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.json.state, 'open');
    assert.equal(res.json.site_id, a.id);
    assert.equal(res.headers.get('location'), `/api/faults/${res.json.id}`);
    const fid = res.json.id;
    assert.equal(microwave((await anon.get(`/api/sites/${a.id}/status`)).json).working, false);
    const near = await anon.get(`/api/sites/${a.id}`);
    assert.equal(near.json.live.amenities.find((x) => x.code === 'microwave').working, false);

    const again = await staffA.post(`/api/sites/${a.id}/faults`, { amenity: 'microwave' });
    assert.equal(again.status, 409);
    assert.equal(again.json.error.code, 'already_reported');
    assertErrorShape(again);

    const none = await staffA.post(`/api/sites/${a.id}/faults`, { amenity: 'no_such_thing' });
    assert.equal(none.status, 422);
    assert.equal(none.json.error.code, 'amenity_not_at_site');
    assert.equal(none.json.error.field, 'amenity');
    const extra = await staffA.post(`/api/sites/${a.id}/faults`, { amenity: 'microwave', when: 1 });
    assert.equal(extra.status, 422);

    const list = await staffA.get(`/api/sites/${a.id}/faults?state=open`);
    assert.deepEqual(list.json.items.map((f) => f.id), [fid]);
    assert.equal((await staffA.get(`/api/sites/${a.id}/faults?state=broken`)).status, 400);

    const fixed = await staffA.post(`/api/faults/${fid}/fix`, { note: '换了保险丝' });
    assert.equal(fixed.status, 200, fixed.text);
    assert.equal(fixed.json.state, 'fixed');
    assert.equal(fixed.json.fix_note, '换了保险丝');
    assert.equal(microwave((await anon.get(`/api/sites/${a.id}/status`)).json).working, true);
    const twice = await staffA.post(`/api/faults/${fid}/fix`, {});
    assert.equal(twice.status, 409);
    assert.equal(twice.json.error.code, 'not_open');
    assert.equal((await staffA.get('/api/faults/999999')).status, 404);
  } finally {
    await srv.stop();
  }
});

test('faults: staff of site 1 cannot act on fault 1 of another site', async () => {
  const { srv, a, staffA, staffOne } = await setup();
  try {
    const res = await staffA.post(`/api/sites/${a.id}/faults`, { amenity: 'microwave' });
    assert.equal(res.status, 201);
    assert.equal(res.json.id, 1, 'the first fault has the number of site 1');
    for (const r of [await staffOne.get('/api/faults/1'), await staffOne.post('/api/faults/1/fix', {})]) {
      assert.equal(r.status, 403);
      assert.equal(r.json.error.code, 'out_of_scope');
    }
    assert.equal((await staffOne.get(`/api/sites/${a.id}/faults`)).status, 403);
    assert.equal((await staffA.get('/api/faults/1')).status, 200);
    // Site 1's own list does not show another site's fault.
    assert.deepEqual((await staffOne.get('/api/sites/1/faults')).json.items, []);
  } finally {
    await srv.stop();
  }
});

test('faults: Idempotency-Key replays the first answer and never reports twice', async () => {
  const { srv, a, staffA } = await setup();
  try {
    const key = { headers: { 'idempotency-key': 'report-microwave-1' } };
    const first = await staffA.post(`/api/sites/${a.id}/faults`, { amenity: 'microwave' }, key);
    assert.equal(first.status, 201);
    const retry = await staffA.post(`/api/sites/${a.id}/faults`, { amenity: 'microwave' }, key);
    assert.equal(retry.status, 201, 'a retry gets the first answer, not 409');
    assert.equal(retry.headers.get('idempotent-replayed'), 'true');
    assert.deepEqual(retry.json, first.json);
    const other = await staffA.post(`/api/sites/${a.id}/faults`, { amenity: 'microwave', note: 'x' }, key);
    assert.equal(other.status, 422);
    assert.equal(other.json.error.code, 'idempotency_key_reused');
    assert.equal(other.json.error.field, 'Idempotency-Key');
    const bad = await staffA.post(`/api/sites/${a.id}/faults`, { amenity: 'microwave' }, { headers: { 'idempotency-key': 'a b' } });
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error.code, 'invalid_header');

    // Two at once with one key: one report, and both answers say so.
    const amenity = a.amenities.map((x) => x.code).find((c) => c !== 'microwave');
    const k2 = { headers: { 'idempotency-key': 'race-1' } };
    const both = await Promise.all([1, 2].map(() => staffA.post(`/api/sites/${a.id}/faults`, { amenity }, k2)));
    const statuses = both.map((r) => r.status).sort();
    assert.ok(statuses[0] === 201, `one report was made: ${statuses}`);
    assert.ok([201, 409].includes(statuses[1]), `the other is the replay or "in progress": ${statuses}`);
    if (statuses[1] === 409) assert.equal(both.find((r) => r.status === 409).json.error.code, 'idempotency_in_progress');
    const open = (await staffA.get(`/api/sites/${a.id}/faults?state=open`)).json.items;
    assert.equal(open.filter((f) => f.amenity === amenity).length, 1);
    // Keys belong to their caller: another person's same key is a new request.
    const admin = srv.client(ADMIN_TOKEN);
    const fixA = await admin.post(`/api/faults/${first.json.id}/fix`, {}, { headers: { 'idempotency-key': 'report-microwave-1' } });
    assert.equal(fixA.status, 200);
  } finally {
    await srv.stop();
  }
});

test('system: the test clock moves only where WARMHARBOR_TEST_CLOCK=1, for system admins', async () => {
  const off = await startServer();
  try {
    const r = await off.client(ADMIN_TOKEN).post('/api/system/clock', { advance_s: 60 });
    assert.equal(r.status, 404, 'no clock to move in production');
  } finally {
    await off.stop();
  }
  const { srv, a, staffA } = await setup({ WARMHARBOR_TEST_CLOCK: '1' });
  try {
    assert.equal((await staffA.post('/api/system/clock', { advance_s: 60 })).status, 403);
    assert.equal((await srv.client().post('/api/system/clock', { advance_s: 60 })).status, 401);
    const admin = srv.client(ADMIN_TOKEN);
    const bad = await admin.post('/api/system/clock', { advance_s: -5 });
    assert.equal(bad.status, 422);
    assert.equal(bad.json.error.field, 'advance_s');
    const before = Date.parse((await staffA.post(`/api/sites/${a.id}/faults`, { amenity: 'microwave' })).json.reported_at);
    const moved = await admin.post('/api/system/clock', { advance_s: 3 * 86400 });
    assert.equal(moved.status, 200);
    const later = await staffA.post(`/api/faults/1/fix`, {});
    assert.ok(Date.parse(later.json.fixed_at) - before >= 3 * 86400 * 1000, 'the fix is three days later');
  } finally {
    await srv.stop();
  }
});
