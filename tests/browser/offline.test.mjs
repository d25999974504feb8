// Offline: the service worker keeps the app shell and the last answers; a
// reload without network shows the saved sites under a "may be out of
// date" banner.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, openBrowser, waitForList, listIds, screenshot } from './lib/harness.mjs';

let srv;
before(async () => {
  srv = await startServer();
});
after(async () => {
  await srv?.stop();
});

test('reloaded offline, the page shows the saved sites with a stale banner', async () => {
  const b = await openBrowser();
  try {
    await b.page.goto(`${srv.base}/`);
    await waitForList(b.page);
    assert.ok(await b.page.$('#banner[hidden]'), 'no banner while online');
    // The worker takes over, the page asks again through it, and the
    // answers are kept.
    await b.page.waitForFunction(() => Boolean(navigator.serviceWorker.controller), null, { timeout: 15000 });
    await b.page.waitForFunction(
      async () => {
        const c = await caches.open('wh-api-v1');
        const keys = await c.keys();
        return keys.some((k) => k.url.includes('/api/sites/near'));
      },
      null,
      { timeout: 15000, polling: 200 },
    );
    const online = await listIds(b.page);

    await b.context.setOffline(true);
    await b.page.reload();
    await waitForList(b.page);
    await b.page.waitForSelector('#banner:not([hidden])', { timeout: 10000 });
    assert.match(await b.page.textContent('#banner'), /可能不是最新/);
    assert.deepEqual(await listIds(b.page), online);
    // The sheet still opens from the saved data.
    await b.page.click('#list li.card-li >> nth=0 >> button');
    await b.page.waitForSelector('#sheet:not([hidden]) .sheet-title');
    await screenshot(b.page, 'offline-360');

    // In English the banner says the same.
    await b.page.click('#sheet .sheet-close');
    await b.page.click('#lang');
    assert.match(await b.page.textContent('#banner'), /may be out of date/i);

    // Back online, fresh answers clear the banner.
    await b.context.setOffline(false);
    await b.page.reload();
    await waitForList(b.page);
    await b.page.waitForSelector('#banner[hidden]', { state: 'attached', timeout: 10000 });
  } finally {
    await b.close();
  }
});

test('offline, "near me" lists the saved sites by distance from the phone, and says so', async () => {
  const b = await openBrowser({ viewport: { width: 390, height: 844 }, permissions: ['geolocation'] });
  try {
    await b.page.goto(`${srv.base}/`);
    await waitForList(b.page);
    await b.page.waitForFunction(() => Boolean(navigator.serviceWorker.controller), null, { timeout: 15000 });
    await b.page.waitForFunction(
      async () => {
        const keys = await (await caches.open('wh-api-v1')).keys();
        return keys.some((k) => k.url.includes('/api/sites/near'));
      },
      null,
      { timeout: 15000, polling: 200 },
    );
    const centreIds = await listIds(b.page);
    // The rider stands next to a site the page had listed, not the first.
    const target = (await srv.api(`/api/sites/${centreIds[5]}`)).json;
    await b.context.setGeolocation({ latitude: target.position.lat + 0.0001, longitude: target.position.lon, accuracy: 20 });
    await b.context.setOffline(true);
    await b.page.click('#near-me');
    await b.page.waitForSelector('#list-section[data-point-kind="gps"]');
    await b.page.waitForFunction(
      (id) => document.querySelector('#list li.card-li')?.dataset.id === String(id),
      target.id,
      { timeout: 10000 },
    );
    // Its distance is from the phone (about 10 m), not from the district centre.
    assert.match(await b.page.textContent('#list li.card-li >> nth=0 >> .card-dist'), /^10 米$/);
    const ids = await listIds(b.page);
    assert.notDeepEqual(ids, centreIds);
    // The page says plainly what the list is.
    await b.page.waitForSelector('#banner:not([hidden])');
    assert.match(await b.page.textContent('#banner'), /可能不是最新/);
    assert.match(await b.page.textContent('#banner'), /用手机上保存的 \d+ 个地点算出/);
    await screenshot(b.page, 'offline-near-me-390');
  } finally {
    await b.context.setOffline(false).catch(() => {});
    await b.close();
  }
});
