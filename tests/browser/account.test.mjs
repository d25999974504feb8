// Accounts in the browser: a worker registers with a code read from the
// server's log, signs out and in again; the admin signs in with the
// password and verifies the worker at a site; the worker sets a password,
// is granted a role (which ends the session they started with a code), and
// signs in again with the password to use the console; sites are created,
// edited and deleted in the console and show on the map. Also: axe, touch
// targets, 360px width, English, a server without SMS.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer,
  openBrowser,
  waitForList,
  seriousViolations,
  screenshot,
  smallTargets,
  pageWidth,
  pagePoint,
  listIds,
} from './lib/harness.mjs';

const WORKER = '13900000001';
const WORKER_PASSWORD = 'worker-password-1';
const OTHER_WORKER = '13900000003'; // registered through the API, verified by the new staff member
const ADMIN = '13800000000';
const ADMIN_PASSWORD = 'browser-test-password';

let srv;
let worker; // a browser the worker stays signed in with, test after test
let admin; // and one for the admin
const shared = {};

before(async () => {
  srv = await startServer({ env: { WARMHARBOR_DEV: '1' } });
});
after(async () => {
  await worker?.close();
  await admin?.close();
  await srv?.stop();
});

/**
 * Console errors but the failed requests a page makes on purpose (401,
 * 403, 404, 409, 422). 405 is not among them: nothing the page sends on
 * purpose is answered 405 (the "me" page's OPTIONS probes were, and showed
 * as console errors).
 */
function realErrors(errors) {
  return errors.filter((e) => !/Failed to load resource: the server responded with a status of (401|403|404|409|422)/.test(e));
}

/** Ask for a code on the open form and type what the server "sent". */
async function fillCode(page, purpose, phone) {
  const since = srv.stderr.length;
  await page.click(`#${purpose}-get-code`);
  await page.waitForSelector(`#${purpose}-code-hint:has-text("验证码已发到")`);
  // The button counts down before another code may be asked for.
  assert.match(await page.textContent(`#${purpose}-get-code`), /秒后可重发/);
  assert.equal(await page.isDisabled(`#${purpose}-get-code`), true);
  await page.fill(`#${purpose}-code`, await srv.otp(phone, { since }));
}

/** A worker registered through the API (a code from the log), as the page would. */
async function registerByApi(phone, name) {
  const since = srv.stderr.length;
  const post = (path, body) =>
    srv.api(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  assert.equal((await post('/api/auth/otp', { phone, purpose: 'register' })).status, 202);
  const code = await srv.otp(phone, { since });
  const r = await post('/api/auth/register', {
    phone,
    code,
    display_name: name,
    occupation: 'courier',
    consent: { kind: 'privacy_policy', version: '2026-11' },
    bearer: true,
  });
  assert.equal(r.status, 201, r.text);
  return r.json.user.id;
}

async function signInAdmin(page) {
  await page.goto(`${srv.base}/#/login`);
  await page.click('button.seg-btn:has-text("密码登录")');
  await page.fill('#login-phone', ADMIN);
  await page.fill('#login-password', ADMIN_PASSWORD);
  await page.click('#login-submit');
  await page.waitForSelector('#me-name');
}

test('a worker registers with a code, sees their profile, signs out and signs in again with a code', async () => {
  worker = await openBrowser();
  const { page } = worker;
  const probes = [];
  page.on('request', (r) => {
    if (r.method() === 'OPTIONS') probes.push(r.url());
  });
  await page.goto(`${srv.base}/`);
  await waitForList(page);
  assert.equal((await page.textContent('#nav-me')).trim(), '登录');
  assert.equal(await page.isHidden('#nav-admin'), true);
  await page.click('#nav-me');
  await page.waitForSelector('#login-form');
  await page.click('#go-register');
  await page.waitForSelector('#register-form');
  assert.equal(await page.title(), '注册 - 暖新地图');
  // The privacy notice is on the form, with what is collected and the location rule.
  const notice = await page.textContent('#privacy');
  assert.match(notice, /手机号/);
  assert.match(notice, /位置只用于这一次查询/);
  assert.match(notice, /删除/);

  // Sending without anything: errors next to the fields, focus on the first.
  await page.click('#register-submit');
  await page.waitForSelector('#register-phone-err');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'register-phone');
  assert.equal(await page.getAttribute('#register-phone', 'aria-invalid'), 'true');
  assert.match(await page.textContent('#register-consent-err'), /同意隐私说明/);

  await page.fill('#register-phone', WORKER);
  await fillCode(page, 'register', WORKER);
  await page.fill('#register-name', '王师傅');
  await page.selectOption('#register-occupation', 'food_delivery');
  await page.check('#register-platforms-meituan');
  await page.check('#register-platforms-eleme');
  await screenshot(page, 'register-360', { full: true });
  await page.check('#register-consent');
  await page.click('#register-submit');

  await page.waitForSelector('#verification');
  assert.equal(await page.title(), '我的 - 暖新地图');
  assert.equal((await page.textContent('#me-name')).trim(), '王师傅');
  const meta = await page.textContent('.panel-id');
  assert.match(meta, new RegExp(WORKER));
  assert.match(meta, /外卖骑手/);
  assert.match(meta, /美团、饿了么/);
  assert.equal(await page.getAttribute('#verification', 'data-state'), 'unverified');
  assert.match(await page.textContent('#verification'), /未认证/);
  // What verification gets a worker, before they go to a station.
  assert.match(await page.textContent('#verification'), /认证后：可以预约需要认证的服务/);
  // A worker sees their own things, and none of the staff's: no roles
  // list ("no admin role"), the password folded away, signing out last.
  assert.equal(await page.$('#my-roles'), null);
  assert.equal(await page.$('#my-places'), null);
  assert.equal(await page.getAttribute('#password-fold', 'open'), null);
  assert.deepEqual(await page.$$eval('#me-mine a', (l) => l.map((a) => a.getAttribute('href'))),
    ['#/bookings', '#/lending', '#/me/visits', '#/childcare', '#/volunteer/me', '#/reports/new', '#/reports/mine', '#/points', '#/mentoring', '#/inbox']);
  assert.ok(await page.evaluate(() => {
    const out = document.getElementById('sign-out');
    return Boolean(document.getElementById('profile-form').compareDocumentPosition(out) & Node.DOCUMENT_POSITION_FOLLOWING);
  }), 'sign-out comes after the profile');
  // The consent version is the server's.
  const version = (await page.evaluate(() => fetch('/api/config').then((r) => r.json()))).privacy_version;
  assert.match(await page.textContent('#me-privacy'), new RegExp(version));
  assert.equal((await page.textContent('#nav-me')).trim(), '我的');
  await page.waitForSelector('#sessions li[data-current="true"]');
  assert.equal(await page.$$eval('#sessions li.session', (l) => l.length), 1);
  // How the session was started.
  assert.equal(await page.getAttribute('#sessions li.session', 'data-sign-in'), 'code');
  assert.match(await page.textContent('#sessions li.session'), /用短信验证码登录/);
  // No password yet: setting one (folded) asks for nothing else.
  assert.equal(await page.$('#me-password-current'), null);
  assert.equal(await page.isVisible('#me-password'), false);
  // The server can export and erase: the "my data" section is there,
  // without asking the server with OPTIONS (answered 405, a console error).
  await page.waitForSelector('#my-data #export-data');
  assert.deepEqual(probes, []);
  assert.deepEqual(worker.errors.filter((e) => /status of 405/.test(e)), []);
  await screenshot(page, 'me-360');
  await screenshot(page, 'me-360-full', { full: true });

  // Edit the profile.
  await page.fill('#me-name-input', '王小明');
  await page.check('#me-platforms-didi');
  await page.click('#profile-save');
  await page.waitForSelector('#profile-form .form-ok');
  assert.equal((await page.textContent('#me-name')).trim(), '王小明');
  const me = (await page.evaluate(() => fetch('/api/me').then((r) => r.json())));
  assert.equal(me.display_name, '王小明');
  assert.deepEqual(me.platforms, ['meituan', 'eleme', 'didi']);

  // Sign out: the sign-in page says so, and /api/me is 401 again.
  await page.click('#sign-out');
  await page.waitForSelector('#login-form');
  assert.match(await page.textContent('.page'), /已退出登录/);
  assert.equal((await page.textContent('#nav-me')).trim(), '登录');
  assert.equal(await page.evaluate(() => fetch('/api/me').then((r) => r.status)), 401);

  // A wrong code: the message is next to the code field.
  await page.fill('#login-phone', WORKER);
  await page.fill('#login-code', '000000');
  await page.click('#login-submit');
  await page.waitForSelector('#login-code-err');
  assert.match(await page.textContent('#login-code-err'), /验证码不对或已过期/);

  // Sign in again with a code.
  await fillCode(page, 'login', WORKER);
  await page.click('#login-submit');
  await page.waitForSelector('#verification');
  assert.equal((await page.textContent('#me-name')).trim(), '王小明');

  // Signed in on a second phone too: this one signs that one out.
  const other = await openBrowser();
  try {
    await other.page.goto(`${srv.base}/#/login`);
    await other.page.fill('#login-phone', WORKER);
    await fillCode(other.page, 'login', WORKER);
    await other.page.click('#login-submit');
    await other.page.waitForSelector('#verification');
    await page.reload();
    await page.waitForFunction(() => document.querySelectorAll('#sessions li.session').length === 2);
    await page.click('#sessions li[data-current="false"] button');
    await page.waitForSelector('#sessions .form-ok');
    assert.equal(await page.$$eval('#sessions li.session', (l) => l.length), 1);
    assert.equal(await page.getAttribute('#sessions li.session', 'data-current'), 'true');
    assert.equal(await other.page.evaluate(() => fetch('/api/me').then((r) => r.status)), 401);
  } finally {
    await other.close();
  }
  assert.deepEqual(realErrors(worker.errors), []);
});

test('the admin signs in with the password, finds the worker by phone and verifies them at a site', async () => {
  admin = await openBrowser();
  const { page } = admin;
  // Staff and admins asking for a code are sent to the password.
  await page.goto(`${srv.base}/#/login`);
  await page.fill('#login-phone', ADMIN);
  await fillCode(page, 'login', ADMIN);
  await page.click('#login-submit');
  await page.waitForSelector('button.seg-btn[aria-pressed="true"]:has-text("密码登录")');
  assert.match(await page.textContent('#login-form .form-alert'), /用密码登录/);
  await screenshot(page, 'login-360');

  await signInAdmin(page);
  assert.equal(await page.isVisible('#nav-admin'), true);
  await page.click('#nav-admin');
  await page.waitForSelector('#people-form');
  await page.fill('#people-q', WORKER);
  await page.click('#people-search');
  await page.waitForSelector('#people-list .person');
  const card = page.locator('#people-list .person').first();
  // A system admin sees the whole number (staff see it masked).
  assert.match(await card.textContent(), new RegExp(WORKER));
  assert.equal(await card.getAttribute('data-verification'), 'unverified');
  shared.workerId = Number(await card.getAttribute('data-id'));
  // Where the worker was checked: a system admin may name any site, or none.
  const site = (await srv.api('/api/sites?limit=1')).json.items[0];
  assert.equal(await page.inputValue('#verify-site'), '');
  assert.match(await page.textContent('#verify-site option[value=""]'), /不指定地点/);
  await page.selectOption('#verify-site', String(site.id));
  await card.locator('button:has-text("认证")').click();
  await page.waitForSelector(`#person-${shared.workerId}[data-verification="verified"]`);
  const text = await page.textContent(`#person-${shared.workerId}`);
  assert.match(text, /已认证 王小明/);
  assert.match(text, new RegExp(`认证地点：${site.name_zh} #${site.id}`));
  await screenshot(page, 'console-360');
  // The place is remembered for the next verification.
  await page.reload();
  await page.waitForSelector('#verify-site');
  assert.equal(await page.inputValue('#verify-site'), String(site.id));

  // The worker's page says so, and the server recorded the site.
  await worker.page.reload();
  await worker.page.waitForSelector('#verification[data-state="verified"]');
  assert.match(await worker.page.textContent('#verification'), /已认证/);
  assert.equal((await worker.page.evaluate(() => fetch('/api/me').then((r) => r.json()))).verified_site, site.id);
  assert.deepEqual(realErrors(admin.errors), []);
});

test("the worker sets a password; granted staff, their code session ends and they sign in with the password", async () => {
  // First the worker sets a password: staff sign in with one only.
  await worker.page.goto(`${srv.base}/#/me`);
  await worker.page.click('#password-fold-summary');
  await worker.page.waitForSelector('#password-form');
  assert.match(await worker.page.textContent('#password-title'), /设置密码/);
  await worker.page.fill('#me-password', WORKER_PASSWORD);
  await worker.page.fill('#me-password2', WORKER_PASSWORD);
  await worker.page.click('#password-save');
  await worker.page.waitForSelector('#password-form .form-ok');
  assert.match(await worker.page.textContent('#password-form .form-ok'), /其他设备上的登录都已退出/);
  // From now on a change needs the current password (or a code).
  await worker.page.waitForSelector('#me-password-current');
  assert.match(await worker.page.textContent('#password-title'), /修改密码/);

  const { page } = admin;
  const id = shared.workerId;
  await page.goto(`${srv.base}/#/admin`);
  await page.fill('#people-q', WORKER);
  await page.click('#people-search');
  await page.click(`#person-${id}-roles`);
  await page.waitForSelector('#grant-form');
  assert.equal(await page.inputValue('#grant-role'), 'staff');
  assert.equal(await page.inputValue('#grant-kind'), 'site');
  // The form says what a grant does to the person's sessions; the worker
  // has a password, so no warning that they could not sign in.
  assert.match(await page.textContent('#grant-sign-in-note'), /验证码登录的设备会退出登录/);
  assert.equal(await page.$('#grant-no-password'), null);
  // Granting without a site says what is missing, next to the picker.
  await page.click('#grant-submit');
  await page.waitForSelector('#grant-site-q-err');
  await page.fill('#grant-site-q', '驿站');
  await page.click('#grant-site-search');
  await page.waitForSelector('#grant-sites input[type="radio"]');
  const first = page.locator('#grant-sites label').first();
  const siteId = (await first.locator('input').getAttribute('value')).trim();
  const site = (await srv.api(`/api/sites/${siteId}`)).json;
  shared.staffSite = site;
  await first.click();
  await screenshot(page, 'console-roles-360', { full: true });
  await page.click('#grant-submit');
  await page.waitForSelector('#grant-form .form-ok');
  assert.match(await page.textContent('#grant-form .form-ok'), /驿站工作人员/);
  assert.equal(await page.$$eval('.grant-made li', (l) => l.length), 1);

  // The worker signed in with a code: that session ended with the grant,
  // and the page sends them to sign in with a plain note.
  await worker.page.reload();
  await worker.page.waitForSelector('#login-form');
  assert.match(await worker.page.textContent('.page .form-ok'), /登录已失效/);
  // A code is refused now: the page turns to the password.
  await worker.page.fill('#login-phone', WORKER);
  await fillCode(worker.page, 'login', WORKER);
  await worker.page.click('#login-submit');
  await worker.page.waitForSelector('button.seg-btn[aria-pressed="true"]:has-text("密码登录")');
  await worker.page.fill('#login-password', WORKER_PASSWORD);
  await worker.page.click('#login-submit');
  await worker.page.waitForSelector('#my-roles li.role-item');
  const roles = await worker.page.textContent('#my-roles');
  assert.match(roles, /驿站工作人员/);
  assert.match(roles, new RegExp(site.name_zh));
  assert.equal(await worker.page.getAttribute('#my-roles li.role-item', 'data-scope'), `site:${siteId}`);
  // Their site comes first on the page, one tap to its station view; no
  // verification block (staff are no workers to verify).
  const firstPanel = await worker.page.$eval('.page .panel:not(.panel-id)', (el) => el.id);
  assert.equal(firstPanel, 'my-places');
  assert.equal(await worker.page.getAttribute('#my-places li[data-scope] a', 'href'), `#/station/${siteId}`);
  assert.match(await worker.page.textContent('#my-places'), new RegExp(site.name_zh));
  assert.equal(await worker.page.$('#verification'), null);
  assert.equal(await worker.page.getAttribute('#sessions li[data-current="true"]', 'data-sign-in'), 'password');
  assert.match(await worker.page.textContent('#sessions li[data-current="true"]'), /用密码登录/);

  // Staff may use the console now: find people (phones masked) and verify
  // them at their site (picked already: it is their only one), but neither
  // roles nor places.
  assert.equal(await worker.page.isVisible('#nav-admin'), true);
  await worker.page.click('#nav-admin');
  // Staff land on their places first; finding people is the next tab.
  await worker.page.waitForSelector('#ms-list');
  await worker.page.click('#tab-people');
  await worker.page.waitForSelector('#verify-site');
  assert.equal(await worker.page.inputValue('#verify-site'), siteId);
  assert.equal(await worker.page.$$eval('#verify-site option[value]:not([value=""])', (o) => o.length), 1);
  await worker.page.fill('#people-q', '王小明');
  await worker.page.click('#people-search');
  await worker.page.waitForSelector('#people-list .person');
  assert.match(await worker.page.textContent('#people-list .person-phone'), /^139\*{4}0001$/);
  assert.equal(await worker.page.$('#people-list button[aria-expanded]'), null);
  assert.equal(await worker.page.$('#tab-sites'), null);
  await screenshot(worker.page, 'console-staff-360');
  // Themselves: they hold a role now, and only workers are verified.
  await worker.page.click(`#person-${id}-verify`);
  await worker.page.waitForSelector(`#person-${id} .form-error`);
  assert.match(await worker.page.textContent(`#person-${id} .form-error`), /持有角色/);
  // A worker: verified at the staff member's site.
  const otherId = await registerByApi(OTHER_WORKER, '张师傅');
  await worker.page.fill('#people-q', OTHER_WORKER);
  await worker.page.click('#people-search');
  await worker.page.click(`#person-${otherId}-verify`);
  await worker.page.waitForSelector(`#person-${otherId}[data-verification="verified"]`);
  assert.match(await worker.page.textContent(`#person-${otherId}`), new RegExp(`已认证 张师傅（${site.name_zh} #${siteId}）`));
  await page.fill('#people-q', OTHER_WORKER);
  await page.click('#people-search');
  await page.waitForSelector(`#person-${otherId}`);
  assert.match(await page.textContent(`#person-${otherId}`), new RegExp(`认证地点：${site.name_zh} #${siteId}`));

  // A second role, revoked again: it is gone from the worker's list.
  await page.fill('#people-q', WORKER);
  await page.click('#people-search');
  await page.click(`#person-${id}-roles`);
  await page.waitForSelector('#grant-form');
  await page.selectOption('#grant-role', 'dispatcher');
  assert.equal(await page.inputValue('#grant-kind'), 'department');
  await page.fill('#grant-dept', '交通运输局');
  await page.click('#grant-submit');
  await page.waitForFunction(() => document.querySelectorAll('.grant-made li').length === 2);
  await page.click('.grant-made li:has-text("调度员") button');
  await page.waitForFunction(() => document.querySelectorAll('.grant-made li').length === 1);
  // A password session goes on through grants.
  await worker.page.goto(`${srv.base}/#/me`);
  await worker.page.waitForSelector('#my-roles li.role-item');
  assert.doesNotMatch(await worker.page.textContent('#my-roles'), /调度员/);
  assert.equal(await worker.page.$$eval('#my-roles li.role-item', (l) => l.length), 1);
  assert.deepEqual(realErrors(admin.errors), []);
  assert.deepEqual(realErrors(worker.errors), []);
});

test('a site created in the console is on the map list; edits are checked; delete asks first', async () => {
  const { page } = admin;
  await page.click('#nav-map');
  await waitForList(page);
  const point = await pagePoint(page);
  await page.click('#nav-admin');
  await page.click('#tab-sites');
  await page.waitForSelector('#site-rows');
  await screenshot(page, 'sites-360');
  await page.click('#site-new');
  await page.waitForSelector('#site-form');
  // Empty: the page's own checks, next to their fields.
  await page.click('#site-save');
  await page.waitForSelector('#site-name_zh-err');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'site-name_zh');
  assert.ok(await page.$('#site-type-err'));
  assert.ok(await page.$('#site-lat-err'));

  await page.fill('#site-name_zh', '测试新驿站');
  await page.fill('#site-name_en', 'Test station');
  await page.selectOption('#site-type', 'community_station');
  await page.click('#site-region');
  await page.fill('#rp-q', 'HZ-LN');
  await page.click('#rp-pick-HZ-LN');
  await page.fill('#site-address_zh', '测试路 1 号');
  await page.fill('#site-lat', point.lat);
  await page.fill('#site-lon', point.lon);
  await page.fill('#site-phone', '0518-12345678');
  await page.check('#am-phone_charging');
  await page.fill('#am-phone_charging-n', '4');
  await page.check('#am-toilet');
  // Hours the server cannot read: its message, next to the hours field.
  await page.click('.hours-expert summary');
  await page.fill('#site-opening_hours', 'sometimes');
  await page.click('#site-save');
  await page.waitForSelector('#site-opening_hours-err');
  assert.match(await page.textContent('#site-opening_hours-err'), /营业时间的写法不对/);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'site-opening_hours');
  await page.fill('#site-opening_hours', 'Mo-Su 00:00-24:00');
  await screenshot(page, 'site-form-360', { full: true });
  await page.click('#site-save');
  await page.waitForSelector('#sites-panel .form-ok');
  assert.match(await page.textContent('#sites-panel .form-ok'), /已新建“测试新驿站”/);
  const row = page.locator('#site-rows li', { hasText: '测试新驿站' });
  const siteId = Number(await row.getAttribute('data-id'));
  const saved = (await srv.api(`/api/sites/${siteId}`)).json;
  assert.equal(saved.type, 'community_station');
  assert.equal(saved.region, 'HZ-LN');
  assert.deepEqual(saved.amenities, [
    { code: 'phone_charging', count: 4 },
    { code: 'toilet', count: 1 },
  ]);

  // On the map page it is the nearest place (it stands on the point).
  await page.click('#nav-map');
  await page.waitForFunction((id) => Number(document.querySelector('#list li.card-li')?.dataset.id) === id, siteId, {
    timeout: 15000,
  });
  assert.equal((await listIds(page))[0], siteId);
  assert.match(await page.textContent('#list li.card-li >> nth=0'), /测试新驿站/);

  // Edit: a temporary closure needs a reason.
  await page.goto(`${srv.base}/#/admin/sites/${siteId}`);
  await page.waitForSelector('#site-form');
  assert.equal(await page.inputValue('#site-name_zh'), '测试新驿站');
  assert.equal(await page.inputValue('#am-phone_charging-n'), '4');
  await page.selectOption('#site-status', 'temporarily_closed');
  await page.click('#site-save');
  await page.waitForSelector('#site-status_reason-err');
  await page.fill('#site-status_reason', '装修中');
  await page.click('#site-save');
  await page.waitForSelector('#sites-panel .form-ok');
  const edited = (await srv.api(`/api/sites/${siteId}`)).json;
  assert.equal(edited.status, 'temporarily_closed');
  assert.equal(edited.status_reason, '装修中');
  assert.equal(edited.name_zh, '测试新驿站', 'fields not touched stay');

  // Delete: asks first; cancel keeps it, confirm removes it.
  await page.click(`#site-${siteId}-delete`);
  await page.waitForSelector(`#site-${siteId}-delete-yes`);
  assert.match(await page.textContent('#site-rows'), /确定删除“测试新驿站”吗/);
  await page.click(`li[data-id="${siteId}"] button:has-text("取消")`);
  await page.waitForSelector(`#site-${siteId}-delete`);
  assert.equal((await srv.api(`/api/sites/${siteId}`)).status, 200);
  await page.click(`#site-${siteId}-delete`);
  await page.click(`#site-${siteId}-delete-yes`);
  await page.waitForSelector('#sites-panel .form-ok:has-text("已删除")');
  assert.equal((await srv.api(`/api/sites/${siteId}`)).status, 404);
  assert.deepEqual(realErrors(admin.errors), []);
});

test('axe: no serious or critical violations on the sign-in, register, me and console pages', async () => {
  const b = await openBrowser();
  try {
    for (const path of ['/#/login', '/#/register', '/#/privacy']) {
      await b.page.goto(`${srv.base}${path}`);
      await b.page.waitForSelector('#page-title');
      assert.deepEqual(await seriousViolations(b.page), [], path);
    }
  } finally {
    await b.close();
  }
  // Signed in: the worker's page and the admin's console (with a person's
  // roles open) and site form.
  await worker.page.goto(`${srv.base}/#/me`);
  await worker.page.waitForSelector('#sessions li');
  assert.deepEqual(await seriousViolations(worker.page), [], 'me');
  const { page } = admin;
  await page.goto(`${srv.base}/#/admin`);
  await page.waitForSelector('#people-form');
  await page.fill('#people-q', '王');
  await page.click('#people-search');
  await page.waitForSelector('#people-list .person');
  await page.click('#people-list .person button[aria-expanded]');
  await page.waitForSelector('#grant-form');
  assert.deepEqual(await seriousViolations(page), [], 'console');
  await page.goto(`${srv.base}/#/admin/sites/new`);
  await page.waitForSelector('#site-form');
  assert.deepEqual(await seriousViolations(page), [], 'site form');
});

test('360px: 48px targets and no horizontal scroll on every account page', async () => {
  const b = await openBrowser();
  try {
    for (const path of ['/#/login', '/#/register']) {
      await b.page.goto(`${srv.base}${path}`);
      await b.page.waitForSelector('#page-title');
      assert.deepEqual(await smallTargets(b.page), [], path);
      const w = await pageWidth(b.page);
      assert.ok(w[0] <= w[1], `${path}: page is ${w[0]}px wide in ${w[1]}px`);
    }
  } finally {
    await b.close();
  }
  const pages = [
    [worker.page, '/#/me', '#sessions li'],
    [admin.page, '/#/admin', '#people-form'],
    [admin.page, '/#/admin/sites', '#sites-status'],
    [admin.page, '/#/admin/sites/1', '#site-form'],
  ];
  for (const [page, path, ready] of pages) {
    await page.goto(`${srv.base}${path}`);
    await page.waitForSelector(ready);
    assert.deepEqual(await smallTargets(page), [], path);
    const w = await pageWidth(page);
    assert.ok(w[0] <= w[1], `${path}: page is ${w[0]}px wide in ${w[1]}px`);
  }
  // The console with a person's roles open.
  const { page } = admin;
  await page.goto(`${srv.base}/#/admin`);
  await page.fill('#people-q', WORKER);
  await page.click('#people-search');
  await page.click('#people-list .person button[aria-expanded]');
  await page.fill('#grant-site-q', '驿站');
  await page.click('#grant-site-search');
  await page.waitForSelector('#grant-sites input');
  assert.deepEqual(await smallTargets(page), [], 'roles');
  const w = await pageWidth(page);
  assert.ok(w[0] <= w[1], `roles: page is ${w[0]}px wide in ${w[1]}px`);
});

test('in English: the header, the me page and the sign-in page', async () => {
  const { page } = worker;
  await page.goto(`${srv.base}/#/me`);
  await page.waitForSelector('#my-places');
  await page.click('#lang');
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.equal((await page.textContent('#nav-me')).trim(), 'Me');
  assert.equal((await page.textContent('#page-title')).trim(), 'Me');
  // Staff now: their site first, and no call to get verified.
  assert.equal(await page.$('#verification'), null);
  assert.match(await page.textContent('#my-places'), /My sites/);
  assert.match(await page.textContent('#my-roles'), /Station staff/);
  assert.match(await page.textContent('#sessions li[data-current="true"]'), /Signed in with a password/);
  assert.equal((await page.textContent('label[for="me-password-current"]')).trim(), 'Current password');
  assert.match(await page.textContent('#password-form'), /Text code/);
  assert.equal(await page.title(), 'Me - Warm New Map');
  await screenshot(page, 'me-360-en');
  await page.click('#lang');
  assert.equal((await page.textContent('#page-title')).trim(), '我的');
});

test('sign out everywhere; my data: export downloads JSON, erasing asks first, then forgets the phone', async () => {
  const b = await openBrowser();
  const phone = '13900000002';
  try {
    const { page } = b;
    await page.goto(`${srv.base}/#/register`);
    await page.fill('#register-phone', phone);
    await fillCode(page, 'register', phone);
    await page.fill('#register-name', '李姐');
    await page.selectOption('#register-occupation', 'domestic_worker');
    await page.check('#register-consent');
    await page.click('#register-submit');
    await page.waitForSelector('#my-data #export-data');
    // Sign out everywhere, then back in with a code.
    await page.click('#sign-out-all');
    await page.waitForSelector('#login-form');
    assert.match(await page.textContent('.page'), /已在所有设备上退出登录/);
    assert.equal(await page.evaluate(() => fetch('/api/me').then((r) => r.status)), 401);
    await page.fill('#login-phone', phone);
    await fillCode(page, 'login', phone);
    await page.click('#login-submit');
    await page.waitForSelector('#my-data #export-data');
    assert.equal(await page.getAttribute('#export-data', 'href'), '/api/me/export');
    const exported = await page.evaluate(() => fetch('/api/me/export').then((r) => r.json()));
    assert.equal(exported.person.phone, phone);
    assert.equal(exported.consents[0].version, '2026-11');

    await page.click('#erase-data');
    await page.waitForSelector('#erase-confirm');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'erase-confirm-title');
    await page.click('#my-data button:has-text("取消")');
    await page.waitForSelector('#erase-data');
    await page.click('#erase-data');
    await page.click('#erase-confirm');
    await page.waitForSelector('#login-form');
    assert.match(await page.textContent('.page'), /账号和个人资料已删除/);
    assert.equal(await page.evaluate(() => fetch('/api/me').then((r) => r.status)), 401);
    assert.deepEqual(realErrors(b.errors), []);
  } finally {
    await b.close();
  }
  // Signing in with that phone now says it is not registered (on another
  // phone: this one waits a minute before asking that number a new code).
  const c = await openBrowser();
  try {
    const { page } = c;
    await page.goto(`${srv.base}/#/login`);
    await page.fill('#login-phone', phone);
    await fillCode(page, 'login', phone);
    await page.click('#login-submit');
    await page.waitForSelector('#login-phone-err');
    assert.match(await page.textContent('#login-phone-err'), /还没有注册/);
    assert.ok(await page.$('.form-link a[href="#/register"]'), 'offers to register');
  } finally {
    await c.close();
  }
});

test('without an SMS provider the sign-in page offers the password only', async () => {
  const plain = await startServer(); // no WARMHARBOR_DEV: /api/auth/otp answers 503
  const b = await openBrowser();
  try {
    const { page } = b;
    await page.goto(`${plain.base}/#/login`);
    await page.fill('#login-phone', WORKER);
    await page.click('#login-get-code');
    await page.waitForSelector('#login-password');
    assert.match(await page.textContent('#login-form .form-alert'), /只能用密码登录/);
    assert.equal(await page.isDisabled('button.seg-btn:has-text("验证码登录")'), true);
    await page.fill('#login-phone', ADMIN);
    await page.fill('#login-password', 'wrong-password-1');
    await page.click('#login-submit');
    await page.waitForSelector('#login-password-err');
    assert.match(await page.textContent('#login-password-err'), /手机号或密码不对/);
    await page.fill('#login-password', ADMIN_PASSWORD);
    await page.click('#login-submit');
    await page.waitForSelector('#me-name');
  } finally {
    await b.close();
    await plain.stop();
  }
});
