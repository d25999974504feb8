// sw.js - the Warm New Map service worker. Not bundled with the app; the
// build fills in VERSION and SHELL.
//
// The app shell (page, script, styles, icons, images) is cached at install
// and served from the cache. /api/* is network-first: a good answer is kept
// (with the time it was saved); without a network the kept answer is served
// with X-WH-Offline: 1, so the page can say it may be out of date. When the
// exact question was never answered, the nearest sites (/api/sites/near)
// and the sites in a box (/api/sites?bbox=) are worked out here from every
// site the kept answers hold, for the point or box asked, with
// X-WH-Offline-Computed: N (how many sites it had); other endpoints answer
// with their last answer. The live event stream and all writes go straight
// through.

const VERSION = '__VERSION__';
const SHELL = __SHELL__;
const SHELL_CACHE = `wh-shell-${VERSION}`;
const API_CACHE = 'wh-api-v1';
const API_MAX_ENTRIES = 120;
const API_TIMEOUT_MS = 8000;
const LAST_PREFIX = '/__last__';
const PERSONAL = ['/api/me', '/api/auth', '/api/users', '/api/audit', '/api/qr', '/api/fair-tickets', '/api/bookings', '/api/checkins', '/api/feeds'];
// A fair booth's queue as staff see it (who holds each number); rosters:
// the people booked at a site or a slot (names, masked phones); a grid
// report as its reporter or handlers see it (contact, internal notes), the
// handlers' queue, "me too" candidates with mine marked, and photos (an
// internal one is the handlers' only).
const PERSONAL_RE = [
  /^\/api\/fairs\/[^/]+\/booths\/[^/]+\/tickets$/,
  /^\/api\/(sites|slots)\/[^/]+\/bookings$/,
  /^\/api\/reports\/(\d+|queue|nearby)(\/|$)/,
  /^\/api\/report-photos\//,
];

// Catalogue answers the page needs to make sense of saved sites.
const API_WARM = ['/api/config', '/api/amenities', '/api/site-types', '/api/regions?roots=1'];

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(SHELL_CACHE)
      .then((c) => c.addAll(SHELL.map((p) => new Request(p, { cache: 'reload' }))))
      .then(() => warmApi())
      .then(() => self.skipWaiting()),
  );
});

async function warmApi() {
  const cache = await caches.open(API_CACHE);
  await Promise.all(
    API_WARM.map(async (p) => {
      try {
        const url = new URL(p, self.location.origin);
        const res = await fetch(url.href, { cache: 'no-store' });
        if (res.ok) await keep(cache, url, res);
      } catch {
        /* offline at install: kept on first use instead */
      }
    }),
  );
}

/** Keep a good JSON answer under its URL and as the last one of its path. */
async function keep(cache, url, res) {
  pool = null;
  const body = await res.clone().arrayBuffer();
  const headers = new Headers(res.headers);
  headers.set('X-WH-Saved-At', new Date().toISOString());
  const init = { status: res.status, statusText: res.statusText, headers };
  await cache.put(url.href, new Response(body, init));
  await cache.put(`${self.location.origin}${LAST_PREFIX}${url.pathname}`, new Response(body, init));
}

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) =>
        Promise.all(
          keys.filter((k) => k.startsWith('wh-shell-') && k !== SHELL_CACHE).map((k) => caches.delete(k)),
        ),
      )
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) return; // map tiles: the browser's business
  if (url.pathname === '/api/sites/events') return; // the live stream
  if (PERSONAL.some((p) => url.pathname === p || url.pathname.startsWith(`${p}/`))) return;
  if (PERSONAL_RE.some((re) => re.test(url.pathname))) return;
  if ((req.headers.get('accept') || '').includes('text/event-stream')) return;
  if (url.pathname.startsWith('/api/')) {
    event.respondWith(networkFirst(req, url));
    return;
  }
  if (req.mode === 'navigate') {
    event.respondWith(pageRequest(req));
    return;
  }
  event.respondWith(shellAsset(req));
});

const PAGE_TIMEOUT_MS = 5000; // poor signal: the saved page rather than a blank wait

async function pageRequest(req) {
  try {
    const res = await withTimeout(fetch(req), PAGE_TIMEOUT_MS);
    if (res.ok) return res;
    throw new Error(`HTTP ${res.status}`);
  } catch {
    const cache = await caches.open(SHELL_CACHE);
    return (await cache.match('/index.html')) || (await cache.match('/')) || Response.error();
  }
}

async function shellAsset(req) {
  const cache = await caches.open(SHELL_CACHE);
  const hit = await cache.match(req, { ignoreSearch: true });
  if (hit) return hit;
  return fetch(req);
}

function withTimeout(promise, ms) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timeout')), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

// ---- offline answers worked out from the kept sites -------------------------------

let pool = null; // Map id -> {site, savedAt}, from the kept answers; dropped when one is kept

async function keptSites(cache) {
  if (pool) return pool;
  const out = new Map();
  for (const req of await cache.keys()) {
    const path = new URL(req.url).pathname;
    if (!/^\/api\/sites(\/near|\/\d+)?$/.test(path)) continue;
    const res = await cache.match(req);
    if (!res) continue;
    const savedAt = res.headers.get('X-WH-Saved-At') || '';
    let body;
    try {
      body = await res.json();
    } catch {
      continue;
    }
    const items = Array.isArray(body.items) ? body.items : body.id != null ? [body] : [];
    for (const s of items) {
      if (!s || s.id == null || !s.position) continue;
      // The map asks for part of each site (fields=): a newer answer's
      // fields go over an older one's, the rest of the older stays.
      const was = out.get(s.id);
      if (!was) out.set(s.id, { site: s, savedAt });
      else if (savedAt > was.savedAt) out.set(s.id, { site: { ...was.site, ...s }, savedAt });
      else out.set(s.id, { site: { ...s, ...was.site }, savedAt: was.savedAt });
    }
  }
  pool = out;
  return out;
}

function distanceM(a, b) {
  const rad = Math.PI / 180;
  const dlat = (b.lat - a.lat) * rad;
  const dlon = (b.lon - a.lon) * rad;
  const h = Math.sin(dlat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dlon / 2) ** 2;
  return 2 * 6371008.8 * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** The filters of a map query, checked on a kept site. */
function passes(s, q) {
  const have = new Set((s.amenities || []).filter((a) => a.count > 0).map((a) => a.code));
  const all = (q.get('amenity') || '').split(',').filter(Boolean);
  const any = (q.get('amenity_any') || '').split(',').filter(Boolean);
  if (!all.every((c) => have.has(c))) return false;
  if (any.length && !any.some((c) => have.has(c))) return false;
  if (q.get('type') && s.type !== q.get('type')) return false;
  if (q.get('open') === '1' && !s.open) return false;
  return s.status !== 'removed';
}

/** /api/sites/near or /api/sites?bbox= answered from the kept sites; null: not such a query. */
async function computed(cache, url) {
  const q = url.searchParams;
  const near = url.pathname === '/api/sites/near';
  if (!near && !(url.pathname === '/api/sites' && q.get('bbox'))) return null;
  if (q.get('format')) return null;
  const datum = q.get('datum') || 'wgs84';
  const kept = [...(await keptSites(cache)).values()].filter(
    (x) => (x.site.position.datum || 'wgs84') === datum,
  );
  if (!kept.length) return null;
  let items;
  let body;
  if (near) {
    const p = { lat: Number(q.get('lat')), lon: Number(q.get('lon')) };
    if (!Number.isFinite(p.lat) || !Number.isFinite(p.lon)) return null;
    const k = Math.min(100, Math.max(1, Number(q.get('k')) || 5));
    const radius = Number(q.get('radius_m')) || 0;
    items = kept
      .filter((x) => passes(x.site, q))
      .map((x) => ({ x, d: distanceM(p, x.site.position) }))
      .filter((y) => !radius || y.d <= radius)
      .sort((a, b) => a.d - b.d || a.x.site.id - b.x.site.id)
      .slice(0, k);
    body = { items: items.map((y) => ({ ...y.x.site, distance_m: Math.round(y.d * 10) / 10 })) };
    items = items.map((y) => y.x);
  } else {
    const b = q.get('bbox').split(',').map(Number);
    const limit = Math.min(1000, Math.max(1, Number(q.get('limit')) || 100));
    const offset = Math.max(0, Number(q.get('offset')) || 0);
    const inside = kept
      .filter((x) => passes(x.site, q))
      .filter((x) => {
        const { lat, lon } = x.site.position;
        return lon >= b[0] && lon <= b[2] && lat >= b[1] && lat <= b[3];
      })
      .sort((a, c) => a.site.id - c.site.id);
    items = inside.slice(offset, offset + limit);
    body = { items: items.map((x) => x.site), total: inside.length };
  }
  // The oldest of the answers used: what "saved ... ago" should say.
  const saved = items.map((x) => x.savedAt).filter(Boolean).sort()[0] || '';
  const headers = {
    'Content-Type': 'application/json; charset=utf-8',
    'X-WH-Offline': '1',
    'X-WH-Offline-Computed': String(kept.length),
  };
  if (saved) headers['X-WH-Saved-At'] = saved;
  return new Response(JSON.stringify(body), { status: 200, headers });
}

async function networkFirst(req, url) {
  const cache = await caches.open(API_CACHE);
  try {
    const res = await withTimeout(fetch(req), API_TIMEOUT_MS);
    if (res.ok && (res.headers.get('content-type') || '').includes('json')) {
      await keep(cache, url, res);
      trim(cache);
    }
    return res;
  } catch {
    // The same question answered before; else, for the nearest sites or a
    // box, an answer worked out for this point from the kept sites (the
    // last answer was for another point); else the last answer.
    const hit =
      (await cache.match(url.href)) ||
      (await computed(cache, url).catch(() => null)) ||
      (await cache.match(`${self.location.origin}${LAST_PREFIX}${url.pathname}`));
    if (!hit) {
      return new Response(
        JSON.stringify({ error: { code: 'offline', message: 'no network and nothing saved' } }),
        { status: 503, headers: { 'Content-Type': 'application/json', 'X-WH-Offline': '1' } },
      );
    }
    if (hit.headers.get('X-WH-Offline-Computed')) return hit;
    const headers = new Headers(hit.headers);
    headers.set('X-WH-Offline', '1');
    return new Response(await hit.arrayBuffer(), { status: hit.status, statusText: hit.statusText, headers });
  }
}

let trimming = false;
async function trim(cache) {
  if (trimming) return;
  trimming = true;
  try {
    const keys = await cache.keys();
    const extra = keys.filter((k) => !new URL(k.url).pathname.startsWith(LAST_PREFIX));
    for (let i = 0; i < extra.length - API_MAX_ENTRIES; i++) await cache.delete(extra[i]);
  } finally {
    trimming = false;
  }
}
