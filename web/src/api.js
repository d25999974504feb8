// api.js - the JSON API: one GET helper that notices answers the service
// worker served from its cache (offline), and the queries the page makes,
// including the fan-out that turns "any of" filters into several calls.

export class ApiError extends Error {
  /** status 0 (and code 'network') when the server could not be reached. */
  constructor(status, code, message, { field = null, retryAfter = null, details = null } = {}) {
    super(message || code || `HTTP ${status}`);
    this.details = details; // the whole error object of the answer (e.g. signups_paused's until)
    this.status = status;
    this.code = code;
    this.field = field; // the request field the error is about, when the server names one
    this.retryAfter = retryAfter; // seconds, from Retry-After (429)
  }
}

const listeners = new Set();
/**
 * fn({channel, cached, savedAt, basis}) after every answer (or network
 * failure). basis: null, or for an answer the service worker worked out
 * offline from the sites it had saved, {pool}: how many it had.
 */
export function onFreshness(fn) {
  listeners.add(fn);
}
function report(channel, cached, savedAt, basis = null) {
  for (const fn of listeners) fn({ channel, cached, savedAt, basis });
}

export function buildUrl(path, params = {}) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '' || v === false) continue;
    q.set(k, v === true ? '1' : String(v));
  }
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

export async function getJson(path, params, { channel = 'misc', signal } = {}) {
  const url = buildUrl(path, params);
  let res;
  try {
    res = await fetch(url, { signal, headers: { Accept: 'application/json' } });
  } catch (e) {
    if (e.name !== 'AbortError') report(channel, true, null);
    throw e;
  }
  const cached = res.headers.get('X-WH-Offline') === '1';
  const computed = res.headers.get('X-WH-Offline-Computed');
  report(channel, cached, res.headers.get('X-WH-Saved-At'), computed ? { pool: Number(computed) || 0 } : null);
  let body = null;
  try {
    body = await res.json();
  } catch {
    body = null;
  }
  if (!res.ok) {
    const err = body && body.error ? body.error : {};
    throw new ApiError(res.status, err.code, err.message);
  }
  return body;
}

/**
 * A call with the session cookie: any method, an optional JSON body, and
 * the CSRF token the server asks of cookie writes (or text: another body,
 * of contentType); headers: more of them
 * (an Idempotency-Key). Resolves to the parsed
 * answer (null for 204); rejects with ApiError (status 0 without network).
 */
export async function request(method, path, { json, text, contentType, csrf, params, signal, headers: extra } = {}) {
  const headers = { Accept: 'application/json', ...extra };
  if (json !== undefined) headers['Content-Type'] = 'application/json';
  else if (text !== undefined) headers['Content-Type'] = contentType || 'text/plain; charset=utf-8';
  if (csrf && method !== 'GET') headers['X-CSRF-Token'] = csrf;
  let res;
  try {
    res = await fetch(buildUrl(path, params), {
      method,
      headers,
      body: json !== undefined ? JSON.stringify(json) : text,
      credentials: 'same-origin',
      cache: 'no-store',
      signal,
    });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, 'network', e.message);
  }
  if (res.status === 204) return null;
  const body = await res.json().catch(() => null);
  if (!res.ok) {
    const err = body && body.error ? body.error : {};
    const retry = Number(res.headers.get('Retry-After'));
    throw new ApiError(res.status, err.code || (res.headers.get('X-WH-Offline') ? 'offline' : undefined), err.message, {
      field: err.field || null,
      retryAfter: Number.isFinite(retry) && retry > 0 ? retry : null,
      details: body && body.error ? body.error : null,
    });
  }
  return body;
}

// The server takes at most this many amenity codes at once; the rest are
// checked here on the answers.
const MAX_SERVER_AMENITIES = 4;

function splitAmenities(codes) {
  return {
    server: codes.slice(0, MAX_SERVER_AMENITIES),
    local: codes.slice(MAX_SERVER_AMENITIES),
  };
}

function hasAll(site, codes) {
  if (!codes.length) return true;
  const have = new Set((site.amenities || []).map((a) => a.code));
  return codes.every((c) => have.has(c));
}

function altParams(alt) {
  const { server } = splitAmenities(alt.amenities);
  return {
    amenity: server.join(','),
    amenity_any: (alt.any || []).join(','),
    type: alt.type,
    service_category: alt.category,
  };
}

// What the map page shows of a site before its sheet loads the whole of it
// (fields=: the rest of each answer costs the phone nothing). A marker:
// name, tier, open state (status and status_until say why), position, and
// the amenities the page filters on. A list card adds the type, distance
// and live values.
const MARKER_FIELDS = 'name_zh,name_en,tier,status,status_until,open,next_change,position,amenities';
const LIST_FIELDS = `${MARKER_FIELDS},type,distance_m,live`;

/**
 * Nearest sites for a list of alternatives (each {amenities:[...], type}):
 * one /near call each, merged by id, nearest first, k at most.
 */
export async function nearSites({ point, k, alts, open, datum, signal }) {
  const answers = await Promise.all(
    alts.map((alt) =>
      getJson(
        '/api/sites/near',
        { lat: point.lat.toFixed(6), lon: point.lon.toFixed(6), k, ...altParams(alt), open, datum, fields: LIST_FIELDS },
        { channel: 'list', signal },
      ).then((r) => (r.items || []).filter((s) => hasAll(s, splitAmenities(alt.amenities).local))),
    ),
  );
  const byId = new Map();
  for (const items of answers) for (const s of items) if (!byId.has(s.id)) byId.set(s.id, s);
  return [...byId.values()]
    .sort((a, b) => (a.distance_m ?? Infinity) - (b.distance_m ?? Infinity) || a.id - b.id)
    .slice(0, k);
}

/** Sites inside a bbox for the alternatives, merged by id. */
export async function bboxSites({ bbox, alts, open, datum, limit, signal }) {
  const answers = await Promise.all(
    alts.map((alt) =>
      getJson(
        '/api/sites',
        { bbox, ...altParams(alt), open, datum, limit, fields: MARKER_FIELDS },
        { channel: 'map', signal },
      ).then((r) => ({
        items: (r.items || []).filter((s) => hasAll(s, splitAmenities(alt.amenities).local)),
        truncated: (r.total ?? 0) > (r.items || []).length,
      })),
    ),
  );
  const byId = new Map();
  let truncated = false;
  for (const a of answers) {
    truncated ||= a.truncated;
    for (const s of a.items) if (!byId.has(s.id)) byId.set(s.id, s);
  }
  return { items: [...byId.values()], truncated };
}

export async function clusters({ bbox, zoom, alt, open, datum, signal }) {
  return getJson(
    '/api/sites/clusters',
    { bbox, zoom, ...altParams(alt), open, datum },
    { channel: 'map', signal },
  );
}

export function siteDetail(id, datum, signal) {
  return getJson(`/api/sites/${id}`, { datum }, { channel: 'sheet', signal });
}

/**
 * A fresh Idempotency-Key: the server does a signed-in POST carrying it
 * once, and answers a repeat (a retry after a lost answer) with the first
 * answer. crypto.randomUUID needs a secure context, getRandomValues not.
 */
export function idempotencyKey() {
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}
