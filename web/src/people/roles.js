// roles.js - granting and revoking roles in the people console (admins).
// Which roles exist, and the kinds of place each may be scoped to, come
// from the server's one role table (GET /api/config, config.js); the
// first kind a role lists is the one picked first.
import { h } from '../dom.js';
import { icon } from '../icons.js';
import { t, pick } from '../i18n.js';
import { getJson, ApiError } from '../api.js';
import * as session from '../session.js';
import { field, bound, options, formAlert, button, errorMessage, placeError, focusProblem } from '../forms.js';
import { redraw } from '../page.js';
import { loadConfig, grantableRoles } from '../config.js';
import { regionOptions } from '../catalogue.js';
import { roleScopeText, knowName } from '../account/people.js';

const $id = (id) => document.getElementById(id);

const roles = { list: null, error: '' }; // [{name, scopes}] from the config
const grant = { userId: null, role: '', kind: '', siteQ: '', sites: null, siteBusy: false, site: '', region: '', dept: '', errors: {}, alert: '', note: '', busy: false };
const granted = new Map(); // user id -> grants made on this page [{id, role, scope_kind, scope_ref}]

/** The role table, asked once (the console's first drawing waits for it). */
export async function loadRoles() {
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

/** A fresh grant form for the person u. */
export function startGrant(u) {
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
    g.busy = false;
    if (e instanceof ApiError && e.status === 401 && !session.me()) return; // on the way to sign-in
    placeError(g, e, { role: 'role', scope_kind: 'kind', scope_ref: refField(kind) });
  }
  g.busy = false;
  redraw();
  const form = $id('grant-form');
  if (!form) return;
  focusProblem(form);
  if (g.note) form.querySelector('.form-alert:not(#grant-no-password)')?.focus();
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
    grant.busy = false;
    if (e instanceof ApiError && e.status === 401 && !session.me()) return; // on the way to sign-in
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
    // A role is used from a password sign-in only: the grant ends the
    // person's sessions started with a code, and without a password they
    // could not sign in again.
    h('p', { class: 'field-hint', id: 'grant-sign-in-note' }, t('grantSignInNote', { name: u.display_name })),
    u.has_password === false
      ? h('p', { class: 'form-alert form-error', id: 'grant-no-password' }, h('span', { class: 'err-icon', svg: icon('warn', 'icon icon-sm') }), t('grantNoPassword', { name: u.display_name }))
      : null,
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
export function grantPanel(u) {
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
