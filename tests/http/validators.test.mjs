// Read answers carry an ETag; a client that already has the bytes sends
// If-None-Match and gets 304 with no body. Public reads may be stored and
// revalidated (Cache-Control: no-cache); answers about a person stay
// no-store. A change to what an answer holds changes its tag.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { startServer, ADMIN_TOKEN } from './lib/server.mjs';

let srv, admin, anon;
const NEAR = '/api/sites/near?lat=34.6&lon=119.2&k=3';

/** GET p with these headers, the body as sent: {status, headers, body}. */
function raw(p, acceptEncoding, headers = {}) {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port: srv.port, path: p, headers: { 'accept-encoding': acceptEncoding, ...headers } }, (res) => {
        const parts = [];
        res.on('data', (d) => parts.push(d));
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(parts) }));
      })
      .on('error', reject);
  });
}

before(async () => {
  srv = await startServer({ demo: true });
  admin = srv.client(ADMIN_TOKEN);
  anon = srv.client();
});
after(async () => {
  await srv?.stop();
});

test('a public read has a strong tag and may be stored if revalidated', async () => {
  const a = await anon.get(NEAR);
  assert.equal(a.status, 200);
  const tag = a.headers.get('etag');
  assert.match(tag, /^"[0-9a-f]{32}"$/);
  assert.equal(a.headers.get('cache-control'), 'no-cache');
  const b = await anon.get(NEAR);
  assert.equal(b.headers.get('etag'), tag, 'the same bytes, the same tag');
  assert.equal(b.text, a.text);
});

test('If-None-Match with the tag (strong, weak, in a list, or *) gets 304 and no body', async () => {
  const tag = (await anon.get(NEAR)).headers.get('etag');
  for (const inm of [tag, `W/${tag}`, `"nope", ${tag}`, '*']) {
    const r = await anon.get(NEAR, { headers: { 'if-none-match': inm } });
    assert.equal(r.status, 304, inm);
    assert.equal(r.text, '');
    assert.equal(r.headers.get('etag'), tag);
    assert.equal(r.headers.get('cache-control'), 'no-cache');
  }
  for (const inm of ['"nope"', tag.slice(1, -1), `${tag} ${tag}`]) {
    const r = await anon.get(NEAR, { headers: { 'if-none-match': inm } });
    assert.equal(r.status, 200, inm);
    assert.ok(r.json.items.length > 0);
  }
});

test('a change to a site in the answer changes the tag', async () => {
  const first = await anon.get(NEAR);
  const tag = first.headers.get('etag');
  const id = first.json.items[0].id;
  const p = await admin.patch(`/api/sites/${id}`, { name_en: `Renamed ${Date.now()}` });
  assert.equal(p.status, 200, p.text);
  const again = await anon.get(NEAR, { headers: { 'if-none-match': tag } });
  assert.equal(again.status, 200);
  assert.notEqual(again.headers.get('etag'), tag);
  assert.equal(again.json.items.find((s) => s.id === id).name_en, p.json.name_en);
});

test("a person's own answers keep no-store, and still revalidate", async () => {
  const me = await admin.get('/api/me');
  assert.equal(me.status, 200);
  assert.equal(me.headers.get('cache-control'), 'no-store');
  const tag = me.headers.get('etag');
  assert.ok(tag);
  const again = await admin.get('/api/me', { headers: { 'if-none-match': tag } });
  assert.equal(again.status, 304);
  // the tag is no key: without credentials the answer is still 401
  const stranger = await anon.get('/api/me', { headers: { 'if-none-match': tag } });
  assert.equal(stranger.status, 401);
});

test('errors and writes carry no tag', async () => {
  const bad = await anon.get('/api/sites/99999999');
  assert.equal(bad.status, 404);
  assert.equal(bad.headers.get('etag'), null);
  const w = await admin.post('/api/regions', { code: 'x' });
  assert.equal(w.headers.get('etag'), null);
});

test("the web app's files: named by their bytes, kept a year, sent compressed to whoever takes it", async () => {
  const page = await anon.get('/', { headers: { 'accept-encoding': 'identity' } });
  assert.equal(page.status, 200);
  assert.equal(page.headers.get('cache-control'), 'no-cache');
  assert.equal(page.headers.get('content-encoding'), null);
  const js = page.text.match(/src="(\/app-[A-Z0-9]{8}\.js)"/)?.[1];
  const css = page.text.match(/href="(\/app-[A-Z0-9]{8}\.css)"/)?.[1];
  assert.ok(js && css, 'index.html names the hashed script and stylesheet');
  const plain = await anon.get(js, { headers: { 'accept-encoding': 'identity' } });
  assert.equal(plain.status, 200);
  assert.equal(plain.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  assert.equal(plain.headers.get('vary'), 'Accept-Encoding');
  // The bytes as sent (fetch would decode them): each copy decodes to
  // the plain file and has its own tag.
  for (const [ae, coding, decode] of [['br', 'br', brotliDecompressSync], ['gzip;q=0.5, br;q=0', 'gzip', gunzipSync]]) {
    const res = await raw(js, ae);
    assert.equal(res.headers['content-encoding'], coding, ae);
    assert.notEqual(res.headers.etag, plain.headers.get('etag'));
    assert.ok(res.body.length < plain.text.length / 2, `${coding} is smaller`);
    assert.equal(decode(res.body).toString('utf8'), plain.text, `${coding} decodes to the file`);
    const again = await raw(js, ae, { 'if-none-match': res.headers.etag });
    assert.equal(again.status, 304);
    assert.equal(again.body.length, 0);
  }
  const star = await raw(js, '*;q=0');
  assert.equal(star.headers['content-encoding'], undefined);
  assert.equal(star.body.toString('utf8'), plain.text);
});
