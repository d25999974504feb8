// Livestreamer mentoring in the browser: a host uploads her Douyin export
// (first with a bad row: nothing is imported and a table names the row
// and the column; then the corrected file), sees her dashboard beside the
// category's medians; her mentor finds her among his hosts, opens her
// dashboard and reviews the weak session with concrete advice; the host
// sees the review (and its inbox notice). Chinese first, English too, axe
// clean, 48 px targets, no sideways scroll at phone width.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, openBrowser, seriousViolations, pageWidth, smallTargets } from './lib/harness.mjs';
import { registerWorker, staffMember, signInBrowser, asAdmin } from './lib/accounts.mjs';

let srv;
const people = {};

/** A GET or a write with a person's cookie session. */
function as(p, method, path, body) {
  const headers = { Cookie: `wh_session=${p.cookie}` };
  if (body !== undefined) Object.assign(headers, { 'Content-Type': 'application/json', 'X-CSRF-Token': p.csrf });
  return srv.api(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

before(async () => {
  srv = await startServer({ env: { WARMHARBOR_DEV: '1' } });
  people.host = await registerWorker(srv, '13900000061', '茶园小林');
  const r = await as(people.host, 'PATCH', '/api/me', { occupation: 'livestream_host' });
  assert.equal(r.status, 200, r.text);
  people.mentor = await staffMember(srv, '13900000062', 'mentor-password-62', { role: 'mentor', scope_kind: 'region', scope_ref: 'HZ-XN' });
  const a = await asAdmin(srv, 'POST', '/api/mentoring/assignments', { host: people.host.id, mentor: people.mentor.id });
  assert.equal(a.status, 200, a.text);
});
after(async () => {
  await srv?.stop();
});

/** A browser at path, signed in as p. */
async function signedIn(p, path) {
  const b = await openBrowser();
  await signInBrowser(b, srv, p.cookie);
  await b.page.goto(`${srv.base}/#${path}`);
  return b;
}

const realErrors = (errors) => errors.filter((e) => !/Failed to load resource: the server responded with a status of (401|404|409|422)/.test(e));

/** n days ago at 20:00 (+08:00), as Douyin writes it. */
function dayText(daysAgo) {
  const t = new Date(Date.now() + 8 * 3600e3 - daysAgo * 86400e3);
  return `${t.getUTCFullYear()}/${t.getUTCMonth() + 1}/${t.getUTCDate()} 20:00`;
}

const HEAD = '开播时间,直播时长,累计观看人数,最高在线人数,新增粉丝数,成交订单数,成交金额,成交转化率';
function csv(rows) {
  return `${HEAD}\r\n${rows.join('\r\n')}\r\n`;
}
// Five good evenings, then a weak one (under 0.7x her own median).
const ROWS = [12, 10, 8, 6, 4].map((d) => `${dayText(d)},02:00:00,"10,000",1200,200,300,"15,000.00",3.00%`)
  .concat([`${dayText(2)},02:00:00,"4,000",500,50,80,"3,000.00",2.00%`]);

test('a host uploads her export: a bad row imports nothing and is named; the good file gives her dashboard', async () => {
  const b = await signedIn(people.host, '/mentoring');
  const { page } = b;
  try {
    await page.waitForSelector('#mt-upload-form');
    assert.equal(await page.title(), '直播数据 - 暖新地图');
    assert.match(await page.textContent('#mt-profile-title'), /我的导师：工作人员/);
    await page.selectOption('#mt-category', 'agriculture');
    await page.click('#mt-save-category');
    await page.waitForSelector('.form-ok:has-text("品类已保存")');

    // No file yet: said, and nothing sent.
    await page.click('#mt-upload');
    await page.waitForSelector('.form-alert:has-text("请先选择一个 CSV 文件")');
    // Row 4's orders are not a number.
    const bad = [...ROWS];
    bad[2] = bad[2].replace(',300,', ',三百,');
    await page.setInputFiles('#mt-file', { name: 'douyin.csv', mimeType: 'text/csv', buffer: Buffer.from(csv(bad)) });
    await page.click('#mt-upload');
    await page.waitForSelector('#mt-upload-errors');
    const cells = await page.$$eval('#mt-upload-errors tbody tr', (trs) => trs.map((tr) => [tr.dataset.row, tr.dataset.column, tr.dataset.code]));
    assert.deepEqual(cells, [['4', '成交订单数', 'invalid_value']]);
    assert.equal(await page.evaluate(() => document.activeElement.id), 'mt-errors-title');
    assert.ok(await page.$('#mt-no-sessions'), 'nothing was imported');
    assert.deepEqual(await seriousViolations(page), []);

    await page.setInputFiles('#mt-file', { name: 'douyin.csv', mimeType: 'text/csv', buffer: Buffer.from(csv(ROWS)) });
    await page.click('#mt-upload');
    await page.waitForSelector('.form-ok:has-text("已导入 6 场直播")');
    assert.equal(await page.$('#mt-upload-errors'), null);
    await page.waitForSelector('#mt-sessions');
    assert.equal(await page.$$eval('#mt-sessions tbody tr', (trs) => trs.length), 6);
    // The weak evening is flagged, in words.
    const low = await page.$$eval('#mt-sessions tbody tr[data-low]', (trs) => trs.map((tr) => tr.dataset.low).filter(Boolean));
    assert.deepEqual(low, ['viewers orders gmv']);
    assert.match(await page.textContent('#mt-flagged'), /1 场低于自己的近期水平/);
    assert.match(await page.textContent('#mt-figures tr[data-figure="viewers"]'), /10,000/);
    await page.waitForSelector('#mt-chart-gmv canvas');
    assert.deepEqual(await seriousViolations(page), []);
    assert.deepEqual(await smallTargets(page), [], '48px targets');
    const [w, vw] = await pageWidth(page);
    assert.ok(w <= vw, `no sideways scroll: ${w} > ${vw}`);
    await page.click('#lang');
    await page.waitForSelector('#mt-upload-title:has-text("Upload sessions")');
    assert.match(await page.textContent('#mt-flagged'), /1 sessions under your own recent level/);
    assert.deepEqual(await seriousViolations(page), []);
    assert.deepEqual(realErrors(b.errors), []);
  } finally {
    await b.close();
  }
});

test('the mentor finds her, opens her dashboard and reviews the weak session; she sees the advice', async () => {
  const b = await signedIn(people.mentor, '/mentoring/hosts');
  const { page } = b;
  let weak;
  try {
    await page.waitForSelector(`#mt-host-${people.host.id}`);
    assert.equal(await page.$$eval('#mt-hosts li', (li) => li.length), 1, 'only his own hosts');
    assert.deepEqual(await seriousViolations(page), []);
    await page.click(`#mt-open-${people.host.id}`);
    await page.waitForSelector('#mt-sessions');
    assert.equal(await page.title(), '茶园小林 - 暖新地图');
    weak = await page.$eval('#mt-sessions tbody tr[data-low="viewers orders gmv"]', (tr) => tr.id.replace('mt-session-', ''));
    assert.deepEqual(await seriousViolations(page), []);
    const [w, vw] = await pageWidth(page);
    assert.ok(w <= vw, `no sideways scroll: ${w} > ${vw}`);
    await page.click(`#mt-review-${weak}`);
    await page.waitForSelector('#mt-review-form');
    // No advice: said next to the field.
    await page.fill('#mt-summary', '这一场观看和成交都掉到平时的一半以下。');
    await page.click('#mt-send-review');
    await page.waitForSelector('#mt-advice-err');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'mt-advice');
    await page.fill('#mt-advice', '开播前30分钟发预告短视频\n前10分钟上福利款留人');
    assert.deepEqual(await seriousViolations(page), []);
    await page.click('#mt-send-review');
    await page.waitForSelector('#mt-reviews');
    assert.match(await page.textContent('#mt-reviews'), /前10分钟上福利款留人/);
    assert.match(await page.textContent('.form-ok'), /点评已发给主播/);
    // Back closes what opened: the review page is behind the dashboard.
    assert.match(page.url(), new RegExp(`#/mentoring/hosts/${people.host.id}$`));
    assert.deepEqual(realErrors(b.errors), []);
  } finally {
    await b.close();
  }
  // Another host's dashboard stays closed to him.
  const other = await registerWorker(srv, '13900000063', '别人的主播');
  assert.equal((await as(other, 'PATCH', '/api/me', { occupation: 'livestream_host' })).status, 200);
  const r = await as(people.mentor, 'GET', `/api/mentoring/hosts/${other.id}/dashboard`);
  assert.equal(r.status, 403);
  assert.equal(r.json.error.code, 'out_of_scope');
  const h = await signedIn(people.host, '/mentoring');
  try {
    await h.page.waitForSelector('#mt-reviews');
    assert.match(await h.page.textContent('#mt-reviews'), /开播前30分钟发预告短视频/);
    assert.match(await h.page.textContent('#mt-reviews'), /工作人员/);
    assert.deepEqual(await seriousViolations(h.page), []);
  } finally {
    await h.close();
  }
  const inbox = (await as(people.host, 'GET', '/api/me/inbox')).json.items;
  assert.ok(inbox.some((n) => n.kind === 'mentoring_review' && n.link === '/#/mentoring'));
});

test('the mentor opens a one-to-one time at a site; his host books it from her page', async () => {
  const site = (await srv.api('/api/sites?limit=1')).json.items[0];
  const b = await signedIn(people.mentor, '/mentoring/one-to-ones');
  const { page } = b;
  const day = new Date(Date.now() + 8 * 3600e3 + 3 * 86400e3).toISOString().slice(0, 10);
  try {
    await page.waitForSelector('#mt-offer-form');
    assert.match(await page.textContent('#mt-offers-none'), /还没有开放的时间/);
    await page.fill('#mt-o-site', '99999999');
    await page.fill('#mt-o-start', `${day}T15:00`);
    await page.click('#mt-offer');
    await page.waitForSelector('#mt-o-site-err');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'mt-o-site');
    await page.fill('#mt-o-site', String(site.id));
    await page.click('#mt-offer');
    await page.waitForSelector('#mt-offers li');
    assert.match(await page.textContent('#mt-offers'), /空闲/);
    assert.deepEqual(await seriousViolations(page), []);
    assert.deepEqual(await smallTargets(page), [], '48px targets');
    const [w, vw] = await pageWidth(page);
    assert.ok(w <= vw, `no sideways scroll: ${w} > ${vw}`);
    assert.deepEqual(realErrors(b.errors), []);
  } finally {
    await b.close();
  }
  const h = await signedIn(people.host, '/mentoring');
  try {
    await h.page.waitForSelector('#mt-slots button');
    await h.page.click('#mt-slots button');
    await h.page.waitForSelector('.form-ok:has-text("已预约")');
    assert.match(await h.page.textContent('#mt-slots'), /我约了这个时间/);
    assert.deepEqual(await seriousViolations(h.page), []);
  } finally {
    await h.close();
  }
  const m = await signedIn(people.mentor, '/mentoring/one-to-ones');
  try {
    await m.page.waitForSelector('#mt-offers li');
    assert.match(await m.page.textContent('#mt-offers'), /茶园小林 已预约/);
  } finally {
    await m.close();
  }
});
