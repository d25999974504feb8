// account.js - the pages a person needs for their account: sign in (a code
// by SMS, or a password for staff), register (with the privacy notice and
// consent), and "me" (profile, password, verification, roles, sessions,
// their data).
import { h } from './dom.js';
import { t, lang, formatAge } from './i18n.js';
import { icon } from './icons.js';
import { request, routeMethods, ApiError } from './api.js';
import * as session from './session.js';
import { go } from './router.js';
import {
  field,
  bound,
  checkbox,
  checkGroup,
  options,
  formAlert,
  button,
  errorMessage,
  placeError,
  focusProblem,
  normalPhone,
} from './forms.js';
import { OCCUPATIONS, PLATFORMS, occupationName, platformName, roleScopeText, scopeNames } from './people.js';

const RESEND_S = 60; // before another code may be asked for
export const PRIVACY_VERSION = '2026-11';

let redraw = () => {};
/** The page framework's "draw the current page again" (keeps focus). */
export function setRedraw(fn) {
  redraw = fn;
}

// Where to go after signing in (a page that asked for it), and a word for
// the sign-in page (after signing out, say).
let afterSignIn = '/me';
let loginNote = '';

/** Send to sign-in, coming back to path afterwards. */
export function needSignIn(path) {
  afterSignIn = path;
  go('/login', { replace: true });
}

export function pageTitle(text) {
  return h('h2', { id: 'page-title', class: 'page-title', tabindex: '-1' }, text);
}

// ---- get a code: the button and its countdown -----------------------------------

const cooldown = new Map(); // "purpose:phone" -> ms timestamp until another code may be asked
let smsDown = false; // the server has no SMS provider (503 sms_unavailable)
let ticker = 0;

function formOf(purpose) {
  return purpose === 'login' ? login : register;
}

function secondsLeft(purpose) {
  const until = cooldown.get(`${purpose}:${normalPhone(formOf(purpose).phone)}`) || 0;
  return Math.max(0, Math.ceil((until - Date.now()) / 1000));
}

function codeButtonText(purpose) {
  const s = secondsLeft(purpose);
  return s ? t('resendIn', { n: s }) : t('getCode');
}

/** Every second while a countdown runs: the button's words, in place. */
function tick() {
  for (const purpose of ['login', 'register']) {
    const b = document.getElementById(`${purpose}-get-code`);
    if (!b || b.getAttribute('aria-busy') === 'true') continue;
    const s = secondsLeft(purpose);
    b.textContent = codeButtonText(purpose);
    b.disabled = s > 0 || smsDown;
  }
  const now = Date.now();
  for (const [k, until] of cooldown) if (until <= now) cooldown.delete(k);
  if (!cooldown.size) {
    clearInterval(ticker);
    ticker = 0;
  }
}

function startCooldown(purpose, phone, seconds) {
  cooldown.set(`${purpose}:${phone}`, Date.now() + seconds * 1000);
  if (!ticker) ticker = setInterval(tick, 1000);
}

async function askCode(form, purpose) {
  form.errors = {};
  form.alert = '';
  form.note = '';
  const phone = normalPhone(form.phone);
  if (!phone) {
    form.errors.phone = t(form.phone ? 'err_phone_format' : 'err_phone_missing');
    redraw();
    focusProblem(document.getElementById('view-page'));
    return;
  }
  form.codeBusy = true;
  redraw();
  try {
    const r = await request('POST', '/api/auth/otp', { json: { phone, purpose } });
    form.note = t('codeSent', { phone: `${phone.slice(0, 3)}****${phone.slice(7)}`, min: Math.round((r.expires_in || 300) / 60) });
    form.codeSentTo = phone;
    startCooldown(purpose, phone, RESEND_S);
    form.codeBusy = false;
    redraw();
    document.getElementById(`${purpose}-code`)?.focus();
    return;
  } catch (e) {
    if (e instanceof ApiError && e.code === 'sms_unavailable') {
      smsDown = true;
      if (purpose === 'login') form.mode = 'password';
      form.alert = t(purpose === 'login' ? 'smsDownLogin' : 'smsDownRegister');
    } else if (e instanceof ApiError && e.code === 'rate_limited') {
      startCooldown(purpose, phone, e.retryAfter || RESEND_S);
      form.errors.phone = errorMessage(e);
    } else {
      placeError(form, e, { phone: 'phone', purpose: 'phone' });
    }
  }
  form.codeBusy = false;
  redraw();
  focusProblem(document.getElementById('view-page'));
}

function phoneField(form, prefix) {
  return field({
    id: `${prefix}-phone`,
    name: 'phone',
    label: t('phoneLabel'),
    hint: t('phoneHint'),
    error: form.errors.phone,
    input: bound('input', form, 'phone', {
      type: 'tel',
      inputmode: 'numeric',
      autocomplete: 'tel-national',
      maxlength: '16',
    }),
  });
}

function codeField(form, purpose) {
  const input = bound('input', form, 'code', {
    type: 'text',
    inputmode: 'numeric',
    autocomplete: 'one-time-code',
    maxlength: '6',
    pattern: '[0-9]*',
    class: 'input input-code',
  });
  const s = secondsLeft(purpose);
  const btn = button(codeButtonText(purpose), {
    id: `${purpose}-get-code`,
    cls: 'btn btn-secondary btn-code',
    busy: form.codeBusy,
    disabled: s > 0 || smsDown,
    onclick: () => askCode(form, purpose),
  });
  if (cooldown.size && !ticker) ticker = setInterval(tick, 1000);
  return field({
    id: `${purpose}-code`,
    name: 'code',
    label: t('codeLabel'),
    hint: form.note || t('codeHint'),
    error: form.errors.code,
    input,
    control: h('div', { class: 'input-row' }, input, btn),
  });
}

// ---- sign in ------------------------------------------------------------------------

const login = { phone: '', code: '', password: '', mode: 'code', errors: {}, alert: '', note: '', busy: false };

async function submitLogin(ev) {
  ev.preventDefault();
  const f = login;
  f.errors = {};
  f.alert = '';
  const phone = normalPhone(f.phone);
  if (!phone) f.errors.phone = t(f.phone ? 'err_phone_format' : 'err_phone_missing');
  const body = { phone };
  if (f.mode === 'code') {
    if (!/^\d{6}$/.test(f.code.trim())) f.errors.code = t(f.code ? 'err_code_format' : 'err_code_missing');
    body.code = f.code.trim();
  } else {
    if (!f.password) f.errors.password = t('err_password_missing');
    body.password = f.password;
  }
  if (Object.keys(f.errors).length) {
    redraw();
    focusProblem(document.getElementById('view-page'));
    return;
  }
  f.busy = true;
  redraw();
  try {
    const answer = await request('POST', '/api/auth/login', { json: body });
    session.signedIn(answer);
    Object.assign(login, { code: '', password: '', errors: {}, alert: '', note: '', busy: false });
    loginNote = '';
    const next = afterSignIn;
    afterSignIn = '/me';
    go(next);
    return;
  } catch (e) {
    f.busy = false;
    if (e instanceof ApiError && e.code === 'password_required') {
      f.mode = 'password';
      f.alert = errorMessage(e);
      redraw();
      document.getElementById('login-password')?.focus();
      return;
    } else if (e instanceof ApiError && e.code === 'invalid_credentials') {
      f.errors.password = errorMessage(e);
    } else if (e instanceof ApiError && e.code === 'not_registered') {
      f.errors.phone = errorMessage(e);
      f.suggestRegister = true;
    } else {
      placeError(f, e, { phone: 'phone', code: 'code', password: 'password' });
    }
  }
  redraw();
  focusProblem(document.getElementById('view-page'));
}

export const loginView = {
  title: () => t('signIn'),
  async render(root, params, { first }) {
    // Only the first drawing waits: later ones (after an answer) must be
    // synchronous, so that focus can be put on what they drew.
    if (first) await session.refresh().catch(() => null);
    if (session.me()) {
      go(afterSignIn === '/login' ? '/me' : afterSignIn, { replace: true });
      return;
    }
    const f = login;
    if (smsDown) f.mode = 'password';
    const modeBtn = (mode, key) =>
      h(
        'button',
        {
          type: 'button',
          class: 'seg-btn',
          'aria-pressed': f.mode === mode ? 'true' : 'false',
          disabled: mode === 'code' && smsDown,
          onclick: () => {
            f.mode = mode;
            f.errors = {};
            f.alert = '';
            redraw();
          },
        },
        t(key),
      );
    const fields =
      f.mode === 'code'
        ? [phoneField(f, 'login'), codeField(f, 'login')]
        : [
            phoneField(f, 'login'),
            field({
              id: 'login-password',
              name: 'password',
              label: t('passwordLabel'),
              error: f.errors.password,
              input: bound('input', f, 'password', { type: 'password', autocomplete: 'current-password' }),
            }),
          ];
    root.replaceChildren(
      h(
        'div',
        { class: 'page page-narrow' },
        pageTitle(t('signInTitle')),
        h('p', { class: 'page-lead' }, t('signInLead')),
        formAlert(loginNote, 'ok'),
        h(
          'form',
          { class: 'form', id: 'login-form', novalidate: true, onsubmit: submitLogin },
          h('div', { class: 'seg seg-mode', role: 'group', 'aria-label': t('signInWay') }, modeBtn('code', 'withCode'), modeBtn('password', 'withPassword')),
          f.mode === 'password' ? h('p', { class: 'field-hint' }, t('passwordModeHint')) : null,
          formAlert(f.alert),
          fields,
          f.suggestRegister && f.errors.phone
            ? h('p', { class: 'form-link' }, h('a', { href: '#/register', onclick: () => carryPhone(f, register) }, t('goRegister')))
            : null,
          button(t('signIn'), { type: 'submit', cls: 'btn btn-primary btn-block', busy: f.busy, id: 'login-submit' }),
        ),
        h(
          'div',
          { class: 'page-alt' },
          h('p', { id: 'no-account' }, t('noAccount')),
          h('a', { class: 'btn btn-secondary btn-block', id: 'go-register', href: '#/register', 'aria-describedby': 'no-account', onclick: () => carryPhone(f, register) }, t('registerNow')),
        ),
      ),
    );
  },
};

function carryPhone(from, to) {
  if (from.phone && !to.phone) to.phone = from.phone;
}

/** After signing out: the sign-in page with a note. */
export function showSignedOut(note) {
  loginNote = note;
  afterSignIn = '/me';
  go('/login');
}

// ---- register -------------------------------------------------------------------------

const register = {
  phone: '',
  code: '',
  name: '',
  occupation: '',
  platforms: new Set(),
  consent: false,
  errors: {},
  alert: '',
  note: '',
  busy: false,
};

async function submitRegister(ev) {
  ev.preventDefault();
  const f = register;
  f.errors = {};
  f.alert = '';
  const phone = normalPhone(f.phone);
  if (!phone) f.errors.phone = t(f.phone ? 'err_phone_format' : 'err_phone_missing');
  if (!/^\d{6}$/.test(f.code.trim())) f.errors.code = t(f.code ? 'err_code_format' : 'err_code_missing');
  if (!f.name.trim()) f.errors.display_name = t('err_name_missing');
  if (!f.occupation) f.errors.occupation = t('err_occupation_missing');
  if (!f.consent) f.errors.consent = t('err_consent_missing');
  if (Object.keys(f.errors).length) {
    redraw();
    focusProblem(document.getElementById('view-page'));
    return;
  }
  f.busy = true;
  redraw();
  try {
    const answer = await request('POST', '/api/auth/register', {
      json: {
        phone,
        code: f.code.trim(),
        display_name: f.name.trim(),
        occupation: f.occupation,
        platforms: PLATFORMS.filter((p) => f.platforms.has(p)).join(','),
        consent: { kind: 'privacy_policy', version: PRIVACY_VERSION },
      },
    });
    session.signedIn(answer);
    Object.assign(register, { code: '', errors: {}, alert: '', note: '', busy: false });
    meNote = t('welcome', { name: answer.user.display_name });
    go('/me');
    return;
  } catch (e) {
    f.busy = false;
    if (e instanceof ApiError && e.code === 'phone_taken') f.suggestLogin = true;
    placeError(f, e, {
      phone: 'phone',
      code: 'code',
      display_name: 'display_name',
      occupation: 'occupation',
      platforms: 'platforms',
      consent: 'consent',
    });
  }
  redraw();
  focusProblem(document.getElementById('view-page'));
}

/** The privacy notice, in the page's language. */
export function privacyNotice(id = 'privacy') {
  const sections = t('privacy');
  return h(
    'section',
    { class: 'privacy', id, 'aria-labelledby': `${id}-title` },
    h('h3', { id: `${id}-title`, class: 'privacy-title' }, t('privacyTitle', { v: PRIVACY_VERSION })),
    sections.map(([head, text]) => h('div', { class: 'privacy-item' }, h('h4', null, head), h('p', null, text))),
  );
}

export const registerView = {
  title: () => t('register'),
  async render(root, params, { first }) {
    // Only the first drawing waits: later ones (after an answer) must be
    // synchronous, so that focus can be put on what they drew.
    if (first) await session.refresh().catch(() => null);
    if (session.me()) {
      go('/me', { replace: true });
      return;
    }
    const f = register;
    root.replaceChildren(
      h(
        'div',
        { class: 'page page-narrow' },
        pageTitle(t('registerTitle')),
        h('p', { class: 'page-lead' }, t('registerLead')),
        h(
          'form',
          { class: 'form', id: 'register-form', novalidate: true, onsubmit: submitRegister },
          formAlert(f.alert),
          smsDown ? formAlert(t('smsDownRegister')) : null,
          phoneField(f, 'register'),
          f.suggestLogin && f.errors.phone
            ? h('p', { class: 'form-link' }, h('a', { href: '#/login', onclick: () => carryPhone(f, login) }, t('goSignIn')))
            : null,
          codeField(f, 'register'),
          field({
            id: 'register-name',
            name: 'display_name',
            label: t('nameLabel'),
            hint: t('nameHint'),
            error: f.errors.display_name,
            input: bound('input', f, 'name', { type: 'text', autocomplete: 'name', maxlength: '60' }),
          }),
          field({
            id: 'register-occupation',
            name: 'occupation',
            label: t('occupationLabel'),
            error: f.errors.occupation,
            input: bound(
              'select',
              f,
              'occupation',
              {},
              h('option', { value: '' }, t('choose')),
              options(OCCUPATIONS.map((o) => [o, occupationName(o)]), f.occupation),
            ),
          }),
          checkGroup({
            id: 'register-platforms',
            legend: t('platformsLabel'),
            hint: t('platformsHint'),
            options: PLATFORMS.map((p) => [p, platformName(p)]),
            st: f,
            key: 'platforms',
            error: f.errors.platforms,
          }),
          privacyNotice(),
          checkbox({ id: 'register-consent', st: f, key: 'consent', label: t('consentLabel'), error: f.errors.consent }),
          button(t('registerSubmit'), { type: 'submit', cls: 'btn btn-primary btn-block', busy: f.busy, id: 'register-submit' }),
        ),
        h(
          'div',
          { class: 'page-alt' },
          h('p', { id: 'have-account' }, t('haveAccount')),
          h('a', { class: 'btn btn-secondary btn-block', id: 'go-login', href: '#/login', 'aria-describedby': 'have-account', onclick: () => carryPhone(f, login) }, t('signInNow')),
        ),
      ),
    );
  },
};

// ---- me -------------------------------------------------------------------------------

let meNote = ''; // shown once at the top (welcome, saved ...)
const profile = { name: '', occupation: '', platforms: new Set(), errors: {}, alert: '', note: '', busy: false, dirty: false, forId: null };
const pw = { password: '', confirm: '', errors: {}, alert: '', note: '', busy: false };
const sess = { items: null, error: '', note: '', busy: null };
const data = { routes: null, confirming: false, busy: false, alert: '' };

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
        platforms: PLATFORMS.filter((p) => f.platforms.has(p)).join(','),
      },
    });
    f.dirty = false;
    f.busy = false;
    session.updateMe(u);
    loadProfile(session.me());
    f.note = t('saved');
  } catch (e) {
    f.busy = false;
    placeError(f, e, { display_name: 'display_name', occupation: 'occupation', platforms: 'platforms' });
  }
  redraw();
  focusProblem(document.getElementById('profile-form'));
  if (f.note) document.querySelector('#profile-form .form-alert')?.focus();
}

async function savePassword(ev) {
  ev.preventDefault();
  const f = pw;
  f.errors = {};
  f.alert = '';
  f.note = '';
  if (f.password.length < 10) f.errors.password = t('err_password_short');
  else if (f.password !== f.confirm) f.errors.confirm = t('err_password_mismatch');
  if (Object.keys(f.errors).length) {
    redraw();
    focusProblem(document.getElementById('password-form'));
    return;
  }
  f.busy = true;
  redraw();
  try {
    const u = await session.call('PATCH', '/api/me', { json: { password: f.password } });
    session.updateMe(u);
    Object.assign(f, { password: '', confirm: '', busy: false, note: t('passwordSaved') });
  } catch (e) {
    f.busy = false;
    placeError(f, e, { password: 'password' });
  }
  redraw();
  focusProblem(document.getElementById('password-form'));
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

async function probeDataRoutes() {
  if (data.routes) return;
  try {
    const [exp, me] = await Promise.all([routeMethods('/api/me/export'), routeMethods('/api/me')]);
    data.routes = { export: Boolean(exp && exp.has('GET')), erase: Boolean(me && me.has('DELETE')) };
  } catch {
    data.routes = null; // offline: ask again next time
  }
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
    data.alert = errorMessage(e);
    redraw();
    focusProblem(document.getElementById('my-data'));
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
              { class: `session${s.current ? ' session-current' : ''}`, 'data-id': s.id, 'data-current': s.current ? 'true' : 'false' },
              h(
                'div',
                { class: 'session-text' },
                h('strong', null, deviceName(s.user_agent)),
                s.current ? h('span', { class: 'tag tag-here' }, t('thisDevice')) : null,
                s.kind === 'bearer' ? h('span', { class: 'tag' }, t('apiToken')) : null,
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
    button(t('signOutAll'), {
      cls: 'btn btn-danger btn-block',
      id: 'sign-out-all',
      busy: sess.busy === 'all',
      onclick: () => signOut(true),
    }),
  );
}

function dataBlock() {
  const r = data.routes;
  if (!r || (!r.export && !r.erase)) return null; // the server cannot do it: no section
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
      await Promise.all([loadSessions(), probeDataRoutes(), scopeNames(session.me().roles)]);
    }
    const m = session.me();
    if (!m) {
      needSignIn('/me');
      return;
    }
    loadProfile(m);
    const note = meNote;
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
              h('p', { class: 'id-meta' }, h('span', { class: 'id-phone' }, m.phone || ''), ' · ', occupationName(m.occupation)),
              m.platforms && m.platforms.length
                ? h('p', { class: 'id-meta' }, m.platforms.map(platformName).join(t('listSep')))
                : null,
            ),
          ),
          verificationBlock(m),
          button(t('signOut'), { cls: 'btn btn-secondary btn-block', id: 'sign-out', busy: sess.busy === 'this', onclick: () => signOut(false) }),
        ),
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
            field({
              id: 'me-occupation',
              name: 'occupation',
              label: t('occupationLabel'),
              error: f.errors.occupation,
              input: bound('select', f, 'occupation', {}, options(OCCUPATIONS.map((o) => [o, occupationName(o)]), f.occupation)),
            }),
            checkGroup({
              id: 'me-platforms',
              legend: t('platformsLabel'),
              options: PLATFORMS.map((p) => [p, platformName(p)]),
              st: f,
              key: 'platforms',
              error: f.errors.platforms,
            }),
            button(t('saveProfile'), { type: 'submit', cls: 'btn btn-primary btn-block', busy: f.busy, id: 'profile-save' }),
          ),
        ),
        h(
          'section',
          { class: 'panel', 'aria-labelledby': 'password-title' },
          h('h3', { id: 'password-title' }, t(m.has_password ? 'changePassword' : 'setPassword')),
          h('p', { class: 'muted' }, t('passwordLead')),
          h(
            'form',
            { class: 'form', id: 'password-form', novalidate: true, onsubmit: savePassword },
            h('input', { type: 'text', name: 'username', autocomplete: 'username', value: m.phone || '', readonly: true, hidden: true, tabindex: '-1', 'aria-hidden': 'true' }),
            formAlert(pw.alert),
            formAlert(pw.note, 'ok'),
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
        ),
        rolesBlock(m),
        sessionsBlock(),
        dataBlock(),
        h('p', { class: 'page-foot' }, h('a', { href: '#/privacy' }, t('readPrivacy'))),
      ),
    );
  },
  leave() {
    meNote = '';
    profile.note = '';
    pw.note = '';
    sess.note = '';
    data.confirming = false;
  },
};

export const privacyView = {
  title: () => t('privacyShort'),
  render(root) {
    root.replaceChildren(h('div', { class: 'page page-narrow' }, pageTitle(t('privacyShort')), privacyNotice('privacy-page')));
  },
};
