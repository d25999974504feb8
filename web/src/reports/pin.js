// pin.js - Leaflet for the report pages (loaded when a page needs a map:
// it needs a browser, and node imports the page modules too): a map with
// one pin the reporter drags or taps into place, a map showing one
// report, and the reports layer and heat layer the Warm New Map and the
// console draw.
import L from 'leaflet';
import { t, pick } from '../i18n.js';

function baseMap(el, { tiles, center, zoom = 16 }) {
  const map = L.map(el, { center: [center.lat, center.lon], zoom, minZoom: 3, maxZoom: 18 });
  map.attributionControl.setPrefix(false);
  if (tiles && tiles.url) L.tileLayer(tiles.url, { attribution: tiles.attribution || '', maxZoom: 19 }).addTo(map);
  else el.classList.add('no-tiles');
  return map;
}

function pinIcon(cls = '') {
  return L.divIcon({ className: `rp-pin ${cls}`, html: '<span class="rp-pin-dot" aria-hidden="true"></span>', iconSize: [48, 48], iconAnchor: [24, 44] });
}

/**
 * A map with a pin at point (in the map's datum); onMove(point) after
 * the pin is dragged or the map tapped. Returns {setPoint, resize, remove}.
 */
export function createPinMap(el, { tiles, point, onMove }) {
  const map = baseMap(el, { tiles, center: point });
  const pin = L.marker([point.lat, point.lon], { icon: pinIcon(), draggable: true, keyboard: false, autoPan: true }).addTo(map);
  const moved = () => {
    const ll = pin.getLatLng();
    el.dataset.pin = `${ll.lat.toFixed(6)},${ll.lng.toFixed(6)}`;
    onMove?.({ lat: ll.lat, lon: ll.lng });
  };
  el.dataset.pin = `${point.lat.toFixed(6)},${point.lon.toFixed(6)}`;
  pin.on('dragend', moved);
  map.on('click', (e) => {
    pin.setLatLng(e.latlng);
    moved();
  });
  return {
    setPoint(p, { pan = true } = {}) {
      pin.setLatLng([p.lat, p.lon]);
      el.dataset.pin = `${p.lat.toFixed(6)},${p.lon.toFixed(6)}`;
      if (pan) map.setView([p.lat, p.lon], Math.max(map.getZoom(), 16), { animate: false });
    },
    resize: () => map.invalidateSize({ pan: false }),
    remove: () => map.remove(),
  };
}

/** A small map showing one report's place. */
export function createShowMap(el, { tiles, point }) {
  const map = baseMap(el, { tiles, center: point, zoom: 16 });
  L.marker([point.lat, point.lon], { icon: pinIcon('rp-pin-static'), interactive: false, keyboard: false }).addTo(map);
  return { remove: () => map.remove() };
}

// ---- the reports layer on the Warm New Map ---------------------------------

function reportLabel(p) {
  return `${pick(p, 'category_name').text}，${t(`rpStatus_${p.status}`)}${p.overdue ? `，${t('rpOverdue')}` : ''}`;
}

function onKeyOrClick(m, fn) {
  m.on('click', fn);
  m.on('keypress', (e) => {
    const k = e.originalEvent && e.originalEvent.key;
    if (k === 'Enter' || k === ' ') fn();
  });
}

const REPORT_PX = 44; // reports closer than this on screen are one bubble

/**
 * The public reports as markers on a Leaflet map (from the GeoJSON the API
 * gives, positions already in the map's datum): each a link to its page;
 * reports that would overlap on screen are one bubble with their count,
 * which zooms in. No marker carries anything of the reporter: the API
 * gives none.
 */
export function reportsLayer(map) {
  const group = L.layerGroup().addTo(map);
  function single(f) {
    const [lon, lat] = f.geometry.coordinates;
    const p = f.properties;
    const m = L.marker([lat, lon], {
      icon: L.divIcon({
        className: `rp-mk rp-mk-${p.overdue ? 'overdue' : p.status}`,
        html: '<span class="rp-mk-shape" aria-hidden="true">!</span>',
        iconSize: [48, 48],
        iconAnchor: [24, 24],
      }),
      keyboard: true,
      zIndexOffset: 500, // asked for: above the sites (they reach 300)
    });
    onKeyOrClick(m, () => {
      location.hash = `#/reports/${f.id}`;
    });
    m.on('add', () => {
      const e = m.getElement();
      if (!e) return;
      e.setAttribute('aria-label', reportLabel(p));
      e.setAttribute('role', 'link');
      e.setAttribute('data-report', f.id);
      e.removeAttribute('title');
    });
    return m;
  }
  function bubble(list) {
    const lat = list.reduce((a, f) => a + f.geometry.coordinates[1], 0) / list.length;
    const lon = list.reduce((a, f) => a + f.geometry.coordinates[0], 0) / list.length;
    const m = L.marker([lat, lon], {
      icon: L.divIcon({ className: 'rp-mk rp-mk-many', html: `<span class="rp-mk-shape" aria-hidden="true">${list.length}</span>`, iconSize: [48, 48], iconAnchor: [24, 24] }),
      keyboard: true,
      zIndexOffset: 500,
    });
    onKeyOrClick(m, () => {
      const b = L.latLngBounds(list.map((f) => [f.geometry.coordinates[1], f.geometry.coordinates[0]]));
      map.fitBounds(b.pad(0.5), { maxZoom: Math.max(map.getZoom() + 2, 18), animate: false });
    });
    m.on('add', () => {
      const e = m.getElement();
      if (!e) return;
      e.setAttribute('aria-label', t('rpLayerMany', { n: list.length }));
      e.setAttribute('role', 'button');
      e.setAttribute('data-reports', list.map((f) => f.id).join(','));
      e.removeAttribute('title');
    });
    return m;
  }
  return {
    show(features) {
      group.clearLayers();
      const z = map.getZoom();
      const groups = [];
      for (const f of features) {
        const pt = map.project([f.geometry.coordinates[1], f.geometry.coordinates[0]], z);
        const g = groups.find((x) => Math.hypot(x.x - pt.x, x.y - pt.y) < REPORT_PX);
        if (g) g.list.push(f);
        else groups.push({ x: pt.x, y: pt.y, list: [f] });
      }
      for (const g of groups) (g.list.length === 1 ? single(g.list[0]) : bubble(g.list)).addTo(group);
    },
    clear: () => group.clearLayers(),
    remove: () => group.remove(),
  };
}

// ---- the heat map -------------------------------------------------------------

// A colour ramp from cool to hot, read by the intensity (0..255) of the
// blurred density drawn in grey first.
function ramp() {
  const c = document.createElement('canvas');
  c.width = 1;
  c.height = 256;
  const g = c.getContext('2d');
  const grad = g.createLinearGradient(0, 0, 0, 256);
  grad.addColorStop(0.15, '#2c7bb6');
  grad.addColorStop(0.4, '#00a6ca');
  grad.addColorStop(0.6, '#90eb9d');
  grad.addColorStop(0.8, '#f9d057');
  grad.addColorStop(1, '#d7191c');
  g.fillStyle = grad;
  g.fillRect(0, 0, 1, 256);
  return g.getImageData(0, 0, 1, 256).data;
}

/**
 * A heat layer drawn on a canvas of its own, again after every move: each
 * point adds a soft disc (radius px) of weight w to the density, which is
 * then coloured by the ramp. points: [{lat, lon, w}].
 */
export function heatLayer(map, { radius = 28 } = {}) {
  const colours = ramp();
  let points = [];
  const canvas = L.DomUtil.create('canvas', 'rp-heat leaflet-zoom-hide');
  canvas.setAttribute('aria-hidden', 'true');
  const pane = map.getPanes().overlayPane;
  pane.appendChild(canvas);
  function draw() {
    const size = map.getSize();
    const topLeft = map.containerPointToLayerPoint([0, 0]);
    L.DomUtil.setPosition(canvas, topLeft);
    canvas.width = size.x;
    canvas.height = size.y;
    const g = canvas.getContext('2d', { willReadFrequently: true });
    g.clearRect(0, 0, size.x, size.y);
    if (!points.length) return;
    const max = Math.max(...points.map((p) => p.w || 1));
    for (const p of points) {
      const c = map.latLngToContainerPoint([p.lat, p.lon]);
      if (c.x < -radius || c.y < -radius || c.x > size.x + radius || c.y > size.y + radius) continue;
      const grad = g.createRadialGradient(c.x, c.y, 0, c.x, c.y, radius);
      grad.addColorStop(0, `rgba(0,0,0,${Math.min(1, 0.35 + (0.65 * (p.w || 1)) / max)})`);
      grad.addColorStop(1, 'rgba(0,0,0,0)');
      g.fillStyle = grad;
      g.fillRect(c.x - radius, c.y - radius, radius * 2, radius * 2);
    }
    const img = g.getImageData(0, 0, size.x, size.y);
    const d = img.data;
    for (let i = 0; i < d.length; i += 4) {
      const a = d[i + 3];
      if (!a) continue;
      const k = a * 4;
      d[i] = colours[k];
      d[i + 1] = colours[k + 1];
      d[i + 2] = colours[k + 2];
      d[i + 3] = Math.min(220, 60 + a);
    }
    g.putImageData(img, 0, 0);
  }
  map.on('moveend zoomend resize', draw);
  return {
    setPoints(list) {
      points = list;
      canvas.dataset.points = String(list.length);
      draw();
    },
    remove() {
      map.off('moveend zoomend resize', draw);
      canvas.remove();
    },
  };
}

/** A map for the heat page: {map, fit(points)}. */
export function createHeatMap(el, { tiles, center }) {
  const map = baseMap(el, { tiles, center, zoom: 13 });
  return {
    map,
    fit(points) {
      if (points.length) map.fitBounds(L.latLngBounds(points.map((p) => [p.lat, p.lon])).pad(0.15), { maxZoom: 16, animate: false });
    },
    bbox() {
      const b = map.getBounds();
      return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((x) => x.toFixed(5)).join(',');
    },
    remove: () => map.remove(),
  };
}
