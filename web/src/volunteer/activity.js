// activity.js - one activity (#/volunteer/activities/{id}): where, its
// shifts with the places left, sign up in one tap (or join the waitlist);
// a refusal is said in plain words next to the shift (signups_paused says
// until when). And the leader's form for a new activity with its shifts
// (#/volunteer/squads/{id}/new).
import { h } from '../dom.js';
import { t, pick } from '../i18n.js';
import { getJson, ApiError } from '../api.js';
import * as session from '../session.js';
import { field, bound, checkbox, formAlert, button } from '../forms.js';
import { redraw, pageTitle, needSignIn } from '../page.js';
import { go } from '../router.js';
import { loadingPage, failedPage, crumbs, siteById, siteBlock, stateTag } from '../bookings/common.js';
import { spanWords, todayKey, addDays } from '../bookings/time.js';
import { myVolunteer, problemBlock } from './common.js';
import { leads } from './squads.js';

const st = { act: null, squad: null, site: null, mine: new Map(), busy: null, problems: new Map(), done: new Map() };

async function myShiftBookings() {
  const out = new Map();
  if (!session.me()) return out;
  try {
    const r = await session.call('GET', '/api/me/bookings', { params: { active: 1, limit: 500 } });
    for (const b of r.items || []) out.set(b.slot.id, b);
  } catch {
    /* signing up again answers already_signed_up */
  }
  return out;
}

async function load(id) {
  Object.assign(st, { act: null, squad: null, site: null, busy: null });
  st.problems.clear();
  st.done.clear();
  await session.refresh({ force: true }).catch(() => {});
  const a = await getJson(`/api/volunteer/activities/${encodeURIComponent(id)}`);
  const [squad, site, mine] = await Promise.all([getJson(`/api/volunteer/squads/${a.squad}`).catch(() => null), siteById(a.site).catch(() => null), myShiftBookings()]);
  Object.assign(st, { act: a, squad, site, mine });
}

async function signUp(s) {
  const path = `/volunteer/activities/${st.act.id}`;
  if (!session.me()) {
    needSignIn(path);
    return;
  }
  if (st.busy) return;
  st.busy = s.id;
  st.problems.delete(s.id);
  redraw();
  try {
    const r = await session.call('POST', `/api/volunteer/shifts/${s.id}/signup`);
    st.done.set(s.id, r);
    st.act = await getJson(`/api/volunteer/activities/${st.act.id}`).catch(() => st.act);
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      st.busy = null;
      needSignIn(path);
      return;
    }
    st.problems.set(s.id, e);
  }
  st.busy = null;
  redraw();
  document.getElementById(st.problems.has(s.id) ? `vo-shift-${s.id}-problem` : `vo-shift-${s.id}-done`)?.focus();
}

function placesWords(s) {
  const free = Math.max(0, s.capacity - s.taken);
  if (s.state === 'cancelled') return t('voCancelled');
  if (free > 0) return t('voPlacesLeft', { n: free, of: s.capacity });
  return s.waiting ? t('voFullWaiting', { n: s.waiting }) : t('voFull');
}

function shiftRow(s) {
  const free = Math.max(0, s.capacity - s.taken);
  const started = Date.parse(s.start) <= Date.now();
  const open = s.state === 'open' && !started;
  const done = st.done.get(s.id);
  const booked = st.mine.get(s.id);
  const problem = st.problems.get(s.id);
  const member = st.squad && st.squad.member;
  let act = null;
  let said = null;
  if (done) {
    said = h(
      'p',
      { class: 'form-ok', id: `vo-shift-${s.id}-done`, role: 'status', tabindex: '-1', 'data-state': done.state },
      done.state === 'waitlisted' ? t('voWaitNote', { n: done.place }) : t('voSignedUpNote', { when: spanWords(s.start, s.end) }),
    );
  } else if (booked) {
    said = h('p', { id: `vo-shift-${s.id}-mine` }, stateTag(booked.state, booked.state === 'waitlisted' && booked.place ? t('voWaitPlace', { n: booked.place }) : null));
  } else if (open && (free > 0 || st.act.waitlist)) {
    act = h(
      'button',
      {
        type: 'button',
        class: `btn ${free > 0 ? 'btn-primary' : 'btn-secondary'} vo-shift-btn`,
        id: `vo-shift-${s.id}-signup`,
        'aria-busy': st.busy === s.id ? 'true' : null,
        disabled: Boolean(st.busy),
        'aria-describedby': `vo-shift-${s.id}-when vo-shift-${s.id}-places`,
        onclick: () => signUp(s),
      },
      st.busy === s.id ? t('working_') : free > 0 ? t('voSignUp') : t('voJoinWaitlist'),
    );
  }
  return h(
    'li',
    { class: 'vo-shift', id: `vo-shift-${s.id}`, 'data-shift': s.id },
    h(
      'div',
      { class: 'vo-shift-text' },
      h('span', { class: 'vo-shift-when', id: `vo-shift-${s.id}-when` }, spanWords(s.start, s.end)),
      h('span', { class: 'vo-shift-places', id: `vo-shift-${s.id}-places` }, open || s.state === 'cancelled' ? placesWords(s) : t('voStarted')),
    ),
    act,
    said,
    problem ? problemBlock(`vo-shift-${s.id}-problem`, problem) : null,
    leads(st.me, st.act.squad) ? h('a', { class: 'btn btn-secondary btn-small', href: `#/volunteer/shifts/${s.id}`, id: `vo-shift-${s.id}-roster` }, t('voRoster')) : null,
  );
}

function draw(root) {
  const a = st.act;
  const title = pick(a, 'title');
  const desc = pick(a, 'description');
  const back = crumbs(`#/volunteer/squads/${a.squad}`, t('voBackToSquad'));
  const squadN = st.squad ? pick(st.squad, 'name') : null;
  root.replaceChildren(
    h(
      'div',
      { class: 'page', id: 'vo-activity', 'data-activity': a.id },
      back,
      pageTitle(h('span', { lang: title.lang }, title.text)),
      squadN ? h('p', { class: 'muted', lang: squadN.lang }, squadN.text) : null,
      desc.text ? h('p', { lang: desc.lang }, desc.text) : null,
      st.squad && session.me() && !st.squad.member ? h('p', { class: 'note', id: 'vo-join-first' }, t('voJoinFirst'), ' ', h('a', { class: 'btn btn-primary', href: `#/volunteer/squads/${a.squad}` }, t('voJoin'))) : null,
      h('section', { class: 'panel', 'aria-labelledby': 'vo-shifts-h' }, h('h3', { id: 'vo-shifts-h' }, t('voShifts')), h('ul', { class: 'vo-shifts', id: 'vo-shifts' }, (a.shifts || []).map(shiftRow))),
      session.me() ? h('p', null, h('a', { class: 'btn btn-secondary btn-block', href: '#/volunteer/me', id: 'vo-to-code' }, t('voShowMyCode'))) : null,
      h('section', { class: 'panel', 'aria-labelledby': 'vo-where-h' }, h('h3', { id: 'vo-where-h' }, t('voWhere')), siteBlock(st.site)),
    ),
  );
}

export const activityView = {
  title: () => (st.act ? pick(st.act, 'title').text : t('voActivityTitle')),
  async render(root, params, { first }) {
    if (first) {
      root.replaceChildren(loadingPage(t('voActivityTitle')));
      try {
        await load(params.id);
        st.me = await myVolunteer();
      } catch (e) {
        if (root.isConnected) root.replaceChildren(failedPage(t('voActivityTitle'), e, crumbs('#/volunteer', t('voBackToSquads'))));
        return;
      }
      if (!root.isConnected) return;
    }
    if (!st.act) return;
    draw(root);
  },
};

// ---- the leader's new activity ---------------------------------------------------------------

const form = { squad: null, sites: [], title_zh: '', title_en: '', description_zh: '', site: '', waitlist: true, shifts: [], errors: {}, alert: '', busy: false };

function newShift() {
  return { date: addDays(todayKey(), 1), start: '09:00', end: '12:00', capacity: '6' };
}

async function loadForm(id) {
  await session.refresh({ force: true }).catch(() => {});
  const s = await getJson(`/api/volunteer/squads/${encodeURIComponent(id)}`);
  const sites = await getJson('/api/sites', { region: s.street, limit: 200 }).catch(() => ({ items: [] }));
  Object.assign(form, { squad: s, sites: sites.items || [], title_zh: '', title_en: '', description_zh: '', site: '', waitlist: true, shifts: [newShift()], errors: {}, alert: '', busy: false });
  if (form.sites.length === 1) form.site = String(form.sites[0].id);
}

function iso(date, time) {
  return `${date}T${time}:00+08:00`;
}

async function submit(ev) {
  ev.preventDefault();
  form.errors = {};
  form.alert = '';
  if (!form.title_zh.trim()) form.errors.title_zh = t('voNeedTitle');
  if (!form.site) form.errors.site = t('voNeedSite');
  form.shifts.forEach((s, i) => {
    if (!s.date || !s.start || !s.end || iso(s.date, s.end) <= iso(s.date, s.start)) form.errors[`shift${i}`] = t('voNeedTimes');
  });
  if (Object.keys(form.errors).length) {
    redraw();
    document.querySelector('#vo-new [aria-invalid="true"]')?.focus();
    return;
  }
  form.busy = true;
  redraw();
  const body = {
    title_zh: form.title_zh.trim(),
    title_en: form.title_en.trim() || undefined,
    description_zh: form.description_zh.trim() || undefined,
    site: Number(form.site),
    waitlist: form.waitlist,
    shifts: form.shifts.map((s) => ({ start: iso(s.date, s.start), end: iso(s.date, s.end), capacity: Number(s.capacity) || 1 })),
  };
  try {
    const a = await session.call('POST', `/api/volunteer/squads/${form.squad.id}/activities`, { json: body });
    form.busy = false;
    go(`/volunteer/activities/${a.id}`);
    return;
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      form.busy = false;
      needSignIn(`/volunteer/squads/${form.squad.id}/new`);
      return;
    }
    const m = e instanceof ApiError && e.field ? /^shifts\[(\d+)\]/.exec(e.field) : null;
    const msg = problemBlock('x', e).textContent;
    if (m) form.errors[`shift${m[1]}`] = msg;
    else if (e instanceof ApiError && (e.field === 'title_zh' || e.field === 'site')) form.errors[e.field] = msg;
    else form.alert = msg;
  }
  form.busy = false;
  redraw();
  document.querySelector('#vo-new [aria-invalid="true"]')?.focus() || document.querySelector('#vo-new .form-alert')?.focus();
}

function shiftFields(s, i) {
  const err = form.errors[`shift${i}`];
  const input = (key, type, attrs = {}) => bound('input', s, key, { type, class: 'input', ...attrs });
  return h(
    'fieldset',
    { class: 'vo-fshift', id: `vo-fshift-${i}` },
    h('legend', null, t('voFShift', { n: i + 1 })),
    field({ id: `vo-f-date-${i}`, label: t('voFDate'), input: input('date', 'date', { 'aria-invalid': err ? 'true' : null }), error: err }),
    h(
      'div',
      { class: 'two-col' },
      field({ id: `vo-f-start-${i}`, label: t('voFStart'), input: input('start', 'time') }),
      field({ id: `vo-f-end-${i}`, label: t('voFEnd'), input: input('end', 'time') }),
    ),
    field({ id: `vo-f-cap-${i}`, label: t('voFCap'), input: input('capacity', 'number', { min: '1', max: '500', inputmode: 'numeric' }) }),
    form.shifts.length > 1
      ? h(
          'button',
          {
            type: 'button',
            class: 'btn btn-secondary',
            id: `vo-f-remove-${i}`,
            onclick: () => {
              form.shifts.splice(i, 1);
              redraw();
              document.getElementById('vo-add-shift')?.focus();
            },
          },
          t('voRemoveShift', { n: i + 1 }),
        )
      : null,
  );
}

function drawForm(root) {
  const s = form.squad;
  const siteSel = bound('select', form, 'site', {}, h('option', { value: '' }, t('choose')), form.sites.map((x) => h('option', { value: String(x.id), selected: String(x.id) === form.site }, pick(x, 'name').text)));
  root.replaceChildren(
    h(
      'div',
      { class: 'page' },
      crumbs(`#/volunteer/squads/${s.id}`, t('voBackToSquad')),
      pageTitle(t('voNewTitle')),
      h('p', { class: 'muted', lang: pick(s, 'name').lang }, pick(s, 'name').text),
      h(
        'form',
        { class: 'form', id: 'vo-new', novalidate: true, onsubmit: submit },
        form.alert ? formAlert(form.alert) : null,
        field({ id: 'vo-f-title', name: 'title_zh', label: t('voFTitleZh'), input: bound('input', form, 'title_zh', { type: 'text', maxlength: '100' }), error: form.errors.title_zh }),
        field({ id: 'vo-f-title-en', name: 'title_en', label: t('voFTitleEn'), input: bound('input', form, 'title_en', { type: 'text', maxlength: '100', lang: 'en' }) }),
        field({ id: 'vo-f-desc', name: 'description_zh', label: t('voFDesc'), input: bound('textarea', form, 'description_zh', { rows: '3' }) }),
        field({ id: 'vo-f-site', name: 'site', label: t('voFSite'), input: siteSel, error: form.errors.site }),
        checkbox({ id: 'vo-f-waitlist', st: form, key: 'waitlist', label: t('voFWaitlist') }),
        form.shifts.map(shiftFields),
        h(
          'button',
          {
            type: 'button',
            class: 'btn btn-secondary btn-block',
            id: 'vo-add-shift',
            onclick: () => {
              const last = form.shifts[form.shifts.length - 1];
              form.shifts.push(last ? { ...last, date: addDays(last.date || todayKey(), 1) } : newShift());
              redraw();
              document.getElementById(`vo-f-date-${form.shifts.length - 1}`)?.focus();
            },
          },
          t('voAddShift'),
        ),
        button(t('voCreate'), { type: 'submit', cls: 'btn btn-primary btn-block', busy: form.busy, id: 'vo-create' }),
      ),
    ),
  );
}

export const newActivityView = {
  title: () => t('voNewTitle'),
  async render(root, params, { first }) {
    if (first) {
      root.replaceChildren(loadingPage(t('voNewTitle')));
      try {
        await loadForm(params.id);
      } catch (e) {
        if (root.isConnected) root.replaceChildren(failedPage(t('voNewTitle'), e, crumbs('#/volunteer', t('voBackToSquads'))));
        return;
      }
      if (!root.isConnected) return;
      if (!session.me()) {
        needSignIn(`/volunteer/squads/${params.id}/new`);
        return;
      }
    }
    if (!form.squad) return;
    drawForm(root);
  },
};
