// The account security rules, as the pages show them: changing a password
// needs the current one (or a fresh code) and signs out the other devices;
// the sessions list says how each was started; staff verify workers at a
// site they reach, which the page remembers, and refused places or people
// are said plainly; a session that ends under someone sends them to sign
// in with a note, never to a blank page. People are set up through the API
// (codes read from the server's log) and used in the browser.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, openBrowser, ADMIN_TOKEN, seriousViolations, smallTargets, pageWidth, screenshot } from './lib/harness.mjs';

const ADMIN = '13800000000';
const ADMIN_PASSWORD = 'browser-test-password';

let srv;
const open = []; // browsers to close at the end

before(async () => {
  srv = await startServer({ env: { WARMHARBOR_DEV: '1' } });
});
after(async () => {
  for (const b of open) await b.close();
  await srv?.stop();
});

/** Console errors but the failed requests the pages make on purpose. */
function realErrors(errors) {
  return errors.filter((e) => !/Failed to load resource: the server responded with a status of (401|403|404|405|409|422|429)/.test(e));
}

async function browser() {
  const b = await openBrowser();
  open.push(b);
  return b;
}

/** A JSON call to the server; token: a bearer token. */
async function api(method, path, { token, json } = {}) {
  const headers = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  if (json !== undefined) headers['Content-Type'] = 'application/json';
  return srv.api(path, { method, headers, body: json === undefined ? undefined : JSON.stringify(json) });
}

async function codeFor(phone, purpose) {
  const since = srv.stderr.length;
  const r = await api('POST', '/api/auth/otp', { json: { phone, purpose } });
  assert.equal(r.status, 202, r.text);
  return srv.otp(phone, { since });
}

/** Register through the API: {id, token} (a bearer session started with a code). */
async function registerByApi(phone, name) {
  const r = await api('POST', '/api/auth/register', {
    json: {
      phone,
      code: await codeFor(phone, 'register'),
      display_name: name,
      occupation: 'courier',
      consent: { kind: 'privacy_policy', version: '2026-11' },
      bearer: true,
    },
  });
  assert.equal(r.status, 201, r.text);
  return { id: r.json.user.id, token: r.json.token };
}

async function bearerLogin(phone, body) {
  const r = await api('POST', '/api/auth/login', { json: { phone, ...body, bearer: true } });
  assert.equal(r.status, 200, r.text);
  return r.json.token;
}

async function grantByAdmin(id, role, kind, ref) {
  const r = await api('POST', `/api/users/${id}/roles`, { token: ADMIN_TOKEN, json: { role, scope_kind: kind, scope_ref: ref } });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

async function signInWithPassword(page, phone, password, ready = '#me-name') {
  await page.goto(`${srv.base}/#/login`);
  await page.click('button.seg-btn:has-text("密码登录")');
  await page.fill('#login-phone', phone);
  await page.fill('#login-password', password);
  await page.click('#login-submit');
  await page.waitForSelector(ready);
}

async function signInWithCode(page, phone) {
  await page.goto(`${srv.base}/#/login`);
  await page.fill('#login-phone', phone);
  const since = srv.stderr.length;
  await page.click('#login-get-code');
  await page.fill('#login-code', await srv.otp(phone, { since }));
  await page.click('#login-submit');
  await page.waitForSelector('#verification');
}

async function findPerson(page, q, id) {
  await page.fill('#people-q', q);
  await page.click('#people-search');
  await page.waitForSelector(`#person-${id}`);
}

test('changing a password asks for the current one or a code, puts each error by its field, and signs out the other devices', async () => {
  const phone = '13700000701';
  const { token: byCode } = await registerByApi(phone, '赵师傅');
  assert.equal((await api('PATCH', '/api/me', { token: byCode, json: { password: 'first-password-1' } })).status, 200);
  const byPassword = await bearerLogin(phone, { password: 'first-password-1' });

  const { page, errors } = await browser();
  await signInWithPassword(page, phone, 'first-password-1');
  // Three devices, each saying how it was started.
  await page.waitForFunction(() => document.querySelectorAll('#sessions li.session').length === 3);
  const how = await page.$$eval('#sessions li.session', (l) => l.map((li) => [li.dataset.signIn, li.dataset.current]));
  assert.deepEqual(how.sort(), [['code', 'false'], ['password', 'false'], ['password', 'true']]);
  assert.match(await page.textContent('#sessions li[data-sign-in="code"]'), /用短信验证码登录/);
  assert.match(await page.textContent('#sessions li[data-current="true"]'), /用密码登录/);

  // A password is set: the form asks for the current one.
  assert.match(await page.textContent('#password-title'), /修改密码/);
  assert.match(await page.textContent('.page'), /设置或修改密码后，你在其他设备上的登录都会退出/);
  await page.fill('#me-password', 'second-password-2');
  await page.fill('#me-password2', 'second-password-2');
  await page.click('#password-save');
  await page.waitForSelector('#me-password-current-err');
  assert.match(await page.textContent('#me-password-current-err'), /请填写当前密码/);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'me-password-current');

  // A wrong one: the server's answer, next to the field.
  await page.fill('#me-password-current', 'not-the-password');
  await page.click('#password-save');
  await page.waitForSelector('#me-password-current-err:has-text("当前密码不对")');
  assert.equal(await page.getAttribute('#me-password-current', 'aria-invalid'), 'true');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'me-password-current');
  assert.deepEqual(await seriousViolations(page, '#password-form'), [], 'password form with an error');

  // Forgot it: a code sent to the phone instead; a wrong code is said by the code field.
  await page.click('#me-password-way-code');
  await page.waitForSelector('#me-password-code');
  assert.equal(await page.getAttribute('#me-password-way-code', 'aria-pressed'), 'true');
  await page.fill('#me-password-code', '000000');
  await page.click('#password-save');
  await page.waitForSelector('#me-password-code-err');
  assert.match(await page.textContent('#me-password-code-err'), /验证码不对或已过期/);
  const since = srv.stderr.length;
  await page.click('#me-password-get-code');
  await page.waitForSelector('#me-password-code-hint:has-text("验证码已发到")');
  assert.match(await page.textContent('#me-password-get-code'), /秒后可重发/);
  assert.deepEqual(await smallTargets(page, '#password-form'), [], 'code mode');
  assert.deepEqual(await seriousViolations(page, '#password-form'), [], 'code mode');
  await page.fill('#me-password-code', await srv.otp(phone, { since }));
  await page.fill('#me-password', 'second-password-2');
  await page.fill('#me-password2', 'second-password-2');
  await screenshot(page, 'password-code-360', { full: true });
  await page.click('#password-save');
  await page.waitForSelector('#password-form .form-ok');
  assert.match(await page.textContent('#password-form .form-ok'), /密码已修改。你在其他设备上的登录都已退出/);
  // The list shows this device only; the others are signed out indeed.
  await page.waitForFunction(() => document.querySelectorAll('#sessions li.session').length === 1);
  assert.equal(await page.getAttribute('#sessions li.session', 'data-current'), 'true');
  for (const token of [byCode, byPassword]) assert.equal((await api('GET', '/api/me', { token })).status, 401);
  assert.equal((await api('POST', '/api/auth/login', { json: { phone, password: 'second-password-2' } })).status, 200);
  // This device goes on.
  assert.equal(await page.evaluate(() => fetch('/api/me').then((r) => r.status)), 200);

  // In English, the same words.
  await page.click('#lang');
  assert.equal((await page.textContent('label[for="me-password-current"]')).trim(), 'Current password');
  assert.match(await page.textContent('#password-form'), /Text code/);
  await page.click('#lang');
  assert.deepEqual(realErrors(errors), []);
});

test('too many wrong current passwords: how long to wait, next to the field', async () => {
  const phone = '13700000702';
  const { token } = await registerByApi(phone, '钱师傅');
  assert.equal((await api('PATCH', '/api/me', { token, json: { password: 'first-password-1' } })).status, 200);
  const { page, errors } = await browser();
  await signInWithPassword(page, phone, 'first-password-1');
  await page.fill('#me-password', 'second-password-2');
  await page.fill('#me-password2', 'second-password-2');
  for (let i = 0; i < 5; i++) {
    await page.fill('#me-password-current', `guess-${i}-xxxx`);
    await page.click('#password-save');
    await page.waitForSelector('#me-password-current-err:has-text("当前密码不对")');
    await page.waitForSelector('#password-save:not([aria-busy])');
  }
  await page.fill('#me-password-current', 'first-password-1');
  await page.click('#password-save');
  await page.waitForSelector('#me-password-current-err:has-text("尝试次数太多")');
  assert.match(await page.textContent('#me-password-current-err'), /请 \d+ 分钟 后再试/);
  assert.deepEqual(realErrors(errors), []);
});

test('staff verify workers at a site their grants reach; the place is remembered; refusals are said plainly', async () => {
  const sites = (await srv.api('/api/sites?limit=1000')).json.items;
  const inRegion = (await srv.api('/api/sites?region=HZ-XN&limit=1000')).json.items;
  const siteIn = inRegion[0];
  const siteOut = sites.find((s) => s.region && s.region.startsWith('HZ-HZ-'));
  // A region admin of HZ-XN who is also staff at a site elsewhere.
  const phone = '13700000711';
  const ra = await registerByApi(phone, '周站长');
  assert.equal((await api('PATCH', '/api/me', { token: ra.token, json: { password: 'region-password-1' } })).status, 200);
  await grantByAdmin(ra.id, 'region_admin', 'region', 'HZ-XN');
  const staffGrant = await grantByAdmin(ra.id, 'staff', 'site', String(siteOut.id));
  const w1 = await registerByApi('13700000712', '吴师傅');
  const w2 = await registerByApi('13700000713', '郑师傅');

  const { page, errors } = await browser();
  await signInWithPassword(page, phone, 'region-password-1');
  await page.click('#nav-admin');
  await page.waitForSelector('#verify-site');
  // Every site of the region (the regions below it too), and the staff site.
  const offered = await page.$$eval('#verify-site option', (o) => o.map((x) => x.value).filter(Boolean).map(Number));
  assert.deepEqual(offered.sort((a, b) => a - b), [...inRegion.map((s) => s.id), siteOut.id].sort((a, b) => a - b));
  assert.ok((await page.$$('#verify-site optgroup')).length > 1, 'grouped by region');
  assert.equal(await page.inputValue('#verify-site'), '', 'several places: none picked for them');

  // Verifying without a place: asked for it at the picker, nothing sent.
  await findPerson(page, '13700000712', w1.id);
  await page.click(`#person-${w1.id}-verify`);
  await page.waitForSelector('#verify-site-err');
  assert.match(await page.textContent('#verify-site-err'), /请先选择你核实身份的地点/);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'verify-site');
  assert.deepEqual(await seriousViolations(page), [], 'console with the picker in error');
  assert.equal((await api('GET', '/api/me', { token: w1.token })).json.verification, 'unverified');

  await page.selectOption('#verify-site', String(siteIn.id));
  assert.equal(await page.$('#verify-site-err'), null);
  await page.click(`#person-${w1.id}-verify`);
  await page.waitForSelector(`#person-${w1.id}[data-verification="verified"]`);
  assert.match(await page.textContent(`#person-${w1.id}`), new RegExp(`已认证 吴师傅（${siteIn.name_zh} #${siteIn.id}）`));
  const v = (await api('GET', '/api/me', { token: w1.token })).json;
  assert.equal(v.verification, 'verified');
  assert.equal(v.verified_site, siteIn.id);
  await screenshot(page, 'console-verify-site-360', { full: true });

  // Remembered on this device.
  await page.reload();
  await page.waitForSelector('#verify-site');
  assert.equal(await page.inputValue('#verify-site'), String(siteIn.id));

  // A place taken away meanwhile: the server's refusal, at the picker.
  await page.selectOption('#verify-site', String(siteOut.id));
  assert.equal((await api('DELETE', `/api/users/${ra.id}/roles/${staffGrant.id}`, { token: ADMIN_TOKEN })).status, 204);
  await findPerson(page, '13700000713', w2.id);
  await page.click(`#person-${w2.id}-verify`);
  await page.waitForSelector('#verify-site-err');
  assert.match(await page.textContent('#verify-site-err'), /你不在这个地点工作/);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'verify-site');
  assert.equal(await page.getAttribute(`#person-${w2.id}`, 'data-verification'), 'unverified');
  // The next visit no longer offers it (nor remembers it).
  await page.reload();
  await page.waitForSelector('#verify-site');
  assert.equal(await page.$(`#verify-site option[value="${siteOut.id}"]`), null);
  assert.equal(await page.inputValue('#verify-site'), '');

  // Admins see people's roles: a role holder has no verify button.
  await findPerson(page, phone, ra.id);
  assert.match(await page.textContent(`#person-${ra.id}`), /持有角色，不需要认证/);
  assert.equal(await page.$(`#person-${ra.id}-verify`), null);
  assert.deepEqual(await smallTargets(page), []);
  const w = await pageWidth(page);
  assert.ok(w[0] <= w[1], `console is ${w[0]}px wide in ${w[1]}px`);
  assert.deepEqual(realErrors(errors), []);
});

test('a staff member trying to verify a role holder is told only workers are verified', async () => {
  const site = (await srv.api('/api/sites?limit=1')).json.items[0];
  const phone = '13700000721';
  const staff = await registerByApi(phone, '冯站员');
  assert.equal((await api('PATCH', '/api/me', { token: staff.token, json: { password: 'staff-password-1' } })).status, 200);
  await grantByAdmin(staff.id, 'staff', 'site', String(site.id));
  const merchant = await registerByApi('13700000722', '陈老板');
  await grantByAdmin(merchant.id, 'merchant', 'site', String(site.id));

  const { page, errors } = await browser();
  await signInWithPassword(page, phone, 'staff-password-1');
  await page.click('#nav-admin');
  await page.click('#tab-people'); // staff land on "my sites" first
  await page.waitForSelector('#verify-site');
  assert.equal(await page.inputValue('#verify-site'), String(site.id), 'their only site, picked already');
  await findPerson(page, '13700000722', merchant.id);
  await page.click(`#person-${merchant.id}-verify`);
  await page.waitForSelector(`#person-${merchant.id} .form-error`);
  assert.match(await page.textContent(`#person-${merchant.id} .form-error`), /持有角色.*只有没有角色的劳动者才需要认证/);
  assert.equal(await page.$('#verify-site-err'), null, 'not a problem of the place');
  await page.click('#lang');
  assert.equal((await page.textContent('label[for="verify-site"]')).trim(), 'Where you check people');
  await page.click(`#person-${merchant.id}-verify`);
  await page.waitForSelector(`#person-${merchant.id} .form-error:has-text("only workers without a role are verified")`);
  await page.click('#lang');
  assert.deepEqual(realErrors(errors), []);
});

test('a system admin may verify without a site; the grant form warns about a person without a password', async () => {
  const w = await registerByApi('13700000731', '褚师傅');
  const { page, errors } = await browser();
  await signInWithPassword(page, ADMIN, ADMIN_PASSWORD);
  // The admin's token from the command line is listed as such.
  await page.waitForSelector('#sessions li[data-sign-in="operator"]');
  assert.match(await page.textContent('#sessions li[data-sign-in="operator"]'), /运维人员在服务器上发放的令牌/);

  await page.click('#nav-admin');
  await page.waitForSelector('#verify-site');
  assert.equal(await page.inputValue('#verify-site'), '');
  assert.match(await page.textContent('#verify-site-hint'), /系统管理员也可以不指定/);
  await findPerson(page, '13700000731', w.id);
  await page.click(`#person-${w.id}-verify`);
  await page.waitForSelector(`#person-${w.id}[data-verification="verified"]`);
  assert.match(await page.textContent(`#person-${w.id}`), /已认证 褚师傅。/);
  assert.doesNotMatch(await page.textContent(`#person-${w.id}`), /认证地点/);
  assert.equal((await api('GET', '/api/me', { token: w.token })).json.verified_site, null);

  await page.click(`#person-${w.id}-roles`);
  await page.waitForSelector('#grant-form');
  assert.match(await page.textContent('#grant-no-password'), /还没有设置密码/);
  assert.match(await page.textContent('#grant-sign-in-note'), /验证码登录的设备会退出登录/);
  assert.deepEqual(await seriousViolations(page, '#grant-form'), []);
  assert.deepEqual(realErrors(errors), []);
});

test('a session that ends under someone sends them to sign in with a note, not a blank page', async () => {
  // Granted a role while signed in with a code, on "me": the next save is refused.
  const w = await registerByApi('13700000741', '卫师傅');
  const { page, errors } = await browser();
  await signInWithCode(page, '13700000741');
  await grantByAdmin(w.id, 'staff', 'site', '1');
  await page.fill('#me-name-input', '卫小明');
  await page.click('#profile-save');
  await page.waitForSelector('#login-form');
  assert.equal(await page.evaluate(() => location.hash), '#/login');
  assert.match(await page.textContent('.page .form-ok'), /你在这台设备上的登录已失效/);
  assert.equal((await page.textContent('#nav-me')).trim(), '登录');
  assert.deepEqual(await seriousViolations(page), [], 'sign-in page with the note');
  assert.deepEqual(realErrors(errors), []);

  // Signed out everywhere from another device, on the console: the next
  // search is refused, and signing in again comes back to the console.
  const staffPhone = '13700000742';
  const staff = await registerByApi(staffPhone, '蒋站员');
  assert.equal((await api('PATCH', '/api/me', { token: staff.token, json: { password: 'staff-password-2' } })).status, 200);
  await grantByAdmin(staff.id, 'staff', 'site', '1');
  const b2 = await browser();
  await signInWithPassword(b2.page, staffPhone, 'staff-password-2');
  await b2.page.click('#nav-admin');
  await b2.page.click('#tab-people'); // staff land on "my sites" first
  await b2.page.waitForSelector('#people-form');
  const elsewhere = await bearerLogin(staffPhone, { password: 'staff-password-2' });
  assert.equal((await api('POST', '/api/auth/logout-all', { token: elsewhere })).status, 204);
  await b2.page.fill('#people-q', '卫小明');
  await b2.page.click('#people-search');
  await b2.page.waitForSelector('#login-form');
  assert.match(await b2.page.textContent('.page .form-ok'), /登录已失效/);
  await b2.page.click('button.seg-btn:has-text("密码登录")');
  await b2.page.fill('#login-phone', staffPhone);
  await b2.page.fill('#login-password', 'staff-password-2');
  await b2.page.click('#login-submit');
  await b2.page.waitForSelector('#people-form');
  assert.equal(await b2.page.evaluate(() => location.hash), '#/admin');

  // The page loaded afresh after the session ended elsewhere: the same note.
  assert.equal((await api('POST', '/api/auth/logout-all', { token: await bearerLogin(staffPhone, { password: 'staff-password-2' }) })).status, 204);
  await b2.page.reload();
  await b2.page.waitForSelector('#login-form');
  assert.match(await b2.page.textContent('.page .form-ok'), /登录已失效/);
  assert.deepEqual(realErrors(b2.errors), []);

  // Signing in comes back to the console; signing out on purpose says just that.
  await signInWithPassword(b2.page, staffPhone, 'staff-password-2', '#people-form');
  await b2.page.click('#nav-me');
  await b2.page.click('#sign-out');
  await b2.page.waitForSelector('#login-form');
  assert.match(await b2.page.textContent('.page .form-ok'), /^已退出登录。$/);
});
