// staff.js - the childcare roster for a programme's staff
// (#/admin/childcare): pick one of the programmes I am listed on, see its
// enrolled children with allergies, health notes and who may collect them,
// check each in, and check them out with the pickup code the parent or an
// authorised person shows (a wrong or expired one is refused, and the
// server keeps a record of it).
import { h, langText } from '../dom.js';
import { t, pick, formatWhen } from '../i18n.js';
import { ApiError } from '../api.js';
import * as session from '../session.js';
import { field, formAlert, button, errorMessage, options } from '../forms.js';
import { redraw, pageTitle } from '../page.js';
import { checkFirst, allowed } from '../console.js';

const $id = (id) => document.getElementById(id);

const st = { programmes: null, pick: '', roster: null, codes: {}, errors: {}, alert: '', note: '', busy: null };

async function loadRoster() {
  st.roster = null;
  if (!st.pick) return;
  try {
    st.roster = await session.call('GET', `/api/childcare/programmes/${st.pick}/roster`);
  } catch (e) {
    if (e instanceof ApiError && e.status === 401 && !session.me()) return;
    st.alert = errorMessage(e);
  }
}

async function attend(child, action) {
  st.busy = `${action}${child.id}`;
  st.alert = '';
  st.note = '';
  st.errors = {};
  redraw();
  try {
    const body = { child: child.id, action };
    if (action === 'out') body.code = (st.codes[child.id] || '').trim();
    if (action === 'out' && !body.code) throw new ApiError(422, 'code_required', '', { field: 'code' });
    const a = await session.call('POST', `/api/childcare/programmes/${st.pick}/attendance`, { json: body });
    st.note = action === 'in' ? t('ccCheckedIn', { name: child.name }) : t('ccCheckedOut', { name: child.name, who: a.picked_up_by === 'guardian' ? t('ccGuardian') : a.picked_up_by });
    st.codes[child.id] = '';
    await loadRoster();
  } catch (e) {
    if (e instanceof ApiError && e.status === 401 && !session.me()) return;
    if (e instanceof ApiError && e.field === 'code') st.errors[child.id] = errorMessage(e);
    else st.alert = errorMessage(e);
  }
  st.busy = null;
  redraw();
  if (st.errors[child.id]) $id(`code-${child.id}`)?.focus();
  else $id('roster-note')?.focus();
}

function childRow(c) {
  const a = c.attendance;
  const here = a && !a.out_at;
  const codeInput = h('input', { class: 'input', inputmode: 'numeric', autocomplete: 'off', maxlength: '6', value: st.codes[c.id] || '' });
  codeInput.addEventListener('input', () => {
    st.codes[c.id] = codeInput.value;
  });
  const people = (c.pickup_people || []).map((p) => `${p.name}${p.relation ? `（${p.relation}）` : ''}`).join('、');
  return h(
    'li',
    { class: 'person', id: `roster-${c.id}`, 'data-id': c.id, 'data-state': !a ? 'absent' : here ? 'in' : 'out' },
    h('h4', { class: 'person-name', lang: 'zh-CN' }, c.name),
    c.allergies ? h('p', { class: 'person-meta' }, t('ccAllergyTag', { a: c.allergies })) : null,
    c.health_notes ? h('p', { class: 'person-meta', lang: 'zh-CN' }, c.health_notes) : null,
    people ? h('p', { class: 'person-meta' }, `${t('ccPickup')}：`, h('span', { lang: 'zh-CN' }, people)) : null,
    a ? h('p', { class: 'person-meta' }, t('ccIn', { when: formatWhen(a.in_at) })) : null,
    a && a.out_at ? h('p', { class: 'person-meta' }, t('ccOut', { when: formatWhen(a.out_at), who: a.picked_up_by === 'guardian' ? t('ccGuardian') : a.picked_up_by })) : null,
    !a ? h('div', { class: 'btn-row' }, button(t('ccCheckIn'), { cls: 'btn btn-primary', id: `in-${c.id}`, busy: st.busy === `in${c.id}`, onclick: () => attend(c, 'in') })) : null,
    here
      ? [
          field({ id: `code-${c.id}`, label: t('ccPickupCode'), hint: t('ccPickupCodeHint'), name: 'code', error: st.errors[c.id], input: codeInput }),
          h('div', { class: 'btn-row' }, button(t('ccCheckOut'), { cls: 'btn btn-primary', id: `out-${c.id}`, busy: st.busy === `out${c.id}`, onclick: () => attend(c, 'out') })),
        ]
      : null,
  );
}

export const staffView = {
  title: () => t('ccStaffTitle'),
  async render(root, params, { first }) {
    if (first && !(await checkFirst(root))) return;
    if (!allowed(root, '/admin/childcare', { roles: ['staff'] })) return;
    if (first) {
      st.alert = '';
      st.note = '';
      st.errors = {};
      try {
        st.programmes = (await session.call('GET', '/api/me/childcare/staffed')).items || [];
      } catch (e) {
        st.programmes = [];
        st.alert = errorMessage(e);
      }
      if (!st.programmes.some((p) => String(p.id) === st.pick)) st.pick = st.programmes.length ? String(st.programmes[0].id) : '';
      await loadRoster();
      if (!allowed(root, '/admin/childcare', { roles: ['staff'] })) return;
    }
    const select = h('select', { class: 'select' }, options(st.programmes.map((p) => [String(p.id), pick(p, 'title').text]), st.pick));
    select.addEventListener('change', async () => {
      st.pick = select.value;
      st.note = '';
      await loadRoster();
      redraw();
    });
    const kids = st.roster ? st.roster.children : null;
    root.replaceChildren(
      h(
        'div',
        { class: 'page page-wide' },
        pageTitle(t('ccStaffTitle')),
        st.programmes.length ? h('section', { class: 'panel', 'aria-label': t('ccStaffPick') }, field({ id: 'cc-programme', label: t('ccStaffPick'), input: select })) : h('p', { class: 'muted', id: 'cc-staff-none' }, t('ccStaffNone')),
        formAlert(st.alert),
        st.note ? h('div', { id: 'roster-note', tabindex: '-1' }, formAlert(st.note, 'ok')) : null,
        st.roster
          ? h('section', { class: 'panel', 'aria-labelledby': 'roster-title' },
              h('h3', { id: 'roster-title' }, t('ccRoster'), ' · ', langText(pick(st.roster.programme, 'title')), ` · ${st.roster.day}`),
              kids.length ? h('ul', { class: 'people-list', id: 'roster' }, kids.map(childRow)) : h('p', { class: 'muted' }, t('ccRosterNone')))
          : null,
      ),
    );
  },
};
