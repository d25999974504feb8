// people.mjs - people for the booking tests: workers registered with a
// code (read from the server's log), staff and providers with a password
// and a role granted by the admin, each either signed in inside a browser
// page (a cookie session, as the web app has) or as a bearer token for the
// API. Needs a server started with WARMHARBOR_DEV=1.
import assert from 'node:assert/strict';
import { ADMIN_TOKEN } from './harness.mjs';

let seq = 0;
/** A phone number nobody has used in this process. */
export function newPhone(prefix = '1390077') {
  seq += 1;
  return `${prefix}${String(seq).padStart(4, '0')}`;
}

/** A JSON call: {status, json, text}; token: a bearer token. */
export async function api(srv, method, path, { token, json } = {}) {
  const headers = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  if (json !== undefined) headers['Content-Type'] = 'application/json';
  return srv.api(path, { method, headers, body: json === undefined ? undefined : JSON.stringify(json) });
}

async function code(srv, phone, purpose) {
  const since = srv.stderr.length;
  const r = await api(srv, 'POST', '/api/auth/otp', { json: { phone, purpose } });
  assert.equal(r.status, 202, r.text);
  return srv.otp(phone, { since });
}

/** A worker registered through the API: {id, phone, token}. */
export async function workerByApi(srv, name = '李师傅', phone = newPhone()) {
  const r = await api(srv, 'POST', '/api/auth/register', {
    json: { phone, code: await code(srv, phone, 'register'), display_name: name, occupation: 'courier', consent: { kind: 'privacy_policy', version: '2026-11' }, bearer: true },
  });
  assert.equal(r.status, 201, r.text);
  return { id: r.json.user.id, phone, token: r.json.token, name };
}

/**
 * A worker registered inside the browser page (its cookie session), as the
 * register form would: {id, phone}. The page must be on the server's origin.
 */
export async function workerInPage(srv, page, name = '王师傅', phone = newPhone()) {
  const c = await code(srv, phone, 'register');
  const r = await page.evaluate(
    async ({ phone, c, name }) => {
      const res = await fetch('/api/auth/register', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ phone, code: c, display_name: name, occupation: 'food_delivery', consent: { kind: 'privacy_policy', version: '2026-11' } }),
      });
      localStorage.setItem('wh.signedIn', '1');
      return { status: res.status, body: await res.json() };
    },
    { phone, c, name },
  );
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return { id: r.body.user.id, phone, name };
}

/** Grant a role (as the admin): scope_kind site|region|organization|global. */
export async function grant(srv, userId, role, scopeKind, scopeRef) {
  const r = await api(srv, 'POST', `/api/users/${userId}/roles`, { token: ADMIN_TOKEN, json: { role, scope_kind: scopeKind, scope_ref: String(scopeRef) } });
  assert.equal(r.status, 201, r.text);
}

/**
 * Someone with a role and a password (staff and providers sign in with
 * one): registered by code, a password set, the role granted. {id, phone, password}.
 */
export async function withRole(srv, role, scopeKind, scopeRef, name = '张站长') {
  const w = await workerByApi(srv, name);
  const password = `pw-${w.phone}-booking`;
  const p = await api(srv, 'PATCH', '/api/me', { token: w.token, json: { password } });
  assert.equal(p.status, 200, p.text);
  await grant(srv, w.id, role, scopeKind, scopeRef);
  return { ...w, password };
}

/** Sign in inside the page with a password (cookie session). */
export async function signInPage(page, phone, password) {
  const r = await page.evaluate(
    async ({ phone, password }) => {
      const res = await fetch('/api/auth/login', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ phone, password }) });
      if (res.ok) localStorage.setItem('wh.signedIn', '1');
      return { status: res.status, text: await res.text() };
    },
    { phone, password },
  );
  assert.equal(r.status, 200, r.text);
}

/** A bearer token for someone with a password. */
export async function tokenFor(srv, phone, password) {
  const r = await api(srv, 'POST', '/api/auth/login', { json: { phone, password, bearer: true } });
  assert.equal(r.status, 200, r.text);
  return r.json.token;
}
