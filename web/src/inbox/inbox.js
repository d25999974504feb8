// inbox.js - my notices (#/inbox), newest first: each with its words, when
// it came, and its link; mark one read, or all. New notices come in live
// (live.js), and so does the count when another device reads them.
import { h } from '../dom.js';
import { t, pick, formatAge, formatWhen } from '../i18n.js';
import { icon } from '../icons.js';
import { ApiError } from '../api.js';
import * as session from '../session.js';
import { formAlert, button, errorMessage } from '../forms.js';
import { redraw, pageTitle, needSignIn } from '../page.js';
import { onInbox, unread, setUnread } from './live.js';

const PAGE = 20;

const st = {
  items: [],
  next: null, // before= for the next page
  loaded: false,
  busy: null, // 'all' | 'more' | notice id
  alert: '',
  note: '',
  gen: 0,
  open: false, // the page is showing
};

let unlisten = null;

/** A link from a notice: a path in this app only (the server allows nothing else). */
function safeLink(link) {
  return typeof link === 'string' && link.startsWith('/') && !link.startsWith('//') && !link.includes('\\') ? link : null;
}

async function loadFirst({ quiet = false } = {}) {
  const gen = ++st.gen;
  try {
    const r = await session.call('GET', '/api/me/inbox', { params: { limit: Math.max(PAGE, Math.min(100, st.items.length)) } });
    if (gen !== st.gen) return;
    st.items = r.items || [];
    st.next = r.next_before;
    st.loaded = true;
    setUnread(r.unread);
    if (!quiet) st.alert = '';
  } catch (e) {
    if (gen !== st.gen) return;
    if (e instanceof ApiError && e.status === 401) {
      needSignIn('/inbox');
      return;
    }
    st.alert = errorMessage(e);
    st.loaded = true;
  }
}

async function loadMore() {
  st.busy = 'more';
  redraw();
  try {
    const r = await session.call('GET', '/api/me/inbox', { params: { limit: PAGE, before: st.next } });
    const have = new Set(st.items.map((n) => n.id));
    st.items = [...st.items, ...(r.items || []).filter((n) => !have.has(n.id))];
    st.next = r.next_before;
    setUnread(r.unread);
  } catch (e) {
    st.alert = errorMessage(e);
  }
  st.busy = null;
  redraw();
  document.getElementById('inbox-more')?.focus();
}

async function markRead(n, { quiet = false } = {}) {
  if (n.read) return;
  if (!quiet) {
    st.busy = n.id;
    redraw();
  }
  try {
    const after = await session.call('POST', `/api/me/inbox/${n.id}/read`);
    st.items = st.items.map((x) => (x.id === n.id ? { ...x, ...after } : x));
    setUnread(unread() - 1);
    if (!quiet) st.note = t('inboxMarked');
  } catch (e) {
    if (!quiet) st.alert = errorMessage(e);
  }
  if (quiet) return;
  st.busy = null;
  redraw();
  // The button is gone: focus the notice it was on.
  document.getElementById(`notice-${n.id}`)?.focus();
}

async function markAll() {
  st.busy = 'all';
  st.alert = '';
  redraw();
  try {
    const r = await session.call('POST', '/api/me/inbox/read-all');
    const now = new Date().toISOString();
    st.items = st.items.map((x) => (x.read ? x : { ...x, read: true, read_at: now }));
    setUnread(r.unread);
    st.note = t('inboxAllMarked', { n: r.marked });
  } catch (e) {
    st.alert = errorMessage(e);
  }
  st.busy = null;
  redraw();
  document.getElementById('inbox-status')?.focus();
}

function onLive(kind, data) {
  if (!st.open) return;
  if (kind === 'notice' && data && data.id != null && !st.items.some((n) => n.id === data.id)) {
    const { unread: _count, ...notice } = data;
    st.items = [notice, ...st.items];
    st.note = t('inboxNew', { title: pick(notice, 'title').text });
    redraw();
  } else if (kind === 'stale') {
    loadFirst({ quiet: true }).then(redraw);
  } else if (kind === 'count') {
    redraw();
  }
}

function noticeItem(n) {
  const title = pick(n, 'title');
  const body = pick(n, 'body');
  const link = safeLink(n.link);
  return h(
    'li',
    { class: `notice${n.read ? '' : ' notice-unread'}`, id: `notice-${n.id}`, tabindex: '-1', 'data-id': n.id, 'data-read': n.read ? 'true' : 'false' },
    h(
      'div',
      { class: 'notice-head' },
      n.read ? '' : h('span', { class: 'notice-new' }, h('span', { class: 'notice-dot', 'aria-hidden': 'true' }), t('inboxUnread')),
      h('h3', { class: 'notice-title', lang: title.lang }, title.text),
    ),
    h('p', { class: 'notice-meta' }, h('span', { svg: icon('clock', 'icon icon-sm') }), formatAge(n.created_at), n.expires_at ? ` · ${t('inboxExpires', { when: formatWhen(n.expires_at) })}` : ''),
    body.text ? h('p', { class: 'notice-body', lang: body.lang }, body.text) : '',
    h(
      'div',
      { class: 'btn-row' },
      link
        ? h(
            'a',
            { class: 'btn btn-primary notice-open', href: link, id: `notice-${n.id}-open`, onclick: () => markRead(n, { quiet: true }) },
            t('inboxOpen'),
          )
        : '',
      n.read ? '' : button(t('inboxMarkRead'), { id: `notice-${n.id}-read`, cls: 'btn btn-secondary', busy: st.busy === n.id, onclick: () => markRead(n) }),
    ),
  );
}

function draw(root) {
  const n = unread();
  root.replaceChildren(
    h(
      'div',
      { class: 'page page-narrow inbox-page' },
      pageTitle(t('inboxTitle')),
      h(
        'div',
        { class: 'inbox-head' },
        h('p', { class: 'inbox-status', id: 'inbox-status', role: 'status', tabindex: '-1' }, !st.loaded ? t('loading') : n ? t('inboxUnreadCount', { n }) : t('inboxAllRead')),
        st.loaded && n ? button(t('inboxMarkAll'), { id: 'inbox-read-all', cls: 'btn btn-secondary', busy: st.busy === 'all', onclick: markAll }) : '',
      ),
      st.alert ? formAlert(st.alert) : '',
      st.note ? h('p', { class: 'inbox-note', role: 'status' }, st.note) : '',
      st.loaded && !st.items.length && !st.alert ? h('p', { class: 'muted', id: 'inbox-empty' }, t('inboxEmpty')) : '',
      st.items.length ? h('ul', { class: 'inbox-list', id: 'inbox-list' }, st.items.map(noticeItem)) : '',
      st.next ? button(t('more'), { id: 'inbox-more', cls: 'btn btn-secondary btn-more', busy: st.busy === 'more', onclick: loadMore }) : '',
    ),
  );
}

export const inboxView = {
  title: () => t('inboxTitle'),
  async render(root, params, { first }) {
    if (!first) {
      draw(root);
      return;
    }
    st.open = true;
    st.loaded = false;
    st.alert = '';
    st.note = '';
    unlisten ||= onInbox(onLive);
    await session.refresh().catch(() => null);
    if (!session.me()) {
      needSignIn('/inbox');
      return;
    }
    draw(root);
    await loadFirst();
    draw(root);
  },
  leave() {
    st.open = false;
  },
};
