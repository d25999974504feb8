// Accounts: sign-up and sign-in by one-time code (the development
// provider writes codes to the log), passwords for staff and admins,
// cookie sessions with CSRF, bearer tokens, logout, lockout after repeated
// failures, roles scoped to sites and regions, masked phone numbers, the
// audit log, and tokens that never reach the logs.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startServer, ADMIN_TOKEN, ADMIN_PHONE, ADMIN_PASSWORD, STORE, assertError, expectStatus } from './lib/server.mjs';

let srv, anon, admin;
const tokens = [];

before(async () => {
  srv = await startServer({ demo: true, env: { WARMHARBOR_DEV: '1' } });
  anon = srv.client();
  admin = srv.client(ADMIN_TOKEN);
  tokens.push(srv.adminToken);
});
after(async () => {
  // No token or code ever reaches the logs.
  for (const t of tokens) {
    assert.ok(!srv.stdout.includes(t), 'a token is in the access log');
    assert.ok(!srv.stderr.includes(t), 'a token is in the diagnostics');
  }
  await srv?.stop();
});

async function codeFor(phone, purpose) {
  const res = await anon.post('/api/auth/otp', { phone, purpose });
  assert.equal(res.status, 202, res.text);
  const masked = `${phone.slice(0, 3)}****${phone.slice(-4)}`;
  for (let i = 0; i < 100; i++) {
    const m = [...srv.stderr.matchAll(new RegExp(`dev sms to ${masked.replace(/\*/g, '\\*')}: your warmharbor code is (\\d{6})`, 'g'))];
    if (m.length) return m[m.length - 1][1];
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.fail('no code in the log');
}

function cookieOf(res) {
  const sc = res.headers.get('set-cookie');
  assert.ok(sc, 'a session cookie is set');
  assert.match(sc, /HttpOnly/);
  assert.match(sc, /SameSite=Lax/);
  return sc.split(';')[0];
}

async function register(phone, extra = {}) {
  const code = await codeFor(phone, 'register');
  return anon.post('/api/auth/register', {
    phone, code, display_name: '小王', occupation: 'courier', platforms: 'meituan,eleme',
    consent: { kind: 'privacy_policy', version: '2026-11' }, ...extra,
  });
}

describe('registering and signing in', () => {
  it('a worker registers with a code and gets a cookie session', async () => {
    const res = await register('13900000001');
    assert.equal(res.status, 201, res.text);
    assert.equal(res.json.user.phone, '13900000001');
    assert.deepEqual(res.json.user.platforms, ['meituan', 'eleme']);
    assert.equal(res.json.user.verification, 'unverified');
    const cookie = cookieOf(res);
    const me = await anon.get('/api/me', { headers: { cookie } });
    assert.equal(me.status, 200);
    assert.equal(me.json.display_name, '小王');
    assert.equal(me.json.csrf_token, res.json.csrf_token);
  });

  it('registration needs consent, a valid phone and the right code', async () => {
    const code = await codeFor('13900000002', 'register');
    assertError(await anon.post('/api/auth/register', { phone: '13900000002', code, display_name: 'x' }),
      422, 'missing_field', 'consent');
    assertError(await anon.post('/api/auth/register', {
      phone: '13900000002', code: '000000', display_name: 'x', consent: { kind: 'privacy_policy', version: '2026-11' },
    }), 401, 'invalid_code', 'code');
    // Consent is to the notice in force, whose version the server gives.
    const version = (await anon.get('/api/config')).json.privacy_version;
    assert.equal(version, '2026-11');
    assertError(await anon.post('/api/auth/register', {
      phone: '13900000002', code: '000000', display_name: 'x', consent: { kind: 'privacy_policy', version: '2025-01' },
    }), 422, 'consent_outdated', 'consent.version');
    assertError(await anon.post('/api/auth/otp', { phone: '12345', purpose: 'login' }), 422, 'invalid_field', 'phone');
    assertError(await anon.post('/api/auth/otp', { phone: '13900000002', purpose: 'spam' }), 422, 'invalid_field', 'purpose');
    const again = await register('13900000001');
    assertError(again, 409, 'phone_taken', 'phone');
  });

  it('a code signs a worker in; a bearer token when asked', async () => {
    const code = await codeFor('13900000001', 'login');
    const res = await anon.post('/api/auth/login', { phone: '13900000001', code, bearer: true });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers.get('set-cookie'), null);
    tokens.push(res.json.token);
    const me = await srv.client(res.json.token).get('/api/me');
    assert.equal(me.json.phone, '13900000001');
    // A code works once.
    assertError(await anon.post('/api/auth/login', { phone: '13900000001', code }), 401, 'invalid_code', 'code');
  });

  it('admins sign in with their password; a code alone is refused', async () => {
    const res = await anon.post('/api/auth/login', { phone: ADMIN_PHONE, password: ADMIN_PASSWORD, bearer: true });
    assert.equal(res.status, 200, res.text);
    tokens.push(res.json.token);
    assert.deepEqual(res.json.roles.map((r) => r.role), ['system_admin']);
    const code = await codeFor(ADMIN_PHONE, 'login');
    assertError(await anon.post('/api/auth/login', { phone: ADMIN_PHONE, code }), 403, 'password_required', 'password');
    assertError(await anon.post('/api/auth/login', { phone: ADMIN_PHONE, password: 'wrong-password' }), 401, 'invalid_credentials');
  });

  it('repeated failures lock the phone out with a clear retry time', async () => {
    const phone = '13900000009';
    expectStatus(await register(phone), 201);
    for (let i = 0; i < 5; i++)
      assertError(await anon.post('/api/auth/login', { phone, password: `nope-${i}-xxxxxx` }), 401, 'invalid_credentials');
    const locked = await anon.post('/api/auth/login', { phone, password: 'whatever-xxxxxx' });
    assertError(locked, 429, 'rate_limited', 'phone');
    assert.ok(Number(locked.headers.get('retry-after')) > 0);
    const code = await anon.post('/api/auth/otp', { phone, purpose: 'login' });
    assertError(code, 429, 'rate_limited', 'phone');
  });
});

describe('sessions', () => {
  it('cookie writes need the CSRF token; GETs do not', async () => {
    const res = await register('13900000003');
    const cookie = cookieOf(res);
    const patch = (headers) => anon.request('PATCH', '/api/me', { json: { display_name: '王师傅' }, headers: { cookie, ...headers } });
    assertError(await patch({}), 403, 'csrf_failed');
    assertError(await patch({ 'x-csrf-token': 'f'.repeat(64) }), 403, 'csrf_failed');
    const ok = await patch({ 'x-csrf-token': res.json.csrf_token });
    assert.equal(ok.status, 200);
    assert.equal(ok.json.display_name, '王师傅');
  });

  it('a bearer token is not accepted as a cookie, nor a cookie as a bearer token', async () => {
    const res = await register('13900000004');
    const token = cookieOf(res).split('=')[1];
    assertError(await srv.client(token).get('/api/me'), 401, 'unauthorized');
    const code = await codeFor('13900000004', 'login');
    const b = await anon.post('/api/auth/login', { phone: '13900000004', code, bearer: true });
    tokens.push(b.json.token);
    assertError(await anon.get('/api/me', { headers: { cookie: `wh_session=${b.json.token}` } }), 401, 'unauthorized');
  });

  it('after logout a stolen token stops working; logout-all ends every session', async () => {
    const code = await codeFor('13900000001', 'login');
    const one = (await anon.post('/api/auth/login', { phone: '13900000001', code, bearer: true })).json.token;
    const code2 = await codeFor('13900000001', 'login');
    const two = (await anon.post('/api/auth/login', { phone: '13900000001', code: code2, bearer: true })).json.token;
    tokens.push(one, two);
    const list = await srv.client(one).get('/api/me/sessions');
    assert.ok(list.json.items.length >= 2);
    assert.equal(list.json.items.filter((s) => s.current).length, 1);
    expectStatus(await srv.client(one).post('/api/auth/logout'), 204);
    const stolen = await srv.client(one).get('/api/me');
    assertError(stolen, 401, 'unauthorized');
    assert.equal(stolen.headers.get('www-authenticate'), 'Bearer error="invalid_token"');
    expectStatus(await srv.client(two).get('/api/me'), 200);
    expectStatus(await srv.client(two).post('/api/auth/logout-all'), 204);
    assertError(await srv.client(two).get('/api/me'), 401, 'unauthorized');
  });
});

describe('roles and scopes', () => {
  let staffToken, regionToken, workerId, siteIn, siteOut;
  before(async () => {
    const sites = (await anon.get('/api/sites?limit=1000')).json.items;
    siteIn = sites.find((s) => s.region && s.region.startsWith('HZ-XN') && s.amenities.some((a) => a.code === 'seats'));
    siteOut = sites.find((s) => s.region && s.region.startsWith('HZ-HZ') && s.amenities.some((a) => a.code === 'seats'));
    const staffPhone = '13900000011', regionPhone = '13900000012';
    staffToken = srv.user(staffPhone);
    regionToken = srv.user(regionPhone);
    tokens.push(staffToken, regionToken);
    const staffId = (await srv.client(staffToken).get('/api/me')).json.id;
    const regionId = (await srv.client(regionToken).get('/api/me')).json.id;
    expectStatus(await admin.post(`/api/users/${staffId}/roles`, { role: 'staff', scope_kind: 'site', scope_ref: String(siteIn.id) }), 201);
    expectStatus(await admin.post(`/api/users/${regionId}/roles`, { role: 'region_admin', scope_kind: 'region', scope_ref: 'HZ-XN' }), 201);
    workerId = (await srv.client(srv.user('13900000013')).get('/api/me')).json.id;
  });

  it('station staff report status for their site only', async () => {
    const staff = srv.client(staffToken);
    expectStatus(await staff.post(`/api/sites/${siteIn.id}/status`, { amenities: [{ code: 'seats', available: 2 }] }), 200);
    assertError(await staff.post(`/api/sites/${siteOut.id}/status`, { amenities: [{ code: 'seats', available: 2 }] }), 403, 'out_of_scope');
    assertError(await staff.patch(`/api/sites/${siteIn.id}`, { name_en: 'x' }), 403, 'forbidden');
  });

  it('a street admin manages sites and regions of that street only', async () => {
    const ra = srv.client(regionToken);
    expectStatus(await ra.patch(`/api/sites/${siteIn.id}`, { name_en: 'Renamed by the street admin' }), 200);
    assertError(await ra.patch(`/api/sites/${siteOut.id}`, { name_en: 'x' }), 403, 'out_of_scope');
    assertError(await ra.patch(`/api/sites/${siteIn.id}`, { region: 'HZ-HZ-01' }), 403, 'out_of_scope', 'region');
    const made = await ra.post('/api/sites', { name_zh: '街道新站', type: 'warm_hut', region: 'HZ-XN-02', position: { lat: 34.57, lon: 119.2 } });
    expectStatus(made, 201);
    assertError(await ra.post('/api/sites', { name_zh: '越界站', type: 'warm_hut', region: 'HZ-HZ-02', position: { lat: 34.57, lon: 119.2 } }),
      403, 'out_of_scope', 'region');
    assertError(await ra.post('/api/sites', { name_zh: '无区站', type: 'warm_hut', position: { lat: 34.57, lon: 119.2 } }),
      403, 'out_of_scope', 'region');
    expectStatus(await ra.patch('/api/regions/HZ-XN-01', { name_en: 'Xinnan 1' }), 200);
    assertError(await ra.patch('/api/regions/HZ-HZ-01', { name_en: 'x' }), 403, 'out_of_scope');
    expectStatus(await ra.post('/api/regions', { code: 'HZ-XN-01-G9', level: 'grid', name_zh: '新网格', parent: 'HZ-XN-01' }), 201);
    assertError(await ra.post('/api/regions', { code: 'HZ-HZ-01-G9', level: 'grid', name_zh: '越界', parent: 'HZ-HZ-01' }), 403, 'out_of_scope', 'parent');
    assertError(await ra.post('/api/site-types', { code: 'street_t', name_zh: 'x' }), 403, 'forbidden');
    // Staff grants within the street, not outside.
    const helperId = (await srv.client(srv.user('13900000015')).get('/api/me')).json.id;
    expectStatus(await ra.post(`/api/users/${helperId}/roles`, { role: 'staff', scope_kind: 'site', scope_ref: String(siteIn.id) }), 201);
    assertError(await ra.post(`/api/users/${helperId}/roles`, { role: 'staff', scope_kind: 'site', scope_ref: String(siteOut.id) }), 403, 'out_of_scope');
    assertError(await ra.post(`/api/users/${helperId}/roles`, { role: 'system_admin', scope_kind: 'global' }), 403, 'out_of_scope');
  });

  it('staff verify workers at their site; phones are masked except for system admins', async () => {
    const staff = srv.client(staffToken);
    const found = await staff.get('/api/users?q=13900000013');
    assert.equal(found.status, 200);
    assert.equal(found.json.items[0].phone, '139****0013');
    const v = await staff.post(`/api/users/${workerId}/verification`, { state: 'verified', site: siteIn.id });
    assert.equal(v.status, 200);
    assert.equal(v.json.verification, 'verified');
    assert.equal(v.json.verified_site, siteIn.id);
    const full = await admin.get('/api/users?q=13900000013');
    assert.equal(full.json.items[0].phone, '13900000013');
    assert.ok(Array.isArray(full.json.items[0].roles), 'admins see the grants they may revoke');
    assert.equal(found.json.items[0].roles, undefined, 'staff do not');
    const worker = srv.client(srv.user('13900000014'));
    assertError(await worker.get('/api/users?q=139'), 403, 'forbidden');
    assertError(await worker.post(`/api/users/${workerId}/verification`, { state: 'revoked' }), 403, 'forbidden');
  });

  it('the audit log records sign-ins, grants, verifications and lookups; only system admins read it', async () => {
    const log = await admin.get('/api/audit?limit=500');
    assert.equal(log.status, 200);
    const actions = new Set(log.json.items.map((e) => e.action));
    for (const a of ['sign_in', 'grant_role', 'verify_worker', 'search_people', 'cli_add_admin'])
      assert.ok(actions.has(a), `audit has ${a}`);
    assertError(await srv.client(staffToken).get('/api/audit'), 403, 'forbidden');
    assertError(await anon.get('/api/audit'), 401, 'unauthorized');
  });

  it('revoking a grant takes the access away', async () => {
    const staffId = (await srv.client(staffToken).get('/api/me')).json.id;
    const grants = (await srv.client(staffToken).get('/api/me')).json.roles;
    expectStatus(await admin.del(`/api/users/${staffId}/roles/${grants[0].id}`), 204);
    assertError(await srv.client(staffToken).post(`/api/sites/${siteIn.id}/status`, { amenities: [{ code: 'seats', available: 1 }] }),
      403, 'forbidden');
  });
});

describe('without the development code provider', () => {
  it('codes are refused (no SMS provider), passwords still work', async () => {
    const plain = await startServer({ demo: true });
    try {
      assertError(await plain.client().post('/api/auth/otp', { phone: '13900000020', purpose: 'register' }), 503, 'sms_unavailable');
      expectStatus(await plain.client().post('/api/auth/login', { phone: ADMIN_PHONE, password: ADMIN_PASSWORD, bearer: true }), 200);
    } finally {
      await plain.stop();
    }
  });
});

describe('my data (PIPL)', () => {
  it('export holds everything about me; erasure leaves no trace of the phone in the database files', async () => {
    const phone = '13900000077';
    const reg = await register(phone);
    expectStatus(reg, 201);
    const cookie = cookieOf(reg);
    const code = await codeFor(phone, 'login');
    const bearer = (await anon.post('/api/auth/login', { phone, code, bearer: true })).json.token;
    tokens.push(bearer);
    const me = srv.client(bearer);
    const exp = await me.get('/api/me/export');
    assert.equal(exp.status, 200);
    assert.match(exp.headers.get('content-disposition'), /attachment/);
    assert.equal(exp.json.person.phone, phone);
    assert.equal(exp.json.person.display_name, '小王');
    assert.deepEqual(exp.json.consents.map((c) => c.kind), ['privacy_policy']);
    assert.ok(exp.json.sessions.length >= 2);
    assert.ok(exp.json.activity.some((a) => a.action === 'sign_in'));
    assertError(await me.del('/api/me'), 400, 'confirm_required', 'confirm');
    expectStatus(await me.del('/api/me?confirm=1'), 204);
    assertError(await me.get('/api/me'), 401, 'unauthorized');
    assertError(await anon.get('/api/me', { headers: { cookie } }), 401, 'unauthorized');
    if (STORE === 'sqlite') {
      for (const f of [srv.dbPath, `${srv.dbPath}-wal`]) {
        let bytes;
        try { bytes = readFileSync(f); } catch { continue; }
        assert.equal(bytes.indexOf(Buffer.from(phone)), -1, `${f} still holds the phone number`);
      }
    } else {
      const found = await admin.get(`/api/users?q=${phone}`);
      assert.equal(found.json.items.length, 0);
    }
    // The phone can register again as a new person.
    expectStatus(await register(phone), 201);
  });
});

describe('the worker QR code and sealed fields', () => {
  it('staff scan a worker code; others cannot; an expired code is refused', async () => {
    const short = await startServer({ demo: true, env: { WARMHARBOR_QR_TTL: '1' } });
    try {
      const worker = short.client(short.user('13900000031'));
      const staff = short.client(short.user('13900000032'));
      const admin2 = short.client(ADMIN_TOKEN);
      const staffId = (await staff.get('/api/me')).json.id;
      expectStatus(await admin2.post(`/api/users/${staffId}/roles`, { role: 'staff', scope_kind: 'site', scope_ref: '5' }), 201);
      const qr = await worker.get('/api/me/qr');
      assert.equal(qr.status, 200);
      assert.ok(!qr.json.token.includes('13900000031'), 'the code shows no phone');
      const seen = await staff.post('/api/qr/verify', { token: qr.json.token });
      assert.equal(seen.status, 200, seen.text);
      assert.equal(seen.json.phone, '139****0031');
      assertError(await worker.post('/api/qr/verify', { token: qr.json.token }), 403, 'forbidden');
      const forged = qr.json.token.slice(0, -2) + (qr.json.token.endsWith('AA') ? 'BB' : 'AA');
      assertError(await staff.post('/api/qr/verify', { token: forged }), 422, 'invalid_qr', 'token');
      await new Promise((r) => setTimeout(r, 2100));
      assertError(await staff.post('/api/qr/verify', { token: qr.json.token }), 410, 'qr_expired', 'token');
    } finally {
      await short.stop();
    }
  });

  it('an ID number is stored sealed: masked on read, whole in the export, absent from the database file', async () => {
    const tok = srv.user('13900000041');
    const me = srv.client(tok);
    const idn = '32070619900101123X';
    assertError(await me.patch('/api/me', { id_number: '123' }), 422, 'invalid_field', 'id_number');
    expectStatus(await me.patch('/api/me', { id_number: idn }), 200);
    assert.equal((await me.get('/api/me')).json.id_number, '**************123X');
    assert.equal((await me.get('/api/me/export')).json.person.id_number, idn);
    if (STORE === 'sqlite') {
      for (const f of [srv.dbPath, `${srv.dbPath}-wal`]) {
        let bytes;
        try { bytes = readFileSync(f); } catch { continue; }
        assert.equal(bytes.indexOf(Buffer.from(idn)), -1, `${f} holds the ID number in clear`);
      }
    }
  });
});
