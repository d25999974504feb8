// The service pages: a worker finds a service by category and opens it
// (documents, places open now, navigation, a tel: link), comes Back to
// the same list; searches by words from where they are; a site's
// services; English; axe, 48px targets and widths on a phone and a desktop.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, openBrowser, seriousViolations, smallTargets, pageWidth, screenshot } from './lib/harness.mjs';

let srv;
before(async () => {
  srv = await startServer();
});
after(async () => {
  await srv?.stop();
});

const PHONE = { viewport: { width: 390, height: 844 } };
// The Xinnan community station, where most services are.
const XINNAN = { latitude: 34.5733734, longitude: 119.2044807 };

/** The ids of the listed services, once the list is not busy. */
async function listIds(page) {
  await page.waitForSelector('#svc-list:not([aria-busy="true"])', { state: 'attached' });
  return page.$$eval('#svc-list li.svc-li', (lis) => lis.map((li) => Number(li.dataset.id)));
}

/** What the page should list, asked of the API from the page's point. */
async function expected(page, params) {
  const point = await page.getAttribute('#svc-list', 'data-point');
  const q = new URLSearchParams({ ...params, limit: '20' });
  if (point) q.set('near', point);
  const r = await srv.api(`/api/services?${q}`);
  assert.equal(r.status, 200, r.text);
  return r.json;
}

async function waitForIds(page, want) {
  const target = JSON.stringify(want);
  await page
    .waitForFunction(
      (t) =>
        !document.querySelector('#svc-list[aria-busy="true"]') &&
        JSON.stringify([...document.querySelectorAll('#svc-list li.svc-li')].map((li) => Number(li.dataset.id))) === t,
      target,
      { timeout: 15000 },
    )
    .catch(async () => {
      throw new Error(`list is ${JSON.stringify(await listIds(page))}, expected ${target}`);
    });
}

test('a worker finds a service by category, opens it, and comes back to the same list', async () => {
  const b = await openBrowser(PHONE);
  try {
    const { page } = b;
    await page.goto(`${srv.base}/#/services`);
    await page.waitForSelector('#svc-list li.svc-li');
    assert.equal(await page.title(), '办事服务 - 暖新地图');
    assert.equal(await page.getAttribute('#nav-services', 'aria-current'), 'page');
    // The whole catalogue from the district centre, nearest first.
    const all = await expected(page, {});
    await waitForIds(page, all.items.map((s) => s.id));
    assert.match(await page.textContent('#svc-status'), new RegExp(`共 ${all.total} 项服务`));
    assert.equal(await page.getAttribute('#svc-list', 'data-kind'), 'default');
    assert.match(await page.textContent('#svc-point-note'), /中心算起/);

    // The category tree as chips: legal aid, then its sub-category row.
    await page.click('#svc-cat-legal_aid');
    assert.equal(await page.getAttribute('#svc-cat-legal_aid', 'aria-pressed'), 'true');
    assert.equal(await page.evaluate(() => location.hash), '#/services?category=legal_aid');
    const legal = await expected(page, { category: 'legal_aid' });
    assert.ok(legal.items.length >= 2);
    await waitForIds(page, legal.items.map((s) => s.id));
    for (const s of legal.items) assert.ok(['legal_aid', 'legal_consultation'].includes(s.category.code));
    await page.waitForSelector('#svc-cats-1 #svc-cat-legal_consultation');
    assert.match(await page.textContent('#svc-status'), /法律援助：\d+ 项服务/);
    await screenshot(page, 'services-legal-390', { full: true });
    assert.deepEqual(await seriousViolations(page), [], 'the list');
    assert.deepEqual(await smallTargets(page), [], 'the list');
    const w = await pageWidth(page);
    assert.ok(w[0] <= w[1], `the list is ${w[0]}px wide in ${w[1]}px`);

    // The sub-category narrows it.
    await page.click('#svc-cat-legal_consultation');
    const consult = await expected(page, { category: 'legal_consultation' });
    await waitForIds(page, consult.items.map((s) => s.id));

    // Open the first: what to bring, who may, where (open or not, hours,
    // navigation), whom to call.
    const first = consult.items[0];
    await page.click(`#svc-card-${first.id}`);
    await page.waitForSelector('#svc-docs');
    assert.equal(await page.evaluate(() => location.hash), `#/services/${first.id}`);
    assert.equal((await page.textContent('#page-title')).trim(), first.name_zh);
    assert.equal(await page.title(), `${first.name_zh} - 暖新地图`);
    const detail = (await srv.api(`/api/services/${first.id}`)).json;
    const docs = await page.$$eval('#svc-docs li', (lis) => lis.map((li) => li.textContent.trim()));
    assert.deepEqual(docs, detail.required_documents.map((d) => d.zh));
    const locs = await page.$$eval('#svc-where li.svc-loc', (lis) => lis.map((li) => Number(li.dataset.site)));
    assert.deepEqual(locs.sort(), detail.locations.map((l) => l.site.id).sort());
    for (const l of detail.locations) {
      const state = page.locator(`#svc-where li[data-site="${l.site.id}"] .svc-state`);
      assert.equal(await state.getAttribute('data-open'), String(l.open));
      assert.match(await state.textContent(), l.open ? /营业中/ : /已关门|暂停/);
      // One tap to navigate: the links the site API gives.
      const nav = (await srv.api(`/api/sites/${l.site.id}`)).json.nav;
      await page.waitForSelector(`#svc-where li[data-site="${l.site.id}"] a[data-nav="amap"]`);
      assert.equal(await page.getAttribute(`#svc-where li[data-site="${l.site.id}"] a[data-nav="amap"]`, 'href'), nav.amap);
    }
    const org = (await srv.api(`/api/organizations/${detail.organization.code}`)).json;
    const phone = detail.phone || org.phone;
    await page.waitForSelector('#svc-contact a.btn-call');
    assert.equal(await page.getAttribute('#svc-contact a.btn-call', 'href'), `tel:${phone.replace(/[^0-9+]/g, '')}`);
    assert.match(await page.textContent('#svc-fees'), /免费|费/);
    await screenshot(page, 'service-390', { full: true });
    assert.deepEqual(await seriousViolations(page), [], 'a service');
    assert.deepEqual(await smallTargets(page), [], 'a service');
    const w2 = await pageWidth(page);
    assert.ok(w2[0] <= w2[1], `a service is ${w2[0]}px wide in ${w2[1]}px`);

    // Back: the same list, the same chips, focus on the service opened.
    await page.goBack();
    await page.waitForSelector(`#svc-card-${first.id}`);
    assert.equal(await page.getAttribute('#svc-cat-legal_consultation', 'aria-pressed'), 'true');
    await page.waitForFunction((id) => document.activeElement && document.activeElement.id === `svc-card-${id}`, first.id);
    assert.deepEqual(b.errors, []);
  } finally {
    await b.close();
  }
});

test('near me and words: the list is measured from the phone and narrowed by the search', async () => {
  const b = await openBrowser({ ...PHONE, geolocation: XINNAN, permissions: ['geolocation'] });
  try {
    const { page } = b;
    await page.goto(`${srv.base}/#/services`);
    await page.waitForSelector('#svc-list li.svc-li');
    await page.click('#svc-near-me');
    await page.waitForSelector('#svc-list[data-kind="gps"]:not([aria-busy="true"])');
    assert.match(await page.textContent('#svc-point-note'), /按你的位置排序/);
    const near = await expected(page, {});
    await waitForIds(page, near.items.map((s) => s.id));
    // The nearest are at the Xinnan station, a few metres away.
    assert.match(await page.textContent('#svc-list li.svc-li:first-child .svc-card-where'), /新南社区暖新驿站/);

    await page.fill('#svc-q', '体检');
    await page.click('#svc-search-go');
    const found = await expected(page, { q: '体检' });
    assert.ok(found.items.length >= 1);
    await waitForIds(page, found.items.map((s) => s.id));
    assert.match(await page.textContent('#svc-status'), /“体检”/);
    assert.equal(await page.evaluate(() => location.hash), `#/services?q=${encodeURIComponent('体检')}`);
    // Nothing found says so.
    await page.fill('#svc-q', '不存在的服务名');
    await page.click('#svc-search-go');
    await page.waitForSelector('#svc-list:not([aria-busy="true"])', { state: 'attached' });
    await page.waitForFunction(() => /没有找到服务/.test(document.querySelector('#svc-status').textContent));
    await page.click('#svc-clear');
    await waitForIds(page, near.items.map((s) => s.id));
    assert.deepEqual(b.errors, []);
  } finally {
    await b.close();
  }
});

test("a site's services, and the pages in English", async () => {
  const b = await openBrowser(PHONE);
  try {
    const { page } = b;
    const want = (await srv.api('/api/sites/14/services')).json;
    assert.ok(want.items.length > 5);
    await page.goto(`${srv.base}/#/services/site/14`);
    await page.waitForSelector('.svc-here-list li');
    assert.equal(await page.$$eval('.svc-here-list li', (l) => l.length), want.items.length);
    assert.match(await page.textContent('#page-title'), new RegExp(want.site.name_zh));
    assert.match(await page.textContent('#svc-site-list-h'), new RegExp(`（${want.items.length}）`));
    assert.deepEqual(await seriousViolations(page), [], "a site's services");
    assert.deepEqual(await smallTargets(page), [], "a site's services");

    await page.click('#lang');
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    assert.match(await page.textContent('#page-title'), new RegExp(`Services at ${want.site.name_en}`));
    assert.equal((await page.textContent('#nav-services')).trim(), 'Services');
    const one = want.items[0];
    await page.click(`.svc-here-list li[data-id="${one.id}"] a`);
    await page.waitForSelector('#svc-docs');
    assert.equal((await page.textContent('#page-title')).trim(), one.name_en);
    assert.match(await page.textContent('#svc-docs-h'), /Documents to bring/);
    assert.match(await page.textContent('#svc-where-h'), /Where/);
    await screenshot(page, 'service-390-en', { full: true });
    assert.deepEqual(await seriousViolations(page), [], 'a service in English');
    // A service that does not exist says so.
    await page.goto(`${srv.base}/#/services/99999`);
    await page.waitForSelector('.svc-detail .form-alert');
    assert.match(await page.textContent('.svc-detail .form-alert'), /not found/);
    assert.deepEqual(b.errors.filter((e) => !/status of 404/.test(e)), []);
  } finally {
    await b.close();
  }
});

test('on a desktop the pages fit and the cards are links', async () => {
  const b = await openBrowser({ viewport: { width: 1280, height: 800 } });
  try {
    const { page } = b;
    await page.goto(`${srv.base}/#/services?category=health`);
    await page.waitForSelector('#svc-list li.svc-li');
    assert.equal(await page.getAttribute('#svc-cat-health', 'aria-pressed'), 'true');
    const w = await pageWidth(page);
    assert.ok(w[0] <= w[1]);
    await screenshot(page, 'services-desktop');
    // Keyboard: a card is a link, Enter opens it.
    await page.focus('#svc-list li.svc-li:first-child a');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#svc-docs');
    const w2 = await pageWidth(page);
    assert.ok(w2[0] <= w2[1]);
    assert.deepEqual(b.errors, []);
  } finally {
    await b.close();
  }
});
