// view.js - one year of the holiday calendar: the days in order (a public
// holiday, or a make-up workday and the weekday it stands for), and for
// system admins a form to add or change a day and a delete with a
// confirmation. Others see the list only: the API would refuse them.
import { h } from '../dom.js';
import { t, pick } from '../i18n.js';
import { getJson } from '../api.js';
import * as session from '../session.js';
import { go } from '../router.js';
import { field, bound, options, formAlert, button, rowActions, errorMessage, placeError, focusProblem } from '../forms.js';
import { redraw, pageTitle } from '../page.js';
import { checkFirst, allowed, tabs } from '../console.js';
import { DAYS } from '../sites/hours.js';

const $id = (id) => document.getElementById(id);
const thisYear = () => new Date(Date.now() + 8 * 3600e3).getUTCFullYear();

const st = { year: 0, items: null, alert: '', note: '', confirm: null, busy: '', errors: {}, v: null };

const emptyDay = () => ({ date: '', kind: 'holiday', as_weekday: '1', name_zh: '', name_en: '' });

async function load() {
  st.alert = '';
  try {
    st.items = (await getJson('/api/holidays', { year: st.year })).items || [];
  } catch (e) {
    st.items = [];
    st.alert = errorMessage(e);
  }
}

const weekdayOf = (date) => ((new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7) + 1; // 1=Mo..7=Su

async function save(ev) {
  ev.preventDefault();
  const v = st.v;
  st.errors = {};
  st.note = '';
  st.alert = '';
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v.date)) st.errors.date = t('holErrDate');
  if (!v.name_zh.trim()) st.errors.name_zh = t('holErrName');
  if (Object.keys(st.errors).length) {
    redraw();
    focusProblem($id('view-page'));
    return;
  }
  const body = { kind: v.kind, name_zh: v.name_zh.trim(), name_en: v.name_en.trim() };
  if (v.kind === 'workday') body.as_weekday = Number(v.as_weekday);
  st.busy = 'save';
  redraw();
  try {
    await session.call('PUT', `/api/holidays/${v.date}`, { json: body });
    st.note = t('holSaved', { date: v.date });
    const y = Number(v.date.slice(0, 4));
    st.v = emptyDay();
    if (y !== st.year) {
      st.busy = '';
      go(`/holidays/${y}`);
      return;
    }
    await load();
  } catch (e) {
    placeError(st, e, { date: 'date', kind: 'kind', as_weekday: 'as_weekday', name_zh: 'name_zh', name_en: 'name_en' });
  }
  st.busy = '';
  redraw();
  if (Object.keys(st.errors).length) focusProblem($id('view-page'));
  else $id('hol-msg')?.focus();
}

async function remove(day) {
  st.busy = `del-${day.date}`;
  st.alert = '';
  redraw();
  try {
    await session.call('DELETE', `/api/holidays/${day.date}`);
    st.note = t('holDeleted', { date: day.date });
    st.confirm = null;
    await load();
  } catch (e) {
    st.alert = errorMessage(e);
  }
  st.busy = '';
  redraw();
  $id('hol-msg')?.focus();
}

function dayRow(d, admin) {
  const name = pick(d, 'name');
  const what = d.kind === 'workday' ? t('holWorkdayAs', { day: t(`day_${DAYS[(d.as_weekday || 1) - 1]}`) }) : t('holHoliday');
  const id = `hol-${d.date}`;
  return h(
    'li',
    { class: 'console-card', 'data-date': d.date, 'data-kind': d.kind },
    h('h4', { id: `${id}-h` }, `${d.date} `, h('span', { lang: name.lang }, name.text)),
    h('p', { class: 'muted' }, `${t(`day_${DAYS[weekdayOf(d.date) - 1]}`)} · ${what}`),
    admin
      ? rowActions({
          id,
          st,
          key: d.date,
          question: t('holDeleteQ', { date: d.date }),
          busy: st.busy === `del-${d.date}`,
          onYes: () => remove(d),
          draw: redraw,
          onEdit: () => {
            st.v = { date: d.date, kind: d.kind, as_weekday: String(d.as_weekday || 1), name_zh: d.name_zh, name_en: d.name_en || '' };
            st.errors = {};
            redraw();
            $id('hol-date')?.focus();
          },
        })
      : null,
  );
}

function dayForm() {
  const v = st.v;
  const kind = bound('select', v, 'kind', {}, options([['holiday', t('holHoliday')], ['workday', t('holWorkday')]], v.kind));
  kind.addEventListener('change', () => redraw());
  return h(
    'form',
    { class: 'form', id: 'hol-form', novalidate: true, onsubmit: save },
    field({ id: 'hol-date', name: 'date', label: t('holDate'), error: st.errors.date, input: bound('input', v, 'date', { type: 'date' }) }),
    field({ id: 'hol-kind', name: 'kind', label: t('holKind'), error: st.errors.kind, input: kind }),
    v.kind === 'workday'
      ? field({
          id: 'hol-as_weekday',
          name: 'as_weekday',
          label: t('holAsWeekday'),
          hint: t('holAsWeekdayHint'),
          error: st.errors.as_weekday,
          input: bound('select', v, 'as_weekday', {}, options(DAYS.map((d, i) => [String(i + 1), t(`day_${d}`)]), v.as_weekday)),
        })
      : null,
    field({ id: 'hol-name_zh', name: 'name_zh', label: t('nameZh'), error: st.errors.name_zh, input: bound('input', v, 'name_zh', { type: 'text', maxlength: '100', lang: 'zh-CN' }) }),
    field({ id: 'hol-name_en', name: 'name_en', label: t('nameEn'), hint: t('optional'), error: st.errors.name_en, input: bound('input', v, 'name_en', { type: 'text', maxlength: '100', lang: 'en' }) }),
    button(t('holSave'), { type: 'submit', cls: 'btn btn-primary btn-block', id: 'hol-save', busy: st.busy === 'save' }),
  );
}

export const holidaysView = {
  title: () => t('holTab'),
  async render(root, params, { first }) {
    const year = Number(params.year) || thisYear();
    const path = params.year ? `/holidays/${params.year}` : '/holidays';
    if (first && !(await checkFirst(root))) return;
    if (!allowed(root, path, { roles: session.CONSOLE_ROLES })) return;
    if (first) {
      if (st.year !== year || st.items === null) {
        Object.assign(st, { year, items: null, confirm: null, errors: {}, alert: '' });
        if (!st.v) st.v = emptyDay();
        root.replaceChildren(h('div', { class: 'page' }, pageTitle(t('holTab')), h('p', { class: 'muted' }, t('loading'))));
        await load();
      }
    }
    const admin = session.isSystemAdmin();
    root.replaceChildren(
      h(
        'div',
        { class: 'page page-wide' },
        pageTitle(t('console')),
        tabs('/holidays'),
        h(
          'section',
          { class: 'panel', 'aria-labelledby': 'hol-title' },
          h('h3', { id: 'hol-title' }, t('holTitle', { year })),
          h(
            'nav',
            { class: 'btn-row', 'aria-label': t('holYears') },
            h('a', { class: 'btn btn-secondary', href: `#/holidays/${year - 1}`, id: 'hol-prev' }, t('holYear', { year: year - 1 })),
            h('a', { class: 'btn btn-secondary', href: `#/holidays/${year + 1}`, id: 'hol-next' }, t('holYear', { year: year + 1 })),
          ),
          h('div', { id: 'hol-msg', tabindex: '-1' }, formAlert(st.alert), formAlert(st.note, 'ok')),
          admin ? null : h('p', { class: 'muted', id: 'hol-readonly' }, t('holReadOnly')),
          h('p', { class: 'list-status', role: 'status', id: 'hol-status' }, st.items && st.items.length ? t('holShown', { n: st.items.length }) : t('holNone')),
          st.items && st.items.length ? h('ul', { class: 'console-list', id: 'hol-list' }, st.items.map((d) => dayRow(d, admin))) : null,
        ),
        admin ? h('section', { class: 'panel', 'aria-labelledby': 'hol-form-h' }, h('h3', { id: 'hol-form-h' }, t('holFormTitle')), h('p', { class: 'muted' }, t('holFormHint')), dayForm()) : null,
      ),
    );
  },
  leave() {
    st.confirm = null;
    st.items = null;
  },
};
