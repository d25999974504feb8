// forms.js - the pieces every form of the account and admin pages uses:
// labelled fields with a hint and an error, inputs bound to a state object
// (so a page can be drawn again - after an answer, on a language switch -
// without losing what was typed), and server errors in plain words next to
// the field they are about.
import { h } from './dom.js';
import { t } from './i18n.js';
import { icon } from './icons.js';
import { ApiError } from './api.js';

/**
 * A labelled control. input: the element the label names; control: what
 * to place (defaults to input; e.g. a row of input and button). name: the
 * API's name for the field, so server errors find it.
 */
export function field({ id, label, input, control, hint, error, name, cls = '' }) {
  input.id = id;
  const hintId = hint ? `${id}-hint` : null;
  const errId = error ? `${id}-err` : null;
  const described = [errId, hintId].filter(Boolean).join(' ');
  if (described) input.setAttribute('aria-describedby', described);
  if (error) input.setAttribute('aria-invalid', 'true');
  return h(
    'div',
    { class: `field${error ? ' field-bad' : ''}${cls ? ` ${cls}` : ''}`, 'data-field': name || id },
    h('label', { for: id, class: 'field-label' }, label),
    hint ? h('p', { id: hintId, class: 'field-hint' }, hint) : null,
    control || input,
    error ? errorLine(errId, error) : null,
  );
}

export function errorLine(id, text) {
  return h('p', { id, class: 'field-error' }, h('span', { class: 'err-icon', svg: icon('warn', 'icon icon-sm') }), text);
}

/** An input (or textarea / select with children) whose value lives in st[key]. */
export function bound(tag, st, key, attrs = {}, ...children) {
  const el = h(tag, { class: tag === 'select' ? 'select' : 'input', ...attrs }, ...children);
  el.value = st[key] ?? '';
  const sync = () => {
    st[key] = el.value;
  };
  el.addEventListener('input', sync);
  el.addEventListener('change', sync);
  return el;
}

/** A checkbox with its label as one big target; checked mirrors st[key]. */
export function checkbox({ id, st, key, label, error, onchange }) {
  const input = h('input', { type: 'checkbox', id, class: 'check-input', checked: Boolean(st[key]) });
  input.addEventListener('change', () => {
    st[key] = input.checked;
    onchange?.(input.checked);
  });
  if (error) {
    input.setAttribute('aria-invalid', 'true');
    input.setAttribute('aria-describedby', `${id}-err`);
  }
  return h(
    'div',
    { class: `check-field${error ? ' field-bad' : ''}`, 'data-field': key },
    h('label', { class: 'check', for: id }, input, h('span', { class: 'check-text' }, label)),
    error ? errorLine(`${id}-err`, error) : null,
  );
}

/** Checkboxes for several values (a Set in st[key]) in a fieldset. */
export function checkGroup({ id, legend, hint, options, st, key, error }) {
  const set = st[key];
  const hintId = hint ? `${id}-hint` : null;
  return h(
    'fieldset',
    {
      class: `fieldset${error ? ' field-bad' : ''}`,
      id,
      'data-field': key,
      'aria-describedby': [error ? `${id}-err` : null, hintId].filter(Boolean).join(' ') || null,
    },
    h('legend', { class: 'field-label' }, legend),
    hint ? h('p', { id: hintId, class: 'field-hint' }, hint) : null,
    h(
      'div',
      { class: 'check-grid' },
      options.map(([value, label]) => {
        const input = h('input', {
          type: 'checkbox',
          class: 'check-input',
          id: `${id}-${value}`,
          value,
          checked: set.has(value),
        });
        input.addEventListener('change', () => {
          if (input.checked) set.add(value);
          else set.delete(value);
        });
        return h('label', { class: 'check check-box', for: `${id}-${value}` }, input, h('span', { class: 'check-text' }, label));
      }),
    ),
    error ? errorLine(`${id}-err`, error) : null,
  );
}

export function options(list, selected) {
  return list.map(([value, label]) => h('option', { value, selected: value === selected }, label));
}

/** A message for the whole form: role=alert for errors, status for news. */
export function formAlert(text, kind = 'error') {
  if (!text) return null;
  return h(
    'p',
    { class: `form-alert form-${kind}`, role: kind === 'error' ? 'alert' : 'status' },
    h('span', { class: 'err-icon', svg: icon(kind === 'error' ? 'warn' : 'check', 'icon icon-sm') }),
    text,
  );
}

/** A submit (or plain) button that says it is busy. */
export function button(label, { busy = false, cls = 'btn', type = 'button', onclick, id, disabled } = {}) {
  return h(
    'button',
    {
      type,
      class: cls,
      id,
      onclick,
      disabled: busy || disabled,
      'aria-busy': busy ? 'true' : null,
    },
    busy ? t('working_') : label,
  );
}

/** The server's error in plain words (a field-specific word first). */
export function errorMessage(e) {
  if (!(e instanceof ApiError)) return t('err_unknown');
  if (e.status === 0 || e.code === 'network' || e.code === 'offline') return t('err_network');
  if (e.code === 'rate_limited') {
    const s = e.retryAfter || 900;
    return t('err_rate_limited', { n: s >= 120 ? t('minutes', { n: Math.ceil(s / 60) }) : t('seconds', { n: s }) });
  }
  for (const key of [`err_${e.code}_${e.field}`, `err_${e.code}`]) {
    const w = t(key);
    if (w !== key) return w.replace('{message}', e.message || '');
  }
  return t('err_generic', { message: e.message || e.code || e.status });
}

/**
 * Put an error where it belongs: next to the field the server named (when
 * this form has it) or on the form. fieldMap: API field -> form key.
 */
export function placeError(form, e, fieldMap = {}) {
  const msg = errorMessage(e);
  const f = e instanceof ApiError ? e.field : null;
  const key = f && (fieldMap[f] || (Object.values(fieldMap).includes(f) ? f : null));
  if (key) form.errors[key] = msg;
  else form.alert = msg;
}

/** After drawing a form with errors: focus the first bad field, else the alert. */
export function focusProblem(root) {
  const bad = root.querySelector('[aria-invalid="true"]');
  if (bad) {
    bad.focus();
    return;
  }
  const alert = root.querySelector('.form-alert');
  if (alert) {
    alert.tabIndex = -1;
    alert.focus();
  }
}

/** Phone as the server takes it: 11 digits from 1, +86 and spaces dropped; '' if not. */
export function normalPhone(raw) {
  const s = String(raw || '').trim();
  if (!/^\+?[\d -]+$/.test(s)) return '';
  let d = s.replace(/\D/g, '');
  if (d.length === 13 && d.startsWith('86')) d = d.slice(2);
  return /^1[3-9]\d{9}$/.test(d) ? d : '';
}

/**
 * "Delete this?" in place of the buttons that asked: the question (its id
 * `${id}-q`, focused by the caller), yes (`${id}-yes`) and cancel, which
 * calls onCancel (the caller draws again and focuses what asked).
 */
export function confirmBox({ id, question, busy, onYes, onCancel }) {
  return h(
    'div',
    { class: 'confirm', role: 'group', 'aria-labelledby': `${id}-q` },
    h('p', { id: `${id}-q`, tabindex: '-1' }, h('strong', null, question)),
    h(
      'div',
      { class: 'btn-row' },
      button(t('deleteConfirm'), { cls: 'btn btn-danger', id: `${id}-yes`, busy, onclick: onYes }),
      button(t('cancel'), { cls: 'btn btn-secondary', onclick: onCancel }),
    ),
  );
}

/**
 * A list row's edit and delete buttons (`${id}-edit`, `${id}-del`), or,
 * while st.confirm is this row's key, confirmBox in their place. draw:
 * draws the page again (the caller's redraw).
 */
export function rowActions({ id, st, key, question, busy, onYes, onEdit, draw }) {
  const focus = (sel) => document.getElementById(sel)?.focus();
  if (st.confirm === key) {
    return confirmBox({
      id,
      question,
      busy,
      onYes,
      onCancel: () => {
        st.confirm = null;
        draw();
        focus(`${id}-del`);
      },
    });
  }
  return h(
    'div',
    { class: 'btn-row' },
    button(t('edit'), { cls: 'btn btn-secondary', id: `${id}-edit`, onclick: onEdit }),
    button(t('delete'), {
      cls: 'btn btn-danger-outline',
      id: `${id}-del`,
      onclick: () => {
        st.confirm = key;
        st.note = '';
        draw();
        focus(`${id}-q`);
      },
    }),
  );
}
