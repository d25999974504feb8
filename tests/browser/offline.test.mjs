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
