// The connection level, over raw sockets (node:net): requests whose Host or
// body framing is wrong are answered at once with our headers and error
// shape; request headers have a deadline that a client trickling one byte
// at a time cannot move (WARMHARBOR_HEADER_TIMEOUT); one address may hold
// only so many connections (WARMHARBOR_CONN_PER_ADDRESS), trusted proxies
// excepted.
import { describe, it, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startServer, expectStatus, rawRequest, assertSecurityHeaders, assertErrorShape, sleep } from './lib/server.mjs';

/** A raw connection (from localAddress: any of 127/8), what arrived on it,
 * whether and when it closed. */
function connect(port, localAddress = '127.0.0.1') {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: '127.0.0.1', port, localAddress });
    const c = { sock, data: Buffer.alloc(0), closed: false, closedAt: 0, openedAt: 0 };
    c.whenClosed = new Promise((r) => sock.on('close', () => {
      c.closed = true;
      c.closedAt = Date.now();
      r();
    }));
    sock.on('data', (d) => (c.data = Buffer.concat([c.data, d])));
    sock.on('error', () => {}); // a reset shows as the close
    sock.once('connect', () => {
      c.openedAt = Date.now();
      resolve(c);
    });
    sock.once('error', reject);
  });
}

/** Resolves true if c closes within ms, false otherwise. */
async function closesWithin(c, ms) {
  let timer;
  const t = new Promise((r) => (timer = setTimeout(() => r(false), ms)));
  const r = await Promise.race([c.whenClosed.then(() => true), t]);
  clearTimeout(timer);
  return r;
}

function parseAnswer(buf) {
  const text = buf.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  assert.ok(end > 0, `an HTTP answer: ${JSON.stringify(text.slice(0, 300))}`);
  const head = text.slice(0, end).split('\r\n');
  const headers = new Headers();
  for (const line of head.slice(1)) headers.append(line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trim());
  const body = buf.subarray(Buffer.byteLength(text.slice(0, end + 4), 'latin1')).toString('utf8');
  return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head[0])?.[1]), headers, body };
}

/** Send a raw request and read the answer until the server closes. */
async function exchange(port, text, { timeoutMs = 5000 } = {}) {
  const c = await connect(port);
  const t0 = Date.now();
  c.sock.write(text);
  assert.ok(await closesWithin(c, timeoutMs), `no answer and close within ${timeoutMs} ms: ${c.data.toString('latin1').slice(0, 300)}`);
  const a = parseAnswer(c.data);
  return { ...a, ms: Date.now() - t0 };
}

/** Our error answer: status, code, every security header, the one error shape. */
function assertOurError(a, status, code, what) {
  assert.equal(a.status, status, `${what}: ${a.body}`);
  assertSecurityHeaders(a.headers, what);
  assert.equal(a.headers.get('cache-control'), 'no-store', `${what}: Cache-Control`);
  const json = JSON.parse(a.body);
  assertErrorShape({ json, text: a.body }, what);
  assert.equal(json.error.code, code, what);
}

describe('framing: answered at once, by us', () => {
  let srv;
  before(async () => {
    srv = await startServer({});
  });
  after(async () => {
    if (srv) await srv.stop();
  });
  afterEach(async () => {
    srv.assertHealthy();
    expectStatus(await srv.client().get('/healthz'), 200);
  });

  it('a transfer coding other than plain chunked is 501, without waiting for a timeout', async () => {
    for (const te of ['gzip, chunked', 'chunked, gzip', 'identity', 'gzip', 'chunked;ext=1']) {
      const a = await exchange(srv.port,
        `POST /api/sites HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: ${te}\r\n\r\n` +
        '5\r\nhello\r\n0\r\n\r\n');
      assertOurError(a, 501, 'unsupported_transfer_encoding', te);
      assert.ok(a.ms < 2000, `${te}: answered after ${a.ms} ms`);
      assert.equal(a.headers.get('connection'), 'close');
    }
    // two Transfer-Encoding lines are one list: chunked, chunked
    const twice = await exchange(srv.port,
      'POST /api/sites HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n');
    assertOurError(twice, 501, 'unsupported_transfer_encoding', 'twice');
    // plain chunked still works (and its case does not matter)
    const ok = await rawRequest(srv.port, ['GET /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: Chunked\r\nConnection: close\r\n\r\n0\r\n\r\n']);
    assert.equal(ok.status, 200);
  });

  it('Transfer-Encoding with Content-Length, or two Content-Lengths, are 400 ambiguous_length', async () => {
    const both = await exchange(srv.port,
      'POST /api/sites HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n');
    assertOurError(both, 400, 'ambiguous_length', 'TE and CL');
    const two = await exchange(srv.port,
      'POST /api/sites HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 40\r\n\r\n{}');
    assertOurError(two, 400, 'ambiguous_length', 'two CL');
    assert.equal(two.headers.get('connection'), 'close');
  });

  it('HTTP/1.1 without Host, or with two, is 400 with our headers; HTTP/1.0 needs none', async () => {
    const none = await exchange(srv.port, 'GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n');
    assertOurError(none, 400, 'missing_host', 'no Host');
    const two = await exchange(srv.port, 'GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n');
    assertOurError(two, 400, 'bad_host', 'two Hosts');
    const old = await exchange(srv.port, 'GET /healthz HTTP/1.0\r\n\r\n');
    assert.equal(old.status, 200);
  });
});

describe('the request-header deadline (WARMHARBOR_HEADER_TIMEOUT=2)', () => {
  let srv;
  before(async () => {
    srv = await startServer({ env: { WARMHARBOR_HEADER_TIMEOUT: '2', WARMHARBOR_CONN_TIMEOUT: '30' } });
  });
  after(async () => {
    if (srv) await srv.stop();
  });
  afterEach(() => srv.assertHealthy());

  async function trickle(c, text, everyMs) {
    for (const ch of text) {
      if (c.closed) return;
      c.sock.write(ch);
      await sleep(everyMs);
    }
  }

  it('a client sending its headers a byte at a time is cut off at the deadline', async () => {
    const c = await connect(srv.port);
    const req = `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ${'s'.repeat(100)}\r\n\r\n`;
    const sending = trickle(c, req, 100); // would take 13 s; idle never more than 0.1 s
    assert.ok(await closesWithin(c, 6000), 'still open 6 s after it opened');
    const took = c.closedAt - c.openedAt;
    assert.ok(took >= 1900 && took < 4000, `closed after ${took} ms`);
    assert.equal(c.data.length, 0, 'no answer to an incomplete request');
    await sending;
    // meanwhile and after, others are served
    expectStatus(await srv.client().get('/healthz'), 200);
  });

  it('on a kept-alive connection the next request is due within the deadline of the last answer', async () => {
    const c = await connect(srv.port);
    c.sock.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    for (let i = 0; i < 100 && !c.data.includes('{"status":"ok"'); i++) await sleep(20);
    const answered = Date.now();
    assert.ok(c.data.toString().startsWith('HTTP/1.1 200'));
    const sending = trickle(c, 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ' + 's'.repeat(100) + '\r\n\r\n', 100);
    assert.ok(await closesWithin(c, 6000), 'still open');
    const took = c.closedAt - answered;
    assert.ok(took >= 1800 && took < 4000, `closed ${took} ms after the first answer`);
    await sending;
  });

  it('headers that arrive in time are answered, and a long answer is not cut', async () => {
    const c = await connect(srv.port);
    await trickle(c, 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 1200 / 50);
    assert.ok(await closesWithin(c, 3000));
    assert.match(c.data.toString(), /^HTTP\/1\.1 200/);
    // an event stream outlives the deadline by far
    const ctrl = new AbortController();
    const res = await fetch(`${srv.base}/api/sites/events`, { signal: ctrl.signal });
    assert.equal(res.status, 200);
    const reader = res.body.getReader();
    let ended = false;
    const reading = (async () => {
      try {
        for (;;) if ((await reader.read()).done) break;
      } catch { /* aborted */ }
      ended = true;
    })();
    await sleep(5000);
    assert.equal(ended, false, 'the event stream was cut');
    ctrl.abort();
    await reading;
  });
});

// The test's own fetch() keeps connections from 127.0.0.1 alive, so these
// count from 127.0.0.2 (the whole of 127/8 is this machine).
const OTHER = '127.0.0.2';

describe('connections per address (WARMHARBOR_CONN_PER_ADDRESS=4)', () => {
  it('the fifth connection from one address is closed at once; a freed slot is usable', async () => {
    const srv = await startServer({ env: { WARMHARBOR_CONN_PER_ADDRESS: '4' } });
    try {
      const held = [];
      for (let i = 0; i < 4; i++) held.push(await connect(srv.port, OTHER));
      await sleep(200);
      for (const c of held) assert.equal(c.closed, false);
      const fifth = await connect(srv.port, OTHER);
      fifth.sock.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
      assert.ok(await closesWithin(fifth, 1000), 'the fifth connection stays open');
      assert.equal(fifth.data.length, 0, 'no answer on a refused connection');
      // the four held ones still work
      held[0].sock.write('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      assert.ok(await closesWithin(held[0], 3000));
      assert.match(held[0].data.toString(), /^HTTP\/1\.1 200/);
      await sleep(100); // the server notes the close
      const again = await connect(srv.port, OTHER);
      again.sock.write('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      assert.ok(await closesWithin(again, 3000));
      assert.match(again.data.toString(), /^HTTP\/1\.1 200/);
      // other addresses were never limited
      expectStatus(await srv.client().get('/healthz'), 200);
      for (const c of held) c.sock.destroy();
      assert.match(srv.stderr, /127\.0\.0\.2 has 4 connections open; more are refused/);
      srv.assertHealthy();
    } finally {
      await srv.stop();
    }
  });

  it('a trusted proxy may hold more', async () => {
    const srv = await startServer({
      env: { WARMHARBOR_CONN_PER_ADDRESS: '4', WARMHARBOR_TRUSTED_PROXIES: OTHER },
    });
    try {
      const held = [];
      for (let i = 0; i < 10; i++) held.push(await connect(srv.port, OTHER));
      await sleep(300);
      for (const c of held) assert.equal(c.closed, false);
      const last = held.at(-1);
      last.sock.write('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      assert.ok(await closesWithin(last, 3000));
      assert.match(last.data.toString(), /^HTTP\/1\.1 200/);
      for (const c of held) c.sock.destroy();
      srv.assertHealthy();
    } finally {
      await srv.stop();
    }
  });
});
