// form.js - a place's create / edit form for admins: names, type, region
// (picked from the tree), address and position (typed, the phone's fix or
// a pin on the map, in any datum), who runs it and what it is, opening
// hours (the editor or the OSM text), services, amenities with counts,
// photos, whether it is open to everyone, and status. Every field the site
// API has. An edit sends only what changed.
import { h } from '../dom.js';
import { t, pick } from '../i18n.js';
import { icon } from '../icons.js';
import { getJson, ApiError } from '../api.js';
import * as session from '../session.js';
import { field, errorLine, bound, checkbox, options, formAlert, button, errorMessage, placeError, focusProblem } from '../forms.js';
import { redraw, pageTitle } from '../page.js';
import { cat, loadCatalogues } from '../catalogue.js';
import { regionTree, regionPath, mayAdminRegion } from '../regiontree.js';
import { hoursState, hoursEditor, hoursProblems } from './hoursedit.js';
import { pinBox, startPin, syncPin, dropPin } from './pin.js';
import { checkFirst, allowed } from '../console.js';
import { statusWord, backToList } from './list.js';

const $id = (id) => document.getElementById(id);
const pageRoot = () => $id('view-page');

const STATUSES = ['operational', 'partly_operational', 'temporarily_closed', 'closed', 'planned', 'removed'];
const DATUMS = ['wgs84', 'gcj02', 'bd09'];

const form = { id: null, v: null, orig: null, errors: {}, alert: '', busy: false, loadError: '', locating: false, locateNote: '', hours: null, rp: { q: '', open: new Set(), shown: false } };

function emptySite() {
  return {
    name_zh: '',
    name_en: '',
    type: '',
    region: '',
    address_zh: '',
    address_en: '',
    lat: '',
    lon: '',
    datum: 'wgs84',
    phone: '',
    manager: '',
    description: '',
    public: false,
    photos: '', // one URL a line
    opening_hours: 'Mo-Fr 08:00-18:00',
    capacity: '',
    status: 'operational',
    status_reason: '',
    status_until: '',
    amen: {}, // code -> {on, count}
  };
}

const pad = (n) => String(n).padStart(2, '0');

/** ISO time -> "YYYY-MM-DDTHH:MM" in China Standard Time, for datetime-local. */
function cstLocal(iso) {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return '';
  const d = new Date(ms + 8 * 3600 * 1000);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

function fromSite(s) {
  const v = emptySite();
  for (const k of ['name_zh', 'name_en', 'type', 'address_zh', 'address_en', 'phone', 'manager', 'description', 'opening_hours', 'status']) v[k] = s[k] ?? '';
  v.public = Boolean(s.public);
  v.photos = (s.photos || []).join('\n');
  v.region = s.region || '';
  v.lat = s.position ? String(s.position.lat) : '';
  v.lon = s.position ? String(s.position.lon) : '';
  v.datum = (s.position && s.position.datum) || 'wgs84';
  v.capacity = s.capacity === null || s.capacity === undefined ? '' : String(s.capacity);
  v.status_reason = s.status_reason || '';
  v.status_until = s.status_until ? cstLocal(s.status_until) : '';
  for (const a of s.amenities || []) v.amen[a.code] = { on: true, count: String(a.count ?? 1) };
  return v;
}

function amenityBody(v) {
  const out = {};
  for (const a of cat.amenities || []) {
    const e = v.amen[a.code];
    if (!e || !e.on) continue;
    if (a.kind === 'counted') {
      const n = Number(e.count);
      out[a.code] = Number.isInteger(n) && n >= 0 ? n : e.count === '' ? 1 : NaN;
    } else {
      out[a.code] = true;
    }
  }
  // Codes the catalogue does not list (any more) are kept as they were.
  for (const [code, e] of Object.entries(v.amen)) {
    if (e.on && !(code in out) && !(cat.amenities || []).some((a) => a.code === code)) out[code] = Number(e.count) || 1;
  }
  return out;
}

const photoList = (text) =>
  String(text || '')
    .split(/\s*\n\s*/)
    .map((x) => x.trim())
    .filter(Boolean);

/** The request body: everything for a new site, what changed for an edit. */
function siteBody(v, orig) {
  const body = {
    name_zh: v.name_zh.trim(),
    name_en: v.name_en.trim(),
    type: v.type,
    region: v.region || null,
    address_zh: v.address_zh.trim(),
    address_en: v.address_en.trim(),
    phone: v.phone.trim(),
    manager: v.manager.trim(),
    description: v.description.trim(),
    public: Boolean(v.public),
    photos: photoList(v.photos),
    opening_hours: v.opening_hours.trim(),
    capacity: v.capacity === '' ? null : Number(v.capacity),
    status: v.status,
    status_reason: v.status === 'temporarily_closed' ? v.status_reason.trim() || null : null,
    status_until: v.status === 'temporarily_closed' && v.status_until ? `${v.status_until}:00+08:00` : null,
    position: { lat: Number(v.lat), lon: Number(v.lon), datum: v.datum },
    amenities: amenityBody(v),
  };
  if (!orig) {
    for (const k of ['name_en', 'address_zh', 'address_en', 'phone', 'manager', 'description']) if (!body[k]) delete body[k];
    if (!body.photos.length) delete body.photos;
    for (const k of ['region', 'capacity', 'status_reason', 'status_until']) if (body[k] === null) delete body[k];
    return body;
  }
  const was = siteBody(orig, null);
  const out = {};
  for (const k of Object.keys(body)) {
    const a = JSON.stringify(body[k]);
    const b = JSON.stringify(k in was ? was[k] : k === 'region' || k === 'capacity' || k.startsWith('status_') ? null : k === 'photos' ? [] : '');
    if (a !== b) out[k] = body[k];
  }
  return out;
}

function checkSite(v) {
  const e = {};
  if (!v.name_zh.trim()) e.name_zh = t('err_site_name');
  if (!v.type) e.type = t('err_site_type');
  if (!v.region && !session.isSystemAdmin()) e.region = t('err_region_needed');
  const lat = Number(v.lat);
  const lon = Number(v.lon);
  if (v.lat === '' || !Number.isFinite(lat) || lat < -90 || lat > 90) e.lat = t('err_lat');
  if (v.lon === '' || !Number.isFinite(lon) || lon < -180 || lon > 180) e.lon = t('err_lon');
  if (!v.opening_hours.trim()) e.opening_hours = t('err_hours_missing');
  const days = hoursProblems(form.hours);
  form.hours.dayErr = days;
  if (Object.keys(days).length) e.hours = true;
  const photos = photoList(v.photos);
  if (photos.length > 10) e.photos = t('err_photos_many');
  else if (photos.some((u) => !/^https?:\/\/\S+$/.test(u) || u.length > 1000)) e.photos = t('err_photos_url');
  if (v.manager.trim().length > 100) e.manager = t('err_manager_long');
  if (v.capacity !== '' && !(Number.isInteger(Number(v.capacity)) && Number(v.capacity) >= 0)) e.capacity = t('err_capacity');
  if (v.status === 'temporarily_closed' && !v.status_reason.trim()) e.status_reason = t('err_reason_missing');
  for (const a of cat.amenities || []) {
    const x = v.amen[a.code];
    if (x && x.on && a.kind === 'counted' && x.count !== '' && !(Number.isInteger(Number(x.count)) && Number(x.count) >= 0 && Number(x.count) <= 10000))
      e.amenities = t('err_amen_count', { name: pick(a, 'name').text });
  }
  return e;
}

const SITE_FIELDS = {
  name_zh: 'name_zh',
  name_en: 'name_en',
  type: 'type',
  region: 'region',
  address_zh: 'address_zh',
  address_en: 'address_en',
  position: 'lat',
  'position.lat': 'lat',
  'position.lon': 'lon',
  'position.datum': 'datum',
  phone: 'phone',
  opening_hours: 'opening_hours',
  manager: 'manager',
  description: 'description',
  public: 'public',
  photos: 'photos',
  capacity: 'capacity',
  status: 'status',
  status_reason: 'status_reason',
  status_until: 'status_until',
  amenities: 'amenities',
};

async function saveSite(ev) {
  ev.preventDefault();
  const f = form;
  f.alert = '';
  f.errors = checkSite(f.v);
  if (Object.keys(f.errors).length) {
    redraw();
    focusProblem(pageRoot());
    return;
  }
  const body = siteBody(f.v, f.orig);
  if (f.id && !Object.keys(body).length) {
    f.alert = '';
    backToList(t('siteUnchanged'));
    return;
  }
  f.busy = true;
  redraw();
  try {
    const s = f.id
      ? await session.call('PATCH', `/api/sites/${f.id}`, { json: body })
      : await session.call('POST', '/api/sites', { json: body });
    f.busy = false;
    const name = pick(s, 'name').text;
    const note = t(f.id ? 'siteSaved' : 'siteCreated', { name });
    form.id = null;
    form.v = null;
    backToList(note, s.name_zh);
    return;
  } catch (e) {
    f.busy = false;
    if (e instanceof ApiError && e.field && e.field.startsWith('amenities.')) e.field = 'amenities';
    placeError(f, e, SITE_FIELDS);
  }
  redraw();
  focusProblem(pageRoot());
}

/** Where the admin stands, from the phone (WGS-84, as GPS gives it). */
function fillPosition() {
  const f = form;
  f.locateNote = '';
  delete f.errors.lat;
  if (!navigator.geolocation) {
    f.locateNote = t('locateFailed', { reason: t('geoUnsupported') });
    redraw();
    return;
  }
  f.locating = true;
  redraw();
  navigator.geolocation.getCurrentPosition(
    (pos) => {
      f.locating = false;
      f.v.lat = pos.coords.latitude.toFixed(6);
      f.v.lon = pos.coords.longitude.toFixed(6);
      f.v.datum = 'wgs84';
      f.locateNote = t('positionFilled', { acc: Math.round(pos.coords.accuracy || 0) });
      redraw();
      $id('site-locate')?.focus();
    },
    (err) => {
      f.locating = false;
      const reason = err.code === 1 ? 'geoDenied' : err.code === 3 ? 'geoTimeout' : 'geoUnavailable';
      f.locateNote = t('locateFailedForm', { reason: t(reason) });
      redraw();
      $id('site-locate')?.focus();
    },
    { enableHighAccuracy: true, timeout: 15000, maximumAge: 0 },
  );
}

function amenityEditor(v) {
  const rows = (cat.amenities || []).map((a) => {
    const e = v.amen[a.code] || { on: false, count: '1' };
    const name = pick(a, 'name');
    const id = `am-${a.code}`;
    const box = h('input', { type: 'checkbox', class: 'check-input', id, checked: e.on });
    let count = null;
    if (a.kind === 'counted') {
      count = h('input', {
        type: 'number',
        class: 'input input-count',
        id: `${id}-n`,
        min: '0',
        max: '10000',
        step: '1',
        inputmode: 'numeric',
        value: e.count || '1',
        disabled: !e.on,
        'aria-label': t('countOf', { name: name.text }),
      });
      count.addEventListener('input', () => {
        v.amen[a.code] = { ...(v.amen[a.code] || { on: true }), count: count.value };
      });
    }
    // The number only once the amenity is ticked.
    const countBox = count
      ? h('span', { class: 'amen-count', hidden: !e.on }, count, h('span', { class: 'amen-unit', 'aria-hidden': 'true' }, t('countUnit')))
      : null;
    box.addEventListener('change', () => {
      v.amen[a.code] = { count: count ? count.value : '1', ...(v.amen[a.code] || {}), on: box.checked };
      if (count) {
        count.disabled = !box.checked;
        countBox.hidden = !box.checked;
      }
    });
    return h(
      'div',
      { class: 'amen-edit' },
      h('label', { class: 'check', for: id }, box, h('span', { class: 'check-text', lang: name.lang }, name.text)),
      countBox,
    );
  });
  return h(
    'fieldset',
    { class: `fieldset${form.errors.amenities ? ' field-bad' : ''}`, 'data-field': 'amenities', id: 'site-amenities' },
    h('legend', { class: 'field-label' }, t('amenities')),
    h('p', { class: 'field-hint' }, t('amenHint')),
    form.errors.amenities
      ? h('p', { class: 'field-error', role: 'alert' }, h('span', { class: 'err-icon', svg: icon('warn', 'icon icon-sm') }), form.errors.amenities)
      : null,
    h('div', { class: 'amen-grid' }, rows),
  );
}

/** A position field that moves the map's pin when it changes. */
function pinned(el) {
  el.addEventListener('change', () => syncPin(form.v));
  return el;
}

/** After the pin moved: the numbers and the datum, changed in place. */
function pinMoved() {
  const v = form.v;
  for (const k of ['lat', 'lon', 'datum']) {
    const el = $id(`site-${k}`);
    if (el) el.value = v[k];
  }
  const note = $id('site-pin-note');
  if (note) note.textContent = t('pinMoved', { lat: v.lat, lon: v.lon, datum: t(`datum_${v.datum}`) });
}

/** The region: where it is in the tree, and the tree to pick from (opened with a button). */
function regionField(v) {
  const f = form;
  const shown = f.rp.shown;
  return h(
    'div',
    { class: `field${f.errors.region ? ' field-bad' : ''}`, 'data-field': 'region' },
    h('p', { class: 'field-label', id: 'site-region-label' }, t('siteRegion')),
    h('p', { class: 'region-now', id: 'site-region-now' }, v.region ? regionPath(v.region) : t('noRegion')),
    h(
      'button',
      {
        type: 'button',
        class: 'btn btn-secondary',
        id: 'site-region',
        'aria-expanded': shown ? 'true' : 'false',
        'aria-controls': 'site-region-tree',
        'aria-describedby': `site-region-now${f.errors.region ? ' site-region-err' : ''}`,
        'aria-invalid': f.errors.region ? 'true' : null,
        onclick: () => {
          f.rp.shown = !f.rp.shown;
          redraw();
          (f.rp.shown ? $id('rp-q') : $id('site-region'))?.focus();
        },
      },
      t(shown ? 'regionPickClose' : 'regionPick'),
    ),
    f.errors.region ? errorLine('site-region-err', f.errors.region) : null,
    shown
      ? h(
          'div',
          { id: 'site-region-tree', class: 'region-pick' },
          regionTree({
            st: f.rp,
            selected: v.region,
            idp: 'rp',
            // Region admins place sites in their own regions only (the API refuses others).
            none: session.isSystemAdmin() ? t('noRegion') : null,
            canPick: (code) => mayAdminRegion(session.me(), code),
            label: t('siteRegion'),
            onPick: (code) => {
              v.region = code;
              f.rp.shown = false;
              delete f.errors.region;
              redraw();
              $id('site-region')?.focus();
            },
          }),
        )
      : null,
  );
}

function siteFormPage(isNew) {
  const f = form;
  const v = f.v;
  const text = (key, label, attrs = {}, hint) =>
    field({ id: `site-${key}`, name: key, label, hint, error: f.errors[key], input: bound('input', v, key, { type: 'text', ...attrs }) });
  const statusSel = bound('select', v, 'status', {}, options(STATUSES.map((s) => [s, statusWord(s)]), v.status));
  statusSel.addEventListener('change', () => redraw());
  const title = isNew ? t('newSite') : t('editSite', { name: (f.orig && f.orig.name_zh) || '' });
  return h(
    'div',
    { class: 'page page-wide' },
    h('p', { class: 'crumbs' }, h('a', { href: '#/admin/sites' }, t('backToSites'))),
    pageTitle(title),
    h(
      'form',
      { class: 'form site-form', id: 'site-form', novalidate: true, onsubmit: saveSite },
      formAlert(f.alert),
      h(
        'section',
        { class: 'panel', 'aria-labelledby': 'sf-names' },
        h('h3', { id: 'sf-names' }, t('sfNames')),
        text('name_zh', t('nameZh'), { maxlength: '200', lang: 'zh-CN' }),
        text('name_en', t('nameEn'), { maxlength: '200', lang: 'en' }, t('optional')),
        field({
          id: 'site-type',
          name: 'type',
          label: t('siteType'),
          error: f.errors.type,
          input: bound('select', v, 'type', {}, h('option', { value: '' }, t('choose')), options((cat.types || []).map((ty) => [ty.code, pick(ty, 'name').text]), v.type)),
        }),
        regionField(v),
      ),
      h(
        'section',
        { class: 'panel', 'aria-labelledby': 'sf-where' },
        h('h3', { id: 'sf-where' }, t('sfWhere')),
        text('address_zh', t('addressZh'), { maxlength: '500', lang: 'zh-CN', autocomplete: 'off' }),
        text('address_en', t('addressEn'), { maxlength: '500', lang: 'en', autocomplete: 'off' }, t('optional')),
        h(
          'div',
          { class: 'two-col' },
          field({ id: 'site-lat', name: 'lat', label: t('lat'), error: f.errors.lat, input: pinned(bound('input', v, 'lat', { type: 'text', inputmode: 'decimal', autocomplete: 'off', placeholder: '34.5642' })) }),
          field({ id: 'site-lon', name: 'lon', label: t('lon'), error: f.errors.lon, input: pinned(bound('input', v, 'lon', { type: 'text', inputmode: 'decimal', autocomplete: 'off', placeholder: '119.2468' })) }),
        ),
        h(
          'div',
          { class: 'locate-fill' },
          button(t('fillMyPosition'), { cls: 'btn btn-secondary btn-block', id: 'site-locate', busy: f.locating, onclick: fillPosition }),
          f.locateNote ? h('p', { class: 'field-hint', role: 'status' }, f.locateNote) : null,
        ),
        field({
          id: 'site-datum',
          name: 'datum',
          label: t('datumLabel'),
          hint: t('datumHint'),
          error: f.errors.datum,
          input: pinned(bound('select', v, 'datum', {}, options(DATUMS.map((d) => [d, t(`datum_${d}`)]), v.datum))),
        }),
        pinBox(),
      ),
      h(
        'section',
        { class: 'panel', 'aria-labelledby': 'sf-service' },
        h('h3', { id: 'sf-service' }, t('sfService')),
        text('phone', t('phone'), { type: 'tel', maxlength: '40', autocomplete: 'off' }, t('optional')),
        text('manager', t('managerLabel'), { maxlength: '100', autocomplete: 'off' }, t('managerHint')),
        field({
          id: 'site-description',
          name: 'description',
          label: t('descriptionLabel'),
          hint: t('descriptionHint'),
          error: f.errors.description,
          input: bound('textarea', v, 'description', { class: 'input textarea', rows: '4', maxlength: '4000' }),
        }),
        h('h4', { class: 'field-label' }, t('hours')),
        hoursEditor(v, f.hours, f.errors.opening_hours),
        text('capacity', t('capacityLabel'), { inputmode: 'numeric', maxlength: '6' }, t('optional')),
        amenityEditor(v),
        field({
          id: 'site-photos',
          name: 'photos',
          label: t('photosLabel'),
          hint: t('photosHint'),
          error: f.errors.photos,
          input: bound('textarea', v, 'photos', { class: 'input textarea', rows: '3', spellcheck: 'false', autocomplete: 'off', inputmode: 'url' }),
        }),
        checkbox({ id: 'site-public', st: v, key: 'public', label: t('publicLabel'), error: f.errors.public }),
        h('p', { class: 'field-hint' }, t('publicHint')),
      ),
      h(
        'section',
        { class: 'panel', 'aria-labelledby': 'sf-status' },
        h('h3', { id: 'sf-status' }, t('sfStatus')),
        field({ id: 'site-status', name: 'status', label: t('statusLabel'), error: f.errors.status, input: statusSel }),
        v.status === 'temporarily_closed'
          ? [
              text('status_reason', t('statusReason'), { maxlength: '500' }, t('statusReasonHint')),
              field({
                id: 'site-status_until',
                name: 'status_until',
                label: t('statusUntil'),
                hint: t('statusUntilHint'),
                error: f.errors.status_until,
                input: bound('input', v, 'status_until', { type: 'datetime-local' }),
              }),
            ]
          : null,
      ),
      h(
        'div',
        { class: 'form-actions' },
        button(isNew ? t('createSite') : t('saveSite'), { type: 'submit', cls: 'btn btn-primary btn-block', busy: f.busy, id: 'site-save' }),
        h('a', { class: 'btn btn-secondary btn-block', href: '#/admin/sites' }, t('cancel')),
      ),
    ),
  );
}

export const siteFormView = {
  title: () => (form.id ? t('editSiteShort') : t('newSite')),
  async render(root, params, { first }) {
    const path = params.id ? `/admin/sites/${params.id}` : '/admin/sites/new';
    if (first && !(await checkFirst(root))) return;
    if (!allowed(root, path, { roles: session.ADMIN_ROLES, denied: 'adminsOnly' })) return;
    const isNew = !params.id;
    if (first) {
      Object.assign(form, { errors: {}, alert: '', busy: false, loadError: '', locating: false, locateNote: '' });
      root.replaceChildren(h('div', { class: 'page' }, pageTitle(isNew ? t('newSite') : t('editSiteShort')), h('p', { class: 'muted' }, t('loading'))));
      try {
        await loadCatalogues();
        if (isNew) {
          if (form.id !== null || !form.v) {
            form.id = null;
            form.orig = null;
            form.v = emptySite();
          }
        } else {
          const s = await getJson(`/api/sites/${encodeURIComponent(params.id)}`, { datum: 'wgs84' });
          if (!mayAdminRegion(session.me(), s.region)) {
            root.replaceChildren(
              h('div', { class: 'page' }, h('p', { class: 'crumbs' }, h('a', { href: '#/admin/sites' }, t('backToSites'))), pageTitle(t('editSiteShort')), formAlert(t('siteNotYours'))),
            );
            return;
          }
          form.id = s.id;
          form.orig = fromSite(s);
          form.v = fromSite(s);
        }
        form.hours = hoursState(form.v.opening_hours);
        form.rp = { q: '', open: new Set(), shown: false };
      } catch (e) {
        root.replaceChildren(
          h(
            'div',
            { class: 'page' },
            h('p', { class: 'crumbs' }, h('a', { href: '#/admin/sites' }, t('backToSites'))),
            pageTitle(isNew ? t('newSite') : t('editSiteShort')),
            formAlert(e instanceof ApiError && e.status === 404 ? t('siteGone') : errorMessage(e)),
          ),
        );
        return;
      }
    }
    dropPin();
    root.replaceChildren(siteFormPage(isNew));
    startPin(form.v, pinMoved);
  },
  leave() {
    dropPin();
  },
};
