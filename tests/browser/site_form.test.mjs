// The site form as district staff use it (issue 14, item 12): opening
// hours from an editor of days and times with holidays, a preview in words
// and the OSM text in step both ways; errors in the page's language; the
// region from a tree with a search; the position from a pin on the map in
// the map's datum (stored as WGS-84); manager, description, photos and
// "open to everyone". On a 390x844 phone in Chinese and a desktop in
// English, axe clean.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, openBrowser, seriousViolations, smallTargets, pageWidth, screenshot } from './lib/harness.mjs';
import { signInPage, withRole } from './lib/people.mjs';
import { convertPoint } from '../../web/src/geo.js';

let srv;
let b;

before(async () => {
  srv = await startServer({ env: { WARMHARBOR_DEV: '1' } });
  b = await openBrowser({ viewport: { width: 390, height: 844 } });
});
after(async () => {
  await b?.close();
  await srv?.stop();
});

async function pageOk(page, name) {
  assert.deepEqual(await seriousViolations(page), [], `${name}: axe`);
  assert.deepEqual(await smallTargets(page, '#view-page'), [], `${name}: 48px targets`);
  const [w, vw] = await pageWidth(page);
  assert.ok(w <= vw, `${name}: ${w}px wide in ${vw}px`);
  await screenshot(page, `site-form-${name}`, { full: true });
}

const osm = (page) => page.inputValue('#site-opening_hours');

test('a new site: hours from the editor, region from the tree, position from the pin, every field of the API', async () => {
  const { page, errors } = b;
  await page.goto(`${srv.base}/#/admin/sites`);
  await signInPage(page, '13800000000', 'browser-test-password');
  await page.goto(`${srv.base}/#/admin/sites/new`);
  await page.waitForSelector('#hours-editor');
  await page.waitForSelector('#site-pin-map.leaflet-container');
  await pageOk(page, 'new');

  // The editor writes the text: weekdays as given, Saturday mornings, holidays closed.
  assert.equal(await page.isChecked('#hours-Mo'), true);
  assert.equal(await page.isChecked('#hours-Sa'), false);
  await page.check('#hours-Sa');
  await page.fill('#hours-Sa-t', '9-12');
  await page.check('#hours-ph-off');
  await page.click('.hours-expert summary');
  assert.equal(await osm(page), 'Mo-Fr 08:00-18:00; Sa 09:00-12:00; PH off');
  assert.match(await page.textContent('#hours-preview'), /周一至周五\s*08:00–18:00/);
  assert.match(await page.textContent('#hours-preview'), /节假日\s*休息/);
  // ...and reads it back: a later rule overrides a day.
  await page.fill('#site-opening_hours', 'Mo-Su 10:00-20:00; Su off');
  assert.equal(await page.isChecked('#hours-Su'), false);
  assert.equal(await page.isChecked('#hours-Sa'), true);
  assert.equal(await page.inputValue('#hours-We-t'), '10:00-20:00');
  assert.equal(await page.isChecked('#hours-ph-same'), true);
  // What the editor cannot show is kept as typed, and said so.
  await page.fill('#site-opening_hours', 'Mo-Fr 08:00-18:00 "call first"');
  assert.match(await page.textContent('#hours-note'), /编辑器表示不了/);
  assert.equal(await page.isDisabled('#hours-Mo'), true);
  await page.fill('#site-opening_hours', 'Mo-Fr 08:00-20:00; PH off');
  assert.equal(await page.isDisabled('#hours-Mo'), false);
  assert.equal(await page.isChecked('#hours-ph-off'), true);

  // A day's times the page cannot read: said next to the day, in Chinese.
  await page.fill('#site-name_zh', '测试表单驿站');
  await page.selectOption('#site-type', 'community_station');
  await page.fill('#site-lat', '30.2741');
  await page.fill('#site-lon', '120.1551');
  await page.fill('#hours-Tu-t', '八点到六点');
  await page.click('#site-save');
  await page.waitForSelector('#hours-Tu-err');
  assert.match(await page.textContent('#hours-Tu-err'), /不是时间段/);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'hours-Tu-t');
  await page.fill('#hours-Tu-t', '08:00-20:00');

  // The region from the tree: searched, the way down shown.
  const regions = (await srv.api('/api/regions?limit=5000')).json.items;
  const byCode = new Map(regions.map((r) => [r.code, r]));
  const leaf = regions.find((r) => r.parent && byCode.get(r.parent)?.parent && !regions.some((x) => x.parent === r.code));
  await page.click('#site-region');
  await page.waitForSelector('#rp-q');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'rp-q');
  assert.ok((await page.$$('#rp-body .rtree-pick')).length < 20, 'a tree, not one long list');
  await page.fill('#rp-q', leaf.name_zh);
  await page.waitForSelector(`#rp-pick-${leaf.code}`);
  assert.match(await page.textContent(`li[data-code="${leaf.code}"] .rtree-path`), new RegExp(byCode.get(leaf.parent).name_zh));
  await page.click(`#rp-pick-${leaf.code}`);
  await page.waitForSelector('#rp-q', { state: 'detached' });
  assert.match(await page.textContent('#site-region-now'), new RegExp(`${byCode.get(leaf.parent).name_zh} › ${leaf.name_zh}`));
  // Opened again: the tree is open down to it.
  await page.click('#site-region');
  await page.waitForSelector(`#rp-pick-${leaf.code}[aria-pressed="true"]`);
  await pageOk(page, 'region-tree');
  await page.click('#site-region');

  // The pin: a tap on the map fills the numbers in the map's datum.
  const mapDatum = (await srv.api('/api/config')).json.tiles?.datum === 'gcj02' ? 'gcj02' : 'wgs84';
  await page.locator('#site-pin-map').scrollIntoViewIfNeeded();
  const box = await page.locator('#site-pin-map').boundingBox();
  await page.mouse.click(box.x + box.width / 2 + 30, box.y + box.height / 2);
  await page.waitForFunction(() => document.querySelector('#site-lat').value !== '');
  assert.equal(await page.inputValue('#site-datum'), mapDatum);
  assert.match(await page.textContent('#site-pin-note'), /图钉的位置/);
  const typed = { lat: Number(await page.inputValue('#site-lat')), lon: Number(await page.inputValue('#site-lon')) };
  // Typed in another datum, the pin moves to the same place on the map.
  const bd = convertPoint(typed.lat, typed.lon, mapDatum, 'wgs84');
  await page.selectOption('#site-datum', 'wgs84');
  await page.fill('#site-lat', bd.lat.toFixed(6));
  await page.fill('#site-lon', bd.lon.toFixed(6));
  await page.dispatchEvent('#site-lon', 'change');
  const pin = await page.evaluate(() => {
    const m = document.querySelector('#site-pin-map .leaflet-marker-icon');
    return Boolean(m);
  });
  assert.ok(pin, 'the pin is on the map');

  await page.fill('#site-manager', '王站长');
  await page.fill('#site-description', '从东门进，二楼左手。');
  await page.fill('#site-photos', 'https://example.org/a.jpg\nnot a url');
  await page.check('#site-public');
  await page.click('#site-save');
  await page.waitForSelector('#site-photos-err');
  assert.match(await page.textContent('#site-photos-err'), /网址/);
  await page.fill('#site-photos', 'https://example.org/a.jpg\nhttps://example.org/b.jpg');
  // Hours the server refuses: its stable code, in Chinese (not the parser's English).
  await page.fill('#site-opening_hours', 'Mo-Xy 08:00-20:00');
  await page.click('#site-save');
  await page.waitForSelector('#site-opening_hours-err');
  const herr = await page.textContent('#site-opening_hours-err');
  assert.match(herr, /营业时间的写法不对/);
  assert.doesNotMatch(herr, /[A-Za-z]{4,}/);
  await page.fill('#site-opening_hours', 'Mo-Fr 08:00-20:00; PH off');
  await page.click('#site-save');
  await page.waitForSelector('#sites-panel .form-ok');
  const row = page.locator('#site-rows li', { hasText: '测试表单驿站' });
  const id = Number(await row.getAttribute('data-id'));
  const s = (await srv.api(`/api/sites/${id}`)).json;
  assert.equal(s.opening_hours, 'Mo-Fr 08:00-20:00; PH off');
  assert.equal(s.region, leaf.code);
  assert.equal(s.manager, '王站长');
  assert.equal(s.description, '从东门进，二楼左手。');
  assert.deepEqual(s.photos, ['https://example.org/a.jpg', 'https://example.org/b.jpg']);
  assert.equal(s.public, true);
  assert.ok(Math.abs(s.position.lat - bd.lat) < 1e-5 && Math.abs(s.position.lon - bd.lon) < 1e-5, JSON.stringify(s.position));

  // Edited: the fields come back; one change is one change.
  await page.goto(`${srv.base}/#/admin/sites/${id}`);
  await page.waitForSelector('#hours-editor');
  assert.equal(await page.inputValue('#site-manager'), '王站长');
  assert.equal(await page.isChecked('#site-public'), true);
  assert.equal(await page.inputValue('#hours-Mo-t'), '08:00-20:00');
  assert.equal(await page.isChecked('#hours-ph-off'), true);
  await page.check('#hours-ph-same');
  await page.click('#site-save');
  await page.waitForSelector('#sites-panel .form-ok');
  const s2 = (await srv.api(`/api/sites/${id}`)).json;
  assert.equal(s2.opening_hours, 'Mo-Fr 08:00-20:00');
  assert.equal(s2.description, s.description);
  // The answers the test asked for (not signed in yet; the refused saves) only.
  assert.deepEqual(errors.filter((e) => !/status of (401|422)/.test(e)), []);
});

test('in English on a desktop: the editor, the preview and the errors', async () => {
  const { page } = b;
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(`${srv.base}/#/admin/sites/new`);
  await page.waitForSelector('#hours-editor');
  await page.click('#lang');
  await page.waitForSelector('#hours-editor legend:has-text("Days and times open")');
  assert.match(await page.textContent('#hours-preview'), /Mon–Fri/);
  assert.equal((await page.textContent('#site-region')).trim(), 'Choose region');
  await page.fill('#hours-Mo-t', 'eight to six');
  await page.click('#site-save');
  await page.waitForSelector('#hours-Mo-err');
  assert.match(await page.textContent('#hours-Mo-err'), /is not a time range/);
  await pageOk(page, 'desktop-en');
  await page.click('#lang');
});

test('a region admin is offered their own regions and places only', async () => {
  const regions = (await srv.api('/api/regions?limit=5000')).json.items;
  const streets = regions.filter((r) => r.level === 'street');
  const [mine, theirs] = streets;
  const ra = await withRole(srv, 'region_admin', 'region', mine.code, '冯区管');
  const rb = await openBrowser({ viewport: { width: 390, height: 844 } });
  try {
    const { page } = rb;
    await page.goto(`${srv.base}/#/`);
    await signInPage(page, ra.phone, ra.password);
    await page.goto(`${srv.base}/#/admin/sites/new`);
    await page.waitForSelector('#hours-editor');
    await page.fill('#site-name_zh', '区管新驿站');
    await page.selectOption('#site-type', 'community_station');
    await page.fill('#site-lat', '30.2741');
    await page.fill('#site-lon', '120.1551');
    await page.click('#site-save');
    await page.waitForSelector('#site-region-err');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'site-region');
    await page.click('#site-region');
    assert.equal(await page.$('#rp-pick-none'), null, 'no "no region" for a region admin');
    await page.fill('#rp-q', theirs.code);
    await page.waitForSelector(`#rp-name-${theirs.code}`);
    assert.equal(await page.$(`#rp-pick-${theirs.code}`), null);
    await page.fill('#rp-q', mine.code);
    await page.click(`#rp-pick-${mine.code}`);
    await page.click('#site-save');
    await page.waitForSelector('#sites-panel .form-ok');
    assert.equal((await srv.api(`/api/sites?q=${encodeURIComponent('区管新驿站')}`)).json.items[0].region, mine.code);
    // Someone else's place: no edit or delete in the list, no form by its URL.
    const other = (await srv.api(`/api/sites?region=${theirs.code}&limit=1`)).json.items[0];
    await page.fill('#sites-q', other.name_zh);
    await page.click('#sites-search');
    await page.waitForSelector(`#site-${other.id}-notyours`);
    assert.equal(await page.$(`#site-${other.id}-delete`), null);
    await page.goto(`${srv.base}/#/admin/sites/${other.id}`);
    await page.waitForSelector('.form-alert');
    assert.match(await page.textContent('.form-alert'), /不在你管理的区域/);
    assert.equal(await page.$('#site-form'), null);
  } finally {
    await rb.close();
  }
});
