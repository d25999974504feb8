// Role grants point at the site or region itself, not at its id or code
// as text: they follow a renamed region, go with a deleted site or
// region, and a new site never takes a deleted one's id (and grants).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, ADMIN_TOKEN, assertError, expectStatus } from './lib/server.mjs';

let seq = 0;
const uniq = (p) => `${p}${process.pid % 10000}-${++seq}`;

describe('grants follow their target', () => {
  let srv, admin;
  const idOf = async (client) => (await client.get('/api/me')).json.id;
  before(async () => {
    srv = await startServer({ demo: true });
    admin = srv.client(ADMIN_TOKEN);
  });
  after(async () => {
    await srv?.stop();
  });

  const newSite = async (name) => expectStatus(await admin.post('/api/sites', {
    name_zh: name, type: 'warm_hut', region: 'HZ-XN-01', position: { lat: 34.57, lon: 119.2 },
  }), 201).json.id;
  // Reporting nothing is refused (422) after the access check (403).
  const report = (client, id) => client.post(`/api/sites/${id}/status`, { amenities: [] });
  const mayReport = async (client, id) => (await report(client, id)).status === 422;

  it('a deleted site takes its grants along, and its id is never given to a new site', async () => {
    const staff = srv.client(srv.user('13700000301'));
    const staffId = await idOf(staff);
    const siteId = await newSite('将被删除的站');
    const g = expectStatus(await admin.post(`/api/users/${staffId}/roles`,
      { role: 'staff', scope_kind: 'site', scope_ref: String(siteId) }), 201).json;
    assert.equal(g.scope_ref, String(siteId), 'scope_ref stays the site id as text');
    assert.ok(await mayReport(staff, siteId));

    expectStatus(await admin.del(`/api/sites/${siteId}`), 204);
    assert.deepEqual((await staff.get('/api/me')).json.roles, [], 'the grant went with the site');
    const log = (await admin.get('/api/audit?limit=50')).json.items;
    assert.ok(log.some((e) => e.action === 'revoke_role' && e.target_id === String(staffId) && e.actor_id === null),
      'the revocation is audited');

    const next = await newSite('新站');
    assert.notEqual(next, siteId, 'a deleted site id is not reused');
    assertError(await report(staff, next), 403, 'forbidden');
  });

  it('a region grant follows a renamed region; a new region with the old code is not reached', async () => {
    const ra = srv.client(srv.user('13700000302'));
    const raId = await idOf(ra);
    const code = uniq('GR-');
    expectStatus(await admin.post('/api/regions', { code, level: 'grid', name_zh: '授权网格', parent: 'HZ-XN-01' }), 201);
    expectStatus(await admin.post(`/api/users/${raId}/roles`, { role: 'region_admin', scope_kind: 'region', scope_ref: code }), 201);
    expectStatus(await ra.patch(`/api/regions/${code}`, { name_en: 'before' }), 200);

    const renamed = uniq('GR2-');
    expectStatus(await admin.patch(`/api/regions/${code}`, { code: renamed }), 200);
    const roles = (await ra.get('/api/me')).json.roles;
    assert.deepEqual(roles.map((r) => [r.role, r.scope_kind, r.scope_ref]), [['region_admin', 'region', renamed]]);
    expectStatus(await ra.patch(`/api/regions/${renamed}`, { name_en: 'after' }), 200);

    // Someone else's new region under the old code: not the grant's.
    expectStatus(await admin.post('/api/regions', { code, level: 'grid', name_zh: '别处网格', parent: 'HZ-XH-01' }), 201);
    assertError(await ra.patch(`/api/regions/${code}`, { name_en: 'x' }), 403, 'out_of_scope');

    expectStatus(await admin.del(`/api/regions/${renamed}`), 204);
    assert.deepEqual((await ra.get('/api/me')).json.roles, [], 'the grant went with the region');
  });

  it('a grant must name a site or region that exists', async () => {
    const id = await idOf(srv.client(srv.user('13700000303')));
    const grant = (body) => admin.post(`/api/users/${id}/roles`, body);
    assertError(await grant({ role: 'staff', scope_kind: 'site', scope_ref: '99999999' }), 422, 'unknown_site', 'scope_ref');
    assertError(await grant({ role: 'staff', scope_kind: 'site', scope_ref: '5abc' }), 422, 'invalid_field', 'scope_ref');
    assertError(await grant({ role: 'staff', scope_kind: 'site', scope_ref: '05' }), 422, 'invalid_field', 'scope_ref');
    assertError(await grant({ role: 'region_admin', scope_kind: 'region', scope_ref: 'NO-SUCH-REGION' }), 422, 'unknown_region', 'scope_ref');
    assertError(await admin.post('/api/users/99999999/roles', { role: 'staff', scope_kind: 'site', scope_ref: '1' }), 404, 'not_found');
    expectStatus(await grant({ role: 'staff', scope_kind: 'site', scope_ref: '1' }), 201);
    const dept = expectStatus(await grant({ role: 'dispatcher', scope_kind: 'department', scope_ref: '交通运输局' }), 201).json;
    assert.equal(dept.scope_ref, '交通运输局');
    const roles = (await admin.get('/api/users?q=13700000303')).json.items[0].roles;
    assert.deepEqual(roles.map((r) => [r.role, r.scope_kind, r.scope_ref]),
      [['staff', 'site', '1'], ['dispatcher', 'department', '交通运输局']]);
  });
});
