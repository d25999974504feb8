// The Warm New Map's queries: near (checked against a brute-force scan of
// every site), bbox, clusters, live status and its event stream, GeoJSON,
// OGC API - Features, navigation links, and the cache staying in step with
// writes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, ADMIN_TOKEN, assertError } from './lib/server.mjs';
import { haversine, rng, bruteNear as bruteNearOf, assertNearEqual } from './lib/near.mjs';

const AT = '2026-12-02T10:30:00+08:00'; // a Wednesday morning
let srv, anon, admin, all;

before(async () => {
  srv = await startServer({ demo: true });
  anon = srv.client();
  admin = srv.client(ADMIN_TOKEN);
  const res = await anon.get(`/api/sites?status=any&limit=1000&at=${encodeURIComponent(AT)}`);
  assert.equal(res.status, 200);
  all = res.json.items;
  assert.ok(all.length > 200);
});
after(async () => { await srv?.stop(); });

const bruteNear = (p, k, f) => bruteNearOf(all, p, k, f);

test('near equals a brute-force scan for many points and filters', async () => {
  const r = rng(42);
  const amenityChoices = [[], ['microwave'], ['phone_charging', 'seats'], ['battery_swap'], ['rain_gear']];
  const types = [undefined, 'community_station', 'warm_hut', 'canteen'];
  for (let i = 0; i < 300; i++) {
    const p = { lat: 34.52 + r() * 0.14, lon: 119.08 + r() * 0.24 };
    const k = 1 + Math.floor(r() * 12);
    const f = {
      amenities: amenityChoices[Math.floor(r() * amenityChoices.length)],
      type: types[Math.floor(r() * types.length)],
      open: r() < 0.5,
      radius: r() < 0.3 ? 500 + r() * 3000 : undefined,
    };
    let q = `/api/sites/near?lat=${p.lat}&lon=${p.lon}&k=${k}&at=${encodeURIComponent(AT)}`;
    if (f.amenities.length) q += `&amenity=${f.amenities.join(',')}`;
    if (f.type) q += `&type=${f.type}`;
    if (f.open) q += '&open=1';
    if (f.radius) q += `&radius_m=${f.radius}`;
    const res = await anon.get(q);
    assert.equal(res.status, 200, q);
    const want = bruteNear(p, k, f);
    const got = res.json.items;
    assertNearEqual(assert, got, want, q);
    for (let j = 0; j < got.length; j++) {
      if (f.open) assert.equal(got[j].open, true);
    }
  }
});

test('amenity_any: at least one of the codes, on near, bbox and clusters', async () => {
  const has = (s, c) => s.amenities.some((m) => m.code === c && m.count > 0);
  const live = all.filter((s) => s.status !== 'removed');
  // The demo lends umbrellas at sites that lend no raincoats: "rain gear"
  // must find them too.
  const rain = live.filter((s) => has(s, 'rain_gear') || has(s, 'umbrella'));
  assert.ok(rain.some((s) => !has(s, 'rain_gear')), 'some sites lend umbrellas only');
  const p = { lat: 34.6, lon: 119.2 };
  const near = await anon.get(`/api/sites/near?lat=${p.lat}&lon=${p.lon}&k=100&amenity_any=rain_gear,umbrella`);
  assert.equal(near.status, 200);
  const want = rain
    .map((s) => ({ id: s.id, d: haversine(p, s.position) }))
    .sort((a, b) => a.d - b.d || a.id - b.id)
    .slice(0, 100);
  assert.deepEqual(near.json.items.map((s) => s.id).sort(), want.map((x) => x.id).sort());
  // With amenity (all of) too: both hold.
  const both = await anon.get(`/api/sites/near?lat=${p.lat}&lon=${p.lon}&k=100&amenity=seats&amenity_any=rain_gear,umbrella`);
  assert.ok(both.json.items.length > 0);
  for (const s of both.json.items) assert.ok(has(s, 'seats') && (has(s, 'rain_gear') || has(s, 'umbrella')));
  assert.equal(both.json.items.length, Math.min(100, rain.filter((s) => has(s, 'seats')).length));
  // bbox and clusters count the same sites.
  const box = '118.9,34.4,119.5,34.8';
  const inBox = rain.filter((s) => s.position.lon >= 118.9 && s.position.lon <= 119.5 &&
    s.position.lat >= 34.4 && s.position.lat <= 34.8);
  const bbox = await anon.get(`/api/sites?bbox=${box}&amenity_any=rain_gear,umbrella&limit=1000`);
  assert.equal(bbox.json.total, inBox.length);
  assert.deepEqual(bbox.json.items.map((s) => s.id), inBox.map((s) => s.id).sort((a, b) => a - b));
  const cl = await anon.get(`/api/sites/clusters?bbox=${box}&zoom=11&amenity_any=rain_gear,umbrella`);
  assert.equal(cl.json.total, inBox.length);
  // Refused: an unknown code, too many codes, and the store list (no bbox),
  // which would silently ignore it.
  assertError(await anon.get('/api/sites/near?lat=34&lon=119&amenity_any=umbrella,teleporter'), 400, 'invalid_query', 'amenity_any');
  assertError(await anon.get(`/api/sites/near?lat=34&lon=119&amenity_any=${Array(9).fill('umbrella').join(',')}`),
    400, 'invalid_query', 'amenity_any');
  assertError(await anon.get('/api/sites?amenity_any=umbrella'), 400, 'invalid_query', 'amenity_any');
});

test('near: every item carries open, next_change, live and nav', async () => {
  const res = await anon.get('/api/sites/near?lat=34.6&lon=119.2&k=3');
  assert.equal(res.status, 200);
  for (const s of res.json.items) {
    assert.equal(typeof s.open, 'boolean');
    assert.ok(s.next_change === null || /\+08:00$/.test(s.next_change));
    assert.equal(typeof s.live.ttl, 'number');
    assert.ok(Array.isArray(s.live.amenities));
    // Route links (one tap to go, riding, from where the phone is), not
    // marker pages.
    assert.match(s.nav.amap, /^https:\/\/uri\.amap\.com\/navigation\?to=[\d.]+,[\d.]+,[^&]+&mode=ride&coordinate=gaode&/);
    assert.match(s.nav.baidu, /^https:\/\/api\.map\.baidu\.com\/direction\?destination=latlng:[\d.]+,[\d.]+\|name:[^&]+&mode=riding&coord_type=bd09ll&output=html&/);
    assert.match(s.nav.tencent, /^https:\/\/apis\.map\.qq\.com\/uri\/v1\/routeplan\?type=bike&to=[^&]+&tocoord=[\d.]+,[\d.]+&/);
    for (const link of Object.values(s.nav)) assert.doesNotMatch(link, /marker/);
  }
});

test('near: navigation links carry each vendor datum and coordinate order', async () => {
  const id = all[0].id;
  const g = (await anon.get(`/api/sites/${id}?datum=gcj02`)).json;
  const b = (await anon.get(`/api/sites/${id}?datum=bd09`)).json;
  const amap = /to=([\d.]+),([\d.]+),/.exec(g.nav.amap);
  assert.ok(Math.abs(Number(amap[1]) - g.position.lon) < 2e-6, 'Amap: lon first, GCJ-02');
  assert.ok(Math.abs(Number(amap[2]) - g.position.lat) < 2e-6);
  const baidu = /destination=latlng:([\d.]+),([\d.]+)\|/.exec(g.nav.baidu);
  assert.ok(Math.abs(Number(baidu[1]) - b.position.lat) < 2e-6, 'Baidu: lat first, BD-09');
  assert.ok(Math.abs(Number(baidu[2]) - b.position.lon) < 2e-6);
  const qq = /tocoord=([\d.]+),([\d.]+)/.exec(g.nav.tencent);
  assert.ok(Math.abs(Number(qq[1]) - g.position.lat) < 2e-6, 'Tencent: lat first, GCJ-02');
  assert.ok(Math.abs(Number(qq[2]) - g.position.lon) < 2e-6);
});

test('near: datum applies to the input point and the positions returned', async () => {
  const w = (await anon.get('/api/sites/near?lat=34.6&lon=119.2&k=1')).json.items[0];
  const g = (await anon.get(`/api/sites/${w.id}?datum=gcj02`)).json.position;
  const res = await anon.get(`/api/sites/near?lat=${g.lat}&lon=${g.lon}&k=1&datum=gcj02`);
  assert.equal(res.json.items[0].id, w.id);
  assert.ok(res.json.items[0].distance_m < 1, 'the GCJ-02 point is converted before the search');
  assert.equal(res.json.items[0].position.datum, 'gcj02');
});

test('near: bad parameters are refused with the field at fault', async () => {
  assertError(await anon.get('/api/sites/near?lon=119.2'), 400, 'invalid_query', 'lat');
  assertError(await anon.get('/api/sites/near?lat=95&lon=119.2'), 400, 'invalid_query', 'lat');
  assertError(await anon.get('/api/sites/near?lat=34&lon=119&k=0'), 400, 'invalid_query', 'k');
  assertError(await anon.get('/api/sites/near?lat=34&lon=119&k=101'), 400, 'invalid_query', 'k');
  assertError(await anon.get('/api/sites/near?lat=34&lon=119&amenity=teleporter'), 400, 'invalid_query', 'amenity');
  assertError(await anon.get('/api/sites/near?lat=34&lon=119&type=spaceport'), 400, 'invalid_query', 'type');
  assertError(await anon.get('/api/sites/near?lat=34&lon=119&open=yes'), 400, 'invalid_query', 'open');
  assertError(await anon.get('/api/sites/near?lat=34&lon=119&radius_m=-1'), 400, 'invalid_query', 'radius_m');
  assertError(await anon.get('/api/sites/near?lat=34&lon=119&datum=utm'), 400, 'invalid_query', 'datum');
  assertError(await anon.get('/api/sites/near?lat=34&lon=119&at=yesterday'), 400, 'invalid_query', 'at');
});

test('bbox returns exactly the sites inside, paged by id', async () => {
  const box = [119.15, 34.57, 119.22, 34.61];
  const inside = all
    .filter((s) => s.status !== 'removed')
    .filter((s) => s.position.lon >= box[0] && s.position.lon <= box[2] &&
      s.position.lat >= box[1] && s.position.lat <= box[3]);
  const res = await anon.get(`/api/sites?bbox=${box.join(',')}&limit=1000`);
  assert.equal(res.status, 200);
  assert.equal(res.json.total, inside.length);
  assert.deepEqual(res.json.items.map((s) => s.id), inside.map((s) => s.id).sort((a, b) => a - b));
  const page = await anon.get(`/api/sites?bbox=${box.join(',')}&limit=5&offset=5`);
  assert.deepEqual(page.json.items.map((s) => s.id), res.json.items.slice(5, 10).map((s) => s.id));
  assertError(await anon.get('/api/sites?bbox=1,2,3'), 400, 'invalid_query', 'bbox');
  assertError(await anon.get('/api/sites?bbox=120,34,119,35'), 400, 'invalid_query', 'bbox');
});

test('clusters cover the viewport: counts add up to the bbox total', async () => {
  const box = '118.9,34.4,119.5,34.8';
  for (const zoom of [4, 8, 11, 13, 16]) {
    const res = await anon.get(`/api/sites/clusters?bbox=${box}&zoom=${zoom}&amenity=microwave`);
    assert.equal(res.status, 200);
    const n = res.json.clusters.reduce((a, c) => a + c.count, 0);
    const total = (await anon.get(`/api/sites?bbox=${box}&amenity=microwave&limit=1`)).json.total;
    assert.equal(n, total, `zoom ${zoom}`);
    assert.equal(res.json.total, total);
    for (const c of res.json.clusters) {
      assert.ok(c.tiers.every((t) => t >= 0 && t <= 3));
      if (c.count === 1) assert.equal(typeof c.id, 'number');
      else assert.equal(c.id, null);
    }
    if (zoom <= 8) assert.ok(res.json.clusters.length < 50, 'zoomed out, few clusters');
  }
  assertError(await anon.get(`/api/sites/clusters?bbox=${box}`), 400, 'invalid_query', 'zoom');
  assertError(await anon.get('/api/sites/clusters?zoom=3'), 400, 'invalid_query', 'bbox');
});

test('GeoJSON on site queries: RFC 7946, [lon, lat], WGS-84 only', async () => {
  const fc = await anon.get('/api/sites?format=geojson&limit=3');
  assert.equal(fc.status, 200);
  assert.match(fc.headers.get('content-type'), /application\/geo\+json/);
  assert.equal(fc.json.type, 'FeatureCollection');
  const f = fc.json.features[0];
  const site = all.find((s) => s.id === f.id);
  assert.deepEqual(f.geometry.coordinates, [site.position.lon, site.position.lat]);
  const near = await anon.get('/api/sites/near?lat=34.6&lon=119.2&k=2', {
    headers: { accept: 'application/geo+json' },
  });
  assert.equal(near.json.type, 'FeatureCollection');
  assert.equal(near.json.features.length, 2);
  const one = await anon.get(`/api/sites/${site.id}?format=geojson`);
  assert.equal(one.json.type, 'Feature');
  assertError(await anon.get('/api/sites?format=geojson&datum=gcj02'), 400, 'invalid_query', 'datum');
  assertError(await anon.get('/api/sites?format=kml'), 400, 'invalid_query', 'format');
});

test('OGC API - Features: landing, conformance, collections, paged items', async () => {
  const land = await anon.get('/ogc');
  assert.equal(land.status, 200);
  assert.ok(['conformance', 'data', 'self'].every((rel) => land.json.links.some((l) => l.rel === rel)));
  const conf = await anon.get('/ogc/conformance');
  assert.ok(conf.json.conformsTo.includes('http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core'));
  const cols = await anon.get('/ogc/collections');
  const ids = cols.json.collections.map((c) => c.id);
  assert.ok(ids.includes('sites') && ids.includes('warm_hut'));
  // Walk the "next" links: every site exactly once, numberMatched right.
  let url = '/ogc/collections/sites/items?limit=50';
  const seen = [];
  let matched;
  while (url) {
    const page = await anon.get(url);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type'), /geo\+json/);
    matched = page.json.numberMatched;
    assert.equal(page.json.numberReturned, page.json.features.length);
    seen.push(...page.json.features.map((f) => f.id));
    const next = page.json.links.find((l) => l.rel === 'next');
    url = next ? new URL(next.href).pathname + new URL(next.href).search : null;
  }
  const live = all.filter((s) => s.status !== 'removed').length;
  assert.equal(matched, live);
  assert.equal(new Set(seen).size, live);
  const hut = all.find((s) => s.type === 'warm_hut');
  const item = await anon.get(`/ogc/collections/warm_hut/items/${hut.id}`);
  assert.equal(item.json.type, 'Feature');
  assert.equal(item.json.properties.name_zh, hut.name_zh);
  assertError(await anon.get(`/ogc/collections/canteen/items/${hut.id}`), 404, 'not_found');
  assertError(await anon.get('/ogc/collections/nowhere/items'), 404, 'not_found');
  const boxed = await anon.get('/ogc/collections/sites/items?bbox=119.15,34.57,119.22,34.61&limit=1000');
  const want = (await anon.get('/api/sites?bbox=119.15,34.57,119.22,34.61&limit=1')).json.total;
  assert.equal(boxed.json.numberMatched, want);
});

test('live status: report, read back, validation and staleness fields', async () => {
  const site = all.find((s) => s.amenities.some((a) => a.code === 'microwave') &&
    s.amenities.some((a) => a.code === 'phone_charging'));
  const res = await admin.post(`/api/sites/${site.id}/status`, {
    amenities: [{ code: 'phone_charging', available: 2 }, { code: 'microwave', working: false }],
  });
  assert.equal(res.status, 200);
  const got = await anon.get(`/api/sites/${site.id}/status`);
  const byCode = Object.fromEntries(got.json.amenities.map((a) => [a.code, a]));
  assert.equal(byCode.phone_charging.available, 2);
  assert.equal(byCode.microwave.working, false);
  assert.equal(byCode.microwave.stale, false);
  assert.ok(got.json.last_updated);
  const detail = await anon.get(`/api/sites/${site.id}`);
  assert.equal(detail.json.live.amenities.length, 2);
  const near = await anon.get(`/api/sites/near?lat=${site.position.lat}&lon=${site.position.lon}&k=1`);
  assert.equal(near.json.items[0].id, site.id);
  assert.equal(near.json.items[0].live.amenities.length, 2, 'the cache sees the report');
  assertError(await anon.post(`/api/sites/${site.id}/status`, { amenities: [] }), 401, 'unauthorized');
  assertError(await admin.post(`/api/sites/${site.id}/status`, { amenities: [{ code: 'teleporter', available: 1 }] }),
    422, 'amenity_not_offered', 'amenities[0].code');
  assertError(await admin.post(`/api/sites/${site.id}/status`, { amenities: [{ code: 'microwave' }] }),
    422, 'missing_field', 'amenities[0]');
  assertError(await admin.post(`/api/sites/${site.id}/status`, { amenities: [{ code: 'phone_charging', available: -1 }] }),
    422, 'invalid_field', 'amenities[0].available');
  assertError(await admin.post(`/api/sites/${site.id}/status`, {}), 422, 'missing_field', 'amenities');
  assertError(await admin.post('/api/sites/999999/status', { amenities: [] }), 404, 'not_found');
});

test('a temporary closure through the status route closes, then reopens', async () => {
  const site = all.find((s) => s.opening_hours === '24/7' && s.status === 'operational');
  const until = new Date(Date.now() + 3600_000).toISOString();
  const res = await admin.post(`/api/sites/${site.id}/status`, { closure: { reason: '停电', until } });
  assert.equal(res.status, 200);
  assert.equal(res.json.status, 'temporarily_closed');
  assert.equal(res.json.open, false);
  const near = await anon.get(`/api/sites/near?lat=${site.position.lat}&lon=${site.position.lon}&k=50&open=1`);
  assert.ok(!near.json.items.some((s) => s.id === site.id), 'closed sites leave open=1 answers');
  const back = await admin.post(`/api/sites/${site.id}/status`, { closure: null });
  assert.equal(back.json.status, 'operational');
  assert.equal(back.json.open, true);
  assertError(await admin.post(`/api/sites/${site.id}/status`, { closure: { until } }), 422, 'missing_field', 'closure.reason');
});

test('the event stream pushes status changes and site edits', async () => {
  const ctrl = new AbortController();
  const res = await fetch(`${srv.base}/api/sites/events`, { signal: ctrl.signal });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /text\/event-stream/);
  const reader = res.body.getReader();
  const dec = new TextDecoder();
  let buf = '';
  async function nextEvent(name) {
    for (let i = 0; i < 200; i++) {
      const m = new RegExp(`event: ${name}\\ndata: (.*)\\n\\n`).exec(buf);
      if (m) { buf = buf.slice(m.index + m[0].length); return JSON.parse(m[1]); }
      const { value, done } = await reader.read();
      if (done) break;
      buf += dec.decode(value);
    }
    assert.fail(`no ${name} event; got: ${buf}`);
  }
  const site = all.find((s) => s.amenities.some((a) => a.code === 'seats'));
  await admin.post(`/api/sites/${site.id}/status`, { amenities: [{ code: 'seats', available: 1 }] });
  const ev = await nextEvent('status');
  assert.equal(ev.site_id, site.id);
  assert.ok(ev.amenities.some((a) => a.code === 'seats' && a.available === 1));
  await admin.patch(`/api/sites/${site.id}`, { name_en: 'Renamed for the stream' });
  const ed = await nextEvent('site');
  assert.deepEqual(ed, { id: site.id, op: 'update' });
  ctrl.abort();
});

test('the cache follows writes: move, close, delete, holidays', async () => {
  const created = await admin.post('/api/sites', {
    name_zh: '缓存测试站', type: 'warm_hut', position: { lat: 34.7001, lon: 119.5001 },
    opening_hours: 'Mo-Fr 08:00-18:00; PH off', amenities: { microwave: 1 },
  });
  assert.equal(created.status, 201);
  const id = created.json.id;
  const near = async (lat, lon, extra = '') =>
    (await anon.get(`/api/sites/near?lat=${lat}&lon=${lon}&k=1${extra}`)).json.items[0];
  assert.equal((await near(34.7, 119.5)).id, id);
  await admin.patch(`/api/sites/${id}`, { position: { lat: 34.75, lon: 119.55 } });
  const moved = await near(34.75, 119.55);
  assert.equal(moved.id, id);
  assert.ok(moved.distance_m < 1);
  // The WGS-84 position text is kept with the entry: it moves with it and
  // reads as the store's; another datum's is computed as before.
  const raw = (await anon.get(`/api/sites/near?lat=34.75&lon=119.55&k=1`)).text;
  assert.ok(raw.includes('"position":{"lat":34.7500000,"lon":119.5500000,"datum":"wgs84"}'), raw.slice(0, 400));
  const one = (await anon.get(`/api/sites/${id}`)).json;
  assert.deepEqual(moved.position, one.position);
  const gcj = (await anon.get(`/api/sites/${id}?datum=gcj02`)).json.position;
  const movedGcj = (await anon.get(`/api/sites/near?lat=${gcj.lat}&lon=${gcj.lon}&k=1&datum=gcj02`)).json.items[0];
  assert.equal(movedGcj.id, id);
  // (the map's answers have 7 decimals, the store's more)
  assert.ok(Math.abs(movedGcj.position.lat - gcj.lat) < 1e-7 && Math.abs(movedGcj.position.lon - gcj.lon) < 1e-7);
  assert.equal(movedGcj.position.datum, 'gcj02');
  // A Wednesday at 10:00 is open; make it a holiday and it closes.
  const wed = encodeURIComponent('2026-12-09T10:00:00+08:00');
  assert.equal((await near(34.75, 119.55, `&at=${wed}`)).open, true);
  assert.equal((await admin.put('/api/holidays/2026-12-09', { kind: 'holiday', name_en: 'Test day' })).status, 200);
  assert.equal((await near(34.75, 119.55, `&at=${wed}`)).open, false);
  await admin.del('/api/holidays/2026-12-09');
  assert.equal((await near(34.75, 119.55, `&at=${wed}`)).open, true);
  assert.equal((await admin.del(`/api/sites/${id}`)).status, 204);
  const after = await near(34.75, 119.55);
  assert.notEqual(after.id, id);
});
