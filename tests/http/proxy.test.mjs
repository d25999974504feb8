// The client's address behind a reverse proxy. Sign-in failures are
// limited per address (30 in 15 minutes); behind nginx every request comes
// from nginx's address, so without WARMHARBOR_TRUSTED_PROXIES one client's
// failures would lock sign-in for everyone. A trusted proxy's
// X-Forwarded-For (right-most address that is not a trusted proxy) or
// X-Real-IP names the client; anyone else's is ignored.
import { describe, it, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, ADMIN_TOKEN, ADMIN_PHONE, ADMIN_PASSWORD, assertError, expectStatus } from './lib/server.mjs';

const LIMIT_ADDRESS = 30; // account_http.c

let phoneSeq = 0;
/** A phone nobody has, new every time (so the per-phone limit never trips). */
function freshPhone() {
  phoneSeq++;
  return `1370000${String(phoneSeq).padStart(4, '0')}`;
}

function login(client, headers) {
  return client.post('/api/auth/login', { phone: freshPhone(), password: 'wrong-password-xx' }, { headers });
}

/** Fail LIMIT_ADDRESS sign-ins with these headers: that address is then locked. */
async function lockOut(client, headers) {
  for (let i = 0; i < LIMIT_ADDRESS; i++) assertError(await login(client, headers), 401, 'invalid_credentials');
  assertError(await login(client, headers), 429, 'rate_limited');
}

describe('behind a trusted proxy (WARMHARBOR_TRUSTED_PROXIES=127.0.0.1,::1)', () => {
  let srv;
  let anon;
  let admin;
  before(async () => {
    srv = await startServer({ env: { WARMHARBOR_TRUSTED_PROXIES: '127.0.0.1, ::1' } });
    anon = srv.client();
    admin = srv.client(ADMIN_TOKEN);
  });
  after(async () => {
    if (srv) await srv.stop();
  });
  afterEach(() => srv.assertHealthy());

  it('two clients named by X-Forwarded-For are limited apart', async () => {
    await lockOut(anon, { 'x-forwarded-for': '198.51.100.7' });
    assertError(await login(anon, { 'x-forwarded-for': '198.51.100.8' }), 401, 'invalid_credentials');
    assertError(await login(anon, { 'x-real-ip': '198.51.100.9' }), 401, 'invalid_credentials');
    // The right-most address that is not a trusted proxy is the client: a
    // forged entry on the left does not help, proxies on the right are skipped.
    assertError(await login(anon, { 'x-forwarded-for': '203.0.113.99, 198.51.100.7' }), 429, 'rate_limited');
    assertError(await login(anon, { 'x-forwarded-for': '198.51.100.7, 127.0.0.1, ::1' }), 429, 'rate_limited');
    assertError(await login(anon, { 'x-forwarded-for': '198.51.100.7, 203.0.113.99' }), 401, 'invalid_credentials');
    // what the client wrote left of the address its proxy appended is not read
    assertError(await login(anon, { 'x-forwarded-for': 'garbage, , 198.51.100.7' }), 429, 'rate_limited');
    // X-Forwarded-For wins over X-Real-IP; ports and IPv6 forms are read
    assertError(await login(anon, { 'x-forwarded-for': '198.51.100.7', 'x-real-ip': '203.0.113.5' }), 429, 'rate_limited');
    assertError(await login(anon, { 'x-forwarded-for': '198.51.100.7:53211' }), 429, 'rate_limited');
    assertError(await login(anon, { 'x-forwarded-for': '::ffff:198.51.100.7' }), 429, 'rate_limited');
    assertError(await login(anon, { 'x-real-ip': '198.51.100.7' }), 429, 'rate_limited');
    await lockOut(anon, { 'x-forwarded-for': '[2001:db8::7]:443' });
    assertError(await login(anon, { 'x-forwarded-for': '2001:db8::7' }), 429, 'rate_limited');
    assertError(await login(anon, { 'x-forwarded-for': '2001:db8::8' }), 401, 'invalid_credentials');
  });

  it('the audit log records the client, not the proxy', async () => {
    expectStatus(await anon.post('/api/auth/login', { phone: ADMIN_PHONE, password: ADMIN_PASSWORD, bearer: true },
      { headers: { 'x-forwarded-for': '192.0.2.44, 127.0.0.1' } }), 200);
    const log = expectStatus(await admin.get('/api/audit?limit=50'), 200).json;
    const signIn = log.items.find((e) => e.action === 'sign_in');
    assert.equal(signIn.address, '192.0.2.44');
  });

  it('a malformed header falls back to the peer', async () => {
    // (what the walk from the right reaches first is not an address)
    const bad = ['not-an-address', '198.51.100.20,', '', '198.51.100.20, unknown',
      '999.1.1.1', '198.51.100.20 198.51.100.21', 'fe80::1%eth0', '[2001:db8::1', '1.2.3.4:99999'];
    for (let i = 0; i < LIMIT_ADDRESS; i++)
      assertError(await login(anon, { 'x-forwarded-for': bad[i % bad.length] }), 401, 'invalid_credentials');
    // every one of them was counted against the proxy's own address
    assertError(await login(anon, {}), 429, 'rate_limited');
    assertError(await login(anon, { 'x-real-ip': 'garbage' }), 429, 'rate_limited');
    assertError(await login(anon, { 'x-forwarded-for': '198.51.100.20' }), 401, 'invalid_credentials');
  });
});

describe('without trusted proxies (the default)', () => {
  let srv;
  let anon;
  before(async () => {
    srv = await startServer({});
    anon = srv.client();
  });
  after(async () => {
    if (srv) await srv.stop();
  });
  afterEach(() => srv.assertHealthy());

  it('a forged X-Forwarded-For or X-Real-IP is ignored', async () => {
    for (let i = 0; i < LIMIT_ADDRESS; i++) {
      const h = i % 2 ? { 'x-forwarded-for': `198.51.100.${i}` } : { 'x-real-ip': `203.0.113.${i}` };
      assertError(await login(anon, h), 401, 'invalid_credentials');
    }
    assertError(await login(anon, { 'x-forwarded-for': '198.51.100.200' }), 429, 'rate_limited');
    assertError(await login(anon, { 'x-real-ip': '203.0.113.200' }), 429, 'rate_limited');
    assertError(await login(anon, {}), 429, 'rate_limited');
  });
});

describe('a bad WARMHARBOR_TRUSTED_PROXIES', () => {
  it('stops the server at start, naming the entry', async () => {
    await assert.rejects(startServer({ env: { WARMHARBOR_TRUSTED_PROXIES: '10.0.0.0/8, nginx.internal' } }),
      /WARMHARBOR_TRUSTED_PROXIES: \\?"nginx\.internal\\?" is not an address or a CIDR range/);
    await assert.rejects(startServer({ env: { WARMHARBOR_TRUSTED_PROXIES: '10.0.0.0/33' } }),
      /10\.0\.0\.0\/33/);
  });
});
