// totp.js - the second factor (TOTP) in the web app: the enrolment panel
// (the secret as a QR code of its otpauth:// address, and as text to type),
// the recovery codes shown once, and the "two-step verification" section of
// the "me" page for anyone holding a role: turn on (confirmed by a first
// code), new recovery codes, turn off (each with a code). The sign-in
// page's second step is in signin.js and uses the panels from here.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { ApiError } from '../api.js';
import * as session from '../session.js';
import { field, bound, formAlert, button, errorMessage, focusProblem } from '../forms.js';
import { redraw } from '../page.js';
import { qrSvg } from '../bookings/qr.js';

/** The server's error for a code, in words fit for an authenticator code. */
export function totpError(e) {
  if (e instanceof ApiError && e.code === 'invalid_code') return t('err_totp_invalid');
  return errorMessage(e);
}

/** A 6-digit code field bound to st.code. */
export function totpCodeField(st, id, error) {
  return field({
    id,
    name: 'code',
    label: t('totpCodeLabel'),
    hint: t('totpCodeHint'),
    error,
    input: bound('input', st, 'code', { type: 'text', inputmode: 'numeric', autocomplete: 'one-time-code', maxlength: '6', pattern: '[0-9]*', class: 'input input-code' }),
  });
}

/** The secret to add to an authenticator app: QR code, address and key. */
export function enrolPanel(enrol, idp) {
  return h(
    'div',
    { class: 'totp-enrol', id: `${idp}-enrol` },
    h('p', null, t('totpScan')),
    h('div', { class: 'totp-qr', role: 'img', 'aria-label': t('totpQrLabel'), svg: qrSvg(enrol.uri) }),
    h('p', { class: 'field-label' }, t('totpSecretLabel')),
    h('p', { class: 'totp-uri', id: `${idp}-secret`, 'data-secret': enrol.secret }, enrol.secret.replace(/(.{4})/g, '$1 ').trim()),
    h('p', { class: 'field-label' }, t('totpUriLabel')),
    h('p', null, h('a', { class: 'totp-uri', id: `${idp}-uri`, href: enrol.uri }, enrol.uri)),
  );
}

/** Recovery codes, shown once, with what they are for. */
export function recoveryPanel(codes, idp, onDone) {
  return h(
    'div',
    { class: 'totp-recovery', id: `${idp}-recovery`, role: 'group', 'aria-labelledby': `${idp}-recovery-title` },
    h('h4', { id: `${idp}-recovery-title`, tabindex: '-1' }, t('totpRecoveryTitle')),
    h('p', null, t('totpRecoveryLead')),
    h('ul', { class: 'recovery-list' }, codes.map((c) => h('li', { class: 'recovery-code' }, c))),
    button(t('totpRecoverySaved'), { cls: 'btn btn-primary btn-block', id: `${idp}-recovery-done`, onclick: onDone }),
  );
}

// ---- the "me" page's section ------------------------------------------------------------------

const tf = { status: null, enrol: null, codes: null, action: '', code: '', errors: {}, alert: '', note: '', busy: false };

/** GET /api/me/totp (role holders only); null when not offered. */
export async function loadTotp(m) {
  if (!(m.roles || []).length) {
    tf.status = null;
    return;
  }
  try {
    tf.status = await session.call('GET', '/api/me/totp');
  } catch (e) {
    tf.status = null;
    tf.alert = errorMessage(e);
  }
}

/** Forget what the section showed (leaving the page). */
export function leaveTotp() {
  Object.assign(tf, { enrol: null, codes: null, action: '', code: '', errors: {}, alert: '', note: '', busy: false });
}

async function act(fn) {
  tf.errors = {};
  tf.alert = '';
  tf.note = '';
  tf.busy = true;
  redraw();
  try {
    await fn();
  } catch (e) {
    if (e instanceof ApiError && e.field === 'code') tf.errors.code = totpError(e);
    else tf.alert = totpError(e);
  }
  tf.busy = false;
  redraw();
  const sec = document.getElementById('my-totp');
  if (!sec) return;
  if (tf.codes) document.getElementById('me-totp-recovery-title')?.focus();
  else if (tf.errors.code || tf.alert) focusProblem(sec);
  else if (tf.enrol) document.getElementById('me-totp-code')?.focus();
  else sec.querySelector('.form-alert')?.focus();
}

const start = () =>
  act(async () => {
    tf.enrol = await session.call('POST', '/api/me/totp');
    tf.code = '';
  });

const confirm = (ev) => {
  ev.preventDefault();
  if (!/^\d{6}$/.test(tf.code.trim())) {
    tf.errors = { code: t('err_totp_format') };
    redraw();
    focusProblem(document.getElementById('my-totp'));
    return;
  }
  return act(async () => {
    const r = await session.call('POST', '/api/me/totp/confirm', { json: { code: tf.code.trim() } });
    tf.enrol = null;
    tf.code = '';
    tf.codes = r.recovery_codes;
    tf.note = t('totpEnabledNote');
    tf.status = await session.call('GET', '/api/me/totp');
  });
};

/** Turn off, or new recovery codes: both need a code (or a recovery code to turn off). */
const doAction = (ev) => {
  ev.preventDefault();
  const code = tf.code.trim();
  if (!code) {
    tf.errors = { code: t('err_totp_format') };
    redraw();
    focusProblem(document.getElementById('my-totp'));
    return;
  }
  const json = /^\d{6}$/.test(code) ? { code } : { recovery_code: code };
  return act(async () => {
    if (tf.action === 'disable') {
      await session.call('POST', '/api/me/totp/disable', { json });
      tf.note = t('totpDisabledNote');
    } else {
      const r = await session.call('POST', '/api/me/totp/recovery-codes', { json: { code } });
      tf.codes = r.recovery_codes;
      tf.note = t('totpRenewedNote');
    }
    tf.action = '';
    tf.code = '';
    tf.status = await session.call('GET', '/api/me/totp');
  });
};

function choose(action) {
  tf.action = action;
  tf.code = '';
  tf.errors = {};
  tf.alert = '';
  tf.note = '';
  redraw();
  document.getElementById('me-totp-code')?.focus();
}

/** The section, or null for a worker. */
export function totpBlock() {
  const st = tf.status;
  if (!st) return null;
  const on = st.enabled;
  let body;
  if (tf.codes) {
    body = recoveryPanel(tf.codes, 'me-totp', () => {
      tf.codes = null;
      redraw();
      document.getElementById('my-totp-title')?.focus();
    });
  } else if (tf.enrol) {
    body = h(
      'form',
      { class: 'form', id: 'totp-enrol-form', novalidate: true, onsubmit: confirm },
      enrolPanel(tf.enrol, 'me-totp'),
      totpCodeField(tf, 'me-totp-code', tf.errors.code),
      button(t('totpConfirm'), { type: 'submit', cls: 'btn btn-primary btn-block', id: 'me-totp-confirm', busy: tf.busy }),
    );
  } else if (on && tf.action) {
    body = h(
      'form',
      { class: 'form', id: 'totp-action-form', novalidate: true, onsubmit: doAction },
      field({
        id: 'me-totp-code',
        name: 'code',
        label: t(tf.action === 'disable' ? 'totpCodeOrRecovery' : 'totpCodeLabel'),
        hint: t('totpActionHint'),
        error: tf.errors.code,
        input: bound('input', tf, 'code', { type: 'text', autocomplete: 'one-time-code', maxlength: '16', class: 'input input-code' }),
      }),
      h(
        'div',
        { class: 'btn-row' },
        button(t(tf.action === 'disable' ? 'totpDisable' : 'totpRenew'), {
          type: 'submit',
          cls: tf.action === 'disable' ? 'btn btn-danger' : 'btn btn-primary',
          id: 'me-totp-do',
          busy: tf.busy,
        }),
        button(t('cancel'), { cls: 'btn btn-secondary', onclick: () => choose('') }),
      ),
    );
  } else if (on) {
    body = h(
      'div',
      { class: 'totp-actions' },
      h('p', { id: 'me-totp-left' }, t('totpRecoveryLeft', { n: st.recovery_codes_left })),
      button(t('totpRenew'), { cls: 'btn btn-secondary btn-block', id: 'me-totp-renew', onclick: () => choose('renew') }),
      button(t('totpDisable'), { cls: 'btn btn-danger-outline btn-block', id: 'me-totp-disable', onclick: () => choose('disable') }),
    );
  } else {
    body = button(t('totpStart'), { cls: 'btn btn-primary btn-block', id: 'me-totp-start', busy: tf.busy, onclick: start });
  }
  return h(
    'section',
    { class: 'panel', id: 'my-totp', 'aria-labelledby': 'my-totp-title', 'data-enabled': on ? 'true' : 'false' },
    h('h3', { id: 'my-totp-title', tabindex: '-1' }, t('totpTitle')),
    h('p', { class: 'tag', id: 'me-totp-state' }, t(on ? 'totpOn' : 'totpOff')),
    h('p', { class: 'muted' }, t('totpLead')),
    st.required && !on ? h('p', { class: 'muted' }, t('totpRequired')) : null,
    formAlert(tf.alert),
    formAlert(tf.note, 'ok'),
    body,
  );
}
