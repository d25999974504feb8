// Each "I need" chip, "open now", the tier choice and the service category
// change the list to what the API answers for the same filter at the same
// point.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer,
  openBrowser,
  waitForList,
  waitForListIds,
  expectedNear,
  pagePoint,
  listIds,
  screenshot,
  seriousViolations,
} from './lib/harness.mjs';

// Each chip is what a worker means by the word: any of its alternatives.
const CHIPS = {
  charge: [['phone_charging'], ['ebike_charging'], ['ev_charger']],
  meal: [['microwave']],
  water: [['hot_water'], ['drinking_water']],
  rest: [['seats']],
  toilet: [['toilet']],
  rain: [['rain_gear'], ['umbrella']],
  cool: [['air_conditioning']],
  aid: [['first_aid']],
  swap: [['battery_swap']],
};

let srv;
let b;
let point;
let baseline;
before(async () => {
  srv = await startServer();
  b = await openBrowser();
  await b.page.goto(`${srv.base}/`);
  await waitForList(b.page);
  point = await pagePoint(b.page);
  baseline = (await expectedNear(srv, point)).map((s) => s.id);
  assert.deepEqual(await listIds(b.page), baseline);
});
after(async () => {
  await b?.close();
  await srv?.stop();
});

for (const [chip, alts] of Object.entries(CHIPS)) {
  test(`chip ${chip} filters the list like the API`, async () => {
    const button = `#chips [data-chip="${chip}"]`;
    await b.page.click(button);
    assert.equal(await b.page.getAttribute(button, 'aria-pressed'), 'true');
    const want = await expectedNear(srv, point, { alts });
    assert.notDeepEqual(want.map((s) => s.id), baseline, `the demo data should make ${chip} matter`);
    await waitForListIds(b.page, want.map((s) => s.id));
    for (const s of want) {
      const codes = s.amenities.map((a) => a.code);
      assert.ok(alts.some((alt) => alt.every((c) => codes.includes(c))), `site ${s.id} has ${chip}`);
    }
    if (chip === 'charge') await screenshot(b.page, 'filter-charge-360');
    await b.page.click(button);
    assert.equal(await b.page.getAttribute(button, 'aria-pressed'), 'false');
    await waitForListIds(b.page, baseline);
  });
}

test('two chips combine: hot meal and rest', async () => {
  await b.page.click('#chips [data-chip="meal"]');
  await b.page.click('#chips [data-chip="rest"]');
  const want = await expectedNear(srv, point, { alts: [['microwave', 'seats']] });
  await waitForListIds(b.page, want.map((s) => s.id));
  await b.page.click('#chips [data-chip="meal"]');
  await b.page.click('#chips [data-chip="rest"]');
  await waitForListIds(b.page, baseline);
});

test('"open now" shows only open sites', async () => {
  await b.page.click('#open-now');
  assert.equal(await b.page.getAttribute('#open-now', 'aria-pressed'), 'true');
  const want = await expectedNear(srv, point, { open: true });
  assert.ok(want.every((s) => s.open));
  await waitForListIds(b.page, want.map((s) => s.id));
  assert.equal(await b.page.$$eval('#list .state-closed, #list .state-paused', (x) => x.length), 0);
  await b.page.click('#open-now');
  await waitForListIds(b.page, baseline);
});

test('tier filter: Warm Huts only', async () => {
  await b.page.selectOption('#tier', '3');
  const want = await expectedNear(srv, point, { type: 'warm_hut' });
  await waitForListIds(b.page, want.map((s) => s.id));
  assert.ok(want.every((s) => s.tier === 3));
  await b.page.selectOption('#tier', 'all');
  await waitForListIds(b.page, baseline);
});

test('service category: the list and the map ask for it, the URL keeps it, the words are zh-CN first', async () => {
  assert.equal((await b.page.textContent('label[for="svc-cat"]')).trim(), '服务');
  assert.equal((await b.page.textContent('#svc-cat option[value=""]')).trim(), '全部服务');
  // A top-level category the demo offers near the point, with fewer sites
  // than the plain list.
  const tree = (await srv.api('/api/service-categories')).json.items;
  let code = null;
  let want = null;
  for (const c of tree) {
    const got = await expectedNear(srv, point, { category: c.code });
    if (got.length && got.length < baseline.length) {
      code = c.code;
      want = got;
      break;
    }
  }
  assert.ok(code, 'the demo offers a service category at some sites');
  // Its children are offered too, indented under it.
  const child = tree.find((c) => c.code === code).children[0];
  assert.match(await b.page.textContent(`#svc-cat option[value="${child.code}"]`), /^\u2003/);
  const asked = [];
  const onReq = (r) => {
    const u = new URL(r.url());
    if (u.pathname.startsWith('/api/sites')) asked.push({ path: u.pathname, category: u.searchParams.get('service_category') });
  };
  b.page.on('request', onReq);
  try {
    await b.page.selectOption('#svc-cat', code);
    await waitForListIds(b.page, want.map((s) => s.id));
    await b.page.waitForFunction((c) => location.hash.includes(`service=${c}`), code);
    assert.ok(asked.some((q) => q.path === '/api/sites/near' && q.category === code), 'the list asked with service_category');
    // The map asks with it too (a bbox or clusters request).
    for (let i = 0; i < 100 && !asked.some((q) => q.path !== '/api/sites/near' && q.category === code); i++)
      await b.page.waitForTimeout(50);
    assert.ok(asked.some((q) => q.path !== '/api/sites/near' && q.category === code), 'the map asked with service_category');
    assert.deepEqual(await seriousViolations(b.page, '.filter-row'), []);
  } finally {
    b.page.off('request', onReq);
  }
  // The URL is the state: a new page at it shows the same choice and list.
  const url = b.page.url();
  const g = await openBrowser();
  try {
    await g.page.goto(url);
    await waitForList(g.page);
    assert.equal(await g.page.inputValue('#svc-cat'), code);
    await waitForListIds(g.page, want.map((s) => s.id));
    // A code no category has is dropped, not an error.
    await g.page.goto(`${srv.base}/#/?service=astrology`);
    await g.page.reload();
    await waitForList(g.page);
    assert.equal(await g.page.inputValue('#svc-cat'), '');
    await waitForListIds(g.page, baseline);
  } finally {
    await g.close();
  }
  // English: the same control in English words, the choice kept.
  await b.page.click('#lang');
  assert.equal(await b.page.getAttribute('html', 'lang'), 'en');
  assert.equal((await b.page.textContent('label[for="svc-cat"]')).trim(), 'Service');
  assert.equal((await b.page.textContent('#svc-cat option[value=""]')).trim(), 'All services');
  assert.equal(await b.page.inputValue('#svc-cat'), code);
  await b.page.click('#lang');
  assert.equal(await b.page.getAttribute('html', 'lang'), 'zh-CN');
  await b.page.selectOption('#svc-cat', '');
  await waitForListIds(b.page, baseline);
  assert.ok(!b.page.url().includes('service='));
});

test('"near me" uses the phone location once tapped', async () => {
  const g = await openBrowser({
    geolocation: { latitude: 34.6012, longitude: 119.2215, accuracy: 25 },
    permissions: ['geolocation'],
  });
  try {
    await g.page.goto(`${srv.base}/`);
    await waitForList(g.page);
    await g.page.click('#near-me');
    await g.page.waitForSelector('#list-section[data-point-kind="gps"]');
    const p = await pagePoint(g.page);
    assert.deepEqual(p, { lat: '34.601200', lon: '119.221500' });
    const want = await expectedNear(srv, p);
    await waitForListIds(g.page, want.map((s) => s.id));
    assert.match(await g.page.textContent('#point-note'), /你的位置/);
  } finally {
    await g.close();
  }
});

test('rain gear is a raincoat or an umbrella, asked in one request', async () => {
  const asked = [];
  const onReq = (r) => {
    const u = new URL(r.url());
    if (u.pathname === '/api/sites/near') asked.push(u.searchParams);
  };
  b.page.on('request', onReq);
  try {
    await b.page.click('#chips [data-chip="rain"]');
    const want = await expectedNear(srv, point, { alts: [['rain_gear'], ['umbrella']] });
    await waitForListIds(b.page, want.map((s) => s.id));
    // Sites that lend umbrellas only are there.
    const umbrellaOnly = want.filter((s) => {
      const codes = s.amenities.map((a) => a.code);
      return codes.includes('umbrella') && !codes.includes('rain_gear');
    });
    assert.ok(umbrellaOnly.length > 0, 'umbrella-only sites are listed');
    const last = asked[asked.length - 1];
    assert.equal(last.get('amenity_any'), 'rain_gear,umbrella');
    // The list asks only for what its cards and markers show (fields=).
    const fields = (last.get('fields') || '').split(',');
    for (const f of ['name_zh', 'name_en', 'tier', 'open', 'distance_m', 'live', 'amenities', 'position']) assert.ok(fields.includes(f), f);
    for (const f of ['nav', 'description', 'photos', 'address_zh']) assert.ok(!fields.includes(f), f);
    assert.equal(asked.filter((q) => q.get('amenity_any')).length >= 1, true);
    // Nothing else is asked for the list: one request, not one per alternative.
    assert.equal(asked.filter((q) => q.get('amenity') === 'umbrella' || q.get('amenity') === 'rain_gear').length, 0);
    await b.page.click('#chips [data-chip="rain"]');
    await waitForListIds(b.page, baseline);
  } finally {
    b.page.off('request', onReq);
  }
});
