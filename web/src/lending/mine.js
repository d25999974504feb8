// mine.js - the worker's page (#/lending): my borrowing number (what staff
// type to lend to me), what I have borrowed with its due date (overdue
// said in words and with an icon, not by colour alone), my reservations,
// and the fridge or locker slots I hold with their pickup codes.
import { h, langText } from '../dom.js';
import { t, pick, formatWhen, formatAge } from '../i18n.js';
import { icon } from '../icons.js';
import * as session from '../session.js';
import { formAlert, button, errorMessage } from '../forms.js';
import { redraw, pageTitle, needSignIn } from '../page.js';
import { ApiError } from '../api.js';

const $id = (id) => document.getElementById(id);

const mine = { loans: null, reservations: [], out: 0, limit: 0, lockers: null, alert: '', note: '', busy: null };

async function load() {
  mine.alert = '';
  try {
    const [loans, lockers] = await Promise.all([session.call('GET', '/api/me/loans'), session.call('GET', '/api/me/lockers')]);
    mine.loans = loans.items || [];
    mine.reservations = loans.reservations || [];
    mine.out = loans.out || 0;
    mine.limit = loans.limit || 0;
    mine.lockers = lockers.items || [];
  } catch (e) {
    if (e instanceof ApiError && e.status === 401 && !session.me()) return;
    mine.alert = errorMessage(e);
  }
}

/** Release a slot or cancel a reservation, then read everything again. */
async function act(busyId, path, doneWord, focusId) {
  mine.busy = busyId;
  mine.note = '';
  mine.alert = '';
  redraw();
  try {
    await session.call('POST', path);
    mine.note = t(doneWord);
    await load();
  } catch (e) {
    if (e instanceof ApiError && e.status === 401 && !session.me()) return;
    mine.alert = errorMessage(e);
  }
  mine.busy = null;
  redraw();
  $id(focusId)?.focus();
}

function loanItem(l) {
  const overdue = l.overdue;
  const out = l.state === 'out' || l.state === 'overdue';
  let due;
  if (out && overdue) due = h('p', { class: 'person-meta loan-overdue' }, h('span', { svg: icon('warn', 'icon icon-sm') }), t('overdueSince', { when: formatWhen(l.due_at) }));
  else if (out) due = h('p', { class: 'person-meta' }, h('span', { svg: icon('clock', 'icon icon-sm') }), t('dueBy', { when: formatWhen(l.due_at) }));
  else due = h('p', { class: 'person-meta' }, t('returnedAt', { when: formatAge(l.closed_at) }));
  return h(
    'li',
    { class: 'person', id: `loan-${l.id}`, 'data-id': l.id, 'data-state': l.state, 'data-overdue': overdue ? 'true' : 'false' },
    h(
      'div',
      { class: 'person-head' },
      h('h4', { class: 'person-name' }, langText(pick(l.item, 'name'))),
      h('span', { class: `badge-v badge-v-${overdue ? 'revoked' : out ? 'unverified' : 'verified'}` }, t(overdue ? 'overdueTag' : `loanState_${l.state}`)),
    ),
    h('p', { class: 'person-meta' }, t('loanFrom', { site: pick(l.site, 'name').text, when: formatAge(l.lent_at) })),
    due,
  );
}

function reservationItem(r) {
  return h(
    'li',
    { class: 'person', id: `reservation-${r.id}`, 'data-id': r.id },
    h('h4', { class: 'person-name' }, langText(pick(r.item, 'name'))),
    h('p', { class: 'person-meta' }, t('reservedUntil', { site: pick(r.site, 'name').text, when: formatWhen(r.ends_at) })),
    h(
      'div',
      { class: 'btn-row' },
      button(t('cancelReservation'), {
        cls: 'btn btn-secondary',
        id: `reservation-${r.id}-cancel`,
        busy: mine.busy === `r${r.id}`,
        onclick: () => act(`r${r.id}`, `/api/me/reservations/${r.id}/cancel`, 'reservationCancelled', 'my-reservations-title'),
      }),
    ),
  );
}

function lockerItem(k) {
  return h(
    'li',
    { class: 'person', id: `locker-${k.id}`, 'data-id': k.id, 'data-kind': k.kind, 'data-number': k.number },
    h('h4', { class: 'person-name' }, t('lockerSlot', { site: pick(k.site, 'name').text, kind: t(`kind_${k.kind}`), n: k.number })),
    h('p', { class: 'person-meta' }, t('lockerCode')),
    h('p', { class: 'state-big', id: `locker-${k.id}-code` }, k.code),
    h('p', { class: 'person-meta' }, t('lockerUntil', { when: formatWhen(k.ends_at) })),
    h(
      'div',
      { class: 'btn-row' },
      button(t('releaseLocker'), {
        cls: 'btn btn-secondary',
        id: `locker-${k.id}-release`,
        busy: mine.busy === `k${k.id}`,
        onclick: () => act(`k${k.id}`, `/api/me/lockers/${k.id}/release`, 'lockerReleased', 'my-lockers-title'),
      }),
    ),
  );
}

export const mineView = {
  title: () => t('lendingTitle'),
  async render(root, params, { first }) {
    if (first) {
      await session.refresh().catch(() => null);
      if (!session.me()) {
        needSignIn('/lending');
        return;
      }
      mine.note = '';
      await load();
    }
    const me = session.me();
    if (!me) {
      needSignIn('/lending');
      return;
    }
    const loading = mine.loans === null;
    root.replaceChildren(
      h(
        'div',
        { class: 'page' },
        pageTitle(t('lendingTitle')),
        h('p', { class: 'page-lead' }, t('lendingLead')),
        formAlert(mine.alert),
        formAlert(mine.note, 'ok'),
        h(
          'section',
          { class: 'panel', 'aria-labelledby': 'my-code-title' },
          h('h3', { id: 'my-code-title' }, t('myBorrowCode')),
          h('p', { class: 'state-big', id: 'my-borrow-code' }, String(me.id)),
          h('p', { class: 'muted' }, t('myBorrowCodeHint')),
          h('a', { class: 'btn btn-primary btn-block', id: 'lend-my-qr', href: '#/me/qr' }, t('lendShowMyQr')),
        ),
        h(
          'section',
          { class: 'panel', 'aria-labelledby': 'my-loans-title' },
          h('h3', { id: 'my-loans-title', tabindex: '-1' }, t('myLoans')),
          loading ? h('p', { class: 'muted' }, t('loading')) : null,
          !loading && mine.limit ? h('p', { class: 'muted', id: 'my-out-count' }, t('outCount', { n: mine.out, max: mine.limit })) : null,
          !loading && !mine.loans.length ? h('p', { class: 'muted', id: 'my-loans-none' }, t('noLoans')) : null,
          !loading && mine.loans.length ? h('ul', { class: 'people-list', id: 'my-loans' }, mine.loans.map(loanItem)) : null,
        ),
        mine.reservations.length
          ? h(
              'section',
              { class: 'panel', 'aria-labelledby': 'my-reservations-title' },
              h('h3', { id: 'my-reservations-title', tabindex: '-1' }, t('myReservations')),
              h('ul', { class: 'people-list', id: 'my-reservations' }, mine.reservations.map(reservationItem)),
            )
          : null,
        h(
          'section',
          { class: 'panel', 'aria-labelledby': 'my-lockers-title' },
          h('h3', { id: 'my-lockers-title', tabindex: '-1' }, t('myLockers')),
          mine.lockers === null ? null : mine.lockers.length
            ? h('ul', { class: 'people-list', id: 'my-lockers' }, mine.lockers.map(lockerItem))
            : h('p', { class: 'muted', id: 'my-lockers-none' }, t('noLockers')),
        ),
      ),
    );
  },
};
