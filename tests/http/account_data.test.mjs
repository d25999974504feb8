// A person's own data: the export shows what others did to them, but not
// those others' addresses; erasing leaves the phone in no database file,
// even when another connection was reading at the time.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startServer, createUser, ADMIN_TOKEN, STORE, expectStatus } from './lib/server.mjs';
import { clientFrom, holdReader } from './lib/accounts.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

describe('the export', () => {
  let srv;
  before(async () => {
    srv = await startServer({ demo: true });
  });
  after(async () => {
    await srv?.stop();
  });

  it("shows what staff did to me, without the staff member's address", async () => {
    const admin = srv.client(ADMIN_TOKEN);
    const workerPhone = '13700000701';
    createUser(srv.dbPath, workerPhone, { password: 'worker-password-1', keyFile: srv.keyFile });
    const login = await clientFrom(srv, '127.0.0.8').post('/api/auth/login',
      { phone: workerPhone, password: 'worker-password-1', bearer: true });
    const worker = srv.client(expectStatus(login, 200).json.token);
    const workerId = (await worker.get('/api/me')).json.id;

    const staffToken = srv.user('13700000702');
    const staffId = (await srv.client(staffToken).get('/api/me')).json.id;
    expectStatus(await admin.post(`/api/users/${staffId}/roles`, { role: 'staff', scope_kind: 'site', scope_ref: '1' }), 201);
    const staff = clientFrom(srv, '127.0.0.9', staffToken);
    const qr = (await worker.get('/api/me/qr')).json.token;
    expectStatus(await staff.post('/api/qr/verify', { token: qr }), 200);
    expectStatus(await staff.post(`/api/users/${workerId}/verification`, { state: 'verified', site: 1 }), 200);

    const exp = expectStatus(await worker.get('/api/me/export'), 200).json;
    const actions = exp.activity.map((a) => a.action);
    for (const a of ['sign_in', 'scan_worker_qr', 'verify_worker']) assert.ok(actions.includes(a), `${a} in ${actions}`);
    assert.ok(!JSON.stringify(exp).includes('127.0.0.9'), 'the staff address is not in the export');
    assert.equal(exp.activity.find((a) => a.action === 'sign_in').address, '127.0.0.8', 'my own address is');

    // The staff member's own export has their address.
    const mine = expectStatus(await srv.client(staffToken).get('/api/me/export'), 200).json;
    assert.equal(mine.activity.find((a) => a.action === 'scan_worker_qr').address, '127.0.0.9');
  });
});

// The WAL is SQLite's: on PostgreSQL there is no file to hold an erased
// phone, so this does not apply there. The sqlite3 shell is installed by
// tools/deps.sh; a machine without it fails here rather than skipping.
describe('erasure with another reader open', { skip: STORE !== 'sqlite' && 'SQLite only (its WAL file)' }, () => {
  it('the phone leaves the -wal file once the reader is done', async () => {
    const srv = await startServer({ demo: true });
    try {
      const phone = '13700000711';
      const me = srv.client(createUser(srv.dbPath, phone, { keyFile: srv.keyFile }));
      expectStatus(await me.patch('/api/me', { display_name: '要删除的人' }), 200);
      const reader = await holdReader(srv.dbPath);
      const erased = me.del('/api/me?confirm=1');
      // Longer than the store's 5 s busy timeout: one checkpoint attempt
      // gives up while the reader holds its snapshot.
      await sleep(6000);
      await reader.release();
      expectStatus(await erased, 204);
      for (const f of [srv.dbPath, `${srv.dbPath}-wal`]) {
        let bytes;
        try {
          bytes = readFileSync(f);
        } catch {
          continue;
        }
        assert.equal(bytes.indexOf(Buffer.from(phone)), -1, `${f} still holds the phone number`);
      }
    } finally {
      await srv.stop();
    }
  });
});
