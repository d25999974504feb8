// Sign-in limits: code requests have budgets of their own (per phone, per
// client address, overall, kept in the store so every node agrees) and
// never lock anyone's password out; failed checks are counted apart.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, createUser, ADMIN_PHONE, ADMIN_PASSWORD, assertError, expectStatus } from './lib/server.mjs';
import { clientFrom } from './lib/accounts.mjs';

const login = (c, phone, password) => c.post('/api/auth/login', { phone, password, bearer: true });

describe('code requests', () => {
  let srv;
  before(async () => {
    srv = await startServer({ demo: true, env: { WARMHARBOR_DEV: '1' } });
  });
  after(async () => {
    await srv?.stop();
  });

  it("anyone asking for codes does not lock the admin's password out", async () => {
    const anon = clientFrom(srv, '127.0.0.2');
    for (let i = 0; i < 5; i++)
      expectStatus(await anon.post('/api/auth/otp', { phone: ADMIN_PHONE, purpose: 'login' }), 202);
    // The phone's budget of codes is spent ...
    const more = await anon.post('/api/auth/otp', { phone: ADMIN_PHONE, purpose: 'login' });
    assertError(more, 429, 'rate_limited', 'phone');
    assert.ok(Number(more.headers.get('retry-after')) > 0);
    // ... but its password still signs in, from anywhere.
    expectStatus(await login(srv.client(), ADMIN_PHONE, ADMIN_PASSWORD), 200);
    expectStatus(await login(anon, ADMIN_PHONE, ADMIN_PASSWORD), 200);
  });

  it('failed checks still lock the phone, and then no codes are sent for it', async () => {
    const phone = '13700000101';
    createUser(srv.dbPath, phone, { password: 'right-password-1', keyFile: srv.keyFile });
    const c = clientFrom(srv, '127.0.0.3');
    for (let i = 0; i < 5; i++) assertError(await login(c, phone, `wrong-password-${i}`), 401, 'invalid_credentials');
    assertError(await login(c, phone, 'right-password-1'), 429, 'rate_limited', 'phone');
    assertError(await c.post('/api/auth/otp', { phone, purpose: 'login' }), 429, 'rate_limited', 'phone');
  });

  it('one client address gets a bounded number of codes, whatever the phones', async () => {
    const c = clientFrom(srv, '127.0.0.4');
    for (let i = 0; i < 60; i++) {
      const phone = `1370001${String(i).padStart(4, '0')}`;
      expectStatus(await c.post('/api/auth/otp', { phone, purpose: 'register' }), 202);
    }
    const over = await c.post('/api/auth/otp', { phone: '13700019999', purpose: 'register' });
    assertError(over, 429, 'rate_limited');
    assert.ok(Number(over.headers.get('retry-after')) > 0);
    // Another address still gets codes for that phone.
    expectStatus(await clientFrom(srv, '127.0.0.5').post('/api/auth/otp', { phone: '13700019999', purpose: 'register' }), 202);
  });

  it('the budgets are in the store: a second node on the same database agrees', async () => {
    const phone = '13700000102';
    const c = clientFrom(srv, '127.0.0.6');
    for (let i = 0; i < 5; i++) expectStatus(await c.post('/api/auth/otp', { phone, purpose: 'register' }), 202);
    const other = await startServer({ dbPath: srv.dbPath, token: null, env: { WARMHARBOR_DEV: '1' } });
    try {
      assertError(await clientFrom(other, '127.0.0.7').post('/api/auth/otp', { phone, purpose: 'register' }),
        429, 'rate_limited', 'phone');
    } finally {
      await other.stop();
    }
  });
});

describe('the overall budget of codes', () => {
  it('bounds the codes sent to everyone together', async () => {
    const srv = await startServer({ demo: true, env: { WARMHARBOR_DEV: '1', WARMHARBOR_OTP_HOURLY: '3' } });
    try {
      for (let i = 0; i < 3; i++)
        expectStatus(await clientFrom(srv, `127.0.1.${i + 1}`).post('/api/auth/otp', { phone: `1370002000${i}`, purpose: 'register' }), 202);
      const over = await clientFrom(srv, '127.0.1.9').post('/api/auth/otp', { phone: '13700020009', purpose: 'register' });
      assertError(over, 429, 'rate_limited');
      assert.ok(Number(over.headers.get('retry-after')) > 0);
      expectStatus(await login(srv.client(), ADMIN_PHONE, ADMIN_PASSWORD), 200);
    } finally {
      await srv.stop();
    }
  });
});
