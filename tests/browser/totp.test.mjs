// Two-step verification in the pages (issue 14, item 15): a system admin
// without TOTP is asked to enrol at sign-in (QR and key shown, a first
// code confirms, ten recovery codes shown once), then signs in with a
// code after the password; staff turn it on from "me". Codes are computed
// here from the secret the page shows (node's crypto, not the server's
// liboath), for the server's clock (real time here). zh-CN and English,
// a 390x844 phone, axe clean.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, openBrowser, seriousViolations, smallTargets, pageWidth, screenshot } from './lib/harness.mjs';
import { staffMember } from './lib/accounts.mjs';
import { totp } from '../http/lib/totp.mjs';

const ADMIN = '13800000000';
const ADMIN_PASSWORD = 'browser-test-password';
const PHONE = { viewport: { width: 390, height: 844 } };

let srv;
const open = [];
before(async () => {
  srv = await startServer({ env: { WARMHARBOR_DEV: '1', WARMHARBOR_ADMIN_TOTP: 'required' } });
});
after(async () => {
  for (const b of open) await b.close();
  await srv?.stop();
});

async function browser() {
  const b = await openBrowser(PHONE);
  open.push(b);
  return b;
}
const nowS = () => Math.floor(Date.now() / 1000);

async function passwordStep(page, phone, password) {
  await page.goto(`${srv.base}/#/login`);
  await page.click('button.seg-btn:has-text("密码登录")');
  await page.fill('#login-phone', phone);
  await page.fill('#login-password', password);
  await page.click('#login-submit');
  await page.waitForSelector('#login-second');
}

async function noSerious(page, what) {
  assert.deepEqual(await seriousViolations(page), [], `axe: ${what}`);
  assert.deepEqual(await smallTargets(page), [], `48px targets: ${what}`);
  const [w, vw] = await pageWidth(page);
  assert.ok(w <= vw, `${what}: ${w}px wide in ${vw}px`);
}

let adminSecret = '';

test('a system admin without TOTP enrols at sign-in, keeps the recovery codes, and lands signed in', async () => {
  const { page, errors } = await browser();
  await passwordStep(page, ADMIN, ADMIN_PASSWORD);
  assert.equal(await page.getAttribute('#login-second', 'data-kind'), 'totp_enrol');
  assert.match(await page.textContent('#login-second'), /系统管理员账号必须开启两步验证/);
  // No session yet.
  assert.equal(await page.evaluate(() => fetch('/api/me').then((r) => r.status)), 401);
  await page.click('#login-totp-enrol');
  await page.waitForSelector('#login-totp-enrol .totp-qr svg');
  adminSecret = await page.getAttribute('#login-totp-secret', 'data-secret');
  assert.match(adminSecret, /^[A-Z2-7]{32}$/);
  const uri = await page.getAttribute('#login-totp-uri', 'href');
  assert.equal(new URL(uri).searchParams.get('secret'), adminSecret);
  await noSerious(page, 'enrolment at sign-in');
  await screenshot(page, 'totp-enrol-390', { full: true });

  // A wrong code first: said next to the field, in Chinese.
  await page.fill('#login-totp', '000000');
  await page.click('#login-totp-submit');
  await page.waitForSelector('#login-totp-err');
  assert.match(await page.textContent('#login-totp-err'), /动态码不对/);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'login-totp');

  await page.fill('#login-totp', totp(adminSecret, nowS()));
  await page.click('#login-totp-submit');
  await page.waitForSelector('#login-totp-recovery');
  const codes = await page.$$eval('#login-totp-recovery .recovery-code', (l) => l.map((x) => x.textContent));
  assert.equal(codes.length, 10);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'login-totp-recovery-title');
  await noSerious(page, 'recovery codes');
  await page.click('#login-totp-recovery-done');
  await page.waitForSelector('#my-totp[data-enabled="true"]');
  assert.match(await page.textContent('#me-totp-left'), /还剩 10 个恢复码/);
  // A system admin's "me": their consoles, never a call to get verified.
  assert.equal(await page.$('#verification'), null);
  assert.ok(await page.$('#my-places a[href="#/admin"]'));
  assert.doesNotMatch(await page.textContent('.page'), /到附近的驿站/);
  await noSerious(page, 'me with two-step verification');
  assert.deepEqual(errors.filter((e) => !/status of (401|403|409|422)/.test(e)), []);
});

test('the admin signs in with a code after the password; a used code is refused', async () => {
  const { page } = await browser();
  await passwordStep(page, ADMIN, ADMIN_PASSWORD);
  // The step has its URL; the phone's Back closes it, back to the password.
  assert.match(page.url(), /#\/login\/totp$/);
  await page.goBack();
  await page.waitForSelector('#login-form');
  assert.match(page.url(), /#\/login$/);
  await page.fill('#login-password', ADMIN_PASSWORD);
  await page.click('#login-submit');
  await page.waitForSelector('#login-second');
  assert.equal(await page.getAttribute('#login-second', 'data-kind'), 'totp');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'login-totp');
  // The code of the step used to enrol is spent.
  const used = totp(adminSecret, nowS() - 30);
  await page.fill('#login-totp', used);
  await page.click('#login-totp-submit');
  await page.waitForSelector('#login-totp-err');
  assert.match(await page.textContent('#login-totp-err'), /刚用过/);
  // The next step's code (the server allows one step of drift) signs in.
  await page.fill('#login-totp', totp(adminSecret, nowS() + 30));
  await page.click('#login-totp-submit');
  await page.waitForSelector('#my-totp');
  assert.equal(await page.evaluate(() => fetch('/api/me').then((r) => r.status)), 200);
});

test('in English, staff turn it on from "me"; Back to the password leaves the step', async () => {
  const staff = await staffMember(srv, '13700000601', 'staff-password-1', { role: 'staff', scope_kind: 'site', scope_ref: '1' });
  void staff;
  const { page } = await browser();
  await page.goto(`${srv.base}/#/login`);
  await page.click('#lang');
  await page.click('button.seg-btn:has-text("Password")');
  await page.fill('#login-phone', '13700000601');
  await page.fill('#login-password', 'staff-password-1');
  await page.click('#login-submit');
  // Staff are not made to enrol: straight to "me", where it is offered.
  await page.waitForSelector('#my-totp[data-enabled="false"]');
  assert.match(await page.textContent('#my-totp'), /Two-step verification/);
  await page.click('#me-totp-start');
  await page.waitForSelector('#me-totp-enrol .totp-qr svg');
  const secret = await page.getAttribute('#me-totp-secret', 'data-secret');
  await noSerious(page, 'enrolment on me (en)');
  await page.fill('#me-totp-code', '12');
  await page.click('#me-totp-confirm');
  await page.waitForSelector('#me-totp-code-err');
  assert.match(await page.textContent('#me-totp-code-err'), /The code is 6 digits/);
  await page.fill('#me-totp-code', totp(secret, nowS()));
  await page.click('#me-totp-confirm');
  await page.waitForSelector('#me-totp-recovery');
  const codes = await page.$$eval('#me-totp-recovery .recovery-code', (l) => l.map((x) => x.textContent));
  assert.equal(codes.length, 10);
  await page.click('#me-totp-recovery-done');
  await page.waitForSelector('#my-totp[data-enabled="true"]');
  assert.match(await page.textContent('#me-totp-state'), /On/);
  await screenshot(page, 'totp-me-390-en', { full: true });

  // Sign out, then in: the second step, in English; a recovery code works once.
  await page.click('#sign-out');
  await page.waitForSelector('#login-form');
  await page.click('button.seg-btn:has-text("Password")');
  await page.fill('#login-phone', '13700000601');
  await page.fill('#login-password', 'staff-password-1');
  await page.click('#login-submit');
  await page.waitForSelector('#login-second[data-kind="totp"]');
  assert.match(await page.textContent('#login-second'), /Enter the 6-digit code/);
  await noSerious(page, 'second step (en)');
  // Back to the password: the step is left.
  await page.click('#login-totp-back');
  await page.waitForSelector('#login-form');
  assert.match(page.url(), /#\/login$/);
  await page.fill('#login-password', 'staff-password-1');
  await page.click('#login-submit');
  await page.waitForSelector('#login-second[data-kind="totp"]');
  await page.click('#login-totp-switch');
  await page.fill('#login-totp', codes[0]);
  await page.click('#login-totp-submit');
  await page.waitForSelector('#my-totp[data-enabled="true"]');
  assert.match(await page.textContent('#me-totp-left'), /9 recovery codes left/);
});
