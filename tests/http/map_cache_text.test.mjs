// The map's answers (/api/sites/near and /api/sites?bbox=, from the site
// cache) show a site's static fields exactly as GET /api/sites/{id} (from
// the store) does: same keys, same order, same values. The cache keeps
// only the values, and the amenities as catalogue indexes and counts (a
// code past the 254th of the catalogue as text), so this covers both
// kinds, counts of several sizes, text that needs escaping, and a
// fields= projection, after creating, editing and a catalogue reload.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, ADMIN_TOKEN, expectStatus, listAll } from './lib/server.mjs';

const AT = encodeURIComponent('2026-12-02T10:30:00+08:00');
const STATIC = [
  'id', 'name_zh', 'name_en', 'type', 'tier', 'region', 'address_zh', 'address_en', 'phone', 'manager',
  'description', 'capacity', 'status', 'status_reason', 'status_until', 'public', 'opening_hours',
  'amenities', 'photos', 'demo', 'created_at', 'updated_at',
];
let srv, anon, admin;

before(async () => {
  srv = await startServer({ demo: true });
  anon = srv.client();
  admin = srv.client(ADMIN_TOKEN);
});
after(async () => { await srv?.stop(); });

const staticOf = (o) => Object.fromEntries(Object.entries(o).filter(([k]) => STATIC.includes(k)));

/** The site as the store shows it and as near and bbox show it agree. */
async function assertSame(id, lat, lon, what) {
  const one = expectStatus(await anon.get(`/api/sites/${id}?at=${AT}`), 200).json;
  const near = expectStatus(await anon.get(`/api/sites/near?lat=${lat}&lon=${lon}&k=1&at=${AT}`), 200).json;
  assert.equal(near.items[0].id, id, what);
  const box = `${lon - 0.0001},${lat - 0.0001},${lon + 0.0001},${lat + 0.0001}`;
  const bbox = expectStatus(await anon.get(`/api/sites?bbox=${box}&at=${AT}`), 200).json;
  assert.deepEqual(bbox.items.map((s) => s.id), [id], what);
  for (const [how, item] of [['near', near.items[0]], ['bbox', bbox.items[0]]]) {
    assert.deepEqual(staticOf(item), staticOf(one), `${what}: ${how}`);
    assert.deepEqual(Object.keys(staticOf(item)), Object.keys(staticOf(one)), `${what}: ${how} key order`);
  }
  const cut = expectStatus(await anon.get(`/api/sites/near?lat=${lat}&lon=${lon}&k=1&at=${AT}&fields=amenities,phone`), 200).json;
  assert.deepEqual(cut.items[0], { id, phone: one.phone, amenities: one.amenities }, `${what}: fields=`);
  return one;
}

/** Every site in a bbox over the world (from the cache) against the
 *  store's list, field by field. */
async function assertAllSame(what) {
  const stored = (await listAll(anon, `/api/sites?status=any&at=${AT}`)).items;
  const cached = (await listAll(anon, `/api/sites?bbox=-180,-90,180,90&at=${AT}`)).items;
  assert.ok(cached.length > 200, what);
  const byId = new Map(stored.map((x) => [x.id, x]));
  for (const item of cached) {
    const one = byId.get(item.id);
    assert.ok(one, `${what}: site ${item.id}`);
    assert.deepEqual(staticOf(item), staticOf(one), `${what}: site ${item.id}`);
    assert.deepEqual(Object.keys(staticOf(item)), Object.keys(staticOf(one)), `${what}: site ${item.id} key order`);
  }
}

test('every demo site in a bbox shows its static fields as the store does', async () => {
  await assertAllSame('as loaded at start');
});

test('near and bbox show the static fields as the site answer does, past the 254th amenity too', async () => {
  // 22 demo amenities and 240 more: the last ones are past what the cache
  // names by index.
  for (let i = 0; i < 240; i++) {
    expectStatus(await admin.post('/api/amenities', {
      code: `extra_${String(i).padStart(3, '0')}`, name_zh: `设施${i}`, kind: i % 2 ? 'counted' : 'boolean',
    }), 201);
  }
  const total = expectStatus(await anon.get('/api/amenities?limit=1000'), 200).json.total;
  assert.ok(total > 254, `${total} amenities`);
  const lat = 29.123456, lon = 101.654321; // far from the demo sites
  const site = expectStatus(await admin.post('/api/sites', {
    name_zh: '测试"引号"\\站点', name_en: 'Quote " back\\slash', type: 'warm_hut',
    position: { lat, lon }, phone: '0518-1234', description: 'é ü 中文 ☃ </script>\n2nd line',
    amenities: { seats: 10000, microwave: 1, wifi: 0, extra_000: 1, extra_001: 127, extra_002: 128,
      extra_233: 300, extra_234: 8192, extra_238: 9999, extra_239: 0 },
    photos: ['https://example.org/a.jpg'],
  }), 201).json;
  const one = await assertSame(site.id, lat, lon, 'created');
  assert.deepEqual(Object.fromEntries(one.amenities.map((a) => [a.code, a.count])), {
    microwave: 1, seats: 10000, wifi: 0, extra_000: 1, extra_001: 127, extra_002: 128,
    extra_233: 300, extra_234: 8192, extra_238: 9999, extra_239: 0,
  });

  // An edit, then a catalogue change (the whole cache is loaded again).
  expectStatus(await admin.patch(`/api/sites/${site.id}`, {
    amenities: { extra_239: 5, seats: 0, hot_water: 1 }, manager: '值班员 \\ "x"',
  }), 200);
  await assertSame(site.id, lat, lon, 'edited');
  // A demo site with every kind of field, as loaded at start; then edited
  // (its amenity rows are written again, after every other site's: the
  // next load finds them out of site order).
  const demo = expectStatus(await anon.get(`/api/sites/near?lat=34.6&lon=119.2&k=1&at=${AT}`), 200).json.items[0];
  await assertSame(demo.id, demo.position.lat, demo.position.lon, 'demo site');
  expectStatus(await admin.patch(`/api/sites/${demo.id}`, { amenities: { extra_239: 2, wifi: 1, extra_000: 3 } }), 200);
  expectStatus(await admin.post('/api/amenities', { code: 'zz_last', name_zh: '末', kind: 'boolean' }), 201);
  await assertSame(site.id, lat, lon, 'after a catalogue change');
  const again = await assertSame(demo.id, demo.position.lat, demo.position.lon, 'demo site edited, after a catalogue change');
  assert.deepEqual(again.amenities.map((a) => a.code), ['wifi', 'extra_000', 'extra_239']);
  await assertAllSame('after a catalogue change');
});
