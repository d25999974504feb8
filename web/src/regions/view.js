// view.js - the region tree and one region. Who may change what: system
// admins everything; a region admin the regions at or below their grants,
// and only into places they administer (a move's new parent, a new
// region's parent). The boundary is WGS-84 GeoJSON (a Polygon or
// MultiPolygon, or a Feature of one); it is drawn on a map in the map's
// datum.
import { h } from '../dom.js';
import { t, pick } from '../i18n.js';
import { getJson, ApiError } from '../api.js';
import * as session from '../session.js';
import { go } from '../router.js';
import { field, bound, options, formAlert, button, confirmBox, errorMessage, placeError, focusProblem } from '../forms.js';
import { redraw, pageTitle } from '../page.js';
import { checkFirst, allowed, tabs } from '../console.js';
import { cat, loadCatalogues } from '../catalogue.js';
import { regionTree, regionPath, lineage, mayAdminRegion } from '../regiontree.js';
import { loadConfig } from '../config.js';
import { convertPoint } from '../geo.js';

const $id = (id) => document.getElementById(id);
const LEVELS = ['province', 'city', 'district', 'street', 'community', 'grid'];

const tree = { q: '', open: new Set(), note: '' };
let noteAfterGo = ''; // said on the page a deletion goes to
const one = { code: null, r: null, v: null, errors: {}, alert: '', note: '', busy: '', move: { q: '', open: new Set(), shown: false, to: null }, boundary: null, bText: '', bErrors: {}, child: null, confirmB: false, confirmR: false };

/** May the signed-in person change region code (and put things under it)? */
export function mayAdmin(code) {
  return mayAdminRegion(session.me(), code);
}

async function reloadRegions() {
  cat.regions = null;
  await loadCatalogues();
}

export const regionsView = {
  title: () => t('rgTab'),
  async render(root, params, { first }) {
    if (first && !(await checkFirst(root))) return;
    if (!allowed(root, '/regions', { roles: session.ADMIN_ROLES, denied: 'rgAdminsOnly' })) return;
    if (first) {
      tree.note = noteAfterGo;
      noteAfterGo = '';
      root.replaceChildren(h('div', { class: 'page' }, pageTitle(t('rgTab')), h('p', { class: 'muted' }, t('loading'))));
      await loadCatalogues().catch(() => null);
      // A region admin's own regions open first.
      for (const g of session.me()?.roles || []) if (g.role === 'region_admin' && g.scope_kind === 'region') for (const c of lineage(g.scope_ref).slice(1)) tree.open.add(c);
    }
    root.replaceChildren(
      h(
        'div',
        { class: 'page page-wide' },
        pageTitle(t('console')),
        tabs('/regions'),
        h(
          'section',
          { class: 'panel', 'aria-labelledby': 'rg-title' },
          h('h3', { id: 'rg-title' }, t('rgTitle')),
          h('p', { class: 'muted' }, t('rgIntro', { n: (cat.regions || []).length })),
          formAlert(tree.note, 'ok'),
          regionTree({ st: tree, selected: '', idp: 'rg', label: t('rgTitle'), onPick: (code) => go(`/regions/${encodeURIComponent(code)}`) }),
        ),
      ),
    );
  },
};

function editValues(r) {
  return { name_zh: r.name_zh, name_en: r.name_en || '', level: r.level };
}

async function loadOne(code) {
  await loadCatalogues();
  const r = (cat.regions || []).find((x) => x.code === code);
  if (!r) throw new ApiError(404, 'not_found', '');
  one.r = r;
  one.v = editValues(r);
  one.child = { code: '', name_zh: '', name_en: '', level: LEVELS[Math.min(LEVELS.indexOf(r.level) + 1, LEVELS.length - 1)] };
  try {
    one.boundary = await getJson(`/api/regions/${encodeURIComponent(code)}/boundary`);
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 404)) throw e;
    one.boundary = null;
  }
}

async function act(what, fn, fields) {
  one.busy = what;
  one.alert = '';
  one.note = '';
  one.errors = {};
  one.bErrors = {};
  redraw();
  try {
    one.note = await fn();
  } catch (e) {
    if (fields) placeError(what === 'boundary' ? { errors: one.bErrors, set alert(m) { one.alert = m; } } : one, e, fields);
    else one.alert = errorMessage(e);
  }
  one.busy = '';
  redraw();
  if (Object.keys(one.errors).length || Object.keys(one.bErrors).length) focusProblem($id('view-page'));
  else $id('rg-msg')?.focus();
}

function saveNames(ev) {
  ev.preventDefault();
  if (!one.v.name_zh.trim()) {
    one.errors = { name_zh: t('rgErrName') };
    redraw();
    focusProblem($id('view-page'));
    return;
  }
  const body = {};
  for (const k of ['name_zh', 'name_en', 'level']) if (one.v[k].trim() !== (one.r[k] || '')) body[k] = one.v[k].trim();
  if (!Object.keys(body).length) {
    one.note = t('rgUnchanged');
    redraw();
    return;
  }
  act(
    'names',
    async () => {
      await session.call('PATCH', `/api/regions/${encodeURIComponent(one.code)}`, { json: body });
      await reloadRegions();
      await loadOne(one.code);
      return t('rgSaved');
    },
    { name_zh: 'name_zh', name_en: 'name_en', level: 'level' },
  );
}

function moveTo(code) {
  one.move.shown = false;
  act(
    'move',
    async () => {
      await session.call('PATCH', `/api/regions/${encodeURIComponent(one.code)}`, { json: { parent: code } });
      await reloadRegions();
      await loadOne(one.code);
      return t('rgMoved', { path: regionPath(one.code) });
    },
    null,
  );
}

/** The geometry to send from what was pasted or read: a Feature, a geometry, or a collection of one. */
export function boundaryBody(text) {
  const g = JSON.parse(text);
  if (g && g.type === 'FeatureCollection') {
    if (!Array.isArray(g.features) || g.features.length !== 1) throw new Error('collection');
    return g.features[0];
  }
  return g;
}

function putBoundary(ev) {
  ev.preventDefault();
  let body;
  try {
    body = boundaryBody(one.bText);
  } catch (e) {
    one.bErrors = { geojson: t(e.message === 'collection' ? 'rgErrCollection' : 'rgErrJson') };
    redraw();
    focusProblem($id('view-page'));
    return;
  }
  act(
    'boundary',
    async () => {
      one.boundary = await session.call('PUT', `/api/regions/${encodeURIComponent(one.code)}/boundary`, { json: body });
      one.bText = '';
      return t('rgBoundarySaved');
    },
    { type: 'geojson', 'geometry.type': 'geojson', coordinates: 'geojson', 'geometry.coordinates': 'geojson' },
  );
}

function removeBoundary() {
  one.confirmB = false;
  act('bdel', async () => {
    await session.call('DELETE', `/api/regions/${encodeURIComponent(one.code)}/boundary`);
    one.boundary = null;
    return t('rgBoundaryRemoved');
  });
}

function addChild(ev) {
  ev.preventDefault();
  const c = one.child;
  one.errors = {};
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(c.code.trim())) one.errors.child_code = t('clErrCode');
  if (!c.name_zh.trim()) one.errors.child_name_zh = t('rgErrName');
  if (Object.keys(one.errors).length) {
    redraw();
    focusProblem($id('view-page'));
    return;
  }
  act(
    'child',
    async () => {
      const made = await session.call('POST', '/api/regions', { json: { code: c.code.trim(), parent: one.code, level: c.level, name_zh: c.name_zh.trim(), name_en: c.name_en.trim() } });
      await reloadRegions();
      await loadOne(one.code);
      return t('rgChildAdded', { name: made.name_zh });
    },
    { code: 'child_code', name_zh: 'child_name_zh', name_en: 'child_name_en', level: 'child_level' },
  );
}

async function removeRegion() {
  const name = pick(one.r, 'name').text;
  const parent = one.r.parent;
  one.busy = 'rdel';
  one.alert = '';
  redraw();
  try {
    await session.call('DELETE', `/api/regions/${encodeURIComponent(one.code)}`);
    await reloadRegions();
    noteAfterGo = t('rgDeleted', { name });
    one.busy = '';
    go(parent ? `/regions/${encodeURIComponent(parent)}` : '/regions');
    return;
  } catch (e) {
    one.alert = errorMessage(e);
  }
  one.busy = '';
  one.confirmR = false;
  redraw();
  $id('rg-msg')?.focus();
}

/** Delete: offered for a region with nothing below it (the API refuses one with sites as region_in_use). */
function deletePanel() {
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'rg-del-h' },
    h('h3', { id: 'rg-del-h' }, t('rgDelete')),
    h('p', { class: 'muted' }, t('rgDeleteHint')),
    one.confirmR
      ? confirmBox({
          id: 'rg-del',
          question: t('rgDeleteQ', { name: pick(one.r, 'name').text }),
          busy: one.busy === 'rdel',
          onYes: removeRegion,
          onCancel: () => {
            one.confirmR = false;
            redraw();
            $id('rg-del')?.focus();
          },
        })
      : button(t('rgDelete'), {
          cls: 'btn btn-danger-outline',
          id: 'rg-del',
          onclick: () => {
            one.confirmR = true;
            redraw();
            $id('rg-del-q')?.focus();
          },
        }),
  );
}

function countPoints(g) {
  const c = g && g.coordinates;
  if (!c) return 0;
  const flat = g.type === 'MultiPolygon' ? c.flat(1) : c;
  return flat.reduce((n, ring) => n + ring.length, 0);
}

let bmap = null;
async function drawBoundaryMap() {
  if (bmap) {
    bmap.remove();
    bmap = null;
  }
  const el = $id('rg-bmap');
  if (!el || !one.boundary) return;
  const L = (await import('leaflet')).default;
  let cfg = {};
  try {
    cfg = await loadConfig();
  } catch {
    /* a blank map still shows the shape */
  }
  if (!el.isConnected) return;
  const datum = cfg.tiles && cfg.tiles.datum === 'gcj02' ? 'gcj02' : 'wgs84';
  bmap = L.map(el, { zoomControl: true, attributionControl: true, keyboard: false });
  bmap.attributionControl.setPrefix(false);
  if (cfg.tiles && cfg.tiles.url) L.tileLayer(cfg.tiles.url, { attribution: cfg.tiles.attribution || '', maxZoom: 19 }).addTo(bmap);
  for (const a of el.querySelectorAll('.leaflet-control-zoom a')) a.setAttribute('tabindex', '-1');
  const layer = L.geoJSON(one.boundary, {
    coordsToLatLng: (c) => {
      const p = convertPoint(c[1], c[0], 'wgs84', datum);
      return L.latLng(p.lat, p.lon);
    },
    style: { color: '#9a3412', weight: 3, fillOpacity: 0.1 },
  }).addTo(bmap);
  bmap.fitBounds(layer.getBounds(), { padding: [12, 12] });
}

function boundaryPanel(may) {
  const b = one.boundary;
  const file = h('input', { type: 'file', class: 'input', id: 'rg-bfile', accept: '.geojson,.json,application/geo+json,application/json' });
  file.addEventListener('change', async () => {
    const f = file.files && file.files[0];
    if (!f) return;
    one.bText = await f.text();
    const ta = $id('rg-geojson');
    if (ta) ta.value = one.bText;
  });
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'rg-b-h' },
    h('h3', { id: 'rg-b-h' }, t('rgBoundary')),
    b
      ? [
          h('p', { id: 'rg-b-info' }, t('rgBoundaryInfo', { type: b.geometry.type, n: countPoints(b.geometry), at: (b.properties.updated_at || '').replace('T', ' ').slice(0, 16) })),
          h('div', { class: 'pin-map', id: 'rg-bmap', role: 'region', 'aria-label': t('rgBoundaryMap', { name: pick(one.r, 'name').text }) }),
          h('p', null, h('a', { class: 'btn btn-secondary', href: `/api/regions/${encodeURIComponent(one.code)}/boundary`, download: `${one.code}.geojson`, id: 'rg-b-download' }, t('rgBoundaryDownload'))),
        ]
      : h('p', { class: 'muted', id: 'rg-b-none' }, t('rgBoundaryNone')),
    may
      ? h(
          'form',
          { class: 'form', id: 'rg-b-form', novalidate: true, onsubmit: putBoundary },
          h('div', { class: 'field' }, h('label', { class: 'field-label', for: 'rg-bfile' }, t('rgBoundaryFile')), file),
          field({
            id: 'rg-geojson',
            name: 'geojson',
            label: t('rgBoundaryPaste'),
            hint: t('rgBoundaryHint'),
            error: one.bErrors.geojson,
            input: bound('textarea', one, 'bText', { class: 'input textarea input-mono', rows: '5', spellcheck: 'false', lang: 'en' }),
          }),
          h(
            'div',
            { class: 'btn-row' },
            button(t(b ? 'rgBoundaryReplace' : 'rgBoundaryImport'), { type: 'submit', cls: 'btn btn-primary', id: 'rg-b-save', busy: one.busy === 'boundary' }),
            b && !one.confirmB
              ? button(t('rgBoundaryDelete'), {
                  cls: 'btn btn-danger-outline',
                  id: 'rg-b-del',
                  onclick: () => {
                    one.confirmB = true;
                    redraw();
                    $id('rg-b-del-q')?.focus();
                  },
                })
              : null,
          ),
          one.confirmB
            ? confirmBox({
                id: 'rg-b-del',
                question: t('rgBoundaryDeleteQ'),
                busy: one.busy === 'bdel',
                onYes: removeBoundary,
                onCancel: () => {
                  one.confirmB = false;
                  redraw();
                  $id('rg-b-del')?.focus();
                },
              })
            : null,
        )
      : null,
  );
}

export const regionView = {
  title: () => (one.r ? pick(one.r, 'name').text : t('rgTab')),
  async render(root, params, { first }) {
    const path = `/regions/${params.code}`;
    if (first && !(await checkFirst(root))) return;
    if (!allowed(root, path, { roles: session.ADMIN_ROLES, denied: 'rgAdminsOnly' })) return;
    if (first) {
      Object.assign(one, { code: params.code, r: null, alert: '', note: '', errors: {}, bErrors: {}, busy: '', bText: '', confirmB: false, confirmR: false, move: { q: '', open: new Set(), shown: false } });
      root.replaceChildren(h('div', { class: 'page' }, pageTitle(t('rgTab')), h('p', { class: 'muted' }, t('loading'))));
      one.note = noteAfterGo;
      noteAfterGo = '';
      try {
        await loadOne(params.code);
      } catch (e) {
        root.replaceChildren(h('div', { class: 'page' }, h('p', { class: 'crumbs' }, h('a', { href: '#/regions' }, t('rgBack'))), pageTitle(t('rgTab')), formAlert(e instanceof ApiError && e.status === 404 ? t('rgGone') : errorMessage(e))));
        return;
      }
    }
    const r = one.r;
    const may = mayAdmin(r.code);
    const name = pick(r, 'name');
    const kids = (cat.regions || []).filter((x) => x.parent === r.code);
    const level = bound('select', one.v, 'level', {}, options(LEVELS.map((l) => [l, t(`lvl_${l}`)]), one.v.level));
    root.replaceChildren(
      h(
        'div',
        { class: 'page page-wide' },
        h('p', { class: 'crumbs' }, h('a', { href: '#/regions' }, t('rgBack'))),
        pageTitle(name.text),
        h('p', { class: 'muted', id: 'rg-path' }, `${regionPath(r.code)} · ${r.code} · ${t(`lvl_${r.level}`)}`),
        h('div', { id: 'rg-msg', tabindex: '-1' }, formAlert(one.alert), formAlert(one.note, 'ok')),
        may ? null : h('p', { class: 'muted', id: 'rg-readonly' }, t('rgReadOnly')),
        kids.length
          ? h(
              'section',
              { class: 'panel', 'aria-labelledby': 'rg-kids-h' },
              h('h3', { id: 'rg-kids-h' }, t('rgChildren', { n: kids.length })),
              h('ul', { class: 'console-list' }, kids.map((k) => h('li', null, h('a', { href: `#/regions/${encodeURIComponent(k.code)}`, class: 'btn btn-secondary' }, pick(k, 'name').text)))),
            )
          : null,
        may
          ? h(
              'section',
              { class: 'panel', 'aria-labelledby': 'rg-names-h' },
              h('h3', { id: 'rg-names-h' }, t('rgNames')),
              h(
                'form',
                { class: 'form', id: 'rg-names', novalidate: true, onsubmit: saveNames },
                field({ id: 'rg-name_zh', name: 'name_zh', label: t('nameZh'), error: one.errors.name_zh, input: bound('input', one.v, 'name_zh', { type: 'text', maxlength: '200', lang: 'zh-CN' }) }),
                field({ id: 'rg-name_en', name: 'name_en', label: t('nameEn'), hint: t('optional'), error: one.errors.name_en, input: bound('input', one.v, 'name_en', { type: 'text', maxlength: '200', lang: 'en' }) }),
                field({ id: 'rg-level', name: 'level', label: t('rgLevel'), error: one.errors.level, input: level }),
                button(t('rgSave'), { type: 'submit', cls: 'btn btn-primary', id: 'rg-save', busy: one.busy === 'names' }),
              ),
            )
          : null,
        may
          ? h(
              'section',
              { class: 'panel', 'aria-labelledby': 'rg-move-h' },
              h('h3', { id: 'rg-move-h' }, t('rgMove')),
              h('p', { class: 'muted' }, t('rgMoveHint', { path: r.parent ? regionPath(r.parent) : t('rgTop') })),
              button(t(one.move.shown ? 'rgMoveClose' : 'rgMoveOpen'), {
                cls: 'btn btn-secondary',
                id: 'rg-move',
                onclick: () => {
                  one.move.shown = !one.move.shown;
                  redraw();
                  (one.move.shown ? $id('rgm-q') : $id('rg-move'))?.focus();
                },
              }),
              one.move.shown
                ? h(
                    'div',
                    { class: 'rtree-panel' },
                    regionTree({
                      st: one.move,
                      selected: r.parent || '',
                      idp: 'rgm',
                      label: t('rgMove'),
                      canPick: (code) => mayAdmin(code) && code !== r.code && !lineage(code).includes(r.code),
                      onPick: (code) => {
                        if (code === r.parent) {
                          one.move.shown = false;
                          redraw();
                          $id('rg-move')?.focus();
                          return;
                        }
                        moveTo(code);
                      },
                    }),
                  )
                : null,
              one.busy === 'move' ? h('p', { role: 'status' }, t('working_')) : null,
            )
          : null,
        may
          ? h(
              'section',
              { class: 'panel', 'aria-labelledby': 'rg-child-h' },
              h('h3', { id: 'rg-child-h' }, t('rgAddChild')),
              h(
                'form',
                { class: 'form', id: 'rg-child', novalidate: true, onsubmit: addChild },
                field({ id: 'rg-child_code', name: 'code', label: t('clCode'), hint: t('rgCodeHint'), error: one.errors.child_code, input: bound('input', one.child, 'code', { type: 'text', maxlength: '64', spellcheck: 'false', lang: 'en', autocomplete: 'off' }) }),
                field({ id: 'rg-child_name_zh', name: 'name_zh', label: t('nameZh'), error: one.errors.child_name_zh, input: bound('input', one.child, 'name_zh', { type: 'text', maxlength: '200', lang: 'zh-CN' }) }),
                field({ id: 'rg-child_name_en', name: 'name_en', label: t('nameEn'), hint: t('optional'), error: one.errors.child_name_en, input: bound('input', one.child, 'name_en', { type: 'text', maxlength: '200', lang: 'en' }) }),
                field({ id: 'rg-child_level', name: 'level', label: t('rgLevel'), error: one.errors.child_level, input: bound('select', one.child, 'level', {}, options(LEVELS.slice(LEVELS.indexOf(r.level) + 1).map((l) => [l, t(`lvl_${l}`)]), one.child.level)) }),
                button(t('rgAddChildBtn'), { type: 'submit', cls: 'btn btn-primary', id: 'rg-child-save', busy: one.busy === 'child' }),
              ),
            )
          : null,
        boundaryPanel(may),
        may && !kids.length ? deletePanel() : null,
      ),
    );
    drawBoundaryMap();
  },
  leave() {
    if (bmap) bmap.remove();
    bmap = null;
  },
};
