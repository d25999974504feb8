// The service's own routes, the router's answers (404, 405 with Allow),
// the headers every answer carries, HEAD, the access log and the metrics.
import { describe, it, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer,
  STORE,
  assertError,
  assertSecurityHeaders,
  expectStatus,
  rawRequest,
} from './lib/server.mjs';

const AT = encodeURIComponent('2026-10-09T10:00:00+08:00');

/** Every GET route, with a concrete path (demo data). */
const GET_ROUTES = [
  '/healthz',
  '/metrics',
  '/api/regions',
  '/api/regions/HZ-XF',
  '/api/regions/HZ-XF/ancestors',
  '/api/regions/HZ-XF/descendants',
  '/api/site-types',
  '/api/site-types/warm_hut',
  '/api/amenities',
  '/api/amenities/wifi',
  '/api/holidays?year=2026',
  `/api/sites?limit=5&at=${AT}`,
  '/api/sites/export',
  `/api/sites/1?at=${AT}`,
];

describe('system', () => {
  let srv;
  let anon;
  before(async () => {
    srv = await startServer({ demo: true });
    anon = srv.client();
  });
  after(async () => {
    if (srv) await srv.stop();
  });
  afterEach(() => srv.assertHealthy());

  it('GET /healthz answers ok with the store dialect', async () => {
    const r = expectStatus(await anon.get('/healthz'), 200);
    assert.match(r.headers.get('content-type'), /^application\/json/);
    assert.deepEqual(r.json, { status: 'ok', store: STORE });
    assert.equal(r.headers.get('cache-control'), 'no-store');
  });

  it('an unknown path is 404 not_found in the error shape', async () => {
    for (const p of ['/nope', '/api', '/api/regions/HZ/siblings', '/api//regions', '/healthz/x']) {
      const r = await anon.get(p);
      assertError(r, 404, 'not_found', null);
    }
  });

  it('a trailing slash is the same resource', async () => {
    const a = expectStatus(await anon.get('/api/site-types/'), 200);
    const b = expectStatus(await anon.get('/api/site-types'), 200);
    assert.deepEqual(a.json, b.json);
  });

  it('a known path with another method is 405 with an Allow header', async () => {
    const cases = [
      ['PUT', '/api/sites', 'GET, HEAD, POST'],
      ['DELETE', '/api/regions', 'GET, HEAD, POST'],
      ['POST', '/healthz', 'GET, HEAD'],
      ['PATCH', '/metrics', 'GET, HEAD'],
      ['POST', '/api/regions/HZ', 'GET, HEAD, PATCH, DELETE'],
      ['PUT', '/api/regions/HZ/ancestors', 'GET, HEAD'],
      ['GET', '/api/holidays/2026-10-01', 'PUT, DELETE'],
      ['POST', '/api/holidays', 'GET, HEAD'],
      ['PUT', '/api/site-types/warm_hut', 'GET, HEAD, PATCH, DELETE'],
      ['OPTIONS', '/api/amenities', 'GET, HEAD, POST'],
    ];
    for (const [method, p, allow] of cases) {
      const r = await anon.request(method, p);
      assertError(r, 405, 'method_not_allowed', null);
      assert.equal(r.headers.get('allow'), allow, `${method} ${p}`);
    }
  });

  it('GET and HEAD on /api/sites/import (a POST-only path) are 405 naming POST', async () => {
    // /api/sites/import is a literal route; it must not fall through to
    // /api/sites/{id} with id "import" ("no such site").
    const g = await anon.get('/api/sites/import');
    assertError(g, 405, 'method_not_allowed', null);
    assert.equal(g.headers.get('allow'), 'POST');
    const h = await anon.head('/api/sites/import');
    assert.equal(h.status, 405);
    assert.equal(h.headers.get('allow'), 'POST');
  });

  it('every kind of answer carries the security headers', async () => {
    // 200, 204-free GETs, 404, 405, 401 and 400 (the client checks each).
    const answers = [
      await anon.get('/healthz'),
      await anon.get('/nope'),
      await anon.request('PUT', '/healthz'),
      await anon.post('/api/regions', {}),
      await anon.get('/api/sites?limit=0'),
      await anon.get('/api/sites/export'),
      await anon.get('/metrics'),
    ];
    for (const r of answers) {
      assertSecurityHeaders(r.headers, `status ${r.status}`);
      assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(r.headers.get('x-frame-options'), 'DENY');
      assert.equal(r.headers.get('referrer-policy'), 'no-referrer');
      assert.equal(r.headers.get('content-security-policy'), "default-src 'none'; frame-ancestors 'none'");
    }
  });

  for (const p of GET_ROUTES) {
    it(`HEAD ${p} has the GET headers and no body`, async () => {
      const g = expectStatus(await anon.get(p), 200);
      const h = await anon.head(p);
      assert.equal(h.status, 200);
      assert.equal(h.text, '');
      const skip = new Set(['date', 'connection', 'keep-alive']); // hop-by-hop
      const moving = new Set(p === '/metrics' ? ['content-length', 'etag'] : []); // the counts move between calls
      const names = (hs) => [...hs.keys()].filter((k) => !skip.has(k)).sort();
      assert.deepEqual(names(h.headers), names(g.headers));
      for (const k of names(g.headers)) if (!moving.has(k)) assert.equal(h.headers.get(k), g.headers.get(k), `header ${k}`);
      if (p !== '/metrics') assert.equal(Number(h.headers.get('content-length')), Buffer.byteLength(g.text));
      // On the wire: nothing after the header block.
      const raw = await rawRequest(
        srv.port,
        [`HEAD ${p} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`],
        { waitForClose: true },
      );
      assert.equal(raw.status, 200);
      assert.equal(raw.body.length, 0, `HEAD ${p} sent ${raw.body.length} body bytes`);
    });
  }

  it('HEAD on a missing resource is 404 without a body', async () => {
    const raw = await rawRequest(
      srv.port,
      ['HEAD /api/regions/NOPE HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n'],
      { waitForClose: true },
    );
    assert.equal(raw.status, 404);
    assert.equal(raw.body.length, 0);
    assert.equal(raw.headers['x-content-type-options'], 'nosniff');
  });

  it('GET /metrics is Prometheus text with request counters and a duration histogram', async () => {
    expectStatus(await anon.get('/api/site-types'), 200);
    const r = expectStatus(await anon.get('/metrics'), 200);
    assert.match(r.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
    const text = r.text;
    assert.match(text, /^# TYPE warmharbor_http_requests_total counter$/m);
    assert.match(text, /^# TYPE warmharbor_http_request_duration_seconds histogram$/m);
    assert.match(text, /^warmharbor_http_requests_total\{route="\/api\/site-types",method="GET",status="200"\} \d+$/m);
    // Histogram series for the route: buckets (cumulative, ending in +Inf = count), sum, count.
    const buckets = [...text.matchAll(
      /^warmharbor_http_request_duration_seconds_bucket\{route="\/api\/site-types",method="GET",le="([^"]+)"\} (\d+)$/gm,
    )];
    assert.ok(buckets.length >= 2, 'bucket lines');
    assert.equal(buckets.at(-1)[1], '+Inf');
    for (let i = 1; i < buckets.length; i++)
      assert.ok(Number(buckets[i][2]) >= Number(buckets[i - 1][2]), 'buckets are cumulative');
    const count = Number(/^warmharbor_http_request_duration_seconds_count\{route="\/api\/site-types",method="GET"\} (\d+)$/m.exec(text)[1]);
    assert.equal(Number(buckets.at(-1)[2]), count);
    assert.match(text, /^warmharbor_http_request_duration_seconds_sum\{route="\/api\/site-types",method="GET"\} [0-9.]+$/m);
    // Every sample line is well formed.
    for (const line of text.split('\n')) {
      if (!line || line.startsWith('#')) continue;
      assert.match(line, /^warmharbor_[a-z_]+\{route="[^"]*",method="[^"]*"(,status="[^"]*"|,le="[^"]*")?\} [0-9.e+-]+$/, line);
    }
  });

  it('the request counters increase for a route after calls', async () => {
    const metric = async (route, method, status) => {
      const text = (await anon.get('/metrics')).text;
      const re = new RegExp(
        `^warmharbor_http_requests_total\\{route="${route.replace(/[{}/]/g, '\\$&')}",method="${method}",status="${status}"\\} (\\d+)$`,
        'm',
      );
      const m = re.exec(text);
      return m ? Number(m[1]) : 0;
    };
    const histCount = async (route, method) => {
      const text = (await anon.get('/metrics')).text;
      const re = new RegExp(
        `^warmharbor_http_request_duration_seconds_count\\{route="${route.replace(/[{}/]/g, '\\$&')}",method="${method}"\\} (\\d+)$`,
        'm',
      );
      const m = re.exec(text);
      return m ? Number(m[1]) : 0;
    };
    const ok0 = await metric('/api/amenities/{code}', 'GET', 200);
    const nf0 = await metric('/api/amenities/{code}', 'GET', 404);
    const h0 = await histCount('/api/amenities/{code}', 'GET');
    const un0 = await metric('unmatched', 'any', 404);
    for (let i = 0; i < 3; i++) expectStatus(await anon.get('/api/amenities/wifi'), 200);
    for (let i = 0; i < 2; i++) expectStatus(await anon.get('/api/amenities/nope'), 404);
    for (let i = 0; i < 4; i++) expectStatus(await anon.get('/no/such/path'), 404);
    // Metrics are recorded when a request completes; the next scrape may
    // race the last completion, so wait (bounded) for the counts.
    let ok1, nf1, h1, un1;
    for (let i = 0; i < 200; i++) {
      [ok1, nf1, h1, un1] = [
        await metric('/api/amenities/{code}', 'GET', 200),
        await metric('/api/amenities/{code}', 'GET', 404),
        await histCount('/api/amenities/{code}', 'GET'),
        await metric('unmatched', 'any', 404),
      ];
      if (ok1 === ok0 + 3 && nf1 === nf0 + 2 && h1 === h0 + 5 && un1 === un0 + 4) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.equal(ok1, ok0 + 3, '200 counter');
    assert.equal(nf1, nf0 + 2, '404 counter');
    assert.equal(h1, h0 + 5, 'histogram count');
    assert.equal(un1, un0 + 4, 'unmatched counter');
  });

  it('the access log has one JSON line per request with time, method, path, status, bytes, us', async () => {
    const tag = `/api/regions/LOGTEST-${Date.now()}`;
    const r1 = await anon.get(tag);
    assert.equal(r1.status, 404);
    const r2 = expectStatus(await anon.get('/api/amenities/first_aid?x=1'), 200);
    const r3 = await anon.post('/api/site-types', { code: 'x' });
    assert.equal(r3.status, 401);
    const expected = [
      { method: 'GET', path: tag, status: 404, bytes: Buffer.byteLength(r1.text) },
      { method: 'GET', path: '/api/amenities/first_aid', status: 200, bytes: Buffer.byteLength(r2.text) },
      { method: 'POST', path: '/api/site-types', status: 401, bytes: Buffer.byteLength(r3.text) },
    ];
    const find = (ls, e) => ls.filter((l) => l.method === e.method && l.path === e.path && l.status === e.status);
    const lines = await srv.waitForLog(
      (ls) => (expected.every((e) => find(ls, e).length) ? expected.map((e) => find(ls, e)) : null),
      'three access-log lines',
    );
    assert.equal(lines[0].length, 1, 'one line for one request');
    for (let i = 0; i < 3; i++) {
      const l = lines[i].at(-1);
      assert.deepEqual(Object.keys(l).sort(), ['bytes', 'method', 'path', 'status', 'time', 'us']);
      assert.match(l.time, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
      assert.ok(Math.abs(Date.parse(l.time) - Date.now()) < 24 * 3600 * 1000, 'time is the current time');
      assert.ok(Number.isInteger(l.us) && l.us >= 0);
      assert.deepEqual({ method: l.method, path: l.path, status: l.status, bytes: l.bytes }, expected[i]);
    }
    // Every complete line on stdout is one JSON object.
    const out = srv.stdout;
    for (const line of out.slice(0, out.lastIndexOf('\n')).split('\n').filter(Boolean)) JSON.parse(line);
  });

  it('the access log escapes quotes and control characters in the path', async () => {
    const r = await anon.get('/api/regions/a%22b%5Cc%01d');
    assert.equal(r.status, 404);
    await srv.waitForLog((ls) => ls.find((l) => l.path === '/api/regions/a"b\\c\u0001d'), 'escaped path');
  });
});

describe('system: access log off', () => {
  let srv;
  before(async () => {
    srv = await startServer({ accessLog: false });
  });
  after(async () => {
    if (srv) await srv.stop();
  });

  it('WARMHARBOR_ACCESS_LOG=0 writes no request lines', async () => {
    const c = srv.client();
    for (let i = 0; i < 5; i++) expectStatus(await c.get('/healthz'), 200);
    expectStatus(await c.get('/nope'), 404);
    // A request counted in /metrics has completed, so its log line would exist.
    const m = await c.get('/metrics');
    const n = Number(/route="\/healthz",method="GET",status="200"\} (\d+)/.exec(m.text)[1]);
    assert.ok(n >= 5, `healthz counted ${n} times`);
    assert.equal(srv.stdout, '');
  });

  it('the fresh database is migrated and empty', async () => {
    const c = srv.client();
    for (const p of ['/api/regions', '/api/site-types', '/api/amenities', '/api/holidays', '/api/sites']) {
      const r = expectStatus(await c.get(p), 200);
      assert.deepEqual(r.json, { items: [], total: 0 }, p);
    }
    const e = expectStatus(await c.get('/api/sites/export'), 200);
    assert.equal(
      e.text,
      'id,name_zh,name_en,type,region,address_zh,address_en,lat,lon,datum,phone,manager,' +
        'description,capacity,status,status_reason,status_until,public,opening_hours,amenities,photos\r\n',
    );
  });
});
