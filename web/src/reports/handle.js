// handle.js - the handlers' console for grid reports (#/admin/reports):
// the reports the signed-in grid manager, department dispatcher or admin
// handles (GET /api/reports/queue: their grids' and departments', the most
// urgent first), filtered by state, category, grid and overdue; each opens
// its page (#/reports/{id}) with the timeline and the actions. The filters
// live in the URL (#/admin/reports?status=fixed&overdue=1), so a filtered
// list can be shared and Back returns to it.
//
// And the heat map for admins (#/admin/reports/heat): where reports
// gather, drawn on a canvas of its own over the map (pin.js).
import { h, langText } from '../dom.js';
import { t, pick } from '../i18n.js';
import * as session from '../session.js';
import * as api from '../api.js';
import { formAlert, errorMessage, options } from '../forms.js';
import { pageTitle, needSignIn, redraw } from '../page.js';
import { tabs } from '../console.js';
import { queryOf } from '../router.js';
import { loadConfig } from '../config.js';
import { wgs84ToGcj02 } from '../geo.js';
import { STATUSES, HANDLER_ROLES, reportCard, mapDatum } from './common.js';

const STATUS_CHOICES = ['active', ...STATUSES, 'all'];

const st = { items: null, categories: [], alert: '', f: { status: 'active', category: '', grid: '', overdue: false } };

function filtersFrom(query) {
  const s = query.get('status');
  return {
    status: STATUS_CHOICES.includes(s) ? s : 'active',
    category: (query.get('category') || '').slice(0, 64),
    grid: (query.get('grid') || '').slice(0, 64),
    overdue: query.get('overdue') === '1',
  };
}

function filtersQuery(f) {
  const q = new URLSearchParams();
  if (f.status !== 'active') q.set('status', f.status);
  if (f.category) q.set('category', f.category);
  if (f.grid) q.set('grid', f.grid);
  if (f.overdue) q.set('overdue', '1');
  return q.toString();
}

async function load() {
  const f = st.f;
  const params = { limit: 500 };
  if (f.status !== 'active') params.status = f.status;
  if (f.overdue) params.overdue = 1;
  try {
    st.items = (await session.call('GET', '/api/reports/queue', { params })).items || [];
    st.alert = '';
  } catch (e) {
    st.items = [];
    st.alert = errorMessage(e);
  }
}

function changed(key, value) {
  st.f[key] = value;
  const q = filtersQuery(st.f);
  history.replaceState(history.state, '', `#/admin/reports${q ? `?${q}` : ''}`);
  if (key === 'status' || key === 'overdue') {
    st.items = null;
    redraw();
    load().then(() => {
      redraw();
      document.getElementById(`rq-${key}`)?.focus();
    });
  } else redraw();
}

function handlerGate(root, path) {
  if (!session.me()) {
    needSignIn(path);
    return false;
  }
  if (!session.hasAnyRole(HANDLER_ROLES)) {
    root.replaceChildren(h('div', { class: 'page' }, pageTitle(t('rpConsoleTitle')), formAlert(t('rpHandlersOnly')), h('p', null, h('a', { href: '#/', class: 'btn btn-secondary' }, t('backToMap')))));
    return false;
  }
  return true;
}

function filterBar(all) {
  const grids = [...new Map(all.map((r) => [r.grid.code, r.grid])).values()].sort((a, b) => a.code.localeCompare(b.code));
  const sel = (id, key, list) => {
    const s = h('select', { class: 'select', id }, options(list, st.f[key]));
    s.value = st.f[key];
    s.addEventListener('change', () => changed(key, s.value));
    return s;
  };
  const overdue = h('input', { type: 'checkbox', class: 'check-input', id: 'rq-overdue', checked: st.f.overdue });
  overdue.addEventListener('change', () => changed('overdue', overdue.checked));
  return h(
    'form',
    { class: 'panel rq-filters', id: 'rq-filters', 'aria-label': t('rpFilters'), onsubmit: (e) => e.preventDefault() },
    h('div', { class: 'field' }, h('label', { class: 'field-label', for: 'rq-status' }, t('rpFilterStatus')), sel('rq-status', 'status', STATUS_CHOICES.map((s) => [s, t(s === 'active' ? 'rpFilterActive' : s === 'all' ? 'rpFilterAll' : `rpStatus_${s}`)]))),
    h('div', { class: 'field' }, h('label', { class: 'field-label', for: 'rq-category' }, t('rpCategory')), sel('rq-category', 'category', [['', t('rpFilterAnyCategory')], ...st.categories.map((c) => [c.code, pick(c, 'name').text])])),
    h('div', { class: 'field' }, h('label', { class: 'field-label', for: 'rq-grid' }, t('rpGrid')), sel('rq-grid', 'grid', [['', t('rpFilterAnyGrid')], ...grids.map((g) => [g.code, pick(g, 'name').text || g.code])])),
    h('div', { class: 'check-field' }, h('label', { class: 'check', for: 'rq-overdue' }, overdue, h('span', { class: 'check-text' }, t('rpFilterOverdue')))),
  );
}

export const handleView = {
  title: () => t('rpConsoleTitle'),
  async render(root, params, { first }) {
    if (first) {
      await session.refresh({ force: true }).catch(() => null);
      if (!handlerGate(root, '/admin/reports')) return;
      st.f = filtersFrom(queryOf(location.hash));
      st.items = null;
      const [cats] = await Promise.allSettled([api.getJson('/api/report-categories'), load()]);
      st.categories = cats.status === 'fulfilled' ? cats.value.items || [] : [];
    }
    if (!handlerGate(root, '/admin/reports')) return;
    const all = st.items || [];
    const shown = all.filter((r) => (!st.f.category || r.category === st.f.category) && (!st.f.grid || r.grid.code === st.f.grid));
    const admin = session.hasAnyRole(['region_admin', 'system_admin']);
    root.replaceChildren(
      h(
        'div',
        { class: 'page rp-page' },
        tabs('/admin/reports'),
        pageTitle(t('rpConsoleTitle')),
        h('p', { class: 'page-lead' }, t('rpConsoleLead')),
        h(
          'p',
          { class: 'btn-row' },
          h('a', { class: 'btn btn-secondary', href: '#/reports/new', id: 'rq-new-link' }, t('rpNewTitle')),
          admin ? h('a', { class: 'btn btn-secondary', href: '#/admin/reports/heat', id: 'rq-heat-link' }, t('rpHeatTitle')) : null,
        ),
        formAlert(st.alert),
        filterBar(all),
        h(
          'section',
          { class: 'panel', 'aria-labelledby': 'rq-list-title' },
          h('h3', { id: 'rq-list-title' }, t('rpQueueCount', { n: shown.length })),
          st.items === null
            ? h('p', { class: 'muted', role: 'status' }, t('loading'))
            : shown.length
              ? h(
                  'ul',
                  { class: 'rp-cards', id: 'rq-list' },
                  shown.map((r) => reportCard(r, { extra: h('p', { class: 'muted rp-card-note' }, langText(pick(r.grid, 'name')), ' · ', langText(pick(r, 'department_name'))) })),
                )
              : h('p', { class: 'muted', id: 'rq-none' }, t('rpQueueNone')),
        ),
      ),
    );
  },
};

// ---- the heat map -------------------------------------------------------------------

const heat = { el: null, map: null, layer: null, count: null, alert: '', status: 'active', datum: 'wgs84' };

async function loadHeat() {
  if (!heat.map) return;
  const status = heat.status === 'active' ? 'open,acknowledged,in_progress' : 'all';
  try {
    const fc = await api.getJson('/api/reports', { status, limit: 2000 });
    const pts = (fc.features || []).map((f) => {
      const [lon, lat] = f.geometry.coordinates; // WGS-84 (RFC 7946)
      const p = heat.datum === 'gcj02' ? wgs84ToGcj02(lat, lon) : { lat, lon };
      return { lat: p.lat, lon: p.lon, w: 1 + (f.properties.me_too || 0) };
    });
    heat.count = pts.length;
    heat.alert = '';
    heat.layer.setPoints(pts);
    heat.map.fit(pts);
  } catch (e) {
    heat.alert = errorMessage(e);
  }
  redraw();
}

export const heatView = {
  title: () => t('rpHeatTitle'),
  async render(root, params, { first }) {
    if (first) {
      heat.map?.remove();
      heat.map = null;
      heat.el = null;
      heat.count = null;
      await session.refresh({ force: true }).catch(() => null);
    }
    if (!session.me()) {
      needSignIn('/admin/reports/heat');
      return;
    }
    if (!session.hasAnyRole(['region_admin', 'system_admin'])) {
      root.replaceChildren(h('div', { class: 'page' }, pageTitle(t('rpHeatTitle')), formAlert(t('rpAdminsOnly'))));
      return;
    }
    if (!heat.el) heat.el = h('div', { class: 'rp-heatmap', id: 'rp-heatmap', role: 'region' });
    heat.el.setAttribute('aria-label', t('rpHeatLabel', { n: heat.count ?? 0 }));
    const sel = h('select', { class: 'select', id: 'heat-status' }, options([['active', t('rpFilterActive')], ['all', t('rpFilterAll')]], heat.status));
    sel.value = heat.status;
    sel.addEventListener('change', () => {
      heat.status = sel.value;
      loadHeat();
    });
    root.replaceChildren(
      h(
        'div',
        { class: 'page rp-page' },
        pageTitle(t('rpHeatTitle')),
        h('p', { class: 'page-lead' }, t('rpHeatLead')),
        formAlert(heat.alert),
        h('div', { class: 'field' }, h('label', { class: 'field-label', for: 'heat-status' }, t('rpFilterStatus')), sel),
        heat.el,
        h('p', { class: 'muted', id: 'heat-count', 'aria-live': 'polite' }, heat.count === null ? t('loading') : t('rpHeatCount', { n: heat.count })),
        h('p', null, h('a', { class: 'btn btn-secondary', href: '#/admin/reports' }, t('rpConsoleLink'))),
      ),
    );
    if (first) {
      heat.datum = await mapDatum();
      const tiles = (await loadConfig().catch(() => ({}))).tiles || null;
      try {
        const { createHeatMap, heatLayer } = await import('./pin.js');
        heat.map = createHeatMap(heat.el, { tiles, center: { lat: 35, lon: 105 } });
        heat.layer = heatLayer(heat.map.map);
      } catch {
        heat.map = null;
        heat.count = 0;
        heat.alert = t('rpNoMap');
        redraw();
        return;
      }
      await loadHeat();
    }
  },
  leave() {
    heat.map?.remove();
    heat.map = null;
    heat.el = null;
  },
};
