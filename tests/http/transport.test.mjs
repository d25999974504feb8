// The connection level, over raw sockets (node:net): one address may hold
// only so many connections (WARMHARBOR_CONN_PER_ADDRESS), trusted proxies
// excepted.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startServer, expectStatus, sleep } from './lib/server.mjs';

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
