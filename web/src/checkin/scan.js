// scan.js - the staff scan page (#/checkin): check people in by the QR
// code they show - a booking's ticket, or their own code from "me" - read
// by the camera (getUserMedia, frames decoded by jsQR), or typed when
// there is no camera or the code will not read. Says clearly who was
// checked in to what, or why not; the last check-ins stay listed.
//
// The decoder is a separate script (/qr-reader.js, built from reader.js)
// fetched the first time the camera opens, so the app that riders load
// does not carry it.
import { h } from '../dom.js';
import { t, pick } from '../i18n.js';
import { icon } from '../icons.js';
import { ApiError } from '../api.js';
import * as session from '../session.js';
import { field, bound, button } from '../forms.js';
import { redraw, pageTitle, needSignIn } from '../page.js';
import { tabs } from '../console.js';
import { openLayer, closeLayer, dropLayer } from '../back.js';
import { MANAGER_ROLES, SITE_STAFF_ROLES, rolesAllowed, whoFirst, problemWords, titleOf, slotSiteName, stateTag } from '../bookings/common.js';
import { spanWords, hm } from '../bookings/time.js';
import { reach, loadReach, pickedSite, sitePicker } from './sites.js';
import { subTabs } from './tabs.js';

const SCAN_EVERY_MS = 150;
const MAX_SIDE = 720; // frames are scaled down to this before decoding

const st = {
  code: '',
  busy: false,
  results: [], // newest first: {ok, b?, e?, at}
  camera: 'off', // 'off' | 'starting' | 'on'
  cameraNote: '',
};

// ---- the camera -------------------------------------------------------------------

let video = null; // one element for the page's life: a redraw moves it, never replaces it
let canvas = null;
let stream = null;
let timer = 0;
let decode = null; // jsQR, once loaded

function videoEl() {
  if (!video) {
    video = h('video', { class: 'ci-video', id: 'ci-video', muted: true, playsinline: true, autoplay: true, 'aria-hidden': 'true' });
    video.muted = true;
  }
  return video;
}

async function loadReader() {
  if (!decode) {
    const mod = await import('/qr-reader.js'); // left out of the bundle: see build.mjs
    decode = mod.default;
  }
  return decode;
}

function stopStream() {
  clearTimeout(timer);
  timer = 0;
  if (stream) for (const tr of stream.getTracks()) tr.stop();
  stream = null;
  if (video) video.srcObject = null;
}

/** The layer closed (Back, its button, a code found): the camera goes off. */
function cameraClosed() {
  stopStream();
  st.camera = 'off';
  redraw();
  document.getElementById('ci-camera')?.focus();
}

async function openCamera() {
  st.cameraNote = '';
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    st.cameraNote = t('ciNoCamera');
    redraw();
    document.getElementById('ci-code')?.focus();
    return;
  }
  st.camera = 'starting';
  openLayer(cameraClosed);
  redraw();
  try {
    const [s] = await Promise.all([navigator.mediaDevices.getUserMedia({ video: { facingMode: { ideal: 'environment' } }, audio: false }), loadReader()]);
    if (st.camera === 'off') {
      // Closed while it started.
      for (const tr of s.getTracks()) tr.stop();
      return;
    }
    stream = s;
    const v = videoEl();
    v.srcObject = s;
    await v.play().catch(() => {});
    st.camera = 'on';
    redraw();
    document.getElementById('ci-camera-close')?.focus();
    scanSoon();
  } catch (e) {
    stopStream();
    const denied = e && (e.name === 'NotAllowedError' || e.name === 'SecurityError');
    const none = e && (e.name === 'NotFoundError' || e.name === 'OverconstrainedError');
    st.cameraNote = t(denied ? 'ciCameraDenied' : none ? 'ciNoCamera' : 'ciCameraFailed');
    st.camera = 'off';
    closeLayer();
    document.getElementById('ci-code')?.focus();
  }
}

function scanSoon() {
  clearTimeout(timer);
  timer = setTimeout(scanFrame, SCAN_EVERY_MS);
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
    const img = ctx.getImageData(0, 0, w, hh);
    const found = decode(img.data, w, hh, { inversionAttempts: 'attemptBoth' });
    if (found && found.data) {
      navigator.vibrate?.(80);
      closeLayer();
      checkIn(found.data, 'camera');
      return;
    }
  }
  scanSoon();
}

// ---- checking in --------------------------------------------------------------------

async function checkIn(raw, how) {
  const qr = String(raw || '').replace(/\s+/g, '');
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

function cameraLayer() {
  if (st.camera === 'off') return null;
  return h(
    'div',
    {
      class: 'ci-layer',
      id: 'ci-camera-layer',
      role: 'dialog',
      'aria-modal': 'true',
      'aria-labelledby': 'ci-camera-title',
      onkeydown: (e) => {
        if (e.key === 'Escape') closeLayer();
      },
    },
    h('h3', { id: 'ci-camera-title', class: 'ci-camera-title' }, t(st.camera === 'on' ? 'ciAim' : 'ciStarting')),
    h('div', { class: 'ci-frame' }, videoEl(), h('span', { class: 'ci-aim', 'aria-hidden': 'true' })),
    h('button', { type: 'button', class: 'btn btn-primary btn-block ci-close', id: 'ci-camera-close', onclick: () => closeLayer() }, t('ciCloseCamera')),
  );
}

function draw(root) {
  const layer = cameraLayer();
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
          h(
            'button',
            { type: 'button', class: 'btn btn-primary btn-block ci-camera-btn', id: 'ci-camera', disabled: st.busy, onclick: openCamera },
            h('span', { svg: icon('scan') }),
            t('ciOpenCamera'),
          ),
          st.cameraNote ? h('p', { class: 'note note-warn', id: 'ci-camera-note', role: 'status' }, st.cameraNote) : null,
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
            input: bound('textarea', st, 'code', { rows: '2', autocomplete: 'off', autocapitalize: 'off', spellcheck: 'false', class: 'input ci-code' }),
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
    stopStream();
    dropLayer();
    st.camera = 'off';
    st.cameraNote = '';
  },
};
