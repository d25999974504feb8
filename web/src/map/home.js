// home.js - the map page (the home, #/): state, wiring, start-up.
//
// Data flow: filters + point -> /api/sites/near (the list) and
// /api/sites/clusters or /api/sites?bbox= (the map) -> render. A search
// or the favourites list the page's own sites instead (search.js,
// favs.js). The SSE stream patches sites in place; the service worker
// keeps the last answers for when the network is gone, and says so
// (X-WH-Offline), which shows the "may be out of date" banner.
//
// The URL says what shows: the filters in the query (#/?amenity=rain&open=1),
// an open site in the path (#/site/12?amenity=rain). Filter changes replace
// the history entry; opening a site adds one, so Back closes it.
import { t, pick, formatAccuracy, formatAge } from '../i18n.js';
import * as api from '../api.js';
import { icon, markerSvg } from '../icons.js';
import { h, $ } from '../dom.js';
import { loadConfig } from '../config.js';
import { wgs84ToGcj02, distanceM } from '../geo.js';
import { createSheet } from './sheet.js';
import { renderList, updateCard } from './list.js';
import { connectLive } from './live.js';
import {
  availableChips,
  buildAlts,
  chipCodes,
  siteMatches,
  filtersToQuery,
  filtersFromQuery,
  categoryOptions,
  TIERS,
} from './filters.js';
import { indexSite, search as searchIndex, loadInitials } from './search.js';
import { favourites, onFavouritesChange } from './favs.js';
import words from './words.js';
import { showReportsLayer } from '../reports/maplayer.js';

const PAGE = 20; // list length, and the step of "show more"
const MAX_LIST = 100;
const MAP_SITE_LIMIT = 500;
const LOCAL_MAX = 300; // up to this many in view, the page clusters them itself (real markers for single sites)
const FIT_N = 5; // the map shows the point and this many nearest results
const CENTRE_KEY = 'wh.centre';
const CENTRE_MAX_AGE_MS = 7 * 86400 * 1000;
const SEARCH_BOX_DEG = { lat: 0.15, lon: 0.2 }; // the district around the point the search looks in
const SEARCH_LIMIT = 1000;

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
  category: '', // a service category's code ('' = any service)
  categories: [], // [{code, depth, name_zh, name_en}] for the choice
  categorySites: { code: '', ids: null }, // the category's site ids, for the search and favourites
  q: '', // the search
  fav: false, // the favourites instead of the nearest
  reports: false, // the grid reports layer shows
  point: null, // {lat, lon} in state.datum
  pointKind: 'default', // default | gps | map
  accuracy: null,
  place: null, // {name_zh, name_en} of the district, for the note
  k: PAGE,
  fitNext: true, // after the next list answer, show the point and the nearest places
  sites: [],
  selectedId: null,
  cached: { list: null, map: null, sheet: null }, // null | savedAt ('' when unknown)
  listBasis: null, // {pool}: the list was worked out offline from saved sites
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
let away = false; // another page showed meanwhile
let pendingSite = null; // a site the URL names, opened once the map has started
let sheetPushed = false; // the open sheet added a history entry (Back closes it)
let closingFromRoute = false;
let searchIndexState = { at: null, datum: null, entries: null, loading: null };

const el = {};

// ---- small helpers ------------------------------------------------------

function alts() {
  return buildAlts(state.chips, state.selected, state.tier, state.typeList, state.category);
}

function filterCtx() {
  const categorySites = state.category && state.categorySites.code === state.category ? state.categorySites.ids : null;
  return { chips: state.chips, selected: state.selected, openNow: state.openNow, tier: state.tier, types: state.typeList, categorySites };
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
    onOpen: (id) => openSite(id, { from: 'list' }),
    siteUrl,
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

function reducedMotion() {
  return window.matchMedia?.('(prefers-reduced-motion: reduce)').matches;
}

// ---- the URL -----------------------------------------------------------------

function filterQuery() {
  return filtersToQuery({
    selected: state.selected,
    openNow: state.openNow,
    tier: state.tier,
    category: state.category,
    q: state.q,
    fav: state.fav,
    reports: state.reports,
  });
}

/** The map's route with the current filters ('/?amenity=rain'): the header's map link. */
export function mapPath() {
  const q = filterQuery();
  return q ? `/?${q}` : '/';
}

function sitePath(id) {
  const q = filterQuery();
  return `/site/${id}${q ? `?${q}` : ''}`;
}

/** A site's address to share: the map with that site open. */
export function siteUrl(id) {
  return `${location.origin}/#/site/${id}`;
}

/** Write the filters (and the open site) into the URL, replacing the entry. */
function syncUrl() {
  if (!isMapRoute()) return;
  const path = sheet && sheet.siteId != null ? sitePath(sheet.siteId) : mapPath();
  const hash = `#${path}`;
  if (location.hash !== hash) history.replaceState(history.state, '', hash);
}

function isMapRoute() {
  const hash = location.hash || '#/';
  return hash === '#' || hash === '#/' || hash.startsWith('#/?') || hash.startsWith('#/site/');
}

// ---- static text and controls -------------------------------------------

/** The map's words in the page's standing elements (at start, and after a language switch). */
export function retext() {
  el.nearMeText.textContent = el.nearMe.getAttribute('aria-busy') === 'true' ? t('locating') : t('nearMe');
  $('#map').setAttribute('aria-label', t('mapLabel'));
  el.more.textContent = t('more');
  el.search.placeholder = t('searchPlaceholder');
  el.searchClear.setAttribute('aria-label', t('searchClear'));
  el.searchClear.title = t('searchClear');
  renderChips();
  renderTierSelect();
  renderCategorySelect();
  renderPointNote();
  renderBanner();
  renderMapNote();
  renderListHead();
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
  el.favs.setAttribute('aria-pressed', state.fav ? 'true' : 'false');
  el.reports.setAttribute('aria-pressed', state.reports ? 'true' : 'false');
}

function renderTierSelect() {
  el.tier.replaceChildren(
    ...TIERS.map((v) => h('option', { value: v, selected: v === state.tier }, t(`tier_${v}`))),
  );
  el.tier.value = state.tier;
}

function renderCategorySelect() {
  el.svcCat.replaceChildren(
    h('option', { value: '' }, t('service_all')),
    // Children indented under their parent (the taxonomy is two levels deep).
    ...state.categories.map((c) =>
      h('option', { value: c.code }, `${'\u2003'.repeat(c.depth)}${pick(c, 'name').text}`),
    ),
  );
  el.svcCat.value = state.category;
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
  let text = saved ? t('offline', { age: formatAge(saved) }) : t('offlineNoTime');
  // Offline, the list for a point never asked before is worked out from the
  // sites the phone kept: say so, and that some may be missing.
  if (state.listBasis) text += ` ${t('offlineComputed', { n: state.listBasis.pool })}`;
  el.bannerText.textContent = text;
  el.banner.hidden = false;
  document.body.classList.add('is-stale');
}

function renderMapNote() {
  const parts = [state.tilesNote && t(state.tilesNote), state.mapNote && t(state.mapNote)].filter(Boolean);
  el.mapNote.textContent = parts.join(' ');
  el.mapNote.hidden = !parts.length;
}

function renderListHead() {
  el.listHeading.textContent = state.fav ? t('favHeading') : state.q ? t('searchHeading') : t('listHeading');
}

function filtersChanged() {
  renderChips();
  state.k = PAGE;
  state.fitNext = true; // show the results of the new filter on the map
  syncUrl();
  renderListHead();
  refreshAll();
}

function toggleChip(id) {
  if (state.selected.has(id)) state.selected.delete(id);
  else state.selected.add(id);
  filtersChanged();
}

// ---- data ---------------------------------------------------------------

async function loadCatalogues() {
  const [cfg, amen, types, regions, cats] = await Promise.allSettled([
    loadConfig(),
    api.getJson('/api/amenities'),
    api.getJson('/api/site-types'),
    api.getJson('/api/regions', { roots: 1 }),
    api.getJson('/api/service-categories'),
  ]);
  if (cats.status === 'fulfilled') state.categories = categoryOptions(cats.value.items);
  renderCategorySelect();
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
  const ids = new Set(state.chips.map((c) => c.id));
  for (const id of [...state.selected]) if (!ids.has(id)) state.selected.delete(id);
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

/** The list's sites for the current mode: the nearest (API), a search, or the favourites. */
async function listItems(signal) {
  if (state.category && (state.fav || state.q)) await loadCategorySites(signal);
  if (state.fav) return favouriteSites(signal);
  if (state.q) return searchSites(signal);
  return api.nearSites({
    point: state.point,
    k: state.k,
    alts: alts(),
    open: state.openNow,
    datum: state.datum,
    signal,
  });
}

/** The ids of the sites offering the chosen service category (the search
 * and the favourites are filtered here, not by the server). */
async function loadCategorySites(signal) {
  const code = state.category;
  if (state.categorySites.code === code) return;
  const r = await api.getJson(
    '/api/sites',
    { bbox: '-180,-90,180,90', service_category: code, limit: SEARCH_LIMIT, fields: 'id' },
    { channel: 'list', signal },
  );
  state.categorySites = { code, ids: new Set((r.items || []).map((x) => x.id)) };
}

function withDistance(site) {
  if (!site.position || !state.point) return site;
  return { ...site, distance_m: distanceM(state.point, site.position) };
}

async function favouriteSites(signal) {
  const list = favourites();
  const got = await Promise.all(
    list.map((f) =>
      api.siteDetail(f.id, state.datum, signal).catch((e) => {
        if (e.name === 'AbortError') throw e;
        // Gone, or not kept for offline: shown by the name it had.
        return e instanceof api.ApiError && e.status === 404 ? null : { id: f.id, name_zh: f.name_zh, name_en: f.name_en, amenities: [] };
      }),
    ),
  );
  return got
    .filter(Boolean)
    .map(withDistance)
    .filter((s) => !s.position || siteMatches(s, filterCtx()))
    .sort((a, b) => (a.distance_m ?? Infinity) - (b.distance_m ?? Infinity) || a.id - b.id);
}

/** The district's sites around the point, indexed for the search (asked again when the point moves far). */
async function searchEntries(signal) {
  const s = searchIndexState;
  const near = s.at && s.datum === state.datum && distanceM(s.at, state.point) < 5000;
  if (near && s.entries) return s.entries;
  const at = { ...state.point };
  const bbox = [
    at.lon - SEARCH_BOX_DEG.lon,
    at.lat - SEARCH_BOX_DEG.lat,
    at.lon + SEARCH_BOX_DEG.lon,
    at.lat + SEARCH_BOX_DEG.lat,
  ]
    .map((x) => x.toFixed(3))
    .join(',');
  const [r] = await Promise.all([
    api.getJson('/api/sites', { bbox, limit: SEARCH_LIMIT, datum: state.datum }, { channel: 'list', signal }),
    loadInitials(),
  ]);
  const aliases = state.chips.map((c) => ({
    codes: chipCodes(c),
    any: Boolean(c.any && c.any.length),
    words: [words.zh[`chip_${c.id}`], words.en[`chip_${c.id}`]].filter(Boolean),
  }));
  const ctx = { catalogue: state.catalogue, types: state.types, aliases };
  searchIndexState = { at, datum: state.datum, entries: (r.items || []).map((x) => indexSite(x, ctx)) };
  return searchIndexState.entries;
}

async function searchSites(signal) {
  const entries = await searchEntries(signal);
  for (const e of entries) e.site = withDistance(e.site);
  return searchIndex(entries, state.q)
    .filter((s) => siteMatches(s, filterCtx()))
    .slice(0, state.k);
}

async function refreshList() {
  if (!state.point) return; // the map page has not started yet
  const gen = ++listGen;
  listAbort?.abort();
  listAbort = new AbortController();
  el.list.setAttribute('aria-busy', 'true');
  if (!state.sites.length) setListStatus(t('loading'));
  state.listBasis = null;
  try {
    const items = await listItems(listAbort.signal);
    if (gen !== listGen) return;
    state.sites = items;
    renderList(el.list, items, listCtx());
    renderBanner();
    if (state.fitNext) fitMap(items);
    setListStatus(listStatusText());
    el.more.hidden = state.fav || items.length < state.k || state.k >= MAX_LIST;
    if (state.q || state.fav) refreshMap(); // the map shows what the list found
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
 * After the point or the filters changed: show the point with the nearest
 * results, in the part of the map nothing covers. The move reloads the
 * map's data; when the view did not change, reload it here.
 */
function fitMap(items) {
  state.fitNext = false;
  if (!map) return;
  const before = map.bbox();
  const located = items.filter((s) => s.position);
  // A search or the favourites need not be near the point: fit the results.
  const withPoint = !(state.q || state.fav) || !located.length;
  map.fitAround(withPoint ? state.point : null, located.slice(0, FIT_N), visibleArea());
  if (map.bbox() === before) refreshMap();
}

/** "最近的 20 处" / "找到 3 处" / "收藏的 2 处", or why the list is empty. */
function listStatusText() {
  const n = state.sites.length;
  if (state.fav) return n ? t('favCount', { n }) : t('favEmpty');
  if (state.q) return n ? t('searchCount', { n }) : t('searchEmpty');
  return n ? t('listCount', { n }) : t('listEmpty');
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
  showReportsLayer(map.leaflet(), { on: state.reports, bbox: map.bbox(), datum: state.datum });
  const gen = ++mapGen;
  mapAbort?.abort();
  mapAbort = new AbortController();
  const signal = mapAbort.signal;
  // A search or the favourites: the map shows what the list found.
  if (state.q || state.fav) {
    map.showClusters(map.cluster(state.sites.filter((s) => s.position)));
    state.mapNote = '';
    renderMapNote();
    return;
  }
  const a = alts();
  const zoom = map.zoom();
  const bbox = map.bbox();
  const base = { bbox, open: state.openNow, datum: state.datum, signal };
  const openOnly = (items) => (state.openNow ? items.filter((s) => s.open) : items);
  try {
    let note = '';
    if (zoom >= siteZoom) {
      const r = await api.bboxSites({ ...base, alts: a, limit: MAP_SITE_LIMIT });
      if (gen !== mapGen) return;
      map.showClusters(map.cluster(openOnly(r.items)));
      if (r.truncated) note = 'mapPartial';
    } else if (a.length === 1) {
      const r = await api.clusters({ ...base, zoom, alt: a[0] });
      if (gen !== mapGen) return;
      if ((r.total ?? Infinity) <= LOCAL_MAX) {
        // Few enough to cluster here: single sites show as themselves
        // (shape, open state), as the legend says.
        const s = await api.bboxSites({ ...base, alts: a, limit: LOCAL_MAX });
        if (gen !== mapGen) return;
        map.showClusters(map.cluster(openOnly(s.items)));
      } else {
        map.showClusters(map.mergeClusters(r.clusters || []));
      }
    } else {
      // "Any of" more than one group: merge the sites of every alternative, cluster them here.
      const r = await api.bboxSites({ ...base, alts: a, limit: 1000 });
      if (gen !== mapGen) return;
      map.showClusters(map.cluster(openOnly(r.items)));
      if (r.truncated) note = 'mapPartial';
    }
    state.mapNote = note;
  } catch (e) {
    if (e.name === 'AbortError' || gen !== mapGen) return;
    // No map data: show what the list has, so the map is not empty.
    map.showClusters(map.cluster(state.sites.filter((s) => s.position)));
    state.mapNote = '';
  }
  if (state.selectedId != null) map.select(state.selectedId);
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

// ---- the search ----------------------------------------------------------------

let searchTimer = 0;
function onSearchInput() {
  clearTimeout(searchTimer);
  el.searchClear.hidden = !el.search.value;
  searchTimer = setTimeout(() => {
    const q = el.search.value.trim().slice(0, 60);
    if (q === state.q) return;
    state.q = q;
    if (q) state.fav = false;
    filtersChanged();
  }, 250);
}

function clearSearch() {
  el.search.value = '';
  el.searchClear.hidden = true;
  el.search.focus();
  if (!state.q) return;
  state.q = '';
  filtersChanged();
}

// ---- the site sheet ----------------------------------------------------------

function siteById(id) {
  return state.sites.find((s) => s.id === id) || null;
}

/**
 * The part of the map nothing covers, in the map's own pixels: the map
 * box inside the window, less the site sheet (a side panel on wide
 * screens, a bottom sheet on phones).
 */
function visibleArea() {
  const m = $('#map').getBoundingClientRect();
  const area = {
    left: Math.max(m.left, 0),
    top: Math.max(m.top, 0),
    right: Math.min(m.right, window.innerWidth),
    bottom: Math.min(m.bottom, window.innerHeight),
  };
  if (!el.sheet.hidden) {
    const s = el.sheet.getBoundingClientRect();
    const overlaps = s.left < area.right && s.right > area.left && s.top < area.bottom && s.bottom > area.top;
    if (overlaps) {
      const sideways = s.height >= (area.bottom - area.top) * 0.8;
      if (sideways && s.left > area.left) area.right = Math.min(area.right, s.left);
      else if (sideways) area.left = Math.max(area.left, s.right);
      else area.bottom = Math.min(area.bottom, s.top);
    }
  }
  // Too little of the map shows to aim at: the whole box.
  if (area.right - area.left < 120 || area.bottom - area.top < 120)
    return { left: 0, top: 0, right: m.width, bottom: m.height };
  return { left: area.left - m.left, top: area.top - m.top, right: area.right - m.left, bottom: area.bottom - m.top };
}

/**
 * Open a site's sheet. from: 'list' | 'map' | 'url' | 'route'. A site
 * opened on the page adds a history entry (#/site/12), so Back closes it.
 */
async function openSite(id, { from = 'list' } = {}) {
  const wasOpen = sheet.siteId != null;
  // Forward (or Back) onto an entry the page added: closing goes back again.
  if (from === 'route' && history.state && history.state.whSite === id) sheetPushed = true;
  if (from !== 'url' && from !== 'route') {
    const hash = `#${sitePath(id)}`;
    if (wasOpen || location.hash === hash) history.replaceState(sheetPushed ? { whSite: id } : history.state, '', hash);
    else {
      history.pushState({ whSite: id }, '', hash);
      sheetPushed = true;
    }
  }
  state.selectedId = id;
  map?.select(id);
  for (const b of el.list.querySelectorAll('.card-selected')) b.classList.remove('card-selected');
  el.list.querySelector(`li[data-id="${id}"] .card`)?.classList.add('card-selected');
  const known = siteById(id);
  const ctx = listCtx();
  sheet.open(known || { id, name_zh: t('sheetLoading'), name_en: t('sheetLoading'), amenities: [] }, ctx);
  // Centre it where it can be seen (a tap on a visible marker leaves the map be).
  if (known) map?.showSite(known, visibleArea(), { force: from !== 'map' });
  sheetAbort?.abort();
  sheetAbort = new AbortController();
  try {
    const detail = await api.siteDetail(id, state.datum, sheetAbort.signal);
    if (sheet.siteId !== id) return;
    const dist = known ? known.distance_m : detail.position && state.point ? distanceM(state.point, detail.position) : null;
    sheet.update({ ...detail, distance_m: dist }, listCtx());
    if (!known) map?.showSite(detail, visibleArea(), { force: true });
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
  // Closed on the page (the close button, Escape): the URL drops the site.
  // Back to the entry before it when the page added one, else replace.
  if (!closingFromRoute && isMapRoute()) {
    if (sheetPushed && history.state && history.state.whSite === id) history.back();
    else history.replaceState(history.state, '', `#${mapPath()}`);
  }
  sheetPushed = false;
  // Where focus goes if the element that opened the sheet is gone.
  return (id != null && el.list.querySelector(`li[data-id="${id}"] .card`)) || el.list.querySelector('.card');
}

function closeSheetForRoute() {
  closingFromRoute = true;
  try {
    sheet.close();
  } finally {
    closingFromRoute = false;
  }
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
  searchIndexState = { at: null, datum: null, entries: null };
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
  el.favs = $('#favs');
  el.reports = $('#reports-layer');
  el.tier = $('#tier');
  el.svcCat = $('#svc-cat');
  el.search = $('#search');
  el.searchClear = $('#search-clear');
  el.list = $('#list');
  el.listSection = $('#list-section');
  el.listHeading = $('#list-heading');
  el.listStatus = $('#list-status');
  el.more = $('#more');
  el.banner = $('#banner');
  el.bannerText = $('#banner-text');
  el.mapNote = $('#map-note');
  el.sheet = $('#sheet');
  $('#near-me-icon').insertAdjacentHTML('afterbegin', icon('locate'));
  $('#open-now-icon').insertAdjacentHTML('afterbegin', icon('clock'));
  $('#open-now-check').insertAdjacentHTML('afterbegin', icon('check'));
  $('#favs-icon').insertAdjacentHTML('afterbegin', icon('star'));
  $('#favs-check').insertAdjacentHTML('afterbegin', icon('check'));
  $('#reports-layer-icon').insertAdjacentHTML('afterbegin', icon('warn'));
  $('#reports-layer-check').insertAdjacentHTML('afterbegin', icon('check'));
  $('#search-icon').insertAdjacentHTML('afterbegin', icon('search'));
  el.searchClear.insertAdjacentHTML('afterbegin', icon('close'));
  $('#banner-icon').insertAdjacentHTML('afterbegin', icon('warn'));
  for (const n of document.querySelectorAll('.lg')) {
    const m = /lg-t(\d)/.exec(n.className);
    if (n.classList.contains('lg-cl')) continue;
    n.insertAdjacentHTML('afterbegin', m ? markerSvg(Number(m[1]) || null, true) : markerSvg(2, false));
  }
  sheet = createSheet(el.sheet, { onClose: onSheetClose, siteUrl });
  el.nearMe.addEventListener('click', locate);
  el.openNow.addEventListener('click', () => {
    state.openNow = !state.openNow;
    filtersChanged();
  });
  el.favs.addEventListener('click', () => {
    state.fav = !state.fav;
    if (state.fav && state.q) {
      state.q = '';
      el.search.value = '';
      el.searchClear.hidden = true;
    }
    filtersChanged();
  });
  // The reports layer changes the map only (not the list).
  el.reports.addEventListener('click', () => {
    state.reports = !state.reports;
    renderChips();
    syncUrl();
    refreshMap();
  });
  el.tier.addEventListener('change', () => {
    state.tier = el.tier.value;
    filtersChanged();
  });
  el.svcCat.addEventListener('change', () => {
    state.category = el.svcCat.value;
    filtersChanged();
  });
  el.search.addEventListener('input', onSearchInput);
  el.search.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && el.search.value) {
      e.preventDefault();
      clearSearch();
    }
  });
  el.search.closest('form')?.addEventListener('submit', (e) => {
    e.preventDefault();
    clearTimeout(searchTimer);
    el.search.dispatchEvent(new Event('input'));
    el.search.blur(); // the phone's keyboard goes away, the results show
  });
  el.searchClear.addEventListener('click', clearSearch);
  el.more.addEventListener('click', () => {
    state.k = Math.min(MAX_LIST, state.k + PAGE);
    refreshList();
  });
  api.onFreshness(({ channel, cached, savedAt, basis }) => {
    if (!(channel in state.cached)) return;
    state.cached[channel] = cached ? savedAt || '' : null;
    if (channel === 'list') state.listBasis = cached && basis ? basis : null;
    renderBanner();
  });
  onFavouritesChange(() => {
    if (state.fav) refreshList();
    else renderList(el.list, state.sites, listCtx()); // the cards' "saved" mark
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
  for (const p of ['/api/config', '/api/amenities', '/api/site-types', '/api/regions?roots=1', '/api/service-categories'])
    fetch(p).catch(() => {});
}

// ---- the page ------------------------------------------------------------------

let mapStarted = false;

/** The filters the URL says; true when they differ from the page's. */
function takeFilters(query) {
  const f = filtersFromQuery(query, state.chips);
  // A code no category has (an old link): any service, not an error.
  if (f.category && state.categories.length && !state.categories.some((c) => c.code === f.category)) f.category = '';
  const same =
    f.openNow === state.openNow &&
    f.tier === state.tier &&
    f.category === state.category &&
    f.q === state.q &&
    f.fav === state.fav &&
    f.reports === state.reports &&
    f.selected.size === state.selected.size &&
    [...f.selected].every((x) => state.selected.has(x));
  if (same) return false;
  state.selected = f.selected;
  state.openNow = f.openNow;
  state.tier = f.tier;
  state.category = f.category;
  state.q = f.q;
  state.fav = f.fav;
  state.reports = f.reports;
  el.search.value = f.q;
  el.searchClear.hidden = !f.q;
  el.tier.value = f.tier;
  el.svcCat.value = f.category;
  renderChips();
  renderListHead();
  return true;
}

/** The map as a page of the shell: it owns <main id="view-map"> in index.html. */
export const mapView = {
  main: 'view-map',
  skip: { word: 'skipToList', target: () => el.listSection },
  /** params.id: the site the URL opens (#/site/12); query: the filters. */
  show(params = {}, query = new URLSearchParams()) {
    const id = params.id != null && /^\d+$/.test(params.id) ? Number(params.id) : null;
    if (!mapStarted) {
      mapStarted = true;
      takeFilters(query);
      pendingSite = id;
      startMap();
      return;
    }
    const changed = takeFilters(query);
    if (changed) {
      state.k = PAGE;
      state.fitNext = true;
    }
    if (away) {
      away = false;
      map?.resize();
      refreshAll(); // sites may have changed meanwhile (the console)
    } else if (changed) refreshAll();
    if (!state.point) {
      pendingSite = id; // still starting
      return;
    }
    // Back (or a link) to the map without the site: close it; to a site: open it.
    if (id == null && sheet.siteId != null) closeSheetForRoute();
    else if (id != null && sheet.siteId !== id) openSite(id, { from: 'route' });
  },
  leave() {
    away = true;
    closeSheetForRoute();
  },
  /** The language changed while the map shows. */
  redraw() {
    renderList(el.list, state.sites, listCtx());
    if (state.point && !el.listStatus.classList.contains('list-error')) setListStatus(listStatusText());
    sheet.rerender();
    refreshMap();
  },
};

async function startMap() {
  await loadCatalogues();
  takeFilters(new URLSearchParams(location.hash.split('?')[1] || ''));
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
      onSite: (id) => openSite(id, { from: 'map' }),
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
  if (pendingSite != null) {
    const id = pendingSite;
    pendingSite = null;
    openSite(id, { from: 'url' });
  }
}
