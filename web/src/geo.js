// geo.js - the one datum conversion the page needs (a phone's WGS-84 fix
// onto a GCJ-02 map) and a great-circle distance. The conversion mirrors
// src/geo/coord.c (forward direction only).

const KRAS_A = 6378245.0;
const KRAS_EE = 0.00669342162296594323;
const EARTH_R = 6371008.8;
const rad = (d) => (d * Math.PI) / 180;

export function inChina(lat, lon) {
  return lon >= 72.004 && lon <= 137.8347 && lat >= 0.8293 && lat <= 55.8271;
}

function offsetLatM(x, y) {
  let r = -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
  r += ((20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2) / 3;
  r += ((20 * Math.sin(y * Math.PI) + 40 * Math.sin((y / 3) * Math.PI)) * 2) / 3;
  r += ((160 * Math.sin((y / 12) * Math.PI) + 320 * Math.sin((y / 30) * Math.PI)) * 2) / 3;
  return r;
}

function offsetLonM(x, y) {
  let r = 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
  r += ((20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2) / 3;
  r += ((20 * Math.sin(x * Math.PI) + 40 * Math.sin((x / 3) * Math.PI)) * 2) / 3;
  r += ((150 * Math.sin((x / 12) * Math.PI) + 300 * Math.sin((x / 30) * Math.PI)) * 2) / 3;
  return r;
}

/** WGS-84 -> GCJ-02 (identity outside China). */
export function wgs84ToGcj02(lat, lon) {
  if (!inChina(lat, lon)) return { lat, lon };
  const x = lon - 105;
  const y = lat - 35;
  const s = Math.sin(rad(lat));
  const w2 = 1 - KRAS_EE * s * s;
  const w = Math.sqrt(w2);
  const m = (KRAS_A * (1 - KRAS_EE)) / (w2 * w);
  const n = KRAS_A / w;
  return {
    lat: lat + (offsetLatM(x, y) * 180) / (m * Math.PI),
    lon: lon + (offsetLonM(x, y) * 180) / (n * Math.cos(rad(lat)) * Math.PI),
  };
}

/** Great-circle distance in metres (haversine). */
export function distanceM(a, b) {
  const dLat = rad(b.lat - a.lat);
  const dLon = rad(b.lon - a.lon);
  const h =
    Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_R * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** GCJ-02 -> WGS-84, by iterating the forward conversion (well under a metre). */
export function gcj02ToWgs84(lat, lon) {
  if (!inChina(lat, lon)) return { lat, lon };
  let w = { lat, lon };
  for (let i = 0; i < 6; i++) {
    const g = wgs84ToGcj02(w.lat, w.lon);
    w = { lat: w.lat + (lat - g.lat), lon: w.lon + (lon - g.lon) };
  }
  return w;
}

const BD_X = (Math.PI * 3000) / 180;

/** BD-09 -> GCJ-02 (Baidu's published offset, as src/geo/coord.c has it). */
export function bd09ToGcj02(lat, lon) {
  const x = lon - 0.0065;
  const y = lat - 0.006;
  const z = Math.sqrt(x * x + y * y) - 0.00002 * Math.sin(y * BD_X);
  const th = Math.atan2(y, x) - 0.000003 * Math.cos(x * BD_X);
  return { lat: z * Math.sin(th), lon: z * Math.cos(th) };
}

/** A point from one datum ('wgs84', 'gcj02', 'bd09') to 'wgs84' or 'gcj02'. */
export function convertPoint(lat, lon, from, to) {
  if (from === to) return { lat, lon };
  const g = from === 'bd09' ? bd09ToGcj02(lat, lon) : from === 'wgs84' ? wgs84ToGcj02(lat, lon) : { lat, lon };
  return to === 'gcj02' ? g : gcj02ToWgs84(g.lat, g.lon);
}

/**
 * The phone's position, once: resolves to {lat, lon, accuracy} (WGS-84,
 * metres), rejects when there is none (no GPS, not allowed, too slow).
 */
export function phonePosition({ timeout = 15000 } = {}) {
  return new Promise((resolve, reject) => {
    if (!navigator.geolocation) {
      reject(new Error('geolocation unsupported'));
      return;
    }
    navigator.geolocation.getCurrentPosition(
      (p) => resolve({ lat: p.coords.latitude, lon: p.coords.longitude, accuracy: p.coords.accuracy }),
      reject,
      { enableHighAccuracy: true, timeout, maximumAge: 30000 },
    );
  });
}
