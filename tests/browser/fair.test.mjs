// The fair: a worker takes a number (signing in on the way) and sees the
// board move as staff call next; gives a number up (Back keeps it); the
// staff desk calls, finishes and skips, and takes a number at the desk
// with a printable slip (Back closes it); the desk tells plainly who may
// not use it; the board asks again after a lost connection and says when
// the fair is over. Axe, targets and widths on the way.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, openBrowser, seriousViolations, smallTargets, pageWidth, screenshot } from './lib/harness.mjs';
import { registerWorker, asAdmin, staffMember, signInBrowser } from './lib/accounts.mjs';

const PHONE = { viewport: { width: 390, height: 844 } };
const SCREEN = { viewport: { width: 1280, height: 720 } };
const WORKER = '13900000101';
const ADMIN = '13800000000';
const ADMIN_PASSWORD = 'browser-test-password';

let srv;
let fairId;
let worker; // the worker's phone, signed in from the first test on
let board; // a big screen showing the board
let admin;

before(async () => {
  srv = await startServer({ env: { WARMHARBOR_DEV: '1' } });
  const open = await srv.api('/api/fairs?state=open');
  fairId = open.json.items[0].id;
});
after(async () => {
  await worker?.close();
  await board?.close();
  await admin?.close();
  await srv?.stop();
});

/** Console errors but the answers pages are built to expect (401, 403, 404, 409; 405: the me page asking OPTIONS). */
function realErrors(errors) {
  return errors.filter((e) => !/status of (401|403|404|405|409)/.test(e));
}

async function callNext(booth) {
  const r = await asAdmin(srv, 'POST', `/api/fairs/${fairId}/booths/${booth}/call-next`);
  assert.equal(r.status, 200, r.text);
  return r.json;
}

async function done(ticket) {
  const r = await asAdmin(srv, 'POST', `/api/fair-tickets/${ticket.id}/done`);
  assert.equal(r.status, 200, r.text);
}

/** The board's tile of a booth: what it serves and who is next, as data. */
function tile(page, booth) {
  return {
    serving: () => page.getAttribute(`.board-booth[data-booth="${booth}"] .board-num`, 'data-serving'),
    next: () => page.getAttribute(`.board-booth[data-booth="${booth}"] .board-next-nums`, 'data-next'),
  };
}

async function waitAttr(page, sel, attr, want, timeout = 10000) {
  await page
    .waitForFunction(([s, a, w]) => document.querySelector(s)?.getAttribute(a) === w, [sel, attr, want], { timeout })
    .catch(async () => {
      throw new Error(`${sel} ${attr} is ${await page.getAttribute(sel, attr).catch(() => '?')}, expected ${want}`);
    });
}

test('a worker takes a number, signing in on the way, and sees the board move when staff call next', async () => {
  await registerWorker(srv, WORKER, '陈师傅');
  // Two people got numbers at the health-check booth's desk before.
  for (const name of ['甲', '乙']) assert.equal((await asAdmin(srv, 'POST', `/api/fairs/${fairId}/booths/2/kiosk-tickets`, { name })).status, 201);

  board = await openBrowser(SCREEN);
  // Keep the page's event streams where the last test can end one.
  await board.context.addInitScript(() => {
    const Real = window.EventSource;
    window.__streams = [];
    window.EventSource = class extends Real {
      constructor(...a) {
        super(...a);
        window.__streams.push(this);
      }
    };
  });
  await board.page.goto(`${srv.base}/#/fair/${fairId}/board`);
  await board.page.waitForSelector('#board-live[data-live="live"]');
  assert.equal(await board.page.isHidden('.top'), true, 'the board hides the header');
  assert.equal(await board.page.$$eval('.board-booth', (l) => l.length), 18);
  assert.equal(await tile(board.page, 2).next(), '1,2');
  assert.equal(await tile(board.page, 2).serving(), '');

  worker = await openBrowser(PHONE);
  const { page } = worker;
  await page.goto(`${srv.base}/#/fair`);
  await page.waitForSelector('#fair-booths li.fair-booth');
  assert.equal(await page.evaluate(() => location.hash), `#/fair/${fairId}`);
  assert.equal(await page.$$eval('#fair-booths li.fair-booth', (l) => l.length), 18);
  assert.equal(await page.getAttribute('#nav-fair', 'aria-current'), 'page');
  assert.match(await page.textContent('#fair-mine'), /取号要先登录/);
  assert.match(await page.textContent('#fair-booth-2'), /排队\s*2 人/);

  // Not signed in: "take a number" is sign-in first, then back here.
  await page.click('#fair-take-2');
  await page.waitForSelector('#login-form');
  await page.fill('#login-phone', WORKER);
  const since = srv.stderr.length;
  await page.click('#login-get-code');
  await page.fill('#login-code', await srv.otp(WORKER, { since }));
  await page.click('#login-submit');
  await page.waitForSelector('#fair-booths li.fair-booth');
  assert.equal(await page.evaluate(() => location.hash), `#/fair/${fairId}`);
  await page.waitForFunction(() => document.activeElement && document.activeElement.id === 'fair-take-2');
  assert.match(await page.textContent('#fair-booth-2'), /现在可以取号了/);
  assert.match(await page.textContent('#fair-mine'), /还没有取号/);

  await page.click('#fair-take-2');
  await page.waitForSelector('#fair-tickets li[data-booth="2"]');
  const mine = page.locator('#fair-tickets li[data-booth="2"]');
  assert.match(await mine.textContent(), /3 号/);
  assert.match(await mine.textContent(), /前面还有 2 人/);
  assert.match(await page.textContent('#fair-announce'), /取号成功：健康体检 3 号/);
  assert.match(await page.textContent('#fair-take-2'), /我的号：3/);
  // The board heard of it.
  await waitAttr(board.page, '.board-booth[data-booth="2"] .board-next-nums', 'data-next', '1,2,3');

  // Staff call the next number: the board and my place move, live.
  const t1 = await callNext(2);
  assert.equal(t1.number, 1);
  await waitAttr(board.page, '.board-booth[data-booth="2"] .board-num', 'data-serving', '1');
  assert.equal(await tile(board.page, 2).next(), '2,3');
  await page.waitForFunction(() => /前面还有 1 人/.test(document.querySelector('#fair-tickets li[data-booth="2"]')?.textContent || ''));
  await done(t1);
  await done(await callNext(2));
  await page.waitForFunction(() => /前面还有 0 人/.test(document.querySelector('#fair-tickets li[data-booth="2"]')?.textContent || ''));
  const t3 = await callNext(2);
  assert.equal(t3.number, 3);
  await page.waitForSelector('#fair-tickets li[data-booth="2"][data-state="called"]');
  assert.match(await mine.textContent(), /到你了/);
  assert.match(await page.textContent('#fair-announce'), /到你了：健康体检 3 号/);
  await waitAttr(board.page, '.board-booth[data-booth="2"] .board-num', 'data-serving', '3');
  assert.match(await board.page.textContent('#board-announce'), /健康体检，请 3 号/);
  await screenshot(page, 'fair-390', { full: true });
  await screenshot(board.page, 'board-1280');

  assert.deepEqual(await seriousViolations(page), [], 'the fair page');
  assert.deepEqual(await smallTargets(page), [], 'the fair page');
  const w = await pageWidth(page);
  assert.ok(w[0] <= w[1], `the fair page is ${w[0]}px wide in ${w[1]}px`);
  assert.deepEqual(await seriousViolations(board.page), [], 'the board');
  const bw = await pageWidth(board.page);
  assert.ok(bw[0] <= bw[1], `the board is ${bw[0]}px wide in ${bw[1]}px`);
  assert.deepEqual(realErrors(worker.errors), []);
  assert.deepEqual(realErrors(board.errors), []);
});

test('booths with timed slots say "预约时间" and link to their offering, where a time can be booked', async () => {
  const fair = (await srv.api(`/api/fairs/${fairId}`)).json;
  const timed = fair.booths.filter((b) => b.offering);
  assert.equal(timed.length, 6);
  const b = await openBrowser(PHONE);
  try {
    const { page, errors } = b;
    await page.goto(`${srv.base}/#/fair/${fairId}`);
    await page.waitForSelector('#fair-booths li.fair-booth');
    const links = await page.$$eval('#fair-booths li.fair-booth', (l) => l.map((li) => [Number(li.dataset.booth), li.querySelector('.fair-book')?.getAttribute('href') ?? null]));
    assert.deepEqual(links, fair.booths.map((x) => [x.id, x.offering ? `#/offerings/${x.offering}` : null]));
    const haircut = timed.find((x) => x.name_en === 'Haircut');
    assert.equal((await page.textContent(`#fair-book-${haircut.id}`)).trim(), '预约时间');
    assert.deepEqual(await smallTargets(page, '#fair-booths'), []);
    await page.click(`#fair-book-${haircut.id}`);
    // Its 20-minute times of the fair day, one person each, as a grid to tap.
    await page.waitForSelector('#bk-slots .bk-grid-free');
    assert.equal(await page.evaluate(() => location.hash), `#/offerings/${haircut.offering}`);
    assert.match(await page.textContent('#page-title'), /理发/);
    assert.deepEqual(realErrors(errors), []);
  } finally {
    await b.close();
  }
});

test('giving up a number asks first, and Back keeps it', async () => {
  const { page } = worker;
  await page.click('#fair-take-3');
  await page.waitForSelector('#fair-tickets li[data-booth="3"]');
  const id = Number((await page.getAttribute('#fair-tickets li[data-booth="3"]', 'id')).replace('fair-ticket-', ''));
  await page.click(`#fair-cancel-${id}`);
  await page.waitForSelector(`#fair-confirm-${id}-q`);
  await page.waitForFunction((i) => document.activeElement?.id === `fair-confirm-${i}-q`, id);
  assert.match(await page.textContent(`#fair-confirm-${id}-q`), /确定放弃 测血压 1 号吗/);
  assert.deepEqual(await seriousViolations(page, '#fair-mine'), [], 'the question');
  // Back closes the question, and the page stays.
  await page.goBack();
  await page.waitForSelector(`#fair-confirm-${id}-q`, { state: 'detached' });
  assert.equal(await page.evaluate(() => location.hash), `#/fair/${fairId}`);
  await page.waitForFunction((i) => document.activeElement?.id === `fair-cancel-${i}`, id);
  assert.equal(await page.getAttribute(`#fair-ticket-${id}`, 'data-state'), 'waiting');
  // "Keep it" too.
  await page.click(`#fair-cancel-${id}`);
  await page.click(`#fair-confirm-${id}-no`);
  await page.waitForSelector(`#fair-confirm-${id}-q`, { state: 'detached' });
  // Giving it up.
  await page.click(`#fair-cancel-${id}`);
  await page.click(`#fair-confirm-${id}-yes`);
  await page.waitForSelector(`.fair-past li[data-state="cancelled"]`);
  assert.equal(await page.$$eval('#fair-tickets li[data-booth="3"]', (l) => l.length), 0);
  const mineNow = await page.evaluate(() => fetch('/api/me/fair-tickets').then((r) => r.json()));
  assert.equal(mineNow.items.find((x) => x.id === id).state, 'cancelled');
  await waitAttr(board.page, '.board-booth[data-booth="3"] .board-next-nums', 'data-next', '');
  // Back now goes to where the worker was before the fair, not to a question.
  assert.deepEqual(realErrors(worker.errors), []);
});

test('the staff desk: a number at the desk on a slip (Back closes it), call next, done, missed', async () => {
  admin = await openBrowser(PHONE);
  const { page } = admin;
  await page.goto(`${srv.base}/#/login`);
  await page.click('button.seg-btn:has-text("密码登录")');
  await page.fill('#login-phone', ADMIN);
  await page.fill('#login-password', ADMIN_PASSWORD);
  await page.click('#login-submit');
  await page.waitForSelector('#me-name');
  await page.goto(`${srv.base}/#/fair/${fairId}`);
  await page.waitForSelector('#fair-desk-link');
  await page.click('#fair-desk-link');
  await page.waitForSelector('#desk-booth');
  await page.selectOption('#desk-booth', '5');
  await page.waitForSelector('#desk-kiosk-form');
  assert.match(await page.textContent('#desk-queue-h'), /排队中（0）/);

  // Someone without a phone: a number with their name, on a slip.
  await page.fill('#desk-kiosk-name', '王大爷');
  await page.click('#desk-kiosk-go');
  await page.waitForSelector('#desk-slip');
  assert.equal((await page.textContent('#slip-num')).trim(), '1');
  assert.match(await page.textContent('#slip'), /王大爷/);
  assert.match(await page.textContent('#slip'), /社保咨询/);
  await page.waitForFunction(() => document.activeElement?.id === 'desk-slip-title');
  assert.equal(await page.getAttribute('.desk-main', 'aria-hidden'), 'true');
  assert.deepEqual(await seriousViolations(page), [], 'the slip');
  await screenshot(page, 'desk-slip-390');
  await page.goBack();
  await page.waitForSelector('#desk-slip', { state: 'detached' });
  assert.equal(await page.evaluate(() => location.hash), `#/fair/${fairId}/desk`);
  await page.waitForFunction(() => document.activeElement?.id === 'desk-kiosk-go');
  await page.waitForSelector('#desk-waiting li[data-number="1"]');
  assert.match(await page.textContent('#desk-waiting li[data-number="1"]'), /王大爷/);

  // A rider takes a number on their phone: the desk's queue shows it, live.
  const rider = await registerWorker(srv, '13900000102', '赵师傅');
  const took = await fetch(`${srv.base}/api/fairs/${fairId}/booths/5/tickets`, {
    method: 'POST',
    headers: { Cookie: `wh_session=${rider.cookie}`, 'X-CSRF-Token': rider.csrf },
  });
  assert.equal(took.status, 201);
  await page.waitForSelector('#desk-waiting li[data-number="2"]');
  assert.match(await page.textContent('#desk-waiting li[data-number="2"]'), /手机取号/);

  await page.click('#desk-call-next');
  await page.waitForSelector('#desk-called li[data-number="1"]');
  assert.match(await page.textContent('#desk-note'), /已叫 1 号/);
  const first = await page.getAttribute('#desk-called li[data-number="1"]', 'data-id');
  await page.click(`#desk-done-${first}`);
  await page.waitForFunction(() => /1 号办完了/.test(document.querySelector('#desk-note')?.textContent || ''));
  await page.click('#desk-call-next');
  await page.waitForSelector('#desk-called li[data-number="2"]');
  const second = await page.getAttribute('#desk-called li[data-number="2"]', 'data-id');
  await page.click(`#desk-skip-${second}`);
  await page.waitForSelector('#desk-none-called');
  assert.match(await page.textContent('#desk-note'), /2 号已过号/);
  await page.click('#desk-call-next');
  await page.waitForFunction(() => /没有人在排队/.test(document.querySelector('#desk-note')?.textContent || ''));
  // The board and the rider's number agree.
  await waitAttr(board.page, '.board-booth[data-booth="5"] .board-num', 'data-serving', '');
  const riderTickets = await fetch(`${srv.base}/api/me/fair-tickets`, { headers: { Cookie: `wh_session=${rider.cookie}` } }).then((r) => r.json());
  assert.equal(riderTickets.items[0].state, 'skipped');

  await screenshot(page, 'desk-390', { full: true });
  assert.deepEqual(await seriousViolations(page), [], 'the desk');
  assert.deepEqual(await smallTargets(page), [], 'the desk');
  const w = await pageWidth(page);
  assert.ok(w[0] <= w[1], `the desk is ${w[0]}px wide in ${w[1]}px`);
  assert.deepEqual(realErrors(admin.errors), []);
});

test('the desk says plainly who may not use it', async () => {
  // A worker without a role.
  await worker.page.goto(`${srv.base}/#/fair/${fairId}/desk`);
  await worker.page.waitForSelector('.desk-page .form-alert');
  assert.match(await worker.page.textContent('.desk-page .form-alert'), /没有工作人员角色/);
  // Staff of another station: the server says no, the page says why.
  const other = await staffMember(srv, '13900000109', 'staff-password-109', { role: 'staff', scope_kind: 'site', scope_ref: '14' });
  const b = await openBrowser(PHONE);
  try {
    await signInBrowser(b, srv, other.cookie);
    await b.page.goto(`${srv.base}/#/fair/${fairId}/desk`);
    await b.page.waitForSelector('.desk-page .form-alert');
    const fairSite = (await srv.api(`/api/sites/${(await srv.api(`/api/fairs/${fairId}`)).json.site_id}`)).json;
    assert.match(await b.page.textContent('.desk-page .form-alert'), new RegExp(`你不是${fairSite.name_zh}的工作人员`));
    assert.equal(await b.page.$$eval('#desk-call-next', (l) => l.length), 0);
    assert.deepEqual(realErrors(b.errors), []);
  } finally {
    await b.close();
  }
});

test('the board asks again after a lost connection, and says when the fair is over', async () => {
  const { page } = board;
  await worker.page.goto(`${srv.base}/#/fair/${fairId}`);
  await worker.page.click('#fair-take-7');
  await worker.page.waitForSelector('#fair-tickets li[data-booth="7"]');
  await waitAttr(page, '.board-booth[data-booth="7"] .board-next-nums', 'data-next', '1');
  // The connection drops (the browser's emulated offline keeps open
  // streams, so the test ends the page's stream the way a lost network
  // does: closed, then an error).
  await page.evaluate(() => {
    for (const es of window.__streams) {
      es.close();
      es.dispatchEvent(new Event('error'));
    }
  });
  await page.waitForSelector('#board-live[data-live="down"]');
  await page.waitForTimeout(500);
  // Meanwhile a number is called: nobody tells the board.
  await callNext(7);
  await page.waitForTimeout(300);
  assert.equal(await tile(page, 7).serving(), '', 'nothing heard while the stream is down');
  // The stream comes back by itself and the board asks for everything again.
  await page.waitForSelector('#board-live[data-live="live"]', { timeout: 20000 });
  await waitAttr(page, '.board-booth[data-booth="7"] .board-num', 'data-serving', '1');

  // The fair closes: the board and the fair page say so, numbers are no longer given.
  const r = await asAdmin(srv, 'PATCH', `/api/fairs/${fairId}`, { state: 'closed' });
  assert.equal(r.status, 200, r.text);
  await page.waitForSelector('#board-live[data-state="closed"]');
  assert.match(await page.textContent('#board-live'), /集市已结束/);
  await worker.page.waitForSelector(`.fair-page[data-state="closed"]`);
  assert.match(await worker.page.textContent('#fair-booth-1'), /集市已结束，不再取号/);
  assert.equal(await worker.page.$$eval('#fair-take-1', (l) => l.length), 0);
  assert.deepEqual(realErrors(board.errors), []);
});
