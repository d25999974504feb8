// keys.test.mjs - every word a page asks for by a literal key
// (t('key'), tIn(lang, 'key'), and the fair board's both('key')) is in the
// dictionaries: a key misspelt or never written would show as the key
// itself on the page. Keys put together at run time (t(`st_${x}`)) are
// not checked here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PAGES } from '../../web/src/pages.js';
import { buildRegistry } from '../../web/src/registry.js';
import sharedWords from '../../web/src/words.js';

const SRC = path.resolve(import.meta.dirname, '../../web/src');
const words = buildRegistry(PAGES, sharedWords).words;

function sources(dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...sources(p));
    else if (e.name.endsWith('.js') && e.name !== 'sw.js') out.push(p);
  }
  return out;
}

test('every literal word key the pages use is defined', () => {
  const missing = [];
  const re = /\b(?:t\(|tIn\(\s*[\w'"]+\s*,\s*|both\()\s*'([A-Za-z_][\w]*)'/g;
  for (const file of sources(SRC)) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(re)) {
      if (!(m[1] in words.zh)) missing.push(`${path.relative(SRC, file)}: ${m[1]}`);
    }
  }
  assert.deepEqual(missing, []);
});
