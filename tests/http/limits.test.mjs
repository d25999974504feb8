// Request-body limits and malformed bodies: 413 (declared and chunked),
// too-deep JSON, huge strings, bad JSON, empty bodies, wrong media types;
// after each abuse the server still serves.
import { describe, it, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, ADMIN_TOKEN, realToken, assertError, expectStatus, rawRequest, assertSecurityHeaders,
} from './lib/server.mjs';

const MiB = 1024 * 1024;

function headersOnly(path, { length, type = 'application/json', token = ADMIN_TOKEN, method = 'POST' }) {
  return [
    `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${realToken(token)}\r\n` +
      `Content-Type: ${type}\r\nContent-Length: ${length}\r\nConnection: close\r\n\r\n`,
  ];
}

function chunked(path, body, { type = 'application/json', token = ADMIN_TOKEN, chunk = 64 * 1024 } = {}) {
  const buf = Buffer.isBuffer(body) ? body : Buffer.from(body);
  const parts = [
    `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${realToken(token)}\r\n` +
      `Content-Type: ${type}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n`,
  ];
  for (let i = 0; i < buf.length; i += chunk) {
    const piece = buf.subarray(i, i + chunk);
    parts.push(Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n')]));
  }
  parts.push('0\r\n\r\n');
  return parts;
}

function rawJson(res) {
  return JSON.parse(res.body.toString('utf8'));
}

function siteJson(extra, pad = 0) {
  const o = { name_zh: '限制测试', type: 'warm_hut', position: { lat: 34.6, lon: 119.2 }, ...extra };
  return pad ? JSON.stringify({ ...o, description: 'x'.repeat(pad) }) : JSON.stringify(o);
}

describe('limits (default 1 MiB body limit)', () => {
  let srv;
  let anon;
  let admin;
  before(async () => {
    srv = await startServer({ demo: true });
    anon = srv.client();
    admin = srv.client(ADMIN_TOKEN);
  });
  after(async () => {
    if (srv) await srv.stop();
  });
  afterEach(async () => {
    srv.assertHealthy();
    expectStatus(await anon.get('/healthz'), 200); // still serving
  });

  it('a declared Content-Length over the limit is 413 body_too_large at once', async () => {
    for (const [path, type] of [['/api/sites', 'application/json'], ['/api/sites/import', 'text/csv'], ['/api/regions', 'application/json']]) {
      const r = await rawRequest(srv.port, headersOnly(path, { length: MiB + 1, type }));
      assert.equal(r.status, 413, `${path}: ${r.body}`);
      assert.equal(rawJson(r).error.code, 'body_too_large');
      assert.match(rawJson(r).error.message, /1048576/);
      assertSecurityHeaders(new Headers(r.headers), `413 ${path}`);
    }
    const huge = await rawRequest(srv.port, headersOnly('/api/sites', { length: '99999999999999999999' }));
    assert.equal(huge.status, 413);
    const bad = await rawRequest(srv.port, headersOnly('/api/sites', { length: '12abc' }));
    assert.ok(bad.status === 413 || bad.status === 400, `malformed Content-Length: ${bad.status}`);
  });

  it('a chunked body over the limit is 413 body_too_large, and the server still serves', async () => {
    const body = siteJson({}, MiB + 100);
    const r = await rawRequest(srv.port, chunked('/api/sites', body));
    assert.equal(r.status, 413, r.body.toString());
    assert.equal(rawJson(r).error.code, 'body_too_large');
    assertSecurityHeaders(new Headers(r.headers), 'chunked 413');
    const csv = 'name_zh,type,lat,lon\r\n' + `长,warm_hut,34.6,119.2\r\n`.repeat(60000);
    assert.ok(Buffer.byteLength(csv) > MiB);
    const c = await rawRequest(srv.port, chunked('/api/sites/import', csv, { type: 'text/csv' }));
    assert.equal(c.status, 413);
    assert.equal(rawJson(c).error.code, 'body_too_large');
    // nothing was stored
    const q = expectStatus(await anon.get(`/api/sites?status=any&q=${encodeURIComponent('限制测试')}`), 200);
    assert.equal(q.json.total, 0);
    // a normal write right after works
    expectStatus(await admin.post('/api/sites', JSON.parse(siteJson({ name_zh: '限制之后' }))), 201);
  });

  it('a chunked body under the limit is read whole', async () => {
    const r = await rawRequest(srv.port, chunked('/api/sites', siteJson({ name_zh: '分块上传' }), { chunk: 7 }));
    assert.equal(r.status, 201, r.body.toString());
    assert.equal(rawJson(r).name_zh, '分块上传');
  });

  it('a body of exactly the limit is accepted for reading (then judged on its fields)', async () => {
    const base = siteJson({}, 1);
    const body = siteJson({}, MiB - Buffer.byteLength(base) + 1);
    assert.equal(Buffer.byteLength(body), MiB);
    const r = await admin.request('POST', '/api/sites', { body, headers: { 'content-type': 'application/json' } });
    assertError(r, 422, 'too_long', 'description');
    const over = await rawRequest(srv.port, chunked('/api/sites', body + ' '));
    assert.equal(over.status, 413);
  });

  it('a 1 MiB+ string is refused whole (413) under the default limit', async () => {
    const body = JSON.stringify({ name_zh: '字'.repeat(400000), type: 'warm_hut', position: { lat: 34.6, lon: 119.2 } });
    assert.ok(Buffer.byteLength(body) > MiB);
    const r = await rawRequest(srv.port, chunked('/api/sites', body));
    assert.equal(r.status, 413);
    assert.equal(rawJson(r).error.code, 'body_too_large');
  });

  it('JSON nested deeper than 16 is 400 too_deep; 16 is fine', async () => {
    const nest = (n, inner) => (n === 0 ? inner : `{"a":${nest(n - 1, inner)}}`);
    const deep = await admin.request('POST', '/api/sites', { json: nest(17, '1') });
    assertError(deep, 400, 'too_deep', null);
    const ok16 = await admin.request('POST', '/api/sites', { json: nest(16, '1') });
    assertError(ok16, 422, 'unknown_field', 'a'); // parsed; then refused on its field
    const arrays = `{"photos":${'['.repeat(16)}${']'.repeat(16)}}`; // 17 with the object
    assertError(await admin.request('POST', '/api/sites', { json: arrays }), 400, 'too_deep', null);
    // brackets inside strings do not count
    const s = expectStatus(await admin.post('/api/sites', JSON.parse(siteJson({ name_zh: '[[[[[[[[[[[[[[[[[[[[{{{{{{{{{{' }))), 201);
    assert.equal(s.json.name_zh, '[[[[[[[[[[[[[[[[[[[[{{{{{{{{{{');
    const escaped = `{"name_zh":"q\\"[[[[[[[[[[[[[[[[[[","type":"warm_hut","position":{"lat":34.6,"lon":119.2}}`;
    expectStatus(await admin.request('POST', '/api/sites', { json: escaped }), 201);
    // a very deep body (100 000 levels) is refused without trouble
    const abyss = '['.repeat(100000) + ']'.repeat(100000);
    assertError(await admin.request('POST', '/api/regions', { json: `{"code":${abyss}}` }), 400, 'too_deep', null);
    for (const p of ['/api/regions', '/api/site-types', '/api/amenities']) {
      assertError(await admin.request('POST', p, { json: nest(20, '{}') }), 400, 'too_deep', null);
    }
    assertError(await admin.request('PUT', '/api/holidays/2026-12-01', { json: nest(17, '0') }), 400, 'too_deep', null);
  });

  it('malformed JSON is 400 invalid_json', async () => {
    const bodies = ['{bad', '[1,2]', '"just a string"', '42', 'null', '{"a":1,"a":2}', '{} trailing', '{"a":1,}', "{'a':1}"];
    for (const b of bodies) assertError(await admin.request('POST', '/api/site-types', { json: b }), 400, 'invalid_json', null);
    const badUtf8 = Buffer.concat([Buffer.from('{"code":"x1","name_zh":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);
    assertError(await admin.request('POST', '/api/site-types', {
      body: badUtf8, headers: { 'content-type': 'application/json' },
    }), 400, 'invalid_json', null);
    assertError(await admin.request('PATCH', '/api/regions/HZ', { json: '{"name_en":' }), 400, 'invalid_json', null);
    assertError(await admin.request('PUT', '/api/holidays/2026-12-01', { json: '[]' }), 400, 'invalid_json', null);
    assertError(await anon.get('/api/site-types/x1'), 404, 'not_found');
  });

  it('an empty body is 400 empty_body', async () => {
    for (const [m, p] of [['POST', '/api/sites'], ['PATCH', '/api/sites/1'], ['POST', '/api/regions'],
      ['PATCH', '/api/amenities/wifi'], ['PUT', '/api/holidays/2026-12-01']]) {
      const r = await admin.request(m, p, { headers: { 'content-type': 'application/json' } });
      assertError(r, 400, 'empty_body', null);
      const r2 = await admin.request(m, p, { body: '', headers: { 'content-type': 'application/json' } });
      assertError(r2, 400, 'empty_body', null);
    }
  });

  it('a JSON route refuses other media types with 415; no Content-Type is taken as JSON', async () => {
    for (const type of ['text/plain', 'application/xml', 'text/csv', 'application/x-www-form-urlencoded']) {
      const r = await admin.request('POST', '/api/site-types', {
        body: '{"code":"mt1","name_zh":"x"}', headers: { 'content-type': type },
      });
      assertError(r, 415, 'unsupported_media_type', null);
    }
    expectStatus(await admin.request('POST', '/api/site-types', {
      body: '{"code":"mt1","name_zh":"x"}', headers: { 'content-type': 'application/json; charset=utf-8' },
    }), 201);
    const body = '{"code":"mt2","name_zh":"x"}';
    const raw = await rawRequest(srv.port, [
      `POST /api/site-types HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${realToken(ADMIN_TOKEN)}\r\n` +
        `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
    ]);
    assert.equal(raw.status, 201, raw.body.toString());
    for (const type of ['application/json', 'application/xml']) {
      const c = await admin.request('POST', '/api/sites/import', { body: 'name_zh,type,lat,lon\r\n', headers: { 'content-type': type } });
      assertError(c, 415, 'unsupported_media_type', null);
    }
  });
});

describe('limits (WARMHARBOR_BODY_LIMIT raised to 4 MiB)', () => {
  let srv;
  let anon;
  let admin;
  before(async () => {
    srv = await startServer({ demo: true, env: { WARMHARBOR_BODY_LIMIT: String(4 * MiB) } });
    anon = srv.client();
    admin = srv.client(ADMIN_TOKEN);
  });
  after(async () => {
    if (srv) await srv.stop();
  });
  afterEach(async () => {
    srv.assertHealthy();
    expectStatus(await anon.get('/healthz'), 200);
  });

  it('a 1 MiB+ string field is 422 too_long naming the field', async () => {
    const big = '字'.repeat(400000); // 1.2 MB of UTF-8
    for (const field of ['name_zh', 'description', 'address_en', 'opening_hours', 'status_reason']) {
      const r = await admin.post('/api/sites', { name_zh: '大字段', type: 'warm_hut', position: { lat: 34.6, lon: 119.2 }, [field]: big });
      assertError(r, 422, 'too_long', field);
    }
    assertError(await admin.post('/api/regions', { code: 'BIG', level: 'grid', name_zh: big }), 422, 'too_long', 'name_zh');
    assertError(await admin.put('/api/holidays/2026-12-01', { kind: 'holiday', name_en: big }), 422, 'too_long', 'name_en');
    const many = await admin.post('/api/sites', { name_zh: 'x', type: 'warm_hut', position: { lat: 34.6, lon: 119.2 }, photos: [big] });
    assertError(many, 422, 'invalid_field', 'photos');
    const q = expectStatus(await anon.get(`/api/sites?status=any&q=${encodeURIComponent('大字段')}`), 200);
    assert.equal(q.json.total, 0);
  });

  it('a CSV field over 1 MiB is reported, not imported', async () => {
    const csv = `name_zh,type,lat,lon,description\r\n长描述,warm_hut,34.6,119.2,${'d'.repeat(MiB + 10)}\r\n`;
    const r = await admin.postCsv('/api/sites/import', csv);
    assert.equal(r.status, 422);
    assert.equal(r.json.error.code, 'invalid_rows');
    assert.equal(r.json.error.details[0].code, 'field_too_long');
    assert.equal(r.json.error.details[0].row, 2);
  });

  it('a 3 MiB JSON body is read; 5 MiB declared is 413', async () => {
    const body = siteJson({ name_zh: '三兆' }, 3 * MiB);
    assertError(await admin.request('POST', '/api/sites', { body, headers: { 'content-type': 'application/json' } }),
      422, 'too_long', 'description');
    const r = await rawRequest(srv.port, headersOnly('/api/sites', { length: 5 * MiB }));
    assert.equal(r.status, 413);
    assert.match(rawJson(r).error.message, /4194304/);
  });
});

describe('limits (WARMHARBOR_BODY_LIMIT lowered to 2048 bytes)', () => {
  let srv;
  let admin;
  before(async () => {
    srv = await startServer({ demo: true, env: { WARMHARBOR_BODY_LIMIT: '2048' } });
    admin = srv.client(ADMIN_TOKEN);
  });
  after(async () => {
    if (srv) await srv.stop();
  });

  it('the configured limit applies both ways', async () => {
    expectStatus(await admin.post('/api/sites', JSON.parse(siteJson({ name_zh: '小' }, 1500))), 201);
    const d = await rawRequest(srv.port, headersOnly('/api/sites', { length: 2049 }));
    assert.equal(d.status, 413);
    assert.match(rawJson(d).error.message, /2048 bytes/);
    const c = await rawRequest(srv.port, chunked('/api/sites', siteJson({}, 2100), { chunk: 500 }));
    assert.equal(c.status, 413);
    const csv = 'name_zh,type,lat,lon\r\n' + '甲,warm_hut,34.6,119.2\r\n'.repeat(100);
    const i = await rawRequest(srv.port, chunked('/api/sites/import', csv, { type: 'text/csv', chunk: 300 }));
    assert.equal(i.status, 413);
    expectStatus(await srv.client().get('/healthz'), 200);
    srv.assertHealthy();
  });
});
