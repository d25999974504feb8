// Sites: create/read/update/delete, validation, list filters and paging,
// map datums, and "open"/"next_change" from opening hours, the holiday
// calendar and temporary closures.
import { describe, it, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, ADMIN_TOKEN, assertError, expectStatus, listAll } from './lib/server.mjs';

const enc = encodeURIComponent;
const at = (iso) => `at=${enc(iso)}`;
const TYPE = 'test_type'; // every site this file creates has this type

/** The fields of a site answer these tests compare (newer fields ignored). */
const SITE_KEYS = [
  'id', 'name_zh', 'name_en', 'type', 'tier', 'region', 'address_zh', 'address_en',
  'position', 'phone', 'manager', 'description', 'capacity', 'status', 'status_reason',
  'status_until', 'public', 'opening_hours', 'amenities', 'photos', 'open', 'next_change',
  'demo', 'created_at', 'updated_at',
];
const pick = (o, keys) => Object.fromEntries(keys.map((k) => [k, o[k]]));
const ISO_CN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$/;

function near(actual, expected, tol, what) {
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} vs ${expected} (tolerance ${tol})`);
}

describe('sites', () => {
  let srv;
  let anon;
  let admin;
  let demoAll; // every demo site, status=any, before this file adds any

  before(async () => {
    srv = await startServer({ demo: true });
    anon = srv.client();
    admin = srv.client(ADMIN_TOKEN);
    expectStatus(await admin.post('/api/site-types', { code: TYPE, name_zh: '测试类型' }), 201);
    demoAll = (await listAll(anon, '/api/sites?status=any')).items;
  });
  after(async () => {
    if (srv) await srv.stop();
  });
  afterEach(() => srv.assertHealthy());

  const create = async (body) =>
    expectStatus(await admin.post('/api/sites', {
      name_zh: '测试站点', type: TYPE, position: { lat: 34.59, lon: 119.16 }, ...body,
    }), 201).json;

  describe('list filters on the demo data', () => {
    it('the demo data has 243 sites, none removed', async () => {
      assert.equal(demoAll.length, 243);
      const def = expectStatus(await anon.get('/api/sites?limit=1'), 200);
      assert.equal(def.json.total, 243);
      const ids = demoAll.map((s) => s.id);
      assert.deepEqual(ids, [...ids].sort((a, b) => a - b), 'ordered by id');
    });

    it('q= finds Chinese substrings of names and addresses', async () => {
      const hut = expectStatus(await anon.get(`/api/sites?q=${enc('暖新小屋')}&limit=1000`), 200);
      assert.equal(hut.json.total, 41);
      assert.ok(hut.json.items.every((s) => s.type === 'warm_hut' && s.name_zh.includes('暖新小屋')));
      const cw = expectStatus(await anon.get(`/api/sites?q=${enc('苍梧')}&limit=1000`), 200);
      assert.ok(cw.json.total > 0);
      for (const s of cw.json.items)
        assert.ok((s.name_zh + s.address_zh).includes('苍梧'), s.name_zh);
      // the same as filtering every site by hand
      const oracle = demoAll.filter((s) => [s.name_zh, s.address_zh].some((t) => t.includes('苍梧')));
      assert.deepEqual(cw.json.items.map((s) => s.id), oracle.map((s) => s.id));
    });

    it('q= matches English text case-insensitively and takes % and _ literally', async () => {
      const a = expectStatus(await anon.get('/api/sites?q=warm%20hut&limit=1000'), 200);
      const b = expectStatus(await anon.get('/api/sites?q=WARM%20HUT&limit=1000'), 200);
      assert.equal(a.json.total, 41);
      assert.deepEqual(b.json.items.map((s) => s.id), a.json.items.map((s) => s.id));
      assert.deepEqual(expectStatus(await anon.get('/api/sites?q=%25'), 200).json, { items: [], total: 0 });
      assert.deepEqual(expectStatus(await anon.get('/api/sites?q=_'), 200).json, { items: [], total: 0 });
      assertError(await anon.get(`/api/sites?q=${'x'.repeat(101)}`), 400, 'invalid_query', 'q');
    });

    it('type= filters by site type', async () => {
      const r = expectStatus(await anon.get('/api/sites?type=canteen&limit=1000'), 200);
      assert.equal(r.json.total, 21);
      assert.ok(r.json.items.every((s) => s.type === 'canteen' && s.tier === null));
      const hubs = expectStatus(await anon.get('/api/sites?type=industry_hub'), 200);
      assert.equal(hubs.json.total, 7);
      assert.ok(hubs.json.items.every((s) => s.tier === 1));
      assert.deepEqual(expectStatus(await anon.get('/api/sites?type=no_such'), 200).json, { items: [], total: 0 });
    });

    it('region= takes the whole subtree', async () => {
      const sub = expectStatus(await anon.get('/api/regions/HZ-XF/descendants'), 200);
      const inTree = new Set(['HZ-XF', ...sub.json.items.map((x) => x.code)]);
      const oracle = demoAll.filter((s) => inTree.has(s.region));
      assert.ok(oracle.length > 0);
      const r = expectStatus(await anon.get('/api/sites?region=HZ-XF&limit=1000'), 200);
      assert.equal(r.json.total, oracle.length);
      assert.deepEqual(r.json.items.map((s) => s.id), oracle.map((s) => s.id));
      const all = expectStatus(await anon.get('/api/sites?region=HZ&limit=1'), 200);
      assert.equal(all.json.total, 243);
      const comm = expectStatus(await anon.get('/api/sites?region=HZ-XF-02&limit=1000'), 200);
      assert.deepEqual(comm.json.items.map((s) => s.id),
        demoAll.filter((s) => s.region === 'HZ-XF-02').map((s) => s.id));
      assertError(await anon.get('/api/sites?region=NO-SUCH'), 400, 'invalid_query', 'region');
    });

    it('amenity=a,b requires every listed amenity; at most 4', async () => {
      const has = (s, code) => s.amenities.some((m) => m.code === code && m.count > 0);
      const oracle = demoAll.filter((s) => s.status !== 'removed' && has(s, 'microwave') && has(s, 'fridge'));
      assert.ok(oracle.length > 0);
      const r = expectStatus(await anon.get('/api/sites?amenity=microwave,fridge&limit=1000'), 200);
      assert.deepEqual(r.json.items.map((s) => s.id), oracle.map((s) => s.id));
      assert.equal(r.json.total, oracle.length);
      const four = expectStatus(await anon.get('/api/sites?amenity=microwave,fridge,toilet,seats&limit=1000'), 200);
      assert.deepEqual(four.json.items.map((s) => s.id),
        oracle.filter((s) => has(s, 'toilet') && has(s, 'seats')).map((s) => s.id));
      assertError(await anon.get('/api/sites?amenity=microwave,fridge,toilet,seats,wifi'), 400, 'invalid_query', 'amenity');
      assert.equal(expectStatus(await anon.get('/api/sites?amenity=no_such'), 200).json.total, 0);
      const combo = expectStatus(await anon.get('/api/sites?amenity=battery_swap&type=battery_swap&limit=1000'), 200);
      const swaps = demoAll.filter((s) => s.type === 'battery_swap' && has(s, 'battery_swap'));
      assert.ok(swaps.length > 0);
      assert.deepEqual(combo.json.items.map((s) => s.id), swaps.map((s) => s.id));
    });

    it('status= picks one status; bad values are 400', async () => {
      const planned = expectStatus(await anon.get('/api/sites?status=planned'), 200);
      assert.deepEqual(planned.json.items.map((s) => s.id),
        demoAll.filter((s) => s.status === 'planned').map((s) => s.id));
      assert.ok(planned.json.total > 0);
      assert.ok(planned.json.items.every((s) => s.status === 'planned' && s.open === false && s.next_change === null));
      const closed = expectStatus(await anon.get('/api/sites?status=temporarily_closed'), 200);
      assert.deepEqual(closed.json.items.map((s) => s.id),
        demoAll.filter((s) => s.status === 'temporarily_closed').map((s) => s.id));
      assertError(await anon.get('/api/sites?status=gone'), 400, 'invalid_query', 'status');
    });

    it('limit/offset page through a stable order by id with the full total', async () => {
      const seen = [];
      for (let offset = 0; offset < 243; offset += 50) {
        const p = expectStatus(await anon.get(`/api/sites?status=any&limit=50&offset=${offset}`), 200);
        assert.equal(p.json.total, 243, 'total is the full count on every page');
        assert.equal(p.json.items.length, Math.min(50, 243 - offset));
        seen.push(...p.json.items.map((s) => s.id));
      }
      assert.deepEqual(seen, demoAll.map((s) => s.id), 'pages concatenate to the full list');
      assert.equal(new Set(seen).size, 243, 'no duplicates');
      for (let i = 1; i < seen.length; i++) assert.ok(seen[i] > seen[i - 1], 'ids increase');
      const again = expectStatus(await anon.get('/api/sites?status=any&limit=7&offset=100'), 200);
      assert.deepEqual(again.json.items.map((s) => s.id), seen.slice(100, 107));
      const past = expectStatus(await anon.get('/api/sites?limit=10&offset=243'), 200);
      assert.deepEqual(past.json, { items: [], total: 243 });
      const dflt = expectStatus(await anon.get('/api/sites'), 200);
      assert.equal(dflt.json.items.length, 100, 'default limit');
      const filtered = expectStatus(await anon.get(`/api/sites?q=${enc('暖新小屋')}&limit=10&offset=40`), 200);
      assert.equal(filtered.json.total, 41);
      assert.equal(filtered.json.items.length, 1);
      assertError(await anon.get('/api/sites?limit=0'), 400, 'invalid_query', 'limit');
      assertError(await anon.get('/api/sites?limit=1001'), 400, 'invalid_query', 'limit');
      assertError(await anon.get('/api/sites?offset=-1'), 400, 'invalid_query', 'offset');
      assertError(await anon.get('/api/sites?limit=x'), 400, 'invalid_query', 'limit');
    });

    it('bad ?at= and ?datum= are 400 invalid_query', async () => {
      for (const p of ['/api/sites', '/api/sites/1']) {
        assertError(await anon.get(`${p}?at=tomorrow`), 400, 'invalid_query', 'at');
        assertError(await anon.get(`${p}?at=2026-13-01T00:00:00`), 400, 'invalid_query', 'at');
        assertError(await anon.get(`${p}?datum=utm`), 400, 'invalid_query', 'datum');
      }
    });
  });

  describe('create, read, update, delete', () => {
    it('POST with the minimum gives the defaults; GET answers the same', async () => {
      const p = await admin.post('/api/sites', { name_zh: '最小站点', type: TYPE, position: { lat: 34.59, lon: 119.16 } });
      expectStatus(p, 201);
      const s = p.json;
      assert.equal(p.headers.get('location'), `/api/sites/${s.id}`);
      assert.ok(Number.isInteger(s.id) && s.id > 243);
      assert.deepEqual(pick(s, SITE_KEYS), {
        id: s.id,
        name_zh: '最小站点',
        name_en: '',
        type: TYPE,
        tier: null,
        region: null,
        address_zh: '',
        address_en: '',
        position: { lat: 34.59, lon: 119.16, datum: 'wgs84' },
        phone: '',
        manager: '',
        description: '',
        capacity: null,
        status: 'operational',
        status_reason: null,
        status_until: null,
        public: false,
        opening_hours: '24/7',
        amenities: [],
        photos: [],
        open: true,
        next_change: null,
        demo: false,
        created_at: s.created_at,
        updated_at: s.created_at,
      });
      assert.match(s.created_at, ISO_CN);
      const g = expectStatus(await anon.get(`/api/sites/${s.id}`), 200);
      assert.deepEqual(pick(g.json, SITE_KEYS), pick(s, SITE_KEYS));
    });

    it('POST with every field echoes them back', async () => {
      const body = {
        name_zh: '全字段站点，含逗号',
        name_en: 'All fields "site"',
        type: TYPE,
        region: 'HZ-XF-02',
        address_zh: '海州区幸福路1号',
        address_en: '1 Xingfu Rd',
        position: { lat: 34.5912345, lon: 119.1623456 },
        phone: '+86 (518) 8512-3456',
        manager: '王经理',
        description: '第一行\n第二行',
        capacity: 12,
        status: 'partly_operational',
        public: true,
        opening_hours: 'Mo-Fr 08:00-18:00; Sa 09:00-12:00',
        amenities: { seats: 6, microwave: true, wifi: false, phone_charging: 0 },
        photos: ['https://img.example.com/a.jpg', 'http://img.example.com/b.png'],
      };
      const s = expectStatus(await admin.post(`/api/sites?${at('2026-11-27T09:00:00+08:00')}`, body), 201).json;
      assert.deepEqual(pick(s, SITE_KEYS), {
        ...body,
        id: s.id,
        tier: null,
        position: { lat: 34.5912345, lon: 119.1623456, datum: 'wgs84' },
        status_reason: null,
        status_until: null,
        // by amenity id; false leaves it out, 0 is kept
        amenities: [
          { code: 'phone_charging', count: 0 },
          { code: 'microwave', count: 1 },
          { code: 'seats', count: 6 },
        ],
        open: true, // Friday 09:00 (the ?at= of the request)
        next_change: '2026-11-27T18:00:00+08:00',
        demo: false,
        created_at: s.created_at,
        updated_at: s.updated_at,
      });
      // an amenity with count 0 is not "offered" for the amenity filter
      const f = expectStatus(await anon.get(`/api/sites?type=${TYPE}&amenity=phone_charging`), 200);
      assert.ok(!f.json.items.some((x) => x.id === s.id));
      const f2 = expectStatus(await anon.get(`/api/sites?type=${TYPE}&amenity=seats,microwave`), 200);
      assert.deepEqual(f2.json.items.map((x) => x.id), [s.id]);
    });

    it('every validation error names its code and field, and stores nothing', async () => {
      const before = expectStatus(await anon.get(`/api/sites?type=${TYPE}&status=any`), 200).json.total;
      const ok = { name_zh: '校验', type: TYPE, position: { lat: 34.59, lon: 119.16 } };
      const cases = [
        // [body, code, field]
        [{ ...ok, position: { lat: 90.5, lon: 119.16 } }, 'invalid_field', 'position.lat'],
        [{ ...ok, position: { lat: 34.5, lon: -180.01 } }, 'invalid_field', 'position.lon'],
        [{ ...ok, position: { lat: '34.5', lon: 119.16 } }, 'invalid_field', 'position.lat'],
        [{ ...ok, position: { lat: 34.5, lon: 119.16, datum: 'utm' } }, 'invalid_field', 'position.datum'],
        [{ ...ok, position: [34.5, 119.16] }, 'invalid_field', 'position'],
        [{ ...ok, position: { lon: 119.16 } }, 'missing_field', 'position.lat'],
        [{ ...ok, position: { lat: 34.5 } }, 'missing_field', 'position.lon'],
        [{ ...ok, position: { lat: 34.5, lon: 119.16, alt: 3 } }, 'unknown_field', 'position.alt'],
        [{ name_zh: 'x', type: TYPE }, 'missing_field', 'position'],
        [{ ...ok, name_zh: undefined }, 'missing_field', 'name_zh'],
        [{ ...ok, name_zh: '' }, 'missing_field', 'name_zh'],
        [{ ...ok, type: null }, 'missing_field', 'type'],
        [{ ...ok, colour: 'red' }, 'unknown_field', 'colour'],
        [{ ...ok, name_zh: '站'.repeat(67) }, 'too_long', 'name_zh'],
        [{ ...ok, name_en: 'n'.repeat(201) }, 'too_long', 'name_en'],
        [{ ...ok, address_zh: '址'.repeat(167) }, 'too_long', 'address_zh'],
        [{ ...ok, manager: 'm'.repeat(101) }, 'too_long', 'manager'],
        [{ ...ok, description: 'd'.repeat(4001) }, 'too_long', 'description'],
        [{ ...ok, name_zh: 'x'.repeat(9000) }, 'too_long', 'name_zh'],
        [{ ...ok, name_zh: 'bell\u0007' }, 'invalid_field', 'name_zh'],
        [{ ...ok, type: 'no_such_type' }, 'unknown_type', 'type'],
        [{ ...ok, region: 'NO-SUCH' }, 'unknown_region', 'region'],
        [{ ...ok, amenities: { no_such: 1 } }, 'unknown_amenity', 'amenities.no_such'],
        [{ ...ok, amenities: { microwave: 'yes' } }, 'invalid_field', 'amenities.microwave'],
        [{ ...ok, amenities: ['microwave'] }, 'invalid_field', 'amenities'],
        [{ ...ok, amenities: { microwave: -1 } }, 'invalid_field', 'amenities'],
        [{ ...ok, opening_hours: 'Mo-Fr 08:00-18:00; PH offf' }, 'invalid_opening_hours', 'opening_hours'],
        [{ ...ok, opening_hours: '' }, 'missing_field', 'opening_hours'],
        [{ ...ok, phone: 'call me' }, 'invalid_field', 'phone'],
        [{ ...ok, capacity: -1 }, 'invalid_field', 'capacity'],
        [{ ...ok, capacity: 1.5 }, 'invalid_field', 'capacity'],
        [{ ...ok, status: 'open' }, 'invalid_field', 'status'],
        [{ ...ok, status: 'temporarily_closed' }, 'missing_field', 'status_reason'],
        [{ ...ok, status_until: 'next week' }, 'invalid_field', 'status_until'],
        [{ ...ok, public: 'yes' }, 'invalid_field', 'public'],
        [{ ...ok, photos: ['ftp://x.example/a.jpg'] }, 'invalid_field', 'photos'],
        [{ ...ok, photos: 'https://x.example/a.jpg' }, 'invalid_field', 'photos'],
        [{ ...ok, photos: Array(11).fill('https://x.example/a.jpg') }, 'invalid_field', 'photos'],
      ];
      for (const [body, code, field] of cases) {
        const r = await admin.post('/api/sites', body);
        assertError(r, 422, code, field);
      }
      const after2 = expectStatus(await anon.get(`/api/sites?type=${TYPE}&status=any`), 200).json.total;
      assert.equal(after2, before, 'nothing was stored');
    });

    it('invalid_opening_hours gives the character position in its message', async () => {
      const cases = [
        ['Mo-Fr 08:00-18:00; PH offf', 23],
        ['Mo-Fr 25:00-26:00', 7],
        ['Xy 08:00-12:00', 1],
      ];
      for (const [hours, pos] of cases) {
        const r = await admin.post('/api/sites', { name_zh: 'h', type: TYPE, position: { lat: 34.5, lon: 119.1 }, opening_hours: hours });
        assertError(r, 422, 'invalid_opening_hours', 'opening_hours');
        assert.match(r.json.error.message, new RegExp(`^at character ${pos}\\b`), hours);
      }
    });

    it('PATCH changes only what it names', async () => {
      const s = await create({
        name_zh: '待修改', name_en: 'To change', region: 'HZ-XF-01', phone: '0518-1',
        capacity: 3, amenities: { wifi: true }, photos: ['https://x.example/p.jpg'],
        opening_hours: 'Mo-Su 08:00-20:00',
      });
      const p = expectStatus(await admin.patch(`/api/sites/${s.id}`, { name_en: 'Changed' }), 200).json;
      const keep = SITE_KEYS.filter((k) => !['name_en', 'updated_at', 'open', 'next_change'].includes(k));
      assert.deepEqual(pick(p, keep), pick(s, keep));
      assert.equal(p.name_en, 'Changed');
      assert.match(p.updated_at, ISO_CN);
      const g = expectStatus(await anon.get(`/api/sites/${s.id}`), 200).json;
      assert.deepEqual(pick(g, keep), pick(s, keep));
      assert.equal(g.name_en, 'Changed');
      // clear with null, replace lists
      const c = expectStatus(await admin.patch(`/api/sites/${s.id}`, {
        region: null, capacity: null, phone: null, amenities: { seats: 2, toilet: true }, photos: [],
      }), 200).json;
      assert.equal(c.region, null);
      assert.equal(c.capacity, null);
      assert.equal(c.phone, '');
      assert.deepEqual(c.amenities, [{ code: 'toilet', count: 1 }, { code: 'seats', count: 2 }]);
      assert.deepEqual(c.photos, []);
      assert.equal(c.name_en, 'Changed');
      assert.equal(c.opening_hours, 'Mo-Su 08:00-20:00');
      // a refused PATCH changes nothing
      const before = pick(expectStatus(await anon.get(`/api/sites/${s.id}`), 200).json, SITE_KEYS);
      assertError(await admin.patch(`/api/sites/${s.id}`, { name_zh: 'ok', capacity: -5 }), 422, 'invalid_field', 'capacity');
      assertError(await admin.patch(`/api/sites/${s.id}`, { name_zh: 'ok', type: 'no_such' }), 422, 'unknown_type', 'type');
      assertError(await admin.patch(`/api/sites/${s.id}`, { name_zh: 'ok', amenities: { nope: 1 } }), 422, 'unknown_amenity', 'amenities.nope');
      assertError(await admin.patch(`/api/sites/${s.id}`, { name_zh: null }), 422, 'missing_field', 'name_zh');
      assertError(await admin.patch(`/api/sites/${s.id}`, { id: 5 }), 422, 'unknown_field', 'id');
      const after2 = pick(expectStatus(await anon.get(`/api/sites/${s.id}`), 200).json, SITE_KEYS);
      assert.deepEqual(after2, before);
      // PATCH of a missing site
      assertError(await admin.patch('/api/sites/999999', { name_en: 'x' }), 404, 'not_found', null);
      assertError(await admin.patch('/api/sites/abc', { name_en: 'x' }), 404, 'not_found', null);
    });

    it('DELETE removes a site; then it is 404', async () => {
      const s = await create({ name_zh: '待删除' });
      const d = await admin.del(`/api/sites/${s.id}`);
      assert.equal(d.status, 204);
      assert.equal(d.text, '');
      assertError(await anon.get(`/api/sites/${s.id}`), 404, 'not_found', null);
      assertError(await admin.del(`/api/sites/${s.id}`), 404, 'not_found', null);
      const l = expectStatus(await anon.get(`/api/sites?type=${TYPE}&status=any&limit=1000`), 200);
      assert.ok(!l.json.items.some((x) => x.id === s.id));
    });

    it('a malformed or unknown id is 404', async () => {
      for (const id of ['0', '-1', 'abc', '007', '1.5', '999999', '99999999999999999999']) {
        assertError(await anon.get(`/api/sites/${id}`), 404, 'not_found', null);
        assertError(await admin.del(`/api/sites/${id}`), 404, 'not_found', null);
      }
    });

    it('a removed site is hidden by default and shown with status=any', async () => {
      const s = await create({ name_zh: '已撤销站点' });
      expectStatus(await admin.patch(`/api/sites/${s.id}`, { status: 'removed' }), 200);
      const q = `type=${TYPE}&q=${enc('已撤销站点')}`;
      assert.deepEqual(expectStatus(await anon.get(`/api/sites?${q}`), 200).json, { items: [], total: 0 });
      const any = expectStatus(await anon.get(`/api/sites?${q}&status=any`), 200);
      assert.deepEqual(any.json.items.map((x) => x.id), [s.id]);
      const rem = expectStatus(await anon.get(`/api/sites?${q}&status=removed`), 200);
      assert.deepEqual(rem.json.items.map((x) => x.id), [s.id]);
      assert.equal(rem.json.items[0].open, false);
      // still readable by id
      assert.equal(expectStatus(await anon.get(`/api/sites/${s.id}`), 200).json.status, 'removed');
      const all = expectStatus(await anon.get('/api/sites?status=any&limit=1'), 200).json.total;
      const dflt = expectStatus(await anon.get('/api/sites?limit=1'), 200).json.total;
      const removed = expectStatus(await anon.get('/api/sites?status=removed&limit=1'), 200).json.total;
      assert.equal(dflt, all - removed);
    });
  });

  describe('map datums', () => {
    it('a GCJ-02 position comes back in GCJ-02 within 1e-6', async () => {
      const sent = { lat: 34.601234, lon: 119.204567, datum: 'gcj02' };
      const s = await create({ position: sent });
      const g = expectStatus(await anon.get(`/api/sites/${s.id}?datum=gcj02`), 200).json;
      assert.equal(g.position.datum, 'gcj02');
      near(g.position.lat, sent.lat, 1e-6, 'lat');
      near(g.position.lon, sent.lon, 1e-6, 'lon');
      // stored as WGS-84: hundreds of metres away from the GCJ-02 numbers
      const w = expectStatus(await anon.get(`/api/sites/${s.id}`), 200).json;
      assert.equal(w.position.datum, 'wgs84');
      assert.ok(Math.abs(w.position.lat - sent.lat) + Math.abs(w.position.lon - sent.lon) > 1e-3);
      // the list gives the same numbers
      const l = expectStatus(await anon.get(`/api/sites?type=${TYPE}&datum=gcj02&status=any&limit=1000`), 200);
      const item = l.json.items.find((x) => x.id === s.id);
      near(item.position.lat, sent.lat, 1e-6, 'list lat');
      near(item.position.lon, sent.lon, 1e-6, 'list lon');
    });

    it('a BD-09 position comes back in BD-09 within 1e-6, and converts to GCJ-02 consistently', async () => {
      const sent = { lat: 34.612345, lon: 119.212345, datum: 'bd09' };
      const s = await create({ position: sent });
      const b = expectStatus(await anon.get(`/api/sites/${s.id}?datum=bd09`), 200).json;
      assert.equal(b.position.datum, 'bd09');
      near(b.position.lat, sent.lat, 1e-6, 'lat');
      near(b.position.lon, sent.lon, 1e-6, 'lon');
      // A GCJ-02 answer, sent back as GCJ-02, lands on the same stored point.
      const g = expectStatus(await anon.get(`/api/sites/${s.id}?datum=gcj02`), 200).json;
      const s2 = await create({ position: { lat: g.position.lat, lon: g.position.lon, datum: 'gcj02' } });
      const w1 = expectStatus(await anon.get(`/api/sites/${s.id}`), 200).json.position;
      const w2 = expectStatus(await anon.get(`/api/sites/${s2.id}`), 200).json.position;
      near(w2.lat, w1.lat, 1e-6, 'wgs lat');
      near(w2.lon, w1.lon, 1e-6, 'wgs lon');
    });

    it('PATCH position in GCJ-02 is converted too', async () => {
      const s = await create({});
      const sent = { lat: 34.55, lon: 119.25, datum: 'gcj02' };
      expectStatus(await admin.patch(`/api/sites/${s.id}`, { position: sent }), 200);
      const g = expectStatus(await anon.get(`/api/sites/${s.id}?datum=gcj02`), 200).json;
      near(g.position.lat, sent.lat, 1e-6, 'lat');
      near(g.position.lon, sent.lon, 1e-6, 'lon');
    });

    it('outside China GCJ-02 is WGS-84', async () => {
      const s = await create({ position: { lat: 48.8566, lon: 2.3522, datum: 'gcj02' } });
      const w = expectStatus(await anon.get(`/api/sites/${s.id}`), 200).json.position;
      near(w.lat, 48.8566, 1e-9, 'lat');
      near(w.lon, 2.3522, 1e-9, 'lon');
    });
  });

  describe('open and next_change', () => {
    const HOURS = 'Mo-Fr 08:00-18:00; PH off';
    let site;
    const state = async (iso) => {
      const g = expectStatus(await anon.get(`/api/sites/${site.id}?${at(iso)}`), 200).json;
      return { open: g.open, next_change: g.next_change };
    };

    before(async () => {
      site = await create({ name_zh: '工作日站点', opening_hours: HOURS });
    });

    it('plain weekdays and weekends (no calendar entries)', async () => {
      assert.deepEqual(await state('2026-12-24T12:00:00+08:00'), { open: true, next_change: '2026-12-24T18:00:00+08:00' });
      assert.deepEqual(await state('2026-12-24T18:00:00+08:00'), { open: false, next_change: '2026-12-25T08:00:00+08:00' });
      assert.deepEqual(await state('2026-12-25T10:00:00+08:00'), { open: true, next_change: '2026-12-25T18:00:00+08:00' });
      assert.deepEqual(await state('2026-12-26T10:00:00+08:00'), { open: false, next_change: '2026-12-28T08:00:00+08:00' });
      // the same instant written in UTC, and without a zone (local time)
      assert.deepEqual(await state('2026-12-24T04:00:00Z'), { open: true, next_change: '2026-12-24T18:00:00+08:00' });
      assert.deepEqual(await state('2026-12-24T12:00'), { open: true, next_change: '2026-12-24T18:00:00+08:00' });
      assert.deepEqual(await state('2026-12-24T07:59:59+08:00'), { open: false, next_change: '2026-12-24T08:00:00+08:00' });
      assert.deepEqual(await state('2026-12-24T08:00:00+08:00'), { open: true, next_change: '2026-12-24T18:00:00+08:00' });
    });

    it('a holiday PUT into the calendar closes a Friday; a make-up Saturday opens', async () => {
      expectStatus(await admin.put('/api/holidays/2026-12-25', { kind: 'holiday', name_zh: '测试假日', name_en: 'Test holiday' }), 200);
      expectStatus(await admin.put('/api/holidays/2026-12-26', { kind: 'workday', as_weekday: 5, name_zh: '测试调休' }), 200);
      // Thursday evening: next opening is the make-up Saturday, not the holiday Friday.
      assert.deepEqual(await state('2026-12-24T18:00:00+08:00'), { open: false, next_change: '2026-12-26T08:00:00+08:00' });
      assert.deepEqual(await state('2026-12-24T12:00:00+08:00'), { open: true, next_change: '2026-12-24T18:00:00+08:00' });
      // The holiday itself.
      assert.deepEqual(await state('2026-12-25T10:00:00+08:00'), { open: false, next_change: '2026-12-26T08:00:00+08:00' });
      assert.deepEqual(await state('2026-12-25T23:59:00+08:00'), { open: false, next_change: '2026-12-26T08:00:00+08:00' });
      // The make-up Saturday works like a Friday.
      assert.deepEqual(await state('2026-12-26T07:59:59+08:00'), { open: false, next_change: '2026-12-26T08:00:00+08:00' });
      assert.deepEqual(await state('2026-12-26T08:00:00+08:00'), { open: true, next_change: '2026-12-26T18:00:00+08:00' });
      assert.deepEqual(await state('2026-12-26T04:00:00Z'), { open: true, next_change: '2026-12-26T18:00:00+08:00' });
      assert.deepEqual(await state('2026-12-26T18:00:00+08:00'), { open: false, next_change: '2026-12-28T08:00:00+08:00' });
      // Sunday stays closed.
      assert.deepEqual(await state('2026-12-27T12:00:00+08:00'), { open: false, next_change: '2026-12-28T08:00:00+08:00' });
      // The list answers the same for the same moment.
      const l = expectStatus(await anon.get(`/api/sites?type=${TYPE}&q=${enc('工作日站点')}&${at('2026-12-25T10:00:00+08:00')}`), 200);
      assert.deepEqual(l.json.items.map((x) => [x.id, x.open, x.next_change]),
        [[site.id, false, '2026-12-26T08:00:00+08:00']]);
      // ?datum and ?at together
      const both = expectStatus(await anon.get(`/api/sites/${site.id}?datum=gcj02&${at('2026-12-26T09:00:00+08:00')}`), 200).json;
      assert.equal(both.open, true);
      assert.equal(both.position.datum, 'gcj02');
    });

    it('the calendar from the demo data applies too (2026-10-01 holiday, 2026-10-10 make-up)', async () => {
      assert.deepEqual(await state('2026-09-30T12:00:00+08:00'), { open: true, next_change: '2026-09-30T18:00:00+08:00' });
      assert.deepEqual(await state('2026-10-01T12:00:00+08:00'), { open: false, next_change: '2026-10-08T08:00:00+08:00' });
      assert.deepEqual(await state('2026-10-10T09:00:00+08:00'), { open: true, next_change: '2026-10-10T18:00:00+08:00' });
      assert.deepEqual(await state('2026-10-10T19:00:00+08:00'), { open: false, next_change: '2026-10-12T08:00:00+08:00' });
    });

    it('deleting the calendar days restores the plain week', async () => {
      assert.equal((await admin.del('/api/holidays/2026-12-25')).status, 204);
      assert.equal((await admin.del('/api/holidays/2026-12-26')).status, 204);
      assert.deepEqual(await state('2026-12-25T10:00:00+08:00'), { open: true, next_change: '2026-12-25T18:00:00+08:00' });
      assert.deepEqual(await state('2026-12-26T10:00:00+08:00'), { open: false, next_change: '2026-12-28T08:00:00+08:00' });
    });

    it('overnight hours spill into the next morning', async () => {
      const s = await create({ opening_hours: 'Mo-Su 18:00-02:00' });
      const st = async (iso) => pick(expectStatus(await anon.get(`/api/sites/${s.id}?${at(iso)}`), 200).json, ['open', 'next_change']);
      assert.deepEqual(await st('2026-12-01T01:30:00+08:00'), { open: true, next_change: '2026-12-01T02:00:00+08:00' });
      assert.deepEqual(await st('2026-12-01T12:00:00+08:00'), { open: false, next_change: '2026-12-01T18:00:00+08:00' });
      assert.deepEqual(await st('2026-12-01T23:00:00+08:00'), { open: true, next_change: '2026-12-02T02:00:00+08:00' });
    });
  });

  describe('status and temporary closures', () => {
    const HOURS = 'Mo-Fr 08:00-18:00; PH off';
    const stateOf = async (id, iso) =>
      pick(expectStatus(await anon.get(`/api/sites/${id}?${at(iso)}`), 200).json, ['open', 'next_change']);

    it('closed until a time when the hours are open: next_change is status_until', async () => {
      const s = await create({ name_zh: '临时关闭', opening_hours: HOURS });
      const p = expectStatus(await admin.patch(`/api/sites/${s.id}`, {
        status: 'temporarily_closed', status_reason: '设备检修', status_until: '2026-12-02T12:00:00+08:00',
      }), 200).json;
      assert.equal(p.status, 'temporarily_closed');
      assert.equal(p.status_reason, '设备检修');
      assert.equal(p.status_until, '2026-12-02T12:00:00+08:00');
      // Before the end: closed, even in opening hours.
      assert.deepEqual(await stateOf(s.id, '2026-12-01T10:00:00+08:00'), { open: false, next_change: '2026-12-02T12:00:00+08:00' });
      assert.deepEqual(await stateOf(s.id, '2026-12-02T11:59:59+08:00'), { open: false, next_change: '2026-12-02T12:00:00+08:00' });
      // From the end on: the hours decide.
      assert.deepEqual(await stateOf(s.id, '2026-12-02T12:00:00+08:00'), { open: true, next_change: '2026-12-02T18:00:00+08:00' });
      assert.deepEqual(await stateOf(s.id, '2026-12-02T13:00:00+08:00'), { open: true, next_change: '2026-12-02T18:00:00+08:00' });
      assert.deepEqual(await stateOf(s.id, '2026-12-02T19:00:00+08:00'), { open: false, next_change: '2026-12-03T08:00:00+08:00' });
      // status_until given in UTC is the same instant.
      const u = expectStatus(await admin.patch(`/api/sites/${s.id}`, { status_until: '2026-12-02T04:00:00Z' }), 200).json;
      assert.equal(u.status_until, '2026-12-02T12:00:00+08:00');
      assert.equal(u.status, 'temporarily_closed');
    });

    it('closed until a time when the hours are closed: next_change is the next opening after it', async () => {
      const s = await create({
        name_zh: '周末结束的关闭', opening_hours: HOURS, status: 'temporarily_closed',
        status_reason: 'renovation', status_until: '2026-12-05T12:00:00+08:00', // a Saturday
      });
      assert.deepEqual(await stateOf(s.id, '2026-12-04T10:00:00+08:00'), { open: false, next_change: '2026-12-07T08:00:00+08:00' });
      assert.deepEqual(await stateOf(s.id, '2026-12-06T10:00:00+08:00'), { open: false, next_change: '2026-12-07T08:00:00+08:00' });
      assert.deepEqual(await stateOf(s.id, '2026-12-07T09:00:00+08:00'), { open: true, next_change: '2026-12-07T18:00:00+08:00' });
    });

    it('a closure without an end is closed with no next change; reopening clears reason and end', async () => {
      const s = await create({ name_zh: '无限期关闭', opening_hours: HOURS, status: 'temporarily_closed', status_reason: '暂停' });
      assert.equal(s.status_until, null);
      assert.deepEqual(await stateOf(s.id, '2026-12-01T10:00:00+08:00'), { open: false, next_change: null });
      const r = expectStatus(await admin.patch(`/api/sites/${s.id}`, { status: 'operational' }), 200).json;
      assert.equal(r.status, 'operational');
      assert.equal(r.status_reason, null);
      assert.equal(r.status_until, null);
      assert.deepEqual(await stateOf(s.id, '2026-12-01T10:00:00+08:00'), { open: true, next_change: '2026-12-01T18:00:00+08:00' });
    });

    it('closed, planned and removed sites are never open', async () => {
      for (const status of ['closed', 'planned', 'removed']) {
        const s = await create({ opening_hours: '24/7', status });
        assert.deepEqual(await stateOf(s.id, '2026-12-01T10:00:00+08:00'), { open: false, next_change: null }, status);
      }
      const p = await create({ opening_hours: HOURS, status: 'partly_operational' });
      assert.deepEqual(await stateOf(p.id, '2026-12-01T10:00:00+08:00'), { open: true, next_change: '2026-12-01T18:00:00+08:00' });
    });
  });
});
