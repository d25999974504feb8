// The map's site sheet lists what can be done at the site (the service
// catalogue), each a link to the service; a site without services shows
// nothing of it. The list stays through live redraws of the sheet.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, openBrowser, seriousViolations } from './lib/harness.mjs';

let srv;
before(async () => {
  srv = await startServer();
});
after(async () => {
  await srv?.stop();
});

test('the site sheet lists the services offered there', async () => {
  // The site with the most services (the Xinnan community station).
  const all = (await srv.api('/api/services?limit=100')).json;
  assert.ok(all.items, JSON.stringify(all));
  const counts = new Map();
  for (const s of all.items) {
    const one = (await srv.api(`/api/services/${s.id}`)).json;
    for (const l of one.locations || []) {
      const id = l.site_id ?? l.site?.id ?? l.site;
      counts.set(id, (counts.get(id) || 0) + 1);
    }
  }
  const [siteId] = [...counts.entries()].sort((x, y) => y[1] - x[1])[0];
  const here = (await srv.api(`/api/sites/${siteId}/services`)).json.items;
  assert.ok(here.length > 0);
  const b = await openBrowser({ viewport: { width: 390, height: 844 } });
  try {
    const { page } = b;
    await page.goto(`${srv.base}/#/site/${siteId}`);
    await page.waitForSelector('.sheet-services .svc-here li');
    const n = await page.$$eval('.sheet-services .svc-here li', (lis) => lis.length);
    assert.equal(n, here.length);
    const first = await page.$eval('.sheet-services .svc-here li a', (a) => a.getAttribute('href'));
    assert.match(first, /#\/services\/\d+/);
    assert.deepEqual(await seriousViolations(page), []);
  } finally {
    await b.close();
  }
});
