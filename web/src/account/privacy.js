// privacy.js - the privacy notice: on the register page above the consent
// box, and as a page of its own (#/privacy).
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { pageTitle } from '../page.js';

export const PRIVACY_VERSION = '2026-11';

/** The privacy notice, in the page's language. */
export function privacyNotice(id = 'privacy') {
  const sections = t('privacy');
  return h(
    'section',
    { class: 'privacy', id, 'aria-labelledby': `${id}-title` },
    h('h3', { id: `${id}-title`, class: 'privacy-title' }, t('privacyTitle', { v: PRIVACY_VERSION })),
    sections.map(([head, text]) => h('div', { class: 'privacy-item' }, h('h4', null, head), h('p', null, text))),
  );
}

export const privacyView = {
  title: () => t('privacyShort'),
  render(root) {
    root.replaceChildren(h('div', { class: 'page page-narrow' }, pageTitle(t('privacyShort')), privacyNotice('privacy-page')));
  },
};
