// accounts.mjs - people for the browser tests, made through the API (the
// account pages have their own tests): a worker registered with a code
// from the server's log (the server must run with WARMHARBOR_DEV=1), a
// password and a role for staff, calls as the system admin, and a browser
// that starts signed in.
import { ADMIN_TOKEN } from './harness.mjs';

async function call(srv, method, path, { json, headers = {} } = {}) {
  const res = await fetch(srv.base + path, {
    method,
    headers: { Accept: 'application/json', ...(json === undefined ? {} : { 'Content-Type': 'application/json' }), ...headers },
    body: json === undefined ? undefined : JSON.stringify(json),
  });
  const text = await res.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.status, json: body, text, headers: res.headers };
}

function sessionOf(res) {
  const m = /wh_session=([^;]+)/.exec(res.headers.get('set-cookie') || '');
  if (!m) throw new Error(`no session in the answer (${res.status} ${res.text.slice(0, 200)})`);
  return m[1];
}

/** A one-time code for phone (purpose login or register), as the server "sent" it. */
export async function codeFor(srv, phone, purpose) {
  const since = srv.stderr.length;
  const r = await call(srv, 'POST', '/api/auth/otp', { json: { phone, purpose } });
  if (r.status !== 200 && r.status !== 202) throw new Error(`otp ${phone}: ${r.status} ${r.text}`);
  return srv.otp(phone, { since });
}

/** Register a worker: {id, cookie, csrf}. */
export async function registerWorker(srv, phone, name = '测试骑手') {
  const code = await codeFor(srv, phone, 'register');
  // Consent is to the privacy notice the server has in force.
  const version = (await call(srv, 'GET', '/api/config')).json.privacy_version;
  const r = await call(srv, 'POST', '/api/auth/register', {
    json: { phone, code, display_name: name, occupation: 'food_delivery', platforms: 'meituan', consent: { kind: 'privacy_policy', version } },
  });
  if (r.status !== 201) throw new Error(`register ${phone}: ${r.status} ${r.text}`);
  return { id: r.json.user.id, cookie: sessionOf(r), csrf: r.json.csrf_token };
}

/** A call as the system admin (the harness's bearer token). */
export function asAdmin(srv, method, path, json) {
  return call(srv, method, path, { json, headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
}

/**
 * A person with a password and a role (staff sign in with a password):
 * registered, given the password, granted the role; resolves to
 * {id, cookie} of a fresh password sign-in.
 */
export async function staffMember(srv, phone, password, grant) {
  const w = await registerWorker(srv, phone, '工作人员');
  const code = await codeFor(srv, phone, 'login');
  const p = await call(srv, 'PATCH', '/api/me', {
    json: { password, code },
    headers: { Cookie: `wh_session=${w.cookie}`, 'X-CSRF-Token': w.csrf },
  });
  if (p.status !== 200) throw new Error(`password for ${phone}: ${p.status} ${p.text}`);
  const g = await asAdmin(srv, 'POST', `/api/users/${w.id}/roles`, grant);
  if (g.status !== 201 && g.status !== 200) throw new Error(`grant to ${phone}: ${g.status} ${g.text}`);
  const l = await call(srv, 'POST', '/api/auth/login', { json: { phone, password } });
  if (l.status !== 200) throw new Error(`login ${phone}: ${l.status} ${l.text}`);
  return { id: w.id, cookie: sessionOf(l) };
}

/** Let browser b start signed in with the session cookie (and the page's hint that it may be). */
export async function signInBrowser(b, srv, cookie) {
  await b.context.addCookies([{ name: 'wh_session', value: cookie, url: srv.base }]);
  await b.context.addInitScript(() => {
    try {
      localStorage.setItem('wh.signedIn', '1');
    } catch {
      /* no storage */
    }
  });
}
