// book.js - booking a slot in one tap, and a slot as a row with what can
// be done with it: book (a seat is free), join the waitlist (full, and
// the offering has one), see my booking (I have one). A failed booking
// says why next to the slot that was tapped. Care packages take a hold
// first: the seat is kept ten minutes while the person reads the
// collection rules and confirms (#/bookings/{id}).
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { icon } from '../icons.js';
import { ApiError } from '../api.js';
import * as session from '../session.js';
import { redraw, needSignIn } from '../page.js';
import { go } from '../router.js';
import { bookingProblem, slotSiteName } from './common.js';
import { hm, spanWords } from './time.js';

export const action = {
  busy: null, // the slot being booked
  problems: new Map(), // slot id -> ApiError of its last try
  mine: new Map(), // slot id -> my active booking of it
  justBooked: null, // the booking just made, for its page to announce
};

/** My active bookings by slot, to mark the slots I have (signed in only). */
export async function loadMine() {
  action.mine = new Map();
  if (!session.me()) return;
  try {
    const r = await session.call('GET', '/api/me/bookings', { params: { active: 1, limit: 500 } });
    for (const b of r.items || []) action.mine.set(b.slot.id, b);
  } catch {
    /* the slots are still shown; booking again answers already_booked */
  }
}

/** Whether to ask for a hold first: care packages (read the rules, then confirm). */
export function wantsHold(offering) {
  return Boolean(offering && offering.kind === 'package');
}

/** Book a slot (one tap); on success go to the booking's page. path: where sign-in comes back to. */
export async function bookSlot(slot, { hold = false, path, refresh }) {
  if (!session.me()) {
    needSignIn(path);
    return;
  }
  if (action.busy) return;
  action.busy = slot.id;
  action.problems.delete(slot.id);
  redraw();
  try {
    const b = await session.call('POST', '/api/bookings', { json: hold ? { slot: slot.id, hold: true } : { slot: slot.id } });
    action.busy = null;
    action.justBooked = b.id;
    go(`/bookings/${b.id}`);
  } catch (e) {
    action.busy = null;
    if (e instanceof ApiError && e.status === 401) {
      needSignIn(path);
      return;
    }
    action.problems.set(slot.id, e);
    // Full, cancelled, started: the slots shown are out of date.
    if (e instanceof ApiError && e.status !== 0 && refresh) await refresh().catch(() => {});
    redraw();
    document.getElementById(`bk-slot-${slot.id}-problem`)?.focus();
  }
}

/** Seats in words: "空闲", "剩 5 个名额（共 20）", "已约满 · 3 人在排队". */
export function seatsWords(s) {
  const free = Math.max(0, s.capacity - s.taken);
  if (s.state === 'cancelled') return t('bkSlotCancelled');
  if (free > 0) return s.capacity === 1 ? t('bkSlotFree') : t('bkSeatsLeft', { n: free, of: s.capacity });
  return s.waiting ? t('bkFullWaiting', { n: s.waiting }) : t('bkFull');
}

/**
 * A slot as a list item. show: {day} the day with the time, {site} the
 * site's name (offerings at many places). offering: for its rules.
 */
export function slotRow(s, offering, { day = false, site = false, path, refresh } = {}) {
  const free = Math.max(0, s.capacity - s.taken);
  const mine = action.mine.get(s.id);
  const problem = action.problems.get(s.id);
  const busy = action.busy === s.id;
  const open = s.state === 'open';
  const canWait = open && free === 0 && s.waitlist;
  const place = site ? slotSiteName(s) : null;
  let act = null;
  if (mine) {
    act = h('a', { class: 'btn btn-secondary bk-slot-btn', href: `#/bookings/${mine.id}`, id: `bk-slot-${s.id}-mine` }, t('bkSeeBooking'));
  } else if (open && (free > 0 || canWait)) {
    act = h(
      'button',
      {
        type: 'button',
        class: `btn ${free > 0 ? 'btn-primary' : 'btn-secondary'} bk-slot-btn`,
        id: `bk-slot-${s.id}-book`,
        'aria-busy': busy ? 'true' : null,
        disabled: Boolean(action.busy),
        'aria-describedby': `bk-slot-${s.id}-when bk-slot-${s.id}-seats`,
        onclick: () => bookSlot(s, { hold: wantsHold(offering), path, refresh }),
      },
      busy ? t('working_') : free > 0 ? t(wantsHold(offering) ? 'bkBookPackage' : 'bkBook') : t('bkJoinWaitlist'),
    );
  }
  return h(
    'li',
    { class: `bk-slot${free > 0 && open ? '' : ' bk-slot-full'}${mine ? ' bk-slot-mine' : ''}`, 'data-slot': s.id, id: `bk-slot-${s.id}` },
    h(
      'div',
      { class: 'bk-slot-text' },
      h(
        'a',
        { class: 'bk-slot-when', href: `#/slots/${s.id}`, id: `bk-slot-${s.id}-when` },
        place ? h('span', { class: 'bk-slot-place', lang: place.lang }, place.text) : null,
        h('span', { class: 'bk-slot-time' }, day ? spanWords(s.start, s.end) : `${hm(s.start)}–${hm(s.end)}`),
      ),
      h(
        'span',
        { class: 'bk-slot-seats', id: `bk-slot-${s.id}-seats` },
        mine ? h('span', { class: 'bk-slot-mine-tag' }, h('span', { svg: icon('check', 'icon icon-sm') }), t('bkYouHaveThis')) : seatsWords(s),
      ),
    ),
    act,
    problem ? bookingProblem(problem, { id: `bk-slot-${s.id}-problem`, offeringId: offering ? offering.id : s.offering }) : null,
  );
}

/**
 * Short slots of one day (desk appointments) as a grid of times: one tap
 * on a free time books it. A failed try is said under the grid, naming
 * the time.
 */
export function slotGrid(list, offering, { path, refresh, labelledBy } = {}) {
  const failed = list.find((s) => action.problems.has(s.id));
  return [
    h(
      'ul',
      { class: 'bk-grid', id: 'bk-slots', 'aria-labelledby': labelledBy },
      list.map((s) => {
        const free = s.state === 'open' && s.capacity > s.taken;
        const mine = action.mine.get(s.id);
        const busy = action.busy === s.id;
        const time = h('span', { class: 'bk-grid-time' }, hm(s.start));
        let cell;
        if (mine) {
          cell = h('a', { class: 'bk-grid-cell bk-grid-mine', href: `#/bookings/${mine.id}`, id: `bk-slot-${s.id}-mine` }, time, h('span', { class: 'bk-grid-word' }, h('span', { svg: icon('check', 'icon icon-sm') }), t('bkYouHaveThis')));
        } else if (free) {
          cell = h(
            'button',
            {
              type: 'button',
              class: 'bk-grid-cell bk-grid-free',
              id: `bk-slot-${s.id}-book`,
              'data-slot': s.id,
              'aria-describedby': labelledBy,
              'aria-busy': busy ? 'true' : null,
              disabled: Boolean(action.busy),
              onclick: () => bookSlot(s, { hold: wantsHold(offering), path, refresh }),
            },
            time,
            h('span', { class: 'bk-grid-word' }, busy ? t('working_') : t('bkBook')),
          );
        } else {
          cell = h('span', { class: 'bk-grid-cell bk-grid-full', id: `bk-slot-${s.id}-full` }, time, h('span', { class: 'bk-grid-word' }, s.state === 'open' ? t('bkTaken') : t('bkSlotCancelled')));
        }
        return h('li', { 'data-slot': s.id, id: `bk-slot-${s.id}` }, cell);
      }),
    ),
    failed
      ? bookingProblem(action.problems.get(failed.id), {
          id: `bk-slot-${failed.id}-problem`,
          offeringId: offering ? offering.id : failed.offering,
          lead: `${hm(failed.start)}–${hm(failed.end)}`,
        })
      : null,
  ];
}
