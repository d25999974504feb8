// The main view on a phone: it loads clean, shows sites, fits 360px, has
// big touch targets, passes axe, and switches language.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer,
  openBrowser,
  waitForList,
  seriousViolations,
  screenshot,
  expectedNear,
  pagePoint,
  listIds,
} from './lib/harness.mjs';

let srv;
before(async () => {
  srv = await startServer();
});
after(async () => {
  await srv?.stop();
});

test('loads at 360x740 without console errors and lists the nearest sites', async () => {
  const b = await openBrowser();
  try {
    await b.page.goto(`${srv.base}/`);
    await waitForList(b.page);
    assert.equal(await b.page.getAttribute('html', 'lang'), 'zh-CN');
    assert.equal(await b.page.getAttribute('#list-section', 'data-point-kind'), 'default');
    // Without a location the page says distances are from the district centre.
    assert.match(await b.page.textContent('#point-note'), /海州区/);
    const want = await expectedNear(srv, await pagePoint(b.page));
    assert.deepEqual(await listIds(b.page), want.map((s) => s.id));
    const width = await b.page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    assert.ok(width[0] <= width[1], `horizontal scroll: page is ${width[0]}px wide in ${width[1]}px`);
    // Map markers are drawn (tiles are off in tests: a plain background).
    await b.page.waitForSelector('#map .mk, #map .cl');
    assert.ok(await b.page.$('#map.no-tiles'), 'no tiles: the map says so by its class');
    await screenshot(b.page, 'main-360');
    assert.deepEqual(b.errors, []);
  } finally {
    await b.close();
  }
});

test('chips and buttons are at least 48x48 CSS px', async () => {
  const b = await openBrowser();
  try {
    await b.page.goto(`${srv.base}/`);
    await waitForList(b.page);
    const small = await b.page.evaluate(() => {
      const out = [];
      const els = document.querySelectorAll(
        'button, select, a.btn, .chip, .leaflet-control-zoom a, #map .mk, #map .cl, #map .cl-one',
      );
      for (const el of els) {
        const r = el.getBoundingClientRect();
        if (!r.width && !r.height) continue; // not shown
        if (r.width < 48 || r.height < 48)
          out.push(`${el.tagName}#${el.id}.${el.className} ${r.width}x${r.height}`);
      }
      return out;
    });
    assert.deepEqual(small, []);
    const base = await b.page.evaluate(() => parseFloat(getComputedStyle(document.body).fontSize));
    assert.ok(base >= 16, `base font size ${base}px`);
  } finally {
    await b.close();
  }
});

test('axe: no serious or critical violations on the main view', async () => {
  const b = await openBrowser();
  try {
    await b.page.goto(`${srv.base}/`);
    await waitForList(b.page);
    const v = await seriousViolations(b.page);
    assert.deepEqual(v, []);
  } finally {
    await b.close();
  }
});

test('language switch changes the words and <html lang>, and is remembered', async () => {
  const b = await openBrowser();
  try {
    await b.page.goto(`${srv.base}/`);
    await waitForList(b.page);
    assert.equal((await b.page.textContent('#near-me')).trim(), '我的位置');
    await b.page.click('#lang');
    assert.equal(await b.page.getAttribute('html', 'lang'), 'en');
    assert.equal((await b.page.textContent('#near-me')).trim(), 'Near me');
    assert.match(await b.page.textContent('#chips'), /Charging/);
    assert.match(await b.page.textContent('#list-status'), /nearest/);
    assert.match(await b.page.textContent('#list'), /Open|Closed/);
    await screenshot(b.page, 'main-360-en');
    await b.page.reload();
    await waitForList(b.page);
    assert.equal(await b.page.getAttribute('html', 'lang'), 'en', 'the choice survives a reload');
    assert.equal(await b.page.title(), 'Warm New Map');
    await b.page.click('#lang');
    assert.equal(await b.page.getAttribute('html', 'lang'), 'zh-CN');
    assert.match(await b.page.textContent('#chips'), /充电/);
  } finally {
    await b.close();
  }
});

test('wide screen: the list sits beside the map', async () => {
  const b = await openBrowser({ viewport: { width: 1280, height: 800 } });
  try {
    await b.page.goto(`${srv.base}/`);
    await waitForList(b.page);
    const map = await b.page.locator('#map').boundingBox();
    const list = await b.page.locator('#list-section').boundingBox();
    assert.ok(list.x + list.width <= map.x + 1, 'list left of the map');
    await screenshot(b.page, 'main-1280');
    assert.deepEqual(b.errors, []);
  } finally {
    await b.close();
  }
});
