// The site sheet: hours, amenities, navigation; accessible; closes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, openBrowser, waitForList, seriousViolations, screenshot } from './lib/harness.mjs';

let srv;
before(async () => {
  srv = await startServer();
});
after(async () => {
  await srv?.stop();
});

async function openFirstSheet(page) {
  await page.goto(`${srv.base}/`);
  await waitForList(page);
  const id = Number(await page.getAttribute('#list li.card-li >> nth=0', 'data-id'));
  await page.click('#list li.card-li >> nth=0 >> button');
  await page.waitForSelector('#sheet:not([hidden]) .sheet-title');
  return id;
}

test('a site sheet shows state, hours, amenities, phone and three nav links', async () => {
  const b = await openBrowser();
  try {
    const id = await openFirstSheet(b.page);
    const site = (await srv.api(`/api/sites/${id}`)).json;
    assert.equal((await b.page.textContent('#sheet-title')).trim(), site.name_zh);
    // Focus moves into the sheet.
    assert.equal(await b.page.evaluate(() => document.activeElement.id), 'sheet-title');
    const state = await b.page.textContent('#sheet .state-big');
    assert.match(state, site.open ? /营业中/ : /已关门|暂停服务|已停用|筹建中/);
    assert.ok((await b.page.$$('#sheet .hours-row, #sheet .hours-raw')).length > 0, 'hours shown');
    const codes = await b.page.$$eval('#sheet .amen', (lis) => lis.map((li) => li.dataset.code));
    assert.deepEqual(codes, site.amenities.map((a) => a.code));
    // Navigation deep links come from the API's nav (detail answers carry it).
    await b.page.waitForSelector('#sheet a[data-nav]', { timeout: 10000 });
    const nav = await b.page.$$eval('#sheet a[data-nav]', (as) =>
      as.map((a) => [a.dataset.nav, a.getAttribute('href')]),
    );
    assert.deepEqual(
      nav.map((n) => n[0]),
      ['amap', 'baidu', 'tencent'],
    );
    const apiNav = (await srv.api(`/api/sites/${id}`)).json.nav;
    for (const [k, href] of nav) assert.equal(href, apiNav[k]);
    if (site.phone) {
      const tel = await b.page.getAttribute('#sheet a.btn-call', 'href');
      assert.match(tel, /^tel:[0-9+]+$/);
    }
    await screenshot(b.page, 'sheet-360');
    // Escape closes it and focus returns to the card.
    await b.page.keyboard.press('Escape');
    assert.ok(await b.page.$('#sheet[hidden]'));
    assert.equal(await b.page.evaluate(() => document.activeElement.closest('li')?.dataset.id), String(id));
    assert.deepEqual(b.errors, []);
  } finally {
    await b.close();
  }
});

test('the sheet in English', async () => {
  const b = await openBrowser();
  try {
    await b.page.goto(`${srv.base}/`);
    await b.page.click('#lang');
    const id = await openFirstSheet(b.page);
    const site = (await srv.api(`/api/sites/${id}`)).json;
    assert.equal((await b.page.textContent('#sheet-title')).trim(), site.name_en || site.name_zh);
    assert.match(await b.page.textContent('#sheet'), /Opening hours/);
    assert.match(await b.page.textContent('#sheet .state-big'), /Open|Closed|Temporarily closed/);
    await screenshot(b.page, 'sheet-360-en');
  } finally {
    await b.close();
  }
});

test('axe: no serious or critical violations with the sheet open', async () => {
  const b = await openBrowser();
  try {
    await openFirstSheet(b.page);
    await b.page.waitForSelector('#sheet a[data-nav]', { timeout: 10000 }).catch(() => {});
    assert.deepEqual(await seriousViolations(b.page), []);
    assert.deepEqual(await seriousViolations(b.page, '#sheet'), []);
  } finally {
    await b.close();
  }
});

test('sheet buttons and links are at least 48x48 CSS px', async () => {
  const b = await openBrowser();
  try {
    await openFirstSheet(b.page);
    await b.page.waitForSelector('#sheet a[data-nav]', { timeout: 10000 }).catch(() => {});
    const small = await b.page.$$eval('#sheet button, #sheet a', (els) =>
      els
        .map((el) => [el.className, el.getBoundingClientRect()])
        .filter(([, r]) => r.width && (r.width < 48 || r.height < 48))
        .map(([c, r]) => `${c} ${r.width}x${r.height}`),
    );
    assert.deepEqual(small, []);
  } finally {
    await b.close();
  }
});

test('wide screen: the sheet is a side panel', async () => {
  const b = await openBrowser({ viewport: { width: 1280, height: 800 } });
  try {
    await openFirstSheet(b.page);
    const box = await b.page.locator('#sheet').boundingBox();
    assert.ok(box.width <= 480 && box.x > 640, `sheet at ${JSON.stringify(box)}`);
    await screenshot(b.page, 'sheet-1280');
  } finally {
    await b.close();
  }
});
