// Bookable services in the browser, as a provider (legal aid, granted one
// community station): a desk appointment service made with the form
// (errors next to their fields), its times generated from a weekly
// pattern over two weeks holding a public holiday and a make-up workday
// (put in the calendar by the admin through the API): the page says
// which day was skipped and which weekday the make-up day followed, and
// the API has exactly those times. A worker books one; its roster shows
// them; the time's places are changed and the time is cancelled (Back
// closes the question first), which cancels the worker's booking.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, openBrowser, seriousViolations, smallTargets, pageWidth, screenshot, ADMIN_TOKEN } from './lib/harness.mjs';
import { workerByApi, withRole, signInPage, grant, api } from './lib/people.mjs';

let srv;
const open = [];

before(async () => {
  srv = await startServer({ env: { WARMHARBOR_DEV: '1' } });
});
after(async () => {
  for (const b of open) await b.close();
  await srv?.stop();
});

async function phoneOk(page, name) {
  assert.deepEqual(await seriousViolations(page), [], `${name}: axe`);
  assert.deepEqual(await smallTargets(page, '#view-page'), [], `${name}: 48px targets`);
  const [w, vw] = await pageWidth(page);
  assert.ok(w <= vw, `${name}: ${w}px wide in ${vw}px`);
  await screenshot(page, `manage-${name}`, { full: true });
}

const ymd = (ms) => new Date(ms).toISOString().slice(0, 10);

test('a provider makes a desk appointment service and generates its times around a holiday and a make-up workday', async () => {
  const site = (await srv.api('/api/sites?type=community_station&region=HZ-XN&limit=5')).json.items[2];
  const prov = await withRole(srv, 'provider', 'organization', 'hz-legal-aid', '法援赵律师');
  await grant(srv, prov.id, 'provider', 'site', site.id);
  // From tomorrow (UTC+8) for two weeks: its first Wednesday a holiday,
  // its first Saturday a make-up workday standing for a Wednesday.
  const tomorrow = Date.parse(`${ymd(Date.now() + 8 * 3600e3)}T00:00:00Z`) + 86400e3;
  const day = (k) => ymd(tomorrow + k * 86400e3);
  const wd = (k) => new Date(tomorrow + k * 86400e3).getUTCDay();
  const holiday = day([...Array(14).keys()].find((k) => wd(k) === 3));
  const makeUp = day([...Array(14).keys()].find((k) => wd(k) === 6));
  const admin = (m, p, json) => api(srv, m, p, { token: ADMIN_TOKEN, json });
  assert.equal((await admin('PUT', `/api/holidays/${holiday}`, { kind: 'holiday', name_zh: '测试节', name_en: 'Test Day' })).status, 200);
  assert.equal((await admin('PUT', `/api/holidays/${makeUp}`, { kind: 'workday', as_weekday: 3, name_zh: '测试调休', name_en: 'Test make-up day' })).status, 200);

  const b = await openBrowser({ viewport: { width: 390, height: 844 } });
  open.push(b);
  const { page, errors } = b;
  await page.goto(`${srv.base}/#/book`);
  await signInPage(page, prov.phone, prov.password);
  await page.reload();
  // Providers find it from the booking page (the console link is staff's).
  await page.waitForSelector('#bk-manage-link');
  await page.click('#bk-manage-link');
  await page.waitForSelector('#of-new');
  assert.ok(await page.$('#tab-manage'), 'the console tab');
  await phoneOk(page, 'list');

  await page.click('#of-new');
  await page.waitForSelector('#of-form');
  await page.click('#of-save');
  await page.waitForSelector('#of-title_zh-err');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'of-title_zh');
  await phoneOk(page, 'form');
  await page.fill('#of-title_zh', '劳动争议咨询');
  await page.fill('#of-title_en', 'Labour dispute advice');
  await page.selectOption('#of-site', String(site.id));
  await page.selectOption('#of-org', 'hz-legal-aid');
  await page.selectOption('#of-cancel_cutoff_s', '7200');
  await page.click('#of-save');
  await page.waitForSelector('#of-gen');
  assert.match(await page.textContent('.form-ok'), /已新建“劳动争议咨询”/);
  const offeringId = Number(await page.getAttribute('#of-slots-page', 'data-offering'));
  const made = (await srv.api(`/api/offerings/${offeringId}`)).json;
  assert.deepEqual([made.kind, made.site, made.org, made.cancel_cutoff_s], ['appointment', site.id, 'hz-legal-aid', 7200]);

  // The usual weekdays are ready; an overlap is caught next to its day.
  assert.equal(await page.isChecked('#of-day-mo'), true);
  await page.fill('#of-gen-from', day(0));
  await page.fill('#of-gen-to', day(13));
  await page.fill('#of-day-mo-w', '9-12, 11:00-13:00');
  await page.click('#of-gen-submit');
  await page.waitForSelector('#of-day-mo-err');
  assert.match(await page.textContent('#of-day-mo-err'), /重叠/);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'of-day-mo-w');
  await page.fill('#of-day-mo-w', '9:00-12:00，14:00-17:30');
  await page.check('#of-day-sa');
  await page.fill('#of-day-sa-w', '10:00-11:00');
  assert.match(await page.textContent('#of-gen-per-week'), /每周 134 个时段/);
  await page.click('#of-gen-submit');
  await page.waitForSelector('#of-gen-result');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'of-gen-result');
  assert.deepEqual(await page.$$eval('#of-holidays li', (l) => l.map((li) => li.dataset.date)), [holiday]);
  assert.match(await page.textContent('#of-holidays'), /测试节/);
  assert.deepEqual(await page.$$eval('#of-workdays li', (l) => l.map((li) => [li.dataset.date, li.dataset.as])), [[makeUp, 'we']]);
  assert.match(await page.textContent('#of-workdays'), /按周三安排/);
  await phoneOk(page, 'generated');

  // What the API has: the holiday empty, the make-up Saturday as a Wednesday.
  const created = Number((await page.textContent('#of-gen-result-h')).match(/\d+/)[0]);
  const all = (await srv.api(`/api/slots?offering=${offeringId}&limit=500`)).json;
  assert.equal(all.total, created);
  const on = (d) => all.items.filter((s) => s.start.startsWith(d));
  assert.equal(on(holiday).length, 0);
  assert.equal(on(makeUp).length, 26);
  assert.equal(on(makeUp)[0].start, `${makeUp}T09:00:00+08:00`);
  // Again: nothing new, and it says so.
  await page.click('#of-gen-submit');
  await page.waitForSelector('#of-gen-existing');
  assert.match(await page.textContent('#of-gen-result-h'), /新建了 0 个时段/);

  // A worker books the first time; its roster.
  const w = await workerByApi(srv, '吴师傅');
  const first = all.items[0];
  const bk = await api(srv, 'POST', '/api/bookings', { token: w.token, json: { slot: first.id } });
  assert.equal(bk.status, 201, bk.text);
  await page.goto(`${srv.base}/#/manage/slots/${first.id}`);
  await page.waitForSelector('#of-people');
  assert.match(await page.textContent('#of-people'), /吴师傅/);
  assert.equal(await page.getAttribute(`#of-b-${bk.json.id}`, 'data-state'), 'confirmed');
  await phoneOk(page, 'roster');
  await page.fill('#of-capacity', '2');
  await page.click('#of-capacity-save');
  await page.waitForSelector('#of-roster-note');
  assert.equal((await srv.api(`/api/slots/${first.id}`)).json.capacity, 2);
  await page.click('#of-slot-cancel');
  await page.waitForSelector('#of-slot-cancel-yes');
  assert.match(await page.textContent('[role="dialog"]'), /1 个预约和排队会被取消/);
  await page.goBack();
  await page.waitForSelector('#of-slot-cancel-yes', { state: 'detached' });
  assert.equal((await srv.api(`/api/slots/${first.id}`)).json.state, 'open');
  await page.click('#of-slot-cancel');
  await page.click('#of-slot-cancel-yes');
  // the note of the capacity change is still there: wait for the new one
  await page.waitForFunction(() => /1 个预约已取消/.test(document.querySelector('#of-roster-note')?.textContent || ''));
  const gone = (await api(srv, 'GET', `/api/bookings/${bk.json.id}`, { token: w.token })).json;
  assert.deepEqual([gone.state, gone.cancel_reason], ['cancelled', 'by_provider']);

  // English, on a desktop.
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.click('#lang');
  await page.goto(`${srv.base}/#/manage/offerings/${offeringId}/slots`);
  await page.waitForSelector('#of-gen');
  assert.match(await page.textContent('#of-gen-h'), /Times from a weekly pattern/);
  assert.deepEqual(await seriousViolations(page), []);
  const [pw, vw] = await pageWidth(page);
  assert.ok(pw <= vw);
  await page.click('#lang');
  assert.deepEqual(errors.filter((e) => !/status of (409|422)/.test(e)), []);
});
