// The site-type and amenity catalogues.
import { describe, it, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, ADMIN_TOKEN, assertError, expectStatus } from './lib/server.mjs';

describe('catalog', () => {
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

  describe('site types', () => {
    it('GET /api/site-types lists by tier, then the untiered', async () => {
      const r = expectStatus(await anon.get('/api/site-types'), 200);
      assert.equal(r.json.total, 5);
      assert.deepEqual(
        r.json.items.map((t) => [t.code, t.tier]),
        [['industry_hub', 1], ['community_station', 2], ['warm_hut', 3], ['canteen', null], ['battery_swap', null]],
      );
      for (const t of r.json.items) assert.deepEqual(Object.keys(t).sort(), ['code', 'id', 'name_en', 'name_zh', 'tier']);
    });

    it('GET /api/site-types/{code} answers one type, 404 otherwise', async () => {
      const r = expectStatus(await anon.get('/api/site-types/warm_hut'), 200);
      assert.deepEqual({ ...r.json, id: 0 }, { id: 0, code: 'warm_hut', name_zh: '暖新小屋', name_en: 'Warm Hut', tier: 3 });
      assertError(await anon.get('/api/site-types/nope'), 404, 'not_found', null);
    });

    it('POST creates a type; a taken code is 409 code_taken', async () => {
      const r = expectStatus(await admin.post('/api/site-types', { code: 'kiosk', name_zh: '服务亭', name_en: 'Kiosk', tier: 3 }), 201);
      assert.deepEqual({ ...r.json, id: 0 }, { id: 0, code: 'kiosk', name_zh: '服务亭', name_en: 'Kiosk', tier: 3 });
      assert.deepEqual(expectStatus(await anon.get('/api/site-types/kiosk'), 200).json, r.json);
      const plain = expectStatus(await admin.post('/api/site-types', { code: 'library', name_zh: '图书馆' }), 201);
      assert.equal(plain.json.tier, null);
      assert.equal(plain.json.name_en, '');
      assertError(await admin.post('/api/site-types', { code: 'kiosk', name_zh: '重复' }), 409, 'code_taken', 'code');
      const list = expectStatus(await anon.get('/api/site-types'), 200);
      assert.equal(list.json.total, 7);
      // tier 3 kiosk sorts with the tier-3 types, before the untiered ones
      assert.deepEqual(list.json.items.map((t) => t.code),
        ['industry_hub', 'community_station', 'warm_hut', 'kiosk', 'canteen', 'battery_swap', 'library']);
    });

    it('POST validates fields', async () => {
      const cases = [
        [{ code: 'x1', name_zh: 'x', tier: 4 }, 'invalid_field', 'tier'],
        [{ code: 'x1', name_zh: 'x', tier: 0 }, 'invalid_field', 'tier'],
        [{ code: 'x1', name_zh: 'x', tier: '1' }, 'invalid_field', 'tier'],
        [{ code: 'x 1', name_zh: 'x' }, 'invalid_field', 'code'],
        [{ name_zh: 'x' }, 'missing_field', 'code'],
        [{ code: 'x1' }, 'missing_field', 'name_zh'],
        [{ code: 'x1', name_zh: 'x', icon: 'y' }, 'unknown_field', 'icon'],
        [{ code: 'x1', name_zh: '字'.repeat(67) }, 'too_long', 'name_zh'],
      ];
      for (const [body, code, field] of cases) assertError(await admin.post('/api/site-types', body), 422, code, field);
      assertError(await anon.get('/api/site-types/x1'), 404, 'not_found');
    });

    it('PATCH changes some fields and keeps the rest', async () => {
      const r = expectStatus(await admin.patch('/api/site-types/kiosk', { name_en: 'Service kiosk' }), 200);
      assert.equal(r.json.name_en, 'Service kiosk');
      assert.equal(r.json.name_zh, '服务亭');
      assert.equal(r.json.tier, 3);
      const t = expectStatus(await admin.patch('/api/site-types/kiosk', { tier: null }), 200);
      assert.equal(t.json.tier, null);
      const rn = expectStatus(await admin.patch('/api/site-types/kiosk', { code: 'kiosk2', tier: 2 }), 200);
      assert.equal(rn.json.code, 'kiosk2');
      assert.equal(rn.json.tier, 2);
      assertError(await anon.get('/api/site-types/kiosk'), 404, 'not_found');
      assert.deepEqual(expectStatus(await anon.get('/api/site-types/kiosk2'), 200).json, rn.json);
      assertError(await admin.patch('/api/site-types/kiosk2', { code: 'warm_hut' }), 409, 'code_taken', 'code');
      assertError(await admin.patch('/api/site-types/kiosk2', { tier: 9 }), 422, 'invalid_field', 'tier');
      assertError(await admin.patch('/api/site-types/kiosk2', { extra: 1 }), 422, 'unknown_field', 'extra');
      assertError(await admin.patch('/api/site-types/nope', { name_en: 'x' }), 404, 'not_found', null);
      assert.deepEqual(expectStatus(await anon.get('/api/site-types/kiosk2'), 200).json, rn.json);
    });

    it('a renamed type shows on its sites', async () => {
      const s = expectStatus(await admin.post('/api/sites', {
        name_zh: '类型改名站', type: 'kiosk2', position: { lat: 34.6, lon: 119.2 },
      }), 201);
      assert.equal(s.json.type, 'kiosk2');
      assert.equal(s.json.tier, 2);
      expectStatus(await admin.patch('/api/site-types/kiosk2', { code: 'kiosk3', tier: 1 }), 200);
      const g = expectStatus(await anon.get(`/api/sites/${s.json.id}`), 200);
      assert.equal(g.json.type, 'kiosk3');
      assert.equal(g.json.tier, 1);
      const f = expectStatus(await anon.get('/api/sites?type=kiosk3'), 200);
      assert.deepEqual(f.json.items.map((x) => x.id), [s.json.id]);
    });

    it('DELETE refuses a type in use (409 in_use) and removes an unused one', async () => {
      assertError(await admin.del('/api/site-types/warm_hut'), 409, 'in_use', null);
      assertError(await admin.del('/api/site-types/kiosk3'), 409, 'in_use', null);
      expectStatus(await anon.get('/api/site-types/warm_hut'), 200);
      const d = await admin.del('/api/site-types/library');
      assert.equal(d.status, 204);
      assert.equal(d.text, '');
      assertError(await anon.get('/api/site-types/library'), 404, 'not_found');
      assertError(await admin.del('/api/site-types/library'), 404, 'not_found', null);
      // Once its last site is gone, a type can go.
      const sites = expectStatus(await anon.get('/api/sites?type=kiosk3&status=any'), 200);
      for (const s of sites.json.items) assert.equal((await admin.del(`/api/sites/${s.id}`)).status, 204);
      assert.equal((await admin.del('/api/site-types/kiosk3')).status, 204);
    });
  });

  describe('amenities', () => {
    it('GET /api/amenities lists all 22 demo amenities in id order', async () => {
      const r = expectStatus(await anon.get('/api/amenities'), 200);
      assert.equal(r.json.total, 22);
      assert.equal(r.json.items.length, 22);
      assert.equal(r.json.items[0].code, 'phone_charging');
      const ids = r.json.items.map((m) => m.id);
      assert.deepEqual(ids, [...ids].sort((a, b) => a - b));
      for (const m of r.json.items) {
        assert.deepEqual(Object.keys(m).sort(), ['code', 'icon', 'id', 'kind', 'name_en', 'name_zh']);
        assert.ok(['boolean', 'counted'].includes(m.kind));
      }
    });

    it('GET /api/amenities/{code} answers one amenity, 404 otherwise', async () => {
      const r = expectStatus(await anon.get('/api/amenities/microwave'), 200);
      assert.deepEqual({ ...r.json, id: 0 }, {
        id: 0, code: 'microwave', name_zh: '微波炉', name_en: 'Microwave', icon: 'microwave', kind: 'boolean',
      });
      assertError(await anon.get('/api/amenities/nope'), 404, 'not_found', null);
    });

    it('POST creates; a taken code is 409 code_taken', async () => {
      const r = expectStatus(await admin.post('/api/amenities', {
        code: 'sofa', name_zh: '沙发', name_en: 'Sofa', icon: 'couch', kind: 'counted',
      }), 201);
      assert.deepEqual({ ...r.json, id: 0 }, {
        id: 0, code: 'sofa', name_zh: '沙发', name_en: 'Sofa', icon: 'couch', kind: 'counted',
      });
      const plain = expectStatus(await admin.post('/api/amenities', { code: 'heater', name_zh: '取暖器', kind: 'boolean' }), 201);
      assert.equal(plain.json.icon, '');
      assert.equal(plain.json.name_en, '');
      assertError(await admin.post('/api/amenities', { code: 'wifi', name_zh: 'x', kind: 'boolean' }), 409, 'code_taken', 'code');
      assert.equal(expectStatus(await anon.get('/api/amenities'), 200).json.total, 24);
    });

    it('POST validates fields', async () => {
      const ok = { code: 'a1', name_zh: 'x', kind: 'boolean' };
      const cases = [
        [{ ...ok, kind: 'many' }, 'invalid_field', 'kind'],
        [{ code: 'a1', name_zh: 'x' }, 'missing_field', 'kind'],
        [{ ...ok, icon: 'not an icon' }, 'invalid_field', 'icon'],
        [{ ...ok, icon: 'i'.repeat(65) }, 'too_long', 'icon'],
        [{ ...ok, code: 'a/1' }, 'invalid_field', 'code'],
        [{ ...ok, code: '' }, 'missing_field', 'code'],
        [{ ...ok, tier: 1 }, 'unknown_field', 'tier'],
        [{ ...ok, name_zh: null }, 'missing_field', 'name_zh'],
        [{ ...ok, name_en: 5 }, 'invalid_field', 'name_en'],
      ];
      for (const [body, code, field] of cases) assertError(await admin.post('/api/amenities', body), 422, code, field);
      assertError(await anon.get('/api/amenities/a1'), 404, 'not_found');
    });

    it('PATCH changes some fields and keeps the rest', async () => {
      const r = expectStatus(await admin.patch('/api/amenities/sofa', { kind: 'boolean', icon: 'sofa' }), 200);
      assert.deepEqual({ ...r.json, id: 0 }, {
        id: 0, code: 'sofa', name_zh: '沙发', name_en: 'Sofa', icon: 'sofa', kind: 'boolean',
      });
      assertError(await admin.patch('/api/amenities/sofa', { code: 'wifi' }), 409, 'code_taken', 'code');
      assertError(await admin.patch('/api/amenities/sofa', { kind: 'lots' }), 422, 'invalid_field', 'kind');
      assertError(await admin.patch('/api/amenities/nope', { kind: 'boolean' }), 404, 'not_found', null);
      assert.deepEqual(expectStatus(await anon.get('/api/amenities/sofa'), 200).json, r.json);
    });

    it('DELETE refuses an amenity a site offers (409 in_use) and removes an unused one', async () => {
      const s = expectStatus(await admin.post('/api/sites', {
        name_zh: '沙发站', type: 'warm_hut', position: { lat: 34.6, lon: 119.2 }, amenities: { sofa: 2 },
      }), 201);
      assert.deepEqual(s.json.amenities, [{ code: 'sofa', count: 2 }]);
      assertError(await admin.del('/api/amenities/sofa'), 409, 'in_use', null);
      assertError(await admin.del('/api/amenities/wifi'), 409, 'in_use', null);
      expectStatus(await anon.get('/api/amenities/sofa'), 200);
      const d = await admin.del('/api/amenities/heater');
      assert.equal(d.status, 204);
      assertError(await anon.get('/api/amenities/heater'), 404, 'not_found');
      assertError(await admin.del('/api/amenities/heater'), 404, 'not_found', null);
      // A renamed amenity shows on the site; once unused it can be deleted.
      expectStatus(await admin.patch('/api/amenities/sofa', { code: 'couch' }), 200);
      const g = expectStatus(await anon.get(`/api/sites/${s.json.id}`), 200);
      assert.deepEqual(g.json.amenities, [{ code: 'couch', count: 2 }]);
      expectStatus(await admin.patch(`/api/sites/${s.json.id}`, { amenities: {} }), 200);
      assert.equal((await admin.del('/api/amenities/couch')).status, 204);
    });

    it('deleting a site frees its amenities and its type', async () => {
      expectStatus(await admin.post('/api/amenities', { code: 'bench', name_zh: '长椅', kind: 'counted' }), 201);
      expectStatus(await admin.post('/api/site-types', { code: 'bench_spot', name_zh: '长椅点' }), 201);
      const s = expectStatus(await admin.post('/api/sites', {
        name_zh: '长椅站', type: 'bench_spot', position: { lat: 34.6, lon: 119.2 }, amenities: { bench: 4 }, status: 'removed',
      }), 201);
      assertError(await admin.del('/api/amenities/bench'), 409, 'in_use', null);
      assertError(await admin.del('/api/site-types/bench_spot'), 409, 'in_use', null);
      assert.equal((await admin.del(`/api/sites/${s.json.id}`)).status, 204);
      assert.equal((await admin.del('/api/amenities/bench')).status, 204);
      assert.equal((await admin.del('/api/site-types/bench_spot')).status, 204);
    });
  });
});
