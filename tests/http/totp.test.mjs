// The second factor (issue 14, item 15): TOTP (RFC 6238) for anyone
// holding a role, required of system admins at sign-in, with ten one-time
// recovery codes. Codes here are computed from the secret by the test
// (lib/totp.mjs, node's crypto), apart from the server's liboath. The
// server's clock is moved (WARMHARBOR_TEST_CLOCK) so each sign-in has a
// fresh time step.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, ADMIN_TOKEN, ADMIN_PHONE, ADMIN_PASSWORD, assertError, expectStatus } from './lib/server.mjs';
import { totp, secretOf } from './lib/totp.mjs';

describe('TOTP second factor', () => {
  let srv, admin, anon;
  before(async () => {
    srv = await startServer({ demo: true, env: { WARMHARBOR_DEV: '1', WARMHARBOR_TEST_CLOCK: '1', WARMHARBOR_ADMIN_TOTP: 'required' } });
    admin = srv.client(ADMIN_TOKEN);
    anon = srv.client();
  });
  after(async () => {
    await srv?.stop();
  });

  /** The server's clock, in seconds; advance moves it on first. */
  async function serverNow(advance = 0) {
    const res = expectStatus(await admin.post('/api/system/clock', { advance_s: advance }), 200);
    return Math.floor(Date.parse(res.json.now) / 1000);
  }
  const idOf = async (client) => (await client.get('/api/me')).json.id;
  const login = (phone, password, extra = {}) => anon.post('/api/auth/login', { phone, password, bearer: true, ...extra });

  /** A person with a password and a role (none for a worker). */
  async function person(phone, grant) {
    const tok = srv.user(phone);
    const c = srv.client(tok);
    expectStatus(await c.patch('/api/me', { password: `pw-${phone}` }), 200);
    const id = await idOf(c);
    if (grant) expectStatus(await admin.post(`/api/users/${id}/roles`, grant), 201);
    return { phone, id, client: c, password: `pw-${phone}` };
  }

  /** Enrol through /api/me/totp; returns {secret, codes}. */
  async function enrol(p) {
    const started = expectStatus(await p.client.post('/api/me/totp'), 201).json;
    assert.match(started.uri, /^otpauth:\/\/totp\/Warmharbor:/);
    assert.equal(secretOf(started.uri), started.secret);
    assert.equal(started.algorithm, 'SHA1');
    const now = await serverNow();
    const done = expectStatus(await p.client.post('/api/me/totp/confirm', { code: totp(started.secret, now) }), 200).json;
    return { secret: started.secret, codes: done.recovery_codes };
  }

  it('is offered to every role, not to workers or strangers', async () => {
    assertError(await anon.get('/api/me/totp'), 401, 'unauthorized');
    const worker = await person('13700000501');
    assertError(await worker.client.get('/api/me/totp'), 403, 'forbidden');
    assertError(await worker.client.post('/api/me/totp'), 403, 'forbidden');
    const grants = [
      { role: 'staff', scope_kind: 'site', scope_ref: '1' },
      { role: 'region_admin', scope_kind: 'region', scope_ref: 'HZ-XN-01' },
      { role: 'dispatcher', scope_kind: 'department', scope_ref: 'roads' },
    ];
    let n = 502;
    for (const g of grants) {
      const p = await person(`13700000${n++}`, g);
      const st = expectStatus(await p.client.get('/api/me/totp'), 200).json;
      assert.deepEqual(st, { enabled: false, pending: false, recovery_codes_left: 0, required: false }, g.role);
    }
    // The test admin's own state: required, not on.
    assert.equal(expectStatus(await admin.get('/api/me/totp'), 200).json.required, true);
  });

  it('enrols with a first code, signs in with the code after the password, and refuses a code twice', async () => {
    const p = await person('13700000510', { role: 'staff', scope_kind: 'site', scope_ref: '1' });
    const started = expectStatus(await p.client.post('/api/me/totp'), 201).json;
    assert.equal((await p.client.get('/api/me/totp')).json.pending, true);
    // No second factor until a code from the app confirms it.
    assertError(await p.client.post('/api/me/totp/confirm', { code: '000000' }), 401, 'invalid_code', 'code');
    assertError(await p.client.post('/api/me/totp/confirm', {}), 422, 'missing_field', 'code');
    expectStatus(await login(p.phone, p.password), 200);
    // Starting again gives a new secret (the first was never confirmed).
    const again = expectStatus(await p.client.post('/api/me/totp'), 201).json;
    assert.notEqual(again.secret, started.secret);
    const now = await serverNow();
    assertError(await p.client.post('/api/me/totp/confirm', { code: totp(started.secret, now) }), 401, 'invalid_code');
    const done = expectStatus(await p.client.post('/api/me/totp/confirm', { code: totp(again.secret, now) }), 200).json;
    assert.equal(done.recovery_codes.length, 10);
    assert.equal(new Set(done.recovery_codes).size, 10);
    for (const c of done.recovery_codes) assert.match(c, /^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$/);
    assert.deepEqual((await p.client.get('/api/me/totp')).json, { enabled: true, pending: false, recovery_codes_left: 10, required: false });
    // The export says it is held, never the secret.
    const exported = (await p.client.get('/api/me/export')).text;
    assert.equal(JSON.parse(exported).person.second_factor.kind, 'totp');
    assert.equal(JSON.parse(exported).person.second_factor.recovery_codes_left, 10);
    assert.ok(!exported.includes(again.secret), 'no secret in the export');
    assertError(await p.client.post('/api/me/totp'), 409, 'totp_enabled');

    // The password alone gives no session: a challenge.
    const first = expectStatus(await login(p.phone, p.password), 200);
    assert.equal(first.json.second_factor, 'totp');
    assert.equal(first.json.token, undefined);
    assert.equal(first.headers.get('set-cookie'), null);
    assert.equal(first.json.expires_in, 300);
    const ch = first.json.challenge;
    // The code used to enrol is spent: refused even within its window.
    assertError(await anon.post('/api/auth/totp', { challenge: ch, code: totp(again.secret, now), bearer: true }), 401, 'code_used', 'code');
    assertError(await anon.post('/api/auth/totp', { challenge: ch, code: '12345', bearer: true }), 401, 'invalid_code', 'code');
    const t = await serverNow(30);
    const ok = expectStatus(await anon.post('/api/auth/totp', { challenge: ch, code: totp(again.secret, t), bearer: true }), 200).json;
    assert.ok(ok.token);
    assert.equal(ok.user.id, p.id);
    assert.equal((await srv.client(ok.token).get('/api/me')).status, 200);
    // The same code again, on a new challenge: refused.
    const ch2 = expectStatus(await login(p.phone, p.password), 200).json.challenge;
    assertError(await anon.post('/api/auth/totp', { challenge: ch2, code: totp(again.secret, t), bearer: true }), 401, 'code_used');
    // A cookie session too (the web app's), on the next step.
    const t2 = await serverNow(30);
    const web = expectStatus(await anon.post('/api/auth/totp', { challenge: ch2, code: totp(again.secret, t2) }), 200);
    assert.match(web.headers.get('set-cookie'), /^wh_session=/);
    const log = (await admin.get('/api/audit?limit=30')).json.items;
    assert.ok(log.some((e) => e.action === 'enable_totp' && e.target_id === String(p.id)));
    assert.ok(log.some((e) => e.action === 'sign_in' && e.actor_id === p.id && /password \+ totp/.test(e.detail)));
  });

  it('a code sent twice at once signs in once', async () => {
    const p = await person('13700000511', { role: 'staff', scope_kind: 'site', scope_ref: '1' });
    const { secret } = await enrol(p);
    const [c1, c2] = await Promise.all([login(p.phone, p.password), login(p.phone, p.password)]);
    const t = await serverNow(30);
    const code = totp(secret, t);
    const answers = await Promise.all([
      anon.post('/api/auth/totp', { challenge: c1.json.challenge, code, bearer: true }),
      anon.post('/api/auth/totp', { challenge: c2.json.challenge, code, bearer: true }),
    ]);
    assert.deepEqual(answers.map((a) => a.status).sort(), [200, 401]);
    assert.equal(answers.find((a) => a.status === 401).json.error.code, 'code_used');
  });

  it('a recovery code works once', async () => {
    const p = await person('13700000512', { role: 'staff', scope_kind: 'site', scope_ref: '1' });
    const { secret, codes } = await enrol(p);
    const ch = expectStatus(await login(p.phone, p.password), 200).json.challenge;
    // Typed in capitals with spaces: the same code.
    const typed = codes[3].toUpperCase().replace(/-/g, ' ');
    const ok = expectStatus(await anon.post('/api/auth/totp', { challenge: ch, recovery_code: typed, bearer: true }), 200).json;
    assert.equal(ok.recovery_codes_left, 9);
    const ch2 = expectStatus(await login(p.phone, p.password), 200).json.challenge;
    assertError(await anon.post('/api/auth/totp', { challenge: ch2, recovery_code: codes[3], bearer: true }), 401, 'invalid_recovery_code', 'recovery_code');
    assertError(await anon.post('/api/auth/totp', { challenge: ch2, recovery_code: 'not-a-code', bearer: true }), 401, 'invalid_recovery_code');
    assertError(await anon.post('/api/auth/totp', { challenge: ch2, bearer: true }), 422, 'missing_field', 'code');
    expectStatus(await anon.post('/api/auth/totp', { challenge: ch2, recovery_code: codes[4], bearer: true }), 200);
    assert.equal((await p.client.get('/api/me/totp')).json.recovery_codes_left, 8);
    // New codes need a code from the app; the old ones die. The answer
    // holds secrets, so it is not kept for a replayed Idempotency-Key.
    const t = await serverNow(30);
    const headers = { 'idempotency-key': 'renew-1' };
    const renewed = expectStatus(await p.client.post('/api/me/totp/recovery-codes', { code: totp(secret, t) }, { headers }), 200).json;
    assert.equal(renewed.recovery_codes.length, 10);
    assertError(await p.client.post('/api/me/totp/recovery-codes', { code: totp(secret, t) }, { headers }), 409, 'idempotency_answer_lost');
    assert.equal((await p.client.get('/api/me/totp')).json.recovery_codes_left, 10);
    const ch3 = expectStatus(await login(p.phone, p.password), 200).json.challenge;
    assertError(await anon.post('/api/auth/totp', { challenge: ch3, recovery_code: codes[5], bearer: true }), 401, 'invalid_recovery_code');
    expectStatus(await anon.post('/api/auth/totp', { challenge: ch3, recovery_code: renewed.recovery_codes[0], bearer: true }), 200);
  });

  it('wrong codes: five per challenge, ten per person; strangers spend none of them', async () => {
    const p = await person('13700000513', { role: 'staff', scope_kind: 'site', scope_ref: '1' });
    const { secret } = await enrol(p);
    // A stranger without the password gets no challenge, and a made-up
    // one is refused without counting against the person.
    assertError(await login(p.phone, 'wrong-password'), 401, 'invalid_credentials');
    for (let i = 0; i < 12; i++) {
      assertError(await anon.post('/api/auth/totp', { challenge: `forged-${i}`, code: '123456' }), 401, 'challenge_expired', 'challenge');
    }
    const ch = expectStatus(await login(p.phone, p.password), 200).json.challenge;
    for (let i = 0; i < 5; i++) assertError(await anon.post('/api/auth/totp', { challenge: ch, code: '000000' }), 401, 'invalid_code');
    let t = await serverNow(30);
    assertError(await anon.post('/api/auth/totp', { challenge: ch, code: totp(secret, t) }), 401, 'challenge_expired');
    // A new challenge (the password again) may go on, up to ten per person.
    const ch2 = expectStatus(await login(p.phone, p.password), 200).json.challenge;
    for (let i = 0; i < 5; i++) assertError(await anon.post('/api/auth/totp', { challenge: ch2, code: '000000' }), 401, 'invalid_code');
    const ch3 = expectStatus(await login(p.phone, p.password), 200).json.challenge;
    const locked = await anon.post('/api/auth/totp', { challenge: ch3, code: totp(secret, t) });
    assertError(locked, 429, 'rate_limited', 'code');
    assert.ok(Number(locked.headers.get('retry-after')) > 0);
    // After the window, the right code works.
    t = await serverNow(901);
    const ch4 = expectStatus(await login(p.phone, p.password), 200).json.challenge;
    expectStatus(await anon.post('/api/auth/totp', { challenge: ch4, code: totp(secret, t), bearer: true }), 200);
  });

  it('a challenge lasts five minutes', async () => {
    const p = await person('13700000514', { role: 'staff', scope_kind: 'site', scope_ref: '1' });
    const { secret } = await enrol(p);
    const ch = expectStatus(await login(p.phone, p.password), 200).json.challenge;
    const t = await serverNow(301);
    assertError(await anon.post('/api/auth/totp', { challenge: ch, code: totp(secret, t) }), 401, 'challenge_expired');
    assertError(await anon.post('/api/auth/totp', { challenge: ch.slice(0, -4) + 'AAAA', code: totp(secret, t) }), 401, 'challenge_expired');
  });

  it('disabling needs a code; a system admin resets, audited', async () => {
    const p = await person('13700000515', { role: 'staff', scope_kind: 'site', scope_ref: '1' });
    const { secret } = await enrol(p);
    let t = await serverNow(30);
    assertError(await p.client.post('/api/me/totp/disable', { code: '000000' }), 401, 'invalid_code');
    expectStatus(await p.client.post('/api/me/totp/disable', { code: totp(secret, t) }), 204);
    assert.equal((await p.client.get('/api/me/totp')).json.enabled, false);
    assertError(await p.client.post('/api/me/totp/disable', { code: totp(secret, t) }), 409, 'totp_not_enabled');
    // Off: the password alone signs in again.
    assert.ok(expectStatus(await login(p.phone, p.password), 200).json.token);

    await enrol(p);
    const ra = await person('13700000516', { role: 'region_admin', scope_kind: 'region', scope_ref: 'HZ-XN-01' });
    assertError(await ra.client.del(`/api/users/${p.id}/totp`), 403, 'forbidden');
    assertError(await p.client.del(`/api/users/${p.id}/totp`), 403, 'forbidden');
    expectStatus(await admin.del(`/api/users/${p.id}/totp`), 204);
    assertError(await admin.del(`/api/users/${p.id}/totp`), 409, 'totp_not_enabled');
    assertError(await admin.del('/api/users/99999999/totp'), 404, 'not_found');
    assert.ok(expectStatus(await login(p.phone, p.password), 200).json.token, 'reset: the password alone again');
    const log = (await admin.get('/api/audit?limit=40')).json.items;
    const adminId = await idOf(admin);
    assert.ok(log.some((e) => e.action === 'disable_totp' && e.actor_id === p.id));
    assert.ok(log.some((e) => e.action === 'reset_totp' && e.actor_id === adminId && e.target_id === String(p.id)));
  });

  it('a system admin without TOTP enrols at sign-in, then needs the code', async () => {
    const first = expectStatus(await login(ADMIN_PHONE, ADMIN_PASSWORD), 200).json;
    assert.equal(first.second_factor, 'totp_enrol');
    assert.equal(first.token, undefined);
    // Nothing to confirm before enrolment starts.
    assertError(await anon.post('/api/auth/totp', { challenge: first.challenge, code: '123456' }), 409, 'totp_not_started');
    const started = expectStatus(await anon.post('/api/auth/totp/enrol', { challenge: first.challenge }), 201).json;
    assert.match(started.uri, /^otpauth:\/\/totp\/Warmharbor:138%2A%2A%2A%2A0000\?secret=/);
    const t = await serverNow();
    assertError(await anon.post('/api/auth/totp', { challenge: first.challenge, code: '000000', bearer: true }), 401, 'invalid_code');
    const done = expectStatus(await anon.post('/api/auth/totp', { challenge: first.challenge, code: totp(started.secret, t), bearer: true }), 200).json;
    assert.ok(done.token);
    assert.equal(done.recovery_codes.length, 10);
    // From now on the password is followed by a code.
    const next = expectStatus(await login(ADMIN_PHONE, ADMIN_PASSWORD), 200).json;
    assert.equal(next.second_factor, 'totp');
    assertError(await anon.post('/api/auth/totp/enrol', { challenge: next.challenge }), 409, 'totp_enabled');
    const t2 = await serverNow(30);
    expectStatus(await anon.post('/api/auth/totp', { challenge: next.challenge, code: totp(started.secret, t2), bearer: true }), 200);
    // A staff member's login is untouched by the admin rule.
    const s = await person('13700000517', { role: 'staff', scope_kind: 'site', scope_ref: '1' });
    assert.ok(expectStatus(await login(s.phone, s.password), 200).json.token);
  });
});
