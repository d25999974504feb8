// privacy.js - the privacy notice: on the register page above the consent
// box, and as a page of its own (#/privacy). Which version is in force the
// server says (GET /api/config: privacy_version); registering consents to
// that version.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { pageTitle } from '../page.js';
import { loadConfig } from '../config.js';

let version = '';

/** The version in force, from the server (asked once); '' if unknown. */
export async function loadPrivacyVersion() {
  try {
    version = (await loadConfig()).privacy_version || '';
  } catch {
    version = '';
  }
  return version;
}

/** The version last read from the server. */
export function privacyVersion() {
  return version;
}

/** The privacy notice, in the page's language. */
export function privacyNotice(id = 'privacy') {
  const sections = t('privacy');
  return h(
    'section',
    { class: 'privacy', id, 'aria-labelledby': `${id}-title` },
    h('h3', { id: `${id}-title`, class: 'privacy-title' }, version ? t('privacyTitle', { v: version }) : t('privacyTitleBare')),
    sections.map(([head, text]) => h('div', { class: 'privacy-item' }, h('h4', null, head), h('p', null, text))),
  );
}

export const privacyView = {
  title: () => t('privacyShort'),
  async render(root, params, { first }) {
    if (first) await loadPrivacyVersion();
    root.replaceChildren(h('div', { class: 'page page-narrow' }, pageTitle(t('privacyShort')), privacyNotice('privacy-page')));
  },
};
