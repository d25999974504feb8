// point.js - the point a page measures distances from, for pages other
// than the map: the phone's position when "near me" is tapped (asked only
// then, kept in memory for this visit only, never stored), else the
// district centre the map page worked out and remembered ("wh.centre",
// see map/home.js), else one worked out the same way: where the sites are
// densest.
import { getJson } from './api.js';
import { loadConfig } from './config.js';
import { wgs84ToGcj02 } from './geo.js';

const CENTRE_KEY = 'wh.centre';
const CENTRE_MAX_AGE_MS = 7 * 86400 * 1000;

let fix = null; // {lat, lon, accuracy, datum}: this visit's position, when asked for
let place = null; // {name_zh, name_en} of the district

/** 'gcj02' when the map's tiles are, else 'wgs84': what the API is asked in. */
export async function apiDatum() {
  try {
    const cfg = await loadConfig();
    return cfg.tiles && cfg.tiles.datum === 'gcj02' ? 'gcj02' : 'wgs84';
  } catch {
    return 'wgs84';
  }
}

function stored() {
  try {
    return JSON.parse(localStorage.getItem(CENTRE_KEY) || 'null');
  } catch {
    return null;
  }
}

/** The district centre in datum: {lat, lon}, or null with nothing to go on. */
export async function districtCentre(datum) {
  const saved = stored();
  if (saved && saved.datum === datum && Date.now() - saved.at < CENTRE_MAX_AGE_MS) return saved;
  let centre = null;
  try {
    const r = await getJson('/api/sites/clusters', { bbox: '73,3,136,54', zoom: 5, datum });
    const best = (r.clusters || []).reduce((a, c) => (!a || c.count > a.count ? c : a), null);
    if (best) centre = { lat: best.lat, lon: best.lon };
  } catch {
    /* offline: what was saved, even if old */
  }
  if (!centre) return saved && saved.datum === datum ? saved : null;
  const out = { ...centre, datum, at: Date.now() };
  try {
    localStorage.setItem(CENTRE_KEY, JSON.stringify(out));
  } catch {
    /* not remembered */
  }
  return out;
}

/** The district's name ({name_zh, name_en}) when the data has one district, else null. */
export async function districtName() {
  if (place) return place;
  try {
    const r = await getJson('/api/regions', { roots: 1 });
    if (r.items && r.items.length === 1) place = { name_zh: r.items[0].name_zh, name_en: r.items[0].name_en };
  } catch {
    /* the note says "the district" */
  }
  return place;
}

/** This visit's position (in datum), when "near me" was tapped, else null. */
export function knownFix(datum) {
  return fix && fix.datum === datum ? fix : null;
}

/**
 * Ask the phone where it is: resolves to {lat, lon, accuracy} in datum;
 * rejects with the word key of the reason (geoDenied, geoTimeout, ...).
 */
export function locate(datum) {
  return new Promise((resolve, reject) => {
    if (!navigator.geolocation) {
      reject('geoUnsupported');
      return;
    }
    navigator.geolocation.getCurrentPosition(
      (pos) => {
        let p = { lat: pos.coords.latitude, lon: pos.coords.longitude };
        if (datum === 'gcj02') p = wgs84ToGcj02(p.lat, p.lon);
        fix = { ...p, accuracy: pos.coords.accuracy, datum };
        resolve(fix);
      },
      (err) => reject(err.code === 1 ? 'geoDenied' : err.code === 3 ? 'geoTimeout' : 'geoUnavailable'),
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 30000 },
    );
  });
}
