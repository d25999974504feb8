// Livestreamer mentoring (the mentoring module): a host's sessions, typed
// in or imported from a platform's CSV export (all or nothing; a bad row
// names its row and column and changes nothing), the editable column
// mapping, dashboards with the category's medians and the baseline flags,
// mentors assigned by an admin who see their hosts and only theirs, reviews
// that reach the host's inbox, and one-to-ones taken through the capacity
// engine. Attacks: anonymous callers, wrong roles, another mentor's host
// and session with the same id, a replayed Idempotency-Key, and two hosts
// racing for one one-to-one (on whichever store the suite runs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, ADMIN_TOKEN, assertError, expectStatus } from './lib/server.mjs';

let phoneSeq = 0;
const phone = () => `1395555${String(++phoneSeq).padStart(4, '0')}`;

const DOUYIN_HEAD = '开播时间,直播时长,累计观看人数,最高在线人数,新增粉丝数,成交订单数,成交金额,成交转化率,直播标题';

/** n days ago at 20:00, as the export writes it (local +08:00). */
function dayText(daysAgo, hour = 20) {
  const t = new Date(Date.now() + 8 * 3600e3 - daysAgo * 86400e3);
  const p = (x) => String(x).padStart(2, '0');
  return `${t.getUTCFullYear()}/${t.getUTCMonth() + 1}/${t.getUTCDate()} ${p(hour)}:00`;
}

async function person(srv, { occupation, name } = {}) {
  const token = srv.user(phone());
  const c = srv.client(token);
  if (occupation || name) {
    const body = {};
    if (occupation) body.occupation = occupation;
    if (name) body.display_name = name;
    expectStatus(await c.patch('/api/me', body), 200);
  }
  const id = (await c.get('/api/me')).json.id;
  return { c, id };
}

async function mentor(srv, admin, region) {
  const m = await person(srv, { name: `导师${phoneSeq}` });
  const res = await admin.post(`/api/users/${m.id}/roles`, { role: 'mentor', scope_kind: 'region', scope_ref: region });
  assert.equal(res.status, 201, res.text);
  return m;
}

async function setup() {
  const srv = await startServer({ demo: true });
  const admin = srv.client(ADMIN_TOKEN);
  const regions = expectStatus(await admin.get('/api/regions'), 200).json;
  const list = regions.items || regions;
  const region = list[0].code;
  const h1 = await person(srv, { occupation: 'livestream_host', name: '主播甲' });
  const h2 = await person(srv, { occupation: 'livestream_host', name: '主播乙' });
  const m1 = await mentor(srv, admin, region);
  const m2 = await mentor(srv, admin, region);
  expectStatus(await admin.post('/api/mentoring/assignments', { host: h1.id, mentor: m1.id }), 200);
  expectStatus(await admin.post('/api/mentoring/assignments', { host: h2.id, mentor: m2.id }), 200);
  return { srv, admin, region, h1, h2, m1, m2, anon: srv.client() };
}

function douyinCsv(rows) {
  return [DOUYIN_HEAD, ...rows].join('\r\n') + '\r\n';
}

test('a host imports a Douyin export; a bad row changes nothing and names row and column', async () => {
  const { srv, h1, m1 } = await setup();
  try {
    expectStatus(await h1.c.put('/api/me/mentoring', { category: 'food' }), 200);
    const good = [
      `${dayText(9)},02:30:00,"12,000",1300,310,372,"18,600.50",3.10%,春茶上新`,
      `${dayText(7)},2小时,1.1万,1200,280,330,1.65万,3.00%,周末专场`,
      `${dayText(5)},150,9800,1100,250,300,"15,000",3.06%,`,
    ];
    // One bad cell on the third data row (record 4): nothing is stored.
    const bad = [...good];
    bad[2] = `${dayText(5)},150,9800,1100,250,三百,"15,000",3.06%,`;
    let res = await h1.c.postCsv('/api/me/mentoring/sessions/import?platform=douyin', douyinCsv(bad));
    assertError(res, 422, 'invalid_rows', '成交订单数');
    assert.equal(res.json.error.details.length, 1);
    assert.deepEqual({ ...res.json.error.details[0], message: undefined },
      { row: 4, column: '成交订单数', code: 'invalid_value', message: undefined });
    let dash = expectStatus(await h1.c.get('/api/me/mentoring/dashboard'), 200).json;
    assert.equal(dash.sessions.length, 0, 'a bad row changes nothing');

    // The peak above the viewers, a missing column, a quote that never closes.
    res = await h1.c.postCsv('/api/me/mentoring/sessions/import?platform=douyin',
      douyinCsv([`${dayText(3)},60,100,101,1,1,1,1%,`]));
    assertError(res, 422, 'invalid_rows', '最高在线人数');
    res = await h1.c.postCsv('/api/me/mentoring/sessions/import?platform=douyin',
      '开播时间,直播时长\r\n2026/1/1 20:00,60\r\n');
    assertError(res, 422, 'invalid_rows');
    assert.ok(res.json.error.details.some((d) => d.code === 'missing_column' && d.column === '累计观看人数'));
    res = await h1.c.postCsv('/api/me/mentoring/sessions/import?platform=douyin',
      douyinCsv([`${dayText(3)},60,100,10,1,1,"1,1%,`]));
    assertError(res, 422, 'invalid_rows');
    assert.equal(res.json.error.details[0].code, 'invalid_csv');
    res = await h1.c.postCsv('/api/me/mentoring/sessions/import?platform=nosuch', douyinCsv(good));
    assertError(res, 422, 'unknown_platform', 'platform');

    // The good file, once; the same file again is refused whole.
    res = await h1.c.postCsv('/api/me/mentoring/sessions/import?platform=douyin', douyinCsv(good),
      { headers: { 'idempotency-key': 'import-1' } });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.json.imported, 3);
    const replay = await h1.c.postCsv('/api/me/mentoring/sessions/import?platform=douyin', douyinCsv(good),
      { headers: { 'idempotency-key': 'import-1' } });
    assert.equal(replay.status, 201);
    assert.equal(replay.headers.get('idempotent-replayed'), 'true');
    res = await h1.c.postCsv('/api/me/mentoring/sessions/import?platform=douyin', douyinCsv(good));
    assertError(res, 422, 'invalid_rows', '开播时间');
    assert.equal(res.json.error.details[0].code, 'duplicate_session');
    assert.equal(res.json.error.details[0].row, 2);

    dash = expectStatus(await h1.c.get('/api/me/mentoring/dashboard'), 200).json;
    assert.equal(dash.sessions.length, 3);
    const [s1, s2] = dash.sessions;
    assert.equal(s1.viewers, 12000);
    assert.equal(s1.gmv, 18600.5);
    assert.equal(s1.conversion, 3.1);
    assert.equal(s1.duration_min, 150);
    assert.equal(s1.source, 'douyin');
    assert.equal(s2.viewers, 11000);
    assert.equal(s2.gmv, 16500);
    assert.equal(s2.duration_min, 120);

    // Not a host: refused.
    const worker = await person(srv, { occupation: 'courier' });
    res = await worker.c.postCsv('/api/me/mentoring/sessions/import?platform=douyin', douyinCsv(good));
    assertError(res, 403, 'not_a_host');
    assertError(await srv.client().postCsv('/api/me/mentoring/sessions/import', douyinCsv(good)), 401, 'unauthorized');
    // The mentor sees the upload.
    const md = expectStatus(await m1.c.get(`/api/mentoring/hosts/${h1.id}/dashboard`), 200).json;
    assert.equal(md.sessions.length, 3);
  } finally {
    await srv.stop();
  }
});

test('the column mapping is data the system admin edits; others may only read it', async () => {
  const { srv, admin, h1, m1 } = await setup();
  try {
    const list = expectStatus(await h1.c.get('/api/mentoring/platforms'), 200).json;
    const codes = list.items.map((p) => p.code);
    for (const c of ['douyin', 'kuaishou', 'taobao', 'generic']) assert.ok(codes.includes(c), c);
    const columns = { 场次时间: 'start', 时长: 'duration', 观看: 'viewers', 峰值: 'peak', 涨粉: 'new_followers',
      订单: 'orders', 销售额: 'gmv' };
    assertError(await m1.c.put('/api/mentoring/platforms/xhs', { columns }), 403, 'forbidden');
    assertError(await admin.put('/api/mentoring/platforms/xhs', { columns: { 场次时间: 'start' } }), 422, 'missing_field', 'columns');
    assertError(await admin.put('/api/mentoring/platforms/xhs', { columns: { ...columns, 其他: 'likes' } }), 422, 'invalid_field', 'columns.其他');
    assertError(await admin.put('/api/mentoring/platforms/X-1', { columns }), 422, 'invalid_field', 'code');
    const put = expectStatus(await admin.put('/api/mentoring/platforms/xhs', { columns }), 200).json;
    assert.equal(put.columns['销售额'], 'gmv');
    const res = await h1.c.postCsv('/api/me/mentoring/sessions/import?platform=xhs',
      `场次时间,时长,观看,峰值,涨粉,订单,销售额\n${dayText(2)},90,500,60,5,10,800\n`);
    assert.equal(res.status, 201, res.text);
    const s = expectStatus(await h1.c.get('/api/me/mentoring/dashboard'), 200).json.sessions[0];
    assert.equal(s.conversion, 2, 'computed from orders per viewer when the export has none');
  } finally {
    await srv.stop();
  }
});

test('typing a session in: every field checked, duplicates refused', async () => {
  const { srv, h1 } = await setup();
  try {
    const start = new Date(Date.now() - 86400e3).toISOString();
    const body = { starts_at: start, duration_min: 120, viewers: 5000, peak: 600, new_followers: 80, orders: 150, gmv: 7500.5 };
    assertError(await h1.c.post('/api/me/mentoring/sessions', { ...body, viewers: -1 }), 422, 'invalid_field', 'viewers');
    assertError(await h1.c.post('/api/me/mentoring/sessions', { ...body, peak: 6000 }), 422, 'invalid_field', 'peak');
    assertError(await h1.c.post('/api/me/mentoring/sessions', { ...body, starts_at: 'yesterday' }), 422, 'invalid_field', 'starts_at');
    assertError(await h1.c.post('/api/me/mentoring/sessions', { ...body, duration_min: 0 }), 422, 'invalid_field', 'duration_min');
    assertError(await h1.c.post('/api/me/mentoring/sessions', { ...body, likes: 3 }), 422, 'unknown_field', 'likes');
    const { viewers, ...noViewers } = body;
    assertError(await h1.c.post('/api/me/mentoring/sessions', noViewers), 422, 'missing_field', 'viewers');
    const made = expectStatus(await h1.c.post('/api/me/mentoring/sessions', body), 201).json;
    assert.equal(made.conversion, 3);
    assert.equal(made.gmv, 7500.5);
    assertError(await h1.c.post('/api/me/mentoring/sessions', body), 409, 'duplicate_session', 'starts_at');
    assertError(await h1.c.put('/api/me/mentoring', { category: 'cars' }), 422, 'invalid_field', 'category');
  } finally {
    await srv.stop();
  }
});

test('mentors see their hosts and only theirs; reviews reach the host inbox', async () => {
  const { srv, admin, h1, h2, m1, m2, anon } = await setup();
  try {
    for (const h of [h1, h2]) {
      expectStatus(await h.c.put('/api/me/mentoring', { category: 'beauty' }), 200);
      const rows = [];
      for (let d = 40; d >= 1; d -= 3) rows.push(`${dayText(d)},120,${d <= 3 ? 1000 : 5000},500,50,${d <= 3 ? 20 : 150},${d <= 3 ? 900 : 8000},3%,`);
      expectStatus(await h.c.postCsv('/api/me/mentoring/sessions/import?platform=douyin', douyinCsv(rows)), 201);
    }
    // Lists: each mentor their own host.
    const l1 = expectStatus(await m1.c.get('/api/mentoring/hosts'), 200).json.items;
    assert.deepEqual(l1.map((h) => h.id), [h1.id]);
    const l2 = expectStatus(await m2.c.get('/api/mentoring/hosts'), 200).json.items;
    assert.deepEqual(l2.map((h) => h.id), [h2.id]);
    // Another mentor's host: refused; a host is not a mentor; anonymous 401.
    assertError(await m1.c.get(`/api/mentoring/hosts/${h2.id}/dashboard`), 403, 'out_of_scope');
    assertError(await m2.c.get(`/api/mentoring/hosts/${h1.id}/dashboard`), 403, 'out_of_scope');
    assertError(await h1.c.get(`/api/mentoring/hosts/${h2.id}/dashboard`), 403, 'forbidden');
    assertError(await h1.c.get(`/api/mentoring/hosts/${h1.id}/dashboard`), 403, 'forbidden');
    assertError(await anon.get(`/api/mentoring/hosts/${h1.id}/dashboard`), 401, 'unauthorized');
    assertError(await m1.c.get('/api/mentoring/hosts/99999999/dashboard'), 404, 'not_found');

    const d1 = expectStatus(await m1.c.get(`/api/mentoring/hosts/${h1.id}/dashboard`), 200).json;
    assert.equal(d1.category_hosts, 2);
    assert.equal(d1.figures.viewers.category, 5000);
    const last = d1.sessions.at(-1);
    assert.deepEqual(last.low, ['viewers', 'orders', 'gmv'], 'under 0.7x the median of the previous 10');
    assert.equal(last.baseline.viewers, 5000);
    assert.ok(d1.sessions.slice(0, 3).every((s) => s.low.length === 0 && s.baseline === null), 'no baseline before 3 sessions');
    assert.ok(d1.category_weeks.length > 0);

    // Reviews: only the host's mentor, with advice.
    const other = expectStatus(await m2.c.get(`/api/mentoring/hosts/${h2.id}/dashboard`), 200).json.sessions.at(-1);
    const review = { summary: '最近一场掉得厉害', advice: ['开播前发预告', '前10分钟上福利款'] };
    assertError(await m1.c.post(`/api/mentoring/sessions/${other.id}/reviews`, review), 403, 'out_of_scope');
    assertError(await h1.c.post(`/api/mentoring/sessions/${last.id}/reviews`, review), 403, 'forbidden');
    assertError(await m1.c.post(`/api/mentoring/sessions/${last.id}/reviews`, { ...review, advice: [] }), 422, 'missing_field', 'advice');
    assertError(await m1.c.post(`/api/mentoring/sessions/${last.id}/reviews`, { ...review, advice: ['a\nb'] }), 422, 'invalid_field', 'advice[0]');
    assertError(await m1.c.post('/api/mentoring/sessions/99999999/reviews', review), 404, 'not_found');
    const key = { headers: { 'idempotency-key': 'review-1' } };
    const made = expectStatus(await m1.c.post(`/api/mentoring/sessions/${last.id}/reviews`, review, key), 201).json;
    assert.deepEqual(made.advice, review.advice);
    const again = await m1.c.post(`/api/mentoring/sessions/${last.id}/reviews`, review, key);
    assert.equal(again.status, 201);
    assert.equal(again.json.id, made.id, 'a replay is the first answer, not a second review');
    const mine = expectStatus(await h1.c.get('/api/me/mentoring/dashboard'), 200).json;
    assert.equal(mine.reviews.length, 1);
    assert.deepEqual(mine.sessions.at(-1).reviews, [made.id]);
    const inbox = expectStatus(await h1.c.get('/api/me/inbox'), 200).json.items;
    assert.ok(inbox.some((n) => n.kind === 'mentoring_review'), 'the host is told');
    const inbox2 = expectStatus(await h2.c.get('/api/me/inbox'), 200).json.items;
    assert.ok(!inbox2.some((n) => n.kind === 'mentoring_review'), 'nobody else is');

    // Assignments: admins only; a mentor must hold the role; a host must be one.
    assertError(await m1.c.post('/api/mentoring/assignments', { host: h2.id, mentor: m1.id }), 403, 'forbidden');
    assertError(await admin.post('/api/mentoring/assignments', { host: h2.id, mentor: h1.id }), 422, 'not_a_mentor', 'mentor');
    assertError(await admin.post('/api/mentoring/assignments', { host: m2.id, mentor: m1.id }), 422, 'not_a_host', 'host');
    // Reassigned: m1 now sees h2, m2 no longer does.
    expectStatus(await admin.post('/api/mentoring/assignments', { host: h2.id, mentor: m1.id }), 200);
    expectStatus(await m1.c.get(`/api/mentoring/hosts/${h2.id}/dashboard`), 200);
    assertError(await m2.c.get(`/api/mentoring/hosts/${h2.id}/dashboard`), 403, 'out_of_scope');
    expectStatus(await admin.del(`/api/mentoring/assignments/${h2.id}`), 204);
    assertError(await m1.c.get(`/api/mentoring/hosts/${h2.id}/dashboard`), 403, 'out_of_scope');
    assertError(await admin.del(`/api/mentoring/assignments/${h2.id}`), 404, 'not_found');
  } finally {
    await srv.stop();
  }
});

test('one-to-ones: a mentor offers a time, one of their hosts takes it; two at once never both', async () => {
  const { srv, admin, h1, h2, m1, m2 } = await setup();
  try {
    const h3 = await person(srv, { occupation: 'livestream_host', name: '主播丙' });
    expectStatus(await admin.post('/api/mentoring/assignments', { host: h2.id, mentor: m1.id }), 200);
    expectStatus(await admin.post('/api/mentoring/assignments', { host: h3.id, mentor: m1.id }), 200);
    const site = expectStatus(await admin.get('/api/sites?limit=1'), 200).json.items[0].id;
    const starts = new Date(Date.now() + 3 * 86400e3).toISOString();
    assertError(await h1.c.post('/api/mentoring/one-to-ones', { site, starts_at: starts }), 403, 'forbidden');
    assertError(await m1.c.post('/api/mentoring/one-to-ones', { site: 99999999, starts_at: starts }), 422, 'unknown_site', 'site');
    assertError(await m1.c.post('/api/mentoring/one-to-ones', { site, starts_at: '2020-01-01T10:00:00+08:00' }), 422, 'invalid_field', 'starts_at');
    const slot = expectStatus(await m1.c.post('/api/mentoring/one-to-ones', { site, starts_at: starts, minutes: 45 }), 201).json;
    assertError(await m1.c.post('/api/mentoring/one-to-ones', { site, starts_at: starts }), 409, 'slot_exists', 'starts_at');
    const other = expectStatus(await m2.c.post('/api/mentoring/one-to-ones', { site, starts_at: starts }), 201).json;

    // Hosts see their own mentor's times only.
    const seen = expectStatus(await h1.c.get('/api/mentoring/one-to-ones'), 200).json.items;
    assert.deepEqual(seen.map((s) => s.id), [slot.id]);
    assert.equal(seen[0].host, undefined, 'hosts do not see who booked');
    // Another mentor's slot, the generic booking route: refused.
    assertError(await h1.c.post(`/api/mentoring/one-to-ones/${other.id}/book`), 403, 'not_your_mentor');
    assertError(await h1.c.post('/api/bookings', { slot: slot.id }), 403, 'out_of_scope', 'slot');

    // Two hosts at once for the one seat.
    const [a, b] = await Promise.all([
      h2.c.post(`/api/mentoring/one-to-ones/${slot.id}/book`),
      h3.c.post(`/api/mentoring/one-to-ones/${slot.id}/book`),
    ]);
    const statuses = [a.status, b.status].sort();
    assert.deepEqual(statuses, [201, 409], `${a.text} ${b.text}`);
    const loser = a.status === 409 ? a : b;
    assertError(loser, 409, 'slot_taken');
    const listed = expectStatus(await m1.c.get('/api/mentoring/one-to-ones'), 200).json.items;
    const row = listed.find((s) => s.id === slot.id);
    assert.equal(row.free, false);
    assert.ok([h2.id, h3.id].includes(row.host.id));
    const winner = a.status === 201 ? h2 : h3;
    const bookings = expectStatus(await winner.c.get('/api/me/bookings'), 200).json.items;
    assert.ok(bookings.some((x) => x.slot.id === slot.id || x.slot_id === slot.id), 'a booking in the capacity engine');
    assertError(await h1.c.post(`/api/mentoring/one-to-ones/${slot.id}/book`), 409, 'slot_taken');
    assertError(await h1.c.post('/api/mentoring/one-to-ones/99999999/book'), 404, 'not_found');
  } finally {
    await srv.stop();
  }
});

test('personal data: a host\'s sessions and reviews are in her export and go with her erasure', async () => {
  const { srv, h1, m1 } = await setup();
  try {
    const start = new Date(Date.now() - 86400e3).toISOString();
    const s = expectStatus(await h1.c.post('/api/me/mentoring/sessions',
      { starts_at: start, duration_min: 60, viewers: 100, peak: 10, new_followers: 1, orders: 2, gmv: 50 }), 201).json;
    expectStatus(await m1.c.post(`/api/mentoring/sessions/${s.id}/reviews`, { summary: '不错', advice: ['继续'] }), 201);
    const exp = expectStatus(await h1.c.get('/api/me/export'), 200).json;
    assert.equal(exp.mentoring.sessions.length, 1);
    assert.equal(exp.mentoring.reviews[0].summary, '不错');
    expectStatus(await h1.c.del('/api/me?confirm=1'), 204);
    // The mentor no longer has her, nor her numbers.
    const hosts = expectStatus(await m1.c.get('/api/mentoring/hosts'), 200).json.items;
    assert.deepEqual(hosts, []);
    assertError(await m1.c.post(`/api/mentoring/sessions/${s.id}/reviews`, { summary: 'x', advice: ['y'] }), 404, 'not_found');
  } finally {
    await srv.stop();
  }
});
