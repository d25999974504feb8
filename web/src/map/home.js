// home.js - the map page (the home, #/): state, wiring, start-up.
//
// Data flow: filters + point -> /api/sites/near (the list) and
// /api/sites/clusters or /api/sites?bbox= (the map) -> render. The SSE
// stream patches sites in place; the service worker keeps the last answers
// for when the network is gone, and says so (X-WH-Offline), which shows
// the "may be out of date" banner.
import { t, pick, formatAccuracy, formatAge } from '../i18n.js';
import * as api from '../api.js';
import { icon, markerSvg } from '../icons.js';
import { h, $ } from '../dom.js';
import { loadConfig } from '../config.js';
import { wgs84ToGcj02 } from '../geo.js';
import { createSheet } from './sheet.js';
import { renderList, updateCard } from './list.js';
import { connectLive } from './live.js';
import { availableChips, buildAlts, chipCodes, TIERS } from './filters.js';

const PAGE = 20; // list length, and the step of "show more"
const MAX_LIST = 100;
const MAP_SITE_LIMIT = 500;
const FEW_SITES = 120; // below this many in view, single markers even when zoomed out
const CENTRE_KEY = 'wh.centre';
const CENTRE_MAX_AGE_MS = 7 * 86400 * 1000;

const state = {
  config: null,
  datum: 'wgs84',
  catalogue: new Map(), // amenity code -> amenity
  types: new Map(), // type code -> site type
  typeList: [],
  chips: availableChips(null),
  selected: new Set(),
  openNow: false,
  tier: 'all',
  point: null, // {lat, lon} in state.datum
  pointKind: 'default', // default | gps | map
  accuracy: null,
  place: null, // {name_zh, name_en} of the district, for the note
  k: PAGE,
  fitNext: true, // after the next list answer, show the point and the nearest places
  sites: [],
  selectedId: null,
  cached: { list: null, map: null, sheet: null }, // null | savedAt ('' when unknown)
  tilesNote: '',
  mapNote: '',
};

let map = null; // the Leaflet map (map.js), once the page first shows
let siteZoom = Infinity; // from this zoom on, single sites (map.js says which)
let sheet = null;
let listGen = 0;
let listAbort = null;
let mapGen = 0;
let mapAbort = null;
let sheetAbort = null;

const el = {};

// ---- small helpers ------------------------------------------------------

function alts() {
  return buildAlts(state.chips, state.selected, state.tier, state.typeList);
}

function listCtx() {
  const wanted = [];
  for (const c of state.chips) if (state.selected.has(c.id)) wanted.push(...chipCodes(c));
  const highlight = [];
  for (const c of state.chips) highlight.push(...chipCodes(c));
  return {
    catalogue: state.catalogue,
    types: state.types,
    ttl: state.config?.status_ttl_s,
    wantedCodes: wanted,
    highlightCodes: highlight,
    selectedId: state.selectedId,
    onOpen: openSite,
  };
}

function storeGet(key) {
  try {
    return JSON.parse(localStorage.getItem(key) || 'null');
  } catch {
    return null;
  }
}

function storeSet(key, v) {
  try {
    localStorage.setItem(key, JSON.stringify(v));
  } catch {
    /* private mode: not remembered */
  }
}

// ---- static text and controls -------------------------------------------

/** The map's words in the page's standing elements (at start, and after a language switch). */
export function retext() {
  el.nearMeText.textContent = el.nearMe.getAttribute('aria-busy') === 'true' ? t('locating') : t('nearMe');
  $('#map').setAttribute('aria-label', t('mapLabel'));
  el.more.textContent = t('more');
  renderChips();
  renderTierSelect();
  renderPointNote();
  renderBanner();
  renderMapNote();
}

function renderChips() {
  const frag = state.chips.map((c) =>
    h(
      'button',
      {
        type: 'button',
        class: 'chip',
        'aria-pressed': state.selected.has(c.id) ? 'true' : 'false',
        'data-chip': c.id,
        onclick: () => toggleChip(c.id),
      },
      h('span', { class: 'chip-check', svg: icon('check') }),
      h('span', { class: 'chip-icon', svg: icon(c.icon) }),
      t(`chip_${c.id}`),
    ),
  );
  el.chips.replaceChildren(...frag);
  el.openNow.setAttribute('aria-pressed', state.openNow ? 'true' : 'false');
}

function renderTierSelect() {
  el.tier.replaceChildren(
    ...TIERS.map((v) => h('option', { value: v, selected: v === state.tier }, t(`tier_${v}`))),
  );
  el.tier.value = state.tier;
}

function renderPointNote() {
  let text;
  if (state.pointKind === 'gps') text = t('pointGps', { acc: formatAccuracy(state.accuracy || 0) });
  else if (state.pointKind === 'map') text = t('pointMap');
  else text = t('pointDefault', { place: state.place ? pick(state.place, 'name').text : t('placeFallback') });
  el.pointNote.textContent = text;
  el.pointNote.classList.toggle('note-warn', state.pointKind === 'default');
  // The point the list is measured from, as sent to the API (tests read it).
  if (state.point) {
    el.listSection.dataset.point = `${state.point.lat.toFixed(6)},${state.point.lon.toFixed(6)}`;
    el.listSection.dataset.pointKind = state.pointKind;
  }
}

function renderBanner() {
  const vals = Object.values(state.cached).filter((v) => v !== null);
  if (!vals.length) {
    el.banner.hidden = true;
    document.body.classList.remove('is-stale');
    return;
  }
  const saved = vals.filter(Boolean).sort()[0];
  el.bannerText.textContent = saved ? t('offline', { age: formatAge(saved) }) : t('offlineNoTime');
  el.banner.hidden = false;
  document.body.classList.add('is-stale');
}

function renderMapNote() {
  const parts = [state.tilesNote && t(state.tilesNote), state.mapNote && t(state.mapNote)].filter(Boolean);
  el.mapNote.textContent = parts.join(' ');
  el.mapNote.hidden = !parts.length;
}

function toggleChip(id) {
  if (state.selected.has(id)) state.selected.delete(id);
  else state.selected.add(id);
  renderChips();
  state.k = PAGE;
  refreshAll();
}

// ---- data ---------------------------------------------------------------

async function loadCatalogues() {
  const [cfg, amen, types, regions] = await Promise.allSettled([
    loadConfig(),
    api.getJson('/api/amenities'),
    api.getJson('/api/site-types'),
    api.getJson('/api/regions', { roots: 1 }),
  ]);
  // The district's name, for "distances are from the centre of ...".
  if (regions.status === 'fulfilled' && regions.value.items && regions.value.items.length === 1) {
    const r = regions.value.items[0];
    state.place = { name_zh: r.name_zh, name_en: r.name_en };
  }
  state.config = cfg.status === 'fulfilled' ? cfg.value : { tiles: null };
  state.datum = state.config.tiles && state.config.tiles.datum === 'gcj02' ? 'gcj02' : 'wgs84';
  if (amen.status === 'fulfilled') for (const a of amen.value.items || []) state.catalogue.set(a.code, a);
  if (types.status === 'fulfilled') {
    state.typeList = types.value.items || [];
    for (const ty of state.typeList) state.types.set(ty.code, ty);
  }
  state.chips = availableChips(state.catalogue);
}

/**
 * The district centre from the data: where the sites are densest (the
 * biggest server cluster over the whole country), else the mean of a page
 * of sites. Remembered for a week so a phone asks once.
 */
async function districtCentre() {
  const saved = storeGet(CENTRE_KEY);
  if (saved && saved.datum === state.datum && Date.now() - saved.at < CENTRE_MAX_AGE_MS) return saved;
  let centre = null;
  try {
    const r = await api.getJson('/api/sites/clusters', { bbox: '73,3,136,54', zoom: 5, datum: state.datum });
    const best = (r.clusters || []).reduce((a, c) => (!a || c.count > a.count ? c : a), null);
    if (best) centre = { lat: best.lat, lon: best.lon };
  } catch {
    /* older server or offline: try the list */
  }
  if (!centre) {
    try {
      const r = await api.getJson('/api/sites', { limit: 200, datum: state.datum });
      const items = r.items || [];
      if (items.length) {
        centre = {
          lat: items.reduce((s, x) => s + x.position.lat, 0) / items.length,
          lon: items.reduce((s, x) => s + x.position.lon, 0) / items.length,
        };
      }
    } catch {
      /* nothing to go on */
    }
  }
  // Nothing to go on (first visit, offline): somewhere, until data comes.
  if (!centre) return saved || { lat: 35, lon: 105, fallback: true };
  const out = { ...centre, datum: state.datum, at: Date.now() };
  storeSet(CENTRE_KEY, out);
  return out;
}

function refreshAll() {
  refreshList();
  refreshMap();
}

async function refreshList() {
  if (!state.point) return; // the map page has not started yet
  const gen = ++listGen;
  listAbort?.abort();
  listAbort = new AbortController();
  el.list.setAttribute('aria-busy', 'true');
  if (!state.sites.length) setListStatus(t('loading'));
  try {
    const items = await api.nearSites({
      point: state.point,
      k: state.k,
      alts: alts(),
      open: state.openNow,
      datum: state.datum,
      signal: listAbort.signal,
    });
    if (gen !== listGen) return;
    state.sites = items;
    renderList(el.list, items, listCtx());
    if (state.fitNext) fitMap(items);
    setListStatus(items.length ? t('listCount', { n: items.length }) : t('listEmpty'));
    el.more.hidden = items.length < state.k || state.k >= MAX_LIST;
  } catch (e) {
    if (e.name === 'AbortError' || gen !== listGen) return;
    state.sites = [];
    if (state.fitNext) fitMap([]);
    el.list.replaceChildren();
    el.more.hidden = true;
    setListStatus(t('listError'), true);
  } finally {
    if (gen === listGen) el.list.removeAttribute('aria-busy');
  }
}

/**
 * After the point moved: show it with the nearest places. The move reloads
 * the map's data; when the view did not change, reload it here.
 */
function fitMap(items) {
  state.fitNext = false;
  if (!map) return;
  const before = map.bbox();
  map.fitAround(state.point, items.slice(0, 5));
  if (map.bbox() === before) refreshMap();
}

function setListStatus(text, error = false) {
  el.listStatus.replaceChildren(text);
  el.listStatus.classList.toggle('list-error', error);
  if (error) {
    el.listStatus.append(
      ' ',
      h('button', { type: 'button', class: 'btn btn-small', onclick: () => refreshAll() }, t('retry')),
    );
  }
}

async function refreshMap() {
  if (!map) return;
  const gen = ++mapGen;
  mapAbort?.abort();
  mapAbort = new AbortController();
  const signal = mapAbort.signal;
  const a = alts();
  const zoom = map.zoom();
  const bbox = map.bbox();
  const base = { bbox, open: state.openNow, datum: state.datum, signal };
  try {
    let note = '';
    if (zoom >= siteZoom) {
      const r = await api.bboxSites({ ...base, alts: a, limit: MAP_SITE_LIMIT });
      if (gen !== mapGen) return;
      const items = state.openNow ? r.items.filter((s) => s.open) : r.items;
      map.showSites(items);
      if (r.truncated) note = 'mapPartial';
    } else if (a.length === 1) {
      const r = await api.clusters({ ...base, zoom, alt: a[0] });
      if (gen !== mapGen) return;
      if ((r.total ?? Infinity) <= FEW_SITES) {
        // Few enough to show one by one, with their shapes and open state.
        const s = await api.bboxSites({ ...base, alts: a, limit: FEW_SITES });
        if (gen !== mapGen) return;
        map.showSites(state.openNow ? s.items.filter((x) => x.open) : s.items);
      } else {
        map.showClusters(r.clusters || []);
      }
    } else {
      // "Any of": merge the sites of every alternative, cluster them here.
      const r = await api.bboxSites({ ...base, alts: a, limit: 1000 });
      if (gen !== mapGen) return;
      const items = state.openNow ? r.items.filter((s) => s.open) : r.items;
      map.showClusters(map.cluster(items));
      if (r.truncated) note = 'mapPartial';
    }
    state.mapNote = note;
  } catch (e) {
    if (e.name === 'AbortError' || gen !== mapGen) return;
    // No map data: show what the list has, so the map is not empty.
    map.showSites(state.sites);
    state.mapNote = '';
  }
  renderMapNote();
}

// ---- the point distances are measured from ---------------------------------

function setPoint(point, kind, accuracy) {
  state.point = point;
  state.pointKind = kind;
  state.accuracy = accuracy ?? null;
  state.k = PAGE;
  state.fitNext = true;
  map?.setPoint(point, kind);
  renderPointNote();
  refreshList();
}

function locate() {
  if (!navigator.geolocation) {
    el.pointNote.textContent = t('locateFailed', { reason: t('geoUnsupported') });
    return;
  }
  el.nearMe.setAttribute('aria-busy', 'true');
  el.nearMeText.textContent = t('locating');
  navigator.geolocation.getCurrentPosition(
    (pos) => {
      el.nearMe.removeAttribute('aria-busy');
      el.nearMeText.textContent = t('nearMe');
      let p = { lat: pos.coords.latitude, lon: pos.coords.longitude };
      if (state.datum === 'gcj02') p = wgs84ToGcj02(p.lat, p.lon);
      setPoint(p, 'gps', pos.coords.accuracy);
    },
    (err) => {
      el.nearMe.removeAttribute('aria-busy');
      el.nearMeText.textContent = t('nearMe');
      const reason = err.code === 1 ? 'geoDenied' : err.code === 3 ? 'geoTimeout' : 'geoUnavailable';
      el.pointNote.textContent = t('locateFailed', { reason: t(reason) });
      el.pointNote.classList.add('note-warn');
    },
    { enableHighAccuracy: true, timeout: 15000, maximumAge: 30000 },
  );
}

// ---- the site sheet ----------------------------------------------------------

function siteById(id) {
  return state.sites.find((s) => s.id === id) || null;
}

async function openSite(id) {
  state.selectedId = id;
  map?.select(id);
  for (const b of el.list.querySelectorAll('.card-selected')) b.classList.remove('card-selected');
  el.list.querySelector(`li[data-id="${id}"] .card`)?.classList.add('card-selected');
  const known = siteById(id);
  if (known) map?.showSite(known);
  const ctx = listCtx();
  sheet.open(known || { id, name_zh: t('sheetLoading'), name_en: t('sheetLoading'), amenities: [] }, ctx);
  sheetAbort?.abort();
  sheetAbort = new AbortController();
  try {
    const detail = await api.siteDetail(id, state.datum, sheetAbort.signal);
    if (sheet.siteId !== id) return;
    // Keep the distance from the list: the detail does not know the point.
    sheet.update({ ...detail, distance_m: known ? known.distance_m : detail.distance_m }, listCtx());
  } catch (e) {
    if (e.name === 'AbortError' || sheet.siteId !== id) return;
    if (e instanceof api.ApiError && e.status === 404) sheet.setNote(t('siteRemoved'));
    else if (!known) sheet.setNote(t('sheetError'));
  }
}

function onSheetClose(id) {
  state.selectedId = null;
  map?.select(null);
  for (const b of el.list.querySelectorAll('.card-selected')) b.classList.remove('card-selected');
  sheetAbort?.abort();
  // Where focus goes if the element that opened the sheet is gone.
  return (id != null && el.list.querySelector(`li[data-id="${id}"] .card`)) || el.list.querySelector('.card');
}

// ---- live updates ----------------------------------------------------------

/**
 * A status event: {site_id, live, status, open} as the contract has it, or
 * the live fields (ttl, amenities, last_updated) at the top level as the
 * server sends them now; both are taken.
 */
function applyStatus(d) {
  const patch = { id: d.site_id };
  if (d.live && typeof d.live === 'object') patch.live = d.live;
  else if (Array.isArray(d.amenities))
    patch.live = { ttl: d.ttl, last_updated: d.last_updated ?? null, amenities: d.amenities };
  for (const k of ['status', 'status_reason', 'status_until', 'open', 'next_change'])
    if (d[k] !== undefined) patch[k] = d[k];
  const i = state.sites.findIndex((s) => s.id === d.site_id);
  if (i >= 0) {
    state.sites[i] = { ...state.sites[i], ...patch };
    updateCard(el.list, state.sites[i], listCtx());
    map?.updateSite(state.sites[i]);
  } else {
    map?.updateSite(patch);
  }
  if (sheet.siteId === d.site_id) sheet.update(patch);
}

let siteTimer = 0;
function applySiteChange(d) {
  clearTimeout(siteTimer);
  siteTimer = setTimeout(refreshAll, 300);
  if (sheet.siteId === d.id) {
    if (d.op === 'delete') sheet.setNote(t('siteRemoved'));
    else openSiteQuietly(d.id);
  }
}

async function openSiteQuietly(id) {
  try {
    const detail = await api.siteDetail(id, state.datum);
    if (sheet.siteId === id) sheet.update(detail, listCtx());
  } catch {
    /* keep what is shown */
  }
}

// ---- start-up --------------------------------------------------------------

/** Once, before the first route: the map page's elements and controls. */
export function start() {
  el.nearMe = $('#near-me');
  el.nearMeText = $('#near-me-text');
  el.pointNote = $('#point-note');
  el.chips = $('#chips');
  el.openNow = $('#open-now');
  el.tier = $('#tier');
  el.list = $('#list');
  el.listSection = $('#list-section');
  el.listStatus = $('#list-status');
  el.more = $('#more');
  el.banner = $('#banner');
  el.bannerText = $('#banner-text');
  el.mapNote = $('#map-note');
  el.sheet = $('#sheet');
  $('#near-me-icon').insertAdjacentHTML('afterbegin', icon('locate'));
  $('#open-now-icon').insertAdjacentHTML('afterbegin', icon('clock'));
  $('#open-now-check').insertAdjacentHTML('afterbegin', icon('check'));
  $('#banner-icon').insertAdjacentHTML('afterbegin', icon('warn'));
  for (const n of document.querySelectorAll('.lg')) {
    const m = /lg-t(\d)/.exec(n.className);
    n.insertAdjacentHTML('afterbegin', m ? markerSvg(Number(m[1]) || null, true) : markerSvg(2, false));
  }
  sheet = createSheet(el.sheet, { onClose: onSheetClose });
  el.nearMe.addEventListener('click', locate);
  el.openNow.addEventListener('click', () => {
    state.openNow = !state.openNow;
    el.openNow.setAttribute('aria-pressed', state.openNow ? 'true' : 'false');
    state.k = PAGE;
    refreshAll();
  });
  el.tier.addEventListener('change', () => {
    state.tier = el.tier.value;
    state.k = PAGE;
    refreshAll();
  });
  el.more.addEventListener('click', () => {
    state.k = Math.min(MAX_LIST, state.k + PAGE);
    refreshList();
  });
  api.onFreshness(({ channel, cached, savedAt }) => {
    if (!(channel in state.cached)) return;
    state.cached[channel] = cached ? savedAt || '' : null;
    renderBanner();
  });
  window.addEventListener('online', () => refreshAll());
  // Ages ("3 分钟前") move on while the page stays open.
  setInterval(() => {
    sheet.rerender();
    renderBanner();
  }, 30000);
}

/**
 * The service worker has just taken over (first visit): the answers so
 * far bypassed it; ask again so that it keeps them for offline use.
 */
export function cacheAgain() {
  refreshAll();
  for (const p of ['/api/config', '/api/amenities', '/api/site-types', '/api/regions?roots=1'])
    fetch(p).catch(() => {});
}

// ---- the page ------------------------------------------------------------------

let mapStarted = false;

/** The map as a page of the shell: it owns <main id="view-map"> in index.html. */
export const mapView = {
  main: 'view-map',
  skip: { word: 'skipToList', target: () => el.listSection },
  show() {
    if (!mapStarted) {
      mapStarted = true;
      startMap();
    } else {
      map?.resize();
      refreshAll(); // sites may have changed meanwhile (the console)
    }
  },
  leave() {
    sheet.close();
  },
  /** The language changed while the map shows. */
  redraw() {
    renderList(el.list, state.sites, listCtx());
    if (state.sites.length) setListStatus(t('listCount', { n: state.sites.length }));
    sheet.rerender();
    refreshMap();
  },
};

async function startMap() {
  await loadCatalogues();
  renderChips();
  const centre = await districtCentre();
  state.point = { lat: centre.lat, lon: centre.lon };
  renderPointNote();
  try {
    // Leaflet is loaded here, not at the top: it needs a browser, and the
    // page modules are imported by node too (tests/web/).
    const leaflet = await import('./map.js');
    siteZoom = leaflet.SITE_ZOOM;
    map = leaflet.createMap($('#map'), {
      tiles: state.config.tiles,
      center: state.point,
      onPick: (p) => setPoint(p, 'map'),
      onSite: openSite,
      onMove: refreshMap,
      onTiles: (s) => {
        state.tilesNote = s === 'failed' ? 'tilesFailed' : s === 'none' ? 'noTiles' : '';
        renderMapNote();
      },
    });
    map.setPoint(state.point, 'default');
  } catch {
    map = null; // the list and filters still work
  }
  refreshList(); // and the map, once the list says where to look (fitMap)
  connectLive({ onStatus: applyStatus, onSite: applySiteChange, onReconnect: refreshAll });
  document.body.classList.add('ready');
}
