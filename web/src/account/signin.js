// signin.js - signing in (a code by SMS, or a password for staff) and
// registering (with the privacy notice and consent). The two pages share
// the phone and code fields, and carry the phone number across.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { request, ApiError } from '../api.js';
import * as session from '../session.js';
import { go } from '../router.js';
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
} from '../forms.js';
import { redraw, pageTitle, afterSignInPath, setAfterSignIn } from '../page.js';
import { OCCUPATIONS, occupationName, loadPlatforms, platformChoices, platformsValue } from './people.js';
import { privacyNotice, loadPrivacyVersion, privacyVersion } from './privacy.js';
import { notes } from './notes.js';
import { enrolPanel, recoveryPanel, totpCodeField, totpError } from './totp.js';

const RESEND_S = 60; // before another code may be asked for

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
    Object.assign(login, { code: '', password: '', errors: {}, alert: '', note: '', busy: false });
    if (answer.second_factor) {
      // The password was right; a second step, at a URL of its own (Back
      // returns to the password), before any session.
      second = { kind: answer.second_factor, challenge: answer.challenge, enrol: null, code: '', recovery: '', useRecovery: false, codes: null, answer: null, errors: {}, alert: '', busy: false };
      go('/login/totp');
      return;
    }
    finishSignIn(answer);
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

function finishSignIn(answer) {
  session.signedIn(answer);
  second = null;
  notes.login = '';
  const next = afterSignInPath();
  setAfterSignIn('/me');
  go(next);
}

// ---- the second step: a code from the authenticator app --------------------------------------

// null, or {kind: 'totp' | 'totp_enrol', challenge, enrol: {secret, uri},
// code, recovery, useRecovery, codes (after enrolling), answer, ...}.
let second = null;

async function secondStep(fn) {
  const s = second;
  s.errors = {};
  s.alert = '';
  s.busy = true;
  redraw();
  try {
    await fn(s);
  } catch (e) {
    if (e instanceof ApiError && e.code === 'challenge_expired') {
      second = null;
      login.alert = errorMessage(e);
      login.mode = 'password';
      go('/login', { replace: true });
      return;
    }
    if (e instanceof ApiError && (e.field === 'code' || e.field === 'recovery_code')) s.errors.code = totpError(e);
    else s.alert = totpError(e);
  }
  s.busy = false;
  if (second !== s) return;
  redraw();
  if (s.codes) document.getElementById('login-totp-recovery-title')?.focus();
  else if (s.errors.code || s.alert) focusProblem(document.getElementById('view-page'));
  else document.getElementById('login-totp')?.focus();
}

const startEnrol = () =>
  secondStep(async (s) => {
    s.enrol = await request('POST', '/api/auth/totp/enrol', { json: { challenge: s.challenge } });
  });

function submitSecond(ev) {
  ev.preventDefault();
  const s = second;
  const typed = (s.useRecovery ? s.recovery : s.code).trim();
  if (!s.useRecovery && !/^\d{6}$/.test(typed)) {
    s.errors = { code: t('err_totp_format') };
    redraw();
    focusProblem(document.getElementById('view-page'));
    return;
  }
  if (s.useRecovery && !typed) {
    s.errors = { code: t('err_recovery_missing') };
    redraw();
    focusProblem(document.getElementById('view-page'));
    return;
  }
  return secondStep(async (x) => {
    const json = { challenge: x.challenge, ...(x.useRecovery ? { recovery_code: typed } : { code: typed }) };
    const answer = await request('POST', '/api/auth/totp', { json });
    // Enrolled just now: the recovery codes are shown once before going on.
    if (answer.recovery_codes) {
      x.codes = answer.recovery_codes;
      x.answer = answer;
      return;
    }
    finishSignIn(answer);
  });
}

function secondView() {
  const s = second;
  const enrolling = s.kind === 'totp_enrol';
  let body;
  if (s.codes) {
    body = recoveryPanel(s.codes, 'login-totp', () => finishSignIn(s.answer));
  } else if (enrolling && !s.enrol) {
    body = h(
      'div',
      null,
      formAlert(s.alert),
      button(t('totpEnrolStart'), { cls: 'btn btn-primary btn-block', id: 'login-totp-enrol', busy: s.busy, onclick: startEnrol }),
    );
  } else {
    const recovery = s.useRecovery;
    body = h(
      'form',
      { class: 'form', id: 'login-totp-form', novalidate: true, onsubmit: submitSecond },
      enrolling ? enrolPanel(s.enrol, 'login-totp') : null,
      formAlert(s.alert),
      recovery
        ? field({
            id: 'login-totp',
            name: 'recovery_code',
            label: t('totpRecoveryLabel'),
            error: s.errors.code,
            input: bound('input', s, 'recovery', { type: 'text', autocomplete: 'off', maxlength: '20', class: 'input' }),
          })
        : totpCodeField(s, 'login-totp', s.errors.code),
      button(t('totpVerify'), { type: 'submit', cls: 'btn btn-primary btn-block', busy: s.busy, id: 'login-totp-submit' }),
      enrolling
        ? null
        : button(t(recovery ? 'totpUseCode' : 'totpUseRecovery'), {
            cls: 'btn btn-secondary btn-block',
            id: 'login-totp-switch',
            onclick: () => {
              s.useRecovery = !s.useRecovery;
              s.errors = {};
              redraw();
              document.getElementById('login-totp')?.focus();
            },
          }),
    );
  }
  return h(
    'div',
    { class: 'page page-narrow' },
    pageTitle(t('signInTitle')),
    h(
      'section',
      { class: 'panel', id: 'login-second', 'aria-labelledby': 'login-totp-title', 'data-kind': s.kind },
      h('h3', { id: 'login-totp-title', tabindex: '-1' }, t('totpTitle')),
      h('p', null, t(enrolling ? 'totpEnrolLead' : 'totpStepLead')),
      body,
    ),
    s.codes
      ? null
      : button(t('totpBack'), {
          cls: 'btn btn-secondary btn-block',
          id: 'login-totp-back',
          onclick: () => {
            // As the browser's Back: to the password, which is where this came from.
            login.mode = 'password';
            history.back();
          },
        }),
  );
}

/** #/login/totp: the second step; without a challenge, back to the password. */
export const loginTotpView = {
  title: () => t('totpTitle'),
  leave() {
    // A half-done step (and a secret on screen) ends with the page.
    second = null;
  },
  render(root, params, { first }) {
    if (!second) {
      go('/login', { replace: true });
      return;
    }
    root.replaceChildren(secondView());
    if (first) document.getElementById(second.kind === 'totp' ? 'login-totp' : 'login-totp-title')?.focus();
  },
};

export const loginView = {
  title: () => t('signIn'),
  async render(root, params, { first }) {
    // Only the first drawing waits: later ones (after an answer) must be
    // synchronous, so that focus can be put on what they drew.
    if (first) await session.refresh().catch(() => null);
    if (session.me()) {
      go(afterSignInPath() === '/login' ? '/me' : afterSignInPath(), { replace: true });
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
        formAlert(notes.login, 'ok'),
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
  notes.login = note;
  setAfterSignIn('/me');
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
        platforms: platformsValue(f.platforms),
        consent: { kind: 'privacy_policy', version: privacyVersion() || (await loadPrivacyVersion()) },
      },
    });
    session.signedIn(answer);
    Object.assign(register, { code: '', errors: {}, alert: '', note: '', busy: false });
    notes.me = t('welcome', { name: answer.user.display_name });
    // Back to the page that sent here (a fair's "take a number"), else "me".
    const next = afterSignInPath();
    setAfterSignIn('/me');
    go(next === '/login' ? '/me' : next);
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

export const registerView = {
  title: () => t('register'),
  async render(root, params, { first }) {
    // Only the first drawing waits: later ones (after an answer) must be
    // synchronous, so that focus can be put on what they drew.
    if (first) await Promise.all([session.refresh().catch(() => null), loadPlatforms().catch(() => null), loadPrivacyVersion()]);
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
            options: platformChoices([]),
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
