// bell.js - the bell in the header: my unread notices, live; shown while
// signed in, it opens the inbox (#/inbox).
import { h, $ } from '../dom.js';
import { t } from '../i18n.js';
import { icon } from '../icons.js';
import * as session from '../session.js';
import { onInbox, unread } from './live.js';

const el = {};

function render() {
  if (!el.bell) return;
  const n = unread();
  el.bell.hidden = !session.me();
  el.count.textContent = n > 99 ? '99+' : String(n);
  el.count.hidden = n === 0;
  el.bell.dataset.unread = String(n);
  el.text.textContent = n ? t('inboxBellUnread', { n }) : t('inboxBell');
  el.bell.title = el.text.textContent;
  if (location.hash.startsWith('#/inbox')) el.bell.setAttribute('aria-current', 'page');
  else el.bell.removeAttribute('aria-current');
}

/** Once at start: the bell goes into the header, before the language button. */
export function startBell() {
  el.text = h('span', { class: 'visually-hidden', id: 'inbox-bell-text' });
  el.count = h('span', { class: 'bell-count', id: 'inbox-bell-count', 'aria-hidden': 'true', hidden: true });
  el.bell = h('a', { id: 'inbox-bell', class: 'bell', href: '#/inbox', hidden: true }, h('span', { class: 'bell-icon', svg: icon('bell') }), el.count, el.text);
  $('#lang')?.before(el.bell);
  onInbox((kind) => {
    if (kind === 'count') render();
  });
  session.onSessionChange(render);
  window.addEventListener('hashchange', render);
  render();
}

export const retextBell = render;
