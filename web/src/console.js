// console.js - what every console page shares: who is signed in (asked
// afresh on the first drawing), "not for you", and the section tabs, which
// the page modules declare (a module's `tab`, collected by the registry).
import { h } from './dom.js';
import { t } from './i18n.js';
import * as session from './session.js';
import { formAlert, errorMessage } from './forms.js';
import { pageTitle, needSignIn, consoleTabs } from './page.js';

/** The console's section tabs this person may open; none when only one. */
export function tabs(active) {
  const mine = consoleTabs().filter((tab) => session.hasAnyRole(tab.roles));
  if (mine.length < 2) return null; // staff have one section only
  return h(
    'nav',
    { class: 'seg seg-tabs', 'aria-label': t('consoleSections') },
    mine.map((tab) =>
      h('a', { href: `#${tab.path}`, id: tab.id, class: 'seg-btn', 'aria-current': active === tab.path ? 'page' : null }, t(tab.word)),
    ),
  );
}

/** The first drawing of a console page: who is signed in, asked afresh. */
export async function checkFirst(root) {
  try {
    await session.refresh({ force: true });
    return true;
  } catch (e) {
    root.replaceChildren(h('div', { class: 'page' }, pageTitle(t('console')), formAlert(errorMessage(e))));
    return false;
  }
}

/**
 * May the person see this page? Anyone who may use the console, and when
 * roles are given, only those (else the word `denied` says why). Draws
 * "not for you" (or sends to sign-in) and returns false when not.
 * Synchronous: later drawings must be.
 */
export function allowed(root, path, { roles = null, denied = 'staffOnly' } = {}) {
  if (!session.me()) {
    needSignIn(path);
    return false;
  }
  const console = session.canConsole();
  if (!console || !session.hasAnyRole(roles)) {
    root.replaceChildren(
      h(
        'div',
        { class: 'page' },
        pageTitle(t('console')),
        formAlert(t(console ? denied : 'staffOnly')),
        h('p', null, h('a', { href: '#/', class: 'btn btn-secondary' }, t('backToMap'))),
      ),
    );
    return false;
  }
  return true;
}
