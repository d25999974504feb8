// sw.js - the Warm New Map service worker. Not bundled with the app; the
// build fills in VERSION and SHELL.
//
// The app shell (page, script, styles, icons, images) is cached at install
// and served from the cache. /api/* is network-first: a good answer is kept
// (with the time it was saved); without a network the kept answer is served
// with X-WH-Offline: 1, so the page can say it may be out of date. When the
// exact question was never answered, the last answer to the same endpoint
// stands in. The live event stream and all writes go straight through.

const VERSION = '__VERSION__';
const SHELL = __SHELL__;
const SHELL_CACHE = `wh-shell-${VERSION}`;
const API_CACHE = 'wh-api-v1';
const API_MAX_ENTRIES = 120;
const API_TIMEOUT_MS = 8000;
const LAST_PREFIX = '/__last__';
const PERSONAL = ['/api/me', '/api/auth', '/api/users', '/api/audit', '/api/qr', '/api/bookings', '/api/checkins', '/api/feeds'];
// Rosters: the people booked at a site or a slot (names, masked phones).
const PERSONAL_RE = /^\/api\/(sites|slots)\/[^/]+\/bookings$/;

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
  if (PERSONAL_RE.test(url.pathname)) return;
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
    const hit =
      (await cache.match(url.href)) ||
      (await cache.match(`${self.location.origin}${LAST_PREFIX}${url.pathname}`));
    if (!hit) {
      return new Response(
        JSON.stringify({ error: { code: 'offline', message: 'no network and nothing saved' } }),
        { status: 503, headers: { 'Content-Type': 'application/json', 'X-WH-Offline': '1' } },
      );
    }
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
