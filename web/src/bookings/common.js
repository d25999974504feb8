// common.js - what the booking pages share (the worker's, staff's and
// providers'): the API's reads, kinds and states in words, a site's
// "navigate" buttons, the guard of pages meant for some roles, and the
// booking errors in plain words.
import { h } from '../dom.js';
import { t, pick } from '../i18n.js';
import { icon } from '../icons.js';
import { getJson, ApiError } from '../api.js';
import * as session from '../session.js';
import { formAlert, errorMessage } from '../forms.js';
import { pageTitle, needSignIn } from '../page.js';
import { durationWords, todayKey, dayKey } from './time.js';

/** Kinds of offering the worker's page sorts by, in its order. */
export const KINDS = ['appointment', 'workshop', 'package'];
/** Every kind the API knows. */
export const ALL_KINDS = ['appointment', 'workshop', 'package', 'fair_booth', 'other'];

/** Who may manage offerings and slots (the API's MANAGERS). */
export const MANAGER_ROLES = ['staff', 'provider', 'region_admin', 'system_admin'];
/** Who may see a site's bookings of the day (the API's SITE_STAFF). */
export const SITE_STAFF_ROLES = ['staff', 'region_admin', 'system_admin'];

// ---- reads --------------------------------------------------------------------

const siteCache = new Map(); // id -> Promise<site>

/** A site (names, address, position, nav links), asked once per page load. */
export function siteById(id) {
  const key = String(id);
  if (!siteCache.has(key)) {
    const p = getJson(`/api/sites/${encodeURIComponent(key)}`, { datum: 'wgs84' }).catch((e) => {
      siteCache.delete(key);
      throw e;
    });
    siteCache.set(key, p);
  }
  return siteCache.get(key);
}

/** Sites by id for a list of ids; those that fail are left out. */
export async function sitesById(ids) {
  const out = new Map();
  await Promise.all(
    [...new Set(ids.filter(Boolean).map(String))].map((id) =>
      siteById(id)
        .then((s) => out.set(String(s.id), s))
        .catch(() => {}),
    ),
  );
  return out;
}

const orgCache = new Map();

/** An organization by code (names), or null when it cannot be read. */
export function orgByCode(code) {
  if (!code) return Promise.resolve(null);
  if (!orgCache.has(code))
    orgCache.set(
      code,
      getJson(`/api/organizations/${encodeURIComponent(code)}`).catch(() => {
        orgCache.delete(code);
        return null;
      }),
    );
  return orgCache.get(code);
}

// ---- words ---------------------------------------------------------------------

export function kindWord(kind) {
  return t(`bkKind_${ALL_KINDS.includes(kind) ? kind : 'other'}`);
}

/** A booking's state in words, and its shape (an icon, so it does not rest on colour). */
export function stateTag(state, extra) {
  const shapes = {
    confirmed: 'check',
    checked_in: 'check',
    held: 'clock',
    offered: 'clock',
    waitlisted: 'clock',
    cancelled: 'close',
    no_show: 'close',
  };
  return h(
    'span',
    { class: `bk-state bk-state-${state}`, 'data-state': state },
    h('span', { class: 'bk-state-icon', svg: icon(shapes[state] || 'dot', 'icon icon-sm') }),
    t(`bkState_${state}`),
    extra ? ` · ${extra}` : null,
  );
}

/** "开始前 1 小时可取消" / "可随时取消" for an offering's or slot's cut-off. */
export function cutoffWords(cutoffS) {
  return cutoffS > 0 ? t('bkCutoffRule', { time: durationWords(cutoffS) }) : t('bkCutoffNone');
}

/** The text of an offering's or a slot's title, with its language. */
export function titleOf(x) {
  return pick(x, 'title');
}

/** The names of a slot's site (the slot carries them). */
export function slotSiteName(s) {
  return pick({ name_zh: s.site_name_zh, name_en: s.site_name_en }, 'name');
}

const NAV = ['amap', 'baidu', 'tencent'];

/**
 * A site's way there: the first map app as a big button, the others
 * smaller; a phone to call. Nothing when the site has no position.
 */
export function navButtons(site, idPrefix = 'bk', { one = false } = {}) {
  const nav = (site && site.nav) || {};
  const keys = NAV.filter((k) => nav[k]).slice(0, one ? 1 : NAV.length);
  if (!keys.length) return null;
  return h(
    'div',
    { class: 'bk-nav' },
    keys.map((k, i) =>
      h(
        'a',
        {
          class: i === 0 && !one ? 'btn btn-primary bk-nav-main' : 'btn btn-secondary bk-nav-main',
          id: `${idPrefix}-nav-${k}`,
          href: nav[k],
          target: '_blank',
          rel: 'noopener noreferrer',
          'data-nav': k,
        },
        h('span', { svg: icon('nav') }),
        t(i === 0 ? 'bkNavigateWith' : 'bkOpenIn', { app: t(`bkApp_${k}`) }),
      ),
    ),
  );
}

/** A site's name, address and phone as a block. */
export function siteBlock(site, fallbackName) {
  if (!site) return fallbackName ? h('p', { class: 'bk-site-name', lang: fallbackName.lang }, fallbackName.text) : null;
  const name = pick(site, 'name');
  const addr = pick(site, 'address');
  const phone = (site.phone || '').trim();
  return h(
    'div',
    { class: 'bk-site' },
    h('p', { class: 'bk-site-name' }, h('span', { svg: icon('pin', 'icon icon-sm') }), h('span', { lang: name.lang }, name.text)),
    addr.text ? h('p', { class: 'bk-site-addr', lang: addr.lang }, addr.text) : null,
    phone
      ? h(
          'p',
          { class: 'bk-site-phone' },
          h('a', { href: `tel:${phone.replace(/[^0-9+]/g, '')}`, class: 'bk-tel' }, h('span', { svg: icon('phone', 'icon icon-sm') }), phone),
        )
      : null,
  );
}

// ---- errors ---------------------------------------------------------------------

/**
 * An error of the booking API in plain words: the booking pages' own
 * words first (<prefix>_<code>_<field>, then <prefix>_<code> for each
 * prefix: bkErr here, ciErr and ofErr on the staff and providers' pages;
 * their codes are theirs, so they do not take words other features may
 * give the same code), then the shared ones (forms.js).
 */
export function problemWords(e, prefixes = ['bkErr']) {
  if (e instanceof ApiError && e.code) {
    for (const p of prefixes) {
      for (const key of [`${p}_${e.code}_${e.field}`, `${p}_${e.code}`]) {
        const w = t(key);
        if (w !== key) return w.replace('{message}', e.message || '');
      }
    }
  }
  return errorMessage(e);
}

/**
 * placeError (forms.js) with these words: next to the field the server
 * named when the form has it (fieldOf: API field -> form key, or a
 * function), else on the form.
 */
export function placeProblem(form, e, fieldOf = {}, prefixes = ['bkErr']) {
  const msg = problemWords(e, prefixes);
  const f = e instanceof ApiError ? e.field : null;
  const key = f ? (typeof fieldOf === 'function' ? fieldOf(f) : fieldOf[f]) : null;
  if (key) form.errors[key] = msg;
  else form.alert = msg;
}

/**
 * A booking error in plain words, with what the person can do about it
 * (a link or two), as a block to put next to the button that failed.
 */
export function bookingProblem(e, { id, offeringId, lead, prefixes } = {}) {
  const words = problemWords(e, prefixes);
  const msg = lead ? t('bkLeadFmt', { lead, msg: words }) : words;
  const links = [];
  if (e instanceof ApiError) {
    if (e.code === 'verification_required') {
      links.push(h('a', { href: '#/me' }, t('bkSeeMyVerification')));
      links.push(h('a', { href: '#/' }, t('bkFindStation')));
    }
    if (e.code === 'already_booked') links.push(h('a', { href: '#/bookings' }, t('bkSeeMine')));
    if ((e.code === 'full' || e.code === 'slot_past' || e.code === 'slot_cancelled') && offeringId)
      links.push(h('a', { href: `#/offerings/${offeringId}` }, t('bkOtherTimes')));
  }
  return h(
    'div',
    { class: 'bk-problem', id, role: 'alert', tabindex: '-1' },
    h('p', { class: 'field-error' }, h('span', { class: 'err-icon', svg: icon('warn', 'icon icon-sm') }), msg),
    links.length ? h('p', { class: 'bk-problem-links' }, links) : null,
  );
}

// ---- pages for some roles ---------------------------------------------------------

/**
 * May the signed-in person see a page meant for roles? Sends to sign-in
 * when nobody is signed in; draws "not for you" and returns false when
 * their roles do not reach it. Synchronous (later drawings must be).
 */
export function rolesAllowed(root, path, roles, { title, denied = 'bkManagersOnly' } = {}) {
  if (!session.me()) {
    needSignIn(path);
    return false;
  }
  if (session.hasAnyRole(roles)) return true;
  root.replaceChildren(
    h(
      'div',
      { class: 'page' },
      pageTitle(title || t('console')),
      formAlert(t(denied)),
      h('p', null, h('a', { href: '#/book', class: 'btn btn-secondary' }, t('bkBackToBook'))),
    ),
  );
  return false;
}

/** The first drawing of a page that needs to know who is signed in: asked afresh. */
export async function whoFirst(root, title) {
  try {
    await session.refresh({ force: true });
    return true;
  } catch (e) {
    root.replaceChildren(h('div', { class: 'page' }, pageTitle(title), formAlert(errorMessage(e))));
    return false;
  }
}

/** A loading page: its title and "loading". */
export function loadingPage(title, crumbs) {
  return h('div', { class: 'page' }, crumbs || null, pageTitle(title), h('p', { class: 'muted', role: 'status' }, t('loading')));
}

/** A page that could not load: its title and why. */
export function failedPage(title, e, crumbs) {
  const gone = e instanceof ApiError && e.status === 404;
  return h('div', { class: 'page' }, crumbs || null, pageTitle(title), formAlert(gone ? t('bkGone') : problemWords(e)));
}

/** "← words" link above a page's title. */
export function crumbs(href, words) {
  return h('p', { class: 'crumbs' }, h('a', { href }, words));
}

/** May a booked slot be checked in now (from the start of its day, UTC+8, until it ends)? */
export function checkInOpen(slot, now = Date.now()) {
  return now < Date.parse(slot.end) && todayKey(now) >= dayKey(slot.start);
}

/** The ticket as staff read it aloud or type it: groups of six. */
export function groupCode(code) {
  return String(code || '').replace(/(.{6})(?=.)/g, '$1 ');
}
