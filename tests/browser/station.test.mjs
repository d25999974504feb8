// The station pages in the browser: "today at my site" (walk-in taps, the
// poster's link, the opening check with a failed item reporting its fault,
// supplies and faults), a region's roll-up chart with its table, checking
// in from a poster's link and deleting the check-in again. Chinese first,
// English too; axe finds nothing serious; nothing breaks the CSP.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, openBrowser, seriousViolations, screenshot, pageWidth, ADMIN_TOKEN } from './lib/harness.mjs';

const ADMIN = '13800000000';
const ADMIN_PASSWORD = 'browser-test-password';

let srv;
let b;
let site; // a community station whose opening check the demo did not make

before(async () => {
  srv = await startServer();
  const auth = { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } };
  const sites = (await srv.api('/api/sites?limit=1000&region=HZ-XN&type=community_station', auth)).json.items;
  for (const s of sites) {
    const day = (await srv.api(`/api/sites/${s.id}/checklists`, auth)).json;
    if (s.status === 'operational' && !day.opening.done && s.amenities.some((a) => a.code === 'microwave')) {
      site = s;
      break;
    }
  }
  assert.ok(site, 'a station to check');
  b = await openBrowser();
  const { page } = b;
  await page.goto(`${srv.base}/#/login`);
  await page.click('button.seg-btn:has-text("密码登录")');
  await page.fill('#login-phone', ADMIN);
  await page.fill('#login-password', ADMIN_PASSWORD);
  await page.click('#login-submit');
  await page.waitForSelector('#me-name');
});

after(async () => {
  await b?.close();
  await srv?.stop();
});

/** Console errors but the failed requests a page makes on purpose. */
function realErrors(errors) {
  return errors.filter((e) => !/Failed to load resource: the server responded with a status of (401|403|404|405|409|422)/.test(e));
}

test('today at a station: walk-in taps, the poster, the opening check reporting a fault', async () => {
  const { page } = b;
  await page.goto(`${srv.base}/#/station/${site.id}`);
  await page.waitForSelector('#stn-counts');
  assert.match(await page.textContent('#page-title'), /今日/);
  const total = async () => Number(await page.textContent('#stn-count-total'));
  const before = await total();
  await page.click('#stn-tap-public');
  await page.waitForFunction((n) => Number(document.querySelector('#stn-count-total').textContent) === n + 1, before);
  assert.equal(Number(await page.textContent('#stn-count-public')) >= 1, true);

  const url = await page.inputValue('#stn-poster-code');
  assert.match(url, /\/#\/visit\/WH1\.\d+\.1\.[A-Za-z0-9_-]{22}$/);

  // The opening check: all ticked but the microwave, reported broken.
  const boxes = await page.$$eval('#stn-check-opening input.check-input', (els) => els.map((e) => e.id));
  assert.ok(boxes.length >= 4, boxes.join());
  for (const id of boxes) if (!id.includes('microwave') && !id.endsWith('-fault')) await page.check(`#${id}`);
  await page.check('#stn-opening-microwave-fault');
  await page.fill('#stn-opening-note', '微波炉不加热');
  assert.deepEqual(await seriousViolations(page), []);
  await page.click('#stn-opening-submit');
  await page.waitForSelector('#stn-check-opening-done');
  assert.match(await page.textContent('#stn-check-opening-done'), /1 项未通过/);
  await page.waitForSelector('#stn-faults li');
  assert.match(await page.textContent('#stn-faults'), /微波炉/);
  // Supplies: the demo left something low or expiring at most stations.
  assert.ok((await page.textContent('#stn-supplies')).length > 0);
  const [w, vw] = await pageWidth(page);
  assert.ok(w <= vw, `the page fits 360px (${w} > ${vw})`);
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'station-today', { full: true });

  // In English.
  await page.click('#lang');
  await page.waitForSelector('#stn-visitors-title:has-text("Visitors today")');
  assert.match(await page.textContent('#stn-check-opening-done'), /1 failed/);
  await page.click('#lang');
  await page.waitForSelector('#stn-visitors-title:has-text("今日到访")');
  assert.deepEqual(realErrors(b.errors), []);
});

test('a region\'s roll-up: the chart, its table, checks skipped and supplies needed', async () => {
  const { page } = b;
  await page.goto(`${srv.base}/#/station/region/HZ-XN`);
  await page.waitForSelector('#stn-chart canvas');
  assert.ok(Number(await page.textContent('#stn-region-total')) > 0);
  assert.match(await page.getAttribute('#stn-chart', 'aria-label'), /新就业群体 \d+ 人/);
  assert.equal(await page.$$eval('#stn-table tbody tr', (rows) => rows.length), 7);
  assert.match(await page.textContent('#stn-missing'), /驿站|检查/);
  assert.match(await page.textContent('#stn-needs'), /\d+/);
  assert.deepEqual(await seriousViolations(page), []);
  // Today by hour.
  await page.selectOption('#stn-region-window', 'today');
  await page.click('#stn-region-show');
  await page.waitForFunction(() => document.querySelectorAll('#stn-table tbody tr').length === 24);
  await screenshot(page, 'station-region', { full: true });
  await page.click('#lang');
  await page.waitForSelector('#page-title:has-text("Visits in a region")');
  assert.deepEqual(await seriousViolations(page), []);
  await page.click('#lang');
  assert.deepEqual(realErrors(b.errors), []);
});

test('checking in from a poster\'s link; my check-ins, deleted again', async () => {
  const { page } = b;
  await page.goto(`${srv.base}/#/station/${site.id}`);
  await page.waitForSelector('#stn-poster-code');
  const url = await page.inputValue('#stn-poster-code');
  await page.goto(`${srv.base}/${url.slice(url.indexOf('#'))}`);
  await page.waitForSelector('#checkin-result .form-ok');
  assert.match(await page.textContent('#checkin-result'), /签到成功/);
  // A forged code.
  await page.goto(`${srv.base}/#/visit/WH1.${site.id}.1.AAAAAAAAAAAAAAAAAAAAAA`);
  await page.waitForSelector('#checkin-result .form-error');
  assert.match(await page.textContent('#checkin-result'), /不是有效的驿站签到码/);
  await page.click('#checkin-mine');
  await page.waitForSelector('#my-visits li');
  assert.equal(await page.$$eval('#my-visits li', (l) => l.length), 1);
  assert.deepEqual(await seriousViolations(page), []);
  await page.click('#my-visits li button');
  await page.waitForSelector('#my-visits:has-text("还没有签到记录")');
  assert.deepEqual(realErrors(b.errors), []);
});
