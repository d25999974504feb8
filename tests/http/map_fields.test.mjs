// fields= on the map's site lists (/api/sites/near and /api/sites?bbox=):
// each item holds only the fields asked for (the id always), each as the
// whole answer has it and in the whole answer's order; every field named
// gives the whole answer byte for byte; a name no site answer has is a
// 400 naming "fields".
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertError } from './lib/server.mjs';
import { rng } from './lib/near.mjs';

const AT = encodeURIComponent('2026-12-02T10:30:00+08:00');
const ALL = [
  'id', 'name_zh', 'name_en', 'type', 'tier', 'region', 'address_zh', 'address_en', 'phone', 'manager',
  'description', 'capacity', 'status', 'status_reason', 'status_until', 'public', 'opening_hours',
  'amenities', 'photos', 'demo', 'created_at', 'updated_at', 'position', 'open', 'next_change',
  'distance_m', 'live', 'nav',
];
let srv, anon;

before(async () => {
  srv = await startServer({ demo: true });
  anon = srv.client();
});
after(async () => { await srv?.stop(); });

/** The whole item cut down to the names, keeping its order. */
function project(item, names) {
  const want = new Set(['id', ...names]);
  return Object.fromEntries(Object.entries(item).filter(([k]) => want.has(k)));
}

function assertProjected(whole, cut, names, what) {
  assert.equal(cut.items.length, whole.items.length, what);
  if ('total' in whole) assert.equal(cut.total, whole.total, what);
  for (let i = 0; i < whole.items.length; i++) {
    const want = project(whole.items[i], names);
    assert.deepEqual(cut.items[i], want, what);
    assert.deepEqual(Object.keys(cut.items[i]), Object.keys(want), `${what}: key order`);
  }
}

const QUERIES = [
  `/api/sites/near?lat=34.6&lon=119.2&k=7&at=${AT}`,
  `/api/sites/near?lat=34.58&lon=119.15&k=20&amenity=seats&open=1&at=${AT}`,
  `/api/sites/near?lat=34.6&lon=119.2&k=5&datum=gcj02&at=${AT}`,
  `/api/sites?bbox=119.1,34.55,119.3,34.65&limit=40&at=${AT}`,
  `/api/sites?bbox=119.0,34.5,119.4,34.7&limit=25&offset=10&type=community_station&at=${AT}`,
];

test('fields=: the items hold the fields asked for, as the whole answer has them', async () => {
  const r = rng(12);
  for (const q of QUERIES) {
    const whole = await anon.get(q);
    assert.equal(whole.status, 200, q);
    assert.ok(whole.json.items.length > 0, q);
    const names = q.includes('/near') ? ALL : ALL.filter((n) => n !== 'distance_m');
    for (let round = 0; round < 12; round++) {
      const pick = names.filter(() => r() < 0.3);
      const asked = [...pick].sort(() => r() - 0.5); // any order in the query
      const cut = await anon.get(`${q}&fields=${asked.join(',') || 'id'}`);
      assert.equal(cut.status, 200, `${q} fields=${asked}`);
      assertProjected(whole.json, cut.json, pick, `${q} fields=${asked}`);
    }
    // The list the map page asks for, and names given twice.
    const list = ['name_zh', 'name_en', 'tier', 'open', 'next_change', 'live'];
    assertProjected(whole.json, (await anon.get(`${q}&fields=${list.join(',')},open,id`)).json, list, q);
    // Every field named: the whole answer, byte for byte.
    const every = await anon.get(`${q}&fields=${names.join(',')}`);
    assert.equal(every.text, whole.text, q);
  }
});

test('fields=: the id alone, the same sites in the same order', async () => {
  const whole = await anon.get(`/api/sites/near?lat=34.6&lon=119.2&k=30&at=${AT}`);
  const ids = await anon.get(`/api/sites/near?lat=34.6&lon=119.2&k=30&at=${AT}&fields=id`);
  assert.deepEqual(ids.json.items, whole.json.items.map((s) => ({ id: s.id })));
  assert.ok(ids.text.length < whole.text.length / 10);
});

test('fields= with GeoJSON keeps the position as the geometry', async () => {
  const whole = await anon.get(`/api/sites/near?lat=34.6&lon=119.2&k=3&at=${AT}&format=geojson`);
  const cut = await anon.get(`/api/sites/near?lat=34.6&lon=119.2&k=3&at=${AT}&format=geojson&fields=name_zh`);
  assert.equal(cut.status, 200);
  assert.equal(cut.json.features.length, 3);
  for (let i = 0; i < 3; i++) {
    assert.deepEqual(cut.json.features[i].geometry, whole.json.features[i].geometry);
    assert.equal(cut.json.features[i].properties.name_zh, whole.json.features[i].properties.name_zh);
    assert.equal(cut.json.features[i].properties.nav, undefined);
  }
});

test('fields=: a name no site answer has is refused, naming fields', async () => {
  for (const bad of ['nope', 'id,nope', '', 'name_zh,', ',id', 'ID', 'position.lat', 'x'.repeat(300)]) {
    assertError(await anon.get(`/api/sites/near?lat=34.6&lon=119.2&fields=${encodeURIComponent(bad)}`),
      400, 'invalid_query', 'fields');
    assertError(await anon.get(`/api/sites?bbox=119.1,34.55,119.3,34.65&fields=${encodeURIComponent(bad)}`),
      400, 'invalid_query', 'fields');
  }
  // A bbox listing has no distance.
  assertError(await anon.get('/api/sites?bbox=119.1,34.55,119.3,34.65&fields=id,distance_m'), 400, 'invalid_query', 'fields');
});
