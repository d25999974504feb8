// session.js - who is signed in: the answer of GET /api/me, the CSRF token
// cookie writes need, and what the person's roles allow them to see.
//
// The session itself is an HttpOnly cookie the page cannot read, so a
// small flag in localStorage remembers that there may be one: without it
// the page does not ask /api/me (a visitor who never signed in makes no
// request that is sure to fail).
import { request, ApiError } from './api.js';

const HINT_KEY = 'wh.signedIn';

const state = {
  me: null, // the /api/me answer, or null when signed out
  csrf: '',
  checked: false, // /api/me was asked (or there was nothing to ask)
};
const listeners = new Set();
let pending = null;

function hint(on) {
  try {
    if (on) localStorage.setItem(HINT_KEY, '1');
    else localStorage.removeItem(HINT_KEY);
  } catch {
    /* storage blocked: the page asks /api/me every time instead */
  }
}

function hinted() {
  try {
    return localStorage.getItem(HINT_KEY) === '1';
  } catch {
    return true;
  }
}

function changed() {
  for (const fn of listeners) fn(state.me);
}

/** fn(me) whenever the signed-in person (or their data) changes. */
export function onSessionChange(fn) {
  listeners.add(fn);
}

export function me() {
  return state.me;
}

export function csrf() {
  return state.csrf;
}

export function checked() {
  return state.checked;
}

/** The roles that may use the console: find people and verify them. */
export const CONSOLE_ROLES = ['staff', 'region_admin', 'system_admin'];
/** The roles that may grant roles and edit sites. */
export const ADMIN_ROLES = ['region_admin', 'system_admin'];

function roleNames(m = state.me) {
  return new Set((m?.roles || []).map((r) => r.role));
}

/**
 * Whether the person may see what is meant for roles: no list means
 * everyone (signed in or not), a list means signed in with one of them.
 */
export function hasAnyRole(roles, m = state.me) {
  if (!roles) return true;
  const r = roleNames(m);
  return Boolean(m) && roles.some((x) => r.has(x));
}

/** May use the console: find people and verify them (staff and admins). */
export function canConsole(m = state.me) {
  return hasAnyRole(CONSOLE_ROLES, m);
}

/** May grant roles and edit sites (region and system admins). */
export function isAdmin(m = state.me) {
  return hasAnyRole(ADMIN_ROLES, m);
}

export function isSystemAdmin(m = state.me) {
  return roleNames(m).has('system_admin');
}

/**
 * Ask the server who is signed in (once; again with force). Resolves to
 * me or null. A network failure keeps what was known and rethrows.
 */
export function refresh({ force = false } = {}) {
  if (!force && state.checked) return Promise.resolve(state.me);
  if (!force && !hinted()) {
    state.checked = true;
    return Promise.resolve(null);
  }
  if (pending) return pending;
  pending = request('GET', '/api/me')
    .then((m) => {
      setMe(m);
      return m;
    })
    .catch((e) => {
      if (e instanceof ApiError && e.status === 401) {
        signedOut();
        return null;
      }
      throw e;
    })
    .finally(() => {
      pending = null;
    });
  return pending;
}

function setMe(m) {
  state.me = m;
  if (m && m.csrf_token) state.csrf = m.csrf_token;
  state.checked = true;
  hint(Boolean(m));
  changed();
}

/** After register or login: {user, roles, csrf_token, expires_at}. */
export function signedIn(answer) {
  state.csrf = answer.csrf_token || '';
  setMe({ ...answer.user, roles: answer.roles || [], csrf_token: state.csrf });
}

/** Merge a PATCH /api/me answer (the person without roles) into me. */
export function updateMe(user) {
  if (!state.me) return;
  setMe({ ...state.me, ...user, roles: state.me.roles, csrf_token: state.csrf });
}

export function signedOut() {
  state.me = null;
  state.csrf = '';
  state.checked = true;
  hint(false);
  changed();
}

/**
 * A call as the signed-in person (the CSRF token added to writes). A 401
 * means the session is gone: the page forgets it before rethrowing.
 */
export async function call(method, path, opts = {}) {
  try {
    return await request(method, path, { ...opts, csrf: state.csrf });
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    if (e.status === 401 && state.me) signedOut();
    // A token from before a reload or another tab's sign-in: fetch the
    // current one and try once more.
    if (e.code === 'csrf_failed' && !opts.retried) {
      await refresh({ force: true });
      return call(method, path, { ...opts, retried: true });
    }
    throw e;
  }
}
