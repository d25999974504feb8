// list.js - the bookable services a provider or staff member manages
// (#/manage): the active offerings at the sites their grants reach or of
// the organizations they name (everything for system admins), each with
// its times and rosters and its form; and "new".
import { h } from '../dom.js';
import { t, pick } from '../i18n.js';
import { icon } from '../icons.js';
import { getJson } from '../api.js';
import { formAlert } from '../forms.js';
import { pageTitle } from '../page.js';
import { tabs } from '../console.js';
import { MANAGER_ROLES, rolesAllowed, whoFirst, problemWords, kindWord, titleOf, sitesById, orgByCode } from '../bookings/common.js';
import { reach, loadReach } from '../checkin/sites.js';
import { notes } from './notes.js';

const st = { items: null, sites: new Map(), orgs: new Map(), error: '' };

/** Does the person manage this offering (as far as the page can tell; the server decides)? */
export function manages(o) {
  if (reach.global) return true;
  if (o.site && (reach.list || []).some((s) => s.id === o.site)) return true;
  return Boolean(o.org && reach.orgs.includes(o.org));
}

async function load() {
  st.error = '';
  try {
    const r = await getJson('/api/offerings', { limit: 500 });
    st.items = (r.items || []).filter(manages);
    st.sites = await sitesById(st.items.map((o) => o.site));
    const orgs = await Promise.all([...new Set(st.items.map((o) => o.org).filter(Boolean))].map((c) => orgByCode(c)));
    st.orgs = new Map(orgs.filter(Boolean).map((o) => [o.code, o]));
  } catch (e) {
    st.items = st.items || [];
    st.error = problemWords(e, ['ofErr', 'bkErr']);
  }
}

function card(o) {
  const title = titleOf(o);
  const site = st.sites.get(String(o.site));
  const org = st.orgs.get(o.org);
  const where = site ? pick(site, 'name') : null;
  const who = org ? pick(org, 'name') : null;
  return h(
    'li',
    { class: 'of-card', 'data-id': o.id, id: `of-offering-${o.id}` },
    h('span', { class: `bk-kind bk-kind-${o.kind}` }, kindWord(o.kind)),
    h('h3', { class: 'of-card-title', lang: title.lang }, title.text),
    h(
      'p',
      { class: 'of-card-meta' },
      where ? h('span', null, h('span', { svg: icon('pin', 'icon icon-sm') }), h('span', { lang: where.lang }, where.text)) : h('span', null, t('bkManyPlaces')),
      who ? h('span', { lang: who.lang }, who.text) : null,
    ),
    h(
      'div',
      { class: 'btn-row' },
      h('a', { class: 'btn btn-primary', href: `#/manage/offerings/${o.id}/slots`, id: `of-offering-${o.id}-slots` }, t('ofSlotsAndRosters')),
      h('a', { class: 'btn btn-secondary', href: `#/manage/offerings/${o.id}`, id: `of-offering-${o.id}-edit` }, t('ofEdit')),
    ),
  );
}

function draw(root) {
  const note = notes.list;
  notes.list = '';
  root.replaceChildren(
    h(
      'div',
      { class: 'page' },
      tabs('/manage'),
      pageTitle(t('ofListTitle')),
      h('p', { class: 'page-lead' }, t('ofListLead')),
      formAlert(note, 'ok'),
      formAlert(st.error || reach.error),
      h('p', null, h('a', { class: 'btn btn-primary btn-block', href: '#/manage/offerings/new', id: 'of-new' }, h('span', { svg: icon('plus') }), t('ofNew'))),
      st.items.length ? h('ul', { class: 'of-cards', id: 'of-offerings' }, st.items.map(card)) : h('p', { class: 'muted', id: 'of-none' }, t('ofNone')),
      h('p', { class: 'muted' }, t('ofClosedNote')),
    ),
  );
}

export const manageView = {
  title: () => t('ofListTitle'),
  async render(root, params, { first }) {
    if (first) {
      if (!(await whoFirst(root, t('ofListTitle')))) return;
      if (!rolesAllowed(root, '/manage', MANAGER_ROLES, { title: t('ofListTitle') })) return;
      root.replaceChildren(h('div', { class: 'page' }, pageTitle(t('ofListTitle')), h('p', { class: 'muted' }, t('loading'))));
      await loadReach(MANAGER_ROLES);
      await load();
      if (!root.isConnected) return;
    }
    if (!rolesAllowed(root, '/manage', MANAGER_ROLES, { title: t('ofListTitle') })) return;
    if (!st.items) return;
    draw(root);
  },
};
