// new.js - "report a problem" (#/reports/new), phone first, for a courier
// with gloves on: big targets, few words. Pick a category (its own
// questions come from the API and are asked here), the place (the phone's
// position, a pin to drag or a tap on the map; shown and sent in the map's
// datum, as the Warm New Map does), a description, up to three photos
// (previewed here; the server resizes them and strips their metadata).
// Before sending, the open reports of the same category nearby are shown
// with "me too", which counts for that report instead of a duplicate.
import { h, langText, textLang } from '../dom.js';
import { t, pick, lang } from '../i18n.js';
import { icon } from '../icons.js';
import * as session from '../session.js';
import * as api from '../api.js';
import { ApiError, idempotencyKey } from '../api.js';
import { field, bound, formAlert, button, errorMessage, errorLine, focusProblem } from '../forms.js';
import { redraw, pageTitle, needSignIn } from '../page.js';
import { go } from '../router.js';
import { loadConfig } from '../config.js';
import { wgs84ToGcj02, phonePosition } from '../geo.js';
import { MAX_PHOTOS, mapDatum, reportCard, preparePhoto, photoErrorWord, photoIndex } from './common.js';

const NEARBY_RADIUS_M = 200;

const st = {
  categories: null,
  category: '',
  answers: {}, // question code -> value (a string, or a Set for several)
  description: '',
  address: '',
  photos: [], // {dataUrl, preview, bytes, name, error}
  point: null, // {lat, lon} in datum
  pointKind: 'none', // none | gps | map | saved
  accuracy: null,
  datum: 'wgs84',
  tiles: null,
  nearby: null, // null: not asked; [] none
  nearbyFor: '',
  meToo: new Set(), // report ids I said "me too" to here
  errors: {},
  alert: '',
  note: '',
  busy: null,
  key: '',
  locating: false,
};

let pinMap = null;
let pinEl = null;

function reset() {
  Object.assign(st, {
    category: '',
    answers: {},
    description: '',
    address: '',
    photos: [],
    nearby: null,
    nearbyFor: '',
    meToo: new Set(),
    errors: {},
    alert: '',
    note: '',
    busy: null,
    key: idempotencyKey(),
  });
}

function category() {
  return (st.categories || []).find((c) => c.code === st.category) || null;
}

// ---- the place ----------------------------------------------------------------

function savedCentre() {
  try {
    const c = JSON.parse(localStorage.getItem('wh.centre') || 'null');
    if (c && Number.isFinite(c.lat) && Number.isFinite(c.lon) && (c.datum || 'wgs84') === st.datum) return { lat: c.lat, lon: c.lon };
  } catch {
    /* nothing saved */
  }
  return null;
}

function setPoint(p, kind, { pan = true } = {}) {
  st.point = p;
  st.pointKind = kind;
  delete st.errors.position;
  pinMap?.setPoint(p, { pan });
  loadNearby();
  redraw();
}

async function locate() {
  st.locating = true;
  st.alert = '';
  redraw();
  try {
    const pos = await phonePosition();
    const p = st.datum === 'gcj02' ? wgs84ToGcj02(pos.lat, pos.lon) : pos;
    st.accuracy = pos.accuracy;
    st.locating = false;
    setPoint({ lat: p.lat, lon: p.lon }, 'gps');
  } catch {
    st.locating = false;
    st.alert = t(navigator.geolocation ? 'rpGpsFailed' : 'rpNoGps');
    redraw();
  }
}

async function mountPin() {
  if (!pinEl || !pinEl.isConnected) return;
  if (pinMap && pinMap.el === pinEl) return pinMap.resize();
  pinMap?.remove();
  pinMap = null;
  const start = st.point || savedCentre() || { lat: 35, lon: 105 };
  try {
    const { createPinMap } = await import('./pin.js');
    const el = pinEl;
    pinMap = createPinMap(el, { tiles: st.tiles, point: start, onMove: (p) => setPoint(p, 'map', { pan: false }) });
    pinMap.el = el;
  } catch {
    pinMap = null; // the position button still works
  }
}

// ---- nearby open reports, and "me too" --------------------------------------------

async function loadNearby() {
  if (!st.category || !st.point) return;
  const key = `${st.category}@${st.point.lat.toFixed(5)},${st.point.lon.toFixed(5)}`;
  if (key === st.nearbyFor) return;
  st.nearbyFor = key;
  try {
    const r = await api.getJson('/api/reports/nearby', {
      lat: st.point.lat.toFixed(6),
      lon: st.point.lon.toFixed(6),
      datum: st.datum,
      category: st.category,
      radius_m: NEARBY_RADIUS_M,
    });
    if (key !== st.nearbyFor) return;
    st.nearby = r.items || [];
  } catch {
    if (key !== st.nearbyFor) return;
    st.nearby = [];
  }
  redraw();
}

async function meToo(r) {
  st.busy = `metoo-${r.id}`;
  st.alert = '';
  redraw();
  try {
    const a = await session.call('POST', `/api/reports/${r.id}/me-too`);
    st.meToo.add(r.id);
    r.me_too = a.me_too;
    r.me_too_by_me = true;
    st.note = t('rpMeTooDone', { id: r.id });
  } catch (e) {
    if (e instanceof ApiError && e.code === 'already_me_too') {
      st.meToo.add(r.id);
      r.me_too_by_me = true;
      st.note = t('rpMeTooDone', { id: r.id });
    } else st.alert = errorMessage(e);
  }
  st.busy = null;
  redraw();
  document.getElementById(`metoo-${r.id}`)?.focus();
}

// ---- photos --------------------------------------------------------------------------

async function addPhotos(input) {
  const files = [...(input.files || [])];
  input.value = '';
  delete st.errors.photos;
  for (const f of files) {
    if (st.photos.length >= MAX_PHOTOS) {
      st.errors.photos = t('rpPhotoMax', { n: MAX_PHOTOS });
      break;
    }
    const p = await preparePhoto(f);
    if (p.local) p.error = t(p.local);
    st.photos.push(p);
  }
  redraw();
}

function removePhoto(i) {
  st.photos.splice(i, 1);
  delete st.errors.photos;
  redraw();
  document.getElementById('rp-photo-input')?.focus();
}

// ---- sending --------------------------------------------------------------------------

function answersJson(cat) {
  const out = {};
  for (const q of cat.attributes || []) {
    const v = st.answers[q.code];
    if (v instanceof Set) {
      if (v.size) out[q.code] = [...v];
    } else if (v !== undefined && v !== '') {
      out[q.code] = q.datatype === 'datetime' && /^\d{4}-\d\d-\d\dT\d\d:\d\d$/.test(v) ? `${v}:00+08:00` : v;
    }
  }
  return out;
}

function checkHere(cat) {
  const errors = {};
  if (!cat) errors.category = t('rpPickCategory');
  if (!st.point) errors.position = t('rpPickPlace');
  for (const q of (cat && cat.attributes) || []) {
    const v = st.answers[q.code];
    if (q.required && (v === undefined || v === '' || (v instanceof Set && !v.size))) errors[`attributes.${q.code}`] = t('rpAnswerThis');
  }
  if (st.photos.some((p) => p.error)) errors.photos = t('rpPhotoFix');
  return errors;
}

async function send(e) {
  e.preventDefault();
  const cat = category();
  st.errors = checkHere(cat);
  st.alert = '';
  st.note = '';
  if (Object.keys(st.errors).length) {
    redraw();
    focusProblem(document.getElementById('report-form'));
    return;
  }
  st.busy = 'send';
  redraw();
  try {
    const body = {
      category: cat.code,
      position: { lat: Number(st.point.lat.toFixed(7)), lon: Number(st.point.lon.toFixed(7)), datum: st.datum },
      description: st.description.trim(),
      attributes: answersJson(cat),
    };
    if (st.address.trim()) body.address = st.address.trim();
    if (st.photos.length) body.photos = st.photos.map((p) => p.dataUrl);
    const r = await session.call('POST', '/api/reports', { json: body, headers: { 'Idempotency-Key': st.key } });
    reset();
    go(`/reports/${r.id}`, { replace: true });
    return;
  } catch (err) {
    placeSendError(err);
  }
  st.busy = null;
  redraw();
  focusProblem(document.getElementById('report-form'));
}

function placeSendError(err) {
  // An answer means nothing was stored: the next try (with other content)
  // is a new request. Only a lost answer is retried with the same key.
  if (!(err instanceof ApiError) || err.status !== 0) st.key = idempotencyKey();
  if (!(err instanceof ApiError)) {
    st.alert = errorMessage(err);
    return;
  }
  if (err.status === 401) {
    needSignIn('/reports/new');
    return;
  }
  const i = photoIndex(err.field);
  if (i >= 0 && st.photos[i]) {
    st.photos[i].error = t(photoErrorWord(err));
    st.errors.photos = t('rpPhotoFix');
    return;
  }
  if (err.code === 'body_too_large') {
    st.errors.photos = t('rpBodyTooLarge');
    return;
  }
  const f = err.field || '';
  const key = f.startsWith('position') ? 'position' : f === 'photos' ? 'photos' : f;
  const msg = err.status === 422 && key === 'position' && err.code !== 'missing_field' ? t('rpOutside') : errorMessage(err);
  if (['category', 'position', 'description', 'address', 'photos'].includes(key) || key.startsWith('attributes.')) st.errors[key] = msg;
  else st.alert = msg;
}

// ---- drawing --------------------------------------------------------------------------

function categoryPicker() {
  const err = st.errors.category;
  return h(
    'fieldset',
    { class: `fieldset${err ? ' field-bad' : ''}`, id: 'rp-category', 'data-field': 'category', 'aria-describedby': err ? 'rp-category-err' : null },
    h('legend', { class: 'field-label' }, t('rpCategory')),
    h(
      'div',
      { class: 'rp-cats' },
      (st.categories || []).map((c) => {
        const input = h('input', { type: 'radio', name: 'rp-cat', class: 'check-input', id: `rp-cat-${c.code}`, value: c.code, checked: st.category === c.code, 'aria-invalid': err ? 'true' : null });
        input.addEventListener('change', () => {
          st.category = c.code;
          st.answers = {};
          delete st.errors.category;
          st.nearby = null;
          st.nearbyFor = '';
          loadNearby();
          redraw();
        });
        return h(
          'label',
          { class: 'check check-box rp-cat', for: `rp-cat-${c.code}` },
          input,
          h('span', { class: 'check-text' }, langText(pick(c, 'name')), h('span', { class: 'rp-cat-desc' }, langText(pick(c, 'description')))),
        );
      }),
    ),
    err ? errorLine('rp-category-err', err) : null,
  );
}

function qText(q) {
  return lang() === 'en' && q.description_en ? { text: q.description_en, lang: 'en' } : { text: q.description || q.code, lang: textLang(q.description) };
}

function valueName(v) {
  return lang() === 'en' && v.name_en ? v.name_en : v.name || v.key;
}

function question(q) {
  const id = `rp-q-${q.code}`;
  const err = st.errors[`attributes.${q.code}`];
  const label = [langText(qText(q)), q.required ? '' : ` ${t('rpOptional')}`];
  if (q.datatype === 'singlevaluelist' || q.datatype === 'multivaluelist') {
    const many = q.datatype === 'multivaluelist';
    if (many && !(st.answers[q.code] instanceof Set)) st.answers[q.code] = new Set();
    return h(
      'fieldset',
      { class: `fieldset${err ? ' field-bad' : ''}`, id, 'data-field': `attributes.${q.code}`, 'aria-describedby': err ? `${id}-err` : null },
      h('legend', { class: 'field-label' }, label),
      h(
        'div',
        { class: 'rp-choices' },
        (q.values || []).map((v) => {
          const vid = `${id}-${v.key}`;
          const input = h('input', {
            type: many ? 'checkbox' : 'radio',
            name: id,
            class: 'check-input',
            id: vid,
            value: v.key,
            checked: many ? st.answers[q.code].has(v.key) : st.answers[q.code] === v.key,
            'aria-invalid': err ? 'true' : null,
          });
          input.addEventListener('change', () => {
            if (many) {
              if (input.checked) st.answers[q.code].add(v.key);
              else st.answers[q.code].delete(v.key);
            } else st.answers[q.code] = v.key;
            delete st.errors[`attributes.${q.code}`];
          });
          return h('label', { class: 'check check-box', for: vid }, input, h('span', { class: 'check-text' }, valueName(v)));
        }),
      ),
      err ? errorLine(`${id}-err`, err) : null,
    );
  }
  const attrs = { name: q.code };
  let tag = 'input';
  if (q.datatype === 'text') tag = 'textarea';
  else if (q.datatype === 'number') Object.assign(attrs, { type: 'number', inputmode: 'decimal', step: 'any' });
  else if (q.datatype === 'datetime') attrs.type = 'datetime-local';
  else attrs.maxlength = 200;
  return field({ id, label, input: bound(tag, st.answers, q.code, attrs), error: err, name: `attributes.${q.code}` });
}

function placeSection() {
  const err = st.errors.position;
  // One element per visit, kept across drawings: the map lives in it.
  if (!pinEl) pinEl = h('div', { class: 'rp-pinmap', id: 'rp-pinmap', 'aria-describedby': 'rp-place-hint' });
  pinEl.setAttribute('aria-label', t('rpPinMapLabel'));
  let where;
  if (!st.point) where = t('rpPlaceNone');
  else if (st.pointKind === 'gps') where = t('rpPlaceGps', { m: Math.round(st.accuracy || 0) });
  else where = t('rpPlaceMap');
  return h(
    'section',
    { class: `panel${err ? ' field-bad' : ''}`, 'aria-labelledby': 'rp-place-title', 'data-field': 'position' },
    h('h3', { id: 'rp-place-title' }, t('rpPlace')),
    h('p', { class: 'field-hint', id: 'rp-place-hint' }, t('rpPlaceHint')),
    button(t(st.locating ? 'rpLocating' : 'rpUseGps'), {
      cls: 'btn btn-primary btn-block',
      id: 'rp-locate',
      busy: st.locating,
      onclick: locate,
    }),
    pinEl,
    h('p', { class: 'note', id: 'rp-place-note', 'aria-live': 'polite', 'data-point': st.point ? `${st.point.lat.toFixed(6)},${st.point.lon.toFixed(6)}` : null }, where),
    err ? errorLine('rp-place-err', err) : null,
  );
}

function photosSection() {
  const err = st.errors.photos;
  const input = h('input', {
    type: 'file',
    id: 'rp-photo-input',
    class: 'rp-file',
    accept: 'image/jpeg,image/png,image/webp,image/*',
    capture: 'environment',
    multiple: true,
    disabled: st.photos.length >= MAX_PHOTOS,
    'aria-describedby': ['rp-photo-hint', err ? 'rp-photos-err' : null].filter(Boolean).join(' '),
    'aria-invalid': err ? 'true' : null,
  });
  input.addEventListener('change', () => addPhotos(input));
  return h(
    'section',
    { class: `panel${err ? ' field-bad' : ''}`, 'aria-labelledby': 'rp-photos-title', 'data-field': 'photos' },
    h('h3', { id: 'rp-photos-title' }, t('rpPhotos')),
    h('p', { class: 'field-hint', id: 'rp-photo-hint' }, t('rpPhotoHint', { n: MAX_PHOTOS })),
    // The input covers its label (a big target), invisible; the label names it.
    h('label', { class: `btn btn-secondary btn-block rp-file-btn${st.photos.length >= MAX_PHOTOS ? ' is-disabled' : ''}`, for: 'rp-photo-input' }, h('span', { svg: icon('camera', 'icon') }), t('rpAddPhoto'), input),
    st.photos.length
      ? h(
          'ul',
          { class: 'rp-previews', id: 'rp-previews' },
          st.photos.map((p, i) =>
            h(
              'li',
              { class: `rp-preview${p.error ? ' rp-preview-bad' : ''}`, 'data-i': i },
              p.preview ? h('img', { src: p.preview, alt: t('rpPhotoN', { n: i + 1 }), width: 96, height: 96 }) : h('span', { class: 'rp-preview-none' }, p.name || t('rpPhotoN', { n: i + 1 })),
              p.error ? errorLine(`rp-photo-${i}-err`, p.error) : null,
              button(t('rpRemovePhoto', { n: i + 1 }), { cls: 'btn btn-secondary', id: `rp-photo-${i}-remove`, onclick: () => removePhoto(i) }),
            ),
          ),
        )
      : null,
    err ? errorLine('rp-photos-err', err) : null,
  );
}

function nearbySection() {
  if (!st.category || !st.point || st.nearby === null) return null;
  const me = session.me();
  return h(
    'section',
    { class: 'panel rp-nearby', id: 'rp-nearby', 'aria-labelledby': 'rp-nearby-title' },
    h('h3', { id: 'rp-nearby-title' }, t('rpNearbyTitle')),
    st.nearby.length
      ? [
          h('p', { class: 'muted' }, t('rpNearbyLead', { n: st.nearby.length })),
          h(
            'ul',
            { class: 'rp-cards', id: 'rp-nearby-list' },
            st.nearby.map((r) => {
              const done = r.me_too_by_me || st.meToo.has(r.id);
              const own = r.mine || (me && r.reporter === me.id);
              const extra = own
                ? h('p', { class: 'muted' }, t('rpNearbyMine'))
                : done
                  ? h('p', { class: 'rp-done', id: `metoo-${r.id}-done` }, h('span', { svg: icon('check', 'icon icon-sm') }), t('rpMeTooAlready'))
                  : button(t('rpMeToo'), { cls: 'btn btn-primary btn-block', id: `metoo-${r.id}`, busy: st.busy === `metoo-${r.id}`, onclick: () => meToo(r) });
              return reportCard(r, { extra, distance: r.distance_m });
            }),
          ),
          h('p', { class: 'muted' }, t('rpNearbyStill')),
        ]
      : h('p', { class: 'muted', id: 'rp-nearby-none' }, t('rpNearbyNone')),
  );
}

export const newReportView = {
  title: () => t('rpNewTitle'),
  async render(root, params, { first }) {
    if (first) {
      await session.refresh().catch(() => null);
      if (!session.me()) {
        needSignIn('/reports/new');
        return;
      }
      pinMap?.remove();
      pinMap = null;
      pinEl = null;
      if (!st.key) reset();
      st.alert = '';
      st.note = '';
      // A draft kept from an earlier visit: ask again what is open nearby.
      st.nearby = null;
      st.nearbyFor = '';
      st.datum = await mapDatum();
      st.tiles = (await loadConfig().catch(() => ({}))).tiles || null;
      try {
        st.categories = (await api.getJson('/api/report-categories')).items || [];
      } catch (e) {
        st.categories = [];
        st.alert = errorMessage(e);
      }
    }
    if (!session.me()) {
      needSignIn('/reports/new');
      return;
    }
    const cat = category();
    root.replaceChildren(
      h(
        'div',
        { class: 'page rp-page' },
        pageTitle(t('rpNewTitle')),
        h('p', { class: 'page-lead' }, t('rpNewLead')),
        h('p', null, h('a', { href: '#/reports/mine', class: 'btn btn-secondary', id: 'rp-to-mine' }, t('rpMineLink'))),
        h(
          'form',
          { id: 'report-form', class: 'form', novalidate: true, onsubmit: send },
          formAlert(st.alert),
          formAlert(st.note, 'ok'),
          h('section', { class: 'panel', 'aria-labelledby': 'rp-what-title' }, h('h3', { id: 'rp-what-title' }, t('rpWhat')), categoryPicker(), cat ? (cat.attributes || []).map(question) : null),
          placeSection(),
          nearbySection(),
          h(
            'section',
            { class: 'panel', 'aria-labelledby': 'rp-desc-title' },
            h('h3', { id: 'rp-desc-title' }, t('rpDescTitle')),
            field({ id: 'rp-description', label: t('rpDescription'), input: bound('textarea', st, 'description', { rows: 3, maxlength: 2000 }), error: st.errors.description, name: 'description' }),
            field({ id: 'rp-address', label: t('rpAddress'), hint: t('rpAddressHint'), input: bound('input', st, 'address', { maxlength: 200, autocomplete: 'street-address' }), error: st.errors.address, name: 'address' }),
          ),
          photosSection(),
          button(t('rpSend'), { cls: 'btn btn-primary btn-block', type: 'submit', id: 'rp-send', busy: st.busy === 'send' }),
        ),
      ),
    );
    await mountPin();
    if (first) loadNearby();
  },
  leave() {
    pinMap?.remove();
    pinMap = null;
  },
};
