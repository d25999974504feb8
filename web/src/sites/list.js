// list.js - the site registry for admins: a searchable list of places
// (any status), with edit links and delete after a confirmation.
import { h } from '../dom.js';
import { t, pick } from '../i18n.js';
import { icon } from '../icons.js';
import { getJson } from '../api.js';
import * as session from '../session.js';
import { go } from '../router.js';
import { field, bound, formAlert, button, errorMessage } from '../forms.js';
import { redraw, pageTitle } from '../page.js';
import { loadCatalogues, regionName, typeName } from '../catalogue.js';
import { checkFirst, allowed, tabs } from '../console.js';
import { mayAdminRegion } from '../regiontree.js';

const $id = (id) => document.getElementById(id);

const sites = { q: '', items: null, total: 0, busy: false, alert: '', note: '', confirm: null, deleting: null, loadedFor: null };
const LIST_LIMIT = 30;

async function loadSites({ more = false } = {}) {
  sites.busy = more ? 'more' : true;
  sites.alert = '';
  redraw();
  try {
    const q = more ? sites.loadedFor : sites.q.trim();
    const offset = more ? sites.items.length : 0;
    const r = await getJson('/api/sites', { q, limit: LIST_LIMIT, offset, status: 'any' });
    const got = r.items || [];
    sites.items = more ? [...sites.items, ...got.filter((x) => !sites.items.some((y) => y.id === x.id))] : got;
    sites.total = r.total ?? sites.items.length;
    sites.loadedFor = q;
  } catch (e) {
    sites.alert = errorMessage(e);
  }
  sites.busy = false;
  redraw();
  if (more) $id(`site-${sites.items[sites.items.length - 1]?.id}-name`)?.scrollIntoView({ block: 'nearest' });
}

async function deleteSite(s) {
  sites.deleting = s.id;
  sites.alert = '';
  redraw();
  try {
    await session.call('DELETE', `/api/sites/${s.id}`);
    sites.note = t('siteDeleted', { name: pick(s, 'name').text });
    sites.confirm = null;
    sites.items = sites.items.filter((x) => x.id !== s.id);
    sites.total = Math.max(0, sites.total - 1);
  } catch (e) {
    sites.alert = errorMessage(e);
  }
  sites.deleting = null;
  redraw();
  document.querySelector('#sites-panel .form-alert')?.focus();
}

export function statusWord(st) {
  return t(`st_${st}`);
}

/**
 * Back to the list from the form, which says what happened; after a save
 * the list shows the saved place (searched for q afresh).
 */
export function backToList(note, q) {
  sites.note = note;
  if (q !== undefined) {
    sites.q = q;
    sites.items = null;
    sites.confirm = null;
  }
  go('/admin/sites');
}

function siteRow(s) {
  const name = pick(s, 'name');
  const confirming = sites.confirm === s.id;
  return h(
    'li',
    { class: 'site-row', 'data-id': s.id },
    h(
      'div',
      { class: 'site-row-text' },
      h('h4', { class: 'site-row-name', lang: name.lang, id: `site-${s.id}-name` }, name.text),
      h(
        'p',
        { class: 'person-meta' },
        [typeName(s.type), statusWord(s.status), s.region ? regionName(s.region) : null, `#${s.id}`].filter(Boolean).join(' · '),
      ),
    ),
    // A region admin changes the places of their own regions only (the API refuses the rest).
    !mayAdminRegion(session.me(), s.region)
      ? h('p', { class: 'muted', id: `site-${s.id}-notyours` }, t('siteNotYours'))
      : confirming
      ? h(
          'div',
          { class: 'confirm', role: 'group', 'aria-labelledby': `site-${s.id}-confirm` },
          h('p', { id: `site-${s.id}-confirm`, tabindex: '-1' }, h('strong', null, t('deleteSiteConfirm', { name: name.text }))),
          h('p', { class: 'muted' }, t('deleteSiteWarn')),
          h(
            'div',
            { class: 'btn-row' },
            button(t('deleteConfirm'), { cls: 'btn btn-danger', id: `site-${s.id}-delete-yes`, busy: sites.deleting === s.id, onclick: () => deleteSite(s) }),
            button(t('cancel'), {
              cls: 'btn btn-secondary',
              onclick: () => {
                sites.confirm = null;
                redraw();
                $id(`site-${s.id}-delete`)?.focus();
              },
            }),
          ),
        )
      : h(
          'div',
          { class: 'btn-row' },
          h('a', { class: 'btn btn-secondary', href: `#/admin/sites/${s.id}`, 'aria-describedby': `site-${s.id}-name` }, t('edit')),
          h(
            'button',
            {
              type: 'button',
              class: 'btn btn-danger-outline',
              id: `site-${s.id}-delete`,
              'aria-describedby': `site-${s.id}-name`,
              onclick: () => {
                sites.confirm = s.id;
                sites.note = '';
                redraw();
                $id(`site-${s.id}-confirm`)?.focus();
              },
            },
            t('delete'),
          ),
        ),
  );
}

export const sitesView = {
  title: () => t('sitesTab'),
  async render(root, params, { first }) {
    if (first && !(await checkFirst(root))) return;
    if (!allowed(root, '/admin/sites', { roles: session.ADMIN_ROLES, denied: 'adminsOnly' })) return;
    if (first) {
      await loadCatalogues().catch(() => null);
      if (sites.items === null || sites.loadedFor !== sites.q.trim()) {
        loadSites();
        return; // loadSites draws
      }
    }
    const q = bound('input', sites, 'q', { type: 'search', enterkeyhint: 'search', autocomplete: 'off', maxlength: '100' });
    root.replaceChildren(
      h(
        'div',
        { class: 'page page-wide' },
        pageTitle(t('console')),
        tabs('/admin/sites'),
        h(
          'section',
          { class: 'panel', id: 'sites-panel', 'aria-labelledby': 'sites-title' },
          h(
            'div',
            { class: 'panel-head' },
            h('h3', { id: 'sites-title' }, t('manageSites')),
            h('a', { class: 'btn btn-primary', href: '#/admin/sites/new', id: 'site-new' }, h('span', { class: 'btn-icon-slot', svg: icon('plus') }), t('newSite')),
          ),
          h(
            'form',
            {
              class: 'form',
              role: 'search',
              id: 'sites-form',
              novalidate: true,
              onsubmit: (ev) => {
                ev.preventDefault();
                sites.note = '';
                sites.confirm = null;
                loadSites();
              },
            },
            field({
              id: 'sites-q',
              name: 'q',
              label: t('sitesQ'),
              input: q,
              control: h('div', { class: 'input-row' }, q, button(t('search'), { type: 'submit', cls: 'btn btn-secondary', busy: sites.busy === true, id: 'sites-search' })),
            }),
          ),
          formAlert(sites.alert),
          formAlert(sites.note, 'ok'),
          h(
            'p',
            { class: 'list-status', role: 'status', id: 'sites-status' },
            sites.items === null ? t('loading') : sites.items.length ? t('sitesShown', { n: sites.items.length, total: sites.total }) : t('noSitesFound'),
          ),
          sites.items && sites.items.length ? h('ul', { class: 'site-rows', id: 'site-rows' }, sites.items.map(siteRow)) : null,
          sites.items && sites.items.length < sites.total
            ? button(t('more'), { cls: 'btn btn-secondary btn-block btn-more', id: 'sites-more', busy: sites.busy === 'more', onclick: () => loadSites({ more: true }) })
            : null,
        ),
      ),
    );
  },
  leave() {
    sites.confirm = null;
  },
};
