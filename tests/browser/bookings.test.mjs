// Booking in the browser, as a worker: what can be booked by kind, a
// workshop booked in one tap and its ticket shown as a QR code that reads
// back (with the app's own decoder) to a code the check-in API takes;
// the code shown large and closed with Back; the cut-off said; the
// calendar feed made, read and stopped. A waitlist joined with the place
// in the queue, and the place offered when another person cancels (the
// page hears it from the inbox stream) accepted before its countdown
// ends. A care package that needs verification says where to get
// verified. Also: axe, 48px targets and no sideways scroll at 390x844,
// English, a desktop width. Other people act through the API.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, openBrowser, seriousViolations, smallTargets, pageWidth, screenshot, soonToday, ADMIN_TOKEN } from './lib/harness.mjs';
import { workerInPage, workerByApi, withRole, tokenFor, api } from './lib/people.mjs';
import { readShownQr } from './lib/camera.mjs';

let srv;
const open = [];

before(async () => {
  srv = await startServer({ env: { WARMHARBOR_DEV: '1' } });
});
after(async () => {
  for (const b of open) await b.close();
  await srv?.stop();
});

async function browser(options = {}) {
  const b = await openBrowser({ viewport: { width: 390, height: 844 }, ...options });
  open.push(b);
  return b;
}

/** Console errors but the failed requests a page makes on purpose (4xx answers it shows). */
function realErrors(errors) {
  return errors.filter((e) => !/Failed to load resource: the server responded with a status of (401|403|404|409|422)/.test(e));
}

/** axe, targets, width: the page as a phone shows it. */
async function phoneOk(page, name) {
  assert.deepEqual(await seriousViolations(page), [], `${name}: axe`);
  assert.deepEqual(await smallTargets(page, '#view-page'), [], `${name}: 48px targets`);
  const [w, vw] = await pageWidth(page);
  assert.ok(w <= vw, `${name}: ${w}px wide in ${vw}px`);
  await screenshot(page, `bookings-${name}`, { full: true });
}

const admin = (method, path, json) => api(srv, method, path, { token: ADMIN_TOKEN, json });

test('a worker books a workshop in one tap and sees its ticket as a QR code, large on a tap (Back closes it), and adds bookings to a calendar', async () => {
  const { page, errors } = await browser();
  await page.goto(`${srv.base}/#/book`);
  await page.waitForSelector('#bk-offerings li');
  assert.equal(await page.title(), '预约服务 - 暖新地图');
  assert.equal(await page.getAttribute('#nav-book', 'aria-current'), 'page');
  const kinds = await page.$$eval('#bk-offerings li', (l) => [...new Set(l.map((li) => li.dataset.kind))].sort());
  // With the demo fair's booths that take appointments (kind fair_booth).
  assert.deepEqual(kinds, ['appointment', 'fair_booth', 'package', 'workshop']);
  await phoneOk(page, 'browse');
  await page.click('#bk-kind-workshop');
  await page.waitForFunction(() => location.hash === '#/book/workshop' && [...document.querySelectorAll('#bk-offerings li')].every((li) => li.dataset.kind === 'workshop'));
  assert.equal(await page.getAttribute('#bk-kind-workshop', 'aria-current'), 'page');

  // Signed out, "book" sends to sign-in first; signed in (a cookie
  // session, as the register form makes), it books.
  await workerInPage(srv, page, '王师傅');
  await page.reload();
  await page.waitForSelector('#bk-offerings li');
  const offeringId = Number(await page.getAttribute('#bk-offerings li', 'data-id'));
  await page.click(`#bk-offering-${offeringId}`);
  await page.waitForSelector('#bk-slots .bk-slot');
  assert.match(await page.textContent('#bk-rules-h'), /预约须知/);
  assert.match(await page.textContent('#bk-rule-cancel'), /开始前 2 小时可以取消/);
  assert.match(await page.textContent('#bk-rule-waitlist'), /4 小时内确认/);
  assert.ok(await page.$('#bk-where a[data-nav="amap"]'), 'one tap to navigate');
  await phoneOk(page, 'offering');
  const slotId = Number(await page.getAttribute('#bk-slots .bk-slot', 'data-slot'));
  await page.click(`#bk-slot-${slotId}-book`);

  await page.waitForSelector('#bk-booking[data-state="confirmed"]');
  const bookingId = Number(await page.getAttribute('#bk-booking', 'data-id'));
  assert.match(page.url(), new RegExp(`#/bookings/${bookingId}$`));
  assert.match(await page.textContent('#bk-note'), /预约成功/);
  // The ticket: a QR code that reads back to the code written under it,
  // which the check-in API knows (too early: the workshop is another day).
  const code = (await page.textContent('#bk-ticket-code')).replace(/\s+/g, '');
  assert.equal(await readShownQr(page, '#bk-ticket-qr'), code);
  const early = await admin('POST', '/api/checkins', { qr: code });
  assert.equal(early.status, 409, early.text);
  assert.equal(early.json.error.code, 'too_early');
  // The cut-off, said; where, with navigation.
  const mine = (await page.evaluate((id) => fetch(`/api/bookings/${id}`).then((r) => r.json()), bookingId));
  const until = new Date(Date.parse(mine.cancel_until) + 8 * 3600e3);
  const hhmm = `${String(until.getUTCHours()).padStart(2, '0')}:${String(until.getUTCMinutes()).padStart(2, '0')}`;
  assert.match(await page.textContent('#bk-cancel-rule'), new RegExp(`${until.getUTCMonth() + 1}月${until.getUTCDate()}日 .*${hhmm} 前可以取消`));
  assert.ok(await page.$('#bk-booking-nav-amap'));
  await phoneOk(page, 'booking');

  // Large, for the staff's camera; Back closes it and stays on the booking.
  await page.click('#bk-ticket-large');
  await page.waitForSelector('#bk-large-layer');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'bk-large-title');
  assert.deepEqual(await seriousViolations(page), []);
  await page.goBack();
  await page.waitForSelector('#bk-large-layer', { state: 'detached' });
  assert.match(page.url(), new RegExp(`#/bookings/${bookingId}$`));
  assert.equal(await page.evaluate(() => document.activeElement.id), 'bk-ticket-large');

  // My bookings lists it; the slot now says so.
  await page.click('.crumbs a');
  await page.waitForSelector(`#bk-booking-${bookingId}`);
  assert.equal(await page.getAttribute(`#bk-coming li[data-id="${bookingId}"]`, 'data-state'), 'confirmed');
  await phoneOk(page, 'mine');

  // The calendar feed: made, shown once, read by a calendar, stopped.
  await page.click('#bk-calendar-link');
  await page.waitForSelector('#bk-feed[data-active="false"]');
  await page.click('#bk-feed-make');
  await page.waitForSelector('#bk-feed-made');
  const url = await page.inputValue('#bk-feed-url');
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/api\/feeds\/[^/]+\/bookings\.ics$/);
  assert.equal(await page.getAttribute('#bk-feed-webcal', 'href'), url.replace(/^http:/, 'webcal:'));
  assert.match(await page.textContent('#bk-feed-revoke-how'), /停止订阅/);
  const ics = await fetch(url);
  assert.equal(ics.status, 200);
  assert.match(await ics.text(), /BEGIN:VEVENT/);
  await phoneOk(page, 'calendar');
  await page.click('#bk-feed-stop');
  await page.waitForSelector('[role="dialog"] #bk-feed-stop-yes');
  await page.goBack();
  await page.waitForSelector('#bk-feed-stop-yes', { state: 'detached' });
  assert.equal((await fetch(url)).status, 200, 'Back closed the question; nothing was stopped');
  await page.click('#bk-feed-stop');
  await page.click('#bk-feed-stop-yes');
  await page.waitForSelector('#bk-feed[data-active="false"]');
  assert.match(await page.textContent('#bk-feed-note'), /已停止订阅/);
  assert.equal((await fetch(url)).status, 404);

  // English.
  await page.click('#lang');
  await page.goto(`${srv.base}/#/bookings/${bookingId}`);
  await page.waitForSelector('#bk-booking');
  assert.match(await page.textContent('#bk-status'), /Booked/);
  assert.match(await page.textContent('#bk-cancel-rule'), /You can cancel until/);
  assert.match(await page.textContent('#bk-ticket-h'), /Check-in QR code/);
  assert.deepEqual(await seriousViolations(page), []);
  await page.click('#lang');
  assert.deepEqual(realErrors(errors), []);
});

test('a worker joins the waitlist, sees the place in the queue, and accepts the place offered when someone cancels', async () => {
  const hub = (await srv.api('/api/sites?type=industry_hub&limit=1')).json.items[0];
  const o = (await admin('POST', '/api/offerings', { kind: 'workshop', title_zh: '短视频拍摄小课', title_en: 'Short video class', site: hub.id, waitlist: true, offer_ttl_s: 3600, cancel_cutoff_s: 3600 })).json;
  const start = Date.now() + 3 * 86400e3;
  const slot = (await admin('POST', `/api/offerings/${o.id}/slots`, { start: new Date(start).toISOString(), end: new Date(start + 5400e3).toISOString(), capacity: 1 })).json.items[0];
  const first = await workerByApi(srv, '先到的师傅');
  const taken = await api(srv, 'POST', '/api/bookings', { token: first.token, json: { slot: slot.id } });
  assert.equal(taken.json.state, 'confirmed');

  const { page, errors } = await browser();
  await page.goto(`${srv.base}/#/book`);
  await workerInPage(srv, page, '排队的师傅');
  await page.goto(`${srv.base}/#/slots/${slot.id}`);
  await page.reload();
  await page.waitForSelector(`#bk-slot-${slot.id}-book`);
  assert.match(await page.textContent(`#bk-slot-${slot.id}-seats`), /已约满/);
  assert.equal((await page.textContent(`#bk-slot-${slot.id}-book`)).trim(), '排队候补');
  await phoneOk(page, 'slot-full');
  await page.click(`#bk-slot-${slot.id}-book`);
  await page.waitForSelector('#bk-booking[data-state="waitlisted"]');
  const bookingId = Number(await page.getAttribute('#bk-booking', 'data-id'));
  assert.match(await page.textContent('#bk-place'), /排在第 1 位/);
  assert.match(await page.textContent('#bk-note'), /加入排队/);
  assert.equal(await page.$('#bk-ticket-qr'), null, 'no ticket while waiting');
  await phoneOk(page, 'waitlisted');

  // Someone else joins behind; the first one cancels: the place is
  // offered to this worker, and the open page hears of it.
  const third = await workerByApi(srv, '后到的师傅');
  assert.equal((await api(srv, 'POST', '/api/bookings', { token: third.token, json: { slot: slot.id } })).json.place, 2);
  assert.equal((await api(srv, 'POST', `/api/bookings/${taken.json.id}/cancel`, { token: first.token })).status, 200);
  await page.waitForSelector('#bk-booking[data-state="offered"]', { timeout: 15000 });
  assert.match(await page.textContent('#bk-status'), /有空位了/);
  assert.match(await page.textContent('#bk-countdown'), /^(0:59:\d\d|1:00:00|59:\d\d)$/);
  const before = await page.textContent('#bk-countdown');
  await page.waitForFunction((t) => document.getElementById('bk-countdown').textContent !== t, before);
  await phoneOk(page, 'offered');
  await page.click('#bk-accept');
  await page.waitForSelector('#bk-booking[data-state="confirmed"]');
  assert.match(await page.textContent('#bk-note'), /预约成功/);
  assert.ok(await page.$('#bk-ticket-qr svg'));

  // Cancelling asks first; Back closes the question; the place then goes on.
  await page.click('#bk-cancel');
  await page.waitForSelector('#bk-cancel-layer');
  assert.match(await page.textContent('#bk-dialog-text'), /留给排在后面的人/);
  await page.goBack();
  await page.waitForSelector('#bk-cancel-layer', { state: 'detached' });
  assert.equal(await page.getAttribute('#bk-booking', 'data-state'), 'confirmed');
  await page.click('#bk-cancel');
  await page.click('#bk-cancel-yes');
  await page.waitForSelector('#bk-booking[data-state="cancelled"]');
  assert.match(await page.textContent('#bk-cancel-reason'), /你取消了/);
  const next = await api(srv, 'GET', '/api/me/bookings', { token: third.token });
  assert.equal(next.json.items[0].state, 'offered');
  assert.deepEqual(realErrors(errors), []);
});

test('on the day, the worker shows their own code (renewed by itself), and staff check today\'s booking in with it', async () => {
  const site = (await srv.api('/api/sites?type=community_station&region=HZ-XN&limit=5')).json.items[4];
  const o = (await admin('POST', '/api/offerings', { kind: 'appointment', title_zh: '今日社保咨询', site: site.id })).json;
  const start = await soonToday(120, 60);
  const slot = (await admin('POST', `/api/offerings/${o.id}/slots`, { start: new Date(start).toISOString(), end: new Date(start + 1380e3).toISOString(), capacity: 1 })).json.items[0];
  const staff = await withRole(srv, 'staff', 'site', site.id, '钱站长');
  const { page, errors } = await browser();
  await page.goto(`${srv.base}/#/book`);
  await workerInPage(srv, page, '今天来的师傅');
  await page.goto(`${srv.base}/#/slots/${slot.id}`);
  await page.reload();
  await page.click(`#bk-slot-${slot.id}-book`);
  await page.waitForSelector('#bk-booking[data-state="confirmed"]');
  const bookingId = Number(await page.getAttribute('#bk-booking', 'data-id'));
  await page.click('.crumbs a');
  await page.waitForSelector('#bk-my-qr');
  await page.click('#bk-my-qr');
  await page.waitForSelector('#bk-my-qr-code svg');
  assert.match(await page.textContent('#bk-my-qr-left'), /^0?[12]:\d\d$/);
  assert.deepEqual(await seriousViolations(page), []);
  const token = await readShownQr(page, '#bk-my-qr-code');
  assert.equal(token, await page.getAttribute('#bk-my-qr-code', 'data-code'));
  const res = await api(srv, 'POST', '/api/checkins', { token: await tokenFor(srv, staff.phone, staff.password), json: { qr: token } });
  assert.equal(res.status, 200, res.text);
  assert.deepEqual([res.json.id, res.json.state], [bookingId, 'checked_in']);
  await page.goBack();
  await page.waitForSelector('#bk-my-qr-layer', { state: 'detached' });
  assert.match(page.url(), /#\/bookings$/);
  assert.deepEqual(realErrors(errors), []);
});

test('a care package needs verification: the error says where to get verified, next to the station tapped; verified, a held place is confirmed', async () => {
  const { page, errors } = await browser({ viewport: { width: 1280, height: 800 } });
  await page.goto(`${srv.base}/#/book`);
  await workerInPage(srv, page, '未认证的师傅');
  await page.goto(`${srv.base}/#/book/package`);
  await page.reload();
  await page.waitForSelector('#bk-offerings li');
  await page.click('#bk-offerings a');
  await page.waitForSelector('#bk-slots .bk-slot');
  assert.match(await page.textContent('#bk-verify-note'), /身份证/);
  const slot = await page.getAttribute('#bk-slots .bk-slot', 'data-slot');
  await page.click(`#bk-slot-${slot}-book`);
  await page.waitForSelector(`#bk-slot-${slot}-problem`);
  assert.equal(await page.evaluate(() => document.activeElement.id), `bk-slot-${slot}-problem`);
  assert.match(await page.textContent(`#bk-slot-${slot}-problem`), /带上身份证到任意暖新驿站/);
  assert.ok(await page.$(`#bk-slot-${slot}-problem a[href="#/"]`), 'a way to the stations on the map');
  assert.deepEqual(await seriousViolations(page), []);
  const [w, vw] = await pageWidth(page);
  assert.ok(w <= vw);
  await screenshot(page, 'bookings-package-desktop', { full: true });

  // Verified at a station (the admin, through the API): the place is held
  // ten minutes while the rules are read, then confirmed.
  const me = await page.evaluate(() => fetch('/api/me').then((r) => r.json()));
  assert.equal((await admin('POST', `/api/users/${me.id}/verification`, { state: 'verified' })).status, 200);
  await page.reload();
  await page.waitForSelector(`#bk-slot-${slot}-book`);
  assert.equal(await page.$('#bk-verify-note'), null);
  await page.click(`#bk-slot-${slot}-book`);
  await page.waitForSelector('#bk-booking[data-state="held"]');
  assert.match(await page.textContent('#bk-note'), /保留 10 分钟/);
  assert.match(await page.textContent('#bk-countdown'), /^(09:\d\d|10:00)$/);
  assert.deepEqual(await seriousViolations(page), []);
  await page.click('#bk-confirm');
  await page.waitForSelector('#bk-booking[data-state="confirmed"]');
  assert.ok(await page.$('#bk-ticket-qr svg'));
  assert.deepEqual(realErrors(errors), []);
});
