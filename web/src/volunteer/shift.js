// shift.js - a shift's roster for its squad's leader (#/volunteer/shifts/{id}):
// who signed up, their check-in and check-out and minutes; check a
// volunteer in or out by their code, read by the camera (the scan page's
// decoder, /qr-reader.js, fetched when the camera first opens) or typed;
// confirm checked-out hours, which gives the points. The camera is a layer
// over the page: Back closes it.
import { h } from '../dom.js';
import { t, pick } from '../i18n.js';
import { getJson, ApiError } from '../api.js';
import * as session from '../session.js';
import { field, bound, formAlert, button } from '../forms.js';
import { redraw, pageTitle, needSignIn } from '../page.js';
import { openLayer, closeLayer, dropLayer } from '../back.js';
import { loadingPage, failedPage, crumbs, stateTag } from '../bookings/common.js';
import { spanWords, hm } from '../bookings/time.js';
import { voProblem, minutesWords, hoursState, problemBlock } from './common.js';

const SCAN_EVERY_MS = 150;
const MAX_SIDE = 720;

const st = { id: null, slot: null, roster: [], error: null, mode: 'in', code: '', busy: false, result: null, confirming: null, problems: new Map(), camera: 'off', cameraNote: '' };

async function loadRoster() {
  const r = await session.call('GET', `/api/volunteer/shifts/${st.id}/roster`);
  st.roster = r.items || [];
}

// ---- the camera (the same decoder as the staff scan page) ------------------------------------

let video = null;
let canvas = null;
let stream = null;
let timer = 0;
let decode = null;

function videoEl() {
  if (!video) {
    video = h('video', { class: 'ci-video', id: 'vo-video', muted: true, playsinline: true, autoplay: true, 'aria-hidden': 'true' });
    video.muted = true;
  }
  return video;
}

function stopStream() {
  clearTimeout(timer);
  timer = 0;
  if (stream) for (const tr of stream.getTracks()) tr.stop();
  stream = null;
  if (video) video.srcObject = null;
}

function cameraClosed() {
  stopStream();
  st.camera = 'off';
  redraw();
  document.getElementById('vo-camera')?.focus();
}

async function openCamera() {
  st.cameraNote = '';
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    st.cameraNote = t('voNoCamera');
    redraw();
    document.getElementById('vo-code')?.focus();
    return;
  }
  st.camera = 'starting';
  openLayer(cameraClosed);
  redraw();
  try {
    const load = decode ? Promise.resolve() : import('/qr-reader.js').then((m) => (decode = m.default));
    const [s] = await Promise.all([navigator.mediaDevices.getUserMedia({ video: { facingMode: { ideal: 'environment' } }, audio: false }), load]);
    if (st.camera === 'off') {
      for (const tr of s.getTracks()) tr.stop();
      return;
    }
    stream = s;
    const v = videoEl();
    v.srcObject = s;
    await v.play().catch(() => {});
    st.camera = 'on';
    redraw();
    document.getElementById('vo-camera-close')?.focus();
    timer = setTimeout(scanFrame, SCAN_EVERY_MS);
  } catch (e) {
    stopStream();
    const denied = e && (e.name === 'NotAllowedError' || e.name === 'SecurityError');
    st.cameraNote = t(denied ? 'voCameraDenied' : 'voNoCamera');
    st.camera = 'off';
    closeLayer();
    document.getElementById('vo-code')?.focus();
  }
}

function scanFrame() {
  if (st.camera !== 'on' || !stream || !video) return;
  const w0 = video.videoWidth;
  const h0 = video.videoHeight;
  if (video.readyState >= 2 && w0 && h0) {
    const k = Math.min(1, MAX_SIDE / Math.max(w0, h0));
    const w = Math.round(w0 * k);
    const hh = Math.round(h0 * k);
    if (!canvas) canvas = document.createElement('canvas');
    canvas.width = w;
    canvas.height = hh;
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    ctx.drawImage(video, 0, 0, w, hh);
    const found = decode(ctx.getImageData(0, 0, w, hh).data, w, hh, { inversionAttempts: 'attemptBoth' });
    if (found && found.data) {
      navigator.vibrate?.(80);
      closeLayer();
      scan(found.data, 'camera');
      return;
    }
  }
  timer = setTimeout(scanFrame, SCAN_EVERY_MS);
}

// ---- check in / out, confirm ----------------------------------------------------------------

async function scan(raw, how) {
  const qr = String(raw || '').replace(/\s+/g, '');
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

function cameraLayer() {
  if (st.camera === 'off') return null;
  return h(
    'div',
    { class: 'ci-layer', id: 'vo-camera-layer', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'vo-camera-title', onkeydown: (e) => e.key === 'Escape' && closeLayer() },
    h('h3', { id: 'vo-camera-title', class: 'ci-camera-title' }, t(st.camera === 'on' ? 'voAim' : 'voStarting')),
    h('div', { class: 'ci-frame' }, videoEl(), h('span', { class: 'ci-aim', 'aria-hidden': 'true' })),
    h('button', { type: 'button', class: 'btn btn-primary btn-block ci-close', id: 'vo-camera-close', onclick: () => closeLayer() }, t('voCloseCamera')),
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
  const layer = cameraLayer();
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
          h('button', { type: 'button', class: 'btn btn-primary btn-block ci-camera-btn', id: 'vo-camera', disabled: st.busy, onclick: openCamera }, t('voOpenCamera')),
          st.cameraNote ? h('p', { class: 'note note-warn', id: 'vo-camera-note', role: 'status' }, st.cameraNote) : null,
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
            field({ id: 'vo-code', name: 'qr', label: t('voCode'), hint: t('voCodeHint'), input: bound('textarea', st, 'code', { rows: '2', autocomplete: 'off', autocapitalize: 'off', spellcheck: 'false', class: 'input ci-code' }) }),
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
      Object.assign(st, { id: params.id, slot: null, roster: [], result: null, code: '', mode: 'in', busy: false, confirming: null, camera: 'off', cameraNote: '' });
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
    stopStream();
    dropLayer();
    st.camera = 'off';
  },
};
