// mine.js - my bookings (#/bookings) and one booking (#/bookings/{id}):
// the ticket as a QR code to show at the desk (large on a tap), when and
// where with one tap to navigate, and what can be done now: confirm a
// held seat or accept an offered one before the countdown ends, leave
// the queue (with my place in it), cancel before the cut-off (which is
// said). While a booking is waiting for something the page listens to
// the person's inbox stream and reads the booking again on each notice.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { icon } from '../icons.js';
import { ApiError } from '../api.js';
import * as session from '../session.js';
import { formAlert } from '../forms.js';
import { redraw, pageTitle, needSignIn } from '../page.js';
import { openLayer, closeLayer, dropLayer } from '../back.js';
import { stateTag, titleOf, siteById, navButtons, siteBlock, loadingPage, failedPage, crumbs, slotSiteName, groupCode, bookingProblem, kindWord, problemWords } from './common.js';
import { action } from './book.js';
import { spanWords, momentWords, countdown, hm, todayKey, dayKey } from './time.js';
import { qrSvg } from './qr.js';

const ACTIVE = ['held', 'offered', 'waitlisted', 'confirmed'];
const NEEDS_YOU = ['offered', 'held'];
/** Why a booking was cancelled (cancel_reason), each in words. */
const REASONS = ['by_person', 'by_provider', 'hold_expired', 'offer_expired', 'slot_started'];

// ---- listening while a booking waits ------------------------------------------------

let stream = null;
let ticker = 0;

function listen(onNotice) {
  if (stream || typeof EventSource === 'undefined') return;
  try {
    stream = new EventSource('/api/me/inbox/events');
  } catch {
    stream = null;
    return;
  }
  stream.addEventListener('notice', onNotice);
  stream.addEventListener('reset', onNotice);
  // A dropped stream reconnects by itself; whatever happened meanwhile is read again.
  stream.addEventListener('open', onNotice);
}

function stopListening() {
  if (stream) stream.close();
  stream = null;
}

function tickEvery(fn) {
  clearInterval(ticker);
  ticker = setInterval(fn, 1000);
}

function stopTicking() {
  clearInterval(ticker);
  ticker = 0;
}

// ---- my bookings ----------------------------------------------------------------------

const list = { items: null, error: '', shown: false };
// My own code (GET /api/me/qr): staff check in my booking of today with
// it; it lasts two minutes, so it is asked again shortly before it ends.
const myQr = { open: false, token: '', until: 0, error: '', fetching: false };

async function loadList() {
  list.error = '';
  try {
    const r = await session.call('GET', '/api/me/bookings', { params: { limit: 200 } });
    list.items = r.items || [];
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) throw e;
    list.error = problemWords(e);
    list.items = list.items || [];
  }
}

function untilWords(b) {
  if (b.state === 'offered' && b.offer_until) return t('bkAcceptBy', { when: momentWords(b.offer_until) });
  if (b.state === 'held' && b.hold_until) return t('bkConfirmBy', { when: momentWords(b.hold_until) });
  if (b.state === 'waitlisted' && b.place) return t('bkPlaceN', { n: b.place });
  return '';
}

function bookingCard(b) {
  const s = b.slot;
  const title = titleOf(s);
  const site = slotSiteName(s);
  const extra = untilWords(b);
  return h(
    'li',
    { class: 'bk-card-li', 'data-id': b.id, 'data-state': b.state },
    h(
      'a',
      { class: `bk-card bk-card-${b.state}`, href: `#/bookings/${b.id}`, id: `bk-booking-${b.id}` },
      h('span', { class: 'bk-card-top' }, stateTag(b.state), h('span', { class: `bk-kind bk-kind-${s.kind}` }, kindWord(s.kind))),
      h('span', { class: 'bk-card-title', lang: title.lang }, title.text),
      h('span', { class: 'bk-card-when' }, h('span', { svg: icon('clock', 'icon icon-sm') }), spanWords(s.start, s.end)),
      h('span', { class: 'bk-card-where' }, h('span', { svg: icon('pin', 'icon icon-sm') }), h('span', { lang: site.lang }, site.text)),
      extra ? h('span', { class: 'bk-card-extra' }, extra) : null,
    ),
  );
}

function group(id, title, items, empty) {
  return h(
    'section',
    { class: 'bk-group', 'aria-labelledby': `${id}-h`, id },
    h('h3', { id: `${id}-h` }, title, items.length ? h('span', { class: 'bk-count' }, ` (${items.length})`) : null),
    items.length ? h('ul', { class: 'bk-cards' }, items.map(bookingCard)) : empty ? h('p', { class: 'muted' }, empty) : null,
  );
}

async function fetchMyQr() {
  try {
    const r = await session.call('GET', '/api/me/qr');
    myQr.token = r.token;
    myQr.until = Date.parse(r.expires_at);
    myQr.error = '';
  } catch (e) {
    myQr.error = problemWords(e);
  }
  if (myQr.open && list.shown) redraw();
}

function openMyQr() {
  myQr.open = true;
  myQr.token = '';
  openLayer(() => {
    myQr.open = false;
    stopTicking();
    redraw();
    document.getElementById('bk-my-qr')?.focus();
  });
  redraw();
  document.getElementById('bk-my-qr-title')?.focus();
  fetchMyQr();
  tickEvery(() => {
    const left = myQr.until - Date.now();
    const el = document.getElementById('bk-my-qr-left');
    if (el) el.textContent = countdown(myQr.until) || t('bkTimeUp');
    if (myQr.token && left < 15000 && !myQr.fetching) {
      myQr.fetching = true;
      fetchMyQr().finally(() => {
        myQr.fetching = false;
      });
    }
  });
}

function myQrLayer() {
  if (!myQr.open) return null;
  return h(
    'div',
    {
      class: 'bk-layer bk-layer-qr',
      id: 'bk-my-qr-layer',
      role: 'dialog',
      'aria-modal': 'true',
      'aria-labelledby': 'bk-my-qr-title',
      onkeydown: (e) => {
        if (e.key === 'Escape') closeLayer();
      },
    },
    h('h3', { id: 'bk-my-qr-title', tabindex: '-1' }, t('bkMyQr')),
    h('p', null, t('bkMyQrHelp')),
    myQr.error ? h('p', { class: 'form-alert form-error', role: 'alert' }, myQr.error) : null,
    myQr.token
      ? [
          h('div', { class: 'bk-qr bk-qr-large', id: 'bk-my-qr-code', role: 'img', 'aria-label': t('bkMyQr'), 'data-code': myQr.token, svg: qrSvg(myQr.token) }),
          h('p', null, t('bkMyQrRenews'), ' ', h('span', { id: 'bk-my-qr-left', class: 'bk-countdown', 'aria-hidden': 'true' }, countdown(myQr.until))),
        ]
      : myQr.error
        ? null
        : h('p', { class: 'muted' }, t('loading')),
    h('button', { type: 'button', class: 'btn btn-primary btn-block', id: 'bk-my-qr-close', onclick: () => closeLayer() }, t('bkClose')),
  );
}

function drawList(root) {
  const now = Date.now();
  const items = list.items || [];
  const ended = (b) => Date.parse(b.slot.end) <= now;
  const needs = items.filter((b) => NEEDS_YOU.includes(b.state) && !ended(b));
  const coming = items.filter((b) => ['confirmed', 'waitlisted'].includes(b.state) && !ended(b)).sort((a, b) => a.slot.start.localeCompare(b.slot.start));
  const past = items.filter((b) => !needs.includes(b) && !coming.includes(b));
  const today = todayKey(now);
  const bookedToday = coming.some((b) => b.state === 'confirmed' && dayKey(b.slot.start) <= today);
  const layer = myQrLayer();
  root.replaceChildren(
    h(
      'div',
      { class: 'page', id: 'bk-mine', inert: layer ? '' : null, 'aria-hidden': layer ? 'true' : null },
      pageTitle(t('bkMine')),
      formAlert(list.error),
      bookedToday
        ? h(
            'section',
            { class: 'panel', 'aria-labelledby': 'bk-today-h' },
            h('h3', { id: 'bk-today-h' }, t('bkToday')),
            h('p', { class: 'muted' }, t('bkMyQrLead')),
            h('button', { type: 'button', class: 'btn btn-primary btn-block', id: 'bk-my-qr', onclick: openMyQr }, t('bkShowMyQr')),
          )
        : null,
      h(
        'div',
        { class: 'btn-row' },
        h('a', { class: 'btn btn-primary', href: '#/book', id: 'bk-book-more' }, t('bkBookSomething')),
        h('a', { class: 'btn btn-secondary', href: '#/bookings/calendar', id: 'bk-calendar-link' }, h('span', { svg: icon('calendar') }), t('bkAddToCalendar')),
      ),
      needs.length ? group('bk-needs', t('bkNeedsYou'), needs) : null,
      group('bk-coming', t('bkComing'), coming, t('bkNoneComing')),
      past.length ? group('bk-past', t('bkPast'), past) : null,
    ),
    layer || '',
  );
}

export const myBookingsView = {
  title: () => t('bkMine'),
  async render(root, params, { first }) {
    if (first) {
      root.replaceChildren(loadingPage(t('bkMine')));
      try {
        await session.refresh({ force: true });
      } catch (e) {
        root.replaceChildren(failedPage(t('bkMine'), e));
        return;
      }
      if (!session.me()) {
        needSignIn('/bookings');
        return;
      }
      try {
        await loadList();
      } catch {
        needSignIn('/bookings');
        return;
      }
      if (!root.isConnected) return;
      list.shown = true;
      if ((list.items || []).some((b) => ['waitlisted', 'offered', 'held'].includes(b.state)))
        listen(() =>
          loadList()
            .then(() => list.shown && redraw())
            .catch(() => {}),
        );
    }
    if (!session.me()) {
      needSignIn('/bookings');
      return;
    }
    drawList(root);
  },
  leave() {
    list.shown = false;
    stopListening();
    stopTicking();
    dropLayer();
    myQr.open = false;
  },
};

// ---- one booking ----------------------------------------------------------------------

const one = {
  id: null,
  b: null,
  site: null,
  busy: '', // 'cancel' | 'accept' | 'confirm' while it runs
  problem: null, // {what, e}
  note: '',
  confirming: false, // the "cancel?" layer
  large: false, // the ticket shown large
  shown: false, // the page is on screen (late answers and timers draw nothing otherwise)
};

async function loadOne(id) {
  one.b = await session.call('GET', `/api/bookings/${encodeURIComponent(id)}`);
  if (!one.site || one.site.id !== one.b.slot.site) one.site = await siteById(one.b.slot.site).catch(() => null);
}

async function again() {
  if (!one.id || !one.shown || one.busy) return;
  let b;
  try {
    b = await session.call('GET', `/api/bookings/${encodeURIComponent(one.id)}`);
  } catch {
    return;
  }
  // Left meanwhile, or a tap is being answered (its answer is newer).
  if (!one.shown || one.busy || !one.b || String(b.id) !== String(one.id)) return;
  if (b.state !== one.b.state) one.note = t('bkStateNow', { state: t(`bkState_${b.state}`) });
  one.b = b;
  redraw();
  watch();
}

/** Listen and tick while the booking waits for something; stop when not. */
function watch() {
  const b = one.b;
  if (!b || !['waitlisted', 'offered', 'held', 'confirmed'].includes(b.state)) stopListening();
  else listen(() => again());
  const until = b && (b.state === 'offered' ? b.offer_until : b.state === 'held' ? b.hold_until : null);
  if (!until) {
    stopTicking();
    return;
  }
  const end = Date.parse(until);
  tickEvery(() => {
    const el = document.getElementById('bk-countdown');
    const left = countdown(end);
    if (el) el.textContent = left || t('bkTimeUp');
    if (!left) {
      stopTicking();
      // The server ends it on its next round; read it again shortly.
      setTimeout(again, 3000);
    }
  });
}

async function act(what) {
  if (one.busy) return;
  one.busy = what;
  one.problem = null;
  one.note = '';
  redraw();
  try {
    one.b = await session.call('POST', `/api/bookings/${one.b.id}/${what}`);
    one.busy = '';
    one.note = t(`bkDone_${what}`);
  } catch (e) {
    one.busy = '';
    if (e instanceof ApiError && e.status === 401) {
      needSignIn(`/bookings/${one.id}`);
      return;
    }
    one.problem = { what, e };
    // state_changed and the like: the booking moved meanwhile; show it as it is.
    if (e instanceof ApiError && e.status === 409) await loadOne(one.id).catch(() => {});
  }
  if (!one.shown) return;
  redraw();
  watch();
  const focus = one.problem ? document.getElementById(`bk-${one.problem.what}-problem`) : document.getElementById('bk-note');
  focus?.focus();
}

function openConfirm() {
  one.confirming = true;
  openLayer(() => {
    one.confirming = false;
    redraw();
    document.getElementById('bk-cancel')?.focus();
  });
  redraw();
  document.getElementById('bk-dialog-title')?.focus();
}

function openLarge() {
  one.large = true;
  openLayer(() => {
    one.large = false;
    redraw();
    document.getElementById('bk-ticket-large')?.focus();
  });
  redraw();
  document.getElementById('bk-large-title')?.focus();
}

function problemFor(what) {
  return one.problem && one.problem.what === what ? bookingProblem(one.problem.e, { id: `bk-${what}-problem`, offeringId: one.b.slot.offering }) : null;
}

function actionButton(what, label, cls) {
  return h(
    'button',
    {
      type: 'button',
      class: `btn ${cls} btn-block`,
      id: `bk-${what}`,
      'aria-busy': one.busy === what ? 'true' : null,
      disabled: Boolean(one.busy),
      onclick: () => (what === 'cancel' ? openConfirm() : act(what)),
    },
    one.busy === what ? t('working_') : label,
  );
}

function statusBlock(b) {
  const s = b.slot;
  const rows = [];
  if (b.state === 'confirmed') rows.push(h('p', { class: 'bk-status-big' }, t('bkStatusConfirmed')));
  if (b.state === 'waitlisted')
    rows.push(
      h('p', { class: 'bk-status-big', id: 'bk-place' }, b.place ? t('bkPlaceN', { n: b.place }) : t('bkState_waitlisted')),
      h('p', null, t('bkWaitlistedHelp')),
    );
  if (b.state === 'offered' || b.state === 'held') {
    const until = b.state === 'offered' ? b.offer_until : b.hold_until;
    rows.push(
      h('p', { class: 'bk-status-big' }, t(b.state === 'offered' ? 'bkOfferedTitle' : 'bkHeldTitle')),
      h(
        'p',
        { class: 'bk-until' },
        t(b.state === 'offered' ? 'bkAcceptBy' : 'bkConfirmBy', { when: momentWords(until) }),
        ' ',
        h('span', { class: 'bk-countdown-wrap' }, '(', t('bkLeft'), ' ', h('span', { id: 'bk-countdown', class: 'bk-countdown', 'aria-hidden': 'true' }, countdown(Date.parse(until)) || t('bkTimeUp')), ')'),
      ),
    );
  }
  if (b.state === 'cancelled') {
    rows.push(h('p', { class: 'bk-status-big' }, t('bkState_cancelled')));
    if (REASONS.includes(b.cancel_reason)) rows.push(h('p', { id: 'bk-cancel-reason' }, t(`bkReason_${b.cancel_reason}`)));
  }
  if (b.state === 'checked_in') rows.push(h('p', { class: 'bk-status-big' }, t('bkCheckedInAt', { when: b.checked_in_at ? hm(b.checked_in_at) : '' })));
  if (b.state === 'no_show') rows.push(h('p', { class: 'bk-status-big' }, t('bkState_no_show')), h('p', null, t('bkNoShowHelp')));
  return h(
    'section',
    { class: `panel bk-status bk-status-${b.state}`, id: 'bk-status', 'aria-labelledby': 'bk-status-h' },
    h('h3', { id: 'bk-status-h', class: 'visually-hidden' }, t('bkStatus')),
    stateTag(b.state),
    rows,
    h('p', { class: 'bk-when-big' }, spanWords(s.start, s.end)),
  );
}

function ticketBlock(b) {
  if (b.state !== 'confirmed' || !b.ticket) return null;
  return h(
    'section',
    { class: 'panel bk-ticket', 'aria-labelledby': 'bk-ticket-h' },
    h('h3', { id: 'bk-ticket-h' }, t('bkTicket')),
    h('p', { class: 'muted' }, t('bkTicketHelp')),
    h('div', { class: 'bk-qr', id: 'bk-ticket-qr', role: 'img', 'aria-label': t('bkTicketQrLabel'), 'data-code': b.ticket, svg: qrSvg(b.ticket) }),
    h('button', { type: 'button', class: 'btn btn-secondary btn-block', id: 'bk-ticket-large', onclick: openLarge }, t('bkShowLarge')),
    h('p', { class: 'bk-code-line' }, t('bkTicketCode'), ' ', h('code', { id: 'bk-ticket-code', class: 'bk-code' }, groupCode(b.ticket))),
  );
}

function actionsBlock(b) {
  const s = b.slot;
  const parts = [];
  if (b.state === 'offered') parts.push(actionButton('accept', t('bkAccept'), 'btn-primary'), problemFor('accept'), actionButton('cancel', t('bkDecline'), 'btn-secondary'));
  if (b.state === 'held') parts.push(actionButton('confirm', t('bkConfirmHold'), 'btn-primary'), problemFor('confirm'), actionButton('cancel', t('bkLetGo'), 'btn-secondary'));
  if (b.state === 'waitlisted') parts.push(actionButton('cancel', t('bkLeaveQueue'), 'btn-secondary'));
  if (b.state === 'confirmed') {
    const until = b.cancel_until ? Date.parse(b.cancel_until) : Infinity;
    if (until > Date.now()) {
      parts.push(
        h('p', { id: 'bk-cancel-rule' }, b.cancel_until ? t('bkCancelUntil', { when: momentWords(b.cancel_until) }) : t('bkCutoffNone')),
        actionButton('cancel', t('bkCancelBooking'), 'btn-danger-outline'),
      );
    } else {
      const phone = ((one.site && one.site.phone) || '').trim();
      parts.push(h('p', { id: 'bk-cancel-rule' }, t('bkCancelClosed', { when: momentWords(b.cancel_until) }), phone ? ` ${t('bkCallTheSite', { phone })}` : ''));
    }
  }
  if (!parts.length && b.state === 'cancelled') parts.push(h('a', { class: 'btn btn-secondary btn-block', href: `#/offerings/${s.offering}` }, t('bkBookAgain')));
  if (!parts.length) return null;
  return h('section', { class: 'panel bk-actions', 'aria-labelledby': 'bk-actions-h' }, h('h3', { id: 'bk-actions-h' }, t('bkWhatNow')), parts, problemFor('cancel'));
}

function dialog() {
  if (one.confirming) {
    const b = one.b;
    const words = {
      waitlisted: ['bkLeaveQueueQ', 'bkLeaveQueueYes'],
      offered: ['bkDeclineQ', 'bkDeclineYes'],
      held: ['bkLetGoQ', 'bkLetGoYes'],
    }[b.state] || ['bkCancelQ', 'bkCancelYes'];
    return h(
      'div',
      { class: 'bk-layer', id: 'bk-cancel-layer' },
      h(
        'div',
        {
          class: 'bk-dialog',
          role: 'dialog',
          'aria-modal': 'true',
          'aria-labelledby': 'bk-dialog-title',
          'aria-describedby': 'bk-dialog-text',
          onkeydown: (e) => {
            if (e.key === 'Escape') closeLayer();
          },
        },
        h('h3', { id: 'bk-dialog-title', tabindex: '-1' }, t(words[0])),
        h('p', { id: 'bk-dialog-text' }, t(b.slot.waitlist ? 'bkSeatGoesOn' : 'bkSeatFreed')),
        h(
          'div',
          { class: 'bk-dialog-btns' },
          h(
            'button',
            {
              type: 'button',
              class: 'btn btn-danger btn-block',
              id: 'bk-cancel-yes',
              onclick: () => {
                closeLayer();
                act('cancel');
              },
            },
            t(words[1]),
          ),
          h('button', { type: 'button', class: 'btn btn-secondary btn-block', id: 'bk-cancel-no', onclick: () => closeLayer() }, t('bkKeepIt')),
        ),
      ),
    );
  }
  if (one.large && one.b.ticket) {
    return h(
      'div',
      {
        class: 'bk-layer bk-layer-qr',
        id: 'bk-large-layer',
        role: 'dialog',
        'aria-modal': 'true',
        'aria-labelledby': 'bk-large-title',
        onkeydown: (e) => {
          if (e.key === 'Escape') closeLayer();
        },
      },
      h('h3', { id: 'bk-large-title', tabindex: '-1' }, titleOf(one.b.slot).text),
      h('p', null, spanWords(one.b.slot.start, one.b.slot.end)),
      h('div', { class: 'bk-qr bk-qr-large', role: 'img', 'aria-label': t('bkTicketQrLabel'), svg: qrSvg(one.b.ticket) }),
      h('button', { type: 'button', class: 'btn btn-primary btn-block', id: 'bk-large-close', onclick: () => closeLayer() }, t('bkClose')),
    );
  }
  return null;
}

function drawOne(root) {
  const b = one.b;
  const title = titleOf(b.slot);
  const layer = dialog();
  // What needs doing now comes before the rest.
  const urgent = ['offered', 'held', 'waitlisted'].includes(b.state);
  const page = h(
    'div',
    { class: 'page', id: 'bk-booking', 'data-state': b.state, 'data-id': b.id, inert: layer ? '' : null, 'aria-hidden': layer ? 'true' : null },
    crumbs('#/bookings', t('bkBackToMine')),
    pageTitle(h('span', { lang: title.lang }, title.text)),
    one.note ? h('p', { class: 'form-alert form-ok', role: 'status', id: 'bk-note', tabindex: '-1' }, h('span', { class: 'err-icon', svg: icon('check', 'icon icon-sm') }), one.note) : null,
    statusBlock(b),
    urgent ? actionsBlock(b) : null,
    ticketBlock(b),
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'bk-where-h' },
      h('h3', { id: 'bk-where-h' }, t('bkWhere')),
      siteBlock(one.site, slotSiteName(b.slot)),
      ACTIVE.includes(b.state) ? navButtons(one.site, 'bk-booking') : null,
    ),
    urgent ? null : actionsBlock(b),
    ACTIVE.includes(b.state)
      ? h('p', { class: 'page-foot' }, h('a', { href: '#/bookings/calendar', id: 'bk-to-calendar' }, t('bkAddToCalendar')), ' · ', h('a', { href: `#/offerings/${b.slot.offering}` }, t('bkAboutOffering')))
      : null,
  );
  root.replaceChildren(...[page, layer].filter(Boolean));
}

export const bookingView = {
  title: () => (one.b ? titleOf(one.b.slot).text : t('bkBookingTitle')),
  async render(root, params, { first }) {
    const path = `/bookings/${params.id}`;
    if (first) {
      Object.assign(one, { id: params.id, b: null, busy: '', problem: null, note: '', confirming: false, large: false, shown: true });
      const justBooked = action.justBooked !== null && String(action.justBooked) === String(params.id);
      action.justBooked = null;
      root.replaceChildren(loadingPage(t('bkBookingTitle'), crumbs('#/bookings', t('bkBackToMine'))));
      try {
        await session.refresh({ force: true });
        if (!session.me()) {
          needSignIn(path);
          return;
        }
        await loadOne(params.id);
      } catch (e) {
        if (e instanceof ApiError && e.status === 401) {
          needSignIn(path);
          return;
        }
        if (root.isConnected) root.replaceChildren(failedPage(t('bkBookingTitle'), e, crumbs('#/bookings', t('bkBackToMine'))));
        return;
      }
      if (!root.isConnected) return;
      if (justBooked && ['confirmed', 'waitlisted', 'held'].includes(one.b.state)) one.note = t(`bkJustBooked_${one.b.state}`);
      watch();
    }
    if (!one.b) return;
    drawOne(root);
  },
  leave() {
    stopListening();
    stopTicking();
    dropLayer();
    one.shown = false;
    one.confirming = false;
    one.large = false;
  },
};
