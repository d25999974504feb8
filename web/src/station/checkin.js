// checkin.js - what a worker's phone opens from a station's poster
// (#/visit/:code): signed in, the visit is counted at once and the page
// says where; and my own check-ins (#/me/visits), which only I see and
// may delete.
import { h } from '../dom.js';
import { t, pick } from '../i18n.js';
import * as session from '../session.js';
import { ApiError } from '../api.js';
import { formAlert, button, errorMessage } from '../forms.js';
import { redraw, pageTitle, needSignIn } from '../page.js';

const st = { code: null, result: null, alert: '', busy: false };
const mine = { items: null, retention: 30, alert: '', note: '', deleting: null };

function when(iso) {
  return iso ? iso.slice(0, 16).replace('T', ' ') : '';
}

async function checkIn(code) {
  st.code = code;
  st.result = null;
  st.alert = '';
  st.busy = true;
  redraw();
  try {
    st.result = await session.call('POST', '/api/visits', { json: { code } });
  } catch (e) {
    st.alert = e instanceof ApiError && e.code === 'invalid_code' ? t('stnCheckinBad') : errorMessage(e);
  }
  st.busy = false;
  redraw();
  document.querySelector('#checkin-result .form-alert')?.focus();
}

export const checkinView = {
  title: () => t('stnCheckin'),
  async render(root, params, { first }) {
    if (first) {
      await session.refresh().catch(() => null);
      if (!session.me()) {
        needSignIn(`/visit/${encodeURIComponent(params.code)}`);
        return;
      }
      if (st.code !== params.code) {
        checkIn(params.code);
        return; // checkIn draws
      }
    }
    const r = st.result;
    const name = r ? pick(r.site, 'name').text : '';
    root.replaceChildren(
      h(
        'div',
        { class: 'page page-narrow' },
        pageTitle(t('stnCheckin')),
        h(
          'div',
          { id: 'checkin-result' },
          st.busy ? h('p', { class: 'list-status', role: 'status' }, t('working_')) : null,
          formAlert(st.alert),
          r ? formAlert(r.counted ? t('stnCheckinOk', { name }) : t('stnCheckinAgain', { name }), 'ok') : null,
          r ? h('p', { class: 'muted' }, when(r.at)) : null,
        ),
        h('p', { class: 'btn-row' }, h('a', { class: 'btn btn-secondary', href: '#/me/visits', id: 'checkin-mine' }, t('stnMyVisits')), h('a', { class: 'btn btn-secondary', href: '#/' }, t('backToMap'))),
      ),
    );
  },
};

async function loadMine() {
  mine.alert = '';
  try {
    const r = await session.call('GET', '/api/me/visits', { params: { limit: 200 } });
    mine.items = r.items;
    mine.retention = r.retention_days;
  } catch (e) {
    mine.alert = errorMessage(e);
  }
  redraw();
}

async function deleteVisit(v) {
  mine.deleting = v.id;
  mine.note = '';
  redraw();
  try {
    await session.call('DELETE', `/api/me/visits/${v.id}`);
    mine.items = mine.items.filter((x) => x.id !== v.id);
    mine.note = t('stnVisitDeleted');
  } catch (e) {
    mine.alert = errorMessage(e);
  }
  mine.deleting = null;
  redraw();
  document.querySelector('#my-visits-page .form-alert')?.focus();
}

export const myVisitsView = {
  title: () => t('stnMyVisits'),
  async render(root, params, { first }) {
    if (first) {
      await session.refresh().catch(() => null);
      if (!session.me()) {
        needSignIn('/me/visits');
        return;
      }
      mine.items = null;
      mine.note = '';
      loadMine();
    }
    root.replaceChildren(
      h(
        'div',
        { class: 'page page-narrow', id: 'my-visits-page' },
        pageTitle(t('stnMyVisits')),
        h('p', { class: 'page-lead' }, t('stnMyVisitsLead', { n: mine.retention })),
        formAlert(mine.alert),
        formAlert(mine.note, 'ok'),
        mine.items === null
          ? h('p', { class: 'list-status', role: 'status' }, t('loading'))
          : mine.items.length
            ? h(
                'ul',
                { class: 'site-rows', id: 'my-visits' },
                mine.items.map((v) => {
                  const n = pick(v.site, 'name');
                  return h(
                    'li',
                    { class: 'site-row', 'data-id': v.id },
                    h(
                      'div',
                      { class: 'site-row-text' },
                      h('h4', { class: 'site-row-name', lang: n.lang, id: `visit-${v.id}-name` }, n.text),
                      h('p', { class: 'person-meta' }, `${when(v.at)} · ${t(`stnVisitVia_${v.via}`)}`),
                    ),
                    button(t('stnDeleteVisit'), {
                      cls: 'btn btn-danger-outline',
                      id: `visit-${v.id}-delete`,
                      busy: mine.deleting === v.id,
                      onclick: () => deleteVisit(v),
                    }),
                  );
                }),
              )
            : h('p', { class: 'muted', id: 'my-visits' }, t('stnNoVisits')),
      ),
    );
  },
};
