// Looking people up: staff see phones masked, so their search must not
// rebuild a number from its pieces; the search terms are audited without
// keeping more of a phone than the mask shows.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, createUser, ADMIN_TOKEN, expectStatus } from './lib/server.mjs';

describe('people search', () => {
  let srv, admin, staff;
  const phone = '13712340002';
  before(async () => {
    srv = await startServer({ demo: true });
    admin = srv.client(ADMIN_TOKEN);
    const worker = srv.client(createUser(srv.dbPath, phone, { keyFile: srv.keyFile }));
    expectStatus(await worker.patch('/api/me', { display_name: '搜索测试工人' }), 200);
    staff = srv.client(srv.user('13712340099'));
    const staffId = (await staff.get('/api/me')).json.id;
    expectStatus(await admin.post(`/api/users/${staffId}/roles`, { role: 'staff', scope_kind: 'site', scope_ref: '1' }), 201);
  });
  after(async () => {
    await srv?.stop();
  });

  it('staff find a person by the whole phone number only, never by a piece of it', async () => {
    for (const q of ['0002', '40002', '137123', '1371234000', '3712340002', '137****0002'])
      assert.deepEqual((await staff.get(`/api/users?q=${encodeURIComponent(q)}`)).json.items, [], `q=${q}`);
    const whole = expectStatus(await staff.get(`/api/users?q=${phone}`), 200).json.items;
    assert.deepEqual(whole.map((u) => u.phone), ['137****0002']);
    const spaced = expectStatus(await staff.get(`/api/users?q=${encodeURIComponent('+86 137-1234-0002')}`), 200).json.items;
    assert.equal(spaced.length, 1);
    // Names still match in part.
    const byName = expectStatus(await staff.get(`/api/users?q=${encodeURIComponent('测试工')}`), 200).json.items;
    assert.deepEqual(byName.map((u) => u.phone), ['137****0002']);
  });

  it('system admins may search by part of a number', async () => {
    const part = expectStatus(await admin.get('/api/users?q=1371234000'), 200).json.items;
    assert.deepEqual(part.map((u) => u.phone), [phone]);
  });

  it('the search terms are audited, with no more of a phone than its mask', async () => {
    await staff.get(`/api/users?q=${phone}`);
    await staff.get(`/api/users?q=${encodeURIComponent('测试工')}`);
    await admin.get('/api/users?q=1371234000');
    const log = expectStatus(await admin.get('/api/audit?limit=200'), 200).json.items
      .filter((e) => e.action === 'search_people');
    const details = log.map((e) => e.detail);
    assert.ok(details.some((d) => d.includes('137****0002')), details.join('\n'));
    assert.ok(details.some((d) => d.includes('测试工')), details.join('\n'));
    for (const d of details) {
      assert.ok(!d.includes(phone), `the whole number is in the audit log: ${d}`);
      assert.ok(!/\d{5}/.test(d.replace(/\d+ results?/, '')), `a piece of a number is in the audit log: ${d}`);
    }
  });
});
