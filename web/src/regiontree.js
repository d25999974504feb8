// regiontree.js - the regions as a tree to pick from (the site form, the
// regions console): a search box (name in either language or code; the
// matches shown with the path above them) and the tree, each level opened
// with its own button. The list is drawn again in place while typing, so
// the search box keeps its focus.
import { h } from './dom.js';
import { t, pick } from './i18n.js';
import { cat } from './catalogue.js';

/** Children by parent code ('' for the top), from cat.regions. */
export function childrenMap(regions = cat.regions || []) {
  const codes = new Set(regions.map((r) => r.code));
  const kids = new Map();
  for (const r of regions) {
    const p = r.parent && codes.has(r.parent) ? r.parent : '';
    if (!kids.has(p)) kids.set(p, []);
    kids.get(p).push(r);
  }
  return kids;
}

/** The names from the top down to code: "杭州市 › 西湖区". */
export function regionPath(code, regions = cat.regions || []) {
  const by = new Map(regions.map((r) => [r.code, r]));
  const out = [];
  for (let r = by.get(code), n = 0; r && n < 20; r = by.get(r.parent), n++) out.unshift(pick(r, 'name').text);
  return out.join(' › ');
}

function matches(r, q) {
  const s = q.toLowerCase();
  return r.name_zh.includes(q) || (r.name_en || '').toLowerCase().includes(s) || r.code.toLowerCase().includes(s);
}

/** The codes from code up to the top. */
export function lineage(code, regions = cat.regions || []) {
  const by = new Map(regions.map((r) => [r.code, r]));
  const out = [];
  for (let r = by.get(code), n = 0; r && n < 20; r = by.get(r.parent), n++) out.push(r.code);
  return out;
}

/**
 * May the person with these grants administer region code (change it, put
 * sites and regions in it)? System admins anywhere; region admins at or
 * below their grants. code '' (no region): system admins only.
 */
export function mayAdminRegion(me, code) {
  const roles = (me && me.roles) || [];
  if (roles.some((g) => g.role === 'system_admin')) return true;
  const up = new Set(code ? lineage(code) : []);
  return roles.some((g) => g.role === 'region_admin' && (g.scope_kind === 'global' || (g.scope_kind === 'region' && up.has(g.scope_ref))));
}

/**
 * A tree to pick a region from. st: {q, open: Set of codes}; selected: the
 * code picked (or ''); onPick(code); idp: a prefix for element ids;
 * extra(r): more controls for a row (the console's); none: the words of
 * "no region" as a first choice, or null.
 */
export function regionTree({ st, selected, onPick, idp, extra, none, label, canPick = () => true }) {
  const kids = childrenMap();
  // Open the way down to the selected region.
  const by = new Map((cat.regions || []).map((r) => [r.code, r]));
  for (let r = by.get(by.get(selected)?.parent); r; r = by.get(r.parent)) st.open.add(r.code);
  const list = h('div', { class: 'rtree-body', id: `${idp}-body` });
  const choose = (r) =>
    r && !canPick(r.code)
      ? h('span', { class: 'rtree-pick rtree-nopick', id: `${idp}-name-${r.code}` }, h('span', { lang: pick(r, 'name').lang }, pick(r, 'name').text), h('span', { class: 'rtree-code' }, r.code))
      : h(
      'button',
      {
        type: 'button',
        class: `rtree-pick${selected === (r ? r.code : '') ? ' is-picked' : ''}`,
        id: `${idp}-pick-${r ? r.code : 'none'}`,
        'aria-pressed': selected === (r ? r.code : '') ? 'true' : 'false',
        onclick: () => onPick(r ? r.code : ''),
      },
      r ? h('span', { lang: pick(r, 'name').lang }, pick(r, 'name').text) : none,
      r ? h('span', { class: 'rtree-code' }, r.code) : null,
    );
  const node = (r) => {
    const children = kids.get(r.code) || [];
    const isOpen = st.open.has(r.code);
    return h(
      'li',
      { class: 'rtree-node', 'data-code': r.code },
      h(
        'div',
        { class: 'rtree-row' },
        children.length
          ? h(
              'button',
              {
                type: 'button',
                class: 'rtree-toggle',
                id: `${idp}-tg-${r.code}`,
                'aria-expanded': isOpen ? 'true' : 'false',
                'aria-label': t(isOpen ? 'rtreeClose' : 'rtreeOpen', { name: pick(r, 'name').text, n: children.length }),
                onclick: () => {
                  if (st.open.has(r.code)) st.open.delete(r.code);
                  else st.open.add(r.code);
                  draw();
                  document.getElementById(`${idp}-tg-${r.code}`)?.focus();
                },
              },
              isOpen ? '▾' : '▸',
            )
          : h('span', { class: 'rtree-leaf', 'aria-hidden': 'true' }),
        choose(r),
        extra ? extra(r) : null,
      ),
      children.length && isOpen ? h('ul', { class: 'rtree-list' }, children.map(node)) : null,
    );
  };
  function draw() {
    const q = st.q.trim();
    if (q) {
      const found = (cat.regions || []).filter((r) => matches(r, q)).slice(0, 50);
      list.replaceChildren(
        h('p', { class: 'list-status', role: 'status', id: `${idp}-found` }, found.length ? t('rtreeFound', { n: found.length }) : t('rtreeNone')),
        found.length
          ? h(
              'ul',
              { class: 'rtree-list rtree-flat' },
              found.map((r) =>
                h(
                  'li',
                  { class: 'rtree-node', 'data-code': r.code },
                  h('div', { class: 'rtree-row' }, choose(r), extra ? extra(r) : null),
                  r.parent ? h('p', { class: 'rtree-path muted' }, regionPath(r.parent)) : null,
                ),
              ),
            )
          : null,
      );
      return;
    }
    list.replaceChildren(
      none ? h('div', { class: 'rtree-row' }, h('span', { class: 'rtree-leaf', 'aria-hidden': 'true' }), choose(null)) : null,
      h('ul', { class: 'rtree-list' }, (kids.get('') || []).map(node)),
    );
  }
  const search = h('input', { type: 'search', class: 'input', id: `${idp}-q`, autocomplete: 'off', maxlength: '50', enterkeyhint: 'search' });
  search.value = st.q;
  search.addEventListener('input', () => {
    st.q = search.value;
    draw();
  });
  search.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter') ev.preventDefault();
  });
  draw();
  return h(
    'div',
    { class: 'rtree', role: 'group', 'aria-label': label || t('rtreeLabel') },
    h('label', { class: 'field-label', for: `${idp}-q` }, t('rtreeSearch')),
    search,
    list,
  );
}
