// site.js - the services at one site: renderSiteServices() draws them
// into any element (the map's site sheet can call it), and the page
// #/services/site/{id} shows them with the place's address and navigation.
import { h, langText } from '../dom.js';
import { t, pick } from '../i18n.js';
import { icon } from '../icons.js';
import { getJson, ApiError } from '../api.js';
import { formAlert, errorMessage } from '../forms.js';
import { redraw, pageTitle } from '../page.js';
import { apiDatum } from '../point.js';
import { openLine, navButtons } from './view.js';
import { hoursRows } from '../map/hours.js';

/** GET /api/sites/{id}/services: {site, items}. */
function siteServices(siteId, signal) {
  return getJson(`/api/sites/${encodeURIComponent(siteId)}/services`, undefined, { channel: 'services', signal });
}

function hoursText(oh) {
  const rows = hoursRows(oh);
  if (!rows) return oh || '';
  return rows.map((r) => `${r.days} ${r.times}`).join(t('svcHoursSep'));
}

function serviceItem(s, status) {
  const name = pick(s, 'name');
  const cat = pick(s.category || {}, 'name');
  return h(
    'li',
    { class: 'svc-here-li', 'data-id': s.id },
    h(
      'a',
      { class: 'svc-here-card', href: `#/services/${s.id}` },
      langText(name, 'svc-here-name'),
      h('span', { class: 'svc-here-cat', lang: cat.lang }, cat.text),
      openLine(s, status),
      s.opening_hours ? h('span', { class: 'svc-here-hours' }, hoursText(s.opening_hours)) : '',
    ),
  );
}

function listOf(answer) {
  const status = answer.site && answer.site.status;
  return h('ul', { class: 'svc-here-list' }, (answer.items || []).map((s) => serviceItem(s, status)));
}

/**
 * Draw the services offered at site siteId into container: a heading
 * ("这里能办的事 (3)") and one link per service with its hours there and
 * whether it is open now. Nothing is drawn when the site has none.
 * Resolves to the number of services (-1 when they could not be asked
 * for; a short note says so). opts: {heading: 'h3', signal}.
 */
export async function renderSiteServices(container, siteId, { heading = 'h3', signal } = {}) {
  const hid = `svc-here-${siteId}-h`;
  container.replaceChildren(h('p', { class: 'svc-here-loading muted' }, t('loading')));
  let answer;
  try {
    answer = await siteServices(siteId, signal);
  } catch (e) {
    if (e.name === 'AbortError') return -1;
    container.replaceChildren(h('p', { class: 'svc-here-error muted' }, t('svcHereError')));
    return -1;
  }
  const n = (answer.items || []).length;
  if (!n) {
    container.replaceChildren();
    return 0;
  }
  container.replaceChildren(
    h(
      'section',
      { class: 'svc-here', 'aria-labelledby': hid },
      h(heading, { id: hid, class: 'svc-here-h' }, t('svcHere', { n })),
      listOf(answer),
    ),
  );
  return n;
}

// ---- the page: #/services/site/{id} --------------------------------------------

const st = { id: null, answer: null, site: null, error: '' };

async function load(id) {
  st.id = id;
  st.answer = null;
  st.site = null;
  st.error = '';
  try {
    const datum = await apiDatum();
    const [answer, site] = await Promise.all([
      siteServices(id),
      getJson(`/api/sites/${encodeURIComponent(id)}`, { datum }, { channel: 'services' }).catch(() => null),
    ]);
    if (st.id !== id) return;
    st.answer = answer;
    st.site = site;
  } catch (e) {
    if (st.id !== id) return;
    st.error = e instanceof ApiError && (e.status === 404 || e.status === 400) ? t('svcSiteNotFound') : errorMessage(e);
  }
}

function draw(root) {
  const crumbs = h('p', { class: 'crumbs' }, h('a', { href: '#/services', id: 'svc-back' }, h('span', { svg: icon('back', 'icon icon-sm') }), t('svcBackToList')));
  if (st.error || !st.answer) {
    root.replaceChildren(
      h('div', { class: 'page svc-detail' }, crumbs, pageTitle(t('svcTitle')), st.error ? formAlert(st.error) : h('p', { role: 'status' }, t('loading'))),
    );
    return;
  }
  const site = st.answer.site;
  const name = pick(site, 'name');
  const title = pageTitle(t('svcAtSite', { site: name.text }));
  const addr = pick(site, 'address');
  const items = st.answer.items || [];
  root.replaceChildren(
    h(
      'div',
      { class: 'page svc-detail svc-site', 'data-site': site.id },
      crumbs,
      title,
      addr.text ? h('p', { class: 'svc-loc-addr' }, h('span', { svg: icon('pin', 'icon icon-sm') }), langText(addr)) : '',
      st.site ? navButtons(st.site.nav, 'site') : '',
      h(
        'section',
        { class: 'svc-here', 'aria-labelledby': 'svc-site-list-h' },
        h('h3', { id: 'svc-site-list-h', class: 'svc-here-h' }, items.length ? t('svcHere', { n: items.length }) : t('svcHereNone')),
        items.length ? listOf(st.answer) : '',
      ),
    ),
  );
}

export const siteServicesView = {
  title: () => (st.answer ? t('svcAtSite', { site: pick(st.answer.site, 'name').text }) : t('svcTitle')),
  async render(root, params, { first }) {
    if (first) {
      st.answer = null;
      st.error = '';
      draw(root);
      await load(params.id);
      redraw();
      return;
    }
    draw(root);
  },
};
