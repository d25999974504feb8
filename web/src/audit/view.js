// view.js - the audit log: newest first, filtered by the server (GET
// /api/audit ?action=&target_type=&actor=&from=&to=&q=) a page at a time
// ("more" asks for the entries before the last one shown). The filters
// are the page's URL (#/audit?action=grant_role&from=2026-12-01), so a
// filtered view can be shared and Back undoes a filter.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { getJson } from '../api.js';
import { go, queryOf } from '../router.js';
import { field, bound, options, formAlert, button, errorMessage } from '../forms.js';
import { redraw, pageTitle } from '../page.js';
import { checkFirst, allowed, tabs } from '../console.js';

const PAGE = 200;
const KEYS = ['action', 'target', 'actor', 'q', 'from', 'to'];
const st = { items: null, next: null, alert: '', f: {}, busy: false, known: null };

/** The API's query for filters f (the URL's target is the API's target_type). */
export function auditParams(f) {
  const p = { limit: PAGE };
  for (const k of KEYS) if (f[k] && String(f[k]).trim()) p[k === 'target' ? 'target_type' : k] = String(f[k]).trim();
  return p;
}

async function loadPage(more) {
  st.busy = more ? 'more' : true;
  st.alert = '';
  try {
    const r = await getJson('/api/audit', { ...auditParams(st.f), before: more ? st.next : undefined });
    st.items = more ? [...st.items, ...(r.items || [])] : r.items || [];
    st.next = r.next_before || null;
  } catch (e) {
    if (!more) st.items = [];
    st.alert = errorMessage(e);
  }
  st.busy = false;
}

/** The actions and kinds of thing to choose from: those of the latest entries. */
async function loadKnown() {
  if (st.known) return;
  try {
    const items = (await getJson('/api/audit', { limit: 1000 })).items || [];
    st.known = { action: [...new Set(items.map((e) => e.action))].sort(), target: [...new Set(items.map((e) => e.target_type))].sort() };
  } catch {
    st.known = null; // the choices hold the filter's own value only
  }
}

function apply(ev) {
  ev.preventDefault();
  const p = new URLSearchParams();
  for (const k of KEYS) if (st.f[k] && String(st.f[k]).trim()) p.set(k, String(st.f[k]).trim());
  const qs = p.toString();
  go(`/audit${qs ? `?${qs}` : ''}`);
}

export const auditView = {
  title: () => t('auditTab'),
  async render(root, params, { first }) {
    if (first && !(await checkFirst(root))) return;
    if (!allowed(root, '/audit', { roles: ['system_admin'], denied: 'auditOnly' })) return;
    if (first) {
      const q = queryOf(location.hash);
      st.f = Object.fromEntries(KEYS.map((k) => [k, q.get(k) || '']));
      st.alert = '';
      root.replaceChildren(h('div', { class: 'page' }, pageTitle(t('auditTab')), h('p', { class: 'muted' }, t('loading'))));
      await Promise.all([loadPage(false), loadKnown()]);
    }
    const shown = st.items || [];
    const distinct = (k) => [...new Set([...((st.known && st.known[k]) || []), st.f[k]].filter(Boolean))].sort();
    const any = t('auditAny');
    const filtered = KEYS.some((k) => st.f[k]);
    root.replaceChildren(
      h(
        'div',
        { class: 'page page-wide' },
        pageTitle(t('console')),
        tabs('/audit'),
        h(
          'section',
          { class: 'panel', 'aria-labelledby': 'audit-title' },
          h('h3', { id: 'audit-title' }, t('auditTitle')),
          h('p', { class: 'muted' }, t('auditIntro')),
          h(
            'form',
            { class: 'form', id: 'audit-filters', role: 'search', novalidate: true, onsubmit: apply },
            h(
              'div',
              { class: 'filter-row' },
              field({ id: 'audit-action', name: 'action', label: t('auditAction'), input: bound('select', st.f, 'action', {}, h('option', { value: '' }, any), options(distinct('action').map((a) => [a, a]), st.f.action)) }),
              field({ id: 'audit-target', name: 'target', label: t('auditTarget'), input: bound('select', st.f, 'target', {}, h('option', { value: '' }, any), options(distinct('target').map((a) => [a, a]), st.f.target)) }),
              field({ id: 'audit-actor', name: 'actor', label: t('auditActor'), input: bound('input', st.f, 'actor', { type: 'text', inputmode: 'numeric', autocomplete: 'off', maxlength: '20' }) }),
              field({ id: 'audit-q', name: 'q', label: t('auditQ'), input: bound('input', st.f, 'q', { type: 'search', autocomplete: 'off', maxlength: '100' }) }),
              field({ id: 'audit-from', name: 'from', label: t('auditFrom'), input: bound('input', st.f, 'from', { type: 'date' }) }),
              field({ id: 'audit-to', name: 'to', label: t('auditTo'), input: bound('input', st.f, 'to', { type: 'date' }) }),
            ),
            h(
              'div',
              { class: 'btn-row' },
              button(t('auditApply'), { type: 'submit', cls: 'btn btn-primary', id: 'audit-apply' }),
              filtered ? h('a', { class: 'btn btn-secondary', href: '#/audit', id: 'audit-clear' }, t('auditClear')) : null,
            ),
          ),
          formAlert(st.alert),
          h('p', { class: 'list-status', role: 'status', id: 'audit-status' }, shown.length ? t(st.next ? 'auditShownMore' : 'auditShown', { n: shown.length }) : t('auditNone')),
          shown.length
            ? h(
                'div',
                { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-labelledby': 'audit-title' },
                h(
                  'table',
                  { class: 'data-table', id: 'audit-table' },
                  h('caption', { class: 'visually-hidden' }, t('auditTitle')),
                  h('thead', null, h('tr', null, ['auditAt', 'auditActor', 'auditAction', 'auditTarget', 'auditDetail'].map((k) => h('th', { scope: 'col' }, t(k))))),
                  h(
                    'tbody',
                    null,
                    shown.map((e) =>
                      h(
                        'tr',
                        { 'data-id': e.id, 'data-action': e.action },
                        h('td', null, e.at.replace('T', ' ').slice(0, 16)),
                        h('td', null, e.actor_id === null ? t('auditSystem') : `#${e.actor_id}`),
                        h('td', null, e.action),
                        h('td', null, `${e.target_type} ${e.target_id}`),
                        h('td', null, [e.detail, e.address].filter(Boolean).join(' · ')),
                      ),
                    ),
                  ),
                ),
              )
            : null,
          st.next
            ? button(t('more'), {
                cls: 'btn btn-secondary btn-block btn-more',
                id: 'audit-more',
                busy: st.busy === 'more',
                onclick: async () => {
                  const n = st.items.length;
                  await loadPage(true);
                  redraw();
                  document.querySelector(`#audit-table tbody tr:nth-child(${n + 1}) td`)?.scrollIntoView({ block: 'nearest' });
                },
              })
            : null,
        ),
      ),
    );
  },
};
