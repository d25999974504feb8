// The map as a rider uses it, on a 390x844 phone and on a desktop: the
// nearest places on the first screen and on the map, a chosen site in the
// middle of what the sheet leaves visible, one tap to a route with the
// time it takes, saving and sharing a site, an icon per amenity, markers
// and clusters that never overlap.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer,
  openBrowser,
  waitForList,
  waitForListIds,
  expectedNear,
  pagePoint,
  seriousViolations,
  screenshot,
} from './lib/harness.mjs';

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };

let srv;
before(async () => {
  srv = await startServer();
});
after(async () => {
  await srv?.stop();
});

/** Wait until the map stops moving (its shown box is the same twice). */
async function mapSettled(page) {
  let last = '';
  for (let i = 0; i < 40; i++) {
    await page.waitForTimeout(250);
    const box = await page.getAttribute('#map', 'data-bbox');
    if (box && box === last) return box.split(',').map(Number);
    last = box;
  }
  throw new Error('the map kept moving');
}

/** Where a position is drawn in the map's box (Web Mercator), in page pixels. */
async function toScreen(page, box, pos) {
  const r = await page.locator('#map').boundingBox();
  const [w, s, e, n] = box;
  const y = (lat) => Math.log(Math.tan(Math.PI / 4 + (lat * Math.PI) / 360));
  return {
    x: r.x + ((pos.lon - w) / (e - w)) * r.width,
    y: r.y + ((y(n) - y(pos.lat)) / (y(n) - y(s))) * r.height,
  };
}

test('phone: the nearest place is on the first screen; with a chip on, the map fits the results', async () => {
  const b = await openBrowser({ viewport: PHONE });
  try {
    await b.page.goto(`${srv.base}/`);
    await waitForList(b.page);
    // Read in one go: the list may be drawn again meanwhile (the service
    // worker taking over asks again).
    // The first card's name, distance and time to get there are on screen.
    const card = await b.page.evaluate(() => {
      const c = document.querySelector('#list li.card-li .card').getBoundingClientRect();
      const eta = document.querySelector('#list li.card-li .card-eta').getBoundingClientRect();
      return { y: c.y, etaBottom: eta.bottom };
    });
    assert.ok(card.etaBottom <= PHONE.height, `first card at y=${card.y}, its time ends at ${card.etaBottom}, of ${PHONE.height}`);
    await screenshot(b.page, 'rider-first-screen-390');
    const point = await pagePoint(b.page);
    for (const [chip, alts] of [
      ['swap', [['battery_swap']]],
      ['cool', [['air_conditioning']]],
    ]) {
      await b.page.click(`#chips [data-chip="${chip}"]`);
      const want = await expectedNear(srv, point, { alts });
      await waitForListIds(b.page, want.map((s) => s.id));
      const [w, s, e, n] = await mapSettled(b.page);
      for (const site of want.slice(0, 5)) {
        const { lat, lon } = site.position;
        assert.ok(lon > w && lon < e && lat > s && lat < n, `${chip}: result ${site.id} is on the map`);
      }
      await b.page.click(`#chips [data-chip="${chip}"]`);
    }
    assert.deepEqual(b.errors, []);
  } finally {
    await b.close();
  }
});

test('desktop: a chosen site is centred in the part of the map the side panel leaves', async () => {
  const b = await openBrowser({ viewport: DESKTOP });
  try {
    await b.page.goto(`${srv.base}/`);
    await waitForList(b.page);
    await mapSettled(b.page);
    for (let i = 0; i < 3; i++) {
      const id = Number(await b.page.getAttribute(`#list li.card-li >> nth=${i}`, 'data-id'));
      await b.page.click(`#list li.card-li >> nth=${i} >> button`);
      await b.page.waitForSelector('#sheet:not([hidden]) .sheet-title');
      const box = await mapSettled(b.page);
      const site = (await srv.api(`/api/sites/${id}`)).json;
      const at = await toScreen(b.page, box, site.position);
      const map = await b.page.locator('#map').boundingBox();
      const sheet = await b.page.locator('#sheet').boundingBox();
      const visible = { left: map.x, right: Math.min(map.x + map.width, sheet.x), top: map.y, bottom: map.y + map.height };
      assert.ok(at.x < sheet.x - 24, `site ${id} at x=${at.x}, under the panel from ${sheet.x}`);
      const cx = (visible.left + visible.right) / 2;
      const cy = (visible.top + visible.bottom) / 2;
      assert.ok(Math.abs(at.x - cx) < 30 && Math.abs(at.y - cy) < 30, `site ${id} at ${at.x},${at.y}; visible centre ${cx},${cy}`);
      await screenshot(b.page, `rider-centred-1280-${i}`);
    }
  } finally {
    await b.close();
  }
});

test('one tap to go: route links, and time on foot and by bike next to the distance', async () => {
  const b = await openBrowser({ viewport: PHONE });
  try {
    await b.page.goto(`${srv.base}/`);
    await waitForList(b.page);
    const first = b.page.locator('#list li.card-li').first();
    const id = Number(await first.getAttribute('data-id'));
    const site = (await expectedNear(srv, await pagePoint(b.page), { k: 1 }))[0];
    assert.equal(site.id, id);
    const walk = Math.max(1, Math.round((site.distance_m * 1.3) / 75));
    const ride = Math.max(1, Math.round((site.distance_m * 1.3) / 250));
    const eta = await first.locator('.card-eta').textContent();
    assert.ok(eta.includes(`步行约 ${walk} 分钟`) && eta.includes(`骑行约 ${ride} 分钟`), eta);
    await first.locator('button').click();
    await b.page.waitForSelector('#sheet a[data-nav]', { timeout: 10000 });
    assert.match(await b.page.textContent('#sheet .sheet-sub'), new RegExp(`步行约 ${walk} 分钟`));
    assert.match(await b.page.textContent('#sheet-nav-h'), /到这去/);
    const hrefs = Object.fromEntries(
      await b.page.$$eval('#sheet a[data-nav]', (as) => as.map((a) => [a.dataset.nav, a.getAttribute('href')])),
    );
    assert.match(hrefs.amap, /^https:\/\/uri\.amap\.com\/navigation\?to=/);
    assert.match(hrefs.baidu, /^https:\/\/api\.map\.baidu\.com\/direction\?destination=/);
    assert.match(hrefs.tencent, /^https:\/\/apis\.map\.qq\.com\/uri\/v1\/routeplan\?/);
    // In English too.
    await b.page.click('#lang');
    assert.match(await b.page.textContent('#sheet .sheet-sub'), new RegExp(`${walk} min on foot`));
    assert.match(await b.page.textContent('#sheet-nav-h'), /Go there/);
  } finally {
    await b.close();
  }
});

test('save a site on the device and find it under "saved"; share its URL and QR code', async () => {
  const b = await openBrowser({ viewport: PHONE });
  try {
    await b.page.goto(`${srv.base}/`);
    await waitForList(b.page);
    const id = Number(await b.page.getAttribute('#list li.card-li >> nth=3', 'data-id'));
    await b.page.click('#list li.card-li >> nth=3 >> button');
    await b.page.waitForSelector('#sheet a[data-nav]', { timeout: 10000 });
    await b.page.click('#sheet-fav');
    assert.equal(await b.page.getAttribute('#sheet-fav', 'aria-pressed'), 'true');
    assert.match(await b.page.textContent('#sheet-fav'), /已收藏/);

    // Share: the site's own URL, to copy or scan.
    await b.page.click('#sheet-share');
    assert.equal(await b.page.getAttribute('#sheet-share', 'aria-expanded'), 'true');
    assert.equal(await b.page.inputValue('#share-url'), `${srv.base}/#/site/${id}`);
    await b.page.waitForSelector('#share-panel .qr svg path');
    assert.match(await b.page.getAttribute('#share-panel .qr', 'aria-label'), /二维码/);
    await screenshot(b.page, 'rider-share-390');
    assert.deepEqual(await seriousViolations(b.page, '#sheet'), []);
    await b.page.click('#sheet .sheet-close');

    // Saved on the device: still there after a reload, under "saved".
    await b.page.reload();
    await waitForList(b.page);
    await b.page.click('#favs');
    await b.page.waitForFunction(() => location.hash.includes('fav=1'));
    await waitForListIds(b.page, [id]);
    assert.match(await b.page.textContent('#list-heading'), /我的收藏/);
    assert.match(await b.page.textContent('#list li.card-li'), /已收藏/);
    // Forget it: the saved list is empty.
    await b.page.click('#list li.card-li >> button');
    await b.page.waitForSelector('#sheet-fav[aria-pressed="true"]');
    await b.page.click('#sheet-fav');
    await b.page.click('#sheet .sheet-close');
    await waitForListIds(b.page, []);
    assert.match(await b.page.textContent('#list-status'), /还没有收藏/);
    assert.deepEqual(b.errors, []);
  } finally {
    await b.close();
  }
});

test('every amenity has an icon of its own', async () => {
  const b = await openBrowser({ viewport: PHONE });
  try {
    const codes = (await srv.api('/api/amenities')).json.items.map((a) => a.code);
    const sites = (await srv.api('/api/sites?limit=1000')).json.items;
    // A few sites that between them have every amenity some site has.
    const left = new Set(codes.filter((c) => sites.some((s) => s.amenities.some((a) => a.code === c))));
    const pick = [];
    while (left.size) {
      const best = sites.reduce((a, s) => {
        const n = s.amenities.filter((x) => left.has(x.code)).length;
        return n > a.n ? { s, n } : a;
      }, { s: null, n: 0 });
      pick.push(best.s.id);
      for (const a of best.s.amenities) left.delete(a.code);
    }
    const glyphs = new Map(); // code -> svg
    await b.page.goto(`${srv.base}/`);
    await waitForList(b.page);
    for (const id of pick) {
      await b.page.goto(`${srv.base}/#/site/${id}`);
      await b.page.waitForSelector(`#sheet:not([hidden]) .amen`);
      await b.page.waitForSelector('#sheet a[data-nav]', { timeout: 10000 });
      for (const [code, svg] of await b.page.$$eval('#sheet .amen', (lis) =>
        lis.map((li) => [li.dataset.code, li.querySelector('.amen-icon svg').innerHTML]),
      ))
        glyphs.set(code, svg);
    }
    const dot = '<circle cx="12" cy="12" r="4" fill="currentColor"></circle>';
    const seen = new Map();
    for (const [code, svg] of glyphs) {
      assert.notEqual(svg, dot, `${code} has an icon`);
      assert.ok(!seen.has(svg), `${code} and ${seen.get(svg)} share an icon`);
      seen.set(svg, code);
    }
    assert.ok(glyphs.size >= 20, `${glyphs.size} amenities seen`);
  } finally {
    await b.close();
  }
});

test('markers and clusters never overlap; a single place shows as its legend shape', async () => {
  const b = await openBrowser({ viewport: DESKTOP });
  try {
    await b.page.goto(`${srv.base}/`);
    await waitForList(b.page);
    for (let step = 0; step < 5; step++) {
      await mapSettled(b.page);
      await b.page.waitForTimeout(500); // the markers of the new view
      const shown = await b.page.$$eval('#map .mk, #map .cl', (els) =>
        els.map((e) => {
          const r = e.getBoundingClientRect();
          return { x: r.x + r.width / 2, y: r.y + r.height / 2, d: r.width, cls: e.className, count: e.dataset.count };
        }),
      );
      assert.ok(shown.length > 0, `step ${step}: something is on the map`);
      for (let i = 0; i < shown.length; i++)
        for (let j = i + 1; j < shown.length; j++) {
          const a = shown[i];
          const c = shown[j];
          const gap = Math.hypot(a.x - c.x, a.y - c.y) - (a.d + c.d) / 2;
          assert.ok(gap >= -0.5, `step ${step}: ${a.cls} and ${c.cls} overlap by ${-gap}px`);
        }
      // Bubbles hold two or more places; one place is its marker shape.
      assert.equal(await b.page.$$eval('#map .cl-one', (x) => x.length), 0);
      for (const s of shown.filter((x) => /\bcl\b/.test(x.cls))) assert.ok(Number(s.count) >= 2, `a bubble of ${s.count}`);
      if (step === 2) await screenshot(b.page, 'rider-clusters-1280');
      await b.page.click('.leaflet-control-zoom-out');
    }
  } finally {
    await b.close();
  }
});
