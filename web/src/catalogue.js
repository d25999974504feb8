// catalogue.js - what the console's forms pick from, loaded once: site
// types, amenities, and regions (parent first, children under them).
import { h } from './dom.js';
import { pick } from './i18n.js';
import { getJson } from './api.js';
import { options } from './forms.js';

export const cat = { types: null, amenities: null, regions: null, loading: null };

export function loadCatalogues() {
  if (cat.types && cat.amenities && cat.regions) return Promise.resolve();
  if (!cat.loading) {
    cat.loading = Promise.all([getJson('/api/site-types'), getJson('/api/amenities'), getJson('/api/regions', { limit: 5000 })])
      .then(([ty, am, rg]) => {
        cat.types = ty.items || [];
        cat.amenities = am.items || [];
        cat.regions = treeOrder(rg.items || []);
      })
      .finally(() => {
        cat.loading = null;
      });
  }
  return cat.loading;
}

/** Regions parent first, children under them, each with its depth. */
function treeOrder(items) {
  const kids = new Map();
  const codes = new Set(items.map((r) => r.code));
  for (const r of items) {
    const p = r.parent && codes.has(r.parent) ? r.parent : '';
    if (!kids.has(p)) kids.set(p, []);
    kids.get(p).push(r);
  }
  const out = [];
  const walk = (p, depth) => {
    for (const r of (kids.get(p) || []).sort((a, b) => a.code.localeCompare(b.code))) {
      out.push({ ...r, depth });
      walk(r.code, depth + 1);
    }
  };
  walk('', 0);
  return out;
}

export function regionOptions(selected, { empty } = {}) {
  const list = (cat.regions || []).map((r) => [r.code, `${'\u00a0\u00a0'.repeat(r.depth)}${pick(r, 'name').text}`]);
  return [empty ? h('option', { value: '' }, empty) : null, ...options(list, selected)];
}

export function regionName(code) {
  const r = (cat.regions || []).find((x) => x.code === code);
  return r ? pick(r, 'name').text : code || '';
}

export function typeName(code) {
  const ty = (cat.types || []).find((x) => x.code === code);
  return ty ? pick(ty, 'name').text : code || '';
}
