// view.js - "my sites" and one of them: is it open, report what is there
// now (seats free, a microwave out of order) and close it for a while with
// a reason (or open it again): POST /api/sites/{id}/status, which staff of
// the site and admins of its region may call; the list holds only the
// sites the person's grants reach, so no button here is refused.
import { h } from '../dom.js';
import { t, pick } from '../i18n.js';
import { getJson, ApiError } from '../api.js';
import * as session from '../session.js';
import { field, bound, formAlert, button, errorMessage, focusProblem } from '../forms.js';
import { redraw, pageTitle } from '../page.js';
import { checkFirst, allowed, tabs } from '../console.js';
import { cat, loadCatalogues, regionName } from '../catalogue.js';
import { reach, loadReach } from '../checkin/sites.js';

const ROLES = session.CONSOLE_ROLES;
const $id = (id) => document.getElementById(id);

const list = { q: '', alert: '' };
const one = { id: null, site: null, status: null, alert: '', note: '', busy: '', errors: {}, closure: { reason: '', until: '' }, values: {} };

const pad = (n) => String(n).padStart(2, '0');
function cstLocal(iso) {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return '';
  const d = new Date(ms + 8 * 3600 * 1000);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

function statusLine(s) {
  if (!s) return '';
  const parts = [t(`st_${s.status}`)];
  if (s.status === 'operational' || s.status === 'partly_operational') parts.push(s.open ? t('msOpenNow') : t('msClosedNow'));
  return parts.join(' · ');
}

export const mySitesView = {
  title: () => t('mySitesTab'),
  async render(root, params, { first }) {
    if (first && !(await checkFirst(root))) return;
    if (!allowed(root, '/mysites', { roles: ROLES })) return;
    if (first) {
      root.replaceChildren(h('div', { class: 'page' }, pageTitle(t('mySitesTab')), h('p', { class: 'muted' }, t('loading'))));
      await Promise.all([loadCatalogues().catch(() => null), loadReach(ROLES)]);
    }
    const q = list.q.trim();
    const items = (reach.list || []).filter((s) => !q || s.name_zh.includes(q) || (s.name_en || '').toLowerCase().includes(q.toLowerCase()));
    const search = bound('input', list, 'q', { type: 'search', autocomplete: 'off', maxlength: '50', enterkeyhint: 'search' });
    search.addEventListener('input', () => {
      redraw();
      $id('ms-q')?.focus();
    });
    root.replaceChildren(
      h(
        'div',
        { class: 'page page-wide' },
        pageTitle(t('console')),
        tabs('/mysites'),
        h(
          'section',
          { class: 'panel', 'aria-labelledby': 'ms-title' },
          h('h3', { id: 'ms-title' }, t('mySitesTitle')),
          h('p', { class: 'muted' }, t('mySitesIntro')),
          formAlert(reach.error),
          (reach.list || []).length > 5 ? field({ id: 'ms-q', name: 'q', label: t('msFind'), input: search }) : null,
          h('p', { class: 'list-status', role: 'status', id: 'ms-status' }, reach.list === null ? t('loading') : items.length ? t('msShown', { n: items.length }) : t('msNone')),
          items.length
            ? h(
                'ul',
                { class: 'console-list', id: 'ms-list' },
                items.slice(0, 100).map((s) => {
                  const name = pick(s, 'name');
                  return h(
                    'li',
                    { class: 'console-card', 'data-id': s.id },
                    h('h4', { lang: name.lang, id: `ms-${s.id}-name` }, name.text),
                    s.region ? h('p', { class: 'muted' }, regionName(s.region)) : null,
                    h('a', { class: 'btn btn-secondary', href: `#/mysites/${s.id}`, id: `ms-${s.id}-open`, 'aria-describedby': `ms-${s.id}-name` }, t('msManage')),
                  );
                }),
              )
            : null,
        ),
      ),
    );
  },
};

async function loadOne(id) {
  one.alert = '';
  const [s, st] = await Promise.all([getJson(`/api/sites/${encodeURIComponent(id)}`), getJson(`/api/sites/${encodeURIComponent(id)}/status`)]);
  one.site = s;
  one.status = st;
  one.values = {};
  const live = new Map((st.amenities || []).map((a) => [a.code, a]));
  for (const a of s.amenities || []) {
    const l = live.get(a.code) || {};
    one.values[a.code] = { available: l.available === null || l.available === undefined ? '' : String(l.available), working: l.working !== false };
  }
  one.closure = { reason: st.status_reason || '', until: st.status_until ? cstLocal(st.status_until).replace(' ', 'T') : '' };
}

async function post(body, what) {
  one.busy = what;
  one.alert = '';
  one.note = '';
  one.errors = {};
  redraw();
  try {
    await session.call('POST', `/api/sites/${one.id}/status`, { json: body });
    await loadOne(one.id);
    one.note = t(what === 'values' ? 'msValuesSaved' : what === 'reopen' ? 'msReopened' : 'msClosedSaved');
  } catch (e) {
    const msg = errorMessage(e);
    if (e instanceof ApiError && e.field && e.field.startsWith('closure.')) one.errors[e.field.slice(8)] = msg;
    else one.alert = msg;
  }
  one.busy = '';
  redraw();
  if (Object.keys(one.errors).length) focusProblem($id('view-page'));
  else ($id('ms-note') || $id('ms-alert'))?.focus();
}

function kindOf(code) {
  return (cat.amenities || []).find((a) => a.code === code) || { code, kind: 'boolean', name_zh: code };
}

function valuesForm() {
  const s = one.site;
  const rows = (s.amenities || []).map((a) => {
    const k = kindOf(a.code);
    const name = pick(k, 'name');
    const v = one.values[a.code];
    const live = (one.status.amenities || []).find((x) => x.code === a.code);
    const when = live && live.last_reported ? t('msReported', { at: cstLocal(live.last_reported) }) : t('msNeverReported');
    if (k.kind === 'counted') {
      return field({
        id: `ms-av-${a.code}`,
        name: a.code,
        label: t('msAvailableOf', { name: name.text, n: a.count }),
        hint: when,
        input: bound('input', v, 'available', { type: 'number', min: '0', max: String(a.count || 100000), inputmode: 'numeric' }),
      });
    }
    const box = h('input', { type: 'checkbox', class: 'check-input', id: `ms-wk-${a.code}`, checked: v.working });
    box.addEventListener('change', () => {
      v.working = box.checked;
    });
    return h('div', { class: 'check-field' }, h('label', { class: 'check', for: box.id }, box, h('span', { class: 'check-text' }, t('msWorking', { name: name.text }))), h('p', { class: 'field-hint' }, when));
  });
  if (!rows.length) return h('p', { class: 'muted' }, t('msNoAmenities'));
  return h(
    'form',
    {
      class: 'form',
      id: 'ms-values',
      novalidate: true,
      onsubmit: (ev) => {
        ev.preventDefault();
        const amenities = [];
        for (const a of s.amenities || []) {
          const v = one.values[a.code];
          if (kindOf(a.code).kind === 'counted') {
            if (v.available === '') continue;
            amenities.push({ code: a.code, available: Number(v.available) });
          } else amenities.push({ code: a.code, working: v.working });
        }
        post({ amenities }, 'values');
      },
    },
    rows,
    button(t('msSaveValues'), { type: 'submit', cls: 'btn btn-primary btn-block', id: 'ms-values-save', busy: one.busy === 'values' }),
  );
}

function closureForm() {
  const closed = one.status.status === 'temporarily_closed';
  return h(
    'form',
    {
      class: 'form',
      id: 'ms-closure',
      novalidate: true,
      onsubmit: (ev) => {
        ev.preventDefault();
        one.errors = {};
        if (!one.closure.reason.trim()) {
          one.errors.reason = t('err_reason_missing');
          redraw();
          focusProblem($id('view-page'));
          return;
        }
        const closure = { reason: one.closure.reason.trim() };
        if (one.closure.until) closure.until = `${one.closure.until}:00+08:00`;
        post({ closure }, 'close');
      },
    },
    closed ? h('p', { class: 'form-alert form-error', id: 'ms-closed-now' }, t('msClosedBecause', { reason: one.status.status_reason || '' })) : null,
    field({ id: 'ms-reason', name: 'reason', label: t('statusReason'), hint: t('statusReasonHint'), error: one.errors.reason, input: bound('input', one.closure, 'reason', { type: 'text', maxlength: '500' }) }),
    field({ id: 'ms-until', name: 'until', label: t('statusUntil'), hint: t('statusUntilHint'), error: one.errors.until, input: bound('input', one.closure, 'until', { type: 'datetime-local' }) }),
    h(
      'div',
      { class: 'btn-row' },
      button(t(closed ? 'msCloseUpdate' : 'msClose'), { type: 'submit', cls: 'btn btn-danger', id: 'ms-close', busy: one.busy === 'close' }),
      closed ? button(t('msReopen'), { cls: 'btn btn-primary', id: 'ms-reopen', busy: one.busy === 'reopen', onclick: () => post({ closure: null }, 'reopen') }) : null,
    ),
  );
}

export const mySiteView = {
  title: () => (one.site ? pick(one.site, 'name').text : t('mySitesTab')),
  async render(root, params, { first }) {
    const path = `/mysites/${params.id}`;
    if (first && !(await checkFirst(root))) return;
    if (!allowed(root, path, { roles: ROLES })) return;
    if (first) {
      Object.assign(one, { id: params.id, site: null, status: null, alert: '', note: '', busy: '', errors: {} });
      root.replaceChildren(h('div', { class: 'page' }, pageTitle(t('mySitesTab')), h('p', { class: 'muted' }, t('loading'))));
      try {
        await Promise.all([loadCatalogues().catch(() => null), loadReach(ROLES)]);
        if (!(reach.list || []).some((s) => String(s.id) === String(params.id))) {
          root.replaceChildren(h('div', { class: 'page' }, h('p', { class: 'crumbs' }, h('a', { href: '#/mysites' }, t('msBack'))), pageTitle(t('mySitesTab')), formAlert(t('msNotYours'))));
          return;
        }
        await loadOne(params.id);
      } catch (e) {
        root.replaceChildren(h('div', { class: 'page' }, h('p', { class: 'crumbs' }, h('a', { href: '#/mysites' }, t('msBack'))), pageTitle(t('mySitesTab')), formAlert(errorMessage(e))));
        return;
      }
    }
    const s = one.site;
    const name = pick(s, 'name');
    root.replaceChildren(
      h(
        'div',
        { class: 'page page-wide' },
        h('p', { class: 'crumbs' }, h('a', { href: '#/mysites' }, t('msBack'))),
        pageTitle(name.text),
        h('p', { class: 'muted', id: 'ms-state' }, statusLine(one.status)),
        one.alert ? h('div', { id: 'ms-alert', tabindex: '-1' }, formAlert(one.alert)) : null,
        one.note ? h('div', { id: 'ms-note', tabindex: '-1' }, formAlert(one.note, 'ok')) : null,
        h('section', { class: 'panel', 'aria-labelledby': 'ms-values-h' }, h('h3', { id: 'ms-values-h' }, t('msValuesTitle')), valuesForm()),
        h('section', { class: 'panel', 'aria-labelledby': 'ms-closure-h' }, h('h3', { id: 'ms-closure-h' }, t('msClosureTitle')), closureForm()),
      ),
    );
  },
};
