// Volunteer squads in the browser: a courier finds their street's squads,
// joins one (the "leave?" question is closed by Back), signs up for a
// shift; the squad's leader, in another browser, checks them in by the
// code the volunteer's page shows, typed (the camera does not open: its
// fake video is not there yet), and out by the camera (a fake one,
// Chromium's --use-fake-device-for-media-stream, now playing a video of
// that code) and confirms the hours; the volunteer then sees the hours
// and the points. The server runs on the test clock, moved forward
// between check-in and check-out. Every page at 390x844: axe, 48px
// targets, no sideways scroll; zh-CN first, English on the switch.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, openBrowser, seriousViolations, smallTargets, pageWidth, screenshot, ADMIN_TOKEN, CHROME_ARGS } from './lib/harness.mjs';
import { workerByApi, workerInPage, signInPage, api } from './lib/people.mjs';
import { writeQrVideo, fakeCameraArgs } from './lib/camera.mjs';

let srv;
const open = [];

before(async () => {
  srv = await startServer({ env: { WARMHARBOR_DEV: '1', WARMHARBOR_TEST_CLOCK: '1' } });
});
const dir = mkdtempSync(path.join(tmpdir(), 'wh-vo-camera-'));
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

const admin = (m, p, json) => api(srv, m, p, { token: ADMIN_TOKEN, json });

async function advance(s) {
  const r = await admin('POST', '/api/system/clock', { advance_s: s });
  assert.equal(r.status, 200, r.text);
  return Date.parse(r.json.now);
}

function realErrors(errors) {
  return errors.filter((e) => !/Failed to load resource: the server responded with a status of (404|409|410|422)/.test(e));
}

async function phoneOk(page, name) {
  assert.deepEqual(await seriousViolations(page), [], `${name}: axe`);
  assert.deepEqual(await smallTargets(page, '#view-page'), [], `${name}: 48px targets`);
  const [w, vw] = await pageWidth(page);
  assert.ok(w <= vw, `${name}: ${w}px wide in ${vw}px`);
  await screenshot(page, `volunteer-${name}`, { full: true });
}

/** The volunteer's code, as their page shows it (and Back closes it). */
async function codeOnPage(page) {
  await page.goto(`${srv.base}/#/volunteer/me`);
  await page.click('#vo-my-code');
  await page.waitForSelector('#vo-code-text');
  const code = (await page.textContent('#vo-code-text')).trim();
  await page.goBack();
  await page.waitForSelector('#vo-code-layer', { state: 'detached' });
  assert.match(page.url(), /#\/volunteer\/me$/);
  return code;
}

test('a volunteer joins a squad and signs up; the leader checks them in and out by their code and confirms; the volunteer sees hours and points', async () => {
  // The leader (with a password, to sign in in a browser) and their squad on Xinnan street.
  const leader = await workerByApi(srv, '何队长');
  const password = `pw-${leader.phone}-lead`;
  assert.equal((await api(srv, 'PATCH', '/api/me', { token: leader.token, json: { password } })).status, 200);
  const squad = (await admin('POST', '/api/volunteer/squads', { street: 'HZ-XN', name_zh: '新南测试志愿服务队', name_en: 'Xinnan test squad', leader: leader.id })).json;
  const site = (await srv.api('/api/sites?region=HZ-XN&limit=1')).json.items[0];
  const now = await advance(0);
  const r = await api(srv, 'POST', `/api/volunteer/squads/${squad.id}/activities`, {
    token: leader.token,
    json: { title_zh: '雨天交通劝导', title_en: 'Rainy-day road safety', site: site.id, shifts: [{ start: new Date(now + 600e3).toISOString(), end: new Date(now + 4200e3).toISOString(), capacity: 3 }] },
  });
  assert.equal(r.status, 201, r.text);
  const act = r.json;
  const shift = act.shifts[0];

  // The volunteer: the street's squads.
  const v = await browser();
  const vp = v.page;
  await vp.goto(`${srv.base}/#/book`);
  await workerInPage(srv, vp, '马骑手');
  await vp.goto(`${srv.base}/#/volunteer?street=HZ-XN`);
  await vp.waitForSelector(`#vo-squad-${squad.id}`);
  assert.equal(await vp.title(), '志愿服务队 - 暖新地图');
  assert.match(await vp.textContent(`#vo-squad-${squad.id}`), /1 名队员.*何队长/);
  assert.match(await vp.textContent('#vo-squads'), /新南街道快递小哥志愿服务队/, 'the demo squad of the street is listed too');
  await phoneOk(vp, 'squads');

  // The squad: join; "leave?" opens over the page and Back closes it.
  await vp.click(`#vo-squad-${squad.id}`);
  await vp.waitForSelector('#vo-join', { timeout: 8000 }).catch(async (e) => { throw new Error(`${e.message}\n${await vp.textContent('#view-page')}\n${v.errors.join('\n')}`); });
  assert.match(await vp.textContent('#vo-leader'), /何队长/);
  await phoneOk(vp, 'squad');
  await vp.click('#vo-join');
  await vp.waitForSelector('#vo-member-note');
  assert.match(await vp.textContent('#vo-members'), /2 名队员/);
  await vp.click('#vo-leave');
  await vp.waitForSelector('#vo-leave-layer');
  await phoneOk(vp, 'leave-ask');
  await vp.goBack();
  await vp.waitForSelector('#vo-leave-layer', { state: 'detached' });
  assert.match(vp.url(), new RegExp(`#/volunteer/squads/${squad.id}$`));
  assert.ok(await vp.$('#vo-leave'), 'still a member');

  // The activity: sign up for the shift.
  await vp.click(`#vo-act-${act.id}`);
  await vp.waitForSelector(`#vo-shift-${shift.id}-signup`);
  assert.match(await vp.textContent(`#vo-shift-${shift.id}-places`), /剩 3 个名额/);
  await phoneOk(vp, 'activity');
  await vp.click(`#vo-shift-${shift.id}-signup`);
  await vp.waitForSelector(`#vo-shift-${shift.id}-done[data-state="confirmed"]`);
  assert.match(await vp.textContent(`#vo-shift-${shift.id}-places`), /剩 2 个名额/);
  await phoneOk(vp, 'signed-up');

  // The shift has started: the leader checks the volunteer in by the typed code.
  await advance(900);
  const video = path.join(dir, 'camera.y4m'); // written before check-out
  const l = await browser({ args: [...CHROME_ARGS, ...fakeCameraArgs(video)], permissions: ['camera'] });
  const lp = l.page;
  await lp.goto(`${srv.base}/#/book`);
  await signInPage(lp, leader.phone, password);
  await lp.goto(`${srv.base}/#/volunteer/shifts/${shift.id}`);
  await lp.waitForSelector('#vo-roster');
  assert.match(await lp.textContent('#vo-roster'), /马骑手/);
  await phoneOk(lp, 'roster');
  await lp.click('#vo-camera');
  await lp.waitForSelector('#vo-camera-note');
  await lp.waitForFunction(() => document.activeElement && document.activeElement.id === 'vo-code');
  assert.equal(await lp.$('#vo-camera-layer'), null);
  await lp.fill('#vo-code', 'not-a-code');
  await lp.click('#vo-submit');
  await lp.waitForSelector('#vo-result[data-code="invalid_qr"]');
  assert.match(await lp.textContent('#vo-result'), /不是暖新的二维码/);
  await lp.fill('#vo-code', await codeOnPage(vp));
  await lp.click('#vo-submit');
  await lp.waitForSelector('#vo-result[data-ok="true"][data-action="in"]');
  assert.match(await lp.textContent('#vo-result'), /马骑手 已签到/);
  await lp.waitForSelector('[data-hours-state="checked_in"]');
  await phoneOk(lp, 'checked-in');

  // An hour later: out (the shift's hour, in whole quarter hours), then confirmed: 10 points an hour.
  await advance(3600);
  await lp.click('#vo-mode-out');
  assert.equal(await lp.textContent('#vo-submit'), '签退');
  writeQrVideo(video, await codeOnPage(vp));
  await lp.click('#vo-camera');
  await lp.waitForSelector('#vo-result[data-ok="true"][data-action="out"]', { timeout: 20000 });
  await lp.waitForSelector('#vo-camera-layer', { state: 'detached' });
  assert.equal(await lp.evaluate(() => document.getElementById('vo-video')?.srcObject ?? null), null, 'the camera is off');
  assert.match(await lp.textContent('#vo-result'), /马骑手 已签退：1 小时/);
  const confirm = await lp.waitForSelector('[data-hours-state="checked_out"] button[id$="-confirm"]');
  await phoneOk(lp, 'checked-out');
  await confirm.click();
  await lp.waitForSelector('[data-hours-state="confirmed"]');
  assert.match(await lp.textContent('#vo-roster'), /已确认 1 小时，发放 10 分/);

  // The volunteer: the hours and the points (the page is on "me" already: read again).
  await vp.goto(`${srv.base}/#/volunteer/me`);
  await vp.reload();
  await vp.waitForSelector('#vo-total');
  assert.equal(await vp.getAttribute('#vo-total', 'data-minutes'), '60');
  assert.match(await vp.textContent('#vo-total'), /1 小时/);
  assert.match(await vp.textContent('#vo-hours'), /1 小时 · 已确认/);
  assert.match(await vp.textContent('#vo-hours'), /\+10 分/);
  assert.equal(await vp.getAttribute('#vo-certificate', 'href'), '/api/me/volunteer/certificate');
  await phoneOk(vp, 'me');
  await vp.click('#vo-to-points');
  await vp.waitForSelector('#vo-balance');
  assert.equal(await vp.getAttribute('#vo-balance', 'data-points'), '10');
  assert.match(await vp.textContent('#vo-ledger'), /志愿服务时长/);
  assert.match(await vp.textContent('#vo-expiring'), /今年没有要过期的积分/, 'points earned this year expire at the end of next year');
  assert.match(await vp.textContent('#vo-board-squad'), /马骑手.*10 分/);
  await phoneOk(vp, 'points');
  await vp.click('#lang');
  assert.match(await vp.textContent('#page-title'), /My points/);
  assert.match(await vp.textContent('#vo-balance'), /10 points/);
  await vp.click('#lang');

  // Desktop width too.
  await vp.setViewportSize({ width: 1280, height: 800 });
  await vp.goto(`${srv.base}/#/volunteer/activities/${act.id}`);
  await vp.waitForSelector(`#vo-shift-${shift.id}`);
  assert.deepEqual(await seriousViolations(vp), [], 'desktop: axe');

  assert.deepEqual(realErrors(v.errors), []);
  assert.deepEqual(realErrors(l.errors), []);
});
