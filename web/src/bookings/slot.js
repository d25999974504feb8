// slot.js - one time of an offering (#/slots/{id}), the address to share:
// when and where, the seats, the rules, and one button to book it (or to
// join its waitlist).
import { h } from '../dom.js';
import { t, pick } from '../i18n.js';
import { getJson } from '../api.js';
import * as session from '../session.js';
import { formAlert } from '../forms.js';
import { pageTitle } from '../page.js';
import { kindWord, titleOf, siteById, navButtons, siteBlock, cutoffWords, loadingPage, failedPage, crumbs, slotSiteName } from './common.js';
import { action, loadMine, slotRow } from './book.js';
import { spanWords, durationWords } from './time.js';

const st = { slot: null, offering: null, site: null };

async function load(id) {
  Object.assign(st, { slot: null, offering: null, site: null });
  action.problems.clear();
  const s = await getJson(`/api/slots/${encodeURIComponent(id)}`);
  const [o, site] = await Promise.all([getJson(`/api/offerings/${s.offering}`), siteById(s.site).catch(() => null), loadMine()]);
  Object.assign(st, { slot: s, offering: o, site });
}

async function refresh() {
  if (!st.slot) return;
  st.slot = await getJson(`/api/slots/${st.slot.id}`);
}

function draw(root, path) {
  const s = st.slot;
  const o = st.offering;
  const title = titleOf(o);
  root.replaceChildren(
    h(
      'div',
      { class: 'page', 'data-slot': s.id },
      crumbs(`#/offerings/${o.id}`, t('bkOtherTimes')),
      h('p', { class: 'bk-kind-line' }, h('span', { class: `bk-kind bk-kind-${o.kind}` }, kindWord(o.kind))),
      pageTitle(h('span', { lang: title.lang }, title.text)),
      h('p', { class: 'bk-when-big', id: 'bk-slot-when' }, spanWords(s.start, s.end)),
      o.active ? null : formAlert(t('bkOfferingClosed')),
      h('ul', { class: 'bk-slots bk-slots-one' }, slotRow(s, o, { path, refresh })),
      session.me() ? null : h('p', { class: 'note', id: 'bk-sign-in-note' }, t('bkSignInFirst')),
      h(
        'section',
        { class: 'panel', 'aria-labelledby': 'bk-where-h' },
        h('h3', { id: 'bk-where-h' }, t('bkWhere')),
        siteBlock(st.site, slotSiteName(s)),
        navButtons(st.site, 'bk-slot'),
      ),
      h(
        'section',
        { class: 'panel', 'aria-labelledby': 'bk-rules-h' },
        h('h3', { id: 'bk-rules-h' }, t('bkGoodToKnow')),
        h(
          'ul',
          { class: 'bk-rule-list' },
          h('li', null, cutoffWords(o.cancel_cutoff_s)),
          o.waitlist ? h('li', null, t('bkWaitlistRule', { time: durationWords(o.offer_ttl_s) })) : null,
          h('li', null, t('bkLimitRule', { n: o.per_person_limit })),
          o.verification_required ? h('li', null, t('bkVerifyRule')) : null,
        ),
        (() => {
          const d = pick(o, 'description');
          return d.text ? h('p', { lang: d.lang }, d.text) : null;
        })(),
      ),
    ),
  );
}

export const slotView = {
  title: () => (st.offering ? titleOf(st.offering).text : t('bkSlotTitle')),
  async render(root, params, { first }) {
    const path = `/slots/${params.id}`;
    if (first) {
      root.replaceChildren(loadingPage(t('bkSlotTitle'), crumbs('#/book', t('bkBackToList'))));
      try {
        await session.refresh().catch(() => {});
        await load(params.id);
      } catch (e) {
        if (root.isConnected) root.replaceChildren(failedPage(t('bkSlotTitle'), e, crumbs('#/book', t('bkBackToList'))));
        return;
      }
      if (!root.isConnected) return;
    }
    if (!st.slot) return;
    draw(root, path);
  },
  leave() {
    action.problems.clear();
  },
};
