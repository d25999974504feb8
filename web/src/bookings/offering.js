// offering.js - one offering (#/offerings/{id}): what it is, where, its
// rules in plain words (cancel until, waitlist, limit, verification) and
// its times to book in one tap. Desk appointments (many short slots) are
// picked day by day; workshops are listed by day; an offering held at
// many places (a care package at every station) lists its places,
// nearest first after "near me".
import { h } from '../dom.js';
import { t, pick, formatDistance } from '../i18n.js';
import { icon } from '../icons.js';
import { getJson } from '../api.js';
import * as session from '../session.js';
import { formAlert } from '../forms.js';
import { redraw, pageTitle } from '../page.js';
import { KINDS, kindWord, titleOf, siteById, orgByCode, navButtons, siteBlock, cutoffWords, loadingPage, failedPage, crumbs, slotSiteName, problemWords } from './common.js';
import { action, loadMine, slotRow, slotGrid, wantsHold } from './book.js';
import { dayKey, dayWords, durationWords } from './time.js';

const MANY = 12; // more slots than this: picked day by day
const PAGE = 20; // places shown at first

const st = {
  id: null,
  offering: null,
  site: null,
  org: null,
  slots: [],
  day: '',
  point: null,
  near: null, // site id -> metres, after "near me"
  locating: false,
  locateNote: '',
  shown: PAGE,
  error: '',
};

async function load(id) {
  Object.assign(st, { id, offering: null, site: null, org: null, slots: [], day: '', near: null, point: null, locateNote: '', shown: PAGE, error: '' });
  action.problems.clear();
  const o = await getJson(`/api/offerings/${encodeURIComponent(id)}`);
  const [slots, site, org] = await Promise.all([
    getJson('/api/slots', { offering: o.id, limit: 500 }),
    o.site ? siteById(o.site).catch(() => null) : null,
    orgByCode(o.org),
    loadMine(),
  ]);
  st.offering = o;
  st.site = site;
  st.org = org;
  st.slots = slots.items || [];
}

/** Reload the slots (after a booking failed because things changed). */
export async function reloadSlots() {
  if (!st.offering) return;
  try {
    const r = await getJson('/api/slots', { offering: st.offering.id, limit: 500 });
    st.slots = r.items || [];
  } catch (e) {
    st.error = problemWords(e);
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
    async (pos) => {
      st.point = { lat: pos.coords.latitude, lon: pos.coords.longitude };
      try {
        const r = await getJson('/api/sites/near', { lat: st.point.lat.toFixed(6), lon: st.point.lon.toFixed(6), k: 100 });
        st.near = new Map((r.items || []).map((s) => [s.id, s.distance_m]));
      } catch (e) {
        st.locateNote = problemWords(e);
      }
      st.locating = false;
      redraw();
      document.getElementById('bk-places-near')?.focus();
    },
    (err) => {
      st.locating = false;
      const reason = err.code === 1 ? 'geoDenied' : err.code === 3 ? 'geoTimeout' : 'geoUnavailable';
      st.locateNote = t('bkLocateFailed', { reason: t(reason) });
      redraw();
    },
    { enableHighAccuracy: false, timeout: 15000, maximumAge: 60000 },
  );
}

function whereBlock() {
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'bk-where-h', id: 'bk-where' },
    h('h3', { id: 'bk-where-h' }, t('bkWhere')),
    st.site ? [siteBlock(st.site), navButtons(st.site, 'bk-offering', { one: true })] : h('p', null, t('bkPickAPlace')),
  );
}

/** Before the times: a verification this person does not have yet. */
function verifyNote(o) {
  if (!o.verification_required) return null;
  const me = session.me();
  if (me && me.verification === 'verified') return null;
  return h(
    'div',
    { class: 'note bk-verify-note', id: 'bk-verify-note' },
    h('p', null, h('span', { svg: icon('warn', 'icon icon-sm') }), ' ', t('bkVerifyRule')),
    me ? h('p', { class: 'bk-problem-links' }, h('a', { href: '#/me' }, t('bkSeeMyVerification')), h('a', { href: '#/' }, t('bkFindStation'))) : null,
  );
}

function rules(o) {
  const me = session.me();
  const rows = [];
  const row = (id, label, ...value) => rows.push(h('div', { class: 'bk-rule', id }, h('dt', null, label), h('dd', null, ...value)));
  if (st.org) {
    const n = pick(st.org, 'name');
    row('bk-rule-org', t('bkProvider'), h('span', { lang: n.lang }, n.text));
  }
  row('bk-rule-cancel', t('bkCancelTitle'), cutoffWords(o.cancel_cutoff_s));
  if (o.waitlist) row('bk-rule-waitlist', t('bkWaitlistTitle'), t('bkWaitlistRule', { time: durationWords(o.offer_ttl_s) }));
  row('bk-rule-limit', t('bkLimitTitle'), t('bkLimitRule', { n: o.per_person_limit }));
  if (wantsHold(o)) row('bk-rule-hold', t('bkHoldTitle'), t('bkHoldRule'));
  if (o.verification_required) {
    const verified = me && me.verification === 'verified';
    row(
      'bk-rule-verify',
      t('bkVerifyTitle'),
      h('span', null, t('bkVerifyRule')),
      me
        ? h(
            'span',
            { class: `bk-verify ${verified ? 'bk-verify-ok' : 'bk-verify-no'}` },
            h('span', { svg: icon(verified ? 'check' : 'warn', 'icon icon-sm') }),
            verified ? t('bkYouAreVerified') : t('bkYouAreNotVerified'),
          )
        : null,
      me && !verified ? h('a', { href: '#/' }, t('bkFindStation')) : null,
    );
  }
  return h('dl', { class: 'bk-rules' }, rows);
}

function dayChips(days) {
  return h(
    'div',
    { class: 'bk-days', role: 'group', 'aria-label': t('bkPickDay') },
    days.map(([key, list]) => {
      const free = list.reduce((n, s) => n + Math.max(0, s.capacity - s.taken), 0);
      return h(
        'button',
        {
          type: 'button',
          class: 'bk-day',
          id: `bk-day-${key}`,
          'aria-pressed': st.day === key ? 'true' : 'false',
          onclick: () => {
            st.day = key;
            redraw();
          },
        },
        h('span', { class: 'bk-day-name' }, dayWords(key)),
        h('span', { class: 'bk-day-free' }, free ? t('bkFreeCount', { n: free }) : t('bkFull')),
      );
    }),
  );
}

function byDay(slots) {
  const days = new Map();
  for (const s of slots) {
    const k = dayKey(s.start);
    if (!days.has(k)) days.set(k, []);
    days.get(k).push(s);
  }
  return [...days.entries()];
}

function slotsSection(o, path) {
  const slots = st.slots;
  const head = h('h3', { id: 'bk-times-h' }, t(o.site ? 'bkPickTime' : 'bkPickPlace'));
  if (!slots.length) return h('section', { class: 'panel', 'aria-labelledby': 'bk-times-h' }, head, h('p', { class: 'muted', id: 'bk-no-slots' }, t('bkNoSlots')));
  if (!o.site) {
    // Many places: one slot each (or a few); nearest first after "near me".
    const dist = (s) => (st.near && st.near.has(s.site) ? st.near.get(s.site) : Infinity);
    const list = [...slots].sort((a, b) =>
      st.near ? dist(a) - dist(b) || a.start.localeCompare(b.start) : slotSiteName(a).text.localeCompare(slotSiteName(b).text, 'zh') || a.start.localeCompare(b.start),
    );
    const shown = list.slice(0, st.shown);
    return h(
      'section',
      { class: 'panel', 'aria-labelledby': 'bk-times-h' },
      head,
      h(
        'button',
        { type: 'button', class: 'btn btn-secondary btn-block', id: 'bk-places-near', 'aria-pressed': st.near ? 'true' : 'false', disabled: st.locating, 'aria-busy': st.locating ? 'true' : null, onclick: nearMe },
        h('span', { svg: icon('locate') }),
        st.locating ? t('working_') : t('bkNearMe'),
      ),
      st.locateNote ? h('p', { class: 'note note-warn', role: 'status' }, st.locateNote) : null,
      h(
        'ul',
        { class: 'bk-slots', id: 'bk-slots' },
        shown.map((s) => {
          const li = slotRow(s, o, { site: true, day: true, path, refresh: reloadSlots });
          const d = st.near && st.near.get(s.site);
          if (d != null) li.querySelector('.bk-slot-seats')?.prepend(h('span', { class: 'bk-card-dist' }, formatDistance(d)), ' · ');
          return li;
        }),
      ),
      list.length > shown.length
        ? h(
            'button',
            {
              type: 'button',
              class: 'btn btn-secondary btn-block',
              id: 'bk-more',
              onclick: () => {
                st.shown += PAGE;
                redraw();
              },
            },
            t('bkMorePlaces', { n: list.length - shown.length }),
          )
        : null,
    );
  }
  const days = byDay(slots);
  if (slots.length > MANY) {
    const hasFree = (l) => l.some((s) => s.capacity > s.taken);
    if (!days.some(([k]) => k === st.day)) st.day = (days.find(([, l]) => hasFree(l)) || days[0])[0];
    const list = days.find(([k]) => k === st.day)[1];
    return h(
      'section',
      { class: 'panel', 'aria-labelledby': 'bk-times-h' },
      head,
      dayChips(days),
      h('h4', { class: 'bk-day-head', id: 'bk-day-h' }, dayWords(st.day)),
      h('p', { class: 'muted bk-grid-help' }, t('bkGridHelp', { min: Math.round((Date.parse(list[0].end) - Date.parse(list[0].start)) / 60000) })),
      slotGrid(list, o, { path, refresh: reloadSlots, labelledBy: 'bk-day-h' }),
    );
  }
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'bk-times-h' },
    head,
    h(
      'div',
      { id: 'bk-slots' },
      days.map(([key, list]) => [
        h('h4', { class: 'bk-day-head', id: `bk-dayh-${key}` }, dayWords(key)),
        h('ul', { class: 'bk-slots', 'aria-labelledby': `bk-dayh-${key}` }, list.map((s) => slotRow(s, o, { path, refresh: reloadSlots }))),
      ]),
    ),
  );
}

function draw(root, path) {
  const o = st.offering;
  const title = titleOf(o);
  const desc = pick(o, 'description');
  const back = KINDS.includes(o.kind) ? `#/book/${o.kind}` : '#/book';
  root.replaceChildren(
    h(
      'div',
      { class: 'page', 'data-offering': o.id },
      crumbs(back, t('bkBackToList')),
      h('p', { class: 'bk-kind-line' }, h('span', { class: `bk-kind bk-kind-${o.kind}` }, kindWord(o.kind))),
      pageTitle(h('span', { lang: title.lang }, title.text)),
      desc.text ? h('p', { class: 'page-lead', lang: desc.lang }, desc.text) : null,
      o.active ? null : formAlert(t('bkOfferingClosed')),
      formAlert(st.error),
      whereBlock(),
      verifyNote(o),
      session.me() ? null : h('p', { class: 'note', id: 'bk-sign-in-note' }, t('bkSignInFirst')),
      o.active ? slotsSection(o, path) : null,
      h('section', { class: 'panel', 'aria-labelledby': 'bk-rules-h' }, h('h3', { id: 'bk-rules-h' }, t('bkGoodToKnow')), rules(o)),
    ),
  );
}

export const offeringView = {
  title: () => (st.offering ? titleOf(st.offering).text : t('bkOfferingTitle')),
  async render(root, params, { first }) {
    const path = `/offerings/${params.id}`;
    if (first) {
      root.replaceChildren(loadingPage(t('bkOfferingTitle'), crumbs('#/book', t('bkBackToList'))));
      try {
        await session.refresh().catch(() => {});
        await load(params.id);
      } catch (e) {
        if (root.isConnected) root.replaceChildren(failedPage(t('bkOfferingTitle'), e, crumbs('#/book', t('bkBackToList'))));
        return;
      }
      if (!root.isConnected) return;
    }
    if (!st.offering) return;
    draw(root, path);
  },
  leave() {
    action.problems.clear();
  },
};
