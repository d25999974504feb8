// host.js - the livestream host's page (#/mentoring): my category and
// mentor, upload a platform's CSV export (a bad row imports nothing and
// the answer's rows and columns are shown as a table), type a session
// in, my dashboard, my mentor's reviews (the review notice links here),
// and my mentor's one-to-one times to book.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import * as session from '../session.js';
import { field, bound, options, formAlert, button, errorMessage, focusProblem } from '../forms.js';
import { redraw, pageTitle, needSignIn } from '../page.js';
import { ApiError, idempotencyKey } from '../api.js';
import { dashboard, dropDashboard, shortWhen } from './dashboard.js';

const PLATFORMS = ['douyin', 'kuaishou', 'taobao', 'generic'];
const CATEGORIES = ['apparel', 'food', 'beauty', 'agriculture', 'home', 'digital', 'culture', 'other'];

const st = {
  me: null, dash: null, slots: [], alert: '', note: '', busy: null,
  category: '', platform: 'douyin', file: null, rows: null,
  form: { starts_at: '', duration_min: '', viewers: '', peak: '', new_followers: '', orders: '', gmv: '', conversion: '' },
  errors: {},
};

async function load() {
  st.alert = '';
  try {
    st.me = await session.call('GET', '/api/me/mentoring');
    st.category = st.category || st.me.category || '';
    if (st.me.is_host) {
      const [dash, slots] = await Promise.all([
        session.call('GET', '/api/me/mentoring/dashboard'),
        session.call('GET', '/api/mentoring/one-to-ones'),
      ]);
      st.dash = dash;
      st.slots = slots.items || [];
    }
  } catch (e) {
    if (e instanceof ApiError && e.status === 401 && !session.me()) return;
    st.alert = errorMessage(e);
  }
}

async function run(busy, fn, focusId) {
  st.busy = busy;
  st.alert = '';
  st.note = '';
  redraw();
  try {
    await fn();
    await load();
  } catch (e) {
    if (e instanceof ApiError && e.status === 401 && !session.me()) return;
    if (e instanceof ApiError && e.code === 'invalid_rows') st.rows = (e.details && e.details.details) || [];
    else if (e instanceof ApiError && e.field && e.field in st.form) st.errors[e.field] = errorMessage(e);
    else st.alert = errorMessage(e);
  }
  st.busy = null;
  redraw();
  const root = document.getElementById('view-page');
  if (st.rows && st.rows.length) document.getElementById('mt-errors-title')?.focus();
  else if (Object.keys(st.errors).length || st.alert) focusProblem(root || document);
  else if (focusId) document.getElementById(focusId)?.focus();
}

function saveCategory() {
  run('category', async () => {
    await session.call('PUT', '/api/me/mentoring', { json: { category: st.category } });
    st.note = t('mtCategorySaved');
  }, 'mt-category');
}

function upload() {
  st.rows = null;
  if (!st.file) {
    st.alert = t('mtNoFile');
    redraw();
    document.getElementById('mt-file')?.focus();
    return;
  }
  run('upload', async () => {
    const text = await st.file.text();
    const res = await session.call('POST', '/api/me/mentoring/sessions/import', {
      params: { platform: st.platform },
      text,
      contentType: 'text/csv; charset=utf-8',
      headers: { 'Idempotency-Key': idempotencyKey() },
    });
    st.note = t('mtUploaded', { n: res.imported });
  }, 'mt-upload-title');
}

function saveSession() {
  st.errors = {};
  const f = st.form;
  const body = {};
  for (const k of ['duration_min', 'viewers', 'peak', 'new_followers', 'orders']) body[k] = f[k] === '' ? undefined : Number(f[k]);
  body.gmv = f.gmv === '' ? undefined : Number(f.gmv);
  if (f.conversion !== '') body.conversion = Number(f.conversion);
  // datetime-local gives local wall time; the server reads it at its zone.
  body.starts_at = f.starts_at ? `${f.starts_at.length === 16 ? `${f.starts_at}:00` : f.starts_at}` : undefined;
  run('session', async () => {
    await session.call('POST', '/api/me/mentoring/sessions', { json: body, headers: { 'Idempotency-Key': idempotencyKey() } });
    for (const k of Object.keys(st.form)) st.form[k] = '';
    st.note = t('mtSaved');
  }, 'mt-type-title');
}

function book(slot) {
  run(`book-${slot.id}`, async () => {
    await session.call('POST', `/api/mentoring/one-to-ones/${slot.id}/book`, { headers: { 'Idempotency-Key': idempotencyKey() } });
    st.note = t('mtBooked');
  }, 'mt-one-title');
}

function profilePanel() {
  const cat = bound('select', st, 'category', {}, h('option', { value: '' }, '—'), options(CATEGORIES.map((c) => [c, t(`mtCat_${c}`)]), st.category));
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'mt-profile-title' },
    h('h3', { id: 'mt-profile-title' }, st.me.mentor ? t('mtMentor', { name: st.me.mentor.name || '' }) : t('mtNoMentor')),
    h(
      'form',
      { class: 'form', novalidate: true, onsubmit: (ev) => { ev.preventDefault(); saveCategory(); } },
      field({ id: 'mt-category', label: t('mtCategory'), hint: t('mtCategoryHint'), input: cat, name: 'category' }),
      button(t('mtSaveCategory'), { type: 'submit', cls: 'btn btn-secondary btn-block', id: 'mt-save-category', busy: st.busy === 'category' }),
    ),
  );
}

function errorTable() {
  if (!st.rows || !st.rows.length) return null;
  return h(
    'div',
    { class: 'mt-table-box', tabindex: '0', role: 'region', 'aria-labelledby': 'mt-errors-title' },
    h('h4', { id: 'mt-errors-title', tabindex: '-1', class: 'mt-low' }, t('mtErrorsTitle')),
    h(
      'table',
      { class: 'mt-table', id: 'mt-upload-errors' },
      h('caption', { class: 'visually-hidden' }, t('mtErrorsTitle')),
      h('thead', null, h('tr', null, h('th', { scope: 'col', class: 'mt-num' }, t('mtRow')), h('th', { scope: 'col' }, t('mtColumn')), h('th', { scope: 'col' }, t('mtProblem')))),
      h(
        'tbody',
        null,
        st.rows.map((r) =>
          h('tr', { 'data-row': r.row, 'data-column': r.column || '', 'data-code': r.code },
            h('th', { scope: 'row', class: 'mt-num' }, r.row ? String(r.row) : t('mtWholeFile')),
            h('td', null, r.column || '–'),
            h('td', { lang: 'en' }, r.message)),
        ),
      ),
    ),
  );
}

function uploadPanel() {
  const plat = bound('select', st, 'platform', {}, options(PLATFORMS.map((p) => [p, t(`mtPlat_${p}`)]), st.platform));
  const file = h('input', { type: 'file', accept: '.csv,text/csv', class: 'input', onchange: (ev) => { st.file = ev.target.files[0] || null; } });
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'mt-upload-title' },
    h('h3', { id: 'mt-upload-title', tabindex: '-1' }, t('mtUploadTitle')),
    h(
      'form',
      { class: 'form', id: 'mt-upload-form', novalidate: true, onsubmit: (ev) => { ev.preventDefault(); upload(); } },
      field({ id: 'mt-platform', label: t('mtPlatform'), input: plat, name: 'platform' }),
      field({ id: 'mt-file', label: t('mtFile'), hint: t('mtFileHint'), input: file }),
      button(t('mtUpload'), { type: 'submit', cls: 'btn btn-primary btn-block', id: 'mt-upload', busy: st.busy === 'upload' }),
    ),
    errorTable(),
  );
}

function typePanel() {
  const f = st.form;
  const input = (key, type, label, attrs = {}, hint) =>
    field({ id: `mt-f-${key}`, label, hint, error: st.errors[key], name: key, input: bound('input', f, key, { type, inputmode: type === 'number' ? 'decimal' : undefined, ...attrs }) });
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'mt-type-title' },
    h('h3', { id: 'mt-type-title', tabindex: '-1' }, t('mtTypeTitle')),
    h(
      'form',
      { class: 'form', id: 'mt-type-form', novalidate: true, onsubmit: (ev) => { ev.preventDefault(); saveSession(); } },
      input('starts_at', 'datetime-local', t('mtStartsAt')),
      input('duration_min', 'number', t('mtDuration'), { min: '1' }),
      input('viewers', 'number', t('mtViewers'), { min: '0' }),
      input('peak', 'number', t('mtPeak'), { min: '0' }),
      input('new_followers', 'number', t('mtFollowers'), { min: '0' }),
      input('orders', 'number', t('mtOrders'), { min: '0' }),
      input('gmv', 'number', t('mtGmv'), { min: '0', step: '0.01' }),
      input('conversion', 'number', t('mtConversion'), { min: '0', max: '100', step: '0.01' }, t('mtConversionHint')),
      button(t('mtSave'), { type: 'submit', cls: 'btn btn-primary btn-block', id: 'mt-save-session', busy: st.busy === 'session' }),
    ),
  );
}

function slotsPanel() {
  if (!st.me.mentor) return null;
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'mt-one-title' },
    h('h3', { id: 'mt-one-title', tabindex: '-1' }, t('mtOneTitle')),
    h('p', { class: 'muted' }, t('mtOneLead')),
    st.slots.length
      ? h(
          'ul',
          { class: 'people-list', id: 'mt-slots' },
          st.slots.map((s) =>
            h(
              'li',
              { class: 'person', id: `mt-slot-${s.id}` },
              h('h4', { class: 'person-name' }, `${shortWhen(s.starts_at)} – ${s.ends_at.slice(11, 16)}`),
              h('p', { class: 'person-meta' }, s.site.name_zh || ''),
              s.mine
                ? h('p', { class: 'person-meta' }, t('mtMineSlot'))
                : s.free
                  ? button(t('mtBook'), { cls: 'btn btn-primary btn-block', id: `mt-book-${s.id}`, busy: st.busy === `book-${s.id}`, onclick: () => book(s) })
                  : h('p', { class: 'person-meta' }, t('mtTaken')),
            ),
          ),
        )
      : h('p', { class: 'muted' }, t('mtOneNone')),
  );
}

export const hostView = {
  title: () => t('mtTitle'),
  async render(root, params, { first }) {
    if (first) {
      await session.refresh().catch(() => null);
      if (!session.me()) {
        needSignIn('/mentoring');
        return;
      }
      st.note = '';
      st.rows = null;
      st.errors = {};
      await load();
    }
    if (!session.me()) {
      needSignIn('/mentoring');
      return;
    }
    const me = st.me;
    const links = me && me.is_mentor
      ? h('nav', { class: 'me-mine', 'aria-label': t('mtMentorLinks') },
        h('a', { class: 'btn btn-secondary btn-block', href: '#/mentoring/hosts', id: 'mt-to-hosts' }, t('mtToHosts')),
        h('a', { class: 'btn btn-secondary btn-block', href: '#/mentoring/one-to-ones', id: 'mt-to-offers' }, t('mtToOffers')))
      : null;
    root.replaceChildren(
      h(
        'div',
        { class: 'page' },
        pageTitle(t('mtTitle')),
        h('p', { class: 'page-lead' }, t('mtLead')),
        links,
        formAlert(st.alert),
        formAlert(st.note, 'ok'),
        me && !me.is_host ? h('p', { class: 'panel', id: 'mt-not-host' }, t('mtNotHost')) : null,
        me && me.is_host ? [profilePanel(), uploadPanel(), typePanel(), st.dash ? dashboard(st.dash, { mine: true }) : null, slotsPanel()] : null,
      ),
    );
  },
  leave() {
    st.file = null;
    return dropDashboard();
  },
};
