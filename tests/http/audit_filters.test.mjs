// GET /api/audit's filters (the console's audit page asks the server, so
// entries older than one page are reachable): by action, kind of thing,
// who, a day range (China's days), words in the target or detail, and
// paging with before/next_before. Bad filters are 400 with the query field;
// only system admins read it.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, ADMIN_TOKEN, assertError, expectStatus } from './lib/server.mjs';

describe('the audit log, filtered', () => {
  let srv, admin, adminId, staffId, regionAdmin;
  before(async () => {
    srv = await startServer({ demo: true });
    admin = srv.client(ADMIN_TOKEN);
    adminId = (await admin.get('/api/me')).json.id;
    const staff = srv.client(srv.user('13700000901'));
    staffId = (await staff.get('/api/me')).json.id;
    // Three grants and one revocation, each audited.
    const g = [];
    for (const site of [1, 2, 3])
      g.push(expectStatus(await admin.post(`/api/users/${staffId}/roles`, { role: 'staff', scope_kind: 'site', scope_ref: String(site) }), 201).json);
    expectStatus(await admin.del(`/api/users/${staffId}/roles/${g[0].id}`), 204);
    const ra = srv.user('13700000902');
    regionAdmin = srv.client(ra);
    const raId = (await regionAdmin.get('/api/me')).json.id;
    expectStatus(await admin.post(`/api/users/${raId}/roles`, { role: 'region_admin', scope_kind: 'region', scope_ref: 'HZ' }), 201);
  });
  after(async () => {
    await srv?.stop();
  });

  const get = async (q) => expectStatus(await admin.get(`/api/audit?${q}`), 200).json;

  it('by action, kind of thing and who', async () => {
    const grants = (await get('action=grant_role&limit=1000')).items;
    assert.ok(grants.length >= 4);
    assert.ok(grants.every((e) => e.action === 'grant_role'));
    const revokes = (await get('action=revoke_role')).items;
    assert.equal(revokes.length, 1);
    assert.equal(revokes[0].target_id, String(staffId));
    const mine = (await get(`actor=${adminId}&target_type=user&action=grant_role`)).items;
    assert.ok(mine.length >= 4 && mine.every((e) => e.actor_id === adminId && e.target_type === 'user'));
    assert.deepEqual((await get('action=no_such_action')).items, []);
    assert.deepEqual((await get('actor=999999')).items, []);
  });

  it('by words in the target or the detail, taken literally', async () => {
    const hits = (await get(`q=${staffId}&action=grant_role`)).items;
    assert.equal(hits.length, 3, JSON.stringify(hits));
    assert.ok(hits.every((e) => e.target_id === String(staffId)));
    // LIKE's wildcards are plain characters here.
    assert.deepEqual((await get('q=%25')).items.filter((e) => !`${e.target_id}${e.detail}`.includes('%')), []);
    assert.deepEqual((await get('q=_')).items.filter((e) => !`${e.target_id}${e.detail}`.includes('_')), []);
  });

  it('by day, in China time; pages with before and next_before', async () => {
    const now = (await get('limit=1')).items[0].at; // e.g. 2026-12-07T13:05:00+08:00
    const today = now.slice(0, 10);
    const all = (await get('limit=1000')).items;
    assert.equal((await get(`from=${today}&to=${today}&limit=1000`)).items.length, all.filter((e) => e.at.startsWith(today)).length);
    const tomorrow = new Date(Date.parse(`${today}T00:00:00Z`) + 86400e3).toISOString().slice(0, 10);
    assert.deepEqual((await get(`from=${tomorrow}`)).items, []);
    assert.deepEqual((await get(`to=2000-01-01`)).items, []);
    // Pages of two, newest first, joined: the whole list.
    const seen = [];
    let before = 0;
    for (let i = 0; i < 1000; i++) {
      const page = await get(`limit=2${before ? `&before=${before}` : ''}`);
      seen.push(...page.items.map((e) => e.id));
      if (!page.next_before) break;
      assert.equal(page.items.length, 2);
      before = page.next_before;
    }
    assert.deepEqual(seen, all.map((e) => e.id));
  });

  it('bad filters are 400 with the field; only system admins read it', async () => {
    assertError(await admin.get('/api/audit?from=yesterday'), 400, 'invalid_query', 'from');
    assertError(await admin.get('/api/audit?to=2026-13-01'), 400, 'invalid_query', 'to');
    assertError(await admin.get('/api/audit?actor=me'), 400, 'invalid_query', 'actor');
    assertError(await admin.get('/api/audit?before=-1'), 400, 'invalid_query', 'before');
    assertError(await admin.get(`/api/audit?q=${'x'.repeat(101)}`), 400, 'invalid_query', 'q');
    assert.equal((await regionAdmin.get('/api/audit?action=grant_role')).status, 403);
    assert.equal((await srv.client(null).get('/api/audit')).status, 401);
  });
});
