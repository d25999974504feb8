// Start the real warmharbor binary for black-box HTTP tests.
//
//   const srv = await startServer({ demo: true });      // seeded throwaway DB
//   const admin = srv.client(ADMIN_TOKEN);              // bearer token
//   const anon = srv.client();                          // no token
//   ...
//   await srv.stop();                                   // SIGTERM, wait, clean up
//
// Every server gets its own temporary directory (database inside) and is
// started with --listen 127.0.0.1:0; the bound port is read from the JSON
// log line "listening on 127.0.0.1:PORT with N threads" on stderr. Servers
// and directories left behind by a failing test are removed when the test
// process exits. Sanitizer reports on the server's stderr fail the test.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import net from 'node:net';
import assert from 'node:assert/strict';

/**
 * Stands for the bearer token of the system admin every server gets (made
 * with `warmharbor user add --admin` and `warmharbor token create`):
 * srv.client(ADMIN_TOKEN) signs in as that admin.
 */
export const ADMIN_TOKEN = 'wh-test-admin-token-7f3a9c';
export const ADMIN_PHONE = '13800000000';
export const ADMIN_PASSWORD = 'test-admin-password-1';

/** The server key shared by the processes of this test run (several
 * nodes on one database must share it). */
let sharedKeyDir = null;
function keyFileFor(dir) {
  if (dir) return path.join(dir, 'warmharbor.key');
  if (!sharedKeyDir) sharedKeyDir = makeTempDir('warmharbor-key-');
  return path.join(sharedKeyDir, 'warmharbor.key');
}

export const BIN =
  process.env.WARMHARBOR_BIN ||
  path.resolve(import.meta.dirname, '../../../build/default/warmharbor');

const SANITIZER_MARKS = ['ERROR: AddressSanitizer', 'ERROR: LeakSanitizer', 'runtime error:'];

// ---- process bookkeeping: nothing survives the test process -------------

const live = new Set(); // servers not yet stopped
const dirs = new Set(); // temp dirs not yet removed

function cleanupAllSync() {
  for (const s of live) {
    try {
      s.proc.kill('SIGKILL');
    } catch {
      /* already gone */
    }
  }
  live.clear();
  for (const d of dirs) {
    try {
      rmSync(d, { recursive: true, force: true });
    } catch {
      /* best effort */
    }
  }
  dirs.clear();
}

process.once('exit', cleanupAllSync);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(sig, () => {
    cleanupAllSync();
    process.exit(128 + (sig === 'SIGINT' ? 2 : sig === 'SIGTERM' ? 15 : 1));
  });
}

export function makeTempDir(prefix = 'warmharbor-http-') {
  const d = mkdtempSync(path.join(tmpdir(), prefix));
  dirs.add(d);
  return d;
}

export function removeTempDir(d) {
  rmSync(d, { recursive: true, force: true });
  dirs.delete(d);
}

/** Fail if text holds a sanitizer report. */
export function assertNoSanitizerReport(text, what = 'server stderr') {
  for (const mark of SANITIZER_MARKS) {
    if (text.includes(mark)) {
      const at = text.indexOf(mark);
      assert.fail(`${what} has a sanitizer report (${mark}):\n` +
        text.slice(Math.max(0, at - 200), at + 4000));
    }
  }
}

/** Run a one-shot command of the binary (demo, migrate, export-sites ...). */
export function runCommand(args, { env = {}, input } = {}) {
  const r = spawnSync(BIN, args, {
    env: { ...baseEnv(), ...env },
    input,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: 60_000,
  });
  if (r.error) throw r.error;
  assertNoSanitizerReport(r.stderr || '', `warmharbor ${args[0]} stderr`);
  return r;
}

/** Seed the demo data into a database file. */
/**
 * Which store a server started without an explicit dbPath uses: SQLite in
 * a temp dir, or, when WARMHARBOR_TEST_PG_DIR names a running test cluster
 * (tools/pg_cluster.sh), a fresh PostgreSQL database for every server. The
 * whole suite runs once on each (make test).
 */
export const STORE = process.env.WARMHARBOR_TEST_PG_DIR ? 'pg' : 'sqlite';
let pgCount = 0;

/** A new database of the test cluster (a copy of template, when given):
 * {name, url}. */
function newPgDatabase(template) {
  const name = `wh_http_${process.pid}_${++pgCount}`;
  const tool = path.resolve(import.meta.dirname, '../../../tools/pg_cluster.sh');
  const args = [tool, 'createdb', process.env.WARMHARBOR_TEST_PG_DIR, name];
  if (template) args.push(template);
  const r = spawnSync('sh', args, { encoding: 'utf8' });
  assert.equal(r.status, 0, `pg_cluster.sh createdb failed: ${r.stderr}`);
  return { name, url: r.stdout.trim() };
}

function freshPgDatabase() {
  return newPgDatabase().url;
}

/**
 * The demo data is seeded once per test process and copied for every
 * server that asks for it: seeding takes 0.3 s on SQLite and 1.8 s on
 * PostgreSQL (several times that under the sanitizers), a copy a tenth of
 * that. SQLite: the file and the key it was sealed with go into the
 * server's folder; PostgreSQL: a database made from the seeded one as its
 * template (the run's databases share one key).
 */
let demoTemplate = null;
function freshDemo(dir) {
  if (STORE === 'pg') {
    if (!demoTemplate) {
      const t = newPgDatabase();
      seedDemo(t.url);
      demoTemplate = t.name;
    }
    return newPgDatabase(demoTemplate).url;
  }
  if (!demoTemplate) {
    const tdir = makeTempDir('warmharbor-demo-');
    seedDemo(path.join(tdir, 'warmharbor.db'));
    demoTemplate = tdir;
  }
  for (const f of ['warmharbor.db', 'warmharbor.db-wal', 'warmharbor.key']) {
    if (existsSync(path.join(demoTemplate, f))) copyFileSync(path.join(demoTemplate, f), path.join(dir, f));
  }
  return path.join(dir, 'warmharbor.db');
}

export function seedDemo(dbPath) {
  currentKeyFile = keyFileFor(dbPath.includes('://') ? null : path.dirname(dbPath));
  const r = runCommand(['demo', '--db', dbPath]);
  assert.equal(r.status, 0, `warmharbor demo failed: ${r.stderr}`);
  return r.stdout;
}

function baseEnv() {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('WARMHARBOR_')) delete env[k];
  env.WARMHARBOR_SECRET_FILE = currentKeyFile || keyFileFor(null);
  // The suites sign the test admin in with a password only; the second
  // factor system admins need is tested where servers start with
  // WARMHARBOR_ADMIN_TOTP: 'required' (totp.test.mjs, the browser's).
  env.WARMHARBOR_ADMIN_TOTP = 'offered';
  env.WARMHARBOR_LOG_LEVEL = env.WARMHARBOR_LOG_LEVEL_TEST || 'info';
  // Sanitizer builds: report everything on stderr, where we look for it.
  env.ASAN_OPTIONS = env.ASAN_OPTIONS || 'abort_on_error=0:halt_on_error=1:detect_leaks=1';
  env.UBSAN_OPTIONS = env.UBSAN_OPTIONS || 'print_stacktrace=1:halt_on_error=1';
  return env;
}

let currentKeyFile = null;
let lastAdminToken = null;

/** For raw requests: the real token behind ADMIN_TOKEN (the admin of the
 * server started last; tokens stay valid for their database). */
export function realToken(t) {
  return t === ADMIN_TOKEN ? lastAdminToken : t;
}

/** A person with a bearer token, made on the command line (the database
 * must be migrated: any server start or seedDemo did that). */
export function createUser(dbPath, phone, { admin = false, password, keyFile } = {}) {
  const prev = currentKeyFile;
  currentKeyFile = keyFile || prev;
  try {
    const add = ['user', 'add', '--db', dbPath];
    if (admin) add.push('--admin');
    if (password) add.push('--password', password);
    add.push(phone);
    const r = runCommand(add);
    assert.equal(r.status, 0, `user add: ${r.stderr}`);
    const t = runCommand(['token', 'create', '--db', dbPath, phone]);
    assert.equal(t.status, 0, `token create: ${t.stderr}`);
    return t.stdout.trim();
  } finally {
    currentKeyFile = prev;
  }
}

/** Many people with bearer tokens at once: two processes, whatever their
 * number (one each would block the event loop long enough for the server
 * to close the client's idle keep-alive connections). Tokens in the
 * order of phones. */
export function createUsers(dbPath, phones, { keyFile } = {}) {
  const prev = currentKeyFile;
  currentKeyFile = keyFile || prev;
  try {
    const r = runCommand(['user', 'add', '--db', dbPath, ...phones]);
    assert.equal(r.status, 0, `user add: ${r.stderr}`);
    const t = runCommand(['token', 'create', '--db', dbPath, ...phones]);
    assert.equal(t.status, 0, `token create: ${t.stderr}`);
    const tokens = t.stdout.trim().split('\n');
    assert.equal(tokens.length, phones.length);
    return tokens;
  } finally {
    currentKeyFile = prev;
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** promise, or a rejection after ms; the timer never outlives the race. */
function withTimeout(promise, ms, message) {
  let timer;
  const t = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(message())), ms);
  });
  return Promise.race([promise, t]).finally(() => clearTimeout(timer));
}

/**
 * Start a server.
 *   demo        seed the demo data first (ignored when dbPath is given and exists)
 *   token       admin token; null/undefined-by-choice: pass token: null to leave
 *               WARMHARBOR_ADMIN_TOKEN unset (writes refused). Default ADMIN_TOKEN.
 *   accessLog   false sets WARMHARBOR_ACCESS_LOG=0
 *   dbPath      reuse a database (e.g. restart after shutdown)
 *   env         extra environment
 *   threads     worker threads (default 4)
 */
export async function startServer(opts = {}) {
  const {
    demo = false,
    token = ADMIN_TOKEN,
    accessLog = true,
    env = {},
    threads = 4,
  } = opts;
  let dir = opts.dir;
  let dbPath = opts.dbPath;
  let fresh = false;
  let seeded = false;
  if (!dbPath) {
    dir = makeTempDir();
    if (demo) {
      dbPath = freshDemo(dir);
      seeded = true;
    } else {
      dbPath = STORE === 'pg' ? freshPgDatabase() : path.join(dir, 'warmharbor.db');
    }
    fresh = true;
  }
  const ownsDir = !opts.dbPath;
  // The server key lives beside a database file; PostgreSQL databases of
  // this run share one.
  const keyFile = opts.keyFile || keyFileFor(dbPath.includes('://') ? null : path.dirname(dbPath));
  currentKeyFile = keyFile;
  if (demo && !seeded && (fresh || !existsSync(dbPath))) seedDemo(dbPath);

  let adminToken = null;
  if (token) {
    if (!demo && fresh) runCommand(['migrate', '--db', dbPath]);
    adminToken = createUser(dbPath, ADMIN_PHONE, { admin: true, password: ADMIN_PASSWORD, keyFile });
    lastAdminToken = adminToken;
  }
  const childEnv = { ...baseEnv(), ...env };
  if (!accessLog) childEnv.WARMHARBOR_ACCESS_LOG = '0';

  const srvRef = { srv: null };
  const proc = spawn(
    BIN,
    ['serve', '--db', dbPath, '--listen', '127.0.0.1:0', '--threads', String(threads)],
    { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  proc.stdout.setEncoding('utf8');
  proc.stderr.setEncoding('utf8');
  proc.stdout.on('data', (d) => (stdout += d));
  let exitInfo = null;
  const exited = new Promise((resolve) => {
    proc.once('exit', (code, signal) => {
      exitInfo = { code, signal };
      resolve(exitInfo);
    });
  });
  // Fail instead of hanging if the binary cannot be started at all.
  const spawnError = new Promise((_, reject) => proc.once('error', reject));

  const port = await withTimeout(Promise.race([
    new Promise((resolve, reject) => {
      const onData = (d) => {
        stderr += d;
        const m = /"msg":"listening on [^"]*:(\d+) with \d+ threads"/.exec(stderr);
        if (m) {
          proc.stderr.off('data', onData);
          proc.stderr.on('data', (more) => (stderr += more));
          resolve(Number(m[1]));
        }
      };
      proc.stderr.on('data', onData);
      exited.then((e) =>
        reject(new Error(`warmharbor exited before listening (${JSON.stringify(e)}):\n${stderr}`)));
    }),
    spawnError,
  ]), 30_000, () => `warmharbor did not report its port:\n${stderr}`).catch(async (e) => {
    proc.kill('SIGKILL');
    live.delete(srvRef.srv);
    if (ownsDir) removeTempDir(dir);
    throw e;
  });

  const base = `http://127.0.0.1:${port}`;
  const srv = {
    base,
    port,
    proc,
    dbPath,
    dir,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    get exitInfo() {
      return exitInfo;
    },
    exited,
    keyFile,
    adminToken,
    client(tok) {
      return makeClient(base, tok === ADMIN_TOKEN ? adminToken : tok, srv);
    },
    /** A new person with a bearer token; roles via the admin API. */
    user(phone) {
      return createUser(dbPath, phone, { keyFile });
    },
    /** Many new people at once (see createUsers): their tokens. */
    users(phones) {
      return createUsers(dbPath, phones, { keyFile });
    },
    /** Parsed access-log lines (JSON objects) seen so far on stdout. */
    accessLog() {
      // complete lines only: the last one may still be arriving
      const complete = stdout.slice(0, stdout.lastIndexOf('\n') + 1);
      return complete
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l));
    },
    /** Wait until pred(accessLog()) is true (bounded; not a timing check). */
    async waitForLog(pred, what = 'access log line') {
      for (let i = 0; i < 1000; i++) {
        const lines = srv.accessLog();
        const hit = pred(lines);
        if (hit) return hit;
        if (exitInfo) break;
        await sleep(10);
      }
      assert.fail(`timed out waiting for ${what}; stdout:\n${stdout.slice(-4000)}`);
    },
    /** Fail when the server has died or printed a sanitizer report. */
    assertHealthy() {
      assertNoSanitizerReport(stderr);
      if (exitInfo) assert.fail(`warmharbor exited unexpectedly ${JSON.stringify(exitInfo)}:\n${stderr.slice(-4000)}`);
    },
    /** Send a signal, wait for the exit, return {code, signal}. */
    async stop(signal = 'SIGTERM', { keepDir = false, timeoutMs = 60_000 } = {}) {
      if (!exitInfo) {
        try {
          proc.kill(signal);
        } catch {
          /* already gone */
        }
      }
      const res = await withTimeout(exited, timeoutMs, () => 'stop').catch(() => null);
      if (!res) {
        proc.kill('SIGKILL');
        await exited;
      }
      live.delete(srv);
      if (ownsDir && !keepDir) removeTempDir(dir);
      assertNoSanitizerReport(stderr);
      if (!res) assert.fail(`warmharbor did not stop within ${timeoutMs} ms after ${signal}`);
      return res;
    },
  };
  srvRef.srv = srv;
  live.add(srv);

  // Wait for /healthz.
  let lastErr;
  for (let i = 0; i < 500; i++) {
    try {
      const r = await fetch(`${base}/healthz`);
      const body = await r.text();
      if (r.status === 200) {
        lastErr = null;
        break;
      }
      lastErr = new Error(`healthz ${r.status} ${body}`);
    } catch (e) {
      lastErr = e;
    }
    if (exitInfo) break;
    await sleep(20);
  }
  if (lastErr) {
    await srv.stop('SIGKILL').catch(() => {});
    throw new Error(`warmharbor did not answer /healthz: ${lastErr.message}\n${stderr}`);
  }
  return srv;
}

// ---- HTTP helpers ----------------------------------------------------------

const SECURITY_HEADERS = {
  'content-security-policy': /frame-ancestors 'none'/,
  'x-content-type-options': /^nosniff$/,
  'referrer-policy': /^no-referrer$/,
  'x-frame-options': /^DENY$/,
};

/** Every answer carries the security headers. */
export function assertSecurityHeaders(headers, what = '') {
  for (const [name, re] of Object.entries(SECURITY_HEADERS)) {
    const v = headers.get(name);
    assert.ok(v !== null, `${what}: missing ${name} header`);
    assert.match(v, re, `${what}: ${name} header`);
  }
}

/**
 * A small client. request() returns {status, headers, text, json}; json is
 * the parsed body when the answer is JSON. Every answer is checked for the
 * security headers and, when it is an error, for the one error shape.
 */
export function makeClient(base, token, srv) {
  async function request(method, p, opts = {}) {
    const headers = { ...(opts.headers || {}) };
    if (token && !('authorization' in lower(headers))) headers.authorization = `Bearer ${token}`;
    let body = opts.body;
    if (opts.json !== undefined) {
      body = typeof opts.json === 'string' ? opts.json : JSON.stringify(opts.json);
      if (!('content-type' in lower(headers))) headers['content-type'] = 'application/json';
    }
    let res;
    try {
      res = await fetch(base + p, { method, headers, body });
    } catch (e) {
      if (srv) srv.assertHealthy();
      throw e;
    }
    const text = method === 'HEAD' ? '' : await res.text();
    const out = { status: res.status, headers: res.headers, text, json: undefined };
    const ct = res.headers.get('content-type') || '';
    if (ct.includes('json') && text) {
      try {
        out.json = JSON.parse(text);
      } catch (e) {
        assert.fail(`${method} ${p}: invalid JSON body (${e.message}): ${text.slice(0, 500)}`);
      }
    }
    if (!opts.skipChecks) {
      assertSecurityHeaders(res.headers, `${method} ${p} -> ${res.status}`);
      if (res.status >= 400 && method !== 'HEAD') assertErrorShape(out, `${method} ${p}`);
    }
    return out;
  }
  return {
    base,
    token,
    request,
    get: (p, o) => request('GET', p, o),
    head: (p, o) => request('HEAD', p, o),
    post: (p, json, o = {}) => request('POST', p, { ...o, json }),
    put: (p, json, o = {}) => request('PUT', p, { ...o, json }),
    patch: (p, json, o = {}) => request('PATCH', p, { ...o, json }),
    del: (p, o) => request('DELETE', p, o),
    postCsv: (p, csv, o = {}) =>
      request('POST', p, {
        ...o,
        body: csv,
        headers: { 'content-type': 'text/csv; charset=utf-8', ...(o.headers || {}) },
      }),
  };
}

function lower(h) {
  const o = {};
  for (const k of Object.keys(h)) o[k.toLowerCase()] = h[k];
  return o;
}

/** {"error":{"code","message","field"?}} and nothing else at the top. */
export function assertErrorShape(res, what = '') {
  assert.ok(res.json && typeof res.json === 'object', `${what}: error body is not JSON: ${res.text}`);
  assert.deepEqual(Object.keys(res.json), ['error'], `${what}: top-level keys`);
  const e = res.json.error;
  assert.equal(typeof e.code, 'string', `${what}: error.code`);
  assert.match(e.code, /^[a-z][a-z0-9_]*$/, `${what}: error.code is snake_case`);
  assert.equal(typeof e.message, 'string', `${what}: error.message`);
  if ('field' in e) assert.equal(typeof e.field, 'string', `${what}: error.field`);
}

/** Assert an error answer: status, code and (when given) field. */
export function assertError(res, status, code, field) {
  const where = `${res.status} ${res.text.slice(0, 400)}`;
  assert.equal(res.status, status, `status: ${where}`);
  assert.equal(res.json?.error?.code, code, `error.code: ${where}`);
  if (field === null) assert.equal(res.json.error.field, undefined, `no error.field: ${where}`);
  else if (field !== undefined) assert.equal(res.json.error.field, field, `error.field: ${where}`);
}

/** Expect a status, showing the body when it differs. */
export function expectStatus(res, status) {
  assert.equal(res.status, status, `expected ${status}, got ${res.status}: ${res.text.slice(0, 600)}`);
  return res;
}

/**
 * A raw HTTP/1.1 exchange over one TCP connection: writes `chunks` (strings
 * or Buffers) in order, then reads until a complete answer (by its
 * Content-Length) has arrived, or, with waitForClose, until the server
 * closes the connection (to see every byte it sent, e.g. for HEAD).
 * Returns {status, headers (lower-case names), body (Buffer), raw (Buffer)}.
 * If writing fails because the server already answered and closed (413),
 * the answer that arrived is returned.
 */
export function rawRequest(port, chunks, { waitForClose = false, timeoutMs = 30_000 } = {}) {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    const parts = [];
    let done = false;
    const timer = setTimeout(() => finish(new Error('raw request timed out')), timeoutMs);
    function parse() {
      const buf = Buffer.concat(parts);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return null;
      const head = buf.subarray(0, end).toString('latin1').split('\r\n');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(head[0]);
      if (!m) return null;
      const headers = {};
      for (const line of head.slice(1)) {
        const i = line.indexOf(':');
        headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
      }
      return { status: Number(m[1]), headers, body: buf.subarray(end + 4), raw: buf };
    }
    function finish(err) {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      const p = parse();
      if (p) return resolve(p); // an answer arrived (perhaps before a write error)
      reject(err || new Error(`no HTTP answer: ${Buffer.concat(parts).toString('latin1')}`));
    }
    sock.on('data', (d) => {
      parts.push(d);
      if (waitForClose) return;
      const p = parse();
      if (p && p.headers['content-length'] !== undefined &&
          p.body.length >= Number(p.headers['content-length'])) finish();
    });
    sock.on('end', () => finish());
    sock.on('close', () => finish());
    sock.on('error', (e) => finish(e));
    sock.on('connect', async () => {
      try {
        for (const c of chunks) {
          if (done) break;
          await new Promise((res, rej) => sock.write(c, (e) => (e ? rej(e) : res())));
        }
      } catch (e) {
        // The server may answer early and close; wait for what it sent.
        setTimeout(() => finish(e), 200);
      }
    });
  });
}

/** All items of a paged list endpoint (limit/offset), following total. */
export async function listAll(client, p, pageSize = 500) {
  const sep = p.includes('?') ? '&' : '?';
  const items = [];
  let total = Infinity;
  for (let offset = 0; offset < total; offset += pageSize) {
    const r = expectStatus(await client.get(`${p}${sep}limit=${pageSize}&offset=${offset}`), 200);
    total = r.json.total;
    items.push(...r.json.items);
    if (r.json.items.length === 0) break;
  }
  return { items, total };
}

export { sleep };
