// Helpers for the account tests: one-time codes from the development
// provider's log, requests from another client address, and plain SQL
// against a test server's store (to move a clock or hold a reader open).
import http from 'node:http';
import { spawn, spawnSync } from 'node:child_process';
import assert from 'node:assert/strict';
import { STORE, assertErrorShape } from './server.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function codesFor(srv, phone) {
  const masked = `${phone.slice(0, 3)}\\*\\*\\*\\*${phone.slice(-4)}`;
  return [...srv.stderr.matchAll(new RegExp(`dev sms to ${masked}: your warmharbor code is (\\d{6})`, 'g'))]
    .map((m) => m[1]);
}

/** Ask for a code (the server must run with WARMHARBOR_DEV=1) and read
 * it from the log: the one this request made, not an older one. */
export async function codeFor(srv, phone, purpose = 'login', client = srv.client()) {
  const before = codesFor(srv, phone).length;
  const res = await client.post('/api/auth/otp', { phone, purpose });
  assert.equal(res.status, 202, res.text);
  for (let i = 0; i < 200; i++) {
    const all = codesFor(srv, phone);
    if (all.length > before) return all[all.length - 1];
    await sleep(10);
  }
  assert.fail(`no code for ${phone} in the log`);
}

/** Register a worker by code; returns the answer (cookie session). */
export async function register(srv, phone, extra = {}) {
  const code = await codeFor(srv, phone, 'register');
  return srv.client().post('/api/auth/register', {
    phone, code, display_name: '测试工人', occupation: 'courier',
    consent: { kind: 'privacy_policy', version: '2026-11' }, ...extra,
  });
}

/** Sign in and return the bearer token (password or code). */
export async function bearer(srv, phone, { password, code } = {}) {
  const res = await srv.client().post('/api/auth/login', { phone, ...(password ? { password } : { code }), bearer: true });
  assert.equal(res.status, 200, res.text);
  return res.json.token;
}

/**
 * A client whose requests leave from another loopback address
 * (127.0.0.2 ...), so the server sees another client address. Same
 * interface as srv.client(): request/get/post/patch/del.
 */
export function clientFrom(srv, localAddress, token) {
  function request(method, p, opts = {}) {
    const headers = { ...(opts.headers || {}) };
    if (token) headers.authorization = `Bearer ${token}`;
    let body;
    if (opts.json !== undefined) {
      body = JSON.stringify(opts.json);
      headers['content-type'] = 'application/json';
    }
    if (body !== undefined) headers['content-length'] = Buffer.byteLength(body);
    return new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: srv.port, localAddress, method, path: p, headers, agent: false }, (res) => {
        const parts = [];
        res.on('data', (d) => parts.push(d));
        res.on('end', () => {
          const text = Buffer.concat(parts).toString('utf8');
          const out = { status: res.statusCode, headers: new Headers(res.headers), text, json: undefined };
          if ((res.headers['content-type'] || '').includes('json') && text) out.json = JSON.parse(text);
          if (out.status >= 400) assertErrorShape(out, `${method} ${p}`);
          resolve(out);
        });
      });
      req.on('error', reject);
      if (body !== undefined) req.write(body);
      req.end();
    });
  }
  return {
    request,
    get: (p, o) => request('GET', p, o),
    post: (p, json, o = {}) => request('POST', p, { ...o, json }),
    patch: (p, json, o = {}) => request('PATCH', p, { ...o, json }),
    del: (p, o) => request('DELETE', p, o),
  };
}

/** Run SQL against the server's store; returns its output (rows, one a
 * line, columns separated by |). */
export function sql(srv, statement) {
  const r = STORE === 'pg'
    ? spawnSync('psql', ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', srv.dbPath, '-c', statement], { encoding: 'utf8' })
    : spawnSync('sqlite3', ['-cmd', '.timeout 5000', srv.dbPath, statement], { encoding: 'utf8' });
  assert.equal(r.status, 0, `sql failed: ${r.stderr}`);
  return r.stdout.trim();
}

/**
 * Open a second SQLite connection that holds a read transaction (a
 * snapshot) until release() is called.
 */
export async function holdReader(dbPath) {
  const p = spawn('sqlite3', ['-cmd', '.timeout 5000', dbPath], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  p.stdout.setEncoding('utf8');
  p.stdout.on('data', (d) => (out += d));
  p.stdin.write('BEGIN;\nSELECT count(*) FROM users;\n');
  for (let i = 0; i < 500 && !/\d/.test(out); i++) await sleep(10);
  assert.match(out, /\d/, 'the reader has its snapshot');
  return {
    async release() {
      const done = new Promise((resolve) => p.once('exit', resolve));
      p.stdin.end('COMMIT;\n.quit\n');
      await done;
    },
  };
}

export const nowSeconds = () => Math.floor(Date.now() / 1000);
