// The map's service_category filter (near, bbox, clusters): the sites
// where an active service of a category, or of a category below it, is
// offered. Checked against a brute-force scan built from the service
// catalogue's own answers (/api/services?category=, which takes the
// subtree, and each service's locations), for a rare category (the cache
// scans its few sites) and a common one (the spatial index filters); the
// filter follows writes to services and their locations; bad codes are
// refused with the field at fault.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, ADMIN_TOKEN, assertError, expectStatus } from './lib/server.mjs';
import { rng, bruteNear, assertNearEqual } from './lib/near.mjs';

const AT = '2026-12-02T10:30:00+08:00'; // a Wednesday morning
const enc = encodeURIComponent;
let srv, anon, admin, all, categories;
const parents = new Map(); // category code -> its parent's

/** Every category code of the tree, parents before children. */
function codes(items, out = [], parent = null) {
  for (const c of items) {
    out.push(c.code);
    if (parent) parents.set(c.code, parent);
    codes(c.children || [], out, c.code);
  }
  return out;
}

/** The ids of the sites offering an active service of code's subtree. */
async function sitesOf(code) {
  const list = expectStatus(await anon.get(`/api/services?category=${code}&status=active&limit=100`), 200).json.items;
  const ids = new Set();
  for (const s of list) {
    const detail = expectStatus(await anon.get(`/api/services/${s.id}`), 200).json;
    for (const l of detail.locations) ids.add(l.site.id);
  }
  return ids;
}

const near = (p, k, extra = '') =>
  anon.get(`/api/sites/near?lat=${p.lat}&lon=${p.lon}&k=${k}&at=${enc(AT)}${extra}`);

before(async () => {
  srv = await startServer({ demo: true });
  anon = srv.client();
  admin = srv.client(ADMIN_TOKEN);
  all = expectStatus(await anon.get(`/api/sites?status=any&limit=1000&at=${enc(AT)}`), 200).json.items;
  categories = codes(expectStatus(await anon.get('/api/service-categories'), 200).json.items);
  assert.ok(all.length > 200 && categories.length > 10);
});
after(async () => { await srv?.stop(); });

/** Random near queries with the category and other filters, against the
 * brute-force answer. */
async function checkNear(code, only, seed, n) {
  const r = rng(seed);
  const types = [undefined, 'community_station', 'warm_hut'];
  for (let i = 0; i < n; i++) {
    const p = { lat: 34.52 + r() * 0.14, lon: 119.08 + r() * 0.24 };
    const k = 1 + Math.floor(r() * 12);
    const f = {
      type: types[Math.floor(r() * types.length)],
      open: r() < 0.4,
      radius: r() < 0.3 ? 500 + r() * 6000 : undefined,
      amenities: r() < 0.2 ? ['seats'] : [],
      only,
    };
    let q = `&service_category=${code}`;
    if (f.type) q += `&type=${f.type}`;
    if (f.open) q += '&open=1';
    if (f.radius) q += `&radius_m=${f.radius}`;
    if (f.amenities.length) q += `&amenity=${f.amenities.join(',')}`;
    const res = await near(p, k, q);
    assert.equal(res.status, 200, q);
    assertNearEqual(assert, res.json.items, bruteNear(all, p, k, f), `${JSON.stringify(p)} k=${k}${q}`);
    for (const s of res.json.items) assert.ok(only.has(s.id));
  }
}

test('near, bbox and clusters with service_category equal a brute-force scan, every category', async () => {
  const box = '118.9,34.4,119.5,34.8';
  const inBox = (s) => s.position.lon >= 118.9 && s.position.lon <= 119.5 &&
    s.position.lat >= 34.4 && s.position.lat <= 34.8 && s.status !== 'removed';
  let some = 0;
  for (const code of categories) {
    const only = await sitesOf(code);
    some += only.size > 0;
    await checkNear(code, only, code.length * 7919, 8);
    const want = all.filter((s) => only.has(s.id) && inBox(s)).map((s) => s.id).sort((a, b) => a - b);
    const bbox = expectStatus(await anon.get(`/api/sites?bbox=${box}&service_category=${code}&limit=1000`), 200).json;
    assert.equal(bbox.total, want.length, code);
    assert.deepEqual(bbox.items.map((s) => s.id), want, code);
    const cl = expectStatus(await anon.get(`/api/sites/clusters?bbox=${box}&zoom=12&service_category=${code}`), 200).json;
    assert.equal(cl.total, want.length, code);
  }
  assert.ok(some > 5, 'the demo offers services of several categories');
});

test('a category offered at many sites (the index path) and at few (the set scan) agree with brute force', async () => {
  // Put one haircut service at every third site: its category and the
  // category above it then cover far more than an eighth of the sites.
  const svc = expectStatus(await anon.get('/api/services?category=haircut&status=active&limit=1'), 200).json.items[0];
  const before = await sitesOf('haircut');
  const had = new Set(expectStatus(await anon.get(`/api/services/${svc.id}`), 200).json.locations.map((l) => l.site.id));
  const added = all.filter((s, i) => i % 3 === 0 && s.status !== 'removed' && !had.has(s.id));
  for (const s of added)
    expectStatus(await admin.put(`/api/services/${svc.id}/locations/${s.id}`, { opening_hours: 'Su 09:00-12:00' }), 201);
  const parent = parents.get('haircut');
  assert.ok(parent, 'haircut has a parent category');
  for (const code of ['haircut', parent]) {
    const only = await sitesOf(code);
    assert.ok(only.size * 8 > all.length, `${code}: ${only.size} of ${all.length} sites`);
    await checkNear(code, only, code.length, 60);
  }
  // The rarest category offered anywhere still scans its own few sites.
  let rare = null;
  for (const code of categories) {
    const only = await sitesOf(code);
    if (only.size > 0 && (!rare || only.size < rare.only.size)) rare = { code, only };
  }
  assert.ok(rare.only.size * 8 <= all.length);
  await checkNear(rare.code, rare.only, 11, 40);
  for (const s of added) expectStatus(await admin.del(`/api/services/${svc.id}/locations/${s.id}`), 204);
  // Taken away again: the set is what it was, and near says so.
  const after = await sitesOf('haircut');
  assert.deepEqual([...after].sort(), [...before].sort());
  await checkNear('haircut', after, 3, 10);
});

test('the filter follows writes: locations, status, category, deletion', async () => {
  const model = expectStatus(await anon.get('/api/services?category=health_check&status=active&limit=1'), 200).json.items[0];
  const taken = await sitesOf('health_check');
  const site = all.find((s) => s.status === 'operational' && !taken.has(s.id));
  const p = site.position;
  const first = async (code) => (await near(p, 1, `&service_category=${code}`)).json.items[0]?.id;
  const inBox = async (code) => {
    const b = `${p.lon - 0.0001},${p.lat - 0.0001},${p.lon + 0.0001},${p.lat + 0.0001}`;
    return expectStatus(await anon.get(`/api/sites?bbox=${b}&service_category=${code}`), 200).json.items.map((s) => s.id);
  };
  assert.notEqual(await first('health_check'), site.id);

  const svc = expectStatus(await admin.post('/api/services', {
    organization: model.organization.code, category: 'health_check', name_zh: '地图筛选测试', languages: ['zh'],
  }), 201).json;
  const loc = `/api/services/${svc.id}/locations/${site.id}`;
  expectStatus(await admin.put(loc, { opening_hours: 'Mo-Fr 09:00-17:00' }), 201);
  assert.equal(await first('health_check'), site.id);
  assert.ok((await inBox('health_check')).includes(site.id));
  assert.equal(await first(parents.get('health_check')), site.id, 'the parent category too');

  expectStatus(await admin.patch(`/api/services/${svc.id}`, { status: 'inactive' }), 200);
  assert.notEqual(await first('health_check'), site.id, 'an inactive service is not on offer');
  expectStatus(await admin.patch(`/api/services/${svc.id}`, { status: 'active' }), 200);
  assert.equal(await first('health_check'), site.id);

  expectStatus(await admin.patch(`/api/services/${svc.id}`, { category: 'haircut' }), 200);
  assert.notEqual(await first('health_check'), site.id, 'moved to another category');
  assert.equal(await first('haircut'), site.id);

  expectStatus(await admin.del(loc), 204);
  assert.notEqual(await first('haircut'), site.id);
  assert.deepEqual(await inBox('haircut'), []);

  expectStatus(await admin.put(loc, { opening_hours: 'Mo-Fr 09:00-17:00' }), 201);
  assert.equal(await first('haircut'), site.id);
  expectStatus(await admin.del(`/api/services/${svc.id}`), 204);
  assert.notEqual(await first('haircut'), site.id, 'a deleted service takes its sites with it');
});

test('service_category: unknown or malformed codes, and the list without bbox, are refused', async () => {
  for (const q of ['/api/sites/near?lat=34.6&lon=119.2', '/api/sites?bbox=119,34,120,35', '/api/sites/clusters?bbox=119,34,120,35&zoom=9']) {
    assertError(await anon.get(`${q}&service_category=astrology`), 400, 'invalid_query', 'service_category');
    assertError(await anon.get(`${q}&service_category=${enc('a b')}`), 400, 'invalid_query', 'service_category');
  }
  assertError(await anon.get('/api/sites?service_category=haircut'), 400, 'invalid_query', 'service_category');
});
