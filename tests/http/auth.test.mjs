// The access rule of every write route: anonymous -> 401, a wrong or
// revoked token -> 401, a signed-in person without the role -> 403, a
// system admin's token -> success. Refused writes change nothing; reads
// stay public.
import { describe, it, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import {
  startServer, ADMIN_TOKEN, assertError, expectStatus, makeClient, makeTempDir, removeTempDir, seedDemo,
} from './lib/server.mjs';

let seq = 0;
const uniq = (p) => `${p}${Date.now().toString(36)}${(seq++).toString(36)}`;

/**
 * Every write route. prepare(admin) makes what the call needs and returns
 * {method, path, json | csv, status, probe}: probe is a GET path whose
 * answer must not change when the call is refused.
 */
const WRITE_ROUTES = [
  {
    route: 'POST /api/regions',
    prepare: async () => {
      const code = uniq('AUTH-R-');
      return { method: 'POST', path: '/api/regions', json: { code, level: 'grid', name_zh: '鉴权', parent: 'HZ-XF-01' },
        status: 201, probe: `/api/regions/${code}` };
    },
  },
  {
    route: 'PATCH /api/regions/{code}',
    prepare: async () => ({ method: 'PATCH', path: '/api/regions/HZ-XF-01-G1', json: { name_en: uniq('patched ') },
      status: 200, probe: '/api/regions/HZ-XF-01-G1' }),
  },
  {
    route: 'DELETE /api/regions/{code}',
    prepare: async (admin) => {
      const code = uniq('AUTH-D-');
      expectStatus(await admin.post('/api/regions', { code, level: 'grid', name_zh: '删', parent: 'HZ-XF-01' }), 201);
      return { method: 'DELETE', path: `/api/regions/${code}`, status: 204, probe: `/api/regions/${code}` };
    },
  },
  {
    route: 'POST /api/site-types',
    prepare: async () => {
      const code = uniq('auth_t_');
      return { method: 'POST', path: '/api/site-types', json: { code, name_zh: '类型' }, status: 201, probe: `/api/site-types/${code}` };
    },
  },
  {
    route: 'PATCH /api/site-types/{code}',
    prepare: async () => ({ method: 'PATCH', path: '/api/site-types/canteen', json: { name_en: uniq('Canteen ') },
      status: 200, probe: '/api/site-types/canteen' }),
  },
  {
    route: 'DELETE /api/site-types/{code}',
    prepare: async (admin) => {
      const code = uniq('auth_td_');
      expectStatus(await admin.post('/api/site-types', { code, name_zh: '删' }), 201);
      return { method: 'DELETE', path: `/api/site-types/${code}`, status: 204, probe: `/api/site-types/${code}` };
    },
  },
  {
    route: 'POST /api/amenities',
    prepare: async () => {
      const code = uniq('auth_a_');
      return { method: 'POST', path: '/api/amenities', json: { code, name_zh: '设施', kind: 'boolean' },
        status: 201, probe: `/api/amenities/${code}` };
    },
  },
  {
    route: 'PATCH /api/amenities/{code}',
    prepare: async () => ({ method: 'PATCH', path: '/api/amenities/wifi', json: { name_en: uniq('Wi-Fi ') },
      status: 200, probe: '/api/amenities/wifi' }),
  },
  {
    route: 'DELETE /api/amenities/{code}',
    prepare: async (admin) => {
      const code = uniq('auth_ad_');
      expectStatus(await admin.post('/api/amenities', { code, name_zh: '删', kind: 'counted' }), 201);
      return { method: 'DELETE', path: `/api/amenities/${code}`, status: 204, probe: `/api/amenities/${code}` };
    },
  },
  {
    route: 'PUT /api/holidays/{date}',
    prepare: async () => ({ method: 'PUT', path: '/api/holidays/2027-05-01', json: { kind: 'holiday', name_en: uniq('May ') },
      status: 200, probe: '/api/holidays?from=2027-05-01&to=2027-05-01' }),
  },
  {
    route: 'DELETE /api/holidays/{date}',
    prepare: async (admin) => {
      expectStatus(await admin.put('/api/holidays/2027-06-01', { kind: 'holiday' }), 200);
      return { method: 'DELETE', path: '/api/holidays/2027-06-01', status: 204, probe: '/api/holidays?from=2027-06-01&to=2027-06-01' };
    },
  },
  {
    route: 'POST /api/sites',
    prepare: async () => {
      const name = uniq('鉴权站点');
      return { method: 'POST', path: '/api/sites', json: { name_zh: name, type: 'warm_hut', position: { lat: 34.6, lon: 119.2 } },
        status: 201, probe: `/api/sites?status=any&q=${encodeURIComponent(name)}` };
    },
  },
  {
    route: 'PATCH /api/sites/{id}',
    prepare: async () => ({ method: 'PATCH', path: '/api/sites/1', json: { name_en: uniq('patched ') },
      status: 200, probe: '/api/sites/1?at=2026-12-01T10%3A00%3A00%2B08%3A00' }),
  },
  {
    route: 'DELETE /api/sites/{id}',
    prepare: async (admin) => {
      const s = expectStatus(await admin.post('/api/sites', { name_zh: uniq('待删'), type: 'warm_hut', position: { lat: 34.6, lon: 119.2 } }), 201);
      return { method: 'DELETE', path: `/api/sites/${s.json.id}`, status: 204,
        probe: `/api/sites/${s.json.id}?at=2026-12-01T10%3A00%3A00%2B08%3A00` };
    },
  },
  {
    route: 'POST /api/sites/import',
    prepare: async () => {
      const name = uniq('导入鉴权');
      return { method: 'POST', path: '/api/sites/import', csv: `name_zh,type,lat,lon\r\n${name},warm_hut,34.6,119.2\r\n`,
        status: 200, probe: `/api/sites?status=any&q=${encodeURIComponent(name)}` };
    },
  },
];

function send(client, call, extraHeaders = {}) {
  if (call.csv !== undefined)
    return client.request(call.method, call.path, { body: call.csv, headers: { 'content-type': 'text/csv', ...extraHeaders } });
  if (call.json !== undefined) return client.request(call.method, call.path, { json: call.json, headers: extraHeaders });
  return client.request(call.method, call.path, { headers: extraHeaders });
}

async function probe(client, p) {
  const r = await client.get(p);
  return { status: r.status, body: r.text };
}

describe('auth: admin token configured', () => {
  let srv;
  let admin;
  let anon;
  before(async () => {
    srv = await startServer({ demo: true });
    admin = srv.client(ADMIN_TOKEN);
    anon = srv.client();
  });
  after(async () => {
    if (srv) await srv.stop();
  });
  afterEach(() => srv.assertHealthy());

  for (const w of WRITE_ROUTES) {
    it(`${w.route}: anonymous 401, wrong token 401, right token succeeds`, async () => {
      const call = await w.prepare(admin);
      const before = await probe(anon, call.probe);

      const a = await send(anon, call);
      assertError(a, 401, 'unauthorized', null);
      assert.equal(a.headers.get('www-authenticate'), 'Bearer');

      const real = srv.adminToken;
      const wrongs = [
        `Bearer wrong-${real}`,
        `Bearer ${real}x`,
        `Bearer ${real.slice(0, -1)}`,
        'Bearer ',
        `Basic ${Buffer.from(`admin:${real}`).toString('base64')}`,
        real,
      ];
      for (const auth of wrongs) {
        const r = await send(anon, call, { authorization: auth });
        assertError(r, 401, 'unauthorized', null);
        const wa = r.headers.get('www-authenticate');
        assert.ok(wa === 'Bearer' || wa === 'Bearer error="invalid_token"', `WWW-Authenticate for "${auth}": ${wa}`);
      }
      const wrong = await send(srv.client('not-the-token'), call);
      assertError(wrong, 401, 'unauthorized', null);
      assert.equal(wrong.headers.get('www-authenticate'), 'Bearer error="invalid_token"');

      assert.deepEqual(await probe(anon, call.probe), before, 'a refused write changed nothing');

      const ok = await send(admin, call);
      assert.equal(ok.status, call.status, `${w.route} with the token: ${ok.text.slice(0, 300)}`);
      assert.notDeepEqual(await probe(anon, call.probe), before, 'the accepted write took effect');
    });
  }

  it('the 401 comes before any look at the body', async () => {
    assertError(await anon.request('POST', '/api/sites', { json: '{bad' }), 401, 'unauthorized');
    assertError(await anon.request('POST', '/api/sites', { body: 'x', headers: { 'content-type': 'text/plain' } }), 401, 'unauthorized');
    assertError(await anon.request('PUT', '/api/holidays/not-a-date', { json: {} }), 401, 'unauthorized');
    assertError(await anon.request('DELETE', '/api/sites/999999'), 401, 'unauthorized');
    assertError(await anon.request('PATCH', '/api/regions/NO-SUCH', { json: {} }), 401, 'unauthorized');
  });

  it('the scheme name is case-insensitive; the token is not', async () => {
    const r = await anon.request('PATCH', '/api/site-types/canteen', {
      json: { name_en: 'Canteen' }, headers: { authorization: `bearer ${srv.adminToken}` },
    });
    expectStatus(r, 200);
    const upper = await anon.request('PATCH', '/api/site-types/canteen', {
      json: { name_en: 'Canteen' }, headers: { authorization: `Bearer ${srv.adminToken.toUpperCase()}` },
    });
    assertError(upper, 401, 'unauthorized');
  });

  it('reads need no token', async () => {
    for (const p of ['/api/regions', '/api/site-types', '/api/amenities', '/api/holidays', '/api/sites', '/api/sites/1', '/api/sites/export', '/metrics', '/healthz'])
      expectStatus(await anon.get(p), 200);
  });
});

describe('auth: a signed-in person without the role', () => {
  let srv;
  let anon;
  let worker;
  let dir;
  const calls = [];
  before(async () => {
    dir = makeTempDir();
    const dbPath = path.join(dir, 'auth.db');
    seedDemo(dbPath);
    srv = await startServer({ dbPath });
    const admin = srv.client(ADMIN_TOKEN);
    for (const w of WRITE_ROUTES) calls.push([w.route, await w.prepare(admin)]);
    worker = srv.client(srv.user('13912340000'));
    anon = srv.client();
  });
  after(async () => {
    if (srv) await srv.stop();
    if (dir) removeTempDir(dir);
  });
  afterEach(() => srv.assertHealthy());

  it('every write route is 403 forbidden, and nothing changes', async () => {
    assert.equal(calls.length, WRITE_ROUTES.length);
    for (const [route, call] of calls) {
      const before = await probe(anon, call.probe);
      const r = await send(worker, call);
      assertError(r, 403, 'forbidden', null);
      assert.equal(r.headers.get('www-authenticate'), null, `${route}: no WWW-Authenticate on 403`);
      assert.deepEqual(await probe(anon, call.probe), before, `${route}: nothing changed`);
    }
    for (const [route, call] of calls)
      if (call.method === 'DELETE') assert.equal((await probe(anon, call.probe)).status, 200, route);
  });

  it('reads still work, signed in or not', async () => {
    for (const p of ['/api/regions', '/api/site-types', '/api/amenities', '/api/holidays', '/api/sites', '/api/sites/1', '/api/sites/export']) {
      expectStatus(await anon.get(p), 200);
      expectStatus(await worker.get(p), 200);
    }
  });
});
