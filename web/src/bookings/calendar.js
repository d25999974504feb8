// calendar.js - "add to my calendar" (#/bookings/calendar): a private
// feed of my bookings that a calendar app subscribes to. The server shows
// its address once, when it is made (only a hash is kept), so the page
// shows it then, with a webcal link for phones and how to add it by
// hand; making a new one or stopping it makes the old address stop.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { icon } from '../icons.js';
import { ApiError } from '../api.js';
import * as session from '../session.js';
import { redraw, pageTitle, needSignIn } from '../page.js';
import { openLayer, closeLayer, dropLayer } from '../back.js';
import { loadingPage, failedPage, crumbs, problemWords } from './common.js';
import { momentWords } from './time.js';

const st = {
  feed: null, // {active, created_at, last_read_at}
  made: null, // {url, webcal} just made: shown this once
  busy: '', // 'make' | 'stop'
  alert: '',
  note: '',
  copied: false,
  confirming: false,
};

async function load() {
  st.feed = await session.call('GET', '/api/me/calendar-feed');
}

async function make() {
  if (st.busy) return;
  Object.assign(st, { busy: 'make', alert: '', note: '', copied: false });
  redraw();
  try {
    st.made = await session.call('POST', '/api/me/calendar-feed');
    await load().catch(() => {});
    st.note = t('bkFeedMade');
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return needSignIn('/bookings/calendar');
    st.alert = problemWords(e);
  }
  st.busy = '';
  redraw();
  document.getElementById(st.alert ? 'bk-feed-alert' : 'bk-feed-url')?.focus();
}

async function stop() {
  Object.assign(st, { busy: 'stop', alert: '', note: '' });
  redraw();
  try {
    await session.call('DELETE', '/api/me/calendar-feed');
    st.made = null;
    await load().catch(() => {});
    st.note = t('bkFeedStopped');
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return needSignIn('/bookings/calendar');
    st.alert = problemWords(e);
  }
  st.busy = '';
  redraw();
  document.getElementById('bk-feed-note')?.focus();
}

async function copy() {
  try {
    await navigator.clipboard.writeText(st.made.url);
    st.copied = true;
  } catch {
    // No clipboard (an http page, a refusal): select the text for a long-press copy.
    const input = document.getElementById('bk-feed-url');
    input?.focus();
    input?.select();
    st.copied = false;
  }
  redraw();
}

function confirmStop() {
  st.confirming = true;
  openLayer(() => {
    st.confirming = false;
    redraw();
    document.getElementById('bk-feed-stop')?.focus();
  });
  redraw();
  document.getElementById('bk-stop-title')?.focus();
}

function madeBlock() {
  const m = st.made;
  if (!m) return null;
  // All of it readable (a text area wraps), selected on a tap for copying by hand.
  const input = h('textarea', { class: 'input bk-feed-url', id: 'bk-feed-url', readonly: true, rows: '3', spellcheck: 'false', autocomplete: 'off' });
  input.value = m.url;
  input.addEventListener('focus', () => input.select());
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'bk-feed-made-h', id: 'bk-feed-made' },
    h('h3', { id: 'bk-feed-made-h' }, t('bkFeedYours')),
    h('p', { class: 'muted' }, t('bkFeedOnce')),
    h('div', { class: 'field' }, h('label', { class: 'field-label', for: 'bk-feed-url' }, t('bkFeedUrl')), input),
    h(
      'div',
      { class: 'btn-row' },
      h('a', { class: 'btn btn-primary', href: m.webcal, id: 'bk-feed-webcal' }, h('span', { svg: icon('calendar') }), t('bkOpenInCalendar')),
      h('button', { type: 'button', class: 'btn btn-secondary', id: 'bk-feed-copy', onclick: copy }, t(st.copied ? 'bkCopied' : 'bkCopy')),
    ),
    st.copied ? h('p', { class: 'visually-hidden', role: 'status' }, t('bkCopied')) : null,
    h(
      'ul',
      { class: 'bk-howto' },
      h('li', null, t('bkHowPhone')),
      h('li', null, t('bkHowByHand')),
      h('li', null, t('bkHowSecret')),
    ),
  );
}

function layer() {
  if (!st.confirming) return null;
  return h(
    'div',
    { class: 'bk-layer' },
    h(
      'div',
      {
        class: 'bk-dialog',
        role: 'dialog',
        'aria-modal': 'true',
        'aria-labelledby': 'bk-stop-title',
        onkeydown: (e) => {
          if (e.key === 'Escape') closeLayer();
        },
      },
      h('h3', { id: 'bk-stop-title', tabindex: '-1' }, t('bkFeedStopQ')),
      h('p', null, t('bkFeedStopText')),
      h(
        'div',
        { class: 'bk-dialog-btns' },
        h(
          'button',
          {
            type: 'button',
            class: 'btn btn-danger btn-block',
            id: 'bk-feed-stop-yes',
            onclick: () => {
              closeLayer();
              stop();
            },
          },
          t('bkFeedStop'),
        ),
        h('button', { type: 'button', class: 'btn btn-secondary btn-block', id: 'bk-feed-stop-no', onclick: () => closeLayer() }, t('bkKeepIt')),
      ),
    ),
  );
}

function draw(root) {
  const f = st.feed || { active: false };
  const l = layer();
  root.replaceChildren(
    h(
      'div',
      { class: 'page', id: 'bk-calendar', inert: l ? '' : null, 'aria-hidden': l ? 'true' : null },
      crumbs('#/bookings', t('bkBackToMine')),
      pageTitle(t('bkCalendarTitle')),
      h('p', { class: 'page-lead' }, t('bkCalendarLead')),
      st.alert ? h('p', { class: 'form-alert form-error', role: 'alert', id: 'bk-feed-alert', tabindex: '-1' }, st.alert) : null,
      st.note ? h('p', { class: 'form-alert form-ok', role: 'status', id: 'bk-feed-note', tabindex: '-1' }, st.note) : null,
      madeBlock(),
      h(
        'section',
        { class: 'panel', 'aria-labelledby': 'bk-feed-h', id: 'bk-feed', 'data-active': f.active ? 'true' : 'false' },
        h('h3', { id: 'bk-feed-h' }, t('bkFeedState')),
        f.active
          ? [
              h('p', null, t('bkFeedActive', { when: momentWords(f.created_at) })),
              f.last_read_at ? h('p', { class: 'muted' }, t('bkFeedRead', { when: momentWords(f.last_read_at) })) : h('p', { class: 'muted' }, t('bkFeedNotRead')),
            ]
          : h('p', null, t('bkFeedNone')),
        h(
          'div',
          { class: 'form-actions' },
          h(
            'button',
            { type: 'button', class: `btn ${f.active ? 'btn-secondary' : 'btn-primary'} btn-block`, id: 'bk-feed-make', disabled: Boolean(st.busy), 'aria-busy': st.busy === 'make' ? 'true' : null, onclick: make },
            st.busy === 'make' ? t('working_') : t(f.active ? 'bkFeedNew' : 'bkFeedMake'),
          ),
          f.active ? h('p', { class: 'muted' }, t('bkFeedNewNote')) : null,
          f.active
            ? h(
                'button',
                { type: 'button', class: 'btn btn-danger-outline btn-block', id: 'bk-feed-stop', disabled: Boolean(st.busy), 'aria-busy': st.busy === 'stop' ? 'true' : null, onclick: confirmStop },
                st.busy === 'stop' ? t('working_') : t('bkFeedStop'),
              )
            : null,
        ),
        h('p', { class: 'muted', id: 'bk-feed-revoke-how' }, t('bkFeedRevokeHow')),
      ),
    ),
    l || '',
  );
}

export const calendarView = {
  title: () => t('bkCalendarTitle'),
  async render(root, params, { first }) {
    if (first) {
      Object.assign(st, { feed: null, made: null, busy: '', alert: '', note: '', copied: false, confirming: false });
      root.replaceChildren(loadingPage(t('bkCalendarTitle'), crumbs('#/bookings', t('bkBackToMine'))));
      try {
        await session.refresh({ force: true });
        if (!session.me()) return needSignIn('/bookings/calendar');
        await load();
      } catch (e) {
        if (e instanceof ApiError && e.status === 401) return needSignIn('/bookings/calendar');
        if (root.isConnected) root.replaceChildren(failedPage(t('bkCalendarTitle'), e, crumbs('#/bookings', t('bkBackToMine'))));
        return;
      }
      if (!root.isConnected) return;
    }
    if (!st.feed) return;
    draw(root);
  },
  leave() {
    dropLayer();
    // The address is shown once: it does not outlive the page.
    st.made = null;
    st.confirming = false;
  },
};
