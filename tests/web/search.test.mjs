// search.test.mjs - the map's search (web/src/map/search.js) in node, with
// the pinyin initials table the build makes from pinyin-pro.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { indexSite, search, setInitialsTable, normalise } from '../../web/src/map/search.js';
import { pinyinInitialsTable } from '../../web/pinyin-initials.mjs';

setInitialsTable(pinyinInitialsTable());

const catalogue = new Map([
  ['umbrella', { code: 'umbrella', name_zh: '雨伞借用', name_en: 'Umbrella lending' }],
  ['microwave', { code: 'microwave', name_zh: '微波炉', name_en: 'Microwave' }],
  ['hot_water', { code: 'hot_water', name_zh: '热水', name_en: 'Hot water' }],
]);
const types = new Map([['warm_hut', { code: 'warm_hut', name_zh: '暖新小屋', name_en: 'Warm Hut' }]]);
const aliases = [{ codes: ['rain_gear', 'umbrella'], any: true, words: ['雨具', 'Rain gear'] }];
const sites = [
  { id: 1, name_zh: '新南街道暖新驿站', name_en: 'Xinnan Warm New Station', address_zh: '新南街道党群服务中心12号', type: 'community_station', amenities: [{ code: 'microwave', count: 1 }], distance_m: 900 },
  { id: 2, name_zh: '暖新小屋·苍梧绿园', name_en: 'Warm Hut, Cangwu Park', address_zh: '海州区苍梧绿园内', type: 'warm_hut', amenities: [{ code: 'umbrella', count: 5 }], distance_m: 300 },
  { id: 3, name_zh: '海州换电点1', name_en: 'Haizhou battery swap 1', address_zh: '', type: 'battery_swap', amenities: [{ code: 'hot_water', count: 1 }], distance_m: 100 },
];
const index = sites.map((s) => indexSite(s, { catalogue, types, aliases }));
const ids = (q) => search(index, q).map((s) => s.id);

test('normalise folds case, width and punctuation', () => {
  assert.equal(normalise(' Warm  Hut·ＡＢ '), 'warmhutab');
});

test('by name, address or service, in Chinese or English', () => {
  assert.deepEqual(ids('驿站'), [1]);
  assert.deepEqual(ids('苍梧'), [2]);
  assert.deepEqual(ids('微波炉'), [1]);
  assert.deepEqual(ids('umbrella'), [2]);
  assert.deepEqual(ids('雨具'), [2], "the chip's word finds umbrella lending");
  assert.deepEqual(ids('hot water'), [3]);
});

test('pinyin initials: nxyz finds 暖新驿站, hz finds 海州 (and 换电)', () => {
  assert.deepEqual(ids('nxyz'), [1]);
  assert.ok(ids('hz').includes(3));
  assert.deepEqual(ids('cwly'), [2]);
});

test('one missing or wrong character is forgiven in longer queries', () => {
  assert.deepEqual(ids('暖驿站'), [1], 'missing 新');
  assert.deepEqual(ids('nyz'), [], 'three initials must be exact');
  assert.deepEqual(ids('nxz'), [], 'three initials must be exact');
  assert.deepEqual(ids('xnyz'), [1], 'four initials: one wrong');
  assert.deepEqual(ids('umbrela'), [2], 'missing l');
  assert.deepEqual(ids('暖x'), [], 'short queries must match exactly');
});

test('better matches first, then nearer', () => {
  // "暖新" is in both names: the nearer first.
  assert.deepEqual(ids('暖新'), [2, 1]);
});
