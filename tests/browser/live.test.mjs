// A status change posted by staff reaches an open sheet (and the list)
// through the Server-Sent Events stream, without a reload.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, openBrowser, waitForList, ADMIN_TOKEN, screenshot } from './lib/harness.mjs';

let srv;
before(async () => {
  srv = await startServer();
});
after(async () => {
  await srv?.stop();
});

async function postStatus(id, amenities) {
  const r = await srv.api(`/api/sites/${id}/status`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${ADMIN_TOKEN}` },
    body: JSON.stringify({ amenities }),
  });
  assert.equal(r.status, 200, `POST /api/sites/${id}/status -> ${r.status} ${r.text.slice(0, 300)}`);
  return r.json;
}

test('a live status change appears in the open sheet and the list', async () => {
  const b = await openBrowser();
  try {
    await b.page.goto(`${srv.base}/`);
    await waitForList(b.page);
    // The nearest listed site with seats.
    const ids = await b.page.$$eval('#list li.card-li', (lis) => lis.map((li) => Number(li.dataset.id)));
    let site = null;
    for (const id of ids) {
      const s = (await srv.api(`/api/sites/${id}`)).json;
      if (s.amenities.some((a) => a.code === 'seats')) {
        site = s;
        break;
      }
    }
    assert.ok(site, 'a listed site has seats');
    await b.page.click(`#list li[data-id="${site.id}"] button`);
    await b.page.waitForSelector('#sheet:not([hidden]) .amen[data-code="seats"]');
    // Let the page finish loading the details before the change is sent.
    await b.page.waitForSelector('#sheet a[data-nav]', { timeout: 10000 }).catch(() => {});
    const marker = await b.page.evaluate(() => {
      window.__noReload = true;
      return true;
    });
    assert.ok(marker);

    const seatsFree = 7;
    await postStatus(site.id, [{ code: 'seats', available: seatsFree }]);
    const seats = '#sheet .amen[data-code="seats"] .amen-live';
    await b.page.waitForFunction(
      ([sel, n]) => document.querySelector(sel)?.textContent.includes(`可用 ${n}`),
      [seats, seatsFree],
      { timeout: 10000 },
    );
    assert.match(await b.page.textContent(seats), /刚刚更新|分钟前更新/);

    const hasMicrowave = site.amenities.some((a) => a.code === 'microwave');
    if (hasMicrowave) {
      await postStatus(site.id, [{ code: 'microwave', working: false }]);
      await b.page.waitForFunction(
        () => document.querySelector('#sheet .amen[data-code="microwave"]')?.textContent.includes('暂不可用'),
        null,
        { timeout: 10000 },
      );
    }
    // Same page, no reload happened.
    assert.equal(await b.page.evaluate(() => window.__noReload), true);
    // The card in the list shows the live seat count too (seats is a
    // highlighted amenity on cards).
    await b.page.waitForFunction(
      ([id, n]) => document.querySelector(`#list li[data-id="${id}"]`)?.textContent.includes(`可用 ${n}`),
      [site.id, seatsFree],
      { timeout: 10000 },
    );
    await screenshot(b.page, 'sheet-live-360');
  } finally {
    await b.close();
  }
});
