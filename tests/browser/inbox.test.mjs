// The inbox: the bell shows while signed in, its count goes up live when
// the office sends a notice (POST /api/users/{id}/notices as the system
// admin), the inbox lists it with its link, one or all are marked read;
// the inbox is for the signed-in only; English; axe, targets, widths.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, openBrowser, seriousViolations, smallTargets, pageWidth, screenshot } from './lib/harness.mjs';
import { registerWorker, asAdmin, signInBrowser } from './lib/accounts.mjs';

const PHONE = { viewport: { width: 390, height: 844 } };

let srv;
let worker;
let me;

before(async () => {
  srv = await startServer({ env: { WARMHARBOR_DEV: '1' } });
  me = await registerWorker(srv, '13900000201', '孙师傅');
});
after(async () => {
  await worker?.close();
  await srv?.stop();
});

async function send(title, extra = {}) {
  const r = await asAdmin(srv, 'POST', `/api/users/${me.id}/notices`, { title_zh: title, title_en: `EN ${title}`, ...extra });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

async function bellCount(page) {
  return page.getAttribute('#inbox-bell', 'data-unread');
}

test('the bell counts a notice sent by the office, live; the inbox shows it and marks it read', async () => {
  // Signed out: no bell, and the inbox asks to sign in first.
  const anon = await openBrowser(PHONE);
  try {
    await anon.page.goto(`${srv.base}/#/inbox`);
    await anon.page.waitForSelector('#login-form');
    assert.equal(await anon.page.isHidden('#inbox-bell'), true);
    assert.deepEqual(anon.errors, []);
  } finally {
    await anon.close();
  }

  worker = await openBrowser(PHONE);
  const { page } = worker;
  await signInBrowser(worker, srv, me.cookie);
  await page.goto(`${srv.base}/#/services`);
  await page.waitForSelector('#inbox-bell:not([hidden])');
  assert.equal(await bellCount(page), '0');
  assert.equal(await page.isHidden('#inbox-bell-count'), true);
  assert.equal((await page.textContent('#inbox-bell-text')).trim(), '消息');
  // Wait until the stream is open before the office writes.
  await page.waitForFunction(() => performance.getEntriesByType('resource').some((e) => e.name.endsWith('/api/me/inbox?limit=1')));

  // The office sends one: the bell says so without a reload.
  const fair = (await srv.api('/api/fairs?state=open')).json.items[0];
  const n1 = await send('本月集市开始了', { body_zh: '理发、体检、法律咨询，18 个摊位。', body_en: '18 booths.', link: `/#/fair/${fair.id}` });
  await page.waitForSelector('#inbox-bell[data-unread="1"]');
  assert.equal((await page.textContent('#inbox-bell-count')).trim(), '1');
  assert.match(await page.textContent('#inbox-bell'), /消息，1 条未读/);
  await screenshot(page, 'bell-390');

  await page.click('#inbox-bell');
  await page.waitForSelector(`#notice-${n1.id}`);
  assert.equal(await page.title(), '消息 - 暖新地图');
  assert.equal(await page.getAttribute('#inbox-bell', 'aria-current'), 'page');
  assert.equal(await page.getAttribute(`#notice-${n1.id}`, 'data-read'), 'false');
  assert.match(await page.textContent(`#notice-${n1.id}`), /未读/);
  assert.match(await page.textContent(`#notice-${n1.id}`), /本月集市开始了/);
  assert.match(await page.textContent(`#notice-${n1.id}`), /18 个摊位/);
  assert.equal(await page.getAttribute(`#notice-${n1.id}-open`, 'href'), `/#/fair/${fair.id}`);
  assert.match(await page.textContent('#inbox-status'), /1 条未读/);

  // Another arrives while the inbox is open: it is listed at the top.
  const n2 = await send('暴雨预警：注意安全');
  await page.waitForSelector(`#notice-${n2.id}`);
  assert.equal(await page.$eval('#inbox-list li', (li) => li.id), `notice-${n2.id}`);
  await page.waitForSelector('#inbox-bell[data-unread="2"]');
  await screenshot(page, 'inbox-390', { full: true });
  assert.deepEqual(await seriousViolations(page), [], 'the inbox');
  assert.deepEqual(await smallTargets(page), [], 'the inbox');
  const w = await pageWidth(page);
  assert.ok(w[0] <= w[1], `the inbox is ${w[0]}px wide in ${w[1]}px`);

  // Mark one read.
  await page.click(`#notice-${n2.id}-read`);
  await page.waitForSelector(`#notice-${n2.id}[data-read="true"]`);
  await page.waitForSelector('#inbox-bell[data-unread="1"]');
  await page.waitForFunction((id) => document.activeElement?.id === `notice-${id}`, n2.id);

  // Opening a notice's link marks it read and goes there.
  await page.click(`#notice-${n1.id}-open`);
  await page.waitForSelector('#fair-booths');
  assert.equal(await page.evaluate(() => location.hash), `#/fair/${fair.id}`);
  await page.waitForSelector('#inbox-bell[data-unread="0"]');
  const list = await page.evaluate(() => fetch('/api/me/inbox').then((r) => r.json()));
  assert.equal(list.unread, 0);
  assert.deepEqual(worker.errors, []);
});

test('all read at once; read on another phone, the bell follows', async () => {
  const { page } = worker;
  const a = await send('通知一');
  const b = await send('通知二');
  await page.goto(`${srv.base}/#/inbox`);
  await page.waitForSelector(`#notice-${b.id}`);
  await page.waitForSelector('#inbox-bell[data-unread="2"]');
  await page.click('#inbox-read-all');
  await page.waitForSelector('#inbox-bell[data-unread="0"]');
  assert.match(await page.textContent('#inbox-status'), /没有未读消息/);
  assert.equal(await page.getAttribute(`#notice-${a.id}`, 'data-read'), 'true');
  assert.equal(await page.$$eval('#inbox-read-all', (l) => l.length), 0);

  // Read elsewhere (another device, the API): the count follows here.
  const c = await send('通知三');
  await page.waitForSelector('#inbox-bell[data-unread="1"]');
  const r = await fetch(`${srv.base}/api/me/inbox/${c.id}/read`, {
    method: 'POST',
    headers: { Cookie: `wh_session=${me.cookie}`, 'X-CSRF-Token': me.csrf },
  });
  assert.equal(r.status, 200);
  await page.waitForSelector('#inbox-bell[data-unread="0"]');
  await page.waitForSelector(`#notice-${c.id}[data-read="true"]`);
  assert.deepEqual(worker.errors, []);
});

test('in English, and the bell goes when signing out', async () => {
  const { page } = worker;
  await send('英文测试');
  await page.goto(`${srv.base}/#/inbox`);
  await page.waitForSelector('#inbox-list li');
  await page.click('#lang');
  assert.equal((await page.textContent('#page-title')).trim(), 'Messages');
  assert.match(await page.textContent('#inbox-status'), /1 unread/);
  assert.match(await page.textContent('#inbox-list li:first-child'), /EN 英文测试/);
  assert.match(await page.textContent('#inbox-bell'), /Messages, 1 unread/);
  assert.deepEqual(await seriousViolations(page), [], 'the inbox in English');
  await page.click('#lang');

  await page.goto(`${srv.base}/#/me`);
  await page.waitForSelector('#sign-out');
  await page.click('#sign-out');
  await page.waitForSelector('#login-form');
  await page.waitForSelector('#inbox-bell', { state: 'hidden' });
  assert.deepEqual(worker.errors.filter((e) => !/status of 405/.test(e)), []);
});
