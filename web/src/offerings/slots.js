// slots.js - a bookable service's times (#/manage/offerings/{id}/slots):
// desk appointments from a weekly pattern (which weekdays, their time
// windows, minutes each, places each, from and to); the answer says how
// many were made, which public holidays were skipped and which make-up
// workdays followed another weekday. One time can be added by hand (a
// workshop, a collection window). The coming times are listed by day,
// each with its roster.
import { h } from '../dom.js';
import { t, pick } from '../i18n.js';
import { icon } from '../icons.js';
import { getJson, ApiError } from '../api.js';
import * as session from '../session.js';
import { field, bound, options, formAlert, button, focusProblem, errorLine } from '../forms.js';
import { redraw, pageTitle, needSignIn } from '../page.js';
import { tabs } from '../console.js';
import { MANAGER_ROLES, rolesAllowed, whoFirst, kindWord, titleOf, placeProblem, problemWords, loadingPage, failedPage, crumbs, siteById, slotSiteName } from '../bookings/common.js';
import { todayKey, addDays, dayKey, dayWords, hm } from '../bookings/time.js';
import { reach, loadReach } from '../checkin/sites.js';
import { DAY_KEYS, generateBody, fieldOfGenerate, parseWindows, slotsPerDay } from './pattern.js';
import { notes } from './notes.js';

const WORKDAY = '09:00-12:00, 14:00-17:30';
const LIMIT = 500;

const st = { offering: null, site: null, slots: [], total: 0, error: '', note: '' };
const gen = { v: null, errors: {}, alert: '', busy: false, result: null, holidays: new Map() };
const one = { v: null, errors: {}, alert: '', busy: false, note: '' };

function freshGen() {
  const from = addDays(todayKey(), 1);
  return { from, to: addDays(from, 13), minutes: '15', capacity: '1', site: '', days: Object.fromEntries(DAY_KEYS.map((k) => [k, ''])), on: new Set() };
}

function freshOne() {
  return { start: '', end: '', capacity: '10', site: '' };
}

async function loadSlots() {
  try {
    const r = await getJson('/api/slots', { offering: st.offering.id, limit: LIMIT });
    st.slots = r.items || [];
    st.total = r.total ?? st.slots.length;
  } catch (e) {
    st.error = problemWords(e, ['ofErr', 'bkErr']);
  }
}

async function load(id) {
  st.offering = await getJson(`/api/offerings/${encodeURIComponent(id)}`);
  st.site = st.offering.site ? await siteById(st.offering.site).catch(() => null) : null;
  st.error = '';
  await loadSlots();
}

/** The holidays and make-up workdays of the years a range touches: date -> {kind, name}. */
async function holidaysOf(from, to) {
  const out = new Map();
  const years = [...new Set([from.slice(0, 4), to.slice(0, 4)])];
  for (const y of years) {
    try {
      const r = await getJson('/api/holidays', { year: y });
      for (const d of r.items || []) out.set(d.date, d);
    } catch {
      /* the answer's dates are shown without names */
    }
  }
  return out;
}

// ---- the weekly pattern ---------------------------------------------------------------------

function genWords(err) {
  const [code, at] = err;
  const key = { format: 'ofErrWindowFormat', order: 'ofErrWindowOrder', overlap: 'ofErrWindowOverlap', empty: 'ofErrWindowEmpty', none: 'ofErrNoDays', range: 'ofErrRange', missing: 'ofErrDate', orderDate: 'ofErrDateOrder' }[code];
  return t(key || 'ofErrRange', { at });
}

async function generate(ev) {
  ev.preventDefault();
  const g = gen;
  g.alert = '';
  g.result = null;
  g.errors = {};
  const v = { ...g.v, site: st.offering.site ? '' : g.v.site };
  if (!st.offering.site && !v.site) g.errors.site = t('ofErrSite');
  const r = generateBody(v);
  if (r.errors) for (const [k, e] of Object.entries(r.errors)) g.errors[k] = genWords(k === 'to' && e[0] === 'order' ? ['orderDate', ''] : e);
  if (Object.keys(g.errors).length) {
    redraw();
    focusProblem(document.getElementById('of-gen'));
    return;
  }
  g.busy = true;
  redraw();
  try {
    g.result = await session.call('POST', `/api/offerings/${st.offering.id}/slots/generate`, { json: r.body });
    g.holidays = await holidaysOf(r.body.from, r.body.to);
    await loadSlots();
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return needSignIn(`/manage/offerings/${st.offering.id}/slots`);
    placeProblem(g, e, fieldOfGenerate, ['ofErr', 'bkErr']);
  }
  g.busy = false;
  redraw();
  if (g.result) document.getElementById('of-gen-result')?.focus();
  else focusProblem(document.getElementById('of-gen'));
}

function fillWorkdays() {
  for (const k of ['mo', 'tu', 'we', 'th', 'fr']) {
    gen.v.on.add(k);
    if (!gen.v.days[k].trim()) gen.v.days[k] = WORKDAY;
  }
  redraw();
  document.getElementById('of-day-mo-w')?.focus();
}

function dayRow(k, i) {
  const v = gen.v;
  const id = `of-day-${k}`;
  const err = gen.errors[`day_${k}`];
  const box = h('input', { type: 'checkbox', class: 'check-input', id, checked: v.on.has(k) });
  box.addEventListener('change', () => {
    if (box.checked) v.on.add(k);
    else v.on.delete(k);
    updatePerWeek();
    if (box.checked && !v.days[k].trim()) {
      v.days[k] = WORKDAY;
      redraw();
      document.getElementById(`${id}-w`)?.focus();
    }
  });
  const input = h('input', {
    type: 'text',
    class: 'input',
    id: `${id}-w`,
    value: v.days[k],
    autocomplete: 'off',
    spellcheck: 'false',
    inputmode: 'text',
    placeholder: WORKDAY,
    'aria-label': t('ofWindowsOf', { day: t('weekdays')[(i + 1) % 7] }),
    'aria-invalid': err ? 'true' : null,
    'aria-describedby': err ? `${id}-err` : null,
  });
  input.addEventListener('input', () => {
    v.days[k] = input.value;
    // Typing a day's times picks the day.
    if (input.value.trim() && !v.on.has(k)) {
      v.on.add(k);
      box.checked = true;
    }
    updatePerWeek();
  });
  return h(
    'div',
    { class: `of-day${err ? ' field-bad' : ''}`, 'data-field': `day_${k}` },
    h('label', { class: 'check of-day-check', for: id }, box, h('span', { class: 'check-text' }, t('weekdays')[(i + 1) % 7])),
    input,
    err ? errorLine(`${id}-err`, err) : null,
  );
}

function resultBlock() {
  const r = gen.result;
  if (!r) return null;
  const holidayName = (d) => {
    const x = gen.holidays.get(d);
    return x ? pick(x, 'name').text : '';
  };
  const dayText = (d) => {
    const name = holidayName(d);
    return name ? `${dayWords(d)}（${name}）` : dayWords(d);
  };
  const asWord = (key) => t('weekdays')[(DAY_KEYS.indexOf(key) + 1) % 7];
  return h(
    'section',
    { class: 'of-result', id: 'of-gen-result', tabindex: '-1', role: 'status', 'aria-labelledby': 'of-gen-result-h' },
    h('h4', { id: 'of-gen-result-h' }, h('span', { svg: icon('check', 'icon icon-sm') }), t('ofMade', { n: r.created })),
    r.existing ? h('p', { id: 'of-gen-existing' }, t('ofExisting', { n: r.existing })) : null,
    r.first ? h('p', null, t('ofFirstLast', { first: `${dayWords(dayKey(r.first))} ${hm(r.first)}`, last: `${dayWords(dayKey(r.last))} ${hm(r.last)}` })) : h('p', null, t('ofNoneMade')),
    h('h5', null, t('ofHolidaysSkipped')),
    r.holidays_skipped.length
      ? h('ul', { class: 'of-days', id: 'of-holidays' }, r.holidays_skipped.map((d) => h('li', { 'data-date': d }, dayText(d))))
      : h('p', { class: 'muted', id: 'of-holidays-none' }, t('ofNoHolidays')),
    h('h5', null, t('ofWorkdaysFollowed')),
    r.workdays_followed.length
      ? h(
          'ul',
          { class: 'of-days', id: 'of-workdays' },
          r.workdays_followed.map((w) => h('li', { 'data-date': w.date, 'data-as': w.as }, t('ofWorkdayAs', { day: dayText(w.date), as: asWord(w.as) }))),
        )
      : h('p', { class: 'muted', id: 'of-workdays-none' }, t('ofNoWorkdays')),
  );
}

function siteField(obj, errors, id) {
  if (st.offering.site) return null;
  return field({
    id,
    name: 'site',
    label: t('ofSlotSite'),
    hint: t('ofSlotSiteHint'),
    error: errors.site,
    input: bound('select', obj, 'site', {}, h('option', { value: '' }, t('choose')), options((reach.list || []).map((s) => [String(s.id), pick(s, 'name').text]), obj.site)),
  });
}

/** "That makes N times a week", from what is typed now. */
function perWeekWords() {
  const v = gen.v;
  const n = DAY_KEYS.filter((k) => v.on.has(k)).reduce((sum, k) => {
    const r = parseWindows(v.days[k]);
    return sum + (r.windows ? slotsPerDay(r.windows, Number(v.minutes)) : 0);
  }, 0);
  return n ? t('ofPerWeek', { n }) : '';
}

/** Typing changes the count at once (no drawing again: the cursor stays). */
function updatePerWeek() {
  const el = document.getElementById('of-gen-per-week');
  if (el) el.textContent = perWeekWords();
}

function generator() {
  const v = gen.v;
  const minutes = bound('input', v, 'minutes', { type: 'number', min: '5', max: '1440', step: '5', inputmode: 'numeric' });
  minutes.addEventListener('input', updatePerWeek);
  return h(
    'form',
    { class: 'panel form', id: 'of-gen', novalidate: true, onsubmit: generate, 'aria-labelledby': 'of-gen-h' },
    h('h3', { id: 'of-gen-h' }, t('ofGenTitle')),
    h('p', { class: 'muted' }, t('ofGenLead')),
    formAlert(gen.alert),
    h(
      'div',
      { class: 'two-col' },
      field({ id: 'of-gen-from', name: 'from', label: t('ofFrom'), error: gen.errors.from, input: bound('input', v, 'from', { type: 'date' }) }),
      field({ id: 'of-gen-to', name: 'to', label: t('ofTo'), error: gen.errors.to, input: bound('input', v, 'to', { type: 'date' }) }),
    ),
    h(
      'fieldset',
      { class: `fieldset of-week${gen.errors.days ? ' field-bad' : ''}`, id: 'of-gen-days', 'data-field': 'days', 'aria-describedby': gen.errors.days ? 'of-gen-days-err' : 'of-gen-days-hint' },
      h('legend', { class: 'field-label' }, t('ofDays')),
      h('p', { class: 'field-hint', id: 'of-gen-days-hint' }, t('ofDaysHint')),
      h('button', { type: 'button', class: 'btn btn-secondary btn-block', id: 'of-gen-workdays', onclick: fillWorkdays }, t('ofFillWorkdays', { w: WORKDAY })),
      DAY_KEYS.map(dayRow),
      gen.errors.days ? errorLine('of-gen-days-err', gen.errors.days) : null,
    ),
    h(
      'div',
      { class: 'two-col' },
      field({ id: 'of-gen-minutes', name: 'minutes', label: t('ofMinutes'), error: gen.errors.minutes, input: minutes }),
      field({ id: 'of-gen-capacity', name: 'capacity', label: t('ofCapacity'), hint: t('ofCapacityHint'), error: gen.errors.capacity, input: bound('input', v, 'capacity', { type: 'number', min: '1', step: '1', inputmode: 'numeric' }) }),
    ),
    siteField(v, gen.errors, 'of-gen-site'),
    h('p', { class: 'muted', id: 'of-gen-per-week' }, perWeekWords()),
    button(t('ofGenerate'), { type: 'submit', cls: 'btn btn-primary btn-block', busy: gen.busy, id: 'of-gen-submit' }),
    resultBlock(),
  );
}

// ---- one time by hand ---------------------------------------------------------------------

async function addOne(ev) {
  ev.preventDefault();
  const o = one;
  o.alert = '';
  o.note = '';
  o.errors = {};
  const v = o.v;
  if (!v.start) o.errors.start = t('ofErrStart');
  if (!v.end) o.errors.end = t('ofErrEnd');
  else if (v.start && v.end <= v.start) o.errors.end = t('ofErrEndOrder');
  const cap = Number(v.capacity);
  if (!Number.isInteger(cap) || cap < 0) o.errors.capacity = t('ofErrRange');
  if (!st.offering.site && !v.site) o.errors.site = t('ofErrSite');
  if (Object.keys(o.errors).length) {
    redraw();
    focusProblem(document.getElementById('of-one'));
    return;
  }
  const body = { start: `${v.start}:00+08:00`, end: `${v.end}:00+08:00`, capacity: cap };
  if (!st.offering.site) body.site = Number(v.site);
  o.busy = true;
  redraw();
  try {
    const r = await session.call('POST', `/api/offerings/${st.offering.id}/slots`, { json: body });
    const s = r.items[0];
    o.note = t('ofAdded', { when: `${dayWords(dayKey(s.start))} ${hm(s.start)}–${hm(s.end)}` });
    o.v = freshOne();
    await loadSlots();
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return needSignIn(`/manage/offerings/${st.offering.id}/slots`);
    placeProblem(o, e, { start: 'start', end: 'end', capacity: 'capacity', site: 'site' }, ['ofErr', 'bkErr']);
  }
  o.busy = false;
  redraw();
  if (o.note) document.getElementById('of-one-note')?.focus();
  else focusProblem(document.getElementById('of-one'));
}

function oneForm() {
  const v = one.v;
  return h(
    'form',
    { class: 'panel form', id: 'of-one', novalidate: true, onsubmit: addOne, 'aria-labelledby': 'of-one-h' },
    h('h3', { id: 'of-one-h' }, t('ofOneTitle')),
    h('p', { class: 'muted' }, t('ofOneLead')),
    formAlert(one.alert),
    one.note ? h('p', { class: 'form-alert form-ok', role: 'status', id: 'of-one-note', tabindex: '-1' }, one.note) : null,
    field({ id: 'of-one-start', name: 'start', label: t('ofStart'), error: one.errors.start, input: bound('input', v, 'start', { type: 'datetime-local' }) }),
    field({ id: 'of-one-end', name: 'end', label: t('ofEnd'), error: one.errors.end, input: bound('input', v, 'end', { type: 'datetime-local' }) }),
    field({ id: 'of-one-capacity', name: 'capacity', label: t('ofCapacity'), error: one.errors.capacity, input: bound('input', v, 'capacity', { type: 'number', min: '0', step: '1', inputmode: 'numeric' }) }),
    siteField(v, one.errors, 'of-one-site'),
    button(t('ofAdd'), { type: 'submit', cls: 'btn btn-secondary btn-block', busy: one.busy, id: 'of-one-submit' }),
  );
}

// ---- the coming times -----------------------------------------------------------------------

function slotList() {
  if (!st.slots.length) return h('p', { class: 'muted', id: 'of-no-slots' }, t('ofNoSlots'));
  const days = new Map();
  for (const s of st.slots) {
    const k = dayKey(s.start);
    if (!days.has(k)) days.set(k, []);
    days.get(k).push(s);
  }
  const many = !st.offering.site;
  return [
    st.total > st.slots.length ? h('p', { class: 'muted' }, t('ofFirstN', { n: st.slots.length, total: st.total })) : null,
    h(
      'div',
      { id: 'of-slots' },
      [...days.entries()].map(([k, list], i) => {
        const taken = list.reduce((n, s) => n + s.taken, 0);
        const waiting = list.reduce((n, s) => n + s.waiting, 0);
        return h(
          'details',
          { class: 'of-day-group', open: i === 0, 'data-day': k },
          h('summary', { class: 'of-day-sum' }, h('span', { class: 'of-day-name' }, dayWords(k)), h('span', { class: 'of-day-count' }, t('ofDaySummary', { n: list.length, taken, waiting }))),
          h(
            'ul',
            { class: 'of-slot-list' },
            list.map((s) => {
              const place = many ? slotSiteName(s) : null;
              return h(
                'li',
                { class: `of-slot${s.state === 'cancelled' ? ' of-slot-cancelled' : ''}`, 'data-slot': s.id },
                h(
                  'span',
                  { class: 'of-slot-text' },
                  h('strong', { class: 'of-slot-time' }, `${hm(s.start)}–${hm(s.end)}`),
                  place ? h('span', { lang: place.lang }, place.text) : null,
                  h('span', { class: 'of-slot-seats' }, s.state === 'cancelled' ? t('bkSlotCancelled') : t('ofSeats', { taken: s.taken, capacity: s.capacity, waiting: s.waiting })),
                ),
                h('a', { class: 'btn btn-secondary btn-small', href: `#/manage/slots/${s.id}`, id: `of-slot-${s.id}-roster`, 'aria-label': t('ofRosterOf', { when: `${dayWords(k)} ${hm(s.start)}` }) }, t('ciRoster')),
              );
            }),
          ),
        );
      }),
    ),
  ];
}

function draw(root) {
  const o = st.offering;
  const title = titleOf(o);
  const note = st.note;
  root.replaceChildren(
    h(
      'div',
      { class: 'page', id: 'of-slots-page', 'data-offering': o.id },
      tabs('/manage'),
      crumbs('#/manage', t('ofListTitle')),
      h('p', { class: 'bk-kind-line' }, h('span', { class: `bk-kind bk-kind-${o.kind}` }, kindWord(o.kind))),
      pageTitle(h('span', { lang: title.lang }, title.text)),
      st.site ? h('p', { class: 'muted' }, h('span', { svg: icon('pin', 'icon icon-sm') }), ' ', h('span', { lang: pick(st.site, 'name').lang }, pick(st.site, 'name').text)) : null,
      formAlert(note, 'ok'),
      formAlert(st.error),
      h(
        'div',
        { class: 'btn-row' },
        h('a', { class: 'btn btn-secondary', href: `#/manage/offerings/${o.id}`, id: 'of-edit' }, t('ofEdit')),
        h('a', { class: 'btn btn-secondary', href: `#/offerings/${o.id}`, id: 'of-public' }, t('ofAsWorkersSee')),
      ),
      generator(),
      oneForm(),
      h('section', { class: 'panel', 'aria-labelledby': 'of-list-h' }, h('h3', { id: 'of-list-h' }, t('ofComing')), slotList()),
    ),
  );
}

export const slotsView = {
  title: () => (st.offering ? titleOf(st.offering).text : t('ofSlotsAndRosters')),
  async render(root, params, { first }) {
    const path = `/manage/offerings/${params.id}/slots`;
    if (first) {
      if (!(await whoFirst(root, t('ofSlotsAndRosters')))) return;
      if (!rolesAllowed(root, path, MANAGER_ROLES, { title: t('ofSlotsAndRosters') })) return;
      root.replaceChildren(loadingPage(t('ofSlotsAndRosters')));
      try {
        await loadReach(MANAGER_ROLES);
        await load(params.id);
      } catch (e) {
        if (root.isConnected) root.replaceChildren(failedPage(t('ofSlotsAndRosters'), e, crumbs('#/manage', t('ofListTitle'))));
        return;
      }
      if (!root.isConnected) return;
      st.note = notes.slots;
      notes.slots = '';
      Object.assign(gen, { v: freshGen(), errors: {}, alert: '', busy: false, result: null });
      Object.assign(one, { v: freshOne(), errors: {}, alert: '', busy: false, note: '' });
      if (st.offering.site) gen.v.site = '';
      else if (reach.site) gen.v.site = one.v.site = reach.site;
      // Desk appointments: the usual pattern ready to change.
      if (st.offering.kind === 'appointment' && !st.slots.length)
        for (const k of ['mo', 'tu', 'we', 'th', 'fr']) {
          gen.v.days[k] = WORKDAY;
          gen.v.on.add(k);
        }
    }
    if (!rolesAllowed(root, path, MANAGER_ROLES, { title: t('ofSlotsAndRosters') })) return;
    if (!st.offering) return;
    draw(root);
  },
};

