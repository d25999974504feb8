// view.js - pieces the service pages share: the open line of a location,
// a service's tags (free, verification), the hours of a location, the
// navigation buttons of a site, the category tree.
import { h } from '../dom.js';
import { t, pick, openState } from '../i18n.js';
import { icon } from '../icons.js';
import { getJson } from '../api.js';
import { hoursRows } from '../map/hours.js';

const NAV_APPS = ['amap', 'baidu', 'tencent'];

/**
 * "● 营业中 · 12:00 关门" for a location ({open, next_change} and its site's
 * status): open and closed differ in icon and words, not only colour.
 */
export function openLine(loc, status, cls = 'svc-state') {
  const st = openState({ status: status || 'operational', open: loc.open, next_change: loc.next_change });
  return h(
    'span',
    { class: `${cls} state-${st.kind}`, 'data-open': st.open ? 'true' : 'false' },
    h('span', { class: 'svc-state-icon', svg: icon(st.open ? 'isOpen' : 'isShut', 'icon icon-sm') }),
    h('strong', null, st.label),
    st.detail ? ` · ${st.detail}` : '',
  );
}

/** Tags a rider decides by: free or fees, needs verification. */
export function serviceTags(s) {
  const tags = [];
  if (s.free) tags.push(h('span', { class: 'svc-tag svc-tag-free' }, t('svcFree')));
  else {
    const fees = pick(s, 'fees');
    tags.push(h('span', { class: 'svc-tag svc-tag-fee' }, fees.text ? t('svcFeeShort') : t('svcFeeAsk')));
  }
  if (s.requires_verified) tags.push(h('span', { class: 'svc-tag svc-tag-verify', svg: icon('shield', 'icon icon-sm') }, t('svcNeedsVerified')));
  return tags;
}

/** The opening hours as rows of words, or the text as written. */
export function hoursBlock(oh) {
  const rows = hoursRows(oh);
  if (!rows) return h('p', { class: 'svc-hours-raw', lang: 'en' }, oh || '—');
  return h(
    'dl',
    { class: 'hours svc-hours' },
    rows.map((r) => h('div', { class: 'hours-row' }, h('dt', null, r.days), h('dd', null, r.times))),
  );
}

/** Buttons that open a site in the phone's map apps (the links GET /api/sites/{id} gives). */
export function navButtons(nav, key) {
  const links = NAV_APPS.filter((k) => nav && nav[k]).map((k) =>
    h(
      'a',
      { class: 'btn btn-nav', href: nav[k], target: '_blank', rel: 'noopener noreferrer', 'data-nav': k, 'data-key': `${key}-nav-${k}` },
      h('span', { svg: icon('nav') }),
      t(`svcNav_${k}`),
    ),
  );
  return links.length ? h('div', { class: 'nav-btns' }, links) : null;
}

/** A tel: link as a big button (the number shown, the action said). */
export function callButton(phone, key) {
  const p = String(phone || '').trim();
  if (!p) return null;
  return h(
    'a',
    { class: 'btn btn-call', href: `tel:${p.replace(/[^0-9+]/g, '')}`, 'data-key': key },
    h('span', { svg: icon('phone') }),
    h('span', { 'aria-hidden': 'true' }, p),
    h('span', { class: 'visually-hidden' }, t('svcCall', { phone: p })),
  );
}

// ---- the category tree, asked once -------------------------------------------

let tree = null;
let pending = null;

/** The category tree: [{code, name_zh, name_en, children: [...]}]. */
export function loadCategories() {
  if (tree) return Promise.resolve(tree);
  if (!pending) {
    pending = getJson('/api/service-categories', undefined, { channel: 'services' })
      .then((r) => {
        tree = r.items || [];
        return tree;
      })
      .finally(() => {
        pending = null;
      });
  }
  return pending;
}

/** The categories from the top down to code: [top, ..., code's], or [] when unknown. */
export function categoryPath(code) {
  const walk = (items, trail) => {
    for (const c of items || []) {
      const here = [...trail, c];
      if (c.code === code) return here;
      const deeper = walk(c.children, here);
      if (deeper) return deeper;
    }
    return null;
  };
  return (code && walk(tree, [])) || [];
}

export function categoryByCode(code) {
  const path = categoryPath(code);
  return path.length ? path[path.length - 1] : null;
}
