// Who may verify whom: staff verify workers only (never people holding a
// role), only at a site they reach, and the verification records the
// site. Region admins grant and revoke only below their own region.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, ADMIN_TOKEN, assertError, expectStatus } from './lib/server.mjs';

describe('verifying workers', () => {
  let srv, admin, staff, worker, workerId, siteIn, siteOut;
  const idOf = async (client) => (await client.get('/api/me')).json.id;
  before(async () => {
    srv = await startServer({ demo: true });
    admin = srv.client(ADMIN_TOKEN);
    const sites = (await admin.get('/api/sites?limit=1000')).json.items;
    siteIn = sites.find((s) => s.region && s.region.startsWith('HZ-XN-')).id;
    siteOut = sites.find((s) => s.region && s.region.startsWith('HZ-HZ-')).id;
    staff = srv.client(srv.user('13700000401'));
    expectStatus(await admin.post(`/api/users/${await idOf(staff)}/roles`,
      { role: 'staff', scope_kind: 'site', scope_ref: String(siteIn) }), 201);
    worker = srv.client(srv.user('13700000402'));
    workerId = await idOf(worker);
  });
  after(async () => {
    await srv?.stop();
  });

  const verify = (client, id, body) => client.post(`/api/users/${id}/verification`, body);

  it('staff name the site where they checked the worker, and must reach it', async () => {
    assertError(await verify(staff, workerId, { state: 'verified' }), 422, 'missing_field', 'site');
    assertError(await verify(staff, workerId, { state: 'verified', site: siteOut }), 403, 'out_of_scope', 'site');
    assertError(await verify(staff, workerId, { state: 'verified', site: 99999999 }), 422, 'unknown_site', 'site');
    assertError(await verify(staff, workerId, { state: 'verified', site: String(siteIn) }), 422, 'invalid_field', 'site');
    const ok = expectStatus(await verify(staff, workerId, { state: 'verified', site: siteIn }), 200).json;
    assert.equal(ok.verification, 'verified');
    assert.equal(ok.verified_site, siteIn);
    assert.equal((await worker.get('/api/me')).json.verified_site, siteIn);
  });

  it('a region admin verifies at the sites of the region', async () => {
    const ra = srv.client(srv.user('13700000403'));
    expectStatus(await admin.post(`/api/users/${await idOf(ra)}/roles`,
      { role: 'region_admin', scope_kind: 'region', scope_ref: 'HZ-XN' }), 201);
    expectStatus(await verify(ra, workerId, { state: 'revoked', site: siteIn }), 200);
    assertError(await verify(ra, workerId, { state: 'verified', site: siteOut }), 403, 'out_of_scope', 'site');
  });

  it('nobody changes the verification of people holding a role', async () => {
    const adminId = await idOf(admin);
    const other = srv.client(srv.user('13700000404'));
    const otherId = await idOf(other);
    expectStatus(await admin.post(`/api/users/${otherId}/roles`,
      { role: 'merchant', scope_kind: 'site', scope_ref: String(siteOut) }), 201);
    for (const id of [adminId, otherId, await idOf(staff)]) {
      assertError(await verify(staff, id, { state: 'revoked', site: siteIn }), 409, 'not_a_worker');
      assertError(await verify(admin, id, { state: 'revoked' }), 409, 'not_a_worker');
    }
  });

  it('system admins need not name a site', async () => {
    const v = expectStatus(await verify(admin, workerId, { state: 'verified' }), 200).json;
    assert.equal(v.verification, 'verified');
    assert.equal(v.verified_site, null);
    assertError(await verify(admin, 99999999, { state: 'verified' }), 404, 'not_found');
  });

  it('the audit log says where', async () => {
    const log = (await admin.get('/api/audit?limit=100')).json.items.filter((e) => e.action === 'verify_worker');
    assert.ok(log.some((e) => e.detail.includes(`site ${siteIn}`)), JSON.stringify(log));
  });
});

describe('region admins manage strictly below their region', () => {
  it('not their own region itself', async () => {
    const srv = await startServer({ demo: true });
    try {
      const admin = srv.client(ADMIN_TOKEN);
      const ra = srv.client(srv.user('13700000501'));
      const raId = (await ra.get('/api/me')).json.id;
      expectStatus(await admin.post(`/api/users/${raId}/roles`, { role: 'region_admin', scope_kind: 'region', scope_ref: 'HZ-XN' }), 201);
      const peerId = (await srv.client(srv.user('13700000502')).get('/api/me')).json.id;
      const grant = (region) => ra.post(`/api/users/${peerId}/roles`, { role: 'region_admin', scope_kind: 'region', scope_ref: region });
      assertError(await grant('HZ-XN'), 403, 'out_of_scope');
      assertError(await grant('HZ-HZ-01'), 403, 'out_of_scope');
      const sub = expectStatus(await grant('HZ-XN-01'), 201).json;
      expectStatus(await ra.del(`/api/users/${peerId}/roles/${sub.id}`), 204);
      // A peer of the same region, made by the system admin: not theirs to revoke.
      const peer = expectStatus(await admin.post(`/api/users/${peerId}/roles`, { role: 'region_admin', scope_kind: 'region', scope_ref: 'HZ-XN' }), 201).json;
      assertError(await ra.del(`/api/users/${peerId}/roles/${peer.id}`), 403, 'out_of_scope');
      // Nor their own grant.
      const own = (await ra.get('/api/me')).json.roles[0];
      assertError(await ra.del(`/api/users/${raId}/roles/${own.id}`), 403, 'out_of_scope');
    } finally {
      await srv.stop();
    }
  });
});
