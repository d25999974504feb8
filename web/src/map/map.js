// map.js - the Leaflet map: tiles when configured (a plain background when
// not, or when they fail), server clusters when zoomed out, one marker per
// site when zoomed in, and the point distances are measured from.
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

function clusterIcon(c) {
  const top = c.tiers && c.tiers.length ? Math.min(...c.tiers.filter((x) => x)) : 0;
  const tier = Number.isFinite(top) ? top : 0;
  if (c.count === 1) {
    // One place whose open state the cluster answer does not tell: a small
    // dot in its tier's colour (48 px to tap), opened with a tap.
    return L.divIcon({
      className: `cl-one cl-t${tier}`,
      html: '<span class="cl-dot" aria-hidden="true"></span>',
      iconSize: [48, 48],
      iconAnchor: [24, 24],
    });
  }
  const size = c.count >= 100 ? 64 : c.count >= 10 ? 56 : 48;
  return L.divIcon({
    className: `cl cl-t${tier}`,
    html: `<span class="cl-count" aria-hidden="true">${c.count}</span>`,
    iconSize: [size, size],
    iconAnchor: [size / 2, size / 2],
  });
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
    m.on('add', () => label(m, siteLabel(markers.get(site.id)?.site || site)));
    markers.set(site.id, { marker: m, site });
    m.addTo(siteLayer);
  }

  function addCluster(c) {
    if (c.count === 1 && c.site) return addSite(c.site);
    const m = L.marker([c.lat, c.lon], { icon: clusterIcon(c), keyboard: true });
    // A cluster of one names its site: open it rather than zoom.
    const one = c.count === 1 && c.id != null;
    const zoomIn = one
      ? () => onSite?.(c.id)
      : () => map.setView([c.lat, c.lon], Math.min(map.getZoom() + 2, SITE_ZOOM));
    m.on('click', zoomIn);
    m.on('keypress', (e) => {
      const k = e.originalEvent && e.originalEvent.key;
      if (k === 'Enter' || k === ' ') zoomIn();
    });
    m.on('add', () => label(m, one ? t('clusterOne') : t('clusterLabel', { n: c.count })));
    m.addTo(siteLayer);
  }

  return {
    zoom: () => map.getZoom(),
    /** The map's box was hidden or changed size (back from another page). */
    resize() {
      map.invalidateSize({ pan: false });
    },
    bbox() {
      const b = map.getBounds();
      const f = (x) => x.toFixed(5);
      return [f(b.getWest()), f(b.getSouth()), f(b.getEast()), f(b.getNorth())].join(',');
    },
    /** Cells of about 64 px at the current zoom, for clustering here. */
    cluster(items) {
      const z = map.getZoom();
      const cells = new Map();
      for (const s of items) {
        const p = map.project([s.position.lat, s.position.lon], z);
        const key = `${Math.floor(p.x / 64)}:${Math.floor(p.y / 64)}`;
        let c = cells.get(key);
        if (!c) cells.set(key, (c = { lat: 0, lon: 0, count: 0, tiers: new Set(), site: null }));
        c.lat += s.position.lat;
        c.lon += s.position.lon;
        c.count++;
        c.tiers.add(s.tier);
        c.site = s;
      }
      return [...cells.values()].map((c) => ({
        lat: c.lat / c.count,
        lon: c.lon / c.count,
        count: c.count,
        tiers: [...c.tiers].filter(Boolean),
        site: c.count === 1 ? c.site : null,
      }));
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
    /** Bring a site into view (keeping the zoom unless it is far out). */
    showSite(site) {
      if (!site || !site.position) return;
      const ll = L.latLng(site.position.lat, site.position.lon);
      if (map.getZoom() < 12) map.setView(ll, 14);
      else if (!map.getBounds().pad(-0.1).contains(ll)) map.panTo(ll);
    },
    /** Show the point and these sites together (after the point moved). */
    fitAround(point, sites) {
      const pts = [[point.lat, point.lon], ...sites.map((x) => [x.position.lat, x.position.lon])];
      if (pts.length === 1) return map.setView(pts[0], Math.max(map.getZoom(), 14));
      map.fitBounds(L.latLngBounds(pts).pad(0.15), { maxZoom: 16, animate: false });
    },
  };
}
