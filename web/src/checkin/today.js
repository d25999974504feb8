// today.js - a day's bookings at my site (#/checkin/today): pick among
// the sites my grants reach and a day (today first), see each time with
// who booked it (name, masked phone, state, place in the queue) and check
// the booked ones in with one tap. Each time links to its roster.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { ApiError } from '../api.js';
import * as session from '../session.js';
import { field } from '../forms.js';
import { redraw, pageTitle, needSignIn } from '../page.js';
import { tabs } from '../console.js';
import { SITE_STAFF_ROLES, rolesAllowed, whoFirst, problemWords, titleOf, stateTag, bookingProblem, checkInOpen } from '../bookings/common.js';
import { todayKey, dayWords, hm } from '../bookings/time.js';
import { reach, loadReach, pickedSite, sitePicker } from './sites.js';
import { subTabs } from './tabs.js';

const st = {
  date: '',
  items: null, // the day's bookings at the picked site, or null while loading / none picked
  error: '',
  busy: null, // booking id being checked in
  problems: new Map(), // booking id -> ApiError
  note: '',
};

async function loadDay() {
  st.error = '';
  st.problems.clear();
  const site = pickedSite();
  if (!site) {
    st.items = null;
    return;
  }
  try {
    const r = await session.call('GET', `/api/sites/${site}/bookings`, { params: { date: st.date } });
    st.items = r.items || [];
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return needSignIn('/checkin/today');
    st.items = [];
    st.error = problemWords(e, ['ciErr', 'bkErr']);
  }
}

async function checkIn(b) {
  if (st.busy) return;
  st.busy = b.id;
  st.problems.delete(b.id);
  st.note = '';
  redraw();
  try {
    const done = await session.call('POST', `/api/bookings/${b.id}/check-in`);
    st.items = st.items.map((x) => (x.id === done.id ? { ...x, ...done, person: done.person || x.person } : x));
    st.note = t('ciCheckedInWho', { name: (done.person && done.person.display_name) || t('ciNoName') });
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      st.busy = null;
      return needSignIn('/checkin/today');
    }
    st.problems.set(b.id, e);
  }
  st.busy = null;
  redraw();
  document.getElementById(st.problems.has(b.id) ? `ci-b-${b.id}-problem` : `ci-b-${b.id}`)?.focus();
}

function bookingRow(b) {
  const p = b.person || {};
  const problem = st.problems.get(b.id);
  return h(
    'li',
    { class: 'ci-b', id: `ci-b-${b.id}`, tabindex: '-1', 'data-state': b.state },
    h(
      'div',
      { class: 'ci-b-text' },
      h('span', { class: 'ci-b-name' }, p.display_name || t('ciNoName')),
      p.phone ? h('span', { class: 'ci-b-phone' }, p.phone) : null,
      h('span', { class: 'ci-b-state' }, stateTag(b.state, b.state === 'checked_in' && b.checked_in_at ? hm(b.checked_in_at) : b.state === 'waitlisted' && b.place ? t('bkPlaceN', { n: b.place }) : '')),
    ),
    b.state === 'confirmed' && checkInOpen(b.slot)
      ? h(
          'button',
          {
            type: 'button',
            class: 'btn btn-primary ci-b-btn',
            id: `ci-b-${b.id}-checkin`,
            'aria-describedby': `ci-b-${b.id}`,
            disabled: Boolean(st.busy),
            'aria-busy': st.busy === b.id ? 'true' : null,
            onclick: () => checkIn(b),
          },
          st.busy === b.id ? t('working_') : t('ciCheckInButton'),
        )
      : null,
    problem ? bookingProblem(problem, { id: `ci-b-${b.id}-problem`, prefixes: ['ciErr', 'bkErr'] }) : null,
  );
}

/** The day's bookings by slot, in slot order. */
function bySlot(items) {
  const slots = new Map();
  for (const b of items) {
    if (!slots.has(b.slot.id)) slots.set(b.slot.id, { slot: b.slot, items: [] });
    slots.get(b.slot.id).items.push(b);
  }
  return [...slots.values()].sort((a, b) => a.slot.start.localeCompare(b.slot.start) || a.slot.id - b.slot.id);
}

function dayList() {
  if (!pickedSite()) return h('p', { class: 'muted', id: 'ci-pick-first' }, t('ciPickSiteFirst'));
  if (st.items === null) return h('p', { class: 'muted' }, t('loading'));
  if (!st.items.length) return h('p', { class: 'muted', id: 'ci-none' }, t('ciNoneThatDay'));
  const groups = bySlot(st.items);
  const count = (s) => st.items.filter((b) => b.state === s).length;
  return [
    h('p', { class: 'ci-counts', id: 'ci-counts' }, t('ciCounts', { booked: count('confirmed') + count('checked_in'), checked: count('checked_in'), waiting: count('waitlisted') })),
    h(
      'div',
      { id: 'ci-day' },
      groups.map(({ slot, items }) => {
        const title = titleOf(slot);
        const hid = `ci-slot-${slot.id}-h`;
        return h(
          'section',
          { class: 'panel ci-slot', 'aria-labelledby': hid, 'data-slot': slot.id },
          h(
            'div',
            { class: 'panel-head' },
            h('h3', { id: hid }, h('span', { class: 'ci-slot-time' }, `${hm(slot.start)}–${hm(slot.end)}`), ' ', h('span', { lang: title.lang }, title.text)),
            h('a', { href: `#/manage/slots/${slot.id}`, class: 'btn btn-secondary btn-small', id: `ci-slot-${slot.id}-roster` }, t('ciRoster')),
          ),
          h('p', { class: 'muted ci-slot-seats' }, t('ciSeats', { taken: slot.taken, capacity: slot.capacity })),
          h('ul', { class: 'ci-bookings', 'aria-labelledby': hid }, items.map(bookingRow)),
        );
      }),
    ),
  ];
}

function draw(root) {
  const date = h('input', { type: 'date', class: 'input', value: st.date });
  date.addEventListener('change', async () => {
    if (!date.value) return;
    st.date = date.value;
    st.items = null;
    redraw();
    await loadDay();
    redraw();
  });
  root.replaceChildren(
    h(
      'div',
      { class: 'page', id: 'ci-today' },
      tabs('/checkin'),
      pageTitle(t('ciTodayTitle')),
      subTabs('today'),
      reach.list && !reach.list.length
        ? h('p', { class: 'form-alert form-error', id: 'ci-no-sites' }, t('ciNoSites'))
        : h(
            'div',
            { class: 'two-col ci-pickers' },
            sitePicker({
              id: 'ci-today-site',
              label: t('ciSite'),
              any: null,
              onchange: async () => {
                st.items = null;
                await loadDay();
                redraw();
              },
            }),
            field({ id: 'ci-date', name: 'date', label: t('ciDate'), hint: dayWords(st.date), input: date }),
          ),
      st.error ? h('p', { class: 'form-alert form-error', role: 'alert' }, st.error) : null,
      st.note ? h('p', { class: 'form-alert form-ok', role: 'status' }, st.note) : null,
      dayList(),
      h('p', { class: 'page-foot' }, h('a', { href: '#/checkin', id: 'ci-to-scan' }, t('ciToScan'))),
    ),
  );
}

export const todayView = {
  title: () => t('ciTodayTitle'),
  async render(root, params, { first }) {
    if (first) {
      if (!(await whoFirst(root, t('ciTodayTitle')))) return;
      if (!rolesAllowed(root, '/checkin/today', SITE_STAFF_ROLES, { title: t('ciTodayTitle'), denied: 'ciSiteStaffOnly' })) return;
      Object.assign(st, { date: todayKey(), items: null, error: '', note: '' });
      st.problems.clear();
      root.replaceChildren(h('div', { class: 'page' }, pageTitle(t('ciTodayTitle')), h('p', { class: 'muted' }, t('loading'))));
      await loadReach(SITE_STAFF_ROLES);
      await loadDay();
      if (!root.isConnected) return;
    }
    if (!rolesAllowed(root, '/checkin/today', SITE_STAFF_ROLES, { title: t('ciTodayTitle'), denied: 'ciSiteStaffOnly' })) return;
    draw(root);
  },
};

