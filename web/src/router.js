// router.js - hash routes: "#/" (or no hash) is the map, "#/login",
// "#/me", "#/admin/sites/12" ... are pages. A hash that does not start
// with "#/" (an in-page anchor) is not a route and changes nothing. What
// follows "?" ("#/?amenity=rain&open=1", "#/site/12?open=1") is the
// route's query, handed to the view with its params.

const routes = []; // {parts, view}
let onRoute = () => {};
let currentPath = null;

/** pattern: '/admin/sites/:id'; view: anything the caller wants back. */
export function route(pattern, view) {
  routes.push({ parts: pattern.split('/').filter(Boolean), view });
}

function match(path) {
  const parts = path.split('/').filter(Boolean);
  for (const r of routes) {
    if (r.parts.length !== parts.length) continue;
    const params = {};
    let ok = true;
    for (let i = 0; i < parts.length && ok; i++) {
      if (r.parts[i].startsWith(':')) params[r.parts[i].slice(1)] = decodeURIComponent(parts[i]);
      else ok = r.parts[i] === parts[i];
    }
    if (ok) return { view: r.view, params, path };
  }
  return null;
}

function pathOf(hash) {
  if (!hash || hash === '#') return '/';
  if (!hash.startsWith('#/')) return null;
  return hash.slice(1).split('?')[0] || '/';
}

export function currentRoute() {
  return currentPath;
}

/** Go to a route; replace: do not leave the current one in history. */
export function go(path, { replace = false } = {}) {
  const hash = path === '/' ? '#/' : `#${path}`;
  if (location.hash === hash) {
    dispatch();
    return;
  }
  if (replace) {
    history.replaceState(history.state, '', hash);
    dispatch();
  } else {
    location.hash = hash;
  }
}

/** The query of a route hash ("#/?open=1" -> URLSearchParams). */
export function queryOf(hash) {
  const i = (hash || '').indexOf('?');
  return new URLSearchParams(i >= 0 ? hash.slice(i + 1) : '');
}

function dispatch() {
  const path = pathOf(location.hash);
  if (path === null) return; // an anchor, not a route
  const m = match(path) || match('/');
  currentPath = m.path;
  onRoute({ ...m, query: queryOf(location.hash) });
}

/** Start: fn({view, params, path}) now and on every route change. */
export function startRouter(fn) {
  onRoute = fn;
  window.addEventListener('hashchange', dispatch);
  if (pathOf(location.hash) === null) {
    currentPath = '/';
    onRoute({ ...match('/'), query: new URLSearchParams() });
  } else {
    dispatch();
  }
}
