// Borrow anywhere, return anywhere, in the browser: staff of the riders'
// service centre (site A) lend a raincoat at their desk by the worker's
// borrowing number; the worker sees it with its due date on their page;
// staff of a community station (site B) find the worker by the code of
// their QR code and take the raincoat back there; A's stock shrank, B's
// grew. Then the same with the camera: a fake one (Chromium's
// --use-fake-device-for-media-stream playing a Y4M video of the worker's
// own QR code, from /api/me/qr) lets staff at A lend by scanning and
// staff at B take back by scanning. Without a camera the desk says so and
// puts the cursor in the typed field. Both pages in Chinese and English,
// axe clean, no sideways scroll at phone width (the header keeps its
// links: the pages add none).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, openBrowser, ADMIN_TOKEN, CHROME_ARGS, seriousViolations, pageWidth, smallTargets, screenshot } from './lib/harness.mjs';
import { writeQrVideo, fakeCameraArgs } from './lib/camera.mjs';

let srv;
const people = {};
let A;
let B;
let loanId;

before(async () => {
  srv = await startServer({ env: { WARMHARBOR_DEV: '1' } });
  const find = async (q) => (await srv.api(`/api/sites?${q}&limit=1`)).json.items[0];
  A = await find(`q=${encodeURIComponent('骑手综合服务中心')}`);
  B = await find('type=community_station&amenity=fridge');
  people.worker = await person('13900000021', '张骑手', 'worker-password-21');
  people.staffA = await person('13900000022', '站长甲', 'staff-password-22');
  people.staffB = await person('13900000023', '站长乙', 'staff-password-23');
  await grant(people.staffA.id, A.id);
  await grant(people.staffB.id, B.id);
});
const dir = mkdtempSync(path.join(tmpdir(), 'wh-lend-camera-'));
after(async () => {
  await srv?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const json = (method, body, token) => ({
  method,
  headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
  body: body === undefined ? undefined : JSON.stringify(body),
});

/** Someone registered through the API with a code from the log, with a password. */
async function person(phone, name, password) {
  const since = srv.stderr.length;
  assert.equal((await srv.api('/api/auth/otp', json('POST', { phone, purpose: 'register' }))).status, 202);
  const code = await srv.otp(phone, { since });
  const r = await srv.api('/api/auth/register', json('POST', {
    phone, code, display_name: name, occupation: 'food_delivery', consent: { kind: 'privacy_policy', version: '2026-11' }, bearer: true,
  }));
  assert.equal(r.status, 201, r.text);
  const token = r.json.token;
  assert.equal((await srv.api('/api/me', json('PATCH', { password }, token))).status, 200);
  return { id: r.json.user.id, phone, password, token };
}

async function grant(userId, siteId) {
  const r = await srv.api(`/api/users/${userId}/roles`, json('POST', { role: 'staff', scope_kind: 'site', scope_ref: String(siteId) }, ADMIN_TOKEN));
  assert.equal(r.status, 201, r.text);
}

async function raincoats(siteId) {
  const it = (await srv.api(`/api/sites/${siteId}/items`)).json.items.find((i) => i.code === 'raincoat');
  return it ? { available: it.available, lent: it.lent, total: it.total } : { available: 0, lent: 0, total: 0 };
}

/** Open path signed in as p: the page sends to sign-in and comes back. */
async function signedIn(p, path, options) {
  const b = await openBrowser(options);
  await b.page.goto(`${srv.base}/#${path}`);
  await b.page.waitForSelector('#login-form');
  await b.page.click('button.seg-btn:has-text("密码登录")');
  await b.page.fill('#login-phone', p.phone);
  await b.page.fill('#login-password', p.password);
  await b.page.click('#login-submit');
  return b;
}

/** Console errors but the failed requests a page makes on purpose. */
const realErrors = (errors) => errors.filter((e) => !/Failed to load resource: the server responded with a status of (401|404|409|422)/.test(e));

test('staff at A lend a raincoat by the borrowing number; the desk shows it went out', async () => {
  const before = await raincoats(A.id);
  const b = await signedIn(people.staffA, '/admin/lending');
  const { page } = b;
  try {
    await page.waitForSelector('#lend-form');
    assert.equal(await page.title(), '借用服务台 - 暖新地图');
    // Their one station is picked for them.
    assert.equal(await page.inputValue('#desk-site'), String(A.id));
    const avail = () => page.textContent('#stock-table tr[data-code="raincoat"] td[data-col="available"]');
    assert.equal(Number(await avail()), before.available);
    // Nothing typed: said next to the field.
    await page.click('#lend-submit');
    await page.waitForSelector('#lend-who-err');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'lend-who');
    // No camera in this browser: the desk says so and the cursor goes to the typed field.
    await page.click('#lend-camera');
    await page.waitForSelector('#lend-camera-note');
    assert.match(await page.textContent('#lend-camera-note'), /用不了摄像头/);
    await page.waitForFunction(() => document.activeElement && document.activeElement.id === 'lend-who');
    assert.equal(await page.$('#lend-camera-layer'), null);
    // An unknown number: the server's word, next to the field.
    await page.fill('#lend-who', '999999');
    await page.click('#lend-submit');
    await page.waitForSelector('#lend-who-err:has-text("没有这个借用编号")');

    await page.fill('#lend-who', String(people.worker.id));
    await page.selectOption('#lend-item', 'raincoat');
    await page.click('#lend-submit');
    await page.waitForSelector('#lend-note');
    assert.match(await page.textContent('#lend-note'), /已把雨衣借给 张骑手/);
    await page.waitForFunction((n) => Number(document.querySelector('#stock-table tr[data-code="raincoat"] td[data-col="available"]').textContent) === n, before.available - 1);
    assert.match(await page.textContent('#today-out'), /张骑手/);
    assert.deepEqual(await seriousViolations(page), []);
    assert.deepEqual(await smallTargets(page), [], '48px targets');
    const [w, vw] = await pageWidth(page);
    assert.ok(w <= vw, `no sideways scroll: ${w} > ${vw}`);
    // In English too.
    await page.click('#lang');
    await page.waitForSelector('#lend-title:has-text("Lend")');
    assert.match(await page.textContent('#stock-title'), /Items at this station/);
    assert.deepEqual(await seriousViolations(page), []);
    assert.deepEqual(realErrors(b.errors), []);
  } finally {
    await b.close();
  }
  const loans = (await srv.api('/api/me/loans', { headers: { Authorization: `Bearer ${people.worker.token}` } })).json.items;
  assert.equal(loans.length, 1);
  loanId = loans[0].id;
  assert.deepEqual(await raincoats(A.id), { ...before, available: before.available - 1, lent: before.lent + 1 });
});

test('the worker sees the raincoat and its due date on their page', async () => {
  const b = await signedIn(people.worker, '/lending');
  const { page } = b;
  try {
    await page.waitForSelector(`#loan-${loanId}`);
    assert.equal(await page.title(), '借用和储物 - 暖新地图');
    assert.equal((await page.textContent('#my-borrow-code')).trim(), String(people.worker.id));
    const card = await page.textContent(`#loan-${loanId}`);
    assert.match(card, /雨衣/);
    assert.match(card, /借用中/);
    assert.match(card, /外卖骑手综合服务中心/);
    assert.match(card, /请在 .+ 前归还，任意站点都可以还/);
    assert.equal(await page.getAttribute(`#loan-${loanId}`, 'data-overdue'), 'false');
    assert.match(await page.textContent('#my-lockers-none'), /没有占用储物格/);
    assert.deepEqual(await seriousViolations(page), []);
    assert.deepEqual(await smallTargets(page), [], '48px targets');
    await page.click('#lang');
    await page.waitForSelector('#my-loans-title:has-text("What I have borrowed")');
    assert.match(await page.textContent(`#loan-${loanId}`), /Raincoat.*Borrowed/s);
    assert.deepEqual(await seriousViolations(page), []);
    const [w, vw] = await pageWidth(page);
    assert.ok(w <= vw, `no sideways scroll: ${w} > ${vw}`);
    assert.deepEqual(realErrors(b.errors), []);
  } finally {
    await b.close();
  }
});

test('staff at B find the worker by the code of their QR code and take the raincoat back there: the stock moves', async () => {
  const a0 = await raincoats(A.id);
  const b0 = await raincoats(B.id);
  const qr = (await srv.api('/api/me/qr', { headers: { Authorization: `Bearer ${people.worker.token}` } })).json.token;
  const b = await signedIn(people.staffB, '/admin/lending');
  const { page } = b;
  try {
    await page.waitForSelector('#back-form');
    assert.equal(await page.inputValue('#desk-site'), String(B.id));
    await page.fill('#back-who', 'not-a-code');
    await page.click('#back-find');
    await page.waitForSelector('#back-who-err:has-text("不是暖新的二维码")');
    await page.fill('#back-who', qr);
    await page.click('#back-find');
    await page.waitForSelector(`#return-${loanId}`);
    assert.match(await page.textContent(`#back-${loanId}`), /外卖骑手综合服务中心/);
    assert.deepEqual(await seriousViolations(page), []);
    await page.click(`#return-${loanId}`);
    await page.waitForSelector('#back-note');
    assert.match(await page.textContent('#back-note'), /雨衣已归还到本站/);
    await page.waitForSelector('#back-none');
    await page.waitForFunction((n) => Number(document.querySelector('#stock-table tr[data-code="raincoat"] td[data-col="available"]')?.textContent) === n, b0.available + 1);
    assert.deepEqual(realErrors(b.errors), []);
  } finally {
    await b.close();
  }
  // A's stock shrank by the raincoat, B's grew by it.
  assert.deepEqual(await raincoats(A.id), { available: a0.available, lent: a0.lent - 1, total: a0.total - 1 });
  assert.deepEqual(await raincoats(B.id), { available: b0.available + 1, lent: b0.lent, total: b0.total + 1 });
  const mine = (await srv.api('/api/me/loans', { headers: { Authorization: `Bearer ${people.worker.token}` } })).json.items;
  assert.equal(mine[0].state, 'returned');
  assert.equal(mine[0].closed_site_id, B.id);
});

/** The worker's own QR code (what their "my QR" page shows), as a fake camera's video. */
async function workerOnCamera(name) {
  const qr = (await srv.api('/api/me/qr', { headers: { Authorization: `Bearer ${people.worker.token}` } })).json.token;
  assert.ok(qr && qr.length > 20, 'a QR token');
  const video = path.join(dir, name);
  writeQrVideo(video, qr);
  return video;
}

test('with a camera, staff at A lend a raincoat by scanning the worker\'s QR code, and staff at B take it back by scanning it', async () => {
  const a0 = await raincoats(A.id);
  const b0 = await raincoats(B.id);
  const mineBefore = (await srv.api('/api/me/loans', { headers: { Authorization: `Bearer ${people.worker.token}` } })).json.items.length;

  // At A: pick the raincoat, open the camera, the worker holds up their code.
  const videoA = await workerOnCamera('a.y4m');
  const a = await signedIn(people.staffA, '/admin/lending', { args: [...CHROME_ARGS, ...fakeCameraArgs(videoA)], permissions: ['camera'] });
  let lent;
  try {
    const { page } = a;
    await page.waitForSelector('#lend-form');
    assert.equal(await page.inputValue('#desk-site'), String(A.id));
    await screenshot(page, 'lending-desk', { full: true });
    await page.selectOption('#lend-item', 'raincoat');
    await page.click('#lend-camera');
    await page.waitForSelector('#lend-camera-layer');
    // The desk behind the camera is out of reach while it shows.
    assert.equal(await page.getAttribute('#view-page .page', 'inert'), '');
    await page.waitForSelector('#lend-note', { timeout: 20000 });
    await page.waitForSelector('#lend-camera-layer', { state: 'detached' });
    assert.match(await page.textContent('#lend-note'), /已把雨衣借给 张骑手/);
    assert.equal(await page.evaluate(() => document.activeElement.id), 'lend-note');
    assert.equal(await page.inputValue('#lend-who'), '', 'ready for the next one');
    // The camera is off again.
    assert.equal(await page.evaluate(() => document.getElementById('lend-video')?.srcObject ?? null), null);
    await page.waitForFunction((n) => Number(document.querySelector('#stock-table tr[data-code="raincoat"] td[data-col="available"]').textContent) === n, a0.available - 1);
    assert.deepEqual(await seriousViolations(page), []);
    await screenshot(page, 'lending-scanned');
    assert.deepEqual(realErrors(a.errors), []);
  } finally {
    await a.close();
  }
  const mine = (await srv.api('/api/me/loans', { headers: { Authorization: `Bearer ${people.worker.token}` } })).json.items;
  assert.equal(mine.length, mineBefore + 1);
  lent = mine.find((l) => l.state === 'out');
  assert.ok(lent, 'the scanned loan is out');
  assert.equal(lent.item.code, 'raincoat');
  assert.equal(lent.site_id, A.id);
  assert.deepEqual(await raincoats(A.id), { ...a0, available: a0.available - 1, lent: a0.lent + 1 });

  // At B: scanning finds what the worker has out; Back closes a camera opened by mistake first.
  const videoB = await workerOnCamera('b.y4m');
  const b = await signedIn(people.staffB, '/admin/lending', { args: [...CHROME_ARGS, ...fakeCameraArgs(videoB)], permissions: ['camera'] });
  try {
    const { page } = b;
    await page.waitForSelector('#back-form');
    assert.equal(await page.inputValue('#desk-site'), String(B.id));
    await page.click('#back-camera');
    await page.waitForSelector(`#return-${lent.id}`, { timeout: 20000 });
    await page.waitForSelector('#back-camera-layer', { state: 'detached' });
    assert.equal(await page.evaluate(() => document.getElementById('back-video')?.srcObject ?? null), null);
    assert.match(await page.textContent(`#back-${lent.id}`), /雨衣/);
    await page.click(`#return-${lent.id}`);
    await page.waitForSelector('#back-note');
    assert.match(await page.textContent('#back-note'), /雨衣已归还到本站/);
    assert.deepEqual(realErrors(b.errors), []);
  } finally {
    await b.close();
  }
  // The raincoat left A's stock for B's.
  assert.deepEqual(await raincoats(A.id), { available: a0.available - 1, lent: a0.lent, total: a0.total - 1 });
  assert.deepEqual(await raincoats(B.id), { available: b0.available + 1, lent: b0.lent, total: b0.total + 1 });
  const after = (await srv.api('/api/me/loans', { headers: { Authorization: `Bearer ${people.worker.token}` } })).json.items.find((l) => l.id === lent.id);
  assert.equal(after.state, 'returned');
  assert.equal(after.closed_site_id, B.id);
});

test('the camera goes off when the desk is left, and Back closes it without leaving the desk', async () => {
  const video = path.join(dir, 'blank.y4m');
  writeQrVideo(video, '', { blank: true });
  const b = await signedIn(people.staffA, '/admin/lending', { args: [...CHROME_ARGS, ...fakeCameraArgs(video)], permissions: ['camera'] });
  try {
    const { page } = b;
    await page.waitForSelector('#lend-form');
    await page.click('#lend-camera');
    await page.waitForSelector('#lend-camera-title:has-text("把二维码放进框里")');
    await screenshot(page, 'lending-camera');
    assert.equal(await page.evaluate(() => document.getElementById('lend-video')?.srcObject?.active), true);
    assert.deepEqual(await seriousViolations(page), []);
    assert.deepEqual(await smallTargets(page), [], '48px targets');
    await page.goBack();
    await page.waitForSelector('#lend-camera-layer', { state: 'detached' });
    assert.match(page.url(), /#\/admin\/lending$/);
    assert.equal(await page.evaluate(() => document.activeElement.id), 'lend-camera');
    // Open again, keep a handle on the stream, then leave the page by a link.
    await page.click('#back-camera');
    await page.waitForFunction(() => document.getElementById('back-video')?.srcObject?.active === true);
    await page.evaluate(() => {
      window.__stream = document.getElementById('back-video').srcObject;
    });
    await page.evaluate(() => {
      location.hash = '#/lending';
    });
    await page.waitForFunction(() => window.__stream.getTracks().every((tr) => tr.readyState === 'ended'));
    assert.deepEqual(realErrors(b.errors), []);
  } finally {
    await b.close();
  }
});
