// map.js - the Leaflet map: tiles when configured (a plain background when
// not, or when they fail), clusters when zoomed out (made here when few
// enough sites are in view, else the server's), one marker per site where
// markers do not touch, and the point distances are measured from. No two
// markers or bubbles overlap: ones that would are merged.
import L from 'leaflet';
import { markerSvg } from '../icons.js';
import { t, pick, openState } from '../i18n.js';

export const SITE_ZOOM = 14; // from this zoom on, single sites instead of clusters

function siteLabel(site) {
  const tier = site.tier ? t(`tierName_${site.tier}`) : t('tierName_other');
  const st = openState(site);
  return `${pick(site, 'name').text}，${tier}，${[st.label, st.detail].filter(Boolean).join(' ')}`;
}

function siteIcon(site, selected) {
  const st = openState(site);
  return L.divIcon({
    className: `mk${selected ? ' mk-selected' : ''}`,
    html: markerSvg(site.tier, st.open),
    iconSize: [48, 48],
    iconAnchor: [24, 24],
  });
}

/** The diameter of a cluster's bubble, by how many places it holds. */
export function clusterSize(count) {
  return count >= 100 ? 64 : count >= 10 ? 56 : 48;
}

function clusterIcon(c) {
  const top = c.tiers && c.tiers.length ? Math.min(...c.tiers.filter((x) => x)) : 0;
  const tier = Number.isFinite(top) ? top : 0;
  // A server cluster of one place (its shape and open state unknown here)
  // is a bubble like the others, with 1 in it: the legend's shapes are kept
  // for places the map knows.
  const size = clusterSize(c.count);
  return L.divIcon({
    className: `cl cl-t${tier}`,
    html: `<span class="cl-count" aria-hidden="true">${c.count}</span>`,
    iconSize: [size, size],
    iconAnchor: [size / 2, size / 2],
  });
}

const MARKER_SIZE = 48; // a single site's marker (the shape is 40, the target 48)
const GAP = 2; // px between two markers, or bubbles

function markerSize(c) {
  return c.count === 1 && c.site ? MARKER_SIZE : clusterSize(c.count);
}

/**
 * Merge markers that would overlap on screen: pts are {x, y, count, ...}
 * in pixels; two merge (count-weighted centre) while their circles are
 * closer than their radii. Repeats until none overlap.
 */
function mergeOverlapping(pts, join) {
  let list = pts.slice();
  for (let pass = 0; pass < 200; pass++) {
    list.sort((a, b) => b.count - a.count || a.key - b.key);
    const out = [];
    let merged = false;
    for (const p of list) {
      const hit = out.find(
        (q) => Math.hypot(q.x - p.x, q.y - p.y) < (markerSize(q) + markerSize(p)) / 2 + GAP,
      );
      if (hit) {
        join(hit, p);
        merged = true;
      } else out.push(p);
    }
    list = out;
    if (!merged) break;
  }
  return list;
}

function label(marker, text) {
  const el = marker.getElement();
  if (el) {
    el.setAttribute('aria-label', text);
    el.removeAttribute('title');
  }
}

export function createMap(el, { tiles, center, onPick, onSite, onMove, onTiles }) {
  const map = L.map(el, {
    center: [center.lat, center.lon],
    zoom: 13,
    minZoom: 3,
    maxZoom: 18,
    zoomControl: true,
    attributionControl: true,
    worldCopyJump: false,
  });
  map.attributionControl.setPrefix(false);
  L.control.scale({ imperial: false, position: 'bottomleft' }).addTo(map);

  if (tiles && tiles.url) {
    let loaded = 0;
    let failed = 0;
    const layer = L.tileLayer(tiles.url, { attribution: tiles.attribution || '', maxZoom: 19 });
    layer.on('tileload', () => {
      loaded++;
      if (loaded === 1) {
        el.classList.remove('no-tiles');
        onTiles?.('ok');
      }
    });
    layer.on('tileerror', () => {
      failed++;
      if (!loaded && failed >= 2) {
        el.classList.add('no-tiles');
        onTiles?.('failed');
      }
    });
    layer.addTo(map);
  } else {
    el.classList.add('no-tiles');
    onTiles?.('none');
  }

  const siteLayer = L.layerGroup().addTo(map);
  const markers = new Map(); // site id -> {marker, site}
  let pointMarker = null;
  let selectedId = null;

  map.on('click contextmenu', (e) => onPick?.({ lat: e.latlng.lat, lon: e.latlng.lng }));
  let moveTimer = 0;
  // The shown box, for tests and for whoever reads the page: data-bbox.
  const markBox = () => {
    const b = map.getBounds();
    el.dataset.bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((x) => x.toFixed(6)).join(',');
  };
  markBox();
  map.on('moveend', markBox);
  map.on('moveend', () => {
    clearTimeout(moveTimer);
    moveTimer = setTimeout(() => onMove?.(), 200);
  });

  function addSite(site) {
    const m = L.marker([site.position.lat, site.position.lon], {
      icon: siteIcon(site, site.id === selectedId),
      keyboard: true,
      riseOnHover: true,
      zIndexOffset: site.tier ? (4 - site.tier) * 100 : 0,
    });
    m.on('click', () => onSite?.(site.id));
    m.on('keypress', (e) => {
      const k = e.originalEvent && e.originalEvent.key;
      if (k === 'Enter' || k === ' ') onSite?.(site.id);
    });
    m.on('add', () => {
      label(m, siteLabel(markers.get(site.id)?.site || site));
      m.getElement()?.setAttribute('data-id', site.id);
    });
    markers.set(site.id, { marker: m, site });
    m.addTo(siteLayer);
  }

  function addCluster(c) {
    if (c.count === 1 && c.site) return addSite(c.site);
    const m = L.marker([c.lat, c.lon], { icon: clusterIcon(c), keyboard: true });
    // A cluster of one names its site: open it rather than zoom. One whose
    // places are known zooms to show them all.
    const one = c.count === 1 && c.id != null;
    const zoomIn = one
      ? () => onSite?.(c.id)
      : c.sites && c.sites.length > 1
        ? () => {
            const b = L.latLngBounds(c.sites.map((x) => [x.position.lat, x.position.lon]));
            map.fitBounds(b.pad(0.2), { maxZoom: Math.max(map.getZoom() + 1, 17) });
          }
        : () => map.setView([c.lat, c.lon], Math.min(map.getZoom() + 2, SITE_ZOOM));
    m.on('click', zoomIn);
    m.on('keypress', (e) => {
      const k = e.originalEvent && e.originalEvent.key;
      if (k === 'Enter' || k === ' ') zoomIn();
    });
    m.on('add', () => {
      label(m, one ? t('clusterOne') : t('clusterLabel', { n: c.count }));
      const e = m.getElement();
      e?.setAttribute('data-count', c.count);
      if (one) e?.setAttribute('data-id', c.id);
    });
    m.addTo(siteLayer);
  }

  return {
    zoom: () => map.getZoom(),
    /** The Leaflet map itself, for layers other features draw (reports/maplayer.js). */
    leaflet: () => map,
    /** The map's box was hidden or changed size (back from another page). */
    resize() {
      map.invalidateSize({ pan: false });
    },
    bbox() {
      const b = map.getBounds();
      const f = (x) => x.toFixed(5);
      return [f(b.getWest()), f(b.getSouth()), f(b.getEast()), f(b.getNorth())].join(',');
    },
    /**
     * Sites clustered here so that no two markers overlap: a site stays
     * itself (its tier's shape, open or closed, as the legend shows) unless
     * it would touch another; touching ones merge into a bubble.
     */
    cluster(items) {
      const z = map.getZoom();
      const pts = items.map((s, i) => {
        const p = map.project([s.position.lat, s.position.lon], z);
        return { x: p.x, y: p.y, count: 1, key: i, site: s, sites: [s], tiers: new Set([s.tier]) };
      });
      const out = mergeOverlapping(pts, (a, b) => {
        a.x = (a.x * a.count + b.x * b.count) / (a.count + b.count);
        a.y = (a.y * a.count + b.y * b.count) / (a.count + b.count);
        a.count += b.count;
        a.sites.push(...b.sites);
        for (const x of b.tiers) a.tiers.add(x);
        a.site = null;
      });
      return out.map((c) => {
        const ll = map.unproject([c.x, c.y], z);
        return {
          lat: ll.lat,
          lon: ll.lng,
          count: c.count,
          tiers: [...c.tiers].filter(Boolean),
          site: c.count === 1 ? c.site : null,
          sites: c.sites,
          id: c.count === 1 ? c.site.id : null,
        };
      });
    },
    /** The server's clusters, merged where their bubbles would overlap. */
    mergeClusters(list) {
      const z = map.getZoom();
      const pts = list.map((c, i) => {
        const p = map.project([c.lat, c.lon], z);
        return { x: p.x, y: p.y, count: c.count, key: i, id: c.id, tiers: new Set(c.tiers || []) };
      });
      const out = mergeOverlapping(pts, (a, b) => {
        a.x = (a.x * a.count + b.x * b.count) / (a.count + b.count);
        a.y = (a.y * a.count + b.y * b.count) / (a.count + b.count);
        a.count += b.count;
        a.id = null;
        for (const x of b.tiers) a.tiers.add(x);
      });
      return out.map((c) => {
        const ll = map.unproject([c.x, c.y], z);
        return { lat: ll.lat, lon: ll.lng, count: c.count, tiers: [...c.tiers], id: c.count === 1 ? c.id : null };
      });
    },
    showSites(items) {
      siteLayer.clearLayers();
      markers.clear();
      for (const s of items) addSite(s);
    },
    showClusters(list) {
      siteLayer.clearLayers();
      markers.clear();
      for (const c of list) addCluster(c);
    },
    /** A site changed (live status): redraw its marker if shown. */
    updateSite(site) {
      const e = markers.get(site.id);
      if (!e) return;
      e.site = { ...e.site, ...site };
      e.marker.setIcon(siteIcon(e.site, site.id === selectedId));
      label(e.marker, siteLabel(e.site));
    },
    select(id) {
      const prev = markers.get(selectedId);
      selectedId = id;
      if (prev) prev.marker.setIcon(siteIcon(prev.site, false)), label(prev.marker, siteLabel(prev.site));
      const cur = markers.get(id);
      if (cur) cur.marker.setIcon(siteIcon(cur.site, true)), label(cur.marker, siteLabel(cur.site));
    },
    setPoint(point, kind) {
      const html = `<span class="pt-dot pt-${kind}" aria-hidden="true"></span>`;
      const icon = L.divIcon({ className: 'pt', html, iconSize: [28, 28], iconAnchor: [14, 14] });
      if (!pointMarker) {
        pointMarker = L.marker([point.lat, point.lon], {
          icon,
          interactive: false,
          keyboard: false,
          zIndexOffset: 1000,
        }).addTo(map);
      } else {
        pointMarker.setLatLng([point.lat, point.lon]);
        pointMarker.setIcon(icon);
      }
    },
    /**
     * Bring a site to the middle of area (the part of the map nothing
     * covers, in the map's pixels: {left, top, right, bottom}), zooming in
     * when far out. Without force, a site already well inside it stays put.
     */
    showSite(site, area, { force = true } = {}) {
      if (!site || !site.position) return;
      const ll = L.latLng(site.position.lat, site.position.lon);
      const size = map.getSize();
      const a = area || { left: 0, top: 0, right: size.x, bottom: size.y };
      const z = map.getZoom() < 12 ? 14 : map.getZoom();
      if (!force && z === map.getZoom()) {
        const p = map.latLngToContainerPoint(ll);
        const w = (a.right - a.left) * 0.15;
        const hh = (a.bottom - a.top) * 0.15;
        if (p.x > a.left + w && p.x < a.right - w && p.y > a.top + hh && p.y < a.bottom - hh) return;
      }
      const offset = L.point((a.left + a.right) / 2 - size.x / 2, (a.top + a.bottom) / 2 - size.y / 2);
      const centre = map.unproject(map.project(ll, z).subtract(offset), z);
      const reduce = window.matchMedia?.('(prefers-reduced-motion: reduce)').matches;
      map.setView(centre, z, { animate: !reduce });
    },
    /**
     * Show the point (if any) and these sites together in area (the part
     * of the map nothing covers).
     */
    fitAround(point, sites, area) {
      const pts = [...(point ? [[point.lat, point.lon]] : []), ...sites.map((x) => [x.position.lat, x.position.lon])];
      if (!pts.length) return;
      if (pts.length === 1) return map.setView(pts[0], Math.max(map.getZoom(), 14), { animate: false });
      const size = map.getSize();
      const a = area || { left: 0, top: 0, right: size.x, bottom: size.y };
      // Room for a marker (and a bubble) at the edges.
      const pad = 32;
      map.fitBounds(L.latLngBounds(pts), {
        paddingTopLeft: [a.left + pad, a.top + pad],
        paddingBottomRight: [size.x - a.right + pad, size.y - a.bottom + pad],
        maxZoom: 16,
        animate: false,
      });
    },
  };
}
