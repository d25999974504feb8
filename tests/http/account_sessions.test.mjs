// Sessions: changing a password needs the current one (or a fresh code)
// and ends the person's other sessions; a grant ends the grantee's
// sessions that were not started with a password, so staff routes are
// used from password sign-ins only; and a session's last_seen_at moves
// (coarsely) while it is used.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, createUser, ADMIN_TOKEN, assertError, expectStatus } from './lib/server.mjs';
import { bearer, codeFor, register, sql, nowSeconds } from './lib/accounts.mjs';

let srv, admin;
before(async () => {
  srv = await startServer({ demo: true, env: { WARMHARBOR_DEV: '1' } });
  admin = srv.client(ADMIN_TOKEN);
});
after(async () => {
  await srv?.stop();
});

const idOf = async (client) => (await client.get('/api/me')).json.id;

describe('changing a password', () => {
  const phone = '13700000601';
  let operatorToken;
  before(() => {
    operatorToken = createUser(srv.dbPath, phone, { password: 'first-password-1', keyFile: srv.keyFile });
  });

  it('needs the current password, and ends the other sessions', async () => {
    const other = srv.client(operatorToken);
    const me = srv.client(await bearer(srv, phone, { password: 'first-password-1' }));
    assertError(await me.patch('/api/me', { password: 'second-password-2' }), 422, 'missing_field', 'current_password');
    assertError(await me.patch('/api/me', { password: 'second-password-2', current_password: 'not-it-at-all' }),
      403, 'invalid_credentials', 'current_password');
    expectStatus(await other.get('/api/me'), 200);
    expectStatus(await me.patch('/api/me', { password: 'second-password-2', current_password: 'first-password-1' }), 200);
    assertError(await other.get('/api/me'), 401, 'unauthorized');
    expectStatus(await me.get('/api/me'), 200);
    assertError(await srv.client().post('/api/auth/login', { phone, password: 'first-password-1' }), 401, 'invalid_credentials');
    expectStatus(await srv.client().post('/api/auth/login', { phone, password: 'second-password-2', bearer: true }), 200);
  });

  it('or a fresh one-time code', async () => {
    const me = srv.client(await bearer(srv, phone, { password: 'second-password-2' }));
    assertError(await me.patch('/api/me', { password: 'third-password-3', code: '000000' }), 403, 'invalid_code', 'code');
    const code = await codeFor(srv, phone, 'login');
    expectStatus(await me.patch('/api/me', { password: 'third-password-3', code }), 200);
    expectStatus(await srv.client().post('/api/auth/login', { phone, password: 'third-password-3', bearer: true }), 200);
  });

  it('wrong current passwords count as failed sign-ins', async () => {
    const me = srv.client(await bearer(srv, phone, { password: 'third-password-3' }));
    for (let i = 0; i < 5; i++)
      assertError(await me.patch('/api/me', { password: 'fourth-password-4', current_password: `guess-${i}-xxxx` }),
        403, 'invalid_credentials', 'current_password');
    assertError(await me.patch('/api/me', { password: 'fourth-password-4', current_password: 'third-password-3' }),
      429, 'rate_limited');
  });

  it('a first password needs neither, and also ends the other sessions', async () => {
    const p = '13700000602';
    const reg = expectStatus(await register(srv, p), 201);
    const cookie = reg.headers.get('set-cookie').split(';')[0];
    const code = await codeFor(srv, p, 'login');
    const me = srv.client(await bearer(srv, p, { code }));
    expectStatus(await me.patch('/api/me', { password: 'my-first-password' }), 200);
    assertError(await srv.client().get('/api/me', { headers: { cookie } }), 401, 'unauthorized');
    expectStatus(await me.get('/api/me'), 200);
  });
});

describe('a grant and the sessions of the grantee', () => {
  it('ends sessions started with a code; password sessions and operator tokens go on', async () => {
    const p = '13700000611';
    const reg = expectStatus(await register(srv, p), 201);
    const cookie = reg.headers.get('set-cookie').split(';')[0];
    const byCode = srv.client(await bearer(srv, p, { code: await codeFor(srv, p, 'login') }));
    const id = await idOf(byCode);
    expectStatus(await byCode.patch('/api/me', { password: 'worker-password-1' }), 200);
    const byPassword = srv.client(await bearer(srv, p, { password: 'worker-password-1' }));
    const operator = srv.client(createUser(srv.dbPath, p, { keyFile: srv.keyFile }));
    const code2 = srv.client(await bearer(srv, p, { code: await codeFor(srv, p, 'login') }));
    const sessions = (await byPassword.get('/api/me/sessions')).json.items;
    // (setting the password ended the cookie session)
    assert.deepEqual(sessions.map((s) => s.sign_in).sort(), ['code', 'code', 'operator', 'password']);

    expectStatus(await admin.post(`/api/users/${id}/roles`, { role: 'staff', scope_kind: 'site', scope_ref: '1' }), 201);
    for (const c of [byCode, code2]) assertError(await c.get('/api/me'), 401, 'unauthorized');
    assertError(await srv.client().get('/api/me', { headers: { cookie } }), 401, 'unauthorized');
    for (const c of [byPassword, operator]) {
      const me = expectStatus(await c.get('/api/me'), 200).json;
      assert.deepEqual(me.roles.map((r) => r.role), ['staff']);
    }
  });
});

// Needs the sqlite3 shell or psql (tools/deps.sh installs both); without
// them it fails rather than skipping.
describe('last seen', () => {
  it('a session in use shows when it was last used, to the minutes', async () => {
    const p = '13700000621';
    const me = srv.client(createUser(srv.dbPath, p, { keyFile: srv.keyFile }));
    const id = await idOf(me);
    const lastSeen = async () => Date.parse((await me.get('/api/me/sessions')).json.items[0].last_seen_at) / 1000;

    // Used an hour after it was last seen: brought up to now.
    sql(srv, `UPDATE sessions SET last_seen_at = ${nowSeconds() - 3600} WHERE user_id = ${id}`);
    expectStatus(await me.get('/api/me'), 200);
    assert.ok(Math.abs((await lastSeen()) - nowSeconds()) < 60, 'last_seen_at moved to now');

    // Used a minute after: left alone (no write for every request).
    const recent = nowSeconds() - 60;
    sql(srv, `UPDATE sessions SET last_seen_at = ${recent} WHERE user_id = ${id}`);
    expectStatus(await me.get('/api/me'), 200);
    assert.equal(await lastSeen(), recent);
  });
});
