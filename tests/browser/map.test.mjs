// The map: a tap sets the point; tiles that cannot load leave a plain
// background and a working page; a GCJ-02 tile source makes the page ask
// for GCJ-02 data and move a phone's WGS-84 fix onto it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer,
  openBrowser,
  waitForList,
  waitForListIds,
  expectedNear,
  pagePoint,
  screenshot,
} from './lib/harness.mjs';
import { wgs84ToGcj02 } from '../../web/src/geo.js';

/** A spot on the map at least 40 px from every marker and control. */
async function emptySpot(page) {
  return page.evaluate(() => {
    const map = document.querySelector('#map').getBoundingClientRect();
    const busy = [...document.querySelectorAll('#map .mk, #map .cl, #map .cl-one, #map .pt, #map .leaflet-control')]
      .map((e) => e.getBoundingClientRect());
    for (let y = map.top + 60; y < map.bottom - 40; y += 12) {
      for (let x = map.left + 80; x < map.right - 40; x += 12) {
        const clear = busy.every(
          (r) => x < r.left - 40 || x > r.right + 40 || y < r.top - 40 || y > r.bottom + 40,
        );
        if (clear) return { x, y };
      }
    }
    return null;
  });
}

let srv;
before(async () => {
  srv = await startServer();
});
after(async () => {
  await srv?.stop();
});

test('a tap on the map sets the point the list is measured from', async () => {
  const b = await openBrowser();
  try {
    await b.page.goto(`${srv.base}/`);
    await waitForList(b.page);
    await b.page.locator('#map').scrollIntoViewIfNeeded();
    // The phone's map is shorter now (the nearest place must be on the
    // first screen) and fits the nearest five: zoom in once so that there
    // is a spot 40 px clear of every marker.
    await b.page.click('.leaflet-control-zoom-in');
    await b.page.waitForTimeout(1000);
    const spot = await emptySpot(b.page);
    assert.ok(spot, 'an empty spot on the map');
    const before = await pagePoint(b.page);
    await b.page.mouse.click(spot.x, spot.y);
    await b.page.waitForSelector('#list-section[data-point-kind="map"]');
    const p = await pagePoint(b.page);
    assert.notDeepEqual(p, before);
    const want = await expectedNear(srv, p);
    await waitForListIds(b.page, want.map((s) => s.id));
    assert.match(await b.page.textContent('#point-note'), /地图上选的点/);
    assert.deepEqual(b.errors, []);
  } finally {
    await b.close();
  }
});

test('a marker opens its site sheet', async () => {
  const b = await openBrowser();
  try {
    await b.page.goto(`${srv.base}/`);
    await waitForList(b.page);
    const marker = b.page.locator('#map .mk').first();
    await marker.waitFor();
    const label = await marker.getAttribute('aria-label');
    assert.match(label, /营业中|已关门|暂停服务|筹建中|已停用/);
    await marker.focus();
    await b.page.keyboard.press('Enter');
    await b.page.waitForSelector('#sheet:not([hidden]) .sheet-title');
    assert.ok(label.startsWith((await b.page.textContent('#sheet-title')).trim()));
  } finally {
    await b.close();
  }
});

test('zoomed out, the map shows server clusters', async () => {
  const b = await openBrowser({ viewport: { width: 1280, height: 800 } });
  try {
    const asked = [];
    b.page.on('request', (r) => {
      if (r.url().includes('/api/sites/clusters?')) asked.push(r.url());
    });
    await b.page.goto(`${srv.base}/`);
    await waitForList(b.page);
    // Zoom out until clusters show (the page may already have asked for
    // them at its first view, and may answer a repeated view from memory).
    let shown = false;
    for (let i = 0; i < 6 && !shown; i++) {
      await b.page.click('.leaflet-control-zoom-out');
      shown = await b.page.waitForSelector('#map .cl', { timeout: 5000 }).then(() => true, () => false);
    }
    assert.ok(shown, 'cluster markers appear when zoomed out');
    assert.ok(asked.length > 0, 'the clusters came from /api/sites/clusters');
    const label = await b.page.getAttribute('#map .cl', 'aria-label');
    assert.match(label, /\d+ 个地点/);
  } finally {
    await b.close();
  }
});

test('tiles that fail to load: plain background, data still there; GCJ-02 source moves the data', async () => {
  // Port 9 on loopback refuses: every tile fails at once.
  const gsrv = await startServer({
    env: {
      WARMHARBOR_TILES_URL: 'http://127.0.0.1:9/{z}/{x}/{y}.png',
      WARMHARBOR_TILES_DATUM: 'gcj02',
    },
  });
  const b = await openBrowser({
    geolocation: { latitude: 34.6012, longitude: 119.2215, accuracy: 25 },
    permissions: ['geolocation'],
  });
  try {
    const datums = new Set();
    b.page.on('request', (r) => {
      const u = new URL(r.url());
      if (u.pathname.startsWith('/api/sites') && u.pathname !== '/api/sites/events')
        datums.add(u.searchParams.get('datum'));
    });
    await b.page.goto(`${gsrv.base}/`);
    await waitForList(b.page);
    await b.page.waitForSelector('#map.no-tiles', { timeout: 15000 });
    assert.match(await b.page.textContent('#map-note'), /底图加载不了/);
    assert.deepEqual([...datums], ['gcj02']);
    // The phone's WGS-84 fix is moved onto the GCJ-02 map before asking.
    await b.page.click('#near-me');
    await b.page.waitForSelector('#list-section[data-point-kind="gps"]');
    const p = await pagePoint(b.page);
    const g = wgs84ToGcj02(34.6012, 119.2215);
    assert.deepEqual(p, { lat: g.lat.toFixed(6), lon: g.lon.toFixed(6) });
    const want = await expectedNear(gsrv, p, { datum: 'gcj02' });
    await waitForListIds(b.page, want.map((s) => s.id));
    await b.page.waitForSelector('#map .mk');
    await screenshot(b.page, 'tiles-failed-360');
  } finally {
    await b.close();
    await gsrv.stop();
  }
});
