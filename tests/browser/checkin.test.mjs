// Check-in in the browser, as station staff: a worker's ticket typed on
// the scan page (the fallback without a camera - headless Chromium has
// none, and the page says so), shown as who was checked in to what; the
// same code again, and a code that is not ours, say why not; the day's
// bookings at the staff's site with a check-in button. With a fake camera
// (Chromium's --use-fake-device-for-media-stream playing a Y4M file of
// the ticket's QR code) the camera path reads the code by itself through
// getUserMedia and jsQR; Back closes the camera. Workers book through the
// API; the workshop is today, starting in a few minutes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, openBrowser, seriousViolations, smallTargets, pageWidth, screenshot, soonToday, ADMIN_TOKEN, CHROME_ARGS } from './lib/harness.mjs';
import { workerByApi, withRole, signInPage, api } from './lib/people.mjs';
import { writeQrVideo, fakeCameraArgs } from './lib/camera.mjs';

let srv;
let site;
let staff;
let slot;
const open = [];
const dir = mkdtempSync(path.join(tmpdir(), 'wh-camera-'));

before(async () => {
  srv = await startServer({ env: { WARMHARBOR_DEV: '1' } });
  site = (await srv.api('/api/sites?type=community_station&region=HZ-XN&limit=5')).json.items[1];
  staff = await withRole(srv, 'staff', 'site', site.id, '周站长');
  const admin = (m, p, json) => api(srv, m, p, { token: ADMIN_TOKEN, json });
  const o = (await admin('POST', '/api/offerings', { kind: 'workshop', title_zh: '今天的电动车维修课', title_en: 'E-bike repair today', site: site.id })).json;
  const start = await soonToday(180, 120);
  slot = (await admin('POST', `/api/offerings/${o.id}/slots`, { start: new Date(start).toISOString(), end: new Date(start + 3 * 3600e3 - 180e3).toISOString(), capacity: 10 })).json.items[0];
});
after(async () => {
  for (const b of open) await b.close();
  await srv?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function browser(options = {}) {
  const b = await openBrowser({ viewport: { width: 390, height: 844 }, ...options });
  open.push(b);
  return b;
}

function realErrors(errors) {
  return errors.filter((e) => !/Failed to load resource: the server responded with a status of (404|409|410|422)/.test(e));
}

async function phoneOk(page, name) {
  assert.deepEqual(await seriousViolations(page), [], `${name}: axe`);
  assert.deepEqual(await smallTargets(page, '#view-page'), [], `${name}: 48px targets`);
  const [w, vw] = await pageWidth(page);
  assert.ok(w <= vw, `${name}: ${w}px wide in ${vw}px`);
  await screenshot(page, `checkin-${name}`, { full: true });
}

async function bookedWorker(name) {
  const w = await workerByApi(srv, name);
  const r = await api(srv, 'POST', '/api/bookings', { token: w.token, json: { slot: slot.id } });
  assert.equal(r.status, 201, r.text);
  return { ...w, booking: r.json };
}

async function asStaff(page) {
  await page.goto(`${srv.base}/#/book`);
  await signInPage(page, staff.phone, staff.password);
  await page.goto(`${srv.base}/#/checkin`);
  await page.waitForSelector('#ci-typed');
}

test('staff check a worker in by the typed ticket code and see who was checked in to what; again, or a stranger\'s code, says why not', async () => {
  const w = await bookedWorker('刘师傅');
  const { page, errors } = await browser();
  await asStaff(page);
  assert.equal(await page.title(), '扫码签到 - 暖新地图');
  assert.equal(await page.getAttribute('#nav-admin', 'aria-current'), 'page');
  await phoneOk(page, 'scan');

  // No camera here: the page says so and puts the cursor in the code field.
  await page.click('#ci-camera');
  await page.waitForSelector('#ci-camera-note');
  assert.match(await page.textContent('#ci-camera-note'), /在下面输入码/);
  await page.waitForFunction(() => document.activeElement && document.activeElement.id === 'ci-code');
  assert.equal(await page.$('#ci-camera-layer'), null);

  // The code as the worker's page shows it, in groups of six.
  await page.fill('#ci-code', w.booking.ticket.replace(/(.{6})/g, '$1 '));
  await page.click('#ci-submit');
  await page.waitForSelector('#ci-result[data-ok="true"]');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'ci-result');
  assert.equal(Number(await page.getAttribute('#ci-result', 'data-booking')), w.booking.id);
  const said = await page.textContent('#ci-result');
  assert.match(said, /已签到/);
  assert.match(said, /刘师傅/);
  assert.match(said, new RegExp(`${w.phone.slice(0, 3)}\\*{4}${w.phone.slice(-4)}`));
  assert.match(said, /今天的电动车维修课/);
  assert.match(said, /今天 /);
  assert.equal(await page.inputValue('#ci-code'), '', 'the field is ready for the next one');
  assert.equal((await api(srv, 'GET', `/api/bookings/${w.booking.id}`, { token: w.token })).json.state, 'checked_in');
  await phoneOk(page, 'scan-ok');

  await page.fill('#ci-code', w.booking.ticket);
  await page.click('#ci-submit');
  await page.waitForSelector('#ci-result[data-code="already_checked_in"]');
  assert.match(await page.textContent('#ci-result'), /已经签到过了/);
  await page.fill('#ci-code', 'not-a-warmharbor-code');
  await page.click('#ci-submit');
  await page.waitForSelector('#ci-result[data-code="invalid_qr"]');
  assert.match(await page.textContent('#ci-result'), /不是暖新的二维码/);
  // The earlier ones stay listed.
  assert.equal(await page.$$eval('#ci-history li', (l) => l.length), 2);
  await phoneOk(page, 'scan-bad');

  // The day's bookings at the site: the one checked in, another to check in.
  const w2 = await bookedWorker('陈师傅');
  await page.click('#ci-tab-today');
  await page.waitForSelector('#ci-day');
  assert.equal(await page.inputValue('#ci-today-site'), String(site.id), 'the staff\'s one site, picked');
  assert.equal(await page.getAttribute(`#ci-b-${w.booking.id}`, 'data-state'), 'checked_in');
  assert.equal(await page.getAttribute(`#ci-b-${w2.booking.id}`, 'data-state'), 'confirmed');
  await phoneOk(page, 'today');
  await page.click(`#ci-b-${w2.booking.id}-checkin`);
  await page.waitForSelector(`#ci-b-${w2.booking.id}[data-state="checked_in"]`);
  assert.match(await page.textContent('#ci-today .form-ok'), /陈师傅 已签到/);
  assert.match(await page.textContent('#ci-counts'), /已签到 2 人/);

  // English.
  await page.click('#lang');
  assert.match(await page.textContent('#page-title'), /Bookings of the day/);
  assert.match(await page.textContent('#ci-counts'), /2 checked in/);
  await page.click('#lang');
  assert.deepEqual(realErrors(errors), []);
});

test('with a camera (a fake one playing the ticket\'s QR code), the scan page reads the code by itself; Back closes the camera', async () => {
  const w = await bookedWorker('赵师傅');
  const video = path.join(dir, 'camera.y4m');
  writeQrVideo(video, '', { blank: true });
  const { page, errors } = await browser({ args: [...CHROME_ARGS, ...fakeCameraArgs(video)], permissions: ['camera'] });
  await asStaff(page);

  // A camera showing no code: it keeps looking until Back closes it.
  await page.click('#ci-camera');
  await page.waitForSelector('#ci-camera-layer');
  await page.waitForFunction(() => document.getElementById('ci-video')?.srcObject?.active === true);
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'checkin-camera');
  await page.goBack();
  await page.waitForSelector('#ci-camera-layer', { state: 'detached' });
  assert.match(page.url(), /#\/checkin$/);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'ci-camera');
  assert.equal(await page.$('#ci-result'), null);

  // The worker holds up the ticket.
  writeQrVideo(video, w.booking.ticket);
  await page.click('#ci-camera');
  await page.waitForSelector(`#ci-result[data-booking="${w.booking.id}"]`, { timeout: 20000 });
  await page.waitForSelector('#ci-camera-layer', { state: 'detached' });
  assert.match(await page.textContent('#ci-result'), /已签到.*赵师傅/s);
  assert.equal((await api(srv, 'GET', `/api/bookings/${w.booking.id}`, { token: w.token })).json.state, 'checked_in');
  // The camera is off again.
  assert.equal(await page.evaluate(() => document.getElementById('ci-video')?.srcObject ?? null), null);
  assert.deepEqual(realErrors(errors), []);
});
