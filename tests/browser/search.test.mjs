// Search by name, address or service, with pinyin initials and one missing
// character forgiven; the results are listed nearest first, shown on the
// map, and the search is in the URL.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, openBrowser, waitForList, seriousViolations, screenshot } from './lib/harness.mjs';

let srv;
let b;
before(async () => {
  srv = await startServer();
  b = await openBrowser({ viewport: { width: 390, height: 844 } });
  await b.page.goto(`${srv.base}/`);
  await waitForList(b.page);
});
after(async () => {
  await b?.close();
  await srv?.stop();
});

async function searchFor(q) {
  await b.page.fill('#search', q);
  await b.page.waitForFunction(
    (v) => new URLSearchParams(location.hash.split('?')[1] || '').get('q') === v && !document.querySelector('#list[aria-busy="true"]'),
    q,
    { timeout: 15000 },
  );
  await b.page.waitForFunction(() => /找到|没有找到/.test(document.querySelector('#list-status').textContent));
  return b.page.$$eval('#list li.card-li', (lis) => lis.map((li) => ({ id: Number(li.dataset.id), name: li.querySelector('.card-name').textContent })));
}

test('pinyin initials: nxyz finds the Warm New Stations (暖新驿站)', async () => {
  const got = await searchFor('nxyz');
  assert.ok(got.length > 0, 'something is found');
  for (const s of got) assert.match(s.name, /暖新驿站/);
  assert.match(await b.page.textContent('#list-heading'), /搜索结果/);
  // Nearest first among equally good matches.
  const d = await b.page.$$eval('#list .card-dist', (x) => x.map((e) => e.textContent));
  assert.ok(d.length === got.length);
  await screenshot(b.page, 'search-nxyz-390');
});

test('one missing character is forgiven: 暖驿站 finds 暖新驿站', async () => {
  const got = await searchFor('暖驿站');
  assert.ok(got.length > 0);
  for (const s of got) assert.match(s.name, /暖新驿站/);
});

test('by service: 雨伞 finds only sites that lend umbrellas; by English name; by address', async () => {
  const got = await searchFor('雨伞');
  assert.ok(got.length > 0);
  for (const s of got) {
    const site = (await srv.api(`/api/sites/${s.id}`)).json;
    assert.ok(site.amenities.some((a) => a.code === 'umbrella'), `${s.name} lends umbrellas`);
  }
  const huts = await searchFor('warm hut');
  assert.ok(huts.length > 0);
  for (const s of huts) assert.match(s.name, /暖新小屋/);
  const one = (await srv.api('/api/sites?type=canteen&limit=1')).json.items[0];
  const byAddr = await searchFor(one.address_zh);
  assert.ok(byAddr.some((s) => s.id === one.id), 'found by its address');
});

test('the map shows the results; nothing found says so; clearing goes back to the nearest', async () => {
  const got = await searchFor('nxyz');
  await b.page.waitForTimeout(600);
  const onMap = await b.page.$$eval('#map .mk[data-id], #map .cl', (els) => els.length);
  assert.ok(onMap > 0 && onMap <= got.length);
  assert.deepEqual(await seriousViolations(b.page), []);
  const none = await searchFor('qqqqzzzz');
  assert.deepEqual(none, []);
  assert.match(await b.page.textContent('#list-status'), /没有找到/);
  await b.page.click('#search-clear');
  await b.page.waitForFunction(() => !location.hash.includes('q='));
  await b.page.waitForFunction(() => /最近的/.test(document.querySelector('#list-status').textContent));
  assert.match(await b.page.textContent('#list-heading'), /离你最近/);
  assert.deepEqual(b.errors, []);
});
