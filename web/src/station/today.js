// today.js - "today at my site" for station staff (#/station,
// #/station/:id): visitors so far with walk-in taps, the check-in poster,
// supplies that are low or expiring, today's opening and closing checks to
// tick, and the faults still open.
import { h } from '../dom.js';
import { t, pick, formatWhen } from '../i18n.js';
import * as session from '../session.js';
import { go } from '../router.js';
import { field, bound, checkbox, formAlert, button, errorMessage } from '../forms.js';
import { redraw, pageTitle } from '../page.js';
import { loadCatalogues, cat } from '../catalogue.js';
import { checkFirst, allowed, tabs } from '../console.js';

const KINDS = ['opening', 'closing'];

const st = {
  id: null, // the site shown
  loadedFor: null,
  site: null,
  today: null, // counts of today
  poster: null,
  supplies: null,
  checks: null,
  faults: null,
  alert: '',
  note: '',
  busy: null, // 'worker' | 'public' | 'reissue' | 'opening' | 'closing'
  confirmReissue: false,
  pickId: '',
  form: { opening: newForm(), closing: newForm() },
};

function newForm() {
  return { ok: {}, report: {}, note: '', alert: '', saved: '' };
}

/** The sites the person is staff of (grants scoped to a site). */
function mySites() {
  const roles = session.me()?.roles || [];
  return [...new Set(roles.filter((r) => r.role === 'staff' && r.scope_kind === 'site').map((r) => Number(r.scope_ref)))];
}

async function load(id) {
  st.id = id;
  st.loadedFor = id;
  st.alert = '';
  st.note = '';
  st.confirmReissue = false;
  st.form = { opening: newForm(), closing: newForm() };
  st.site = null;
  redraw();
  const get = (p) => session.call('GET', p);
  try {
    const [site, stats, poster, supplies, checks, faults] = await Promise.all([
      get(`/api/sites/${id}`),
      get(`/api/sites/${id}/visits/stats`),
      get(`/api/sites/${id}/poster`),
      get(`/api/sites/${id}/supplies`),
      get(`/api/sites/${id}/checklists`),
      get(`/api/sites/${id}/faults?state=open`),
    ]);
    st.site = site;
    st.today = stats.buckets[stats.buckets.length - 1];
    st.poster = poster;
    st.supplies = supplies;
    st.checks = checks;
    st.faults = faults.items || [];
  } catch (e) {
    st.alert = errorMessage(e);
  }
  redraw();
}

async function tap(kind) {
  st.busy = kind;
  st.note = '';
  st.alert = '';
  redraw();
  try {
    const r = await session.call('POST', `/api/sites/${st.id}/visits/walk-in`, { json: { kind, count: 1 } });
    st.today = { ...st.today, ...r.today };
    st.note = t('stnCounted', { n: r.today.total });
  } catch (e) {
    st.alert = errorMessage(e);
  }
  st.busy = null;
  redraw();
}

async function reissue() {
  st.busy = 'reissue';
  st.alert = '';
  redraw();
  try {
    st.poster = await session.call('POST', `/api/sites/${st.id}/poster/reissue`);
    st.note = t('stnReissued');
    st.confirmReissue = false;
  } catch (e) {
    st.alert = errorMessage(e);
  }
  st.busy = null;
  redraw();
  document.getElementById('stn-poster-code')?.focus();
}

async function submitCheck(kind) {
  const f = st.form[kind];
  const items = st.checks[kind].items.map((it) => {
    const ok = Boolean(f.ok[it.code]);
    const a = { code: it.code, ok };
    if (!ok && it.amenity && f.report[it.code]) a.report_fault = true;
    return a;
  });
  st.busy = kind;
  f.alert = '';
  redraw();
  try {
    await session.call('POST', `/api/sites/${st.id}/checklists`, { json: { kind, items, note: f.note.trim() } });
    const [checks, faults] = await Promise.all([
      session.call('GET', `/api/sites/${st.id}/checklists`),
      session.call('GET', `/api/sites/${st.id}/faults?state=open`),
    ]);
    st.checks = checks;
    st.faults = faults.items || [];
    f.saved = t('stnCheckSaved', { kind: t(kind === 'opening' ? 'stnOpening' : 'stnClosing') });
  } catch (e) {
    f.alert = errorMessage(e);
  }
  st.busy = null;
  redraw();
  document.querySelector(`#stn-check-${kind} .form-alert`)?.focus();
}

// ---- drawing -------------------------------------------------------------

/** "label n" with the number in bold, for a line of counts. */
function count(label, n, id) {
  return h('span', { class: 'stn-count' }, `${label} `, h('strong', { id }, String(n ?? 0)));
}

function visitorsPanel() {
  const d = st.today || {};
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'stn-visitors-title' },
    h('h3', { id: 'stn-visitors-title' }, t('stnVisitors')),
    h(
      'p',
      { class: 'page-lead', id: 'stn-counts' },
      count(t('stnWorkers'), d.workers, 'stn-count-workers'),
      ' · ',
      count(t('stnPublic'), d.public, 'stn-count-public'),
      ' · ',
      count(t('stnTotal'), d.total, 'stn-count-total'),
    ),
    h('p', { class: 'muted' }, `${t('stnByPoster')} ${d.poster ?? 0} · ${t('stnByStaff')} ${d.staff ?? 0} · ${t('stnWalkins')} ${(d.walkin_worker ?? 0) + (d.walkin_public ?? 0)}`),
    h(
      'div',
      { class: 'btn-row' },
      button(t('stnTapWorker'), { cls: 'btn btn-primary', id: 'stn-tap-worker', busy: st.busy === 'worker', onclick: () => tap('worker') }),
      button(t('stnTapPublic'), { cls: 'btn btn-secondary', id: 'stn-tap-public', busy: st.busy === 'public', onclick: () => tap('public') }),
    ),
  );
}

function posterPanel() {
  const p = st.poster;
  if (!p) return null;
  const url = h('input', { class: 'input', readonly: true, value: p.url });
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'stn-poster-title' },
    h('h3', { id: 'stn-poster-title' }, t('stnPoster')),
    h('p', { class: 'field-hint' }, t('stnPosterHint')),
    field({ id: 'stn-poster-code', label: t('stnPosterCode', { v: p.version }), input: url }),
    st.confirmReissue
      ? h(
          'div',
          { class: 'confirm', role: 'group', 'aria-labelledby': 'stn-reissue-q' },
          h('p', { id: 'stn-reissue-q', tabindex: '-1' }, h('strong', null, t('stnReissueConfirm'))),
          h(
            'div',
            { class: 'btn-row' },
            button(t('stnReissue'), { cls: 'btn btn-danger', id: 'stn-reissue-yes', busy: st.busy === 'reissue', onclick: reissue }),
            button(t('cancel'), {
              cls: 'btn btn-secondary',
              onclick: () => {
                st.confirmReissue = false;
                redraw();
              },
            }),
          ),
        )
      : button(t('stnReissue'), {
          cls: 'btn btn-danger-outline',
          id: 'stn-reissue',
          onclick: () => {
            st.confirmReissue = true;
            redraw();
            document.getElementById('stn-reissue-q')?.focus();
          },
        }),
  );
}

function suppliesPanel() {
  const s = st.supplies;
  if (!s) return null;
  const alerting = s.items.filter((x) => x.alerts.length);
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'stn-supplies-title' },
    h('h3', { id: 'stn-supplies-title' }, t('stnSupplies')),
    alerting.length
      ? h(
          'ul',
          { class: 'site-rows', id: 'stn-supplies' },
          alerting.map((x) => {
            const name = pick(x, 'name');
            const unit = pick(x, 'unit').text;
            return h(
              'li',
              { class: 'site-row', 'data-item': x.item },
              h(
                'div',
                { class: 'site-row-text' },
                h('h4', { class: 'site-row-name', lang: name.lang }, name.text),
                h(
                  'p',
                  { class: 'person-meta' },
                  x.alerts.map((a) => h('span', { class: 'tag tag-bad' }, t(a === 'low' ? 'stnLow' : a === 'expiring' ? 'stnExpiring' : 'stnExpired'))),
                  ' ',
                  t('stnHave', { n: x.quantity, min: x.minimum, unit }),
                  x.next_expiry ? ` · ${t('stnNextExpiry', { date: x.next_expiry })}` : '',
                ),
              ),
            );
          }),
        )
      : h('p', { class: 'muted', id: 'stn-supplies' }, t('stnSuppliesFine')),
  );
}

function checkForm(kind) {
  const part = st.checks[kind];
  const f = st.form[kind];
  const word = t(kind === 'opening' ? 'stnOpening' : 'stnClosing');
  const head = h('h4', { id: `stn-check-${kind}-title` }, word);
  if (!part.items.length)
    return h('div', { id: `stn-check-${kind}` }, head, h('p', { class: 'muted' }, t('stnNoChecklist', { kind: word })));
  if (part.done) {
    const c = part.check;
    return h(
      'div',
      { id: `stn-check-${kind}` },
      head,
      formAlert(f.saved, 'ok'),
      h('p', { class: 'muted', id: `stn-check-${kind}-done` }, t('stnCheckDone', { who: c.checked_by?.name || t('stnSomeone'), time: formatWhen(c.checked_at), n: c.failed })),
    );
  }
  const note = bound('input', f, 'note', { maxlength: '500', autocomplete: 'off' });
  return h(
    'form',
    {
      class: 'form',
      id: `stn-check-${kind}`,
      'aria-labelledby': `stn-check-${kind}-title`,
      novalidate: true,
      onsubmit: (ev) => {
        ev.preventDefault();
        submitCheck(kind);
      },
    },
    head,
    part.due ? null : h('p', { class: 'field-hint' }, t('stnCheckNotDue')),
    part.items.map((it) => {
      const label = pick(it, 'label');
      return h(
        'div',
        null,
        checkbox({ id: `stn-${kind}-${it.code}`, st: f.ok, key: it.code, label: label.text, onchange: () => redraw() }),
        it.amenity && !f.ok[it.code]
          ? checkbox({ id: `stn-${kind}-${it.code}-fault`, st: f.report, key: it.code, label: t('stnReportFault', { label: label.text }) })
          : null,
      );
    }),
    field({ id: `stn-${kind}-note`, label: t('stnCheckNote'), input: note }),
    formAlert(f.alert),
    button(t('stnSubmitCheck', { kind: word }), { type: 'submit', cls: 'btn btn-primary btn-block', id: `stn-${kind}-submit`, busy: st.busy === kind }),
  );
}

function checksPanel() {
  if (!st.checks) return null;
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'stn-checks-title' },
    h('h3', { id: 'stn-checks-title' }, t('stnChecks')),
    KINDS.map(checkForm),
  );
}

function amenityName(code) {
  const a = (cat.amenities || []).find((x) => x.code === code);
  return a ? pick(a, 'name') : { text: code, lang: 'en' };
}

function faultsPanel() {
  if (!st.faults) return null;
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'stn-faults-title' },
    h('h3', { id: 'stn-faults-title' }, t('stnFaults')),
    st.faults.length
      ? h(
          'ul',
          { class: 'site-rows', id: 'stn-faults' },
          st.faults.map((f) => {
            const n = amenityName(f.amenity);
            return h(
              'li',
              { class: 'site-row', 'data-id': f.id },
              h('div', { class: 'site-row-text' }, h('h4', { class: 'site-row-name', lang: n.lang }, n.text), h('p', { class: 'person-meta' }, `${f.note} · ${formatWhen(f.reported_at)}`)),
            );
          }),
        )
      : h('p', { class: 'muted', id: 'stn-faults' }, t('stnNoFaults')),
  );
}

function pickPanel() {
  const ids = mySites();
  const num = bound('input', st, 'pickId', { inputmode: 'numeric', autocomplete: 'off', maxlength: '12' });
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'stn-pick-title' },
    h('h3', { id: 'stn-pick-title' }, t('stnPickSite')),
    ids.length
      ? h('div', { class: 'btn-row', id: 'stn-my-sites' }, ids.map((id) => h('a', { class: 'btn btn-secondary', href: `#/station/${id}` }, `${t('stnMySites')} #${id}`)))
      : h('p', { class: 'muted' }, t('stnNoSites')),
    h(
      'form',
      {
        class: 'form',
        novalidate: true,
        onsubmit: (ev) => {
          ev.preventDefault();
          const id = Number(st.pickId.trim());
          if (Number.isInteger(id) && id > 0) go(`/station/${id}`);
        },
      },
      field({
        id: 'stn-pick-id',
        label: t('stnSiteNumber'),
        input: num,
        control: h('div', { class: 'input-row' }, num, button(t('stnOpen'), { type: 'submit', cls: 'btn btn-secondary', id: 'stn-pick-open' })),
      }),
    ),
    session.isAdmin() ? h('p', null, h('a', { class: 'btn btn-secondary', href: '#/station/region', id: 'stn-region-link' }, t('stnRegionTitle'))) : null,
  );
}

export const todayView = {
  title: () => t('stnTitle'),
  async render(root, params, { first }) {
    const path = params.id ? `/station/${params.id}` : '/station';
    if (first && !(await checkFirst(root))) return;
    if (!allowed(root, path)) return;
    let id = params.id ? Number(params.id) : null;
    if (!id && mySites().length === 1) id = mySites()[0];
    if (first) {
      await loadCatalogues().catch(() => null);
      if (id && st.loadedFor !== id) {
        load(id);
        return; // load draws
      }
    }
    const name = st.site ? pick(st.site, 'name') : null;
    root.replaceChildren(
      h(
        'div',
        { class: 'page page-wide' },
        pageTitle(name ? t('stnSiteHead', { name: name.text }) : t('stnTitle')),
        tabs('/station'),
        formAlert(st.alert),
        formAlert(st.note, 'ok'),
        id && !st.site && !st.alert ? h('p', { class: 'list-status', role: 'status' }, t('loading')) : null,
        id && st.site ? [visitorsPanel(), checksPanel(), suppliesPanel(), faultsPanel(), posterPanel()] : null,
        !params.id ? pickPanel() : null,
      ),
    );
  },
  leave() {
    st.confirmReissue = false;
    st.loadedFor = null;
  },
};
