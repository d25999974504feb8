// browse.js - what can be booked (#/book, #/book/{kind}): desk
// appointments, workshops and peer exchanges, care packages; each a card
// to its own page (#/offerings/{id}). Sorted by place (a picker narrows to
// one) or, after "near me", nearest first. Nothing is asked of the phone
// until "near me" is tapped.
import { h } from '../dom.js';
import { t, pick, formatDistance } from '../i18n.js';
import { icon } from '../icons.js';
import { getJson } from '../api.js';
import * as session from '../session.js';
import { formAlert, options } from '../forms.js';
import { redraw, pageTitle } from '../page.js';
import { distanceM } from '../geo.js';
import { KINDS, MANAGER_ROLES, kindWord, titleOf, sitesById, problemWords } from './common.js';

const st = {
  items: null, // every active offering
  sites: new Map(), // id -> site
  error: '',
  site: '', // the picked site, '' for every place
  point: null, // {lat, lon} after "near me"
  locating: false,
  locateNote: '',
};

async function load() {
  st.error = '';
  try {
    const r = await getJson('/api/offerings', { limit: 500 });
    st.items = r.items || [];
    st.sites = await sitesById(st.items.map((o) => o.site));
  } catch (e) {
    st.error = problemWords(e);
    st.items = st.items || [];
  }
}

function nearMe() {
  st.locateNote = '';
  if (!navigator.geolocation) {
    st.locateNote = t('locateFailed', { reason: t('geoUnsupported') });
    redraw();
    return;
  }
  st.locating = true;
  redraw();
  navigator.geolocation.getCurrentPosition(
    (pos) => {
      st.locating = false;
      st.point = { lat: pos.coords.latitude, lon: pos.coords.longitude };
      st.site = '';
      redraw();
      document.getElementById('bk-near')?.focus();
    },
    (err) => {
      st.locating = false;
      const reason = err.code === 1 ? 'geoDenied' : err.code === 3 ? 'geoTimeout' : 'geoUnavailable';
      st.locateNote = t('bkLocateFailed', { reason: t(reason) });
      redraw();
      document.getElementById('bk-near')?.focus();
    },
    { enableHighAccuracy: false, timeout: 15000, maximumAge: 60000 },
  );
}

function distanceOf(o) {
  const s = st.sites.get(String(o.site));
  if (!st.point || !s || !s.position) return null;
  return distanceM(st.point, { lat: s.position.lat, lon: s.position.lon });
}

function siteNameOf(o) {
  const s = st.sites.get(String(o.site));
  return s ? pick(s, 'name') : null;
}

function sorted(list) {
  const withD = list.map((o) => ({ o, d: distanceOf(o), name: siteNameOf(o) }));
  return withD.sort((a, b) => {
    if (st.point) return (a.d ?? Infinity) - (b.d ?? Infinity) || a.o.id - b.o.id;
    // By place: offerings without a site (many places) last.
    const an = a.name ? a.name.text : '\uffff';
    const bn = b.name ? b.name.text : '\uffff';
    return an.localeCompare(bn, 'zh') || KINDS.indexOf(a.o.kind) - KINDS.indexOf(b.o.kind) || a.o.id - b.o.id;
  });
}

function card({ o, d, name }) {
  const title = titleOf(o);
  const desc = pick(o, 'description');
  return h(
    'li',
    { class: 'bk-card-li', 'data-id': o.id, 'data-kind': o.kind },
    h(
      'a',
      { class: 'bk-card', href: `#/offerings/${o.id}`, id: `bk-offering-${o.id}` },
      h('span', { class: `bk-kind bk-kind-${o.kind}` }, kindWord(o.kind)),
      h('span', { class: 'bk-card-title', lang: title.lang }, title.text),
      h(
        'span',
        { class: 'bk-card-where' },
        h('span', { svg: icon('pin', 'icon icon-sm') }),
        name ? h('span', { lang: name.lang }, name.text) : h('span', null, t('bkManyPlaces')),
        d != null ? h('span', { class: 'bk-card-dist' }, formatDistance(d)) : null,
      ),
      desc.text ? h('span', { class: 'bk-card-desc', lang: desc.lang }, desc.text) : null,
      h(
        'span',
        { class: 'bk-card-tags' },
        o.verification_required ? h('span', { class: 'tag bk-tag-verify' }, t('bkNeedsVerification')) : null,
        o.waitlist ? h('span', { class: 'tag' }, t('bkHasWaitlist')) : null,
      ),
    ),
  );
}

function kindTabs(kind) {
  const tabs = [['', t('bkKindAll')], ...KINDS.map((k) => [k, t(`bkKindTab_${k}`)])];
  return h(
    'nav',
    { class: 'seg bk-kinds', 'aria-label': t('bkKindsLabel') },
    tabs.map(([k, label]) =>
      h('a', { href: k ? `#/book/${k}` : '#/book', id: `bk-kind-${k || 'all'}`, class: 'seg-btn', 'aria-current': kind === k ? 'page' : null }, label),
    ),
  );
}

function siteOptions(list) {
  const byId = new Map();
  for (const o of list) {
    const s = st.sites.get(String(o.site));
    if (s) byId.set(String(s.id), pick(s, 'name').text);
  }
  return [...byId.entries()].sort((a, b) => a[1].localeCompare(b[1], 'zh'));
}

function draw(root, kind) {
  const all = st.items || [];
  const ofKind = kind ? all.filter((o) => o.kind === kind) : all;
  const places = siteOptions(ofKind);
  if (st.site && !places.some(([id]) => id === st.site)) st.site = '';
  const shown = st.site ? ofKind.filter((o) => String(o.site) === st.site) : ofKind;
  const me = session.me();
  const select = h(
    'select',
    { class: 'select', id: 'bk-site' },
    h('option', { value: '' }, t('bkEveryPlace')),
    options(places, st.site),
  );
  select.value = st.site;
  select.addEventListener('change', () => {
    st.site = select.value;
    redraw();
  });
  root.replaceChildren(
    h(
      'div',
      { class: 'page' },
      pageTitle(t('bkBookTitle')),
      h('p', { class: 'page-lead' }, t('bkBookLead')),
      h(
        'div',
        { class: 'btn-row bk-top-links' },
        h('a', { class: 'btn btn-secondary', href: '#/bookings', id: 'bk-mine-link' }, h('span', { svg: icon('calendar') }), t('bkMine')),
        me && session.hasAnyRole(MANAGER_ROLES) ? h('a', { class: 'btn btn-secondary', href: '#/manage', id: 'bk-manage-link' }, t('bkManage')) : null,
      ),
      kindTabs(kind),
      h(
        'div',
        { class: 'bk-filter' },
        h(
          'button',
          {
            type: 'button',
            class: 'btn btn-secondary bk-near',
            id: 'bk-near',
            'aria-pressed': st.point ? 'true' : 'false',
            'aria-busy': st.locating ? 'true' : null,
            disabled: st.locating,
            onclick: nearMe,
          },
          h('span', { svg: icon('locate') }),
          st.locating ? t('working_') : t('bkNearMe'),
        ),
        h('div', { class: 'field bk-site-field' }, h('label', { for: 'bk-site', class: 'field-label' }, t('bkPlace')), select),
      ),
      st.locateNote ? h('p', { class: 'note note-warn', role: 'status' }, st.locateNote) : null,
      st.point ? h('p', { class: 'muted', role: 'status' }, t('bkNearestFirst')) : null,
      formAlert(st.error),
      shown.length
        ? h('ul', { class: 'bk-cards', id: 'bk-offerings', 'aria-label': kind ? t(`bkKindTab_${kind}`) : t('bkKindAll') }, sorted(shown).map(card))
        : h('p', { class: 'muted', id: 'bk-none' }, t('bkNothing')),
    ),
  );
}

export const browseView = {
  title: () => t('bkBookTitle'),
  async render(root, params, { first }) {
    const kind = KINDS.includes(params.kind) ? params.kind : '';
    if (first && st.items === null) {
      root.replaceChildren(h('div', { class: 'page' }, pageTitle(t('bkBookTitle')), h('p', { class: 'muted', role: 'status' }, t('loading'))));
      await Promise.all([load(), session.refresh().catch(() => {})]);
    } else if (first) {
      // Seen before on this visit to the app: shown at once, refreshed behind.
      draw(root, kind);
      await load();
      if (!root.isConnected) return;
    }
    draw(root, kind);
  },
};
