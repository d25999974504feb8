// words.test.mjs - the web app's page registry and its words, checked in
// node (no browser): the page modules listed in web/src/pages.js merge
// without a clash, every word is given in Chinese and in English (not
// empty), and a key defined twice is refused.
//
//   node --test tests/web/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PAGES } from '../../web/src/pages.js';
import { buildRegistry, mergeWords } from '../../web/src/registry.js';
import { LANGS } from '../../web/src/i18n.js';
import sharedWords from '../../web/src/words.js';

// Words deliberately empty in one language: Chinese counts things with a
// measure word ("3 个"), English needs none.
const MAY_BE_EMPTY = new Set(['en:countUnit']);

const registry = buildRegistry(PAGES, sharedWords);

function sources() {
  return [{ owner: 'words.js', words: sharedWords }, ...PAGES.map((p) => ({ owner: p.id, words: p.words }))];
}

function filled(v) {
  if (typeof v === 'string') return v.trim() !== '';
  if (Array.isArray(v)) return v.length > 0 && v.every(filled);
  return false;
}

test('the registry builds: routes, header links, console tabs', () => {
  assert.deepEqual(LANGS, ['zh', 'en']);
  assert.ok(registry.routes.some((r) => r.pattern === '/'), 'a home route');
  for (const n of registry.nav) assert.ok(n.icon && n.word && n.href, `header link ${n.id}`);
  for (const x of registry.tabs) assert.ok(x.path && x.word && registry.routes.some((r) => r.pattern === x.path), `tab ${x.id}`);
});

test('every module has words in both languages, with the same keys', () => {
  for (const { owner, words } of sources()) {
    assert.ok(words && typeof words === 'object', `${owner}: words`);
    const zh = Object.keys(words.zh || {}).sort();
    const en = Object.keys(words.en || {}).sort();
    assert.deepEqual(
      { zhOnly: zh.filter((k) => !en.includes(k)), enOnly: en.filter((k) => !zh.includes(k)) },
      { zhOnly: [], enOnly: [] },
      `${owner}: keys in one language only`,
    );
  }
});

test('every word is given (not empty) in every language', () => {
  const empty = [];
  for (const l of LANGS)
    for (const [k, v] of Object.entries(registry.words[l])) if (!filled(v) && !MAY_BE_EMPTY.has(`${l}:${k}`)) empty.push(`${l}:${k}`);
  assert.deepEqual(empty, []);
  assert.deepEqual(Object.keys(registry.words.zh).sort(), Object.keys(registry.words.en).sort());
});

test('words with placeholders have the same ones in both languages', () => {
  const names = (v) => [...new Set(JSON.stringify(v).match(/\{\w+\}/g) || [])].sort();
  const differ = [];
  for (const [k, v] of Object.entries(registry.words.zh)) {
    if (k === 'dateFmt') continue; // each language's date order: {m}月{d}日, {d} {mon}
    if (JSON.stringify(names(v)) !== JSON.stringify(names(registry.words.en[k]))) differ.push(k);
  }
  assert.deepEqual(differ, []);
});

test('a key defined twice is refused, naming both owners', () => {
  const a = { zh: { hello: '你好' }, en: { hello: 'Hello' } };
  const b = { zh: { hello: '您好' }, en: { hello: 'Hi' } };
  assert.throws(() => mergeWords([{ owner: 'a', words: a }, { owner: 'b', words: b }]), /"hello".*a.*b/);
  // Also through the registry, for a page module whose word is another's.
  const clash = { id: 'clash', words: { zh: { appName: 'x' }, en: { appName: 'x' } }, routes: {} };
  assert.throws(() => buildRegistry([...PAGES, clash], sharedWords), /"appName".*words\.js.*clash/);
});

test('a route, a module id or a header link declared twice is refused', () => {
  const again = (extra) => () => buildRegistry([...PAGES, extra], sharedWords);
  const view = { render() {} };
  assert.throws(again({ id: 'x', words: {}, routes: { '/admin/sites/:other': view } }), /route .* twice/);
  assert.throws(again({ id: 'map', words: {}, routes: {} }), /"map"/);
  assert.throws(again({ id: 'x', words: {}, routes: {}, nav: { id: 'me', icon: 'user', word: 'me', href: '/me' } }), /header link/);
  assert.throws(() => buildRegistry(PAGES.filter((p) => !p.routes['/']), sharedWords), /home route/);
});
