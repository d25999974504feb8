// me.js - "me": what matters to the person's roles. A worker (no role)
// sees whether they are verified and what that gets them, their QR code
// and their bookings, loans, lockers, points; staff see their sites first;
// admins their consoles. Then the profile, the password (for those who
// have or need one), roles, signed-in devices, their data (export,
// erase), and signing out last.
import { h } from '../dom.js';
import { t, lang, formatAge } from '../i18n.js';
import { icon } from '../icons.js';
import { request, ApiError } from '../api.js';
import * as session from '../session.js';
import { field, bound, checkGroup, options, formAlert, button, errorMessage, placeError, focusProblem } from '../forms.js';
import { redraw, pageTitle, needSignIn } from '../page.js';
import { OCCUPATIONS, occupationName, platformName, roleScopeText, scopeNames, loadPlatforms, platformChoices, platformsValue } from './people.js';
import { loadPrivacyVersion, privacyVersion } from './privacy.js';
import { showSignedOut } from './signin.js';
import { notes } from './notes.js';
import { totpBlock, loadTotp, leaveTotp } from './totp.js';

const profile = { name: '', occupation: '', platforms: new Set(), errors: {}, alert: '', note: '', busy: false, dirty: false, forId: null };
// The password form. Changing a password someone already has needs the
// current one, or a fresh code sent to their phone (way: 'current' or
// 'code'); either way the server then ends their other sessions.
const pw = { open: false, password: '', confirm: '', current: '', code: '', way: 'current', smsDown: false, codeBusy: false, codeNote: '', codeUntil: 0, errors: {}, alert: '', note: '', busy: false };
const RESEND_S = 60; // before another code may be asked for
let codeTicker = 0;
const sess = { items: null, error: '', note: '', busy: null };
const data = { confirming: false, busy: false, alert: '' };

function loadProfile(m) {
  if (profile.forId === m.id && profile.dirty) return;
  profile.forId = m.id;
  profile.name = m.display_name || '';
  profile.occupation = m.occupation || 'other';
  profile.platforms = new Set(m.platforms || []);
  profile.dirty = false;
}

async function saveProfile(ev) {
  ev.preventDefault();
  const f = profile;
  f.errors = {};
  f.alert = '';
  f.note = '';
  if (!f.name.trim()) f.errors.display_name = t('err_name_missing');
  if (Object.keys(f.errors).length) {
    redraw();
    focusProblem(document.getElementById('profile-form'));
    return;
  }
  f.busy = true;
  redraw();
  try {
    const u = await session.call('PATCH', '/api/me', {
      json: {
        display_name: f.name.trim(),
        occupation: f.occupation,
        platforms: platformsValue(f.platforms),
      },
    });
    f.dirty = false;
    f.busy = false;
    session.updateMe(u);
    loadProfile(session.me());
    f.note = t('saved');
  } catch (e) {
    f.busy = false;
    if (signedOutMeanwhile(e)) return;
    placeError(f, e, { display_name: 'display_name', occupation: 'occupation', platforms: 'platforms' });
  }
  redraw();
  const form = document.getElementById('profile-form');
  if (!form) return;
  focusProblem(form);
  if (f.note) form.querySelector('.form-alert')?.focus();
}

async function savePassword(ev) {
  ev.preventDefault();
  const f = pw;
  const had = Boolean(session.me()?.has_password);
  f.errors = {};
  f.alert = '';
  f.note = '';
  if (had && f.way === 'current' && !f.current) f.errors.current = t('err_current_missing');
  if (had && f.way === 'code' && !/^\d{6}$/.test(f.code.trim())) f.errors.code = t(f.code ? 'err_code_format' : 'err_code_missing');
  if (f.password.length < 10) f.errors.password = t('err_password_short');
  else if (f.password !== f.confirm) f.errors.confirm = t('err_password_mismatch');
  if (Object.keys(f.errors).length) {
    redraw();
    focusProblem(document.getElementById('password-form'));
    return;
  }
  const json = { password: f.password };
  if (had && f.way === 'current') json.current_password = f.current;
  if (had && f.way === 'code') json.code = f.code.trim();
  f.busy = true;
  redraw();
  try {
    const u = await session.call('PATCH', '/api/me', { json });
    Object.assign(f, { password: '', confirm: '', current: '', code: '', codeNote: '', way: 'current', busy: false, note: t(had ? 'passwordChangedNote' : 'passwordSetNote') });
    session.updateMe(u);
    // The server ended every other session: the list says so.
    await loadSessions();
  } catch (e) {
    f.busy = false;
    if (signedOutMeanwhile(e)) return;
    // Too many wrong tries are counted against the phone: said next to
    // the field the person was proving themselves with.
    const reauth = f.way === 'code' ? 'code' : 'current';
    placeError(f, e, { password: 'password', current_password: 'current', code: 'code', phone: reauth });
  }
  redraw();
  const form = document.getElementById('password-form');
  if (!form) return;
  focusProblem(form);
  if (f.note) form.querySelector('.form-alert')?.focus();
}

/** A 401 ended the session: the page is on its way to sign-in (see ended.js). */
function signedOutMeanwhile(e) {
  return e instanceof ApiError && e.status === 401 && !session.me();
}

function codeSecondsLeft() {
  return Math.max(0, Math.ceil((pw.codeUntil - Date.now()) / 1000));
}

/** Every second while the countdown runs: the button's words, in place. */
function codeTick() {
  const b = document.getElementById('me-password-get-code');
  const s = codeSecondsLeft();
  if (b && b.getAttribute('aria-busy') !== 'true') {
    b.textContent = s ? t('resendIn', { n: s }) : t('getCode');
    b.disabled = s > 0;
  }
  if (!s) {
    clearInterval(codeTicker);
    codeTicker = 0;
  }
}

/** A code for changing the password: the same kind as for signing in. */
async function askPasswordCode() {
  const f = pw;
  const phone = session.me()?.phone;
  if (!phone) return;
  f.errors = {};
  f.alert = '';
  f.note = '';
  f.codeBusy = true;
  redraw();
  try {
    const r = await request('POST', '/api/auth/otp', { json: { phone, purpose: 'login' } });
    f.codeNote = t('codeSent', { phone: `${phone.slice(0, 3)}****${phone.slice(7)}`, min: Math.round((r.expires_in || 300) / 60) });
    f.codeUntil = Date.now() + RESEND_S * 1000;
  } catch (e) {
    if (e instanceof ApiError && e.code === 'sms_unavailable') {
      f.smsDown = true;
      f.way = 'current';
      f.alert = t('smsDownReauth');
    } else {
      if (e instanceof ApiError && e.code === 'rate_limited') f.codeUntil = Date.now() + (e.retryAfter || RESEND_S) * 1000;
      f.errors.code = errorMessage(e);
    }
  }
  f.codeBusy = false;
  if (codeSecondsLeft() && !codeTicker) codeTicker = setInterval(codeTick, 1000);
  redraw();
  if (f.errors.code || f.alert) focusProblem(document.getElementById('password-form'));
  else document.getElementById('me-password-code')?.focus();
}

/** Current password, or a code: a choice of two, as on the sign-in page. */
function reauthFields() {
  const f = pw;
  const wayBtn = (way, key) =>
    h(
      'button',
      {
        type: 'button',
        class: 'seg-btn',
        id: `me-password-way-${way}`,
        'aria-pressed': f.way === way ? 'true' : 'false',
        disabled: way === 'code' && f.smsDown,
        onclick: () => {
          f.way = way;
          f.errors = {};
          f.alert = '';
          redraw();
          document.getElementById(way === 'code' ? 'me-password-code' : 'me-password-current')?.focus();
        },
      },
      t(key),
    );
  const seg = h('div', { class: 'seg seg-mode', role: 'group', 'aria-label': t('reauthWay') }, wayBtn('current', 'withCurrentPassword'), wayBtn('code', 'withSmsCode'));
  if (f.way === 'current') {
    return [
      seg,
      field({
        id: 'me-password-current',
        name: 'current_password',
        label: t('currentPassword'),
        hint: t('reauthHint'),
        error: f.errors.current,
        input: bound('input', f, 'current', { type: 'password', autocomplete: 'current-password' }),
      }),
    ];
  }
  const input = bound('input', f, 'code', { type: 'text', inputmode: 'numeric', autocomplete: 'one-time-code', maxlength: '6', pattern: '[0-9]*', class: 'input input-code' });
  const s = codeSecondsLeft();
  return [
    seg,
    field({
      id: 'me-password-code',
      name: 'code',
      label: t('codeLabel'),
      hint: f.codeNote || t('codeHint'),
      error: f.errors.code,
      input,
      control: h(
        'div',
        { class: 'input-row' },
        input,
        button(s ? t('resendIn', { n: s }) : t('getCode'), {
          id: 'me-password-get-code',
          cls: 'btn btn-secondary btn-code',
          busy: f.codeBusy,
          disabled: s > 0,
          onclick: askPasswordCode,
        }),
      ),
    }),
  ];
}

async function loadSessions() {
  try {
    const r = await session.call('GET', '/api/me/sessions');
    sess.items = r.items || [];
    sess.error = '';
  } catch (e) {
    sess.error = errorMessage(e);
  }
}

async function endSession(s) {
  sess.busy = s.id;
  sess.note = '';
  redraw();
  try {
    await session.call('DELETE', `/api/me/sessions/${s.id}`);
    if (s.current) {
      session.signedOut();
      showSignedOut(t('signedOutNote'));
      return;
    }
    sess.note = t('sessionEnded', { device: deviceName(s.user_agent) });
    await loadSessions();
  } catch (e) {
    sess.busy = null;
    if (signedOutMeanwhile(e)) return;
    sess.error = errorMessage(e);
  }
  sess.busy = null;
  redraw();
  document.querySelector('#sessions .form-alert')?.focus();
}

async function signOut(all) {
  sess.busy = all ? 'all' : 'this';
  redraw();
  try {
    await session.call('POST', all ? '/api/auth/logout-all' : '/api/auth/logout');
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 401)) {
      sess.busy = null;
      sess.error = errorMessage(e);
      redraw();
      return;
    }
  }
  sess.busy = null;
  sess.items = null;
  session.signedOut();
  showSignedOut(t(all ? 'signedOutAllNote' : 'signedOutNote'));
}

/** "Chrome · Android" from a User-Agent, or the start of it. */
export function deviceName(ua) {
  if (!ua) return t('unknownDevice');
  const os = /Android/.test(ua)
    ? 'Android'
    : /iPhone|iPad|iPod/.test(ua)
      ? 'iOS'
      : /HarmonyOS|OpenHarmony/.test(ua)
        ? 'HarmonyOS'
        : /Windows/.test(ua)
          ? 'Windows'
          : /Mac OS X|Macintosh/.test(ua)
            ? 'macOS'
            : /Linux/.test(ua)
              ? 'Linux'
              : '';
  const app = /MicroMessenger/.test(ua)
    ? t('wechat')
    : /Edg\//.test(ua)
      ? 'Edge'
      : /HeadlessChrome|Chrome\/|CriOS/.test(ua)
        ? 'Chrome'
        : /Firefox\//.test(ua)
          ? 'Firefox'
          : /Safari\//.test(ua)
            ? 'Safari'
            : '';
  const parts = [app, os].filter(Boolean);
  return parts.length ? parts.join(' · ') : ua.slice(0, 40);
}

/** "2026年11月29日 09:50" / "29 Nov 2026 09:50" for an ISO time. */
export function formatDateTime(iso) {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return '';
  const d = new Date(ms + 8 * 3600 * 1000); // China Standard Time
  const pad = (n) => String(n).padStart(2, '0');
  const hm = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
  if (lang() === 'en') return `${d.getUTCDate()} ${t('months')[d.getUTCMonth()]} ${d.getUTCFullYear()} ${hm}`;
  return `${d.getUTCFullYear()}年${d.getUTCMonth() + 1}月${d.getUTCDate()}日 ${hm}`;
}

async function eraseMe() {
  data.busy = true;
  data.alert = '';
  redraw();
  try {
    await session.call('DELETE', '/api/me', { params: { confirm: 1 } });
    data.busy = false;
    data.confirming = false;
    sess.items = null;
    session.signedOut();
    showSignedOut(t('erasedNote'));
  } catch (e) {
    data.busy = false;
    if (signedOutMeanwhile(e)) return;
    data.alert = errorMessage(e);
    redraw();
    const section = document.getElementById('my-data');
    if (section) focusProblem(section);
  }
}

function verificationBlock(m) {
  const v = m.verification || 'unverified';
  const kind = v === 'verified' ? 'ok' : v === 'revoked' ? 'bad' : 'none';
  return h(
    'div',
    { class: `verify verify-${kind}`, id: 'verification', 'data-state': v },
    h('span', { class: 'verify-icon', svg: icon(v === 'verified' ? 'check' : v === 'revoked' ? 'warn' : 'clock') }),
    h(
      'div',
      null,
      h('strong', { class: 'verify-word' }, t(`verification_${v}`)),
      h(
        'p',
        { class: 'verify-detail' },
        v === 'verified' && m.verified_at ? t('verifiedAt', { when: formatDateTime(m.verified_at) }) : t(`verificationHelp_${v}`),
      ),
      // What being verified gets a worker, said before they go.
      h('p', { class: 'verify-detail verify-gets' }, t(v === 'verified' ? 'verifyGetsHave' : 'verifyGets')),
    ),
  );
}

/** Staff and admins: their sites and regions first, one tap to each. */
function placesBlock(m) {
  const places = (m.roles || []).filter((r) => r.scope_kind === 'site' || r.scope_kind === 'region');
  const links = [];
  const seen = new Set();
  for (const r of places) {
    const href = r.scope_kind === 'site' ? `#/station/${encodeURIComponent(r.scope_ref)}` : `#/station/region/${encodeURIComponent(r.scope_ref)}`;
    if (seen.has(href)) continue;
    seen.add(href);
    links.push(h('li', { 'data-scope': `${r.scope_kind}:${r.scope_ref}` }, h('a', { class: 'btn btn-primary btn-block', href }, roleScopeText(r))));
  }
  const admin = session.isAdmin(m);
  const consoles = [['#/admin', 'meConsolePeople']];
  if (admin) consoles.push(['#/admin/sites', 'meConsoleSites']);
  if (session.isSystemAdmin(m)) consoles.push(['#/station/region', 'meConsoleRegions']);
  if (session.hasAnyRole(['grid_manager', 'dispatcher', 'region_admin', 'system_admin'], m)) consoles.push(['#/admin/reports', 'meMineHandle']);
  return h(
    'section',
    { class: 'panel', id: 'my-places', 'aria-labelledby': 'my-places-title' },
    h('h3', { id: 'my-places-title' }, t(places.length ? 'myPlaces' : 'myConsoles')),
    places.length ? h('ul', { class: 'me-mine-list' }, links) : null,
    h(
      'nav',
      { class: 'me-mine', 'aria-label': t('myConsoles') },
      h('ul', { class: 'me-mine-list' }, consoles.map(([href, key]) => h('li', null, h('a', { class: 'btn btn-secondary btn-block', href }, t(key))))),
    ),
  );
}

/** A worker's own things, one tap each. */
function workerLinks() {
  return h(
    'nav',
    { class: 'me-mine', id: 'me-mine', 'aria-label': t('meMineNav') },
    h(
      'ul',
      { class: 'me-mine-list' },
      [
        ['#/bookings', 'meMineBookings'],
        ['#/lending', 'meMineLending'],
        ['#/me/visits', 'meMineVisits'],
        ['#/childcare', 'ccTitle'],
        ['#/volunteer/me', 'meMineVolunteer'],
        ['#/reports/new', 'meMineReportNew'],
        ['#/reports/mine', 'meMineReports'],
        ['#/points', 'meMinePoints'],
        ['#/mentoring', 'meMineMentoring'],
        ['#/inbox', 'meMineInbox'],
      ].map(([href, key]) => h('li', null, h('a', { class: 'btn btn-secondary btn-block', href }, t(key)))),
    ),
  );
}

function rolesBlock(m) {
  const roles = m.roles || [];
  return h(
    'section',
    { class: 'panel', id: 'my-roles', 'aria-labelledby': 'my-roles-title' },
    h('h3', { id: 'my-roles-title' }, t('myRoles')),
    roles.length
      ? h(
          'ul',
          { class: 'role-list' },
          roles.map((r) =>
            h(
              'li',
              { class: 'role-item', 'data-role': r.role, 'data-scope': `${r.scope_kind}:${r.scope_ref}` },
              h('strong', null, t(`role_${r.role}`)),
              h('span', { class: 'role-scope' }, roleScopeText(r)),
            ),
          ),
        )
      : h('p', { class: 'muted' }, t('noRoles')),
  );
}

/** How a session was started (password, code, operator), in words. */
export function signInWords(how) {
  const key = `signInBy_${how}`;
  const w = t(key);
  return w === key ? how || '' : w;
}

function sessionsBlock() {
  const items = sess.items;
  return h(
    'section',
    { class: 'panel', id: 'sessions', 'aria-labelledby': 'sessions-title' },
    h('h3', { id: 'sessions-title' }, t('sessionsTitle')),
    h('p', { class: 'muted' }, t('sessionsLead')),
    formAlert(sess.error),
    formAlert(sess.note, 'ok'),
    items === null
      ? h('p', { class: 'muted' }, t('loading'))
      : h(
          'ul',
          { class: 'session-list' },
          items.map((s) =>
            h(
              'li',
              {
                class: `session${s.current ? ' session-current' : ''}`,
                'data-id': s.id,
                'data-current': s.current ? 'true' : 'false',
                'data-sign-in': s.sign_in || null,
              },
              h(
                'div',
                { class: 'session-text' },
                h('strong', null, deviceName(s.user_agent)),
                s.current ? h('span', { class: 'tag tag-here' }, t('thisDevice')) : null,
                s.kind === 'bearer' ? h('span', { class: 'tag' }, t('apiToken')) : null,
                h('span', { class: 'session-meta session-how' }, signInWords(s.sign_in)),
                h('span', { class: 'session-meta' }, t('sessionSeen', { age: formatAge(s.last_seen_at) })),
                h('span', { class: 'session-meta' }, t('sessionSince', { when: formatDateTime(s.created_at) })),
              ),
              s.current
                ? null
                : button(t('signOutThis'), {
                    cls: 'btn btn-secondary btn-session',
                    id: `session-${s.id}-end`,
                    busy: sess.busy === s.id,
                    onclick: () => endSession(s),
                  }),
            ),
          ),
        ),
    button(t('signOut'), { cls: 'btn btn-secondary btn-block', id: 'sign-out', busy: sess.busy === 'this', onclick: () => signOut(false) }),
    button(t('signOutAll'), {
      cls: 'btn btn-danger btn-block',
      id: 'sign-out-all',
      busy: sess.busy === 'all',
      onclick: () => signOut(true),
    }),
  );
}

// The server this page comes with has GET /api/me/export and DELETE
// /api/me (it embeds the page): the section needs no probe. An OPTIONS
// probe answered 405 and every browser logged it as a console error.
const DATA_ROUTES = { export: true, erase: true };

function dataBlock() {
  const r = DATA_ROUTES;
  return h(
    'section',
    { class: 'panel', id: 'my-data', 'aria-labelledby': 'my-data-title' },
    h('h3', { id: 'my-data-title' }, t('myData')),
    h('p', { class: 'muted' }, t('myDataLead')),
    r.export
      ? h(
          'a',
          { class: 'btn btn-secondary btn-block', id: 'export-data', href: '/api/me/export', download: 'warmharbor-my-data.json' },
          h('span', { class: 'btn-icon-slot', svg: icon('download') }),
          t('exportData'),
        )
      : null,
    r.erase && !data.confirming
      ? button(t('eraseData'), {
          cls: 'btn btn-danger-outline btn-block',
          id: 'erase-data',
          onclick: () => {
            data.confirming = true;
            redraw();
            document.getElementById('erase-confirm-title')?.focus();
          },
        })
      : null,
    r.erase && data.confirming
      ? h(
          'div',
          { class: 'confirm', role: 'group', 'aria-labelledby': 'erase-confirm-title' },
          h('h4', { id: 'erase-confirm-title', tabindex: '-1' }, t('eraseConfirmTitle')),
          h('p', null, t('eraseConfirmText')),
          formAlert(data.alert),
          h(
            'div',
            { class: 'btn-row' },
            button(t('eraseConfirm'), { cls: 'btn btn-danger', id: 'erase-confirm', busy: data.busy, onclick: eraseMe }),
            button(t('cancel'), {
              cls: 'btn btn-secondary',
              onclick: () => {
                data.confirming = false;
                redraw();
                document.getElementById('erase-data')?.focus();
              },
            }),
          ),
        )
      : null,
  );
}

/** The password: staff and admins sign in with one. A worker needs none
 * (they sign in with a code), so for them it waits, folded, for the day
 * they are made staff. */
function passwordBlock(m, worker) {
  const inner = [
    h('h3', { id: 'password-title' }, t(m.has_password ? 'changePassword' : 'setPassword')),
    h('p', { class: 'muted' }, t('passwordLead')),
    h('p', { class: 'muted' }, t('othersSignedOutLead')),
    h(
      'form',
      { class: 'form', id: 'password-form', novalidate: true, onsubmit: savePassword },
      h('input', { type: 'text', name: 'username', autocomplete: 'username', value: m.phone || '', readonly: true, hidden: true, tabindex: '-1', 'aria-hidden': 'true' }),
      formAlert(pw.alert),
      formAlert(pw.note, 'ok'),
      m.has_password ? reauthFields() : null,
      field({
        id: 'me-password',
        name: 'password',
        label: t('newPassword'),
        hint: t('passwordHint'),
        error: pw.errors.password,
        input: bound('input', pw, 'password', { type: 'password', autocomplete: 'new-password', minlength: '10' }),
      }),
      field({
        id: 'me-password2',
        name: 'confirm',
        label: t('confirmPassword'),
        error: pw.errors.confirm,
        input: bound('input', pw, 'confirm', { type: 'password', autocomplete: 'new-password' }),
      }),
      button(t(m.has_password ? 'changePassword' : 'setPassword'), { type: 'submit', cls: 'btn btn-secondary btn-block', busy: pw.busy, id: 'password-save' }),
    ),
  ];
  if (!worker || m.has_password) return h('section', { class: 'panel', id: 'password', 'aria-labelledby': 'password-title' }, inner);
  return h(
    'details',
    {
      class: 'panel panel-fold',
      id: 'password-fold',
      open: pw.open || Boolean(pw.note || pw.alert || Object.keys(pw.errors).length),
      ontoggle: (ev) => {
        pw.open = ev.target.open;
      },
    },
    h('summary', { class: 'fold-summary', id: 'password-fold-summary' }, t('passwordFold')),
    h('section', { id: 'password', 'aria-labelledby': 'password-title' }, inner),
  );
}

export const meView = {
  title: () => t('me'),
  async render(root, params, { first }) {
    if (first) {
      root.replaceChildren(h('div', { class: 'page' }, pageTitle(t('me')), h('p', { class: 'muted' }, t('loading'))));
      try {
        await session.refresh({ force: true });
      } catch (e) {
        root.replaceChildren(h('div', { class: 'page' }, pageTitle(t('me')), formAlert(errorMessage(e))));
        return;
      }
      if (!session.me()) {
        needSignIn('/me');
        return;
      }
      await Promise.all([loadSessions(), scopeNames(session.me().roles), loadPlatforms().catch(() => null), loadPrivacyVersion(), loadTotp(session.me())]);
    }
    const m = session.me();
    if (!m) {
      needSignIn('/me');
      return;
    }
    loadProfile(m);
    const worker = !(m.roles || []).length;
    const note = notes.me;
    const f = profile;
    root.replaceChildren(
      h(
        'div',
        { class: 'page' },
        pageTitle(t('me')),
        formAlert(note, 'ok'),
        h(
          'section',
          { class: 'panel panel-id', 'aria-labelledby': 'me-name' },
          h(
            'div',
            { class: 'id-head' },
            h('span', { class: 'avatar', 'aria-hidden': 'true' }, (m.display_name || '?').slice(0, 1)),
            h(
              'div',
              { class: 'id-text' },
              h('h3', { id: 'me-name', class: 'id-name' }, m.display_name),
              h('p', { class: 'id-meta' }, h('span', { class: 'id-phone' }, m.phone || ''), worker ? ` · ${occupationName(m.occupation)}` : null),
              worker && m.platforms && m.platforms.length
                ? h('p', { class: 'id-meta' }, m.platforms.map(platformName).join(t('listSep')))
                : null,
            ),
          ),
          // A worker: verification and their own things. Role holders are
          // no workers to verify (the server refuses it), so they are not
          // sent to a station to get verified.
          worker ? verificationBlock(m) : null,
          worker ? h('a', { class: 'btn btn-primary btn-block', id: 'me-qr-link', href: '#/me/qr' }, t('meShowQr')) : null,
          worker ? h('p', { class: 'muted' }, t('meShowQrLead')) : null,
          worker ? workerLinks() : null,
        ),
        worker ? null : placesBlock(m),
        h(
          'section',
          { class: 'panel', 'aria-labelledby': 'profile-title' },
          h('h3', { id: 'profile-title' }, t('profileTitle')),
          h(
            'form',
            {
              class: 'form',
              id: 'profile-form',
              novalidate: true,
              onsubmit: saveProfile,
              oninput: () => {
                f.dirty = true;
              },
              onchange: () => {
                f.dirty = true;
              },
            },
            formAlert(f.alert),
            formAlert(f.note, 'ok'),
            field({
              id: 'me-name-input',
              name: 'display_name',
              label: t('nameLabel'),
              error: f.errors.display_name,
              input: bound('input', f, 'name', { type: 'text', autocomplete: 'name', maxlength: '60' }),
            }),
            !worker ? null : field({
              id: 'me-occupation',
              name: 'occupation',
              label: t('occupationLabel'),
              error: f.errors.occupation,
              input: bound('select', f, 'occupation', {}, options(OCCUPATIONS.map((o) => [o, occupationName(o)]), f.occupation)),
            }),
            !worker ? null : checkGroup({
              id: 'me-platforms',
              legend: t('platformsLabel'),
              options: platformChoices(m.platforms),
              st: f,
              key: 'platforms',
              error: f.errors.platforms,
            }),
            button(t('saveProfile'), { type: 'submit', cls: 'btn btn-primary btn-block', busy: f.busy, id: 'profile-save' }),
          ),
        ),
        passwordBlock(m, worker),
        worker ? null : totpBlock(),
        worker ? null : rolesBlock(m),
        sessionsBlock(),
        dataBlock(),
        h(
          'p',
          { class: 'page-foot', id: 'me-privacy' },
          h('a', { href: '#/privacy' }, privacyVersion() ? t('readPrivacyVersion', { v: privacyVersion() }) : t('readPrivacy')),
        ),
      ),
    );
  },
  leave() {
    notes.me = '';
    profile.note = '';
    // Nothing typed into the password form outlives the page.
    Object.assign(pw, { password: '', confirm: '', current: '', code: '', errors: {}, alert: '', note: '' });
    sess.note = '';
    data.confirming = false;
    leaveTotp();
  },
};
