// list.js - "办事服务" (#/services): services near me, by category (the
// category tree as big chips, a row for each level chosen), by words. The
// chosen category and words are kept in the URL (#/services?category=x&q=y)
// so the page can be shared and comes back the same after a service's page.
import { h, langText } from '../dom.js';
import { t, pick, formatDistance, formatAccuracy } from '../i18n.js';
import { icon } from '../icons.js';
import { getJson } from '../api.js';
import { formAlert, button, errorMessage } from '../forms.js';
import { redraw, pageTitle } from '../page.js';
import { apiDatum, districtCentre, districtName, knownFix, locate } from '../point.js';
import { loadCategories, categoryPath, serviceTags } from './view.js';

const PAGE = 20;

const st = {
  datum: 'wgs84',
  point: null, // {lat, lon} in datum
  pointKind: 'default', // default | gps | none
  accuracy: null,
  place: null,
  locating: false,
  locateError: '',
  cats: null,
  catsError: '',
  category: '',
  q: '', // in the box
  query: '', // asked
  items: [],
  total: 0,
  busy: false,
  error: '',
  gen: 0,
  loaded: false, // the list answers the current question
  opened: null, // the service whose page was opened from the list (focus comes back to it)
};

/** #/services?category=..&q=.. -> the question. */
function readUrl() {
  const i = location.hash.indexOf('?');
  const p = new URLSearchParams(i >= 0 ? location.hash.slice(i + 1) : '');
  return { category: p.get('category') || '', q: p.get('q') || '' };
}

function writeUrl() {
  const p = new URLSearchParams();
  if (st.category) p.set('category', st.category);
  if (st.query) p.set('q', st.query);
  const s = p.toString();
  const hash = `#/services${s ? `?${s}` : ''}`;
  if (location.hash !== hash) history.replaceState(history.state, '', hash);
}

async function fetchList({ more = false } = {}) {
  const gen = ++st.gen;
  st.busy = true;
  st.error = '';
  if (!more) st.loaded = false;
  redraw();
  try {
    const params = {
      category: st.category,
      q: st.query,
      limit: PAGE,
      offset: more ? st.items.length : 0,
      datum: st.datum,
    };
    if (st.point) params.near = `${st.point.lat.toFixed(6)},${st.point.lon.toFixed(6)}`;
    const r = await getJson('/api/services', params, { channel: 'services' });
    if (gen !== st.gen) return;
    st.items = more ? [...st.items, ...(r.items || [])] : r.items || [];
    st.total = r.total ?? st.items.length;
    st.loaded = true;
  } catch (e) {
    if (gen !== st.gen) return;
    st.error = errorMessage(e);
  }
  st.busy = false;
  redraw();
}

function choose(code) {
  st.category = code;
  writeUrl();
  fetchList();
}

function search(ev) {
  ev.preventDefault();
  st.query = st.q.trim();
  writeUrl();
  fetchList().then(() => document.getElementById('svc-status')?.focus());
}

function clearSearch() {
  st.q = '';
  st.query = '';
  writeUrl();
  fetchList();
  document.getElementById('svc-q')?.focus();
}

async function nearMe() {
  st.locating = true;
  st.locateError = '';
  redraw();
  try {
    const p = await locate(st.datum);
    st.point = { lat: p.lat, lon: p.lon };
    st.pointKind = 'gps';
    st.accuracy = p.accuracy;
  } catch (reason) {
    st.locateError = t('locateFailed', { reason: t(typeof reason === 'string' ? reason : 'geoUnavailable') });
  }
  st.locating = false;
  redraw();
  if (!st.locateError) fetchList();
}

// ---- drawing -------------------------------------------------------------------

function chipRow(items, selected, { allCode, allWord, id, label }) {
  const chip = (code, text, textLang) =>
    h(
      'button',
      {
        type: 'button',
        class: 'chip svc-chip',
        id: `svc-cat-${code || 'all'}${code === allCode && allCode ? '-all' : ''}`,
        'aria-pressed': selected === code ? 'true' : 'false',
        'data-cat': code,
        onclick: () => choose(code),
      },
      h('span', { class: 'chip-check', svg: icon('check') }),
      h('span', { lang: textLang }, text),
    );
  return h(
    'div',
    { class: 'chips svc-chips', role: 'group', id, 'aria-label': label },
    chip(allCode, allWord),
    items.map((c) => {
      const n = pick(c, 'name');
      return chip(c.code, n.text, n.lang);
    }),
  );
}

function categoryChips() {
  if (st.catsError) return formAlert(st.catsError);
  if (!st.cats) return h('p', { class: 'muted' }, t('loading'));
  const path = categoryPath(st.category);
  const rows = [chipRow(st.cats, path[0] ? path[0].code : '', { allCode: '', allWord: t('svcAll'), id: 'svc-cats-0', label: t('svcCategories') })];
  path.forEach((c, i) => {
    if (!(c.children || []).length) return;
    const below = path[i + 1];
    const name = pick(c, 'name').text;
    rows.push(
      chipRow(c.children, below ? below.code : c.code, {
        allCode: c.code,
        allWord: t('svcAllOf', { name }),
        id: `svc-cats-${i + 1}`,
        label: t('svcSubcategories', { name }),
      }),
    );
  });
  return rows;
}

function pointNote() {
  if (st.locating) return t('svcLocating');
  if (st.locateError) return st.locateError;
  if (st.pointKind === 'gps') return t('svcPointGps', { acc: formatAccuracy(st.accuracy || 0) });
  if (st.pointKind === 'none') return t('svcPointNone');
  return t('svcPointDefault', { place: st.place ? pick(st.place, 'name').text : t('svcPlaceFallback') });
}

function card(s) {
  const name = pick(s, 'name');
  const cat = pick(s.category || {}, 'name');
  const org = pick(s.organization || {}, 'name');
  const site = s.nearest_site ? pick(s.nearest_site, 'name') : null;
  return h(
    'li',
    { class: 'svc-li', 'data-id': s.id },
    h(
      'a',
      {
        class: 'svc-card',
        href: `#/services/${s.id}`,
        id: `svc-card-${s.id}`,
        onclick: () => {
          st.opened = s.id;
        },
      },
      langText(name, 'svc-card-name'),
      h('span', { class: 'svc-card-meta' }, h('span', { lang: cat.lang }, cat.text), ' · ', h('span', { lang: org.lang }, org.text)),
      site
        ? h(
            'span',
            { class: 'svc-card-where' },
            h('span', { class: 'svc-card-pin', svg: icon('pin', 'icon icon-sm') }),
            h(
              'span',
              null,
              h('span', { lang: site.lang }, site.text),
              s.distance_m != null ? [' · ', h('span', { class: 'svc-card-dist' }, formatDistance(s.distance_m))] : '',
            ),
          )
        : '',
      h('span', { class: 'svc-tags' }, serviceTags(s)),
    ),
  );
}

function statusText() {
  if (st.error) return '';
  if (!st.loaded) return t('loading');
  const cat = categoryPath(st.category).pop();
  const what = [cat ? pick(cat, 'name').text : '', st.query ? `“${st.query}”` : ''].filter(Boolean).join(' · ');
  if (!st.total) return what ? t('svcNoneFor', { what }) : t('svcNone');
  const near = st.point ? t('svcNearestFirst') : '';
  return what ? t('svcFoundFor', { n: st.total, what, near }) : t('svcFound', { n: st.total, near });
}

function draw(root) {
  const q = h('input', {
    type: 'search',
    class: 'input',
    id: 'svc-q',
    name: 'q',
    enterkeyhint: 'search',
    autocomplete: 'off',
    maxlength: '60',
    'aria-describedby': 'svc-q-hint',
  });
  q.value = st.q;
  q.addEventListener('input', () => {
    st.q = q.value;
  });
  root.replaceChildren(
    h(
      'div',
      { class: 'page svc-page' },
      pageTitle(t('svcTitle')),
      h('p', { class: 'page-lead' }, t('svcLead')),
      h(
        'form',
        { class: 'svc-search', role: 'search', id: 'svc-search', onsubmit: search, 'aria-label': t('svcSearchLabel') },
        h('label', { for: 'svc-q', class: 'field-label' }, t('svcSearchLabel')),
        h('p', { class: 'field-hint', id: 'svc-q-hint' }, t('svcSearchHint')),
        h(
          'div',
          { class: 'input-row' },
          q,
          h('button', { type: 'submit', class: 'btn btn-primary', id: 'svc-search-go' }, h('span', { svg: icon('search') }), t('search')),
        ),
        st.query
          ? h('p', { class: 'svc-query' }, t('svcQueryIs', { q: st.query }), ' ', h('button', { type: 'button', class: 'btn btn-small btn-secondary', id: 'svc-clear', onclick: clearSearch }, t('svcClear')))
          : '',
      ),
      h(
        'div',
        { class: 'svc-point' },
        button(t('svcNearMe'), { id: 'svc-near-me', cls: 'btn btn-secondary', busy: st.locating, onclick: nearMe }),
        h('p', { id: 'svc-point-note', class: `note${st.pointKind === 'gps' ? '' : ' note-warn'}`, 'aria-live': 'polite' }, pointNote()),
      ),
      h('section', { class: 'svc-cats', 'aria-labelledby': 'svc-cats-h' }, h('h3', { id: 'svc-cats-h' }, t('svcCategories')), categoryChips()),
      h(
        'section',
        { class: 'svc-results', 'aria-labelledby': 'svc-results-h' },
        h('h3', { id: 'svc-results-h' }, t(st.pointKind === 'gps' ? 'svcResultsNear' : 'svcResults')),
        h('p', { class: 'list-status', id: 'svc-status', role: 'status', tabindex: '-1' }, statusText()),
        st.error ? formAlert(st.error) : '',
        st.error ? h('p', null, button(t('svcRetry'), { id: 'svc-retry', cls: 'btn btn-secondary', onclick: () => fetchList() })) : '',
        h(
          'ol',
          {
            class: 'svc-list',
            id: 'svc-list',
            'aria-busy': st.busy ? 'true' : null,
            // The point the list is measured from, as sent (tests read it).
            'data-point': st.point ? `${st.point.lat.toFixed(6)},${st.point.lon.toFixed(6)}` : null,
            'data-kind': st.pointKind,
          },
          st.items.map(card),
        ),
        st.loaded && st.items.length < st.total
          ? button(t('more'), { id: 'svc-more', cls: 'btn btn-secondary btn-more', busy: st.busy, onclick: () => fetchList({ more: true }) })
          : '',
      ),
    ),
  );
}

async function start() {
  const want = readUrl();
  const changed = want.category !== st.category || want.q !== st.query;
  st.category = want.category;
  st.q = want.q;
  st.query = want.q;
  st.datum = await apiDatum();
  const [cats] = await Promise.allSettled([
    loadCategories(),
    (async () => {
      const fix = knownFix(st.datum);
      if (fix) {
        st.point = { lat: fix.lat, lon: fix.lon };
        st.pointKind = 'gps';
        st.accuracy = fix.accuracy;
      } else if (!st.point) {
        const c = await districtCentre(st.datum);
        st.point = c ? { lat: c.lat, lon: c.lon } : null;
        st.pointKind = c ? 'default' : 'none';
      }
      st.place = await districtName();
    })(),
  ]);
  if (cats.status === 'fulfilled') {
    st.cats = cats.value;
    st.catsError = '';
  } else {
    st.catsError = errorMessage(cats.reason);
  }
  // Back from a service's page: the list is still the answer, and focus
  // goes back to the service that was opened.
  if (changed || !st.loaded) await fetchList();
  else redraw();
  const back = st.opened != null && document.getElementById(`svc-card-${st.opened}`);
  st.opened = null;
  if (back) back.focus();
}

export const servicesView = {
  title: () => t('svcTitle'),
  async render(root, params, { first }) {
    if (first) {
      draw(root);
      await start();
      return;
    }
    draw(root);
  },
};
