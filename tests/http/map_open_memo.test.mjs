// The map's open state is memoised where it is decided (site_cache.c):
// sites in service share their hours' memo, sites closed for good share
// one, a closure with an end has its own, and the map filter reads them
// through a dense array by cache slot. Whatever a query memoised before,
// near (with and without open=1) must agree with GET /api/sites/{id}
// (computed from the store) as the time moves over a change to the
// minute, back again, and after hours edits, closures with an end,
// removal and a return to service of sites sharing one hours text.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, ADMIN_TOKEN, expectStatus } from './lib/server.mjs';

const LAT = 44.0301;
const LON = 84.0301;
const HOURS = 'Mo-Su 08:00-18:00';
let srv, anon, admin;
const ids = [];

before(async () => {
  srv = await startServer({ demo: true });
  anon = srv.client();
  admin = srv.client(ADMIN_TOKEN);
  for (let i = 0; i < 3; i++) {
    const res = await admin.post('/api/sites', {
      name_zh: `备忘测试站${i}`, type: 'warm_hut', position: { lat: LAT + i * 0.0001, lon: LON },
      opening_hours: HOURS, amenities: { microwave: 1 },
    });
    assert.equal(res.status, 201);
    ids.push(res.json.id);
  }
});
after(async () => { await srv?.stop(); });

const at = (t) => encodeURIComponent(t);

/** near at t, with and without open=1, against each site's own answer. */
async function check(t, what) {
  const all = expectStatus(await anon.get(`/api/sites/near?lat=${LAT}&lon=${LON}&k=20&radius_m=500&at=${at(t)}`), 200).json.items;
  const open = expectStatus(await anon.get(`/api/sites/near?lat=${LAT}&lon=${LON}&k=20&radius_m=500&open=1&at=${at(t)}`), 200).json.items;
  const state = {};
  for (const id of ids) {
    const one = expectStatus(await anon.get(`/api/sites/${id}?at=${at(t)}`), 200).json;
    const item = all.find((s) => s.id === id);
    if (one.status === 'removed') {
      assert.equal(item, undefined, `${what}: removed site ${id} is not on the map`);
      state[id] = 'removed';
      continue;
    }
    assert.ok(item, `${what}: site ${id} on the map`);
    assert.equal(item.open, one.open, `${what}: site ${id} open`);
    assert.equal(item.next_change, one.next_change, `${what}: site ${id} next_change`);
    assert.equal(open.some((s) => s.id === id), one.open, `${what}: site ${id} in open=1`);
    state[id] = one.open ? 'open' : 'closed';
  }
  return ids.map((id) => state[id]);
}

test('the minute rolling over a change, and back, for sites sharing their hours', async () => {
  assert.deepEqual(await check('2026-12-09T07:59:30+08:00', 'before opening'), ['closed', 'closed', 'closed']);
  assert.deepEqual(await check('2026-12-09T07:59:59+08:00', 'the last second'), ['closed', 'closed', 'closed']);
  assert.deepEqual(await check('2026-12-09T08:00:00+08:00', 'opening'), ['open', 'open', 'open']);
  assert.deepEqual(await check('2026-12-09T17:59:00+08:00', 'before closing'), ['open', 'open', 'open']);
  assert.deepEqual(await check('2026-12-09T18:00:00+08:00', 'closing'), ['closed', 'closed', 'closed']);
  assert.deepEqual(await check('2026-12-09T07:59:00+08:00', 'back in time'), ['closed', 'closed', 'closed']);
});

test('one site of a shared hours text edited, closed until a time, removed, back', async () => {
  expectStatus(await admin.patch(`/api/sites/${ids[1]}`, { opening_hours: 'Mo-Su 07:00-08:00' }), 200);
  assert.deepEqual(await check('2026-12-09T07:59:30+08:00', 'edited hours'), ['closed', 'open', 'closed']);
  assert.deepEqual(await check('2026-12-09T08:00:00+08:00', 'edited hours at 08:00'), ['open', 'closed', 'open']);

  expectStatus(await admin.patch(`/api/sites/${ids[2]}`, {
    status: 'temporarily_closed', status_reason: '停电', status_until: '2026-12-09T09:00:00+08:00',
  }), 200);
  assert.deepEqual(await check('2026-12-09T08:30:00+08:00', 'closed until 09:00'), ['open', 'closed', 'closed']);
  assert.deepEqual(await check('2026-12-09T09:00:00+08:00', 'the closure ended'), ['open', 'closed', 'open']);
  assert.deepEqual(await check('2026-12-09T08:59:00+08:00', 'the closure again'), ['open', 'closed', 'closed']);

  expectStatus(await admin.patch(`/api/sites/${ids[0]}`, { status: 'removed' }), 200);
  assert.deepEqual(await check('2026-12-09T08:30:00+08:00', 'removed'), ['removed', 'closed', 'closed']);
  expectStatus(await admin.patch(`/api/sites/${ids[0]}`, { status: 'operational' }), 200);
  assert.deepEqual(await check('2026-12-09T08:30:00+08:00', 'back in service'), ['open', 'closed', 'closed']);

  expectStatus(await admin.patch(`/api/sites/${ids[2]}`, { status: 'closed', status_until: null, status_reason: null }), 200);
  assert.deepEqual(await check('2026-12-09T10:00:00+08:00', 'closed for good'), ['open', 'closed', 'closed']);
  expectStatus(await admin.patch(`/api/sites/${ids[1]}`, { opening_hours: HOURS }), 200);
  assert.deepEqual(await check('2026-12-09T10:00:00+08:00', 'hours shared again'), ['open', 'open', 'closed']);
});

test('a holiday added forgets the shared memos', async () => {
  assert.deepEqual(await check('2026-12-16T10:00:00+08:00', 'a Wednesday'), ['open', 'open', 'closed']);
  expectStatus(await admin.patch(`/api/sites/${ids[0]}`, { opening_hours: 'Mo-Su 08:00-18:00; PH off' }), 200);
  expectStatus(await admin.patch(`/api/sites/${ids[1]}`, { opening_hours: 'Mo-Su 08:00-18:00; PH off' }), 200);
  assert.deepEqual(await check('2026-12-16T10:00:00+08:00', 'PH off, no holiday'), ['open', 'open', 'closed']);
  expectStatus(await admin.put('/api/holidays/2026-12-16', { kind: 'holiday', name_en: 'Memo day' }), 200);
  assert.deepEqual(await check('2026-12-16T10:00:00+08:00', 'a holiday'), ['closed', 'closed', 'closed']);
  expectStatus(await admin.del('/api/holidays/2026-12-16'), 204);
  assert.deepEqual(await check('2026-12-16T10:00:00+08:00', 'the holiday gone'), ['open', 'open', 'closed']);
});
