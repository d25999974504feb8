// Every site and every filter state has a URL (#/site/12, #/?amenity=rain&open=1),
// so a place can be sent to a WeChat group; Back closes what was opened
// last (the site), not the page before the map.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, openBrowser, waitForList, waitForListIds, expectedNear, pagePoint } from './lib/harness.mjs';

let srv;
before(async () => {
  srv = await startServer();
});
after(async () => {
  await srv?.stop();
});

const hash = (page) => page.evaluate(() => location.hash);

test('Back with a site open closes the site and stays on the map', async () => {
  const b = await openBrowser({ viewport: { width: 390, height: 844 } });
  try {
    // Came to the map from the sign-in page, as the rider did.
    await b.page.goto(`${srv.base}/#/login`);
    await b.page.waitForSelector('#login-form');
    await b.page.click('#nav-map');
    await waitForList(b.page);
    const id = Number(await b.page.getAttribute('#list li.card-li >> nth=0', 'data-id'));
    await b.page.click('#list li.card-li >> nth=0 >> button');
    await b.page.waitForSelector('#sheet:not([hidden]) .sheet-title');
    assert.equal(await hash(b.page), `#/site/${id}`, 'the open site has its own URL');
    await b.page.goBack();
    await b.page.waitForSelector('#sheet[hidden]', { state: 'attached' });
    assert.equal(await hash(b.page), '#/');
    assert.ok(await b.page.isVisible('#list'), 'still on the map');
    // Focus back on the card that opened it.
    assert.equal(await b.page.evaluate(() => document.activeElement.closest('li')?.dataset.id), String(id));
    // Forward opens it again.
    await b.page.goForward();
    await b.page.waitForSelector('#sheet:not([hidden]) .sheet-title');
    // The close button goes back too: one more Back leaves for the sign-in page.
    await b.page.click('#sheet .sheet-close');
    await b.page.waitForSelector('#sheet[hidden]', { state: 'attached' });
    await b.page.waitForFunction(() => location.hash === '#/');
    await b.page.goBack();
    await b.page.waitForSelector('#login-form');
    assert.deepEqual(b.errors, []);
  } finally {
    await b.close();
  }
});

test('a site URL opens the site; a filter URL sets the filters; filters change the URL', async () => {
  const b = await openBrowser();
  try {
    const any = (await srv.api('/api/sites/near?lat=34.6&lon=119.2&k=3')).json.items[2];
    await b.page.goto(`${srv.base}/#/site/${any.id}`);
    await b.page.waitForSelector('#sheet:not([hidden]) .sheet-title');
    await b.page.waitForFunction(
      (name) => document.querySelector('#sheet-title')?.textContent.trim() === name,
      any.name_zh,
    );
    // Closing a site opened from a link stays on the map.
    await b.page.click('#sheet .sheet-close');
    await b.page.waitForSelector('#sheet[hidden]', { state: 'attached' });
    assert.equal(await hash(b.page), '#/');

    await b.page.goto(`${srv.base}/#/?amenity=rain&open=1`);
    await b.page.reload();
    await waitForList(b.page);
    assert.equal(await b.page.getAttribute('#chips [data-chip="rain"]', 'aria-pressed'), 'true');
    assert.equal(await b.page.getAttribute('#open-now', 'aria-pressed'), 'true');
    const point = await pagePoint(b.page);
    const want = await expectedNear(srv, point, { alts: [['rain_gear'], ['umbrella']], open: true });
    await waitForListIds(b.page, want.map((s) => s.id));

    // Changing a filter rewrites the URL (no new history entry).
    const len = await b.page.evaluate(() => history.length);
    await b.page.click('#chips [data-chip="meal"]');
    await b.page.waitForFunction(() => location.hash.includes('meal'));
    const q = new URLSearchParams((await hash(b.page)).split('?')[1]);
    assert.deepEqual(q.get('amenity').split(',').sort(), ['meal', 'rain']);
    assert.equal(q.get('open'), '1');
    assert.equal(await b.page.evaluate(() => history.length), len);
    // A site opened with filters on keeps them in its URL.
    await waitForList(b.page);
    const id = Number(await b.page.getAttribute('#list li.card-li >> nth=0', 'data-id'));
    await b.page.click('#list li.card-li >> nth=0 >> button');
    await b.page.waitForSelector('#sheet:not([hidden])');
    assert.match(await hash(b.page), new RegExp(`^#/site/${id}\\?amenity=`));
    // The map link in the header keeps the filters when coming back from another page.
    await b.page.goBack();
    await b.page.click('#nav-me');
    await b.page.waitForSelector('#login-form');
    await b.page.click('#nav-map');
    await waitForList(b.page);
    assert.equal(await b.page.getAttribute('#chips [data-chip="meal"]', 'aria-pressed'), 'true');
    assert.deepEqual(b.errors, []);
  } finally {
    await b.close();
  }
});
