// mine.js - my reports (#/reports/mine): what I reported, each with its
// state and whether it can still be re-opened; the report's own page has
// the timeline. Reached from "me" and from the report form.
import { h } from '../dom.js';
import { t, formatWhen } from '../i18n.js';
import * as session from '../session.js';
import { ApiError } from '../api.js';
import { formAlert, errorMessage } from '../forms.js';
import { pageTitle, needSignIn } from '../page.js';
import { reportCard, mapDatum } from './common.js';

const st = { items: null, alert: '' };

export const myReportsView = {
  title: () => t('rpMineTitle'),
  async render(root, params, { first }) {
    if (first) {
      await session.refresh().catch(() => null);
      if (!session.me()) {
        needSignIn('/reports/mine');
        return;
      }
      st.items = null;
      st.alert = '';
      try {
        st.items = (await session.call('GET', '/api/me/reports', { params: { datum: await mapDatum() } })).items || [];
      } catch (e) {
        if (e instanceof ApiError && e.status === 401) {
          needSignIn('/reports/mine');
          return;
        }
        st.alert = errorMessage(e);
        st.items = [];
      }
    }
    if (!session.me()) {
      needSignIn('/reports/mine');
      return;
    }
    root.replaceChildren(
      h(
        'div',
        { class: 'page rp-page' },
        pageTitle(t('rpMineTitle')),
        h('p', { class: 'page-lead' }, t('rpMineLead')),
        h('a', { class: 'btn btn-primary btn-block', href: '#/reports/new', id: 'rp-new-link' }, t('rpNewTitle')),
        formAlert(st.alert),
        h(
          'section',
          { class: 'panel', 'aria-labelledby': 'rp-mine-list-title' },
          h('h3', { id: 'rp-mine-list-title' }, t('rpMineList')),
          st.items === null
            ? h('p', { class: 'muted' }, t('loading'))
            : st.items.length
              ? h(
                  'ul',
                  { class: 'rp-cards', id: 'my-reports' },
                  st.items.map((r) => reportCard(r, { extra: r.reopen_until ? h('p', { class: 'muted rp-card-note' }, t('rpReopenUntil', { when: formatWhen(r.reopen_until) })) : null })),
                )
              : h('p', { class: 'muted', id: 'my-reports-none' }, t('rpMineNone')),
        ),
      ),
    );
  },
};
