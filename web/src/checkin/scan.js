// scan.js - the staff scan page (#/checkin): check people in by the QR
// code they show - a booking's ticket, or their own code from "me" - read
// by the camera (the shared scanner, ../scanner/scanner.js), or typed when
// there is no camera or the code will not read. Says clearly who was
// checked in to what, or why not; the last check-ins stay listed.
import { h } from '../dom.js';
import { t, pick } from '../i18n.js';
import { icon } from '../icons.js';
import { ApiError } from '../api.js';
import * as session from '../session.js';
import { field, button } from '../forms.js';
import { redraw, pageTitle, needSignIn } from '../page.js';
import { tabs } from '../console.js';
import { scanner, codeInput, cleanCode } from '../scanner/scanner.js';
import { MANAGER_ROLES, SITE_STAFF_ROLES, rolesAllowed, whoFirst, problemWords, titleOf, slotSiteName, stateTag } from '../bookings/common.js';
import { spanWords, hm } from '../bookings/time.js';
import { reach, loadReach, pickedSite, sitePicker } from './sites.js';
import { subTabs } from './tabs.js';

const st = {
  code: '',
  busy: false,
  results: [], // newest first: {ok, b?, e?, at}
};

const camera = scanner({ prefix: 'ci', fallback: 'ci-code', onCode: (code) => checkIn(code, 'camera') });

// ---- checking in --------------------------------------------------------------------

async function checkIn(raw, how) {
  const qr = cleanCode(raw);
  if (!qr) {
    st.results.unshift({ ok: false, e: new ApiError(422, 'missing_field', '', { field: 'qr' }), at: Date.now(), how });
    redraw();
    document.getElementById('ci-code')?.focus();
    return;
  }
  if (st.busy) return;
  st.busy = true;
  redraw();
  const body = { qr };
  const site = pickedSite();
  if (site) body.site = site;
  try {
    const b = await session.call('POST', '/api/checkins', { json: body });
    st.results.unshift({ ok: true, b, at: Date.now(), how });
    if (how === 'typed') st.code = '';
    navigator.vibrate?.([60, 40, 60]);
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      st.busy = false;
      needSignIn('/checkin');
      return;
    }
    st.results.unshift({ ok: false, e, at: Date.now(), how });
  }
  st.results = st.results.slice(0, 10);
  st.busy = false;
  redraw();
  document.getElementById('ci-result')?.focus();
}

function submitTyped(ev) {
  ev.preventDefault();
  checkIn(st.code, 'typed');
}

// ---- drawing ----------------------------------------------------------------------------

function personLine(b) {
  const p = b.person || {};
  return h(
    'p',
    { class: 'ci-person' },
    h('span', { class: 'ci-person-name', id: 'ci-person-name' }, p.display_name || t('ciNoName')),
    p.phone ? h('span', { class: 'ci-person-phone' }, p.phone) : null,
  );
}

function resultPanel(r) {
  if (!r) return null;
  if (r.ok) {
    const b = r.b;
    const title = titleOf(b.slot);
    const site = slotSiteName(b.slot);
    return h(
      'section',
      { class: 'ci-result ci-result-ok', id: 'ci-result', tabindex: '-1', role: 'status', 'data-ok': 'true', 'data-booking': b.id, 'aria-labelledby': 'ci-result-h' },
      h('h3', { id: 'ci-result-h', class: 'ci-result-head' }, h('span', { svg: icon('check') }), t('ciCheckedIn')),
      personLine(b),
      h('p', { class: 'ci-what', lang: title.lang }, title.text),
      h('p', { class: 'ci-when' }, spanWords(b.slot.start, b.slot.end)),
      h('p', { class: 'ci-where', lang: site.lang }, site.text),
    );
  }
  const code = r.e instanceof ApiError ? r.e.code : '';
  return h(
    'section',
    { class: 'ci-result ci-result-bad', id: 'ci-result', tabindex: '-1', role: 'alert', 'data-ok': 'false', 'data-code': code || '', 'aria-labelledby': 'ci-result-h' },
    h('h3', { id: 'ci-result-h', class: 'ci-result-head' }, h('span', { svg: icon('close') }), t('ciNotCheckedIn')),
    h('p', { class: 'ci-why' }, problemWords(r.e, ['ciErr', 'bkErr'])),
  );
}

function history() {
  const done = st.results.slice(1);
  if (!done.length) return null;
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'ci-history-h' },
    h('h3', { id: 'ci-history-h' }, t('ciEarlier')),
    h(
      'ul',
      { class: 'ci-history', id: 'ci-history' },
      done.map((r) =>
        h(
          'li',
          { class: r.ok ? 'ci-h-ok' : 'ci-h-bad' },
          h('span', { class: 'ci-h-at' }, hm(r.at)),
          r.ok
            ? [stateTag('checked_in'), ' ', h('strong', null, (r.b.person && r.b.person.display_name) || t('ciNoName')), ' · ', h('span', { lang: pick(r.b.slot, 'title').lang }, pick(r.b.slot, 'title').text)]
            : [h('span', { class: 'ci-h-bad-word' }, t('ciNotCheckedIn')), ' · ', problemWords(r.e, ['ciErr', 'bkErr'])],
        ),
      ),
    ),
  );
}

function draw(root) {
  const layer = camera.layer();
  const latest = st.results[0];
  root.replaceChildren(
    ...[
      h(
        'div',
        { class: 'page', id: 'ci-page', inert: layer ? '' : null, 'aria-hidden': layer ? 'true' : null },
        tabs('/checkin'),
        pageTitle(t('ciTitle')),
        subTabs('scan'),
        reach.list && reach.list.length > 1 ? sitePicker({ id: 'ci-site', label: t('ciWhere'), hint: t('ciWhereHint'), any: t('ciAnySite') }) : null,
        resultPanel(latest),
        h(
          'section',
          { class: 'panel', 'aria-labelledby': 'ci-scan-h' },
          h('h3', { id: 'ci-scan-h' }, t('ciScanTitle')),
          h('p', { class: 'muted' }, t('ciScanLead')),
          camera.button({ disabled: st.busy }),
          camera.note(),
        ),
        h(
          'form',
          { class: 'panel form', id: 'ci-typed', novalidate: true, onsubmit: submitTyped, 'aria-labelledby': 'ci-typed-h' },
          h('h3', { id: 'ci-typed-h' }, t('ciTypeTitle')),
          field({
            id: 'ci-code',
            name: 'qr',
            label: t('ciCode'),
            hint: t('ciCodeHint'),
            input: codeInput(st, 'code'),
          }),
          button(t('ciCheckInButton'), { type: 'submit', cls: 'btn btn-primary btn-block', busy: st.busy, id: 'ci-submit' }),
        ),
        history(),
        session.hasAnyRole(SITE_STAFF_ROLES) ? h('p', { class: 'page-foot' }, h('a', { href: '#/checkin/today', id: 'ci-to-today' }, t('ciSeeToday'))) : null,
      ),
      layer,
    ].filter(Boolean),
  );
}

export const scanView = {
  title: () => t('ciTitle'),
  async render(root, params, { first }) {
    if (first) {
      if (!(await whoFirst(root, t('ciTitle')))) return;
      if (!rolesAllowed(root, '/checkin', MANAGER_ROLES, { title: t('ciTitle'), denied: 'ciStaffOnly' })) return;
      await loadReach(SITE_STAFF_ROLES);
      if (!root.isConnected) return;
    }
    if (!rolesAllowed(root, '/checkin', MANAGER_ROLES, { title: t('ciTitle'), denied: 'ciStaffOnly' })) return;
    draw(root);
  },
  leave() {
    camera.stop();
  },
};
