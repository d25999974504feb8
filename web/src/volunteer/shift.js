// shift.js - a shift's roster for its squad's leader (#/volunteer/shifts/{id}):
// who signed up, their check-in and check-out and minutes; check a
// volunteer in or out by their code, read by the camera (the shared
// scanner, ../scanner/scanner.js: a layer over the page, Back closes it)
// or typed; confirm checked-out hours, which gives the points.
import { h } from '../dom.js';
import { t, pick } from '../i18n.js';
import { getJson, ApiError } from '../api.js';
import * as session from '../session.js';
import { field, formAlert, button } from '../forms.js';
import { redraw, pageTitle, needSignIn } from '../page.js';
import { scanner, codeInput, cleanCode } from '../scanner/scanner.js';
import { loadingPage, failedPage, crumbs, stateTag } from '../bookings/common.js';
import { spanWords, hm } from '../bookings/time.js';
import { voProblem, minutesWords, hoursState, problemBlock } from './common.js';

const st = { id: null, slot: null, roster: [], error: null, mode: 'in', code: '', busy: false, result: null, confirming: null, problems: new Map() };

const camera = scanner({ prefix: 'vo', fallback: 'vo-code', onCode: (code) => scan(code, 'camera') });

async function loadRoster() {
  const r = await session.call('GET', `/api/volunteer/shifts/${st.id}/roster`);
  st.roster = r.items || [];
}

// ---- check in / out, confirm ----------------------------------------------------------------

async function scan(raw, how) {
  const qr = cleanCode(raw);
  if (st.busy) return;
  const out = st.mode === 'out';
  if (!qr) {
    st.result = { ok: false, out, e: new ApiError(422, 'missing_field', t('voCode'), { field: 'qr' }) };
    redraw();
    document.getElementById('vo-code')?.focus();
    return;
  }
  st.busy = true;
  redraw();
  try {
    const r = await session.call('POST', `/api/volunteer/shifts/${st.id}/${out ? 'check-out' : 'check-in'}`, { json: { qr } });
    st.result = { ok: true, out, r };
    if (how === 'typed') st.code = '';
    await loadRoster().catch(() => {});
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      st.busy = false;
      needSignIn(`/volunteer/shifts/${st.id}`);
      return;
    }
    st.result = { ok: false, out, e };
  }
  st.busy = false;
  redraw();
  document.getElementById('vo-result')?.focus();
}

async function confirmHours(hours) {
  if (st.confirming) return;
  st.confirming = hours.id;
  st.problems.delete(hours.id);
  redraw();
  try {
    await session.call('POST', `/api/volunteer/hours/${hours.id}/confirm`);
    await loadRoster().catch(() => {});
  } catch (e) {
    st.problems.set(hours.id, e);
  }
  st.confirming = null;
  redraw();
  document.getElementById(st.problems.has(hours.id) ? `vo-h-${hours.id}-problem` : `vo-h-${hours.id}-state`)?.focus();
}

// ---- drawing ------------------------------------------------------------------------------------

function nameOf(r) {
  const who = st.roster.find((x) => x.hours && x.hours.id === r.id);
  return (who && who.display_name) || r.display_name || t('voSomeone');
}

function resultPanel() {
  const r = st.result;
  if (!r) return null;
  if (r.ok) {
    const name = nameOf(r.r);
    return h(
      'section',
      { class: 'ci-result ci-result-ok', id: 'vo-result', tabindex: '-1', role: 'status', 'data-ok': 'true', 'data-action': r.out ? 'out' : 'in', 'data-hours': r.r.id },
      h('h3', { class: 'ci-result-head' }, r.out ? t('voOutOk', { name, time: minutesWords(r.r.minutes) }) : t('voInOk', { name })),
    );
  }
  return h(
    'section',
    { class: 'ci-result ci-result-bad', id: 'vo-result', tabindex: '-1', role: 'alert', 'data-ok': 'false', 'data-code': (r.e && r.e.code) || '' },
    h('h3', { class: 'ci-result-head' }, t('voNotDone')),
    h('p', { class: 'ci-why' }, voProblem(r.e)),
  );
}

function rosterItem(x) {
  const hr = x.hours;
  const id = hr ? hr.id : null;
  return h(
    'li',
    { class: 'vo-roster-item', 'data-user': x.user, 'data-booking': x.booking, 'data-hours-state': hr ? hr.state : 'none', id: `vo-r-${x.booking}` },
    h('p', { class: 'vo-roster-name' }, h('strong', null, x.display_name || t('voSomeone')), ' ', stateTag(x.state)),
    hr
      ? h(
          'p',
          { class: 'vo-roster-hours', id: `vo-h-${id}-state`, tabindex: '-1' },
          t('voIn', { at: hm(hr.checked_in_at) }),
          hr.checked_out_at ? [' · ', t('voOut', { at: hm(hr.checked_out_at) }), ' · ', minutesWords(hr.minutes)] : null,
          ' · ',
          hr.state === 'confirmed' ? t('voConfirmed', { time: minutesWords(hr.minutes), n: hr.points }) : hoursState(hr.state),
        )
      : h('p', { class: 'muted' }, t('voNoHoursYet')),
    hr && hr.state === 'checked_out'
      ? h(
          'button',
          { type: 'button', class: 'btn btn-primary', id: `vo-h-${id}-confirm`, 'aria-busy': st.confirming === id ? 'true' : null, disabled: Boolean(st.confirming), onclick: () => confirmHours(hr) },
          st.confirming === id ? t('working_') : t('voConfirm'),
        )
      : null,
    id && st.problems.has(id) ? problemBlock(`vo-h-${id}-problem`, st.problems.get(id)) : null,
  );
}

function modeButton(mode, word) {
  return h(
    'button',
    {
      type: 'button',
      class: 'seg-btn',
      id: `vo-mode-${mode}`,
      'aria-pressed': st.mode === mode ? 'true' : 'false',
      onclick: () => {
        st.mode = mode;
        redraw();
      },
    },
    t(word),
  );
}

function draw(root) {
  const layer = camera.layer();
  const slot = st.slot;
  const title = slot ? pick(slot, 'title') : null;
  root.replaceChildren(
    ...[
      h(
        'div',
        { class: 'page', id: 'vo-shift-page', 'data-shift': st.id, inert: layer ? '' : null, 'aria-hidden': layer ? 'true' : null },
        slot && slot.activity ? crumbs(`#/volunteer/activities/${slot.activity}`, t('voActivityTitle')) : crumbs('#/volunteer/me', t('voMeTitle')),
        pageTitle(t('voShiftTitle')),
        slot ? h('p', { class: 'bk-when-big' }, title && title.text ? h('span', { lang: title.lang }, `${title.text} · `) : null, spanWords(slot.start, slot.end)) : null,
        resultPanel(),
        h(
          'section',
          { class: 'panel', 'aria-labelledby': 'vo-scan-h' },
          h('h3', { id: 'vo-scan-h' }, t('voScanTitle')),
          h('p', { class: 'muted' }, t('voScanLead')),
          h('div', { class: 'seg', role: 'group', 'aria-label': t('voMode') }, modeButton('in', 'voModeIn'), modeButton('out', 'voModeOut')),
          camera.button({ disabled: st.busy }),
          camera.note(),
          h(
            'form',
            {
              class: 'form',
              id: 'vo-typed',
              novalidate: true,
              onsubmit: (e) => {
                e.preventDefault();
                scan(st.code, 'typed');
              },
            },
            field({ id: 'vo-code', name: 'qr', label: t('voCode'), hint: t('voCodeHint'), input: codeInput(st, 'code') }),
            button(t(st.mode === 'out' ? 'voCheckOutBtn' : 'voCheckInBtn'), { type: 'submit', cls: 'btn btn-primary btn-block', busy: st.busy, id: 'vo-submit' }),
          ),
        ),
        h(
          'section',
          { class: 'panel', 'aria-labelledby': 'vo-roster-h' },
          h('h3', { id: 'vo-roster-h' }, t('voRoster')),
          st.roster.length ? h('ul', { class: 'vo-roster', id: 'vo-roster' }, st.roster.map(rosterItem)) : h('p', { class: 'muted' }, t('voNoRoster')),
        ),
      ),
      layer,
    ].filter(Boolean),
  );
}

export const shiftView = {
  title: () => t('voShiftTitle'),
  async render(root, params, { first }) {
    if (first) {
      Object.assign(st, { id: params.id, slot: null, roster: [], result: null, code: '', mode: 'in', busy: false, confirming: null });
      st.problems.clear();
      root.replaceChildren(loadingPage(t('voShiftTitle')));
      try {
        await session.refresh({ force: true });
        if (!session.me()) {
          needSignIn(`/volunteer/shifts/${params.id}`);
          return;
        }
        const [slot] = await Promise.all([getJson(`/api/slots/${encodeURIComponent(params.id)}`).catch(() => null), loadRoster()]);
        st.slot = slot;
      } catch (e) {
        if (root.isConnected) root.replaceChildren(failedPage(t('voShiftTitle'), e, crumbs('#/volunteer', t('voBackToSquads'))));
        if (e instanceof ApiError && e.status === 403 && root.isConnected) root.querySelector('.page').append(formAlert(voProblem(e)));
        return;
      }
      if (!root.isConnected) return;
    }
    if (st.id !== params.id) return;
    draw(root);
  },
  leave() {
    camera.stop();
  },
};
