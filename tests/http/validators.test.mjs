// Read answers carry an ETag; a client that already has the bytes sends
// If-None-Match and gets 304 with no body. Public reads may be stored and
// revalidated (Cache-Control: no-cache); answers about a person stay
// no-store. A change to what an answer holds changes its tag.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, ADMIN_TOKEN } from './lib/server.mjs';

let srv, admin, anon;
const NEAR = '/api/sites/near?lat=34.6&lon=119.2&k=3';

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
