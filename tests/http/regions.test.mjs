// The region tree: listing, lookups, ancestors/descendants, and the admin
// writes (create, move/rename, delete) with their refusals.
import { describe, it, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, ADMIN_TOKEN, assertError, expectStatus } from './lib/server.mjs';

const STREETS = [
  'HZ-XH', 'HZ-XD', 'HZ-XN', 'HZ-XP', 'HZ-HZ', 'HZ-XF', 'HZ-QY',
  'HZ-HM', 'HZ-NH', 'HZ-PX', 'HZ-LN', 'HZ-HGS', 'HZ-YT', 'HZ-NC',
];

const codes = (r) => r.json.items.map((x) => x.code);

describe('regions', () => {
  let srv;
  let anon;
  let admin;
  before(async () => {
    srv = await startServer({ demo: true });
    anon = srv.client();
    admin = srv.client(ADMIN_TOKEN);
  });
  after(async () => {
    if (srv) await srv.stop();
  });
  afterEach(() => srv.assertHealthy());

  describe('reading', () => {
    it('GET /api/regions lists the whole demo tree in tree order', async () => {
      const r = expectStatus(await anon.get('/api/regions'), 200);
      assert.deepEqual(Object.keys(r.json).sort(), ['items', 'total']);
      assert.equal(r.json.total, 141); // 1 district, 14 streets, 42 communities, 84 grids
      assert.equal(r.json.items.length, 141);
      assert.equal(r.json.items[0].code, 'HZ');
      // Tree order: every region comes after its parent.
      const seen = new Set();
      for (const x of r.json.items) {
        if (x.parent) assert.ok(seen.has(x.parent), `${x.code} listed before its parent ${x.parent}`);
        seen.add(x.code);
      }
      const counts = {};
      for (const x of r.json.items) counts[x.level] = (counts[x.level] || 0) + 1;
      assert.deepEqual(counts, { district: 1, street: 14, community: 42, grid: 84 });
    });

    it('?roots=1 lists only the roots', async () => {
      const r = expectStatus(await anon.get('/api/regions?roots=1'), 200);
      assert.deepEqual(codes(r), ['HZ']);
      assert.equal(r.json.total, 1);
      assert.equal(r.json.items[0].parent, null);
    });

    it('?parent=CODE lists the children', async () => {
      const r = expectStatus(await anon.get('/api/regions?parent=HZ'), 200);
      assert.equal(r.json.total, 14);
      assert.deepEqual(new Set(codes(r)), new Set(STREETS));
      for (const x of r.json.items) {
        assert.equal(x.parent, 'HZ');
        assert.equal(x.level, 'street');
      }
      const c = expectStatus(await anon.get('/api/regions?parent=HZ-XF'), 200);
      assert.deepEqual(codes(c), ['HZ-XF-01', 'HZ-XF-02', 'HZ-XF-03']);
      assert.equal(c.json.total, 3);
      const none = expectStatus(await anon.get('/api/regions?parent=NO-SUCH'), 200);
      assert.deepEqual(none.json, { items: [], total: 0 });
    });

    it('?level= filters, and limit/offset page with the full total', async () => {
      const all = expectStatus(await anon.get('/api/regions?level=grid'), 200);
      assert.equal(all.json.total, 84);
      assert.ok(all.json.items.every((x) => x.level === 'grid'));
      const paged = [];
      for (let offset = 0; offset < 84; offset += 25) {
        const p = expectStatus(await anon.get(`/api/regions?level=grid&limit=25&offset=${offset}`), 200);
        assert.equal(p.json.total, 84, 'total is the full count on every page');
        assert.equal(p.json.items.length, Math.min(25, 84 - offset));
        paged.push(...p.json.items);
      }
      assert.deepEqual(paged, all.json.items, 'pages concatenate to the full list');
      const past = expectStatus(await anon.get('/api/regions?level=grid&limit=25&offset=84'), 200);
      assert.deepEqual(past.json, { items: [], total: 84 });
      const both = expectStatus(await anon.get('/api/regions?parent=HZ-XF-02&level=grid'), 200);
      assert.deepEqual(codes(both), ['HZ-XF-02-G1', 'HZ-XF-02-G2']);
      const mismatch = expectStatus(await anon.get('/api/regions?parent=HZ&level=grid'), 200);
      assert.equal(mismatch.json.total, 0);
    });

    it('bad query arguments are 400 invalid_query naming the argument', async () => {
      assertError(await anon.get('/api/regions?level=county'), 400, 'invalid_query', 'level');
      assertError(await anon.get('/api/regions?limit=0'), 400, 'invalid_query', 'limit');
      assertError(await anon.get('/api/regions?limit=5001'), 400, 'invalid_query', 'limit');
      assertError(await anon.get('/api/regions?limit=ten'), 400, 'invalid_query', 'limit');
      assertError(await anon.get('/api/regions?offset=-1'), 400, 'invalid_query', 'offset');
      assertError(await anon.get('/api/regions?offset=1.5'), 400, 'invalid_query', 'offset');
    });

    it('GET /api/regions/{code} answers one region', async () => {
      const r = expectStatus(await anon.get('/api/regions/HZ-XF-02'), 200);
      assert.deepEqual(
        { ...r.json, id: undefined },
        {
          id: undefined,
          code: 'HZ-XF-02',
          parent: 'HZ-XF',
          level: 'community',
          name_zh: '苍梧社区',
          name_en: 'Cangwu Community',
          demo: true,
        },
      );
      assert.ok(Number.isInteger(r.json.id) && r.json.id > 0);
      const root = expectStatus(await anon.get('/api/regions/HZ'), 200);
      assert.equal(root.json.parent, null);
      assert.equal(root.json.name_zh, '海州区');
      assertError(await anon.get('/api/regions/NO-SUCH'), 404, 'not_found', null);
    });

    it('ancestors are listed from the root down, descendants in tree order', async () => {
      const a = expectStatus(await anon.get('/api/regions/HZ-XF-02-G1/ancestors'), 200);
      assert.deepEqual(codes(a), ['HZ', 'HZ-XF', 'HZ-XF-02']);
      assert.equal(a.json.total, 3);
      const rootUp = expectStatus(await anon.get('/api/regions/HZ/ancestors'), 200);
      assert.deepEqual(rootUp.json, { items: [], total: 0 });
      const d = expectStatus(await anon.get('/api/regions/HZ-XF/descendants'), 200);
      assert.deepEqual(codes(d), [
        'HZ-XF-01', 'HZ-XF-01-G1', 'HZ-XF-01-G2',
        'HZ-XF-02', 'HZ-XF-02-G1', 'HZ-XF-02-G2',
        'HZ-XF-03', 'HZ-XF-03-G1', 'HZ-XF-03-G2',
      ]);
      assert.equal(d.json.total, 9);
      const leaf = expectStatus(await anon.get('/api/regions/HZ-XF-02-G1/descendants'), 200);
      assert.deepEqual(leaf.json, { items: [], total: 0 });
      const all = expectStatus(await anon.get('/api/regions/HZ/descendants'), 200);
      assert.equal(all.json.total, 140);
      assertError(await anon.get('/api/regions/NO-SUCH/ancestors'), 404, 'not_found', null);
      assertError(await anon.get('/api/regions/NO-SUCH/descendants'), 404, 'not_found', null);
    });
  });

  describe('writing', () => {
    it('POST creates a root and children, with Location', async () => {
      const p = await admin.post('/api/regions', {
        code: 'T-P', level: 'province', name_zh: '测试省', name_en: 'Test Province',
      });
      expectStatus(p, 201);
      assert.equal(p.headers.get('location'), '/api/regions/T-P');
      assert.deepEqual({ ...p.json, id: 0 }, {
        id: 0, code: 'T-P', parent: null, level: 'province', name_zh: '测试省',
        name_en: 'Test Province', demo: false,
      });
      const c = expectStatus(await admin.post('/api/regions', {
        code: 'T-C', parent: 'T-P', level: 'city', name_zh: '测试市',
      }), 201);
      assert.equal(c.json.parent, 'T-P');
      assert.equal(c.json.name_en, '');
      expectStatus(await admin.post('/api/regions', { code: 'T-D', parent: 'T-C', level: 'district', name_zh: '测试区' }), 201);
      expectStatus(await admin.post('/api/regions', { code: 'T-S', parent: 'T-D', level: 'street', name_zh: '测试街道' }), 201);
      // A level may be skipped: a grid directly under a city.
      expectStatus(await admin.post('/api/regions', { code: 'T-G', parent: 'T-C', level: 'grid', name_zh: '网格' }), 201);
      const got = expectStatus(await anon.get('/api/regions/T-S'), 200);
      assert.equal(got.json.parent, 'T-D');
      const up = expectStatus(await anon.get('/api/regions/T-S/ancestors'), 200);
      assert.deepEqual(codes(up), ['T-P', 'T-C', 'T-D']);
      const roots = expectStatus(await anon.get('/api/regions?roots=1'), 200);
      assert.deepEqual(new Set(codes(roots)), new Set(['HZ', 'T-P']));
    });

    it('POST refuses a taken code with 409 code_taken', async () => {
      const r = await admin.post('/api/regions', { code: 'HZ-XF', level: 'province', name_zh: '重复' });
      assertError(r, 409, 'code_taken', 'code');
      const still = expectStatus(await anon.get('/api/regions/HZ-XF'), 200);
      assert.equal(still.json.name_zh, '幸福路街道');
    });

    it('POST validates every field with the exact field path', async () => {
      const ok = { code: 'T-NEW', level: 'street', name_zh: '新', parent: 'HZ' };
      const cases = [
        [{ ...ok, parent: 'NO-SUCH' }, 422, 'unknown_region', 'parent'],
        [{ ...ok, level: 'district' }, 422, 'invalid_field', 'level'], // not below its district parent
        [{ ...ok, level: 'county' }, 422, 'invalid_field', 'level'],
        [{ ...ok, code: 'bad code!' }, 422, 'invalid_field', 'code'],
        [{ ...ok, code: '-dash-first' }, 422, 'invalid_field', 'code'],
        [{ ...ok, code: 'x'.repeat(65) }, 422, 'too_long', 'code'],
        [{ ...ok, code: 42 }, 422, 'invalid_field', 'code'],
        [{ ...ok, name_zh: '长'.repeat(67) }, 422, 'too_long', 'name_zh'], // 201 bytes
        [{ ...ok, name_en: 'e'.repeat(201) }, 422, 'too_long', 'name_en'],
        [{ ...ok, name_zh: '' }, 422, 'missing_field', 'name_zh'],
        [{ level: 'street', name_zh: '新' }, 422, 'missing_field', 'code'],
        [{ code: 'T-NEW', name_zh: '新' }, 422, 'missing_field', 'level'],
        [{ code: 'T-NEW', level: 'street' }, 422, 'missing_field', 'name_zh'],
        [{ ...ok, colour: 'red' }, 422, 'unknown_field', 'colour'],
        [{ ...ok, parent: 7 }, 422, 'invalid_field', 'parent'],
      ];
      for (const [body, status, code, field] of cases) {
        const r = await admin.post('/api/regions', body);
        assertError(r, status, code, field);
      }
      assertError(await anon.get('/api/regions/T-NEW'), 404, 'not_found');
      // 200 bytes exactly is accepted (a limit in bytes, not characters).
      const max = expectStatus(await admin.post('/api/regions', {
        code: 'T-MAX', level: 'grid', name_zh: '长'.repeat(66) + 'ab', parent: 'HZ-XF-01',
      }), 201);
      assert.equal(Buffer.byteLength(max.json.name_zh), 200);
    });

    it('PATCH renames and keeps the rest', async () => {
      const before = expectStatus(await anon.get('/api/regions/T-D'), 200).json;
      const r = expectStatus(await admin.patch('/api/regions/T-D', { name_en: 'Test District' }), 200);
      assert.deepEqual(r.json, { ...before, name_en: 'Test District' });
      assert.deepEqual(expectStatus(await anon.get('/api/regions/T-D'), 200).json, r.json);
      assertError(await admin.patch('/api/regions/NO-SUCH', { name_en: 'x' }), 404, 'not_found', null);
    });

    it('PATCH parent moves a whole subtree', async () => {
      expectStatus(await admin.post('/api/regions', { code: 'T-P2', level: 'province', name_zh: '第二省' }), 201);
      const m = expectStatus(await admin.patch('/api/regions/T-C', { parent: 'T-P2' }), 200);
      assert.equal(m.json.parent, 'T-P2');
      assert.equal(m.json.level, 'city');
      const up = expectStatus(await anon.get('/api/regions/T-S/ancestors'), 200);
      assert.deepEqual(codes(up), ['T-P2', 'T-C', 'T-D']);
      const oldDown = expectStatus(await anon.get('/api/regions/T-P/descendants'), 200);
      assert.deepEqual(oldDown.json, { items: [], total: 0 });
      const newDown = expectStatus(await anon.get('/api/regions/T-P2/descendants'), 200);
      assert.deepEqual(new Set(codes(newDown)), new Set(['T-C', 'T-D', 'T-S', 'T-G']));
      assert.equal(newDown.json.items[0].code, 'T-C');
      const kids = expectStatus(await anon.get('/api/regions?parent=T-P2'), 200);
      assert.deepEqual(codes(kids), ['T-C']);
    });

    it('PATCH refuses cycles: under itself or under a descendant', async () => {
      assertError(await admin.patch('/api/regions/T-C', { parent: 'T-C' }), 422, 'invalid_field', 'parent');
      assertError(await admin.patch('/api/regions/T-C', { parent: 'T-S' }), 422, 'invalid_field', 'parent');
      assertError(await admin.patch('/api/regions/T-P2', { parent: 'T-D' }), 422, 'invalid_field', 'parent');
      const c = expectStatus(await anon.get('/api/regions/T-C'), 200);
      assert.equal(c.json.parent, 'T-P2');
      const up = expectStatus(await anon.get('/api/regions/T-S/ancestors'), 200);
      assert.deepEqual(codes(up), ['T-P2', 'T-C', 'T-D']);
    });

    it('PATCH refuses level-order violations', async () => {
      // moving a street under a street
      assertError(await admin.patch('/api/regions/T-S', { parent: 'HZ-XF' }), 422, 'invalid_field', 'level');
      // a level at or above the parent's
      assertError(await admin.patch('/api/regions/T-D', { level: 'city' }), 422, 'invalid_field', 'level');
      assertError(await admin.patch('/api/regions/T-D', { level: 'province' }), 422, 'invalid_field', 'level');
      // a level at or below a child's (T-D has the street T-S)
      assertError(await admin.patch('/api/regions/T-D', { level: 'street' }), 422, 'invalid_field', 'level');
      assertError(await admin.patch('/api/regions/T-D', { level: 'grid' }), 422, 'invalid_field', 'level');
      assertError(await admin.patch('/api/regions/T-D', { level: 'county' }), 422, 'invalid_field', 'level');
      assertError(await admin.patch('/api/regions/T-D', { parent: 'NO-SUCH' }), 422, 'unknown_region', 'parent');
      assertError(await admin.patch('/api/regions/T-D', { bogus: 1 }), 422, 'unknown_field', 'bogus');
      assert.equal(expectStatus(await anon.get('/api/regions/T-D'), 200).json.level, 'district');
      // a move together with a level change that fits the new place
      const ok = expectStatus(await admin.patch('/api/regions/T-G', { parent: 'T-S', level: 'community' }), 200);
      assert.equal(ok.json.parent, 'T-S');
      assert.equal(ok.json.level, 'community');
    });

    it('PATCH parent null makes a root; PATCH code renames everywhere', async () => {
      const r = expectStatus(await admin.patch('/api/regions/T-D', { parent: null }), 200);
      assert.equal(r.json.parent, null);
      const up = expectStatus(await anon.get('/api/regions/T-S/ancestors'), 200);
      assert.deepEqual(codes(up), ['T-D']);
      const roots = expectStatus(await anon.get('/api/regions?roots=1'), 200);
      assert.ok(codes(roots).includes('T-D'));
      const rn = expectStatus(await admin.patch('/api/regions/T-D', { code: 'T-D2' }), 200);
      assert.equal(rn.json.code, 'T-D2');
      assertError(await anon.get('/api/regions/T-D'), 404, 'not_found');
      assert.equal(expectStatus(await anon.get('/api/regions/T-S'), 200).json.parent, 'T-D2');
      assertError(await admin.patch('/api/regions/T-D2', { code: 'HZ' }), 409, 'code_taken', 'code');
      assertError(await admin.patch('/api/regions/T-D2', { code: 'no spaces' }), 422, 'invalid_field', 'code');
      assert.equal(expectStatus(await anon.get('/api/regions/T-D2'), 200).json.code, 'T-D2');
    });

    it('DELETE removes a leaf; 404 when missing', async () => {
      expectStatus(await admin.post('/api/regions', { code: 'T-LEAF', level: 'grid', name_zh: '叶', parent: 'HZ-XF-03' }), 201);
      const d = await admin.del('/api/regions/T-LEAF');
      assert.equal(d.status, 204);
      assert.equal(d.text, '');
      assertError(await anon.get('/api/regions/T-LEAF'), 404, 'not_found');
      assertError(await admin.del('/api/regions/T-LEAF'), 404, 'not_found', null);
      const kids = expectStatus(await anon.get('/api/regions?parent=HZ-XF-03'), 200);
      assert.deepEqual(codes(kids), ['HZ-XF-03-G1', 'HZ-XF-03-G2']);
    });

    it('DELETE refuses a region with children: 409 region_in_use', async () => {
      assertError(await admin.del('/api/regions/HZ-XF'), 409, 'region_in_use', null);
      assertError(await admin.del('/api/regions/T-D2'), 409, 'region_in_use', null);
      expectStatus(await anon.get('/api/regions/HZ-XF'), 200);
      expectStatus(await anon.get('/api/regions/T-D2'), 200);
    });

    it('DELETE refuses a region with sites: 409 region_in_use', async () => {
      expectStatus(await admin.post('/api/regions', { code: 'T-SITES', level: 'grid', name_zh: '有站点', parent: 'HZ-XF-03' }), 201);
      const site = expectStatus(await admin.post('/api/sites', {
        name_zh: '区域测试站', type: 'warm_hut', region: 'T-SITES', position: { lat: 34.59, lon: 119.16 },
      }), 201);
      assertError(await admin.del('/api/regions/T-SITES'), 409, 'region_in_use', null);
      expectStatus(await anon.get('/api/regions/T-SITES'), 200);
      // The site appears under every ancestor's subtree.
      for (const region of ['T-SITES', 'HZ-XF-03', 'HZ-XF', 'HZ']) {
        const l = expectStatus(await anon.get(`/api/sites?region=${region}&q=${encodeURIComponent('区域测试站')}`), 200);
        assert.deepEqual(l.json.items.map((s) => s.id), [site.json.id], region);
      }
      assert.equal((await admin.del(`/api/sites/${site.json.id}`)).status, 204);
      assert.equal((await admin.del('/api/regions/T-SITES')).status, 204);
      assertError(await anon.get('/api/regions/T-SITES'), 404, 'not_found');
    });

    it('a moved region takes its sites along in region filters', async () => {
      expectStatus(await admin.post('/api/regions', { code: 'T-MV', level: 'grid', name_zh: '会搬家', parent: 'HZ-XF-01' }), 201);
      const site = expectStatus(await admin.post('/api/sites', {
        name_zh: '搬家站', type: 'warm_hut', region: 'T-MV', position: { lat: 34.59, lon: 119.16 },
      }), 201);
      const q = `q=${encodeURIComponent('搬家站')}`;
      assert.equal(expectStatus(await anon.get(`/api/sites?region=HZ-XF&${q}`), 200).json.total, 1);
      expectStatus(await admin.patch('/api/regions/T-MV', { parent: 'HZ-YT-02' }), 200);
      assert.equal(expectStatus(await anon.get(`/api/sites?region=HZ-XF&${q}`), 200).json.total, 0);
      const yt = expectStatus(await anon.get(`/api/sites?region=HZ-YT&${q}`), 200);
      assert.deepEqual(yt.json.items.map((s) => s.id), [site.json.id]);
      assert.equal(yt.json.items[0].region, 'T-MV');
    });
  });
});
