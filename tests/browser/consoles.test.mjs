// The consoles of issue 14, item 13, each as the role that uses it: staff
// see "my sites" first and change their site's live status and closure;
// the holiday calendar; the audit log with filters in the URL; the region
// tree (rename, move, add below, boundary import), region admins only in
// their subtree; site types and amenities; CSV export and import with the
// refused rows in a table. Each offers only what the role may do. On a
// 390x844 phone in Chinese and a desktop in English, axe clean.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, openBrowser, seriousViolations, smallTargets, pageWidth, screenshot, ADMIN_TOKEN } from './lib/harness.mjs';
import { withRole, signInPage, api } from './lib/people.mjs';

let srv;
const open = [];

before(async () => {
  srv = await startServer({ env: { WARMHARBOR_DEV: '1' } });
});
after(async () => {
  for (const b of open) await b.close();
  await srv?.stop();
});

async function browserAs(phone, password) {
  const b = await openBrowser({ viewport: { width: 390, height: 844 } });
  open.push(b);
  await b.page.goto(`${srv.base}/#/`);
  await signInPage(b.page, phone, password);
  return b;
}
const asSystemAdmin = () => browserAs('13800000000', 'browser-test-password');

async function phoneOk(page, name) {
  assert.deepEqual(await seriousViolations(page), [], `${name}: axe`);
  assert.deepEqual(await smallTargets(page, '#view-page'), [], `${name}: 48px targets`);
  const [w, vw] = await pageWidth(page);
  assert.ok(w <= vw, `${name}: ${w}px wide in ${vw}px`);
  await screenshot(page, `console-${name}`, { full: true });
}

/** The same page in English on a desktop, axe clean; back to Chinese after. */
async function desktopEnglish(page, name, ready, words) {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.click('#lang');
  await page.waitForSelector(ready);
  assert.match(await page.textContent('#view-page'), words, `${name}: English`);
  assert.deepEqual(await seriousViolations(page), [], `${name}: axe (en)`);
  const [w, vw] = await pageWidth(page);
  assert.ok(w <= vw, `${name}: ${w}px wide in ${vw}px (desktop)`);
  await screenshot(page, `console-${name}-en`, { full: true });
  await page.click('#lang');
  await page.setViewportSize({ width: 390, height: 844 });
}

const admin = (m, p, json) => api(srv, m, p, { token: ADMIN_TOKEN, json });

test('staff land on "my sites" and change their site’s live status and closure, nothing else', async () => {
  const amenities = (await srv.api('/api/amenities')).json.items;
  const counted = new Set(amenities.filter((a) => a.kind === 'counted').map((a) => a.code));
  const sites = (await srv.api('/api/sites?limit=200')).json.items;
  const site = sites.find((s) => s.status === 'operational' && s.amenities.some((a) => counted.has(a.code)) && s.amenities.some((a) => !counted.has(a.code)));
  const other = sites.find((s) => s.id !== site.id);
  const staff = await withRole(srv, 'staff', 'site', site.id, '周站员');
  const { page } = await browserAs(staff.phone, staff.password);
  await page.reload();
  await page.click('#nav-admin');
  await page.waitForSelector('#ms-list');
  assert.equal(new URL(page.url()).hash, '#/mysites');
  assert.deepEqual(await page.$$eval('#ms-list li', (l) => l.map((li) => Number(li.dataset.id))), [site.id]);
  // Staff have no catalogue, region, holiday-editing, import or audit controls.
  for (const tab of ['#tab-sites', '#tab-regions', '#tab-sitetypes', '#tab-amenities', '#tab-audit']) assert.equal(await page.$(tab), null, tab);
  assert.ok(await page.$('#tab-people'));
  await phoneOk(page, 'mysites');

  await page.click(`#ms-${site.id}-open`);
  await page.waitForSelector('#ms-values');
  const c = site.amenities.find((a) => counted.has(a.code));
  const b = site.amenities.find((a) => !counted.has(a.code));
  await page.fill(`#ms-av-${c.code}`, '1');
  await page.uncheck(`#ms-wk-${b.code}`);
  await page.click('#ms-values-save');
  await page.waitForSelector('#ms-note');
  const live = (await srv.api(`/api/sites/${site.id}/status`)).json;
  assert.equal(live.amenities.find((a) => a.code === c.code).available, 1);
  assert.equal(live.amenities.find((a) => a.code === b.code).working, false);
  await phoneOk(page, 'mysite');

  // A closure needs a reason; then the site is closed, and opened again.
  await page.click('#ms-close');
  await page.waitForSelector('#ms-reason-err');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'ms-reason');
  await page.fill('#ms-reason', '停电检修');
  await page.click('#ms-close');
  await page.waitForSelector('#ms-reopen');
  let s = (await srv.api(`/api/sites/${site.id}`)).json;
  assert.deepEqual([s.status, s.status_reason], ['temporarily_closed', '停电检修']);
  assert.match(await page.textContent('#ms-closed-now'), /停电检修/);
  await desktopEnglish(page, 'mysite', '#ms-values-h:has-text("How things are now")', /Open again/);
  await page.click('#ms-reopen');
  await page.waitForSelector('#ms-reopen', { state: 'detached' });
  s = (await srv.api(`/api/sites/${site.id}`)).json;
  assert.equal(s.status, 'operational');

  // Someone else's site: said so, no form to send.
  await page.goto(`${srv.base}/#/mysites/${other.id}`);
  await page.waitForSelector('.form-alert');
  assert.match(await page.textContent('.form-alert'), /不归你管/);
  assert.equal(await page.$('#ms-values'), null);
  assert.equal(await page.$('#ms-closure'), null);
});

test('holidays: the system admin adds a holiday and a make-up workday and deletes one; staff only look', async () => {
  const year = new Date().getUTCFullYear() + 1;
  const { page } = await asSystemAdmin();
  await page.goto(`${srv.base}/#/holidays/${year}`);
  await page.waitForSelector('#hol-form');
  await page.fill('#hol-name_zh', '测试节');
  await page.click('#hol-save');
  await page.waitForSelector('#hol-date-err');
  await page.fill('#hol-date', `${year}-10-01`);
  await page.click('#hol-save');
  await page.waitForSelector(`li[data-date="${year}-10-01"]`);
  await page.fill('#hol-date', `${year}-10-11`);
  await page.selectOption('#hol-kind', 'workday');
  await page.selectOption('#hol-as_weekday', '3');
  await page.fill('#hol-name_zh', '测试调休');
  await page.click('#hol-save');
  await page.waitForSelector(`li[data-date="${year}-10-11"]`);
  assert.match(await page.textContent(`li[data-date="${year}-10-11"]`), /按周三安排/);
  const days = (await srv.api(`/api/holidays?year=${year}`)).json.items;
  assert.deepEqual(
    days.filter((d) => d.date.endsWith('-10-01') || d.date.endsWith('-10-11')).map((d) => [d.date, d.kind, d.as_weekday]),
    [
      [`${year}-10-01`, 'holiday', 0],
      [`${year}-10-11`, 'workday', 3],
    ],
  );
  await phoneOk(page, 'holidays');
  await page.click(`#hol-${year}-10-01-del`);
  await page.waitForSelector(`#hol-${year}-10-01-yes`);
  await page.click(`#hol-${year}-10-01-yes`);
  await page.waitForSelector(`li[data-date="${year}-10-01"]`, { state: 'detached' });
  assert.ok(!(await srv.api(`/api/holidays?year=${year}`)).json.items.some((d) => d.date === `${year}-10-01`));
  await desktopEnglish(page, 'holidays', '#hol-title:has-text("Holidays and make-up workdays")', /Make-up workday, run as a Wed/);

  const site = (await srv.api('/api/sites?limit=1')).json.items[0];
  const staff = await withRole(srv, 'staff', 'site', site.id, '钱站员');
  const sb = await browserAs(staff.phone, staff.password);
  await sb.page.goto(`${srv.base}/#/holidays/${year}`);
  await sb.page.waitForSelector('#hol-readonly');
  assert.equal(await sb.page.$('#hol-form'), null);
  assert.equal(await sb.page.$(`#hol-${year}-10-11-del`), null);
  assert.match(await sb.page.textContent('#hol-list'), /测试调休/);
  await phoneOk(sb.page, 'holidays-staff');
});

test('the audit log: filters in the URL, Back undoes one; only system admins have it', async () => {
  // Something to find: a role granted (audited as grant_role).
  const site = (await srv.api('/api/sites?limit=1')).json.items[0];
  const staff = await withRole(srv, 'staff', 'site', site.id, '孙站员');
  const { page } = await asSystemAdmin();
  await page.reload();
  await page.goto(`${srv.base}/#/audit`);
  await page.waitForSelector('#audit-table');
  const actions = await page.$$eval('#audit-action option', (o) => o.map((x) => x.value).filter(Boolean));
  assert.ok(actions.includes('grant_role'), actions.join());
  const all = await page.$$eval('#audit-table tbody tr', (r) => r.length);
  await page.selectOption('#audit-action', 'grant_role');
  await page.click('#audit-apply');
  await page.waitForFunction(() => location.hash === '#/audit?action=grant_role');
  await page.waitForSelector('#audit-table');
  const rows = await page.$$eval('#audit-table tbody tr', (r) => r.map((x) => x.dataset.action));
  assert.ok(rows.length >= 1 && rows.every((a) => a === 'grant_role'), rows.join());
  assert.ok(rows.length < all, 'fewer after filtering');
  await page.fill('#audit-q', `${staff.id}`);
  await page.click('#audit-apply');
  await page.waitForFunction(() => location.hash.includes('q='));
  await page.waitForSelector('#audit-table');
  assert.match(await page.textContent('#audit-table tbody'), new RegExp(`${staff.id}`));
  await phoneOk(page, 'audit');
  await page.goBack();
  await page.waitForFunction(() => location.hash === '#/audit?action=grant_role');
  await page.waitForSelector('#audit-table');
  assert.equal(await page.inputValue('#audit-q'), '');
  await desktopEnglish(page, 'audit', '#audit-title:has-text("Audit log")', /\d+ entries\.|Showing \d+; there are older ones/);

  const sb = await browserAs(staff.phone, staff.password);
  await sb.page.goto(`${srv.base}/#/audit`);
  await sb.page.waitForSelector('.form-alert');
  assert.match(await sb.page.textContent('.form-alert'), /只有系统管理员/);
  assert.equal(await sb.page.$('#tab-audit'), null);
  assert.equal(await sb.page.$('#audit-table'), null);
});

test('regions: a region admin renames, adds below, moves within their subtree and imports a boundary; elsewhere they only look', async () => {
  const regions = (await srv.api('/api/regions?limit=5000')).json.items;
  const kids = (code) => regions.filter((r) => r.parent === code);
  // A street with at least two communities; the admin is the street's.
  const district = regions.find((r) => r.level === 'street' && kids(r.code).length >= 2);
  const outside = regions.find((r) => r.level === 'street' && r.code !== district.code);
  const [streetA, streetB] = kids(district.code);
  const ra = await withRole(srv, 'region_admin', 'region', district.code, '李区管');
  const { page } = await browserAs(ra.phone, ra.password);
  await page.reload();
  await page.goto(`${srv.base}/#/regions`);
  await page.waitForSelector(`#rg-pick-${district.code}`);
  assert.ok((await page.$$('#rg-body .rtree-pick')).length < regions.length / 2, 'a tree, opened down to their own region only');
  await phoneOk(page, 'regions');
  await page.fill('#rg-q', streetA.name_zh);
  await page.click(`#rg-pick-${streetA.code}`);
  await page.waitForSelector('#rg-names');

  // Rename; add a community below; move it to the other street.
  await page.fill('#rg-name_en', 'Renamed street');
  await page.click('#rg-save');
  await page.waitForSelector('#rg-msg .form-ok');
  assert.equal((await srv.api(`/api/regions/${streetA.code}`)).json.name_en, 'Renamed street');
  await page.fill('#rg-child_code', 'T-NEW-1');
  await page.fill('#rg-child_name_zh', '测试新网格');
  await page.click('#rg-child-save');
  await page.waitForSelector('#rg-msg .form-ok');
  assert.equal((await srv.api('/api/regions/T-NEW-1')).json.parent, streetA.code);
  await page.goto(`${srv.base}/#/regions/T-NEW-1`);
  await page.waitForSelector('#rg-move');
  await page.click('#rg-move');
  await page.fill('#rgm-q', streetB.code);
  await page.click(`#rgm-pick-${streetB.code}`);
  await page.waitForSelector('#rg-msg .form-ok');
  assert.equal((await srv.api('/api/regions/T-NEW-1')).json.parent, streetB.code);
  // A region not theirs, or the region itself, is shown but not offered.
  await page.click('#rg-move');
  await page.fill('#rgm-q', outside.code);
  await page.waitForSelector(`#rgm-name-${outside.code}`);
  assert.equal(await page.$(`#rgm-pick-${outside.code}`), null);
  await page.fill('#rgm-q', 'T-NEW-1');
  await page.waitForSelector('#rgm-name-T-NEW-1');
  assert.equal(await page.$('#rgm-pick-T-NEW-1'), null);
  await page.click('#rg-move');

  // A boundary: bad JSON said in words; a polygon imported and drawn.
  await page.fill('#rg-geojson', '{"type": "Polygon"');
  await page.click('#rg-b-save');
  await page.waitForSelector('#rg-geojson-err');
  const ring = [
    [120.1, 30.2],
    [120.2, 30.2],
    [120.2, 30.3],
    [120.1, 30.3],
    [120.1, 30.2],
  ];
  await page.fill('#rg-geojson', JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: {}, geometry: { type: 'Polygon', coordinates: [ring] } }] }));
  await page.click('#rg-b-save');
  await page.waitForSelector('#rg-bmap.leaflet-container');
  assert.match(await page.textContent('#rg-b-info'), /Polygon，5 个点/);
  assert.equal((await srv.api('/api/regions/T-NEW-1/boundary')).status, 200);
  await phoneOk(page, 'region');
  await desktopEnglish(page, 'region', '#rg-b-h:has-text("Boundary")', /Polygon, 5 points/);
  await page.click('#rg-b-del');
  await page.click('#rg-b-del-yes');
  await page.waitForSelector('#rg-b-none');
  assert.equal((await srv.api('/api/regions/T-NEW-1/boundary')).status, 404);

  // Nothing below it: it can be deleted, after a question; the page goes up to its parent.
  await page.click('#rg-del');
  await page.waitForSelector('#rg-del-yes');
  await page.click('#rg-del-yes');
  await page.waitForFunction((code) => location.hash === `#/regions/${code}`, streetB.code);
  await page.waitForSelector('#rg-msg .form-ok');
  assert.match(await page.textContent('#rg-msg'), /已删除“测试新网格”/);
  assert.equal((await srv.api('/api/regions/T-NEW-1')).status, 404);
  assert.equal(await page.$('#rg-del'), null, 'a region with regions below is not offered for deletion');

  // Outside their subtree: no forms at all.
  await page.goto(`${srv.base}/#/regions/${outside.code}`);
  await page.waitForSelector('#rg-readonly');
  for (const sel of ['#rg-names', '#rg-move', '#rg-child', '#rg-b-form', '#rg-del']) assert.equal(await page.$(sel), null, sel);
});

test('site types and amenities: the system admin adds, changes and deletes; a type in use is refused in words', async () => {
  const { page } = await asSystemAdmin();
  await page.goto(`${srv.base}/#/sitetypes`);
  await page.waitForSelector('#ty-form');
  await page.fill('#ty-code', 'bad code!');
  await page.click('#ty-save');
  await page.waitForSelector('#ty-code-err');
  // A code that is taken: said next to the code, in Chinese.
  await page.fill('#ty-code', 'community_station');
  await page.fill('#ty-name_zh', '重复');
  await page.click('#ty-save');
  await page.waitForSelector('#ty-code-err');
  assert.match(await page.textContent('#ty-code-err'), /已经有了/);
  await page.fill('#ty-code', 'test_kiosk');
  await page.fill('#ty-name_zh', '测试亭');
  await page.selectOption('#ty-tier', '2');
  await page.click('#ty-save');
  await page.waitForSelector('li[data-code="test_kiosk"]');
  assert.deepEqual((({ name_zh, tier }) => ({ name_zh, tier }))((await srv.api('/api/site-types/test_kiosk')).json), { name_zh: '测试亭', tier: 2 });
  await page.click('#ty-test_kiosk-edit');
  await page.fill('#ty-name_en', 'Test kiosk');
  await page.click('#ty-save');
  await page.waitForSelector('#ty-msg .form-ok');
  assert.equal((await srv.api('/api/site-types/test_kiosk')).json.name_en, 'Test kiosk');
  await phoneOk(page, 'sitetypes');
  // A type still used by places cannot go.
  const used = (await srv.api('/api/sites?limit=1')).json.items[0].type;
  await page.click(`#ty-${used}-del`);
  await page.click(`#ty-${used}-yes`);
  await page.waitForSelector('#ty-msg .form-alert');
  assert.match(await page.textContent('#ty-msg'), /还有地点在用/);
  await page.click('#ty-test_kiosk-del');
  await page.click('#ty-test_kiosk-yes');
  await page.waitForSelector('li[data-code="test_kiosk"]', { state: 'detached' });
  assert.equal((await srv.api('/api/site-types/test_kiosk')).status, 404);
  await desktopEnglish(page, 'sitetypes', '#ty-title:has-text("Site types")', /A type still used by a place cannot be deleted/);

  await page.goto(`${srv.base}/#/amenities`);
  await page.waitForSelector('#am-form');
  await page.fill('#am-code', 'test_lockers');
  await page.fill('#am-name_zh', '测试储物柜');
  await page.selectOption('#am-kind', 'counted');
  await page.fill('#am-icon', 'locker');
  await page.click('#am-save');
  await page.waitForSelector('li[data-code="test_lockers"]');
  const a = (await srv.api('/api/amenities/test_lockers')).json;
  assert.deepEqual([a.kind, a.icon], ['counted', 'locker']);
  await phoneOk(page, 'amenities');
  await desktopEnglish(page, 'amenities', '#am-title:has-text("Amenities")', /Counted \(takes a number\)/);

  // Staff and region admins have neither.
  const region = (await srv.api('/api/regions?limit=1')).json.items[0];
  const ra = await withRole(srv, 'region_admin', 'region', region.code, '吴区管');
  const rb = await browserAs(ra.phone, ra.password);
  await rb.page.goto(`${srv.base}/#/sitetypes`);
  await rb.page.waitForSelector('.form-alert');
  assert.equal(await rb.page.$('#ty-form'), null);
  await rb.page.goto(`${srv.base}/#/regions`);
  await rb.page.waitForSelector('#tab-regions');
  assert.equal(await rb.page.$('#tab-sitetypes'), null);
  assert.equal(await rb.page.$('#tab-amenities'), null);
});

test('CSV: export for everyone in the console; the system admin’s import shows refused rows by row and column, then imports', async () => {
  const { page } = await asSystemAdmin();
  await page.goto(`${srv.base}/#/csv`);
  await page.waitForSelector('#csv-form');
  const href = await page.getAttribute('#csv-export', 'href');
  const exp = await page.evaluate(async (u) => {
    const r = await fetch(u);
    return { status: r.status, type: r.headers.get('content-type'), head: (await r.text()).split('\n')[0] };
  }, href);
  assert.equal(exp.status, 200);
  assert.match(exp.type, /text\/csv/);
  assert.match(exp.head, /^id,name_zh,/);
  // Nothing chosen: said so.
  await page.click('#csv-import');
  await page.waitForSelector('#csv-result .form-alert');
  const bad = 'name_zh,type,lat,lon\n测试导入一,community_station,30.27,120.15\n测试导入二,no_such_type,30.27,120.15\n测试导入三,community_station,91,120.15\n';
  await page.setInputFiles('#csv-file', { name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
  await page.click('#csv-import');
  await page.waitForSelector('#csv-errors');
  const cells = await page.$$eval('#csv-errors tbody tr', (r) => r.map((x) => [Number(x.dataset.row), x.dataset.column, x.dataset.code]));
  assert.deepEqual(
    cells.map(([row, col]) => [row, col]),
    [
      [3, 'type'],
      [4, 'lat'],
    ],
  );
  assert.match(await page.textContent('#csv-errors'), /没有这个地点类型/);
  assert.match(await page.textContent('#csv-result'), /什么都没有导入/);
  assert.equal((await srv.api(`/api/sites?q=${encodeURIComponent('测试导入')}`)).json.total, 0);
  await phoneOk(page, 'csv');
  await desktopEnglish(page, 'csv', '#csv-import-h:has-text("Import places")', /There is no such site type/);
  const good = 'name_zh,type,lat,lon\n测试导入一,community_station,30.27,120.15\n测试导入二,community_station,30.28,120.16\n';
  await page.setInputFiles('#csv-file', { name: 'good.csv', mimeType: 'text/csv', buffer: Buffer.from(good) });
  await page.click('#csv-import');
  await page.waitForSelector('#csv-result .form-ok');
  assert.match(await page.textContent('#csv-result'), /已导入 2 行/);
  assert.equal((await srv.api(`/api/sites?q=${encodeURIComponent('测试导入')}`)).json.total, 2);

  const site = (await srv.api('/api/sites?limit=1')).json.items[0];
  const staff = await withRole(srv, 'staff', 'site', site.id, '郑站员');
  const sb = await browserAs(staff.phone, staff.password);
  await sb.page.goto(`${srv.base}/#/csv`);
  await sb.page.waitForSelector('#csv-import-none');
  assert.ok(await sb.page.$('#csv-export'));
  assert.equal(await sb.page.$('#csv-form'), null);
});
