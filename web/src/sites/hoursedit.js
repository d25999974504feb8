// hoursedit.js - the site form's opening hours: a week of days (open or
// not, and at what times), public holidays (as usual, closed, or their own
// times), open all the time, a preview in words, and the OpenStreetMap text
// for experts. Both stay in step while typing: the editor writes the text;
// a text the editor can show fills the editor, else the editor says so and
// the text is kept as typed. The elements are changed in place (no redraw)
// so typing keeps its focus.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { icon } from '../icons.js';
import { errorLine } from '../forms.js';
import { hoursRows } from '../map/hours.js';
import { DAYS, toOsm, toModel, parseTimes, emptyModel } from './hours.js';

const TIME_ERR = { format: 'err_hours_format', overlap: 'err_hours_overlap' };

/** The editor's state for a form value v (v.opening_hours is the text). */
export function hoursState(text) {
  const model = toModel(text);
  const m = model || emptyModel();
  const typed = {};
  for (const d of DAYS) typed[d] = m.always ? '' : (m.days[d] || []).join(', ');
  return { model: m, expressible: Boolean(model), typed, phTyped: m.phTimes.join(', '), dayErr: {} };
}

/** Check the editor's days; an error text per bad day (empty when fine). */
export function hoursProblems(st) {
  if (!st.expressible || st.model.always) return {};
  const out = {};
  for (const d of [...DAYS, 'PH']) {
    if (d === 'PH' && st.model.ph !== 'hours') continue;
    const p = parseTimes(d === 'PH' ? st.phTyped : st.typed[d]);
    if (p.error) out[d] = t(TIME_ERR[p.error], { at: p.at });
  }
  return out;
}

function preview(text) {
  const rows = hoursRows(text);
  if (!rows) return [h('p', { class: 'muted' }, text ? t('hoursNoPreview') : t('hoursNone'))];
  return [h('ul', { class: 'hours-preview-list' }, rows.map((r) => h('li', null, h('strong', null, r.days), ' ', r.times)))];
}

/**
 * The editor. v: the form's values (opening_hours), st: hoursState,
 * error: the field's error (the server's, in words), or null.
 */
export function hoursEditor(v, st, error) {
  const els = { days: {}, rows: {} };
  const osm = h('input', {
    type: 'text',
    class: 'input input-mono',
    id: 'site-opening_hours',
    maxlength: '500',
    autocomplete: 'off',
    spellcheck: 'false',
    lang: 'en',
    'aria-describedby': `site-opening_hours-hint${error ? ' site-opening_hours-err' : ''}`,
    'aria-invalid': error ? 'true' : null,
  });
  osm.value = v.opening_hours;
  const prev = h('div', { class: 'hours-preview', id: 'hours-preview', 'aria-live': 'polite' }, preview(v.opening_hours));
  const note = h('p', { class: 'field-hint hours-note', id: 'hours-note', role: 'status' }, st.expressible ? '' : t('hoursTooRich'));
  const fromEditor = () => {
    const m = st.model;
    for (const d of DAYS) {
      const p = parseTimes(st.typed[d]);
      if (!p.error && els.days[d].box.checked) m.days[d] = p.windows;
      else if (!els.days[d].box.checked) m.days[d] = [];
    }
    const pp = parseTimes(st.phTyped);
    if (!pp.error) m.phTimes = pp.windows;
    v.opening_hours = toOsm(m);
    osm.value = v.opening_hours;
    st.expressible = true;
    note.textContent = '';
    prev.replaceChildren(...preview(v.opening_hours));
  };
  const toEditor = () => {
    const m = st.model;
    always.checked = m.always;
    weekBox.hidden = m.always;
    for (const d of DAYS) {
      const open = !m.always && m.days[d].length > 0;
      els.days[d].box.checked = open;
      els.days[d].times.hidden = !open;
      els.days[d].input.value = st.typed[d];
    }
    for (const r of phRadios) r.checked = r.value === m.ph;
    phTimes.hidden = m.ph !== 'hours';
    phInput.value = st.phTyped;
  };
  osm.addEventListener('input', () => {
    v.opening_hours = osm.value;
    const m = toModel(osm.value);
    st.expressible = Boolean(m);
    if (m) {
      Object.assign(st, hoursState(osm.value));
      toEditor();
    }
    editor.toggleAttribute('disabled', !st.expressible);
    note.textContent = st.expressible ? '' : t('hoursTooRich');
    prev.replaceChildren(...preview(v.opening_hours));
  });

  const always = h('input', { type: 'checkbox', class: 'check-input', id: 'hours-always', checked: st.model.always });
  always.addEventListener('change', () => {
    st.model.always = always.checked;
    if (!always.checked && DAYS.every((d) => !st.typed[d])) {
      for (const d of DAYS) st.typed[d] = '08:00-18:00';
    }
    toEditor();
    fromEditor();
  });
  const dayRow = (d) => {
    const id = `hours-${d}`;
    const open = !st.model.always && st.model.days[d].length > 0;
    const box = h('input', { type: 'checkbox', class: 'check-input', id, checked: open });
    const input = h('input', {
      type: 'text',
      class: 'input',
      id: `${id}-t`,
      inputmode: 'text',
      autocomplete: 'off',
      'aria-label': t('hoursTimesOf', { day: t(`day_${d}`) }),
      'aria-invalid': st.dayErr[d] ? 'true' : null,
      'aria-describedby': st.dayErr[d] ? `${id}-err` : null,
      placeholder: '08:00-18:00',
    });
    input.value = st.typed[d];
    const times = h('span', { class: 'hours-times', hidden: !open }, input);
    box.addEventListener('change', () => {
      if (box.checked && !st.typed[d]) {
        const before = DAYS.slice(0, DAYS.indexOf(d)).reverse().find((x) => st.typed[x] && els.days[x].box.checked);
        st.typed[d] = before ? st.typed[before] : '08:00-18:00';
        input.value = st.typed[d];
      }
      times.hidden = !box.checked;
      fromEditor();
      if (box.checked) input.focus();
    });
    input.addEventListener('input', () => {
      st.typed[d] = input.value;
      fromEditor();
    });
    els.days[d] = { box, input, times };
    return h(
      'div',
      { class: `hours-day${st.dayErr[d] ? ' field-bad' : ''}`, 'data-day': d },
      h('label', { class: 'check', for: id }, box, h('span', { class: 'check-text' }, t(`day_${d}`))),
      times,
      st.dayErr[d] ? errorLine(`${id}-err`, st.dayErr[d]) : null,
    );
  };
  const weekBox = h('div', { class: 'hours-week', hidden: st.model.always }, DAYS.map(dayRow));

  const phInput = h('input', {
    type: 'text',
    class: 'input',
    id: 'hours-PH-t',
    autocomplete: 'off',
    'aria-label': t('hoursTimesOf', { day: t('day_PH') }),
    'aria-invalid': st.dayErr.PH ? 'true' : null,
    'aria-describedby': st.dayErr.PH ? 'hours-PH-err' : null,
    placeholder: '09:00-17:00',
  });
  phInput.value = st.phTyped;
  phInput.addEventListener('input', () => {
    st.phTyped = phInput.value;
    fromEditor();
  });
  const phTimes = h('span', { class: 'hours-times', hidden: st.model.ph !== 'hours' }, phInput);
  const phRadios = ['same', 'off', 'hours'].map((k) => {
    const r = h('input', { type: 'radio', class: 'check-input', name: 'hours-ph', id: `hours-ph-${k}`, value: k, checked: st.model.ph === k });
    r.addEventListener('change', () => {
      if (!r.checked) return;
      st.model.ph = k;
      phTimes.hidden = k !== 'hours';
      fromEditor();
      if (k === 'hours') phInput.focus();
    });
    return r;
  });

  const editor = h(
    'fieldset',
    { class: 'fieldset hours-editor', id: 'hours-editor', disabled: !st.expressible },
    h('legend', { class: 'field-label' }, t('hoursEditor')),
    h('label', { class: 'check', for: 'hours-always' }, always, h('span', { class: 'check-text' }, t('hoursAlways'))),
    weekBox,
    h(
      'fieldset',
      { class: `fieldset hours-ph${st.dayErr.PH ? ' field-bad' : ''}` },
      h('legend', { class: 'field-label' }, t('hoursPH')),
      h(
        'div',
        { class: 'radio-row' },
        phRadios.map((r) => h('label', { class: 'check', for: r.id }, r, h('span', { class: 'check-text' }, t(`hoursPH_${r.value}`)))),
      ),
      phTimes,
      st.dayErr.PH ? errorLine('hours-PH-err', st.dayErr.PH) : null,
    ),
  );
  const expert = h(
      'details',
      { class: 'hours-expert', open: st.expertOpen || !st.expressible || Boolean(error) },
      h('summary', null, t('hoursExpert')),
      h(
        'div',
        { class: `field${error ? ' field-bad' : ''}` },
        h('label', { for: 'site-opening_hours', class: 'field-label' }, t('hoursOsm')),
        h('p', { id: 'site-opening_hours-hint', class: 'field-hint' }, t('hoursHint')),
        osm,
        error ? h('p', { id: 'site-opening_hours-err', class: 'field-error' }, h('span', { class: 'err-icon', svg: icon('warn', 'icon icon-sm') }), error) : null,
      ),
  );
  expert.addEventListener('toggle', () => {
    st.expertOpen = expert.open;
  });
  return h('div', { class: 'hours-edit', 'data-field': 'opening_hours' }, editor, note, h('h4', { class: 'field-label', id: 'hours-preview-h' }, t('hoursPreview')), prev, expert);
}
