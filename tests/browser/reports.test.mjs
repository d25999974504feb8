// Grid reports in the browser: a courier on a phone reports road damage
// with a photo, and before sending sees another worker's open report of
// the same kind nearby and says "me too" to it; a file that is no photo
// gets the server's 415 in plain words next to it. The grid's manager
// finds the report in the console (filters in the URL), opens it and
// moves it to fixed (Back closes the action's form first); the courier
// re-opens it from "my reports". The map's reports layer (its chip, and
// ?reports=1 in the URL) shows the report with no trace of who made it.
// Chinese and English, axe clean, no sideways scroll at 390x844.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import pngjs from 'pngjs';
import { startServer, openBrowser, seriousViolations, pageWidth, smallTargets } from './lib/harness.mjs';
import { workerByApi, workerInPage, withRole, signInPage, tokenFor, api } from './lib/people.mjs';

const { PNG } = pngjs;
const PHONE = { viewport: { width: 390, height: 844 } };
// HZ-XN-01-G1 (demo): lon 119.1925..119.1975, lat 34.569..34.575
const IN_G1 = { lat: 34.572, lon: 119.194 };
const NEAR_G1 = { lat: 34.5722, lon: 119.1942 }; // ~30 m away

let srv;
let other; // a worker who reported first
let otherReport;
let courier; // {id, phone, name}
let courierBrowser;
let myReport; // the courier's report id
let manager;

function photo() {
  const png = new PNG({ width: 64, height: 48 });
  for (let i = 0; i < 64 * 48; i++) png.data.set([120, 90, 60, 255], i * 4);
  return PNG.sync.write(png);
}

/** A desktop browser signed in as p (a password), at path. */
async function deskBrowser(p, path) {
  const b = await openBrowser({ viewport: { width: 1280, height: 900 } });
  await b.page.goto(`${srv.base}/#/`);
  await signInPage(b.page, p.phone, p.password);
  await b.page.evaluate(() => navigator.serviceWorker.ready.then(() => true)); // active before the reload
  await b.page.reload(); // the page learns of the session (and the worker controls it)
  await b.page.goto(`${srv.base}/#${path}`);
  return b;
}

const realErrors = (errors) => errors.filter((e) => !/Failed to load resource: the server responded with a status of (401|404|409|413|415|422)/.test(e));

before(async () => {
  srv = await startServer({ env: { WARMHARBOR_DEV: '1' } });
  other = await workerByApi(srv, '赵师傅');
  const r = await api(srv, 'POST', '/api/reports', {
    token: other.token,
    json: { category: 'road_damage', position: IN_G1, description: '路中间有个大坑', attributes: { size: 'large' } },
  });
  assert.equal(r.status, 201, r.text);
  otherReport = r.json.id;
  manager = await withRole(srv, 'grid_manager', 'region', 'HZ-XN-01-G1', '网格员老陈');
});
after(async () => {
  await courierBrowser?.close();
  await srv?.stop();
});

test('a courier reports with a photo and says "me too" to the open report nearby', async () => {
  courierBrowser = await openBrowser({ ...PHONE, geolocation: { latitude: NEAR_G1.lat, longitude: NEAR_G1.lon, accuracy: 12 }, permissions: ['geolocation'] });
  const { page } = courierBrowser;
  await page.goto(`${srv.base}/#/`);
  courier = await workerInPage(srv, page, '刘骑手');
  await page.reload(); // the page learns of the new session
  await page.goto(`${srv.base}/#/reports/new`);
  await page.waitForSelector('#report-form');
  assert.equal(await page.title(), '上报问题 - 暖新地图');

  // Nothing chosen: said next to the fields, the first one focused.
  await page.click('#rp-send');
  await page.waitForSelector('#rp-category-err');
  assert.match(await page.textContent('#rp-category-err'), /请选一个问题类别/);

  // The category's own questions come from the API.
  await page.click('label[for="rp-cat-road_damage"]');
  await page.waitForSelector('#rp-q-size');
  assert.match(await page.textContent('#rp-q-size legend'), /破损有多大/);
  await page.click('label[for="rp-q-size-medium"]');

  // The phone's position; the pin moves there; the nearby open report shows.
  await page.click('#rp-locate');
  await page.waitForSelector(`#metoo-${otherReport}`);
  const point = await page.getAttribute('#rp-place-note', 'data-point');
  assert.equal(point, `${NEAR_G1.lat.toFixed(6)},${NEAR_G1.lon.toFixed(6)}`);
  assert.equal(await page.getAttribute('#rp-pinmap', 'data-pin'), point);
  assert.match(await page.textContent(`#report-${otherReport}`), /道路破损/);
  assert.deepEqual(await seriousViolations(page), []);
  assert.deepEqual(await smallTargets(page, '#report-form'), [], '48px targets');
  const [w, vw] = await pageWidth(page);
  assert.ok(w <= vw, `no sideways scroll: ${w} > ${vw}`);

  // "me too" instead of a duplicate: counted on the server.
  await page.click(`#metoo-${otherReport}`);
  await page.waitForSelector(`#metoo-${otherReport}-done`);
  const seen = await api(srv, 'GET', `/api/reports/${otherReport}`);
  assert.equal(seen.json.me_too, 1);

  // Not a photo: the browser cannot read it, the server refuses it (415),
  // said next to that photo.
  await page.fill('#rp-description', '井盖旁边的路面也裂了');
  await page.setInputFiles('#rp-photo-input', { name: 'notes.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('these are notes, not a photo') });
  await page.waitForSelector('#rp-previews li[data-i="0"]');
  await page.click('#rp-send');
  await page.waitForSelector('#rp-photo-0-err');
  assert.match(await page.textContent('#rp-photo-0-err'), /不是能用的照片/);
  await page.click('#rp-photo-0-remove');

  // A real photo: previewed here, sent, and the report's page opens.
  await page.setInputFiles('#rp-photo-input', { name: 'road.png', mimeType: 'image/png', buffer: photo() });
  await page.waitForSelector('#rp-previews img');
  await page.click('#rp-send');
  await page.waitForFunction(() => /^#\/reports\/\d+$/.test(location.hash));
  myReport = Number(/#\/reports\/(\d+)$/.exec(page.url())[1]);
  await page.waitForSelector('#rp-status[data-status="open"]');
  assert.equal(await page.textContent('#rp-grid'), (await api(srv, 'GET', `/api/reports/${myReport}`)).json.grid.name_zh);
  assert.equal(await page.locator('.rp-photos img').count(), 1);
  const mine = (await api(srv, 'GET', `/api/reports/${myReport}`)).json;
  assert.equal(mine.photos.length, 1);
  assert.equal(mine.description, '井盖旁边的路面也裂了');
  assert.deepEqual(mine.attributes, { size: 'medium' });
  assert.deepEqual(await seriousViolations(page), []);
  assert.deepEqual(realErrors(courierBrowser.errors), []);
});

test('the grid manager finds the report in the console and moves it to fixed', async () => {
  assert.ok(myReport, 'the first test made the report');
  const b = await deskBrowser(manager, '/admin/reports?category=road_damage');
  const { page } = b;
  try {
    await page.waitForSelector(`#rq-list #report-${myReport}`);
    assert.equal(await page.inputValue('#rq-category'), 'road_damage');
    // Both open road reports of the grid, no other category.
    const ids = await page.$$eval('#rq-list li', (ls) => ls.map((l) => Number(l.dataset.id)));
    assert.ok(ids.includes(otherReport));
    // The overdue filter goes into the URL; nothing is overdue yet.
    await page.check('#rq-overdue');
    await page.waitForSelector('#rq-none');
    assert.match(page.url(), /overdue=1/);
    await page.uncheck('#rq-overdue');
    await page.waitForSelector(`#rq-list #report-${myReport}`);
    assert.deepEqual(await seriousViolations(page), []);

    await page.click(`#report-${myReport} a`);
    await page.waitForSelector('#rp-handle');
    // Confirm (another person's report) and the workflow's next states.
    await page.click('#rp-confirm');
    await page.waitForSelector('#rp-verification');
    assert.ok(await page.isVisible('#rp-to-acknowledged'));
    // Back closes the form an action opened, not the report.
    await page.click('#rp-to-fixed');
    await page.waitForSelector('#rp-action[data-to="fixed"]');
    const url = page.url();
    await page.goBack();
    await page.waitForSelector('#rp-action', { state: 'detached' });
    assert.equal(page.url(), url);
    await page.click('#rp-to-fixed');
    await page.fill('#rp-act-comment', '已经补好了');
    await page.fill('#rp-act-note', '施工队周二处理');
    await page.click('#rp-act-submit');
    await page.waitForSelector('#rp-status[data-status="fixed"]');
    // The internal note is shown to handlers, marked as such.
    assert.equal(await page.locator('.rp-tl[data-internal="true"]').count(), 1);
    // A public reply with a photo of the repair.
    await page.click('#rp-comment');
    await page.fill('#rp-act-comment', '修好后的照片');
    await page.setInputFiles('#rp-act-photo', { name: 'fixed.png', mimeType: 'image/png', buffer: photo() });
    await page.waitForSelector('#rp-action .rp-previews img');
    await page.click('#rp-act-submit');
    await page.waitForSelector('.rp-tl[data-kind="comment"][data-internal="false"] .rp-photos img');
    assert.deepEqual(await seriousViolations(page), []);
    // The service worker keeps public answers for offline use, but never
    // a report as its handler sees it (contact, internal notes) nor the queue.
    assert.ok(await page.evaluate(() => Boolean(navigator.serviceWorker.controller)), 'the worker controls the page');
    const kept = await page.evaluate(async () => {
      const out = [];
      for (const n of await caches.keys()) for (const r of await (await caches.open(n)).keys()) out.push(new URL(r.url).pathname);
      return out;
    });
    assert.ok(kept.includes('/api/report-categories'), `public answers are kept: ${kept.join(' ')}`);
    assert.deepEqual(kept.filter((x) => /^\/api\/(reports\/(\d|queue|nearby)|report-photos)/.test(x)), []);
    await page.click('#lang');
    await page.waitForSelector('#rp-status:has-text("Fixed")');
    assert.deepEqual(await seriousViolations(page), []);
    assert.deepEqual(realErrors(b.errors), []);
  } finally {
    await b.close();
  }
  const pub = (await api(srv, 'GET', `/api/reports/${myReport}`)).json;
  assert.equal(pub.status, 'fixed');
  assert.equal(pub.timeline.some((e) => e.internal), false, 'the public never see the internal note');
  const reply = pub.timeline.find((e) => e.kind === 'comment');
  assert.equal(reply.body, '修好后的照片');
  assert.equal(reply.photos.length, 1);
});

test('the reporter sees it fixed in "my reports" and re-opens it', async () => {
  assert.ok(myReport);
  const { page } = courierBrowser;
  await page.goto(`${srv.base}/#/reports/mine`);
  await page.waitForSelector(`#my-reports #report-${myReport}`);
  assert.equal(await page.getAttribute(`#report-${myReport}`, 'data-status'), 'fixed');
  assert.match(await page.textContent(`#report-${myReport}`), /可以重新打开/);
  assert.deepEqual(await seriousViolations(page), []);
  await page.click(`#report-${myReport} a`);
  await page.waitForSelector('#rp-reopen');
  // The public comment is in the timeline, the internal note is not.
  assert.match(await page.textContent('#report-timeline'), /已经补好了/);
  assert.doesNotMatch(await page.textContent('#report-timeline'), /施工队/);
  await page.click('#rp-reopen');
  await page.fill('#rp-act-comment', '下雨后又塌了');
  await page.click('#rp-act-submit');
  await page.waitForSelector('#rp-status[data-status="open"]');
  assert.match(await page.textContent('#report-timeline'), /重新打开/);
  assert.equal((await api(srv, 'GET', `/api/reports/${myReport}`)).json.status, 'open');
  const [w, vw] = await pageWidth(page);
  assert.ok(w <= vw);
  assert.deepEqual(await seriousViolations(page), []);
  assert.deepEqual(realErrors(courierBrowser.errors), []);
});

test('the map layer shows the report, never who made it; its chip is in the URL', async () => {
  assert.ok(myReport);
  const b = await openBrowser(PHONE);
  const { page } = b;
  try {
    await page.goto(`${srv.base}/#/?reports=1`);
    await page.waitForSelector('#reports-layer[aria-pressed="true"]');
    await page.waitForFunction(() => /^\d+$/.test(document.querySelector('#map').dataset.reports || ''));
    // Zoom out until the shown box holds the report's grid.
    const holds = () =>
      page.evaluate(({ lat, lon }) => {
        const [w, s, e, n] = document.querySelector('#map').dataset.bbox.split(',').map(Number);
        return lon > w && lon < e && lat > s && lat < n;
      }, IN_G1);
    for (let i = 0; i < 6 && !(await holds()); i++) {
      await page.click('.leaflet-control-zoom-out');
      await page.waitForTimeout(400);
    }
    assert.ok(await holds(), 'the map shows the report’s place');
    // Reports that would overlap are one bubble: tap it until the report shows alone.
    const shownIn = (id) =>
      page.evaluate((rid) => {
        if (document.querySelector(`[data-report="${rid}"]`)) return 'alone';
        const e = [...document.querySelectorAll('[data-reports]')].find((x) => x.dataset.reports.split(',').includes(String(rid)));
        return e ? e.dataset.reports : null;
      }, id);
    await page.waitForFunction((rid) => document.querySelector(`[data-report="${rid}"]`) || [...document.querySelectorAll('[data-reports]')].some((x) => x.dataset.reports.split(',').includes(String(rid))), myReport);
    for (let i = 0; i < 5; i++) {
      const which = await shownIn(myReport);
      if (which === 'alone') break;
      assert.ok(which, 'the report is on the map, in a bubble');
      assert.match(await page.getAttribute(`[data-reports="${which}"]`, 'aria-label'), /条问题上报/);
      await page.click(`[data-reports="${which}"]`);
      await page.waitForFunction((w) => !document.querySelector(`[data-reports="${w}"]`), which);
      await page.waitForFunction((rid) => document.querySelector(`[data-report="${rid}"]`) || [...document.querySelectorAll('[data-reports]')].some((x) => x.dataset.reports.split(',').includes(String(rid))), myReport);
    }
    const marker = page.locator(`[data-report="${myReport}"]`);
    await marker.waitFor();
    const label = await marker.getAttribute('aria-label');
    assert.match(label, /道路破损/);
    for (const secret of [courier.name, courier.phone]) assert.equal(label.includes(secret), false, secret);
    assert.equal(await page.evaluate((name) => document.querySelector('#map').textContent.includes(name), courier.name), false);
    assert.deepEqual(await seriousViolations(page), []);
    const [w, vw] = await pageWidth(page);
    assert.ok(w <= vw, `no sideways scroll: ${w} > ${vw}`);
    // What the layer is drawn from has no reporter either.
    const fc = await api(srv, 'GET', `/api/reports?bbox=${IN_G1.lon - 0.01},${IN_G1.lat - 0.01},${IN_G1.lon + 0.01},${IN_G1.lat + 0.01}`);
    const f = fc.json.features.find((x) => x.id === myReport);
    assert.ok(f, 'the report is on the public map');
    const text = JSON.stringify(f);
    for (const secret of [courier.name, courier.phone]) assert.equal(text.includes(secret), false, secret);
    assert.deepEqual(Object.keys(f.properties).filter((k) => /reporter|user|phone|contact|author|mine/.test(k)), []);
    // The marker opens the report's page; Back returns to the map with the layer.
    await marker.click();
    await page.waitForFunction((id) => location.hash === `#/reports/${id}`, myReport);
    await page.waitForSelector('#rp-status');
    await page.goBack();
    await page.waitForSelector('#reports-layer[aria-pressed="true"]');
    // The chip turns the layer off, and the URL says so.
    await page.click('#reports-layer');
    await page.waitForSelector('#reports-layer[aria-pressed="false"]');
    await page.waitForFunction(() => document.querySelector('#map').dataset.reports === 'off');
    assert.equal(await page.locator('[data-report]').count(), 0);
    assert.doesNotMatch(page.url(), /reports=1/);
    assert.deepEqual(realErrors(b.errors), []);
  } finally {
    await b.close();
  }
});

/** A 1x1 PNG whose header claims width x height (the server refuses it: 413). */
function pngClaiming(width, height) {
  const raw = PNG.sync.write(new PNG({ width: 1, height: 1 }));
  const ihdr = Buffer.from(raw.subarray(8, 33));
  ihdr.writeUInt32BE(width, 8);
  ihdr.writeUInt32BE(height, 12);
  let c = 0xffffffff;
  for (const byte of ihdr.subarray(4, 21)) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  ihdr.writeUInt32BE((c ^ 0xffffffff) >>> 0, 21);
  return Buffer.concat([raw.subarray(0, 8), ihdr, raw.subarray(33)]);
}

test('the API\'s refusals in plain words, in English too: a place outside every grid (422) and a photo too large (413)', async () => {
  // Far from the district: the server covers none of it.
  const b = await openBrowser({ ...PHONE, geolocation: { latitude: 39.9, longitude: 116.4, accuracy: 20 }, permissions: ['geolocation'] });
  const { page } = b;
  try {
    await page.goto(`${srv.base}/#/`);
    await workerInPage(srv, page, '孙骑手');
    await page.reload();
    await page.goto(`${srv.base}/#/reports/new`);
    await page.waitForSelector('#report-form');
    await page.click('#lang');
    await page.waitForSelector('#page-title:has-text("Report a problem")');
    await page.click('label[for="rp-cat-manhole_cover"]');
    await page.waitForSelector('#rp-q-where');
    await page.click('label[for="rp-q-where-cycle_lane"]');
    await page.click('#rp-locate');
    await page.waitForSelector('#rp-nearby-none');
    await page.setInputFiles('#rp-photo-input', { name: 'huge.png', mimeType: 'image/png', buffer: pngClaiming(30000, 30000) });
    await page.waitForSelector('#rp-previews li[data-i="0"]');
    await page.click('#rp-send');
    await page.waitForSelector('#rp-photo-0-err');
    assert.match(await page.textContent('#rp-photo-0-err'), /too large/);
    await page.click('#rp-photo-0-remove');
    await page.click('#rp-send');
    await page.waitForSelector('#rp-place-err');
    assert.match(await page.textContent('#rp-place-err'), /outside the area this service covers/);
    assert.deepEqual(await seriousViolations(page), []);
    assert.deepEqual(realErrors(b.errors), []);
  } finally {
    await b.close();
  }
});

test('a region admin sees the heat map of reports and the console at desktop width', async () => {
  const admin = await withRole(srv, 'region_admin', 'region', 'HZ', '区管理员');
  const b = await deskBrowser(admin, '/admin/reports');
  const { page } = b;
  try {
    await page.waitForSelector('#rq-list');
    const listed = await page.$$eval('#rq-list li', (ls) => ls.length);
    const queue = await api(srv, 'GET', '/api/reports/queue?limit=500', { token: await tokenFor(srv, admin.phone, admin.password) });
    assert.equal(listed, queue.json.items.length);
    assert.deepEqual(await seriousViolations(page), []);
    await page.click('#rq-heat-link');
    await page.waitForSelector('#heat-count:has-text("条上报")');
    const open = (await api(srv, 'GET', '/api/reports?status=open,acknowledged,in_progress&limit=2000')).json.features.length;
    assert.ok(open > 0);
    assert.equal(await page.getAttribute('.rp-heat', 'data-points'), String(open));
    // Something is drawn where the reports are.
    const painted = await page.evaluate(() => {
      const c = document.querySelector('.rp-heat');
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < d.length; i += 4) if (d[i]) n++;
      return n;
    });
    assert.ok(painted > 100, `heat drawn (${painted} px)`);
    await page.selectOption('#heat-status', 'all');
    const all = (await api(srv, 'GET', '/api/reports?status=all&limit=2000')).json.features.length;
    await page.waitForFunction((n) => document.querySelector('.rp-heat').dataset.points === String(n), all);
    assert.deepEqual(await seriousViolations(page), []);
    assert.deepEqual(realErrors(b.errors), []);
  } finally {
    await b.close();
  }
});
