// console.js - the people console (#/admin) for staff and admins: find
// people by name or phone digits, verify them or revoke it at the place
// picked above the search (where.js); admins also grant and revoke roles
// (roles.js).
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { icon } from '../icons.js';
import * as session from '../session.js';
import { field, bound, formAlert, button, errorMessage, focusProblem } from '../forms.js';
import { redraw, pageTitle } from '../page.js';
import { loadCatalogues, cat } from '../catalogue.js';
import { checkFirst, allowed, tabs } from '../console.js';
import { occupationName, platformName, knowName } from '../account/people.js';
import { loadRoles, startGrant, grantPanel } from './roles.js';
import { where, loadWhere, whereField, pickedSite, siteLabel } from './where.js';
import { ApiError } from '../api.js';

const $id = (id) => document.getElementById(id);

const people = { q: '', items: null, busy: false, alert: '', status: '', rowNote: {}, rowError: {}, rowBusy: null, open: null };

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
    focusProblem($id('people-form'));
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
    people.busy = false;
    people.status = '';
    // The session ended: the page goes to sign-in (account/ended.js).
    if (e instanceof ApiError && e.status === 401 && !session.me()) return;
    people.alert = errorMessage(e);
  }
  people.busy = false;
  redraw();
  const form = $id('people-form');
  if (people.alert && form) focusProblem(form);
}

async function setVerification(u, state) {
  // The server wants the place (but of system admins): asked here first.
  if (!where.site && !session.isSystemAdmin()) {
    where.error = t('err_pick_verify_site');
    redraw();
    $id('verify-site')?.focus();
    return;
  }
  const site = pickedSite();
  people.rowBusy = `v${u.id}`;
  people.rowNote[u.id] = '';
  people.rowError[u.id] = '';
  where.error = '';
  redraw();
  let siteProblem = false;
  try {
    const nu = await session.call('POST', `/api/users/${u.id}/verification`, { json: site ? { state, site } : { state } });
    const i = people.items.findIndex((x) => x.id === u.id);
    if (i >= 0) people.items[i] = { ...people.items[i], ...nu };
    const done = state === 'verified' ? 'verifiedDone' : 'revokedDone';
    people.rowNote[u.id] = site ? t(`${done}At`, { name: u.display_name, site: siteLabel(site) }) : t(done, { name: u.display_name });
  } catch (e) {
    people.rowBusy = null;
    // The session ended: the page goes to sign-in (account/ended.js).
    if (e instanceof ApiError && e.status === 401 && !session.me()) return;
    // The place was refused (missing, gone, not theirs): said at the picker.
    siteProblem = e instanceof ApiError && e.field === 'site';
    if (siteProblem) where.error = errorMessage(e);
    else people.rowError[u.id] = errorMessage(e);
  }
  people.rowBusy = null;
  redraw();
  $id(siteProblem ? 'verify-site' : `person-${u.id}-verify`)?.focus();
}

function openRoles(u) {
  if (people.open === u.id) {
    people.open = null;
  } else {
    people.open = u.id;
    startGrant(u);
  }
  redraw();
  if (people.open) $id('grant-role')?.focus();
  else $id(`person-${u.id}-roles`)?.focus();
}

function personCard(u) {
  const v = u.verification || 'unverified';
  const busyV = people.rowBusy === `v${u.id}`;
  const holdsRole = Boolean(u.roles && u.roles.length);
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
    v === 'verified' && u.verified_site ? h('p', { class: 'person-meta person-site' }, t('verifiedSiteLine', { site: siteLabel(u.verified_site) })) : null,
    // Admins see people's roles: someone holding one is not verified at all.
    holdsRole ? h('p', { class: 'person-meta' }, t('holdsRole')) : null,
    people.rowError[u.id] ? formAlert(people.rowError[u.id]) : null,
    people.rowNote[u.id] ? formAlert(people.rowNote[u.id], 'ok') : null,
    h(
      'div',
      { class: 'btn-row' },
      holdsRole
        ? null
        : button(v === 'verified' ? t('revokeVerification') : t('verify'), {
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
    if (first) {
      where.list = null;
      await Promise.all([
        loadCatalogues()
          .then(() => {
            // Region names, for the grants made here.
            for (const r of cat.regions) knowName('region', r.code, r);
          })
          .catch(() => null)
          // The places this person may verify at (named by region).
          .then(loadWhere),
        session.isAdmin() ? loadRoles() : null,
      ]);
      if (!allowed(root, '/admin')) return;
    }
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
          whereField(),
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
