// Visits (the visit module): check-in by the station's poster code, staff
// scanning a worker's QR code, walk-ins counted by tap, hourly and daily
// counts of a site rolled up its region tree, and a person's own trail:
// theirs only, deletable, exported, erased, and kept only for the
// retention period. Attacks: anonymous callers, workers, staff of another
// site, forged, altered and revoked poster codes, replays.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { startServer, ADMIN_TOKEN, STORE, expectStatus, assertError } from './lib/server.mjs';

// Ticks run only when a test moves the clock.
const ENV = { WARMHARBOR_TEST_CLOCK: '1', WARMHARBOR_TICK_S: '3600' };

async function setup(env = {}) {
  const srv = await startServer({ demo: true, env: { ...ENV, ...env } });
  const admin = srv.client(ADMIN_TOKEN);
  const sites = (await admin.get('/api/sites?limit=1000&region=HZ-XN-01')).json.items;
  // Site A is in community HZ-XN-01 (street HZ-XN, district HZ) and is not
  // site 1, so staff of site 1 hold a grant with another number.
  const a = sites.find((s) => s.id !== 1 && s.status === 'operational');
  const idOf = async (tok) => (await srv.client(tok).get('/api/me')).json.id;
  const grant = async (tok, role, kind, ref) => {
    const res = await admin.post(`/api/users/${await idOf(tok)}/roles`, { role, scope_kind: kind, scope_ref: String(ref) });
    assert.equal(res.status, 201, res.text);
  };
  const tokens = {
    staffA: srv.user('13933330001'), staffOne: srv.user('13933330002'), worker: srv.user('13933330003'),
    other: srv.user('13933330004'), regionIn: srv.user('13933330005'), regionOut: srv.user('13933330006'),
  };
  await grant(tokens.staffA, 'staff', 'site', a.id);
  await grant(tokens.staffOne, 'staff', 'site', 1);
  await grant(tokens.regionIn, 'region_admin', 'region', 'HZ-XN');
  await grant(tokens.regionOut, 'region_admin', 'region', 'HZ-HZ');
  const c = Object.fromEntries(Object.entries(tokens).map(([k, t]) => [k, srv.client(t)]));
  c.workerId = await idOf(tokens.worker);
  return { srv, admin, a, ...c };
}

/** Today's counts (the last bucket of the default window) of a site or region. */
async function today(client, path) {
  const r = expectStatus(await client.get(`${path}/visits/stats`), 200);
  return r.json.buckets[r.json.buckets.length - 1];
}

/** A poster code with one character of its mac changed. */
function alter(code) {
  const i = code.length - 5;
  return code.slice(0, i) + (code[i] === 'A' ? 'B' : 'A') + code.slice(i + 1);
}

function storeValue(srv, sql) {
  const r = STORE === 'pg'
    ? spawnSync('psql', [srv.dbPath, '-At', '-c', sql], { encoding: 'utf8' })
    : spawnSync('sqlite3', ['-readonly', srv.dbPath, sql], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

test('visits: check in with the poster; a repeat within half an hour counts once', async () => {
  const { srv, a, staffA, worker, regionIn } = await setup();
  try {
    const poster = expectStatus(await staffA.get(`/api/sites/${a.id}/poster`), 200).json;
    assert.equal(poster.site_id, a.id);
    assert.equal(poster.version, 1);
    assert.equal(poster.issued_at, null);
    assert.match(poster.code, new RegExp(`^WH1\\.${a.id}\\.1\\.[A-Za-z0-9_-]{22}$`));
    assert.ok(poster.url.endsWith(`/#/visit/${poster.code}`), poster.url);
    assert.ok(poster.url.startsWith('http://127.0.0.1:'), poster.url);
    // The same poster every time it is asked for.
    assert.equal((await staffA.get(`/api/sites/${a.id}/poster`)).json.code, poster.code);

    const before = await today(staffA, `/api/sites/${a.id}`);
    const admin = srv.client(ADMIN_TOKEN);
    const district = await today(admin, '/api/regions/HZ');
    const first = await worker.post('/api/visits', { code: poster.code });
    assert.equal(first.status, 201, first.text);
    assert.equal(first.json.counted, true);
    assert.equal(first.json.via, 'poster');
    assert.equal(first.json.site.id, a.id);
    assert.equal(first.json.site.name_zh, a.name_zh);
    assert.ok(first.json.id > 0);

    const again = await worker.post('/api/visits', { code: poster.code });
    assert.equal(again.status, 200, again.text);
    assert.equal(again.json.counted, false);
    assert.equal(again.json.id, first.json.id, 'the earlier visit is named');
    assert.equal(again.json.at, first.json.at);

    const after = await today(staffA, `/api/sites/${a.id}`);
    assert.equal(after.poster - before.poster, 1);
    assert.equal(after.workers - before.workers, 1);
    assert.equal(after.total - before.total, 1);
    for (const code of ['HZ-XN-01', 'HZ-XN']) {
      const t = await today(regionIn, `/api/regions/${code}`);
      assert.ok(t.poster >= 1, `${code} counts the visit`);
    }
    assert.equal((await today(admin, '/api/regions/HZ')).poster - district.poster, 1, 'the district counts it once');

    // A retried check-in with its Idempotency-Key gets the first answer.
    const key = { headers: { 'idempotency-key': 'checkin-1' } };
    await srv.client(ADMIN_TOKEN).post('/api/system/clock', { advance_s: 1801 });
    const k1 = expectStatus(await worker.post('/api/visits', { code: poster.code }, key), 201);
    const k2 = expectStatus(await worker.post('/api/visits', { code: poster.code }, key), 201);
    assert.equal(k2.headers.get('idempotent-replayed'), 'true');
    assert.deepEqual(k2.json, k1.json);
    assert.equal((await worker.get('/api/me/visits')).json.items.length, 2, 'the replay made no visit');

    // Half an hour later it counts again.
    expectStatus(await admin.post('/api/system/clock', { advance_s: 1801 }), 200);
    const later = await worker.post('/api/visits', { code: poster.code });
    assert.equal(later.status, 201, later.text);
    assert.notEqual(later.json.id, first.json.id);
  } finally {
    await srv.stop();
  }
});

test('visits: forged, altered, other-site and revoked poster codes are 403 invalid_code', async () => {
  const { srv, a, staffA, staffOne, worker } = await setup();
  try {
    const anon = srv.client();
    const poster = (await staffA.get(`/api/sites/${a.id}/poster`)).json;
    assert.equal((await anon.post('/api/visits', { code: poster.code })).status, 401);

    const [, site, ver, mac] = poster.code.split('.');
    const forged = [
      alter(poster.code),                        // the mac altered
      `WH1.1.${ver}.${mac}`,                     // another site's number, this site's mac
      `WH1.${site}.2.${mac}`,                    // a later version, the old mac
      `WH1.${site}.${ver}.${mac}x`,              // trailing junk
      `WH1.0${site}.${ver}.${mac}`,              // a second spelling of the number
      `WH2.${site}.${ver}.${mac}`,               // another format
      'WH1.1.1.AAAAAAAAAAAAAAAAAAAAAA',
      'not a code',
      'x'.repeat(900),
    ];
    for (const code of forged) assertError(await worker.post('/api/visits', { code }), 403, 'invalid_code', 'code');
    assertError(await worker.post('/api/visits', {}), 422, 'missing_field', 'code');
    assertError(await worker.post('/api/visits', { code: poster.code, site: 1 }), 422, 'unknown_field', 'site');
    assertError(await worker.post('/api/visits', { code: 7 }), 422, 'invalid_field', 'code');

    // Reissue: the old poster stops working, the new one works.
    assertError(await staffOne.post(`/api/sites/${a.id}/poster/reissue`), 403, 'out_of_scope');
    assertError(await worker.post(`/api/sites/${a.id}/poster/reissue`), 403, 'forbidden');
    const next = expectStatus(await staffA.post(`/api/sites/${a.id}/poster/reissue`), 200).json;
    assert.equal(next.version, 2);
    assert.notEqual(next.code, poster.code);
    assert.ok(next.issued_at);
    assert.equal((await staffA.get(`/api/sites/${a.id}/poster`)).json.code, next.code);
    assertError(await worker.post('/api/visits', { code: poster.code }), 403, 'invalid_code', 'code');
    assert.equal((await worker.post('/api/visits', { code: next.code })).status, 201);
    // Every poster of other sites still works.
    const one = (await staffOne.get('/api/sites/1/poster')).json;
    assert.equal((await worker.post('/api/visits', { code: one.code })).status, 201);
  } finally {
    await srv.stop();
  }
});

test('visits: staff of another site, workers and anonymous callers cannot use a site\'s routes', async () => {
  const { srv, a, staffOne, worker, regionIn, regionOut, staffA } = await setup();
  try {
    const anon = srv.client();
    const routes = [
      ['get', `/api/sites/${a.id}/poster`], ['post', `/api/sites/${a.id}/poster/reissue`],
      ['post', `/api/sites/${a.id}/visits`, { qr: 'x' }], ['post', `/api/sites/${a.id}/visits/walk-in`, { kind: 'public' }],
      ['get', `/api/sites/${a.id}/visits/stats`],
    ];
    for (const [m, p, body] of routes) {
      const call = (c) => (m === 'get' ? c.get(p) : c.post(p, body));
      assert.equal((await call(anon)).status, 401, p);
      assertError(await call(worker), 403, 'forbidden');
      assertError(await call(staffOne), 403, 'out_of_scope');
      assertError(await call(regionOut), 403, 'out_of_scope');
    }
    // Region stats: region admins of the subtree; not a site's staff.
    expectStatus(await regionIn.get('/api/regions/HZ-XN-01/visits/stats'), 200);
    expectStatus(await regionIn.get(`/api/sites/${a.id}/visits/stats`), 200);
    assertError(await regionIn.get('/api/regions/HZ/visits/stats'), 403, 'out_of_scope');
    assertError(await regionOut.get('/api/regions/HZ-XN/visits/stats'), 403, 'out_of_scope');
    assertError(await staffA.get('/api/regions/HZ-XN-01/visits/stats'), 403, 'out_of_scope');
    assertError(await worker.get('/api/regions/HZ-XN-01/visits/stats'), 403, 'forbidden');
    assert.equal((await anon.get('/api/regions/HZ-XN-01/visits/stats')).status, 401);
    assertError(await srv.client(ADMIN_TOKEN).get('/api/regions/NOPE/visits/stats'), 404, 'not_found');
    assertError(await srv.client(ADMIN_TOKEN).get('/api/sites/999999/poster'), 404, 'not_found');
  } finally {
    await srv.stop();
  }
});

test('visits: staff scan a worker\'s QR code; expired and foreign codes are refused', async () => {
  const { srv, a, staffA, worker } = await setup();
  try {
    const qr = expectStatus(await worker.get('/api/me/qr'), 200).json.token;
    const before = await today(staffA, `/api/sites/${a.id}`);
    const res = await staffA.post(`/api/sites/${a.id}/visits`, { qr });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.json.via, 'staff');
    assert.equal(res.json.counted, true);
    assert.equal(res.json.site.id, a.id);
    const again = await staffA.post(`/api/sites/${a.id}/visits`, { qr });
    assert.equal(again.status, 200);
    assert.equal(again.json.counted, false);
    const after = await today(staffA, `/api/sites/${a.id}`);
    assert.equal(after.staff - before.staff, 1);
    // The worker sees it in their own list.
    const mine = (await worker.get('/api/me/visits')).json.items;
    assert.equal(mine[0].via, 'staff');
    assert.equal(mine[0].site.id, a.id);

    assertError(await staffA.post(`/api/sites/${a.id}/visits`, { qr: 'forged' }), 422, 'invalid_qr', 'qr');
    assertError(await staffA.post(`/api/sites/${a.id}/visits`, { qr: qr.slice(0, -2) + 'AA' }), 422, 'invalid_qr', 'qr');
    // A poster code is not a person's QR code.
    const poster = (await staffA.get(`/api/sites/${a.id}/poster`)).json.code;
    assertError(await staffA.post(`/api/sites/${a.id}/visits`, { qr: poster }), 422, 'invalid_qr', 'qr');
    assertError(await staffA.post(`/api/sites/${a.id}/visits`, {}), 422, 'missing_field', 'qr');
    expectStatus(await srv.client(ADMIN_TOKEN).post('/api/system/clock', { advance_s: 600 }), 200);
    assertError(await staffA.post(`/api/sites/${a.id}/visits`, { qr }), 410, 'qr_expired', 'qr');
  } finally {
    await srv.stop();
  }
});

test('visits: walk-ins are counted by tap; an Idempotency-Key replay counts once', async () => {
  const { srv, a, staffA } = await setup();
  try {
    const before = await today(staffA, `/api/sites/${a.id}`);
    const key = { headers: { 'idempotency-key': 'walk-in-1' } };
    const first = await staffA.post(`/api/sites/${a.id}/visits/walk-in`, { kind: 'public', count: 3 }, key);
    assert.equal(first.status, 201, first.text);
    assert.equal(first.json.kind, 'public');
    assert.equal(first.json.count, 3);
    assert.equal(first.json.today.walkin_public - before.walkin_public, 3);
    const replay = await staffA.post(`/api/sites/${a.id}/visits/walk-in`, { kind: 'public', count: 3 }, key);
    assert.equal(replay.status, 201);
    assert.equal(replay.headers.get('idempotent-replayed'), 'true');
    assert.deepEqual(replay.json, first.json);
    assertError(await staffA.post(`/api/sites/${a.id}/visits/walk-in`, { kind: 'worker' }, key), 422, 'idempotency_key_reused');
    const one = expectStatus(await staffA.post(`/api/sites/${a.id}/visits/walk-in`, { kind: 'worker' }), 201).json;
    assert.equal(one.count, 1);
    const after = await today(staffA, `/api/sites/${a.id}`);
    assert.equal(after.walkin_public - before.walkin_public, 3, 'the replay counted nothing');
    assert.equal(after.walkin_worker - before.walkin_worker, 1);
    assert.equal(after.public - before.public, 3);
    assert.equal(after.total - before.total, 4);

    assertError(await staffA.post(`/api/sites/${a.id}/visits/walk-in`, { kind: 'dog' }), 422, 'invalid_field', 'kind');
    assertError(await staffA.post(`/api/sites/${a.id}/visits/walk-in`, {}), 422, 'missing_field', 'kind');
    assertError(await staffA.post(`/api/sites/${a.id}/visits/walk-in`, { kind: 'public', count: 0 }), 422, 'invalid_field', 'count');
    assertError(await staffA.post(`/api/sites/${a.id}/visits/walk-in`, { kind: 'public', count: 101 }), 422, 'invalid_field', 'count');
    assertError(await staffA.post(`/api/sites/${a.id}/visits/walk-in`, { kind: 'public', count: 1.5 }), 422, 'invalid_field', 'count');
    assertError(await staffA.post(`/api/sites/${a.id}/visits/walk-in`, { kind: 'public', who: 1 }), 422, 'unknown_field', 'who');
  } finally {
    await srv.stop();
  }
});

test('visits: statistics by hour and by day, windows checked', async () => {
  const { srv, a, staffA, regionIn } = await setup();
  try {
    const week = expectStatus(await staffA.get(`/api/sites/${a.id}/visits/stats`), 200).json;
    assert.equal(week.by, 'day');
    assert.equal(week.site_id, a.id);
    assert.equal(week.buckets.length, 7);
    assert.ok(week.totals.total > 0, 'the demo made a week of visits');
    const sum = week.buckets.reduce((s, b) => s + b.total, 0);
    assert.equal(sum, week.totals.total);
    for (const b of week.buckets) {
      assert.match(b.start, /T00:00:00\+08:00$/);
      assert.equal(b.total, b.workers + b.public);
      assert.equal(b.workers, b.poster + b.staff + b.walkin_worker);
    }
    const day = week.to;
    const hours = expectStatus(await staffA.get(`/api/sites/${a.id}/visits/stats?by=hour&from=${day}&to=${day}`), 200).json;
    assert.equal(hours.buckets.length, 24);
    assert.equal(hours.buckets[0].start, `${day}T00:00:00+08:00`);
    assert.equal(hours.buckets[13].start, `${day}T13:00:00+08:00`);
    assert.equal(hours.totals.total, week.buckets[6].total, 'the hours add up to the day');
    const one = expectStatus(await staffA.get(`/api/sites/${a.id}/visits/stats?by=day&from=${week.from}&to=${week.from}`), 200).json;
    assert.equal(one.buckets.length, 1);
    assert.equal(one.totals.total, week.buckets[0].total);

    // A region's counts are its sites' counts.
    const sites = (await regionIn.get('/api/sites?limit=1000&region=HZ-XN-01&status=any')).json.items;
    let total = 0;
    for (const s of sites) total += (await regionIn.get(`/api/sites/${s.id}/visits/stats`)).json.totals.total;
    const comm = expectStatus(await regionIn.get('/api/regions/HZ-XN-01/visits/stats'), 200).json;
    assert.equal(comm.totals.total, total);
    assert.equal(comm.region.code, 'HZ-XN-01');
    assert.equal(comm.region.level, 'community');
    const street = (await regionIn.get('/api/regions/HZ-XN/visits/stats')).json;
    assert.ok(street.totals.total >= comm.totals.total);

    const bad = [
      ['?by=week', 'by'], ['?from=2026-02-30', 'from'], ['?to=tomorrow', 'to'],
      ['?from=2026-03-10&to=2026-03-01', 'from'], ['?by=hour&from=2026-01-01&to=2026-02-01', 'from'],
      ['?from=2025-01-01&to=2026-03-01', 'from'],
    ];
    for (const [q, field] of bad) assertError(await staffA.get(`/api/sites/${a.id}/visits/stats${q}`), 400, 'invalid_query', field);
    for (const [q, field] of bad) assertError(await regionIn.get(`/api/regions/HZ-XN/visits/stats${q}`), 400, 'invalid_query', field);
    // The longest windows are allowed.
    expectStatus(await staffA.get(`/api/sites/${a.id}/visits/stats?by=hour&from=2026-01-01&to=2026-01-31`), 200);
    const year = expectStatus(await regionIn.get('/api/regions/HZ-XN/visits/stats?from=2025-03-01&to=2026-02-28'), 200).json;
    assert.equal(year.buckets.length, 365);
  } finally {
    await srv.stop();
  }
});

test('visits: my trail is mine: listed, deletable, exported, erased; the counts stay', async () => {
  const { srv, a, staffA, worker, other, workerId } = await setup();
  try {
    const code = (await staffA.get(`/api/sites/${a.id}/poster`)).json.code;
    const v = expectStatus(await worker.post('/api/visits', { code }), 201).json;
    const w = expectStatus(await other.post('/api/visits', { code }), 201).json;
    const mine = expectStatus(await worker.get('/api/me/visits'), 200).json;
    assert.deepEqual(mine.items.map((x) => x.id), [v.id], 'mine, and only mine');
    assert.equal(mine.retention_days, 30);
    assert.equal(mine.next_before, null);
    assert.equal((await srv.client().get('/api/me/visits')).status, 401);
    assertError(await worker.get('/api/me/visits?limit=0'), 400, 'invalid_query', 'limit');

    // Someone else's visit is not found, whatever its number.
    assertError(await worker.del(`/api/me/visits/${w.id}`), 404, 'not_found');
    assertError(await worker.del('/api/me/visits/abc'), 404, 'not_found');
    assert.deepEqual((await other.get('/api/me/visits')).json.items.map((x) => x.id), [w.id]);

    const exp = expectStatus(await worker.get('/api/me/export'), 200).json;
    assert.deepEqual(exp.visit.visits.map((x) => x.id), [v.id]);
    assert.equal(exp.visit.visits[0].site.id, a.id);

    const before = await today(staffA, `/api/sites/${a.id}`);
    expectStatus(await worker.del(`/api/me/visits/${v.id}`), 204);
    assertError(await worker.del(`/api/me/visits/${v.id}`), 404, 'not_found');
    assert.deepEqual((await worker.get('/api/me/visits')).json.items, []);
    // The counts keep the visit, anonymously; a repeat still counts once.
    assert.deepEqual(await today(staffA, `/api/sites/${a.id}`), before);
    const repeat = expectStatus(await worker.post('/api/visits', { code }), 200).json;
    assert.equal(repeat.counted, false);
    assert.equal(repeat.id, null, 'the earlier visit was deleted');

    // Erasure takes every trace.
    await srv.client(ADMIN_TOKEN).post('/api/system/clock', { advance_s: 1801 });
    expectStatus(await worker.post('/api/visits', { code }), 201);
    expectStatus(await worker.del('/api/me?confirm=1'), 204);
    assert.equal(storeValue(srv, `SELECT COUNT(*) FROM visits WHERE user_id = ${workerId}`), '0');
    assert.equal(storeValue(srv, `SELECT COUNT(*) FROM visit_last WHERE user_id = ${workerId}`), '0');
    assert.equal((await other.get('/api/me/visits')).json.items.length, 1, 'others keep theirs');
  } finally {
    await srv.stop();
  }
});

test('visits: check-ins older than the retention period are deleted by the tick', async () => {
  const { srv, a, staffA, worker } = await setup({ WARMHARBOR_VISIT_RETENTION_DAYS: '2' });
  try {
    const code = (await staffA.get(`/api/sites/${a.id}/poster`)).json.code;
    const v = expectStatus(await worker.post('/api/visits', { code }), 201).json;
    const day = v.at.slice(0, 10);
    const q = `/api/sites/${a.id}/visits/stats?from=${day}&to=${day}`;
    const counted = (await staffA.get(q)).json.totals;
    assert.equal((await worker.get('/api/me/visits')).json.retention_days, 2);
    const admin = srv.client(ADMIN_TOKEN);
    expectStatus(await admin.post('/api/system/clock', { advance_s: 86400 }), 200);
    assert.equal((await worker.get('/api/me/visits')).json.items.length, 1, 'a day old: kept');
    expectStatus(await admin.post('/api/system/clock', { advance_s: 86400 + 60 }), 200);
    assert.deepEqual((await worker.get('/api/me/visits')).json.items, [], 'two days old: gone');
    assert.deepEqual((await staffA.get(q)).json.totals, counted, 'the counts stay');
  } finally {
    await srv.stop();
  }
  await assert.rejects(startServer({ env: { WARMHARBOR_VISIT_RETENTION_DAYS: '0' } }), /RETENTION_DAYS/);
  await assert.rejects(startServer({ env: { WARMHARBOR_PUBLIC_URL: 'javascript:alert(1)' } }), /PUBLIC_URL/);
});

test('visits: the poster links to WARMHARBOR_PUBLIC_URL when it is set', async () => {
  const { srv, a, staffA } = await setup({ WARMHARBOR_PUBLIC_URL: 'https://nuanxin.example.cn/' });
  try {
    const p = (await staffA.get(`/api/sites/${a.id}/poster`)).json;
    assert.equal(p.url, `https://nuanxin.example.cn/#/visit/${p.code}`);
  } finally {
    await srv.stop();
  }
});

test('visits: many scans at once by one person count once; by many people, each once', async () => {
  const { srv, a, staffA, worker } = await setup({ WARMHARBOR_CONN_PER_ADDRESS: '0' });
  try {
    const code = (await staffA.get(`/api/sites/${a.id}/poster`)).json.code;
    const before = await today(staffA, `/api/sites/${a.id}`);
    const same = await Promise.all(Array.from({ length: 24 }, () => worker.post('/api/visits', { code })));
    const statuses = same.map((r) => r.status).sort();
    assert.equal(statuses.filter((s) => s === 201).length, 1, `one counted: ${statuses}`);
    assert.equal(statuses.filter((s) => s === 200).length, 23, `the rest are repeats: ${statuses}`);
    const ids = new Set(same.map((r) => r.json.id));
    assert.equal(ids.size, 1, 'every answer names the one visit');

    const people = Array.from({ length: 8 }, (_, i) => srv.client(srv.user(`1393444${String(i).padStart(4, '0')}`)));
    const many = await Promise.all(people.flatMap((p) => [p.post('/api/visits', { code }), p.post('/api/visits', { code })]));
    assert.equal(many.filter((r) => r.status === 201).length, 8);
    assert.equal(many.filter((r) => r.status === 200).length, 8);
    const taps = await Promise.all(Array.from({ length: 20 }, () => staffA.post(`/api/sites/${a.id}/visits/walk-in`, { kind: 'worker', count: 2 })));
    assert.ok(taps.every((r) => r.status === 201), taps.map((r) => r.status).join());
    const after = await today(staffA, `/api/sites/${a.id}`);
    assert.equal(after.poster - before.poster, 9);
    assert.equal(after.walkin_worker - before.walkin_worker, 40);
  } finally {
    await srv.stop();
  }
});
