// pin.js - the site form's map: a pin where the typed position is (shown
// in the map's datum, whatever datum the numbers were typed in), moved by
// tapping the map or dragging the pin. A moved pin writes the numbers in
// the map's datum (GCJ-02 on Amap tiles) and says so in the datum picker;
// the server stores WGS-84 (src/geo/coord.c converts). The typed fields
// stay the way in for keyboards and screen readers.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { loadConfig } from '../config.js';
import { convertPoint } from '../geo.js';

let L = null; // Leaflet, loaded when the form first shows its map
let map = null;
let marker = null;
let mapDatum = 'wgs84';

/** Drop the map (the form is left or drawn afresh). */
export function dropPin() {
  if (map) map.remove();
  map = null;
  marker = null;
}

function typedPoint(v) {
  const lat = Number(v.lat);
  const lon = Number(v.lon);
  if (v.lat === '' || v.lon === '' || !Number.isFinite(lat) || !Number.isFinite(lon) || Math.abs(lat) > 90 || Math.abs(lon) > 180) return null;
  return convertPoint(lat, lon, v.datum, mapDatum);
}

/** Move the pin to the typed numbers (after typing or a datum change). */
export function syncPin(v) {
  if (!map) return;
  const p = typedPoint(v);
  if (!p) return;
  if (!marker) placeMarker(v, p);
  else marker.setLatLng([p.lat, p.lon]);
  map.panTo([p.lat, p.lon]);
}

let onMovedCb = null;

function moved(v, ll) {
  v.lat = ll.lat.toFixed(6);
  v.lon = ll.lng.toFixed(6);
  v.datum = mapDatum;
  onMovedCb?.();
}

function placeMarker(v, p) {
  const icon = L.divIcon({
    className: 'site-pin',
    html: '<svg viewBox="0 0 32 44" width="32" height="44" aria-hidden="true"><path d="M16 1C7.7 1 1 7.6 1 15.8 1 27 16 43 16 43s15-16 15-27.2C31 7.6 24.3 1 16 1z" fill="#9a3412" stroke="#fff" stroke-width="2"/><circle cx="16" cy="16" r="6" fill="#fff"/></svg>',
    iconSize: [32, 44],
    iconAnchor: [16, 43],
  });
  marker = L.marker([p.lat, p.lon], { icon, draggable: true, keyboard: false }).addTo(map);
  const el = marker.getElement();
  if (el) {
    el.removeAttribute('title');
    el.setAttribute('aria-hidden', 'true');
    el.removeAttribute('tabindex');
  }
  marker.on('dragend', () => moved(v, marker.getLatLng()));
}

/**
 * The map box; the map itself is made once the box is in the page (call
 * startPin after drawing). onMoved: after the pin set the numbers.
 */
export function pinBox() {
  return h(
    'div',
    { class: 'pin-box' },
    h('div', { class: 'pin-map', id: 'site-pin-map', role: 'region', 'aria-label': t('pinMap') }),
    h('p', { class: 'field-hint', id: 'site-pin-hint' }, t('pinHint')),
    h('p', { class: 'field-hint', id: 'site-pin-note', role: 'status' }),
  );
}

export async function startPin(v, onMoved) {
  onMovedCb = onMoved;
  const el = document.getElementById('site-pin-map');
  if (!el) return;
  let cfg = {};
  try {
    cfg = await loadConfig();
  } catch {
    /* no tiles: the pin still works on a blank map */
  }
  if (!L) L = (await import('leaflet')).default;
  if (!el.isConnected) return;
  dropPin();
  const tiles = cfg.tiles || {};
  mapDatum = tiles.datum === 'gcj02' ? 'gcj02' : 'wgs84';
  const p = typedPoint(v);
  const centre = p || (cfg.center ? { lat: cfg.center.lat, lon: cfg.center.lon } : { lat: 30.2741, lon: 120.1551 });
  map = L.map(el, { center: [centre.lat, centre.lon], zoom: p ? 16 : 12, zoomControl: true, attributionControl: true, keyboard: false });
  map.attributionControl.setPrefix(false);
  if (tiles.url) L.tileLayer(tiles.url, { attribution: tiles.attribution || '', maxZoom: 19 }).addTo(map);
  else el.classList.add('no-tiles');
  // Leaflet's zoom links are anchors without a page; keep them out of the tab order's way of naming.
  for (const a of el.querySelectorAll('.leaflet-control-zoom a')) a.setAttribute('tabindex', '-1');
  if (p) placeMarker(v, p);
  map.on('click', (ev) => {
    if (!marker) placeMarker(v, { lat: ev.latlng.lat, lon: ev.latlng.lng });
    else marker.setLatLng(ev.latlng);
    moved(v, ev.latlng);
  });
}

/** The map's datum, for tests and words. */
export function pinDatum() {
  return mapDatum;
}
