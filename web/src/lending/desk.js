// desk.js - the staff's lending desk (#/admin/lending): pick the station
// you work at (the sites your grants reach), lend an item to a worker by
// their borrowing number or their QR code (scanned with the camera, the
// shared scanner in ../scanner/, or its code typed), take things back at
// this station whatever station lent them (the worker found the same
// ways), and see this station's stock, what went out today and what is
// overdue.
import { h, langText } from '../dom.js';
import { t, pick, formatWhen } from '../i18n.js';
import { getJson, ApiError } from '../api.js';
import * as session from '../session.js';
import { field, bound, options, formAlert, button, errorMessage, placeError, focusProblem } from '../forms.js';
import { redraw, pageTitle } from '../page.js';
import { checkFirst, allowed, tabs } from '../console.js';
import { scanner, cleanCode } from '../scanner/scanner.js';
import { sitesReached, siteToPick, rememberSite } from '../reach.js';

const $id = (id) => document.getElementById(id);
const REMEMBER = 'wh.lendSite.'; // + the person's id
const DAY_MS = 86400 * 1000;
const CST_MS = 8 * 3600 * 1000;

const desk = {
  forUser: null,
  sites: null, // [{id, name_zh, name_en}] the caller reaches
  site: '', // picked site id as text
  types: [],
  stock: null,
  out: null,
  overdue: null,
  loadError: '',
  lend: { who: '', item: 'raincoat', errors: {}, alert: '', note: '', busy: false },
  back: { who: '', user: null, loans: null, errors: {}, alert: '', note: '', busy: false, rowBusy: null },
};

/** The sites the person's staff and admin grants reach. */
async function loadSites() {
  const m = session.me();
  const { list, error } = await sitesReached((m.roles || []).filter((g) => session.CONSOLE_ROLES.includes(g.role)));
  desk.loadError = error ? errorMessage(error) : '';
  desk.sites = list.sort((a, b) => a.name_zh.localeCompare(b.name_zh, 'zh') || a.id - b.id);
  desk.site = siteToPick(desk.sites, { key: REMEMBER, userId: m.id, forUser: desk.forUser, current: desk.site });
  desk.forUser = m.id;
}

/** The picked station's stock and lists. */
async function loadSite() {
  desk.stock = desk.out = desk.overdue = null;
  if (!desk.site) return;
  try {
    const [stock, out, overdue] = await Promise.all([
      getJson(`/api/sites/${desk.site}/items`),
      session.call('GET', `/api/sites/${desk.site}/loans`, { params: { state: 'out' } }),
      session.call('GET', `/api/sites/${desk.site}/loans`, { params: { state: 'overdue' } }),
    ]);
    desk.stock = stock.items || [];
    const today = Math.floor((Date.now() + CST_MS) / DAY_MS);
    desk.out = (out.items || []).filter((l) => Math.floor((Date.parse(l.lent_at) + CST_MS) / DAY_MS) === today);
    desk.overdue = overdue.items || [];
  } catch (e) {
    if (e instanceof ApiError && e.status === 401 && !session.me()) return;
    desk.loadError = errorMessage(e);
  }
}

// A scanned code goes into the field and is sent at once: to lend the
// item picked, or to find what the person has out.
const lendCamera = scanner({
  prefix: 'lend',
  fallback: 'lend-who',
  onCode: (code) => {
    desk.lend.who = code;
    lendItem();
  },
});
const backCamera = scanner({
  prefix: 'back',
  fallback: 'back-who',
  onCode: (code) => {
    desk.back.who = code;
    findBorrower();
  },
});

/** A borrowing number (digits) is a user id; anything else a QR code. */
function whoBody(text) {
  const s = cleanCode(text);
  return /^\d{1,15}$/.test(s) ? { user: Number(s) } : { qr: s };
}

const itemName = (code) => {
  const ty = desk.types.find((x) => x.code === code);
  return ty ? pick(ty, 'name').text : code;
};

async function lendItem(ev) {
  ev?.preventDefault();
  const f = desk.lend;
  f.errors = {};
  f.alert = '';
  f.note = '';
  if (!cleanCode(f.who)) {
    f.errors.who = t('err_who_missing');
    redraw();
    focusProblem($id('lend-form'));
    return;
  }
  f.busy = true;
  redraw();
  try {
    const loan = await session.call('POST', '/api/loans', { json: { site: Number(desk.site), item: f.item, ...whoBody(f.who) } });
    f.note = t('lentDone', {
      item: pick(loan.item, 'name').text,
      name: loan.borrower_name || t('someone', { id: loan.user_id }),
      when: formatWhen(loan.due_at),
    });
    f.who = '';
    await loadSite();
  } catch (e) {
    if (e instanceof ApiError && e.status === 401 && !session.me()) return;
    placeError(f, e, { user: 'who', qr: 'who', item: 'item' });
  }
  f.busy = false;
  redraw();
  const form = $id('lend-form');
  if (f.note) $id('lend-note')?.focus();
  else if (form) focusProblem(form);
}

async function findBorrower(ev) {
  ev?.preventDefault();
  const f = desk.back;
  f.errors = {};
  f.alert = '';
  f.note = '';
  f.loans = null;
  if (!cleanCode(f.who)) {
    f.errors.who = t('err_who_missing');
    redraw();
    focusProblem($id('back-form'));
    return;
  }
  f.busy = true;
  redraw();
  try {
    const who = whoBody(f.who);
    // A QR code names its person through the server, which checks it.
    const id = who.user ?? (await session.call('POST', '/api/qr/verify', { json: { token: who.qr } })).id;
    const r = await session.call('GET', `/api/users/${id}/loans`);
    f.user = id;
    f.loans = r.items || [];
  } catch (e) {
    if (e instanceof ApiError && e.status === 401 && !session.me()) return;
    if (e instanceof ApiError && e.code === 'not_found') f.errors.who = t('err_unknown_user_user');
    else placeError(f, e, { token: 'who', user: 'who' });
  }
  f.busy = false;
  redraw();
  if (f.loans) $id('back-list-title')?.focus();
  else focusProblem($id('back-form'));
}

async function takeBack(loan, how) {
  const f = desk.back;
  f.rowBusy = `${how}${loan.id}`;
  f.alert = '';
  f.note = '';
  redraw();
  try {
    await session.call('POST', `/api/loans/${loan.id}/${how}`, { json: { site: Number(desk.site) } });
    f.note = t(how === 'return' ? 'backDone' : 'backDamagedDone', { item: pick(loan.item, 'name').text });
    f.loans = (await session.call('GET', `/api/users/${f.user}/loans`)).items || [];
    await loadSite();
  } catch (e) {
    if (e instanceof ApiError && e.status === 401 && !session.me()) return;
    f.alert = errorMessage(e);
  }
  f.rowBusy = null;
  redraw();
  $id('back-note')?.focus();
}

// ---- drawing ---------------------------------------------------------------

function sitePicker() {
  if (desk.sites === null) return h('p', { class: 'muted' }, t('loading'));
  if (!desk.sites.length) return formAlert(desk.loadError || t('deskSiteEmpty'));
  const select = h(
    'select',
    { class: 'select' },
    h('option', { value: '', selected: !desk.site }, t('deskSiteChoose')),
    options(desk.sites.map((s) => [String(s.id), `${pick(s, 'name').text} #${s.id}`]), desk.site),
  );
  select.value = desk.site;
  select.addEventListener('change', async () => {
    desk.site = select.value;
    rememberSite(REMEMBER, desk.forUser, desk.site);
    desk.lend.note = desk.back.note = '';
    desk.back.loans = null;
    redraw();
    await loadSite();
    redraw();
  });
  return field({ id: 'desk-site', name: 'site', label: t('deskSite'), hint: t('deskSiteHint'), input: select });
}

function lendPanel() {
  const f = desk.lend;
  const left = new Map((desk.stock || []).map((s) => [s.code, s.available]));
  const who = bound('input', f, 'who', { type: 'text', autocomplete: 'off', inputmode: 'text', maxlength: '512' });
  const item = bound(
    'select',
    f,
    'item',
    {},
    options(desk.types.map((ty) => [ty.code, t('lendItemLeft', { name: pick(ty, 'name').text, n: left.get(ty.code) ?? 0 })]), f.item),
  );
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'lend-title' },
    h('h3', { id: 'lend-title' }, t('lendTitle')),
    h(
      'form',
      { class: 'form', id: 'lend-form', novalidate: true, onsubmit: lendItem },
      formAlert(f.alert),
      f.note ? h('p', { class: 'form-alert form-ok', role: 'status', id: 'lend-note', tabindex: '-1' }, f.note) : null,
      field({ id: 'lend-item', name: 'item', label: t('lendItem'), input: item, error: f.errors.item }),
      lendCamera.button({ disabled: f.busy, label: 'scScanWorker' }),
      lendCamera.note(),
      field({ id: 'lend-who', name: 'user', label: t('lendWho'), hint: t('lendWhoHint'), input: who, error: f.errors.who }),
      h('div', { class: 'form-actions' }, button(t('lendSubmit'), { type: 'submit', cls: 'btn btn-primary', busy: f.busy, id: 'lend-submit' })),
    ),
  );
}

function backPanel() {
  const f = desk.back;
  const who = bound('input', f, 'who', { type: 'text', autocomplete: 'off', maxlength: '512' });
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'back-title' },
    h('h3', { id: 'back-title' }, t('backTitle')),
    h(
      'form',
      { class: 'form', id: 'back-form', role: 'search', novalidate: true, onsubmit: findBorrower },
      formAlert(f.alert),
      f.note ? h('p', { class: 'form-alert form-ok', role: 'status', id: 'back-note', tabindex: '-1' }, f.note) : null,
      backCamera.button({ disabled: f.busy, label: 'scScanWorker' }),
      backCamera.note(),
      field({
        id: 'back-who',
        name: 'user',
        label: t('backWho'),
        hint: t('backWhoHint'),
        input: who,
        error: f.errors.who,
        control: h('div', { class: 'input-row' }, who, button(t('backFind'), { type: 'submit', cls: 'btn btn-primary', busy: f.busy, id: 'back-find' })),
      }),
    ),
    f.loans === null
      ? null
      : [
          h('h4', { id: 'back-list-title', tabindex: '-1', class: 'visually-hidden' }, t('backTitle')),
          f.loans.length
            ? h(
                'ul',
                { class: 'people-list', id: 'back-list' },
                f.loans.map((l) =>
                  h(
                    'li',
                    { class: 'person', id: `back-${l.id}`, 'data-id': l.id },
                    h('h4', { class: 'person-name' }, langText(pick(l.item, 'name'))),
                    h('p', { class: 'person-meta' }, t('loanFrom', { site: pick(l.site, 'name').text, when: formatWhen(l.lent_at) })),
                    h('p', { class: 'person-meta' }, l.overdue ? t('overdueSince', { when: formatWhen(l.due_at) }) : t('dueBy', { when: formatWhen(l.due_at) })),
                    h(
                      'div',
                      { class: 'btn-row' },
                      button(t('backHere'), { cls: 'btn btn-primary', id: `return-${l.id}`, busy: f.rowBusy === `return${l.id}`, onclick: () => takeBack(l, 'return') }),
                      button(t('backDamaged'), { cls: 'btn btn-secondary', id: `damaged-${l.id}`, busy: f.rowBusy === `damaged${l.id}`, onclick: () => takeBack(l, 'damaged') }),
                    ),
                  ),
                ),
              )
            : h('p', { class: 'muted', id: 'back-none' }, t('backNone')),
        ],
  );
}

function stockPanel() {
  if (desk.stock === null) return null;
  const cols = ['stockAvailable', 'stockLent', 'stockReserved', 'stockDamaged'];
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'stock-title' },
    h('h3', { id: 'stock-title' }, t('stockTitle')),
    desk.stock.length
      ? h(
          'table',
          { id: 'stock-table', class: 'stock-table' },
          h('thead', null, h('tr', null, h('th', { scope: 'col' }, t('stockItem')), cols.map((c) => h('th', { scope: 'col' }, t(c))))),
          h(
            'tbody',
            null,
            desk.stock.map((s) =>
              h(
                'tr',
                { 'data-code': s.code },
                h('th', { scope: 'row' }, langText(pick(s, 'name'))),
                h('td', { 'data-col': 'available' }, String(s.available)),
                h('td', { 'data-col': 'lent' }, String(s.lent)),
                h('td', { 'data-col': 'reserved' }, String(s.reserved)),
                h('td', { 'data-col': 'damaged' }, String(s.damaged)),
              ),
            ),
          ),
        )
      : h('p', { class: 'muted' }, t('stockNone')),
  );
}

function loanList(id, titleWord, noneWord, items) {
  if (items === null) return null;
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': `${id}-title` },
    h('h3', { id: `${id}-title` }, t(titleWord)),
    items.length
      ? h(
          'ul',
          { class: 'people-list', id },
          items.map((l) =>
            h(
              'li',
              { class: 'person', 'data-id': l.id },
              h('h4', { class: 'person-name' }, langText(pick(l.item, 'name'))),
              h('p', { class: 'person-meta' }, t('loanWho', { name: l.borrower_name || t('someone', { id: l.user_id ?? '-' }), when: formatWhen(l.due_at) })),
            ),
          ),
        )
      : h('p', { class: 'muted' }, t(noneWord)),
  );
}

export const deskView = {
  title: () => t('lendDeskTitle'),
  async render(root, params, { first }) {
    if (first && !(await checkFirst(root))) return;
    if (!allowed(root, '/admin/lending')) return;
    if (first) {
      desk.sites = null;
      desk.lend = { ...desk.lend, errors: {}, alert: '', note: '', busy: false };
      desk.back = { ...desk.back, who: '', user: null, loans: null, errors: {}, alert: '', note: '', busy: false, rowBusy: null };
      const [types] = await Promise.all([getJson('/api/item-types').catch(() => ({ items: [] })), loadSites()]);
      desk.types = types.items || [];
      await loadSite();
      if (!allowed(root, '/admin/lending')) return;
    }
    const layer = lendCamera.layer() || backCamera.layer();
    const page = h(
        'div',
        { class: 'page page-wide', inert: layer ? '' : null, 'aria-hidden': layer ? 'true' : null },
        pageTitle(t('lendDeskTitle')),
        tabs('/admin/lending'),
        h('section', { class: 'panel', 'aria-label': t('deskSite') }, sitePicker()),
        desk.site ? [lendPanel(), backPanel(), stockPanel(), loanList('today-out', 'todayOut', 'todayNone', desk.out), loanList('overdue-list', 'overdueTitle', 'overdueNone', desk.overdue)] : null,
        desk.loadError && desk.sites && desk.sites.length ? formAlert(desk.loadError) : null,
      );
    root.replaceChildren(...[page, layer].filter(Boolean));
  },
  leave() {
    lendCamera.stop();
    backCamera.stop();
  },
};
