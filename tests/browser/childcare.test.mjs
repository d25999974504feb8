// Summer childcare in the browser: a verified worker adds a child with a
// pickup person on the form, reads the consent in full and enrols two
// children in a programme whose places another family holds; the two wait
// as one group; when the other family cancels, the page shows the one
// offer live and the guardian accepts it. The programme's staff check both
// in on the roster and check them out with the pickup code (a wrong one is
// refused next to the field), and the guardian's page shows the pickups
// live. In Chinese and English, axe clean, at phone width.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, openBrowser, ADMIN_TOKEN, seriousViolations, pageWidth, smallTargets } from './lib/harness.mjs';
import { api, workerByApi, withRole, signInPage } from './lib/people.mjs';

let srv, site, programme, guardian, filler, staff, fillerEnrolment;

const realErrors = (errors) => errors.filter((e) => !/Failed to load resource: the server responded with a status of (401|403|404|409|422)/.test(e));

before(async () => {
  srv = await startServer({ env: { WARMHARBOR_DEV: '1' } });
  site = (await srv.api('/api/sites?type=community_station&limit=1')).json.items[0];
  staff = await withRole(srv, 'staff', 'site', site.id, '托管老师');
  // The guardian: a worker with a password, verified at the station.
  const w = await workerByApi(srv, '王妈妈');
  const password = `pw-${w.phone}-cc`;
  assert.equal((await api(srv, 'PATCH', '/api/me', { token: w.token, json: { password } })).status, 200);
  guardian = { ...w, password };
  filler = await workerByApi(srv, '李爸爸');
  for (const p of [guardian, filler])
    assert.equal((await api(srv, 'POST', `/api/users/${p.id}/verification`, { token: ADMIN_TOKEN, json: { state: 'verified', site: site.id } })).status, 200);
  const day = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
  const p = await api(srv, 'POST', '/api/childcare/programmes', {
    token: ADMIN_TOKEN,
    json: {
      site: site.id, title_zh: '暖新暑期托管班', title_en: 'Warm summer childcare', age_min: 6, age_max: 12,
      first_day: day, last_day: day, capacity: 3, lunch: true, consent_version: '2027.1',
      consent_zh: '监护人同意书：孩子的健康情况和接送人加密保存。接孩子须出示接送码。', consent_en: 'Guardian consent: health notes and pickup people are stored encrypted. Show the pickup code to collect.',
      timetable: [
        { start: '09:00', end: '10:30', kind: 'homework', title_zh: '作业辅导', title_en: 'Homework help' },
        { start: '10:45', end: '11:45', kind: 'heritage', title_zh: '淮扬戏曲', title_en: 'Huaiyang opera' },
      ],
      staff: [staff.id],
    },
  });
  assert.equal(p.status, 201, p.text);
  programme = p.json;
  // Another family holds two of the three places.
  const kids = [];
  for (const name of ['李一', '李二'])
    kids.push((await api(srv, 'POST', '/api/me/children', { token: filler.token, json: { name, birth_date: '2017-05-01' } })).json.id);
  const e = await api(srv, 'POST', '/api/childcare/enrolments', { token: filler.token, json: { programme: programme.id, children: kids, consent: '2027.1' } });
  assert.equal(e.json.state, 'enrolled', e.text);
  fillerEnrolment = e.json.id;
});

after(async () => {
  await srv?.stop();
});

async function signedIn(p, path) {
  const b = await openBrowser();
  await b.page.goto(`${srv.base}/#/`);
  await signInPage(b.page, p.phone, p.password);
  await b.page.goto(`${srv.base}/#${path}`);
  return b;
}

async function clean(page, what) {
  assert.deepEqual(await seriousViolations(page), [], `${what}: axe`);
  assert.deepEqual(await smallTargets(page), [], `${what}: 48px targets`);
  const [w, vw] = await pageWidth(page);
  assert.ok(w <= vw, `${what}: no sideways scroll: ${w} > ${vw}`);
}

test('a guardian adds children, enrols two who wait as one group, and gets one offer live', async () => {
  const b = await signedIn(guardian, '/childcare/children/new');
  const { page } = b;
  try {
    await page.waitForSelector('#child-form');
    // Nothing typed: said next to the field.
    await page.click('#child-submit');
    await page.waitForSelector('#child-name-err');
    await clean(page, 'child form');
    await page.fill('#child-name', '王小明');
    await page.fill('#child-birth-date', '2018-03-01');
    await page.fill('#child-allergies', '花生');
    await page.fill('#child-health-notes', '轻度哮喘');
    await page.fill('#child-pu-name', '王奶奶');
    await page.fill('#child-pu-phone', '139 0000 1234');
    await page.fill('#child-pu-relation', '奶奶');
    await page.click('#child-submit');
    await page.waitForSelector('#cc-children li:has-text("王小明")');
    await page.click('#cc-add-child');
    await page.waitForSelector('#child-form');
    await page.fill('#child-name', '王小红');
    await page.fill('#child-birth-date', '2016-09-10');
    await page.click('#child-submit');
    await page.waitForSelector('#cc-children li:has-text("王小红")');

    // The programmes with their places; one of them in full.
    await page.goto(`${srv.base}/#/childcare/programmes`);
    await page.waitForSelector(`#programme-${programme.id}`);
    assert.equal(await page.getAttribute(`#programme-${programme.id} [data-places]`, 'data-places'), '2/3');
    await clean(page, 'programmes');
    await page.click(`#programme-${programme.id} a`);
    await page.waitForSelector('#enrol-form');
    assert.match(await page.textContent('#consent-text'), /接孩子须出示接送码/);
    assert.match(await page.textContent('#timetable'), /淮扬戏曲/);
    const kids = (await api(srv, 'GET', '/api/me/children', { token: guardian.token })).json.items;
    for (const k of kids) await page.check(`#enrol-child-${k.id}`);
    // Without the consent ticked: said next to it.
    await page.click('#enrol-submit');
    await page.waitForSelector('#enrol-consent-err');
    await page.check('#enrol-consent');
    await page.click('#enrol-submit');
    await page.waitForSelector('#enrol-note:has-text("全家一起排队，第 1 位")');
    await clean(page, 'programme');

    // My page; the other family gives up its places: one offer, shown live.
    await page.goto(`${srv.base}/#/childcare`);
    await page.waitForSelector('#cc-enrolments li[data-state="waitlisted"]');
    const r = await api(srv, 'POST', `/api/childcare/enrolments/${fillerEnrolment}/cancel`, { token: filler.token });
    assert.equal(r.status, 200, r.text);
    await page.waitForSelector('#cc-enrolments li[data-state="offered"]', { timeout: 15000 });
    const notices = (await api(srv, 'GET', '/api/me/inbox', { token: guardian.token })).json.items.filter((n) => n.kind === 'childcare_offer');
    assert.equal(notices.length, 1, 'one offer for the family');
    await clean(page, 'offer');
    await page.click('#cc-enrolments li[data-state="offered"] button.btn-primary');
    await page.waitForSelector('#cc-enrolments li[data-state="enrolled"]');
    assert.match(await page.textContent('#cc-code'), /^\d{6}$/);
    // In English too.
    await page.click('#lang');
    await page.waitForSelector('#page-title:has-text("Summer childcare")');
    assert.match(await page.textContent('#cc-enrolments'), /Enrolled/);
    await clean(page, 'my childcare (en)');
    await page.click('#lang');
    assert.deepEqual(realErrors(b.errors), []);
  } finally {
    await b.close();
  }
});

test('staff check the children in, and out with the pickup code; the guardian sees it live', async () => {
  const kids = (await api(srv, 'GET', '/api/me/children', { token: guardian.token })).json.items;
  const ming = kids.find((k) => k.name === '王小明');
  const hong = kids.find((k) => k.name === '王小红');
  const g = await signedIn(guardian, '/childcare');
  const s = await signedIn(staff, '/admin/childcare');
  try {
    await g.page.waitForSelector('#cc-enrolments');
    const { page } = s;
    await page.waitForSelector('#roster');
    assert.match(await page.textContent(`#roster-${ming.id}`), /花生/);
    assert.match(await page.textContent(`#roster-${ming.id}`), /王奶奶/);
    await clean(page, 'roster');
    await page.click(`#in-${ming.id}`);
    await page.waitForSelector(`#roster-${ming.id}[data-state="in"]`);
    await page.click(`#in-${hong.id}`);
    await page.waitForSelector(`#roster-${hong.id}[data-state="in"]`);
    // The guardian sees the arrivals without reloading.
    await g.page.waitForSelector(`#cc-attendance li[data-child="${hong.id}"]`, { timeout: 15000 });

    // A wrong code: refused next to the field.
    const codes = (await api(srv, 'GET', '/api/me/childcare/pickup-codes', { token: guardian.token })).json;
    await page.fill(`#code-${ming.id}`, codes.code === '000000' ? '111111' : '000000');
    await page.click(`#out-${ming.id}`);
    await page.waitForSelector(`#code-${ming.id}-err`);
    assert.equal(await page.evaluate(() => document.activeElement.id), `code-${ming.id}`);
    await clean(page, 'wrong code');
    // The grandmother's code for 小明, then the guardian's for 小红.
    const grandma = codes.children.find((k) => k.id === ming.id).pickup_people[0].code;
    await page.fill(`#code-${ming.id}`, grandma);
    await page.click(`#out-${ming.id}`);
    await page.waitForSelector('#roster-note:has-text("王奶奶")');
    await page.waitForSelector(`#roster-${ming.id}[data-state="out"]`);
    const now = (await api(srv, 'GET', '/api/me/childcare/pickup-codes', { token: guardian.token })).json.code;
    await page.fill(`#code-${hong.id}`, now);
    await page.click(`#out-${hong.id}`);
    await page.waitForSelector(`#roster-${hong.id}[data-state="out"]`);
    await g.page.waitForSelector(`#cc-attendance li[data-child="${hong.id}"][data-out="true"]`, { timeout: 15000 });
    await g.page.waitForSelector(`#cc-attendance li[data-child="${ming.id}"][data-out="true"]`, { timeout: 15000 });
    assert.match(await g.page.textContent(`#cc-attendance li[data-child="${ming.id}"]`), /王奶奶/);
    await page.click('#lang');
    await page.waitForSelector('#page-title:has-text("Childcare check-in")');
    await clean(page, 'roster (en)');
    assert.deepEqual(realErrors(s.errors), []);
    assert.deepEqual(realErrors(g.errors), []);
  } finally {
    await s.close();
    await g.close();
  }
});
