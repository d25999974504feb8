// "My QR code" in the browser (#/me/qr): a worker reaches it in one tap
// from "me" and from the lending page; the code drawn reads back (with
// the app's own decoder, /qr-reader.js) to the text shown under it and to
// a token staff's POST /api/qr/verify accepts; with the server's codes
// lasting 5 s (WARMHARBOR_QR_TTL) the page counts down and shows a fresh
// code before the old one expires, and the old one is then refused (410).
// Also: axe, 48px targets and no sideways scroll at 360 px, English.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, openBrowser, seriousViolations, smallTargets, pageWidth, screenshot, ADMIN_TOKEN } from './lib/harness.mjs';
import { workerInPage, api } from './lib/people.mjs';
import { readShownQr } from './lib/camera.mjs';

let srv;
const open = [];

before(async () => {
  srv = await startServer({ env: { WARMHARBOR_DEV: '1', WARMHARBOR_QR_TTL: '5' } });
});
after(async () => {
  for (const b of open) await b.close();
  await srv?.stop();
});

const verify = (token) => api(srv, 'POST', '/api/qr/verify', { token: ADMIN_TOKEN, json: { token } });

test('a worker opens "my QR code" from "me" in one tap; it decodes to a token staff verify, and renews before it expires', async () => {
  const b = await openBrowser({ viewport: { width: 360, height: 740 } });
  open.push(b);
  const { page, errors } = b;
  await page.goto(`${srv.base}/#/me/qr`);
  // Signed out, the page sends to sign-in first.
  await page.waitForFunction(() => location.hash.startsWith('#/login'));
  const w = await workerInPage(srv, page, '赵师傅');
  await page.goto(`${srv.base}/#/me`);
  await page.reload();
  await page.waitForSelector('#me-qr-link');
  // "Me" leads to every record of mine other pages keep, one tap each.
  const mine = await page.$$eval('.me-mine a', (as) => as.map((a) => a.getAttribute('href')));
  assert.deepEqual(mine, ['#/bookings', '#/lending', '#/me/visits', '#/childcare', '#/volunteer/me', '#/reports/new', '#/reports/mine', '#/points', '#/mentoring', '#/inbox']);
  await page.click('#me-qr-link');
  await page.waitForSelector('#mq-code svg');
  assert.match(page.url(), /#\/me\/qr$/);
  assert.equal(await page.title(), '我的二维码 - 暖新地图');
  assert.equal(await page.getAttribute('#nav-me', 'aria-current'), 'page');

  const first = await page.getAttribute('#mq-code', 'data-code');
  assert.equal(await readShownQr(page, '#mq-code'), first);
  assert.equal((await page.textContent('#mq-text')).replace(/\s/g, ''), first);
  assert.match(await page.textContent('#mq-left'), /^0\d:0[0-5]$/);
  const v = await verify(first);
  assert.equal(v.status, 200, v.text);
  assert.equal(v.json.id, w.id);

  // Large and high-contrast: at least 300 px wide at 360, white around the black.
  const box = await page.$eval('#mq-code svg', (s) => s.getBoundingClientRect().width);
  assert.ok(box >= 300, `the code is ${box}px wide`);
  assert.deepEqual(await seriousViolations(page), []);
  assert.deepEqual(await smallTargets(page, '#view-page'), []);
  const [pw, vw] = await pageWidth(page);
  assert.ok(pw <= vw, `${pw}px wide in ${vw}px`);
  await screenshot(page, 'myqr-360', { full: true });

  // A fresh code comes before the first one's 5 s are up, and reads back too.
  await page.waitForFunction((old) => {
    const el = document.getElementById('mq-code');
    return el && el.dataset.code && el.dataset.code !== old;
  }, first, { timeout: 8000 });
  const second = await page.getAttribute('#mq-code', 'data-code');
  assert.equal(await page.$('#mq-expired'), null);
  assert.equal(await readShownQr(page, '#mq-code'), second);
  assert.equal((await verify(second)).status, 200);
  await page.waitForTimeout(5200);
  assert.equal((await verify(first)).status, 410);
  assert.notEqual(await page.getAttribute('#mq-code', 'data-code'), first);

  // English; and the lending page links it too.
  await page.click('#lang');
  await page.waitForFunction(() => document.getElementById('page-title')?.textContent === 'My QR code');
  assert.match(await page.textContent('#mq-page'), /The code renews itself/);
  await page.goto(`${srv.base}/#/lending`);
  await page.waitForSelector('#lend-my-qr');
  await page.click('#lend-my-qr');
  await page.waitForSelector('#mq-code svg');
  assert.match(page.url(), /#\/me\/qr$/);
  assert.deepEqual(errors.filter((e) => !/status of 401/.test(e)), []);
});
