// roster.js - one time's roster (#/manage/slots/{id}) for whoever runs
// it (its site's staff, the offering's provider): who booked, who waits
// and in which place, who came; check a booked person in on the day;
// change the number of places (more go to the queue at once) or cancel
// the time (everyone booked is told).
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { ApiError } from '../api.js';
import * as session from '../session.js';
import { field, bound, formAlert, button, focusProblem } from '../forms.js';
import { redraw, pageTitle, needSignIn } from '../page.js';
import { tabs } from '../console.js';
import { openLayer, closeLayer, dropLayer } from '../back.js';
import { MANAGER_ROLES, rolesAllowed, whoFirst, titleOf, stateTag, placeProblem, bookingProblem, loadingPage, failedPage, crumbs, slotSiteName, kindWord, checkInOpen } from '../bookings/common.js';
import { spanWords, hm } from '../bookings/time.js';

const ORDER = ['checked_in', 'confirmed', 'offered', 'held', 'waitlisted', 'no_show', 'cancelled'];

const st = { slot: null, items: [], busy: null, problems: new Map(), note: '', confirming: false, cancelBusy: false, cancelAlert: '' };
const cap = { v: { capacity: '' }, errors: {}, alert: '', busy: false };

async function load(id) {
  const r = await session.call('GET', `/api/slots/${encodeURIComponent(id)}/bookings`);
  st.slot = r.slot;
  st.items = r.items || [];
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
      return needSignIn(`/manage/slots/${st.slot.id}`);
    }
    st.problems.set(b.id, e);
  }
  st.busy = null;
  redraw();
  document.getElementById(st.problems.has(b.id) ? `of-b-${b.id}-problem` : 'of-roster-note')?.focus();
}

async function saveCapacity(ev) {
  ev.preventDefault();
  cap.errors = {};
  cap.alert = '';
  const n = Number(cap.v.capacity);
  if (cap.v.capacity === '' || !Number.isInteger(n) || n < 0) {
    cap.errors.capacity = t('ofErrRange');
    redraw();
    focusProblem(document.getElementById('of-capacity-form'));
    return;
  }
  cap.busy = true;
  redraw();
  try {
    await session.call('PATCH', `/api/slots/${st.slot.id}`, { json: { capacity: n } });
    await load(st.slot.id);
    st.note = t('ofCapacitySaved', { n });
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return needSignIn(`/manage/slots/${st.slot.id}`);
    placeProblem(cap, e, { capacity: 'capacity' }, ['ofErr', 'bkErr']);
  }
  cap.busy = false;
  redraw();
  if (cap.errors.capacity || cap.alert) focusProblem(document.getElementById('of-capacity-form'));
  else document.getElementById('of-roster-note')?.focus();
}

async function cancelSlot() {
  st.cancelBusy = true;
  st.cancelAlert = '';
  redraw();
  try {
    const r = await session.call('POST', `/api/slots/${st.slot.id}/cancel`);
    await load(st.slot.id);
    st.note = t('ofSlotCancelledN', { n: r.bookings_cancelled || 0 });
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return needSignIn(`/manage/slots/${st.slot.id}`);
    st.cancelAlert = placeAlert(e);
  }
  st.cancelBusy = false;
  redraw();
  document.getElementById(st.cancelAlert ? 'of-cancel-alert' : 'of-roster-note')?.focus();
}

function placeAlert(e) {
  const f = { errors: {}, alert: '' };
  placeProblem(f, e, {}, ['ofErr', 'bkErr']);
  return f.alert;
}

function confirmCancel() {
  st.confirming = true;
  openLayer(() => {
    st.confirming = false;
    redraw();
    document.getElementById('of-slot-cancel')?.focus();
  });
  redraw();
  document.getElementById('of-cancel-title')?.focus();
}

function row(b) {
  const p = b.person || {};
  const problem = st.problems.get(b.id);
  const extra = b.state === 'waitlisted' && b.place ? t('bkPlaceN', { n: b.place }) : b.state === 'checked_in' && b.checked_in_at ? hm(b.checked_in_at) : '';
  return h(
    'li',
    { class: 'ci-b', id: `of-b-${b.id}`, 'data-state': b.state },
    h(
      'div',
      { class: 'ci-b-text' },
      h('span', { class: 'ci-b-name' }, p.display_name || t('ciNoName')),
      p.phone ? h('span', { class: 'ci-b-phone' }, p.phone) : null,
      h('span', { class: 'ci-b-state' }, stateTag(b.state, extra)),
    ),
    b.state === 'confirmed' && checkInOpen(st.slot)
      ? h(
          'button',
          { type: 'button', class: 'btn btn-primary ci-b-btn', id: `of-b-${b.id}-checkin`, 'aria-describedby': `of-b-${b.id}`, disabled: Boolean(st.busy), onclick: () => checkIn(b) },
          st.busy === b.id ? t('working_') : t('ciCheckInButton'),
        )
      : null,
    problem ? bookingProblem(problem, { id: `of-b-${b.id}-problem`, prefixes: ['ciErr', 'bkErr'] }) : null,
  );
}

function layer() {
  if (!st.confirming) return null;
  const active = st.items.filter((b) => ['confirmed', 'held', 'offered', 'waitlisted'].includes(b.state)).length;
  return h(
    'div',
    { class: 'bk-layer' },
    h(
      'div',
      {
        class: 'bk-dialog',
        role: 'dialog',
        'aria-modal': 'true',
        'aria-labelledby': 'of-cancel-title',
        onkeydown: (e) => {
          if (e.key === 'Escape') closeLayer();
        },
      },
      h('h3', { id: 'of-cancel-title', tabindex: '-1' }, t('ofCancelSlotQ')),
      h('p', null, t('ofCancelSlotText', { n: active })),
      h(
        'div',
        { class: 'bk-dialog-btns' },
        h(
          'button',
          {
            type: 'button',
            class: 'btn btn-danger btn-block',
            id: 'of-slot-cancel-yes',
            onclick: () => {
              closeLayer();
              cancelSlot();
            },
          },
          t('ofCancelSlotYes'),
        ),
        h('button', { type: 'button', class: 'btn btn-secondary btn-block', id: 'of-slot-cancel-no', onclick: () => closeLayer() }, t('bkKeepIt')),
      ),
    ),
  );
}

function draw(root) {
  const s = st.slot;
  const title = titleOf(s);
  const site = slotSiteName(s);
  const open = s.state === 'open';
  const items = [...st.items].sort((a, b) => ORDER.indexOf(a.state) - ORDER.indexOf(b.state) || (a.place || 0) - (b.place || 0) || a.id - b.id);
  const count = (x) => st.items.filter((b) => b.state === x).length;
  const l = layer();
  if (cap.v.capacity === '') cap.v.capacity = String(s.capacity);
  root.replaceChildren(
    ...[
      h(
        'div',
        { class: 'page', id: 'of-roster', 'data-slot': s.id, inert: l ? '' : null, 'aria-hidden': l ? 'true' : null },
        tabs('/manage'),
        crumbs(`#/manage/offerings/${s.offering}/slots`, t('ofSlotsAndRosters')),
        h('p', { class: 'bk-kind-line' }, h('span', { class: `bk-kind bk-kind-${s.kind}` }, kindWord(s.kind))),
        pageTitle(h('span', { lang: title.lang }, title.text)),
        h('p', { class: 'bk-when-big' }, spanWords(s.start, s.end)),
        h('p', { class: 'muted', lang: site.lang }, site.text),
        open ? null : formAlert(t('ofThisSlotCancelled')),
        st.note ? h('p', { class: 'form-alert form-ok', role: 'status', id: 'of-roster-note', tabindex: '-1' }, st.note) : null,
        h(
          'section',
          { class: 'panel', 'aria-labelledby': 'of-people-h' },
          h('h3', { id: 'of-people-h' }, t('ofPeople')),
          h('p', { class: 'ci-counts', id: 'of-counts' }, t('ofRosterCounts', { taken: s.taken, capacity: s.capacity, checked: count('checked_in'), waiting: count('waitlisted') })),
          items.length ? h('ul', { class: 'ci-bookings', id: 'of-people' }, items.map(row)) : h('p', { class: 'muted', id: 'of-nobody' }, t('ofNobody')),
        ),
        open
          ? h(
              'form',
              { class: 'panel form', id: 'of-capacity-form', novalidate: true, onsubmit: saveCapacity, 'aria-labelledby': 'of-capacity-h' },
              h('h3', { id: 'of-capacity-h' }, t('ofCapacityTitle')),
              formAlert(cap.alert),
              field({ id: 'of-capacity', name: 'capacity', label: t('ofPlaces'), hint: t('ofCapacityChangeHint'), error: cap.errors.capacity, input: bound('input', cap.v, 'capacity', { type: 'number', min: '0', step: '1', inputmode: 'numeric' }) }),
              button(t('ofSaveCapacity'), { type: 'submit', cls: 'btn btn-secondary btn-block', busy: cap.busy, id: 'of-capacity-save' }),
            )
          : null,
        open
          ? h(
              'section',
              { class: 'panel', 'aria-labelledby': 'of-cancel-h' },
              h('h3', { id: 'of-cancel-h' }, t('ofCancelSlot')),
              h('p', { class: 'muted' }, t('ofCancelSlotLead')),
              st.cancelAlert ? h('p', { class: 'form-alert form-error', role: 'alert', id: 'of-cancel-alert', tabindex: '-1' }, st.cancelAlert) : null,
              h('button', { type: 'button', class: 'btn btn-danger-outline btn-block', id: 'of-slot-cancel', disabled: st.cancelBusy, 'aria-busy': st.cancelBusy ? 'true' : null, onclick: confirmCancel }, st.cancelBusy ? t('working_') : t('ofCancelSlot')),
            )
          : null,
      ),
      l,
    ].filter(Boolean),
  );
}

export const rosterView = {
  title: () => t('ofRosterTitle'),
  async render(root, params, { first }) {
    const path = `/manage/slots/${params.id}`;
    if (first) {
      if (!(await whoFirst(root, t('ofRosterTitle')))) return;
      if (!rolesAllowed(root, path, MANAGER_ROLES, { title: t('ofRosterTitle') })) return;
      Object.assign(st, { slot: null, items: [], busy: null, note: '', confirming: false, cancelBusy: false, cancelAlert: '' });
      st.problems.clear();
      Object.assign(cap, { v: { capacity: '' }, errors: {}, alert: '', busy: false });
      root.replaceChildren(loadingPage(t('ofRosterTitle')));
      try {
        await load(params.id);
      } catch (e) {
        if (e instanceof ApiError && e.status === 401) return needSignIn(path);
        if (root.isConnected) root.replaceChildren(failedPage(t('ofRosterTitle'), e, crumbs('#/manage', t('ofListTitle'))));
        return;
      }
      if (!root.isConnected) return;
    }
    if (!rolesAllowed(root, path, MANAGER_ROLES, { title: t('ofRosterTitle') })) return;
    if (!st.slot) return;
    draw(root);
  },
  leave() {
    dropLayer();
    st.confirming = false;
  },
};
