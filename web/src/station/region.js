// region.js - a region's roll-up for its admins (#/station/region,
// #/station/region/:code): visitors per day or hour as a stacked bar chart
// (ECharts, loaded when first drawn) with the same numbers as a table,
// and how many stations skipped today's checks or need supplies.
import { h } from '../dom.js';
import { t, pick } from '../i18n.js';
import * as session from '../session.js';
import { go } from '../router.js';
import { field, bound, options, formAlert, button, errorMessage } from '../forms.js';
import { redraw, pageTitle } from '../page.js';
import { checkFirst, allowed, tabs } from '../console.js';

const WINDOWS = {
  week: { by: 'day', days: 7, word: 'stnWeek' },
  month: { by: 'day', days: 30, word: 'stnMonth' },
  today: { by: 'hour', days: 1, word: 'stnToday' },
};

const st = { code: '', window: 'week', stats: null, missing: null, needs: null, alert: '', busy: false, loadedFor: null };

/** The first region the person administers, to start from. */
function myRegion() {
  const g = (session.me()?.roles || []).find((r) => r.role === 'region_admin' && r.scope_kind === 'region');
  return g ? g.scope_ref : '';
}

/** yyyy-mm-dd of the day `back` days before the server's last bucket day. */
function shift(date, back) {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - back);
  return d.toISOString().slice(0, 10);
}

async function load() {
  const code = st.code.trim();
  if (!code) return;
  st.busy = true;
  st.alert = '';
  st.loadedFor = `${code}:${st.window}`;
  redraw();
  const w = WINDOWS[st.window];
  const base = `/api/regions/${encodeURIComponent(code)}`;
  try {
    // The server's today first (its time zone decides the dates).
    const today = (await session.call('GET', `${base}/visits/stats`)).to;
    const [stats, missing, needs] = await Promise.all([
      session.call('GET', `${base}/visits/stats`, { params: { by: w.by, from: shift(today, w.days - 1), to: today } }),
      session.call('GET', `${base}/checklists/missing`).catch(() => null),
      session.call('GET', `${base}/supplies/needs`).catch(() => null),
    ]);
    st.stats = stats;
    st.missing = missing;
    st.needs = needs;
  } catch (e) {
    st.stats = null;
    st.alert = errorMessage(e);
  }
  st.busy = false;
  redraw();
}

function label(start, by) {
  // "2026-03-01T13:00:00+08:00": the local date or hour as the server wrote it.
  return by === 'hour' ? start.slice(11, 16) : start.slice(5, 10);
}

function chartPanel() {
  const s = st.stats;
  if (!s) return null;
  const region = pick(s.region, 'name').text;
  const labels = s.buckets.map((b) => label(b.start, s.by));
  const desc = t('stnChartLabel', { region, w: s.totals.workers, p: s.totals.public });
  const box = h('div', { id: 'stn-chart', role: 'img', 'aria-label': desc });
  box.style.width = '100%';
  box.style.height = '280px';
  // Drawn once the box is in the page (ECharts measures it).
  queueMicrotask(async () => {
    if (!box.isConnected) return;
    const { drawBars } = await import('./chart.js');
    drawBars(box, {
      labels,
      desc,
      series: [
        { name: t('stnWorkers'), data: s.buckets.map((b) => b.workers), color: '#9a3412' },
        { name: t('stnPublic'), data: s.buckets.map((b) => b.public), color: '#2563eb' },
      ],
    });
  });
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'stn-chart-title' },
    h('h3', { id: 'stn-chart-title' }, `${region} · ${s.from} – ${s.to}`),
    h(
      'p',
      { class: 'page-lead' },
      `${t('stnWorkers')} `,
      h('strong', { id: 'stn-region-workers' }, String(s.totals.workers)),
      ` · ${t('stnPublic')} `,
      h('strong', { id: 'stn-region-public' }, String(s.totals.public)),
      ` · ${t('stnTotal')} `,
      h('strong', { id: 'stn-region-total' }, String(s.totals.total)),
    ),
    box,
    h(
      'details',
      null,
      h('summary', null, t('stnTableCaption')),
      h(
        'table',
        { id: 'stn-table' },
        h('caption', { class: 'visually-hidden' }, t('stnTableCaption')),
        h('thead', null, h('tr', null, h('th', { scope: 'col' }, t('stnWhen')), h('th', { scope: 'col' }, t('stnWorkers')), h('th', { scope: 'col' }, t('stnPublic')))),
        h(
          'tbody',
          null,
          s.buckets.map((b, i) => h('tr', null, h('th', { scope: 'row' }, labels[i]), h('td', null, String(b.workers)), h('td', null, String(b.public)))),
        ),
      ),
    ),
  );
}

function summaryPanel() {
  if (!st.missing && !st.needs) return null;
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'stn-sum-title' },
    h('h3', { id: 'stn-sum-title' }, t('stnChecks')),
    st.missing
      ? h('p', { id: 'stn-missing' }, st.missing.sites.length ? t('stnMissing', { n: st.missing.sites.length }) : t('stnMissingNone'))
      : null,
    st.missing && st.missing.sites.length
      ? h(
          'ul',
          { class: 'site-rows' },
          st.missing.sites.slice(0, 20).map((m) => {
            const n = pick(m.site, 'name');
            return h('li', { class: 'site-row' }, h('a', { href: `#/station/${m.site.id}`, lang: n.lang }, n.text));
          }),
        )
      : null,
    st.needs ? h('p', { id: 'stn-needs' }, t('stnNeeds', { n: st.needs.sites.length })) : null,
  );
}

export const regionView = {
  title: () => t('stnRegionTitle'),
  async render(root, params, { first }) {
    const path = params.code ? `/station/region/${params.code}` : '/station/region';
    if (first && !(await checkFirst(root))) return;
    if (!allowed(root, path, { roles: session.ADMIN_ROLES, denied: 'adminsOnly' })) return;
    if (first) {
      st.code = params.code || st.code || myRegion();
      if (st.code && st.loadedFor !== `${st.code}:${st.window}`) {
        load();
        return; // load draws
      }
    }
    const code = bound('input', st, 'code', { autocomplete: 'off', maxlength: '64' });
    const win = bound('select', st, 'window', {}, options(Object.entries(WINDOWS).map(([k, w]) => [k, t(w.word)]), st.window));
    root.replaceChildren(
      h(
        'div',
        { class: 'page page-wide' },
        pageTitle(t('stnRegionTitle')),
        tabs('/station'),
        h(
          'form',
          {
            class: 'form panel',
            id: 'stn-region-form',
            novalidate: true,
            onsubmit: (ev) => {
              ev.preventDefault();
              const c = st.code.trim();
              if (c && c !== params.code) go(`/station/region/${encodeURIComponent(c)}`);
              else load();
            },
          },
          field({ id: 'stn-region-code', label: t('stnRegionCode'), input: code }),
          field({ id: 'stn-region-window', label: t('stnWindow'), input: win }),
          button(t('stnShow'), { type: 'submit', cls: 'btn btn-primary', id: 'stn-region-show', busy: st.busy }),
        ),
        formAlert(st.alert),
        chartPanel(),
        summaryPanel(),
      ),
    );
  },
  async leave() {
    const box = document.getElementById('stn-chart');
    if (box) (await import('./chart.js')).dropChart(box);
    st.loadedFor = null;
  },
};
