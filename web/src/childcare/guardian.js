// guardian.js - summer childcare for a worker: the programmes with their
// places (#/childcare/programmes), one programme with its daily timetable,
// its consent text in full and the family enrolment
// (#/childcare/programmes/{id}), adding a child (#/childcare/children/new),
// and my childcare page (#/childcare, and #/childcare/enrolments/{id}, the
// link of an offer's notice): my children, my enrolments with their state
// (accept an offer, cancel), my pickup code and my children's arrivals and
// pickups, which follow my inbox's event stream live.
import { h, langText } from '../dom.js';
import { t, pick, formatWhen } from '../i18n.js';
import { getJson, ApiError } from '../api.js';
import * as session from '../session.js';
import { field, bound, formAlert, button, errorMessage, placeError, focusProblem } from '../forms.js';
import { redraw, pageTitle, needSignIn } from '../page.js';
import { onInbox } from '../inbox/live.js';

const $id = (id) => document.getElementById(id);

function apiLost(e) {
  return e instanceof ApiError && e.status === 401 && !session.me();
}

async function signedInOr(path) {
  await session.refresh({ force: true }).catch(() => null);
  if (session.me()) return true;
  needSignIn(path);
  return false;
}

// ---- programmes ------------------------------------------------------------

const list = { items: null, alert: '' };

function placesLine(p) {
  const left = p.capacity - p.taken;
  return h(
    'p',
    { class: 'person-meta', 'data-places': `${p.taken}/${p.capacity}` },
    t('ccPlaces', { taken: p.taken, capacity: p.capacity }),
    ' · ',
    left > 0 ? t('ccPlacesLeft', { n: left }) : t('ccFull'),
    p.waiting ? ` · ${t('ccWaiting', { n: p.waiting })}` : '',
  );
}

function programmeItem(p) {
  return h(
    'li',
    { class: 'person', id: `programme-${p.id}`, 'data-id': p.id },
    h('h3', { class: 'person-name' }, h('a', { class: 'bk-link', href: `#/childcare/programmes/${p.id}` }, langText(pick(p, 'title')))),
    h('p', { class: 'person-meta' }, langText(pick(p, 'site_name')), ' · ', t('ccAges', { min: p.age_min, max: p.age_max })),
    h('p', { class: 'person-meta' }, t('ccDays', { from: p.first_day, to: p.last_day }), ' · ', t(p.lunch ? 'ccLunch' : 'ccNoLunch')),
    placesLine(p),
  );
}

export const programmesView = {
  title: () => t('ccProgrammesTitle'),
  async render(root, params, { first }) {
    if (first) {
      list.alert = '';
      try {
        list.items = (await getJson('/api/childcare/programmes')).items || [];
      } catch (e) {
        list.alert = errorMessage(e);
        list.items = [];
      }
    }
    root.replaceChildren(
      h(
        'div',
        { class: 'page' },
        pageTitle(t('ccProgrammesTitle')),
        h('p', { class: 'page-lead' }, t('ccLead')),
        formAlert(list.alert),
        list.items === null ? h('p', { class: 'muted' }, t('loading')) : h('ul', { class: 'people-list', id: 'programme-list' }, list.items.map(programmeItem)),
      ),
    );
  },
};

// ---- one programme, and enrolling ---------------------------------------------

const one = { p: null, children: null, alert: '', note: '', pick: new Set(), agree: false, errors: {}, busy: false };

async function loadProgramme(id) {
  one.p = null;
  one.alert = '';
  try {
    const [p, kids] = await Promise.all([getJson(`/api/childcare/programmes/${id}`), session.call('GET', '/api/me/children')]);
    one.p = p;
    one.children = kids.items || [];
  } catch (e) {
    if (apiLost(e)) return;
    one.alert = errorMessage(e);
  }
}

async function enrol(ev) {
  ev?.preventDefault();
  one.errors = {};
  one.alert = '';
  one.note = '';
  if (!one.pick.size) one.errors.children = t('err_invalid_field_children');
  else if (!one.agree) one.errors.consent = t('err_consent_required_consent');
  if (one.errors.children || one.errors.consent) {
    redraw();
    focusProblem($id('enrol-form'));
    return;
  }
  one.busy = true;
  redraw();
  try {
    const e = await session.call('POST', '/api/childcare/enrolments', {
      json: { programme: one.p.id, children: [...one.pick], consent: one.p.consent_version },
    });
    one.note = e.state === 'enrolled' ? t('ccEnrolled') : t('ccWaitlisted', { n: e.place });
    one.pick.clear();
    one.agree = false;
    one.p = await getJson(`/api/childcare/programmes/${one.p.id}`);
  } catch (e) {
    if (apiLost(e)) return;
    placeError(one, e, { children: 'children', consent: 'consent' });
    if (e instanceof ApiError && /^children\[/.test(e.field || '')) one.errors.children = errorMessage(e);
  }
  one.busy = false;
  redraw();
  if (one.note) $id('enrol-note')?.focus();
  else focusProblem($id('enrol-form') || document.body);
}

function timetable(p) {
  return h(
    'ol',
    { class: 'people-list', id: 'timetable' },
    p.timetable.map((a) =>
      h(
        'li',
        { class: 'person', 'data-kind': a.kind },
        h('p', { class: 'person-name' }, `${a.start}–${a.end} · `, t(`ccKind_${a.kind}`)),
        h('p', { class: 'person-meta' }, langText(pick(a, 'title'))),
      ),
    ),
  );
}

function childChoice(c) {
  const id = `enrol-child-${c.id}`;
  const input = h('input', { type: 'checkbox', id, class: 'check-input', checked: one.pick.has(c.id) });
  input.addEventListener('change', () => {
    if (input.checked) one.pick.add(c.id);
    else one.pick.delete(c.id);
  });
  return h('label', { class: 'check', for: id }, input, h('span', { lang: 'zh-CN' }, c.name), ` (${t('ccBorn', { date: c.birth_date })})`);
}

function enrolForm(p) {
  const agree = h('input', { type: 'checkbox', id: 'enrol-consent', class: 'check-input', checked: one.agree });
  agree.addEventListener('change', () => {
    one.agree = agree.checked;
  });
  if (one.errors.consent) {
    agree.setAttribute('aria-invalid', 'true');
    agree.setAttribute('aria-describedby', 'enrol-consent-err');
  }
  const consent = pick(p, 'consent');
  return h(
    'form',
    { id: 'enrol-form', novalidate: true, onsubmit: enrol },
    h('section', { class: 'panel', 'aria-labelledby': 'consent-title' },
      h('h3', { id: 'consent-title' }, t('ccConsentTitle', { v: p.consent_version })),
      h('div', { id: 'consent-text', class: 'consent-text', tabindex: '0', role: 'region', 'aria-labelledby': 'consent-title', lang: consent.lang }, consent.text)),
    h('section', { class: 'panel', 'aria-labelledby': 'enrol-title' },
      h('h3', { id: 'enrol-title' }, t('ccEnrolTitle')),
      h('p', { class: 'muted' }, t('ccEnrolLead')),
      formAlert(one.alert),
      formAlert(one.note, 'ok') && h('div', { id: 'enrol-note', tabindex: '-1' }, formAlert(one.note, 'ok')),
      h('fieldset', { class: 'field', id: 'enrol-children', 'aria-describedby': one.errors.children ? 'enrol-children-err' : null },
        h('legend', { class: 'field-label' }, t('ccPickChildren')),
        one.children && one.children.length ? one.children.map(childChoice) : h('p', { class: 'muted' }, t('ccNoChildren')),
        one.errors.children ? h('p', { id: 'enrol-children-err', class: 'field-error' }, one.errors.children) : null),
      h('a', { class: 'btn btn-secondary btn-block', href: '#/childcare/children/new', id: 'enrol-add-child' }, t(one.children && one.children.length ? 'ccAddChild' : 'ccAddChildFirst')),
      h('label', { class: 'check', for: 'enrol-consent' }, agree, t('ccConsentAgree', { v: p.consent_version })),
      one.errors.consent ? h('p', { id: 'enrol-consent-err', class: 'field-error' }, one.errors.consent) : null,
      button(t('ccEnrolSubmit'), { cls: 'btn btn-primary btn-block', type: 'submit', id: 'enrol-submit', busy: one.busy })),
  );
}

export const programmeView = {
  title: () => (one.p ? pick(one.p, 'title').text : t('ccProgrammesTitle')),
  async render(root, params, { first }) {
    if (first) {
      if (!(await signedInOr(`/childcare/programmes/${params.id}`))) return;
      one.note = '';
      one.errors = {};
      one.pick = new Set();
      one.agree = false;
      await loadProgramme(params.id);
    }
    const p = one.p;
    root.replaceChildren(
      h(
        'div',
        { class: 'page' },
        pageTitle(p ? pick(p, 'title').text : t('ccProgrammesTitle')),
        !p ? formAlert(one.alert) : null,
        p
          ? [
              h('section', { class: 'panel', 'aria-labelledby': 'programme-facts' },
                h('h3', { id: 'programme-facts' }, langText(pick(p, 'site_name'))),
                h('p', { class: 'muted' }, langText(pick(p, 'description'))),
                h('p', { class: 'person-meta' }, t('ccAges', { min: p.age_min, max: p.age_max }), ' · ', t('ccDays', { from: p.first_day, to: p.last_day }), ' · ', t(p.lunch ? 'ccLunch' : 'ccNoLunch')),
                placesLine(p)),
              h('section', { class: 'panel', 'aria-labelledby': 'timetable-title' }, h('h3', { id: 'timetable-title' }, t('ccTimetable')), timetable(p)),
              enrolForm(p),
            ]
          : null,
      ),
    );
  },
};

// ---- adding a child -------------------------------------------------------------

const blank = () => ({ name: '', birth_date: '', school: '', grade: '', allergies: '', health_notes: '', ec_name: '', ec_phone: '', ec_relation: '', pu_name: '', pu_phone: '', pu_relation: '', errors: {}, alert: '', busy: false });
let form = blank();

const person = (name, phone, relation) => (name.trim() || phone.trim() ? [{ name: name.trim(), phone: phone.trim(), relation: relation.trim() }] : []);

async function saveChild(ev) {
  ev?.preventDefault();
  form.errors = {};
  form.alert = '';
  if (!form.name.trim()) form.errors.name = t('ccRequired');
  if (!form.birth_date) form.errors.birth_date = t('err_invalid_field_birth_date');
  if (form.errors.name || form.errors.birth_date) {
    redraw();
    focusProblem($id('child-form'));
    return;
  }
  form.busy = true;
  redraw();
  try {
    const c = await session.call('POST', '/api/me/children', {
      json: {
        name: form.name.trim(), birth_date: form.birth_date, school: form.school, grade: form.grade, allergies: form.allergies,
        health_notes: form.health_notes, emergency_contacts: person(form.ec_name, form.ec_phone, form.ec_relation),
        pickup_people: person(form.pu_name, form.pu_phone, form.pu_relation),
      },
    });
    home.note = t('ccChildSaved', { name: c.name });
    form = blank();
    location.hash = '#/childcare';
    return;
  } catch (e) {
    if (apiLost(e)) return;
    placeError(form, e, {
      name: 'name', birth_date: 'birth_date', school: 'school', grade: 'grade', allergies: 'allergies', health_notes: 'health_notes',
      'emergency_contacts[0].name': 'ec_name', 'emergency_contacts[0].phone': 'ec_phone',
      'pickup_people[0].name': 'pu_name', 'pickup_people[0].phone': 'pu_phone',
    });
  }
  form.busy = false;
  redraw();
  focusProblem($id('child-form'));
}

function input(key, label, attrs = {}, tag = 'input') {
  return field({ id: `child-${key.replace(/_/g, '-')}`, label, name: key, error: form.errors[key], input: bound(tag, form, key, attrs) });
}

export const childFormView = {
  title: () => t('ccChildTitle'),
  async render(root, params, { first }) {
    if (first) {
      if (!(await signedInOr('/childcare/children/new'))) return;
      form = blank();
    }
    root.replaceChildren(
      h(
        'div',
        { class: 'page' },
        pageTitle(t('ccChildTitle')),
        h('p', { class: 'page-lead' }, t('ccChildLead')),
        h(
          'form',
          { id: 'child-form', class: 'panel', novalidate: true, onsubmit: saveChild },
          formAlert(form.alert),
          input('name', t('ccName'), { autocomplete: 'off' }),
          input('birth_date', t('ccBirthDate'), { type: 'date' }),
          input('school', t('ccSchool')),
          input('grade', t('ccGrade')),
          input('allergies', t('ccAllergies')),
          input('health_notes', t('ccHealth'), { rows: 3 }, 'textarea'),
          h('fieldset', { class: 'field' }, h('legend', { class: 'field-label' }, t('ccEmergency')),
            input('ec_name', t('ccPersonName')), input('ec_phone', t('ccPersonPhone'), { type: 'tel', inputmode: 'tel' }), input('ec_relation', t('ccPersonRelation'))),
          h('fieldset', { class: 'field' }, h('legend', { class: 'field-label' }, t('ccPickup')),
            input('pu_name', t('ccPersonName')), input('pu_phone', t('ccPersonPhone'), { type: 'tel', inputmode: 'tel' }), input('pu_relation', t('ccPersonRelation'))),
          button(t('ccSaveChild'), { cls: 'btn btn-primary btn-block', type: 'submit', id: 'child-submit', busy: form.busy }),
        ),
      ),
    );
  },
};

// ---- my childcare ------------------------------------------------------------------

const home = { open: false, children: null, enrolments: [], attendance: [], codes: null, alert: '', note: '', busy: null, focus: null, timer: null, unlisten: null };

async function loadHome() {
  try {
    const [kids, mine, codes] = await Promise.all([
      session.call('GET', '/api/me/children'),
      session.call('GET', '/api/me/childcare'),
      session.call('GET', '/api/me/childcare/pickup-codes'),
    ]);
    home.children = kids.items || [];
    home.enrolments = mine.enrolments || [];
    home.attendance = mine.attendance || [];
    home.codes = codes;
    clearTimeout(home.timer);
    // A new code when this one stops being shown.
    home.timer = setTimeout(async () => {
      if (!home.open) return;
      await loadHome();
      if (home.open) redraw();
    }, Math.max(1, codes.expires_in) * 1000);
  } catch (e) {
    if (apiLost(e)) return;
    home.alert = errorMessage(e);
  }
}

async function act(e, how) {
  home.busy = `${how}${e.id}`;
  home.alert = '';
  home.note = '';
  redraw();
  try {
    await session.call('POST', `/api/childcare/enrolments/${e.id}/${how}`);
    home.note = t(how === 'accept' ? 'ccAccepted' : 'ccCancelled');
    await loadHome();
  } catch (err) {
    if (apiLost(err)) return;
    home.alert = errorMessage(err);
    await loadHome();
  }
  home.busy = null;
  redraw();
  $id('cc-home-note')?.focus();
}

const childName = (id) => home.children?.find((c) => c.id === id)?.name || `#${id}`;

function enrolmentItem(e) {
  const p = e.programme;
  return h(
    'li',
    { class: 'person', id: `enrolment-${e.id}`, 'data-id': e.id, 'data-state': e.state, tabindex: home.focus === String(e.id) ? '-1' : null },
    h('div', { class: 'person-head' },
      h('h4', { class: 'person-name' }, h('a', { class: 'bk-link', href: `#/childcare/programmes/${p.id}` }, langText(pick(p, 'title')))),
      h('span', { class: `badge-v badge-v-${e.state === 'enrolled' ? 'verified' : e.state === 'cancelled' ? 'revoked' : 'unverified'}`, id: `enrolment-${e.id}-state` }, t(`ccState_${e.state}`))),
    h('p', { class: 'person-meta' }, t('ccChildrenOf', { names: e.children.map(childName).join('、') })),
    e.state === 'waitlisted' && e.place ? h('p', { class: 'person-meta' }, t('ccPlaceInLine', { n: e.place })) : null,
    e.state === 'offered' ? h('p', { class: 'person-meta' }, t('ccOfferUntil', { when: formatWhen(e.offer_until) })) : null,
    e.state === 'offered' || e.state === 'enrolled' || e.state === 'waitlisted'
      ? h('div', { class: 'btn-row' },
          e.state === 'offered' ? button(t('ccAccept'), { cls: 'btn btn-primary', id: `enrolment-${e.id}-accept`, busy: home.busy === `accept${e.id}`, onclick: () => act(e, 'accept') }) : null,
          button(t('ccCancel'), { cls: 'btn btn-secondary', id: `enrolment-${e.id}-cancel`, busy: home.busy === `cancel${e.id}`, onclick: () => act(e, 'cancel') }))
      : null,
  );
}

function attendanceItem(a) {
  return h(
    'li',
    { class: 'person', 'data-child': a.child, 'data-day': a.day, 'data-out': a.out_at ? 'true' : 'false' },
    h('h4', { class: 'person-name', lang: 'zh-CN' }, a.child_name),
    h('p', { class: 'person-meta' }, a.day, ' · ', t('ccIn', { when: formatWhen(a.in_at) })),
    h('p', { class: 'person-meta' }, a.out_at ? t('ccOut', { when: formatWhen(a.out_at), who: a.picked_up_by === 'guardian' ? t('ccYou') : a.picked_up_by }) : t('ccNotOut')),
  );
}

function codesPanel() {
  const c = home.codes;
  if (!c) return null;
  const people = c.children.flatMap((k) => k.pickup_people.map((p) => ({ ...p, child: k.name })));
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'cc-code-title' },
    h('h3', { id: 'cc-code-title' }, t('ccCodeTitle')),
    h('p', { class: 'state-big', id: 'cc-code' }, c.code),
    h('p', { class: 'muted' }, t('ccCodeHint', { n: c.expires_in })),
    people.map((p) => [h('p', { class: 'person-meta' }, t('ccPersonCode', { name: p.name, relation: p.relation || '—', child: p.child })), h('p', { class: 'state-big', 'data-person': p.name }, p.code)]),
  );
}

export const homeView = {
  title: () => t('ccTitle'),
  async render(root, params, { first }) {
    if (first) {
      if (!(await signedInOr(params.id ? `/childcare/enrolments/${params.id}` : '/childcare'))) return;
      home.open = true;
      home.alert = '';
      home.focus = params.id || null;
      home.unlisten ||= onInbox(async (kind) => {
        if (!home.open || (kind !== 'notice' && kind !== 'stale')) return;
        await loadHome();
        if (home.open) redraw();
      });
      await loadHome();
    }
    root.replaceChildren(
      h(
        'div',
        { class: 'page' },
        pageTitle(t('ccTitle')),
        h('p', { class: 'page-lead' }, t('ccLead')),
        h('a', { class: 'btn btn-primary btn-block', href: '#/childcare/programmes', id: 'cc-programmes' }, t('ccProgrammesLink')),
        session.hasAnyRole(['staff']) ? h('a', { class: 'btn btn-secondary btn-block', href: '#/admin/childcare', id: 'cc-roster-link' }, t('ccStaffTitle')) : null,
        formAlert(home.alert),
        home.note ? h('div', { id: 'cc-home-note', tabindex: '-1' }, formAlert(home.note, 'ok')) : null,
        h('section', { class: 'panel', 'aria-labelledby': 'cc-enrolments-title' },
          h('h3', { id: 'cc-enrolments-title' }, t('ccMyEnrolments')),
          home.enrolments.length ? h('ul', { class: 'people-list', id: 'cc-enrolments' }, home.enrolments.map(enrolmentItem)) : h('p', { class: 'muted' }, t('ccNoEnrolments'))),
        codesPanel(),
        h('section', { class: 'panel', 'aria-labelledby': 'cc-attendance-title', 'aria-live': 'polite' },
          h('h3', { id: 'cc-attendance-title' }, t('ccAttendance')),
          home.attendance.length ? h('ul', { class: 'people-list', id: 'cc-attendance' }, home.attendance.map(attendanceItem)) : h('p', { class: 'muted' }, t('ccNoAttendance'))),
        h('section', { class: 'panel', 'aria-labelledby': 'cc-children-title' },
          h('h3', { id: 'cc-children-title' }, t('ccMyChildren')),
          home.children && home.children.length
            ? h('ul', { class: 'people-list', id: 'cc-children' }, home.children.map((c) => h('li', { class: 'person', 'data-id': c.id }, h('h4', { class: 'person-name', lang: 'zh-CN' }, c.name), h('p', { class: 'person-meta' }, t('ccBorn', { date: c.birth_date }), c.allergies ? ` · ${t('ccAllergyTag', { a: c.allergies })}` : ''))))
            : h('p', { class: 'muted' }, t('ccNoChildren')),
          h('a', { class: 'btn btn-secondary btn-block', href: '#/childcare/children/new', id: 'cc-add-child' }, t('ccAddChild'))),
      ),
    );
    if (first && home.focus) $id(`enrolment-${home.focus}`)?.focus();
  },
  leave() {
    home.open = false;
    home.note = '';
    clearTimeout(home.timer);
  },
};
