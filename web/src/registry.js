// registry.js - turns the page modules listed in pages.js into what the
// shell needs: the hash routes, the header's links, the console's tabs and
// one dictionary per language. No DOM here, so node can run it too
// (tests/web/words.test.mjs).
//
// A page module (web/src/<feature>/page.js) is a plain object:
//
//   export default {
//     id: 'sites',                           // names the feature (in errors too)
//     words,                                 // { zh: {key: word}, en: {key: word} }
//     routes: {                              // hash route -> view, matched in this order
//       '/admin/sites': sitesView,
//       '/admin/sites/new': siteFormView,
//       '/admin/sites/:id': siteFormView,
//     },
//     nav: { id, icon, word, href, roles },  // optional: a link in the header
//     section: 'admin',                      // optional: the header link its pages mark current
//     tab: { id, path, word, roles },        // optional: a console section tab
//     start() {}, retext() {}, cacheAgain() {},  // optional hooks, see main.js
//   };
//
// nav.word and nav.href may be functions of the signed-in person (or null).
// roles (nav, tab): the role names that see it; none given: everyone.
// What a view is, see main.js.
import { LANGS } from './i18n.js';

/**
 * Merge word lists: sources is [{owner, words}]. Throws when a key is
 * defined twice (in any language), naming both owners: words merged by
 * spreading would let one silently win.
 */
export function mergeWords(sources) {
  const out = {};
  for (const l of LANGS) out[l] = {};
  const owners = new Map(); // `${lang}:${key}` -> owner
  for (const { owner, words } of sources) {
    for (const l of LANGS) {
      for (const [key, word] of Object.entries((words && words[l]) || {})) {
        const was = owners.get(`${l}:${key}`);
        if (was !== undefined) throw new Error(`word "${key}" (${l}) is defined twice: by ${was} and by ${owner}`);
        owners.set(`${l}:${key}`, owner);
        out[l][key] = word;
      }
    }
  }
  return out;
}

/**
 * Everything the shell builds from the page modules. Throws on a module
 * without an id or with the id of another, a word or a route pattern
 * defined twice, two header links or tabs with one id, or no home ('/').
 */
export function buildRegistry(pages, sharedWords) {
  const ids = new Set();
  const routes = []; // {pattern, view, page}
  const patterns = new Map(); // pattern -> page id
  const nav = [];
  const tabs = [];
  const sections = new Map(); // view -> header link id
  for (const p of pages) {
    if (!p || typeof p.id !== 'string' || !p.id) throw new Error('a page module without an id');
    if (ids.has(p.id)) throw new Error(`two page modules are called "${p.id}"`);
    ids.add(p.id);
    const section = (p.nav && p.nav.id) || p.section || null;
    for (const [pattern, view] of Object.entries(p.routes || {})) {
      if (!view) throw new Error(`${p.id}: route ${pattern} has no view`);
      const norm = `/${pattern.split('/').filter(Boolean).map((s) => (s.startsWith(':') ? ':' : s)).join('/')}`;
      if (patterns.has(norm)) throw new Error(`route ${pattern} is declared twice: by ${patterns.get(norm)} and by ${p.id}`);
      patterns.set(norm, p.id);
      routes.push({ pattern, view, page: p });
      if (!sections.has(view)) sections.set(view, section);
    }
    if (p.nav) {
      if (nav.some((n) => n.id === p.nav.id)) throw new Error(`${p.id}: a header link "${p.nav.id}" exists already`);
      nav.push({ ...p.nav, page: p.id });
    }
    if (p.tab) {
      if (tabs.some((x) => x.id === p.tab.id)) throw new Error(`${p.id}: a console tab "${p.tab.id}" exists already`);
      tabs.push({ ...p.tab, page: p.id });
    }
  }
  const home = routes.find((r) => r.pattern === '/');
  if (!home) throw new Error('no page module declares the home route "/"');
  const words = mergeWords([{ owner: 'words.js', words: sharedWords }, ...pages.map((p) => ({ owner: p.id, words: p.words }))]);
  return {
    pages,
    routes,
    home: home.view,
    nav,
    tabs,
    words,
    /** The header link a view's page marks current (null: none). */
    sectionOf: (view) => sections.get(view) ?? null,
  };
}
