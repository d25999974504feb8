// admin.js - the console for staff and admins: find people, verify or
// revoke a worker, grant and revoke roles (admins), and the site registry
// (admins): a searchable list, a create / edit form, delete with a
// confirmation.
import { h } from './dom.js';
import { t, pick } from './i18n.js';
import { icon } from './icons.js';
import { getJson, ApiError } from './api.js';
import * as session from './session.js';
import { go } from './router.js';
import { field, bound, options, formAlert, button, errorMessage, placeError, focusProblem } from './forms.js';
import { pageTitle, needSignIn } from './account.js';
import { occupationName, platformName, roleScopeText, knowName } from './people.js';
import { loadConfig, grantableRoles } from './config.js';

let redraw = () => {};
export function setAdminRedraw(fn) {
  redraw = fn;
}

const $id = (id) => document.getElementById(id);
const pageRoot = () => $id('view-page');

// ---- catalogues the forms pick from (loaded once) ----------------------------------

const cat = { types: null, amenities: null, regions: null, loading: null };

function loadCatalogues() {
  if (cat.types && cat.amenities && cat.regions) return Promise.resolve();
  if (!cat.loading) {
    cat.loading = Promise.all([getJson('/api/site-types'), getJson('/api/amenities'), getJson('/api/regions', { limit: 5000 })])
      .then(([ty, am, rg]) => {
        cat.types = ty.items || [];
        cat.amenities = am.items || [];
        cat.regions = treeOrder(rg.items || []);
        for (const r of cat.regions) knowName('region', r.code, r);
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

function regionOptions(selected, { empty } = {}) {
  const list = (cat.regions || []).map((r) => [r.code, `${'\u00a0\u00a0'.repeat(r.depth)}${pick(r, 'name').text}`]);
  return [empty ? h('option', { value: '' }, empty) : null, ...options(list, selected)];
}

function regionName(code) {
  const r = (cat.regions || []).find((x) => x.code === code);
  return r ? pick(r, 'name').text : code || '';
}

function typeName(code) {
  const ty = (cat.types || []).find((x) => x.code === code);
  return ty ? pick(ty, 'name').text : code || '';
}

// ---- the page frame -------------------------------------------------------------------

function tabs(active) {
  if (!session.isAdmin()) return null; // staff have one section only
  const tab = (path, key, id) =>
    h('a', { href: `#${path}`, id, class: 'seg-btn', 'aria-current': active === path ? 'page' : null }, t(key));
  return h(
    'nav',
    { class: 'seg', 'aria-label': t('consoleSections') },
    tab('/admin', 'peopleTab', 'tab-people'),
    tab('/admin/sites', 'sitesTab', 'tab-sites'),
  );
}

/** The first drawing of a console page: who is signed in, asked afresh. */
async function checkFirst(root) {
  try {
    await session.refresh({ force: true });
    return true;
  } catch (e) {
    root.replaceChildren(h('div', { class: 'page' }, pageTitle(t('console')), formAlert(errorMessage(e))));
    return false;
  }
}

/**
 * May the person see this page? Draws "not for you" (or sends to sign-in)
 * and returns false when not. Synchronous: later drawings must be.
 */
function allowed(root, path, { admin = false } = {}) {
  if (!session.me()) {
    needSignIn(path);
    return false;
  }
  if (!session.canConsole() || (admin && !session.isAdmin())) {
    root.replaceChildren(
      h(
        'div',
        { class: 'page' },
        pageTitle(t('console')),
        formAlert(t(admin && session.canConsole() ? 'adminsOnly' : 'staffOnly')),
        h('p', null, h('a', { href: '#/', class: 'btn btn-secondary' }, t('backToMap'))),
      ),
    );
    return false;
  }
  return true;
}

// ---- people -------------------------------------------------------------------------------

const people = { q: '', items: null, busy: false, alert: '', status: '', rowNote: {}, rowError: {}, rowBusy: null, open: null };
const roles = { list: null, error: '' }; // [{name, scopes}] from the config
const grant = { userId: null, role: '', kind: '', siteQ: '', sites: null, siteBusy: false, site: '', region: '', dept: '', errors: {}, alert: '', note: '', busy: false };
const granted = new Map(); // user id -> grants made on this page [{id, role, scope_kind, scope_ref}]

async function searchPeople(ev) {
  ev?.preventDefault();
  people.alert = '';
  people.status = '';
  const q = people.q.trim();
  // The server counts bytes: one Chinese character (a surname) is enough.
  const bytes = new TextEncoder().encode(q).length;
  if (bytes < 2 || bytes > 60) {
    people.alert = t('err_q_short');
    redraw();
    focusProblem(pageRoot());
    return;
  }
  people.busy = true;
  people.items = null; // not the answer to the last question
  people.open = null;
  people.status = t('searching');
  redraw();
  try {
    const r = await session.call('GET', '/api/users', { params: { q } });
    people.items = r.items || [];
    people.status = people.items.length ? t('peopleFound', { n: people.items.length }) : t('peopleNone', { q });
    people.rowNote = {};
    people.rowError = {};
    people.open = null;
  } catch (e) {
    people.alert = errorMessage(e);
  }
  people.busy = false;
  redraw();
  if (people.alert) focusProblem(pageRoot());
}

async function setVerification(u, state) {
  people.rowBusy = `v${u.id}`;
  people.rowNote[u.id] = '';
  people.rowError[u.id] = '';
  redraw();
  try {
    const nu = await session.call('POST', `/api/users/${u.id}/verification`, { json: { state } });
    const i = people.items.findIndex((x) => x.id === u.id);
    if (i >= 0) people.items[i] = { ...people.items[i], ...nu };
    people.rowNote[u.id] = t(state === 'verified' ? 'verifiedDone' : 'revokedDone', { name: u.display_name });
  } catch (e) {
    people.rowError[u.id] = errorMessage(e);
  }
  people.rowBusy = null;
  redraw();
  $id(`person-${u.id}-verify`)?.focus();
}

function openRoles(u) {
  if (people.open === u.id) {
    people.open = null;
  } else {
    people.open = u.id;
    const first = (roles.list || [])[0];
    Object.assign(grant, {
      userId: u.id,
      role: first ? first.name : '',
      kind: first ? first.scopes[0] : '',
      site: '',
      region: '',
      dept: '',
      errors: {},
      alert: '',
      note: '',
      sites: null,
      siteQ: '',
    });
  }
  redraw();
  if (people.open) $id('grant-role')?.focus();
  else $id(`person-${u.id}-roles`)?.focus();
}

/** The role table, asked once (the console's first drawing waits for it). */
async function loadRoles() {
  try {
    roles.list = grantableRoles(await loadConfig());
    roles.error = '';
  } catch (e) {
    roles.list = null;
    roles.error = errorMessage(e);
  }
}

/** The kinds of place a grant of role may be scoped to. */
function kindsOf(role) {
  const r = (roles.list || []).find((x) => x.name === role);
  return r ? r.scopes : [];
}

/** The form field a kind's reference is typed or picked in. */
function refField(kind) {
  return kind === 'site' ? 'site' : kind === 'region' ? 'region' : 'dept';
}

async function searchSitesForGrant() {
  grant.errors = {};
  const q = grant.siteQ.trim();
  if (!q) {
    grant.errors.site = t('err_site_q');
    redraw();
    focusProblem($id('grant-form'));
    return;
  }
  grant.siteBusy = true;
  redraw();
  try {
    const r = await getJson('/api/sites', { q, limit: 8, status: 'any' });
    grant.sites = r.items || [];
  } catch (e) {
    grant.errors.site = errorMessage(e);
  }
  grant.siteBusy = false;
  redraw();
  if (grant.errors.site) focusProblem($id('grant-form'));
  else $id('grant-sites')?.focus();
}

async function submitGrant(ev, u) {
  ev.preventDefault();
  const g = grant;
  g.errors = {};
  g.alert = '';
  g.note = '';
  const kind = g.kind;
  const ref = kind === 'site' ? g.site : kind === 'region' ? g.region : kind === 'global' ? '' : g.dept.trim();
  if (kind !== 'global' && !ref) g.errors[refField(kind)] = t(`err_pick_${kind}`);
  if (Object.keys(g.errors).length) {
    redraw();
    focusProblem($id('grant-form'));
    return;
  }
  g.busy = true;
  redraw();
  try {
    const r = await session.call('POST', `/api/users/${u.id}/roles`, { json: { role: g.role, scope_kind: kind, scope_ref: ref } });
    if (!granted.has(u.id)) granted.set(u.id, []);
    granted.get(u.id).push(r);
    g.note = t('grantedDone', { role: t(`role_${r.role}`), name: u.display_name, scope: roleScopeText(r) });
  } catch (e) {
    placeError(g, e, { role: 'role', scope_kind: 'kind', scope_ref: refField(kind) });
  }
  g.busy = false;
  redraw();
  focusProblem($id('grant-form'));
  if (g.note) $id('grant-form')?.querySelector('.form-alert')?.focus();
}

async function revokeGrant(u, gr) {
  grant.busy = `r${gr.id}`;
  grant.alert = '';
  grant.note = '';
  redraw();
  try {
    await session.call('DELETE', `/api/users/${u.id}/roles/${gr.id}`);
    granted.set(u.id, (granted.get(u.id) || []).filter((x) => x.id !== gr.id));
    grant.note = t('revokedRoleDone', { role: t(`role_${gr.role}`), name: u.display_name });
  } catch (e) {
    grant.alert = errorMessage(e);
  }
  grant.busy = false;
  redraw();
  $id('grant-form')?.querySelector('.form-alert')?.focus();
}

function siteScopePicker() {
  const g = grant;
  const search = bound('input', g, 'siteQ', { type: 'search', enterkeyhint: 'search', autocomplete: 'off' });
  search.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      searchSitesForGrant();
    }
  });
  return h(
    'div',
    { class: 'picker' },
    field({
      id: 'grant-site-q',
      name: 'site',
      label: t('pickSite'),
      hint: t('pickSiteHint'),
      error: g.errors.site,
      input: search,
      control: h(
        'div',
        { class: 'input-row' },
        search,
        button(t('search'), { cls: 'btn btn-secondary', busy: g.siteBusy, id: 'grant-site-search', onclick: searchSitesForGrant }),
      ),
    }),
    g.sites
      ? g.sites.length
        ? h(
            'fieldset',
            { class: 'fieldset', id: 'grant-sites', tabindex: '-1' },
            h('legend', { class: 'field-label' }, t('pickOne')),
            g.sites.map((s) => {
              const input = h('input', { type: 'radio', name: 'grant-site', class: 'check-input', value: String(s.id), id: `grant-site-${s.id}`, checked: g.site === String(s.id) });
              input.addEventListener('change', () => {
                g.site = String(s.id);
                knowName('site', s.id, s);
              });
              const name = pick(s, 'name');
              return h(
                'label',
                { class: 'check check-box', for: `grant-site-${s.id}` },
                input,
                h('span', { class: 'check-text' }, h('span', { lang: name.lang }, name.text), h('span', { class: 'muted' }, ` #${s.id}`)),
              );
            }),
          )
        : h('p', { class: 'muted', role: 'status' }, t('noSitesFound'))
      : null,
  );
}

/** The form to grant u a role: the role, where it applies, the place. */
function grantForm(u) {
  const g = grant;
  if (!roles.list || !roles.list.length) return formAlert(roles.error || t('err_unknown'));
  const roleSel = bound('select', g, 'role', {}, options(roles.list.map((r) => [r.name, t(`role_${r.name}`)]), g.role));
  roleSel.addEventListener('change', () => {
    g.kind = kindsOf(g.role)[0] || '';
    redraw();
  });
  const kinds = kindsOf(g.role);
  if (!kinds.includes(g.kind)) g.kind = kinds[0] || '';
  const everywhere = kinds.length === 1 && kinds[0] === 'global';
  const kindSel = bound('select', g, 'kind', {}, options(kinds.map((k) => [k, t(`scope_${k}`)]), g.kind));
  kindSel.addEventListener('change', () => redraw());
  return h(
    'form',
    { class: 'form', id: 'grant-form', novalidate: true, onsubmit: (ev) => submitGrant(ev, u) },
    h('h5', null, t('grantTitle', { name: u.display_name })),
    formAlert(g.alert),
    formAlert(g.note, 'ok'),
    field({ id: 'grant-role', name: 'role', label: t('roleLabel'), error: g.errors.role, input: roleSel }),
    field({ id: 'grant-kind', name: 'kind', label: t('scopeLabel'), error: g.errors.kind, input: kindSel, hint: everywhere ? t('globalHint') : null }),
    g.kind === 'site' ? siteScopePicker() : null,
    g.kind === 'region'
      ? field({
          id: 'grant-region',
          name: 'region',
          label: t('pickRegion'),
          error: g.errors.region,
          input: bound('select', g, 'region', {}, regionOptions(g.region, { empty: t('choose') })),
        })
      : null,
    // A department, or a kind of place this page has no picker for: its name typed in.
    g.kind && g.kind !== 'site' && g.kind !== 'region' && g.kind !== 'global'
      ? field({
          id: 'grant-dept',
          name: 'dept',
          label: g.kind === 'department' ? t('deptLabel') : t(`scope_${g.kind}`),
          hint: g.kind === 'department' ? t('deptHint') : null,
          error: g.errors.dept,
          input: bound('input', g, 'dept', { type: 'text', maxlength: '64' }),
        })
      : null,
    button(t('grantSubmit'), { type: 'submit', cls: 'btn btn-primary btn-block', busy: g.busy === true, id: 'grant-submit' }),
  );
}

/** The grants made here for u, and the form to grant another role. */
function grantPanel(u) {
  const g = grant;
  const mine = granted.get(u.id) || [];
  return h(
    'div',
    { class: 'grant', id: `person-${u.id}-grant` },
    mine.length
      ? h(
          'div',
          { class: 'grant-made' },
          h('h5', null, t('grantedHere')),
          h(
            'ul',
            { class: 'role-list' },
            mine.map((gr) =>
              h(
                'li',
                { class: 'role-item', 'data-grant': gr.id },
                h('span', { class: 'role-text' }, h('strong', null, t(`role_${gr.role}`)), h('span', { class: 'role-scope' }, roleScopeText(gr))),
                button(t('revokeRole'), { cls: 'btn btn-secondary btn-small', busy: g.busy === `r${gr.id}`, onclick: () => revokeGrant(u, gr) }),
              ),
            ),
          ),
        )
      : null,
    grantForm(u),
  );
}

function personCard(u) {
  const v = u.verification || 'unverified';
  const busyV = people.rowBusy === `v${u.id}`;
  return h(
    'li',
    { class: 'person', id: `person-${u.id}`, 'data-id': u.id, 'data-verification': v },
    h(
      'div',
      { class: 'person-head' },
      h('h4', { class: 'person-name', id: `person-${u.id}-name` }, u.display_name),
      h('span', { class: `badge-v badge-v-${v}` }, h('span', { svg: icon(v === 'verified' ? 'check' : v === 'revoked' ? 'warn' : 'clock', 'icon icon-sm') }), t(`verification_${v}`)),
    ),
    h('p', { class: 'person-meta' }, h('span', { class: 'person-phone' }, u.phone || t('noPhone')), ' · ', occupationName(u.occupation)),
    u.platforms && u.platforms.length ? h('p', { class: 'person-meta' }, u.platforms.map(platformName).join(t('listSep'))) : null,
    people.rowError[u.id] ? formAlert(people.rowError[u.id]) : null,
    people.rowNote[u.id] ? formAlert(people.rowNote[u.id], 'ok') : null,
    h(
      'div',
      { class: 'btn-row' },
      button(v === 'verified' ? t('revokeVerification') : t('verify'), {
        cls: v === 'verified' ? 'btn btn-secondary' : 'btn btn-primary',
        id: `person-${u.id}-verify`,
        busy: busyV,
        onclick: () => setVerification(u, v === 'verified' ? 'revoked' : 'verified'),
      }),
      session.isAdmin()
        ? h(
            'button',
            {
              type: 'button',
              class: 'btn btn-secondary',
              id: `person-${u.id}-roles`,
              'aria-expanded': people.open === u.id ? 'true' : 'false',
              'aria-controls': people.open === u.id ? `person-${u.id}-grant` : null,
              onclick: () => openRoles(u),
            },
            t('manageRoles'),
          )
        : null,
    ),
    people.open === u.id ? grantPanel(u) : null,
  );
}

export const consoleView = {
  title: () => t('console'),
  async render(root, params, { first }) {
    if (first && !(await checkFirst(root))) return;
    if (!allowed(root, '/admin')) return;
    if (first && session.isAdmin()) await Promise.all([loadCatalogues().catch(() => null), loadRoles()]);
    const q = bound('input', people, 'q', { type: 'search', enterkeyhint: 'search', autocomplete: 'off', maxlength: '60' });
    root.replaceChildren(
      h(
        'div',
        { class: 'page page-wide' },
        pageTitle(t('console')),
        tabs('/admin'),
        h(
          'section',
          { class: 'panel', 'aria-labelledby': 'people-title' },
          h('h3', { id: 'people-title' }, t('findPeople')),
          h(
            'form',
            { class: 'form', id: 'people-form', role: 'search', novalidate: true, onsubmit: searchPeople },
            formAlert(people.alert),
            field({
              id: 'people-q',
              name: 'q',
              label: t('peopleQ'),
              hint: session.isSystemAdmin() ? t('peopleQHint') : t('peopleQHintMasked'),
              input: q,
              control: h('div', { class: 'input-row' }, q, button(t('search'), { type: 'submit', cls: 'btn btn-primary', busy: people.busy, id: 'people-search' })),
            }),
          ),
          h('p', { class: 'list-status', role: 'status', id: 'people-status' }, people.status),
          people.items && people.items.length ? h('ul', { class: 'people-list', id: 'people-list' }, people.items.map(personCard)) : null,
        ),
      ),
    );
  },
};

// ---- sites: the list ------------------------------------------------------------------------

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

function statusWord(st) {
  return t(`st_${st}`);
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
    confirming
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
    if (!allowed(root, '/admin/sites', { admin: true })) return;
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

// ---- sites: the form ------------------------------------------------------------------------

const STATUSES = ['operational', 'partly_operational', 'temporarily_closed', 'closed', 'planned', 'removed'];
const DATUMS = ['wgs84', 'gcj02', 'bd09'];

const form = { id: null, v: null, orig: null, errors: {}, alert: '', busy: false, loadError: '', locating: false, locateNote: '' };

function emptySite() {
  return {
    name_zh: '',
    name_en: '',
    type: '',
    region: '',
    address_zh: '',
    address_en: '',
    lat: '',
    lon: '',
    datum: 'wgs84',
    phone: '',
    opening_hours: '24/7',
    capacity: '',
    status: 'operational',
    status_reason: '',
    status_until: '',
    amen: {}, // code -> {on, count}
  };
}

const pad = (n) => String(n).padStart(2, '0');

/** ISO time -> "YYYY-MM-DDTHH:MM" in China Standard Time, for datetime-local. */
function cstLocal(iso) {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return '';
  const d = new Date(ms + 8 * 3600 * 1000);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

function fromSite(s) {
  const v = emptySite();
  for (const k of ['name_zh', 'name_en', 'type', 'address_zh', 'address_en', 'phone', 'opening_hours', 'status']) v[k] = s[k] ?? '';
  v.region = s.region || '';
  v.lat = s.position ? String(s.position.lat) : '';
  v.lon = s.position ? String(s.position.lon) : '';
  v.datum = (s.position && s.position.datum) || 'wgs84';
  v.capacity = s.capacity === null || s.capacity === undefined ? '' : String(s.capacity);
  v.status_reason = s.status_reason || '';
  v.status_until = s.status_until ? cstLocal(s.status_until) : '';
  for (const a of s.amenities || []) v.amen[a.code] = { on: true, count: String(a.count ?? 1) };
  return v;
}

function amenityBody(v) {
  const out = {};
  for (const a of cat.amenities || []) {
    const e = v.amen[a.code];
    if (!e || !e.on) continue;
    if (a.kind === 'counted') {
      const n = Number(e.count);
      out[a.code] = Number.isInteger(n) && n >= 0 ? n : e.count === '' ? 1 : NaN;
    } else {
      out[a.code] = true;
    }
  }
  // Codes the catalogue does not list (any more) are kept as they were.
  for (const [code, e] of Object.entries(v.amen)) {
    if (e.on && !(code in out) && !(cat.amenities || []).some((a) => a.code === code)) out[code] = Number(e.count) || 1;
  }
  return out;
}

/** The request body: everything for a new site, what changed for an edit. */
function siteBody(v, orig) {
  const body = {
    name_zh: v.name_zh.trim(),
    name_en: v.name_en.trim(),
    type: v.type,
    region: v.region || null,
    address_zh: v.address_zh.trim(),
    address_en: v.address_en.trim(),
    phone: v.phone.trim(),
    opening_hours: v.opening_hours.trim(),
    capacity: v.capacity === '' ? null : Number(v.capacity),
    status: v.status,
    status_reason: v.status === 'temporarily_closed' ? v.status_reason.trim() || null : null,
    status_until: v.status === 'temporarily_closed' && v.status_until ? `${v.status_until}:00+08:00` : null,
    position: { lat: Number(v.lat), lon: Number(v.lon), datum: v.datum },
    amenities: amenityBody(v),
  };
  if (!orig) {
    for (const k of ['name_en', 'address_zh', 'address_en', 'phone']) if (!body[k]) delete body[k];
    for (const k of ['region', 'capacity', 'status_reason', 'status_until']) if (body[k] === null) delete body[k];
    return body;
  }
  const was = siteBody(orig, null);
  const out = {};
  for (const k of Object.keys(body)) {
    const a = JSON.stringify(body[k]);
    const b = JSON.stringify(k in was ? was[k] : k === 'region' || k === 'capacity' || k.startsWith('status_') ? null : '');
    if (a !== b) out[k] = body[k];
  }
  return out;
}

function checkSite(v) {
  const e = {};
  if (!v.name_zh.trim()) e.name_zh = t('err_site_name');
  if (!v.type) e.type = t('err_site_type');
  const lat = Number(v.lat);
  const lon = Number(v.lon);
  if (v.lat === '' || !Number.isFinite(lat) || lat < -90 || lat > 90) e.lat = t('err_lat');
  if (v.lon === '' || !Number.isFinite(lon) || lon < -180 || lon > 180) e.lon = t('err_lon');
  if (!v.opening_hours.trim()) e.opening_hours = t('err_hours_missing');
  if (v.capacity !== '' && !(Number.isInteger(Number(v.capacity)) && Number(v.capacity) >= 0)) e.capacity = t('err_capacity');
  if (v.status === 'temporarily_closed' && !v.status_reason.trim()) e.status_reason = t('err_reason_missing');
  for (const a of cat.amenities || []) {
    const x = v.amen[a.code];
    if (x && x.on && a.kind === 'counted' && x.count !== '' && !(Number.isInteger(Number(x.count)) && Number(x.count) >= 0 && Number(x.count) <= 10000))
      e.amenities = t('err_amen_count', { name: pick(a, 'name').text });
  }
  return e;
}

const SITE_FIELDS = {
  name_zh: 'name_zh',
  name_en: 'name_en',
  type: 'type',
  region: 'region',
  address_zh: 'address_zh',
  address_en: 'address_en',
  position: 'lat',
  'position.lat': 'lat',
  'position.lon': 'lon',
  'position.datum': 'datum',
  phone: 'phone',
  opening_hours: 'opening_hours',
  capacity: 'capacity',
  status: 'status',
  status_reason: 'status_reason',
  status_until: 'status_until',
  amenities: 'amenities',
};

async function saveSite(ev) {
  ev.preventDefault();
  const f = form;
  f.alert = '';
  f.errors = checkSite(f.v);
  if (Object.keys(f.errors).length) {
    redraw();
    focusProblem(pageRoot());
    return;
  }
  const body = siteBody(f.v, f.orig);
  if (f.id && !Object.keys(body).length) {
    f.alert = '';
    sites.note = t('siteUnchanged');
    go('/admin/sites');
    return;
  }
  f.busy = true;
  redraw();
  try {
    const s = f.id
      ? await session.call('PATCH', `/api/sites/${f.id}`, { json: body })
      : await session.call('POST', '/api/sites', { json: body });
    f.busy = false;
    const name = pick(s, 'name').text;
    sites.note = t(f.id ? 'siteSaved' : 'siteCreated', { name });
    sites.q = s.name_zh;
    sites.items = null;
    sites.confirm = null;
    form.id = null;
    form.v = null;
    go('/admin/sites');
    return;
  } catch (e) {
    f.busy = false;
    if (e instanceof ApiError && e.field && e.field.startsWith('amenities.')) e.field = 'amenities';
    placeError(f, e, SITE_FIELDS);
  }
  redraw();
  focusProblem(pageRoot());
}

/** Where the admin stands, from the phone (WGS-84, as GPS gives it). */
function fillPosition() {
  const f = form;
  f.locateNote = '';
  delete f.errors.lat;
  if (!navigator.geolocation) {
    f.locateNote = t('locateFailed', { reason: t('geoUnsupported') });
    redraw();
    return;
  }
  f.locating = true;
  redraw();
  navigator.geolocation.getCurrentPosition(
    (pos) => {
      f.locating = false;
      f.v.lat = pos.coords.latitude.toFixed(6);
      f.v.lon = pos.coords.longitude.toFixed(6);
      f.v.datum = 'wgs84';
      f.locateNote = t('positionFilled', { acc: Math.round(pos.coords.accuracy || 0) });
      redraw();
      $id('site-locate')?.focus();
    },
    (err) => {
      f.locating = false;
      const reason = err.code === 1 ? 'geoDenied' : err.code === 3 ? 'geoTimeout' : 'geoUnavailable';
      f.locateNote = t('locateFailedForm', { reason: t(reason) });
      redraw();
      $id('site-locate')?.focus();
    },
    { enableHighAccuracy: true, timeout: 15000, maximumAge: 0 },
  );
}

function amenityEditor(v) {
  const rows = (cat.amenities || []).map((a) => {
    const e = v.amen[a.code] || { on: false, count: '1' };
    const name = pick(a, 'name');
    const id = `am-${a.code}`;
    const box = h('input', { type: 'checkbox', class: 'check-input', id, checked: e.on });
    let count = null;
    if (a.kind === 'counted') {
      count = h('input', {
        type: 'number',
        class: 'input input-count',
        id: `${id}-n`,
        min: '0',
        max: '10000',
        step: '1',
        inputmode: 'numeric',
        value: e.count || '1',
        disabled: !e.on,
        'aria-label': t('countOf', { name: name.text }),
      });
      count.addEventListener('input', () => {
        v.amen[a.code] = { ...(v.amen[a.code] || { on: true }), count: count.value };
      });
    }
    // The number only once the amenity is ticked.
    const countBox = count
      ? h('span', { class: 'amen-count', hidden: !e.on }, count, h('span', { class: 'amen-unit', 'aria-hidden': 'true' }, t('countUnit')))
      : null;
    box.addEventListener('change', () => {
      v.amen[a.code] = { count: count ? count.value : '1', ...(v.amen[a.code] || {}), on: box.checked };
      if (count) {
        count.disabled = !box.checked;
        countBox.hidden = !box.checked;
      }
    });
    return h(
      'div',
      { class: 'amen-edit' },
      h('label', { class: 'check', for: id }, box, h('span', { class: 'check-text', lang: name.lang }, name.text)),
      countBox,
    );
  });
  return h(
    'fieldset',
    { class: `fieldset${form.errors.amenities ? ' field-bad' : ''}`, 'data-field': 'amenities', id: 'site-amenities' },
    h('legend', { class: 'field-label' }, t('amenities')),
    h('p', { class: 'field-hint' }, t('amenHint')),
    form.errors.amenities
      ? h('p', { class: 'field-error', role: 'alert' }, h('span', { class: 'err-icon', svg: icon('warn', 'icon icon-sm') }), form.errors.amenities)
      : null,
    h('div', { class: 'amen-grid' }, rows),
  );
}

function siteFormPage(isNew) {
  const f = form;
  const v = f.v;
  const text = (key, label, attrs = {}, hint) =>
    field({ id: `site-${key}`, name: key, label, hint, error: f.errors[key], input: bound('input', v, key, { type: 'text', ...attrs }) });
  const statusSel = bound('select', v, 'status', {}, options(STATUSES.map((s) => [s, statusWord(s)]), v.status));
  statusSel.addEventListener('change', () => redraw());
  const title = isNew ? t('newSite') : t('editSite', { name: (f.orig && f.orig.name_zh) || '' });
  return h(
    'div',
    { class: 'page page-wide' },
    h('p', { class: 'crumbs' }, h('a', { href: '#/admin/sites' }, t('backToSites'))),
    pageTitle(title),
    h(
      'form',
      { class: 'form site-form', id: 'site-form', novalidate: true, onsubmit: saveSite },
      formAlert(f.alert),
      h(
        'section',
        { class: 'panel', 'aria-labelledby': 'sf-names' },
        h('h3', { id: 'sf-names' }, t('sfNames')),
        text('name_zh', t('nameZh'), { maxlength: '200', lang: 'zh-CN' }),
        text('name_en', t('nameEn'), { maxlength: '200', lang: 'en' }, t('optional')),
        field({
          id: 'site-type',
          name: 'type',
          label: t('siteType'),
          error: f.errors.type,
          input: bound('select', v, 'type', {}, h('option', { value: '' }, t('choose')), options((cat.types || []).map((ty) => [ty.code, pick(ty, 'name').text]), v.type)),
        }),
        field({
          id: 'site-region',
          name: 'region',
          label: t('siteRegion'),
          error: f.errors.region,
          input: bound('select', v, 'region', {}, regionOptions(v.region, { empty: t('noRegion') })),
        }),
      ),
      h(
        'section',
        { class: 'panel', 'aria-labelledby': 'sf-where' },
        h('h3', { id: 'sf-where' }, t('sfWhere')),
        text('address_zh', t('addressZh'), { maxlength: '500', lang: 'zh-CN', autocomplete: 'off' }),
        text('address_en', t('addressEn'), { maxlength: '500', lang: 'en', autocomplete: 'off' }, t('optional')),
        h(
          'div',
          { class: 'two-col' },
          field({ id: 'site-lat', name: 'lat', label: t('lat'), error: f.errors.lat, input: bound('input', v, 'lat', { type: 'text', inputmode: 'decimal', autocomplete: 'off', placeholder: '34.5642' }) }),
          field({ id: 'site-lon', name: 'lon', label: t('lon'), error: f.errors.lon, input: bound('input', v, 'lon', { type: 'text', inputmode: 'decimal', autocomplete: 'off', placeholder: '119.2468' }) }),
        ),
        h(
          'div',
          { class: 'locate-fill' },
          button(t('fillMyPosition'), { cls: 'btn btn-secondary btn-block', id: 'site-locate', busy: f.locating, onclick: fillPosition }),
          f.locateNote ? h('p', { class: 'field-hint', role: 'status' }, f.locateNote) : null,
        ),
        field({
          id: 'site-datum',
          name: 'datum',
          label: t('datumLabel'),
          hint: t('datumHint'),
          error: f.errors.datum,
          input: bound('select', v, 'datum', {}, options(DATUMS.map((d) => [d, t(`datum_${d}`)]), v.datum)),
        }),
      ),
      h(
        'section',
        { class: 'panel', 'aria-labelledby': 'sf-service' },
        h('h3', { id: 'sf-service' }, t('sfService')),
        text('phone', t('phone'), { type: 'tel', maxlength: '40', autocomplete: 'off' }, t('optional')),
        text('opening_hours', t('hours'), { maxlength: '500', autocomplete: 'off', spellcheck: 'false' }, t('hoursHint')),
        text('capacity', t('capacityLabel'), { inputmode: 'numeric', maxlength: '6' }, t('optional')),
        amenityEditor(v),
      ),
      h(
        'section',
        { class: 'panel', 'aria-labelledby': 'sf-status' },
        h('h3', { id: 'sf-status' }, t('sfStatus')),
        field({ id: 'site-status', name: 'status', label: t('statusLabel'), error: f.errors.status, input: statusSel }),
        v.status === 'temporarily_closed'
          ? [
              text('status_reason', t('statusReason'), { maxlength: '500' }, t('statusReasonHint')),
              field({
                id: 'site-status_until',
                name: 'status_until',
                label: t('statusUntil'),
                hint: t('statusUntilHint'),
                error: f.errors.status_until,
                input: bound('input', v, 'status_until', { type: 'datetime-local' }),
              }),
            ]
          : null,
      ),
      h(
        'div',
        { class: 'form-actions' },
        button(isNew ? t('createSite') : t('saveSite'), { type: 'submit', cls: 'btn btn-primary btn-block', busy: f.busy, id: 'site-save' }),
        h('a', { class: 'btn btn-secondary btn-block', href: '#/admin/sites' }, t('cancel')),
      ),
    ),
  );
}

export const siteFormView = {
  title: () => (form.id ? t('editSiteShort') : t('newSite')),
  async render(root, params, { first }) {
    const path = params.id ? `/admin/sites/${params.id}` : '/admin/sites/new';
    if (first && !(await checkFirst(root))) return;
    if (!allowed(root, path, { admin: true })) return;
    const isNew = !params.id;
    if (first) {
      Object.assign(form, { errors: {}, alert: '', busy: false, loadError: '', locating: false, locateNote: '' });
      root.replaceChildren(h('div', { class: 'page' }, pageTitle(isNew ? t('newSite') : t('editSiteShort')), h('p', { class: 'muted' }, t('loading'))));
      try {
        await loadCatalogues();
        if (isNew) {
          if (form.id !== null || !form.v) {
            form.id = null;
            form.orig = null;
            form.v = emptySite();
          }
        } else {
          const s = await getJson(`/api/sites/${encodeURIComponent(params.id)}`, { datum: 'wgs84' });
          form.id = s.id;
          form.orig = fromSite(s);
          form.v = fromSite(s);
        }
      } catch (e) {
        root.replaceChildren(
          h(
            'div',
            { class: 'page' },
            h('p', { class: 'crumbs' }, h('a', { href: '#/admin/sites' }, t('backToSites'))),
            pageTitle(isNew ? t('newSite') : t('editSiteShort')),
            formAlert(e instanceof ApiError && e.status === 404 ? t('siteGone') : errorMessage(e)),
          ),
        );
        return;
      }
    }
    root.replaceChildren(siteFormPage(isNew));
  },
};
